use super::*;
use chrono::Weekday;

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
    assert_eq!("eid_al_fitr..+1".parse::<Rule>().unwrap().label(), "Eid al-Fitr and the day after");
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
    for (offset, name) in [(-47, "Shrove Tuesday"), (39, "Ascension Day"), (60, "Corpus Christi")] {
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
    // The Islamic calendar's other days (Umm al-Qura, by Hijri year: 1446 began on 7 July
    // 2024) and India's Holi and Dussehra as gazetted, the earliest and latest of 2001-2035
    // among them (Holi on 1 March 2010 and 29 March 2021; Dussehra on 27 September 2028 and
    // 26 October 2001); the Hindu tables hold those years only.
    for (feast, index, (year, month, day)) in [
        (Feast::IslamicNewYear, 1446, (2024, 7, 7)),
        (Feast::IslamicNewYear, 1447, (2025, 6, 26)),
        (Feast::Mawlid, 1446, (2024, 9, 15)),
        (Feast::IsraMiraj, 1445, (2024, 2, 8)),
        (Feast::Holi, 2010, (2010, 3, 1)),
        (Feast::Holi, 2021, (2021, 3, 29)),
        (Feast::Holi, 2024, (2024, 3, 25)),
        (Feast::Holi, 2025, (2025, 3, 14)),
        (Feast::Dussehra, 2001, (2001, 10, 26)),
        (Feast::Dussehra, 2028, (2028, 9, 27)),
        (Feast::Dussehra, 2024, (2024, 10, 12)),
        (Feast::Dussehra, 2025, (2025, 10, 2)),
    ] {
        assert_eq!(feast.occurrence(index), Some(date(year, month, day)), "{feast:?} {index}");
        assert_eq!(feast.index_near(date(year, month, day)), index, "{feast:?}");
    }
    for feast in [Feast::Holi, Feast::Dussehra] {
        assert_eq!((feast.occurrence(2000), feast.occurrence(2036)), (None, None));
        assert!(feast.occurrence(2001).is_some() && feast.occurrence(2035).is_some());
    }
    assert_eq!((Feast::Mawlid.occurrence(1342), Feast::Mawlid.occurrence(1501)), (None, None));
    // Buddha's Birthday in the Korean calendar: a month after the Chinese calendar's in 2012,
    // whose leap month the Korean calendar puts before the 4th, and a day after it in 2023.
    let buddha = Feast::BuddhasBirthday;
    for (year, month, day) in [(1900, 5, 6), (2012, 5, 28), (2023, 5, 27), (2024, 5, 15)] {
        assert_eq!(buddha.occurrence(year), Some(date(year, month, day)), "{year}");
    }
    assert_eq!((buddha.occurrence(1899), buddha.occurrence(2100)), (None, None));
    // The sun's days: Japan's equinox days of 2024 and 2025 (20 March both years; 22 and 23
    // September) and Qingming of 2024 and 2025 (4 April both years) and 2008 (4 April).
    for (feast, year, month, day) in [
        (Feast::VernalEquinox, 2024, 3, 20),
        (Feast::VernalEquinox, 2025, 3, 20),
        (Feast::AutumnalEquinox, 2024, 9, 22),
        (Feast::AutumnalEquinox, 2025, 9, 23),
        (Feast::Qingming, 2024, 4, 4),
        (Feast::Qingming, 2025, 4, 4),
        (Feast::Qingming, 2008, 4, 4),
        // The Korean calendar's Seollal, a day after the Chinese calendar's in 2027 and 2028,
        // and Chuseok, a day after the Mid-Autumn Festival in 2040.
        (Feast::Seollal, 2025, 1, 29),
        (Feast::Seollal, 2027, 2, 7),
        (Feast::Seollal, 2028, 1, 27),
        (Feast::Chuseok, 2025, 10, 6),
        (Feast::Chuseok, 2040, 9, 21),
    ] {
        assert_eq!(feast.occurrence(year), Some(date(year, month, day)), "{feast:?} {year}");
    }
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
    // Holi and Dussehra of 2025 in India's list, and the Islamic New Year and the Prophet's
    // Birthday of 2024 (1446) in Egypt's.
    assert!(Holidays::In.rules().contains(&Rule::feast(Feast::Holi, 0)));
    assert_eq!(day("holi", 2025), Some(date(2025, 3, 14)));
    assert_eq!(day("dussehra", 2025), Some(date(2025, 10, 2)));
    // Navratri 2024 (3-11 October), before Dussehra on the 12th.
    let navratri = Rule::navratri();
    assert_eq!(navratri.label(), "Navratri");
    assert!((3..=11).all(|d| held(navratri, date(2024, 10, d))));
    assert!(!held(navratri, date(2024, 10, 2)) && !held(navratri, date(2024, 10, 12)));
    assert!(Holidays::Eg.rules().contains(&Rule::feast(Feast::Mawlid, 0)));
    assert_eq!(day("islamic_new_year", 1446), Some(date(2024, 7, 7)));
    assert_eq!(day("mawlid", 1446), Some(date(2024, 9, 15)));
    assert!(Holidays::Kr.rules().contains(&Rule::feast(Feast::BuddhasBirthday, 0)));
    assert_eq!(day("buddhas_birthday", 2025), Some(date(2025, 5, 5)));
    assert!(Holidays::Jp.rules().contains(&Rule::feast(Feast::VernalEquinox, 0)));
    assert!(Holidays::Cn.rules().contains(&Rule::feast(Feast::Qingming, 0)));
    // A year's days of each kind of rule: a date, a weekday's, a feast's span, one that runs
    // over New Year, an Eid that falls twice in 2033, and Holi past its table.
    let days_in = |text: &str, year| text.parse::<Rule>().unwrap().days_in(year);
    assert_eq!(days_in("12-25", 2025), [(date(2025, 12, 25), date(2025, 12, 25))]);
    assert_eq!(days_in("11-22/Thu", 2025), [(date(2025, 11, 27), date(2025, 11, 27))]);
    assert_eq!(days_in("seollal-1..+1", 2027), [(date(2027, 2, 6), date(2027, 2, 8))]);
    assert_eq!(
        days_in("12-29..01-03", 2025),
        [(date(2025, 1, 1), date(2025, 1, 3)), (date(2025, 12, 29), date(2025, 12, 31))]
    );
    assert_eq!(
        days_in("eid_al_fitr", 2033),
        [(date(2033, 1, 2), date(2033, 1, 2)), (date(2033, 12, 23), date(2033, 12, 23))]
    );
    assert_eq!(days_in("holi", 2036), []);
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
        ("navratri", Rule::feast(Feast::Dussehra, -9).lasting(9)),
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
    assert_eq!("dussehra-9..-1".parse::<Rule>(), Ok(Rule::navratri()));
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
            "|(easter|orthodox_easter|lunar_new_year|eid_al_fitr|eid_al_adha|mid_autumn|dragon_boat|diwali",
            "|islamic_new_year|mawlid|isra_miraj|holi|dussehra|buddhas_birthday|vernal_equinox",
            "|autumnal_equinox|qingming|seollal|chuseok)([+-][0-9]{1,3})?",
            "(\\.\\.([+-]?[0-9]{1,3}|[0-9]{1,2}-[0-9]{1,2}))?",
            "|[0-9]{1,2}-[0-9]{1,2}\\.\\.[0-9]{1,2}-[0-9]{1,2}|ramadan|navratri",
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
        // The Islamic New Year (30 July, 19 July, 7 July) and Holi (18 March, 8 March, 25
        // March) move as the Eids and the Chinese feasts do.
        (Feast::IslamicNewYear, date(2024, 7, 1)),
        (Feast::Holi, date(2024, 3, 25)),
        // Buddha's Birthday (8 May, 27 May, 15 May) moves with the Korean calendar's months.
        (Feast::BuddhasBirthday, date(2024, 5, 13)),
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
