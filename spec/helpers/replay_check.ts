// Every traced call in the specs is replayed at once and compared: a replay must give what the trace gave.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import type { GraphCache } from '../../lib/api/graph_mode.js';

/**
 * A trace runs the converted function op by op on real values, recording as it goes: its result is the
 * op-by-op result. So after each call that traced, in any spec, the graph is replayed on copies of the same
 * arguments from the same variable values, with its prints captured, and the replay must give the same
 * result, print the same lines and leave every variable as the trace left it. Then the variables are put
 * back as the trace left them, and the spec goes on as if the replay had not run. Graphs that draw random
 * numbers are replayed but their values are not compared: a replay draws afresh.
 */
export const replayChecks = { compared: 0, random: 0, notReplayable: 0 };

type Run = GraphCache['run'];

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null &&
  typeof value === 'object' &&
  (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null);

const backendOf = (t: tf.Tensor) =>
  (tf.engine().state as unknown as { tensorInfo: WeakMap<object, { backend: tf.KernelBackend }> }).tensorInfo.get(
    t.dataId,
  )?.backend;

/** A new tensor on the same data, made without running a kernel (a profile of the call lists none). */
function sharing(t: tf.Tensor): tf.Tensor {
  const backend = backendOf(t)!;
  const copy = tf.engine().makeTensorFromTensorInfo({ dataId: t.dataId, shape: t.shape, dtype: t.dtype }, backend);
  // The engine tracks the new tensor; the backend must count it too, or disposing it frees the data.
  backend.incRef(t.dataId);
  return copy;
}

/** Arrays and plain objects copied, tensors (not variables) cloned, aliases kept: the same signature. */
function copyOf(value: unknown, made: Map<tf.Tensor, tf.Tensor>): unknown {
  if (value instanceof tf.Tensor && !(value instanceof tf.Variable)) {
    if (value.isDisposed) return value;
    let copy = made.get(value);
    if (!copy) made.set(value, (copy = sharing(value)));
    return copy;
  }
  if (Array.isArray(value)) return value.map((item) => copyOf(item, made));
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copyOf(v, made)]));
  return value;
}

/** The values of a result, read without disposing anything; the tensors it holds are added to `held`. */
async function valuesOf(value: unknown, held: Set<tf.Tensor>, seen = new Set<object>()): Promise<unknown> {
  if (value instanceof tf.Tensor) {
    held.add(value);
    if (value.isDisposed) return '(disposed)';
    return { dtype: value.dtype, shape: value.shape, values: Array.from(await value.data()) };
  }
  if (value === null || typeof value !== 'object' || seen.has(value)) return typeof value === 'function' ? 'ƒ' : value;
  seen.add(value);
  if (Array.isArray(value)) return Promise.all(value.map((item) => valuesOf(item, held, seen)));
  if (isPlainObject(value)) {
    const entries = await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await valuesOf(v, held, seen)]));
    return Object.fromEntries(entries);
  }
  return `(${Object.prototype.toString.call(value)})`;
}

/**
 * A replay may run a loop of small values on the CPU while its trace ran on a GPU backend
 * (graph/placement.ts), and float32 rounds differently there: on a GPU backend, numbers that are not
 * integers, also those in printed text, agree to a relative 1e-4 (training loops compound the last bit);
 * everything else, and everything on cpu and wasm, where a replay runs the trace's own kernels, exactly.
 */
const FLOAT_TOLERANCE = 1e-4;

/**
 * WGSL bounds the error of sin and cos by 2^-11 (absolute), and a shader compiler may evaluate one of
 * constants at compile time, exactly, where the trace's kernel computed it at run time (or the reverse):
 * on a GPU backend, floats also agree within this absolute difference.
 */
const WGSL_SIN_ERROR = 2 ** -11;

/**
 * tfjs's WebGPU kernels compute int32 in float32, exact below 2^24; a fused kernel computes in i32, exact
 * everywhere: above that, on a GPU backend, the trace is the inexact side.
 */
const EXACT_IN_FLOAT32 = 2 ** 24;

function closeNumbers(a: number, b: number): boolean {
  const onCpu = tf.getBackend() === 'cpu' || tf.getBackend() === 'wasm';
  if (Object.is(a, b) || (Number.isInteger(a) && Number.isInteger(b))) {
    if (!onCpu && Math.max(Math.abs(a), Math.abs(b)) >= EXACT_IN_FLOAT32) return true;
    return Object.is(a, b) || a === b;
  }
  if (onCpu) return false;
  return Math.abs(a - b) <= FLOAT_TOLERANCE * Math.max(Math.abs(a), Math.abs(b)) + WGSL_SIN_ERROR;
}

function close(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return closeNumbers(a, b);
  if (typeof a === 'string' && typeof b === 'string') {
    const [x, y] = [a.split(/(\s+|:|,)/), b.split(/(\s+|:|,)/)];
    return (
      x.length === y.length &&
      x.every((word, i) => {
        const [m, n] = [Number(word), Number(y[i])];
        return word === y[i] || (word.trim() !== '' && Number.isFinite(m) && Number.isFinite(n) && closeNumbers(m, n));
      })
    );
  }
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => close(item, b[i]));
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const [ka, kb] = [Object.keys(a), Object.keys(b)];
    return (
      ka.length === kb.length &&
      ka.every((k) => close((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
    );
  }
  return Object.is(a, b);
}

function expectClose(actual: unknown, expected: unknown, label: string): void {
  // On a mismatch, chai's deep equality shows where.
  if (!close(actual, expected)) expect(actual, label).to.deep.equal(expected);
}

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug'] as const;

/** Runs `fn` with console output recorded; when `silent`, nothing else sees it. */
async function recording<T>(silent: boolean, fn: () => Promise<T>): Promise<{ result: T; lines: unknown[][] }> {
  const lines: unknown[][] = [];
  const saved = CONSOLE_METHODS.map((method) => console[method]);
  CONSOLE_METHODS.forEach((method, i) => {
    console[method] = (...args: unknown[]) => {
      lines.push([method, ...args]);
      if (!silent) saved[i]!.apply(console, args);
    };
  });
  try {
    return { result: await fn(), lines };
  } finally {
    CONSOLE_METHODS.forEach((method, i) => (console[method] = saved[i]!));
  }
}

/** The values of the live variables on the current backend (others cannot be this call's), as clones. */
function variableValues(): Map<tf.Variable, tf.Tensor> {
  const values = new Map<tf.Variable, tf.Tensor>();
  for (const v of Object.values(tf.engine().registeredVariables)) {
    if (!v.isDisposed && backendOf(v) === tf.backend()) values.set(v, sharing(v));
  }
  return values;
}

function setVariables(values: Map<tf.Variable, tf.Tensor>): void {
  for (const [v, value] of values) if (!v.isDisposed) v.assign(value);
}

/** Wraps GraphCache.run: each call that traces is followed by a replay of its graph, compared with it. */
export function installReplayCheck(run: Run): Run {
  return async function (this: GraphCache, staged, thisArg, args, options) {
    const before = variableValues();
    const copies = new Map<tf.Tensor, tf.Tensor>();
    const copiedArgs = args.map((arg) => copyOf(arg, copies));
    try {
      const { result, lines } = await recording(false, () => run.call(this, staged, thisArg, args, options));
      if (this.lastRun.how === 'traced') await compareReplay(this, result, lines, before, thisArg, copiedArgs, options);
      return result;
    } finally {
      tf.dispose([...before.values(), ...copies.values()]);
    }
  };
}

async function compareReplay(
  cache: GraphCache,
  traced: unknown,
  tracedLines: unknown[][],
  before: Map<tf.Variable, tf.Tensor>,
  thisArg: unknown,
  args: unknown[],
  options: Parameters<Run>[3],
): Promise<void> {
  const lastRun = cache.lastRun;
  const afterTrace = variableValues();
  const name = (cache as unknown as { name: string }).name;
  const held = new Set<tf.Tensor>();
  try {
    const expected = await valuesOf(traced, new Set());
    const expectedVariables = await Promise.all([...afterTrace.values()].map((t) => valuesOf(t, new Set())));
    setVariables(before);
    // The check is invisible to the spec: its replay reports no progress.
    const quiet = { ...options, onProgress: undefined };
    const { result: replayed, lines } = await recording(true, () => cache.replayOnly(thisArg, args, quiet));
    if (!replayed) {
      replayChecks.notReplayable++;
      return;
    }
    const got = await valuesOf(replayed.value, held);
    const gotVariables = await Promise.all([...afterTrace.keys()].map((v) => valuesOf(v, new Set())));
    // The library's own warnings (a callee that runs as it is, retracing) belong to tracing, not to the code.
    const printed = tracedLines.filter((line) => !/^(tfjs-)?autograph:/.test(String(line[1])));
    expectClose(lines, printed, `'${name}': a replay prints what its trace printed`);
    if (replayed.random) {
      replayChecks.random++;
      return;
    }
    replayChecks.compared++;
    expectClose(got, expected, `'${name}': a replay's result equals its trace's`);
    expectClose(gotVariables, expectedVariables, `'${name}': a replay leaves the variables as its trace left them`);
  } finally {
    setVariables(afterTrace);
    tf.dispose([...afterTrace.values()]);
    const kept = new Set([...args, thisArg]);
    for (const t of held) if (!(t instanceof tf.Variable) && !kept.has(t)) t.dispose();
    cache.lastRun = lastRun;
  }
}
