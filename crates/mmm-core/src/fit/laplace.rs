//! Approximate uncertainty of a MAP fit: a Laplace approximation around the optimum.
//!
//! Given the transform parameters `u`, the linear coefficients are Gaussian with covariance
//! `σ² A⁻¹` (`A` the normal-equation matrix with its ridge and ROI prior, `σ²` the profiled noise
//! variance). The transform parameters themselves get a Gaussian with the inverse Hessian of the
//! MAP objective as covariance, and their uncertainty reaches each channel's ROI through the
//! derivative of the profiled ROI (the linear step re-solved at every `u`). The two parts add:
//!
//! `Var(ROI_c) ≈ k_c² σ² [A⁻¹]_cc + g_cᵀ H⁻¹ g_c`.
//!
//! This is fast (two objective gradients per transform parameter) but approximate: it assumes
//! the posterior is close to Gaussian around the mode, which fails most for channels near zero
//! or transforms near their bounds. The Bayesian fit gives exact intervals.

use super::{Evaluation, Problem};
use nalgebra::{DMatrix, DVector, SymmetricEigen};

/// A channel ROI's approximate posterior standard deviation and contraction.
#[derive(Debug, Clone, Copy)]
pub(super) struct RoiSpread {
    /// Posterior standard deviation of the ROI, in KPI per unit of spend.
    pub sd: f64,
    /// `1 − posterior variance / prior variance` of the ROI, when the ROI has a prior.
    pub contraction: Option<f64>,
}

/// Step of the central differences in the unbounded working space.
const STEP: f64 = 1e-4;

/// Smallest curvature kept in the Hessian. A flatter direction is a parameter the data do not
/// pin down; its working-space sd is capped at about 4.5, which already spans most of its bounds.
const MIN_CURVATURE: f64 = 0.05;

impl Problem {
    /// Variance of channel `c`'s ROI prior in KPI per unit of spend, if it has one.
    fn roi_prior_variance(&self, c: usize) -> Option<f64> {
        let prior = self.roi_prior.as_ref()?.get(c)?;
        let s0 = self.sigma0?;
        let scaled = s0 * s0 / prior.weight;
        let real = scaled * (self.y_scale / self.scales[c]).powi(2);
        (prior.weight > 0.0 && real.is_finite()).then_some(real)
    }

    /// `1 − posterior variance / prior variance` of channel `c`'s ROI, in [0, 1].
    pub(super) fn roi_contraction(&self, c: usize, posterior_variance: f64) -> Option<f64> {
        let prior = self.roi_prior_variance(c)?;
        posterior_variance.is_finite().then(|| (1.0 - posterior_variance / prior).clamp(0.0, 1.0))
    }

    /// ROI spreads of every channel at the optimum `u`, or `None` if the approximation fails
    /// numerically.
    pub(super) fn roi_spread(&self, u: &DVector<f64>, at: &Evaluation) -> Option<Vec<RoiSpread>> {
        let nb = self.btb.nrows();
        let nc = self.channels();
        let d = u.len();
        // ROI in scaled units: β k.
        let roi =
            |e: &Evaluation| -> Vec<f64> { (0..nc).map(|c| e.beta[nb + c] * e.kc[c]).collect() };
        if !at.loss.is_finite() {
            return None;
        }
        let (a0, _) = self.noise_prior();
        let sigma2 = at.loss / (self.n_fit as f64 + 2.0 * a0);
        let inverse = at.normal.clone().cholesky()?.inverse();

        let mut hessian = DMatrix::zeros(d, d);
        let mut slope = DMatrix::zeros(nc, d);
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
            for (c, (ru, rd)) in roi(&eu).into_iter().zip(roi(&ed)).enumerate() {
                slope[(c, j)] = (ru - rd) / (2.0 * STEP);
            }
        }
        let symmetric = (&hessian + hessian.transpose()) * 0.5;
        let eigen = SymmetricEigen::new(symmetric);
        let mut covariance = DMatrix::zeros(d, d);
        for (i, &lambda) in eigen.eigenvalues.iter().enumerate() {
            if !lambda.is_finite() {
                return None;
            }
            let v = eigen.eigenvectors.column(i);
            covariance += v * v.transpose() / lambda.max(MIN_CURVATURE);
        }

        let to_real = |c: usize| self.y_scale / self.scales[c];
        let spreads = (0..nc)
            .map(|c| {
                let g = slope.row(c);
                let transform_part = (g * &covariance * g.transpose())[(0, 0)];
                let linear_part = at.kc[c] * at.kc[c] * sigma2 * inverse[(nb + c, nb + c)];
                let var = (linear_part + transform_part).max(0.0);
                let sd = var.sqrt() * to_real(c);
                RoiSpread { sd, contraction: self.roi_contraction(c, sd * sd) }
            })
            .collect::<Vec<_>>();
        spreads.iter().all(|s| s.sd.is_finite()).then_some(spreads)
    }
}
