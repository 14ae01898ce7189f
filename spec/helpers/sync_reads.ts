// Makes synchronous tensor reads fail on a backend, for specs on webgpu in Node and in the browser.
import type * as tf from '@tensorflow/tfjs';

/**
 * On webgpu a synchronous read (dataSync, arraySync, print, a tensor's toString) throws in Node and, in
 * headless Chromium on SwiftShader, silently returns zeros and caches them. Converted code must read with
 * `await t.data()`, so specs make every synchronous read throw.
 */
export function forbidSynchronousReads(backend: tf.KernelBackend): void {
  const guarded = backend as tf.KernelBackend & { readSyncForbidden?: boolean };
  if (guarded.readSyncForbidden) return;
  guarded.readSyncForbidden = true;
  backend.readSync = () => {
    throw new Error('A synchronous read (dataSync, arraySync, ...) on webgpu: read with `await t.data()` instead.');
  };
}
