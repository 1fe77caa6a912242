// Channels: contribution bars and shares, and the sortable ROI / mROI table with intervals.
import { get } from '../api';
import { chart } from '../charts';
import { h, mount, sortableTable } from '../dom';
import { compact, interval, money, pct, ratio } from '../format';
import type { ChannelSummary } from '../types';
import { loadModel } from './overview';

export function channelTable(rows: ChannelSummary[]): HTMLElement {
  const withCi = rows.some((r) => r.roi_interval);
  return sortableTable(rows, [
    { label: 'Channel', value: (r) => r.name },
    { label: 'Spend', value: (r) => r.spend, render: (r) => money(r.spend), numeric: true },
    { label: 'Contribution', value: (r) => r.contribution, render: (r) => [money(r.contribution), withCi ? h('small', null, ` ${interval(r.contribution_interval, money)}`) : null], numeric: true },
    { label: 'ROI', value: (r) => r.roi, render: (r) => [ratio(r.roi), withCi ? h('small', null, ` ${interval(r.roi_interval)}`) : null], numeric: true },
    { label: 'mROI', value: (r) => r.mroi, render: (r) => [ratio(r.mroi), withCi ? h('small', null, ` ${interval(r.mroi_interval)}`) : null], numeric: true },
    { label: 'Share', value: (r) => r.share, render: (r) => pct(r.share), numeric: true },
    { label: 'Current spend / period', value: (r) => r.current_spend, render: (r) => money(r.current_spend), numeric: true },
    { label: 'Saturation point', value: (r) => r.saturation_point, render: (r) => money(r.saturation_point), numeric: true },
  ], withCi ? 'Channels: posterior means with 90% credible intervals' : 'Channels');
}

export async function channelsPage(main: HTMLElement): Promise<void> {
  const { id } = await loadModel();
  const rows = await get<ChannelSummary[]>(`/mmm/channels/summary?model_id=${id}`);
  const names = rows.map((r) => r.name);
  const withCi = rows.some((r) => r.roi_interval);
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
    chart(withCi ? 'ROI and mROI by channel (posterior means; intervals in the table)' : 'ROI and mROI by channel', {
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
    channelTable(rows));
}
