// Runs a fused kernel's SIMD module: over copies in a scratch memory (cpu backend), or in place on tfjs-wasm's heap.

import type { Elementwise, Scalar } from './elementwise.js';
import type { FusedLoop } from './loop_code.js';
import { simdLoopModule, simdModule } from './wasm_code.js';

type Run = (...addresses: number[]) => void;

/** Compiled modules by expression key; null where an expression has no SIMD form (or SIMD is missing). */
const modules = new Map<string, WebAssembly.Module | null>();
/** Set once compiling a module failed: the modules are valid, so WebAssembly SIMD is missing or not allowed. */
let unavailable = false;
/** Instances by memory, then by expression key. */
const instances = new WeakMap<WebAssembly.Memory, Map<string, Run>>();

/** What a SIMD module computes: a fused kernel's expression, or a fused loop's round. */
type Kernel = { kind: 'expression'; expression: Elementwise } | { kind: 'round'; loop: FusedLoop };

const keyOf = (kernel: Kernel) => (kernel.kind === 'expression' ? kernel.expression.key : `round ${kernel.loop.key}`);

function compiled(kernel: Kernel): WebAssembly.Module | null {
  const key = keyOf(kernel);
  let module = modules.get(key);
  if (module === undefined) {
    const bytes = kernel.kind === 'expression' ? simdModule(kernel.expression) : simdLoopModule(kernel.loop);
    try {
      // Browsers compile only small modules synchronously on the main thread: a larger one keeps JavaScript.
      module = bytes && bytes.length <= 4096 && !unavailable ? new WebAssembly.Module(bytes) : null;
    } catch {
      // No WebAssembly SIMD here, or a Content Security Policy without 'wasm-unsafe-eval', whose every refusal
      // the browser reports: asked once, not once per kernel.
      unavailable = true;
      module = null;
    }
    modules.set(key, module);
  }
  return module;
}

/** `kernel`'s SIMD function over `memory`, or null when it has none. */
function instanceRun(kernel: Kernel, memory: WebAssembly.Memory): Run | null {
  const module = compiled(kernel);
  if (!module) return null;
  let byKey = instances.get(memory);
  if (!byKey) instances.set(memory, (byKey = new Map()));
  const key = keyOf(kernel);
  let run = byKey.get(key);
  if (!run) {
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    run = instance.exports['run'] as Run;
    byKey.set(key, run);
  }
  return run;
}

/** `expression`'s SIMD function over `memory`, or null when it has none. */
export const simdRun = (expression: Elementwise, memory: WebAssembly.Memory): Run | null =>
  instanceRun({ kind: 'expression', expression }, memory);

/** A fused loop round's SIMD function over `memory`, or null when it has none. */
export const simdRoundRun = (loop: FusedLoop, memory: WebAssembly.Memory): Run | null =>
  instanceRun({ kind: 'round', loop }, memory);

/** Whether `values` are what the SIMD function reads for an input of `dtype`: float32 or int32 lanes. */
const LANES: Record<Scalar, (values: ArrayLike<number>) => boolean> = {
  float32: (values) => values instanceof Float32Array,
  int32: (values) => values instanceof Int32Array,
  bool: (values) => values instanceof Uint8Array,
};

/** The scratch memory the cpu backend copies inputs into: it grows to the largest call, and is reused. */
let scratch: WebAssembly.Memory | null = null;

const PAGE = 65536;
const align = (bytes: number) => Math.ceil(bytes / 16) * 16;

/** Scratch memory of at least `bytes`, grown as needed. */
function scratchMemory(bytes: number): WebAssembly.Memory {
  const pages = Math.ceil(bytes / PAGE);
  if (!scratch) scratch = new WebAssembly.Memory({ initial: pages });
  else if (scratch.buffer.byteLength < bytes) scratch.grow(pages - scratch.buffer.byteLength / PAGE);
  return scratch;
}

type Out = Float32Array | Int32Array | Uint8Array;

/**
 * Runs `kernel` with SIMD on arrays in JavaScript memory: `values` are copied into scratch memory, the
 * function runs over `count` elements, and `outs` are copied out. False (and nothing written) when it has
 * no SIMD form, has fewer than four elements, or a value's array is not its dtype's (a cast tfjs made by
 * sharing an int32 array).
 */
function runOnScratch(
  kernel: Kernel,
  values: ArrayLike<number>[],
  dtypes: readonly Scalar[],
  outs: Out[],
  count: number,
): boolean {
  if (count < 4 || !values.every((v, k) => LANES[dtypes[k]!](v))) return false;
  if (!compiled(kernel)) return false;
  const addresses: number[] = [];
  let bytes = 0;
  for (const v of [...values, ...outs]) {
    addresses.push(bytes);
    bytes += align(v.length * 4);
  }
  const memory = scratchMemory(bytes);
  const run = instanceRun(kernel, memory)!;
  const { buffer } = memory;
  values.forEach((v, k) => {
    // Bools go in as int32 lanes of 0 or 1.
    const lanes = dtypes[k] === 'float32' ? Float32Array : Int32Array;
    new lanes(buffer, addresses[k], v.length).set(v);
  });
  run(...addresses, count);
  outs.forEach((out, k) => {
    const lanes = out instanceof Float32Array ? Float32Array : Int32Array;
    out.set(new lanes(buffer, addresses[values.length + k], out.length));
  });
  return true;
}

/**
 * Computes `expression` with SIMD on the cpu backend's arrays into `out`, through scratch memory; false
 * (and nothing written) where it may not (see runOnScratch).
 */
export const runOnCopies = (expression: Elementwise, values: ArrayLike<number>[], out: Out): boolean =>
  runOnScratch(
    { kind: 'expression', expression },
    values,
    expression.inputs.map((input) => input.dtype),
    [out],
    out.length,
  );

/** A fused loop's round with SIMD on the cpu backend's arrays (carried values, then outside ones) into `outs`. */
export const runRoundOnCopies = (loop: FusedLoop, values: ArrayLike<number>[], outs: Out[]): boolean =>
  runOnScratch(
    { kind: 'round', loop },
    values,
    [...loop.state, ...loop.inputs].map((value) => value.dtype),
    outs,
    loop.shape.reduce((a, b) => a * b, 1),
  );
