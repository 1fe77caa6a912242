// Data sets: drag-and-drop CSV upload with a preview and column roles, problems per line and
// column, the data checks, the list, and deletion.
import { ApiError, api, del, get } from '../api';
import { deleteButton, field, h, mount, notice, renameForm } from '../dom';
import { money } from '../format';
import { channelOf, isUnitsOf, quoteName, spendColumn } from '../columns';
import type { DataCheck, Dataset, DatasetDetail, Uploaded } from '../types';

/** The data set's channels, each fitted on media units marked so ("tv (units)"). */
function channelList(d: Dataset): string {
  return d.roles.channels.map((c, i) => (d.roles.units[i] ? `${c} (units)` : c)).join(', ');
}

/** " after N periods of media history" when the file gives spend before its first KPI value. */
function historyNote(d: Dataset): string {
  return d.history_rows > 0 ? ` (after ${d.history_rows} periods of media history)` : '';
}

/** The field separator the server reads a file with: the commonest of comma, semicolon and tab
 * outside quotes in the first non-blank line (a comma when there is none, and on ties). */
export function sniffDelimiter(text: string): string {
  const src = text.replace(/^\uFEFF/, '').trimStart();
  const counts: Record<string, number> = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (const c of src) {
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === '\n' || c === '\r')) break;
    else if (!quoted && c in counts) counts[c] += 1;
  }
  if (counts[';'] > counts[','] && counts[';'] >= counts['\t']) return ';';
  if (counts['\t'] > counts[','] && counts['\t'] > counts[';']) return '\t';
  return ',';
}

/** Splits CSV text into rows (quoted fields, CRLF, the separator the server uses); enough for
 * a preview. */
export function parseCsv(text: string, maxRows: number): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const src = text.replace(/^\uFEFF/, '');
  const delimiter = sniffDelimiter(src);
  for (let i = 0; i < src.length && rows.length < maxRows; i++) {
    const c = src[i];
    if (quoted) {
      if (c === '"' && src[i + 1] === '"') { cell += '"'; i++; }
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === delimiter) { row.push(cell); cell = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && src[i + 1] === '\n') i++;
      if (cell || row.length) { row.push(cell); rows.push(row); }
      row = []; cell = '';
    } else cell += c;
  }
  if ((cell || row.length) && rows.length < maxRows) { row.push(cell); rows.push(row); }
  return rows;
}

/** A file's text as the server decodes it: UTF-16 with a byte-order mark, UTF-8, or else
 * Windows-1252 (Excel's plain "CSV" in western locales). */
export async function readText(f: Blob): Promise<string> {
  const bytes = new Uint8Array(await f.arrayBuffer());
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

/** A cell's number as the server reads it (a decimal comma where the file is separated by
 * semicolons), or NaN. */
function cellNumber(v: string, decimalComma: boolean): number {
  const s = v.trim();
  if (s === '') return NaN;
  return decimalComma && /^[^.,]*,[^.,]*$/.test(s) ? Number(s.replace(',', '.')) : Number(s);
}

/** Whether a column is a control by the server's default rule: at least half its filled cells
 * are numbers, and not all the same number. Empty cells do not count, as media history rows
 * leave the KPI and the controls empty. */
function isVaryingNumbers(values: string[], decimalComma: boolean): boolean {
  const filled = values.filter((v) => v.trim() !== '');
  const numbers = filled.map((v) => cellNumber(v, decimalComma)).filter(Number.isFinite);
  // Not Math.min(...numbers): a long file would overflow the call's arguments.
  const varies = numbers.some((v) => v !== numbers[0]);
  return filled.length > 0 && numbers.length * 2 >= filled.length && varies;
}

/** Rows shown in the preview. */
const PREVIEW_ROWS = 8;
/** Names of a column that tells geos apart (the server's rule for naming it in its advice). */
const GEO_COLUMNS = ['geo', 'region', 'market', 'dma', 'state', 'country', 'territory'];

/** The problems an upload was refused for, by line, column and reason. */
export function problemsTable(error: ApiError): HTMLElement {
  return h('div', { class: 'problems', role: 'alert' },
    h('h3', null, error.message),
    h('div', { class: 'table-wrap' }, h('table', { class: 'data' },
      h('caption', null, 'Problems in the file, by line and column'),
      h('thead', null, h('tr', null, h('th', { scope: 'col', class: 'num' }, 'Line'), h('th', { scope: 'col' }, 'Column'), h('th', { scope: 'col' }, 'Problem'))),
      h('tbody', null, error.details.map((p) => h('tr', null,
        h('td', { class: 'num' }, p.line ?? ''), h('td', null, p.column ?? ''), h('td', null, p.reason)))))));
}

/** The data checks of a data set: warnings, then notes, each with what would help. */
export function checksCard(name: string, checks: DataCheck[]): HTMLElement {
  const count = (level: string, word: string): string | null => {
    const n = checks.filter((c) => c.level === level).length;
    return n === 0 ? null : `${n} ${word}${n === 1 ? '' : 's'}`;
  };
  const counts = [count('warning', 'warning'), count('note', 'note')].filter((c) => c !== null).join(' and ');
  const summary = checks.length === 0
    ? 'Nothing in the data stands out: no correlated, sparse or seasonal spend, no outliers or spikes, and enough periods for the model.'
    : `${counts}. They are cautions, not errors: the data set is stored and can be trained on.`;
  return h('section', { class: 'card', 'aria-labelledby': 'checks-title' },
    h('h2', { id: 'checks-title' }, `Data checks for “${name}”`),
    h('p', null, summary),
    checks.length === 0 ? null : h('ul', { class: 'insights data-checks' }, checks.map((c) =>
      h('li', { class: `insight data-check ${c.level}` },
        h('h3', null, h('span', { class: `badge ${c.level}` }, c.level === 'warning' ? 'Warning' : 'Note'), ' ', c.title),
        h('p', null, c.message)))));
}

export async function dataPage(main: HTMLElement): Promise<void> {
  const list = h('section', { 'aria-labelledby': 'ds-list' });
  const status = h('div', { 'aria-live': 'polite' });
  const form = h('div');
  let file: File | null = null;

  const input = h('input', { type: 'file', accept: '.csv,text/csv', id: 'csv-file', class: 'sr-only', tabindex: -1, 'aria-label': 'CSV file' });
  const chooseButton = h('button', { type: 'button', class: 'primary', onclick: () => input.click() }, 'Choose a CSV file');
  const drop = h('div', { class: 'dropzone' },
    h('strong', null, 'Drop a CSV file here'), h('span', null, 'or'), chooseButton,
    h('small', null, 'A date column (YYYY-MM-DD), a KPI such as revenue, media spend columns ending in _spend (and the impressions they bought in <channel>_media or <channel>_impressions, if you have them), and controls. Daily, weekly or monthly.'));
  for (const kind of ['dragenter', 'dragover']) {
    drop.addEventListener(kind, (e) => { e.preventDefault(); drop.classList.add('over'); });
  }
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const f = (e as DragEvent).dataTransfer?.files?.[0];
    if (f) void choose(f);
  });
  input.addEventListener('change', () => { if (input.files?.[0]) void choose(input.files[0]); });

  async function choose(f: File): Promise<void> {
    file = f;
    mount(status);
    const text = await readText(f);
    // Every row, as the server's role rules look at every row.
    const rows = parseCsv(text, Number.MAX_SAFE_INTEGER);
    const decimalComma = sniffDelimiter(text) === ';';
    const header = rows[0] ?? [];
    const body = rows.slice(1);
    const preview = body.slice(0, PREVIEW_ROWS);
    const column = (i: number): string[] => body.map((r) => r[i] ?? '');
    const dateGuess = header.find((c) => c.toLowerCase() === 'date') ?? header.find((c) => c !== '') ?? '';
    // Column names match the server's defaults in any case.
    const kpiGuess = header.find((c) => c.toLowerCase() === 'revenue') ?? header.find((c, i) => isVaryingNumbers(column(i), decimalComma) && !spendColumn(c)) ?? '';
    const name = h('input', { type: 'text', value: f.name, maxlength: 200, required: true });
    const named = header.filter((c) => c !== '');
    const dateSel = h('select', null, named.map((c) => h('option', { value: c, selected: c === dateGuess }, c)));
    const kpiSel = h('select', null, named.map((c) => h('option', { value: c, selected: c === kpiGuess }, c)));
    // A file that stacks geos (one row per geo and date, as Meridian's geo data) is added up
    // by the server when told which column names the geos; a column called geo is taken.
    const geoGuess = named.find((c) => GEO_COLUMNS.includes(c.toLowerCase())) ?? '';
    const geoSel = h('select', null, h('option', { value: '' }, 'none: one national series'),
      named.map((c) => h('option', { value: c, selected: c === geoGuess }, c))) as HTMLSelectElement;
    // The geo column and the population go when the geos are added up: neither is a control.
    const addedUp = (c: string): boolean => geoSel.value !== '' && (c === geoSel.value || c.toLowerCase() === 'population');
    // A column without a name (a row index, trailing separators) plays no role, and pandas'
    // name for one, "Unnamed: 0", is not a control.
    const rowIndex = (c: string): boolean => /^Unnamed: \d+$/.test(c);
    // `<channel>_media` (or `_impressions`, `_grps`, ...) beside `<channel>_spend` gives that
    // channel's media units (the server fits the channel on them), so it is no control by default.
    const unitsColumn = (c: string): boolean =>
      header.some((s) => spendColumn(s) && isUnitsOf(c, channelOf(s)));
    // The column each media column's channel is fitted on ('' for its spend): the one named for
    // its units, until the user picks another.
    const unitsChoice = new Map<string, string>(named.filter(spendColumn).map((m) => [m, named.find((c) => isUnitsOf(c, channelOf(m))) ?? '']));
    const unitsBox = h('div', { class: 'grid3' });
    const renderUnits = (): void => {
      const media = checked('media');
      const candidates = named.filter((c) => c !== dateSel.value && c !== kpiSel.value && !media.includes(c));
      mount(unitsBox, media.map((m) => {
        const chosen = unitsChoice.get(m) ?? '';
        const select = h('select', {
          'data-units-for': m,
          onchange: () => {
            unitsChoice.set(m, select.value);
            // A column the channel is fitted on is no control.
            const control = form.querySelector<HTMLInputElement>(`input[data-role="control"][value="${CSS.escape(select.value)}"]`);
            if (control) control.checked = false;
          },
        }, h('option', { value: '', selected: chosen === '' }, 'its spend'),
        candidates.map((c) => h('option', { value: c, selected: c === chosen }, c))) as HTMLSelectElement;
        return field(`${channelOf(m)} fitted on`, select);
      }));
    };
    const roleBoxes = (role: 'media' | 'control') => header.map((c, i) => {
      if (c === '') return null;
      const numeric = isVaryingNumbers(column(i), decimalComma);
      const checked = role === 'media' ? spendColumn(c) : numeric && !spendColumn(c) && !unitsColumn(c) && !rowIndex(c) && !addedUp(c) && c !== kpiGuess && c !== dateGuess;
      return h('label', { class: 'check' }, h('input', { type: 'checkbox', value: c, checked, 'data-role': role }), ` ${c}`);
    });
    const upload = h('button', { type: 'submit', class: 'primary' }, 'Upload and validate');
    const checked = (role: string): string[] =>
      Array.from(form.querySelectorAll<HTMLInputElement>(`input[data-role="${role}"]:checked`)).map((x) => x.value);
    mount(form, h('form', {
      class: 'card',
      'aria-labelledby': 'roles-title',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        if (!file) return;
        upload.disabled = true;
        const data = new FormData();
        data.append('file', file, file.name);
        data.append('name', name.value);
        data.append('date_column', dateSel.value);
        data.append('kpi', kpiSel.value);
        data.append('media', checked('media').map(quoteName).join(','));
        data.append('controls', checked('control').map(quoteName).join(','));
        data.append('media_units', Array.from(form.querySelectorAll<HTMLSelectElement>('select[data-units-for]'))
          .filter((x) => x.value !== '').map((x) => `${quoteName(x.dataset.unitsFor!)}=${quoteName(x.value)}`).join(','));
        if (geoSel.value) data.append('geo_column', geoSel.value);
        try {
          const ds = await api<Uploaded>('POST', '/datasets', data);
          const controls = ds.roles.controls.length ? `controls ${ds.roles.controls.join(', ')}` : 'no controls';
          const ignored = ds.roles.ignored.length ? `; not used: ${ds.roles.ignored.join(', ')}` : '';
          const fittedOnUnits = ds.roles.media_units.length
            ? ` (fitted on media units: ${ds.roles.channels.flatMap((c, i) => (ds.roles.units[i] ? [`${c} on ${ds.roles.units[i]}`] : [])).join(', ')})`
            : '';
          mount(status, notice('success', `Uploaded “${ds.name}”: ${ds.rows} ${ds.frequency} periods${historyNote(ds)}, ${ds.roles.media.length} channels${fittedOnUnits}, ${controls}${ignored}.`),
            h('p', null, h('a', { class: 'button primary', href: `#/models?dataset=${ds.id}` }, 'Train a model on it')),
            checksCard(ds.name, ds.checks));
          mount(form);
          await refresh();
        } catch (err) {
          mount(status, err instanceof ApiError && err.details.length ? problemsTable(err) : notice('error', err instanceof Error ? err.message : String(err)));
        } finally {
          upload.disabled = false;
        }
      },
    },
    h('h2', { id: 'roles-title' }, 'Preview and column roles'),
    h('div', { class: 'table-wrap' }, h('table', { class: 'data preview' },
      h('caption', null, `First rows of ${f.name}`),
      h('thead', null, h('tr', null, header.map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', null, preview.map((r) => h('tr', null, header.map((_, i) => h('td', null, r[i] ?? ''))))))),
    h('div', { class: 'grid3' },
      field('Name', name),
      field('Date column', dateSel),
      field('KPI column', kpiSel),
      field('Geo column (a file of several geos, added up)', geoSel)),
    h('fieldset', null, h('legend', null, 'Media spend columns'), h('div', { class: 'checks' }, roleBoxes('media'))),
    h('fieldset', null, h('legend', null, 'Media units'),
      h('p', null, h('small', null, 'A channel whose price moves (TV GRPs, search clicks) is better fitted on the impressions or other units it bought, from a column beside its spend. Its ROI stays per unit of spend. A column named for the units (tv_media, tv_impressions, tv_grps) is picked for you.')),
      unitsBox),
    h('fieldset', null, h('legend', null, 'Control columns'), h('div', { class: 'checks' }, roleBoxes('control'))),
    upload));
    form.addEventListener('change', (e) => {
      const target = e.target as HTMLElement;
      if (target.dataset.role === 'media' || target === dateSel || target === kpiSel) renderUnits();
      if (target === geoSel) {
        for (const box of form.querySelectorAll<HTMLInputElement>('input[data-role="control"]')) {
          if (addedUp(box.value)) box.checked = false;
        }
      }
    });
    renderUnits();
    name.focus();
  }

  async function refresh(): Promise<void> {
    const datasets = await get<Dataset[]>('/datasets');
    mount(list, h('h2', { id: 'ds-list' }, 'Your data sets'),
      datasets.length === 0 ? h('p', null, 'None yet.') : h('div', { class: 'table-wrap' }, h('table', { class: 'data' },
        h('caption', { class: 'sr-only' }, 'Data sets'),
        h('thead', null, h('tr', null, ['Name', 'Periods', 'From', 'To', 'KPI', 'Channels', ''].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', null, datasets.map((d) => {
          const remove = deleteButton(d.name, 'Confirm delete (its models go too)', async () => {
            await del(`/datasets/${d.id}`);
            mount(status, notice('info', `Deleted “${d.name}”.`));
            await refresh();
          });
          const showChecks = h('button', { type: 'button', class: 'small', 'aria-label': `Data checks of ${d.name}` }, 'Checks');
          showChecks.addEventListener('click', async () => {
            try {
              const detail = await get<DatasetDetail>(`/datasets/${d.id}`);
              mount(status, checksCard(detail.name, detail.checks));
              status.scrollIntoView({ block: 'nearest' });
            } catch (err) {
              mount(status, notice('error', err instanceof Error ? err.message : String(err)));
            }
          });
          const name = h('td', null, d.name);
          const rename = h('button', { type: 'button', class: 'small', 'aria-label': `Rename ${d.name}` }, 'Rename');
          rename.addEventListener('click', () => mount(name, renameForm(d.name, 'Data set name', async (n) => {
            await api<Dataset>('PATCH', `/datasets/${d.id}`, { name: n });
          }, () => { void refresh(); })));
          return h('tr', null,
            name, h('td', { class: 'num' }, `${money(d.rows)} ${d.frequency}${d.history_rows > 0 ? ` + ${d.history_rows} history` : ''}`), h('td', null, d.start_date),
            h('td', null, d.end_date), h('td', null, d.roles.kpi), h('td', null, channelList(d)),
            h('td', { class: 'actions' }, h('a', { class: 'button small', href: `#/models?dataset=${d.id}` }, 'Train'), showChecks, rename, remove));
        })))));
  }

  mount(main, h('h1', null, 'Data sets'), h('section', { class: 'card', 'aria-label': 'Upload' }, h('h2', null, 'Upload a CSV'), drop, input), status, form, list);
  await refresh();
}
