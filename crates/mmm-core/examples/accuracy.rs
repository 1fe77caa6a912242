//! ROI recovery against simulated truth over many seeds.
//!
//! `cargo run --release -p mmm-core --example accuracy -- [FIRST_SEED] [COUNT] [WEEKS] [CHANNELS]`
//!
//! For each seed: simulate (noise cycling through 3%, 4.5%, 6%), fit with the default
//! specification, and compare every channel's fitted ROI with the true one. Prints per-seed
//! errors and the summary used in docs/benchmarks.md, with the channels split by the
//! insights' test of an effect too faint beside the noise (`insights::noise_limit`).
//!
//! HISTORY=N simulates N periods of media spend before the data, given to the fit as media
//! history; with DROP_HISTORY=1 the fit is not told it (every adstock starts cold).
//!
//! LIFTS=1 follows the calibration the insights recommend: every channel whose ROI contraction
//! is below 0.5 (or below the value of LIFTS, if it is a number below 1) gets one lift test (its true contribution over the 8 periods with the most spend,
//! measured with a 10% standard error and that much noise), and the model is fitted again.
//! LIFT_SE=plan gives each test instead the standard error the insights ask for
//! (`lift_test_precision_for` the firm-evidence contraction). Either way the example reports the
//! contraction the insights predicted for the tested channels against the one the refit reached.
//!
//! SHARED=X scales the budget cycle every channel shares (`SimConfig::shared_budget`; 1 is the
//! default): larger values correlate the channels' spend more. The example prints the mean
//! correlation of the channels' weekly spend over the pairs.
//!
//! MEDIA_UNITS=1 simulates channels that buy media units at a drifting price
//! (`SimConfig::media_units`), and the fit applies each channel's transforms to its units;
//! with SPEND_ONLY=1 the fit sees only the spend.
//!
//! TREND=concave|sqrt|quad bends the simulated trend: the KPI gains
//! `TREND_AMP · intercept · (f(x) − x)` at `x = t / (n − 1)` (TREND_AMP 0.15 unless given), with
//! `f` PyMC-Marketing's example trend `(50x + 10)^¼` scaled to run from 0 to 1, `√x` or `x²`.
//! TREND_KNOTS=N fits with N trend knots instead of the default (0 keeps the trend straight);
//! the example prints on how many data sets the fitted trend bent.
//!
//! SPIKE=A adds two one-week events a year: the KPI gains `A · intercept` in the week holding
//! 27 November (Black Friday's) and the one holding 24 December (`SimConfig::yearly_events`).
//! SPIKE_CONTROL=1 gives the fit a 0/1 control column marking them. NO_EVENTS=1 fits without
//! the recurring events the fit may find itself (`ModelSpec::recurring_events` off); the
//! example prints on how many data sets the fit found them, and which. NAMED=11-27,12-24 names
//! events to the fit (`ModelSpec::events`, `mmm fit --event`); HOLIDAYS=us (uk, de, fr, ca, au,
//! es, it, nl, br, mx, jp, cn, kr, in, tr, sa, ae, eg, id) gives it that country's holidays to
//! ask about (`ModelSpec::candidate_events`, `mmm fit --holidays`).
//!
//! FREQ=daily simulates daily data (WEEKS is then the number of days; SPIKE's events fall on
//! the days themselves).
//!
//! BLACK_FRIDAY=A adds `A · intercept` to the KPI of the period holding Black Friday (the
//! Friday of 23-29 November), a day whose date moves from year to year.
//!
//! EASTER=A adds `A · intercept` to the KPI of the period holding Easter Sunday (22 March to
//! 25 April; `SimConfig::feasts`); ORTHODOX_EASTER=A, LUNAR_NEW_YEAR=A, EID_AL_FITR=A,
//! EID_AL_ADHA=A, MID_AUTUMN=A, DRAGON_BOAT=A and DIWALI=A the same for the period holding
//! that feast's day.
//!
//! SEASON_AMP=A adds a holiday season: the KPI gains `A · intercept` from 20 November to 25
//! December (in weekly data, the weeks that start then). LIFT=ramadan=A,11-20..12-25=B lifts
//! the KPI by `A · intercept` with each event as `mmm fit --event` writes it, each period by
//! the share of the event it holds (`SimConfig::lifts`). MAX_HARMONICS=N lets the yearly season
//! have up to N harmonics instead of the default (2 keeps the simulator's smooth two); the
//! example prints on how many data sets it gained harmonics.
//!
//! RW=s lets the level wander: a random walk with steps of s times the mean KPI is added to
//! it (`SimConfig::level_walk`: a market whose baseline drifts, as local-level models assume).
//!
//! AR=ρ makes the noise slow, as real markets' is: an AR(1) process with coefficient ρ and the
//! same standard deviation (`SimConfig::noise_autocorrelation`).
//!
//! NOISE=white fits with independent noise only (`ModelSpec::autocorrelated_noise` off); the
//! example prints on how many data sets the fit found the noise autocorrelated.
//!
//! DELAY=θ makes every channel's carry-over peak θ periods after the spend
//! (`SimConfig::adstock_peak`: PyMC-Marketing's delayed adstock, weights `decay^((l − θ)²)`).
//! DELAY_ONLY=tv,radio DELAY_PEAK=θ makes only the named channels' carry-over peak θ periods
//! after the spend (the others stay geometric), with the same true ROIs; DELAY_PEAK=0 keeps
//! them geometric. DELAY_DECAY=d DELAY_LAG=L give them that decay over L periods instead.
//! MAX_LAG=L fits with an adstock window of L periods instead of the default 8.
//!
//! SAT_FIRST=1 saturates each period's spend before the carry-over spreads it (the Hill of the
//! spend, then the geometric adstock: the other order some generators use), with the same true
//! ROIs and steady-state curves.
//!
//! FIT_ADSTOCK=weibull fits the Weibull adstock; FIT_ADSTOCK=geometric the geometric one
//! only (`ModelSpec::delayed_adstock` off). The example prints on how many data sets the fit
//! chose carry-over that peaks late.
//!
//! WRITE=DIR writes each seed's data set (`DIR/seed-N.csv`) and the true and fitted ROIs
//! (`DIR/seed-N.roi.json`), so that other tools can be scored on exactly the same data
//! (`scripts/peers.py`).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use mmm_core::events::Rule;
use mmm_core::insights::{
    FIRM_EVIDENCE, WEAK_EVIDENCE, contraction_after_test, lift_test_precision_for, noise_limit,
};
use mmm_core::metrics::correlation;
use mmm_core::params::{HalfSaturation, HillShape};
use mmm_core::simulate::{SimConfig, Simulation, TrueChannel, simulate};
use mmm_core::spec::LiftTest;
use mmm_core::transforms::Saturation;
use mmm_core::{ModelSpec, fit};
use rand::{SeedableRng, rngs::StdRng};
use reallocation::TrueCurve;

#[path = "support/reallocation.rs"]
mod reallocation;
use rand_distr::{Distribution, StandardNormal};

/// Periods a simulated lift test lasts.
const LIFT_PERIODS: usize = 8;

/// A lift test of `truth`'s channel over the `LIFT_PERIODS` periods with the most spend: its
/// true contribution there, measured with a standard error of `relative_se` of it (and noise of
/// that size).
fn lift_test(
    sim: &Simulation,
    truth: &TrueChannel,
    name: &str,
    seed: u64,
    relative_se: f64,
) -> LiftTest {
    let data = &sim.dataset;
    let channel = data.channels.iter().find(|c| c.name == name).expect("channel");
    let spend = &channel.spend;
    let n = spend.len();
    let first = (0..=n - LIFT_PERIODS)
        .max_by(|&a, &b| {
            let sum = |s: usize| spend[s..s + LIFT_PERIODS].iter().sum::<f64>();
            sum(a).total_cmp(&sum(b))
        })
        .unwrap_or(0);
    let contribution: f64 = truth.contributions(channel)[first..first + LIFT_PERIODS].iter().sum();
    let mut rng = StdRng::seed_from_u64(seed ^ 0x11f7);
    let z: f64 = StandardNormal.sample(&mut rng);
    LiftTest {
        channel: name.to_owned(),
        start: data.dates[first],
        end: data.dates[first + LIFT_PERIODS - 1],
        incremental: contribution * (1.0 + relative_se * z),
        standard_error: relative_se * contribution,
    }
}
use std::time::Instant;

fn main() {
    let args: Vec<u64> =
        std::env::args().skip(1).map(|a| a.parse().expect("numeric argument")).collect();
    let first = args.first().copied().unwrap_or(1000);
    let count = args.get(1).copied().unwrap_or(20);
    let weeks = args.get(2).copied().unwrap_or(156) as usize;
    let channels = args.get(3).copied().unwrap_or(5) as usize;
    let mut spec = ModelSpec::default();
    // Experiment knobs: TAU (ROI prior spread; 0 turns it off) and STARTS.
    if let Ok(tau) = std::env::var("TAU") {
        let tau: f64 = tau.parse().expect("TAU");
        spec.priors.roi_relative_sd = (tau > 0.0).then_some(tau);
    }
    let knob = |name: &str| std::env::var(name).ok().map(|v| v.parse::<f64>().expect(name));
    if let Some(v) = knob("KSD") {
        spec.priors.log_half_saturation_sd = v;
    }
    if let Some(v) = knob("SSD") {
        spec.priors.log_shape_sd = v;
    }
    if let Some(v) = knob("SMED") {
        spec.priors.shape_median = v;
    }
    if let Some(v) = knob("CENTRE") {
        spec.priors.roi_median = Some(v);
    }
    if let Some(v) = knob("DECAYB") {
        spec.priors.decay_beta = v;
    }
    if let Ok(starts) = std::env::var("STARTS") {
        spec.starts = starts.parse().expect("STARTS");
    }
    // PROFILE=demo simulates data shaped like the Meridian demo set.
    let profile = match std::env::var("PROFILE").as_deref() {
        Ok("demo") => mmm_core::simulate::Profile::MeridianDemo,
        _ => mmm_core::simulate::Profile::Mixed,
    };
    // FREQ=daily simulates days instead of weeks (WEEKS is then the number of days).
    let frequency = match std::env::var("FREQ").as_deref() {
        Ok("daily") => mmm_core::dataset::Frequency::Daily,
        _ => mmm_core::dataset::Frequency::Weekly,
    };
    let mut errors = Vec::new();
    let mut worst_ratio: f64 = 1.0;
    // |ln(fitted / true)| of every channel with a positive fitted ROI, and how many are off by
    // more than 2x (a fitted ROI of 0 counts).
    let mut log_errors = Vec::new();
    let mut off_2x = 0usize;
    let mut seconds = 0.0;
    let mut by_channel: std::collections::BTreeMap<String, (f64, f64, usize)> = Default::default();
    // (contraction, relative error, interval covers the truth) of every channel.
    let mut evidence: Vec<(f64, f64, bool)> = Vec::new();
    // (too faint beside the noise, relative error, off by more than 2x) of every channel: faint
    // when even the best case the noise allows leaves its contraction under FIRM_EVIDENCE.
    let mut faintness: Vec<(bool, f64, bool, String)> = Vec::new();
    // Whether each channel's marginal ROI interval covers the true marginal ROI.
    let mut mroi_covered: Vec<bool> = Vec::new();
    // Relative and |ln ratio| errors of each channel's marginal ROI at its current spend, as
    // reported (averaged over the curve shapes) and at the MAP point.
    let mut mroi_errors: Vec<(f64, f64)> = Vec::new();
    let mut map_mroi_errors: Vec<(f64, f64)> = Vec::new();
    // Budget reallocation at ±50% per channel, judged by the true curves: by the model's
    // expected curves, and by the MAP point's.
    let (mut decisions, mut map_decisions) = (Vec::new(), Vec::new());
    // (predicted, actual) contraction of each channel that got a lift test.
    let mut forecasts: Vec<(f64, f64)> = Vec::new();
    // Correlation of every pair of channels' spend, over every seed.
    let mut correlations: Vec<f64> = Vec::new();
    // Fits whose trend bends (the data asked for it).
    let mut bent = 0;
    // Fits whose carry-over peaks late (the data asked for the Weibull adstock).
    let mut delayed = 0;
    // The weeks each fit's insights named as recurring events, where they named any.
    let mut events: Vec<usize> = Vec::new();
    // The recurring events each fit took into its baseline, where it took any.
    let mut fitted_events: Vec<String> = Vec::new();
    // Fits whose yearly season gained harmonics.
    let mut finer = 0;
    // The noise autocorrelation of each fit that found its noise autocorrelated.
    let mut autocorrelated: Vec<f64> = Vec::new();
    // The autocorrelated share of those whose slow part sits beside independent noise.
    let mut shares: Vec<f64> = Vec::new();
    for seed in first..first + count {
        let noise = [0.03, 0.045, 0.06][(seed % 3) as usize];
        let mut sim = simulate(
            &SimConfig {
                periods: weeks,
                channels,
                seed,
                noise,
                profile,
                history: knob("HISTORY").unwrap_or(0.0) as usize,
                media_units: std::env::var("MEDIA_UNITS").is_ok(),
                shared_budget: knob("SHARED").unwrap_or(1.0),
                noise_autocorrelation: knob("AR").unwrap_or(0.0),
                adstock_peak: knob("DELAY").unwrap_or(0.0),
                level_walk: knob("RW").unwrap_or(0.0),
                yearly_events: knob("SPIKE").unwrap_or(0.0),
                feasts: mmm_core::events::Feast::ALL
                    .into_iter()
                    .filter_map(|feast| {
                        let name = serde_json::to_value(feast).ok()?;
                        Some((feast, knob(&name.as_str()?.to_uppercase())?))
                    })
                    .collect(),
                lifts: std::env::var("LIFT")
                    .map(|lifts| {
                        let lift = |l: &str| {
                            let (rule, lift) = l.rsplit_once('=')?;
                            Some((rule.parse().ok()?, lift.parse().ok()?))
                        };
                        lifts.split(',').map(|l| lift(l).expect("LIFT")).collect()
                    })
                    .unwrap_or_default(),
                ..SimConfig::default()
            }
            .with_frequency(frequency),
        );
        let spends: Vec<&[f64]> = sim.dataset.channels.iter().map(|c| &c.spend[..]).collect();
        for (i, x) in spends.iter().enumerate() {
            correlations.extend(spends[i + 1..].iter().filter_map(|y| correlation(x, y)));
        }
        if std::env::var("SPEND_ONLY").is_ok() {
            // The channels bought media units, but the fit sees only what they cost.
            sim.dataset.channels.iter_mut().for_each(|c| c.media = None);
        }
        // TREND bends the simulated trend (see the header).
        if let Ok(shape) = std::env::var("TREND") {
            let n = sim.dataset.kpi.len();
            let amp = knob("TREND_AMP").unwrap_or(0.15) * sim.truth.baseline.intercept;
            let f = |x: f64| match shape.as_str() {
                "concave" => {
                    ((50.0 * x + 10.0).powf(0.25) - 10f64.powf(0.25))
                        / (60f64.powf(0.25) - 10f64.powf(0.25))
                }
                "sqrt" => x.sqrt(),
                "quad" => x * x,
                _ => x,
            };
            for (t, v) in sim.dataset.kpi.iter_mut().enumerate() {
                let x = t as f64 / (n - 1) as f64;
                *v += amp * (f(x) - x);
            }
        }
        // SPIKE_CONTROL=1 gives the fit SPIKE's weeks as a 0/1 control, as the insight asks.
        if knob("SPIKE").is_some() && std::env::var("SPIKE_CONTROL").is_ok() {
            let days = if frequency == mmm_core::dataset::Frequency::Daily { 1 } else { 7 };
            let values = sim
                .dataset
                .dates
                .iter()
                .map(|d| {
                    let held = mmm_core::simulate::EVENT_DATES
                        .iter()
                        .any(|&(month, day)| mmm_core::events::holds(*d, days, month, day));
                    f64::from(u8::from(held))
                })
                .collect();
            sim.dataset.roles.controls.push("events".to_owned());
            sim.dataset
                .controls
                .push(mmm_core::dataset::Control { name: "events".to_owned(), values });
        }
        // SEASON_AMP adds a holiday season (see the header).
        if let Some(amp) = knob("SEASON_AMP") {
            use chrono::Datelike;
            let lift = amp * sim.truth.baseline.intercept;
            for (v, d) in sim.dataset.kpi.iter_mut().zip(&sim.dataset.dates) {
                if d.month() == 12 && d.day() <= 25 || d.month() == 11 && d.day() >= 20 {
                    *v += lift;
                }
            }
        }
        // BLACK_FRIDAY adds Black Friday (see the header).
        if let Some(amp) = knob("BLACK_FRIDAY") {
            let days = if frequency == mmm_core::dataset::Frequency::Daily { 1 } else { 7 };
            let rule = Rule { weekday: Some(chrono::Weekday::Fri), ..Rule::date(11, 23) };
            let lift = amp * sim.truth.baseline.intercept;
            for (v, d) in sim.dataset.kpi.iter_mut().zip(&sim.dataset.dates) {
                if rule.held_by(*d, days) {
                    *v += lift;
                }
            }
        }
        // DELAY_ONLY=a,b: only these channels' carry-over peaks DELAY periods late (see the header).
        if let (Ok(only), Some(peak)) = (std::env::var("DELAY_ONLY"), knob("DELAY_PEAK")) {
            let names: Vec<&str> = only.split(',').collect();
            for (t, c) in sim.truth.channels.iter_mut().zip(&sim.dataset.channels) {
                if !names.contains(&t.name.as_str()) {
                    continue;
                }
                let before = t.contributions(c);
                t.peak = peak;
                if let (Some(decay), Some(lag)) = (knob("DELAY_DECAY"), knob("DELAY_LAG")) {
                    (t.decay, t.max_lag) = (decay, lag as usize);
                }
                let shape = t.contributions(c);
                // The same true ROI: the coefficient takes the change of the feature's sum.
                let scale = before.iter().sum::<f64>() / shape.iter().sum::<f64>();
                t.coefficient *= scale;
                for (v, (a, b)) in sim.dataset.kpi.iter_mut().zip(shape.iter().zip(&before)) {
                    *v += a * scale - b;
                }
            }
        }
        // SAT_FIRST=1 saturates each period's spend before carrying it over (see the header).
        if std::env::var("SAT_FIRST").is_ok() {
            for (t, c) in sim.truth.channels.iter_mut().zip(&sim.dataset.channels) {
                let before = t.contributions(c);
                let total: f64 = (0..=t.max_lag).map(|l| t.decay.powi(l as i32)).sum();
                let input: Vec<f64> = c.history.iter().chain(&c.spend).copied().collect();
                let saturated: Vec<f64> = input
                    .iter()
                    .map(|v| {
                        let x = v / t.scale;
                        if x > 0.0 {
                            1.0 / (1.0 + (t.half_saturation / x).powf(t.shape))
                        } else {
                            0.0
                        }
                    })
                    .collect();
                let feature: Vec<f64> = (0..input.len())
                    .map(|i| {
                        (0..=t.max_lag.min(i))
                            .map(|l| t.decay.powi(l as i32) / total * saturated[i - l])
                            .sum()
                    })
                    .skip(c.history.len())
                    .collect();
                t.coefficient = t.roi * t.spend / feature.iter().sum::<f64>();
                for (v, (f, b)) in sim.dataset.kpi.iter_mut().zip(feature.iter().zip(&before)) {
                    *v += t.coefficient * f - b;
                }
            }
        }
        match std::env::var("FIT_ADSTOCK").as_deref() {
            Ok("weibull") => spec.adstock = mmm_core::spec::AdstockKind::Weibull,
            Ok("geometric") => spec.delayed_adstock = false,
            _ => {}
        }
        if std::env::var("NO_EVENTS").is_ok() {
            spec.recurring_events = false;
        }
        if let Ok(named) = std::env::var("NAMED") {
            spec.events = named.split(',').map(|e| e.parse().expect("NAMED")).collect();
        }
        if let Ok(country) = std::env::var("HOLIDAYS") {
            let holidays = mmm_core::events::Holidays::from_code(&country).expect("HOLIDAYS");
            spec.candidate_events = holidays.rules();
        }
        if std::env::var("DROP_HISTORY").is_ok() {
            // The market ran before the data, but the fit is not told what was spent then.
            sim.dataset.channels.iter_mut().for_each(|c| c.history.clear());
        }
        let mut spec = spec.clone();
        if let Some(k) = knob("MAX_LAG") {
            spec.max_lag = k as usize;
        }
        if let Some(k) = knob("MAX_HARMONICS") {
            spec.max_yearly_harmonics = k as usize;
        }
        if std::env::var("NOISE").is_ok_and(|v| v == "white") {
            spec.autocorrelated_noise = false;
        }
        if let Some(k) = knob("TREND_KNOTS") {
            spec.trend_knots = k as usize;
        }
        // ORACLE=1 centres each channel's transform priors on its true decay, half-saturation
        // and shape (SSD and KSD narrow them): what the ROI would be if the curve shapes were
        // known.
        if std::env::var("ORACLE").is_ok() {
            for t in &sim.truth.channels {
                spec.priors.channel_transforms.insert(
                    t.name.clone(),
                    mmm_core::spec::ChannelPriors {
                        decay_mean: Some(t.decay),
                        half_saturation: Some(t.half_saturation),
                        shape: Some(t.shape),
                    },
                );
            }
        }
        // ORACLE_CENTRE=1 centres the ROI prior on the geometric mean of the true ROIs.
        if std::env::var("ORACLE_CENTRE").is_ok() {
            let n = sim.truth.channels.len() as f64;
            let log_mean = sim.truth.channels.iter().map(|t| t.roi.ln()).sum::<f64>() / n;
            spec.priors.roi_median = Some(log_mean.exp());
        }
        let start = Instant::now();
        let mut doc = fit(&sim.dataset, &spec, None).expect("fit");
        if doc.spec.adstock == mmm_core::spec::AdstockKind::Weibull {
            delayed += 1;
        }
        if let Some(e) = &doc.baseline.events {
            let dates: Vec<String> = e
                .dates
                .iter()
                .map(|d| {
                    let effect = d.coefficient / doc.baseline.intercept;
                    format!("{} {effect:+.2}", d.rule())
                })
                .collect();
            fitted_events.push(dates.join(" "));
        }
        let said = mmm_core::insights::insights(&doc);
        if let Some(i) =
            said.iter().find(|i| i.kind == mmm_core::insights::InsightKind::RecurringEvent)
        {
            events.push(i.numbers.len());
        }
        if !doc.baseline.trend_knots.is_empty() {
            bent += 1;
        }
        if doc.baseline.yearly_harmonics() > spec.yearly_harmonics {
            finer += 1;
        }
        autocorrelated.extend(doc.fit.noise_autocorrelation);
        shares.extend(doc.fit.noise_autocorrelated_share);
        seconds += start.elapsed().as_secs_f64();
        if let Some(lift_below) = std::env::var("LIFTS")
            .ok()
            .map(|v| v.parse::<f64>().ok().filter(|k| *k < 1.0).unwrap_or(WEAK_EVIDENCE))
        {
            // The test's relative standard error: 10%, or with LIFT_SE=plan the largest one the
            // insights say would bring the channel's contraction to FIRM_EVIDENCE.
            let plan = std::env::var("LIFT_SE").is_ok_and(|v| v == "plan");
            let relative_se = |c: &mmm_core::ChannelResult| {
                if plan { lift_test_precision_for(c, FIRM_EVIDENCE).unwrap_or(0.1) } else { 0.1 }
            };
            let tested: Vec<(&mmm_core::ChannelResult, &TrueChannel)> = doc
                .channels
                .iter()
                .zip(&sim.truth.channels)
                .filter(|(c, _)| c.roi_contraction.is_some_and(|k| k < lift_below))
                .collect();
            let lifts: Vec<LiftTest> = tested
                .iter()
                .map(|(c, t)| lift_test(&sim, t, &c.name, seed, relative_se(c)))
                .collect();
            if !lifts.is_empty() {
                // What the insights predict for each tested channel's contraction, before the
                // test is run.
                let predicted: Vec<(String, f64)> = tested
                    .iter()
                    .filter_map(|(c, _)| {
                        Some((c.name.clone(), contraction_after_test(c, relative_se(c))?))
                    })
                    .collect();
                let calibrated = ModelSpec { lift_tests: lifts, ..spec.clone() };
                doc = fit(&sim.dataset, &calibrated, None).expect("calibrated fit");
                for (name, p) in predicted {
                    let c = doc.channels.iter().find(|c| c.name == name).expect("channel");
                    if let Some(k) = c.roi_contraction {
                        forecasts.push((p, k));
                    }
                }
            }
        }
        if let Ok(dir) = std::env::var("WRITE") {
            let roi: Vec<serde_json::Value> = sim
                .truth
                .channels
                .iter()
                .zip(&doc.channels)
                .map(|(t, c)| {
                    serde_json::json!({"name": t.name, "true_roi": t.roi, "mmm_roi": c.roi,
                        "mmm_roi_interval": c.roi_interval})
                })
                .collect();
            let roi = serde_json::json!({"seed": seed, "noise": noise, "channels": roi});
            for (path, text) in [
                (format!("{dir}/seed-{seed}.csv"), sim.dataset.to_csv()),
                (format!("{dir}/seed-{seed}.roi.json"), roi.to_string()),
            ] {
                std::fs::write(&path, text).unwrap_or_else(|e| panic!("WRITE: {path}: {e}"));
            }
        }
        let truth: Vec<TrueCurve> = sim
            .truth
            .channels
            .iter()
            .map(|t| TrueCurve {
                coefficient: t.coefficient,
                scale: t.scale,
                saturation: Saturation::Hill {
                    half_saturation: HalfSaturation::new(t.half_saturation).expect("K"),
                    shape: HillShape::new(t.shape).expect("S"),
                },
            })
            .collect();
        decisions.extend(reallocation::reallocation(&doc, &truth));
        let mut point = doc.clone();
        point.posterior = None;
        map_decisions.extend(reallocation::reallocation(&point, &truth));
        let mut line = format!("seed {seed} noise {noise:.3} r2 {:.3}:", doc.fit.r2);
        let mut seed_err = 0.0;
        for (t, c) in sim.truth.channels.iter().zip(&doc.channels) {
            let rel = (c.roi - t.roi).abs() / t.roi;
            let ratio = (c.roi / t.roi).max(t.roi / c.roi.max(1e-12));
            worst_ratio = worst_ratio.max(ratio);
            off_2x += usize::from(ratio > 2.0);
            if c.roi > 0.0 {
                log_errors.push((c.roi / t.roi).ln().abs());
            }
            seed_err += rel;
            errors.push(rel);
            if let (Some(k), Some([lo, hi])) = (c.roi_contraction, c.roi_interval) {
                evidence.push((k, rel, (lo..=hi).contains(&t.roi)));
            }
            let faint = noise_limit(&doc, c).is_some_and(|l| l.contraction < FIRM_EVIDENCE);
            faintness.push((faint, rel, ratio > 2.0, t.name.clone()));
            // True marginal ROI at the same current spend: the derivative of the true curve.
            let true_mroi = {
                let x = c.current_spend / t.scale;
                let (k, s) = (t.half_saturation, t.shape);
                let slope = s * x.powf(s - 1.0) * k.powf(s) / (x.powf(s) + k.powf(s)).powi(2);
                t.coefficient * slope / t.scale
            };
            if true_mroi > 0.0 {
                let error = |m: f64| {
                    ((m - true_mroi).abs() / true_mroi, (m.max(1e-12) / true_mroi).ln().abs())
                };
                mroi_errors.push(error(c.mroi));
                map_mroi_errors.push(error(c.marginal_roi(c.current_spend)));
            }
            if let Some([lo, hi]) = c.mroi_interval {
                mroi_covered.push((lo..=hi).contains(&true_mroi));
            }
            let e = by_channel.entry(t.name.clone()).or_default();
            e.0 += rel;
            e.1 += (c.roi - t.roi) / t.roi;
            e.2 += 1;
            line += &format!(" {}={:.2}/{:.2}", t.name, c.roi, t.roi);
        }
        let true_pooled: f64 = sim.truth.channels.iter().map(|c| c.contribution).sum::<f64>()
            / sim.truth.channels.iter().map(|c| c.spend).sum::<f64>();
        let fit_pooled: f64 = doc.channels.iter().map(|c| c.contribution).sum::<f64>()
            / doc.channels.iter().map(|c| c.spend).sum::<f64>();
        line += &format!(" pooled {fit_pooled:.2}/{true_pooled:.2}");
        println!("{line}  mean err {:.1}%", 100.0 * seed_err / sim.truth.channels.len() as f64);
    }
    for (name, (abs, signed, k)) in &by_channel {
        println!(
            "  {name}: mean |err| {:.1}%, mean signed err {:+.1}%",
            100.0 * abs / *k as f64,
            100.0 * signed / *k as f64
        );
    }
    for (lo, hi) in [(0.0, 0.25), (0.25, 0.5), (0.5, 0.75), (0.75, 1.01), (0.5, 1.01)] {
        let group: Vec<_> = evidence.iter().filter(|e| e.0 >= lo && e.0 < hi).collect();
        if group.is_empty() {
            continue;
        }
        let n = group.len() as f64;
        println!(
            "  ROI contraction {lo:.2}-{:.2}: {} channels, mean |err| {:.1}%, worst {:.0}%, 90% interval covers {:.0}%",
            hi.min(1.0),
            group.len(),
            100.0 * group.iter().map(|e| e.1).sum::<f64>() / n,
            100.0 * group.iter().map(|e| e.1).fold(0.0, f64::max),
            100.0 * group.iter().filter(|e| e.2).count() as f64 / n
        );
    }
    for (faint, label) in [(true, "too faint beside the noise"), (false, "the others")] {
        let group: Vec<_> = faintness.iter().filter(|f| f.0 == faint).collect();
        if !group.is_empty() {
            let mut off: std::collections::BTreeMap<&str, usize> = Default::default();
            for f in group.iter().filter(|f| f.2) {
                *off.entry(f.3.as_str()).or_default() += 1;
            }
            let names: Vec<String> = off.iter().map(|(n, k)| format!("{n} {k}")).collect();
            println!(
                "  {label} (insights::noise_limit): {} channels, mean |err| {:.1}%, off by >2x {} ({})",
                group.len(),
                100.0 * group.iter().map(|f| f.1).sum::<f64>() / group.len() as f64,
                off.values().sum::<usize>(),
                names.join(", ")
            );
        }
    }
    if !evidence.is_empty() {
        let n = evidence.len() as f64;
        println!(
            "  approximate 90% ROI intervals cover the truth for {:.0}% of {} channels",
            100.0 * evidence.iter().filter(|e| e.2).count() as f64 / n,
            evidence.len()
        );
    }
    if !mroi_covered.is_empty() {
        println!(
            "  approximate 90% mROI intervals cover the truth for {:.0}% of {} channels",
            100.0 * mroi_covered.iter().filter(|c| **c).count() as f64 / mroi_covered.len() as f64,
            mroi_covered.len()
        );
    }
    for (label, errors) in [("", &mroi_errors), (" (MAP point)", &map_mroi_errors)] {
        if errors.is_empty() {
            continue;
        }
        let n = errors.len() as f64;
        println!(
            "  mROI at current spend{label}: mean relative error {:.1}%, mean |ln ratio| {:.3}, off by >2x {}",
            100.0 * errors.iter().map(|e| e.0).sum::<f64>() / n,
            errors.iter().map(|e| e.1).sum::<f64>() / n,
            errors.iter().filter(|e| e.1 > 2f64.ln()).count()
        );
    }
    if !decisions.is_empty() {
        println!("  {}", reallocation::summary(&decisions));
        println!("  at the MAP point's curves: {}", reallocation::summary(&map_decisions));
    }
    if !forecasts.is_empty() {
        let n = forecasts.len() as f64;
        println!(
            "  lift-tested channels: contraction predicted {:.2}, reached {:.2} on average (mean |difference| {:.2})",
            forecasts.iter().map(|f| f.0).sum::<f64>() / n,
            forecasts.iter().map(|f| f.1).sum::<f64>() / n,
            forecasts.iter().map(|f| (f.0 - f.1).abs()).sum::<f64>() / n
        );
    }
    println!(
        "  channels' spend: mean pairwise correlation {:.2}",
        correlations.iter().sum::<f64>() / correlations.len().max(1) as f64
    );
    println!("  fits whose trend bends: {bent} of {count}; whose season gained harmonics: {finer}");
    println!("  fits whose carry-over may peak late (Weibull adstock): {delayed} of {count}");
    println!(
        "  fits whose insights name recurring event weeks: {} of {count} ({} weeks)",
        events.len(),
        events.iter().sum::<usize>()
    );
    println!(
        "  fits with recurring events in their baseline: {} of {count} ({} events: {})",
        fitted_events.len(),
        fitted_events
            .iter()
            .flat_map(|e| e.split(' '))
            .filter(|t| t.starts_with(['+', '-']))
            .count(),
        fitted_events.join("; ")
    );
    let mean_rho = autocorrelated.iter().sum::<f64>() / autocorrelated.len().max(1) as f64;
    println!(
        "  fits whose noise is autocorrelated: {} of {count}{}",
        autocorrelated.len(),
        if autocorrelated.is_empty() { String::new() } else { format!(" (mean ρ {mean_rho:.2})") }
    );
    if !shares.is_empty() {
        let mean_share = shares.iter().sum::<f64>() / shares.len() as f64;
        println!(
            "  of them with a slow part beside independent noise: {} (mean share {mean_share:.2})",
            shares.len()
        );
    }
    errors.sort_by(f64::total_cmp);
    let mean = errors.iter().sum::<f64>() / errors.len() as f64;
    let median = errors[errors.len() / 2];
    let log_error = log_errors.iter().sum::<f64>() / log_errors.len().max(1) as f64;
    println!(
        "channels {} | mean relative ROI error {:.1}% | median {:.1}% | mean |ln ratio| {log_error:.3} | off by >2x {off_2x} | worst ratio {:.2}x | mean fit time {:.0} ms",
        errors.len(),
        100.0 * mean,
        100.0 * median,
        worst_ratio,
        1000.0 * seconds / count as f64
    );
}
