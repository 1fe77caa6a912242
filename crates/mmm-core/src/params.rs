//! Checked parameter types.
//!
//! Parameters arrive unchecked (from a CLI flag, a JSON document, an optimiser step) and only a
//! checked value reaches the math: each constructor validates its range once, so transforms can
//! rely on it without re-checking.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A parameter value outside its allowed range.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{name} must be {rule}, got {value}")]
pub struct ParamError {
    /// Parameter name, e.g. `decay`.
    pub name: &'static str,
    /// The rule it broke, in words, e.g. `in [0, 1)`.
    pub rule: &'static str,
    /// The rejected value.
    pub value: f64,
}

macro_rules! checked_f64 {
    ($(#[$doc:meta])* $ty:ident, $name:literal, $rule:literal, |$v:ident| $ok:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
        #[serde(try_from = "f64", into = "f64")]
        pub struct $ty(f64);

        impl $ty {
            /// Checks `value` and wraps it.
            pub fn new(value: f64) -> Result<Self, ParamError> {
                let $v = value;
                if $v.is_finite() && $ok {
                    Ok(Self(value))
                } else {
                    Err(ParamError { name: $name, rule: $rule, value })
                }
            }

            /// The checked value.
            pub fn get(self) -> f64 {
                self.0
            }
        }

        impl TryFrom<f64> for $ty {
            type Error = ParamError;
            fn try_from(value: f64) -> Result<Self, ParamError> {
                Self::new(value)
            }
        }

        impl From<$ty> for f64 {
            fn from(value: $ty) -> f64 {
                value.0
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

checked_f64!(
    /// Geometric adstock decay rate λ ∈ [0, 1): the share of an effect carried to the next period.
    DecayRate, "decay", "in [0, 1)", |v| (0.0..1.0).contains(&v)
);
checked_f64!(
    /// Binomial adstock α ∈ (0, 1] (Meridian's parameterisation): near 0 the effect stays in the
    /// period of spend, at 1 it is spread evenly over the window.
    BinomialAlpha, "alpha", "in (0, 1]", |v| v > 0.0 && v <= 1.0
);
checked_f64!(
    /// Hill half-saturation point K > 0, in units of the channel's scale (typical spend).
    HalfSaturation, "half_saturation", "> 0", |v| v > 0.0
);
checked_f64!(
    /// Hill shape S > 0; S > 1 gives an S-shaped curve, S ≤ 1 a concave one.
    HillShape, "shape", "> 0", |v| v > 0.0
);
checked_f64!(
    /// Logistic saturation rate μ > 0, in units of 1 / scale.
    LogisticRate, "rate", "> 0", |v| v > 0.0
);
checked_f64!(
    /// Weibull adstock shape k > 0; k > 1 delays the peak of the effect.
    WeibullShape, "weibull_shape", "> 0", |v| v > 0.0
);
checked_f64!(
    /// Weibull adstock scale λ > 0, in periods.
    WeibullScale, "weibull_scale", "> 0", |v| v > 0.0
);

/// Largest adstock window accepted, in periods.
pub const MAX_LAG_LIMIT: usize = 52;

/// Adstock window length L: the effect of a period's spend lasts L further periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "usize", into = "usize")]
pub struct MaxLag(usize);

impl MaxLag {
    /// Checks `value` (at most [`MAX_LAG_LIMIT`]) and wraps it.
    pub fn new(value: usize) -> Result<Self, ParamError> {
        if value <= MAX_LAG_LIMIT {
            Ok(Self(value))
        } else {
            Err(ParamError { name: "max_lag", rule: "at most 52", value: value as f64 })
        }
    }

    /// The checked value.
    pub fn get(self) -> usize {
        self.0
    }
}

impl TryFrom<usize> for MaxLag {
    type Error = ParamError;
    fn try_from(value: usize) -> Result<Self, ParamError> {
        Self::new(value)
    }
}

impl From<MaxLag> for usize {
    fn from(value: MaxLag) -> usize {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_enforced() {
        assert!(DecayRate::new(0.0).is_ok());
        assert!(DecayRate::new(0.999).is_ok());
        assert!(DecayRate::new(1.0).is_err());
        assert!(DecayRate::new(-0.1).is_err());
        assert!(DecayRate::new(f64::NAN).is_err());
        assert!(HalfSaturation::new(0.0).is_err());
        assert!(HalfSaturation::new(f64::INFINITY).is_err());
        assert!(HillShape::new(2.0).is_ok());
        assert!(MaxLag::new(52).is_ok());
        assert!(MaxLag::new(53).is_err());
    }

    #[test]
    fn error_names_the_parameter_and_rule() {
        let err = DecayRate::new(1.5).unwrap_err();
        assert_eq!(err.to_string(), "decay must be in [0, 1), got 1.5");
    }

    #[test]
    fn serde_rejects_out_of_range() {
        let ok: DecayRate = serde_json::from_str("0.25").unwrap();
        assert_eq!(ok.get(), 0.25);
        assert!(serde_json::from_str::<DecayRate>("1.25").is_err());
    }
}
