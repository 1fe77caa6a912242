//! Centre of the pooled ROI prior: the typical channel's ROI, estimated from the data.
//!
//! The pooled prior says that each channel's ROI is drawn around a common centre `m` with spread
//! `τ m`. Given each channel's prior-free ROI estimate `y_c` with sampling variance `v_c`, that
//! hierarchy makes `y_c ~ N(m, v_c + τ² m²)`, and the maximum-likelihood centre is the weighted
//! mean
//!
//! `m = Σ w_c y_c / Σ w_c`, `w_c = 1 / (v_c + τ² m²)`,
//!
//! solved by fixed-point iteration. A channel the data pin down weighs `1 / (τ m)²`, whatever its
//! spend; a channel the data barely see weighs next to nothing. The spend-weighted media ROI,
//! which the large channels dominate, would pull the small channels towards the large ones' ROI.

/// Fixed-point iterations at most; the iteration converges in a handful on real fits.
const MAX_ITERATIONS: usize = 200;

/// The maximum-likelihood centre of `estimates` (each `(ROI, sampling variance)`) under relative
/// spread `tau`, iterated from `start`, and its variance `1 / Σ w_c` (the weights at the
/// centre). `None` when the centre is not a positive finite number (no media signal at all, or
/// a degenerate estimate).
pub(super) fn typical_roi(estimates: &[(f64, f64)], tau: f64, start: f64) -> Option<(f64, f64)> {
    let usable = |&(y, v): &(f64, f64)| y.is_finite() && v.is_finite() && v >= 0.0;
    if estimates.is_empty() || !estimates.iter().all(usable) || tau.is_nan() || tau <= 0.0 {
        return None;
    }
    let mut centre = start;
    for _ in 0..MAX_ITERATIONS {
        if !(centre > 0.0 && centre.is_finite()) {
            return None;
        }
        let spread = (tau * centre).powi(2);
        let (weights, weighted) = estimates.iter().fold((0.0, 0.0), |(sw, swy), &(y, v)| {
            let w = 1.0 / (v + spread);
            (sw + w, swy + w * y)
        });
        let next = weighted / weights;
        let converged = (next - centre).abs() <= 1e-12 * centre;
        centre = next;
        if converged {
            break;
        }
    }
    if !(centre > 0.0 && centre.is_finite()) {
        return None;
    }
    let spread = (tau * centre).powi(2);
    let weights: f64 = estimates.iter().map(|&(_, v)| 1.0 / (v + spread)).sum();
    Some((centre, 1.0 / weights))
}

#[cfg(test)]
mod tests {
    use super::typical_roi;

    #[test]
    fn equally_certain_channels_weigh_the_same_whatever_their_spend() {
        // Spend plays no part: two channels known exactly, ROIs 1 and 3, centre 2.
        let (m, variance) = typical_roi(&[(1.0, 0.0), (3.0, 0.0)], 0.5, 5.0).expect("centre");
        assert!((m - 2.0).abs() < 1e-9, "{m}");
        // Two measurements of spread τm = 1 each: the centre's variance is 1/2.
        assert!((variance - 0.5).abs() < 1e-9, "{variance}");
    }

    #[test]
    fn an_uncertain_channel_weighs_less() {
        // By hand: at m = 1.5 and τ = 0.5, τ²m² = 0.5625. The exact channel weighs 1 / 0.5625
        // and the one with variance 1.125 a third of that, so (1 · 3 + 3 · 1) / 4 = 1.5: a fixed
        // point.
        let (m, variance) = typical_roi(&[(1.0, 0.0), (3.0, 1.125)], 0.5, 2.0).expect("centre");
        assert!((m - 1.5).abs() < 1e-9, "{m}");
        // 1 / (1/0.5625 + 1/1.6875) = 0.421875.
        assert!((variance - 0.421_875).abs() < 1e-9, "{variance}");
        // A channel the data do not see at all leaves the centre to the others.
        let (m, _) =
            typical_roi(&[(1.0, 0.01), (1.2, 0.01), (9.0, 1e12)], 0.5, 3.0).expect("centre");
        assert!((m - 1.1).abs() < 1e-6, "{m}");
    }

    #[test]
    fn no_media_signal_gives_no_centre() {
        assert_eq!(typical_roi(&[(0.0, 0.0), (0.0, 0.5)], 0.5, 1.0), None);
        assert_eq!(typical_roi(&[], 0.5, 1.0), None);
        assert_eq!(typical_roi(&[(1.0, f64::NAN)], 0.5, 1.0), None);
        assert_eq!(typical_roi(&[(1.0, 0.1)], 0.0, 1.0), None);
        assert_eq!(typical_roi(&[(1.0, 0.1)], 0.5, 0.0), None);
    }
}
