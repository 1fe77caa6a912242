//! Scoring a saved model on data: how well a model document predicts the KPI of a data set's
//! periods, such as the weeks that arrived after the model was fitted.
//!
//! Each period's prediction is the baseline (the document's coefficients: trend, seasonality,
//! controls) plus every channel's contribution, from its spend in that period and the periods
//! before it (the carry-over), averaged over the posterior draws when the document has them.
//! The carry-over into the data's first periods comes from the data's own media history rows,
//! else from the spend the model was fitted on; periods that neither holds, between the model's
//! last period and the data's first, count as no spend and are reported.
//!
//! The 90% predictive interval of a period is that of the mixture, over the draws, of normals
//! centred on the draw's prediction, its baseline moved to fit the draw's media (see
//! `BaselineSpread`), with the draw's noise sd widened by the baseline's leverage in that
//! period (without draws: one normal around the prediction). Out of sample it covers 89-90%
//! of the periods of simulated markets (docs/benchmarks.md).
//!
//! Periods without a KPI (the last rows of a file, [`crate::dataset::load_csv_for_scoring`])
//! are forecasts: predicted the same way, from the spend and controls the file plans for them,
//! and left out of the accuracy and the drift test.
//!
//! Whether the data still fit the model is a test on the periods outside their interval: under
//! the model each is outside with probability 0.1, so their count is Binomial(n, 0.1), and a
//! count whose upper tail probability is below [`DRIFT_P_VALUE`] says the model no longer
//! describes the data. When the model found its noise autocorrelated, misses cluster and the
//! count is overdispersed; the test then takes it as beta-binomial with the variance that
//! autocorrelation gives (`misses`). Residuals the model did not see as autocorrelated still
//! cluster a little, so the test can flag a market that has not changed (none of 192 simulated
//! quarters was).

use crate::dataset::{DataErrors, Dataset, LoadOptions, Problem};
use crate::document::{Interval, ModelDocument};
use crate::metrics;
use crate::summary::NormalMixture;
use chrono::NaiveDate;
use nalgebra::{DMatrix, DVector};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Share of periods a calibrated 90% predictive interval leaves out.
pub const OUTSIDE_PROBABILITY: f64 = 0.1;

/// Below this upper-tail probability of the count of periods outside their interval, the data
/// are said to have drifted from the model.
pub const DRIFT_P_VALUE: f64 = 0.01;

/// At most this many periods are scored at once (nearly 14 years of days): the work grows with
/// the periods times the posterior draws.
pub const MAX_SCORED_PERIODS: usize = 5000;

/// Dates off the model's calendar listed one by one; the rest are counted.
const MAX_LISTED_PROBLEMS: usize = 20;

/// How a model predicts a data set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Score {
    /// One entry per data period, oldest first.
    pub periods: Vec<ScoredPeriod>,
    /// The predictions' fit over the periods with an actual KPI; `None` when every period is a
    /// forecast.
    pub metrics: Option<ScoreMetrics>,
    /// Periods without an actual KPI: forecasts of the spend and controls the data give.
    pub forecasts: usize,
    /// Scored periods outside the model's fitting window (its holdout, or periods after its
    /// data): predictions the fit never saw.
    pub out_of_sample: usize,
    /// Periods just before the data whose spend neither the data nor the model holds, counted
    /// as no spend in the carry-over (0 unless the data start after a gap past the model's last
    /// period and bring no media history rows).
    pub unknown_carry_over: usize,
    /// Whether the data still fit the model, over the periods with an actual KPI; `None` when
    /// every period is a forecast.
    pub drift: Option<Drift>,
}

/// One period's prediction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoredPeriod {
    /// Period date.
    pub date: NaiveDate,
    /// Observed KPI; `None` for a period to forecast.
    pub actual: Option<f64>,
    /// Predicted KPI: the posterior mean when the model has draws.
    pub predicted: f64,
    /// 90% predictive interval of the KPI (noise included).
    pub interval: Interval,
    /// The media part of `predicted`: every channel's contribution.
    pub media: f64,
    /// Whether the period lies in the model's fitting window.
    pub in_fit: bool,
}

/// Goodness of the predictions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreMetrics {
    /// Coefficient of determination (0 when the KPI is constant, as for a single period).
    pub r2: f64,
    /// Mean absolute percentage error, as a fraction.
    pub mape: f64,
    /// Root mean squared error over the KPI's range.
    pub nrmse: f64,
    /// Mean of `actual − predicted` over the mean actual: positive when the model predicts too
    /// little.
    pub bias: f64,
    /// Share of periods whose actual lies inside its 90% interval (0.9 expected).
    pub coverage: f64,
}

/// The drift test (see the module documentation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Drift {
    /// Periods whose actual lies outside its 90% interval.
    pub outside: usize,
    /// How many a model that still holds would leave outside on average: a tenth of the periods.
    pub expected_outside: f64,
    /// The probability of at least `outside` such periods if the model still holds.
    pub p_value: f64,
    /// `p_value < DRIFT_P_VALUE`: the model no longer describes the data; refit it.
    pub drifted: bool,
}

/// How to read a data set to score `doc` on: the model's KPI, its channels' spend columns (or
/// media-unit columns, [`crate::document::ChannelSeries::media_input_column`], for channels fitted on them) and its controls, with
/// the given date column.
pub fn load_options(doc: &ModelDocument, date_column: &str) -> LoadOptions {
    LoadOptions {
        date_column: date_column.to_owned(),
        kpi: doc.kpi.clone(),
        media: Some((0..doc.channels.len()).map(|i| input_column(doc, i)).collect()),
        controls: Some(doc.baseline.controls.iter().map(|c| c.name.clone()).collect()),
        ..LoadOptions::default()
    }
}

/// A plan as a file to score `doc` on: one row per planned period with an empty KPI (a
/// forecast), each channel's planned spend in its column (the media it buys, for a channel
/// fitted on media units), and each control at the value `controls` gives it over the plan, or
/// else at its mean over the fitting window (a neutral period). `mmm score` then forecasts the
/// KPI of the plan with its 90% intervals. `controls` must pass [`check_controls`].
pub fn plan_csv(
    doc: &ModelDocument,
    plan: &crate::plan::Plan,
    controls: &BTreeMap<String, f64>,
) -> Result<String, DataErrors> {
    check_controls(doc, controls)?;
    let mut writer = csv::Writer::from_writer(Vec::new());
    let header = ["date".to_owned(), doc.kpi.clone()]
        .into_iter()
        .chain((0..doc.channels.len()).map(|i| input_column(doc, i)))
        .chain(doc.baseline.controls.iter().map(|c| c.name.clone()));
    // Writing to a Vec cannot fail, and every record has the header's length.
    let _ = writer.write_record(header);
    for period in &plan.periods {
        // A channel fitted on media units gets the media its planned spend buys, at the ratio
        // the optimiser assumes (media moves with spend).
        let inputs = doc.channels.iter().zip(&doc.series.channels).map(|(c, series)| {
            let spend = period.spend.get(&c.name).copied().unwrap_or(0.0);
            match series.media_rate() {
                Some(per_unit) if per_unit > 0.0 => (spend / per_unit).to_string(),
                _ => format!("{spend:.2}"),
            }
        });
        let values = doc
            .baseline
            .controls
            .iter()
            .map(|c| controls.get(&c.name).copied().unwrap_or(c.mean).to_string());
        let row = [period.date.to_string(), String::new()].into_iter().chain(inputs).chain(values);
        let _ = writer.write_record(row);
    }
    Ok(writer.into_inner().map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default())
}

/// Checks values given to `doc`'s controls (for [`plan_csv`]): a name that is not one of the
/// model's controls, or a value that is not finite, is a problem naming it.
pub fn check_controls(
    doc: &ModelDocument,
    controls: &BTreeMap<String, f64>,
) -> Result<(), DataErrors> {
    let known: Vec<&str> = doc.baseline.controls.iter().map(|c| c.name.as_str()).collect();
    let mut problems = Vec::new();
    for (name, value) in controls {
        let reason = if !known.contains(&name.as_str()) {
            let list = if known.is_empty() { "none".to_owned() } else { known.join(", ") };
            format!("not a control of the model (its controls: {list})")
        } else if !value.is_finite() {
            format!("the value {value} is not a finite number")
        } else {
            continue;
        };
        problems.push(Problem { column: Some(name.clone()), line: None, reason });
    }
    if problems.is_empty() { Ok(()) } else { Err(DataErrors { problems, truncated: 0 }) }
}

/// The column of a file to score that gives channel `i`'s model input: its spend column, or
/// its media column when the model was fitted on media units.
fn input_column(doc: &ModelDocument, i: usize) -> String {
    match doc.series.channels.get(i) {
        Some(series) if series.media_rate().is_some() => series.media_input_column(),
        _ => doc.channels[i].column.clone(),
    }
}

/// Predicts every period of `data` with `doc` and scores the predictions. `data` should be
/// read with [`load_options`] (by [`crate::dataset::load_csv_for_scoring`]); a period off the
/// model's calendar, a column the model needs that `data` lacks, or a model whose media input
/// is not spend is a problem reported like a data error.
pub fn score(doc: &ModelDocument, data: &Dataset) -> Result<Score, DataErrors> {
    let periods = place(doc, data)?;
    let first = periods[0];
    let n = data.len();
    let mut unknown_carry_over = 0;
    // Per channel: the scaled input of the periods before the data (oldest first) and of the
    // data's periods.
    let mut inputs = Vec::with_capacity(doc.channels.len());
    for (i, (c, series)) in doc.channels.iter().zip(&doc.series.channels).enumerate() {
        let name = input_column(doc, i);
        // The column is a channel's own, or a channel's media units (a data set read with its
        // default roles, as the backtest's folds are).
        let (column_history, column_values) = data
            .channels
            .iter()
            .find_map(|d| match &d.media {
                _ if d.column == name => Some((&d.history, &d.spend)),
                Some(m) if m.column == name => Some((&m.history, &m.values)),
                _ => None,
            })
            .ok_or_else(|| {
                problem(Some(&name), format!("the model's channel '{}' needs this column", c.name))
            })?;
        // Media units become the model's spend-equivalent input (`place` refuses a model that
        // has an input but not its ratio).
        let per_unit = series.input_per_media.unwrap_or(1.0);
        let lag = channel_lag(doc, i);
        let mut history = Vec::with_capacity(lag);
        let mut unknown = 0;
        for p in first - lag as i64..first {
            let from_data = usize::try_from(p - (first - column_history.len() as i64))
                .ok()
                .and_then(|i| column_history.get(i))
                .map(|v| v * per_unit);
            let from_model = if p < 0 {
                usize::try_from(p + series.history.len() as i64)
                    .ok()
                    .and_then(|i| series.history.get(i))
            } else {
                usize::try_from(p).ok().and_then(|i| series.model_input().get(i))
            };
            history.push(match from_data.or(from_model.copied()) {
                Some(v) => v,
                None => {
                    // Before the model's first period the model itself counted no spend.
                    if p >= doc.periods as i64 {
                        unknown += 1;
                    }
                    0.0
                }
            });
        }
        unknown_carry_over = unknown_carry_over.max(unknown);
        let scale = |v: &[f64]| -> Vec<f64> { v.iter().map(|x| x / c.scale).collect() };
        let input: Vec<f64> = column_values.iter().map(|v| v * per_unit).collect();
        inputs.push((scale(&history), scale(&input)));
    }

    let draws = doc.posterior.as_deref().filter(|d| !d.is_empty());
    let draw_count = draws.map_or(1, <[_]>::len);
    let media = media_by_draw(doc, &inputs);
    let sigmas: Vec<f64> = match draws {
        Some(draws) => draws.iter().map(|d| d.sigma).collect(),
        None => vec![doc.fit.sigma],
    };
    let spread = BaselineSpread::new(doc);
    let n_fit = doc.periods.saturating_sub(doc.spec.holdout) as i64;
    let mut scored = Vec::with_capacity(n);
    for (k, &t) in periods.iter().enumerate() {
        let values: Vec<f64> = doc
            .baseline
            .controls
            .iter()
            .map(|b| {
                data.controls.iter().find(|c| c.name == b.name).map_or(b.mean, |c| c.values[k])
            })
            .collect();
        let parts = doc.baseline.parts(t as usize, &values);
        let base = parts.intercept + parts.trend + parts.seasonality + parts.controls;
        let (shifts, leverage) = match &spread {
            Some(spread) => spread.at(&doc.baseline.row(t as usize, &values)),
            None => (vec![0.0; draw_count], 0.0),
        };
        let means: Vec<f64> = media.iter().zip(&shifts).map(|(m, s)| base + m[k] + s).collect();
        let widen = (1.0 + leverage).sqrt();
        let mixture = NormalMixture {
            weights: vec![1.0 / draw_count as f64; draw_count],
            means,
            sds: sigmas.iter().map(|s| s * widen).collect(),
        };
        let predicted = mixture.mean();
        scored.push(ScoredPeriod {
            date: data.dates[k],
            actual: Some(data.kpi[k]).filter(|v| !v.is_nan()),
            predicted,
            interval: [mixture.quantile(0.05), mixture.quantile(0.95)],
            media: predicted - base,
            in_fit: t < n_fit,
        });
    }

    Ok(Score {
        metrics: metrics_of(&scored),
        forecasts: scored.iter().filter(|p| p.actual.is_none()).count(),
        out_of_sample: scored.iter().filter(|p| !p.in_fit).count(),
        drift: drift_of(&scored, &crate::fit::noise::Noise::of(&doc.fit)),
        periods: scored,
        unknown_carry_over,
    })
}

impl ScoredPeriod {
    /// Whether the actual lies outside the 90% interval (never for a forecast).
    pub fn outside(&self) -> bool {
        self.actual.is_some_and(|a| a < self.interval[0] || a > self.interval[1])
    }
}

/// The drift test over the periods with an actual, for the model's noise; `None` if there are
/// none.
fn drift_of(periods: &[ScoredPeriod], noise: &crate::fit::noise::Noise) -> Option<Drift> {
    let n = periods.iter().filter(|p| p.actual.is_some()).count();
    if n == 0 {
        return None;
    }
    let outside = periods.iter().filter(|p| p.outside()).count();
    let p_value = misses::outside_upper_tail(n, noise, outside);
    Some(Drift {
        outside,
        expected_outside: OUTSIDE_PROBABILITY * n as f64,
        p_value,
        drifted: p_value < DRIFT_P_VALUE,
    })
}

/// The accuracy of the scored periods with an actual; `None` if there are none.
pub(crate) fn metrics_of(periods: &[ScoredPeriod]) -> Option<ScoreMetrics> {
    let (actual, predicted): (Vec<f64>, Vec<f64>) =
        periods.iter().filter_map(|p| Some((p.actual?, p.predicted))).unzip();
    if actual.is_empty() {
        return None;
    }
    let n = actual.len() as f64;
    let outside = periods.iter().filter(|p| p.outside()).count();
    let mean_actual = actual.iter().sum::<f64>() / n;
    let mean_miss = actual.iter().zip(&predicted).map(|(a, p)| a - p).sum::<f64>() / n;
    Some(ScoreMetrics {
        r2: metrics::r2(&actual, &predicted),
        mape: metrics::mape(&actual, &predicted),
        nrmse: metrics::nrmse(&actual, &predicted),
        bias: if mean_actual != 0.0 { mean_miss / mean_actual } else { 0.0 },
        coverage: 1.0 - outside as f64 / n,
    })
}

/// Each channel's contribution summed per period, for every draw (one "draw" of the document's
/// own parameters when it has none), given each channel's scaled `(history, input)`.
fn media_by_draw(doc: &ModelDocument, inputs: &[(Vec<f64>, Vec<f64>)]) -> Vec<Vec<f64>> {
    let draws = doc.posterior.as_deref().filter(|d| !d.is_empty());
    let n = inputs.first().map_or(0, |(_, input)| input.len());
    let mut media = vec![vec![0.0; n]; draws.map_or(1, <[_]>::len)];
    for (i, (c, (history, input))) in doc.channels.iter().zip(inputs).enumerate() {
        for (d, out) in media.iter_mut().enumerate() {
            let (coefficient, adstock, saturation) = match draws {
                Some(draws) => {
                    let p = &draws[d].channels[i];
                    (p.coefficient, &p.adstock, &p.saturation)
                }
                None => (c.coefficient, &c.adstock, &c.saturation),
            };
            let response = c.transform_order.response(adstock, saturation, history, input);
            for (m, r) in out.iter_mut().zip(response) {
                *m += coefficient * r;
            }
        }
    }
    media
}

/// What the baseline adds to each draw's prediction: the baseline's posterior moves with the
/// media's (a draw with more media has a lower intercept), but the document holds only its
/// mean.
///
/// For each draw, the baseline coefficients that fit the model's own fitting window best given
/// the draw's media (least squares on the baseline's design `X`) differ from those of the mean
/// media by `(XᵀX)⁻¹ Xᵀ (m̄ − m_d)`; a period with design row `x` gets `xᵀ` times that, so the
/// prediction itself stays the document's. Held at the mean instead, the baseline would leave
/// each draw's whole media level as spread in the prediction (a Google Meridian import's own
/// data fell inside its 90% interval in every period). The coefficients' own uncertainty given
/// the media widens the noise by its leverage, `σ² (1 + xᵀ(XᵀX)⁻¹x)`, which grows as the trend
/// and seasonality are extrapolated.
struct BaselineSpread {
    /// `(XᵀX)⁻¹`, regularised a little so that a constant control does not make it singular.
    inverse: DMatrix<f64>,
    /// Per draw, `(XᵀX)⁻¹ Xᵀ (m̄ − m_d)`.
    shifts: Vec<DVector<f64>>,
}

impl BaselineSpread {
    fn new(doc: &ModelDocument) -> Option<Self> {
        let n_fit = doc.periods.saturating_sub(doc.spec.holdout).min(doc.series.actual.len());
        let rows: Vec<Vec<f64>> = (0..n_fit)
            .map(|t| {
                let z: Vec<f64> = doc.series.control_values.iter().map(|c| c.values[t]).collect();
                doc.baseline.row(t, &z)
            })
            .collect();
        let q = rows.first()?.len();
        if n_fit <= q {
            return None;
        }
        let x = DMatrix::from_fn(n_fit, q, |t, j| rows[t][j]);
        let mut xtx = x.transpose() * &x;
        let ridge = 1e-9 * (xtx.trace() / q as f64).max(1e-300);
        for j in 0..q {
            xtx[(j, j)] += ridge;
        }
        let inverse = xtx.cholesky()?.inverse();
        let inputs: Vec<(Vec<f64>, Vec<f64>)> = doc
            .channels
            .iter()
            .zip(&doc.series.channels)
            .map(|(c, s)| {
                let scale = |v: &[f64]| -> Vec<f64> { v.iter().map(|x| x / c.scale).collect() };
                (scale(&s.history), scale(&s.model_input()[..n_fit]))
            })
            .collect();
        let media = media_by_draw(doc, &inputs);
        let mean = DVector::from_fn(n_fit, |t, _| {
            media.iter().map(|m| m[t]).sum::<f64>() / media.len() as f64
        });
        let project = inverse.clone() * x.transpose();
        let shifts =
            media.iter().map(|m| &project * (&mean - DVector::from_column_slice(m))).collect();
        Some(Self { inverse, shifts })
    }

    /// For a period with design row `row`: each draw's baseline shift, and the leverage.
    fn at(&self, row: &[f64]) -> (Vec<f64>, f64) {
        let x = DVector::from_column_slice(row);
        let shifts = self.shifts.iter().map(|s| s.dot(&x)).collect();
        (shifts, (x.transpose() * &self.inverse * &x)[(0, 0)].max(0.0))
    }
}

/// The adstock window of channel `index`: the longest over the draws and the document's own
/// parameters.
fn channel_lag(doc: &ModelDocument, i: usize) -> usize {
    let own = doc.channels[i].adstock.max_lag();
    doc.posterior
        .iter()
        .flatten()
        .filter_map(|d| d.channels.get(i))
        .map(|c| c.adstock.max_lag())
        .fold(own, usize::max)
}

/// Each data period's index on the model's calendar (0 at the model's first period), after
/// checking that the data and the model fit together.
fn place(doc: &ModelDocument, data: &Dataset) -> Result<Vec<i64>, DataErrors> {
    let date_column = data.roles.date.as_str();
    if data.is_empty() {
        return Err(problem(None, "the data have no periods to score"));
    }
    if data.len() > MAX_SCORED_PERIODS {
        return Err(problem(
            None,
            format!(
                "{} periods, but at most {MAX_SCORED_PERIODS} can be scored at once: split the file",
                data.len()
            ),
        ));
    }
    if let Some(c) =
        doc.series.channels.iter().find(|c| c.on_media_units() && c.media_rate().is_none())
    {
        return Err(problem(
            None,
            format!(
                "the model's channel '{}' was fitted on media units, not spend, and was imported \
                 before mmm kept their ratio to spend: import the model again to score it",
                c.name
            ),
        ));
    }
    if data.len() + data.history_len() >= 2 && data.frequency != doc.frequency {
        return Err(problem(
            Some(date_column),
            format!("the data are {} but the model is {}", data.frequency, doc.frequency),
        ));
    }
    let mut out = Vec::with_capacity(data.len());
    let mut problems = Vec::new();
    let mut truncated = 0;
    for date in &data.dates {
        let reason = match doc.frequency.periods_between(doc.start, *date) {
            Some(period) if period >= 0 => {
                out.push(period);
                continue;
            }
            _ if *date < doc.start => format!(
                "{date} is before the model's first period ({}): only periods from then on can \
                 be scored",
                doc.start
            ),
            _ => format!(
                "{date} is not on the model's calendar: its periods start on {} and are a {} \
                 apart",
                doc.start,
                doc.frequency.period_name()
            ),
        };
        if problems.len() < MAX_LISTED_PROBLEMS {
            problems.push(Problem { column: Some(date_column.to_owned()), line: None, reason });
        } else {
            truncated += 1;
        }
    }
    if problems.is_empty() { Ok(out) } else { Err(DataErrors { problems, truncated }) }
}

fn problem(column: Option<&str>, reason: impl Into<String>) -> DataErrors {
    DataErrors {
        problems: vec![Problem {
            column: column.map(str::to_owned),
            line: None,
            reason: reason.into(),
        }],
        truncated: 0,
    }
}

mod misses;
#[cfg(test)]
mod tests;
