// Element access: `x[i]`, `x[i] = v` and `x.length` keep their meaning on arrays and objects, and on a
// tensor read and update along axis 0. An update makes a new tensor, which the converted code binds to
// the variable that held the old one; the old tensor is not changed.

import { StagingError } from '../errors.js';
import * as arithmetic from './arithmetic.js';
import * as bitwise from './bitwise.js';
import { isTensor, tf, toOperand, unify, type Tensor } from './tensors.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- the plain paths are JavaScript's own member accesses. */

/** Array.isArray, for the inline guards of generated code, which may not see the user's globals. */
export const isArray = Array.isArray;

/** The operators a compound update may apply, by the runtime name the converter gives. */
const UPDATES: Record<string, (a: any, b?: any) => any> = {
  add: arithmetic.add,
  sub: arithmetic.sub,
  mul: arithmetic.mul,
  div: arithmetic.div,
  mod: arithmetic.mod,
  pow: arithmetic.pow,
  increment: arithmetic.increment,
  decrement: arithmetic.decrement,
  bitAnd: bitwise.bitAnd,
  bitOr: bitwise.bitOr,
  bitXor: bitwise.bitXor,
  shiftLeft: bitwise.shiftLeft,
  shiftRight: bitwise.shiftRight,
  shiftRightUnsigned: bitwise.shiftRightUnsigned,
};

/** Whether `key` indexes a tensor's axis 0 (a number or a tensor) rather than naming a property. */
const isIndex = (key: unknown) => typeof key === 'number' || isTensor(key);

/** The position along axis 0 that `index` names: negative numbers count from the end, as in `at`. */
function position(x: Tensor, index: number | Tensor, access: string): number | Tensor {
  if (x.rank === 0) {
    throw new StagingError(
      `${access} reads along axis 0, but the tensor is a scalar. Index tensors of rank 1 or more, or use the scalar itself.`,
    );
  }
  const length = x.shape[0]!;
  if (typeof index === 'number') {
    if (!Number.isInteger(index)) {
      throw new StagingError(`${access}: the index ${index} is not an integer. Index a tensor with whole numbers.`);
    }
    const at = index < 0 ? index + length : index;
    if (at < 0 || at >= length) {
      throw new StagingError(
        `${access}: the index ${index} is out of range for axis 0 of length ${length}. ` +
          `Use an index from ${-length} to ${length - 1}.`,
      );
    }
    return at;
  }
  const t = toOperand(index, access) as Tensor;
  if (t.rank !== 0 || t.dtype !== 'int32') {
    throw new StagingError(
      `${access}: a tensor index must be an int32 scalar, but this one is ${t.dtype} of shape [${t.shape.join(', ')}]. ` +
        'Cast it with tf.cast(i, "int32"), or gather several rows with tf.gather(x, indices).',
    );
  }
  return tf.where(tf.less(t, 0), tf.add(t, tf.scalar(length, 'int32')), t);
}

function plainIndexedByTensor(key: unknown): void {
  if (!isTensor(key)) return;
  throw new StagingError(
    'An array or object is indexed with a tensor, which JavaScript would turn into a string key. Read the ' +
      'index first (await i.data()), or make the array a tensor with tf.tensor(...) and index that.',
  );
}

/** `x[key]`. */
export function getItem(x: any, key: any): any {
  if (!isTensor(x)) {
    plainIndexedByTensor(key);
    return x[key];
  }
  if (!isIndex(key)) return (x as any)[key];
  const tensor = toOperand(x, 'x[i]') as Tensor;
  return tf.tidy(() => {
    const at = position(tensor, key, 'x[i]');
    return tf.gather(tensor, typeof at === 'number' ? tf.scalar(at, 'int32') : at);
  });
}

/** `x.length`: the size of a tensor's axis 0. */
export function lengthOf(x: any): any {
  if (!isTensor(x)) return x.length;
  if (x.rank === 0) {
    throw new StagingError('x.length is the size of axis 0, but the tensor is a scalar: it has no length.');
  }
  return x.shape[0];
}

/**
 * `x[key] = value` as a statement: returns what `x` holds afterwards, the same object for arrays and
 * objects, a new tensor for a tensor. `constName` is set when the variable cannot be rebound.
 */
export function setItem(x: any, key: any, value: any, constName?: string): any {
  if (!isTensor(x) || !isIndex(key)) {
    if (!isTensor(x)) plainIndexedByTensor(key);
    x[key] = value;
    return x;
  }
  if (constName !== undefined) {
    throw new StagingError(
      `'${constName}[i] = v' makes a new tensor for '${constName}', but '${constName}' is const. ` +
        `Declare it with let, or build the new tensor yourself: ${constName}2 = tf.where(...).`,
    );
  }
  const tensor = toOperand(x, 'x[i] = v') as Tensor;
  return tf.tidy(() => {
    const at = position(tensor, key, 'x[i] = v');
    const [base, row] = unify(tensor, value, 'x[i] = v', true);
    if (row.rank >= base.rank) {
      throw new StagingError(
        `x[i] = v replaces one slice along axis 0, of shape [${base.shape.slice(1).join(', ')}], but v has shape ` +
          `[${row.shape.join(', ')}]. Give v that shape, or one that broadcasts to it.`,
      );
    }
    const shape = base.shape.map((size, axis) => (axis === 0 ? size : 1));
    const mask = tf.reshape(tf.equal(tf.range(0, base.shape[0]!, 1, 'int32'), at), shape);
    return tf.where(tf.broadcastTo(mask, base.shape), tf.broadcastTo(row, base.shape), base);
  });
}

/** `x[key] op= value`, `x[key]++` and `x[key]--` as statements: what `x` holds afterwards. */
export function updateItem(x: any, key: any, op: string, value?: any, constName?: string): any {
  const apply = UPDATES[op]!;
  if (!isTensor(x) || !isIndex(key)) {
    if (!isTensor(x)) plainIndexedByTensor(key);
    x[key] = apply(x[key], value);
    return x;
  }
  return tf.tidy(() => setItem(x, key, apply(getItem(x, key), value), constName));
}

/**
 * An assignment or update of a member whose value is used, such as `a[i] = b[i] = 0` or `n = o.count++`:
 * evaluates to what JavaScript gives. `op` is empty for `=`.
 */
export function assignMember(object: any, key: any, op: string, value: any, prefix = true): any {
  if (isTensor(object) && isIndex(key)) {
    throw new StagingError(
      "An update of a tensor's element is used as a value. It makes a new tensor for the variable, so write " +
        'it as a statement of its own: x[i] = v; then use x[i].',
    );
  }
  plainIndexedByTensor(key);
  if (op === '') return (object[key] = value);
  const old = object[key];
  const updated = UPDATES[op]!(old, value);
  object[key] = updated;
  return prefix ? updated : arithmetic.pos(old);
}
