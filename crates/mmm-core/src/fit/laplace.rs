//! Approximate uncertainty of a MAP fit: a Laplace approximation around the optimum.
//!
//! Given the transform parameters `u`, the linear coefficients are Gaussian with covariance
//! `σ² A⁻¹` (`A` the normal-equation matrix with its ridge and ROI prior, `σ²` the profiled noise
//! variance). The transform parameters themselves get a Gaussian with the inverse Hessian of the
//! MAP objective as covariance, and their uncertainty reaches each channel's ROI through the
//! derivative of the profiled ROI (the linear step re-solved at every `u`). The two parts add:
//!
//! `Var(ROI_c) ≈ k_c² σ² [A⁻¹]_cc + g_cᵀ H⁻¹ g_c`,
//!
//! and the same for the marginal ROI at current spend, with `k_c` replaced by the slope of the
//! channel's curve there, and for each point of the response curve, with `k_c` replaced by the
//! saturation at that spend (the steady-state response is `β_c · sat_c(x / scale_c)`).
//!
//! This is fast (two objective gradients per transform parameter) but approximate: it assumes
//! the posterior is close to Gaussian around the mode, which fails most for channels near zero
//! or transforms near their bounds. The Bayesian fit gives exact intervals. For the ROI itself
//! the fit goes further: the transform covariance found here shapes an importance sample of the
//! posterior (`importance`), whose mean and interval replace the ROI's figures from this step.

use super::{Evaluation, Problem};
use crate::document::recent_mean;
use nalgebra::{DMatrix, DVector, SymmetricEigen};

/// A channel's approximate posterior standard deviations and ROI contraction.
#[derive(Debug, Clone)]
pub(super) struct ChannelSpread {
    /// Posterior standard deviation of the ROI, in KPI per unit of spend.
    pub roi_sd: f64,
    /// Posterior standard deviation of the marginal ROI at current spend.
    pub mroi_sd: f64,
    /// `1 − posterior variance / prior variance` of the ROI, when the ROI has a prior.
    pub contraction: Option<f64>,
    /// Posterior standard deviation of the steady-state response at each requested spend.
    pub curve_sd: Vec<f64>,
}

/// Everything the Laplace step gives.
#[derive(Debug, Clone)]
pub(super) struct Spread {
    /// Per channel.
    pub channels: Vec<ChannelSpread>,
    /// Joint covariance of every channel's coefficient (KPI units) and saturation parameters,
    /// in the layout of [`crate::document::CurveCovariance`].
    pub curve_parameters: DMatrix<f64>,
    /// A square root `R` of the transform parameters' covariance (`R Rᵀ = H⁻¹`, curvatures
    /// floored), in the unbounded working space.
    pub transform_root: DMatrix<f64>,
}

/// Step of the central differences in the unbounded working space.
const STEP: f64 = 1e-4;

/// Smallest curvature kept in the Hessian. A flatter direction is a parameter the data do not
/// pin down; its working-space sd is capped at about 4.5, which already spans most of its bounds.
const MIN_CURVATURE: f64 = 0.05;

impl Problem {
    /// Variance of channel `c`'s ROI prior in KPI per unit of spend, if it has one.
    fn roi_prior_variance(&self, c: usize) -> Option<f64> {
        let prior = self.roi_prior.as_ref()?.get(c).filter(|p| p.weight > 0.0)?;
        let s0 = self.sigma0?;
        let real = s0 * s0 / prior.weight * (self.y_scale / self.scales[c]).powi(2);
        real.is_finite().then_some(real)
    }

    /// `1 − posterior variance / prior variance` of channel `c`'s ROI, in [0, 1].
    pub(super) fn roi_contraction(&self, c: usize, posterior_variance: f64) -> Option<f64> {
        let prior = self.roi_prior_variance(c)?;
        posterior_variance.is_finite().then(|| (1.0 - posterior_variance / prior).clamp(0.0, 1.0))
    }

    /// Slope of each channel's saturation curve at its current spend (scaled units), at `e`:
    /// the marginal ROI in scaled units is `β` times this. `None` if a fitted parameter is out
    /// of range.
    fn current_slopes(&self, e: &Evaluation) -> Option<Vec<f64>> {
        let na = self.adstock_len();
        (0..self.channels())
            .map(|c| {
                let x = recent_mean(&self.spend[c], self.frequency).unwrap_or(0.0);
                // As `ChannelResult::marginal_roi` (spend here is in units of the scale).
                let x = x.max(crate::document::MARGINAL_FLOOR);
                self.saturation_of(&e.theta[c][na..]).ok().map(|s| s.slope(x))
            })
            .collect()
    }

    /// Saturation of each channel's curve at each of `spends[c]` (real spend per period), at
    /// `e`: the steady-state response in scaled units is `β` times this.
    // Not inlined: inlined into `channel_spread` it changed code generation of the hot search
    // loop and cost 10% of the whole fit in criterion (41.3 against 38.3 ms at 156 x 5).
    #[inline(never)]
    fn curve_levels(&self, e: &Evaluation, spends: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
        let na = self.adstock_len();
        (0..self.channels())
            .map(|c| {
                let s = self.saturation_of(&e.theta[c][na..]).ok()?;
                Some(spends[c].iter().map(|x| s.value(x.max(0.0) / self.scales[c])).collect())
            })
            .collect()
    }

    /// Spreads of every channel at the optimum `u`, with the response at `curve_spends[c]` (real
    /// spend per period) for channel `c`, or `None` if the approximation fails numerically.
    pub(super) fn channel_spread(
        &self,
        u: &DVector<f64>,
        at: &Evaluation,
        curve_spends: &[Vec<f64>],
    ) -> Option<Spread> {
        let nb = self.btb.nrows();
        let nc = self.channels();
        let na = self.adstock_len();
        let d = u.len();
        // Row of the first curve point of each channel among the figures.
        let mut curve_row = Vec::with_capacity(nc);
        let mut rows = 2 * nc;
        for spends in curve_spends.iter().take(nc) {
            curve_row.push(rows);
            rows += spends.len();
        }
        if curve_row.len() != nc {
            return None;
        }
        // Then the curve parameters: per channel, β and the natural saturation parameters.
        // `coefficient_rows[c]` is where channel c's β sits among them.
        let first_parameter = rows;
        let mut coefficient_rows = Vec::with_capacity(nc);
        let mut parameters = 0;
        for th in &at.theta {
            coefficient_rows.push(parameters);
            parameters += 1 + th.len() - na;
        }
        rows += parameters;
        // ROI, marginal ROI and the response curves in scaled units: β k, β h'(current) and
        // β h(x / scale); then the curve parameters.
        let figures = |e: &Evaluation| -> Option<Vec<f64>> {
            let slopes = self.current_slopes(e)?;
            let levels = self.curve_levels(e, curve_spends)?;
            Some(
                (0..nc)
                    .map(|c| e.beta[nb + c] * e.kc[c])
                    .chain((0..nc).map(|c| e.beta[nb + c] * slopes[c]))
                    .chain(
                        levels
                            .iter()
                            .enumerate()
                            .flat_map(|(c, l)| l.iter().map(move |h| e.beta[nb + c] * h)),
                    )
                    .chain((0..nc).flat_map(|c| {
                        std::iter::once(e.beta[nb + c]).chain(e.theta[c][na..].iter().copied())
                    }))
                    .collect(),
            )
        };
        if !at.loss.is_finite() {
            return None;
        }
        // Given θ, σ² is inverse-gamma with the residuals' degrees of freedom (`noise_dof`), and
        // β is Student-t around β̂ with covariance E[σ²] A⁻¹: the profiled σ² (loss over the
        // observation count) would be too small by the coefficients the data must pay for.
        let sigma2 = at.loss / (self.noise_dof() - 2.0).max(1.0);
        let inverse = at.normal.clone().cholesky()?.inverse();

        let mut hessian = DMatrix::zeros(d, d);
        // d figure / d u, one row per figure.
        let mut jacobian = DMatrix::zeros(rows, d);
        for j in 0..d {
            let mut up = u.clone();
            up[j] += STEP;
            let mut down = u.clone();
            down[j] -= STEP;
            let (eu, ed) = (self.evaluate(&up, true), self.evaluate(&down, true));
            if !(eu.objective.is_finite() && ed.objective.is_finite()) {
                return None;
            }
            hessian.set_column(j, &((&eu.gradient - &ed.gradient) / (2.0 * STEP)));
            for (i, (fu, fd)) in figures(&eu)?.into_iter().zip(figures(&ed)?).enumerate() {
                jacobian[(i, j)] = (fu - fd) / (2.0 * STEP);
            }
        }
        let transform_root = covariance_root(hessian)?;
        let covariance = &transform_root * transform_root.transpose();

        let slopes = self.current_slopes(at)?;
        let levels = self.curve_levels(at, curve_spends)?;
        // Variance of figure `i` (a row of `jacobian`), whose derivative with respect to β_c
        // is `dbeta`.
        let variance = |i: usize, c: usize, dbeta: f64| {
            let g = jacobian.row(i);
            let transform_part = (g * &covariance * g.transpose())[(0, 0)];
            let linear_part = dbeta * dbeta * sigma2 * inverse[(nb + c, nb + c)];
            (linear_part + transform_part).max(0.0)
        };
        // The curve parameters' covariance: the transform part through their jacobian, plus the
        // linear part of the coefficients (σ² A⁻¹ over the media block), in KPI units.
        let g = jacobian.rows(first_parameter, parameters);
        let mut curve_parameters = g * &covariance * g.transpose();
        for (c, &i) in coefficient_rows.iter().enumerate() {
            for (c2, &j) in coefficient_rows.iter().enumerate() {
                curve_parameters[(i, j)] += sigma2 * inverse[(nb + c, nb + c2)];
            }
        }
        for &i in &coefficient_rows {
            curve_parameters.row_mut(i).scale_mut(self.y_scale);
            curve_parameters.column_mut(i).scale_mut(self.y_scale);
        }
        let spreads = (0..nc)
            .map(|c| {
                let to_real = self.y_scale / self.scales[c];
                let roi_sd = variance(c, c, at.kc[c]).sqrt() * to_real;
                let mroi_sd = variance(nc + c, c, slopes[c]).sqrt() * to_real;
                let curve_sd = levels[c]
                    .iter()
                    .enumerate()
                    .map(|(j, h)| variance(curve_row[c] + j, c, *h).sqrt() * self.y_scale)
                    .collect();
                ChannelSpread {
                    roi_sd,
                    mroi_sd,
                    contraction: self.roi_contraction(c, roi_sd * roi_sd),
                    curve_sd,
                }
            })
            .collect::<Vec<_>>();
        let finite = spreads.iter().all(|s| {
            s.roi_sd.is_finite()
                && s.mroi_sd.is_finite()
                && s.curve_sd.iter().all(|v| v.is_finite())
        }) && curve_parameters.iter().all(|v| v.is_finite());
        finite.then_some(Spread { channels: spreads, curve_parameters, transform_root })
    }
}

/// A square root `R` (`R Rᵀ = H⁻¹`) of the covariance that the curvature `hessian` implies,
/// symmetrised first, each eigenvalue floored at [`MIN_CURVATURE`] so that flat directions get a
/// wide but finite spread. `None` if an eigenvalue is not finite.
pub(super) fn covariance_root(hessian: DMatrix<f64>) -> Option<DMatrix<f64>> {
    let d = hessian.nrows();
    let symmetric = (&hessian + hessian.transpose()) * 0.5;
    let eigen = SymmetricEigen::new(symmetric);
    let mut root = DMatrix::zeros(d, d);
    for (i, &lambda) in eigen.eigenvalues.iter().enumerate() {
        if !lambda.is_finite() {
            return None;
        }
        let v = eigen.eigenvectors.column(i);
        root.set_column(i, &(v / lambda.max(MIN_CURVATURE).sqrt()));
    }
    Some(root)
}
