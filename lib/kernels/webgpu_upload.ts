// Uploads the inputs of a fused WebGPU kernel that are still on the CPU, with one queue write each.

/** What this file reads and sets of one tensor's entry in tfjs's WebGPU backend. */
interface TensorData {
  dtype: string;
  shape: number[];
  values: ArrayLike<number> | null;
  resource: unknown;
}

/** The parts of tfjs's WebGPU backend (4.x) an upload uses. */
export interface UploadingBackend {
  tensorMap: { get(dataId: object): TensorData };
  device: { queue: { writeBuffer(buffer: unknown, offset: number, data: ArrayBufferView): void } };
  bufferManager: { acquireBuffer(size: number, usage: number): unknown };
}

/**
 * From this many bytes on, an input is written with `queue.writeBuffer`. tfjs uploads through a new
 * mapped staging buffer per tensor; in Chromium (its GPU process on SwiftShader) that took 23 ms for
 * 4 MB where a queue write took 2.8 ms, and below 64 KB both take about a millisecond.
 */
const WRITE_FROM_BYTES = 65536;

/**
 * Puts each input that tfjs still holds on the CPU into a GPU buffer from tfjs's own pool, as the
 * backend's `uploadToGPU` would (same usage, same element type), so that running the program finds it
 * uploaded, and returns how many it wrote. A pooled buffer is free of pending commands (tfjs releases buffers that recorded commands
 * use only after it submits them), and a queue write is ordered before every later submission.
 */
export function uploadInputs(inputs: readonly { dataId: object }[], backend: UploadingBackend): number {
  let written = 0;
  for (const { dataId } of inputs) {
    const data = backend.tensorMap.get(dataId);
    if (data.resource != null || data.values == null) continue;
    const count = data.shape.reduce((a, b) => a * b, 1);
    if (count * 4 < WRITE_FROM_BYTES) continue;
    // int32 and bool are stored as int32 on WebGPU, every other dtype as float32.
    const words =
      data.dtype === 'int32' || data.dtype === 'bool' ? Int32Array.from(data.values) : asFloat32(data.values);
    const buffer = backend.bufferManager.acquireBuffer(
      words.byteLength,
      GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    );
    backend.device.queue.writeBuffer(buffer, 0, words);
    data.resource = buffer;
    // As tfjs does once a tensor is uploaded: the GPU holds its values now.
    data.values = null;
    written++;
  }
  return written;
}

const asFloat32 = (values: ArrayLike<number>) => (values instanceof Float32Array ? values : Float32Array.from(values));
