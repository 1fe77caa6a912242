//! Scoring a saved model on data over HTTP.

use crate::helpers::{TestApp, simulated_csv};

crate::on_both!(a_model_scores_data_and_flags_drift);

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
