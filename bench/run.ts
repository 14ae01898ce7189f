// `npm run bench`: every benchmark, each a ratio to a baseline measured in the same run.
// BENCH_ONLY=graph (or plain, conversion, yielding) runs one of them; BENCH_CPU=0, BENCH_WASM=0 or
// BENCH_WEBGPU=0 skips that backend's graph-mode rows.
import * as tf from '@tensorflow/tfjs';
import { benchConversion } from './conversion.js';
import { benchGraphMode, printGraphTable } from './graph_mode.js';
import { setupNodeWebGPU } from './library.js';
import { benchPlainLoops } from './plain_loop.js';
import { benchYielding } from './yielding.js';

const only = process.env.BENCH_ONLY;
const runs = (name: string) => only === undefined || only === name;

async function main(): Promise<void> {
  if (runs('graph')) {
    await tf.setBackend('cpu');
    if (process.env.BENCH_CPU !== '0') await benchGraphMode('cpu');
    if (process.env.BENCH_WASM !== '0') {
      await import('@tensorflow/tfjs-backend-wasm');
      const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
      const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
      await tf.setBackend('wasm');
      await benchGraphMode(`wasm (SIMD ${simd ? 'on' : 'off'}, threads ${threads ? 'on' : 'off'})`);
      await tf.setBackend('cpu');
    }
    if (process.env.BENCH_WEBGPU !== '0') {
      const webgpu = await setupNodeWebGPU({ setBackend: true }).catch((error: unknown) => error as Error);
      if (webgpu instanceof Error) console.log(`  webgpu skipped: ${webgpu.message}`);
      else {
        // tfjs's defaults, as users run it: small tensors that live on the CPU run CPU kernels there.
        await benchGraphMode(`webgpu (${webgpu.software ? 'SwiftShader, a CPU-emulated GPU' : 'a GPU'})`);
      }
      await tf.setBackend('cpu');
    }
    const os = await import('node:os');
    printGraphTable(`${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`);
  }
  if (runs('plain')) await benchPlainLoops();
  if (runs('conversion')) await benchConversion();
  if (runs('yielding')) await benchYielding();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
