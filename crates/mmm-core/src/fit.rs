//! Fitting the model by variable projection with priors (MAP).
//!
//! For fixed nonlinear parameters θ (adstock and saturation of every channel) the model is linear
//! in the baseline and media coefficients β, which are solved exactly: a ridge-regularised least
//! squares with β_media ≥ 0 (an active-set method). The nonlinear parameters are searched with
//! L-BFGS (argmin) from many seeded starts, each bounded by a smooth reparameterisation
//! `θ = lo + (hi − lo)·σ(u)` (in log space for scale-like parameters).
//!
//! The objective is a MAP criterion with the noise variance profiled out:
//!
//! `J(θ) = n/2 · ln(min_β [RSS(θ, β) + P(θ, β)]) + Q(θ)`
//!
//! where `Q` holds the priors on θ (half-saturation near typical spend, Hill shape near 1.5,
//! decay away from 0 and 1) and `P` a Gaussian prior on each channel's ROI, scaled by a noise
//! variance estimate σ₀² so that it acts like a conjugate prior: `P = Σ_c σ₀² (roi_c − m)² /
//! (τ m)²`. The centre `m` is the typical channel ROI of a first, prior-free search: the
//! maximum-likelihood centre of a hierarchy in which every channel's ROI is drawn around it, so
//! each channel counts by how well the data measure it, not by its spend (see `centre`).
//! Channels whose own data are weak are pulled towards it. The gradient of `J` is exact: by the
//! envelope theorem it only needs the partial derivatives at the optimal β, so one gradient
//! costs about one evaluation.
//!
//! The document holds the MAP point's channel parameters. Each channel's ROI, marginal ROI,
//! contribution, share and response curve, and the per-period decomposition (with the
//! baseline's coefficients), are instead posterior means over the transform parameters, from
//! an importance sample around the optimum (`importance`), whose draws the document keeps; a
//! Laplace step (`laplace`) shapes that sample. Without an ROI prior (nothing makes the average
//! exist) the figures and the decomposition stay the MAP point's, with the Laplace step's
//! intervals and curve covariance.

use crate::baseline::{self, Baseline, ControlEffect, EventDate, Events, Seasonality};
use crate::dataset::{Dataset, Frequency};
use crate::document::{
    CURVE_MAX_MULTIPLE, CURVE_POINTS, ChannelResult, ChannelSeries, ControlSeries, CurveCovariance,
    FitMetrics, Method, ModelDocument, SATURATION_LEVEL, Series, format_version_for, recent_mean,
};
use crate::linalg::solve_nonneg_qp;
use crate::params::{
    DecayRate, HalfSaturation, HillShape, LogisticRate, MaxLag, ParamError, WeibullScale,
    WeibullShape,
};
use crate::spec::{AdstockKind, ModelSpec, SaturationKind};
use crate::transforms::{
    Adstock, Saturation, TransformOrder, convolve, geometric_weights_with_grad, hill, logistic,
    weibull_weights,
};
use argmin::core::{CostFunction, Error as ArgminError, Executor, Gradient, State};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::quasinewton::LBFGS;
use nalgebra::{DMatrix, DVector};
use rand::{RngExt, SeedableRng, rngs::StdRng};
use std::cell::RefCell;

/// Where a fit is.
#[derive(Debug, Clone, PartialEq)]
pub struct FitProgress {
    /// Fraction done, 0 to 1.
    pub fraction: f64,
    /// What is happening, for people.
    pub message: String,
}

/// Receives progress; returning `false` cancels the fit.
pub type Observer<'a> = &'a (dyn Fn(&FitProgress) -> bool + Sync);

/// Why a fit did not produce a model.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FitError {
    /// The specification cannot be fitted to this data.
    #[error("invalid model specification: {0}")]
    InvalidSpec(String),
    /// The data set is too short for the model.
    #[error("{rows} periods available for fitting, but the model needs at least {needed}")]
    NotEnoughRows {
        /// Periods in the fitting window.
        rows: usize,
        /// Periods needed.
        needed: usize,
    },
    /// The observer asked to stop.
    #[error("the fit was cancelled")]
    Cancelled,
    /// No start converged to a finite objective.
    #[error("the fit failed numerically: {0}")]
    Numerical(String),
}

/// Checks that a specification can be fitted to a data set, by the same rules the fit applies
/// (holdout, priors, lift tests, data length), without fitting it.
pub fn validate(data: &Dataset, spec: &ModelSpec) -> Result<(), FitError> {
    Problem::new(data, spec).map(|_| ())
}

/// Checks the events `spec` names against `data`'s first `n_fit` periods: weekly or daily data,
/// each named once and held by the fitted periods in two years at least (one period would be
/// fitted exactly, and one year's run of periods is one year's miss).
fn check_named_events(data: &Dataset, spec: &ModelSpec, n_fit: usize) -> Result<(), FitError> {
    if spec.events.is_empty() && spec.candidate_events.is_empty() {
        return Ok(());
    }
    let Some(calendar) = crate::events::Calendar::of(data.frequency) else {
        return Err(FitError::InvalidSpec(
            "events and holidays need weekly or daily data: a month holds every date, and a \
             yearly lift in monthly data is the season's"
                .to_owned(),
        ));
    };
    for (i, rule) in spec.events.iter().enumerate() {
        if spec.events[..i].contains(rule) {
            return Err(FitError::InvalidSpec(format!("event '{rule}' is named twice")));
        }
        let fitted = data.dates.get(..n_fit).unwrap_or_default();
        let held = rule.times_held(fitted, calendar.days);
        if held < 2 {
            let falls = if rule.days > 1 {
                format!("falls in the {n_fit} fitted periods in {held} year(s)")
            } else {
                format!("falls in {held} of the {n_fit} fitted periods")
            };
            return Err(FitError::InvalidSpec(format!(
                "event '{rule}' ({}) {falls}; a recurring event needs two at least",
                rule.label()
            )));
        }
    }
    Ok(())
}

/// Standard normal quantile of a central 90% interval.
pub(crate) const Z90: f64 = 1.644_853_626_951_472_2;

/// A 90% interval around `mean` with `extra` variance added: each side grows as a normal's
/// would, `√(half² + z₉₀² · extra)`, so a skewed interval keeps its skew. Floored at 0.
fn widen(mean: f64, interval: crate::document::Interval, extra: f64) -> crate::document::Interval {
    let side = |half: f64| (half * half + Z90 * Z90 * extra).sqrt();
    [(mean - side(mean - interval[0])).max(0.0), mean + side(interval[1] - mean)]
}

/// Fits the model to a data set (MAP point estimate).
pub fn fit(
    data: &Dataset,
    spec: &ModelSpec,
    observer: Option<Observer<'_>>,
) -> Result<ModelDocument, FitError> {
    let (problem, u) = map_problem(data, spec, observer, 1.0)?;
    let mut doc = problem.document(data, spec, &u)?;
    let eval = problem.evaluate(&u, false);
    let curve_spends: Vec<Vec<f64>> =
        doc.channels.iter().map(|c| c.response_curve.iter().map(|p| p.spend).collect()).collect();
    let spread = problem.channel_spread(&u, &eval, &curve_spends);
    if let Some(spread) = &spread {
        let around = |v: f64, sd: f64| [(v - Z90 * sd).max(0.0), v + Z90 * sd];
        let m = &spread.curve_parameters;
        doc.curve_covariance = Some(CurveCovariance {
            parameters: CurveCovariance::labels(&doc.channels),
            matrix: (0..m.nrows()).map(|i| m.row(i).iter().copied().collect()).collect(),
        });
        for (c, (ch, s)) in doc.channels.iter_mut().zip(&spread.channels).enumerate() {
            let roi = problem.widen_for_centre(c, ch.roi, around(ch.roi, s.roi_sd), s.contraction);
            ch.roi_interval = Some(roi);
            ch.mroi_interval = Some(around(ch.mroi, s.mroi_sd));
            // Spend is data, so the contribution's interval is the ROI's scaled by it.
            ch.contribution_interval = Some([roi[0] * ch.spend, roi[1] * ch.spend]);
            ch.roi_contraction = s.contraction;
            for (point, sd) in ch.response_curve.iter_mut().zip(&s.curve_sd) {
                point.interval = Some(around(point.response, *sd));
            }
        }
    }
    // Everything the Bayesian fit takes from its draws, from the importance sample of the
    // transforms the data allow (`importance`): the curves, the per-period and share intervals,
    // and the draws themselves, so that the optimiser maximises the expected response. The ROI
    // and marginal ROI are then replaced by the sample's exact mixtures, which carry no
    // resampling noise.
    let current: Vec<f64> = doc
        .channels
        .iter()
        .map(|c| crate::document::marginal_input(c.current_spend, c.scale))
        .collect();
    if let Some(spread) = &spread
        && let Some(posterior) = problem.posterior(&u, &spread.transform_root, &current, spec.seed)
        && let Ok(averaged) = problem.with_posterior(&doc, &posterior.kept)
    {
        doc = averaged;
        for (c, (ch, (roi, mroi))) in doc.channels.iter_mut().zip(posterior.channels).enumerate() {
            ch.mroi = mroi.mean;
            ch.mroi_interval = Some(mroi.interval);
            ch.roi = roi.mean;
            ch.roi_contraction = problem.roi_contraction(c, roi.variance);
            let interval = problem.widen_for_centre(c, roi.mean, roi.interval, ch.roi_contraction);
            ch.roi_interval = Some(interval);
            ch.contribution = roi.mean * ch.spend;
            ch.contribution_interval = Some([interval[0] * ch.spend, interval[1] * ch.spend]);
        }
        let total: f64 = doc.channels.iter().map(|c| c.contribution).sum();
        for ch in &mut doc.channels {
            ch.share = if total > 0.0 { ch.contribution / total } else { 0.0 };
        }
        // The decomposition too, from the weighted sample rather than the resampled draws, so
        // that each channel's periods add up to its contribution.
        let (per_period, baseline) = posterior.decomposition;
        for (series, mean) in doc.series.channels.iter_mut().zip(per_period) {
            series.contribution = mean;
        }
        set_baseline(&mut doc.baseline, &baseline)?;
        doc.recompose();
        // The draws carry the curves' uncertainty; the Laplace covariance would be a second,
        // cruder answer to the same question.
        doc.curve_covariance = None;
    }
    if let Some(f) = observer
        && !f(&FitProgress { fraction: 1.0, message: "done".to_owned() })
    {
        return Err(FitError::Cancelled);
    }
    Ok(doc)
}

/// Runs the MAP search; returns the problem (with its ROI prior set) and the best parameters.
/// Progress fractions are reported scaled into `[0, span]`.
fn map_problem(
    data: &Dataset,
    spec: &ModelSpec,
    observer: Option<Observer<'_>>,
    span: f64,
) -> Result<(Problem, DVector<f64>), FitError> {
    let problem = Problem::new(data, spec)?;
    let notify = |fraction: f64, message: String| -> Result<(), FitError> {
        match observer {
            Some(f) if !f(&FitProgress { fraction: fraction * span, message }) => {
                Err(FitError::Cancelled)
            }
            _ => Ok(()),
        }
    };

    let starts = problem.starts(spec.starts.max(1), spec.seed);
    let refine = 3.min(starts.len());
    let total = (starts.len() + refine) as f64;
    notify(0.0, format!("searching from {} starts", starts.len()))?;

    // Stage 1: prior-free on ROI, from every start.
    let mut explored: delayed::Optima = Vec::with_capacity(starts.len());
    for (i, u0) in starts.into_iter().enumerate() {
        if let Some(found) = problem.local_search(u0, spec.max_iters) {
            explored.push(found);
        }
        let best = explored.iter().map(|e| e.0).fold(f64::INFINITY, f64::min);
        notify((i + 1) as f64 / total, format!("start {} done, best objective {best:.4}", i + 1))?;
    }
    explored.sort_by(|a, b| a.0.total_cmp(&b.0));
    // A decay prior the caller set (an earlier study's) is a geometric adstock's: kept as asked.
    let decay_given = spec.priors.channel_transforms.values().any(|p| p.decay_mean.is_some());
    let ask_delay = spec.adstock == AdstockKind::Geometric && spec.delayed_adstock && !decay_given;
    let (problem, mut explored) = if ask_delay {
        notify(explored.len() as f64 / total, "asking whether carry-over peaks late".to_owned())?;
        delayed::ask(data, spec, problem, explored)
    } else {
        (problem, explored)
    };
    // A holiday season or recurring events the baseline could not draw went to the media of
    // their weeks, so once the baseline has their terms the best few optima are searched again,
    // still prior-free.
    let mut problem = problem;
    if flexible::ask_prior_free(&mut problem, best(&explored)?) {
        notify(explored.len() as f64 / total, "fitting the season's new terms".to_owned())?;
        let mut again: delayed::Optima = explored
            .iter()
            .take(refine)
            .filter_map(|(_, u0)| problem.local_search(u0.clone(), spec.max_iters))
            .collect();
        again.sort_by(|a, b| a.0.total_cmp(&b.0));
        if !again.is_empty() {
            explored = again;
        }
    }
    let best_u = best(&explored)?;

    // Stage 2: add the ROI prior centred on the typical channel ROI of the best stage-1 fit (and
    // whatever else needs its noise level: lift tests, the baseline prior) and refine the best
    // few solutions under it.
    if problem.calibrate(best_u, spec.priors.roi_relative_sd) {
        let mut refined: delayed::Optima = Vec::with_capacity(refine);
        for (i, (_, u0)) in explored.iter().take(refine).enumerate() {
            if let Some(found) = problem.local_search(u0.clone(), spec.max_iters) {
                refined.push(found);
            }
            let done = explored.len() + i + 1;
            notify(
                done as f64 / total,
                format!("refining solution {} of {refine} under the ROI prior", i + 1),
            )?;
        }
        refined.sort_by(|a, b| a.0.total_cmp(&b.0));
        if !refined.is_empty() {
            explored = refined;
        }
    }
    let mut u = explored.swap_remove(0).1;
    // The noise's autocorrelation was asked at the prior-free optimum, whose curves had taken
    // some of the slow noise; asked again at the refined one, it is nearer the truth (on
    // simulated AR(1) noise), and the curves follow it once more.
    if !problem.noise.is_independent()
        && let Some((_, found)) = noise::evidence(&problem, &u)
        && found != problem.noise
    {
        problem.set_noise(found);
        if let Some((_, found)) = problem.local_search(u.clone(), spec.max_iters) {
            u = found;
        }
    }
    Ok((problem, u))
}

/// The best of the optima found (sorted best first).
fn best(explored: &delayed::Optima) -> Result<&DVector<f64>, FitError> {
    explored
        .first()
        .map(|(_, u)| u)
        .ok_or_else(|| FitError::Numerical("no start reached a finite objective".to_owned()))
}

/// Sets the baseline's coefficients (see [`Baseline::set_coefficients`]).
fn set_baseline(baseline: &mut Baseline, coefficients: &[f64]) -> Result<(), FitError> {
    if baseline.set_coefficients(coefficients) {
        Ok(())
    } else {
        Err(FitError::Numerical("the baseline's coefficients do not match its terms".into()))
    }
}

fn numerical(e: ParamError) -> FitError {
    FitError::Numerical(format!("fitted parameter out of range: {e}"))
}

/// A nonlinear parameter's bounds and prior, in its working space (log space if `log`).
#[derive(Debug, Clone, Copy)]
struct ParamSpec {
    lo: f64,
    hi: f64,
    log: bool,
    prior: Prior,
}

#[derive(Debug, Clone, Copy)]
enum Prior {
    /// Normal on the working-space value.
    Normal { mean: f64, sd: f64 },
    /// Beta(a, b) on a value in (0, 1).
    Beta { a: f64, b: f64 },
}

impl ParamSpec {
    /// Working-space value, the natural value, and d(natural)/du.
    fn map(&self, u: f64) -> (f64, f64, f64) {
        let s = 1.0 / (1.0 + (-u).exp());
        let t = self.lo + (self.hi - self.lo) * s;
        let dt = (self.hi - self.lo) * s * (1.0 - s);
        if self.log {
            let v = t.exp();
            (t, v, v * dt)
        } else {
            (t, t, dt)
        }
    }

    /// `u` that maps to working-space value `t`.
    fn unmap(&self, t: f64) -> f64 {
        let s = ((t - self.lo) / (self.hi - self.lo)).clamp(1e-6, 1.0 - 1e-6);
        (s / (1.0 - s)).ln()
    }

    /// Prior penalty (negative log density, up to a constant) and its derivative with respect
    /// to the natural value.
    fn penalty(&self, t: f64, v: f64) -> (f64, f64) {
        match self.prior {
            Prior::Normal { mean, sd } => {
                let z = (t - mean) / sd;
                let d_dt = z / sd;
                (0.5 * z * z, if self.log { d_dt / v } else { d_dt })
            }
            Prior::Beta { a, b } => {
                let v = v.clamp(1e-12, 1.0 - 1e-12);
                (
                    -(a - 1.0) * v.ln() - (b - 1.0) * (1.0 - v).ln(),
                    -(a - 1.0) / v + (b - 1.0) / (1.0 - v),
                )
            }
        }
    }

    fn centre(&self) -> f64 {
        match self.prior {
            Prior::Normal { mean, .. } => mean,
            // An asymmetric prior starts at its mode, kept inside the bounds.
            Prior::Beta { a, b } if a > 1.0 && b > 1.0 && a != b => ((a - 1.0) / (a + b - 2.0))
                .clamp(self.lo + 0.05 * (self.hi - self.lo), self.hi - 0.05 * (self.hi - self.lo)),
            Prior::Beta { .. } => 0.5 * (self.lo + self.hi),
        }
    }
}

/// Strength (a + b) of a channel's decay prior when its mean is given.
const DECAY_PRIOR_CONCENTRATION: f64 = 10.0;

/// One channel's parameter specs: the defaults with that channel's prior overrides.
fn channel_param_specs(spec: &ModelSpec, name: &str) -> Vec<ParamSpec> {
    let mut out = channel_specs(spec);
    let Some(over) = spec.priors.channel_transforms.get(name) else { return out };
    let mut j = 0;
    match spec.adstock {
        AdstockKind::Geometric => {
            if let Some(m) = over.decay_mean {
                out[0].prior = Prior::Beta {
                    a: (DECAY_PRIOR_CONCENTRATION * m).max(1.05),
                    b: (DECAY_PRIOR_CONCENTRATION * (1.0 - m)).max(1.05),
                };
            }
            j += 1;
        }
        AdstockKind::Weibull => j += 2,
    }
    if spec.saturation == SaturationKind::Hill {
        if let (Some(k), Prior::Normal { sd, .. }) = (over.half_saturation, out[j].prior) {
            out[j].prior = Prior::Normal { mean: k.ln(), sd };
        }
        if let (Some(shape), Prior::Normal { sd, .. }) = (over.shape, out[j + 1].prior) {
            out[j + 1].prior = Prior::Normal { mean: shape.ln(), sd };
        }
    }
    out
}

/// Channel transform parameters in natural units, in the θ layout of one channel.
fn channel_specs(spec: &ModelSpec) -> Vec<ParamSpec> {
    let p = &spec.priors;
    let mut out = Vec::new();
    match spec.adstock {
        AdstockKind::Geometric => out.push(ParamSpec {
            lo: 0.0,
            hi: 0.9,
            log: false,
            prior: Prior::Beta { a: p.decay_beta.max(1.0), b: p.decay_beta.max(1.0) },
        }),
        AdstockKind::Weibull => {
            // Centred on the geometric adstock the decay prior centres on (shape 1, and the
            // scale of decay 0.5): the peak moves later only where the data ask.
            out.push(ParamSpec {
                lo: 0.3f64.ln(),
                hi: 6.0f64.ln(),
                log: true,
                prior: Prior::Normal { mean: 0.0, sd: 0.5 },
            });
            let lag = spec.max_lag.max(1) as f64;
            out.push(ParamSpec {
                lo: 0.3f64.ln(),
                hi: lag.ln().max(0.5),
                log: true,
                prior: Prior::Normal { mean: (-1.0 / 0.5f64.ln()).ln(), sd: 1.0 },
            });
        }
    }
    match spec.saturation {
        SaturationKind::Hill => {
            out.push(ParamSpec {
                lo: 0.05f64.ln(),
                hi: 20.0f64.ln(),
                log: true,
                prior: Prior::Normal { mean: 0.0, sd: p.log_half_saturation_sd.max(1e-3) },
            });
            out.push(ParamSpec {
                lo: 0.5f64.ln(),
                hi: 5.0f64.ln(),
                log: true,
                prior: Prior::Normal {
                    mean: p.shape_median.max(0.5).ln(),
                    sd: p.log_shape_sd.max(1e-3),
                },
            });
        }
        SaturationKind::Logistic => out.push(ParamSpec {
            lo: 0.05f64.ln(),
            hi: 20.0f64.ln(),
            log: true,
            prior: Prior::Normal { mean: 0.0, sd: 1.0 },
        }),
    }
    out
}

/// ROI prior of one channel, in scaled units: penalty `w (β k − m)²`.
#[derive(Debug, Clone, Copy)]
struct RoiPrior {
    centre: f64,
    weight: f64,
}

/// Ridge per period on the intercept and on each media coefficient (scaled units): only keeps
/// the linear step well posed when a feature is nearly constant or nearly zero.
const INTERCEPT_RIDGE: f64 = 1e-12;
const MEDIA_RIDGE: f64 = 1e-9;

/// The fitting problem in scaled units (KPI / `y_scale`, spend / channel scale).
#[derive(Clone)]
struct Problem {
    n_fit: usize,
    /// The KPI over the fitting window in units of `y_scale`, whitened (`noise`).
    y: DVector<f64>,
    /// The same, as observed.
    y_raw: DVector<f64>,
    y_scale: f64,
    /// Baseline design over every period, column-major (period × term).
    base_full: DMatrix<f64>,
    /// The baseline design over the fitting window, whitened: the linear step's.
    base_w: DMatrix<f64>,
    /// The noise's model, independent until the data ask otherwise (`noise`).
    noise: noise::Noise,
    btb: DMatrix<f64>,
    bty: DVector<f64>,
    /// Ridge weight of each baseline coefficient (0 for the intercept).
    ridge: DVector<f64>,
    /// The trend's knots, whose hinges are the baseline's columns 2, 3, ... (`flexible`).
    knots: Vec<f64>,
    /// Yearly harmonics added to the specification's (`flexible`), after its own.
    extra_harmonics: usize,
    /// Recurring events whose 0/1 columns follow the seasonal ones (`flexible`).
    events: Vec<crate::events::Rule>,
    /// The first date of every period (holdout included).
    dates: Vec<chrono::NaiveDate>,
    /// Scaled model input per channel (its spend, or its media units in spend-equivalent units:
    /// [`crate::dataset::Channel::model_input`]): `history` periods of media history, then
    /// every period.
    spend: Vec<Vec<f64>>,
    /// Media-history periods at the start of each `spend` (at most `max_lag`: older spend
    /// cannot carry over into the data).
    history: usize,
    /// Each channel's spend over the fitting window, in units of its scale.
    spend_sum: Vec<f64>,
    /// Each channel's spend over every period, in units of its scale.
    spend_total: Vec<f64>,
    scales: Vec<f64>,
    spec: ModelSpec,
    /// The parameter layout of every channel (default priors).
    params: Vec<ParamSpec>,
    /// Each channel's parameters with its own priors.
    channel_params: Vec<Vec<ParamSpec>>,
    control_stats: Vec<(f64, f64)>,
    roi_prior: Option<Vec<RoiPrior>>,
    /// Variance of the pooled ROI prior's centre, when the fit estimated it from the data (the
    /// typical channel ROI, real units): what the plug-in centre leaves out of the intervals.
    centre_variance: Option<f64>,
    /// Noise sd estimate of the MAP fit (scaled units), once known.
    sigma0: Option<f64>,
    /// Channel names.
    names: Vec<String>,
    /// Lift tests as (channel, first period, last period, value, standard error), scaled.
    lifts: Vec<(usize, usize, usize, f64, f64)>,
    /// The data's frequency, whose last quarter a channel's current spend is the mean of.
    frequency: Frequency,
    cache: RefCell<Option<CachedEvaluation>>,
}

/// The last point argmin asked about, with its objective and gradient: argmin asks for the cost
/// and the gradient at the same point separately, and one evaluation yields both.
type CachedEvaluation = (DVector<f64>, f64, DVector<f64>);

/// Media features over the fitting window: per channel the feature, its derivative per
/// parameter (`[channel][parameter][period]`), and the matrix (period × channel).
type WindowFeatures = (Vec<Vec<f64>>, Vec<Vec<Vec<f64>>>, DMatrix<f64>);

/// Per channel, per parameter values (`[channel][parameter]`).
type PerChannel = Vec<Vec<f64>>;

/// The result of evaluating θ.
struct Evaluation {
    objective: f64,
    gradient: DVector<f64>,
    /// Coefficients: baseline terms then channels.
    beta: DVector<f64>,
    rss: f64,
    /// Natural-unit θ per channel.
    theta: Vec<Vec<f64>>,
    /// The normal-equation matrix of the linear step (ridge and ROI prior included).
    normal: DMatrix<f64>,
    /// Per channel, mean feature per unit of scaled spend: ROI in scaled units is `β k`.
    kc: Vec<f64>,
    /// Residual sum of squares plus the prior penalties on β (and the noise prior's scale).
    loss: f64,
}

impl Problem {
    fn new(data: &Dataset, spec: &ModelSpec) -> Result<Self, FitError> {
        let n = data.len();
        if spec.max_lag > crate::params::MAX_LAG_LIMIT {
            return Err(FitError::InvalidSpec(format!(
                "max_lag must be at most {}",
                crate::params::MAX_LAG_LIMIT
            )));
        }
        if spec.trend_knots > crate::spec::MAX_TREND_KNOTS {
            return Err(FitError::InvalidSpec(format!(
                "trend_knots must be at most {}, not {}",
                crate::spec::MAX_TREND_KNOTS,
                spec.trend_knots
            )));
        }
        if spec.max_yearly_harmonics > crate::spec::MAX_YEARLY_HARMONICS {
            return Err(FitError::InvalidSpec(format!(
                "max_yearly_harmonics must be at most {}, not {}",
                crate::spec::MAX_YEARLY_HARMONICS,
                spec.max_yearly_harmonics
            )));
        }
        if spec.holdout >= n {
            return Err(FitError::InvalidSpec(format!(
                "holdout {} leaves no periods to fit ({n} in the data)",
                spec.holdout
            )));
        }
        let history_len = data.history_len();
        let consistent = data.kpi.len() == n
            && data.channels.iter().all(|c| {
                c.spend.len() == n
                    && c.history.len() == history_len
                    && c.media
                        .as_ref()
                        .is_none_or(|m| m.values.len() == n && m.history.len() == history_len)
            })
            && data.controls.iter().all(|c| c.values.len() == n);
        if !consistent {
            return Err(FitError::InvalidSpec("data series have different lengths".to_owned()));
        }
        let finite = data
            .kpi
            .iter()
            .chain(data.controls.iter().flat_map(|c| &c.values))
            .all(|v| v.is_finite())
            && data
                .channels
                .iter()
                .flat_map(|c| {
                    let units = c.media.iter().flat_map(|m| m.values.iter().chain(&m.history));
                    c.spend.iter().chain(&c.history).chain(units)
                })
                .all(|v| v.is_finite() && *v >= 0.0);
        if !finite {
            return Err(FitError::InvalidSpec(
                "data must be finite, with non-negative spend and media units (load it with \
                 load_csv)"
                    .to_owned(),
            ));
        }
        // What each channel's transforms apply to: its spend, or its media units in
        // spend-equivalent units at their average price over the fitting window (the holdout
        // must not move the fit).
        let n_fit = n - spec.holdout;
        let inputs = data
            .channels
            .iter()
            .map(|c| {
                c.model_input(n_fit).ok_or_else(|| {
                    FitError::InvalidSpec(format!(
                        "channel '{}' cannot be fitted on its media units: they or its spend are \
                         all zero in the fitting window",
                        c.name
                    ))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        check_named_events(data, spec, n_fit)?;
        let needed =
            spec.parameter_count(data.frequency, data.channels.len(), data.controls.len()) + 1;
        if n_fit < needed {
            return Err(FitError::NotEnoughRows { rows: n_fit, needed });
        }
        if data.channels.is_empty() {
            return Err(FitError::InvalidSpec("the data set has no media channels".to_owned()));
        }
        for (name, p) in &spec.priors.channel_transforms {
            if !data.channels.iter().any(|c| &c.name == name) {
                return Err(FitError::InvalidSpec(format!(
                    "transform priors for unknown channel '{name}'"
                )));
            }
            let positive = |v: Option<f64>| v.is_none_or(|x| x > 0.0 && x.is_finite());
            if !(p.decay_mean.is_none_or(|m| (0.0..0.9).contains(&m) && m > 0.0)
                && positive(p.half_saturation)
                && positive(p.shape))
            {
                return Err(FitError::InvalidSpec(format!(
                    "transform priors for '{name}': decay_mean must be in (0, 0.9), half_saturation and shape positive"
                )));
            }
        }
        for (name, p) in &spec.priors.channel_roi {
            if !data.channels.iter().any(|c| &c.name == name) {
                return Err(FitError::InvalidSpec(format!(
                    "ROI prior for unknown channel '{name}'"
                )));
            }
            if !(p.median > 0.0
                && p.median.is_finite()
                && p.relative_sd > 0.0
                && p.relative_sd.is_finite())
            {
                return Err(FitError::InvalidSpec(format!(
                    "ROI prior for '{name}': median and relative_sd must be positive"
                )));
            }
        }

        let y_fit = &data.kpi[..n_fit];
        let mean_abs = y_fit.iter().map(|v| v.abs()).sum::<f64>() / n_fit as f64;
        let y_scale = if mean_abs > 0.0 { mean_abs } else { 1.0 };
        let y = DVector::from_iterator(n_fit, y_fit.iter().map(|v| v / y_scale));

        let cycles = baseline::cycles(data.frequency, spec.yearly_harmonics, spec.weekly_harmonics);
        let controls: Vec<&[f64]> = data.controls.iter().map(|c| c.values.as_slice()).collect();
        let (cols, control_stats) = baseline::design_columns(n, n_fit, &cycles, &controls);
        let base_full = DMatrix::from_fn(n, cols.len(), |t, j| cols[j][t]);
        let base_w = base_full.rows(0, n_fit).into_owned();
        let btb = base_w.transpose() * &base_w;
        let bty = base_w.transpose() * &y;

        let mut lifts = Vec::with_capacity(spec.lift_tests.len());
        for lift in &spec.lift_tests {
            let bad = |why: &str| {
                FitError::InvalidSpec(format!("lift test on '{}': {why}", lift.channel))
            };
            let c = data
                .channels
                .iter()
                .position(|ch| ch.name == lift.channel)
                .ok_or_else(|| bad("unknown channel"))?;
            // The period a date names (for monthly data, any day of the month names it).
            let period = |date: chrono::NaiveDate| {
                let first = *data.dates.first()?;
                let t = usize::try_from(data.frequency.periods_between(first, date)?).ok()?;
                (t < data.dates.len()).then_some(t)
            };
            let t0 = period(lift.start).ok_or_else(|| bad("start is not a period of the data"))?;
            let t1 = period(lift.end).ok_or_else(|| bad("end is not a period of the data"))?;
            if t1 < t0 || t1 >= n_fit {
                return Err(bad("end must not precede start and must lie in the fitting window"));
            }
            if !(lift.incremental.is_finite()
                && lift.standard_error.is_finite()
                && lift.standard_error > 0.0)
            {
                return Err(bad("incremental must be finite and standard_error positive"));
            }
            // Without spend in the window or the adstock window before it, the model gives the
            // channel no effect there to compare with the measurement.
            let input = &inputs[c];
            let carried =
                &input.history[history_len.saturating_sub(spec.max_lag - t0.min(spec.max_lag))..];
            let exposed = &input.periods[t0.saturating_sub(spec.max_lag)..=t1];
            if exposed.iter().chain(carried).all(|v| *v == 0.0) {
                return Err(bad(
                    "the channel has no spend in the test window or the periods carried over into it",
                ));
            }
            lifts.push((c, t0, t1, lift.incremental / y_scale, lift.standard_error / y_scale));
        }

        let history = history_len.min(spec.max_lag);
        let mut spend = Vec::with_capacity(data.channels.len());
        let mut spend_sum = Vec::with_capacity(data.channels.len());
        let mut spend_total = Vec::with_capacity(data.channels.len());
        let mut scales = Vec::with_capacity(data.channels.len());
        for (ch, input) in data.channels.iter().zip(&inputs) {
            let fit_part = &input.periods[..n_fit];
            let nonzero: Vec<f64> = fit_part.iter().copied().filter(|v| *v > 0.0).collect();
            if nonzero.is_empty() {
                let what = if ch.media.is_some() { "media units" } else { "spend" };
                return Err(FitError::InvalidSpec(format!(
                    "channel '{}' has no {what} in the fitting window",
                    ch.name
                )));
            }
            let scale = nonzero.iter().sum::<f64>() / nonzero.len() as f64;
            // The ROI's denominator is the spend, whatever the transforms apply to.
            spend_sum.push(ch.spend[..n_fit].iter().map(|v| v / scale).sum());
            spend_total.push(ch.spend.iter().map(|v| v / scale).sum());
            let carried = &input.history[history_len - history..];
            spend.push(carried.iter().chain(input.periods.iter()).map(|v| v / scale).collect());
            scales.push(scale);
        }

        Ok(Self {
            n_fit,
            y_raw: y.clone(),
            y,
            y_scale,
            base_full,
            base_w,
            // The noise is independent until `calibrate` has asked the data.
            noise: noise::Noise::INDEPENDENT,
            btb,
            bty,
            ridge: {
                let mut r = DVector::from_element(cols.len(), 1e-6 * n_fit as f64);
                r[0] = 0.0;
                r
            },
            // The trend stays straight and the season smooth until `calibrate` has asked the data.
            knots: Vec::new(),
            extra_harmonics: 0,
            events: Vec::new(),
            dates: data.dates.clone(),
            spend,
            history,
            spend_sum,
            spend_total,
            scales,
            spec: spec.clone(),
            params: channel_specs(spec),
            channel_params: data
                .channels
                .iter()
                .map(|c| channel_param_specs(spec, &c.name))
                .collect(),
            control_stats,
            roi_prior: None,
            centre_variance: None,
            sigma0: None,
            names: data.channels.iter().map(|c| c.name.clone()).collect(),
            lifts,
            frequency: data.frequency,
            cache: RefCell::new(None),
        })
    }

    fn channels(&self) -> usize {
        self.spend.len()
    }

    /// Periods in the data, holdout included.
    fn periods(&self) -> usize {
        self.spend.first().map_or(0, |s| s.len() - self.history)
    }

    fn dim(&self) -> usize {
        self.channels() * self.params.len()
    }

    /// Start points: the prior centres, then seeded random draws inside the bounds.
    fn starts(&self, count: usize, seed: u64) -> Vec<DVector<f64>> {
        let k = self.params.len();
        let mut rng = StdRng::seed_from_u64(seed);
        let mut out = Vec::with_capacity(count);
        out.push(DVector::from_fn(self.dim(), |i, _| {
            let p = &self.channel_params[i / k][i % k];
            p.unmap(p.centre())
        }));
        while out.len() < count {
            out.push(DVector::from_fn(self.dim(), |_, _| rng.random_range(-2.2..2.2)));
        }
        out
    }

    /// Runs L-BFGS from `u0`; returns the objective and the parameters it reached.
    fn local_search(&self, u0: DVector<f64>, max_iters: u64) -> Option<(f64, DVector<f64>)> {
        let line_search = MoreThuenteLineSearch::new();
        let solver = LBFGS::new(line_search, 7)
            .with_tolerance_grad(1e-7)
            .ok()?
            .with_tolerance_cost(1e-10)
            .ok()?;
        let start_cost = self.cost(&u0).ok()?;
        let result = Executor::new(self, solver)
            .configure(|s| s.param(u0.clone()).max_iters(max_iters))
            .run();
        match result {
            Ok(res) => {
                let state = res.state();
                let best = state.get_best_param().cloned().unwrap_or(u0);
                let cost = state.get_best_cost();
                cost.is_finite().then_some((cost, best))
            }
            // A failed line search still leaves the start itself as a valid point.
            Err(_) => start_cost.is_finite().then_some((start_cost, u0)),
        }
    }

    /// Sets what needs the noise level of a first fit at `u`: σ₀, the baseline prior, the ROI
    /// priors (the pooled one with spread `tau`, and each channel's own), the weight of the lift
    /// tests, and whether the season and the trend need more terms (`flexible`). Returns whether
    /// the objective changed, so the search must be refined.
    fn calibrate(&mut self, u: &DVector<f64>, tau: Option<f64>) -> bool {
        let eval = &self.evaluate(u, false);
        let nb = self.btb.nrows();
        let features = self.features(&eval.theta);
        // Pooled ROI in real units: total media contribution over total spend.
        let (mut contribution, mut spend) = (0.0, 0.0);
        for c in 0..self.channels() {
            let f_sum: f64 = features[c][..self.n_fit].iter().sum();
            contribution += eval.beta[nb + c] * f_sum * self.y_scale;
            spend += self.spend_sum[c] * self.scales[c];
        }
        let Some(sigma2) = self.noise_variance_of(eval) else { return false };
        let spend_weighted = contribution / spend;
        let estimated = match self.spec.priors.roi_median {
            Some(_) => None,
            None => tau.and_then(|t| self.typical_roi(eval, &features, sigma2, t, spend_weighted)),
        };
        self.centre_variance = estimated.map(|(_, variance)| variance);
        let pooled = self
            .spec
            .priors
            .roi_median
            .unwrap_or_else(|| estimated.map_or(spend_weighted, |(centre, _)| centre));
        *self.cache.borrow_mut() = None;
        self.sigma0 = Some(sigma2.sqrt());
        let mut changed = !self.lifts.is_empty();
        // Baseline prior, scaled by the noise like the ROI prior (conjugate form).
        if let Some(sd) = self.spec.priors.baseline_sd.filter(|v| *v > 0.0 && v.is_finite()) {
            for j in 1..self.ridge.len() {
                self.ridge[j] = self.ridge[j].max(sigma2 / (sd * sd));
            }
            changed = true;
        }
        // With no media signal at all a pooled prior centred on zero would only shrink to zero.
        let tau = tau.filter(|t| *t > 0.0 && t.is_finite() && pooled > 0.0 && pooled.is_finite());
        let priors = self.roi_priors(pooled, tau, sigma2);
        if priors.iter().any(|p| p.weight > 0.0) {
            self.roi_prior = Some(priors);
            changed = true;
        }
        changed |= flexible::ask_the_data(self, u, sigma2);
        // Slow noise reweighs the periods, and events take lifts the media had: the typical
        // channel's ROI is estimated again with them.
        if let Some(tau) = tau.filter(|_| {
            estimated.is_some() && (!self.noise.is_independent() || !self.events.is_empty())
        }) {
            self.recentre(u, tau, pooled, sigma2);
        }
        changed
    }

    /// Each channel's ROI prior: its own if the specification gives one, else the pooled prior
    /// centred on `pooled` (real units) with relative spread `tau`, none without it; weights
    /// relative to the noise variance `sigma2` (conjugate form).
    fn roi_priors(&self, pooled: f64, tau: Option<f64>, sigma2: f64) -> Vec<RoiPrior> {
        (0..self.channels())
            .map(|c| {
                let (median, spread) = match self.spec.priors.channel_roi.get(&self.names[c]) {
                    Some(p) if p.median > 0.0 && p.relative_sd > 0.0 => (p.median, p.relative_sd),
                    _ => match tau {
                        Some(tau) => (pooled, tau),
                        None => return RoiPrior { centre: 0.0, weight: 0.0 },
                    },
                };
                let centre = median * self.scales[c] / self.y_scale;
                RoiPrior { centre, weight: sigma2 / (spread * centre).powi(2) }
            })
            .collect()
    }

    /// Estimates the pooled ROI prior's centre again once the noise was found autocorrelated:
    /// the first estimate weighed each channel's prior-free ROI by a sampling variance that
    /// took the noise as independent, which misjudges both the ROIs of slow-moving channels
    /// and how sure they are. At the curve shapes `u`, on the whitened data, without the ROI
    /// prior (and without the lift tests in the linear step, which the centre counts itself),
    /// from `start`; `sigma2` is the independent noise's variance the priors were set with.
    fn recentre(&mut self, u: &DVector<f64>, tau: f64, start: f64, sigma2: f64) {
        let Some(priors) = self.roi_prior.take() else { return };
        let sigma0 = self.sigma0.take();
        let eval = self.evaluate(u, false);
        self.sigma0 = sigma0;
        let features = self.features(&eval.theta);
        let dof = (self.n_fit as f64 - eval.beta.len() as f64 - self.dim() as f64).max(1.0);
        let innovations = eval.rss / dof;
        self.roi_prior = Some(match self.typical_roi(&eval, &features, innovations, tau, start) {
            Some((centre, variance)) if innovations > 0.0 && innovations.is_finite() => {
                self.centre_variance = Some(variance);
                self.roi_priors(centre, Some(tau), sigma2 * self.noise.innovation_share)
            }
            _ => priors,
        });
        *self.cache.borrow_mut() = None;
    }

    /// Inserts baseline columns `cols` (period × term, over every period) at column `at`, each
    /// coefficient with ridge `weight`.
    fn insert_baseline_columns(&mut self, at: usize, cols: &DMatrix<f64>, weight: f64) {
        let (n, k) = cols.shape();
        let mut base = self.base_full.clone().insert_columns(at, k, 0.0);
        base.view_mut((0, at), (n, k)).copy_from(cols);
        self.base_full = base;
        self.ridge = self.ridge.clone().insert_rows(at, k, weight);
        self.whiten_design();
    }

    /// The noise variance (scaled units) of the fit at curve shapes `u`: the residual sum of
    /// squares over the residuals' degrees of freedom. `None` unless positive and finite.
    fn noise_variance(&self, u: &DVector<f64>) -> Option<f64> {
        self.noise_variance_of(&self.evaluate(u, false))
    }

    /// [`Problem::noise_variance`] of an evaluation.
    fn noise_variance_of(&self, eval: &Evaluation) -> Option<f64> {
        let dof = (self.n_fit as f64 - eval.beta.len() as f64 - self.dim() as f64).max(1.0);
        let sigma2 = eval.rss / dof;
        (sigma2 > 0.0 && sigma2.is_finite()).then_some(sigma2)
    }

    /// The residuals over the fitting window at curve shapes `u`, as observed (not whitened),
    /// in units of `y_scale`.
    fn residuals(&self, u: &DVector<f64>) -> Vec<f64> {
        let eval = self.evaluate(u, false);
        let nb = self.btb.nrows();
        let features = self.features(&eval.theta);
        (0..self.n_fit)
            .map(|t| {
                let base: f64 = (0..nb).map(|j| self.base_full[(t, j)] * eval.beta[j]).sum();
                let media: f64 =
                    features.iter().enumerate().map(|(c, f)| f[t] * eval.beta[nb + c]).sum();
                self.y_raw[t] - base - media
            })
            .collect()
    }

    /// Lets the noise be autocorrelated (`noise`): whitens the data and the baseline design,
    /// and rescales every prior set relative to the noise variance by the change of the
    /// innovations' variance (for AR(1) noise `(1 − ρ²) / (1 − ρ₀²)`), so that each keeps its
    /// absolute spread.
    fn set_noise(&mut self, noise: noise::Noise) {
        let factor = noise.innovation_share / self.noise.innovation_share;
        self.noise = noise;
        self.ridge *= factor;
        if let Some(priors) = &mut self.roi_prior {
            priors.iter_mut().for_each(|p| p.weight *= factor);
        }
        self.sigma0 = self.sigma0.map(|s| s * factor.sqrt());
        let mut y = self.y_raw.clone();
        self.noise.whiten(y.as_mut_slice());
        self.y = y;
        self.whiten_design();
    }

    /// Rebuilds the whitened baseline design and its normal-equation blocks.
    fn whiten_design(&mut self) {
        self.base_w = noise::whitened_rows(&self.noise, &self.base_full, self.n_fit);
        self.btb = self.base_w.transpose() * &self.base_w;
        self.bty = self.base_w.transpose() * &self.y;
        *self.cache.borrow_mut() = None;
    }

    /// The marginal standard deviation of the noise whose innovations have standard deviation
    /// `innovation_sd`.
    fn marginal_sd(&self, innovation_sd: f64) -> f64 {
        innovation_sd / self.noise.innovation_share.sqrt()
    }

    /// Channel `c`'s ROI interval around `mean`, widened by the uncertainty of the pooled prior's
    /// centre when the fit estimated it: given the centre, the posterior mean moves with it by
    /// `1 − κ` (κ the ROI contraction), so integrating the centre out (flat prior, Gaussian
    /// approximation) adds `(1 − κ)² Var(m̂)` to the ROI's variance and leaves its mean as it is.
    /// Unchanged for a channel with its own ROI prior, or when the centre was given.
    fn widen_for_centre(
        &self,
        c: usize,
        mean: f64,
        interval: crate::document::Interval,
        contraction: Option<f64>,
    ) -> crate::document::Interval {
        match (self.centre_variance, contraction) {
            (Some(variance), Some(kappa))
                if !self.spec.priors.channel_roi.contains_key(&self.names[c]) =>
            {
                widen(mean, interval, (1.0 - kappa).powi(2) * variance)
            }
            _ => interval,
        }
    }

    /// The typical channel ROI of the prior-free fit `eval` (see [`centre`]), from each channel's
    /// ROI and its sampling variance given the transforms, `σ₀² k_c² [A⁻¹]_cc` in real units.
    /// A channel's lift tests join its estimate: each one alone gives `β_c` as the measured
    /// contribution over the feature summed over the test window (`features`, per channel and
    /// period at `eval`), with the test's standard error, and independent estimates combine by
    /// their precisions.
    fn typical_roi(
        &self,
        eval: &Evaluation,
        features: &[Vec<f64>],
        sigma2: f64,
        tau: f64,
        start: f64,
    ) -> Option<(f64, f64)> {
        let nb = self.btb.nrows();
        let inverse = eval.normal.clone().cholesky()?.inverse();
        let estimates: Vec<(f64, f64)> = (0..self.channels())
            .map(|c| {
                let to_real = eval.kc[c] * self.y_scale / self.scales[c];
                let mut precision = 1.0 / (sigma2 * inverse[(nb + c, nb + c)] * to_real * to_real);
                let mut weighted = precision * eval.beta[nb + c] * to_real;
                for &(_, t0, t1, value, se) in self.lifts.iter().filter(|l| l.0 == c) {
                    let window: f64 = features[c][t0..=t1].iter().sum();
                    let p = (window / (se * to_real)).powi(2);
                    precision += p;
                    weighted += p * value / window * to_real;
                }
                (weighted / precision, 1.0 / precision)
            })
            .collect();
        centre::typical_roi(&estimates, tau, start)
    }

    /// The lift tests that take part: all of them once σ₀ is known (after the first search),
    /// none before.
    fn active_lifts(&self) -> &[(usize, usize, usize, f64, f64)] {
        if self.sigma0.is_some() { &self.lifts } else { &[] }
    }

    /// Inverse-gamma shape and scale of the noise prior in scaled units ((0, 0) for 1/σ²).
    /// Degrees of freedom of the noise's posterior once the linear coefficients are integrated
    /// out: the observations (lift tests included) and twice the noise prior's shape, less one
    /// for each coefficient with a flat prior (integrating it out of the likelihood takes a
    /// power of σ with it). Flat are the intercept, the other baseline coefficients unless a
    /// baseline prior is set, and the media coefficients without an ROI prior: their
    /// stabilising ridges are negligible, and counted as priors that scale with σ² they would
    /// pull σ down by as many powers. The ROI and baseline priors do scale with σ² (conjugate),
    /// so their coefficients take none.
    fn noise_dof(&self) -> f64 {
        let nb = self.btb.nrows();
        let flat = nb - self.proper_baseline_priors()
            + if self.roi_prior.is_some() { 0 } else { self.channels() };
        (self.n_fit + self.active_lifts().len()).saturating_sub(flat) as f64
            + 2.0 * self.noise_prior().0
    }

    /// How many baseline coefficients carry a conjugate prior: every one but the intercept
    /// with a baseline prior, else the terms `flexible` added.
    fn proper_baseline_priors(&self) -> usize {
        let proper_baseline = self.sigma0.is_some()
            && self.spec.priors.baseline_sd.is_some_and(|v| v > 0.0 && v.is_finite());
        if proper_baseline {
            self.btb.nrows() - 1
        } else {
            self.knots.len() + 2 * self.extra_harmonics
        }
    }

    fn noise_prior(&self) -> (f64, f64) {
        match self.spec.priors.noise {
            Some(p)
                if p.sd > 0.0 && p.strength > 0.0 && p.sd.is_finite() && p.strength.is_finite() =>
            {
                // Its scale is the marginal noise's; the whitened data's is the innovations'.
                (0.5 * p.strength, 0.5 * p.strength * p.sd * p.sd * self.noise.innovation_share)
            }
            _ => (0.0, 0.0),
        }
    }

    /// Working-space θ, natural θ and d(natural)/du, per channel.
    fn theta(&self, u: &DVector<f64>) -> (PerChannel, PerChannel, PerChannel) {
        let k = self.params.len();
        let mut work = vec![Vec::with_capacity(k); self.channels()];
        let mut natural = vec![Vec::with_capacity(k); self.channels()];
        let mut jac = vec![Vec::with_capacity(k); self.channels()];
        for c in 0..self.channels() {
            for (j, p) in self.channel_params[c].iter().enumerate() {
                let (t, v, dv) = p.map(u[c * k + j]);
                work[c].push(t);
                natural[c].push(v);
                jac[c].push(dv);
            }
        }
        (work, natural, jac)
    }

    /// Adstock weights and their derivatives with respect to the adstock parameters.
    fn adstock_weights(&self, theta: &[f64]) -> (Vec<f64>, Vec<Vec<f64>>) {
        let lag = self.spec.max_lag;
        match self.spec.adstock {
            AdstockKind::Geometric => {
                let (w, dw) = geometric_weights_with_grad(theta[0], lag);
                (w, vec![dw])
            }
            AdstockKind::Weibull => {
                // Central differences on the L+1 weights only: cheap and accurate to ~1e-9.
                let w = weibull_weights(theta[0], theta[1], lag);
                let grads = (0..2)
                    .map(|j| {
                        let h = 1e-6 * theta[j].abs().max(1e-3);
                        let mut up = [theta[0], theta[1]];
                        let mut dn = up;
                        up[j] += h;
                        dn[j] -= h;
                        let wu = weibull_weights(up[0], up[1], lag);
                        let wd = weibull_weights(dn[0], dn[1], lag);
                        wu.iter().zip(&wd).map(|(a, b)| (a - b) / (2.0 * h)).collect()
                    })
                    .collect();
                (w, grads)
            }
        }
    }

    fn adstock_len(&self) -> usize {
        match self.spec.adstock {
            AdstockKind::Geometric => 1,
            AdstockKind::Weibull => 2,
        }
    }

    /// Media features over every period for natural θ.
    fn features(&self, theta: &[Vec<f64>]) -> Vec<Vec<f64>> {
        (0..self.channels())
            .map(|c| {
                let (f, _) = self.channel_feature(c, &theta[c], self.periods(), false);
                f
            })
            .collect()
    }

    /// One channel's feature over the first `n` periods and, if asked, its derivatives with
    /// respect to each of the channel's parameters. Media history carries over into them.
    fn channel_feature(
        &self,
        c: usize,
        theta: &[f64],
        n: usize,
        grad: bool,
    ) -> (Vec<f64>, Vec<Vec<f64>>) {
        let na = self.adstock_len();
        let (w, dw) = self.adstock_weights(&theta[..na]);
        let h = self.history;
        let x = &self.spend[c][..h + n];
        let mut a = vec![0.0; h + n];
        convolve(&w, x, &mut a);
        // The history periods are not part of the feature.
        let a = &a[h..];
        let sat = &theta[na..];
        let mut f = vec![0.0; n];
        if !grad {
            for (fi, ai) in f.iter_mut().zip(a) {
                *fi = self.saturate(*ai, sat);
            }
            return (f, Vec::new());
        }
        let mut da: Vec<Vec<f64>> = Vec::with_capacity(na);
        for dwj in &dw {
            let mut out = vec![0.0; h + n];
            convolve(dwj, x, &mut out);
            da.push(out);
        }
        let mut df = vec![vec![0.0; n]; self.params.len()];
        for t in 0..n {
            let at = a[t];
            let (value, d_da, d_sat) = match self.spec.saturation {
                SaturationKind::Hill => {
                    let (k, s) = (sat[0], sat[1]);
                    let h = hill(at, k, s);
                    if at > 0.0 {
                        let g = h * (1.0 - h);
                        (h, s / at * g, [-s / k * g, g * (at / k).ln()])
                    } else {
                        (0.0, 0.0, [0.0, 0.0])
                    }
                }
                SaturationKind::Logistic => {
                    let mu = sat[0];
                    let h = logistic(at, mu);
                    let g = 0.5 * (1.0 - h * h);
                    (h, mu * g, [at.max(0.0) * g, 0.0])
                }
            };
            f[t] = value;
            for j in 0..na {
                df[j][t] = d_da * da[j][h + t];
            }
            for j in 0..self.params.len() - na {
                df[na + j][t] = d_sat[j];
            }
        }
        (f, df)
    }

    fn saturate(&self, a: f64, sat: &[f64]) -> f64 {
        match self.spec.saturation {
            SaturationKind::Hill => hill(a, sat[0], sat[1]),
            SaturationKind::Logistic => logistic(a, sat[0]),
        }
    }

    /// Media features over the fitting window, with derivatives if asked.
    fn window_features(&self, theta: &[Vec<f64>], grad: bool) -> WindowFeatures {
        let n = self.n_fit;
        let nc = self.channels();
        let (feats, dfeats): (Vec<_>, Vec<_>) =
            (0..nc).map(|c| self.channel_feature(c, &theta[c], n, grad)).unzip();
        let mut fmat = DMatrix::from_fn(n, nc, |t, c| feats[c][t]);
        noise::whiten_columns(&self.noise, &mut fmat);
        (feats, dfeats, fmat)
    }

    /// `XᵀX` and `Xᵀy` of the fitting window, the baseline columns then the media features
    /// `fmat`, without priors. The baseline's own block is fixed, so only the media columns are
    /// multiplied.
    fn normal_equations(&self, fmat: &DMatrix<f64>) -> (DMatrix<f64>, DVector<f64>) {
        let nb = self.btb.nrows();
        let nc = fmat.ncols();
        let base = &self.base_w;
        let p = nb + nc;
        let mut a = DMatrix::zeros(p, p);
        a.view_mut((0, 0), (nb, nb)).copy_from(&self.btb);
        let btf = base.transpose() * fmat;
        a.view_mut((0, nb), (nb, nc)).copy_from(&btf);
        a.view_mut((nb, 0), (nc, nb)).copy_from(&btf.transpose());
        a.view_mut((nb, nb), (nc, nc)).copy_from(&(fmat.transpose() * fmat));
        let mut b = DVector::zeros(p);
        b.rows_mut(0, nb).copy_from(&self.bty);
        b.rows_mut(nb, nc).copy_from(&(fmat.transpose() * &self.y));
        (a, b)
    }

    /// Objective, gradient and optimal β at `u`.
    fn evaluate(&self, u: &DVector<f64>, want_grad: bool) -> Evaluation {
        let n = self.n_fit;
        let nc = self.channels();
        let nb = self.btb.nrows();
        let k = self.params.len();
        let (work, theta, jac) = self.theta(u);

        let (feats, dfeats, fmat) = self.window_features(&theta, want_grad);
        let base = &self.base_w;

        // Normal equations with the ridge and ROI prior folded in.
        let p = nb + nc;
        let (mut a, mut b) = self.normal_equations(&fmat);
        for j in 0..nb {
            a[(j, j)] += self.ridge[j];
        }
        a[(0, 0)] += INTERCEPT_RIDGE * n as f64;
        let f_sums: Vec<f64> = feats.iter().map(|f| f.iter().sum()).collect();
        let kc: Vec<f64> = (0..nc).map(|c| f_sums[c] / self.spend_sum[c]).collect();
        for c in 0..nc {
            a[(nb + c, nb + c)] += MEDIA_RIDGE * n as f64;
            if let Some(prior) = &self.roi_prior {
                let RoiPrior { centre, weight } = prior[c];
                a[(nb + c, nb + c)] += weight * kc[c] * kc[c];
                b[nb + c] += weight * kc[c] * centre;
            }
        }
        // Lift tests: extra observations of β_c · Σ_{t in test} f_ct whose noise is their
        // standard error, so each weighs σ₀² / se² against a period of data.
        let lifts = self.active_lifts();
        let lift_sums: Vec<f64> =
            lifts.iter().map(|&(c, t0, t1, _, _)| feats[c][t0..=t1].iter().sum()).collect();
        let lift_weight = |se: f64| self.sigma0.map_or(0.0, |s0| (s0 / se).powi(2));
        for (&(c, _, _, value, se), v) in lifts.iter().zip(&lift_sums) {
            a[(nb + c, nb + c)] += lift_weight(se) * v * v;
            b[nb + c] += lift_weight(se) * v * value;
        }
        let nonneg: Vec<bool> = (0..p).map(|j| j >= nb).collect();
        let Some(beta) = solve_nonneg_qp(&a, &b, &nonneg) else {
            return Evaluation {
                objective: f64::INFINITY,
                gradient: DVector::zeros(u.len()),
                beta: DVector::zeros(p),
                rss: f64::INFINITY,
                theta,
                normal: a,
                kc,
                loss: f64::INFINITY,
            };
        };

        let resid = &self.y - base * beta.rows(0, nb) - &fmat * beta.rows(nb, nc);
        let rss = resid.norm_squared();
        // The residuals move along a channel's raw feature derivative `df` as `W df` does.
        let resid_t = noise::transposed_head(&self.noise, &resid, n);
        // Every term the linear step minimised, the stabilising ridges included: the gradient
        // below relies on β being the exact minimiser of this loss (envelope theorem).
        let mut pen: f64 = (0..nb).map(|j| self.ridge[j] * beta[j] * beta[j]).sum::<f64>()
            + n as f64
                * (INTERCEPT_RIDGE * beta[0] * beta[0]
                    + MEDIA_RIDGE * (nb..p).map(|j| beta[j] * beta[j]).sum::<f64>());
        let mut roi_dev = vec![0.0; nc];
        if let Some(prior) = &self.roi_prior {
            for c in 0..nc {
                roi_dev[c] = beta[nb + c] * kc[c] - prior[c].centre;
                pen += prior[c].weight * roi_dev[c] * roi_dev[c];
            }
        }
        let lift_dev: Vec<f64> = lifts
            .iter()
            .zip(&lift_sums)
            .map(|(&(c, _, _, value, _), v)| beta[nb + c] * v - value)
            .collect();
        for (&(_, _, _, _, se), d) in lifts.iter().zip(&lift_dev) {
            pen += lift_weight(se) * d * d;
        }
        let (a0, b0) = self.noise_prior();
        let loss = (rss + pen + 2.0 * b0).max(1e-300);
        let exponent = 0.5 * ((n + lifts.len()) as f64 + 2.0 * a0);
        let mut objective = exponent * loss.ln();
        let mut gradient = DVector::zeros(u.len());
        for c in 0..nc {
            for j in 0..k {
                let spec = &self.channel_params[c][j];
                let (q, dq) = spec.penalty(work[c][j], theta[c][j]);
                objective += q;
                if want_grad {
                    // Envelope theorem: d loss/dθ at the optimal β.
                    let df = &dfeats[c][j];
                    let bc = beta[nb + c];
                    let mut dloss = 0.0;
                    if bc != 0.0 {
                        let r_df: f64 = resid_t.iter().zip(df).map(|(r, d)| r * d).sum();
                        dloss -= 2.0 * bc * r_df;
                        if let Some(prior) = &self.roi_prior {
                            let dk = df.iter().sum::<f64>() / self.spend_sum[c];
                            dloss += 2.0 * prior[c].weight * roi_dev[c] * bc * dk;
                        }
                        for (&(lc, t0, t1, _, se), d) in lifts.iter().zip(&lift_dev) {
                            if lc == c {
                                let dv: f64 = df[t0..=t1].iter().sum();
                                dloss += 2.0 * lift_weight(se) * d * bc * dv;
                            }
                        }
                    }
                    let dj = exponent * dloss / loss + dq;
                    gradient[c * k + j] = dj * jac[c][j];
                }
            }
        }
        if !objective.is_finite() {
            objective = f64::INFINITY;
        }
        Evaluation { objective, gradient, beta, rss, theta, normal: a, kc, loss }
    }

    fn cached(&self, u: &DVector<f64>) -> (f64, DVector<f64>) {
        if let Some((cu, cost, grad)) = self.cache.borrow().as_ref()
            && cu == u
        {
            return (*cost, grad.clone());
        }
        let e = self.evaluate(u, true);
        *self.cache.borrow_mut() = Some((u.clone(), e.objective, e.gradient.clone()));
        (e.objective, e.gradient)
    }

    /// Builds the model document at the chosen parameters.
    fn document(
        &self,
        data: &Dataset,
        spec: &ModelSpec,
        u: &DVector<f64>,
    ) -> Result<ModelDocument, FitError> {
        let eval = self.evaluate(u, false);
        let n = data.len();
        let nb = self.btb.nrows();
        let ys = self.y_scale;
        let features = self.features(&eval.theta);

        // The baseline's coefficients, and each channel's contribution per period in KPI units
        // over every period (holdout included); `recompose` below adds them up.
        let yearly = spec.yearly_harmonics + self.extra_harmonics;
        let cycles = baseline::cycles(data.frequency, yearly, spec.weekly_harmonics);
        let mut baseline = Baseline {
            intercept: 0.0,
            trend: 0.0,
            trend_periods: self.n_fit,
            trend_knots: self.knots.clone(),
            trend_bends: vec![0.0; self.knots.len()],
            seasonality: cycles
                .iter()
                .map(|&(period, harmonics)| Seasonality {
                    period,
                    sin: vec![0.0; harmonics],
                    cos: vec![0.0; harmonics],
                })
                .collect(),
            controls: data
                .controls
                .iter()
                .zip(&self.control_stats)
                .map(|(c, (mean, sd))| ControlEffect {
                    name: c.name.clone(),
                    coefficient: 0.0,
                    mean: *mean,
                    sd: *sd,
                })
                .collect(),
            events: data.dates.first().filter(|_| !self.events.is_empty()).map(|&first| Events {
                first_period: first,
                period_days: crate::events::Calendar::of(self.frequency).map_or(7, |c| c.days),
                dates: self.events.iter().map(|rule| EventDate::new(*rule, 0.0)).collect(),
            }),
            time_effect: Vec::new(),
            organic: Vec::new(),
        };
        let coefficients: Vec<f64> = (0..nb).map(|j| eval.beta[j] * ys).collect();
        set_baseline(&mut baseline, &coefficients)?;
        let contributions: Vec<Vec<f64>> = (0..self.channels())
            .map(|c| features[c].iter().map(|f| f * eval.beta[nb + c] * ys).collect())
            .collect();
        let sigma = self.marginal_sd(
            (eval.rss / (self.n_fit as f64 - (nb + self.channels() + self.dim()) as f64).max(1.0))
                .sqrt(),
        ) * ys;

        let total_media: f64 = contributions.iter().flatten().sum();
        let na = self.adstock_len();
        let channels = data
            .channels
            .iter()
            .enumerate()
            .map(|(c, ch)| -> Result<ChannelResult, FitError> {
                let th = &eval.theta[c];
                let contribution: f64 = contributions[c].iter().sum();
                let spend: f64 = ch.spend.iter().sum();
                let current_spend = recent_mean(&ch.spend, data.frequency).unwrap_or(0.0);
                let max_spend = ch.spend.iter().copied().fold(0.0, f64::max);
                let mut result = ChannelResult {
                    name: ch.name.clone(),
                    column: ch.column.clone(),
                    spend,
                    contribution,
                    roi: if spend > 0.0 { contribution / spend } else { 0.0 },
                    mroi: 0.0,
                    share: if total_media > 0.0 { contribution / total_media } else { 0.0 },
                    current_spend,
                    adstock: self.adstock_of(&th[..na]).map_err(numerical)?,
                    saturation: self.saturation_of(&th[na..]).map_err(numerical)?,
                    transform_order: TransformOrder::AdstockFirst,
                    coefficient: eval.beta[nb + c] * ys,
                    scale: self.scales[c],
                    saturation_point: 0.0,
                    response_curve: Vec::new(),
                    roi_interval: None,
                    mroi_interval: None,
                    contribution_interval: None,
                    share_interval: None,
                    roi_contraction: None,
                    posterior_parameters: Vec::new(),
                };
                result.mroi = result.marginal_roi(current_spend);
                result.saturation_point =
                    result.scale * result.saturation.inverse(SATURATION_LEVEL);
                result.response_curve = result.curve(CURVE_POINTS, CURVE_MAX_MULTIPLE * max_spend);
                Ok(result)
            })
            .collect::<Result<Vec<_>, _>>()?;

        let series = Series {
            dates: data.dates.clone(),
            actual: data.kpi.clone(),
            fitted: Vec::new(),
            trend: Vec::new(),
            seasonality: Vec::new(),
            controls: Vec::new(),
            channels: data
                .channels
                .iter()
                .zip(contributions)
                .map(|(ch, contribution)| {
                    let (before, input) = match (ch.model_input(self.n_fit), &ch.media) {
                        (Some(input), Some(_)) => {
                            (input.history.into_owned(), Some(input.periods.into_owned()))
                        }
                        _ => (ch.history.clone(), None),
                    };
                    ChannelSeries {
                        name: ch.name.clone(),
                        spend: ch.spend.clone(),
                        history: before[before.len() - self.history..].to_vec(),
                        contribution,
                        contribution_interval: None,
                        input_per_media: input.as_ref().and(ch.input_per_media(self.n_fit)),
                        units_column: input
                            .as_ref()
                            .and(ch.media.as_ref())
                            .map(|m| m.column.clone()),
                        input,
                    }
                })
                .collect(),
            control_values: data
                .controls
                .iter()
                .map(|c| ControlSeries { name: c.name.clone(), values: c.values.clone() })
                .collect(),
        };

        let mut doc = ModelDocument {
            format_version: format_version_for(&channels, &baseline),
            method: Method::Map,
            engine: format!("mmm {}", env!("CARGO_PKG_VERSION")),
            kpi: data.kpi_name.clone(),
            frequency: data.frequency,
            start: data.dates[0],
            end: data.dates[n - 1],
            periods: n,
            seed: spec.seed,
            fit: FitMetrics {
                r2: 0.0,
                mape: 0.0,
                nrmse: 0.0,
                sigma,
                noise_autocorrelation: (!self.noise.is_independent()).then_some(self.noise.rho),
                noise_autocorrelated_share: (!self.noise.is_independent() && self.noise.slow < 1.0)
                    .then_some(self.noise.slow),
                holdout: None,
            },
            channels,
            baseline,
            // The adstock the fit chose (`delayed`), which may not be the one asked for.
            spec: ModelSpec { adstock: self.spec.adstock, ..spec.clone() },
            series,
            diagnostics: None,
            sampler: None,
            posterior: None,
            curve_covariance: None,
            origin: None,
        };
        doc.recompose();
        Ok(doc)
    }

    fn adstock_of(&self, th: &[f64]) -> Result<Adstock, ParamError> {
        let max_lag = MaxLag::new(self.spec.max_lag)?;
        Ok(match self.spec.adstock {
            AdstockKind::Geometric => Adstock::Geometric { decay: DecayRate::new(th[0])?, max_lag },
            AdstockKind::Weibull => Adstock::Weibull {
                shape: WeibullShape::new(th[0])?,
                scale: WeibullScale::new(th[1])?,
                max_lag,
            },
        })
    }

    fn saturation_of(&self, th: &[f64]) -> Result<Saturation, ParamError> {
        Ok(match self.spec.saturation {
            SaturationKind::Hill => Saturation::Hill {
                half_saturation: HalfSaturation::new(th[0])?,
                shape: HillShape::new(th[1])?,
            },
            SaturationKind::Logistic => Saturation::Logistic { rate: LogisticRate::new(th[0])? },
        })
    }
}

impl CostFunction for &Problem {
    type Param = DVector<f64>;
    type Output = f64;

    fn cost(&self, u: &DVector<f64>) -> Result<f64, ArgminError> {
        Ok(self.cached(u).0)
    }
}

impl Gradient for &Problem {
    type Param = DVector<f64>;
    type Gradient = DVector<f64>;

    fn gradient(&self, u: &DVector<f64>) -> Result<DVector<f64>, ArgminError> {
        Ok(self.cached(u).1)
    }
}

mod bayes;
mod centre;
mod delayed;
mod flexible;
mod importance;
mod laplace;
pub(crate) mod noise;
pub use bayes::{BayesSettings, fit_bayes};

#[cfg(test)]
mod tests;
