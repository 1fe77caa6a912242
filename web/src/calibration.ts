// The calibration part of the training form: lift tests (measured incremental KPI of a channel
// over some periods) and channel ROI priors from earlier studies (API `lift_tests` and
// `priors.channel_roi`).
import { h, mount } from './dom';
import type { Dataset } from './types';

export interface LiftTest { channel: string; start: string; end: string; incremental: number; standard_error: number }
export interface RoiPrior { median: number; relative_sd: number }

/** Spread of a channel ROI prior whose spread field is left empty. */
const DEFAULT_RELATIVE_SD = 0.3;

const numberInput = (label: string, attrs: Record<string, string | number | boolean> = {}): HTMLInputElement =>
  h('input', { type: 'number', step: 'any', inputmode: 'decimal', 'aria-label': label, ...attrs }) as HTMLInputElement;

export interface CalibrationEditor {
  el: HTMLElement;
  liftTests: () => LiftTest[];
  roiPriors: () => Record<string, RoiPrior>;
  /** Starts afresh for the data set now selected (its channels and periods). */
  reset: () => void;
}

export function calibrationEditor(dataset: () => Dataset | undefined): CalibrationEditor {
  const liftRows = h('div', { class: 'lift-rows' });
  const readLifts: (() => LiftTest)[] = [];
  // Visible column heads; each input also carries its own accessible name.
  const liftHead = h('div', { class: 'lift-row lift-head', 'aria-hidden': 'true', hidden: true },
    ['Channel', 'First period', 'Last period', 'Incremental KPI', 'Standard error', ''].map((t) => h('span', null, t)));
  const showHead = (): void => { liftHead.hidden = readLifts.length === 0; };

  const addLift = (): void => {
    const d = dataset();
    if (!d) return;
    const n = readLifts.length + 1;
    // A date input steps in days; any day of a month names that month.
    const step = d.frequency === 'daily' ? 1 : d.frequency === 'weekly' ? 7 : undefined;
    const date = (which: string) => h('input', {
      type: 'date', required: true, min: d.start_date, max: d.end_date, step, value: d.start_date, 'aria-label': `Lift test ${n} ${which}`,
    }) as HTMLInputElement;
    const channel = h('select', { required: true, 'aria-label': `Lift test ${n} channel` },
      d.roles.channels.map((c) => h('option', { value: c }, c)));
    const start = date('first period');
    const end = date('last period');
    const incremental = numberInput(`Lift test ${n} incremental KPI`, { required: true });
    const se = numberInput(`Lift test ${n} standard error`, { required: true, min: 1e-9 });
    const row = h('div', { class: 'lift-row' }, channel, start, end, incremental, se);
    const read = (): LiftTest => ({
      channel: channel.value, start: start.value, end: end.value,
      incremental: Number(incremental.value), standard_error: Number(se.value),
    });
    const remove = h('button', { type: 'button', class: 'small', 'aria-label': `Remove lift test ${n}` }, 'Remove');
    remove.addEventListener('click', () => {
      row.remove();
      readLifts.splice(readLifts.indexOf(read), 1);
      showHead();
    });
    row.append(remove);
    readLifts.push(read);
    liftRows.append(row);
    showHead();
  };
  const add = h('button', { type: 'button', class: 'small' }, 'Add a lift test');
  add.addEventListener('click', addLift);

  // One row per channel; a row with a median is a prior, an empty one is not.
  const priorTable = h('div', { class: 'prior-rows' });
  let readPriors: (() => [string, RoiPrior] | null)[] = [];
  const fillPriors = (): void => {
    const d = dataset();
    const names = d ? d.roles.channels : [];
    readPriors = [];
    mount(priorTable, names.length ? h('div', { class: 'prior-row lift-head', 'aria-hidden': 'true' },
      ['Channel', 'ROI median', 'Relative spread'].map((t) => h('span', null, t))) : null,
    names.map((name) => {
      const median = numberInput(`ROI prior median for ${name}`, { min: 1e-9 });
      const spread = numberInput(`ROI prior relative spread for ${name}`, { min: 1e-9, placeholder: String(DEFAULT_RELATIVE_SD) });
      readPriors.push(() => (median.value === '' ? null
        : [name, { median: Number(median.value), relative_sd: spread.value === '' ? DEFAULT_RELATIVE_SD : Number(spread.value) }]));
      return h('div', { class: 'prior-row' }, h('span', null, name), median, spread);
    }));
  };
  fillPriors();

  const el = h('details', { class: 'calibration' },
    h('summary', null, 'Calibration: lift tests and ROI priors (optional)'),
    h('h3', null, 'Lift tests'),
    h('p', { class: 'lede' }, 'The measured incremental KPI of a channel over some periods (a geo or holdout experiment), with its standard error. The fit then holds the channel’s modelled contribution over those periods close to it.'),
    liftHead, liftRows, add,
    h('h3', null, 'Channel ROI priors'),
    h('p', { class: 'lede' }, `An ROI a channel is expected to have, from earlier studies, and how sure that is (relative spread: 0.3 means ±30%, the default). Channels left empty keep the default prior, centred on the typical channel ROI the data show.`),
    priorTable);
  return {
    el,
    liftTests: () => readLifts.map((f) => f()),
    roiPriors: () => Object.fromEntries(readPriors.map((f) => f()).filter((p): p is [string, RoiPrior] => p !== null)),
    reset: () => { readLifts.length = 0; mount(liftRows); showHead(); fillPriors(); },
  };
}
