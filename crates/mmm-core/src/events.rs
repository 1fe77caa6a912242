//! Recurring events: periods in which the KPI moves the same way every year, beyond what the
//! model explains (Black Friday, Christmas, Easter, a yearly sale the file does not mark).
//!
//! The fit finds them in its residuals (`recurring_periods`) and, when the data ask for it,
//! gives each a 0/1 baseline column that marks the period holding the event every year
//! ([`Rule`]: the same calendar date, the first given weekday on or after one, or a day a
//! given number of days from a [`Feast`]: Easter, Orthodox Easter, Lunar New Year or an Eid;
//! [`crate::baseline::Events`]); the insights name those the fit leaves unexplained. Weekly and
//! daily data have them; in monthly data a yearly lift is the season's.

use crate::checks;
use crate::dataset::Frequency;
use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

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

/// How far from its feast's day, in days, a stored event may fall (Carnival to Whit Monday).
pub(crate) const FEAST_LIMIT: i32 = 60;

/// A feast whose date moves in the civil calendar from year to year, and events with it: the
/// week of Easter, Orthodox Easter, Lunar New Year, an Eid, the Mid-Autumn or Dragon Boat
/// Festival or Diwali lifts a market whose file marks nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Feast {
    /// Easter Sunday of the Western churches.
    Easter,
    /// Easter Sunday of the Orthodox churches (Greece, Romania, Serbia, Russia, Ukraine...).
    OrthodoxEaster,
    /// The first day of the Chinese lunisolar year (Spring Festival, Tết, Seollal), 1900-2099.
    LunarNewYear,
    /// The feast that ends Ramadan, 1 Shawwal (Umm al-Qura calendar, 1925-2077): about 11
    /// days earlier every year.
    EidAlFitr,
    /// The feast of the sacrifice, 10 Dhu al-Hijjah (Umm al-Qura calendar, 1925-2077).
    EidAlAdha,
    /// The 15th day of the eighth month of the Chinese lunisolar calendar (Zhongqiu, Chuseok,
    /// Tết Trung Thu), 1900-2099: 7 September to 8 October.
    MidAutumn,
    /// The 5th day of the fifth month of the Chinese lunisolar calendar (Duanwu), 1900-2099:
    /// 27 May to 25 June.
    DragonBoat,
    /// The Hindu festival of lights, on the new moon (Amavasya) that ends the month of Ashvin,
    /// 1900-2099: 15 October to 17 November.
    Diwali,
}

impl Feast {
    /// Every feast, in the order the search asks for them: Easter first (a week that holds both
    /// Easters, as in 2025, is Easter's).
    pub const ALL: [Feast; 8] = [
        Feast::Easter,
        Feast::OrthodoxEaster,
        Feast::LunarNewYear,
        Feast::EidAlFitr,
        Feast::EidAlAdha,
        Feast::MidAutumn,
        Feast::DragonBoat,
        Feast::Diwali,
    ];

    /// The feast's day in its occurrence `index`: the Gregorian year for Easter, Orthodox
    /// Easter, the Chinese calendar's feasts and Diwali; the Islamic (Hijri) year for the Eids,
    /// whose year is 11 days shorter (some Gregorian years hold two of them: Eid al-Fitr in 2000
    /// and 2033). None outside the years its calendar covers.
    pub fn occurrence(self, index: i32) -> Option<NaiveDate> {
        match self {
            Feast::Easter => easter_sunday(index),
            Feast::OrthodoxEaster => orthodox_easter_sunday(index),
            Feast::LunarNewYear => lunar_new_year(index),
            Feast::EidAlFitr => hijri_table(&EID_AL_FITR, index),
            Feast::EidAlAdha => hijri_table(&EID_AL_ADHA, index),
            Feast::MidAutumn => lunar_table(&MID_AUTUMN, (9, 7), index),
            Feast::DragonBoat => lunar_table(&DRAGON_BOAT, (5, 27), index),
            Feast::Diwali => lunar_table(&DIWALI, (10, 15), index),
        }
    }

    /// The index of an occurrence near `date` ([`Self::occurrence`]): for the Eids the
    /// nearest; for the others `date`'s year, whose feast is the nearest within weeks of it.
    pub fn index_near(self, date: NaiveDate) -> i32 {
        let table = match self {
            Feast::EidAlFitr => &EID_AL_FITR,
            Feast::EidAlAdha => &EID_AL_ADHA,
            _ => return date.year(),
        };
        let day = (date - table_epoch()).num_days();
        let after = table.partition_point(|&d| i64::from(d) < day);
        let nearer_before = after > 0
            && table
                .get(after)
                .is_none_or(|&d| day - i64::from(table[after - 1]) < i64::from(d) - day);
        let at = if nearer_before { after - 1 } else { after };
        HIJRI_FROM + i32::try_from(at).unwrap_or(i32::MAX - HIJRI_FROM)
    }

    /// The feasts' names as specifications write them, for messages: "easter, orthodox_easter,
    /// ... or diwali".
    pub fn names() -> String {
        let names: Vec<String> = Feast::ALL
            .iter()
            .filter_map(|f| serde_json::to_value(f).ok()?.as_str().map(str::to_owned))
            .collect();
        match names.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
            _ => names.join(", "),
        }
    }

    /// The feast's day, as people name it.
    pub fn name(self) -> &'static str {
        match self {
            Feast::Easter => "Easter Sunday",
            Feast::OrthodoxEaster => "Orthodox Easter Sunday",
            Feast::LunarNewYear => "Lunar New Year",
            Feast::EidAlFitr => "Eid al-Fitr",
            Feast::EidAlAdha => "Eid al-Adha",
            Feast::MidAutumn => "the Mid-Autumn Festival",
            Feast::DragonBoat => "the Dragon Boat Festival",
            Feast::Diwali => "Diwali",
        }
    }

    /// The feast itself, as a period is named by it: "the week of Lunar New Year".
    pub fn short_name(self) -> &'static str {
        match self {
            Feast::Easter => "Easter",
            Feast::OrthodoxEaster => "Orthodox Easter",
            feast => feast.name(),
        }
    }

    /// The name of the day `offset` days from the feast's: "Good Friday", "Orthodox Easter
    /// Monday", "Lunar New Year's Eve", "the Day of Arafah", "9 days before Easter Sunday".
    fn day_name(self, offset: i32) -> String {
        let easter_day = |prefix: &str| {
            let day = match offset {
                -48 => "Carnival Monday",
                -47 => "Shrove Tuesday",
                -46 => "Ash Wednesday",
                -21 => "Mothering Sunday",
                -7 => "Palm Sunday",
                -3 => "Maundy Thursday",
                -2 => "Good Friday",
                -1 => "Holy Saturday",
                0 => "Easter Sunday",
                1 => "Easter Monday",
                39 => "Ascension Day",
                49 => "Pentecost",
                50 => "Whit Monday",
                60 => "Corpus Christi",
                _ => return None,
            };
            Some(format!("{prefix}{day}"))
        };
        let named = match self {
            Feast::Easter => easter_day(""),
            Feast::OrthodoxEaster => easter_day("Orthodox "),
            Feast::LunarNewYear => match offset {
                -1 => Some("Lunar New Year's Eve".to_owned()),
                0 => Some("Lunar New Year".to_owned()),
                _ => None,
            },
            Feast::EidAlFitr | Feast::EidAlAdha => match (self, offset) {
                (Feast::EidAlAdha, -1) => Some("the Day of Arafah".to_owned()),
                (_, -1) => Some(format!("the eve of {}", self.name())),
                (_, 0) => Some(self.name().to_owned()),
                _ => None,
            },
            Feast::MidAutumn | Feast::DragonBoat | Feast::Diwali => {
                (offset == 0).then(|| self.name().to_owned())
            }
        };
        named.unwrap_or_else(|| match offset {
            -1 => format!("the day before {}", self.name()),
            1 => format!("the day after {}", self.name()),
            o if o < 0 => format!("{} days before {}", -o, self.name()),
            o => format!("{o} days after {}", self.name()),
        })
    }
}

/// A day a given number of days from a feast's (Good Friday: two days before Easter Sunday).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeastDay {
    /// The feast.
    pub feast: Feast,
    /// Days from the feast's day.
    pub offset: i32,
}

/// Easter Sunday of `year` in the Gregorian calendar (the anonymous Gregorian computus).
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let (a, b, c) = (year.rem_euclid(19), year.div_euclid(100), year.rem_euclid(100));
    let (d, e) = (b.div_euclid(4), b.rem_euclid(4));
    let g = (b - (b + 8).div_euclid(25) + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let (i, k) = (c.div_euclid(4), c.rem_euclid(4));
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l).div_euclid(451);
    let n = h + l - 7 * m + 114;
    NaiveDate::from_ymd_opt(year, u32::try_from(n / 31).ok()?, u32::try_from(n % 31 + 1).ok()?)
}

/// Orthodox Easter Sunday of `year`, as a Gregorian date: the Julian computus (Meeus), then
/// the days the Julian calendar lags the Gregorian in March to May of that year (13 from 1900
/// to 2099). The same as python-dateutil's `EASTER_ORTHODOX` for every year of 1900-2199.
pub fn orthodox_easter_sunday(year: i32) -> Option<NaiveDate> {
    let (a, b, c) = (year.rem_euclid(4), year.rem_euclid(7), year.rem_euclid(19));
    let d = (19 * c + 15).rem_euclid(30);
    let e = (2 * a + 4 * b - d + 34).rem_euclid(7);
    let n = d + e + 114;
    let julian = NaiveDate::from_ymd_opt(
        year,
        u32::try_from(n / 31).ok()?,
        u32::try_from(n % 31 + 1).ok()?,
    )?;
    let lag = year.div_euclid(100) - year.div_euclid(400) - 2;
    julian.checked_add_signed(chrono::Duration::days(lag.into()))
}

/// The first year of [`LUNAR_NEW_YEAR`], [`MID_AUTUMN`], [`DRAGON_BOAT`] and [`DIWALI`].
const LUNAR_NEW_YEAR_FROM: i32 = 1900;

/// Lunar New Year of 1900-2099: days after 21 January (it falls on 21 January to 20 February).
/// From the Chinese calendar's tables as Python's `lunardate` 0.3.0 holds them.
const LUNAR_NEW_YEAR: [u8; 200] = [
    10, 29, 18, 8, 26, 14, 4, 23, 12, 1, 20, 9, 28, 16, 5, 24, 13, 2, 21, 11, 30, 18, 7, 26, 15, 3,
    23, 12, 2, 20, 9, 27, 16, 5, 24, 14, 3, 21, 10, 29, 18, 6, 25, 15, 4, 23, 12, 1, 20, 8, 27, 16,
    6, 24, 13, 3, 22, 10, 28, 18, 7, 25, 15, 4, 23, 12, 0, 19, 9, 27, 16, 6, 25, 13, 2, 21, 10, 28,
    17, 7, 26, 15, 4, 23, 12, 30, 19, 8, 27, 16, 6, 25, 14, 2, 20, 10, 29, 17, 7, 26, 15, 3, 22,
    11, 1, 19, 8, 28, 17, 5, 24, 13, 2, 20, 10, 29, 18, 7, 26, 15, 4, 22, 11, 1, 20, 8, 27, 16, 5,
    23, 13, 2, 21, 10, 29, 18, 7, 25, 14, 3, 22, 11, 1, 20, 9, 27, 16, 5, 24, 12, 2, 21, 11, 29,
    18, 7, 25, 14, 3, 22, 12, 0, 19, 8, 27, 15, 5, 24, 13, 2, 21, 10, 29, 17, 6, 25, 15, 3, 22, 12,
    1, 19, 8, 27, 16, 5, 24, 13, 3, 20, 9, 28, 17, 6, 25, 15, 4, 22, 11, 0,
];

/// A lunisolar feast in `year` (1900-2099): `table` holds its days
/// after `from` (month, day) of each year from 1900.
fn lunar_table(table: &[u8; 200], from: (u32, u32), year: i32) -> Option<NaiveDate> {
    let index = usize::try_from(year.checked_sub(LUNAR_NEW_YEAR_FROM)?).ok()?;
    let after = table.get(index)?;
    NaiveDate::from_ymd_opt(year, from.0, from.1)?
        .checked_add_signed(chrono::Duration::days((*after).into()))
}

/// The Mid-Autumn Festival (15th day of the 8th month) of 1900-2099: days after 7 September.
/// From Python's `lunardate` 0.3.0, as [`LUNAR_NEW_YEAR`].
const MID_AUTUMN: [u8; 200] = [
    1, 20, 9, 28, 17, 6, 25, 15, 3, 21, 11, 29, 18, 8, 27, 16, 5, 23, 12, 31, 19, 9, 28, 18, 6, 25,
    14, 3, 21, 10, 29, 19, 8, 27, 16, 5, 23, 12, 31, 20, 9, 28, 17, 7, 24, 13, 3, 22, 10, 29, 19,
    8, 26, 15, 4, 23, 12, 1, 20, 10, 28, 17, 6, 25, 13, 3, 22, 11, 29, 19, 8, 26, 15, 4, 23, 13, 1,
    20, 9, 28, 16, 5, 24, 14, 3, 22, 11, 30, 18, 7, 26, 15, 4, 23, 13, 2, 20, 9, 28, 17, 5, 24, 14,
    4, 21, 11, 29, 18, 7, 26, 15, 5, 23, 12, 1, 20, 8, 27, 17, 6, 24, 14, 3, 22, 10, 29, 18, 8, 26,
    15, 5, 24, 12, 1, 20, 9, 27, 17, 6, 25, 13, 3, 21, 10, 28, 18, 8, 27, 15, 4, 23, 12, 0, 19, 9,
    28, 17, 6, 25, 14, 2, 21, 10, 29, 18, 8, 26, 16, 4, 22, 12, 1, 19, 9, 28, 17, 5, 24, 13, 3, 21,
    10, 29, 19, 7, 26, 15, 4, 22, 11, 1, 20, 9, 28, 17, 6, 23, 13, 2, 22,
];
/// The Dragon Boat Festival (5th day of the 5th month) of 1900-2099: days after 27 May. From
/// Python's `lunardate` 0.3.0, as [`LUNAR_NEW_YEAR`].
const DRAGON_BOAT: [u8; 200] = [
    5, 24, 14, 4, 22, 11, 30, 19, 7, 26, 15, 5, 23, 13, 2, 21, 9, 27, 17, 6, 24, 14, 4, 22, 10, 29,
    18, 8, 26, 15, 5, 24, 12, 1, 20, 9, 27, 17, 6, 25, 14, 3, 22, 11, 29, 18, 8, 27, 15, 5, 23, 13,
    1, 19, 9, 28, 17, 6, 25, 14, 2, 21, 10, 29, 18, 8, 27, 16, 4, 23, 12, 1, 19, 9, 28, 18, 6, 25,
    14, 3, 21, 10, 29, 19, 8, 26, 15, 4, 22, 12, 1, 20, 9, 28, 17, 6, 24, 13, 3, 22, 10, 29, 19, 8,
    26, 15, 4, 23, 12, 1, 20, 10, 27, 16, 6, 24, 13, 3, 22, 11, 29, 18, 7, 26, 14, 4, 23, 13, 1,
    20, 9, 28, 16, 5, 24, 14, 3, 22, 11, 0, 18, 7, 26, 15, 4, 23, 12, 2, 19, 8, 27, 17, 5, 24, 14,
    3, 21, 10, 29, 18, 7, 26, 15, 5, 23, 12, 1, 20, 8, 27, 17, 6, 24, 14, 3, 21, 10, 28, 18, 8, 26,
    15, 5, 23, 11, 0, 19, 9, 27, 17, 6, 25, 13, 2, 21, 10, 28, 18, 8, 27,
];

/// Diwali of 1900-2099: days after 15 October. The evening on which the Amavasya tithi (the
/// Moon 348-360° east of the Sun) holds at 18:00 Indian time, of the new moon that falls while
/// the Sun is in sidereal Libra (Lahiri), or the new moon's own day where no evening holds it,
/// computed with PyPI `ephem` 4.2: the same as India's gazetted dates (as python-holidays 0.109
/// holds them) in every year of 2001-2035.
const DIWALI: [u8; 200] = [
    7, 26, 15, 5, 23, 12, 2, 21, 9, 28, 17, 6, 24, 14, 3, 22, 11, 0, 19, 8, 26, 15, 5, 24, 12, 2,
    21, 10, 27, 16, 6, 25, 14, 3, 22, 11, 29, 18, 7, 26, 15, 5, 24, 13, 1, 20, 9, 28, 16, 6, 25,
    15, 3, 22, 11, 29, 18, 7, 26, 16, 5, 23, 12, 1, 19, 9, 28, 17, 6, 25, 14, 3, 21, 10, 29, 19, 7,
    26, 16, 5, 23, 12, 31, 20, 9, 28, 17, 7, 25, 14, 3, 21, 10, 29, 19, 8, 26, 15, 4, 23, 11, 30,
    20, 10, 28, 17, 6, 25, 13, 2, 21, 11, 29, 19, 8, 27, 15, 4, 23, 12, 30, 20, 9, 28, 16, 5, 24,
    14, 2, 21, 11, 30, 18, 7, 26, 15, 4, 23, 12, 31, 20, 9, 28, 17, 5, 24, 14, 33, 21, 11, 30, 18,
    7, 25, 15, 5, 23, 12, 31, 20, 8, 27, 16, 6, 24, 14, 33, 22, 10, 29, 18, 7, 25, 15, 5, 24, 12,
    31, 20, 9, 27, 16, 6, 25, 13, 32, 21, 10, 28, 18, 7, 26, 15, 4, 23, 12, 30, 19, 9, 28,
];

/// The first Hijri year of [`EID_AL_FITR`] and [`EID_AL_ADHA`] (1925).
const HIJRI_FROM: i32 = 1343;

/// The day the Eid tables count from.
fn table_epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or_default()
}

/// Eid al-Fitr (1 Shawwal) of Hijri years 1343-1500 (1925-2077) in the Umm al-Qura calendar
/// (Saudi Arabia's; countries that sight the moon may keep it a day later): days after 1
/// January 1900. From Python's `hijri-converter` 2.3.2.
const EID_AL_FITR: [u16; 158] = [
    9244, 9599, 9953, 10307, 10662, 11016, 11371, 11725, 12079, 12434, 12789, 13143, 13497, 13851,
    14205, 14559, 14914, 15268, 15623, 15977, 16331, 16685, 17040, 17395, 17749, 18103, 18458,
    18813, 19166, 19521, 19875, 20230, 20584, 20939, 21293, 21648, 22001, 22356, 22710, 23064,
    23419, 23773, 24127, 24482, 24836, 25191, 25545, 25900, 26254, 26608, 26962, 27316, 27671,
    28025, 28380, 28734, 29088, 29443, 29797, 30151, 30506, 30861, 31215, 31569, 31923, 32277,
    32632, 32987, 33341, 33696, 34050, 34404, 34758, 35112, 35467, 35822, 36176, 36531, 36885,
    37239, 37593, 37948, 38303, 38657, 39011, 39366, 39720, 40074, 40429, 40783, 41138, 41492,
    41846, 42200, 42555, 42909, 43264, 43618, 43973, 44327, 44681, 45035, 45390, 45744, 46099,
    46453, 46807, 47161, 47516, 47870, 48225, 48579, 48934, 49288, 49642, 49996, 50350, 50705,
    51060, 51414, 51768, 52122, 52476, 52831, 53186, 53540, 53895, 54249, 54603, 54957, 55312,
    55666, 56021, 56376, 56730, 57084, 57438, 57792, 58147, 58502, 58856, 59210, 59564, 59919,
    60273, 60627, 60982, 61337, 61691, 62045, 62399, 62753, 63108, 63462, 63817, 64171, 64525,
    64879,
];

/// Eid al-Adha (10 Dhu al-Hijjah) of Hijri years 1343-1500, as [`EID_AL_FITR`].
const EID_AL_ADHA: [u16; 158] = [
    9313, 9667, 10021, 10376, 10730, 11085, 11439, 11793, 12147, 12502, 12856, 13211, 13565, 13919,
    14273, 14628, 14982, 15336, 15691, 16045, 16399, 16754, 17108, 17463, 17817, 18171, 18527,
    18881, 19235, 19589, 19943, 20298, 20653, 21007, 21361, 21716, 22069, 22424, 22778, 23132,
    23487, 23841, 24196, 24550, 24904, 25259, 25613, 25968, 26322, 26676, 27030, 27385, 27739,
    28093, 28448, 28802, 29157, 29511, 29865, 30219, 30574, 30928, 31283, 31637, 31991, 32345,
    32700, 33054, 33409, 33764, 34118, 34472, 34826, 35180, 35535, 35890, 36244, 36599, 36953,
    37307, 37661, 38016, 38371, 38725, 39080, 39434, 39788, 40142, 40496, 40851, 41206, 41560,
    41914, 42268, 42622, 42977, 43331, 43686, 44041, 44395, 44749, 45103, 45457, 45812, 46167,
    46521, 46876, 47230, 47584, 47938, 48293, 48647, 49002, 49356, 49710, 50064, 50419, 50773,
    51128, 51482, 51837, 52191, 52545, 52899, 53254, 53608, 53963, 54318, 54672, 55026, 55380,
    55734, 56089, 56443, 56798, 57152, 57506, 57860, 58215, 58569, 58924, 59279, 59633, 59987,
    60341, 60695, 61050, 61404, 61759, 62113, 62467, 62821, 63176, 63530, 63885, 64239, 64594,
    64948,
];

/// The day of Hijri year `index` in `table` (from [`HIJRI_FROM`]); none outside it.
fn hijri_table(table: &[u16], index: i32) -> Option<NaiveDate> {
    let at = usize::try_from(index.checked_sub(HIJRI_FROM)?).ok()?;
    table_epoch().checked_add_signed(chrono::Duration::days((*table.get(at)?).into()))
}

/// Lunar New Year of `year` (1900-2099; none outside).
pub fn lunar_new_year(year: i32) -> Option<NaiveDate> {
    lunar_table(&LUNAR_NEW_YEAR, (1, 21), year)
}

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
        let held: Vec<bool> = dates.iter().map(|d| self.held_by(*d, days)).collect();
        held.iter().enumerate().filter(|(t, h)| **h && (*t == 0 || !held[t - 1])).count()
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
        if self == Rule::ramadan() {
            return "Ramadan".to_owned();
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

/// A rule as written in a specification (`mmm fit --event`, the API's `events`): `MM-DD` for a
/// date (`11-27`), `MM-DD/Fri` for the first such weekday on or after it (Black Friday:
/// `11-23/Fri`), a feast's name for its day (`easter`, `orthodox_easter`, `lunar_new_year`,
/// `eid_al_fitr`, `eid_al_adha`, `mid_autumn`, `dragon_boat`, `diwali`) and with a signed
/// number of days for a day near it (`easter-2`: Good Friday). An event that lasts several days
/// names its last day after `..`: a date (`11-20..12-25`, which may run into the next year), or
/// for a feast the days from it (`easter-2..+1`: Good Friday to Easter Monday). `ramadan` is
/// `eid_al_fitr-30..-1`. A span is counted in a year without 29 February: in a leap year one
/// over it ends a date earlier, with the same number of days.
impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if *self == Rule::ramadan() {
            return write!(f, "ramadan");
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
                 +1, nor ramadan",
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
        let rule = match text.split_once("..") {
            _ if text == "ramadan" => Rule::ramadan(),
            Some((first, last)) => span_rule(day_rule(first.trim())?, last, text)?,
            None => day_rule(text)?,
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

/// A country's public holidays, the days around them that move sales and, where it keeps it,
/// Ramadan, as candidates the fit asks the data about (`ModelSpec::candidate_events`, `mmm fit
/// --holidays us`): each is kept only where the data are more likely with its term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holidays {
    /// United States.
    Us,
    /// United Kingdom.
    Uk,
    /// Germany.
    De,
    /// France.
    Fr,
    /// Canada.
    Ca,
    /// Australia.
    Au,
    /// Spain.
    Es,
    /// Italy.
    It,
    /// The Netherlands.
    Nl,
    /// Brazil.
    Br,
    /// Mexico.
    Mx,
    /// Japan.
    Jp,
    /// China.
    Cn,
    /// South Korea.
    Kr,
    /// India.
    In,
    /// Turkey.
    Tr,
    /// Saudi Arabia.
    Sa,
    /// The United Arab Emirates.
    Ae,
    /// Egypt.
    Eg,
    /// Indonesia.
    Id,
}

impl Holidays {
    /// Every country, in the order the help lists them.
    pub const ALL: [Holidays; 20] = [
        Holidays::Us,
        Holidays::Uk,
        Holidays::De,
        Holidays::Fr,
        Holidays::Ca,
        Holidays::Au,
        Holidays::Es,
        Holidays::It,
        Holidays::Nl,
        Holidays::Br,
        Holidays::Mx,
        Holidays::Jp,
        Holidays::Cn,
        Holidays::Kr,
        Holidays::In,
        Holidays::Tr,
        Holidays::Sa,
        Holidays::Ae,
        Holidays::Eg,
        Holidays::Id,
    ];

    /// The country's code, as `--holidays` and the API take it: `us`, `uk`, ...
    pub fn code(self) -> &'static str {
        match self {
            Holidays::Us => "us",
            Holidays::Uk => "uk",
            Holidays::De => "de",
            Holidays::Fr => "fr",
            Holidays::Ca => "ca",
            Holidays::Au => "au",
            Holidays::Es => "es",
            Holidays::It => "it",
            Holidays::Nl => "nl",
            Holidays::Br => "br",
            Holidays::Mx => "mx",
            Holidays::Jp => "jp",
            Holidays::Cn => "cn",
            Holidays::Kr => "kr",
            Holidays::In => "in",
            Holidays::Tr => "tr",
            Holidays::Sa => "sa",
            Holidays::Ae => "ae",
            Holidays::Eg => "eg",
            Holidays::Id => "id",
        }
    }

    /// The country's name, as the dashboard lists it: "United States", "Turkey".
    pub fn country(self) -> &'static str {
        match self {
            Holidays::Us => "United States",
            Holidays::Uk => "United Kingdom",
            Holidays::De => "Germany",
            Holidays::Fr => "France",
            Holidays::Ca => "Canada",
            Holidays::Au => "Australia",
            Holidays::Es => "Spain",
            Holidays::It => "Italy",
            Holidays::Nl => "Netherlands",
            Holidays::Br => "Brazil",
            Holidays::Mx => "Mexico",
            Holidays::Jp => "Japan",
            Holidays::Cn => "China",
            Holidays::Kr => "South Korea",
            Holidays::In => "India",
            Holidays::Tr => "Turkey",
            Holidays::Sa => "Saudi Arabia",
            Holidays::Ae => "United Arab Emirates",
            Holidays::Eg => "Egypt",
            Holidays::Id => "Indonesia",
        }
    }

    /// The country with code `code` (any case).
    pub fn from_code(code: &str) -> Option<Holidays> {
        Holidays::ALL.into_iter().find(|h| h.code().eq_ignore_ascii_case(code.trim()))
    }

    /// The countries' codes, as the errors list them: "us, uk, ...".
    pub fn codes() -> String {
        Holidays::ALL.map(Holidays::code).join(", ")
    }

    /// The holidays' rules, in [`Rule`]'s written form.
    fn written(self) -> &'static [&'static str] {
        match self {
            // New Year, Martin Luther King Jr. Day (third Monday of January), Valentine's Day,
            // Presidents' Day, Easter, Mother's Day (second Sunday of May), Memorial Day (last
            // Monday of May), Father's Day, Independence Day, Labor Day, Halloween,
            // Thanksgiving (fourth Thursday of November), Black Friday, Cyber Monday, Christmas
            // Eve and Day, New Year's Eve.
            Holidays::Us => &[
                "01-01",
                "01-15/Mon",
                "02-14",
                "02-15/Mon",
                "easter",
                "05-08/Sun",
                "05-25/Mon",
                "06-15/Sun",
                "07-04",
                "09-01/Mon",
                "10-31",
                "11-22/Thu",
                "11-23/Fri",
                "11-26/Mon",
                "12-24",
                "12-25",
                "12-31",
            ],
            // New Year, Valentine's Day, Mothering Sunday, Good Friday, Easter Monday, the May
            // and August bank holidays, Black Friday, Christmas Eve, Christmas, Boxing Day, New
            // Year's Eve.
            Holidays::Uk => &[
                "01-01",
                "02-14",
                "easter-21",
                "easter-2",
                "easter+1",
                "05-01/Mon",
                "05-25/Mon",
                "08-25/Mon",
                "11-23/Fri",
                "12-24",
                "12-25",
                "12-26",
                "12-31",
            ],
            // New Year, Good Friday, Easter Monday, Labour Day, Mother's Day, Ascension Day,
            // Whit Monday, German Unity Day, Black Friday, Christmas Eve to Boxing Day, New
            // Year's Eve.
            Holidays::De => &[
                "01-01",
                "easter-2",
                "easter+1",
                "05-01",
                "05-08/Sun",
                "easter+39",
                "easter+50",
                "10-03",
                "11-23/Fri",
                "12-24",
                "12-25",
                "12-26",
                "12-31",
            ],
            // New Year, Easter Monday, Labour Day, Victory in Europe Day, Ascension Day, Whit
            // Monday, Bastille Day, Assumption, All Saints' Day, Armistice Day, Black Friday,
            // Christmas Eve and Day, New Year's Eve.
            Holidays::Fr => &[
                "01-01",
                "easter+1",
                "05-01",
                "05-08",
                "easter+39",
                "easter+50",
                "07-14",
                "08-15",
                "11-01",
                "11-11",
                "11-23/Fri",
                "12-24",
                "12-25",
                "12-31",
            ],
            // New Year, Family Day (third Monday of February), Good Friday, Easter Monday,
            // Mother's Day, Victoria Day (the Monday before 25 May), Canada Day, the Civic
            // Holiday (first Monday of August), Labour Day, Thanksgiving (second Monday of
            // October), Halloween, Black Friday, Christmas Eve to Boxing Day, New Year's Eve.
            Holidays::Ca => &[
                "01-01",
                "02-15/Mon",
                "easter-2",
                "easter+1",
                "05-08/Sun",
                "05-18/Mon",
                "07-01",
                "08-01/Mon",
                "09-01/Mon",
                "10-08/Mon",
                "10-31",
                "11-23/Fri",
                "12-24",
                "12-25",
                "12-26",
                "12-31",
            ],
            // New Year, Australia Day, Good Friday, Easter Monday, Anzac Day, Mother's Day, the
            // King's Birthday (second Monday of June), Father's Day (first Sunday of
            // September), Black Friday, Christmas Eve to Boxing Day, New Year's Eve.
            Holidays::Au => &[
                "01-01",
                "01-26",
                "easter-2",
                "easter+1",
                "04-25",
                "05-08/Sun",
                "06-08/Mon",
                "09-01/Sun",
                "11-23/Fri",
                "12-24",
                "12-25",
                "12-26",
                "12-31",
            ],
            // New Year, Epiphany, Maundy Thursday, Good Friday, Labour Day, Assumption,
            // National Day, All Saints' Day, Constitution Day, the Immaculate Conception, Black
            // Friday, Christmas Eve and Day, New Year's Eve.
            Holidays::Es => &[
                "01-01",
                "01-06",
                "easter-3",
                "easter-2",
                "05-01",
                "08-15",
                "10-12",
                "11-01",
                "12-06",
                "12-08",
                "11-23/Fri",
                "12-24",
                "12-25",
                "12-31",
            ],
            // New Year, Epiphany, Easter Monday, Liberation Day, Labour Day, Republic Day,
            // Ferragosto, All Saints' Day, the Immaculate Conception, Black Friday, Christmas
            // Eve to St Stephen's Day, New Year's Eve.
            Holidays::It => &[
                "01-01",
                "01-06",
                "easter+1",
                "04-25",
                "05-01",
                "06-02",
                "08-15",
                "11-01",
                "12-08",
                "11-23/Fri",
                "12-24",
                "12-25",
                "12-26",
                "12-31",
            ],
            // New Year, Good Friday, Easter Monday, King's Day, Liberation Day, Ascension Day,
            // Whit Monday, St Nicholas' Eve, Black Friday, Christmas Eve to Boxing Day, New
            // Year's Eve.
            Holidays::Nl => &[
                "01-01",
                "easter-2",
                "easter+1",
                "04-27",
                "05-05",
                "easter+39",
                "easter+50",
                "12-05",
                "11-23/Fri",
                "12-24",
                "12-25",
                "12-26",
                "12-31",
            ],
            // New Year, Carnival Monday and Tuesday, Good Friday, Tiradentes, Labour Day,
            // Mother's Day (second Sunday of May), Valentine's Day (Dia dos Namorados, 12 June),
            // Corpus Christi, Father's Day (second Sunday of August), Independence Day, Our Lady
            // of Aparecida and Children's Day, All Souls' Day, Republic Day, Black Awareness Day,
            // Black Friday, Christmas Eve and Day, New Year's Eve.
            Holidays::Br => &[
                "01-01",
                "easter-48",
                "easter-47",
                "easter-2",
                "04-21",
                "05-01",
                "05-08/Sun",
                "06-12",
                "easter+60",
                "08-08/Sun",
                "09-07",
                "10-12",
                "11-02",
                "11-15",
                "11-20",
                "11-23/Fri",
                "12-24",
                "12-25",
                "12-31",
            ],
            // New Year, Epiphany (Día de Reyes), Constitution Day (first Monday of February),
            // Valentine's Day, Benito Juárez's birthday (third Monday of March), Maundy Thursday,
            // Good Friday, Children's Day, Labour Day, Mother's Day (10 May), Father's Day (third
            // Sunday of June), Independence Day, the Day of the Dead, El Buen Fin (from the
            // Friday before Revolution Day), Revolution Day (third Monday of November), Our Lady
            // of Guadalupe, Christmas Eve and Day, New Year's Eve.
            Holidays::Mx => &[
                "01-01",
                "01-06",
                "02-01/Mon",
                "02-14",
                "03-15/Mon",
                "easter-3",
                "easter-2",
                "04-30",
                "05-01",
                "05-10",
                "06-15/Sun",
                "09-16",
                "11-02",
                "11-12/Fri",
                "11-15/Mon",
                "12-12",
                "12-24",
                "12-25",
                "12-31",
            ],
            // The New Year holidays (1-3 January), Coming of Age Day (second Monday of January),
            // National Foundation Day, Valentine's Day, the Emperor's Birthday, White Day, Golden
            // Week (Shōwa Day, Constitution Day, Greenery Day, Children's Day), Mother's Day,
            // Marine Day (third Monday of July), Mountain Day, Obon, Respect for the Aged Day
            // (third Monday of September), Sports Day (second Monday of October), Culture Day,
            // Labour Thanksgiving Day, Christmas Eve and Day, New Year's Eve. The equinox days
            // move between 19-21 March and 22-23 September with the sun, which no rule here
            // follows, so they are left out.
            Holidays::Jp => &[
                "01-01",
                "01-02",
                "01-03",
                "01-08/Mon",
                "02-11",
                "02-14",
                "02-23",
                "03-14",
                "04-29",
                "05-03",
                "05-04",
                "05-05",
                "05-08/Sun",
                "07-15/Mon",
                "08-11",
                "08-15",
                "09-15/Mon",
                "10-08/Mon",
                "11-03",
                "11-23",
                "12-24",
                "12-25",
                "12-31",
            ],
            // New Year, the week before the Spring Festival, its eve, first and fifth days, the
            // Lantern Festival, Valentine's Day, Women's Day, Labour Day, 520 (20 May), the
            // Dragon Boat Festival, the 618 shopping festival, the Mid-Autumn Festival, the
            // National Day Golden Week (1 and 5 October), Singles' Day (11 November), Double
            // Twelve. Qingming falls on 4 or 5 April with the sun, which no rule here follows,
            // so it is left out.
            Holidays::Cn => &[
                "01-01",
                "lunar_new_year-7",
                "lunar_new_year-1",
                "lunar_new_year",
                "lunar_new_year+4",
                "lunar_new_year+14",
                "02-14",
                "03-08",
                "05-01",
                "05-20",
                "dragon_boat",
                "06-18",
                "mid_autumn",
                "10-01",
                "10-05",
                "11-11",
                "12-12",
            ],
            // New Year, Seollal (its eve, first and second days), Valentine's Day, Independence
            // Movement Day, White Day, Children's Day, Memorial Day, Liberation Day, Chuseok (its
            // eve, first and second days), National Foundation Day, Hangul Day, Pepero Day,
            // Christmas Eve and Day, New Year's Eve. Buddha's Birthday (8th day of the 4th lunar
            // month) has no rule here.
            Holidays::Kr => &[
                "01-01",
                "lunar_new_year-1",
                "lunar_new_year",
                "lunar_new_year+1",
                "02-14",
                "03-01",
                "03-14",
                "05-05",
                "06-06",
                "08-15",
                "mid_autumn-1",
                "mid_autumn",
                "mid_autumn+1",
                "10-03",
                "10-09",
                "11-11",
                "12-24",
                "12-25",
                "12-31",
            ],
            // New Year, Republic Day, Valentine's Day, Eid al-Fitr and Eid al-Adha,
            // Independence Day, Gandhi Jayanti, Dhanteras (two days before Diwali) and Diwali,
            // Christmas, New Year's Eve. Holi, Dussehra and the other festivals of the Hindu
            // calendar have no rule here: the day India keeps follows the tithi, which these
            // rules do not.
            Holidays::In => &[
                "01-01",
                "01-26",
                "02-14",
                "eid_al_fitr",
                "eid_al_adha",
                "08-15",
                "10-02",
                "diwali-2",
                "diwali",
                "12-25",
                "12-31",
            ],
            // New Year, Valentine's Day, Ramadan, the eve of Eid al-Fitr and its three days
            // (Ramazan Bayramı), National Sovereignty and Children's Day, Labour Day, Atatürk
            // Youth and Sports Day, Mother's Day (second Sunday of May), the Day of Arafah and
            // the four days of Eid al-Adha (Kurban Bayramı), Democracy and National Unity Day,
            // Victory Day, Republic Day, New Year's Eve.
            Holidays::Tr => &[
                "01-01",
                "02-14",
                "ramadan",
                "eid_al_fitr-1",
                "eid_al_fitr..+2",
                "04-23",
                "05-01",
                "05-19",
                "05-08/Sun",
                "eid_al_adha-1",
                "eid_al_adha..+3",
                "07-15",
                "08-30",
                "10-29",
                "12-31",
            ],
            // Founding Day, Ramadan, Eid al-Fitr's holiday (the feast and the three days after
            // it), the Day of Arafah and the days of Eid al-Adha to the 13th of Dhu al-Hijjah,
            // National Day. The Umm al-Qura dates are Saudi Arabia's own; the length of the Eid
            // holidays is set by decree each year, and these are their usual days.
            Holidays::Sa => &[
                "02-22",
                "ramadan",
                "eid_al_fitr..+3",
                "eid_al_adha-1",
                "eid_al_adha..+3",
                "09-23",
            ],
            // New Year, Ramadan, the eve of Eid al-Fitr and its three days, the Day of Arafah
            // and the three days of Eid al-Adha, National Day (two days). The Islamic New Year,
            // the Prophet's Birthday and Commemoration Day (30 November, then 1 December, until
            // 2023) have no rule here.
            Holidays::Ae => &[
                "01-01",
                "ramadan",
                "eid_al_fitr-1",
                "eid_al_fitr..+2",
                "eid_al_adha-1",
                "eid_al_adha..+2",
                "12-02..12-03",
            ],
            // Coptic Christmas, Revolution Day (25 January), Sham el-Nessim (the day after
            // Orthodox Easter), Sinai Liberation Day, Labour Day, Ramadan, Eid al-Fitr (two
            // days), the Day of Arafah and the three days of Eid al-Adha, June 30 Revolution
            // Day, Revolution Day (23 July), Armed Forces Day. Egypt moves some holidays to a
            // Thursday by decree; these are their own days.
            Holidays::Eg => &[
                "01-07",
                "01-25",
                "orthodox_easter+1",
                "04-25",
                "05-01",
                "ramadan",
                "eid_al_fitr..+1",
                "eid_al_adha-1",
                "eid_al_adha..+2",
                "06-30",
                "07-23",
                "10-06",
            ],
            // New Year, Lunar New Year, Good Friday, Easter, Labour Day, Ascension Day,
            // Pancasila Day, Ramadan, Eid al-Fitr (Lebaran, two days), Eid al-Adha,
            // Independence Day, Christmas. Indonesia sights the moon itself, often a day after
            // the Umm al-Qura date; in weekly data the week is mostly the same. Nyepi, Vesak,
            // the Islamic New Year, Isra Mi'raj and the Prophet's Birthday have no rule here.
            Holidays::Id => &[
                "01-01",
                "lunar_new_year",
                "easter-2",
                "easter",
                "05-01",
                "easter+39",
                "06-01",
                "ramadan",
                "eid_al_fitr..+1",
                "eid_al_adha",
                "08-17",
                "12-25",
            ],
        }
    }

    /// The holidays' rules.
    pub fn rules(self) -> Vec<Rule> {
        self.written().iter().filter_map(|r| r.parse().ok()).collect()
    }
}

/// A country's holidays are written by their code (`"us"`).
impl Serialize for Holidays {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Holidays {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Holidays, D::Error> {
        let code = String::deserialize(deserializer)?;
        Holidays::from_code(&code).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "no holidays for '{code}' (the countries: {})",
                Holidays::codes()
            ))
        })
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

/// Whether every year has `month`/`day`: a real date other than 29 February (2001 was no leap
/// year).
pub(crate) fn every_year_has(month: u32, day: u32) -> bool {
    NaiveDate::from_ymd_opt(2001, month, day).is_some()
}

/// Whether the period of `days` days that starts on `start` holds `month`/`day` of some year.
pub fn holds(start: NaiveDate, days: u32, month: u32, day: u32) -> bool {
    Rule::date(month, day).held_by(start, days)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_period_holds_the_dates_from_its_start_on() {
        // The week of Monday 23 November 2026 runs to Sunday the 29th.
        assert!(holds(date(2026, 11, 23), 7, 11, 27));
        assert!(holds(date(2026, 11, 23), 7, 11, 29));
        assert!(!holds(date(2026, 11, 23), 7, 11, 30));
        assert!(!holds(date(2026, 11, 23), 7, 11, 22));
        // Across the new year.
        assert!(holds(date(2026, 12, 28), 7, 1, 2));
        // A day holds only itself; 29 February only in leap years.
        assert!(holds(date(2028, 2, 29), 1, 2, 29));
        assert!(!holds(date(2027, 2, 28), 1, 2, 29));
    }

    #[test]
    fn an_event_of_several_days_counts_by_the_share_of_it_a_period_holds() {
        let season: Rule = "11-20..12-25".parse().unwrap();
        // Weeks from Monday: 16-22 November 2026 holds three of its days, 21-27 December five.
        assert_eq!(season.share(date(2026, 11, 16), 7), 3.0 / 7.0);
        assert_eq!(season.share(date(2026, 11, 23), 7), 1.0);
        assert_eq!(season.share(date(2026, 12, 21), 7), 5.0 / 7.0);
        assert_eq!(season.share(date(2026, 12, 28), 7), 0.0);
        assert!(!season.held_by(date(2026, 11, 13), 7) && season.held_by(date(2026, 11, 14), 7));
        // Days: each of its days counts whole.
        assert_eq!(season.share(date(2026, 11, 20), 1), 1.0);
        assert_eq!(season.share(date(2026, 11, 19), 1), 0.0);
        // Good Friday to Easter Monday 2026 (3-6 April): three of its days in the week to
        // Sunday the 5th, one in the next; all four in a week from Thursday.
        let easter: Rule = "easter-2..+1".parse().unwrap();
        assert_eq!(easter.share(date(2026, 3, 30), 7), 0.75);
        assert_eq!(easter.share(date(2026, 4, 6), 7), 0.25);
        assert_eq!(easter.share(date(2026, 4, 2), 7), 1.0);
        // Across the new year: 20 December to 5 January.
        let turn: Rule = "12-20..01-05".parse().unwrap();
        assert_eq!(turn.share(date(2025, 12, 29), 7), 1.0);
        assert_eq!(turn.share(date(2026, 1, 5), 7), 1.0 / 7.0);
        // Ramadan 1446: Eid al-Fitr on 30 March 2025, so 28 February to 29 March.
        assert_eq!(Rule::ramadan().share(date(2025, 2, 24), 7), 3.0 / 7.0);
        assert_eq!(Rule::ramadan().share(date(2025, 3, 24), 7), 6.0 / 7.0);
        assert_eq!(Rule::ramadan().share(date(2025, 3, 31), 7), 0.0);
        // Three years of weeks (1 January 2024 to 27 December 2026) hold each three times, one
        // run of weeks a year, and a day too; the turn of the year four (its first days).
        let weeks: Vec<NaiveDate> =
            (0..156).map(|w| date(2024, 1, 1) + chrono::Duration::weeks(w)).collect();
        for (rule, times) in
            [(season, 3), (easter, 3), (turn, 4), (Rule::ramadan(), 3), (Rule::date(11, 27), 3)]
        {
            assert_eq!(rule.times_held(&weeks, 7), times, "{rule}");
        }
        assert_eq!(season.times_held(&weeks[..60], 7), 1);
        // Named as people write them.
        assert_eq!(season.label(), "20 November to 25 December");
        assert_eq!(turn.label(), "20 December to 5 January");
        assert_eq!(easter.label(), "Good Friday to Easter Monday");
        assert_eq!(Rule::ramadan().label(), "Ramadan");
        assert_eq!("diwali..+4".parse::<Rule>().unwrap().label(), "Diwali and the 4 days after");
        assert_eq!(
            "eid_al_fitr..+1".parse::<Rule>().unwrap().label(),
            "Eid al-Fitr and the day after"
        );
        assert_eq!(
            Rule::feast(Feast::EidAlFitr, -29).lasting(29).label(),
            "29 days before Eid al-Fitr to the eve of Eid al-Fitr"
        );
    }

    #[test]
    fn easter_sunday_is_the_churches_date() {
        for (year, month, day) in [
            (2000, 4, 23),
            (2019, 4, 21),
            (2022, 4, 17),
            (2023, 4, 9),
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2038, 4, 25),
            (2285, 3, 22),
        ] {
            assert_eq!(easter_sunday(year), Some(date(year, month, day)), "{year}");
        }
        let good_friday = Rule::feast(Feast::Easter, -2);
        assert_eq!(good_friday.date_in(2024), Some(date(2024, 3, 29)));
        assert_eq!(good_friday.label(), "Good Friday");
        assert!(good_friday.is_valid());
        // An Easter rule has no date of its own, and stays within 60 days of Easter Sunday.
        assert!(!Rule { month: 3, day: 29, ..good_friday }.is_valid());
        assert!(!Rule::feast(Feast::Easter, 61).is_valid());
        let nine_before = Rule::feast(Feast::Easter, -9);
        assert_eq!(nine_before.label(), "9 days before Easter Sunday");
        for (offset, name) in
            [(-47, "Shrove Tuesday"), (39, "Ascension Day"), (60, "Corpus Christi")]
        {
            assert_eq!(Rule::feast(Feast::Easter, offset).label(), name);
        }
        assert_eq!(Rule::feast(Feast::OrthodoxEaster, 50).label(), "Orthodox Whit Monday");
    }

    #[test]
    fn orthodox_easter_and_lunar_new_year_are_their_calendars_dates() {
        for (year, month, day) in [
            (1900, 4, 22),
            (2000, 4, 30),
            (2021, 5, 2),
            (2022, 4, 24),
            (2023, 4, 16),
            (2024, 5, 5),
            (2025, 4, 20),
            (2026, 4, 12),
            (2100, 5, 2),
        ] {
            assert_eq!(orthodox_easter_sunday(year), Some(date(year, month, day)), "{year}");
        }
        for (year, month, day) in [
            (1900, 1, 31),
            (1985, 2, 20),
            (2020, 1, 25),
            (2022, 2, 1),
            (2023, 1, 22),
            (2024, 2, 10),
            (2025, 1, 29),
            (2026, 2, 17),
            (2099, 1, 21),
        ] {
            assert_eq!(lunar_new_year(year), Some(date(year, month, day)), "{year}");
        }
        // The Mid-Autumn Festival coincided with China's National Day in 2020, and the Dragon
        // Boat Festival fell on its latest day of the years 1900-2099 that year.
        let (mid_autumn, dragon_boat) = (Feast::MidAutumn, Feast::DragonBoat);
        for (feast, year, month, day) in [
            (mid_autumn, 1900, 9, 8),
            (mid_autumn, 2008, 9, 14),
            (mid_autumn, 2015, 9, 27),
            (mid_autumn, 2020, 10, 1),
            (mid_autumn, 2023, 9, 29),
            (mid_autumn, 2099, 9, 29),
            (dragon_boat, 1900, 6, 1),
            (dragon_boat, 2008, 6, 8),
            (dragon_boat, 2020, 6, 25),
            (dragon_boat, 2023, 6, 22),
            (dragon_boat, 2099, 6, 23),
        ] {
            assert_eq!(feast.occurrence(year), Some(date(year, month, day)), "{feast:?} {year}");
            assert_eq!(feast.index_near(date(year, month, day)), year);
        }
        // Outside the table's years there is no date, and so no event.
        assert_eq!((lunar_new_year(1899), lunar_new_year(2100)), (None, None));
        assert_eq!((mid_autumn.occurrence(1899), dragon_boat.occurrence(2100)), (None, None));
        // Diwali as India gazetted it: 26 October 2000 to 20 October 2025, the earliest and
        // latest of 2001-2035 (17 October 2009, 14 November 2001 and 2020).
        for (year, month, day) in [
            (2000, 10, 26),
            (2001, 11, 14),
            (2009, 10, 17),
            (2017, 10, 19),
            (2020, 11, 14),
            (2024, 10, 31),
            (2025, 10, 20),
            (2035, 10, 30),
        ] {
            assert_eq!(Feast::Diwali.occurrence(year), Some(date(year, month, day)), "{year}");
        }
        assert!(!Rule::feast(Feast::LunarNewYear, 0).held_by(date(2100, 1, 25), 31));
        let labels = [
            (Feast::OrthodoxEaster, -2, "Orthodox Good Friday"),
            (Feast::OrthodoxEaster, 0, "Orthodox Easter Sunday"),
            (Feast::OrthodoxEaster, 9, "9 days after Orthodox Easter Sunday"),
            (Feast::LunarNewYear, -1, "Lunar New Year's Eve"),
            (Feast::LunarNewYear, 0, "Lunar New Year"),
            (Feast::LunarNewYear, -7, "7 days before Lunar New Year"),
            (Feast::LunarNewYear, 1, "the day after Lunar New Year"),
            (Feast::MidAutumn, 0, "the Mid-Autumn Festival"),
            (Feast::MidAutumn, -1, "the day before the Mid-Autumn Festival"),
            (Feast::DragonBoat, 2, "2 days after the Dragon Boat Festival"),
        ];
        for (feast, offset, label) in labels {
            assert_eq!(Rule::feast(feast, offset).label(), label);
        }
        assert_eq!(Rule::feast(Feast::LunarNewYear, -1).date_in(2024), Some(date(2024, 2, 9)));
    }

    #[test]
    fn every_countrys_holidays_read_and_fall_on_their_days() {
        for holidays in Holidays::ALL {
            assert_eq!(holidays.rules().len(), holidays.written().len(), "{holidays:?}");
            let code = serde_json::to_value(holidays).unwrap();
            assert_eq!(code, holidays.code());
            assert_eq!(Holidays::from_code(&holidays.code().to_uppercase()), Some(holidays));
        }
        assert_eq!(Holidays::from_code("zz"), None);
        let us = Holidays::Us.rules();
        let day = |text: &str, year| text.parse::<Rule>().unwrap().date_in(year);
        assert!(us.contains(&"11-22/Thu".parse().unwrap()));
        // Thanksgiving, Memorial Day, Labor Day and Cyber Monday of 2024 and 2025.
        assert_eq!(day("11-22/Thu", 2024), Some(date(2024, 11, 28)));
        assert_eq!(day("11-22/Thu", 2025), Some(date(2025, 11, 27)));
        assert_eq!(day("05-25/Mon", 2024), Some(date(2024, 5, 27)));
        assert_eq!(day("09-01/Mon", 2025), Some(date(2025, 9, 1)));
        assert_eq!(day("11-26/Mon", 2024), Some(date(2024, 12, 2)));
        // Canada's Victoria Day, Thanksgiving and Family Day, Australia's King's Birthday.
        assert_eq!(day("05-18/Mon", 2024), Some(date(2024, 5, 20)));
        assert_eq!(day("05-18/Mon", 2025), Some(date(2025, 5, 19)));
        assert_eq!(day("10-08/Mon", 2024), Some(date(2024, 10, 14)));
        assert_eq!(day("02-15/Mon", 2024), Some(date(2024, 2, 19)));
        assert_eq!(day("06-08/Mon", 2024), Some(date(2024, 6, 10)));
        // Brazil's Carnival Tuesday and Corpus Christi of 2024 and 2025, and its Father's Day.
        assert_eq!(day("easter-47", 2024), Some(date(2024, 2, 13)));
        assert_eq!(day("easter-47", 2025), Some(date(2025, 3, 4)));
        assert_eq!(day("easter+60", 2024), Some(date(2024, 5, 30)));
        assert_eq!(day("easter+60", 2025), Some(date(2025, 6, 19)));
        assert_eq!(day("08-08/Sun", 2024), Some(date(2024, 8, 11)));
        // Mexico's Constitution Day, Benito Juárez's birthday, Revolution Day and El Buen Fin's
        // Friday of 2023 and 2024.
        assert_eq!(day("02-01/Mon", 2024), Some(date(2024, 2, 5)));
        assert_eq!(day("03-15/Mon", 2024), Some(date(2024, 3, 18)));
        assert_eq!(day("11-15/Mon", 2023), Some(date(2023, 11, 20)));
        assert_eq!(day("11-15/Mon", 2024), Some(date(2024, 11, 18)));
        assert_eq!(day("11-12/Fri", 2023), Some(date(2023, 11, 17)));
        assert_eq!(day("11-12/Fri", 2024), Some(date(2024, 11, 15)));
        // Japan's Coming of Age Day, Marine Day, Respect for the Aged Day and Sports Day.
        assert_eq!(day("01-08/Mon", 2024), Some(date(2024, 1, 8)));
        assert_eq!(day("01-08/Mon", 2025), Some(date(2025, 1, 13)));
        assert_eq!(day("07-15/Mon", 2024), Some(date(2024, 7, 15)));
        assert_eq!(day("09-15/Mon", 2024), Some(date(2024, 9, 16)));
        assert_eq!(day("10-08/Mon", 2024), Some(date(2024, 10, 14)));
        // China's Lantern Festival, Dragon Boat and Mid-Autumn Festivals of 2024 and 2025, and
        // Korea's Chuseok eve of 2024.
        assert_eq!(day("lunar_new_year+14", 2024), Some(date(2024, 2, 24)));
        assert_eq!(day("dragon_boat", 2024), Some(date(2024, 6, 10)));
        assert_eq!(day("dragon_boat", 2025), Some(date(2025, 5, 31)));
        assert_eq!(day("mid_autumn", 2024), Some(date(2024, 9, 17)));
        assert_eq!(day("mid_autumn", 2025), Some(date(2025, 10, 6)));
        assert_eq!(day("mid_autumn-1", 2024), Some(date(2024, 9, 16)));
        // India's Dhanteras of 2024 and 2025.
        assert_eq!(day("diwali-2", 2024), Some(date(2024, 10, 29)));
        assert_eq!(day("diwali-2", 2025), Some(date(2025, 10, 18)));
        // Turkey's Kurban Bayramı of 2024 (16-19 June) with its eve, Egypt's Sham el-Nessim
        // and Indonesia's Ascension Day of 2024, and Ramadan asked in each of the five
        // countries that keep it.
        let kurban: Rule = "eid_al_adha..+3".parse().unwrap();
        let held = |rule: Rule, day| rule.share(day, 1) > 0.0;
        assert!(Holidays::Tr.rules().contains(&kurban));
        assert!((16..=19).all(|d| held(kurban, date(2024, 6, d))));
        assert!(!held(kurban, date(2024, 6, 15)) && !held(kurban, date(2024, 6, 20)));
        assert!(held("eid_al_adha-1".parse().unwrap(), date(2024, 6, 15)));
        assert_eq!(day("orthodox_easter+1", 2024), Some(date(2024, 5, 6)));
        assert_eq!(day("easter+39", 2024), Some(date(2024, 5, 9)));
        for holidays in [Holidays::Tr, Holidays::Sa, Holidays::Ae, Holidays::Eg, Holidays::Id] {
            assert!(holidays.rules().contains(&Rule::ramadan()), "{holidays:?}");
        }
        // Mothering Sunday 2024 and Whit Monday 2025.
        assert_eq!(day("easter-21", 2024), Some(date(2024, 3, 10)));
        assert_eq!(day("easter+50", 2025), Some(date(2025, 6, 9)));
        let names: serde_json::Value = serde_json::to_value(Holidays::Uk).unwrap();
        assert_eq!(names, "uk");
    }

    #[test]
    fn a_rule_reads_as_it_is_written() {
        let black_friday = Rule { weekday: Some(Weekday::Fri), ..Rule::date(11, 23) };
        for (text, rule) in [
            ("11-27", Rule::date(11, 27)),
            ("01-01", Rule::date(1, 1)),
            ("11-23/Fri", black_friday),
            ("easter", Rule::feast(Feast::Easter, 0)),
            ("easter-2", Rule::feast(Feast::Easter, -2)),
            ("lunar_new_year+1", Rule::feast(Feast::LunarNewYear, 1)),
            ("eid_al_adha-1", Rule::feast(Feast::EidAlAdha, -1)),
            ("11-20..12-25", Rule::date(11, 20).lasting(36)),
            ("12-20..01-05", Rule::date(12, 20).lasting(17)),
            ("easter-2..+1", Rule::feast(Feast::Easter, -2).lasting(4)),
            ("diwali..+4", Rule::feast(Feast::Diwali, 0).lasting(5)),
            ("ramadan", Rule::feast(Feast::EidAlFitr, -30).lasting(30)),
        ] {
            assert_eq!(rule.to_string(), text);
            assert_eq!(text.parse::<Rule>(), Ok(rule), "{text}");
            let json = serde_json::to_value(rule).unwrap();
            assert_eq!(json, serde_json::json!(text));
            assert_eq!(serde_json::from_value::<Rule>(json).unwrap(), rule);
        }
        // Written loosely, read the same.
        assert_eq!(" 1-1 ".parse::<Rule>(), Ok(Rule::date(1, 1)));
        assert_eq!("11-23/friday".parse::<Rule>(), Ok(black_friday));
        assert_eq!("eid_al_fitr-30..-1".parse::<Rule>(), Ok(Rule::ramadan()));
        assert_eq!("easter-2 .. easter+1".parse::<Rule>(), "easter-2..+1".parse::<Rule>());
        assert_eq!("11-20 .. 12-25".parse::<Rule>(), Ok(Rule::date(11, 20).lasting(36)));
        // A quarter of a year is the longest.
        assert_eq!("06-01..08-31".parse::<Rule>().map(|r| r.days), Ok(92));
        // A day is a span of one.
        assert_eq!("12-24..12-24".parse::<Rule>(), Ok(Rule::date(12, 24)));
        for (text, said) in [
            ("02-29", "not a date every year has"),
            ("2024-11-27", "is not a date MM-DD"),
            ("11-27/Fry", "'Fry' is not a weekday"),
            ("easter+61", "within 60 days"),
            ("easter+x", "'+x' is not a number of days"),
            ("Easter", "neither a date MM-DD nor a feast"),
            ("", "neither a date MM-DD nor a feast"),
            ("06-01..09-01", "lasts 93 days; an event lasts 92 at most"),
            ("easter+1..-1", "ends before it starts"),
            ("easter+50..+70", "within 60 days"),
            ("11-23/Fri..11-26", "an event that keeps a weekday lasts one day"),
            ("11-20..easter", "after '..' comes the last day, MM-DD"),
            ("02-20..02-29", "not a span of dates every year has"),
            ("easter..", "after '..' comes the last day's days"),
            ("easter..diwali", "'easter..diwali': after '..' comes the last day's days"),
        ] {
            let err = text.parse::<Rule>().unwrap_err();
            assert!(err.contains(said), "{text}: {err}");
        }
    }

    proptest::proptest! {
        /// Whatever a request holds, reading it never panics, and a rule read back from its
        /// written form is the same rule.
        #[test]
        fn any_text_reads_as_a_rule_or_a_reason(
            text in concat!(
                "\\PC{0,24}|[0-9]{1,4}-[0-9]{1,4}(/[A-Za-z]{0,10})?|[a-z_]{0,16}[+-]?[0-9]{0,12}",
                "|(easter|orthodox_easter|lunar_new_year|eid_al_fitr|eid_al_adha|mid_autumn|dragon_boat|diwali)([+-][0-9]{1,3})?",
                "(\\.\\.([+-]?[0-9]{1,3}|[0-9]{1,2}-[0-9]{1,2}))?",
                "|[0-9]{1,2}-[0-9]{1,2}\\.\\.[0-9]{1,2}-[0-9]{1,2}|ramadan",
            ),
        ) {
            if let Ok(rule) = text.parse::<Rule>() {
                proptest::prop_assert!(rule.is_valid());
                proptest::prop_assert_eq!(rule.to_string().parse::<Rule>(), Ok(rule));
                // Any year's period holds it or not, without a panic, to the ends of the calendar.
                for start in [NaiveDate::MIN, date(1, 1, 1), date(2024, 12, 30), NaiveDate::MAX] {
                    let share = rule.share(start, 7);
                    proptest::prop_assert!((0.0..=1.0).contains(&share));
                }
            }
        }
    }

    #[test]
    fn the_eids_are_the_umm_al_qura_dates_and_some_years_hold_two() {
        let (fitr, adha) = (Feast::EidAlFitr, Feast::EidAlAdha);
        // Hijri years 1443-1446 (2022-2025), and the tables' ends.
        for (index, fitr_day, adha_day) in [
            (1343, date(1925, 4, 24), date(1925, 7, 2)),
            (1443, date(2022, 5, 2), date(2022, 7, 9)),
            (1444, date(2023, 4, 21), date(2023, 6, 28)),
            (1445, date(2024, 4, 10), date(2024, 6, 16)),
            (1446, date(2025, 3, 30), date(2025, 6, 6)),
            (1500, date(2077, 8, 19), date(2077, 10, 27)),
        ] {
            assert_eq!(
                (fitr.occurrence(index), adha.occurrence(index)),
                (Some(fitr_day), Some(adha_day))
            );
            assert_eq!((fitr.index_near(fitr_day), adha.index_near(adha_day)), (index, index));
        }
        assert_eq!((fitr.occurrence(1342), fitr.occurrence(1501)), (None, None));
        // 2000 holds two Eids al-Fitr (8 January and 27 December): both its weeks are held,
        // and each is the nearest occurrence to a day of its week.
        let eid = Rule::feast(fitr, 0);
        assert!(eid.held_by(date(2000, 1, 3), 7) && eid.held_by(date(2000, 12, 25), 7));
        assert!(!eid.held_by(date(2000, 6, 26), 7));
        assert_eq!(
            (fitr.index_near(date(2000, 1, 1)), fitr.index_near(date(2000, 12, 31))),
            (1420, 1421)
        );
        // An Eid moves about 11 days a year, and away from the table's years there is none.
        assert_eq!(fitr.index_near(date(2024, 10, 1)), 1445);
        assert_eq!(fitr.index_near(date(2024, 10, 20)), 1446);
        assert!(!eid.held_by(date(1900, 1, 1), 31) && !eid.held_by(date(2100, 1, 1), 31));
        let labels = [
            (fitr, -1, "the eve of Eid al-Fitr"),
            (fitr, 0, "Eid al-Fitr"),
            (adha, -1, "the Day of Arafah"),
            (adha, 2, "2 days after Eid al-Adha"),
        ];
        for (feast, offset, label) in labels {
            assert_eq!(Rule::feast(feast, offset).label(), label);
        }
    }

    /// Three years of weeks from 3 January 2022 whose weeks holding `rule`'s day are lifted,
    /// with small alternating noise elsewhere.
    fn lifted_with(rule: Rule) -> (Vec<NaiveDate>, Vec<f64>) {
        let dates: Vec<NaiveDate> =
            (0..156).map(|t| date(2022, 1, 3) + chrono::Duration::weeks(t)).collect();
        let residuals = dates
            .iter()
            .enumerate()
            .map(|(t, d)| {
                let noise = if t % 2 == 0 { 1.0 } else { -1.0 } * (1.0 + (t % 5) as f64 / 5.0);
                noise + if rule.held_by(*d, 7) { 20.0 } else { 0.0 }
            })
            .collect();
        (dates, residuals)
    }

    #[test]
    fn weeks_that_move_with_a_feast_other_than_easter_are_found_by_it() {
        // Orthodox Easter 2022-2024 (24 April, 16 April, 5 May) is one to five weeks after
        // Easter; Lunar New Year (1 February, 22 January, 10 February) moves up to three weeks.
        // Eid al-Fitr (2 May, 21 April, 10 April) and Eid al-Adha (9 July, 28 June, 16 June)
        // come 11 days earlier every year. The Mid-Autumn Festival (10 September, 29 September,
        // 17 September) and the Dragon Boat Festival (3 June, 22 June, 10 June) move with the
        // lunar months, as Lunar New Year.
        for (feast, last_week) in [
            (Feast::OrthodoxEaster, date(2024, 4, 29)),
            (Feast::LunarNewYear, date(2024, 2, 5)),
            (Feast::EidAlFitr, date(2024, 4, 8)),
            (Feast::EidAlAdha, date(2024, 6, 10)),
            (Feast::MidAutumn, date(2024, 9, 16)),
            (Feast::DragonBoat, date(2024, 6, 10)),
            // Diwali (24 October, 12 November, 31 October) is within a week of the same date in
            // 2022 and 2024: a date a period off in one year, which the feast explains exactly.
            (Feast::Diwali, date(2024, 10, 28)),
        ] {
            let rule = Rule::feast(feast, 0);
            let (dates, residuals) = lifted_with(rule);
            let found = recurring_periods(&residuals, &dates, Calendar::WEEKLY);
            assert_eq!(found.len(), 1, "{feast:?}: {found:?}");
            assert_eq!((dates[found[0].last], found[0].kind), (last_week, Match::Feast(feast)));
            assert_eq!(anchor(&dates, &residuals, &found[0], 7), Some(rule));
        }
    }

    #[test]
    fn a_week_that_moves_with_easter_is_found_by_it() {
        // Three years of weeks from 3 January 2022, the weeks holding Easter Sunday (17 April
        // 2022, 9 April 2023, 31 March 2024: two weeks apart from year to year) lifted.
        let easter = Rule::feast(Feast::Easter, 0);
        let (dates, residuals) = lifted_with(easter);
        let found = recurring_periods(&residuals, &dates, Calendar::WEEKLY);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            (dates[found[0].last], found[0].kind),
            (date(2024, 3, 25), Match::Feast(Feast::Easter))
        );
        // Every offset from Monday to Easter Sunday marks the same weeks: Easter Sunday's own.
        assert_eq!(anchor(&dates, &residuals, &found[0], 7), Some(easter));
    }

    #[test]
    fn a_weekday_rule_falls_on_the_first_such_weekday_from_its_date() {
        let black_friday = Rule { weekday: Some(Weekday::Fri), ..Rule::date(11, 23) };
        for year in 2000..2100 {
            assert_eq!(black_friday.date_in(year), Some(self::black_friday(year)), "{year}");
        }
        // Into the next year: the first Friday from 29 December 2024 is 3 January 2025, which
        // a day of 2025 holds; the date itself holds it no more.
        let late = Rule { weekday: Some(Weekday::Fri), ..Rule::date(12, 29) };
        assert_eq!(late.date_in(2024), Some(date(2025, 1, 3)));
        assert!(late.held_by(date(2025, 1, 3), 1));
        assert!(late.held_by(date(2024, 12, 30), 7));
        assert!(!late.held_by(date(2024, 12, 29), 1));
    }

    /// Black Friday: the day after the fourth Thursday of November, the Friday of 23-29 November.
    fn black_friday(year: i32) -> NaiveDate {
        (23..=29).map(|d| date(year, 11, d)).find(|d| d.weekday() == chrono::Weekday::Fri).unwrap()
    }

    #[test]
    fn a_holiday_on_a_weekday_is_in_the_week_holding_one_date() {
        // Weeks from Monday: the week holding Black Friday holds 25 November, every year.
        for year in 2000..2100 {
            let friday = black_friday(year);
            let monday = friday - chrono::Duration::days(4);
            assert!(holds(monday, 7, 11, 25), "{year}");
        }
    }

    #[test]
    fn an_event_on_a_weekday_is_dated_by_the_middle_of_the_dates_its_weeks_share() {
        // Black Friday 2021-2023 (26, 25, 24 November): its weeks (from the 22nd, 21st, 20th)
        // share 22-26 November; the middle one, the 24th, marks them.
        let dates: Vec<NaiveDate> =
            (0..156).map(|t| date(2021, 1, 4) + chrono::Duration::weeks(t)).collect();
        let residuals: Vec<f64> = dates
            .iter()
            .enumerate()
            .map(|(t, d)| {
                let lift = (0..7).any(|k| *d + chrono::Duration::days(k) == black_friday(d.year()));
                if lift { 20.0 } else { [1.0, -1.2, 0.8, -0.6][t % 4] }
            })
            .collect();
        let found = recurring_periods(&residuals, &dates, Calendar::WEEKLY);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(anchor(&dates, &residuals, &found[0], 7), Some(Rule::date(11, 24)));
    }

    /// Three years of weeks from 4 January 2021 with `lift` in the weeks holding 27 November
    /// and small alternating noise elsewhere.
    fn market(lift: f64) -> (Vec<NaiveDate>, Vec<f64>) {
        let dates: Vec<NaiveDate> =
            (0..156).map(|t| date(2021, 1, 4) + chrono::Duration::weeks(t)).collect();
        let residuals = dates
            .iter()
            .enumerate()
            .map(|(t, d)| {
                let noise = if t % 2 == 0 { 1.0 } else { -1.0 } * (1.0 + (t % 5) as f64 / 5.0);
                noise + if holds(*d, 7, 11, 27) { lift } else { 0.0 }
            })
            .collect();
        (dates, residuals)
    }

    #[test]
    fn a_week_missed_the_same_way_every_year_is_found_and_dated() {
        let (dates, residuals) = market(20.0);
        let found = recurring_periods(&residuals, &dates, Calendar::WEEKLY);
        assert_eq!(found.len(), 1, "{found:?}");
        let week = &found[0];
        // 2023: the week of Monday 27 November; 2022: of the 21st; 2021: of the 22nd.
        assert_eq!(dates[week.last], date(2023, 11, 27));
        let earlier: Vec<NaiveDate> = week.earlier.iter().map(|&k| dates[k]).collect();
        assert_eq!(earlier, [date(2022, 11, 21), date(2021, 11, 22)]);
        // The week of 27-3 December 2023 holds the 27th, 28th and so on; only the 27th is held
        // by the lifted weeks of the earlier years too.
        assert_eq!(anchor(&dates, &residuals, week, 7), Some(Rule::date(11, 27)));
    }

    #[test]
    fn a_day_that_jumps_every_year_is_found_across_a_leap_day() {
        // Three years of days from 3 January 2022 (29 February 2024 among them), 24 December
        // lifted; 365 days back from 24 December 2024 is the 25th of 2023.
        let dates: Vec<NaiveDate> =
            (0..1095).map(|t| date(2022, 1, 3) + chrono::Duration::days(t)).collect();
        let residuals: Vec<f64> = dates
            .iter()
            .enumerate()
            .map(|(t, d)| {
                let noise = if t % 2 == 0 { 1.0 } else { -1.0 } * (1.0 + (t % 5) as f64 / 5.0);
                noise + if holds(*d, 1, 12, 24) { 20.0 } else { 0.0 }
            })
            .collect();
        let found = recurring_periods(&residuals, &dates, Calendar::DAILY);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(dates[found[0].last], date(2024, 12, 24));
        let earlier: Vec<NaiveDate> = found[0].earlier.iter().map(|&k| dates[k]).collect();
        assert_eq!(earlier, [date(2023, 12, 24), date(2022, 12, 24)]);
        assert_eq!(anchor(&dates, &residuals, &found[0], 1), Some(Rule::date(12, 24)));
        // Noise that moves the last year's largest miss to the day before: the event is still
        // dated by the days the earlier years missed.
        let mut moved = residuals.clone();
        let last = found[0].last;
        moved[last] -= 17.0;
        moved[last - 1] += 8.0;
        let found = recurring_periods(&moved, &dates, Calendar::DAILY);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(dates[found[0].last], date(2024, 12, 23));
        assert_eq!(anchor(&dates, &moved, &found[0], 1), Some(Rule::date(12, 24)));
        assert_eq!(Calendar::of(Frequency::Daily), Some(Calendar::DAILY));
        // Months have none: a yearly lift there is the season's.
        assert_eq!(Calendar::of(Frequency::Monthly), None);
    }

    #[test]
    fn misses_just_past_the_threshold_every_year_are_how_chance_looks() {
        // Noise spread evenly over [-1, 1]; the weeks holding 27 November set to `z` robust
        // sds above it, year by year (2021, 2022, 2023).
        let (dates, _) = market(0.0);
        let noise: Vec<f64> = (0..156).map(|t| ((t * 7919) % 101) as f64 / 50.0 - 1.0).collect();
        let with = |z: [f64; 3]| -> Vec<f64> {
            let (mut r, mut year) = (noise.clone(), 0);
            for (t, d) in dates.iter().enumerate() {
                if holds(*d, 7, 11, 27) {
                    r[t] = z[year] * 1.4826 * 0.5;
                    year += 1;
                }
            }
            r
        };
        // The premise: the noise's centre is near 0 and its robust sd near 1.4826 · 0.5.
        let scaled = crate::checks::robust_z(&noise).unwrap();
        let scale = noise[1] / scaled[1];
        assert!((scale / (1.4826 * 0.5) - 1.0).abs() < 0.05, "{scale}");
        // Past 2 sds every year, but 2.2 on average: not an event.
        assert!(recurring_periods(&with([2.2, 2.2, 2.2]), &dates, Calendar::WEEKLY).is_empty());
        // 2.7 on average: one.
        let found = recurring_periods(&with([2.2, 2.6, 3.3]), &dates, Calendar::WEEKLY);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(dates[found[0].last], date(2023, 11, 27));
    }

    #[test]
    fn noise_alone_and_a_one_off_week_are_not_events() {
        let (dates, residuals) = market(0.0);
        assert!(recurring_periods(&residuals, &dates, Calendar::WEEKLY).is_empty());
        let (_, mut residuals) = market(0.0);
        residuals[140] += 20.0;
        assert!(recurring_periods(&residuals, &dates, Calendar::WEEKLY).is_empty());
        // Too short for two years.
        assert!(
            recurring_periods(&market(20.0).1[..100], &market(20.0).0, Calendar::WEEKLY).is_empty()
        );
    }
}
