// The demo's runs, in a Web Worker: the page stays responsive while user code runs, and Stop can end it.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { EXAMPLES } from './catalog.js';
import { compileSource, describeError, runExample, type RunReport } from './runner.js';

/** What the page asks of the worker. */
export type ToWorker =
  | { type: 'init'; backends: string[] }
  | { type: 'run'; example: string; source: string; edited: boolean; inputs: string; repeats: number }
  | { type: 'stop' };

/** What the worker tells the page. */
export type FromWorker =
  | { type: 'ready'; backend: string }
  | { type: 'print'; line: string }
  | { type: 'progress'; done: number; total: number }
  | { type: 'done'; report: RunReport };

/** The page repaints at most this often: progress reports in between are dropped, except the last one. */
const PROGRESS_INTERVAL_MS = 100;

const post = (message: FromWorker) => (self as unknown as Worker).postMessage(message);

let controller: AbortController | undefined;

async function init(backends: string[]): Promise<void> {
  tf.env().set('PROD', true);
  for (const name of backends) {
    if (await tf.setBackend(name).catch(() => false)) break;
  }
  await tf.ready();
  post({ type: 'ready', backend: tf.getBackend() });
}

async function run(request: Extract<ToWorker, { type: 'run' }>): Promise<void> {
  const example = EXAMPLES.find((candidate) => candidate.id === request.example) ?? EXAMPLES[0]!;
  controller = new AbortController();
  let lastProgress = 0;
  let report: RunReport;
  try {
    const fn = compileSource(request.source);
    report = await runExample({
      fn,
      scope: example.scope,
      inputs: request.inputs,
      // Edited code has no hand-written eager version to compare with.
      eager: request.edited ? undefined : (example.eager as (...args: unknown[]) => Promise<unknown>),
      plainOnNumbers: example.plainOnNumbers,
      repeats: request.repeats,
      signal: controller.signal,
      onPrint: (line) => post({ type: 'print', line }),
      onProgress: ({ done, total }) => {
        const now = performance.now();
        if (done > 0 && done < total && now - lastProgress < PROGRESS_INTERVAL_MS) return;
        lastProgress = now;
        post({ type: 'progress', done, total });
      },
    });
  } catch (error) {
    report = { backend: tf.getBackend(), printed: [], timings: {}, error: describeError(error) };
  }
  post({ type: 'done', report });
}

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  if (message.type === 'init') void init(message.backends);
  else if (message.type === 'run') void run(message);
  else controller?.abort();
};
