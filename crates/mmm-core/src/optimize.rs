//! Budget optimisation over a fitted model's steady-state response curves.
//!
//! Maximise `Σ_c r_c(x_c)` subject to `Σ_c x_c = B` (or `≤ B`) and `lo_c ≤ x_c ≤ hi_c`, where
//! `r_c(x) = β_c · sat_c(x / scale_c)` is channel c's long-run response to a constant spend `x`
//! per period. Hill curves with shape > 1 are S-shaped, so the problem is not concave and a
//! greedy marginal split or a local gradient method can stop far from the optimum. The solver
//! therefore works in two steps:
//!
//! 1. **Exact dynamic programming on a grid.** The budget above the channels' minimums, `R`, is cut
//!    into `G` units of `Δ = R / G`; `best_c(g)` is the best response of the first c channels
//!    with g units. This is the global optimum over all grid allocations, whatever the curves'
//!    shapes.
//! 2. **Local refinement** off the grid: pairwise transfers from the channel with the lowest
//!    marginal return to the one with the highest, each by a golden-section line search, until
//!    no transfer helps.
//!
//! **Optimality gap.** Every response curve is non-decreasing, so rounding the (unknown)
//! continuous optimum down to the grid loses at most `Σ_c s_c Δ`, where `s_c` is the channel's
//! largest secant slope over one grid cell. Hence `DP value + Σ_c s_c Δ` bounds the optimum from
//! above, and `gap_bound` = that bound minus the returned response is a guaranteed bound on how
//! much better any allocation could do.

use crate::document::{ChannelResult, CurveCovariance, Interval, ModelDocument, PosteriorDraw};
use crate::fit::Z90;
use crate::transforms::Saturation;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Grid units of the dynamic programme (accuracy versus time: about 1 ms per channel).
pub const DEFAULT_GRID: usize = 1000;

/// Constraints of an optimisation. Amounts are spend per period.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Constraints {
    /// Spend the whole budget (`true`, default) or up to it (`false`: budget may stay unspent
    /// when every channel is at its maximum).
    pub spend_all: Option<bool>,
    /// Bounds for every channel relative to its current spend: 0.5 allows ±50%.
    pub bounds_pct: Option<f64>,
    /// Absolute minimum per channel.
    pub min: BTreeMap<String, f64>,
    /// Absolute maximum per channel.
    pub max: BTreeMap<String, f64>,
    /// Channels held at a given spend.
    pub lock: BTreeMap<String, f64>,
}

/// Why an optimisation was refused. Nothing is repaired silently.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OptimizeError {
    /// A constraint names a channel the model does not have.
    #[error("unknown channel '{0}'")]
    UnknownChannel(String),
    /// A value is negative, not finite, or out of range.
    #[error("{0}")]
    Invalid(String),
    /// The constraints cannot all hold.
    #[error("infeasible: {0}")]
    Infeasible(String),
}

/// One channel's line of an allocation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AllocationLine {
    /// Channel.
    pub name: String,
    /// Current spend per period (mean of the last quarter: 13 weeks, 91 days or 3 months).
    pub current: f64,
    /// Recommended spend per period.
    pub recommended: f64,
    /// Lower bound applied.
    pub min: f64,
    /// Upper bound applied (`null` when unbounded).
    pub max: Option<f64>,
    /// Held at a fixed spend.
    pub locked: bool,
    /// Steady-state response per period at the current spend.
    pub current_response: f64,
    /// Steady-state response per period at the recommended spend.
    pub expected_response: f64,
    /// Marginal ROI at the recommended spend.
    pub mroi: f64,
}

/// The result of an optimisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Optimization {
    /// Budget per period.
    pub budget: f64,
    /// Spend per period allocated (equals the budget unless `spend_all` is false).
    pub spent: f64,
    /// Per channel.
    pub allocation: Vec<AllocationLine>,
    /// Response per period of the current allocation.
    pub current_response: f64,
    /// Response per period of the recommended allocation.
    pub optimized_response: f64,
    /// `optimized_response − current_response`.
    pub uplift: f64,
    /// Uplift relative to the current response.
    pub uplift_pct: f64,
    /// No allocation satisfying the constraints can beat `optimized_response` by more than this.
    pub gap_bound: f64,
    /// How likely the recommended allocation is to give more response than the current one:
    /// the share of posterior draws in which it does (every fit with an ROI prior, and
    /// imports), or `Φ(uplift / sd)` by the delta method over the Laplace covariance of the
    /// curves (MAP fits without draws).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability_better: Option<f64>,
    /// 90% interval of the uplift, over the posterior draws or (MAP fits without draws) by the
    /// delta method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uplift_interval: Option<Interval>,
    /// The current split scaled to the recommendation's spend, when that differs from the
    /// current total by more than half a percent: what moving the money between channels adds,
    /// apart from spending more or less. Against the current allocation itself, a larger budget
    /// wins whatever the split.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_mix: Option<CurrentMix>,
}

/// The current split at another total: each channel's current spend times `spent / current
/// total`, unconstrained (it is a reference point, as Meridian's "non-optimized" scenario is).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CurrentMix {
    /// Spend per period of the scaled split (the recommendation's).
    pub spend: f64,
    /// Response per period of the scaled split.
    pub response: f64,
    /// `optimized_response − response`: what the recommended split adds at the same spend.
    pub uplift: f64,
    /// Uplift relative to `response`.
    pub uplift_pct: f64,
    /// How likely the recommended split is to give more response than the scaled one (as
    /// [`Optimization::probability_better`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability_better: Option<f64>,
    /// 90% interval of `uplift`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uplift_interval: Option<Interval>,
}

/// A total this close to the current one (relative) is the current budget: the scaled split is
/// the current allocation itself.
const SAME_TOTAL: f64 = 0.005;

/// The current split scaled to the spend of `x`, whose response is `response` (see
/// [`Optimization::current_mix`]).
fn current_mix(
    curves: &Curves<'_>,
    current: &[f64],
    x: &[f64],
    response: f64,
) -> Option<CurrentMix> {
    let total: f64 = current.iter().sum();
    let spend: f64 = x.iter().sum();
    if total.is_nan() || total <= 0.0 || (spend / total - 1.0).abs() <= SAME_TOTAL {
        return None;
    }
    let scaled: Vec<f64> = current.iter().map(|c| c * spend / total).collect();
    let mix: f64 = scaled.iter().enumerate().map(|(i, v)| curves.response(i, *v)).sum();
    let uplift = response - mix;
    let comparison = curves.compare(x, &scaled);
    Some(CurrentMix {
        spend,
        response: mix,
        uplift,
        uplift_pct: if mix > 0.0 { uplift / mix } else { 0.0 },
        probability_better: comparison.map(|c| c.probability_better),
        uplift_interval: comparison.map(|c| c.difference_interval),
    })
}

/// The response curves the optimiser maximises: for a model with stored draws (Bayesian and MAP
/// fits alike), the posterior **expected** response (the mean over draws), which is still
/// non-decreasing in spend, so every guarantee holds; else the model's point estimate.
pub struct Curves<'a> {
    doc: &'a ModelDocument,
    draws: Option<&'a [PosteriorDraw]>,
    /// Per channel, the expected curve over `draws`.
    expected: Vec<ExpectedCurve>,
    covariance: Option<&'a CurveCovariance>,
}

/// One channel's expected response over posterior draws, set up for the optimiser's thousands of
/// evaluations: draws with the same curve (a MAP fit's resampled draws repeat) merge into one
/// term, and a Hill curve is evaluated as `1 / (1 + e^(S (ln K − ln z)))`, with `ln z` taken once
/// per spend instead of a power per draw.
struct ExpectedCurve {
    scale: f64,
    /// (coefficient / number of draws, the curve, and for a Hill curve ln K and S).
    terms: Vec<(f64, Saturation, f64, f64)>,
}

impl ExpectedCurve {
    fn new(draws: &[PosteriorDraw], i: usize, scale: f64) -> Self {
        let n = draws.len() as f64;
        let mut terms: Vec<(f64, Saturation, f64, f64)> = Vec::new();
        for d in draws {
            let c = &d.channels[i];
            match terms.last_mut() {
                Some(last) if last.1 == c.saturation => last.0 += c.coefficient / n,
                _ => {
                    let (ln_k, shape) = match c.saturation {
                        Saturation::Hill { half_saturation, shape } => {
                            (half_saturation.get().ln(), shape.get())
                        }
                        Saturation::Logistic { .. } => (0.0, 0.0),
                    };
                    terms.push((c.coefficient / n, c.saturation, ln_k, shape));
                }
            }
        }
        Self { scale, terms }
    }

    /// Expected response per period at spend `x`.
    fn response(&self, x: f64) -> f64 {
        let z = x.max(0.0) / self.scale;
        if z <= 0.0 {
            return 0.0;
        }
        let ln_z = z.ln();
        self.terms
            .iter()
            .map(|(w, curve, ln_k, shape)| {
                w * match curve {
                    Saturation::Hill { .. } => 1.0 / (1.0 + (shape * (ln_k - ln_z)).exp()),
                    Saturation::Logistic { .. } => curve.value(z),
                }
            })
            .sum()
    }

    /// Expected marginal ROI at spend `x` (taken at no less than the document's floor, see
    /// [`crate::document::MARGINAL_FLOOR`]).
    fn marginal(&self, x: f64) -> f64 {
        let z = crate::document::marginal_input(x, self.scale);
        let ln_z = z.ln();
        let slope: f64 = self
            .terms
            .iter()
            .map(|(w, curve, ln_k, shape)| {
                w * match curve {
                    Saturation::Hill { .. } => {
                        let h = 1.0 / (1.0 + (shape * (ln_k - ln_z)).exp());
                        shape / z * h * (1.0 - h)
                    }
                    Saturation::Logistic { .. } => curve.slope(z),
                }
            })
            .sum();
        slope / self.scale
    }
}

/// How one allocation compares with another, with the model's uncertainty.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Comparison {
    /// Probability that the first gives more response than the second.
    pub probability_better: f64,
    /// 90% interval of the difference in response per period.
    pub difference_interval: Interval,
}

impl<'a> Curves<'a> {
    /// The curves of a model: posterior means when it has draws.
    pub fn of(doc: &'a ModelDocument) -> Self {
        let covariance = doc
            .curve_covariance
            .as_ref()
            .filter(|c| c.parameters == CurveCovariance::labels(&doc.channels));
        let draws = doc.posterior.as_deref().filter(|d| !d.is_empty());
        let expected = draws.map_or_else(Vec::new, |draws| {
            doc.channels
                .iter()
                .enumerate()
                .map(|(i, c)| ExpectedCurve::new(draws, i, c.scale))
                .collect()
        });
        Self { doc, draws, expected, covariance }
    }

    /// Expected response per period of channel `i` at spend `x`.
    pub fn response(&self, i: usize, x: f64) -> f64 {
        match self.expected.get(i) {
            Some(curve) => curve.response(x),
            None => self.doc.channels[i].response(x),
        }
    }

    /// Expected marginal ROI of channel `i` at spend `x`.
    pub fn marginal(&self, i: usize, x: f64) -> f64 {
        match self.expected.get(i) {
            Some(curve) => curve.marginal(x),
            None => self.doc.channels[i].marginal_roi(x),
        }
    }

    /// Total response of allocation `x` under one posterior draw.
    fn draw_total(&self, d: &PosteriorDraw, x: &[f64]) -> f64 {
        d.channels
            .iter()
            .zip(&self.doc.channels)
            .zip(x)
            .map(|((dc, ch), v)| dc.coefficient * dc.saturation.value(v.max(0.0) / ch.scale))
            .sum()
    }

    /// 90% interval of the total response of allocation `x`: over the posterior draws when the
    /// model has them, else `response ± 1.645 sd` by the delta method over its curve covariance,
    /// floored at zero (`None` with neither).
    pub fn response_interval(&self, x: &[f64]) -> Option<Interval> {
        let channels = &self.doc.channels;
        if let Some(draws) = self.draws {
            let totals: Vec<f64> = draws.iter().map(|d| self.draw_total(d, x)).collect();
            return Some(crate::summary::summarise(&totals).1);
        }
        let covariance = self.covariance?;
        let response: f64 = channels.iter().zip(x).map(|(c, v)| c.response(*v)).sum();
        let sd =
            covariance.variance(&CurveCovariance::response_gradient(channels, x)).max(0.0).sqrt();
        (sd.is_finite() && response.is_finite())
            .then(|| [(response - Z90 * sd).max(0.0), response + Z90 * sd])
    }

    /// How allocation `a` compares with `b`: over the posterior draws when the model has them,
    /// else by the delta method over its curve covariance (`None` with neither).
    pub fn compare(&self, a: &[f64], b: &[f64]) -> Option<Comparison> {
        if let Some(draws) = self.draws {
            let differences: Vec<f64> =
                draws.iter().map(|d| self.draw_total(d, a) - self.draw_total(d, b)).collect();
            let wins = differences.iter().filter(|v| **v > 0.0).count();
            return Some(Comparison {
                probability_better: wins as f64 / draws.len() as f64,
                difference_interval: crate::summary::summarise(&differences).1,
            });
        }
        let covariance = self.covariance?;
        let channels = &self.doc.channels;
        let difference: f64 = channels
            .iter()
            .zip(a.iter().zip(b))
            .map(|(c, (x, y))| c.response(*x) - c.response(*y))
            .sum();
        let g: Vec<f64> = CurveCovariance::response_gradient(channels, a)
            .iter()
            .zip(CurveCovariance::response_gradient(channels, b))
            .map(|(ga, gb)| ga - gb)
            .collect();
        let sd = covariance.variance(&g).max(0.0).sqrt();
        if !(sd.is_finite() && difference.is_finite()) {
            return None;
        }
        Some(Comparison {
            probability_better: crate::summary::probability_positive(difference, sd),
            difference_interval: [difference - Z90 * sd, difference + Z90 * sd],
        })
    }
}

/// Per-channel bounds after applying every constraint.
#[derive(Debug, Clone)]
struct Bounds {
    lo: Vec<f64>,
    hi: Vec<f64>,
    locked: Vec<bool>,
}

fn check_amount(what: &str, v: f64) -> Result<f64, OptimizeError> {
    if v.is_finite() && v >= 0.0 {
        Ok(v)
    } else {
        Err(OptimizeError::Invalid(format!("{what} must be a non-negative number, got {v}")))
    }
}

fn bounds(
    channels: &[ChannelResult],
    c: &Constraints,
    budget: f64,
) -> Result<Bounds, OptimizeError> {
    let index = |name: &String| -> Result<usize, OptimizeError> {
        channels
            .iter()
            .position(|ch| &ch.name == name)
            .ok_or_else(|| OptimizeError::UnknownChannel(name.clone()))
    };
    let n = channels.len();
    let mut lo = vec![0.0; n];
    let mut hi = vec![f64::INFINITY; n];
    let mut locked = vec![false; n];
    if let Some(p) = c.bounds_pct {
        if !(p.is_finite() && p >= 0.0) {
            return Err(OptimizeError::Invalid(format!(
                "bounds_pct must be a non-negative fraction, got {p}"
            )));
        }
        for (i, ch) in channels.iter().enumerate() {
            lo[i] = (ch.current_spend * (1.0 - p)).max(0.0);
            hi[i] = ch.current_spend * (1.0 + p);
        }
    }
    for (name, v) in &c.min {
        lo[index(name)?] = check_amount(&format!("min for {name}"), *v)?;
    }
    for (name, v) in &c.max {
        hi[index(name)?] = check_amount(&format!("max for {name}"), *v)?;
    }
    for (name, v) in &c.lock {
        let i = index(name)?;
        let v = check_amount(&format!("lock for {name}"), *v)?;
        if c.min.contains_key(name) || c.max.contains_key(name) {
            return Err(OptimizeError::Invalid(format!(
                "channel '{name}' is locked and also given a min or max"
            )));
        }
        lo[i] = v;
        hi[i] = v;
        locked[i] = true;
    }
    for i in 0..n {
        if lo[i] > hi[i] {
            return Err(OptimizeError::Infeasible(format!(
                "channel '{}': minimum {} is above maximum {}",
                channels[i].name, lo[i], hi[i]
            )));
        }
    }
    let min_total: f64 = lo.iter().sum();
    if min_total > budget * (1.0 + 1e-12) {
        return Err(OptimizeError::Infeasible(format!(
            "the channel minimums (and locks) add up to {min_total}, above the budget {budget}"
        )));
    }
    let max_total: f64 = hi.iter().sum();
    if c.spend_all.unwrap_or(true) && max_total < budget * (1.0 - 1e-12) {
        return Err(OptimizeError::Infeasible(format!(
            "the channel maximums (and locks) add up to {max_total}, below the budget {budget}; \
             raise them or allow spending up to the budget"
        )));
    }
    Ok(Bounds { lo, hi, locked })
}

/// Maximises total steady-state response for a budget per period.
pub fn optimize(
    doc: &ModelDocument,
    budget: f64,
    constraints: &Constraints,
) -> Result<Optimization, OptimizeError> {
    optimize_with_grid(doc, budget, constraints, DEFAULT_GRID)
}

/// [`optimize`] with a chosen grid size.
pub fn optimize_with_grid(
    doc: &ModelDocument,
    budget: f64,
    constraints: &Constraints,
    grid: usize,
) -> Result<Optimization, OptimizeError> {
    let budget = check_amount("budget", budget)?;
    let channels = &doc.channels;
    if channels.is_empty() {
        return Err(OptimizeError::Invalid("the model has no channels".to_owned()));
    }
    let b = bounds(channels, constraints, budget)?;
    let spend_all = constraints.spend_all.unwrap_or(true);
    let curves = Curves::of(doc);
    let (x, upper) = solve(&curves, &b, budget, spend_all, grid.max(10));
    let current: Vec<f64> = channels.iter().map(|c| c.current_spend).collect();

    let allocation: Vec<AllocationLine> = channels
        .iter()
        .enumerate()
        .map(|(i, ch)| AllocationLine {
            name: ch.name.clone(),
            current: ch.current_spend,
            recommended: x[i],
            min: b.lo[i],
            max: b.hi[i].is_finite().then_some(b.hi[i]),
            locked: b.locked[i],
            current_response: curves.response(i, ch.current_spend),
            expected_response: curves.response(i, x[i]),
            mroi: curves.marginal(i, x[i]),
        })
        .collect();
    let comparison = curves.compare(&x, &current);
    let current_response: f64 = allocation.iter().map(|a| a.current_response).sum();
    let optimized_response: f64 = allocation.iter().map(|a| a.expected_response).sum();
    let uplift = optimized_response - current_response;
    Ok(Optimization {
        budget,
        spent: x.iter().sum(),
        current_response,
        optimized_response,
        uplift,
        uplift_pct: if current_response > 0.0 { uplift / current_response } else { 0.0 },
        gap_bound: (upper - optimized_response).max(0.0),
        probability_better: comparison.map(|c| c.probability_better),
        uplift_interval: comparison.map(|c| c.difference_interval),
        current_mix: current_mix(&curves, &current, &x, optimized_response),
        allocation,
    })
}

/// Returns the allocation and an upper bound on the optimum.
fn solve(
    curves: &Curves<'_>,
    b: &Bounds,
    budget: f64,
    spend_all: bool,
    grid: usize,
) -> (Vec<f64>, f64) {
    let n = b.lo.len();
    let base: f64 = b.lo.iter().sum();
    let room = (budget - base).max(0.0);
    let r = |i: usize, x: f64| curves.response(i, x);
    if room <= 0.0 {
        let x = b.lo.clone();
        let value = (0..n).map(|i| r(i, x[i])).sum();
        return (x, value);
    }
    let delta = room / grid as f64;
    // Units each channel may take.
    let caps: Vec<usize> = (0..n)
        .map(|i| {
            let span = b.hi[i] - b.lo[i];
            if span.is_finite() {
                ((span / delta) + 1e-9).floor().min(grid as f64) as usize
            } else {
                grid
            }
        })
        .collect();

    // best[g]: best response of the channels so far with g units; choice[i][g]: units of channel i.
    let mut best = vec![f64::NEG_INFINITY; grid + 1];
    best[0] = 0.0;
    let mut choice: Vec<Vec<u32>> = Vec::with_capacity(n);
    let mut secant = vec![0.0f64; n];
    for i in 0..n {
        let values: Vec<f64> = (0..=caps[i]).map(|k| r(i, b.lo[i] + k as f64 * delta)).collect();
        secant[i] = values.windows(2).map(|w| w[1] - w[0]).fold(0.0, f64::max) / delta;
        let mut next = vec![f64::NEG_INFINITY; grid + 1];
        let mut pick = vec![0u32; grid + 1];
        for g in 0..=grid {
            let mut top = f64::NEG_INFINITY;
            let mut arg = 0;
            for (k, v) in values.iter().enumerate().take(g.min(caps[i]) + 1) {
                let prev = best[g - k];
                if prev > f64::NEG_INFINITY {
                    let total = prev + v;
                    if total > top {
                        top = total;
                        arg = k;
                    }
                }
            }
            next[g] = top;
            pick[g] = arg as u32;
        }
        best = next;
        choice.push(pick);
    }
    // The end state: every unit (spend all), or the best reachable amount.
    let end = if spend_all {
        (0..=grid).rev().find(|g| best[*g] > f64::NEG_INFINITY).unwrap_or(0)
    } else {
        (0..=grid)
            .filter(|g| best[*g] > f64::NEG_INFINITY)
            .fold(0, |a, g| if best[g] > best[a] + 1e-12 * best[a].abs() { g } else { a })
    };
    let dp_value = best[end];
    let mut x = vec![0.0; n];
    let mut g = end;
    for i in (0..n).rev() {
        let k = choice[i][g] as usize;
        x[i] = b.lo[i] + k as f64 * delta;
        g -= k;
    }
    // Bound: the DP is optimal on the grid; off-grid can gain at most one cell per channel.
    let upper = dp_value + secant.iter().sum::<f64>() * delta;

    // Place any budget the grid could not (rounding of caps), then refine off the grid.
    if spend_all {
        let mut left = budget - x.iter().sum::<f64>();
        for i in 0..n {
            if left <= 0.0 {
                break;
            }
            let add = (b.hi[i] - x[i]).min(left).max(0.0);
            x[i] += add;
            left -= add;
        }
    }
    refine(curves, b, &mut x);
    let value: f64 = (0..n).map(|i| r(i, x[i])).sum();
    (x, upper.max(value))
}

/// Pairwise transfers from the lowest to the highest marginal return, each by a line search.
fn refine(curves: &Curves<'_>, b: &Bounds, x: &mut [f64]) {
    let n = x.len();
    let r = |i: usize, v: f64| curves.response(i, v);
    for _ in 0..100 * n {
        let marginal: Vec<f64> = (0..n).map(|i| curves.marginal(i, x[i])).collect();
        let up = (0..n)
            .filter(|&i| !b.locked[i] && x[i] < b.hi[i])
            .max_by(|&i, &j| marginal[i].total_cmp(&marginal[j]));
        let down = (0..n)
            .filter(|&i| !b.locked[i] && x[i] > b.lo[i])
            .min_by(|&i, &j| marginal[i].total_cmp(&marginal[j]));
        let (Some(a), Some(d)) = (up, down) else { return };
        if a == d || marginal[a] <= marginal[d] * (1.0 + 1e-9) {
            return;
        }
        let span = (b.hi[a] - x[a]).min(x[d] - b.lo[d]);
        let gain = |t: f64| r(a, x[a] + t) + r(d, x[d] - t) - r(a, x[a]) - r(d, x[d]);
        // Golden-section search for the best transfer in [0, span].
        let (mut lo, mut hi) = (0.0, span);
        let phi = 0.5 * (5f64.sqrt() - 1.0);
        for _ in 0..60 {
            let m1 = hi - phi * (hi - lo);
            let m2 = lo + phi * (hi - lo);
            if gain(m1) < gain(m2) {
                lo = m1;
            } else {
                hi = m2;
            }
        }
        let t = 0.5 * (lo + hi);
        if gain(t) <= 1e-12 * (1.0 + r(a, x[a]).abs() + r(d, x[d]).abs()) {
            return;
        }
        x[a] += t;
        x[d] -= t;
    }
}

/// One point of the efficient frontier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrontierPoint {
    /// Budget per period.
    pub budget: f64,
    /// Budget relative to the reference budget (−0.5 to +0.5).
    pub change: f64,
    /// Optimal response per period at that budget.
    pub response: f64,
    /// Response per unit of budget.
    pub roi: f64,
    /// Extra response per extra unit of budget (between this point and the previous one).
    pub marginal: f64,
    /// 90% interval of the optimal allocation's response (see [`Curves::response_interval`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_interval: Option<Interval>,
    /// The optimal allocation.
    pub allocation: Vec<AllocationLine>,
}

/// Optimal response for budgets from −50% to +50% of `budget` in `steps` steps.
pub fn frontier(
    doc: &ModelDocument,
    budget: f64,
    constraints: &Constraints,
    steps: usize,
) -> Result<Vec<FrontierPoint>, OptimizeError> {
    // Checked here, so that a bad budget is named as given, not as its first step.
    let budget = check_amount("budget", budget)?;
    let steps = steps.clamp(2, 101);
    let curves = Curves::of(doc);
    let mut out: Vec<FrontierPoint> = Vec::with_capacity(steps);
    for s in 0..steps {
        let change = -0.5 + s as f64 / (steps - 1) as f64;
        let b = budget * (1.0 + change);
        let opt = optimize(doc, b, &Constraints { spend_all: Some(false), ..constraints.clone() })?;
        let marginal = match out.last() {
            Some(prev) if b > prev.budget => {
                (opt.optimized_response - prev.response) / (b - prev.budget)
            }
            _ => 0.0,
        };
        let x: Vec<f64> = opt.allocation.iter().map(|a| a.recommended).collect();
        out.push(FrontierPoint {
            budget: b,
            change,
            response: opt.optimized_response,
            roi: if b > 0.0 { opt.optimized_response / b } else { 0.0 },
            marginal,
            response_interval: curves.response_interval(&x),
            allocation: opt.allocation,
        });
    }
    Ok(out)
}

/// The largest budget at which every funded channel's marginal ROI stays at or above `target`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetResult {
    /// Marginal ROI asked for.
    pub target_mroi: f64,
    /// The optimisation at the largest such budget.
    pub optimization: Optimization,
}

/// Finds the largest budget whose optimal allocation keeps every funded channel's mROI at or above
/// `target` (bisection on the budget, up to `max_budget`).
pub fn budget_for_target_mroi(
    doc: &ModelDocument,
    target: f64,
    constraints: &Constraints,
    max_budget: f64,
) -> Result<TargetResult, OptimizeError> {
    if !(target.is_finite() && target > 0.0) {
        return Err(OptimizeError::Invalid(format!("target mROI must be positive, got {target}")));
    }
    let max_budget = check_amount("max budget", max_budget)?;
    let c = Constraints { spend_all: Some(false), ..constraints.clone() };
    let ok = |b: f64| -> Result<(bool, Optimization), OptimizeError> {
        let opt = optimize(doc, b, &c)?;
        let meets = opt
            .allocation
            .iter()
            .filter(|a| a.recommended > a.min + 1e-9 && !a.locked)
            .all(|a| a.mroi >= target);
        Ok((meets, opt))
    };
    let min_budget: f64 = bounds(&doc.channels, &c, max_budget)?.lo.iter().sum();
    let (mut lo, mut hi) = (min_budget, max_budget);
    let (meets_hi, opt_hi) = ok(hi)?;
    if meets_hi {
        return Ok(TargetResult { target_mroi: target, optimization: opt_hi });
    }
    let mut best = ok(lo)?.1;
    for _ in 0..40 {
        let mid = 0.5 * (lo + hi);
        let (meets, opt) = ok(mid)?;
        if meets {
            lo = mid;
            best = opt;
        } else {
            hi = mid;
        }
        if hi - lo <= 1e-6 * hi.max(1.0) {
            break;
        }
    }
    Ok(TargetResult { target_mroi: target, optimization: best })
}

/// One user-given allocation, evaluated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioResult {
    /// Scenario name.
    pub name: String,
    /// Total spend per period.
    pub spend: f64,
    /// Response per period.
    pub response: f64,
    /// Response per unit of spend.
    pub roi: f64,
    /// Response minus the current allocation's response.
    pub uplift: f64,
    /// Chance that the scenario gives more response than the current allocation (see
    /// [`Optimization::probability_better`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability_better: Option<f64>,
    /// 90% interval of the uplift.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uplift_interval: Option<Interval>,
    /// The current split scaled to the scenario's spend, when that is not the current total,
    /// and the scenario's gain over it (as [`Optimization::current_mix`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_mix: Option<CurrentMix>,
    /// Per channel: spend, response, mROI.
    pub channels: Vec<AllocationLine>,
}

/// Evaluates allocations (spend per period by channel; channels left out keep their current
/// spend).
pub fn scenarios(
    doc: &ModelDocument,
    allocations: &[(String, BTreeMap<String, f64>)],
) -> Result<Vec<ScenarioResult>, OptimizeError> {
    let curves = Curves::of(doc);
    let current: f64 =
        doc.channels.iter().enumerate().map(|(i, c)| curves.response(i, c.current_spend)).sum();
    let current_spend: Vec<f64> = doc.channels.iter().map(|c| c.current_spend).collect();
    allocations
        .iter()
        .map(|(name, spend)| {
            for (ch, v) in spend {
                if doc.channel(ch).is_none() {
                    return Err(OptimizeError::UnknownChannel(ch.clone()));
                }
                check_amount(&format!("spend for {ch} in scenario '{name}'"), *v)?;
            }
            let lines: Vec<AllocationLine> = doc
                .channels
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let x = spend.get(&c.name).copied().unwrap_or(c.current_spend);
                    AllocationLine {
                        name: c.name.clone(),
                        current: c.current_spend,
                        recommended: x,
                        min: x,
                        max: Some(x),
                        locked: true,
                        current_response: curves.response(i, c.current_spend),
                        expected_response: curves.response(i, x),
                        mroi: curves.marginal(i, x),
                    }
                })
                .collect();
            let total_spend: f64 = lines.iter().map(|l| l.recommended).sum();
            let response: f64 = lines.iter().map(|l| l.expected_response).sum();
            let x: Vec<f64> = lines.iter().map(|l| l.recommended).collect();
            // The current split against itself is no comparison.
            let comparison =
                if x == current_spend { None } else { curves.compare(&x, &current_spend) };
            Ok(ScenarioResult {
                name: name.clone(),
                spend: total_spend,
                response,
                roi: if total_spend > 0.0 { response / total_spend } else { 0.0 },
                uplift: response - current,
                probability_better: comparison.map(|c| c.probability_better),
                uplift_interval: comparison.map(|c| c.difference_interval),
                current_mix: current_mix(&curves, &current_spend, &x, response),
                channels: lines,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
