// Checking a model against new data: upload a CSV of later periods, see each period's actual
// against the model's 90% predictive interval, the accuracy and whether the data have drifted.
import { ApiError, api } from './api';
import { chart, intervalBand } from './charts';
import { type Child, field, h, mount, notice } from './dom';
import { compact, money, pct, ratio, signedPct } from './format';
import { problemsTable } from './pages/data';
import { metric } from './pages/overview';
import type { Score } from './types';

/** The form and, once scored, the results, for model `id`. */
export function scoreSection(id: string, kpi: string): HTMLElement {
  const file = h('input', { type: 'file', accept: '.csv,text/csv' });
  const dateColumn = h('input', { type: 'text', value: 'date', autocomplete: 'off' });
  const geoColumn = h('input', { type: 'text', value: '', autocomplete: 'off', placeholder: 'none' });
  const result = h('div', { 'aria-live': 'polite' });
  const form = h('form', {
    onsubmit: async (e: Event) => {
      e.preventDefault();
      const f = file.files?.[0];
      if (!f) { mount(result, notice('error', 'Choose a CSV file first.')); return; }
      const data = new FormData();
      data.append('file', f, f.name);
      data.append('date_column', dateColumn.value.trim() || 'date');
      if (geoColumn.value.trim()) data.append('geo_column', geoColumn.value.trim());
      mount(result, notice('info', 'Scoring…'));
      try {
        mount(result, ...scored(await api<Score>('POST', `/models/${id}/score`, data), kpi));
      } catch (err) {
        mount(result, err instanceof ApiError && err.details.length ? problemsTable(err) : notice('error', (err as Error).message));
      }
    },
  },
  h('div', { class: 'grid3' },
    field('New periods (CSV)', file, 'The model’s date, KPI, spend and control columns; leading rows with an empty KPI are media history, and the last rows may leave it empty to forecast a plan.'),
    field('Date column', dateColumn),
    field('Geo column', geoColumn, 'For a file of several geos, one row per geo and date: they are added up for each date, as on upload.')),
  h('button', { type: 'submit', class: 'primary' }, 'Score'));
  return h('section', { class: 'card', 'aria-labelledby': 'score-title' },
    h('h2', { id: 'score-title' }, 'Check the model against new data'),
    h('p', null, 'Upload the periods that arrived after the fit: each one’s actual is set against the model’s prediction and its 90% interval, and the model is said to have drifted when more periods fall outside than chance allows. Periods without a KPI yet are forecast from the spend and controls you plan. Nothing is stored.'),
    form, result);
}

function scored(s: Score, kpi: string): Child[] {
  const n = s.periods.length;
  const scoredCount = n - s.forecasts;
  const d = s.drift;
  const m = s.metrics;
  const forecastNote = s.forecasts > 0 ? ` The last ${s.forecasts} periods have no ${kpi} yet: they are forecasts of the spend and controls the file gives.` : '';
  const verdict = !d
    ? notice('info', `No period has a ${kpi} yet: all ${n} are forecasts of the spend and controls the file gives, with their 90% intervals.`)
    : d.drifted
      ? notice('error', `The data have drifted from the model: ${d.outside} of ${scoredCount} periods fall outside their 90% interval, where about ${d.expected_outside.toFixed(1)} would by chance (p = ${d.p_value.toExponential(1)}). Refit with the new periods.${forecastNote}`)
      : notice('success', `The data are consistent with the model: ${d.outside} of ${scoredCount} periods outside their 90% interval, about ${d.expected_outside.toFixed(1)} expected (p = ${ratio(d.p_value)}).${forecastNote}`);
  const dates = s.periods.map((p) => p.date);
  const outside = s.periods.filter((p) => p.actual !== null && (p.actual < p.interval[0] || p.actual > p.interval[1]));
  return [
    verdict,
    s.unknown_carry_over > 0 ? notice('info', `The spend of the ${s.unknown_carry_over} periods before ${dates[0]} is known to neither the file nor the model and counts as none in the carry-over; add them as media history rows (empty KPI) for the exact carry-over.`) : null,
    h('div', { class: 'metrics', id: 'score-metrics' },
      metric('Periods', String(n), `${s.out_of_sample} after the fitting window${s.forecasts > 0 ? `, ${s.forecasts} forecast` : ''}`),
      ...(m ? [
        metric('R²', ratio(m.r2)),
        metric('MAPE', pct(m.mape)),
        metric('Bias', signedPct(m.bias), m.bias >= 0 ? 'actual above predicted' : 'actual below predicted'),
        metric('Inside the 90% interval', pct(m.coverage, 0), '90% expected'),
      ] : [])),
    chart(`Actual ${kpi} against the model’s prediction and 90% interval`, {
      tooltip: { trigger: 'axis', valueFormatter: (v: number) => money(v) },
      legend: { top: 0, data: ['actual', 'predicted', '90% interval'] },
      grid: { left: 60, right: 16, top: 40, bottom: 30 },
      xAxis: { type: 'category', data: dates },
      yAxis: { type: 'value', scale: true, axisLabel: { formatter: (v: number) => compact(v) } },
      series: [
        ...intervalBand(s.periods.map((p) => p.interval[0]), s.periods.map((p) => p.interval[1])),
        { name: 'predicted', type: 'line', symbol: 'none', data: s.periods.map((p) => p.predicted), color: '#2f6fdf', lineStyle: { type: 'dashed' } },
        { name: 'actual', type: 'line', data: s.periods.map((p) => p.actual), color: '#1f2937',
          markPoint: { symbol: 'circle', symbolSize: 9, itemStyle: { color: '#d9534f' }, label: { show: false },
            data: outside.map((p) => ({ name: 'outside', coord: [p.date, p.actual] })) } },
      ],
    }).el,
  ];
}
