// The graph a trace records: kernels, constants, variables, effects, and staged ifs and loops with blocks.

import type { DataType, Tensor } from '../operators/tensors.js';
import type { tf } from '../operators/tensors.js';

/** A value in the graph: every tensor a traced call made or used has one. Unique across a graph's traces. */
export type ValueId = number;

let nextValueId = 1;
export const freshValueId = (): ValueId => nextValueId++;

/** A place in a value template (an argument, a result, an effect's arguments) that holds a graph value. */
export class Slot {
  constructor(readonly id: ValueId) {}
}

/** A kernel run as `engine.runKernel(name, inputs, attrs)` ran it during the trace. */
export interface KernelNode {
  kind: 'kernel';
  name: string;
  /** The input names, or null when the op passed its inputs as an array (Concat, Pack, AddN). */
  inputKeys: string[] | null;
  inputs: ValueId[];
  attrs: Record<string, unknown>;
  outputs: ValueId[];
  /** For kernels whose output shape depends on the data: the shapes the trace saw, checked at replay. */
  shapes?: number[][];
  /** How many elements each output had in the trace (the executor places small work on the CPU). */
  sizes?: number[];
  /** The dtype and shape of each output in the trace. */
  types?: ValueType[];
}

/** A tensor the traced call made from JavaScript values; the graph holds its own copy, made once. */
export interface ConstantNode {
  kind: 'constant';
  values: ArrayLike<number> | Uint8Array[] | string[];
  shape: number[];
  dtype: DataType;
  /** The graph's own copy on the backend, written on the first replay and freed with the graph. */
  data?: ConstantData;
  /** Its copy on the CPU backend, for loops the executor runs there. */
  hostData?: ConstantData;
  output: ValueId;
}

/** A constant's data on one backend. */
export interface ConstantData {
  dataId: object;
  shape: number[];
  dtype: DataType;
  backend: { disposeData(dataId: object): unknown };
}

/** A tf.Variable's current value, read when the node runs: an assign swaps the variable's data. */
export interface VariableNode {
  kind: 'variable';
  variable: tf.Variable;
  /** For a variable the call created, the value of its `newVariable` node: each replay reads its own. */
  source?: ValueId;
  output: ValueId;
}

/** `variable.assign(value)`. */
export interface AssignNode {
  kind: 'assign';
  variable: tf.Variable;
  input: ValueId;
  /** For a variable the call created, the value of its `newVariable` node: each replay has its own. */
  target?: ValueId;
}

/**
 * `tf.variable(initial)` in the call: each replay creates a variable of its own. The value is the variable
 * itself, which `variable` nodes read and `assign` nodes assign.
 */
export interface NewVariableNode {
  kind: 'newVariable';
  input: ValueId;
  trainable: boolean;
  dtype: DataType | undefined;
  /** Whether the traced call disposed the variable: a replay disposes its own when it ends. */
  disposed: boolean;
  output: ValueId;
}

/** A tensor from outside the call (a closure's, a module's), used by reference. */
export interface CaptureNode {
  kind: 'capture';
  tensor: Tensor;
  output: ValueId;
}

/** A runtime effect (a print, an assert) that each replay runs again with its new tensors. */
export interface EffectNode {
  kind: 'effect';
  label: string;
  /**
   * Whether it writes to the console (a print, console.assert), which a replay may hold back; an assert
   * that passes shows nothing, and one that fails stops the call.
   */
  prints: boolean;
  run: (...args: never[]) => Generator<unknown, unknown, unknown>;
  /** The arguments, with Slots where the tensors were. */
  args: unknown[];
  /** The stack frames in converted code where the trace met the effect. */
  where: string;
}

/** A draw of a tf random op, made again on every replay (fresh values, or the same ones for a seed). */
export interface RandomNode {
  kind: 'random';
  label: string;
  args: unknown[];
  draw: () => Tensor;
  output: ValueId;
}

/** A sequence of nodes. A loop's block takes the carried values as params and gives their next values. */
export interface Block {
  nodes: Node[];
  params: ValueId[];
  /** The dtypes and shapes of the params this block was traced with: a loop picks its block by them. */
  paramTypes: { dtype: DataType; shape: number[] }[];
  results: ValueId[];
  /** The dtypes and shapes of the results, as traced (the last result of a loop block is its condition). */
  resultTypes: { dtype: DataType; shape: number[] }[];
}

/** A staged if: the condition is read, and the branch's results become the outputs. A null branch was never traced. */
export interface IfNode {
  kind: 'if';
  condition: ValueId;
  /** The condition's dtype: a replay that selects instead of reading turns it into bool as JavaScript does. */
  conditionDtype: DataType;
  branches: [Block | null, Block | null];
  outputs: ValueId[];
  /** Where the if is, for messages. */
  construct: string;
}

/**
 * A staged loop: while the condition (read each time) holds, a block whose params match the carried
 * values' dtypes and shapes runs and gives the next carried values and condition.
 */
export interface LoopNode {
  kind: 'loop';
  construct: string;
  carried: ValueId[];
  condition: ValueId;
  blocks: Block[];
  outputs: ValueId[];
  /**
   * For a fused loop (graph/loop_fusion.ts), whose block runs a round of up to `iterationsPerRound`
   * iterations per element: the loop as traced, which a replay runs when it must count iterations.
   */
  unfused?: LoopNode;
  iterationsPerRound?: number;
}

export type Node =
  | KernelNode
  | ConstantNode
  | VariableNode
  | NewVariableNode
  | AssignNode
  | CaptureNode
  | EffectNode
  | RandomNode
  | IfNode
  | LoopNode;

/** One trace of a function for one signature. */
export interface Graph {
  /** The tensors in the arguments (and `this`), in the order the signature walks them. */
  inputs: ValueId[];
  body: Block;
  /** The result, with Slots where the tensors are. */
  output: unknown;
  /** Branches not yet traced: a replay that reaches one traces the call again. */
  untraced: number;
  /** Whether the graph has effects a replay that stops part-way could not undo (prints, assigns). */
  effects: boolean;
}

/** The values a node reads. */
export function nodeInputs(node: Node): ValueId[] {
  switch (node.kind) {
    case 'kernel':
      return node.inputs;
    case 'assign':
      return node.target === undefined ? [node.input] : [node.input, node.target];
    case 'newVariable':
      return [node.input];
    case 'variable':
      return node.source === undefined ? [] : [node.source];
    case 'effect':
      return slotsIn(node.args);
    case 'if':
      return [node.condition];
    case 'loop':
      return [...node.carried, node.condition];
    default:
      return [];
  }
}

/** The values a node defines. */
export function nodeOutputs(node: Node): ValueId[] {
  switch (node.kind) {
    case 'kernel':
    case 'if':
    case 'loop':
      return node.outputs;
    case 'constant':
    case 'variable':
    case 'newVariable':
    case 'capture':
    case 'random':
      return [node.output];
    default:
      return [];
  }
}

/** The blocks nested in a node. */
export function nodeBlocks(node: Node): Block[] {
  if (node.kind === 'if') return node.branches.filter((b): b is Block => b !== null);
  if (node.kind === 'loop') return node.blocks;
  return [];
}

/** The values a node reads, including those its nested blocks read from outside them. */
export function usesOf(node: Node): ValueId[] {
  const uses = [...nodeInputs(node)];
  for (const block of nodeBlocks(node)) {
    const inner = new Set<ValueId>(block.params);
    for (const child of block.nodes) {
      for (const id of usesOf(child)) if (!inner.has(id)) uses.push(id);
      for (const id of nodeOutputs(child)) inner.add(id);
    }
    for (const id of block.results) if (!inner.has(id)) uses.push(id);
  }
  return uses;
}

/** The Slots in a template, in order. */
export function slotsIn(template: unknown, seen = new Set<object>()): ValueId[] {
  if (template instanceof Slot) return [template.id];
  if (template === null || typeof template !== 'object' || seen.has(template)) return [];
  seen.add(template);
  if (Array.isArray(template)) return template.flatMap((item) => slotsIn(item, seen));
  if (Object.getPrototypeOf(template) === Object.prototype) {
    return Object.values(template).flatMap((item) => slotsIn(item, seen));
  }
  const parts = (template as { parts?: unknown }).parts;
  return Array.isArray(parts) ? slotsIn(parts, seen) : [];
}

/**
 * Why the graph refers to a value where it is not defined, or null. That happens when a tensor made in
 * a branch or an iteration escapes through an object (a list, a property) rather than the construct's
 * variables: the replay could not know which one it is.
 */
export function danglingReference(graph: Graph): string | null {
  const visible = new Set<ValueId>(graph.inputs);
  const check = (block: Block): string | null => {
    const added: ValueId[] = [...block.params];
    for (const id of block.params) visible.add(id);
    const missing = (ids: ValueId[]) => ids.find((id) => !visible.has(id));
    let problem: string | null = null;
    for (const node of block.nodes) {
      const id = missing(nodeInputs(node));
      if (id !== undefined) problem = `%${id} is used by ${node.kind} where it is not defined`;
      for (const inner of nodeBlocks(node)) problem ??= check(inner);
      for (const out of nodeOutputs(node)) {
        visible.add(out);
        added.push(out);
      }
      if (problem) break;
    }
    const id = problem ? undefined : missing(block.results);
    if (id !== undefined) problem = `%${id} leaves a block where it is not defined`;
    for (const out of added) visible.delete(out);
    return problem;
  };
  // Values outside every block (captures) are hoisted to the top: they are visible everywhere.
  return check(graph.body);
}

/** The dtype and shape of a value, as blocks record them. */
export type ValueType = { dtype: DataType; shape: readonly number[] };

/** Whether two lists of values have the same dtypes and shapes, position by position. */
export function sameTypes(a: readonly ValueType[], b: readonly ValueType[]): boolean {
  return (
    a.length === b.length &&
    a.every(
      (t, i) =>
        t.dtype === b[i]!.dtype &&
        t.shape.length === b[i]!.shape.length &&
        t.shape.every((d, k) => d === b[i]!.shape[k]),
    )
  );
}

/**
 * Whether a replay of `block` may stop at a guard part-way, and trace the call again: it has an if with a
 * branch not yet traced, a kernel whose output shape depends on the data, or a loop whose carried values
 * may take dtypes or shapes no traced iteration had (an iteration gives values that no block takes, as
 * when a loop grows a tensor: the trace saw as many iterations as its call ran). Anything else is decided
 * by the signature: the same dtypes and shapes flow through on every call.
 */
export function mayStopAtGuard(block: Block): boolean {
  return block.nodes.some((node) => {
    if (node.kind === 'kernel') return node.shapes !== undefined;
    if (node.kind === 'if' && node.branches.includes(null)) return true;
    if (node.kind === 'loop') {
      // A loop no trace has entered has no block at all.
      const closed =
        node.blocks.length > 0 &&
        node.blocks.every((b) => node.blocks.some((to) => sameTypes(to.paramTypes, b.resultTypes.slice(0, -1))));
      if (!closed) return true;
    }
    return nodeBlocks(node).some(mayStopAtGuard);
  });
}

/** A template with each Slot taken through `resolve` (a renaming of graph values). */
export function mapSlots(template: unknown, resolve: (id: ValueId) => ValueId): unknown {
  if (template instanceof Slot) return new Slot(resolve(template.id));
  if (Array.isArray(template)) return template.map((item) => mapSlots(item, resolve));
  if (template === null || typeof template !== 'object') return template;
  if (Object.getPrototypeOf(template) === Object.prototype) {
    return Object.fromEntries(Object.entries(template).map(([k, v]) => [k, mapSlots(v, resolve)]));
  }
  // Pending text of a print: its parts hold the Slots.
  const parts = (template as { parts?: unknown }).parts;
  if (!Array.isArray(parts)) return template;
  const Pending = (template as { constructor: new (parts: unknown[]) => unknown }).constructor;
  return new Pending(mapSlots(parts, resolve) as unknown[]);
}

/**
 * Whether a block only computes: kernels that give a value for any data, constants and variable reads;
 * no effect, random draw, if or loop. A replay may run such a block on values the program would not have
 * given it (both sides of an if, iterations past a loop's end) and discard what it gives.
 */
export function onlyComputes(block: Block, totalKernels: ReadonlySet<string>): boolean {
  return block.nodes.every(
    (n) => n.kind === 'constant' || n.kind === 'variable' || (n.kind === 'kernel' && totalKernels.has(n.name)),
  );
}
