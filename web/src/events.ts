// The fields that name a fit's events: a country's holidays to ask the data about, and the
// events the user knows of. The train and backtest forms share them, so a backtest can check a
// model specified as it was trained.
import { get } from './api';
import { field, h } from './dom';
import type { Dataset, HolidayCountry } from './types';

let countries: Promise<HolidayCountry[]> | null = null;
const byYear = new Map<number, Promise<HolidayCountry[]>>();

/** The countries whose holidays the API can ask about, with the events each asks: fetched once. */
function holidayCountries(): Promise<HolidayCountry[]> {
  countries ??= get<HolidayCountry[]>('/holidays').catch((e: unknown) => {
    countries = null;
    throw e;
  });
  return countries;
}

/** The same lists with each holiday's days in `year`: fetched once a year. */
function holidaysIn(year: number): Promise<HolidayCountry[]> {
  let list = byYear.get(year);
  if (!list) {
    list = get<HolidayCountry[]>(`/holidays?year=${year}`).catch((e: unknown) => {
      byYear.delete(year);
      throw e;
    });
    byYear.set(year, list);
  }
  return list;
}

/** A holiday as the hint lists it: its name, and its days that year where they say more. */
function asked(e: HolidayCountry['events'][number]): string {
  if (!e.days) return e.label;
  const days = e.days.length ? e.days.map((d) => d.label).join(' and ') : 'not known that year';
  return days === e.label ? e.label : `${e.label} (${days})`;
}

/** The two fields, and what they add to a training or backtest request. */
export interface EventFields {
  holidays: HTMLElement;
  known: HTMLElement;
  apply: (body: Record<string, unknown>) => void;
  /** Says the chosen country's holidays again, for another data set's last year. */
  refresh: () => void;
}

const HOLIDAYS_HINT = 'Each of the country’s holidays gets a term only where the data are more likely with it.';

/** The fields; `dataset` gives the chosen data set, whose last year the hint gives the days of. */
export function eventFields(dataset: () => Dataset | undefined): EventFields {
  const known = h('input', { type: 'text', placeholder: '11-27, easter-2, lunar_new_year', autocomplete: 'off' });
  const holidays = h('select', null, h('option', { value: '' }, 'None'));
  const holidaysField = field('Holidays to ask about', holidays, HOLIDAYS_HINT);
  const hint = holidaysField.querySelector('small');
  const say = (text: string): void => { if (hint) hint.textContent = text; };
  // What the chosen country asks, then, once fetched, on which days of the data's last year:
  // a list checked against the calendar the data were made in.
  const describe = async (): Promise<void> => {
    const code = holidays.value;
    const year = Number(dataset()?.end_date.slice(0, 4));
    const plain = (await holidayCountries()).find((c) => c.code === code);
    if (!plain) { say(HOLIDAYS_HINT); return; }
    say(`${HOLIDAYS_HINT} Asks: ${plain.events.map(asked).join(', ')}.`);
    if (!Number.isInteger(year)) return;
    const dated = (await holidaysIn(year)).find((c) => c.code === code);
    // Another country or data set may have been chosen while the days were fetched.
    if (dated && holidays.value === code && Number(dataset()?.end_date.slice(0, 4)) === year) {
      say(`${HOLIDAYS_HINT} Asks, with the days in ${year} (the data’s last year): ${dated.events.map(asked).join(', ')}.`);
    }
  };
  const refresh = (): void => { void describe().catch(() => undefined); };
  // The list comes from the API, which says what each country asks once one is chosen.
  void holidayCountries().then((list) => {
    holidays.append(...list.map((c) => h('option', { value: c.code }, c.country)));
    holidays.addEventListener('change', refresh);
  }).catch(() => {
    say('The countries could not be loaded; reload the page to try again.');
  });
  return {
    holidays: holidaysField,
    known: field('Events you know of', known, 'Comma-separated, each given a term whatever the data say: a date MM-DD (11-27), the first weekday on or after one (11-23/Fri: Black Friday), or a feast with days from it (easter, easter-2, orthodox_easter, lunar_new_year, eid_al_fitr, eid_al_adha, mid_autumn, dragon_boat, diwali, islamic_new_year, mawlid, isra_miraj, holi, dussehra, buddhas_birthday, vernal_equinox, autumnal_equinox, qingming, seollal, chuseok); an event of several days names its last day after .. (11-20..12-25, easter-2..+1, ramadan).'),
    refresh,
    apply: (body) => {
      const named = known.value.split(',').map((e) => e.trim()).filter((e) => e !== '');
      if (named.length) body.events = named;
      if (holidays.value !== '') body.holidays = holidays.value;
    },
  };
}
