// Reports how far a call has got through its outermost loop, where the loop's trip count is known when it
// starts: toGraph's onProgress option.

import { currentCallScope } from './memory.js';
import { isTensor } from './tensors.js';
import { currentTracer } from './tracing.js';

/** Where a call's outermost loop stands: `done` of its `total` iterations. */
export interface LoopProgress {
  done: number;
  total: number;
}

export type ProgressListener = (progress: LoopProgress) => void;

/** A loop's place among the running loops of its call, and its reports when it is the outermost. */
export interface LoopTicket {
  /** After each iteration. */
  step(): void;
  /** When the loop is left: `finished` when it ran to its end (not stopped by an error or an abort). */
  leave(finished: boolean): void;
}

/** Whether a loop that starts now would report: its call has a listener and runs no loop yet. */
export function reportsLoop(): boolean {
  const scope = currentCallScope();
  return scope?.onProgress !== undefined && scope.loopDepth === 0;
}

/**
 * Enters a loop of the running call. The call's outermost loop reports when `total` is known: once as it
 * starts, after each iteration, and at its end. A loop that ends early (a lowered break) reports its
 * count as its total at the end; one that runs past `total` (its bound changed) reports `done` as the
 * total, so that `done` never exceeds `total`.
 */
export function enterLoop(total: number | undefined): LoopTicket {
  const scope = currentCallScope();
  if (!scope) return { step() {}, leave() {} };
  const listener = scope.loopDepth++ === 0 && total !== undefined ? scope.onProgress : undefined;
  let done = 0;
  const report = (last = false) => listener!({ done, total: last ? done : Math.max(done, total!) });
  if (listener) report();
  return {
    step() {
      done++;
      if (listener) report();
    },
    leave(finished) {
      scope.loopDepth--;
      if (listener && finished && done < total!) report(true);
    },
  };
}

/**
 * The trip count of `for (let i = a; i < n; i++)` from `[i, n, inclusive]` (the converter's loop_count),
 * where both are numbers or one-element tensors; a tensor is read, which waits for its value.
 */
export function* countedTrips(count: () => unknown[]): Generator<unknown, number | undefined, unknown> {
  const [position, end, inclusive] = count();
  const start = yield* numberOf(position);
  const stop = yield* numberOf(end);
  if (start === undefined || stop === undefined) return undefined;
  return Math.max(0, inclusive ? Math.floor(stop - start) + 1 : Math.ceil(stop - start));
}

function* numberOf(value: unknown): Generator<unknown, number | undefined, unknown> {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (!isTensor(value) || value.size !== 1 || value.isDisposed) return undefined;
  // A read a graph trace permits: it only measures the loop, and nothing the call computes depends on it.
  const tracer = currentTracer();
  const reading = tracer ? tracer.permitRead(() => value.data()) : value.data();
  const read = ((yield reading) as ArrayLike<number>)[0]!;
  return Number.isFinite(read) ? read : undefined;
}

/** The number of items a for-of loop over `iterable` runs, where it is known without iterating. */
export function itemsOf(iterable: unknown): number | undefined {
  if (isTensor(iterable)) return iterable.shape[0];
  if (Array.isArray(iterable) || typeof iterable === 'string' || ArrayBuffer.isView(iterable)) {
    return (iterable as ArrayLike<unknown>).length;
  }
  if (iterable instanceof Map || iterable instanceof Set) return iterable.size;
  return undefined;
}
