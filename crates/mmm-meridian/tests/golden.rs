//! The reading layer against a real Meridian 2.1.0 model and Meridian's own numbers for it.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use chrono::Datelike;
use mmm_meridian::data::{MarketingTable, Scaling};
use mmm_meridian::{ImportError, import, proto, read_file, read_netcdf};
use prost::Message;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/../../fixtures/meridian/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[test]
fn reads_the_posterior_of_a_real_meridian_model() {
    let file = read_file(&fixture("meridian_demo.binpb")).unwrap();
    assert_eq!(file.marketing_data.marketing_data_points.len(), 156);
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

/// The real Meridian models: the demo (156 weeks, 1,000 draws), one with 8 weeks of lagged media
/// before its 104 weeks of KPI, one fitted on impressions (not proportional to spend) with
/// conversions as the KPI and a revenue per conversion, and one with binomial adstock (200 draws
/// each).
const MODELS: [&str; 9] = [
    "meridian_demo",
    "meridian_lagged",
    "meridian_impressions",
    "meridian_binomial",
    "meridian_hill_first",
    "meridian_non_media",
    "meridian_organic",
    "meridian_geo",
    "meridian_geo_scaled",
];

fn export(model: &str) -> serde_json::Value {
    serde_json::from_slice(&fixture(&format!("{model}.export.json"))).unwrap()
}

fn floats(v: &serde_json::Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

fn close(a: f64, b: f64, rel: f64, what: &str) {
    assert!((a - b).abs() <= rel * b.abs().max(1e-12), "{what}: ours {a} vs Meridian {b}");
}

/// `summary_metrics` values are `[channel][mean, median, ci_lo, ci_hi][prior, posterior]`.
fn summary(export: &serde_json::Value, metric: &str, channel: usize, stat: usize) -> f64 {
    export["summary_metrics"][metric]["values"][channel][stat][1].as_f64().unwrap()
}

#[test]
fn the_derived_scaling_matches_meridian() {
    for model in MODELS {
        the_derived_scaling_matches(model);
    }
}

fn the_derived_scaling_matches(model: &str) {
    let file = read_file(&fixture(&format!("{model}.binpb"))).unwrap();
    let geos = MarketingTable::from_proto(&file.marketing_data).unwrap();
    let scaled = geos[0].population_scaled(&file.hyperparameters).unwrap();
    let ours = Scaling::derive(&geos, &scaled);
    let theirs = &export(model)["scaling"];
    // Each geo's scale factors, in Meridian's geo order.
    let factors = theirs["media_scale_factors"].as_array().unwrap();
    assert_eq!(factors.len(), geos.len(), "{model}");
    for (geo, factors) in geos.iter().zip(factors) {
        let share = geo.population / ours.population;
        for (a, b) in ours.media_scale.iter().zip(floats(factors)) {
            close(a * share, b, 1e-12, "media scale");
        }
    }
    let table = MarketingTable::national(&geos, &scaled);
    close(ours.kpi_mean, theirs["kpi_population_scaled_mean"].as_f64().unwrap(), 1e-12, "kpi mean");
    close(ours.kpi_stdev, theirs["kpi_population_scaled_stdev"].as_f64().unwrap(), 1e-12, "kpi sd");
    // Meridian's are per capita for a control it scales by population; ours are in the units
    // of the national control, the total population times that.
    let per = |k: usize| if scaled.contains(&geos[0].controls[k]) { ours.population } else { 1.0 };
    for (k, b) in floats(&theirs["controls_mean"]).into_iter().enumerate() {
        close(ours.controls_mean[k] / per(k), b, 1e-12, "control mean");
    }
    for (k, b) in floats(&theirs["controls_stdev"]).into_iter().enumerate() {
        close(ours.controls_stdev[k] / per(k), b, 1e-12, "control sd");
    }
    // Every fixture has the demo's five channels and two controls; one of them may be given to
    // Meridian as organic media or as a non-media treatment instead.
    let paid: Vec<String> = table
        .channels
        .iter()
        .chain(&table.organic)
        .map(|c| c.trim_end_matches("_organic").to_owned())
        .collect();
    assert_eq!(paid, ["tv", "search", "social", "display", "radio"], "{model}");
    // The geo model with population scaling adds a store count, scaled per head.
    let controls: Vec<&str> =
        table.controls.iter().map(String::as_str).filter(|c| *c != "stores").collect();
    assert_eq!(controls, ["price_index", "promo"], "{model}");
    let stores = export(model)["meta"]["population_scaled_controls"].as_array().map_or(0, Vec::len);
    assert_eq!(table.controls.len(), 2 + stores, "{model}");
}

#[test]
fn the_import_reproduces_meridians_roi_outcome_and_contributions() {
    for model in MODELS {
        the_import_reproduces_meridian(model);
    }
}

fn the_import_reproduces_meridian(model: &str) {
    let name = format!("{model}.binpb");
    let imported = import(&fixture(&name), &name).unwrap();
    let doc = &imported.document;
    let export = export(model);
    assert_eq!(imported.meridian_version, "2.1.0");
    assert_eq!(doc.periods as u64, export["meta"]["n_times"].as_u64().unwrap());
    // Hill before adstock is kept as each channel's transform order, in format version 3.
    let hill_first = export["meta"]["model_spec"]["hill_before_adstock"].as_bool() == Some(true);
    let order = if hill_first {
        mmm_core::transforms::TransformOrder::SaturationFirst
    } else {
        mmm_core::transforms::TransformOrder::AdstockFirst
    };
    assert!(doc.channels.iter().all(|c| c.transform_order == order), "{model}");
    // Non-media treatments are the last controls.
    let treatments: Vec<&str> = export["meta"]["non_media_treatments"]
        .as_array()
        .map_or(Vec::new(), |a| a.iter().map(|v| v.as_str().unwrap()).collect());
    let controls: Vec<&str> = doc.baseline.controls.iter().map(|c| c.name.as_str()).collect();
    assert!(controls.ends_with(&treatments), "{model}: {controls:?}");
    let stores = export["meta"]["population_scaled_controls"].as_array().map_or(0, Vec::len);
    assert_eq!(
        controls.len(),
        2 + stores,
        "{model}: price_index and promo, as control or treatment (and the stores)"
    );
    // Organic media: Meridian lists their per-period incremental outcome after the paid channels.
    let organic = export["meta"]["organic_media"].as_array().map_or(0, Vec::len);
    assert_eq!(doc.baseline.organic.len(), organic, "{model}");
    assert_eq!(doc.format_version, if hill_first || organic > 0 { 3 } else { 2 }, "{model}");
    // The stored data set keeps the organic media, as controls.
    let data = mmm_core::load_csv(
        imported.csv.as_bytes(),
        &mmm_core::LoadOptions::default(),
        &mmm_core::ModelSpec::default(),
    )
    .unwrap();
    for effect in &doc.baseline.organic {
        assert!(data.controls.iter().any(|c| c.name == effect.name), "{model}: {}", effect.name);
    }
    for (o, effect) in doc.baseline.organic.iter().enumerate() {
        let column = doc.channels.len() + o;
        for (t, v) in effect.contribution.iter().enumerate() {
            let theirs = export["contributions"]["mean"][t][column].as_f64().unwrap();
            close(*v, theirs, 1e-6, &format!("{} period {t}", effect.name));
        }
    }
    for (c, ch) in doc.channels.iter().enumerate() {
        let what = |m: &str| format!("{} {m}", ch.name);
        close(ch.roi, summary(&export, "roi", c, 0), 1e-6, &what("ROI mean"));
        let [lo, hi] = ch.roi_interval.unwrap();
        close(lo, summary(&export, "roi", c, 2), 1e-6, &what("ROI 5%"));
        close(hi, summary(&export, "roi", c, 3), 1e-6, &what("ROI 95%"));
        close(
            ch.contribution,
            summary(&export, "incremental_outcome", c, 0),
            1e-6,
            &what("outcome"),
        );
        let [lo, hi] = ch.contribution_interval.unwrap();
        close(lo, summary(&export, "incremental_outcome", c, 2), 1e-6, &what("outcome 5%"));
        close(hi, summary(&export, "incremental_outcome", c, 3), 1e-6, &what("outcome 95%"));
        close(
            ch.spend,
            export["summary_metrics"]["spend"]["values"][c].as_f64().unwrap(),
            1e-12,
            &what("spend"),
        );
        // The carry-over and Hill shape parameters' posterior means are Meridian's own (its
        // alpha is the geometric decay, or the binomial alpha; its ec the half-saturation in units
        // of the scale; its slope the Hill shape).
        let names: Vec<&str> = ch.posterior_parameters.iter().map(|p| p.name.as_str()).collect();
        let adstock = if names[1] == "alpha" { "alpha" } else { "decay" };
        assert_eq!(names, ["coefficient", adstock, "half_saturation", "shape"], "{model}");
        for (p, var) in [(1, "alpha_m"), (2, "ec_m"), (3, "slope_m")] {
            let theirs = export["posterior"][var]["mean"][c].as_f64().unwrap();
            close(ch.posterior_parameters[p].mean, theirs, 1e-9, &what(var));
            let [lo, hi] = ch.posterior_parameters[p].interval;
            assert!(lo <= theirs && theirs <= hi, "{}", what(var));
        }
    }
    // Per-period contributions: mean and 90% band, [time][channel].
    let contributions = &export["contributions"];
    for (c, series) in doc.series.channels.iter().enumerate() {
        let bands = series.contribution_interval.as_ref().unwrap();
        // Meridian's zeros (a dark week) come out of its arithmetic as rounding noise.
        let noise = 1e-12 * doc.channels[c].contribution.abs();
        for t in 0..doc.periods {
            let at = |stat: &str| contributions[stat][t][c].as_f64().unwrap();
            let what = format!("{} period {t}", series.name);
            let near = |ours: f64, theirs: f64| {
                assert!(
                    (ours - theirs).abs() <= 1e-6 * theirs.abs() + noise,
                    "{what}: ours {ours} vs Meridian {theirs}"
                );
            };
            near(series.contribution[t], at("mean"));
            near(bands[t][0], at("q05"));
            near(bands[t][1], at("q95"));
        }
    }
    // The expected outcome (posterior mean) and Meridian's fit metrics.
    let expected = &export["expected_vs_actual"]["expected"];
    for t in 0..doc.periods {
        close(doc.series.fitted[t], expected[t][0].as_f64().unwrap(), 1e-6, "expected outcome");
    }
    let accuracy = &export["predictive_accuracy"]["value"];
    close(doc.fit.r2, accuracy[0][0].as_f64().unwrap(), 1e-6, "R²");
    close(doc.fit.mape, accuracy[1][0].as_f64().unwrap(), 1e-6, "MAPE");
    let origin = doc.origin.as_ref().unwrap();
    assert_eq!((origin.tool.as_str(), origin.version.as_str()), ("google-meridian", "2.1.0"));
    let diagnostics = doc.diagnostics.as_ref().unwrap();
    let draws = export["meta"]["n_draws_per_chain"].as_u64().unwrap() as usize;
    let divergences = export["meta"]["divergences"].as_u64().unwrap() as usize;
    assert_eq!(
        (diagnostics.chains, diagnostics.draws, diagnostics.divergences),
        (2, draws, divergences)
    );
    // The geo model's worst coordinate is tau_g at 1.107 (ArviZ's split R-hat): a geo's level
    // trades off with the knots, which leaves tau_g + mu_t, all that enters the outcome, well
    // determined.
    assert!(diagnostics.rhat_max < 1.12, "{diagnostics:?}");
    assert_eq!(doc.posterior.as_ref().unwrap().len(), mmm_meridian::KEPT_DRAWS);
    // The document survives a JSON round trip and its checks.
    let back = mmm_core::ModelDocument::from_json(&doc.to_json()).unwrap();
    assert_eq!(&back, doc);
}

/// Decodes the demo fixture, lets `edit` change it, and encodes it again.
fn edited(edit: impl FnOnce(&mut proto::MarketingData, &mut proto::MeridianModel)) -> Vec<u8> {
    edited_from("meridian_demo.binpb", edit)
}

fn edited_from(
    name: &str,
    edit: impl FnOnce(&mut proto::MarketingData, &mut proto::MeridianModel),
) -> Vec<u8> {
    let mut kernel = proto::MmmKernel::decode(fixture(name).as_slice()).unwrap();
    let any = kernel.model.as_mut().unwrap();
    let mut model = proto::MeridianModel::decode(any.value.as_slice()).unwrap();
    edit(kernel.marketing_data.as_mut().unwrap(), &mut model);
    any.value = model.encode_to_vec();
    kernel.encode_to_vec()
}

fn refusal(bytes: &[u8]) -> String {
    match import(bytes, "edited.binpb") {
        Ok(_) => panic!("imported a model that should be refused"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_reencoded_fixture_still_imports() {
    let doc = import(&edited(|_, _| {}), "x.binpb").unwrap().document;
    let reference = import(&fixture("meridian_demo.binpb"), "x.binpb").unwrap().document;
    assert_eq!(doc.channels, reference.channels);
}

#[test]
fn unsupported_features_are_refused_by_name() {
    let newer = refusal(&edited(|_, m| m.model_version = "3.0.1".to_owned()));
    assert!(newer.contains("Meridian 3.0.1") && newer.contains("up to 2.x"), "{newer}");

    let unknown = refusal(&edited(|_, m| {
        m.hyperparameters.as_mut().unwrap().global_adstock_decay = Some("delayed".to_owned());
    }));
    assert!(unknown.contains("delayed adstock (only geometric and binomial)"), "{unknown}");

    let rf = refusal(&edited(|d, _| {
        d.marketing_data_points[0]
            .reach_frequency_variables
            .push(proto::ReachFrequencyVariable { channel_name: "youtube".to_owned() });
    }));
    assert!(rf.contains("reach and frequency"), "{rf}");

    let organic_rf = refusal(&edited(|d, _| {
        d.metadata.as_mut().unwrap().channel_dimensions.push(proto::ChannelDimension {
            name: "organic_reach".to_owned(),
            channels: vec!["word_of_mouth".to_owned()],
        });
    }));
    assert!(organic_rf.contains("organic reach and frequency"), "{organic_rf}");

    // Organic media are imported; a channel named without values is refused by name.
    let organic = refusal(&edited(|d, _| {
        d.metadata.as_mut().unwrap().channel_dimensions.push(proto::ChannelDimension {
            name: "organic_media".to_owned(),
            channels: vec!["newsletter".to_owned()],
        });
    }));
    assert!(organic.contains("organic media 'newsletter'"), "{organic}");

    // A non-media treatment is imported like a control; one without values is refused by name.
    let treatments = refusal(&edited(|d, _| {
        d.metadata.as_mut().unwrap().non_media_treatment_names.push("discount".to_owned());
    }));
    assert!(treatments.contains("non-media treatment 'discount'"), "{treatments}");

    // A geo model whose geos do not each cover every period names the geo and the period.
    let geo = refusal(&edited(|d, _| {
        for p in d.marketing_data_points.iter_mut().step_by(2) {
            p.geo_info.as_mut().unwrap().geo_id = "north".to_owned();
        }
    }));
    assert!(geo.contains("geo 'north': the KPI is missing"), "{geo}");
    assert!(geo.contains("period starting 2022-01-10"), "{geo}");
}

#[test]
fn a_monthly_model_imports_with_monthly_periods() {
    // The demo model with its weeks relabelled as the months from January 2021 on: the same
    // posterior over the same periods, now monthly.
    let origin = chrono::NaiveDate::from_ymd_opt(2021, 1, 1).unwrap();
    let as_month = |d: &mut proto::Date, first: chrono::NaiveDate| {
        let week = chrono::NaiveDate::from_ymd_opt(d.year, d.month as u32, d.day as u32).unwrap();
        let months = ((week - first).num_days() / 7) as u32;
        let month = origin.checked_add_months(chrono::Months::new(months)).unwrap();
        *d = proto::Date { year: month.year(), month: month.month() as i32, day: 1 };
    };
    let bytes = edited(|d, _| {
        let meta = d.metadata.as_mut().unwrap();
        let times = meta.time_dimensions.iter_mut().find(|t| t.name == "time").unwrap();
        let first = &times.dates[0];
        let first =
            chrono::NaiveDate::from_ymd_opt(first.year, first.month as u32, first.day as u32)
                .unwrap();
        for time in &mut meta.time_dimensions {
            time.dates.iter_mut().for_each(|date| as_month(date, first));
        }
        for point in &mut d.marketing_data_points {
            let interval = point.date_interval.as_mut().unwrap();
            interval.start_date.as_mut().into_iter().for_each(|date| as_month(date, first));
            interval.end_date = None;
        }
    });
    let doc = import(&bytes, "monthly.binpb").unwrap().document;
    let reference = import(&fixture("meridian_demo.binpb"), "x.binpb").unwrap().document;
    assert_eq!(doc.frequency, mmm_core::dataset::Frequency::Monthly);
    assert_eq!(doc.start, origin);
    assert_eq!(doc.periods, reference.periods);
    // The same channels, but for what rests on the current spend: the mean of the last quarter,
    // here three months where the weekly model takes 13 weeks.
    let mut expected = reference.channels.clone();
    for ((e, c), series) in expected.iter_mut().zip(&doc.channels).zip(&doc.series.channels) {
        let n = series.spend.len();
        let last_three = series.spend[n - 3..].iter().sum::<f64>() / 3.0;
        assert!((c.current_spend - last_three).abs() < 1e-9 * last_three, "{}", c.name);
        e.current_spend = c.current_spend;
        e.mroi = c.mroi;
        e.mroi_interval = c.mroi_interval;
    }
    assert_eq!(doc.channels, expected);
}

#[test]
fn missing_values_name_the_channel_and_period() {
    let message = refusal(&edited(|d, _| {
        d.marketing_data_points[3].media_variables[1].media_spend = None;
    }));
    assert!(
        message.contains("spend of channel 'search'") && message.contains("2022-01-24"),
        "{message}"
    );
    let empty = refusal(&edited(|d, _| d.marketing_data_points.clear()));
    assert!(empty.contains("no data points"), "{empty}");
    // In a geo model, the geo is named too.
    let geo = refusal(&edited_from("meridian_geo.binpb", |d, _| {
        d.marketing_data_points[104 * 2 + 5].kpi = None;
    }));
    assert!(geo.contains("geo 'geo_3': the KPI is missing"), "{geo}");
    assert!(geo.contains("period starting 2022-02-07"), "{geo}");
    let population = refusal(&edited_from("meridian_geo.binpb", |d, _| {
        for p in d
            .marketing_data_points
            .iter_mut()
            .filter(|p| p.geo_info.as_ref().is_some_and(|g| g.geo_id == "geo_4"))
        {
            let geo = p.geo_info.as_mut().unwrap();
            (geo.population, geo.population_value) = (0, 0.0);
        }
    }));
    assert!(population.contains("geo 'geo_4' has no positive population"), "{population}");
}

#[test]
fn population_scaling_is_read_by_name_or_from_its_deprecated_flags() {
    let geo = "meridian_geo.binpb";
    let with = |edit: fn(&mut proto::Hyperparameters)| {
        let bytes = edited_from(geo, |_, m| edit(m.hyperparameters.as_mut().unwrap()));
        import(&bytes, geo).map(|i| i.document)
    };
    fn flags(tensor_content: Vec<u8>, bool_val: Vec<bool>) -> proto::TensorProto {
        proto::TensorProto { dtype: proto::DT_BOOL, tensor_content, bool_val }
    }
    let plain = with(|_| {}).unwrap();
    let named = with(|h| h.population_scaled_controls = vec!["price_index".into()]).unwrap();
    assert_ne!(named.series.fitted, plain.series.fitted, "scaling the price per head matters");
    // JAX's form (raw bytes) and TensorFlow's (bool_val) of the deprecated flags.
    let bytes = with(|h| h.control_population_scaling_id = Some(flags(vec![1, 0], vec![])));
    assert_eq!(bytes.unwrap(), named);
    let listed = with(|h| h.control_population_scaling_id = Some(flags(vec![], vec![true, false])));
    assert_eq!(listed.unwrap(), named);
    // The flags take precedence over the names, as in Meridian.
    let both = with(|h| {
        h.population_scaled_controls = vec!["price_index".into()];
        h.control_population_scaling_id = Some(flags(vec![0, 0], vec![]));
    });
    assert_eq!(both.unwrap(), plain);
    // A single bool_val stands for every control.
    let all = with(|h| h.control_population_scaling_id = Some(flags(vec![], vec![true]))).unwrap();
    let named_all =
        with(|h| h.population_scaled_controls = vec!["price_index".into(), "promo".into()]);
    assert_eq!(all, named_all.unwrap());
    let wrong = with(|h| {
        h.control_population_scaling_id = Some(proto::TensorProto {
            dtype: 3,
            tensor_content: vec![1, 0, 0, 0],
            bool_val: vec![],
        });
    });
    let message = wrong.unwrap_err().to_string();
    assert!(message.contains("control population scaling flags are not 2 booleans"), "{message}");
}

#[test]
fn spend_given_as_totals_is_spread_over_the_periods_by_media() {
    // The demo model with each channel's spend given as one total, as Meridian writes a
    // `media_spend` without geo and time dimensions. Its media are its spend, so spreading the
    // total by media gives back every period's spend, and Meridian's ROI.
    let original = import(&fixture("meridian_demo.binpb"), "demo.binpb").unwrap().document;
    let bytes = edited(|d, _| {
        let mut totals: Vec<(String, f64)> = Vec::new();
        for p in &mut d.marketing_data_points {
            for m in &mut p.media_variables {
                let spend = m.media_spend.take().unwrap();
                match totals.iter_mut().find(|(name, _)| *name == m.channel_name) {
                    Some((_, total)) => *total += spend,
                    None => totals.push((m.channel_name.clone(), spend)),
                }
            }
        }
        d.marketing_data_points.push(proto::MarketingDataPoint {
            date_interval: d.marketing_data_points[0].date_interval.clone(),
            media_variables: totals
                .into_iter()
                .map(|(channel_name, total)| proto::MediaVariable {
                    channel_name,
                    scalar_metric: None,
                    media_spend: Some(total),
                })
                .collect(),
            ..Default::default()
        });
    });
    let doc = import(&bytes, "totals.binpb").unwrap().document;
    let export = export("meridian_demo");
    for (c, (ours, theirs)) in doc.channels.iter().zip(&original.channels).enumerate() {
        close(ours.spend, theirs.spend, 1e-12, &ours.name);
        close(ours.roi, summary(&export, "roi", c, 0), 1e-6, &ours.name);
        for (a, b) in doc.series.channels[c].spend.iter().zip(&original.series.channels[c].spend) {
            assert!((a - b).abs() <= 1e-9 * b.abs().max(1.0), "{}: {a} vs {b}", ours.name);
        }
    }
}

#[test]
fn damaged_files_never_panic() {
    let good = fixture("meridian_demo.binpb");
    for cut in (0..good.len()).step_by(good.len() / 37) {
        assert!(import(&good[..cut], "cut.binpb").is_err(), "truncated at {cut}");
    }
    for start in (0..good.len()).step_by(good.len() / 23) {
        let mut bad = good.clone();
        for b in bad.iter_mut().skip(start).take(16) {
            *b = b.wrapping_mul(31).wrapping_add(7);
        }
        let _ = import(&bad, "bad.binpb");
    }
    assert!(matches!(import(b"\x80\x04\x95 pickle", "m.pkl"), Err(ImportError::Pickle)));
    assert!(matches!(import(b"not a model at all", "m.txt"), Err(ImportError::NotProtobuf(_))));
}

#[test]
fn lagged_media_becomes_the_models_media_history() {
    use mmm_core::ModelSpec;
    use mmm_core::dataset::{LoadOptions, load_csv};
    let imported = import(&fixture("meridian_lagged.binpb"), "meridian_lagged.binpb").unwrap();
    let doc = &imported.document;
    // The mmm data set Meridian was fitted on, 8 weeks of history first.
    let options = LoadOptions::default();
    let original =
        load_csv(&fixture("meridian_lagged.csv"), &options, &ModelSpec::default()).unwrap();
    let ours = load_csv(imported.csv.as_bytes(), &options, &ModelSpec::default()).unwrap();
    assert_eq!((original.history_len(), ours.history_len()), (8, 8));
    assert_eq!(ours.dates, original.dates);
    assert_eq!(doc.start, original.dates[0]);
    for ((theirs, ours), series) in
        original.channels.iter().zip(&ours.channels).zip(&doc.series.channels)
    {
        assert_eq!(ours.spend, theirs.spend, "{}", theirs.name);
        assert_eq!(ours.history, theirs.history, "{}", theirs.name);
        // max_lag 8: all 8 history periods reach the first KPI periods.
        assert_eq!(series.history, theirs.history, "{}", theirs.name);
    }
    assert_eq!(doc.spec.max_lag, 8);
    // The stored history is what the document's own recomputation uses.
    let back = mmm_core::ModelDocument::from_json(&doc.to_json()).unwrap();
    assert_eq!(back.channel_contributions(), doc.channel_contributions());
}

fn media_time(d: &mut proto::MarketingData) -> &mut Vec<proto::Date> {
    let meta = d.metadata.as_mut().unwrap();
    &mut meta.time_dimensions.iter_mut().find(|t| t.name == "media_time").unwrap().dates
}

#[test]
fn a_broken_media_history_is_refused_with_the_reason() {
    let lagged = "meridian_lagged.binpb";
    let gap = refusal(&edited_from(lagged, |d, _| {
        media_time(d).remove(3);
    }));
    assert!(gap.contains("media history periods are not evenly spaced"), "{gap}");

    let short = refusal(&edited_from(lagged, |d, _| {
        media_time(d).pop();
    }));
    assert!(short.contains("does not end with the model's periods"), "{short}");

    let missing = refusal(&edited_from(lagged, |d, _| {
        d.marketing_data_points[2].media_variables.retain(|m| m.channel_name != "radio");
    }));
    assert!(
        missing.contains("media of channel 'radio'")
            && missing.contains("media history period starting 2021-11-22"),
        "{missing}"
    );

    let stray = refusal(&edited_from(lagged, |d, _| {
        let at = d.marketing_data_points[0].date_interval.as_mut().unwrap();
        at.start_date = Some(proto::Date { year: 2020, month: 1, day: 6 });
    }));
    assert!(stray.contains("starts on 2020-01-06, outside the model's periods"), "{stray}");
}

#[test]
fn a_revenue_per_kpi_that_moves_weights_each_period() {
    // The conversions model with its revenue per conversion moving around 25 from week to week.
    // The posterior is in conversions, so each period's revenue contribution and expected
    // revenue move with that week's revenue per conversion.
    let name = "meridian_impressions.binpb";
    let original = import(&fixture(name), name).unwrap().document;
    let factor = |t: usize| 1.0 + 0.2 * (t as f64 / 5.0).sin();
    let dates: Vec<String> = original.series.dates.iter().map(|d| d.to_string()).collect();
    let moved = edited_from(name, |d, _| {
        for p in &mut d.marketing_data_points {
            let start = p.date_interval.as_ref().unwrap().start_date.as_ref().unwrap();
            let date = format!("{:04}-{:02}-{:02}", start.year, start.month, start.day);
            let Some(t) = dates.iter().position(|d| *d == date) else { continue };
            let kpi = p.kpi.as_mut().unwrap().non_revenue.as_mut().unwrap();
            kpi.revenue_per_kpi = Some(25.0 * factor(t));
        }
    });
    let imported = import(&moved, name).unwrap();
    let doc = &imported.document;
    for (c, ch) in doc.channels.iter().enumerate() {
        let before = &original.series.channels[c].contribution;
        let after = &doc.series.channels[c].contribution;
        for (t, (a, b)) in after.iter().zip(before).enumerate() {
            close(*a, b * factor(t), 1e-9, &format!("{} period {t}", ch.name));
        }
        let total: f64 = before.iter().enumerate().map(|(t, v)| v * factor(t)).sum();
        close(ch.roi, total / ch.spend, 1e-9, &ch.name);
        // Looking forward (mROI, curves) uses the last quarter's revenue per conversion.
        let recent = (91..104).map(factor).sum::<f64>() / 13.0;
        close(ch.mroi, original.channels[c].mroi * recent, 1e-9, &ch.name);
    }
    for (t, (a, b)) in doc.series.fitted.iter().zip(&original.series.fitted).enumerate() {
        close(*a, b * factor(t), 1e-9, &format!("expected revenue in period {t}"));
    }
    // The baseline's parts still add up to the expected revenue.
    for t in 0..doc.periods {
        let z: Vec<f64> = doc.series.control_values.iter().map(|c| c.values[t]).collect();
        let p = doc.baseline.parts(t, &z);
        let media: f64 = doc.series.channels.iter().map(|c| c.contribution[t]).sum();
        let parts = p.intercept + p.trend + p.seasonality + p.controls + media;
        close(parts, doc.series.fitted[t], 1e-9, &format!("parts in period {t}"));
    }
    // The stored data set's revenue is each week's conversions at that week's revenue.
    let data = mmm_core::load_csv(
        imported.csv.as_bytes(),
        &mmm_core::LoadOptions::default(),
        &mmm_core::ModelSpec::default(),
    )
    .unwrap();
    for (t, revenue) in data.kpi.iter().enumerate() {
        close(*revenue, original.series.actual[t] * factor(t), 1e-9, "revenue");
    }

    // A week without one is refused by name.
    let missing = refusal(&edited_from(name, |d, _| {
        let kpi = d.marketing_data_points[5].kpi.as_mut().unwrap();
        kpi.non_revenue.as_mut().unwrap().revenue_per_kpi = None;
    }));
    assert!(missing.contains("revenue per KPI is missing, zero or negative"), "{missing}");
    assert!(missing.contains(&dates[5]), "{missing}");
}

#[test]
fn impressions_and_conversions_are_carried_in_revenue_and_spend_terms() {
    let name = "meridian_impressions.binpb";
    let imported = import(&fixture(name), name).unwrap();
    let doc = &imported.document;
    // Conversions × revenue per conversion (25) is the revenue mmm models.
    assert_eq!(imported.kpi_column, "revenue");
    let options = mmm_core::dataset::LoadOptions::default();
    let spec = mmm_core::ModelSpec::default();
    let original =
        mmm_core::dataset::load_csv(&fixture("meridian_impressions.csv"), &options, &spec);
    let original = original.unwrap();
    for (ours, theirs) in doc.series.actual.iter().zip(&original.kpi) {
        close(*ours, *theirs, 1e-12, "revenue");
    }
    // Impressions are not proportional to spend: each channel keeps its own model input, in
    // spend-equivalent units (the same total as its spend).
    for (series, channel) in doc.series.channels.iter().zip(&original.channels) {
        assert_eq!(series.spend, channel.spend, "{}", series.name);
        let input = series.input.as_ref().expect("impressions are stored as the model input");
        assert_ne!(input, &series.spend, "{}", series.name);
        close(input.iter().sum(), series.spend.iter().sum(), 1e-12, &series.name);
    }

    // The imported data set gives the impressions beside the spend (`<channel>_media`): mmm
    // scores it as it is, and fits it again on the impressions at the same ratio.
    let options = mmm_core::dataset::LoadOptions {
        kpi: imported.kpi_column.clone(),
        ..mmm_core::dataset::LoadOptions::default()
    };
    let data = mmm_core::dataset::load_csv(imported.csv.as_bytes(), &options, &spec).unwrap();
    for (channel, series) in data.channels.iter().zip(&doc.series.channels) {
        let units = channel.media.as_ref().expect("impressions in the data set");
        assert_eq!(units.column, format!("{}_media", series.name));
        close(
            channel.input_per_media(data.len()).unwrap(),
            series.input_per_media.unwrap(),
            1e-12,
            "ratio",
        );
    }
    let to_score = mmm_core::score::load_options(doc, "date");
    let own = mmm_core::load_csv_for_scoring(imported.csv.as_bytes(), &to_score).unwrap();
    let scored = mmm_core::score::score(doc, &own).unwrap();
    for (p, q) in scored.periods.iter().zip(doc.predict()) {
        close(p.predicted, q, 1e-9, "prediction of the imported data set");
    }
    let refit = mmm_core::fit(&data, &spec, None).unwrap();
    for (ours, theirs) in refit.series.channels.iter().zip(&doc.series.channels) {
        close(ours.input_per_media.unwrap(), theirs.input_per_media.unwrap(), 1e-12, "refit");
    }
}

#[test]
fn an_impressions_model_scores_new_media_through_its_ratio_to_spend() {
    use mmm_core::document::media_column;
    let name = "meridian_impressions.binpb";
    let doc = import(&fixture(name), name).unwrap().document;
    let series = &doc.series;
    // The model's own weeks as a file to score, each channel's impressions in `<name>_media`
    // (the input over its spend-equivalent ratio) and its media history first.
    let ratio: Vec<f64> = series.channels.iter().map(|c| c.input_per_media.unwrap()).collect();
    let mut header = vec!["date".to_owned(), doc.kpi.clone()];
    header.extend(doc.channels.iter().map(|c| media_column(&c.name)));
    header.extend(series.control_values.iter().map(|c| c.name.clone()));
    let mut text = header.join(",") + "\n";
    let lags = series.channels[0].history.len();
    for h in 0..lags {
        let date = doc.start - chrono::Days::new(7 * (lags - h) as u64);
        let media = series.channels.iter().zip(&ratio).map(|(c, r)| (c.history[h] / r).to_string());
        let empty = std::iter::repeat_n(String::new(), series.control_values.len());
        let row: Vec<String> =
            [date.to_string(), String::new()].into_iter().chain(media).chain(empty).collect();
        text += &(row.join(",") + "\n");
    }
    for (t, date) in series.dates.iter().enumerate() {
        let media =
            series.channels.iter().zip(&ratio).map(|(c, r)| (c.model_input()[t] / r).to_string());
        let controls = series.control_values.iter().map(|c| c.values[t].to_string());
        let row: Vec<String> = [date.to_string(), series.actual[t].to_string()]
            .into_iter()
            .chain(media)
            .chain(controls)
            .collect();
        text += &(row.join(",") + "\n");
    }
    let options = mmm_core::score::load_options(&doc, "date");
    let data = mmm_core::load_csv_for_scoring(text.as_bytes(), &options).unwrap();
    let scored = mmm_core::score::score(&doc, &data).unwrap();
    // The same predictions the document makes of its own data, so impressions enter as they
    // did in the fit, carry-over included.
    let predicted = doc.predict();
    for (p, q) in scored.periods.iter().zip(&predicted) {
        close(p.predicted, *q, 1e-9, "prediction");
    }
    // Its last ten weeks alone: the carry-over into them comes from the model's own input.
    let lines: Vec<&str> = text.lines().collect();
    let tail = [&lines[..1], &lines[lines.len() - 10..]].concat().join("\n") + "\n";
    let data = mmm_core::load_csv_for_scoring(tail.as_bytes(), &options).unwrap();
    let last = mmm_core::score::score(&doc, &data).unwrap();
    for (p, q) in last.periods.iter().zip(&predicted[predicted.len() - 10..]) {
        close(p.predicted, *q, 1e-9, "prediction of the last weeks");
    }
    // Twice the impressions of one channel in the last week: more media, as its curve says.
    let more = text.trim_end().rsplit_once('\n').map(|(head, last)| {
        let mut cells: Vec<String> = last.split(',').map(str::to_owned).collect();
        cells[2] = (2.0 * cells[2].parse::<f64>().unwrap()).to_string();
        format!("{head}\n{}\n", cells.join(","))
    });
    let data = mmm_core::load_csv_for_scoring(more.unwrap().as_bytes(), &options).unwrap();
    let doubled = mmm_core::score::score(&doc, &data).unwrap();
    let (a, b) = (scored.periods.last().unwrap(), doubled.periods.last().unwrap());
    assert!(b.media > a.media, "{} against {}", b.media, a.media);

    // A plan for it is a file of the impressions its spend buys, and forecasts like any other.
    let current: f64 = doc.channels.iter().map(|c| c.current_spend).sum();
    let request = mmm_core::plan::PlanRequest {
        periods: 4,
        total_budget: 4.0 * current,
        period_cap: None,
        constraints: Default::default(),
    };
    let plan = mmm_core::plan::plan(&doc, &request).unwrap();
    let file = mmm_core::score::plan_csv(&doc, &plan, &Default::default()).unwrap();
    assert!(file.starts_with(&header[..2 + doc.channels.len()].join(",")), "{file}");
    let first: Vec<&str> = file.lines().nth(1).unwrap().split(',').collect();
    let tv = &doc.channels[0].name;
    close(first[2].parse::<f64>().unwrap() * ratio[0], plan.periods[0].spend[tv], 1e-9, "spend");
    let data = mmm_core::load_csv_for_scoring(file.as_bytes(), &options).unwrap();
    let forecast = mmm_core::score::score(&doc, &data).unwrap();
    assert_eq!(forecast.forecasts, 4);
    assert!(forecast.periods.iter().all(|p| p.media > 0.0 && p.predicted.is_finite()));
}

#[test]
fn binomial_adstock_is_imported_per_channel() {
    use mmm_core::transforms::Adstock;
    let name = "meridian_binomial.binpb";
    let doc = import(&fixture(name), name).unwrap().document;
    assert!(doc.channels.iter().all(|c| matches!(c.adstock, Adstock::Binomial { .. })));

    // A channel may name its own decay function: only TV's changes.
    let mixed = edited(|_, m| {
        let by = &mut m.hyperparameters.as_mut().unwrap().adstock_decay_by_channel;
        let mut channels = std::collections::HashMap::new();
        channels.insert("tv".to_owned(), "binomial".to_owned());
        *by = Some(proto::ChannelStrings { by_channel: channels });
    });
    let doc = import(&mixed, "mixed.binpb").unwrap().document;
    let reference = import(&fixture("meridian_demo.binpb"), "x.binpb").unwrap().document;
    for (ours, geometric) in doc.channels.iter().zip(&reference.channels) {
        let binomial = matches!(ours.adstock, Adstock::Binomial { .. });
        assert_eq!(binomial, ours.name == "tv", "{}", ours.name);
        assert_eq!(ours.roi == geometric.roi, ours.name != "tv", "{}", ours.name);
    }
}

/// The geo fixture's rows (`geo`, `population`, `date`, `revenue`, spends, controls, media),
/// as a map from column name to values, in file order.
fn geo_csv() -> Vec<std::collections::HashMap<String, String>> {
    let bytes = fixture("meridian_geo.csv");
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| headers.iter().zip(r.unwrap().iter()).map(|(h, v)| (h.into(), v.into())).collect())
        .collect()
}

#[test]
fn a_geo_model_is_imported_as_its_national_total() {
    let imported = import(&fixture("meridian_geo.binpb"), "meridian_geo.binpb").unwrap();
    let doc = &imported.document;
    // The stored data set is the national total of the geo data Meridian was given: KPI and
    // spend summed, the price index weighted by population, the national promotion as it is.
    let rows = geo_csv();
    let data = mmm_core::load_csv(
        imported.csv.as_bytes(),
        &mmm_core::LoadOptions::default(),
        &mmm_core::ModelSpec::default(),
    )
    .unwrap();
    let value = |row: &std::collections::HashMap<String, String>, column: &str| -> f64 {
        row[column].parse().unwrap()
    };
    for t in [0, 17, 103] {
        let date = data.dates[t].to_string();
        let week: Vec<_> = rows.iter().filter(|r| r["date"] == date).collect();
        assert_eq!(week.len(), 5);
        let sum = |column: &str| week.iter().map(|r| value(r, column)).sum::<f64>();
        close(data.kpi[t], sum("revenue"), 1e-12, "national revenue");
        for ch in &data.channels {
            close(ch.spend[t], sum(&format!("{}_spend", ch.name)), 1e-12, "national spend");
        }
        let population = sum("population");
        let price: f64 =
            week.iter().map(|r| value(r, "population") * value(r, "price_index")).sum::<f64>()
                / population;
        let control = |name: &str| data.controls.iter().find(|c| c.name == name).unwrap();
        close(control("price_index").values[t], price, 1e-12, "national price index");
        close(control("promo").values[t], value(week[0], "promo"), 1e-12, "national promo");
    }
    assert!(doc.origin.as_ref().unwrap().notes.iter().any(|n| n.contains("5 geos")));
    // mmm's own adding up of the geo file Meridian was given gives the same national data.
    let added = mmm_core::dataset::add_up_geos(
        &fixture("meridian_geo.csv"),
        "geo",
        &mmm_core::LoadOptions::default(),
    )
    .unwrap();
    let options =
        mmm_core::LoadOptions { media_units: Some(Default::default()), ..Default::default() };
    let ours =
        mmm_core::load_csv(added.as_bytes(), &options, &mmm_core::ModelSpec::default()).unwrap();
    for (a, b) in ours.kpi.iter().zip(&data.kpi) {
        close(*a, *b, 1e-12, "added-up revenue");
    }
    for (a, b) in ours.channels.iter().zip(&data.channels) {
        for (x, y) in a.spend.iter().zip(&b.spend) {
            close(*x, *y, 1e-12, &a.name);
        }
    }
    assert_eq!(ours.controls.len(), data.controls.len());
    for (a, b) in ours.controls.iter().zip(&data.controls) {
        assert_eq!(a.name, b.name);
        for (x, y) in a.values.iter().zip(&b.values) {
            close(*x, *y, 1e-12, &a.name);
        }
    }

    // The curves, mROI and optimizer use one national curve per channel, scaled in each draw to
    // the geos' summed contribution: recomputed from the national spend, it gives back each
    // channel's contribution over the data.
    let recomputed = doc.channel_contributions();
    for (c, ch) in doc.channels.iter().enumerate() {
        close(recomputed[c].iter().sum(), ch.contribution, 1e-9, &ch.name);
    }
    // Away from the historical spend it is an approximation: against the geos' own curves
    // (Meridian's posterior means, each geo at its share of the last quarter's spend, the
    // whole scaled up or down), its steady-state response stays within a few percent.
    let e = export("meridian_geo");
    let posterior = |name: &str| e["posterior"][name]["mean"].clone();
    let population = floats(&e["scaling"]["population"]);
    let kpi_sd = e["scaling"]["kpi_population_scaled_stdev"].as_f64().unwrap();
    let medians = floats(&e["scaling"]["media_population_scaled_median"]);
    for (c, ch) in doc.channels.iter().enumerate() {
        let (ec, slope) = (floats(&posterior("ec_m"))[c], floats(&posterior("slope_m"))[c]);
        let hill = |x: f64| x.powf(slope) / (x.powf(slope) + ec.powf(slope));
        // Each geo's share of the channel's spend over the last 13 weeks.
        let recent: Vec<f64> = (0..5)
            .map(|g| {
                let geo = format!("geo_{}", g + 1);
                rows.iter()
                    .filter(|r| r["geo"] == geo)
                    .skip(91)
                    .map(|r| value(r, &format!("{}_spend", ch.name)))
                    .sum()
            })
            .collect();
        let all: f64 = recent.iter().sum();
        for multiple in [0.5, 1.0, 2.0] {
            let x = multiple * ch.current_spend;
            let geos: f64 = (0..5)
                .map(|g| {
                    let beta = posterior("beta_gm")[g][c].as_f64().unwrap();
                    let per_head = x * recent[g] / all / (population[g] * medians[c]);
                    beta * kpi_sd * population[g] * hill(per_head)
                })
                .sum();
            let ours = ch.response(x);
            assert!(
                (ours / geos - 1.0).abs() < 0.01,
                "{} at {multiple}x: {ours} vs {geos}",
                ch.name
            );
        }
    }

    // It is exact when every geo gets its population's share of the national media.
    let bytes = edited_from("meridian_geo.binpb", |d, _| {
        let mut national: std::collections::HashMap<(String, String), (f64, f64)> =
            Default::default();
        let mut population: std::collections::HashMap<String, f64> = Default::default();
        let key = |p: &proto::MarketingDataPoint, m: &proto::MediaVariable| {
            let date = p.date_interval.as_ref().unwrap().start_date.as_ref().unwrap();
            (format!("{date:?}"), m.channel_name.clone())
        };
        for p in &d.marketing_data_points {
            let geo = p.geo_info.as_ref().unwrap();
            population.insert(geo.geo_id.clone(), geo.population_value);
            for m in &p.media_variables {
                let total = national.entry(key(p, m)).or_default();
                total.0 += m.scalar_metric.as_ref().unwrap().value;
                total.1 += m.media_spend.unwrap();
            }
        }
        let all: f64 = population.values().sum();
        for p in &mut d.marketing_data_points {
            let share = population[&p.geo_info.as_ref().unwrap().geo_id] / all;
            let keys: Vec<_> = p.media_variables.iter().map(|m| key(p, m)).collect();
            for (m, k) in p.media_variables.iter_mut().zip(keys) {
                m.scalar_metric.as_mut().unwrap().value = national[&k].0 * share;
                m.media_spend = Some(national[&k].1 * share);
            }
        }
    });
    let doc = import(&bytes, "proportional.binpb").unwrap().document;
    assert_eq!(doc.posterior.as_ref().unwrap().len(), 200, "every draw kept");
    for (c, series) in doc.series.channels.iter().enumerate() {
        let recomputed = &doc.channel_contributions()[c];
        let noise = 1e-12 * doc.channels[c].contribution;
        for (ours, exact) in recomputed.iter().zip(&series.contribution) {
            assert!((ours - exact).abs() <= 1e-9 * exact.abs() + noise, "{}", series.name);
        }
    }
    for (p, f) in doc.predict().iter().zip(&doc.series.fitted) {
        close(*p, *f, 1e-9, "prediction");
    }
}
