use super::*;
use chrono::Datelike;
use proptest::prelude::*;

/// A small spec so short test files are long enough.
fn small_spec() -> ModelSpec {
    ModelSpec { yearly_harmonics: 0, max_lag: 2, ..ModelSpec::default() }
}

fn load(text: &str) -> Result<Dataset, DataErrors> {
    load_csv(text.as_bytes(), &LoadOptions::default(), &small_spec())
}

/// `rows` weekly rows starting 2024-01-01 with the given extra columns' generator.
fn weekly(rows: usize) -> String {
    let mut s = String::from("date,revenue,tv_spend,search_spend,price\n");
    let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    for i in 0..rows {
        let d = start + chrono::Days::new(7 * i as u64);
        // The price moves once, in the last row, so that it is a control by default.
        let price = if i + 1 == rows { 1.6 } else { 1.5 };
        s += &format!("{d},{},{},{},{price}\n", 1000 + i, 10 * (i % 3), 5 + i % 2);
    }
    s
}

fn reasons(err: &DataErrors) -> Vec<String> {
    err.problems.iter().map(ToString::to_string).collect()
}

#[test]
fn loads_with_default_roles() {
    let ds = load(&weekly(20)).unwrap();
    assert_eq!(ds.len(), 20);
    assert_eq!(ds.frequency, Frequency::Weekly);
    assert_eq!(ds.kpi_name, "revenue");
    let names: Vec<&str> = ds.channels.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["tv", "search"]);
    assert_eq!(ds.channels[0].column, "tv_spend");
    assert_eq!(ds.controls.len(), 1);
    assert_eq!(ds.controls[0].name, "price");
    assert_eq!(ds.kpi[3], 1003.0);
    assert_eq!(ds.channels[0].spend[1], 10.0);
}

#[test]
fn accepts_bom_and_crlf() {
    let text = format!("\u{feff}{}", weekly(20).replace('\n', "\r\n"));
    let ds = load(&text).unwrap();
    assert_eq!(ds.len(), 20);
    assert_eq!(ds.roles.date, "date");
}

#[test]
fn problems_name_the_same_line_whatever_the_line_ends() {
    // Line 3 is blank, line 4 has a bad price, a quoted search spend spans lines 5-6, and line 8
    // has a bad price.
    let rows: Vec<String> = weekly(20).lines().map(str::to_owned).collect();
    for end in ["\n", "\r\n", "\r"] {
        let mut lines = rows.clone();
        lines[2] = lines[2].replace(",1.5", ",oops");
        lines[3] = lines[3].replacen(",5,", &format!(",\"5{end}\","), 1);
        lines[5] = lines[5].replace(",1.5", ",bad");
        lines.insert(2, String::new());
        let text = lines.join(end) + end;
        let e = load(&text).unwrap_err();
        assert_eq!(
            reasons(&e),
            [
                "line 4, column 'price': not a number: 'oops'",
                "line 8, column 'price': not a number: 'bad'"
            ],
            "{end:?}"
        );
    }
}

#[test]
fn semicolon_and_tab_separated_files_load_like_the_comma_separated_one() {
    let comma = load(&weekly(20)).unwrap();
    // A European spreadsheet's export: semicolons and decimal commas (price 1,5), with a BOM.
    let semicolon = format!("\u{feff}{}", weekly(20).replace(',', ";").replace("1.5", "1,5"));
    let tab = weekly(20).replace(',', "\t");
    for text in [semicolon, tab] {
        let ds = load(&text).unwrap();
        assert_eq!(ds.kpi, comma.kpi);
        assert_eq!(ds.channels, comma.channels);
        assert_eq!(ds.controls, comma.controls);
        assert_eq!(ds.dates, comma.dates);
    }
}

#[test]
fn the_separator_is_the_header_lines_commonest() {
    let sniff = |text: &str| Dialect::sniff(text.as_bytes());
    assert_eq!(sniff("date,revenue,tv_spend\n1;2;3;4;5;6\n").delimiter, b',');
    assert_eq!(sniff("\n\n\"a,b,c\";revenue;tv_spend\n").delimiter, b';');
    assert_eq!(sniff("date\trevenue;x\ttv_spend\n").delimiter, b'\t');
    assert_eq!(sniff("date\n").delimiter, b',');
    assert_eq!(sniff("").delimiter, b',');
    assert!(sniff("date;revenue").decimal_comma);
    assert!(!sniff("date,revenue").decimal_comma);
}

#[test]
fn numbers_written_for_display_name_the_fix() {
    let mut text = weekly(20);
    text = text.replacen(",1000,", ",\"$1,000.50\",", 1).replacen(",1.5\n", ",15%\n", 1);
    let e = load(&text).unwrap_err();
    assert_eq!(
        reasons(&e),
        [
            "line 2, column 'revenue': not a number: '$1,000.50' (write plain numbers, without \
             currency symbols or thousands separators: 1000.5)",
            "line 2, column 'price': not a number: '15%' (write percentages as plain numbers, \
             without '%': 15)"
        ]
    );
    // Decimal commas are read only where the separator is a semicolon, and thousands
    // separators nowhere.
    let semicolon = weekly(20).replace(',', ";").replacen(";1000;", ";1.000,5;", 1);
    let e = load(&semicolon).unwrap_err();
    assert_eq!(
        reasons(&e),
        ["line 2, column 'revenue': not a number: '1.000,5' (write plain numbers, without \
          currency symbols or thousands separators: 1000.5)"]
    );
    let text = weekly(20)
        .replacen(",1000,", ",\"1000,5\",", 1)
        .replacen(",1001,", ",\"1,001\",", 1)
        .replacen(",1002,", ",n/a,", 1);
    let e = load(&text).unwrap_err();
    assert_eq!(
        reasons(&e),
        [
            "line 2, column 'revenue': not a number: '1000,5' (this file is separated by \
             commas, so numbers need a decimal point: 1000.5)",
            "line 3, column 'revenue': not a number: '1,001' (write plain numbers, without \
             currency symbols or thousands separators: 1001)",
            "line 4, column 'revenue': not a number: 'n/a'"
        ]
    );
}

#[test]
fn daily_data_is_detected() {
    let mut s = String::from("date,revenue,tv_spend\n");
    let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    for i in 0..40 {
        s += &format!("{},{},{}\n", start + chrono::Days::new(i), 100 + i, 1 + i % 4);
    }
    let spec = ModelSpec { yearly_harmonics: 0, weekly_harmonics: 1, ..ModelSpec::default() };
    let ds = load_csv(s.as_bytes(), &LoadOptions::default(), &spec).unwrap();
    assert_eq!(ds.frequency, Frequency::Daily);
}

#[test]
fn empty_and_header_only() {
    let e = load("").unwrap_err();
    assert_eq!(reasons(&e), ["the file is empty"]);
    let e = load("  \n\n").unwrap_err();
    assert_eq!(reasons(&e), ["the file is empty"]);
    let e = load("date,revenue,tv_spend\n").unwrap_err();
    assert_eq!(reasons(&e), ["the file has a header but no data rows"]);
}

#[test]
fn missing_unknown_and_duplicate_columns() {
    let e = load("day,sales,tv_spend,tv_spend\n2024-01-01,1,2,3\n").unwrap_err();
    let r = reasons(&e);
    assert!(
        r.contains(
            &"line 1, column 'tv_spend': duplicate column name (columns 3 and 4)".to_owned()
        ),
        "{r:?}"
    );
    // Duplicates stop the run before role checks: fix the header first.
    let e = load("day,sales,tv_spend\n2024-01-01,1,2\n").unwrap_err();
    let r = reasons(&e);
    assert_eq!(r.len(), 2, "{r:?}");
    assert!(r[0].starts_with(
        "line 1, column 'date': date column not found; the file has: day, sales, tv_spend"
    ));
    assert!(r[1].starts_with("line 1, column 'revenue': KPI column not found"));

    let opts = LoadOptions {
        media: Some(vec!["tv_spend".into(), "radio_spend".into()]),
        controls: Some(vec!["weather".into()]),
        ..LoadOptions::default()
    };
    let e = load_csv(weekly(20).as_bytes(), &opts, &small_spec()).unwrap_err();
    let r = reasons(&e);
    assert!(
        r.iter().any(|m| m.starts_with("line 1, column 'radio_spend': media column not found")),
        "{r:?}"
    );
    assert!(
        r.iter().any(|m| m.starts_with("line 1, column 'weather': control column not found")),
        "{r:?}"
    );
}

#[test]
fn a_column_in_two_roles_is_rejected() {
    let opts = LoadOptions { controls: Some(vec!["tv_spend".into()]), ..LoadOptions::default() };
    let e = load_csv(weekly(20).as_bytes(), &opts, &small_spec()).unwrap_err();
    assert_eq!(
        reasons(&e),
        ["line 1, column 'tv_spend': column is given two roles (media and control); give it one"]
    );
}

#[test]
fn overrides_choose_columns() {
    let opts = LoadOptions {
        kpi: "search_spend".into(),
        media: Some(vec!["tv_spend".into()]),
        controls: Some(vec![]),
        ..LoadOptions::default()
    };
    let ds = load_csv(weekly(20).as_bytes(), &opts, &small_spec()).unwrap();
    assert_eq!(ds.kpi_name, "search_spend");
    assert_eq!(ds.channels.len(), 1);
    assert!(ds.controls.is_empty());
    assert_eq!(ds.roles.ignored, ["revenue", "price"]);
}

#[test]
fn every_bad_cell_is_reported_with_line_and_column() {
    let mut text = weekly(20);
    text = text.replacen("2024-01-15,1002,20,5,1.5", "2024-01-15,abc,-3,,NaN", 1);
    text = text.replacen("2024-01-22,1003,0,6,1.5", "2024-01-22,inf,0,6,1.5", 1);
    let e = load(&text).unwrap_err();
    assert_eq!(
        reasons(&e),
        [
            "line 4, column 'revenue': not a number: 'abc'",
            "line 4, column 'tv_spend': negative spend -3",
            "line 4, column 'search_spend': empty value",
            "line 4, column 'price': NaN is not allowed",
            "line 5, column 'revenue': infinite value 'inf'",
        ]
    );
}

#[test]
fn date_problems() {
    let text = "date,revenue,tv_spend\n\
                2024-01-01,1,1\n\
                2024-01-08,1,2\n\
                2024-01-08,1,3\n\
                2024-01-22,1,4\n\
                2024-01-15,1,5\n\
                01/29/2024,1,6\n";
    let e = load(text).unwrap_err();
    assert_eq!(
        reasons(&e),
        // In file order: the whole file's problem first, then by line.
        [
            "6 data rows, but the model needs at least 7 (one more than its parameters, plus the holdout): add periods or drop channels or controls",
            "line 4, column 'date': duplicate date 2024-01-08 (also on line 3)",
            "line 6, column 'date': date 2024-01-15 comes after 2024-01-22: rows must be sorted by date, oldest first",
            "line 7, column 'date': not an ISO date (YYYY-MM-DD): '01/29/2024'",
        ]
    );
}

#[test]
fn geos_stacked_in_one_file_are_one_problem_with_the_fix() {
    // Two regions of 20 weeks, one after the other (as Meridian's geo data are laid out), and
    // the same rows sorted by date.
    let body: Vec<String> = weekly(20).lines().skip(1).map(str::to_owned).collect();
    let by_region = by_region_text(&body);
    let mut by_date: Vec<String> = by_region.lines().map(str::to_owned).collect();
    by_date.sort_by(|a, b| a[6..16].cmp(&b[6..16]));
    let by_date: String = by_date.iter().map(|row| format!("{row}\n")).collect();
    for rows in [by_region.clone(), by_date] {
        let e =
            load(&format!("Region,date,revenue,tv_spend,search_spend,price\n{rows}")).unwrap_err();
        assert_eq!(
            reasons(&e),
            ["column 'date': each date appears 2 times (40 rows for 20 dates): the file looks \
                 like 2 geos or markets stacked by 'Region', one row per geo and date. mmm fits \
                 one national series: name the column that tells the geos apart (geo_column \
                 when uploading, --geo-column in the CLI) and mmm adds them up for each date \
                 (KPI, spend and media units summed, controls averaged, weighted by a \
                 population column if any), or upload one geo at a time"]
        );
    }
    // Named, the geos add up to one series the loader takes.
    let header = "Region,date,revenue,tv_spend,search_spend,price\n";
    let national =
        add_up_geos(format!("{header}{by_region}").as_bytes(), "Region", &LoadOptions::default())
            .unwrap();
    let ds = load(&national).unwrap();
    assert_eq!((ds.len(), ds.kpi[3]), (20, 2.0 * 1003.0));
    // Without a column that names them, the same advice; a date repeated once is a duplicate.
    let e = load(&format!(
        "{}{}",
        weekly(20),
        weekly(20).lines().skip(1).map(|r| format!("{r}\n")).collect::<String>()
    ))
    .unwrap_err();
    assert!(reasons(&e)[0].contains("looks like 2 geos or markets stacked, one row"), "{e:?}");
    let mut once = weekly(20);
    once.push_str(weekly(20).lines().nth(3).unwrap());
    once.push('\n');
    let e = load(&once).unwrap_err();
    assert!(reasons(&e).iter().any(|r| r.contains("duplicate date 2024-01-15")), "{e:?}");
}

/// Rows stacked by region: every row of `body` for "north", then for "south".
fn by_region_text(body: &[String]) -> String {
    ["north", "south"]
        .iter()
        .flat_map(|r| body.iter().map(move |row| format!("{r},{row}\n")))
        .collect()
}

#[test]
fn stacked_geos_add_up_to_one_national_series() {
    // Two regions, 3 and 1 million people: KPI and spend add up, the price is weighted by
    // population, the region and population columns go.
    let text = "Region,population,date,revenue,tv_spend,tv_impressions,price,label\n\
                north,3000000,2024-01-01,100,10,1000,1.0,a\n\
                north,3000000,2024-01-08,110,0,0,2.0,a\n\
                south,1000000,2024-01-01,40,5,400,3.0,b\n\
                south,1000000,2024-01-08,50,6,500,4.0,b\n";
    let national = add_up_geos(text.as_bytes(), "region", &LoadOptions::default()).unwrap();
    assert_eq!(
        national,
        "date,revenue,tv_spend,tv_impressions,price\n\
         2024-01-01,140,15,1400,1.5\n\
         2024-01-08,160,6,500,2.5\n"
    );
    // Without a population column, controls are plain means.
    let plain: String = text
        .lines()
        .map(|l| {
            l.split(',')
                .enumerate()
                .filter(|(i, _)| *i != 1)
                .map(|(_, c)| c)
                .collect::<Vec<_>>()
                .join(",")
        })
        .map(|l| format!("{l}\n"))
        .collect();
    let national = add_up_geos(plain.as_bytes(), "Region", &LoadOptions::default()).unwrap();
    assert!(national.ends_with("2024-01-01,140,15,1400,2\n2024-01-08,160,6,500,3\n"), "{national}");

    // A geo without a row for a date, a second row, an empty cell where others have one.
    let broken = "geo,date,revenue,tv_spend\n\
                  a,2024-01-01,1,1\n\
                  a,2024-01-08,1,1\n\
                  b,2024-01-01,1,\n\
                  b,2024-01-01,2,2\n";
    let e = add_up_geos(broken.as_bytes(), "geo", &LoadOptions::default()).unwrap_err();
    assert_eq!(
        reasons(&e),
        [
            "column 'geo': geo 'b' has no row for 2024-01-08",
            "line 5, column 'geo': geo 'b' has a second row for 2024-01-01 (first on line 4)",
        ]
    );
    let gap = "geo,date,revenue,tv_spend\na,2024-01-01,1,1\nb,2024-01-01,1,\n";
    let e = add_up_geos(gap.as_bytes(), "geo", &LoadOptions::default()).unwrap_err();
    assert_eq!(
        reasons(&e),
        ["line 3, column 'tv_spend': empty value, while other geos have one for 2024-01-01"]
    );
    // Columns named otherwise keep their names, so the same options load the result.
    let named = "market,week,sales,tv_spend\na,2024-01-01,1,1\nb,2024-01-01,2,2\n\
                 a,2024-01-08,3,3\nb,2024-01-08,4,4\n";
    let options =
        LoadOptions { date_column: "week".into(), kpi: "sales".into(), ..LoadOptions::default() };
    let national = add_up_geos(named.as_bytes(), "market", &options).unwrap();
    assert_eq!(national, "week,sales,tv_spend\n2024-01-01,3,3\n2024-01-08,7,7\n");
    // A cell that is not a number is reported once, as such.
    let word = "geo,date,revenue,tv_spend\na,2024-01-01,1,x\nb,2024-01-01,1,2\n";
    let e = add_up_geos(word.as_bytes(), "geo", &LoadOptions::default()).unwrap_err();
    assert_eq!(reasons(&e), ["line 2, column 'tv_spend': not a number: 'x'"]);
    let e = add_up_geos(gap.as_bytes(), "market", &LoadOptions::default()).unwrap_err();
    assert_eq!(
        reasons(&e),
        [
            "line 1, column 'market': geo column not found; the file has: geo, date, revenue, tv_spend"
        ]
    );
}

#[test]
fn missing_periods_are_named_with_the_fix() {
    // Week 2024-02-05 (line 7) is gone.
    let text: String = weekly(20)
        .lines()
        .filter(|l| !l.starts_with("2024-02-05"))
        .map(|l| format!("{l}\n"))
        .collect();
    let e = load(&text).unwrap_err();
    assert_eq!(
        reasons(&e),
        [
            "line 7, column 'date': 1 week missing between 2024-01-29 and 2024-02-12: weekly data needs a row for every week; add the missing rows"
        ]
    );
    // Daily data on working days only: 2024-01-05 is a Friday.
    let mut s = String::from("date,revenue,tv_spend\n");
    let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    for d in (0..40)
        .map(|i| start + chrono::Days::new(i))
        .filter(|d| d.weekday().number_from_monday() <= 5)
    {
        s += &format!("{d},100,{}\n", 1 + d.day() % 4);
    }
    let spec = ModelSpec { yearly_harmonics: 0, weekly_harmonics: 1, ..ModelSpec::default() };
    let e = load_csv(s.as_bytes(), &LoadOptions::default(), &spec).unwrap_err();
    assert_eq!(
        reasons(&e)[0],
        "line 7, column 'date': 2 days missing between 2024-01-05 and 2024-01-08: daily data needs a row for every day; the weekend is missing: add its rows (zero spend), or sum the data to weeks"
    );
    assert_eq!(e.problems.len(), 5, "one problem per weekend");
}

#[test]
fn irregular_spacing_names_the_gap() {
    let mut text = weekly(20);
    text = text.replacen("2024-02-05", "2024-02-06", 1);
    let e = load(&text).unwrap_err();
    assert_eq!(
        reasons(&e),
        [
            "line 7, column 'date': irregular spacing: 8 days after 2024-01-29; weekly data needs 7",
            "line 8, column 'date': irregular spacing: 6 days after 2024-02-06; weekly data needs 7",
        ]
    );
    let e = load("date,revenue,tv_spend\n2024-01-01,1,1\n2024-01-31,1,1\n2024-03-01,1,1\n")
        .unwrap_err();
    assert!(reasons(&e)[0].contains("dates are 30 days apart"), "{:?}", reasons(&e));
}

/// `rows` monthly rows whose dates are the month's first day, or its last with `month_end`.
fn monthly(rows: usize, first: &str, month_end: bool) -> String {
    let mut s = String::from("date,revenue,tv_spend,search_spend\n");
    let start: NaiveDate = first.parse().unwrap();
    for i in 0..rows {
        let mut d = start.checked_add_months(chrono::Months::new(i as u32)).unwrap();
        if month_end {
            d = d.checked_add_months(chrono::Months::new(1)).unwrap().pred_opt().unwrap();
        }
        s += &format!("{d},{},{},{}\n", 1000 + i, 10 * (i % 3), 5 + i % 2);
    }
    s
}

#[test]
fn monthly_data_is_named_by_the_month() {
    // First days of months, across a leap year.
    let ds = load(&monthly(30, "2023-11-01", false)).unwrap();
    assert_eq!((ds.frequency, ds.len()), (Frequency::Monthly, 30));
    assert_eq!(ds.dates[3].to_string(), "2024-02-01");
    // Month ends: January's 31 days, February's 29, then 31 again.
    let ds = load(&monthly(30, "2023-11-01", true)).unwrap();
    assert_eq!(ds.frequency, Frequency::Monthly);
    let ends: Vec<String> = ds.dates[2..5].iter().map(ToString::to_string).collect();
    assert_eq!(ends, ["2024-01-31", "2024-02-29", "2024-03-31"]);
    assert_eq!(load(&ds.to_csv()).unwrap(), ds);
    // Four months of media history: written back, their dates are month ends again.
    let text = monthly(30, "2023-11-01", true);
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    for line in &mut lines[1..5] {
        let mut cells: Vec<&str> = line.split(',').collect();
        cells[1] = "";
        *line = cells.join(",");
    }
    let ds = load(&(lines.join("\n") + "\n")).unwrap();
    assert_eq!((ds.len(), ds.history_len()), (26, 4));
    assert_eq!(ds.dates[0].to_string(), "2024-03-31");
    let written = ds.to_csv();
    assert_eq!(written.lines().nth(1).unwrap().split(',').next(), Some("2023-11-30"));
    assert_eq!(written.lines().nth(4).unwrap().split(',').next(), Some("2024-02-29"));
    assert_eq!(load(&written).unwrap(), ds);
}

#[test]
fn monthly_gaps_name_the_missing_months() {
    let text = monthly(30, "2023-11-01", false);
    // Drop May and June 2024 (lines 8 and 9).
    let lines: Vec<&str> = text.lines().collect();
    let gap = [&lines[..7], &lines[9..]].concat().join("\n") + "\n";
    let e = load(&gap).unwrap_err();
    assert_eq!(
        reasons(&e),
        [
            "line 8, column 'date': 2 months missing between 2024-04-01 and 2024-07-01: monthly data needs a row for every month; add the missing rows"
        ]
    );
    // Two rows in one month (so March is missing), and a date that is a month on in the
    // calendar but 59 days later (and two days before the next).
    let text = text.replacen("2024-03-01", "2024-02-20", 1).replacen("2024-07-01", "2024-07-30", 1);
    let e = load(&text).unwrap_err();
    assert_eq!(
        reasons(&e),
        [
            "line 6, column 'date': 2024-02-20 is in the same month as 2024-02-01: monthly data needs one row per calendar month",
            "line 7, column 'date': 1 month missing between 2024-02-20 and 2024-04-01: monthly data needs a row for every month; add the missing rows",
            "line 10, column 'date': irregular spacing: 59 days after 2024-06-01; monthly data needs one row per calendar month, 28 to 31 days after the last",
            "line 11, column 'date': irregular spacing: 2 days after 2024-07-30; monthly data needs one row per calendar month, 28 to 31 days after the last",
        ]
    );
}

#[test]
fn all_zero_media_and_wrong_field_counts() {
    let mut text2 = String::from("date,revenue,radio_spend,tv_spend\n");
    let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    for i in 0..20 {
        text2 += &format!("{},1,0,{}\n", start + chrono::Days::new(7 * i), i);
    }
    text2 = text2.replacen(",1,0,3\n", ",1,0\n", 1);
    let e = load(&text2).unwrap_err();
    let r = reasons(&e);
    // A column's problem has no line, so it comes before the lines'.
    assert!(r[0].starts_with("column 'radio_spend': all spend is zero"), "{r:?}");
    assert_eq!(r[1], "line 5: expected 4 fields, found 3");
    assert_eq!(r[2], "line 5, column 'tv_spend': missing value (row too short)");
}

#[test]
fn too_few_rows_for_the_model() {
    let spec = ModelSpec::default();
    // Default spec, 2 channels, 1 control: 2 + 4 + 1 + 2 * 4 = 15 parameters.
    assert_eq!(spec.parameter_count(Frequency::Weekly, 2, 1), 15);
    let e = load_csv(weekly(10).as_bytes(), &LoadOptions::default(), &spec).unwrap_err();
    assert_eq!(
        reasons(&e),
        [
            "10 data rows, but the model needs at least 16 (one more than its parameters, plus the holdout): add periods or drop channels or controls"
        ]
    );
    let spec = ModelSpec { holdout: 8, ..spec };
    let e = load_csv(weekly(20).as_bytes(), &LoadOptions::default(), &spec).unwrap_err();
    assert_eq!(
        reasons(&e),
        [
            "20 data rows, but the model needs at least 24 (one more than its parameters, plus the holdout): add periods, hold out fewer than 8 of them, or drop channels or controls"
        ]
    );
}

#[test]
fn problems_are_capped_and_counted() {
    let mut text = String::from("date,revenue,tv_spend\n");
    for i in 0..30 {
        text += &format!("2024-01-01,x{i},1\n");
    }
    let opts = LoadOptions { max_problems: 5, ..LoadOptions::default() };
    let e = load_csv(text.as_bytes(), &opts, &small_spec()).unwrap_err();
    assert_eq!(e.problems.len(), 5);
    assert!(e.truncated > 25);
    assert!(e.to_string().contains("... and"));
}

#[test]
fn a_nul_in_any_cell_is_a_problem_at_its_line_and_column() {
    // In a column the model would not use, and in the header.
    let text = weekly(20);
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    lines[0].push_str(",note");
    for (i, line) in lines.iter_mut().enumerate().skip(1) {
        line.push_str(if i == 3 || i == 7 { ",a\0b" } else { ",ok" });
    }
    let e = load(&lines.join("\n")).unwrap_err();
    let found: Vec<(Option<&str>, Option<u64>, &str)> =
        e.problems.iter().map(|p| (p.column.as_deref(), p.line, p.reason.as_str())).collect();
    assert_eq!(found, [(Some("note"), Some(4), NUL_IN_CELL), (Some("note"), Some(8), NUL_IN_CELL)]);
    lines[0].push('\0');
    let e = load(&lines.join("\n")).unwrap_err();
    assert_eq!((e.problems[0].column.as_deref(), e.problems[0].line), (None, Some(1)));
    assert_eq!(e.problems.len(), 3);
    // UTF-16 saved without a byte-order mark: every other byte is a NUL.
    let bare: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let e = load_csv(&bare, &LoadOptions::default(), &small_spec()).unwrap_err();
    assert!(e.problems.iter().all(|p| p.reason == NUL_IN_CELL), "{e}");
}

#[test]
fn text_in_other_encodings_is_read() {
    let plain = load(&weekly(20)).unwrap();
    // Excel's "Unicode Text": UTF-16 with a byte-order mark, tab-separated, CRLF.
    let text = weekly(20).replace(',', "\t").replace('\n', "\r\n");
    let le: Vec<u8> =
        [0xFF, 0xFE].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect();
    let be: Vec<u8> =
        [0xFE, 0xFF].into_iter().chain(text.encode_utf16().flat_map(u16::to_be_bytes)).collect();
    for bytes in [&le, &be] {
        let ds = load_csv(bytes, &LoadOptions::default(), &small_spec()).unwrap();
        assert_eq!(
            (&ds.kpi, &ds.channels, &ds.controls),
            (&plain.kpi, &plain.channels, &plain.controls)
        );
    }
    let e = load_csv(&le[..le.len() - 1], &LoadOptions::default(), &small_spec()).unwrap_err();
    assert_eq!(reasons(&e), [UTF16_UNREADABLE]);
    // Excel's plain "CSV" in western locales is Windows-1252: € is 0x80, é is 0xE9.
    let text = weekly(20).replacen("price", "price €", 1).replacen("tv_spend", "télé_spend", 1);
    let bytes: Vec<u8> = text
        .chars()
        .map(|c| if c == '€' { 0x80 } else { u8::try_from(u32::from(c)).unwrap() })
        .collect();
    let ds = load_csv(&bytes, &LoadOptions::default(), &small_spec()).unwrap();
    assert_eq!(ds.controls[0].name, "price €");
    assert_eq!(ds.channels[0].name, "télé");
    assert_eq!(ds.kpi, plain.kpi);
    // A byte that is not a digit in a number cell is a bad number, whatever the encoding.
    let mut bytes = weekly(20).into_bytes();
    let pos = bytes.windows(4).position(|w| w == b"1003").unwrap();
    bytes[pos] = 0xFF;
    let e = load_csv(&bytes, &LoadOptions::default(), &small_spec()).unwrap_err();
    assert_eq!(reasons(&e), ["line 5, column 'revenue': not a number: 'ÿ003'"]);
}

#[test]
fn quoted_names_survive_a_round_trip() {
    let text = weekly(20).replacen("price", "\"price, index\"", 1);
    let ds = load(&text).unwrap();
    assert_eq!(ds.controls[0].name, "price, index");
    assert_eq!(load(&ds.to_csv()).unwrap(), ds);
}

#[test]
fn csv_round_trip() {
    let ds = load(&weekly(20)).unwrap();
    let again = load(&ds.to_csv()).unwrap();
    assert_eq!(ds, again);
}

/// `text` with the cell of data row `row` (0-based, after the header) in column `col` replaced.
fn with_cell(text: &str, row: usize, col: usize, value: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let mut cells: Vec<&str> = lines[row + 1].split(',').collect();
    cells[col] = value;
    lines[row + 1] = cells.join(",");
    lines.join("\n") + "\n"
}

#[test]
fn leading_rows_without_a_kpi_are_media_history() {
    // Rows 0-2 leave the KPI empty: their spend is history. Their control cells do not matter.
    let mut text = weekly(20);
    for row in 0..3 {
        text = with_cell(&text, row, 1, "");
    }
    text = with_cell(&text, 0, 4, "n/a");
    text = with_cell(&text, 1, 4, "");
    let ds = load(&text).unwrap();
    assert_eq!((ds.len(), ds.history_len()), (17, 3));
    assert_eq!(ds.dates[0], NaiveDate::from_ymd_opt(2024, 1, 22).unwrap());
    assert_eq!(ds.kpi[0], 1003.0);
    // weekly(): tv spend is 10·(i mod 3), search 5 + i mod 2.
    assert_eq!(ds.channels[0].history, [0.0, 10.0, 20.0]);
    assert_eq!(ds.channels[1].history, [5.0, 6.0, 5.0]);
    assert_eq!(ds.channels[0].spend.len(), 17);
    assert_eq!(ds.controls[0].values.len(), 17);
    // The history survives a round trip through CSV, dates included.
    let written = ds.to_csv();
    assert!(written.lines().nth(1).unwrap().starts_with("2024-01-01,,0,5,"), "{written}");
    assert_eq!(load(&written).unwrap(), ds);
}

#[test]
fn media_history_rows_are_still_checked() {
    let mut text = weekly(20);
    for row in 0..3 {
        text = with_cell(&text, row, 1, "");
    }
    // A negative spend in the history, a gap between the history and the data, and an empty
    // KPI after the data began.
    let text = with_cell(&text, 1, 2, "-4");
    let text = with_cell(&text, 2, 0, "2024-01-16");
    let text = with_cell(&text, 10, 1, "");
    // Search spends only in the history: nothing left to estimate in the data.
    let mut text = text;
    for row in 3..20 {
        text = with_cell(&text, row, 3, "0");
    }
    let err = load(&text).unwrap_err();
    let all = reasons(&err);
    assert!(
        all.iter().any(|r| r.starts_with(
            "column 'search_spend': all spend in the periods with a KPI value is zero"
        )),
        "{all:?}"
    );
    assert!(all.iter().any(|r| r == "line 3, column 'tv_spend': negative spend -4"), "{all:?}");
    assert!(
        all.iter().any(|r| r.starts_with("line 4, column 'date': irregular spacing: 8 days")),
        "{all:?}"
    );
    assert!(
        all.iter().any(|r| r.starts_with("line 12, column 'revenue': empty value (only the leading rows")),
        "{all:?}"
    );
}

#[test]
fn a_kpi_empty_in_every_row_is_one_problem() {
    let mut text = weekly(12);
    for row in 0..12 {
        text = with_cell(&text, row, 1, "");
    }
    let err = load(&text).unwrap_err();
    assert_eq!(reasons(&err), ["column 'revenue': the KPI column is empty in every row"]);
}

#[test]
fn an_empty_kpi_without_history_reads_as_before() {
    let err = load(&with_cell(&weekly(20), 4, 1, "")).unwrap_err();
    assert_eq!(reasons(&err), ["line 6, column 'revenue': empty value"]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn never_panics_on_arbitrary_bytes(
        bom in prop_oneof![Just(&b""[..]), Just(&b"\xEF\xBB\xBF"[..]), Just(&b"\xFF\xFE"[..]), Just(&b"\xFE\xFF"[..])],
        bytes in proptest::collection::vec(any::<u8>(), 0..400),
    ) {
        let bytes = [bom, &bytes].concat();
        let _ = load_csv(&bytes, &LoadOptions::default(), &small_spec());
    }

    #[test]
    fn never_panics_on_csv_like_text(text in "[a-zA-Z_0-9,;.\\-\\n\\r\\t\" :$%€é]{0,300}") {
        for header in ["date,revenue,tv_spend\n", "Date;Revenue;TV_Spend\r\n", "\tdate\trevenue\ttv_spend\n", "date,revenue,tv_spend,TV_media\n"] {
            let with_header = format!("{header}{text}");
            let _ = load_csv(with_header.as_bytes(), &LoadOptions::default(), &small_spec());
        }
        let _ = load_csv(text.as_bytes(), &LoadOptions::default(), &small_spec());
        let utf16: Vec<u8> = [0xFF, 0xFE].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect();
        let _ = load_csv(&utf16, &LoadOptions::default(), &small_spec());
    }

    /// Adding up geos never panics either, and what it returns loads or says why.
    #[test]
    fn adding_up_geos_never_panics(text in "[a-c0-9,;.\\-\\n\\r\\t\" :]{0,300}") {
        for header in ["geo,date,revenue,tv_spend\n", "geo,population,date,revenue,tv_spend,price\n", "date,geo\n"] {
            let with_header = format!("{header}{text}");
            if let Ok(national) = add_up_geos(with_header.as_bytes(), "geo", &LoadOptions::default()) {
                let _ = load_csv(national.as_bytes(), &LoadOptions::default(), &small_spec());
            }
        }
        let _ = add_up_geos(text.as_bytes(), "a", &LoadOptions::default());
    }

    #[test]
    fn adding_up_geos_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = add_up_geos(&bytes, "geo", &LoadOptions::default());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Whatever the media-unit cells hold, the file loads or says why; loaded, the units are
    /// non-negative numbers and the model input adds up to the spend.
    #[test]
    fn media_units_load_or_are_reported(
        cells in proptest::collection::vec(
            prop_oneof![Just(String::new()), Just("-1".to_owned()), Just("x".to_owned()), Just("0".to_owned()),
                        (0.0..1e7f64).prop_map(|v| v.to_string())],
            20,
        ),
        empty_kpi in 0..4usize,
    ) {
        let mut text = with_tv_units(20);
        for (row, cell) in cells.iter().enumerate() {
            text = with_cell(&text, row, 5, cell);
        }
        for row in 0..empty_kpi {
            text = with_cell(&text, row, 1, "");
        }
        for loaded in [load(&text), load_csv_for_scoring(text.as_bytes(), &LoadOptions::default())] {
            match loaded {
                Ok(ds) => {
                    let tv = &ds.channels[0];
                    let units = tv.media.as_ref().unwrap();
                    prop_assert!(units.values.iter().chain(&units.history).all(|v| v.is_finite() && *v >= 0.0));
                    prop_assert_eq!(units.history.len(), empty_kpi);
                    if let Some(input) = tv.model_input(tv.spend.len()) {
                        let spend: f64 = tv.spend.iter().sum();
                        prop_assert!((input.periods.iter().sum::<f64>() - spend).abs() <= 1e-9 * spend);
                    }
                }
                Err(e) => prop_assert!(!e.problems.is_empty()),
            }
        }
    }

    /// Whatever pairs are given, among the file's columns (in any case) and others, the file
    /// loads with exactly those pairs, or says why; read back, its roles load it the same way.
    #[test]
    fn any_media_unit_pairs_load_as_given_or_are_reported(
        pairs in proptest::collection::btree_map(
            prop_oneof![Just("tv_spend"), Just("TV_SPEND"), Just("search_spend"), Just("price"), Just("radio_spend"), Just("")],
            prop_oneof![Just("TV_Media"), Just("tv_media"), Just("price"), Just("date"), Just("search_spend"), Just("nope"), Just("")],
            0..4,
        ),
    ) {
        let text = with_tv_units(20);
        let options = units_given(&pairs.iter().map(|(m, u)| (*m, *u)).collect::<Vec<_>>());
        match load_csv(text.as_bytes(), &options, &small_spec()) {
            Ok(ds) => {
                for c in &ds.channels {
                    let given = pairs.iter().find(|(m, _)| m.eq_ignore_ascii_case(&c.column));
                    let units = c.media.as_ref().map(|m| m.column.to_ascii_lowercase());
                    prop_assert_eq!(units, given.map(|(_, u)| u.to_ascii_lowercase()));
                }
                let again = load_csv(text.as_bytes(), &ds.roles.load_options(), &small_spec());
                prop_assert_eq!(again.as_ref().ok(), Some(&ds));
            }
            Err(e) => prop_assert!(!e.problems.is_empty()),
        }
    }
}

#[test]
fn channel_names_drop_the_spend_suffix_only() {
    assert_eq!(channel_name("tv_spend"), "tv");
    assert_eq!(channel_name("paid_search_spend"), "paid_search");
    assert_eq!(channel_name("radio"), "radio");
    assert_eq!(channel_name("spend_tv"), "spend_tv");
    assert_eq!(channel_name("TV_Spend"), "TV");
    assert_eq!(channel_name("café_SPEND"), "café");
    assert_eq!(channel_name("é_spend"), "é");
    assert_eq!(channel_name("ééé"), "ééé");
    // A column called just `_spend` keeps its name rather than naming an empty channel.
    assert_eq!(channel_name("_spend"), "_spend");
    assert_eq!(channel_name("_Spend"), "_Spend");
    // Spreadsheets write a space, R a dot.
    assert_eq!(channel_name("TV Spend"), "TV");
    assert_eq!(channel_name("paid.search.spend"), "paid.search");
    assert_eq!(channel_name("radio-SPEND"), "radio");
    assert_eq!(channel_name("tvspend"), "tvspend");
    assert_eq!(channel_name("tv/spend"), "tv/spend");
}

#[test]
fn spreadsheet_column_names_give_channels_and_their_units() {
    let text = with_tv_units(20)
        .replacen("tv_spend", "TV Spend", 1)
        .replacen("search_spend", "Search.Spend", 1)
        .replacen("TV_Media", "TV Impressions", 1);
    let ds = load(&text).unwrap();
    let names: Vec<&str> = ds.channels.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["TV", "Search"]);
    assert_eq!(ds.roles.media, ["TV Spend", "Search.Spend"]);
    assert_eq!(ds.roles.media_units, ["TV Impressions"]);
    assert_eq!(ds.roles.controls, ["price"]);
}

#[test]
fn column_names_match_in_any_case_when_one_column_does() {
    let text = weekly(20).replacen(
        "date,revenue,tv_spend,search_spend,price",
        "Date,Revenue,TV_Spend,search_spend,Price",
        1,
    );
    let ds = load(&text).unwrap();
    assert_eq!((ds.roles.date.as_str(), ds.roles.kpi.as_str()), ("Date", "Revenue"));
    assert_eq!(ds.roles.media, ["TV_Spend", "search_spend"]);
    assert_eq!(ds.channels[0].name, "TV");
    assert_eq!(ds.roles.controls, ["Price"]);
    assert_eq!(ds.kpi, load(&weekly(20)).unwrap().kpi);
    // Named roles too.
    let opts = LoadOptions {
        kpi: "REVENUE".into(),
        media: Some(vec!["tv_spend".into()]),
        controls: Some(vec!["price".into()]),
        ..LoadOptions::default()
    };
    let ds = load_csv(text.as_bytes(), &opts, &small_spec()).unwrap();
    assert_eq!(ds.roles.kpi, "Revenue");
    assert_eq!(
        (ds.roles.media.as_slice(), ds.roles.controls.as_slice()),
        (&["TV_Spend".to_owned()][..], &["Price".to_owned()][..])
    );
    // Two columns that differ only in case leave the name unresolved.
    let two = weekly(20).replacen("revenue,", "Revenue,", 1).replacen(",price", ",REVENUE", 1);
    let e = load(&two).unwrap_err();
    assert!(
        reasons(&e)[0].starts_with("line 1, column 'revenue': KPI column not found"),
        "{:?}",
        reasons(&e)
    );
}

#[test]
fn row_indexes_and_trailing_separators_are_ignored() {
    let plain = load(&weekly(20)).unwrap();
    let indexed = |first: &str| -> String {
        weekly(20)
            .lines()
            .enumerate()
            .map(
                |(i, l)| if i == 0 { format!("{first},{l}\n") } else { format!("{},{l}\n", i - 1) },
            )
            .collect()
    };
    // R's write.csv names the row index "", pandas' to_csv leaves it empty too, and a file
    // read into pandas and saved again calls it "Unnamed: 0".
    for (text, ignored) in [
        (indexed("\"\""), vec![]),
        (indexed("Unnamed: 0"), vec!["Unnamed: 0".to_owned()]),
        (weekly(20).replace('\n', ",,\n"), vec![]),
    ] {
        let ds = load(&text).unwrap();
        assert_eq!((&ds.roles.controls, &ds.roles.ignored), (&plain.roles.controls, &ignored));
        assert_eq!((&ds.kpi, &ds.channels), (&plain.kpi, &plain.channels));
    }
    // An unnamed column with data anywhere else was probably meant to be used.
    let text = weekly(20).replacen("tv_spend,", "tv_spend,,", 1).replacen(",10,", ",10,7,", 1);
    let e = load(&text).unwrap_err();
    assert_eq!(
        reasons(&e),
        ["line 1: column 4 has no name but holds data: name it, or delete the column"]
    );
}

#[test]
fn a_constant_column_is_no_default_control() {
    let text: String = weekly(20)
        .lines()
        .enumerate()
        .map(|(i, l)| format!("{l},{}\n", if i == 0 { "flag" } else { "1" }))
        .collect();
    let ds = load(&text).unwrap();
    assert_eq!(
        (ds.roles.controls.as_slice(), ds.roles.ignored.as_slice()),
        (&["price".to_owned()][..], &["flag".to_owned()][..])
    );
    // Named, it is used.
    let opts = LoadOptions {
        controls: Some(vec!["price".into(), "flag".into()]),
        ..LoadOptions::default()
    };
    let ds = load_csv(text.as_bytes(), &opts, &small_spec()).unwrap();
    assert_eq!(ds.roles.controls, ["price", "flag"]);
}

#[test]
fn dates_may_carry_a_midnight_time() {
    let mut lines: Vec<String> = weekly(20).lines().map(str::to_owned).collect();
    for (line, time) in lines[1..].iter_mut().zip([
        "T00:00:00Z",
        " 00:00:00",
        " 00:00",
        "T00:00:00.000+02:00",
        "T00:00:00-05:00",
    ]) {
        line.insert_str(10, time);
    }
    let ds = load(&(lines.join("\n") + "\n")).unwrap();
    assert_eq!(ds.dates, load(&weekly(20)).unwrap().dates);
    lines[2].replace_range(10..19, " 14:30:00");
    lines[3].replace_range(10..16, "T25:00");
    lines[4].replace_range(10..11, "x");
    let e = load(&(lines.join("\n") + "\n")).unwrap_err();
    assert_eq!(
        reasons(&e),
        [
            "line 3, column 'date': '2024-01-08 14:30:00' has a time of day: give each period's \
             date alone (YYYY-MM-DD)",
            "line 4, column 'date': not an ISO date (YYYY-MM-DD): '2024-01-15T25:00'",
            "line 5, column 'date': not an ISO date (YYYY-MM-DD): '2024-01-22x00:00:00.000+02:00'"
        ]
    );
}

/// `weekly(rows)` with a `TV_Media` column of impressions: 1000 per unit of TV spend, plus 50.
fn with_tv_units(rows: usize) -> String {
    let mut lines = weekly(rows).lines().map(str::to_owned).collect::<Vec<_>>();
    lines[0] += ",TV_Media";
    for (i, line) in lines.iter_mut().enumerate().skip(1) {
        *line += &format!(",{}", 1000 * 10 * ((i - 1) % 3) + 50);
    }
    lines.join("\n") + "\n"
}

#[test]
fn a_media_column_beside_a_spend_column_gives_the_channels_units() {
    let ds = load(&with_tv_units(20)).unwrap();
    assert_eq!(ds.roles.media_units, ["TV_Media"]);
    // Not a control, though it is a varying number.
    assert_eq!(ds.roles.controls, ["price"]);
    let tv = &ds.channels[0];
    let units = tv.media.as_ref().unwrap();
    assert_eq!(units.column, "TV_Media");
    assert_eq!(units.values[..3], [50.0, 10_050.0, 20_050.0]);
    assert!(ds.channels[1].media.is_none());
    // The model input is the units at the average spend per unit: here spend 0, 10, 20, ...
    // over units 50, 10 050, 20 050, ... (rows 0-19: seven zeros, seven tens, six twenties).
    let (spend, units_sum) =
        (7.0 * 10.0 + 6.0 * 20.0, 20.0 * 50.0 + 7.0 * 10_000.0 + 6.0 * 20_000.0);
    let rate = tv.input_per_media(20).unwrap();
    assert!((rate - spend / units_sum).abs() < 1e-15);
    let input = tv.model_input(20).unwrap();
    assert!(input.history.is_empty());
    assert!((input.periods[2] - 20_050.0 * rate).abs() < 1e-9);
    assert!((input.periods.iter().sum::<f64>() - spend).abs() < 1e-9);
    // Written and read again, with a media history.
    let mut text = with_tv_units(20);
    for row in 0..2 {
        text = with_cell(&text, row, 1, "");
    }
    let ds = load(&text).unwrap();
    assert_eq!(ds.channels[0].media.as_ref().unwrap().history, [50.0, 10_050.0]);
    assert_eq!(load(&ds.to_csv()).unwrap(), ds);
}

#[test]
fn the_units_of_a_channel_left_out_are_left_out_with_its_spend() {
    // TV is not a media column here: its spend is not a control, and nor are its impressions,
    // which would carry its effect into the baseline.
    let options =
        LoadOptions { media: Some(vec!["search_spend".to_owned()]), ..LoadOptions::default() };
    let ds = load_csv(with_tv_units(20).as_bytes(), &options, &small_spec()).unwrap();
    assert_eq!(ds.roles.controls, ["price"]);
    assert_eq!(ds.roles.ignored, ["tv_spend", "TV_Media"]);
    assert!(ds.roles.media_units.is_empty());
    // A later fit that adds TV finds its units among the columns left unused.
    assert_eq!(
        units_column_by_name("tv_spend", &ds.roles.ignored).map(String::as_str),
        Some("TV_Media")
    );
    assert_eq!(units_column_by_name("search_spend", &ds.roles.ignored), None);
    let two = ["tv_media".to_owned(), "tv_grps".to_owned()];
    assert_eq!(units_column_by_name("tv_spend", &two), None, "several: none chosen");
}

#[test]
fn media_units_are_checked_like_spend() {
    let text = with_cell(&with_tv_units(20), 3, 5, "-1");
    let text = with_cell(&text, 5, 5, "lots");
    let err = load(&text).unwrap_err();
    assert_eq!(
        reasons(&err),
        [
            "line 5, column 'TV_Media': negative media units -1",
            "line 7, column 'TV_Media': not a number: 'lots'",
        ]
    );
    // Units that are zero wherever the KPI is modelled cannot be fitted on.
    let mut text = with_tv_units(20);
    for row in 0..20 {
        text = with_cell(&text, row, 5, "0");
    }
    let err = load(&text).unwrap_err();
    assert_eq!(err.problems.len(), 1);
    assert_eq!(err.problems[0].column.as_deref(), Some("TV_Media"));
    assert!(err.problems[0].reason.contains("rename the column"), "{}", err.problems[0]);
    // To score a model, they may be zero.
    assert!(load_csv_for_scoring(text.as_bytes(), &LoadOptions::default()).is_ok());
}

#[test]
fn a_media_column_named_as_a_control_stays_a_control() {
    let options = LoadOptions { controls: Some(vec!["tv_media".into()]), ..LoadOptions::default() };
    let ds = load_csv(with_tv_units(20).as_bytes(), &options, &small_spec()).unwrap();
    assert!(ds.roles.media_units.is_empty());
    assert!(ds.channels[0].media.is_none());
    assert_eq!(ds.roles.controls, ["TV_Media"]);
    // A media column without a spend column beside it is an ordinary column.
    let text = with_tv_units(20).replace("tv_spend", "radio_spend");
    let ds = load(&text).unwrap();
    assert!(ds.roles.media_units.is_empty());
    assert_eq!(ds.roles.controls, ["price", "TV_Media"]);
}

#[test]
fn impressions_grps_or_clicks_beside_a_spend_column_are_its_units_too() {
    for name in ["tv_impressions", "TV_Impression", "tv_GRPs", "tv_clicks", "tv_imps", "tv_units"] {
        let ds = load(&with_tv_units(20).replace("TV_Media", name)).unwrap();
        assert_eq!(ds.roles.media_units, [name]);
        assert_eq!(ds.roles.controls, ["price"]);
        assert_eq!(ds.channels[0].media.as_ref().unwrap().column, name);
    }
    // Another suffix is a control, and so is a channel's name with one that no spend has.
    for name in ["tv_reach", "tvimpressions", "radio_impressions"] {
        let ds = load(&with_tv_units(20).replace("TV_Media", name)).unwrap();
        assert!(ds.roles.media_units.is_empty(), "{name}");
        assert_eq!(ds.roles.controls, ["price", name]);
    }
}

#[test]
fn two_unit_columns_for_one_channel_are_a_problem_naming_both() {
    let mut lines: Vec<String> = with_tv_units(20).lines().map(str::to_owned).collect();
    lines[0] += ",tv_impressions";
    for (i, line) in lines.iter_mut().enumerate().skip(1) {
        *line += &format!(",{}", 7 * i);
    }
    let text = lines.join("\n") + "\n";
    let err = load(&text).unwrap_err();
    assert_eq!(
        reasons(&err),
        ["line 1, column 'tv_spend': several columns give channel 'tv' media units \
             (TV_Media, tv_impressions): keep one, and drop the others from the file or list \
             them as controls"]
    );
    // Naming one as a control settles it.
    let options =
        LoadOptions { controls: Some(vec!["tv_impressions".into()]), ..LoadOptions::default() };
    let ds = load_csv(text.as_bytes(), &options, &small_spec()).unwrap();
    assert_eq!(ds.roles.media_units, ["TV_Media"]);
    assert_eq!(ds.roles.controls, ["tv_impressions"]);
}

/// Loader options that pair media columns with unit columns as given.
fn units_given(pairs: &[(&str, &str)]) -> LoadOptions {
    let pairs = pairs.iter().map(|(m, u)| ((*m).to_owned(), (*u).to_owned())).collect();
    LoadOptions { media_units: Some(pairs), ..LoadOptions::default() }
}

#[test]
fn media_units_may_be_paired_with_a_column_of_any_name() {
    let text = with_tv_units(20).replace("TV_Media", "tv_exposure");
    // By name, the column is a control.
    assert_eq!(load(&text).unwrap().roles.controls, ["price", "tv_exposure"]);
    // Paired (the names in any case, as other roles), it gives TV's units and is no control.
    let options = units_given(&[("TV_SPEND", "TV_exposure")]);
    let ds = load_csv(text.as_bytes(), &options, &small_spec()).unwrap();
    assert_eq!(ds.roles.media_units, ["tv_exposure"]);
    assert_eq!(ds.roles.media_units_of, Some([("tv_spend".into(), "tv_exposure".into())].into()));
    assert_eq!(ds.roles.controls, ["price"]);
    let units = ds.channels[0].media.as_ref().unwrap();
    assert_eq!(units.column, "tv_exposure");
    assert_eq!(units.values[..3], [50.0, 10_050.0, 20_050.0]);
    assert!(ds.channels[1].media.is_none());
    // The stored roles read the file into the same data set again.
    assert_eq!(load_csv(text.as_bytes(), &ds.roles.load_options(), &small_spec()).unwrap(), ds);
}

#[test]
fn given_pairs_replace_the_pairing_by_name() {
    // An empty map fits every channel on its spend, though a column is named for TV's units;
    // that column is then no control either, unless listed as one.
    let ds = load_csv(with_tv_units(20).as_bytes(), &units_given(&[]), &small_spec()).unwrap();
    assert!(ds.roles.media_units.is_empty());
    assert_eq!(ds.roles.media_units_of, Some(BTreeMap::new()));
    assert!(ds.channels[0].media.is_none());
    assert_eq!(ds.roles.controls, ["price"]);
    assert_eq!(ds.roles.ignored, ["TV_Media"]);
    // Paired by name, the roles keep the pair too, so a reload pairs them the same way.
    let ds = load(&with_tv_units(20)).unwrap();
    assert_eq!(ds.roles.media_units_of, Some([("tv_spend".into(), "TV_Media".into())].into()));
    let reloaded =
        load_csv(with_tv_units(20).as_bytes(), &ds.roles.load_options(), &small_spec()).unwrap();
    assert_eq!(reloaded, ds);
}

#[test]
fn roles_stored_before_the_pairs_were_kept_pair_by_name() {
    let stored = r#"{"date":"date","kpi":"revenue","media":["tv_spend","search_spend"],
        "media_units":["TV_Media"],"controls":["price"],"ignored":[]}"#;
    let roles: ColumnRoles = serde_json::from_str(stored).unwrap();
    assert_eq!(roles.media_units_of, None);
    let ds = load_csv(with_tv_units(20).as_bytes(), &roles.load_options(), &small_spec()).unwrap();
    assert_eq!(ds.channels[0].media.as_ref().unwrap().column, "TV_Media");
}

#[test]
fn media_unit_pairs_are_read_from_text() {
    let pairs = parse_media_units(" tv_spend = tv_exposure,radio_spend=radio_grps, ").unwrap();
    assert_eq!(
        pairs,
        [("radio_spend".into(), "radio_grps".into()), ("tv_spend".into(), "tv_exposure".into())]
            .into()
    );
    assert_eq!(parse_media_units(""), Ok(BTreeMap::new()));
    for (text, error) in [
        ("tv_spend", "'tv_spend' is not a pair of a media column and its units column"),
        ("tv_spend=", "'tv_spend=' is not a pair"),
        ("=tv_grps", "'=tv_grps' is not a pair"),
        ("tv_spend=a,tv_spend=b", "'tv_spend' is given media units twice"),
        ("a=b=c", "'a=b' is not a pair"),
        ("\"tv=x_spend=tv_grps", "the quote before 'tv=x_spend=tv_grps' is not closed"),
        ("\"tv\"x=y", "'x' follows the quoted name \"tv\""),
    ] {
        let err = parse_media_units(text).unwrap_err();
        assert!(err.starts_with(error), "{text}: {err}");
    }
    // Names with a comma, an equals sign or a quote in them are written in double quotes.
    let pairs = parse_media_units(r#""tv, national_spend" = "tv=grps","say ""hi""_spend"=x"#);
    assert_eq!(
        pairs.unwrap(),
        [("say \"hi\"_spend".into(), "x".into()), ("tv, national_spend".into(), "tv=grps".into())]
            .into()
    );
}

#[test]
fn column_lists_are_read_from_text_with_quoted_names() {
    assert_eq!(
        parse_column_list(" tv_spend, radio_spend ,,").unwrap(),
        ["tv_spend", "radio_spend"]
    );
    assert_eq!(parse_column_list("").unwrap(), Vec::<String>::new());
    assert_eq!(
        parse_column_list(r#""tv, national_spend",radio_spend, " padded ""q"" ""#).unwrap(),
        ["tv, national_spend", "radio_spend", " padded \"q\" "]
    );
    // `=` only separates pairs: in a list it is part of the name.
    assert_eq!(parse_column_list("a=b").unwrap(), ["a=b"]);
    let err = parse_column_list("tv\"s_spend").unwrap_err();
    assert!(err.starts_with("a name with a quote in it is written in quotes"), "{err}");
}

proptest! {
    #[test]
    fn quoted_names_read_back_as_written(
        names in proptest::collection::vec("[ a-z,=\"_]{0,8}[a-z,=\"][ a-z,=\"_]{0,8}", 0..6),
        units in proptest::collection::vec("[a-z_]{1,6}[,=\" ]?[a-z_]{1,6}", 6),
    ) {
        let quoted: Vec<String> = names.iter().map(|n| quote_name(n)).collect();
        prop_assert_eq!(parse_column_list(&quoted.join(",")).unwrap(), names.clone());
        let pairs: BTreeMap<String, String> =
            names.iter().cloned().zip(units.iter().cloned()).collect();
        let text: Vec<String> =
            pairs.iter().map(|(m, u)| format!("{}={}", quote_name(m), quote_name(u))).collect();
        prop_assert_eq!(parse_media_units(&text.join(", ")).unwrap(), pairs);
    }

    #[test]
    fn any_text_is_read_or_refused_without_a_panic(text in "[a-z,=\" ]{0,16}|\\PC{0,16}") {
        // Whatever the reading, a list's names are never empty and a pair's sides neither.
        if let Ok(names) = parse_column_list(&text) {
            prop_assert!(names.iter().all(|n| !n.is_empty()));
        }
        if let Ok(pairs) = parse_media_units(&text) {
            prop_assert!(pairs.iter().all(|(m, u)| !m.is_empty() && !u.is_empty()));
        }
    }
}

#[test]
fn roles_name_the_units_column_each_channel_is_fitted_on() {
    let paired = load_csv(
        with_tv_units(20).replace("TV_Media", "tv_exposure").as_bytes(),
        &units_given(&[("tv_spend", "tv_exposure")]),
        &small_spec(),
    )
    .unwrap();
    assert_eq!(paired.roles.units_column("tv_spend"), Some("tv_exposure"));
    assert_eq!(paired.roles.units_column("search_spend"), None);
    // Roles stored without the pairs name them by the column's name.
    let by_name = ColumnRoles { media_units_of: None, ..load(&with_tv_units(20)).unwrap().roles };
    assert_eq!(by_name.units_column("tv_spend"), Some("TV_Media"));
    assert_eq!(by_name.units_column("search_spend"), None);
}

#[test]
fn wrong_media_unit_pairs_are_problems_naming_the_column() {
    let text = with_tv_units(20);
    type Pairs<'a> = &'a [(&'a str, &'a str)];
    let cases: [(Pairs, &[&str]); 4] = [
        (
            &[("radio_spend", "TV_Media")],
            &["line 1, column 'radio_spend': media units are given for 'radio_spend' \
               ('TV_Media'), which is not a media column; the media columns are: tv_spend, \
               search_spend"],
        ),
        (
            &[("tv_spend", "tv_reach")],
            &["line 1, column 'tv_reach': media units column not found; the file has: date, \
               revenue, tv_spend, search_spend, price, TV_Media"],
        ),
        (
            &[("tv_spend", "TV_Media"), ("search_spend", "TV_Media")],
            &["line 1, column 'TV_Media': column gives the media units of two channels \
               ('search_spend' and 'tv_spend'); give each channel its own"],
        ),
        (
            &[("tv_spend", "revenue")],
            &["line 1, column 'revenue': column is given two roles (KPI and media units); give \
               it one"],
        ),
    ];
    for (pairs, expected) in cases {
        let err = load_csv(text.as_bytes(), &units_given(pairs), &small_spec()).unwrap_err();
        assert_eq!(reasons(&err), expected, "{pairs:?}");
    }
}

/// `text` with each ISO date rewritten by `form` from (year, month, day).
fn redated(text: &str, form: impl Fn(i32, u32, u32) -> String) -> String {
    let lines: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(i, line)| {
            if i == 0 {
                return line.to_owned();
            }
            let (date, rest) = line.split_at(10);
            let d: NaiveDate = date.parse().unwrap();
            form(d.year(), d.month(), d.day()) + rest
        })
        .collect();
    lines.join("\n") + "\n"
}

#[test]
fn spreadsheet_dates_are_read_in_the_form_the_whole_column_has() {
    let iso = load(&weekly(20)).unwrap();
    type Form = fn(i32, u32, u32) -> String;
    let forms: [(&str, Form); 6] = [
        ("day first", |y, m, d| format!("{d:02}/{m:02}/{y}")),
        ("month first, no leading zeros", |y, m, d| format!("{m}/{d}/{y}")),
        ("day first with dots, midnight", |y, m, d| format!("{d:02}.{m:02}.{y} 00:00:00")),
        ("day first with dashes", |y, m, d| format!("{d:02}-{m:02}-{y}")),
        ("month first with dashes", |y, m, d| format!("{m:02}-{d:02}-{y}")),
        ("year first with slashes", |y, m, d| format!("{y}/{m:02}/{d:02}")),
    ];
    for (name, form) in forms {
        let ds = load(&redated(&weekly(20), form)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(ds, iso, "{name}");
    }
}

#[test]
fn spreadsheet_dates_that_do_not_read_are_reported_in_the_files_form() {
    let text = redated(&weekly(20), |y, m, d| format!("{d:02}/{m:02}/{y}"));
    let text = with_cell(&with_cell(&text, 2, 0, "32/01/2024"), 4, 0, "2024-01-29 00:00");
    let text = with_cell(&text, 5, 0, "05/02/2024 09:00");
    assert_eq!(
        reasons(&load(&text).unwrap_err()),
        [
            "line 4, column 'date': not a date in the file's form (DD/MM/YYYY): '32/01/2024'",
            "line 6, column 'date': not a date in the file's form (DD/MM/YYYY): '2024-01-29 00:00'",
            "line 7, column 'date': '05/02/2024 09:00' has a time of day: give each period's date \
             alone (DD/MM/YYYY)",
        ]
    );
    // Weeks whose days never pass 12 read either way; the one that gives weeks wins. Here
    // 01/02/2024 and 01/09/2024 are a week apart read month first (2 and 9 January), not day
    // first (1 February and 1 September).
    let two_weeks = "date,revenue,tv_spend\n01/02/2024,10,1\n01/09/2024,11,2\n";
    let ds = load_csv_for_scoring(two_weeks.as_bytes(), &LoadOptions::default()).unwrap();
    assert_eq!(ds.dates[1], NaiveDate::from_ymd_opt(2024, 1, 9).unwrap());
    // Months named by their first days read either way too: day first they are a month apart,
    // month first they would be the first twelve days of January and then a jump.
    let months = redated(&monthly(30, "2023-11-01", false), |y, m, d| format!("{d:02}/{m:02}/{y}"));
    let ds = load(&months).unwrap();
    assert_eq!(ds, load(&monthly(30, "2023-11-01", false)).unwrap());
    // One such date alone cannot be told apart: that is a problem, not a guess.
    let one = "date,revenue,tv_spend\n03/04/2024,10,1\n";
    let err = load_csv_for_scoring(one.as_bytes(), &LoadOptions::default()).unwrap_err();
    assert_eq!(
        reasons(&err),
        ["column 'date': dates such as '03/04/2024' read as DD/MM/YYYY and MM/DD/YYYY alike; \
             write them as YYYY-MM-DD"]
    );
}
