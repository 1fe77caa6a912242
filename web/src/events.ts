// The fields that name a fit's events: a country's holidays to ask the data about, and the
// events the user knows of. The train and backtest forms share them, so a backtest can check a
// model specified as it was trained.
import { field, h } from './dom';

/** The countries whose holidays the API can ask about: its code and its name. */
export const HOLIDAY_COUNTRIES: [string, string][] = [
  ['us', 'United States'], ['uk', 'United Kingdom'], ['de', 'Germany'], ['fr', 'France'],
  ['ca', 'Canada'], ['au', 'Australia'], ['es', 'Spain'], ['it', 'Italy'], ['nl', 'Netherlands'],
  ['br', 'Brazil'], ['mx', 'Mexico'], ['jp', 'Japan'], ['cn', 'China'], ['kr', 'South Korea'], ['in', 'India'],
  ['tr', 'Turkey'], ['sa', 'Saudi Arabia'], ['ae', 'United Arab Emirates'], ['eg', 'Egypt'], ['id', 'Indonesia'],
];

/** The two fields, and what they add to a training or backtest request. */
export interface EventFields {
  holidays: HTMLElement;
  known: HTMLElement;
  apply: (body: Record<string, unknown>) => void;
}

export function eventFields(): EventFields {
  const known = h('input', { type: 'text', placeholder: '11-27, easter-2, lunar_new_year', autocomplete: 'off' });
  const holidays = h('select', null, h('option', { value: '' }, 'None'),
    HOLIDAY_COUNTRIES.map(([code, name]) => h('option', { value: code }, name)));
  return {
    holidays: field('Holidays to ask about', holidays, 'Each of the country’s holidays gets a term only where the data are more likely with it.'),
    known: field('Events you know of', known, 'Comma-separated, each given a term whatever the data say: a date MM-DD (11-27), the first weekday on or after one (11-23/Fri: Black Friday), or a feast with days from it (easter, easter-2, orthodox_easter, lunar_new_year, eid_al_fitr, eid_al_adha, mid_autumn, dragon_boat, diwali); an event of several days names its last day after .. (11-20..12-25, easter-2..+1, ramadan).'),
    apply: (body) => {
      const named = known.value.split(',').map((e) => e.trim()).filter((e) => e !== '');
      if (named.length) body.events = named;
      if (holidays.value !== '') body.holidays = holidays.value;
    },
  };
}
