//! The Bayesian fit: NUTS (nuts-rs) on the transform parameters, with the linear coefficients and
//! the noise integrated out exactly.
//!
//! Given the adstock and saturation parameters θ, the model is a linear regression: the media
//! coefficients get the conjugate ROI prior of the MAP fit, `β_m | σ², θ ~ N(β₀, σ² D⁻¹)`, the
//! baseline's a flat one (a negligible ridge keeps `A` invertible), and `p(σ²) ∝ 1/σ²`.
//! Integrating β and σ² out gives the marginal posterior of θ in closed form:
//!
//! `log p(θ | y) = log p(θ) + ½ log|D_m| − ½ log|A| − (n − n_flat)/2 · log S + const`,
//!
//! with `A = XᵀX + D`, `S = min_β ‖y − Xβ‖² + (β − β₀)ᵀD(β − β₀)` and `n_flat` the coefficients
//! with a flat prior (each takes a power of σ with it when integrated out; see `noise_dof`). NUTS samples θ (in the
//! unconstrained coordinates of the MAP search, with the log-Jacobian) using the exact gradient;
//! each kept draw then gets σ² from its inverse-gamma conditional and β from its normal
//! conditional, so every reported figure has a full posterior.

use super::*;
use crate::document::{Diagnostics, PosteriorDraw};
use crate::summary::{ess, split_rhat, summarise};
use nuts_rs::{
    Chain, CpuLogpFunc, CpuMath, CpuMathError, DiagNutsSettings, HasDims, LogpError, Settings,
};
use rand_distr::{ChiSquared, Distribution, StandardNormal};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Sampler settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BayesSettings {
    /// Chains, run in parallel threads.
    pub chains: usize,
    /// Kept draws per chain.
    pub draws: usize,
    /// Warm-up (tuning) draws per chain.
    pub tune: usize,
    /// Draws kept in the model document (thinned evenly over all chains).
    pub keep: usize,
}

impl Default for BayesSettings {
    fn default() -> Self {
        Self { chains: 4, draws: 1000, tune: 1000, keep: 200 }
    }
}

/// The marginal posterior and its pieces at one θ.
pub(super) struct Marginal {
    pub(super) logp: f64,
    /// Empty unless asked for.
    pub(super) gradient: Vec<f64>,
    pub(super) beta_hat: DVector<f64>,
    pub(super) chol: nalgebra::Cholesky<f64, nalgebra::Dyn>,
    pub(super) s: f64,
    /// Per channel, its feature over the fitting window.
    pub(super) features: Vec<Vec<f64>>,
}

impl Problem {
    /// Prior precision diagonal and prior mean of the linear coefficients at θ.
    fn linear_prior(&self, kc: &[f64]) -> (DVector<f64>, DVector<f64>) {
        let nb = self.btb.nrows();
        let nc = self.channels();
        let n = self.n_fit as f64;
        let mut d = DVector::zeros(nb + nc);
        let mut mean = DVector::zeros(nb + nc);
        for j in 0..nb {
            d[j] = self.ridge[j];
        }
        for c in 0..nc {
            d[nb + c] = 1e-9 * n;
            if let Some(prior) = &self.roi_prior {
                d[nb + c] += prior[c].weight * kc[c] * kc[c];
                mean[nb + c] = prior[c].weight * kc[c] * prior[c].centre / d[nb + c];
            }
        }
        (d, mean)
    }

    /// Log marginal posterior of the unconstrained θ, with its exact gradient.
    pub(super) fn marginal(&self, u: &DVector<f64>) -> Option<Marginal> {
        self.marginal_at(u, true)
    }

    /// Log marginal posterior of the unconstrained θ; its gradient (else empty) if `want_gradient`.
    pub(super) fn marginal_at(&self, u: &DVector<f64>, want_gradient: bool) -> Option<Marginal> {
        let n = self.n_fit;
        let nc = self.channels();
        let nb = self.btb.nrows();
        let k = self.params.len();
        let (work, theta, jac) = self.theta(u);
        let (feats, dfeats, fmat) = self.window_features(&theta, want_gradient);
        let base = &self.base_w;
        // Lift tests are extra observations of β_c · Σ_{t in test} f_ct, weighted by σ₀ / se so
        // that their noise is their standard error: each is a row with one entry, in its
        // channel's column.
        let lifts = self.active_lifts();
        let sigma0 = self.sigma0.unwrap_or(1.0);
        let rows = n + lifts.len();
        let lift_x: Vec<f64> = lifts
            .iter()
            .map(|&(c, t0, t1, _, se)| sigma0 / se * feats[c][t0..=t1].iter().sum::<f64>())
            .collect();
        let lift_y: Vec<f64> =
            lifts.iter().map(|&(_, _, _, value, se)| sigma0 / se * value).collect();
        let kc: Vec<f64> =
            (0..nc).map(|c| feats[c].iter().sum::<f64>() / self.spend_sum[c]).collect();
        let (d, mean) = self.linear_prior(&kc);
        let p = nb + nc;
        let (mut a, mut rhs) = self.normal_equations(&fmat);
        for (&(c, ..), (x, y)) in lifts.iter().zip(lift_x.iter().zip(&lift_y)) {
            a[(nb + c, nb + c)] += x * x;
            rhs[nb + c] += x * y;
        }
        for j in 0..p {
            a[(j, j)] += d[j];
        }
        rhs += d.component_mul(&mean);
        let chol = a.cholesky()?;
        let beta_hat = chol.solve(&rhs);
        // Residuals: the data's, then the lift tests'.
        let fitted = base * beta_hat.rows(0, nb) + &fmat * beta_hat.rows(nb, nc);
        let mut resid = DVector::zeros(rows);
        resid.rows_mut(0, n).copy_from(&(&self.y - fitted));
        for (i, &(c, ..)) in lifts.iter().enumerate() {
            resid[n + i] = lift_y[i] - lift_x[i] * beta_hat[nb + c];
        }
        let dev = &beta_hat - &mean;
        let s = resid.norm_squared() + dev.component_mul(&d).dot(&dev);
        let resid_t = super::noise::transposed_head(&self.noise, &resid, n);
        if !(s > 0.0 && s.is_finite()) {
            return None;
        }
        let log_det_a: f64 = 2.0 * chol.l().diagonal().iter().map(|v| v.ln()).sum::<f64>();
        let log_det_d: f64 = (0..nc).map(|c| d[nb + c].ln()).sum();
        // The gradient needs `tr(A⁻¹ dA)`; with `dA = XᵀdX + dXᵀX + dD` and `dX` one media column
        // `df`, its first part is `2 (X A⁻¹)_{·c} · df`: one vector per channel.
        let (a_inv, x_a_inv) = if want_gradient {
            let a_inv = chol.inverse();
            let mut x_a_inv = DMatrix::zeros(rows, nc);
            let media_rows = a_inv.rows(nb, nc);
            x_a_inv.rows_mut(0, n).copy_from(
                &(base * a_inv.view((0, nb), (nb, nc)) + &fmat * media_rows.columns(nb, nc)),
            );
            for (i, &(c, ..)) in lifts.iter().enumerate() {
                for c2 in 0..nc {
                    x_a_inv[(n + i, c2)] = lift_x[i] * a_inv[(nb + c, nb + c2)];
                }
            }
            // A raw feature derivative `df` moves the whitened design by `W df`.
            for mut column in x_a_inv.column_iter_mut() {
                self.noise.whiten_transpose(&mut column.as_mut_slice()[..n]);
            }
            (a_inv, x_a_inv)
        } else {
            (DMatrix::zeros(0, 0), DMatrix::zeros(0, 0))
        };

        let (_, b0) = self.noise_prior();
        let s = s + 2.0 * b0;
        let exponent = 0.5 * self.noise_dof();
        let mut logp = 0.5 * log_det_d - 0.5 * log_det_a - exponent * s.ln();
        let mut gradient = vec![0.0; if want_gradient { u.len() } else { 0 }];
        for c in 0..nc {
            let col = nb + c;
            let bc = beta_hat[col];
            for j in 0..k {
                let spec = &self.channel_params[c][j];
                let (q, dq) = spec.penalty(work[c][j], theta[c][j]);
                let idx = c * k + j;
                let sgm = 1.0 / (1.0 + (-u[idx]).exp());
                logp += -q + (spec.hi - spec.lo).ln() + log_sigmoid_slope(u[idx]);
                if !want_gradient {
                    continue;
                }
                let mut df = dfeats[c][j].clone();
                for &(lc, t0, t1, _, se) in lifts {
                    df.push(if lc == c {
                        sigma0 / se * dfeats[c][j][t0..=t1].iter().sum::<f64>()
                    } else {
                        0.0
                    });
                }
                let df = &df;
                let dk = df[..n].iter().sum::<f64>() / self.spend_sum[c];
                // d S / dθ at the optimal β (envelope theorem).
                let r_df: f64 = resid_t.iter().zip(df).map(|(r, v)| r * v).sum();
                let mut ds = -2.0 * bc * r_df;
                // d D_cc / dθ and d mean_c / dθ through k_c.
                // The prior term D_cc (β_c − μ_c)² depends on θ through k_c: D_cc = r + w k²,
                // μ_c = w k m / D_cc (derivative at fixed β, by the envelope theorem).
                let (dd, dmean_term) = match &self.roi_prior {
                    Some(prior) => {
                        let (w, m) = (prior[c].weight, prior[c].centre);
                        let dcc = d[col];
                        let dd = 2.0 * w * kc[c] * dk;
                        let dmu = w * m * (dcc - 2.0 * w * kc[c] * kc[c]) / (dcc * dcc) * dk;
                        let gap = bc - mean[col];
                        (dd, dd * gap * gap - 2.0 * dcc * gap * dmu)
                    }
                    None => (0.0, 0.0),
                };
                ds += dmean_term;
                let xa_df: f64 = x_a_inv.column(c).iter().zip(df).map(|(w, v)| w * v).sum();
                let dlog_det_a = 2.0 * xa_df + a_inv[(col, col)] * dd;
                let dlog_det_d = dd / d[col];
                let dv = 0.5 * dlog_det_d - 0.5 * dlog_det_a - exponent * ds / s;
                gradient[idx] = (dv - dq) * jac[c][j] + (1.0 - 2.0 * sgm);
            }
        }
        logp.is_finite().then_some(Marginal { logp, gradient, beta_hat, chol, s, features: feats })
    }
}

/// `ln(σ(u) (1 − σ(u)))`, the log slope of the logistic map from `u` to a bounded parameter,
/// as `−|u| − 2 ln(1 + e^{−|u|})`: the product itself underflows to 0 once `|u|` passes about
/// 37, where a search may leave a parameter that runs to its bound (a Hill shape of 5), and
/// the posterior there would read as impossible.
fn log_sigmoid_slope(u: f64) -> f64 {
    -u.abs() - 2.0 * (-u.abs()).exp().ln_1p()
}

#[derive(Debug, thiserror::Error)]
#[error("the posterior is not finite here")]
struct OutOfSupport;

impl LogpError for OutOfSupport {
    fn is_recoverable(&self) -> bool {
        true
    }
}

struct Density {
    problem: Problem,
}

impl HasDims for Density {
    fn dim_sizes(&self) -> HashMap<String, u64> {
        [("unconstrained_parameter".to_owned(), self.problem.dim() as u64)].into_iter().collect()
    }
}

impl CpuLogpFunc for Density {
    type LogpError = OutOfSupport;
    type ExpandedVector = Vec<f64>;
    type FlowParameters = ();

    fn dim(&self) -> usize {
        self.problem.dim()
    }

    fn logp(&mut self, position: &[f64], gradient: &mut [f64]) -> Result<f64, OutOfSupport> {
        let u = DVector::from_column_slice(position);
        let m = self.problem.marginal(&u).ok_or(OutOfSupport)?;
        gradient.copy_from_slice(&m.gradient);
        Ok(m.logp)
    }

    fn expand_vector<R: rand::Rng + ?Sized>(
        &mut self,
        _rng: &mut R,
        array: &[f64],
    ) -> Result<Vec<f64>, CpuMathError> {
        Ok(array.to_vec())
    }
}

/// One chain's output.
struct ChainRun {
    draws: Vec<Vec<f64>>,
    logp: Vec<f64>,
    divergences: usize,
}

/// Fits the model with NUTS. The MAP fit runs first: it sets the priors' data-based scales and
/// gives every chain a good starting point.
pub fn fit_bayes(
    data: &Dataset,
    spec: &ModelSpec,
    settings: &BayesSettings,
    observer: Option<Observer<'_>>,
) -> Result<ModelDocument, FitError> {
    if settings.chains == 0 || settings.draws < 4 || settings.keep == 0 {
        return Err(FitError::InvalidSpec(
            "need at least 1 chain, 4 draws and 1 kept draw".to_owned(),
        ));
    }
    let (mut problem, u_map) = map_problem(data, spec, observer, 0.2)?;
    if problem.sigma0.is_none() {
        problem.calibrate(&u_map, spec.priors.roi_relative_sd);
    }
    let total = settings.chains * (settings.tune + settings.draws);
    let done = AtomicUsize::new(0);
    let cancelled = AtomicBool::new(false);
    let tick = |chain_steps: usize| -> bool {
        let so_far = done.fetch_add(chain_steps, Ordering::Relaxed) + chain_steps;
        if cancelled.load(Ordering::Relaxed) {
            return false;
        }
        if let Some(f) = observer {
            let progress = FitProgress {
                fraction: 0.2 + 0.75 * so_far as f64 / total as f64,
                message: format!("sampling: {so_far} of {total} draws"),
            };
            if !f(&progress) {
                cancelled.store(true, Ordering::Relaxed);
                return false;
            }
        }
        true
    };

    let runs: Vec<Result<ChainRun, FitError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..settings.chains)
            .map(|chain| {
                let density = Density { problem: problem.clone() };
                let local = problem.clone();
                let start = u_map.clone();
                let tick = &tick;
                scope.spawn(move || -> Result<ChainRun, FitError> {
                    let mut rng = StdRng::seed_from_u64(
                        spec.seed.wrapping_mul(1_000_003).wrapping_add(chain as u64),
                    );
                    let mut nuts = DiagNutsSettings {
                        num_tune: settings.tune as u64,
                        num_draws: settings.draws as u64,
                        ..DiagNutsSettings::default()
                    };
                    nuts.maxdepth = 8;
                    let mut sampler = nuts
                        .new_chain(chain as u64, CpuMath::new(density), &mut rng)
                        .map_err(|e| FitError::Numerical(format!("starting chain {chain}: {e}")))?;
                    let jitter: Vec<f64> = start
                        .iter()
                        .map(|v| {
                            let z: f64 = StandardNormal.sample(&mut rng);
                            v + 0.05 * z
                        })
                        .collect();
                    sampler
                        .set_position(&jitter)
                        .or_else(|_| sampler.set_position(start.as_slice()))
                        .map_err(|e| {
                            FitError::Numerical(format!("chain {chain} cannot start: {e}"))
                        })?;
                    let mut run = ChainRun {
                        draws: Vec::with_capacity(settings.draws),
                        logp: Vec::new(),
                        divergences: 0,
                    };
                    let mut since_tick = 0;
                    for i in 0..settings.tune + settings.draws {
                        let (draw, info) = sampler
                            .draw()
                            .map_err(|e| FitError::Numerical(format!("chain {chain}: {e}")))?;
                        if i >= settings.tune {
                            if info.diverging {
                                run.divergences += 1;
                            }
                            let u = DVector::from_column_slice(&draw);
                            run.logp.push(local.marginal(&u).map_or(f64::NAN, |m| m.logp));
                            run.draws.push(draw.to_vec());
                        }
                        since_tick += 1;
                        if since_tick == 50 {
                            if !tick(since_tick) {
                                return Err(FitError::Cancelled);
                            }
                            since_tick = 0;
                        }
                    }
                    tick(since_tick);
                    Ok(run)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(FitError::Numerical("a chain stopped unexpectedly".to_owned()))
                })
            })
            .collect()
    });
    let runs: Vec<ChainRun> = runs.into_iter().collect::<Result<_, _>>()?;

    // Diagnostics on every coordinate and on the log density.
    let dim = problem.dim();
    let mut rhat_max: f64 = 1.0;
    let mut ess_min = f64::INFINITY;
    for j in 0..=dim {
        let per_chain: Vec<Vec<f64>> = runs
            .iter()
            .map(|r| if j < dim { r.draws.iter().map(|d| d[j]).collect() } else { r.logp.clone() })
            .collect();
        let rh = split_rhat(&per_chain);
        if rh.is_finite() {
            rhat_max = rhat_max.max(rh);
        }
        ess_min = ess_min.min(ess(&per_chain));
    }
    let diagnostics = Diagnostics {
        rhat_max,
        ess_bulk_min: ess_min,
        divergences: runs.iter().map(|r| r.divergences).sum(),
        chains: settings.chains,
        draws: settings.draws,
        warnings: Vec::new(),
    };

    // Thin evenly over all draws, then draw σ² and β for each kept θ.
    let all: Vec<&Vec<f64>> = runs.iter().flat_map(|r| r.draws.iter()).collect();
    let keep = settings.keep.min(all.len());
    let mut rng = StdRng::seed_from_u64(spec.seed ^ 0x5eed);
    let chi =
        ChiSquared::new(problem.noise_dof()).map_err(|e| FitError::Numerical(e.to_string()))?;
    let mut kept: Vec<(DVector<f64>, DVector<f64>, f64)> = Vec::with_capacity(keep);
    for i in 0..keep {
        let u = DVector::from_column_slice(all[i * all.len() / keep]);
        let Some(m) = problem.marginal(&u) else { continue };
        let (beta, sigma) = problem.draw_linear(&m, &chi, &mut rng);
        kept.push((u, beta, sigma));
    }
    if kept.is_empty() {
        return Err(FitError::Numerical("no posterior draw could be evaluated".to_owned()));
    }
    if let Some(f) = observer
        && !f(&FitProgress { fraction: 0.97, message: "summarising the posterior".to_owned() })
    {
        return Err(FitError::Cancelled);
    }
    let mut doc = problem.with_posterior(&problem.document(data, spec, &u_map)?, &kept)?;
    doc.method = Method::Bayes;
    let mut diagnostics = diagnostics;
    if diagnostics.rhat_max > 1.01 {
        diagnostics.warnings.push(format!(
            "R-hat {:.3} is above 1.01: the chains disagree; sample longer",
            diagnostics.rhat_max
        ));
    }
    if diagnostics.divergences > 0 {
        diagnostics.warnings.push(format!(
            "{} divergent transitions: the posterior may be biased",
            diagnostics.divergences
        ));
    }
    doc.diagnostics = Some(diagnostics);
    doc.sampler = Some(*settings);
    if let Some(f) = observer {
        f(&FitProgress { fraction: 1.0, message: "done".to_owned() });
    }
    Ok(doc)
}

impl Problem {
    /// Draws σ and β from their conditional posterior given θ (`m`, the marginal at θ): σ² from
    /// its inverse-gamma (`chi`: χ² with the marginal's degrees of freedom), then β = β̂ + σ L⁻ᵀ ξ,
    /// which has covariance σ² A⁻¹, redrawn while a media coefficient is negative (at most 20
    /// times, then clamped at 0).
    pub(super) fn draw_linear(
        &self,
        m: &Marginal,
        chi: &ChiSquared<f64>,
        rng: &mut StdRng,
    ) -> (DVector<f64>, f64) {
        let sigma2 = m.s / chi.sample(rng);
        let nb = self.btb.nrows();
        let mut beta = m.beta_hat.clone();
        for _ in 0..20 {
            let xi = DVector::from_fn(beta.len(), |_, _| StandardNormal.sample(rng));
            let z = m
                .chol
                .l()
                .transpose()
                .solve_upper_triangular(&xi)
                .unwrap_or_else(|| DVector::zeros(beta.len()));
            beta = &m.beta_hat + z * sigma2.sqrt();
            if beta.rows(nb, beta.len() - nb).iter().all(|v| *v >= 0.0) {
                break;
            }
        }
        for j in nb..beta.len() {
            beta[j] = beta[j].max(0.0);
        }
        (beta, sigma2.sqrt())
    }

    /// One kept draw `(u, β, σ)` as stored in the document, in KPI units.
    pub(super) fn posterior_draw(
        &self,
        u: &DVector<f64>,
        beta: &DVector<f64>,
        sigma: f64,
    ) -> Result<PosteriorDraw, FitError> {
        let nb = self.btb.nrows();
        let na = self.adstock_len();
        let (_, theta, _) = self.theta(u);
        let channels = (0..self.channels())
            .map(|c| {
                Ok(crate::document::DrawChannel {
                    coefficient: beta[nb + c] * self.y_scale,
                    adstock: self.adstock_of(&theta[c][..na]).map_err(numerical)?,
                    saturation: self.saturation_of(&theta[c][na..]).map_err(numerical)?,
                })
            })
            .collect::<Result<Vec<_>, FitError>>()?;
        Ok(PosteriorDraw { sigma: self.marginal_sd(sigma) * self.y_scale, channels })
    }

    /// `doc` with the point figures replaced by posterior means over the kept draws `(u, β, σ)`,
    /// 90% intervals added and the draws stored.
    pub(super) fn with_posterior(
        &self,
        doc: &ModelDocument,
        kept: &[(DVector<f64>, DVector<f64>, f64)],
    ) -> Result<ModelDocument, FitError> {
        let mut doc = doc.clone();
        let nb = self.btb.nrows();
        let nc = self.channels();
        let ys = self.y_scale;
        let mut roi = vec![Vec::new(); nc];
        let mut mroi = vec![Vec::new(); nc];
        let mut contribution = vec![Vec::new(); nc];
        let mut share = vec![Vec::new(); nc];
        let mut draws = Vec::with_capacity(kept.len());
        let periods = doc.periods;
        // per_period[c][t]: that period's contribution in every draw.
        let mut per_period = vec![vec![Vec::with_capacity(kept.len()); periods]; nc];
        // A MAP fit's resampled draws repeat their θ in runs: their features are computed once.
        let mut features: (Option<&DVector<f64>>, Vec<Vec<f64>>) = (None, Vec::new());
        for (u, beta, sigma) in kept {
            if features.0 != Some(u) {
                features = (Some(u), self.features(&self.theta(u).1));
            }
            let features = &features.1;
            for c in 0..nc {
                for t in 0..periods {
                    per_period[c][t].push(features[c][t] * beta[nb + c] * ys);
                }
            }
            let contribs: Vec<f64> =
                (0..nc).map(|c| features[c].iter().sum::<f64>() * beta[nb + c] * ys).collect();
            let total: f64 = contribs.iter().sum();
            let draw = self.posterior_draw(u, beta, *sigma)?;
            for (c, d) in draw.channels.iter().enumerate() {
                let spend = doc.channels[c].spend;
                let current = doc.channels[c].current_spend;
                let scale = self.scales[c];
                roi[c].push(if spend > 0.0 { contribs[c] / spend } else { 0.0 });
                let z = crate::document::marginal_input(current, scale);
                mroi[c].push(d.coefficient * d.saturation.slope(z) / scale);
                contribution[c].push(contribs[c]);
                share[c].push(if total > 0.0 { contribs[c] / total } else { 0.0 });
            }
            draws.push(draw);
        }
        for (c, ch) in doc.channels.iter_mut().enumerate() {
            let (m, i) = summarise(&roi[c]);
            let variance =
                roi[c].iter().map(|r| (r - m).powi(2)).sum::<f64>() / roi[c].len().max(2) as f64;
            ch.roi = m;
            ch.roi_contraction = self.roi_contraction(c, variance);
            let roi_interval = self.widen_for_centre(c, m, i, ch.roi_contraction);
            ch.roi_interval = Some(roi_interval);
            let (m, i) = summarise(&mroi[c]);
            ch.mroi = m;
            ch.mroi_interval = Some(i);
            let (m, i) = summarise(&contribution[c]);
            ch.contribution = m;
            // The contribution is the ROI times the spend in every draw, and so is its interval.
            ch.contribution_interval = Some(if ch.spend > 0.0 {
                [roi_interval[0] * ch.spend, roi_interval[1] * ch.spend]
            } else {
                i
            });
            let (m, i) = summarise(&share[c]);
            ch.share = m;
            ch.share_interval = Some(i);
        }
        // The decomposition is the posterior mean of each part per period, so each channel's
        // adds up to its contribution. The baseline is linear in its coefficients: its parts'
        // means are those of the mean coefficients.
        for (c, series) in doc.series.channels.iter_mut().enumerate() {
            let summaries: Vec<_> = per_period[c].iter().map(|v| summarise(v)).collect();
            series.contribution = summaries.iter().map(|s| s.0).collect();
            series.contribution_interval = Some(summaries.iter().map(|s| s.1).collect());
        }
        let baseline_mean: Vec<f64> = (0..nb)
            .map(|j| kept.iter().map(|(_, beta, _)| beta[j]).sum::<f64>() * ys / kept.len() as f64)
            .collect();
        super::set_baseline(&mut doc.baseline, &baseline_mean)?;
        doc.recompose();
        // Response curves: posterior mean and 90% band at each stored spend.
        for (c, ch) in doc.channels.iter_mut().enumerate() {
            ch.apply_posterior_curve(&draws, c);
            ch.apply_posterior_saturation_point(&draws, c);
            ch.apply_posterior_parameters(&draws, c);
        }
        doc.posterior = Some(draws);
        Ok(doc)
    }
}
