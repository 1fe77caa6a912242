// The lift-test editor of the training form: measured incremental KPI of a channel over some
// periods, which calibrates the fit (API `lift_tests`).
import { h, mount } from './dom';
import type { Dataset } from './types';

export interface LiftTest { channel: string; start: string; end: string; incremental: number; standard_error: number }

/** Channel name of a media column, as the loader derives it: the column without `_spend`. */
const channelOf = (column: string): string => (column.endsWith('_spend') ? column.slice(0, -'_spend'.length) : column);

export function liftTestEditor(dataset: () => Dataset | undefined): { el: HTMLElement; values: () => LiftTest[]; reset: () => void } {
  const rows = h('div', { class: 'lift-rows' });
  const read: (() => LiftTest)[] = [];
  // Visible column heads; each input also carries its own accessible name.
  const head = h('div', { class: 'lift-row lift-head', 'aria-hidden': 'true', hidden: true },
    ['Channel', 'First period', 'Last period', 'Incremental KPI', 'Standard error', ''].map((t) => h('span', null, t)));
  const showHead = (): void => { head.hidden = read.length === 0; };

  const addRow = (): void => {
    const d = dataset();
    if (!d) return;
    const n = read.length + 1;
    const step = d.frequency === 'daily' ? 1 : 7;
    const date = (which: string, value: string) => h('input', {
      type: 'date', required: true, min: d.start_date, max: d.end_date, step, value, 'aria-label': `Lift test ${n} ${which}`,
    });
    const channel = h('select', { required: true, 'aria-label': `Lift test ${n} channel` },
      d.roles.media.map((c) => h('option', { value: channelOf(c) }, channelOf(c))));
    const start = date('first period', d.start_date);
    const end = date('last period', d.start_date);
    const number = (which: string, min: number) => h('input', {
      type: 'number', required: true, min, step: 'any', inputmode: 'decimal', 'aria-label': `Lift test ${n} ${which}`,
    });
    const incremental = number('incremental KPI', -1e15);
    const se = number('standard error', 1e-9);
    const row = h('div', { class: 'lift-row' }, channel, start, end, incremental, se);
    const get = (): LiftTest => ({
      channel: channel.value, start: start.value, end: end.value,
      incremental: Number(incremental.value), standard_error: Number(se.value),
    });
    const remove = h('button', { type: 'button', class: 'small', 'aria-label': `Remove lift test ${n}` }, 'Remove');
    remove.addEventListener('click', () => {
      row.remove();
      read.splice(read.indexOf(get), 1);
      showHead();
    });
    row.append(remove);
    read.push(get);
    rows.append(row);
    showHead();
  };

  const add = h('button', { type: 'button', class: 'small' }, 'Add a lift test');
  add.addEventListener('click', addRow);
  const el = h('details', { class: 'lift-tests' },
    h('summary', null, 'Lift tests (optional)'),
    h('p', { class: 'lede' }, 'The measured incremental KPI of a channel over some periods (a geo or holdout experiment), with its standard error. The fit then holds the channel’s modelled contribution over those periods close to it.'),
    head, rows, add);
  return {
    el,
    values: () => read.map((f) => f()),
    reset: () => { read.length = 0; mount(rows); showHead(); },
  };
}
