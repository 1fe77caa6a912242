//! The MAP fit's ROI as a posterior mean: importance sampling of the transform parameters
//! around the MAP point.
//!
//! A channel's ROI is `β_c k_c(θ)`, and `k_c` (how much of the channel's spend its curve turns
//! into response) depends strongly on the curve shape θ, which the data often leave open: an
//! always-on channel shows only the slope of its curve near its usual spend, and its ROI is an
//! extrapolation of that curve down to zero. The ROI at the single most likely θ is then a poor
//! summary; its average over the θ the data allow is better (measured in docs/benchmarks.md,
//! "The MAP fit's ROI as a posterior mean").
//!
//! The average is over the marginal posterior of θ that the Bayesian fit samples (β and σ²
//! integrated out exactly, see `bayes`). Instead of NUTS, θ is drawn from a Student-t proposal
//! with the Laplace step's covariance, widened, centred one Newton step from the MAP point
//! towards the posterior's mode, and each draw is weighted by posterior over proposal density,
//! with the largest weights Pareto-smoothed (`pareto_smooth`). Given θ, the ROI is normal with mean `β̂_c k_c`
//! and variance `σ² [A⁻¹]_cc k_c²`, so its posterior is the weighted mixture of those normals:
//! the mean is the weighted mean of the conditional means, the variance adds the spread between
//! draws to the mean conditional variance, and the 90% interval is read off the mixture's
//! distribution function. The marginal ROI at current spend, `β_c h'_c(x_c)`, is normal given θ
//! too and is averaged the same way. If those draws are too few to average, which happens with
//! many channels, a second batch from the posterior's own curvature is pooled with them
//! (`Draws::pool`). The per-period decomposition is averaged over the same weighted draws.
//!
//! For everything that needs whole curves (the stored curves' means and bands, the optimiser's
//! expected response and its chances), the weighted draws are resampled systematically to
//! equally weighted ones, each with β and σ drawn given its θ as the Bayesian fit draws them,
//! and stored in the document like a Bayesian fit's draws.

use super::*;
use crate::document::Interval;
use crate::summary::NormalMixture;
use rand_distr::{ChiSquared, Distribution, StandardNormal};

/// Draws of θ (in antithetic pairs).
const DRAWS: usize = 400;

/// Degrees of freedom of the Student-t proposal: tails heavier than the posterior's keep the
/// weights bounded.
const PROPOSAL_DOF: f64 = 5.0;

/// Spread of the proposal relative to the Laplace covariance (and of a second batch's, relative
/// to the posterior's curvature). Over seeds 1000-1023 the mean effective sample size was 39 of
/// 400 draws at 1.0, 54 at 1.3 and 39 at 1.6; the estimates barely moved.
const PROPOSAL_WIDEN: f64 = 1.3;

/// Fewer effective draws than this and the average is too noisy to replace the MAP figures.
const MIN_EFFECTIVE_DRAWS: f64 = 10.0;

/// Draws kept in the document, resampled from the weighted ones (as many as a Bayesian fit keeps).
const KEPT_DRAWS: usize = 200;

/// The MAP fit's posterior, averaged over the transform parameters.
pub(super) struct Posterior {
    /// Per channel, the ROI and the marginal ROI at current spend.
    pub channels: Vec<(Figure, Figure)>,
    /// Equally weighted draws `(u, β, σ)` resampled from the weighted ones, each with β and σ
    /// drawn given θ, as the Bayesian fit keeps them.
    pub kept: Vec<(DVector<f64>, DVector<f64>, f64)>,
    /// The decomposition's posterior means, in KPI units: per channel its contribution in each
    /// period, and the baseline's coefficients (in the fit's column order). Weighted like the
    /// ROI, given θ the coefficients' conditional means, so each channel's periods add up to
    /// its mean contribution.
    pub decomposition: (Vec<Vec<f64>>, Vec<f64>),
}

/// The posterior of one figure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Figure {
    /// Posterior mean.
    pub mean: f64,
    /// Posterior variance.
    pub variance: f64,
    /// Central 90% interval, floored at 0 (the figures are non-negative).
    pub interval: Interval,
}

/// The mean, variance and central 90% interval (floored at 0) of a mixture.
fn figure(mixture: &NormalMixture) -> Figure {
    Figure {
        mean: mixture.mean(),
        variance: mixture.variance(),
        interval: [mixture.quantile(0.05).max(0.0), mixture.quantile(0.95).max(0.0)],
    }
}

/// One draw of the unconstrained θ.
struct Point {
    u: DVector<f64>,
    /// The marginal posterior at `u`.
    marginal: bayes::Marginal,
    /// Per channel, its feature over every period.
    features: Vec<Vec<f64>>,
}

/// Weighted draws of θ and each channel's ROI given them.
struct Draws {
    log_weights: Vec<f64>,
    points: Vec<Point>,
    roi: Vec<NormalMixture>,
    mroi: Vec<NormalMixture>,
}

impl Draws {
    /// The weights, Pareto-smoothed and scaled to sum to 1.
    fn normalised(&self) -> Vec<f64> {
        let top = self.log_weights.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let mut weights: Vec<f64> = self.log_weights.iter().map(|l| (l - top).exp()).collect();
        pareto_smooth(&mut weights);
        let total: f64 = weights.iter().sum();
        weights.iter().map(|w| w / total).collect()
    }

    /// Pools `more` into these draws, the two batches drawn from the Student-t proposals around
    /// `centre` with square-root scales `roots` (these draws' first), as draws from the mixture
    /// of the two in proportion to their counts (multiple importance sampling with the balance
    /// heuristic: each draw is weighted by posterior over the mixture's density). `None` if a
    /// root is singular.
    fn pool(
        &mut self,
        more: Draws,
        centre: &DVector<f64>,
        roots: [&DMatrix<f64>; 2],
    ) -> Option<()> {
        let (a, b) = (self.points.len() as f64, more.points.len() as f64);
        // Per proposal: the inverse of its root, the log of its density's normalisation and its
        // share. Computed before anything changes, so a singular root leaves the draws as they
        // were.
        let components = roots
            .iter()
            .zip([a / (a + b), b / (a + b)])
            .map(|(r, share)| {
                let lu = (*r).clone().lu();
                let log_det: f64 = lu.u().diagonal().iter().map(|v| v.abs().ln()).sum();
                Some((lu.try_inverse()?, log_det, share))
            })
            .collect::<Option<Vec<_>>>()?;
        self.points.extend(more.points);
        for (mine, theirs) in
            self.roi.iter_mut().chain(&mut self.mroi).zip(more.roi.into_iter().chain(more.mroi))
        {
            mine.means.extend(theirs.means);
            mine.sds.extend(theirs.sds);
        }
        self.log_weights = self
            .points
            .iter()
            .map(|p| p.marginal.logp - log_mixture_density(&(&p.u - centre), &components))
            .collect();
        Some(())
    }
}

/// Log density, up to a constant common to all components, at `offset` from the centre of a
/// mixture of multivariate Student-t proposals ([`PROPOSAL_DOF`] degrees of freedom), each
/// given as the inverse of its square-root scale, the log determinant of that root, and its
/// share of the mixture.
fn log_mixture_density(offset: &DVector<f64>, components: &[(DMatrix<f64>, f64, f64)]) -> f64 {
    let d = offset.len() as f64;
    let log_q: Vec<f64> = components
        .iter()
        .map(|(inverse, log_det, share)| {
            let distance = (inverse * offset).norm_squared();
            share.ln() - log_det - 0.5 * (PROPOSAL_DOF + d) * (distance / PROPOSAL_DOF).ln_1p()
        })
        .collect();
    let top = log_q.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    top + log_q.iter().map(|q| (q - top).exp()).sum::<f64>().ln()
}

/// Effective sample size (Kish) of normalised weights.
fn effective_draws(weights: &[f64]) -> f64 {
    1.0 / weights.iter().map(|w| w * w).sum::<f64>()
}

impl Problem {
    /// Posterior ROI and marginal ROI of every channel in real units, averaged over the
    /// transform parameters by importance sampling around the MAP point `u_map`, with
    /// `laplace_root` (a square root of the Laplace covariance of `u`) shaping the proposal, and
    /// equally weighted draws resampled from the weighted ones. `current` is each channel's
    /// current spend per period in scaled units, where the marginal ROI is taken. `None` if a
    /// channel has no ROI prior or the draws are too few to average.
    pub(super) fn posterior(
        &self,
        u_map: &DVector<f64>,
        laplace_root: &DMatrix<f64>,
        current: &[f64],
        seed: u64,
    ) -> Option<Posterior> {
        // Without a proper prior on a coefficient its posterior mean need not exist: with the ROI
        // prior off, draws where a channel's feature nearly vanishes give it an unbounded ROI.
        if !self.roi_prior.as_ref().is_some_and(|p| p.iter().all(|c| c.weight > 0.0)) {
            return None;
        }
        // The MAP objective profiles β where the posterior integrates it out, and has no
        // Jacobian term: one damped Newton step, with the Laplace covariance, moves the centre
        // towards the posterior's mode.
        let at = self.marginal(u_map)?;
        let newton = laplace_root * (laplace_root.transpose() * DVector::from_vec(at.gradient));
        let mut centre = u_map.clone();
        let mut step = 1.0;
        for _ in 0..6 {
            let candidate = u_map + &newton * step;
            if self.marginal_at(&candidate, false).is_some_and(|m| m.logp > at.logp) {
                centre = candidate;
                break;
            }
            step *= 0.5;
        }
        let root = laplace_root * PROPOSAL_WIDEN;
        let mut rng = StdRng::seed_from_u64(seed ^ 0x1a9_1ace);
        let mut draws = self.draw_from(&centre, &root, current, DRAWS, &mut rng)?;
        let mut weights = draws.normalised();
        // NaN (no finite weight) fails this too.
        let enough = |weights: &[f64]| effective_draws(weights) >= MIN_EFFECTIVE_DRAWS;
        if !enough(&weights) {
            // With many channels the Laplace step's curvature (of the MAP objective, which
            // profiles β) can miss the posterior's: a second batch from the posterior's own
            // curvature at the centre, pooled with the first.
            let second_root = super::laplace::covariance_root(self.marginal_curvature(&centre)?)?
                * PROPOSAL_WIDEN;
            let second = self.draw_from(&centre, &second_root, current, DRAWS, &mut rng)?;
            draws.pool(second, &centre, [&root, &second_root])?;
            weights = draws.normalised();
            if !enough(&weights) {
                return None;
            }
        }
        let summarise = |mut mixture: NormalMixture| {
            mixture.weights.clone_from(&weights);
            figure(&mixture)
        };
        let figures: Vec<(Figure, Figure)> = draws
            .roi
            .into_iter()
            .zip(draws.mroi)
            .map(|(roi, mroi)| (summarise(roi), summarise(mroi)))
            .collect();
        let finite = figures.iter().flat_map(|(a, b)| [a, b]).all(|f| {
            f.mean.is_finite() && f.variance.is_finite() && f.interval.iter().all(|v| v.is_finite())
        });
        if !finite {
            return None;
        }
        let chi = ChiSquared::new(self.noise_dof()).ok()?;
        let kept = resample(&weights, KEPT_DRAWS, rng.random::<f64>())
            .into_iter()
            .map(|i| {
                let point = &draws.points[i];
                let (beta, sigma) = self.draw_linear(&point.marginal, &chi, &mut rng);
                (point.u.clone(), beta, sigma)
            })
            .collect();
        let decomposition = self.mean_decomposition(&draws.points, &weights);
        Some(Posterior { channels: figures, kept, decomposition })
    }

    /// The weighted mean over `points` of each channel's contribution per period and of the
    /// baseline's coefficients, given θ at their conditional means (media coefficients clamped
    /// at zero, as in the ROI's mixture).
    fn mean_decomposition(&self, points: &[Point], weights: &[f64]) -> (Vec<Vec<f64>>, Vec<f64>) {
        let nb = self.btb.nrows();
        let ys = self.y_scale;
        let mut baseline = vec![0.0; nb];
        let mut channels: Vec<Vec<f64>> = Vec::new();
        for (point, w) in points.iter().zip(weights).filter(|(_, w)| **w > 0.0) {
            let (m, features) = (&point.marginal, &point.features);
            let periods = features.first().map_or(0, Vec::len);
            channels.resize_with(features.len(), || vec![0.0; periods]);
            for (c, (mean, feature)) in channels.iter_mut().zip(features).enumerate() {
                let beta = m.beta_hat[nb + c].max(0.0) * ys * w;
                for (v, f) in mean.iter_mut().zip(feature) {
                    *v += beta * f;
                }
            }
            for (v, b) in baseline.iter_mut().zip(m.beta_hat.iter()) {
                *v += b * ys * w;
            }
        }
        (channels, baseline)
    }

    /// Negative Hessian of the log marginal posterior at `u`, by central differences of its
    /// exact gradient.
    fn marginal_curvature(&self, u: &DVector<f64>) -> Option<DMatrix<f64>> {
        const STEP: f64 = 1e-4;
        let d = u.len();
        let mut hessian = DMatrix::zeros(d, d);
        for j in 0..d {
            let (mut up, mut down) = (u.clone(), u.clone());
            up[j] += STEP;
            down[j] -= STEP;
            let (gu, gd) = (self.marginal(&up)?, self.marginal(&down)?);
            for i in 0..d {
                hessian[(i, j)] = -(gu.gradient[i] - gd.gradient[i]) / (2.0 * STEP);
            }
        }
        hessian.iter().all(|v| v.is_finite()).then_some(hessian)
    }

    /// `count` draws from the Student-t proposal `centre + root · t`, weighted by the marginal
    /// posterior over the proposal density.
    fn draw_from(
        &self,
        centre: &DVector<f64>,
        root: &DMatrix<f64>,
        current: &[f64],
        count: usize,
        rng: &mut StdRng,
    ) -> Option<Draws> {
        let d = centre.len();
        let nb = self.btb.nrows();
        let nc = self.channels();
        let dof = self.noise_dof();
        let chi = ChiSquared::new(PROPOSAL_DOF).ok()?;
        let na = self.adstock_len();
        let mut out = Draws {
            log_weights: Vec::with_capacity(count),
            points: Vec::with_capacity(count),
            roi: vec![NormalMixture::default(); nc],
            mroi: vec![NormalMixture::default(); nc],
        };
        let spend = &self.spend_total;
        let mut z = DVector::zeros(d);
        let mut radius = 1.0;
        for i in 0..count {
            // Antithetic pairs: the second of each pair mirrors the first through the centre.
            let sign = if i % 2 == 0 {
                z = DVector::from_fn(d, |_, _| StandardNormal.sample(rng));
                radius = (PROPOSAL_DOF / chi.sample(rng)).sqrt();
                1.0
            } else {
                -1.0
            };
            let x = centre + root * &z * (radius * sign);
            let distance = z.norm_squared() * radius * radius;
            let log_proposal = -0.5 * (PROPOSAL_DOF + d as f64) * (distance / PROPOSAL_DOF).ln_1p();
            let Some(mut m) = self.marginal_at(&x, false) else { continue };
            let sigma2 = m.s / (dof - 2.0).max(1.0);
            let inverse = m.chol.inverse();
            let (_, theta, _) = self.theta(&x);
            // The ROI is over every period, holdout included, as the document reports it.
            let features = if self.n_fit == self.periods() {
                std::mem::take(&mut m.features)
            } else {
                self.features(&theta)
            };
            let mut figures: Vec<[(f64, f64); 2]> = Vec::with_capacity(nc);
            for c in 0..nc {
                let Ok(saturation) = self.saturation_of(&theta[c][na..]) else { break };
                let beta = m.beta_hat[nb + c].max(0.0);
                let sd = (sigma2 * inverse[(nb + c, nb + c)]).max(0.0).sqrt();
                let to_real =
                    features[c].iter().sum::<f64>() / spend[c] * self.y_scale / self.scales[c];
                let slope = saturation.slope(current[c]) * self.y_scale / self.scales[c];
                figures.push([(beta * to_real, sd * to_real), (beta * slope, sd * slope)]);
            }
            let finite = figures.len() == nc
                && figures.iter().flatten().all(|(a, b)| a.is_finite() && b.is_finite());
            if !finite || !m.logp.is_finite() {
                continue;
            }
            out.log_weights.push(m.logp - log_proposal);
            out.points.push(Point { u: x, marginal: m, features });
            for (c, [roi, mroi]) in figures.into_iter().enumerate() {
                out.roi[c].means.push(roi.0);
                out.roi[c].sds.push(roi.1);
                out.mroi[c].means.push(mroi.0);
                out.mroi[c].sds.push(mroi.1);
            }
        }
        (!out.log_weights.is_empty()).then_some(out)
    }
}

/// Systematic resampling: `count` indices into `weights` (normalised), index `i` appearing
/// `count · w_i` times rounded up or down, from one uniform `offset` in [0, 1).
fn resample(weights: &[f64], count: usize, offset: f64) -> Vec<usize> {
    let mut out = Vec::with_capacity(count);
    let mut cumulative = 0.0;
    let mut i = 0;
    for j in 0..count {
        let target = (j as f64 + offset) / count as f64;
        while i + 1 < weights.len() && cumulative + weights[i] <= target {
            cumulative += weights[i];
            i += 1;
        }
        out.push(i);
    }
    out
}

/// Pareto-smoothed importance sampling (Vehtari, Simpson, Gelman, Yao and Gabry, 2024): the
/// largest weights, which make a plain importance average noisy, are replaced by the expected
/// order statistics of a generalized Pareto distribution fitted to them. Returns the fitted
/// shape `k̂`, the sampler's diagnostic (above 0.7 the average is unreliable), or `None` when
/// there are too few draws to fit and the weights are left as they are.
// Not inlined: inlined, criterion measured the whole fit at 156 x 5 3-4 ms slower (52-53 against
// 49 ms), though it takes 30 µs itself: code layout, as with `Problem::curve_levels`.
#[inline(never)]
fn pareto_smooth(weights: &mut [f64]) -> Option<f64> {
    let s = weights.len();
    let tail = ((0.2 * s as f64).floor() as usize).min((3.0 * (s as f64).sqrt()).ceil() as usize);
    if tail < 5 || s < 20 {
        return None;
    }
    let mut order: Vec<usize> = (0..s).collect();
    order.sort_by(|&a, &b| weights[a].total_cmp(&weights[b]));
    let cutoff = weights[order[s - tail - 1]];
    let largest = weights[order[s - 1]];
    let x: Vec<f64> = order[s - tail..].iter().map(|&i| weights[i] - cutoff).collect();
    let (k, sigma) = gpd_fit(&x)?;
    for (z, &i) in order[s - tail..].iter().enumerate() {
        let p = (z as f64 + 0.5) / tail as f64;
        let q = if k.abs() < 1e-12 {
            -sigma * (1.0 - p).ln()
        } else {
            sigma / k * ((1.0 - p).powf(-k) - 1.0)
        };
        weights[i] = (cutoff + q).min(largest);
    }
    Some(k)
}

/// Shape `k` and scale `σ` of a generalized Pareto distribution fitted to exceedances `x`
/// (sorted ascending, positive): the empirical-Bayes estimator of Zhang and Stephens (2009), with
/// the weak prior pulling `k` towards 0.5 that the loo package uses.
fn gpd_fit(x: &[f64]) -> Option<(f64, f64)> {
    let n = x.len();
    let prior = 3.0;
    let m = 30 + (n as f64).sqrt().floor() as usize;
    let quartile = x[((n as f64 / 4.0 + 0.5).floor() as usize).saturating_sub(1).min(n - 1)];
    let last = x[n - 1];
    if !(quartile > 0.0 && last > 0.0) {
        return None;
    }
    let bs: Vec<f64> = (1..=m)
        .map(|j| (1.0 - (m as f64 / (j as f64 - 0.5)).sqrt()) / (prior * quartile) + 1.0 / last)
        .collect();
    let ks: Vec<f64> =
        bs.iter().map(|b| x.iter().map(|v| (-b * v).ln_1p()).sum::<f64>() / n as f64).collect();
    let ls: Vec<f64> =
        bs.iter().zip(&ks).map(|(b, k)| n as f64 * ((-b / k).ln() - k - 1.0)).collect();
    let ws: Vec<f64> =
        (0..m).map(|j| 1.0 / ls.iter().map(|l| (l - ls[j]).exp()).sum::<f64>()).collect();
    let total: f64 = ws.iter().sum();
    let b_hat: f64 = bs.iter().zip(&ws).map(|(b, w)| b * w).sum::<f64>() / total;
    let k = x.iter().map(|v| (-b_hat * v).ln_1p()).sum::<f64>() / n as f64;
    let sigma = -k / b_hat;
    let k = (n as f64 * k + 10.0 * 0.5) / (n as f64 + 10.0);
    (k.is_finite() && sigma.is_finite() && sigma > 0.0).then_some((k, sigma))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::normal_cdf;

    fn mixture(weights: &[f64], means: &[f64], sds: &[f64]) -> NormalMixture {
        NormalMixture { weights: weights.to_vec(), means: means.to_vec(), sds: sds.to_vec() }
    }

    #[test]
    fn mixture_density_of_two_proposals_matches_the_formula() {
        // One dimension, roots 1 and 2, equal shares, at x = 1: each Student-t density (5 degrees
        // of freedom, up to the common constant) is (1/R)(1 + x²/(5R²))^−3, so the mixture is
        // ½ · 1.2^−3 + ½ · ½ · 1.05^−3 = 0.289352 + 0.215959.
        let components = [
            (DMatrix::from_element(1, 1, 1.0), 0.0, 0.5),
            (DMatrix::from_element(1, 1, 0.5), 2f64.ln(), 0.5),
        ];
        let value = log_mixture_density(&DVector::from_element(1, 1.0), &components);
        let by_hand = (0.5 / 1.2f64.powi(3) + 0.25 / 1.05f64.powi(3)).ln();
        assert!((value - by_hand).abs() < 1e-12, "{value} against {by_hand}");
        assert!((by_hand - 0.505_311f64.ln()).abs() < 1e-5);
    }

    #[test]
    fn a_poor_first_batch_is_pooled_with_one_from_the_posteriors_curvature() {
        // A proposal a fifth as wide as the Laplace step's leaves too few effective draws on
        // its own; a second batch from the posterior's own curvature, pooled with it, gives
        // the same ROIs as the usual proposal, to a fraction of their posterior spread.
        let s = crate::simulate::simulate(&crate::simulate::SimConfig {
            seed: 3,
            noise: 0.05,
            ..crate::simulate::SimConfig::default()
        });
        let spec = ModelSpec::default();
        let (problem, u) = map_problem(&s.dataset, &spec, None, 1.0).unwrap();
        let doc = problem.document(&s.dataset, &spec, &u).unwrap();
        let eval = problem.evaluate(&u, false);
        let spends: Vec<Vec<f64>> = doc
            .channels
            .iter()
            .map(|c| c.response_curve.iter().map(|p| p.spend).collect())
            .collect();
        let spread = problem.channel_spread(&u, &eval, &spends).unwrap();
        let current: Vec<f64> = doc
            .channels
            .iter()
            .map(|c| crate::document::marginal_input(c.current_spend, c.scale))
            .collect();
        let narrow = &spread.transform_root * 0.2;
        let mut rng = StdRng::seed_from_u64(7);
        let alone = problem.draw_from(&u, &narrow, &current, DRAWS, &mut rng).unwrap();
        assert!(effective_draws(&alone.normalised()) < MIN_EFFECTIVE_DRAWS);

        let usual = problem.posterior(&u, &spread.transform_root, &current, 1).unwrap();
        let rescued = problem.posterior(&u, &narrow, &current, 1).unwrap();
        for (c, ((a, _), (b, _))) in usual.channels.iter().zip(&rescued.channels).enumerate() {
            let sd = a.variance.sqrt();
            // Seen: at most 0.18 sd.
            assert!(
                (a.mean - b.mean).abs() < 0.25 * sd,
                "channel {c}: {} against {} (sd {sd})",
                b.mean,
                a.mean
            );
        }
    }

    #[test]
    fn generalized_pareto_fit_recovers_a_known_shape() {
        // Exceedances drawn by inverting the GPD distribution function, F⁻¹(p) = σ/k ((1−p)^−k − 1),
        // at evenly spaced p: a sample with exactly the shape k = 0.5, σ = 2. With 60 points the
        // prior pulls k̂ towards 0.5, so test two other shapes too.
        for (k, sigma) in [(0.5, 2.0), (0.2, 1.0), (0.8, 3.0)] {
            let n = 60;
            let x: Vec<f64> = (0..n)
                .map(|i| {
                    let p = (i as f64 + 0.5) / n as f64;
                    sigma / k * ((1.0 - p).powf(-k) - 1.0)
                })
                .collect();
            let (k_hat, sigma_hat) = gpd_fit(&x).unwrap();
            assert!((k_hat - k).abs() < 0.12, "k {k}: fitted {k_hat}");
            assert!((sigma_hat / sigma - 1.0).abs() < 0.25, "σ {sigma}: fitted {sigma_hat}");
        }
    }

    #[test]
    fn pareto_smoothing_tames_the_largest_weights_only() {
        // 400 weights with a heavy tail: the smoothed ones keep their order, the bulk is
        // untouched, and no weight grows beyond the largest raw one.
        let raw: Vec<f64> = (0..400).map(|i| ((i as f64 + 0.5) / 400.0).powf(-0.8)).collect();
        let mut smoothed = raw.clone();
        let k = pareto_smooth(&mut smoothed).unwrap();
        assert!(k > 0.5 && k < 1.0, "k̂ {k}");
        let top = raw.iter().copied().fold(0.0, f64::max);
        let tail = 60; // min(0.2 · 400, ⌈3 √400⌉)
        let mut changed = 0;
        for (r, s) in raw.iter().zip(&smoothed) {
            assert!(*s <= top);
            if (r - s).abs() > 1e-12 {
                changed += 1;
            }
        }
        assert!(changed > 0 && changed <= tail, "{changed} weights changed");
        let mut order: Vec<usize> = (0..400).collect();
        order.sort_by(|&a, &b| raw[a].total_cmp(&raw[b]));
        for w in order.windows(2) {
            assert!(smoothed[w[0]] <= smoothed[w[1]] + 1e-12);
        }
        // Too few draws to fit: left alone.
        let mut few = vec![1.0, 2.0, 3.0];
        assert!(pareto_smooth(&mut few).is_none());
        assert_eq!(few, vec![1.0, 2.0, 3.0]);
    }

    #[test]
    fn systematic_resampling_keeps_each_weights_share() {
        let counts = |weights: &[f64], count: usize, offset: f64| {
            let picked = resample(weights, count, offset);
            assert_eq!(picked.len(), count);
            assert!(picked.windows(2).all(|w| w[0] <= w[1]), "in order, repeats together");
            (0..weights.len())
                .map(|i| picked.iter().filter(|p| **p == i).count())
                .collect::<Vec<_>>()
        };
        // count · w whole: exactly that many copies, whatever the offset; a zero weight none.
        for offset in [0.0, 0.3, 0.999] {
            assert_eq!(counts(&[0.1, 0.0, 0.5, 0.4], 10, offset), vec![1, 0, 5, 4]);
        }
        // Otherwise the count rounded down or up: 10 / 3 = 3.33 copies each.
        for offset in [0.0, 0.5, 0.9] {
            let c = counts(&[1.0 / 3.0; 3], 10, offset);
            assert!(c.iter().all(|n| *n == 3 || *n == 4) && c.iter().sum::<usize>() == 10, "{c:?}");
        }
    }

    #[test]
    fn one_component_is_that_normal() {
        let m = mixture(&[1.0], &[2.0], &[0.5]);
        let f = figure(&m);
        assert!((f.mean - 2.0).abs() < 1e-12);
        assert!((f.variance - 0.25).abs() < 1e-12);
        // 2 ± 1.6449 · 0.5.
        assert!((f.interval[0] - (2.0 - Z90 * 0.5)).abs() < 1e-6, "{:?}", f.interval);
        assert!((f.interval[1] - (2.0 + Z90 * 0.5)).abs() < 1e-6, "{:?}", f.interval);
    }

    #[test]
    fn mixture_moments_and_quantiles_by_hand() {
        // ¾ N(1, 0) + ¼ N(3, 0): mean 1.5, variance ¾·0.25 + ¼·2.25 = 0.75.
        let m = mixture(&[0.75, 0.25], &[1.0, 3.0], &[0.0, 0.0]);
        assert!((m.mean() - 1.5).abs() < 1e-12);
        assert!((m.variance() - 0.75).abs() < 1e-12);
        assert!((m.quantile(0.05) - 1.0).abs() < 1e-9);
        assert!((m.quantile(0.95) - 3.0).abs() < 1e-9);
        // Two equal normals at ±1 with sd 1: the median is 0 by symmetry, and the 95% point x
        // solves (Φ(x − 1) + Φ(x + 1)) / 2 = 0.95.
        let m = mixture(&[0.5, 0.5], &[-1.0, 1.0], &[1.0, 1.0]);
        assert!(m.quantile(0.5).abs() < 1e-9);
        let x = m.quantile(0.95);
        assert!(((normal_cdf(x - 1.0) + normal_cdf(x + 1.0)) / 2.0 - 0.95).abs() < 1e-9);
        assert!((m.variance() - 2.0).abs() < 1e-12);
        // The interval of a non-negative figure is floored at 0.
        assert_eq!(figure(&m).interval[0], 0.0);
    }
}
