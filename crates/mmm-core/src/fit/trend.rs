//! How far the trend bends: the prior on the slope changes at the trend's knots.
//!
//! The baseline's trend is a straight line plus a hinge `max(0, x − κ_i)` at each knot, whose
//! coefficient (the bend) has a normal prior with precision `λ / σ²` (conjugate, like the other
//! priors). A bent trend and slow-moving media explain the same slow movements of the KPI, so
//! knots left free would take media effects, and a fixed prior would cost data whose trend is
//! straight. Instead the data choose, once, when the ROI prior is set: at the curve shapes of
//! the prior-free optimum, the marginal likelihood of the data (the linear coefficients and the
//! noise integrated out, as in the Bayesian fit's marginal posterior, `Problem::marginal_at`)
//! with the bends' prior is
//!
//! `ln p(y | λ) = K/2 · ln λ − ½ ln |XᵀX + D_λ| − dof/2 · ln S_λ + (terms without λ)`
//!
//! where `X` holds the baseline columns and the media features, `D_λ` the priors' precisions
//! (`λ` on the `K` bends) and `S_λ` the penalised residual sum of squares at its minimum. As
//! `λ → ∞` it tends to the straight trend's, which competes on the same footing: averaged over
//! the spreads tried, the bends must explain more than their freedom costs, or the trend stays
//! straight.

use super::Problem;
use crate::baseline::{hinge, trend_position};
use nalgebra::{DMatrix, DVector};

/// Prior standard deviations of a bend tried, relative to the mean KPI.
const BEND_SDS: [f64; 7] = [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5];

/// The hinge columns of `knots` over `n` periods (period × knot), `n_fit` of them fitted.
pub(super) fn hinge_columns(knots: &[f64], n: usize, n_fit: usize) -> DMatrix<f64> {
    DMatrix::from_fn(n, knots.len(), |t, i| hinge(trend_position(t, n_fit), knots[i]))
}

/// The bends' prior precision at `knots` (relative to the noise variance `sigma2`, as a ridge
/// weight in the fit's scaled units) that maximises the marginal likelihood at the curve shapes
/// `u`, or `None` when a straight trend is the more likely.
pub(super) fn bend_weight(
    problem: &Problem,
    u: &DVector<f64>,
    knots: &[f64],
    sigma2: f64,
) -> Option<f64> {
    if knots.is_empty() || !(sigma2 > 0.0 && sigma2.is_finite()) {
        return None;
    }
    // The marginal posterior of the curve shapes is the linear part's evidence plus terms that
    // do not depend on the bends' prior (`Problem::marginal_at`); the bends' prior adds its
    // normalising constant, `K/2 · ln λ`.
    let straight = problem.marginal_at(u, false)?.logp;
    let tried: Vec<(f64, f64)> = BEND_SDS
        .iter()
        .filter_map(|sd| {
            let weight = sigma2 / (sd * sd);
            let mut bent = problem.clone();
            bent.bend(knots.to_vec(), weight);
            let logp = bent.marginal_at(u, false)?.logp;
            Some((logp + 0.5 * knots.len() as f64 * weight.ln(), weight))
        })
        .filter(|t| t.0.is_finite())
        .collect();
    let top = tried.iter().map(|t| t.0).fold(f64::NEG_INFINITY, f64::max);
    if !top.is_finite() {
        return None;
    }
    // The bent trend's evidence averages over the spreads tried (equally likely a priori), so
    // its extra freedom pays its Occam factor; even odds between bent and straight.
    let bent =
        top + (tried.iter().map(|t| (t.0 - top).exp()).sum::<f64>() / BEND_SDS.len() as f64).ln();
    if bent <= straight {
        return None;
    }
    tried.into_iter().max_by(|x, y| x.0.total_cmp(&y.0)).map(|(_, weight)| weight)
}

#[cfg(test)]
mod tests {
    use crate::fit::{Problem, fit};
    use crate::simulate::{SimConfig, Simulation, simulate};
    use crate::spec::ModelSpec;

    /// A simulated market whose growth slows down: its KPI gains `amplitude · intercept ·
    /// x (1 − x)` on top of the simulator's straight trend, at `x = t / (n − 1)`. Returns the
    /// data and that bend per period.
    fn bent(seed: u64, amplitude: f64) -> (Simulation, Vec<f64>) {
        let mut s = simulate(&SimConfig { seed, noise: 0.03, ..SimConfig::default() });
        let n = s.dataset.kpi.len();
        let scale = amplitude * s.truth.baseline.intercept;
        let bend: Vec<f64> = (0..n)
            .map(|t| {
                let x = t as f64 / (n - 1) as f64;
                scale * x * (1.0 - x)
            })
            .collect();
        for (v, b) in s.dataset.kpi.iter_mut().zip(&bend) {
            *v += b;
        }
        (s, bend)
    }

    /// Root mean square of `a − b` once their means are matched (the intercept takes any
    /// constant).
    fn centred_rms(a: &[f64], b: &[f64]) -> f64 {
        let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
        let mean = d.iter().sum::<f64>() / d.len() as f64;
        (d.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / d.len() as f64).sqrt()
    }

    #[test]
    fn a_straight_trend_stays_straight_and_costs_nothing() {
        // The simulator's own trend is straight: the data do not ask for a bend, and the fit
        // is the one without knots, number for number.
        let s = simulate(&SimConfig { seed: 6, noise: 0.05, ..SimConfig::default() });
        let with = fit(&s.dataset, &ModelSpec::default(), None).unwrap();
        assert!(ModelSpec::default().trend_knots > 0);
        assert!(with.baseline.trend_knots.is_empty() && with.baseline.trend_bends.is_empty());
        assert_eq!(with.format_version, 2);
        let mut without =
            fit(&s.dataset, &ModelSpec { trend_knots: 0, ..ModelSpec::default() }, None).unwrap();
        without.spec.trend_knots = with.spec.trend_knots;
        assert_eq!(without, with);
    }

    #[test]
    fn a_bent_trend_is_followed() {
        let (s, bend) = bent(8, 0.5);
        let n = bend.len();
        // The truth's trend part: the simulator's straight trend plus the bend.
        let truth: Vec<f64> =
            (0..n).map(|t| s.truth.baseline.trend * t as f64 / (n - 1) as f64 + bend[t]).collect();
        let doc = fit(&s.dataset, &ModelSpec::default(), None).unwrap();
        assert_eq!(doc.baseline.trend_knots, vec![0.2, 0.4, 0.6, 0.8]);
        assert_eq!(doc.format_version, 4);
        // Concave: the slope falls at the knots, most at the first.
        assert!(doc.baseline.trend_bends.iter().sum::<f64>() < 0.0, "{:?}", doc.baseline);
        let straight =
            fit(&s.dataset, &ModelSpec { trend_knots: 0, ..ModelSpec::default() }, None).unwrap();
        assert!(straight.baseline.trend_knots.is_empty());
        // What of the bend no straight line takes: its residual from its least-squares line.
        let xs: Vec<f64> = (0..n).map(|t| t as f64 / (n - 1) as f64).collect();
        let (mx, mb) = (xs.iter().sum::<f64>() / n as f64, bend.iter().sum::<f64>() / n as f64);
        let slope = xs.iter().zip(&bend).map(|(x, b)| (x - mx) * (b - mb)).sum::<f64>()
            / xs.iter().map(|x| (x - mx).powi(2)).sum::<f64>();
        let line: Vec<f64> = xs.iter().map(|x| slope * x).collect();
        let size = centred_rms(&bend, &line);
        let missed = centred_rms(&doc.series.trend, &truth);
        let missed_straight = centred_rms(&straight.series.trend, &truth);
        assert!(missed < 0.5 * size, "bent trend off by {missed:.0}, the bend is {size:.0}");
        assert!(missed_straight > 0.8 * size, "{missed_straight:.0} against {size:.0}");
        assert!(doc.fit.r2 > straight.fit.r2);
        // The document recomputes the same trend from its knots and bends.
        let back = crate::document::ModelDocument::from_json(&doc.to_json()).unwrap();
        assert_eq!(back, doc);
        for t in [0, n / 3, n - 1] {
            let parts = doc.baseline.parts(
                t,
                &doc.series.control_values.iter().map(|c| c.values[t]).collect::<Vec<_>>(),
            );
            assert!((parts.trend - doc.series.trend[t]).abs() < 1e-6 * size, "period {t}");
        }
    }

    #[test]
    fn the_gradient_holds_with_the_bends() {
        let (s, _) = bent(8, 0.5);
        let spec = ModelSpec::default();
        // `check_gradient_on` calibrates at this start too: the data ask for the bends there.
        let mut problem = Problem::new(&s.dataset, &spec).unwrap();
        let u = problem.starts(1, 0).remove(0);
        problem.calibrate(&u, Some(0.5));
        assert_eq!(problem.knots.len(), spec.trend_knots);
        assert_eq!(problem.btb.nrows(), 2 + 4 + 2 * spec.yearly_harmonics + 2);
        crate::fit::tests::check_gradient_on(&s.dataset, &spec, true);
    }
}
