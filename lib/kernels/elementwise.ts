// The elementwise expression a fused kernel computes, and which tfjs kernels may take part in one.

import type { DataType } from '../operators/tensors.js';

/** The name the fused kernel is registered under, for every backend that has one (kernels/register.ts). */
export const FUSED_KERNEL = 'AutographElementwise';

/** The dtypes a fused kernel computes on. */
export type Scalar = 'float32' | 'int32' | 'bool';

/**
 * One value of an expression, computed per output element: an input's element (broadcast to the output's
 * shape), a literal, or a tfjs kernel applied to earlier values. Earlier values are referred to by their
 * position in `Elementwise.steps`.
 */
export type Step =
  | { op: 'input'; input: number; dtype: Scalar }
  | { op: 'literal'; value: number; dtype: Scalar }
  // A fused loop's carried value, as the current iteration has it (kernels/loop_code.ts).
  | { op: 'state'; index: number; dtype: Scalar }
  | { op: string; args: number[]; dtype: Scalar; attrs?: Record<string, number | string> };

export type OpStep = Extract<Step, { args: number[] }>;

/**
 * What a fused kernel computes: `steps` in order, the last one the output, over inputs broadcast to
 * `shape`. Every step that is not an input has the output's shape: the fusion pass only folds a value
 * into its consumer when both have the same shape.
 */
export interface Elementwise {
  shape: number[];
  dtype: Scalar;
  inputs: { dtype: Scalar; shape: number[] }[];
  steps: Step[];
  /** The whole expression, shapes and literals included: what generated code is cached on. */
  key: string;
  /** A reduction that ends the expression: the kernel gives its result instead of the values. */
  reduce?: Reduction;
}

/**
 * A reduction of an expression's values over `size` elements each, as tfjs's kernel `op` reduces: the
 * fused kernel gives a value of `shape` and `dtype` (its kept dimensions included). Without `axes` it
 * reduces the innermost axes (all of them for a full reduction). With `axes` (in the order the kernel was
 * given them), it reduces those, in the order tfjs's cpu kernels do: as if the values were transposed to
 * the kept axes, in order, then these.
 */
export interface Reduction {
  op: ReductionOp;
  size: number;
  shape: number[];
  dtype: Scalar;
  axes?: number[];
}

/** A reduction as the graph summary shows it and fused kernels are cached on: `Sum(innermost 4)`, `Max(axes 0,2)`. */
export const reductionText = (reduce: Reduction, of: string): string =>
  `${reduce.op}(${of}, ${reduce.axes ? `axes ${reduce.axes.join(',')}` : `innermost ${reduce.size}`})`;

/**
 * The order in which a reduction visits its expression's values, as a transpose of them: the kept axes
 * in order, then the reduced ones as given. Undefined where it reduces the innermost axes in place.
 */
export function reductionOrder(reduce: Reduction, rank: number): number[] | undefined {
  const { axes } = reduce;
  if (!axes) return undefined;
  return [...Array.from({ length: rank }, (_, k) => k).filter((k) => !axes.includes(k)), ...axes];
}

export type ReductionOp = 'Sum' | 'Mean' | 'Max' | 'Min' | 'Any' | 'All';

/** The reductions a fused kernel ends with, by the dtype of the values they reduce: the dtype they give. */
export const REDUCTIONS: ReadonlyMap<string, Partial<Record<Scalar, Scalar>>> = new Map(
  Object.entries({
    // tfjs sums bools as int32.
    Sum: { float32: 'float32', int32: 'int32', bool: 'int32' },
    Mean: { float32: 'float32' },
    Max: { float32: 'float32', int32: 'int32' },
    Min: { float32: 'float32', int32: 'int32' },
    Any: { bool: 'bool' },
    All: { bool: 'bool' },
  }),
);

export const isOpStep = (step: Step): step is OpStep => 'args' in step;

/**
 * For an int32 FloorDiv or Mod by a literal power of two, 2^shift, the shift: then floor division is an
 * arithmetic shift right and the remainder (with the divisor's sign, positive) a mask, for every int32.
 */
export function powerOfTwoDivisor(step: OpStep, steps: readonly Step[]): number | undefined {
  if ((step.op !== 'FloorDiv' && step.op !== 'Mod') || step.dtype !== 'int32') return undefined;
  const divisor = steps[step.args[1]!];
  if (divisor?.op !== 'literal') return undefined;
  const value = (divisor as { value: number }).value;
  const shift = Math.log2(value);
  return Number.isInteger(shift) && shift >= 0 && shift <= 30 ? shift : undefined;
}

/** The dtypes a kernel takes (all its inputs alike, except Select's condition) and gives. */
interface Signature {
  takes: Scalar;
  gives: Scalar;
}

const same = (...dtypes: Scalar[]): Signature[] => dtypes.map((d) => ({ takes: d, gives: d }));
const toBool = (...dtypes: Scalar[]): Signature[] => dtypes.map((d) => ({ takes: d, gives: 'bool' }));

/**
 * The kernels a fused kernel computes, with the dtypes each may take. The semantics are those of tfjs's
 * CPU kernels (written down in kernels/js_code.ts and kernels/wgsl_code.ts); a kernel on other dtypes
 * stays as it is.
 */
export const ELEMENTWISE: ReadonlyMap<string, { arity: number; signatures: Signature[]; attrs?: string[] }> = new Map(
  Object.entries({
    Add: { arity: 2, signatures: same('float32', 'int32') },
    Sub: { arity: 2, signatures: same('float32', 'int32') },
    Multiply: { arity: 2, signatures: same('float32', 'int32') },
    RealDiv: { arity: 2, signatures: same('float32') },
    FloorDiv: { arity: 2, signatures: same('float32', 'int32') },
    Mod: { arity: 2, signatures: same('float32', 'int32') },
    Maximum: { arity: 2, signatures: same('float32', 'int32') },
    Minimum: { arity: 2, signatures: same('float32', 'int32') },
    Pow: { arity: 2, signatures: same('float32') },
    SquaredDifference: { arity: 2, signatures: same('float32') },
    Equal: { arity: 2, signatures: toBool('float32', 'int32', 'bool') },
    NotEqual: { arity: 2, signatures: toBool('float32', 'int32', 'bool') },
    Less: { arity: 2, signatures: toBool('float32', 'int32') },
    LessEqual: { arity: 2, signatures: toBool('float32', 'int32') },
    Greater: { arity: 2, signatures: toBool('float32', 'int32') },
    GreaterEqual: { arity: 2, signatures: toBool('float32', 'int32') },
    LogicalAnd: { arity: 2, signatures: same('bool') },
    LogicalOr: { arity: 2, signatures: same('bool') },
    LogicalNot: { arity: 1, signatures: same('bool') },
    Select: { arity: 3, signatures: same('float32', 'int32', 'bool') },
    Cast: { arity: 1, signatures: [], attrs: ['dtype'] },
    // tfjs's cpu Abs and Square store int32 results in a Float32Array (inexact above 2^24): float32 only.
    Abs: { arity: 1, signatures: same('float32') },
    Neg: { arity: 1, signatures: same('float32', 'int32') },
    Square: { arity: 1, signatures: same('float32') },
    Sign: { arity: 1, signatures: same('float32') },
    Exp: { arity: 1, signatures: same('float32') },
    Log: { arity: 1, signatures: same('float32') },
    Sqrt: { arity: 1, signatures: same('float32') },
    Rsqrt: { arity: 1, signatures: same('float32') },
    Reciprocal: { arity: 1, signatures: same('float32') },
    Sin: { arity: 1, signatures: same('float32') },
    Cos: { arity: 1, signatures: same('float32') },
    Tanh: { arity: 1, signatures: same('float32') },
    Sigmoid: { arity: 1, signatures: same('float32') },
    Relu: { arity: 1, signatures: same('float32') },
    Elu: { arity: 1, signatures: same('float32') },
    Floor: { arity: 1, signatures: same('float32') },
    Ceil: { arity: 1, signatures: same('float32') },
    Round: { arity: 1, signatures: same('float32') },
    IsNan: { arity: 1, signatures: toBool('float32') },
    ClipByValue: { arity: 1, signatures: same('float32'), attrs: ['clipValueMin', 'clipValueMax'] },
    LeakyRelu: { arity: 1, signatures: same('float32'), attrs: ['alpha'] },
  }),
);

const SCALARS = new Set<string>(['float32', 'int32', 'bool']);
export const isScalar = (dtype: DataType | string): dtype is Scalar => SCALARS.has(dtype);

/**
 * Whether kernel `name`, given inputs of `inputs` dtypes, giving `output`, with `attrs`, is one a fused
 * kernel computes as tfjs's CPU kernel does.
 */
export function fusible(name: string, inputs: DataType[], output: DataType, attrs: Record<string, unknown>): boolean {
  const entry = ELEMENTWISE.get(name);
  if (!entry || inputs.length !== entry.arity || !isScalar(output) || !inputs.every(isScalar)) return false;
  for (const attr of entry.attrs ?? []) {
    const value = attrs[attr];
    if (typeof value !== 'number' && !(attr === 'dtype' && typeof value === 'string')) return false;
  }
  if (name === 'Cast') return attrs['dtype'] === output;
  // Select takes a bool condition, then two values of the dtype it gives.
  const compared = name === 'Select' ? inputs.slice(1) : inputs;
  if (name === 'Select' && inputs[0] !== 'bool') return false;
  return entry.signatures.some((s) => s.gives === output && compared.every((d) => d === s.takes));
}

/** The attributes of kernel `name` that its expression keeps. */
export function keptAttrs(name: string, attrs: Record<string, unknown>): Record<string, number | string> | undefined {
  const names = ELEMENTWISE.get(name)?.attrs;
  if (!names) return undefined;
  return Object.fromEntries(names.map((attr) => [attr, attrs[attr] as number | string]));
}

/** The key of an expression: everything its generated code depends on. */
export function expressionKey(shape: number[], inputs: Elementwise['inputs'], steps: Step[]): string {
  const literal = (value: number) => (Object.is(value, -0) ? '-0' : String(value));
  const parts = steps.map((step) => {
    if (step.op === 'input') return `in${(step as { input: number }).input}`;
    if (step.op === 'literal') return `${step.dtype}(${literal((step as { value: number }).value)})`;
    if (step.op === 'state') return `s${(step as { index: number }).index}`;
    const op = step as OpStep;
    const attrs = op.attrs ? JSON.stringify(op.attrs) : '';
    return `${op.op}${attrs}:${op.dtype}(${op.args.join(',')})`;
  });
  const ins = inputs.map((input) => `${input.dtype}[${input.shape.join(',')}]`).join(' ');
  return `[${shape.join(',')}] ${ins} | ${parts.join(' ')}`;
}

/** How an input of `shape` is indexed per element of an output of `outShape`: elementwise, one value, or broadcast. */
export type Broadcast =
  { kind: 'same' } | { kind: 'one' } | { kind: 'strided'; outStrides: number[]; dims: number[]; strides: number[] };

export function broadcastOf(shape: readonly number[], outShape: readonly number[]): Broadcast {
  const size = shape.reduce((a, b) => a * b, 1);
  const outSize = outShape.reduce((a, b) => a * b, 1);
  if (size === 1) return { kind: 'one' };
  if (size === outSize) return { kind: 'same' };
  // Right-aligned: input dimension k matches output dimension k + offset; size-1 dimensions repeat.
  const offset = outShape.length - shape.length;
  const outStrides: number[] = [];
  const dims: number[] = [];
  const strides: number[] = [];
  let stride = 1;
  const inStrides = shape.map(() => 0);
  for (let k = shape.length - 1; k >= 0; k--) {
    inStrides[k] = stride;
    stride *= shape[k]!;
  }
  let outStride = 1;
  const allOut = outShape.map(() => 0);
  for (let k = outShape.length - 1; k >= 0; k--) {
    allOut[k] = outStride;
    outStride *= outShape[k]!;
  }
  shape.forEach((d, k) => {
    if (d === 1) return;
    outStrides.push(allOut[k + offset]!);
    dims.push(d);
    strides.push(inStrides[k]!);
  });
  return { kind: 'strided', outStrides, dims, strides };
}

/** Whether an input of `shape` broadcasts to `outShape` as tfjs broadcasts binary ops. */
export function broadcastsTo(shape: readonly number[], outShape: readonly number[]): boolean {
  if (shape.length > outShape.length) return false;
  const offset = outShape.length - shape.length;
  return shape.every((d, k) => d === 1 || d === outShape[k + offset]);
}
