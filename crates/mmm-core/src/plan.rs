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

use crate::document::{ChannelResult, ModelDocument};
use crate::optimize::{Constraints, OptimizeError, optimize};
use chrono::{Days, NaiveDate};
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
    /// Incremental KPI the plan causes (over the plan and its carry-over tail).
    pub expected_incremental: f64,
    /// The same for the flat plan (the steady-state optimum every period), for comparison.
    pub flat_plan_incremental: f64,
    /// Incremental KPI per channel.
    pub by_channel: BTreeMap<String, f64>,
    /// Periods after the plan over which carry-over is counted.
    pub carry_over_periods: usize,
}

struct Model<'a> {
    channels: &'a [ChannelResult],
    weights: Vec<Vec<f64>>,
    history: Vec<Vec<f64>>,
    n: usize,
    tail: usize,
}

impl Model<'_> {
    /// Adstocked spend of channel c over the plan and its tail, given the plan column.
    fn adstock(&self, c: usize, plan: &[f64]) -> Vec<f64> {
        let hist = &self.history[c];
        let w = &self.weights[c];
        let h = hist.len();
        let series: Vec<f64> = hist
            .iter()
            .copied()
            .chain(plan.iter().copied())
            .chain(std::iter::repeat_n(0.0, self.tail))
            .collect();
        (0..self.n + self.tail)
            .map(|tau| {
                let t = h + tau;
                w.iter().enumerate().take(t + 1).map(|(l, wl)| wl * series[t - l]).sum()
            })
            .collect()
    }

    fn value(&self, c: usize, plan: &[f64]) -> f64 {
        let ch = &self.channels[c];
        self.adstock(c, plan)
            .iter()
            .map(|a| ch.coefficient * ch.saturation.value(a / ch.scale))
            .sum()
    }

    /// d value / d plan[t] for every t.
    fn gradient(&self, c: usize, plan: &[f64]) -> Vec<f64> {
        let ch = &self.channels[c];
        let a = self.adstock(c, plan);
        let slope: Vec<f64> = a
            .iter()
            .map(|v| ch.coefficient * ch.saturation.slope(v / ch.scale) / ch.scale)
            .collect();
        (0..self.n)
            .map(|t| {
                self.weights[c]
                    .iter()
                    .enumerate()
                    .map(|(l, w)| w * slope.get(t + l).copied().unwrap_or(0.0))
                    .sum()
            })
            .collect()
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
    let weights: Vec<Vec<f64>> = channels.iter().map(|c| c.adstock.weights()).collect();
    let tail = weights.iter().map(|w| w.len() - 1).max().unwrap_or(0);
    let history: Vec<Vec<f64>> = doc
        .series
        .channels
        .iter()
        .map(|s| {
            let input: Vec<f64> = s.history.iter().chain(s.model_input()).copied().collect();
            input[input.len().saturating_sub(tail)..].to_vec()
        })
        .collect();
    let model = Model { channels, weights, history, n, tail };

    // x[c][t]
    let mut x: Vec<Vec<f64>> = start.allocation.iter().map(|a| vec![a.recommended; n]).collect();
    let zero = vec![0.0; n];
    let baseline: Vec<f64> = (0..channels.len()).map(|c| model.value(c, &zero)).collect();
    let total_value = |x: &[Vec<f64>]| -> f64 {
        (0..channels.len()).map(|c| model.value(c, &x[c]) - baseline[c]).sum()
    };
    let flat = total_value(&x);

    let cap = request.period_cap.unwrap_or(f64::INFINITY);
    let period_total = |x: &[Vec<f64>], t: usize| -> f64 { x.iter().map(|col| col[t]).sum() };
    for _ in 0..400 {
        let grads: Vec<Vec<f64>> = (0..channels.len()).map(|c| model.gradient(c, &x[c])).collect();
        // Receiver: highest gradient with room; giver: lowest gradient above its minimum.
        let mut up: Option<(usize, usize)> = None;
        let mut down: Option<(usize, usize)> = None;
        for c in (0..channels.len()).filter(|c| !locked[*c]) {
            for t in 0..n {
                let g = grads[c][t];
                if x[c][t] < hi[c]
                    && period_total(&x, t) < cap
                    && up.is_none_or(|(uc, ut)| g > grads[uc][ut])
                {
                    up = Some((c, t));
                }
                if x[c][t] > lo[c] && down.is_none_or(|(dc, dt)| g < grads[dc][dt]) {
                    down = Some((c, t));
                }
            }
        }
        let (Some((uc, ut)), Some((dc, dt))) = (up, down) else { break };
        if (uc, ut) == (dc, dt) || grads[uc][ut] <= grads[dc][dt] * (1.0 + 1e-9) {
            break;
        }
        let mut span = (hi[uc] - x[uc][ut]).min(x[dc][dt] - lo[dc]);
        if ut != dt {
            span = span.min(cap - period_total(&x, ut));
        }
        if span.is_nan() || span <= 0.0 {
            break;
        }
        let before = total_value(&x);
        let trial = |s: f64| {
            let mut y = x.clone();
            y[uc][ut] += s;
            y[dc][dt] -= s;
            total_value(&y)
        };
        let (mut a, mut b) = (0.0, span);
        let phi = 0.5 * (5f64.sqrt() - 1.0);
        for _ in 0..40 {
            let m1 = b - phi * (b - a);
            let m2 = a + phi * (b - a);
            if trial(m1) < trial(m2) { a = m1 } else { b = m2 }
        }
        let s = 0.5 * (a + b);
        if trial(s) <= before + 1e-12 * before.abs().max(1.0) {
            break;
        }
        x[uc][ut] += s;
        x[dc][dt] -= s;
    }

    let step = match doc.frequency {
        crate::dataset::Frequency::Daily => 1,
        crate::dataset::Frequency::Weekly => 7,
    };
    let periods = (0..n)
        .map(|t| {
            let spend: BTreeMap<String, f64> =
                channels.iter().zip(&x).map(|(c, col)| (c.name.clone(), col[t])).collect();
            PlanPeriod {
                date: doc.end.checked_add_days(Days::new(step * (t as u64 + 1))).unwrap_or(doc.end),
                total: spend.values().sum(),
                spend,
            }
        })
        .collect();
    let by_channel = channels
        .iter()
        .enumerate()
        .map(|(c, ch)| (ch.name.clone(), model.value(c, &x[c]) - baseline[c]))
        .collect();
    Ok(Plan {
        periods,
        total_budget: total,
        expected_incremental: total_value(&x),
        flat_plan_incremental: flat,
        by_channel,
        carry_over_periods: tail,
    })
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
        let mut d =
            fit(&s.dataset, &ModelSpec { starts: 1, ..ModelSpec::default() }, None).unwrap();
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
        assert_eq!(p.periods[0].date, d.end + chrono::Days::new(7));
    }

    #[test]
    fn plans_spend_the_budget_within_caps_and_beat_the_flat_plan_or_match_it() {
        let s = simulate(&SimConfig { periods: 104, channels: 3, seed: 4, ..SimConfig::default() });
        let d = fit(&s.dataset, &ModelSpec::default(), None).unwrap();
        let current: f64 = d.channels.iter().map(|c| c.current_spend).sum();
        let request = PlanRequest {
            periods: 8,
            total_budget: 8.0 * current,
            period_cap: Some(1.3 * current),
            constraints: Constraints::default(),
        };
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
