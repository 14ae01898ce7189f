// `npm run bench` (yielding): what letting other tasks run every 50 ms costs a long staged loop, and that
// short calls never pay it.
import * as tf from '@tensorflow/tfjs';
import { toGraph, yieldStats } from './library.js';

function countUp(n: number) {
  let i = 0;
  while (i < n) {
    i = i + 1;
  }
  return i;
}

export async function benchYielding(): Promise<void> {
  const repeats = Number(process.env.BENCH_REPEATS_YIELD ?? 5);
  const g = toGraph(countUp);
  console.log(`Yielding to the event loop (cpu backend, median of ${repeats} runs)`);
  for (const n of [20, 50_000]) {
    const times: number[] = [];
    const tasks: number[] = [];
    const waited: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const limit = tf.scalar(n, 'int32');
      const [t0, w0] = [yieldStats.tasks, yieldStats.waitedMs];
      const start = performance.now();
      const result = (await g(limit as unknown as number)) as unknown as tf.Tensor;
      if ((await result.data())[0] !== n) throw new Error('countUp disagrees with the original');
      times.push(performance.now() - start);
      tasks.push(yieldStats.tasks - t0);
      waited.push(yieldStats.waitedMs - w0);
      tf.dispose([limit, result]);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
    const [time, task, wait] = [median(times), median(tasks), median(waited)];
    console.log(
      `  ${String(n).padStart(5)} iterations: ${time.toFixed(1)} ms, ${task} yields, ${wait.toFixed(2)} ms waiting ` +
        `for the next task (${((100 * wait) / time).toFixed(2)}% of the run)`,
    );
  }
}
