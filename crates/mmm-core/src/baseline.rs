//! The baseline part of the model: intercept, trend (straight, or bent at knots), Fourier
//! seasonality and controls.
//!
//! `baseline_t = c_0 + c_trend · x_t + Σ_i d_i · max(0, x_t − κ_i)
//!              + Σ_k [a_k sin(2πkt/P) + b_k cos(2πkt/P)] + Σ_e h_e · [period t holds date e]
//!              + Σ_j g_j · (z_jt − mean_j) / sd_j`
//!
//! where `t` is the period index from 0, `x_t = t / (n_fit − 1)` the position on the trend axis,
//! `κ_i` the trend's knots (where its slope may change by `d_i`; none unless the fit found the
//! data's trend bent), `n_fit` the periods used for fitting, `P` the season
//! length in periods (a year; for daily data also a week), and the control means and standard
//! deviations come from the fitting window. The definition is stored in the model document so
//! the baseline can be recomputed for any period without the data. The recurring events `e`
//! (a calendar date whose week the KPI lifts every year; none unless the fit found them in the
//! data, [`crate::events`]) count with the seasonality. Imported Meridian models add
//! a per-period knot level (`time_effect`, in the trend part) and organic media effects (in the
//! controls part).

use crate::dataset::Frequency;
use crate::events::{Feast, FeastDay};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::f64::consts::PI;

/// One seasonal cycle: its length and its Fourier coefficients.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Seasonality {
    /// Cycle length in periods (52.18 for yearly seasonality in weekly data).
    pub period: f64,
    /// Sine coefficient of harmonic k at index k − 1.
    pub sin: Vec<f64>,
    /// Cosine coefficient of harmonic k at index k − 1.
    pub cos: Vec<f64>,
}

/// Recurring events: calendar dates whose period lifts (or lowers) the KPI by the same amount
/// every year, found by the fit in its residuals ([`crate::events`]). Their effects count with
/// the seasonality.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Events {
    /// The first day of period 0 (the data's first date).
    pub first_period: NaiveDate,
    /// Days per period (7 for weekly data).
    pub period_days: u32,
    /// The events, in the fit's column order: the order the data asked for them
    /// ([`Events::by_date`] sorts them).
    pub dates: Vec<EventDate>,
}

/// One recurring event: the period holding a calendar date every year, or in daily data the
/// first given weekday on or after it (Black Friday: the first Friday on or after 23
/// November), or the period holding a day that moves with a feast ([`Feast`]): at most one of
/// `easter`, `orthodox_easter`, `lunar_new_year`, `eid_al_fitr`, `eid_al_adha`, `mid_autumn`,
/// `dragon_boat`, `diwali`, `islamic_new_year`, `mawlid`, `isra_miraj`, `holi`, `dussehra`,
/// `buddhas_birthday`, `vernal_equinox`, `autumnal_equinox`, `qingming`, `seollal` and `chuseok`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventDate {
    /// Month of the date, 1-12 (0 for an event that moves with a feast).
    pub month: u32,
    /// Day of the month (never 29 February: every year must hold the date; 0 for an event
    /// that moves with a feast).
    pub day: u32,
    /// The weekday the event keeps ("Fri"), when it keeps one rather than its date: it falls on
    /// the first such weekday on or after `month`/`day` (format version 6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weekday: Option<chrono::Weekday>,
    /// Days from Easter Sunday, for an event that moves with Easter (Good Friday: −2; format
    /// version 6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub easter: Option<i32>,
    /// Days from Orthodox Easter Sunday, for an event that moves with it (format version 7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orthodox_easter: Option<i32>,
    /// Days from Lunar New Year, for an event that moves with it (its eve: −1; format version
    /// 7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lunar_new_year: Option<i32>,
    /// Days from Eid al-Fitr, for an event that moves with it (format version 7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eid_al_fitr: Option<i32>,
    /// Days from Eid al-Adha, for an event that moves with it (format version 7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eid_al_adha: Option<i32>,
    /// Days from the Mid-Autumn Festival, for an event that moves with it (format version 8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mid_autumn: Option<i32>,
    /// Days from the Dragon Boat Festival, for an event that moves with it (format version 8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dragon_boat: Option<i32>,
    /// Days from Diwali, for an event that moves with it (Dhanteras: −2; format version 8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diwali: Option<i32>,
    /// Days from the Islamic New Year, for an event that moves with it (format version 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub islamic_new_year: Option<i32>,
    /// Days from the Prophet's Birthday, for an event that moves with it (format version 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mawlid: Option<i32>,
    /// Days from Isra and Mi'raj, for an event that moves with it (format version 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub isra_miraj: Option<i32>,
    /// Days from Holi, for an event that moves with it (format version 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holi: Option<i32>,
    /// Days from Dussehra, for an event that moves with it (format version 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dussehra: Option<i32>,
    /// Days from Buddha's Birthday, for an event that moves with it (format version 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buddhas_birthday: Option<i32>,
    /// Days from Japan's Vernal Equinox Day, for an event that moves with it (format version 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vernal_equinox: Option<i32>,
    /// Days from Japan's Autumnal Equinox Day, for an event that moves with it (format version
    /// 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autumnal_equinox: Option<i32>,
    /// Days from the Qingming Festival, for an event that moves with it (format version 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qingming: Option<i32>,
    /// Days from Seollal (the Korean calendar's New Year), for an event that moves with it
    /// (format version 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seollal: Option<i32>,
    /// Days from Chuseok (the Korean calendar's), for an event that moves with it (format
    /// version 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chuseok: Option<i32>,
    /// How many days the event lasts from its day, when more than one (20 November to 25
    /// December: 36; Ramadan: 30; format version 9).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<u32>,
    /// Effect on the KPI of the period that holds the date (or, for an event of several days,
    /// of a period that holds all of it or is wholly within it), in KPI units.
    pub coefficient: f64,
}

impl EventDate {
    /// When the event falls, as people write it: "27 November", "the Friday of 23-29
    /// November" (the seven days a weekday rule falls in), "Easter Monday".
    pub fn label(&self) -> String {
        self.rule().label()
    }

    /// An event with effect `coefficient` that falls by `rule`.
    pub fn new(rule: crate::events::Rule, coefficient: f64) -> EventDate {
        let offset = |feast| rule.feast.filter(|f| f.feast == feast).map(|f| f.offset);
        EventDate {
            month: rule.month,
            day: rule.day,
            weekday: rule.weekday,
            easter: offset(Feast::Easter),
            orthodox_easter: offset(Feast::OrthodoxEaster),
            lunar_new_year: offset(Feast::LunarNewYear),
            eid_al_fitr: offset(Feast::EidAlFitr),
            eid_al_adha: offset(Feast::EidAlAdha),
            mid_autumn: offset(Feast::MidAutumn),
            dragon_boat: offset(Feast::DragonBoat),
            diwali: offset(Feast::Diwali),
            islamic_new_year: offset(Feast::IslamicNewYear),
            mawlid: offset(Feast::Mawlid),
            isra_miraj: offset(Feast::IsraMiraj),
            holi: offset(Feast::Holi),
            dussehra: offset(Feast::Dussehra),
            buddhas_birthday: offset(Feast::BuddhasBirthday),
            vernal_equinox: offset(Feast::VernalEquinox),
            autumnal_equinox: offset(Feast::AutumnalEquinox),
            qingming: offset(Feast::Qingming),
            seollal: offset(Feast::Seollal),
            chuseok: offset(Feast::Chuseok),
            days: (rule.days > 1).then_some(rule.days),
            coefficient,
        }
    }

    /// When the event falls, as a rule.
    pub fn rule(&self) -> crate::events::Rule {
        crate::events::Rule {
            month: self.month,
            day: self.day,
            weekday: self.weekday,
            feast: self.feasts().next(),
            days: self.days.unwrap_or(1),
        }
    }

    /// The feast days the event names: one at most in a valid document.
    fn feasts(&self) -> impl Iterator<Item = FeastDay> {
        [
            (Feast::Easter, self.easter),
            (Feast::OrthodoxEaster, self.orthodox_easter),
            (Feast::LunarNewYear, self.lunar_new_year),
            (Feast::EidAlFitr, self.eid_al_fitr),
            (Feast::EidAlAdha, self.eid_al_adha),
            (Feast::MidAutumn, self.mid_autumn),
            (Feast::DragonBoat, self.dragon_boat),
            (Feast::Diwali, self.diwali),
            (Feast::IslamicNewYear, self.islamic_new_year),
            (Feast::Mawlid, self.mawlid),
            (Feast::IsraMiraj, self.isra_miraj),
            (Feast::Holi, self.holi),
            (Feast::Dussehra, self.dussehra),
            (Feast::BuddhasBirthday, self.buddhas_birthday),
            (Feast::VernalEquinox, self.vernal_equinox),
            (Feast::AutumnalEquinox, self.autumnal_equinox),
            (Feast::Qingming, self.qingming),
            (Feast::Seollal, self.seollal),
            (Feast::Chuseok, self.chuseok),
        ]
        .into_iter()
        .filter_map(|(feast, offset)| Some(FeastDay { feast, offset: offset? }))
    }

    /// The format version the event needs: its feast's ([`Feast::format_version`]), at least 9
    /// when it lasts several days, else 6 when it keeps a weekday, else 5.
    pub(crate) fn format_version(&self) -> u32 {
        let by_day = match self.rule().feast {
            Some(f) => f.feast.format_version(),
            None if self.weekday.is_some() => 6,
            None => 5,
        };
        if self.days.is_some() { by_day.max(9) } else { by_day }
    }
}

impl Events {
    /// The events in calendar order (the fit adds them in the order the data ask for them).
    pub fn by_date(&self) -> Vec<&EventDate> {
        let mut dates: Vec<&EventDate> = self.dates.iter().collect();
        dates.sort_by_key(|e| e.rule().key());
        dates
    }

    /// Whether period `t` holds event `e`'s date (a day of it, for an event of several days).
    pub fn holds(&self, t: usize, e: &EventDate) -> bool {
        self.share(t, e) > 0.0
    }

    /// Event `e`'s column in period `t`: how much of the event the period holds
    /// ([`crate::events::Rule::share`]; 0 or 1 for an event of a day).
    pub fn share(&self, t: usize, e: &EventDate) -> f64 {
        let start = i64::try_from(t)
            .ok()
            .and_then(|t| t.checked_mul(i64::from(self.period_days)))
            .and_then(|days| self.first_period.checked_add_signed(chrono::Duration::days(days)));
        start.map_or(0.0, |start| e.rule().share(start, self.period_days))
    }

    /// Whether the events are well formed: a period of 1 to 31 days (a year holds a date at
    /// most once in it), and rules every year has ([`crate::events::Rule`]: real dates other
    /// than 29 February, or days near one feast's, lasting a quarter of a year at most) with
    /// finite effects.
    pub(crate) fn is_valid(&self) -> bool {
        (1..=31).contains(&self.period_days)
            && self.dates.iter().all(|e| {
                e.coefficient.is_finite() && e.rule().is_valid() && e.feasts().count() <= 1
            })
    }
}

/// One control variable's effect.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ControlEffect {
    /// Column name.
    pub name: String,
    /// Effect of one standard deviation of the control, in KPI units.
    pub coefficient: f64,
    /// Mean over the fitting window (centring).
    pub mean: f64,
    /// Standard deviation over the fitting window (scaling; 1 if the control is constant).
    pub sd: f64,
}

/// The contribution per period of media the advertiser does not pay for (Meridian's organic
/// media), in KPI units. It belongs to the baseline: no budget moves it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrganicEffect {
    /// Channel name.
    pub name: String,
    /// Posterior-mean contribution per period.
    pub contribution: Vec<f64>,
}

/// The fitted baseline, in KPI units. With posterior draws the coefficients are posterior means
/// (the baseline is linear in them, so its parts are too).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    /// Level at period 0 (with seasonality and centred controls at zero).
    pub intercept: f64,
    /// Change over the fitting window (the coefficient of `t / (n_fit − 1)`).
    pub trend: f64,
    /// Periods in the fitting window (`n_fit`), which normalises the trend.
    pub trend_periods: usize,
    /// Positions on the trend axis (0 at the first period, 1 at the last fitted one) where the
    /// trend's slope may change. Empty for a straight trend.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trend_knots: Vec<f64>,
    /// The change of slope at each knot (the coefficient of `max(0, x − knot)`), in KPI units
    /// per trend-axis unit; one per knot.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trend_bends: Vec<f64>,
    /// Seasonal cycles.
    pub seasonality: Vec<Seasonality>,
    /// Recurring events the fit found; none unless the data asked for them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<Events>,
    /// Control effects.
    pub controls: Vec<ControlEffect>,
    /// A time-varying level per period, in KPI units, added to the trend part. Imported
    /// Meridian models carry their knot baseline (`μ_t`) here; models fitted by mmm leave it
    /// empty. Periods past its end take its last value.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub time_effect: Vec<f64>,
    /// Organic media effects, counted with the controls. Imported Meridian models with organic
    /// media carry them; models fitted by mmm have none. Periods past their end take their
    /// last value, like `time_effect`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub organic: Vec<OrganicEffect>,
}

/// The parts of the baseline in one period.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct BaselineParts {
    /// Intercept.
    pub intercept: f64,
    /// Trend.
    pub trend: f64,
    /// All seasonal terms, recurring events included.
    pub seasonality: f64,
    /// All control effects, organic media included.
    pub controls: f64,
}

impl Baseline {
    /// Sets the fitted coefficients from `coef`, in the fit's column order: intercept, trend,
    /// the bend at each trend knot, then each cycle's harmonics in turn (sine, cosine), then
    /// each recurring event, then the controls. Returns false, and changes nothing, if `coef`
    /// does not hold exactly one value per coefficient.
    pub(crate) fn set_coefficients(&mut self, coef: &[f64]) -> bool {
        let harmonics: usize = self.seasonality.iter().map(|s| s.sin.len()).sum();
        let knots = self.trend_knots.len();
        if self.seasonality.iter().any(|s| s.cos.len() != s.sin.len())
            || coef.len() != 2 + knots + 2 * harmonics + self.event_count() + self.controls.len()
        {
            return false;
        }
        self.intercept = coef[0];
        self.trend = coef[1];
        self.trend_bends = coef[2..2 + knots].to_vec();
        let mut col = 2 + knots;
        for s in &mut self.seasonality {
            for k in 0..s.sin.len() {
                s.sin[k] = coef[col];
                s.cos[k] = coef[col + 1];
                col += 2;
            }
        }
        for e in self.events.iter_mut().flat_map(|e| &mut e.dates) {
            e.coefficient = coef[col];
            col += 1;
        }
        for c in &mut self.controls {
            c.coefficient = coef[col];
            col += 1;
        }
        true
    }

    /// The baseline parts in period `t`, given the raw control values of that period (in the
    /// order of [`Baseline::controls`]): the design row times the coefficients, split by part,
    /// plus the time effect (in the trend) and organic media (in the controls).
    pub fn parts(&self, t: usize, control_values: &[f64]) -> BaselineParts {
        let row = self.row(t, control_values);
        let coefficients = self.coefficients();
        let trend_end = 2 + self.trend_knots.len();
        let seasonal_end =
            trend_end + 2 * self.harmonic_pairs().sum::<usize>() + self.event_count();
        let dot = |range: std::ops::Range<usize>| -> f64 {
            range.map(|j| row[j] * coefficients[j]).sum()
        };
        let organic: f64 = self
            .organic
            .iter()
            .map(|o| o.contribution.get(t).or(o.contribution.last()).copied().unwrap_or(0.0))
            .sum();
        BaselineParts {
            intercept: self.intercept,
            trend: dot(1..trend_end)
                + self.time_effect.get(t).or(self.time_effect.last()).copied().unwrap_or(0.0),
            seasonality: dot(trend_end..seasonal_end),
            controls: dot(seasonal_end..row.len()) + organic,
        }
    }

    /// The baseline's design row in period `t` (given the raw control values of that period):
    /// the values its coefficients multiply, in the fit's column order (intercept, trend, each
    /// trend knot's hinge, each cycle's sine and cosine per harmonic, each recurring event's
    /// indicator, the standardised controls).
    pub(crate) fn row(&self, t: usize, control_values: &[f64]) -> Vec<f64> {
        let x = trend_position(t, self.trend_periods);
        let mut row = vec![1.0, x];
        row.extend(self.trend_knots.iter().map(|k| hinge(x, *k)));
        for (s, pairs) in self.seasonality.iter().zip(self.harmonic_pairs()) {
            for k in 1..=pairs {
                let (sin, cos) = harmonic(t, k, s.period);
                row.extend([sin, cos]);
            }
        }
        if let Some(events) = &self.events {
            row.extend(events.dates.iter().map(|e| events.share(t, e)));
        }
        row.extend(self.controls.iter().zip(control_values).map(|(c, z)| (z - c.mean) / c.sd));
        row
    }

    /// The coefficients in the order of [`Baseline::row`], controls included (the row may stop
    /// short of them when fewer control values are given).
    fn coefficients(&self) -> Vec<f64> {
        let mut coefficients = vec![self.intercept, self.trend];
        coefficients.extend(
            (0..self.trend_knots.len()).map(|i| self.trend_bends.get(i).copied().unwrap_or(0.0)),
        );
        for s in &self.seasonality {
            for (a, b) in s.sin.iter().zip(&s.cos) {
                coefficients.extend([*a, *b]);
            }
        }
        coefficients.extend(self.events.iter().flat_map(|e| &e.dates).map(|e| e.coefficient));
        coefficients.extend(self.controls.iter().map(|c| c.coefficient));
        coefficients
    }

    /// Harmonics of the yearly cycle (0 without one). A yearly cycle lasts 12 periods or more;
    /// daily data's weekly cycle lasts 7.
    pub fn yearly_harmonics(&self) -> usize {
        self.seasonality.iter().find(|s| s.period >= 12.0).map_or(0, |s| s.sin.len())
    }

    /// Recurring events (0 without any).
    pub fn event_count(&self) -> usize {
        self.events.as_ref().map_or(0, |e| e.dates.len())
    }

    /// Per cycle, the harmonics with both a sine and a cosine coefficient.
    fn harmonic_pairs(&self) -> impl Iterator<Item = usize> + '_ {
        self.seasonality.iter().map(|s| s.sin.len().min(s.cos.len()))
    }
}

/// Position of period `t` on the trend axis: 0 at the first period, 1 at the last fitted one.
pub(crate) fn trend_position(t: usize, n_fit: usize) -> f64 {
    t as f64 / (n_fit.max(2) - 1) as f64
}

/// Harmonic `k` of a cycle of `period` periods in period `t`: its sine and its cosine.
pub(crate) fn harmonic(t: usize, k: usize, period: f64) -> (f64, f64) {
    (2.0 * PI * k as f64 * t as f64 / period).sin_cos()
}

/// The hinge `max(0, x − knot)`: a change of the trend's slope at `knot`.
pub(crate) fn hinge(x: f64, knot: f64) -> f64 {
    (x - knot).max(0.0)
}

/// `count` trend knots spread evenly over the fitting window, at `i / (count + 1)`.
pub(crate) fn trend_knots(count: usize) -> Vec<f64> {
    (1..=count).map(|i| i as f64 / (count + 1) as f64).collect()
}

/// Seasonal cycle lengths (in periods) used for data of a frequency.
pub(crate) fn cycles(frequency: Frequency, yearly: usize, weekly: usize) -> Vec<(f64, usize)> {
    let mut out = vec![(frequency.periods_per_year(), yearly)];
    if frequency == Frequency::Daily && weekly > 0 {
        out.push((7.0, weekly));
    }
    out.retain(|(_, k)| *k > 0);
    out
}

/// Mean and standard deviation of `values[..n_fit]`; a constant control gets sd 1.
pub(crate) fn centre_scale(values: &[f64], n_fit: usize) -> (f64, f64) {
    let v = &values[..n_fit.min(values.len())];
    let n = v.len().max(1) as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
    let sd = var.sqrt();
    (mean, if sd > 1e-12 * (1.0 + mean.abs()) { sd } else { 1.0 })
}

/// Builds the baseline design columns for `n` periods: intercept, straight trend, then for each
/// cycle sin/cos pairs per harmonic, then the standardised controls (a fit whose trend bends
/// inserts the knots' hinges after the trend later). Returns the columns and, for each control,
/// its (mean, sd).
pub(crate) fn design_columns(
    n: usize,
    n_fit: usize,
    cycles: &[(f64, usize)],
    controls: &[&[f64]],
) -> (Vec<Vec<f64>>, Vec<(f64, f64)>) {
    let mut cols = vec![vec![1.0; n], (0..n).map(|t| trend_position(t, n_fit)).collect()];
    for &(period, harmonics) in cycles {
        for k in 1..=harmonics {
            cols.push((0..n).map(|t| harmonic(t, k, period).0).collect());
            cols.push((0..n).map(|t| harmonic(t, k, period).1).collect());
        }
    }
    let mut stats = Vec::with_capacity(controls.len());
    for values in controls {
        let (mean, sd) = centre_scale(values, n_fit);
        stats.push((mean, sd));
        cols.push(values.iter().map(|z| (z - mean) / sd).collect());
    }
    (cols, stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trend_bends_at_its_knots_and_runs_on_past_the_window() {
        // Fitted over 5 periods (x = 0, 0.25, 0.5, 0.75, 1): slope 8 per trend-axis unit, which
        // falls by 6 at x = 0.5.
        let mut b = Baseline {
            intercept: 100.0,
            trend: 0.0,
            trend_periods: 5,
            trend_knots: vec![0.5],
            trend_bends: Vec::new(),
            seasonality: Vec::new(),
            controls: Vec::new(),
            events: None,
            time_effect: Vec::new(),
            organic: Vec::new(),
        };
        // Column order: intercept, trend, the knot's hinge.
        assert!(!b.set_coefficients(&[100.0, 8.0]));
        assert!(b.set_coefficients(&[100.0, 8.0, -6.0]));
        assert_eq!((b.trend, b.trend_bends.clone()), (8.0, vec![-6.0]));
        assert_eq!(b.row(3, &[]), vec![1.0, 0.75, 0.25]);
        // By hand: 8x below the knot, 4 + 2(x − 0.5) above it.
        let trend = |t: usize| b.parts(t, &[]).trend;
        for (t, want) in [(0, 0.0), (1, 2.0), (2, 4.0), (3, 4.5), (4, 5.0), (8, 7.0)] {
            assert!((trend(t) - want).abs() < 1e-12, "period {t}: {} against {want}", trend(t));
        }
        assert_eq!(b.parts(8, &[]).intercept, 100.0);
    }

    #[test]
    fn the_yearly_cycle_is_told_from_the_weekly_one() {
        let cycle = |period: f64, harmonics: usize| Seasonality {
            period,
            sin: vec![0.0; harmonics],
            cos: vec![0.0; harmonics],
        };
        let mut b = Baseline {
            intercept: 0.0,
            trend: 0.0,
            trend_periods: 5,
            trend_knots: Vec::new(),
            trend_bends: Vec::new(),
            seasonality: vec![cycle(7.0, 3)],
            controls: Vec::new(),
            events: None,
            time_effect: Vec::new(),
            organic: Vec::new(),
        };
        // Daily data without a yearly season keep only the weekly one.
        assert_eq!(b.yearly_harmonics(), 0);
        b.seasonality.insert(0, cycle(365.25, 6));
        assert_eq!(b.yearly_harmonics(), 6);
        b.seasonality = vec![cycle(12.0, 5)];
        assert_eq!(b.yearly_harmonics(), 5);
    }
}
