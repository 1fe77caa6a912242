//! Plain-text summaries of a model for the terminal.

use mmm_core::baseline::EventDate;
use mmm_core::checks::{DataCheck, Level};
use mmm_core::score::{Drift, ScoreMetrics};
use mmm_core::text::{and_list, count, thousands};
use mmm_core::{Dataset, ModelDocument};
use std::fmt::Write;

/// The channel table and fit metrics.
/// How the model was made: `MAP`, `Bayesian (NUTS)` or `Imported <tool> <version>`.
fn method_label(doc: &ModelDocument) -> String {
    match (&doc.origin, doc.method) {
        (Some(o), _) => format!("Imported {} {}", o.tool, o.version),
        (None, mmm_core::document::Method::Map) => "MAP".to_owned(),
        (None, mmm_core::document::Method::Bayes) => "Bayesian (NUTS)".to_owned(),
    }
}

pub fn summary(doc: &ModelDocument) -> String {
    let mut s = String::new();
    let method = method_label(doc);
    let _ = writeln!(
        s,
        "{method} model of {} ({}, {} to {}, {} periods)",
        doc.kpi, doc.frequency, doc.start, doc.end, doc.periods
    );
    let history = doc.series.channels.first().map_or(0, |c| c.history.len());
    if history > 0 {
        let _ = writeln!(
            s,
            "Media history: spend of the {} before {} carries over into the first periods",
            count(history, "period"),
            doc.start
        );
    }
    let on_units: Vec<String> = doc
        .series
        .channels
        .iter()
        .filter(|c| c.on_media_units())
        .map(|c| format!("{} ({})", c.name, c.media_input_column()))
        .collect();
    if !on_units.is_empty() {
        let _ = writeln!(
            s,
            "Fitted on media units (impressions, ...), valued at the data's average spend per \
             unit: {}",
            on_units.join(", ")
        );
    }
    let harmonics = doc.baseline.yearly_harmonics();
    if harmonics > doc.spec.yearly_harmonics {
        let _ = writeln!(
            s,
            "Season: {} yearly harmonics (the data are more likely with them than with {})",
            harmonics, doc.spec.yearly_harmonics
        );
    }
    if !doc.baseline.trend_knots.is_empty() {
        let _ = writeln!(
            s,
            "Trend: bends at {} (the data are more likely with a bent trend than a straight one)",
            count(doc.baseline.trend_knots.len(), "knot")
        );
    }
    let period = doc.frequency.period_name();
    if let Some(events) = &doc.baseline.events {
        // Those the specification named were not asked about: the caller knew of them.
        let asked = |e: &&EventDate| !doc.spec.events.contains(&e.rule());
        let listed: Vec<String> = events
            .by_date()
            .into_iter()
            .map(|e| {
                let sign = if e.coefficient < 0.0 { "-" } else { "+" };
                // An event of several days moves each period by the share of it the period holds:
                // its effect is a whole period's.
                let (when, per) = if e.rule().days > 1 {
                    (e.label(), format!(" a {period}"))
                } else if events.period_days == 1 {
                    (e.label(), String::new())
                } else {
                    (format!("the {period} of {}", e.label()), String::new())
                };
                let how = if asked(&e) { "" } else { ", named" };
                format!("{when} ({sign}{}{per}{how})", thousands(e.coefficient.abs()))
            })
            .collect();
        let why = if events.dates.iter().any(|e| asked(&e)) {
            " (the data are more likely with them than without)"
        } else {
            ""
        };
        let _ = writeln!(s, "Recurring events: {} every year{why}", and_list(&listed));
    }
    let late: Vec<String> = doc
        .channels
        .iter()
        .filter_map(|c| {
            let lag = c.adstock.peak_lag();
            (lag > 0).then(|| format!("{} ({} later)", c.name, count(lag, period)))
        })
        .collect();
    if !late.is_empty() {
        let _ = writeln!(s, "Carry-over: peaks after the spend for {}", late.join(", "));
    }
    if let Some(rho) = doc.fit.noise_autocorrelation {
        let share = doc
            .fit
            .noise_autocorrelated_share
            .map(|v| format!(" in {:.0}% of it", 100.0 * v))
            .unwrap_or_default();
        let _ = writeln!(
            s,
            "Noise: autocorrelation {rho:.2} from one period to the next{share} (the data are \
             more likely with it than without)"
        );
    }
    let _ = writeln!(
        s,
        "\n{:<14} {:>14} {:>14} {:>7} {:>7} {:>7}",
        "channel", "spend", "contribution", "ROI", "mROI", "share"
    );
    let _ = writeln!(s, "{}", "-".repeat(68));
    for c in &doc.channels {
        let _ = writeln!(
            s,
            "{:<14} {:>14} {:>14} {:>7.2} {:>7.2} {:>6.1}%",
            c.name,
            thousands(c.spend),
            thousands(c.contribution),
            c.roi,
            c.mroi,
            100.0 * c.share
        );
    }
    let spend: f64 = doc.channels.iter().map(|c| c.spend).sum();
    let contribution: f64 = doc.channels.iter().map(|c| c.contribution).sum();
    let _ = writeln!(s, "{}", "-".repeat(68));
    let _ = writeln!(
        s,
        "{:<14} {:>14} {:>14} {:>7.2}",
        "all media",
        thousands(spend),
        thousands(contribution),
        if spend > 0.0 { contribution / spend } else { 0.0 }
    );
    if doc.channels.iter().any(|c| c.roi_interval.is_some()) {
        let map = doc.origin.is_none() && doc.method == mmm_core::document::Method::Map;
        let _ = writeln!(
            s,
            "\n{}",
            match (map, doc.posterior.is_some()) {
                (true, true) => {
                    "ROI and mROI averaged over the curve shapes the data allow, with approximate 90% intervals:"
                }
                // No draws: the ROI prior was off (Laplace intervals at the MAP point), or the
                // model predates them (session 8's documents averaged the ROI only).
                (true, false) => "approximate 90% intervals:",
                _ => "posterior means with 90% credible intervals:",
            }
        );
        for c in &doc.channels {
            let Some(r) = c.roi_interval else { continue };
            let mut line = format!("{:<14} ROI {:.2} [{:.2}, {:.2}]", c.name, c.roi, r[0], r[1]);
            if let Some(m) = c.mroi_interval {
                let _ = write!(line, "  mROI {:.2} [{:.2}, {:.2}]", c.mroi, m[0], m[1]);
            }
            if let Some(k) = c.roi_contraction {
                let _ = write!(line, "  data {:>3.0}%", 100.0 * k);
            }
            let _ = writeln!(s, "{line}");
        }
        if doc.channels.iter().any(|c| c.roi_contraction.is_some()) {
            let _ = writeln!(
                s,
                "data: how much the data narrowed the ROI prior (under {:.0}%: uncertain; under {:.0}%: mostly the prior)",
                100.0 * mmm_core::insights::FIRM_EVIDENCE,
                100.0 * mmm_core::insights::WEAK_EVIDENCE
            );
        }
    }
    if doc.channels.iter().any(|c| !c.posterior_parameters.is_empty()) {
        let _ = writeln!(
            s,
            "\ncarry-over and curve shape, posterior means with 90% intervals (half-saturation in \
             spend per period):"
        );
        for c in doc.channels.iter().filter(|c| !c.posterior_parameters.is_empty()) {
            let _ = writeln!(s, "{:<14} {}", c.name, parameter_line(c));
        }
    }
    let f = &doc.fit;
    let _ = writeln!(
        s,
        "\nfit: R² {:.3}  MAPE {:.1}%  NRMSE {:.3}  residual sd {}",
        f.r2,
        100.0 * f.mape,
        f.nrmse,
        thousands(f.sigma)
    );
    if let Some(d) = &doc.diagnostics {
        let _ = writeln!(
            s,
            "sampling: {} chains x {} draws, R-hat max {:.3}, bulk ESS min {:.0}, divergences {}",
            d.chains, d.draws, d.rhat_max, d.ess_bulk_min, d.divergences
        );
        for w in &d.warnings {
            let _ = writeln!(s, "warning: {w}");
        }
    }
    if let Some(h) = &f.holdout {
        let _ = writeln!(
            s,
            "holdout ({}): R² {:.3}  MAPE {:.1}%  NRMSE {:.3}",
            count(h.periods, "period"),
            h.r2,
            100.0 * h.mape,
            h.nrmse
        );
    }
    for p in mmm_core::insights::collinear_pairs(doc) {
        let what = if p.other_is_channel { "spend " } else { "" };
        let _ = writeln!(
            s,
            "caution: {} and {} {what}move together (correlation {:.2}): the data can hardly \
             tell their effects apart (--insights)",
            p.channel, p.other, p.correlation
        );
    }
    // How an imported model's figures relate to its tool's own (and, for a Meridian geo
    // model, to its geos).
    for note in doc.origin.iter().flat_map(|o| &o.notes) {
        let _ = writeln!(s, "note: {note}");
    }
    s
}

/// A channel's transform parameters over the posterior draws, the coefficient left out: the
/// half-saturation in spend per period (its stored value times the channel's scale), the
/// others as stored.
pub fn parameter_line(c: &mmm_core::document::ChannelResult) -> String {
    c.posterior_parameters
        .iter()
        .filter(|p| p.name != "coefficient")
        .map(|p| {
            let [lo, hi] = p.interval;
            if p.name == "half_saturation" {
                let spend = |v: f64| thousands(v * c.scale);
                format!("half-saturation {} [{}, {}]", spend(p.mean), spend(lo), spend(hi))
            } else {
                let name = match p.name.strip_prefix("adstock_") {
                    Some(weibull) => format!("carry-over {weibull}"),
                    None => p.name.clone(),
                };
                format!("{name} {:.2} [{lo:.2}, {hi:.2}]", p.mean)
            }
        })
        .collect::<Vec<_>>()
        .join("  ")
}

/// The channels of two models: all of `a`'s, then those only `b` has.
fn channels_of<'a>(a: &'a ModelDocument, b: &'a ModelDocument) -> Vec<&'a str> {
    let mut names: Vec<&str> = a.channels.iter().map(|c| c.name.as_str()).collect();
    names.extend(b.channels.iter().map(|c| c.name.as_str()).filter(|n| a.channel(n).is_none()));
    names
}

/// The relative change of a channel's ROI from one model to the other, when both have it.
fn roi_change(
    a: Option<&mmm_core::document::ChannelResult>,
    b: Option<&mmm_core::document::ChannelResult>,
) -> Option<f64> {
    match (a, b) {
        (Some(x), Some(y)) if x.roi > 0.0 => Some(y.roi / x.roi - 1.0),
        _ => None,
    }
}

/// Two models side by side, channel by channel: ROI with its interval, the change, and the data
/// weight of each (as the dashboard's comparison on the Channels page), then the fit metrics.
/// `names` label the models (their files).
pub fn compare(a: &ModelDocument, b: &ModelDocument, names: [&str; 2]) -> String {
    let mut s = String::new();
    for (label, (doc, name)) in ["A", "B"].iter().zip([(a, names[0]), (b, names[1])]) {
        let _ = writeln!(
            s,
            "{label}: {} model of {} ({}, {} to {}, {}), {name}",
            method_label(doc),
            doc.kpi,
            doc.frequency,
            doc.start,
            doc.end,
            count(doc.periods, "period")
        );
    }
    let same = |f: fn(&ModelDocument) -> String| f(a) == f(b);
    if !(same(|d| d.kpi.clone()) && same(|d| format!("{} {} {}", d.frequency, d.start, d.end))) {
        let _ = writeln!(
            s,
            "note: the models are not of the same data; their ROIs answer different questions"
        );
    }
    let roi = |c: Option<&mmm_core::document::ChannelResult>| match c {
        None => "–".to_owned(),
        Some(c) => match c.roi_interval {
            Some([lo, hi]) => format!("{:.2} [{lo:.2}, {hi:.2}]", c.roi),
            None => format!("{:.2}", c.roi),
        },
    };
    let weight = |c: Option<&mmm_core::document::ChannelResult>| {
        c.and_then(|c| c.roi_contraction).map_or("–".to_owned(), |k| format!("{:.0}%", 100.0 * k))
    };
    let _ = writeln!(
        s,
        "\n{:<14} {:>22} {:>22} {:>8} {:>7} {:>7}",
        "channel", "ROI A [90%]", "ROI B [90%]", "change", "data A", "data B"
    );
    let _ = writeln!(s, "{}", "-".repeat(86));
    for name in channels_of(a, b) {
        let (ca, cb) = (a.channel(name), b.channel(name));
        let change = roi_change(ca, cb).map_or("–".to_owned(), |r| format!("{:+.1}%", 100.0 * r));
        let _ = writeln!(
            s,
            "{name:<14} {:>22} {:>22} {change:>8} {:>7} {:>7}",
            roi(ca),
            roi(cb),
            weight(ca),
            weight(cb)
        );
    }
    let (fa, fb) = (&a.fit, &b.fit);
    let _ = writeln!(
        s,
        "\nfit: R² {:.3} -> {:.3}  MAPE {:.1}% -> {:.1}%  NRMSE {:.3} -> {:.3}",
        fa.r2,
        fb.r2,
        100.0 * fa.mape,
        100.0 * fb.mape,
        fa.nrmse,
        fb.nrmse
    );
    if let (Some(ha), Some(hb)) = (&fa.holdout, &fb.holdout) {
        let _ = writeln!(
            s,
            "holdout: R² {:.3} -> {:.3}  MAPE {:.1}% -> {:.1}%",
            ha.r2,
            hb.r2,
            100.0 * ha.mape,
            100.0 * hb.mape
        );
    }
    s
}

/// The comparison of [`compare`] as JSON, for scripts: each model's file, method and data
/// (`models`), per channel (all of A's, then B's others) each model's ROI, its interval and data
/// weight (`null` where a model lacks the channel or the figure) and the relative change of the
/// ROI from A to B, and both fits' metrics.
pub fn compare_json(a: &ModelDocument, b: &ModelDocument, names: [&str; 2]) -> serde_json::Value {
    use serde_json::json;
    let model = |doc: &ModelDocument, file: &str| {
        json!({"file": file, "method": method_label(doc), "kpi": doc.kpi,
               "frequency": doc.frequency.to_string(), "start": doc.start, "end": doc.end,
               "periods": doc.periods, "fit": doc.fit})
    };
    let side = |c: Option<&mmm_core::document::ChannelResult>| {
        c.map(|c| json!({"roi": c.roi, "roi_interval": c.roi_interval, "data_weight": c.roi_contraction}))
    };
    let channels: Vec<serde_json::Value> = channels_of(a, b)
        .into_iter()
        .map(|name| {
            let (ca, cb) = (a.channel(name), b.channel(name));
            json!({"name": name, "a": side(ca), "b": side(cb), "roi_change": roi_change(ca, cb)})
        })
        .collect();
    json!({"models": [model(a, names[0]), model(b, names[1])], "channels": channels})
}

/// The model's insights, numbered and wrapped for a terminal.
pub fn insights(doc: &ModelDocument) -> String {
    format!(
        "\ninsights:\n\n{}",
        mmm_core::insights::to_text(&mmm_core::insights::insights(doc), 96)
    )
}

/// A data set's checks: what was read, then each finding, warnings first.
pub fn checks(data: &Dataset, found: &[DataCheck]) -> String {
    let at = |level: Level| found.iter().filter(|f| f.level == level).count();
    let (warnings, notes) = (at(Level::Warning), at(Level::Note));
    let mut s = format!(
        "{} ({} to {}) x {}, {}: {}\n",
        count(data.len(), data.frequency.period_name()),
        data.dates[0],
        data.dates[data.len() - 1],
        count(data.channels.len(), "channel"),
        count(data.controls.len(), "control"),
        check_counts(warnings, notes),
    );
    if !found.is_empty() {
        s += "\n";
        s += &mmm_core::checks::to_text(found, 96);
    }
    s
}

/// "no findings", "1 warning, 2 notes".
pub fn check_counts(warnings: usize, notes: usize) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    match (warnings, notes) {
        (0, 0) => "no findings".to_owned(),
        (w, 0) => plural(w, "warning"),
        (0, n) => plural(n, "note"),
        (w, n) => format!("{}, {}", plural(w, "warning"), plural(n, "note")),
    }
}

/// How a model predicts a data set: a line per period, the accuracy and the drift verdict.
pub fn score(doc: &ModelDocument, score: &mmm_core::score::Score) -> String {
    let mut s = String::new();
    let (Some(first), Some(last)) = (score.periods.first(), score.periods.last()) else {
        return s;
    };
    let _ = writeln!(
        s,
        "{} of {} periods ({} to {}) predicted by the model fitted on {} to {}",
        doc.kpi,
        score.periods.len(),
        first.date,
        last.date,
        doc.start,
        doc.end
    );
    let _ = writeln!(
        s,
        "{} of them outside the model's fitting window (out of sample){}\n",
        score.out_of_sample,
        match score.forecasts {
            0 => String::new(),
            n => format!("; {n} without a KPI, forecast from their spend and controls"),
        }
    );
    let _ = writeln!(
        s,
        "{:<12} {:>14} {:>14} {:>31} {:>14}",
        "date", "actual", "predicted", "90% interval", "media"
    );
    for p in &score.periods {
        let outside = p.outside();
        let _ = writeln!(
            s,
            "{:<12} {:>14} {:>14} {:>31} {:>14}{}",
            p.date.to_string(),
            p.actual.map_or_else(|| "forecast".to_owned(), thousands),
            thousands(p.predicted),
            format!("[{}, {}]", thousands(p.interval[0]), thousands(p.interval[1])),
            thousands(p.media),
            if outside { "  outside" } else { "" }
        );
    }
    if let (Some(m), Some(d)) = (&score.metrics, &score.drift) {
        accuracy(&mut s, m, d, score.periods.len() - score.forecasts);
    } else {
        let _ = writeln!(s, "\nno period has a KPI yet: nothing to check the forecasts against");
    }
    if score.unknown_carry_over > 0 {
        let _ = writeln!(
            s,
            "carry-over: the spend of the {} before {} is known to neither the data nor the \
             model and counts as none; add them as media history rows (empty KPI) for the exact \
             carry-over",
            count(score.unknown_carry_over, "period"),
            first.date
        );
    }
    s
}

/// The accuracy, coverage and drift verdict of `n` scored periods with a KPI.
fn accuracy(s: &mut String, m: &ScoreMetrics, d: &Drift, n: usize) {
    let _ = writeln!(
        s,
        "\naccuracy: R² {:.3}  MAPE {:.1}%  NRMSE {:.3}  bias {:+.1}% ({})",
        m.r2,
        100.0 * m.mape,
        m.nrmse,
        100.0 * m.bias,
        if m.bias >= 0.0 { "actual above predicted" } else { "actual below predicted" }
    );
    let _ = writeln!(
        s,
        "inside the 90% interval: {} of {n} periods ({:.0}%); a model that still holds leaves {:.1} \
         outside on average",
        n - d.outside,
        100.0 * m.coverage,
        d.expected_outside
    );
    let _ = writeln!(
        s,
        "{}",
        if d.drifted {
            format!(
                "verdict: the data have drifted from the model ({} outside, p = {:.2e}): refit \
                 it with the new periods",
                count(d.outside, "period"),
                d.p_value
            )
        } else {
            format!("verdict: the data are consistent with the model (p = {:.2})", d.p_value)
        }
    );
}

/// A backtest: each fold's accuracy on the periods after its window, the pooled accuracy, and
/// each channel's ROI fold by fold.
pub fn backtest(data: &mmm_core::Dataset, b: &mmm_core::backtest::Backtest) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Backtest of {} on {} periods: {} folds, each fitted on the periods before it and scored \
         on the next {}\n",
        data.kpi_name,
        data.len(),
        b.folds.len(),
        b.horizon
    );
    let _ = writeln!(
        s,
        "{:<5} {:>7}  {:<25} {:>7} {:>7} {:>7} {:>8}  drift",
        "fold", "fitted", "scored", "R²", "MAPE", "bias", "in 90%"
    );
    for (i, f) in b.folds.iter().enumerate() {
        let _ = writeln!(
            s,
            "{:<5} {:>7}  {:<25} {:>7.3} {:>6.1}% {:>+6.1}% {:>7.0}%  {}",
            i + 1,
            f.fit_periods,
            format!("{} to {}", f.start, f.end),
            f.metrics.r2,
            100.0 * f.metrics.mape,
            100.0 * f.metrics.bias,
            100.0 * f.metrics.coverage,
            if f.drift.drifted {
                format!("yes (p = {:.1e})", f.drift.p_value)
            } else {
                "no".into()
            }
        );
    }
    let m = &b.metrics;
    let _ = writeln!(
        s,
        "all folds: R² {:.3}  MAPE {:.1}%  bias {:+.1}%  inside the 90% interval {:.0}% (90% expected)\n",
        m.r2,
        100.0 * m.mape,
        100.0 * m.bias,
        100.0 * m.coverage
    );
    let mut header = format!("{:<14}", "ROI by fold");
    for i in 0..b.folds.len() {
        let _ = write!(header, " {:>7}", format!("fold {}", i + 1));
    }
    let _ = writeln!(s, "{header} {:>8}", "spread");
    for (i, c) in b.channels.iter().enumerate() {
        let mut line = format!("{:<14}", c.name);
        for f in &b.folds {
            let _ = write!(line, " {:>7.2}", f.channels[i].roi);
        }
        let _ = writeln!(s, "{line} {:>7.0}%", 100.0 * c.spread);
    }
    let _ = writeln!(
        s,
        "spread: (largest − smallest ROI) / mean ROI over the folds; a wide one means the window \
         decides the ROI. A narrow one is no sign of accuracy: a ROI the prior decides is steady \
         in every window (how much to trust a ROI: its data weight and interval, from mmm fit)"
    );
    s
}
