// Models: train (point or Bayesian) with live progress over the WebSocket and cancel, backtest a
// data set, import a Google Meridian model, list, open and delete.
import { ApiError, api, del, get, jobSocket, post } from '../api';
import { app, modelLabel } from '../app';
import { deleteButton, field, h, mount, notice, renameForm } from '../dom';
import { pct, ratio } from '../format';
import { backtestSection } from '../backtest';
import { calibrationEditor } from '../calibration';
import { eventFields } from '../events';
import type { Dataset, Job, JobEvent, Model } from '../types';

interface TrainOut { model_id: string; job_id: string; status: string }

export async function modelsPage(main: HTMLElement, params: URLSearchParams): Promise<void> {
  const datasets = await get<Dataset[]>('/datasets');
  const list = h('section', { 'aria-labelledby': 'models-list' });
  const progressArea = h('div', { 'aria-live': 'polite' });

  const datasetSel = h('select', { required: true }, datasets.map((d) =>
    h('option', { value: d.id, selected: d.id === params.get('dataset') }, `${d.name} (${d.rows} ${d.frequency})`)));
  const method = h('select', null, h('option', { value: 'map' }, 'Point estimate (MAP, well under a second)'),
    h('option', { value: 'bayes' }, 'Bayesian (NUTS, credible intervals, a few seconds)'));
  const modelName = h('input', { type: 'text', maxlength: 200, placeholder: 'Q3 refresh, with the radio lift test', autocomplete: 'off' });
  const holdout = h('input', { type: 'number', min: 0, max: 52, value: '0', inputmode: 'numeric' });
  const seed = h('input', { type: 'number', min: 0, value: '1', inputmode: 'numeric' });
  const trend = h('select', null, h('option', { value: '' }, 'Bends where the data ask (4 knots)'),
    h('option', { value: '0' }, 'Straight'));
  const season = h('select', null, h('option', { value: '' }, 'Up to 6 harmonics where the data ask'),
    h('option', { value: '2' }, 'Smooth (2 harmonics)'));
  const noise = h('select', null, h('option', { value: '' }, 'Carries over where the data ask'),
    h('option', { value: 'independent' }, 'Independent from period to period'));
  const carryOver = h('select', null, h('option', { value: '' }, 'May peak later where the data ask'),
    h('option', { value: 'geometric' }, 'Largest in the period of the spend'));
  const events = h('select', null, h('option', { value: '' }, 'Found where the data ask'),
    h('option', { value: 'none' }, 'Left to the residuals'));
  const chains = h('input', { type: 'number', min: 1, max: 8, value: '4' });
  const draws = h('input', { type: 'number', min: 100, max: 5000, step: 100, value: '1000' });
  // Chains and draws share the noise's row, shown for the Bayesian fit only.
  const bayesFields = [field('Chains', chains), field('Draws per chain', draws)];
  const showBayes = (): void => bayesFields.forEach((f) => { f.hidden = method.value !== 'bayes'; });
  method.addEventListener('change', showBayes);
  showBayes();
  const chosenDataset = (): Dataset | undefined => datasets.find((d) => d.id === datasetSel.value);
  const named = eventFields(chosenDataset);
  const calibration = calibrationEditor(chosenDataset);
  // Lift tests and priors name the data set's channels and periods: another data set starts
  // them afresh.
  datasetSel.addEventListener('change', calibration.reset);
  // A data set's channels with media units may each be fitted on the spend instead, to compare
  // the fits on the Channels page.
  const unitsBox = h('fieldset');
  const renderUnits = (): void => {
    const d = datasets.find((x) => x.id === datasetSel.value);
    const pairs = d ? d.roles.media.flatMap((m, i) => (d.roles.units[i] ? [[m, d.roles.channels[i], d.roles.units[i]!]] : [])) : [];
    unitsBox.hidden = pairs.length === 0;
    mount(unitsBox, h('legend', null, 'Media units'),
      h('p', null, h('small', null, 'Each channel is fitted on the media units it was uploaded with. Fit it on its spend instead to compare the two fits on the Channels page.')),
      h('div', { class: 'grid3' }, pairs.map(([m, channel, units]) => field(`${channel} fitted on`,
        h('select', { 'data-units-for': m }, h('option', { value: units }, `${units} (media units)`), h('option', { value: '' }, 'its spend'))))));
  };
  datasetSel.addEventListener('change', renderUnits);
  datasetSel.addEventListener('change', named.refresh);
  renderUnits();
  /** The pairs to send when some channel is asked onto its spend; none when all keep their units. */
  const mediaUnits = (): Record<string, string> | undefined => {
    const selects = Array.from(unitsBox.querySelectorAll<HTMLSelectElement>('select[data-units-for]'));
    if (selects.every((x) => x.value !== '')) return undefined;
    return Object.fromEntries(selects.filter((x) => x.value !== '').map((x) => [x.dataset.unitsFor!, x.value]));
  };
  const start = h('button', { type: 'submit', class: 'primary', disabled: datasets.length === 0 }, 'Start training');

  function follow(job: Job | { id: string; model_id: string }): void {
    const bar = h('progress', { max: 1, value: 0, 'aria-label': 'Training progress' });
    const label = h('span', { class: 'progress-text' }, 'queued');
    const cancel = h('button', { type: 'button', class: 'danger' }, 'Cancel');
    const box = h('div', { class: 'card progress', 'data-job': job.id }, h('h2', null, 'Training'), bar, label, cancel);
    mount(progressArea, box);
    const socket = new WebSocket(jobSocket(job.id));
    cancel.addEventListener('click', async () => {
      cancel.disabled = true;
      try { await post(`/jobs/${job.id}/cancel`); } catch (e) { box.append(notice('error', (e as Error).message)); }
    });
    socket.addEventListener('message', async (msg) => {
      const ev = JSON.parse(String(msg.data)) as JobEvent;
      bar.value = ev.progress;
      label.textContent = `${ev.state}: ${Math.round(100 * ev.progress)}% · ${ev.message}`;
      if (['succeeded', 'failed', 'cancelled'].includes(ev.state)) {
        cancel.remove();
        socket.close();
        if (ev.state === 'succeeded') {
          app.choose(job.model_id);
          box.append(notice('success', 'The model is fitted.'), h('a', { class: 'button primary', href: '#/overview' }, 'Open the overview'));
        } else {
          box.append(notice(ev.state === 'failed' ? 'error' : 'info', ev.state === 'failed' ? `Training failed: ${ev.error ?? ev.message}` : 'Training was cancelled.'));
        }
        await refresh();
      }
    });
    socket.addEventListener('error', () => label.append(' (live progress unavailable; refresh to see the result)'));
  }

  const trainForm = h('form', {
    class: 'card',
    onsubmit: async (e: Event) => {
      e.preventDefault();
      start.disabled = true;
      const body: Record<string, unknown> = {
        dataset_id: datasetSel.value, holdout: Number(holdout.value) || 0, seed: Number(seed.value) || 1, method: method.value,
      };
      if (modelName.value.trim() !== '') body.name = modelName.value.trim();
      if (trend.value !== '') body.trend_knots = Number(trend.value);
      if (season.value !== '') body.max_yearly_harmonics = Number(season.value);
      if (noise.value === 'independent') body.autocorrelated_noise = false;
      if (carryOver.value === 'geometric') body.delayed_adstock = false;
      if (events.value === 'none') body.recurring_events = false;
      named.apply(body);
      const pairs = mediaUnits();
      if (pairs) body.media_units = pairs;
      if (method.value === 'bayes') Object.assign(body, { chains: Number(chains.value), draws: Number(draws.value), tune: Number(draws.value) });
      const liftTests = calibration.liftTests();
      if (liftTests.length) body.lift_tests = liftTests;
      const channelRoi = calibration.roiPriors();
      if (Object.keys(channelRoi).length) body.priors = { channel_roi: channelRoi };
      try {
        const out = await post<TrainOut>('/models', body);
        modelName.value = '';
        follow({ id: out.job_id, model_id: out.model_id });
        await refresh();
      } catch (err) {
        const text = err instanceof ApiError && err.details.length
          ? `${err.message}: ${err.details.map((p) => `${p.column ?? ''} ${p.reason}`).join('; ')}`
          : (err as Error).message;
        mount(progressArea, notice('error', text));
      } finally {
        start.disabled = false;
      }
    },
  }, h('h2', null, 'Train a model'),
  datasets.length === 0 ? notice('info', 'Upload a data set first.') : null,
  h('div', { class: 'grid3' }, field('Data set', datasetSel), field('Method', method), field('Holdout periods', holdout, 'Kept out of the fit and scored.')),
  h('div', { class: 'grid3' }, field('Name', modelName, 'Optional: shown with the model wherever it is listed; it can be changed later.')),
  h('div', { class: 'grid3' }, field('Seed', seed), field('Trend', trend, 'It bends only where the data are more likely with a bent trend than a straight one.'),
    field('Season', season, 'A holiday peak needs more harmonics; they are added only where the data are more likely with them.')),
  h('div', { class: 'grid3' }, field('Noise', noise, 'Noise that lingers from one period to the next is weighed as such only where the data are more likely with it.'),
    field('Carry-over', carryOver, 'An effect that builds up over the weeks after the spend (Weibull adstock) is used only where the data are more likely with it.'),
    field('Yearly events', events, 'In weekly or daily data, a week (or day) the fit misses the same way every year (Black Friday, Christmas, Easter, Orthodox Easter, Lunar New Year, the Eids, the Mid-Autumn and Dragon Boat Festivals, Diwali, Holi, a yearly sale the file does not mark) gets a term of its own where the data are more likely with it. Left to the residuals, the fit stops looking for them itself; holidays asked and events you know of are still fitted.')),
  h('div', { class: 'grid3' }, named.holidays, named.known),
  h('div', { class: 'grid3' }, bayesFields),
  unitsBox, calibration.el, start);

  const importInput = h('input', { type: 'file', accept: '.binpb,.pkl' });
  const importStatus = h('div', { 'aria-live': 'polite' });
  const importForm = h('form', {
    class: 'card',
    onsubmit: async (e: Event) => {
      e.preventDefault();
      const f = importInput.files?.[0];
      if (!f) { mount(importStatus, notice('error', 'Choose a .binpb file first.')); return; }
      const data = new FormData();
      data.append('file', f, f.name);
      mount(importStatus, notice('info', 'Importing…'));
      try {
        const m = await api<Model>('POST', '/models/import', data);
        app.choose(m.id);
        mount(importStatus, notice('success', `Imported ${m.origin}.`), h('a', { class: 'button primary', href: '#/overview' }, 'Open the overview'));
        await refresh();
      } catch (err) {
        mount(importStatus, notice('error', (err as Error).message));
      }
    },
  }, h('h2', null, 'Import a Google Meridian model'),
  h('p', null, 'A model saved with Meridian’s save_meridian (.binpb). Legacy .pkl files must be converted first (scripts/meridian-pkl-to-binpb.py).'),
  field('Model file', importInput), h('button', { type: 'submit' }, 'Import'), importStatus);

  async function refresh(): Promise<void> {
    const models = await app.refreshModels();
    const names = new Map(datasets.map((d) => [d.id, d.name]));
    mount(list, h('h2', { id: 'models-list' }, 'Your models'),
      models.length === 0 ? h('p', null, 'None yet.') : h('div', { class: 'table-wrap' }, h('table', { class: 'data' },
        h('caption', { class: 'sr-only' }, 'Models'),
        h('thead', null, h('tr', null, ['Model', 'Data set', 'Origin', 'Status', 'R²', 'MAPE', ''].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', null, models.map((m) => {
          const remove = deleteButton(modelLabel(m), 'Confirm delete', async () => {
            await del(`/models/${m.id}`);
            await refresh();
          });
          const open = h('button', { type: 'button', class: 'small', disabled: m.status !== 'succeeded' }, 'Open');
          open.addEventListener('click', () => { app.choose(m.id); location.hash = '#/overview'; });
          const label = h('td', null, modelLabel(m));
          const rename = h('button', { type: 'button', class: 'small', 'aria-label': `Rename ${modelLabel(m)}` }, 'Rename');
          // Left empty, the name is taken away.
          rename.addEventListener('click', () => mount(label, renameForm(m.name ?? '', 'Model name', async (name) => {
            await api<Model>('PATCH', `/models/${m.id}`, { name: name === '' ? null : name });
          }, () => { void refresh(); })));
          return h('tr', null, label, h('td', null, names.get(m.dataset_id) ?? '–'), h('td', null, m.origin),
            h('td', null, h('span', { class: `badge ${m.status}` }, m.status)),
            h('td', { class: 'num' }, m.metrics ? ratio(m.metrics.r2) : ''), h('td', { class: 'num' }, m.metrics ? pct(m.metrics.mape) : ''),
            h('td', { class: 'actions' }, open, rename, remove));
        })))));
  }

  mount(main, h('h1', null, 'Models'), trainForm, progressArea, backtestSection(datasets), importForm, list);
  await refresh();
  const running = app.models.find((m) => m.status === 'training');
  if (running) mount(progressArea, notice('info', 'A model is still training; it will appear here when done.'));
}
