// What a column's name says about its role, as the server reads names.

/** The words, after the channel's name and a separator, of the columns that give a channel's
 * media units beside its spend, in any case, as the server reads them (`MEDIA_UNIT_SUFFIXES`
 * and `NAME_SEPARATORS` in mmm-core): `tv_impressions`, `TV Impressions`. */
const UNIT_WORDS = ['media', 'impressions', 'impression', 'imps', 'grps', 'grp', 'clicks', 'units'];
const SEPARATORS = ['_', ' ', '.', '-'];

/** Whether `column` names the media units of `channel`: `tv_impressions` for `tv`. */
export function isUnitsOf(column: string, channel: string): boolean {
  const l = column.toLowerCase();
  const c = channel.toLowerCase();
  return l.startsWith(c) && SEPARATORS.includes(l.charAt(c.length)) && UNIT_WORDS.includes(l.slice(c.length + 1));
}

/** Whether `column` is a spend column by its name: `tv_spend`, `TV Spend`, `tv.spend`. */
export const spendColumn = (column: string): boolean => {
  const l = column.toLowerCase();
  return l.endsWith('spend') && SEPARATORS.includes(l.charAt(l.length - 6));
};

/** The channel a media column measures, as the server names it: `tv` for `tv_spend`. */
export const channelOf = (column: string): string => (spendColumn(column) && column.length > 6 ? column.slice(0, -6) : column);

/** A column name as the server reads it back from a list or a pair (`quote_name` in mmm-core):
 * in double quotes, a quote doubled, when it holds a comma, an equals sign or a quote, or starts
 * or ends with a space. */
export const quoteName = (name: string): string =>
  /[,="]/.test(name) || name.trim() !== name ? `"${name.replaceAll('"', '""')}"` : name;
