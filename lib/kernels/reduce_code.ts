// Reductions that end a fused kernel: over the values on the CPU as tfjs's cpu kernels reduce, and as a WGSL program.

import { reductionOrder, type Elementwise, type Reduction, type Scalar, type Step } from './elementwise.js';
import { WGSL_PRELUDE, wgslIndex, wgslLoad, wgslSteps, wgslStore, wgslType } from './wgsl_code.js';

type Typed = Float32Array | Int32Array | Uint8Array;

/**
 * Reduces `values` (an expression's values, as their dtype's typed array holds them) into `out`, as
 * tfjs's cpu kernels do: sums in doubles, in order, from 0; a mean sums each value divided by the count
 * (rounded to float32 first, as tfjs divides before it sums); max and min start from the first value and
 * keep a NaN once they meet one; any and all are || and && of 0s and 1s.
 */
export function reduceValues(reduce: Reduction, values: ArrayLike<number>, out: Typed): void {
  const { op, size } = reduce;
  for (let i = 0; i < out.length; i++) {
    const offset = i * size;
    let acc: number;
    switch (op) {
      case 'Sum':
        acc = 0;
        for (let j = 0; j < size; j++) acc += values[offset + j]!;
        break;
      case 'Mean': {
        const count = Math.fround(size);
        acc = 0;
        for (let j = 0; j < size; j++) acc += Math.fround(values[offset + j]! / count);
        break;
      }
      case 'Max':
        acc = values[offset]!;
        for (let j = 0; j < size; j++) {
          const value = values[offset + j]!;
          if (Number.isNaN(value) || value > acc) acc = value;
        }
        break;
      case 'Min':
        acc = values[offset]!;
        for (let j = 0; j < size; j++) {
          const value = values[offset + j]!;
          if (Number.isNaN(value) || value < acc) acc = value;
        }
        break;
      case 'Any':
        acc = values[offset]!;
        for (let j = 0; j < size; j++) acc = acc || values[offset + j]!;
        break;
      case 'All':
        acc = values[offset]!;
        for (let j = 0; j < size; j++) acc = acc && values[offset + j]!;
        break;
    }
    out[i] = acc;
  }
}

/**
 * `values` (of `shape`) transposed by `order` into `into`: the transpose tfjs's cpu kernels make before
 * they reduce axes that are not innermost (`reductionOrder`).
 */
export function transposeInto<T extends { [index: number]: number; length: number }>(
  values: ArrayLike<number>,
  shape: readonly number[],
  order: readonly number[],
  into: T,
): T {
  const strides = stridesOf(shape);
  const dims = order.map((axis) => shape[axis]!);
  const steps = order.map((axis) => strides[axis]!);
  const rank = dims.length;
  const at = new Array<number>(rank).fill(0);
  let from = 0;
  for (let i = 0; i < into.length; i++) {
    into[i] = values[from]!;
    // The next position in the transposed order, and where it is in `values`.
    for (let d = rank - 1; d >= 0; d--) {
      from += steps[d]!;
      if (++at[d]! < dims[d]!) break;
      from -= steps[d]! * dims[d]!;
      at[d] = 0;
    }
  }
  return into;
}

const stridesOf = (shape: readonly number[]): number[] => {
  const strides = new Array<number>(shape.length);
  for (let d = shape.length - 1, stride = 1; d >= 0; stride *= shape[d]!, d--) strides[d] = stride;
  return strides;
};

/**
 * WGSL for the position in the expression's values of the `k`-th value that result `out` reduces over
 * (both i32 names), in the order `reduce` visits them.
 */
function wgslReducedIndex(reduce: Reduction, shape: readonly number[], out: string, k: string): string {
  const order = reductionOrder(reduce, shape.length);
  if (!order) return `${out} * ${reduce.size} + ${k}`;
  const strides = stridesOf(shape);
  const kept = order.slice(0, shape.length - reduce.axes!.length);
  // Coordinates of `out` over the kept axes and of `k` over the reduced ones, the last fastest.
  const terms = (axes: readonly number[], flat: string) => {
    const sizes = axes.map((axis) => shape[axis]!);
    return axes.map((axis, j) => {
      const inner = sizes.slice(j + 1).reduce((a, b) => a * b, 1);
      return `((${flat} / ${inner}) % ${sizes[j]}) * ${strides[axis]}`;
    });
  };
  return [...terms(kept, out), ...terms(reduce.axes!, k)].join(' + ') || '0';
}

/** Invocations per workgroup of a reduction program: one workgroup per value it gives. */
export const REDUCE_WORKGROUP = 64;

/** How two partial results combine, in WGSL, and what a lane that met no value starts from. */
function combine(op: Reduction['op'], type: string): { start: string; join: (a: string, b: string) => string } {
  const float = type === 'f32';
  switch (op) {
    case 'Sum':
    case 'Mean':
      return { start: `${type}(0)`, join: (a, b) => `${a} + ${b}` };
    // NaN wins, as in tfjs's cpu kernels; a lane with no value holds the identity (an infinity).
    case 'Max':
      return float
        ? {
            start: '-uniforms.INFINITY',
            join: (a, b) => `select(max(${a}, ${b}), uniforms.NAN, isNanF(${a}) || isNanF(${b}))`,
          }
        : { start: 'i32(-2147483647 - 1)', join: (a, b) => `max(${a}, ${b})` };
    case 'Min':
      return float
        ? {
            start: 'uniforms.INFINITY',
            join: (a, b) => `select(min(${a}, ${b}), uniforms.NAN, isNanF(${a}) || isNanF(${b}))`,
          }
        : { start: 'i32(2147483647)', join: (a, b) => `min(${a}, ${b})` };
    // Bools as int32 0 or 1.
    case 'Any':
      return { start: '0', join: (a, b) => `max(${a}, ${b})` };
    case 'All':
      return { start: '1', join: (a, b) => `min(${a}, ${b})` };
  }
}

/**
 * WGSL for a fused kernel that ends in a reduction: workgroup `g` gives value `g`; each of its invocations
 * computes every REDUCE_WORKGROUP-th value of the expression in that value's span and combines them, then
 * the workgroup combines its partial results pairwise. Sums add in another order than the cpu's, in
 * float32: float sums agree within rounding, integer sums exactly (both wrap as int32).
 */
export function reduceWgsl(expression: Elementwise, storage: readonly Scalar[]): string {
  const reduce = expression.reduce!;
  // Bools reduce as int32 0s and 1s; a mean sums float32 quotients.
  const type = expression.dtype === 'bool' ? 'i32' : wgslType(expression.dtype);
  const { start, join } = combine(reduce.op, type);
  const loads = expression.inputs.map(
    (input, k) =>
      `let a${k} = ${wgslLoad(`x${k}`, wgslIndex(input.shape, expression.shape, 'e'), input.dtype, storage[k]!)};`,
  );
  const { lines, names } = wgslSteps(expression.steps, (step: Step) => `a${(step as { input: number }).input}`, 'v');
  const last = names[names.length - 1]!;
  let value = expression.dtype === 'bool' ? `select(0, 1, ${last})` : last;
  if (reduce.op === 'Mean') value = `${value} / f32(${reduce.size})`;
  const W = REDUCE_WORKGROUP;
  return [
    WGSL_PRELUDE,
    `var<workgroup> partial : array<${type}, ${W}>;`,
    'fn main(index : i32) {',
    `  let out = index / ${W};`,
    `  let lane = index % ${W};`,
    `  var acc : ${type} = ${start};`,
    '  if (out < uniforms.size) {',
    `    for (var k = lane; k < ${reduce.size}; k += ${W}) {`,
    `      let e = ${wgslReducedIndex(reduce, expression.shape, 'out', 'k')};`,
    ...[...loads, ...lines].map((line) => `      ${line}`),
    `      acc = ${join('acc', value)};`,
    '    }',
    '  }',
    '  partial[lane] = acc;',
    '  workgroupBarrier();',
    `  for (var s = ${W / 2}; s > 0; s = s / 2) {`,
    `    if (lane < s) { partial[lane] = ${join('partial[lane]', 'partial[lane + s]')}; }`,
    '    workgroupBarrier();',
    '  }',
    `  if (lane == 0 && out < uniforms.size) { result[out] = ${reduce.dtype === 'bool' ? 'partial[0]' : wgslStore('partial[0]', reduce.dtype)}; }`,
    '}',
  ].join('\n');
}
