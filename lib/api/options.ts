// The options of toGraph, toCode and convert, checked at the entry with messages that name the fix.

import type { Tensor } from '@tensorflow/tfjs';
import type { GraphSummary } from '../graph/render.js';
import type { LoopProgress } from '../operators/progress.js';
import type { LastRun } from './graph_mode.js';

export interface ConvertOptions {
  /**
   * Values for the names the function uses but does not declare (closure variables, imports, helpers).
   * `tf` and `autograph` default to the library's own modules; a name given here overrides them.
   */
  scope?: Readonly<Record<string, unknown>>;
  /**
   * When converted code calls a function that cannot be converted, throw the ConversionError instead of
   * warning once and running the function as it is.
   */
  strict?: boolean;
  /**
   * The most iterations a staged loop may run: one that runs longer stops with a StagingError naming the
   * loop, instead of running forever.
   */
  maximumIterations?: number;
  /**
   * Stops every call of the converted function once aborted: a running call rejects with the signal's
   * reason (an AbortError) and frees the tensors it made. `g.withSignal(signal)` gives one call its own.
   */
  signal?: AbortSignal;
  /**
   * Told how far a call has got through its outermost loop, where that loop's trip count is known when it
   * starts: `for (let i = 0; i < n; i++)` (`n` a number or a one-element tensor), or a for-of over an
   * array or a tensor. Called as the loop starts, after each iteration and at its end, with
   * `{ done, total }`; see docs/guide.md.
   */
  onProgress?: (progress: LoopProgress) => void;
  /**
   * 'graph' (the default, see setMode): each input signature is traced once into a graph that later
   * calls replay. 'eager': every call runs op by op, for debugging.
   */
  mode?: 'graph' | 'eager';
}

/* eslint-disable @typescript-eslint/no-explicit-any -- a GraphFunction mirrors any user function's signature. */
export type AnyFunction = (...args: any[]) => any;

/**
 * A value as converted code takes or gives it: where the original has a number or a boolean, the
 * converted function also takes a tensor (operators work on both), and may give one back. Arrays and
 * tuples map element by element.
 */
export type Staged<T> = T extends number | boolean
  ? T | Tensor
  : T extends readonly unknown[]
    ? { [K in keyof T]: Staged<T[K]> }
    : T;

/** The arguments a converted function takes: the original's, with tensors for numbers and booleans. */
export type StagedParameters<F extends AnyFunction> = Staged<Parameters<F>>;

/** What a call of a converted function resolves to: the original's result, a tensor for a number or boolean. */
export type StagedResult<F extends AnyFunction> = Staged<Awaited<ReturnType<F>>>;

/**
 * How a converted function is called: like the original, resolving to its result; or with tensors where
 * the original takes numbers or booleans, resolving to `number | tf.Tensor` where it gives a number.
 */
export interface StagedCall<F extends AnyFunction> {
  (this: ThisParameterType<F>, ...args: Parameters<F>): Promise<Awaited<ReturnType<F>>>;
  (this: ThisParameterType<F>, ...args: StagedParameters<F>): Promise<StagedResult<F>>;
}

/**
 * A converted function: called like the original, it returns a promise of the original's result. Where
 * the original is typed on numbers, it takes tensors too: `toGraph((x: number) => x * x)` accepts
 * `tf.scalar(3)` and then resolves to `number | tf.Tensor`.
 */
export interface GraphFunction<F extends AnyFunction = AnyFunction> extends StagedCall<F> {
  /** The function that was converted. */
  readonly original: F;
  /** The converted function with `signal` for its calls: an abort stops a call and frees its tensors. */
  withSignal(signal: AbortSignal): StagedCall<F>;
  /**
   * The graph for these arguments' signature, traced first if there is none (the function runs, and
   * runs once more replayed to count its kernels and reads), or why the call runs op by op.
   */
  graphFor(...args: StagedParameters<F>): Promise<GraphSummary | { fallback: string }>;
  /** How the last call ran: traced, replayed, op by op (with the reason), or as plain JavaScript. */
  readonly lastRun: LastRun;
}

const OPTION_KEYS = new Set(['scope', 'strict', 'maximumIterations', 'signal', 'onProgress', 'mode']);

export function checkOptions(options: unknown, entry: string): ConvertOptions {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`${entry}: options must be an object such as { scope: { delta } }, got ${String(options)}.`);
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key)) {
      throw new TypeError(`${entry}: unknown option '${key}'. Known options: ${[...OPTION_KEYS].join(', ')}.`);
    }
  }
  const { scope, strict } = options as ConvertOptions;
  if (scope !== undefined && (scope === null || typeof scope !== 'object' || Array.isArray(scope))) {
    throw new TypeError(`${entry}: options.scope must be an object mapping names to values, such as { delta: 1 }.`);
  }
  if (strict !== undefined && typeof strict !== 'boolean') {
    throw new TypeError(`${entry}: options.strict must be true or false.`);
  }
  const { maximumIterations: max } = options as ConvertOptions;
  if (max !== undefined && !(Number.isInteger(max) && max >= 0)) {
    throw new TypeError(`${entry}: options.maximumIterations must be a whole number of iterations, such as 1000.`);
  }
  const { signal, mode, onProgress } = options as ConvertOptions;
  if (signal !== undefined) checkSignal(signal, `${entry}: options.signal`);
  if (onProgress !== undefined && typeof onProgress !== 'function') {
    throw new TypeError(
      `${entry}: options.onProgress must be a function, such as ({ done, total }) => console.log(done, total), got ${String(onProgress)}.`,
    );
  }
  if (mode !== undefined && mode !== 'graph' && mode !== 'eager') {
    throw new TypeError(`${entry}: options.mode must be 'graph' or 'eager', got ${String(mode)}.`);
  }
  return options as ConvertOptions;
}

/** Checks that `signal` is an AbortSignal, as AbortController's `signal` is. */
export function checkSignal(signal: unknown, label: string): void {
  const candidate = signal as Partial<AbortSignal> | null;
  if (
    candidate === null ||
    typeof candidate !== 'object' ||
    typeof candidate.aborted !== 'boolean' ||
    typeof candidate.addEventListener !== 'function'
  ) {
    throw new TypeError(
      `${label} must be an AbortSignal, such as new AbortController().signal, got ${String(signal)}.`,
    );
  }
}
