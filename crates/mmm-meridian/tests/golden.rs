//! The reading layer against a real Meridian 2.1.0 model and Meridian's own numbers for it.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use mmm_meridian::{ImportError, read_file, read_netcdf};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/../../fixtures/meridian/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[test]
fn reads_the_posterior_of_a_real_meridian_model() {
    let file = read_file(&fixture("meridian_demo.binpb")).unwrap();
    assert!(!file.marketing_data.is_empty());
    let posterior = read_netcdf(&file.posterior).unwrap();
    let alpha = &posterior["alpha_m"];
    assert_eq!(alpha.dims, ["chain", "draw", "media_channel"]);
    assert_eq!(alpha.shape, [2, 500, 5]);

    // Meridian's own posterior means, exported from Python for the same file.
    let export: serde_json::Value =
        serde_json::from_slice(&fixture("meridian_demo.export.json")).unwrap();
    for var in ["alpha_m", "ec_m", "slope_m", "roi_m"] {
        let ours = posterior[var].mean_over_leading();
        let theirs: Vec<f64> = export["posterior"][var]["mean"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        assert_eq!(ours.len(), theirs.len(), "{var}");
        for (a, b) in ours.iter().zip(&theirs) {
            assert!((a - b).abs() <= 1e-9 * b.abs().max(1e-12), "{var}: {a} vs {b}");
        }
    }
}

#[test]
fn bad_files_are_refused_with_a_reason() {
    let good = fixture("meridian_demo.binpb");
    assert!(matches!(read_file(b"\x80\x04\x95 pickle"), Err(ImportError::Pickle)));
    assert!(matches!(read_file(b"date,revenue\n2024-01-01,1\n"), Err(ImportError::NotProtobuf(_))));
    assert!(read_file(&good[..good.len() / 2]).is_err(), "truncated");
    let mut corrupt = good.clone();
    for b in corrupt.iter_mut().skip(1000).take(64) {
        *b ^= 0xA5;
    }
    let _ = read_file(&corrupt).map(|f| read_netcdf(&f.posterior));
    assert!(read_netcdf(b"CDF\x02 not really").is_err());
}
