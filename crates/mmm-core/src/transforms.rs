//! Media transforms: adstock (carry-over) and saturation (diminishing returns).
//!
//! A channel's media feature in period `t` is `sat(adstock(spend)_t / scale)`. Both adstock kinds
//! use *normalised* weights (they sum to one), so adstock redistributes spend over time without
//! changing its total (up to what falls past the end of the series), and a constant spend `x`
//! has the steady-state adstock `x`. That makes the long-run response to a constant spend simply
//! `beta * sat(x / scale)`.

use crate::params::{
    BinomialAlpha, DecayRate, HalfSaturation, HillShape, LogisticRate, MaxLag, WeibullScale,
    WeibullShape,
};
use serde::{Deserialize, Serialize};

/// Carry-over of a channel's spend into later periods.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Adstock {
    /// Geometric adstock with normalised weights over a finite window:
    ///
    /// `w_l = λ^l / Σ_{j=0..L} λ^j` for `l = 0..L`, and `adstock_t = Σ_l w_l · x_{t-l}`.
    ///
    /// The effect peaks in the period of spend and decays by the factor λ each period.
    Geometric {
        /// Decay rate λ.
        decay: DecayRate,
        /// Window length L.
        max_lag: MaxLag,
    },
    /// Weibull adstock (delayed or fast-decaying carry-over), weights from the Weibull density:
    ///
    /// `w_l ∝ (k/λ) · ((l+1)/λ)^(k-1) · exp(-((l+1)/λ)^k)` for `l = 0..L`, normalised to sum to 1.
    ///
    /// With shape k > 1 the effect peaks after a delay; with k ≤ 1 it is largest at once.
    Weibull {
        /// Shape k.
        shape: WeibullShape,
        /// Scale λ, in periods.
        scale: WeibullScale,
        /// Window length L.
        max_lag: MaxLag,
    },
    /// Binomial adstock, as Google Meridian defines it: weights that fall from the period of
    /// spend to zero just past the window,
    ///
    /// `w_l ∝ (1 − l/(L+1))^(1/α − 1)` for `l = 0..L`, normalised to sum to 1.
    ///
    /// α near 0 keeps the effect in the period of spend; α = 1 spreads it evenly over the
    /// window. mmm does not fit it; it comes with imported Meridian models.
    Binomial {
        /// α ∈ (0, 1].
        alpha: BinomialAlpha,
        /// Window length L.
        max_lag: MaxLag,
    },
}

impl Adstock {
    /// Names of the carry-over's parameters, in the order of [`Self::parameters`] (the window
    /// length is fixed, not fitted, and not among them). The Weibull's are prefixed, as in the
    /// channel export's columns, so that none repeats a saturation curve's parameter (a Hill
    /// curve's `shape`) or a channel's input `scale`.
    pub fn parameter_names(&self) -> &'static [&'static str] {
        match self {
            Adstock::Geometric { .. } => &["decay"],
            Adstock::Weibull { .. } => &["adstock_shape", "adstock_scale"],
            Adstock::Binomial { .. } => &["alpha"],
        }
    }

    /// The carry-over's parameter values.
    pub fn parameters(&self) -> Vec<f64> {
        match *self {
            Adstock::Geometric { decay, .. } => vec![decay.get()],
            Adstock::Weibull { shape, scale, .. } => vec![shape.get(), scale.get()],
            Adstock::Binomial { alpha, .. } => vec![alpha.get()],
        }
    }

    /// The window length L.
    pub fn max_lag(&self) -> usize {
        match self {
            Adstock::Geometric { max_lag, .. }
            | Adstock::Weibull { max_lag, .. }
            | Adstock::Binomial { max_lag, .. } => max_lag.get(),
        }
    }

    /// The normalised lag weights `w_0..w_L` (they sum to 1).
    pub fn weights(&self) -> Vec<f64> {
        match *self {
            Adstock::Geometric { decay, max_lag } => geometric_weights(decay.get(), max_lag.get()),
            Adstock::Weibull { shape, scale, max_lag } => {
                weibull_weights(shape.get(), scale.get(), max_lag.get())
            }
            Adstock::Binomial { alpha, max_lag } => binomial_weights(alpha.get(), max_lag.get()),
        }
    }

    /// The lag, in periods, whose weight is largest: 0 when the carry-over is largest in the
    /// period of the spend (always, for the geometric adstock), the first of equal weights.
    pub fn peak_lag(&self) -> usize {
        let w = self.weights();
        (0..w.len()).fold(0, |best, l| if w[l] > w[best] { l } else { best })
    }

    /// Applies the adstock to a spend series; spend before the first period counts as zero.
    pub fn apply(&self, spend: &[f64]) -> Vec<f64> {
        self.apply_with_history(&[], spend)
    }

    /// Applies the adstock to a spend series preceded by `history` (the spend of the periods
    /// before it, oldest first; earlier spend counts as zero). One value per period of `spend`.
    pub fn apply_with_history(&self, history: &[f64], spend: &[f64]) -> Vec<f64> {
        let series: Vec<f64> = history.iter().chain(spend).copied().collect();
        let mut out = vec![0.0; series.len()];
        convolve(&self.weights(), &series, &mut out);
        out.split_off(history.len())
    }
}

/// Which of a channel's two transforms comes first.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransformOrder {
    /// `saturation(adstock(x))`: spend carries over, then the carried-over level saturates. What
    /// mmm fits, and Meridian's default.
    #[default]
    AdstockFirst,
    /// `adstock(saturation(x))`: each period's spend saturates on its own, then its effect
    /// carries over. Meridian's `hill_before_adstock`; only imported models have it.
    SaturationFirst,
}

impl TransformOrder {
    /// Whether this is the default order (documents leave it out then).
    pub fn is_default(&self) -> bool {
        *self == Self::default()
    }

    /// The channel's response per period before its coefficient, for scaled `input` preceded
    /// by scaled `history` (oldest first): one value per period of `input`. Adstock weights sum
    /// to one, so a constant input has the same steady-state response in either order.
    pub fn response(
        self,
        adstock: &Adstock,
        saturation: &Saturation,
        history: &[f64],
        input: &[f64],
    ) -> Vec<f64> {
        match self {
            Self::AdstockFirst => adstock
                .apply_with_history(history, input)
                .into_iter()
                .map(|a| saturation.value(a))
                .collect(),
            Self::SaturationFirst => {
                let saturate =
                    |v: &[f64]| -> Vec<f64> { v.iter().map(|x| saturation.value(*x)).collect() };
                adstock.apply_with_history(&saturate(history), &saturate(input))
            }
        }
    }
}

/// Diminishing returns of a channel's (adstocked, scaled) spend; values lie in [0, 1).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Saturation {
    /// Hill curve `h(x) = x^S / (x^S + K^S)`: half of the maximum effect at `x = K`; S-shaped
    /// when S > 1.
    Hill {
        /// Half-saturation point K (in scale units).
        half_saturation: HalfSaturation,
        /// Shape S.
        shape: HillShape,
    },
    /// Logistic curve `h(x) = (1 - e^(-μx)) / (1 + e^(-μx)) = tanh(μx / 2)`: concave, steepest
    /// at zero.
    Logistic {
        /// Rate μ (per scale unit).
        rate: LogisticRate,
    },
}

impl Saturation {
    /// `h(x)` for `x ≥ 0` (negative inputs are treated as zero).
    pub fn value(&self, x: f64) -> f64 {
        match *self {
            Saturation::Hill { half_saturation, shape } => {
                hill(x, half_saturation.get(), shape.get())
            }
            Saturation::Logistic { rate } => logistic(x, rate.get()),
        }
    }

    /// The slope `h'(x)` for `x ≥ 0`.
    pub fn slope(&self, x: f64) -> f64 {
        let x = x.max(0.0);
        match *self {
            Saturation::Hill { half_saturation, shape } => {
                let (k, s) = (half_saturation.get(), shape.get());
                if x == 0.0 {
                    // h'(0) is 0 for S > 1, 1/K for S = 1 and unbounded for S < 1.
                    return if s > 1.0 {
                        0.0
                    } else if s == 1.0 {
                        1.0 / k
                    } else {
                        f64::INFINITY
                    };
                }
                let h = hill(x, k, s);
                s / x * h * (1.0 - h)
            }
            Saturation::Logistic { rate } => {
                let h = logistic(x, rate.get());
                0.5 * rate.get() * (1.0 - h * h)
            }
        }
    }

    /// Names of the curve's parameters, in the order of [`Self::parameters`] and
    /// [`Self::parameter_gradient`].
    pub fn parameter_names(&self) -> &'static [&'static str] {
        match self {
            Saturation::Hill { .. } => &["half_saturation", "shape"],
            Saturation::Logistic { .. } => &["rate"],
        }
    }

    /// The curve's parameter values.
    pub fn parameters(&self) -> Vec<f64> {
        match *self {
            Saturation::Hill { half_saturation, shape } => {
                vec![half_saturation.get(), shape.get()]
            }
            Saturation::Logistic { rate } => vec![rate.get()],
        }
    }

    /// The derivative of `h(x)` with respect to each parameter, for `x ≥ 0`:
    /// Hill `∂h/∂K = −(S/K) h (1 − h)`, `∂h/∂S = h (1 − h) ln(x/K)`; logistic
    /// `∂h/∂μ = (x/2)(1 − h²)`. All are zero at `x = 0`.
    pub fn parameter_gradient(&self, x: f64) -> Vec<f64> {
        let x = x.max(0.0);
        match *self {
            Saturation::Hill { half_saturation, shape } => {
                let (k, s) = (half_saturation.get(), shape.get());
                if x == 0.0 {
                    return vec![0.0, 0.0];
                }
                let h = hill(x, k, s);
                vec![-s / k * h * (1.0 - h), h * (1.0 - h) * (x / k).ln()]
            }
            Saturation::Logistic { rate } => {
                let h = logistic(x, rate.get());
                vec![0.5 * x * (1.0 - h * h)]
            }
        }
    }

    /// The input `x` at which `h(x) = level` (for `level` in (0, 1)).
    pub fn inverse(&self, level: f64) -> f64 {
        match *self {
            Saturation::Hill { half_saturation, shape } => {
                half_saturation.get() * (level / (1.0 - level)).powf(1.0 / shape.get())
            }
            Saturation::Logistic { rate } => 2.0 * level.atanh() / rate.get(),
        }
    }
}

/// Normalised geometric weights `λ^l / Σ_j λ^j`, `l = 0..=max_lag`.
pub(crate) fn geometric_weights(decay: f64, max_lag: usize) -> Vec<f64> {
    let mut w: Vec<f64> = Vec::with_capacity(max_lag + 1);
    let mut p = 1.0;
    for _ in 0..=max_lag {
        w.push(p);
        p *= decay;
    }
    let total: f64 = w.iter().sum();
    w.iter_mut().for_each(|v| *v /= total);
    w
}

/// Normalised geometric weights and their derivative with respect to the decay rate.
pub(crate) fn geometric_weights_with_grad(decay: f64, max_lag: usize) -> (Vec<f64>, Vec<f64>) {
    // w_l = p_l / S with p_l = λ^l, S = Σ p_j; dw_l/dλ = (p_l' S - p_l S') / S².
    let mut p = Vec::with_capacity(max_lag + 1);
    let mut dp = Vec::with_capacity(max_lag + 1);
    for l in 0..=max_lag {
        p.push(decay.powi(l as i32));
        dp.push(if l == 0 { 0.0 } else { l as f64 * decay.powi(l as i32 - 1) });
    }
    let s: f64 = p.iter().sum();
    let ds: f64 = dp.iter().sum();
    let w = p.iter().map(|v| v / s).collect();
    let dw = p.iter().zip(&dp).map(|(v, dv)| (dv * s - v * ds) / (s * s)).collect();
    (w, dw)
}

/// Normalised binomial weights (see [`Adstock::Binomial`]).
pub fn binomial_weights(alpha: f64, max_lag: usize) -> Vec<f64> {
    let window = (max_lag + 1) as f64;
    let exponent = 1.0 / alpha - 1.0;
    let raw: Vec<f64> = (0..=max_lag).map(|l| (1.0 - l as f64 / window).powf(exponent)).collect();
    // w_0 = 1, so the sum is at least 1.
    let total: f64 = raw.iter().sum();
    raw.into_iter().map(|w| w / total).collect()
}

/// Normalised Weibull weights (see [`Adstock::Weibull`]).
pub(crate) fn weibull_weights(shape: f64, scale: f64, max_lag: usize) -> Vec<f64> {
    let mut w: Vec<f64> = (0..=max_lag)
        .map(|l| {
            let z = (l as f64 + 1.0) / scale;
            shape / scale * z.powf(shape - 1.0) * (-z.powf(shape)).exp()
        })
        .collect();
    let total: f64 = w.iter().sum();
    if total > 0.0 && total.is_finite() {
        w.iter_mut().for_each(|v| *v /= total);
    } else {
        // Every weight underflowed (scale tiny against the window): all carry-over is immediate.
        w.iter_mut().for_each(|v| *v = 0.0);
        w[0] = 1.0;
    }
    w
}

/// `out_t = Σ_l w_l · x_{t-l}`, with `x` zero before its start.
pub(crate) fn convolve(weights: &[f64], x: &[f64], out: &mut [f64]) {
    for (t, o) in out.iter_mut().enumerate() {
        let mut acc = 0.0;
        for (l, w) in weights.iter().enumerate().take(t + 1) {
            acc += w * x[t - l];
        }
        *o = acc;
    }
}

/// Hill curve `x^S / (x^S + K^S)`, computed stably as `1 / (1 + (K/x)^S)`.
pub(crate) fn hill(x: f64, k: f64, s: f64) -> f64 {
    if x <= 0.0 { 0.0 } else { 1.0 / (1.0 + (k / x).powf(s)) }
}

/// Logistic saturation `tanh(μx / 2)`.
pub(crate) fn logistic(x: f64, rate: f64) -> f64 {
    (0.5 * rate * x.max(0.0)).tanh()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transform_order_by_hand() {
        // Geometric decay 0.5, L = 1: weights 2/3 and 1/3; h(x) = x / (x + 1).
        let adstock = geo(0.5, 1);
        let hill = Saturation::Hill {
            half_saturation: HalfSaturation::new(1.0).unwrap(),
            shape: HillShape::new(1.0).unwrap(),
        };
        // Adstock first: levels 2/3·3 = 2 and 1/3·3 + 2/3·0 = 1, then h: 2/3 and 1/2.
        let first = TransformOrder::AdstockFirst.response(&adstock, &hill, &[], &[3.0, 0.0]);
        assert!(close(first[0], 2.0 / 3.0) && close(first[1], 0.5), "{first:?}");
        // Saturation first: h(3) = 3/4 and h(0) = 0, then carried over: 1/2 and 1/4.
        let second = TransformOrder::SaturationFirst.response(&adstock, &hill, &[], &[3.0, 0.0]);
        assert!(close(second[0], 0.5) && close(second[1], 0.25), "{second:?}");
        // History is saturated like the data: h(1) = 1/2 carries 1/3 into the first period.
        let warm = TransformOrder::SaturationFirst.response(&adstock, &hill, &[1.0], &[3.0]);
        assert!(close(warm[0], 2.0 / 3.0 * 0.75 + 1.0 / 3.0 * 0.5), "{warm:?}");
        // A constant input has the same steady state either way.
        let flat = [2.0; 6];
        let (a, b) = (
            TransformOrder::AdstockFirst.response(&adstock, &hill, &[2.0], &flat),
            TransformOrder::SaturationFirst.response(&adstock, &hill, &[2.0], &flat),
        );
        assert!(a.iter().zip(&b).all(|(x, y)| close(*x, *y) && close(*x, hill.value(2.0))));
    }
    use proptest::prelude::*;

    fn geo(decay: f64, lag: usize) -> Adstock {
        Adstock::Geometric {
            decay: DecayRate::new(decay).unwrap(),
            max_lag: MaxLag::new(lag).unwrap(),
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * (1.0 + a.abs().max(b.abs()))
    }

    #[test]
    fn geometric_by_hand() {
        // λ = 0.5, L = 2: raw weights 1, 0.5, 0.25; sum 1.75.
        let w = geo(0.5, 2).weights();
        assert!(close(w[0], 1.0 / 1.75) && close(w[1], 0.5 / 1.75) && close(w[2], 0.25 / 1.75));
        // x = [4, 0, 0, 2]: y0 = 4/1.75, y1 = 2/1.75, y2 = 1/1.75, y3 = 2/1.75 (4·λ³ is past L).
        let y = geo(0.5, 2).apply(&[4.0, 0.0, 0.0, 2.0]);
        let want = [4.0 / 1.75, 2.0 / 1.75, 1.0 / 1.75, 2.0 / 1.75];
        for (a, b) in y.iter().zip(want) {
            assert!(close(*a, b), "{a} vs {b}");
        }
    }

    #[test]
    fn history_carries_over_into_the_first_periods() {
        // λ = 0.5, L = 2, weights (1, 0.5, 0.25)/1.75; history [8, 4] before x = [0, 2, 0]:
        // y0 = (0 + 0.5·4 + 0.25·8)/1.75 = 4/1.75, y1 = (2 + 0 + 0.25·4)/1.75 = 3/1.75,
        // y2 = (0 + 0.5·2 + 0)/1.75 = 1/1.75.
        let y = geo(0.5, 2).apply_with_history(&[8.0, 4.0], &[0.0, 2.0, 0.0]);
        let want = [4.0 / 1.75, 3.0 / 1.75, 1.0 / 1.75];
        assert_eq!(y.len(), 3);
        for (a, b) in y.iter().zip(want) {
            assert!(close(*a, b), "{a} vs {b}");
        }
        // Without history the first periods start cold.
        assert!(close(geo(0.5, 2).apply(&[0.0, 2.0, 0.0])[0], 0.0));
    }

    #[test]
    fn zero_decay_is_identity() {
        let x = [3.0, 1.0, 4.0, 1.0, 5.0];
        assert_eq!(geo(0.0, 8).apply(&x), x.to_vec());
    }

    #[test]
    fn binomial_by_hand() {
        let binomial = |alpha: f64| Adstock::Binomial {
            alpha: BinomialAlpha::new(alpha).unwrap(),
            max_lag: MaxLag::new(3).unwrap(),
        };
        // L = 3, window 4. α = 0.5: exponent 1, raw weights 1, 3/4, 1/2, 1/4; sum 2.5.
        // α = 1: exponent 0, even weights. α = 0.25: exponent 3, raw 1, 27/64, 8/64, 1/64;
        // sum 100/64.
        for (alpha, want) in
            [(0.5, [0.4, 0.3, 0.2, 0.1]), (1.0, [0.25; 4]), (0.25, [0.64, 0.27, 0.08, 0.01])]
        {
            for (a, b) in binomial(alpha).weights().iter().zip(want) {
                assert!(close(*a, b), "α {alpha}: {a} vs {b}");
            }
        }
        // A tiny α keeps the whole effect in the period of spend.
        assert_eq!(binomial(1e-6).weights(), [1.0, 0.0, 0.0, 0.0]);
        assert!(BinomialAlpha::new(0.0).is_err() && BinomialAlpha::new(1.01).is_err());
    }

    #[test]
    fn weibull_by_hand() {
        // k = 1 is the exponential density: w_l ∝ e^{-(l+1)/λ}, i.e. geometric with decay e^{-1/λ}.
        let ad = Adstock::Weibull {
            shape: WeibullShape::new(1.0).unwrap(),
            scale: WeibullScale::new(2.0).unwrap(),
            max_lag: MaxLag::new(3).unwrap(),
        };
        let w = ad.weights();
        let g = geo((-0.5f64).exp(), 3).weights();
        for (a, b) in w.iter().zip(&g) {
            assert!(close(*a, *b), "{a} vs {b}");
        }
        // k = 3, λ = 4: density peaks at (l+1) = 4·(2/3)^(1/3) ≈ 3.49, so the largest weight is at
        // lag 2 or 3, not at lag 0: a delayed effect.
        let ad = Adstock::Weibull {
            shape: WeibullShape::new(3.0).unwrap(),
            scale: WeibullScale::new(4.0).unwrap(),
            max_lag: MaxLag::new(8).unwrap(),
        };
        let w = ad.weights();
        let peak = w.iter().enumerate().fold(0, |b, (i, v)| if *v > w[b] { i } else { b });
        assert_eq!(peak, 2);
        assert!(close(w.iter().sum::<f64>(), 1.0));
    }

    #[test]
    fn hill_by_hand() {
        let h = Saturation::Hill {
            half_saturation: HalfSaturation::new(2.0).unwrap(),
            shape: HillShape::new(2.0).unwrap(),
        };
        assert_eq!(h.value(0.0), 0.0);
        assert!(close(h.value(2.0), 0.5));
        assert!(close(h.value(4.0), 16.0 / 20.0));
        // h'(x) = S x^{S-1} K^S / (x^S + K^S)^2 = 2·4·4 / 20² at x = 4.
        assert!(close(h.slope(4.0), 32.0 / 400.0));
        assert!(close(h.inverse(0.8), 4.0));
    }

    #[test]
    fn logistic_by_hand() {
        let s = Saturation::Logistic { rate: LogisticRate::new(2.0).unwrap() };
        let e = (-2.0f64).exp();
        assert!(close(s.value(1.0), (1.0 - e) / (1.0 + e)));
        assert!(close(s.slope(0.0), 1.0));
        assert!(close(s.inverse(s.value(1.3)), 1.3));
    }

    #[test]
    fn saturation_parameter_gradients_match_finite_differences() {
        let hill_at = |k: f64, s: f64| Saturation::Hill {
            half_saturation: HalfSaturation::new(k).unwrap(),
            shape: HillShape::new(s).unwrap(),
        };
        let logistic_at = |m: f64| Saturation::Logistic { rate: LogisticRate::new(m).unwrap() };
        let e = 1e-6;
        for x in [0.0, 0.3, 1.0, 2.5] {
            for (k, s) in [(0.8, 1.0), (1.2, 2.5), (2.0, 0.7)] {
                let g = hill_at(k, s).parameter_gradient(x);
                let dk = (hill_at(k + e, s).value(x) - hill_at(k - e, s).value(x)) / (2.0 * e);
                let ds = (hill_at(k, s + e).value(x) - hill_at(k, s - e).value(x)) / (2.0 * e);
                assert!((g[0] - dk).abs() < 1e-8 && (g[1] - ds).abs() < 1e-8, "{x} {k} {s}");
            }
            for m in [0.5, 2.0] {
                let g = logistic_at(m).parameter_gradient(x);
                let dm = (logistic_at(m + e).value(x) - logistic_at(m - e).value(x)) / (2.0 * e);
                assert!((g[0] - dm).abs() < 1e-8, "{x} {m}");
            }
        }
        let h = hill_at(1.2, 2.5);
        assert_eq!(h.parameters(), vec![1.2, 2.5]);
        assert_eq!(h.parameter_names(), ["half_saturation", "shape"]);
        assert_eq!(logistic_at(2.0).parameters().len(), logistic_at(2.0).parameter_names().len());
    }

    #[test]
    fn geometric_gradient_matches_finite_differences() {
        for &d in &[0.1, 0.5, 0.9] {
            let (_, dw) = geometric_weights_with_grad(d, 6);
            let h = 1e-6;
            let up = geometric_weights(d + h, 6);
            let dn = geometric_weights(d - h, 6);
            for l in 0..=6 {
                let fd = (up[l] - dn[l]) / (2.0 * h);
                assert!((fd - dw[l]).abs() < 1e-7, "lag {l}: {fd} vs {}", dw[l]);
            }
        }
    }

    proptest! {
        #[test]
        fn binomial_weights_are_normalised_and_falling(alpha in 1e-3..=1.0f64, lag in 0usize..52) {
            let w = binomial_weights(alpha, lag);
            prop_assert_eq!(w.len(), lag + 1);
            prop_assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-12);
            prop_assert!(w.windows(2).all(|p| p[1] <= p[0] && p[1] >= 0.0));
        }

        #[test]
        fn adstock_preserves_total_up_to_tail(
            decay in 0.0..0.99f64,
            lag in 0usize..12,
            x in proptest::collection::vec(0.0..1e6f64, 1..80),
        ) {
            let w = geo(decay, lag).weights();
            let y = geo(decay, lag).apply(&x);
            let n = x.len();
            // The part of each spend that lands past the last period is the tail.
            let tail: f64 = x.iter().enumerate().map(|(t, v)| {
                let kept: f64 = w.iter().take(n - t).sum();
                v * (1.0 - kept)
            }).sum();
            let total_in: f64 = x.iter().sum();
            let total_out: f64 = y.iter().sum();
            prop_assert!((total_in - tail - total_out).abs() <= 1e-9 * (1.0 + total_in));
        }

        #[test]
        fn history_only_adds_carry_over_to_the_first_periods(
            decay in 0.0..0.99f64,
            lag in 0usize..12,
            history in proptest::collection::vec(0.0..1e6f64, 0..20),
            x in proptest::collection::vec(0.0..1e6f64, 1..40),
        ) {
            let ad = geo(decay, lag);
            let warm = ad.apply_with_history(&history, &x);
            let cold = ad.apply(&x);
            prop_assert_eq!(warm.len(), x.len());
            for (t, (w, c)) in warm.iter().zip(&cold).enumerate() {
                // Never less than starting cold; the same once the window has passed.
                prop_assert!(*w >= c - 1e-9 * (1.0 + c.abs()));
                if t >= lag || history.is_empty() {
                    prop_assert!((w - c).abs() <= 1e-9 * (1.0 + c.abs()));
                }
            }
        }

        #[test]
        fn hill_is_monotone_and_in_unit_interval(
            k in 0.01..100.0f64, s in 0.1..8.0f64, a in 0.0..1e3f64, b in 0.0..1e3f64,
        ) {
            let h = Saturation::Hill {
                half_saturation: HalfSaturation::new(k).unwrap(),
                shape: HillShape::new(s).unwrap(),
            };
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            prop_assert!(h.value(lo) <= h.value(hi));
            // In [0, 1); exactly 1.0 only once (K/x)^S is below f64 resolution.
            for x in [lo, hi] {
                let v = h.value(x);
                prop_assert!(v >= 0.0);
                prop_assert!(v < 1.0 || (k / x).powf(s) < f64::EPSILON, "h({x}) = {v}");
            }
        }

        #[test]
        fn logistic_is_monotone_and_in_unit_interval(
            mu in 0.01..10.0f64, a in 0.0..50.0f64, b in 0.0..50.0f64,
        ) {
            let s = Saturation::Logistic { rate: LogisticRate::new(mu).unwrap() };
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            prop_assert!(s.value(lo) <= s.value(hi));
            prop_assert!(s.value(lo) >= 0.0 && s.value(hi) <= 1.0);
        }
    }
}
