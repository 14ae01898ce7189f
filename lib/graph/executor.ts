// Replays a graph: calls each kernel directly, reads only staged conditions, frees values at their last use.

import { StagingError } from '../errors.js';
import { isTruthy } from '../operators/conditions.js';
import { currentCallScope } from '../operators/memory.js';
import { PendingText } from '../operators/printing.js';
import { enterLoop } from '../operators/progress.js';
import { tf, type DataType, type Tensor } from '../operators/tensors.js';
import { TOTAL_KERNELS } from './kernels.js';
import {
  nodeBlocks,
  nodeInputs,
  nodeOutputs,
  mayStopAtGuard,
  usesOf,
  onlyComputes,
  sameTypes,
  Slot,
  type Block,
  type ConstantNode,
  type EffectNode,
  type Graph,
  type IfNode,
  type LoopNode,
  type Node,
  type ValueId,
} from './graph.js';
import { hostSizeLimit, runsOnHost } from './placement.js';
import { countingLoop, positionConditions, stepsByOne } from './trip_count.js';

/** What a kernel takes and gives: a tensor's data, shape and dtype, without the engine's bookkeeping. */
interface Info {
  dataId: object;
  shape: number[];
  dtype: DataType;
}

interface Backend {
  incRef(dataId: object): void;
  disposeData(dataId: object, force?: boolean): boolean;
  read(dataId: object): Promise<ArrayLike<number>>;
  readSync(dataId: object): ArrayLike<number>;
  write(values: unknown, shape: number[], dtype: DataType): object;
}

type KernelFunc = (args: { inputs: Record<string, Info> | Info[]; attrs: unknown; backend: Backend }) => Info | Info[];

/** A replay reached a branch or loop body the trace never ran: the call must be traced again. */
export class GuardFailure extends Error {
  constructor(readonly where: string) {
    super(`graph mode reached ${where} that no trace has run`);
  }
}

/**
 * What a replay that may stop at a guard part-way (graph.ts mayStopAtGuard) holds back, so that the call
 * traced again after it does not show twice what it did: its prints, in order, with the tensors they
 * print; and the value each variable it assigns had before.
 */
interface Held {
  prints: { node: EffectNode; args: never[]; made: Tensor[] }[];
  before: Map<tf.Variable, Tensor>;
}

/** What a replay counts, for graph summaries and benchmarks. */
export interface ReplayStats {
  kernels: number;
  reads: number;
}

/** What a replay needs to know about a block, worked out once. */
interface Compiled {
  /** Per node, the values whose last use in the block it is. */
  free: ValueId[][];
  /** The values the block's nodes define. */
  defined: Set<ValueId>;
  /** Whether the block never waits (no effect, if or loop): it runs without a generator. */
  straight: boolean;
  /** For a loop's block, per node, whether it may run ahead (see `aheadNodes`); undefined if none does. */
  ahead: boolean[] | undefined;
}

const compiledBlocks = new WeakMap<Block, Compiled>();

function compile(block: Block): Compiled {
  const cached = compiledBlocks.get(block);
  if (cached) return cached;
  const owned = new Set<ValueId>();
  const defined = new Set<ValueId>();
  for (const node of block.nodes) {
    for (const id of nodeOutputs(node)) defined.add(id);
    if (node.kind === 'kernel' || node.kind === 'if' || node.kind === 'loop')
      for (const id of node.outputs) owned.add(id);
  }
  const last = new Map<ValueId, number>();
  block.nodes.forEach((node, i) => {
    for (const id of nodeOutputs(node)) if (owned.has(id)) last.set(id, i);
    for (const id of usesOf(node)) if (owned.has(id)) last.set(id, i);
  });
  for (const id of block.results) last.delete(id);
  const free: ValueId[][] = block.nodes.map(() => []);
  for (const [id, i] of last) free[i]!.push(id);
  const straight = block.nodes.every((n) => n.kind !== 'effect' && n.kind !== 'if' && n.kind !== 'loop');
  const compiled = { free, defined, straight, ahead: aheadNodes(block, defined) };
  compiledBlocks.set(block, compiled);
  return compiled;
}

/**
 * Which nodes of a loop's block may run before the read that decides whether the iteration runs at all:
 * kernels that give a value for any data, constants, outside tensors, and variable reads before anything
 * in the block may assign, each on values the block starts with or that such nodes give. Their results are
 * dropped when the loop ends there instead. Undefined when no kernel may.
 */
function aheadNodes(block: Block, defined: ReadonlySet<ValueId>): boolean[] | undefined {
  const ready = new Set<ValueId>();
  let assigns = false;
  const ahead = block.nodes.map((node) => {
    const inputsReady = nodeInputs(node).every((id) => !defined.has(id) || ready.has(id));
    let runs = false;
    if (node.kind === 'constant' || node.kind === 'capture') runs = true;
    else if (node.kind === 'variable') runs = !assigns && inputsReady;
    else if (node.kind === 'kernel') runs = TOTAL_KERNELS.has(node.name) && !node.shapes && inputsReady;
    else if (node.kind !== 'effect' && node.kind !== 'random') assigns = true;
    if (runs) for (const id of nodeOutputs(node)) ready.add(id);
    return runs;
  });
  return block.nodes.some((node, i) => ahead[i] && node.kind === 'kernel') ? ahead : undefined;
}

const outsideOf = new WeakMap<Node, ValueId[]>();

/** The constant node each constant's data belongs to. */
const constantOf = new WeakMap<object, ConstantNode>();

/** The values a loop reads from outside it, each once. */
function outsideValues(node: LoopNode): ValueId[] {
  let values = outsideOf.get(node);
  if (!values) {
    values = [...new Set(usesOf(node))];
    outsideOf.set(node, values);
  }
  return values;
}

/** The variables a loop reads or assigns, in any block nested in it, resolved by `variableOf`. */
function variablesIn(
  node: LoopNode,
  variableOf: (node: Extract<Node, { kind: 'variable' | 'assign' }>) => tf.Variable,
): Set<tf.Variable> {
  const found = new Set<tf.Variable>();
  const visit = (block: Block) => {
    for (const child of block.nodes) {
      if (child.kind === 'variable' || child.kind === 'assign') found.add(variableOf(child));
      nodeBlocks(child).forEach(visit);
    }
  };
  node.blocks.forEach(visit);
  return found;
}

/**
 * One replay. Values live in `env`; those the replay owns (kernel outputs, and what ifs and loops give)
 * are also in `owned`, so that an error or an abort frees them all.
 */
class Replay {
  readonly env = new Map<ValueId, Info>();
  readonly owned = new Set<Info>();
  readonly backend: Backend;
  readonly kernels = new Map<string, KernelFunc>();
  readonly syncReads: boolean;
  /** Whether tf.profile is recording: kernels then run through the engine, which profiles them. */
  readonly profiled: boolean;
  readonly stats: ReplayStats = { kernels: 0, reads: 0 };
  readonly maximumIterations = currentCallScope()?.maximumIterations;
  /** Variables this replay created, and whether the traced call disposed its own before it ended. */
  readonly created: [tf.Variable, boolean][] = [];
  /**
   * For the part of a replay that runs on the CPU: the value of each variable its loop reads or assigns,
   * a copy on the CPU holding a reference of its own, read once from the graph's backend before the loop
   * and written back after it (those in `assignedOnHost`).
   */
  readonly hostVariables = new Map<tf.Variable, Info>();
  readonly assignedOnHost = new Set<tf.Variable>();
  /** Set when the replay may stop at a guard: what it holds back until it ends (shared with its CPU part). */
  held: Held | undefined;
  /** The block of the counting loop running now, and its position there (graph/trip_count.ts). */
  private counting: { block: Block; position: number; value: number } | undefined;

  /**
   * A replay on the active backend, or (`backendName` 'cpu', `host`) the part of one that runs on the CPU
   * while the active backend is a GPU.
   */
  constructor(
    readonly backendName = tf.getBackend(),
    readonly host = false,
  ) {
    this.backend = (host ? tf.findBackend(backendName) : tf.backend()) as unknown as Backend;
    // The CPU and wasm backends hold values in memory: a synchronous read waits for nothing.
    this.syncReads = backendName === 'cpu' || backendName === 'wasm';
    this.profiled = !host && (tf.engine().state as unknown as { profiling: boolean }).profiling;
  }

  kernel(name: string): KernelFunc {
    let kernel = this.kernels.get(name);
    if (!kernel) {
      const found = tf.getKernel(name, this.backendName);
      if (!found) throw new Error(`Kernel '${name}' is not registered for backend '${this.backendName}'.`);
      kernel = found.kernelFunc as unknown as KernelFunc;
      this.kernels.set(name, kernel);
    }
    return kernel;
  }

  own(info: Info): Info {
    this.owned.add(info);
    return info;
  }

  free(info: Info): void {
    if (!this.owned.delete(info)) return;
    if (info instanceof tf.Tensor) info.dispose();
    else this.backend.disposeData(info.dataId);
  }

  /** A reference of the replay's own to `info`'s data, so that it can be handed on or freed independently. */
  share(info: Info): Info {
    this.backend.incRef(info.dataId);
    return this.own({ dataId: info.dataId, shape: info.shape, dtype: info.dtype });
  }

  value(id: ValueId): Info {
    const info = this.env.get(id);
    if (!info) throw new Error(`graph mode lost value ${id}`);
    return info;
  }

  /** A tensor object for `info`, holding a reference of its own. */
  tensor(info: Info): Tensor {
    this.backend.incRef(info.dataId);
    const tensorInfo = { dataId: info.dataId, shape: info.shape, dtype: info.dtype };
    // On the CPU part of a replay, the data is the CPU backend's, not the active backend's.
    return this.host
      ? tf.engine().makeTensorFromTensorInfo(tensorInfo, this.backend as unknown as tf.KernelBackend)
      : tf.engine().makeTensorFromTensorInfo(tensorInfo);
  }

  /** The variable a `variable` or `assign` node reads or assigns: its own, or the one this replay created. */
  variableOf(node: Extract<Node, { kind: 'variable' | 'assign' }>): tf.Variable {
    const made = node.kind === 'variable' ? node.source : node.target;
    const variable = made === undefined ? node.variable : (this.value(made) as unknown as tf.Variable);
    if (variable.isDisposed) {
      // Op by op, reading it fails in tfjs ("Tensor is disposed"); a replay would read freed data.
      throw new StagingError(
        `The variable '${variable.name}' that the traced function ${node.kind === 'variable' ? 'reads' : 'assigns'} ` +
          'has been disposed. Keep it alive while the function is in use, or pass it as an argument.',
      );
    }
    return variable;
  }

  *read(info: Info): Generator<unknown, boolean, unknown> {
    const values = yield* this.readValues(info);
    return isTruthy(info as unknown as Tensor, values[0]!);
  }

  /** A value's elements, read back to the CPU: synchronously where the backend holds them there. */
  *readValues(info: Info): Generator<unknown, ArrayLike<number>, unknown> {
    this.stats.reads++;
    return this.syncReads
      ? this.backend.readSync(info.dataId)
      : ((yield this.backend.read(info.dataId)) as ArrayLike<number>);
  }

  /** Runs `block`, and returns its results, each owned by the caller. */
  *run(block: Block, ranAhead = false): Generator<unknown, Info[], unknown> {
    const compiled = compile(block);
    // A block that never waits runs as a plain loop: no generator step per node.
    if (compiled.straight) return this.runStraight(block, compiled, ranAhead);
    const { nodes } = block;
    const plan = compiled.free;
    const skip = ranAhead ? compiled.ahead : undefined;
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i]!;
      if (skip?.[i]) {
        this.freeAfter(plan[i]!);
        continue;
      }
      switch (node.kind) {
        case 'effect': {
          const made: Tensor[] = [];
          const args = this.rebuild(node.args, (info) => {
            const t = this.tensor(info);
            made.push(t);
            return t;
          }) as never[];
          // An assert runs now: one that passes shows nothing, and one that fails ends the call here.
          if (this.held && node.prints) this.held.prints.push({ node, args, made });
          else yield* runEffect(node, args, made);
          break;
        }
        case 'if': {
          const taken = this.decideOnHost(node, block) ?? (yield* this.read(this.value(node.condition)));
          const branch = node.branches[taken ? 0 : 1];
          if (!branch) throw new GuardFailure(`a branch of ${node.construct}`);
          const results = yield* this.run(branch);
          node.outputs.forEach((id, k) => this.env.set(id, results[k]!));
          break;
        }
        case 'loop': {
          // A fused loop counts rounds, not iterations: where the call counts iterations, the loop as
          // traced runs instead.
          const loop = this.maximumIterations !== undefined && node.unfused ? node.unfused : node;
          const onHost = this.onHost(loop);
          // The CPU part of a replay runs its inner loops there too, whatever `onHost` says of them.
          if (!this.host) lastPlacement.set(node, onHost);
          if (onHost) yield* this.runOnHost(loop, block);
          else yield* this.runLoop(loop, block);
          break;
        }
        default:
          this.step(node);
      }
      this.freeAfter(plan[i]!);
    }
    return this.results(block, compiled);
  }

  private runStraight(block: Block, compiled: Compiled, ranAhead: boolean): Info[] {
    const { nodes } = block;
    const plan = compiled.free;
    const skip = ranAhead ? compiled.ahead : undefined;
    for (let i = 0; i < nodes.length; i++) {
      if (!skip?.[i]) this.step(nodes[i]!);
      this.freeAfter(plan[i]!);
    }
    return this.results(block, compiled);
  }

  private freeAfter(ids: ValueId[]): void {
    for (let k = 0; k < ids.length; k++) {
      const id = ids[k]!;
      const info = this.env.get(id);
      if (info) this.free(info);
      this.env.delete(id);
    }
  }

  /** Results become the caller's: a value this block owns moves once; anything else is shared. */
  private results(block: Block, compiled: Compiled): Info[] {
    const moved = new Set<Info>();
    return block.results.map((id) => {
      const info = this.value(id);
      if (compiled.defined.has(id) && this.owned.has(info) && !moved.has(info)) {
        moved.add(info);
        return info;
      }
      return this.share(info);
    });
  }

  /** A node that never waits. */
  step(node: Node): void {
    switch (node.kind) {
      case 'kernel':
        this.runKernel(node);
        break;
      case 'constant': {
        // Written to the backend once, outside the engine's count of tensors: it lives as long as the graph.
        const field = this.host ? 'hostData' : 'data';
        node[field] ??= {
          dataId: this.backend.write(
            node.dtype === 'string' ? (node.values as string[]).map((text) => tf.util.encodeString(text)) : node.values,
            node.shape,
            node.dtype,
          ),
          shape: node.shape,
          dtype: node.dtype,
          backend: this.backend,
        };
        constantOf.set(node[field], node);
        this.env.set(node.output, node[field] as Info);
        break;
      }
      case 'variable': {
        const variable = this.variableOf(node);
        if (this.host) {
          this.env.set(node.output, this.share(this.hostVariables.get(variable)!));
          break;
        }
        this.env.set(node.output, { dataId: variable.dataId, shape: variable.shape, dtype: variable.dtype });
        break;
      }
      case 'capture':
        if (node.tensor.isDisposed) {
          throw new StagingError(
            'A tensor the traced function uses from outside (a closure or module value) has been disposed. ' +
              'Keep it alive while the function is in use, or pass it as an argument.',
          );
        }
        this.env.set(node.output, node.tensor as unknown as Info);
        break;
      case 'random': {
        // A new draw, tracked by the engine: kept from the call's scope, and freed like a kernel's tensor.
        const drawn = node.draw();
        tf.keep(drawn);
        this.env.set(node.output, this.own(drawn));
        break;
      }
      case 'assign': {
        const variable = this.variableOf(node);
        if (this.host) {
          // The CPU copy changes; the variable itself when the loop ends.
          const info = this.value(node.input);
          this.backend.incRef(info.dataId);
          const old = this.hostVariables.get(variable);
          this.hostVariables.set(variable, { dataId: info.dataId, shape: info.shape, dtype: info.dtype });
          if (old) this.backend.disposeData(old.dataId);
          this.assignedOnHost.add(variable);
          break;
        }
        const value = this.tensor(this.value(node.input));
        this.assign(variable, value);
        value.dispose();
        break;
      }
      case 'newVariable': {
        const initial = this.tensor(this.value(node.input));
        const variable = tf.variable(initial, node.trainable, undefined, node.dtype);
        initial.dispose();
        this.created.push([variable, node.disposed]);
        this.env.set(node.output, variable as unknown as Info);
        break;
      }
      default:
        throw new Error(`graph mode cannot run a ${node.kind} node without waiting`);
    }
  }

  private runKernel(node: Extract<Node, { kind: 'kernel' }>): void {
    if (node.name === 'GatherV2' && this.takesItem(node)) return;
    let inputs: Record<string, Info> | Info[];
    if (node.inputKeys) {
      const named: Record<string, Info> = {};
      node.inputKeys.forEach((key, k) => (named[key] = this.value(node.inputs[k]!)));
      inputs = named;
    } else {
      inputs = node.inputs.map((id) => this.value(id));
    }
    const outputs = this.invoke(node.name, inputs, node.attrs);
    // Every output is owned before any is checked, so that a guard that fails frees them all.
    outputs.forEach((info, k) => this.env.set(node.outputs[k]!, this.own(info)));
    outputs.forEach((info, k) => {
      const traced = node.shapes?.[k];
      if (traced && (traced.length !== info.shape.length || traced.some((d, j) => d !== info.shape[j]))) {
        throw new GuardFailure(`kernel ${node.name} giving another shape than it did in the trace`);
      }
    });
  }

  /**
   * Runs `GatherV2(x, position)`, which takes the item a counting loop is at (a for-of over a tensor), as
   * a slice: the position is known on the CPU, and tfjs's gather walks elements one by one where a slice
   * copies a block. Returns false for any other gather, which runs as traced.
   */
  private takesItem(node: Extract<Node, { kind: 'kernel' }>): boolean {
    const counting = this.counting;
    const keys = node.inputKeys;
    if (!counting || !keys || node.attrs['axis'] !== 0 || Number(node.attrs['batchDims'] ?? 0) !== 0) return false;
    if (node.inputs[keys.indexOf('indices')] !== counting.block.params[counting.position]) return false;
    const x = this.value(node.inputs[keys.indexOf('x')]!);
    const position = counting.value;
    if (!(position >= 0 && position < x.shape[0]!)) return false;
    const rest = x.shape.slice(1);
    const row = this.own(
      this.invoke('Slice', { x }, { begin: [position, ...rest.map(() => 0)], size: [1, ...rest] })[0]!,
    );
    const item = this.invoke('Reshape', { x: row }, { shape: rest })[0]!;
    this.free(row);
    this.env.set(node.outputs[0]!, this.own(item));
    return true;
  }

  /**
   * A staged loop. The condition is read once per round. A round runs one iteration, and when the loop's
   * body only computes (see `speculates`), more before reading: the conditions those iterations give are
   * read together, and the values of the iteration whose condition first fails are the loop's results
   * (later iterations ran past the end, on values the program never looks at). Rounds grow 1, 2, 4, ...
   * up to MAX_ROUND iterations: O(log n) reads for at most about twice the work, and the count that
   * maximumIterations checks stays exact.
   */
  private *runLoop(node: LoopNode, parent: Block): Generator<unknown, void, unknown> {
    let carried = node.carried.map((id) => this.share(this.value(id)));
    const counted = yield* this.tripCount(node, parent);
    const trips = counted?.trips;
    // The call's outermost loop reports its progress where its trip count is known (operators/progress.ts).
    const ticket = enterLoop(trips);
    let ranToEnd = false;
    let condition = this.value(node.condition);
    let ownCondition = false;
    let count = 0;
    let round = 1;
    const limit = this.maximumIterations;
    const take = (next: Info) => {
      if (ownCondition) this.free(condition);
      condition = next;
      ownCondition = true;
    };
    /** The values of later iterations of a round, not yet known to be the loop's. */
    let pending: Info[][] = [];
    /** Whether the last round's read already says the condition holds. */
    let holds = false;
    /** The variables' values the iteration about to run read ahead (`readLoopCondition`). */
    let aheadVariables: Info[] = [];
    try {
      for (;;) {
        let ranAhead: Block | undefined;
        if (trips !== undefined) {
          if (count >= trips) break;
        } else if (!holds) {
          const [goesOn, ahead, variables] = yield* this.readLoopCondition(node, condition, carried);
          if (!goesOn) break;
          ranAhead = ahead;
          aheadVariables = variables;
        }
        holds = false;
        if (limit !== undefined && count >= limit) throw tooManyIterations(node.construct, limit);
        // Where reads do not wait (cpu, wasm, a loop on the CPU) a replay would otherwise never give the
        // driver a turn: each iteration does, so that the call still yields to other tasks every 50 ms
        // and an AbortSignal stops it.
        yield;
        const block = node.blocks.find((b) => sameTypes(b.paramTypes, carried));
        if (!block) throw new GuardFailure(`an iteration of ${node.construct} with values of new dtypes or shapes`);
        const outer = this.counting;
        if (counted) this.counting = { block, position: counted.position, value: counted.start + count };
        let next: Info[];
        let nextCondition: Info;
        let given: Info[] = [];
        try {
          [next, nextCondition] = yield* this.iterate(block, carried, ranAhead === block);
          given = [...next, nextCondition];
        } finally {
          this.counting = outer;
          // A value read ahead that the iteration gives on as a carried value is the loop's now.
          for (const info of aheadVariables) if (!given.includes(info)) this.free(info);
          aheadVariables = [];
        }
        for (const info of carried) this.free(info);
        carried = next;
        take(nextCondition);
        count++;
        ticket.step();
        let iterations = Math.min(round, limit === undefined ? round : limit - count + 1);
        round = Math.min(round * 2, MAX_ROUND);
        // A round ends where the last run of this loop ended, if that is sooner: a loop that ends there
        // again runs no iteration past its end. Past that point, rounds grow from one again.
        const previous = lastTrips.get(node);
        if (previous !== undefined && count <= previous) {
          iterations = Math.min(iterations, previous - count + 1);
          if (count === previous) round = 1;
        }
        // On the CPU a read costs nothing: no iteration runs past the loop's end.
        if (iterations <= 1 || this.host || trips !== undefined || !speculates(block)) continue;
        // Each later iteration of the round, with the condition it ends on.
        const states: Info[][] = [carried];
        const conditions: Info[] = [condition];
        for (let k = 1; k < iterations; k++) {
          // A turn for the driver here too: a round of a fused loop may run long (graph/loop_fusion.ts).
          yield;
          const [results, further] = yield* this.iterate(block, states[k - 1]!);
          states.push(results);
          conditions.push(further);
        }
        pending = states.slice(1);
        const packed = this.call('Pack', conditions, { axis: 0 });
        const values = yield* this.readValues(packed);
        this.free(packed);
        // The first condition that fails ends the loop there; if none does, the round's last values go on.
        let last = 0;
        while (last < iterations - 1 && isTruthy(condition as unknown as Tensor, values[last]!)) last++;
        const finished = last < iterations - 1 || !isTruthy(condition as unknown as Tensor, values[last]!);
        carried = states[last]!;
        states.forEach((state, k) => k !== last && state.forEach((info) => this.free(info)));
        pending = [];
        conditions.slice(1).forEach((info, k) => k + 1 !== last && this.free(info));
        if (last > 0) take(conditions[last]!);
        count += last;
        if (finished) break;
        holds = true;
      }
      ranToEnd = true;
    } catch (error) {
      for (const info of [...carried, ...pending.flat()]) this.free(info);
      throw error;
    } finally {
      if (ownCondition) this.free(condition);
      ticket.leave(ranToEnd);
    }
    lastTrips.set(node, count);
    node.outputs.forEach((id, k) => this.env.set(id, carried[k]!));
  }

  /**
   * Reads a loop's condition. Where a read waits for the device (a GPU backend), the iteration it decides
   * starts first: the nodes of its block that may run ahead (`aheadNodes`) are sent to the device while
   * the read is under way, so that the device works while the CPU waits, and the loop keeps one read per
   * iteration without idling between them. When the loop ends there, their values are dropped. Gives
   * whether the loop goes on, and the block that ran ahead.
   */
  private *readLoopCondition(
    node: LoopNode,
    condition: Info,
    carried: Info[],
  ): Generator<unknown, [boolean, Block | undefined, Info[]], unknown> {
    const block = this.syncReads ? undefined : node.blocks.find((b) => sameTypes(b.paramTypes, carried));
    const ahead = block && !speculates(block) ? compile(block).ahead : undefined;
    if (!block || !ahead) return [yield* this.read(condition), undefined, []];
    this.stats.reads++;
    const reading = this.backend.read(condition.dataId);
    let goesOn = false;
    /** The variables' values read ahead, each with a reference of its own across the wait. */
    const variables: Info[] = [];
    try {
      block.params.forEach((id, k) => this.env.set(id, carried[k]!));
      block.nodes.forEach((n, i) => {
        if (!ahead[i]) return;
        this.step(n);
        // Code outside the call may assign or dispose the variable while the replay waits: the
        // iteration keeps the value it read, as any graph does.
        if (n.kind === 'variable') {
          const shared = this.share(this.value(n.output));
          this.env.set(n.output, shared);
          variables.push(shared);
        }
      });
      submitWork(this.backend);
      goesOn = isTruthy(condition as unknown as Tensor, ((yield reading) as ArrayLike<number>)[0]!);
    } catch (error) {
      // Failed before the read was waited for: it goes on, unobserved.
      reading.catch(() => undefined);
      throw error;
    } finally {
      if (!goesOn) {
        block.nodes.forEach((n, i) => ahead[i] && this.freeAfter(nodeOutputs(n)));
        for (const id of block.params) this.env.delete(id);
      }
    }
    return [goesOn, block, variables];
  }

  /**
   * How many iterations a counting loop (graph/trip_count.ts) runs, from one read of where its position
   * starts and ends; undefined for any other loop, which reads its condition.
   */
  private *tripCount(
    node: LoopNode,
    parent: Block,
  ): Generator<unknown, { trips: number; start: number; position: number } | undefined, unknown> {
    const counting = countingLoop(node, parent);
    if (!counting) return undefined;
    const known = (id: ValueId) => {
      const info = this.env.get(id);
      return info && constantOf.get(info);
    };
    if (!stepsByOne(counting, known)) return undefined;
    // Where the position starts, and how far it is from the end, in one read.
    const start = this.value(node.carried[counting.position]!);
    const left = this.call('Sub', { a: this.value(counting.end), b: start });
    const both = this.call('Pack', [left, start], { axis: 0 });
    this.free(left);
    try {
      const values = yield* this.readValues(both);
      return { trips: Math.max(0, Number(values[0])), start: Number(values[1]), position: counting.position };
    } finally {
      this.free(both);
    }
  }

  /**
   * Decides `node`, an if in the counting loop's block that runs now, on the CPU when its condition
   * depends only on the loop's position and constants; undefined when it does not, or the CPU backend is
   * missing: the condition is then read.
   */
  private decideOnHost(node: IfNode, block: Block): boolean | undefined {
    const counting = this.counting;
    if (counting?.block !== block || !tf.findBackend('cpu')) return undefined;
    const chain = positionConditions(block, counting.position).get(node);
    if (!chain) return undefined;
    const param = block.params[counting.position]!;
    const made = new Set(chain.flatMap((kernel) => kernel.outputs));
    const constants: ConstantNode[] = [];
    for (const id of new Set(chain.flatMap((kernel) => kernel.inputs))) {
      if (id === param || made.has(id)) continue;
      const constant = constantOf.get(this.value(id));
      if (!constant) return undefined;
      constants.push(constant);
    }
    const host = new Replay('cpu', true);
    try {
      host.env.set(param, host.written([counting.value], { dataId: {}, shape: [], dtype: 'int32' }));
      for (const constant of constants) host.step(constant);
      for (const kernel of chain) host.step(kernel);
      const condition = host.value(node.condition);
      this.stats.kernels += host.stats.kernels;
      return isTruthy(condition as unknown as Tensor, host.backend.readSync(condition.dataId)[0]!);
    } finally {
      host.release();
    }
  }

  /** Whether loop `node` runs on the CPU (graph/placement.ts), with the values it takes from outside. */
  private onHost(node: LoopNode): boolean {
    if (this.host || this.profiled || !runsOnHost(node, this.backendName)) return false;
    const limit = hostSizeLimit();
    return outsideValues(node).every((id) => {
      const info = this.value(id);
      const plain = info.dtype !== 'string' && info.dtype !== 'complex64';
      return plain && info.shape.reduce((a, b) => a * b, 1) <= limit;
    });
  }

  /**
   * Runs loop `node` on the CPU backend: the values it takes from outside are read once (tfjs keeps the
   * values of small tensors made on the CPU, so that is rarely a trip to the GPU), its conditions are
   * read on the CPU, and its results are written back to the graph's backend.
   */
  private *runOnHost(node: LoopNode, parent: Block): Generator<unknown, void, unknown> {
    const host = new Replay('cpu', true);
    host.held = this.held;
    try {
      for (const id of outsideValues(node)) {
        const info = this.value(id);
        // A variable this replay created is handed over as it is: its value is copied below.
        if (info instanceof tf.Variable) {
          host.env.set(id, info);
          continue;
        }
        const constant = constantOf.get(info);
        if (constant) {
          // A constant has a copy of its own on the CPU: no read.
          host.step(constant);
          continue;
        }
        const values = Array.from(yield* this.readValues(info));
        host.env.set(id, host.written(values, info));
      }
      // Each variable the loop uses, read once.
      for (const variable of variablesIn(node, (n) => host.variableOf(n))) {
        const info: Info = { dataId: variable.dataId, shape: variable.shape, dtype: variable.dtype };
        const values = yield* this.readValues(info);
        const copy = host.written(Array.from(values), info);
        host.owned.delete(copy);
        host.hostVariables.set(variable, copy);
      }
      yield* host.runLoop(node, parent);
      for (const id of node.outputs) {
        const info = host.value(id);
        this.env.set(id, this.written(Array.from(host.backend.readSync(info.dataId)), info));
      }
    } finally {
      // What the loop assigned goes back to the variables, also when it stopped part-way, as op by op.
      for (const variable of host.assignedOnHost) {
        const copy = host.hostVariables.get(variable)!;
        if (variable.isDisposed) continue;
        const info = this.written(Array.from(host.backend.readSync(copy.dataId)), copy);
        const value = this.tensor(info);
        this.assign(variable, value);
        value.dispose();
        this.free(info);
      }
      for (const copy of host.hostVariables.values()) host.backend.disposeData(copy.dataId);
      host.hostVariables.clear();
      this.stats.kernels += host.stats.kernels;
      host.release();
    }
  }

  /** Assigns `value` to `variable`, first keeping the value it had when the replay holds back what it does. */
  private assign(variable: tf.Variable, value: Tensor): void {
    if (this.held && !this.held.before.has(variable)) {
      const info = { dataId: variable.dataId, shape: variable.shape, dtype: variable.dtype };
      this.held.before.set(variable, this.tensor(info));
    }
    variable.assign(value);
  }

  /** Shows the prints held back, in order. */
  *showHeld(): Generator<unknown, void, unknown> {
    const prints = this.held?.prints ?? [];
    while (prints.length > 0) {
      const { node, args, made } = prints.shift()!;
      yield* runEffect(node, args, made);
    }
  }

  /** Puts back the values the variables had before the replay, and drops the prints held back. */
  undoHeld(): void {
    if (!this.held) return;
    for (const [variable, before] of this.held.before) if (!variable.isDisposed) variable.assign(before);
    this.dropHeld();
  }

  /** Frees what the replay held back. */
  dropHeld(): void {
    if (!this.held) return;
    for (const { made } of this.held.prints) for (const t of made) t.dispose();
    for (const before of this.held.before.values()) before.dispose();
    this.held.prints.length = 0;
    this.held.before.clear();
  }

  /** A new value of this replay's own, on its backend, holding `values`, with `like`'s shape and dtype. */
  private written(values: number[], like: Info): Info {
    const typed =
      like.dtype === 'int32'
        ? Int32Array.from(values)
        : like.dtype === 'bool'
          ? Uint8Array.from(values)
          : Float32Array.from(values);
    return this.own({
      dataId: this.backend.write(typed, [...like.shape], like.dtype),
      shape: [...like.shape],
      dtype: like.dtype,
    });
  }

  /** One iteration of a loop block: the next carried values, and the next condition. */
  private *iterate(block: Block, carried: Info[], ranAhead = false): Generator<unknown, [Info[], Info], unknown> {
    block.params.forEach((id, k) => this.env.set(id, carried[k]!));
    const results = yield* this.run(block, ranAhead);
    for (const id of block.params) this.env.delete(id);
    const condition = results.pop()!;
    return [results, condition];
  }

  /** Runs one kernel on values the replay holds, and owns its result. */
  call(name: string, inputs: Record<string, Info> | Info[], attrs: Record<string, unknown> = {}): Info {
    return this.own(this.invoke(name, inputs, attrs)[0]!);
  }

  /**
   * Runs kernel `name`: directly, or through the engine while tf.profile records, so that the profile
   * lists the replay's kernels. Tensors among the outputs are kept, so that no scope frees them under
   * the replay, which frees each at its last use.
   */
  private invoke(name: string, inputs: Record<string, Info> | Info[], attrs: Record<string, unknown>): Info[] {
    this.stats.kernels++;
    let out: Info | Info[];
    if (this.profiled) {
      const made: Tensor[] = [];
      const asTensor = (info: Info): Tensor => {
        if (info instanceof tf.Tensor) return info;
        const t = this.tensor(info);
        made.push(t);
        return t;
      };
      const tensors = Array.isArray(inputs)
        ? inputs.map(asTensor)
        : Object.fromEntries(Object.entries(inputs).map(([key, info]) => [key, asTensor(info)]));
      try {
        out = tf.engine().runKernel(name, tensors as tf.NamedTensorMap, attrs as tf.NamedAttrMap) as Info | Info[];
      } finally {
        made.forEach((t) => t.dispose());
      }
    } else {
      out = this.kernel(name)({ inputs, attrs, backend: this.backend });
    }
    const outputs = Array.isArray(out) ? out : [out];
    for (const info of outputs) if (info instanceof tf.Tensor) tf.keep(info);
    return outputs;
  }

  /** A template with its Slots filled: tensors by `make`. */
  rebuild(template: unknown, make: (info: Info, id: ValueId) => unknown, seen = new Map<object, unknown>()): unknown {
    if (template instanceof Slot) return make(this.value(template.id), template.id);
    if (template === null || typeof template !== 'object') return template;
    if (seen.has(template)) return seen.get(template);
    if (Array.isArray(template)) {
      const out: unknown[] = [];
      seen.set(template, out);
      for (const item of template) out.push(this.rebuild(item, make, seen));
      return out;
    }
    if (template instanceof PendingText) return new PendingText(this.rebuild(template.parts, make, seen) as unknown[]);
    if (Object.getPrototypeOf(template) === Object.prototype) {
      const out: Record<string, unknown> = {};
      seen.set(template, out);
      for (const [key, item] of Object.entries(template)) out[key] = this.rebuild(item, make, seen);
      return out;
    }
    return template;
  }

  /**
   * Frees everything the replay still owns, and the variables it created that the traced call disposed
   * (all of them when a guard stopped the replay: `failed`).
   */
  release(failed = false): void {
    for (const info of [...this.owned]) this.free(info);
    // A replay stopped by a guard is run again traced, which creates its variables anew.
    for (const [variable, disposed] of this.created)
      if ((disposed || failed) && !variable.isDisposed) variable.dispose();
    this.created.length = 0;
  }
}

/**
 * Sends the work a backend has batched to the device. tfjs's WebGPU backend records dispatches into a
 * command encoder and submits them at a read or when a batch is full (WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE);
 * this ends the batch as it does there: the open compute pass first, then the submit. Other backends
 * send work as they go.
 */
function submitWork(backend: Backend): void {
  const webgpu = backend as Partial<{
    commandEncoder: unknown;
    endComputePassEncoder(): void;
    submitQueue(): void;
  }>;
  if (!webgpu.commandEncoder || !webgpu.endComputePassEncoder || !webgpu.submitQueue) return;
  webgpu.endComputePassEncoder();
  webgpu.submitQueue();
}

/** Runs an effect node with its arguments, then frees the tensors made for them. */
function* runEffect(node: EffectNode, args: never[], made: Tensor[]): Generator<unknown, void, unknown> {
  try {
    yield* node.run(...args);
  } catch (error) {
    // The replay runs no converted code: the trace's frames say where the effect is written.
    if (error instanceof Error && typeof error.stack === 'string') error.stack += `\n${node.where}`;
    throw error;
  } finally {
    for (const t of made) t.dispose();
  }
}

/** Per graph, whether a replay of it may stop at a guard part-way, after effects. */
const stopsAfterEffects = new WeakMap<Graph, boolean>();

function tooManyIterations(construct: string, limit: number): StagingError {
  return new StagingError(
    `${construct[0]!.toUpperCase()}${construct.slice(1)} whose condition is a tensor ran ${limit} iterations ` +
      'without ending, the maximumIterations option of toGraph. Check that its condition can become false, or ' +
      'raise maximumIterations.',
  );
}

/**
 * The most iterations a loop runs between two reads of its condition. Past the loop's end a round's
 * work is wasted: 32 keeps that under a round while a loop of a few hundred iterations still needs
 * about a dozen reads.
 */
export const MAX_ROUND = 32;

const speculative = new WeakMap<Block, boolean>();

/**
 * How many iterations each loop ran the last time it ran: rounds of speculative iterations stop there,
 * so that a loop whose trip count repeats from call to call (an iteration to convergence on inputs of one
 * size) reads as few times as before without running past its end. Only a guess: a loop that runs longer
 * or shorter is as correct, and wastes at most what it would without it.
 */
const lastTrips = new WeakMap<LoopNode, number>();

/**
 * Whether iterations of a loop block may run past the loop's end and be discarded: it only computes
 * (kernels that cannot fail on any data, constants, variable reads; no effect, if or inner loop), and
 * gives values of the dtypes and shapes it takes, so that the same block runs again and a select can
 * choose between old and new values.
 */
/** Whether each loop ran on the CPU the last time a replay ran it (the sizes of its values decide). */
const lastPlacement = new WeakMap<LoopNode, boolean>();

/** Whether a replay last ran loop `node` on the CPU; undefined if none has run it. */
export const ranOnHost = (node: LoopNode): boolean | undefined => lastPlacement.get(node);

/** How many kernels of a loop's block start while the read that decides the iteration is under way. */
export function kernelsAhead(block: Block): number {
  const ahead = compile(block).ahead;
  return ahead ? block.nodes.filter((node, i) => ahead[i] && node.kind === 'kernel').length : 0;
}

export function speculates(block: Block): boolean {
  let known = speculative.get(block);
  if (known === undefined) {
    known = onlyComputes(block, TOTAL_KERNELS) && sameTypes(block.paramTypes, block.resultTypes.slice(0, -1));
    speculative.set(block, known);
  }
  return known;
}

/**
 * Replays `graph` with `inputs`, the tensors of the arguments in signature order, and returns the result.
 * Tensors in the result are new, except the inputs, variables and outside tensors it returns as they are.
 */
export function* replay(graph: Graph, inputs: Tensor[], stats?: ReplayStats): Generator<unknown, unknown, unknown> {
  const run = new Replay();
  let holds = stopsAfterEffects.get(graph);
  if (holds === undefined) stopsAfterEffects.set(graph, (holds = graph.effects && mayStopAtGuard(graph.body)));
  if (holds) run.held = { prints: [], before: new Map() };
  let stoppedByGuard = false;
  const byId = new Map<ValueId, Tensor>();
  graph.inputs.forEach((id, k) => {
    run.env.set(id, inputs[k] as unknown as Info);
    byId.set(id, inputs[k]!);
  });
  try {
    const results = yield* run.run(graph.body);
    yield* run.showHeld();
    graph.body.results.forEach((id, k) => run.env.set(id, results[k]!));
    const given = new Set<Info>();
    const output = run.rebuild(graph.output, (info, id) => {
      const original = byId.get(id) ?? objectOf(graph.body, id);
      if (original) return original;
      if (run.owned.has(info) && !given.has(info)) {
        given.add(info);
        run.owned.delete(info);
        if (info instanceof tf.Tensor) {
          info.kept = false;
          return info;
        }
        return tf.engine().makeTensorFromTensorInfo(info);
      }
      return run.tensor(info);
    });
    // Results listed more than once were shared for each listing; the spare references go.
    run.release();
    return output;
  } catch (error) {
    // Stopped by a guard, the call is traced again from the start: nothing of this replay may show.
    stoppedByGuard = error instanceof GuardFailure;
    if (stoppedByGuard) run.undoHeld();
    run.release(stoppedByGuard);
    throw error;
  } finally {
    try {
      // Stopped by an error of the program (an assert, maximumIterations) or an abort, what it printed
      // before shows, as op by op.
      if (!stoppedByGuard) yield* run.showHeld();
    } finally {
      run.dropHeld();
      // An abort ends the replay at a wait, past the catch above: what it owns is freed here.
      run.release();
      if (stats) {
        stats.kernels += run.stats.kernels;
        stats.reads += run.stats.reads;
      }
    }
  }
}

/** The variable or outside tensor a top-level value is, which a result gives back as it is. */
function objectOf(block: Block, id: ValueId): Tensor | undefined {
  for (const node of block.nodes) {
    if (node.kind === 'capture' && node.output === id) return node.tensor;
    if (node.kind === 'variable' && node.source === undefined && node.output === id) return node.variable;
  }
  return undefined;
}
