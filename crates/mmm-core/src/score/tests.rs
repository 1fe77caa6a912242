use super::*;
use crate::dataset::{load_csv, load_csv_for_scoring};
use crate::simulate::{SimConfig, simulate};
use crate::spec::ModelSpec;
use chrono::Datelike;
use std::collections::BTreeMap;

/// A simulated market of `periods` weeks, as CSV text.
fn market(seed: u64, periods: usize) -> String {
    simulate(&SimConfig { seed, periods, noise: 0.04, ..SimConfig::default() }).dataset.to_csv()
}

/// The header and the data rows `range` of a CSV text.
fn rows(csv: &str, range: std::ops::Range<usize>) -> String {
    let lines: Vec<&str> = csv.lines().collect();
    let mut out = vec![lines[0]];
    out.extend(&lines[1 + range.start..1 + range.end]);
    out.join("\n") + "\n"
}

fn fitted(csv: &str, spec: &ModelSpec) -> ModelDocument {
    let data = load_csv(csv.as_bytes(), &LoadOptions::default(), spec).unwrap();
    crate::fit::fit(&data, spec, None).unwrap()
}

fn scored(doc: &ModelDocument, csv: &str) -> Result<Score, DataErrors> {
    let data = load_csv_for_scoring(csv.as_bytes(), &load_options(doc, "date"))?;
    score(doc, &data)
}

#[test]
fn the_models_own_data_score_as_its_prediction() {
    let csv = market(41, 104);
    let doc = fitted(&csv, &ModelSpec::default());
    assert!(doc.posterior.as_ref().is_some_and(|d| !d.is_empty()));
    let s = scored(&doc, &csv).unwrap();
    let predicted = doc.predict();
    assert_eq!(s.periods.len(), 104);
    for (p, q) in s.periods.iter().zip(&predicted) {
        assert!((p.predicted - q).abs() < 1e-9 * q.abs(), "{} against {q}", p.predicted);
        assert!(p.in_fit && p.interval[0] < p.predicted && p.predicted < p.interval[1]);
    }
    assert_eq!((s.out_of_sample, s.unknown_carry_over), (0, 0));
    // In sample the metrics are the fit's own (which are those of the same prediction, up to
    // the resampling of the kept draws: see `ModelDocument::predict`).
    assert!(
        (s.metrics.as_ref().unwrap().r2 - doc.fit.r2).abs() < 0.01,
        "{} against {}",
        s.metrics.as_ref().unwrap().r2,
        doc.fit.r2
    );
    assert!(!s.drift.as_ref().unwrap().drifted, "{:?}", s.drift);
}

#[test]
fn without_draws_the_interval_is_the_residual_sd_widened_by_the_baselines_leverage() {
    let csv = market(42, 104);
    let mut spec = ModelSpec::default();
    spec.priors.roi_relative_sd = None;
    let doc = fitted(&csv, &spec);
    assert!(doc.posterior.is_none());
    let s = scored(&doc, &csv).unwrap();
    // A single normal around the fitted value: ± 1.6449 σ √(1 + h), symmetric.
    let z = 1.644_854 * doc.fit.sigma;
    let mut leverage = 0.0;
    for (p, f) in s.periods.iter().zip(&doc.series.fitted) {
        assert!((p.predicted - f).abs() < 1e-9 * f.abs());
        let (up, down) = (p.interval[1] - p.predicted, p.predicted - p.interval[0]);
        assert!((up - down).abs() < 1e-6 * up, "{up} against {down}");
        let h = (up / z).powi(2) - 1.0;
        assert!(h > 0.0 && h < 0.5, "{h}");
        leverage += h;
    }
    // Over the fitting window the leverages of a least-squares design add up to its number of
    // columns: intercept, trend, the yearly harmonics' sine and cosine, the two controls.
    let columns = 2 + 2 * doc.baseline.seasonality.iter().map(|c| c.sin.len()).sum::<usize>() + 2;
    assert!(
        (leverage - columns as f64).abs() < 1e-3 * columns as f64,
        "{leverage} against {columns}"
    );
}

#[test]
fn new_periods_are_predicted_as_a_holdout_would_be() {
    // A model fitted on the first 130 weeks scores the next 26 exactly as a model fitted on all
    // 156 with those 26 held out predicts them from its draws: the same fitting window, the
    // same carry-over from week 130's spend, the same draws.
    let csv = market(43, 156);
    let doc = fitted(&rows(&csv, 0..130), &ModelSpec::default());
    let s = scored(&doc, &rows(&csv, 130..156)).unwrap();
    let holdout = fitted(&csv, &ModelSpec { holdout: 26, ..ModelSpec::default() });
    assert_eq!((s.out_of_sample, s.unknown_carry_over), (26, 0));
    for (p, q) in s.periods.iter().zip(&holdout.predict()[130..]) {
        assert!((p.predicted - q).abs() < 1e-6 * q.abs(), "{} against {q}", p.predicted);
        assert!(!p.in_fit);
    }
    // The document's holdout metrics score its series, the weighted sample's mean rather than
    // the kept draws': the same posterior mean up to the resampling.
    let h = holdout.fit.holdout.as_ref().unwrap();
    assert!(
        (s.metrics.as_ref().unwrap().mape - h.mape).abs() < 0.002,
        "{} against {}",
        s.metrics.as_ref().unwrap().mape,
        h.mape
    );
    // The same market goes on: most weeks fall inside their interval.
    assert!(s.metrics.as_ref().unwrap().coverage >= 0.75, "{:?}", s.metrics);
    assert!(!s.drift.as_ref().unwrap().drifted, "{:?}", s.drift);
}

#[test]
fn a_market_that_moved_is_flagged() {
    // The same next 26 weeks with the KPI 15% higher: the model predicts too little, by about
    // 15% of the actual KPI less the part of the gap that is noise.
    let csv = market(43, 156);
    let doc = fitted(&rows(&csv, 0..130), &ModelSpec::default());
    let data =
        load_csv_for_scoring(rows(&csv, 130..156).as_bytes(), &load_options(&doc, "date")).unwrap();
    let mut moved = data.clone();
    moved.kpi.iter_mut().for_each(|y| *y *= 1.15);
    let before = score(&doc, &data).unwrap();
    let after = score(&doc, &moved).unwrap();
    let expected = before.metrics.as_ref().unwrap().bias
        + 0.15 / 1.15 * (1.0 - before.metrics.as_ref().unwrap().bias);
    assert!(
        (after.metrics.as_ref().unwrap().bias - expected).abs() < 0.03,
        "{} against {expected}",
        after.metrics.as_ref().unwrap().bias
    );
    assert!(
        after.drift.as_ref().unwrap().drifted
            && after.drift.as_ref().unwrap().outside > before.drift.as_ref().unwrap().outside,
        "{:?}",
        after.drift
    );
    assert!(after.drift.as_ref().unwrap().p_value < DRIFT_P_VALUE);
}

#[test]
fn a_gap_after_the_model_leaves_carry_over_unknown_unless_the_data_bring_it() {
    let csv = market(44, 150);
    let doc = fitted(&rows(&csv, 0..130), &ModelSpec::default());
    // Three weeks missing between the model's last period and the data's first: the geometric
    // adstock's window of 8 reaches back into them.
    let s = scored(&doc, &rows(&csv, 133..150)).unwrap();
    assert_eq!(s.unknown_carry_over, 3);
    // The same weeks given as media history rows (empty KPI): nothing is unknown, and the
    // predictions are those of scoring the weeks in between as well.
    let with_history = rows(&csv, 130..150)
        .lines()
        .enumerate()
        .map(|(i, line)| if (1..=3).contains(&i) { blank_kpi(line) } else { line.to_owned() })
        .collect::<Vec<_>>()
        .join("\n");
    let s = scored(&doc, &with_history).unwrap();
    let all = scored(&doc, &rows(&csv, 130..150)).unwrap();
    assert_eq!((s.unknown_carry_over, s.periods.len()), (0, 17));
    for (p, q) in s.periods.iter().zip(&all.periods[3..]) {
        assert_eq!(p.date, q.date);
        assert!((p.predicted - q.predicted).abs() < 1e-9 * q.predicted.abs());
    }
}

/// The line with its KPI cell (the second column of simulated data) emptied.
fn blank_kpi(line: &str) -> String {
    let mut cells: Vec<&str> = line.split(',').collect();
    cells[1] = "";
    cells.join(",")
}

/// The CSV text with every row's date (its first ten characters) moved by `to`.
fn redated(csv: &str, to: impl Fn(NaiveDate) -> NaiveDate) -> String {
    let mut lines = csv.lines();
    let header = lines.next().unwrap_or_default().to_owned();
    let rows = lines.map(|line| format!("{}{}", to(line[..10].parse().unwrap()), &line[10..]));
    std::iter::once(header).chain(rows).collect::<Vec<_>>().join("\n") + "\n"
}

#[test]
fn data_that_do_not_fit_the_model_are_refused_with_the_reason() {
    let csv = market(45, 104);
    let doc = fitted(&csv, &ModelSpec::default());
    // Off the weekly calendar.
    let shifted = rows(&csv, 0..3).replace("2022-01-", "2022-02-");
    let err = scored(&doc, &shifted).unwrap_err();
    assert!(err.problems[0].reason.contains("not on the model's calendar"), "{err}");
    assert_eq!(err.problems[0].column.as_deref(), Some("date"));
    // Every such date is reported: 20 listed, the rest counted.
    let day_later = redated(&csv, |d| d + chrono::Duration::days(1));
    let err = scored(&doc, &day_later).unwrap_err();
    assert_eq!(err.problems.len(), 20);
    assert!(err.truncated > 0, "{err}");
    // Before the model's first period.
    let early = rows(&csv, 0..1).replace("2022-01-03", "2021-12-27");
    let err = scored(&doc, &early).unwrap_err();
    assert!(err.problems[0].reason.contains("before the model's first period"), "{err}");
    // A column the model needs.
    let header = csv.lines().next().unwrap();
    let no_tv = rows(&csv, 0..3).replace(header, &header.replace("tv_spend", "tv"));
    let err = scored(&doc, &no_tv).unwrap_err();
    assert!(err.problems.iter().any(|p| p.column.as_deref() == Some("tv_spend")), "{err}");
    // A channel fitted on media units, imported before their ratio to spend was kept.
    let mut impressions = doc.clone();
    impressions.series.channels[0].input = Some(impressions.series.channels[0].spend.clone());
    let err = scored(&impressions, &rows(&csv, 0..3)).unwrap_err();
    assert!(err.problems[0].reason.contains("import the model again"), "{err}");
    // With the ratio, it needs its media column.
    impressions.series.channels[0].input_per_media = Some(2.0);
    let err = scored(&impressions, &rows(&csv, 0..3)).unwrap_err();
    let tv = &impressions.channels[0].name;
    assert_eq!(err.problems[0].column.as_deref(), Some(format!("{tv}_media").as_str()), "{err}");
}

#[test]
fn daily_data_are_refused_for_a_weekly_model() {
    let csv = market(46, 104);
    let doc = fitted(&csv, &ModelSpec::default());
    let daily =
        rows(&csv, 0..3).replace("2022-01-10", "2022-01-04").replace("2022-01-17", "2022-01-05");
    let err = scored(&doc, &daily).unwrap_err();
    assert!(err.problems[0].reason.contains("daily but the model is weekly"), "{err}");
}

#[test]
fn one_period_and_a_dark_channel_can_be_scored() {
    let csv = market(47, 105);
    let doc = fitted(&rows(&csv, 0..104), &ModelSpec::default());
    let one = rows(&csv, 104..105);
    let header: Vec<&str> = one.lines().next().unwrap().split(',').collect();
    let tv = header.iter().position(|h| *h == "tv_spend").unwrap();
    let dark: Vec<String> = one
        .lines()
        .map(|line| {
            let mut cells: Vec<String> = line.split(',').map(str::to_owned).collect();
            if !line.starts_with("date") {
                cells[tv] = "0".into();
            }
            cells.join(",")
        })
        .collect();
    let s = scored(&doc, &(dark.join("\n") + "\n")).unwrap();
    assert_eq!((s.periods.len(), s.out_of_sample), (1, 1));
    assert!(s.periods[0].predicted.is_finite() && s.metrics.as_ref().unwrap().r2 == 0.0);
}

#[test]
fn too_many_periods_are_refused_before_any_work() {
    let doc = fitted(&market(48, 104), &ModelSpec::default());
    let long =
        simulate(&SimConfig { seed: 48, periods: MAX_SCORED_PERIODS + 1, ..SimConfig::default() });
    let err = score(&doc, &long.dataset).unwrap_err();
    assert!(err.problems[0].reason.contains("at most 5000"), "{err}");
}

/// A model fitted once for the property test.
fn shared_model() -> &'static ModelDocument {
    static DOC: std::sync::OnceLock<ModelDocument> = std::sync::OnceLock::new();
    DOC.get_or_init(|| fitted(&market(49, 104), &ModelSpec::default()))
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]

    #[test]
    fn scoring_never_panics_on_rows_of_any_dates_and_values(
        week in -52i64..400,
        offset in proptest::prop_oneof![4 => proptest::strategy::Just(0i64), 1 => 1i64..7],
        step in proptest::prop_oneof![4 => proptest::strategy::Just(7i64), 1 => proptest::strategy::Just(1), 1 => proptest::strategy::Just(6)],
        rows in proptest::collection::vec(
            (proptest::bool::weighted(0.03), proptest::collection::vec(-1e3f64..1e7, 8)),
            1..40,
        ),
    ) {
        // Dates from about a year before the model's first period to years after it, on its
        // weekly calendar or off it; values negative, zero, or far out of the fitted range;
        // leading rows with an empty KPI (media history), trailing ones (forecasts), or such rows
        // anywhere.
        let doc = shared_model();
        let mut cols = vec!["date".to_owned(), doc.kpi.clone()];
        cols.extend(doc.channels.iter().map(|c| c.column.clone()));
        cols.extend(doc.baseline.controls.iter().map(|c| c.name.clone()));
        let width = cols.len() - 1;
        let mut text = cols.join(",") + "\n";
        for (i, (empty_kpi, values)) in rows.iter().enumerate() {
            let date = doc.start + chrono::Duration::days(7 * week + offset + step * i as i64);
            let mut cells = vec![date.to_string()];
            cells.extend(values.iter().take(width).map(|v| format!("{v:.2}")));
            if *empty_kpi {
                cells[1].clear();
            }
            text += &(cells.join(",") + "\n");
        }
        if let Ok(data) = load_csv_for_scoring(text.as_bytes(), &load_options(doc, "date"))
            && let Ok(s) = score(doc, &data)
        {
            proptest::prop_assert_eq!(s.periods.len(), data.len());
            proptest::prop_assert!(s.periods.iter().all(|p| p.predicted.is_finite()
                && p.interval[0] <= p.predicted && p.predicted <= p.interval[1]));
            // Trailing rows with an empty KPI are forecasts; when all are, nothing is assessed.
            proptest::prop_assert_eq!(s.drift.is_none(), s.forecasts == s.periods.len());
            proptest::prop_assert_eq!(s.metrics.is_none(), s.forecasts == s.periods.len());
            proptest::prop_assert!(s.drift.iter().all(|d| (0.0..=1.0).contains(&d.p_value)));
        }
    }
}

#[test]
fn each_draw_gets_the_baseline_that_fits_its_media() {
    // The intercept is one of the baseline's columns, so after each draw's least-squares shift
    // its media plus baseline shift has the same mean over the fitting window as the mean
    // media: a draw with more media gets a lower level.
    let doc = fitted(&market(50, 104), &ModelSpec::default());
    let draws = doc.posterior.as_ref().unwrap().len();
    let inputs: Vec<(Vec<f64>, Vec<f64>)> = doc
        .channels
        .iter()
        .zip(&doc.series.channels)
        .map(|(c, s)| {
            (
                s.history.iter().map(|x| x / c.scale).collect(),
                s.spend.iter().map(|x| x / c.scale).collect(),
            )
        })
        .collect();
    let media = media_by_draw(&doc, &inputs);
    let spread = BaselineSpread::new(&doc).unwrap();
    let rows: Vec<(Vec<f64>, f64)> = (0..104)
        .map(|t| {
            let z: Vec<f64> = doc.series.control_values.iter().map(|c| c.values[t]).collect();
            spread.at(&doc.baseline.row(t, &z))
        })
        .collect();
    let mean_media: f64 = media.iter().flatten().sum::<f64>() / (104 * draws) as f64;
    let levels: Vec<f64> = (0..draws)
        .map(|d| (0..104).map(|t| media[d][t] + rows[t].0[d]).sum::<f64>() / 104.0)
        .collect();
    let raw: Vec<f64> = (0..draws).map(|d| media[d].iter().sum::<f64>() / 104.0).collect();
    for l in &levels {
        assert!((l - mean_media).abs() < 1e-6 * mean_media, "{l} against {mean_media}");
    }
    // Without the shift the draws' media levels do differ.
    let (lo, hi) = raw.iter().fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(*v), b.max(*v)));
    assert!(hi - lo > 0.05 * mean_media, "{lo} to {hi}");
}

/// `csv` with the KPI cell of the data rows `range` emptied.
fn without_kpi(csv: &str, range: std::ops::Range<usize>) -> String {
    csv.lines()
        .enumerate()
        .map(|(i, line)| {
            if i > 0 && range.contains(&(i - 1)) {
                let (date, rest) = line.split_once(',').unwrap();
                let (_, rest) = rest.split_once(',').unwrap();
                format!("{date},,{rest}\n")
            } else {
                format!("{line}\n")
            }
        })
        .collect()
}

#[test]
fn periods_without_a_kpi_are_forecasts_of_what_scoring_predicts() {
    let csv = market(47, 117);
    let doc = fitted(&rows(&csv, 0..104), &ModelSpec::default());
    let next = rows(&csv, 104..117);
    let full = scored(&doc, &next).unwrap();
    // The last 5 weeks as a plan: spend and controls, no KPI yet.
    let planned = scored(&doc, &without_kpi(&next, 8..13)).unwrap();
    assert_eq!(planned.forecasts, 5);
    for (k, (p, q)) in planned.periods.iter().zip(&full.periods).enumerate() {
        assert_eq!(
            (p.date, p.predicted, p.interval, p.media),
            (q.date, q.predicted, q.interval, q.media)
        );
        assert_eq!(p.actual, if k < 8 { q.actual } else { None });
        assert!(!(k >= 8 && p.outside()));
    }
    // The accuracy and the drift test are those of the 8 weeks with a KPI.
    let first = scored(&doc, &rows(&next, 0..8)).unwrap();
    assert_eq!((&planned.metrics, &planned.drift), (&first.metrics, &first.drift));
    assert_eq!(first.forecasts, 0);

    // A file of plans only: every period is a forecast, and there is nothing to assess.
    let plan = scored(&doc, &without_kpi(&next, 0..13)).unwrap();
    assert_eq!((plan.forecasts, plan.metrics, plan.drift), (13, None, None));
    assert_eq!(
        plan.periods.iter().map(|p| p.predicted).collect::<Vec<_>>(),
        full.periods.iter().map(|p| p.predicted).collect::<Vec<_>>()
    );

    // An empty KPI between two values is neither history nor a forecast.
    let e = scored(&doc, &without_kpi(&next, 4..5)).unwrap_err();
    assert_eq!(
        e.problems[0].to_string(),
        "line 6, column 'revenue': empty value (only the leading rows, the media history, and the last ones, periods to forecast, may leave the KPI empty)"
    );
    // Fitting takes no forecasts.
    let e = load_csv(
        without_kpi(&csv, 110..117).as_bytes(),
        &LoadOptions::default(),
        &ModelSpec::default(),
    )
    .unwrap_err();
    assert!(e.problems[0].to_string().contains("empty value"), "{e}");
}

#[test]
fn a_plan_is_a_file_to_forecast() {
    use crate::plan::{PlanRequest, plan};
    let csv = market(48, 104);
    let doc = fitted(&csv, &ModelSpec::default());
    let request = |total_budget| PlanRequest {
        periods: 6,
        total_budget,
        period_cap: None,
        constraints: Default::default(),
    };
    let current: f64 = doc.channels.iter().map(|c| c.current_spend).sum();
    let small = plan(&doc, &request(6.0 * current)).unwrap();
    let text = plan_csv(&doc, &small, &BTreeMap::new()).unwrap();
    let header = text.lines().next().unwrap();
    assert_eq!(header, csv.lines().next().unwrap(), "the model's own columns");
    let forecast = scored(&doc, &text).unwrap();
    assert_eq!(
        (forecast.forecasts, forecast.metrics.clone(), forecast.drift.clone()),
        (6, None, None)
    );
    let dates: Vec<_> = small.periods.iter().map(|p| p.date).collect();
    assert_eq!(forecast.periods.iter().map(|p| p.date).collect::<Vec<_>>(), dates);
    assert_eq!(dates[0], doc.end + chrono::Days::new(7), "the plan starts after the model's data");
    // Twice the budget buys more media in every period, and the baseline is the same.
    let large = plan(&doc, &request(12.0 * current)).unwrap();
    let large = scored(&doc, &plan_csv(&doc, &large, &BTreeMap::new()).unwrap()).unwrap();
    for (a, b) in forecast.periods.iter().zip(&large.periods) {
        assert!(b.media > a.media, "{} against {}", b.media, a.media);
        assert!(((b.predicted - b.media) - (a.predicted - a.media)).abs() < 1e-6 * a.predicted);
    }

    // A promotion over the plan: each period's forecast rises by the promotion's effect, its
    // coefficient per standard deviation times the promotion's distance from its mean in them.
    let promo = doc.baseline.controls.iter().find(|c| c.name == "promo").unwrap();
    let on = BTreeMap::from([("promo".to_owned(), 1.0)]);
    let text = plan_csv(&doc, &small, &on).unwrap();
    assert!(text.lines().skip(1).all(|l| l.ends_with(",1")), "{text}");
    let promoted = scored(&doc, &text).unwrap();
    let effect = promo.coefficient * (1.0 - promo.mean) / promo.sd;
    for (a, b) in forecast.periods.iter().zip(&promoted.periods) {
        assert!((b.predicted - a.predicted - effect).abs() < 1e-6 * a.predicted.abs());
        assert!((a.media - b.media).abs() < 1e-9 * a.media);
    }
    // Names the model does not have, and values that are no numbers, are refused by name.
    let wrong = BTreeMap::from([("weather".to_owned(), 1.0), ("promo".to_owned(), f64::NAN)]);
    let err = plan_csv(&doc, &small, &wrong).unwrap_err();
    let listed: Vec<String> = err.problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        listed,
        [
            "column 'promo': the value NaN is not a finite number",
            "column 'weather': not a control of the model (its controls: price_index, promo)",
        ]
    );
}

#[test]
fn a_model_fitted_on_impressions_reads_them_from_the_column_it_was_fitted_on() {
    let config = SimConfig {
        seed: 48,
        periods: 104,
        noise: 0.04,
        media_units: true,
        ..SimConfig::default()
    };
    let market = simulate(&config).dataset;
    assert_eq!(market.channels[0].name, "tv");
    let csv = market.to_csv().replace("tv_media", "TV_Impressions");
    let doc = fitted(&csv, &ModelSpec::default());
    let tv = &doc.series.channels[0];
    assert_eq!(tv.units_column.as_deref(), Some("TV_Impressions"));
    assert_eq!(load_options(&doc, "date").media.unwrap()[0], "TV_Impressions");
    let s = scored(&doc, &csv).unwrap();
    for (p, q) in s.periods.iter().zip(doc.predict()) {
        assert!((p.predicted - q).abs() < 1e-9 * q.abs(), "{} against {q}", p.predicted);
    }
    // Without that column the file cannot be scored, whatever else it has.
    let renamed = csv.replace("TV_Impressions", "tv_media");
    let err = scored(&doc, &renamed).unwrap_err();
    assert_eq!(err.problems[0].column.as_deref(), Some("TV_Impressions"), "{err}");
}

#[test]
fn a_monthly_period_is_placed_by_its_month_whatever_the_day() {
    let config = SimConfig {
        seed: 43,
        periods: 48,
        channels: 3,
        noise: 0.03,
        frequency: crate::dataset::Frequency::Monthly,
        start: NaiveDate::from_ymd_opt(2021, 1, 31).unwrap(),
        ..SimConfig::default()
    };
    let csv = simulate(&config).dataset.to_csv();
    let doc = fitted(&csv, &ModelSpec::default());
    // The same months named by their first days instead of their last.
    let firsts = redated(&csv, |d| d.with_day(1).unwrap());
    let s = scored(&doc, &firsts).unwrap();
    assert_eq!(s.periods.len(), 48);
    for (p, q) in s.periods.iter().zip(&doc.predict()) {
        assert!((p.predicted - q).abs() < 1e-9 * q.abs(), "{} against {q}", p.predicted);
    }
    // The month before the model's first is not a period it can score.
    let early =
        rows(&csv, 0..2).replace("2021-01-31", "2020-12-31").replace("2021-02-28", "2021-01-28");
    let err = scored(&doc, &early).unwrap_err();
    assert!(err.problems[0].reason.contains("before the model's first period"), "{err}");
    assert_eq!(err.problems.len(), 1, "{err}");
}

#[test]
fn clustered_misses_are_judged_with_the_noises_autocorrelation() {
    // A quarter whose first 5 weeks fall outside their interval: rare for independent noise
    // (p ≈ 0.009), not for noise that lingers at ρ 0.8 (p ≈ 0.07).
    let first = NaiveDate::from_ymd_opt(2025, 1, 6).unwrap();
    let periods: Vec<ScoredPeriod> = (0..13)
        .map(|t| ScoredPeriod {
            date: first + chrono::Duration::weeks(t),
            actual: Some(if t < 5 { 120.0 } else { 100.0 }),
            predicted: 100.0,
            interval: [90.0, 110.0],
            media: 0.0,
            in_fit: false,
        })
        .collect();
    let independent = drift_of(&periods, &crate::fit::noise::Noise::INDEPENDENT).unwrap();
    let lingering = drift_of(&periods, &crate::fit::noise::Noise::new(0.8, 1.0)).unwrap();
    assert_eq!((independent.outside, lingering.outside), (5, 5));
    assert_eq!(independent.p_value, misses::binomial_upper_tail(13, 0.1, 5));
    assert!(independent.drifted && independent.p_value > 0.005, "{independent:?}");
    assert!(!lingering.drifted && lingering.p_value > 0.05, "{lingering:?}");
}
