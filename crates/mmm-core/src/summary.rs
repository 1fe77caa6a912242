//! Posterior summaries: means, central intervals and convergence diagnostics of draws.
//!
//! Quantiles interpolate linearly between order statistics (NumPy's default), so intervals
//! agree with tools written in Python (Meridian, ArviZ) to rounding.

use crate::document::Interval;

/// The standard normal distribution function `Φ(z)`, to about 1e-7 (the complementary error
/// function by the Chebyshev fit of Numerical Recipes, `erfcc`).
pub fn normal_cdf(z: f64) -> f64 {
    let x = -z / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.5 * x.abs());
    let poly = -x * x - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let erfc = t * poly.exp();
    0.5 * if x >= 0.0 { erfc } else { 2.0 - erfc }
}

/// A weighted mixture of normals: `Σ w_i N(mean_i, sd_i²)` with `Σ w_i = 1`.
#[derive(Debug, Clone, Default)]
pub(crate) struct NormalMixture {
    pub(crate) weights: Vec<f64>,
    pub(crate) means: Vec<f64>,
    pub(crate) sds: Vec<f64>,
}

impl NormalMixture {
    pub(crate) fn mean(&self) -> f64 {
        self.weights.iter().zip(&self.means).map(|(w, m)| w * m).sum()
    }

    /// Between-component spread plus the mean within-component variance.
    pub(crate) fn variance(&self) -> f64 {
        let mean = self.mean();
        self.weights
            .iter()
            .zip(self.means.iter().zip(&self.sds))
            .map(|(w, (m, s))| w * ((m - mean).powi(2) + s * s))
            .sum()
    }

    /// The distribution function and the density at `x` (components of zero spread add a step
    /// and no density).
    pub(crate) fn cdf_pdf(&self, x: f64) -> (f64, f64) {
        let mut cdf = 0.0;
        let mut pdf = 0.0;
        for (w, (m, s)) in self.weights.iter().zip(self.means.iter().zip(&self.sds)) {
            if *s > 0.0 {
                let z = (x - m) / s;
                cdf += w * normal_cdf(z);
                pdf += w * (-0.5 * z * z).exp() / (s * (2.0 * std::f64::consts::PI).sqrt());
            } else if x >= *m {
                cdf += w;
            }
        }
        (cdf, pdf)
    }

    /// The `p` quantile: Newton steps on the distribution function, kept inside a bracket that
    /// starts at the components' far tails and falls back to bisection.
    pub(crate) fn quantile(&self, p: f64) -> f64 {
        let mut lo = f64::INFINITY;
        let mut hi = f64::NEG_INFINITY;
        for (m, s) in self.means.iter().zip(&self.sds) {
            lo = lo.min(m - 9.0 * s);
            hi = hi.max(m + 9.0 * s);
        }
        if !(lo.is_finite() && hi.is_finite()) {
            return f64::NAN;
        }
        let tolerance = 1e-10 * (hi - lo);
        let mut x = 0.5 * (lo + hi);
        for _ in 0..200 {
            let (cdf, pdf) = self.cdf_pdf(x);
            if cdf < p {
                lo = x;
            } else {
                hi = x;
            }
            let newton = x - (cdf - p) / pdf;
            let next =
                if pdf > 0.0 && newton > lo && newton < hi { newton } else { 0.5 * (lo + hi) };
            if hi - lo <= tolerance || (next - x).abs() <= tolerance {
                return next;
            }
            x = next;
        }
        x
    }
}

/// The probability that a normally distributed quantity with this mean and sd is positive;
/// with no spread, 1, 0 or ½ by the sign of the mean.
pub fn probability_positive(mean: f64, sd: f64) -> f64 {
    if sd > 0.0 {
        normal_cdf(mean / sd)
    } else if mean > 0.0 {
        1.0
    } else if mean < 0.0 {
        0.0
    } else {
        0.5
    }
}

/// Split-R̂ of one quantity over chains (Gelman et al.), chains of equal length.
pub fn split_rhat(chains: &[Vec<f64>]) -> f64 {
    let halves: Vec<&[f64]> = chains
        .iter()
        .flat_map(|c| {
            let h = c.len() / 2;
            [&c[..h], &c[h..2 * h]]
        })
        .collect();
    let m = halves.len() as f64;
    let n = halves.first().map_or(0, |h| h.len()) as f64;
    if n < 2.0 {
        return f64::NAN;
    }
    let means: Vec<f64> = halves.iter().map(|h| h.iter().sum::<f64>() / n).collect();
    let grand = means.iter().sum::<f64>() / m;
    let b = n / (m - 1.0) * means.iter().map(|x| (x - grand).powi(2)).sum::<f64>();
    let w = halves
        .iter()
        .zip(&means)
        .map(|(h, mu)| h.iter().map(|x| (x - mu).powi(2)).sum::<f64>() / (n - 1.0))
        .sum::<f64>()
        / m;
    if w <= 0.0 {
        return 1.0;
    }
    (((n - 1.0) / n * w + b / n) / w).sqrt()
}

/// Effective sample size over chains (Geyer's initial positive sequence on the pooled
/// autocorrelation).
pub fn ess(chains: &[Vec<f64>]) -> f64 {
    let m = chains.len();
    let n = chains.iter().map(Vec::len).min().unwrap_or(0);
    if n < 4 || m == 0 {
        return 0.0;
    }
    let means: Vec<f64> = chains.iter().map(|c| c[..n].iter().sum::<f64>() / n as f64).collect();
    let vars: Vec<f64> = chains
        .iter()
        .zip(&means)
        .map(|(c, mu)| c[..n].iter().map(|x| (x - mu).powi(2)).sum::<f64>() / n as f64)
        .collect();
    let w = vars.iter().sum::<f64>() / m as f64;
    if w <= 0.0 {
        return (m * n) as f64;
    }
    let grand = means.iter().sum::<f64>() / m as f64;
    let b_over_n = means.iter().map(|x| (x - grand).powi(2)).sum::<f64>() / (m.max(2) - 1) as f64;
    let var_plus = w * (n as f64 - 1.0) / n as f64 + b_over_n;
    let rho = |lag: usize| -> f64 {
        let acov: f64 = chains
            .iter()
            .zip(&means)
            .map(|(c, mu)| {
                (0..n - lag).map(|t| (c[t] - mu) * (c[t + lag] - mu)).sum::<f64>() / n as f64
            })
            .sum::<f64>()
            / m as f64;
        1.0 - (w - acov) / var_plus
    };
    let mut sum = 0.0;
    let mut lag = 1;
    while lag + 1 < n {
        let pair = rho(lag) + rho(lag + 1);
        if pair <= 0.0 {
            break;
        }
        sum += pair;
        lag += 2;
    }
    (m * n) as f64 / (1.0 + 2.0 * sum)
}

/// The `q`-quantile of sorted values, interpolating linearly between order statistics (NumPy's
/// default method); NaN for no values.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

/// Mean and central 90% interval `[5th, 95th percentile]` of draws.
pub fn summarise(values: &[f64]) -> (f64, Interval) {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mean = values.iter().sum::<f64>() / values.len().max(1) as f64;
    (mean, [quantile(&sorted, 0.05), quantile(&sorted, 0.95)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_cdf_matches_tables() {
        // Φ from standard tables (to 7 decimals).
        for (z, p) in [
            (0.0, 0.5),
            (1.0, 0.841_344_7),
            (1.644_853_6, 0.95),
            (-1.959_964, 0.025),
            (3.0, 0.998_650_1),
            (-4.0, 0.000_031_7),
        ] {
            assert!((normal_cdf(z) - p).abs() < 2e-7, "Φ({z}) = {} against {p}", normal_cdf(z));
        }
        assert!(normal_cdf(-40.0) >= 0.0 && normal_cdf(40.0) <= 1.0);
    }

    #[test]
    fn summaries_by_hand() {
        // 0..=100: mean 50; NumPy's 5% and 95% quantiles are 5 and 95.
        let v: Vec<f64> = (0..=100).map(f64::from).collect();
        let (mean, [lo, hi]) = summarise(&v);
        assert_eq!((mean, lo, hi), (50.0, 5.0, 95.0));
    }
}
