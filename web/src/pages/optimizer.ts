// Budget optimizer: a budget under per-channel min / max / lock, the recommended split against
// the current one, saved allocations compared side by side, a multi-period plan, and the
// efficient frontier.
import { get, post, saveFile } from '../api';
import { PALETTE, chart, intervalBand } from '../charts';
import { field, h, mount, notice } from '../dom';
import { compact, money, pct, periodName, periodsPerQuarter, ratio, signedPct } from '../format';
import type { ChannelSummary, FrontierPoint, Optimized, Plan, ScenarioResult, Score } from '../types';
import { loadModel } from './overview';

interface Saved { name: string; spend: Record<string, number> }

const savedKey = (model: string): string => `mmm.scenarios.${model}`;
const loadSaved = (model: string): Saved[] => JSON.parse(localStorage.getItem(savedKey(model)) ?? '[]') as Saved[];
const storeSaved = (model: string, s: Saved[]): void => localStorage.setItem(savedKey(model), JSON.stringify(s));

function num(input: HTMLInputElement): number | undefined {
  const v = input.value.trim();
  return v === '' ? undefined : Number(v);
}

export async function optimizerPage(main: HTMLElement): Promise<void> {
  const { id, status } = await loadModel();
  const channels = await get<ChannelSummary[]>(`/mmm/channels/summary?model_id=${id}`);
  const currentTotal = channels.reduce((s, c) => s + c.current_spend, 0);
  const per = periodName(status.frequency);

  // ---- constraints builder
  const budget = h('input', { type: 'number', min: 0, step: 'any', value: String(Math.round(currentTotal)), required: true });
  const bounds = h('input', { type: 'number', min: 0, max: 10, step: 'any', placeholder: 'none', value: '0.5' });
  const spendAll = h('input', { type: 'checkbox', checked: true });
  const rows = channels.map((c) => ({
    name: c.name,
    min: h('input', { type: 'number', min: 0, step: 'any', placeholder: 'none', 'aria-label': `${c.name} minimum` }),
    max: h('input', { type: 'number', min: 0, step: 'any', placeholder: 'none', 'aria-label': `${c.name} maximum` }),
    lock: h('input', { type: 'checkbox', 'aria-label': `lock ${c.name}` }),
    lockAt: h('input', { type: 'number', min: 0, step: 'any', value: String(Math.round(c.current_spend)), 'aria-label': `${c.name} locked spend` }),
    current: c.current_spend,
  }));
  const constraints = (): Record<string, unknown> => {
    const min: Record<string, number> = {};
    const max: Record<string, number> = {};
    const lock: Record<string, number> = {};
    for (const r of rows) {
      if (r.lock.checked) lock[r.name] = Number(r.lockAt.value);
      const lo = num(r.min);
      const hi = num(r.max);
      if (lo !== undefined) min[r.name] = lo;
      if (hi !== undefined) max[r.name] = hi;
    }
    return { bounds_pct: num(bounds), min, max, lock, spend_all: spendAll.checked };
  };

  const result = h('section', { 'aria-live': 'polite', 'aria-label': 'Optimization result' });
  const targetMroi = h('input', { type: 'number', min: 0, step: 'any', value: '1', 'aria-label': 'Target marginal ROI', class: 'short' });
  const findBudget = h('button', { type: 'button', onclick: () => void byTarget() }, 'Find budget');
  let last: Optimized | null = null;
  const run = h('button', { type: 'submit', class: 'primary' }, 'Optimize');
  const form = h('form', {
    class: 'card',
    onsubmit: async (e: Event) => {
      e.preventDefault();
      run.disabled = true;
      try {
        last = await post<Optimized>(`/models/${id}/optimize`, { budget: Number(budget.value), constraints: constraints() });
        showResult(last);
      } catch (err) {
        mount(result, notice('error', (err as Error).message));
      } finally {
        run.disabled = false;
      }
    },
  },
  h('h2', null, 'Budget and constraints'),
  h('div', { class: 'grid3' },
    field(`Budget per ${per}`, budget, `Current spend: ${money(currentTotal)}`),
    field('Keep each channel within ± (fraction of its current spend)', bounds, '0.5 = ±50%; empty for no bound'),
    h('div', { class: 'field' }, h('label', { class: 'check' }, spendAll, ' Spend the whole budget'))),
  h('div', { class: 'table-wrap' }, h('table', { class: 'data constraints' },
    h('caption', null, `Per-channel constraints (spend per ${per})`),
    h('thead', null, h('tr', null, ['Channel', 'Current', 'Minimum', 'Maximum', 'Lock', 'Locked at'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', null, rows.map((r) => h('tr', null, h('th', { scope: 'row' }, r.name), h('td', { class: 'num' }, money(r.current)),
      h('td', null, r.min), h('td', null, r.max), h('td', null, r.lock), h('td', null, r.lockAt)))))),
  h('div', { class: 'toolbar' }, run,
    h('span', { class: 'or' }, 'or find the largest budget where every funded channel returns at least'),
    targetMroi, findBudget));

  async function byTarget(): Promise<void> {
    findBudget.disabled = true;
    try {
      last = await post<Optimized>(`/models/${id}/optimize`, { target_mroi: Number(targetMroi.value), constraints: constraints() });
      budget.value = String(Math.round(last.budget));
      showResult(last);
    } catch (err) {
      mount(result, notice('error', (err as Error).message));
    } finally {
      findBudget.disabled = false;
    }
  }

  // Against the current allocation a larger budget wins whatever the split; at the same spend,
  // the current mix shows what moving money between channels adds.
  function currentMix(o: Optimized): HTMLElement | null {
    const mix = o.current_mix;
    if (!mix) return null;
    return h('div', { class: 'metric current-mix' },
      h('span', { class: 'label' }, `current split scaled to ${money(mix.spend)}`), h('strong', null, money(mix.response)),
      h('small', null, `the recommended split adds ${money(mix.uplift)} (${signedPct(mix.uplift_pct)}) at the same spend`),
      mix.probability_better !== undefined && mix.uplift_interval
        ? h('small', { class: 'confidence' }, `${pct(mix.probability_better, 0)} likely to beat it; 90% interval ${money(mix.uplift_interval[0])} to ${money(mix.uplift_interval[1])}`)
        : null);
  }

  function showResult(o: Optimized): void {
    const save = h('button', { type: 'button' }, 'Save as scenario');
    save.addEventListener('click', () => {
      const list = loadSaved(id);
      const spend = Object.fromEntries(o.allocation.map((a) => [a.name, a.recommended]));
      list.push({ name: `Optimized ${money(o.budget)} (${list.length + 1})`, spend });
      storeSaved(id, list);
      drawScenarios();
      save.disabled = true;
      save.textContent = 'Saved';
    });
    mount(result,
      h('div', { class: 'metrics' },
        h('div', { class: 'metric' }, h('span', { class: 'label' }, `${status.kpi} per ${per}, current split`), h('strong', null, money(o.current_response))),
        h('div', { class: 'metric' }, h('span', { class: 'label' }, 'recommended split'), h('strong', null, money(o.optimized_response))),
        h('div', { class: `metric uplift${o.uplift < 0 ? ' negative' : ''}` }, h('span', { class: 'label' }, 'uplift'), h('strong', null, `${money(o.uplift)} (${signedPct(o.uplift_pct)})`),
          h('small', null, `no split can beat it by more than ${money(o.gap_bound)}`),
          o.probability_better !== undefined && o.uplift_interval
            ? h('small', { class: 'confidence' }, `${pct(o.probability_better, 0)} likely to beat the current split; 90% interval ${money(o.uplift_interval[0])} to ${money(o.uplift_interval[1])}`)
            : null),
        currentMix(o)),
      chart('Current and recommended spend per channel', {
        tooltip: { trigger: 'axis', valueFormatter: (v: number) => money(v) },
        legend: { top: 0 },
        grid: { left: 60, right: 16, top: 40, bottom: 30 },
        xAxis: { type: 'category', data: o.allocation.map((a) => a.name) },
        yAxis: { type: 'value', axisLabel: { formatter: (v: number) => compact(v) } },
        series: [
          { name: 'current', type: 'bar', data: o.allocation.map((a) => a.current), color: '#9aa5b4' },
          { name: 'recommended', type: 'bar', data: o.allocation.map((a) => a.recommended), color: '#2f6fdf' },
        ],
      }, 300).el,
      h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'allocation' },
        h('caption', null, `Recommended split of ${money(o.spent)} per ${per}`),
        h('thead', null, h('tr', null, ['Channel', 'Current', 'Recommended', 'Change', 'Response', 'mROI', ''].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', null, o.allocation.map((a) => h('tr', null, h('th', { scope: 'row' }, a.name), h('td', { class: 'num' }, money(a.current)),
          h('td', { class: 'num' }, money(a.recommended)), h('td', { class: 'num' }, a.current > 0 ? signedPct(a.recommended / a.current - 1) : '–'),
          h('td', { class: 'num' }, money(a.expected_response)), h('td', { class: 'num' }, ratio(a.mroi)), h('td', null, a.locked ? 'locked' : '')))))),
      save);
  }

  // ---- scenarios
  const scenarios = h('section', { class: 'card', 'aria-labelledby': 'sc-title' });
  function drawScenarios(): void {
    const saved = loadSaved(id);
    const out = h('div', { 'aria-live': 'polite' });
    const compare = h('button', { type: 'button', class: 'primary', disabled: saved.length === 0 }, 'Compare side by side');
    compare.addEventListener('click', async () => {
      try {
        // The current split first (channels left out keep their current spend), then the saved ones.
        const all = [{ name: 'Current split', spend: {} }, ...saved.slice(-19).map((s) => ({ name: s.name, spend: s.spend }))];
        const res = await post<ScenarioResult[]>(`/models/${id}/scenarios`, { scenarios: all });
        mount(out,
          chart('Scenario response per period', {
            tooltip: { trigger: 'axis', valueFormatter: (v: number) => money(v) },
            grid: { left: 60, right: 16, top: 16, bottom: 60 },
            xAxis: { type: 'category', data: res.map((r) => r.name), axisLabel: { interval: 0, rotate: 15 } },
            yAxis: { type: 'value', axisLabel: { formatter: (v: number) => compact(v) } },
            series: [{ name: 'response', type: 'bar', data: res.map((r) => r.response), colorBy: 'data' }],
          }, 260).el,
          h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'scenario-table' },
            h('caption', null, 'Scenarios against the current split'),
            h('thead', null, h('tr', null, ['Scenario', 'Spend', 'Response', 'ROI', 'Uplift', 'Uplift, 90% interval', 'Chance it beats the current split', 'Gain over the current split scaled to its spend'].map((c) => h('th', { scope: 'col' }, c)))),
            h('tbody', null, res.map((r) => h('tr', null, h('th', { scope: 'row' }, r.name), h('td', { class: 'num' }, money(r.spend)),
              h('td', { class: 'num' }, money(r.response)), h('td', { class: 'num' }, ratio(r.roi)), h('td', { class: 'num' }, money(r.uplift)),
              h('td', { class: 'num' }, r.uplift_interval ? `${money(r.uplift_interval[0])} to ${money(r.uplift_interval[1])}` : '–'),
              h('td', { class: 'num' }, r.probability_better !== undefined ? pct(r.probability_better, 0) : '–'),
              h('td', { class: 'num' }, r.current_mix
                ? `${money(r.current_mix.uplift)}${r.current_mix.probability_better !== undefined ? ` (${pct(r.current_mix.probability_better, 0)} likely)` : ''}`
                : '–')))))));
      } catch (err) {
        mount(out, notice('error', (err as Error).message));
      }
    });
    mount(scenarios, h('h2', { id: 'sc-title' }, 'Saved scenarios'),
      saved.length === 0 ? h('p', null, 'Optimize, then save the result to compare allocations here.') :
        h('ul', { class: 'scenarios' }, saved.map((s, i) => {
          const remove = h('button', { type: 'button', class: 'link' }, 'remove');
          remove.addEventListener('click', () => { const l = loadSaved(id); l.splice(i, 1); storeSaved(id, l); drawScenarios(); });
          return h('li', null, `${s.name}: `, Object.entries(s.spend).map(([k, v]) => `${k} ${money(v)}`).join(', '), ' ', remove);
        })),
      compare, out);
  }
  drawScenarios();

  // ---- multi-period plan
  const periods = h('input', { type: 'number', min: 1, max: 156, value: '8' });
  const total = h('input', { type: 'number', min: 0, step: 'any', value: String(Math.round(currentTotal * 8)) });
  const cap = h('input', { type: 'number', min: 0, step: 'any', placeholder: 'none' });
  // Each control's value over the plan, for its forecast; empty holds it at its usual level.
  const controlInputs = status.controls.map((c) => ({
    name: c.name,
    input: h('input', { type: 'number', step: 'any', placeholder: level(c.mean) }),
    hint: `usual ${level(c.mean)}, last ${periodsPerQuarter(status.frequency)} ${per}s ${level(c.recent_mean)}`,
  }));
  const planOut = h('div', { 'aria-live': 'polite' });
  const planForm = h('form', {
    class: 'card',
    onsubmit: async (e: Event) => {
      e.preventDefault();
      try {
        const controls = Object.fromEntries(controlInputs.filter((c) => num(c.input) !== undefined).map((c) => [c.name, num(c.input)]));
        const p = await post<Plan>(`/models/${id}/plan`, { periods: Number(periods.value), total_budget: Number(total.value), period_cap: num(cap), constraints: { bounds_pct: num(bounds) }, forecast: true, controls });
        const names = channels.map((c) => c.name);
        mount(planOut,
          h('p', { class: 'plan-summary' }, `Expected incremental ${status.kpi}: ${money(p.expected_incremental)} against ${money(p.flat_plan_incremental)} for the same budget spent evenly (${signedPct(p.expected_incremental / p.flat_plan_incremental - 1)}).`,
            p.incremental_interval ? h('small', { class: 'confidence' }, ` 90% interval ${money(p.incremental_interval[0])} to ${money(p.incremental_interval[1])}.`) : null,
            p.probability_beats_flat !== undefined && p.gain_over_flat_interval
              ? h('small', { class: 'confidence' }, ` ${pct(p.probability_beats_flat, 0)} likely to beat spending evenly; the gain's 90% interval is ${money(p.gain_over_flat_interval[0])} to ${money(p.gain_over_flat_interval[1])}.`)
              : p.incremental_interval ? h('small', { class: 'confidence' }, ' The plan spends evenly: the model expects no departure from that to pay.') : null),
          chart('Planned spend per period and channel', {
            tooltip: { trigger: 'axis', valueFormatter: (v: number) => money(v) },
            legend: { top: 0, type: 'scroll' },
            grid: { left: 60, right: 16, top: 40, bottom: 30 },
            xAxis: { type: 'category', data: p.periods.map((x) => x.date) },
            yAxis: { type: 'value', axisLabel: { formatter: (v: number) => compact(v) } },
            series: names.map((n) => ({ name: n, type: 'bar', stack: 'plan', data: p.periods.map((x) => x.spend[n] ?? 0) })),
          }, 300).el,
          p.forecast ? forecastChart(p.forecast, status.kpi, controls) : null,
          p.forecast_file ? planFileButton(p.forecast_file) : null);
      } catch (err) {
        mount(planOut, notice('error', (err as Error).message));
      }
    },
  }, h('h2', null, 'Multi-period plan'),
  h('p', null, 'Spreads a total budget over future periods, with the carry-over of past and planned spend.'),
  h('div', { class: 'grid3' }, field('Periods', periods), field('Total budget', total), field('Largest spend in one period', cap)),
  controlInputs.length ? h('fieldset', null, h('legend', null, 'Controls over the plan, for its forecast (empty: their usual level)'),
    h('div', { class: 'grid3' }, controlInputs.map((c) => field(c.name, c.input, c.hint)))) : null,
  h('button', { type: 'submit' }, 'Plan'), planOut);

  // ---- frontier
  const frontierOut = h('div');
  const frontierButton = h('button', { type: 'button' }, 'Draw the efficient frontier');
  frontierButton.addEventListener('click', async () => {
    try {
      const points = await get<FrontierPoint[]>(`/models/${id}/frontier?budget=${Number(budget.value)}&steps=21${num(bounds) !== undefined ? `&bounds_pct=${num(bounds)}` : ''}`);
      mount(frontierOut, chart('Efficient frontier: best response for budgets from −50% to +50%', {
        tooltip: {
          trigger: 'axis',
          formatter: (items: { dataIndex: number }[]) => {
            const p = points[items[0].dataIndex];
            const band = p.response_interval ? ` (90% interval ${money(p.response_interval[0])} to ${money(p.response_interval[1])})` : '';
            return `budget ${money(p.budget)} (${signedPct(p.change)})<br>response ${money(p.response)}${band}<br>ROI ${ratio(p.roi)} · marginal ${ratio(p.marginal)}`;
          },
        },
        grid: { left: 60, right: 24, top: 16, bottom: 40 },
        xAxis: { type: 'value', name: `budget per ${per}`, nameLocation: 'middle', nameGap: 26, scale: true, axisLabel: { formatter: (v: number) => compact(v) } },
        yAxis: { type: 'value', scale: true, axisLabel: { formatter: (v: number) => compact(v) } },
        series: [
          // The 90% band, drawn as a transparent floor and a shaded height stacked on it.
          ...(points.every((p) => p.response_interval) ? [
            { name: 'band floor', type: 'line', symbol: 'none', stack: 'band', color: PALETTE[0], lineStyle: { opacity: 0 }, tooltip: { show: false },
              data: points.map((p) => [p.budget, p.response_interval![0]]) },
            { name: '90% interval', type: 'line', symbol: 'none', stack: 'band', color: PALETTE[0], lineStyle: { opacity: 0 }, areaStyle: { color: PALETTE[0], opacity: 0.18 }, tooltip: { show: false },
              data: points.map((p) => [p.budget, p.response_interval![1] - p.response_interval![0]]) },
          ] : []),
          { name: 'optimal response', type: 'line', color: PALETTE[0], data: points.map((p) => [p.budget, p.response]),
            markLine: { symbol: 'none', data: [{ xAxis: Number(budget.value), name: 'budget' }], label: { formatter: 'budget' } } }],
      }, 300).el,
      points.every((p) => p.response_interval) ? h('p', { class: 'lede' }, 'The shaded band is the 90% interval of the optimal response at each budget.') : null);
    } catch (err) {
      mount(frontierOut, notice('error', (err as Error).message));
    }
  });

  mount(main, h('h1', null, 'Budget optimizer'),
    h('p', { class: 'lede' }, 'The recommended split is the global optimum of the response curves under your constraints.'),
    form, result, scenarios, planForm,
    h('section', { class: 'card', 'aria-labelledby': 'fr-title' }, h('h2', { id: 'fr-title' }, 'Efficient frontier'), frontierButton, frontierOut));
}

/** A control's level as the plan form shows it. */
const level = (v: number): string => String(Number(v.toPrecision(3)));

/** The KPI a plan brings, baseline included, each period with its 90% predictive interval, with
 * the controls the plan set (the others at their usual level). */
function forecastChart(f: Score, kpi: string, controls: Record<string, number | undefined>): HTMLElement {
  const set = Object.entries(controls).map(([k, v]) => `${k} ${v}`);
  const conditions = set.length ? `${set.join(', ')}; other controls at their usual level` : 'controls at their usual level';
  return chart(`Forecast ${kpi} per period with the plan (${conditions}), with its 90% interval`, {
    tooltip: { trigger: 'axis', valueFormatter: (v: number) => money(v) },
    legend: { top: 0, data: ['forecast', 'of which media', '90% interval'] },
    grid: { left: 60, right: 16, top: 40, bottom: 30 },
    xAxis: { type: 'category', data: f.periods.map((p) => p.date) },
    yAxis: { type: 'value', scale: true, axisLabel: { formatter: (v: number) => compact(v) } },
    series: [
      ...intervalBand(f.periods.map((p) => p.interval[0]), f.periods.map((p) => p.interval[1])),
      { name: 'forecast', type: 'line', data: f.periods.map((p) => p.predicted), color: '#2f6fdf' },
      { name: 'of which media', type: 'line', data: f.periods.map((p) => p.media), color: '#1f2937', lineStyle: { type: 'dashed' } },
    ],
  }, 300).el;
}

/** Saves the plan as the CSV file it was forecast from: with its controls edited, the overview's
 * "Check the model against new data" forecasts it under other conditions. */
function planFileButton(text: string): HTMLElement {
  const save = (): void => saveFile(new Blob([text], { type: 'text/csv' }), 'mmm-plan.csv');
  return h('p', null,
    h('button', { type: 'button', onclick: save }, 'Download the plan as a file to forecast'),
    h('small', null, ' Its controls hold the values above; edit them period by period and upload the file under “Check the model against new data” on the overview to forecast other conditions.'));
}
