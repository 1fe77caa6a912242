//! Feasts whose dates move in the civil calendar from year to year (Easter, Orthodox Easter,
//! Lunar New Year, the Eids and the other days of the Islamic calendar, the Mid-Autumn and
//! Dragon Boat Festivals, Buddha's Birthday, Diwali, Holi, Dussehra), and the days the sun sets
//! (the equinoxes, Qingming): their days by rule or from tables.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

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
    /// The first day of the Islamic year, 1 Muharram (Umm al-Qura calendar, 1924-2076).
    IslamicNewYear,
    /// The Prophet's Birthday (Mawlid), 12 Rabi' al-Awwal (Umm al-Qura calendar, 1924-2077).
    Mawlid,
    /// The Night Journey (Isra and Mi'raj), 27 Rajab (Umm al-Qura calendar, 1925-2077).
    IsraMiraj,
    /// The Hindu festival of colours, the day after the full moon of Phalguna (India's gazetted
    /// day, 2001-2035): 1 to 29 March.
    Holi,
    /// Vijayadashami, the tenth day of the bright half of Ashvin (India's gazetted day,
    /// 2001-2035): 27 September to 26 October.
    Dussehra,
    /// Buddha's Birthday, the 8th day of the 4th month of the Korean lunisolar calendar (Korea's
    /// Seokga Tansinil; Hong Kong's and Macau's too, which follow the Chinese calendar's day,
    /// the same in all but 7 years of 1900-2099), 1900-2099: 28 April to 29 May.
    BuddhasBirthday,
    /// Japan's Vernal Equinox Day (Shunbun no Hi), the day of the March equinox in Japan's time,
    /// 1900-2099: 19 to 22 March.
    VernalEquinox,
    /// Japan's Autumnal Equinox Day (Shūbun no Hi), the day of the September equinox in Japan's
    /// time, 1900-2099: 22 to 24 September.
    AutumnalEquinox,
    /// The Qingming Festival (Tomb-Sweeping Day), the day the sun reaches 15° of longitude in
    /// China's time, 1900-2099: 4 to 6 April.
    Qingming,
    /// Seollal, the first day of the Korean lunisolar year, 1900-2099: Lunar New Year's day but
    /// in 12 years, where Korea's meridian puts the new moon a day later (2027 and 2028 among
    /// them).
    Seollal,
    /// Chuseok, the 15th day of the 8th month of the Korean lunisolar calendar, 1900-2099: the
    /// Mid-Autumn Festival's day but in 7 years (2040 among them).
    Chuseok,
}

impl Feast {
    /// Every feast, in the order the search asks for them: Easter first (a week that holds both
    /// Easters, as in 2025, is Easter's), those added later last.
    pub const ALL: [Feast; 19] = [
        Feast::Easter,
        Feast::OrthodoxEaster,
        Feast::LunarNewYear,
        Feast::EidAlFitr,
        Feast::EidAlAdha,
        Feast::MidAutumn,
        Feast::DragonBoat,
        Feast::Diwali,
        Feast::IslamicNewYear,
        Feast::Mawlid,
        Feast::IsraMiraj,
        Feast::Holi,
        Feast::Dussehra,
        Feast::BuddhasBirthday,
        Feast::VernalEquinox,
        Feast::AutumnalEquinox,
        Feast::Qingming,
        Feast::Seollal,
        Feast::Chuseok,
    ];

    /// The feast's day in its occurrence `index`: the Gregorian year for Easter, Orthodox Easter,
    /// the Chinese and Korean calendars' feasts, the Hindu ones and the sun's days; the Islamic
    /// (Hijri) year for the Eids and the Islamic calendar's other days, whose year is 11 days
    /// shorter (some Gregorian years hold two of them: Eid al-Fitr in 2000 and 2033). None outside
    /// the years its table covers.
    pub fn occurrence(self, index: i32) -> Option<NaiveDate> {
        match self {
            Feast::Easter => easter_sunday(index),
            Feast::OrthodoxEaster => orthodox_easter_sunday(index),
            Feast::LunarNewYear => lunar_new_year(index),
            Feast::EidAlFitr
            | Feast::EidAlAdha
            | Feast::IslamicNewYear
            | Feast::Mawlid
            | Feast::IsraMiraj => hijri_table(self.hijri_days()?, index),
            Feast::MidAutumn => table_1900(&MID_AUTUMN, (9, 7), index),
            Feast::DragonBoat => table_1900(&DRAGON_BOAT, (5, 27), index),
            Feast::Diwali => table_1900(&DIWALI, (10, 15), index),
            Feast::Holi => gazetted_table(&HOLI, (3, 1), index),
            Feast::Dussehra => gazetted_table(&DUSSEHRA, (9, 27), index),
            Feast::BuddhasBirthday => table_1900(&BUDDHAS_BIRTHDAY, (4, 20), index),
            Feast::VernalEquinox => table_1900(&VERNAL_EQUINOX, (3, 19), index),
            Feast::AutumnalEquinox => table_1900(&AUTUMNAL_EQUINOX, (9, 22), index),
            Feast::Qingming => table_1900(&QINGMING, (4, 4), index),
            Feast::Seollal => table_1900(&SEOLLAL, (1, 21), index),
            Feast::Chuseok => table_1900(&CHUSEOK, (9, 7), index),
        }
    }

    /// The days of the Islamic calendar's feasts in each Hijri year from [`HIJRI_FROM`]; none
    /// for the others.
    fn hijri_days(self) -> Option<&'static [u16; 158]> {
        match self {
            Feast::EidAlFitr => Some(&EID_AL_FITR),
            Feast::EidAlAdha => Some(&EID_AL_ADHA),
            Feast::IslamicNewYear => Some(&ISLAMIC_NEW_YEAR),
            Feast::Mawlid => Some(&MAWLID),
            Feast::IsraMiraj => Some(&ISRA_MIRAJ),
            _ => None,
        }
    }

    /// The index of an occurrence near `date` ([`Self::occurrence`]): for the Islamic
    /// calendar's feasts the nearest; for the others `date`'s year, whose feast is the nearest
    /// within weeks of it.
    pub fn index_near(self, date: NaiveDate) -> i32 {
        let Some(table) = self.hijri_days() else { return date.year() };
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
            Feast::IslamicNewYear => "the Islamic New Year",
            Feast::Mawlid => "the Prophet's Birthday",
            Feast::IsraMiraj => "Isra and Mi'raj",
            Feast::Holi => "Holi",
            Feast::Dussehra => "Dussehra",
            Feast::BuddhasBirthday => "Buddha's Birthday",
            Feast::VernalEquinox => "Vernal Equinox Day",
            Feast::AutumnalEquinox => "Autumnal Equinox Day",
            Feast::Qingming => "the Qingming Festival",
            Feast::Seollal => "Seollal",
            Feast::Chuseok => "Chuseok",
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

    /// The oldest format version of the model document that knows the feast: 6 for Easter, 7
    /// for Orthodox Easter, Lunar New Year and the Eids, 8 for the Mid-Autumn and Dragon Boat
    /// Festivals and Diwali, 10 for those added after events of several days.
    pub fn format_version(self) -> u32 {
        match self {
            Feast::Easter => 6,
            Feast::OrthodoxEaster | Feast::LunarNewYear | Feast::EidAlFitr | Feast::EidAlAdha => 7,
            Feast::MidAutumn | Feast::DragonBoat | Feast::Diwali => 8,
            Feast::IslamicNewYear
            | Feast::Mawlid
            | Feast::IsraMiraj
            | Feast::Holi
            | Feast::Dussehra
            | Feast::BuddhasBirthday
            | Feast::VernalEquinox
            | Feast::AutumnalEquinox
            | Feast::Qingming
            | Feast::Seollal
            | Feast::Chuseok => 10,
        }
    }

    /// The name of the day `offset` days from the feast's: "Good Friday", "Orthodox Easter
    /// Monday", "Lunar New Year's Eve", "the Day of Arafah", "9 days before Easter Sunday".
    pub(super) fn day_name(self, offset: i32) -> String {
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
            // The others name their own day only.
            _ => (offset == 0).then(|| self.name().to_owned()),
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

/// The first year of the tables of 200 years: [`LUNAR_NEW_YEAR`], [`MID_AUTUMN`],
/// [`DRAGON_BOAT`], the Korean calendar's ([`SEOLLAL`], [`CHUSEOK`], [`BUDDHAS_BIRTHDAY`]),
/// [`DIWALI`] and the sun's days ([`VERNAL_EQUINOX`], [`AUTUMNAL_EQUINOX`], [`QINGMING`]).
const TABLES_FROM: i32 = 1900;

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

/// A feast in `year` (1900-2099): `table` holds its days after `from` (month, day) of each year
/// from 1900.
fn table_1900(table: &[u8; 200], from: (u32, u32), year: i32) -> Option<NaiveDate> {
    let index = usize::try_from(year.checked_sub(TABLES_FROM)?).ok()?;
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

/// Seollal of 1900-2099: days after 21 January. python-holidays 0.109's Korean-calendar days for
/// 1901-2099 (Lunar New Year's but in 1916, 1944, 1954, 1958, 1966, 1988, 1997, 2027, 2028, 2061,
/// 2089 and 2092), and `lunardate` 0.3.0's for 1900.
const SEOLLAL: [u8; 200] = [
    10, 29, 18, 8, 26, 14, 4, 23, 12, 1, 20, 9, 28, 16, 5, 24, 14, 2, 21, 11, 30, 18, 7, 26, 15, 3,
    23, 12, 2, 20, 9, 27, 16, 5, 24, 14, 3, 21, 10, 29, 18, 6, 25, 15, 5, 23, 12, 1, 20, 8, 27, 16,
    6, 24, 14, 3, 22, 10, 29, 18, 7, 25, 15, 4, 23, 12, 1, 19, 9, 27, 16, 6, 25, 13, 2, 21, 10, 28,
    17, 7, 26, 15, 4, 23, 12, 30, 19, 8, 28, 16, 6, 25, 14, 2, 20, 10, 29, 18, 7, 26, 15, 3, 22,
    11, 1, 19, 8, 28, 17, 5, 24, 13, 2, 20, 10, 29, 18, 7, 26, 15, 4, 22, 11, 1, 20, 8, 27, 17, 6,
    23, 13, 2, 21, 10, 29, 18, 7, 25, 14, 3, 22, 11, 1, 20, 9, 27, 16, 5, 24, 12, 2, 21, 11, 29,
    18, 7, 25, 14, 3, 22, 12, 1, 19, 8, 27, 15, 5, 24, 13, 2, 21, 10, 29, 17, 6, 25, 15, 3, 22, 12,
    1, 19, 8, 27, 16, 5, 24, 13, 3, 21, 9, 28, 18, 6, 25, 15, 4, 22, 11, 0,
];

/// Chuseok of 1900-2099: days after 7 September, as [`SEOLLAL`] (the Mid-Autumn Festival's but
/// in 1909, 1942, 1978, 2040, 2089, 2096 and 2098).
const CHUSEOK: [u8; 200] = [
    1, 20, 9, 28, 17, 6, 25, 15, 3, 22, 11, 29, 18, 8, 27, 16, 5, 23, 12, 31, 19, 9, 28, 18, 6, 25,
    14, 3, 21, 10, 29, 19, 8, 27, 16, 5, 23, 12, 31, 20, 9, 28, 18, 7, 24, 13, 3, 22, 10, 29, 19,
    8, 26, 15, 4, 23, 12, 1, 20, 10, 28, 17, 6, 25, 13, 3, 22, 11, 29, 19, 8, 26, 15, 4, 23, 13, 1,
    20, 10, 28, 16, 5, 24, 14, 3, 22, 11, 30, 18, 7, 26, 15, 4, 23, 13, 2, 20, 9, 28, 17, 5, 24,
    14, 4, 21, 11, 29, 18, 7, 26, 15, 5, 23, 12, 1, 20, 8, 27, 17, 6, 24, 14, 3, 22, 10, 29, 18, 8,
    26, 15, 5, 24, 12, 1, 20, 9, 27, 17, 6, 25, 14, 3, 21, 10, 28, 18, 8, 27, 15, 4, 23, 12, 0, 19,
    9, 28, 17, 6, 25, 14, 2, 21, 10, 29, 18, 8, 26, 16, 4, 22, 12, 1, 19, 9, 28, 17, 5, 24, 13, 3,
    21, 10, 29, 19, 7, 26, 15, 4, 22, 12, 1, 20, 9, 28, 17, 6, 24, 13, 3, 22,
];

/// Buddha's Birthday of 1900-2099 in the Korean calendar: days after 20 April. python-holidays
/// 0.109's Korean-calendar days for 1901-2099 (the Chinese calendar's 8th day of the 4th month
/// but in 1905, 1908, 1931, 1968, 2001, 2012 and 2023, where Korea's meridian puts a new moon on
/// the next day or the leap month elsewhere), and `lunardate` 0.3.0's for 1900.
const BUDDHAS_BIRTHDAY: [u8; 200] = [
    16, 35, 25, 14, 32, 22, 11, 29, 18, 36, 26, 16, 34, 23, 12, 31, 19, 38, 27, 17, 35, 25, 14, 33,
    21, 10, 29, 18, 36, 26, 16, 35, 23, 12, 30, 20, 38, 27, 17, 36, 24, 13, 32, 21, 10, 29, 18, 37,
    26, 15, 34, 23, 11, 30, 20, 39, 27, 17, 36, 25, 13, 32, 21, 11, 29, 18, 37, 26, 15, 33, 22, 12,
    30, 20, 9, 28, 16, 35, 24, 13, 31, 21, 11, 30, 18, 37, 26, 15, 33, 22, 12, 31, 20, 38, 28, 17,
    34, 24, 13, 32, 21, 11, 29, 18, 36, 25, 15, 34, 22, 12, 31, 20, 38, 27, 16, 35, 24, 13, 32, 22,
    10, 29, 18, 37, 25, 15, 34, 23, 12, 30, 19, 38, 26, 16, 35, 25, 13, 32, 21, 10, 28, 17, 36, 26,
    15, 34, 23, 12, 30, 19, 38, 27, 16, 35, 25, 14, 32, 21, 10, 29, 17, 36, 26, 15, 33, 22, 11, 30,
    19, 8, 27, 17, 35, 24, 13, 32, 20, 10, 29, 18, 36, 26, 15, 34, 22, 11, 30, 20, 8, 27, 17, 35,
    23, 13, 31, 21, 10, 29, 18, 37,
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

/// The Islamic New Year (1 Muharram) of Hijri years 1343-1500 (1924-2076), as
/// [`EID_AL_FITR`]. The same days as python-holidays 0.109 holds for 2000-2040, as are
/// [`MAWLID`] and [`ISRA_MIRAJ`].
const ISLAMIC_NEW_YEAR: [u16; 158] = [
    8978, 9334, 9687, 10042, 10396, 10750, 11104, 11460, 11814, 12168, 12522, 12877, 13231, 13586,
    13939, 14294, 14648, 15002, 15357, 15711, 16065, 16420, 16774, 17129, 17483, 17837, 18192,
    18547, 18901, 19256, 19610, 19964, 20319, 20673, 21027, 21382, 21736, 22090, 22444, 22798,
    23153, 23507, 23861, 24216, 24571, 24925, 25279, 25634, 25988, 26343, 26697, 27051, 27405,
    27759, 28114, 28468, 28823, 29177, 29532, 29885, 30240, 30594, 30949, 31303, 31658, 32012,
    32366, 32720, 33075, 33429, 33784, 34139, 34493, 34847, 35201, 35555, 35910, 36265, 36620,
    36974, 37328, 37682, 38036, 38391, 38746, 39100, 39455, 39809, 40163, 40517, 40871, 41226,
    41580, 41935, 42289, 42643, 42997, 43352, 43706, 44061, 44415, 44770, 45124, 45478, 45832,
    46187, 46542, 46896, 47250, 47604, 47959, 48313, 48668, 49022, 49377, 49731, 50085, 50439,
    50794, 51148, 51503, 51857, 52212, 52566, 52920, 53274, 53629, 53983, 54338, 54692, 55046,
    55400, 55755, 56109, 56464, 56818, 57173, 57527, 57881, 58235, 58590, 58944, 59299, 59654,
    60008, 60362, 60716, 61070, 61425, 61780, 62134, 62488, 62842, 63196, 63551, 63905, 64260,
    64614,
];

/// The Prophet's Birthday (12 Rabi' al-Awwal) of Hijri years 1343-1500, as [`EID_AL_FITR`].
const MAWLID: [u16; 158] = [
    9048, 9403, 9757, 10111, 10465, 10820, 11174, 11530, 11884, 12238, 12592, 12947, 13301, 13655,
    14009, 14365, 14719, 15072, 15427, 15781, 16135, 16490, 16844, 17199, 17553, 17907, 18262,
    18617, 18971, 19326, 19680, 20034, 20389, 20743, 21097, 21452, 21806, 22160, 22514, 22868,
    23223, 23577, 23931, 24287, 24640, 24995, 25349, 25704, 26058, 26412, 26767, 27121, 27475,
    27829, 28184, 28538, 28893, 29248, 29602, 29956, 30310, 30664, 31018, 31373, 31728, 32082,
    32436, 32790, 33145, 33499, 33854, 34208, 34563, 34917, 35271, 35625, 35980, 36335, 36689,
    37044, 37398, 37752, 38106, 38461, 38815, 39170, 39525, 39879, 40233, 40587, 40941, 41296,
    41650, 42005, 42359, 42713, 43067, 43422, 43776, 44131, 44485, 44840, 45194, 45548, 45902,
    46257, 46611, 46966, 47321, 47675, 48029, 48383, 48737, 49092, 49447, 49801, 50156, 50510,
    50864, 51218, 51573, 51927, 52282, 52636, 52990, 53344, 53698, 54053, 54408, 54762, 55116,
    55471, 55825, 56179, 56533, 56888, 57243, 57597, 57951, 58305, 58659, 59014, 59369, 59723,
    60078, 60432, 60786, 61140, 61495, 61849, 62204, 62559, 62913, 63267, 63621, 63975, 64330,
    64685,
];

/// Isra and Mi'raj (27 Rajab) of Hijri years 1343-1500, as [`EID_AL_FITR`].
const ISRA_MIRAJ: [u16; 158] = [
    9182, 9536, 9891, 10245, 10599, 10953, 11307, 11662, 12017, 12371, 12726, 13080, 13434, 13788,
    14142, 14497, 14852, 15205, 15560, 15914, 16268, 16623, 16977, 17332, 17686, 18040, 18395,
    18750, 19104, 19459, 19813, 20167, 20522, 20876, 21230, 21585, 21939, 22293, 22648, 23002,
    23356, 23710, 24064, 24419, 24773, 25128, 25482, 25837, 26191, 26545, 26899, 27254, 27609,
    27963, 28317, 28671, 29026, 29380, 29735, 30089, 30444, 30798, 31152, 31506, 31861, 32215,
    32570, 32924, 33278, 33632, 33987, 34341, 34695, 35050, 35405, 35759, 36113, 36467, 36821,
    37176, 37531, 37886, 38240, 38594, 38948, 39302, 39657, 40012, 40366, 40721, 41075, 41429,
    41783, 42138, 42492, 42847, 43201, 43556, 43910, 44264, 44618, 44973, 45328, 45682, 46036,
    46390, 46744, 47099, 47453, 47808, 48162, 48517, 48871, 49225, 49579, 49934, 50288, 50643,
    50997, 51351, 51705, 52060, 52414, 52769, 53124, 53478, 53832, 54186, 54540, 54895, 55250,
    55604, 55959, 56313, 56667, 57021, 57375, 57730, 58085, 58439, 58793, 59147, 59502, 59856,
    60211, 60565, 60920, 61274, 61628, 61982, 62337, 62691, 63046, 63400, 63755, 64109, 64463,
    64817,
];

/// The day of Hijri year `index` in `table` (from [`HIJRI_FROM`]); none outside it.
fn hijri_table(table: &[u16], index: i32) -> Option<NaiveDate> {
    let at = usize::try_from(index.checked_sub(HIJRI_FROM)?).ok()?;
    table_epoch().checked_add_signed(chrono::Duration::days((*table.get(at)?).into()))
}

/// Lunar New Year of `year` (1900-2099; none outside).
pub fn lunar_new_year(year: i32) -> Option<NaiveDate> {
    table_1900(&LUNAR_NEW_YEAR, (1, 21), year)
}

/// The first year of [`HOLI`] and [`DUSSEHRA`].
const GAZETTED_FROM: i32 = 2001;

/// Holi of 2001-2035: days after 1 March. India's gazetted days, as python-holidays 0.109 holds
/// them (the day after the full moon of Phalguna; the rules by the tithi at a fixed hour tried
/// here missed it by a day in three to five years of the 35, so the days are the gazette's).
const HOLI: [u8; 35] = [
    9, 28, 17, 6, 25, 14, 3, 21, 10, 0, 19, 7, 26, 16, 5, 23, 12, 1, 20, 9, 28, 17, 7, 24, 13, 3,
    21, 10, 0, 19, 8, 26, 15, 4, 23,
];

/// Dussehra of 2001-2035: days after 27 September, India's gazetted days as [`HOLI`].
const DUSSEHRA: [u8; 35] = [
    29, 18, 8, 25, 15, 5, 24, 12, 1, 20, 9, 27, 16, 6, 25, 14, 3, 22, 11, 28, 18, 8, 27, 15, 5, 23,
    12, 0, 19, 9, 28, 17, 6, 25, 14,
];

/// A Hindu feast in `year` (2001-2035, the years India's gazette lists are known for): `table`
/// holds its days after `from` (month, day) of each year from [`GAZETTED_FROM`].
fn gazetted_table(table: &[u8; 35], from: (u32, u32), year: i32) -> Option<NaiveDate> {
    let index = usize::try_from(year.checked_sub(GAZETTED_FROM)?).ok()?;
    let after = table.get(index)?;
    NaiveDate::from_ymd_opt(year, from.0, from.1)?
        .checked_add_signed(chrono::Duration::days((*after).into()))
}

/// Japan's Vernal Equinox Day of 1900-2099: days after 19 March. The day (in Japan's time, UTC+9)
/// on which the sun's apparent longitude reaches 0°, computed with PyPI `ephem` 4.2: the same as
/// Japan's holiday (as python-holidays 0.109 holds it) in every year of 1950-2099.
const VERNAL_EQUINOX: [u8; 200] = [
    2, 2, 2, 3, 2, 2, 2, 3, 2, 2, 2, 3, 2, 2, 2, 3, 2, 2, 2, 3, 2, 2, 2, 3, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2,
    1, 2, 2, 2, 1, 2, 2, 2, 1, 2, 2, 2, 1, 2, 2, 2, 1, 2, 2, 2, 1, 2, 2, 2, 1, 2, 2, 2, 1, 1, 2, 2,
    1, 1, 2, 2, 1, 1, 2, 2, 1, 1, 2, 2, 1, 1, 2, 2, 1, 1, 2, 2, 1, 1, 2, 2, 1, 1, 2, 2, 1, 1, 1, 2,
    1, 1, 1, 2, 1, 1, 1, 2, 1, 1, 1, 2, 1, 1, 1, 2, 1, 1, 1, 2, 1, 1, 1, 2, 1, 1, 1, 2, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 1, 1, 1, 0, 1, 1, 1,
];

/// Japan's Autumnal Equinox Day of 1900-2099: days after 22 September; the sun at 180°, as
/// [`VERNAL_EQUINOX`].
const AUTUMNAL_EQUINOX: [u8; 200] = [
    1, 2, 2, 2, 1, 2, 2, 2, 1, 2, 2, 2, 1, 2, 2, 2, 1, 2, 2, 2, 1, 1, 2, 2, 1, 1, 2, 2, 1, 1, 2, 2,
    1, 1, 2, 2, 1, 1, 2, 2, 1, 1, 2, 2, 1, 1, 2, 2, 1, 1, 1, 2, 1, 1, 1, 2, 1, 1, 1, 2, 1, 1, 1, 2,
    1, 1, 1, 2, 1, 1, 1, 2, 1, 1, 1, 2, 1, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1,
    0, 1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1,
    0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1,
    0, 0, 0, 1, 0, 0, 0, 1,
];

/// The Qingming Festival of 1900-2099: days after 4 April. The day (in China's time, UTC+8) on
/// which the sun's apparent longitude reaches 15°, as [`VERNAL_EQUINOX`]: the same as China's
/// holiday (python-holidays 0.109) in every year of 2008-2099.
const QINGMING: [u8; 200] = [
    1, 1, 2, 2, 1, 1, 2, 2, 1, 1, 2, 2, 1, 1, 1, 2, 1, 1, 1, 2, 1, 1, 1, 2, 1, 1, 1, 2, 1, 1, 1, 2,
    1, 1, 1, 2, 1, 1, 1, 2, 1, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1,
    0, 1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1,
    0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1,
    0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0,
];
