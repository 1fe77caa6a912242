// Channels: contribution bars and shares, and the sortable ROI / mROI table with intervals.
import { get } from '../api';
import { app, modelLabel } from '../app';
import { chart } from '../charts';
import { downloadButton } from '../downloads';
import { field, h, mount, notice, sortableTable } from '../dom';
import { compact, interval, money, pct, ratio, signedPct } from '../format';
import type { ChannelDetail, ChannelSummary, Fit, ParameterSummary, Status } from '../types';
import { loadModel } from './overview';

/** Below these ROI contractions the ROI mostly reflects the prior, or is uncertain
 * (mmm_core::insights::WEAK_EVIDENCE and FIRM_EVIDENCE). */
const WEAK_EVIDENCE = 0.5;
const FIRM_EVIDENCE = 0.75;
const evidenceLabel = (k: number): string | null => (k < WEAK_EVIDENCE ? ' mostly prior' : k < FIRM_EVIDENCE ? ' uncertain' : null);
/** An uncertain channel that the noise alone keeps below FIRM_EVIDENCE, whatever its spend
 * pattern (a lift test can still lift it above). */
const noiseLimited = (r: ChannelSummary): boolean =>
  r.roi_contraction !== undefined && r.roi_contraction < FIRM_EVIDENCE
  && r.roi_contraction_limit !== undefined && r.roi_contraction_limit < FIRM_EVIDENCE;

/** Whether the model's intervals are approximate (a MAP fit) rather than credible (a posterior). */
export const approximateIntervals = (status: Status): boolean => status.method === 'map' && status.origin === 'fit';

export function channelTable(rows: ChannelSummary[], approximate: boolean): HTMLElement {
  const withCi = rows.some((r) => r.roi_interval);
  const withEvidence = rows.some((r) => r.roi_contraction !== undefined);
  const ci = (i: [number, number] | undefined, f?: (v: number) => string) => (i ? h('small', null, ` ${interval(i, f)}`) : null);
  return sortableTable(rows, [
    { label: 'Channel', value: (r) => r.name, render: (r) => [r.name, r.on_media_units ? h('small', null, ' on media units') : null] },
    { label: 'Spend', value: (r) => r.spend, render: (r) => money(r.spend), numeric: true },
    { label: 'Contribution', value: (r) => r.contribution, render: (r) => [money(r.contribution), ci(r.contribution_interval, money)], numeric: true },
    { label: 'ROI', value: (r) => r.roi, render: (r) => [ratio(r.roi), ci(r.roi_interval)], numeric: true },
    ...(withEvidence ? [{
      label: 'Data weight', value: (r: ChannelSummary) => r.roi_contraction ?? -1, numeric: true,
      render: (r: ChannelSummary) => r.roi_contraction === undefined ? '–'
        : [pct(r.roi_contraction, 0), evidenceLabel(r.roi_contraction) ? h('small', null, evidenceLabel(r.roi_contraction)) : null,
          noiseLimited(r) ? h('small', { class: 'noise-limited' }, ', noise-limited') : null],
    }] : []),
    { label: 'mROI', value: (r) => r.mroi, render: (r) => [ratio(r.mroi), ci(r.mroi_interval)], numeric: true },
    { label: 'Share', value: (r) => r.share, render: (r) => pct(r.share), numeric: true },
    { label: 'Current spend / period', value: (r) => r.current_spend, render: (r) => money(r.current_spend), numeric: true },
    { label: 'Saturation point', value: (r) => r.saturation_point, render: (r) => money(r.saturation_point), numeric: true },
  ], !withCi ? 'Channels'
    : approximate ? 'Channels: MAP fit, ROI and mROI averaged over the curve shapes the data allow, with approximate 90% intervals' : 'Channels: posterior means with 90% credible intervals');
}

/** What the data-weight column means, shown under the table when it is there. */
export function evidenceNote(rows: ChannelSummary[]): HTMLElement | null {
  if (!rows.some((r) => r.roi_contraction !== undefined)) return null;
  const limited = rows.filter(noiseLimited).map((r) => r.name);
  return h('p', { class: 'lede' },
    `Data weight is how much the data narrowed the ROI prior (1 − posterior variance / prior variance). Below ${pct(FIRM_EVIDENCE, 0)} the ROI is uncertain, and below ${pct(WEAK_EVIDENCE, 0)} it mostly reflects the prior, which is centred on the typical channel ROI the data show. A lift test or an ROI prior from earlier studies (Models, calibration) would pin it down.`,
    limited.length ? ` Noise-limited (${limited.join(', ')}): the channel's effect is too faint beside the noise for the data to reach ${pct(FIRM_EVIDENCE, 0)} even with its curve known and its spend moving independently of everything else; only a lift test or a prior moves it.` : null);
}

export async function channelsPage(main: HTMLElement): Promise<void> {
  const { id, status } = await loadModel();
  const [rows, details] = await Promise.all([
    get<ChannelSummary[]>(`/mmm/channels/summary?model_id=${id}`),
    get<ChannelDetail[]>(`/mmm/channels?model_id=${id}`),
  ]);
  const names = rows.map((r) => r.name);
  const approximate = approximateIntervals(status);
  const credible = !approximate && rows.some((r) => r.roi_interval);
  mount(main,
    h('h1', null, 'Channels'),
    h('p', { class: 'lede' }, 'ROI is the contribution per unit of spend over the data; mROI is the return of the next unit at the current spend.'),
    h('div', { class: 'grid2' },
      chart('Contribution by channel', {
        tooltip: { trigger: 'axis', valueFormatter: (v: number) => money(v) },
        grid: { left: 60, right: 16, top: 16, bottom: 30 },
        xAxis: { type: 'category', data: names },
        yAxis: { type: 'value', axisLabel: { formatter: (v: number) => compact(v) } },
        series: [{ name: 'contribution', type: 'bar', data: rows.map((r) => r.contribution), colorBy: 'data' }],
      }).el,
      chart('Share of media contribution', {
        tooltip: { trigger: 'item', valueFormatter: (v: number) => money(v) },
        legend: { bottom: 0, type: 'scroll' },
        series: [{ name: 'share', type: 'pie', radius: ['35%', '70%'], data: rows.map((r) => ({ name: r.name, value: r.contribution })), label: { formatter: '{b}: {d}%' } }],
      }).el),
    chart(credible ? 'ROI and mROI by channel (posterior means; intervals in the table)' : 'ROI and mROI by channel', {
      tooltip: { trigger: 'axis', valueFormatter: (v: number) => ratio(v) },
      legend: { top: 0 },
      grid: { left: 50, right: 16, top: 40, bottom: 30 },
      xAxis: { type: 'category', data: names },
      yAxis: { type: 'value' },
      series: [
        { name: 'ROI', type: 'bar', data: rows.map((r) => r.roi) },
        { name: 'mROI', type: 'bar', data: rows.map((r) => r.mroi) },
      ],
    }, 280).el,
    channelTable(rows, approximate),
    evidenceNote(rows),
    downloadButton('Download the channel table (CSV)', `/export/channels?model_id=${id}&format=csv`, 'mmm-channels.csv'),
    parameterTable(details),
    comparison(id, rows));
}

/** Labels of the transform parameters, by their names in the model document. */
const PARAMETER_LABELS: Record<string, string> = {
  decay: 'Decay', adstock_shape: 'Carry-over shape', adstock_scale: 'Lag scale (periods)',
  alpha: 'Alpha', half_saturation: 'Half-saturation / period', shape: 'Curve shape', rate: 'Rate',
};

/** Each channel's carry-over and curve shape over the posterior draws: mean and 90% interval,
 * the half-saturation in spend per period. Nothing for a model without draws. */
function parameterTable(details: ChannelDetail[]): HTMLElement | null {
  const withDraws = details.filter((d) => d.posterior_parameters?.length);
  if (withDraws.length === 0) return null;
  const all = (withDraws[0].posterior_parameters ?? []).map((p) => p.name);
  const columns = all.map((name, i) => ({ name, i })).filter((c) => c.name !== 'coefficient');
  const label = (c: { name: string }) => PARAMETER_LABELS[c.name] ?? c.name;
  const cell = (d: ChannelDetail, { name, i }: { name: string; i: number }) => {
    const p: ParameterSummary | undefined = d.posterior_parameters?.[i];
    if (!p || p.name !== name) return '–';
    const f = name === 'half_saturation' ? (v: number) => money(v * d.scale) : ratio;
    return [f(p.mean), h('small', null, ` ${interval(p.interval, f)}`)];
  };
  return h('div', null,
    h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'channel-parameters' },
      h('caption', null, 'Carry-over and curve shape: posterior means with 90% intervals over the draws'),
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Channel'),
        columns.map((c) => h('th', { scope: 'col', class: 'num' }, label(c))))),
      h('tbody', null, withDraws.map((d) => h('tr', null, h('th', { scope: 'row' }, d.name),
        columns.map((c) => h('td', { class: 'num' }, cell(d, c)))))))),
    h('p', { class: 'lede' },
      `${all.includes('adstock_scale')
        ? 'The carry-over is a Weibull: a carry-over shape above 1 puts the effect’s peak after the spend, and the lag scale is about how many periods it lasts.'
        : 'Decay is the share of an effect that carries over into the next period.'} The half-saturation is the spend per period at which a channel gives half its largest effect; a shape above 1 makes the curve S-shaped (slow to start); at 1 or below it is steepest at the first unit of spend. A wide interval means the data leave the value open.`));
}

/** Both models' fit metrics, with the holdout's when either has one: a calibrated model should
 * fit about as well as the one it calibrates. */
function fitComparison(here: Fit | null, there: Fit | null): HTMLElement {
  const rows: [string, (f: Fit) => string | null][] = [
    ['R²', (f) => ratio(f.r2)],
    ['MAPE', (f) => pct(f.mape)],
    ['NRMSE', (f) => ratio(f.nrmse)],
  ];
  if (here?.holdout || there?.holdout) {
    rows.push(['Holdout R²', (f) => (f.holdout ? `${ratio(f.holdout.r2)} (${f.holdout.periods})` : null)],
      ['Holdout MAPE', (f) => (f.holdout ? pct(f.holdout.mape) : null)]);
  }
  const cell = (f: Fit | null, show: (f: Fit) => string | null) => h('td', { class: 'num' }, (f && show(f)) ?? '–');
  return h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'fit-comparison' },
    h('caption', null, 'Fit of both models'),
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Metric'), ['Here', 'There'].map((c) => h('th', { scope: 'col', class: 'num' }, c)))),
    h('tbody', null, rows.map(([name, show]) => h('tr', null, h('th', { scope: 'row' }, name), cell(here, show), cell(there, show))))));
}

/** Side by side with another model of the same data set, e.g. before and after calibrating it
 * with a lift test: each channel's ROI, its change and its data weight in both. */
function comparison(id: string, rows: ChannelSummary[]): HTMLElement | null {
  const here = app.fitted().find((m) => m.id === id);
  const others = app.fitted().filter((m) => m.id !== id && m.dataset_id === here?.dataset_id);
  if (!here || others.length === 0) return null;
  const out = h('div', { 'aria-live': 'polite' });
  const select = h('select', null, h('option', { value: '' }, 'choose a model'),
    others.map((m) => h('option', { value: m.id }, modelLabel(m)))) as HTMLSelectElement;
  select.addEventListener('change', async () => {
    if (!select.value) { mount(out); return; }
    try {
      const theirs = await get<ChannelSummary[]>(`/mmm/channels/summary?model_id=${select.value}`);
      const weight = (r?: ChannelSummary) => (r?.roi_contraction === undefined ? '–' : pct(r.roi_contraction, 0));
      const ci = (i?: [number, number]) => (i ? h('small', null, ` ${interval(i)}`) : null);
      mount(out, h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'model-comparison' },
        h('caption', null, `This model against ${modelLabel(others.find((m) => m.id === select.value)!)}`),
        h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Channel'),
          ['ROI here', 'ROI there', 'There against here', 'Data weight here', 'Data weight there'].map((c) => h('th', { scope: 'col', class: 'num' }, c)))),
        h('tbody', null, rows.map((r) => {
          const t = theirs.find((o) => o.name === r.name);
          return h('tr', null, h('th', { scope: 'row' }, r.name),
            h('td', { class: 'num' }, ratio(r.roi), ci(r.roi_interval)),
            h('td', { class: 'num' }, t ? [ratio(t.roi), ci(t.roi_interval)] : '–'),
            h('td', { class: 'num' }, t && r.roi > 0 ? signedPct(t.roi / r.roi - 1) : '–'),
            h('td', { class: 'num' }, weight(r)), h('td', { class: 'num' }, weight(t)));
        }))),
        fitComparison(here.metrics, others.find((m) => m.id === select.value)?.metrics ?? null)));
    } catch (err) {
      mount(out, notice('error', (err as Error).message));
    }
  });
  return h('section', { class: 'card', 'aria-labelledby': 'cmp-title' },
    h('h2', { id: 'cmp-title' }, 'Compare with another model of the same data'),
    h('p', { class: 'lede' }, 'For example before and after a lift test or an ROI prior: how each channel’s ROI and data weight moved.'),
    field('Other model', select), out);
}
