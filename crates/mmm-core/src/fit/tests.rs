use super::*;
use crate::dataset::Frequency;
use crate::document::{DocumentError, Method};
use crate::events::{Feast, Rule};
use crate::simulate::{SimConfig, simulate};
use chrono::NaiveDate;
use std::sync::Mutex;

fn sim(seed: u64, noise: f64) -> crate::simulate::Simulation {
    simulate(&SimConfig { seed, noise, ..SimConfig::default() })
}

/// Analytic gradient of the profiled objective against central finite differences.
fn check_gradient(spec: &ModelSpec, with_roi_prior: bool) {
    check_gradient_on(&sim(3, 0.04).dataset, spec, with_roi_prior);
}

pub(super) fn check_gradient_on(data: &Dataset, spec: &ModelSpec, with_roi_prior: bool) {
    let mut problem = Problem::new(data, spec).unwrap();
    if with_roi_prior {
        let u = problem.starts(1, 0).remove(0);
        problem.calibrate(&u, Some(0.5));
        assert!(problem.roi_prior.is_some());
        assert_eq!(problem.active_lifts().len(), spec.lift_tests.len());
    }
    check_gradient_at(&problem);
}

/// The objective's analytic gradient at random points against central finite differences.
fn check_gradient_at(problem: &Problem) {
    let mut rng = StdRng::seed_from_u64(11);
    for _ in 0..5 {
        let u = DVector::from_fn(problem.dim(), |_, _| rng.random_range(-1.5..1.5));
        let e = problem.evaluate(&u, true);
        for i in 0..u.len() {
            let h = 1e-5;
            let mut up = u.clone();
            let mut dn = u.clone();
            up[i] += h;
            dn[i] -= h;
            let fd = (problem.evaluate(&up, false).objective
                - problem.evaluate(&dn, false).objective)
                / (2.0 * h);
            // Central differences agree to about 1e-8 here; 1e-6 leaves room, and is tight
            // enough to catch a term the envelope theorem needs (the ridge omission was 4e-4).
            let tol = 1e-6 * (1.0 + fd.abs());
            assert!(
                (fd - e.gradient[i]).abs() < tol,
                "param {i}: finite difference {fd} vs analytic {}",
                e.gradient[i]
            );
        }
    }
}

#[test]
fn gradient_matches_finite_differences_geometric_hill() {
    check_gradient(&ModelSpec::default(), false);
    check_gradient(&ModelSpec::default(), true);
    // With baseline and noise priors, and a channel's own transform priors.
    let mut spec = ModelSpec::default();
    spec.priors.baseline_sd = Some(0.02);
    spec.priors.noise = Some(crate::spec::NoisePrior { sd: 0.05, strength: 20.0 });
    spec.priors.channel_transforms.insert(
        "tv".into(),
        crate::spec::ChannelPriors {
            decay_mean: Some(0.7),
            half_saturation: Some(2.0),
            shape: Some(2.5),
        },
    );
    check_gradient(&spec, true);
    // With autocorrelated noise, the data whitened.
    let mut problem = Problem::new(&sim(3, 0.04).dataset, &spec).unwrap();
    let u = problem.starts(1, 0).remove(0);
    problem.calibrate(&u, Some(0.5));
    problem.set_noise(super::noise::Noise::new(0.6, 1.0));
    check_gradient_at(&problem);
    // With a slow part beside independent noise (Kalman whitening).
    problem.set_noise(super::noise::Noise::new(0.9, 0.5));
    check_gradient_at(&problem);
    // With a lift test, which enters once σ₀ is known.
    let data = sim(3, 0.04).dataset;
    let spec = ModelSpec {
        lift_tests: vec![crate::spec::LiftTest {
            channel: "search".into(),
            start: data.dates[40],
            end: data.dates[60],
            incremental: 300_000.0,
            standard_error: 30_000.0,
        }],
        ..ModelSpec::default()
    };
    check_gradient(&spec, true);
}

#[test]
fn gradient_matches_finite_differences_weibull_hill() {
    // Random points here include large media coefficients (tiny features), where the linear
    // step's stabilising ridge matters: the objective must count it for the gradient to hold.
    let spec = ModelSpec { adstock: AdstockKind::Weibull, ..ModelSpec::default() };
    check_gradient(&spec, false);
    check_gradient(&spec, true);
}

#[test]
fn gradient_matches_finite_differences_weibull_logistic() {
    let spec = ModelSpec {
        adstock: AdstockKind::Weibull,
        saturation: SaturationKind::Logistic,
        ..ModelSpec::default()
    };
    check_gradient(&spec, false);
    check_gradient(&spec, true);
}

#[test]
fn recovers_truth_on_clean_flighted_data() {
    // Low noise and channels with dark periods: the data identify each effect well, so the
    // fit must find the truth closely.
    let mut s = simulate(&SimConfig { seed: 42, noise: 0.01, channels: 1, ..SimConfig::default() });
    assert_eq!(s.truth.channels[0].name, "tv");
    let doc = fit(&s.dataset, &ModelSpec::default(), None).unwrap();
    let t = &s.truth.channels[0];
    let c = &doc.channels[0];
    assert!((c.roi - t.roi).abs() / t.roi < 0.05, "roi {} vs {}", c.roi, t.roi);
    assert!(doc.fit.r2 > 0.9, "r2 {}", doc.fit.r2);
    // Same for the first three archetypes at 1% noise.
    s = simulate(&SimConfig { seed: 42, noise: 0.01, channels: 3, ..SimConfig::default() });
    let doc = fit(&s.dataset, &ModelSpec::default(), None).unwrap();
    for (t, c) in s.truth.channels.iter().zip(&doc.channels) {
        // Always-on social never shows zero spend, so its ROI rests on extrapolating the curve
        // to zero and is the least certain (measured 25% off at 1% noise).
        let tolerance = if t.name == "social" { 0.35 } else { 0.1 };
        assert!(
            (c.roi - t.roi).abs() / t.roi < tolerance,
            "{}: roi {} vs {}",
            t.name,
            c.roi,
            t.roi
        );
    }
}

#[test]
fn recent_levels_are_a_quarter_of_any_frequency() {
    use crate::document::recent_mean;
    let values: Vec<f64> = (1..=100).map(f64::from).collect();
    // The last 13 weeks are 88..=100, the last 3 months 98..=100, the last 91 days 10..=100.
    assert_eq!(recent_mean(&values, Frequency::Weekly), Some(94.0));
    assert_eq!(recent_mean(&values, Frequency::Monthly), Some(99.0));
    assert_eq!(recent_mean(&values, Frequency::Daily), Some(55.0));
    // Fewer periods than a quarter: all of them.
    assert_eq!(recent_mean(&values[..60], Frequency::Daily), Some(30.5));
    assert_eq!(recent_mean(&[], Frequency::Weekly), None);
}

#[test]
fn fits_monthly_data() {
    // Five years of months: the yearly seasonality has a 12-period cycle, and the simulated
    // market's adstock and saturation act per month.
    let s = simulate(&SimConfig {
        seed: 42,
        noise: 0.01,
        channels: 3,
        periods: 60,
        frequency: Frequency::Monthly,
        start: NaiveDate::from_ymd_opt(2020, 1, 31).unwrap(),
        ..SimConfig::default()
    });
    assert_eq!(s.dataset.dates[1].to_string(), "2020-02-29");
    let doc = fit(&s.dataset, &ModelSpec::default(), None).unwrap();
    assert_eq!(doc.frequency, Frequency::Monthly);
    assert_eq!(doc.end.to_string(), "2024-12-31");
    assert!(doc.fit.r2 > 0.95, "r2 {}", doc.fit.r2);
    // Current spend is the mean of the last quarter: three months.
    for (c, data) in doc.channels.iter().zip(&s.dataset.channels) {
        let last_three = data.spend[57..].iter().sum::<f64>() / 3.0;
        assert!((c.current_spend - last_three).abs() < 1e-9 * last_three, "{}", c.name);
    }
    // Measured: TV 13% high, search 3% low, always-on social 24% high.
    for (t, c) in s.truth.channels.iter().zip(&doc.channels) {
        let error = (c.roi - t.roi).abs() / t.roi;
        assert!(error < 0.3, "{}: roi {} vs {}", t.name, c.roi, t.roi);
    }
    // Plans go on month by month, and the insights speak of months.
    let request = crate::plan::PlanRequest {
        periods: 3,
        total_budget: 3.0 * doc.channels.iter().map(|c| c.current_spend).sum::<f64>(),
        period_cap: None,
        constraints: Default::default(),
    };
    let plan = crate::plan::plan(&doc, &request).unwrap();
    let dates: Vec<String> = plan.periods.iter().map(|p| p.date.to_string()).collect();
    assert_eq!(dates, ["2025-01-31", "2025-02-28", "2025-03-31"]);
    let insights = crate::insights::insights(&doc);
    assert!(insights.iter().any(|i| i.message.contains(" per month")), "{insights:?}");
    assert!(!insights.iter().any(|i| i.message.contains("week")), "{insights:?}");

    // A lift test names its months by any of their days: here the first, where the data name
    // them by the last. Social over months 40-45 (May to October 2023), measured 30% above
    // what the data alone give it, moves the fitted window to the measurement.
    let c = 2;
    let fitted: f64 = doc.series.channels[c].contribution[40..=45].iter().sum();
    let lift = crate::spec::LiftTest {
        channel: "social".into(),
        start: NaiveDate::from_ymd_opt(2023, 5, 1).unwrap(),
        end: NaiveDate::from_ymd_opt(2023, 10, 1).unwrap(),
        incremental: 1.3 * fitted,
        standard_error: 0.03 * fitted,
    };
    let spec = ModelSpec { lift_tests: vec![lift.clone()], ..ModelSpec::default() };
    let calibrated = fit(&s.dataset, &spec, None).unwrap();
    let window: f64 = calibrated.series.channels[c].contribution[40..=45].iter().sum();
    assert!((window / fitted - 1.3).abs() < 0.1, "{window} against {fitted} before");
    // A month outside the data is not a period of it.
    let early =
        crate::spec::LiftTest { start: NaiveDate::from_ymd_opt(2019, 12, 31).unwrap(), ..lift };
    let spec = ModelSpec { lift_tests: vec![early], ..ModelSpec::default() };
    match fit(&s.dataset, &spec, None) {
        Err(FitError::InvalidSpec(why)) => assert!(why.contains("start is not a period"), "{why}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn recovers_roi_within_tolerance_across_seeds() {
    // Realistic data: 156 weeks, 5 channels, 3-6% noise, trend, seasonality, correlated spend.
    // Measured over seeds 1000-1023 (examples/accuracy.rs): mean relative ROI error ~34%,
    // flighted TV ~9%; on these six seeds 48% and 4%. The bounds below guard against
    // regressions; they are not the issue's 20% target, which the engine does not reach yet
    // (see docs/benchmarks.md).
    let mut errors = Vec::new();
    let mut tv = Vec::new();
    // Errors of the channels the fit calls well informed (ROI contraction at least 0.75) and of
    // the others: 18% (11 channels) against 65% (19) on these seeds.
    let (mut firm, mut uncertain) = (Vec::new(), Vec::new());
    for seed in 200..206u64 {
        let noise = [0.03, 0.045, 0.06][(seed % 3) as usize];
        let s = sim(seed, noise);
        let doc = fit(&s.dataset, &ModelSpec::default(), None).unwrap();
        for (t, c) in s.truth.channels.iter().zip(&doc.channels) {
            let rel = (c.roi - t.roi).abs() / t.roi;
            let ratio = (c.roi / t.roi).max(t.roi / c.roi);
            assert!(ratio < 6.0, "seed {seed} {}: {} vs {}", t.name, c.roi, t.roi);
            errors.push(rel);
            if t.name == "tv" {
                tv.push(rel);
            }
            let evidence = c.roi_contraction.unwrap();
            if evidence >= crate::insights::FIRM_EVIDENCE { &mut firm } else { &mut uncertain }
                .push(rel);
        }
    }
    let mean_of = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let mean = mean_of(&errors);
    assert!(mean < 0.55, "mean relative ROI error {mean}");
    assert!(mean_of(&tv) < 0.1, "mean relative TV ROI error {}", mean_of(&tv));
    // Where the data inform the ROI, the error is within the issue's 20% target give or take
    // the sampling of six seeds; the data weight separates those channels from the rest.
    assert!(firm.len() >= 8, "{} well-informed channels", firm.len());
    assert!(mean_of(&firm) < 0.25, "well-informed channels: {}", mean_of(&firm));
    assert!(mean_of(&uncertain) > 2.0 * mean_of(&firm));
}

#[test]
fn same_seed_same_model() {
    let s = sim(5, 0.05);
    let a = fit(&s.dataset, &ModelSpec::default(), None).unwrap();
    let b = fit(&s.dataset, &ModelSpec::default(), None).unwrap();
    assert_eq!(a.to_json(), b.to_json());
}

#[test]
fn document_is_self_contained_and_consistent() {
    let s = sim(6, 0.05);
    let doc = fit(&s.dataset, &ModelSpec::default(), None).unwrap();
    // The decomposition adds up to the prediction, and the prediction can be recomputed from
    // the document alone: from the kept draws, which are resampled from the weighted ones
    // behind the series, so up to the resampling.
    let predicted = doc.predict();
    for t in 0..doc.periods {
        let media: f64 = doc.series.channels.iter().map(|c| c.contribution[t]).sum();
        let parts = doc.baseline.intercept
            + doc.series.trend[t]
            + doc.series.seasonality[t]
            + doc.series.controls[t]
            + media;
        assert!((parts - doc.series.fitted[t]).abs() < 1e-6 * doc.series.fitted[t].abs());
        // Here within 0.9% of the period's media contribution.
        let gap = (predicted[t] - doc.series.fitted[t]).abs();
        assert!(gap < 0.03 * media, "period {t}: {} vs {}", predicted[t], doc.series.fitted[t]);
    }
    // Every channel's parameters get a posterior mean and 90% interval over the stored draws.
    // The flighted channel (TV) shows its carry-over: its decay's interval holds the truth
    // (0.635) and is narrow (seen: [0.53, 0.64]); the always-on and seasonal ones leave theirs
    // open (seen: 0.58-0.66 wide).
    let draws = doc.posterior.as_ref().unwrap();
    let mut widths = Vec::new();
    for (i, c) in doc.channels.iter().enumerate() {
        let names: Vec<&str> = c.posterior_parameters.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["coefficient", "decay", "half_saturation", "shape"]);
        let decays: Vec<f64> =
            draws.iter().map(|d| d.channels[i].adstock.parameters()[0]).collect();
        let decay = &c.posterior_parameters[1];
        assert!((decay.mean - decays.iter().sum::<f64>() / decays.len() as f64).abs() < 1e-12);
        for p in &c.posterior_parameters {
            let [lo, hi] = p.interval;
            assert!(lo <= p.mean && p.mean <= hi && lo < hi, "{} {}: {p:?}", c.name, p.name);
        }
        widths.push(decay.interval[1] - decay.interval[0]);
    }
    let [lo, hi] = doc.channels[0].posterior_parameters[1].interval;
    let truth = s.truth.channels[0].decay;
    assert!(lo <= truth && truth <= hi && widths[0] < 0.15, "TV decay [{lo}, {hi}], truth {truth}");
    assert!(widths[2..].iter().all(|w| *w > 3.0 * widths[0]), "{widths:?}");
    // Per-channel figures follow their definitions. The decomposition is the posterior mean of
    // each period's parts, so a channel's periods add up to its contribution; each lies inside
    // its band over the draws.
    let total: f64 = doc.channels.iter().map(|c| c.contribution).sum();
    for c in &doc.channels {
        let series = doc.series.channels.iter().find(|s| s.name == c.name).unwrap();
        let [lo, hi] = c.contribution_interval.unwrap();
        let series_total: f64 = series.contribution.iter().sum();
        assert!((series_total / c.contribution - 1.0).abs() < 1e-9, "{}", c.name);
        assert!(lo <= c.contribution && c.contribution <= hi, "{}", c.name);
        // A mean can pass a skewed posterior's 95% point (periods with almost no spend, where
        // a few draws carry the effect), but it does so rarely.
        let bands = series.contribution_interval.as_ref().unwrap();
        let outside = series
            .contribution
            .iter()
            .zip(bands)
            .filter(|(v, [lo, hi])| !(lo <= *v && *v <= hi))
            .count();
        assert!(outside * 20 <= doc.periods, "{}: {outside} periods outside their band", c.name);
        assert!((c.roi - c.contribution / c.spend).abs() < 1e-12);
        assert!((c.share - c.contribution / total).abs() < 1e-12);
        let [slo, shi] = c.share_interval.unwrap();
        assert!(slo <= c.share && c.share <= shi, "{}: share {} [{slo}, {shi}]", c.name, c.share);
        // Each period's contribution has a band over the draws.
        assert_eq!(series.contribution_interval.as_ref().unwrap().len(), doc.periods);
        let recent = &series.spend[doc.periods - 13..];
        assert!((c.current_spend - recent.iter().sum::<f64>() / 13.0).abs() < 1e-9);
        // mROI is the posterior mean of the curves' slope at current spend: the stored draws'
        // mean slope agrees, up to their resampling.
        let draws = doc.posterior.as_ref().unwrap();
        let i = doc.channels.iter().position(|x| x.name == c.name).unwrap();
        let mean_of_draws = |f: &dyn Fn(&crate::document::DrawChannel) -> f64| {
            draws.iter().map(|d| f(&d.channels[i])).sum::<f64>() / draws.len() as f64
        };
        let slope = mean_of_draws(&|d| {
            d.coefficient * d.saturation.slope(c.current_spend / c.scale) / c.scale
        });
        let [mlo, mhi] = c.mroi_interval.unwrap();
        assert!((slope - c.mroi).abs() < 0.05 * (mhi - mlo), "{}: {slope} vs {}", c.name, c.mroi);
        // The stored curve is the draws' mean response.
        for p in c.response_curve.iter().step_by(6) {
            let mean = mean_of_draws(&|d| d.coefficient * d.saturation.value(p.spend / c.scale));
            assert!((p.response - mean).abs() <= 1e-9 * mean, "{}: {p:?} vs {mean}", c.name);
        }
        // The saturation point is the posterior median of each draw's own 90% point: no more
        // than half the draws reach 90% of their maximum before it, and at least half by it.
        let point = |d: &crate::document::DrawChannel| c.scale * d.saturation.inverse(0.9);
        let sp = c.saturation_point;
        let before = mean_of_draws(&|d| f64::from(u8::from(point(d) < sp)));
        let by = mean_of_draws(&|d| f64::from(u8::from(point(d) <= sp)));
        assert!(before <= 0.5 && 0.5 <= by, "{}: {before} {by}", c.name);
        // The curve runs from 0 to 3x the largest spend.
        let max_spend = series.spend.iter().copied().fold(0.0, f64::max);
        assert_eq!(c.response_curve.len(), 61);
        assert_eq!(c.response_curve[0].response, 0.0);
        assert!((c.response_curve[60].spend - 3.0 * max_spend).abs() < 1e-6);
    }
    // JSON round trip.
    let back = ModelDocument::from_json(&doc.to_json()).unwrap();
    assert_eq!(back, doc);
}

#[test]
fn a_document_is_written_with_the_oldest_format_that_holds_it() {
    use crate::document::{FORMAT_VERSION, format_version_for};
    use crate::transforms::TransformOrder;
    let s = sim(6, 0.05);
    let mut doc = fit(&s.dataset, &ModelSpec::default(), None).unwrap();
    // A fit applies adstock first, which version 2 already meant; the field is left out.
    assert_eq!(doc.format_version, 2);
    assert!(!doc.to_json().contains("transform_order"));
    // Saturation first needs version 3, which an older mmm refuses instead of misreading.
    doc.channels[1].transform_order = TransformOrder::SaturationFirst;
    assert_eq!(format_version_for(&doc.channels, &doc.baseline), 3);
    let err = ModelDocument::from_json(&doc.to_json()).unwrap_err();
    assert!(matches!(err, DocumentError::Inconsistent(_)), "{err}");
    doc.format_version = 3;
    let text = doc.to_json();
    assert!(text.contains(r#""transform_order": "saturation_first""#));
    assert_eq!(ModelDocument::from_json(&text).unwrap(), doc);
    // A trend with knots needs version 4.
    doc.baseline.trend_knots = vec![0.5];
    doc.baseline.trend_bends = vec![0.0];
    assert_eq!(format_version_for(&doc.channels, &doc.baseline), 4);
    let err = ModelDocument::from_json(&doc.to_json()).unwrap_err();
    assert!(err.to_string().contains("format version 4"), "{err}");
    doc.format_version = 4;
    assert_eq!(ModelDocument::from_json(&doc.to_json()).unwrap(), doc);
    // One bend per knot.
    doc.baseline.trend_bends.clear();
    let err = ModelDocument::from_json(&doc.to_json()).unwrap_err();
    assert!(err.to_string().contains("one finite bend per finite knot"), "{err}");
    doc.baseline.trend_bends = vec![0.0];
    // The noise's autocorrelation, when given, is a stationary AR(1)'s. An older mmm reads
    // such a document right without it (its σ is the noise's own), so it needs no version.
    for rho in [1.0, -0.2] {
        doc.fit.noise_autocorrelation = Some(rho);
        let err = ModelDocument::from_json(&doc.to_json()).unwrap_err();
        assert!(err.to_string().contains("autocorrelation must lie in [0, 1)"), "{rho}: {err}");
    }
    doc.fit.noise_autocorrelation = Some(0.4);
    assert_eq!(ModelDocument::from_json(&doc.to_json()).unwrap(), doc);
    // Recurring events need version 5: an older mmm would leave them out of every forecast.
    let event = |month, day| crate::baseline::EventDate::new(Rule::date(month, day), 1e4);
    doc.baseline.events = Some(crate::baseline::Events {
        first_period: doc.start,
        period_days: 7,
        dates: vec![event(11, 27)],
    });
    assert_eq!((format_version_for(&doc.channels, &doc.baseline), FORMAT_VERSION), (5, 10));
    let err = ModelDocument::from_json(&doc.to_json()).unwrap_err();
    assert!(err.to_string().contains("format version 5"), "{err}");
    doc.format_version = 5;
    assert_eq!(ModelDocument::from_json(&doc.to_json()).unwrap(), doc);
    // One that keeps a weekday needs version 6: an older mmm would put it on the
    // date.
    let mut weekday = doc.clone();
    let events = weekday.baseline.events.as_mut().unwrap();
    events.period_days = 1;
    let black_friday = Rule { weekday: Some(chrono::Weekday::Fri), ..Rule::date(11, 23) };
    events.dates[0] = crate::baseline::EventDate::new(black_friday, 1e4);
    assert!(weekday.to_json().contains(r#""weekday": "Fri""#), "{}", weekday.to_json());
    assert_eq!(format_version_for(&weekday.channels, &weekday.baseline), 6);
    let err = ModelDocument::from_json(&weekday.to_json()).unwrap_err();
    assert!(err.to_string().contains("format version 6"), "{err}");
    weekday.format_version = 6;
    assert_eq!(ModelDocument::from_json(&weekday.to_json()).unwrap(), weekday);
    // One that moves with another feast (Lunar New Year, an Eid...) needs version 7, the
    // Mid-Autumn and Dragon Boat Festivals and Diwali 8, and the feasts added after events of
    // several days 10: an older mmm would not know the field and put the event nowhere.
    for feast in Feast::ALL.into_iter().filter(|f| *f != Feast::Easter) {
        let field = serde_json::to_value(feast).unwrap();
        let field = field.as_str().unwrap();
        let version = match feast {
            Feast::MidAutumn | Feast::DragonBoat | Feast::Diwali => 8,
            Feast::IslamicNewYear
            | Feast::Mawlid
            | Feast::IsraMiraj
            | Feast::Holi
            | Feast::Dussehra
            | Feast::BuddhasBirthday
            | Feast::VernalEquinox
            | Feast::AutumnalEquinox
            | Feast::Qingming
            | Feast::Seollal
            | Feast::Chuseok => 10,
            _ => 7,
        };
        let mut moving = weekday.clone();
        moving.baseline.events.as_mut().unwrap().dates[0] =
            crate::baseline::EventDate::new(Rule::feast(feast, -1), 1e4);
        assert!(moving.to_json().contains(&format!(r#""{field}": -1"#)), "{}", moving.to_json());
        assert_eq!(format_version_for(&moving.channels, &moving.baseline), version);
        let err = ModelDocument::from_json(&moving.to_json()).unwrap_err();
        assert!(err.to_string().contains(&format!("format version {version}")), "{err}");
        moving.format_version = version;
        assert_eq!(ModelDocument::from_json(&moving.to_json()).unwrap(), moving);
        // An event moves with one feast at most.
        moving.baseline.events.as_mut().unwrap().dates[0].easter = Some(0);
        let err = ModelDocument::from_json(&moving.to_json()).unwrap_err();
        assert!(err.to_string().contains("within 60 of one feast's"), "{err}");
    }
    // One of several days needs version 9: an older mmm would give its first day alone the
    // whole effect.
    let mut season = doc.clone();
    season.baseline.events.as_mut().unwrap().dates[0] =
        crate::baseline::EventDate::new("11-20..12-25".parse().unwrap(), 1e4);
    assert!(season.to_json().contains(r#""days": 36"#), "{}", season.to_json());
    assert_eq!(format_version_for(&season.channels, &season.baseline), 9);
    let err = ModelDocument::from_json(&season.to_json()).unwrap_err();
    assert!(err.to_string().contains("several days need format version 9"), "{err}");
    season.format_version = 9;
    assert_eq!(ModelDocument::from_json(&season.to_json()).unwrap(), season);
    // Of several days and with a feast of version 10, the larger.
    let mut holi = season.clone();
    holi.baseline.events.as_mut().unwrap().dates[0] =
        crate::baseline::EventDate::new("holi-1..+1".parse().unwrap(), 1e4);
    assert_eq!(format_version_for(&holi.channels, &holi.baseline), 10);
    // It lasts 1 to 92 days, and one that keeps a weekday lasts one.
    for (days, weekday) in [(0, None), (93, None), (3, Some(chrono::Weekday::Fri))] {
        let mut broken = season.clone();
        let event = &mut broken.baseline.events.as_mut().unwrap().dates[0];
        (event.days, event.weekday) = (Some(days), weekday);
        let err = ModelDocument::from_json(&broken.to_json()).unwrap_err();
        assert!(err.to_string().contains("lasting 1 to 92 days"), "{days}: {err}");
    }
    // A date every year holds, and a period of 1 to 31 days (JSON has no infinite effect).
    for (month, day, days) in
        [(2, 29, 7), (2, 30, 7), (13, 1, 7), (0, 1, 7), (11, 27, 0), (11, 27, 32)]
    {
        let mut broken = doc.clone();
        let events = broken.baseline.events.as_mut().unwrap();
        events.period_days = days;
        events.dates = vec![event(month, day)];
        let err = ModelDocument::from_json(&broken.to_json()).unwrap_err();
        assert!(err.to_string().contains("recurring events need"), "{month}-{day}: {err}");
    }
}

#[test]
fn newer_or_broken_documents_are_refused() {
    let s = sim(6, 0.05);
    let doc = fit(&s.dataset, &ModelSpec::default(), None).unwrap();
    let mut value: serde_json::Value = serde_json::from_str(&doc.to_json()).unwrap();
    value["format_version"] = serde_json::json!(crate::document::FORMAT_VERSION + 1);
    let err = ModelDocument::from_json(&value.to_string()).unwrap_err();
    assert!(matches!(err, DocumentError::TooNew { .. }), "{err}");
    value["format_version"] = serde_json::json!(1);
    value["series"]["fitted"] = serde_json::json!([1.0]);
    let err = ModelDocument::from_json(&value.to_string()).unwrap_err();
    assert!(matches!(err, DocumentError::Inconsistent(_)), "{err}");
    assert!(matches!(ModelDocument::from_json("{"), Err(DocumentError::Invalid(_))));
    // Per-period channel intervals must cover every period, or the routes that list them by
    // period would read past their end.
    let mut short = doc.clone();
    short.series.channels[0].contribution_interval = Some(vec![[0.0, 1.0]; 3]);
    let err = ModelDocument::from_json(&short.to_json()).unwrap_err();
    assert!(matches!(err, DocumentError::Inconsistent(_)), "{err}");
}

#[test]
fn holdout_periods_do_not_influence_the_fit() {
    let s = sim(8, 0.04);
    let spec = ModelSpec { holdout: 13, ..ModelSpec::default() };
    let a = fit(&s.dataset, &spec, None).unwrap();
    let mut changed = s.dataset.clone();
    let n = changed.len();
    for v in &mut changed.kpi[n - 13..] {
        *v *= 1.5;
    }
    let b = fit(&changed, &spec, None).unwrap();
    for (x, y) in a.channels.iter().zip(&b.channels) {
        assert_eq!(x.coefficient, y.coefficient);
        assert_eq!(x.adstock, y.adstock);
    }
    let ha = a.fit.holdout.as_ref().unwrap();
    let hb = b.fit.holdout.as_ref().unwrap();
    assert_eq!(ha.periods, 13);
    // Out-of-sample error on untouched data is small; on the inflated holdout it is large.
    assert!(ha.mape < 0.1, "holdout MAPE {}", ha.mape);
    assert!(hb.mape > 0.25, "holdout MAPE {}", hb.mape);
    // Contribution and ROI cover every period, the holdout's too, as the decomposition does.
    assert!(a.posterior.is_some());
    for (c, series) in a.channels.iter().zip(&a.series.channels) {
        let total: f64 = series.contribution.iter().sum();
        assert!((total / c.contribution - 1.0).abs() < 1e-9, "{}", c.name);
        assert_eq!(c.spend, series.spend.iter().sum::<f64>());
    }
}

#[test]
fn progress_is_reported_and_cancel_stops() {
    let s = sim(9, 0.05);
    let seen = Mutex::new(Vec::new());
    let record = |p: &FitProgress| {
        seen.lock().unwrap().push(p.fraction);
        true
    };
    fit(&s.dataset, &ModelSpec::default(), Some(&record)).unwrap();
    let fractions = seen.lock().unwrap().clone();
    assert!(fractions.windows(2).all(|w| w[0] <= w[1]), "{fractions:?}");
    assert_eq!(fractions.first(), Some(&0.0));
    assert_eq!(fractions.last(), Some(&1.0));

    let calls = Mutex::new(0);
    let cancel_after_two = |_: &FitProgress| {
        let mut c = calls.lock().unwrap();
        *c += 1;
        *c < 3
    };
    assert_eq!(
        fit(&s.dataset, &ModelSpec::default(), Some(&cancel_after_two)),
        Err(FitError::Cancelled)
    );
}

#[test]
fn too_short_for_the_model_is_an_error() {
    let s = simulate(&SimConfig { periods: 25, ..SimConfig::default() });
    assert!(matches!(
        fit(&s.dataset, &ModelSpec::default(), None),
        Err(FitError::NotEnoughRows { .. })
    ));
    let spec = ModelSpec { holdout: 25, ..ModelSpec::default() };
    assert!(matches!(fit(&s.dataset, &spec, None), Err(FitError::InvalidSpec(_))));
}

#[test]
fn inconsistent_data_is_an_error_not_a_panic() {
    let mut s = sim(10, 0.05);
    s.dataset.channels[0].spend.pop();
    assert!(matches!(fit(&s.dataset, &ModelSpec::default(), None), Err(FitError::InvalidSpec(_))));
    let mut s = sim(10, 0.05);
    s.dataset.kpi[3] = f64::NAN;
    assert!(matches!(fit(&s.dataset, &ModelSpec::default(), None), Err(FitError::InvalidSpec(_))));
    let mut s = sim(10, 0.05);
    s.dataset.channels[1].spend[5] = -1.0;
    assert!(matches!(fit(&s.dataset, &ModelSpec::default(), None), Err(FitError::InvalidSpec(_))));
}

/// The exact gradient of the Bayesian marginal posterior against finite differences.
fn check_marginal_gradient(with_roi_prior: bool) {
    let data = sim(3, 0.04).dataset;
    // A lift test on the second channel enters the likelihood once σ₀ is known (with the prior).
    let lift = crate::spec::LiftTest {
        channel: data.channels[1].name.clone(),
        start: data.dates[50],
        end: data.dates[60],
        incremental: 200_000.0,
        standard_error: 20_000.0,
    };
    let mut spec = ModelSpec { lift_tests: vec![lift], ..ModelSpec::default() };
    spec.priors.noise = Some(crate::spec::NoisePrior { sd: 0.05, strength: 20.0 });
    spec.priors.baseline_sd = Some(0.05);
    let mut problem = Problem::new(&data, &spec).unwrap();
    if with_roi_prior {
        let u = problem.starts(1, 0).remove(0);
        problem.calibrate(&u, Some(0.5));
    }
    check_marginal_gradient_at(&problem);
    // With autocorrelated noise, the data whitened.
    problem.set_noise(super::noise::Noise::new(0.6, 1.0));
    check_marginal_gradient_at(&problem);
    // With a slow part beside independent noise (Kalman whitening).
    problem.set_noise(super::noise::Noise::new(0.9, 0.5));
    check_marginal_gradient_at(&problem);
}

/// The marginal posterior's analytic gradient at random points against finite differences.
fn check_marginal_gradient_at(problem: &Problem) {
    let mut rng = StdRng::seed_from_u64(5);
    for _ in 0..4 {
        let u = DVector::from_fn(problem.dim(), |_, _| rng.random_range(-1.5..1.5));
        let m = problem.marginal(&u).unwrap();
        for i in 0..u.len() {
            let h = 1e-5;
            let mut up = u.clone();
            let mut dn = u.clone();
            up[i] += h;
            dn[i] -= h;
            let fd = (problem.marginal(&up).unwrap().logp - problem.marginal(&dn).unwrap().logp)
                / (2.0 * h);
            assert!(
                (fd - m.gradient[i]).abs() < 1e-4 * (1.0 + fd.abs()),
                "param {i}: finite difference {fd} vs analytic {}",
                m.gradient[i]
            );
        }
    }
}

#[test]
fn a_parameter_searched_to_its_bound_leaves_the_marginal_posterior_finite() {
    // A search may leave a parameter that runs to its bound far out on the unconstrained
    // scale (a radio Hill shape of 5 at u = 189 on one simulated market), where σ(u)(1 − σ(u))
    // underflows to 0. The posterior there is finite: past u = 30 the parameter no longer
    // moves (σ(30) is 1 to 1e-13), so the log posterior falls by the log slope of the map
    // alone, one per unit of u.
    let data = sim(3, 0.04).dataset;
    let problem = Problem::new(&data, &ModelSpec::default()).unwrap();
    let mut u = problem.starts(1, 0).remove(0);
    let last = u.len() - 1;
    u[last] = 30.0;
    let near = problem.marginal_at(&u, false).expect("finite at u = 30").logp;
    u[last] = 189.0;
    let far = problem.marginal_at(&u, false).expect("finite at u = 189").logp;
    assert!((far - near + 159.0).abs() < 1e-6, "{near} then {far}");
}

#[test]
fn marginal_posterior_gradient_matches_finite_differences() {
    check_marginal_gradient(false);
    check_marginal_gradient(true);
}

#[test]
fn bayesian_fit_gives_intervals_and_diagnostics() {
    let s = sim(21, 0.04);
    let settings = BayesSettings { chains: 2, draws: 300, tune: 300, keep: 100 };
    let doc = fit_bayes(&s.dataset, &ModelSpec::default(), &settings, None).unwrap();
    assert_eq!(doc.method, Method::Bayes);
    let d = doc.diagnostics.as_ref().unwrap();
    assert_eq!((d.chains, d.draws), (2, 300));
    assert!(d.rhat_max < 1.1, "R-hat {}", d.rhat_max);
    assert!(d.ess_bulk_min > 20.0, "ESS {}", d.ess_bulk_min);
    assert_eq!(doc.posterior.as_ref().unwrap().len(), 100);
    for series in &doc.series.channels {
        let bands = series.contribution_interval.as_ref().unwrap();
        assert_eq!(bands.len(), doc.periods);
        assert!(bands.iter().all(|[lo, hi]| lo <= hi));
    }
    for c in &doc.channels {
        for p in &c.response_curve[1..] {
            let [lo, hi] = p.interval.unwrap();
            assert!(
                lo <= p.response && p.response <= hi && lo < hi,
                "{}: {lo} {} {hi}",
                c.name,
                p.response
            );
        }
    }
    for c in &doc.channels {
        let [lo, hi] = c.roi_interval.unwrap();
        assert!(lo <= c.roi && c.roi <= hi, "{}: {lo} {} {hi}", c.name, c.roi);
        assert!(hi > lo);
        let [lo, hi] = c.contribution_interval.unwrap();
        assert!(lo <= c.contribution && c.contribution <= hi);
        assert!(c.mroi_interval.is_some() && c.share_interval.is_some());
    }
    // The decomposition is the posterior mean of each period's parts over the kept draws:
    // a channel's periods add up to its contribution, and the document alone gives it back.
    for (c, series) in doc.channels.iter().zip(&doc.series.channels) {
        let total: f64 = series.contribution.iter().sum();
        assert!((total / c.contribution - 1.0).abs() < 1e-9, "{}", c.name);
    }
    for (p, f) in doc.predict().iter().zip(&doc.series.fitted) {
        assert!((p - f).abs() < 1e-9 * f.abs(), "{p} vs {f}");
    }
    // Version 2 round trip, deterministic for the seed.
    let back = ModelDocument::from_json(&doc.to_json()).unwrap();
    assert_eq!(back, doc);
    let again = fit_bayes(&s.dataset, &ModelSpec::default(), &settings, None).unwrap();
    assert_eq!(again.to_json(), doc.to_json());

    // The optimizer maximises the posterior expected response and says how likely the
    // recommendation beats the current allocation.
    let budget: f64 = doc.channels.iter().map(|c| c.current_spend).sum();
    let opt =
        crate::optimize::optimize(&doc, budget, &crate::optimize::Constraints::default()).unwrap();
    let p = opt.probability_better.unwrap();
    assert!((0.0..=1.0).contains(&p));
    assert!(opt.uplift >= 0.0 && p > 0.5, "uplift {} probability {p}", opt.uplift);
    let draws = doc.posterior.as_ref().unwrap();
    let c0 = &doc.channels[0];
    let x = opt.allocation[0].recommended;
    let mean: f64 = draws
        .iter()
        .map(|d| d.channels[0].coefficient * d.channels[0].saturation.value(x / c0.scale))
        .sum::<f64>()
        / draws.len() as f64;
    assert!((opt.allocation[0].expected_response - mean).abs() < 1e-9 * mean.abs().max(1.0));
}

#[test]
fn map_roi_is_the_posterior_mean_the_sampler_finds() {
    // The MAP fit's ROI averages over the transforms by importance sampling; NUTS samples the
    // same marginal posterior by another route. The two means agree to a fraction of the
    // posterior's spread, while the ROI at the single MAP point does not. The market has large
    // always-on channels (the demo profile), whose curve shapes the data pin down least.
    let s = simulate(&SimConfig {
        seed: 1,
        noise: 0.06,
        profile: crate::simulate::Profile::MeridianDemo,
        ..SimConfig::default()
    });
    let spec = ModelSpec::default();
    let map = fit(&s.dataset, &spec, None).unwrap();
    let settings = BayesSettings { chains: 4, draws: 1000, tune: 600, keep: 400 };
    let bayes = fit_bayes(&s.dataset, &spec, &settings, None).unwrap();
    let (problem, u) = map_problem(&s.dataset, &spec, None, 1.0).unwrap();
    let point = problem.document(&s.dataset, &spec, &u).unwrap();
    let (mut sampled_gaps, mut point_gaps) = (0.0, 0.0);
    for ((m, b), p) in map.channels.iter().zip(&bayes.channels).zip(&point.channels) {
        let [lo, hi] = b.roi_interval.unwrap();
        let sd = (hi - lo) / (2.0 * Z90);
        let gap = (m.roi - b.roi).abs() / sd;
        // Seen: at most 0.07 sd.
        assert!(gap < 0.3, "{}: {} against NUTS {} (sd {sd})", m.name, m.roi, b.roi);
        // So do the intervals. Seen: at most 0.21 sd apart, at radio's ends; at the lower one
        // NUTS keeps the coefficient's draws non-negative and the mixture is only floored at 0.
        for (x, y) in m.roi_interval.unwrap().iter().zip(b.roi_interval.unwrap()) {
            assert!((x - y).abs() < 0.4 * sd, "{}: {x} against NUTS {y} (sd {sd})", m.name);
        }
        sampled_gaps += gap;
        point_gaps += (p.roi - b.roi).abs() / sd;
    }
    // Seen: 0.036 sd on average against 0.26 for the MAP point (display's is 0.63).
    assert!(
        sampled_gaps < 0.6 * point_gaps,
        "the MAP point is about as close: {sampled_gaps} against {point_gaps}"
    );
}

#[test]
fn version_1_documents_still_load() {
    let s = sim(6, 0.05);
    let doc = fit(&s.dataset, &ModelSpec::default(), None).unwrap();
    let mut value: serde_json::Value = serde_json::from_str(&doc.to_json()).unwrap();
    value["format_version"] = serde_json::json!(1);
    // Version 1 had no posterior draws.
    value.as_object_mut().unwrap().remove("posterior");
    let v1 = ModelDocument::from_json(&value.to_string()).unwrap();
    assert_eq!(v1.format_version, 1);
    assert!(v1.diagnostics.is_none() && v1.posterior.is_none());
    assert_eq!(v1.channels, doc.channels);
}

#[test]
fn ninety_percent_intervals_cover_the_truth_for_most_channels() {
    // Measured with examples/coverage.rs over seeds 1000-1011 (4 chains x 1000 draws): 73% of 60
    // channels covered, R-hat <= 1.01 in 11 of 12 fits. Here: three other seeds, shorter chains.
    // Over seeds 300-315 at these settings R-hat had a median of 1.006; seed 301 mixes slowest
    // (1.017, and 1.046 once the marginal's arithmetic changed in the last digits), so the bound
    // is one a working sampler meets on every seed and a broken one misses by far.
    let settings = BayesSettings { chains: 4, draws: 500, tune: 500, keep: 200 };
    let (mut covered, mut total) = (0, 0);
    for seed in [300u64, 301, 302] {
        let s = sim(seed, 0.045);
        let doc =
            fit_bayes(&s.dataset, &ModelSpec { seed, ..ModelSpec::default() }, &settings, None)
                .unwrap();
        let d = doc.diagnostics.as_ref().unwrap();
        assert!(d.rhat_max < 1.06, "seed {seed}: R-hat {}", d.rhat_max);
        for (t, c) in s.truth.channels.iter().zip(&doc.channels) {
            let [lo, hi] = c.roi_interval.unwrap();
            covered += usize::from(lo <= t.roi && t.roi <= hi);
            total += 1;
        }
    }
    assert!(covered * 10 >= total * 6, "covered {covered} of {total}");
}

/// A market that ran for a year before its data begin, without noise.
fn warm_market() -> crate::simulate::Simulation {
    simulate(&SimConfig { seed: 2001, noise: 0.0, history: 52, ..SimConfig::default() })
}

#[test]
fn gradient_with_media_history_matches_finite_differences() {
    // Noisy data: without noise the objective is too steep for finite differences.
    let data =
        simulate(&SimConfig { seed: 3, noise: 0.04, history: 52, ..SimConfig::default() }).dataset;
    assert_eq!(data.history_len(), 52);
    check_gradient_on(&data, &ModelSpec::default(), true);
    let spec = ModelSpec {
        adstock: AdstockKind::Weibull,
        saturation: SaturationKind::Logistic,
        ..ModelSpec::default()
    };
    check_gradient_on(&data, &spec, false);
}

#[test]
fn media_history_is_carried_over_and_stored() {
    let s = warm_market();
    let doc = fit(&s.dataset, &ModelSpec::default(), None).unwrap();
    // Noise-free data of the model's own form: every ROI comes back (within 1.0% here; the
    // priors still pull a little).
    for (t, c) in s.truth.channels.iter().zip(&doc.channels) {
        assert!((c.roi / t.roi - 1.0).abs() < 0.02, "{}: {} vs {}", t.name, c.roi, t.roi);
    }
    // The document keeps the last max_lag periods of history and reproduces its own fit,
    // first periods included.
    for (series, channel) in doc.series.channels.iter().zip(&s.dataset.channels) {
        assert_eq!(series.history, channel.history[52 - 8..]);
    }
    // (Up to the resampling of the kept draws, over which `predict` averages: here 4e-5.)
    let doc = ModelDocument::from_json(&doc.to_json()).unwrap();
    for (p, f) in doc.predict().iter().zip(&doc.series.fitted) {
        assert!((p - f).abs() < 1e-3 * f.abs(), "{p} vs {f}");
    }
    // A document whose history is not spend is refused.
    let mut broken = doc.clone();
    broken.series.channels[0].history[3] = -1.0;
    assert!(ModelDocument::from_json(&broken.to_json()).is_err());
    broken.series.channels[0].history = vec![1.0; 60];
    assert!(ModelDocument::from_json(&broken.to_json()).is_err());
    // The same data without the history start cold, and the carry-over they lack is
    // misattributed: some channel's ROI ends up more than 15% off (search 30% low, radio 92%
    // high here).
    let mut cold = s.dataset.clone();
    cold.channels.iter_mut().for_each(|c| c.history.clear());
    let doc = fit(&cold, &ModelSpec::default(), None).unwrap();
    let worst = s
        .truth
        .channels
        .iter()
        .zip(&doc.channels)
        .map(|(t, c)| (c.roi / t.roi - 1.0).abs())
        .fold(0.0, f64::max);
    assert!(worst > 0.15, "worst relative error without history {worst}");
}

/// True contribution of a simulated channel over periods `t0..=t1`.
fn true_contribution(s: &crate::simulate::Simulation, c: usize, t0: usize, t1: usize) -> f64 {
    s.truth.channels[c].contributions(&s.dataset.channels[c])[t0..=t1].iter().sum()
}

/// Seed 1010: search's true ROI is 3.12, but the data alone put it near 1. Returns the
/// simulation, search's index and true ROI, and a lift test of its true contribution over
/// periods 100-125 with a 5% standard error.
fn misestimated_search() -> (crate::simulate::Simulation, usize, f64, crate::spec::LiftTest) {
    let s = sim(1010, 0.06);
    let c = s.truth.channels.iter().position(|t| t.name == "search").unwrap();
    let truth = s.truth.channels[c].roi;
    let measured = true_contribution(&s, c, 100, 125);
    let lift = crate::spec::LiftTest {
        channel: "search".into(),
        start: s.dataset.dates[100],
        end: s.dataset.dates[125],
        incremental: measured,
        standard_error: 0.05 * measured,
    };
    (s, c, truth, lift)
}

#[test]
fn a_lift_test_pulls_a_misestimated_channel_towards_the_truth() {
    let (s, c, truth, lift) = misestimated_search();
    let settings = BayesSettings { chains: 2, draws: 400, tune: 400, keep: 200 };
    let without = fit_bayes(&s.dataset, &ModelSpec::default(), &settings, None).unwrap();
    let spec = ModelSpec { lift_tests: vec![lift.clone()], ..ModelSpec::default() };
    let with = fit_bayes(&s.dataset, &spec, &settings, None).unwrap();
    let before = (without.channels[c].roi - truth).abs() / truth;
    let after = (with.channels[c].roi - truth).abs() / truth;
    assert!(before > 0.4, "the channel should start mis-estimated: {before}");
    assert!(
        after < 0.5 * before,
        "lift test: error {before:.2} -> {after:.2} (roi {} vs {truth})",
        with.channels[c].roi
    );
    // Invalid lift tests are refused.
    let bad = ModelSpec {
        lift_tests: vec![crate::spec::LiftTest { channel: "radio2".into(), ..lift }],
        ..ModelSpec::default()
    };
    assert!(matches!(fit_bayes(&s.dataset, &bad, &settings, None), Err(FitError::InvalidSpec(_))));
}

#[test]
fn a_lift_test_also_calibrates_the_map_fit() {
    // The same channel as above, in the point fit: the lift test fixes its ROI and the data
    // weight says the ROI is now well informed.
    let (s, c, truth, lift) = misestimated_search();
    let measured = lift.incremental;
    let without = fit(&s.dataset, &ModelSpec::default(), None).unwrap();
    let spec = ModelSpec { lift_tests: vec![lift], ..ModelSpec::default() };
    let with = fit(&s.dataset, &spec, None).unwrap();
    let before = (without.channels[c].roi - truth).abs() / truth;
    let after = (with.channels[c].roi - truth).abs() / truth;
    assert!(before > 0.4, "the channel should start mis-estimated: {before}");
    assert!(after < 0.5 * before, "lift test: error {before:.2} -> {after:.2}");
    let weight = |doc: &ModelDocument| doc.channels[c].roi_contraction.unwrap();
    let (before_weight, after_weight) = (weight(&without), weight(&with));
    assert!(
        after_weight > 0.8 && after_weight > before_weight + 0.3,
        "data weight {before_weight} -> {after_weight}"
    );
    // The modelled contribution over the test window matches the measurement within its error.
    let window: f64 = with.series.channels[c].contribution[100..=125].iter().sum();
    assert!((window - measured).abs() < 2.0 * 0.05 * measured, "{window} vs {measured}");

    // Without the pooled ROI prior the lift test still counts.
    let mut no_prior = spec.clone();
    no_prior.priors.roi_relative_sd = None;
    let alone = fit(&s.dataset, &no_prior, None).unwrap();
    let window: f64 = alone.series.channels[c].contribution[100..=125].iter().sum();
    assert!((window - measured).abs() < 2.0 * 0.05 * measured, "{window} vs {measured}");
}

#[test]
fn a_lift_test_where_the_channel_had_no_spend_is_refused() {
    let (mut data, _) = strong_and_weak_channels(1);
    data.channels[0].spend[..=20].iter_mut().for_each(|v| *v = 0.0);
    let lift = |start: usize, end: usize| ModelSpec {
        lift_tests: vec![crate::spec::LiftTest {
            channel: data.channels[0].name.clone(),
            start: data.dates[start],
            end: data.dates[end],
            incremental: 50_000.0,
            standard_error: 5_000.0,
        }],
        ..ModelSpec::default()
    };
    // Weeks 10-12 and the 8 weeks carried over into them have no spend at all.
    let err = fit(&data, &lift(10, 12), None).unwrap_err();
    assert!(err.to_string().contains("no spend in the test window"), "{err}");
    // Weeks 21-23 have spend.
    assert!(fit(&data, &lift(21, 23), None).is_ok());
}

#[test]
fn a_channel_roi_prior_moves_that_channel() {
    let s = sim(8, 0.05);
    let base = fit(&s.dataset, &ModelSpec::default(), None).unwrap();
    let name = base.channels[1].name.clone();
    let target = 3.0 * base.channels[1].roi;
    let mut spec = ModelSpec::default();
    spec.priors
        .channel_roi
        .insert(name.clone(), crate::spec::RoiPrior { median: target, relative_sd: 0.05 });
    let pulled = fit(&s.dataset, &spec, None).unwrap();
    assert!(
        (pulled.channels[1].roi - target).abs() < (base.channels[1].roi - target).abs() * 0.5,
        "{} -> {} (prior {target})",
        base.channels[1].roi,
        pulled.channels[1].roi
    );
    // It also holds with the pooled ROI prior off; only that channel then has an ROI prior.
    let mut alone = spec.clone();
    alone.priors.roi_relative_sd = None;
    let held = fit(&s.dataset, &alone, None).unwrap();
    assert!((held.channels[1].roi - target).abs() < 0.15 * target, "{}", held.channels[1].roi);
    let with_prior: Vec<bool> = held.channels.iter().map(|c| c.roi_contraction.is_some()).collect();
    assert_eq!(with_prior, [false, true, false, false, false]);
    spec.priors
        .channel_roi
        .insert("nope".into(), crate::spec::RoiPrior { median: 1.0, relative_sd: 0.5 });
    assert!(matches!(fit(&s.dataset, &spec, None), Err(FitError::InvalidSpec(_))));
}

#[test]
fn per_channel_transform_priors_move_that_channel() {
    let s = sim(8, 0.05);
    let decay = |d: &ModelDocument, c: usize| match d.channels[c].adstock {
        Adstock::Geometric { decay, .. } => decay.get(),
        Adstock::Weibull { .. } | Adstock::Binomial { .. } => unreachable!(),
    };
    let shape = |d: &ModelDocument, c: usize| match d.channels[c].saturation {
        Saturation::Hill { shape, .. } => shape.get(),
        Saturation::Logistic { .. } => unreachable!(),
    };
    let base = fit(&s.dataset, &ModelSpec::default(), None).unwrap();
    let name = base.channels[2].name.clone();
    let mut spec = ModelSpec::default();
    spec.priors.channel_transforms.insert(
        name.clone(),
        crate::spec::ChannelPriors {
            decay_mean: Some(0.8),
            half_saturation: None,
            shape: Some(3.5),
        },
    );
    let moved = fit(&s.dataset, &spec, None).unwrap();
    assert!(
        decay(&moved, 2) > decay(&base, 2),
        "decay {} -> {}",
        decay(&base, 2),
        decay(&moved, 2)
    );
    assert!(
        shape(&moved, 2) > shape(&base, 2),
        "shape {} -> {}",
        shape(&base, 2),
        shape(&moved, 2)
    );
    spec.priors.channel_transforms.insert("nope".into(), crate::spec::ChannelPriors::default());
    assert!(matches!(fit(&s.dataset, &spec, None), Err(FitError::InvalidSpec(_))));
}

#[test]
fn baseline_and_noise_priors_act() {
    let s = sim(12, 0.05);
    let base = fit(&s.dataset, &ModelSpec::default(), None).unwrap();
    let mut spec = ModelSpec::default();
    spec.priors.baseline_sd = Some(1e-4);
    let tight = fit(&s.dataset, &spec, None).unwrap();
    let size = |d: &ModelDocument| {
        d.baseline.seasonality[0]
            .sin
            .iter()
            .chain(&d.baseline.seasonality[0].cos)
            .map(|v| v.abs())
            .sum::<f64>()
    };
    assert!(size(&tight) < 0.2 * size(&base), "seasonality {} -> {}", size(&base), size(&tight));

    // A noise prior worth many observations pins the posterior noise near its guess.
    let mut spec = ModelSpec::default();
    spec.priors.noise = Some(crate::spec::NoisePrior { sd: 0.2, strength: 20_000.0 });
    let settings = BayesSettings { chains: 2, draws: 150, tune: 150, keep: 100 };
    let doc = fit_bayes(&s.dataset, &spec, &settings, None).unwrap();
    let draws = doc.posterior.as_ref().unwrap();
    let mean_sigma = draws.iter().map(|d| d.sigma).sum::<f64>() / draws.len() as f64;
    let mean_kpi = s.dataset.kpi.iter().map(|v| v.abs()).sum::<f64>() / s.dataset.kpi.len() as f64;
    assert!(
        (mean_sigma / mean_kpi - 0.2).abs() < 0.02,
        "posterior noise {}",
        mean_sigma / mean_kpi
    );
}

/// The truth of [`strong_and_weak_channels`], strong channel first.
struct TwoChannels {
    roi: [f64; 2],
    /// Marginal ROI at current spend.
    mroi: [f64; 2],
    /// Steady-state response per period at current spend.
    response: [f64; 2],
}

/// Two channels, one the data pin down and one they barely see: a flighted channel worth a
/// quarter of the KPI and an always-on one worth 2% with ±10% spend variation.
fn strong_and_weak_channels(seed: u64) -> (Dataset, TwoChannels) {
    use crate::transforms::{geometric_weights, hill};
    let data = sim(seed, 0.04).dataset;
    let n = data.len();
    let mut rng = StdRng::seed_from_u64(seed);
    let strong: Vec<f64> = (0..n)
        .map(|t| if t % 10 < 6 { 30_000.0 * rng.random_range(0.6..1.4) } else { 0.0 })
        .collect();
    let weak: Vec<f64> = (0..n).map(|_| 10_000.0 * rng.random_range(0.9..1.1)).collect();
    let mut kpi = vec![0.0; n];
    let mut truth = TwoChannels { roi: [0.0; 2], mroi: [0.0; 2], response: [0.0; 2] };
    for (i, (spend, effect)) in [(&strong, 50_000.0), (&weak, 4_000.0)].into_iter().enumerate() {
        let scale = spend.iter().filter(|v| **v > 0.0).sum::<f64>()
            / spend.iter().filter(|v| **v > 0.0).count() as f64;
        let w = geometric_weights(0.4, 8);
        let mut contribution = 0.0;
        for t in 0..n {
            let a: f64 = (0..=8.min(t)).map(|l| w[l] * spend[t - l]).sum::<f64>() / scale;
            let y = effect * hill(a, 1.0, 1.5);
            kpi[t] += y;
            contribution += y;
        }
        truth.roi[i] = contribution / spend.iter().sum::<f64>();
        // effect · x^1.5 / (x^1.5 + 1) and its derivative at the mean spend of the last 13
        // periods.
        let x = spend[n - 13..].iter().sum::<f64>() / 13.0 / scale;
        truth.mroi[i] = effect * 1.5 * x.sqrt() / (x.powf(1.5) + 1.0).powi(2) / scale;
        truth.response[i] = effect * hill(x, 1.0, 1.5);
    }
    for (t, k) in kpi.iter_mut().enumerate() {
        let season = 8_000.0 * (2.0 * std::f64::consts::PI * t as f64 / 52.0).sin();
        let noise: f64 = rand_distr::Distribution::sample(&rand_distr::StandardNormal, &mut rng);
        *k += 150_000.0 + season + 6_000.0 * noise;
    }
    (with_media(data, kpi, vec![strong, weak]), truth)
}

/// `data` with `kpi`, no controls, and its first channels' spend replaced by `spends` (the
/// other channels dropped, no media history).
fn with_media(mut data: Dataset, kpi: Vec<f64>, spends: Vec<Vec<f64>>) -> Dataset {
    data.kpi = kpi;
    data.controls.clear();
    data.roles.controls.clear();
    data.channels.truncate(spends.len());
    data.roles.media.truncate(spends.len());
    for (channel, spend) in data.channels.iter_mut().zip(spends) {
        channel.spend = spend;
        channel.history.clear();
    }
    data
}

#[test]
fn map_fit_reports_how_much_the_data_say_about_each_roi() {
    for seed in [1, 2, 3] {
        let (data, truth) = strong_and_weak_channels(seed);
        let (true_mroi, truth) = (truth.mroi, truth.roi);
        let doc = fit(&data, &ModelSpec::default(), None).unwrap();
        let (strong, weak) = (&doc.channels[0], &doc.channels[1]);
        let contraction = |c: &ChannelResult| c.roi_contraction.unwrap();
        let [lo, hi] = strong.roi_interval.unwrap();
        // Measured over seeds 1-8: 0.94-1.0 for the strong channel, 0-0.36 for the weak one.
        assert!(contraction(strong) > 0.85, "seed {seed}: strong channel {strong:?}");
        assert!(contraction(weak) < 0.5, "seed {seed}: weak channel {weak:?}");
        assert!(lo <= truth[0] && truth[0] <= hi, "seed {seed}: [{lo}, {hi}] vs {}", truth[0]);
        assert!(lo <= strong.roi && strong.roi <= hi);
        // The marginal ROI within its 99% band (the 90% interval stretched by 2.576 / 1.645): a
        // 90% interval may miss one seed in ten.
        let [mlo, mhi] = strong.mroi_interval.unwrap();
        let z = (strong.mroi - true_mroi[0]).abs() / ((mhi - mlo) / (2.0 * Z90));
        assert!(z < 2.576, "seed {seed}: mROI [{mlo}, {mhi}] vs {}", true_mroi[0]);
        let [clo, chi] = strong.contribution_interval.unwrap();
        assert!(
            (clo - lo * strong.spend).abs() < 1e-6 * chi
                && (chi - hi * strong.spend).abs() < 1e-6 * chi
        );
        let width = |c: &ChannelResult| {
            let [lo, hi] = c.roi_interval.unwrap();
            (hi - lo) / c.roi
        };
        assert!(width(strong) < 0.5 && width(weak) > 2.0 * width(strong), "seed {seed}");
    }
    // Without an ROI prior there is nothing to contract, but the interval stays.
    let (data, _) = strong_and_weak_channels(1);
    let mut spec = ModelSpec::default();
    spec.priors.roi_relative_sd = None;
    let doc = fit(&data, &spec, None).unwrap();
    assert!(doc.channels.iter().all(|c| c.roi_contraction.is_none() && c.roi_interval.is_some()));
}

#[test]
fn map_response_curves_carry_a_band_that_holds_the_truth() {
    for seed in [1, 2, 3] {
        let (data, truth) = strong_and_weak_channels(seed);
        let doc = fit(&data, &ModelSpec::default(), None).unwrap();
        // Half-width of the band relative to the response, at the point nearest current spend.
        let mut relative = [0.0; 2];
        for (i, c) in doc.channels.iter().enumerate() {
            assert_eq!(c.response_curve[0].interval, Some([0.0, 0.0]), "no spend, no response");
            for p in &c.response_curve[1..] {
                let [lo, hi] = p.interval.unwrap();
                assert!(lo <= p.response && p.response <= hi && lo < hi, "{}: {p:?}", c.name);
            }
            let near = c
                .response_curve
                .iter()
                .min_by(|a, b| {
                    (a.spend - c.current_spend).abs().total_cmp(&(b.spend - c.current_spend).abs())
                })
                .unwrap();
            let [lo, hi] = near.interval.unwrap();
            relative[i] = (hi - lo) / 2.0 / near.response;
            if i == 0 {
                // The true response at current spend, against the band at the model's expected
                // response there (the nearest point is within 2.5% of the spend range), widened
                // to 99% as for the marginal ROI above.
                let here = crate::optimize::Curves::of(&doc).response(0, c.current_spend);
                let sd = (hi - lo) / (2.0 * Z90);
                let z = (here - truth.response[0]).abs() / sd;
                assert!(z < 2.576, "seed {seed}: {here} ± {sd} vs {}", truth.response[0]);
            }
        }
        // Measured over seeds 1-8 (the band from the draws): 0.12-0.21 for the flighted channel
        // and 0.55-1.02 for the always-on one; the truth was inside the 90% band on 5 of the 8
        // (|z| 0.01-1.41, then 1.72, 1.72 and 2.56).
        assert!(
            relative[0] < 0.25 && relative[1] > 2.0 * relative[0],
            "seed {seed}: relative half-widths {relative:?}"
        );
    }
}

#[test]
fn map_curve_covariance_gives_the_curve_bands_back() {
    let (data, _) = strong_and_weak_channels(1);
    // With draws (the default) they carry the curves' uncertainty instead.
    let doc = fit(&data, &ModelSpec::default(), None).unwrap();
    assert!(doc.posterior.is_some() && doc.curve_covariance.is_none());
    // Without the ROI prior there is nothing to average over: the Laplace covariance stays.
    let mut spec = ModelSpec::default();
    spec.priors.roi_relative_sd = None;
    let doc = fit(&data, &spec, None).unwrap();
    assert!(doc.posterior.is_none());
    assert!(doc.channels.iter().all(|c| c.posterior_parameters.is_empty()));
    // The decomposition is then the MAP point's, which the document's parameters give back.
    for (c, series) in doc.channels.iter().zip(&doc.series.channels) {
        let total: f64 = series.contribution.iter().sum();
        assert!((total / c.contribution - 1.0).abs() < 1e-9, "{}", c.name);
    }
    for (p, f) in doc.predict().iter().zip(&doc.series.fitted) {
        assert!((p - f).abs() < 1e-9 * f.abs(), "{p} vs {f}");
    }
    let cov = doc.curve_covariance.as_ref().unwrap();
    assert_eq!(
        cov.parameters,
        ["tv.coefficient", "tv.half_saturation", "tv.shape", "search.coefficient"]
            .iter()
            .chain(&["search.half_saturation", "search.shape"])
            .map(|s| (*s).to_owned())
            .collect::<Vec<_>>()
    );
    let n = cov.parameters.len();
    for i in 0..n {
        assert!(cov.matrix[i][i] > 0.0, "{}", cov.parameters[i]);
        for j in 0..n {
            let (a, b) = (cov.matrix[i][j], cov.matrix[j][i]);
            assert!((a - b).abs() <= 1e-9 * (a.abs() + b.abs()), "not symmetric at {i}, {j}");
        }
    }
    // The band of a curve point, from the profiled response's derivative, and the delta method
    // over the curve parameters' covariance are two routes to the same variance.
    for (c, ch) in doc.channels.iter().enumerate() {
        for p in ch.response_curve.iter().skip(1).step_by(10) {
            let mut x = vec![0.0; doc.channels.len()];
            x[c] = p.spend;
            let g = CurveCovariance::response_gradient(&doc.channels, &x);
            let sd = cov.variance(&g).sqrt();
            let [_, hi] = p.interval.unwrap();
            let band_sd = (hi - p.response) / Z90;
            assert!(
                (sd - band_sd).abs() < 1e-3 * band_sd,
                "{} at {}: {sd} vs {band_sd}",
                ch.name,
                p.spend
            );
        }
        // Floored at zero only where the band reaches it.
        assert!(ch.response_curve.iter().all(|p| p.interval.unwrap()[0] >= 0.0));
        // Without draws the saturation point is the MAP curve's 90% point.
        assert!((ch.response(ch.saturation_point) / ch.coefficient - 0.9).abs() < 1e-9);
    }
    // The document keeps it through JSON, and refuses one that does not fit its channels.
    let back = ModelDocument::from_json(&doc.to_json()).unwrap();
    assert_eq!(back.curve_covariance, doc.curve_covariance);
    let mut broken = doc.clone();
    broken.curve_covariance.as_mut().unwrap().matrix.pop();
    assert!(ModelDocument::from_json(&broken.to_json()).is_err());
}

/// One big spender with a high ROI, three small flighted channels and one small always-on
/// channel the data barely see, each of the small ones with ROI 1; returns the data set and the
/// true ROIs (big spender first, the always-on channel last).
fn one_big_spender(seed: u64) -> (Dataset, Vec<f64>) {
    use crate::transforms::{geometric_weights, hill};
    let data = sim(seed, 0.04).dataset;
    let n = data.len();
    let mut rng = StdRng::seed_from_u64(seed);
    let mut draw = |level: f64, on: &dyn Fn(usize) -> bool| -> Vec<f64> {
        (0..n).map(|t| if on(t) { level * rng.random_range(0.7..1.3) } else { 0.0 }).collect()
    };
    let spends = vec![
        draw(100_000.0, &|t| t % 10 < 6),
        draw(10_000.0, &|t| (t + 3) % 8 < 4),
        draw(10_000.0, &|t| (t + 5) % 12 < 6),
        draw(10_000.0, &|t| t % 6 < 3),
        (0..n).map(|_| 8_000.0 * rng.random_range(0.9..1.1)).collect(),
    ];
    let rois = [3.0, 1.0, 1.0, 1.0, 1.0];
    let mut kpi = vec![0.0; n];
    for (spend, roi) in spends.iter().zip(rois) {
        let active: Vec<f64> = spend.iter().copied().filter(|v| *v > 0.0).collect();
        let scale = active.iter().sum::<f64>() / active.len() as f64;
        let w = geometric_weights(0.4, 8);
        let response: Vec<f64> = (0..n)
            .map(|t| {
                hill((0..=8.min(t)).map(|l| w[l] * spend[t - l]).sum::<f64>() / scale, 1.0, 1.5)
            })
            .collect();
        // The effect size that gives the channel its ROI over the data.
        let effect = roi * spend.iter().sum::<f64>() / response.iter().sum::<f64>();
        kpi.iter_mut().zip(&response).for_each(|(k, r)| *k += effect * r);
    }
    for k in &mut kpi {
        let noise: f64 = rand_distr::Distribution::sample(&rand_distr::StandardNormal, &mut rng);
        *k += 400_000.0 + 12_000.0 * noise;
    }
    (with_media(data, kpi, spends), rois.to_vec())
}

#[test]
fn a_weak_channel_is_pulled_towards_the_typical_channel_not_the_biggest_spender() {
    // The big spender returns 3 and carries 70% of the spend; every other channel returns 1.
    // The ROI prior's centre is the typical channel's ROI, so the channel the data barely see
    // lands near the others: 1.5-1.9 on these seeds. A centre at the true spend-weighted ROI
    // (about 2.5) pulls it to 2.4-2.9, and the prior's centre until session 7, the estimated
    // spend-weighted ROI, pulled it to 3.6 on seed 1.
    for seed in [1, 2, 3] {
        let (data, truth) = one_big_spender(seed);
        let doc = fit(&data, &ModelSpec::default(), None).unwrap();
        let big = &doc.channels[0];
        assert!((big.roi / truth[0] - 1.0).abs() < 0.1, "seed {seed}: big spender {}", big.roi);
        let weak = &doc.channels[4];
        assert!(weak.roi_contraction.is_some_and(|k| k < 0.5), "seed {seed}: {weak:?}");

        let spend_weighted = truth.iter().zip(&doc.channels).map(|(r, c)| r * c.spend).sum::<f64>()
            / doc.channels.iter().map(|c| c.spend).sum::<f64>();
        let mut centred_on_spend = ModelSpec::default();
        centred_on_spend.priors.roi_median = Some(spend_weighted);
        let old = fit(&data, &centred_on_spend, None).unwrap().channels[4].roi;
        let error = |roi: f64| (roi / truth[4] - 1.0).abs();
        assert!(weak.roi < 2.0, "seed {seed}: weak channel {}", weak.roi);
        assert!(
            error(weak.roi) < 0.6 * error(old),
            "seed {seed}: weak channel {} against {old} with the spend-weighted centre",
            weak.roi
        );
    }
}

#[test]
fn a_channel_dark_now_has_a_finite_marginal_roi_and_its_model_reloads() {
    // Radio spends nothing in the last 13 periods, so its marginal ROI is taken at 1% of its
    // scale. At zero spend a concave draw's slope is infinite: a Bayesian fit used to average it
    // into an infinite mROI, written as null, and the document could not be read back.
    let mut s = sim(2, 0.05);
    let n = s.dataset.len();
    s.dataset.channels[4].spend[n - 13..].iter_mut().for_each(|v| *v = 0.0);
    let settings = BayesSettings { chains: 2, draws: 150, tune: 150, keep: 100 };
    let map = fit(&s.dataset, &ModelSpec::default(), None).unwrap();
    let bayes = fit_bayes(&s.dataset, &ModelSpec::default(), &settings, None).unwrap();
    for doc in [&map, &bayes] {
        let c = &doc.channels[4];
        assert_eq!(c.current_spend, 0.0);
        let draws = doc.posterior.as_ref().unwrap();
        let concave = draws.iter().filter(|d| match d.channels[4].saturation {
            crate::transforms::Saturation::Hill { shape, .. } => shape.get() < 1.0,
            crate::transforms::Saturation::Logistic { .. } => true,
        });
        // Seen: 22 of 200 (MAP) and 18 of 100 (NUTS); without them this would test nothing.
        assert!(concave.count() > 0, "{:?}: no concave draw", doc.method);
        let [lo, hi] = c.mroi_interval.unwrap();
        assert!(c.mroi.is_finite() && lo.is_finite() && hi.is_finite(), "{c:?}");
        if doc.method == crate::document::Method::Bayes {
            // The mean over the draws of the slope at 1% of the scale.
            let slope = |d: &crate::document::PosteriorDraw| {
                d.channels[4].coefficient * d.channels[4].saturation.slope(0.01) / c.scale
            };
            let mean = draws.iter().map(slope).sum::<f64>() / draws.len() as f64;
            assert!((c.mroi - mean).abs() <= 1e-9 * mean, "{} vs {mean}", c.mroi);
        }
        let back = ModelDocument::from_json(&doc.to_json()).unwrap();
        assert_eq!(back.channels[4].mroi, c.mroi);
    }
}

#[test]
fn a_channel_fitted_on_its_media_units_sees_through_their_price() {
    // The channels buy impressions at a price that drifts (about ±20%) and swings over the
    // year, and the KPI follows the impressions: the same spend buys more response when media
    // is cheap.
    let s = simulate(&SimConfig {
        seed: 42,
        noise: 0.01,
        channels: 3,
        media_units: true,
        ..SimConfig::default()
    });
    let spec = ModelSpec::default();
    let doc = fit(&s.dataset, &spec, None).unwrap();
    for (ch, series) in s.dataset.channels.iter().zip(&doc.series.channels) {
        // The transforms applied to the units at the data's average price, which the
        // document keeps to score files that give units.
        let units = &ch.media.as_ref().unwrap().values;
        let spend: f64 = ch.spend.iter().sum();
        let rate = spend / units.iter().sum::<f64>();
        assert!((series.input_per_media.unwrap() / rate - 1.0).abs() < 1e-12);
        let input = series.input.as_ref().unwrap();
        for (x, u) in input.iter().zip(units) {
            assert!((x - u * rate).abs() <= 1e-9 * x.abs().max(1.0));
        }
        assert!((input.iter().sum::<f64>() / spend - 1.0).abs() < 1e-9);
        assert_eq!(series.spend, ch.spend);
    }

    // The simulator normalises the price so that the spend adds up to what the units are
    // worth at their average price: fitted on the units, each channel gets the ROI of a market
    // where it had spent exactly that worth each period.
    let mut at_average_price = s.clone();
    for (ch, t) in at_average_price.dataset.channels.iter_mut().zip(&s.truth.channels) {
        let per = t.units_per_input.unwrap();
        ch.spend = ch.media.take().unwrap().values.iter().map(|u| u / per).collect();
    }
    let same = fit(&at_average_price.dataset, &spec, None).unwrap();
    for (a, b) in doc.channels.iter().zip(&same.channels) {
        assert!((a.roi / b.roi - 1.0).abs() < 0.01, "{}: {} against {}", a.name, a.roi, b.roi);
    }

    // Fitted on the spend alone, the model takes the price swings for noise.
    let mut spend_only = s.clone();
    spend_only.dataset.channels.iter_mut().for_each(|c| c.media = None);
    let on_spend = fit(&spend_only.dataset, &spec, None).unwrap();
    assert!(
        on_spend.fit.nrmse > 1.5 * doc.fit.nrmse,
        "{} against {}",
        on_spend.fit.nrmse,
        doc.fit.nrmse
    );
}

#[test]
fn an_interval_widens_as_a_normals_would() {
    // Around 2 with sides 1 and 1.5, plus a variance of 0.04 (sd 0.2, z₉₀ · 0.2 = 0.329):
    // √(1 + 0.1082) = 1.0527 and √(2.25 + 0.1082) = 1.5357.
    let [lo, hi] = super::widen(2.0, [1.0, 3.5], 0.04);
    let z = super::Z90 * 0.2;
    assert!((lo - (2.0 - (1.0 + z * z).sqrt())).abs() < 1e-12, "{lo}");
    assert!((hi - (2.0 + (2.25 + z * z).sqrt())).abs() < 1e-12, "{hi}");
    assert!((2.0 - lo - 1.052_7).abs() < 1e-4 && (hi - 2.0 - 1.535_65).abs() < 1e-4);
    // No extra variance, no change; and never below zero.
    assert_eq!(super::widen(2.0, [1.0, 3.5], 0.0), [1.0, 3.5]);
    assert_eq!(super::widen(0.1, [0.0, 0.5], 1.0)[0], 0.0);
}

#[test]
fn a_holdouts_media_prices_do_not_move_the_fit() {
    // Channels fitted on media units: the units' average price comes from the fitting window,
    // so the holdout's spend and units change nothing fitted.
    let s =
        simulate(&SimConfig { seed: 9, noise: 0.04, media_units: true, ..SimConfig::default() });
    let spec = ModelSpec { holdout: 13, ..ModelSpec::default() };
    let a = fit(&s.dataset, &spec, None).unwrap();
    let mut changed = s.dataset.clone();
    let n = changed.len();
    for c in &mut changed.channels {
        c.spend[n - 13..].iter_mut().for_each(|v| *v *= 0.5);
        c.media.as_mut().unwrap().values[n - 13..].iter_mut().for_each(|v| *v *= 2.0);
    }
    let b = fit(&changed, &spec, None).unwrap();
    for ((x, y), (sx, sy)) in
        a.channels.iter().zip(&b.channels).zip(a.series.channels.iter().zip(&b.series.channels))
    {
        assert_eq!(x.coefficient, y.coefficient);
        assert_eq!(x.adstock, y.adstock);
        assert_eq!(sx.input_per_media, sy.input_per_media);
        // The rate is the fitting window's: the input adds up to the spend there.
        let input = sx.input.as_ref().unwrap();
        let fitted: f64 = input[..n - 13].iter().sum();
        assert!((fitted / sx.spend[..n - 13].iter().sum::<f64>() - 1.0).abs() < 1e-9);
    }
}
