//! The reallocation check shared by the accuracy examples: is the optimiser's advice right by the
//! true curves?

use mmm_core::ModelDocument;
use mmm_core::optimize::{Constraints, optimize};
use mmm_core::transforms::Saturation;

/// A channel's true steady-state curve: `coefficient · saturation(spend / scale)`.
pub struct TrueCurve {
    pub coefficient: f64,
    pub scale: f64,
    pub saturation: Saturation,
}

/// How one reallocation did, each figure relative to the true response of the current split.
pub struct Reallocation {
    /// True uplift of the model's recommendation.
    pub achieved: f64,
    /// True uplift of the best reallocation (found with the true curves).
    pub best: f64,
    /// The uplift the model promised.
    pub promised: f64,
    /// The chance the model gave its move of beating the current split.
    pub chance: Option<f64>,
}

/// Reallocates the current budget with every channel within ±50% of its current spend, by the
/// fitted model and by the true curves, and scores both recommendations with the true curves.
pub fn reallocation(doc: &ModelDocument, truth: &[TrueCurve]) -> Option<Reallocation> {
    let constraints = Constraints { bounds_pct: Some(0.5), ..Constraints::default() };
    let budget: f64 = doc.channels.iter().map(|c| c.current_spend).sum();
    let mut true_doc = doc.clone();
    true_doc.posterior = None;
    true_doc.curve_covariance = None;
    for (c, t) in true_doc.channels.iter_mut().zip(truth) {
        c.coefficient = t.coefficient;
        c.scale = t.scale;
        c.saturation = t.saturation;
    }
    let true_response =
        |x: &[f64]| -> f64 { true_doc.channels.iter().zip(x).map(|(c, v)| c.response(*v)).sum() };
    let current: Vec<f64> = doc.channels.iter().map(|c| c.current_spend).collect();
    let base = true_response(&current);
    let fitted = optimize(doc, budget, &constraints).ok()?;
    let best = optimize(&true_doc, budget, &constraints).ok()?;
    let recommended: Vec<f64> = fitted.allocation.iter().map(|a| a.recommended).collect();
    let optimal: Vec<f64> = best.allocation.iter().map(|a| a.recommended).collect();
    Some(Reallocation {
        achieved: true_response(&recommended) / base - 1.0,
        best: true_response(&optimal) / base - 1.0,
        promised: fitted.uplift / fitted.current_response,
        chance: fitted.probability_better,
    })
}

/// One line summarising reallocations: the share of the best true uplift captured (mean over
/// data sets), how often the advice loses, the mean true, best and promised uplifts, and the
/// mean chance of beating the current split the model gave.
pub fn summary(decisions: &[Reallocation]) -> String {
    let n = decisions.len().max(1) as f64;
    let mean = |f: &dyn Fn(&Reallocation) -> f64| decisions.iter().map(f).sum::<f64>() / n;
    let chances: Vec<f64> = decisions.iter().filter_map(|d| d.chance).collect();
    let chance = if chances.is_empty() {
        String::new()
    } else {
        format!(
            "; chance of beating the current split given {:.1}% on average",
            100.0 * chances.iter().sum::<f64>() / chances.len() as f64
        )
    };
    format!(
        "reallocation at ±50%: captures {:.1}% of the best true uplift on average, hurts on {} of {}; true uplift {:.2}% of the best's {:.2}%, promised {:.2}%{chance}",
        100.0 * mean(&|d| d.achieved / d.best),
        decisions.iter().filter(|d| d.achieved < 0.0).count(),
        decisions.len(),
        100.0 * mean(&|d| d.achieved),
        100.0 * mean(&|d| d.best),
        100.0 * mean(&|d| d.promised),
    )
}
