// Runs one example: the converted function on given inputs, what it printed, and timings against eager TF.js and plain JS.
import * as tf from '@tensorflow/tfjs';
import { ConversionError, toGraph, type GraphFunction, type LoopProgress } from '../lib/index.js';

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
  /** Timings per variant; undefined where a variant does not apply. */
  timings: { converted?: Timing; eager?: Timing; plain?: Timing };
  /** The graph the call traced (g.graphFor): a one-line summary and its text, or why it ran op by op. */
  graph?: { summary: string; text: string };
  error?: ErrorReport;
}

/** Milliseconds per call over `runs` calls, each with its result read: the median, the fastest, the slowest. */
export interface Timing {
  median: number;
  min: number;
  max: number;
  runs: number;
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
  /** Stops the run: the converted call rejects with an AbortError and frees what it made. */
  signal?: AbortSignal;
  /** Each line the run prints, as it prints it (timing runs print nothing). */
  onPrint?: (line: string) => void;
  /** How far the run's outermost counted loop has got (toGraph's onProgress); timing runs report nothing. */
  onProgress?: (progress: LoopProgress) => void;
}

/** Makes a function from source typed in the demo's editor. */
export function compileSource(source: string): AnyFunction {
  const fn = new Function(`return (${source}\n);`)() as unknown;
  if (typeof fn !== 'function')
    throw new TypeError('The code must be a single function, such as function f(x) { ... }.');
  return fn as AnyFunction;
}

/** An error in the Arguments box, as opposed to one of the function. */
export class ArgumentsError extends Error {
  constructor(message: string, options?: { cause: unknown }) {
    super(message, options);
    this.name = 'ArgumentsError';
  }
}

/** The arguments as the user types them, e.g. `tf.scalar(27, 'int32'), 2`, evaluated with `tf` in scope. */
export function parseArguments(text: string): unknown[] {
  try {
    return new Function('tf', `return [${text}\n];`)(tf) as unknown[];
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new ArgumentsError(`The Arguments box (${text.trim() || 'empty'}) failed: ${message}`, { cause: error });
  }
}

/** A result as plain values: tensors read (asynchronously), also inside arrays and objects. */
async function plainValue(result: unknown): Promise<unknown> {
  if (result instanceof tf.Tensor) {
    const data = result.rank === 0 ? (await result.data())[0] : await result.array();
    return result.dtype === 'bool' && result.rank === 0 ? Boolean(data) : data;
  }
  if (Array.isArray(result)) return Promise.all(result.map(plainValue));
  if (result !== null && typeof result === 'object' && Object.getPrototypeOf(result) === Object.prototype) {
    const entries = await Promise.all(Object.entries(result).map(async ([k, v]) => [k, await plainValue(v)]));
    return Object.fromEntries(entries);
  }
  return result;
}

async function valueOf(result: unknown): Promise<{ value: unknown; kind: string }> {
  const kind =
    result instanceof tf.Tensor
      ? `${result.dtype} tensor${result.rank > 0 ? ` of shape [${result.shape.join(', ')}]` : ''}`
      : Array.isArray(result)
        ? 'array'
        : typeof result;
  return { value: await plainValue(result), kind };
}

const format = (value: unknown) => (typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value)));

/** Runs `call` with console output collected and passed to `onPrint` as it comes, or discarded for timing runs. */
async function withConsole<T>(
  printed: string[] | null,
  call: () => Promise<T>,
  onPrint?: (line: string) => void,
): Promise<T> {
  const methods = ['log', 'info', 'warn', 'error', 'debug'] as const;
  const saved = methods.map((method) => console[method]);
  for (const method of methods) {
    console[method] = (...args: unknown[]) => {
      if (!printed) return;
      const line = args.map(format).join(' ');
      printed.push(line);
      onPrint?.(line);
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

/**
 * Times `call`, including the read of its result, which is when the device has finished. A result that
 * is one of the arguments (a function that returns its input) is kept: the next run needs it.
 */
async function time(repeats: number, call: () => Promise<unknown>, args: unknown[]): Promise<Timing> {
  const samples: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    const result = await withConsole(null, call);
    await valueOf(result);
    samples.push(performance.now() - start);
    disposeUnless(result, args);
  }
  return { median: median(samples), min: Math.min(...samples), max: Math.max(...samples), runs: samples.length };
}

/** The tensors in a value: itself, or those inside its arrays and plain objects. */
function tensorsIn(value: unknown, found: tf.Tensor[] = []): tf.Tensor[] {
  if (value instanceof tf.Tensor) found.push(value);
  else if (Array.isArray(value)) value.forEach((item) => tensorsIn(item, found));
  else if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype)
    Object.values(value).forEach((item) => tensorsIn(item, found));
  return found;
}

/** Disposes the tensors of `result` that are not among `args`. */
function disposeUnless(result: unknown, args: unknown[]): void {
  const kept = new Set(tensorsIn(args));
  tf.dispose(tensorsIn(result).filter((t) => !kept.has(t)));
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
    args = parseArguments(request.inputs);
    // Only the watched run reports progress; the summary's and the timings' runs do not.
    let watched = true;
    const onProgress = (progress: LoopProgress) => {
      if (watched) request.onProgress?.(progress);
    };
    const options = { scope: request.scope, onProgress, ...(request.signal ? { signal: request.signal } : {}) };
    const graph = toGraph(request.fn, options);
    const result = await withConsole(report.printed, () => graph(...args), request.onPrint);
    watched = false;
    Object.assign(report, await valueOf(result));
    disposeUnless(result, args);
    report.graph = await withConsole(null, () => graphOf(graph, args));
    if (request.repeats > 0) {
      report.timings.converted = await time(request.repeats, () => graph(...args), args);
      const allTensors = args.length > 0 && args.every((arg) => arg instanceof tf.Tensor);
      if (request.eager && allTensors)
        report.timings.eager = await time(request.repeats, () => request.eager!(...args), args);
      if (request.plainOnNumbers && args.every((arg) => typeof arg === 'number')) {
        report.timings.plain = await time(request.repeats, async () => request.fn(...args), args);
      }
    }
  } catch (error) {
    report.error = describeError(error);
  } finally {
    tf.dispose(tensorsIn(args));
  }
  return report;
}
