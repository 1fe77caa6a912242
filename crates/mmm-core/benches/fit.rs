//! Fit time at three weekly sizes (periods x channels) and three years of days, loading a CSV,
//! the data checks, and scoring a saved model on new periods:
//! `cargo bench -p mmm-core --bench fit`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use mmm_core::Frequency;
use mmm_core::simulate::{SimConfig, simulate};
use mmm_core::{LoadOptions, ModelSpec, fit, load_csv, load_csv_for_scoring, score};
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

/// Three years of days, 5 channels: a market without events, and one with two that jump every
/// year (40% of the level on 27 November and 24 December), which the fit finds and adds.
fn bench_fit_daily(c: &mut Criterion) {
    let mut group = c.benchmark_group("fit_daily");
    group.sample_size(10);
    for (name, yearly_events) in [("1095x5", 0.0), ("1095x5_events", 0.4)] {
        let config = SimConfig { periods: 1095, seed: 1, yearly_events, ..SimConfig::default() };
        let data = simulate(&config.with_frequency(Frequency::Daily)).dataset;
        let spec = ModelSpec::default();
        group.bench_with_input(BenchmarkId::from_parameter(name), &data, |b, data| {
            b.iter(|| fit(black_box(data), &spec, None).unwrap())
        });
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

/// The data checks of a data set before a fit, weekly and three years of daily data.
fn bench_checks(c: &mut Criterion) {
    let mut group = c.benchmark_group("checks");
    for (periods, channels, frequency) in
        [(156, 5, Frequency::Weekly), (208, 10, Frequency::Weekly), (1095, 5, Frequency::Daily)]
    {
        let config = SimConfig { periods, channels, seed: 1, ..SimConfig::default() };
        let data = simulate(&config.with_frequency(frequency)).dataset;
        let spec = ModelSpec::default();
        group.bench_with_input(
            BenchmarkId::from_parameter(format!("{periods}x{channels}")),
            &data,
            |b, data| b.iter(|| mmm_core::checks::check(black_box(data), &spec)),
        );
    }
    group.finish();
}

/// A 156 x 5 model (200 kept draws) scores the next 52 weeks, and its own 156.
fn bench_score(c: &mut Criterion) {
    let csv = simulate(&SimConfig { periods: 208, channels: 5, seed: 1, ..SimConfig::default() })
        .dataset
        .to_csv();
    let lines: Vec<&str> = csv.lines().collect();
    let part = |range: std::ops::Range<usize>| {
        let mut out = vec![lines[0]];
        out.extend(&lines[1 + range.start..1 + range.end]);
        out.join("\n")
    };
    let spec = ModelSpec::default();
    let train = load_csv(part(0..156).as_bytes(), &LoadOptions::default(), &spec).unwrap();
    let doc = fit(&train, &spec, None).unwrap();
    let options = score::load_options(&doc, "date");
    let mut group = c.benchmark_group("score");
    for (label, range) in [("52 new periods", 156..208), ("156 fitted periods", 0..156)] {
        let text = part(range);
        group.bench_function(label, |b| {
            b.iter(|| {
                let data = load_csv_for_scoring(black_box(text.as_bytes()), &options).unwrap();
                score::score(&doc, &data).unwrap()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_fit, bench_fit_daily, bench_load, bench_checks, bench_score);
criterion_main!(benches);
