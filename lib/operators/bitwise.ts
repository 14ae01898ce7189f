// Operators with no tensor meaning here: bitwise operators and `in`. JavaScript's own result on plain
// values; on a tensor, an error that names the operator and what to use instead.

import { StagingError } from '../errors.js';
import { isTensor } from './tensors.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- the plain paths are JavaScript's own operators on any values. */

function unsupported(op: string, instead: string): never {
  throw new StagingError(`The operator '${op}' does not work on tensors. ${instead}`);
}

const LOGICAL = (fn: string) => `On bool tensors use tf.${fn}(a, b); on numbers, compute with arithmetic.`;
const SHIFT = 'Multiply or divide by a power of two instead: a * 2 ** k, or Math.floor(a / 2 ** k).';

export function bitAnd(a: any, b: any): any {
  if (isTensor(a) || isTensor(b)) unsupported('&', LOGICAL('logicalAnd'));
  return a & b;
}

export function bitOr(a: any, b: any): any {
  if (isTensor(a) || isTensor(b)) unsupported('|', LOGICAL('logicalOr'));
  return a | b;
}

export function bitXor(a: any, b: any): any {
  if (isTensor(a) || isTensor(b)) unsupported('^', LOGICAL('logicalXor'));
  return a ^ b;
}

export function bitNot(a: any): any {
  if (isTensor(a)) unsupported('~', 'For a bool tensor use tf.logicalNot(a) or !a; for int32, -a - 1 is ~a.');
  return ~a;
}

export function shiftLeft(a: any, b: any): any {
  if (isTensor(a) || isTensor(b)) unsupported('<<', SHIFT);
  return a << b;
}

export function shiftRight(a: any, b: any): any {
  if (isTensor(a) || isTensor(b)) unsupported('>>', SHIFT);
  return a >> b;
}

export function shiftRightUnsigned(a: any, b: any): any {
  if (isTensor(a) || isTensor(b)) unsupported('>>>', SHIFT);
  return a >>> b;
}

/** `key in object`. */
export function inOperator(key: any, object: any): any {
  if (isTensor(object)) {
    unsupported('in', 'A tensor has no keys to look up: check an index against x.shape[0], or x.shape itself.');
  }
  if (isTensor(key)) {
    unsupported('in', 'A tensor key would be turned into a string. Read its value first with await key.data().');
  }
  return key in object;
}
