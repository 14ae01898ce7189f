// The browser suite's page: runs the demo's examples on webgpu in Chromium, with synchronous reads forbidden.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { EXAMPLES } from '../../demo/catalog.js';
import { runExample, type RunReport } from '../../demo/runner.js';
import { forbidSynchronousReads } from '../helpers/sync_reads.js';

async function setup(): Promise<string> {
  tf.env().set('PROD', true);
  if (!(await tf.setBackend('webgpu'))) return `no webgpu backend (navigator.gpu: ${'gpu' in navigator})`;
  await tf.ready();
  tf.env().set('WEBGPU_CPU_FORWARD', false);
  forbidSynchronousReads(tf.backend());
  return tf.getBackend();
}

const ready = setup();

async function run(id: string, inputs: string): Promise<RunReport> {
  await ready;
  const example = EXAMPLES.find((candidate) => candidate.id === id);
  if (!example) throw new Error(`no example '${id}'`);
  return runExample({ fn: example.fn, scope: example.scope, inputs, repeats: 0 });
}

(window as unknown as { autographSpec: unknown }).autographSpec = { ready, run };
