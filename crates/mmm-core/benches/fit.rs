//! Fit time at three sizes (periods x channels): `cargo bench -p mmm-core --bench fit`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use mmm_core::simulate::{SimConfig, simulate};
use mmm_core::{LoadOptions, ModelSpec, fit, load_csv};
use std::hint::black_box;

fn bench_fit(c: &mut Criterion) {
    let mut group = c.benchmark_group("fit");
    group.sample_size(20);
    for (periods, channels) in [(104, 3), (156, 5), (208, 10)] {
        let sim = simulate(&SimConfig { periods, channels, seed: 1, ..SimConfig::default() });
        let spec = ModelSpec::default();
        group.bench_with_input(
            BenchmarkId::from_parameter(format!("{periods}x{channels}")),
            &sim.dataset,
            |b, data| b.iter(|| fit(black_box(data), &spec, None).unwrap()),
        );
    }
    group.finish();
}

fn bench_load(c: &mut Criterion) {
    let csv = simulate(&SimConfig { periods: 208, channels: 10, ..SimConfig::default() })
        .dataset
        .to_csv();
    c.bench_function("load_csv/208x10", |b| {
        b.iter(|| {
            load_csv(black_box(csv.as_bytes()), &LoadOptions::default(), &ModelSpec::default())
                .unwrap()
        })
    });
}

criterion_group!(benches, bench_fit, bench_load);
criterion_main!(benches);
