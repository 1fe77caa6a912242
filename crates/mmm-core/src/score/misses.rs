//! How many periods a model that still holds leaves outside their 90% interval.
//!
//! With independent noise each period is outside with probability `p = 0.1` on its own, and
//! the count is Binomial(n, p). Noise that lingers (AR(1), `ρ`) makes misses cluster: a period
//! outside makes its neighbours likelier to be. The count keeps its mean `n p` but its variance
//! grows by
//!
//! `D = 1 + 2 Σ_{k≥1} (1 − k/n) c(ρ^k)`
//!
//! where `c(r)` is the correlation of two periods' "outside" indicators when their noise has
//! correlation `r` (from the bivariate normal: `P(|X| > z, |Y| > z)` for the interval's `z`).
//! The test then takes the count as beta-binomial with that mean and variance, whose
//! within-cluster correlation is `(D − 1) / (n − 1)`.

use crate::fit::noise::Noise;
use crate::summary::normal_cdf;

/// The standard normal quantile of 0.95: a 90% interval's half-width in sds.
const Z90: f64 = 1.644_853_626_951_472_2;

/// `P(X ≥ k)` for `X ~ Binomial(n, p)`, summed in log space so that long daily series do not
/// underflow.
pub(super) fn binomial_upper_tail(n: usize, p: f64, k: usize) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if k > n {
        return 0.0;
    }
    let (lp, lq) = (p.ln(), (1.0 - p).ln());
    // log C(n, j) built up term by term.
    let mut log_choose = 0.0;
    let mut tail = 0.0;
    for j in 0..=n {
        if j > 0 {
            log_choose += ((n - j + 1) as f64).ln() - (j as f64).ln();
        }
        if j >= k {
            tail += (log_choose + j as f64 * lp + (n - j) as f64 * lq).exp();
        }
    }
    tail.min(1.0)
}

/// `P(X ≥ k)` for `X` beta-binomial with `n` trials, mean `n p` and within-cluster correlation
/// `psi` (`α = p (1/ψ − 1)`, `β = (1 − p)(1/ψ − 1)`); the binomial's at `psi` 0.
pub(super) fn beta_binomial_upper_tail(n: usize, p: f64, psi: f64, k: usize) -> f64 {
    if psi.is_nan() || psi <= 0.0 {
        return binomial_upper_tail(n, p, k);
    }
    if k == 0 {
        return 1.0;
    }
    if k > n {
        return 0.0;
    }
    let scale = 1.0 / psi.min(1.0 - 1e-9) - 1.0;
    let (a, b) = (p * scale, (1.0 - p) * scale);
    // log P(X = 0) = ln B(α, n + β) − ln B(α, β) = Σ_{i<n} ln((β + i) / (α + β + i)), then the
    // ratio of successive terms.
    let mut log_pmf: f64 = (0..n).map(|i| ((b + i as f64) / (a + b + i as f64)).ln()).sum();
    let mut tail = 0.0;
    for j in 0..=n {
        if j >= k {
            tail += log_pmf.exp();
        }
        if j < n {
            let (j, n) = (j as f64, n as f64);
            log_pmf += ((n - j) / (j + 1.0)).ln() + ((j + a) / (n - j - 1.0 + b)).ln();
        }
    }
    tail.min(1.0)
}

/// `P(X > z, Y > w)` for standard normals of correlation `r` (`|r| < 1`), by Simpson's rule
/// over `x`: `∫_z^∞ φ(x) (1 − Φ((w − r x) / √(1 − r²))) dx`.
fn both_above(z: f64, w: f64, r: f64) -> f64 {
    const STEPS: usize = 400;
    const SPAN: f64 = 9.0;
    let s = (1.0 - r * r).sqrt();
    let f = |x: f64| {
        let pdf = (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt();
        pdf * (1.0 - normal_cdf((w - r * x) / s))
    };
    let h = SPAN / STEPS as f64;
    let inner: f64 =
        (1..STEPS).map(|i| if i % 2 == 1 { 4.0 } else { 2.0 } * f(z + i as f64 * h)).sum();
    (f(z) + inner + f(z + SPAN)) * h / 3.0
}

/// The correlation of two periods' "outside the 90% interval" indicators when their noise has
/// correlation `r`.
pub(super) fn miss_correlation(r: f64) -> f64 {
    let p = 2.0 * (1.0 - normal_cdf(Z90));
    let r = r.clamp(-0.999, 0.999);
    // Both outside: both high or both low, or one high and one low.
    let both = 2.0 * (both_above(Z90, Z90, r) + both_above(Z90, Z90, -r));
    (both - p * p) / (p * (1.0 - p))
}

/// The factor by which autocorrelated noise widens the variance of the count of `n`
/// consecutive periods outside their interval.
pub(super) fn variance_inflation(noise: &Noise, n: usize) -> f64 {
    let mut d = 1.0;
    for k in 1..n {
        let r = noise.autocorrelation(k);
        // Beyond this the indicators are as good as independent.
        if r.abs() < 1e-4 {
            break;
        }
        d += 2.0 * (1.0 - k as f64 / n as f64) * miss_correlation(r);
    }
    d
}

/// `P(X ≥ k)` for the count `X` of `n` consecutive periods outside their 90% interval, when the
/// noise is `noise`.
pub(super) fn outside_upper_tail(n: usize, noise: &Noise, k: usize) -> f64 {
    let p = super::OUTSIDE_PROBABILITY;
    if noise.is_independent() || n < 2 {
        return binomial_upper_tail(n, p, k);
    }
    let psi = (variance_inflation(noise, n) - 1.0) / (n - 1) as f64;
    beta_binomial_upper_tail(n, p, psi, k)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{SeedableRng, rngs::StdRng};
    use rand_distr::{Distribution, StandardNormal};

    #[test]
    fn binomial_tail_by_hand() {
        // n = 3, p = 0.1: P(X ≥ 1) = 1 − 0.9³ = 0.271; P(X ≥ 2) = 3 · 0.01 · 0.9 + 0.001 = 0.028.
        assert!((binomial_upper_tail(3, 0.1, 1) - 0.271).abs() < 1e-12);
        assert!((binomial_upper_tail(3, 0.1, 2) - 0.028).abs() < 1e-12);
        assert!((binomial_upper_tail(3, 0.1, 3) - 0.001).abs() < 1e-12);
        assert_eq!(binomial_upper_tail(3, 0.1, 0), 1.0);
        assert_eq!(binomial_upper_tail(3, 0.1, 4), 0.0);
        // Ten thousand days: 0.9^10000 underflows, the log-space sum does not. The mean is 1000
        // and the sd 30, so 1000 or more is a little over half, and 1150 (5 sd) about 3e-7.
        let half = binomial_upper_tail(10_000, 0.1, 1000);
        assert!(half > 0.5 && half < 0.52, "{half}");
        let far = binomial_upper_tail(10_000, 0.1, 1150);
        assert!(far > 1e-8 && far < 1e-6, "{far}");
    }

    #[test]
    fn beta_binomial_tail_by_hand() {
        // n = 2: P(X = 2) = α(α + 1) / ((α + β)(α + β + 1)); ψ = 0.2, p = 0.1 give α = 0.4,
        // β = 3.6: 0.4 · 1.4 / (4 · 5) = 0.028. P(X ≥ 1) = 1 − β(β + 1)/((α + β)(α + β + 1))
        // = 1 − 3.6 · 4.6 / 20 = 0.172.
        assert!((beta_binomial_upper_tail(2, 0.1, 0.2, 2) - 0.028).abs() < 1e-12);
        assert!((beta_binomial_upper_tail(2, 0.1, 0.2, 1) - 0.172).abs() < 1e-12);
        // Without clustering it is the binomial, and nearly so with very little.
        for k in [1, 3, 6] {
            let binomial = binomial_upper_tail(40, 0.1, k);
            assert_eq!(beta_binomial_upper_tail(40, 0.1, 0.0, k), binomial);
            let close = beta_binomial_upper_tail(40, 0.1, 1e-7, k);
            assert!((close / binomial - 1.0).abs() < 1e-4, "{k}: {close} against {binomial}");
        }
        // Clustering fattens the upper tail.
        assert!(beta_binomial_upper_tail(13, 0.1, 0.2, 5) > 3.0 * binomial_upper_tail(13, 0.1, 5));
    }

    #[test]
    fn misses_of_correlated_noise_correlate_less() {
        assert!(miss_correlation(0.0).abs() < 1e-6);
        let mut last = 0.0;
        for r in [0.2, 0.5, 0.8, 0.95] {
            let c = miss_correlation(r);
            assert!(c > last && c < r, "c({r}) = {c}");
            last = c;
        }
        // Negatively correlated noise: the two-sided indicator still correlates positively.
        assert!((miss_correlation(-0.5) - miss_correlation(0.5)).abs() < 1e-9);
    }

    #[test]
    fn the_variance_of_the_count_is_that_of_simulated_ar_noise() {
        // 20,000 quarters (13 periods) of AR(1) noise at ρ 0.8, and of noise half of whose
        // variance is AR(1) at 0.95, half independent: the count of periods beyond ±1.645
        // marginal sds has the variance the inflation factor says, to sampling error.
        let (n, reps) = (13, 20_000);
        for (rho, slow) in [(0.8, 1.0), (0.95, 0.5)] {
            let noise = Noise::new(rho, slow);
            let mut rng = StdRng::seed_from_u64(7);
            let innovation = (1.0f64 - rho * rho).sqrt();
            let mut draw = || -> f64 { StandardNormal.sample(&mut rng) };
            let counts: Vec<f64> = (0..reps)
                .map(|_| {
                    let mut x = draw();
                    let mut count = 0;
                    for t in 0..n {
                        if t > 0 {
                            x = rho * x + innovation * draw();
                        }
                        let e = slow.sqrt() * x + (1.0 - slow).sqrt() * draw();
                        count += usize::from(e.abs() > Z90);
                    }
                    count as f64
                })
                .collect();
            let mean = counts.iter().sum::<f64>() / reps as f64;
            let var = counts.iter().map(|c| (c - mean).powi(2)).sum::<f64>() / (reps - 1) as f64;
            let predicted = n as f64 * 0.1 * 0.9 * variance_inflation(&noise, n);
            assert!((mean / 1.3 - 1.0).abs() < 0.03, "mean {mean}");
            assert!((var / predicted - 1.0).abs() < 0.05, "variance {var} against {predicted}");
            assert!(variance_inflation(&noise, n) > 1.5);
            if slow == 1.0 {
                // The tail: at least 5 of 13 outside is rare for independent noise, not for
                // this.
                assert!(binomial_upper_tail(n, 0.1, 5) < 0.01);
                let clustered = outside_upper_tail(n, &noise, 5);
                let share = counts.iter().filter(|c| **c >= 5.0).count() as f64 / reps as f64;
                assert!(
                    clustered > 0.01 && (clustered / share - 1.0).abs() < 0.25,
                    "{clustered} {share}"
                );
            }
        }
        assert_eq!(variance_inflation(&Noise::INDEPENDENT, n), 1.0);
    }
}
