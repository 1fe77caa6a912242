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
//! likelihood. Whitening multiplies it by `|det W|` (`√(1 − ρ²)` for AR(1) alone); averaged
//! over the noise models tried (equally likely a priori) it must beat independent noise at
//! even odds, or the noise stays independent. Those curves have taken some of the slow noise, so once the search
//! is refined the most likely `ρ` is asked again at the refined optimum (`map_problem`).
//!
//! Often only part of the noise lingers: a level that wanders beside week-to-week noise that
//! comes and goes. The noise may then be a slow AR(1) part with a share of its variance beside
//! an independent part ([`Noise`]), whitened by the Kalman filter's innovations: still a
//! lower-triangular linear map, so everything above holds with its Jacobian and transpose.
//!
//! Every prior set relative to the noise variance (the ROI prior, the baseline and bend priors,
//! the lift tests' weights) is rescaled by the whitened noise's share of the variance (`1 − ρ²`
//! for AR(1) alone), so that it says in absolute terms what it said before.

use super::Problem;
use nalgebra::{DMatrix, DVector};
use std::borrow::Cow;

/// The autocorrelations tried: a uniform prior on `[0.05, 0.95]`, by its midpoints, and for a
/// slow part beside independent noise also 0.95 and 0.98 (a level that nearly wanders).
const RHOS: [f64; 11] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98];

/// The shares of the noise's variance the slow AR(1) part may have (1: AR(1) alone).
const SLOW_SHARES: [f64; 4] = [0.25, 0.5, 0.75, 1.0];

/// The noise: independent, or a slow AR(1) part of coefficient `rho` with share `slow` of its
/// variance beside an independent part (`slow` 1: AR(1) alone). As a state-space model,
/// `e_t = x_t + ε_t`, `x_t = ρ x_{t−1} + η_t`, `Var x = slow σ²`, `Var ε = (1 − slow) σ²`, and
/// the whitening divides each period's Kalman innovation by its standard deviation; with the
/// AR(1) alone that is Prais-Winsten's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Noise {
    /// Autocorrelation of the slow part, 0 for independent noise.
    pub(crate) rho: f64,
    /// Share of the variance in the slow part.
    pub(crate) slow: f64,
    /// The whitened noise's variance over the noise's own (the innovations' in the long run).
    pub(crate) innovation_share: f64,
}

impl Noise {
    /// Independent noise.
    pub(crate) const INDEPENDENT: Noise = Noise { rho: 0.0, slow: 1.0, innovation_share: 1.0 };

    /// The noise with a slow part of autocorrelation `rho` (in [0, 1)) and variance share
    /// `slow` (in (0, 1]).
    pub(crate) fn new(rho: f64, slow: f64) -> Self {
        if rho <= 0.0 || slow <= 0.0 {
            return Self::INDEPENDENT;
        }
        let slow = slow.min(1.0);
        let innovation_share = if slow >= 1.0 {
            1.0 - rho * rho
        } else {
            // The Riccati recursion's fixed point: the long-run innovation variance.
            let mut gains = Gains::new(rho, slow);
            let mut f = gains.next_gain().0;
            for _ in 0..100_000 {
                let next = gains.next_gain().0;
                if (next - f).abs() <= 1e-15 * f {
                    break;
                }
                f = next;
            }
            f
        };
        Self { rho, slow, innovation_share }
    }

    /// The noise a model document's fit describes.
    pub(crate) fn of(fit: &crate::document::FitMetrics) -> Self {
        match fit.noise_autocorrelation {
            Some(rho) if (0.0..1.0).contains(&rho) => {
                Self::new(rho, fit.noise_autocorrelated_share.unwrap_or(1.0))
            }
            _ => Self::INDEPENDENT,
        }
    }

    /// Whether the noise is independent.
    pub(crate) fn is_independent(&self) -> bool {
        self.rho == 0.0
    }

    /// The AR(1) alone (Prais-Winsten's whitening).
    fn pure(&self) -> bool {
        self.slow >= 1.0
    }

    /// Each period's Kalman gain `K_t` and whitening factor `√(c / F_t)` over `n` periods.
    fn factors(&self, n: usize) -> Vec<(f64, f64)> {
        let mut gains = Gains::new(self.rho, self.slow);
        (0..n)
            .map(|_| {
                let (f, k) = gains.next_gain();
                (k, (self.innovation_share / f).sqrt())
            })
            .collect()
    }

    /// Whitens `v` in place: `W v`.
    pub(crate) fn whiten(&self, v: &mut [f64]) {
        if self.is_independent() {
            return;
        }
        let rho = self.rho;
        if self.pure() {
            for t in (1..v.len()).rev() {
                v[t] -= rho * v[t - 1];
            }
            if let Some(first) = v.first_mut() {
                *first *= (1.0 - rho * rho).sqrt();
            }
            return;
        }
        // The predicted slow part `m`, then each period's innovation, scaled.
        let factors = self.factors(v.len());
        let mut m = 0.0;
        for (x, (k, a)) in v.iter_mut().zip(factors) {
            let e = *x - m;
            m = rho * (m + k * e);
            *x = a * e;
        }
    }

    /// Applies the whitening's transpose to `v` in place: `Wᵀ v`. The derivative of the
    /// whitened residuals along a raw feature `df` is `−β W df`, and `r · W df = Wᵀ r · df`.
    pub(super) fn whiten_transpose(&self, v: &mut [f64]) {
        if self.is_independent() || v.is_empty() {
            return;
        }
        let rho = self.rho;
        if self.pure() {
            v[0] *= (1.0 - rho * rho).sqrt();
            for t in 0..v.len() - 1 {
                let next = v[t + 1];
                v[t] -= rho * next;
            }
            return;
        }
        // The adjoint of `whiten`: `mu` carries the derivative with respect to the predicted
        // slow part back from the later periods.
        let factors = self.factors(v.len());
        let mut mu = 0.0;
        for (x, (k, a)) in v.iter_mut().zip(factors).rev() {
            let weighed = *x * a;
            *x = weighed + mu * rho * k;
            mu = -weighed + mu * rho * (1.0 - k);
        }
    }

    /// `ln |det W|` over `n` periods: `½ Σ ln(c / F_t)`.
    pub(super) fn log_det(&self, n: usize) -> f64 {
        if self.is_independent() {
            return 0.0;
        }
        if self.pure() {
            return 0.5 * self.innovation_share.ln();
        }
        self.factors(n).iter().map(|(_, a)| a.ln()).sum()
    }

    /// The noise's autocorrelation at lag `k` periods.
    pub(crate) fn autocorrelation(&self, k: usize) -> f64 {
        if k == 0 { 1.0 } else { self.slow * self.rho.powi(k as i32) }
    }
}

/// The Kalman filter's variance recursion for [`Noise`] (marginal variance 1): each period's
/// innovation variance `F_t` and gain `K_t`.
struct Gains {
    rho: f64,
    slow: f64,
    /// The slow part's predicted variance.
    predicted: f64,
}

impl Gains {
    fn new(rho: f64, slow: f64) -> Self {
        Self { rho, slow, predicted: slow }
    }

    fn next_gain(&mut self) -> (f64, f64) {
        let f = self.predicted + (1.0 - self.slow);
        let k = self.predicted / f;
        let filtered = self.predicted * (1.0 - k);
        self.predicted = self.rho * self.rho * filtered + self.slow * (1.0 - self.rho * self.rho);
        (f, k)
    }
}

/// Whitens every column of `m` in place.
pub(super) fn whiten_columns(noise: &Noise, m: &mut DMatrix<f64>) {
    for mut column in m.column_iter_mut() {
        noise.whiten(column.as_mut_slice());
    }
}

/// The first `n` rows of `m`, whitened column by column.
pub(super) fn whitened_rows(noise: &Noise, m: &DMatrix<f64>, n: usize) -> DMatrix<f64> {
    let mut w = m.rows(0, n).into_owned();
    whiten_columns(noise, &mut w);
    w
}

/// `v` with its first `n` entries multiplied by `Wᵀ` (the rest, lift tests, as they are).
pub(super) fn transposed_head<'a>(
    noise: &Noise,
    v: &'a DVector<f64>,
    n: usize,
) -> Cow<'a, DVector<f64>> {
    if noise.is_independent() {
        return Cow::Borrowed(v);
    }
    let mut out = v.clone();
    noise.whiten_transpose(&mut out.as_mut_slice()[..n]);
    Cow::Owned(out)
}

/// The evidence for autocorrelated noise at the curve shapes `u`: the log marginal likelihood
/// of the data, averaged over the noise models tried, and the most likely one.
pub(super) fn evidence(problem: &Problem, u: &DVector<f64>) -> Option<(f64, Noise)> {
    let models: Vec<Noise> = RHOS[..9]
        .iter()
        .map(|&rho| Noise::new(rho, 1.0))
        .chain(
            SLOW_SHARES[..3]
                .iter()
                .flat_map(|&slow| RHOS[8..].iter().map(move |&rho| Noise::new(rho, slow))),
        )
        .collect();
    let tried: Vec<(f64, Noise)> = models
        .iter()
        .filter_map(|&noise| {
            let mut with = problem.clone();
            with.set_noise(noise);
            // The whitened data's likelihood times the whitening's Jacobian, `|det W|`, and the
            // normalising constants `marginal_at` leaves out that the rescaled priors change:
            // `√λ` of each conjugate baseline prior, `b^a` of the noise's.
            let shrink = noise.innovation_share.ln();
            let constants = 0.5 * with.proper_baseline_priors() as f64 + with.noise_prior().0;
            let logp = with.marginal_at(u, false)?.logp
                + noise.log_det(problem.n_fit)
                + constants * shrink;
            logp.is_finite().then_some((logp, noise))
        })
        .collect();
    super::flexible::averaged(&tried, models.len())
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
    fn a_level_that_wanders_is_found_as_a_slow_part_beside_independent_noise() {
        // Independent noise of 5% of the KPI, and a random walk with steps of 2% of its mean:
        // most of what the model leaves unexplained comes and goes, a part wanders.
        let config = SimConfig { seed: 6, noise: 0.05, level_walk: 0.02, ..SimConfig::default() };
        let s = simulate(&config);
        let doc = fit(&s.dataset, &ModelSpec::default(), None).unwrap();
        let rho = doc.fit.noise_autocorrelation.unwrap();
        let share = doc.fit.noise_autocorrelated_share.unwrap();
        assert!(rho >= 0.9 && share < 1.0, "ρ {rho}, share {share}");
        let said = crate::insights::insights(&doc)
            .into_iter()
            .find(|i| i.kind == crate::insights::InsightKind::LingeringNoise)
            .unwrap();
        assert_eq!(said.numbers["noise_autocorrelated_share"], share);
        let part = format!("does not explain, {:.0}% carries over from one week", 100.0 * share);
        assert!(said.message.contains(&part), "{}", said.message);
        let back = crate::document::ModelDocument::from_json(&doc.to_json()).unwrap();
        assert_eq!(back, doc);
        // A share without an autocorrelation, or outside (0, 1), is refused.
        for (rho, share) in [(None, Some(0.5)), (Some(0.9), Some(1.0)), (Some(0.9), Some(0.0))] {
            let mut bad = doc.clone();
            (bad.fit.noise_autocorrelation, bad.fit.noise_autocorrelated_share) = (rho, share);
            let text = bad.to_json();
            assert!(crate::document::ModelDocument::from_json(&text).is_err(), "{rho:?} {share:?}");
        }
        // AR(1) noise alone is found as such: no share.
        let config =
            SimConfig { seed: 7, noise: 0.05, noise_autocorrelation: 0.8, ..SimConfig::default() };
        let doc = fit(&simulate(&config).dataset, &ModelSpec::default(), None).unwrap();
        assert_eq!(doc.fit.noise_autocorrelated_share, None);
    }

    #[test]
    fn whitening_by_hand() {
        let rho: f64 = 0.6;
        let mut v = vec![2.0, 1.0, -1.0, 3.0];
        Noise::new(rho, 1.0).whiten(&mut v);
        let expected = [2.0 * 0.8, 1.0 - 1.2, -1.0 - 0.6, 3.0 + 0.6];
        for (a, b) in v.iter().zip(expected) {
            assert!((a - b).abs() < 1e-12, "{v:?}");
        }
        // Independent noise is left alone.
        let mut w = vec![2.0, 1.0];
        Noise::INDEPENDENT.whiten(&mut w);
        assert_eq!(w, [2.0, 1.0]);
    }

    #[test]
    fn the_transpose_is_the_whitening_matrix_transposed() {
        // AR(1) alone (Prais-Winsten), and a slow part beside independent noise (Kalman).
        for (rho, slow) in [(0.7, 1.0), (0.9, 0.4), (0.98, 0.25)] {
            let noise = Noise::new(rho, slow);
            let n = 6;
            // W column by column: W e_j.
            let columns: Vec<DVector<f64>> = (0..n)
                .map(|j| {
                    let mut e = vec![0.0; n];
                    e[j] = 1.0;
                    noise.whiten(&mut e);
                    DVector::from_vec(e)
                })
                .collect();
            let w = DMatrix::from_columns(&columns);
            let r = DVector::from_vec(vec![0.3, -1.2, 2.0, 0.5, -0.7, 1.1]);
            let mut by_function = r.as_slice().to_vec();
            noise.whiten_transpose(&mut by_function);
            let by_matrix = w.transpose() * &r;
            for (a, b) in by_function.iter().zip(by_matrix.iter()) {
                assert!((a - b).abs() < 1e-12, "{rho} {slow}: {by_function:?} {by_matrix}");
            }
            // The noise's covariance (marginal variance 1), `slow ρ^|s−t|` off the diagonal, is
            // whitened to the innovations' share times the identity: W Σ Wᵀ = c I.
            let sigma = DMatrix::from_fn(n, n, |s, t| {
                if s == t { 1.0 } else { slow * rho.powi((s as i32 - t as i32).abs()) }
            });
            let whitened = &w * &sigma * w.transpose();
            let c = noise.innovation_share;
            for s in 0..n {
                for t in 0..n {
                    let expected = if s == t { c } else { 0.0 };
                    assert!((whitened[(s, t)] - expected).abs() < 1e-12, "{whitened}");
                }
            }
            // ln |det W|, W lower triangular: the sum of the logs of its diagonal.
            let log_det: f64 = (0..n).map(|i| w[(i, i)].ln()).sum();
            assert!((noise.log_det(n) - log_det).abs() < 1e-12, "{} {log_det}", noise.log_det(n));
            // The lag-k autocorrelation the covariance above has.
            assert_eq!(noise.autocorrelation(2), sigma[(0, 2)]);
        }
        // With the AR(1) alone, c is 1 − ρ².
        assert!((Noise::new(0.7, 1.0).innovation_share - 0.51).abs() < 1e-15);
    }
}
