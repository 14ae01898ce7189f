// Runs converted code: steps its generator, entering the call's memory scope around each synchronous step.

import { CallScope } from './memory.js';
import { endPrintBuffer, RESTAGE, startPrintBuffer } from './plain.js';
import type { ProgressListener } from './progress.js';
import type { Tracer } from './tracing.js';

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  value !== null &&
  (typeof value === 'object' || typeof value === 'function') &&
  typeof (value as { then?: unknown }).then === 'function';

/** What a run may be given: the loop limit, a signal that stops it, and who hears of its progress. */
export interface RunOptions {
  maximumIterations?: number;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
}

/**
 * How long converted code runs before it lets the event loop run other tasks (timers, input, rendering):
 * a staged loop's reads resolve as microtasks, which alone would never let them.
 */
export const YIELD_INTERVAL_MS = 50;

/** How often runs have let other tasks run, and how long they waited for their turn: read by `npm run bench`. */
export const yieldStats = { tasks: 0, waitedMs: 0 };

type Scheduler = { yield?: () => Promise<void> };

/**
 * In a worker: the messages the page sends it (a Stop) are tasks of the posted-message source, which a
 * `scheduler.yield()` continuation always goes before; a message of our own queues behind them instead.
 */
const inWorker = typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope === 'function';

/**
 * A macrotask: `scheduler.yield()` where it exists (it keeps the task's priority) outside workers, else
 * setImmediate or a message.
 */
function nextTask(): Promise<void> {
  const scheduler = (globalThis as { scheduler?: Scheduler }).scheduler;
  if (typeof scheduler?.yield === 'function' && !inWorker) return scheduler.yield();
  if (typeof setImmediate === 'function') return new Promise((resolve) => setImmediate(resolve));
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(undefined);
  });
}

/** The error an aborted call rejects with: the signal's reason, an AbortError unless the caller gave one. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The converted call was aborted.', 'AbortError');
}

/**
 * Converted functions are generator functions: `yield` marks every point where they wait (a staged
 * condition being read, a user `await`), and `yield*` enters the operators and the bodies they run.
 * Driving the generator here, rather than writing async functions, means the runtime sees every step
 * begin and end, so tensors are attributed to the right call even when calls interleave. A yielded
 * promise is awaited; any other value is sent straight back, with no trip through the microtask queue.
 *
 * A run that has gone on for YIELD_INTERVAL_MS since it last let other tasks run waits for the next task
 * before its next step; shorter runs never pay for that. An aborted signal stops the run at its next
 * step, or at once while it waits for a read: its `finally` blocks run, every tensor it made is freed,
 * and it rejects with the signal's reason.
 */
export function drive<T>(
  generator: Generator<unknown, T, unknown>,
  name: string,
  options: RunOptions = {},
  /** The graph trace that records this run, if it is traced. */
  tracer: Tracer | null = null,
): Promise<T> {
  const { maximumIterations, signal } = options;
  const scope = new CallScope(name, maximumIterations);
  scope.tracer = tracer;
  scope.onProgress = options.onProgress;
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let lastTask = performance.now();
    const fail = (error: unknown) => {
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      reject(error);
    };
    const stop = () => {
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      void finishAborted().then(() => {
        scope.abort();
        reject(abortReason(signal!));
      });
    };
    /** Runs the generator's finally blocks to their end, waiting where they wait; their errors give way to the abort. */
    const finishAborted = async () => {
      let input: unknown;
      let returning = true;
      for (;;) {
        let result: IteratorResult<unknown, T>;
        scope.enter();
        try {
          result = returning ? generator.return(undefined as T) : generator.next(input);
        } catch {
          return;
        } finally {
          scope.leave();
        }
        returning = false;
        if (result.done) return;
        try {
          input = isThenable(result.value) ? await result.value : result.value;
        } catch {
          return;
        }
      }
    };
    function onAbort() {
      if (!settled && !running) stop();
    }
    signal?.addEventListener('abort', onAbort);
    let running = false;
    const step = (resume: 'next' | 'throw', input: unknown): void => {
      if (settled) return;
      if (signal?.aborted) return stop();
      const now = performance.now();
      if (now - lastTask > YIELD_INTERVAL_MS) {
        void nextTask().then(() => {
          lastTask = performance.now();
          yieldStats.tasks++;
          yieldStats.waitedMs += lastTask - now;
          step(resume, input);
        });
        return;
      }
      running = true;
      for (;;) {
        let result: IteratorResult<unknown, T>;
        scope.enter();
        try {
          result = resume === 'next' ? generator.next(input) : generator.throw(input);
        } catch (error) {
          scope.leave();
          scope.abort();
          running = false;
          fail(error);
          return;
        }
        scope.leave();
        if (result.done) {
          scope.finish(result.value);
          running = false;
          settled = true;
          signal?.removeEventListener('abort', onAbort);
          resolve(result.value);
          return;
        }
        if (isThenable(result.value)) {
          running = false;
          result.value.then(
            (value) => step('next', value),
            (error: unknown) => step('throw', error),
          );
          return;
        }
        resume = 'next';
        input = result.value;
        if (signal?.aborted || performance.now() - lastTask > YIELD_INTERVAL_MS) {
          running = false;
          return step(resume, input);
        }
      }
    };
    step('next', undefined);
  });
}

/**
 * Runs the plain clone, a synchronous copy of the function, under the same memory rule. Plain code then
 * pays no generator or promise per construct. When the clone meets a tensor that needs staging it throws
 * RESTAGE: what it printed is dropped, what it created is freed, and the staged function runs from the
 * start. Only functions whose runs leave no other trace get a clone.
 */
export function runPlainFirst<T>(
  plain: (...args: unknown[]) => unknown,
  /** The staged function, loaded only when a run restages. */
  staged: () => (...args: unknown[]) => Generator<unknown, T, unknown>,
  thisArg: unknown,
  args: unknown[],
  name: string,
  options: RunOptions = {},
): Promise<T> {
  if (options.signal?.aborted) return Promise.reject(abortReason(options.signal));
  const scope = new CallScope(name, options.maximumIterations);
  let result: unknown;
  startPrintBuffer();
  scope.enter();
  try {
    result = plain.apply(thisArg, args);
  } catch (error) {
    scope.leave();
    scope.abort();
    if (error === RESTAGE) {
      endPrintBuffer(false);
      return drive(staged().apply(thisArg, args), name, options);
    }
    endPrintBuffer(true);
    return Promise.reject(error);
  }
  scope.leave();
  endPrintBuffer(true);
  scope.finish(result);
  return Promise.resolve(result as T);
}
