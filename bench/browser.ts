// The benchmark page (demo/public/bench.html) in headless Chromium: the graph-mode rows on WebGPU in a browser.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDemo } from '../demo/build.js';
import { chromiumMissing, launchChromium } from '../demo/chromium.js';
import { serve } from '../demo/serve.js';

/** What the page leaves in `window.benchOutcome` when it ends. */
interface BenchOutcome {
  state: 'done' | 'error';
  lines: string[];
  error?: string;
}

/**
 * Builds the demo, opens its benchmark page in headless Chromium with `?run`, and prints the page's table.
 * `size` is 'full' (the sizes of `npm run bench` on SwiftShader) or 'quick'; `rows` picks rows by name.
 */
export async function benchInBrowser(backends: string, size: 'full' | 'quick', rows?: string): Promise<void> {
  const missing = chromiumMissing();
  if (missing !== undefined) {
    console.log(`Benchmark page in Chromium skipped: ${missing}.`);
    return;
  }
  const out = mkdtempSync(join(tmpdir(), 'autograph-bench-'));
  const { url, server } = await serve(await buildDemo(out), 0);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') console.log(`  page: ${message.text()}`);
    });
    console.log(`Benchmark page in headless Chromium (${backends}, ${size} sizes): ${url}bench.html`);
    const only = rows === undefined ? '' : `&rows=${encodeURIComponent(rows)}`;
    await page.goto(`${url}bench.html?run&backends=${backends}&size=${size}${only}`);
    // Progress lines as the page writes them.
    let shown = 0;
    for (;;) {
      const [progress, outcome] = await Promise.all([
        page.textContent('#bench-progress'),
        page.evaluate(() => (window as unknown as { benchOutcome?: BenchOutcome }).benchOutcome),
      ]);
      const lines = (progress ?? '').split('\n').filter(Boolean);
      for (const line of lines.slice(shown)) console.log(line);
      shown = lines.length;
      if (outcome) {
        if (outcome.state === 'error') throw new Error(`the benchmark page failed: ${outcome.error}`);
        console.log(['', ...outcome.lines].join('\n'));
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  } finally {
    await browser.close();
    server.close();
    rmSync(out, { recursive: true, force: true });
  }
}
