// `npm run bench`: every benchmark, each a ratio to a baseline measured in the same run.
// BENCH_ONLY=graph (or jax, browser, plain, conversion, yielding) runs one of them; BENCH_CPU=0, BENCH_WASM=0 or
// BENCH_WEBGPU=0 skips that backend's graph-mode rows; BENCH_ROWS (a regular expression) picks rows by name.
import * as tf from '@tensorflow/tfjs';
import { benchInBrowser } from './browser.js';
import { benchConversion } from './conversion.js';
import { benchGraphMode, formatGraphTable } from './graph_mode.js';
import { benchAgainstJaxJs } from './jax_js.js';
import { mandelbrot } from './programs.js';
import { fusedPaths, setupNodeWebGPU, toGraph } from './library.js';
import { benchPlainLoops } from './plain_loop.js';
import { benchYielding } from './yielding.js';

const only = process.env.BENCH_ONLY;
/** A number from the environment, or undefined for the benchmark's own default. */
const env = (name: string) => (process.env[name] === undefined ? undefined : Number(process.env[name]));
const runs = (name: string) => only === undefined || only === name;

async function main(): Promise<void> {
  if (runs('graph')) {
    const sizes = {
      toGraph,
      fusedPaths,
      repeats: env('BENCH_REPEATS_GRAPH'),
      collatzValues: env('BENCH_COLLATZ_N'),
      trainSteps: env('BENCH_TRAIN_STEPS'),
      rows: process.env.BENCH_ROWS,
    };
    await tf.setBackend('cpu');
    if (process.env.BENCH_CPU !== '0') await benchGraphMode('cpu', sizes);
    if (process.env.BENCH_WASM !== '0') {
      await import('@tensorflow/tfjs-backend-wasm');
      const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
      const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
      await tf.setBackend('wasm');
      await benchGraphMode(`wasm (SIMD ${simd ? 'on' : 'off'}, threads ${threads ? 'on' : 'off'})`, sizes);
      await tf.setBackend('cpu');
    }
    if (process.env.BENCH_WEBGPU !== '0') {
      const webgpu = await setupNodeWebGPU({ setBackend: true }).catch((error: unknown) => error as Error);
      if (webgpu instanceof Error) console.log(`  webgpu skipped: ${webgpu.message}`);
      else {
        // tfjs's defaults, as users run it: small tensors that live on the CPU run CPU kernels there.
        await benchGraphMode(`webgpu (${webgpu.software ? 'SwiftShader, a CPU-emulated GPU' : 'a GPU'})`, sizes);
      }
      await tf.setBackend('cpu');
    }
    const os = await import('node:os');
    const machine = `${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`;
    console.log(['', ...formatGraphTable(machine)].join('\n'));
  }
  if (runs('jax')) {
    // Fused kernels against jax-js's: our cpu against its wasm (its CPU backend), webgpu against webgpu.
    const log = (line: string) => console.log(line);
    const repeats = env('BENCH_REPEATS_JAX') ?? 15;
    const webgpu = await setupNodeWebGPU({ setBackend: false }).catch((error: unknown) => error as Error);
    await tf.setBackend('cpu');
    console.log(`Fused kernels against jax-js jit (in a process of its own), median of ${repeats} runs:`);
    const huberRow = { kind: 'huber' } as const;
    const mandelbrotRow = { kind: 'mandelbrot', fn: mandelbrot, size: 512 } as const;
    const lines = [
      '| backend | program, against | ours | jax-js | jax-js/ours |',
      '| --- | --- | --- | --- | --- |',
      ...(await benchAgainstJaxJs(toGraph, huberRow, 'cpu', 'wasm', repeats, log)),
      ...(await benchAgainstJaxJs(toGraph, mandelbrotRow, 'cpu', 'wasm', 5, log)),
    ];
    if (webgpu instanceof Error) console.log(`  webgpu skipped: ${webgpu.message}`);
    else {
      await tf.setBackend('webgpu');
      lines.push(...(await benchAgainstJaxJs(toGraph, huberRow, 'webgpu', 'webgpu', repeats, log)));
      lines.push(...(await benchAgainstJaxJs(toGraph, mandelbrotRow, 'webgpu', 'webgpu', 3, log)));
    }
    await tf.setBackend('cpu');
    console.log(['', ...lines].join('\n'));
  }
  if (runs('browser')) {
    const size = process.env.BENCH_BROWSER_SIZE === 'quick' ? 'quick' : 'full';
    await benchInBrowser(process.env.BENCH_BROWSER_BACKENDS ?? 'webgpu', size, process.env.BENCH_ROWS);
  }
  if (runs('plain')) await benchPlainLoops();
  if (runs('conversion')) await benchConversion();
  if (runs('yielding')) await benchYielding();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
