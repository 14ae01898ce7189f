// Bundles the demo (and any extra pages, such as the browser suite's) for the browser with esbuild.
import { parse } from 'acorn';
import { build, type Plugin } from 'esbuild';
import { cpSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autograph from '../lib/bundler/esbuild.js';

const here = dirname(fileURLToPath(import.meta.url));
export const DEMO_OUT = join(here, '.build');

/**
 * `virtual:example-sources`: the source text of each function of demo/announcement.js, by name, as it is
 * written there. Bundling renames functions whose names collide (tfjs has a `huberLoss` too, so the
 * bundle's is `huberLoss2`), and the editor shows what the examples say, not what the bundle made.
 */
const exampleSources: Plugin = {
  name: 'example-sources',
  setup(builder) {
    builder.onResolve({ filter: /^virtual:example-sources$/ }, (args) => ({ path: args.path, namespace: 'sources' }));
    builder.onLoad({ filter: /.*/, namespace: 'sources' }, () => {
      const file = join(here, 'announcement.js');
      const text = readFileSync(file, 'utf8');
      const program = parse(text, { ecmaVersion: 'latest', sourceType: 'module' });
      const sources: Record<string, string> = {};
      for (const statement of program.body) {
        const declaration = statement.type === 'ExportNamedDeclaration' ? statement.declaration : statement;
        if (declaration?.type === 'FunctionDeclaration' && declaration.id) {
          sources[declaration.id.name] = text.slice(declaration.start, declaration.end);
        }
      }
      return { contents: `export default ${JSON.stringify(sources)};`, loader: 'js', watchFiles: [file] };
    });
  },
};

/**
 * The demo's examples, converted at build time by the library's own esbuild plugin (the functions of
 * announcement.js are marked `@autograph`). Converted code imports `tfjs-autograph/built`, which is lib/built.ts
 * here: the demo bundles the library from its source.
 */
const builtExamples: Plugin = {
  name: 'built-examples',
  setup(builder) {
    builder.onResolve({ filter: /^tfjs-autograph\/built$/ }, () => ({ path: join(here, '..', 'lib', 'built.ts') }));
    autograph({ include: (id) => id === join(here, 'announcement.js'), root: join(here, '..') }).setup(builder);
  },
};

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
    plugins: [exampleSources, builtExamples],
    // tfjs-core mentions Node built-ins behind environment checks; the browser never reaches them.
    external: ['fs', 'path', 'crypto', 'os', 'worker_threads', 'node-fetch', 'string_decoder'],
  });
  return outdir;
}
