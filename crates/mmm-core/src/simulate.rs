//! Synthetic data with known truth, for tests, documentation and demos.
//!
//! The generator follows the model's own structure (geometric adstock, Hill saturation, linear
//! trend, yearly seasonality, two controls, Gaussian noise) with realistic spend: a shared budget
//! cycle correlates the channels, and each channel has its own pattern (always-on, flighted,
//! seasonal). Every random choice comes from one seeded generator, so a seed gives the same data.
//! The true ROI of a channel is its true contribution over the data divided by its spend, the
//! same definition the fit reports.

use crate::dataset::{Channel, ColumnRoles, Control, Dataset, Frequency, MediaUnits};
use crate::events::{Feast, Rule};
use crate::transforms::{geometric_weights, hill};
use chrono::{Datelike, NaiveDate};
use rand::{RngExt, SeedableRng, rngs::StdRng};
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::f64::consts::PI;

/// What to simulate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimConfig {
    /// Number of periods.
    pub periods: usize,
    /// Number of media channels (1 to 20).
    pub channels: usize,
    /// Seed: the same seed gives the same data.
    pub seed: u64,
    /// Noise standard deviation as a fraction of the mean KPI (e.g. 0.05).
    pub noise: f64,
    /// Date of the first period.
    pub start: NaiveDate,
    /// Spacing of the periods.
    pub frequency: Frequency,
    /// Which kind of market to simulate.
    #[serde(default)]
    pub profile: Profile,
    /// Periods of media spend before the first period with a KPI value. Their spend carries
    /// over into the data and is written as media history (rows with an empty KPI); 0 starts
    /// the market cold.
    #[serde(default)]
    pub history: usize,
    /// Whether channels buy media units (impressions) whose price moves over time: the KPI
    /// then responds to the units, the data give them in `<channel>_media` columns, and the
    /// same spend buys more or less response as the price moves. `false` makes the response
    /// follow the spend.
    #[serde(default)]
    pub media_units: bool,
    /// How strongly the budget cycle that every channel shares moves their spend: 1 (the
    /// default, calibrated to the Meridian demo data) gives a mean correlation of the channels'
    /// weekly spend of about 0.05 over the pairs, 3 about 0.33, 6 about 0.57; larger values
    /// also make the spend swing more. The same seed draws the same shocks at every strength.
    #[serde(default = "one")]
    pub shared_budget: f64,
    /// Period-to-period autocorrelation of the noise, in [0, 1): the noise is then an AR(1)
    /// process `e_t = ρ e_{t−1} + ν_t` with the standard deviation `noise` asks for. 0 (the
    /// default) draws independent noise, the same draws at every ρ.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub noise_autocorrelation: f64,
    /// Lag, in periods, at which every channel's carry-over peaks. 0 (the default) is the
    /// geometric adstock, whose weight is largest in the period of the spend; above 0 the
    /// weights are `decay^((l − peak)²)` over the same window, normalised (PyMC-Marketing's
    /// delayed adstock), as TV and radio often behave. The same seed draws the same spend and
    /// true ROIs at every peak.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub adstock_peak: f64,
    /// Steps of a random walk in the KPI's level, as a fraction of its mean (0.01, say): a
    /// baseline that wanders, as local-level models assume, beside the noise. 0 (the default)
    /// keeps the level on its trend and season. The walk has its own generator, so the same
    /// seed draws the same market otherwise.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub level_walk: f64,
    /// Lift of the KPI in the periods holding [`EVENT_DATES`] (about Black Friday's week, and the
    /// one before Christmas), as a fraction of its starting level (0.4, say): events that recur
    /// every year and that no column of the data marks. 0 (the default) has none.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub yearly_events: f64,
    /// Lift of the KPI in the period holding each feast's day (Easter Sunday: 22 March to 25
    /// April; Lunar New Year: 21 January to 20 February; ...), as a fraction of its starting
    /// level: events that move from year to year and that no column marks. Empty (the
    /// default) has none.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub feasts: BTreeMap<Feast, f64>,
    /// Lift of the KPI with each event, as a fraction of its starting level, in every period by
    /// the share of the event it holds ([`Rule::share`]): a holiday season (`11-20..12-25`),
    /// Ramadan, a day. Empty (the default) has none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lifts: Vec<(Rule, f64)>,
}

/// The calendar dates (month, day) of the simulator's yearly events ([`SimConfig::yearly_events`]):
/// 27 November and 24 December.
pub const EVENT_DATES: [(u32, u32); 2] = [(11, 27), (12, 24)];

fn is_zero(v: &f64) -> bool {
    *v == 0.0
}

fn one() -> f64 {
    1.0
}

/// The kind of market a simulation draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Profile {
    /// Media is about 30% of the KPI; channels range from large flighted TV to small seasonal
    /// radio with low ROI, several of them barely identifiable at 5% noise.
    #[default]
    Mixed,
    /// Shaped like the Meridian demo data set (`fixtures/meridian/meridian_demo.csv`). Media is
    /// about 55% of the KPI. Two large always-on channels (one with a dark week every 12 weeks),
    /// a 4-on / 5-off flighted channel and two small ones, every channel with its own yearly
    /// swing. The typical ROI, adstock and saturation of each channel are Meridian's posterior
    /// means for that data set.
    MeridianDemo,
}

impl SimConfig {
    /// The same market with periods of the given spacing; monthly periods are named by the
    /// first day of each month, from the start's month on.
    pub fn with_frequency(self, frequency: Frequency) -> Self {
        let start = match frequency {
            Frequency::Monthly => self.start.with_day(1).unwrap_or(self.start),
            Frequency::Daily | Frequency::Weekly => self.start,
        };
        Self { frequency, start, ..self }
    }
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            periods: 156,
            channels: 5,
            seed: 1,
            noise: 0.05,
            start: NaiveDate::from_ymd_opt(2022, 1, 3).unwrap_or_default(),
            frequency: Frequency::Weekly,
            profile: Profile::Mixed,
            history: 0,
            media_units: false,
            shared_budget: 1.0,
            noise_autocorrelation: 0.0,
            adstock_peak: 0.0,
            level_walk: 0.0,
            yearly_events: 0.0,
            feasts: BTreeMap::new(),
            lifts: Vec::new(),
        }
    }
}

/// How a channel's spend moves over time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpendPattern {
    /// Spend every period around a level.
    AlwaysOn,
    /// Bursts of spend separated by dark periods.
    Flighted,
    /// Spend that rises and falls with a yearly cycle.
    Seasonal,
}

/// The true parameters and outcome of one simulated channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrueChannel {
    /// Channel name.
    pub name: String,
    /// Spend pattern.
    pub pattern: SpendPattern,
    /// Adstock decay: geometric, or of the delayed weights when `peak` is above 0.
    pub decay: f64,
    /// Lag at which the carry-over peaks ([`SimConfig::adstock_peak`]); 0 is geometric.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub peak: f64,
    /// Adstock window.
    pub max_lag: usize,
    /// Hill half-saturation, in units of `scale`.
    pub half_saturation: f64,
    /// Hill shape.
    pub shape: f64,
    /// Spend scale: mean non-zero spend per period.
    pub scale: f64,
    /// Effect at full saturation per period.
    pub coefficient: f64,
    /// Total spend.
    pub spend: f64,
    /// Total true contribution.
    pub contribution: f64,
    /// True ROI: contribution / spend.
    pub roi: f64,
    /// Media units bought per unit of `scale`'s input, when the channel buys media units
    /// ([`SimConfig::media_units`]): the response follows the units over this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub units_per_input: Option<f64>,
}

impl TrueChannel {
    /// The channel's true contribution in each period of the data, given its spend (the data
    /// set's channel, with its media history): what a perfect lift test over those periods
    /// would measure.
    pub fn contributions(&self, channel: &Channel) -> Vec<f64> {
        let input: Vec<f64> = match (&channel.media, self.units_per_input) {
            (Some(m), Some(per)) => m.history.iter().chain(&m.values).map(|u| u / per).collect(),
            _ => channel.history.iter().chain(&channel.spend).copied().collect(),
        };
        response_shape(
            &input,
            &adstock_weights(self.decay, self.peak, self.max_lag),
            self.scale,
            self.half_saturation,
            self.shape,
        )
        .into_iter()
        .skip(channel.history.len())
        .map(|f| self.coefficient * f)
        .collect()
    }
}

/// Normalised adstock weights over lags `0..=max_lag`: geometric when `peak` is 0, else
/// `decay^((l − peak)²)` ([`SimConfig::adstock_peak`]).
fn adstock_weights(decay: f64, peak: f64, max_lag: usize) -> Vec<f64> {
    if peak <= 0.0 {
        return geometric_weights(decay, max_lag);
    }
    let raw: Vec<f64> = (0..=max_lag).map(|l| decay.powf((l as f64 - peak).powi(2))).collect();
    let total: f64 = raw.iter().sum();
    raw.into_iter().map(|w| w / total).collect()
}

/// Hill of the adstock (normalised weights `w`) of `spend / scale`, per period (spend before
/// the first period of `spend` counts as zero).
fn response_shape(spend: &[f64], w: &[f64], scale: f64, k: f64, s: f64) -> Vec<f64> {
    (0..spend.len())
        .map(|t| {
            let a: f64 = (0..w.len().min(t + 1)).map(|l| w[l] * spend[t - l]).sum::<f64>() / scale;
            hill(a, k, s)
        })
        .collect()
}

/// The true baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrueBaseline {
    /// Level at the start.
    pub intercept: f64,
    /// Change of the level over the whole series.
    pub trend: f64,
    /// Amplitude of the yearly cycle.
    pub seasonality_amplitude: f64,
    /// KPI change per unit of `price_index`.
    pub price_effect: f64,
    /// KPI change in promotion periods.
    pub promo_effect: f64,
    /// Noise standard deviation.
    pub noise_sd: f64,
}

/// The truth behind a simulated data set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimTruth {
    /// Configuration used.
    pub config: SimConfig,
    /// Channels.
    pub channels: Vec<TrueChannel>,
    /// Baseline.
    pub baseline: TrueBaseline,
}

/// A simulated data set and its truth.
#[derive(Debug, Clone, PartialEq)]
pub struct Simulation {
    /// The data, as the loader would produce it.
    pub dataset: Dataset,
    /// The parameters that generated it.
    pub truth: SimTruth,
}

/// Channel archetypes: name, pattern, mean weekly spend, typical ROI, decay, K, S.
const ARCHETYPES: [(&str, SpendPattern, f64, f64, f64, f64, f64); 10] = [
    ("tv", SpendPattern::Flighted, 40_000.0, 1.4, 0.6, 1.0, 2.0),
    ("search", SpendPattern::Seasonal, 25_000.0, 2.4, 0.1, 0.9, 1.1),
    ("social", SpendPattern::AlwaysOn, 20_000.0, 1.6, 0.3, 1.1, 1.4),
    ("display", SpendPattern::Flighted, 15_000.0, 0.8, 0.2, 1.0, 1.6),
    ("radio", SpendPattern::Seasonal, 10_000.0, 1.1, 0.4, 0.9, 1.8),
    ("video", SpendPattern::Flighted, 18_000.0, 1.3, 0.5, 1.2, 1.5),
    ("print", SpendPattern::AlwaysOn, 8_000.0, 0.7, 0.3, 0.8, 1.2),
    ("ooh", SpendPattern::Flighted, 12_000.0, 0.9, 0.5, 1.0, 2.2),
    ("email", SpendPattern::AlwaysOn, 5_000.0, 3.0, 0.1, 1.0, 1.0),
    ("affiliate", SpendPattern::Seasonal, 9_000.0, 2.0, 0.2, 1.1, 1.3),
];

/// The Meridian-demo archetypes: name, pattern, mean weekly spend when on, typical ROI, decay, K, S.
const DEMO_ARCHETYPES: [(&str, SpendPattern, f64, f64, f64, f64, f64); 5] = [
    ("tv", SpendPattern::AlwaysOn, 7_800.0, 1.7, 0.48, 1.09, 1.0),
    ("search", SpendPattern::Seasonal, 54_000.0, 3.4, 0.6, 1.53, 1.0),
    ("social", SpendPattern::Flighted, 52_000.0, 3.4, 0.05, 0.63, 1.0),
    ("display", SpendPattern::AlwaysOn, 53_000.0, 4.0, 0.34, 1.76, 1.0),
    ("radio", SpendPattern::AlwaysOn, 6_600.0, 2.5, 0.45, 1.19, 1.0),
];

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// Prices the media a channel buys: `exposure` (history periods first, `h` of them) is what
/// it buys valued at its average price, and becomes the spend at each period's price. The
/// price drifts (AR(1) in log, sd about 0.2) and swings over the year (±15%), normalised so
/// that the data's spend equals its exposure in total. Returns the media units bought (whole
/// impressions, 20-200 per unit of spend) and the units per unit of exposure.
fn buy_units(exposure: &mut [f64], h: usize, per_year: f64, rng: &mut StdRng) -> (Vec<f64>, f64) {
    let phase = rng.random_range(0.0..2.0 * PI);
    let per = rng.random_range(20.0..200.0);
    let mut level = 0.0;
    let mut price: Vec<f64> = (0..exposure.len())
        .map(|t| {
            let shock: f64 = StandardNormal.sample(rng);
            level = 0.85 * level + 0.1 * shock;
            (level + 0.15 * (2.0 * PI * t as f64 / per_year + phase).sin()).exp()
        })
        .collect();
    let bought: f64 = exposure[h..].iter().zip(&price[h..]).map(|(e, p)| e * p).sum();
    let total: f64 = exposure[h..].iter().sum();
    if bought > 0.0 {
        price.iter_mut().for_each(|p| *p *= total / bought);
    }
    let units = exposure.iter().map(|e| (e * per).round()).collect();
    for (e, p) in exposure.iter_mut().zip(&price) {
        *e = round2(*e * p);
    }
    (units, per)
}

/// Generates a data set with known truth.
pub fn simulate(config: &SimConfig) -> Simulation {
    let n = config.periods.max(1);
    // Spend is drawn for the history periods and then the data's; `h + t` is data period t.
    let h = config.history;
    let channels = config.channels.clamp(1, 20);
    let mut rng = StdRng::seed_from_u64(config.seed);
    let z = |rng: &mut StdRng| -> f64 { StandardNormal.sample(rng) };
    let per_year = config.frequency.periods_per_year();
    let season = |t: usize, phase: f64| (2.0 * PI * t as f64 / per_year + phase).sin();

    // A shared budget cycle (AR(1) plus a yearly swing) correlates the channels' spend. Spend
    // variation is calibrated to realistic data (the Meridian demo set in fixtures/): week-to-week
    // log changes of 0.4-0.5 and cross-channel correlations of about 0 to 0.35.
    let mut budget = Vec::with_capacity(h + n);
    let mut level = 0.0;
    for t in 0..h + n {
        level = 0.8 * level + 0.1 * config.shared_budget * z(&mut rng);
        budget.push((level + 0.1 * config.shared_budget * season(t, -PI / 2.0)).exp());
    }

    let mut dataset_channels = Vec::with_capacity(channels);
    let mut truths = Vec::with_capacity(channels);
    let mut media_total = vec![0.0; n];
    for c in 0..channels {
        let demo = config.profile == Profile::MeridianDemo;
        let (base_name, pattern, mean_spend, roi, decay, k, s) = if demo {
            DEMO_ARCHETYPES[c % DEMO_ARCHETYPES.len()]
        } else {
            ARCHETYPES[c % ARCHETYPES.len()]
        };
        let name = if c < ARCHETYPES.len() {
            base_name.to_owned()
        } else {
            format!("{base_name}{}", c / ARCHETYPES.len() + 1)
        };
        // Each seed draws its own truth around the archetype.
        let roi = roi * (0.35 * z(&mut rng)).exp();
        let decay = (decay + 0.1 * z(&mut rng)).clamp(0.02, 0.8);
        let k = (k * (0.2 * z(&mut rng)).exp()).clamp(0.4, 2.5);
        let s = (s * (0.2 * z(&mut rng)).exp()).clamp(0.8, 3.0);
        let mean_spend = mean_spend * (0.3 * z(&mut rng)).exp();
        let phase = rng.random_range(0.0..2.0 * PI);

        let mut spend = Vec::with_capacity(h + n);
        let mut on = rng.random_bool(0.5);
        // Only the demo profile draws this, so the mixed profile's data stay as they were.
        let offset = if demo { rng.random_range(0..9usize) } else { 0 };
        for t in 0..h + n {
            let x = if demo {
                // Every channel swings over the year with its own phase; search goes dark one
                // week in 12; the flighted channel runs 4 weeks on, 5 off.
                let level = mean_spend
                    * budget[t]
                    * (1.0 + 0.35 * season(t, phase))
                    * (0.45 * z(&mut rng)).exp();
                match pattern {
                    SpendPattern::Seasonal if t % 12 == 11 => 0.0,
                    SpendPattern::Flighted if (t + offset) % 9 >= 4 => 0.0,
                    _ => level,
                }
            } else {
                match pattern {
                    SpendPattern::AlwaysOn => mean_spend * budget[t] * (0.45 * z(&mut rng)).exp(),
                    SpendPattern::Seasonal => {
                        mean_spend
                            * budget[t]
                            * (1.0 + 0.4 * season(t, phase))
                            * (0.4 * z(&mut rng)).exp()
                    }
                    SpendPattern::Flighted => {
                        // Flights last ~6 periods on average, gaps ~4.
                        on = if on {
                            !rng.random_bool(1.0 / 6.0)
                        } else {
                            rng.random_bool(1.0 / 4.0)
                        };
                        if on {
                            1.7 * mean_spend * budget[t] * (0.35 * z(&mut rng)).exp()
                        } else {
                            0.0
                        }
                    }
                }
            };
            spend.push(round2(x.max(0.0)));
        }
        if spend[h..].iter().all(|v| *v == 0.0) {
            spend[h] = round2(mean_spend);
        }
        // The scale, the spend and the ROI are those of the data's periods, as the fit reports.
        let nonzero: Vec<f64> = spend[h..].iter().copied().filter(|v| *v > 0.0).collect();
        let scale = nonzero.iter().sum::<f64>() / nonzero.len() as f64;
        let max_lag = 8;
        let peak = config.adstock_peak.clamp(0.0, max_lag as f64);
        let weights = adstock_weights(decay, peak, max_lag);
        let feature = response_shape(&spend, &weights, scale, k, s).split_off(h);
        // With media units, the series drawn above is what the channel buys, valued at its
        // average price; the spend is the units at each period's price.
        let units = config.media_units.then(|| buy_units(&mut spend, h, per_year, &mut rng));
        let total_spend: f64 = spend[h..].iter().sum();
        let f_sum: f64 = feature.iter().sum();
        let coefficient = roi * total_spend / f_sum;
        for t in 0..n {
            media_total[t] += coefficient * feature[t];
        }
        truths.push(TrueChannel {
            name: name.clone(),
            pattern,
            decay,
            peak,
            max_lag,
            half_saturation: k,
            shape: s,
            scale,
            coefficient,
            spend: total_spend,
            contribution: coefficient * f_sum,
            roi,
            units_per_input: units.as_ref().map(|(_, per)| *per),
        });
        let spend_in_data = spend.split_off(h);
        dataset_channels.push(Channel {
            name: name.clone(),
            column: format!("{name}_spend"),
            spend: spend_in_data,
            history: spend,
            media: units.map(|(mut history, _)| {
                let values = history.split_off(h);
                MediaUnits { column: crate::dataset::media_column(&name), values, history }
            }),
        });
    }

    // Baseline: level, growth, a yearly cycle with a second harmonic, price and promotions.
    let level = if config.profile == Profile::MeridianDemo { 380_000.0 } else { 500_000.0 };
    let intercept = level * (0.2 * z(&mut rng)).exp();
    let trend = intercept * rng.random_range(-0.05..0.25);
    let amplitude = intercept * rng.random_range(0.04..0.12);
    let phase = rng.random_range(0.0..2.0 * PI);
    let price_effect = -intercept * 0.01;
    let promo_effect = intercept * 0.06;
    let mut price = Vec::with_capacity(n);
    let mut p = 100.0;
    for _ in 0..n {
        p = 100.0 + 0.9 * (p - 100.0) + 0.6 * z(&mut rng);
        price.push((p * 1000.0_f64).round() / 1000.0);
    }
    let promo: Vec<f64> = (0..n).map(|_| if rng.random_bool(0.12) { 1.0 } else { 0.0 }).collect();
    let base: Vec<f64> = (0..n)
        .map(|t| {
            intercept
                + trend * t as f64 / (n.max(2) - 1) as f64
                + amplitude * (season(t, phase) + 0.3 * season(2 * t, phase / 2.0))
                + price_effect * (price[t] - 100.0)
                + promo_effect * promo[t]
        })
        .collect();
    let clean: Vec<f64> = base.iter().zip(&media_total).map(|(b, m)| b + m).collect();
    let mean_kpi = clean.iter().sum::<f64>() / n as f64;
    let noise_sd = config.noise.max(0.0) * mean_kpi;
    // Stationary AR(1) noise of standard deviation `noise_sd`: independent at ρ = 0.
    let rho = config.noise_autocorrelation.clamp(0.0, 0.99);
    let innovation = (1.0 - rho * rho).sqrt();
    let mut e = 0.0;
    let kpi: Vec<f64> = clean
        .iter()
        .enumerate()
        .map(|(t, v)| {
            let draw = z(&mut rng);
            e = if t == 0 { draw } else { rho * e + innovation * draw };
            round2(v + noise_sd * e)
        })
        .collect();
    let mut kpi = if config.level_walk > 0.0 {
        let mut walk = StdRng::seed_from_u64(config.seed ^ 0x1e7e_1a1c);
        let step = config.level_walk * mean_kpi;
        let mut level = 0.0;
        kpi.into_iter()
            .map(|v| {
                level += step * z(&mut walk);
                round2(v + level)
            })
            .collect()
    } else {
        kpi
    };

    let dates: Vec<NaiveDate> = (0..n)
        .map(|t| config.frequency.nth_after(config.start, t as i64).unwrap_or(config.start))
        .collect();
    for (v, date) in kpi.iter_mut().zip(&dates) {
        let next = config.frequency.nth_after(*date, 1).unwrap_or(*date);
        let days = u32::try_from((next - *date).num_days()).unwrap_or(1);
        if config.yearly_events != 0.0
            && EVENT_DATES.iter().any(|&(m, d)| crate::events::holds(*date, days, m, d))
        {
            *v = round2(*v + config.yearly_events * intercept);
        }
        for (&feast, &lift) in &config.feasts {
            if lift != 0.0 && Rule::feast(feast, 0).held_by(*date, days) {
                *v = round2(*v + lift * intercept);
            }
        }
        for &(rule, lift) in &config.lifts {
            let share = rule.share(*date, days);
            if lift != 0.0 && share > 0.0 {
                *v = round2(*v + share * lift * intercept);
            }
        }
    }
    let controls = vec![
        Control { name: "price_index".to_owned(), values: price },
        Control { name: "promo".to_owned(), values: promo },
    ];
    let roles = ColumnRoles {
        date: "date".to_owned(),
        kpi: "revenue".to_owned(),
        media: dataset_channels.iter().map(|c| c.column.clone()).collect(),
        media_units: dataset_channels
            .iter()
            .filter_map(|c| c.media.as_ref().map(|m| m.column.clone()))
            .collect(),
        media_units_of: Some(
            dataset_channels
                .iter()
                .filter_map(|c| Some((c.column.clone(), c.media.as_ref()?.column.clone())))
                .collect(),
        ),
        controls: controls.iter().map(|c| c.name.clone()).collect(),
        ignored: Vec::new(),
    };
    Simulation {
        dataset: Dataset {
            dates,
            frequency: config.frequency,
            kpi_name: "revenue".to_owned(),
            kpi,
            channels: dataset_channels,
            controls,
            roles,
        },
        truth: SimTruth {
            config: config.clone(),
            channels: truths,
            baseline: TrueBaseline {
                intercept,
                trend,
                seasonality_amplitude: amplitude,
                price_effect,
                promo_effect,
                noise_sd,
            },
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn share_of_media(sim: &Simulation) -> f64 {
        let media: f64 = sim.truth.channels.iter().map(|c| c.contribution).sum();
        media / sim.dataset.kpi.iter().sum::<f64>()
    }

    #[test]
    fn the_demo_profile_has_the_demo_data_shape() {
        for seed in 1..6 {
            let sim = simulate(&SimConfig {
                seed,
                profile: Profile::MeridianDemo,
                ..SimConfig::default()
            });
            let share = share_of_media(&sim);
            assert!((0.35..0.75).contains(&share), "seed {seed}: media share {share}");
            let spend =
                |name: &str| &sim.dataset.channels.iter().find(|c| c.name == name).unwrap().spend;
            // Search goes dark exactly one week in 12.
            let dark: Vec<usize> = spend("search")
                .iter()
                .enumerate()
                .filter(|(_, v)| **v == 0.0)
                .map(|(t, _)| t)
                .collect();
            assert_eq!(dark, (0..13).map(|k| 12 * k + 11).collect::<Vec<_>>(), "seed {seed}");
            // Social runs 4 weeks on, 5 off.
            let on: Vec<bool> = spend("social").iter().map(|v| *v > 0.0).collect();
            for t in 9..156 {
                assert_eq!(on[t], on[t - 9], "seed {seed}: the flight cycle is 9 weeks");
            }
            assert_eq!(on[..9].iter().filter(|x| **x).count(), 4);
        }
    }

    #[test]
    fn a_stronger_shared_budget_correlates_the_channels_spend() {
        let mean_correlation = |shared_budget: f64| -> f64 {
            let mut all = Vec::new();
            for seed in 1..9 {
                let sim = simulate(&SimConfig { seed, shared_budget, ..SimConfig::default() });
                let spend: Vec<&[f64]> =
                    sim.dataset.channels.iter().map(|c| &c.spend[..]).collect();
                for (i, x) in spend.iter().enumerate() {
                    for y in &spend[i + 1..] {
                        let n = x.len() as f64;
                        let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
                        let cov: f64 = x.iter().zip(*y).map(|(a, b)| (a - mx) * (b - my)).sum();
                        let ss = |v: &[f64], m: f64| v.iter().map(|a| (a - m).powi(2)).sum::<f64>();
                        all.push(cov / (ss(x, mx) * ss(y, my)).sqrt());
                    }
                }
            }
            all.iter().sum::<f64>() / all.len() as f64
        };
        let (calibrated, strong) = (mean_correlation(1.0), mean_correlation(6.0));
        assert!(calibrated < 0.15, "{calibrated}");
        assert!(strong > 0.45, "{strong}");
    }

    #[test]
    fn a_late_peak_moves_the_carry_over_and_keeps_the_draws() {
        let at =
            |adstock_peak| simulate(&SimConfig { seed: 4, adstock_peak, ..SimConfig::default() });
        let (geometric, late) = (at(0.0), at(2.0));
        let mut media_change = vec![0.0; geometric.dataset.len()];
        for ((g, l), (data, late_data)) in geometric
            .truth
            .channels
            .iter()
            .zip(&late.truth.channels)
            .zip(geometric.dataset.channels.iter().zip(&late.dataset.channels))
        {
            assert_eq!(data.spend, late_data.spend);
            assert_eq!((g.roi, l.peak, g.peak), (l.roi, 2.0, 0.0));
            for (m, (a, b)) in media_change
                .iter_mut()
                .zip(l.contributions(late_data).iter().zip(g.contributions(data)))
            {
                *m += a - b;
            }
            // One period's spend: its effect is largest in that period, or two periods later,
            // with the weights `decay^((l − 2)²)` worked by hand.
            let burst = Channel {
                spend: vec![g.scale, 0.0, 0.0, 0.0, 0.0],
                history: vec![],
                ..data.clone()
            };
            let response = |t: &TrueChannel| t.contributions(&burst);
            let peak = |r: &[f64]| (0..r.len()).fold(0, |b, i| if r[i] > r[b] { i } else { b });
            assert_eq!((peak(&response(g)), peak(&response(l))), (0, 2));
            let total: f64 = (0..=8).map(|j| l.decay.powi((j - 2) * (j - 2))).sum();
            let x = 1.0 / total;
            let by_hand = l.coefficient / (1.0 + (l.half_saturation / x).powf(l.shape));
            assert!(
                (response(l)[2] - by_hand).abs() < 1e-9 * by_hand,
                "{} {by_hand}",
                response(l)[2]
            );
        }
        // The same noise and baseline: the KPI moves by the media's change alone.
        for ((a, b), m) in late.dataset.kpi.iter().zip(&geometric.dataset.kpi).zip(&media_change) {
            assert!((a - b - m).abs() < 0.01 + 1e-9 * a.abs(), "{a} - {b} against {m}");
        }
    }

    #[test]
    fn the_bundled_example_is_what_its_seed_simulates() {
        // fixtures/README.md: `mmm simulate --seed 7 --noise 0.045`. A change to the simulator
        // that moves its default data shows here.
        let sim = simulate(&SimConfig { seed: 7, noise: 0.045, ..SimConfig::default() });
        assert_eq!(sim.dataset.to_csv(), include_str!("../../../fixtures/example.csv"));
    }

    #[test]
    fn the_mixed_profile_is_the_default_and_media_is_a_minority() {
        let sim = simulate(&SimConfig::default());
        assert_eq!(sim.truth.config.profile, Profile::Mixed);
        let share = share_of_media(&sim);
        assert!((0.1..0.5).contains(&share), "media share {share}");
        // The true ROI is the contribution over the spend, as the fit defines it.
        for c in &sim.truth.channels {
            assert!((c.roi - c.contribution / c.spend).abs() < 1e-9 * c.roi);
        }
    }
}
