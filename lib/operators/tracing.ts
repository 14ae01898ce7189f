// What the operators tell a graph trace while a call is traced: structure, effects and permitted reads.

import type { Tensor } from './tensors.js';

/** One staged if being traced: the branch taken runs between `beginIf` and `end`. */
export interface IfTrace {
  /** The state after the branch: numbers and booleans become tensors, as a graph's outputs are. */
  end(before: unknown[], after: unknown[], names: string[]): unknown[];
}

/** One staged loop being traced: each iteration runs between `begin` and `endIteration`. */
export interface LoopTrace {
  /** The state for the iteration: its tensors as new objects, the params of the loop's block. */
  beginIteration(state: unknown[]): unknown[];
  endIteration(state: unknown[], condition: unknown): void;
  /** The state after the loop: fresh tensors, the loop node's outputs. */
  end(state: unknown[]): unknown[];
}

/**
 * A graph trace of one call (graph/recorder.ts implements it). The driver's memory scope resumes it
 * around each synchronous step of the call, so that only the call's own work is recorded.
 */
export interface Tracer {
  resume(): void;
  suspend(): void;
  /**
   * A staged if whose condition was just read. `keeps` is the branch (0 when the condition holds, 1 when
   * not) that keeps the values from before it, known without running: an if without else, `a && b`, `a || b`.
   */
  beginIf(condition: Tensor, taken: boolean, keeps: 0 | 1 | null): IfTrace;
  /** A staged loop whose first condition was just read as true or false, with its state after staging. */
  beginLoop(condition: Tensor, state: unknown[], construct: string): LoopTrace;
  /** A runtime effect a replay must repeat (a print, an assert): `run(...args)` is run again with new tensors. */
  effect(run: (...args: never[]) => Generator<unknown, unknown, unknown>, args: unknown[], label: string): void;
  /** Runs `read`, whose tensor reads belong to the structure or to an effect just recorded. */
  permitRead<T>(read: () => T): T;
  /** A random draw, `draw()`, which each replay makes again: it returns the trace's draw. */
  random(draw: () => Tensor, name: string, args: unknown[]): Tensor;
  /** A function defined in the traced one is called: inside a staged branch, its effects are not seen. */
  localCall(fn: (...args: never[]) => unknown): void;
  /** Marks the trace as unusable: the call goes on op by op, and the reason is reported. */
  fail(reason: string): void;
}

let active: Tracer | null = null;

/** The trace of the call whose code is running now, if that call is traced. */
export const currentTracer = (): Tracer | null => active;

/** Set by the memory scope of a traced call as it is entered and left. */
export function setCurrentTracer(tracer: Tracer | null): void {
  active = tracer;
}
