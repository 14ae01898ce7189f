// Loops that count: their trip count is known once the loop starts, so a replay reads no condition, and
// ifs on their position alone are decided on the CPU.

import {
  nodeOutputs,
  type Block,
  type ConstantNode,
  type IfNode,
  type KernelNode,
  type LoopNode,
  type Node,
  type ValueId,
} from './graph.js';

/**
 * A counting loop: `position < end` is its condition before each iteration, where `position` is a carried
 * int32 scalar (carried value `position`) that each iteration adds `step` to, and `end` comes from outside
 * the loop. A for-of loop over a tensor is one (its position counts the items), and so is
 * `for (let i = 0; i < n; i++)` with a tensor `n`. The replay checks that `step` holds 1 (-1: a constant
 * 1 made inside the loop).
 */
export interface Counting {
  position: number;
  end: ValueId;
  step: ValueId;
}

const known = new WeakMap<LoopNode, Counting | null>();

/**
 * Whether a counting loop's step is the constant 1, given the constant node of a value from outside the
 * loop (`constantOf`): the executor and the graph text decide it the same way.
 */
export function stepsByOne(counting: Counting, constantOf: (id: ValueId) => ConstantNode | undefined): boolean {
  if (counting.step === -1) return true;
  const constant = constantOf(counting.step);
  return constant?.dtype === 'int32' && Number(constant.values[0]) === 1;
}

/** The counting form of `loop`, which `parent` holds, or null when it does not count. */
export function countingLoop(loop: LoopNode, parent: Block): Counting | null {
  let counting = known.get(loop);
  if (counting === undefined) {
    counting = analyse(loop, parent);
    known.set(loop, counting);
  }
  return counting;
}

const kernelDefining = (nodes: Node[], id: ValueId): KernelNode | undefined =>
  nodes.find((node): node is KernelNode => node.kind === 'kernel' && node.outputs.includes(id));

function analyse(loop: LoopNode, parent: Block): Counting | null {
  // Each block (one per dtypes and shapes of the carried values) must count the same way.
  const forms = loop.blocks.map(countingBlock);
  const form = forms[0];
  if (!form || forms.some((f) => !f || f.position !== form.position || f.end !== form.end || f.step !== form.step)) {
    return null;
  }
  // The first test is the same comparison, of the value the loop starts from.
  const first = kernelDefining(parent.nodes, loop.condition);
  if (first?.name !== 'Less' || first.inputs[0] !== loop.carried[form.position] || first.inputs[1] !== form.end) {
    return null;
  }
  return form;
}

/** How one iteration of a loop counts, if it does: `next = position + step` and the test `next < end`. */
function countingBlock(block: Block): Counting | null {
  const test = kernelDefining(block.nodes, block.results[block.results.length - 1]!);
  if (test?.name !== 'Less' || test.inputs.length !== 2) return null;
  const [next, end] = test.inputs as [ValueId, ValueId];
  const position = block.results.indexOf(next);
  const type = block.paramTypes[position];
  if (position < 0 || type?.dtype !== 'int32' || type.shape.length !== 0) return null;
  // `end` is the same on every iteration: defined outside the loop.
  const inside = new Set([...block.params, ...block.nodes.flatMap(nodeOutputs)]);
  if (inside.has(end)) return null;
  const add = kernelDefining(block.nodes, next);
  const param = block.params[position]!;
  if (add?.name !== 'Add' || add.inputs.length !== 2 || !add.inputs.includes(param)) return null;
  let step = add.inputs[0] === param ? add.inputs[1]! : add.inputs[0]!;
  // A step made inside the loop must be the constant 1; one from outside is checked as the loop starts.
  if (inside.has(step)) {
    const constant = block.nodes.find((node) => node.kind === 'constant' && node.output === step);
    if (constant?.kind !== 'constant' || constant.dtype !== 'int32' || Number(constant.values[0]) !== 1) return null;
    step = -1;
  }
  return { position, end, step };
}

const decided = new WeakMap<Block, Map<IfNode, KernelNode[]>>();

/**
 * The ifs of a counting loop's `block` whose condition depends on nothing but the loop's position and
 * constants (`step % 20 == 0`), each with the kernels that compute it, in order. Since the position is
 * known on the CPU at every iteration, a replay decides them there, without reading from the backend.
 * Values from outside the loop that these kernels take must be constants, which the replay checks.
 */
export function positionConditions(block: Block, position: number): Map<IfNode, KernelNode[]> {
  let found = decided.get(block);
  if (!found) {
    found = new Map();
    const param = block.params[position]!;
    const inside = new Set([...block.params, ...block.nodes.flatMap(nodeOutputs)]);
    const derived = new Set<ValueId>([param]);
    const made = new Map<ValueId, KernelNode>();
    for (const node of block.nodes) {
      if (node.kind === 'constant') derived.add(node.output);
      else if (node.kind === 'kernel' && node.inputs.every((id) => derived.has(id) || !inside.has(id))) {
        for (const id of node.outputs) {
          derived.add(id);
          made.set(id, node);
        }
      } else if (node.kind === 'if' && made.has(node.condition)) {
        // The kernels the condition needs, in block order.
        const needed = new Set<KernelNode>();
        const visit = (id: ValueId) => {
          const kernel = made.get(id);
          if (!kernel || needed.has(kernel)) return;
          kernel.inputs.forEach(visit);
          needed.add(kernel);
        };
        visit(node.condition);
        found.set(
          node,
          block.nodes.filter((n): n is KernelNode => needed.has(n as KernelNode)),
        );
      }
    }
    decided.set(block, found);
  }
  return found;
}
