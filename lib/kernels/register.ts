// Registers the fused elementwise kernel with tfjs: a JavaScript loop on cpu and wasm, a WGSL program on webgpu.

import { tf, type DataType } from '../operators/tensors.js';
import { FUSED_KERNEL, isScalar, type Elementwise, type Scalar } from './elementwise.js';
import { javascriptLoop } from './js_code.js';
import { wgslSource } from './wgsl_code.js';

interface Info {
  dataId: object;
  shape: number[];
  dtype: DataType;
}

type Typed = Float32Array | Int32Array | Uint8Array;

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function typedArray(dtype: Scalar, size: number): Typed {
  return dtype === 'float32' ? new Float32Array(size) : dtype === 'int32' ? new Int32Array(size) : new Uint8Array(size);
}

interface CpuBackend {
  data: { get(dataId: object): { values: ArrayLike<number> } };
  write(values: Typed, shape: number[], dtype: DataType): object;
}

function onCpu(expression: Elementwise, inputs: Info[], backend: CpuBackend): Info {
  const values = inputs.map((info) => backend.data.get(info.dataId).values);
  const { shape, dtype } = expression;
  const out = typedArray(dtype, sizeOf(shape));
  javascriptLoop(expression)(values, out, 0, out.length);
  return { dataId: backend.write(out, [...shape], dtype), shape: [...shape], dtype };
}

interface WasmBackend {
  dataIdMap: { get(dataId: object): { dtype: DataType } };
  makeOutput(shape: number[], dtype: DataType): Info;
  typedArrayFromHeap(info: Info): Typed;
}

function onWasm(expression: Elementwise, inputs: Info[], backend: WasmBackend): Info {
  const { shape, dtype } = expression;
  const out = backend.makeOutput([...shape], dtype);
  // Views of the heap after the output's allocation, which may have grown (and so moved) it.
  const values = inputs.map((info) =>
    backend.typedArrayFromHeap({ ...info, dtype: backend.dataIdMap.get(info.dataId).dtype }),
  );
  const target = backend.typedArrayFromHeap(out);
  javascriptLoop(expression)(values, target, 0, target.length);
  return out;
}

interface WebGPUBackend {
  tensorMap: { get(dataId: object): { dtype: DataType } };
  runWebGPUProgram(program: object, inputs: Info[], dtype: DataType): Info;
}

/** Invocations per workgroup, and the most workgroups a dispatch may have along one dimension. */
const WORKGROUP = 64;
const MAX_WORKGROUPS = 65535;

function onWebGPU(expression: Elementwise, inputs: Info[], backend: WebGPUBackend): Info {
  // The WGSL reads each buffer as it is stored: a lossless cast shares its input's buffer.
  const storage = inputs.map((info) => {
    const stored = backend.tensorMap.get(info.dataId).dtype;
    return isScalar(stored) ? stored : 'float32';
  });
  const { shape } = expression;
  const groups = Math.ceil(sizeOf(shape) / WORKGROUP);
  // The backend spreads a dispatch over more dimensions when it has too many workgroups for one.
  const dispatch = groups > MAX_WORKGROUPS ? [MAX_WORKGROUPS, Math.ceil(groups / MAX_WORKGROUPS), 1] : [groups, 1, 1];
  const program = {
    variableNames: inputs.map((_, k) => `x${k}`),
    outputShape: [...shape],
    // Two programs with the same key share a pipeline: the key holds the whole expression.
    shaderKey: `autograph:${expression.key}:${storage.join(',')}`,
    dispatchLayout: { x: shape.map((_, i) => i) },
    dispatch,
    workgroupSize: [WORKGROUP, 1, 1],
    size: true,
    getUserCode: () => wgslSource(expression, storage),
  };
  return backend.runWebGPUProgram(program, inputs, expression.dtype);
}

type Run = (expression: Elementwise, inputs: Info[], backend: never) => Info;

const RUNS: Record<string, Run> = { cpu: onCpu, wasm: onWasm, webgpu: onWebGPU };

/** The backends with a fused kernel. */
export const FUSING_BACKENDS: ReadonlySet<string> = new Set(Object.keys(RUNS));

/**
 * Registers the fused kernel for each backend that has one, once: a second copy of the library finds it
 * registered. Graphs call it as `AutographElementwise(inputs)` with `{ expression }` as its attributes.
 */
export function registerFusedKernels(): void {
  for (const [backendName, run] of Object.entries(RUNS)) {
    if (tf.getKernel(FUSED_KERNEL, backendName)) continue;
    tf.registerKernel({
      kernelName: FUSED_KERNEL,
      backendName,
      kernelFunc: ({ inputs, attrs, backend }) =>
        run(
          (attrs as unknown as { expression: Elementwise }).expression,
          (Array.isArray(inputs) ? inputs : Object.values(inputs)) as Info[],
          backend as never,
        ) as tf.TensorInfo,
    });
  }
}
