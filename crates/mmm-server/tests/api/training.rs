//! Training over HTTP: models, jobs, cancellation and the WebSocket progress stream.

use crate::helpers::TestApp;
use serde_json::{Value, json};
use tungstenite::Message;

crate::on_both!(
    train_and_read_a_model,
    websocket_streams_progress_to_completion,
    jobs_and_models_are_isolated,
    models_are_named_and_renamed_by_their_owner_only,
    invalid_training_requests,
    media_history_rows_are_carried_into_the_model,
    channels_with_media_units_are_fitted_and_scored_on_them,
    media_units_paired_by_hand_are_kept_for_training,
    a_channel_added_by_a_training_takes_its_units_by_name,
    quoted_column_names_in_the_upload_fields,
    a_trend_bends_where_the_data_ask_unless_told_not_to,
    noise_that_lingers_is_found_unless_told_not_to,
    carry_over_that_peaks_late_is_found_unless_told_not_to,
    weeks_that_jump_every_year_get_terms_unless_told_not_to,
    events_the_request_names_get_terms_and_bad_ones_are_refused
);

/// A CSV whose first 12 rows leave the KPI empty: spend before the data, carried over.
fn media_history_rows_are_carried_into_the_model(app: TestApp) {
    use mmm_core::simulate::{SimConfig, simulate};
    let token = app.register("ann@example.com");
    let sim =
        simulate(&SimConfig { periods: 80, channels: 2, history: 12, ..SimConfig::default() });
    let r = app.post("/api/v1/datasets?name=warm", Some(&token), "text/csv", sim.dataset.to_csv());
    assert_eq!(r.status, 201, "{}", r.text);
    let d = r.json();
    // The data set's periods are those with a KPI value.
    assert_eq!((d["rows"].as_i64(), d["history_rows"].as_i64()), (Some(80), Some(12)));
    assert_eq!(d["start_date"], sim.dataset.dates[0].to_string());
    // Listed the same way once stored.
    let listed = app.get("/api/v1/datasets", Some(&token)).json();
    assert_eq!(listed[0]["history_rows"], 12);
    let (model, _, job) = app.train(&token, d["id"].as_str().unwrap());
    assert_eq!(job["state"], "succeeded", "{job}");
    let doc = app.get(&format!("/api/v1/models/{model}"), Some(&token)).json()["document"].clone();
    assert_eq!(doc["periods"], 80);
    // The adstock window (8 periods) of the history is stored with each channel's series.
    for (series, channel) in
        doc["series"]["channels"].as_array().unwrap().iter().zip(&sim.dataset.channels)
    {
        let stored: Vec<f64> =
            series["history"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
        assert_eq!(stored, channel.history[12 - 8..]);
    }
}

/// 80 weeks of two channels that bought impressions, given beside the spend (`<channel>_media`).
fn bought_impressions() -> mmm_core::simulate::Simulation {
    use mmm_core::simulate::{SimConfig, simulate};
    simulate(&SimConfig { periods: 80, channels: 2, media_units: true, ..SimConfig::default() })
}

/// A CSV whose channels give their impressions beside the spend (`<channel>_media`, and
/// `search_grps`: units may be named for what they count).
fn channels_with_media_units_are_fitted_and_scored_on_them(app: TestApp) {
    let token = app.register("ann@example.com");
    let sim = bought_impressions();
    let csv = sim.dataset.to_csv().replace("search_media", "search_grps");
    let r = app.post("/api/v1/datasets?name=impressions", Some(&token), "text/csv", &csv);
    assert_eq!(r.status, 201, "{}", r.text);
    let d = r.json();
    assert_eq!(d["roles"]["media_units"], json!(["tv_media", "search_grps"]));
    assert_eq!(d["roles"]["controls"], json!(["price_index", "promo"]));
    let (model, _, job) = app.train(&token, d["id"].as_str().unwrap());
    assert_eq!(job["state"], "succeeded", "{job}");
    let doc = app.get(&format!("/api/v1/models/{model}"), Some(&token)).json()["document"].clone();
    // Each channel's input is its impressions at their average spend per impression over the
    // fitting window (the helper holds out the last 8 weeks).
    let fitted = 80 - doc["spec"]["holdout"].as_u64().unwrap() as usize;
    assert_eq!(fitted, 72);
    for (i, (series, channel)) in
        doc["series"]["channels"].as_array().unwrap().iter().zip(&sim.dataset.channels).enumerate()
    {
        let units = &channel.media.as_ref().unwrap().values;
        let rate =
            channel.spend[..fitted].iter().sum::<f64>() / units[..fitted].iter().sum::<f64>();
        let stored = series["input_per_media"].as_f64().unwrap();
        assert_eq!(series["units_column"], format!("{}_{}", channel.name, ["media", "grps"][i]));
        assert!((stored / rate - 1.0).abs() < 1e-12, "{stored} against {rate}");
        let input = series["input"].as_array().unwrap();
        assert!((input[5].as_f64().unwrap() - units[5] * rate).abs() < 1e-6 * units[5] * rate);
    }
    let summary =
        app.get(&format!("/api/v1/mmm/channels/summary?model_id={model}"), Some(&token)).json();
    assert!(summary.as_array().unwrap().iter().all(|c| c["on_media_units"] == true), "{summary}");
    // Its last weeks, from the same file, score through the impressions columns.
    let lines: Vec<&str> = csv.lines().collect();
    let tail = [&lines[..1], &lines[lines.len() - 6..]].concat().join("\n") + "\n";
    let path = format!("/api/v1/models/{model}/score");
    let r = app.post(&path, Some(&token), "text/csv", tail.clone());
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["periods"].as_array().unwrap().len(), 6);
    // Without them it says which column the channel needs.
    let header = lines[0].replace("tv_media", "tv_impressions");
    let without = tail.replacen(lines[0], &header, 1);
    let r = app.post(&path, Some(&token), "text/csv", without);
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.text.contains("tv_media"), "{}", r.text);
}

/// Units columns named otherwise than for their channel, paired with it in the upload.
fn media_units_paired_by_hand_are_kept_for_training(app: TestApp) {
    let token = app.register("ann@example.com");
    let sim = bought_impressions();
    let csv = sim.dataset.to_csv().replace("tv_media", "tv_exposure");
    let upload = |query: &str| {
        app.post(&format!("/api/v1/datasets?name=paired&{query}"), Some(&token), "text/csv", &csv)
    };
    // By name, tv_exposure is a control and only search is fitted on its units.
    let d = upload("").json();
    assert_eq!(d["roles"]["units"], json!([null, "search_media"]));
    assert_eq!(d["roles"]["controls"], json!(["tv_exposure", "price_index", "promo"]));
    // Paired by hand as a multipart form field, as the dashboard sends it.
    let pairs = [("media_units", "tv_spend=tv_exposure,search_spend=search_media")];
    let r = upload_form(&app, &token, &csv, &pairs);
    assert_eq!(r.status, 201, "{}", r.text);
    let d = r.json();
    let id = d["id"].as_str().unwrap().to_owned();
    assert_eq!(d["roles"]["units"], json!(["tv_exposure", "search_media"]));
    assert_eq!(d["roles"]["media_units"], json!(["tv_exposure", "search_media"]));
    assert_eq!(d["roles"]["controls"], json!(["price_index", "promo"]));
    let detail = app.get(&format!("/api/v1/datasets/{id}"), Some(&token)).json();
    assert_eq!(detail["roles"]["units"], d["roles"]["units"]);
    // Training reads the stored pairs, for every channel or for the ones a request keeps.
    let units_columns = |request: Value| -> Vec<Value> {
        let (model, _, job) = app.train_with(&token, &request);
        assert_eq!(job["state"], "succeeded", "{job}");
        let doc =
            app.get(&format!("/api/v1/models/{model}"), Some(&token)).json()["document"].clone();
        doc["series"]["channels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["units_column"].clone())
            .collect()
    };
    assert_eq!(
        units_columns(json!({"dataset_id": id, "holdout": 8})),
        [json!("tv_exposure"), json!("search_media")]
    );
    assert_eq!(
        units_columns(json!({"dataset_id": id, "holdout": 8, "media": ["tv_spend"]})),
        [json!("tv_exposure")]
    );
    // A request may give its own pairs: none, to compare with a fit on the spend, or others.
    assert_eq!(
        units_columns(json!({"dataset_id": id, "holdout": 8, "media_units": {}})),
        [Value::Null, Value::Null]
    );
    let only_search = json!({"dataset_id": id, "holdout": 8,
                             "media_units": {"search_spend": "search_media"}});
    assert_eq!(units_columns(only_search), [Value::Null, json!("search_media")]);
    let wrong = json!({"dataset_id": id, "media_units": {"tv_spend": "tv_reach"}});
    let r = app.post_json("/api/v1/models", Some(&token), &wrong);
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.json()["error"]["details"][0]["column"], "tv_reach", "{}", r.text);
    // An empty pairing fits both on their spend; a column named for search's units is then
    // not used, as it would take search's effect as a control.
    let d = upload("media_units=").json();
    assert_eq!(d["roles"]["units"], json!([null, null]));
    assert_eq!(d["roles"]["ignored"], json!(["search_media"]));
    // Wrong pairs are refused, each saying why, and nothing is stored.
    let before = app.get("/api/v1/datasets", Some(&token)).json().as_array().unwrap().len();
    let r = upload("media_units=tv_spend");
    assert_eq!((r.status, r.error_code().as_str()), (422, "invalid_request"), "{}", r.text);
    assert!(r.text.contains("media_units: 'tv_spend' is not a pair"), "{}", r.text);
    let r = upload("media_units=radio_spend%3Dtv_exposure");
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.json()["error"]["details"][0]["column"], "radio_spend", "{}", r.text);
    let after = app.get("/api/v1/datasets", Some(&token)).json().as_array().unwrap().len();
    assert_eq!(after, before);
}

/// A data set uploaded without TV leaves TV's impressions unused, with its spend; a training
/// that adds TV fits it on them, as an upload with TV would have.
fn a_channel_added_by_a_training_takes_its_units_by_name(app: TestApp) {
    let token = app.register("ann@example.com");
    let csv = bought_impressions().dataset.to_csv();
    let path = "/api/v1/datasets?name=no-tv&media=search_spend";
    let d = app.post(path, Some(&token), "text/csv", &csv).json();
    assert_eq!(d["roles"]["media"], json!(["search_spend"]));
    assert_eq!(d["roles"]["controls"], json!(["price_index", "promo"]), "{d}");
    assert_eq!(d["roles"]["ignored"], json!(["tv_spend", "tv_media"]), "{d}");
    let id = d["id"].as_str().unwrap();
    let channels = |request: Value| -> Value {
        let (model, _, job) = app.train_with(&token, &request);
        assert_eq!(job["state"], "succeeded", "{job}");
        let doc =
            app.get(&format!("/api/v1/models/{model}"), Some(&token)).json()["document"].clone();
        let units: Vec<Value> = doc["series"]["channels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| json!([c["name"], c["units_column"]]))
            .collect();
        json!({"units": units, "controls": doc["baseline"]["controls"].as_array().unwrap().iter().map(|c| c["name"].clone()).collect::<Vec<_>>()})
    };
    let media = json!(["tv_spend", "search_spend"]);
    let fitted = channels(json!({"dataset_id": id, "holdout": 8, "media": media}));
    assert_eq!(
        fitted["units"],
        json!([["tv", "tv_media"], ["search", "search_media"]]),
        "{fitted}"
    );
    assert_eq!(fitted["controls"], json!(["price_index", "promo"]), "{fitted}");
    // Asked for on its spend, it is.
    let request = json!({"dataset_id": id, "holdout": 8, "media": media,
                         "media_units": {"search_spend": "search_media"}});
    assert_eq!(channels(request)["units"], json!([["tv", null], ["search", "search_media"]]));
    // A request that names the impressions as a control keeps them one, and TV on its spend.
    let request = json!({"dataset_id": id, "holdout": 8, "media": media,
                         "controls": ["price_index", "tv_media"]});
    let fitted = channels(request);
    assert_eq!(fitted["units"], json!([["tv", null], ["search", "search_media"]]), "{fitted}");
    assert_eq!(fitted["controls"], json!(["price_index", "tv_media"]), "{fitted}");
}

/// Uploads `csv` as a multipart form with the text `fields`, as the dashboard sends it.
fn upload_form(
    app: &TestApp,
    token: &str,
    csv: &str,
    fields: &[(&str, &str)],
) -> crate::helpers::Reply {
    let boundary = "PaIrEd";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"form.csv\"\r\n\r\n{csv}\r\n"
    );
    for (name, value) in fields {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    let content_type = format!("multipart/form-data; boundary={boundary}");
    app.post("/api/v1/datasets", Some(token), &content_type, body)
}

/// Column names with commas and equals signs, quoted in the upload's lists and pairs as in the
/// CSV header, reach the stored roles and a model whole.
fn quoted_column_names_in_the_upload_fields(app: TestApp) {
    let token = app.register("ann@example.com");
    let header =
        "date,revenue,\"tv, national_spend\",search_spend,\"tv, national=GRPs\",search_media,";
    let csv = bought_impressions().dataset.to_csv().replacen(
        "date,revenue,tv_spend,search_spend,tv_media,search_media,",
        header,
        1,
    );
    assert!(csv.starts_with(header), "{csv}");
    let fields = [
        ("media", "\"tv, national_spend\",search_spend"),
        ("controls", "price_index"),
        ("media_units", "\"tv, national_spend\"=\"tv, national=GRPs\""),
    ];
    let r = upload_form(&app, &token, &csv, &fields);
    assert_eq!(r.status, 201, "{}", r.text);
    let d = r.json();
    assert_eq!(d["roles"]["media"], json!(["tv, national_spend", "search_spend"]));
    assert_eq!(d["roles"]["channels"], json!(["tv, national", "search"]));
    assert_eq!(d["roles"]["units"], json!(["tv, national=GRPs", null]));
    assert_eq!(d["roles"]["controls"], json!(["price_index"]));
    let (model, _, job) = app.train_with(&token, &json!({"dataset_id": d["id"], "holdout": 8}));
    assert_eq!(job["state"], "succeeded", "{job}");
    let doc = app.get(&format!("/api/v1/models/{model}"), Some(&token)).json()["document"].clone();
    assert_eq!(doc["series"]["channels"][0]["units_column"], "tv, national=GRPs");

    // An unclosed quote is refused, naming the field, and nothing is stored.
    let before = app.get("/api/v1/datasets", Some(&token)).json().as_array().unwrap().len();
    let r = upload_form(&app, &token, &csv, &[("media", "\"tv, national_spend,search_spend")]);
    assert_eq!((r.status, r.error_code().as_str()), (422, "invalid_request"), "{}", r.text);
    assert!(
        r.text.contains("media: the quote before 'tv, national_spend,search_spend' is not closed"),
        "{}",
        r.text
    );
    let after = app.get("/api/v1/datasets", Some(&token)).json().as_array().unwrap().len();
    assert_eq!(after, before);
}

fn train_and_read_a_model(app: TestApp) {
    let token = app.register("ann@example.com");
    let dataset = app.upload(&token, 104, 3);
    let (model, job, final_job) = app.train(&token, &dataset);
    assert_eq!(final_job["state"], "succeeded", "{final_job}");
    assert_eq!(final_job["progress"], 1.0);
    assert_eq!(final_job["model_id"], model.as_str());
    let m = app.get(&format!("/api/v1/models/{model}"), Some(&token));
    assert_eq!(m.status, 200);
    let m = m.json();
    assert_eq!(m["status"], "succeeded");
    assert_eq!(m["document"]["format_version"], 2);
    assert_eq!(m["document"]["periods"], 104);
    assert_eq!(m["document"]["fit"]["holdout"]["periods"], 8);
    assert!(m["metrics"]["r2"].as_f64().unwrap() > 0.5);
    let list = app.get("/api/v1/models", Some(&token)).json();
    assert_eq!(list[0]["id"], model.as_str());
    assert!(list[0].get("document").is_none());
    // A finished job cannot be cancelled.
    let r = app.post(&format!("/api/v1/jobs/{job}/cancel"), Some(&token), "application/json", "");
    assert_eq!((r.status, r.error_code().as_str()), (409, "invalid_state"));
    assert_eq!(app.delete(&format!("/api/v1/models/{model}"), Some(&token)).status, 204);
    assert_eq!(app.get(&format!("/api/v1/models/{model}"), Some(&token)).status, 404);
    assert_eq!(app.get(&format!("/api/v1/jobs/{job}"), Some(&token)).status, 404);
}

fn read_events(
    app: &TestApp,
    job: &str,
    auth: Option<&str>,
    query_token: Option<&str>,
) -> Vec<Value> {
    let url = match query_token {
        Some(t) => format!("ws://127.0.0.1:{}/api/v1/jobs/{job}/ws?token={t}", app.port),
        None => format!("ws://127.0.0.1:{}/api/v1/jobs/{job}/ws", app.port),
    };
    let mut request = tungstenite::client::IntoClientRequest::into_client_request(url).unwrap();
    if let Some(t) = auth {
        request.headers_mut().insert("Authorization", format!("Bearer {t}").parse().unwrap());
    }
    let (mut socket, _) = tungstenite::connect(request).unwrap();
    let mut events = Vec::new();
    loop {
        match socket.read() {
            Ok(Message::Text(t)) => events.push(serde_json::from_str::<Value>(&t).unwrap()),
            Ok(Message::Close(frame)) => {
                assert_eq!(frame.map(|f| u16::from(f.code)), Some(1000), "closes normally");
                break;
            }
            Ok(_) => {}
            Err(tungstenite::Error::ConnectionClosed) => break,
            Err(e) => panic!("websocket error: {e}"),
        }
    }
    events
}

fn websocket_streams_progress_to_completion(app: TestApp) {
    let token = app.register("ann@example.com");
    let dataset = app.upload(&token, 156, 5);
    let r = app.post_json("/api/v1/models", Some(&token), &json!({"dataset_id": dataset}));
    let job = r.json()["job_id"].as_str().unwrap().to_owned();
    let events = read_events(&app, &job, Some(&token), None);
    let last = events.last().unwrap();
    assert_eq!(last["state"], "succeeded", "{events:?}");
    assert_eq!(last["progress"], 1.0);
    assert!(events.iter().all(|e| e["job_id"] == job.as_str()));
    assert!(
        events.windows(2).all(|w| w[0]["progress"].as_f64() <= w[1]["progress"].as_f64()),
        "{events:?}"
    );
    assert!(events.len() >= 2, "{events:?}");
    // After the end, a new stream sends the terminal state and closes; the token may come as a
    // query parameter.
    let again = read_events(&app, &job, None, Some(&token));
    assert_eq!(again.len(), 1);
    assert_eq!(again[0]["state"], "succeeded");
    // Without a token the upgrade is refused with 401.
    let url = format!("ws://127.0.0.1:{}/api/v1/jobs/{job}/ws", app.port);
    match tungstenite::connect(url) {
        Err(tungstenite::Error::Http(response)) => assert_eq!(response.status().as_u16(), 401),
        other => panic!("expected 401, got {other:?}"),
    }
}

fn jobs_and_models_are_isolated(app: TestApp) {
    let ann = app.register("ann@example.com");
    let bob = app.register("bob@example.com");
    let dataset = app.upload(&ann, 80, 2);
    let (model, job, _) = app.train(&ann, &dataset);
    // Ann's reads put the model in the cache; Bob's reads of it must still be refused.
    assert_eq!(
        app.get(&format!("/api/v1/mmm/channels/summary?model_id={model}"), Some(&ann)).status,
        200
    );
    assert_eq!(
        app.get(&format!("/api/v1/mmm/response-curves?model_id={model}"), Some(&ann)).status,
        200
    );
    for path in [
        format!("/api/v1/mmm/channels/summary?model_id={model}"),
        format!("/api/v1/mmm/response-curves?model_id={model}"),
        format!("/api/v1/mmm/insights?model_id={model}"),
        format!("/api/v1/export/insights?model_id={model}"),
        format!("/api/v1/export/contribution?model_id={model}"),
        format!("/api/v1/export/channels?format=csv&model_id={model}"),
        format!("/api/v1/export/curves?format=csv&model_id={model}"),
    ] {
        let r = app.get(&path, Some(&bob));
        assert_eq!((r.status, r.error_code().as_str()), (404, "not_found"), "{path}");
    }
    for path in [
        format!("/api/v1/models/{model}"),
        format!("/api/v1/jobs/{job}"),
        format!("/api/v1/mmm/status?model_id={model}"),
    ] {
        let r = app.get(&path, Some(&bob));
        assert_eq!((r.status, r.error_code().as_str()), (404, "not_found"), "{path}");
    }
    let r = app.post(&format!("/api/v1/jobs/{job}/cancel"), Some(&bob), "application/json", "");
    assert_eq!(r.status, 404);
    assert_eq!(app.delete(&format!("/api/v1/models/{model}"), Some(&bob)).status, 404);
    // Bob cannot train on Ann's data set either.
    let r = app.post_json("/api/v1/models", Some(&bob), &json!({"dataset_id": dataset}));
    assert_eq!(r.status, 404);
    // Bob has no fitted model: analytics without model_id say so.
    let r = app.get("/api/v1/mmm/channels/summary", Some(&bob));
    assert_eq!((r.status, r.error_code().as_str()), (404, "not_found"));
}

fn models_are_named_and_renamed_by_their_owner_only(app: TestApp) {
    let ann = app.register("ann@example.com");
    let bob = app.register("bob@example.com");
    let dataset = app.upload(&ann, 80, 2);
    let name_of = |model: &str| {
        let listed = app.get("/api/v1/models", Some(&ann)).json();
        let found = listed.as_array().unwrap().iter().find(|m| m["id"] == model).unwrap();
        found["name"].clone()
    };
    // A blank or too long name is refused, and nothing is stored.
    for bad in [json!("  "), json!("x".repeat(201))] {
        let r = app.post_json(
            "/api/v1/models",
            Some(&ann),
            &json!({"dataset_id": dataset, "name": bad}),
        );
        assert_eq!(r.status, 422, "{}", r.text);
        assert!(r.text.contains("name must be 1 to 200 characters"), "{}", r.text);
    }
    assert_eq!(app.get("/api/v1/models", Some(&ann)).json(), json!([]));
    // The name is kept trimmed, and listed and read back with the model.
    let (model, _, job) =
        app.train_with(&ann, &json!({"dataset_id": dataset, "name": " Q3 refresh ", "holdout": 8}));
    assert_eq!(job["state"], "succeeded", "{job}");
    assert_eq!(name_of(&model), "Q3 refresh");
    let path = format!("/api/v1/models/{model}");
    let detail = app.get(&path, Some(&ann)).json();
    assert_eq!(detail["name"], "Q3 refresh");
    let document = detail["document"].clone();
    // Renamed: only the name changes.
    let r = app.patch_json(&path, Some(&ann), &json!({"name": "with the lift test"}));
    assert_eq!(r.status, 200, "{}", r.text);
    let renamed = r.json();
    assert_eq!(renamed["name"], "with the lift test");
    assert!(renamed.get("document").is_none(), "{renamed}");
    let after = app.get(&path, Some(&ann)).json();
    for field in ["id", "status", "spec", "metrics", "created_at", "finished_at", "origin"] {
        assert_eq!(after[field], detail[field], "{field}");
    }
    assert_eq!(after["document"], document);
    // A field left out stays as it is; null takes the name away.
    let r = app.patch_json(&path, Some(&ann), &json!({}));
    assert_eq!((r.status, &r.json()["name"]), (200, &json!("with the lift test")));
    // Refused changes leave the name as it was.
    for (body, said) in [
        (json!({"name": ""}), "name must be 1 to 200 characters"),
        (json!({"name": "a\u{0}b"}), r"name must not hold control characters such as '\\0'"),
        (json!({"name": 7}), "name: invalid type: integer `7`, expected a string"),
    ] {
        let r = app.patch_json(&path, Some(&ann), &body);
        assert_eq!(r.status, 422, "{body}: {}", r.text);
        assert!(r.text.contains(said), "{body}: {}", r.text);
    }
    assert_eq!(name_of(&model), "with the lift test");
    // Another user's model is not found, and a request without a token is refused.
    let r = app.patch_json(&path, Some(&bob), &json!({"name": "mine now"}));
    assert_eq!((r.status, r.error_code().as_str()), (404, "not_found"));
    assert_eq!(app.patch_json(&path, None, &json!({"name": "x"})).status, 401);
    let r = app.patch_json("/api/v1/models/nope", Some(&ann), &json!({"name": "x"}));
    assert_eq!(r.status, 404);
    assert_eq!(name_of(&model), "with the lift test");
    let r = app.patch_json(&path, Some(&ann), &json!({"name": null}));
    assert_eq!((r.status, &r.json()["name"]), (200, &Value::Null));
    assert_eq!(name_of(&model), Value::Null);
}

fn invalid_training_requests(app: TestApp) {
    let token = app.register("ann@example.com");
    let dataset = app.upload(&token, 60, 2);
    let r = app.post_json(
        "/api/v1/models",
        Some(&token),
        &json!({"dataset_id": dataset, "holdout": 55}),
    );
    assert_eq!((r.status, r.error_code().as_str()), (422, "invalid_data"), "{}", r.text);
    let r = app.post_json(
        "/api/v1/models",
        Some(&token),
        &json!({"dataset_id": dataset, "media": ["radio_spend"]}),
    );
    assert_eq!((r.status, r.error_code().as_str()), (422, "invalid_data"));
    assert!(
        r.json()["error"]["details"][0]["reason"]
            .as_str()
            .unwrap()
            .starts_with("media column not found")
    );
    let r = app.post_json("/api/v1/models", Some(&token), &json!({"holdout": 3}));
    assert_eq!(r.status, 422);
    // Lift tests and priors are checked by the fit's own rules before any job starts.
    let lift = |channel: &str, start: &str| {
        json!({"dataset_id": dataset, "lift_tests": [{"channel": channel, "start": start,
            "end": "2022-02-28", "incremental": 50000.0, "standard_error": 5000.0}]})
    };
    for (body, reason) in [
        (lift("radio", "2022-01-31"), "lift test on 'radio': unknown channel"),
        (lift("search", "2022-01-30"), "lift test on 'search': start is not a period of the data"),
        (
            json!({"dataset_id": dataset, "priors": {"channel_roi": {"tv": {"median": -1.0, "relative_sd": 0.2}}}}),
            "ROI prior for 'tv': median and relative_sd must be positive",
        ),
        (json!({"dataset_id": dataset, "trend_knots": 13}), "trend_knots must be at most 12"),
        (
            json!({"dataset_id": dataset, "max_yearly_harmonics": 13}),
            "max_yearly_harmonics must be at most 12",
        ),
    ] {
        let r = app.post_json("/api/v1/models", Some(&token), &body);
        assert_eq!(r.status, 422, "{}", r.text);
        assert!(r.text.contains(reason), "{reason}: {}", r.text);
    }
    assert_eq!(app.get("/api/v1/models", Some(&token)).json(), json!([]));
}

#[test]
fn bayesian_training_over_http() {
    let app = TestApp::spawn(crate::helpers::Backend::Sqlite);
    let token = app.register("ann@example.com");
    let dataset = app.upload(&token, 104, 3);
    let r = app.post_json(
        "/api/v1/models",
        Some(&token),
        &json!({"dataset_id": dataset, "method": "bayes", "chains": 2, "draws": 200, "tune": 200}),
    );
    assert_eq!(r.status, 202, "{}", r.text);
    let job = r.json()["job_id"].as_str().unwrap().to_owned();
    let model = r.json()["model_id"].as_str().unwrap().to_owned();
    let events = read_events(&app, &job, Some(&token), None);
    assert_eq!(events.last().unwrap()["state"], "succeeded", "{events:?}");
    assert!(
        events.iter().any(|e| e["message"].as_str().unwrap_or("").starts_with("sampling:")),
        "draws stream as progress"
    );
    let doc = app.get(&format!("/api/v1/models/{model}"), Some(&token)).json()["document"].clone();
    assert_eq!(doc["method"], "bayes");
    assert_eq!(doc["format_version"], 2);
    assert_eq!(doc["diagnostics"]["chains"], 2);
    assert!(doc["channels"][0]["roi_interval"].is_array());
    let status = app.get(&format!("/api/v1/mmm/status?model_id={model}"), Some(&token)).json();
    assert_eq!(status["method"], "bayes");
    let r = app.post_json(
        "/api/v1/models",
        Some(&token),
        &json!({"dataset_id": dataset, "method": "magic"}),
    );
    assert_eq!((r.status, r.error_code().as_str()), (422, "invalid_request"));
    let r = app.post_json(
        "/api/v1/models",
        Some(&token),
        &json!({"dataset_id": dataset, "method": "bayes", "chains": 50}),
    );
    assert_eq!(r.status, 422);
}

/// Trains a model as `request` asks and returns its document and its status (which the
/// dashboard's overview reads).
fn trained(app: &TestApp, token: &str, request: &Value) -> (Value, Value) {
    let (model, _, job) = app.train_with(token, request);
    assert_eq!(job["state"], "succeeded", "{job}");
    let status = app.get(&format!("/api/v1/mmm/status?model_id={model}"), Some(token));
    assert_eq!(status.status, 200, "{}", status.text);
    let doc = app.get(&format!("/api/v1/models/{model}"), Some(token)).json()["document"].clone();
    (doc, status.json())
}

/// A market whose growth slows down (the simulator's straight trend plus half the mean KPI
/// times `x (1 − x)`): the model's trend bends at its four knots, unless the request keeps it
/// straight.
fn a_trend_bends_where_the_data_ask_unless_told_not_to(app: TestApp) {
    use mmm_core::simulate::{SimConfig, simulate};
    let token = app.register("ann@example.com");
    let mut data = simulate(&SimConfig { seed: 8, noise: 0.03, ..SimConfig::default() }).dataset;
    let n = data.kpi.len();
    let mean = data.kpi.iter().sum::<f64>() / n as f64;
    for (t, v) in data.kpi.iter_mut().enumerate() {
        let x = t as f64 / (n - 1) as f64;
        *v += 0.5 * mean * x * (1.0 - x);
    }
    let dataset = app.upload_csv(&token, "bent", data.to_csv());

    let document = |request: Value| trained(&app, &token, &request);
    let (bent, status) = document(json!({"dataset_id": dataset}));
    assert_eq!(status["trend_knots"], json!([0.2, 0.4, 0.6, 0.8]));
    assert_eq!(status["yearly_harmonics"], 2);
    assert_eq!(bent["format_version"], 4);
    assert_eq!(bent["baseline"]["trend_knots"], json!([0.2, 0.4, 0.6, 0.8]));
    assert_eq!(bent["baseline"]["trend_bends"].as_array().unwrap().len(), 4);
    let (straight, status) =
        document(json!({"dataset_id": dataset, "trend_knots": 0, "max_yearly_harmonics": 2}));
    assert_eq!(status["trend_knots"], json!([]));
    assert_eq!(straight["format_version"], 2);
    assert!(straight["baseline"].get("trend_knots").is_none(), "{}", straight["baseline"]);
    assert_eq!(straight["spec"]["trend_knots"], 0);
    assert_eq!(straight["spec"]["max_yearly_harmonics"], 2);
    assert_eq!(bent["spec"]["max_yearly_harmonics"], 6);
    // The bent trend explains more of the KPI.
    assert!(bent["fit"]["r2"].as_f64().unwrap() > straight["fit"]["r2"].as_f64().unwrap());
}

/// A market whose noise is AR(1) with autocorrelation 0.8: the model finds it and says so in
/// its document and its status, unless the request keeps the noise independent.
fn noise_that_lingers_is_found_unless_told_not_to(app: TestApp) {
    use mmm_core::simulate::{SimConfig, simulate};
    let token = app.register("ann@example.com");
    let config =
        SimConfig { seed: 7, noise: 0.05, noise_autocorrelation: 0.8, ..SimConfig::default() };
    let data = simulate(&config).dataset;
    let dataset = app.upload_csv(&token, "slow-noise", data.to_csv());
    let document = |request: Value| trained(&app, &token, &request);
    let (slow, status) = document(json!({"dataset_id": dataset}));
    let rho = slow["fit"]["noise_autocorrelation"].as_f64().unwrap();
    assert!((0.6..=0.9).contains(&rho), "{rho}");
    assert_eq!(status["noise_autocorrelation"], rho);
    // AR(1) alone: all of the noise carries over.
    assert_eq!(status["noise_autocorrelated_share"], Value::Null);
    assert_eq!(slow["spec"]["autocorrelated_noise"], true);
    let (white, status) = document(json!({"dataset_id": dataset, "autocorrelated_noise": false}));
    assert!(white["fit"].get("noise_autocorrelation").is_none(), "{}", white["fit"]);
    assert_eq!(status["noise_autocorrelation"], Value::Null);
    assert_eq!(white["spec"]["autocorrelated_noise"], false);
    // Not a boolean: refused with the field named.
    let r = app.post_json(
        "/api/v1/models",
        Some(&token),
        &json!({"dataset_id": dataset, "autocorrelated_noise": "yes"}),
    );
    assert!(matches!(r.status, 400 | 422), "{}", r.text);
    assert!(r.text.contains("autocorrelated_noise"), "{}", r.text);
    // A level that wanders beside independent noise: part of the noise carries over.
    let config = SimConfig { seed: 6, noise: 0.05, level_walk: 0.02, ..SimConfig::default() };
    let data = simulate(&config).dataset;
    let walk = app.upload_csv(&token, "walk", data.to_csv());
    let (wandering, status) = document(json!({"dataset_id": walk}));
    let share = wandering["fit"]["noise_autocorrelated_share"].as_f64().unwrap();
    assert!(share > 0.0 && share < 1.0, "{share}");
    assert_eq!(status["noise_autocorrelated_share"], share);
}

/// A market whose every channel's carry-over peaks two periods after the spend: the model takes
/// the Weibull adstock and its status names the channels that peak late, unless the request
/// keeps the geometric adstock.
fn carry_over_that_peaks_late_is_found_unless_told_not_to(app: TestApp) {
    use mmm_core::simulate::{SimConfig, simulate};
    let token = app.register("ann@example.com");
    let config = SimConfig { seed: 3, noise: 0.05, adstock_peak: 2.0, ..SimConfig::default() };
    let data = simulate(&config).dataset;
    let dataset = app.upload_csv(&token, "late-peaks", data.to_csv());
    let document = |request: Value| trained(&app, &token, &request);
    let (late, status) = document(json!({"dataset_id": dataset}));
    assert_eq!(late["spec"]["adstock"], "weibull");
    assert_eq!(late["spec"]["delayed_adstock"], true);
    // The status lists each channel whose stored Weibull weights peak after lag 0.
    let peaks: Vec<Value> = late["channels"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| {
            let adstock: mmm_core::transforms::Adstock =
                serde_json::from_value(c["adstock"].clone()).unwrap();
            let lag = adstock.peak_lag();
            (lag > 0).then(|| json!({"channel": c["name"], "lag": lag}))
        })
        .collect();
    assert!(peaks.iter().any(|p| p["channel"] == "tv"), "{peaks:?}");
    assert_eq!(status["late_peaks"], Value::Array(peaks));
    let (geometric, status) = document(json!({"dataset_id": dataset, "delayed_adstock": false}));
    assert_eq!(geometric["spec"]["adstock"], "geometric");
    assert_eq!(status["late_peaks"], json!([]));
    let r = app.post_json(
        "/api/v1/models",
        Some(&token),
        &json!({"dataset_id": dataset, "delayed_adstock": 1}),
    );
    assert!(matches!(r.status, 400 | 422), "{}", r.text);
    assert!(r.text.contains("delayed_adstock"), "{}", r.text);
}

/// A market with two events a year that no column marks (40% of the level more in the weeks
/// holding 27 November and 24 December): the model gives each a term of its own, its status
/// lists them, and a forecast of the next year lifts those weeks; unless the request leaves
/// them to the residuals.
fn weeks_that_jump_every_year_get_terms_unless_told_not_to(app: TestApp) {
    use mmm_core::simulate::{SimConfig, simulate};
    let token = app.register("ann@example.com");
    let config = SimConfig { seed: 1000, noise: 0.045, yearly_events: 0.4, ..SimConfig::default() };
    let sim = simulate(&config);
    let lift = 0.4 * sim.truth.baseline.intercept;
    let dataset = app.upload_csv(&token, "events", sim.dataset.to_csv());
    let document = |request: Value| trained(&app, &token, &request);
    let (doc, status) = document(json!({"dataset_id": dataset}));
    assert_eq!(doc["spec"]["recurring_events"], true);
    let events = doc["baseline"]["events"]["dates"].as_array().unwrap().clone();
    let effect = |i: usize| events[i]["coefficient"].as_f64().unwrap();
    assert_eq!(
        status["recurring_events"],
        json!([
            {"month": 11, "day": 27, "label": "27 November", "effect": effect(0), "named": false},
            {"month": 12, "day": 24, "label": "24 December", "effect": effect(1), "named": false},
        ])
    );
    assert!((0..2).all(|i| (effect(i) / lift - 1.0).abs() < 0.25), "{events:?} against {lift}");

    // A year ahead: the week holding 27 November stands above the weeks either side of it by
    // about its event's effect (the season's curvature over two weeks is a few percent of it).
    let model = status["model_id"].as_str().unwrap().to_owned();
    let current: f64 = doc["channels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["current_spend"].as_f64().unwrap())
        .sum();
    let r = app.post_json(
        &format!("/api/v1/models/{model}/plan"),
        Some(&token),
        &json!({"periods": 52, "total_budget": 52.0 * current, "forecast": true}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let weeks = r.json()["forecast"]["periods"].as_array().unwrap().clone();
    let baseline = |w: &Value| w["predicted"].as_f64().unwrap() - w["media"].as_f64().unwrap();
    let at = weeks
        .iter()
        .position(|w| {
            let date: chrono::NaiveDate = w["date"].as_str().unwrap().parse().unwrap();
            mmm_core::events::holds(date, 7, 11, 27)
        })
        .unwrap();
    let jump = baseline(&weeks[at]) - 0.5 * (baseline(&weeks[at - 1]) + baseline(&weeks[at + 1]));
    assert!((jump / effect(0) - 1.0).abs() < 0.25, "{jump} against {}", effect(0));

    let (plain, status) = document(json!({"dataset_id": dataset, "recurring_events": false}));
    assert!(plain["baseline"].get("events").is_none(), "{}", plain["baseline"]);
    assert_eq!(status["recurring_events"], json!([]));
    let r = app.post_json(
        "/api/v1/models",
        Some(&token),
        &json!({"dataset_id": dataset, "recurring_events": "no"}),
    );
    assert!(matches!(r.status, 400 | 422), "{}", r.text);
    assert!(r.text.contains("recurring_events"), "{}", r.text);
}

/// A market whose week of Lunar New Year is 10% up, too faint for the fit to find by itself:
/// named in the request, it gets its term, and the status lists it; events that cannot be read
/// or that the data do not hold twice are refused before anything is stored.
fn events_the_request_names_get_terms_and_bad_ones_are_refused(app: TestApp) {
    use mmm_core::events::Feast;
    use mmm_core::simulate::{SimConfig, simulate};
    let token = app.register("ann@example.com");
    let config = SimConfig {
        seed: 1000,
        noise: 0.045,
        feasts: [(Feast::LunarNewYear, 0.1)].into(),
        ..SimConfig::default()
    };
    let simulated = simulate(&config);
    let level = simulated.truth.baseline.intercept;
    let dataset = app.upload_csv(&token, "lny", simulated.dataset.to_csv());
    let (plain, _) = trained(&app, &token, &json!({"dataset_id": dataset}));
    assert!(plain["baseline"].get("events").is_none(), "{}", plain["baseline"]);
    let request = json!({"dataset_id": dataset, "events": ["lunar_new_year"]});
    let (doc, status) = trained(&app, &token, &request);
    assert_eq!(doc["spec"]["events"], json!(["lunar_new_year"]));
    let effect = doc["baseline"]["events"]["dates"][0]["coefficient"].as_f64().unwrap();
    assert_eq!(
        status["recurring_events"],
        json!([{"month": 0, "day": 0, "lunar_new_year": 0, "label": "Lunar New Year", "effect": effect, "named": true}])
    );
    // A country's holidays are asked, not given: this market has none of them, and the model
    // keeps the list it was asked about.
    let (asked, status) = trained(&app, &token, &json!({"dataset_id": dataset, "holidays": "uk"}));
    let candidates = asked["spec"]["candidate_events"].as_array().unwrap();
    assert!(candidates.contains(&json!("easter-2")) && candidates.contains(&json!("12-26")));
    assert!(asked["baseline"].get("events").is_none(), "{}", asked["baseline"]);
    assert_eq!(status["recurring_events"], json!([]));
    // A festival of the lunar calendar, named where the market has none: its term comes out
    // near zero, and the status says which festival.
    let request = json!({"dataset_id": dataset, "events": ["mid_autumn"]});
    let (doc, status) = trained(&app, &token, &request);
    let effect = doc["baseline"]["events"]["dates"][0]["coefficient"].as_f64().unwrap();
    assert!(effect.abs() < 0.05 * level, "{effect} against a level of {level}");
    assert_eq!(
        status["recurring_events"],
        json!([{"month": 0, "day": 0, "mid_autumn": 0, "label": "the Mid-Autumn Festival", "effect": effect, "named": true}])
    );
    assert_eq!(doc["format_version"], 8);
    // A holiday season this market does not have, named as a span of dates: a term near zero,
    // and the status gives its length.
    let request = json!({"dataset_id": dataset, "events": ["11-20 .. 12-25"]});
    let (doc, status) = trained(&app, &token, &request);
    assert_eq!(
        (&doc["spec"]["events"], &doc["format_version"]),
        (&json!(["11-20..12-25"]), &json!(9))
    );
    let effect = doc["baseline"]["events"]["dates"][0]["coefficient"].as_f64().unwrap();
    assert!(effect.abs() < 0.05 * level, "{effect} against a level of {level}");
    assert_eq!(
        status["recurring_events"],
        json!([{"month": 11, "day": 20, "days": 36, "label": "20 November to 25 December", "effect": effect, "named": true}])
    );
    // Holi, one of the feasts an mmm before format version 10 does not know: the document needs
    // that version, and the status names it by its own field.
    let (doc, status) = trained(&app, &token, &json!({"dataset_id": dataset, "events": ["holi"]}));
    assert_eq!(doc["format_version"], 10);
    let effect = doc["baseline"]["events"]["dates"][0]["coefficient"].as_f64().unwrap();
    assert!(effect.abs() < 0.05 * level, "{effect} against a level of {level}");
    assert_eq!(
        status["recurring_events"],
        json!([{"month": 0, "day": 0, "holi": 0, "label": "Holi", "effect": effect, "named": true}])
    );
    let models = app.get("/api/v1/models", Some(&token)).json().as_array().unwrap().len();
    let r = app.post_json(
        "/api/v1/models",
        Some(&token),
        &json!({"dataset_id": dataset, "holidays": "xx"}),
    );
    assert!(matches!(r.status, 400 | 422) && r.text.contains("holidays"), "{}", r.text);
    // The countries the refusal lists are those the API lists, each with what it asks.
    let countries = app.get("/api/v1/holidays", Some(&token)).json();
    let codes: Vec<&str> =
        countries.as_array().unwrap().iter().map(|c| c["code"].as_str().unwrap()).collect();
    assert!(r.text.contains(&format!("(the countries: {})", codes.join(", "))), "{}", r.text);
    let turkey = countries.as_array().unwrap().iter().find(|c| c["code"] == "tr").unwrap();
    assert_eq!(turkey["country"], "Turkey");
    let asks = turkey["events"].as_array().unwrap();
    assert!(asks.contains(&json!({"event": "ramadan", "label": "Ramadan"})), "{asks:?}");
    assert!(
        asks.contains(
            &json!({"event": "eid_al_adha..+3", "label": "Eid al-Adha and the 3 days after"})
        ),
        "{asks:?}"
    );
    let us = &countries[0];
    assert_eq!(
        (&us["code"], &us["events"][0]),
        (&json!("us"), &json!({"event": "01-01", "label": "1 January"}))
    );
    assert_eq!(app.get("/api/v1/holidays", None).status, 401);
    // With a year, each holiday gives its days that year: in 2033 Eid al-Fitr falls twice
    // (2 January and 23 December, as python-holidays' Turkish calendar has it), Thanksgiving in
    // 2026 is on 26 November, and Holi is known only to 2035.
    let days = |year: i32, code: &str, event: &str| {
        let countries = app.get(&format!("/api/v1/holidays?year={year}"), Some(&token)).json();
        let country = countries.as_array().unwrap().iter().find(|c| c["code"] == code).unwrap();
        let events = country["events"].as_array().unwrap();
        events.iter().find(|e| e["event"] == event).unwrap()["days"].clone()
    };
    assert_eq!(
        days(2033, "tr", "eid_al_fitr..+2"),
        json!([
            {"first": "2033-01-02", "last": "2033-01-04", "label": "2-4 January"},
            {"first": "2033-12-23", "last": "2033-12-25", "label": "23-25 December"}
        ])
    );
    assert_eq!(
        days(2033, "tr", "ramadan"),
        json!([
            {"first": "2033-01-01", "last": "2033-01-01", "label": "1 January"},
            {"first": "2033-11-23", "last": "2033-12-22", "label": "23 November to 22 December"}
        ])
    );
    assert_eq!(
        days(2026, "us", "11-22/Thu"),
        json!([{"first": "2026-11-26", "last": "2026-11-26", "label": "26 November"}])
    );
    assert_eq!(days(2040, "in", "holi"), json!([]));
    for (query, said) in [
        ("year=0", "year must be between 1 and 9999, not 0"),
        ("year=10000", "year must be between 1 and 9999, not 10000"),
        ("year=2027.5", "year: invalid digit found in string"),
    ] {
        let r = app.get(&format!("/api/v1/holidays?{query}"), Some(&token));
        assert_eq!(r.status, 422, "{query}: {}", r.text);
        assert!(r.text.contains(said), "{query}: {}", r.text);
        assert_eq!(r.json()["error"]["details"][0]["field"], "year", "{query}: {}", r.text);
    }
    for (events, said) in [
        (json!(["13-01"]), "events[0]: '13-01' is not a date every year has"),
        (json!(["11-27", "hanukkah"]), "events[1]: 'hanukkah' is neither a date MM-DD nor a feast"),
        (json!([27]), "events[0]: invalid type: integer `27`, expected a string"),
        (json!(["easter", "easter"]), "event 'easter' is named twice"),
        (json!(["06-01..09-01"]), "events[0]: '06-01..09-01' lasts 93 days"),
        (json!(["ramadan", "easter-1..-2"]), "events[1]: 'easter-1..-2' ends before it starts"),
    ] {
        let r = app.post_json(
            "/api/v1/models",
            Some(&token),
            &json!({"dataset_id": dataset, "events": events}),
        );
        assert!(matches!(r.status, 400 | 422), "{events}: {}", r.text);
        assert!(r.text.contains(said), "{events}: {}", r.text);
    }
    let after = app.get("/api/v1/models", Some(&token)).json().as_array().unwrap().len();
    assert_eq!(after, models, "a refused request stores no model");
}
