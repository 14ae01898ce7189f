// Graph mode: each input signature is traced once into a graph, and later calls replay it.

import { GuardFailure, replay, type ReplayStats } from '../graph/executor.js';
import { nodeBlocks, type Block, type Graph } from '../graph/graph.js';
import { changesObjectsOutside } from '../graph/local_purity.js';
import { mergeInto } from '../graph/merge.js';
import { Recorder } from '../graph/recorder.js';
import { summarize, type GraphSummary } from '../graph/render.js';
import { fuse } from '../graph/fusion.js';
import { codeGenerationAllowed } from '../kernels/js_code.js';
import { simplify } from '../graph/simplify.js';
import { FUSING_BACKENDS, registerFusedKernels } from '../kernels/register.js';
import { signatureOf, type Signature } from '../graph/signature.js';
import { drive, type RunOptions } from '../operators/driver.js';
import { reachableTensors } from '../operators/memory.js';
import { tf } from '../operators/tensors.js';

export type Mode = 'graph' | 'eager';

let defaultMode: Mode = 'graph';

/**
 * Sets how converted functions run unless their own `mode` option says otherwise: 'graph' (traced once
 * per input signature, then replayed) or 'eager' (op by op, for debugging).
 */
export function setMode(mode: Mode): void {
  if (mode !== 'graph' && mode !== 'eager') {
    throw new TypeError(`setMode: the mode must be 'graph' or 'eager', got ${String(mode)}.`);
  }
  defaultMode = mode;
}

let fusionOn = true;

/**
 * Turns the fusion of elementwise kernels in graphs on (the default) or off, for graphs planned from now
 * on. Off, a replay runs every traced kernel as tfjs has it: for comparing, and for finding a fusion bug.
 */
export function setFusion(on: boolean): void {
  if (typeof on !== 'boolean') throw new TypeError(`setFusion: pass true or false, got ${String(on)}.`);
  fusionOn = on;
}

/** Whether graphs planned now fuse their elementwise kernels. */
export const fusionEnabled = (): boolean => fusionOn;

/**
 * The graph a replay runs: the trace simplified, and with its elementwise kernels fused when fusion is on
 * and the active backend has fused kernels (cpu, wasm, webgpu). Planned again when either changes.
 */
function planOf(entry: Entry, signature: Signature): Graph {
  const key = `${tf.getBackend()}:${fusionOn}`;
  if (entry.plan && entry.planKey === key) return entry.plan;
  if (entry.plan) disposeGraph(entry.plan);
  let plan = simplify(entry.graph!);
  const backend = tf.getBackend();
  entry.notFused = notFusedWhy(backend);
  if (!entry.notFused) {
    registerFusedKernels();
    plan = fuse(
      plan,
      signature.inputs.map((t) => ({ dtype: t.dtype, shape: t.shape })),
      { cpu: backend !== 'webgpu' },
    );
  }
  entry.plan = plan;
  entry.planKey = key;
  return plan;
}

/** Why a graph planned now on `backend` is not fused, or undefined when it is. */
function notFusedWhy(backend: string): string | undefined {
  if (!fusionOn) return 'setFusion(false)';
  if (!FUSING_BACKENDS.has(backend)) return `the ${backend} backend has no fused kernels`;
  // Fused kernels on the CPU are generated JavaScript: where `new Function` is not allowed, only webgpu fuses.
  if (backend !== 'webgpu' && !codeGenerationAllowed()) {
    return `fused ${backend} kernels are JavaScript made with new Function, which this bundle (built with csp: true) does not use`;
  }
  return undefined;
}

export const currentMode = (): Mode => defaultMode;

/** How the last call of a converted function ran, and why it ran op by op when it did. */
export interface LastRun {
  how: 'traced' | 'replayed' | 'eager' | 'plain';
  /** Why graph mode ran the call op by op (`how` is 'eager' though graph mode is on). */
  reason?: string;
  /** For a replay: the kernels it ran and the values it read back to the CPU. */
  kernels?: number;
  reads?: number;
}

/** The graph-mode state of one signature: its graph, or why it runs op by op. */
interface Entry {
  /** The graph as traced, which later traces merge into. */
  graph?: Graph;
  /** The graph as replayed: simplified (graph/simplify.ts), with the constants it wrote to the backend. */
  plan?: Graph;
  /** The backend and fusion setting the plan was made for. */
  planKey?: string;
  /** Why the plan is not fused, where it is not. */
  notFused?: string;
  fallback?: string;
  /** Whether the next call may try tracing again (a variable the first call created exists now). */
  retryable?: boolean;
  /** Kernels and reads of the last replay. */
  last?: ReplayStats;
}

/** Signatures kept per function, as tf.function keeps them. */
export const MAX_SIGNATURES = 32;
/** The trace count at which a function warns that an argument keeps changing. */
export const RETRACE_WARNING = 5;

type Staged = () => (...args: unknown[]) => Generator<unknown, unknown, unknown>;

/** The graphs of one converted function, by signature, most recently used last. */
export class GraphCache {
  private readonly entries = new Map<string, Entry>();
  private traces = 0;
  private warned = false;
  private readonly recent: string[][] = [];
  lastRun: LastRun = { how: 'plain' };

  constructor(
    private readonly name: string,
    private readonly paramNames: string[],
    /** Whether the function reads its own `this`: only then is `this` part of a call's signature. */
    private readonly usesThis: boolean,
  ) {}

  /** Runs a call in graph mode: replays the signature's graph, or traces one. */
  run(staged: Staged, thisArg: unknown, args: unknown[], options: RunOptions): Promise<unknown> {
    const signature = signatureOf(this.usesThis ? thisArg : undefined, args);
    const entry = this.entries.get(signature.key);
    if (entry) {
      this.entries.delete(signature.key);
      this.entries.set(signature.key, entry);
    }
    if (entry?.graph) {
      // A tape records only while synchronous code runs: an async call would give it only its first step.
      if ((tf.engine().state as unknown as { gradientDepth: number }).gradientDepth > 0) {
        return this.opByOp(staged, thisArg, args, options, 'a gradient tape is recording');
      }
      return this.replay(entry, signature, staged, thisArg, args, options);
    } else if (entry?.fallback !== undefined && !entry.retryable) {
      return this.opByOp(staged, thisArg, args, options, entry.fallback);
    }
    return this.trace(signature, staged, thisArg, args, options);
  }

  /**
   * Replays the graph of this call's signature again, without tracing and without updating `lastRun`:
   * undefined when the call would not replay (no graph yet, a gradient tape recording, a guard that
   * fails). For checks that a replay gives what the trace
   * gave; `random` says whether the graph draws random numbers, which a replay draws afresh.
   */
  async replayOnly(
    thisArg: unknown,
    args: unknown[],
    options: RunOptions,
  ): Promise<{ value: unknown; random: boolean } | undefined> {
    const signature = signatureOf(this.usesThis ? thisArg : undefined, args);
    const entry = this.entries.get(signature.key);
    if (!entry?.graph) return undefined;
    if ((tf.engine().state as unknown as { gradientDepth: number }).gradientDepth > 0) return undefined;
    const plan = planOf(entry, signature);
    try {
      const value = await drive(replay(plan, signature.inputs, { kernels: 0, reads: 0 }), this.name, options);
      return { value, random: drawsRandom(plan.body) };
    } catch (error) {
      if (error instanceof GuardFailure) return undefined;
      throw error;
    }
  }

  private opByOp(staged: Staged, thisArg: unknown, args: unknown[], options: RunOptions, reason: string) {
    this.lastRun = { how: 'eager', reason };
    return drive(staged().apply(thisArg, args), this.name, options);
  }

  private replay(
    entry: Entry,
    signature: Signature,
    staged: Staged,
    thisArg: unknown,
    args: unknown[],
    options: RunOptions,
  ): Promise<unknown> {
    const stats: ReplayStats = { kernels: 0, reads: 0 };
    this.lastRun = { how: 'replayed' };
    return drive(replay(planOf(entry, signature), signature.inputs, stats), this.name, options).then(
      (result) => {
        entry.last = stats;
        this.lastRun = { how: 'replayed', kernels: stats.kernels, reads: stats.reads };
        return result;
      },
      (error: unknown) => {
        if (!(error instanceof GuardFailure)) throw error;
        // The replay showed nothing and changed no variable: one that may stop at a guard holds its prints
        // back and puts the variables back (graph/executor.ts).
        return this.trace(signature, staged, thisArg, args, options);
      },
    );
  }

  private trace(
    signature: Signature,
    staged: Staged,
    thisArg: unknown,
    args: unknown[],
    options: RunOptions,
  ): Promise<unknown> {
    // A replay runs tf's kernels, not the function's JavaScript: a change to an object the function did
    // not make would happen on the traced call only.
    if (changesObjectsOutside(staged())) {
      const reason =
        'it changes an object it did not make (an argument, this, or an object from outside), and a replay ' +
        'would not repeat that';
      this.store(signature.key, { fallback: reason });
      return this.opByOp(staged, thisArg, args, options, reason);
    }
    this.countTrace(signature);
    const recorder = new Recorder(signature.inputs);
    this.lastRun = { how: 'traced' };
    return drive(staged().apply(thisArg, args), this.name, options, recorder).then((result) => {
      const graph = recorder.finish(result);
      const entry = this.entries.get(signature.key);
      if (!graph) {
        this.lastRun = { how: 'eager', reason: recorder.failure };
        if (!entry?.graph) this.store(signature.key, { fallback: recorder.failure, retryable: recorder.retryable });
        return result;
      }
      if (entry?.graph) {
        const mismatch = mergeInto(entry.graph, graph);
        if (entry.plan) disposeGraph(entry.plan);
        entry.plan = undefined;
        if (mismatch) this.store(signature.key, { fallback: `two traces of one signature differ: ${mismatch}` });
      } else {
        this.store(signature.key, { graph });
      }
      return result;
    });
  }

  private store(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > MAX_SIGNATURES) {
      const [oldest, evicted] = this.entries.entries().next().value!;
      this.entries.delete(oldest);
      if (evicted.plan) disposeGraph(evicted.plan);
    }
  }

  /** Counts a trace, and warns once, at the RETRACE_WARNING-th, which argument keeps changing. */
  private countTrace(signature: Signature): void {
    this.traces++;
    this.recent.push(signature.parts);
    if (this.recent.length > RETRACE_WARNING) this.recent.shift();
    if (this.traces < RETRACE_WARNING || this.warned) return;
    this.warned = true;
    const width = Math.max(...this.recent.map((parts) => parts.length));
    let changing = -1;
    let most = 1;
    for (let i = 0; i < width; i++) {
      const distinct = new Set(this.recent.map((parts) => parts[i])).size;
      if (distinct > most) [changing, most] = [i, distinct];
    }
    const which =
      changing < 0
        ? 'its arguments keep changing'
        : `argument ${changing + 1}${this.paramNames[changing] ? ` ('${this.paramNames[changing]}')` : ''} ` +
          `has had ${most} different signatures in the last ${this.recent.length} calls`;
    console.warn(
      `tfjs-autograph: '${this.name}' was traced ${this.traces} times: ${which}. Each new signature (tensor ` +
        'dtype or shape, plain value, object) traces again. Pass a value that changes as a tensor, such as ' +
        "tf.scalar(n), or run the function with { mode: 'eager' }.",
    );
  }

  /** The summary of the graph for these arguments, tracing it first if needed (the call runs). */
  async summary(
    staged: Staged,
    thisArg: unknown,
    args: unknown[],
    options: RunOptions,
  ): Promise<GraphSummary | { fallback: string }> {
    const runOnce = async () => {
      const result = await this.run(staged, thisArg, args, options);
      const given = new Set([thisArg, ...args].flatMap((arg) => [...(reachableTensors(arg) ?? [])]));
      for (const t of reachableTensors(result) ?? []) if (!given.has(t) && !(t instanceof tf.Variable)) t.dispose();
    };
    const key = signatureOf(this.usesThis ? thisArg : undefined, args).key;
    if (!this.entries.get(key)?.graph) await runOnce();
    const entry = this.entries.get(key);
    if (!entry?.graph) return { fallback: entry?.fallback ?? this.lastRun.reason ?? 'the call was not traced' };
    await runOnce();
    const last = this.entries.get(key)?.last ?? { kernels: 0, reads: 0 };
    const graph = this.entries.get(key)?.plan;
    if (!graph) return { fallback: this.entries.get(key)?.fallback ?? 'the call was not traced' };
    return summarize(graph, last.kernels, last.reads, this.entries.get(key)?.notFused);
  }
}

/** Whether a block, or one nested in it, draws random numbers. */
const drawsRandom = (block: Block): boolean =>
  block.nodes.some((node) => node.kind === 'random' || nodeBlocks(node).some(drawsRandom));

/** Frees the constants a replayed graph wrote to the backend. */
function disposeGraph(graph: Graph): void {
  const visit = (nodes: Graph['body']['nodes']) => {
    for (const node of nodes) {
      if (node.kind === 'constant') {
        for (const data of [node.data, node.hostData]) data?.backend.disposeData(data.dataId);
        node.data = node.hostData = undefined;
      } else if (node.kind === 'if') {
        for (const branch of node.branches) if (branch) visit(branch.nodes);
      } else if (node.kind === 'loop') {
        for (const block of node.blocks) visit(block.nodes);
      }
    }
  };
  visit(graph.body.nodes);
}
