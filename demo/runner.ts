// Runs one example: the converted function on given inputs, what it printed, and timings against eager TF.js and plain JS.
import * as tf from '@tensorflow/tfjs';
import { ConversionError, toGraph, type GraphFunction } from '../lib/index.js';

type AnyFunction = (...args: unknown[]) => unknown;

export interface ErrorReport {
  name: string;
  message: string;
  /** The line in the user's function, where known. */
  line?: number;
}

export interface RunReport {
  backend: string;
  /** The result as a JavaScript value (tensors read asynchronously). */
  value?: unknown;
  /** The result's dtype when it was a tensor, or 'number' and so on. */
  kind?: string;
  printed: string[];
  /** Median milliseconds per call; undefined where a variant does not apply. */
  timings: { converted?: number; eager?: number; plain?: number };
  /** The graph the call traced (g.graphFor): a one-line summary and its text, or why it ran op by op. */
  graph?: { summary: string; text: string };
  error?: ErrorReport;
}

export interface RunRequest {
  fn: AnyFunction;
  scope: Record<string, unknown>;
  /** Arguments as the user types them, e.g. `tf.scalar(27, 'int32')`; evaluated with `tf` in scope. */
  inputs: string;
  eager?: (...args: unknown[]) => Promise<unknown>;
  /** Whether the original is plain JavaScript on numbers (Huber loss calls tf.abs, so it is not). */
  plainOnNumbers?: boolean;
  /** Calls per variant for the timings; 0 measures nothing. */
  repeats: number;
}

/** Makes a function from source typed in the demo's editor. */
export function compileSource(source: string): AnyFunction {
  const fn = new Function(`return (${source}\n);`)() as unknown;
  if (typeof fn !== 'function')
    throw new TypeError('The code must be a single function, such as function f(x) { ... }.');
  return fn as AnyFunction;
}

export function parseInputs(text: string): unknown[] {
  const args = new Function('tf', `return [${text}\n];`)(tf) as unknown;
  return args as unknown[];
}

async function valueOf(result: unknown): Promise<{ value: unknown; kind: string }> {
  if (result instanceof tf.Tensor) {
    const data = result.rank === 0 ? (await result.data())[0] : await result.array();
    return { value: result.dtype === 'bool' ? Boolean(data) : data, kind: `${result.dtype} tensor` };
  }
  return { value: result, kind: typeof result };
}

const format = (value: unknown) => (typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value)));

/** Runs `call` with console output collected (and still shown), or discarded for timing runs. */
async function withConsole<T>(printed: string[] | null, call: () => Promise<T>): Promise<T> {
  const methods = ['log', 'info', 'warn', 'error', 'debug'] as const;
  const saved = methods.map((method) => console[method]);
  for (const method of methods) {
    console[method] = (...args: unknown[]) => {
      printed?.push(args.map(format).join(' '));
    };
  }
  try {
    return await call();
  } finally {
    methods.forEach((method, i) => (console[method] = saved[i]!));
  }
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Median time of `call`, including the read of its result, which is when the device has finished. */
async function time(repeats: number, call: () => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    const result = await withConsole(null, call);
    await valueOf(result);
    samples.push(performance.now() - start);
    tf.dispose(result as tf.TensorContainer);
  }
  return median(samples);
}

export function describeError(error: unknown): ErrorReport {
  if (error instanceof ConversionError) return { name: error.name, message: error.message, line: error.line };
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

/** The graph summary of a converted call with these arguments; graphFor replays it once, silently. */
async function graphOf(graph: GraphFunction, args: unknown[]): Promise<{ summary: string; text: string }> {
  if (graph.lastRun.how === 'plain') {
    return { summary: 'ran as plain JavaScript: no tensor, so nothing to trace', text: '' };
  }
  const found = await graph.graphFor(...args);
  if ('fallback' in found) return { summary: `runs op by op: ${found.fallback}`, text: '' };
  const kernels = Object.entries(found.nodes)
    .filter(([kind]) => !kind.startsWith('kernel '))
    .map(([kind, n]) => `${n} ${kind}`)
    .join(', ');
  // Fused kernels (regions of elementwise kernels run as one), which the text shows with their expressions.
  const fused = found.nodes['kernel AutographElementwise'] ?? 0;
  const fusedText = fused > 0 ? `, ${fused} of them fused` : '';
  return {
    summary: `${kernels}; a replay runs ${found.kernelsPerCall} kernels${fusedText} and reads ${found.readsPerCall} values`,
    text: found.text,
  };
}

export async function runExample(request: RunRequest): Promise<RunReport> {
  const report: RunReport = { backend: tf.getBackend(), printed: [], timings: {} };
  let args: unknown[] = [];
  try {
    args = parseInputs(request.inputs);
    const graph = toGraph(request.fn, { scope: request.scope });
    const result = await withConsole(report.printed, () => graph(...args));
    Object.assign(report, await valueOf(result));
    if (!args.includes(result)) tf.dispose(result as tf.TensorContainer);
    report.graph = await withConsole(null, () => graphOf(graph, args));
    if (request.repeats > 0) {
      report.timings.converted = await time(request.repeats, () => graph(...args));
      const allTensors = args.length > 0 && args.every((arg) => arg instanceof tf.Tensor);
      if (request.eager && allTensors)
        report.timings.eager = await time(request.repeats, () => request.eager!(...args));
      if (request.plainOnNumbers && args.every((arg) => typeof arg === 'number')) {
        report.timings.plain = await time(request.repeats, async () => request.fn(...args));
      }
    }
  } catch (error) {
    report.error = describeError(error);
  } finally {
    tf.dispose(args.filter((arg): arg is tf.Tensor => arg instanceof tf.Tensor));
  }
  return report;
}
