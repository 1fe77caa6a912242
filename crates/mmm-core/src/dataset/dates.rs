//! Reading a file's dates: ISO `YYYY-MM-DD`, or the regional forms spreadsheets export
//! (`03/01/2022`, `1/3/2022`, `03.01.2022`, `2022/01/03`), told apart from the whole column.

use super::{Frequency, shorten};
use chrono::NaiveDate;

/// How a file writes its dates. Every cell of a file is read the same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DateStyle {
    /// `2022-01-03`.
    Iso,
    /// `2022/01/03`.
    YearFirst,
    /// `03/01/2022` (or with `.` or `-`): day, month, year.
    DayFirst(char),
    /// `01/03/2022` (or with `-`): month, day, year.
    MonthFirst(char),
}

/// Every style a file may use, ISO first: it wins a tie.
const STYLES: [DateStyle; 7] = [
    DateStyle::Iso,
    DateStyle::YearFirst,
    DateStyle::DayFirst('/'),
    DateStyle::MonthFirst('/'),
    DateStyle::DayFirst('.'),
    DateStyle::DayFirst('-'),
    DateStyle::MonthFirst('-'),
];

impl DateStyle {
    /// The style of a file's date column, from its cells: the one that reads the most of them,
    /// among those that read the first. Day-first and month-first forms that read as many are
    /// told apart by which gives periods a day or a week apart; if both or neither do, the
    /// dates are ambiguous, and that is the problem returned. A column none of whose styles
    /// reads the first cell is ISO (each cell is then reported as not an ISO date).
    pub(super) fn detect<'a>(cells: impl Iterator<Item = &'a str>) -> Result<DateStyle, String> {
        let days: Vec<&str> =
            cells.map(|c| split_time(c.trim()).0).filter(|d| !d.is_empty()).collect();
        let Some(first) = days.first() else { return Ok(DateStyle::Iso) };
        let fits_first: Vec<DateStyle> =
            STYLES.into_iter().filter(|s| s.parse(first).is_some()).collect();
        if let [style] = fits_first.as_slice() {
            return Ok(*style);
        }
        let read = |style: &DateStyle| days.iter().filter(|d| style.parse(d).is_some()).count();
        let candidates: Vec<(DateStyle, usize)> =
            fits_first.into_iter().map(|s| (s, read(&s))).collect();
        let most = candidates.iter().map(|(_, n)| *n).max().unwrap_or(0);
        let best: Vec<DateStyle> =
            candidates.into_iter().filter(|(_, n)| *n == most).map(|(s, _)| s).collect();
        match best.as_slice() {
            [] => Ok(DateStyle::Iso),
            [style, ..] if *style == DateStyle::Iso => Ok(DateStyle::Iso),
            [style] => Ok(*style),
            several => {
                let regular: Vec<DateStyle> =
                    several.iter().copied().filter(|s| s.regular(&days)).collect();
                match regular.as_slice() {
                    [style] => Ok(*style),
                    _ => Err(format!(
                        "dates such as '{}' read as {} alike; write them as YYYY-MM-DD",
                        shorten(first),
                        several.iter().map(|s| s.form()).collect::<Vec<_>>().join(" and ")
                    )),
                }
            }
        }
    }

    /// The date `day` (without a time) in this style.
    fn parse(self, day: &str) -> Option<NaiveDate> {
        let (sep, order) = match self {
            DateStyle::Iso => ('-', [0, 1, 2]),
            DateStyle::YearFirst => ('/', [0, 1, 2]),
            DateStyle::DayFirst(sep) => (sep, [2, 1, 0]),
            DateStyle::MonthFirst(sep) => (sep, [2, 0, 1]),
        };
        let mut parts = day.split(sep);
        let fields = [parts.next()?, parts.next()?, parts.next()?];
        if parts.next().is_some() {
            return None;
        }
        let (year, month, date) = (fields[order[0]], fields[order[1]], fields[order[2]]);
        // ISO days and months have two digits; the regional forms may drop a leading zero.
        let short_ok = self != DateStyle::Iso;
        let digits = |s: &str, len: std::ops::RangeInclusive<usize>| {
            len.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
        };
        let two = if short_ok { 1..=2 } else { 2..=2 };
        if !(digits(year, 4..=4) && digits(month, two.clone()) && digits(date, two)) {
            return None;
        }
        NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, date.parse().ok()?)
    }

    /// Whether `days`, read in this style, are a day, a week or a month apart throughout.
    fn regular(self, days: &[&str]) -> bool {
        let dates: Option<Vec<NaiveDate>> = days.iter().map(|d| self.parse(d)).collect();
        let Some(dates) = dates else { return false };
        let Some(frequency) = dates.get(..2).and_then(|w| Frequency::of_step(w[0], w[1])) else {
            return false;
        };
        dates.windows(2).all(|w| frequency.follows(w[0], w[1]))
    }

    /// How this style writes a date, for messages: `YYYY-MM-DD`, `DD/MM/YYYY`, ...
    fn form(self) -> String {
        match self {
            DateStyle::Iso => "YYYY-MM-DD".to_owned(),
            DateStyle::YearFirst => "YYYY/MM/DD".to_owned(),
            DateStyle::DayFirst(s) => format!("DD{s}MM{s}YYYY"),
            DateStyle::MonthFirst(s) => format!("MM{s}DD{s}YYYY"),
        }
    }

    /// What a cell that is not a date in this style is reported as.
    fn not_a_date(self, cell: &str) -> String {
        match self {
            DateStyle::Iso => format!("not an ISO date (YYYY-MM-DD): '{}'", shorten(cell)),
            style => {
                format!("not a date in the file's form ({}): '{}'", style.form(), shorten(cell))
            }
        }
    }
}

/// A date cell's date, in `style`. Exports of date-times (pandas, databases, spreadsheets)
/// write midnight after the date: that is the date. Any other time of day is a problem, as a
/// period is a whole day or week.
pub(super) fn parse_date(cell: &str, style: DateStyle) -> Result<NaiveDate, String> {
    let s = cell.trim();
    if s.is_empty() {
        return Err("empty date".to_owned());
    }
    let (day, time) = split_time(s);
    let date = style.parse(day).ok_or_else(|| style.not_a_date(s))?;
    match time.map(midnight) {
        None | Some(Some(true)) => Ok(date),
        Some(Some(false)) => Err(format!(
            "'{}' has a time of day: give each period's date alone ({})",
            shorten(s),
            style.form()
        )),
        Some(None) => Err(style.not_a_date(s)),
    }
}

/// A cell's date part and, after a space or a `T`, its time part.
fn split_time(s: &str) -> (&str, Option<&str>) {
    match s.find([' ', 'T']) {
        Some(at) => (&s[..at], Some(&s[at + 1..])),
        None => (s, None),
    }
}

/// Whether a time (`HH:MM`, `HH:MM:SS` with optional fraction, then optionally `Z` or an offset
/// `±HH:MM`) is midnight; `None` if it is not a time.
fn midnight(time: &str) -> Option<bool> {
    let time = time.strip_suffix('Z').unwrap_or(time);
    let time =
        match time.len().checked_sub(6).and_then(|at| Some((time.get(..at)?, time.get(at..)?))) {
            Some((t, offset))
                if offset.starts_with(['+', '-'])
                    && chrono::NaiveTime::parse_from_str(&offset[1..], "%H:%M").is_ok() =>
            {
                t
            }
            _ => time,
        };
    ["%H:%M:%S%.f", "%H:%M"]
        .iter()
        .find_map(|f| chrono::NaiveTime::parse_from_str(time, f).ok())
        .map(|t| t == chrono::NaiveTime::MIN)
}
