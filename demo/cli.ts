// `npm run examples`: converts the announcement examples, prints their converted code, and runs them on tensors and numbers.
import * as tf from '@tensorflow/tfjs';
import { toCode, toGraph } from '../lib/index.js';
import { collatz, f, huberLoss } from './announcement.js';

tf.env().set('PROD', true);

async function show(value: unknown): Promise<string> {
  if (!(value instanceof tf.Tensor)) return `${String(value)} (number)`;
  const data = (await value.data())[0];
  return `${data} (${value.dtype} tensor)`;
}

function heading(text: string): void {
  console.log(`\n=== ${text} ${'='.repeat(Math.max(0, 70 - text.length))}`);
}

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  console.log(`tfjs-autograph demo on the ${tf.getBackend()} backend (tfjs ${tf.version.tfjs})`);

  heading('huberLoss: original');
  console.log(huberLoss.toString());
  heading('huberLoss: converted');
  console.log(toCode(huberLoss));
  const huber = toGraph(huberLoss, { scope: { delta: 1.0 } });
  for (const x of [0.5, 9]) {
    console.log(`huberLoss(tf.scalar(${x})) = ${await show(await huber(tf.scalar(x)))}`);
    console.log(`huberLoss(${x})            = ${await show(await huber(x))}`);
  }

  heading('collatz: converted');
  console.log(toCode(collatz));
  const collatzGraph = toGraph(collatz);
  console.log(`collatz(tf.scalar(27, 'int32')) = ${await show(await collatzGraph(tf.scalar(27, 'int32')))}`);
  console.log(`collatz(tf.scalar(27))          = ${await show(await collatzGraph(tf.scalar(27)))}`);
  console.log(`collatz(27)                     = ${await show(await collatzGraph(27))}`);

  heading('f: converted');
  console.log(toCode(f));
  const fGraph = toGraph(f);
  for (const n of [2, -1, 7]) {
    console.log(`f(${n}) prints:`);
    const plain = await fGraph(n);
    console.log(`f(${n}) = ${await show(plain)}`);
    console.log(`f(tf.scalar(${n}, 'int32')) prints:`);
    const staged = await fGraph(tf.scalar(n, 'int32'));
    console.log(`f(tf.scalar(${n}, 'int32')) = ${await show(staged)}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
