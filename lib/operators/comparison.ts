// Comparison and equality operators: JavaScript's meaning on plain values, bool tensors on tensors.

import { flooredRemainders } from './arithmetic.js';
import { isTensor, tf, unify } from './tensors.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- the plain paths are JavaScript's own operators on any values. */

export function less(a: any, b: any): any {
  if (!isTensor(a) && !isTensor(b)) return a < b;
  return tf.less(...unify(a, b, '<'));
}

export function lessEqual(a: any, b: any): any {
  if (!isTensor(a) && !isTensor(b)) return a <= b;
  return tf.lessEqual(...unify(a, b, '<='));
}

export function greater(a: any, b: any): any {
  if (!isTensor(a) && !isTensor(b)) return a > b;
  return tf.greater(...unify(a, b, '>'));
}

export function greaterEqual(a: any, b: any): any {
  if (!isTensor(a) && !isTensor(b)) return a >= b;
  return tf.greaterEqual(...unify(a, b, '>='));
}

/** Elementwise only between a tensor and a number, boolean or tensor; anything else keeps identity. */
const comparesElementwise = (a: unknown, b: unknown) => {
  const other = isTensor(a) ? b : a;
  return isTensor(other) || typeof other === 'number' || typeof other === 'boolean';
};

/** `a % b` compared with zero: the floored remainder, which is zero exactly where `a % b` is. */
function remainderBeside(a: unknown, b: unknown): unknown {
  const floored = b === 0 && isTensor(a) ? flooredRemainders.get(a) : undefined;
  return floored && !floored.isDisposed ? floored : a;
}

export function equal(a: any, b: any): any {
  if (!isTensor(a) && !isTensor(b)) return a == b;
  if (!comparesElementwise(a, b)) return false;
  return tf.equal(...unify(remainderBeside(a, b), b, '==', true));
}

export function notEqual(a: any, b: any): any {
  if (!isTensor(a) && !isTensor(b)) return a != b;
  if (!comparesElementwise(a, b)) return true;
  return tf.notEqual(...unify(remainderBeside(a, b), b, '!=', true));
}

/** Whether a value is a boolean or a bool tensor, whose elements `===` never finds equal to numbers. */
const isBoolean = (value: unknown) => typeof value === 'boolean' || (isTensor(value) && value.dtype === 'bool');

/** Elementwise `===`: a boolean element is never strictly equal to a number, as in JavaScript. */
function strictlyEqual(a: any, b: any, op: string): tf.Tensor {
  if (isBoolean(a) === isBoolean(b)) return tf.equal(...unify(a, b, op, true));
  const shape =
    isTensor(a) && isTensor(b)
      ? tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape)
      : (isTensor(a) ? a : b).shape;
  return tf.fill(shape, 0, 'bool');
}

export function strictEqual(a: any, b: any): any {
  if (!isTensor(a) && !isTensor(b)) return a === b;
  if (!comparesElementwise(a, b)) return a === b;
  return strictlyEqual(remainderBeside(a, b), b, '===');
}

export function strictNotEqual(a: any, b: any): any {
  if (!isTensor(a) && !isTensor(b)) return a !== b;
  if (!comparesElementwise(a, b)) return a !== b;
  return tf.tidy(() => tf.logicalNot(strictlyEqual(remainderBeside(a, b), b, '!==')));
}
