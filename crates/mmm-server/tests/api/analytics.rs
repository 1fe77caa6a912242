//! Analytics and export routes over a trained model.

use crate::helpers::{TestApp, assert_banded};

crate::on_both!(analytics_routes_answer_from_the_model);

fn analytics_routes_answer_from_the_model(app: TestApp) {
    let token = app.register("ann@example.com");
    let dataset = app.upload(&token, 104, 3);
    let (model, _, _) = app.train(&token, &dataset);
    let doc = app.get(&format!("/api/v1/models/{model}"), Some(&token)).json()["document"].clone();

    // Without model_id the latest fitted model answers; with it, the same one.
    let status = app.get("/api/v1/mmm/status", Some(&token)).json();
    assert_eq!(status["model_id"], model.as_str());
    assert_eq!(status["periods"], 104);
    assert_eq!(status["origin"], "fit");
    // The MAP fit keeps its draws over the curve shapes.
    assert_eq!(status["method"], "map");
    assert_eq!(status["posterior_draws"], doc["posterior"].as_array().unwrap().len());
    assert_eq!(status["posterior_draws"], 200);
    assert!(status["cache"]["hits"].as_u64().is_some());
    // Each control with its mean over the fitting window and over the last 13 weeks.
    let controls = status["controls"].as_array().unwrap();
    assert_eq!(controls.len(), doc["baseline"]["controls"].as_array().unwrap().len());
    for (c, series) in controls.iter().zip(doc["series"]["control_values"].as_array().unwrap()) {
        assert_eq!(c["name"], series["name"]);
        let values: Vec<f64> =
            series["values"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
        let recent = values[values.len() - 13..].iter().sum::<f64>() / 13.0;
        assert!((c["recent_mean"].as_f64().unwrap() - recent).abs() < 1e-9, "{c}");
        let fit = &values[..104 - doc["spec"]["holdout"].as_u64().unwrap() as usize];
        let mean = fit.iter().sum::<f64>() / fit.len() as f64;
        assert!((c["mean"].as_f64().unwrap() - mean).abs() < 1e-9, "{c}");
    }
    assert_eq!(
        app.get(&format!("/api/v1/mmm/status?model_id={model}"), Some(&token)).json()["model_id"],
        model.as_str()
    );

    let summary = app.get("/api/v1/mmm/channels/summary", Some(&token)).json();
    let rows = summary.as_array().unwrap();
    assert_eq!(rows.len(), 3);
    let stored: mmm_core::ModelDocument = serde_json::from_value(doc.clone()).unwrap();
    for ((row, ch), c) in rows.iter().zip(doc["channels"].as_array().unwrap()).zip(&stored.channels)
    {
        // The most the noise alone would let the data decide, from the stored model.
        let limit = mmm_core::insights::noise_limit(&stored, c).unwrap().contraction;
        assert_eq!(row["roi_contraction_limit"].as_f64(), Some(limit), "{row}");
        assert_eq!(row["name"], ch["name"]);
        assert_eq!(row["roi"], ch["roi"]);
        assert_eq!(row["mroi"], ch["mroi"]);
        assert_eq!(row["share"], ch["share"]);
        assert_eq!(row["on_media_units"], false, "fitted on spend");
        // A MAP fit carries approximate intervals and how much the data narrowed the ROI
        // prior, all from the stored model.
        for key in ["roi_interval", "mroi_interval", "contribution_interval", "roi_contraction"] {
            assert_eq!(row[key], ch[key], "{key}");
        }
        let bounds = |key: &str| [0, 1].map(|i| row[key][i].as_f64().unwrap());
        let figure = |key: &str| row[key].as_f64().unwrap();
        for (interval, value) in [("roi_interval", "roi"), ("mroi_interval", "mroi")] {
            let [lo, hi] = bounds(interval);
            assert!(0.0 <= lo && lo <= figure(value) && figure(value) < hi, "{row}");
        }
        // Spend is data: the contribution's interval is the ROI's times the spend.
        let [lo, hi] = bounds("contribution_interval");
        let [roi_lo, roi_hi] = bounds("roi_interval");
        assert!((lo - roi_lo * figure("spend")).abs() <= 1e-9 * hi);
        assert!((hi - roi_hi * figure("spend")).abs() <= 1e-9 * hi);
        assert!((0.0..=1.0).contains(&figure("roi_contraction")), "{row}");
        // The share's interval comes from the fit's draws over the curve shapes.
        let [lo, hi] = bounds("share_interval");
        assert!(0.0 <= lo && lo <= figure("share") && figure("share") <= hi && hi <= 1.0, "{row}");
    }
    let channels = app.get("/api/v1/mmm/channels", Some(&token)).json();
    assert_eq!(channels[0]["adstock"]["type"], "geometric");
    assert_eq!(channels[0]["saturation"]["type"], "hill");
    // With the fit's draws, each parameter's posterior mean and 90% interval, as stored.
    for (row, ch) in channels.as_array().unwrap().iter().zip(doc["channels"].as_array().unwrap()) {
        let summaries = row["posterior_parameters"].as_array().unwrap();
        let names: Vec<&str> = summaries.iter().map(|p| p["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["coefficient", "decay", "half_saturation", "shape"]);
        assert_eq!(row["posterior_parameters"], ch["posterior_parameters"]);
    }

    let contribution = app.get("/api/v1/mmm/contribution", Some(&token)).json();
    let periods = contribution.as_array().unwrap();
    assert_eq!(periods.len(), 104);
    let p = &periods[10];
    let media: f64 = p["channels"].as_object().unwrap().values().map(|v| v.as_f64().unwrap()).sum();
    let fitted = p["fitted"].as_f64().unwrap();
    assert!((p["baseline"].as_f64().unwrap() + media - fitted).abs() < 1e-6 * fitted.abs());
    // Each channel's contribution in each period has a 90% band over the fit's draws.
    let bands = p["channel_intervals"].as_object().unwrap();
    assert_eq!(bands.len(), 3);
    assert!(bands.values().all(|b| b[0].as_f64().unwrap() <= b[1].as_f64().unwrap()), "{p}");
    // Every part is its posterior mean, so each channel's periods add up to the contribution
    // the channel table reports.
    for row in rows {
        let name = row["name"].as_str().unwrap();
        let total: f64 = periods.iter().map(|p| p["channels"][name].as_f64().unwrap()).sum();
        let reported = row["contribution"].as_f64().unwrap();
        assert!((total / reported - 1.0).abs() < 1e-9, "{name}: {total} against {reported}");
    }

    let curves =
        app.get("/api/v1/mmm/response-curves?points=11&max_multiple=2", Some(&token)).json();
    let c = &curves[0];
    assert_eq!(c["points"].as_array().unwrap().len(), 11);
    assert_eq!(c["points"][0]["response"], 0.0);
    // Curves of any shape carry a band, from the MAP fit's stored draws.
    assert_banded(&c["points"]);
    assert!(doc["posterior"].as_array().is_some_and(|d| !d.is_empty()));
    // The current response is the expected one over the draws: between its neighbours on the
    // stored (expected) curve.
    let stored = doc["channels"][0]["response_curve"].as_array().unwrap();
    let current = curves[0]["current_spend"].as_f64().unwrap();
    let around = stored.windows(2).find(|w| w[1]["spend"].as_f64().unwrap() >= current).unwrap();
    let response = curves[0]["current_response"].as_f64().unwrap();
    assert!(
        around[0]["response"].as_f64().unwrap() <= response
            && response <= around[1]["response"].as_f64().unwrap(),
        "{response} outside {around:?}"
    );
    // The default curves come from the stored curve, serialised once and then served as is.
    let first = app.get(&format!("/api/v1/mmm/response-curves?model_id={model}"), Some(&token));
    let second = app.get(&format!("/api/v1/mmm/response-curves?model_id={model}"), Some(&token));
    assert_eq!(first.text, second.text);
    assert!(first.headers["content-type"].starts_with("application/json"));
    let default_curves = first.json();
    assert_eq!(default_curves[0]["points"].as_array().unwrap().len(), 61);
    assert_eq!(default_curves[0]["points"], doc["channels"][0]["response_curve"]);
    // ... where each point carries its 90% interval around the expected response.
    assert_banded(&default_curves[0]["points"]);
    let r = app.get("/api/v1/mmm/response-curves?points=1", Some(&token));
    assert_eq!((r.status, r.error_code().as_str()), (422, "invalid_request"));
    let r = app.get("/api/v1/mmm/response-curves?points=abc", Some(&token));
    assert_eq!(r.status, 422);

    let insights = app.get("/api/v1/mmm/insights", Some(&token)).json();
    assert_eq!(insights[0]["kind"], "top_contributor");
    assert!(insights[0]["numbers"]["share"].as_f64().unwrap() > 0.0);

    for (format, content_type, start) in [
        ("json", "application/json", "{"),
        ("csv", "text/csv", "kind,channels,title,message,numbers"),
        ("txt", "text/plain", "mmm insights for model"),
    ] {
        let r = app.get(
            &format!("/api/v1/export/insights?format={format}&model_id={model}"),
            Some(&token),
        );
        assert_eq!(r.status, 200);
        assert!(r.headers["content-type"].starts_with(content_type), "{format}");
        assert_eq!(
            r.headers["content-disposition"],
            format!("attachment; filename=\"mmm-insights-{model}.{format}\"")
        );
        assert!(r.text.starts_with(start), "{format}: {}", &r.text[..40.min(r.text.len())]);
    }
    let r = app.get("/api/v1/export/insights?format=xml", Some(&token));
    assert_eq!((r.status, r.error_code().as_str()), (422, "invalid_request"));

    // The decomposition as a CSV attachment: a header, one row per period, and in each row the
    // baseline and the channels add up to the fitted value.
    let r =
        app.get(&format!("/api/v1/export/contribution?format=csv&model_id={model}"), Some(&token));
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.headers["content-type"].starts_with("text/csv"));
    assert_eq!(
        r.headers["content-disposition"],
        format!("attachment; filename=\"mmm-contribution-{model}.csv\"")
    );
    let lines: Vec<&str> = r.text.lines().collect();
    let names: Vec<&str> =
        doc["channels"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    // Each channel's column is followed by its 90% band over the fit's draws.
    let channel_columns: Vec<String> =
        names.iter().map(|n| format!("{n},{n}_low,{n}_high")).collect();
    let header = format!(
        "date,actual,fitted,baseline,intercept,trend,seasonality,controls,{}",
        channel_columns.join(",")
    );
    assert_eq!(lines[0], header);
    assert_eq!(lines.len(), 1 + doc["periods"].as_u64().unwrap() as usize);
    let rows = app.get(&format!("/api/v1/mmm/contribution?model_id={model}"), Some(&token)).json();
    for (t, line) in lines[1..].iter().enumerate() {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(cells[0], rows[t]["date"].as_str().unwrap());
        let v: Vec<f64> = cells[1..].iter().map(|c| c.parse().unwrap()).collect();
        assert_eq!(v[1], rows[t]["fitted"].as_f64().unwrap());
        assert!(v[7..].chunks(3).all(|c| c[1] <= c[2]), "line {}: {line}", t + 2);
        let media: f64 = v[7..].chunks(3).map(|c| c[0]).sum();
        assert!((v[2] + media - v[1]).abs() < 1e-6 * v[1].abs(), "line {}: {line}", t + 2);
    }
    let json =
        app.get(&format!("/api/v1/export/contribution?model_id={model}"), Some(&token)).json();
    assert_eq!(json, rows);
    let r = app.get("/api/v1/export/contribution?format=txt", Some(&token));
    assert_eq!((r.status, r.error_code().as_str()), (422, "invalid_request"));

    // The channel table: one row per channel, with the figures /mmm/channels/summary gives.
    let r = app.get(&format!("/api/v1/export/channels?format=csv&model_id={model}"), Some(&token));
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.headers["content-type"].starts_with("text/csv"));
    assert_eq!(
        r.headers["content-disposition"],
        format!("attachment; filename=\"mmm-channels-{model}.csv\"")
    );
    let summary =
        app.get(&format!("/api/v1/mmm/channels/summary?model_id={model}"), Some(&token)).json();
    let lines: Vec<&str> = r.text.lines().collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let at = |name: &str| header.iter().position(|h| *h == name).unwrap();
    assert_eq!(lines.len(), 1 + names.len());
    for (line, row) in lines[1..].iter().zip(summary.as_array().unwrap()) {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(cells[at("channel")], row["name"].as_str().unwrap());
        for (column, value) in
            [("roi", &row["roi"]), ("roi_low", &row["roi_interval"][0]), ("share", &row["share"])]
        {
            assert_eq!(
                cells[at(column)].parse::<f64>().unwrap(),
                value.as_f64().unwrap(),
                "{column}"
            );
        }
        assert_eq!(cells[at("adstock")], "geometric");
    }
    let json = app.get(&format!("/api/v1/export/channels?model_id={model}"), Some(&token)).json();
    assert_eq!(json, summary);

    // The curves, long: a row per channel and point, as the model stores them.
    let r = app.get(&format!("/api/v1/export/curves?format=csv&model_id={model}"), Some(&token));
    assert_eq!(r.status, 200, "{}", r.text);
    let lines: Vec<&str> = r.text.lines().collect();
    assert_eq!(lines[0], "channel,spend,response,mroi,response_low,response_high");
    let curves = &doc["channels"][0]["response_curve"];
    let first: Vec<&str> = lines
        .iter()
        .skip(1)
        .filter(|l| l.starts_with(&format!("{},", names[0])))
        .copied()
        .collect();
    assert_eq!(first.len(), curves.as_array().unwrap().len());
    let last: Vec<f64> =
        first[first.len() - 1].split(',').skip(1).map(|c| c.parse().unwrap()).collect();
    let point = &curves[first.len() - 1];
    assert_eq!(
        last[..3],
        [
            point["spend"].as_f64().unwrap(),
            point["response"].as_f64().unwrap(),
            point["mroi"].as_f64().unwrap()
        ]
    );
    assert_eq!(last[4], point["interval"][1].as_f64().unwrap());
    let json = app.get(&format!("/api/v1/export/curves?model_id={model}"), Some(&token)).json();
    assert_eq!(json[0]["points"], *curves);
    let r = app.get("/api/v1/export/curves?format=xlsx", Some(&token));
    assert_eq!((r.status, r.error_code().as_str()), (422, "invalid_request"));
}
