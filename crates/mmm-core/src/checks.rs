//! Checks of a data set before any fit: what in the data will limit what a model can tell, in
//! the spirit of Meridian's data checks. They are cautions, not errors: a data set with
//! findings loads and fits, and the findings say what to expect and what would help.
//!
//! Each check looks at the model's inputs: a channel's spend, or its media units in spend
//! terms ([`crate::dataset::Channel::model_input`]).

use crate::baseline::{cycles, design_columns};
use crate::dataset::{Channel, Dataset, Frequency};
use crate::insights::COLLINEAR_CORRELATION;
use crate::metrics::correlation;
use crate::spec::ModelSpec;
use crate::text::{and_list, plural, thousands};
use chrono::NaiveDate;
use nalgebra::{DMatrix, DVector};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    /// Few periods for the model's parameters.
    FewPeriods,
    /// Less than two years of data: the yearly season is seen once or not at all.
    ShortSpan,
    /// A control that never changes.
    ConstantControl,
    /// A KPI value far from what the trend, season, controls and spend explain.
    KpiOutlier,
    /// A spend value far above the channel's usual level.
    SpendSpike,
    /// Two channels, or a channel and a control, moving together.
    Correlated,
    /// A channel whose spend the other inputs (trend, season, controls, other channels)
    /// largely explain.
    Multicollinear,
    /// A channel with spend in few periods.
    FewActivePeriods,
    /// A channel that is never off, nor near zero.
    AlwaysOn,
    /// A channel off only in a few pauses, each shorter than the carry-over window.
    RarelyOff,
    /// A channel with a small share of the media spend.
    SmallChannel,
}

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Likely to distort the results, or a possible data error: worth acting on.
    Warning,
    /// Limits how precisely the data can measure something: read those results with care.
    Note,
}

/// One finding about a data set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataCheck {
    /// Kind.
    pub kind: CheckKind,
    /// Level.
    pub level: Level,
    /// Columns concerned (media spend, control or KPI columns).
    pub columns: Vec<String>,
    /// Periods concerned (outliers and spikes), at most [`MAX_DATES`].
    pub dates: Vec<NaiveDate>,
    /// One-line headline.
    pub title: String,
    /// The finding in a sentence or two, with its numbers and what would help.
    pub message: String,
    /// The numbers cited, by name.
    pub numbers: BTreeMap<String, f64>,
}

impl Level {
    /// "Warning" or "Note".
    pub fn label(self) -> &'static str {
        match self {
            Self::Warning => "Warning",
            Self::Note => "Note",
        }
    }
}

/// Findings as numbered plain text: each title led by its level, then its message, wrapped to
/// `width` columns.
pub fn to_text(list: &[DataCheck], width: usize) -> String {
    let titles: Vec<String> =
        list.iter().map(|f| format!("{}: {}", f.level.label(), f.title)).collect();
    let messages = list.iter().map(|f| f.message.as_str());
    crate::text::numbered(titles.iter().map(String::as_str).zip(messages), width)
}

/// Periods per model parameter below which the data are called few.
pub const PERIODS_PER_PARAMETER: f64 = 3.0;

/// Variance inflation factor from which a channel is called multicollinear: 90% of its input's
/// variation follows the other inputs (the usual rule of thumb, also Meridian's).
pub const MULTICOLLINEAR_VIF: f64 = 10.0;

/// A channel whose input in every period is at least this share of its mean is called
/// always-on: the data never show it near zero.
pub const ALWAYS_ON_FLOOR: f64 = 0.1;

/// Least number of periods with spend for a channel not to be called sparse; a tenth of the
/// periods when that is more.
pub const MIN_ACTIVE_PERIODS: usize = 8;

/// Share of the media spend below which a channel is called small.
pub const SMALL_CHANNEL_SHARE: f64 = 0.02;

/// A spend value at least this many times the channel's 90th percentile (of its periods with
/// spend) is called a spike.
pub const SPIKE_RATIO: f64 = 5.0;

/// Robust z-score (residual over 1.4826 times the median absolute residual) from which a KPI
/// value is called an outlier.
pub const OUTLIER_Z: f64 = 6.0;

/// Robust z-scores of residuals: each over 1.4826 times their median absolute value (a normal's
/// standard deviation, unmoved by the outliers being looked for); `None` when that scale is not
/// a positive finite number.
pub(crate) fn robust_z(residuals: &[f64]) -> Option<Vec<f64>> {
    let scale = robust_sd(residuals)?;
    Some(residuals.iter().map(|v| v / scale).collect())
}

/// 1.4826 times the median absolute value of `residuals`: a normal's standard deviation,
/// unmoved by outliers; `None` when it is not a positive finite number.
pub(crate) fn robust_sd(residuals: &[f64]) -> Option<f64> {
    let mut abs: Vec<f64> = residuals.iter().map(|v| v.abs()).collect();
    abs.sort_by(f64::total_cmp);
    let scale = 1.4826 * abs.get(abs.len() / 2)?;
    (scale > 0.0 && scale.is_finite()).then_some(scale)
}

/// Most dates listed in one finding.
pub const MAX_DATES: usize = 5;

/// Every finding about a data set for a model of `spec`, warnings first.
pub fn check(data: &Dataset, spec: &ModelSpec) -> Vec<DataCheck> {
    let n = data.len();
    let inputs: Vec<Vec<f64>> = data
        .channels
        .iter()
        .map(|c| c.model_input(n).map_or_else(|| c.spend.clone(), |i| i.periods.into_owned()))
        .collect();
    let mut out = Vec::new();
    few_periods(data, spec, &mut out);
    short_span(data, &mut out);
    constant_controls(data, &mut out);
    let baseline = baseline_columns(data, spec);
    kpi_outliers(data, &baseline, &inputs, &mut out);
    for c in &data.channels {
        spend_spikes(data, c, &mut out);
    }
    let pairs = correlated(data, &inputs, &mut out);
    multicollinear(data, &baseline, &inputs, &pairs, &mut out);
    for (c, input) in data.channels.iter().zip(&inputs) {
        sparse(c, input, data.frequency, &mut out);
        rarely_off(c, input, data.frequency, spec.max_lag, &mut out);
    }
    always_on(data, &inputs, &mut out);
    small_channels(data, &mut out);
    out.sort_by_key(|f| (f.level, f.kind));
    out
}

fn finding(
    kind: CheckKind,
    level: Level,
    columns: Vec<String>,
    title: String,
    message: String,
    numbers: &[(&str, f64)],
) -> DataCheck {
    DataCheck {
        kind,
        level,
        columns,
        dates: Vec::new(),
        title,
        message,
        numbers: numbers.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect(),
    }
}

/// "12%", "1.5%": a share in percent, with one decimal below 10%.
/// A channel's lowest period over its mean when it is never off (at least
/// [`ALWAYS_ON_FLOOR`]): the data never show it near zero.
pub(crate) fn always_on_floor(input: &[f64]) -> Option<f64> {
    let mean = input.iter().sum::<f64>() / input.len() as f64;
    let floor = input.iter().copied().fold(f64::INFINITY, f64::min) / mean;
    (floor >= ALWAYS_ON_FLOOR && floor.is_finite()).then_some(floor)
}

/// The number of periods with spend when it is too few to measure a channel on: fewer than
/// [`MIN_ACTIVE_PERIODS`], or than a tenth of the periods.
pub(crate) fn few_active_periods(input: &[f64]) -> Option<usize> {
    let active = input.iter().filter(|v| **v > 0.0).count();
    (active < MIN_ACTIVE_PERIODS.max(input.len() / 10)).then_some(active)
}

/// The periods without spend, and the longest run of them, when a channel that is on in most
/// periods is off only in a few short pauses: at least one period, fewer than
/// [`MIN_ACTIVE_PERIODS`] or a tenth of the periods (the mirror of [`few_active_periods`]), and
/// no pause as long as the adstock window `window`. Its carry-over then never fades to nothing
/// in the data, so its ROI at zero spend rests on the curve's prior.
pub(crate) fn short_pauses(input: &[f64], window: usize) -> Option<(usize, usize)> {
    let dark = input.iter().filter(|v| **v <= 0.0).count();
    let longest = longest_dark_run(input);
    (dark > 0 && dark < MIN_ACTIVE_PERIODS.max(input.len() / 10) && longest < window)
        .then_some((dark, longest))
}

/// A share of the media spend small enough ([`SMALL_CHANNEL_SHARE`]) that the channel's effect
/// is likely lost in the KPI's noise.
pub(crate) fn small_share(share: f64) -> Option<f64> {
    (share < SMALL_CHANNEL_SHARE).then_some(share)
}

/// "32%", "1.5%": a share as the findings write it.
pub(crate) fn percent(share: f64) -> String {
    let p = 100.0 * share;
    if p < 9.95 { format!("{p:.1}%") } else { format!("{p:.0}%") }
}

/// "2024-03-04", "2024-03-04 and 2024-06-10", "... and 3 more".
fn date_list(dates: &[NaiveDate], total: usize) -> String {
    let shown: Vec<String> = dates.iter().map(NaiveDate::to_string).collect();
    match (shown.as_slice(), total.saturating_sub(shown.len())) {
        ([one], 0) => one.clone(),
        ([rest @ .., last], 0) => format!("{} and {last}", rest.join(", ")),
        (all, more) => format!("{} and {more} more", all.join(", ")),
    }
}

fn few_periods(data: &Dataset, spec: &ModelSpec, out: &mut Vec<DataCheck>) {
    let n = data.len();
    let params = spec.parameter_count(data.frequency, data.channels.len(), data.controls.len());
    let ratio = n as f64 / params as f64;
    if ratio < PERIODS_PER_PARAMETER {
        out.push(finding(
            CheckKind::FewPeriods,
            Level::Warning,
            Vec::new(),
            "Few periods for the model".to_owned(),
            format!(
                "{n} {period}s for {params} model parameters ({ratio:.1} per parameter): the fit \
                 has little to spare, and every ROI will lean on the priors. More history, or \
                 fewer channels and controls (merge small channels), leave the data more to say.",
                period = data.frequency.period_name()
            ),
            &[("periods", n as f64), ("parameters", params as f64)],
        ));
    }
}

fn short_span(data: &Dataset, out: &mut Vec<DataCheck>) {
    let per_year = data.frequency.periods_per_year();
    let years = data.len() as f64 / per_year;
    // Whole periods: 52 weeks are a year, 104 two.
    let (level, message) = if data.len() < per_year.floor() as usize {
        (
            Level::Warning,
            format!(
                "The data cover {} {}s, less than a year: the yearly season is fitted from part \
                 of one cycle, so it cannot be told from the trend, and a channel whose spend \
                 follows the season can take credit for it.",
                data.len(),
                data.frequency.period_name()
            ),
        )
    } else if data.len() < (2.0 * per_year).floor() as usize {
        (
            Level::Note,
            format!(
                "The data cover {years:.1} years: the yearly season is seen about once, so a \
                 channel whose spend follows the season is hard to tell from the season itself. \
                 Two to three years are usual."
            ),
        )
    } else {
        return;
    };
    out.push(finding(
        CheckKind::ShortSpan,
        level,
        Vec::new(),
        "Less than two years of data".to_owned(),
        message,
        &[("years", years)],
    ));
}

fn constant_controls(data: &Dataset, out: &mut Vec<DataCheck>) {
    for c in &data.controls {
        let first = c.values.first().copied().unwrap_or_default();
        if c.values.iter().all(|v| *v == first) {
            out.push(finding(
                CheckKind::ConstantControl,
                Level::Warning,
                vec![c.name.clone()],
                format!("{} never changes", c.name),
                format!(
                    "The control {} has the same value ({}) in every period: it cannot be told \
                     from the baseline level and explains nothing. Leave it out.",
                    c.name,
                    thousands(first)
                ),
                &[("value", first)],
            ));
        }
    }
}

/// Least-squares residuals of `y` on the columns `x` (with their own intercept if one is
/// among them); `None` when there are too few rows to leave residual degrees of freedom.
fn residuals(x: &[&[f64]], y: &[f64]) -> Option<Vec<f64>> {
    let n = y.len();
    if x.is_empty() || n < x.len() + 3 {
        return None;
    }
    let a = DMatrix::from_fn(n, x.len(), |t, j| x[j][t]);
    let b = DVector::from_column_slice(y);
    let beta = a.clone().svd(true, true).solve(&b, 1e-10).ok()?;
    let r = b - a * beta;
    r.iter().all(|v| v.is_finite()).then(|| r.iter().copied().collect())
}

/// Share of the variation of `y` (about its mean) that the columns `x` explain.
pub(crate) fn explained(x: &[&[f64]], y: &[f64]) -> Option<f64> {
    let r = residuals(x, y)?;
    let mean = y.iter().sum::<f64>() / y.len() as f64;
    let total: f64 = y.iter().map(|v| (v - mean).powi(2)).sum();
    let left: f64 = r.iter().map(|v| v * v).sum();
    (total > 0.0).then(|| (1.0 - left / total).clamp(0.0, 1.0))
}

/// The model's baseline columns (intercept, trend, seasonality, controls) over the data.
fn baseline_columns(data: &Dataset, spec: &ModelSpec) -> Vec<Vec<f64>> {
    let n = data.len();
    let cycles = cycles(data.frequency, spec.yearly_harmonics, spec.weekly_harmonics);
    let controls: Vec<&[f64]> = data.controls.iter().map(|c| c.values.as_slice()).collect();
    design_columns(n, n, &cycles, &controls).0
}

fn kpi_outliers(
    data: &Dataset,
    baseline: &[Vec<f64>],
    inputs: &[Vec<f64>],
    out: &mut Vec<DataCheck>,
) {
    // Spend enters linearly, with last period's spend for carry-over: a rough stand-in for the
    // model's media part, enough to keep a burst of spend from looking like an outlier.
    let lagged: Vec<Vec<f64>> = inputs
        .iter()
        .map(|x| {
            std::iter::once(x.first().copied().unwrap_or_default())
                .chain(x.iter().copied())
                .take(x.len())
                .collect()
        })
        .collect();
    let columns: Vec<&[f64]> =
        baseline.iter().chain(inputs).chain(&lagged).map(Vec::as_slice).collect();
    // With fewer than two periods per column the fit follows the noise, and the residuals'
    // spread says little.
    if data.len() < 2 * columns.len() {
        return;
    }
    let Some(z) = residuals(&columns, &data.kpi).and_then(|r| robust_z(&r)) else { return };
    let mut far: Vec<(usize, f64)> =
        z.into_iter().enumerate().filter(|(_, z)| z.abs() >= OUTLIER_Z).collect();
    if far.is_empty() {
        return;
    }
    let total = far.len();
    let worst = far.iter().map(|(_, z)| z.abs()).fold(0.0, f64::max);
    far.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
    far.truncate(MAX_DATES);
    far.sort_by_key(|(t, _)| *t);
    let dates: Vec<NaiveDate> = far.iter().map(|(t, _)| data.dates[*t]).collect();
    let kpi = &data.kpi_name;
    let (what, them) = if total == 1 { ("value is", "it") } else { ("values are", "each") };
    let mut f = finding(
        CheckKind::KpiOutlier,
        Level::Warning,
        vec![kpi.clone()],
        format!("Unusual {kpi} in {total} {}", plural(data.frequency.period_name(), total)),
        format!(
            "The {kpi} {what} far from what the trend, season, controls and spend explain \
             ({worst:.0} robust standard deviations at most): {}. A data error, or an event the \
             data do not name? The fit would treat {them} as noise or bend a channel to it; \
             correct the value, or add a 0/1 control column that marks the event.",
            date_list(&dates, total)
        ),
        &[("periods", total as f64), ("largest_z", worst)],
    );
    f.dates = dates;
    out.push(f);
}

fn spend_spikes(data: &Dataset, channel: &Channel, out: &mut Vec<DataCheck>) {
    let (name, spend) = (&channel.name, &channel.spend);
    let period = data.frequency.period_name();
    let mut on: Vec<f64> = spend.iter().copied().filter(|v| *v > 0.0).collect();
    if on.len() < MIN_ACTIVE_PERIODS {
        return;
    }
    on.sort_by(f64::total_cmp);
    // Nearest rank: the smallest value with at least 90% of the values at or below it.
    let p90 = on[((0.9 * on.len() as f64).ceil() as usize).clamp(1, on.len()) - 1];
    let spikes: Vec<usize> = (0..spend.len()).filter(|t| spend[*t] >= SPIKE_RATIO * p90).collect();
    if spikes.is_empty() || p90 <= 0.0 {
        return;
    }
    let largest = spikes.iter().map(|t| spend[*t]).fold(0.0, f64::max);
    let total = spikes.len();
    let shown: Vec<NaiveDate> = spikes.iter().take(MAX_DATES).map(|t| data.dates[*t]).collect();
    let mut f = finding(
        CheckKind::SpendSpike,
        Level::Warning,
        vec![channel.column.clone()],
        format!("{name} spend jumps in {total} {}", plural(period, total)),
        format!(
            "{name} spend reaches {} ({:.0} times its usual high of {}) in {}: a typo, a change \
             of units or a one-off buy? Such a value alone can set the channel's saturation.",
            thousands(largest),
            largest / p90,
            thousands(p90),
            date_list(&shown, total)
        ),
        &[("largest", largest), ("percentile_90", p90), ("periods", total as f64)],
    );
    f.dates = shown;
    out.push(f);
}

/// Pairs of inputs (channel with channel, channel with control) correlated at least
/// [`COLLINEAR_CORRELATION`] in size, by index (`channels.len() + j` for control `j`), each
/// also reported.
fn correlated(
    data: &Dataset,
    inputs: &[Vec<f64>],
    out: &mut Vec<DataCheck>,
) -> Vec<(usize, usize, f64)> {
    let k = data.channels.len();
    let mut pairs = Vec::new();
    for i in 0..k {
        let others = (i + 1..k)
            .map(|j| {
                (
                    j,
                    data.channels[j].name.as_str(),
                    data.channels[j].column.as_str(),
                    inputs[j].as_slice(),
                )
            })
            .chain(
                data.controls
                    .iter()
                    .enumerate()
                    .map(|(j, c)| (k + j, c.name.as_str(), c.name.as_str(), c.values.as_slice())),
            );
        for (j, other, column, values) in others {
            let Some(r) =
                correlation(&inputs[i], values).filter(|r| r.abs() >= COLLINEAR_CORRELATION)
            else {
                continue;
            };
            pairs.push((i, j, r));
            let c = &data.channels[i];
            let (what, help) = if j < k {
                (
                    format!("{} and {other} spend", c.name),
                    "their split rests on the priors. Varying one without the other (a flight \
                     or a lift test) separates them.",
                )
            } else {
                (
                    format!("{} spend and the control {other}", c.name),
                    "the channel may take credit for the control's effect, or lose its own to \
                     it. A lift test on the channel separates them.",
                )
            };
            let direction = if r > 0.0 { "move together" } else { "move against each other" };
            out.push(finding(
                CheckKind::Correlated,
                Level::Warning,
                vec![c.column.clone(), column.to_owned()],
                format!("{what} {direction}"),
                format!(
                    "{what} {direction} (correlation {r:.2}): the data can hardly tell their \
                     effects apart, so {help}"
                ),
                &[("correlation", r)],
            ));
        }
    }
    pairs
}

fn multicollinear(
    data: &Dataset,
    baseline: &[Vec<f64>],
    inputs: &[Vec<f64>],
    pairs: &[(usize, usize, f64)],
    out: &mut Vec<DataCheck>,
) {
    let base: Vec<&[f64]> = baseline.iter().map(Vec::as_slice).collect();
    for (i, c) in data.channels.iter().enumerate() {
        let all: Vec<&[f64]> = base
            .iter()
            .copied()
            .chain(inputs.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, x)| x.as_slice()))
            .collect();
        let Some(r2) = explained(&all, &inputs[i]) else { continue };
        let vif = 1.0 / (1.0 - r2).max(1e-9);
        // A pair already reported says it, when that one correlation accounts for most of it.
        let pair = pairs
            .iter()
            .filter(|(a, b, _)| *a == i || *b == i)
            .map(|(_, _, r)| r * r)
            .fold(0.0, f64::max);
        if vif < MULTICOLLINEAR_VIF || pair >= 0.9 * r2 {
            continue;
        }
        let r2_baseline = explained(&base, &inputs[i]).unwrap_or(0.0);
        out.push(finding(
            CheckKind::Multicollinear,
            Level::Warning,
            vec![c.column.clone()],
            format!("{} spend follows the other inputs", c.name),
            format!(
                "{} of the variation in {} spend follows the trend, season, controls and other \
                 channels (variance inflation factor {vif:.0}; {} from the trend, season and \
                 controls alone): little is left to measure its own effect by, so its ROI will \
                 lean on the prior. Spend that departs from its usual pattern, or a lift test, \
                 helps.",
                percent(r2),
                c.name,
                percent(r2_baseline)
            ),
            &[("vif", vif), ("explained", r2), ("explained_by_baseline", r2_baseline)],
        ));
    }
}

fn sparse(channel: &Channel, input: &[f64], frequency: Frequency, out: &mut Vec<DataCheck>) {
    let name = &channel.name;
    let n = input.len();
    let period = frequency.period_name();
    if let Some(active) = few_active_periods(input) {
        out.push(finding(
            CheckKind::FewActivePeriods,
            Level::Warning,
            vec![channel.column.clone()],
            format!("{name} is active in few {period}s"),
            format!(
                "{name} has spend in {active} of {n} {period}s: its effect is measured on those \
                 alone, and its carry-over and saturation hardly at all."
            ),
            &[("active_periods", active as f64), ("periods", n as f64)],
        ));
    }
}

fn rarely_off(
    channel: &Channel,
    input: &[f64],
    frequency: Frequency,
    window: usize,
    out: &mut Vec<DataCheck>,
) {
    let Some((dark, run)) = short_pauses(input, window) else {
        return;
    };
    let name = &channel.name;
    let n = input.len();
    let period = frequency.period_name();
    let in_a_row = if run == 1 {
        format!("never two {period}s in a row")
    } else {
        format!("at most {run} {period}s in a row")
    };
    out.push(finding(
        CheckKind::RarelyOff,
        Level::Note,
        vec![channel.column.clone()],
        format!("{name} is rarely off"),
        format!(
            "{name} is off in only {dark} of {n} {period}s, {in_a_row}: pauses shorter than \
             the model's carry-over window of {window} {period}s, so its effect never fades to \
             nothing in the data. Its ROI extrapolates the response curve down to zero spend \
             and leans on the curve's prior. A go-dark test of {window} {period}s or more, or a \
             lift test, measures it."
        ),
        &[
            ("dark_periods", dark as f64),
            ("periods", n as f64),
            ("longest_dark_run", run as f64),
            ("window", window as f64),
        ],
    ));
}

/// The most consecutive periods without spend.
fn longest_dark_run(input: &[f64]) -> usize {
    let mut run = 0;
    let mut longest = 0;
    for v in input {
        run = if *v <= 0.0 { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    longest
}

fn always_on(data: &Dataset, inputs: &[Vec<f64>], out: &mut Vec<DataCheck>) {
    let found: Vec<(usize, f64)> =
        inputs.iter().enumerate().filter_map(|(i, x)| Some((i, always_on_floor(x)?))).collect();
    if found.is_empty() {
        return;
    }
    let names: Vec<&str> = found.iter().map(|(i, _)| data.channels[*i].name.as_str()).collect();
    let floors: Vec<String> = found.iter().map(|(_, f)| percent(*f)).collect();
    let period = data.frequency.period_name();
    let (title, message) = match floors.as_slice() {
        [floor] => (
            format!("{} is always on", names[0]),
            format!(
                "{} is never off: its lowest {period} is {floor} of its mean spend. The data show \
                 the return of spend around its usual level, not of the spend as a whole, so its \
                 ROI extrapolates the response curve down to zero spend and leans on the curve's \
                 prior. A go-dark test or a lift test measures it.",
                names[0]
            ),
        ),
        _ => (
            format!("{} are always on", and_list(&names)),
            format!(
                "{} are never off: their lowest {period}s are {} of their mean spend. The data \
                 show the return of spend around its usual level, not of the spend as a whole, \
                 so their ROIs extrapolate the response curves down to zero spend and lean on \
                 the curves' prior. A go-dark test or a lift test measures them.",
                and_list(&names),
                and_list(&floors)
            ),
        ),
    };
    out.push(channels_note(data, CheckKind::AlwaysOn, &found, title, message));
}

/// A note naming several channels, each one's figure in the numbers under its name.
fn channels_note(
    data: &Dataset,
    kind: CheckKind,
    found: &[(usize, f64)],
    title: String,
    message: String,
) -> DataCheck {
    DataCheck {
        kind,
        level: Level::Note,
        columns: found.iter().map(|(i, _)| data.channels[*i].column.clone()).collect(),
        dates: Vec::new(),
        title,
        message,
        numbers: found.iter().map(|(i, v)| (data.channels[*i].name.clone(), *v)).collect(),
    }
}

fn small_channels(data: &Dataset, out: &mut Vec<DataCheck>) {
    let total: f64 = data.channels.iter().flat_map(|c| &c.spend).sum();
    if data.channels.len() < 2 || total <= 0.0 {
        return;
    }
    let found: Vec<(usize, f64)> = data
        .channels
        .iter()
        .enumerate()
        .filter_map(|(i, c)| Some((i, small_share(c.spend.iter().sum::<f64>() / total)?)))
        .collect();
    if found.is_empty() {
        return;
    }
    let names: Vec<&str> = found.iter().map(|(i, _)| data.channels[*i].name.as_str()).collect();
    let shares: Vec<String> = found.iter().map(|(_, s)| percent(*s)).collect();
    let (title, message) = match shares.as_slice() {
        [share] => (
            format!("{} is small", names[0]),
            format!(
                "{} is {share} of the media spend: its effect is likely small beside the KPI's \
                 noise, so its ROI will lean on the prior. A lift test, or merging it with a \
                 similar channel, gives the data more to measure.",
                names[0]
            ),
        ),
        _ => (
            format!("{} are small", and_list(&names)),
            format!(
                "{} are {} of the media spend: their effects are likely small beside the KPI's \
                 noise, so their ROIs will lean on the prior. Lift tests, or merging small \
                 channels with similar ones, give the data more to measure.",
                and_list(&names),
                and_list(&shares)
            ),
        ),
    };
    out.push(channels_note(data, CheckKind::SmallChannel, &found, title, message));
}

#[cfg(test)]
mod tests;
