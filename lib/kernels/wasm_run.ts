// Runs a fused kernel's SIMD module: over copies in a scratch memory (cpu backend), or in place on tfjs-wasm's heap.

import type { Elementwise, Scalar } from './elementwise.js';
import { simdModule } from './wasm_code.js';

type Run = (...addresses: number[]) => void;

/** Compiled modules by expression key; null where an expression has no SIMD form (or SIMD is missing). */
const modules = new Map<string, WebAssembly.Module | null>();
/** Instances by memory, then by expression key. */
const instances = new WeakMap<WebAssembly.Memory, Map<string, Run>>();

function compiled(expression: Elementwise): WebAssembly.Module | null {
  let module = modules.get(expression.key);
  if (module === undefined) {
    const bytes = simdModule(expression);
    try {
      // Browsers compile only small modules synchronously on the main thread: a larger one keeps JavaScript.
      module = bytes && bytes.length <= 4096 ? new WebAssembly.Module(bytes) : null;
    } catch {
      module = null; // no WebAssembly SIMD here
    }
    modules.set(expression.key, module);
  }
  return module;
}

/** `expression`'s SIMD function over `memory`, or null when it has none. */
export function simdRun(expression: Elementwise, memory: WebAssembly.Memory): Run | null {
  const module = compiled(expression);
  if (!module) return null;
  let byKey = instances.get(memory);
  if (!byKey) instances.set(memory, (byKey = new Map()));
  let run = byKey.get(expression.key);
  if (!run) {
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    run = instance.exports['run'] as Run;
    byKey.set(expression.key, run);
  }
  return run;
}

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

/**
 * Computes `expression` with SIMD on the cpu backend's arrays into `out`: the inputs are copied into
 * scratch memory, computed four elements at a time, and the result copied out. False (and nothing
 * written) when the expression has no SIMD form, has fewer than four elements, or an input's array is not
 * its dtype's (a cast tfjs made by sharing an int32 array).
 */
export function runOnCopies(
  expression: Elementwise,
  values: ArrayLike<number>[],
  out: Float32Array | Int32Array | Uint8Array,
): boolean {
  if (out.length < 4 || !values.every((v, k) => LANES[expression.inputs[k]!.dtype](v))) return false;
  const module = compiled(expression);
  if (!module) return false;
  const addresses: number[] = [];
  let bytes = 0;
  for (const v of values) {
    addresses.push(bytes);
    bytes += align(v.length * 4);
  }
  addresses.push(bytes);
  bytes += align(out.length * 4);
  const pages = Math.ceil(bytes / PAGE);
  if (!scratch) scratch = new WebAssembly.Memory({ initial: pages });
  else if (scratch.buffer.byteLength < bytes) scratch.grow(pages - scratch.buffer.byteLength / PAGE);
  const run = simdRun(expression, scratch)!;
  const { buffer } = scratch;
  values.forEach((v, k) => {
    // Bools go in as int32 lanes of 0 or 1.
    const lanes = expression.inputs[k]!.dtype === 'float32' ? Float32Array : Int32Array;
    new lanes(buffer, addresses[k], v.length).set(v);
  });
  run(...addresses, out.length);
  const result = out instanceof Float32Array ? Float32Array : Int32Array;
  out.set(new result(buffer, addresses[values.length], out.length));
  return true;
}
