// Bundles the demo (and any extra pages, such as the browser suite's) for the browser with esbuild.
import { build } from 'esbuild';
import { cpSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const DEMO_OUT = join(here, '.build');

/** Builds `demo/app.ts`, the benchmark page (`demo/bench_page.ts`) and `extraEntries` (name → file) into `outdir`, with the page's static files. */
export async function buildDemo(outdir = DEMO_OUT, extraEntries: Record<string, string> = {}): Promise<string> {
  mkdirSync(outdir, { recursive: true });
  cpSync(join(here, 'public'), outdir, { recursive: true });
  await build({
    entryPoints: {
      app: join(here, 'app.ts'),
      worker: join(here, 'worker.ts'),
      bench: join(here, 'bench_page.ts'),
      ...extraEntries,
    },
    outdir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: true,
    minify: false,
    logLevel: 'warning',
    // tfjs-core mentions Node built-ins behind environment checks; the browser never reaches them.
    external: ['fs', 'path', 'crypto', 'os', 'worker_threads', 'node-fetch', 'string_decoder'],
  });
  return outdir;
}
