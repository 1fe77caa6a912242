//! Checking models against data over HTTP: scoring a saved model, backtesting a data set.

use crate::helpers::{TestApp, simulated_csv};
use serde_json::json;

crate::on_both!(a_model_scores_data_and_flags_drift, a_data_set_is_backtested_fold_by_fold);

/// The header and the data rows `range` of a CSV text, with every KPI value times `factor`.
fn rows(csv: &str, range: std::ops::Range<usize>, factor: f64) -> String {
    let lines: Vec<&str> = csv.lines().collect();
    let mut out = vec![lines[0].to_owned()];
    for line in &lines[1 + range.start..1 + range.end] {
        let mut cells: Vec<String> = line.split(',').map(str::to_owned).collect();
        cells[1] = (cells[1].parse::<f64>().unwrap() * factor).to_string();
        out.push(cells.join(","));
    }
    out.join("\n") + "\n"
}

fn a_model_scores_data_and_flags_drift(app: TestApp) {
    let token = app.register("ann@example.com");
    let dataset = app.upload(&token, 104, 3);
    // Trained with the last 8 periods held out.
    let (model, _, _) = app.train(&token, &dataset);
    let doc = app.get(&format!("/api/v1/models/{model}"), Some(&token)).json()["document"].clone();
    let csv = simulated_csv(104, 3);
    let path = format!("/api/v1/models/{model}/score");

    let r = app.post(&path, Some(&token), "text/csv", csv.clone());
    assert_eq!(r.status, 200, "{}", r.text);
    let s = r.json();
    let periods = s["periods"].as_array().unwrap();
    assert_eq!(periods.len(), 104);
    assert_eq!(s["out_of_sample"], 8);
    assert!(periods[..96].iter().all(|p| p["in_fit"] == true));
    assert!(periods[96..].iter().all(|p| p["in_fit"] == false));
    for p in periods {
        let (lo, mid, hi) = (
            p["interval"][0].as_f64().unwrap(),
            p["predicted"].as_f64().unwrap(),
            p["interval"][1].as_f64().unwrap(),
        );
        assert!(lo < mid && mid < hi, "{p}");
    }
    // Over the model's own data the score is the fit's (the fitting window's R² and the
    // holdout's MAPE together): the same posterior mean prediction, up to resampled draws.
    let fit_r2 = doc["fit"]["r2"].as_f64().unwrap();
    let last8 = app.post(&path, Some(&token), "text/csv", rows(&csv, 96..104, 1.0)).json();
    let holdout_mape = doc["fit"]["holdout"]["mape"].as_f64().unwrap();
    let mape = last8["metrics"]["mape"].as_f64().unwrap();
    assert!((mape - holdout_mape).abs() < 0.003, "{mape} against {holdout_mape}");
    assert!(s["metrics"]["r2"].as_f64().unwrap() > fit_r2 - 0.1, "{s}");
    assert_eq!(s["drift"]["drifted"], false, "{}", s["drift"]);

    // The same weeks with the KPI a fifth higher have drifted, as multipart with a renamed
    // date column.
    let moved = rows(&csv, 80..104, 1.2).replacen("date,", "week,", 1);
    let boundary = "ScOrEbOuNdArY";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"date_column\"\r\n\r\nweek\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"new.csv\"\r\n\
         Content-Type: text/csv\r\n\r\n{moved}\r\n--{boundary}--\r\n"
    );
    let r =
        app.post(&path, Some(&token), &format!("multipart/form-data; boundary={boundary}"), body);
    assert_eq!(r.status, 200, "{}", r.text);
    let drift = &r.json()["drift"];
    assert_eq!(drift["drifted"], true, "{drift}");
    assert!(r.json()["metrics"]["bias"].as_f64().unwrap() > 0.1);

    // The last four weeks as a plan, without their KPI: forecasts (actual null) predicted as
    // before, and the accuracy over the other four.
    let plan: String = rows(&csv, 96..104, 1.0)
        .lines()
        .enumerate()
        .map(|(i, l)| {
            let mut cells: Vec<&str> = l.split(',').collect();
            if i > 4 {
                cells[1] = "";
            }
            cells.join(",") + "\n"
        })
        .collect();
    let r = app.post(&path, Some(&token), "text/csv", plan);
    assert_eq!(r.status, 200, "{}", r.text);
    let planned = r.json();
    assert_eq!(planned["forecasts"], 4);
    for (p, q) in
        planned["periods"].as_array().unwrap().iter().zip(last8["periods"].as_array().unwrap())
    {
        assert_eq!((&p["predicted"], &p["interval"]), (&q["predicted"], &q["interval"]));
    }
    assert!(planned["periods"][3]["actual"].is_f64() && planned["periods"][4]["actual"].is_null());
    let first4 = app.post(&path, Some(&token), "text/csv", rows(&csv, 96..100, 1.0)).json();
    assert_eq!((&planned["metrics"], &planned["drift"]), (&first4["metrics"], &first4["drift"]));

    // Dates off the model's calendar: 422 with the column and the reason.
    let shifted = rows(&csv, 0..3, 1.0).replace("2022-01-", "2022-02-");
    let r = app.post(&path, Some(&token), "text/csv", shifted);
    assert_eq!((r.status, r.error_code().as_str()), (422, "invalid_data"));
    let details = &r.json()["error"]["details"];
    assert_eq!(details[0]["column"], "date");
    assert!(details[0]["reason"].as_str().unwrap().contains("calendar"), "{details}");
    // A column the model needs is missing.
    let r = app.post(&path, Some(&token), "text/csv", "date,revenue\n2022-01-03,5\n");
    assert_eq!((r.status, r.error_code().as_str()), (422, "invalid_data"));
    let r = app.post(&path, Some(&token), "text/csv", "");
    assert_eq!((r.status, r.error_code().as_str()), (422, "invalid_data"));

    // Another user's model is not there for them; nor is a model without a token.
    let bob = app.register("bob@example.com");
    let r = app.post(&path, Some(&bob), "text/csv", csv.clone());
    assert_eq!((r.status, r.error_code().as_str()), (404, "not_found"));
    assert_eq!(app.post(&path, None, "text/csv", csv).status, 401);
}

fn a_data_set_is_backtested_fold_by_fold(app: TestApp) {
    let token = app.register("ann@example.com");
    let dataset = app.upload(&token, 104, 3);
    let path = format!("/api/v1/datasets/{dataset}/backtest");

    let r = app.post_json(&path, Some(&token), &json!({"folds": 2, "horizon": 8, "seed": 3}));
    assert_eq!(r.status, 200, "{}", r.text);
    let b = r.json();
    let folds = b["folds"].as_array().unwrap();
    assert_eq!(folds.len(), 2);
    assert_eq!(
        (folds[0]["fit_periods"].as_u64(), folds[1]["fit_periods"].as_u64()),
        (Some(88), Some(96))
    );
    let csv = simulated_csv(104, 3);
    let dates: Vec<&str> = csv.lines().skip(1).map(|l| &l[..10]).collect();
    assert_eq!(
        (folds[1]["start"].as_str(), folds[1]["end"].as_str()),
        (Some(dates[96]), Some(dates[103]))
    );
    // Each channel's stability is read off its fold ROIs.
    for (i, c) in b["channels"].as_array().unwrap().iter().enumerate() {
        let rois: Vec<f64> =
            folds.iter().map(|f| f["channels"][i]["roi"].as_f64().unwrap()).collect();
        let (min, max) = (rois[0].min(rois[1]), rois[0].max(rois[1]));
        assert_eq!((c["min"].as_f64().unwrap(), c["max"].as_f64().unwrap()), (min, max));
    }
    let pooled = b["metrics"]["mape"].as_f64().unwrap();
    let mean = folds.iter().map(|f| f["metrics"]["mape"].as_f64().unwrap()).sum::<f64>() / 2.0;
    assert!((pooled - mean).abs() < 1e-12);

    // Defaults: 4 folds of 13.
    let r = app.post_json(&path, Some(&token), &json!({}));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["folds"].as_array().unwrap().len(), 4);
    // Folds that leave too little to fit, and an unknown channel's prior.
    let r = app.post_json(&path, Some(&token), &json!({"folds": 8, "horizon": 13}));
    assert_eq!((r.status, r.error_code().as_str()), (422, "invalid_request"));
    assert!(r.json()["error"]["message"].as_str().unwrap().contains("use fewer or shorter folds"));
    let r = app.post_json(
        &path,
        Some(&token),
        &json!({"priors": {"channel_roi": {"radio": {"median": 1.0}}}}),
    );
    assert_eq!((r.status, r.error_code().as_str()), (422, "invalid_request"), "{}", r.text);
    // Priors that are not an object.
    let r = app.post_json(&path, Some(&token), &json!({"priors": [null, null]}));
    assert_eq!(r.status, 422, "{}", r.text);
    // A seed beyond the documented 64-bit signed range.
    let r = app.post_json(&path, Some(&token), &json!({"seed": 9_223_372_036_854_775_808u64}));
    assert_eq!((r.status, r.error_code().as_str()), (422, "invalid_request"));
    // Another user's data set is not there for them.
    let bob = app.register("bob@example.com");
    let r = app.post_json(&path, Some(&bob), &json!({}));
    assert_eq!((r.status, r.error_code().as_str()), (404, "not_found"));
}
