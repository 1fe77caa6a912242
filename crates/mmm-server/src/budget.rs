//! Budget subcommands: optimize, plan, frontier, scenario.

use crate::commands::{CliError, load_model};
use crate::{ConstraintArgs, FrontierArgs, OptimizeArgs, PlanArgs, ScenarioArgs};
use anyhow::{Context, anyhow};
use mmm_core::optimize::{
    AllocationLine, Constraints, CurrentMix, Optimization, budget_for_target_mroi,
    frontier as run_frontier, optimize as run_optimize, scenarios as run_scenarios,
};
use mmm_core::plan::{PlanRequest, plan as run_plan};
use mmm_core::text::thousands;
use serde::Serialize;
use std::fs;

fn constraints(args: &ConstraintArgs) -> Constraints {
    Constraints {
        spend_all: Some(!args.up_to),
        bounds_pct: args.bounds_pct,
        min: args.min.iter().cloned().collect(),
        max: args.max.iter().cloned().collect(),
        lock: args.lock.iter().cloned().collect(),
    }
}

fn write_json(path: &Option<std::path::PathBuf>, value: &impl Serialize) -> Result<(), CliError> {
    if let Some(path) = path {
        let text = serde_json::to_string_pretty(value).context("serialising the result")?;
        fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
        println!("written to {}", path.display());
    }
    Ok(())
}

/// The table of an allocation against the current one, headed `column` (recommended, scenario);
/// with `locks`, the channels the constraints held are marked.
fn print_lines(lines: &[AllocationLine], column: &str, locks: bool) {
    println!(
        "{:<14} {:>12} {:>12} {:>8} {:>14} {:>7}",
        "channel", "current", column, "change", "response", "mROI"
    );
    println!("{}", "-".repeat(72));
    for a in lines {
        let change = if a.current > 0.0 {
            format!("{:+.0}%", 100.0 * (a.recommended / a.current - 1.0))
        } else {
            "new".to_owned()
        };
        println!(
            "{:<14} {:>12} {:>12} {:>8} {:>14} {:>7.2}{}",
            a.name,
            thousands(a.current),
            thousands(a.recommended),
            change,
            thousands(a.expected_response),
            a.mroi,
            if locks && a.locked { "  (locked)" } else { "" }
        );
    }
    println!("{}", "-".repeat(72));
}

/// "the current mix at the same spend: ...", what `what` adds over it and how sure that is.
fn print_current_mix(mix: &CurrentMix, kpi: &str, what: &str) {
    let mut line = format!(
        "the current mix at the same spend: {kpi} {} per period; {what} adds {} ({:+.1}%)",
        thousands(mix.response),
        thousands(mix.uplift),
        100.0 * mix.uplift_pct
    );
    if let (Some(p), Some([lo, hi])) = (mix.probability_better, mix.uplift_interval) {
        line += &format!(
            "; chance it beats that mix: {:.0}%; 90% interval {} to {}",
            100.0 * p,
            thousands(lo),
            thousands(hi)
        );
    }
    println!("{line}");
}

fn print_allocation(opt: &Optimization, kpi: &str) {
    print_lines(&opt.allocation, "recommended", true);
    println!(
        "budget {} per period, spent {}\n{kpi} per period: current {} -> optimized {} (uplift {}, {:+.1}%); \
         no allocation can beat it by more than {}",
        thousands(opt.budget),
        thousands(opt.spent),
        thousands(opt.current_response),
        thousands(opt.optimized_response),
        thousands(opt.uplift),
        100.0 * opt.uplift_pct,
        thousands(opt.gap_bound)
    );
    if let (Some(p), Some([lo, hi])) = (opt.probability_better, opt.uplift_interval) {
        println!(
            "chance the recommended split beats the current one: {:.0}%; 90% interval of the uplift: {} to {}",
            100.0 * p,
            thousands(lo),
            thousands(hi)
        );
    }
    if let Some(mix) = &opt.current_mix {
        print_current_mix(mix, kpi, "the recommended split");
    }
}

pub fn scenario(args: &ScenarioArgs) -> Result<(), CliError> {
    let doc = load_model(args.model.path())?;
    if let Some((name, v)) = args.spend.iter().find(|(_, v)| !(v.is_finite() && *v >= 0.0)) {
        return Err(anyhow!("--spend {name}: must be a non-negative number, got {v}").into());
    }
    let spend = args.spend.iter().cloned().collect();
    let results = run_scenarios(&doc, &[("scenario".to_owned(), spend)]).map_err(|e| anyhow!(e))?;
    let Some(s) = results.first() else {
        return Err(anyhow!("the scenario gave no result").into());
    };
    // A scenario's every channel is fixed at its spend: no lock to mark.
    print_lines(&s.channels, "scenario", false);
    let current_spend: f64 = s.channels.iter().map(|l| l.current).sum();
    let current: f64 = s.channels.iter().map(|l| l.current_response).sum();
    println!(
        "spend {} per period (current {}); {} per period: current {} -> scenario {} (uplift {}, \
         {:+.1}%), ROI {:.2}",
        thousands(s.spend),
        thousands(current_spend),
        doc.kpi,
        thousands(current),
        thousands(s.response),
        thousands(s.uplift),
        if current > 0.0 { 100.0 * s.uplift / current } else { 0.0 },
        s.roi
    );
    if let (Some(p), Some([lo, hi])) = (s.probability_better, s.uplift_interval) {
        println!(
            "chance the scenario beats the current split: {:.0}%; 90% interval of the uplift: {} \
             to {}",
            100.0 * p,
            thousands(lo),
            thousands(hi)
        );
    }
    if let Some(mix) = &s.current_mix {
        print_current_mix(mix, &doc.kpi, "the scenario");
    }
    write_json(&args.json, s)
}

pub fn optimize(args: &OptimizeArgs) -> Result<(), CliError> {
    let doc = load_model(args.model.path())?;
    let c = constraints(&args.constraints);
    let opt = match (args.budget, args.target_mroi) {
        (Some(budget), _) => run_optimize(&doc, budget, &c).map_err(|e| anyhow!(e))?,
        (None, Some(target)) => {
            let current: f64 = doc.channels.iter().map(|ch| ch.current_spend).sum();
            let result = budget_for_target_mroi(&doc, target, &c, 10.0 * current.max(1.0))
                .map_err(|e| anyhow!(e))?;
            println!(
                "largest budget with every funded channel at mROI >= {target}: {}",
                thousands(result.optimization.budget)
            );
            result.optimization
        }
        (None, None) => return Err(anyhow!("give --budget or --target-mroi").into()),
    };
    print_allocation(&opt, &doc.kpi);
    write_json(&args.json, &opt)
}

pub fn plan(args: &PlanArgs) -> Result<(), CliError> {
    let doc = load_model(args.model.path())?;
    let controls = args.controls.iter().cloned().collect();
    mmm_core::score::check_controls(&doc, &controls).map_err(CliError::Data)?;
    let request = PlanRequest {
        periods: args.periods,
        total_budget: args.budget,
        period_cap: args.period_cap,
        constraints: constraints(&args.constraints),
    };
    let p = run_plan(&doc, &request).map_err(|e| anyhow!(e))?;
    let names: Vec<&String> =
        p.periods.first().map(|x| x.spend.keys().collect()).unwrap_or_default();
    print!("{:<12}", "period");
    for n in &names {
        print!(" {:>12}", n);
    }
    println!(" {:>12}", "total");
    for period in &p.periods {
        print!("{:<12}", period.date.to_string());
        for n in &names {
            print!(" {:>12}", thousands(period.spend[*n]));
        }
        println!(" {:>12}", thousands(period.total));
    }
    println!(
        "expected incremental {}: {} over the plan and {} periods of carry-over (flat plan: {})",
        doc.kpi,
        thousands(p.expected_incremental),
        p.carry_over_periods,
        thousands(p.flat_plan_incremental)
    );
    if let Some([lo, hi]) = p.incremental_interval {
        println!(
            "90% interval of the incremental {}: {} to {}",
            doc.kpi,
            thousands(lo),
            thousands(hi)
        );
    }
    match (p.probability_beats_flat, p.gain_over_flat_interval) {
        (Some(chance), Some([lo, hi])) => println!(
            "chance the plan beats the flat plan: {:.0}%; 90% interval of the gain: {} to {}",
            100.0 * chance,
            thousands(lo),
            thousands(hi)
        ),
        _ if p.incremental_interval.is_some() => {
            println!("the plan is the flat plan: the model expects no departure from it to pay")
        }
        _ => {}
    }
    if let Some(path) = &args.csv {
        let file = mmm_core::score::plan_csv(&doc, &p, &controls).map_err(CliError::Data)?;
        fs::write(path, file).with_context(|| format!("cannot write {}", path.display()))?;
        println!(
            "plan written to {}; forecast the {} it brings with: mmm score {} {}",
            path.display(),
            doc.kpi,
            args.model.path().display(),
            path.display()
        );
    }
    write_json(&args.json, &p)
}

pub fn frontier(args: &FrontierArgs) -> Result<(), CliError> {
    let doc = load_model(args.model.path())?;
    let points = run_frontier(&doc, args.budget, &constraints(&args.constraints), args.steps)
        .map_err(|e| anyhow!(e))?;
    println!(
        "{:>8} {:>14} {:>14} {:>7} {:>9} {:>27}",
        "change", "budget", "response", "ROI", "marginal", "response, 90% interval"
    );
    for p in &points {
        let band = p
            .response_interval
            .map_or(String::new(), |[lo, hi]| format!("{} to {}", thousands(lo), thousands(hi)));
        println!(
            "{:>+7.0}% {:>14} {:>14} {:>7.2} {:>9.2} {band:>27}",
            100.0 * p.change,
            thousands(p.budget),
            thousands(p.response),
            p.roi,
            p.marginal
        );
    }
    write_json(&args.json, &points)
}
