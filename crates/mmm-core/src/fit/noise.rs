//! Noise that carries over from one period to the next.
//!
//! What the model leaves out of a weekly KPI (weather, competitors, a missing control) rarely
//! comes and goes within a week: it lingers, and the residuals are autocorrelated. Fitted as if
//! they were independent, slow noise is taken for slow signal: the intervals are too narrow (the
//! data hold fewer independent facts than periods), and slow-moving media are judged on
//! movements the noise makes. The fit therefore lets the noise be an AR(1) process,
//!
//! `e_t = ρ e_{t−1} + ν_t`, `ν_t ~ N(0, σ_ν²)`, stationary (`Var e_t = σ_ν² / (1 − ρ²)`),
//!
//! and works on whitened data (Prais-Winsten): the KPI and every column of the design are
//! multiplied by `W`, with `(Wv)₀ = √(1 − ρ²) v₀` and `(Wv)_t = v_t − ρ v_{t−1}`, so that the
//! whitened noise `W e = (√(1 − ρ²) e₀, ν₁, ν₂, …)` is independent with variance `σ_ν²` and
//! everything built on independent noise (the linear step, the marginal likelihood, the
//! Laplace step, the importance sample) applies unchanged. A channel's ROI still sums its raw
//! contribution: only the fit's weighing of the periods changes.
//!
//! `ρ` is asked for with the trend's bends and the season's harmonics (`flexible`), when the ROI
//! prior is set, at the curve shapes of the prior-free optimum, by the data's marginal
//! likelihood. Whitening multiplies it by `|det W| = √(1 − ρ²)`; averaged over the values of
//! `ρ` tried (equally likely a priori) it must beat independent noise at even odds, or the
//! noise stays independent. Those curves have taken some of the slow noise, so once the search
//! is refined the most likely `ρ` is asked again at the refined optimum (`map_problem`).
//!
//! Every prior set relative to the noise variance (the ROI prior, the baseline and bend priors,
//! the lift tests' weights) is rescaled by `1 − ρ²`, so that it says in absolute terms what it
//! said before.

use super::Problem;
use nalgebra::{DMatrix, DVector};
use std::borrow::Cow;

/// The autocorrelations tried: a uniform prior on `[0.05, 0.95]`, by its midpoints.
const RHOS: [f64; 9] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

/// Whitens `v` in place for AR(1) noise with coefficient `rho`: `W v`.
pub(crate) fn whiten(rho: f64, v: &mut [f64]) {
    if rho == 0.0 {
        return;
    }
    for t in (1..v.len()).rev() {
        v[t] -= rho * v[t - 1];
    }
    if let Some(first) = v.first_mut() {
        *first *= (1.0 - rho * rho).sqrt();
    }
}

/// Applies the whitening's transpose to `v` in place: `Wᵀ v`. The derivative of the whitened
/// residuals along a raw feature `df` is `−β W df`, and `r · W df = Wᵀ r · df`.
pub(super) fn whiten_transpose(rho: f64, v: &mut [f64]) {
    if rho == 0.0 || v.is_empty() {
        return;
    }
    v[0] *= (1.0 - rho * rho).sqrt();
    for t in 0..v.len() - 1 {
        let next = v[t + 1];
        v[t] -= rho * next;
    }
}

/// Whitens every column of `m` in place.
pub(super) fn whiten_columns(rho: f64, m: &mut DMatrix<f64>) {
    for mut column in m.column_iter_mut() {
        whiten(rho, column.as_mut_slice());
    }
}

/// The first `n` rows of `m`, whitened column by column.
pub(super) fn whitened_rows(rho: f64, m: &DMatrix<f64>, n: usize) -> DMatrix<f64> {
    let mut w = m.rows(0, n).into_owned();
    whiten_columns(rho, &mut w);
    w
}

/// `v` with its first `n` entries multiplied by `Wᵀ` (the rest, lift tests, as they are).
pub(super) fn transposed_head(rho: f64, v: &DVector<f64>, n: usize) -> Cow<'_, DVector<f64>> {
    if rho == 0.0 {
        return Cow::Borrowed(v);
    }
    let mut out = v.clone();
    whiten_transpose(rho, &mut out.as_mut_slice()[..n]);
    Cow::Owned(out)
}

/// The evidence for autocorrelated noise at the curve shapes `u`: the log marginal likelihood
/// of the data, averaged over the autocorrelations tried, and the most likely one.
pub(super) fn evidence(problem: &Problem, u: &DVector<f64>) -> Option<(f64, f64)> {
    let tried: Vec<(f64, f64)> = RHOS
        .iter()
        .filter_map(|&rho| {
            let mut with = problem.clone();
            with.set_rho(rho);
            // The whitened data's likelihood times the whitening's Jacobian, `|det W|`, and the
            // normalising constants `marginal_at` leaves out that the rescaled priors change:
            // `√λ` of each conjugate baseline prior, `b^a` of the noise's.
            let shrink = (1.0 - rho * rho).ln();
            let constants = 0.5 * with.proper_baseline_priors() as f64 + with.noise_prior().0;
            let logp = with.marginal_at(u, false)?.logp + 0.5 * shrink + constants * shrink;
            logp.is_finite().then_some((logp, rho))
        })
        .collect();
    super::flexible::averaged(&tried, RHOS.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fit::fit;
    use crate::simulate::{SimConfig, simulate};
    use crate::spec::ModelSpec;

    /// Lag-1 autocorrelation of `v` around its mean.
    fn lag1(v: &[f64]) -> f64 {
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        let d: Vec<f64> = v.iter().map(|x| x - mean).collect();
        d.windows(2).map(|w| w[0] * w[1]).sum::<f64>() / d.iter().map(|x| x * x).sum::<f64>()
    }

    #[test]
    fn independent_noise_stays_independent_and_costs_nothing() {
        let s = simulate(&SimConfig { seed: 6, noise: 0.05, ..SimConfig::default() });
        let with = fit(&s.dataset, &ModelSpec::default(), None).unwrap();
        assert!(ModelSpec::default().autocorrelated_noise);
        assert_eq!(with.fit.noise_autocorrelation, None);
        assert!(!with.to_json().contains("noise_autocorrelation"));
        let white = ModelSpec { autocorrelated_noise: false, ..ModelSpec::default() };
        let mut without = fit(&s.dataset, &white, None).unwrap();
        without.spec.autocorrelated_noise = true;
        assert_eq!(without, with);
    }

    #[test]
    fn autocorrelated_noise_is_found_and_its_size_is_the_noises() {
        for (seed, rho) in [(6, 0.5), (7, 0.8)] {
            let config =
                SimConfig { seed, noise: 0.05, noise_autocorrelation: rho, ..SimConfig::default() };
            let s = simulate(&config);
            let doc = fit(&s.dataset, &ModelSpec::default(), None).unwrap();
            let found = doc.fit.noise_autocorrelation.unwrap();
            assert!((found - rho).abs() <= 0.2, "ρ {rho}: found {found}");
            // The document's σ is the noise's own standard deviation, not its innovations'
            // (at ρ 0.8 those are 0.6 of it). It counts every curve parameter as spent, so it
            // errs high.
            let ratio = doc.fit.sigma / s.truth.baseline.noise_sd;
            assert!((0.8..1.35).contains(&ratio), "ρ {rho}: σ is {ratio:.2} of the noise's");
            // The fit's own residuals carry about the autocorrelation it found.
            let residuals: Vec<f64> =
                doc.series.actual.iter().zip(&doc.series.fitted).map(|(a, f)| a - f).collect();
            assert!((lag1(&residuals) - found).abs() < 0.2, "{} against {found}", lag1(&residuals));
            let back = crate::document::ModelDocument::from_json(&doc.to_json()).unwrap();
            assert_eq!(back, doc);
            let white = ModelSpec { autocorrelated_noise: false, ..ModelSpec::default() };
            assert_eq!(fit(&s.dataset, &white, None).unwrap().fit.noise_autocorrelation, None);
        }
    }

    #[test]
    fn whitening_by_hand() {
        let rho: f64 = 0.6;
        let mut v = vec![2.0, 1.0, -1.0, 3.0];
        whiten(rho, &mut v);
        let expected = [2.0 * 0.8, 1.0 - 1.2, -1.0 - 0.6, 3.0 + 0.6];
        for (a, b) in v.iter().zip(expected) {
            assert!((a - b).abs() < 1e-12, "{v:?}");
        }
        // Independent noise is left alone.
        let mut w = vec![2.0, 1.0];
        whiten(0.0, &mut w);
        assert_eq!(w, [2.0, 1.0]);
    }

    #[test]
    fn the_transpose_is_the_whitening_matrix_transposed() {
        let rho = 0.7;
        let n = 5;
        // W column by column: W e_j.
        let columns: Vec<DVector<f64>> = (0..n)
            .map(|j| {
                let mut e = vec![0.0; n];
                e[j] = 1.0;
                whiten(rho, &mut e);
                DVector::from_vec(e)
            })
            .collect();
        let w = DMatrix::from_columns(&columns);
        let r = DVector::from_vec(vec![0.3, -1.2, 2.0, 0.5, -0.7]);
        let mut by_function = r.as_slice().to_vec();
        whiten_transpose(rho, &mut by_function);
        let by_matrix = w.transpose() * &r;
        for (a, b) in by_function.iter().zip(by_matrix.iter()) {
            assert!((a - b).abs() < 1e-12);
        }
        // The whitened AR(1) covariance is the identity times σ_ν²: W Σ Wᵀ = I for
        // Σ_st = ρ^|s−t| / (1 − ρ²).
        let sigma = DMatrix::from_fn(n, n, |s, t| {
            rho.powi((s as i32 - t as i32).abs()) / (1.0 - rho * rho)
        });
        let whitened = &w * sigma * w.transpose();
        for s in 0..n {
            for t in 0..n {
                let expected = if s == t { 1.0 } else { 0.0 };
                assert!((whitened[(s, t)] - expected).abs() < 1e-12, "{whitened}");
            }
        }
    }
}
