// The fields that name a fit's events: a country's holidays to ask the data about, and the
// events the user knows of. The train and backtest forms share them, so a backtest can check a
// model specified as it was trained.
import { get } from './api';
import { field, h } from './dom';
import type { HolidayCountry } from './types';

let countries: Promise<HolidayCountry[]> | null = null;

/** The countries whose holidays the API can ask about, with the events each asks: fetched once. */
function holidayCountries(): Promise<HolidayCountry[]> {
  countries ??= get<HolidayCountry[]>('/holidays').catch((e: unknown) => {
    countries = null;
    throw e;
  });
  return countries;
}

/** The two fields, and what they add to a training or backtest request. */
export interface EventFields {
  holidays: HTMLElement;
  known: HTMLElement;
  apply: (body: Record<string, unknown>) => void;
}

const HOLIDAYS_HINT = 'Each of the country’s holidays gets a term only where the data are more likely with it.';

export function eventFields(): EventFields {
  const known = h('input', { type: 'text', placeholder: '11-27, easter-2, lunar_new_year', autocomplete: 'off' });
  const holidays = h('select', null, h('option', { value: '' }, 'None'));
  const holidaysField = field('Holidays to ask about', holidays, HOLIDAYS_HINT);
  const hint = holidaysField.querySelector('small');
  // The list comes from the API, which says what each country asks once one is chosen.
  void holidayCountries().then((list) => {
    holidays.append(...list.map((c) => h('option', { value: c.code }, c.country)));
    holidays.addEventListener('change', () => {
      const chosen = list.find((c) => c.code === holidays.value);
      if (hint) hint.textContent = chosen ? `${HOLIDAYS_HINT} Asks: ${chosen.events.map((e) => e.label).join(', ')}.` : HOLIDAYS_HINT;
    });
  }).catch(() => {
    if (hint) hint.textContent = 'The countries could not be loaded; reload the page to try again.';
  });
  return {
    holidays: holidaysField,
    known: field('Events you know of', known, 'Comma-separated, each given a term whatever the data say: a date MM-DD (11-27), the first weekday on or after one (11-23/Fri: Black Friday), or a feast with days from it (easter, easter-2, orthodox_easter, lunar_new_year, eid_al_fitr, eid_al_adha, mid_autumn, dragon_boat, diwali, islamic_new_year, mawlid, isra_miraj, holi, dussehra, buddhas_birthday, vernal_equinox, autumnal_equinox, qingming, seollal, chuseok); an event of several days names its last day after .. (11-20..12-25, easter-2..+1, ramadan).'),
    apply: (body) => {
      const named = known.value.split(',').map((e) => e.trim()).filter((e) => e !== '');
      if (named.length) body.events = named;
      if (holidays.value !== '') body.holidays = holidays.value;
    },
  };
}
