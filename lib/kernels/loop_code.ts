// A round of a fused loop: each element iterates an elementwise body while its own test holds, at most a bound.

import { type Scalar, type Step } from './elementwise.js';
import { JS_PRELUDE, compileOnce, jsIndex, jsSteps } from './js_code.js';
import { WGSL_PRELUDE, wgslIndex, wgslLoad, wgslSteps, wgslStore, wgslType } from './wgsl_code.js';

/** The name the round kernel is registered under (kernels/register.ts). */
export const LOOP_ROUND_KERNEL = 'AutographLoopRound';

/**
 * A loop whose body and test are elementwise over its carried values (graph/loop_fusion.ts decides which):
 * per element of `shape`, while `test` holds and fewer than `iterations` have run, the carried values
 * become `next`'s. Carried values have the element shape or are scalars; `inputs` come from outside the
 * loop and broadcast to the element shape. `body` steps read carried values as `state` steps; `test`
 * steps too, and their last one is the test.
 */
export interface FusedLoop {
  shape: number[];
  state: { dtype: Scalar; shape: number[] }[];
  inputs: { dtype: Scalar; shape: number[] }[];
  body: Step[];
  /** The body step that gives each carried value's next value. */
  next: number[];
  test: Step[];
  /** The most iterations one round runs per element: no single run of the kernel goes on for long. */
  iterations: number;
  /** Everything the generated code depends on. */
  key: string;
}

/**
 * JavaScript for a round: `(inputs, outs, start, end)`, where inputs are the carried values then the
 * outside ones, and `outs` receives the carried values after the round.
 */
export function loopJavaScript(loop: FusedLoop): string {
  const before: string[] = [];
  const loads: string[] = [];
  const all = [...loop.state, ...loop.inputs];
  all.forEach((value, k) => {
    before.push(`const in${k} = inputs[${k}];`);
    const index = jsIndex(value.shape, loop.shape);
    const read = index === null ? `in${k}[0]` : `in${k}[${index}]`;
    // Carried values change per element; an outside value of one element is read once.
    if (k < loop.state.length) loads.push(`let s${k} = ${read};`);
    else (index === null ? before : loads).push(`const x${k - loop.state.length} = ${read};`);
  });
  const leaf = (step: Step) =>
    step.op === 'state' ? `s${(step as { index: number }).index}` : `x${(step as { input: number }).input}`;
  const test = jsSteps(loop.test, leaf, 't');
  const body = jsSteps(loop.body, leaf, 'v');
  const testValue = test.names[test.names.length - 1]!;
  return [
    JS_PRELUDE,
    'return function fusedRound(inputs, outs, start, end) {',
    ...before,
    ...loop.state.map((_, k) => `const o${k} = outs[${k}];`),
    '  for (let i = start; i < end; i++) {',
    ...loads.map((line) => `    ${line}`),
    `    for (let n = 0; n < ${loop.iterations}; n++) {`,
    ...test.lines.map((line) => `      ${line}`),
    `      if (!${testValue}) break;`,
    ...body.lines.map((line) => `      ${line}`),
    ...loop.next.map((step, k) => `      s${k} = ${body.names[step]};`),
    '    }',
    // A scalar carried value is the same in every element (the pass checks it): any element may write it.
    ...loop.state.map((value, k) => `    o${k}[${value.shape.length === 0 ? 0 : 'i'}] = s${k};`),
    '  }',
    '};',
  ].join('\n');
}

/** Where each carried value starts in a round's packed output, and the packed output's length. */
export function packing(loop: FusedLoop): { offsets: number[]; length: number } {
  const offsets: number[] = [];
  let length = 0;
  for (const value of loop.state) {
    offsets.push(length);
    length += value.shape.reduce((a, b) => a * b, 1);
  }
  return { offsets, length };
}

/** A carried value as the 32 bits the packed output holds: floats by their bits, bools as 0 or 1. */
const packed = (value: string, dtype: Scalar): string =>
  dtype === 'float32' ? `bitcast<i32>(${value})` : wgslStore(value, dtype);

/**
 * WGSL for a round: one invocation per element iterates the whole body, and writes every carried value
 * into one int32 output (`packing`), since a WebGPU program has one output; the round then copies each
 * value out of it (`unpackWgsl`). A scalar carried value is written by element 0.
 */
export function loopWgsl(loop: FusedLoop, storage: readonly Scalar[]): string {
  const all = [...loop.state, ...loop.inputs];
  const loads = all.map((value, k) => {
    const read = wgslLoad(`x${k}`, wgslIndex(value.shape, loop.shape), value.dtype, storage[k]!);
    return k < loop.state.length
      ? `var s${k} : ${wgslType(value.dtype)} = ${read};`
      : `let a${k - loop.state.length} = ${read};`;
  });
  const leaf = (step: Step) =>
    step.op === 'state' ? `s${(step as { index: number }).index}` : `a${(step as { input: number }).input}`;
  const test = wgslSteps(loop.test, leaf, 't');
  const body = wgslSteps(loop.body, leaf, 'v');
  const testValue = test.names[test.names.length - 1]!;
  const { offsets } = packing(loop);
  const size = loop.shape.reduce((a, b) => a * b, 1);
  const stores = loop.state.map((value, k) => {
    const store = `result[${offsets[k]} + ${value.shape.length === 0 ? '0' : 'index'}] = ${packed(`s${k}`, value.dtype)};`;
    return value.shape.length === 0 ? `if (index == 0) { ${store} }` : store;
  });
  return [
    WGSL_PRELUDE,
    'fn main(index : i32) {',
    // The output holds every carried value, so uniforms.size (which the backend binds only where the
    // shader reads it) is at least the element count.
    `  if (index < ${size} && index < uniforms.size) {`,
    ...loads.map((line) => `    ${line}`),
    `    for (var n = 0; n < ${loop.iterations}; n++) {`,
    ...test.lines.map((line) => `      ${line}`),
    `      if (!(${testValue})) { break; }`,
    ...body.lines.map((line) => `      ${line}`),
    ...loop.next.map((step, k) => `      s${k} = ${body.names[step]};`),
    '    }',
    ...stores.map((line) => `    ${line}`),
    '  }',
    '}',
  ].join('\n');
}

/** WGSL that copies a carried value of `dtype` out of a round's packed output, from `offset` on. */
export function unpackWgsl(offset: number, dtype: Scalar): string {
  const raw = `x0[${offset} + index]`;
  return [
    'fn main(index : i32) {',
    '  if (index < uniforms.size) {',
    `    result[index] = ${dtype === 'float32' ? `bitcast<f32>(${raw})` : raw};`,
    '  }',
    '}',
  ].join('\n');
}

type Round = (inputs: ArrayLike<number>[], outs: { [i: number]: number }[], start: number, end: number) => void;

/** The JavaScript round of `loop`, compiled once per key. */
export const javascriptRound = (loop: FusedLoop): Round => compileOnce(`round ${loop.key}`, () => loopJavaScript(loop));
