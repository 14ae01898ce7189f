// The browser suite: the examples and the demo page in headless Chromium on webgpu, checked against cpu in Node.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { chromiumMissing, launchChromium } from '../../demo/chromium.js';
import { buildDemo } from '../../demo/build.js';
import { EXAMPLES } from '../../demo/catalog.js';
import { runExample, type RunReport } from '../../demo/runner.js';
import { serve } from '../../demo/serve.js';
import type { EndlessReport } from './page.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const artifacts = join(root, 'artifacts');
const outdir = join(artifacts, 'browser-build');

/** Printed lines agree word for word, numbers within `tolerance` (backends round float32 differently). */
function expectSameLines(actual: string[], expected: string[], tolerance: number, label: string): void {
  expect(actual, label).to.have.length(expected.length);
  actual.forEach((line, i) => {
    const [words, want] = [line.split(' '), expected[i]!.split(' ')];
    expect(words, `${label}, line ${i}`).to.have.length(want.length);
    words.forEach((word, j) => {
      const number = Number(word);
      if (word !== '' && Number.isFinite(number) && Number.isFinite(Number(want[j]))) {
        const target = Number(want[j]);
        expect(number, `${label}, line ${i}`).to.be.closeTo(target, tolerance * Math.max(1, Math.abs(target)));
      } else {
        expect(word, `${label}, line ${i}`).to.equal(want[j]);
      }
    });
  });
}

/** The number an example's expected values give: its result, or the part of it that `measure` picks. */
function measured(example: (typeof EXAMPLES)[number], value: unknown): number {
  const measure = 'measure' in example ? (example.measure as (value: never) => unknown) : undefined;
  return Number(measure ? measure(value as never) : value);
}

describe('in the browser (headless Chromium, webgpu)', function () {
  this.timeout(240_000);
  let browser: Browser | undefined;
  let server: Server | undefined;
  let url = '';

  before(async function () {
    const reason = chromiumMissing();
    if (reason !== undefined) {
      if (process.env.CI === 'true') throw new Error(`The browser suite cannot run on CI: ${reason}.`);
      console.log(`    skipping the browser suite: ${reason}`);
      this.skip();
    }
    mkdirSync(artifacts, { recursive: true });
    await buildDemo(outdir, { spec: join(root, 'spec', 'browser', 'page.ts') });
    writeFileSync(
      join(outdir, 'spec.html'),
      '<!doctype html><meta charset="utf-8"><script type="module" src="spec.js"></script>',
    );
    ({ url, server } = await serve(outdir, 0));
    browser = await launchChromium();
  });

  after(async function () {
    await browser?.close();
    server?.close();
  });

  async function openPage(path: string): Promise<Page> {
    const page = await browser!.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('pageerror', (error) => console.log(`    page error: ${error.message}`));
    await page.goto(url + path);
    return page;
  }

  it('runs the examples on webgpu with the results cpu gives in Node', async function () {
    const page = await openPage('spec.html');
    await page.waitForFunction(() => 'autographSpec' in window);
    const backend = await page.evaluate(
      () => (window as unknown as { autographSpec: { ready: Promise<string> } }).autographSpec.ready,
    );
    expect(backend).to.equal('webgpu');
    // The bundle's examples were converted at build time, by the plugin.
    const built = await page.evaluate(() =>
      (window as unknown as { autographSpec: { builtExamples(): string[] } }).autographSpec.builtExamples(),
    );
    expect(built).to.deep.equal(EXAMPLES.map((example) => example.id));

    await tf.setBackend('cpu');
    for (const example of EXAMPLES) {
      for (const inputs of example.inputs) {
        const inBrowser = await page.evaluate(
          ([id, args]) =>
            (
              window as unknown as { autographSpec: { run(id: string, inputs: string): Promise<RunReport> } }
            ).autographSpec.run(id!, args!),
          [example.id, inputs],
        );
        const inNode = await runExample({ fn: example.fn, scope: example.scope, inputs, repeats: 0 });
        const label = `${example.id}(${inputs})`;
        expect(inBrowser.error, `${label} in the browser`).to.equal(undefined);
        expect(inNode.error, `${label} in Node`).to.equal(undefined);
        expect(inBrowser.backend, label).to.equal('webgpu');
        expect(inNode.backend, label).to.equal('cpu');
        expect(inBrowser.kind, label).to.equal(inNode.kind);
        const tolerance = ('tolerance' in example ? example.tolerance : undefined) ?? 1e-5;
        expect(measured(example, inBrowser.value), label).to.be.closeTo(measured(example, inNode.value), tolerance);
        expectSameLines(inBrowser.printed, inNode.printed, tolerance, label);
        expect(measured(example, inBrowser.value), label).to.be.closeTo(
          example.expected[inputs as keyof typeof example.expected] as number,
          tolerance,
        );
      }
    }
    await page.close();
  });

  it('an endless staged loop lets a timer fire on time, and an abort stops it and frees its tensors', async function () {
    const page = await openPage('spec.html');
    await page.waitForFunction(() => 'autographSpec' in window);
    const report = await page.evaluate(() =>
      (window as unknown as { autographSpec: { endless(): Promise<EndlessReport> } }).autographSpec.endless(),
    );
    expect(report.late, 'how late the timer fired, in ms').to.be.below(100);
    expect(report.rejection).to.equal('AbortError');
    expect(report.leaked, 'tensors left').to.equal(0);
  });

  it('the demo page runs each example on webgpu from its UI', async function () {
    const page = await openPage('');
    await page.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
    expect(await page.textContent('#backend')).to.equal('webgpu');
    await page.selectOption('#repeats', '0');
    for (const example of EXAMPLES) {
      await page.click(`[data-example="${example.id}"]`);
      expect(await page.textContent('#converted')).to.contain('yield* ag__.');
      const inputs = example.inputs[0]!;
      await page.fill('#inputs', inputs);
      await page.click('#run');
      await page.waitForSelector('#results[data-state="done"], #results[data-state="error"]', { timeout: 120_000 });
      expect(await page.getAttribute('#results', 'data-state'), (await page.textContent('#error')) ?? '').to.equal(
        'done',
      );
      const shown = measured(example, JSON.parse((await page.textContent('#result'))!));
      expect(shown, `${example.id} result shown`).to.be.closeTo(
        example.expected[inputs as keyof typeof example.expected] as number,
        ('tolerance' in example ? example.tolerance : undefined) ?? 1e-5,
      );
      expect(await page.textContent('#used-backend')).to.equal('webgpu');
      // Beside the converted code: the graph the call traced, what a replay costs, or why there is none.
      const summary = await page.textContent('#graph-summary');
      expect(summary, `${example.id} graph summary`).to.match(
        /a replay runs \d+ kernels(, \d+ of them fused)? and reads \d+ values|^runs op by op: .+|^ran as plain JavaScript/,
      );
      // The Huber loss runs as a fused kernel: the summary and the graph's text show it.
      if (example.id === 'huber') {
        expect(summary).to.match(/, 1 of them fused/);
        expect(await page.textContent('#graph')).to.match(/= fused \d+ kernels \(/);
      }
      // The training example plots the loss it printed and its fit against the data.
      expect(await page.isVisible('#plots'), `${example.id} plots`).to.equal(example.id === 'training');
      if (example.id === 'training') {
        expect(await page.getAttribute('#loss-plot', 'aria-label')).to.match(/^loss over 12 printed steps, /);
        expect(await page.getAttribute('#fit-plot', 'aria-label')).to.equal('fitted curve and data, 32 points');
        expect((await page.locator('#fit-plot').boundingBox())!.height).to.be.greaterThan(100);
      }
      await page.screenshot({ path: join(artifacts, `demo-${example.id}.png`), fullPage: true });
    }
    await page.close();
  });

  it('without WebGPU the demo page says so plainly and runs on another backend', async function () {
    const page = await browser!.newPage({ viewport: { width: 1400, height: 1000 } });
    // A browser without WebGPU: navigator.gpu is gone before the page's scripts run.
    await page.addInitScript(() => {
      delete (Navigator.prototype as { gpu?: unknown }).gpu;
    });
    await page.goto(url);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
    const backend = await page.textContent('#backend');
    expect(backend).to.be.oneOf(['webgl', 'cpu']);
    expect(await page.isVisible('#notice')).to.equal(true);
    expect(await page.textContent('#notice'))
      .to.contain('no WebGPU')
      .and.contain(backend!);
    await page.selectOption('#repeats', '0');
    await page.click('[data-example="collatz"]');
    await page.click('#run');
    await page.waitForSelector('#results[data-state="done"]', { timeout: 120_000 });
    expect(await page.textContent('#result')).to.equal('111');
    expect(await page.textContent('#used-backend')).to.equal(backend);
    await page.screenshot({ path: join(artifacts, 'demo-without-webgpu.png') });
    await page.close();
  });

  it('the demo links to a benchmark page that runs the graph-mode rows on webgpu and shows their table', async function () {
    this.timeout(600_000);
    const page = await openPage('');
    await page.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
    await page.click('a[href="bench.html"]');
    await page.waitForSelector('body[data-ready="true"] #bench-run');
    expect(await page.textContent('#machine')).to.contain('WebGPU adapter');
    await page.selectOption('#bench-backends', 'webgpu');
    await page.selectOption('#bench-size', 'quick');
    await page.click('#bench-run');
    await page.waitForSelector('#bench-table[data-state="done"], #bench-table[data-state="error"]', {
      timeout: 600_000,
    });
    expect(await page.textContent('#bench-progress')).to.not.contain('failed');
    const rows = await page.$$eval('#bench-table tbody tr', (trs) =>
      trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent ?? '')),
    );
    const programs = rows.map((cells) => cells[1]);
    expect(programs).to.deep.equal([
      'Collatz on a scalar int32',
      'vectorised Collatz, 1024 values',
      'Huber loss, 1e6 float32',
      'mean Huber loss, 1e6 float32',
      'Mandelbrot 64x64, 100 iterations',
      'train 784→10, 10 steps',
      'fit until the loss is small, 256x64',
      'RNN, 50 steps, batch 32, hidden 256',
      "demo's training example, 60 steps",
    ]);
    for (const cells of rows) {
      expect(cells[0], cells[1]).to.match(/^webgpu/);
      expect(cells[4], cells[1]).to.match(/^\d+\.\d\dx$/);
      expect(cells[8], cells[1]).to.match(/^replayed/);
    }
    // A chart of the rows: one bar per row, its factor stated for those who cannot see it.
    expect(await page.isVisible('#bench-chart canvas')).to.equal(true);
    const box = (await page.locator('#bench-chart canvas').boundingBox())!;
    expect(box.width).to.be.greaterThan(200);
    expect(box.height).to.be.greaterThan(100);
    const described = (await page.getAttribute('#bench-chart canvas', 'aria-label'))!;
    for (const cells of rows) expect(described).to.contain(`${cells[1]} on ${cells[0]}: ${cells[4]}`);
    expect(await page.textContent('#bench-chart figcaption')).to.contain(`${rows.length} rows`);
    await page.screenshot({ path: join(artifacts, 'bench-page.png'), fullPage: true });
    await page.close();
  });

  it('the demo page shows a conversion error with the user line', async function () {
    const page = await openPage('');
    await page.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
    await page.click('[data-example="huber"]');
    await page.fill('#source', 'function bad(a) {\n  return a * missingName;\n}');
    await page.waitForFunction(() => document.querySelector('#converted')!.classList.contains('failed'));
    const text = await page.textContent('#converted');
    expect(text).to.contain("'missingName'").and.contain('line 2');
    await page.click('#run');
    await page.waitForSelector('#results[data-state="error"]');
    expect(await page.textContent('#error'))
      .to.contain('ConversionError (line 2)')
      .and.contain('^');
    await page.close();
  });

  /** The demo page, ready, with `example` chosen and timing runs set to `repeats`. */
  async function demoWith(example: string, repeats = '0'): Promise<Page> {
    const page = await openPage('');
    await page.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
    await page.click(`[data-example="${example}"]`);
    await page.selectOption('#repeats', repeats);
    return page;
  }

  async function runAndWait(page: Page): Promise<string> {
    await page.click('#run');
    await page.waitForSelector('#results:not([data-state="running"]):not([data-state="idle"])', {
      timeout: 120_000,
    });
    return (await page.getAttribute('#results', 'data-state'))!;
  }

  it('Stop ends an endless loop that printed as it ran, and the page stays responsive', async function () {
    const page = await demoWith('collatz');
    await page.fill(
      '#source',
      "function forever(x) {\n  console.log('started');\n  while (x > 0) {\n    x = x + 1;\n  }\n  return x;\n}",
    );
    await page.fill('#inputs', 'tf.scalar(1)');
    await page.click('#run');
    // The print shows while the run goes on.
    await page.waitForFunction(
      () =>
        document.querySelector('#results')!.getAttribute('data-state') === 'running' &&
        document.querySelector('#printed')!.textContent!.includes('started'),
      undefined,
      { timeout: 60_000 },
    );
    // The page's own timer keeps counting: its main thread is free.
    const first = await page.textContent('#elapsed');
    await page.waitForTimeout(600);
    const later = await page.textContent('#elapsed');
    expect(first).to.match(/^running for \d+\.\d s$/);
    expect(later)
      .to.match(/^running for \d+\.\d s$/)
      .and.not.equal(first);
    expect(await page.isEnabled('#stop')).to.equal(true);
    await page.screenshot({ path: join(artifacts, 'demo-running.png') });
    await page.click('#stop');
    await page.waitForSelector('#results[data-state="stopped"]', { timeout: 5_000 });
    // Stopped through its AbortSignal: the converted call yields, and the worker gets the page's message.
    expect(await page.textContent('#error')).to.equal('Stopped.');
    expect(await page.textContent('#printed')).to.contain('started');
    await page.screenshot({ path: join(artifacts, 'demo-stopped.png') });
    // Plain JavaScript that never yields cannot see the abort: a second later its worker is ended.
    await page.fill('#source', 'function spin(n) {\n  while (n > 0) {}\n  return n;\n}');
    await page.fill('#inputs', '1');
    await page.click('#run');
    await page.waitForTimeout(300);
    await page.click('#stop');
    await page.waitForSelector('#results[data-state="stopped"]', { timeout: 5_000 });
    expect(await page.textContent('#error')).to.match(/^Stopped after \d+\.\d s: .* its worker was ended\.$/);
    // A new worker runs the next example.
    await page.click('[data-example="collatz"]');
    expect(await runAndWait(page)).to.equal('done');
    expect(await page.textContent('#result')).to.equal('111');
    await page.close();
  });

  it('shows a progress bar for a loop with a known count as it runs, and none for a while loop', async function () {
    const page = await demoWith('collatz');
    await page.fill(
      '#source',
      'function count(n) {\n  let x = tf.scalar(0);\n  for (let i = 0; i < n; i++) {\n' +
        '    x = x + tf.sum(tf.matMul(tf.ones([8, 8]), tf.ones([8, 8])));\n  }\n  return x;\n}',
    );
    await page.fill('#inputs', "tf.scalar(100000, 'int32')");
    await page.click('#run');
    const doneOf = async () => {
      const text = (await page.textContent('#progress-text')) ?? '';
      const match = /^(\d+) of 100000 loop iterations$/.exec(text);
      return match ? Number(match[1]) : undefined;
    };
    // The bar shows while the loop runs, and moves.
    await page.waitForFunction(
      () =>
        document.querySelector('#results')!.getAttribute('data-state') === 'running' &&
        /^[1-9]\d* of 100000/.test(document.querySelector('#progress-text')!.textContent ?? ''),
      undefined,
      { timeout: 60_000 },
    );
    expect(await page.isVisible('#progress-bar')).to.equal(true);
    expect(await page.getAttribute('#progress-bar', 'max')).to.equal('100000');
    const first = (await doneOf())!;
    await page.waitForFunction(
      (before) => Number(/^(\d+) of/.exec(document.querySelector('#progress-text')!.textContent ?? '')?.[1]) > before,
      first,
      { timeout: 30_000 },
    );
    await page.screenshot({ path: join(artifacts, 'demo-progress.png') });
    await page.click('#stop');
    await page.waitForSelector('#results[data-state="stopped"]', { timeout: 5_000 });
    // Stopped, the bar stays where the loop was.
    const stoppedAt = (await doneOf())!;
    expect(stoppedAt).to.be.greaterThan(first).and.lessThan(100000);
    // The training example's loop runs to its end: the bar is full. A while loop shows none.
    await page.click('[data-example="training"]');
    await page.fill('#inputs', "tf.scalar(60, 'int32')");
    expect(await runAndWait(page)).to.equal('done');
    expect(await page.textContent('#progress-text')).to.equal('60 of 60 loop iterations');
    expect(await page.getAttribute('#progress-bar', 'max')).to.equal('60');
    expect(await page.evaluate(() => document.querySelector<HTMLProgressElement>('#progress-bar')!.value)).to.equal(60);
    await page.click('[data-example="collatz"]');
    expect(await runAndWait(page)).to.equal('done');
    expect(await page.isVisible('#loop-progress')).to.equal(false);
    await page.close();
  });

  it('a syntax error blocks Run and shows its line and column', async function () {
    const page = await demoWith('collatz');
    await page.fill('#source', 'function f(x) {\n  return x +;\n}');
    await page.waitForFunction(() => document.querySelector('#converted')!.textContent!.startsWith('SyntaxError'));
    expect(await page.textContent('#converted')).to.match(/^SyntaxError at line 2, column 13: Unexpected token/);
    expect(await page.isDisabled('#run')).to.equal(true);
    await page.screenshot({ path: join(artifacts, 'demo-syntax-error.png') });
    await page.fill('#source', 'function f(x) {\n  return x + 1;\n}');
    await page.waitForFunction(() => !document.querySelector('#converted')!.classList.contains('failed'));
    expect(await page.isEnabled('#run')).to.equal(true);
    await page.close();
  });

  it('shows only the current run: a result clears the old error, an error the old result', async function () {
    const page = await demoWith('collatz');
    expect(await runAndWait(page)).to.equal('done');
    expect(await page.textContent('#result')).to.equal('111');
    // An error in the Arguments box says it comes from there, and the old result is gone.
    await page.fill('#inputs', 'tf.scalar(');
    expect(await runAndWait(page)).to.equal('error');
    expect(await page.textContent('#error'))
      .to.contain('ArgumentsError')
      .and.contain('Arguments box');
    expect(await page.textContent('#result')).to.equal('');
    await page.screenshot({ path: join(artifacts, 'demo-arguments-error.png') });
    await page.fill('#inputs', "tf.scalar(27, 'int32')");
    expect(await runAndWait(page)).to.equal('done');
    expect(await page.isVisible('#error')).to.equal(false);
    expect(await page.textContent('#result')).to.equal('111');
    // Tensors inside arrays show as their values.
    await page.fill('#source', 'function pair(x) {\n  return [x, x * 2];\n}');
    await page.fill('#inputs', 'tf.scalar(3)');
    expect(await runAndWait(page)).to.equal('done');
    expect(await page.textContent('#result')).to.equal('[3,6]');
    await page.close();
  });

  it("times a function against its own eager version only, keeping the example's inputs", async function () {
    const page = await demoWith('print', '3');
    // The result is the input itself: timing runs must not dispose it.
    await page.fill('#inputs', "tf.scalar(-1, 'int32')");
    expect(await runAndWait(page), (await page.textContent('#error')) ?? '').to.equal('done');
    expect(await page.textContent('#result')).to.equal('-1');
    const timings = (await page.textContent('#timings'))!;
    expect(timings).to.match(/converted \(toGraph\)\d+\.\d+ ms median of 3 runs, /);
    expect(timings).to.match(/hand-written eager TF\.js\d+\.\d+ ms median of 3 runs, .* · converted takes \d+\.\d\d×/);
    expect(timings).to.not.match(/NaN|Infinity/);
    await page.screenshot({ path: join(artifacts, 'demo-timings.png') });
    // Edited code has no hand-written version to compare with.
    await page.fill('#source', ((await page.inputValue('#source')) ?? '') + '\n');
    expect(await runAndWait(page)).to.equal('done');
    expect(await page.textContent('#timings')).to.contain('none: this is edited code');
    await page.close();
  });

  it('the editor shows the examples as written, keeps Tab, resets, shares a link, and marks converted lines', async function () {
    const page = await demoWith('huber');
    // Names as the examples write them, not as the bundle renamed them (huberLoss2, step4).
    expect(await page.inputValue('#source')).to.match(/^function huberLoss\(a\) \{/);
    await page.click('[data-example="training"]');
    expect(await page.inputValue('#source')).to.contain('for (let step = 0; step < steps; step++)');
    await page.click('[data-example="collatz"]');
    const original = await page.inputValue('#source');
    // Tab indents inside the editor; Escape, then Tab, leaves it.
    await page.focus('#source');
    await page.evaluate(() => document.querySelector<HTMLTextAreaElement>('#source')!.setSelectionRange(0, 0));
    await page.keyboard.press('Tab');
    expect(await page.inputValue('#source')).to.equal(`  ${original}`);
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal('source');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).to.not.equal('source');
    await page.click('#reset');
    expect(await page.inputValue('#source')).to.equal(original);
    // The cursor on the while line marks the converted lines that come from it.
    const at = original.indexOf('while');
    await page.focus('#source');
    await page.evaluate((position) => {
      const area = document.querySelector<HTMLTextAreaElement>('#source')!;
      area.setSelectionRange(position, position);
      area.dispatchEvent(new KeyboardEvent('keyup'));
    }, at);
    const linked = await page.$$eval('#converted .line.linked', (lines) => lines.map((line) => line.textContent));
    expect(linked.join('\n')).to.contain('ag__.notEqual(a, 1)');
    expect(linked.join('\n')).to.not.contain('counter = ');
    await page.screenshot({ path: join(artifacts, 'demo-linked-lines.png') });
    // A shared link opens the same code and arguments.
    const edited = original.replace('counter + 1', 'counter + 2');
    await page.fill('#source', edited);
    await page.fill('#inputs', "tf.scalar(6, 'int32')");
    await page.click('#share');
    const link = await page.inputValue('#share-link');
    expect(link).to.contain('#example=collatz&code=');
    const opened = await openPage(link.slice(url.length));
    await opened.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
    expect(await opened.inputValue('#source')).to.equal(edited);
    expect(await opened.inputValue('#inputs')).to.equal("tf.scalar(6, 'int32')");
    await opened.selectOption('#repeats', '0');
    expect(await runAndWait(opened)).to.equal('done');
    expect(await opened.textContent('#result')).to.equal('16');
    await opened.close();
    await page.close();
  });
});
