// Registers fused kernels with tfjs (elementwise, and rounds of fused loops): JavaScript on cpu and wasm, WGSL on webgpu.

import { tf, type DataType } from '../operators/tensors.js';
import { FUSED_KERNEL, broadcastOf, isScalar, reductionOrder, type Elementwise, type Scalar } from './elementwise.js';
import { codeGenerationAllowed, javascriptLoop } from './js_code.js';
import { LOOP_ROUND_KERNEL, javascriptRound, loopWgsl, packing, unpackWgsl, type FusedLoop } from './loop_code.js';
import { REDUCE_WORKGROUP, reduceValues, reduceWgsl, transposeInto } from './reduce_code.js';
import { runOnCopies, runRoundOnCopies, simdRoundRun, simdRun } from './wasm_run.js';
import { wgslSource, wgslSourceVec4 } from './wgsl_code.js';
import { uploadInputs, type UploadingBackend } from './webgpu_upload.js';

interface Info {
  dataId: object;
  shape: number[];
  dtype: DataType;
}

type Typed = Float32Array | Int32Array | Uint8Array;

/**
 * How fused elementwise kernels ran, counted per run: with WebAssembly SIMD, as the JavaScript loop (an
 * expression with a kernel that has no exact SIMD form, fewer than four elements, or no SIMD in this
 * engine), or as a WGSL program (`vec4` counts those of them that read and wrote four elements at a
 * time); and how many WebGPU inputs they wrote with a queue write (smaller ones
 * go through tfjs's own upload). Benchmarks and specs read it to say which path they measured.
 */
export const fusedPaths = { simd: 0, javascript: 0, wgsl: 0, vec4: 0, queueWrites: 0 };

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function typedArray(dtype: Scalar, size: number): Typed {
  return dtype === 'float32' ? new Float32Array(size) : dtype === 'int32' ? new Int32Array(size) : new Uint8Array(size);
}

interface CpuBackend {
  data: { get(dataId: object): { values: ArrayLike<number> } };
  write(values: Typed, shape: number[], dtype: DataType): object;
}

/**
 * Scratch arrays by dtype, reused and grown to the largest call: those a reduction's values are computed
 * into, and those they are transposed into first where it reduces axes that are not innermost.
 */
const scratch = new Map<Scalar, Typed>();
const transposed = new Map<Scalar, Typed>();

function scratchFor(pool: Map<Scalar, Typed>, dtype: Scalar, size: number): Typed {
  let array = pool.get(dtype);
  if (!array || array.length < size) pool.set(dtype, (array = typedArray(dtype, size)));
  return array.subarray(0, size);
}

/**
 * `expression` over arrays in JavaScript memory: SIMD where every kernel has an exact form, else the
 * JavaScript loop. A reduction that ends it reduces the values, computed into scratch memory, as tfjs's
 * cpu kernel would have reduced them.
 */
function computeOnCpu(expression: Elementwise, values: ArrayLike<number>[]): Typed {
  const size = sizeOf(expression.shape);
  const { reduce } = expression;
  const out = reduce ? scratchFor(scratch, expression.dtype, size) : typedArray(expression.dtype, size);
  if (runOnCopies(expression, values, out)) fusedPaths.simd++;
  else {
    fusedPaths.javascript++;
    javascriptLoop(expression)(values, out, 0, out.length);
  }
  if (!reduce) return out;
  const reduced = typedArray(reduce.dtype, sizeOf(reduce.shape));
  const order = reductionOrder(reduce, expression.shape.length);
  const visited = order
    ? transposeInto(out, expression.shape, order, scratchFor(transposed, expression.dtype, size))
    : out;
  reduceValues(reduce, visited, reduced);
  return reduced;
}

/** The shape and dtype a fused kernel gives: its values', or its reduction's. */
const resultOf = (expression: Elementwise): { shape: number[]; dtype: Scalar } => ({
  shape: [...(expression.reduce?.shape ?? expression.shape)],
  dtype: expression.reduce?.dtype ?? expression.dtype,
});

function onCpu(expression: Elementwise, inputs: Info[], backend: CpuBackend): Info {
  const values = inputs.map((info) => backend.data.get(info.dataId).values);
  const { shape, dtype } = resultOf(expression);
  const out = computeOnCpu(expression, values);
  return { dataId: backend.write(out, shape, dtype), shape, dtype };
}

/** A round of a fused loop on the CPU: every carried value's next one, in one pass over the elements. */
function roundOnCpu(loop: FusedLoop, inputs: Info[], backend: CpuBackend): Info[] {
  const values = inputs.map((info) => backend.data.get(info.dataId).values);
  const outs = loop.state.map((value) => typedArray(value.dtype, sizeOf(value.shape)));
  if (runRoundOnCopies(loop, values, outs)) fusedPaths.simd++;
  else {
    fusedPaths.javascript++;
    javascriptRound(loop)(values, outs, 0, sizeOf(loop.shape));
  }
  return loop.state.map((value, k) => ({
    dataId: backend.write(outs[k]!, [...value.shape], value.dtype),
    shape: [...value.shape],
    dtype: value.dtype,
  }));
}

interface WasmBackend {
  dataIdMap: { get(dataId: object): { dtype: DataType; memoryOffset: number } };
  makeOutput(shape: number[], dtype: DataType): Info;
  typedArrayFromHeap(info: Info): Typed;
  wasm: { asm?: { memory?: unknown } };
}

/** Views of values on tfjs-wasm's heap, as the dtypes their buffers hold; made after any allocation (which may move the heap). */
const heapViews = (infos: Info[], backend: WasmBackend): Typed[] =>
  infos.map((info) => backend.typedArrayFromHeap({ ...info, dtype: backend.dataIdMap.get(info.dataId).dtype }));

/**
 * Runs a SIMD function (`simdRun`, `simdRoundRun`) in place on tfjs-wasm's heap, where `inputs` and `outs`
 * already are: no copies. False where the module has none, where a value is bool (one byte on that heap)
 * or its buffer holds another dtype than `dtypes` says (a cast that shares its input's buffer), or where
 * there are fewer than four elements.
 */
function simdOnHeap(
  simd: (memory: WebAssembly.Memory) => ((...addresses: number[]) => void) | null,
  inputs: Info[],
  dtypes: readonly Scalar[],
  outs: Info[],
  count: number,
  backend: WasmBackend,
): boolean {
  const memory = backend.wasm.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory) || count < 4) return false;
  const data = inputs.map((info) => backend.dataIdMap.get(info.dataId));
  if (outs.some((out) => out.dtype === 'bool') || data.some((d, k) => d.dtype === 'bool' || d.dtype !== dtypes[k])) {
    return false;
  }
  const run = simd(memory);
  if (!run) return false;
  run(...data.map((d) => d.memoryOffset), ...outs.map((out) => backend.dataIdMap.get(out.dataId).memoryOffset), count);
  return true;
}

function onWasm(expression: Elementwise, inputs: Info[], backend: WasmBackend): Info {
  const { shape, dtype } = resultOf(expression);
  if (expression.reduce) {
    // The values in scratch memory, then reduced, as on the cpu backend.
    const reduced = computeOnCpu(expression, heapViews(inputs, backend));
    const out = backend.makeOutput(shape, dtype);
    backend.typedArrayFromHeap(out).set(reduced);
    return out;
  }
  const out = backend.makeOutput(shape, dtype);
  const dtypes = expression.inputs.map((input) => input.dtype);
  if (simdOnHeap((memory) => simdRun(expression, memory), inputs, dtypes, [out], sizeOf(shape), backend)) {
    fusedPaths.simd++;
    return out;
  }
  fusedPaths.javascript++;
  const target = backend.typedArrayFromHeap(out);
  javascriptLoop(expression)(heapViews(inputs, backend), target, 0, target.length);
  return out;
}

function roundOnWasm(loop: FusedLoop, inputs: Info[], backend: WasmBackend): Info[] {
  const made = loop.state.map((value) => backend.makeOutput([...value.shape], value.dtype));
  const dtypes = [...loop.state, ...loop.inputs].map((value) => value.dtype);
  const count = sizeOf(loop.shape);
  if (simdOnHeap((memory) => simdRoundRun(loop, memory), inputs, dtypes, made, count, backend)) {
    fusedPaths.simd++;
    return made;
  }
  fusedPaths.javascript++;
  const outs = made.map((info) => backend.typedArrayFromHeap(info));
  javascriptRound(loop)(heapViews(inputs, backend), outs, 0, count);
  return made;
}

interface WebGPUBackend extends UploadingBackend {
  runWebGPUProgram(program: object, inputs: Info[], dtype: DataType): Info;
  disposeData(dataId: object): void;
  shouldExecuteOnCPU(inputs: Info[], sizeThreshold: number): boolean;
  makeTensorInfo(shape: number[], dtype: DataType, values: Typed): Info;
}

/**
 * The size below which tfjs's WebGPU kernels compute values that are still on the CPU there
 * (WEBGPU_CPU_HANDOFF_SIZE_THRESHOLD, 1000 by default).
 */
export function handoffSize(): number {
  try {
    return tf.env().getNumber('WEBGPU_CPU_HANDOFF_SIZE_THRESHOLD');
  } catch {
    return 1000;
  }
}

/** Invocations per workgroup, and the most workgroups a dispatch may have along one dimension. */
const WORKGROUP = 64;
const MAX_WORKGROUPS = 65535;

/**
 * From MANY elements on, an invocation of a fused kernel computes PER_INVOCATION of them: on SwiftShader
 * the Huber loss over 1e6 values takes 21 ms with one element per invocation, 16.5 ms with 4 and 15.3 ms
 * with 8 (upload and read back included); tfjs's own elementwise kernels take 4 (vec4) on any GPU.
 */
const MANY = 65536;
const PER_INVOCATION = 8;
const VEC4_PER = 4;
const VEC4_WORKGROUP = 256;

function onWebGPU(expression: Elementwise, inputs: Info[], backend: WebGPUBackend): Info {
  const { shape } = expression;
  // As tfjs's own kernels do: small values not yet uploaded are computed on the CPU, where they are.
  // Without `new Function` (csp: true), the GPU computes them: the CPU's fused loop is generated code.
  if (codeGenerationAllowed() && backend.shouldExecuteOnCPU(inputs, handoffSize())) {
    const values = inputs.map((info) => backend.tensorMap.get(info.dataId).values!);
    const result = resultOf(expression);
    return backend.makeTensorInfo(result.shape, result.dtype, computeOnCpu(expression, values));
  }
  fusedPaths.wgsl++;
  fusedPaths.queueWrites += uploadInputs(inputs, backend);
  const storage = storageOf(inputs, backend);
  if (expression.reduce) return reduceOnWebGPU(expression, inputs, storage, backend);
  const size = sizeOf(shape);
  const wide = expression.inputs.map((input) => broadcastOf(input.shape, shape).kind === 'same');
  const vectors =
    size >= MANY && size % 4 === 0 && expression.inputs.every((input, k) => wide[k] || sizeOf(input.shape) === 1);
  if (vectors) return vec4OnWebGPU(expression, inputs, storage, wide, backend);
  const per = size >= MANY ? PER_INVOCATION : 1;
  const invocations = Math.ceil(size / per);
  const program = {
    variableNames: inputs.map((_, k) => `x${k}`),
    outputShape: [...shape],
    // Two programs with the same key share a pipeline: the key holds the whole expression (its shape too).
    shaderKey: `autograph:${expression.key}:${storage.join(',')}:${per}`,
    dispatchLayout: { x: shape.map((_, i) => i) },
    dispatch: flatDispatch(invocations),
    workgroupSize: [WORKGROUP, 1, 1],
    size: true,
    getUserCode: () => wgslSource(expression, storage, per, invocations),
  };
  return backend.runWebGPUProgram(program, inputs, expression.dtype);
}

/**
 * A fused kernel whose inputs are each of the output's size or a single value, over a size that is a
 * multiple of 4 and at least MANY: buffers are read and written as vec4 (kernels/wgsl_code.ts), VEC4_PER
 * of them per invocation, in workgroups of VEC4_WORKGROUP (on SwiftShader: 3.7 ms for the Huber loss's
 * kernel over 1e6 values, 4.8 ms with 4 vec4s in workgroups of 64, 8 ms by single elements).
 */
function vec4OnWebGPU(
  expression: Elementwise,
  inputs: Info[],
  storage: Scalar[],
  wide: boolean[],
  backend: WebGPUBackend,
): Info {
  fusedPaths.vec4++;
  const { shape } = expression;
  const invocations = Math.ceil(sizeOf(shape) / 4 / VEC4_PER);
  const program = {
    variableNames: inputs.map((_, k) => `x${k}`),
    outputShape: [...shape],
    shaderKey: `autograph-vec4:${expression.key}:${storage.join(',')}:${wide.join(',')}`,
    dispatchLayout: { x: shape.map((_, i) => i) },
    dispatch: flatDispatch(invocations, VEC4_WORKGROUP),
    workgroupSize: [VEC4_WORKGROUP, 1, 1],
    size: true,
    outputComponent: 4,
    variableComponents: wide.map((w) => (w ? 4 : 1)),
    getUserCode: () => wgslSourceVec4(expression, storage, wide, VEC4_PER, invocations),
  };
  return backend.runWebGPUProgram(program, inputs, expression.dtype);
}

/** A fused kernel that ends in a reduction: one workgroup per value it gives (kernels/reduce_code.ts). */
function reduceOnWebGPU(expression: Elementwise, inputs: Info[], storage: Scalar[], backend: WebGPUBackend): Info {
  const { shape, dtype } = resultOf(expression);
  const program = {
    variableNames: inputs.map((_, k) => `x${k}`),
    outputShape: shape,
    shaderKey: `autograph-reduce:${expression.key}:${storage.join(',')}`,
    dispatchLayout: { x: shape.map((_, i) => i) },
    dispatch: flatDispatch(sizeOf(shape) * REDUCE_WORKGROUP, REDUCE_WORKGROUP),
    workgroupSize: [REDUCE_WORKGROUP, 1, 1],
    size: true,
    getUserCode: () => reduceWgsl(expression, storage),
  };
  return backend.runWebGPUProgram(program, inputs, dtype);
}

/** The dtypes the buffers of `inputs` hold (a lossless cast shares its input's buffer). */
function storageOf(inputs: Info[], backend: WebGPUBackend): Scalar[] {
  return inputs.map((info) => {
    const stored = backend.tensorMap.get(info.dataId).dtype;
    return isScalar(stored) ? stored : 'float32';
  });
}

/** The dispatch of a flat program over `size` elements. */
function flatDispatch(size: number, workgroup = WORKGROUP): number[] {
  const groups = Math.ceil(size / workgroup);
  // The backend spreads a dispatch over more dimensions when it has too many workgroups for one.
  return groups > MAX_WORKGROUPS ? [MAX_WORKGROUPS, Math.ceil(groups / MAX_WORKGROUPS), 1] : [groups, 1, 1];
}

/**
 * A round of a fused loop on WebGPU: one program iterates the body once per element and writes all
 * carried values into one packed int32 buffer (a program has one output); a copy program per carried
 * value then takes each out.
 */
function roundOnWebGPU(loop: FusedLoop, inputs: Info[], backend: WebGPUBackend): Info[] {
  fusedPaths.queueWrites += uploadInputs(inputs, backend);
  const storage = storageOf(inputs, backend);
  const { offsets, length } = packing(loop);
  const round = {
    variableNames: inputs.map((_, k) => `x${k}`),
    outputShape: [length],
    shaderKey: `autograph-loop:${loop.key}:${storage.join(',')}`,
    dispatchLayout: { x: [0] },
    dispatch: flatDispatch(sizeOf(loop.shape)),
    workgroupSize: [WORKGROUP, 1, 1],
    size: true,
    getUserCode: () => loopWgsl(loop, storage),
  };
  const all = backend.runWebGPUProgram(round, inputs, 'int32');
  const outs = loop.state.map((value, k) => {
    const unpack = {
      variableNames: ['x0'],
      outputShape: [...value.shape],
      shaderKey: `autograph-unpack:${offsets[k]}:${value.dtype}`,
      dispatchLayout: { x: value.shape.map((_, i) => i) },
      dispatch: flatDispatch(sizeOf(value.shape)),
      workgroupSize: [WORKGROUP, 1, 1],
      size: true,
      getUserCode: () => unpackWgsl(offsets[k]!, value.dtype),
    };
    return backend.runWebGPUProgram(unpack, [all], value.dtype);
  });
  backend.disposeData(all.dataId);
  return outs;
}

type Run = (expression: Elementwise, inputs: Info[], backend: never) => Info;

const RUNS: Record<string, Run> = { cpu: onCpu, wasm: onWasm, webgpu: onWebGPU };

type RunRound = (loop: FusedLoop, inputs: Info[], backend: never) => Info[];

const ROUNDS: Record<string, RunRound> = { cpu: roundOnCpu, wasm: roundOnWasm, webgpu: roundOnWebGPU };

/** The backends with a fused kernel. */
export const FUSING_BACKENDS: ReadonlySet<string> = new Set(Object.keys(RUNS));

/**
 * Registers the fused kernels for each backend that has them, once: a second copy of the library finds
 * them registered. Graphs call `AutographElementwise(inputs)` with `{ expression }` as its attributes, and
 * `AutographLoopRound(carried..., outside...)` with `{ loop }`.
 */
export function registerFusedKernels(): void {
  register(LOOP_ROUND_KERNEL, 'loop', ROUNDS);
  register(FUSED_KERNEL, 'expression', RUNS);
}

/** Registers `name` for each backend of `runs`, called with its attribute `attr` and its inputs as a list. */
function register(
  name: string,
  attr: string,
  runs: Record<string, (what: never, inputs: Info[], backend: never) => unknown>,
) {
  for (const [backendName, run] of Object.entries(runs)) {
    if (tf.getKernel(name, backendName)) continue;
    tf.registerKernel({
      kernelName: name,
      backendName,
      kernelFunc: ({ inputs, attrs, backend }) =>
        run(
          (attrs as Record<string, unknown>)[attr] as never,
          (Array.isArray(inputs) ? inputs : Object.values(inputs)) as Info[],
          backend as never,
        ) as tf.TensorInfo | tf.TensorInfo[],
    });
  }
}
