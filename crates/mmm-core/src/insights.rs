//! Plain-language findings from a fitted model, each with the numbers it rests on.

use crate::checks;
use crate::document::{ChannelResult, ModelDocument};
use crate::events;
use crate::fit::Z90;
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

/// Posterior standard deviation of a channel's ROI, read back from its 90% interval (the upper
/// half when a MAP interval was floored at zero).
fn roi_sd(c: &ChannelResult) -> Option<f64> {
    let [lo, hi] = c.roi_interval?;
    let sd = if lo > 0.0 { (hi - lo) / (2.0 * Z90) } else { (hi - c.roi) / Z90 };
    (sd > 0.0 && sd.is_finite()).then_some(sd)
}

/// The ROI contraction a channel would reach with one more lift test whose standard error is
/// `relative_se` of the lift it measures.
///
/// A lift test measures the channel's coefficient, so it adds the precision `1 / (ROI · r)²` to
/// the ROI's posterior precision `1 / V`, and the prior variance is `V / (1 − contraction)`. This
/// leaves out what the test would also teach about the adstock and saturation parameters, and
/// that the measured lift may differ from the model's.
pub fn contraction_after_test(c: &ChannelResult, relative_se: f64) -> Option<f64> {
    let k = c.roi_contraction.filter(|k| *k < 1.0)?;
    let v = roi_sd(c)?.powi(2);
    let test = (c.roi * relative_se).powi(2);
    if !(test > 0.0 && test.is_finite()) {
        return None;
    }
    let posterior = 1.0 / (1.0 / v + 1.0 / test);
    Some(1.0 - (1.0 - k) * posterior / v)
}

/// The largest standard error, relative to the measured lift, of a lift test that would bring a
/// channel's ROI contraction to `target` (by [`contraction_after_test`]'s approximation):
/// `r = (sd / ROI) · √((1 − target) / (target − contraction))`. `None` when the channel is
/// already there or has no interval and contraction.
pub fn lift_test_precision_for(c: &ChannelResult, target: f64) -> Option<f64> {
    let k = c.roi_contraction?;
    if !(k < target && target < 1.0) || c.roi <= 0.0 {
        return None;
    }
    let r = roi_sd(c)? / c.roi * ((1.0 - target) / (target - k)).sqrt();
    r.is_finite().then_some(r)
}

/// How precisely the noise alone would let the data measure channel `c`'s ROI, and the ROI
/// contraction that precision would give: the best case, with the channel's curve known and its
/// spend moving independently of everything else in the model.
///
/// A least-squares coefficient on a regressor with an intercept has a relative standard error of
/// `r = σ / (sd · √n)`, `sd` the standard deviation of the channel's contribution over the `n`
/// fitted periods and `σ` the residual standard deviation; the ROI, proportional to the
/// coefficient, has the same. When the model found its noise autocorrelated (ρ), the fit weighs
/// the periods as whitened data (`W`, docs/methodology.md), and the same holds there:
/// `r = σ √(1 − ρ²) / √S`, `S` the sum of squares of the whitened contribution `W c` left once
/// the whitened intercept is taken out (`n · sd²` at ρ = 0). A contribution that moves slowly,
/// as the noise does, is then measured worse, and one that jumps from week to week better. With the prior variance `V / (1 − contraction)` read back from the
/// posterior variance `V`, the data at best give the contraction `P / (P + (ROI · r)²)`. When
/// even that falls short of [`FIRM_EVIDENCE`], the channel's effect is too faint beside the
/// noise for these data to settle, whatever else holds.
pub fn noise_limit(doc: &ModelDocument, c: &ChannelResult) -> Option<NoiseLimit> {
    let k = c.roi_contraction.filter(|k| *k < 1.0)?;
    let prior = roi_sd(c)?.powi(2) / (1.0 - k);
    let series = doc.series.channels.iter().find(|s| s.name == c.name)?;
    let held_out = doc.fit.holdout.as_ref().map_or(0, |h| h.periods);
    let fitted = &series.contribution[..series.contribution.len().saturating_sub(held_out)];
    let n = fitted.len() as f64;
    let mean = fitted.iter().sum::<f64>() / n;
    let sd = (fitted.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
    let noise = crate::fit::noise::Noise::of(&doc.fit);
    let relative_se = match noise.is_independent() {
        true => doc.fit.sigma / (sd * n.sqrt()),
        false => {
            let mut moves = fitted.to_vec();
            noise.whiten(&mut moves);
            let mut level = vec![1.0; fitted.len()];
            noise.whiten(&mut level);
            let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
            let left = dot(&moves, &moves) - dot(&moves, &level).powi(2) / dot(&level, &level);
            doc.fit.sigma * noise.innovation_share.sqrt() / left.sqrt()
        }
    };
    let data = (c.roi * relative_se).powi(2);
    let contraction = prior / (prior + data);
    (contraction.is_finite() && relative_se.is_finite() && c.roi > 0.0).then_some(NoiseLimit {
        contribution_sd: sd,
        relative_se,
        contraction,
    })
}

/// The share of channel `c`'s contribution over the fitted periods that the model's other
/// inputs explain: the R² of its per-period contribution regressed on the baseline's columns
/// (intercept, trend, seasonality, controls) and the other channels' contributions. Only the
/// rest, `1 − R²`, measures the channel's own effect.
pub fn explained_by_others(doc: &ModelDocument, c: &ChannelResult) -> Option<f64> {
    let i = doc.channels.iter().position(|x| x.name == c.name)?;
    let held_out = doc.fit.holdout.as_ref().map_or(0, |h| h.periods);
    let series = &doc.series;
    let n = series.channels.get(i)?.contribution.len().saturating_sub(held_out);
    let rows: Vec<Vec<f64>> = (0..n)
        .map(|t| {
            let z: Vec<f64> = series.control_values.iter().map(|v| v.values[t]).collect();
            doc.baseline.row(t, &z)
        })
        .collect();
    let width = rows.first()?.len();
    let mut columns: Vec<Vec<f64>> =
        (0..width).map(|j| rows.iter().map(|r| r[j]).collect()).collect();
    columns.extend(
        series
            .channels
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, s)| s.contribution[..n].to_vec()),
    );
    let x: Vec<&[f64]> = columns.iter().map(Vec::as_slice).collect();
    checks::explained(&x, &series.channels[i].contribution[..n])
}

/// What the noise alone allows the data to say about a channel's ROI ([`noise_limit`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NoiseLimit {
    /// Standard deviation of the channel's contribution over the fitted periods.
    pub contribution_sd: f64,
    /// Relative standard error of the ROI the noise alone leaves.
    pub relative_se: f64,
    /// The ROI contraction that standard error would give.
    pub contraction: f64,
}

impl NoiseLimit {
    /// The best-case contraction when a share `explained` of the contribution's variation
    /// follows the model's other inputs ([`explained_by_others`]): only the rest measures the
    /// channel, so the relative standard error grows by `1 / √(1 − explained)` (the variance
    /// inflation of least squares), and the data term `(ROI · r)²` with its square.
    pub fn with_others(&self, explained: f64) -> f64 {
        let data = 1.0 / self.contraction - 1.0;
        1.0 / (1.0 + data / (1.0 - explained).max(f64::EPSILON))
    }
}

/// What in the model's data leaves the ROI of the channels `names` to the prior: spend that is
/// never off or off in few periods, spend in few periods, a small share of the spend (as the
/// data checks see them, [`crate::checks`]), or an effect too faint beside the noise
/// ([`noise_limit`]). A sentence, empty when none applies; the figures go into `figures`.
fn weak_evidence_causes(
    doc: &ModelDocument,
    names: &[&str],
    figures: &mut BTreeMap<String, f64>,
) -> String {
    let period = doc.frequency.period_name();
    let total: f64 = doc.series.channels.iter().flat_map(|s| &s.spend).sum();
    let (mut always_on, mut rarely_off, mut sparse, mut small, mut faint, mut entangled) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for name in names {
        let Some(series) = doc.series.channels.iter().find(|s| s.name == *name) else {
            continue;
        };
        let input = series.model_input();
        if input.is_empty() {
            continue;
        }
        let n = input.len();
        if let Some(floor) = checks::always_on_floor(input) {
            always_on.push((*name, checks::percent(floor)));
            figures.insert(format!("{name}.lowest_to_mean"), floor);
        } else if let Some(active) = checks::few_active_periods(input) {
            sparse.push((*name, format!("{active} of {n} {period}s")));
            figures.insert(format!("{name}.active_periods"), active as f64);
        } else if let Some((dark, _)) = checks::short_pauses(input, doc.spec.max_lag) {
            rarely_off.push((*name, format!("{dark} of {n} {period}s")));
            figures.insert(format!("{name}.dark_periods"), dark as f64);
        }
        let share = series.spend.iter().sum::<f64>() / total;
        if let Some(share) = checks::small_share(share).filter(|_| doc.channels.len() > 1) {
            small.push((*name, checks::percent(share)));
            figures.insert(format!("{name}.spend_share"), share);
        }
        let Some(channel) = doc.channels.iter().find(|c| c.name == *name) else { continue };
        match noise_limit(doc, channel) {
            Some(limit) if limit.contraction < FIRM_EVIDENCE => {
                faint.push((*name, money(limit.contribution_sd)));
                figures.insert(format!("{name}.contribution_sd"), limit.contribution_sd);
                figures.insert(format!("{name}.noise_relative_se"), limit.relative_se);
            }
            // Enough alone, but not beside what moves with it.
            Some(limit) => {
                let shared = explained_by_others(doc, channel)
                    .filter(|r2| limit.with_others(*r2) < FIRM_EVIDENCE);
                if let Some(r2) = shared {
                    entangled.push((*name, checks::percent(r2)));
                    figures.insert(format!("{name}.explained_by_others"), r2);
                }
            }
            None => {}
        }
    }
    if !faint.is_empty() {
        figures.insert("noise_sd".to_owned(), doc.fit.sigma);
    }
    // One clause per cause: "search and social are never off (their lowest weeks are ...)".
    let clause = |found: &[(&str, String)], one: &str, several: &str| -> Option<String> {
        let names: Vec<&str> = found.iter().map(|(n, _)| *n).collect();
        let figures: Vec<&str> = found.iter().map(|(_, f)| f.as_str()).collect();
        let form = match found {
            [] => return None,
            [_] => one,
            _ => several,
        };
        Some(form.replace("{names}", &and_list(&names)).replace("{figures}", &and_list(&figures)))
    };
    let noise = money(doc.fit.sigma);
    let causes: Vec<String> = [
        clause(
            &always_on,
            &format!("{{names}} is never off (its lowest {period} is {{figures}} of its mean)"),
            &format!(
                "{{names}} are never off (their lowest {period}s are {{figures}} of their means)"
            ),
        ),
        clause(
            &rarely_off,
            "{names} is off only in short pauses ({figures})",
            "{names} are off only in short pauses ({figures})",
        ),
        clause(&sparse, "{names} has spend in {figures}", "{names} have spend in {figures}"),
        clause(
            &small,
            "{names} is {figures} of the media spend",
            "{names} are {figures} of the media spend",
        ),
        clause(
            &faint,
            &format!(
                "the contribution of {{names}} varies by {{figures}} a {period} (standard \
                 deviation) against noise of {noise} a {period}, too little to measure it well \
                 even if its spend had moved independently of everything else"
            ),
            &format!(
                "the contributions of {{names}} vary by {{figures}} a {period} (standard \
                 deviations) against noise of {noise} a {period}, too little to measure them \
                 well even if their spend had moved independently of everything else"
            ),
        ),
        clause(
            &entangled,
            "{figures} of the variation in the contribution of {names} follows the trend, \
             season, controls and other channels, and what is left is too little to measure it \
             well beside the noise",
            "{figures} of the variation in the contributions of {names} follow the trend, \
             season, controls and other channels, and what is left is too little to measure \
             them well beside the noise",
        ),
    ]
    .into_iter()
    .flatten()
    .collect();
    if causes.is_empty() {
        return String::new();
    }
    let (which, seen) = match (always_on.is_empty(), rarely_off.is_empty()) {
        (true, true) => ("", ""),
        (false, true) => ("that is never off", "the data never show"),
        (true, false) => ("off only in short pauses", "its carry-over keeps the data from showing"),
        (false, false) => {
            ("that is never off, or off only in short pauses,", "the data do not show")
        }
    };
    let dark = if which.is_empty() {
        String::new()
    } else {
        format!(
            " The ROI of a channel {which} extrapolates its response curve down to zero spend, \
             which {seen}; a go-dark test (pausing it for {window} {period}s or more, the \
             model's carry-over window, or in some regions) measures it.",
            window = doc.spec.max_lag
        )
    };
    format!(" In the data, {}.{dark}", and_list(&causes))
}

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

/// The channels whose effect the posterior draws show coming largely after the period of spend:
/// a lagged share `1 − w_0` of at least [`CARRY_OVER_WORTH_A_HISTORY`] on average, with a 90%
/// interval no wider than [`CARRY_OVER_INTERVAL`]. `None` without draws.
fn carry_over(doc: &ModelDocument, period: &str) -> Option<Insight> {
    let draws = doc.posterior.as_deref().filter(|d| !d.is_empty())?;
    let (mut channels, mut named) = (Vec::new(), Vec::new());
    let mut figures = BTreeMap::new();
    for (i, c) in doc.channels.iter().enumerate() {
        let (lagged, lags): (Vec<f64>, Vec<f64>) = draws
            .iter()
            .map(|d| {
                let w = d.channels[i].adstock.weights();
                let lag: f64 = w.iter().enumerate().map(|(l, wl)| l as f64 * wl).sum();
                (1.0 - w.first().copied().unwrap_or(1.0), lag)
            })
            .unzip();
        let (share, [lo, hi]) = crate::summary::summarise(&lagged);
        let mean_lag = lags.iter().sum::<f64>() / lags.len() as f64;
        if share >= CARRY_OVER_WORTH_A_HISTORY && hi - lo <= CARRY_OVER_INTERVAL {
            for (key, v) in [("lagged_share", share), ("lagged_low", lo), ("lagged_high", hi)] {
                figures.insert(format!("{}.{key}", c.name), v);
            }
            figures.insert(format!("{}.mean_lag", c.name), mean_lag);
            // A carry-over that builds up (a delayed peak: `fit::delayed`) is worth its own words.
            let peak = c.adstock.peak_lag();
            let largest = if peak > 0 {
                figures.insert(format!("{}.peak_lag", c.name), peak as f64);
                format!(", largest {peak} {period}{} after it", if peak == 1 { "" } else { "s" })
            } else {
                String::new()
            };
            channels.push(c.name.clone());
            named.push(format!(
                "{} {:.0}% (90% interval {:.0}-{:.0}%; {mean_lag:.1} {period}s after the spend on \
                 average{largest})",
                c.name,
                100.0 * share,
                100.0 * lo,
                100.0 * hi
            ));
        }
    }
    if channels.is_empty() {
        return None;
    }
    Some(Insight {
        kind: InsightKind::CarryOver,
        title: format!("The effect of {} carries over into later {period}s", and_list(&channels)),
        message: format!(
            "The data show a large share of the effect coming in the {period}s after the spend: \
             {}. Judge flights, lift tests and plans by the {period}s that follow them too, not \
             only by those they run in.",
            named.join(", ")
        ),
        channels,
        numbers: figures,
    })
}

/// The channels of a model fitted without media history whose adstock carries a good share of a
/// period's spend into later periods, and had spend at the start: the first periods miss the
/// carry-over of their spend before the data. `None` for imports and models with a history.
fn missing_history(doc: &ModelDocument, period: &str) -> Option<Insight> {
    let has_history = doc.series.channels.iter().any(|s| !s.history.is_empty());
    if doc.origin.is_some() || has_history {
        return None;
    }
    let mut named = Vec::new();
    let mut figures = BTreeMap::new();
    for (c, s) in doc.channels.iter().zip(&doc.series.channels) {
        let w = c.adstock.weights();
        let carried = 1.0 - w.first().copied().unwrap_or(1.0);
        let spent_at_start = s.spend.iter().take(w.len()).any(|v| *v > 0.0);
        if carried >= CARRY_OVER_WORTH_A_HISTORY && spent_at_start {
            // Σ_l l·w_l: the periods of spend whose carry-over the first periods miss, if the
            // spend before the data ran at the same level.
            let mean_lag: f64 = w.iter().enumerate().map(|(l, wl)| l as f64 * wl).sum();
            figures.insert(format!("{}.carried_share", c.name), carried);
            figures.insert(format!("{}.mean_lag", c.name), mean_lag);
            named.push((c.name.clone(), carried, mean_lag, w.len() - 1));
        }
    }
    if named.is_empty() {
        return None;
    }
    let window = named.iter().map(|n| n.3).max().unwrap_or(0);
    let shares: Vec<String> =
        named.iter().map(|(name, carried, ..)| format!("{name} {:.0}%", 100.0 * carried)).collect();
    let lags: Vec<String> = named.iter().map(|(_, _, lag, _)| format!("{lag:.1}")).collect();
    Some(Insight {
        kind: InsightKind::MissingHistory,
        channels: named.iter().map(|n| n.0.clone()).collect(),
        title: "The data start without the spend before them".to_owned(),
        message: format!(
            "The file has no media history, but {} carry a share of each {period}'s spend into \
             later {period}s: {}. Over the first {window} {period}s the model therefore misses \
             the carry-over of their spend before {} (about {} {period}s of their spend), and \
             may credit that effect to the baseline or to another channel. If you have the spend \
             of those {period}s, add it as rows with an empty KPI before the first one \
             (docs/data-format.md).",
            if named.len() == 1 { "this channel does" } else { "these channels" },
            shares.join(", "),
            doc.start,
            and_list(&lags)
        ),
        numbers: figures,
    })
}

/// The insight on [`collinear_pairs`], if there are any.
fn collinearity(doc: &ModelDocument, period: &str) -> Option<Insight> {
    let pairs = collinear_pairs(doc);
    if pairs.is_empty() {
        return None;
    }
    let mut channels: Vec<String> = Vec::new();
    for p in &pairs {
        let names = if p.other_is_channel { vec![p.channel, p.other] } else { vec![p.channel] };
        for name in names {
            if !channels.iter().any(|c| c == name) {
                channels.push(name.to_owned());
            }
        }
    }
    let described: Vec<String> = pairs
        .iter()
        .map(|p| {
            let (a, b) = (p.channel, p.other);
            let what = if p.other_is_channel {
                format!("{a} and {b} spend")
            } else {
                format!("{a} spend and {b}")
            };
            format!("{what} ({:.2})", p.correlation)
        })
        .collect();
    let with_controls = pairs.iter().any(|p| !p.other_is_channel);
    let told_apart: Vec<String> =
        pairs.iter().map(|p| format!("{} from {}", p.channel, p.other)).collect();
    Some(Insight {
        kind: InsightKind::Collinearity,
        channels,
        title: format!("The data can hardly tell {}", told_apart.join(", or ")),
        message: format!(
            "These move together from {period} to {period} (correlation over the model's {} \
             {period}s): {}. The data show their joint effect but leave its split mostly to the \
             priors, so these channels' ROIs, and any budget moved between them, are less \
             certain than the figures suggest{}. Weeks where one runs without the other, or a \
             lift test on one of them, would separate them.",
            doc.periods,
            described.join("; "),
            if with_controls {
                "; a control that moves with a channel may take part of its effect"
            } else {
                ""
            }
        ),
        numbers: pairs
            .iter()
            .map(|p| (format!("{}.{}.correlation", p.channel, p.other), p.correlation))
            .collect(),
    })
}

/// The model found its noise autocorrelated: what it leaves unexplained moves slowly, which
/// the fit allows for, and which often has a cause the data could name.
fn lingering_noise(doc: &ModelDocument, period: &str) -> Option<Insight> {
    let rho = doc.fit.noise_autocorrelation?;
    let mut figures = vec![("noise_autocorrelation", rho), ("noise_sd", doc.fit.sigma)];
    let lead = match doc.fit.noise_autocorrelated_share {
        Some(share) => {
            figures.push(("noise_autocorrelated_share", share));
            format!(
                "Of the part of {} the model does not explain, {:.0}% carries over",
                doc.kpi,
                100.0 * share
            )
        }
        None => format!("The part of {} the model does not explain carries over", doc.kpi),
    };
    Some(Insight {
        kind: InsightKind::LingeringNoise,
        channels: Vec::new(),
        title: format!("What the model leaves unexplained lingers from {period} to {period}"),
        message: format!(
            "{lead} from one {period} to the next (autocorrelation {rho:.2}, noise of {} a \
             {period}). The fit weighs the {period}s for it and its intervals allow for it, but \
             such slow noise often has a cause the data do not name: a holiday or event, a \
             competitor's campaign, the weather, a change of price or distribution. If you have \
             it, add it as a control column.",
            money(doc.fit.sigma)
        ),
        numbers: numbers(&figures),
    })
}

/// The weeks (or days) of the year in which a weekly (or daily) model's fit misses the KPI the
/// same way, by more than [`crate::events::EVENT_SDS`] robust residual sds (more with two
/// years), in every year of the data (two at least; [`crate::events::recurring_periods`]):
/// Black Friday, Christmas, a yearly sale the file does not mark, when the fit did not take it
/// itself. Their lift goes to whatever media ran then; a 0/1 control column takes it (on
/// simulated markets with two such weeks a year, the ROI error went from 38-44% back to 34%:
/// docs/benchmarks.md).
fn recurring_events(doc: &ModelDocument) -> Option<Insight> {
    let calendar = events::Calendar::of(doc.frequency)?;
    if doc.origin.is_some() {
        return None;
    }
    let held_out = doc.fit.holdout.as_ref().map_or(0, |h| h.periods);
    let n = doc.series.actual.len().saturating_sub(held_out);
    let residuals: Vec<f64> = (0..n).map(|t| doc.series.actual[t] - doc.series.fitted[t]).collect();
    let mean_kpi = doc.series.actual[..n].iter().sum::<f64>() / n.max(1) as f64;
    let years = n / calendar.year;
    let period = calendar.period_name();
    let mut named = Vec::new();
    let mut rules: Vec<events::Rule> = Vec::new();
    let mut figures = BTreeMap::new();
    for recurring in events::recurring_periods(&residuals, &doc.series.dates, calendar) {
        // The rule the fit would give it, as the caller would name it.
        if let Some(rule) = events::anchor(&doc.series.dates, &residuals, &recurring, calendar.days)
            && !rules.contains(&rule)
        {
            rules.push(rule);
        }
        let mean =
            recurring.earlier.iter().chain([&recurring.last]).map(|&k| residuals[k]).sum::<f64>()
                / (recurring.earlier.len() + 1) as f64;
        let date = doc.series.dates[recurring.last];
        figures.insert(format!("{date}.mean_residual"), mean);
        let day = if calendar.days == 1 { "%-d %B" } else { "the week of %-d %B" };
        let when = match recurring.kind {
            events::Match::Weekday => {
                date.format("%A %-d %B and the %A near it in each earlier year").to_string()
            }
            events::Match::Feast(feast) => {
                format!("{}, as far from {} every year", date.format(day), feast.short_name())
            }
            events::Match::Date => date.format(day).to_string(),
        };
        named.push(format!(
            "{when} ({} by {} on average, {:.0}% of the mean)",
            if mean > 0.0 { "above the fit" } else { "below it" },
            money(mean.abs()),
            100.0 * mean.abs() / mean_kpi
        ));
    }
    if named.is_empty() {
        return None;
    }
    let naming = match rules.len() {
        0 => String::new(),
        count => format!(
            ", or name {} you know of ({}; the API's events)",
            if count == 1 { "it as an event" } else { "them as events" },
            rules.iter().map(|r| format!("--event {r}")).collect::<Vec<_>>().join(" ")
        ),
    };
    Some(Insight {
        kind: InsightKind::RecurringEvent,
        channels: Vec::new(),
        title: format!(
            "{} moves in the same {period}s every year, beyond what the model explains",
            doc.kpi
        ),
        message: format!(
            "In each of the {} years of the data the model misses {} the same way {} {}: an \
             event the file does not name, such as Black Friday, Christmas or a yearly sale. \
             Its lift goes to whatever media ran then. Add a 0/1 control column that marks \
             those {period}s in every year{}, and fit again{}.",
            years + usize::from(!n.is_multiple_of(calendar.year)),
            doc.kpi,
            if calendar.days == 1 { "on" } else { "in" },
            and_list(&named),
            naming,
            if doc.spec.recurring_events {
                String::new()
            } else {
                format!(
                    "; or fit again with yearly events found by the fit (recurring_events, on \
                     by default), which gives each such {period} a term of its own"
                )
            }
        ),
        numbers: figures,
    })
}

/// How many standard errors from zero the residuals' lift in Ramadan must be, in the same
/// direction every year, for the insight to name it. On simulated markets without it
/// (docs/benchmarks.md), residuals that move a little with the season reach 2 now and then.
const RAMADAN_SES: f64 = 3.0;

/// Ramadan, when a weekly (or daily) model has no term for it and its residuals sit the same
/// way in Ramadan every year, by [`RAMADAN_SES`] standard errors at least (each period counted
/// by the share of Ramadan it holds): a month that moves 11 days a year, which neither the
/// season nor the search for single events can draw. Named (`--event ramadan`) or asked with a
/// country's holidays, the fit gives it a term.
fn ramadan(doc: &ModelDocument) -> Option<Insight> {
    let calendar = events::Calendar::of(doc.frequency)?;
    let rule = events::Rule::ramadan();
    let has_term = doc.baseline.events.iter().flat_map(|e| &e.dates).any(|e| e.rule() == rule);
    if doc.origin.is_some() || has_term {
        return None;
    }
    let held_out = doc.fit.holdout.as_ref().map_or(0, |h| h.periods);
    let n = doc.series.actual.len().saturating_sub(held_out).min(doc.series.dates.len());
    let dates = &doc.series.dates[..n];
    let occurrences = rule.occurrences(dates, calendar.days);
    if occurrences.len() < 2 {
        return None;
    }
    let residuals: Vec<f64> = (0..n).map(|t| doc.series.actual[t] - doc.series.fitted[t]).collect();
    let share: Vec<f64> = dates.iter().map(|d| rule.share(*d, calendar.days)).collect();
    let scale = checks::robust_sd(&residuals)?;
    // The lift by least squares on the share column, overall and in each year's run of periods.
    let lift = |range: std::ops::Range<usize>| {
        let weight: f64 = share[range.clone()].iter().map(|s| s * s).sum();
        let sum: f64 = range.map(|t| share[t] * residuals[t]).sum();
        (sum / weight, weight)
    };
    let (effect, weight) = lift(0..n);
    let ses = effect * weight.sqrt() / scale;
    let years: Vec<f64> = occurrences.into_iter().map(|run| lift(run).0).collect();
    if ses.abs() < RAMADAN_SES || years.iter().any(|y| y.signum() != effect.signum()) {
        return None;
    }
    let mean_kpi = doc.series.actual[..n].iter().sum::<f64>() / n as f64;
    let period = calendar.period_name();
    Some(Insight {
        kind: InsightKind::RecurringEvent,
        channels: Vec::new(),
        title: format!("{} moves with Ramadan every year, beyond what the model explains", doc.kpi),
        message: format!(
            "In each of the {} Ramadans of the data, {} sits {} the model's fit, by {} a {period} \
             on average ({:.1}% of the mean; {:.1} standard errors). Ramadan moves 11 days a year, \
             so the season cannot draw it, and its lift goes to whatever media ran then. Name it \
             (--event ramadan; the API's events: [\"ramadan\"]) or ask your country's holidays \
             (--holidays tr, sa, ae, eg or id), and fit again.",
            years.len(),
            doc.kpi,
            if effect > 0.0 { "above" } else { "below" },
            money(effect.abs()),
            100.0 * effect.abs() / mean_kpi,
            ses.abs()
        ),
        numbers: numbers(&[("effect", effect), ("standard_errors", ses)]),
    })
}

/// A channel whose input moves with another channel's, or with a control.
#[derive(Debug, Clone, PartialEq)]
pub struct CollinearPair<'a> {
    /// The channel.
    pub channel: &'a str,
    /// The other channel, or the control.
    pub other: &'a str,
    /// Whether `other` is a channel (else a control).
    pub other_is_channel: bool,
    /// Correlation over the model's periods, at least [`COLLINEAR_CORRELATION`] in size.
    pub correlation: f64,
}

/// Pairs of channels whose inputs, and channels and controls whose values, move together over
/// the model's periods with a correlation of at least [`COLLINEAR_CORRELATION`] in size: the
/// pairs the collinearity insight names.
pub fn collinear_pairs(doc: &ModelDocument) -> Vec<CollinearPair<'_>> {
    let inputs: Vec<(&str, &[f64])> =
        doc.series.channels.iter().map(|s| (s.name.as_str(), s.model_input())).collect();
    let controls = doc.series.control_values.iter().map(|c| (c.name.as_str(), &c.values[..]));
    let mut pairs = Vec::new();
    for (i, (channel, x)) in inputs.iter().enumerate() {
        let others = inputs[i + 1..].iter().map(|(b, y)| (*b, *y, true));
        for (other, y, other_is_channel) in
            others.chain(controls.clone().map(|(b, y)| (b, y, false)))
        {
            if let Some(correlation) =
                crate::metrics::correlation(x, y).filter(|r| r.abs() >= COLLINEAR_CORRELATION)
            {
                pairs.push(CollinearPair { channel, other, other_is_channel, correlation });
            }
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::HoldoutMetrics;
    use crate::simulate::{EVENT_DATES, SimConfig, simulate};
    use crate::{ModelSpec, fit};

    /// The correlation of `x` and `y` as the mean product of their z-scores.
    fn by_z_scores(x: &[f64], y: &[f64]) -> f64 {
        let z = |v: &[f64]| -> Vec<f64> {
            let n = v.len() as f64;
            let m = v.iter().sum::<f64>() / n;
            let sd = (v.iter().map(|a| (a - m).powi(2)).sum::<f64>() / n).sqrt();
            v.iter().map(|a| (a - m) / sd).collect()
        };
        z(x).iter().zip(z(y)).map(|(a, b)| a * b).sum::<f64>() / x.len() as f64
    }

    #[test]
    fn noise_that_lingers_is_named_with_its_autocorrelation() {
        let config =
            SimConfig { seed: 7, noise: 0.05, noise_autocorrelation: 0.8, ..SimConfig::default() };
        let doc = fit(&simulate(&config).dataset, &ModelSpec::default(), None).unwrap();
        let rho = doc.fit.noise_autocorrelation.unwrap();
        let list = insights(&doc);
        let found = list.iter().find(|i| i.kind == InsightKind::LingeringNoise).unwrap();
        assert_eq!(found.numbers["noise_autocorrelation"], rho);
        assert_eq!(found.numbers["noise_sd"], doc.fit.sigma);
        assert!(found.message.contains(&format!("autocorrelation {rho:.2}")), "{}", found.message);
        assert!(found.message.contains("add it as a control column"), "{}", found.message);
        assert_eq!(found.title, "What the model leaves unexplained lingers from week to week");
        // Independent noise: no such insight.
        let plain = SimConfig { seed: 7, noise: 0.05, ..SimConfig::default() };
        let doc = fit(&simulate(&plain).dataset, &ModelSpec::default(), None).unwrap();
        assert!(insights(&doc).iter().all(|i| i.kind != InsightKind::LingeringNoise));
    }

    #[test]
    fn channels_whose_spend_moves_together_are_named_with_their_correlation() {
        let config = SimConfig { seed: 11, periods: 104, channels: 3, ..SimConfig::default() };
        let mut s = simulate(&config);
        let doc = fit(&s.dataset, &ModelSpec::default(), None).unwrap();
        assert!(!insights(&doc).iter().any(|i| i.kind == InsightKind::Collinearity));
        // Social spends what search spends, give or take 5%, and the price follows TV's spend.
        let search = s.dataset.channels[1].spend.clone();
        s.dataset.channels[2].spend = search
            .iter()
            .enumerate()
            .map(|(t, v)| v * (0.95 + 0.1 * ((t % 3) as f64 / 2.0)))
            .collect();
        let tv = s.dataset.channels[0].spend.clone();
        let price = &mut s.dataset.controls[0].values;
        for (p, v) in price.iter_mut().zip(&tv) {
            *p = 100.0 - v / 10_000.0 + 0.2 * (*p - 100.0);
        }
        let doc = fit(&s.dataset, &ModelSpec::default(), None).unwrap();
        let found =
            insights(&doc).into_iter().find(|i| i.kind == InsightKind::Collinearity).unwrap();
        assert_eq!(found.channels, ["tv", "search", "social"]);
        let social = &s.dataset.channels[2].spend;
        let r = by_z_scores(&search, social);
        assert!(r > 0.95, "{r}");
        assert!((found.numbers["search.social.correlation"] - r).abs() < 1e-12);
        let control = &s.dataset.controls[0];
        let r = by_z_scores(&tv, &control.values);
        assert!(r < -COLLINEAR_CORRELATION, "{r}");
        assert!((found.numbers[&format!("tv.{}.correlation", control.name)] - r).abs() < 1e-12);
        assert_eq!(found.numbers.len(), 2, "{:?}", found.numbers);
        let title =
            format!("The data can hardly tell tv from {}, or search from social", control.name);
        assert_eq!(found.title, title);
        assert!(!found.message.contains("  "), "{}", found.message);
        assert!(
            found.message.contains(&format!(
                "search and social spend ({:.2})",
                found.numbers["search.social.correlation"]
            )),
            "{}",
            found.message
        );
        assert!(
            found.message.contains(&format!("tv spend and {}", control.name)),
            "{}",
            found.message
        );
    }

    #[test]
    fn channels_whose_carry_over_the_data_pin_down_are_named() {
        // The bundled example's market (fixtures/example.csv): the flighted TV shows its
        // carry-over; the always-on and seasonal channels leave theirs to the prior (their

        let s = simulate(&SimConfig { seed: 7, noise: 0.045, ..SimConfig::default() });
        let mut doc = fit(&s.dataset, &ModelSpec::default(), None).unwrap();
        let found = insights(&doc).into_iter().find(|i| i.kind == InsightKind::CarryOver).unwrap();
        assert_eq!(found.channels, ["tv"]);
        assert!(found.title.contains("tv"), "{}", found.title);
        // Its figures are the draws' lagged shares, and the true one lies inside their interval.
        let draws = doc.posterior.as_ref().unwrap();
        let lagged: Vec<f64> =
            draws.iter().map(|d| 1.0 - d.channels[0].adstock.weights()[0]).collect();
        let (mean, [lo, hi]) = crate::summary::summarise(&lagged);
        assert_eq!(found.numbers["tv.lagged_share"], mean);
        assert_eq!((found.numbers["tv.lagged_low"], found.numbers["tv.lagged_high"]), (lo, hi));
        let truth = crate::transforms::Adstock::Geometric {
            decay: crate::params::DecayRate::new(s.truth.channels[0].decay).unwrap(),
            max_lag: crate::params::MaxLag::new(8).unwrap(),
        };
        let true_share = 1.0 - truth.weights()[0];
        assert!(lo <= true_share && true_share <= hi, "{true_share} outside [{lo}, {hi}]");
        assert!(found.message.contains(&format!("tv {:.0}%", 100.0 * mean)), "{}", found.message);
        // Without draws there is nothing to tell the data from the prior by.
        doc.posterior = None;
        assert!(insights(&doc).iter().all(|i| i.kind != InsightKind::CarryOver));
        // The geometric carry-over is largest in the period of the spend: no peak to name.
        assert!(!found.message.contains("largest"), "{}", found.message);
        assert!(!found.numbers.contains_key("tv.peak_lag"));
    }

    #[test]
    fn weeks_that_jump_every_year_are_named_until_a_control_marks_them() {
        // Two one-week events a year, 40% of the level each: the week holding 27 November and
        // the one holding 24 December. The fit would give them terms of its own; here it may
        // not, as an older model's or one fitted with them off.
        let config =
            SimConfig { seed: 1000, noise: 0.045, yearly_events: 0.4, ..SimConfig::default() };
        let mut s = simulate(&config);
        let lift = 0.4 * s.truth.baseline.intercept;
        let event: Vec<bool> = s
            .dataset
            .dates
            .iter()
            .map(|d| EVENT_DATES.iter().any(|&(m, day)| crate::events::holds(*d, 7, m, day)))
            .collect();
        let spec = ModelSpec { recurring_events: false, ..ModelSpec::default() };
        let doc = fit(&s.dataset, &spec, None).unwrap();
        assert!(doc.baseline.events.is_none());
        let found = insights(&doc).into_iter().find(|i| i.kind == InsightKind::RecurringEvent);
        let found = found.unwrap();
        // Exactly the last year's two event weeks, each above the fit.
        let last_year: Vec<String> = s.dataset.dates[104..]
            .iter()
            .zip(&event[104..])
            .filter(|(_, on)| **on)
            .map(|(d, _)| format!("{d}.mean_residual"))
            .collect();
        assert_eq!(found.numbers.keys().cloned().collect::<Vec<_>>(), last_year);
        assert!(found.numbers.values().all(|v| *v > 0.5 * lift), "{:?}", found.numbers);
        assert!(found.message.contains("In each of the 3 years"), "{}", found.message);
        // The model was fitted with the fit's own event terms off: the insight says so.
        assert!(found.message.contains("(recurring_events, on by default)"), "{}", found.message);
        // Taken by the fit's own terms, the weeks are explained: nothing to say.
        let taken = fit(&s.dataset, &ModelSpec::default(), None).unwrap();
        assert!(taken.baseline.events.is_some());
        // The insight names them as the fit's own terms do, written as the caller would name
        // them.
        let named: Vec<String> = taken
            .baseline
            .events
            .as_ref()
            .unwrap()
            .dates
            .iter()
            .map(|e| format!("--event {}", e.rule()))
            .collect();
        let said =
            format!("or name them as events you know of ({}; the API's events)", named.join(" "));
        assert!(found.message.contains(&said), "{said}\n{}", found.message);
        assert!(insights(&taken).iter().all(|i| i.kind != InsightKind::RecurringEvent));
        // Marked by a control, likewise, and the fit needs no terms of its own.
        let values = event.iter().map(|on| f64::from(u8::from(*on))).collect();
        s.dataset.roles.controls.push("events".to_owned());
        s.dataset.controls.push(crate::dataset::Control { name: "events".to_owned(), values });
        let marked = fit(&s.dataset, &ModelSpec::default(), None).unwrap();
        assert!(marked.baseline.events.is_none());
        assert!(insights(&marked).iter().all(|i| i.kind != InsightKind::RecurringEvent));
        // Nor on the market without them.
        let plain = SimConfig { yearly_events: 0.0, ..config };
        let plain = fit(&simulate(&plain).dataset, &ModelSpec::default(), None).unwrap();
        assert!(plain.baseline.events.is_none());
        assert!(insights(&plain).iter().all(|i| i.kind != InsightKind::RecurringEvent));
    }

    #[test]
    fn ramadan_is_named_when_the_model_has_no_term_for_it() {
        // Ramadan 30% of the level up, each week by the share of its days in Ramadan: the
        // fit's own search does not take it.
        let rule = crate::events::Rule::ramadan();
        let config = SimConfig {
            seed: 1000,
            noise: 0.045,
            lifts: vec![(rule, 0.3)],
            ..SimConfig::default()
        };
        let s = simulate(&config);
        let lift = 0.3 * s.truth.baseline.intercept;
        let doc = fit(&s.dataset, &ModelSpec::default(), None).unwrap();
        let ramadan = |doc: &ModelDocument| {
            insights(doc).into_iter().find(|i| i.title.contains("moves with Ramadan"))
        };
        let found = ramadan(&doc).expect("Ramadan, named");
        assert_eq!(found.kind, InsightKind::RecurringEvent);
        // The residuals keep part of the lift (here 37%): the media that ran then, the season
        // and the trend took the rest, which is why the insight matters.
        let effect = found.numbers["effect"];
        assert!(effect > 0.2 * lift && effect < 0.8 * lift, "{effect} against {lift}");
        assert!(found.numbers["standard_errors"] >= RAMADAN_SES, "{:?}", found.numbers);
        for said in ["In each of the 3 Ramadans", "sits above", "--event ramadan", "--holidays tr"]
        {
            assert!(found.message.contains(said), "{said}: {}", found.message);
        }
        // Named, the model has its term and nothing is left to say; nor on the market without it.
        let named = ModelSpec { events: vec![rule], ..ModelSpec::default() };
        assert!(ramadan(&fit(&s.dataset, &named, None).unwrap()).is_none());
        let plain = simulate(&SimConfig { lifts: Vec::new(), ..config });
        assert!(ramadan(&fit(&plain.dataset, &ModelSpec::default(), None).unwrap()).is_none());
    }

    #[test]
    fn a_carry_over_that_peaks_late_says_when() {
        // Every channel's true carry-over peaks two weeks after the spend.
        let config = SimConfig { seed: 3, noise: 0.05, adstock_peak: 2.0, ..SimConfig::default() };
        let s = simulate(&config);
        let doc = fit(&s.dataset, &ModelSpec::default(), None).unwrap();
        let found = insights(&doc).into_iter().find(|i| i.kind == InsightKind::CarryOver).unwrap();
        assert!(found.channels.iter().any(|c| c == "tv"), "{:?}", found.channels);
        let tv = doc.channels.iter().find(|c| c.name == "tv").unwrap();
        let peak = tv.adstock.peak_lag();
        assert!((1..=3).contains(&peak), "{:?}", tv.adstock);
        assert_eq!(found.numbers["tv.peak_lag"], peak as f64);
        let weeks = if peak == 1 { "week" } else { "weeks" };
        let said = format!("after the spend on average, largest {peak} {weeks} after it)");
        assert!(found.message.contains(&said), "{}", found.message);
    }

    #[test]
    fn a_model_without_media_history_says_which_channels_miss_it() {
        let cold =
            simulate(&SimConfig { periods: 104, channels: 3, seed: 6, ..SimConfig::default() });
        let mut doc = fit(&cold.dataset, &ModelSpec::default(), None).unwrap();
        let list = insights(&doc);
        let found = list.iter().find(|i| i.kind == InsightKind::MissingHistory).unwrap();
        // Exactly the channels whose fitted adstock carries 30% or more of a week's spend into
        // later weeks, with the figures of their own weights.
        let expected: Vec<&str> = doc
            .channels
            .iter()
            .filter(|c| 1.0 - c.adstock.weights()[0] >= CARRY_OVER_WORTH_A_HISTORY)
            .map(|c| c.name.as_str())
            .collect();
        assert!(!expected.is_empty());
        assert_eq!(found.channels, expected);
        for name in &expected {
            let w = doc.channel(name).unwrap().adstock.weights();
            let lag: f64 = w.iter().enumerate().map(|(l, v)| l as f64 * v).sum();
            assert_eq!(found.numbers[&format!("{name}.carried_share")], 1.0 - w[0]);
            assert_eq!(found.numbers[&format!("{name}.mean_lag")], lag);
            let share = format!("{name} {:.0}%", 100.0 * (1.0 - w[0]));
            assert!(found.message.contains(&share), "{}", found.message);
        }
        assert!(
            found.message.contains(&format!("spend before {}", doc.start)),
            "{}",
            found.message
        );
        // Not for an import, which cannot be refitted with a history here.
        doc.origin = Some(crate::document::Origin {
            tool: "google-meridian".into(),
            version: "2.1.0".into(),
            file: "m.binpb".into(),
            notes: Vec::new(),
        });
        assert!(insights(&doc).iter().all(|i| i.kind != InsightKind::MissingHistory));
        // Nor once the data give the history.
        let warm = simulate(&SimConfig {
            periods: 104,
            channels: 3,
            seed: 6,
            history: 10,
            ..SimConfig::default()
        });
        let doc = fit(&warm.dataset, &ModelSpec::default(), None).unwrap();
        assert!(insights(&doc).iter().all(|i| i.kind != InsightKind::MissingHistory));
    }

    #[test]
    fn insights_cite_the_models_own_numbers() {
        let s = simulate(&SimConfig { seed: 3, ..SimConfig::default() });
        let doc = fit(&s.dataset, &ModelSpec::default(), None).unwrap();
        let list = insights(&doc);
        let top = &list[0];
        assert_eq!(top.kind, InsightKind::TopContributor);
        let best =
            doc.channels.iter().max_by(|a, b| a.contribution.total_cmp(&b.contribution)).unwrap();
        assert_eq!(top.channels, vec![best.name.clone()]);
        assert_eq!(top.numbers["share"], best.share);
        assert!(top.message.contains(&format!("{:.0}%", 100.0 * best.share)));

        let realloc = list.iter().find(|i| i.kind == InsightKind::Reallocation).unwrap();
        let from = doc.channel(&realloc.channels[0]).unwrap();
        let to = doc.channel(&realloc.channels[1]).unwrap();
        assert!(to.mroi > from.mroi);
        let moved = 0.1 * from.current_spend;
        // The expected response over the draws.
        let curves = Curves::of(&doc);
        let index = |name: &str| doc.channels.iter().position(|c| c.name == name).unwrap();
        let (i_from, i_to) = (index(&from.name), index(&to.name));
        let expected = curves.response(i_to, to.current_spend + moved)
            - curves.response(i_to, to.current_spend)
            - (curves.response(i_from, from.current_spend)
                - curves.response(i_from, from.current_spend - moved));
        assert!((realloc.numbers["net_gain_per_period"] - expected).abs() < 1e-9);
        assert!(expected > 0.0);
        // Its chance of paying off is the share of the fit's draws in which the shifted split
        // gives more response than the current one.
        let current: Vec<f64> = doc.channels.iter().map(|c| c.current_spend).collect();
        let shifted: Vec<f64> = doc
            .channels
            .iter()
            .map(|c| match c.name.as_str() {
                n if n == from.name => c.current_spend - moved,
                n if n == to.name => c.current_spend + moved,
                _ => c.current_spend,
            })
            .collect();
        let draws = doc.posterior.as_ref().unwrap();
        let total = |d: &crate::document::PosteriorDraw, x: &[f64]| -> f64 {
            d.channels
                .iter()
                .zip(&doc.channels)
                .zip(x)
                .map(|((dc, c), v)| dc.coefficient * dc.saturation.value(v / c.scale))
                .sum()
        };
        let wins = draws.iter().filter(|d| total(d, &shifted) > total(d, &current)).count();
        let p = wins as f64 / draws.len() as f64;
        assert!((realloc.numbers["probability_better"] - p).abs() < 1e-9);
        assert!(realloc.message.contains(&format!("{} of paying off", chance(p))));
        // With separated marginal-ROI intervals the move is stated plainly; with overlapping
        // ones it carries a caution naming both intervals.
        let (from_name, to_name) = (from.name.clone(), to.name.clone());
        let mut doc = doc;
        let set = |doc: &mut ModelDocument, name: &str, i: [f64; 2]| {
            doc.channels.iter_mut().find(|c| c.name == name).unwrap().mroi_interval = Some(i);
        };
        let realloc_message = |doc: &ModelDocument| {
            insights(doc).into_iter().find(|i| i.kind == InsightKind::Reallocation).unwrap().message
        };
        let (lo, hi) = (doc.channel(&from_name).unwrap().mroi, doc.channel(&to_name).unwrap().mroi);
        set(&mut doc, &from_name, [0.9 * lo, 0.5 * (lo + hi)]);
        set(&mut doc, &to_name, [0.5 * (lo + hi) + 1e-9, 1.1 * hi]);
        assert!(!realloc_message(&doc).contains("overlap"));
        set(&mut doc, &to_name, [0.95 * lo, 1.1 * hi]);
        let message = realloc_message(&doc);
        assert!(message.contains("Their 90% intervals overlap"), "{message}");
        assert!(message.contains(&format!("{to_name} [{:.2}, {:.2}]", 0.95 * lo, 1.1 * hi)));

        let mix = list.iter().find(|i| i.kind == InsightKind::OptimalMix).unwrap();
        let budget: f64 = doc.channels.iter().map(|c| c.current_spend).sum();
        let opt = optimize(
            &doc,
            budget,
            &Constraints { bounds_pct: Some(0.5), ..Constraints::default() },
        )
        .unwrap();
        assert_eq!(mix.numbers["uplift"], opt.uplift);
        assert!(opt.uplift > 0.0);
        let p = opt.probability_better.unwrap();
        assert_eq!(mix.numbers["probability_better"], p);
        assert!(mix.message.contains(&format!("{} of beating the current split", chance(p))));
    }

    #[test]
    fn chances_take_the_article_they_are_read_with() {
        assert_eq!(chance(0.78), "a 78% chance");
        assert_eq!(chance(0.86), "an 86% chance");
        assert_eq!(chance(0.08), "an 8% chance");
        assert_eq!(chance(0.11), "an 11% chance");
        assert_eq!(chance(0.18), "an 18% chance");
        assert_eq!(chance(0.896), "a 90% chance");
        assert_eq!(chance(1.0), "a 100% chance");
    }

    #[test]
    fn channels_the_data_barely_inform_are_named() {
        let s = simulate(&SimConfig { seed: 3, ..SimConfig::default() });
        let mut doc = fit(&s.dataset, &ModelSpec::default(), None).unwrap();
        for (c, k) in doc.channels.iter_mut().zip([0.9, 0.2, 0.95, 0.45, 0.7]) {
            c.roi_contraction = Some(k);
        }
        let list = insights(&doc);
        let weak = list.iter().find(|i| i.kind == InsightKind::WeakEvidence).unwrap();
        let names: Vec<String> = [1, 3, 4].iter().map(|&c| doc.channels[c].name.clone()).collect();
        assert_eq!(weak.channels, names);
        let title = format!(
            "The data leave the ROI of {}, {} and {} uncertain",
            names[0], names[1], names[2]
        );
        assert_eq!(weak.title, title);
        assert_eq!(weak.numbers[&format!("{}.roi_contraction", names[0])], 0.2);
        let detail = format!("{} 45%, mostly the prior; {} 70%)", names[1], names[2]);
        assert!(weak.message.contains(&detail), "{}", weak.message);
        // The lift-test precision that would take each to 75%: by hand from the interval, for
        // the channel at 0.2 (its MAP interval is symmetric unless floored at zero).
        let c = &doc.channels[1];
        let [lo, hi] = c.roi_interval.unwrap();
        let sd = if lo > 0.0 { (hi - lo) / (2.0 * Z90) } else { (hi - c.roi) / Z90 };
        let r = sd / c.roi * (0.25_f64 / (0.75 - 0.2)).sqrt();
        let key = format!("{}.lift_test_relative_se", names[0]);
        assert!((weak.numbers[&key] - r).abs() < 1e-12, "{} against {r}", weak.numbers[&key]);
        assert!(weak.message.contains(&format!("{} ±{:.0}%", names[0], 100.0 * r)));
        // ... and a test that precise does reach 75% by the same approximation.
        let reached = contraction_after_test(c, r).unwrap();
        assert!((reached - FIRM_EVIDENCE).abs() < 1e-9, "{reached}");
        // A more precise test gets further, a looser one less far.
        assert!(contraction_after_test(c, r / 2.0).unwrap() > reached);
        assert!(contraction_after_test(c, 2.0 * r).unwrap() < reached);
        assert!(contraction_after_test(c, 2.0 * r).unwrap() > 0.2);

        // Well-informed channels, or no ROI prior at all: nothing to say.
        for c in &mut doc.channels {
            c.roi_contraction = c.roi_contraction.map(|_| FIRM_EVIDENCE);
        }
        assert!(insights(&doc).iter().all(|i| i.kind != InsightKind::WeakEvidence));
        for c in &mut doc.channels {
            c.roi_contraction = None;
        }
        assert!(insights(&doc).iter().all(|i| i.kind != InsightKind::WeakEvidence));
    }

    #[test]
    fn uncertain_channels_are_told_what_in_the_data_leaves_them_to_the_prior() {
        let s = simulate(&SimConfig { seed: 3, ..SimConfig::default() });
        let mut doc = fit(&s.dataset, &ModelSpec::default(), None).unwrap();
        // Every channel's ROI 2 with the 90% interval [1, 3], so a posterior sd of 1 / Z90.
        for (c, k) in doc.channels.iter_mut().zip([0.9, 0.2, 0.3, 0.4, 0.6]) {
            c.roi_contraction = Some(k);
            c.roi = 2.0;
            c.roi_interval = Some([1.0, 3.0]);
        }
        let names: Vec<String> = doc.channels.iter().map(|c| c.name.clone()).collect();
        // Noise of 1,000 a period; each contribution swings around 5,000 by ±1,000 (its
        // standard deviation), channel 3's by ±100 (every other week), each in its own rhythm
        // (up and down every 1, 2, 4, 8 or 16 weeks), so that no channel's swing follows
        // another's.
        doc.fit.sigma = 1000.0;
        let series = &mut doc.series.channels;
        let n = series[1].spend.len();
        let rhythm = [1, 2, 3, 0, 4];
        let swing =
            |i: usize, t: usize| if (t >> rhythm[i]).is_multiple_of(2) { 1.0 } else { -1.0 };
        for (i, s) in series.iter_mut().enumerate() {
            let a = if i == 3 { 100.0 } else { 1000.0 };
            s.contribution = (0..n).map(|t| 5000.0 + a * swing(i, t)).collect();
        }
        let mean = |x: &[f64]| x.iter().sum::<f64>() / x.len() as f64;
        // Channel 1 never off: 40% and 100% of its mean spend in turn, so its lowest week is
        // 0.4 / 0.7 of its mean.
        let m1 = mean(&series[1].spend);
        series[1].spend = (0..n).map(|t| m1 * if t % 2 == 0 { 0.4 } else { 1.0 }).collect();
        // Channel 2 on in 6 weeks only (every 30th), at 20 times its mean.
        let m2 = mean(&series[2].spend);
        series[2].spend = (0..n).map(|t| if t % 30 == 0 { 20.0 * m2 } else { 0.0 }).collect();
        // Channel 4 off in 8 weeks (every 20th), fewer than a tenth of them.
        let m4 = mean(&series[4].spend);
        series[4].spend = (0..n).map(|t| if t % 20 == 0 { 0.0 } else { m4 }).collect();
        // Channel 3 at 1% of the spend.
        let others: f64 = [0, 1, 2, 4].iter().flat_map(|&i| &series[i].spend).sum();
        let factor = 0.01 / 0.99 * others / series[3].spend.iter().sum::<f64>();
        series[3].spend.iter_mut().for_each(|v| *v *= factor);
        assert!(series.iter().all(|s| s.input.is_none()), "fitted on spend");

        // The noise alone leaves channel 3's ROI a relative standard error of
        // 1000 / (100 · √n); with the prior variance (1 / Z90)² / (1 − 0.4), the best the data
        // could do is a contraction of about 0.15. The others' ±1,000 would allow 0.87 to 0.95.
        let prior = |k: f64| (1.0 / Z90).powi(2) / (1.0 - k);
        let best = |k: f64, a: f64| {
            let r = 1000.0 / (a * (n as f64).sqrt());
            (r, prior(k) / (prior(k) + (2.0 * r).powi(2)))
        };
        let (r3, k3) = best(0.4, 100.0);
        assert!(k3 < FIRM_EVIDENCE);
        assert!([0.2, 0.3, 0.6].iter().all(|k| best(*k, 1000.0).1 > FIRM_EVIDENCE));
        let limit = noise_limit(&doc, &doc.channels[3]).unwrap();
        assert!((limit.relative_se - r3).abs() < 1e-12 && (limit.contraction - k3).abs() < 1e-12);
        assert!((limit.contribution_sd - 100.0).abs() < 1e-9);

        let list = insights(&doc);
        let weak = list.iter().find(|i| i.kind == InsightKind::WeakEvidence).unwrap();
        let expected = format!(
            " In the data, {} is never off (its lowest week is 57% of its mean), {} is off only \
             in short pauses (8 of {n} weeks), {} has spend in 6 of {n} weeks, {} is 1.0% of the \
             media spend and the contribution of {} varies by 100 a week (standard deviation) \
             against noise of 1,000 a week, too little to measure it well even if its spend had \
             moved independently of everything else. The ROI of a channel that is never off, or off \
             only in short pauses, extrapolates its response curve down to zero spend, which the \
             data do not show; a go-dark test (pausing it for 8 weeks or more, the model's \
             carry-over window, or in some regions) measures it. ",
            names[1], names[4], names[2], names[3], names[3]
        );
        assert!(weak.message.contains(&expected), "{}", weak.message);
        let figure = |key: &str| weak.numbers[key];
        assert!((figure(&format!("{}.lowest_to_mean", names[1])) - 0.4 / 0.7).abs() < 1e-12);
        assert_eq!(figure(&format!("{}.dark_periods", names[4])), 8.0);
        assert_eq!(figure(&format!("{}.active_periods", names[2])), 6.0);
        assert!((figure(&format!("{}.spend_share", names[3])) - 0.01).abs() < 1e-12);
        assert!((figure(&format!("{}.noise_relative_se", names[3])) - r3).abs() < 1e-12);
        assert_eq!(figure("noise_sd"), 1000.0);
        assert!(!weak.numbers.contains_key(&format!("{}.noise_relative_se", names[4])));

        // Only the fitted periods count: a held-out tail that swings widely changes nothing.
        let mut held = doc.clone();
        held.fit.holdout = Some(HoldoutMetrics { periods: 6, r2: 0.0, mape: 0.0, nrmse: 0.0 });
        held.series.channels[3].contribution.extend([0.0, 1e6, 0.0, 1e6, 0.0, 1e6]);
        let trimmed = noise_limit(&held, &held.channels[3]).unwrap();
        assert!((trimmed.relative_se - r3).abs() < 1e-12);

        // Noise that lingers (ρ 0.8): the data measure a contribution by what the noise does not
        // share. Channel 3 flips every week, so its whitened swing is (1 + ρ) · 100 against
        // innovations of √(1 − ρ²) · 1,000: r ≈ 0.6 · 1000 / (180 · √n), a third of r3.
        // Channel 4 turns every 16 weeks: between its turns it holds still, like the slow part
        // of the noise, and only its turns measure it, about a quarter worse.
        let mut lingering = doc.clone();
        lingering.fit.noise_autocorrelation = Some(0.8);
        let fast = noise_limit(&lingering, &lingering.channels[3]).unwrap();
        let by_hand = 0.6 * 1000.0 / (180.0 * (n as f64).sqrt());
        assert!((fast.relative_se / by_hand - 1.0).abs() < 0.02, "{} {by_hand}", fast.relative_se);
        assert_eq!(fast.contribution_sd, limit.contribution_sd, "the reported swing is its own");
        let slow = |d: &ModelDocument| noise_limit(d, &d.channels[4]).unwrap().relative_se;
        assert!(slow(&lingering) > 1.2 * slow(&doc), "{} {}", slow(&lingering), slow(&doc));

        // A channel whose swing mostly follows another's: enough alone, not beside the other.
        let mut shared = doc.clone();
        shared.series.channels[4].contribution =
            (0..n).map(|t| 5000.0 + 970.0 * swing(0, t) + 243.0 * swing(4, t)).collect();
        let limit = noise_limit(&shared, &shared.channels[4]).unwrap();
        assert!(limit.contraction > FIRM_EVIDENCE, "{limit:?}");
        // Channel 0's swing explains 970² / (970² + 243²) = 94.1% of it, up to the little the
        // baseline's trend and season take of the rest. Alone, its ±1,000 would allow 0.97.
        let r2 = explained_by_others(&shared, &shared.channels[4]).unwrap();
        assert!((r2 - 0.941).abs() < 0.02, "{r2}");
        assert!(limit.with_others(r2) < FIRM_EVIDENCE);
        let list = insights(&shared);
        let weak = list.iter().find(|i| i.kind == InsightKind::WeakEvidence).unwrap();
        assert_eq!(weak.numbers[&format!("{}.explained_by_others", names[4])], r2);
        let expected = format!(
            " and {} of the variation in the contribution of {} follows the trend, season, \
             controls and other channels, and what is left is too little to measure it well \
             beside the noise.",
            checks::percent(r2),
            names[4]
        );
        assert!(weak.message.contains(&expected), "{}", weak.message);
        // By hand: a best case of 0.9 falls to 1 / (1 + (1/0.9 − 1) / (1 − 0.81)) = 0.63.
        let limit = NoiseLimit { contribution_sd: 1.0, relative_se: 1.0, contraction: 0.9 };
        assert!((limit.with_others(0.81) - 1.0 / (1.0 + (1.0 / 0.9 - 1.0) / 0.19)).abs() < 1e-12);
        assert!((limit.with_others(0.0) - 0.9).abs() < 1e-12, "nothing shared, nothing lost");

        // Several channels never off share one clause.
        let m3 = mean(&doc.series.channels[3].spend);
        doc.series.channels[3].spend = vec![m3; n];
        let m2 = 10.0 * m1;
        doc.series.channels[2].spend = (0..n).map(|t| m2 * (1.0 + (t % 4) as f64)).collect();
        let list = insights(&doc);
        let weak = list.iter().find(|i| i.kind == InsightKind::WeakEvidence).unwrap();
        let expected = format!(
            " In the data, {}, {} and {} are never off (their lowest weeks are 57%, 40% and 100% \
             of their means)",
            names[1], names[2], names[3]
        );
        assert!(weak.message.contains(&expected), "{}", weak.message);
    }
}
