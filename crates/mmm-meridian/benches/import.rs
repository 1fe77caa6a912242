//! Import of the 2.6 MB Meridian 2.1.0 golden model: protobuf, NetCDF-3 posterior, every draw
//! through Meridian's equations, and the model document.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn import(c: &mut Criterion) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/meridian/meridian_demo.binpb");
    let bytes = std::fs::read(path).expect("fixture");
    c.bench_function("import_meridian_2.6MB", |b| {
        b.iter(|| mmm_meridian::import(black_box(&bytes), "meridian_demo.binpb").unwrap())
    });
}

criterion_group!(benches, import);
criterion_main!(benches);
