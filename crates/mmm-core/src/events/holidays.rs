//! Countries' holidays, as events the fit asks the data about.

use super::rule::Rule;
use serde::{Deserialize, Serialize};

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
    pub(super) fn written(self) -> &'static [&'static str] {
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
            // Labour Thanksgiving Day, Christmas Eve and Day, New Year's Eve, and the equinox
            // days (19-21 March and 22-23 September, with the sun).
            Holidays::Jp => &[
                "01-01",
                "01-02",
                "01-03",
                "01-08/Mon",
                "02-11",
                "02-14",
                "02-23",
                "03-14",
                "vernal_equinox",
                "04-29",
                "05-03",
                "05-04",
                "05-05",
                "05-08/Sun",
                "07-15/Mon",
                "08-11",
                "08-15",
                "09-15/Mon",
                "autumnal_equinox",
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
            // Twelve, and Qingming (4 or 5 April, with the sun).
            Holidays::Cn => &[
                "01-01",
                "lunar_new_year-7",
                "lunar_new_year-1",
                "lunar_new_year",
                "lunar_new_year+4",
                "lunar_new_year+14",
                "02-14",
                "03-08",
                "qingming",
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
            // Movement Day, White Day, Children's Day, Buddha's Birthday, Memorial Day,
            // Liberation Day, Chuseok (its eve, first and second days), National Foundation Day,
            // Hangul Day, Pepero Day, Christmas Eve and Day, New Year's Eve. Seollal and Chuseok
            // are the Korean calendar's, a day after the Chinese calendar's Lunar New Year and
            // Mid-Autumn Festival in a few years (Seollal in 2027 and 2028, Chuseok in 2040).
            Holidays::Kr => &[
                "01-01",
                "seollal-1",
                "seollal",
                "seollal+1",
                "02-14",
                "03-01",
                "03-14",
                "05-05",
                "buddhas_birthday",
                "06-06",
                "08-15",
                "chuseok-1",
                "chuseok",
                "chuseok+1",
                "10-03",
                "10-09",
                "11-11",
                "12-24",
                "12-25",
                "12-31",
            ],
            // New Year, Republic Day, Valentine's Day, Holi, Eid al-Fitr and Eid al-Adha,
            // Independence Day, Gandhi Jayanti, Dussehra, Dhanteras (two days before Diwali) and
            // Diwali, Christmas, New Year's Eve. Holi and Dussehra are known for 2001-2035 only
            // (their tables hold India's gazette); Janmashtami, Ganesh Chaturthi and the other
            // festivals of the Hindu calendar have no rule here. Navratri (`navratri`, the nine
            // days before Dussehra) is not asked: a span of two weeks a year let noise in on one
            // market of 96 without it, and named it moved no ROI error by more than a point.
            Holidays::In => &[
                "01-01",
                "01-26",
                "02-14",
                "holi",
                "eid_al_fitr",
                "eid_al_adha",
                "08-15",
                "10-02",
                "dussehra",
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
            // and the three days of Eid al-Adha, the Islamic New Year, the Prophet's Birthday,
            // National Day (two days). Commemoration Day (30 November, then 1 December, until
            // 2023) has no rule here, nor Isra and Mi'raj, kept until 2018. Since 2021 the UAE
            // moves some holidays next to the weekend by decree; these are their own days.
            Holidays::Ae => &[
                "01-01",
                "ramadan",
                "eid_al_fitr-1",
                "eid_al_fitr..+2",
                "eid_al_adha-1",
                "eid_al_adha..+2",
                "islamic_new_year",
                "mawlid",
                "12-02..12-03",
            ],
            // Coptic Christmas, Revolution Day (25 January), Sham el-Nessim (the day after
            // Orthodox Easter), Sinai Liberation Day, Labour Day, Ramadan, Eid al-Fitr (two
            // days), the Day of Arafah and the three days of Eid al-Adha, the Islamic New Year,
            // the Prophet's Birthday, June 30 Revolution Day, Revolution Day (23 July), Armed
            // Forces Day. Egypt moves some holidays to a Thursday by decree; these are their own
            // days.
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
                "islamic_new_year",
                "mawlid",
                "06-30",
                "07-23",
                "10-06",
            ],
            // New Year, Lunar New Year, Isra and Mi'raj, Good Friday, Easter, Labour Day,
            // Ascension Day, Pancasila Day, Ramadan, Eid al-Fitr (Lebaran, two days), Eid
            // al-Adha, the Islamic New Year, Independence Day, the Prophet's Birthday,
            // Christmas. Indonesia sights the moon itself, often a day after the Umm al-Qura
            // date; in weekly data the week is mostly the same. Nyepi and Vesak have no rule
            // here.
            Holidays::Id => &[
                "01-01",
                "lunar_new_year",
                "isra_miraj",
                "easter-2",
                "easter",
                "05-01",
                "easter+39",
                "06-01",
                "ramadan",
                "eid_al_fitr..+1",
                "eid_al_adha",
                "islamic_new_year",
                "08-17",
                "mawlid",
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
