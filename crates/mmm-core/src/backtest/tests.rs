use super::*;
use crate::dataset::{LoadOptions, load_csv, load_csv_for_scoring};
use crate::simulate::{SimConfig, simulate};

fn market(seed: u64, periods: usize, history: usize) -> String {
    simulate(&SimConfig { seed, periods, history, noise: 0.04, ..SimConfig::default() })
        .dataset
        .to_csv()
}

fn load(csv: &str) -> Dataset {
    load_csv(csv.as_bytes(), &LoadOptions::default(), &ModelSpec::default()).unwrap()
}

fn map_fit(data: &Dataset, spec: &ModelSpec) -> Result<ModelDocument, FitError> {
    crate::fit::fit(data, spec, None)
}

#[test]
fn each_fold_fits_its_window_and_scores_the_periods_after_it() {
    let csv = market(51, 156, 0);
    let data = load(&csv);
    let mut heard = Vec::new();
    let b = backtest(&data, &ModelSpec::default(), 3, 13, map_fit, |k, of| heard.push((k, of)))
        .unwrap();
    assert_eq!(heard, vec![(1, 3), (2, 3), (3, 3)]);
    assert_eq!(b.folds.iter().map(|f| f.fit_periods).collect::<Vec<_>>(), vec![117, 130, 143]);
    let last = &b.folds[2];
    assert_eq!(
        (last.fit_end, last.start, last.end),
        (data.dates[142], data.dates[143], data.dates[155])
    );

    // The last fold is what a user would do by hand: fit the first 143 weeks, score the rest.
    let lines: Vec<&str> = csv.lines().collect();
    let rows = |r: std::ops::Range<usize>| {
        let mut out = vec![lines[0]];
        out.extend(&lines[1 + r.start..1 + r.end]);
        out.join("\n")
    };
    let doc = map_fit(&load(&rows(0..143)), &ModelSpec::default()).unwrap();
    let new =
        load_csv_for_scoring(rows(143..156).as_bytes(), &crate::score::load_options(&doc, "date"))
            .unwrap();
    let by_hand = score(&doc, &new).unwrap();
    assert_eq!(Some(&last.metrics), by_hand.metrics.as_ref());
    assert_eq!(Some(&last.drift), by_hand.drift.as_ref());
    for (c, d) in last.channels.iter().zip(&doc.channels) {
        assert_eq!((c.roi, c.roi_interval), (d.roi, d.roi_interval));
    }

    // Equal horizons: the pooled MAPE is the folds' mean, the coverage too.
    let mean = |f: fn(&Fold) -> f64| b.folds.iter().map(f).sum::<f64>() / 3.0;
    assert!((b.metrics.mape - mean(|f| f.metrics.mape)).abs() < 1e-12);
    assert!((b.metrics.coverage - mean(|f| f.metrics.coverage)).abs() < 1e-12);
    // Each channel's stability from its three ROIs.
    for (i, s) in b.channels.iter().enumerate() {
        let rois: Vec<f64> = b.folds.iter().map(|f| f.channels[i].roi).collect();
        let (min, max) = (
            rois.iter().copied().fold(f64::MAX, f64::min),
            rois.iter().copied().fold(0.0, f64::max),
        );
        let mean = rois.iter().sum::<f64>() / 3.0;
        assert_eq!((s.min, s.max), (min, max));
        assert!((s.spread - (max - min) / mean).abs() < 1e-12, "{s:?}");
    }
    // A market that does not change: out of sample the model stays close.
    assert!(b.metrics.mape < 0.08 && b.metrics.coverage > 0.7, "{:?}", b.metrics);
}

#[test]
fn a_window_after_media_history_carries_it_over() {
    // The data open with 12 weeks of media history: the first fit gets it, and every scored
    // window gets the spend before it, so the first fold equals a fit of those rows by hand.
    let csv = market(52, 104, 12);
    let data = load(&csv);
    assert_eq!(data.history_len(), 12);
    let b = backtest(&data, &ModelSpec::default(), 2, 8, map_fit, |_, _| ()).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    let first_fit = lines[..1 + 12 + 88].join("\n");
    let doc = map_fit(&load(&first_fit), &ModelSpec::default()).unwrap();
    for (c, d) in b.folds[0].channels.iter().zip(&doc.channels) {
        assert_eq!(c.roi, d.roi);
    }
}

#[test]
fn lift_tests_after_a_window_are_left_out_of_its_fit() {
    let data = load(&market(53, 130, 0));
    let mut spec = ModelSpec::default();
    // A test in the last 8 weeks: inside the data, after every fold's window.
    spec.lift_tests.push(crate::spec::LiftTest {
        channel: "tv".into(),
        start: data.dates[122],
        end: data.dates[129],
        incremental: 100_000.0,
        standard_error: 10_000.0,
    });
    assert!(backtest(&data, &spec, 2, 10, map_fit, |_, _| ()).is_ok());
}

#[test]
fn folds_that_do_not_fit_in_the_data_are_refused() {
    let data = load(&market(54, 104, 0));
    let err = backtest(&data, &ModelSpec::default(), 8, 13, map_fit, |_, _| ()).unwrap_err();
    assert!(err.to_string().contains("leave the first fit 0 of the 104 periods"), "{err}");
    let err = backtest(&data, &ModelSpec::default(), 0, 13, map_fit, |_, _| ()).unwrap_err();
    assert!(err.to_string().contains("give 1 to 20 folds"), "{err}");
    let err =
        backtest(&data, &ModelSpec::default(), 2, usize::MAX, map_fit, |_, _| ()).unwrap_err();
    assert!(err.to_string().contains("leave the first fit 0"), "{err}");
    let err = backtest(&data, &ModelSpec::default(), 2, 0, map_fit, |_, _| ()).unwrap_err();
    assert!(err.to_string().contains("at least one period"), "{err}");
    // A failing fit names its fold.
    let failing =
        |_: &Dataset, _: &ModelSpec| Err(FitError::Numerical("no start converged".into()));
    let err = backtest(&data, &ModelSpec::default(), 2, 13, failing, |_, _| ()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "fold 1 (fitted on 78 periods): the fit failed numerically: no start converged"
    );
}

#[test]
fn a_market_fitted_on_media_units_is_backtested_on_them() {
    let sim = simulate(&SimConfig {
        seed: 52,
        periods: 120,
        channels: 3,
        history: 8,
        noise: 0.04,
        media_units: true,
        ..SimConfig::default()
    });
    let csv = sim.dataset.to_csv();
    let data = load(&csv);
    assert!(data.channels.iter().all(|c| c.media.is_some()));
    let b = backtest(&data, &ModelSpec::default(), 1, 10, map_fit, |_, _| {}).unwrap();

    // By hand: fit the first 110 weeks (after the 8 of history) on the units, and score the
    // last 10 from a file that gives the units and the media before them.
    let lines: Vec<&str> = csv.lines().collect();
    let doc =
        map_fit(&load(&(lines[..1 + 8 + 110].join("\n") + "\n")), &ModelSpec::default()).unwrap();
    assert!(doc.series.channels.iter().all(|s| s.input_per_media.is_some()));
    // The eight rows before the scored ones become media history: no KPI.
    let rest: Vec<String> = lines[1 + 8 + 110 - 8..]
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let mut cells: Vec<&str> = line.split(',').collect();
            if i < 8 {
                cells[1] = "";
            }
            cells.join(",")
        })
        .collect();
    let text = format!("{}\n{}\n", lines[0], rest.join("\n"));
    let new =
        load_csv_for_scoring(text.as_bytes(), &crate::score::load_options(&doc, "date")).unwrap();
    assert_eq!((new.len(), new.history_len()), (10, 8));
    let by_hand = score(&doc, &new).unwrap();
    assert_eq!(Some(&b.folds[0].metrics), by_hand.metrics.as_ref());
    assert_eq!(by_hand.unknown_carry_over, 0);
}
