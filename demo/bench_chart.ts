// The benchmark page's chart: each row's factor (eager time over graph time) as a bar, one colour per backend.
import { BarController, BarElement, CategoryScale, Chart, Legend, LogarithmicScale, Tooltip } from 'chart.js';
import type { TableRow } from '../bench/graph_mode.js';

Chart.register(BarController, BarElement, CategoryScale, LogarithmicScale, Legend, Tooltip);

const COLOURS = ['#f26b1d', '#2f6fdf', '#2f9e6e', '#8a4fd8'];

let chart: Chart<'bar'> | undefined;

/** Draws (or redraws) the chart of `rows` in `holder`, with a caption that states each factor in words. */
export function renderChart(holder: HTMLElement, rows: readonly TableRow[]): void {
  if (rows.length === 0) return;
  holder.hidden = false;
  const canvas = holder.querySelector('canvas')!;
  const programs = [...new Set(rows.map((row) => row.program))];
  const backends = [...new Set(rows.map((row) => row.backend))];
  const factor = (row: TableRow | undefined) => (row ? Number.parseFloat(row['eager/graph']) : null);
  const datasets = backends.map((backend, k) => ({
    label: backend,
    data: programs.map((program) => factor(rows.find((row) => row.backend === backend && row.program === program))),
    backgroundColor: COLOURS[k % COLOURS.length],
  }));
  chart?.destroy();
  chart = new Chart(canvas, {
    type: 'bar',
    data: { labels: programs, datasets },
    options: {
      indexAxis: 'y',
      animation: false,
      maintainAspectRatio: false,
      scales: {
        x: {
          type: 'logarithmic',
          // 1, 2 and 5 of each decade: a log axis labels every tick, which crowd together towards 100.
          ticks: { callback: (value) => (/^[125]0*$|^0\.0*[125]$/.test(String(value)) ? `${value}x` : '') },
          title: { display: true, text: 'eager time / graph time (log scale; above 1, graph mode is faster)' },
        },
      },
    },
  });
  canvas.setAttribute(
    'aria-label',
    rows.map((row) => `${row.program} on ${row.backend}: ${row['eager/graph']}`).join('; '),
  );
  holder.querySelector('figcaption')!.textContent = `Eager time over graph time per row, ${rows.length} rows.`;
}
