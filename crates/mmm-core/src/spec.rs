//! What model to fit and how: transform kinds, baseline terms, priors, search effort.

use crate::dataset::Frequency;
use serde::{Deserialize, Serialize};

/// Which adstock family each channel uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum AdstockKind {
    /// Geometric decay (one parameter).
    #[default]
    Geometric,
    /// Weibull density weights (two parameters; allows a delayed peak).
    Weibull,
}

/// Which saturation family each channel uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SaturationKind {
    /// Hill curve (half-saturation and shape).
    #[default]
    Hill,
    /// Logistic curve (one rate).
    Logistic,
}

/// Weakly-informative priors of the MAP fit. Each is a penalty added to the objective; see
/// `docs/methodology.md` for what they mean and why they are needed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Priors {
    /// Spread of the channel ROI prior, relative to its centre (the typical channel ROI
    /// estimated from the data). Smaller pulls channel ROIs closer together; `None` turns the
    /// prior off.
    pub roi_relative_sd: Option<f64>,
    /// Centre of the channel ROI prior in KPI units per unit of spend; `None` estimates the
    /// typical channel ROI from the data (each channel weighted by how well the data and its
    /// lift tests measure it).
    pub roi_median: Option<f64>,
    /// Per-channel ROI priors (by channel name), overriding the pooled centre and the spread.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub channel_roi: std::collections::BTreeMap<String, RoiPrior>,
    /// Prior standard deviation of the trend, seasonality and control coefficients, relative to
    /// the mean KPI (scaled by the noise, like the ROI prior); `None` leaves them nearly free.
    pub baseline_sd: Option<f64>,
    /// Prior on the noise: inverse-gamma with a guess of the noise standard deviation (relative
    /// to the mean KPI) worth `strength` observations; `None` is the uninformative 1/σ².
    pub noise: Option<NoisePrior>,
    /// Per-channel adstock and saturation priors (by channel name).
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub channel_transforms: std::collections::BTreeMap<String, ChannelPriors>,
    /// Standard deviation of the log half-saturation around the channel's typical spend.
    pub log_half_saturation_sd: f64,
    /// Median of the Hill shape prior (log-normal).
    pub shape_median: f64,
    /// Standard deviation of the log Hill shape.
    pub log_shape_sd: f64,
    /// Beta(a, a) prior on the geometric decay: `a > 1` keeps it away from 0 and 1.
    pub decay_beta: f64,
}

impl Priors {
    /// Priors from a JSON value, which must be an object: serde alone would also fill the
    /// fields from an array, by position, and the documented form is an object.
    pub fn from_json(value: serde_json::Value) -> Result<Self, String> {
        if !value.is_object() {
            return Err("priors must be a JSON object".to_owned());
        }
        serde_json::from_value(value).map_err(|e| e.to_string())
    }
}

impl Default for Priors {
    fn default() -> Self {
        Self {
            roi_relative_sd: Some(0.5),
            roi_median: None,
            channel_roi: std::collections::BTreeMap::new(),
            channel_transforms: std::collections::BTreeMap::new(),
            baseline_sd: None,
            noise: None,
            log_half_saturation_sd: 0.7,
            shape_median: 1.5,
            log_shape_sd: 0.5,
            decay_beta: 2.0,
        }
    }
}

/// Inverse-gamma prior on the noise variance.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct NoisePrior {
    /// Prior guess of the noise standard deviation, relative to the mean KPI (e.g. 0.05).
    pub sd: f64,
    /// How many observations the guess is worth.
    pub strength: f64,
}

/// A channel's own adstock and saturation priors; each `None` keeps the default.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ChannelPriors {
    /// Mean of the geometric decay's Beta prior (strength a + b = 10), in (0, 0.9).
    pub decay_mean: Option<f64>,
    /// Median half-saturation of the Hill curve, in units of the channel's typical spend.
    pub half_saturation: Option<f64>,
    /// Median Hill shape.
    pub shape: Option<f64>,
}

/// A channel's ROI prior: normal, with a median (KPI per unit of spend) and a spread relative to
/// it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RoiPrior {
    /// Centre of the prior.
    pub median: f64,
    /// Standard deviation relative to the centre (0.5 = ±50%).
    pub relative_sd: f64,
}

/// Most knots a trend may have.
pub const MAX_TREND_KNOTS: usize = 12;

/// Most yearly harmonics a season may have.
pub const MAX_YEARLY_HARMONICS: usize = 12;

/// The model specification and fit settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ModelSpec {
    /// Adstock family.
    pub adstock: AdstockKind,
    /// Saturation family.
    pub saturation: SaturationKind,
    /// Adstock window L in periods.
    pub max_lag: usize,
    /// Yearly Fourier harmonics (each adds a sine and a cosine).
    pub yearly_harmonics: usize,
    /// Weekly Fourier harmonics for daily data (ignored for weekly data).
    pub weekly_harmonics: usize,
    /// Most yearly harmonics the season may have: the fit adds those beyond
    /// `yearly_harmonics` (all together, below the cycle's Nyquist limit) only when the data's
    /// marginal likelihood prefers them, as for the trend's knots. At most
    /// [`MAX_YEARLY_HARMONICS`]; at or below `yearly_harmonics` the season keeps its own.
    pub max_yearly_harmonics: usize,
    /// Knots, spread evenly over the fitting window, where the trend's slope may change (at
    /// most [`MAX_TREND_KNOTS`]; 0 keeps it straight). The fit bends it only where the data's
    /// marginal likelihood prefers a bent trend to a straight one, and then only as far as they
    /// ask; otherwise the model keeps a straight trend.
    pub trend_knots: usize,
    /// Whether the noise may carry over from period to period (AR(1)). The fit whitens the
    /// data for it only where the data's marginal likelihood prefers autocorrelated noise to
    /// independent noise; `false` keeps it independent.
    pub autocorrelated_noise: bool,
    /// Whether a channel's carry-over may peak after its spend. With the geometric adstock the
    /// fit also searches the Weibull adstock (which can delay the peak, and gives the geometric
    /// weights at shape 1) and keeps it where the data prefer it by the Bayesian information
    /// criterion; `false` keeps the geometric adstock. No effect with the Weibull adstock, nor
    /// when a channel's decay prior is given (`Priors::channel_transforms`): that is a geometric
    /// adstock's.
    pub delayed_adstock: bool,
    /// Whether weekly and daily data may have recurring events the file does not mark: weeks
    /// (days) the fit misses the same way every year (Black Friday, Christmas, a yearly sale;
    /// [`crate::events`]). The fit gives each a 0/1 baseline column (the period that holds the
    /// same date every year) where the data's marginal likelihood prefers it; `false` leaves
    /// them to the residuals (the insights still name them). Monthly data have none.
    pub recurring_events: bool,
    /// Recurring events the caller knows of (`11-27`, `easter-2`, `lunar_new_year`,
    /// `11-20..12-25`, `ramadan`: [`crate::events::Rule`]'s written form), weekly and daily
    /// data only: each gets its baseline column (0/1, or the share of an event of several days
    /// a period holds) whatever the data's evidence, with the prior spread they make most
    /// likely. The fitted periods must hold each in two years at least.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<crate::events::Rule>,
    /// Recurring events to ask the data about, as the fit asks about those it finds in its
    /// residuals (a country's holidays: [`crate::events::Holidays`]): each is kept only where
    /// the data are more likely with its term. Asked with or without `recurring_events` (which
    /// turns off the fit's own search only); those the fitted periods hold less than twice are
    /// not asked.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub candidate_events: Vec<crate::events::Rule>,
    /// Last periods kept out of the fit and scored.
    pub holdout: usize,
    /// Seed of the multi-start search; the same seed gives the same fit.
    pub seed: u64,
    /// Number of random starts of the nonlinear search.
    pub starts: usize,
    /// Iteration cap of each local search.
    pub max_iters: u64,
    /// Priors.
    pub priors: Priors,
    /// Results of lift (incrementality) experiments; the Bayesian fit adds them to its
    /// likelihood.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lift_tests: Vec<LiftTest>,
}

/// The measured result of a lift experiment on one channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiftTest {
    /// Channel name.
    pub channel: String,
    /// First period of the experiment.
    pub start: chrono::NaiveDate,
    /// Last period of the experiment (inclusive).
    pub end: chrono::NaiveDate,
    /// Measured incremental KPI of the channel over those periods.
    pub incremental: f64,
    /// Standard error of that measurement.
    pub standard_error: f64,
}

impl Default for ModelSpec {
    fn default() -> Self {
        Self {
            adstock: AdstockKind::Geometric,
            saturation: SaturationKind::Hill,
            max_lag: 8,
            yearly_harmonics: 2,
            weekly_harmonics: 3,
            max_yearly_harmonics: 6,
            trend_knots: 4,
            autocorrelated_noise: true,
            delayed_adstock: true,
            recurring_events: true,
            events: Vec::new(),
            candidate_events: Vec::new(),
            holdout: 0,
            seed: 1,
            starts: 12,
            max_iters: 200,
            priors: Priors::default(),
            lift_tests: Vec::new(),
        }
    }
}

impl ModelSpec {
    /// Nonlinear parameters per channel (adstock plus saturation).
    pub fn nonlinear_per_channel(&self) -> usize {
        let adstock = match self.adstock {
            AdstockKind::Geometric => 1,
            AdstockKind::Weibull => 2,
        };
        let saturation = match self.saturation {
            SaturationKind::Hill => 2,
            SaturationKind::Logistic => 1,
        };
        adstock + saturation
    }

    /// Number of baseline columns: intercept, trend, seasonality, the events named and controls.
    pub fn baseline_terms(&self, frequency: Frequency, controls: usize) -> usize {
        let weekly = match frequency {
            Frequency::Daily => 2 * self.weekly_harmonics,
            Frequency::Weekly | Frequency::Monthly => 0,
        };
        2 + 2 * self.yearly_harmonics + weekly + controls + self.events.len()
    }

    /// Total number of model parameters (baseline, media coefficients, transform parameters).
    pub fn parameter_count(&self, frequency: Frequency, channels: usize, controls: usize) -> usize {
        self.baseline_terms(frequency, controls) + channels * (1 + self.nonlinear_per_channel())
    }

    /// Least number of rows a data set needs for this model: one more than the parameters,
    /// plus the holdout.
    pub fn min_rows(&self, frequency: Frequency, channels: usize, controls: usize) -> usize {
        self.parameter_count(frequency, channels, controls) + 1 + self.holdout
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priors_come_from_an_object_only() {
        let p = Priors::from_json(serde_json::json!({"roi_relative_sd": 0.3})).unwrap();
        assert_eq!(p.roi_relative_sd, Some(0.3));
        assert_eq!(p.roi_median, Priors::default().roi_median);
        // serde would take the fields from an array by position: refused.
        let err = Priors::from_json(serde_json::json!([0.3, null])).unwrap_err();
        assert_eq!(err, "priors must be a JSON object");
        assert!(Priors::from_json(serde_json::json!({"roi_relative_sd": "wide"})).is_err());
    }
}
