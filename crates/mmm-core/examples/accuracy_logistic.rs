//! ROI recovery on data from a generator shaped unlike mmm's own simulator.
//!
//! `cargo run --release -p mmm-core --example accuracy_logistic -- [FIRST_SEED] [COUNT]`
//!
//! The generator follows PyMC-Marketing's example data, extended to 5 channels: spend scaled by
//! its maximum, normalised geometric adstock over 8 lags, logistic saturation
//! `(1 − e^{−λx}) / (1 + e^{−λx})`, a common AR(1) and yearly factor that correlates the spends,
//! one flighted channel, contributions of 5-25% of the base level per channel, trend, two
//! seasonal harmonics, a continuous control and an event dummy. Spend level and effect size are
//! drawn independently, so true ROIs differ 10-40x within one data set. The fit uses mmm's
//! default Hill specification, so the saturation family is deliberately wrong. TAU sets the ROI
//! prior spread (0 turns it off), TREND_KNOTS the trend's knots (0 keeps it straight). Figures in
//! docs/benchmarks.md.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use chrono::{Days, NaiveDate};
use mmm_core::dataset::{Channel, ColumnRoles, Control, Dataset, Frequency};
use mmm_core::params::LogisticRate;
use mmm_core::transforms::Saturation;
use mmm_core::{ModelSpec, fit};
use rand::{RngExt, SeedableRng, rngs::StdRng};
use rand_distr::{Distribution, StandardNormal};
use reallocation::TrueCurve;
use std::f64::consts::PI;

#[path = "support/reallocation.rs"]
mod reallocation;

const NAMES: [&str; 5] = ["tv", "search", "social", "display", "radio"];
const PERIODS: usize = 156;
const LAGS: usize = 8;
const LEVEL: f64 = 100_000.0;

/// One simulated data set, each channel's true ROI and its true steady-state curve.
fn generate(seed: u64, noise: f64) -> (Dataset, Vec<f64>, Vec<TrueCurve>) {
    let n = PERIODS;
    let mut rng = StdRng::seed_from_u64(seed);
    let z = |rng: &mut StdRng| -> f64 { StandardNormal.sample(rng) };
    let mut factor = vec![0.0; n];
    let mut ar = 0.0;
    for (t, f) in factor.iter_mut().enumerate() {
        ar = 0.7 * ar + 0.3 * z(&mut rng);
        *f = ar + 0.5 * (2.0 * PI * t as f64 / 52.0).sin();
    }
    let mut channels = Vec::new();
    let mut media = vec![0.0; n];
    let mut roi = Vec::new();
    let mut curves = Vec::new();
    for (c, name) in NAMES.iter().enumerate() {
        let base = rng.random_range(5_000.0..40_000.0);
        let load = rng.random_range(0.2..0.6);
        let mut on = true;
        let spend: Vec<f64> = (0..n)
            .map(|t| {
                if c == 0 {
                    on = if on { !rng.random_bool(0.2) } else { rng.random_bool(0.35) };
                    if !on {
                        return 0.0;
                    }
                }
                let x = base * (1.0 + load * factor[t] + 0.4 * z(&mut rng));
                (x.max(0.0) * 100.0).round() / 100.0
            })
            .collect();
        let max = spend.iter().copied().fold(0.0, f64::max);
        let alpha: f64 = rng.random_range(0.1..0.7);
        let raw: Vec<f64> = (0..=LAGS).map(|l| alpha.powi(l as i32)).collect();
        let total: f64 = raw.iter().sum();
        let weights: Vec<f64> = raw.iter().map(|w| w / total).collect();
        let lambda: f64 = rng.random_range(0.5..3.0);
        let beta = LEVEL * rng.random_range(0.05..0.25);
        let mut contribution = 0.0;
        for t in 0..n {
            let x: f64 = (0..=LAGS.min(t)).map(|l| weights[l] * spend[t - l]).sum::<f64>() / max;
            let e = (-lambda * x).exp();
            let y = beta * (1.0 - e) / (1.0 + e);
            media[t] += y;
            contribution += y;
        }
        roi.push(contribution / spend.iter().sum::<f64>());
        // (1 − e^(−λx)) / (1 + e^(−λx)) is mmm's logistic curve with rate λ.
        let saturation = Saturation::Logistic { rate: LogisticRate::new(lambda).expect("λ") };
        curves.push(TrueCurve { coefficient: beta, scale: max, saturation });
        channels.push(Channel {
            name: (*name).into(),
            column: format!("{name}_spend"),
            spend,
            history: Vec::new(),
            media: None,
        });
    }
    let trend = rng.random_range(0.0..0.3) * LEVEL;
    let season = rng.random_range(0.05..0.15) * LEVEL;
    let phase = rng.random_range(0.0..2.0 * PI);
    let mut control = Vec::with_capacity(n);
    let mut c1 = 0.0;
    for _ in 0..n {
        c1 = 0.8 * c1 + 0.5 * z(&mut rng);
        control.push(c1);
    }
    let event: Vec<f64> = (0..n).map(|_| f64::from(u8::from(rng.random_bool(0.05)))).collect();
    let clean: Vec<f64> = (0..n)
        .map(|t| {
            let w = 2.0 * PI * t as f64 / 52.0;
            LEVEL
                + trend * t as f64 / n as f64
                + season * ((w + phase).sin() + 0.4 * (2.0 * w).cos())
                + 0.03 * LEVEL * control[t]
                + 0.1 * LEVEL * event[t]
                + media[t]
        })
        .collect();
    let mean = clean.iter().sum::<f64>() / n as f64;
    let kpi = clean.iter().map(|v| v + noise * mean * z(&mut rng)).collect();
    let start = NaiveDate::from_ymd_opt(2022, 1, 3).unwrap();
    let dates = (0..n).map(|t| start.checked_add_days(Days::new(7 * t as u64)).unwrap()).collect();
    let roles = ColumnRoles {
        date: "date".into(),
        kpi: "revenue".into(),
        media: channels.iter().map(|c| c.column.clone()).collect(),
        media_units: Vec::new(),
        media_units_of: None,
        controls: vec!["c1".into(), "event".into()],
        ignored: Vec::new(),
    };
    let controls = vec![
        Control { name: "c1".into(), values: control },
        Control { name: "event".into(), values: event },
    ];
    let data = Dataset {
        dates,
        frequency: Frequency::Weekly,
        kpi_name: "revenue".into(),
        kpi,
        channels,
        controls,
        roles,
    };
    (data, roi, curves)
}

fn main() {
    let args: Vec<u64> =
        std::env::args().skip(1).map(|a| a.parse().expect("numeric argument")).collect();
    let first = args.first().copied().unwrap_or(1);
    let count = args.get(1).copied().unwrap_or(24);
    let mut spec = ModelSpec::default();
    if let Ok(tau) = std::env::var("TAU") {
        let tau: f64 = tau.parse().expect("TAU");
        spec.priors.roi_relative_sd = (tau > 0.0).then_some(tau);
    }
    if let Ok(knots) = std::env::var("TREND_KNOTS") {
        spec.trend_knots = knots.parse().expect("TREND_KNOTS");
    }
    let mut errors = Vec::new();
    // Relative errors of the channels whose ROI contraction is at least 0.75.
    let mut identified = Vec::new();
    // Relative errors of the marginal ROI at current spend: the reported one (averaged over the
    // curve shapes), and the MAP point's.
    let mut mroi_errors = Vec::new();
    let mut map_mroi_errors = Vec::new();
    // Reallocations by the model's expected curves, and by the MAP point's curves.
    let (mut decisions, mut map_decisions) = (Vec::new(), Vec::new());
    for seed in first..first + count {
        let noise = [0.03, 0.045, 0.06][(seed % 3) as usize];
        let (data, truth, curves) = generate(seed, noise);
        let doc = fit(&data, &spec, None).expect("fit");
        let mut line = format!("seed {seed} r2 {:.3}:", doc.fit.r2);
        for (c, curve) in doc.channels.iter().zip(&curves) {
            let x = c.current_spend / curve.scale;
            let true_mroi = curve.coefficient * curve.saturation.slope(x) / curve.scale;
            mroi_errors.push((c.mroi - true_mroi).abs() / true_mroi);
            let at_map = c.marginal_roi(c.current_spend);
            map_mroi_errors.push((at_map - true_mroi).abs() / true_mroi);
        }
        decisions.extend(reallocation::reallocation(&doc, &curves));
        let mut point = doc.clone();
        point.posterior = None;
        map_decisions.extend(reallocation::reallocation(&point, &curves));
        for (t, c) in truth.iter().zip(&doc.channels) {
            let error = (c.roi - t).abs() / t;
            errors.push(error);
            if c.roi_contraction.is_some_and(|k| k >= 0.75) {
                identified.push(error);
            }
            line += &format!(" {}={:.2}/{:.2}", c.name, c.roi, t);
        }
        println!("{line}");
    }
    let mean = errors.iter().sum::<f64>() / errors.len() as f64;
    println!("channels {} | mean relative ROI error {:.1}%", errors.len(), 100.0 * mean);
    let mean_of = |v: &[f64]| 100.0 * v.iter().sum::<f64>() / v.len().max(1) as f64;
    println!(
        "mROI at current spend: mean relative error {:.1}% ({:.1}% at the MAP point)",
        mean_of(&mroi_errors),
        mean_of(&map_mroi_errors)
    );
    println!("{}", reallocation::summary(&decisions));
    println!("at the MAP point's curves: {}", reallocation::summary(&map_decisions));
    if !identified.is_empty() {
        println!(
            "ROI contraction >= 0.75: {} channels, mean relative ROI error {:.1}%",
            identified.len(),
            100.0 * identified.iter().sum::<f64>() / identified.len() as f64
        );
    }
}
