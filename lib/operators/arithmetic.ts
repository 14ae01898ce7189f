// Arithmetic operators: JavaScript's meaning on plain values, the same meaning elementwise on tensors.

import { isTensor, numeric, tf, toOperand, unify } from './tensors.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- the plain paths are JavaScript's own operators on any values. */

/** `a + b`. With a string and a tensor it is an error: see `unify`. */
export function add(a: any, b: any): any {
  if (!isTensor(a) && !isTensor(b)) return a + b;
  return tf.add(...unify(a, b, '+'));
}

export function sub(a: any, b: any): any {
  if (!isTensor(a) && !isTensor(b)) return a - b;
  return tf.sub(...unify(a, b, '-'));
}

export function mul(a: any, b: any): any {
  if (!isTensor(a) && !isTensor(b)) return a * b;
  return tf.mul(...unify(a, b, '*'));
}

/** True division, as in JavaScript: int32 operands give float32 (tf.div would floor them). */
export function div(a: any, b: any): any {
  if (!isTensor(a) && !isTensor(b)) return a / b;
  const [x, y] = unify(a, b, '/');
  return x.dtype === 'int32' ? tf.div(tf.cast(x, 'float32'), tf.cast(y, 'float32')) : tf.div(x, y);
}

/**
 * The floored remainders (tf.mod) behind `%` results, while they live: whether a remainder is zero does not
 * depend on its sign, so `a % b == 0` compares the floored one and needs no sign correction (in a graph,
 * the correction then goes as dead work).
 */
export const flooredRemainders = new WeakMap<object, tf.Tensor>();

/** JavaScript's `%`: the truncated remainder, with the sign of the dividend (tf.mod takes the divisor's). */
export function mod(a: any, b: any): any {
  if (!isTensor(a) && !isTensor(b)) return a % b;
  const [x, y] = unify(a, b, '%');
  const [result, floored] = tf.tidy(() => {
    const remainder = tf.mod(x, y);
    const zero = tf.scalar(0, remainder.dtype);
    const nonzero = tf.notEqual(remainder, zero);
    // A non-zero floored remainder has the divisor's sign; JavaScript's has the dividend's. With a plain
    // divisor that sign is known.
    const negative = tf.less(x, zero);
    const wrongSign =
      typeof b === 'number' && b > 0
        ? tf.logicalAnd(nonzero, negative)
        : typeof b === 'number' && b < 0
          ? tf.logicalAnd(nonzero, tf.greater(x, zero))
          : tf.logicalAnd(nonzero, tf.notEqual(tf.less(remainder, zero), negative));
    return [tf.where(wrongSign, tf.sub(remainder, y), remainder), remainder];
  });
  flooredRemainders.set(result!, floored!);
  return result;
}

/**
 * `a ** b`, also Math.pow. int32 stays int32 where the result is whole, and is exact: tf.pow computes in
 * float32 on some backends (5 ** 2 gives 24 on WebGPU), so a whole number exponent multiplies by
 * squaring, and an int32 tensor exponent rounds the float32 power (exact while it fits in 24 bits). A
 * negative number exponent makes the result float32, as JavaScript's value is a fraction; where an int32
 * tensor exponent is negative, the result is JavaScript's value truncated (0, or ±1 for a base of ±1).
 */
export function pow(a: any, b: any): any {
  if (!isTensor(a) && !isTensor(b)) return a ** b;
  const [x, y] = unify(a, b, '**');
  if (x.dtype !== 'int32') return tf.pow(x, y);
  if (!isTensor(b)) {
    const exponent = b as number;
    if (exponent < 0) return tf.pow(tf.cast(x, 'float32'), tf.cast(y, 'float32'));
    return exponent <= 64 ? tf.tidy(() => powBySquaring(x, exponent)) : tf.pow(x, y);
  }
  return tf.tidy(() => {
    const negative = tf.less(y, 0);
    const power = tf.pow(tf.cast(x, 'float32'), tf.cast(tf.where(negative, tf.zerosLike(y), y), 'float32'));
    const whole = tf.cast(tf.round(power), 'int32');
    const oddExponent = tf.notEqual(mod(y, 2), 0);
    const minusOne = tf.where(oddExponent, tf.fill(x.shape, -1, 'int32'), tf.onesLike(x));
    const fraction = tf.where(tf.equal(x, 1), tf.onesLike(x), tf.where(tf.equal(x, -1), minusOne, tf.zerosLike(x)));
    return tf.where(negative, fraction, whole);
  });
}

/** x ** n for a whole number n, by int32 multiplications: exact, and wrapping as int32 products do. */
function powBySquaring(x: tf.Tensor, n: number): tf.Tensor {
  let result: tf.Tensor | undefined;
  let square = x;
  for (let rest = n; rest > 0; rest = Math.floor(rest / 2)) {
    if (rest % 2 === 1) result = result ? tf.mul(result, square) : square;
    if (rest > 1) square = tf.mul(square, square);
  }
  return result ? (result === x ? tf.clone(x) : result) : tf.onesLike(x);
}

/** The value of `x++` and `x--`: the old value as a number; the second argument is the update itself. */
export function postfix(old: any, _updated: unknown): any {
  // ToNumeric: a BigInt stays a BigInt (unary plus would throw on it).
  return typeof old === 'number' || typeof old === 'bigint' ? old : pos(old);
}

/** Unary plus: JavaScript's ToNumber, which makes a bool tensor int32 and leaves a numeric one as it is. */
export function pos(a: any): any {
  if (!isTensor(a)) return +a;
  return numeric(toOperand(a, 'unary +') as tf.Tensor);
}

/** Unary minus. */
export function neg(a: any): any {
  if (!isTensor(a)) return -a;
  return tf.neg(numeric(a));
}

/** `++x` and `x++` apply ToNumeric to the old value first (so `"5"` steps to 6); this returns the new value. */
export function increment(a: any): any {
  if (typeof a === 'number') return a + 1;
  if (isTensor(a)) return add(a, 1);
  const box = { value: a };
  box.value++;
  return box.value;
}

export function decrement(a: any): any {
  if (typeof a === 'number') return a - 1;
  if (isTensor(a)) return sub(a, 1);
  const box = { value: a };
  box.value--;
  return box.value;
}

/** `Math.floor(a / b)`: floor division, which stays int32 on int32 operands. */
export function floorDiv(a: any, b: any): any {
  if (!isTensor(a) && !isTensor(b)) return Math.floor(a / b);
  const [x, y] = unify(a, b, '/');
  if (x.dtype === 'int32') return tf.floorDiv(x, y);
  return tf.tidy(() => tf.floor(tf.div(x, y)));
}

/** `Math.trunc(a / b)`: truncating division, which stays int32 on int32 operands. */
export function truncDiv(a: any, b: any): any {
  if (!isTensor(a) && !isTensor(b)) return Math.trunc(a / b);
  const [x, y] = unify(a, b, '/');
  if (x.dtype !== 'int32') return tf.tidy(() => truncate(tf.div(x, y)));
  return tf.tidy(() => {
    // floor(a / b) is one too low when the quotient is negative and inexact.
    const inexact = tf.notEqual(tf.mod(x, y), 0);
    const negative = tf.notEqual(tf.less(x, 0), tf.less(y, 0));
    return tf.add(tf.floorDiv(x, y), tf.cast(tf.logicalAnd(inexact, negative), 'int32'));
  });
}

/** Rounds toward zero, elementwise, on float tensors. */
export function truncate(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.where(tf.less(x, 0), tf.ceil(x), tf.floor(x)));
}
