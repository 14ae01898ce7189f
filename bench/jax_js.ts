// Fused Huber loss against jax-js's jit on the same data: our cpu against jax-js on wasm, webgpu against webgpu.
import * as tf from '@tensorflow/tfjs';
import { huber } from './programs.js';
import type { toGraph as ToGraph } from './library.js';

type Fn = (...args: any[]) => any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The part of jax-js's API the benchmark uses (its arrays are reference counted: `.ref` adds one). */
interface JaxArray {
  ref: JaxArray;
  lessEqual(x: number): JaxArray;
  mul(x: JaxArray | number): JaxArray;
  div(x: number): JaxArray;
  add(x: JaxArray | number): JaxArray;
  sub(x: JaxArray | number): JaxArray;
  astype(dtype: unknown): JaxArray;
  dispose(): void;
  data(): Promise<Float32Array>;
}
interface Jax {
  init(): Promise<string[]>;
  defaultDevice(device: string): void;
  jit<A extends JaxArray[]>(fn: (...a: A) => JaxArray): (...a: A) => JaxArray;
  numpy: {
    float32: unknown;
    zerosLike(a: JaxArray): JaxArray;
    array(values: Float32Array): JaxArray;
    abs(a: JaxArray): JaxArray;
    where(c: JaxArray, t: JaxArray, e: JaxArray): JaxArray;
  };
}

/** The Huber loss as jax-js code, owning its arguments as jax-js's reference counting asks. */
function jaxHuber(np: Jax['numpy'], a: JaxArray, delta: number): JaxArray {
  const abs = np.abs(a.ref);
  return np.where(abs.ref.lessEqual(delta), a.ref.mul(a).div(2), abs.sub(delta / 2).mul(delta));
}

/**
 * Mandelbrot escape counts as jax-js code: jax-js has no staged while loop, so the loop is unrolled, `n`
 * times, under jit. Each array is used as jax-js's reference counting asks (`.ref` for every use but the
 * last).
 */
function jaxMandelbrot(np: Jax['numpy'], cr: JaxArray, ci: JaxArray, n: number): JaxArray {
  let zr = np.zerosLike(cr.ref);
  let zi = np.zerosLike(cr.ref);
  let count = np.zerosLike(cr.ref);
  for (let i = 0; i < n; i++) {
    const zr2 = zr.ref.mul(zr.ref);
    const zi2 = zi.ref.mul(zi.ref);
    const inside = zr2.ref.add(zi2.ref).lessEqual(4);
    const nextZr = np.where(inside.ref, zr2.sub(zi2).add(cr.ref), zr.ref);
    const nextZi = np.where(inside.ref, zr.mul(zi.ref).mul(2).add(ci.ref), zi);
    count = count.add(inside.astype(np.float32));
    [zr, zi] = [nextZr, nextZi];
  }
  [cr, ci, zr, zi].forEach((a) => a.dispose());
  return count;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/**
 * Times the Huber loss on 1e6 float32 values: toGraph on `backend` (the active tfjs backend) and jax-js's
 * jit on `device`. Each repeat draws fresh values; each side's clock runs from those host values to its
 * result read back: making its array is timed, since jax-js uploads an array as it makes it and tfjs
 * when a kernel first reads it. Both sides are warmed up first, so that compiling (tracing, kernel
 * generation, pipelines) is not timed.
 */
export async function benchAgainstJaxJs(
  toGraph: typeof ToGraph,
  backend: string,
  device: 'wasm' | 'webgpu',
  repeats: number,
  log: (line: string) => void,
): Promise<string[]> {
  // jax-js reads navigator.userAgent where it finds WebGPU; Node's navigator (set up for Dawn) has none.
  const nav = (globalThis as unknown as { navigator?: Record<string, unknown> }).navigator;
  if (nav && nav['userAgent'] === undefined) nav['userAgent'] = 'Node.js';
  const jax = (await import('@jax-js/jax')) as unknown as Jax;
  const devices: string[] = await jax.init();
  if (!devices.includes(device)) return [`| ${backend} | jax-js has no ${device} device here: skipped | | |`];
  jax.defaultDevice(device);
  const np = jax.numpy;
  const jitted = jax.jit((a) => jaxHuber(np, a, 1));
  const graph = toGraph(huber as Fn);
  const ours: number[] = [];
  const theirs: number[] = [];
  const size = 1_000_000;
  for (let r = 0; r < repeats + 3; r++) {
    const host = new Float32Array(size);
    for (let k = 0; k < size; k++) host[k] = Math.sin(r * 7919 + k) * 3;
    let start = performance.now();
    const x = tf.tensor(host);
    const y = (await graph(x, 1)) as tf.Tensor;
    const mine = await y.data();
    const ourTime = performance.now() - start;
    tf.dispose([x, y]);
    start = performance.now();
    const a = np.array(host);
    const z = jitted(a);
    const theirValues = await z.data();
    const theirTime = performance.now() - start;
    // The first repeats warm both up; the rest are timed. Both start from host data.
    if (r >= 3) {
      ours.push(ourTime);
      theirs.push(theirTime);
    }
    for (let k = 0; k < size; k += 9973) {
      if (Math.abs(mine[k]! - theirValues[k]!) > 1e-4 * (1 + Math.abs(theirValues[k]!))) {
        throw new Error(`Huber loss: ours and jax-js's disagree at ${k}: ${mine[k]} against ${theirValues[k]}`);
      }
    }
  }
  const [o, t] = [median(ours), median(theirs)];
  log(`  Huber loss, 1e6 float32, against jax-js jit on ${device}: ours ${o.toFixed(2)} ms, jax-js ${t.toFixed(2)} ms`);
  return [
    `| ${backend} | Huber loss 1e6, jax-js jit on ${device} | ${o.toFixed(2)} ms | ${t.toFixed(2)} ms | ${(t / o).toFixed(2)}x |`,
  ];
}

/**
 * Times Mandelbrot escape counts on a `size` by `size` grid, 100 iterations: toGraph on the active tfjs
 * backend (a staged loop that fusion runs as rounds of one kernel) against jax-js's jit of the unrolled
 * loop on `device`, measured as the Huber loss is.
 */
export async function benchMandelbrotAgainstJaxJs(
  toGraph: typeof ToGraph,
  mandelbrot: Fn,
  backend: string,
  device: 'wasm' | 'webgpu',
  repeats: number,
  size: number,
  log: (line: string) => void,
): Promise<string[]> {
  const jax = (await import('@jax-js/jax')) as unknown as Jax;
  const devices: string[] = await jax.init();
  if (!devices.includes(device)) return [`| ${backend} | jax-js has no ${device} device here: skipped | | |`];
  jax.defaultDevice(device);
  const np = jax.numpy;
  const jitted = jax.jit((cr: JaxArray, ci: JaxArray) => jaxMandelbrot(np, cr, ci, 100));
  const graph = toGraph(mandelbrot);
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let r = 0; r < repeats + 2; r++) {
    const xs = new Float32Array(size * size);
    const ys = new Float32Array(size * size);
    for (let k = 0; k < size * size; k++) {
      xs[k] = -2 + (3 * (k % size)) / (size - 1) + r * 1e-4;
      ys[k] = -1.5 + (3 * Math.floor(k / size)) / (size - 1);
    }
    let start = performance.now();
    const [cr, ci, n] = [tf.tensor(xs, [size, size]), tf.tensor(ys, [size, size]), tf.scalar(100, 'int32')];
    const y = (await graph(cr, ci, n)) as tf.Tensor;
    const mine = await y.data();
    const ourTime = performance.now() - start;
    tf.dispose([cr, ci, n, y]);
    start = performance.now();
    const [a, b] = [np.array(xs), np.array(ys)];
    const z = jitted(a, b);
    const theirValues = await z.data();
    const theirTime = performance.now() - start;
    if (r >= 2) {
      ours.push(ourTime);
      theirs.push(theirTime);
    }
    // Points on the set's edge may escape one iteration apart in float32 on two backends.
    let differ = 0;
    for (let k = 0; k < mine.length; k++) if (Math.abs(mine[k]! - theirValues[k]!) > 1) differ++;
    if (differ > mine.length * 0.01) throw new Error(`Mandelbrot: ours and jax-js's differ at ${differ} points`);
  }
  const [o, t] = [median(ours), median(theirs)];
  const name = `Mandelbrot ${size}x${size}, 100 iterations`;
  log(`  ${name}, against jax-js jit (unrolled) on ${device}: ours ${o.toFixed(2)} ms, jax-js ${t.toFixed(2)} ms`);
  return [
    `| ${backend} | ${name}, jax-js jit (unrolled) on ${device} | ${o.toFixed(2)} ms | ${t.toFixed(2)} ms | ${(t / o).toFixed(2)}x |`,
  ];
}
