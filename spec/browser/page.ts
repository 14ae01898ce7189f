// The browser suite's page: runs the demo's examples on webgpu in Chromium, with synchronous reads forbidden.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { EXAMPLES } from '../../demo/catalog.js';
import { runExample, type RunReport } from '../../demo/runner.js';
import { toGraph } from '../../lib/index.js';
import { builtConversionOf } from '../../lib/api/built.js';
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

/** An endless staged loop: how late a 100 ms timer fires while it runs, and what an abort leaves. */
export interface EndlessReport {
  late: number;
  rejection: string;
  leaked: number;
}

async function endless(): Promise<EndlessReport> {
  await ready;
  const a = tf.scalar(1);
  const before = tf.memory().numTensors;
  const controller = new AbortController();
  const forever = toGraph(
    function forever(x: tf.Scalar) {
      let y = x;
      while ((x as unknown as number) > 0) {
        y = ((y as unknown as number) * 1) as unknown as tf.Scalar;
      }
      return y;
    },
    { signal: controller.signal },
  );
  const run = forever(a);
  const start = performance.now();
  const late = await new Promise<number>((resolve) => setTimeout(() => resolve(performance.now() - start - 100), 100));
  controller.abort();
  const rejection = await run.then(
    () => 'resolved',
    (error: unknown) => (error as Error).name,
  );
  const leaked = tf.memory().numTensors - before;
  a.dispose();
  return { late, rejection, leaked };
}

/** The examples whose functions the demo's bundle converted at build time (all of them: see demo/build.ts). */
const builtExamples = () => EXAMPLES.filter((example) => builtConversionOf(example.fn) !== undefined).map((e) => e.id);

(window as unknown as { autographSpec: unknown }).autographSpec = { ready, run, endless, builtExamples };
