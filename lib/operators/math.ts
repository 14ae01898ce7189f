// Math functions that the converter redirects here: Math's own result on numbers, elementwise on tensors.

import { truncate } from './arithmetic.js';
import { isTensor, numeric, tf } from './tensors.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- the plain paths are Math's own functions on any values. */

/** Math.floor. Integer tensors are already whole, so int32 stays int32. */
export function floor(x: any): any {
  if (!isTensor(x)) return Math.floor(x);
  const t = numeric(x);
  return t.dtype === 'int32' ? t : tf.floor(t);
}

/** Math.trunc. Integer tensors are already whole, so int32 stays int32. */
export function trunc(x: any): any {
  if (!isTensor(x)) return Math.trunc(x);
  const t = numeric(x);
  return t.dtype === 'int32' ? t : truncate(t);
}

export function abs(x: any): any {
  if (!isTensor(x)) return Math.abs(x);
  return tf.abs(numeric(x));
}
