// Logical operators and the conditional expression: JavaScript's lazy value semantics, staged on scalar tensors.

import { readCondition } from './conditions.js';
import { fitsDtype, isTensor, tf, weakDtype, type Tensor } from './tensors.js';

/** The right operand or a branch, evaluated only when needed; a generator so it can wait on staged reads. */
export type Thunk = () => Generator<unknown, unknown, unknown>;

const elementwiseHint = (op: string, fn: string) =>
  `'${op}' on a tensor decides on one value. For elementwise logic use tf.${fn}(a, b) on bool tensors, ` +
  'or tf.where(condition, a, b) to choose elementwise.';

/** A plain value chosen by a staged conditional becomes a tensor, as in a graph: of `like`'s dtype where it fits. */
function staged(value: unknown, like?: Tensor): unknown {
  if (typeof value !== 'number' && typeof value !== 'boolean') return value;
  const dtype = like && fitsDtype(value, like.dtype) ? like.dtype : weakDtype(value);
  return tf.scalar(dtype === 'bool' ? value : Number(value), dtype);
}

/** `left && right`: `left` when it is falsy, else `right`, which is evaluated only then. */
export function* and(left: unknown, right: Thunk): Generator<unknown, unknown, unknown> {
  if (!isTensor(left)) return left && (yield* right());
  if (!(yield* readCondition(left, "'&&' (its left operand)", elementwiseHint('&&', 'logicalAnd')))) return left;
  return staged(yield* right(), left);
}

/** `left || right`: `left` when it is truthy, else `right`, which is evaluated only then. */
export function* or(left: unknown, right: Thunk): Generator<unknown, unknown, unknown> {
  if (!isTensor(left)) return left || (yield* right());
  if (yield* readCondition(left, "'||' (its left operand)", elementwiseHint('||', 'logicalOr'))) return left;
  return staged(yield* right(), left);
}

/** `left ?? right`. A tensor is never null or undefined, so it is its own result. */
export function* nullish(left: unknown, right: Thunk): Generator<unknown, unknown, unknown> {
  if (isTensor(left)) return left;
  return left ?? (yield* right());
}

/** `!value`: on a tensor, elementwise JavaScript falsiness (zero or NaN) as a bool tensor. */
export function not(value: unknown): unknown {
  if (!isTensor(value)) return !value;
  if (value.dtype === 'bool') return tf.logicalNot(value);
  if (value.dtype === 'int32') return tf.equal(value, 0);
  return tf.tidy(() => tf.logicalOr(tf.equal(value, 0), tf.isNaN(value)));
}

/** `condition ? body : orelse`. Staged on a scalar tensor: only the side that is taken runs. */
export function* ifExp(condition: unknown, body: Thunk, orelse: Thunk): Generator<unknown, unknown, unknown> {
  if (!isTensor(condition)) return condition ? yield* body() : yield* orelse();
  const taken = yield* readCondition(condition, 'a conditional expression (c ? a : b)');
  return staged(taken ? yield* body() : yield* orelse());
}
