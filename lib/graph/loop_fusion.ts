// Fuses staged loops whose test and body are elementwise into rounds of one kernel, each element iterating alone.

import {
  FUSED_KERNEL,
  expressionKey,
  isOpStep,
  isScalar,
  type Elementwise,
  type Scalar,
  type Step,
} from '../kernels/elementwise.js';
import { LOOP_ROUND_KERNEL, type FusedLoop } from '../kernels/loop_code.js';
import { MAX_INPUTS, canFuse, elementwiseOf, literalOf, literalValue, sizeOf } from './fusible.js';
import {
  freshValueId,
  usesOf,
  type Block,
  type ConstantNode,
  type KernelNode,
  type LoopNode,
  type Node,
  type ValueId,
  type ValueType,
} from './graph.js';

/**
 * Iterations per element in one round of a fused loop: a bound on how long one dispatch runs (a browser
 * resets a GPU whose dispatch runs for seconds), and on how long a round blocks the CPU between the
 * replay's turns to the driver. Loops over one element run longer rounds.
 */
const ROUND = 256;
const SCALAR_ROUND = 4096;

/**
 * On the CPU a round also blocks the event loop: its iterations are bounded so that it evaluates at most
 * this many kernels over elements (about 30 ms on a 2-core x86 machine, where one costs about 2 ns).
 */
const CPU_ROUND_WORK = 2 ** 24;

/** A value of a loop as an expression: carried values, values from outside, literals and kernels of them. */
type Term =
  | { kind: 'state'; index: number; dtype: Scalar }
  | { kind: 'outside'; id: ValueId; dtype: Scalar }
  | { kind: 'literal'; value: number; dtype: Scalar }
  | { kind: 'op'; op: string; args: number[]; dtype: Scalar; attrs?: Record<string, number | string> };

/** Terms, each made once (equal terms are the same number), simplified as they are made. */
class Terms {
  readonly list: Term[] = [];
  private readonly keys = new Map<string, number>();

  add(term: Term): number {
    const key = JSON.stringify(term);
    let id = this.keys.get(key);
    if (id === undefined) {
      id = this.list.length;
      this.list.push(term);
      this.keys.set(key, id);
    }
    return id;
  }

  literal(value: number, dtype: Scalar): number {
    return this.add({ kind: 'literal', value, dtype });
  }

  private valueOf(id: number): number | undefined {
    const term = this.list[id]!;
    return term.kind === 'literal' ? term.value : undefined;
  }

  /** Kernel `op` of `args`, with the identities a proof needs applied: selects of a known condition, x + 0. */
  op(op: string, args: number[], dtype: Scalar, attrs?: Record<string, number | string>): number {
    const [a, b] = args.map((x) => this.valueOf(x));
    switch (op) {
      case 'Select':
        if (a !== undefined) return a ? args[1]! : args[2]!;
        if (args[1] === args[2]) return args[1]!;
        break;
      case 'Cast':
        if (a !== undefined) {
          const value = dtype === 'bool' ? +(a !== 0) : dtype === 'int32' ? a | 0 : Math.fround(a);
          return this.literal(value, dtype);
        }
        if (this.list[args[0]!]!.dtype === dtype) return args[0]!;
        break;
      case 'Add':
        // Not in float32, where -0 + 0 is +0.
        if (dtype === 'float32') break;
        if (b === 0) return args[0]!;
        if (a === 0) return args[1]!;
        break;
      case 'Sub':
        if (b === 0) return args[0]!;
        break;
      case 'Multiply':
        if (b === 1) return args[0]!;
        if (a === 1) return args[1]!;
        break;
      case 'LogicalAnd':
        if (a === 0 || b === 0) return this.literal(0, 'bool');
        if (a === 1) return args[1]!;
        if (b === 1) return args[0]!;
        break;
      case 'LogicalOr':
        if (a === 1 || b === 1) return this.literal(1, 'bool');
        if (a === 0) return args[1]!;
        if (b === 0) return args[0]!;
        break;
      case 'LogicalNot':
        if (a !== undefined) return this.literal(+!a, 'bool');
        break;
      default:
        break;
    }
    return this.add(attrs ? { kind: 'op', op, args, dtype, attrs } : { kind: 'op', op, args, dtype });
  }

  /** `term` with each term in `replace` swapped for its replacement, simplified again. */
  substitute(term: number, replace: ReadonlyMap<number, number>, memo = new Map<number, number>()): number {
    const swapped = replace.get(term);
    if (swapped !== undefined) return swapped;
    const known = memo.get(term);
    if (known !== undefined) return known;
    const t = this.list[term]!;
    const result =
      t.kind === 'op'
        ? this.op(
            t.op,
            t.args.map((a) => this.substitute(a, replace, memo)),
            t.dtype,
            t.attrs,
          )
        : term;
    memo.set(term, result);
    return result;
  }

  /** Whether `term` is `x + 0` or `0 + x`. */
  addsZeroTo(term: number, x: number): boolean {
    const t = this.list[term]!;
    if (t.kind !== 'op' || t.op !== 'Add') return false;
    const [a, b] = t.args as [number, number];
    return (a === x && this.valueOf(b) === 0) || (b === x && this.valueOf(a) === 0);
  }

  /** Whether `term` reads a term that `test` accepts. */
  reads(term: number, test: (t: Term) => boolean, seen = new Set<number>()): boolean {
    if (seen.has(term)) return false;
    seen.add(term);
    const t = this.list[term]!;
    if (test(t)) return true;
    return t.kind === 'op' && t.args.some((a) => this.reads(a, test, seen));
  }
}

/** What a value is in a block: a kernel or constant node that defines it. */
type Definitions = Map<ValueId, KernelNode | ConstantNode>;

const definitionsOf = (nodes: readonly Node[]): Definitions => {
  const found: Definitions = new Map();
  for (const node of nodes) {
    if (node.kind === 'kernel' && node.outputs.length === 1) found.set(node.outputs[0]!, node);
    if (node.kind === 'constant') found.set(node.output, node);
  }
  return found;
};

interface Context {
  types: Map<ValueId, ValueType>;
  constants: Map<ValueId, ConstantNode>;
  /** Whether rounds run on the CPU (the cpu and wasm backends), where CPU_ROUND_WORK bounds them too. */
  cpu?: boolean;
}

/**
 * The term of value `id`: `special` gives the term of some values (carried ones) or null where a value
 * may not appear; values a fusible kernel of `defined` gives are that kernel of their inputs' terms;
 * one-element constants are literals; anything else is a value from outside. Undefined when a value the
 * term needs is neither.
 */
function termOf(
  id: ValueId,
  terms: Terms,
  defined: Definitions,
  context: Context,
  special: (id: ValueId) => number | null | undefined,
  memo: Map<ValueId, number | undefined>,
  local: ReadonlySet<ValueId>,
): number | undefined {
  if (memo.has(id)) return memo.get(id);
  memo.set(id, undefined);
  let result: number | undefined;
  const given = special(id);
  const literal = literalOf(id, context.constants);
  const node = defined.get(id);
  const type = context.types.get(id);
  if (given !== undefined) result = given ?? undefined;
  else if (literal) {
    const { value, dtype } = literalValue(literal);
    result = terms.literal(value, dtype);
  } else if (node?.kind === 'kernel' && canFuse(node, context.types)) {
    const args = node.inputs.map((input) => termOf(input, terms, defined, context, special, memo, local));
    if (args.every((a): a is number => a !== undefined)) {
      const { op, attrs } = elementwiseOf(node, context.types);
      result = terms.op(op, args, node.types![0]!.dtype as Scalar, attrs);
    }
  } else if (!local.has(id) && type && isScalar(type.dtype)) {
    result = terms.add({ kind: 'outside', id, dtype: type.dtype });
  }
  memo.set(id, result);
  return result;
}

/**
 * For terms of values outside the loop (its start values, its first test): the values the body reads from
 * outside are the body's terms for them, opaque, not their definitions expanded, so that a start value
 * computed from one compares equal to the body's computation from it. Undefined for any other value.
 */
function readFromOutside(
  block: Block,
  local: ReadonlySet<ValueId>,
  terms: Terms,
  context: Context,
): (id: ValueId) => number | undefined {
  const read = new Set<ValueId>();
  for (const n of block.nodes) for (const id of usesOf(n)) if (!local.has(id)) read.add(id);
  return (id) => {
    const type = context.types.get(id);
    if (!read.has(id) || literalOf(id, context.constants) || !type || !isScalar(type.dtype)) return undefined;
    return terms.add({ kind: 'outside', id, dtype: type.dtype });
  };
}

/**
 * A copy of `block` in which each staged loop that may run fused does (`fusedLoop`), nested blocks
 * included. The types of the values it makes are added to `context.types`.
 */
export function fuseLoops(block: Block, context: Context): Block {
  const nodes = block.nodes.map((node): Node => {
    if (node.kind === 'if') {
      return { ...node, branches: node.branches.map((b) => b && fuseLoops(b, context)) as typeof node.branches };
    }
    if (node.kind !== 'loop') return node;
    const inner: LoopNode = { ...node, blocks: node.blocks.map((b) => fuseLoops(b, context)) };
    return fusedLoop(inner, block, context) ?? inner;
  });
  return { ...block, nodes };
}

/**
 * Loop `node` (in `parent`) as rounds of one kernel, or undefined when it may not run so. It may when it
 * has one block, of kernels that fuse (kernels/elementwise.ts) and one-element constants only (no effect,
 * no variable, nothing nested), whose carried values all have one element shape or are scalars, and:
 * - its test is a scalar computed from carried scalars and outside scalars alone: every element runs the
 *   same iterations (a loop of scalars, or one that counts); or
 * - its test is `tf.any(t)` of an elementwise `t` over the carried values, and the body leaves an element
 *   whose `t` is false as it is: then each element may stop at its own end, as the loop would have left it
 *   there. The pass proves this on the terms, with the invariants the loop keeps (a carried mask that is
 *   always `a != 1`).
 */
function fusedLoop(node: LoopNode, parent: Block, context: Context): LoopNode | undefined {
  if (node.blocks.length !== 1) return undefined;
  const block = node.blocks[0]!;
  const count = block.params.length;
  const allowed = block.nodes.every(
    (n) => n.kind === 'constant' || (n.kind === 'kernel' && (canFuse(n, context.types) || n.name === 'Any')),
  );
  if (!allowed || count === 0) return undefined;
  const shapes = block.paramTypes.map((t) => t.shape);
  const shape = shapes.reduce((a, b) => (b.length > a.length ? b : a), [] as number[]);
  if (!shapes.every((s) => s.length === 0 || (s.length === shape.length && s.every((d, k) => d === shape[k])))) {
    return undefined;
  }
  if (!block.paramTypes.every((t) => isScalar(t.dtype))) return undefined;
  const dtypes = block.paramTypes.map((t) => t.dtype as Scalar);
  const terms = new Terms();
  const defined = definitionsOf(block.nodes);
  const local = new Set<ValueId>([...block.params, ...defined.keys()]);
  const state = (k: number) => terms.add({ kind: 'state', index: k, dtype: dtypes[k]! });
  const paramIndex = new Map(block.params.map((id, k) => [id, k]));
  const resultIndex = new Map(block.results.slice(0, count).map((id, k) => [id, k]));
  // The body: each next value over the carried ones.
  const bodyMemo = new Map<ValueId, number | undefined>();
  const bodyTerm = (id: ValueId) =>
    termOf(
      id,
      terms,
      defined,
      context,
      (v) => (paramIndex.has(v) ? state(paramIndex.get(v)!) : undefined),
      bodyMemo,
      local,
    );
  const next = block.results.slice(0, count).map(bodyTerm);
  if (!next.every((t): t is number => t !== undefined)) return undefined;
  // The test over the values an iteration gives, as a function of the carried values.
  const conditionId = block.results[count]!;
  const conditionNode = defined.get(conditionId);
  const anyNode = conditionNode?.kind === 'kernel' && conditionNode.name === 'Any' ? conditionNode : undefined;
  const tested = anyNode ? anyNode.inputs[0]! : conditionId;
  const nextView = new Map<ValueId, number | undefined>();
  const test = termOf(
    tested,
    terms,
    defined,
    context,
    (v) => (resultIndex.has(v) ? state(resultIndex.get(v)!) : paramIndex.has(v) ? null : undefined),
    nextView,
    local,
  );
  if (test === undefined) return undefined;
  // The loop's first test must be the same test, of the values it starts from.
  const parentDefined = definitionsOf(parent.nodes);
  const carriedIndex = new Map(node.carried.map((id, k) => [id, k]));
  const opaque = readFromOutside(block, local, terms, context);
  const entryMemo = new Map<ValueId, number | undefined>();
  const entryTerm = (id: ValueId) =>
    termOf(
      id,
      terms,
      parentDefined,
      context,
      (v) => (carriedIndex.has(v) ? state(carriedIndex.get(v)!) : opaque(v)),
      entryMemo,
      new Set(),
    );
  const entry = parentDefined.get(node.condition);
  if (anyNode) {
    if (
      entry?.kind !== 'kernel' ||
      entry.name !== 'Any' ||
      JSON.stringify(entry.attrs) !== JSON.stringify(anyNode.attrs)
    ) {
      return undefined;
    }
    if (entryTerm(entry.inputs[0]!) !== test) return undefined;
    const testType = context.types.get(tested);
    if (!testType || sizeOf(testType.shape) !== sizeOf(shape) || testType.shape.length !== shape.length)
      return undefined;
    if (!elementsStopAlone(terms, next, test, dtypes, node, block, context, parentDefined, defined, local))
      return undefined;
  } else {
    if (entryTerm(node.condition) !== test) return undefined;
    // Every element must run the same iterations: the test reads scalars only, each carried scalar the
    // test reads is computed from scalars alone.
    const scalar = (k: number) => shapes[k]!.length === 0;
    const readsElements = (t: number) =>
      terms.reads(
        t,
        (x) =>
          (x.kind === 'state' && !scalar(x.index)) ||
          (x.kind === 'outside' && sizeOf(context.types.get(x.id)!.shape) !== 1),
      );
    if (readsElements(test) || next.some((t, k) => scalar(k) && readsElements(t))) return undefined;
  }
  return roundsOf(node, block, terms, next, test, anyNode, shape, context);
}

/**
 * Whether an element whose test is false is left as it is by the body, so that it may stop iterating
 * while others go on. A carried value that the body always recomputes from the others, and that the loop
 * starts with computed the same way (`active = a != 1`, carried and updated from the new `a`), is replaced
 * by that computation first; then, with the test replaced by false, each other carried value's next term
 * must simplify to the value itself.
 */
function elementsStopAlone(
  terms: Terms,
  next: readonly number[],
  test: number,
  dtypes: readonly Scalar[],
  node: LoopNode,
  block: Block,
  context: Context,
  parentDefined: Definitions,
  defined: Definitions,
  local: ReadonlySet<ValueId>,
): boolean {
  const count = next.length;
  const state = (k: number) => terms.add({ kind: 'state', index: k, dtype: dtypes[k]! });
  const resultIndex = new Map(block.results.slice(0, count).map((id, k) => [id, k]));
  // Carried values as functions of the others: each next value over the next values (not itself).
  const derived = new Map<number, number>();
  for (let k = 0; k < count; k++) {
    const def = defined.get(block.results[k]!);
    if (def?.kind !== 'kernel') continue;
    const memo = new Map<ValueId, number | undefined>();
    const view = (v: ValueId) =>
      v === block.results[k]
        ? undefined
        : resultIndex.has(v)
          ? state(resultIndex.get(v)!)
          : block.params.includes(v)
            ? null
            : undefined;
    const args = def.inputs.map((input) => termOf(input, terms, defined, context, view, memo, local));
    if (!args.every((a): a is number => a !== undefined) || !canFuse(def, context.types)) continue;
    const { op, attrs } = elementwiseOf(def, context.types);
    const formula = terms.op(op, args, dtypes[k]!, attrs);
    if (terms.reads(formula, (t) => t.kind === 'state' && t.index === k)) continue;
    // The loop starts with the value computed so, from the values it starts with.
    const outer = new Map<ValueId, number | undefined>();
    const opaque = readFromOutside(block, local, terms, context);
    const expand = (id: ValueId) => termOf(id, terms, parentDefined, context, opaque, outer, new Set());
    const starts = node.carried.map(expand);
    if (!starts.every((s): s is number => s !== undefined)) continue;
    const atStart = terms.substitute(formula, new Map(starts.map((s, j) => [state(j), s])));
    if (atStart === starts[k]) derived.set(k, formula);
  }
  // Derived values may not lean on each other.
  const replace = new Map<number, number>();
  for (const [k, formula] of derived) {
    if (terms.reads(formula, (t) => t.kind === 'state' && derived.has(t.index))) return false;
    replace.set(state(k), formula);
  }
  const testNow = terms.substitute(test, replace);
  const stopped = new Map([[testNow, terms.literal(0, 'bool')]]);
  for (let k = 0; k < count; k++) {
    if (derived.has(k)) continue;
    const body = terms.substitute(next[k]!, replace);
    const after = terms.substitute(body, stopped);
    // Op by op a stopped float32 element may be recomputed as x + 0 (a count adding 0 for stopped elements):
    // x itself, but for -0, which becomes +0 there and stays -0 in the fused loop (docs/graph-mode.md).
    if (after !== state(k) && !terms.addsZeroTo(after, state(k))) return false;
  }
  return true;
}

/** Steps that compute `roots` in order, with `leaf` giving carried, outside and literal terms their steps. */
function linearise(
  terms: Terms,
  roots: readonly number[],
  leaf: (term: Term) => Step,
): { steps: Step[]; at: number[] } {
  const steps: Step[] = [];
  const stepOf = new Map<number, number>();
  const visit = (id: number): number => {
    const known = stepOf.get(id);
    if (known !== undefined) return known;
    const t = terms.list[id]!;
    let step: Step;
    if (t.kind === 'op') {
      const args = t.args.map(visit);
      step = { op: t.op, args, dtype: t.dtype, ...(t.attrs ? { attrs: t.attrs } : {}) };
    } else step = leaf(t);
    steps.push(step);
    stepOf.set(id, steps.length - 1);
    return steps.length - 1;
  };
  const at = roots.map(visit);
  return { steps, at };
}

/** The loop with its block replaced by a round: the round kernel, then its test. */
function roundsOf(
  node: LoopNode,
  block: Block,
  terms: Terms,
  next: readonly number[],
  test: number,
  any: KernelNode | undefined,
  shape: number[],
  context: Context,
): LoopNode | undefined {
  const count = next.length;
  const outside: ValueId[] = [];
  const outsideIndex = (id: ValueId) => {
    let k = outside.indexOf(id);
    if (k < 0) k = outside.push(id) - 1;
    return k;
  };
  const leaf = (t: Term): Step =>
    t.kind === 'state'
      ? { op: 'state', index: t.index, dtype: t.dtype }
      : t.kind === 'outside'
        ? { op: 'input', input: outsideIndex(t.id), dtype: t.dtype }
        : { op: 'literal', value: (t as { value: number }).value, dtype: t.dtype };
  const body = linearise(terms, next, leaf);
  const testSteps = linearise(terms, [test], leaf).steps;
  // WebGPU binds at most 7 inputs to a program: the carried values and the outside ones.
  if (count + outside.length > MAX_INPUTS) return undefined;
  const state = block.paramTypes.map((t) => ({ dtype: t.dtype as Scalar, shape: [...t.shape] }));
  const inputs = outside.map((id) => {
    const type = context.types.get(id)!;
    return { dtype: type.dtype as Scalar, shape: [...type.shape] };
  });
  let iterations = sizeOf(shape) === 1 ? SCALAR_ROUND : ROUND;
  if (context.cpu) {
    const work = sizeOf(shape) * Math.max(1, body.steps.filter(isOpStep).length);
    while (iterations > 1 && iterations * work > CPU_ROUND_WORK) iterations /= 2;
  }
  const key = [
    expressionKey(shape, [...state, ...inputs], body.steps),
    body.at.join(','),
    expressionKey(shape, [], testSteps),
    iterations,
  ].join(' / ');
  const loop: FusedLoop = { shape, state, inputs, body: body.steps, next: body.at, test: testSteps, iterations, key };
  const params = block.params.map(() => freshValueId());
  const outs = block.params.map(() => freshValueId());
  params.forEach((id, k) => context.types.set(id, block.paramTypes[k]!));
  outs.forEach((id, k) => context.types.set(id, block.paramTypes[k]!));
  const nodes: Node[] = [
    {
      kind: 'kernel',
      name: LOOP_ROUND_KERNEL,
      inputKeys: null,
      inputs: [...params, ...outside],
      attrs: { loop },
      outputs: outs,
      sizes: state.map((s) => sizeOf(s.shape)),
      types: state.map((s) => ({ dtype: s.dtype, shape: s.shape })),
    },
  ];
  // The test of the values the round gives: a carried value itself, or one kernel of them.
  let tested: ValueId;
  const t = terms.list[test]!;
  if (t.kind === 'state') tested = outs[t.index]!;
  else {
    tested = freshValueId();
    // The test kernel reads only the values its term reads: the round's results, and outside values.
    const read: ValueId[] = [];
    const readTypes: { dtype: Scalar; shape: number[] }[] = [];
    const inputOf = (id: ValueId, type: { dtype: Scalar; shape: number[] }) => {
      let k = read.indexOf(id);
      if (k < 0) {
        k = read.push(id) - 1;
        readTypes.push(type);
      }
      return k;
    };
    const linear = linearise(terms, [test], (term) =>
      term.kind === 'state'
        ? { op: 'input', input: inputOf(outs[term.index]!, state[term.index]!), dtype: term.dtype }
        : term.kind === 'outside'
          ? { op: 'input', input: inputOf(term.id, inputs[outside.indexOf(term.id)]!), dtype: term.dtype }
          : { op: 'literal', value: (term as { value: number }).value, dtype: term.dtype },
    );
    const testShape = any ? shape : [];
    const expression: Elementwise = {
      shape: testShape,
      dtype: 'bool',
      inputs: readTypes,
      steps: linear.steps,
      key: expressionKey(testShape, readTypes, linear.steps),
    };
    nodes.push({
      kind: 'kernel',
      name: FUSED_KERNEL,
      inputKeys: null,
      inputs: read,
      attrs: { expression },
      outputs: [tested],
      sizes: [sizeOf(testShape)],
      types: [{ dtype: 'bool', shape: testShape }],
    });
    context.types.set(tested, { dtype: 'bool', shape: testShape });
  }
  let condition = tested;
  if (any) {
    condition = freshValueId();
    nodes.push({ ...any, inputs: [tested], outputs: [condition] });
    context.types.set(condition, { dtype: 'bool', shape: [] });
  }
  const round: Block = {
    nodes,
    params,
    paramTypes: block.paramTypes,
    results: [...outs, condition],
    resultTypes: block.resultTypes,
  };
  return { ...node, blocks: [round], unfused: { ...node }, iterationsPerRound: iterations };
}
