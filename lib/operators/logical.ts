// Logical operators and the conditional expression: JavaScript's lazy value semantics, staged on scalar tensors.

import { readCondition } from './conditions.js';
import { stagedValue, traceUntaken } from './control_flow.js';
import { currentTracer } from './tracing.js';
import { fitsDtype, isTensor, tf, type Tensor } from './tensors.js';

/** The right operand or a branch, evaluated only when needed; a generator so it can wait on staged reads. */
export type Thunk = () => Generator<unknown, unknown, unknown>;

const elementwiseHint = (op: string, fn: string) =>
  `'${op}' on a tensor decides on one value. For elementwise logic use tf.${fn}(a, b) on bool tensors, ` +
  'or tf.where(condition, a, b) to choose elementwise.';

/**
 * A plain value chosen by a staged conditional becomes a tensor, as in a graph: of `like`'s dtype where it
 * fits, else weakly typed (a graph trace gives it the other branch's dtype).
 */
function staged(value: unknown, construct: string, like?: Tensor): unknown {
  if (typeof value !== 'number' && typeof value !== 'boolean') return value;
  return stagedValue(value, like && fitsDtype(value, like.dtype) ? like.dtype : undefined, '(value)', construct);
}

/**
 * A staged choice between evaluating `branch` and a known value, or between two branches: the condition is
 * read, and a graph trace records it as an if whose output is the value chosen.
 */
function* choose(
  condition: Tensor,
  construct: string,
  hint: string | undefined,
  branches: [Thunk, Thunk],
  keeps: 0 | 1 | null,
  like?: Tensor,
): Generator<unknown, unknown, unknown> {
  const taken = yield* readCondition(condition, construct, hint, true);
  const trace = currentTracer()?.beginIf(condition, taken, keeps, false);
  const value = staged(yield* branches[taken ? 0 : 1](), construct, like);
  if (!trace) return value;
  trace.ran([keeps === null ? undefined : condition], [value], ['(value)'], branches[taken ? 0 : 1]);
  const other = branches[taken ? 1 : 0];
  yield* traceUntaken(trace, other, function* () {
    return [staged(yield* other(), construct, like)];
  });
  return trace.end()[0];
}

/** `left && right`: `left` when it is falsy, else `right`, which is evaluated only then. */
export function* and(left: unknown, right: Thunk): Generator<unknown, unknown, unknown> {
  if (!isTensor(left)) return left && (yield* right());
  // eslint-disable-next-line require-yield -- the known side waits for nothing.
  const itself = function* () {
    return left;
  };
  return yield* choose(left, "'&&' (its left operand)", elementwiseHint('&&', 'logicalAnd'), [right, itself], 1, left);
}

/** `left || right`: `left` when it is truthy, else `right`, which is evaluated only then. */
export function* or(left: unknown, right: Thunk): Generator<unknown, unknown, unknown> {
  if (!isTensor(left)) return left || (yield* right());
  // eslint-disable-next-line require-yield -- the known side waits for nothing.
  const itself = function* () {
    return left;
  };
  return yield* choose(left, "'||' (its left operand)", elementwiseHint('||', 'logicalOr'), [itself, right], 0, left);
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
  return yield* choose(condition, 'a conditional expression (c ? a : b)', undefined, [body, orelse], null);
}
