//! Recurring events: periods in which the KPI moves the same way every year, beyond what the
//! model explains (Black Friday, Christmas, Easter, a yearly sale the file does not mark).
//!
//! The fit finds them in its residuals (`recurring_periods`, here) and, when the data ask for
//! it, gives each a 0/1 baseline column that marks the period holding the event every year
//! ([`Rule`], in `rule`: the same calendar date, the first given weekday on or after one, or a
//! day a given number of days from a [`Feast`], in `feasts`; an event the caller names may last
//! several days, and a period then holds a share of it; [`crate::baseline::Events`]). A
//! country's holidays ([`Holidays`], in `holidays`) are candidates the fit asks about. The
//! insights name those the fit leaves unexplained. Weekly and daily data have them; in monthly
//! data a yearly lift is the season's.

mod feasts;
mod holidays;
mod rule;
#[cfg(test)]
mod tests;

pub use feasts::{Feast, FeastDay, easter_sunday, lunar_new_year, orthodox_easter_sunday};
pub use holidays::Holidays;
pub use rule::{Rule, day_span, holds};

use crate::checks;
use crate::dataset::Frequency;
use chrono::{Datelike, NaiveDate};

/// How far, in robust standard deviations of the residuals, a period must lie beyond the fit in
/// every year to count as a recurring event, with three years of data or more: with independent
/// noise a period of the last year does so by chance with probability about
/// `2 · 0.023 · (3 · 0.023)²` (its own miss, and one of three periods in each earlier year), 1
/// in 4,700, or about 1 in 90 over a year's weeks (1 in 13 over a year's days). The rule that
/// it miss by more than the periods around it, and the fit's evidence test, make it rarer
/// still: none of 432 simulated weekly data sets without events got a term (docs/benchmarks.md).
pub(crate) const EVENT_SDS: f64 = 2.0;

/// The same with two years of data, for the same chance: `6 · 0.0062²`, 1 in 4,300.
pub(crate) const EVENT_SDS_TWO_YEARS: f64 = 2.5;

/// How much further than the threshold, in robust sds, a recurring period's misses must lie on
/// average over the years. Without it a simulated market without events got a term for three
/// weeks of noise at 2.0-2.15 sds (1 of 24 data sets); with it, events of 20-40% of the level
/// are found about as often (docs/benchmarks.md, "Events the file does not name").
pub(crate) const EVENT_MEAN_MARGIN: f64 = 0.5;

/// The calendar on which recurring events are sought: the periods of a year and the days of a
/// period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Calendar {
    /// Whole periods in a year: 52 weeks or 365 days.
    pub year: usize,
    /// Days in a period: 7 or 1.
    pub days: u32,
}

impl Calendar {
    /// Weeks: a year back is 52 of them, a day or two short of the same date.
    pub(crate) const WEEKLY: Calendar = Calendar { year: 52, days: 7 };
    /// Days: a year back is 365 of them, 366 over a 29 February.
    pub(crate) const DAILY: Calendar = Calendar { year: 365, days: 1 };

    /// The calendar of `frequency`'s data; none for months.
    pub(crate) fn of(frequency: Frequency) -> Option<Calendar> {
        match frequency {
            Frequency::Weekly => Some(Self::WEEKLY),
            Frequency::Daily => Some(Self::DAILY),
            Frequency::Monthly => None,
        }
    }

    /// Periods back to about the same date `years` years earlier: for days, a leap day every
    /// four years (the day on either side is searched too).
    fn lag(self, years: usize) -> usize {
        years * self.year + if self.days == 1 { years / 4 } else { 0 }
    }

    /// What a period is called: "week" or "day".
    pub(crate) fn period_name(self) -> &'static str {
        if self.days == 1 { "day" } else { "week" }
    }
}

/// How far from its feast's day, in days, the search looks for events that move with it
/// (Maundy Thursday to Easter Monday and the days around; the week before Lunar New Year).
pub(crate) const FEAST_REACH: i64 = 7;

/// One recurring period: a period of the last year and the matching period of each earlier
/// year.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RecurringPeriod {
    /// The period in the last year (an index into the residuals).
    pub last: usize,
    /// The period in each earlier year that missed the same way, latest year first.
    pub earlier: Vec<usize>,
    /// How the periods of the years match.
    pub kind: Match,
}

/// How a recurring period's years match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Match {
    /// By date: the same date, give or take a day.
    Date,
    /// By weekday (days only): the same weekday within six days of the same date, as Black
    /// Friday.
    Weekday,
    /// By a feast: the same days from its day (Easter Sunday, Lunar New Year).
    Feast(Feast),
}

/// The offsets from `feast`'s day, within [`FEAST_REACH`], of the days the period of `days`
/// days from `start` holds.
fn feast_offsets(feast: Feast, start: NaiveDate, days: u32) -> Vec<i64> {
    let Some(day) = feast.occurrence(feast.index_near(start)) else { return Vec::new() };
    let first = (start - day).num_days();
    (first..first + i64::from(days)).filter(|o| o.abs() <= FEAST_REACH).collect()
}

/// The index of the period of `dates` (a regular step of `days` days) that holds `date`.
fn period_of(dates: &[NaiveDate], days: u32, date: NaiveDate) -> Option<usize> {
    let offset = (date - *dates.first()?).num_days();
    let t = usize::try_from(offset.checked_div(i64::from(days))?).ok()?;
    (offset >= 0 && t < dates.len()).then_some(t)
}

/// The periods of the last year of `residuals` (two years at least, on `calendar`; `dates`
/// their first days) that the fit misses the same way, by more than [`EVENT_SDS`] robust
/// residual sds ([`EVENT_SDS_TWO_YEARS`] with two years), in every year, and by
/// [`EVENT_MEAN_MARGIN`] more on average. A period of the last year counts when it misses by
/// more than the two periods on either side (a period within two of a larger miss is that
/// event's shoulder, or the season's swing back from reaching for it: a dip beside a jump, not
/// an event of its own), and in each earlier year one of the periods that match it missed the
/// same way ([`Match`]): one of the three around the same date (a year back, give or take one:
/// weekly dates drift by a day a year, daily ones by a leap day); else, within a week of a
/// [`Feast`]'s day, one of the periods holding the same days from it; else, for days, one of
/// the two days of the same weekday within six days of the same date, all the years' days
/// within seven.
pub(crate) fn recurring_periods(
    residuals: &[f64],
    dates: &[NaiveDate],
    calendar: Calendar,
) -> Vec<RecurringPeriod> {
    let n = residuals.len().min(dates.len());
    let year = calendar.year;
    if n < 2 * year {
        return Vec::new();
    }
    let mut sorted = residuals[..n].to_vec();
    sorted.sort_by(f64::total_cmp);
    let centre = sorted[n / 2];
    let Some(z) = checks::robust_z(&residuals[..n].iter().map(|r| r - centre).collect::<Vec<_>>())
    else {
        return Vec::new();
    };
    let years = n / year;
    let sds = if years >= 3 { EVENT_SDS } else { EVENT_SDS_TWO_YEARS };
    let mut found = Vec::new();
    for t in n - year..n {
        let sign = z[t].signum();
        let shoulder = (t.saturating_sub(2)..(t + 3).min(n)).any(|k| z[k].abs() > z[t].abs());
        if z[t].abs() <= sds || shoulder {
            continue;
        }
        // The worst miss the same way among the candidates of each earlier year (a year's
        // candidates from the period about a year back each; none outside the data).
        let matches = |candidates: &dyn Fn(usize, usize) -> Vec<usize>| -> Option<Vec<usize>> {
            let earlier: Option<Vec<usize>> = (1..=years)
                .filter(|&y| t >= calendar.lag(y))
                .map(|y| {
                    candidates(y, t - calendar.lag(y))
                        .into_iter()
                        .filter(|&k| k < t && sign * z[k] > sds)
                        .max_by(|&a, &b| (sign * z[a]).total_cmp(&(sign * z[b])))
                })
                .collect();
            earlier.filter(|e| !e.is_empty())
        };
        let same_date = |_, at: usize| (at.saturating_sub(1)..=at + 1).collect();
        let same_weekday = |_, at: usize| {
            let back = t - at;
            [back / 7 * 7, back.div_ceil(7) * 7].iter().filter_map(|b| t.checked_sub(*b)).collect()
        };
        let same_feast = |feast: Feast| {
            let offsets = feast_offsets(feast, dates[t], calendar.days);
            // The occurrence `y` before the last year's: `y` years back (for the Eids, whose
            // year is shorter, `y` Hijri years).
            let candidates = |y: usize, _| {
                let index = feast.index_near(dates[t]) - i32::try_from(y).unwrap_or(i32::MAX);
                let Some(day) = feast.occurrence(index) else { return Vec::new() };
                offsets
                    .iter()
                    .filter_map(|&o| {
                        let day = day.checked_add_signed(chrono::Duration::days(o))?;
                        period_of(&dates[..n], calendar.days, day)
                    })
                    .collect()
            };
            let earlier = matches(&candidates).filter(|_| !offsets.is_empty())?;
            Some((earlier, Match::Feast(feast)))
        };
        let weekday_spread = |earlier: &[usize]| {
            let offsets = (1..=earlier.len())
                .zip(earlier)
                .map(|(y, &k)| k as i64 - (t - calendar.lag(y)) as i64)
                .chain([0]);
            let (lo, hi) = offsets.fold((0, 0), |(lo, hi), o| (o.min(lo), o.max(hi)));
            hi - lo
        };
        // A date whose periods are a year apart exactly is a date. One that needs the period
        // beside in some year may be a feast that moved less than a period over the years
        // the data hold (Diwali on 24 October 2022, 12 November 2023 and 31 October 2024): the
        // feast first, then the date. Near a feast, the feast before the weekday: Easter Sunday
        // is a Sunday too, and noise on the Sundays around the same date in earlier years
        // would pass for its weekday.
        let a_year_apart =
            |earlier: &[usize]| earlier.iter().zip(1..).all(|(&k, y)| k + calendar.lag(y) == t);
        let matched = match matches(&same_date) {
            Some(earlier) if a_year_apart(&earlier) => Some((earlier, Match::Date)),
            by_date => Feast::ALL
                .into_iter()
                .find_map(same_feast)
                .or_else(|| by_date.map(|earlier| (earlier, Match::Date))),
        }
        .or_else(|| {
            let earlier = matches(&same_weekday).filter(|_| calendar.days == 1)?;
            (weekday_spread(&earlier) <= 6).then_some((earlier, Match::Weekday))
        });
        let Some((earlier, kind)) = matched else { continue };
        // Each year's miss just past the threshold is how chance looks (three periods of noise
        // near 2 sds): a recurring event misses by more on average.
        let mean = (earlier.iter().map(|&k| sign * z[k]).sum::<f64>() + sign * z[t])
            / (earlier.len() + 1) as f64;
        if mean >= sds + EVENT_MEAN_MARGIN {
            found.push(RecurringPeriod { last: t, earlier, kind });
        }
    }
    found
}

/// The rule that best marks `recurring` of `dates` (periods of `days` days): of the dates the
/// period of the last year holds (seven for a week, one for a day), the one whose 0/1 column
/// (the periods holding it in every year) explains most of `residuals` (the fit window's).
/// Several dates may mark the same periods of the data (those every year's event week holds);
/// of those the middle one, as the least likely to miss the event's week in a later year.
/// Every year holds each date, so 29 February is never one. For days, the dates of the
/// matching days of the earlier years are candidates too: noise can move the last year's
/// largest miss to the day beside the event's.
///
/// A holiday on a weekday is a date too in weekly data: the span of seven days its weekday
/// falls in (Black Friday: 23-29 November) puts its week's first day in a span of seven, so one
/// date (25 November for weeks from Monday) is in its week every year. In daily data, days that
/// match by weekday ([`RecurringPeriod::weekday`]) get a weekday rule: the first such weekday
/// on or after one of the seven dates up to the last year's day, chosen the same way. With three
/// years of Black Fridays (25, 24 and 29 November in 2022-2024) the rules from 23 and 24
/// November mark the same days; the middle one, the 24th, misses it only in years it falls on
/// the 23rd.
pub(crate) fn anchor(
    dates: &[NaiveDate],
    residuals: &[f64],
    recurring: &RecurringPeriod,
    days: u32,
) -> Option<Rule> {
    let start = *dates.get(recurring.last)?;
    let fixed = |date: NaiveDate| Rule::date(date.month(), date.day());
    let candidates: Vec<Rule> = match recurring.kind {
        // The first such weekday on or after one of the six days before it or the day itself.
        Match::Weekday => (-6..=0)
            .filter_map(|offset| start.checked_add_signed(chrono::Duration::days(offset)))
            .map(|from| Rule { weekday: Some(start.weekday()), ..fixed(from) })
            .collect(),
        // The feast's own day first: offsets that mark the same periods tie, and of those the
        // one nearest the feast's day is taken (every Monday-to-Sunday week holding Easter
        // Sunday holds the six days before it).
        Match::Feast(feast) => {
            let mut offsets = feast_offsets(feast, start, days);
            offsets.sort_by_key(|o| o.abs());
            offsets
                .into_iter()
                .filter_map(|o| i32::try_from(o).ok())
                .map(|o| Rule::feast(feast, o))
                .collect()
        }
        Match::Date => {
            let mut dates_held: Vec<NaiveDate> = (0..i64::from(days))
                .filter_map(|offset| start.checked_add_signed(chrono::Duration::days(offset)))
                .collect();
            if days == 1 {
                dates_held.extend(recurring.earlier.iter().filter_map(|&k| dates.get(k).copied()));
            }
            dates_held.into_iter().map(fixed).collect()
        }
    };
    let mut seen = Vec::new();
    let scored: Vec<(f64, Rule)> = candidates
        .into_iter()
        .filter_map(|rule| {
            if !rule.is_valid() || seen.contains(&rule) {
                return None;
            }
            seen.push(rule);
            let (sum, count) = dates
                .iter()
                .zip(residuals)
                .filter(|(d, _)| rule.held_by(**d, days))
                .fold((0.0, 0.0), |(s, c), (_, r)| (s + r, c + 1.0));
            // A date the fit window holds once is no recurring event: its column would fit
            // one period's miss exactly.
            (count >= 2.0).then_some((sum * sum / count, rule))
        })
        .collect();
    let best = scored.iter().map(|s| s.0).fold(f64::NEG_INFINITY, f64::max);
    // Rules that mark the same periods sum the same residuals in the same order: equal exactly.
    let tied: Vec<Rule> = scored.iter().filter(|s| s.0 == best).map(|s| s.1).collect();
    if matches!(recurring.kind, Match::Feast(_)) {
        return tied.first().copied();
    }
    tied.get(tied.len() / 2).copied()
}
