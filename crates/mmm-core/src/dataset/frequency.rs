//! The spacing of a data set's periods and the calendar arithmetic it implies.
//!
//! Days and weeks are a fixed number of days apart. Months are not (28 to 31 days), so a monthly
//! period is named by its calendar month: any day of the month names it (the 1st, the last day,
//! or the day an export happened to use), and consecutive rows must name consecutive months.

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Spacing of the periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    /// One row per day.
    Daily,
    /// One row per week.
    Weekly,
    /// One row per calendar month.
    Monthly,
}

impl Frequency {
    /// Periods in a year (for yearly seasonality).
    pub fn periods_per_year(self) -> f64 {
        match self {
            Frequency::Daily => 365.25,
            Frequency::Weekly => 365.25 / 7.0,
            Frequency::Monthly => 12.0,
        }
    }

    /// Periods in a quarter: 91 days, 13 weeks or 3 months (the backtest's default horizon).
    pub fn periods_per_quarter(self) -> usize {
        match self {
            Frequency::Daily => 91,
            Frequency::Weekly => 13,
            Frequency::Monthly => 3,
        }
    }

    /// The word for one period: "day", "week" or "month".
    pub fn period_name(self) -> &'static str {
        match self {
            Frequency::Daily => "day",
            Frequency::Weekly => "week",
            Frequency::Monthly => "month",
        }
    }

    /// The date `n` periods after `date` (before it for negative `n`); `None` outside the
    /// calendar's range. A month keeps the day of the month, clamped to the month's length, and
    /// a month's last day steps to the next month's last day (2024-02-29 is followed by
    /// 2024-03-31).
    pub fn nth_after(self, date: NaiveDate, n: i64) -> Option<NaiveDate> {
        let days = |step: u64| {
            let by = Days::new(n.unsigned_abs().checked_mul(step)?);
            if n >= 0 { date.checked_add_days(by) } else { date.checked_sub_days(by) }
        };
        match self {
            Frequency::Daily => days(1),
            Frequency::Weekly => days(7),
            Frequency::Monthly => {
                let by = Months::new(u32::try_from(n.unsigned_abs()).ok()?);
                let shifted =
                    if n >= 0 { date.checked_add_months(by) } else { date.checked_sub_months(by) }?;
                if is_month_end(date) { month_end(shifted) } else { Some(shifted) }
            }
        }
    }

    /// How many periods `date` lies after `start` (negative before it), or `None` when `date`
    /// is not on the calendar of periods through `start` (a weekly date on another weekday).
    /// Any day of a month stands for that month.
    pub fn periods_between(self, start: NaiveDate, date: NaiveDate) -> Option<i64> {
        match self {
            Frequency::Daily => Some((date - start).num_days()),
            Frequency::Weekly => {
                let days = (date - start).num_days();
                (days % 7 == 0).then_some(days / 7)
            }
            Frequency::Monthly => Some(month_index(date) - month_index(start)),
        }
    }

    /// The spacing that `next` following `prev` suggests, if it is one of the supported ones.
    pub fn of_step(prev: NaiveDate, next: NaiveDate) -> Option<Frequency> {
        match (next - prev).num_days() {
            1 => Some(Frequency::Daily),
            7 => Some(Frequency::Weekly),
            28..=31 if month_index(next) - month_index(prev) == 1 => Some(Frequency::Monthly),
            _ => None,
        }
    }

    /// Whether `next` is the period right after `prev`.
    pub fn follows(self, prev: NaiveDate, next: NaiveDate) -> bool {
        Frequency::of_step(prev, next) == Some(self)
    }
}

impl fmt::Display for Frequency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Frequency::Daily => "daily",
            Frequency::Weekly => "weekly",
            Frequency::Monthly => "monthly",
        })
    }
}

/// Months since year 0, so that consecutive months differ by one.
fn month_index(date: NaiveDate) -> i64 {
    i64::from(date.year()) * 12 + i64::from(date.month0())
}

fn is_month_end(date: NaiveDate) -> bool {
    date.succ_opt().is_none_or(|next| next.month() != date.month())
}

fn month_end(date: NaiveDate) -> Option<NaiveDate> {
    let first = date.with_day(1)?;
    first.checked_add_months(Months::new(1))?.pred_opt()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn days_and_weeks_step_by_a_fixed_number_of_days() {
        assert_eq!(Frequency::Daily.nth_after(d("2024-02-28"), 2), Some(d("2024-03-01")));
        assert_eq!(Frequency::Weekly.nth_after(d("2024-01-01"), -2), Some(d("2023-12-18")));
        assert_eq!(Frequency::Weekly.periods_between(d("2024-01-01"), d("2024-01-29")), Some(4));
        assert_eq!(Frequency::Weekly.periods_between(d("2024-01-01"), d("2023-12-25")), Some(-1));
        assert_eq!(Frequency::Weekly.periods_between(d("2024-01-01"), d("2024-01-03")), None);
        assert_eq!(Frequency::Weekly.nth_after(d("2024-01-01"), i64::MAX), None);
    }

    #[test]
    fn months_keep_the_day_or_the_month_end() {
        let m = Frequency::Monthly;
        assert_eq!(m.nth_after(d("2024-01-01"), 13), Some(d("2025-02-01")));
        assert_eq!(m.nth_after(d("2024-01-15"), -1), Some(d("2023-12-15")));
        // Month ends stay month ends, through February in a leap year and out of it.
        assert_eq!(m.nth_after(d("2024-01-31"), 1), Some(d("2024-02-29")));
        assert_eq!(m.nth_after(d("2024-02-29"), 1), Some(d("2024-03-31")));
        assert_eq!(m.nth_after(d("2024-02-29"), 12), Some(d("2025-02-28")));
        assert_eq!(m.nth_after(d("2024-04-30"), -2), Some(d("2024-02-29")));
        // A day that the target month lacks is clamped to its end.
        assert_eq!(m.nth_after(d("2024-03-30"), -1), Some(d("2024-02-29")));
        assert_eq!(m.nth_after(d("2024-01-01"), i64::MAX), None);
    }

    #[test]
    fn any_day_of_a_month_names_it() {
        let m = Frequency::Monthly;
        assert_eq!(m.periods_between(d("2024-01-31"), d("2024-03-01")), Some(2));
        assert_eq!(m.periods_between(d("2024-01-01"), d("2023-11-30")), Some(-2));
        assert_eq!(m.periods_between(d("2023-12-01"), d("2025-01-01")), Some(13));
    }

    #[test]
    fn steps_are_told_apart() {
        assert_eq!(Frequency::of_step(d("2024-01-31"), d("2024-02-01")), Some(Frequency::Daily));
        assert_eq!(Frequency::of_step(d("2024-01-29"), d("2024-02-05")), Some(Frequency::Weekly));
        for (a, b) in [
            ("2024-01-01", "2024-02-01"),
            ("2024-01-31", "2024-02-29"),
            ("2024-02-29", "2024-03-31"),
            ("2023-02-28", "2023-03-28"),
            ("2024-12-15", "2025-01-12"),
        ] {
            assert_eq!(Frequency::of_step(d(a), d(b)), Some(Frequency::Monthly), "{a} -> {b}");
        }
        // Two months apart, or a month's gap within one month: not a monthly step.
        assert_eq!(Frequency::of_step(d("2023-01-31"), d("2023-03-01")), None);
        assert_eq!(Frequency::of_step(d("2024-01-01"), d("2024-01-31")), None);
        assert_eq!(Frequency::of_step(d("2024-01-01"), d("2024-01-15")), None);
        assert!(Frequency::Monthly.follows(d("2024-01-31"), d("2024-02-29")));
        assert!(!Frequency::Weekly.follows(d("2024-01-31"), d("2024-02-29")));
    }
}
