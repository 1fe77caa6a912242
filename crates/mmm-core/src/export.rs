//! A model's tables as CSV, for spreadsheets and BI tools: the per-period decomposition, the
//! channel results and the response curves. `mmm export` and the API's `/export/...` routes
//! write these same files.
//!
//! Numbers are written in full precision with a dot for the decimals; a figure the model does
//! not have (an interval of a model without one) is an empty cell.

use crate::document::{Interval, ModelDocument};
use serde_json::Value;

/// The tables [`table_csv`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    /// One row per period: actual, fitted, the baseline's parts and each channel's contribution
    /// ([`decomposition_csv`]).
    Decomposition,
    /// One row per channel: spend, contribution, ROI, marginal ROI and share with their
    /// intervals, and the fitted curve ([`channels_csv`]).
    Channels,
    /// One row per channel and curve point: the steady-state response to a constant spend
    /// ([`curves_csv`]).
    Curves,
}

/// `table` of `doc` as CSV text.
pub fn table_csv(doc: &ModelDocument, table: Table) -> String {
    match table {
        Table::Decomposition => decomposition_csv(doc),
        Table::Channels => channels_csv(doc),
        Table::Curves => curves_csv(doc),
    }
}

/// One row per period: `date,actual,fitted,baseline,intercept,trend,seasonality,controls`, then
/// each channel's contribution, followed by `<channel>_low` and `<channel>_high` (its 90%
/// interval) when the model has intervals. The baseline is the sum of its four parts, and the
/// baseline and the channels add up to `fitted`.
pub fn decomposition_csv(doc: &ModelDocument) -> String {
    let s = &doc.series;
    let mut header: Vec<String> =
        ["date", "actual", "fitted", "baseline", "intercept", "trend", "seasonality", "controls"]
            .map(str::to_owned)
            .to_vec();
    for c in &s.channels {
        header.push(c.name.clone());
        if c.contribution_interval.is_some() {
            header.push(format!("{}_low", c.name));
            header.push(format!("{}_high", c.name));
        }
    }
    let intercept = doc.baseline.intercept;
    let rows = (0..doc.periods.min(s.dates.len())).map(|t| {
        let part = |v: &[f64]| cell(v.get(t).copied());
        let baseline = intercept
            + s.trend.get(t).unwrap_or(&0.0)
            + s.seasonality.get(t).unwrap_or(&0.0)
            + s.controls.get(t).unwrap_or(&0.0);
        let mut row = vec![
            s.dates[t].to_string(),
            part(&s.actual),
            part(&s.fitted),
            cell(Some(baseline)),
            cell(Some(intercept)),
            part(&s.trend),
            part(&s.seasonality),
            part(&s.controls),
        ];
        for c in &s.channels {
            row.push(part(&c.contribution));
            if let Some(bands) = &c.contribution_interval {
                row.extend(interval(bands.get(t).copied()));
            }
        }
        row
    });
    write(header, rows)
}

/// One row per channel: its name and spend column, total spend, contribution, ROI, marginal ROI
/// (at `current_spend`) and share of the media contribution, each followed by its 90% interval
/// (`_low`, `_high`); current spend, saturation point, `data_weight` (the ROI prior's
/// contraction) and `data_weight_limit` (the most the noise alone would allow,
/// [`crate::insights::noise_limit`]); whether it was fitted on media units; then the fitted curve: the
/// coefficient, scale, and the adstock's and saturation's type and parameters as in the model
/// document (`adstock_decay`, `saturation_half_saturation` in units of `scale`, ...).
pub fn channels_csv(doc: &ModelDocument) -> String {
    let adstocks: Vec<Value> = doc.channels.iter().map(|c| json(&c.adstock)).collect();
    let saturations: Vec<Value> = doc.channels.iter().map(|c| json(&c.saturation)).collect();
    let adstock_keys = parameter_keys(&adstocks);
    let saturation_keys = parameter_keys(&saturations);
    let mut header: Vec<String> = ["channel", "column", "spend"].map(str::to_owned).to_vec();
    for figure in ["contribution", "roi", "mroi", "share"] {
        header.extend([figure.to_owned(), format!("{figure}_low"), format!("{figure}_high")]);
    }
    header.extend(
        [
            "current_spend",
            "saturation_point",
            "data_weight",
            "data_weight_limit",
            "on_media_units",
            "coefficient",
        ]
        .map(str::to_owned),
    );
    header.extend(["scale".to_owned(), "adstock".to_owned()]);
    header.extend(adstock_keys.iter().map(|k| format!("adstock_{k}")));
    header.push("saturation".to_owned());
    header.extend(saturation_keys.iter().map(|k| format!("saturation_{k}")));

    let rows = doc.channels.iter().enumerate().map(|(i, c)| {
        let mut row = vec![c.name.clone(), c.column.clone(), cell(Some(c.spend))];
        for (value, band) in [
            (c.contribution, c.contribution_interval),
            (c.roi, c.roi_interval),
            (c.mroi, c.mroi_interval),
            (c.share, c.share_interval),
        ] {
            row.push(cell(Some(value)));
            row.extend(interval(band));
        }
        let on_units = doc.series.channels.get(i).is_some_and(|s| s.on_media_units());
        row.extend([
            cell(Some(c.current_spend)),
            cell(Some(c.saturation_point)),
            cell(c.roi_contraction),
            cell(crate::insights::noise_limit(doc, c).map(|l| l.contraction)),
            on_units.to_string(),
            cell(Some(c.coefficient)),
            cell(Some(c.scale)),
        ]);
        row.extend(parameters(&adstocks[i], &adstock_keys));
        row.extend(parameters(&saturations[i], &saturation_keys));
        row
    });
    write(header, rows)
}

/// One row per channel and point of its response curve: `channel,spend,response,mroi,
/// response_low,response_high`, the steady-state KPI per period at a constant spend per period
/// from 0 to 3 times the channel's largest, the marginal ROI there, and the response's 90%
/// interval.
pub fn curves_csv(doc: &ModelDocument) -> String {
    let header = ["channel", "spend", "response", "mroi", "response_low", "response_high"]
        .map(str::to_owned)
        .to_vec();
    let rows = doc.channels.iter().flat_map(|c| {
        c.response_curve.iter().map(|p| {
            let mut row = vec![
                c.name.clone(),
                cell(Some(p.spend)),
                cell(Some(p.response)),
                cell(Some(p.mroi)),
            ];
            row.extend(interval(p.interval));
            row
        })
    });
    write(header, rows)
}

/// A number in full precision, or an empty cell.
fn cell(value: Option<f64>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// An interval's two cells, empty when there is none.
fn interval(band: Option<Interval>) -> [String; 2] {
    match band {
        Some([low, high]) => [cell(Some(low)), cell(Some(high))],
        None => [String::new(), String::new()],
    }
}

/// A transform as JSON (`{"type": "geometric", "decay": 0.5, "max_lag": 8}`).
fn json<T: serde::Serialize>(transform: &T) -> Value {
    serde_json::to_value(transform).unwrap_or(Value::Null)
}

/// The parameter names of `transforms` (every key but `type`), in first-seen order.
fn parameter_keys(transforms: &[Value]) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for key in transforms.iter().filter_map(Value::as_object).flat_map(|o| o.keys()) {
        if key != "type" && !keys.contains(key) {
            keys.push(key.clone());
        }
    }
    keys
}

/// A transform's type, then its value of each of `keys` (empty where it has none).
fn parameters(transform: &Value, keys: &[String]) -> Vec<String> {
    let text = |v: Option<&Value>| match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(other) => other.to_string(),
        None => String::new(),
    };
    std::iter::once(text(transform.get("type")))
        .chain(keys.iter().map(|k| text(transform.get(k))))
        .collect()
}

/// The header and rows as CSV, quoting where a cell needs it.
fn write(header: Vec<String>, rows: impl Iterator<Item = Vec<String>>) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    // Writing to a Vec cannot fail, and every row has the header's length.
    let _ = writer.write_record(&header);
    for row in rows {
        let _ = writer.write_record(&row);
    }
    writer.into_inner().map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default()
}

#[cfg(test)]
mod tests;
