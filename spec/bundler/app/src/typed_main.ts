// Runs the TypeScript module's functions and prints what they give (run by Node from the bundle).

import * as tf from '@tensorflow/tfjs';
import { Scaler, typedCollatz } from './typed.js';

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
process.stdout.write(
  JSON.stringify({
    collatz: await values(collatz),
    run: (typedCollatz as unknown as { lastRun: { how: string } }).lastRun.how,
    scaled: await values(scaled),
    notFused: summary.notFused,
    error: error && { line: error.line, file: error.file, message: error.message },
  }),
);
