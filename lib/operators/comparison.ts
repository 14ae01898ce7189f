// Comparison and equality operators: JavaScript's meaning on plain values, bool tensors on tensors.

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

export function equal(a: any, b: any): any {
  if (!isTensor(a) && !isTensor(b)) return a == b;
  if (!comparesElementwise(a, b)) return false;
  return tf.equal(...unify(a, b, '==', true));
}

export function notEqual(a: any, b: any): any {
  if (!isTensor(a) && !isTensor(b)) return a != b;
  if (!comparesElementwise(a, b)) return true;
  return tf.notEqual(...unify(a, b, '!=', true));
}

export function strictEqual(a: any, b: any): any {
  if (!isTensor(a) && !isTensor(b)) return a === b;
  if (!comparesElementwise(a, b)) return a === b;
  return tf.equal(...unify(a, b, '===', true));
}

export function strictNotEqual(a: any, b: any): any {
  if (!isTensor(a) && !isTensor(b)) return a !== b;
  if (!comparesElementwise(a, b)) return a !== b;
  return tf.notEqual(...unify(a, b, '!==', true));
}
