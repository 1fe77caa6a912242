// Insights with exports (JSON, CSV, TXT), and a printable report.
import { download, get } from '../api';
import { app, modelLabel } from '../app';
import { h, mount, notice } from '../dom';
import { money, pct, ratio } from '../format';
import type { ChannelSummary, ContributionRow, Insight } from '../types';
import { approximateIntervals, channelTable, evidenceNote } from './channels';
import { decompositionChart, loadModel, metric } from './overview';

/** Characters from which an insight's card takes two columns, so that it reads as a paragraph
 * rather than a narrow column. */
const LONG_INSIGHT = 400;

function insightCards(insights: Insight[]): HTMLElement {
  return h('ul', { class: 'insights' }, insights.map((i) =>
    h('li', { class: `insight ${i.kind}${i.message.length >= LONG_INSIGHT ? ' wide' : ''}` }, h('h3', null, i.title), h('p', null, i.message))));
}

export async function insightsPage(main: HTMLElement): Promise<void> {
  const { id } = await loadModel();
  const insights = await get<Insight[]>(`/mmm/insights?model_id=${id}`);
  const status = h('div', { 'aria-live': 'polite' });
  const exportButton = (format: string, label: string) => {
    const b = h('button', { type: 'button', 'data-format': format }, label);
    b.addEventListener('click', async () => {
      try {
        const name = await download(`/export/insights?model_id=${id}&format=${format}`, `mmm-insights.${format}`);
        mount(status, notice('success', `Downloaded ${name}.`));
      } catch (err) {
        mount(status, notice('error', (err as Error).message));
      }
    });
    return b;
  };
  mount(main, h('h1', null, 'Insights'),
    h('div', { class: 'toolbar', role: 'group', 'aria-label': 'Export' },
      exportButton('json', 'Export JSON'), exportButton('csv', 'Export CSV'), exportButton('txt', 'Export TXT'),
      h('a', { class: 'button', href: '#/report' }, 'Printable report')),
    status, insightCards(insights));
}

export async function reportPage(main: HTMLElement): Promise<void> {
  const { id, status } = await loadModel();
  const [channels, insights, rows] = await Promise.all([
    get<ChannelSummary[]>(`/mmm/channels/summary?model_id=${id}`),
    get<Insight[]>(`/mmm/insights?model_id=${id}`),
    get<ContributionRow[]>(`/mmm/contribution?model_id=${id}`),
  ]);
  const model = app.currentModel();
  const spend = channels.reduce((s, c) => s + c.spend, 0);
  const contribution = channels.reduce((s, c) => s + c.contribution, 0);
  mount(main, h('article', { class: 'report' },
    h('div', { class: 'toolbar no-print' }, h('button', { type: 'button', class: 'primary', onclick: () => window.print() }, 'Print'),
      h('a', { class: 'button', href: '#/insights' }, 'Back to insights')),
    h('h1', null, `Media mix report: ${status.kpi}`),
    h('p', { class: 'lede' }, `${status.start} to ${status.end}, ${status.periods} ${status.frequency} periods · ${model ? modelLabel(model) : ''} · ${status.engine}`),
    h('section', { class: 'metrics' },
      metric('Media spend', money(spend)), metric('Media contribution', money(contribution)),
      metric('Media ROI', ratio(contribution / spend)), metric('R²', ratio(status.fit.r2)), metric('MAPE', pct(status.fit.mape))),
    h('h2', null, 'Channels'), channelTable(channels, approximateIntervals(status)), evidenceNote(channels),
    h('h2', null, 'What to do'), insightCards(insights),
    h('h2', null, 'Where the KPI came from'), decompositionChart(rows, status.channels, 300, false)));
}
