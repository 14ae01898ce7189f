// `npm run bench` (plain loops): what converted code costs on plain values, as ratios to the originals in the same run.
import * as tf from '@tensorflow/tfjs';
import { toGraph } from './library.js';

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

function poly(n: number) {
  let s = 0;
  for (let i = 0; i < n; i++) {
    s = (s * 31 + i * i - (i % 7)) % 1000003;
  }
  return s;
}

/** Array reads and writes: the indexing operators' inline guards. */
function smooth(n: number) {
  const a = new Array(1000).fill(0);
  for (let i = 0; i < n; i++) {
    const k = i % 1000;
    a[k] = (a[k] + i) % 7;
  }
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k];
  return s;
}

const BENCHMARKS: { name: string; fn: (n: number) => number }[] = [
  { name: 'sumLoop', fn: sumLoop },
  { name: 'poly', fn: poly },
  { name: 'smooth', fn: smooth },
];

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

export async function benchPlainLoops(): Promise<void> {
  const n = Number(process.env.BENCH_N ?? 1e6);
  const repeats = Number(process.env.BENCH_REPEATS ?? 31);
  console.log(`Plain numbers, n = ${n}, median of ${repeats} runs (Node ${process.version}); target: at most 1.5x`);
  for (const { name, fn } of BENCHMARKS) {
    const converted = toGraph(fn);
    if ((await converted(1000)) !== fn(1000)) throw new Error(`the converted ${name} disagrees with the original`);
    // Warm both up so that the JIT has settled before the timed runs.
    await measure(() => fn(n), 3);
    await measure(() => converted(n), 3);
    const original = await measure(() => fn(n), repeats);
    const graph = await measure(() => converted(n), repeats);
    console.log(
      `  ${name.padEnd(8)} original ${original.toFixed(2)} ms, converted ${graph.toFixed(2)} ms, ` +
        `ratio ${(graph / original).toFixed(2)}x`,
    );
  }
}
