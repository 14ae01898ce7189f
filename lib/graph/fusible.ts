// Which kernels of a graph a fused kernel may compute, given the dtypes and shapes of their values.

import { broadcastsTo, fusible, isScalar, keptAttrs, type Scalar } from '../kernels/elementwise.js';
import type { DataType } from '../operators/tensors.js';
import type { ConstantNode, KernelNode, ValueId, ValueType } from './graph.js';

/** The most inputs a fused kernel takes: WebGPU binds at most 8 storage buffers per stage, one the output. */
export const MAX_INPUTS = 7;

/** The highest rank tfjs's WebGPU backend declares shapes for. */
const MAX_RANK = 6;

export const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
export const sameShape = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((d, k) => d === b[k]);

/** Whether `id` is a constant of one element that a fused kernel writes as a literal. */
export function literalOf(id: ValueId, constants: ReadonlyMap<ValueId, ConstantNode>): ConstantNode | undefined {
  const constant = constants.get(id);
  return constant && isScalar(constant.dtype) && sizeOf(constant.shape) === 1 ? constant : undefined;
}

/**
 * Kernels that, given one element, repeat it over their output's shape: tfjs's `where`, `add` and the
 * like broadcast a scalar argument so (a Reshape, then a Tile). Inside a fused kernel, where a value of one
 * element is read by every element, such a kernel is the identity.
 */
const REPEATS = new Set(['Reshape', 'Tile', 'BroadcastTo', 'ExpandDims']);

/**
 * The kernel a fused kernel computes for `node`, with the attributes it keeps: a kernel that repeats one
 * element is a cast to its own dtype, which every fused form computes as the identity.
 */
export function elementwiseOf(
  node: KernelNode,
  types: ReadonlyMap<ValueId, ValueType>,
): { op: string; attrs?: Record<string, number | string> } {
  const input = types.get(node.inputs[0]!);
  const out = node.types?.[0];
  if (REPEATS.has(node.name) && input && out && sizeOf(input.shape) === 1 && input.dtype === out.dtype) {
    return { op: 'Cast', attrs: { dtype: out.dtype } };
  }
  const attrs = keptAttrs(node.name, node.attrs);
  return attrs ? { op: node.name, attrs } : { op: node.name };
}

/** Whether `node` may take part in a fused kernel, given the types of the values. */
export function canFuse(node: KernelNode, types: ReadonlyMap<ValueId, ValueType>): boolean {
  if (node.shapes || node.outputs.length !== 1 || !node.types?.[0]) return false;
  const out = node.types[0];
  const inputs = node.inputs.map((id) => types.get(id));
  if (!inputs.every((t): t is ValueType => t !== undefined)) return false;
  const { op, attrs } = elementwiseOf(node, types);
  if (sizeOf(out.shape) === 0 || out.shape.length > MAX_RANK || inputs.some((t) => t.shape.length > MAX_RANK)) {
    return false;
  }
  // tfjs's Select broadcasts a condition of rank 1 along rows; the fused kernel takes equal shapes only.
  if (node.name === 'Select' && !inputs.every((t) => sameShape(t.shape, out.shape))) return false;
  if (!inputs.every((t) => broadcastsTo(t.shape, out.shape))) return false;
  return fusible(
    op,
    inputs.map((t) => t.dtype as DataType),
    out.dtype as DataType,
    attrs ?? node.attrs,
  );
}

/** A one-element constant's value as a fused kernel's literal: as its dtype's typed array holds it. */
export function literalValue(constant: ConstantNode): { value: number; dtype: Scalar } {
  const raw = Number(constant.values[0]);
  const dtype = constant.dtype as Scalar;
  return { value: dtype === 'float32' ? Math.fround(raw) : dtype === 'int32' ? raw | 0 : +(raw !== 0), dtype };
}
