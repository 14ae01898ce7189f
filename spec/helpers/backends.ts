// Runs a behaviour spec once per available tfjs backend, in the manner of tfjs-core's describeWithFlags.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';

/** The backends behaviour specs run on. WebGPU joins once its Node setup is in place. */
export const BACKENDS: readonly string[] = ['cpu'];

export function describeWithBackends(title: string, body: (backend: string) => void): void {
  for (const backend of BACKENDS) {
    describe(`${title} [${backend}]`, function () {
      before(async function () {
        expect(await tf.setBackend(backend), `backend ${backend}`).to.equal(true);
        await tf.ready();
      });
      body(backend);
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
