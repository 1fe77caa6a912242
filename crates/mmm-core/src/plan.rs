//! Multi-period plans: a total budget over N future periods and the channels, with adstock
//! carry-over from the spend before the plan and within it.
//!
//! The value of a plan is the incremental KPI it causes over the plan and the `L` periods after
//! it (where its carry-over ends), against spending nothing in the plan:
//!
//! `V(x) = Σ_c Σ_{τ=0}^{N+L−1} β_c [h_c(a_cτ(history, x) / scale_c) − h_c(a_cτ(history, 0) / scale_c)]`
//!
//! where `a_cτ` is channel c's adstock in period τ from the stored spend history followed by the
//! plan. The solver starts from the steady-state optimum for `B / N` per period (the global
//! optimum of the per-period problem, see [`crate::optimize`]) and improves it by pairwise
//! transfers between (period, channel) cells along the exact gradient, keeping every bound, the
//! total and the per-period caps.
//!
//! The search follows the point estimate. A model with posterior draws then judges the plan by
//! its posterior mean `E[V(x)]`, and keeps the flat plan unless the draws expect the plan to beat
//! it. The plan's 90% interval and its chance of beating the flat plan come from the draws, or
//! for a MAP fit without draws from the delta method over the curve covariance.

use crate::document::{CurveCovariance, Interval, ModelDocument, PosteriorDraw};
use crate::fit::Z90;
use crate::optimize::{Constraints, OptimizeError, optimize};
use crate::summary::{probability_positive, summarise};
use crate::transforms::{Adstock, Saturation, TransformOrder};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Most periods a plan may cover.
pub const MAX_PLAN_PERIODS: usize = 156;

/// What to plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanRequest {
    /// Periods to plan (1 to 156).
    pub periods: usize,
    /// Total budget over all planned periods.
    pub total_budget: f64,
    /// Largest total spend in any one period.
    #[serde(default)]
    pub period_cap: Option<f64>,
    /// Per-channel bounds per period (min, max, lock, bounds_pct around current spend).
    #[serde(default)]
    pub constraints: Constraints,
}

/// One planned period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanPeriod {
    /// Period start date.
    pub date: NaiveDate,
    /// Spend per channel.
    pub spend: BTreeMap<String, f64>,
    /// Total spend.
    pub total: f64,
}

/// A multi-period plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Periods planned.
    pub periods: Vec<PlanPeriod>,
    /// Total budget.
    pub total_budget: f64,
    /// Incremental KPI the plan causes (over the plan and its carry-over tail): the posterior
    /// mean for a model with draws, else the point estimate's.
    pub expected_incremental: f64,
    /// The same for the flat plan (the steady-state optimum every period), for comparison.
    pub flat_plan_incremental: f64,
    /// Incremental KPI per channel.
    pub by_channel: BTreeMap<String, f64>,
    /// Periods after the plan over which carry-over is counted.
    pub carry_over_periods: usize,
    /// 90% interval of `expected_incremental`: over the posterior draws (every fit with an ROI
    /// prior, and imports), or by the delta method over the curve covariance (MAP fits without
    /// draws; the adstock is taken as known). `None` when the model carries neither.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incremental_interval: Option<Interval>,
    /// How likely the plan is to cause more incremental KPI than the flat plan, by the same
    /// route. `None` when the plan is the flat plan (no period's spend on a channel differs from it
    /// by more than 0.1% of a period's budget), or the model carries no uncertainty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability_beats_flat: Option<f64>,
    /// 90% interval of the plan's incremental KPI minus the flat plan's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gain_over_flat_interval: Option<Interval>,
}

/// One channel's response: its coefficient, saturation, spend scale, adstock weights and the
/// order of the two transforms.
struct ChannelCurve {
    coefficient: f64,
    saturation: Saturation,
    scale: f64,
    weights: Vec<f64>,
    order: TransformOrder,
}

impl ChannelCurve {
    fn new(
        coefficient: f64,
        adstock: &Adstock,
        saturation: Saturation,
        scale: f64,
        order: TransformOrder,
    ) -> Self {
        Self { coefficient, saturation, scale, weights: adstock.weights(), order }
    }
}

struct Model {
    channels: Vec<ChannelCurve>,
    history: Vec<Vec<f64>>,
    n: usize,
    tail: usize,
    /// Each channel's value when the plan spends nothing: the carry-over of the history alone.
    baseline: Vec<f64>,
}

impl Model {
    /// The plan model of a document's point estimates, or of one of its posterior draws.
    fn new(
        doc: &ModelDocument,
        draw: Option<&PosteriorDraw>,
        history: &[Vec<f64>],
        n: usize,
        tail: usize,
    ) -> Self {
        let channels = doc
            .channels
            .iter()
            .enumerate()
            .map(|(c, ch)| match draw.and_then(|d| d.channels.get(c)) {
                Some(d) => ChannelCurve::new(
                    d.coefficient,
                    &d.adstock,
                    d.saturation,
                    ch.scale,
                    ch.transform_order,
                ),
                None => ChannelCurve::new(
                    ch.coefficient,
                    &ch.adstock,
                    ch.saturation,
                    ch.scale,
                    ch.transform_order,
                ),
            })
            .collect();
        let mut model = Self { channels, history: history.to_vec(), n, tail, baseline: Vec::new() };
        model.set_baseline();
        model
    }

    /// Computes [`Self::baseline`] from the channels' curves.
    fn set_baseline(&mut self) {
        let zero = vec![0.0; self.n];
        self.baseline = (0..self.channels.len()).map(|c| self.value(c, &zero)).collect();
    }

    /// Incremental KPI of plan `x` (`x[c][t]`) against spending nothing in the plan.
    fn incremental(&self, x: &[Vec<f64>]) -> f64 {
        (0..self.channels.len()).map(|c| self.channel_incremental(c, &x[c])).sum()
    }

    /// Channel `c`'s incremental KPI from its plan column against spending nothing in the plan.
    fn channel_incremental(&self, c: usize, plan: &[f64]) -> f64 {
        self.value(c, plan) - self.baseline[c]
    }

    /// Gradient of [`Self::incremental`] with respect to the curve parameters, laid out as
    /// [`CurveCovariance`] lays them out.
    fn parameter_gradient(&self, x: &[Vec<f64>]) -> Vec<f64> {
        let zero = vec![0.0; self.n];
        let mut g = Vec::new();
        for (c, ch) in self.channels.iter().enumerate() {
            let start = g.len();
            g.push(0.0);
            g.extend(ch.saturation.parameter_names().iter().map(|_| 0.0));
            let total = |plan: &[f64], f: &dyn Fn(f64) -> f64| -> f64 {
                self.transformed(c, plan, f).iter().sum()
            };
            g[start] += total(&x[c], &|z| ch.saturation.value(z))
                - total(&zero, &|z| ch.saturation.value(z));
            for k in 0..ch.saturation.parameter_names().len() {
                let dk = |z: f64| ch.saturation.parameter_gradient(z)[k];
                g[start + 1 + k] += ch.coefficient * (total(&x[c], &dk) - total(&zero, &dk));
            }
        }
        g
    }

    /// Channel c's spend over the plan: its history, the plan column, then the zero tail.
    fn series(&self, c: usize, plan: &[f64]) -> Vec<f64> {
        self.history[c]
            .iter()
            .copied()
            .chain(plan.iter().copied())
            .chain(std::iter::repeat_n(0.0, self.tail))
            .collect()
    }

    /// `Σ_l w_l v_{t−l}` for every period `t` of the plan and its tail, `v` laid out like
    /// [`Self::series`].
    fn carry_over(&self, c: usize, v: &[f64]) -> Vec<f64> {
        let (h, w) = (self.history[c].len(), &self.channels[c].weights);
        (0..self.n + self.tail)
            .map(|tau| {
                let t = h + tau;
                w.iter().enumerate().take(t + 1).map(|(l, wl)| wl * v[t - l]).sum()
            })
            .collect()
    }

    /// `f` of channel c's scaled spend, through its transforms in its order, for every period
    /// of the plan and its tail: `f(adstock(x) / scale)` or `adstock(f(x / scale))`. With the
    /// saturation as `f` and times the coefficient, that is the channel's response.
    fn transformed(&self, c: usize, plan: &[f64], f: &dyn Fn(f64) -> f64) -> Vec<f64> {
        let (series, scale) = (self.series(c, plan), self.channels[c].scale);
        match self.channels[c].order {
            TransformOrder::AdstockFirst => {
                self.carry_over(c, &series).into_iter().map(|a| f(a / scale)).collect()
            }
            TransformOrder::SaturationFirst => {
                let each: Vec<f64> = series.iter().map(|x| f(x / scale)).collect();
                self.carry_over(c, &each)
            }
        }
    }

    fn value(&self, c: usize, plan: &[f64]) -> f64 {
        let ch = &self.channels[c];
        ch.coefficient * self.transformed(c, plan, &|z| ch.saturation.value(z)).iter().sum::<f64>()
    }

    /// d value / d plan[t] for every t.
    fn gradient(&self, c: usize, plan: &[f64]) -> Vec<f64> {
        let ch = &self.channels[c];
        let slope = |z: f64| ch.coefficient * ch.saturation.slope(z) / ch.scale;
        // How much of one period's effect falls inside the plan and its tail, by the number of
        // periods left from it.
        let kept = |t: usize| -> f64 { ch.weights.iter().take(self.n + self.tail - t).sum() };
        match ch.order {
            TransformOrder::AdstockFirst => {
                let slopes = self.transformed(c, plan, &slope);
                (0..self.n)
                    .map(|t| {
                        ch.weights
                            .iter()
                            .enumerate()
                            .map(|(l, w)| w * slopes.get(t + l).copied().unwrap_or(0.0))
                            .sum()
                    })
                    .collect()
            }
            TransformOrder::SaturationFirst => {
                (0..self.n).map(|t| slope(plan[t] / ch.scale) * kept(t)).collect()
            }
        }
    }
}

/// Plans a total budget over future periods.
pub fn plan(doc: &ModelDocument, request: &PlanRequest) -> Result<Plan, OptimizeError> {
    let n = request.periods;
    if n == 0 || n > MAX_PLAN_PERIODS {
        return Err(OptimizeError::Invalid(format!(
            "periods must be between 1 and {MAX_PLAN_PERIODS}, got {n}"
        )));
    }
    let total = request.total_budget;
    if !(total.is_finite() && total >= 0.0) {
        return Err(OptimizeError::Invalid(format!(
            "total budget must be a non-negative number, got {total}"
        )));
    }
    let per_period = total / n as f64;
    if let Some(cap) = request.period_cap {
        if !(cap.is_finite() && cap >= 0.0) {
            return Err(OptimizeError::Invalid(format!(
                "period cap must be a non-negative number, got {cap}"
            )));
        }
        if cap * (n as f64) < total * (1.0 - 1e-12) {
            return Err(OptimizeError::Infeasible(format!(
                "a cap of {cap} per period allows at most {} over {n} periods, below the budget {total}",
                cap * n as f64
            )));
        }
    }
    // The steady-state optimum per period is the start, and checks the per-period constraints.
    let start = optimize(
        doc,
        per_period,
        &Constraints { spend_all: Some(true), ..request.constraints.clone() },
    )?;
    let lo: Vec<f64> = start.allocation.iter().map(|a| a.min).collect();
    let hi: Vec<f64> = start.allocation.iter().map(|a| a.max.unwrap_or(f64::INFINITY)).collect();
    let locked: Vec<bool> = start.allocation.iter().map(|a| a.locked).collect();

    let channels = &doc.channels;
    let draws = doc.posterior.as_deref().unwrap_or_default();
    let tail = channels
        .iter()
        .map(|c| &c.adstock)
        .chain(draws.iter().flat_map(|d| d.channels.iter().map(|c| &c.adstock)))
        .map(Adstock::max_lag)
        .max()
        .unwrap_or(0);
    let history: Vec<Vec<f64>> = doc
        .series
        .channels
        .iter()
        .map(|s| {
            let input: Vec<f64> = s.history.iter().chain(s.model_input()).copied().collect();
            input[input.len().saturating_sub(tail)..].to_vec()
        })
        .collect();
    let model = Model::new(doc, None, &history, n, tail);

    // x[c][t]
    let mut x: Vec<Vec<f64>> = start.allocation.iter().map(|a| vec![a.recommended; n]).collect();
    let flat_plan = x.clone();

    let cap = request.period_cap.unwrap_or(f64::INFINITY);
    let period_total = |x: &[Vec<f64>], t: usize| -> f64 { x.iter().map(|col| col[t]).sum() };
    // Amounts below this are rounding: a channel or a period that close to its bound has no room.
    let tol = 1e-9 * per_period.max(1.0);
    for _ in 0..400 {
        let grads: Vec<Vec<f64>> = (0..channels.len()).map(|c| model.gradient(c, &x[c])).collect();
        let free = || (0..channels.len()).filter(|c| !locked[*c]);
        let room = |c: usize, t: usize| x[c][t] < hi[c] - tol;
        let givable = |c: usize, t: usize| x[c][t] > lo[c] + tol;
        let best = |cells: &mut dyn Iterator<Item = (usize, usize)>, sign: f64| {
            cells.max_by(|a, b| (sign * grads[a.0][a.1]).total_cmp(&(sign * grads[b.0][b.1])))
        };
        // The receiver with the highest gradient in a period below its cap, and the giver with
        // the lowest anywhere; and, within each period, its best receiver and giver, since a
        // move inside a period at its cap leaves the period's total alone.
        let mut pairs = Vec::with_capacity(n + 1);
        pairs.push((
            best(
                &mut free()
                    .flat_map(|c| (0..n).map(move |t| (c, t)))
                    .filter(|&(c, t)| room(c, t) && cap - period_total(&x, t) > tol),
                1.0,
            ),
            best(
                &mut free()
                    .flat_map(|c| (0..n).map(move |t| (c, t)))
                    .filter(|&(c, t)| givable(c, t)),
                -1.0,
            ),
        ));
        for t in 0..n {
            pairs.push((
                best(&mut free().map(|c| (c, t)).filter(|&(c, t)| room(c, t)), 1.0),
                best(&mut free().map(|c| (c, t)).filter(|&(c, t)| givable(c, t)), -1.0),
            ));
        }
        let gap = |(u, d): ((usize, usize), (usize, usize))| grads[u.0][u.1] - grads[d.0][d.1];
        let Some(((uc, ut), (dc, dt))) = pairs
            .into_iter()
            .filter_map(|(u, d)| Some((u?, d?)))
            .filter(|&(u, d)| u != d && grads[u.0][u.1] > grads[d.0][d.1] * (1.0 + 1e-9))
            .max_by(|a, b| gap(*a).total_cmp(&gap(*b)))
        else {
            break;
        };
        let mut span = (hi[uc] - x[uc][ut]).min(x[dc][dt] - lo[dc]);
        if ut != dt {
            span = span.min(cap - period_total(&x, ut));
        }
        if span.is_nan() || span <= 0.0 {
            break;
        }
        // Only the two cells' channels change: the line search values those alone.
        let trial = |s: f64| -> f64 {
            let mut up = x[uc].clone();
            up[ut] += s;
            if uc == dc {
                up[dt] -= s;
                return model.channel_incremental(uc, &up);
            }
            let mut down = x[dc].clone();
            down[dt] -= s;
            model.channel_incremental(uc, &up) + model.channel_incremental(dc, &down)
        };
        let before = trial(0.0);
        let tolerance = 1e-12 * model.incremental(&x).abs().max(1.0);
        let phi = 0.5 * (5f64.sqrt() - 1.0);
        let (mut a, mut b) = (0.0, span);
        let (mut m1, mut m2) = (b - phi * (b - a), a + phi * (b - a));
        let (mut f1, mut f2) = (trial(m1), trial(m2));
        for _ in 0..40 {
            if f1 < f2 {
                (a, m1, f1) = (m1, m2, f2);
                m2 = a + phi * (b - a);
                f2 = trial(m2);
            } else {
                (b, m2, f2) = (m2, m1, f1);
                m1 = b - phi * (b - a);
                f1 = trial(m1);
            }
        }
        let s = 0.5 * (a + b);
        if trial(s) <= before + tolerance {
            break;
        }
        x[uc][ut] += s;
        x[dc][dt] -= s;
    }

    // A model with posterior draws is judged by its posterior expected value, as the
    // optimizer's curves are. The search above follows the point estimate, so its departures
    // from the flat plan (the optimum of the expected steady-state curves) stand only if the
    // draws expect them to pay.
    let draw_models: Vec<Model> =
        draws.iter().map(|d| Model::new(doc, Some(d), &history, n, tail)).collect();
    let judges = if draw_models.is_empty() { std::slice::from_ref(&model) } else { &draw_models };
    let judge = |f: &dyn Fn(&Model) -> f64| judges.iter().map(f).sum::<f64>() / judges.len() as f64;
    if judge(&|m: &Model| m.incremental(&x)) < judge(&|m: &Model| m.incremental(&flat_plan)) {
        x.clone_from(&flat_plan);
    }

    let periods = (0..n)
        .map(|t| {
            let spend: BTreeMap<String, f64> =
                channels.iter().zip(&x).map(|(c, col)| (c.name.clone(), col[t])).collect();
            PlanPeriod {
                date: doc.frequency.nth_after(doc.end, t as i64 + 1).unwrap_or(doc.end),
                total: spend.values().sum(),
                spend,
            }
        })
        .collect();
    let by_channel = channels
        .iter()
        .enumerate()
        .map(|(c, ch)| (ch.name.clone(), judge(&|m: &Model| m.channel_incremental(c, &x[c]))))
        .collect();
    let (incremental_interval, versus_flat) =
        uncertainty(doc, &model, &draw_models, &x, &flat_plan);
    Ok(Plan {
        periods,
        total_budget: total,
        expected_incremental: judge(&|m: &Model| m.incremental(&x)),
        flat_plan_incremental: judge(&|m: &Model| m.incremental(&flat_plan)),
        by_channel,
        carry_over_periods: tail,
        incremental_interval,
        probability_beats_flat: versus_flat.map(|v| v.0),
        gain_over_flat_interval: versus_flat.map(|v| v.1),
    })
}

/// The 90% interval of plan `x`'s incremental KPI, and the probability that it beats the flat
/// plan with the 90% interval of its gain over it (`None` when `x` is the flat plan): over the
/// posterior draws when the model has them, else by the delta method over its curve covariance.
fn uncertainty(
    doc: &ModelDocument,
    model: &Model,
    draws: &[Model],
    x: &[Vec<f64>],
    flat: &[Vec<f64>],
) -> (Option<Interval>, Option<(f64, Interval)>) {
    // Moves of less than 0.1% of a period's budget are rounding, not a different plan.
    let per_period: f64 = flat.iter().map(|col| col.first().copied().unwrap_or(0.0)).sum();
    let is_flat = x
        .iter()
        .flatten()
        .zip(flat.iter().flatten())
        .all(|(a, b)| (a - b).abs() <= 1e-3 * per_period);
    if !draws.is_empty() {
        let (values, gains): (Vec<f64>, Vec<f64>) = draws
            .iter()
            .map(|m| {
                let value = m.incremental(x);
                (value, value - m.incremental(flat))
            })
            .unzip();
        let wins = gains.iter().filter(|g| **g > 0.0).count() as f64 / gains.len() as f64;
        return (Some(summarise(&values).1), (!is_flat).then(|| (wins, summarise(&gains).1)));
    }
    let Some(covariance) = doc
        .curve_covariance
        .as_ref()
        .filter(|c| c.parameters == CurveCovariance::labels(&doc.channels))
    else {
        return (None, None);
    };
    let (value, g) = (model.incremental(x), model.parameter_gradient(x));
    let sd = covariance.variance(&g).max(0.0).sqrt();
    let gain = value - model.incremental(flat);
    let dg: Vec<f64> = g.iter().zip(model.parameter_gradient(flat)).map(|(a, b)| a - b).collect();
    let gain_sd = covariance.variance(&dg).max(0.0).sqrt();
    if !(sd.is_finite() && gain_sd.is_finite() && value.is_finite()) {
        return (None, None);
    }
    (
        Some([(value - Z90 * sd).max(0.0), value + Z90 * sd]),
        (!is_flat).then(|| {
            (probability_positive(gain, gain_sd), [gain - Z90 * gain_sd, gain + Z90 * gain_sd])
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::{DecayRate, HalfSaturation, HillShape, MaxLag};
    use crate::simulate::{SimConfig, simulate};
    use crate::transforms::{Adstock, Saturation};
    use crate::{ModelSpec, fit};

    fn one_channel_doc(decay: f64, lag: usize, last_spend: f64) -> ModelDocument {
        let s = simulate(&SimConfig { periods: 60, channels: 1, ..SimConfig::default() });
        // Without the ROI prior the fit keeps no draws (which would stand for the curve set
        // below), only the Laplace covariance of its curve.
        let mut spec = ModelSpec { starts: 1, ..ModelSpec::default() };
        spec.priors.roi_relative_sd = None;
        let mut d = fit(&s.dataset, &spec, None).unwrap();
        assert!(d.posterior.is_none() && d.curve_covariance.is_some());
        let c = &mut d.channels[0];
        c.adstock = Adstock::Geometric {
            decay: DecayRate::new(decay).unwrap(),
            max_lag: MaxLag::new(lag).unwrap(),
        };
        c.saturation = Saturation::Hill {
            half_saturation: HalfSaturation::new(1.0).unwrap(),
            shape: HillShape::new(1.0).unwrap(),
        };
        c.coefficient = 1.0;
        c.scale = 1.0;
        c.current_spend = 3.0;
        let spend = &mut d.series.channels[0].spend;
        let last = spend.len() - 1;
        spend[last] = last_spend;
        d
    }

    #[test]
    fn carry_over_by_hand() {
        // Decay 0.5, L = 1: weights 2/3 and 1/3. Last historical spend 3; plan one period of 3.
        // With the plan: adstock 2/3·3 + 1/3·3 = 3 in the plan period, 1/3·3 = 1 after it.
        // Without: 1/3·3 = 1, then 0. h(a) = a / (a + 1), β = 1:
        // incremental = h(3) + h(1) − h(1) − h(0) = 0.75.
        let d = one_channel_doc(0.5, 1, 3.0);
        let p = plan(
            &d,
            &PlanRequest {
                periods: 1,
                total_budget: 3.0,
                period_cap: None,
                constraints: Constraints::default(),
            },
        )
        .unwrap();
        assert!((p.expected_incremental - 0.75).abs() < 1e-12, "{}", p.expected_incremental);
        assert_eq!(p.carry_over_periods, 1);
        // One channel over one period: the plan is the flat plan, so there is nothing to compare.
        assert!(p.incremental_interval.is_some());
        assert_eq!((p.probability_beats_flat, p.gain_over_flat_interval), (None, None));
        assert_eq!(p.periods[0].date, d.end + chrono::Days::new(7));
    }

    #[test]
    fn a_plan_the_draws_expect_to_lose_falls_back_to_the_flat_plan() {
        // Point estimate: decay 0.5, L = 1 (weights 2/3, 1/3), h(a) = a / (a + 1), last
        // spend 3. Over two periods of 3, a unit moved to the second period gains
        // 2/3·h'(3) + 1/3·h'(1) − h'(3) = 1/8 − 1/16 > 0 at the flat split (the first period
        // already has carry-over), so the point estimate plans more spend later.
        let mut d = one_channel_doc(0.5, 1, 3.0);
        let request = PlanRequest {
            periods: 2,
            total_budget: 6.0,
            period_cap: None,
            constraints: Constraints::default(),
        };
        let spend = |p: &Plan| -> Vec<f64> { p.periods.iter().map(|x| x.total).collect() };
        let uneven = spend(&plan(&d, &request).unwrap());
        assert!(uneven[1] > uneven[0] + 0.1, "{uneven:?}");
        // Draws without carry-over: the concave curve makes the even split best in every one,
        // so the uneven plan is expected to lose and the flat plan (3, 3) stands, worth
        // h(3) + h(3) = 1.5 in each draw.
        let same = crate::document::DrawChannel {
            coefficient: 1.0,
            adstock: Adstock::Geometric {
                decay: DecayRate::new(0.0).unwrap(),
                max_lag: MaxLag::new(1).unwrap(),
            },
            saturation: d.channels[0].saturation,
        };
        d.posterior = Some(vec![PosteriorDraw { sigma: 1.0, channels: vec![same] }; 3]);
        let p = plan(&d, &request).unwrap();
        assert_eq!(spend(&p), [3.0, 3.0]);
        assert!((p.expected_incremental - 1.5).abs() < 1e-12, "{}", p.expected_incremental);
        assert_eq!(p.flat_plan_incremental, p.expected_incremental);
        assert_eq!(p.probability_beats_flat, None);
    }

    #[test]
    fn a_channel_that_saturates_before_its_adstock_is_planned_evenly() {
        // As above, but each period's spend saturates before it carries over: a period's whole
        // effect h(x_t) = x_t / (x_t + 1) lands within the plan and its one-period tail, so the
        // plan's value is h(x_1) + h(x_2) plus the history's carry-over, and the concave curve
        // splits 6 evenly: 2 · h(3) = 1.5 more than spending nothing.
        let mut d = one_channel_doc(0.5, 1, 3.0);
        d.channels[0].transform_order = TransformOrder::SaturationFirst;
        let request = PlanRequest {
            periods: 2,
            total_budget: 6.0,
            period_cap: None,
            constraints: Constraints::default(),
        };
        let p = plan(&d, &request).unwrap();
        let spend: Vec<f64> = p.periods.iter().map(|x| x.total).collect();
        assert!(spend.iter().all(|x| (x - 3.0).abs() < 1e-6), "{spend:?}");
        assert!((p.expected_incremental - 1.5).abs() < 1e-9, "{}", p.expected_incremental);
    }

    /// The fitted model, its plan's allocation and the last 8 periods of spend, for the gradient
    /// checks.
    fn planned() -> (ModelDocument, Vec<Vec<f64>>, Vec<Vec<f64>>) {
        let (d, request) = fitted_and_request();
        let x = allocation(&d, &plan(&d, &request).unwrap());
        let history = d.series.channels.iter().map(|s| s.spend[96..].to_vec()).collect();
        (d, x, history)
    }

    #[test]
    fn plan_spend_gradient_matches_finite_differences_in_either_order() {
        let (mut d, x, history) = planned();
        for order in [TransformOrder::AdstockFirst, TransformOrder::SaturationFirst] {
            d.channels.iter_mut().for_each(|c| c.transform_order = order);
            let model = Model::new(&d, None, &history, 8, 8);
            for (c, column) in x.iter().enumerate() {
                let g = model.gradient(c, column);
                for t in 0..8 {
                    let h = 1e-4 * column[t].max(1.0);
                    let mut up = column.clone();
                    up[t] += h;
                    let mut down = column.clone();
                    down[t] -= h;
                    let fd = (model.value(c, &up) - model.value(c, &down)) / (2.0 * h);
                    assert!(
                        (fd - g[t]).abs() <= 1e-6 * (1.0 + g[t].abs()),
                        "{order:?} channel {c} period {t}: {fd} vs {}",
                        g[t]
                    );
                }
            }
        }
    }

    /// A fitted 104 x 3 model and a plan request over 8 periods with a per-period cap.
    fn fitted_and_request() -> (ModelDocument, PlanRequest) {
        fitted_with(&ModelSpec::default())
    }

    /// [`fitted_and_request`] with the model fitted to `spec`.
    fn fitted_with(spec: &ModelSpec) -> (ModelDocument, PlanRequest) {
        let s = simulate(&SimConfig { periods: 104, channels: 3, seed: 4, ..SimConfig::default() });
        let d = fit(&s.dataset, spec, None).unwrap();
        let current: f64 = d.channels.iter().map(|c| c.current_spend).sum();
        let request = PlanRequest {
            periods: 8,
            total_budget: 8.0 * current,
            period_cap: Some(1.3 * current),
            constraints: Constraints::default(),
        };
        (d, request)
    }

    /// The plan's allocation as `x[c][t]`.
    fn allocation(d: &ModelDocument, p: &Plan) -> Vec<Vec<f64>> {
        d.channels.iter().map(|c| p.periods.iter().map(|t| t.spend[&c.name]).collect()).collect()
    }

    #[test]
    fn plan_parameter_gradient_matches_finite_differences() {
        let (mut d, x, history) = planned();
        for order in [TransformOrder::AdstockFirst, TransformOrder::SaturationFirst] {
            d.channels.iter_mut().for_each(|c| c.transform_order = order);
            parameter_gradient_matches(&d, &history, &x);
        }
    }

    fn parameter_gradient_matches(d: &ModelDocument, history: &[Vec<f64>], x: &[Vec<f64>]) {
        let model = Model::new(d, None, history, 8, 8);
        let g = model.parameter_gradient(x);
        assert_eq!(g.len(), 9, "coefficient, K and S for each of 3 channels");
        // Perturb each parameter of each channel in turn: coefficient, then Hill K and S.
        for c in 0..3 {
            for k in 0..3 {
                let shifted = |step: f64| {
                    let mut m = Model::new(d, None, history, 8, 8);
                    let ch = &mut m.channels[c];
                    let Saturation::Hill { half_saturation, shape } = ch.saturation else {
                        panic!("Hill expected")
                    };
                    let (mut kk, mut ss) = (half_saturation.get(), shape.get());
                    let h = step * [ch.coefficient, kk, ss][k];
                    match k {
                        0 => ch.coefficient += h,
                        1 => kk += h,
                        _ => ss += h,
                    }
                    ch.saturation = Saturation::Hill {
                        half_saturation: HalfSaturation::new(kk).unwrap(),
                        shape: HillShape::new(ss).unwrap(),
                    };
                    m.set_baseline();
                    (m.incremental(x), h)
                };
                let ((up, h), (down, _)) = (shifted(1e-6), shifted(-1e-6));
                let fd = (up - down) / (2.0 * h);
                let analytic = g[3 * c + k];
                assert!(
                    (fd - analytic).abs() <= 1e-5 * (1.0 + analytic.abs()),
                    "channel {c} parameter {k}: {fd} vs {analytic}"
                );
            }
        }
    }

    #[test]
    fn plan_uncertainty_from_the_covariance_and_from_draws() {
        // A MAP fit without draws (no ROI prior, so nothing to average over): the interval is
        // the delta method's, around the expected incremental KPI.
        let mut spec = ModelSpec::default();
        spec.priors.roi_relative_sd = None;
        let (mut d, request) = fitted_with(&spec);
        assert!(d.posterior.is_none());
        let p = plan(&d, &request).unwrap();
        let [lo, hi] = p.incremental_interval.unwrap();
        assert!(lo < p.expected_incremental && p.expected_incremental < hi, "{lo} {hi}");
        let history: Vec<Vec<f64>> =
            d.series.channels.iter().map(|s| s.spend[96..].to_vec()).collect();
        let g = Model::new(&d, None, &history, 8, 8).parameter_gradient(&allocation(&d, &p));
        let sd = d.curve_covariance.as_ref().unwrap().variance(&g).sqrt();
        assert!((hi - p.expected_incremental - Z90 * sd).abs() < 1e-6 * sd);
        let pb = p.probability_beats_flat.unwrap();
        let [glo, ghi] = p.gain_over_flat_interval.unwrap();
        let gain = p.expected_incremental - p.flat_plan_incremental;
        assert!(glo < gain && gain < ghi && (0.5..=1.0).contains(&pb), "{pb} [{glo}, {ghi}]");

        // Draws: every coefficient times f, for f = 0.8, 0.804, ..., 1.2 (101 draws), so the
        // plan's incremental KPI is f times the point estimate's, and its interval runs from
        // the 5% to the 95% quantile of f: 0.82 and 1.18 times it. It beats the flat plan in
        // every draw.
        let draws: Vec<PosteriorDraw> = (0..=100)
            .map(|i| PosteriorDraw {
                sigma: 1.0,
                channels: d
                    .channels
                    .iter()
                    .map(|c| crate::document::DrawChannel {
                        coefficient: c.coefficient * (0.8 + 0.004 * i as f64),
                        adstock: c.adstock,
                        saturation: c.saturation,
                    })
                    .collect(),
            })
            .collect();
        d.posterior = Some(draws);
        let q = plan(&d, &request).unwrap();
        // (The plan starts from the optimizer's split of the posterior mean curves, equal to the
        // point curves up to rounding.)
        assert!(
            (q.expected_incremental / p.expected_incremental - 1.0).abs() < 1e-6,
            "{} vs {}",
            q.expected_incremental,
            p.expected_incremental
        );
        let [lo, hi] = q.incremental_interval.unwrap();
        assert!((lo / q.expected_incremental - 0.82).abs() < 1e-9, "{lo}");
        assert!((hi / q.expected_incremental - 1.18).abs() < 1e-9, "{hi}");
        let gain = q.expected_incremental - q.flat_plan_incremental;
        assert!(gain > 0.0);
        assert_eq!(q.probability_beats_flat, Some(1.0));
        let [glo, ghi] = q.gain_over_flat_interval.unwrap();
        assert!((glo / gain - 0.82).abs() < 1e-6 && (ghi / gain - 1.18).abs() < 1e-6);
    }

    #[test]
    fn plans_spend_the_budget_within_caps_and_beat_the_flat_plan_or_match_it() {
        let (d, request) = fitted_and_request();
        let current = request.total_budget / 8.0;
        let p = plan(&d, &request).unwrap();
        let spent: f64 = p.periods.iter().map(|x| x.total).sum();
        assert!((spent - request.total_budget).abs() < 1e-6 * spent);
        assert!(p.periods.iter().all(|x| x.total <= 1.3 * current * (1.0 + 1e-9)));
        assert!(p.periods.iter().flat_map(|x| x.spend.values()).all(|v| *v >= -1e-9));
        assert!(p.expected_incremental >= p.flat_plan_incremental - 1e-9);
        let sum: f64 = p.by_channel.values().sum();
        assert!((sum - p.expected_incremental).abs() < 1e-6 * sum.abs());
        // Infeasible caps are refused.
        let tight = PlanRequest { period_cap: Some(0.5 * current), ..request };
        assert!(matches!(plan(&d, &tight), Err(OptimizeError::Infeasible(_))));
    }
}
