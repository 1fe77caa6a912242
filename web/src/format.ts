// Number formatting for money, ratios and shares.

const whole = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const two = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export const money = (v: number): string => (Number.isFinite(v) ? whole.format(v) : '–');
export const ratio = (v: number): string => (Number.isFinite(v) ? two.format(v) : '–');
export const pct = (v: number, digits = 1): string =>
  Number.isFinite(v) ? `${(100 * v).toFixed(digits)}%` : '–';
export const signedPct = (v: number): string => `${v >= 0 ? '+' : ''}${pct(v)}`;
export const interval = (i: [number, number] | undefined, f: (v: number) => string = ratio): string =>
  i ? `[${f(i[0])}, ${f(i[1])}]` : '';
export const compact = (v: number): string =>
  new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 }).format(v);

/** Periods in a quarter, the window of a model's current spend and recent control levels. */
export const periodsPerQuarter = (frequency: string): number =>
  ({ daily: 91, weekly: 13, monthly: 3 } as Record<string, number>)[frequency] ?? 13;

/** The word for one period of a data set or model of this frequency ("day", "week", "month"). */
export const periodName = (frequency: string): string =>
  ({ daily: 'day', weekly: 'week', monthly: 'month' } as Record<string, string>)[frequency] ?? 'period';
