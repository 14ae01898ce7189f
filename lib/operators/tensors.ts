// Tensor facts the operators share: recognising tensors, JavaScript's weak typing of numbers, reading values.

import * as tf from '@tensorflow/tfjs';
import { StagingError } from '../errors.js';

export { tf };
export type Tensor = tf.Tensor;
export type DataType = tf.DataType;

/**
 * Works across copies of tfjs-core: Tensor's `Symbol.hasInstance` checks the shape of the object. The
 * typeof test first keeps the plain path cheap: numbers never reach the `instanceof` call.
 */
export function isTensor(value: unknown): value is tf.Tensor {
  return typeof value === 'object' && value !== null && value instanceof tf.Tensor;
}

const isInt32 = (value: number) => Number.isInteger(value) && value >= -2147483648 && value <= 2147483647;

/**
 * The dtype a JavaScript number or boolean takes on its own, as TensorFlow and JAX give weakly typed
 * Python scalars: bool for booleans, int32 for integers that fit, float32 for everything else.
 */
export function weakDtype(value: number | boolean): DataType {
  if (typeof value === 'boolean') return 'bool';
  return isInt32(value) ? 'int32' : 'float32';
}

/** Whether a number or boolean can take `dtype` without changing its value. */
export function fitsDtype(value: number | boolean, dtype: DataType): boolean {
  if (dtype === 'bool') return typeof value === 'boolean';
  if (typeof value === 'boolean') return dtype === 'int32' || dtype === 'float32';
  if (dtype === 'int32') return isInt32(value);
  return dtype === 'float32';
}

/** Arithmetic treats bool as int32 0 or 1, as `true + 1 === 2` does. */
export function numeric(t: tf.Tensor): tf.Tensor {
  return t.dtype === 'bool' ? tf.cast(t, 'int32') : t;
}

/**
 * Brings two operands, at least one a tensor, to tensors of one dtype. A number takes the tensor's dtype
 * when it can be represented in it; otherwise int32 is promoted to float32. Two tensors of different
 * numeric dtypes meet at float32.
 */
export function unify(a: unknown, b: unknown, op: string, keepBool = false): [tf.Tensor, tf.Tensor] {
  const x = toOperand(a, op);
  const y = toOperand(b, op);
  if (isTensor(x) && isTensor(y)) {
    if (x.dtype === y.dtype && (keepBool || x.dtype !== 'bool')) return [x, y];
    const [p, q] = [numeric(x), numeric(y)];
    return p.dtype === q.dtype ? [p, q] : [tf.cast(p, 'float32'), tf.cast(q, 'float32')];
  }
  if (isTensor(x)) return scalarBeside(x, y as number | boolean, false, keepBool);
  return scalarBeside(y as tf.Tensor, x as number | boolean, true, keepBool);
}

function scalarBeside(
  t: tf.Tensor,
  value: number | boolean,
  tensorOnRight: boolean,
  keepBool: boolean,
): [tf.Tensor, tf.Tensor] {
  let tensor = t.dtype === 'bool' && !(keepBool && typeof value === 'boolean') ? numeric(t) : t;
  if (!fitsDtype(value, tensor.dtype)) tensor = tf.cast(tensor, 'float32');
  const scalar = tf.scalar(tensor.dtype === 'bool' ? value : Number(value), tensor.dtype);
  return tensorOnRight ? [scalar, tensor] : [tensor, scalar];
}

/** An operand as the operators accept it: a live, non-string tensor, a number or a boolean; else a clear error. */
export function toOperand(value: unknown, op: string): tf.Tensor | number | boolean {
  if (isTensor(value)) {
    if (value.isDisposed) {
      throw new StagingError(
        `'${op}' got a disposed tensor. Keep tensors you still use alive: do not dispose them, or wrap them in tf.keep.`,
      );
    }
    if (value.dtype === 'string') {
      throw new StagingError(`'${op}' cannot compute with a string tensor.`);
    }
    return value;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    throw new StagingError(
      `'${op}' got a string and a tensor. A tensor's value cannot be turned into text without reading it; ` +
        'to print it, pass the tensor as its own console.log argument: console.log("x =", x).',
    );
  }
  const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
  throw new StagingError(
    `'${op}' got a tensor and ${kind}; it computes with tensors, numbers and booleans. ` +
      'Convert arrays with tf.tensor(...) first.',
  );
}

/** A template literal's part: itself, unless it is a tensor, whose text needs an asynchronous read. */
export function text(value: unknown): unknown {
  if (!isTensor(value)) return value;
  throw new StagingError(
    'A template literal contains a tensor, whose value cannot be turned into text without reading it. To print it, ' +
      'use the template as a console.log argument, or pass the tensor as its own argument: console.log("x =", x).',
  );
}

/** The JavaScript value of a tensor: a number or boolean for a scalar, nested arrays otherwise. Never reads synchronously. */
export async function tensorValue(t: tf.Tensor): Promise<unknown> {
  const value = t.rank === 0 ? (await t.data())[0] : await t.array();
  return t.dtype === 'bool' ? toBooleans(value) : value;
}

function toBooleans(value: unknown): unknown {
  return Array.isArray(value) ? value.map(toBooleans) : Boolean(value);
}
