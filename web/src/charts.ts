// ECharts, tree-shaken to the charts the dashboard draws. Charts are disposed when the page
// changes and follow their container's size.
import * as echarts from 'echarts/core';
import { BarChart, LineChart, PieChart } from 'echarts/charts';
import {
  AriaComponent,
  DataZoomComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  MarkPointComponent,
  TitleComponent,
  TooltipComponent,
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { h } from './dom';

echarts.use([
  BarChart, LineChart, PieChart, AriaComponent, DataZoomComponent, GridComponent, LegendComponent,
  MarkLineComponent, MarkPointComponent, TitleComponent, TooltipComponent, CanvasRenderer,
]);

export type Option = echarts.EChartsCoreOption;

export const PALETTE = ['#2f6fdf', '#e8833a', '#3aa56b', '#c94f7c', '#8a63d2', '#1aa3b8', '#b59b1c', '#6b7a8f', '#d9534f', '#5cb85c'];

/** The two stacked line series that shade a 90% interval from `lower` to `upper` per category. */
export function intervalBand(lower: number[], upper: number[]): object[] {
  return [
    { name: '5%', type: 'line', symbol: 'none', stack: 'band', lineStyle: { opacity: 0 }, data: lower, tooltip: { show: false } },
    { name: '90% interval', type: 'line', symbol: 'none', stack: 'band', lineStyle: { opacity: 0 }, color: '#9db8ec', areaStyle: { color: PALETTE[0], opacity: 0.18 }, data: upper.map((u, i) => u - lower[i]), tooltip: { show: false } },
  ];
}

const live: { chart: echarts.ECharts; observer: ResizeObserver }[] = [];

/** Disposes every chart of the previous page. */
export function disposeCharts(): void {
  for (const { chart, observer } of live.splice(0)) {
    observer.disconnect();
    chart.dispose();
  }
}

/** A chart in a figure with an accessible label; `option` may be replaced later via the result. */
export function chart(label: string, option: Option, height = 320): { el: HTMLElement; chart: echarts.ECharts } {
  const box = h('div', { class: 'chart', role: 'img', 'aria-label': label, style: `height:${height}px` });
  const el = h('figure', { class: 'chart-figure' }, box, h('figcaption', null, label));
  const instance = echarts.init(box, null, { renderer: 'canvas' });
  instance.setOption({ color: PALETTE, aria: { enabled: true }, animation: false, ...option });
  const observer = new ResizeObserver(() => instance.resize());
  observer.observe(box);
  live.push({ chart: instance, observer });
  return { el, chart: instance };
}
