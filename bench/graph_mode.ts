// Graph-mode benchmark rows: converted programs against hand-written eager TF.js, in Node (`npm run bench`) and in the browser (demo/bench_page.ts).
import * as tf from '@tensorflow/tfjs';
import { collatz, trainSine } from '../demo/announcement.js';
import { trainSineEager } from '../demo/eager.js';
import { collatzAll, fitUntil, huber, mandelbrot, meanHuber, rnn, train } from './programs.js';
import type { toGraph as ToGraph } from '../lib/index.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- converted functions are written as users write them. */
type Fn = (...args: any[]) => any;

/** Where the rows run: the library's toGraph (Node's bench takes the compiled one), sizes, and progress. */
export interface GraphBenchOptions {
  toGraph: typeof ToGraph;
  /** Timed calls per row, before the per-row factors (Collatz: 3x; training: fixed at 3). */
  repeats?: number;
  /** Values of the vectorised Collatz. */
  collatzValues?: number;
  /** SGD steps of the 784→10 training row. */
  trainSteps?: number;
  /** Points per side of the Mandelbrot grid (512). */
  mandelbrotSize?: number;
  /** Only the rows whose names this matches (a regular expression), for a long row measured alone. */
  rows?: string;
  /** Progress lines as rows finish. */
  log?: (line: string) => void;
  /** The library's counts of how fused kernels ran on cpu and wasm (SIMD or JavaScript), for the table. */
  fusedPaths?: { simd: number; javascript: number; wgsl: number; vec4: number; queueWrites: number };
}

// ---- The same programs written by hand in eager TF.js. ----

/** Reads a bool scalar that `make` computes, and frees it. */
async function test(make: () => tf.Tensor): Promise<boolean> {
  const t = make();
  const [value] = await t.data();
  t.dispose();
  return value !== 0;
}

async function collatzEager(a: tf.Tensor): Promise<tf.Tensor> {
  let counter: tf.Tensor = tf.scalar(0, 'int32');
  let x = a;
  while (await test(() => tf.notEqual(x, 1))) {
    const even = await test(() => tf.tidy(() => tf.equal(tf.mod(x, 2), 0)));
    const next = even ? tf.floorDiv(x, 2) : tf.tidy(() => tf.add(tf.mul(x, 3), 1));
    if (x !== a) x.dispose();
    x = next;
    const counted = tf.add(counter, 1);
    counter.dispose();
    counter = counted;
  }
  if (x !== a) x.dispose();
  return counter;
}

async function collatzAllEager(a: tf.Tensor): Promise<tf.Tensor> {
  let steps: tf.Tensor = tf.zerosLike(a);
  let x = a;
  while (await test(() => tf.tidy(() => tf.any(tf.notEqual(x, 1))))) {
    const [nextX, nextSteps] = tf.tidy(() => {
      const active = tf.notEqual(x, 1);
      const even = tf.equal(tf.mod(x, 2), 0);
      const moved = tf.where(even, tf.floorDiv(x, 2), tf.add(tf.mul(x, 3), 1));
      return [tf.where(active, moved, x), tf.add(steps, tf.cast(active, 'int32'))];
    });
    if (x !== a) x.dispose();
    steps.dispose();
    [x, steps] = [nextX!, nextSteps!];
  }
  if (x !== a) x.dispose();
  return steps;
}

/** The steps the Collatz sequence from `n` takes to reach 1, in exact integers. */
function collatzSteps(n: number): number {
  let steps = 0;
  for (; n !== 1; steps++) n = n % 2 === 0 ? n / 2 : 3 * n + 1;
  return steps;
}

/** Mandelbrot escape counts as TF.js users write them eagerly: a loop of tidied steps. */
async function mandelbrotEager(cr: tf.Tensor, ci: tf.Tensor, n: tf.Scalar): Promise<tf.Tensor> {
  let zr = tf.zerosLike(cr);
  let zi = tf.zerosLike(ci);
  let count = tf.zerosLike(cr);
  // Read asynchronously: WebGPU has no synchronous read in Node.
  const steps = (await n.data())[0]!;
  for (let i = 0; i < steps; i++) {
    const next = tf.tidy(() => {
      const inside = tf.lessEqual(tf.add(tf.square(zr), tf.square(zi)), 4);
      return [
        tf.where(inside, tf.add(tf.sub(tf.square(zr), tf.square(zi)), cr), zr),
        tf.where(inside, tf.add(tf.mul(tf.mul(zr, zi), 2), ci), zi),
        tf.add(count, tf.cast(inside, 'float32')),
      ];
    });
    tf.dispose([zr, zi, count]);
    [zr, zi, count] = next as [tf.Tensor, tf.Tensor, tf.Tensor];
  }
  tf.dispose([zr, zi]);
  return count;
}

/** A grid of `size` by `size` points over [-2, 1] x [-1.5, 1.5], shifted a little per repeat. */
export function mandelbrotGrid(size: number, r: number): [tf.Tensor, tf.Tensor] {
  return tf.tidy(() => {
    const shift = r * 1e-4;
    const xs = tf.linspace(-2 + shift, 1 + shift, size);
    const ys = tf.linspace(-1.5, 1.5, size);
    return [tf.tile(tf.reshape(xs, [1, size]), [size, 1]), tf.tile(tf.reshape(ys, [size, 1]), [1, size])];
  });
}

const huberEager = (a: tf.Tensor, delta: number) =>
  tf.tidy(() =>
    tf.where(tf.lessEqual(tf.abs(a), delta), tf.div(tf.mul(a, a), 2), tf.mul(delta, tf.sub(tf.abs(a), delta / 2))),
  );

const meanHuberEager = (a: tf.Tensor, delta: number) => tf.tidy(() => tf.mean(huberEager(a, delta)));

// ---- Measuring. ----

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** Counts the kernels the engine runs and the reads the backend serves while `run` runs. */
async function counted(run: () => Promise<unknown>): Promise<{ kernels: number; reads: number }> {
  const engine = tf.engine() as unknown as Record<string, unknown>;
  const backend = tf.backend() as unknown as Record<string, unknown>;
  const runKernel = engine['runKernel'] as Fn;
  const [read, readSync] = [backend['read'] as Fn, backend['readSync'] as Fn];
  const counts = { kernels: 0, reads: 0 };
  engine['runKernel'] = function (this: unknown, ...args: unknown[]) {
    counts.kernels++;
    return runKernel.apply(this, args);
  };
  // A backend's read may call its readSync (cpu and wasm do): one read, counted once.
  let reading = 0;
  const countedRead = (original: Fn) =>
    function (this: unknown, ...args: unknown[]) {
      if (reading === 0) counts.reads++;
      reading++;
      try {
        return original.apply(this, args);
      } finally {
        reading--;
      }
    };
  backend['read'] = countedRead(read);
  backend['readSync'] = countedRead(readSync);
  try {
    await run();
  } finally {
    delete engine['runKernel'];
    backend['read'] = read;
    backend['readSync'] = readSync;
  }
  return counts;
}

/** The summed kernel time of one run, where the backend times kernels. */
async function kernelFloor(run: () => Promise<unknown>): Promise<number | undefined> {
  try {
    const info = await tf.profile(async () => {
      const result = await run();
      return result as tf.Tensor;
    });
    let total = 0;
    for (const kernel of info.kernels) {
      const ms = await (kernel.kernelTimeMs as number | Promise<number | { error: string }>);
      if (typeof ms !== 'number') return undefined;
      total += ms;
    }
    tf.dispose(info.result as tf.Tensor);
    return total;
  } catch {
    return undefined;
  }
}

interface Row {
  name: string;
  /** Fresh inputs for repeat `r`: varied values, same signature. */
  inputs(r: number): unknown[];
  eager(...args: any[]): Promise<unknown> | unknown;
  graph: Fn;
  repeats: number;
  /** Calls of each side before the timed ones. */
  warmups: number;
  /** Relative tolerance of the check that both sides agree (float32 steps round differently). */
  tolerance?: number;
  /**
   * The exact result, where it is known: the graph's result must equal it, and the eager one may differ
   * (tfjs's WebGPU kernels compute int32 in float32, inexact past 2^24); the log says where it does.
   */
  exact?: (...inputs: unknown[]) => Promise<number[]>;
}

async function readBack(result: unknown): Promise<void> {
  if (result instanceof tf.Tensor) await result.data();
}

const dispose = (values: unknown[]) => tf.dispose(values.filter((v): v is tf.Tensor => v instanceof tf.Tensor));

async function timeOne(run: (...args: unknown[]) => unknown, args: unknown[]): Promise<number> {
  const start = performance.now();
  const result = await run(...args);
  await readBack(result);
  const time = performance.now() - start;
  dispose([result]);
  return time;
}

/** How many kernels each fused kernel replaced: each count, or their range when there are many. */
function kernelCounts(counts: number[]): string {
  if (counts.length <= 8) return `${counts.join('+')} kernels`;
  return `${Math.min(...counts)} to ${Math.max(...counts)} kernels each`;
}

async function benchRow(
  row: Row,
  backend: string,
  log: (line: string) => void,
  fusedPaths = { simd: 0, javascript: 0, wgsl: 0, vec4: 0, queueWrites: 0 },
): Promise<void> {
  // Warm up: the first graph-mode call traces, and both sides' code needs a few runs before the JIT settles.
  for (let w = 0; w < row.warmups; w++) {
    const inputs = row.inputs(w);
    dispose([await row.eager(...inputs), await row.graph(...inputs)]);
    dispose(inputs);
  }
  // Check that both sides agree.
  const check = row.inputs(0);
  const [want, got] = [await row.eager(...check), await row.graph(...check)];
  const values = async (v: unknown) => (v instanceof tf.Tensor ? Array.from(await v.data()) : v);
  const [a, b] = [await values(want), await values(got)];
  if (row.exact) {
    const exact = await row.exact(...check);
    if (JSON.stringify(b) !== JSON.stringify(exact)) throw new Error(`${row.name}: the converted result is not exact`);
    const differ = exact.filter((x, i) => (a as number[])[i] !== x).length;
    if (differ > 0) log(`  ${row.name}: eager TF.js differs from the exact result at ${differ} elements`);
  } else if (JSON.stringify(a) !== JSON.stringify(b)) {
    const close =
      Array.isArray(a) &&
      Array.isArray(b) &&
      a.every((x, i) => Math.abs(x - b[i]) <= (row.tolerance ?? 1e-4) * (1 + Math.abs(x)));
    if (!close) throw new Error(`${row.name}: converted and eager disagree`);
  }
  dispose([want, got]);
  const lastRun = (row.graph as unknown as { lastRun: { how: string; reason?: string } }).lastRun;
  const eagerTimes: number[] = [];
  const graphTimes: number[] = [];
  // Each side gets its own fresh inputs (the same values): on a GPU, a tensor made on the CPU is uploaded by
  // whichever side reads it first, and a shared one would charge its upload to that side alone.
  const timeSide = async (run: Fn, r: number) => {
    const inputs = row.inputs(r);
    const time = await timeOne(run, inputs);
    dispose(inputs);
    return time;
  };
  for (let r = 1; r <= row.repeats; r++) {
    // Alternate which side goes first, so that neither always meets a warm cache.
    if (r % 2) {
      eagerTimes.push(await timeSide(row.eager as Fn, r));
      graphTimes.push(await timeSide(row.graph, r));
    } else {
      graphTimes.push(await timeSide(row.graph, r));
      eagerTimes.push(await timeSide(row.eager as Fn, r));
    }
  }
  const inputs = row.inputs(row.repeats + 1);
  const eagerCounts = await counted(async () => dispose([await row.eager(...inputs)]));
  const paths = { ...fusedPaths };
  // Inputs of its own, as in the timed runs: the eager call above uploaded these.
  const graphInputs = row.inputs(row.repeats + 1);
  const graphCounts = await counted(async () => dispose([await row.graph(...graphInputs)]));
  dispose(graphInputs);
  // A fused kernel runs as WebAssembly SIMD, a JavaScript loop (both on the CPU) or a WGSL program, which
  // reads and writes four elements at a time (vec4) where its inputs allow.
  const vec4 = fusedPaths.vec4 - paths.vec4;
  const ran = [
    [fusedPaths.simd - paths.simd, 'SIMD'],
    [fusedPaths.javascript - paths.javascript, 'JavaScript'],
    [fusedPaths.wgsl - paths.wgsl - vec4, 'WGSL'],
    [vec4, 'WGSL on vec4'],
  ] as const;
  const ranAs = ran.some(([n]) => n > 0)
    ? `, ran as ${ran
        .filter(([n]) => n > 0)
        .map(([n, how]) => `${n} ${how}`)
        .join(' + ')}`
    : '';
  // Inputs still on the CPU that fused WebGPU kernels wrote with a queue write; smaller ones take tfjs's upload.
  const written = fusedPaths.queueWrites - paths.queueWrites;
  const uploads = written > 0 ? `, ${written} input${written > 1 ? 's' : ''} written by queue` : '';
  const runs = (row.graph as unknown as { lastRun: { how: string; reason?: string; kernels?: number } }).lastRun;
  // A replay calls kernels directly, not through the engine: it counts them itself.
  graphCounts.kernels += runs.kernels ?? 0;
  // Fresh inputs: a row whose inputs reset its variables (the fit row) would otherwise start converged.
  const floorInputs = row.inputs(row.repeats + 2);
  const floor = await kernelFloor(async () => row.eager(...floorInputs));
  dispose(floorInputs);
  // Where the replay ran its loops: a loop of small values runs on the CPU when the backend is a GPU.
  const summary = (await (row.graph as unknown as { graphFor: Fn }).graphFor(...inputs)) as { text?: string };
  const placed = summary.text?.includes('on the CPU') ? ', loop on the CPU' : '';
  // What the graph fused (fusion off, or a backend without fused kernels, fuses nothing): its loops that
  // run as rounds of one kernel, and its other fused kernels with how many kernels each replaced.
  const loops = summary.text?.match(/fused loop round/g)?.length ?? 0;
  const fused = summary.text?.match(/fused \d+ kernels/g) ?? [];
  const parts = [
    ...(loops > 0 ? [`${loops} fused loop${loops > 1 ? 's' : ''}`] : []),
    ...(fused.length > 0 ? [`${fused.length} fused (${kernelCounts(fused.map((f) => Number(f.split(' ')[1])))})`] : []),
  ];
  const fusion = parts.length > 0 ? `, ${parts.join(', ')}${ranAs}${uploads}` : ', none fused';
  dispose(inputs);
  const [e, g] = [median(eagerTimes), median(graphTimes)];
  const how =
    runs.how === 'replayed' ? `replayed${placed}${fusion}` : `${runs.how}: ${runs.reason ?? lastRun.reason ?? ''}`;
  const line: TableRow = {
    backend,
    program: row.name,
    eager: `${e.toFixed(2)} ms`,
    graph: `${g.toFixed(2)} ms`,
    'eager/graph': `${(e / g).toFixed(2)}x`,
    kernels: `${eagerCounts.kernels} / ${graphCounts.kernels}`,
    reads: `${eagerCounts.reads} / ${graphCounts.reads}`,
    'kernel floor': floor === undefined ? 'n/a' : `${floor.toFixed(2)} ms`,
    'graph ran': how,
  };
  table.push(line);
  // Progress as rows finish; the whole table comes at the end.
  log(`  ${row.name}: eager/graph ${line['eager/graph']}`);
}

export type TableRow = Record<
  'backend' | 'program' | 'eager' | 'graph' | 'eager/graph' | 'kernels' | 'reads' | 'kernel floor' | 'graph ran',
  string
>;

/** The rows measured so far, on every backend. */
const table: TableRow[] = [];

/** The rows measured so far, on every backend. */
export const graphTable = (): readonly TableRow[] => table;

/** One table of every row, with the machine named: kernels and reads are eager / graph, per call. */
export function formatGraphTable(machine: string): string[] {
  if (table.length === 0) return [];
  const columns = Object.keys(table[0]!) as (keyof TableRow)[];
  const widths = columns.map((c) => Math.max(c.length, ...table.map((row) => row[c].length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  return [
    `Graph mode against hand-written eager TF.js, ${machine}; medians; eager/graph above 1 means graph mode is faster`,
    line(columns),
    line(widths.map((w) => '-'.repeat(w))),
    ...table.map((row) => line(columns.map((c) => row[c]))),
  ];
}

/** A training step count, weights and data for the linear 784→10 model. */
function trainingRow(toGraph: typeof ToGraph, steps: number, repeats: number): Row {
  const w = tf.variable(tf.zeros([784, 10]));
  const b = tf.variable(tf.zeros([10]));
  const we = tf.variable(tf.zeros([784, 10]));
  const be = tf.variable(tf.zeros([10]));
  const opt = tf.train.sgd(0.1);
  const optEager = tf.train.sgd(0.1);
  const graph = toGraph(train as Fn, { scope: { opt, w, b } });
  const reset = () => {
    for (const v of [w, b, we, be]) v.assign(tf.zerosLike(v));
  };
  return {
    name: `train 784→10, ${steps} steps`,
    inputs: (r) => {
      reset();
      return tf.tidy(() => {
        const xs = tf.randomUniform([200, 784], 0, 1, 'float32', 1000 + r);
        const labels = tf.randomUniform([200], 0, 10, 'int32', 2000 + r);
        return [xs, tf.oneHot(labels, 10).toFloat(), steps];
      });
    },
    eager: (xs: tf.Tensor, ys: tf.Tensor, n: number) => {
      for (let i = 0; i < n; i++) {
        optEager.minimize(() => tf.losses.softmaxCrossEntropy(ys, tf.add(tf.matMul(xs, we), be)));
      }
      return tf.sum(we);
    },
    graph,
    repeats,
    warmups: 1,
  };
}

/**
 * Gradient descent on least squares (256 examples, 64 features) until the loss is small: a loop whose test
 * reads a value of the GPU every iteration and whose body assigns a variable, so it keeps one read per
 * iteration (its values are too large to run it on the CPU).
 */
function fitUntilRow(toGraph: typeof ToGraph, repeats: number): Row {
  const [examples, features] = [256, 64];
  const w = tf.variable(tf.zeros([features, 1]));
  const we = tf.variable(tf.zeros([features, 1]));
  const opt = tf.train.sgd(0.5);
  const optEager = tf.train.sgd(0.5);
  const truth = tf.randomNormal([features, 1], 0, 1, 'float32', 5);
  const tol = 0.05;
  const graph = toGraph(fitUntil as Fn, { scope: { opt, w } });
  const loss = (xs: tf.Tensor, ys: tf.Tensor) => tf.losses.meanSquaredError(ys, tf.matMul(xs, we));
  const eager = async (xs: tf.Tensor, ys: tf.Tensor, limit: number) => {
    let current = tf.tidy(() => loss(xs, ys));
    let steps = 0;
    while (await test(() => tf.greater(current, limit))) {
      const next = optEager.minimize(() => loss(xs, ys) as tf.Scalar, true)!;
      current.dispose();
      current = next;
      steps += 1;
    }
    current.dispose();
    return tf.scalar(steps);
  };
  return {
    name: `fit until the loss is small, ${examples}x${features}`,
    inputs: (r) => {
      for (const v of [w, we]) v.assign(tf.zerosLike(v));
      return tf.tidy(() => {
        const xs = tf.randomUniform([examples, features], -1, 1, 'float32', 3000 + r);
        const noise = tf.randomNormal([examples, 1], 0, 0.1, 'float32', 4000 + r);
        return [xs, tf.add(tf.matMul(xs, truth), noise), tol];
      });
    },
    eager,
    graph,
    repeats,
    warmups: 2,
  };
}

/** An RNN cell over 50 time steps, batch 32, hidden 256: a staged for-of over the time axis. */
function rnnRow(toGraph: typeof ToGraph, repeats: number): Row {
  const [steps, batch, hidden] = [50, 32, 256];
  const wx = tf.randomNormal([hidden, hidden], 0, 0.05, 'float32', 7);
  const wh = tf.randomNormal([hidden, hidden], 0, 0.05, 'float32', 8);
  const b = tf.zeros([hidden]);
  const graph = toGraph(rnn as Fn, { scope: { wx, wh, b } });
  const eager = (xs: tf.Tensor, h0: tf.Tensor) =>
    tf.tidy(() => {
      let h = h0;
      for (const x of tf.unstack(xs)) h = tf.tanh(tf.add(tf.add(tf.matMul(x, wx), tf.matMul(h, wh)), b));
      return h;
    });
  return {
    name: `RNN, ${steps} steps, batch ${batch}, hidden ${hidden}`,
    inputs: (r) => [tf.randomNormal([steps, batch, hidden], 0, 1, 'float32', 100 + r), tf.zeros([batch, hidden])],
    eager,
    graph,
    repeats,
    warmups: 2,
  };
}

/** The demo's training example: a small network fits sin(x), its step count a tensor, printing as it goes. */
function demoTrainingRow(toGraph: typeof ToGraph, repeats: number): Row {
  return {
    name: "demo's training example, 60 steps",
    // A step count of 60 to 62: varied values, one signature.
    inputs: (r) => [tf.scalar(60 + (r % 3), 'int32')],
    eager: trainSineEager,
    graph: toGraph(trainSine as Fn),
    repeats,
    warmups: 2,
    // Float32 steps of gradient descent round differently on the GPU and on the CPU a small loop runs on.
    tolerance: 1e-3,
  };
}

export async function benchGraphMode(backend: string, options: GraphBenchOptions): Promise<void> {
  const { toGraph } = options;
  const log = options.log ?? ((line: string) => console.log(line));
  const software = backend.startsWith('webgpu');
  const repeats = options.repeats ?? (software ? 5 : 11);
  const vectorSize = options.collatzValues ?? (software ? 65_536 : 16_384);
  // SwiftShader runs a step in about 0.1 s: 200 steps there keep the run within minutes.
  const steps = options.trainSteps ?? (software ? 200 : 1000);
  const grid = options.mandelbrotSize ?? 512;
  log(`Graph mode on ${backend}, median of ${repeats} runs (Collatz: ${repeats * 3}; training: 3):`);
  const starts = [27, 31, 41, 47, 54, 55, 63, 73, 97, 103, 107, 111, 117, 121];
  const rows: Row[] = [
    {
      name: 'Collatz on a scalar int32',
      inputs: (r) => [tf.scalar(starts[r % starts.length]!, 'int32')],
      eager: collatzEager,
      graph: toGraph(collatz as Fn),
      repeats: repeats * 3,
      warmups: 10,
    },
    {
      name: `vectorised Collatz, ${vectorSize} values`,
      // The int32 values 1 to n (shifted by one every other repeat, so that each repeat has fresh values).
      inputs: (r) => [tf.tidy(() => tf.add(tf.range(1, vectorSize + 1, 1, 'int32'), tf.scalar(r % 2, 'int32')))],
      exact: async (a) => Array.from(await (a as tf.Tensor).data(), collatzSteps),
      eager: collatzAllEager,
      graph: toGraph(collatzAll as Fn),
      repeats: Math.max(3, repeats >> 1),
      warmups: 1,
    },
    {
      name: 'Huber loss, 1e6 float32',
      inputs: (r) => [tf.randomNormal([1_000_000], 0, 2, 'float32', r), 1],
      eager: huberEager,
      graph: toGraph(huber as Fn),
      repeats,
      warmups: 3,
    },
    {
      name: 'mean Huber loss, 1e6 float32',
      inputs: (r) => [tf.randomNormal([1_000_000], 0, 2, 'float32', r), 1],
      eager: meanHuberEager,
      graph: toGraph(meanHuber as Fn),
      repeats,
      warmups: 3,
      // A mean of 1e6 values: the fused kernel on a GPU adds in another order than tfjs's kernels.
      tolerance: 1e-3,
    },
    {
      name: `Mandelbrot ${grid}x${grid}, 100 iterations`,
      inputs: (r) => [...mandelbrotGrid(grid, r), tf.scalar(100, 'int32')],
      eager: mandelbrotEager,
      graph: toGraph(mandelbrot as Fn),
      repeats: software ? 3 : repeats,
      warmups: 1,
    },
    trainingRow(toGraph, steps, 3),
    fitUntilRow(toGraph, repeats),
    rnnRow(toGraph, repeats),
    demoTrainingRow(toGraph, repeats),
  ];
  const chosen = options.rows === undefined ? rows : rows.filter((row) => new RegExp(options.rows!).test(row.name));
  for (const row of chosen) await benchRow(row, backend, log, options.fusedPaths);
}
