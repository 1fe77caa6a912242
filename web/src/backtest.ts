// Backtesting a data set: MAP fits on growing windows, each scored on the periods after it, and
// each channel's ROI fold by fold.
import { ApiError, post } from './api';
import { chart } from './charts';
import { type Child, field, h, mount, notice } from './dom';
import { eventFields } from './events';
import { pct, ratio, signedPct } from './format';
import { problemsTable } from './pages/data';
import { metric } from './pages/overview';
import type { Backtest, Dataset } from './types';

/** The form and, once run, the results. */
export function backtestSection(datasets: Dataset[]): HTMLElement {
  const datasetSel = h('select', { required: true }, datasets.map((d) => h('option', { value: d.id }, `${d.name} (${d.rows} ${d.frequency})`)));
  const folds = h('input', { type: 'number', min: 1, max: 20, value: '4', inputmode: 'numeric' });
  const horizon = h('input', { type: 'number', min: 1, placeholder: 'a quarter', inputmode: 'numeric' });
  const seed = h('input', { type: 'number', min: 0, value: '1', inputmode: 'numeric' });
  const named = eventFields(() => datasets.find((d) => d.id === datasetSel.value));
  datasetSel.addEventListener('change', named.refresh);
  const run = h('button', { type: 'submit', disabled: datasets.length === 0 }, 'Run the backtest');
  const result = h('div', { 'aria-live': 'polite' });
  const form = h('form', {
    class: 'card',
    onsubmit: async (e: Event) => {
      e.preventDefault();
      run.disabled = true;
      mount(result, notice('info', 'Fitting each window…'));
      try {
        const body: Record<string, unknown> = {
          folds: Number(folds.value), horizon: horizon.value === '' ? undefined : Number(horizon.value), seed: Number(seed.value),
        };
        named.apply(body);
        const b = await post<Backtest>(`/datasets/${datasetSel.value}/backtest`, body);
        mount(result, ...report(b));
      } catch (err) {
        mount(result, err instanceof ApiError && err.details.length ? problemsTable(err) : notice('error', (err as Error).message));
      } finally {
        run.disabled = false;
      }
    },
  }, h('h2', { id: 'backtest-title' }, 'Backtest a data set'),
  h('p', null, 'Point fits on growing windows of the data, each scored on the periods after it: how well the model predicts what it has not seen, and how far each channel’s ROI moves from one window to the next. Nothing is stored.'),
  h('div', { class: 'grid3' }, field('Data set', datasetSel), field('Folds', folds, 'Fits, one per window.'), field('Periods per fold', horizon, 'Scored after each window; empty for a quarter (13 weeks, 3 months or 91 days).')),
  h('div', { class: 'grid3' }, field('Seed', seed), named.holidays, named.known),
  run, result);
  return form;
}

function report(b: Backtest): Child[] {
  const m = b.metrics;
  const labels = b.folds.map((_, i) => `fold ${i + 1}`);
  return [
    h('div', { class: 'metrics', id: 'backtest-metrics' },
      metric('Out-of-sample MAPE', pct(m.mape), `all ${b.folds.length * b.horizon} scored periods`),
      metric('Bias', signedPct(m.bias), m.bias >= 0 ? 'actual above predicted' : 'actual below predicted'),
      metric('Inside the 90% interval', pct(m.coverage, 0), '90% expected'),
      metric('R²', ratio(m.r2))),
    h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'backtest-folds' },
      h('caption', null, 'Each fold: its fit’s window and its accuracy on the periods after it'),
      h('thead', null, h('tr', null, ['Fold', 'Fitted periods', 'Scored', 'MAPE', 'Bias', 'Inside 90%', 'Drift'].map((c, i) =>
        h('th', { scope: 'col', class: i === 1 || (i >= 3 && i <= 5) ? 'num' : null }, c)))),
      h('tbody', null, b.folds.map((f, i) => h('tr', null,
        h('td', null, String(i + 1)), h('td', { class: 'num' }, String(f.fit_periods)), h('td', null, `${f.start} to ${f.end}`),
        h('td', { class: 'num' }, pct(f.metrics.mape)), h('td', { class: 'num' }, signedPct(f.metrics.bias)),
        h('td', { class: 'num' }, pct(f.metrics.coverage, 0)), h('td', null, f.drift.drifted ? 'drifted' : 'no')))))),
    chart('Each channel’s ROI in each fold’s fit', {
      tooltip: { trigger: 'axis', valueFormatter: (v: number) => ratio(v) },
      legend: { top: 0 },
      grid: { left: 50, right: 16, top: 40, bottom: 30 },
      xAxis: { type: 'category', data: labels },
      yAxis: { type: 'value', name: 'ROI', min: 0 },
      series: b.channels.map((c, i) => ({ name: c.name, type: 'line', data: b.folds.map((f) => f.channels[i].roi) })),
    }, 280).el,
    h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'backtest-stability' },
      h('caption', null, 'ROI stability: spread is (largest − smallest) / mean over the folds. A wide one means the window decides the ROI; a narrow one is no sign of accuracy, since a ROI the prior decides is steady in every window (trust a ROI by its data weight on the Channels page)'),
      h('thead', null, h('tr', null, ['Channel', 'Smallest', 'Largest', 'Mean', 'Spread'].map((c, i) => h('th', { scope: 'col', class: i > 0 ? 'num' : null }, c)))),
      h('tbody', null, b.channels.map((c) => h('tr', null, h('td', null, c.name),
        h('td', { class: 'num' }, ratio(c.min)), h('td', { class: 'num' }, ratio(c.max)), h('td', { class: 'num' }, ratio(c.mean)),
        h('td', { class: 'num' }, pct(c.spread, 0))))))),
  ];
}
