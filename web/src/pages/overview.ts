// Model overview: fit metrics, actual vs predicted, the stacked decomposition, diagnostics.
import { get } from '../api';
import { app } from '../app';
import { chart } from '../charts';
import { downloadButton } from '../downloads';
import { h, mount, notice } from '../dom';
import { compact, money, pct, periodName, ratio } from '../format';
import { scoreSection } from '../score';
import type { ContributionRow, Diagnostics, Status } from '../types';

export function metric(label: string, value: string, hint?: string): HTMLElement {
  return h('div', { class: 'metric' }, h('span', { class: 'label' }, label), h('strong', null, value), hint ? h('small', null, hint) : null);
}

export async function loadModel(): Promise<{ id: string; status: Status }> {
  const model = app.currentModel();
  if (!model) throw new Error('no fitted model');
  return { id: model.id, status: await get<Status>(`/mmm/status?model_id=${model.id}`) };
}

export function decompositionChart(rows: ContributionRow[], channels: string[], height = 360, zoom = true): HTMLElement {
  const dates = rows.map((r) => r.date);
  return chart('Decomposition: baseline and each channel’s contribution per period', {
    tooltip: { trigger: 'axis', valueFormatter: (v: number) => money(v) },
    legend: { type: 'scroll', top: 0 },
    grid: { left: 60, right: 16, top: 40, bottom: zoom ? 60 : 30 },
    xAxis: { type: 'category', data: dates },
    yAxis: { type: 'value', axisLabel: { formatter: (v: number) => compact(v) } },
    dataZoom: zoom ? [{ type: 'inside' }, { type: 'slider', height: 18, bottom: 8 }] : [],
    series: [
      { name: 'baseline', type: 'line', stack: 'kpi', areaStyle: {}, symbol: 'none', lineStyle: { width: 0 }, color: '#c5ccd6', data: rows.map((r) => r.baseline) },
      ...channels.map((c) => ({ name: c, type: 'line', stack: 'kpi', areaStyle: {}, symbol: 'none', lineStyle: { width: 0 }, data: rows.map((r) => r.channels[c] ?? 0) })),
    ],
  }, height).el;
}

export async function overviewPage(main: HTMLElement): Promise<void> {
  const { id, status } = await loadModel();
  // Only sampled models (Bayesian fits and imports) have diagnostics; the whole document, draws
  // included, is a few hundred kilobytes, so a MAP model's is not fetched for nothing.
  const [rows, full] = await Promise.all([
    get<ContributionRow[]>(`/mmm/contribution?model_id=${id}`),
    status.method === 'bayes' ? get<{ document?: { diagnostics?: Diagnostics } }>(`/models/${id}`) : Promise.resolve({ document: undefined }),
  ]);
  const fit = status.fit;
  const diagnostics = full.document?.diagnostics;
  const origin = status.origin === 'meridian' ? `Imported: ${status.engine}` : status.engine;
  mount(main,
    h('h1', null, 'Model overview'),
    h('p', { class: 'lede' }, `${status.kpi} · ${status.frequency} · ${status.start} to ${status.end} (${status.periods} periods) · `,
      `${status.method === 'bayes' ? 'Bayesian' : 'MAP'} · ${origin}`,
      status.trend_knots.length ? ` · trend bends at ${status.trend_knots.length} knots` : '',
      status.yearly_harmonics > 2 ? ` · season with ${status.yearly_harmonics} harmonics` : '',
      status.recurring_events.length ? ` · yearly events: ${status.recurring_events.map((e) => `${status.frequency === 'weekly' && !e.days ? 'week of ' : ''}${e.label} (${e.effect < 0 ? '−' : '+'}${compact(Math.abs(e.effect))}${e.days && status.frequency === 'weekly' ? ' a week' : ''}${e.named ? ', named' : ''})`).join(', ')}` : '',
      status.late_peaks.length ? ` · carry-over peaks later: ${status.late_peaks.map((p) => `${p.channel} (${p.lag} ${periodName(status.frequency)}${p.lag === 1 ? '' : 's'})`).join(', ')}` : '',
      status.noise_autocorrelation !== null ? ` · noise autocorrelated ${status.noise_autocorrelation.toFixed(2)}` : '',
      status.noise_autocorrelated_share !== null ? ` in ${pct(status.noise_autocorrelated_share, 0)} of it` : ''),
    status.notes.length ? h('details', { class: 'card import-notes' },
      h('summary', null, 'How these figures relate to the imported model’s own'),
      h('ul', null, status.notes.map((n) => h('li', null, n)))) : null,
    h('section', { class: 'metrics', 'aria-label': 'Fit metrics' },
      metric('R²', ratio(fit.r2), 'share of the KPI’s variation explained'),
      metric('MAPE', pct(fit.mape), 'mean absolute % error'),
      metric('NRMSE', ratio(fit.nrmse), 'RMSE / range of the KPI'),
      metric('Residual sd', money(fit.sigma)),
      fit.holdout ? metric(`Holdout R² (${fit.holdout.periods})`, ratio(fit.holdout.r2), `MAPE ${pct(fit.holdout.mape)}`) : null,
      metric('Channels', String(status.channels.length))),
    diagnostics ? h('section', { class: 'card', 'aria-labelledby': 'diag' },
      h('h2', { id: 'diag' }, 'Sampling diagnostics'),
      h('div', { class: 'metrics' },
        metric('R-hat (max)', diagnostics.rhat_max.toFixed(3), 'want ≤ 1.01'),
        metric('Bulk ESS (min)', money(diagnostics.ess_bulk_min)),
        metric('Divergences', String(diagnostics.divergences), 'want 0'),
        metric('Chains × draws', `${diagnostics.chains} × ${diagnostics.draws}`)),
      diagnostics.warnings.map((w) => notice('info', w))) : null,
    chart('Actual and predicted KPI per period', {
      tooltip: { trigger: 'axis', valueFormatter: (v: number) => money(v) },
      legend: { top: 0 },
      grid: { left: 60, right: 16, top: 40, bottom: 60 },
      xAxis: { type: 'category', data: rows.map((r) => r.date) },
      yAxis: { type: 'value', scale: true, axisLabel: { formatter: (v: number) => compact(v) } },
      dataZoom: [{ type: 'inside' }, { type: 'slider', height: 18, bottom: 8 }],
      series: [
        { name: 'actual', type: 'line', symbol: 'none', data: rows.map((r) => r.actual), color: '#1f2937' },
        { name: 'predicted', type: 'line', symbol: 'none', data: rows.map((r) => r.fitted), color: '#2f6fdf', lineStyle: { type: 'dashed' } },
      ],
    }).el,
    decompositionChart(rows, status.channels),
    downloadButton('Download the decomposition (CSV)', `/export/contribution?model_id=${id}&format=csv`, 'mmm-contribution.csv'),
    scoreSection(id, status.kpi));
}
