// The memory rule of a converted call: tf.tidy's convention, kept across awaits and between concurrent calls.

import { isTensor, tf } from './tensors.js';
import { currentTracer, setCurrentTracer, type Tracer } from './tracing.js';
import type { ProgressListener } from './progress.js';

/** The parts of tfjs-core's engine state that scopes use (tfjs-core/src/engine.ts, ScopeState). */
interface EngineScope {
  name: string;
  id: number;
  track: tf.Tensor[];
}
interface EngineState {
  scopeStack: EngineScope[];
  activeScope: EngineScope | null;
  nextScopeId: number;
}

const engineState = (): EngineState => (tf.engine() as unknown as { state: EngineState }).state;

let current: CallScope | null = null;
const suspended: (CallScope | null)[] = [];

/** How many stack frames errors keep while converted code runs, and the limits to restore. */
const STACK_FRAMES = 100;
const savedStackLimits: number[] = [];

/** The call whose code is running now, if any. Operators use it to free loop temporaries. */
export function currentCallScope(): CallScope | null {
  return current;
}

/**
 * The tensors one converted call has created. tf.tidy cannot span an await, and the engine's scope stack
 * is global, so a call owns an engine scope that is on the stack only while the call's own code runs:
 * the driver enters it before each synchronous step of the call and leaves it after. Every tensor the
 * engine creates in between is tracked here, whatever else runs between the steps.
 */
export class CallScope {
  private readonly scope: EngineScope;
  /** How many staged loops are running in this call: lists then allow only push, pop and at. */
  stagedLoops = 0;
  /** The scope that was active when the call began: its results are tracked there, as tidy does. */
  private readonly outer: EngineScope | null;

  /** The `maximumIterations` option of the converted function: a staged loop that runs longer stops. */
  maximumIterations: number | undefined;

  /** How many loops of this call are running (operators/progress.ts): the outermost one reports progress. */
  loopDepth = 0;
  /** The onProgress option of the converted function, told how far the call's outermost loop has got. */
  onProgress: ProgressListener | undefined;

  /** The graph trace recording this call, if it is traced: it records only while the call's code runs. */
  tracer: Tracer | null = null;
  /** The trace of the call this one interrupted, resumed when this one leaves. */
  private readonly outerTracers: (Tracer | null)[] = [];

  constructor(name: string, maximumIterations?: number) {
    this.maximumIterations = maximumIterations;
    const state = engineState();
    this.outer = state.activeScope;
    this.scope = { name: `autograph:${name}`, id: state.nextScopeId++, track: [] };
  }

  enter(): void {
    // Errors raised while converted code runs need the frame in that code to be pointed at the user's
    // line; with V8's default of 10 frames, tfjs and the runtime can push it out of the stack.
    savedStackLimits.push(Error.stackTraceLimit);
    if (Error.stackTraceLimit < STACK_FRAMES) Error.stackTraceLimit = STACK_FRAMES;
    const state = engineState();
    state.scopeStack.push(this.scope);
    state.activeScope = this.scope;
    suspended.push(current);
    // The registry of the running call is the point of this class, not an accidental alias.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    current = this;
    const outerTracer = currentTracer();
    this.outerTracers.push(outerTracer);
    if (outerTracer !== this.tracer) {
      outerTracer?.suspend();
      this.tracer?.resume();
    }
    setCurrentTracer(this.tracer);
  }

  leave(): void {
    Error.stackTraceLimit = savedStackLimits.pop() ?? Error.stackTraceLimit;
    const state = engineState();
    const at = state.scopeStack.lastIndexOf(this.scope);
    if (at >= 0) state.scopeStack.splice(at, 1);
    state.activeScope = state.scopeStack[state.scopeStack.length - 1] ?? null;
    current = suspended.pop() ?? null;
    const outerTracer = this.outerTracers.pop() ?? null;
    if (outerTracer !== this.tracer) {
      this.tracer?.suspend();
      outerTracer?.resume();
    }
    setCurrentTracer(outerTracer);
  }

  /** A position in the call's list of tensors; `freeUnreachable` frees only tensors made after it. */
  mark(): number {
    return this.scope.track.length;
  }

  /**
   * Disposes the tensors made since `mark` that none of `roots` reaches (through arrays and plain
   * objects), except kept tensors and variables, which outlive the call.
   */
  freeUnreachable(mark: number, roots: unknown): void {
    const reachable = reachableTensors(roots);
    // Too much to walk: keep everything rather than free what may still be in use.
    if (!reachable) return;
    const track = this.scope.track;
    let kept = mark;
    for (let i = mark; i < track.length; i++) {
      const tensor = track[i]!;
      if (reachable.has(tensor)) {
        track[kept++] = tensor;
      } else if (!tensor.kept && !(tensor instanceof tf.Variable)) {
        tensor.dispose();
      }
    }
    track.length = kept;
  }

  /** Ends the call: frees everything it made except what it returns, which the caller's scope adopts. */
  finish(result: unknown): void {
    const reachable = reachableTensors(result);
    this.freeUnreachable(0, result);
    if (this.outer && engineState().scopeStack.includes(this.outer)) {
      // What the call returns belongs to the caller's scope (all it made, if too much to walk).
      for (const tensor of reachable ?? this.scope.track) if (!tensor.kept) this.outer.track.push(tensor);
    }
  }

  /** Ends a call that threw: frees everything it made. */
  abort(): void {
    this.freeUnreachable(0, undefined);
  }
}

/** How many values a reachability walk looks at most; beyond that it gives up, and nothing is freed. */
const MAX_VISITS = 1_000_000;

/**
 * The tensors reachable from `root` through arrays, objects (their own enumerable properties), maps and
 * sets; undefined when the walk would look at more than MAX_VISITS values (elements included), in which
 * case callers must assume every tensor is reachable. Typed arrays hold no tensors and are not read.
 */
export function reachableTensors(root: unknown): Set<tf.Tensor> | undefined {
  const found = new Set<tf.Tensor>();
  const seen = new Set<object>();
  const stack: unknown[] = [root];
  let visits = 0;
  // Pushed one by one: spreading a long array into push would overflow the argument limit.
  const push = (items: Iterable<unknown>) => {
    for (const item of items) if (item !== null && typeof item === 'object') stack.push(item);
  };
  while (stack.length > 0) {
    const value = stack.pop();
    if (value === null || typeof value !== 'object') continue;
    if (isTensor(value)) {
      found.add(value);
      continue;
    }
    if (seen.has(value) || ArrayBuffer.isView(value)) continue;
    seen.add(value);
    if (Array.isArray(value)) visits += value.length;
    else if (value instanceof Map || value instanceof Set) visits += value.size;
    if (++visits > MAX_VISITS) return undefined;
    if (Array.isArray(value)) push(value);
    else if (value instanceof Map) for (const [key, item] of value) push([key, item]);
    else if (value instanceof Set) push(value);
    else push(Object.values(value));
  }
  return found;
}
