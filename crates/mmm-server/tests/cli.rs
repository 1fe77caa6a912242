//! The `mmm` binary end to end: real processes, real files.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use chrono::Datelike;
use mmm_core::ModelDocument;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn mmm(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mmm")).args(args).output().expect("run mmm")
}

/// Runs mmm with `input` on its standard input.
fn mmm_fed(args: &[&str], input: &[u8]) -> Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_mmm"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run mmm");
    child.stdin.take().expect("stdin").write_all(input).expect("write stdin");
    child.wait_with_output().expect("mmm output")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A JSON file the CLI wrote.
fn read_json(p: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn one_of_a_kind_is_counted_in_the_singular() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("one.csv");
    let out = mmm(&["simulate", "--weeks", "40", "--channels", "1", "--out", path(&data)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).starts_with("wrote 40 periods x 1 channel to "),
        "{}",
        text(&out.stderr)
    );
    // One control only, and one period held out.
    let out = mmm(&["fit", path(&data), "--controls", "promo", "--holdout", "1"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("holdout (1 period): "), "{stdout}");
    assert!(stdout.contains("fitted 40 periods x 1 channel in "), "{stdout}");
    let out = mmm(&["check", path(&data), "--controls", "promo"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("40 weeks (2022-01-03 to 2022-10-03) x 1 channel, 1 control: "),
        "{stdout}"
    );
}

#[test]
fn compare_two_models_channel_by_channel() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data.csv");
    let (before, after) = (dir.path().join("before.json"), dir.path().join("after.json"));
    let out = mmm(&["simulate", "--weeks", "104", "--channels", "3", "--out", path(&data)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(mmm(&["fit", path(&data), "--json", path(&before)]).status.success());
    // A tight ROI prior on search moves search, and the comparison says by how much.
    let priors = r#"{"channel_roi": {"search": {"median": 0.4, "relative_sd": 0.02}}}"#;
    let out = mmm(&["fit", path(&data), "--priors", priors, "--json", path(&after)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = mmm(&["compare", path(&before), path(&after)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let load = |p: &Path| ModelDocument::from_json(&std::fs::read_to_string(p).unwrap()).unwrap();
    let (a, b) = (load(&before), load(&after));
    assert!(stdout.starts_with("A: MAP model of revenue (weekly, "), "{stdout}");
    assert!(stdout.contains(&format!("), {}\n", path(&after))), "{stdout}");
    assert!(!stdout.contains("not of the same data"), "{stdout}");
    for (ca, cb) in a.channels.iter().zip(&b.channels) {
        let roi = |c: &mmm_core::document::ChannelResult| {
            let [lo, hi] = c.roi_interval.unwrap();
            format!("{:.2} [{lo:.2}, {hi:.2}]", c.roi)
        };
        let line = format!(
            "{:<14} {:>22} {:>22} {:>8} {:>7} {:>7}",
            ca.name,
            roi(ca),
            roi(cb),
            format!("{:+.1}%", 100.0 * (cb.roi / ca.roi - 1.0)),
            format!("{:.0}%", 100.0 * ca.roi_contraction.unwrap()),
            format!("{:.0}%", 100.0 * cb.roi_contraction.unwrap()),
        );
        assert!(stdout.contains(&line), "missing\n{line}\nin\n{stdout}");
    }
    let search = b.channel("search").unwrap();
    assert!((search.roi - 0.4).abs() < 0.05, "held by its prior: {}", search.roi);
    // The same as JSON, for scripts.
    let out = mmm(&["compare", path(&before), path(&after), "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["models"][1]["file"], path(&after));
    assert_eq!(json["models"][0]["fit"]["r2"], a.fit.r2);
    for (row, (ca, cb)) in
        json["channels"].as_array().unwrap().iter().zip(a.channels.iter().zip(&b.channels))
    {
        assert_eq!(row["name"], ca.name.as_str());
        assert_eq!(row["a"]["roi"], ca.roi);
        assert_eq!(row["b"]["data_weight"], cb.roi_contraction.unwrap());
        assert_eq!(row["b"]["roi_interval"][1], cb.roi_interval.unwrap()[1]);
        assert!((row["roi_change"].as_f64().unwrap() - (cb.roi / ca.roi - 1.0)).abs() < 1e-12);
    }
    // Models of other data are compared, with a warning.
    let other = dir.path().join("other.csv");
    let out = mmm(&["simulate", "--weeks", "60", "--channels", "2", "--out", path(&other)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let other_model = dir.path().join("other.json");
    assert!(mmm(&["fit", path(&other), "--json", path(&other_model)]).status.success());
    let out = mmm(&["compare", path(&before), path(&other_model)]);
    let stdout = text(&out.stdout);
    assert!(stdout.contains("note: the models are not of the same data"), "{stdout}");
    // A channel in one model only has dashes for the other.
    assert!(stdout.lines().any(|l| l.starts_with("social ") && l.contains(" – ")), "{stdout}");
    let out = mmm(&["compare", path(&before), path(&other_model), "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let social = json["channels"].as_array().unwrap().iter().find(|c| c["name"] == "social");
    let social = social.unwrap();
    assert!(social["b"].is_null() && social["roi_change"].is_null(), "{social}");
    let out = mmm(&["compare", "-", "-"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn simulate_fit_inspect_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data.csv");
    let truth = dir.path().join("truth.json");
    let model = dir.path().join("model.json");

    let out = mmm(&[
        "simulate",
        "--weeks",
        "104",
        "--channels",
        "3",
        "--seed",
        "4",
        "--out",
        path(&data),
        "--truth",
        path(&truth),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let csv = std::fs::read_to_string(&data).unwrap();
    assert!(csv.starts_with("date,revenue,tv_spend,search_spend,social_spend,price_index,promo\n"));
    assert_eq!(csv.lines().count(), 105);
    let truth: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&truth).unwrap()).unwrap();
    assert_eq!(truth["channels"].as_array().unwrap().len(), 3);

    let out = mmm(&["fit", path(&data), "--holdout", "8", "--seed", "3", "--json", path(&model)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    for needle in [
        "channel",
        "spend",
        "contribution",
        "ROI",
        "mROI",
        "share",
        "tv",
        "search",
        "social",
        "R²",
        "holdout (8 periods)",
    ] {
        assert!(stdout.contains(needle), "missing {needle} in\n{stdout}");
    }
    let doc = ModelDocument::from_json(&std::fs::read_to_string(&model).unwrap()).unwrap();
    assert_eq!(doc.periods, 104);
    assert_eq!(doc.seed, 3);
    assert_eq!(doc.fit.holdout.as_ref().unwrap().periods, 8);
    assert_eq!(doc.channels.len(), 3);
    // The table shows the document's own figures.
    let tv = doc.channel("tv").unwrap();
    assert!(stdout.contains(&format!("{:.2}", tv.roi)), "{stdout}");
    // Each channel's approximate intervals and data weight, as stored.
    let [lo, hi] = tv.roi_interval.unwrap();
    let [mlo, mhi] = tv.mroi_interval.unwrap();
    let line = format!(
        "{:<14} ROI {:.2} [{lo:.2}, {hi:.2}]  mROI {:.2} [{mlo:.2}, {mhi:.2}]",
        "tv", tv.roi, tv.mroi
    );
    let weight = format!("data {:>3.0}%", 100.0 * tv.roi_contraction.unwrap());
    assert!(stdout.contains(&format!("{line}  {weight}")), "missing {line}  {weight} in\n{stdout}");
    // ... and its carry-over and curve shape over the draws, the half-saturation in spend.
    let p = &tv.posterior_parameters;
    assert_eq!(p[1].name, "decay");
    let [lo, hi] = p[1].interval;
    let decay = format!("{:<14} decay {:.2} [{lo:.2}, {hi:.2}]", "tv", p[1].mean);
    let k = mmm_core::text::thousands(p[2].mean * tv.scale);
    let shape = format!("shape {:.2} [", p[3].mean);
    assert!(
        stdout.lines().any(|l| l.starts_with(&decay) && l.contains(&k) && l.contains(&shape)),
        "missing {decay} … {k} … {shape} in\n{stdout}"
    );

    let out = mmm(&["inspect-model", path(&model)]);
    assert!(out.status.success());
    let inspected = text(&out.stdout);
    assert!(stdout.starts_with(&inspected), "inspect output differs from fit output:\n{inspected}");

    let out = mmm(&["inspect-model", path(&model), "--json"]);
    let again = ModelDocument::from_json(&text(&out.stdout)).unwrap();
    assert_eq!(again, doc);

    // With --insights, the summary is followed by every insight of the model, numbered, with
    // its title and its message's figures.
    let out = mmm(&["inspect-model", path(&model), "--insights"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let with = text(&out.stdout);
    assert!(with.starts_with(&inspected));
    let list = mmm_core::insights::insights(&doc);
    assert!(!list.is_empty());
    for (n, i) in list.iter().enumerate() {
        let words: Vec<&str> = i.title.split_whitespace().collect();
        let first = format!("{}. {}", n + 1, words[..3.min(words.len())].join(" "));
        assert!(with.contains(&first), "missing '{first}' in\n{with}");
        let last = i.message.split_whitespace().last().unwrap();
        assert!(with.contains(last), "missing the end of '{}' in\n{with}", i.message);
    }
    let section = &with[inspected.len()..];
    assert!(section.starts_with("\ninsights:"), "{section}");
    assert!(section.lines().all(|l| l.chars().count() <= 96), "{section}");
    let out = mmm(&["inspect-model", path(&model), "--json", "--insights"]);
    assert_eq!(out.status.code(), Some(2), "--json and --insights conflict");

    // Its tables as CSV, to standard output or a file: the library's own writers.
    for (table, expected) in [
        ("decomposition", mmm_core::export::decomposition_csv(&doc)),
        ("channels", mmm_core::export::channels_csv(&doc)),
        ("curves", mmm_core::export::curves_csv(&doc)),
    ] {
        let out = mmm(&["export", path(&model), table]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert_eq!(text(&out.stdout), expected, "{table}");
    }
    let file = dir.path().join("channels.csv");
    let out = mmm(&["export", path(&model), "channels", "--out", path(&file)]);
    assert!(out.status.success() && out.stdout.is_empty(), "{}", text(&out.stderr));
    let written = std::fs::read_to_string(&file).unwrap();
    assert_eq!(written.lines().count(), 4);
    let tv_row = written.lines().find(|l| l.starts_with("tv,tv_spend,")).unwrap();
    assert!(tv_row.contains(&format!(",{},", tv.roi)), "{tv_row}");
    let out = mmm(&["export", path(&model), "roi"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("decomposition, channels, curves"), "{}", text(&out.stderr));
}

#[test]
fn channels_whose_spend_moves_together_are_a_caution_under_the_fit() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data.csv");
    let out = mmm(&["simulate", "--weeks", "104", "--channels", "3", "--out", path(&data)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let csv = std::fs::read_to_string(&data).unwrap();
    assert!(!text(&mmm(&["fit", path(&data)]).stdout).contains("caution:"));
    // Social spends what search spends, 0-4% more.
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let (search, social) = (
        header.iter().position(|h| *h == "search_spend").unwrap(),
        header.iter().position(|h| *h == "social_spend").unwrap(),
    );
    let rows: Vec<String> = csv
        .lines()
        .enumerate()
        .map(|(i, line)| {
            let mut cells: Vec<String> = line.split(',').map(str::to_owned).collect();
            if i > 0 {
                let v: f64 = cells[search].parse().unwrap();
                cells[social] = format!("{:.2}", v * (1.0 + 0.02 * (i % 3) as f64));
            }
            cells.join(",")
        })
        .collect();
    std::fs::write(&data, rows.join("\n") + "\n").unwrap();
    let out = mmm(&["fit", path(&data)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let line =
        stdout.lines().find(|l| l.starts_with("caution:")).unwrap_or_else(|| panic!("{stdout}"));
    let column = |j: usize| -> Vec<f64> {
        rows[1..].iter().map(|r| r.split(',').nth(j).unwrap().parse().unwrap()).collect()
    };
    let (x, y) = (column(search), column(social));
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let cov: f64 = x.iter().zip(&y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let ss = |v: &[f64], m: f64| v.iter().map(|a| (a - m).powi(2)).sum::<f64>();
    let r = cov / (ss(&x, mx) * ss(&y, my)).sqrt();
    let said = format!("caution: search and social spend move together (correlation {r:.2}): ");
    assert!(line.starts_with(&said), "{line}");
    assert!(line.ends_with("the data can hardly tell their effects apart (--insights)"), "{line}");
}

#[test]
fn bad_data_exits_2_with_every_problem() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("bad.csv");
    std::fs::write(
        &data,
        "date,revenue,tv_spend,radio_spend\n2024-01-08,100,5,0\n2024-01-01,abc,-2,0\n",
    )
    .unwrap();
    let out = mmm(&["fit", path(&data)]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    for needle in [
        "line 3, column 'revenue': not a number: 'abc'",
        "line 3, column 'tv_spend': negative spend -2",
        "line 3, column 'date': date 2024-01-01 comes after 2024-01-08",
        "column 'radio_spend': all spend is zero",
    ] {
        assert!(err.contains(needle), "missing {needle} in\n{err}");
    }
}

#[test]
fn column_overrides_and_missing_columns() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data.csv");
    assert!(
        mmm(&["simulate", "--weeks", "80", "--channels", "2", "--out", path(&data)])
            .status
            .success()
    );
    let out = mmm(&["fit", path(&data)]);
    assert!(text(&out.stdout).contains("\ncontrols: price_index, promo\nignored columns: none\n"));
    let out = mmm(&["fit", path(&data), "--media", "tv_spend", "--no-controls"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(!stdout.lines().any(|l| l.starts_with("search")), "{stdout}");
    assert!(
        stdout.contains("\ncontrols: none\nignored columns: search_spend, price_index, promo\n"),
        "{stdout}"
    );
    let out = mmm(&["fit", path(&data), "--kpi", "sales"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("column 'sales': KPI column not found"));
}

/// How `simulate_bought_impressions` files start.
const IMPRESSIONS_HEADER: &str = "date,revenue,tv_spend,search_spend,tv_media,search_media,";

/// Simulates 80 weeks of two channels that bought impressions into `data`, and returns the CSV.
fn simulate_bought_impressions(data: &Path) -> String {
    let simulated = mmm(&[
        "simulate",
        "--weeks",
        "80",
        "--channels",
        "2",
        "--media-units",
        "--out",
        path(data),
    ]);
    assert!(simulated.status.success(), "{}", text(&simulated.stderr));
    let csv = std::fs::read_to_string(data).unwrap();
    assert!(csv.starts_with(IMPRESSIONS_HEADER), "{csv}");
    csv
}

#[test]
fn channels_with_media_units_are_fitted_on_them() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data.csv");
    let model = dir.path().join("model.json");
    let csv = simulate_bought_impressions(&data);
    // Impressions may go by that name too.
    std::fs::write(&data, csv.replace("search_media", "Search_Impressions")).unwrap();
    let out = mmm(&["fit", path(&data), "--json", path(&model)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // The summary, as `mmm fit` and `mmm inspect-model` print it, says which channels.
    let said = "\nFitted on media units (impressions, ...), valued at the data's average spend per \
                unit: tv (tv_media), search (Search_Impressions)\n";
    assert!(text(&out.stdout).contains(said), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("\ncontrols: price_index, promo\n"));
    let out = mmm(&["inspect-model", path(&model)]);
    assert!(text(&out.stdout).contains(said), "{}", text(&out.stdout));
    // The saved model scores the file through its impressions columns.
    let out = mmm(&["score", path(&model), path(&data)]);
    assert!(out.status.success(), "{}", text(&out.stderr));

    // A units column named otherwise is paired by hand; the pairs given are the only ones.
    std::fs::write(&data, csv.replace("tv_media", "tv_exposure")).unwrap();
    let out = mmm(&["fit", path(&data), "--media-units", "TV_spend = tv_exposure"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("spend per unit: tv (tv_exposure)\n"), "{stdout}");
    assert!(stdout.contains("\ncontrols: price_index, promo\nignored columns: search_media\n"));
    // --no-media-units fits every channel on its spend.
    let out = mmm(&["fit", path(&data), "--no-media-units"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!text(&out.stdout).contains("Fitted on media units"), "{}", text(&out.stdout));
    // A pair that is not one, or that names a missing column, is refused before any fit.
    let out = mmm(&["fit", path(&data), "--media-units", "tv_spend"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("'tv_spend' is not a pair"), "{}", text(&out.stderr));
    let out = mmm(&["check", path(&data), "--media-units", "tv_spend=tv_grps"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("column 'tv_grps': media units column not found"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn column_names_with_commas_are_given_in_quotes() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data.csv");
    let csv = simulate_bought_impressions(&data);
    let header =
        "date,revenue,\"tv, national_spend\",search_spend,\"tv, national=GRPs\",search_media,";
    let csv = csv.replacen(IMPRESSIONS_HEADER, header, 1);
    assert!(csv.starts_with(header), "{csv}");
    std::fs::write(&data, csv).unwrap();
    let out = mmm(&[
        "fit",
        path(&data),
        "--media",
        "\"tv, national_spend\", search_spend",
        "--media-units",
        "\"tv, national_spend\"=\"tv, national=GRPs\"",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("spend per unit: tv, national (tv, national=GRPs)\n"), "{stdout}");
    assert!(stdout.contains("\ncontrols: price_index, promo\nignored columns: search_media\n"));
    // An unclosed quote is a usage error that says so.
    let out = mmm(&["fit", path(&data), "--controls", "\"price_index"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("the quote before 'price_index' is not closed"));
}

#[test]
fn media_history_rows_carry_over_into_the_fit() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data.csv");
    let model = dir.path().join("model.json");
    let out = mmm(&[
        "simulate",
        "--weeks",
        "80",
        "--channels",
        "2",
        "--history",
        "20",
        "--out",
        path(&data),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("after 20 periods of media history"),
        "{}",
        text(&out.stderr)
    );
    // The history rows come first, with the KPI and the controls empty.
    let csv = std::fs::read_to_string(&data).unwrap();
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(rows.len(), 100);
    assert!(rows[..20].iter().all(|r| r.split(',').nth(1) == Some("")), "{csv}");
    assert!(rows[20].split(',').nth(1).is_some_and(|kpi| !kpi.is_empty()));

    let out = mmm(&["fit", path(&data), "--json", path(&model)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let first = rows[20].split(',').next().unwrap();
    assert!(
        stdout.contains(&format!(
            "Media history: spend of the 8 periods before {first} carries over"
        )),
        "{stdout}"
    );
    let doc = ModelDocument::from_json(&std::fs::read_to_string(&model).unwrap()).unwrap();
    assert_eq!(doc.periods, 80);
    assert_eq!(doc.start.to_string(), first);
    assert!(doc.series.channels.iter().all(|c| c.history.len() == 8));

    let out = mmm(&["simulate", "--history", "100000", "--out", path(&data)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("--history must be at most 520"), "{}", text(&out.stderr));
}

#[test]
fn output_cut_short_by_the_reader_ends_quietly() {
    // `mmm fit data.csv | head`: the reader goes away before the table is printed.
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data.csv");
    assert!(mmm(&["simulate", "--weeks", "80", "--out", path(&data)]).status.success());
    let mut child = Command::new(env!("CARGO_BIN_EXE_mmm"))
        .args(["fit", path(&data)])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Closing the read end at once: the fit takes milliseconds, so every write finds it closed.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(141), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn unreadable_inputs_fail_cleanly() {
    let out = mmm(&["fit", "/nonexistent/data.csv"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("cannot read /nonexistent/data.csv"));
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.json");
    std::fs::write(&model, "{\"format_version\": 99}").unwrap();
    let out = mmm(&["inspect-model", path(&model)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("newer than this mmm supports"), "{}", text(&out.stderr));
}

#[test]
fn help_lists_the_subcommands() {
    let out = mmm(&["--help"]);
    assert!(out.status.success());
    let help = text(&out.stdout);
    for cmd in ["simulate", "check", "fit", "inspect-model"] {
        assert!(help.contains(cmd), "{help}");
    }
}

#[test]
fn database_commands_migrate_check_and_reset() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sub/mmm.db");
    let url = format!("sqlite://{}", db.display());
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_mmm"))
            .args(args)
            .env("DATABASE_URL", &url)
            .output()
            .unwrap()
    };
    let out = run(&["check-db"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let check = text(&out.stdout);
    assert!(check.contains("backend:    sqlite 3."), "{check}");
    assert!(
        check
            .contains("pending:    20261122000001, 20261122000002, 20261125000003, 20261125000004"),
        "{check}"
    );
    assert!(check.contains("run `mmm migrate`"));

    let out = run(&["migrate"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("applied 4 migration(s)"));
    assert!(text(&run(&["migrate"]).stdout).contains("is up to date"));
    assert!(text(&run(&["check-db"]).stdout).contains("pending:    none"));

    let out = run(&["reset-db"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("--yes"));
    let out = run(&["reset-db", "--yes"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("reverted 4 and applied 4 migration(s)"));

    let out = Command::new(env!("CARGO_BIN_EXE_mmm"))
        .args(["check-db", "--database-url", "postgres://nobody:pw@127.0.0.1:1/x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("cannot connect to the postgresql database"), "{err}");
    assert!(!err.contains("pw@"), "password leaked: {err}");
}

#[test]
fn optimize_plan_and_frontier_from_a_saved_model() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data.csv");
    let model = dir.path().join("model.json");
    let out = dir.path().join("opt.json");
    assert!(
        mmm(&["simulate", "--weeks", "104", "--channels", "3", "--out", path(&data)])
            .status
            .success()
    );
    assert!(mmm(&["fit", path(&data), "--json", path(&model)]).status.success());
    let doc = ModelDocument::from_json(&std::fs::read_to_string(&model).unwrap()).unwrap();
    let current: f64 = doc.channels.iter().map(|c| c.current_spend).sum();
    let budget = format!("{}", current.round());
    let lock = format!("tv={}", doc.channel("tv").unwrap().current_spend.round());

    // The model as `--model`, the older form, still read.
    let o = mmm(&[
        "optimize",
        "--model",
        path(&model),
        "--budget",
        &budget,
        "--bounds-pct",
        "0.5",
        "--lock",
        &lock,
        "--json",
        path(&out),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let stdout = text(&o.stdout);
    assert!(stdout.contains("recommended") && stdout.contains("(locked)"), "{stdout}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    for key in [
        "budget",
        "allocation",
        "current_response",
        "optimized_response",
        "uplift",
        "uplift_pct",
        "gap_bound",
    ] {
        assert!(!json[key].is_null(), "{key}");
    }
    // A MAP model says how sure it is of the recommendation, from its draws over the curve shapes.
    let p = json["probability_better"].as_f64().unwrap();
    let uplift = json["uplift"].as_f64().unwrap();
    let (lo, hi) = (
        json["uplift_interval"][0].as_f64().unwrap(),
        json["uplift_interval"][1].as_f64().unwrap(),
    );
    assert!((0.0..=1.0).contains(&p) && lo <= uplift && uplift <= hi, "{json}");
    assert_eq!(p > 0.5, uplift > 0.0, "{json}");
    let line = format!(
        "chance the recommended split beats the current one: {:.0}%; 90% interval of the uplift: {} to {}",
        100.0 * p,
        mmm_core::text::thousands(lo),
        mmm_core::text::thousands(hi)
    );
    assert!(stdout.contains(&line), "missing {line} in\n{stdout}");
    let tv = json["allocation"].as_array().unwrap().iter().find(|a| a["name"] == "tv").unwrap();
    assert_eq!(
        tv["recommended"].as_f64().unwrap(),
        doc.channel("tv").unwrap().current_spend.round()
    );
    for key in ["name", "current", "recommended", "expected_response", "mroi"] {
        assert!(!tv[key].is_null(), "{key}");
    }
    // At the current total the current allocation is the current mix: no second comparison.
    assert!(json["current_mix"].is_null() && !stdout.contains("current mix"), "{stdout}");
    // At half as much again, the split is also compared with the current mix at that spend.
    let more = format!("{}", (1.5 * current).round());
    let o = mmm(&["optimize", path(&model), "--budget", &more, "--json", path(&out)]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let mix = &json["current_mix"];
    let number = |v: &serde_json::Value| v.as_f64().unwrap();
    assert_eq!(number(&mix["spend"]), number(&json["spent"]));
    let gain = number(&json["optimized_response"]) - number(&mix["response"]);
    assert!((number(&mix["uplift"]) - gain).abs() < 1e-6 * gain.abs().max(1.0), "{json}");
    // The scaled mix spends more than the current allocation, so it gives more response.
    assert!(number(&mix["response"]) > number(&json["current_response"]), "{json}");
    let line = format!(
        "the current mix at the same spend: revenue {} per period; the recommended split adds {} \
         ({:+.1}%); chance it beats that mix: {:.0}%; 90% interval {} to {}",
        mmm_core::text::thousands(number(&mix["response"])),
        mmm_core::text::thousands(number(&mix["uplift"])),
        100.0 * number(&mix["uplift_pct"]),
        100.0 * number(&mix["probability_better"]),
        mmm_core::text::thousands(number(&mix["uplift_interval"][0])),
        mmm_core::text::thousands(number(&mix["uplift_interval"][1])),
    );
    assert!(text(&o.stdout).contains(&line), "missing {line} in\n{}", text(&o.stdout));

    // The model is given once.
    let both = mmm(&["optimize", path(&model), "--model", path(&model), "--budget", "10"]);
    assert_eq!(both.status.code(), Some(2));
    // A negative budget is a number the command refuses, not an unknown option.
    let bad = mmm(&["optimize", path(&model), "--budget", "-5"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(text(&bad.stderr).contains("budget must be a non-negative number, got -5"));
    let bad = mmm(&["frontier", path(&model), "--budget", "-1"]);
    assert!(text(&bad.stderr).contains("budget must be a non-negative number, got -1"));
    let bad = mmm(&["optimize", path(&model), "--budget", "10", "--min", "tv=100"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        text(&bad.stderr).contains(
            "infeasible: the channel minimums (and locks) add up to 100, above the budget 10"
        ),
        "{}",
        text(&bad.stderr)
    );
    let bad = mmm(&["optimize", path(&model), "--budget", "10", "--max", "tv"]);
    assert_eq!(bad.status.code(), Some(2), "clap rejects a malformed pair");

    let f = mmm(&["frontier", path(&model), "--budget", &budget, "--steps", "5"]);
    assert!(f.status.success());
    assert_eq!(text(&f.stdout).lines().count(), 6);
    // Every budget's response with its 90% interval, from the MAP model's covariance.
    assert!(text(&f.stdout).lines().skip(1).all(|l| l.contains(" to ")), "{}", text(&f.stdout));
    let p = mmm(&[
        "plan",
        path(&model),
        "--periods",
        "3",
        "--budget",
        &format!("{}", 3.0 * current.round()),
        "--csv",
        path(&dir.path().join("plan.csv")),
    ]);
    assert!(p.status.success(), "{}", text(&p.stderr));
    assert!(text(&p.stdout).contains("expected incremental revenue"));
    // The plan as a file to forecast: three weeks without a KPI.
    let plan = dir.path().join("plan.csv");
    assert!(text(&p.stdout).contains(&format!("mmm score {} {}", path(&model), path(&plan))));
    let s = mmm(&["score", path(&model), path(&plan)]);
    assert!(s.status.success(), "{}", text(&s.stderr));
    let forecast = text(&s.stdout);
    assert!(
        forecast.contains("; 3 without a KPI, forecast from their spend and controls"),
        "{forecast}"
    );
    assert!(forecast.contains("no period has a KPI yet"), "{forecast}");
    // The MAP model's curve covariance gives the plan an interval.
    assert!(
        text(&p.stdout).contains("90% interval of the incremental revenue: "),
        "{}",
        text(&p.stdout)
    );
    // With a promotion planned: the file holds it, and an unknown control exits 2, naming it.
    let budget = format!("{}", 3.0 * current.round());
    let promoted = dir.path().join("promoted.csv");
    let mut args = vec!["plan", path(&model), "--periods", "3", "--budget", &budget];
    args.extend(["--csv", path(&promoted), "--control", "promo=1"]);
    let p = mmm(&args);
    assert!(p.status.success(), "{}", text(&p.stderr));
    let file = std::fs::read_to_string(&promoted).unwrap();
    assert!(file.lines().skip(1).all(|l| l.ends_with(",1")), "{file}");
    args.extend(["--control", "weather=2"]);
    let p = mmm(&args);
    assert_eq!(p.status.code(), Some(2));
    assert!(
        text(&p.stderr).contains(
            "column 'weather': not a control of the model (its controls: price_index, promo)"
        ),
        "{}",
        text(&p.stderr)
    );
    assert!(text(&p.stdout).is_empty(), "nothing planned: {}", text(&p.stdout));
    // A scenario of one's own: search doubled, the others as they are.
    let search = doc.channel("search").unwrap();
    let doubled = format!("search={}", 2.0 * search.current_spend);
    let sc = dir.path().join("scenario.json");
    let s = mmm(&["scenario", path(&model), "--spend", &doubled, "--json", path(&sc)]);
    assert!(s.status.success(), "{}", text(&s.stderr));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sc).unwrap()).unwrap();
    let number = |v: &serde_json::Value| v.as_f64().unwrap();
    assert!((number(&json["spend"]) - (current + search.current_spend)).abs() < 1e-6 * current);
    let stdout = text(&s.stdout);
    let line = format!(
        "spend {} per period (current {}); revenue per period: current ",
        mmm_core::text::thousands(number(&json["spend"])),
        mmm_core::text::thousands(current)
    );
    assert!(stdout.contains(&line), "missing {line} in\n{stdout}");
    assert!(
        stdout
            .contains(&format!("(uplift {}, ", mmm_core::text::thousands(number(&json["uplift"])))),
        "{stdout}"
    );
    assert!(stdout.contains("chance the scenario beats the current split: "), "{stdout}");
    // More spend in all: also set against the current split scaled to it.
    let mix = &json["current_mix"];
    assert!(
        stdout.contains(&format!(
            "the current mix at the same spend: revenue {} per period; the scenario adds {} ",
            mmm_core::text::thousands(number(&mix["response"])),
            mmm_core::text::thousands(number(&mix["uplift"]))
        )),
        "{stdout}"
    );
    let bad = mmm(&["scenario", path(&model), "--spend", "search=-3"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(text(&bad.stderr).contains("--spend search: must be a non-negative number, got -3"));
    let bad = mmm(&["scenario", path(&model), "--spend", "radio=1"]);
    assert!(text(&bad.stderr).contains("unknown channel 'radio'"), "{}", text(&bad.stderr));

    let t = mmm(&["optimize", path(&model), "--target-mroi", "1.0"]);
    assert!(t.status.success(), "{}", text(&t.stderr));
    assert!(text(&t.stdout).contains("largest budget with every funded channel at mROI >= 1"));
}

#[test]
fn import_meridian_writes_a_model_the_other_commands_use() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("model.json");
    let data = dir.path().join("data.csv");
    let fixture =
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/meridian/meridian_demo.binpb");
    let out = mmm(&["import-meridian", fixture, "--json", path(&model), "--data", path(&data)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("Imported google-meridian 2.1.0 model of revenue"), "{stdout}");
    let doc = ModelDocument::from_json(&std::fs::read_to_string(&model).unwrap()).unwrap();
    assert_eq!(doc.channels.len(), 5);
    let csv = std::fs::read_to_string(&data).unwrap();
    assert!(csv.starts_with("date,revenue,tv_spend,search_spend,social_spend,display_spend,radio_spend,price_index,promo\n"));
    assert_eq!(csv.lines().count(), 157);

    let out = mmm(&["optimize", path(&model), "--budget", "150000"]);
    assert!(out.status.success(), "{}", text(&out.stderr));

    // A geo model comes in as its national total, and says so; its data are the national rows.
    let geo = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/meridian/meridian_geo.binpb");
    let out = mmm(&["import-meridian", geo, "--data", path(&data)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("note: a geo model of 5 geos, imported as its national total"));
    assert!(stdout.contains("note: mROI is mmm's marginal ROI"), "{stdout}");
    assert_eq!(std::fs::read_to_string(&data).unwrap().lines().count(), 105);
    // So does the saved model's summary.
    let out = mmm(&["import-meridian", geo, "--json", path(&model)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = mmm(&["inspect-model", path(&model)]);
    assert!(text(&out.stdout).contains("note: a geo model of 5 geos"), "{}", text(&out.stdout));

    let pickle = dir.path().join("saved_mmm.pkl");
    std::fs::write(&pickle, b"\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00").unwrap();
    let out = mmm(&["import-meridian", path(&pickle)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("scripts/meridian-pkl-to-binpb.py"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_file_of_geos_is_refused_with_the_fix_or_added_up() {
    let geos = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/meridian/meridian_geo.csv");
    let out = mmm(&["fit", geos]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("1 problem in the data"), "{stderr}");
    assert!(stderr.contains("5 geos or markets stacked by 'geo'"), "{stderr}");
    assert!(stderr.contains("--geo-column in the CLI"), "{stderr}");
    let out = mmm(&["check", geos, "--geo-column", "geo"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("model.json");
    let out = mmm(&["fit", geos, "--geo-column", "geo", "--json", path(&model)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("(weekly, 2022-01-03 to 2023-12-25, 104 periods)"));
    // Its model scores the geo file, added up the same way.
    let out = mmm(&["score", path(&model), geos, "--geo-column", "geo"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("revenue of 104 periods"), "{}", text(&out.stdout));
}

#[test]
fn priors_and_lift_tests_are_taken_inline_or_from_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data.csv");
    let out = mmm(&["simulate", "--weeks", "104", "--channels", "3", "--out", path(&data)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // A tight ROI prior on search (median 0.4, ±2%) holds its ROI there.
    let priors = r#"{"channel_roi": {"search": {"median": 0.4, "relative_sd": 0.02}}}"#;
    let fit_with = |arg: &str, model: &Path| {
        let out = mmm(&["fit", path(&data), "--priors", arg, "--json", path(model)]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        ModelDocument::from_json(&std::fs::read_to_string(model).unwrap()).unwrap()
    };
    let inline = fit_with(priors, &dir.path().join("inline.json"));
    let roi = inline.channel("search").unwrap().roi;
    assert!((roi - 0.4).abs() < 0.05 * 0.4, "search ROI {roi}");
    let file = dir.path().join("priors.json");
    std::fs::write(&file, priors).unwrap();
    let from_file = fit_with(path(&file), &dir.path().join("file.json"));
    assert_eq!(from_file.channels, inline.channels);

    let bad = mmm(&["fit", path(&data), "--priors", r#"{"channel_roi": 3}"#]);
    assert!(!bad.status.success());
    assert!(text(&bad.stderr).contains("the JSON given is not a valid priors document"));
    let missing = mmm(&["fit", path(&data), "--priors", "no-such-priors.json"]);
    assert!(text(&missing.stderr).contains("cannot read no-such-priors.json"));
    // A lift test, inline, calibrates the point fit: search's modelled contribution over the
    // test weeks (9 to 13) lands on the measured 100,000 (±5,000).
    let lifts = r#"[{"channel": "search", "start": "2022-03-07", "end": "2022-04-04", "incremental": 100000, "standard_error": 5000}]"#;
    let model = dir.path().join("lift.json");
    let out = mmm(&["fit", path(&data), "--lift-tests", lifts, "--json", path(&model)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let doc = ModelDocument::from_json(&std::fs::read_to_string(&model).unwrap()).unwrap();
    assert_eq!(doc.spec.lift_tests.len(), 1);
    let window: f64 = doc.series.channels[1].contribution[9..=13].iter().sum();
    assert!((window - 100_000.0).abs() < 15_000.0, "search over the test weeks: {window}");
    let bad = mmm(&["fit", path(&data), "--lift-tests", r#"[{"channel": "tv"}]"#]);
    assert!(text(&bad.stderr).contains("the JSON given is not a JSON array of lift tests"));
}

#[test]
fn a_dash_pipes_simulate_into_fit() {
    let simulated = mmm(&["simulate", "--weeks", "104", "--channels", "3", "--out", "-"]);
    assert!(simulated.status.success(), "{}", text(&simulated.stderr));
    let csv = text(&simulated.stdout);
    assert!(csv.starts_with("date,revenue,tv_spend,"), "{csv:.80}");
    assert_eq!(csv.lines().count(), 105);
    assert!(text(&simulated.stderr).contains("to standard output"));

    // The same data from a file and from standard input give the same model.
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data.csv");
    std::fs::write(&data, &csv).unwrap();
    let from_file = mmm(&["fit", path(&data)]);
    let from_stdin = mmm_fed(&["fit", "-"], csv.as_bytes());
    assert!(from_stdin.status.success(), "{}", text(&from_stdin.stderr));
    let table = |out: &Output| {
        // Everything but the timing line.
        text(&out.stdout)
            .lines()
            .filter(|l| !l.starts_with("fitted "))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert!(table(&from_stdin).contains("tv"));
    assert_eq!(table(&from_stdin), table(&from_file));

    // Bad data on standard input is reported like bad data in a file.
    let bad = mmm_fed(&["fit", "-"], b"date,revenue\n");
    assert_eq!(bad.status.code(), Some(2), "{}", text(&bad.stderr));

    // `--json -` sends the model document down the pipe and the table to standard error; the
    // model commands read it back from standard input.
    let piped = |args: &[&str], input: &[u8]| {
        let out = mmm_fed(args, input);
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        out
    };
    let fitted = piped(&["fit", "-", "--json", "-"], csv.as_bytes());
    let doc = ModelDocument::from_json(&text(&fitted.stdout)).unwrap();
    assert_eq!(doc.channels.len(), 3);
    assert!(text(&fitted.stderr).contains("ROI"), "the table goes to standard error");
    let inspected = piped(&["inspect-model", "-", "--json"], &fitted.stdout);
    assert_eq!(ModelDocument::from_json(&text(&inspected.stdout)).unwrap(), doc);
    let budget = (doc.channels.iter().map(|c| c.current_spend).sum::<f64>()).round().to_string();
    let optimized = piped(&["optimize", "-", "--budget", &budget], &fitted.stdout);
    assert!(text(&optimized.stdout).contains("tv"), "{}", text(&optimized.stdout));
    // Not a model on standard input: a clear error naming standard input.
    let wrong = mmm_fed(&["inspect-model", "-"], b"");
    assert_eq!(wrong.status.code(), Some(1));
    assert!(text(&wrong.stderr).contains("standard input"), "{}", text(&wrong.stderr));
    // JSON that is not a model: the parser's reason, said once.
    let wrong = mmm_fed(&["inspect-model", "-"], b"{}");
    assert_eq!(
        text(&wrong.stderr).trim_end(),
        "error: cannot load standard input: not a valid model document: missing field \
         `format_version` at line 1 column 2"
    );
}

#[test]
fn score_a_saved_model_on_new_weeks() {
    let dir = tempfile::tempdir().unwrap();
    let all = dir.path().join("all.csv");
    let out =
        mmm(&["simulate", "--weeks", "130", "--channels", "3", "--seed", "8", "--out", path(&all)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let csv = std::fs::read_to_string(&all).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    let part = |range: std::ops::Range<usize>, factor: f64| {
        let mut out = vec![lines[0].to_owned()];
        for line in &lines[1 + range.start..1 + range.end] {
            let mut cells: Vec<String> = line.split(',').map(str::to_owned).collect();
            cells[1] = (cells[1].parse::<f64>().unwrap() * factor).to_string();
            out.push(cells.join(","));
        }
        out.join("\n") + "\n"
    };
    let (train, new, moved, model, score) = (
        dir.path().join("train.csv"),
        dir.path().join("new.csv"),
        dir.path().join("moved.csv"),
        dir.path().join("model.json"),
        dir.path().join("score.json"),
    );
    std::fs::write(&train, part(0..104, 1.0)).unwrap();
    std::fs::write(&new, part(104..130, 1.0)).unwrap();
    std::fs::write(&moved, part(104..130, 1.25)).unwrap();
    let out = mmm(&["fit", path(&train), "--json", path(&model)]);
    assert!(out.status.success(), "{}", text(&out.stderr));

    let out = mmm(&["score", path(&model), path(&new), "--json", path(&score), "--fail-on-drift"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    assert!(report.contains("revenue of 26 periods (2024-01-01 to 2024-06-24)"), "{report}");
    assert!(report.contains("26 of them outside the model's fitting window"), "{report}");
    assert!(report.contains("verdict: the data are consistent with the model"), "{report}");
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&score).unwrap()).unwrap();
    assert_eq!(s["periods"].as_array().unwrap().len(), 26);
    assert_eq!(s["unknown_carry_over"], 0);

    // A quarter more KPI than the model expects: drifted, exit code 3 with --fail-on-drift.
    let out = mmm(&["score", path(&model), path(&moved), "--fail-on-drift"]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("verdict: the data have drifted from the model"));
    let out = mmm(&["score", path(&model), path(&moved)]);
    assert!(out.status.success());

    // A plan for the last 6 weeks (no KPI yet) is forecast; a drifted past does not hide it.
    let plan = dir.path().join("plan.csv");
    let planned: String = part(104..130, 1.25)
        .lines()
        .enumerate()
        .map(|(i, l)| {
            let mut cells: Vec<&str> = l.split(',').collect();
            if i > 20 {
                cells[1] = "";
            }
            cells.join(",") + "\n"
        })
        .collect();
    std::fs::write(&plan, planned).unwrap();
    let out = mmm(&["score", path(&model), path(&plan), "--json", path(&score)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    assert!(
        report.contains("; 6 without a KPI, forecast from their spend and controls"),
        "{report}"
    );
    let forecast_rows = report.lines().filter(|l| l.split_whitespace().nth(1) == Some("forecast"));
    assert_eq!(forecast_rows.count(), 6, "{report}");
    assert!(
        report.contains("inside the 90% interval: ") && report.contains(" of 20 periods"),
        "{report}"
    );
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&score).unwrap()).unwrap();
    assert_eq!((s["forecasts"].as_u64(), s["periods"][25]["actual"].is_null()), (Some(6), true));

    // Data the model cannot score: exit code 2 with the reason.
    let out = mmm_fed(&["score", path(&model), "-"], b"date,revenue\n2024-01-01,5\n");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("tv_spend"), "{}", text(&out.stderr));
}

#[test]
fn backtest_scores_each_fold_and_shows_roi_stability() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data.csv");
    let json = dir.path().join("backtest.json");
    let out = mmm(&[
        "simulate",
        "--weeks",
        "130",
        "--channels",
        "3",
        "--seed",
        "9",
        "--out",
        path(&data),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out =
        mmm(&["backtest", path(&data), "--folds", "3", "--horizon", "10", "--json", path(&json)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    assert!(
        report.contains("3 folds, each fitted on the periods before it and scored on the next 10"),
        "{report}"
    );
    for fold in ["1         100", "2         110", "3         120"] {
        assert!(report.contains(fold), "{fold}: {report}");
    }
    assert!(report.contains("ROI by fold") && report.contains("search"), "{report}");
    let b: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(b["folds"].as_array().unwrap().len(), 3);
    assert_eq!(b["channels"].as_array().unwrap().len(), 3);
    assert_eq!(b["folds"][2]["end"], "2024-06-24");

    // Folds that leave too little to fit: a clear error, exit code 1.
    let out = mmm(&["backtest", path(&data), "--folds", "10", "--horizon", "13"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("use fewer or shorter folds"), "{}", text(&out.stderr));
    // Bad data: exit code 2, as for fit.
    let out = mmm_fed(&["backtest", "-"], b"date,revenue,tv_spend\n2024-01-01,x,1\n");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn an_imported_meridian_model_scores_its_own_data_with_calibrated_intervals() {
    // Meridian's posterior trades the baseline's level against the media's; held at its mean,
    // the baseline would put every week inside the interval.
    let dir = tempfile::tempdir().unwrap();
    let (model, data, score) =
        (dir.path().join("m.json"), dir.path().join("d.csv"), dir.path().join("s.json"));
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/meridian/meridian_demo.binpb");
    let out =
        mmm(&["import-meridian", path(&fixture), "--json", path(&model), "--data", path(&data)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = mmm(&["score", path(&model), path(&data), "--json", path(&score)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&score).unwrap()).unwrap();
    let coverage = s["metrics"]["coverage"].as_f64().unwrap();
    assert!((0.85..0.99).contains(&coverage), "{coverage}");
    assert_eq!(s["drift"]["drifted"], false);
}

#[test]
fn a_monthly_market_simulates_fits_and_scores() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("monthly.csv");
    let model = dir.path().join("model.json");
    let out = mmm(&[
        "simulate",
        "--frequency",
        "monthly",
        "--periods",
        "48",
        "--channels",
        "3",
        "--history",
        "6",
        "--out",
        path(&data),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let csv = std::fs::read_to_string(&data).unwrap();
    let dates: Vec<&str> = csv.lines().skip(1).map(|l| &l[..10]).collect();
    // Six months of media history before January 2022, then four years of months.
    assert_eq!((dates[0], dates[6], dates[53]), ("2021-07-01", "2022-01-01", "2025-12-01"));

    let out = mmm(&["fit", path(&data), "--holdout", "6", "--json", path(&model)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("MAP model of revenue (monthly, 2022-01-01 to 2025-12-01, 48 periods)"),
        "{stdout}"
    );
    assert!(stdout.contains("holdout (6 periods)"), "{stdout}");

    // Score the held-out months, named by their last days this time.
    let held_out: Vec<String> = csv
        .lines()
        .enumerate()
        .filter(|(i, _)| *i == 0 || *i > 48)
        .map(|(i, line)| {
            if i == 0 {
                return line.to_owned();
            }
            let first: chrono::NaiveDate = line[..10].parse().unwrap();
            let last =
                first.checked_add_months(chrono::Months::new(1)).unwrap().pred_opt().unwrap();
            format!("{last}{}", &line[10..])
        })
        .collect();
    let new = dir.path().join("new.csv");
    std::fs::write(&new, held_out.join("\n") + "\n").unwrap();
    let out = mmm(&["score", path(&model), path(&new), "--json", "-"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let score: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let periods = score["periods"].as_array().unwrap();
    assert_eq!(periods.len(), 6);
    assert_eq!(periods[0]["date"], "2025-07-31");
    assert!(periods.iter().all(|p| p["in_fit"] == false), "{score}");

    // A backtest scores a quarter per fold by default: 4 folds of 3 months, the last one the
    // data's last quarter.
    let out = mmm(&["backtest", path(&data), "--json", "-"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let backtest: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(backtest["horizon"], 3);
    let folds = backtest["folds"].as_array().unwrap();
    assert_eq!(folds.len(), 4);
    assert_eq!(folds[0]["fit_periods"], 36);
    assert_eq!(
        (folds[3]["start"].as_str(), folds[3]["end"].as_str()),
        (Some("2025-10-01"), Some("2025-12-01"))
    );
}

#[test]
fn check_names_what_limits_the_data_before_a_fit() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data.csv");
    let out = mmm(&["simulate", "--weeks", "156", "--seed", "9", "--out", path(&data)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // Week 80's revenue doubled: a data-entry error.
    let csv = std::fs::read_to_string(&data).unwrap();
    let mut rows: Vec<Vec<String>> =
        csv.lines().map(|l| l.split(',').map(str::to_owned).collect()).collect();
    let revenue: f64 = rows[80][1].parse().unwrap();
    rows[80][1] = format!("{}", 2.0 * revenue);
    let date = rows[80][0].clone();
    let lines: Vec<String> = rows.iter().map(|r| r.join(",")).collect();
    std::fs::write(&data, lines.join("\n") + "\n").unwrap();

    let out = mmm(&["check", path(&data)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with(
            "156 weeks (2022-01-03 to 2024-12-23) x 5 channels, 2 controls: 1 warning"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("1. Warning: Unusual revenue in 1 week\n"), "{stdout}");
    assert!(stdout.contains(&date), "{stdout}");

    let out = mmm(&["check", path(&data), "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let found: Vec<mmm_core::checks::DataCheck> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(found[0].kind, mmm_core::checks::CheckKind::KpiOutlier);
    assert_eq!(found[0].dates[0].to_string(), date);
    assert_eq!(
        found.iter().filter(|f| f.level == mmm_core::checks::Level::Warning).count(),
        1,
        "{found:?}"
    );

    // The fit says how many findings there are.
    let out = mmm(&["fit", path(&data)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let notes = found.len() - 1;
    let said = format!(
        "data checks: 1 warning, {notes} note{} (mmm check explains them)",
        if notes == 1 { "" } else { "s" }
    );
    assert!(text(&out.stdout).contains(&said), "{}", text(&out.stdout));

    // Data that cannot be read: exit code 2 with the problems, as for a fit.
    std::fs::write(&data, "date,revenue,tv_spend\n2024-01-01,abc,5\n").unwrap();
    let out = mmm(&["check", path(&data)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("column 'revenue': not a number: 'abc'"));
}

/// Simulates 156 weeks (seed 8) into `data` and adds `extra(week, date, mean revenue)` to each
/// week's revenue.
fn simulate_with_extra_revenue(data: &Path, extra: impl Fn(usize, &str, f64) -> f64) {
    simulated_with_extra_revenue(&["--weeks", "156", "--seed", "8"], data, extra);
}

/// [`simulate_with_extra_revenue`] of the market `mmm simulate` makes with `options`.
fn simulated_with_extra_revenue(
    options: &[&str],
    data: &Path,
    extra: impl Fn(usize, &str, f64) -> f64,
) {
    let out = mmm(&[&["simulate"], options, &["--out", path(data)]].concat());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let csv = std::fs::read_to_string(data).unwrap();
    let rows: Vec<Vec<String>> =
        csv.lines().map(|l| l.split(',').map(str::to_owned).collect()).collect();
    assert_eq!(rows[0][..2], ["date", "revenue"]);
    let revenue: Vec<f64> = rows[1..].iter().map(|r| r[1].parse().unwrap()).collect();
    let mean = revenue.iter().sum::<f64>() / revenue.len() as f64;
    let mut changed = rows[0].join(",") + "\n";
    for (t, (row, v)) in rows[1..].iter().zip(&revenue).enumerate() {
        let mut row = row.clone();
        row[1] = format!("{:.2}", v + extra(t, &row[0], mean));
        changed += &(row.join(",") + "\n");
    }
    std::fs::write(data, changed).unwrap();
}

#[test]
fn a_trend_bends_where_the_data_ask_and_the_flag_keeps_it_straight() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data.csv");
    // The simulator's trend is straight; bend it: growth that slows, up to 12.5% of the mean
    // revenue half-way.
    simulate_with_extra_revenue(&data, |t, _, mean| {
        let x = t as f64 / 155.0;
        0.5 * mean * x * (1.0 - x)
    });

    let model = dir.path().join("model.json");
    let out = mmm(&["fit", path(&data), "--json", path(&model)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("Trend: bends at 4 knots"), "{}", text(&out.stdout));
    let doc = read_json(&model);
    assert_eq!(doc["format_version"], 4);
    assert_eq!(doc["baseline"]["trend_knots"], serde_json::json!([0.2, 0.4, 0.6, 0.8]));
    let out = mmm(&["inspect-model", path(&model)]);
    assert!(text(&out.stdout).contains("Trend: bends at 4 knots"), "{}", text(&out.stdout));

    let out = mmm(&["fit", path(&data), "--trend-knots", "0", "--json", path(&model)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!text(&out.stdout).contains("Trend:"), "{}", text(&out.stdout));
    let doc = read_json(&model);
    assert_eq!(doc["format_version"], 2);
    assert!(doc["baseline"].get("trend_knots").is_none());

    let out = mmm(&["fit", path(&data), "--trend-knots", "13"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("--trend-knots must be at most 12"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn noise_that_lingers_is_found_unless_the_flag_keeps_it_white() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data.csv");
    let out = mmm(&[
        "simulate",
        "--seed",
        "7",
        "--noise",
        "0.05",
        "--noise-autocorrelation",
        "0.8",
        "--out",
        path(&data),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let model = dir.path().join("model.json");
    let out = mmm(&["fit", path(&data), "--json", path(&model)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let doc = read_json(&model);
    let rho = doc["fit"]["noise_autocorrelation"].as_f64().unwrap();
    assert!((0.6..=0.9).contains(&rho), "{rho}");
    let line = format!("Noise: autocorrelation {rho:.2} from one period to the next");
    assert!(text(&out.stdout).contains(&line), "{}", text(&out.stdout));
    let out = mmm(&["inspect-model", path(&model)]);
    assert!(text(&out.stdout).contains(&line), "{}", text(&out.stdout));

    let out = mmm(&["fit", path(&data), "--white-noise", "--json", path(&model)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!text(&out.stdout).contains("Noise:"), "{}", text(&out.stdout));
    let doc = read_json(&model);
    assert!(doc["fit"].get("noise_autocorrelation").is_none());

    let out = mmm(&["simulate", "--noise-autocorrelation", "0.96", "--out", path(&data)]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("--noise-autocorrelation must be between 0 and 0.95"));

    // A level that wanders beside independent noise: the slow part's share is named.
    let walk = ["--seed", "6", "--noise", "0.05", "--level-walk", "0.02", "--out", path(&data)];
    let out = mmm(&[&["simulate"][..], &walk].concat());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = mmm(&["fit", path(&data), "--json", path(&model)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let doc = read_json(&model);
    let rho = doc["fit"]["noise_autocorrelation"].as_f64().unwrap();
    let share = doc["fit"]["noise_autocorrelated_share"].as_f64().unwrap();
    let line = format!(
        "Noise: autocorrelation {rho:.2} from one period to the next in {:.0}% of it",
        100.0 * share
    );
    assert!(text(&out.stdout).contains(&line), "{line}\n{}", text(&out.stdout));
    let out = mmm(&["simulate", "--level-walk", "0.2", "--out", path(&data)]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("--level-walk must be between 0 and 0.1"));
}

#[test]
fn carry_over_that_peaks_late_is_found_unless_the_flag_keeps_it_geometric() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data.csv");
    let simulated = ["simulate", "--seed", "3", "--adstock-peak", "2", "--out", path(&data)];
    let out = mmm(&simulated);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let model = dir.path().join("model.json");
    let out = mmm(&["fit", path(&data), "--json", path(&model)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let doc = read_json(&model);
    assert_eq!(doc["spec"]["adstock"], "weibull");
    // The line names every channel whose Weibull weights peak after lag 0, with that lag.
    let late: Vec<String> = doc["channels"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| {
            let (shape, scale) =
                (c["adstock"]["shape"].as_f64().unwrap(), c["adstock"]["scale"].as_f64().unwrap());
            let weight = |l: f64| {
                let z = (l + 1.0) / scale;
                z.powf(shape - 1.0) * (-z.powf(shape)).exp()
            };
            let lag =
                (0..=8).map(f64::from).fold(0.0, |b, l| if weight(l) > weight(b) { l } else { b });
            let plural = if lag == 1.0 { "" } else { "s" };
            (lag > 0.0)
                .then(|| format!("{} ({lag} week{plural} later)", c["name"].as_str().unwrap()))
        })
        .collect();
    assert!(late.iter().any(|l| l.starts_with("tv (")), "{late:?}");
    let line = format!("Carry-over: peaks after the spend for {}\n", late.join(", "));
    assert!(text(&out.stdout).contains(&line), "{line}{}", text(&out.stdout));
    let out = mmm(&["inspect-model", path(&model)]);
    assert!(text(&out.stdout).contains(&line), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("carry-over shape"), "{}", text(&out.stdout));

    let out = mmm(&["fit", path(&data), "--no-delay", "--json", path(&model)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!text(&out.stdout).contains("Carry-over:"), "{}", text(&out.stdout));
    let doc = read_json(&model);
    assert_eq!(doc["spec"]["adstock"], "geometric");
    assert_eq!(doc["spec"]["delayed_adstock"], false);

    let out = mmm(&["simulate", "--adstock-peak", "9", "--out", path(&data)]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("--adstock-peak must be between 0 and 8 periods"));
}

/// Simulates the weekly market of seed 1000 at 4.5% noise with `event` (a flag of `mmm
/// simulate` and its value) into `dir`, and fits it. Returns the data's path, the model
/// document's path, the simulated starting level and the fit's output.
fn fitted_with_event(dir: &Path, event: [&str; 2]) -> (PathBuf, PathBuf, f64, Output) {
    let data = dir.join("data.csv");
    let truth = dir.join("truth.json");
    let simulated = ["simulate", "--seed", "1000", "--noise", "0.045", event[0], event[1]];
    let out = mmm(&[&simulated[..], &["--out", path(&data), "--truth", path(&truth)]].concat());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let level = read_json(&truth)["baseline"]["intercept"].as_f64().unwrap();
    let model = dir.join("model.json");
    let out = mmm(&["fit", path(&data), "--json", path(&model)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    (data, model, level, out)
}

#[test]
fn weeks_that_jump_every_year_get_terms_of_their_own_unless_the_flag_leaves_them() {
    let dir = tempfile::tempdir().unwrap();
    // Two events a year that no column marks: 40% of the starting level more in the weeks
    // holding 27 November and 24 December.
    let (data, model, level, out) = fitted_with_event(dir.path(), ["--events", "0.4"]);
    let lift = 0.4 * level;
    let doc = read_json(&model);
    assert_eq!(doc["format_version"], 5);
    let events = doc["baseline"]["events"]["dates"].as_array().unwrap();
    let dates: Vec<(u64, u64)> =
        events.iter().map(|e| (e["month"].as_u64().unwrap(), e["day"].as_u64().unwrap())).collect();
    assert_eq!(dates, [(11, 27), (12, 24)]);
    let effect = |i: usize| events[i]["coefficient"].as_f64().unwrap();
    assert!((0..2).all(|i| (effect(i) / lift - 1.0).abs() < 0.25), "{events:?} against {lift}");
    let line = format!(
        "Recurring events: the week of 27 November (+{}) and the week of 24 December (+{}) \
         every year",
        mmm_core::text::thousands(effect(0)),
        mmm_core::text::thousands(effect(1))
    );
    assert!(text(&out.stdout).contains(&line), "{line}\n{}", text(&out.stdout));
    let out = mmm(&["inspect-model", path(&model)]);
    assert!(text(&out.stdout).contains(&line), "{}", text(&out.stdout));

    // Left to the residuals, they are named as an insight instead.
    let out = mmm(&["fit", path(&data), "--no-events", "--json", path(&model)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!text(&out.stdout).contains("Recurring events:"), "{}", text(&out.stdout));
    let doc = read_json(&model);
    assert!(doc["baseline"].get("events").is_none(), "{}", doc["baseline"]);
    assert_eq!(doc["spec"]["recurring_events"], false);
    let out = mmm(&["inspect-model", path(&model), "--insights"]);
    let said = text(&out.stdout);
    assert!(said.contains("revenue moves in the same weeks every year"), "{said}");
    let out = mmm(&["fit", path(&data), "--insights"]);
    assert!(!text(&out.stdout).contains("in the same weeks every year"), "{}", text(&out.stdout));

    let out = mmm(&["simulate", "--events", "2", "--out", path(&data)]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("--events must be between -0.5 and 1"));
    for (feast, said) in [
        ("easter=-0.6", "--feast easter=-0.6: the lift must be a number between -0.5 and 1"),
        ("lunar-new-year=lots", "the lift must be a number between -0.5 and 1"),
        (
            "hanukkah=0.4",
            "no feast 'hanukkah' (the feasts: easter, orthodox_easter, lunar_new_year",
        ),
        ("easter", "--feast easter: write FEAST=LIFT"),
        ("easter=0.2 --feast easter=0.4", "--feast: give each feast once"),
    ] {
        let feasts: Vec<&str> = feast.split(' ').collect();
        let out = mmm(&[&["simulate", "--feast"], &feasts[..], &["--out", path(&data)]].concat());
        assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
        assert!(text(&out.stderr).contains(said), "{}", text(&out.stderr));
    }
}

#[test]
fn days_that_jump_every_year_are_named_by_their_date() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data.csv");
    // Three years of days; 40% of the starting level more on 27 November and 24 December.
    let simulated = ["simulate", "--frequency", "daily", "--weeks", "1095", "--seed", "1000"];
    let out =
        mmm(&[&simulated[..], &["--noise", "0.045", "--events", "0.4", "--out", path(&data)]]
            .concat());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let model = dir.path().join("model.json");
    let out = mmm(&["fit", path(&data), "--json", path(&model)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let doc = read_json(&model);
    assert_eq!(doc["baseline"]["events"]["period_days"], 1);
    let events = doc["baseline"]["events"]["dates"].as_array().unwrap();
    // Stored in the order the data asked for them; said in calendar order.
    let effect = |month: u64| {
        let event = events.iter().find(|e| e["month"] == month).unwrap();
        mmm_core::text::thousands(event["coefficient"].as_f64().unwrap())
    };
    let line = format!(
        "Recurring events: 27 November (+{}) and 24 December (+{}) every year",
        effect(11),
        effect(12)
    );
    assert!(text(&out.stdout).contains(&line), "{line}\n{}", text(&out.stdout));

    // Left to the residuals, the insight names the days.
    let out = mmm(&["fit", path(&data), "--no-events", "--insights"]);
    let said = text(&out.stdout);
    assert!(said.contains("revenue moves in the same days every year"), "{said}");
    assert!(said.contains("the same way on 27 November"), "{said}");
}

#[test]
fn a_day_that_keeps_its_weekday_is_named_by_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data.csv");
    // Black Friday (the Friday of 23-29 November), half the mean revenue more, in three years
    // of days.
    let daily = ["--frequency", "daily", "--weeks", "1095", "--seed", "1000", "--noise", "0.045"];
    simulated_with_extra_revenue(&daily, &data, |_, date, mean| {
        let date = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
        let friday = date.weekday() == chrono::Weekday::Fri;
        if friday && date.month() == 11 && (23..=29).contains(&date.day()) {
            mean / 2.0
        } else {
            0.0
        }
    });
    let model = dir.path().join("model.json");
    let out = mmm(&["fit", path(&data), "--json", path(&model)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let doc = read_json(&model);
    assert_eq!(doc["format_version"], 6);
    let event = &doc["baseline"]["events"]["dates"][0];
    assert_eq!(
        (&event["month"], &event["day"], &event["weekday"]),
        (&json!(11), &json!(24), &json!("Fri"))
    );
    let line = format!(
        "Recurring events: the Friday of 24-30 November (+{}) every year",
        mmm_core::text::thousands(event["coefficient"].as_f64().unwrap())
    );
    assert!(text(&out.stdout).contains(&line), "{line}\n{}", text(&out.stdout));

    // Left to the residuals, the insight names the last year's day and its weekday.
    let out = mmm(&["fit", path(&data), "--no-events", "--insights"]);
    let said = text(&out.stdout).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        said.contains("on Friday 29 November and the Friday near it in each earlier year"),
        "{said}"
    );
}

#[test]
fn a_week_that_moves_with_easter_is_named_by_it() {
    let dir = tempfile::tempdir().unwrap();
    // The week holding Easter Sunday (17 April 2022, 9 April 2023, 31 March 2024), 40% of the
    // starting level more.
    let (data, model, level, out) = fitted_with_event(dir.path(), ["--feast", "easter=0.4"]);
    let lift = 0.4 * level;
    let event = &read_json(&model)["baseline"]["events"]["dates"][0];
    assert_eq!((&event["month"], &event["easter"]), (&json!(0), &json!(0)));
    let effect = event["coefficient"].as_f64().unwrap();
    assert!((effect / lift - 1.0).abs() < 0.25, "{effect} against {lift}");
    let line = format!(
        "Recurring events: the week of Easter Sunday (+{}) every year",
        mmm_core::text::thousands(event["coefficient"].as_f64().unwrap())
    );
    assert!(text(&out.stdout).contains(&line), "{line}\n{}", text(&out.stdout));
    // Left to the residuals, the insight says the week moves with Easter.
    let out = mmm(&["fit", path(&data), "--no-events", "--insights"]);
    let said = text(&out.stdout).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(said.contains("in the week of 25 March, as far from Easter every year"), "{said}");
}

#[test]
fn a_week_that_moves_with_lunar_new_year_is_named_by_it() {
    let dir = tempfile::tempdir().unwrap();
    // The week holding Lunar New Year (1 February 2022, 22 January 2023, 10 February 2024), 40%
    // of the starting level more: no date and no Easter holds it every year.
    let (data, model, level, out) =
        fitted_with_event(dir.path(), ["--feast", "lunar-new-year=0.4"]);
    let lift = 0.4 * level;
    let doc = read_json(&model);
    // An mmm that knows only Easter would put the event nowhere: version 7.
    assert_eq!(doc["format_version"], 7);
    let event = &doc["baseline"]["events"]["dates"][0];
    assert_eq!((&event["month"], &event["lunar_new_year"]), (&json!(0), &json!(0)));
    assert!(event.get("easter").is_none(), "{event}");
    let effect = event["coefficient"].as_f64().unwrap();
    assert!((effect / lift - 1.0).abs() < 0.25, "{effect} against {lift}");
    let line = format!(
        "Recurring events: the week of Lunar New Year (+{}) every year",
        mmm_core::text::thousands(effect)
    );
    assert!(text(&out.stdout).contains(&line), "{line}\n{}", text(&out.stdout));
    let out = mmm(&["fit", path(&data), "--no-events", "--insights"]);
    let said = text(&out.stdout).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        said.contains("in the week of 5 February, as far from Lunar New Year every year"),
        "{said}"
    );
}

#[test]
fn a_week_that_moves_with_the_mid_autumn_festival_is_named_by_it() {
    let dir = tempfile::tempdir().unwrap();
    // The week holding the Mid-Autumn Festival (10 September 2022, 29 September 2023, 17
    // September 2024), 40% of the starting level more.
    let (_, model, level, out) = fitted_with_event(dir.path(), ["--feast", "mid-autumn=0.4"]);
    let doc = read_json(&model);
    // An mmm that knows only the feasts of format version 7 would put it nowhere: version 8.
    assert_eq!(doc["format_version"], 8);
    let event = &doc["baseline"]["events"]["dates"][0];
    assert_eq!((&event["month"], &event["mid_autumn"]), (&json!(0), &json!(0)));
    let effect = event["coefficient"].as_f64().unwrap();
    assert!((effect / (0.4 * level) - 1.0).abs() < 0.25, "{effect} against {level}");
    let line = format!(
        "Recurring events: the week of the Mid-Autumn Festival (+{}) every year",
        mmm_core::text::thousands(effect)
    );
    assert!(text(&out.stdout).contains(&line), "{line}\n{}", text(&out.stdout));
    let out = mmm(&["inspect-model", path(&model)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains(&line), "{line}\n{}", text(&out.stdout));
}

#[test]
fn a_week_that_moves_with_diwali_is_diwalis_not_a_dates() {
    let dir = tempfile::tempdir().unwrap();
    // Diwali (24 October 2022, 12 November 2023, 31 October 2024) is within a week of the same
    // date in two of the three years; its week, 40% up, is named by Diwali all the same, and
    // India's holidays ask about nothing the market does not show.
    let (data, model, level, out) = fitted_with_event(dir.path(), ["--feast", "diwali=0.4"]);
    let doc = read_json(&model);
    let events = doc["baseline"]["events"]["dates"].as_array().unwrap();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!((&events[0]["month"], &events[0]["diwali"]), (&json!(0), &json!(0)));
    let effect = events[0]["coefficient"].as_f64().unwrap();
    assert!((effect / (0.4 * level) - 1.0).abs() < 0.25, "{effect} against {level}");
    let said = "Recurring events: the week of Diwali (+";
    assert!(text(&out.stdout).contains(said), "{}", text(&out.stdout));
    let out = mmm(&["fit", path(&data), "--holidays", "in", "--json", path(&model)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let asked = read_json(&model);
    assert_eq!(asked["baseline"]["events"]["dates"].as_array().unwrap().len(), 1);
    assert_eq!(asked["spec"]["candidate_events"].as_array().unwrap().len(), 13);
}

#[test]
fn a_week_that_moves_with_holi_is_named_by_it_and_needs_format_version_10() {
    let dir = tempfile::tempdir().unwrap();
    // Holi (18 March 2022, 8 March 2023, 25 March 2024), 40% of the starting level more: no
    // date holds it every year, and Easter is weeks from it in 2022 and 2024.
    let (data, model, level, out) = fitted_with_event(dir.path(), ["--feast", "holi=0.4"]);
    let doc = read_json(&model);
    // An mmm that predates Holi would put the event nowhere: version 10.
    assert_eq!(doc["format_version"], 10);
    let event = &doc["baseline"]["events"]["dates"][0];
    assert_eq!((&event["month"], &event["holi"]), (&json!(0), &json!(0)));
    let effect = event["coefficient"].as_f64().unwrap();
    assert!((effect / (0.4 * level) - 1.0).abs() < 0.25, "{effect} against {level}");
    let line = format!(
        "Recurring events: the week of Holi (+{}) every year",
        mmm_core::text::thousands(effect)
    );
    assert!(text(&out.stdout).contains(&line), "{line}\n{}", text(&out.stdout));
    let out = mmm(&["inspect-model", path(&model)]);
    assert!(text(&out.stdout).contains(&line), "{line}\n{}", text(&out.stdout));
    // Left to the residuals, the insight says the week moves with Holi; India's holidays,
    // Holi among them, add nothing the market does not show.
    let out = mmm(&["fit", path(&data), "--no-events", "--insights"]);
    let said = text(&out.stdout).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(said.contains("in the week of 25 March, as far from Holi every year"), "{said}");
    let out = mmm(&["fit", path(&data), "--holidays", "in", "--json", path(&model)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let events = read_json(&model)["baseline"]["events"]["dates"].clone();
    assert_eq!(events.as_array().map(|e| e.len()), Some(1), "{events}");
    assert_eq!(events[0]["holi"], json!(0));
}

#[test]
fn an_event_the_caller_names_gets_its_term_and_bad_ones_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    // The week of Eid al-Fitr 10% up: too faint for the fit to find by itself.
    let (data, _, _, out) = fitted_with_event(dir.path(), ["--feast", "eid_al_fitr=0.1"]);
    assert!(!text(&out.stdout).contains("Recurring events"), "{}", text(&out.stdout));
    let model = dir.path().join("named.json");
    let out = mmm(&["fit", path(&data), "--event", "eid_al_fitr", "--json", path(&model)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let doc = read_json(&model);
    assert_eq!(doc["spec"]["events"], json!(["eid_al_fitr"]));
    let event = &doc["baseline"]["events"]["dates"][0];
    assert_eq!(event["eid_al_fitr"], json!(0));
    let line = format!(
        "Recurring events: the week of Eid al-Fitr (+{}, named) every year\n",
        mmm_core::text::thousands(event["coefficient"].as_f64().unwrap())
    );
    assert!(text(&out.stdout).contains(&line), "{line}{}", text(&out.stdout));
    for (event, said) in [
        ("02-30", "--event 02-30: '02-30' is not a date every year has"),
        ("hanukkah", "--event hanukkah: 'hanukkah' is neither a date MM-DD nor a feast"),
        ("11-23/Fry", "'Fry' is not a weekday"),
        ("easter+90", "a feast's event falls within 60 days of it"),
    ] {
        let out = mmm(&["fit", path(&data), "--event", event]);
        assert!(!out.status.success());
        assert!(text(&out.stderr).contains(said), "{event}: {}", text(&out.stderr));
    }
    let out = mmm(&["fit", path(&data), "--holidays", "xx"]);
    assert!(!out.status.success());
    let said = "--holidays xx: the countries are us, uk, de, fr, ca, au, es, it, nl, br, mx, jp, \
                cn, kr, in, tr, sa, ae, eg, id";
    assert!(text(&out.stderr).contains(said), "{}", text(&out.stderr));
    let out = mmm(&["fit", path(&data), "--event", "11-27", "--event", "11-27"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("event '11-27' is named twice"), "{}", text(&out.stderr));
}

#[test]
fn the_holidays_fit_can_ask_about_are_listed_by_country() {
    let out = mmm(&["holidays"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let listed = text(&out.stdout);
    let lines: Vec<&str> = listed.lines().collect();
    assert_eq!(lines.len(), 20, "{listed}");
    assert_eq!(lines[0], "us  United States (17 holidays)");
    assert!(lines.contains(&"tr  Turkey (15 holidays)"), "{listed}");
    // One country's: each as --event names it, then when it falls; every one reads back.
    let out = mmm(&["holidays", "TR"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let turkey = text(&out.stdout);
    assert_eq!(turkey.lines().count(), 15, "{turkey}");
    for line in ["ramadan          Ramadan", "eid_al_adha..+3  Eid al-Adha and the 3 days after"] {
        assert!(turkey.lines().any(|l| l == line), "{line}\n{turkey}");
    }
    for line in turkey.lines() {
        let rule = line.split_whitespace().next().unwrap();
        assert!(rule.parse::<mmm_core::events::Rule>().is_ok(), "{line}");
    }
    // With a year, the days each holiday falls on: Korea's Seollal of 2027 a day after the
    // Chinese calendar's, Turkey's Ramadan of 2026 as a span, and Holi past its table.
    let days_of = |code: &str, year: &str, rule: &str| {
        let out = mmm(&["holidays", code, "--year", year]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let listed = text(&out.stdout);
        let line = listed.lines().find(|l| l.split_whitespace().next() == Some(rule));
        line.map(|l| l.split("  ").filter(|p| !p.is_empty()).last().unwrap_or("").trim().to_owned())
    };
    assert_eq!(days_of("kr", "2027", "seollal").as_deref(), Some("7 February"));
    assert_eq!(days_of("tr", "2026", "ramadan").as_deref(), Some("18 February to 19 March"));
    assert_eq!(days_of("in", "2036", "holi").as_deref(), Some("not known"));
    assert_eq!(mmm(&["holidays", "--year", "2027"]).status.code(), Some(2));
    let out = mmm(&["holidays", "zz"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("no holidays for 'zz' (the countries: us, uk,"));
}

#[test]
fn an_event_of_several_days_is_simulated_and_named_by_its_span() {
    let dir = tempfile::tempdir().unwrap();
    // Ramadan 30% of the level up, each week by the share of its days in Ramadan.
    let (data, _, level, _) = fitted_with_event(dir.path(), ["--lift", "ramadan=0.3"]);
    let model = dir.path().join("named.json");
    let out = mmm(&["fit", path(&data), "--event", "eid_al_fitr-30..-1", "--json", path(&model)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let doc = read_json(&model);
    assert_eq!((&doc["format_version"], &doc["spec"]["events"]), (&json!(9), &json!(["ramadan"])));
    let event = &doc["baseline"]["events"]["dates"][0];
    assert_eq!((&event["eid_al_fitr"], &event["days"]), (&json!(-30), &json!(30)));
    let effect = event["coefficient"].as_f64().unwrap();
    assert!((effect / (0.3 * level) - 1.0).abs() < 0.15, "{effect} against {}", 0.3 * level);
    let line = format!(
        "Recurring events: Ramadan (+{} a week, named) every year\n",
        mmm_core::text::thousands(effect)
    );
    assert!(text(&out.stdout).contains(&line), "{line}{}", text(&out.stdout));
    // A holiday season as dates, read back by inspect-model.
    let out = mmm(&["fit", path(&data), "--event", "11-20..12-25", "--json", path(&model)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = mmm(&["inspect-model", path(&model)]);
    assert!(text(&out.stdout).contains("20 November to 25 December ("), "{}", text(&out.stdout));
    for (args, said) in [
        (["fit", "--event", "06-01..09-01"], "lasts 93 days; an event lasts 92 at most"),
        (["fit", "--event", "11-23/Fri..11-26"], "an event that keeps a weekday lasts one day"),
        (["simulate", "--lift", "ramadan"], "--lift ramadan: write EVENT=LIFT"),
        (["simulate", "--lift", "ramadan=2"], "the lift must be a number between -0.5 and 1"),
        (["simulate", "--lift", "12-20..=0.1"], "after '..' comes the last day, MM-DD"),
    ] {
        let target = if args[0] == "fit" { path(&data) } else { "--out=-" };
        let out = mmm(&[args[0], target, args[1], args[2]]);
        assert!(!out.status.success(), "{args:?}");
        assert!(text(&out.stderr).contains(said), "{args:?}: {}", text(&out.stderr));
    }
}

#[test]
fn a_holiday_season_gains_harmonics_unless_the_flag_keeps_two() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data.csv");
    // A holiday season: a third of the mean revenue more from 20 November to 25 December.
    simulate_with_extra_revenue(&data, |_, date, mean| {
        let (month, day) = (&date[5..7], date[8..10].parse::<u32>().unwrap());
        let holiday = month == "12" && day <= 25 || month == "11" && day >= 20;
        if holiday { mean / 3.0 } else { 0.0 }
    });

    let out = mmm(&["fit", path(&data)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let season = "Season: 6 yearly harmonics (the data are more likely with them than with 2)";
    assert!(text(&out.stdout).contains(season), "{}", text(&out.stdout));
    let out = mmm(&["fit", path(&data), "--max-yearly-harmonics", "2"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!text(&out.stdout).contains("Season:"), "{}", text(&out.stdout));
    let out = mmm(&["fit", path(&data), "--max-yearly-harmonics", "13"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("--max-yearly-harmonics must be at most 12"));
}
