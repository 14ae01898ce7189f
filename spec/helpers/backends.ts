// Runs a behaviour spec once per available tfjs backend, in the manner of tfjs-core's describeWithFlags.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { setupNodeWebGPU, type NodeWebGPU } from '../../lib/platform/webgpu_node.js';
import { forbidSynchronousReads } from './sync_reads.js';

/**
 * WebGPU through Dawn, with SwiftShader where there is no GPU. Set up once, when the specs load; the
 * backend is registered but not made active here. A failure is kept as the reason webgpu is skipped.
 */
const webgpu: NodeWebGPU | Error = await setupNodeWebGPU({ setBackend: false }).catch((error: unknown) =>
  error instanceof Error ? error : new Error(String(error)),
);

/** The backends behaviour specs run on, with the reason a backend is missing. */
export const BACKENDS: readonly { name: string; unavailable?: string }[] = [
  { name: 'cpu' },
  // With fusion off (AUTOGRAPH_FUSION=off, the second run of `npm test`), the specs run on cpu only: the
  // first run covers webgpu with fusion on, and SwiftShader is slow.
  ...(process.env.AUTOGRAPH_FUSION === 'off'
    ? []
    : [{ name: 'webgpu', unavailable: webgpu instanceof Error ? webgpu.message : undefined }]),
];

/** True on SwiftShader, where specs keep their inputs small: it is correct but slow. */
export const isSoftwareWebGPU = !(webgpu instanceof Error) && webgpu.software;

/** WebGPU errors no error scope caught (shaders that do not compile, invalid bindings), since the last check. */
const gpuErrors: string[] = [];
const watched = new WeakSet<object>();

function watchGpuErrors(backend: unknown): void {
  const device = (backend as { device?: EventTarget }).device;
  if (!device || watched.has(device)) return;
  watched.add(device);
  device.addEventListener('uncapturederror', (event) => {
    const error = (event as Event & { error?: { message?: string } }).error;
    gpuErrors.push(String(error?.message ?? error).split('\n')[0]!);
  });
}

export function describeWithBackends(title: string, body: (backend: string) => void): void {
  for (const { name, unavailable } of BACKENDS) {
    describe(`${title} [${name}]`, function () {
      if (unavailable !== undefined) {
        it(`runs on ${name}`, function () {
          // A skip must never pass for a run on CI: there the adapter is expected to exist.
          if (process.env.CI === 'true') expect.fail(`${name} is unavailable on CI: ${unavailable}`);
          console.log(`    skipping ${name}: ${unavailable}`);
          this.skip();
        });
        return;
      }
      before(async function () {
        expect(await tf.setBackend(name), `backend ${name}`).to.equal(true);
        await tf.ready();
        if (name === 'webgpu') {
          // Run kernels on the GPU even for tiny inputs, so that the specs exercise them.
          tf.env().set('WEBGPU_CPU_FORWARD', false);
          forbidSynchronousReads(tf.backend());
          watchGpuErrors(tf.backend());
        }
      });
      if (name === 'webgpu') {
        // A shader that does not compile leaves its output buffer as it was, which may hold the right
        // values by chance (a buffer reused from the trace): every validation error fails the spec.
        afterEach(function () {
          expect(gpuErrors.splice(0), 'WebGPU validation errors').to.deep.equal([]);
        });
      }
      after(async function () {
        await tf.setBackend('cpu');
      });
      body(name);
    });
  }
}

/** Runs `fn` and checks that it leaves the number of live tensors where it was. */
export async function expectNoLeaks<T>(fn: () => Promise<T>): Promise<T> {
  const before = tf.memory().numTensors;
  const result = await fn();
  expect(tf.memory().numTensors, 'live tensors after the call').to.equal(before);
  return result;
}

/**
 * The JavaScript value of a result: tensors are read (asynchronously) and disposed, other values pass
 * through. Tensors in `inputs` are read but left alive: a function may return its argument unchanged.
 */
export async function valueOf(result: unknown, inputs: readonly unknown[] = []): Promise<unknown> {
  if (!(result instanceof tf.Tensor)) return result;
  const value = result.rank === 0 ? (await result.data())[0] : await result.array();
  if (!inputs.includes(result)) result.dispose();
  return result.dtype === 'bool' ? Boolean(value) : value;
}

/** The error `promise` rejects with; fails the spec when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => expect.fail('expected the call to fail'),
    (error: unknown) => error as Error,
  );
}
