// The demo page: pick or edit an example, read the converted code beside it, and run it on WebGPU.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { toCode, toGraph } from '../lib/index.js';
import { EXAMPLES } from './catalog.js';
import { highlight } from './highlight.js';
import { compileSource, describeError, runExample, type RunReport } from './runner.js';

type Example = (typeof EXAMPLES)[number];

const $ = <T extends HTMLElement>(selector: string) => document.querySelector<T>(selector)!;

const state: { example: Example; fn: (...args: unknown[]) => unknown; backendNote: string } = {
  example: EXAMPLES[0]!,
  fn: EXAMPLES[0]!.fn as (...args: unknown[]) => unknown,
  backendNote: '',
};

async function chooseBackend(): Promise<void> {
  const badge = $('#backend');
  const hasWebGPU = 'gpu' in navigator;
  if (hasWebGPU && (await tf.setBackend('webgpu').catch(() => false))) {
    await tf.ready();
    badge.textContent = 'webgpu';
    badge.className = 'badge ok';
    return;
  }
  for (const fallback of ['webgl', 'cpu']) {
    if (await tf.setBackend(fallback).catch(() => false)) break;
  }
  await tf.ready();
  badge.textContent = tf.getBackend();
  badge.className = 'badge warn';
  state.backendNote = hasWebGPU
    ? `WebGPU is present but no adapter could be had, so examples run on the ${tf.getBackend()} backend.`
    : `This browser has no WebGPU (navigator.gpu is missing), so examples run on the ${tf.getBackend()} backend.`;
  const notice = $('#notice');
  notice.textContent = state.backendNote;
  notice.hidden = false;
}

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

function renderSource(): void {
  const source = $<HTMLTextAreaElement>('#source').value;
  $('#source-highlight').innerHTML = highlight(source) + '\n';
  const converted = $('#converted');
  try {
    state.fn = compileSource(source);
    // toGraph also binds the free names, so a missing one shows here, before anything runs.
    toGraph(state.fn, { scope: state.example.scope });
    converted.innerHTML = highlight(toCode(state.fn));
    converted.classList.remove('failed');
  } catch (error) {
    converted.textContent = describeError(error).message;
    converted.classList.add('failed');
  }
}

function selectExample(example: Example): void {
  state.example = example;
  renderExampleList();
  $('#blurb').textContent = example.blurb;
  setEditor(example.fn.toString());
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
  for (const id of ['#result', '#kind', '#printed', '#timings', '#error']) $(id).textContent = '';
  $('#error').hidden = true;
  $('#results').dataset.state = 'idle';
}

const ms = (value: number | undefined) => (value === undefined ? '—' : `${value.toFixed(value < 10 ? 2 : 1)} ms`);

function renderReport(report: RunReport): void {
  const results = $('#results');
  $('#used-backend').textContent = report.backend;
  if (report.error) {
    const error = $('#error');
    const where = report.error.line !== undefined ? ` (line ${report.error.line})` : '';
    error.textContent = `${report.error.name}${where}: ${report.error.message}`;
    error.hidden = false;
    results.dataset.state = 'error';
  } else {
    $('#result').textContent = JSON.stringify(report.value);
    $('#kind').textContent = report.kind ?? '';
    results.dataset.state = 'done';
  }
  $('#printed').textContent = report.printed.length ? report.printed.join('\n') : '(nothing printed)';
  $('#graph-summary').textContent = report.graph?.summary ?? '';
  $('#graph').textContent = report.graph?.text ?? '';
  const { converted, eager, plain } = report.timings;
  const rows: [string, number | undefined][] = [
    ['converted (toGraph)', converted],
    ['hand-written eager TF.js', eager],
    ['plain JavaScript on numbers', plain],
  ];
  $('#timings').innerHTML = rows
    .map(([label, value]) => {
      const ratio =
        value !== undefined && converted !== undefined && label !== rows[0]![0]
          ? ` · converted takes ${(converted / value).toFixed(2)}×`
          : '';
      return `<tr><td>${label}</td><td>${ms(value)}${ratio}</td></tr>`;
    })
    .join('');
}

async function run(): Promise<void> {
  const button = $<HTMLButtonElement>('#run');
  button.disabled = true;
  $('#results').dataset.state = 'running';
  try {
    const report = await runExample({
      fn: state.fn,
      scope: state.example.scope,
      inputs: $<HTMLInputElement>('#inputs').value,
      eager: state.example.eager as (...args: unknown[]) => Promise<unknown>,
      plainOnNumbers: state.example.plainOnNumbers,
      repeats: Number($<HTMLSelectElement>('#repeats').value),
    });
    renderReport(report);
  } finally {
    button.disabled = false;
  }
}

async function main(): Promise<void> {
  tf.env().set('PROD', true);
  await chooseBackend();
  renderExampleList();
  selectExample(state.example);
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
  document.body.dataset.ready = 'true';
}

void main();
