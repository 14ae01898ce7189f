// The demo page: pick or edit an example, read the converted code beside it, and run it (in a worker) on WebGPU.
import { parse } from 'acorn';
import { toCode, toGraph } from '../lib/index.js';
import { EXAMPLES } from './catalog.js';
import { highlight } from './highlight.js';
import { renderPlots } from './plot.js';
import { convertedLinesBySource } from './source_lines.js';
import { compileSource, describeError, type RunReport, type Timing } from './runner.js';
import type { FromWorker, ToWorker } from './worker.js';
import sources from 'virtual:example-sources';

type Example = (typeof EXAMPLES)[number];

const $ = <T extends HTMLElement>(selector: string) => document.querySelector<T>(selector)!;

const state: {
  example: Example;
  fn: (...args: unknown[]) => unknown;
  /** Why the editor's code cannot run (a syntax error, with its line and column), or undefined. */
  blocked?: string;
  /** For each line of the editor's code, the lines of the converted code that come from it. */
  linked?: Map<number, Set<number>>;
  backends: string[];
} = {
  example: EXAMPLES[0]!,
  fn: EXAMPLES[0]!.fn as (...args: unknown[]) => unknown,
  backends: ['webgpu', 'webgl', 'cpu'],
};

/** The worker that runs user code, and what the page waits for from it. */
const runs: {
  worker?: Worker;
  ready?: Promise<string>;
  /** The run under way: its start, its Stop timer, and what settles it. */
  current?: { started: number; ticker: number; settle: (report: RunReport | undefined) => void };
} = {};

/** Starts a worker (again, after Stop ended one) with the backends this page can use. */
function startWorker(): Promise<string> {
  const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  runs.worker = worker;
  runs.ready = new Promise<string>((resolve) => {
    worker.onmessage = (event: MessageEvent<FromWorker>) => {
      const message = event.data;
      if (message.type === 'ready') resolve(message.backend);
      else if (message.type === 'print') appendPrinted(message.line);
      else if (message.type === 'progress') showProgress(message.done, message.total);
      else runs.current?.settle(message.report);
    };
  });
  post({ type: 'init', backends: state.backends });
  return runs.ready;
}

const post = (message: ToWorker) => runs.worker!.postMessage(message);

/** WebGPU where the browser gives an adapter; else tfjs's WebGL, else its CPU backend. */
async function chooseBackend(): Promise<void> {
  const badge = $('#backend');
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  const adapter = gpu ? await gpu.requestAdapter().catch(() => null) : null;
  state.backends = adapter ? ['webgpu', 'webgl', 'cpu'] : ['webgl', 'cpu'];
  const backend = await startWorker();
  badge.textContent = backend;
  badge.className = backend === 'webgpu' ? 'badge ok' : 'badge warn';
  if (backend === 'webgpu') return;
  const notice = $('#notice');
  notice.textContent = gpu
    ? `WebGPU is present but no adapter could be had, so examples run on the ${backend} backend.`
    : `This browser has no WebGPU (navigator.gpu is missing), so examples run on the ${backend} backend.`;
  notice.hidden = false;
}

/** An example's function as announcement.js writes it (the bundle renames some). */
const sourceOf = (example: Example): string => sources[example.name] ?? example.fn.toString();

function renderExampleList(): void {
  const list = $('#examples');
  list.innerHTML = '';
  for (const example of EXAMPLES) {
    const button = document.createElement('button');
    button.className = 'example' + (example === state.example ? ' active' : '');
    button.dataset.example = example.id;
    button.innerHTML = `<strong>${example.title}</strong><span>${example.blurb}</span>`;
    button.addEventListener('click', () => selectExample(example));
    list.appendChild(button);
  }
}

function setEditor(source: string): void {
  const editor = $<HTMLTextAreaElement>('#source');
  editor.value = source;
  renderSource();
}

/** Where the editor's code fails to parse, as 'line L, column C: message', or undefined when it parses. */
function syntaxErrorOf(source: string): string | undefined {
  try {
    // As compileSource reads it: one function expression.
    parse(`(${source}\n)`, { ecmaVersion: 'latest' });
    return undefined;
  } catch (error) {
    const { loc, message } = error as { loc?: { line: number; column: number }; message: string };
    if (!loc) return message;
    // The wrapping parenthesis shifts the first line by one column.
    const column = loc.line === 1 ? loc.column : loc.column + 1;
    return `line ${loc.line}, column ${column}: ${message.replace(/ \(\d+:\d+\)$/, '')}`;
  }
}

function renderSource(): void {
  const source = $<HTMLTextAreaElement>('#source').value;
  $('#source-highlight').innerHTML = highlight(source) + '\n';
  const converted = $('#converted');
  const run = $<HTMLButtonElement>('#run');
  state.blocked = syntaxErrorOf(source);
  run.disabled = state.blocked !== undefined || runs.current !== undefined;
  run.title = state.blocked ? 'Fix the syntax error first' : '';
  if (state.blocked) {
    converted.textContent = `SyntaxError at ${state.blocked}`;
    converted.classList.add('failed');
    return;
  }
  try {
    state.fn = compileSource(source);
    // toGraph also binds the free names, so a missing one shows here, before anything runs.
    toGraph(state.fn, { scope: state.example.scope });
    const { code, map } = toCode(state.fn, { sourceMap: true });
    state.linked = convertedLinesBySource(map);
    // One element per line, so that the lines that come from the cursor's line can be marked.
    converted.innerHTML = highlight(code)
      .split('\n')
      .map((html, k) => `<span class="line" data-line="${k + 1}">${html}</span>`)
      .join('\n');
    converted.classList.remove('failed');
    markLinkedLines();
  } catch (error) {
    converted.textContent = describeError(error).message;
    converted.classList.add('failed');
  }
}

/** Marks the converted lines that come from the line the editor's cursor is on (from toCode's source map). */
function markLinkedLines(): void {
  const area = $<HTMLTextAreaElement>('#source');
  const line = area.value.slice(0, area.selectionStart).split('\n').length;
  const linked = state.linked?.get(line) ?? new Set<number>();
  const focused = document.activeElement === area;
  for (const element of Array.from(document.querySelectorAll<HTMLElement>('#converted .line'))) {
    element.classList.toggle('linked', focused && linked.has(Number(element.dataset.line)));
  }
}

/** Tab indents inside the editor; Escape, then Tab, moves the focus on as usual. */
function keepTab(area: HTMLTextAreaElement): void {
  let leaving = false;
  area.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      leaving = true;
      return;
    }
    const plainTab = event.key === 'Tab' && !event.ctrlKey && !event.metaKey && !event.altKey;
    if (!plainTab || leaving) {
      leaving = false;
      return;
    }
    event.preventDefault();
    const start = area.value.lastIndexOf('\n', area.selectionStart - 1) + 1;
    if (event.shiftKey) {
      // Outdent: up to two spaces at the start of the line.
      const spaces = /^ {1,2}/.exec(area.value.slice(start))?.[0].length ?? 0;
      if (spaces > 0) area.setRangeText('', start, start + spaces, 'end');
    } else area.setRangeText('  ', area.selectionStart, area.selectionEnd, 'end');
    area.dispatchEvent(new Event('input'));
  });
}

/** A link to this page with the example, the editor's code and the arguments, in the URL's fragment. */
function shareLink(): string {
  const params = new URLSearchParams({
    example: state.example.id,
    code: $<HTMLTextAreaElement>('#source').value,
    args: $<HTMLInputElement>('#inputs').value,
  });
  return `${location.origin}${location.pathname}#${params}`;
}

function share(): void {
  const link = shareLink();
  history.replaceState(null, '', link);
  const field = $<HTMLInputElement>('#share-link');
  field.value = link;
  field.hidden = false;
  field.select();
  // Where the page may write the clipboard; the field shows the link either way.
  void navigator.clipboard?.writeText(link).catch(() => undefined);
}

/** The example, code and arguments of a shared link, if the page was opened with one. */
function openShared(): boolean {
  const params = new URLSearchParams(location.hash.slice(1));
  const example = EXAMPLES.find((candidate) => candidate.id === params.get('example'));
  if (!example) return false;
  selectExample(example);
  const code = params.get('code');
  if (code !== null) setEditor(code);
  const args = params.get('args');
  if (args !== null) $<HTMLInputElement>('#inputs').value = args;
  return true;
}

function selectExample(example: Example): void {
  state.example = example;
  renderExampleList();
  $('#blurb').textContent = example.blurb;
  setEditor(sourceOf(example));
  const presets = $('#presets');
  presets.innerHTML = '';
  for (const input of example.inputs) {
    const button = document.createElement('button');
    button.className = 'preset';
    button.textContent = input;
    button.addEventListener('click', () => {
      $<HTMLInputElement>('#inputs').value = input;
    });
    presets.appendChild(button);
  }
  $<HTMLInputElement>('#inputs').value = example.inputs[0]!;
  clearResults();
}

function clearResults(): void {
  for (const id of ['#result', '#kind', '#printed', '#timings', '#error', '#elapsed']) $(id).textContent = '';
  renderPlots($('#plots'), [], undefined);
  $('#error').hidden = true;
  $('#loop-progress').hidden = true;
  $('#progress-text').textContent = '';
  $('#results').dataset.state = 'idle';
}

/** The run's outermost counted loop: a bar, and 'iteration 12 of 60'. */
function showProgress(done: number, total: number): void {
  $('#loop-progress').hidden = false;
  const bar = $<HTMLProgressElement>('#progress-bar');
  bar.max = Math.max(total, 1);
  bar.value = done;
  $('#progress-text').textContent = `${done} of ${total} loop iteration${total === 1 ? '' : 's'}`;
}

function appendPrinted(line: string): void {
  const printed = $('#printed');
  printed.textContent += `${printed.textContent ? '\n' : ''}${line}`;
}

/** Milliseconds as the page shows them. */
const ms = (value: number) => `${value.toFixed(value < 10 ? 2 : 1)} ms`;

function timingText(timing: Timing): string {
  const spread = timing.runs > 1 ? `, ${ms(timing.min)} to ${ms(timing.max)}` : '';
  return `${ms(timing.median)} median of ${timing.runs} run${timing.runs === 1 ? '' : 's'}${spread}`;
}

/** 'converted takes 0.12× the time', where both sides were measured and the ratio means something. */
function ratioText(converted: Timing | undefined, other: Timing | undefined): string {
  if (!converted || !other || !(other.median > 0) || !Number.isFinite(converted.median / other.median)) return '';
  return ` · converted takes ${(converted.median / other.median).toFixed(2)}×`;
}

function renderTimings(report: RunReport, edited: boolean, repeats: number): void {
  const { converted, eager, plain } = report.timings;
  if (repeats === 0) {
    $('#timings').innerHTML = '<tr><td>not timed (Timing runs: none)</td></tr>';
    return;
  }
  const eagerText = eager
    ? timingText(eager) + ratioText(converted, eager)
    : edited
      ? 'none: this is edited code, which has no hand-written eager version'
      : 'not measured: it takes tensor arguments';
  const plainText = plain ? timingText(plain) + ratioText(converted, plain) : 'not measured: it takes numbers only';
  const rows: [string, string][] = [
    ['converted (toGraph)', converted ? timingText(converted) : '—'],
    ["the example's hand-written eager TF.js", eagerText],
    ['plain JavaScript on numbers', plainText],
  ];
  const table = $('#timings');
  table.replaceChildren();
  for (const [label, text] of rows) {
    const row = (table as HTMLTableElement).insertRow();
    row.insertCell().textContent = label;
    row.insertCell().textContent = text;
  }
}

function renderReport(report: RunReport, edited: boolean, repeats: number): void {
  const results = $('#results');
  $('#used-backend').textContent = report.backend;
  if (report.error) {
    // A new error clears the old result.
    $('#result').textContent = '';
    $('#kind').textContent = '';
    const error = $('#error');
    const where = report.error.line !== undefined ? ` (line ${report.error.line})` : '';
    const stopped = report.error.name === 'AbortError';
    error.textContent = stopped ? 'Stopped.' : `${report.error.name}${where}: ${report.error.message}`;
    error.hidden = false;
    results.dataset.state = stopped ? 'stopped' : 'error';
  } else {
    // A new result clears the old error.
    $('#error').hidden = true;
    $('#error').textContent = '';
    // Fractions to 7 significant digits (a float32 holds about that many), so that arrays stay readable.
    const text = JSON.stringify(report.value, (_, v: unknown) =>
      typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(7)) : v,
    );
    $('#result').textContent = text;
    $('#result').classList.toggle('long', text.length > 24);
    $('#kind').textContent = report.kind ?? '';
    results.dataset.state = 'done';
  }
  if (report.printed.length === 0) $('#printed').textContent = '(nothing printed)';
  renderPlots($('#plots'), report.printed, report.error ? undefined : report.value);
  $('#graph-summary').textContent = report.graph?.summary ?? '';
  $('#graph').textContent = report.graph?.text ?? '';
  renderTimings(report, edited, repeats);
}

/** Whether the editor holds other code than the example's own. */
const isEdited = () => $<HTMLTextAreaElement>('#source').value !== sourceOf(state.example);

async function run(): Promise<void> {
  if (state.blocked || runs.current) return;
  const button = $<HTMLButtonElement>('#run');
  const stop = $<HTMLButtonElement>('#stop');
  await runs.ready;
  clearResults();
  button.disabled = true;
  stop.disabled = false;
  $('#results').dataset.state = 'running';
  const edited = isEdited();
  const repeats = Number($<HTMLSelectElement>('#repeats').value);
  const started = performance.now();
  const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
  const report = await new Promise<RunReport | undefined>((settle) => {
    const tick = () => ($('#elapsed').textContent = `running for ${elapsed()}`);
    tick();
    const ticker = window.setInterval(tick, 100);
    runs.current = { started, ticker, settle };
    post({
      type: 'run',
      example: state.example.id,
      source: $<HTMLTextAreaElement>('#source').value,
      edited,
      inputs: $<HTMLInputElement>('#inputs').value,
      repeats,
    });
  });
  window.clearInterval(runs.current!.ticker);
  runs.current = undefined;
  stop.disabled = true;
  button.disabled = state.blocked !== undefined;
  if (report) {
    renderReport(report, edited, repeats);
    $('#elapsed').textContent = `took ${elapsed()}`;
  } else {
    // The worker did not stop within a second: it was ended, and a new one is starting.
    $('#error').textContent =
      `Stopped after ${elapsed()}: the run did not stop within a second, so its worker was ended.`;
    $('#error').hidden = false;
    $('#results').dataset.state = 'stopped';
    $('#elapsed').textContent = '';
  }
}

/** Stop: aborts the run through its AbortSignal, or ends the worker if the run has not stopped a second later. */
function stopRun(): void {
  const current = runs.current;
  if (!current) return;
  post({ type: 'stop' });
  $<HTMLButtonElement>('#stop').disabled = true;
  window.setTimeout(() => {
    if (runs.current !== current) return;
    runs.worker!.terminate();
    void startWorker();
    current.settle(undefined);
  }, 1000);
}

async function main(): Promise<void> {
  await chooseBackend();
  renderExampleList();
  if (!openShared()) selectExample(state.example);
  let timer: number | undefined;
  $<HTMLTextAreaElement>('#source').addEventListener('input', () => {
    $('#source-highlight').innerHTML = highlight($<HTMLTextAreaElement>('#source').value) + '\n';
    window.clearTimeout(timer);
    timer = window.setTimeout(renderSource, 250);
  });
  $<HTMLTextAreaElement>('#source').addEventListener('scroll', (event) => {
    const area = event.target as HTMLTextAreaElement;
    $('#source-highlight').scrollTop = area.scrollTop;
    $('#source-highlight').scrollLeft = area.scrollLeft;
  });
  $('#run').addEventListener('click', () => void run());
  $('#stop').addEventListener('click', stopRun);
  $('#reset').addEventListener('click', () => setEditor(sourceOf(state.example)));
  $('#share').addEventListener('click', share);
  const area = $<HTMLTextAreaElement>('#source');
  keepTab(area);
  for (const event of ['keyup', 'click', 'focus', 'blur']) area.addEventListener(event, markLinkedLines);
  document.addEventListener('selectionchange', markLinkedLines);
  document.body.dataset.ready = 'true';
}

void main();
