// Element access: `x[i]`, `x[i] = v`, `x.length` and `[a, b] = x` keep their meaning on arrays and
// objects, and on a tensor read, update and take apart along axis 0. An update makes a new tensor, which the converted code binds to
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
  if (constName === USED_AS_VALUE) throw usedAsValue();
  if (constName !== undefined) {
    throw new StagingError(
      `'${constName}[i] = v' makes a new tensor for '${constName}', which cannot be rebound here: it is const, ` +
        `or not declared in the function. Declare it with let in the function, or build the new tensor ` +
        `yourself: const updated = tf.where(mask, v, ${constName}).`,
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

/** A member target, its root and keys evaluated once, with its old value when an update needs it. */
export interface PathRef {
  root: any;
  keys: unknown[];
  old: unknown;
}

/**
 * `root[k1]...[kn]`, as the target of an assignment or update: reads the old value now, before the right-hand
 * side runs, as JavaScript does.
 */
export function pathRef(root: any, keys: unknown[], readOld: boolean): PathRef {
  let old: unknown;
  if (readOld) {
    old = root;
    for (const key of keys) old = getItem(old, key);
  }
  return { root, keys, old };
}

/**
 * Stores `value` at `keys` under `holder` and returns what the holder is afterwards: the same array or
 * object, changed in place, or a new tensor. A new inner tensor is stored back into its own holder; an
 * array or object changed in place is not written back, so getters run once and frozen holders are left
 * alone. `fixedName` names a root that cannot be rebound.
 */
function writePath(holder: any, keys: unknown[], at: number, value: unknown, fixedName?: string): any {
  const key = keys[at];
  if (at === keys.length - 1) return setItem(holder, key, value, fixedName);
  const inner = getItem(holder, key);
  const updated = writePath(inner, keys, at + 1, value);
  return updated === inner ? holder : setItem(holder, key, updated, fixedName);
}

/** `root[k1]...[kn] = value` as a statement: what `root` holds afterwards. */
export function setPath(root: any, keys: unknown[], value: unknown, fixedName?: string): any {
  return writePath(root, keys, 0, value, fixedName);
}

/** `target op= value`, `target++` and `target--` as statements: what the root holds afterwards. */
export function updatePath(ref: PathRef, op: string, value?: unknown, fixedName?: string): any {
  return writePath(ref.root, ref.keys, 0, UPDATES[op]!(ref.old, value), fixedName);
}

/**
 * An assignment (`op` empty) or update of a member whose value is used, such as `a[i] = b[i] = 0` or
 * `n = o.count++`: evaluates to what JavaScript gives. A tensor's element cannot be updated here, since
 * the new tensor would need a variable to go to.
 */
export function assignPath(ref: PathRef, op: string, value: unknown, prefix: boolean): unknown {
  const updated = op === '' ? value : UPDATES[op]!(ref.old, value);
  const root = writePath(ref.root, ref.keys, 0, updated, USED_AS_VALUE);
  if (root !== ref.root) throw usedAsValue();
  return op === '' || prefix ? updated : arithmetic.postfix(ref.old, updated);
}

const USED_AS_VALUE = '\0value';

const usedAsValue = () =>
  new StagingError(
    "An update of a tensor's element is used as a value. It makes a new tensor for the variable, so write " +
      'it as a statement of its own: x[i] = v; then use x[i].',
  );

/**
 * The value an array pattern takes apart: a tensor's slices along axis 0 (as for-of over it gives them),
 * anything else as it is.
 */
export function unstacked(value: unknown): unknown {
  if (!isTensor(value)) return value;
  if (value.rank === 0) {
    throw new StagingError(
      'An array pattern ([a, b] = t) takes a tensor apart along its first axis, but this tensor is a scalar. ' +
        'Destructure a tensor of rank 1 or more, or wrap the value in an array.',
    );
  }
  return tf.unstack(value);
}
