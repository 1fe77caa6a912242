// Response curves: hover values, the current spend and the saturation point, and the 90% band:
// credible for Bayesian fits and imported models, approximate for MAP fits (over the curve shapes the data allow).
import { get } from '../api';
import { PALETTE, chart } from '../charts';
import { downloadButton } from '../downloads';
import { h, mount } from '../dom';
import { compact, money, ratio } from '../format';
import type { Curve, Status } from '../types';
import { approximateIntervals } from './channels';
import { loadModel } from './overview';

function curveOption(curves: Curve[], single: boolean) {
  const banded = single && curves[0].points.some((p) => p.interval);
  const series: Record<string, unknown>[] = [];
  curves.forEach((c, i) => {
    const color = PALETTE[i % PALETTE.length];
    if (banded) {
      series.push({ name: '5%', type: 'line', symbol: 'none', stack: 'band', lineStyle: { opacity: 0 }, data: c.points.map((p) => [p.spend, p.interval?.[0] ?? p.response]), tooltip: { show: false } });
      series.push({ name: '90% interval', type: 'line', symbol: 'none', stack: 'band', lineStyle: { opacity: 0 }, areaStyle: { color, opacity: 0.18 }, data: c.points.map((p) => [p.spend, (p.interval?.[1] ?? p.response) - (p.interval?.[0] ?? p.response)]), tooltip: { show: false } });
    }
    series.push({
      name: c.channel, type: 'line', symbol: 'none', color, data: c.points.map((p) => [p.spend, p.response, p.mroi]),
      markLine: single ? {
        symbol: 'none', label: { formatter: '{b}', position: 'insideEndTop' },
        data: [{ name: `current ${money(c.current_spend)}`, xAxis: c.current_spend, lineStyle: { color: '#1f2937' } },
          { name: `90% saturation ${money(c.saturation_point)}`, xAxis: c.saturation_point, lineStyle: { color: '#d9534f', type: 'dashed' } }],
      } : undefined,
      markPoint: single ? undefined : { symbol: 'circle', symbolSize: 9, label: { show: false }, data: [{ name: `${c.channel} now`, coord: [c.current_spend, c.current_response] }] },
    });
  });
  return {
    tooltip: {
      trigger: 'axis',
      formatter: (items: { seriesName: string; value: number[]; marker: string }[]) => {
        const shown = items.filter((i) => i.seriesName !== '5%' && i.seriesName !== '90% interval');
        if (!shown.length) return '';
        const spend = shown[0].value[0];
        return [`spend per period ${money(spend)}`, ...shown.map((i) => `${i.marker}${i.seriesName}: response ${money(i.value[1])}, mROI ${ratio(i.value[2])}`)].join('<br>');
      },
    },
    legend: { top: 0, type: 'scroll', data: curves.map((c) => c.channel) },
    grid: { left: 60, right: 24, top: 40, bottom: 40 },
    xAxis: { type: 'value', name: 'spend per period', nameLocation: 'middle', nameGap: 26, axisLabel: { formatter: (v: number) => compact(v) } },
    yAxis: { type: 'value', name: 'incremental KPI per period', axisLabel: { formatter: (v: number) => compact(v) } },
    series,
  };
}

export async function curvesPage(main: HTMLElement, params: URLSearchParams): Promise<void> {
  const { id, status } = await loadModel();
  const curves = await get<Curve[]>(`/mmm/response-curves?model_id=${id}`);
  const selected = params.get('channel');
  const shown = selected ? curves.filter((c) => c.channel === selected) : curves;
  const single = shown.length === 1;
  const tabs = h('div', { class: 'tabs', role: 'group', 'aria-label': 'Channel' },
    h('a', { class: `button small${selected ? '' : ' active'}`, href: '#/curves', 'aria-current': selected ? null : 'true' }, 'All channels'),
    curves.map((c) => h('a', { class: `button small${selected === c.channel ? ' active' : ''}`, href: `#/curves?channel=${encodeURIComponent(c.channel)}`, 'aria-current': selected === c.channel ? 'true' : null }, c.channel)));
  const c = shown[0];
  mount(main,
    h('h1', null, 'Response curves'),
    h('p', { class: 'lede' }, 'Long-run incremental KPI per period at a constant spend per period. Hover for values; pick a channel for its current spend, saturation point and 90% band.'),
    tabs,
    chart(single ? `Response curve of ${c.channel}` : 'Response curves of every channel (dots: current spend)', curveOption(shown, single), 420).el,
    single ? h('p', null, `${c.channel}: current spend ${money(c.current_spend)} per period gives ${money(c.current_response)}; ${saturationNote(c, status)}.`) : null,
    single ? bandNote(c, approximateIntervals(status)) : null,
    downloadButton('Download every curve (CSV)', `/export/curves?model_id=${id}&format=csv`, 'mmm-curves.csv'));
}

/** The band at `spend`, linear between the two curve points around it. */
function bandAt(c: Curve, spend: number): [number, number] | undefined {
  const i = c.points.findIndex((p) => p.spend >= spend);
  if (i < 0) return undefined;
  const b = c.points[i];
  const a = c.points[Math.max(i - 1, 0)];
  if (!a.interval || !b.interval) return undefined;
  const w = b.spend > a.spend ? (spend - a.spend) / (b.spend - a.spend) : 0;
  return [a.interval[0] + w * (b.interval[0] - a.interval[0]), a.interval[1] + w * (b.interval[1] - a.interval[1])];
}

/** Where the channel saturates: with posterior draws, the median of each curve's own 90% point. */
function saturationNote(c: Curve, status: Status): string {
  return status.posterior_draws > 0
    ? `half the curves the model finds likely reach 90% of their maximum effect by ${money(c.saturation_point)}`
    : `90% of the maximum effect is reached at ${money(c.saturation_point)}`;
}

/** What the shaded band is, and where it puts the response at the current spend. */
function bandNote(c: Curve, approximate: boolean): HTMLElement | null {
  const band = bandAt(c, c.current_spend);
  if (!band) return null;
  const kind = approximate ? 'an approximate 90% interval (over the curve shapes the data allow around the MAP fit; Bayesian training gives exact credible bands)' : 'the 90% credible interval over the posterior draws';
  return h('p', { class: 'lede' }, `The shaded band is ${kind}. At the current spend the response lies between ${money(band[0])} and ${money(band[1])} per period.`);
}
