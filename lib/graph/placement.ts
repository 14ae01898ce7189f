// Where a replay runs a loop: on the graph's backend, or on the CPU when the graph's backend is a GPU and
// the loop's values are small.

import { handoffSize } from '../kernels/register.js';
import { FUSED_KERNEL } from '../kernels/elementwise.js';
import { codeGenerationAllowed } from '../kernels/js_code.js';
import { LOOP_ROUND_KERNEL } from '../kernels/loop_code.js';
import { tf } from '../operators/tensors.js';
import { nodeBlocks, type Block, type LoopNode, type ValueId } from './graph.js';

const FUSED_NAMES: ReadonlySet<string> = new Set([FUSED_KERNEL, LOOP_ROUND_KERNEL]);

/** Backends whose kernels run on a GPU: each dispatch and each read back costs far more than a CPU kernel. */
const GPU_BACKENDS = new Set(['webgpu', 'webgl']);

/**
 * The most elements a value may have for its loop to run on the CPU: the threshold below which tfjs's
 * WebGPU backend itself hands a kernel to the CPU (fused kernels hand off at it too).
 */
export const hostSizeLimit = handoffSize;

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

const smallLoops = new WeakMap<LoopNode, boolean>();

/**
 * Whether `node` may run on the CPU backend while `backendName`, a GPU backend, runs the graph: tfjs's CPU
 * backend is registered, and the loop runs kernels the CPU backend has, constants, ifs, inner loops,
 * prints and asserts, and reads and assigns variables (no random draw), on values of at most
 * `hostSizeLimit()` elements. A scalar loop then reads its condition without waiting on the GPU, and a
 * small training loop runs no dispatch per step. The values it takes from outside are checked when it runs.
 */
export function runsOnHost(node: LoopNode, backendName: string): boolean {
  if (!GPU_BACKENDS.has(backendName) || !tf.findBackend('cpu')) return false;
  let small = smallLoops.get(node);
  if (small === undefined) {
    small = smallWork(node, hostSizeLimit());
    smallLoops.set(node, small);
  }
  return small;
}

function smallWork(loop: LoopNode, limit: number): boolean {
  const sizes = new Map<ValueId, number>();
  const fits = (types: readonly { dtype: string; shape: number[] }[]) =>
    types.every((t) => t.dtype !== 'string' && t.dtype !== 'complex64' && sizeOf(t.shape) <= limit);
  const visit = (block: Block): boolean => {
    if (!fits(block.paramTypes) || !fits(block.resultTypes)) return false;
    block.params.forEach((id, k) => sizes.set(id, sizeOf(block.paramTypes[k]!.shape)));
    for (const node of block.nodes) {
      switch (node.kind) {
        case 'constant':
          if (!fits([node])) return false;
          break;
        case 'kernel': {
          if (!tf.getKernel(node.name, 'cpu')) return false;
          // A fused kernel on the CPU is generated JavaScript, which a page that forbids eval refuses.
          if (FUSED_NAMES.has(node.name) && !codeGenerationAllowed()) return false;
          // Kernels the simplifier made (selects, broadcasts) give what their largest input has.
          const largest = Math.max(0, ...node.inputs.map((id) => sizes.get(id) ?? 0));
          for (const [k, id] of node.outputs.entries()) sizes.set(id, node.sizes?.[k] ?? largest);
          if (node.outputs.some((id) => sizes.get(id)! > limit)) return false;
          break;
        }
        case 'variable':
          // Read once before the loop; written back after it when the loop assigns it.
          if (!fits([node.variable])) return false;
          sizes.set(node.output, sizeOf(node.variable.shape));
          break;
        case 'assign':
        case 'effect':
          // Prints and asserts read their values on the CPU, where a read waits for nothing.
          break;
        case 'if':
        case 'loop': {
          // An untraced branch stops the replay wherever it runs.
          const blocks = nodeBlocks(node);
          if (!blocks.every(visit)) return false;
          const types = blocks[0]?.resultTypes ?? [];
          node.outputs.forEach((id, k) => sizes.set(id, types[k] ? sizeOf(types[k].shape) : 0));
          break;
        }
        default:
          return false;
      }
    }
    return true;
  };
  return loop.blocks.every(visit);
}
