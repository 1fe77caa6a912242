//! Adding up a file of several geos (or markets) stacked, one row per geo and date, as
//! Meridian's geo data are laid out, into the one national series mmm fits.

use super::dates::{DateStyle, parse_date};
use super::dialect::{Dialect, decode};
use super::{
    DataErrors, LoadOptions, Problems, Row, UTF16_UNREADABLE, column_index, is_spend_column,
    read_rows, units_column_by_name,
};
use chrono::NaiveDate;
use std::collections::{BTreeMap, HashMap};

/// The name of the column that gives each geo's population, in any case. When a file has one,
/// controls are averaged weighted by it.
pub const POPULATION_COLUMN: &str = "population";

/// How a column of the stacked file enters the national one.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Combine {
    /// KPI, spend and media units: the geos' values add up.
    Sum,
    /// Controls (prices, temperatures, ...): the geos' mean, weighted by population if known.
    Mean,
}

/// The national series of a file that stacks geos: one row per date, the KPI, spend and media
/// units summed over the geos (`geo_column` tells them apart), every other numeric column (a
/// control) averaged, weighted by the geos' population when a `population` column gives it.
/// The geo and population columns are left out, and so are columns with no number at all (a
/// label). Every geo must have one row for every date. Leading rows whose KPI is empty in
/// every geo stay media history rows. The result is a CSV with ISO dates and plain numbers,
/// ready for [`super::load_csv`]; `options` says which columns are the date, the KPI, the
/// media and their units, as for loading.
pub fn add_up_geos(
    bytes: &[u8],
    geo_column: &str,
    options: &LoadOptions,
) -> Result<String, DataErrors> {
    let mut problems = Problems::new(options.max_problems);
    let Some(text) = decode(bytes) else {
        problems.push(None, None, UTF16_UNREADABLE);
        return Err(problems.into_error());
    };
    let dialect = Dialect::sniff(text.as_bytes());
    let Some(rows) = read_rows(text.as_bytes(), dialect, &mut problems) else {
        return Err(problems.into_error());
    };
    let Some((header, data)) = rows.split_first() else {
        problems.push(None, None, "the file is empty");
        return Err(problems.into_error());
    };
    let header = &header.cells;
    let find = |name: &str| column_index(header, name);
    let require = |name: &str, role: &str, problems: &mut Problems| {
        let found = find(name);
        if found.is_none() {
            problems.push(
                Some(name),
                Some(1),
                format!("{role} column not found; the file has: {}", header.join(", ")),
            );
        }
        found
    };
    let date = require(&options.date_column, "date", &mut problems);
    let geo = require(geo_column, "geo", &mut problems);
    let kpi = require(&options.kpi, "KPI", &mut problems);
    let (Some(date), Some(geo), Some(kpi)) = (date, geo, kpi) else {
        return Err(problems.into_error());
    };
    let population = find(POPULATION_COLUMN);

    // Which columns add up: the KPI, the media spend and their units.
    let media: Vec<usize> = match &options.media {
        Some(list) => list.iter().filter_map(|m| require(m, "media", &mut problems)).collect(),
        None => (0..header.len()).filter(|i| is_spend_column(&header[*i])).collect(),
    };
    let units: Vec<usize> = match &options.media_units {
        Some(pairs) => {
            pairs.values().filter_map(|u| require(u, "media units", &mut problems)).collect()
        }
        None => media
            .iter()
            .filter_map(|m| units_column_by_name(&header[*m], header))
            .filter_map(|u| find(u))
            .collect(),
    };
    if !problems.is_empty() {
        return Err(problems.into_error());
    }
    let label_only = |i: usize| {
        data.iter()
            .all(|r| r.cells.get(i).is_none_or(|c| c.is_empty() || dialect.number(c).is_none()))
    };
    let columns: Vec<(usize, Combine)> = (0..header.len())
        .filter(|i| ![date, geo].contains(i) && Some(*i) != population)
        .filter_map(|i| {
            if i == kpi || media.contains(&i) || units.contains(&i) {
                Some((i, Combine::Sum))
            } else if label_only(i) {
                None
            } else {
                Some((i, Combine::Mean))
            }
        })
        .collect();

    // The rows of each date, by geo.
    let style = match DateStyle::detect(
        data.iter().filter_map(|r| r.cells.get(date)).map(String::as_str),
    ) {
        Ok(style) => style,
        Err(reason) => {
            problems.push(Some(&header[date]), None, reason);
            return Err(problems.into_error());
        }
    };
    let mut geos: Vec<&str> = Vec::new();
    let mut by_date: BTreeMap<NaiveDate, HashMap<&str, &Row>> = BTreeMap::new();
    for row in data {
        let cell = |i: usize| row.cells.get(i).map_or("", String::as_str);
        let name = cell(geo);
        if name.is_empty() {
            problems.push(Some(&header[geo]), Some(row.line), "empty geo");
            continue;
        }
        if !geos.contains(&name) {
            geos.push(name);
        }
        let day = match parse_date(cell(date), style) {
            Ok(day) => day,
            Err(reason) => {
                problems.push(Some(&header[date]), Some(row.line), reason);
                continue;
            }
        };
        if let Some(first) = by_date.entry(day).or_default().insert(name, row) {
            problems.push(
                Some(&header[geo]),
                Some(row.line),
                format!("geo '{name}' has a second row for {day} (first on line {})", first.line),
            );
        }
    }
    for (day, rows) in &by_date {
        for name in geos.iter().filter(|g| !rows.contains_key(*g)) {
            problems.push(Some(&header[geo]), None, format!("geo '{name}' has no row for {day}"));
        }
    }
    if !problems.is_empty() {
        return Err(problems.into_error());
    }

    // A cell's number: `Ok(None)` when empty, `Err` (with the problem recorded) when not a number.
    let number = |row: &Row, i: usize, problems: &mut Problems| -> Result<Option<f64>, ()> {
        let cell = row.cells.get(i).map_or("", String::as_str);
        if cell.is_empty() {
            return Ok(None);
        }
        dialect.parse_number(cell).map(Some).map_err(|reason| {
            problems.push(Some(&header[i]), Some(row.line), reason);
        })
    };
    let mut writer = csv::Writer::from_writer(Vec::new());
    // The date column keeps its name, so the same options load the result.
    let names = std::iter::once(header[date].as_str())
        .chain(columns.iter().map(|(i, _)| header[*i].as_str()));
    // Writing to memory cannot fail; an error would only drop output.
    let _ = writer.write_record(names);
    for (day, rows) in &by_date {
        let rows: Vec<&Row> = geos.iter().filter_map(|g| rows.get(g).copied()).collect();
        let weights: Vec<f64> = match population {
            Some(p) => rows
                .iter()
                .map(|r| number(r, p, &mut problems).ok().flatten().unwrap_or(f64::NAN))
                .collect(),
            None => vec![1.0; rows.len()],
        };
        if let Some((r, _)) = rows.iter().zip(&weights).find(|(_, w)| !(w.is_finite() && **w > 0.0))
        {
            let column = population.map(|p| header[p].as_str());
            problems.push(column, Some(r.line), "the population must be a positive number");
            continue;
        }
        let mut record = vec![day.to_string()];
        for (i, combine) in &columns {
            let values: Result<Vec<Option<f64>>, ()> =
                rows.iter().map(|r| number(r, *i, &mut problems)).collect();
            let Ok(values) = values else {
                record.push(String::new());
                continue;
            };
            // Empty in every geo (the KPI of a media history row, say) stays empty.
            if values.iter().all(Option::is_none) {
                record.push(String::new());
                continue;
            }
            if let Some((r, _)) = rows.iter().zip(&values).find(|(_, v)| v.is_none()) {
                problems.push(
                    Some(&header[*i]),
                    Some(r.line),
                    format!("empty value, while other geos have one for {day}"),
                );
                record.push(String::new());
                continue;
            }
            let values = values.into_iter().flatten();
            let value = match combine {
                Combine::Sum => values.sum::<f64>(),
                Combine::Mean => {
                    values.zip(&weights).map(|(v, w)| v * w).sum::<f64>()
                        / weights.iter().sum::<f64>()
                }
            };
            record.push(value.to_string());
        }
        let _ = writer.write_record(&record);
    }
    if !problems.is_empty() {
        return Err(problems.into_error());
    }
    Ok(writer.into_inner().map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default())
}
