//! Recurring events the model leaves in its residuals: weeks (or days) missed the same way every
//! year, and Ramadan.

use super::{Insight, InsightKind, numbers};
use crate::checks;
use crate::document::ModelDocument;
use crate::events;
use crate::text::{and_list, thousands as money};
use std::collections::BTreeMap;

/// The weeks (or days) of the year in which a weekly (or daily) model's fit misses the KPI the
/// same way, by more than [`crate::events::EVENT_SDS`] robust residual sds (more with two
/// years), in every year of the data (two at least; [`crate::events::recurring_periods`]):
/// Black Friday, Christmas, a yearly sale the file does not mark, when the fit did not take it
/// itself. Their lift goes to whatever media ran then; a 0/1 control column takes it (on
/// simulated markets with two such weeks a year, the ROI error went from 38-44% back to 34%:
/// docs/benchmarks.md).
pub(super) fn recurring_events(doc: &ModelDocument) -> Option<Insight> {
    let calendar = events::Calendar::of(doc.frequency)?;
    if doc.origin.is_some() {
        return None;
    }
    let held_out = doc.fit.holdout.as_ref().map_or(0, |h| h.periods);
    let n = doc.series.actual.len().saturating_sub(held_out);
    let residuals: Vec<f64> = (0..n).map(|t| doc.series.actual[t] - doc.series.fitted[t]).collect();
    let mean_kpi = doc.series.actual[..n].iter().sum::<f64>() / n.max(1) as f64;
    let years = n / calendar.year;
    let period = calendar.period_name();
    let mut named = Vec::new();
    let mut rules: Vec<events::Rule> = Vec::new();
    let mut figures = BTreeMap::new();
    for recurring in events::recurring_periods(&residuals, &doc.series.dates, calendar) {
        // The rule the fit would give it, as the caller would name it.
        if let Some(rule) = events::anchor(&doc.series.dates, &residuals, &recurring, calendar.days)
            && !rules.contains(&rule)
        {
            rules.push(rule);
        }
        let mean =
            recurring.earlier.iter().chain([&recurring.last]).map(|&k| residuals[k]).sum::<f64>()
                / (recurring.earlier.len() + 1) as f64;
        let date = doc.series.dates[recurring.last];
        figures.insert(format!("{date}.mean_residual"), mean);
        let day = if calendar.days == 1 { "%-d %B" } else { "the week of %-d %B" };
        let when = match recurring.kind {
            events::Match::Weekday => {
                date.format("%A %-d %B and the %A near it in each earlier year").to_string()
            }
            events::Match::Feast(feast) => {
                format!("{}, as far from {} every year", date.format(day), feast.short_name())
            }
            events::Match::Date => date.format(day).to_string(),
        };
        named.push(format!(
            "{when} ({} by {} on average, {:.0}% of the mean)",
            if mean > 0.0 { "above the fit" } else { "below it" },
            money(mean.abs()),
            100.0 * mean.abs() / mean_kpi
        ));
    }
    if named.is_empty() {
        return None;
    }
    let naming = match rules.len() {
        0 => String::new(),
        count => format!(
            ", or name {} you know of ({}; the API's events)",
            if count == 1 { "it as an event" } else { "them as events" },
            rules.iter().map(|r| format!("--event {r}")).collect::<Vec<_>>().join(" ")
        ),
    };
    Some(Insight {
        kind: InsightKind::RecurringEvent,
        channels: Vec::new(),
        title: format!(
            "{} moves in the same {period}s every year, beyond what the model explains",
            doc.kpi
        ),
        message: format!(
            "In each of the {} years of the data the model misses {} the same way {} {}: an \
             event the file does not name, such as Black Friday, Christmas or a yearly sale. \
             Its lift goes to whatever media ran then. Add a 0/1 control column that marks \
             those {period}s in every year{}, and fit again{}.",
            years + usize::from(!n.is_multiple_of(calendar.year)),
            doc.kpi,
            if calendar.days == 1 { "on" } else { "in" },
            and_list(&named),
            naming,
            if doc.spec.recurring_events {
                String::new()
            } else {
                format!(
                    "; or fit again with yearly events found by the fit (recurring_events, on \
                     by default), which gives each such {period} a term of its own"
                )
            }
        ),
        numbers: figures,
    })
}

/// How many standard errors from zero the residuals' lift in Ramadan must be, in the same
/// direction every year, for the insight to name it. On simulated markets without it
/// (docs/benchmarks.md), residuals that move a little with the season reach 2 now and then.
pub(super) const RAMADAN_SES: f64 = 3.0;

/// Ramadan, when a weekly (or daily) model has no term for it and its residuals sit the same
/// way in Ramadan every year, by [`RAMADAN_SES`] standard errors at least (each period counted
/// by the share of Ramadan it holds): a month that moves 11 days a year, which neither the
/// season nor the search for single events can draw. Named (`--event ramadan`) or asked with a
/// country's holidays, the fit gives it a term.
pub(super) fn ramadan(doc: &ModelDocument) -> Option<Insight> {
    let calendar = events::Calendar::of(doc.frequency)?;
    let rule = events::Rule::ramadan();
    let has_term = doc.baseline.events.iter().flat_map(|e| &e.dates).any(|e| e.rule() == rule);
    if doc.origin.is_some() || has_term {
        return None;
    }
    let held_out = doc.fit.holdout.as_ref().map_or(0, |h| h.periods);
    let n = doc.series.actual.len().saturating_sub(held_out).min(doc.series.dates.len());
    let dates = &doc.series.dates[..n];
    let occurrences = rule.occurrences(dates, calendar.days);
    if occurrences.len() < 2 {
        return None;
    }
    let residuals: Vec<f64> = (0..n).map(|t| doc.series.actual[t] - doc.series.fitted[t]).collect();
    let share: Vec<f64> = dates.iter().map(|d| rule.share(*d, calendar.days)).collect();
    let scale = checks::robust_sd(&residuals)?;
    // The lift by least squares on the share column, overall and in each year's run of periods.
    let lift = |range: std::ops::Range<usize>| {
        let weight: f64 = share[range.clone()].iter().map(|s| s * s).sum();
        let sum: f64 = range.map(|t| share[t] * residuals[t]).sum();
        (sum / weight, weight)
    };
    let (effect, weight) = lift(0..n);
    let ses = effect * weight.sqrt() / scale;
    let years: Vec<f64> = occurrences.into_iter().map(|run| lift(run).0).collect();
    if ses.abs() < RAMADAN_SES || years.iter().any(|y| y.signum() != effect.signum()) {
        return None;
    }
    let mean_kpi = doc.series.actual[..n].iter().sum::<f64>() / n as f64;
    let period = calendar.period_name();
    Some(Insight {
        kind: InsightKind::RecurringEvent,
        channels: Vec::new(),
        title: format!("{} moves with Ramadan every year, beyond what the model explains", doc.kpi),
        message: format!(
            "In each of the {} Ramadans of the data, {} sits {} the model's fit, by {} a {period} \
             on average ({:.1}% of the mean; {:.1} standard errors). Ramadan moves 11 days a year, \
             so the season cannot draw it, and its lift goes to whatever media ran then. Name it \
             (--event ramadan; the API's events: [\"ramadan\"]) or ask your country's holidays \
             (--holidays tr, sa, ae, eg or id), and fit again.",
            years.len(),
            doc.kpi,
            if effect > 0.0 { "above" } else { "below" },
            money(effect.abs()),
            100.0 * effect.abs() / mean_kpi,
            ses.abs()
        ),
        numbers: numbers(&[("effect", effect), ("standard_errors", ses)]),
    })
}
