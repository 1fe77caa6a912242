//! What the data may ask for: a trend that bends, a finer yearly season, recurring events the
//! file does not mark ([`crate::events`]), and noise that carries over from period to period
//! (`noise`).
//!
//! The baseline starts with a straight trend and the specification's yearly harmonics. Two
//! groups of extra terms can join it: a hinge `max(0, x − κ_i)` at each of the trend's knots
//! (the slope changes by the hinge's coefficient, the bend), and the yearly cycle's harmonics
//! beyond the specification's, up to `max_yearly_harmonics` (a holiday peak needs them). In
//! weekly and daily data a third: a 0/1 column for each period the fit at the current curve
//! shapes misses the same way every year, marking the period that holds the event each year (a
//! date, a weekday on or after one, or a day from Easter Sunday: `crate::events::Rule`, found
//! by `crate::events::recurring_periods`), each asked on its own. Each group's coefficients get
//! one normal prior with precision `λ / σ²` (conjugate, like the other priors). Such terms and slow-moving or
//! seasonal media explain the same movements of the KPI, so left free they would take media
//! effects, and a fixed prior would cost data that do not need them. Instead the data choose:
//! at the curve shapes of the prior-free optimum, the marginal likelihood of the data (the linear coefficients and the
//! noise integrated out, as in the Bayesian fit's marginal posterior, `Problem::marginal_at`)
//! with the group's prior is
//!
//! `ln p(y | λ) = K/2 · ln λ − ½ ln |XᵀX + D_λ| − dof/2 · ln S_λ + (terms without λ)`
//!
//! where `X` holds the baseline columns and the media features, `D_λ` the priors' precisions
//! (`λ` on the group's `K` terms) and `S_λ` the penalised residual sum of squares at its
//! minimum. As `λ → ∞` it tends to the likelihood without the group, which competes on the same
//! footing: averaged over the spreads tried, the terms must explain more than their freedom
//! costs, or they stay out.
//!
//! Slow noise and slow terms explain the same movements too, so they are asked together, by
//! forward selection: the change with the highest evidence is made if it beats the model as
//! it stands, and the rest are asked again. A holiday peak then goes to the season, a bend to
//! the trend, and noise that lingers to the noise, whichever the data show first. The season
//! and the events are asked first right after the prior-free search (`ask_prior_free`, the
//! search then runs again from its best optima), the rest when the ROI prior is set
//! (`ask_the_data`).

use super::{Problem, noise};
use crate::baseline::{harmonic, hinge, trend_knots, trend_position};
use crate::events;
use nalgebra::{DMatrix, DVector};

/// Prior standard deviations of an extra term tried, relative to the mean KPI.
const TERM_SDS: [f64; 7] = [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5];

/// A change to the model the data may ask for, with its most likely setting.
#[derive(Debug, Clone, Copy)]
enum Change {
    /// The season's extra harmonics, with their prior precision.
    Season(f64),
    /// The trend's bends, with their prior precision.
    Trend(f64),
    /// One recurring event's column (its index among those found), with its prior precision.
    Event(usize, f64),
    /// Autocorrelated noise, with its most likely model (`noise`).
    Noise(noise::Noise),
}

/// Asks the data at the curve shapes `u` whether the season needs more harmonics, the trend
/// its bends, weekly and daily data terms for recurring events (those [`ask_prior_free`] did
/// not add) and the noise its autocorrelation (`sigma2` is the independent noise's variance),
/// and makes the changes they ask for. Forward selection: of the changes not yet made, the
/// one whose evidence (averaged over its settings) is highest is made if it beats the model
/// as it stands at even odds, and the others are asked again. Returns whether the problem
/// changed.
pub(super) fn ask_the_data(problem: &mut Problem, u: &DVector<f64>, sigma2: f64) -> bool {
    select(problem, u, sigma2, Stage::Calibration)
}

/// When the data are asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// At the prior-free optimum ([`ask_prior_free`]): the season and events only.
    PriorFree,
    /// When the ROI prior is set ([`ask_the_data`]): every change.
    Calibration,
}

/// The forward selection of [`ask_the_data`] at `stage`.
fn select(problem: &mut Problem, u: &DVector<f64>, sigma2: f64, stage: Stage) -> bool {
    let mut changed = false;
    while let Some(without) = problem.marginal_at(u, false).map(|m| m.logp) {
        // Priors relative to the noise variance are relative to the innovations' once the
        // noise is autocorrelated.
        let variance = sigma2 * problem.noise.innovation_share;
        let mut asked: Vec<(f64, Change)> = Vec::new();
        let extra = extra_harmonics(problem);
        if problem.extra_harmonics == 0 && extra > 0 {
            let add = |p: &mut Problem, weight: f64| add_harmonics(p, extra, weight);
            asked.extend(
                evidence_with(problem, u, variance, 2 * extra, add)
                    .map(|(e, w)| (e, Change::Season(w))),
            );
        }
        if stage == Stage::Calibration && problem.knots.is_empty() && problem.spec.trend_knots > 0 {
            let knots = trend_knots(problem.spec.trend_knots);
            let add = |p: &mut Problem, weight: f64| bend(p, &knots, weight);
            asked.extend(
                evidence_with(problem, u, variance, knots.len(), add)
                    .map(|(e, w)| (e, Change::Trend(w))),
            );
        }
        // Each event on its own: a group would let a strong one carry a weak one in.
        let events = recurring_events(problem, u);
        for (i, (event, odds)) in events.iter().enumerate() {
            let add = |p: &mut Problem, weight: f64| add_events(p, &[*event], weight);
            asked.extend(
                evidence_with(problem, u, variance, 1, add)
                    .map(|(e, w)| (e - odds, Change::Event(i, w))),
            );
        }
        // Before calibration the noise only competes, so it is asked only when another change
        // would be made (it costs 18 marginal likelihoods).
        let best =
            |asked: &[(f64, Change)]| asked.iter().map(|a| a.0).fold(f64::NEG_INFINITY, f64::max);
        let competing = stage == Stage::Calibration || best(&asked) > without;
        if competing && problem.spec.autocorrelated_noise && problem.noise.is_independent() {
            asked.extend(noise::evidence(problem, u).map(|(e, n)| (e, Change::Noise(n))));
        }
        let Some((evidence, change)) = asked.into_iter().max_by(|a, b| a.0.total_cmp(&b.0)) else {
            break;
        };
        if evidence <= without || stage == Stage::PriorFree && matches!(change, Change::Noise(_)) {
            break;
        }
        match change {
            Change::Season(weight) => add_harmonics(problem, extra, weight),
            Change::Trend(weight) => bend(problem, &trend_knots(problem.spec.trend_knots), weight),
            Change::Event(i, weight) => add_events(problem, &[events[i].0], weight),
            Change::Noise(n) => problem.set_noise(n),
        }
        changed = true;
    }
    changed
}

/// The yearly harmonics the data may add to the specification's: up to `max_yearly_harmonics`
/// and below the cycle's Nyquist limit (a harmonic `k` needs `2k` periods per year), and none
/// when the specification has no yearly season.
fn extra_harmonics(problem: &Problem) -> usize {
    let spec = &problem.spec;
    let per_year = problem.frequency.periods_per_year();
    let nyquist = ((per_year - 1.0) / 2.0).floor().max(0.0) as usize;
    if spec.yearly_harmonics == 0 {
        return 0;
    }
    spec.max_yearly_harmonics.min(nyquist).saturating_sub(spec.yearly_harmonics)
}

/// Asks the data at the prior-free optimum `u` whether the season needs more harmonics and
/// weekly and daily data terms for recurring events, before the ROI prior's centre is set:
/// what the baseline cannot draw there (a holiday season, Black Friday) goes to whatever media
/// ran then, and from there into the typical channel's ROI and the curves refined under it.
/// Autocorrelated noise explains the same movements, so it competes; when it leads, the asking
/// waits for [`ask_the_data`] at calibration, where it can be made. The trend's bends wait too
/// (asked here, they took slow noise on markets whose level wanders). The events the
/// specification names are added first, unasked. Returns whether the problem changed.
pub(super) fn ask_prior_free(problem: &mut Problem, u: &DVector<f64>) -> bool {
    let Some(sigma2) = problem.noise_variance(u) else { return false };
    let named = add_named_events(problem, u, sigma2);
    select(problem, u, sigma2, Stage::PriorFree) || named
}

/// Adds the events the specification names that the problem does not have yet, each with the
/// prior spread that makes the data at curve shapes `u` most likely: the caller knows they
/// happen, so the data are not asked whether. Returns whether any was added.
fn add_named_events(problem: &mut Problem, u: &DVector<f64>, sigma2: f64) -> bool {
    let named: Vec<events::Rule> =
        problem.spec.events.iter().filter(|r| !problem.events.contains(r)).copied().collect();
    for rule in &named {
        let add = |p: &mut Problem, weight: f64| add_events(p, &[*rule], weight);
        let spread = evidence_with(problem, u, sigma2, 1, add).map(|(_, weight)| weight);
        // The middle spread tried when none could be scored.
        let middle = TERM_SDS[TERM_SDS.len() / 2];
        add_events(problem, &[*rule], spread.unwrap_or(sigma2 / (middle * middle)));
    }
    !named.is_empty()
}

/// The recurring events (their rules) of weekly or daily data at curve shapes `u` that the
/// problem does not have yet, when the specification allows them: one per period of the last
/// year that the fit misses the same way every year, and the specification's candidates. Each
/// with the log prior odds against it: 0 for those the residuals show, `ln K` for a candidate
/// they do not among `K` (the 17 US holidays asked at even odds each let noise in on 7 of 24
/// simulated markets without holidays, in both seed ranges; at 1 to `K`, on none of the 48). Asked again once some are added: a miss
/// beside a larger one is its shoulder until that one has its term (Christmas Eve's lift
/// beside Christmas Day's closure).
fn recurring_events(problem: &Problem, u: &DVector<f64>) -> Vec<(events::Rule, f64)> {
    let Some(calendar) = events::Calendar::of(problem.frequency) else { return Vec::new() };
    let mut found: Vec<events::Rule> = Vec::new();
    if problem.spec.recurring_events {
        let residuals = problem.residuals(u);
        found = events::recurring_periods(&residuals, &problem.dates, calendar)
            .iter()
            .filter_map(|p| events::anchor(&problem.dates, &residuals, p, calendar.days))
            .collect();
    }
    found.sort_unstable_by_key(|rule| rule.key());
    found.dedup();
    // The candidates the specification gives (a country's holidays), where the fitted periods
    // hold them twice at least (one would be fitted exactly).
    let fitted = problem.dates.get(..problem.n_fit).unwrap_or_default();
    let candidates: Vec<events::Rule> = problem
        .spec
        .candidate_events
        .iter()
        .filter(|rule| rule.times_held(fitted, calendar.days) >= 2)
        .copied()
        .collect();
    let odds = (candidates.len() as f64).ln();
    let unseen: Vec<events::Rule> = candidates.into_iter().filter(|c| !found.contains(c)).collect();
    let mut asked: Vec<(events::Rule, f64)> = found.into_iter().map(|r| (r, 0.0)).collect();
    asked.extend(unseen.into_iter().map(|c| (c, odds)));
    asked.retain(|(rule, _)| !problem.events.contains(rule));
    asked
}

/// Adds a column for each recurring event (1 in the periods that hold it, the share of it they
/// hold for an event of several days: [`events::Rule::share`]), after the seasonal columns and
/// the events already added, and before the controls.
fn add_events(problem: &mut Problem, found: &[events::Rule], weight: f64) {
    let n = problem.base_full.nrows();
    let days = events::Calendar::of(problem.frequency).map_or(7, |c| c.days);
    let cols = DMatrix::from_fn(n, found.len(), |t, e| {
        problem.dates.get(t).map_or(0.0, |d| found[e].share(*d, days))
    });
    let at = problem.base_full.ncols() - problem.control_stats.len();
    problem.insert_baseline_columns(at, &cols, weight);
    problem.events.extend_from_slice(found);
}

/// Lets the trend bend at `knots`: their hinge columns join the baseline after the trend.
fn bend(problem: &mut Problem, knots: &[f64], weight: f64) {
    let n = problem.base_full.nrows();
    let cols = hinge_columns(knots, n, problem.n_fit);
    problem.insert_baseline_columns(2, &cols, weight);
    problem.knots = knots.to_vec();
}

/// Adds `extra` harmonics to the yearly cycle (sine and cosine of each), after its own.
fn add_harmonics(problem: &mut Problem, extra: usize, weight: f64) {
    let n = problem.base_full.nrows();
    let first = problem.spec.yearly_harmonics + 1;
    let per_year = problem.frequency.periods_per_year();
    let cols = DMatrix::from_fn(n, 2 * extra, |t, j| {
        let (sin, cos) = harmonic(t, first + j / 2, per_year);
        if j % 2 == 0 { sin } else { cos }
    });
    // The yearly cycle is the first after the intercept, the trend and its hinges.
    let at = 2 + problem.knots.len() + 2 * problem.spec.yearly_harmonics;
    problem.insert_baseline_columns(at, &cols, weight);
    problem.extra_harmonics = extra;
}

/// The hinge columns of `knots` over `n` periods (period × knot), `n_fit` of them fitted.
fn hinge_columns(knots: &[f64], n: usize, n_fit: usize) -> DMatrix<f64> {
    DMatrix::from_fn(n, knots.len(), |t, i| hinge(trend_position(t, n_fit), knots[i]))
}

/// The evidence for `terms` new coefficients that `add` would give a prior precision
/// (relative to the noise variance `sigma2`, as a ridge weight in the fit's scaled units):
/// the log marginal likelihood at the curve shapes `u`, averaged over the spreads tried, and
/// the most likely precision.
fn evidence_with(
    problem: &Problem,
    u: &DVector<f64>,
    sigma2: f64,
    terms: usize,
    add: impl Fn(&mut Problem, f64),
) -> Option<(f64, f64)> {
    if terms == 0 || !(sigma2 > 0.0 && sigma2.is_finite()) {
        return None;
    }
    // The marginal posterior of the curve shapes is the linear part's evidence plus terms that
    // do not depend on the new terms' prior (`Problem::marginal_at`); that prior adds its
    // normalising constant, `K/2 · ln λ`.
    let tried: Vec<(f64, f64)> = TERM_SDS
        .iter()
        .filter_map(|sd| {
            let weight = sigma2 / (sd * sd);
            let mut with = problem.clone();
            add(&mut with, weight);
            let logp = with.marginal_at(u, false)?.logp;
            Some((logp + 0.5 * terms as f64 * weight.ln(), weight))
        })
        .filter(|t| t.0.is_finite())
        .collect();
    // The evidence with the terms averages over the spreads tried (equally likely a priori), so
    // their extra freedom pays its Occam factor.
    averaged(&tried, TERM_SDS.len())
}

/// The log of the mean likelihood of `tried` (log likelihood, setting) over `count` settings
/// (those that failed count as impossible), and the most likely setting.
pub(super) fn averaged<T: Copy>(tried: &[(f64, T)], count: usize) -> Option<(f64, T)> {
    let (top, best) = tried.iter().copied().max_by(|x, y| x.0.total_cmp(&y.0))?;
    if !top.is_finite() {
        return None;
    }
    let mean = tried.iter().map(|t| (t.0 - top).exp()).sum::<f64>() / count as f64;
    Some((top + mean.ln(), best))
}

#[cfg(test)]
mod tests {
    use crate::fit::{Problem, fit};
    use crate::simulate::{EVENT_DATES, SimConfig, Simulation, simulate};
    use crate::spec::ModelSpec;
    use chrono::Datelike;

    /// Fits `config`'s market (the simulator's two yearly events at 40% of the level) and checks
    /// that the fit's events are the simulator's, in periods of `days` days, each within 25% of
    /// its lift.
    fn fitted_events(config: &SimConfig, days: u32) -> (Simulation, crate::ModelDocument) {
        let s = simulate(config);
        let doc = fit(&s.dataset, &ModelSpec::default(), None).unwrap();
        let events = doc.baseline.events.as_ref().expect("recurring events");
        assert_eq!((events.first_period, events.period_days), (s.dataset.dates[0], days));
        let found: Vec<(u32, u32)> = events.by_date().iter().map(|e| (e.month, e.day)).collect();
        assert_eq!(found, EVENT_DATES);
        let lift = 0.4 * s.truth.baseline.intercept;
        for e in &events.dates {
            assert!((e.coefficient / lift - 1.0).abs() < 0.25, "{e:?} against {lift}");
        }
        (s, doc)
    }

    #[test]
    fn weeks_that_jump_every_year_get_terms_of_their_own_that_forecasts_keep() {
        let config =
            SimConfig { seed: 1000, noise: 0.045, yearly_events: 0.4, ..SimConfig::default() };
        let (s, doc) = fitted_events(&config, 7);
        let events = doc.baseline.events.as_ref().expect("recurring events");
        assert_eq!(doc.format_version, 5);
        // The year after the data: the week holding 27 November gets its event's effect in the
        // seasonal part, the week after it none.
        let n = s.dataset.len();
        let november = events.by_date()[0];
        let next = (n..n + 53).find(|&t| events.holds(t, november)).unwrap();
        let without = crate::baseline::Baseline { events: None, ..doc.baseline.clone() };
        let controls = [1.0, 0.0];
        for (t, effect) in [(next, november.coefficient), (next + 1, 0.0)] {
            let gain = doc.baseline.parts(t, &controls).seasonality
                - without.parts(t, &controls).seasonality;
            assert!((gain - effect).abs() < 1e-9, "{t}: {gain} against {effect}");
        }
        // Left out when asked, and on the same market without events.
        let spec = ModelSpec { recurring_events: false, ..ModelSpec::default() };
        assert!(fit(&s.dataset, &spec, None).unwrap().baseline.events.is_none());
        let plain = simulate(&SimConfig { yearly_events: 0.0, ..config });
        let plain = fit(&plain.dataset, &ModelSpec::default(), None).unwrap();
        assert!(plain.baseline.events.is_none());
        assert_eq!(plain.format_version, 2);
    }

    #[test]
    fn days_that_jump_every_year_get_terms_of_their_own() {
        let config = SimConfig {
            periods: 1095,
            seed: 1000,
            noise: 0.045,
            yearly_events: 0.4,
            ..SimConfig::default()
        }
        .with_frequency(crate::dataset::Frequency::Daily);
        let (s, doc) = fitted_events(&config, 1);
        let events = doc.baseline.events.as_ref().expect("recurring events");
        // The day itself, not its neighbours: 27 November of the year after the data and not
        // the 28th.
        let n = s.dataset.len();
        let november = events.by_date()[0];
        let next = (n..n + 366).find(|&t| events.holds(t, november)).unwrap();
        assert!(!events.holds(next + 1, november));
        assert_eq!(
            s.dataset
                .frequency
                .nth_after(s.dataset.dates[0], next as i64)
                .map(|d| (d.month(), d.day())),
            Some((11, 27))
        );
        let plain = simulate(&SimConfig { yearly_events: 0.0, ..config });
        assert!(
            fit(&plain.dataset, &ModelSpec::default(), None).unwrap().baseline.events.is_none()
        );
    }

    #[test]
    fn a_closure_beside_a_lift_is_found_once_the_lift_has_its_term() {
        // Christmas Eve 40% of the level up, Christmas Day 60% down, every year: the larger
        // miss hides the other as its shoulder until it has a term of its own.
        let config = SimConfig { periods: 1095, seed: 1001, noise: 0.045, ..SimConfig::default() }
            .with_frequency(crate::dataset::Frequency::Daily);
        let mut s = simulate(&config);
        let level = s.truth.baseline.intercept;
        for (v, d) in s.dataset.kpi.iter_mut().zip(&s.dataset.dates) {
            match (d.month(), d.day()) {
                (12, 24) => *v += 0.4 * level,
                (12, 25) => *v -= 0.6 * level,
                _ => {}
            }
        }
        let doc = fit(&s.dataset, &ModelSpec::default(), None).unwrap();
        let events = doc.baseline.events.as_ref().expect("recurring events");
        let found: Vec<(u32, u32, f64)> =
            events.by_date().iter().map(|e| (e.month, e.day, e.coefficient / level)).collect();
        assert_eq!(found.len(), 2, "{found:?}");
        for ((month, day, effect), (m, d, truth)) in
            found.iter().zip([(12, 24, 0.4), (12, 25, -0.6)])
        {
            assert_eq!((*month, *day), (m, d), "{found:?}");
            assert!((effect / truth - 1.0).abs() < 0.25, "{found:?}");
        }
        // Found in the order the data asked: the closure first.
        assert_eq!((events.dates[0].month, events.dates[0].day), (12, 25));
    }

    #[test]
    fn a_day_that_keeps_its_weekday_gets_a_weekday_rule() {
        // Black Friday (the Friday of 23-29 November: 25, 24 and 29 November in 2022-2024)
        // 50% of the level up, in three years of days.
        let config = SimConfig { periods: 1095, seed: 1000, noise: 0.045, ..SimConfig::default() }
            .with_frequency(crate::dataset::Frequency::Daily);
        let mut s = simulate(&config);
        let level = s.truth.baseline.intercept;
        let black_friday = |d: &chrono::NaiveDate| {
            d.month() == 11 && (23..=29).contains(&d.day()) && d.weekday() == chrono::Weekday::Fri
        };
        for (v, d) in s.dataset.kpi.iter_mut().zip(&s.dataset.dates) {
            if black_friday(d) {
                *v += 0.5 * level;
            }
        }
        let doc = fit(&s.dataset, &ModelSpec::default(), None).unwrap();
        let events = doc.baseline.events.as_ref().expect("recurring events");
        assert_eq!(events.dates.len(), 1, "{events:?}");
        let event = &events.dates[0];
        assert_eq!(event.weekday, Some(chrono::Weekday::Fri), "{event:?}");
        assert!((event.coefficient / (0.5 * level) - 1.0).abs() < 0.25, "{event:?}");
        assert_eq!(doc.format_version, 6);
        // It marks Black Friday in every year of the data and in the next three (28, 27 and 26
        // November 2025-2027), and no other day. The rules from 23 and 24 November mark the same
        // days of the data: the middle of those, the 24th.
        assert_eq!((event.month, event.day), (11, 24));
        assert_eq!(event.label(), "the Friday of 24-30 November");
        let n = s.dataset.len();
        let days: Vec<chrono::NaiveDate> = (0..n + 3 * 365)
            .filter(|&t| events.holds(t, event))
            .filter_map(|t| s.dataset.frequency.nth_after(s.dataset.dates[0], t as i64))
            .collect();
        assert_eq!(days.len(), 6, "{days:?}");
        assert!(days.iter().all(black_friday), "{days:?}");
    }

    #[test]
    fn a_week_that_moves_with_easter_gets_a_term_that_follows_it() {
        // The week holding Easter Sunday 40% of the level up (17 April 2022, 9 April 2023 and
        // 31 March 2024: no date is in all three weeks).
        let mut s = simulate(&SimConfig { seed: 1000, noise: 0.045, ..SimConfig::default() });
        let level = s.truth.baseline.intercept;
        let easter = crate::events::Rule::feast(crate::events::Feast::Easter, 0);
        for (v, d) in s.dataset.kpi.iter_mut().zip(&s.dataset.dates) {
            if easter.held_by(*d, 7) {
                *v += 0.4 * level;
            }
        }
        let doc = fit(&s.dataset, &ModelSpec::default(), None).unwrap();
        let events = doc.baseline.events.as_ref().expect("recurring events");
        assert_eq!(events.dates.len(), 1, "{events:?}");
        let event = &events.dates[0];
        assert_eq!((event.month, event.day, event.easter), (0, 0, Some(0)), "{event:?}");
        assert!((event.coefficient / (0.4 * level) - 1.0).abs() < 0.25, "{event:?}");
        assert_eq!((event.label(), doc.format_version), ("Easter Sunday".to_owned(), 6));
        // Easter 2025 is on 20 April: the week from Monday the 14th gets the effect.
        let n = s.dataset.len();
        let weeks: Vec<usize> = (n..n + 52).filter(|&t| events.holds(t, event)).collect();
        let first = s.dataset.frequency.nth_after(s.dataset.dates[0], weeks[0] as i64);
        assert_eq!((weeks.len(), first), (1, chrono::NaiveDate::from_ymd_opt(2025, 4, 14)));
    }

    #[test]
    fn an_event_the_caller_names_gets_its_term_where_the_data_alone_would_not_ask() {
        // The week of Eid al-Fitr 10% of the level up: too faint beside 4.5% noise for the
        // fit to find, not for the caller who knows the market.
        let eid = crate::events::Rule::feast(crate::events::Feast::EidAlFitr, 0);
        let config = SimConfig {
            seed: 1000,
            noise: 0.045,
            feasts: [(crate::events::Feast::EidAlFitr, 0.1)].into(),
            ..SimConfig::default()
        };
        let s = simulate(&config);
        let lift = 0.1 * s.truth.baseline.intercept;
        let found = fit(&s.dataset, &ModelSpec::default(), None).unwrap();
        assert!(found.baseline.events.is_none(), "{:?}", found.baseline.events);
        let named = ModelSpec { events: vec![eid], ..ModelSpec::default() };
        let doc = fit(&s.dataset, &named, None).unwrap();
        let events = doc.baseline.events.as_ref().expect("the named event");
        assert_eq!(events.dates.len(), 1, "{events:?}");
        let event = &events.dates[0];
        assert_eq!((event.eid_al_fitr, doc.format_version), (Some(0), 7), "{event:?}");
        // Three weeks measure it: within two standard errors of the truth, the residuals' sd
        // over the root of three.
        let residual = |t: usize| doc.series.actual[t] - doc.series.fitted[t];
        let n = doc.series.actual.len();
        let sd = ((0..n).map(|t| residual(t).powi(2)).sum::<f64>() / n as f64).sqrt();
        let se = sd / 3f64.sqrt();
        let (effect, gap) = (event.coefficient, (event.coefficient - lift).abs());
        assert!(gap < 2.0 * se, "{effect} against {lift} (se {se})");
        assert_eq!(doc.spec.events, [eid]);
        // Named, it is kept even where the fit may not look for events of its own.
        let quiet = ModelSpec { recurring_events: false, ..named.clone() };
        let kept = fit(&s.dataset, &quiet, None).unwrap();
        assert_eq!(kept.baseline.events.map(|e| e.dates.len()), Some(1));
        // An event the fitted periods hold once, or twice named, or in monthly data, is refused.
        for (events, said) in
            [(vec![eid, eid], "named twice"), (vec![crate::events::Rule::date(2, 28)], "")]
        {
            let spec = ModelSpec { events, holdout: 0, ..ModelSpec::default() };
            let result = fit(&s.dataset, &spec, None);
            if said.is_empty() {
                assert!(result.is_ok());
            } else {
                let err = result.unwrap_err().to_string();
                assert!(err.contains(said), "{err}");
            }
        }
        let short = ModelSpec { events: vec![eid], holdout: 100, ..ModelSpec::default() };
        let err = crate::fit::validate(&s.dataset, &short).unwrap_err().to_string();
        assert!(
            err.contains("event 'eid_al_fitr' (Eid al-Fitr) falls in 1 of the 56 fitted periods"),
            "{err}"
        );
        let monthly = simulate(
            &SimConfig { seed: 1, ..SimConfig::default() }
                .with_frequency(crate::dataset::Frequency::Monthly),
        );
        let err = crate::fit::validate(&monthly.dataset, &named).unwrap_err().to_string();
        assert!(err.contains("events and holidays need weekly or daily data"), "{err}");
    }

    #[test]
    fn a_named_event_of_several_days_counts_in_each_week_by_the_share_it_holds() {
        use crate::events::Rule;
        // Ramadan 30% of the level up, each week by the share of its days in Ramadan.
        let config = SimConfig {
            seed: 1000,
            noise: 0.045,
            lifts: vec![(Rule::ramadan(), 0.3)],
            ..SimConfig::default()
        };
        let s = simulate(&config);
        let lift = 0.3 * s.truth.baseline.intercept;
        let named = ModelSpec { events: vec![Rule::ramadan()], ..ModelSpec::default() };
        let doc = fit(&s.dataset, &named, None).unwrap();
        let events = doc.baseline.events.as_ref().expect("Ramadan");
        let ramadan = &events.dates[0];
        assert_eq!((events.dates.len(), ramadan.rule()), (1, Rule::ramadan()));
        assert_eq!(
            (ramadan.eid_al_fitr, ramadan.days, doc.format_version),
            (Some(-30), Some(30), 9)
        );
        assert_eq!(ramadan.label(), "Ramadan");
        // Some 13 weeks measure it.
        let gap = ramadan.coefficient / lift - 1.0;
        assert!(gap.abs() < 0.15, "{} against {lift}", ramadan.coefficient);
        // The year after the data (weeks from Monday; Eid al-Fitr on 30 March 2025, so 28
        // February to 29 March): the week of 24 February holds three of its days, the next
        // three are within it, and the week of 24 March holds six.
        let n = s.dataset.len();
        let week = |t: usize| s.dataset.dates[0] + chrono::Duration::weeks(t as i64);
        let first = (n..n + 53).find(|&t| events.holds(t, ramadan)).unwrap();
        assert_eq!(week(first), chrono::NaiveDate::from_ymd_opt(2025, 2, 24).unwrap());
        let without = crate::baseline::Baseline { events: None, ..doc.baseline.clone() };
        let controls = [1.0, 0.0];
        for (t, share) in [(0, 3.0), (1, 7.0), (3, 7.0), (4, 6.0), (5, 0.0)] {
            let t = first + t;
            let gain = doc.baseline.parts(t, &controls).seasonality
                - without.parts(t, &controls).seasonality;
            let effect = share / 7.0 * ramadan.coefficient;
            assert!((gain - effect).abs() < 1e-9, "{}: {gain} against {effect}", week(t));
        }
        // The fitted periods must hold it in two years.
        let short = ModelSpec { holdout: 100, ..named };
        let err = crate::fit::validate(&s.dataset, &short).unwrap_err().to_string();
        assert!(
            err.contains("event 'ramadan' (Ramadan) falls in the 56 fitted periods in 1 year(s)"),
            "{err}"
        );
    }

    #[test]
    fn a_countrys_holidays_are_asked_and_only_those_the_data_show_are_kept() {
        use crate::events::{Feast, Holidays, Rule};
        // The week of Easter Sunday 20% up: on this market the residuals alone do not show it.
        let config = SimConfig {
            seed: 1000,
            noise: 0.045,
            feasts: [(Feast::Easter, 0.2)].into(),
            ..SimConfig::default()
        };
        let s = simulate(&config);
        let found = fit(&s.dataset, &ModelSpec::default(), None).unwrap();
        assert!(found.baseline.events.is_none(), "{:?}", found.baseline.events);
        let us = ModelSpec { candidate_events: Holidays::Us.rules(), ..ModelSpec::default() };
        let doc = fit(&s.dataset, &us, None).unwrap();
        let events = doc.baseline.events.expect("Easter, asked");
        let rules: Vec<Rule> = events.dates.iter().map(|e| e.rule()).collect();
        assert_eq!(rules, [Rule::feast(Feast::Easter, 0)]);
        // The holidays are asked where the fit does not search its residuals too: the flag
        // turns off only its own search.
        let asked_only = ModelSpec { recurring_events: false, ..us.clone() };
        let doc = fit(&s.dataset, &asked_only, None).unwrap();
        let rules: Vec<Rule> =
            doc.baseline.events.iter().flat_map(|e| &e.dates).map(|e| e.rule()).collect();
        assert_eq!(rules, [Rule::feast(Feast::Easter, 0)]);
        // The same market without the lift: none of the 17 holidays is kept.
        let plain = simulate(&SimConfig { feasts: Default::default(), ..config });
        let doc = fit(&plain.dataset, &us, None).unwrap();
        assert!(doc.baseline.events.is_none(), "{:?}", doc.baseline.events);
    }

    #[test]
    fn chinas_holidays_ask_about_the_mid_autumn_festival() {
        use crate::events::{Feast, Holidays, Rule};
        // The week of the Mid-Autumn Festival (10 September 2022, 29 September 2023, 17
        // September 2024) 20% up.
        let config = SimConfig {
            seed: 1000,
            noise: 0.045,
            feasts: [(Feast::MidAutumn, 0.2)].into(),
            ..SimConfig::default()
        };
        let s = simulate(&config);
        let cn = ModelSpec { candidate_events: Holidays::Cn.rules(), ..ModelSpec::default() };
        let doc = fit(&s.dataset, &cn, None).unwrap();
        let events = doc.baseline.events.as_ref().expect("the Mid-Autumn Festival, asked");
        let rules: Vec<Rule> = events.dates.iter().map(|e| e.rule()).collect();
        assert_eq!(rules, [Rule::feast(Feast::MidAutumn, 0)]);
        assert_eq!((events.dates[0].mid_autumn, doc.format_version), (Some(0), 8));
        let lift = 0.2 * s.truth.baseline.intercept;
        assert!((events.dates[0].coefficient / lift - 1.0).abs() < 0.5, "{events:?} {lift}");
        // The document reads back, and its next year's week is the festival's: 6 October 2025,
        // a Monday.
        let read = crate::ModelDocument::from_json(&doc.to_json()).unwrap();
        assert_eq!(read.baseline.events, doc.baseline.events);
        let n = s.dataset.len();
        let weeks: Vec<usize> =
            (n..n + 52).filter(|&t| events.holds(t, &events.dates[0])).collect();
        let first = s.dataset.frequency.nth_after(s.dataset.dates[0], weeks[0] as i64);
        assert_eq!((weeks.len(), first), (1, chrono::NaiveDate::from_ymd_opt(2025, 10, 6)));
        // The same market without the lift: none of China's holidays is kept.
        let plain = simulate(&SimConfig { feasts: Default::default(), ..config });
        let doc = fit(&plain.dataset, &cn, None).unwrap();
        assert!(doc.baseline.events.is_none(), "{:?}", doc.baseline.events);
    }

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
        // At the start point's poor curves the misfit could pass for slow noise instead.
        let spec = ModelSpec { autocorrelated_noise: false, ..ModelSpec::default() };
        // `check_gradient_on` calibrates at this start too: the data ask for the bends there.
        let mut problem = Problem::new(&s.dataset, &spec).unwrap();
        let u = problem.starts(1, 0).remove(0);
        problem.calibrate(&u, Some(0.5));
        assert_eq!(problem.knots.len(), spec.trend_knots);
        assert_eq!(problem.btb.nrows(), 2 + 4 + 2 * spec.yearly_harmonics + 2);
        crate::fit::tests::check_gradient_on(&s.dataset, &spec, true);
    }

    /// A simulated market with a holiday season: its KPI gains `amplitude · intercept` in the
    /// five weeks before Christmas. Returns the data and whether each period is in the season.
    fn holidays(seed: u64, amplitude: f64) -> (Simulation, Vec<bool>) {
        use chrono::Datelike;
        let mut s = simulate(&SimConfig { seed, noise: 0.03, ..SimConfig::default() });
        let lift = amplitude * s.truth.baseline.intercept;
        let season: Vec<bool> = s
            .dataset
            .dates
            .iter()
            .map(|d| d.month() == 12 && d.day() <= 25 || d.month() == 11 && d.day() >= 20)
            .collect();
        for (v, on) in s.dataset.kpi.iter_mut().zip(&season) {
            if *on {
                *v += lift;
            }
        }
        (s, season)
    }

    /// Mean of `values` in the periods `inside` marks, less their mean elsewhere.
    fn lift_inside(values: &[f64], inside: &[bool]) -> f64 {
        let mean = |on: bool| {
            let v: Vec<f64> =
                values.iter().zip(inside).filter(|(_, i)| **i == on).map(|(v, _)| *v).collect();
            v.iter().sum::<f64>() / v.len() as f64
        };
        mean(true) - mean(false)
    }

    #[test]
    fn a_holiday_season_gains_harmonics_and_a_smooth_one_does_not() {
        let (s, season) = holidays(8, 0.3);
        let lift = 0.3 * s.truth.baseline.intercept;
        let doc = fit(&s.dataset, &ModelSpec::default(), None).unwrap();
        let spec = ModelSpec::default();
        assert_eq!(doc.baseline.seasonality[0].sin.len(), spec.max_yearly_harmonics);
        assert_eq!(doc.baseline.seasonality[0].cos.len(), spec.max_yearly_harmonics);
        // More harmonics fit the same document format.
        assert_eq!(doc.format_version, 2);
        let smooth =
            fit(&s.dataset, &ModelSpec { max_yearly_harmonics: 2, ..ModelSpec::default() }, None)
                .unwrap();
        assert_eq!(smooth.baseline.seasonality[0].sin.len(), 2);
        // The finer season takes most of the holiday lift; two harmonics cannot.
        let finer = lift_inside(&doc.series.seasonality, &season);
        let coarse = lift_inside(&smooth.series.seasonality, &season);
        assert!(finer > 0.5 * lift, "season takes {finer:.0} of {lift:.0}");
        assert!(coarse < 0.3 * lift, "two harmonics take {coarse:.0} of {lift:.0}");
        // The document recomputes its season from the stored harmonics.
        let back = crate::document::ModelDocument::from_json(&doc.to_json()).unwrap();
        assert_eq!(back, doc);
        // The simulator's own season is smooth: no harmonics are added.
        let plain = simulate(&SimConfig { seed: 8, noise: 0.03, ..SimConfig::default() });
        let doc = fit(&plain.dataset, &ModelSpec::default(), None).unwrap();
        assert_eq!(doc.baseline.seasonality[0].sin.len(), spec.yearly_harmonics);
    }

    #[test]
    fn the_gradient_holds_with_the_added_harmonics() {
        let (s, _) = holidays(8, 0.3);
        let spec = ModelSpec { trend_knots: 0, ..ModelSpec::default() };
        let mut problem = Problem::new(&s.dataset, &spec).unwrap();
        let u = problem.starts(1, 0).remove(0);
        problem.calibrate(&u, Some(0.5));
        assert_eq!(problem.extra_harmonics, spec.max_yearly_harmonics - spec.yearly_harmonics);
        assert_eq!(problem.btb.nrows(), 2 + 2 * spec.max_yearly_harmonics + 2);
        crate::fit::tests::check_gradient_on(&s.dataset, &spec, true);
    }
}
