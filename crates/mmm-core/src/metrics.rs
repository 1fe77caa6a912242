//! Goodness-of-fit measures, and the correlation of two series.

/// Coefficient of determination `1 − Σ(y − ŷ)² / Σ(y − ȳ)²` (0 when `y` is constant).
pub fn r2(actual: &[f64], predicted: &[f64]) -> f64 {
    let n = actual.len().max(1) as f64;
    let mean = actual.iter().sum::<f64>() / n;
    let ss_tot: f64 = actual.iter().map(|y| (y - mean).powi(2)).sum();
    let ss_res: f64 = actual.iter().zip(predicted).map(|(y, p)| (y - p).powi(2)).sum();
    if ss_tot > 0.0 { 1.0 - ss_res / ss_tot } else { 0.0 }
}

/// Mean absolute percentage error `mean |y − ŷ| / |y|`, as a fraction, over periods with `y ≠ 0`.
pub fn mape(actual: &[f64], predicted: &[f64]) -> f64 {
    let (sum, count) = actual
        .iter()
        .zip(predicted)
        .filter(|(y, _)| **y != 0.0)
        .fold((0.0, 0usize), |(s, c), (y, p)| (s + ((y - p) / y).abs(), c + 1));
    if count > 0 { sum / count as f64 } else { 0.0 }
}

/// Root mean squared error divided by the range of `y` (0 when `y` is constant).
pub fn nrmse(actual: &[f64], predicted: &[f64]) -> f64 {
    let n = actual.len().max(1) as f64;
    let rmse = (actual.iter().zip(predicted).map(|(y, p)| (y - p).powi(2)).sum::<f64>() / n).sqrt();
    let (lo, hi) =
        actual.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), y| (l.min(*y), h.max(*y)));
    if hi > lo { rmse / (hi - lo) } else { 0.0 }
}

/// Pearson correlation of two series over their common length; `None` when either is constant.
pub fn correlation(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len().min(y.len());
    if n < 3 {
        return None;
    }
    let mean = |v: &[f64]| v[..n].iter().sum::<f64>() / n as f64;
    let (mx, my) = (mean(x), mean(y));
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x[..n].iter().zip(&y[..n]) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    let r = sxy / (sxx * syy).sqrt();
    (sxx > 0.0 && syy > 0.0 && r.is_finite()).then_some(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_hand() {
        let y = [1.0, 2.0, 3.0, 4.0];
        let p = [1.0, 2.0, 3.0, 5.0];
        // ȳ = 2.5, SS_tot = 5, SS_res = 1.
        assert!((r2(&y, &p) - 0.8).abs() < 1e-15);
        // |0| + |0| + |0| + 1/4, over 4 periods.
        assert!((mape(&y, &p) - 0.0625).abs() < 1e-15);
        // RMSE = sqrt(1/4) = 0.5; range 3.
        assert!((nrmse(&y, &p) - 0.5 / 3.0).abs() < 1e-15);
        assert_eq!(r2(&y, &y), 1.0);
    }

    #[test]
    fn degenerate_inputs_do_not_divide_by_zero() {
        assert_eq!(r2(&[2.0, 2.0], &[1.0, 3.0]), 0.0);
        assert_eq!(mape(&[0.0], &[1.0]), 0.0);
        assert_eq!(nrmse(&[5.0, 5.0], &[5.0, 6.0]), 0.0);
    }

    #[test]
    fn a_constant_or_short_series_has_no_correlation() {
        assert_eq!(correlation(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]), None);
        assert_eq!(correlation(&[1.0, 2.0], &[1.0, 2.0]), None);
        // By hand: x = 1, 2, 3 and y = 2, 4, 7: deviations −1, 0, 1 and −2.33, −0.33, 2.67;
        // Σxy = 5, Σx² = 2, Σy² = 12.67, r = 5 / √25.33.
        let r = correlation(&[1.0, 2.0, 3.0], &[2.0, 4.0, 7.0]).unwrap();
        assert!((r - 5.0 / (2.0f64 * 38.0 / 3.0).sqrt()).abs() < 1e-12, "{r}");
    }
}
