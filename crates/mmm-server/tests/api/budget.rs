//! Budget routes over a trained model: optimise, plan, scenarios, frontier.

use crate::helpers::TestApp;
use serde_json::json;

crate::on_both!(optimize_plan_scenarios_frontier);

fn optimize_plan_scenarios_frontier(app: TestApp) {
    let token = app.register("ann@example.com");
    let dataset = app.upload(&token, 104, 3);
    let (model, _, _) = app.train(&token, &dataset);
    let doc = app.get(&format!("/api/v1/models/{model}"), Some(&token)).json()["document"].clone();
    let names: Vec<String> = doc["channels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect();
    let current = app.current_total(&token, &model);
    let locked = doc["channels"][0]["current_spend"].as_f64().unwrap();

    let body = json!({"budget": current, "constraints": {"bounds_pct": 0.5, "lock": {names[0].clone(): locked}}});
    let r = app.post_json(&format!("/api/v1/models/{model}/optimize"), Some(&token), &body);
    assert_eq!(r.status, 200, "{}", r.text);
    let o = r.json();
    assert!((o["spent"].as_f64().unwrap() - current).abs() < 1e-6 * current);
    assert!(o["uplift"].as_f64().unwrap() >= -1e-6, "the current allocation is feasible: {o}");
    assert_eq!(o["allocation"][0]["recommended"].as_f64().unwrap(), locked);
    for key in
        ["budget", "current_response", "optimized_response", "uplift", "uplift_pct", "gap_bound"]
    {
        assert!(o[key].is_number(), "{key}");
    }
    for a in o["allocation"].as_array().unwrap() {
        for key in ["name", "current", "recommended", "expected_response", "mroi"] {
            assert!(!a[key].is_null(), "{key}");
        }
    }
    assert!(o["current_mix"].is_null(), "the current budget: {o}");
    // Twice the budget: the recommendation is also compared with the current mix at that spend.
    let body = json!({"budget": 2.0 * current});
    let r = app.post_json(&format!("/api/v1/models/{model}/optimize"), Some(&token), &body);
    assert_eq!(r.status, 200, "{}", r.text);
    let o = r.json();
    let mix = &o["current_mix"];
    assert!((mix["spend"].as_f64().unwrap() - 2.0 * current).abs() < 1e-6 * current, "{o}");
    let gain = o["optimized_response"].as_f64().unwrap() - mix["response"].as_f64().unwrap();
    assert!((mix["uplift"].as_f64().unwrap() - gain).abs() < 1e-6 * gain.abs().max(1.0), "{o}");
    assert!(gain >= 0.0 && mix["probability_better"].is_number(), "{o}");

    // A value of the wrong type is named by its field, in the body or the query.
    let body = json!({"budget": 1000.0, "constraints": {"min": {names[0].clone(): "a lot"}}});
    let r = app.post_json(&format!("/api/v1/models/{model}/optimize"), Some(&token), &body);
    assert_eq!((r.status, r.error_code().as_str()), (422, "invalid_request"), "{}", r.text);
    let field = format!("constraints.min.{}", names[0]);
    let error = &r.json()["error"];
    assert_eq!(
        error["message"],
        format!("invalid request: {field}: invalid type: string \"a lot\", expected f64")
    );
    assert_eq!(error["details"][0]["field"], field.as_str());
    let r = app.get(&format!("/api/v1/models/{model}/frontier?budget=lots"), Some(&token));
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.json()["error"]["message"], "invalid request: budget: invalid float literal");

    // Infeasible: minimums above the budget.
    let body = json!({"budget": 10.0, "constraints": {"min": {names[0].clone(): 100.0}}});
    let r = app.post_json(&format!("/api/v1/models/{model}/optimize"), Some(&token), &body);
    assert_eq!((r.status, r.error_code().as_str()), (422, "infeasible"));
    assert!(r.json()["error"]["message"].as_str().unwrap().contains("above the budget 10"));
    let r = app.post_json(
        &format!("/api/v1/models/{model}/optimize"),
        Some(&token),
        &json!({"budget": 100.0, "constraints": {"lock": {"radio": 1}}}),
    );
    assert_eq!((r.status, r.error_code().as_str()), (422, "unknown_channel"));
    let r = app.post_json(&format!("/api/v1/models/{model}/optimize"), Some(&token), &json!({}));
    assert_eq!((r.status, r.error_code().as_str()), (422, "invalid_request"));

    let target = app.post_json(
        &format!("/api/v1/models/{model}/optimize"),
        Some(&token),
        &json!({"target_mroi": 1.0}),
    );
    assert_eq!(target.status, 200, "{}", target.text);

    let r = app.post_json(
        &format!("/api/v1/models/{model}/plan"),
        Some(&token),
        &json!({"periods": 4, "total_budget": 4.0 * current, "period_cap": 1.5 * current}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let p = r.json();
    assert_eq!(p["periods"].as_array().unwrap().len(), 4);
    assert!(p["expected_incremental"].as_f64().unwrap() > 0.0);
    // The MAP model's curve covariance gives the plan an interval around its value.
    let (lo, value, hi) = (
        p["incremental_interval"][0].as_f64().unwrap(),
        p["expected_incremental"].as_f64().unwrap(),
        p["incremental_interval"][1].as_f64().unwrap(),
    );
    assert!(lo < value && value < hi, "{p}");
    assert!(p.get("forecast").is_none());
    // With the forecast: the KPI of every planned week, baseline included, with its interval.
    let r = app.post_json(
        &format!("/api/v1/models/{model}/plan"),
        Some(&token),
        &json!({"periods": 4, "total_budget": 4.0 * current, "period_cap": 1.5 * current, "forecast": true}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let body = r.json();
    let f = &body["forecast"];
    // The file it forecast: the model's columns, and a row per planned week without a KPI.
    let file = body["forecast_file"].as_str().unwrap();
    let columns: Vec<String> = std::iter::once("date".to_owned())
        .chain(std::iter::once(doc["kpi"].as_str().unwrap().to_owned()))
        .chain(
            doc["channels"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["column"].as_str().unwrap().to_owned()),
        )
        .collect();
    assert!(file.starts_with(&columns.join(",")), "{file}");
    assert_eq!(file.lines().count(), 5);
    assert!(file.lines().skip(1).all(|l| l.split(',').nth(1) == Some("")), "{file}");
    assert_eq!(
        (f["forecasts"].as_u64(), f["metrics"].is_null(), f["drift"].is_null()),
        (Some(4), true, true)
    );
    for (week, planned) in
        f["periods"].as_array().unwrap().iter().zip(p["periods"].as_array().unwrap())
    {
        assert_eq!(week["date"], planned["date"]);
        assert!(week["actual"].is_null());
        let (lo, mid, hi) = (
            week["interval"][0].as_f64().unwrap(),
            week["predicted"].as_f64().unwrap(),
            week["interval"][1].as_f64().unwrap(),
        );
        assert!(lo < mid && mid < hi && week["media"].as_f64().unwrap() > 0.0, "{week}");
    }
    // A promotion in every planned week lifts each week's forecast by its effect: the
    // promotion's coefficient per standard deviation times its distance from its mean.
    let r = app.post_json(
        &format!("/api/v1/models/{model}/plan"),
        Some(&token),
        &json!({"periods": 4, "total_budget": 4.0 * current, "period_cap": 1.5 * current,
                "forecast": true, "controls": {"promo": 1.0}}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let promoted = r.json();
    let promo = doc["baseline"]["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "promo")
        .unwrap();
    let [coefficient, mean, sd] = ["coefficient", "mean", "sd"].map(|k| promo[k].as_f64().unwrap());
    let effect = coefficient * (1.0 - mean) / sd;
    for (a, b) in f["periods"]
        .as_array()
        .unwrap()
        .iter()
        .zip(promoted["forecast"]["periods"].as_array().unwrap())
    {
        let lift = b["predicted"].as_f64().unwrap() - a["predicted"].as_f64().unwrap();
        assert!((lift - effect).abs() < 1e-6 * effect.abs().max(1.0), "{lift} against {effect}");
    }
    assert!(promoted["forecast_file"].as_str().unwrap().lines().skip(1).all(|l| l.ends_with(",1")));
    // A control the model does not have is refused by name, before any planning.
    let r = app.post_json(
        &format!("/api/v1/models/{model}/plan"),
        Some(&token),
        &json!({"periods": 4, "total_budget": 4.0 * current, "forecast": true, "controls": {"weather": 1.0}}),
    );
    assert_eq!((r.status, r.error_code().as_str()), (422, "invalid_data"), "{}", r.text);
    assert_eq!(r.json()["error"]["details"][0]["column"], "weather");
    let r = app.post_json(
        &format!("/api/v1/models/{model}/plan"),
        Some(&token),
        &json!({"periods": 0, "total_budget": 1.0}),
    );
    assert_eq!(r.status, 422);

    let r = app.post_json(
        &format!("/api/v1/models/{model}/scenarios"),
        Some(&token),
        &json!({"scenarios": [{"name": "now", "spend": {}}, {"name": "double", "spend": {names[1].clone(): 2.0 * doc["channels"][1]["current_spend"].as_f64().unwrap()}}]}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let s = r.json();
    assert!(s[0]["uplift"].as_f64().unwrap().abs() < 1e-6);
    assert!(s[1]["uplift"].as_f64().unwrap() >= 0.0);
    // How sure the (MAP) model is that each scenario beats the current split: no answer for
    // the current split itself.
    assert!(s[0].get("probability_better").is_none());
    assert!(s[1]["probability_better"].as_f64().unwrap() >= 0.5, "{}", s[1]);
    assert!(s[1]["uplift_interval"][0].as_f64().unwrap() <= s[1]["uplift"].as_f64().unwrap());
    // Doubling one channel changes the total: the scenario is also set against the current
    // split scaled to its spend; the current split is not scaled to itself.
    assert!(s[0].get("current_mix").is_none(), "{}", s[0]);
    let mix = &s[1]["current_mix"];
    assert_eq!(mix["spend"], s[1]["spend"], "{}", s[1]);
    let gain = s[1]["response"].as_f64().unwrap() - mix["response"].as_f64().unwrap();
    assert!((mix["uplift"].as_f64().unwrap() - gain).abs() < 1e-6 * gain.abs().max(1.0), "{mix}");

    let f = app.get(&format!("/api/v1/models/{model}/frontier?steps=5"), Some(&token)).json();
    let points = f.as_array().unwrap();
    assert_eq!(points.len(), 5);
    assert!(points.windows(2).all(|w| w[1]["response"].as_f64() >= w[0]["response"].as_f64()));
    for p in points {
        let r = p["response"].as_f64().unwrap();
        let (lo, hi) = (
            p["response_interval"][0].as_f64().unwrap(),
            p["response_interval"][1].as_f64().unwrap(),
        );
        assert!(lo < r && r < hi, "{p}");
    }
    assert!((points[2]["budget"].as_f64().unwrap() - current).abs() < 1e-6 * current);
    let r = app.get(&format!("/api/v1/models/{model}/frontier?budget=-1"), Some(&token));
    assert_eq!(r.status, 422);
    assert!(r.text.contains("budget must be a non-negative number, got -1"), "{}", r.text);

    // Another user cannot use this model.
    let bob = app.register("bob@example.com");
    let r = app.post_json(
        &format!("/api/v1/models/{model}/optimize"),
        Some(&bob),
        &json!({"budget": 1000.0}),
    );
    assert_eq!(r.status, 404);
}
