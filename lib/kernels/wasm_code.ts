// Generates WebAssembly SIMD for a fused kernel on the CPU, four elements at a time, where it gives tfjs's cpu results bit for bit.

import { broadcastOf, isOpStep, type Elementwise, type OpStep, type Scalar } from './elementwise.js';
import { FunctionBody, V128, moduleBytes, type SimdOp } from './wasm_binary.js';

/**
 * Lanes hold float32 values, int32 values, or bools as masks (all ones for true). A kernel has SIMD here
 * when one float32 operation gives what tfjs's cpu kernel gives: the double result rounded once to float32
 * (`Math.fround(a + b)` equals float32 addition, as for -, *, / and sqrt; comparisons, min, max, abs,
 * floor and selects are exact). Kernels that round twice, call a library function (exp, pow), divide
 * integers or multiply them past 2^53 have none, and the expression keeps its JavaScript loop.
 */
const FLOAT: Record<string, SimdOp> = {
  Add: 'f32x4.add',
  Sub: 'f32x4.sub',
  Multiply: 'f32x4.mul',
  RealDiv: 'f32x4.div',
  Maximum: 'f32x4.max',
  Minimum: 'f32x4.min',
  Equal: 'f32x4.eq',
  NotEqual: 'f32x4.ne',
  Less: 'f32x4.lt',
  LessEqual: 'f32x4.le',
  Greater: 'f32x4.gt',
  GreaterEqual: 'f32x4.ge',
  Abs: 'f32x4.abs',
  Neg: 'f32x4.neg',
  Sqrt: 'f32x4.sqrt',
  Floor: 'f32x4.floor',
  Ceil: 'f32x4.ceil',
};

const INT: Record<string, SimdOp> = {
  Add: 'i32x4.add',
  Sub: 'i32x4.sub',
  Maximum: 'i32x4.max_s',
  Minimum: 'i32x4.min_s',
  Equal: 'i32x4.eq',
  NotEqual: 'i32x4.ne',
  Less: 'i32x4.lt_s',
  LessEqual: 'i32x4.le_s',
  Greater: 'i32x4.gt_s',
  GreaterEqual: 'i32x4.ge_s',
  Neg: 'i32x4.neg',
};

const BOOL: Record<string, SimdOp> = {
  Equal: 'i32x4.eq',
  NotEqual: 'i32x4.ne',
  LogicalAnd: 'v128.and',
  LogicalOr: 'v128.or',
};

const f32Bits = (value: number): number => new Int32Array(new Float32Array([value]).buffer)[0]!;
const isFloat32 = (value: number): boolean => Number.isNaN(value) || Math.fround(value) === value;

/** The dtype of step `k`'s arguments (all alike but a select's condition). */
function argDtype(expression: Elementwise, step: OpStep): Scalar {
  const k = step.op === 'Select' ? step.args[1]! : step.args[0]!;
  return expression.steps[k]!.dtype;
}

/** Writes one kernel's lanes: its arguments are in locals `args`. False when it has no exact SIMD form. */
function emitOp(body: FunctionBody, step: OpStep, from: Scalar, args: number[]): boolean {
  const get = (k: number) => body.op('local.get', args[k]!);
  const table = from === 'float32' ? FLOAT : from === 'int32' ? INT : BOOL;
  const simple = table[step.op];
  if (simple) {
    args.forEach((_, k) => get(k));
    body.simd(simple);
    return true;
  }
  const float = (value: number) => body.splat(f32Bits(value));
  switch (`${step.op} ${from}`) {
    case 'Select float32':
    case 'Select int32':
    case 'Select bool':
      get(1).op('local.get', args[2]!);
      get(0).simd('v128.bitselect');
      return true;
    case 'LogicalNot bool':
      get(0).simd('v128.not');
      return true;
    case 'Square float32':
      get(0);
      get(0).simd('f32x4.mul');
      return true;
    case 'Reciprocal float32':
      float(1);
      get(0).simd('f32x4.div');
      return true;
    case 'Relu float32':
      float(0);
      get(0).simd('f32x4.max');
      return true;
    case 'Round float32':
      // Half to even, as tfjs's Round, which gives +0 (not -0) for exactly -0.5.
      float(0);
      get(0).simd('f32x4.nearest');
      get(0);
      float(-0.5).simd('f32x4.eq').simd('v128.bitselect');
      return true;
    case 'IsNan float32':
      get(0);
      get(0).simd('f32x4.ne');
      return true;
    case 'Sign float32':
      // x < 0 ? -1 : x > 0 ? 1 : 0 (NaN and -0 give 0)
      float(-1);
      float(1);
      float(0);
      get(0);
      float(0).simd('f32x4.gt').simd('v128.bitselect');
      get(0);
      float(0).simd('f32x4.lt').simd('v128.bitselect');
      return true;
    case 'LeakyRelu float32': {
      const alpha = Number(step.attrs?.['alpha']);
      if (!isFloat32(alpha)) return false;
      float(alpha);
      get(0).simd('f32x4.mul');
      get(0);
      get(0);
      float(0).simd('f32x4.lt').simd('v128.bitselect');
      return true;
    }
    case 'ClipByValue float32': {
      // x > max ? max : x < min ? min : x (NaN stays NaN)
      const [min, max] = [Number(step.attrs?.['clipValueMin']), Number(step.attrs?.['clipValueMax'])];
      if (!isFloat32(min) || !isFloat32(max)) return false;
      float(max);
      float(min);
      get(0);
      get(0);
      float(min).simd('f32x4.lt').simd('v128.bitselect');
      get(0);
      float(max).simd('f32x4.gt').simd('v128.bitselect');
      return true;
    }
  }
  if (step.op !== 'Cast') return false;
  // Between float32 and int32 a cast rounds or truncates as lanes cannot match; to and from bool it is exact.
  if (step.dtype === from) get(0);
  else if (from === 'bool') {
    body.splat(step.dtype === 'float32' ? f32Bits(1) : 1);
    get(0).simd('v128.and');
  } else if (step.dtype === 'bool') {
    body.splat(0);
    get(0).simd(from === 'float32' ? 'f32x4.ne' : 'i32x4.ne');
  } else return false;
  return true;
}

/**
 * The SIMD module of `expression`, or null when a kernel has no exact SIMD form or an input broadcasts
 * other than elementwise or as one value. Its `run(in0, .., out, n)` takes byte addresses of 32-bit
 * elements (a bool as 0 or 1) and `n` ≥ 4 output elements.
 */
export function simdModule(expression: Elementwise): Uint8Array<ArrayBuffer> | null {
  const { inputs, steps } = expression;
  const kinds = inputs.map((input) => broadcastOf(input.shape, expression.shape).kind);
  if (kinds.some((kind) => kind === 'strided')) return null;
  const params = inputs.length + 2;
  const [outPtr, count] = [inputs.length, inputs.length + 1];
  const body = new FunctionBody(params);
  const at = body.local(0x7f);
  const last = body.local(0x7f);
  // An input of one element, as four lanes, loaded before the loop.
  const splats = kinds.map((kind, k) => {
    if (kind !== 'one') return -1;
    const local = body.local(V128);
    body.op('local.get', k).simd('v128.load32_splat');
    if (inputs[k]!.dtype === 'bool') body.simd('i32x4.neg');
    body.op('local.set', local);
    return local;
  });
  // The last four elements start at byte (n - 4) * 4; a loop ends with them, overlapping the ones before
  // when n is not a multiple of four (the output is not an input, so computing an element twice is harmless).
  body.op('local.get', count).op('i32.const', 4).op('i32.sub').op('i32.const', 2).op('i32.shl').op('local.set', last);
  body.op('block').op('loop');
  body.op('local.get', last).op('local.get', at).op('local.get', at).op('local.get', last).op('i32.gt_u');
  body.op('select').op('local.set', at);
  const values: number[] = [];
  for (const step of steps) {
    const local = body.local(V128);
    if (step.op === 'input') {
      const k = (step as { input: number }).input;
      if (splats[k]! >= 0) body.op('local.get', splats[k]!);
      else {
        body.op('local.get', k).op('local.get', at).op('i32.add').simd('v128.load');
        if (step.dtype === 'bool') body.simd('i32x4.neg');
      }
    } else if (step.op === 'literal') {
      const value = (step as { value: number }).value;
      if (step.dtype === 'float32' && !isFloat32(value)) return null;
      body.splat(step.dtype === 'float32' ? f32Bits(value) : step.dtype === 'bool' ? (value ? -1 : 0) : value | 0);
    } else if (
      !isOpStep(step) ||
      !emitOp(
        body,
        step,
        argDtype(expression, step),
        step.args.map((a) => values[a]!),
      )
    ) {
      return null;
    }
    body.op('local.set', local);
    values.push(local);
  }
  body
    .op('local.get', outPtr)
    .op('local.get', at)
    .op('i32.add')
    .op('local.get', values[values.length - 1]!);
  if (expression.dtype === 'bool') body.simd('i32x4.neg');
  body.simd('v128.store');
  body.op('local.get', at).op('local.get', last).op('i32.eq').op('br_if', 1);
  body.op('local.get', at).op('i32.const', 16).op('i32.add').op('local.set', at).op('br', 0);
  body.op('end').op('end');
  return moduleBytes(params, body);
}
