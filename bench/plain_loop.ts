// `npm run bench`: the cost of conversion on plain values, as a ratio to the original in the same run.
import * as tf from '@tensorflow/tfjs';
import { toGraph } from '../lib/index.js';

tf.env().set('PROD', true);

function sumLoop(n: number) {
  let s = 0;
  for (let i = 0; i < n; i++) {
    if (i % 3 == 0) {
      s += i;
    } else {
      s -= 1;
    }
  }
  return s;
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function measure(run: () => unknown, repeats: number): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    await run();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

async function main(): Promise<void> {
  const n = Number(process.env.BENCH_N ?? 1e6);
  const repeats = Number(process.env.BENCH_REPEATS ?? 31);
  const converted = toGraph(sumLoop);
  if ((await converted(1000)) !== sumLoop(1000)) throw new Error('the converted sumLoop disagrees with the original');
  // Warm both up so that the JIT has settled before the timed runs.
  await measure(() => sumLoop(n), 3);
  await measure(() => converted(n), 3);
  const original = await measure(() => sumLoop(n), repeats);
  const graph = await measure(() => converted(n), repeats);
  console.log(`sumLoop(${n}) on plain numbers, median of ${repeats} runs (Node ${process.version}):`);
  console.log(`  original   ${original.toFixed(2)} ms`);
  console.log(`  converted  ${graph.toFixed(2)} ms`);
  console.log(`  ratio      ${(graph / original).toFixed(2)}x (target: at most 1.5x)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
