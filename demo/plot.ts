// The demo's plots of a training run: the loss it printed, step by step, and its fitted curve against the data.
import {
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  ScatterController,
  Tooltip,
} from 'chart.js';

Chart.register(
  LineController,
  ScatterController,
  LineElement,
  PointElement,
  LinearScale,
  LogarithmicScale,
  Legend,
  Tooltip,
);

const charts: Chart[] = [];

/** The points of printed lines such as `step 20 loss 0.0123`. */
export function lossCurve(printed: readonly string[]): { x: number; y: number }[] {
  return printed.flatMap((line) => {
    const match = /^step (\d+) loss (\S+)$/.exec(line);
    return match ? [{ x: Number(match[1]), y: Number(match[2]) }] : [];
  });
}

/** A column of values ([[v], [v], ...] or [v, v, ...]) as numbers. */
const column = (value: unknown): number[] | undefined =>
  Array.isArray(value) ? value.map((v) => Number(Array.isArray(v) ? v[0] : v)) : undefined;

/**
 * Plots a run in `holder` when it has something to plot: the printed losses, and a result with `xs`, `ys`
 * and `fitted`. Hides `holder` otherwise. Each canvas's label says in words what it shows.
 */
export function renderPlots(holder: HTMLElement, printed: readonly string[], value: unknown): void {
  charts.splice(0).forEach((chart) => chart.destroy());
  const losses = lossCurve(printed);
  const result = (value ?? {}) as { xs?: unknown; ys?: unknown; fitted?: unknown };
  const [xs, ys, fitted] = [column(result.xs), column(result.ys), column(result.fitted)];
  const hasFit = xs !== undefined && ys !== undefined && fitted !== undefined;
  holder.hidden = losses.length < 2 && !hasFit;
  if (holder.hidden) return;
  const [lossCanvas, fitCanvas] = Array.from(holder.querySelectorAll('canvas'));
  const options = { animation: false as const, maintainAspectRatio: false };
  if (losses.length >= 2) {
    charts.push(
      new Chart(lossCanvas!, {
        type: 'line',
        data: { datasets: [{ label: 'loss, as printed', data: losses, borderColor: '#f26b1d', pointRadius: 2 }] },
        options: {
          ...options,
          scales: { x: { type: 'linear', title: { display: true, text: 'step' } }, y: { type: 'logarithmic' } },
        },
      }),
    );
    lossCanvas!.setAttribute(
      'aria-label',
      `loss over ${losses.length} printed steps, ${losses[0]!.y} to ${losses.at(-1)!.y}`,
    );
  }
  if (hasFit) {
    const points = (values: number[]) => values.map((y, k) => ({ x: xs[k]!, y }));
    charts.push(
      new Chart(fitCanvas!, {
        type: 'scatter',
        data: {
          datasets: [
            { label: 'data', data: points(ys), backgroundColor: '#2f6fdf', pointRadius: 3 },
            { label: 'fitted', data: points(fitted), borderColor: '#f26b1d', showLine: true, pointRadius: 0 },
          ],
        },
        options: { ...options, scales: { x: { type: 'linear', title: { display: true, text: 'x' } } } },
      }),
    );
    fitCanvas!.setAttribute('aria-label', `fitted curve and data, ${xs.length} points`);
  }
}
