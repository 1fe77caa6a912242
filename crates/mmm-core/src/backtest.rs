//! Rolling-origin backtest: how well the model predicts periods it has not seen, and how stable
//! each channel's ROI is as the data grow.
//!
//! With `folds` folds of `horizon` periods, fold k (k = folds … 1) fits the data up to
//! `n − k · horizon` periods and scores the next `horizon` periods ([`crate::score`]), the
//! carry-over into them coming from the data's own spend. Each fit sees only its window: the
//! seasonality, the controls' centring, every prior and lift test (lift tests after the window
//! are left out) are those a user would have had then. The last fold's window ends `horizon`
//! periods before the data do, so no fold scores a period its fit saw.
//!
//! A single holdout (`--holdout`) is one such fold. Several show whether the out-of-sample
//! accuracy holds across the year, and how far each channel's ROI moves between fits on
//! windows that differ by a few months: a channel whose ROI swings widely is decided more by the
//! window than by a stable signal.

use crate::dataset::{Channel, Control, DataErrors, Dataset, MediaUnits};
use crate::document::{Interval, ModelDocument};
use crate::fit::FitError;
use crate::score::{Drift, ScoreMetrics, score};
use crate::spec::ModelSpec;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// At most this many folds.
pub const MAX_FOLDS: usize = 20;

/// A backtest's results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Backtest {
    /// Periods each fold scores.
    pub horizon: usize,
    /// The folds, oldest window first.
    pub folds: Vec<Fold>,
    /// Accuracy over every scored period of every fold together.
    pub metrics: ScoreMetrics,
    /// Per channel, how its ROI moved across the folds' fits.
    pub channels: Vec<RoiStability>,
}

/// One fit and the periods after it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fold {
    /// Periods the fit saw.
    pub fit_periods: usize,
    /// Last period the fit saw.
    pub fit_end: NaiveDate,
    /// First scored period.
    pub start: NaiveDate,
    /// Last scored period.
    pub end: NaiveDate,
    /// Accuracy on the scored periods.
    pub metrics: ScoreMetrics,
    /// The drift test on the scored periods.
    pub drift: Drift,
    /// Each channel's ROI as this fold's fit gives it.
    pub channels: Vec<FoldChannel>,
}

/// A channel's ROI in one fold's fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FoldChannel {
    /// Channel name.
    pub name: String,
    /// ROI over the fit's periods.
    pub roi: f64,
    /// Its 90% interval, when the fit gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roi_interval: Option<Interval>,
}

/// How a channel's ROI moved across the folds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoiStability {
    /// Channel name.
    pub name: String,
    /// Smallest ROI over the folds.
    pub min: f64,
    /// Largest ROI over the folds.
    pub max: f64,
    /// Mean ROI over the folds.
    pub mean: f64,
    /// `(max − min) / mean`: 0 when every fold agrees.
    pub spread: f64,
}

/// Why a backtest could not run.
#[derive(Debug, thiserror::Error)]
pub enum BacktestError {
    /// The folds do not fit in the data.
    #[error("{0}")]
    Invalid(String),
    /// A fold's fit failed. (The fields that carry the inner error are not named `source`:
    /// their message is already part of this one, and an error chain would print it twice.)
    #[error("fold {fold} (fitted on {periods} periods): {cause}")]
    Fit {
        /// 1-based fold number, oldest window first.
        fold: usize,
        /// Periods in its fitting window.
        periods: usize,
        /// The fit's error.
        cause: FitError,
    },
    /// A fold's periods could not be scored (a bug if it happens: the data are the fit's own).
    #[error("fold {fold}: {cause}")]
    Score {
        /// 1-based fold number.
        fold: usize,
        /// The scoring problems.
        cause: DataErrors,
    },
}

/// Runs the backtest of `data` with `folds` folds of `horizon` periods, fitting each window with
/// `fit` (the MAP fit, or a Bayesian one) under `spec`. `progress` hears each finished fold.
pub fn backtest(
    data: &Dataset,
    spec: &ModelSpec,
    folds: usize,
    horizon: usize,
    mut fit: impl FnMut(&Dataset, &ModelSpec) -> Result<ModelDocument, FitError>,
    mut progress: impl FnMut(usize, usize),
) -> Result<Backtest, BacktestError> {
    let n = data.len();
    if !(1..=MAX_FOLDS).contains(&folds) || horizon == 0 {
        return Err(BacktestError::Invalid(format!(
            "give 1 to {MAX_FOLDS} folds of at least one period each"
        )));
    }
    let needed =
        spec.min_rows(data.frequency, data.channels.len(), data.controls.len()) - spec.holdout;
    let first_window = n.saturating_sub(folds.saturating_mul(horizon));
    if first_window < needed {
        return Err(BacktestError::Invalid(format!(
            "{folds} folds of {horizon} periods leave the first fit {first_window} of the {n} \
             periods, but the model needs at least {needed}: use fewer or shorter folds"
        )));
    }
    let mut out = Vec::with_capacity(folds);
    let mut scored = Vec::new();
    for k in (1..=folds).rev() {
        let fold = folds - k + 1;
        let cut = n - k * horizon;
        let train = window(data, 0, cut);
        let fold_spec = ModelSpec {
            holdout: 0,
            lift_tests: spec
                .lift_tests
                .iter()
                .filter(|l| l.end <= data.dates[cut - 1])
                .cloned()
                .collect(),
            ..spec.clone()
        };
        let doc = fit(&train, &fold_spec).map_err(|cause| BacktestError::Fit {
            fold,
            periods: cut,
            cause,
        })?;
        let test = window(data, cut, cut + horizon);
        let s = score(&doc, &test).map_err(|cause| BacktestError::Score { fold, cause })?;
        // A fitting data set has a KPI in every period, so every fold is scored.
        let (Some(metrics), Some(drift)) = (s.metrics, s.drift) else {
            return Err(BacktestError::Invalid(format!("fold {fold} has no KPI to score")));
        };
        scored.extend(s.periods);
        out.push(Fold {
            fit_periods: cut,
            fit_end: data.dates[cut - 1],
            start: data.dates[cut],
            end: data.dates[cut + horizon - 1],
            metrics,
            drift,
            channels: doc
                .channels
                .iter()
                .map(|c| FoldChannel {
                    name: c.name.clone(),
                    roi: c.roi,
                    roi_interval: c.roi_interval,
                })
                .collect(),
        });
        progress(fold, folds);
    }
    let channels = data
        .channels
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let rois: Vec<f64> = out.iter().map(|f| f.channels[i].roi).collect();
            let min = rois.iter().copied().fold(f64::INFINITY, f64::min);
            let max = rois.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let mean = rois.iter().sum::<f64>() / rois.len() as f64;
            RoiStability {
                name: c.name.clone(),
                min,
                max,
                mean,
                spread: if mean > 0.0 { (max - min) / mean } else { 0.0 },
            }
        })
        .collect();
    let metrics = crate::score::metrics_of(&scored)
        .ok_or_else(|| BacktestError::Invalid("no period has a KPI to score".to_owned()))?;
    Ok(Backtest { horizon, metrics, folds: out, channels })
}

/// Periods `start..end` of `data`, with the spend of the periods before them (the data's own
/// media history included) as media history: as much as the longest adstock window can use.
fn window(data: &Dataset, start: usize, end: usize) -> Dataset {
    let keep = crate::params::MAX_LAG_LIMIT;
    Dataset {
        dates: data.dates[start..end].to_vec(),
        frequency: data.frequency,
        kpi_name: data.kpi_name.clone(),
        kpi: data.kpi[start..end].to_vec(),
        channels: data
            .channels
            .iter()
            .map(|c| {
                let before = |history: &[f64], values: &[f64]| -> Vec<f64> {
                    let all: Vec<f64> = history.iter().chain(&values[..start]).copied().collect();
                    all[all.len().saturating_sub(keep)..].to_vec()
                };
                Channel {
                    name: c.name.clone(),
                    column: c.column.clone(),
                    spend: c.spend[start..end].to_vec(),
                    history: before(&c.history, &c.spend),
                    media: c.media.as_ref().map(|m| MediaUnits {
                        column: m.column.clone(),
                        values: m.values[start..end].to_vec(),
                        history: before(&m.history, &m.values),
                    }),
                }
            })
            .collect(),
        controls: data
            .controls
            .iter()
            .map(|c| Control { name: c.name.clone(), values: c.values[start..end].to_vec() })
            .collect(),
        roles: data.roles.clone(),
    }
}

#[cfg(test)]
mod tests;
