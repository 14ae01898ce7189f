// What the operators tell a graph trace while a call is traced: structure, effects and permitted reads.

import type { Tensor } from './tensors.js';

/**
 * One staged if being traced. The branch taken runs between `beginIf` and `ran`; then the other branch may
 * be traced without its effects taking place (between `beginOther` and `endOther`), so that the graph
 * knows both branches, and the dtypes of the if's outputs, before a call takes the other one.
 */
export interface IfTrace {
  /**
   * The branch taken, `branch` (null for a missing else), has run from `before` and left `after` (the values of the variables
   * `names`). A branch that may change anything else outside it ends the trace: a replay would not.
   */
  ran(before: unknown[], after: unknown[], names: string[], branch: ((...args: never[]) => unknown) | null): void;
  /**
   * Whether the branch not taken, `other`, is to be traced now. When true, the operator runs it from the
   * state before the if (its prints and asserts are recorded, not run) and then calls `endOther`.
   */
  beginOther(other: (...args: never[]) => unknown): boolean;
  /** The branch not taken has run and left `after`, or threw (`undefined`): then it stays untraced. */
  endOther(after: unknown[] | undefined): void;
  /** The state after the if: numbers and booleans become tensors, as a graph's outputs are. */
  end(): unknown[];
}

/** One staged loop being traced: each iteration runs between `begin` and `endIteration`. */
export interface LoopTrace {
  /** The state for the iteration: its tensors as new objects, the params of the loop's block. */
  beginIteration(state: unknown[]): unknown[];
  endIteration(state: unknown[], condition: unknown): void;
  /**
   * Whether the loop is to go on running iterations: false only when it runs inside a branch traced without
   * being taken, where a few iterations show what the loop does (values there are never used).
   */
  goesOn(): boolean;
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
   * `carries`: whether the branches may assign variables (an if statement's, which it carries), or must
   * assign none (the operands of `&&`, `||` and `?:`, whose only output is their value).
   */
  beginIf(condition: Tensor, taken: boolean, keeps: 0 | 1 | null, carries: boolean): IfTrace;
  /** A staged loop whose first condition was just read as true or false, with its state after staging. */
  beginLoop(condition: Tensor, state: unknown[], construct: string): LoopTrace;
  /**
   * A runtime effect a replay must repeat (a print, an assert): `run(...args)` is run again with new tensors.
   * Returns whether the operator is to run it now: not in a branch traced without being taken.
   */
  effect(
    run: (...args: never[]) => Generator<unknown, unknown, unknown>,
    args: unknown[],
    label: string,
    /** Whether it writes to the console (a print, console.assert) rather than checking (an assert). */
    prints: boolean,
  ): boolean;
  /**
   * Whether the code running now is inside a branch of a staged if (or `&&`, `||`, `?:`): calls out of the
   * converted code must then be known to change nothing outside, since a replay would not repeat it.
   */
  readonly inStagedBranch: boolean;
  /** Whether that branch runs without being taken: then `fail` ends its tracing only, not the trace. */
  readonly tracingUntaken: boolean;
  /** Runs `read`, whose tensor reads belong to the structure or to an effect just recorded. */
  permitRead<T>(read: () => T): T;
  /** A random draw, `draw()`, which each replay makes again: it returns the trace's draw. */
  random(draw: () => Tensor, name: string, args: unknown[]): Tensor;
  /** A function defined in the traced one is called: inside a staged branch, its effects are not seen. */
  localCall(fn: (...args: never[]) => unknown): void;
  /**
   * Marks the trace as unusable: the call goes on op by op, and the reason is reported. In a branch traced
   * without being taken, it throws instead, ending that branch's tracing, which leaves it untraced.
   */
  fail(reason: string): void;
}

/** tf's methods that a trace replaces while it records (Variable.prototype.assign), by their stand-ins. */
const standIns = new WeakMap<object, object>();

/** Registers `standIn`, which a trace installs in place of tf's `original` while it records. */
export function registerStandIn(standIn: object, original: object): void {
  standIns.set(standIn, original);
}

/** The tf function that `fn` stands in for while a trace records, or `fn` itself: calls treat it as tf's. */
export const originalOf = <T extends object>(fn: T): T => (standIns.get(fn) as T | undefined) ?? fn;

let active: Tracer | null = null;

/** The trace of the call whose code is running now, if that call is traced. */
export const currentTracer = (): Tracer | null => active;

/** Set by the memory scope of a traced call as it is entered and left. */
export function setCurrentTracer(tracer: Tracer | null): void {
  active = tracer;
}
