//! Data set upload, listing, detail, deletion, isolation.

use crate::helpers::{Backend, TestApp, simulated_csv};

crate::on_both!(
    upload_text_and_multipart,
    a_european_spreadsheet_export_uploads_as_it_is,
    monthly_data_trains_calibrates_and_plans_by_the_month,
    invalid_data_lists_every_problem,
    users_see_only_their_own_data_sets,
    listings_come_by_the_page_with_their_total,
    uploads_and_details_carry_the_data_checks,
    stacked_geos_are_refused_with_the_fix_or_added_up
);

fn stacked_geos_are_refused_with_the_fix_or_added_up(app: TestApp) {
    let token = app.register("ann@example.com");
    let geo_file = std::fs::read(format!(
        "{}/../../fixtures/meridian/meridian_geo.csv",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    // As it is: one problem that says what the file is and what to do, and nothing stored.
    let r = app.post("/api/v1/datasets?name=geos", Some(&token), "text/csv", geo_file.clone());
    assert_eq!(r.status, 422, "{}", r.text);
    let details = r.json()["error"]["details"].as_array().unwrap().clone();
    assert_eq!(details.len(), 1, "{details:?}");
    assert_eq!(details[0]["column"], "date");
    let reason = details[0]["reason"].as_str().unwrap();
    assert!(reason.contains("5 geos or markets stacked by 'geo'"), "{reason}");
    assert_eq!(app.get("/api/v1/datasets", Some(&token)).json(), serde_json::json!([]));
    // Named, the 5 geos are added up: 104 national weeks, the geo and population columns gone.
    let r = app.post(
        "/api/v1/datasets?name=national&geo_column=geo",
        Some(&token),
        "text/csv",
        geo_file,
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let uploaded = r.json();
    assert_eq!(uploaded["rows"], 104);
    let roles = &uploaded["roles"];
    assert_eq!(roles["kpi"], "revenue");
    let controls: Vec<&str> =
        roles["controls"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
    assert_eq!(controls, ["price_index", "promo"]);
    // A model of it scores the geo file, added up the same way (here the weeks it was fitted on).
    let (model, _, job) = app.train(&token, uploaded["id"].as_str().unwrap());
    assert_eq!(job["state"], "succeeded", "{job}");
    let geo_file = std::fs::read(format!(
        "{}/../../fixtures/meridian/meridian_geo.csv",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let path = format!("/api/v1/models/{model}/score");
    let r = app.post(&path, Some(&token), "text/csv", geo_file.clone());
    assert_eq!(r.status, 422, "without geo_column: {}", r.text);
    let r = app.post(&format!("{path}?geo_column=geo"), Some(&token), "text/csv", geo_file);
    assert_eq!(r.status, 200, "{}", r.text);
    let scored = r.json();
    assert_eq!(scored["periods"].as_array().unwrap().len(), 104);
    // The helper's training holds out the last 8 weeks.
    assert_eq!(scored["out_of_sample"], 8);
}

fn upload_text_and_multipart(app: TestApp) {
    let token = app.register("ann@example.com");
    let csv = simulated_csv(80, 2);
    let r = app.post(
        "/api/v1/datasets?name=weekly%20sales&controls=price_index",
        Some(&token),
        "text/csv",
        &csv,
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let d = r.json();
    assert_eq!(d["name"], "weekly sales");
    // A NUL, which PostgreSQL cannot store as text, in the name or in a column the model
    // would not use: refused with where it is, and nothing stored.
    let r = app.post("/api/v1/datasets?name=a%00b", Some(&token), "text/csv", &csv);
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.text.contains("name must not hold control characters"), "{}", r.text);
    let mut lines: Vec<String> = csv.lines().map(str::to_owned).collect();
    lines[0].push_str(",note");
    for (i, line) in lines.iter_mut().enumerate().skip(1) {
        line.push_str(if i == 5 { ",x\u{0}y" } else { ",x" });
    }
    let r = app.post("/api/v1/datasets?name=nul", Some(&token), "text/csv", lines.join("\n"));
    assert_eq!(r.status, 422, "{}", r.text);
    let problem = &r.json()["error"]["details"][0];
    assert_eq!(
        (&problem["column"], &problem["line"]),
        (&serde_json::json!("note"), &serde_json::json!(6)),
        "{problem}"
    );
    assert!(problem["reason"].as_str().unwrap().starts_with("holds a NUL character"));
    assert_eq!(app.get("/api/v1/datasets", Some(&token)).json().as_array().unwrap().len(), 1);
    assert_eq!((d["rows"].as_i64(), d["history_rows"].as_i64()), (Some(80), Some(0)));
    assert_eq!(d["frequency"], "weekly");
    assert_eq!(d["start_date"], "2022-01-03");
    assert_eq!(d["roles"]["media"], serde_json::json!(["tv_spend", "search_spend"]));
    assert_eq!(d["roles"]["channels"], serde_json::json!(["tv", "search"]));
    assert_eq!(d["roles"]["controls"], serde_json::json!(["price_index"]));
    assert_eq!(d["roles"]["ignored"], serde_json::json!(["promo"]));

    let boundary = "XyZbOuNdArY";
    let body = format!(
        "--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"sales.csv\"\r\nContent-Type: text/csv\r\n\r\n{csv}\r\n\
         --{b}\r\nContent-Disposition: form-data; name=\"kpi\"\r\n\r\nrevenue\r\n\
         --{b}\r\nContent-Disposition: form-data; name=\"media\"\r\n\r\npromo,tv_spend\r\n--{b}--\r\n",
        b = boundary
    );
    let r = app.post(
        "/api/v1/datasets",
        Some(&token),
        &format!("multipart/form-data; boundary={boundary}"),
        body,
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(r.json()["name"], "sales.csv");
    // A media column without the `_spend` suffix is a channel of the same name.
    assert_eq!(r.json()["roles"]["channels"], serde_json::json!(["promo", "tv"]));

    let list = app.get("/api/v1/datasets", Some(&token)).json();
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(list[0]["id"], id, "newest first");

    let detail = app.get(&format!("/api/v1/datasets/{id}"), Some(&token)).json();
    assert_eq!(detail["columns"][0], "date");
    assert_eq!(detail["preview"].as_array().unwrap().len(), 10);
    assert_eq!(detail["preview"][0][0], "2022-01-03");

    assert_eq!(app.delete(&format!("/api/v1/datasets/{id}"), Some(&token)).status, 204);
    let r = app.get(&format!("/api/v1/datasets/{id}"), Some(&token));
    assert_eq!((r.status, r.error_code().as_str()), (404, "not_found"));
}

fn a_european_spreadsheet_export_uploads_as_it_is(app: TestApp) {
    let token = app.register("ann@example.com");
    let csv = simulated_csv(80, 2);
    // Semicolons, decimal commas, dates as DD.MM.YYYY, a byte-order mark and CRLF line ends.
    let german: Vec<String> = csv
        .replace(',', ";")
        .replace('.', ",")
        .lines()
        .map(|line| match line.split_at_checked(10) {
            Some((date, rest)) if date.as_bytes()[4] == b'-' => {
                let (y, m, d) = (&date[..4], &date[5..7], &date[8..]);
                format!("{d}.{m}.{y}{rest}")
            }
            _ => line.to_owned(),
        })
        .collect();
    let export = format!("\u{feff}{}\r\n", german.join("\r\n"));
    let r = app.post("/api/v1/datasets?controls=price_index", Some(&token), "text/csv", &export);
    assert_eq!(r.status, 201, "{}", r.text);
    let d = r.json();
    assert_eq!(d["rows"].as_i64(), Some(80));
    let first_date = &csv.lines().nth(1).unwrap()[..10];
    assert_eq!(d["start_date"], first_date);
    // Stored as it came, it is read the same way again to train on.
    let (_, _, job) = app.train(&token, d["id"].as_str().unwrap());
    assert_eq!(job["state"], "succeeded", "{job}");
    assert_eq!(d["roles"]["channels"], serde_json::json!(["tv", "search"]));
    assert_eq!(d["roles"]["controls"], serde_json::json!(["price_index"]));
    let id = d["id"].as_str().unwrap();
    let detail = app.get(&format!("/api/v1/datasets/{id}"), Some(&token)).json();
    let first: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    assert_eq!(detail["columns"], serde_json::json!(first));
    let row: Vec<String> = german[1].split(';').map(str::to_owned).collect();
    assert_eq!(detail["preview"][0], serde_json::json!(row));

    // Excel's "Unicode Text": UTF-16 with a byte-order mark, tab-separated. Stored as UTF-8.
    let tabs = csv.replace(',', "\t");
    let utf16: Vec<u8> =
        [0xFF, 0xFE].into_iter().chain(tabs.encode_utf16().flat_map(u16::to_le_bytes)).collect();
    let r = app.post("/api/v1/datasets", Some(&token), "text/csv", &utf16);
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json()["id"].as_str().unwrap().to_owned();
    let detail = app.get(&format!("/api/v1/datasets/{id}"), Some(&token)).json();
    assert_eq!(detail["columns"], serde_json::json!(first));
    let r = app.post("/api/v1/datasets", Some(&token), "text/csv", &utf16[..utf16.len() - 1]);
    assert_eq!((r.status, r.error_code().as_str()), (422, "invalid_data"));
    assert_eq!(r.json()["error"]["details"][0]["reason"], mmm_core::dataset::UTF16_UNREADABLE);
}

fn monthly_data_trains_calibrates_and_plans_by_the_month(app: TestApp) {
    use mmm_core::dataset::Frequency;
    use mmm_core::simulate::{SimConfig, simulate};
    let token = app.register("ann@example.com");
    // Four years of months, named by their last days.
    let config = SimConfig {
        periods: 48,
        channels: 3,
        seed: 11,
        noise: 0.03,
        start: "2021-01-31".parse().unwrap(),
        frequency: Frequency::Monthly,
        ..SimConfig::default()
    };
    let csv = simulate(&config).dataset.to_csv();
    let r = app.post("/api/v1/datasets?name=monthly%20sales", Some(&token), "text/csv", &csv);
    assert_eq!(r.status, 201, "{}", r.text);
    let d = r.json();
    assert_eq!((d["frequency"].as_str(), d["rows"].as_i64()), (Some("monthly"), Some(48)));
    assert_eq!(
        (d["start_date"].as_str(), d["end_date"].as_str()),
        (Some("2021-01-31"), Some("2024-12-31"))
    );
    let dataset = d["id"].as_str().unwrap();

    // A backtest without a horizon scores a quarter per fold: 3 months, the last fold the last
    // quarter of 2024.
    let r = app.post_json(
        &format!("/api/v1/datasets/{dataset}/backtest"),
        Some(&token),
        &serde_json::json!({"folds": 2}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let b = r.json();
    assert_eq!(b["horizon"], 3);
    assert_eq!(b["folds"][0]["fit_periods"], 42);
    assert_eq!(
        (b["folds"][1]["start"].as_str(), b["folds"][1]["end"].as_str()),
        (Some("2024-10-31"), Some("2024-12-31"))
    );

    let (plain, _, job) = app.train_with(&token, &serde_json::json!({"dataset_id": dataset}));
    assert_eq!(job["state"], "succeeded", "{job}");
    // A lift test names its months by their first days; the fit places them by the month
    // (March to August 2023 are months 26 to 31) and moves search's contribution there
    // towards the measurement.
    let measured = 90_000.0;
    let (model, _, job) = app.train_with(
        &token,
        &serde_json::json!({"dataset_id": dataset, "lift_tests": [{"channel": "search",
            "start": "2023-03-01", "end": "2023-08-01", "incremental": measured,
            "standard_error": 9000.0}]}),
    );
    assert_eq!(job["state"], "succeeded", "{job}");
    let window = |model: &str| -> f64 {
        let doc = app.get(&format!("/api/v1/models/{model}"), Some(&token)).json();
        let search = &doc["document"]["series"]["channels"][1];
        assert_eq!(doc["document"]["channels"][1]["name"], "search");
        search["contribution"].as_array().unwrap()[26..=31]
            .iter()
            .map(|v| v.as_f64().unwrap())
            .sum()
    };
    let (before, after) = (window(&plain), window(&model));
    assert!((after - measured).abs() < 0.5 * (before - measured).abs(), "{before} -> {after}");
    let model = model.as_str();
    let status = app.get(&format!("/api/v1/mmm/status?model_id={model}"), Some(&token)).json();
    assert_eq!(status["frequency"], "monthly");

    // Plans and their forecasts go on month by month, month ends after month ends.
    let current = app.current_total(&token, model);
    let r = app.post_json(
        &format!("/api/v1/models/{model}/plan"),
        Some(&token),
        &serde_json::json!({"periods": 3, "total_budget": 3.0 * current, "forecast": true}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let plan = r.json();
    let dates = |periods: &serde_json::Value| -> Vec<String> {
        periods.as_array().unwrap().iter().map(|p| p["date"].as_str().unwrap().to_owned()).collect()
    };
    let months = ["2025-01-31", "2025-02-28", "2025-03-31"];
    assert_eq!(dates(&plan["periods"]), months);
    assert_eq!(dates(&plan["forecast"]["periods"]), months);
    let insights = app.get(&format!("/api/v1/mmm/insights?model_id={model}"), Some(&token)).text;
    assert!(insights.contains(" per month") && !insights.contains("week"), "{insights}");
}

fn invalid_data_lists_every_problem(app: TestApp) {
    let token = app.register("ann@example.com");
    let bad = "date,revenue,tv_spend\n2024-01-08,100,5\n2024-01-01,abc,-2\n";
    let r = app.post("/api/v1/datasets", Some(&token), "text/csv", bad);
    assert_eq!((r.status, r.error_code().as_str()), (422, "invalid_data"));
    let details = r.json()["error"]["details"].as_array().unwrap().clone();
    let has = |column: &str, line: u64, start: &str| {
        details.iter().any(|d| {
            d["column"] == column
                && d["line"] == line
                && d["reason"].as_str().unwrap().starts_with(start)
        })
    };
    assert!(has("revenue", 3, "not a number"), "{details:?}");
    assert!(has("tv_spend", 3, "negative spend"), "{details:?}");
    assert!(has("date", 3, "date 2024-01-01 comes after"), "{details:?}");
    // Nothing was stored.
    assert_eq!(app.get("/api/v1/datasets", Some(&token)).json(), serde_json::json!([]));
}

fn users_see_only_their_own_data_sets(app: TestApp) {
    let ann = app.register("ann@example.com");
    let bob = app.register("bob@example.com");
    let id = app.upload(&ann, 60, 2);
    let r = app.get(&format!("/api/v1/datasets/{id}"), Some(&bob));
    assert_eq!((r.status, r.error_code().as_str()), (404, "not_found"));
    assert_eq!(app.delete(&format!("/api/v1/datasets/{id}"), Some(&bob)).status, 404);
    assert_eq!(app.get("/api/v1/datasets", Some(&bob)).json(), serde_json::json!([]));
    assert_eq!(app.get(&format!("/api/v1/datasets/{id}"), Some(&ann)).status, 200);
    // Only Ann renames it; a bad name changes nothing, and the rest stays as it was.
    let path = format!("/api/v1/datasets/{id}");
    let before = app.get("/api/v1/datasets", Some(&ann)).json()[0].clone();
    let r = app.patch_json(&path, Some(&bob), &serde_json::json!({"name": "mine"}));
    assert_eq!((r.status, r.error_code().as_str()), (404, "not_found"));
    for (name, said) in [
        (serde_json::json!(" "), "name must be 1 to 200 characters"),
        (serde_json::json!("a\nb"), r"name must not hold control characters such as '\\n'"),
        (serde_json::json!(["x"]), "name: invalid type: sequence, expected a string"),
    ] {
        let r = app.patch_json(&path, Some(&ann), &serde_json::json!({ "name": name }));
        assert_eq!(r.status, 422, "{name}: {}", r.text);
        assert!(r.text.contains(said), "{name}: {}", r.text);
    }
    assert_eq!(app.get("/api/v1/datasets", Some(&ann)).json()[0], before);
    let r = app.patch_json(&path, Some(&ann), &serde_json::json!({"name": " weekly sales "}));
    assert_eq!(r.status, 200, "{}", r.text);
    let mut expected = before.clone();
    expected["name"] = "weekly sales".into();
    assert_eq!(r.json(), expected);
    assert_eq!(app.get("/api/v1/datasets", Some(&ann)).json()[0], expected);
    // Without a name, nothing changes.
    let r = app.patch_json(&path, Some(&ann), &serde_json::json!({}));
    assert_eq!((r.status, r.json()), (200, expected));
}

fn uploads_and_details_carry_the_data_checks(app: TestApp) {
    let ann = app.register("ann@example.com");
    // Search spends half of what TV spends, and week 40's revenue is three times its own.
    let mut data = mmm_core::simulate::simulate(&mmm_core::simulate::SimConfig {
        seed: 12,
        ..Default::default()
    })
    .dataset;
    let tv = data.channels[0].spend.clone();
    data.channels[1].spend = tv.iter().map(|v| 0.5 * v).collect();
    data.kpi[40] *= 3.0;
    let csv = data.to_csv();
    let r = app.post("/api/v1/datasets?name=odd", Some(&ann), "text/csv", &csv);
    assert_eq!(r.status, 201, "{}", r.text);
    let uploaded = r.json();
    let checks = uploaded["checks"].as_array().unwrap().clone();
    let of_kind = |kind: &str| -> Vec<serde_json::Value> {
        checks.iter().filter(|c| c["kind"] == kind).cloned().collect()
    };
    let pair = of_kind("correlated");
    assert_eq!(pair.len(), 1, "{checks:?}");
    assert_eq!(pair[0]["level"], "warning");
    assert_eq!(pair[0]["columns"], serde_json::json!(["tv_spend", "search_spend"]));
    assert!((pair[0]["numbers"]["correlation"].as_f64().unwrap() - 1.0).abs() < 1e-12);
    let outlier = of_kind("kpi_outlier");
    assert_eq!(outlier[0]["dates"], serde_json::json!([data.dates[40].to_string()]));
    assert_eq!(outlier[0]["columns"], serde_json::json!(["revenue"]));
    // Warnings first.
    let levels: Vec<&str> = checks.iter().map(|c| c["level"].as_str().unwrap()).collect();
    let first_note = levels.iter().position(|l| *l == "note").unwrap_or(levels.len());
    assert!(levels[first_note..].iter().all(|l| *l == "note"), "{levels:?}");
    // The engine's own findings on the same file, as they serialise.
    let loaded = mmm_core::load_csv(
        csv.as_bytes(),
        &mmm_core::LoadOptions::default(),
        &mmm_core::ModelSpec::default(),
    )
    .unwrap();
    let expected =
        serde_json::to_value(mmm_core::checks::check(&loaded, &mmm_core::ModelSpec::default()))
            .unwrap();
    assert_eq!(uploaded["checks"], expected);

    // The detail shows the same; another user sees nothing.
    let id = uploaded["id"].as_str().unwrap();
    let detail = app.get(&format!("/api/v1/datasets/{id}"), Some(&ann));
    assert_eq!(detail.status, 200);
    assert_eq!(detail.json()["checks"], expected);
    let bob = app.register("bob@example.com");
    assert_eq!(app.get(&format!("/api/v1/datasets/{id}"), Some(&bob)).status, 404);
}

#[test]
fn uploads_over_the_limit_are_413() {
    let app = TestApp::spawn_with(Backend::Sqlite, &[("MAX_UPLOAD_MB", "1")]);
    let token = app.register("ann@example.com");
    let big = "x".repeat(1024 * 1024 + 10);
    let r = app.post("/api/v1/datasets", Some(&token), "text/csv", big);
    assert_eq!((r.status, r.error_code().as_str()), (413, "payload_too_large"));
}

fn listings_come_by_the_page_with_their_total(app: TestApp) {
    let ann = app.register("ann@example.com");
    let bob = app.register("bob@example.com");
    let csv = simulated_csv(60, 2);
    for name in ["first", "second", "third"] {
        let r = app.post(&format!("/api/v1/datasets?name={name}"), Some(&ann), "text/csv", &csv);
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let page = |query: &str, token: &str| {
        let r = app.get(&format!("/api/v1/datasets{query}"), Some(token));
        assert_eq!(r.status, 200, "{query}: {}", r.text);
        let names: Vec<String> = r
            .json()
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["name"].as_str().unwrap().to_owned())
            .collect();
        (names, r.headers["x-total-count"].clone())
    };
    let all = |names: &[&str]| names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>();
    // Newest first; without limit and offset, the whole listing.
    assert_eq!(page("", &ann), (all(&["third", "second", "first"]), "3".to_owned()));
    assert_eq!(page("?limit=2", &ann), (all(&["third", "second"]), "3".to_owned()));
    assert_eq!(page("?limit=2&offset=2", &ann), (all(&["first"]), "3".to_owned()));
    assert_eq!(page("?offset=1", &ann), (all(&["second", "first"]), "3".to_owned()));
    assert_eq!(page("?offset=5&limit=1", &ann), (vec![], "3".to_owned()));
    assert_eq!(page("?limit=10", &bob), (vec![], "0".to_owned()));
    // Models the same way.
    let r = app.get("/api/v1/models?limit=1", Some(&ann));
    assert_eq!(
        (r.status, r.headers["x-total-count"].as_str(), r.json()),
        (200, "0", serde_json::json!([]))
    );
    for (query, field, said) in [
        ("?limit=0", "limit", "limit must be between 1 and 1000"),
        ("?limit=1001", "limit", "limit must be between 1 and 1000"),
        ("?offset=1000000001", "offset", "offset must be at most 1000000000"),
        ("?offset=-1", "offset", "offset: invalid digit found in string"),
    ] {
        for route in ["datasets", "models"] {
            let r = app.get(&format!("/api/v1/{route}{query}"), Some(&ann));
            assert_eq!(r.status, 422, "{route}{query}: {}", r.text);
            assert!(r.text.contains(said), "{route}{query}: {}", r.text);
            assert_eq!(r.json()["error"]["details"][0]["field"], field, "{route}{query}");
        }
    }
}
