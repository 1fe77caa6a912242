//! Coverage of the Bayesian 90% ROI intervals against simulated truth.
//!
//! `[PROFILE=demo] cargo run --release -p mmm-core --example coverage -- [FIRST_SEED] [COUNT]`
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use mmm_core::ModelSpec;
use mmm_core::fit::{BayesSettings, fit_bayes};
use mmm_core::simulate::{SimConfig, simulate};
use std::time::Instant;

fn main() {
    let args: Vec<u64> =
        std::env::args().skip(1).map(|a| a.parse().expect("numeric argument")).collect();
    let first = args.first().copied().unwrap_or(1000);
    let count = args.get(1).copied().unwrap_or(12);
    let settings = BayesSettings::default();
    let profile = match std::env::var("PROFILE").as_deref() {
        Ok("demo") => mmm_core::simulate::Profile::MeridianDemo,
        _ => mmm_core::simulate::Profile::Mixed,
    };
    let (mut covered, mut total, mut abs_err, mut rhat_ok) = (0, 0, 0.0, 0);
    let (mut log_err, mut off_2x) = (0.0, 0);
    let mut seconds = 0.0;
    for seed in first..first + count {
        let noise = [0.03, 0.045, 0.06][(seed % 3) as usize];
        let sim = simulate(&SimConfig { seed, noise, profile, ..SimConfig::default() });
        let start = Instant::now();
        let doc =
            fit_bayes(&sim.dataset, &ModelSpec { seed, ..ModelSpec::default() }, &settings, None)
                .unwrap();
        seconds += start.elapsed().as_secs_f64();
        let d = doc.diagnostics.as_ref().unwrap();
        if d.rhat_max <= 1.01 {
            rhat_ok += 1;
        }
        let mut line = format!(
            "seed {seed}: rhat {:.3} ess {:.0} div {}",
            d.rhat_max, d.ess_bulk_min, d.divergences
        );
        for (t, c) in sim.truth.channels.iter().zip(&doc.channels) {
            let [lo, hi] = c.roi_interval.unwrap();
            let inside = lo <= t.roi && t.roi <= hi;
            covered += usize::from(inside);
            total += 1;
            abs_err += (c.roi - t.roi).abs() / t.roi;
            log_err += (c.roi / t.roi).ln().abs();
            off_2x += usize::from((c.roi / t.roi).ln().abs() > 2f64.ln());
            line += &format!(
                " {}={:.2}[{:.2},{:.2}]/{:.2}{}",
                t.name,
                c.roi,
                lo,
                hi,
                t.roi,
                if inside { "" } else { "!" }
            );
        }
        println!("{line}");
    }
    println!(
        "coverage of 90% ROI intervals: {covered}/{total} = {:.0}% | mean relative error of the posterior mean {:.1}% | mean |ln ratio| {:.3} | off by >2x {off_2x} | R-hat <= 1.01 in {rhat_ok}/{count} fits | mean time {:.2} s",
        100.0 * covered as f64 / total as f64,
        100.0 * abs_err / total as f64,
        log_err / total as f64,
        seconds / count as f64
    );
}
