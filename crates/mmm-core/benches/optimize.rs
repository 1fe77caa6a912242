//! Optimizer time: `cargo bench -p mmm-core --bench optimize`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use criterion::{Criterion, criterion_group, criterion_main};
use mmm_core::optimize::{Constraints, frontier, optimize};
use mmm_core::plan::{PlanRequest, plan};
use mmm_core::simulate::{SimConfig, simulate};
use mmm_core::{ModelSpec, fit};
use std::hint::black_box;

fn bench_optimize(c: &mut Criterion) {
    let mut group = c.benchmark_group("optimize");
    group.sample_size(30);
    for channels in [5, 10] {
        let sim = simulate(&SimConfig { periods: 156, channels, seed: 1, ..SimConfig::default() });
        let doc = fit(&sim.dataset, &ModelSpec::default(), None).unwrap();
        let budget: f64 = doc.channels.iter().map(|ch| ch.current_spend).sum();
        let bounded = Constraints { bounds_pct: Some(0.5), ..Constraints::default() };
        group.bench_function(format!("{channels} channels"), |b| {
            b.iter(|| optimize(black_box(&doc), budget, &Constraints::default()).unwrap())
        });
        group.bench_function(format!("{channels} channels, ±50% bounds"), |b| {
            b.iter(|| optimize(black_box(&doc), budget, &bounded).unwrap())
        });
        if channels == 10 {
            group.bench_function("frontier, 10 channels, 11 budgets", |b| {
                b.iter(|| frontier(black_box(&doc), budget, &Constraints::default(), 11).unwrap())
            });
            let request = PlanRequest {
                periods: 13,
                total_budget: 13.0 * budget,
                period_cap: None,
                constraints: Constraints::default(),
            };
            group.bench_function("plan, 10 channels, 13 periods", |b| {
                b.iter(|| plan(black_box(&doc), &request).unwrap())
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench_optimize);
criterion_main!(benches);
