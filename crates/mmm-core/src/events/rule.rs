//! When a recurring event falls ([`Rule`]), how it is written and read, and how much of it a
//! period holds.

use super::feasts::{Feast, FeastDay};
use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// How far from its feast's day, in days, a stored event may fall (Carnival to Whit Monday).
pub(crate) const FEAST_LIMIT: i32 = 60;

/// The longest event, in days: a quarter of a year (a longer lift is the season's to draw).
pub(crate) const SPAN_LIMIT: u32 = 92;

/// When a recurring event falls: the calendar date `month`/`day` every year, or with a
/// `weekday`, the first such weekday on or after it (Black Friday: the Friday on or after 23
/// November), or with a `feast`, that many days from the feast's day (month and day then 0);
/// for `days` days from that day (a holiday season, Ramadan), or that day alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// Month, 1-12 (0 for an event that moves with a feast).
    pub month: u32,
    /// Day of the month (never 29 February; 0 for an event that moves with a feast).
    pub day: u32,
    /// The weekday the event keeps, if it keeps one rather than its date.
    pub weekday: Option<Weekday>,
    /// The day of a feast the event moves with (Good Friday: Easter, −2).
    pub feast: Option<FeastDay>,
    /// How many days the event lasts from its day: 1 for a day, 36 for 20 November to 25
    /// December, 30 for Ramadan (the 30 days before Eid al-Fitr). Never more than a day for an
    /// event that keeps a weekday.
    pub days: u32,
}

impl Rule {
    /// A date's rule: `month`/`day` every year.
    pub fn date(month: u32, day: u32) -> Rule {
        Rule { month, day, weekday: None, feast: None, days: 1 }
    }

    /// A feast's rule: `offset` days from `feast`'s day every year.
    pub fn feast(feast: Feast, offset: i32) -> Rule {
        Rule { month: 0, day: 0, weekday: None, feast: Some(FeastDay { feast, offset }), days: 1 }
    }

    /// The same rule for an event that lasts `days` days from its day.
    pub fn lasting(self, days: u32) -> Rule {
        Rule { days, ..self }
    }

    /// Ramadan, as the 30 days before Eid al-Fitr (the month has 29 or 30; in a year of 29 the
    /// first is the last day of Sha'ban).
    pub fn ramadan() -> Rule {
        Rule::feast(Feast::EidAlFitr, -30).lasting(30)
    }

    /// Navratri, the nine nights before Dussehra (India's festive season opens with it).
    pub fn navratri() -> Rule {
        Rule::feast(Feast::Dussehra, -9).lasting(9)
    }

    /// The spans written by a name of their own, with that name and their label.
    fn named_spans() -> [(Rule, &'static str, &'static str); 2] {
        [(Rule::ramadan(), "ramadan", "Ramadan"), (Rule::navratri(), "navratri", "Navratri")]
    }

    /// The event's day in `year`: the date, the first `weekday` on or after it (which may
    /// fall in the next year), or the day `offset` days from the feast's in its occurrence
    /// `year` (for the Eids a Hijri year: [`Feast::occurrence`]).
    pub fn date_in(self, year: i32) -> Option<NaiveDate> {
        if let Some(FeastDay { feast, offset }) = self.feast {
            let day = feast.occurrence(year)?;
            return day.checked_add_signed(chrono::Duration::days(offset.into()));
        }
        let date = NaiveDate::from_ymd_opt(year, self.month, self.day)?;
        let Some(weekday) = self.weekday else { return Some(date) };
        let ahead =
            (7 + weekday.num_days_from_monday() - date.weekday().num_days_from_monday()) % 7;
        date.checked_add_signed(chrono::Duration::days(i64::from(ahead)))
    }

    /// Whether the period of `days` days that starts on `start` holds the event's day of some
    /// year, or a day of it for an event that lasts longer.
    pub fn held_by(self, start: NaiveDate, days: u32) -> bool {
        self.share(start, days) > 0.0
    }

    /// How much of the event the period of `days` days that starts on `start` holds, as the
    /// event's column in the model: the days of the event it holds over the days of the event
    /// a period can hold (the shorter of the two). So 0 or 1 for a day; for a holiday season in
    /// weekly data, 1 for a week within it and 3/7 for a week that holds three of its days;
    /// for a three-day event, 1 for the week that holds all three. The effect is then the
    /// lift of a period that holds the whole event, or is wholly within it.
    pub fn share(self, start: NaiveDate, days: u32) -> f64 {
        let year = self.feast.map_or(start.year(), |f| f.feast.index_near(start));
        let length = i64::from(self.days.max(1));
        let held: i64 = (year - 1..=year + 1)
            .filter_map(|year| self.date_in(year))
            .map(|first| {
                let offset = (first - start).num_days();
                (offset + length).min(i64::from(days)) - offset.max(0)
            })
            .filter(|held| *held > 0)
            .sum();
        (held as f64 / length.min(i64::from(days.max(1))) as f64).min(1.0)
    }

    /// How many times the periods starting on `dates` (consecutive, of `days` days) hold the
    /// event: once a year, for the run of periods holding part of it (one period for a day).
    pub fn times_held(self, dates: &[NaiveDate], days: u32) -> usize {
        self.occurrences(dates, days).len()
    }

    /// The runs of `dates` (consecutive periods of `days` days) that hold the event, one a year,
    /// as ranges of period indices.
    pub fn occurrences(self, dates: &[NaiveDate], days: u32) -> Vec<std::ops::Range<usize>> {
        let mut runs: Vec<std::ops::Range<usize>> = Vec::new();
        for (t, date) in dates.iter().enumerate() {
            if !self.held_by(*date, days) {
                continue;
            }
            match runs.last_mut() {
                Some(run) if run.end == t => run.end = t + 1,
                _ => runs.push(t..t + 1),
            }
        }
        runs
    }

    /// The days the event holds in the Gregorian `year`, as the first and last day of each run
    /// of them: one run a year mostly, two where an Islamic feast falls twice in one year (Eid
    /// al-Fitr in 2000 and 2033) or a span runs over New Year; none where its table does not
    /// reach.
    pub fn days_in(self, year: i32) -> Vec<(NaiveDate, NaiveDate)> {
        let (Some(first), Some(last)) =
            (NaiveDate::from_ymd_opt(year, 1, 1), NaiveDate::from_ymd_opt(year, 12, 31))
        else {
            return Vec::new();
        };
        let days: Vec<NaiveDate> = first.iter_days().take_while(|d| *d <= last).collect();
        self.occurrences(&days, 1)
            .into_iter()
            .filter_map(|run| Some((*days.get(run.start)?, *days.get(run.end.checked_sub(1)?)?)))
            .collect()
    }

    /// A key that orders rules by date, then weekday (those that move with a feast first, by
    /// feast and offset), then length.
    pub(crate) fn key(self) -> (u32, u32, u32, usize, i32, u32) {
        let weekday = self.weekday.map_or(0, |w| w.number_from_monday());
        let (feast, offset) = self.feast.map_or((0, 0), |f| {
            (Feast::ALL.iter().position(|g| *g == f.feast).map_or(0, |i| i + 1), f.offset)
        });
        (self.month, self.day, weekday, feast, offset, self.days)
    }

    /// The event's last day, as a rule for that day alone.
    fn last_day(self) -> Rule {
        let days = i32::try_from(self.days.max(1)).unwrap_or(1) - 1;
        match self.feast {
            Some(FeastDay { feast, offset }) => Rule::feast(feast, offset + days),
            None => NaiveDate::from_ymd_opt(2001, self.month, self.day)
                .and_then(|d| d.checked_add_signed(chrono::Duration::days(days.into())))
                .map_or(self, |last| Rule::date(last.month(), last.day())),
        }
    }

    /// How the event is named, as people write it: "27 November", "the Friday of 23-29
    /// November", "Good Friday", "3 days before Easter Sunday", "Lunar New Year", "20 November
    /// to 25 December", "Good Friday to Easter Monday", "Eid al-Adha and the 3 days after",
    /// "Ramadan".
    pub fn label(self) -> String {
        if let Some((_, _, label)) = Rule::named_spans().into_iter().find(|s| s.0 == self) {
            return label.to_owned();
        }
        if self.days > 1 {
            let first = Rule { days: 1, ..self };
            return match (self.feast, self.days - 1) {
                (Some(FeastDay { offset: 0, .. }), 1) => {
                    format!("{} and the day after", first.label())
                }
                (Some(FeastDay { offset: 0, .. }), after) => {
                    format!("{} and the {after} days after", first.label())
                }
                _ => format!("{} to {}", first.label(), self.last_day().label()),
            };
        }
        if let Some(FeastDay { feast, offset }) = self.feast {
            return feast.day_name(offset);
        }
        let Some(first) = NaiveDate::from_ymd_opt(2001, self.month, self.day) else {
            return format!("{}/{}", self.day, self.month);
        };
        let Some(weekday) = self.weekday else { return first.format("%-d %B").to_string() };
        let last = first + chrono::Duration::days(6);
        let span = if last.month() == first.month() {
            format!("{}-{}", first.day(), last.format("%-d %B"))
        } else {
            format!("{}-{}", first.format("%-d %B"), last.format("%-d %B"))
        };
        format!("the {} of {span}", weekday_name(weekday))
    }

    /// Whether the rule is one every year has: a real date other than 29 February, with or
    /// without a weekday, or a day within [`FEAST_LIMIT`] of a feast's; lasting 1 to
    /// [`SPAN_LIMIT`] days (one with a weekday), a feast's last day within the limit too.
    pub(crate) fn is_valid(self) -> bool {
        let lasts =
            (1..=SPAN_LIMIT).contains(&self.days) && (self.days == 1 || self.weekday.is_none());
        lasts
            && match self.feast {
                Some(FeastDay { offset, .. }) => {
                    let last = i64::from(offset) + i64::from(self.days) - 1;
                    (self.month, self.day, self.weekday) == (0, 0, None)
                        && offset.abs() <= FEAST_LIMIT
                        && last.abs() <= i64::from(FEAST_LIMIT)
                }
                None => every_year_has(self.month, self.day),
            }
    }
}

/// "14 March", "6-8 February", "30 January to 2 February": the days from `first` to `last`, as
/// [`Rule::days_in`] gives them.
pub fn day_span((first, last): (NaiveDate, NaiveDate)) -> String {
    if first == last {
        first.format("%-d %B").to_string()
    } else if first.month() == last.month() {
        format!("{}-{}", first.day(), last.format("%-d %B"))
    } else {
        format!("{} to {}", first.format("%-d %B"), last.format("%-d %B"))
    }
}

/// A rule as written in a specification (`mmm fit --event`, the API's `events`): `MM-DD` for a
/// date (`11-27`), `MM-DD/Fri` for the first such weekday on or after it (Black Friday:
/// `11-23/Fri`), a feast's name for its day (`easter`, `lunar_new_year`, `holi`: each of
/// [`Feast::ALL`] as it serialises) and with a signed number of days for a day near it
/// (`easter-2`: Good Friday). An event that lasts several days names its last day after
/// `..`: a date (`11-20..12-25`, which may run into the next year), or for a feast the days
/// from it (`easter-2..+1`: Good Friday to Easter Monday). `ramadan` is `eid_al_fitr-30..-1`,
/// `navratri` `dussehra-9..-1`. A span is counted in a year without 29 February: in a leap year
/// one over it ends a date earlier, with the same number of days.
impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some((_, name, _)) = Rule::named_spans().into_iter().find(|s| s.0 == *self) {
            return write!(f, "{name}");
        }
        if let Some(FeastDay { feast, offset }) = self.feast {
            let name = serde_json::to_value(feast).ok();
            let name = name.as_ref().and_then(|n| n.as_str()).unwrap_or_default();
            match offset {
                0 => write!(f, "{name}")?,
                o => write!(f, "{name}{o:+}")?,
            };
            return match self.last_day().feast {
                Some(last) if self.days > 1 => write!(f, "..{:+}", last.offset),
                _ => Ok(()),
            };
        }
        write!(f, "{:02}-{:02}", self.month, self.day)?;
        if let Some(weekday) = self.weekday {
            return write!(f, "/{weekday}");
        }
        let last = self.last_day();
        match self.days {
            1 => Ok(()),
            _ => write!(f, "..{:02}-{:02}", last.month, last.day),
        }
    }
}

/// Reads one day's rule: `MM-DD`, `MM-DD/Fri`, a feast's name with or without days from it.
fn day_rule(text: &str) -> Result<Rule, String> {
    if text.starts_with(|c: char| c.is_ascii_digit()) {
        let (date, weekday) = match text.split_once('/') {
            Some((date, weekday)) => (date, Some(weekday)),
            None => (text, None),
        };
        let number = |part: Option<&str>| part.and_then(|p| p.trim().parse::<u32>().ok());
        let mut parts = date.split('-');
        let (month, day) = (number(parts.next()), number(parts.next()));
        let (Some(month), Some(day), None) = (month, day, parts.next()) else {
            return Err(format!("'{text}' is not a date MM-DD (11-27)"));
        };
        let weekday = match weekday {
            Some(w) => Some(
                w.trim()
                    .parse::<Weekday>()
                    .map_err(|_| format!("'{text}': '{w}' is not a weekday (Mon to Sun)"))?,
            ),
            None => None,
        };
        return Ok(Rule { weekday, ..Rule::date(month, day) });
    }
    let split = text.find(['+', '-']).unwrap_or(text.len());
    let (name, offset) = text.split_at(split);
    let feast: Feast =
        serde_json::from_value(serde_json::Value::from(name.trim())).map_err(|_| {
            format!(
                "'{text}' is neither a date MM-DD nor a feast ({}), with days from it as -2 or \
                 +1, nor ramadan or navratri",
                Feast::names()
            )
        })?;
    let offset = match offset.trim() {
        "" => 0,
        o => o.parse::<i32>().map_err(|_| format!("'{text}': '{o}' is not a number of days"))?,
    };
    Ok(Rule::feast(feast, offset))
}

/// The rule for an event from `first`'s day to `last` (`MM-DD` after a date, days from the
/// feast after a feast's day, as `+1` or `easter+1`), as `text` writes it.
fn span_rule(first: Rule, last: &str, text: &str) -> Result<Rule, String> {
    let last = last.trim();
    if first.weekday.is_some() {
        return Err(format!("'{text}': an event that keeps a weekday lasts one day"));
    }
    let days = match first.feast {
        Some(FeastDay { feast, offset }) => {
            let same_feast = || day_rule(last).ok()?.feast.filter(|f| f.feast == feast);
            let end = last.parse::<i32>().ok().or_else(|| same_feast().map(|f| f.offset));
            let end = end.ok_or_else(|| {
                format!("'{text}': after '..' comes the last day's days from the feast, as +1")
            })?;
            i64::from(end) - i64::from(offset) + 1
        }
        None => {
            let end = day_rule(last)
                .ok()
                .filter(|end| end.feast.is_none() && end.weekday.is_none())
                .ok_or_else(|| format!("'{text}': after '..' comes the last day, MM-DD"))?;
            let date = |r: Rule| NaiveDate::from_ymd_opt(2001, r.month, r.day);
            let (Some(from), Some(to)) = (date(first), date(end)) else {
                return Err(format!("'{text}' is not a span of dates every year has"));
            };
            // A span that ends on an earlier date runs into the next year.
            (to - from).num_days().rem_euclid(365) + 1
        }
    };
    if days < 1 {
        return Err(format!("'{text}' ends before it starts"));
    }
    if days > i64::from(SPAN_LIMIT) {
        return Err(format!(
            "'{text}' lasts {days} days; an event lasts {SPAN_LIMIT} at most (a longer lift is \
             the season's)"
        ));
    }
    Ok(first.lasting(u32::try_from(days).unwrap_or(SPAN_LIMIT)))
}

impl std::str::FromStr for Rule {
    type Err = String;

    /// Reads a rule as [`Rule`]'s `Display` writes it; the error says what is wrong.
    fn from_str(text: &str) -> Result<Rule, String> {
        let text = text.trim();
        let named = Rule::named_spans().into_iter().find(|s| s.1 == text).map(|s| s.0);
        let rule = match (named, text.split_once("..")) {
            (Some(rule), _) => rule,
            (None, Some((first, last))) => span_rule(day_rule(first.trim())?, last, text)?,
            (None, None) => day_rule(text)?,
        };
        if rule.is_valid() {
            Ok(rule)
        } else if rule.feast.is_some() {
            Err(format!("'{text}': a feast's event falls within {FEAST_LIMIT} days of it"))
        } else {
            Err(format!("'{text}' is not a date every year has (29 February is not)"))
        }
    }
}

impl Serialize for Rule {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Rule {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Rule, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A weekday's English name.
fn weekday_name(weekday: Weekday) -> &'static str {
    match weekday {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

/// Whether every year has `month`/`day`: a real date other than 29 February (2001 was no leap
/// year).
pub(crate) fn every_year_has(month: u32, day: u32) -> bool {
    NaiveDate::from_ymd_opt(2001, month, day).is_some()
}

/// Whether the period of `days` days that starts on `start` holds `month`/`day` of some year.
pub fn holds(start: NaiveDate, days: u32, month: u32, day: u32) -> bool {
    Rule::date(month, day).held_by(start, days)
}
