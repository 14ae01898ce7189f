// Records one traced call into a graph: hooks tfjs's engine while the call's own code runs.

import { reachableTensors } from '../operators/memory.js';
import { PendingText } from '../operators/printing.js';
import { adoptsDtype, sameWeakness, stagedValue } from '../operators/control_flow.js';
import { registerStandIn, type IfTrace, type LoopTrace, type Tracer } from '../operators/tracing.js';
import { isTensor, tf, type DataType, type Tensor } from '../operators/tensors.js';
import {
  slotsIn,
  danglingReference,
  sameTypes,
  freshValueId,
  Slot,
  type Block,
  type Graph,
  type EffectNode,
  type IfNode,
  type LoopNode,
  type NewVariableNode,
  type Node,
  type ValueId,
} from './graph.js';
import { changesOutside } from './local_purity.js';
import { countUntraced, mergeBlock } from './merge.js';

/** Kernels whose output shape depends on the data: a replay checks that the shapes are the ones traced. */
const DATA_SHAPED = new Set([
  'Unique',
  'NonMaxSuppressionV3',
  'NonMaxSuppressionV4',
  'NonMaxSuppressionV5',
  'Where',
  'SparseFillEmptyRows',
  'SparseReshape',
  'StringSplit',
  'StringNGrams',
]);

/** How many block variants (one per dtypes and shapes of the carried values) a loop may have. */
const MAX_LOOP_VARIANTS = 3;

/**
 * How deep branches traced untaken may nest (an untaken branch of an if inside an untaken branch): a
 * recursive function whose base case is a staged if would otherwise trace its recursion without end.
 */
const MAX_UNTAKEN_DEPTH = 4;
/** How many kernels the branches traced untaken may run in one trace, beyond which they stay untraced. */
const UNTAKEN_KERNEL_BUDGET = 50_000;

/** Ends the tracing of a branch that was not taken, leaving it untraced; the trace goes on. */
class UntakenBranchStop extends Error {}

const sameShape = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((size, i) => size === b[i]);

/**
 * Whether `t`, an output of one branch of an if, takes `dtype`, the other's: when it is a JavaScript number
 * (weakly typed) that `dtype` holds. A boolean stays bool, as true and 1 differ in JavaScript.
 */
const adopts = (t: Tensor, dtype: DataType) => (t.dtype === 'bool') === (dtype === 'bool') && adoptsDtype(t, dtype);

const describeType = (t: Tensor) => `${t.dtype}${t.rank === 0 ? '' : ` of shape [${t.shape.join(', ')}]`}`;

type Engine = Record<string, unknown> & { makeTensorFromTensorInfo(info: object): Tensor; nextTensorId(): number };
type RunKernel = (name: string, inputs: Record<string, Tensor> | Tensor[], attrs: Record<string, unknown>) => unknown;
type MakeTensor = (values: unknown, shape: number[], dtype: DataType, backend?: unknown) => Tensor;
type MakeVariable = (initial: Tensor, trainable?: boolean, name?: string, dtype?: DataType) => tf.Variable;

const engine = () => tf.engine() as unknown as Engine;
const backend = () => tf.backend() as unknown as { incRef(dataId: object): void };

/** A new tensor object sharing `t`'s data, so that a graph value has an object of its own. */
export function aliasOf(t: Tensor): Tensor {
  backend().incRef(t.dataId);
  const alias = engine().makeTensorFromTensorInfo({ dataId: t.dataId, shape: t.shape, dtype: t.dtype });
  sameWeakness(alias, t);
  return alias;
}

export class Recorder implements Tracer {
  /** Why the trace cannot be replayed, once something made it so. */
  failure: string | undefined;
  /** Whether the failure may pass on a later call (a variable the first call created exists then). */
  retryable = true;
  private readonly ids = new Map<Tensor, ValueId>();
  private readonly blocks: Block[];
  private readonly variableReads = new Map<tf.Variable, ValueId>();
  private readonly inputIds: ValueId[];
  /** Tensors with ids from here on were made during the trace. */
  private readonly firstTensorId: number;
  private depth = 0;
  /** Inside a random op the recorder draws itself: its Math.random and its tensor are expected. */
  private drawing = 0;
  /** How many staged ifs (and &&, ||, ?:) the code running now is inside. */
  private branches = 0;
  /** Copies the engine made inside a kernel (for the tape), and what each copies. */
  copies: [Tensor, Tensor][] = [];
  private permits = 0;
  private effects = false;
  /** How many branches traced without being taken the code running now is inside. */
  private untaken = 0;
  /** Kernels that branches traced untaken ran, against UNTAKEN_KERNEL_BUDGET. */
  private untakenKernels = 0;
  /** Why the branch traced untaken that runs now cannot be traced: set once, it stays untraced. */
  private untakenFailure: string | undefined;
  /** Whether a loop in the branch traced untaken that runs now stopped before its condition said so. */
  private truncated = false;
  /** Variables the call created, with their `newVariable` nodes. */
  private readonly created = new Map<tf.Variable, NewVariableNode>();
  private saved: Record<string, unknown> | null = null;

  constructor(inputs: Tensor[]) {
    this.firstTensorId = engine().nextTensorId() + 1;
    this.inputIds = inputs.map((t) => {
      const known = this.ids.get(t);
      if (known !== undefined) return known;
      const id = freshValueId();
      this.ids.set(t, id);
      return id;
    });
    this.blocks = [{ nodes: [], params: [], paramTypes: [], results: [], resultTypes: [] }];
  }

  private get block(): Block {
    return this.blocks[this.blocks.length - 1]!;
  }

  private push(node: Node): void {
    this.block.nodes.push(node);
  }

  get tracingUntaken(): boolean {
    return this.untaken > 0;
  }

  get inStagedBranch(): boolean {
    return this.branches > 0;
  }

  fail(reason: string, retryable = false): void {
    if (this.untaken > 0) {
      this.untakenFailure ??= reason;
      throw new UntakenBranchStop(reason);
    }
    if (this.failure !== undefined) return;
    this.failure = reason;
    this.retryable = retryable;
  }

  /** The graph value of a tensor the call uses, recording where it comes from the first time. */
  valueOf(t: Tensor): ValueId {
    const known = this.ids.get(t);
    if (known !== undefined) return known;
    const created = t instanceof tf.Variable ? this.created.get(t) : undefined;
    if (created) {
      // Read as a variable from outside is, afresh in each block, but each replay reads its own.
      const read = this.variableReads.get(t as tf.Variable);
      if (read !== undefined) return read;
      const id = freshValueId();
      this.variableReads.set(t as tf.Variable, id);
      this.push({ kind: 'variable', variable: t as tf.Variable, source: created.output, output: id });
      return id;
    }
    if (t instanceof tf.Variable) {
      if (t.id >= this.firstTensorId) {
        this.fail(
          `the call creates tf.Variable '${t.name}'; variables made inside a traced function would be new on ` +
            'every call, so create them outside it (graph mode traces again on the next call)',
          true,
        );
      }
      const read = this.variableReads.get(t);
      if (read !== undefined) return read;
      const id = freshValueId();
      this.variableReads.set(t, id);
      this.push({ kind: 'variable', variable: t, output: id });
      return id;
    }
    const id = freshValueId();
    if (t.id >= this.firstTensorId) {
      this.fail('a tensor reached the call from work graph mode does not record (an async callee, or another call)');
    } else {
      this.ids.set(t, id);
      // Outside tensors are the same on every iteration and branch: they belong to the whole graph.
      this.blocks[0]!.nodes.unshift({ kind: 'capture', tensor: t, output: id });
    }
    return id;
  }

  private define(t: Tensor): ValueId {
    const id = freshValueId();
    this.ids.set(t, id);
    return id;
  }

  resume(): void {
    if (this.saved) return;
    const e = engine();
    const runKernel = e.runKernel as RunKernel;
    const makeTensor = e.makeTensor as MakeTensor;
    const read = e.read as (dataId: object) => unknown;
    const readSync = e.readSync as (dataId: object) => unknown;
    const makeVariable = e.makeVariable as MakeVariable;
    const assign = tf.Variable.prototype.assign;
    const random = Math.random;
    this.saved = { runKernel, makeTensor, read, readSync, assign, random };
    // The hooks run as the engine's and a variable's methods, with their `this`: the recorder is named.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const recorder = this;
    e.runKernel = function (name: string, inputs: Record<string, Tensor> | Tensor[], attrs: Record<string, unknown>) {
      if (recorder.depth > 0 && name === 'Identity' && recorder.failure === undefined) {
        // The engine keeps copies of a kernel's inputs and outputs for the gradient tape: the same values.
        const out = runKernel.call(e, name, inputs, attrs) as Tensor;
        recorder.copies.push([out, (inputs as Record<string, Tensor>)['x']!]);
        return out;
      }
      if (recorder.depth > 0 || recorder.failure !== undefined) return runKernel.call(e, name, inputs, attrs);
      return recorder.kernel(() => runKernel.call(e, name, inputs, attrs), name, inputs, attrs);
    };
    e.makeTensor = function (values: unknown, shape: number[], dtype: DataType, backendArg?: unknown) {
      const t = makeTensor.call(e, values, shape, dtype, backendArg);
      if (recorder.depth === 0 && recorder.drawing === 0 && recorder.failure === undefined) {
        recorder.constant(t, values);
      }
      return t;
    };
    const checked = (original: (dataId: object) => unknown) =>
      function (dataId: object) {
        if (recorder.permits === 0) {
          recorder.fail(
            "the call reads a tensor's values into JavaScript (data(), dataSync(), array(), or an op that " +
              'reads), so later work depends on them in a way a graph cannot replay',
          );
        }
        return original.call(e, dataId);
      };
    e.read = checked(read);
    e.readSync = checked(readSync);
    e.makeVariable = function (initial: Tensor, trainable = true, name?: string, dtype?: DataType) {
      const variable = makeVariable.call(e, initial, trainable, name, dtype);
      if (recorder.depth === 0 && recorder.failure === undefined) {
        recorder.newVariable(variable, initial, trainable, name, dtype);
      }
      return variable;
    };
    tf.Variable.prototype.assign = function (this: tf.Variable, value: Tensor) {
      if (recorder.untaken > 0) recorder.fail(`a branch traced without being taken assigns '${this.name}'`);
      if (recorder.failure === undefined) recorder.assign(this, value);
      return assign.call(this, value);
    };
    registerStandIn(tf.Variable.prototype.assign, assign);
    Math.random = function () {
      // A branch traced without being taken draws values nobody uses: taking them from Math.random would
      // move its stream, which an op-by-op run, never running that branch, would not.
      if (recorder.drawing > 0) return recorder.untaken > 0 ? 0.5 : random();
      recorder.fail(
        'the call uses random numbers (Math.random, or a tf random op without a seed), which a replay would repeat',
      );
      return random();
    };
  }

  suspend(): void {
    const saved = this.saved;
    if (!saved) return;
    const e = engine();
    // The engine's own methods live on its prototype: removing the hooks uncovers them.
    for (const key of ['runKernel', 'makeTensor', 'read', 'readSync', 'makeVariable']) delete e[key];
    tf.Variable.prototype.assign = saved['assign'] as typeof tf.Variable.prototype.assign;
    Math.random = saved['random'] as () => number;
    this.saved = null;
  }

  private kernel(
    run: () => unknown,
    name: string,
    inputs: Record<string, Tensor> | Tensor[],
    attrs: Record<string, unknown>,
  ): unknown {
    const keys = Array.isArray(inputs) ? null : Object.keys(inputs).filter((key) => inputs[key] != null);
    const tensors = keys ? keys.map((key) => (inputs as Record<string, Tensor>)[key]!) : (inputs as Tensor[]);
    const inputIds = tensors.map((t) => this.valueOf(t));
    if (this.untaken > 0 && ++this.untakenKernels > UNTAKEN_KERNEL_BUDGET) {
      this.fail(`branches traced without being taken ran more than ${UNTAKEN_KERNEL_BUDGET} kernels`);
    }
    this.depth++;
    let out: unknown;
    try {
      out = run();
    } finally {
      this.depth--;
    }
    const outputs = (Array.isArray(out) ? out : [out]) as Tensor[];
    this.push({
      kind: 'kernel',
      name,
      inputKeys: keys,
      inputs: inputIds,
      attrs: { ...attrs },
      outputs: outputs.map((t) => this.define(t)),
      sizes: outputs.map((t) => t.size),
      types: outputs.map((t) => ({ dtype: t.dtype, shape: [...t.shape] })),
      ...(DATA_SHAPED.has(name) ? { shapes: outputs.map((t) => [...t.shape]) } : {}),
    });
    for (const [copy, source] of this.copies) this.ids.set(copy, this.valueOf(source));
    this.copies = [];
    return out;
  }

  private constant(t: Tensor, values: unknown): void {
    const copy = ArrayBuffer.isView(values)
      ? (values as unknown as { slice(): ArrayLike<number> }).slice()
      : Array.from(values as ArrayLike<number>);
    this.push({ kind: 'constant', values: copy, shape: [...t.shape], dtype: t.dtype, output: this.define(t) });
  }

  private assign(variable: tf.Variable, value: Tensor): void {
    this.effects = true;
    const created = this.created.get(variable);
    const input = this.valueOf(value);
    this.push({ kind: 'assign', variable, input, ...(created ? { target: created.output } : {}) });
    this.variableReads.delete(variable);
  }

  /**
   * `tf.variable(initial)` in the call: each replay creates its own. A named variable would clash with
   * the trace's on the next call, and one created inside a staged construct would be new on each
   * iteration or only on one branch: those end the trace.
   */
  private newVariable(
    variable: tf.Variable,
    initial: Tensor,
    trainable: boolean,
    name: string | undefined,
    dtype: DataType | undefined,
  ): void {
    if (name !== undefined || this.blocks.length > 1 || this.untaken > 0) {
      this.fail(
        `the call creates tf.Variable '${variable.name}'${name === undefined ? ' inside a staged if or loop' : ' by name'}; ` +
          'a replay would create it again, so create it outside the function, or unnamed and outside staged ifs and loops',
      );
      return;
    }
    const node: NewVariableNode = {
      kind: 'newVariable',
      input: this.valueOf(initial),
      trainable,
      dtype,
      disposed: false,
      output: freshValueId(),
    };
    // A replay stopped part-way would leave its variables behind: like an assignment, an effect.
    this.effects = true;
    this.created.set(variable, node);
    this.push(node);
  }

  random(draw: () => Tensor, name: string, args: unknown[]): Tensor {
    this.drawing++;
    let t: Tensor;
    try {
      t = draw();
    } finally {
      this.drawing--;
    }
    this.push({ kind: 'random', label: `tf.${name}`, args, draw, output: this.define(t) });
    return t;
  }

  localCall(fn: (...args: never[]) => unknown): void {
    // Inside a staged branch, the local function's own calls are checked as they run.
    if (this.branches === 0 || !changesOutside(fn)) return;
    this.fail(
      'a function defined in the traced one runs inside a staged if, &&, || or ?:, where what it changes outside ' +
        'itself (a variable it assigns) is not seen, so a replay could not repeat it',
    );
  }

  permitRead<T>(read: () => T): T {
    this.permits++;
    try {
      return read();
    } finally {
      this.permits--;
    }
  }

  /** Records an effect; `prints` when it writes to the console (a print, console.assert), not an assert. */
  effect(
    run: (...args: never[]) => Generator<unknown, unknown, unknown>,
    args: unknown[],
    label: string,
    prints: boolean,
  ): boolean {
    this.effects = true;
    // Where the effect is in converted code, so that an error it throws in a replay names the user's line.
    const where = (new Error().stack ?? '').split('\n').filter((frame) => frame.includes('autograph:///'));
    const node: EffectNode = {
      kind: 'effect',
      label,
      prints,
      run,
      args: this.template(args) as unknown[],
      where: where.join('\n'),
    };
    this.push(node);
    return this.untaken === 0;
  }

  /** `value` with each tensor replaced by the Slot of its graph value. */
  template(value: unknown, seen = new Map<object, unknown>()): unknown {
    if (isTensor(value)) return new Slot(this.valueOf(value));
    if (value === null || typeof value !== 'object') return value;
    if (seen.has(value)) return seen.get(value);
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      seen.set(value, out);
      for (const item of value) out.push(this.template(item, seen));
      return out;
    }
    if (value instanceof PendingText) return new PendingText(this.template(value.parts, seen) as unknown[]);
    if (Object.getPrototypeOf(value) === Object.prototype) {
      const out: Record<string, unknown> = {};
      seen.set(value, out);
      for (const [key, item] of Object.entries(value)) out[key] = this.template(item, seen);
      return out;
    }
    return value;
  }

  private openBlock(params: ValueId[], types: { dtype: DataType; shape: number[] }[]): void {
    // A block reads each variable afresh: an iteration sees the last one's assignments.
    this.variableReads.clear();
    this.blocks.push({ nodes: [], params, paramTypes: types, results: [], resultTypes: [] });
  }

  private closeBlock(results: Tensor[]): Block {
    const block = this.blocks.pop()!;
    this.variableReads.clear();
    block.results = results.map((t) => this.valueOf(t));
    block.resultTypes = results.map((t) => ({ dtype: t.dtype, shape: [...t.shape] }));
    return block;
  }

  beginIf(condition: Tensor, taken: boolean, keeps: 0 | 1 | null, carries: boolean): IfTrace {
    const node: IfNode = {
      kind: 'if',
      condition: this.valueOf(condition),
      conditionDtype: condition.dtype,
      branches: [null, null],
      outputs: [],
      construct: 'an if statement',
    };
    this.push(node);
    this.openBlock([], []);
    this.branches++;
    const ran = taken ? 0 : 1;
    let before: unknown[] = [];
    let names: string[] = [];
    /** The state after the branch taken, and which of its values are tensors (the if's outputs). */
    let state: unknown[] = [];
    const positions: number[] = [];
    /** Outputs whose value from the branch taken is weakly typed and takes the other branch's dtype. */
    const adoptions = new Map<number, DataType>();
    /** While the other branch is traced: the blocks open outside it, and the failure of an outer one. */
    let openBlocks = 0;
    let outerFailure: string | undefined;
    let outer = { untaken: 0, branches: 0, truncated: false };
    // Numbers and booleans leave a staged if as tensors, of the dtype the other branch fixes, if any.
    const asValues = (after: unknown[]) =>
      after.map((value, i) =>
        typeof value === 'number' || typeof value === 'boolean'
          ? stagedValue(value, undefined, names[i]!, node.construct)
          : value,
      );
    return {
      ran: (valuesBefore, after, variableNames, branch) => {
        this.branches--;
        before = valuesBefore;
        names = variableNames;
        if (branch && changesOutside(branch, carries)) {
          this.fail(
            carries
              ? 'a branch of a staged if changes something outside it (an object or list it did not make), ' +
                  'which a replay taking either branch would not do'
              : 'an operand of a staged &&, || or ?: assigns a variable or changes an object it did not make, ' +
                  'which a replay taking either branch would not do',
          );
        }
        state = asValues(after);
        state.forEach((value, i) => {
          if (isTensor(value)) positions.push(i);
          else if (!Object.is(value, before[i])) {
            this.fail(`'${names[i]}' gets a value in a staged if that is neither a tensor nor a number`);
          }
        });
        node.branches[ran] = this.closeBlock(positions.map((i) => state[i] as Tensor));
        if (keeps !== null && keeps !== ran) {
          // A missing else (the side of && or || that is its left operand) is known without running: it
          // keeps the values from before.
          this.openBlock([], []);
          const kept = positions.map((i) => {
            const previous = before[i];
            if (isTensor(previous)) return previous;
            if (typeof previous === 'number' || typeof previous === 'boolean') {
              return stagedValue(previous, (state[i] as Tensor).dtype, names[i]!, node.construct) as Tensor;
            }
            this.fail(`'${names[i]}' has a value after a staged if only when its condition holds`);
            return state[i] as Tensor;
          });
          node.branches[keeps] = this.closeBlock(kept);
        }
      },
      beginOther: (other) => {
        const known = node.branches[ran === 0 ? 1 : 0] !== null;
        if (known || this.failure !== undefined || this.untaken >= MAX_UNTAKEN_DEPTH) return false;
        if (this.untakenKernels > UNTAKEN_KERNEL_BUDGET || changesOutside(other, carries)) return false;
        outer = { untaken: this.untaken, branches: this.branches, truncated: this.truncated };
        this.untaken++;
        this.branches++;
        this.truncated = false;
        outerFailure = this.untakenFailure;
        this.untakenFailure = undefined;
        openBlocks = this.blocks.length;
        this.openBlock([], []);
        return true;
      },
      endOther: (after) => {
        // Counters as they were: code that threw inside may have left ifs it entered unfinished.
        const truncated = this.truncated;
        ({ untaken: this.untaken, branches: this.branches, truncated: this.truncated } = outer);
        const failed = after === undefined || this.untakenFailure !== undefined;
        this.untakenFailure = outerFailure;
        const otherState = failed ? [] : asValues(after);
        const sameOutputs =
          !failed &&
          this.blocks.length === openBlocks + 1 &&
          otherState.every((value, i) =>
            positions.includes(i) ? isTensor(value) : !isTensor(value) && Object.is(value, before[i]),
          );
        if (!sameOutputs) {
          // Left untraced: a call that takes it traces it then (and an output it lacks ends the graph).
          this.blocks.length = openBlocks;
          this.variableReads.clear();
          return;
        }
        let dropped = false;
        const results = positions.map((i) => otherState[i] as Tensor);
        const block = this.closeBlock(results);
        node.branches[ran === 0 ? 1 : 0] = block;
        positions.forEach((i, k) => {
          const mine = state[i] as Tensor;
          const theirs = results[k]!;
          if (mine.dtype === theirs.dtype && sameShape(mine.shape, theirs.shape)) return;
          if (sameShape(mine.shape, theirs.shape) && adopts(theirs, mine.dtype)) {
            this.castResult(block, k, theirs, mine.dtype);
          } else if (sameShape(mine.shape, theirs.shape) && adopts(mine, theirs.dtype)) {
            adoptions.set(k, theirs.dtype);
          } else if (truncated) {
            // The untaken branch ran its loops only a few iterations: its types may not be final. It is
            // traced when a call takes it, and nothing it said stands.
            dropped = true;
          } else {
            const [whenTrue, whenFalse] = ran === 0 ? [mine, theirs] : [theirs, mine];
            const subject = names[i] === '(value)' ? 'the value of a staged ?:, && or ||' : `'${names[i]}'`;
            this.fail(
              `${subject} is ${describeType(whenTrue)} after a staged if when its condition holds and ` +
                `${describeType(whenFalse)} when not; a graph's if gives it one dtype and shape, so cast or ` +
                "reshape one branch's value to match the other",
            );
          }
        });
        if (dropped) {
          node.branches[ran === 0 ? 1 : 0] = null;
          adoptions.clear();
        }
      },
      end: () => {
        const out = [...state];
        for (const [k, dtype] of adoptions) {
          const i = positions[k]!;
          out[i] = this.castResult(node.branches[ran]!, k, state[i] as Tensor, dtype);
        }
        for (const i of positions) {
          const alias = aliasOf(out[i] as Tensor);
          node.outputs.push(this.define(alias));
          out[i] = alias;
        }
        return out;
      },
    };
  }

  /** Casts result `k` of `block`, a closed branch, to `dtype`, recording the cast at the branch's end. */
  private castResult(block: Block, k: number, value: Tensor, dtype: DataType): Tensor {
    this.blocks.push(block);
    let cast: Tensor;
    try {
      cast = tf.cast(value, dtype);
    } finally {
      this.blocks.pop();
      this.variableReads.clear();
    }
    block.results[k] = this.valueOf(cast);
    block.resultTypes[k] = { dtype, shape: [...cast.shape] };
    return cast;
  }

  beginLoop(condition: Tensor, state: unknown[], construct: string): LoopTrace {
    const positions = state.flatMap((value, i) => (isTensor(value) ? [i] : []));
    const node: LoopNode = {
      kind: 'loop',
      construct,
      carried: positions.map((i) => this.valueOf(state[i] as Tensor)),
      condition: this.valueOf(condition),
      blocks: [],
      outputs: [],
    };
    this.push(node);
    // Inside a branch traced untaken, a few iterations show the loop's blocks: its values are never used.
    const untaken = this.untaken > 0;
    let iterations = 0;
    const checkPlain = (now: unknown[]) => {
      now.forEach((value, i) => {
        if (positions.includes(i)) {
          if (!isTensor(value)) this.fail(`a staged loop's variable stops being a tensor (${construct})`);
        } else if (!Object.is(value, state[i])) {
          this.fail(`a JavaScript value that ${construct} carries changes from one iteration to the next`);
        }
      });
    };
    return {
      beginIteration: (now) => {
        checkPlain(now);
        const params = positions.map((i) => {
          const alias = aliasOf(now[i] as Tensor);
          return [alias, this.define(alias)] as const;
        });
        this.openBlock(
          params.map(([, id]) => id),
          params.map(([t]) => ({ dtype: t.dtype, shape: [...t.shape] })),
        );
        const out = [...now];
        positions.forEach((i, k) => (out[i] = params[k]![0]));
        return out;
      },
      goesOn: () => {
        if (!untaken || iterations < MAX_LOOP_VARIANTS) return true;
        this.truncated = true;
        return false;
      },
      endIteration: (now, next) => {
        iterations++;
        checkPlain(now);
        if (!isTensor(next)) this.fail(`the condition of ${construct} stops being a tensor`);
        const results = positions.map((i) => (isTensor(now[i]) ? now[i] : condition));
        const block = this.closeBlock([...results, isTensor(next) ? next : condition]);
        const same = node.blocks.find((b) => sameTypes(b.paramTypes, block.paramTypes));
        if (same) {
          const map = new Map(block.params.map((id, k) => [id, same.params[k]!]));
          const mismatch = mergeBlock(same, block, map);
          if (mismatch) this.fail(`iterations of ${construct} run different work: ${mismatch}`);
        } else if (node.blocks.length >= MAX_LOOP_VARIANTS) {
          this.fail(`the dtypes or shapes of what ${construct} carries keep changing from one iteration to the next`);
        } else {
          node.blocks.push(block);
        }
      },
      end: (now) => {
        const out = [...now];
        for (const i of positions) {
          const alias = aliasOf(now[i] as Tensor);
          node.outputs.push(this.define(alias));
          out[i] = alias;
        }
        return out;
      },
    };
  }

  /** The graph of the finished call, or undefined when it failed. */
  finish(result: unknown): Graph | undefined {
    this.suspend();
    for (const [variable, node] of this.created) node.disposed = variable.isDisposed;
    const returned = [...this.created.keys()].find((variable) => reachableTensors(result)?.has(variable) ?? true);
    if (returned) {
      this.fail(
        `the call returns tf.Variable '${returned.name}', which it created; a replay would return a tensor ` +
          'instead: create the variable outside the function, or return tf.clone of it',
      );
    }
    if (this.blocks.length !== 1) this.fail('the call ended inside a staged construct');
    const output = this.template(result);
    if (this.failure !== undefined) return undefined;
    const body = this.blocks[0]!;
    body.results = slotsIn(output);
    const graph = { inputs: this.inputIds, body, output, untraced: countUntraced(body), effects: this.effects };
    const dangling = danglingReference(graph);
    if (dangling) {
      this.fail(`a tensor made inside a staged if or loop leaves it through an object, not a variable (${dangling})`);
      return undefined;
    }
    return graph;
  }
}
