// Fused Huber loss against jax-js's jit on the same data: our cpu against jax-js on wasm, webgpu against webgpu.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { huber } from './programs.js';
import type { toGraph as ToGraph } from './library.js';

type Fn = (...args: any[]) => any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The part of jax-js's API the benchmark uses (its arrays are reference counted: `.ref` adds one). */
export interface JaxArray {
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
export interface Jax {
  init(...devices: string[]): Promise<string[]>;
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
export function jaxHuber(np: Jax['numpy'], a: JaxArray, delta: number): JaxArray {
  const abs = np.abs(a.ref);
  return np.where(abs.ref.lessEqual(delta), a.ref.mul(a).div(2), abs.sub(delta / 2).mul(delta));
}

/**
 * Mandelbrot escape counts as jax-js code: jax-js has no staged while loop, so the loop is unrolled, `n`
 * times, under jit. Each array is used as jax-js's reference counting asks (`.ref` for every use but the
 * last).
 */
export function jaxMandelbrot(np: Jax['numpy'], cr: JaxArray, ci: JaxArray, n: number): JaxArray {
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

/** The Huber loss's input for repeat `r`: 1e6 float32 values, different each repeat. */
export function huberData(r: number): Float32Array {
  const host = new Float32Array(1_000_000);
  for (let k = 0; k < host.length; k++) host[k] = Math.sin(r * 7919 + k) * 3;
  return host;
}

/** Mandelbrot's grid for repeat `r`: the real and imaginary parts, shifted a little each repeat. */
export function mandelbrotData(r: number, size: number): [Float32Array, Float32Array] {
  const xs = new Float32Array(size * size);
  const ys = new Float32Array(size * size);
  for (let k = 0; k < size * size; k++) {
    xs[k] = -2 + (3 * (k % size)) / (size - 1) + r * 1e-4;
    ys[k] = -1.5 + (3 * Math.floor(k / size)) / (size - 1);
  }
  return [xs, ys];
}

/** What the jax-js process is asked: set up a device, or time one run of a program on repeat `r`'s data. */
export type JaxRequest =
  | { kind: 'init'; device: 'wasm' | 'webgpu' }
  | { kind: 'huber'; r: number }
  | { kind: 'mandelbrot'; r: number; size: number };

/** Its answer: the devices it has after `init`; the time and the values of a run. */
export type JaxReply = { devices: string[] } | { time: number; values: Float32Array } | { error: string };

/** Times one jax-js run from host values to values read back; for the jax-js process (bench/jax_side.ts). */
export async function runJax(
  jax: Jax,
  jitted: { huber: (a: JaxArray) => JaxArray; mandelbrot: (a: JaxArray, b: JaxArray) => JaxArray },
  request: JaxRequest & { kind: 'huber' | 'mandelbrot' },
): Promise<{ time: number; values: Float32Array }> {
  const np = jax.numpy;
  const inputs = request.kind === 'huber' ? [huberData(request.r)] : mandelbrotData(request.r, request.size);
  const start = performance.now();
  const arrays = inputs.map((values) => np.array(values));
  const result = request.kind === 'huber' ? jitted.huber(arrays[0]!) : jitted.mandelbrot(arrays[0]!, arrays[1]!);
  const values = await result.data();
  return { time: performance.now() - start, values };
}

/**
 * jax-js in a process of its own: on this machine, a jax-js WebGPU device in the same process slowed the
 * tfjs side's Huber loss by a third (21 to 31 ms), while tfjs's device left jax-js's as it was (18.7 and
 * 18.8 ms). Asked one run at a time, so that the two sides still alternate.
 */
export class JaxProcess {
  private readonly child: ChildProcess;
  private pending: ((reply: JaxReply) => void) | undefined;

  constructor() {
    this.child = fork(fileURLToPath(new URL('./jax_side.ts', import.meta.url)), {
      execArgv: ['--import', 'tsx/esm'],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    this.child.on('message', (reply) => this.pending?.(reply as JaxReply));
  }

  ask(request: JaxRequest): Promise<JaxReply> {
    return new Promise((resolve, reject) => {
      this.pending = (reply) => ('error' in reply ? reject(new Error(`jax-js: ${reply.error}`)) : resolve(reply));
      this.child.send(request);
    });
  }

  close(): void {
    this.child.kill();
  }
}

/**
 * Times the Huber loss on 1e6 float32 values, or Mandelbrot escape counts on a `size` by `size` grid (100
 * iterations, a staged loop that fusion runs as rounds of one kernel; jax-js's loop is unrolled under
 * jit): toGraph on `backend` (the active tfjs backend) against jax-js's jit on `device`, in its own
 * process. Each repeat makes fresh values; each side's clock runs from those host values (making its
 * arrays is timed, since jax-js uploads an array as it makes it and tfjs when a kernel first reads it) to
 * its result read back. The sides alternate which goes first. Both are warmed up first, so that compiling
 * (tracing, kernel generation, pipelines) is not timed; their results are compared.
 */
export async function benchAgainstJaxJs(
  toGraph: typeof ToGraph,
  program: { kind: 'huber' } | { kind: 'mandelbrot'; fn: Fn; size: number },
  backend: string,
  device: 'wasm' | 'webgpu',
  repeats: number,
  log: (line: string) => void,
): Promise<string[]> {
  const jax = new JaxProcess();
  try {
    const ready = await jax.ask({ kind: 'init', device });
    if (!('devices' in ready) || !ready.devices.includes(device)) {
      return [`| ${backend} | jax-js has no ${device} device here: skipped | | |`];
    }
    const graph = toGraph(program.kind === 'huber' ? (huber as Fn) : program.fn);
    const runOurs = async (r: number) => {
      const data = program.kind === 'huber' ? [huberData(r)] : mandelbrotData(r, program.size);
      const start = performance.now();
      const args =
        program.kind === 'huber'
          ? [tf.tensor(data[0]!), 1]
          : [
              tf.tensor(data[0]!, [program.size, program.size]),
              tf.tensor(data[1]!, [program.size, program.size]),
              tf.scalar(100, 'int32'),
            ];
      const y = (await graph(...args)) as tf.Tensor;
      const values = await y.data();
      const time = performance.now() - start;
      tf.dispose([...args.filter((a): a is tf.Tensor => a instanceof tf.Tensor), y]);
      return { time, values };
    };
    const runTheirs = async (r: number) => {
      const reply = await jax.ask(
        program.kind === 'huber' ? { kind: 'huber', r } : { kind: 'mandelbrot', r, size: program.size },
      );
      return reply as { time: number; values: Float32Array };
    };
    const ours: number[] = [];
    const theirs: number[] = [];
    const warmups = 3;
    for (let r = 0; r < repeats + warmups; r++) {
      let mine: { time: number; values: ArrayLike<number> };
      let their: { time: number; values: Float32Array };
      if (r % 2) {
        mine = await runOurs(r);
        their = await runTheirs(r);
      } else {
        their = await runTheirs(r);
        mine = await runOurs(r);
      }
      if (r >= warmups) {
        ours.push(mine.time);
        theirs.push(their.time);
      }
      const [a, b] = [mine.values, their.values];
      if (program.kind === 'huber') {
        for (let k = 0; k < b.length; k += 9973) {
          if (Math.abs(a[k]! - b[k]!) > 1e-4 * (1 + Math.abs(b[k]!))) {
            throw new Error(`Huber loss: ours and jax-js's disagree at ${k}: ${a[k]} against ${b[k]}`);
          }
        }
      } else {
        // Points on the set's edge may escape one iteration apart in float32 on two backends.
        let differ = 0;
        for (let k = 0; k < b.length; k++) if (Math.abs(a[k]! - b[k]!) > 1) differ++;
        if (differ > b.length * 0.01) throw new Error(`Mandelbrot: ours and jax-js's differ at ${differ} points`);
      }
    }
    const [o, t] = [median(ours), median(theirs)];
    const name =
      program.kind === 'huber'
        ? `Huber loss 1e6, jax-js jit on ${device}`
        : `Mandelbrot ${program.size}x${program.size}, 100 iterations, jax-js jit (unrolled) on ${device}`;
    log(`  ${name}: ours ${o.toFixed(2)} ms, jax-js ${t.toFixed(2)} ms`);
    return [`| ${backend} | ${name} | ${o.toFixed(2)} ms | ${t.toFixed(2)} ms | ${(t / o).toFixed(2)}x |`];
  } finally {
    jax.close();
  }
}
