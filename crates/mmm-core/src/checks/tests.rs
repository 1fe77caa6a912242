use super::*;
use crate::dataset::{Channel, ColumnRoles, Control};
use crate::simulate::{Profile, SimConfig, simulate};
use proptest::prelude::*;

fn market(seed: u64, periods: usize) -> Dataset {
    simulate(&SimConfig { seed, periods, ..SimConfig::default() }).dataset
}

fn of_kind(found: &[DataCheck], kind: CheckKind) -> Vec<&DataCheck> {
    found.iter().filter(|f| f.kind == kind).collect()
}

fn channel(data: &mut Dataset, name: &str) -> usize {
    data.channels.iter().position(|c| c.name == name).unwrap()
}

#[test]
fn realistic_markets_raise_no_warnings() {
    // Three years of simulated weekly data, with the spend variation of the Meridian demo data
    // set, at 3-6% noise: nothing in them is an error, so only notes may appear.
    for profile in [Profile::Mixed, Profile::MeridianDemo] {
        for seed in 3000..3012 {
            let data = simulate(&SimConfig { seed, profile, ..SimConfig::default() }).dataset;
            let found = check(&data, &ModelSpec::default());
            let warnings: Vec<&str> = found
                .iter()
                .filter(|f| f.level == Level::Warning)
                .map(|f| f.title.as_str())
                .collect();
            assert!(warnings.is_empty(), "{profile:?} seed {seed}: {warnings:?}");
        }
    }
}

#[test]
fn few_periods_and_a_short_span_are_named() {
    // 60 weeks, 5 channels, 2 controls: 2 + 4 + 2 baseline terms and 5 x 4 media parameters
    // make 28 parameters, 2.1 periods each; 60 weeks are 1.15 years.
    let found = check(&market(1, 60), &ModelSpec::default());
    let few = of_kind(&found, CheckKind::FewPeriods);
    assert_eq!(few.len(), 1);
    assert_eq!(few[0].numbers["parameters"], 28.0);
    assert_eq!(few[0].numbers["periods"], 60.0);
    assert!(few[0].message.contains("60 weeks for 28 model parameters (2.1 per parameter)"));
    let span = of_kind(&found, CheckKind::ShortSpan);
    assert_eq!(span[0].level, Level::Note);
    assert!((span[0].numbers["years"] - 60.0 / Frequency::Weekly.periods_per_year()).abs() < 1e-12);
    assert!(span[0].message.contains("1.1 years"), "{}", span[0].message);

    // 104 weeks are two years, 52 one.
    let found = check(&market(1, 104), &ModelSpec::default());
    assert!(of_kind(&found, CheckKind::ShortSpan).is_empty());
    let found = check(&market(1, 52), &ModelSpec::default());
    assert_eq!(of_kind(&found, CheckKind::ShortSpan)[0].level, Level::Note);

    // Under a year the season cannot be told from the trend: a warning.
    let found = check(&market(1, 45), &ModelSpec::default());
    let span = of_kind(&found, CheckKind::ShortSpan);
    assert_eq!(span[0].level, Level::Warning);
    assert!(span[0].message.contains("45 weeks, less than a year"));

    // Two years and more: neither.
    let found = check(&market(1, 156), &ModelSpec::default());
    assert!(of_kind(&found, CheckKind::ShortSpan).is_empty());
    assert!(of_kind(&found, CheckKind::FewPeriods).is_empty());
}

#[test]
fn warnings_come_before_notes() {
    let found = check(&market(1, 60), &ModelSpec::default());
    let levels: Vec<Level> = found.iter().map(|f| f.level).collect();
    let mut sorted = levels.clone();
    sorted.sort();
    assert_eq!(levels, sorted);
    assert!(levels.contains(&Level::Warning) && levels.contains(&Level::Note));
}

#[test]
fn a_constant_control_is_named() {
    let mut data = market(2, 156);
    let name = data.controls[0].name.clone();
    data.controls[0].values.iter_mut().for_each(|v| *v = 1.5);
    let found = check(&data, &ModelSpec::default());
    let constant = of_kind(&found, CheckKind::ConstantControl);
    assert_eq!(constant.len(), 1);
    assert_eq!(constant[0].columns, vec![name]);
    assert_eq!(constant[0].numbers["value"], 1.5);
}

#[test]
fn a_kpi_outlier_is_dated() {
    let mut data = market(3, 156);
    // Noise is 5% of the mean KPI: half the mean again is about ten noise standard deviations.
    let mean = data.kpi.iter().sum::<f64>() / 156.0;
    data.kpi[70] += 0.5 * mean;
    let found = check(&data, &ModelSpec::default());
    let outliers = of_kind(&found, CheckKind::KpiOutlier);
    assert_eq!(outliers.len(), 1, "{found:?}");
    assert_eq!(outliers[0].dates, vec![data.dates[70]]);
    assert_eq!(outliers[0].numbers["periods"], 1.0);
    assert!(outliers[0].numbers["largest_z"] >= OUTLIER_Z);
    assert_eq!(outliers[0].columns, vec!["revenue".to_owned()]);
    assert!(outliers[0].message.contains(&data.dates[70].to_string()));

    // A drop is an outlier too, and two are listed in date order.
    data.kpi[20] -= 0.5 * mean;
    let found = check(&data, &ModelSpec::default());
    let outliers = of_kind(&found, CheckKind::KpiOutlier);
    assert_eq!(outliers[0].dates, vec![data.dates[20], data.dates[70]]);
    assert!(outliers[0].title.contains("2 weeks"));
}

#[test]
fn a_spend_spike_is_dated() {
    let mut data = market(4, 156);
    let i = channel(&mut data, "search");
    let high = data.channels[i].spend.iter().copied().fold(0.0, f64::max);
    data.channels[i].spend[100] = 10.0 * high;
    // Every search week has spend: the 90th percentile of 156 values (nearest rank) is the
    // 141st smallest.
    let mut on: Vec<f64> = data.channels[i].spend.clone();
    on.sort_by(f64::total_cmp);
    let p90 = on[140];
    let found = check(&data, &ModelSpec::default());
    let spikes = of_kind(&found, CheckKind::SpendSpike);
    assert_eq!(spikes.len(), 1);
    assert_eq!(spikes[0].columns, vec!["search_spend".to_owned()]);
    assert_eq!(spikes[0].dates, vec![data.dates[100]]);
    assert_eq!(spikes[0].numbers["largest"], 10.0 * high);
    assert_eq!(spikes[0].numbers["percentile_90"], p90);
    let times = format!("{:.0} times", 10.0 * high / p90);
    assert!(spikes[0].message.contains(&times), "{}", spikes[0].message);
}

#[test]
fn correlated_channels_and_controls_are_paired() {
    let mut data = market(5, 156);
    let tv = channel(&mut data, "tv");
    let search = channel(&mut data, "search");
    // Search spend that is half of TV's plus a little of its own.
    let own: Vec<f64> = data.channels[search].spend.clone();
    let mean_own = own.iter().sum::<f64>() / 156.0;
    data.channels[search].spend =
        data.channels[tv].spend.iter().zip(&own).map(|(t, s)| 0.5 * t + 0.05 * s).collect();
    let expected =
        crate::metrics::correlation(&data.channels[tv].spend, &data.channels[search].spend)
            .unwrap();
    assert!(expected > 0.95 && mean_own > 0.0);
    // Radio spend that falls as the first control rises.
    let radio = channel(&mut data, "radio");
    let control = data.controls[0].clone();
    data.channels[radio].spend = control.values.iter().map(|z| 5000.0 - 1000.0 * z).collect();
    let found = check(&data, &ModelSpec::default());
    let pairs = of_kind(&found, CheckKind::Correlated);
    assert_eq!(pairs.len(), 2, "{pairs:?}");
    assert_eq!(pairs[0].columns, vec!["tv_spend".to_owned(), "search_spend".to_owned()]);
    assert!((pairs[0].numbers["correlation"] - expected).abs() < 1e-12);
    assert_eq!(pairs[1].columns, vec!["radio_spend".to_owned(), control.name.clone()]);
    assert!((pairs[1].numbers["correlation"] + 1.0).abs() < 1e-12);
    assert!(pairs[1].title.contains("move against each other"));
    // A pair explains those channels' collinearity: it is not reported twice.
    assert!(of_kind(&found, CheckKind::Multicollinear).is_empty());
}

#[test]
fn spend_that_other_inputs_explain_is_multicollinear() {
    let mut data = market(6, 156);
    let tv = channel(&mut data, "tv");
    let social = channel(&mut data, "social");
    let display = channel(&mut data, "display");
    // Display spend is TV's plus social's, each standardised, with a little of its own: no
    // single pair reaches 0.8 (each about 0.7), the two together explain nearly all of it.
    let z = |v: &[f64]| -> Vec<f64> {
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        let sd = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / v.len() as f64).sqrt();
        v.iter().map(|x| (x - mean) / sd).collect()
    };
    let (zt, zs, zo) = (
        z(&data.channels[tv].spend),
        z(&data.channels[social].spend),
        z(&data.channels[display].spend),
    );
    data.channels[display].spend =
        (0..156).map(|t| 1000.0 * (8.0 + zt[t] + zs[t] + 0.1 * zo[t])).collect();
    for other in [tv, social] {
        let r =
            crate::metrics::correlation(&data.channels[display].spend, &data.channels[other].spend)
                .unwrap();
        assert!(r < COLLINEAR_CORRELATION, "{r}");
    }
    let found = check(&data, &ModelSpec::default());
    let multi = of_kind(&found, CheckKind::Multicollinear);
    let display_finding: Vec<_> =
        multi.iter().filter(|f| f.columns == vec!["display_spend".to_owned()]).collect();
    assert_eq!(display_finding.len(), 1, "{multi:?}");
    let f = display_finding[0];
    assert!(f.numbers["explained"] > 0.99 && f.numbers["vif"] > 100.0, "{:?}", f.numbers);
    assert!(
        (f.numbers["vif"] - 1.0 / (1.0 - f.numbers["explained"])).abs() < 1e-6 * f.numbers["vif"]
    );
    // The baseline alone explains little of it: the other channels do.
    assert!(f.numbers["explained_by_baseline"] < 0.5, "{:?}", f.numbers);
}

#[test]
fn spend_that_follows_the_season_is_multicollinear() {
    let mut data = market(7, 156);
    let radio = channel(&mut data, "radio");
    data.channels[radio].spend = (0..156)
        .map(|t| {
            let angle = 2.0 * std::f64::consts::PI * t as f64 / 52.18;
            3000.0 + 2000.0 * angle.sin() + 10.0 * (t % 3) as f64
        })
        .collect();
    let found = check(&data, &ModelSpec::default());
    let multi = of_kind(&found, CheckKind::Multicollinear);
    assert_eq!(multi.len(), 1, "{multi:?}");
    assert_eq!(multi[0].columns, vec!["radio_spend".to_owned()]);
    assert!(multi[0].numbers["explained_by_baseline"] > 0.99, "{:?}", multi[0].numbers);
}

#[test]
fn sparse_always_on_and_small_channels_are_named() {
    let mut data = market(8, 156);
    let tv = channel(&mut data, "tv");
    let radio = channel(&mut data, "radio");
    // Radio on in 12 of 156 weeks: at least 8, but fewer than a tenth (15).
    for (t, v) in data.channels[radio].spend.iter_mut().enumerate() {
        if t % 13 != 0 {
            *v = 0.0;
        }
    }
    let found = check(&data, &ModelSpec::default());
    let sparse = of_kind(&found, CheckKind::FewActivePeriods);
    assert_eq!(sparse.len(), 1);
    assert_eq!(sparse[0].columns, vec!["radio_spend".to_owned()]);
    assert_eq!(sparse[0].numbers["active_periods"], 12.0);
    assert!(sparse[0].message.contains("12 of 156 weeks"));

    // Always on: every channel never off whose lowest week is at least a tenth of its mean;
    // flighted TV is not one.
    let always = of_kind(&found, CheckKind::AlwaysOn);
    assert_eq!(always.len(), 1, "one finding names them all");
    let expected: Vec<String> = data
        .channels
        .iter()
        .filter(|c| {
            let mean = c.spend.iter().sum::<f64>() / 156.0;
            c.spend.iter().all(|v| *v >= ALWAYS_ON_FLOOR * mean)
        })
        .map(|c| c.column.clone())
        .collect();
    assert!(expected.len() >= 2, "{expected:?}");
    assert_eq!(always[0].columns, expected);
    assert!(!always[0].columns.contains(&data.channels[tv].column));
    for c in data.channels.iter().filter(|c| expected.contains(&c.column)) {
        let mean = c.spend.iter().sum::<f64>() / 156.0;
        let lowest = c.spend.iter().copied().fold(f64::INFINITY, f64::min);
        assert!((always[0].numbers[&c.name] - lowest / mean).abs() < 1e-12);
    }
    assert!(always[0].title.ends_with("are always on"), "{}", always[0].title);

    // Small: radio's share of the spend, as computed here.
    let total: f64 = data.channels.iter().flat_map(|c| &c.spend).sum();
    let share = data.channels[radio].spend.iter().sum::<f64>() / total;
    let small = of_kind(&found, CheckKind::SmallChannel);
    assert!(share < SMALL_CHANNEL_SHARE);
    assert_eq!(small.len(), 1);
    assert!(small[0].columns.contains(&"radio_spend".to_owned()));
    assert!((small[0].numbers["radio"] - share).abs() < 1e-12);
}

#[test]
fn channels_off_only_in_a_few_short_pauses_are_named_with_their_longest() {
    let mut data = market(8, 156);
    let tv = channel(&mut data, "tv");
    let search = channel(&mut data, "search");
    let social = channel(&mut data, "social");
    // Search off in 5 weeks, two of them in a row; social off in one week. Both pauses are
    // shorter than the default carry-over window of 8 weeks.
    let mean = data.channels[search].spend.iter().sum::<f64>() / 156.0;
    for (t, v) in data.channels[search].spend.iter_mut().enumerate() {
        *v = if [10, 11, 50, 90, 130].contains(&t) { 0.0 } else { mean };
    }
    data.channels[social].spend[77] = 0.0;
    let found = check(&data, &ModelSpec::default());
    let rare = of_kind(&found, CheckKind::RarelyOff);
    assert_eq!(rare.len(), 2, "{rare:?}");
    let of = |column: &str| rare.iter().find(|f| f.columns == [column.to_owned()]).unwrap();
    let s = of("search_spend");
    assert_eq!(s.level, Level::Note);
    assert_eq!(s.title, "search is rarely off");
    assert_eq!(s.numbers["dark_periods"], 5.0);
    assert_eq!(s.numbers["longest_dark_run"], 2.0);
    assert_eq!(s.numbers["window"], 8.0);
    assert!(
        s.message.starts_with(
            "search is off in only 5 of 156 weeks, at most 2 weeks in a row: pauses shorter \
             than the model's carry-over window of 8 weeks,"
        ),
        "{}",
        s.message
    );
    assert!(s.message.ends_with("A go-dark test of 8 weeks or more, or a lift test, measures it."));
    let one = of("social_spend");
    assert!(one.message.contains("off in only 1 of 156 weeks, never two weeks in a row:"));
    // No longer always on, and flighted TV, off in many weeks, is not rare.
    assert!(
        of_kind(&found, CheckKind::AlwaysOn).iter().all(|f| !f.columns.contains(&s.columns[0]))
    );
    assert!(rare.iter().all(|f| f.columns != [data.channels[tv].column.clone()]));

    // Not rare: 15 dark weeks (a tenth of 156, rounded down), or one pause as long as the
    // carry-over window, which the data see the effect fade through; a longer window (10 weeks)
    // makes that pause short again.
    let rare_search = |dark: &[usize], spec: &ModelSpec| {
        let mut data = data.clone();
        for (t, v) in data.channels[search].spend.iter_mut().enumerate() {
            *v = if dark.contains(&t) { 0.0 } else { mean };
        }
        let found = check(&data, spec);
        of_kind(&found, CheckKind::RarelyOff).iter().any(|f| f.columns[0] == "search_spend")
    };
    let spread: Vec<usize> = (0..15).map(|i| 10 * i).collect();
    assert!(!rare_search(&spread, &ModelSpec::default()));
    let pause: Vec<usize> = (40..48).collect();
    assert!(!rare_search(&pause, &ModelSpec::default()));
    assert!(rare_search(&pause[1..], &ModelSpec::default()));
    assert!(rare_search(&pause, &ModelSpec { max_lag: 10, ..ModelSpec::default() }));
}

#[test]
fn findings_serialise_with_snake_case_names() {
    let found = check(&market(1, 60), &ModelSpec::default());
    let json = serde_json::to_value(&found).unwrap();
    assert_eq!(json[0]["level"], "warning");
    assert_eq!(json[0]["kind"], "few_periods");
    let back: Vec<DataCheck> = serde_json::from_value(json).unwrap();
    assert_eq!(back, found);
}

fn arbitrary_dataset(
    kpi: Vec<f64>,
    spends: Vec<Vec<f64>>,
    control: Option<Vec<f64>>,
    frequency: Frequency,
) -> Dataset {
    let n = kpi.len();
    let start = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    let dates = (0..n).map(|t| frequency.nth_after(start, t as i64).unwrap()).collect();
    let channels: Vec<Channel> = spends
        .into_iter()
        .enumerate()
        .map(|(i, spend)| Channel {
            name: format!("c{i}"),
            column: format!("c{i}_spend"),
            spend: spend.into_iter().take(n).collect(),
            history: Vec::new(),
            media: None,
        })
        .collect();
    let controls: Vec<Control> = control
        .into_iter()
        .map(|values| Control { name: "z".into(), values: values[..n].to_vec() })
        .collect();
    Dataset {
        dates,
        frequency,
        kpi_name: "revenue".into(),
        kpi,
        roles: ColumnRoles {
            date: "date".into(),
            kpi: "revenue".into(),
            media: channels.iter().map(|c| c.column.clone()).collect(),
            media_units: Vec::new(),
            media_units_of: None,
            controls: controls.iter().map(|c| c.name.clone()).collect(),
            ignored: Vec::new(),
        },
        channels,
        controls,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Whatever the numbers (zeros, repeats, values far apart, a single period with spend), the
    /// checks finish and every number they cite is finite.
    #[test]
    fn checks_never_panic_and_cite_finite_numbers(
        kpi in proptest::collection::vec(prop_oneof![Just(0.0), 0.0..1e9f64, -1e3..1e3f64], 3..70),
        spends in proptest::collection::vec(
            proptest::collection::vec(prop_oneof![Just(0.0), Just(5.0), 0.0..1e12f64], 70),
            1..4,
        ),
        control in proptest::option::of(proptest::collection::vec(prop_oneof![Just(1.0), -10.0..10.0f64], 70)),
        monthly in any::<bool>(),
    ) {
        let frequency = if monthly { Frequency::Monthly } else { Frequency::Weekly };
        let data = arbitrary_dataset(kpi, spends, control, frequency);
        for f in check(&data, &ModelSpec::default()) {
            for (name, v) in &f.numbers {
                prop_assert!(v.is_finite(), "{:?} {name} = {v}", f.kind);
            }
            prop_assert!(f.dates.len() <= MAX_DATES);
        }
    }
}
