// The benchmark page: the graph-mode rows of `npm run bench` in the browser, on webgpu and cpu.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { toGraph } from '../lib/index.js';
import { fusedPaths } from '../lib/kernels/register.js';
import { benchGraphMode, formatGraphTable, graphTable, type TableRow } from '../bench/graph_mode.js';
import { renderChart } from './bench_chart.js';

const $ = <T extends HTMLElement>(selector: string) => document.querySelector<T>(selector)!;

/** Small inputs and few runs: for a quick look, and for the browser suite. */
const QUICK = { repeats: 3, collatzValues: 1024, trainSteps: 10, mandelbrotSize: 64 };

/** What the page ran, for whoever drives it (the browser suite, `npm run bench`'s browser part). */
interface BenchOutcome {
  state: 'done' | 'error';
  lines: string[];
  rows: readonly TableRow[];
  error?: string;
}

declare global {
  interface Window {
    benchOutcome?: BenchOutcome;
  }
}

async function describeMachine(): Promise<string> {
  const cores = navigator.hardwareConcurrency;
  const browser = navigator.userAgent.match(/(Chrom(e|ium)|Firefox|Safari)\/[\d.]+/)?.[0] ?? navigator.userAgent;
  let gpu = 'no WebGPU';
  if ('gpu' in navigator) {
    const adapter = await (navigator as Navigator & { gpu: GPU }).gpu.requestAdapter();
    const info = adapter?.info;
    gpu = info ? [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'a GPU' : 'no adapter';
  }
  return `${cores} cores, ${browser}, WebGPU adapter: ${gpu}`;
}

function renderTable(rows: readonly TableRow[]): void {
  const holder = $('#bench-table');
  holder.replaceChildren();
  if (rows.length === 0) return;
  const table = document.createElement('table');
  const columns = Object.keys(rows[0]!) as (keyof TableRow)[];
  const head = table.createTHead().insertRow();
  for (const column of columns) head.appendChild(document.createElement('th')).textContent = column;
  const body = table.createTBody();
  for (const row of rows) {
    const line = body.insertRow();
    for (const column of columns) line.insertCell().textContent = row[column];
  }
  holder.appendChild(table);
}

async function run(backends: string[], quick: boolean, rows: string | undefined): Promise<void> {
  const progress = $('#bench-progress');
  const button = $<HTMLButtonElement>('#bench-run');
  const holder = $('#bench-table');
  const log = (line: string) => {
    progress.textContent += `${line}\n`;
  };
  button.disabled = true;
  holder.dataset.state = 'running';
  progress.textContent = '';
  const machine = await describeMachine();
  try {
    for (const backend of backends) {
      if (!(await tf.setBackend(backend).catch(() => false))) {
        log(`${backend}: not available in this browser, skipped`);
        continue;
      }
      await tf.ready();
      // tfjs's defaults, as users run it.
      await benchGraphMode(backend === 'webgpu' ? `webgpu (${machine.split('adapter: ')[1]})` : backend, {
        toGraph,
        fusedPaths,
        log,
        rows,
        ...(quick ? QUICK : {}),
      });
      renderTable(graphTable());
      renderChart($('#bench-chart'), graphTable());
    }
    const lines = formatGraphTable(`${machine}, in the browser`);
    window.benchOutcome = { state: 'done', lines, rows: graphTable() };
    holder.dataset.state = 'done';
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log(`failed: ${message}`);
    window.benchOutcome = { state: 'error', lines: [], rows: graphTable(), error: message };
    holder.dataset.state = 'error';
  } finally {
    button.disabled = false;
  }
}

async function main(): Promise<void> {
  $('#machine').textContent = await describeMachine();
  const params = new URLSearchParams(location.search);
  const backendSelect = $<HTMLSelectElement>('#bench-backends');
  const sizeSelect = $<HTMLSelectElement>('#bench-size');
  if (params.has('backends')) backendSelect.value = params.get('backends')!;
  if (params.get('size') === 'quick') sizeSelect.value = 'quick';
  // `?rows=` (a regular expression) measures only the rows whose names it matches.
  const rows = params.get('rows') ?? undefined;
  const start = () => run(backendSelect.value.split(','), sizeSelect.value === 'quick', rows);
  $('#bench-run').addEventListener('click', () => void start());
  document.body.dataset.ready = 'true';
  // `?run` starts at once: how `npm run bench` and the browser suite drive the page.
  if (params.has('run')) await start();
}

void main();
