//! Importing a real Google Meridian model over HTTP, then using it like a fitted one.

use crate::helpers::{TestApp, assert_banded};

crate::on_both!(
    an_imported_meridian_model_works_with_every_route,
    lagged_media_is_imported_as_media_history,
    a_geo_model_is_imported_as_its_national_total,
    bad_model_files_are_refused_and_nothing_is_stored
);

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/../../fixtures/meridian/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// A multipart body with one `file` field.
fn multipart(file_name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "MeRiDiAnBoUnDaRy";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn export() -> serde_json::Value {
    export_of("meridian_demo")
}

fn export_of(model: &str) -> serde_json::Value {
    serde_json::from_slice(&fixture(&format!("{model}.export.json"))).unwrap()
}

fn an_imported_meridian_model_works_with_every_route(app: TestApp) {
    let token = app.register("ann@example.com");
    let (content_type, body) = multipart("meridian_demo.binpb", &fixture("meridian_demo.binpb"));
    let r = app.post("/api/v1/models/import", Some(&token), &content_type, body);
    assert_eq!(r.status, 201, "{}", r.text);
    let model = r.json();
    let id = model["id"].as_str().unwrap().to_owned();
    assert_eq!(model["status"], "succeeded");
    assert_eq!(model["origin"], "google-meridian 2.1.0 (meridian_demo.binpb)");

    // Its marketing data became a data set of the caller.
    let datasets = app.get("/api/v1/datasets", Some(&token)).json();
    assert_eq!(datasets[0]["id"], model["dataset_id"]);
    assert_eq!(datasets[0]["rows"], 156);

    let status = app.get(&format!("/api/v1/mmm/status?model_id={id}"), Some(&token)).json();
    assert_eq!(status["origin"], "meridian");
    assert_eq!(status["method"], "bayes");
    assert!(status["engine"].as_str().unwrap().starts_with("google-meridian 2.1.0"));

    // Meridian's own ROI (posterior mean and 90% interval), to 1e-6 relative.
    let export = export();
    let summary = app.get(&format!("/api/v1/mmm/channels/summary?model_id={id}"), Some(&token));
    assert_eq!(summary.status, 200, "{}", summary.text);
    let rows = summary.json();
    for (c, name) in ["tv", "search", "social", "display", "radio"].iter().enumerate() {
        let row = rows.as_array().unwrap().iter().find(|r| r["name"] == *name).unwrap();
        let theirs = export["summary_metrics"]["roi"]["values"][c][0][1].as_f64().unwrap();
        let ours = row["roi"].as_f64().unwrap();
        assert!((ours - theirs).abs() <= 1e-6 * theirs, "{name}: {ours} vs {theirs}");
        for (k, stat) in [(0, 2), (1, 3)] {
            let theirs = export["summary_metrics"]["roi"]["values"][c][stat][1].as_f64().unwrap();
            let ours = row["roi_interval"][k].as_f64().unwrap();
            assert!((ours - theirs).abs() <= 1e-6 * theirs, "{name} interval: {ours} vs {theirs}");
        }
    }
    let periods = app.get(&format!("/api/v1/mmm/contribution?model_id={id}"), Some(&token)).json();
    let band = &periods[0]["channel_intervals"]["tv"];
    let theirs = export["contributions"]["q95"][0][0].as_f64().unwrap();
    assert!((band[1].as_f64().unwrap() - theirs).abs() <= 1e-6 * theirs, "{band}");

    // The optimizer, curves, decomposition and exports work on it.
    let r = app.post_json(
        &format!("/api/v1/models/{id}/optimize"),
        Some(&token),
        &serde_json::json!({"budget": 150000.0, "constraints": {"bounds_pct": 0.5}}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let opt = r.json();
    assert!(
        opt["optimized_response"].as_f64().unwrap() >= opt["current_response"].as_f64().unwrap()
    );
    // Curves of any shape get their credible band from the posterior draws.
    let curves = app
        .get(
            &format!("/api/v1/mmm/response-curves?model_id={id}&points=5&max_multiple=1"),
            Some(&token),
        )
        .json();
    assert_banded(&curves[0]["points"]);
    for path in ["mmm/response-curves", "mmm/contribution", "mmm/insights"] {
        let r = app.get(&format!("/api/v1/{path}?model_id={id}"), Some(&token));
        assert_eq!(r.status, 200, "{path}: {}", r.text);
    }
    let r = app.get(&format!("/api/v1/export/insights?model_id={id}&format=csv"), Some(&token));
    assert_eq!(r.status, 200, "{}", r.text);

    // Another user cannot see it.
    let other = app.register("bob@example.com");
    let r = app.get(&format!("/api/v1/models/{id}"), Some(&other));
    assert_eq!(r.status, 404);
}

fn lagged_media_is_imported_as_media_history(app: TestApp) {
    // Both fixtures have 8 lagged weeks before 104 KPI weeks; the second applies Hill before
    // adstock, to the lagged weeks too.
    for (user, model) in ["meridian_lagged", "meridian_hill_first"].iter().enumerate() {
        let token = app.register(&format!("user{user}@example.com"));
        let name = format!("{model}.binpb");
        let (content_type, body) = multipart(&name, &fixture(&name));
        let r = app.post("/api/v1/models/import", Some(&token), &content_type, body);
        assert_eq!(r.status, 201, "{model}: {}", r.text);
        let id = r.json()["id"].as_str().unwrap().to_owned();

        // Meridian's 8 lagged weeks are the data set's media history, before its 104 KPI weeks.
        let datasets = app.get("/api/v1/datasets", Some(&token)).json();
        assert_eq!(
            (datasets[0]["rows"].as_u64(), datasets[0]["history_rows"].as_u64()),
            (Some(104), Some(8)),
            "{model}"
        );

        // Their carry-over is in Meridian's ROI, and in ours.
        let export = export_of(model);
        let rows =
            app.get(&format!("/api/v1/mmm/channels/summary?model_id={id}"), Some(&token)).json();
        for (c, name) in ["tv", "search", "social", "display", "radio"].iter().enumerate() {
            let row = rows.as_array().unwrap().iter().find(|r| r["name"] == *name).unwrap();
            let theirs = export["summary_metrics"]["roi"]["values"][c][0][1].as_f64().unwrap();
            let ours = row["roi"].as_f64().unwrap();
            assert!((ours - theirs).abs() <= 1e-6 * theirs, "{model} {name}: {ours} vs {theirs}");
        }
        let doc = app.get(&format!("/api/v1/models/{id}"), Some(&token)).json()["document"].clone();
        let hill_first = *model == "meridian_hill_first";
        assert_eq!(doc["format_version"], if hill_first { 3 } else { 2 }, "{model}");
        let order = &doc["channels"][0]["transform_order"];
        assert_eq!(order.as_str(), hill_first.then_some("saturation_first"), "{model}");
        let r = app.post_json(
            &format!("/api/v1/models/{id}/plan"),
            Some(&token),
            &serde_json::json!({"periods": 4, "total_budget": 400000.0}),
        );
        assert_eq!(r.status, 200, "{model}: {}", r.text);
        let plan = r.json();
        assert_eq!(plan["periods"].as_array().unwrap().len(), 4);
        assert!(plan["expected_incremental"].as_f64().unwrap() > 0.0, "{model}");
    }
}

fn a_geo_model_is_imported_as_its_national_total(app: TestApp) {
    let token = app.register("ann@example.com");
    let (content_type, body) = multipart("meridian_geo.binpb", &fixture("meridian_geo.binpb"));
    let r = app.post("/api/v1/models/import", Some(&token), &content_type, body);
    assert_eq!(r.status, 201, "{}", r.text);
    let model = r.json();
    let id = model["id"].as_str().unwrap().to_owned();

    // Meridian's national ROI of the 5-geo model, to 1e-6 relative.
    let export = export_of("meridian_geo");
    let rows = app.get(&format!("/api/v1/mmm/channels/summary?model_id={id}"), Some(&token)).json();
    for (c, name) in ["tv", "search", "social", "display", "radio"].iter().enumerate() {
        let row = rows.as_array().unwrap().iter().find(|r| r["name"] == *name).unwrap();
        let theirs = export["summary_metrics"]["roi"]["values"][c][0][1].as_f64().unwrap();
        let ours = row["roi"].as_f64().unwrap();
        assert!((ours - theirs).abs() <= 1e-6 * theirs, "{name}: {ours} vs {theirs}");
    }
    // The data set is the national total (104 weeks, not 5 x 104 rows), and mmm can fit it.
    let datasets = app.get("/api/v1/datasets", Some(&token)).json();
    assert_eq!(datasets[0]["id"], model["dataset_id"]);
    assert_eq!(datasets[0]["rows"], 104);
    let dataset = datasets[0]["id"].as_str().unwrap().to_owned();
    let (refit, _, job) = app.train(&token, &dataset);
    assert_eq!(job["state"], "succeeded", "{job}");
    // The status says how the figures relate to the geos; a model mmm fitted has no notes.
    let notes = |model: &str| {
        app.get(&format!("/api/v1/mmm/status?model_id={model}"), Some(&token)).json()["notes"]
            .clone()
    };
    let imported = notes(&id);
    assert!(
        imported.as_array().unwrap().iter().any(|n| n
            .as_str()
            .unwrap()
            .starts_with("a geo model of 5 geos, imported as its national total")),
        "{imported}"
    );
    assert_eq!(notes(&refit), serde_json::json!([]));
    let refit = app.get(&format!("/api/v1/models/{refit}"), Some(&token)).json();
    let channels: Vec<&str> = refit["document"]["channels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(channels, ["tv", "search", "social", "display", "radio"]);
    // The optimizer runs on the national curves: at today's total it does at least as well.
    let today = app.current_total(&token, &id);
    let r = app.post_json(
        &format!("/api/v1/models/{id}/optimize"),
        Some(&token),
        &serde_json::json!({"budget": today, "constraints": {"bounds_pct": 0.3}}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let opt = r.json();
    assert!(
        opt["optimized_response"].as_f64().unwrap() >= opt["current_response"].as_f64().unwrap()
    );
}

fn bad_model_files_are_refused_and_nothing_is_stored(app: TestApp) {
    let token = app.register("ann@example.com");
    let refuse = |name: &str, bytes: &[u8], expect: &str| {
        let (content_type, body) = multipart(name, bytes);
        let r = app.post("/api/v1/models/import", Some(&token), &content_type, body);
        assert_eq!(
            (r.status, r.error_code().as_str()),
            (422, "invalid_request"),
            "{name}: {}",
            r.text
        );
        let message = r.json()["error"]["message"].as_str().unwrap().to_owned();
        assert!(message.contains(expect), "{name}: {message}");
    };
    refuse("saved_mmm.pkl", b"\x80\x04\x95\x10\x00\x00\x00", "meridian-pkl-to-binpb.py");
    refuse("data.csv", &fixture("meridian_demo.csv"), "not a Meridian model file");
    let good = fixture("meridian_demo.binpb");
    refuse("cut.binpb", &good[..good.len() / 3], "");
    assert_eq!(app.get("/api/v1/models", Some(&token)).json().as_array().unwrap().len(), 0);
    assert_eq!(app.get("/api/v1/datasets", Some(&token)).json().as_array().unwrap().len(), 0);

    let r = app.post("/api/v1/models/import", Some(&token), "application/octet-stream", good);
    assert_eq!(r.status, 422, "{}", r.text);
    let (content_type, body) = multipart("m.binpb", b"x");
    let r = app.post("/api/v1/models/import", None, &content_type, body);
    assert_eq!(r.status, 401);
}
