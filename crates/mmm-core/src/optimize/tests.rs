use super::*;
use crate::params::{HalfSaturation, HillShape};
use crate::simulate::{SimConfig, simulate};
use crate::transforms::Saturation;
use crate::{ModelSpec, fit};
use proptest::prelude::*;
use std::sync::OnceLock;

/// A fitted document to use as a template: its channels are replaced by known curves, and its
/// posterior draws dropped so that the curves are those.
fn template(channels: usize) -> ModelDocument {
    static DOCS: OnceLock<Vec<ModelDocument>> = OnceLock::new();
    let docs = DOCS.get_or_init(|| {
        (1..=4)
            .map(|c| {
                let s = simulate(&SimConfig { periods: 60, channels: c, ..SimConfig::default() });
                fit(&s.dataset, &ModelSpec { starts: 1, ..ModelSpec::default() }, None).unwrap()
            })
            .collect()
    });
    let mut d = docs[channels - 1].clone();
    d.posterior = None;
    d
}

/// (coefficient, half-saturation K, shape S, scale, current spend) per channel.
fn doc(curves: &[(f64, f64, f64, f64, f64)]) -> ModelDocument {
    let mut d = template(curves.len());
    for (c, &(beta, k, s, scale, current)) in d.channels.iter_mut().zip(curves) {
        c.coefficient = beta;
        c.saturation = Saturation::Hill {
            half_saturation: HalfSaturation::new(k).unwrap(),
            shape: HillShape::new(s).unwrap(),
        };
        c.scale = scale;
        c.current_spend = current;
    }
    d
}

/// Gives `d` a curve covariance in which only the coefficients are uncertain, independently,
/// with standard deviations `sds`.
fn uncertain_coefficients(d: &mut ModelDocument, sds: &[f64]) {
    let labels = CurveCovariance::labels(&d.channels);
    let mut matrix = vec![vec![0.0; labels.len()]; labels.len()];
    for (c, sd) in sds.iter().enumerate() {
        let name = format!("{}.coefficient", d.channels[c].name);
        let i = labels.iter().position(|l| *l == name).unwrap();
        matrix[i][i] = sd * sd;
    }
    d.curve_covariance = Some(CurveCovariance { parameters: labels, matrix });
}

fn total(d: &ModelDocument, x: &[f64]) -> f64 {
    d.channels.iter().zip(x).map(|(c, v)| c.response(*v)).sum()
}

/// Exhaustive search over allocations on a grid of `steps` units (spend all).
fn brute_force(d: &ModelDocument, budget: f64, steps: usize) -> f64 {
    let n = d.channels.len();
    let step = budget / steps as f64;
    let mut best = f64::NEG_INFINITY;
    let mut units = vec![0usize; n];
    loop {
        let used: usize = units[..n - 1].iter().sum();
        if used <= steps {
            units[n - 1] = steps - used;
            let x: Vec<f64> = units.iter().map(|u| *u as f64 * step).collect();
            best = best.max(total(d, &x));
        }
        // Next combination of the first n-1 channels.
        let mut i = 0;
        loop {
            if i == n - 1 {
                return best;
            }
            units[i] += 1;
            if units[..n - 1].iter().sum::<usize>() <= steps {
                break;
            }
            units[i] = 0;
            i += 1;
        }
    }
}

#[test]
fn matches_brute_force_on_small_problems() {
    let d = doc(&[
        (100.0, 1.0, 1.0, 10.0, 8.0),
        (60.0, 2.0, 2.5, 5.0, 6.0),
        (150.0, 0.5, 1.5, 20.0, 6.0),
    ]);
    for budget in [5.0, 20.0, 40.0, 90.0] {
        let opt = optimize(&d, budget, &Constraints::default()).unwrap();
        let brute = brute_force(&d, budget, 300);
        assert!(
            opt.optimized_response >= brute - 1e-9 * brute.abs(),
            "budget {budget}: {} < {brute}",
            opt.optimized_response
        );
        // The bound really bounds: the brute-force optimum is within it.
        assert!(brute <= opt.optimized_response + opt.gap_bound + 1e-9);
        assert!((opt.spent - budget).abs() < 1e-9 * budget);
    }
}

#[test]
fn map_recommendations_say_how_likely_they_beat_the_current_split() {
    let mut d = doc(&[(100.0, 1.0, 1.0, 10.0, 8.0), (60.0, 2.0, 2.5, 5.0, 6.0)]);
    // Only the coefficients are uncertain (sd 20 and 15), independently.
    uncertain_coefficients(&mut d, &[20.0, 15.0]);
    let opt = optimize(&d, 14.0, &Constraints::default()).unwrap();
    // By hand: the uplift is 100 Δh₀ + 60 Δh₁, with Δh the change of each Hill curve between
    // the current and the recommended spend, and its variance 400 Δh₀² + 225 Δh₁².
    let h = |x: f64, k: f64, s: f64| x.powf(s) / (x.powf(s) + k.powf(s));
    let (x0, x1) = (opt.allocation[0].recommended, opt.allocation[1].recommended);
    let dh0 = h(x0 / 10.0, 1.0, 1.0) - h(0.8, 1.0, 1.0);
    let dh1 = h(x1 / 5.0, 2.0, 2.5) - h(6.0 / 5.0, 2.0, 2.5);
    assert!((opt.uplift - (100.0 * dh0 + 60.0 * dh1)).abs() < 1e-9);
    assert!(opt.uplift > 0.0);
    let sd = (400.0 * dh0 * dh0 + 225.0 * dh1 * dh1).sqrt();
    let p = opt.probability_better.unwrap();
    assert!((p - crate::summary::normal_cdf(opt.uplift / sd)).abs() < 1e-12, "{p}");
    assert!(p > 0.5 && p < 1.0, "{p}");
    let [lo, hi] = opt.uplift_interval.unwrap();
    assert!(
        (lo - (opt.uplift - Z90 * sd)).abs() < 1e-9 && (hi - (opt.uplift + Z90 * sd)).abs() < 1e-9
    );

    // A certain model is sure of a positive uplift.
    for row in &mut d.curve_covariance.as_mut().unwrap().matrix {
        row.iter_mut().for_each(|v| *v = 0.0);
    }
    assert_eq!(optimize(&d, 14.0, &Constraints::default()).unwrap().probability_better, Some(1.0));
    // A covariance that belongs to other channels is not used.
    d.curve_covariance.as_mut().unwrap().parameters[0] = "other.coefficient".to_owned();
    let opt = optimize(&d, 14.0, &Constraints::default()).unwrap();
    assert!(opt.probability_better.is_none() && opt.uplift_interval.is_none());
}

#[test]
fn a_new_budget_is_also_compared_with_the_current_mix_at_that_budget() {
    let mut d = doc(&[(100.0, 1.0, 1.0, 10.0, 8.0), (60.0, 2.0, 2.5, 5.0, 6.0)]);
    uncertain_coefficients(&mut d, &[20.0, 15.0]);
    let h = |x: f64, k: f64, s: f64| x.powf(s) / (x.powf(s) + k.powf(s));
    // Twice the current total of 14: the current mix is 16 and 12.
    let opt = optimize(&d, 28.0, &Constraints::default()).unwrap();
    let mix = opt.current_mix.clone().expect("a new budget");
    assert!((mix.spend - 28.0).abs() < 1e-9);
    let response = 100.0 * h(1.6, 1.0, 1.0) + 60.0 * h(12.0 / 5.0, 2.0, 2.5);
    assert!((mix.response - response).abs() < 1e-9, "{} {response}", mix.response);
    assert!((mix.uplift - (opt.optimized_response - response)).abs() < 1e-9);
    assert!((mix.uplift_pct - mix.uplift / response).abs() < 1e-12);
    // The optimum at 28 is at least the scaled mix, and the mix beats the current allocation.
    assert!(mix.uplift >= 0.0 && mix.response > opt.current_response);
    // By hand, as for the uplift: variance 400 Δh₀² + 225 Δh₁² between the two splits.
    let (x0, x1) = (opt.allocation[0].recommended, opt.allocation[1].recommended);
    let dh0 = h(x0 / 10.0, 1.0, 1.0) - h(1.6, 1.0, 1.0);
    let dh1 = h(x1 / 5.0, 2.0, 2.5) - h(12.0 / 5.0, 2.0, 2.5);
    let sd = (400.0 * dh0 * dh0 + 225.0 * dh1 * dh1).sqrt();
    let p = mix.probability_better.unwrap();
    assert!((p - crate::summary::normal_cdf(mix.uplift / sd)).abs() < 1e-9, "{p}");
    let [lo, hi] = mix.uplift_interval.unwrap();
    assert!(
        (lo - (mix.uplift - Z90 * sd)).abs() < 1e-9 && (hi - (mix.uplift + Z90 * sd)).abs() < 1e-9
    );
    // Spending less: the mix is scaled down (7 and 5 at half the total).
    let opt = optimize(&d, 7.0, &Constraints::default()).unwrap();
    let mix = opt.current_mix.expect("a new budget");
    assert!((mix.response - (100.0 * h(0.4, 1.0, 1.0) + 60.0 * h(0.6, 2.0, 2.5))).abs() < 1e-9);
    // At the current total, or within half a percent of it, the current mix is the current
    // allocation, and the uplift already says it.
    assert_eq!(optimize(&d, 14.0, &Constraints::default()).unwrap().current_mix, None);
    assert_eq!(optimize(&d, 14.06, &Constraints::default()).unwrap().current_mix, None);
    // Leaving budget unspent compares at what is spent: channels capped at 9 in all.
    let capped = Constraints {
        spend_all: Some(false),
        max: [("tv".to_owned(), 5.0), ("search".to_owned(), 4.0)].into(),
        ..Constraints::default()
    };
    let names: Vec<&str> = d.channels.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["tv", "search"]);
    let opt = optimize(&d, 28.0, &capped).unwrap();
    let mix = opt.current_mix.expect("spends 9 of 14");
    // (On the grid's cells: just under 9.)
    assert!(opt.spent > 8.9 && opt.spent <= 9.0 + 1e-9, "{}", opt.spent);
    assert!((mix.spend - opt.spent).abs() < 1e-9);
}

#[test]
fn frontier_points_carry_the_response_interval() {
    let mut d = doc(&[(100.0, 1.0, 1.0, 10.0, 8.0), (60.0, 2.0, 2.5, 5.0, 6.0)]);
    // The coefficients' sds are 20 and 15, independent: the response Σ β h has sd
    // √(400 h₀² + 225 h₁²).
    uncertain_coefficients(&mut d, &[20.0, 15.0]);
    let points = frontier(&d, 14.0, &Constraints::default(), 5).unwrap();
    let h = |x: f64, k: f64, s: f64| x.powf(s) / (x.powf(s) + k.powf(s));
    for p in &points {
        let (x0, x1) = (p.allocation[0].recommended, p.allocation[1].recommended);
        let (h0, h1) = (h(x0 / 10.0, 1.0, 1.0), h(x1 / 5.0, 2.0, 2.5));
        let sd = (400.0 * h0 * h0 + 225.0 * h1 * h1).sqrt();
        let [lo, hi] = p.response_interval.unwrap();
        assert!((hi - (p.response + Z90 * sd)).abs() < 1e-9, "{p:?}");
        assert!((lo - (p.response - Z90 * sd).max(0.0)).abs() < 1e-9, "{p:?}");
    }
    d.curve_covariance = None;
    assert!(frontier(&d, 14.0, &Constraints::default(), 3).unwrap()[0].response_interval.is_none());
}

#[test]
fn expected_curves_are_the_mean_over_the_draws() {
    use crate::document::{DrawChannel, PosteriorDraw};
    use crate::params::LogisticRate;
    // Channel 0 Hill, channel 1 logistic; the draws repeat their curves in runs (as a MAP fit's
    // resampled draws do) with different coefficients, and one run comes back later.
    let mut d = doc(&[(100.0, 1.0, 1.5, 10.0, 8.0), (60.0, 1.0, 1.0, 5.0, 6.0)]);
    let hill = |k: f64, s: f64| Saturation::Hill {
        half_saturation: HalfSaturation::new(k).unwrap(),
        shape: HillShape::new(s).unwrap(),
    };
    let logistic = |rate: f64| Saturation::Logistic { rate: LogisticRate::new(rate).unwrap() };
    let runs =
        [(0.8, 2.5, 0.5), (0.8, 2.5, 0.5), (1.3, 0.7, 2.0), (0.8, 2.5, 0.5), (2.0, 1.0, 1.0)];
    let draws: Vec<PosteriorDraw> = runs
        .iter()
        .enumerate()
        .map(|(j, &(k, s, rate))| PosteriorDraw {
            sigma: 1.0,
            channels: vec![
                DrawChannel {
                    coefficient: 90.0 + 7.0 * j as f64,
                    adstock: d.channels[0].adstock,
                    saturation: hill(k, s),
                },
                DrawChannel {
                    coefficient: 50.0 + 3.0 * j as f64,
                    adstock: d.channels[1].adstock,
                    saturation: logistic(rate),
                },
            ],
        })
        .collect();
    d.posterior = Some(draws.clone());
    let curves = Curves::of(&d);
    for (i, c) in d.channels.iter().enumerate() {
        for x in [0.0, 1e-6, 0.5, 3.0, 8.0, 40.0, 1e4] {
            let z = x / c.scale;
            let n = draws.len() as f64;
            let response: f64 = draws
                .iter()
                .map(|d| d.channels[i].coefficient * d.channels[i].saturation.value(z))
                .sum::<f64>()
                / n;
            // The marginal ROI is taken at no less than 1% of the scale.
            let zm = crate::document::marginal_input(x, c.scale);
            assert!(zm >= 0.01 && (x < 0.01 * c.scale || zm == z));
            let slope: f64 = draws
                .iter()
                .map(|d| d.channels[i].coefficient * d.channels[i].saturation.slope(zm))
                .sum::<f64>()
                / (n * c.scale);
            let (r, m) = (curves.response(i, x), curves.marginal(i, x));
            assert!(
                (r - response).abs() <= 1e-12 * response.abs().max(1e-300),
                "{i} at {x}: {r} vs {response}"
            );
            assert!(
                (m - slope).abs() <= 1e-12 * slope.abs() || m == slope,
                "{i} at {x}: {m} vs {slope}"
            );
        }
    }
}

#[test]
fn s_shaped_curves_defeat_greedy_but_not_the_optimizer() {
    // Channel 0: concave, small. Channel 1: strongly S-shaped with a large effect. Its marginal
    // return at zero is zero, so a greedy marginal split never funds it.
    let d = doc(&[(30.0, 1.0, 1.0, 10.0, 10.0), (200.0, 3.0, 4.0, 10.0, 10.0)]);
    let budget = 60.0;
    // Greedy: give each small step to the channel with the larger marginal return.
    let mut x = [0.0, 0.0];
    let step = budget / 600.0;
    for _ in 0..600 {
        let m0 = d.channels[0].marginal_roi(x[0]);
        let m1 = d.channels[1].marginal_roi(x[1]);
        if m0 >= m1 { x[0] += step } else { x[1] += step }
    }
    let greedy = total(&d, &x);
    let opt = optimize(&d, budget, &Constraints::default()).unwrap();
    let brute = brute_force(&d, budget, 600);
    assert!(x[1] < 1e-9, "greedy never funds the S-shaped channel");
    assert!(opt.optimized_response > 2.0 * greedy, "{} vs greedy {greedy}", opt.optimized_response);
    assert!((opt.optimized_response - brute).abs() <= 1e-6 * brute + opt.gap_bound);
    assert!(opt.allocation[1].recommended > 30.0);
}

#[test]
fn infeasible_or_invalid_constraints_are_refused() {
    let d = doc(&[(100.0, 1.0, 1.0, 10.0, 8.0), (60.0, 2.0, 2.5, 5.0, 6.0)]);
    let name = |i: usize| d.channels[i].name.clone();
    let with = |f: &dyn Fn(&mut Constraints)| {
        let mut c = Constraints::default();
        f(&mut c);
        c
    };
    let cases: Vec<(f64, Constraints, &str)> = vec![
        (
            10.0,
            with(&|c| {
                c.min.insert(name(0), 8.0);
                c.min.insert(name(1), 5.0);
            }),
            "minimums (and locks) add up to 13",
        ),
        (
            10.0,
            with(&|c| {
                c.min.insert(name(0), 6.0);
                c.max.insert(name(0), 4.0);
            }),
            "minimum 6 is above maximum 4",
        ),
        (
            10.0,
            with(&|c| {
                c.max.insert(name(0), 3.0);
                c.max.insert(name(1), 3.0);
            }),
            "maximums (and locks) add up to 6",
        ),
        (
            10.0,
            with(&|c| {
                c.lock.insert("radio".into(), 1.0);
            }),
            "unknown channel 'radio'",
        ),
        (
            10.0,
            with(&|c| {
                c.lock.insert(name(0), 1.0);
                c.min.insert(name(0), 1.0);
            }),
            "is locked and also given a min or max",
        ),
        (
            10.0,
            with(&|c| {
                c.max.insert(name(1), -1.0);
            }),
            "must be a non-negative number",
        ),
        (-5.0, Constraints::default(), "budget must be a non-negative number"),
        (f64::NAN, Constraints::default(), "budget must be a non-negative number"),
    ];
    for (budget, c, message) in cases {
        let err = optimize(&d, budget, &c).unwrap_err().to_string();
        assert!(err.contains(message), "{err} should say {message}");
    }
    // The frontier names the budget it was given, not its first step (half of it).
    let err = frontier(&d, -1.0, &Constraints::default(), 11).unwrap_err().to_string();
    assert!(err.contains("budget must be a non-negative number, got -1"), "{err}");
    // Up-to mode accepts maximums below the budget and leaves the rest unspent.
    let mut c = with(&|c| {
        c.max.insert(name(0), 3.0);
        c.max.insert(name(1), 3.0);
    });
    c.spend_all = Some(false);
    let opt = optimize(&d, 10.0, &c).unwrap();
    assert!((opt.spent - 6.0).abs() < 1e-9);
}

#[test]
fn bounds_relative_to_current_and_locks_hold() {
    let d = doc(&[
        (100.0, 1.0, 1.0, 10.0, 8.0),
        (60.0, 2.0, 2.5, 5.0, 6.0),
        (150.0, 0.5, 1.5, 20.0, 6.0),
    ]);
    let mut c = Constraints { bounds_pct: Some(0.5), ..Constraints::default() };
    c.lock.insert(d.channels[2].name.clone(), 6.0);
    let opt = optimize(&d, 20.0, &c).unwrap();
    for (a, ch) in opt.allocation.iter().zip(&d.channels) {
        if a.locked {
            assert_eq!(a.recommended, 6.0);
        } else {
            assert!(
                a.recommended >= 0.5 * ch.current_spend - 1e-9
                    && a.recommended <= 1.5 * ch.current_spend + 1e-9
            );
        }
    }
    assert!((opt.spent - 20.0).abs() < 1e-9);
    // The current allocation (8 + 6 + 6 = 20) is feasible, so the optimum is no worse.
    assert!(opt.uplift >= -1e-9, "{}", opt.uplift);
}

#[test]
fn frontier_is_non_decreasing_and_target_mroi_holds() {
    let d = doc(&[
        (100.0, 1.0, 1.0, 10.0, 8.0),
        (60.0, 2.0, 2.5, 5.0, 6.0),
        (150.0, 0.5, 1.5, 20.0, 6.0),
    ]);
    let points = frontier(&d, 20.0, &Constraints::default(), 11).unwrap();
    assert_eq!(points.len(), 11);
    assert!((points[0].budget - 10.0).abs() < 1e-12 && (points[10].budget - 30.0).abs() < 1e-12);
    assert!(points.windows(2).all(|w| w[1].response >= w[0].response - 1e-9));

    let target = budget_for_target_mroi(&d, 2.0, &Constraints::default(), 1000.0).unwrap();
    let opt = &target.optimization;
    assert!(opt.allocation.iter().filter(|a| a.recommended > 1e-9).all(|a| a.mroi >= 2.0 - 1e-6));
    // A little more budget pushes some funded channel below the target.
    let more = optimize(&d, opt.budget * 1.05, &Constraints::default()).unwrap();
    assert!(more.allocation.iter().filter(|a| a.recommended > 1e-9).any(|a| a.mroi < 2.0));
}

#[test]
fn scenarios_evaluate_given_allocations() {
    let d = doc(&[(100.0, 1.0, 1.0, 10.0, 8.0), (60.0, 2.0, 2.5, 5.0, 6.0)]);
    let mut spend = BTreeMap::new();
    spend.insert(d.channels[0].name.clone(), 12.0);
    let results = scenarios(&d, &[("more of the first".to_owned(), spend)]).unwrap();
    let r = &results[0];
    let expected = d.channels[0].response(12.0) + d.channels[1].response(6.0);
    assert!((r.response - expected).abs() < 1e-12);
    assert_eq!(r.spend, 18.0);
    let current = d.channels[0].response(8.0) + d.channels[1].response(6.0);
    assert!((r.uplift - (expected - current)).abs() < 1e-12);
    // 18 against the current 14: the current mix scaled by 18/14, and the scenario's gain on it.
    let mix = r.current_mix.as_ref().expect("another total");
    let scaled =
        d.channels[0].response(8.0 * 18.0 / 14.0) + d.channels[1].response(6.0 * 18.0 / 14.0);
    assert!(
        (mix.response - scaled).abs() < 1e-12 && (mix.uplift - (expected - scaled)).abs() < 1e-12
    );
    assert_eq!(mix.spend, 18.0);
    // With only the first coefficient uncertain (sd 20 against 100), the uplift 100 Δh has sd
    // 20 Δh: a chance of Φ(5) and an interval of ±1.645 x 20% around it.
    let mut d = d;
    uncertain_coefficients(&mut d, &[20.0, 0.0]);
    let mut spend = BTreeMap::new();
    spend.insert(d.channels[0].name.clone(), 12.0);
    let now = ("now".to_owned(), BTreeMap::new());
    let results = scenarios(&d, &[now, ("more".to_owned(), spend)]).unwrap();
    assert!(results[0].probability_better.is_none(), "the current split is not compared to itself");
    assert!(results[0].current_mix.is_none(), "nor scaled to its own total");
    let r = &results[1];
    assert!((r.probability_better.unwrap() - crate::summary::normal_cdf(5.0)).abs() < 1e-12);
    let [lo, hi] = r.uplift_interval.unwrap();
    assert!(
        (lo - r.uplift * (1.0 - 0.2 * Z90)).abs() < 1e-9
            && (hi - r.uplift * (1.0 + 0.2 * Z90)).abs() < 1e-9
    );
    let mut bad = BTreeMap::new();
    bad.insert("radio".to_owned(), 1.0);
    assert_eq!(
        scenarios(&d, &[("x".into(), bad)]).unwrap_err(),
        OptimizeError::UnknownChannel("radio".into())
    );
}

fn curves() -> impl Strategy<Value = Vec<(f64, f64, f64, f64, f64)>> {
    proptest::collection::vec(
        (1.0..500.0f64, 0.2..5.0f64, 0.5..4.0f64, 1.0..50.0f64, 0.0..40.0f64),
        2..5,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_problems_respect_every_constraint(c in curves(), budget in 1.0..200.0f64, pct in 0.1..1.0f64, lock_first in any::<bool>()) {
        let d = doc(&c);
        let mut cons = Constraints::default();
        if lock_first {
            cons.lock.insert(d.channels[0].name.clone(), d.channels[0].current_spend.min(budget));
        }
        let opt = optimize(&d, budget, &cons).unwrap();
        prop_assert!((opt.spent - budget).abs() <= 1e-9 * budget.max(1.0));
        for a in &opt.allocation {
            prop_assert!(a.recommended >= a.min - 1e-9);
            prop_assert!(a.max.is_none_or(|m| a.recommended <= m + 1e-9));
            if a.locked { prop_assert_eq!(a.recommended, a.min); }
        }
        // Relative bounds around the current spend; the current allocation is feasible when
        // the budget equals current total spend.
        let current_total: f64 = d.channels.iter().map(|ch| ch.current_spend).sum();
        if current_total > 0.0 {
            let cons = Constraints { bounds_pct: Some(pct), ..Constraints::default() };
            let opt = optimize(&d, current_total, &cons).unwrap();
            prop_assert!(opt.uplift >= -1e-9 * opt.current_response.abs().max(1.0));
        }
        // More budget never lowers the optimum.
        let more = optimize(&d, budget * 1.2, &Constraints::default()).unwrap();
        let less = optimize(&d, budget, &Constraints::default()).unwrap();
        prop_assert!(more.optimized_response >= less.optimized_response - less.gap_bound - 1e-9);
    }

    #[test]
    fn any_curve_covariance_gives_coherent_odds(
        c in curves(),
        budget in 1.0..200.0f64,
        entries in proptest::collection::vec(-1.0..1.0f64, 144),
    ) {
        let mut d = doc(&c);
        // A random positive semi-definite covariance L Lᵀ, coefficients on their own scale.
        let labels = CurveCovariance::labels(&d.channels);
        let n = labels.len();
        let scale: Vec<f64> = labels.iter().map(|l| if l.ends_with("coefficient") { 50.0 } else { 0.5 }).collect();
        let l = |i: usize, j: usize| scale[i] * entries[i * 12 + j];
        let matrix: Vec<Vec<f64>> = (0..n)
            .map(|i| (0..n).map(|j| (0..n).map(|k| l(i, k) * l(j, k)).sum()).collect())
            .collect();
        d.curve_covariance = Some(CurveCovariance { parameters: labels, matrix });
        let opt = optimize(&d, budget, &Constraints::default()).unwrap();
        let p = opt.probability_better.unwrap();
        let [lo, hi] = opt.uplift_interval.unwrap();
        prop_assert!((0.0..=1.0).contains(&p));
        prop_assert!(lo <= opt.uplift && opt.uplift <= hi);
        // Both come from one normal approximation: the interval lies above zero exactly when
        // the chance is over 95%, below it when under 5% (up to Φ's accuracy).
        if lo > 0.0 {
            prop_assert!(p > 0.95 - 1e-6, "{p} with [{lo}, {hi}]");
        } else if hi < 0.0 {
            prop_assert!(p < 0.05 + 1e-6, "{p} with [{lo}, {hi}]");
        } else if hi > lo {
            prop_assert!((0.05 - 1e-6..=0.95 + 1e-6).contains(&p), "{p} with [{lo}, {hi}]");
        }
        for point in frontier(&d, budget, &Constraints::default(), 3).unwrap() {
            let [lo, hi] = point.response_interval.unwrap();
            prop_assert!(0.0 <= lo && lo <= point.response && point.response <= hi);
        }
    }
}
