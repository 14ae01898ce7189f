// Runs the TypeScript module's functions and prints what they give (run by Node from the bundle).

import * as tf from '@tensorflow/tfjs';
import { toCode, toGraph } from 'tfjs-autograph';
import { ops as objectOps, Scaler, typedCollatz, useOps } from './typed.js';

const warnings: string[] = [];
// The library's own warnings (tfjs prints a banner through console.warn too).
console.warn = (message: string) => void (String(message).startsWith('autograph:') && warnings.push(message));

const collatz = await typedCollatz(tf.scalar(27, 'int32'));
await typedCollatz(tf.scalar(27, 'int32'));
const scaled = await new Scaler(3).scale(tf.tensor([1, 2]));
let error: { line?: number; file?: string; message: string } | undefined;
try {
  await new Scaler(3).scale(tf.tensor([1, 20]));
} catch (caught) {
  error = caught as { line?: number; file?: string; message: string };
}
// Fused kernels on the CPU are generated JavaScript, which a bundle built with csp: true does not make.
const summary = await (typedCollatz as unknown as { graphFor(a: tf.Scalar): Promise<{ notFused?: string }> }).graphFor(
  tf.scalar(27, 'int32'),
);
const values = async (t: unknown) => Array.from(await (t as tf.Tensor).data());
// toCode reads what the build embedded: the converted code, and its map into the source as written.
const original = (typedCollatz as unknown as { original: (a: tf.Scalar) => number }).original;
const converted = toCode(original, { sourceMap: true });
const ops = [await useOps(3), await useOps(4)];
// A method of an object, which the build did not convert: nothing converts at run time.
let unconverted = '';
try {
  toGraph(objectOps.twice);
} catch (caught) {
  unconverted = (caught as Error).message;
}
process.stdout.write(
  JSON.stringify({
    collatz: await values(collatz),
    run: (typedCollatz as unknown as { lastRun: { how: string } }).lastRun.how,
    scaled: await values(scaled),
    notFused: summary.notFused,
    toCode: {
      code: converted.code,
      sources: converted.map.sources,
      content: converted.map.sourcesContent[0],
      mappings: converted.map.mappings,
    },
    ops,
    warnings,
    unconverted,
    error: error && { line: error.line, file: error.file, message: error.message },
  }),
);
