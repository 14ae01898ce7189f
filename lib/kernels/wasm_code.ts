// Generates WebAssembly SIMD for a fused kernel on the CPU, four elements at a time, where it gives tfjs's cpu results bit for bit.

import {
  broadcastOf,
  isOpStep,
  powerOfTwoDivisor,
  type Elementwise,
  type OpStep,
  type Scalar,
  type Step,
} from './elementwise.js';
import type { FusedLoop } from './loop_code.js';
import { FunctionBody, I32, V128, moduleBytes, type SimdOp } from './wasm_binary.js';

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

/** The dtype of a step's arguments (all alike but a select's condition). */
function argDtype(steps: readonly Step[], step: OpStep): Scalar {
  const k = step.op === 'Select' ? step.args[1]! : step.args[0]!;
  return steps[k]!.dtype;
}

/** The value of argument `a` of `step` when it is a literal. */
function literalArg(steps: readonly Step[], step: OpStep, a: number): number | undefined {
  const arg = steps[step.args[a]!];
  return arg?.op === 'literal' ? (arg as { value: number }).value : undefined;
}

/** Writes one kernel's lanes: its arguments are in locals `args`. False when it has no exact SIMD form. */
function emitOp(body: FunctionBody, step: OpStep, from: Scalar, args: number[], steps: readonly Step[]): boolean {
  const get = (k: number) => body.op('local.get', args[k]!);
  // Int32 kernels JavaScript computes exactly in doubles: a product by a literal below 2^22 stays below
  // 2^53, and a floor division or remainder by a power of two is a shift or a mask.
  if (from === 'int32' && step.dtype === 'int32') {
    const small = (a: number) => Math.abs(literalArg(steps, step, a) ?? Infinity) < 2 ** 22;
    if (step.op === 'Multiply' && (small(0) || small(1))) {
      get(0);
      get(1).simd('i32x4.mul');
      return true;
    }
    const shift = powerOfTwoDivisor(step, steps);
    if (shift !== undefined && step.op === 'FloorDiv') {
      get(0).op('i32.const', shift).simd('i32x4.shr_s');
      return true;
    }
    if (shift !== undefined && step.op === 'Mod') {
      get(0)
        .splat(2 ** shift - 1)
        .simd('v128.and');
      return true;
    }
  }
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
 * Writes `steps` into new locals, four lanes each: `leaf` gives the local that holds an input's or a
 * carried value's lanes. The locals of every step, or null when a kernel has no exact SIMD form.
 */
function emitSteps(body: FunctionBody, steps: readonly Step[], leaf: (step: Step) => number): number[] | null {
  const values: number[] = [];
  for (const step of steps) {
    if (step.op === 'input' || step.op === 'state') {
      values.push(leaf(step));
      continue;
    }
    if (step.op === 'literal') {
      const value = (step as { value: number }).value;
      if (step.dtype === 'float32' && !isFloat32(value)) return null;
      body.splat(step.dtype === 'float32' ? f32Bits(value) : step.dtype === 'bool' ? (value ? -1 : 0) : value | 0);
    } else if (
      !isOpStep(step) ||
      !emitOp(
        body,
        step,
        argDtype(steps, step),
        step.args.map((a) => values[a]!),
        steps,
      )
    ) {
      return null;
    }
    const local = body.local(V128);
    body.op('local.set', local);
    values.push(local);
  }
  return values;
}

/** Loads a value's lanes at byte `at` of `pointer` (or its one element, splat), bools made masks. */
function load(body: FunctionBody, pointer: number, at: number | null, dtype: Scalar): void {
  body.op('local.get', pointer);
  if (at === null) body.simd('v128.load32_splat');
  else body.op('local.get', at).op('i32.add').simd('v128.load');
  if (dtype === 'bool') body.simd('i32x4.neg');
}

/**
 * Starts the loop over elements, four at a time: `at` runs over byte offsets up to `last`, (n - 4) * 4,
 * so that the loop ends with the last four elements, overlapping the ones before when n is not a multiple
 * of four (outputs are not inputs, so computing an element twice is harmless). `endElements` closes it.
 */
function beginElements(body: FunctionBody, count: number, at: number, last: number): void {
  body.op('local.get', count).op('i32.const', 4).op('i32.sub').op('i32.const', 2).op('i32.shl').op('local.set', last);
  body.op('block').op('loop');
  body.op('local.get', last).op('local.get', at).op('local.get', at).op('local.get', last).op('i32.gt_u');
  body.op('select').op('local.set', at);
}

function endElements(body: FunctionBody, at: number, last: number): void {
  body.op('local.get', at).op('local.get', last).op('i32.eq').op('br_if', 1);
  body.op('local.get', at).op('i32.const', 16).op('i32.add').op('local.set', at).op('br', 0);
  body.op('end').op('end');
}

/** How each input is read per element: elementwise, one value, or (null) in a way SIMD does not read. */
function readsOf(values: readonly { shape: number[] }[], shape: readonly number[]): ('same' | 'one')[] | null {
  const kinds = values.map((v) => broadcastOf(v.shape, shape).kind);
  return kinds.every((k): k is 'same' | 'one' => k !== 'strided') ? kinds : null;
}

/**
 * The SIMD module of `expression`, or null when a kernel has no exact SIMD form or an input broadcasts
 * other than elementwise or as one value. Its `run(in0, .., out, n)` takes byte addresses of 32-bit
 * elements (a bool as 0 or 1) and `n` ≥ 4 elements of the expression.
 */
export function simdModule(expression: Elementwise): Uint8Array<ArrayBuffer> | null {
  const { inputs, steps } = expression;
  const kinds = readsOf(inputs, expression.shape);
  if (!kinds) return null;
  const [outPtr, count] = [inputs.length, inputs.length + 1];
  const body = new FunctionBody(inputs.length + 2);
  const at = body.local(I32);
  const last = body.local(I32);
  const lanes = inputs.map(() => body.local(V128));
  // An input of one element is loaded once, before the loop.
  kinds.forEach((kind, k) => {
    if (kind !== 'one') return;
    load(body, k, null, inputs[k]!.dtype);
    body.op('local.set', lanes[k]!);
  });
  beginElements(body, count, at, last);
  kinds.forEach((kind, k) => {
    if (kind !== 'same') return;
    load(body, k, at, inputs[k]!.dtype);
    body.op('local.set', lanes[k]!);
  });
  const values = emitSteps(body, steps, (step) => lanes[(step as { input: number }).input]!);
  if (!values) return null;
  body
    .op('local.get', outPtr)
    .op('local.get', at)
    .op('i32.add')
    .op('local.get', values[values.length - 1]!);
  if (expression.dtype === 'bool') body.simd('i32x4.neg');
  body.simd('v128.store');
  endElements(body, at, last);
  return moduleBytes(inputs.length + 2, body);
}

/**
 * The SIMD module of a fused loop's round, or null where a kernel has no exact SIMD form or an outside
 * value broadcasts otherwise. Its `run(state0.., in0.., out0.., n)` iterates four elements at a time: a
 * lane whose test fails keeps its values (a mask), and the four stop when none is left or after the
 * loop's bound; a carried scalar (the same in every element) is written as one value.
 */
export function simdLoopModule(loop: FusedLoop): Uint8Array<ArrayBuffer> | null {
  const { state, inputs } = loop;
  const kinds = readsOf(inputs, loop.shape);
  if (!kinds || !state.every((v) => v.shape.length === 0 || sameSize(v.shape, loop.shape))) return null;
  const [k, m] = [state.length, inputs.length];
  const params = 2 * k + m + 1;
  const count = params - 1;
  const body = new FunctionBody(params);
  const at = body.local(I32);
  const last = body.local(I32);
  const iteration = body.local(I32);
  const mask = body.local(V128);
  const carried = state.map(() => body.local(V128));
  const lanes = inputs.map(() => body.local(V128));
  kinds.forEach((kind, j) => {
    if (kind !== 'one') return;
    load(body, k + j, null, inputs[j]!.dtype);
    body.op('local.set', lanes[j]!);
  });
  beginElements(body, count, at, last);
  state.forEach((value, j) => {
    load(body, j, value.shape.length === 0 ? null : at, value.dtype);
    body.op('local.set', carried[j]!);
  });
  kinds.forEach((kind, j) => {
    if (kind !== 'same') return;
    load(body, k + j, at, inputs[j]!.dtype);
    body.op('local.set', lanes[j]!);
  });
  body.splat(-1).op('local.set', mask).op('i32.const', 0).op('local.set', iteration);
  const leaf = (step: Step) =>
    step.op === 'state' ? carried[(step as { index: number }).index]! : lanes[(step as { input: number }).input]!;
  body.op('block').op('loop');
  // At most the loop's bound of iterations per element in one round.
  body.op('local.get', iteration).op('i32.const', loop.iterations).op('i32.ge_u').op('br_if', 1);
  const test = emitSteps(body, loop.test, leaf);
  if (!test) return null;
  body
    .op('local.get', mask)
    .op('local.get', test[test.length - 1]!)
    .simd('v128.and')
    .op('local.tee', mask);
  body.simd('v128.any_true').op('i32.eqz').op('br_if', 1);
  const next = emitSteps(body, loop.body, leaf);
  if (!next) return null;
  loop.next.forEach((step, j) => {
    body.op('local.get', next[step]!).op('local.get', carried[j]!).op('local.get', mask).simd('v128.bitselect');
    body.op('local.set', carried[j]!);
  });
  body.op('local.get', iteration).op('i32.const', 1).op('i32.add').op('local.set', iteration).op('br', 0);
  body.op('end').op('end');
  state.forEach((value, j) => {
    const out = k + m + j;
    body.op('local.get', out);
    if (value.shape.length === 0) {
      // Lane 0 of a carried scalar, as one 32-bit value (the other elements' lanes hold the same).
      body.op('local.get', carried[j]!);
      if (value.dtype === 'bool') body.simd('i32x4.neg');
      body.lane(0).op('i32.store');
    } else {
      body.op('local.get', at).op('i32.add').op('local.get', carried[j]!);
      if (value.dtype === 'bool') body.simd('i32x4.neg');
      body.simd('v128.store');
    }
  });
  endElements(body, at, last);
  return moduleBytes(params, body);
}

const sameSize = (a: readonly number[], b: readonly number[]) =>
  a.reduce((x, y) => x * y, 1) === b.reduce((x, y) => x * y, 1);
