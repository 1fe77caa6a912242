//! Import of the 2.6 MB Meridian 2.1.0 golden model: protobuf, NetCDF-3 posterior, every draw
//! through Meridian's equations, and the model document; and of the golden geo model (5 geos x
//! 104 weeks, 200 draws).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn import(c: &mut Criterion) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/meridian/meridian_demo.binpb");
    let bytes = std::fs::read(path).expect("fixture");
    c.bench_function("import_meridian_2.6MB", |b| {
        b.iter(|| mmm_meridian::import(black_box(&bytes), "meridian_demo.binpb").unwrap())
    });
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/meridian/meridian_geo.binpb");
    let geo = std::fs::read(path).expect("fixture");
    c.bench_function("import_meridian_geo_5x104", |b| {
        b.iter(|| mmm_meridian::import(black_box(&geo), "meridian_geo.binpb").unwrap())
    });
}

criterion_group!(benches, import);
criterion_main!(benches);
