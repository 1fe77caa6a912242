//! How far the data inform each channel's ROI, and what limits them: the prior's share of the
//! posterior, the noise, the other channels and controls.

use super::FIRM_EVIDENCE;
use crate::checks;
use crate::document::{ChannelResult, ModelDocument};
use crate::fit::Z90;
use crate::text::{and_list, thousands as money};
use std::collections::BTreeMap;

/// Posterior standard deviation of a channel's ROI, read back from its 90% interval (the upper
/// half when a MAP interval was floored at zero).
pub(super) fn roi_sd(c: &ChannelResult) -> Option<f64> {
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
/// as the noise does, is then measured worse, and one that jumps from week to week better. With
/// the prior variance `P = V / (1 − contraction)` read back from the posterior variance `V`, the
/// data at best give the contraction `P / (P + (ROI · r)²)`. When even that falls short of
/// [`FIRM_EVIDENCE`], the channel's effect is too faint beside the noise for these data to
/// settle, whatever else holds.
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
pub(super) fn weak_evidence_causes(
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
