use super::*;
use crate::simulate::{SimConfig, simulate};
use crate::spec::ModelSpec;
use std::collections::HashMap;

fn model() -> &'static ModelDocument {
    static DOC: std::sync::OnceLock<ModelDocument> = std::sync::OnceLock::new();
    DOC.get_or_init(|| {
        let sim =
            simulate(&SimConfig { seed: 61, periods: 80, channels: 3, ..SimConfig::default() });
        crate::fit::fit(&sim.dataset, &ModelSpec::default(), None).unwrap()
    })
}

/// The CSV's rows, each a map from its header's names to its cells.
fn parse(text: &str) -> (Vec<String>, Vec<HashMap<String, String>>) {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    let rows = reader
        .records()
        .map(|r| header.iter().cloned().zip(r.unwrap().iter().map(str::to_owned)).collect())
        .collect();
    (header, rows)
}

fn number(row: &HashMap<String, String>, key: &str) -> f64 {
    row[key].parse().unwrap_or_else(|_| panic!("{key}: {:?}", row[key]))
}

#[test]
fn each_period_is_its_baseline_parts_and_channels_adding_up_to_the_fit() {
    let doc = model();
    let (header, rows) = parse(&decomposition_csv(doc));
    assert_eq!(
        header[..11],
        ["date", "actual", "fitted", "baseline", "intercept", "trend", "seasonality", "controls"]
            .into_iter()
            .chain(["tv", "tv_low", "tv_high"])
            .collect::<Vec<_>>()
    );
    assert_eq!(rows.len(), doc.periods);
    let s = &doc.series;
    for (t, row) in rows.iter().enumerate() {
        assert_eq!(row["date"], s.dates[t].to_string());
        // Written in full precision: the document's own numbers come back.
        assert_eq!(number(row, "actual"), s.actual[t]);
        assert_eq!(number(row, "seasonality"), s.seasonality[t]);
        let parts = ["intercept", "trend", "seasonality", "controls"];
        let baseline: f64 = parts.iter().map(|p| number(row, p)).sum();
        assert!((number(row, "baseline") - baseline).abs() < 1e-6 * baseline.abs());
        let media: f64 = s.channels.iter().map(|c| number(row, &c.name)).sum();
        let fitted = number(row, "fitted");
        assert!((baseline + media - fitted).abs() < 1e-6 * fitted.abs(), "period {t}");
        for c in &s.channels {
            let band = c.contribution_interval.as_ref().unwrap()[t];
            assert_eq!(number(row, &format!("{}_low", c.name)), band[0]);
            assert_eq!(number(row, &format!("{}_high", c.name)), band[1]);
        }
    }
}

#[test]
fn a_channel_row_holds_its_figures_intervals_and_curve() {
    let doc = model();
    let (header, rows) = parse(&channels_csv(doc));
    assert_eq!(rows.len(), doc.channels.len());
    for (c, row) in doc.channels.iter().zip(&rows) {
        assert_eq!(row["channel"], c.name);
        assert_eq!(row["column"], c.column);
        assert_eq!(number(row, "roi"), c.roi);
        assert_eq!(number(row, "roi_low"), c.roi_interval.unwrap()[0]);
        assert_eq!(number(row, "mroi_high"), c.mroi_interval.unwrap()[1]);
        assert_eq!(number(row, "share"), c.share);
        assert_eq!(number(row, "data_weight"), c.roi_contraction.unwrap());
        let limit = crate::insights::noise_limit(doc, c).unwrap().contraction;
        assert_eq!(number(row, "data_weight_limit"), limit);
        assert_eq!(number(row, "current_spend"), c.current_spend);
        assert_eq!(row["on_media_units"], "false");
        // The default curve: geometric adstock and Hill saturation, with their parameters.
        let crate::transforms::Adstock::Geometric { decay, max_lag } = c.adstock else {
            panic!("{:?}", c.adstock)
        };
        assert_eq!(
            (row["adstock"].as_str(), number(row, "adstock_decay")),
            ("geometric", decay.get())
        );
        assert_eq!(number(row, "adstock_max_lag"), max_lag.get() as f64);
        let crate::transforms::Saturation::Hill { half_saturation, shape } = c.saturation else {
            panic!("{:?}", c.saturation)
        };
        assert_eq!(row["saturation"], "hill");
        assert_eq!(number(row, "saturation_half_saturation"), half_saturation.get());
        assert_eq!(number(row, "saturation_shape"), shape.get());
    }
    assert!(!header.iter().any(|h| h == "adstock_type" || h == "saturation_type"), "{header:?}");
}

#[test]
fn curves_are_long_a_row_per_channel_and_point() {
    let doc = model();
    let (_, rows) = parse(&curves_csv(doc));
    let points: usize = doc.channels.iter().map(|c| c.response_curve.len()).sum();
    assert_eq!(rows.len(), points);
    let tv: Vec<_> = rows.iter().filter(|r| r["channel"] == "tv").collect();
    let curve = &doc.channels[0].response_curve;
    assert_eq!(tv.len(), curve.len());
    assert_eq!((number(tv[0], "spend"), number(tv[0], "response")), (0.0, 0.0));
    let last = curve.last().unwrap();
    assert_eq!(number(tv[tv.len() - 1], "response"), last.response);
    assert_eq!(number(tv[tv.len() - 1], "response_high"), last.interval.unwrap()[1]);
}

#[test]
fn missing_figures_are_empty_cells_and_odd_names_are_quoted() {
    let mut doc = model().clone();
    doc.channels[0].name = "tv, \"national\"".to_owned();
    doc.series.channels[0].name = doc.channels[0].name.clone();
    doc.channels[1].roi_interval = None;
    doc.channels[1].roi_contraction = None;
    doc.series.channels[1].contribution_interval = None;
    let (_, rows) = parse(&channels_csv(&doc));
    assert_eq!(rows[0]["channel"], "tv, \"national\"");
    assert_eq!((rows[1]["roi_low"].as_str(), rows[1]["data_weight"].as_str()), ("", ""));
    assert_eq!(rows[1]["data_weight_limit"], "");
    let (header, rows) = parse(&decomposition_csv(&doc));
    let search = &doc.series.channels[1].name;
    assert!(header.contains(search) && !header.contains(&format!("{search}_low")), "{header:?}");
    assert_eq!(rows[0][&doc.channels[0].name], doc.series.channels[0].contribution[0].to_string());
}

#[test]
fn each_table_is_its_own_writer() {
    let doc = model();
    for (table, text) in [
        (Table::Decomposition, decomposition_csv(doc)),
        (Table::Channels, channels_csv(doc)),
        (Table::Curves, curves_csv(doc)),
    ] {
        assert_eq!(table_csv(doc, table), text, "{table:?}");
    }
}
