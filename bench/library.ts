// The library as users run it: the compiled package in dist/ (`npm run build`), not the TypeScript sources.
import { existsSync } from 'node:fs';

type Library = typeof import('../lib/index.js');

const entry = new URL('../dist/index.js', import.meta.url);
if (!existsSync(entry)) throw new Error('bench: dist/ is missing; `npm run bench` builds it first (npm run build).');

export const { toGraph } = (await import(entry.href)) as Library;

/** The driver's yield counters, from the compiled runtime. */
export const { yieldStats } = (await import(
  new URL('../dist/operators/driver.js', import.meta.url).href
)) as typeof import('../lib/operators/driver.js');

/** WebGPU through Dawn, from the compiled package's Node entry. */
export const { setupNodeWebGPU } = (await import(
  new URL('../dist/platform/webgpu_node.js', import.meta.url).href
)) as typeof import('../lib/platform/webgpu_node.js');

/** How fused elementwise kernels ran on cpu and wasm (WebAssembly SIMD or JavaScript), from the compiled kernels. */
export const { fusedPaths } = (await import(
  new URL('../dist/kernels/register.js', import.meta.url).href
)) as typeof import('../lib/kernels/register.js');
