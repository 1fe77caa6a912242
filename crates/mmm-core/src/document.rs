//! The model document: a versioned, self-contained JSON record of a fitted model.
//!
//! It holds everything needed to recompute predictions, the decomposition and response curves
//! without the original data (the model's inputs are stored in [`Series`]). The CLI writes it
//! with `--json`, and the API stores the same document.

use crate::baseline::Baseline;
use crate::dataset::Frequency;
use crate::metrics;
use crate::spec::ModelSpec;
use crate::transforms::{Adstock, Saturation, TransformOrder};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Newest format version this build reads. Version 2 added the Bayesian fit (intervals,
/// diagnostics, posterior draws); version 3 a channel's [`TransformOrder`] and the baseline's
/// organic media; version 4 a trend that bends at knots; version 5 recurring events; version 6
/// recurring events that keep a weekday or move with Easter; version 7 those that move with a feast
/// other than Easter (Orthodox Easter, Lunar New Year, the Eids); version 8 those that move with
/// the Mid-Autumn or Dragon Boat Festival or Diwali; version 9 those that last several days (a
/// holiday season, Ramadan); version 10 those that move with a feast added after (the Islamic
/// calendar's other days, Holi, Dussehra, the Korean calendar's days, the sun's days:
/// [`crate::events::Feast::format_version`]). A document is written with the oldest version that
/// holds it ([`format_version_for`]), so an mmm that predates them refuses exactly the documents
/// it would misread. Version 1 documents still load.
pub const FORMAT_VERSION: u32 = 10;

/// The format version a document with these channels and this baseline is written with: 10 when a
/// recurring event moves with a feast of version 10, 9 when one lasts several days, 8 when one
/// moves with the Mid-Autumn or Dragon Boat Festival or Diwali, 7 when one moves with
/// another feast but Easter, 6 when one keeps a weekday or moves with Easter, else 5 when the
/// baseline has recurring events, else 4 when the baseline's trend bends, else 3 when a channel
/// applies its saturation before its adstock or the baseline has organic media, else 2.
pub fn format_version_for(channels: &[ChannelResult], baseline: &Baseline) -> u32 {
    let events = baseline.events.iter().flat_map(|e| &e.dates);
    if let Some(version) = events.map(|e| e.format_version()).max() {
        version
    } else if !baseline.trend_knots.is_empty() {
        4
    } else if channels.iter().all(|c| c.transform_order.is_default()) && baseline.organic.is_empty()
    {
        2
    } else {
        3
    }
}

/// A central 90% credible interval `[5th percentile, 95th percentile]`.
pub type Interval = [f64; 2];

/// Sampling diagnostics of a Bayesian fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diagnostics {
    /// Largest split R̂ over every sampled parameter and the log density (want ≤ 1.01).
    pub rhat_max: f64,
    /// Smallest bulk effective sample size over the same quantities.
    pub ess_bulk_min: f64,
    /// Divergent transitions after warm-up (want 0).
    pub divergences: usize,
    /// Chains.
    pub chains: usize,
    /// Draws per chain after warm-up.
    pub draws: usize,
    /// Plain-language warnings (R̂ above 1.01, divergences).
    #[serde(default)]
    pub warnings: Vec<String>,
}

/// One channel in one posterior draw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DrawChannel {
    /// Effect at full saturation.
    pub coefficient: f64,
    /// Adstock.
    pub adstock: Adstock,
    /// Saturation.
    pub saturation: Saturation,
}

/// One kept posterior draw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PosteriorDraw {
    /// Noise standard deviation, KPI units.
    pub sigma: f64,
    /// Per channel, in the order of the document's channels.
    pub channels: Vec<DrawChannel>,
}

/// The mean of the last quarter of `values` (13 weeks, 91 days or 3 months:
/// [`Frequency::periods_per_quarter`]; all of them when there are fewer), `None` when there are
/// none: a channel's current spend, and a control's recent level.
///
/// A quarter rather than a fixed number of periods: 13 days would weigh some weekdays twice,
/// and 13 months would reach back over a whole year.
pub fn recent_mean(values: &[f64], frequency: Frequency) -> Option<f64> {
    let recent = &values[values.len().saturating_sub(frequency.periods_per_quarter())..];
    (!recent.is_empty()).then(|| recent.iter().sum::<f64>() / recent.len() as f64)
}

/// Marginal ROIs are taken at no less than this share of the channel's scale (its mean non-zero
/// spend per period). At zero spend the slope of a concave Hill curve (shape < 1) is unbounded,
/// so a posterior mean over curve shapes would be too; for a channel that is dark now, the
/// return of restarting it at a small level is the figure that means something.
pub const MARGINAL_FLOOR: f64 = 0.01;

/// Where a marginal ROI at `spend` is taken, in units of `scale` (see [`MARGINAL_FLOOR`]).
pub fn marginal_input(spend: f64, scale: f64) -> f64 {
    spend.max(MARGINAL_FLOOR * scale) / scale
}

/// Share of the maximum effect that defines a channel's saturation point.
pub const SATURATION_LEVEL: f64 = 0.9;

/// Response curves span 0 to this multiple of the largest historical spend per period.
pub const CURVE_MAX_MULTIPLE: f64 = 3.0;

/// Points on each stored response curve.
pub const CURVE_POINTS: usize = 61;

/// How the model was estimated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Maximum a posteriori point estimate (penalised least squares with priors).
    Map,
    /// Posterior sampling with NUTS; figures are posterior means with 90% intervals.
    Bayes,
}

/// Goodness of fit over the fitting window, and on the held-out periods if any.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitMetrics {
    /// Coefficient of determination.
    pub r2: f64,
    /// Mean absolute percentage error (as a fraction; periods with a zero KPI are skipped).
    pub mape: f64,
    /// Root mean squared error over the KPI's range.
    pub nrmse: f64,
    /// Residual standard deviation, in KPI units (of the noise itself, not of its
    /// innovations, when it is autocorrelated).
    pub sigma: f64,
    /// The noise's period-to-period autocorrelation (AR(1) coefficient) when the data asked for
    /// autocorrelated noise; absent when it is independent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub noise_autocorrelation: Option<f64>,
    /// The share of the noise's variance that carries over at `noise_autocorrelation` when the
    /// rest comes and goes within the period (a slow part beside independent noise: a level
    /// that wanders, say); absent when all of it carries over, or the noise is independent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub noise_autocorrelated_share: Option<f64>,
    /// Scores on the held-out last periods, if a holdout was used.
    pub holdout: Option<HoldoutMetrics>,
}

/// Scores on held-out periods (predicted with the model fitted without them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HoldoutMetrics {
    /// Number of held-out periods.
    pub periods: usize,
    /// Coefficient of determination on the holdout.
    pub r2: f64,
    /// Mean absolute percentage error on the holdout.
    pub mape: f64,
    /// Normalised RMSE on the holdout.
    pub nrmse: f64,
}

/// One point of a response curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CurvePoint {
    /// Constant spend per period.
    pub spend: f64,
    /// Steady-state incremental KPI per period at that spend.
    pub response: f64,
    /// Marginal ROI at that spend (extra KPI per extra unit of spend).
    pub mroi: f64,
    /// 90% interval of the response over the posterior draws (`response` is then their mean):
    /// credible for Bayesian fits and Meridian imports, approximate for MAP fits (draws
    /// resampled from an importance sample of the curve shapes). A MAP fit without those draws
    /// (no ROI prior) gives the Laplace band around its own response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<Interval>,
}

/// Everything the model says about one channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelResult {
    /// Channel name.
    pub name: String,
    /// Spend column in the data.
    pub column: String,
    /// Total spend over the data.
    pub spend: f64,
    /// Total incremental KPI attributed to the channel over the data: the posterior mean (for
    /// MAP fits, averaged over the transform parameters the data allow; see `roi`).
    pub contribution: f64,
    /// Return on investment: contribution / spend, over every period. A posterior mean: over
    /// the draws of Bayesian fits and Meridian imports, over an importance sample of the
    /// transform parameters for MAP fits. The channel's periods in `series` add up to the
    /// contribution.
    pub roi: f64,
    /// Marginal ROI at `current_spend`: the KPI from one more unit of spend per period. A
    /// posterior mean like `roi` (MAP fits: over the same importance sample); the slope of the
    /// document's own curve (`response`) for a MAP fit without that sample (no ROI prior).
    pub mroi: f64,
    /// Share of the total media contribution (of the posterior mean contributions).
    pub share: f64,
    /// Mean spend per period over the last quarter: 13 weeks, 91 days or 3 months
    /// ([`recent_mean`]).
    pub current_spend: f64,
    /// Fitted adstock.
    pub adstock: Adstock,
    /// Fitted saturation (input in units of `scale`).
    pub saturation: Saturation,
    /// Which transform applies first; left out for the default, adstock first.
    #[serde(default, skip_serializing_if = "TransformOrder::is_default")]
    pub transform_order: TransformOrder,
    /// Effect at full saturation, in KPI units per period.
    pub coefficient: f64,
    /// Spend scale: the mean non-zero spend per period over the fitting window.
    pub scale: f64,
    /// Spend per period at which the response reaches 90% of its maximum: the posterior median
    /// over the draws when the document has them, else that of the document's own curve.
    pub saturation_point: f64,
    /// Steady-state response curve, 0 to 3x the largest historical spend per period.
    pub response_curve: Vec<CurvePoint>,
    /// 90% interval of the ROI: credible (Bayesian fits), or approximate for MAP fits: from the
    /// same importance sample as `roi`, or from the Laplace approximation if that sample failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roi_interval: Option<Interval>,
    /// 90% interval of the marginal ROI: credible (Bayesian fits) or approximate for MAP fits,
    /// like `roi_interval`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mroi_interval: Option<Interval>,
    /// 90% interval of the contribution: credible or approximate, like `roi_interval`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contribution_interval: Option<Interval>,
    /// 90% interval of the share over the posterior draws: credible (Bayesian fits) or
    /// approximate (MAP fits with draws).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share_interval: Option<Interval>,
    /// How much the data narrowed the ROI prior: `1 − posterior variance / prior variance`,
    /// from 0 (the ROI is the prior's) to 1 (the data alone decide it). `None` when the ROI has
    /// no prior (ROI prior off, imported models).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roi_contraction: Option<f64>,
    /// Posterior mean and 90% interval of each of the channel's parameters over the posterior
    /// draws, in the units of `coefficient`, `adstock` and `saturation` (which hold the MAP
    /// point's values): the coefficient, then the adstock's parameters, then the saturation's.
    /// Empty when the document has no draws.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub posterior_parameters: Vec<ParameterSummary>,
}

/// The posterior of one of a channel's parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParameterSummary {
    /// `coefficient`, then the names of [`Adstock::parameter_names`] and
    /// [`Saturation::parameter_names`].
    pub name: String,
    /// Posterior mean.
    pub mean: f64,
    /// Central 90% interval.
    pub interval: Interval,
}

impl ChannelResult {
    /// Steady-state incremental KPI per period at a constant spend per period.
    ///
    /// Adstock weights sum to one, so a constant spend `x` has adstock `x`, and the long-run
    /// response is `coefficient · sat(x / scale)` in either [`TransformOrder`].
    pub fn response(&self, spend: f64) -> f64 {
        self.coefficient * self.saturation.value(spend.max(0.0) / self.scale)
    }

    /// Marginal ROI at a constant spend per period: the derivative of [`Self::response`], taken
    /// at no less than [`MARGINAL_FLOOR`] of the scale.
    pub fn marginal_roi(&self, spend: f64) -> f64 {
        self.coefficient * self.saturation.slope(marginal_input(spend, self.scale)) / self.scale
    }

    /// The response curve with `points` points from 0 to `max_spend`.
    pub fn curve(&self, points: usize, max_spend: f64) -> Vec<CurvePoint> {
        let points = points.max(2);
        (0..points)
            .map(|i| {
                let spend = max_spend * i as f64 / (points - 1) as f64;
                CurvePoint {
                    spend,
                    response: self.response(spend),
                    mroi: self.marginal_roi(spend),
                    interval: None,
                }
            })
            .collect()
    }
}

impl ChannelResult {
    /// Replaces each stored curve point by the posterior mean response and mROI over `draws`
    /// (this channel is `draws[..].channels[index]`), with the 90% band of the response.
    pub fn apply_posterior_curve(&mut self, draws: &[PosteriorDraw], index: usize) {
        let scale = self.scale;
        for point in &mut self.response_curve {
            let z = marginal_input(point.spend, scale);
            let at = point.spend.max(0.0) / scale;
            let values: Vec<f64> = draws
                .iter()
                .map(|d| d.channels[index].coefficient * d.channels[index].saturation.value(at))
                .collect();
            let (mean, interval) = crate::summary::summarise(&values);
            point.response = mean;
            point.mroi = draws
                .iter()
                .map(|d| {
                    d.channels[index].coefficient * d.channels[index].saturation.slope(z) / scale
                })
                .sum::<f64>()
                / draws.len().max(1) as f64;
            point.interval = Some(interval);
        }
    }

    /// Older documents named a Weibull carry-over's parameters `shape` and
    /// `scale`, like a Hill curve's shape: they read as today's unique names.
    fn rename_legacy_parameters(&mut self) {
        if !matches!(self.adstock, Adstock::Weibull { .. }) {
            return;
        }
        let names = self.adstock.parameter_names();
        let legacy = self.posterior_parameters.get(1..1 + names.len()).into_iter().flatten();
        if legacy.map(|p| p.name.as_str()).eq(["shape", "scale"]) {
            for (p, name) in self.posterior_parameters[1..].iter_mut().zip(names) {
                p.name = (*name).to_owned();
            }
        }
    }

    /// Sets `posterior_parameters` from `draws` (this channel is `draws[..].channels[index]`).
    pub fn apply_posterior_parameters(&mut self, draws: &[PosteriorDraw], index: usize) {
        let Some(first) = draws.first().map(|d| &d.channels[index]) else { return };
        let names = ["coefficient"]
            .iter()
            .chain(first.adstock.parameter_names())
            .chain(first.saturation.parameter_names());
        let values: Vec<Vec<f64>> = draws
            .iter()
            .map(|d| {
                let c = &d.channels[index];
                let mut v = vec![c.coefficient];
                v.extend(c.adstock.parameters());
                v.extend(c.saturation.parameters());
                v
            })
            .collect();
        self.posterior_parameters = names
            .enumerate()
            .map(|(j, name)| {
                let column: Vec<f64> = values.iter().filter_map(|v| v.get(j).copied()).collect();
                let (mean, interval) = crate::summary::summarise(&column);
                ParameterSummary { name: (*name).to_owned(), mean, interval }
            })
            .collect();
    }

    /// Replaces `saturation_point` by its posterior median over `draws`: the median of each
    /// draw's own spend reaching [`SATURATION_LEVEL`] of its maximum. (The expected curve's own
    /// 90% point is no use: its maximum, the mean coefficient, is pulled up by the draws that
    /// saturate late, and on the example data put the point 1.7-3x further out, beyond the curve's
    /// 3x range for two channels.)
    pub fn apply_posterior_saturation_point(&mut self, draws: &[PosteriorDraw], index: usize) {
        let mut points: Vec<f64> = draws
            .iter()
            .map(|d| self.scale * d.channels[index].saturation.inverse(SATURATION_LEVEL))
            .filter(|v| v.is_finite())
            .collect();
        if points.is_empty() {
            return;
        }
        points.sort_by(f64::total_cmp);
        self.saturation_point = crate::summary::quantile(&points, 0.5);
    }
}

/// A channel's inputs and contribution per period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelSeries {
    /// Channel name.
    pub name: String,
    /// Spend per period (the model input unless [`Self::input`] is set).
    pub spend: Vec<f64>,
    /// The model's input in the periods just before the first one (oldest first, at most
    /// `max_lag` of them, in the units of [`Self::model_input`]): media history that carries
    /// over into the first periods. Empty when the data start cold.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<f64>,
    /// Incremental KPI per period.
    pub contribution: Vec<f64>,
    /// 90% interval of each period's contribution over the posterior draws: credible (Bayesian
    /// fits) or approximate (MAP fits with draws).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contribution_interval: Option<Vec<Interval>>,
    /// The model's input per period when it is not the spend itself, in spend-equivalent units:
    /// media units × total spend / total media units, for a channel fitted on its media units
    /// (a `<channel>_media` column, [`crate::dataset::Channel::model_input`]; imported Meridian
    /// models fitted on impressions).
    /// The channel's adstock and saturation apply to this series; `None` means the spend.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<Vec<f64>>,
    /// Spend-equivalent model input per media unit when [`Self::input`] is set: a file to score
    /// gives such a channel's media in [`Self::media_input_column`], and this converts it.
    /// `None` for channels whose input is the spend, and in imports made before mmm kept it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_per_media: Option<f64>,
    /// The column the media units were read from (`tv_impressions`) when [`Self::input`] is
    /// set; `None` means [`media_column`] of the channel's name (models saved before mmm kept
    /// it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub units_column: Option<String>,
}

pub use crate::dataset::{MEDIA_SUFFIX, media_column};

impl ChannelSeries {
    /// The series the channel's transforms apply to: [`Self::input`] if set, else the spend.
    pub fn model_input(&self) -> &[f64] {
        self.input.as_deref().unwrap_or(&self.spend)
    }

    /// Whether the channel was fitted on its media units rather than its spend.
    pub fn on_media_units(&self) -> bool {
        self.input.is_some()
    }

    /// Spend-equivalent input per media unit of a channel fitted on media units, when the
    /// model keeps it ([`Self::input_per_media`]): what turns units in a file into its input.
    pub fn media_rate(&self) -> Option<f64> {
        self.input_per_media.filter(|_| self.on_media_units())
    }

    /// The column a file to score gives this channel's media units in, for a channel fitted on
    /// them: the one it was fitted on.
    pub fn media_input_column(&self) -> String {
        self.units_column.clone().unwrap_or_else(|| media_column(&self.name))
    }
}

/// Where a model that mmm did not fit came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Origin {
    /// The tool that fitted it, e.g. `google-meridian`.
    pub tool: String,
    /// That tool's version, e.g. `2.1.0`.
    pub version: String,
    /// Name of the imported file.
    pub file: String,
    /// How the imported figures relate to the tool's own (definitions that differ).
    #[serde(default)]
    pub notes: Vec<String>,
}

/// A control's values per period (model input).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ControlSeries {
    /// Column name.
    pub name: String,
    /// Values per period.
    pub values: Vec<f64>,
}

/// Per-period data and decomposition: `fitted = intercept + trend + seasonality + controls +
/// Σ channel contributions`. With posterior draws (Bayesian fits, imports, MAP fits with an ROI
/// prior) each part is its posterior mean, and the baseline's coefficients are theirs; a MAP
/// fit without draws gives its point's decomposition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Series {
    /// Period dates.
    pub dates: Vec<NaiveDate>,
    /// Observed KPI.
    pub actual: Vec<f64>,
    /// Model prediction (for held-out periods: out of sample).
    pub fitted: Vec<f64>,
    /// Trend part of the baseline.
    pub trend: Vec<f64>,
    /// Seasonal part of the baseline.
    pub seasonality: Vec<f64>,
    /// Control part of the baseline.
    pub controls: Vec<f64>,
    /// Per channel: spend and contribution.
    pub channels: Vec<ChannelSeries>,
    /// Control inputs.
    pub control_values: Vec<ControlSeries>,
}

/// A fitted model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelDocument {
    /// Document format version.
    pub format_version: u32,
    /// Estimation method.
    pub method: Method,
    /// Program and version that wrote the document.
    pub engine: String,
    /// KPI name.
    pub kpi: String,
    /// Data frequency.
    pub frequency: Frequency,
    /// First period.
    pub start: NaiveDate,
    /// Last period.
    pub end: NaiveDate,
    /// Number of periods (including any holdout).
    pub periods: usize,
    /// Seed of the fit.
    pub seed: u64,
    /// Fit metrics.
    pub fit: FitMetrics,
    /// Per-channel results.
    pub channels: Vec<ChannelResult>,
    /// Baseline definition and coefficients.
    pub baseline: Baseline,
    /// Model specification used.
    pub spec: ModelSpec,
    /// Inputs and decomposition per period.
    pub series: Series,
    /// Sampling diagnostics (Bayesian fits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diagnostics: Option<Diagnostics>,
    /// Sampler settings (Bayesian fits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sampler: Option<crate::fit::BayesSettings>,
    /// Posterior draws, so that curves, intervals and the optimiser's expected response can be
    /// recomputed without sampling: thinned from the chains (Bayesian fits and imports), or
    /// resampled from the importance sample over the curve shapes (MAP fits with an ROI prior).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posterior: Option<Vec<PosteriorDraw>>,
    /// Set on imported models: where the model came from (`None`: fitted by mmm).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
    /// Approximate joint covariance of the response curves' parameters (MAP fits without
    /// `posterior` draws).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub curve_covariance: Option<CurveCovariance>,
}

/// Approximate joint posterior covariance of the parameters behind the response curves: for
/// each channel in turn, its coefficient (KPI units) and its saturation parameters in the order
/// of [`crate::transforms::Saturation::parameter_names`].
///
/// MAP fits without posterior draws (no ROI prior) carry it from their Laplace step, so that the
/// uncertainty of anything the curves decide, such as the response of one budget split against
/// another, follows by the delta method. Adstock parameters are left out: the steady-state response
/// does not depend on them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CurveCovariance {
    /// Parameter labels: `<channel>.coefficient`, then `<channel>.<saturation parameter>`.
    pub parameters: Vec<String>,
    /// The covariance matrix, row by row, in the order of `parameters`.
    pub matrix: Vec<Vec<f64>>,
}

impl CurveCovariance {
    /// The labels a covariance over `channels` has, in order.
    pub fn labels(channels: &[ChannelResult]) -> Vec<String> {
        channels
            .iter()
            .flat_map(|c| {
                std::iter::once(format!("{}.coefficient", c.name))
                    .chain(c.saturation.parameter_names().iter().map(|p| format!("{}.{p}", c.name)))
            })
            .collect()
    }

    /// The gradient, with respect to the parameters, of `Σ_c coefficient_c · h_c(x_c / scale_c)`,
    /// the total steady-state response of spends `x` per period (one per channel).
    pub fn response_gradient(channels: &[ChannelResult], x: &[f64]) -> Vec<f64> {
        let mut g = Vec::new();
        for (c, v) in channels.iter().zip(x) {
            let z = v.max(0.0) / c.scale;
            g.push(c.saturation.value(z));
            g.extend(c.saturation.parameter_gradient(z).into_iter().map(|d| c.coefficient * d));
        }
        g
    }

    /// `gᵀ Σ g`, the delta-method variance of a quantity with gradient `g`.
    pub fn variance(&self, g: &[f64]) -> f64 {
        self.matrix
            .iter()
            .zip(g)
            .map(|(row, gi)| gi * row.iter().zip(g).map(|(m, gj)| m * gj).sum::<f64>())
            .sum()
    }
}

/// A model document that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// Not JSON, or not a model document. The parser's message is part of this one, so it is
    /// not also given as the source: an error chain would print it twice.
    #[error("not a valid model document: {0}")]
    Invalid(serde_json::Error),
    /// Written by a newer mmm.
    #[error(
        "model document format {found} is newer than this mmm supports ({supported}); upgrade mmm"
    )]
    TooNew {
        /// Version in the document.
        found: u32,
        /// Newest version this build reads.
        supported: u32,
    },
    /// Internally inconsistent (e.g. series of different lengths).
    #[error("inconsistent model document: {0}")]
    Inconsistent(String),
}

impl ModelDocument {
    /// Parses and checks a document.
    pub fn from_json(text: &str) -> Result<Self, DocumentError> {
        #[derive(Deserialize)]
        struct Version {
            format_version: u32,
        }
        let v: Version = serde_json::from_str(text).map_err(DocumentError::Invalid)?;
        if v.format_version > FORMAT_VERSION {
            return Err(DocumentError::TooNew {
                found: v.format_version,
                supported: FORMAT_VERSION,
            });
        }
        let mut doc: ModelDocument = serde_json::from_str(text).map_err(DocumentError::Invalid)?;
        doc.check()?;
        for c in &mut doc.channels {
            c.rename_legacy_parameters();
        }
        Ok(doc)
    }

    /// Serialises the document as pretty JSON.
    pub fn to_json(&self) -> String {
        // Serialising plain data structs with string keys cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    fn check(&self) -> Result<(), DocumentError> {
        let n = self.series.dates.len();
        let bad = |what: &str| Err(DocumentError::Inconsistent(what.to_owned()));
        let needed = format_version_for(&self.channels, &self.baseline);
        if needed > 2 && self.format_version < needed {
            return bad(match needed {
                10 => {
                    "recurring events that move with the Islamic New Year, the Prophet's \
                      Birthday, Isra and Mi'raj, Holi, Dussehra, the Korean calendar's days, \
                      the equinox days or Qingming need format version 10"
                }
                9 => "recurring events of several days need format version 9",
                8 => {
                    "recurring events that move with the Mid-Autumn or Dragon Boat Festival \
                      or Diwali need format version 8"
                }
                7 => {
                    "recurring events that move with a feast other than Easter need \
                      format version 7"
                }
                6 => {
                    "recurring events that keep a weekday or move with Easter need format \
                      version 6"
                }
                5 => "recurring events need format version 5",
                4 => "a trend with knots needs format version 4",
                _ => "a transform order or organic media need format version 3",
            });
        }
        let knots = &self.baseline.trend_knots;
        if knots.len() != self.baseline.trend_bends.len()
            || knots.iter().chain(&self.baseline.trend_bends).any(|v| !v.is_finite())
        {
            return bad("the trend needs one finite bend per finite knot");
        }
        if self.baseline.events.as_ref().is_some_and(|e| !e.is_valid()) {
            return bad("recurring events need a period of 1 to 31 days, and real dates other \
                        than 29 February or days within 60 of one feast's, lasting 1 to 92 \
                        days (one that keeps a weekday, one), with finite effects");
        }
        if self.fit.noise_autocorrelation.is_some_and(|rho| !(0.0..1.0).contains(&rho)) {
            return bad("the noise's autocorrelation must lie in [0, 1)");
        }
        if let Some(share) = self.fit.noise_autocorrelated_share
            && !(self.fit.noise_autocorrelation.is_some() && share > 0.0 && share < 1.0)
        {
            return bad(
                "the noise's autocorrelated share must lie in (0, 1), with its autocorrelation",
            );
        }
        if n != self.periods || n == 0 {
            return bad("series length differs from periods");
        }
        if self
            .baseline
            .organic
            .iter()
            .any(|o| o.contribution.len() != n || o.contribution.iter().any(|v| !v.is_finite()))
        {
            return bad("an organic media effect does not have one finite value per period");
        }
        let lens = [
            self.series.actual.len(),
            self.series.fitted.len(),
            self.series.trend.len(),
            self.series.seasonality.len(),
            self.series.controls.len(),
        ];
        if lens.iter().any(|l| *l != n) {
            return bad("series of different lengths");
        }
        if self.series.channels.len() != self.channels.len() {
            return bad("channel series do not match channels");
        }
        if self.series.channels.iter().any(|c| {
            c.spend.len() != n
                || c.contribution.len() != n
                || c.model_input().len() != n
                || c.contribution_interval.as_ref().is_some_and(|b| b.len() != n)
        }) {
            return bad("channel series of different lengths");
        }
        if self.series.channels.iter().any(|c| {
            c.history.len() > crate::params::MAX_LAG_LIMIT
                || c.history.iter().any(|v| !(v.is_finite() && *v >= 0.0))
        }) {
            return bad(
                "media history must be at most the adstock window, finite and non-negative",
            );
        }
        if self.series.control_values.len() != self.baseline.controls.len()
            || self.series.control_values.iter().any(|c| c.values.len() != n)
        {
            return bad("control series do not match the baseline controls");
        }
        if self.channels.iter().any(|c| !(c.scale > 0.0 && c.scale.is_finite())) {
            return bad("channel scale must be positive");
        }
        if let Some(draws) = &self.posterior
            && draws.iter().any(|d| d.channels.len() != self.channels.len())
        {
            return bad("posterior draws do not match the channels");
        }
        if let Some(cov) = &self.curve_covariance {
            let n = cov.parameters.len();
            if cov.parameters != CurveCovariance::labels(&self.channels)
                || cov.matrix.len() != n
                || cov.matrix.iter().any(|r| r.len() != n || r.iter().any(|v| !v.is_finite()))
            {
                return bad("the curve covariance does not match the channels");
            }
        }
        Ok(())
    }

    /// Finds a channel by name.
    pub fn channel(&self, name: &str) -> Option<&ChannelResult> {
        self.channels.iter().find(|c| c.name == name)
    }

    /// Recomputes every channel's contribution per period from the stored spend and the fitted
    /// transforms: the mean over the posterior draws when the document has them (as in
    /// `series`), else that of the document's own parameters.
    pub fn channel_contributions(&self) -> Vec<Vec<f64>> {
        self.channels
            .iter()
            .zip(&self.series.channels)
            .enumerate()
            .map(|(i, (c, s))| {
                let scale = |v: &[f64]| -> Vec<f64> { v.iter().map(|x| x / c.scale).collect() };
                let (history, input) = (scale(&s.history), scale(s.model_input()));
                let one = |coefficient: f64, adstock: &Adstock, saturation: &Saturation| {
                    c.transform_order
                        .response(adstock, saturation, &history, &input)
                        .into_iter()
                        .map(move |h| coefficient * h)
                };
                match self.posterior.as_deref() {
                    Some(draws) if !draws.is_empty() => {
                        let mut mean = vec![0.0; input.len()];
                        for d in draws.iter().map(|d| &d.channels[i]) {
                            for (m, v) in
                                mean.iter_mut().zip(one(d.coefficient, &d.adstock, &d.saturation))
                            {
                                *m += v;
                            }
                        }
                        mean.iter().map(|m| m / draws.len() as f64).collect()
                    }
                    _ => one(c.coefficient, &c.adstock, &c.saturation).collect(),
                }
            })
            .collect()
    }

    /// Recomputes the series' baseline parts and prediction from `baseline` and the channels'
    /// per-period contributions in `series`, and the fit metrics from those: the first
    /// `periods − spec.holdout` periods are the fitting window, the rest the holdout. The
    /// residual standard deviation (`fit.sigma`) is kept.
    pub(crate) fn recompose(&mut self) {
        let n = self.periods;
        let series = &mut self.series;
        let (mut trend, mut seasonality, mut controls, mut fitted) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        for t in 0..n {
            let z: Vec<f64> = series.control_values.iter().map(|c| c.values[t]).collect();
            let p = self.baseline.parts(t, &z);
            let media: f64 = series.channels.iter().map(|c| c.contribution[t]).sum();
            trend.push(p.trend);
            seasonality.push(p.seasonality);
            controls.push(p.controls);
            fitted.push(p.intercept + p.trend + p.seasonality + p.controls + media);
        }
        (series.trend, series.seasonality, series.controls, series.fitted) =
            (trend, seasonality, controls, fitted);
        let nf = n.saturating_sub(self.spec.holdout);
        let (actual, fitted) = (&series.actual, &series.fitted);
        self.fit.r2 = metrics::r2(&actual[..nf], &fitted[..nf]);
        self.fit.mape = metrics::mape(&actual[..nf], &fitted[..nf]);
        self.fit.nrmse = metrics::nrmse(&actual[..nf], &fitted[..nf]);
        self.fit.holdout = (nf < n).then(|| HoldoutMetrics {
            periods: n - nf,
            r2: metrics::r2(&actual[nf..], &fitted[nf..]),
            mape: metrics::mape(&actual[nf..], &fitted[nf..]),
            nrmse: metrics::nrmse(&actual[nf..], &fitted[nf..]),
        });
    }

    /// Recomputes the model's prediction for every period from the document alone. With
    /// posterior draws this is the mean over the kept draws: the `series` of Bayesian fits
    /// exactly; for MAP fits (whose series come from the weighted sample the kept draws are
    /// resampled from) and Meridian imports (whose kept draws are thinned), up to that
    /// resampling.
    pub fn predict(&self) -> Vec<f64> {
        let media = self.channel_contributions();
        (0..self.periods)
            .map(|t| {
                let z: Vec<f64> = self.series.control_values.iter().map(|c| c.values[t]).collect();
                let p = self.baseline.parts(t, &z);
                p.intercept
                    + p.trend
                    + p.seasonality
                    + p.controls
                    + media.iter().map(|m| m[t]).sum::<f64>()
            })
            .collect()
    }
}
