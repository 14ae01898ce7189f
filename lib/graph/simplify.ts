// Simplifies a traced graph for replay: copies dropped, constant casts folded, duplicate and dead work removed.

import { TOTAL_KERNELS } from './kernels.js';
import type { DataType } from '../operators/tensors.js';
import {
  freshValueId,
  mapSlots,
  nodeBlocks,
  onlyComputes,
  sameTypes,
  nodeInputs,
  nodeOutputs,
  slotsIn,
  type Block,
  type ConstantNode,
  type Graph,
  type IfNode,
  type KernelNode,
  type LoopNode,
  type Node,
  type ValueId,
} from './graph.js';

/**
 * A copy of `graph` to replay; the graph itself stays as traced, so that later traces merge into it.
 * Values are immutable, so an Identity kernel is its input, and two kernels with the same inputs and
 * attributes give the same values: the second is dropped, also inside a loop for work done before it
 * (which hoists it out of the loop). A cast of a constant becomes a constant. Kernels and reads whose
 * values nothing uses are dropped.
 */
export function simplify(graph: Graph): Graph {
  const alias = new Map<ValueId, ValueId>();
  const resolve = (id: ValueId): ValueId => {
    let current = id;
    for (let next = alias.get(current); next !== undefined; next = alias.get(current)) current = next;
    return current;
  };
  const constants = new Map<ValueId, ConstantNode>();
  const body = simplifyBlock(graph.body, new Map(), resolve, alias, constants);
  const output = mapSlots(graph.output, resolve);
  body.results = slotsIn(output);
  const simplified: Graph = { ...graph, body, output };
  removeDead(simplified);
  return simplified;
}

function simplifyBlock(
  block: Block,
  outer: Map<string, ValueId[]>,
  resolve: (id: ValueId) => ValueId,
  alias: Map<ValueId, ValueId>,
  constants: Map<ValueId, ConstantNode>,
): Block {
  // Work already done in this block or before it in enclosing ones, by what it computes.
  const seen = new Map(outer);
  const nodes: Node[] = [];
  for (const original of block.nodes) {
    const node = copyNode(original, resolve);
    if (node.kind === 'kernel') {
      if (node.name === 'Identity' && node.inputs.length === 1) {
        alias.set(node.outputs[0]!, node.inputs[0]!);
        continue;
      }
      const folded = node.name === 'Cast' ? foldCast(node, constants) : undefined;
      if (folded) {
        constants.set(folded.output, folded);
        nodes.push(folded);
        continue;
      }
      const key = kernelKey(node, node.inputs);
      const earlier = seen.get(key);
      if (earlier && !node.shapes) {
        node.outputs.forEach((id, k) => alias.set(id, earlier[k]!));
        continue;
      }
      seen.set(key, node.outputs);
    } else if (node.kind === 'constant') {
      const key =
        node.values.length <= 64
          ? `const ${node.dtype}[${node.shape.join(',')}]${Array.from(node.values as ArrayLike<unknown>).join(',')}`
          : undefined;
      const earlier = key === undefined ? undefined : seen.get(key);
      if (earlier) {
        alias.set(node.output, earlier[0]!);
        continue;
      }
      if (key !== undefined) seen.set(key, [node.output]);
      constants.set(node.output, node);
    } else if (node.kind === 'if') {
      node.branches = node.branches.map((branch) =>
        branch ? simplifyBlock(branch, seen, resolve, alias, constants) : null,
      ) as [Block | null, Block | null];
      const selected = asSelects(node);
      if (selected) {
        nodes.push(...selected);
        continue;
      }
    } else if (node.kind === 'loop') {
      // A loop's body sees work from before the loop, not its own earlier iterations' copies.
      node.blocks = node.blocks.map((inner) => simplifyBlock(inner, seen, resolve, alias, constants));
      carryRecomputed(node, seen, nodes);
    }
    nodes.push(node);
  }
  return { ...block, nodes, results: block.results.map(resolve) };
}

const kernelKey = (node: KernelNode, inputs: readonly ValueId[]) =>
  `${node.name}(${node.inputKeys?.join(',') ?? '[]'}:${inputs.join(',')})${attrsKey(node.attrs)}`;

/**
 * A loop whose body starts by computing what the previous iteration computed last: `while (tf.any(a != 1))
 * { const active = a != 1; ... }` finds `a != 1` at the end of each iteration, for the condition, and again
 * at the start of the next. Such a kernel (one that gives a value for any data) becomes a value the loop
 * carries: the first from before the loop (where the first condition computed it, or computed once
 * there), the next from the end of each iteration. One kernel fewer per iteration, the same values.
 */
function carryRecomputed(loop: LoopNode, seen: Map<string, ValueId[]>, before: Node[]): void {
  if (loop.blocks.length !== 1) return;
  const block = loop.blocks[0]!;
  const inBlock = new Set<ValueId>(block.params);
  const define = (b: Block) => {
    for (const n of b.nodes) {
      nodeOutputs(n).forEach((id) => inBlock.add(id));
      nodeBlocks(n).forEach(define);
    }
  };
  define(block);
  const byKey = new Map<string, KernelNode>();
  for (const n of block.nodes) if (n.kind === 'kernel') byKey.set(kernelKey(n, n.inputs), n);
  const renames = new Map<ValueId, ValueId>();
  for (const n of block.nodes) {
    if (n.kind !== 'kernel' || n.outputs.length !== 1 || n.shapes || !n.types || !TOTAL_KERNELS.has(n.name)) continue;
    const positions = n.inputs.map((id) => block.params.indexOf(id));
    if (positions.every((k) => k < 0) || n.inputs.some((id, i) => positions[i]! < 0 && inBlock.has(id))) continue;
    const next = byKey.get(
      kernelKey(
        n,
        n.inputs.map((id, i) => (positions[i]! < 0 ? id : block.results[positions[i]!]!)),
      ),
    );
    if (!next || next === n || renames.has(next.outputs[0]!) || !next.types || !sameTypes(next.types, n.types))
      continue;
    const initialInputs = n.inputs.map((id, i) => (positions[i]! < 0 ? id : loop.carried[positions[i]!]!));
    const initialKey = kernelKey(n, initialInputs);
    let initial = seen.get(initialKey)?.[0];
    if (initial === undefined) {
      initial = freshValueId();
      before.push({ ...n, inputs: initialInputs, outputs: [initial] });
      seen.set(initialKey, [initial]);
    }
    const param = freshValueId();
    renames.set(n.outputs[0]!, param);
    loop.carried.push(initial);
    loop.outputs.push(freshValueId());
    block.params.push(param);
    block.paramTypes.push({ dtype: n.types[0]!.dtype, shape: [...n.types[0]!.shape] });
    // The results are the next carried values, then the condition.
    block.results.splice(block.results.length - 1, 0, next.outputs[0]!);
    block.resultTypes.splice(block.resultTypes.length - 1, 0, {
      dtype: next.types[0]!.dtype,
      shape: [...next.types[0]!.shape],
    });
  }
  if (renames.size === 0) return;
  block.nodes = block.nodes.filter((n) => !(n.kind === 'kernel' && renames.has(n.outputs[0]!)));
  const rename = (id: ValueId) => renames.get(id) ?? id;
  const renamed = (b: Block): Block => ({
    ...b,
    nodes: b.nodes.map((n) => {
      const copy = copyNode(n, rename);
      if (copy.kind === 'if')
        copy.branches = copy.branches.map((br) => br && renamed(br)) as [Block | null, Block | null];
      if (copy.kind === 'loop') copy.blocks = copy.blocks.map(renamed);
      return copy;
    }),
    results: b.results.map(rename),
  });
  loop.blocks[0] = renamed(block);
}

function copyNode(node: Node, resolve: (id: ValueId) => ValueId): Node {
  switch (node.kind) {
    case 'kernel':
      return { ...node, inputs: node.inputs.map(resolve) };
    case 'assign':
      return {
        ...node,
        input: resolve(node.input),
        ...(node.target === undefined ? {} : { target: resolve(node.target) }),
      };
    case 'newVariable':
      return { ...node, input: resolve(node.input) };
    case 'variable':
      return node.source === undefined ? node : { ...node, source: resolve(node.source) };
    case 'effect':
      return { ...node, args: mapSlots(node.args, resolve) as unknown[] };
    case 'if':
      return { ...node, condition: resolve(node.condition), branches: [...node.branches] };
    case 'loop':
      return { ...node, carried: node.carried.map(resolve), condition: resolve(node.condition) };
    case 'constant':
      // Each replayable copy writes its own data to the backend.
      return { ...node, data: undefined };
    default:
      return { ...node };
  }
}

/** Most kernels both branches of an if may have together for the replay to run both and select. */
const MAX_SELECTED_KERNELS = 32;

/**
 * A staged if whose branches only compute (total kernels on values, constants, variable reads), few and
 * both traced, as the nodes that run both branches and select each output by the condition: no read.
 */
function asSelects(node: IfNode): Node[] | undefined {
  const [then, orelse] = node.branches;
  if (!then || !orelse) return undefined;
  const kernels = [...then.nodes, ...orelse.nodes].filter((n) => n.kind === 'kernel').length;
  if (!onlyComputes(then, TOTAL_KERNELS) || !onlyComputes(orelse, TOTAL_KERNELS) || kernels > MAX_SELECTED_KERNELS)
    return undefined;
  if (!sameTypes(then.resultTypes, orelse.resultTypes) || then.resultTypes.length !== node.outputs.length) {
    return undefined;
  }
  const nodes: Node[] = [...then.nodes, ...orelse.nodes];
  const kernel = (name: string, inputKeys: string[], inputs: ValueId[], attrs: Record<string, unknown> = {}) => {
    const output = freshValueId();
    nodes.push({ kind: 'kernel', name, inputKeys, inputs, attrs, outputs: [output] });
    return output;
  };
  const constant = (dtype: DataType, value: number) => {
    const output = freshValueId();
    const values = dtype === 'float32' ? Float32Array.of(value) : Int32Array.of(value);
    nodes.push({ kind: 'constant', values, shape: [], dtype, output });
    return output;
  };
  // JavaScript's truthiness as a bool: non-zero, and for floats also not NaN.
  let condition = node.condition;
  if (node.conditionDtype === 'int32') {
    condition = kernel('NotEqual', ['a', 'b'], [condition, constant('int32', 0)]);
  } else if (node.conditionDtype !== 'bool') {
    const nonzero = kernel('NotEqual', ['a', 'b'], [condition, constant('float32', 0)]);
    const number = kernel('Equal', ['a', 'b'], [condition, condition]);
    condition = kernel('LogicalAnd', ['a', 'b'], [nonzero, number]);
  }
  // The Select kernel takes a condition of the values' shape: a scalar one is tiled to it, once per shape.
  const byShape = new Map<string, ValueId>();
  const conditionFor = (shape: number[]) => {
    if (shape.length === 0) return condition;
    const key = shape.join(',');
    let tiled = byShape.get(key);
    if (tiled === undefined) {
      const reshaped = kernel('Reshape', ['x'], [condition], { shape: shape.map(() => 1) });
      tiled = kernel('Tile', ['x'], [reshaped], { reps: [...shape] });
      byShape.set(key, tiled);
    }
    return tiled;
  };
  node.outputs.forEach((output, k) => {
    const { shape, dtype } = then.resultTypes[k]!;
    nodes.push({
      kind: 'kernel',
      name: 'Select',
      inputKeys: ['condition', 't', 'e'],
      inputs: [conditionFor(shape), then.results[k]!, orelse.results[k]!],
      attrs: {},
      outputs: [output],
      // What it gives, as a traced kernel records it: the fusion pass reads it.
      types: [{ dtype, shape: [...shape] }],
    });
  });
  return nodes;
}

const attrsKey = (attrs: Record<string, unknown>) =>
  JSON.stringify(attrs, (_key, value: unknown) => (ArrayBuffer.isView(value) ? Array.from(value as never) : value));

/** `Cast(constant)` as a constant: casts between number types and bool are exact in JavaScript. */
function foldCast(node: KernelNode, constants: Map<ValueId, ConstantNode>): ConstantNode | undefined {
  const source = constants.get(node.inputs[0]!);
  const dtype = node.attrs['dtype'];
  if (!source || source.dtype === 'string' || source.dtype === 'complex64') return undefined;
  const values = Array.from(source.values as ArrayLike<number>);
  let cast: ArrayLike<number>;
  if (dtype === 'float32') cast = Float32Array.from(values);
  else if (dtype === 'int32') cast = Int32Array.from(values, (v) => Math.trunc(v));
  else if (dtype === 'bool') cast = Uint8Array.from(values, (v) => (v !== 0 ? 1 : 0));
  else return undefined;
  return { kind: 'constant', values: cast, shape: source.shape, dtype, output: node.outputs[0]! };
}

/** Drops kernels, constants and reads whose values nothing uses, until none is left. */
function removeDead(graph: Graph): void {
  for (;;) {
    const used = new Set<ValueId>(slotsIn(graph.output));
    const collect = (block: Block) => {
      for (const id of block.results) used.add(id);
      for (const node of block.nodes) {
        for (const id of nodeInputs(node)) used.add(id);
        nodeBlocks(node).forEach(collect);
      }
    };
    collect(graph.body);
    let removed = false;
    const prune = (block: Block) => {
      block.nodes = block.nodes.filter((node) => {
        nodeBlocks(node).forEach(prune);
        const pure =
          node.kind === 'kernel' || node.kind === 'constant' || node.kind === 'variable' || node.kind === 'capture';
        if (pure && nodeOutputs(node).every((id) => !used.has(id))) {
          removed = true;
          return false;
        }
        return true;
      });
    };
    prune(graph.body);
    if (!removed) return;
  }
}
