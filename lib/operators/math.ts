// Math functions, Number and Boolean, redirected here by the converter: their own result on plain values,
// the same function elementwise on tensors.
//
// dtype rules: functions whose result on an integer is an integer (abs, sign, floor, ceil, round, trunc,
// min, max) keep int32; the others compute in float32. A bool tensor counts as int32 0 or 1.

import { MATH_FUNCTIONS } from '../analysis/globals.js';
import { truncate } from './arithmetic.js';
import { isTensor, numeric, tf, toOperand, unify, type Tensor } from './tensors.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- the plain paths are Math's own functions on any values. */

/** The Math functions that work on tensors; each has a function of the same name here (pow is `**`'s). */
export { MATH_FUNCTIONS };

/** The tensor operand of Math.`name`, checked, with bool as int32. */
const numericOperand = (x: Tensor, name: string) => numeric(toOperand(x, `Math.${name}`) as Tensor);
const toFloat = (t: Tensor) => (t.dtype === 'float32' ? t : tf.cast(t, 'float32'));

/** A Math function that keeps integers whole: int32 tensors come back as they are. */
function integral(name: string, plain: (x: number) => number, float: (x: Tensor) => Tensor) {
  return (x: any): any => {
    if (!isTensor(x)) return plain(x);
    const t = numericOperand(x, name);
    return t.dtype === 'int32' ? t : tf.tidy(() => float(t));
  };
}

/** A Math function computed in float32. */
function real(name: string, plain: (x: number) => number, float: (x: Tensor) => Tensor) {
  return (x: any): any => {
    if (!isTensor(x)) return plain(x);
    const t = numericOperand(x, name);
    return tf.tidy(() => float(toFloat(t)));
  };
}

export const floor = integral('floor', Math.floor, (t) => tf.floor(t));
export const ceil = integral('ceil', Math.ceil, (t) => tf.ceil(t));
export const trunc = integral('trunc', Math.trunc, truncate);
/**
 * JavaScript rounds .5 toward +Infinity (Math.round(-2.5) is -2); tf.round rounds half to even. The
 * fraction x - floor(x) is exact in float32, so this does not suffer floor(x + 0.5)'s double rounding.
 */
export const round = integral('round', Math.round, (t) => {
  const down = tf.floor(t);
  return tf.where(tf.greaterEqual(tf.sub(t, down), 0.5), tf.add(down, 1), down);
});

export function abs(x: any): any {
  if (!isTensor(x)) return Math.abs(x);
  return tf.abs(numericOperand(x, 'abs'));
}

/** Math.sign: -1, 0 or 1, and NaN for NaN (tf.sign gives 0 there). */
export function sign(x: any): any {
  if (!isTensor(x)) return Math.sign(x);
  const t = numericOperand(x, 'sign');
  return tf.tidy(() => {
    const signs = tf.sub(tf.cast(tf.greater(t, 0), 'int32'), tf.cast(tf.less(t, 0), 'int32'));
    return t.dtype === 'int32' ? signs : tf.where(tf.isNaN(t), t, tf.cast(signs, 'float32'));
  });
}

export const sqrt = real('sqrt', Math.sqrt, (t) => tf.sqrt(t));
/** The real cube root, negative for negative numbers (a fractional power of a negative number is NaN). */
export const cbrt = real('cbrt', Math.cbrt, (t) => tf.mul(tf.sign(t), tf.pow(tf.abs(t), 1 / 3)));
export const exp = real('exp', Math.exp, (t) => tf.exp(t));
export const expm1 = real('expm1', Math.expm1, (t) => tf.expm1(t));
/** log(x) with log(0) = -Infinity, which some WebGPU drivers (SwiftShader) give as a large finite number. */
const logOf = (t: Tensor) => tf.where(tf.equal(t, 0), tf.fill(t.shape, -Infinity), tf.log(t));
export const log = real('log', Math.log, logOf);
export const log1p = real('log1p', Math.log1p, (t) =>
  tf.where(tf.equal(t, -1), tf.fill(t.shape, -Infinity), tf.log1p(t)),
);
export const log2 = real('log2', Math.log2, (t) => tf.mul(logOf(t), 1 / Math.LN2));
export const log10 = real('log10', Math.log10, (t) => tf.mul(logOf(t), 1 / Math.LN10));
export const sin = real('sin', Math.sin, (t) => tf.sin(t));
export const cos = real('cos', Math.cos, (t) => tf.cos(t));
export const tan = real('tan', Math.tan, (t) => tf.tan(t));
export const asin = real('asin', Math.asin, (t) => tf.asin(t));
export const acos = real('acos', Math.acos, (t) => tf.acos(t));
export const atan = real('atan', Math.atan, (t) => tf.atan(t));
export const sinh = real('sinh', Math.sinh, (t) => tf.sinh(t));
export const cosh = real('cosh', Math.cosh, (t) => tf.cosh(t));
export const tanh = real('tanh', Math.tanh, (t) => tf.tanh(t));

export function atan2(y: any, x: any): any {
  if (!isTensor(y) && !isTensor(x)) return Math.atan2(y, x);
  const [a, b] = unify(y, x, 'Math.atan2');
  return tf.tidy(() => tf.atan2(toFloat(a), toFloat(b)));
}

/** Math.min and Math.max over any number of arguments; NaN anywhere gives NaN, as in JavaScript. */
function extremum(name: 'min' | 'max', pick: (a: Tensor, b: Tensor) => Tensor) {
  return (...args: any[]): any => {
    if (!args.some(isTensor)) return Math[name](...args);
    return tf.tidy(() => {
      // Folding from the first argument, not from ±Infinity, keeps int32 operands int32.
      let result: unknown = isTensor(args[0]) ? numericOperand(args[0], name) : args[0];
      for (const arg of args.slice(1)) {
        const [a, b] = unify(result, arg, `Math.${name}`);
        const picked = pick(a, b);
        result =
          a.dtype === 'float32' ? tf.where(tf.logicalOr(tf.isNaN(a), tf.isNaN(b)), tf.add(a, b), picked) : picked;
      }
      return result as Tensor;
    });
  };
}

export const min = extremum('min', (a, b) => tf.minimum(a, b));
export const max = extremum('max', (a, b) => tf.maximum(a, b));

/** Math.hypot: the square root of the sum of squares, in float32; an infinite argument gives Infinity. */
export function hypot(...args: any[]): any {
  if (!args.some(isTensor)) return Math.hypot(...args);
  return tf.tidy(() => {
    let sum: Tensor = tf.scalar(0);
    let infinite: Tensor = tf.scalar(false);
    for (const arg of args) {
      const t = toFloat(isTensor(arg) ? numericOperand(arg, 'hypot') : tf.scalar(Number(arg)));
      sum = tf.add(sum, tf.square(t));
      infinite = tf.logicalOr(infinite, tf.equal(tf.abs(t), Infinity));
    }
    return tf.where(infinite, tf.fill(sum.shape, Infinity), tf.sqrt(sum));
  });
}

/** Number(x): a tensor becomes float32, the dtype of JavaScript's numbers (bool gives 0 or 1). */
export function toNumber(...args: any[]): any {
  const [x] = args;
  if (!isTensor(x)) return args.length === 0 ? Number() : Number(x);
  return toFloat(numeric(toOperand(x, 'Number') as Tensor));
}

/** Boolean(x): a bool tensor that is true where x is non-zero and not NaN. */
export function toBoolean(...args: any[]): any {
  const [x] = args;
  if (!isTensor(x)) return Boolean(x);
  const t = toOperand(x, 'Boolean') as Tensor;
  if (t.dtype === 'bool') return t;
  return tf.tidy(() => {
    const nonZero = tf.notEqual(t, 0);
    return t.dtype === 'int32' ? nonZero : tf.logicalAnd(nonZero, tf.logicalNot(tf.isNaN(t)));
  });
}

/**
 * A number predicate on a tensor, elementwise: a bool tensor of the same shape. Integer tensors (and bool,
 * as int32 0 or 1) hold only finite integers, so their answer is the same everywhere.
 */
function predicate(x: Tensor, name: string, onFloat: (t: Tensor) => Tensor, onIntegers: boolean): Tensor {
  const t = numeric(toOperand(x, name) as Tensor);
  if (t.dtype === 'float32') return tf.tidy(() => onFloat(t));
  return onIntegers ? tf.onesLike(t).cast('bool') : tf.zerosLike(t).cast('bool');
}

const finiteInteger = (t: Tensor) => tf.logicalAnd(tf.isFinite(t), tf.equal(tf.floor(t), t));

/** isNaN(x): JavaScript's own on other values (it coerces); elementwise on a tensor. */
export const isNaNOf = (x: any): any => (isTensor(x) ? predicate(x, 'isNaN', tf.isNaN, false) : isNaN(x));

/** isFinite(x): JavaScript's own on other values (it coerces); elementwise on a tensor. */
export const isFiniteOf = (x: any): any => (isTensor(x) ? predicate(x, 'isFinite', tf.isFinite, true) : isFinite(x));

/** Number.isNaN(x): false for anything but a NaN number; elementwise on a tensor, whose elements are numbers. */
export const numberIsNaN = (x: any): any =>
  isTensor(x) ? predicate(x, 'Number.isNaN', tf.isNaN, false) : Number.isNaN(x);

/** Number.isFinite(x): elementwise on a tensor. */
export const numberIsFinite = (x: any): any =>
  isTensor(x) ? predicate(x, 'Number.isFinite', tf.isFinite, true) : Number.isFinite(x);

/** Number.isInteger(x): elementwise on a tensor (finite and whole). */
export const numberIsInteger = (x: any): any =>
  isTensor(x) ? predicate(x, 'Number.isInteger', finiteInteger, true) : Number.isInteger(x);
