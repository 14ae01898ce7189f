// Fuses chains of elementwise kernels into single kernels (kernels/register.ts runs them on each backend).

import {
  FUSED_KERNEL,
  REDUCTIONS,
  reductionText,
  expressionKey,
  type Elementwise,
  type Reduction,
  type ReductionOp,
  type Scalar,
  type Step,
} from '../kernels/elementwise.js';
import { MAX_INPUTS, canFuse, elementwiseOf, literalOf, literalValue, sameShape, sizeOf } from './fusible.js';
import { fuseLoops } from './loop_fusion.js';
import {
  nodeBlocks,
  usesOf,
  type Block,
  type ConstantNode,
  type Graph,
  type KernelNode,
  type Node,
  type ValueId,
  type ValueType,
} from './graph.js';

/**
 * A copy of `graph` (as simplify gave it) in which each maximal region of elementwise kernels (arithmetic,
 * comparisons, selects, casts, unary math; kernels/elementwise.ts lists them) is one fused kernel. As in
 * jax-js, a value is materialised (written to memory) when something other than an elementwise kernel of
 * its shape reads it (a reduction, a matrix product, an if or loop, a block's result), when it reaches two
 * or more materialised values, or when a region would take more than MAX_INPUTS inputs; every other
 * value folds into the expression of the one value it reaches, where values it feeds twice are computed
 * once. Constants of one element become literals. A region of one kernel stays that kernel.
 * `inputTypes` are the dtypes and shapes of the graph's inputs; `cpu` says that the backend computes on
 * the CPU (fused loops then run shorter rounds).
 */
export function fuse(graph: Graph, inputTypes: readonly ValueType[], options: { cpu?: boolean } = {}): Graph {
  const types = new Map<ValueId, ValueType>();
  graph.inputs.forEach((id, k) => types.set(id, inputTypes[k]!));
  const constants = new Map<ValueId, ConstantNode>();
  collect(graph.body, types, constants);
  // Loops first: a loop fuses from the kernels as traced.
  const body = fuseBlock(fuseLoops(graph.body, { types, constants, cpu: options.cpu }), types, constants);
  return dropUnusedConstants({ ...graph, body });
}

/** The dtype and shape of every value a block and its nested blocks define, and the constants among them. */
function collect(block: Block, types: Map<ValueId, ValueType>, constants: Map<ValueId, ConstantNode>): void {
  block.params.forEach((id, k) => types.set(id, block.paramTypes[k]!));
  for (const node of block.nodes) {
    switch (node.kind) {
      case 'kernel':
        node.types?.forEach((type, k) => types.set(node.outputs[k]!, type));
        break;
      case 'constant':
        types.set(node.output, node);
        constants.set(node.output, node);
        break;
      case 'variable':
        types.set(node.output, node.variable);
        break;
      case 'capture':
        types.set(node.output, node.tensor);
        break;
      case 'if':
      case 'loop': {
        const first = nodeBlocks(node)[0];
        node.outputs.forEach((id, k) => first?.resultTypes[k] && types.set(id, first.resultTypes[k]));
        break;
      }
      default:
        break;
    }
    nodeBlocks(node).forEach((inner) => collect(inner, types, constants));
  }
}

function fuseBlock(block: Block, types: ReadonlyMap<ValueId, ValueType>, constants: Map<ValueId, ConstantNode>): Block {
  // Nested blocks first: their regions do not reach outside them.
  const nodes: Node[] = block.nodes.map((node) => {
    if (node.kind === 'if') {
      return {
        ...node,
        branches: node.branches.map((b) => b && fuseBlock(b, types, constants)) as typeof node.branches,
      };
    }
    if (node.kind === 'loop') return { ...node, blocks: node.blocks.map((b) => fuseBlock(b, types, constants)) };
    return node;
  });
  const producer = new Map<ValueId, KernelNode>();
  for (const node of nodes) {
    if (node.kind === 'kernel' && canFuse(node, types)) producer.set(node.outputs[0]!, node);
  }
  if (producer.size < 2) return { ...block, nodes: fuseReductions(nodes, block.results, types, constants) };
  // Who reads each value in this block: a node, or the block's caller ('result').
  const readers = new Map<ValueId, Set<Node | 'result'>>();
  const read = (id: ValueId, by: Node | 'result') => {
    let set = readers.get(id);
    if (!set) readers.set(id, (set = new Set()));
    set.add(by);
  };
  for (const node of nodes) for (const id of usesOf(node)) read(id, node);
  for (const id of block.results) read(id, 'result');
  const materialised = new Set<ValueId>();
  for (const [id, node] of producer) {
    const by = readers.get(id) ?? new Set();
    const shape = node.types![0]!.shape;
    const foldable = [...by].every(
      (r) =>
        r !== 'result' &&
        r.kind === 'kernel' &&
        producer.get(r.outputs[0]!) === r &&
        sameShape(r.types![0]!.shape, shape),
    );
    if (!foldable || by.size === 0) materialised.add(id);
  }
  for (;;) {
    const roots = rootsOf(nodes, producer, readers, materialised);
    const tooWide = [...regionsOf(roots, producer, materialised)].find(
      ([, members]) => leavesOf(members, constants).length > MAX_INPUTS,
    );
    if (!tooWide) {
      const fused = rewrite(nodes, regionsOf(roots, producer, materialised), types, constants);
      return { ...block, nodes: fuseReductions(fused, block.results, types, constants) };
    }
    // Materialise the member that reads the most of the region's inputs, and decide again.
    const [root, members] = tooWide;
    let widest: KernelNode | undefined;
    let most = -1;
    for (const member of members) {
      if (member.outputs[0] === root) continue;
      const count = leavesOf(subtree(member, members), constants).length;
      if (count > most) [widest, most] = [member, count];
    }
    materialised.add(widest!.outputs[0]!);
  }
}

/**
 * The materialised value each fusible value folds into: values it reaches through fusible readers only.
 * One that reaches two or more is materialised too (added to `materialised`).
 */
function rootsOf(
  nodes: readonly Node[],
  producer: ReadonlyMap<ValueId, KernelNode>,
  readers: ReadonlyMap<ValueId, Set<Node | 'result'>>,
  materialised: Set<ValueId>,
): Map<ValueId, ValueId> {
  const root = new Map<ValueId, ValueId>();
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i]!;
    const id = node.kind === 'kernel' ? node.outputs[0] : undefined;
    if (id === undefined || producer.get(id) !== node) continue;
    if (materialised.has(id)) {
      root.set(id, id);
      continue;
    }
    const reached = new Set<ValueId>();
    for (const r of readers.get(id)!) reached.add(root.get((r as KernelNode).outputs[0]!)!);
    if (reached.size === 1) root.set(id, [...reached][0]!);
    else {
      materialised.add(id);
      root.set(id, id);
    }
  }
  return root;
}

/** Each materialised fusible value with the kernels that fold into it, in block order (itself last). */
function regionsOf(
  roots: ReadonlyMap<ValueId, ValueId>,
  producer: ReadonlyMap<ValueId, KernelNode>,
  materialised: ReadonlySet<ValueId>,
): Map<ValueId, KernelNode[]> {
  const regions = new Map<ValueId, KernelNode[]>();
  for (const id of materialised) if (producer.has(id)) regions.set(id, []);
  // `producer` holds kernels in block order.
  for (const [id, node] of producer) regions.get(roots.get(id)!)!.push(node);
  return regions;
}

/** The kernels of `members` that `member` reads, directly or not, and itself. */
function subtree(member: KernelNode, members: readonly KernelNode[]): KernelNode[] {
  const byOutput = new Map(members.map((m) => [m.outputs[0]!, m]));
  const found = new Set<KernelNode>();
  const visit = (node: KernelNode) => {
    if (found.has(node)) return;
    found.add(node);
    for (const id of node.inputs) {
      const inner = byOutput.get(id);
      if (inner) visit(inner);
    }
  };
  visit(member);
  return members.filter((m) => found.has(m));
}

/** The values a region reads from outside it, each once, in order; one-element constants are literals. */
function leavesOf(members: readonly KernelNode[], constants: ReadonlyMap<ValueId, ConstantNode>): ValueId[] {
  const inside = new Set(members.map((m) => m.outputs[0]!));
  const leaves = new Set<ValueId>();
  for (const member of members) {
    for (const id of member.inputs) if (!inside.has(id) && !literalOf(id, constants)) leaves.add(id);
  }
  return [...leaves];
}

/** `nodes` with each region of two or more kernels replaced by one fused kernel where its last one was. */
function rewrite(
  nodes: readonly Node[],
  regions: ReadonlyMap<ValueId, KernelNode[]>,
  types: ReadonlyMap<ValueId, ValueType>,
  constants: ReadonlyMap<ValueId, ConstantNode>,
): Node[] {
  const replaced = new Map<Node, Node | null>();
  for (const [root, members] of regions) {
    if (members.length < 2) continue;
    for (const member of members) replaced.set(member, null);
    replaced.set(members[members.length - 1]!, fusedKernel(root, members, types, constants));
  }
  const out: Node[] = [];
  for (const node of nodes) {
    const swap = replaced.get(node);
    if (swap === undefined) out.push(node);
    else if (swap) out.push(swap);
  }
  return out;
}

function fusedKernel(
  root: ValueId,
  members: readonly KernelNode[],
  types: ReadonlyMap<ValueId, ValueType>,
  constants: ReadonlyMap<ValueId, ConstantNode>,
): KernelNode {
  const leaves = leavesOf(members, constants);
  const steps: Step[] = [];
  const stepOf = new Map<ValueId, number>();
  const dtypeOf = (id: ValueId) => types.get(id)!.dtype as Scalar;
  const reference = (id: ValueId): number => {
    let index = stepOf.get(id);
    if (index !== undefined) return index;
    const constant = literalOf(id, constants);
    if (constant) {
      steps.push({ op: 'literal', ...literalValue(constant) });
    } else {
      steps.push({ op: 'input', input: leaves.indexOf(id), dtype: dtypeOf(id) });
    }
    index = steps.length - 1;
    stepOf.set(id, index);
    return index;
  };
  for (const member of members) {
    const args = member.inputs.map(reference);
    const { op, attrs } = elementwiseOf(member, types);
    steps.push({ op, args, dtype: member.types![0]!.dtype as Scalar, ...(attrs ? { attrs } : {}) });
    stepOf.set(member.outputs[0]!, steps.length - 1);
  }
  const out = types.get(root)!;
  const inputs = leaves.map((id) => ({ dtype: dtypeOf(id), shape: [...types.get(id)!.shape] }));
  const shape = [...out.shape];
  const expression: Elementwise = {
    shape,
    dtype: out.dtype as Scalar,
    inputs,
    steps,
    key: expressionKey(shape, inputs, steps),
  };
  return {
    kind: 'kernel',
    name: FUSED_KERNEL,
    inputKeys: null,
    inputs: leaves,
    attrs: { expression },
    outputs: [root],
    sizes: [sizeOf(shape)],
    types: [{ dtype: out.dtype, shape }],
  };
}

/**
 * Each reduction (kernels/elementwise.ts's REDUCTIONS) of innermost axes whose input nothing else reads,
 * made by a fused kernel or by one fusible kernel, becomes that kernel ending in the reduction: the
 * values it reduces are never written to a tensor.
 */
function fuseReductions(
  nodes: readonly Node[],
  results: readonly ValueId[],
  types: ReadonlyMap<ValueId, ValueType>,
  constants: ReadonlyMap<ValueId, ConstantNode>,
): Node[] {
  const readers = new Map<ValueId, number>();
  for (const node of nodes) for (const id of new Set(usesOf(node))) readers.set(id, (readers.get(id) ?? 0) + 1);
  for (const id of results) readers.set(id, (readers.get(id) ?? 0) + 1);
  const producers = new Map<ValueId, KernelNode>();
  for (const node of nodes) {
    if (node.kind === 'kernel' && (fusedExpression(node) || canFuse(node, types)))
      producers.set(node.outputs[0]!, node);
  }
  const replaced = new Map<Node, Node | null>();
  for (const node of nodes) {
    if (node.kind !== 'kernel' || !REDUCTIONS.has(node.name) || node.inputs.length !== 1) continue;
    const input = node.inputs[0]!;
    const producer = producers.get(input);
    if (!producer || readers.get(input) !== 1 || replaced.has(producer)) continue;
    const base = fusedExpression(producer) ? producer : fusedKernel(input, [producer], types, constants);
    const expression = fusedExpression(base)!;
    const reduce = reductionOf(node, expression);
    if (!reduce || expression.reduce) continue;
    replaced.set(producer, null);
    replaced.set(node, {
      ...base,
      attrs: { expression: { ...expression, reduce, key: `${expression.key} => ${reductionText(reduce, 'x')}` } },
      outputs: [node.outputs[0]!],
      sizes: [sizeOf(reduce.shape)],
      types: [{ dtype: reduce.dtype, shape: [...reduce.shape] }],
    });
  }
  return nodes.flatMap((node) => {
    const swap = replaced.get(node);
    return swap === undefined ? [node] : swap ? [swap] : [];
  });
}

/** Reduction kernel `node` of `expression`'s values; undefined where its axes are not plain. */
function reductionOf(node: KernelNode, expression: Elementwise): Reduction | undefined {
  const out = node.types?.[0];
  const gives = REDUCTIONS.get(node.name)?.[expression.dtype];
  if (!out || !gives || out.dtype !== gives) return undefined;
  const { shape } = expression;
  const rank = shape.length;
  const raw = node.attrs['axis'] ?? node.attrs['reductionIndices'];
  const given = raw == null ? shape.map((_, k) => k) : Array.isArray(raw) ? (raw as number[]) : [raw as number];
  if (!given.every((a) => Number.isInteger(a) && a >= -rank && a < rank)) return undefined;
  // In the order given: tfjs's cpu kernels visit the values in that order (kernels/elementwise.ts, `reductionOrder`).
  const axes = given.map((a) => (a + rank) % rank);
  if (new Set(axes).size !== axes.length) return undefined;
  const size = axes.reduce((n, a) => n * shape[a]!, 1);
  if (size === 0 || sizeOf(out.shape) * size !== sizeOf(shape)) return undefined;
  const reduce = { op: node.name as ReductionOp, size, shape: [...out.shape], dtype: gives };
  // The innermost axes in order reduce in place, as tfjs's kernels do without a transpose.
  const innermost = axes.every((a, k) => a === rank - axes.length + k);
  return innermost ? reduce : { ...reduce, axes };
}

/** The graph without constants nothing reads any more (those every reader now writes as a literal). */
function dropUnusedConstants(graph: Graph): Graph {
  const used = new Set<ValueId>();
  const visit = (block: Block) => {
    for (const node of block.nodes) {
      for (const id of usesOf(node)) used.add(id);
      nodeBlocks(node).forEach(visit);
    }
    for (const id of block.results) used.add(id);
  };
  visit(graph.body);
  const prune = (block: Block): Block => ({
    ...block,
    nodes: block.nodes
      .filter((node) => node.kind !== 'constant' || used.has(node.output))
      .map((node) => {
        if (node.kind === 'if')
          return { ...node, branches: node.branches.map((b) => b && prune(b)) as typeof node.branches };
        if (node.kind === 'loop') return { ...node, blocks: node.blocks.map(prune) };
        return node;
      }),
  });
  return { ...graph, body: prune(graph.body) };
}

/** Whether `node` is a fused kernel, and its expression. */
export function fusedExpression(node: Node): Elementwise | undefined {
  return node.kind === 'kernel' && node.name === FUSED_KERNEL
    ? (node.attrs as { expression: Elementwise }).expression
    : undefined;
}

/** How many kernels a fused kernel replaced. */
export const kernelsIn = (expression: Elementwise): number =>
  expression.steps.filter((s) => s.op !== 'input' && s.op !== 'literal').length + (expression.reduce ? 1 : 0);
