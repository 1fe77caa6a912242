//! Findings about the model's shape: carry-over that comes after the spend, media history the
//! adstock needs, inputs that move together, noise that lingers.

use super::{
    CARRY_OVER_INTERVAL, CARRY_OVER_WORTH_A_HISTORY, COLLINEAR_CORRELATION, Insight, InsightKind,
    numbers,
};
use crate::document::ModelDocument;
use crate::text::{and_list, thousands as money};
use std::collections::BTreeMap;

/// The channels whose effect the posterior draws show coming largely after the period of spend:
/// a lagged share `1 − w_0` of at least [`CARRY_OVER_WORTH_A_HISTORY`] on average, with a 90%
/// interval no wider than [`CARRY_OVER_INTERVAL`]. `None` without draws.
pub(super) fn carry_over(doc: &ModelDocument, period: &str) -> Option<Insight> {
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
pub(super) fn missing_history(doc: &ModelDocument, period: &str) -> Option<Insight> {
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
pub(super) fn collinearity(doc: &ModelDocument, period: &str) -> Option<Insight> {
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
pub(super) fn lingering_noise(doc: &ModelDocument, period: &str) -> Option<Insight> {
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
