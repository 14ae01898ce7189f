// The plugin in each bundler: a small app built minified runs in Chromium on WebGPU under a CSP without 'unsafe-eval'.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { chromiumMissing, launchChromium } from '../../demo/chromium.js';
import { serve } from '../../demo/serve.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixture = join(root, 'spec', 'bundler', 'app');
/** No 'unsafe-eval': `new Function` and eval throw, and report a violation. */
const CSP = "default-src 'self'; script-src 'self'; object-src 'none'";

type Results = Record<string, unknown> & {
  error?: { name: string; line: number; file: string; message: string } | null;
  failed?: string;
  backend?: string;
};

/** The app in a folder of its own, with node_modules that hold tfjs and this package (as built in dist/). */
function makeApp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'autograph-app-'));
  cpSync(join(fixture, 'src'), join(dir, 'src'), { recursive: true });
  // Its `imports` field maps #steps, which each bundler resolves by its own rules, as Node does.
  const manifest = {
    name: 'autograph-bundled-app',
    private: true,
    type: 'module',
    imports: { '#steps': './src/steps.js' },
  };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(root, join(dir, 'node_modules', 'tfjs-autograph'), 'dir');
  symlinkSync(join(root, 'node_modules', '@tensorflow'), join(dir, 'node_modules', '@tensorflow'), 'dir');
  cpSync(join(fixture, 'packages', 'app-labels'), join(dir, 'node_modules', 'app-labels'), { recursive: true });
  return dir;
}

/** Each bundler builds src/browser.js minified into out/<name>/app.js, with the plugin (csp: true); returns its warnings. */
const BUILDERS: Record<string, (app: string, out: string) => Promise<string[]>> = {
  async esbuild(app, out) {
    const esbuild = await import('esbuild');
    const { default: autograph } = await import('tfjs-autograph/esbuild');
    const result = await esbuild.build({
      entryPoints: { app: join(app, 'src', 'browser.js') },
      absWorkingDir: app,
      bundle: true,
      format: 'esm',
      minify: true,
      sourcemap: true,
      outdir: out,
      logLevel: 'silent',
      plugins: [autograph({ csp: true, root: app })],
    });
    return result.warnings.map((warning) => warning.text);
  },

  async rollup(app, out) {
    const { rollup } = await import('rollup');
    const { nodeResolve } = await import('@rollup/plugin-node-resolve');
    // Their types describe CommonJS modules: the default export is the plugin factory.
    type Factory = (options?: object) => import('rollup').Plugin;
    const commonjs = (await import('@rollup/plugin-commonjs')).default as unknown as Factory;
    const terser = (await import('@rollup/plugin-terser')).default as unknown as Factory;
    const { default: autograph } = await import('tfjs-autograph/rollup');
    const warnings: string[] = [];
    const bundle = await rollup({
      input: join(app, 'src', 'browser.js'),
      plugins: [autograph({ csp: true, root: app }), nodeResolve({ browser: true }), commonjs()],
      onwarn: (warning) => {
        // tfjs's own modules use `this` at the top level and have circular imports: not the app's concern.
        if (warning.plugin === 'tfjs-autograph') warnings.push(warning.message);
      },
    });
    await bundle.write({ file: join(out, 'app.js'), format: 'es', sourcemap: true, plugins: [terser()] });
    await bundle.close();
    return warnings;
  },

  async vite(app, out) {
    const { build } = await import('vite');
    const { default: autograph } = await import('tfjs-autograph/vite');
    const warnings: string[] = [];
    await build({
      root: app,
      configFile: false,
      logLevel: 'silent',
      plugins: [autograph({ csp: true, root: app })],
      build: {
        outDir: out,
        minify: true,
        sourcemap: true,
        lib: { entry: join(app, 'src', 'browser.js'), formats: ['es'], fileName: () => 'app.js' },
        rollupOptions: {
          onwarn: (warning) => {
            if (warning.plugin === 'tfjs-autograph') warnings.push(warning.message);
          },
        },
      },
    });
    return warnings;
  },

  async webpack(app, out) {
    const { default: webpack } = await import('webpack');
    const { default: autograph } = await import('tfjs-autograph/webpack');
    const stats = await new Promise<import('webpack').Stats>((resolve, reject) =>
      webpack(
        {
          mode: 'production',
          context: app,
          entry: join(app, 'src', 'browser.js'),
          output: { path: out, filename: 'app.js', module: true },
          experiments: { outputModule: true },
          devtool: 'source-map',
          performance: { hints: false },
          plugins: [autograph({ csp: true, root: app })],
        },
        (error, result) => (error || !result ? reject(error ?? new Error('webpack gave no stats')) : resolve(result)),
      ),
    );
    const info = stats.toJson({ all: false, errors: true, warnings: true });
    if (stats.hasErrors()) throw new Error(info.errors!.map((e) => e.message).join('\n'));
    return info.warnings!.map((warning) => warning.message).filter((message) => message.includes('autograph'));
  },
};

describe('the bundler plugins', function () {
  this.timeout(300_000);
  let app = '';
  let browser: Browser | undefined;
  let reference: Results;

  before(function () {
    const reason = chromiumMissing();
    if (reason !== undefined) {
      if (process.env.CI === 'true') throw new Error(`The bundler specs cannot run on CI: ${reason}.`);
      console.log(`    skipping the bundler specs: ${reason}`);
      this.skip();
    }
    app = makeApp();
  });

  after(async function () {
    await browser?.close();
    if (app) rmSync(app, { recursive: true, force: true });
  });

  before(async function () {
    if (!app) return;
    // The reference: the app's modules loaded by Node one by one (tfjs's cpu backend), each converted as it
    // loads by the same transform, without csp: what runs before any bundler touches the code.
    mkdirSync(join(app, 'reference'));
    const transform = join(root, 'dist', 'bundler', 'transform.js');
    writeFileSync(
      join(app, 'reference', 'loader.mjs'),
      [
        "import { fileURLToPath, pathToFileURL } from 'node:url';",
        `import { transformModule } from ${JSON.stringify(pathToFileURL(transform).href)};`,
        'export async function load(url, context, nextLoad) {',
        '  const result = await nextLoad(url, context);',
        "  if (!url.startsWith('file:') || !url.includes('/src/') || url.includes('/node_modules/')) return result;",
        `  const out = transformModule(String(result.source), fileURLToPath(url), { root: ${JSON.stringify(app)}, csp: false });`,
        '  return out ? { ...result, source: out.code } : result;',
        '}',
      ].join('\n'),
    );
    writeFileSync(
      join(app, 'reference', 'run.mjs'),
      [
        "import { register } from 'node:module';",
        "register('./loader.mjs', import.meta.url);",
        "const { runApp } = await import('../src/main.js');",
        'process.stdout.write(JSON.stringify(await runApp()));',
      ].join('\n'),
    );
    const output = execFileSync(process.execPath, [join(app, 'reference', 'run.mjs')], { cwd: app, encoding: 'utf8' });
    reference = JSON.parse(output.slice(output.indexOf('{'))) as Results;
    // Checks of the reference itself: Collatz from 27 takes 111 steps; sqrt and Huber as computed here.
    expect(reference.collatz27).to.deep.equal([111]);
    expect(reference.sqrt).to.deep.equal([2, 3]);
    expect(reference.caught).to.deep.equal([1]);
    // Huber with DELTA 1.5: the small input's |a| sums to 0.6 (a²/2), the large one's to 5.5 (1.5(|a| - 0.75)).
    const close = (got: unknown, want: number[]) =>
      want.forEach((w, i) => expect((got as number[])[i]).to.be.closeTo(w, 1e-6));
    close(reference.huberSmall, [0.02, 0.045, 0.005]);
    close(reference.huberLarge, [1.875, 3.375, -0.375]);

    browser = await launchChromium();
  });

  it('converts TypeScript modules at build time too (esbuild), and the bundle runs in Node without eval', async function () {
    if (!app) this.skip();
    const esbuild = await import('esbuild');
    const { default: autograph } = await import('tfjs-autograph/esbuild');
    const out = join(app, 'out', 'typescript');
    const result = await esbuild.build({
      entryPoints: { main: join(app, 'src', 'typed_main.ts') },
      absWorkingDir: app,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'es2022',
      packages: 'external',
      minify: true,
      outdir: out,
      outExtension: { '.js': '.mjs' },
      logLevel: 'silent',
      plugins: [autograph({ csp: true, root: app })],
    });
    expect(result.warnings.map((w) => w.text)).to.deep.equal([]);
    // Node refuses eval and new Function: everything ran from the build's conversions.
    const output = execFileSync(process.execPath, ['--disallow-code-generation-from-strings', join(out, 'main.mjs')], {
      cwd: app,
      encoding: 'utf8',
    });
    const got = JSON.parse(output.slice(output.indexOf('{'))) as {
      collatz: number[];
      run: string;
      scaled: number[];
      notFused?: string;
      toCode: { code: string; sources: string[]; content: string; mappings: string };
      ops: number[];
      warnings: string[];
      unconverted: string;
      error?: { line: number; file: string; message: string };
    };
    expect(got.collatz).to.deep.equal([111]);
    expect(got.run).to.equal('replayed');
    expect(got.scaled).to.deep.equal([3, 6]);
    // And the graph says why its kernels are not fused on the CPU.
    // toCode of a built function: its converted code as generated (not minified), mapped into the TypeScript.
    expect(got.toCode.code).to.match(/^function\* typedCollatz\(a\) \{/);
    expect(got.toCode.code).to.include('ag__.whileStmt(');
    expect(got.toCode.sources).to.deep.equal(['typedCollatz.js']);
    expect(got.toCode.content).to.match(/^function typedCollatz\(a: tf\.Scalar\): number \{/);
    expect(got.toCode.mappings.split(';').filter(Boolean).length).to.be.greaterThan(5);
    expect(got.notFused).to.match(/^fused cpu kernels are JavaScript made with new Function, .*csp: true/);
    // A callee the build could not name runs as it is, with one warning; toGraph of a function the build
    // did not convert says why it cannot.
    expect(got.ops).to.deep.equal([7, 9]);
    expect(got.warnings, got.warnings.join('\n')).to.have.length(1);
    expect(got.warnings[0]).to.match(
      /^autograph: twice, called from useOps, runs as it is: it was not converted at build time/,
    );
    expect(got.unconverted).to.match(
      /^Cannot convert twice: it was not converted at build time, and this bundle converts nothing at run time/,
    );
    const lines = readFileSync(join(app, 'src', 'typed.ts'), 'utf8').split('\n');
    const throwLine = lines.findIndex((line) => line.includes("throw new RangeError('too large')")) + 1;
    expect(got.error?.file).to.equal('src/typed.ts');
    expect(got.error?.line).to.equal(throwLine);
    // The code frame shows the TypeScript as written.
    expect(got.error?.message).to.include('async scale(x: tf.Tensor): Promise<tf.Tensor> {');
  });

  for (const [name, build] of Object.entries(BUILDERS)) {
    describe(name, () => {
      let out = '';
      let warnings: string[] = [];
      let bundle = '';

      before(async function () {
        if (!app) this.skip();
        out = join(app, 'out', name);
        warnings = await build(app, out);
        bundle = readFileSync(join(out, 'app.js'), 'utf8');
        writeFileSync(
          join(out, 'index.html'),
          '<!doctype html><meta charset="utf-8"><script type="module" src="app.js"></script>',
        );
      });

      it('converts every function at build time but the dependency, which it names, and minifies', () => {
        // Under csp: true, a callee the build cannot see (here in node_modules) runs as it is, with one warning.
        expect(warnings).to.have.length(1);
        expect(warnings[0]).to.match(/label, called from checkedSqrt \(src\/losses\.js:\d+\)/);
        expect(warnings[0]).to.include("'app-labels'");
        // Minified: the converted code's own locals are renamed (toCode's readable text and the sources
        // for code frames are strings, which keep their names, and have no position markers).
        expect(bundle).to.include('ag__.');
        expect(bundle).to.not.include('ag_at__');
      });

      it('runs in Chromium on WebGPU under a CSP without unsafe-eval, with the results of the unbundled app in Node', async function () {
        const { url, server } = await serve(out, 0, { 'content-security-policy': CSP });
        const page = await browser!.newPage();
        const pageErrors: string[] = [];
        page.on('pageerror', (error) => pageErrors.push(error.message));
        try {
          const violations: string[] = [];
          await page.exposeFunction('reportViolation', (text: string) => violations.push(text));
          await page.addInitScript(() => {
            document.addEventListener('securitypolicyviolation', (event) =>
              (window as unknown as { reportViolation(text: string): void }).reportViolation(
                `${event.violatedDirective}: ${event.blockedURI}`,
              ),
            );
          });
          await page.goto(url);
          const results = (await page.evaluate(
            () => (window as unknown as { appResults: Promise<unknown> }).appResults,
          )) as Results;
          expect(pageErrors).to.deep.equal([]);
          expect(results, 'window.appResults').to.be.an('object');
          expect(results.failed, results.failed).to.equal(undefined);
          expect(results.backend).to.equal('webgpu');
          // No eval. The one other refusal is WebAssembly: tfjs-core's `long` dependency compiles a tiny
          // module as it loads, and uses JavaScript when refused (the library itself compiles none under
          // csp: true, where fused kernels stay off the CPU).
          expect(violations.filter((v) => v !== 'script-src: wasm-eval')).to.deep.equal([]);
          expect(violations.length).to.be.at.most(1);
          const { error, runs, ...values } = results;
          const { error: referenceError, runs: referenceRuns, ...referenceValues } = reference;
          // Graph mode works in the bundle as in Node: renamed and minified, the code still replays.
          expect(referenceRuns).to.deep.equal({ huber: 'replayed', collatz: 'replayed' });
          expect(runs).to.deep.equal(referenceRuns);
          expect(Object.keys(values).sort()).to.deep.equal(['backend', ...Object.keys(referenceValues)].sort());
          for (const [key, value] of Object.entries(referenceValues)) {
            const got = values[key] as number[];
            expect(got, key).to.have.length((value as number[]).length);
            (value as number[]).forEach((v, i) => expect(got[i], `${key}[${i}]`).to.be.closeTo(v, 1e-5));
          }
          // The error names the line of the throw in the original file, as the reference finds it.
          const lines = readFileSync(join(app, 'src', 'losses.js'), 'utf8').split('\n');
          const throwLine = lines.findIndex((line) => line.includes('throw new RangeError(')) + 1;
          expect(referenceError?.name).to.equal('RangeError');
          expect(error?.name).to.equal('RangeError');
          expect(error?.line).to.equal(throwLine);
          expect(error?.file).to.equal('src/losses.js');
          expect(error?.message).to.match(/^checkedSqrt: negative input \(2\)\n/);
          expect(error?.message).to.include(`> ${throwLine} |     throw new RangeError(`);
          // The reference (run by Node, without a bundler) names the same line.
          expect(referenceError?.line).to.equal(throwLine);
        } finally {
          await page.close();
          server.close();
        }
      });
    });
  }
});
