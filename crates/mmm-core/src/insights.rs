//! Plain-language findings from a fitted model, each with the numbers it rests on.

use crate::document::{ChannelResult, ModelDocument};
use crate::optimize::{AllocationLine, Constraints, Curves, optimize};
use crate::text::{and_list, thousands as money};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What an insight is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InsightKind {
    /// Which channel contributes most.
    TopContributor,
    /// Best and worst return on investment.
    RoiSpread,
    /// Moving budget from a low-mROI channel to a high-mROI one.
    Reallocation,
    /// The optimal mix of the current budget (within ±50% per channel).
    OptimalMix,
    /// A channel near its saturation point.
    Saturated,
    /// A channel whose returns still rise with spend.
    UnderFunded,
    /// Channels whose ROI the data barely inform: it mostly reflects the prior.
    WeakEvidence,
    /// Channels whose carry-over reaches back before the data, which give no media history.
    MissingHistory,
    /// Channels whose effect the data show coming largely after the period of spend.
    CarryOver,
    /// Channels whose spend moves together, or with a control, so closely that the data can
    /// hardly tell their effects apart.
    Collinearity,
    /// What the model leaves unexplained lingers from one period to the next (autocorrelated
    /// noise): often a driver the data lack.
    LingeringNoise,
    /// The KPI jumps (or dips) beyond the model's fit in the same weeks of every year: an
    /// event the data do not name, which belongs in a control column.
    RecurringEvent,
    /// A caution about the model's fit.
    FitQuality,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Insight {
    /// Kind.
    pub kind: InsightKind,
    /// Channels concerned.
    pub channels: Vec<String>,
    /// One-line headline.
    pub title: String,
    /// The finding in a sentence or two, with its numbers.
    pub message: String,
    /// The numbers cited, by name.
    pub numbers: BTreeMap<String, f64>,
}

/// ROI contraction below which a channel's ROI rests mostly on the prior.
pub const WEAK_EVIDENCE: f64 = 0.5;

/// ROI contraction below which a channel's ROI is called uncertain. On mmm's simulations the
/// channels at or above it were off by 9-22% on average, those below by 31-47%
/// (docs/benchmarks.md).
pub const FIRM_EVIDENCE: f64 = 0.75;

/// Share of a period's spend that a channel's adstock carries into later periods, from which the
/// missing-history insight names the channel.
pub const CARRY_OVER_WORTH_A_HISTORY: f64 = 0.3;

/// Widest 90% interval of a channel's lagged share (the share of its effect that comes after
/// the period of spend) for the carry-over insight to name it: narrower, the data pin the
/// carry-over down; wider, the prior on the carry-over (for mmm's geometric adstock, Beta(2, 2)
/// on the decay) decides it.
pub const CARRY_OVER_INTERVAL: f64 = 0.3;

/// Correlation of two channels' inputs (or of a channel's input and a control) over the
/// model's periods from which the collinearity insight names them. It is a caution, not an
/// error: Meridian's data checks refuse only near-perfect correlation (0.999), and also compare
/// each paid channel with the controls (its potential-bias review check), as this does.
pub const COLLINEAR_CORRELATION: f64 = 0.8;

/// Share of a channel's current spend moved in the reallocation insight.
pub const REALLOCATION_SHARE: f64 = 0.1;

/// Insights as numbered plain text: each title, then its message indented and wrapped to
/// `width` columns.
pub fn to_text(list: &[Insight], width: usize) -> String {
    crate::text::numbered(list.iter().map(|i| (i.title.as_str(), i.message.as_str())), width)
}

/// "a 78% chance", "an 86% chance": the article as the number is read aloud.
fn chance(p: f64) -> String {
    let n = (100.0 * p).round();
    let vowel = n == 8.0 || n == 11.0 || n == 18.0 || (80.0..90.0).contains(&n);
    format!("{} {n:.0}% chance", if vowel { "an" } else { "a" })
}

fn numbers(pairs: &[(&str, f64)]) -> BTreeMap<String, f64> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
}

/// Every insight for a model, most important first.
pub fn insights(doc: &ModelDocument) -> Vec<Insight> {
    let mut out = Vec::new();
    let kpi = &doc.kpi;
    let period = doc.frequency.period_name();
    let channels: Vec<&ChannelResult> = doc.channels.iter().collect();
    if channels.is_empty() {
        return out;
    }

    if let Some(top) = channels.iter().max_by(|a, b| a.contribution.total_cmp(&b.contribution)) {
        out.push(Insight {
            kind: InsightKind::TopContributor,
            channels: vec![top.name.clone()],
            title: format!("{} drives the most {kpi}", top.name),
            message: format!(
                "{} contributed {} {kpi} ({:.0}% of all media contribution) on {} spend.",
                top.name,
                money(top.contribution),
                100.0 * top.share,
                money(top.spend)
            ),
            numbers: numbers(&[
                ("contribution", top.contribution),
                ("share", top.share),
                ("spend", top.spend),
            ]),
        });
    }

    let best = channels.iter().max_by(|a, b| a.roi.total_cmp(&b.roi));
    let worst = channels.iter().min_by(|a, b| a.roi.total_cmp(&b.roi));
    if let (Some(best), Some(worst)) = (best, worst)
        && best.name != worst.name
    {
        out.push(Insight {
            kind: InsightKind::RoiSpread,
            channels: vec![best.name.clone(), worst.name.clone()],
            title: format!(
                "{} returns the most per unit of spend, {} the least",
                best.name, worst.name
            ),
            message: format!(
                "Each unit spent on {} returned {:.2} {kpi} over the data, against {:.2} for {}.",
                best.name, best.roi, worst.roi, worst.name
            ),
            numbers: numbers(&[("best_roi", best.roi), ("worst_roi", worst.roi)]),
        });
    }

    // Each uncertain channel, its contraction, and the lift-test precision that would firm it up.
    let weak: Vec<(&str, f64, Option<f64>)> = channels
        .iter()
        .filter_map(|c| {
            let k = c.roi_contraction.filter(|k| *k < FIRM_EVIDENCE)?;
            Some((c.name.as_str(), k, lift_test_precision_for(c, FIRM_EVIDENCE)))
        })
        .collect();
    if !weak.is_empty() {
        let names: Vec<&str> = weak.iter().map(|(n, ..)| *n).collect();
        let list = and_list(&names);
        let detail: Vec<String> = weak
            .iter()
            .map(|(n, k, _)| {
                let mostly = if *k < WEAK_EVIDENCE { ", mostly the prior" } else { "" };
                format!("{n} {:.0}%{mostly}", 100.0 * k)
            })
            .collect();
        let tests: Vec<String> = weak
            .iter()
            .filter_map(|(n, _, r)| r.map(|r| format!("{n} ±{:.0}%", 100.0 * r)))
            .collect();
        let precision = if tests.is_empty() {
            String::new()
        } else {
            format!(
                " To bring a channel to {:.0}%, its lift test needs a standard error of at most about this share of the measured lift: {}.",
                100.0 * FIRM_EVIDENCE,
                tests.join(", ")
            )
        };
        let mut figures = BTreeMap::new();
        for (n, k, r) in &weak {
            figures.insert(format!("{n}.roi_contraction"), *k);
            if let Some(r) = r {
                figures.insert(format!("{n}.lift_test_relative_se"), *r);
            }
        }
        let why = weak_evidence_causes(doc, &names, &mut figures);
        out.push(Insight {
            kind: InsightKind::WeakEvidence,
            channels: names.iter().map(|n| (*n).to_owned()).collect(),
            title: format!("The data leave the ROI of {list} uncertain"),
            message: format!(
                "The data narrowed the ROI prior by less than three quarters ({}), so these ROIs lean towards the prior's centre; in simulations such channels were off by 31-47% on average, against 9-22% for better-informed ones.{why} A lift test or an ROI prior from earlier studies would pin them down (Models > Calibration; lift_tests and priors in the API; --lift-tests and --priors in the CLI).{precision}",
                detail.join("; ")
            ),
            numbers: figures,
        });
    }

    // Marginal returns decide where the next unit of spend should go.
    // The expected response: over the posterior draws when the model has them.
    let funded: Vec<(usize, &ChannelResult)> =
        doc.channels.iter().enumerate().filter(|(_, c)| c.current_spend > 0.0).collect();
    let high = funded.iter().max_by(|a, b| a.1.mroi.total_cmp(&b.1.mroi));
    let low = funded.iter().min_by(|a, b| a.1.mroi.total_cmp(&b.1.mroi));
    if let (Some(&(hi, high)), Some(&(lo, low))) = (high, low)
        && hi != lo
        && high.mroi > low.mroi
    {
        let curves = Curves::of(doc);
        let moved = REALLOCATION_SHARE * low.current_spend;
        let gain = curves.response(hi, high.current_spend + moved)
            - curves.response(hi, high.current_spend);
        let loss =
            curves.response(lo, low.current_spend) - curves.response(lo, low.current_spend - moved);
        let net = gain - loss;
        if net > 0.0 {
            // When the marginal ROIs' intervals overlap, the data do not say which is higher.
            let caution = match (high.mroi_interval, low.mroi_interval) {
                (Some(h), Some(l)) if h[0] < l[1] => format!(
                    " Their 90% intervals overlap ({} [{:.2}, {:.2}], {} [{:.2}, {:.2}]), so the gain is uncertain.",
                    high.name, h[0], h[1], low.name, l[0], l[1]
                ),
                _ => String::new(),
            };
            let current: Vec<f64> = doc.channels.iter().map(|c| c.current_spend).collect();
            let mut shifted = current.clone();
            for (i, c) in doc.channels.iter().enumerate() {
                if c.name == low.name {
                    shifted[i] -= moved;
                } else if c.name == high.name {
                    shifted[i] += moved;
                }
            }
            let comparison = curves.compare(&shifted, &current);
            let odds = comparison.map_or(String::new(), |c| {
                format!(
                    " The model gives the shift {} of paying off.",
                    chance(c.probability_better)
                )
            });
            let mut figures = numbers(&[
                ("moved_per_period", moved),
                ("from_mroi", low.mroi),
                ("to_mroi", high.mroi),
                ("net_gain_per_period", net),
            ]);
            if let Some(c) = comparison {
                figures.insert("probability_better".to_owned(), c.probability_better);
            }
            out.push(Insight {
                kind: InsightKind::Reallocation,
                channels: vec![low.name.clone(), high.name.clone()],
                title: format!("Shift budget from {} to {}", low.name, high.name),
                message: format!(
                    "Moving {} per {period} from {} (mROI {:.2}) to {} (mROI {:.2}) adds about {} {kpi} per {period} in the long run.{caution}{odds}",
                    money(moved),
                    low.name,
                    low.mroi,
                    high.name,
                    high.mroi,
                    money(net)
                ),
                numbers: figures,
            });
        }
    }

    // The optimiser's view: the same total budget, each channel within ±50% of its spend.
    let budget: f64 = channels.iter().map(|c| c.current_spend).sum();
    let limits = Constraints { bounds_pct: Some(0.5), ..Constraints::default() };
    if let Ok(opt) = optimize(doc, budget, &limits)
        && opt.uplift > 1e-3 * opt.current_response.abs()
    {
        let mut moves: Vec<&AllocationLine> = opt.allocation.iter().collect();
        moves.sort_by(|a, b| {
            (b.recommended - b.current).abs().total_cmp(&(a.recommended - a.current).abs())
        });
        let described: Vec<String> = moves
            .iter()
            .take(3)
            .map(|a| {
                format!(
                    "{} {} to {}",
                    a.name,
                    if a.recommended >= a.current { "up" } else { "down" },
                    money(a.recommended)
                )
            })
            .collect();
        let mut figures = numbers(&[
            ("budget_per_period", budget),
            ("current_response", opt.current_response),
            ("optimized_response", opt.optimized_response),
            ("uplift", opt.uplift),
            ("gap_bound", opt.gap_bound),
        ]);
        let odds = match (opt.probability_better, opt.uplift_interval) {
            (Some(p), Some([lo, hi])) => {
                figures.insert("probability_better".to_owned(), p);
                figures.insert("uplift_low".to_owned(), lo);
                figures.insert("uplift_high".to_owned(), hi);
                format!(
                    " The model gives it {} of beating the current split (90% interval of the gain: {} to {}).",
                    chance(p),
                    money(lo),
                    money(hi)
                )
            }
            _ => String::new(),
        };
        out.push(Insight {
            kind: InsightKind::OptimalMix,
            channels: moves.iter().take(3).map(|a| a.name.clone()).collect(),
            title: format!("The same budget, better split, adds {:.1}% {kpi}", 100.0 * opt.uplift_pct),
            message: format!(
                "Keeping the total at {} per {period} and each channel within ±50% of its spend, the optimal mix ({}) \
                 adds about {} {kpi} per {period} ({:+.1}%).{odds}",
                money(budget),
                described.join(", "),
                money(opt.uplift),
                100.0 * opt.uplift_pct
            ),
            numbers: figures,
        });
    }

    for c in &channels {
        if c.current_spend >= c.saturation_point || (c.roi > 0.0 && c.mroi < 0.25 * c.roi) {
            out.push(Insight {
                kind: InsightKind::Saturated,
                channels: vec![c.name.clone()],
                title: format!("{} is close to saturation", c.name),
                message: format!(
                    "At {} per {period}, {} returns {:.2} {kpi} per extra unit, against {:.2} on average; \
                     it reaches 90% of its maximum effect at {} per {period}.",
                    money(c.current_spend),
                    c.name,
                    c.mroi,
                    c.roi,
                    money(c.saturation_point)
                ),
                numbers: numbers(&[
                    ("current_spend", c.current_spend),
                    ("mroi", c.mroi),
                    ("roi", c.roi),
                    ("saturation_point", c.saturation_point),
                ]),
            });
        } else if c.mroi > c.roi && c.mroi > 0.0 {
            out.push(Insight {
                kind: InsightKind::UnderFunded,
                channels: vec![c.name.clone()],
                title: format!("{} may be under-funded", c.name),
                message: format!(
                    "{}'s next unit of spend returns {:.2} {kpi}, more than its average of {:.2}: \
                     its returns still rise at {} per {period}.",
                    c.name,
                    c.mroi,
                    c.roi,
                    money(c.current_spend)
                ),
                numbers: numbers(&[
                    ("current_spend", c.current_spend),
                    ("mroi", c.mroi),
                    ("roi", c.roi),
                ]),
            });
        }
    }

    out.extend(carry_over(doc, period));
    out.extend(missing_history(doc, period));
    out.extend(collinearity(doc, period));
    out.extend(lingering_noise(doc, period));
    out.extend(recurring_events(doc));
    out.extend(ramadan(doc));

    let holdout_mape = doc.fit.holdout.as_ref().map(|h| h.mape);
    if doc.fit.r2 < 0.5 || holdout_mape.is_some_and(|m| m > 0.2) {
        out.push(Insight {
            kind: InsightKind::FitQuality,
            channels: Vec::new(),
            title: "Read these figures with care".to_owned(),
            message: format!(
                "The model explains {:.0}% of the variation in {kpi}{}; channel figures are uncertain.",
                100.0 * doc.fit.r2,
                holdout_mape.map(|m| format!(" and misses held-out periods by {:.0}% on average", 100.0 * m)).unwrap_or_default()
            ),
            numbers: numbers(&[("r2", doc.fit.r2)]),
        });
    }
    out
}

mod evidence;
mod model;
mod recurring;
#[cfg(test)]
mod tests;

use evidence::weak_evidence_causes;
pub use evidence::{
    NoiseLimit, contraction_after_test, explained_by_others, lift_test_precision_for, noise_limit,
};
pub use model::{CollinearPair, collinear_pairs};
use model::{carry_over, collinearity, lingering_noise, missing_history};
use recurring::{ramadan, recurring_events};
