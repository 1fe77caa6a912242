//! The OpenAPI document: complete, described, and unchanged unless on purpose.

use crate::helpers::{Backend, TestApp};
use mmm_api::ApiDoc;
use utoipa_free::OpenApiExt;

mod utoipa_free {
    pub trait OpenApiExt {
        fn json(&self) -> serde_json::Value;
    }
    impl OpenApiExt for utoipa::openapi::OpenApi {
        fn json(&self) -> serde_json::Value {
            serde_json::to_value(self).unwrap()
        }
    }
}

/// Every route the application serves, as (method, OpenAPI path).
const ROUTES: &[(&str, &str)] = &[
    ("post", "/api/v1/auth/register"),
    ("post", "/api/v1/auth/login"),
    ("get", "/api/v1/auth/me"),
    ("post", "/api/v1/auth/password"),
    ("post", "/api/v1/datasets"),
    ("get", "/api/v1/datasets"),
    ("get", "/api/v1/datasets/{id}"),
    ("patch", "/api/v1/datasets/{id}"),
    ("delete", "/api/v1/datasets/{id}"),
    ("post", "/api/v1/models"),
    ("post", "/api/v1/models/import"),
    ("post", "/api/v1/models/{id}/score"),
    ("post", "/api/v1/datasets/{id}/backtest"),
    ("get", "/api/v1/models"),
    ("get", "/api/v1/models/{id}"),
    ("patch", "/api/v1/models/{id}"),
    ("delete", "/api/v1/models/{id}"),
    ("get", "/api/v1/holidays"),
    ("post", "/api/v1/models/{id}/optimize"),
    ("post", "/api/v1/models/{id}/plan"),
    ("post", "/api/v1/models/{id}/scenarios"),
    ("get", "/api/v1/models/{id}/frontier"),
    ("get", "/api/v1/jobs/{id}"),
    ("post", "/api/v1/jobs/{id}/cancel"),
    ("get", "/api/v1/jobs/{id}/ws"),
    ("get", "/api/v1/mmm/status"),
    ("get", "/api/v1/mmm/channels"),
    ("get", "/api/v1/mmm/channels/summary"),
    ("get", "/api/v1/mmm/contribution"),
    ("get", "/api/v1/mmm/response-curves"),
    ("get", "/api/v1/mmm/insights"),
    ("get", "/api/v1/export/insights"),
    ("get", "/api/v1/export/contribution"),
    ("get", "/api/v1/export/channels"),
    ("get", "/api/v1/export/curves"),
    ("get", "/health"),
    ("get", "/ready"),
];

#[test]
fn every_route_is_documented_with_a_description_and_error_schema() {
    let spec = <ApiDoc as utoipa::OpenApi>::openapi().json();
    let paths = spec["paths"].as_object().unwrap();
    let documented: usize = paths.values().map(|p| p.as_object().unwrap().len()).sum();
    assert_eq!(
        documented,
        ROUTES.len(),
        "a route is documented but not listed here, or the reverse"
    );
    for (method, path) in ROUTES {
        let op = &spec["paths"][path][method];
        assert!(op.is_object(), "{method} {path} missing from the OpenAPI document");
        assert!(
            op["description"].as_str().or(op["summary"].as_str()).is_some_and(|d| !d.is_empty()),
            "{method} {path} has no description"
        );
        let protected =
            !matches!(*path, "/api/v1/auth/register" | "/api/v1/auth/login" | "/health" | "/ready");
        assert_eq!(op.get("security").is_some(), protected, "{method} {path} security");
    }
    assert!(spec["components"]["schemas"]["ErrorBody"].is_object());
    assert!(spec["components"]["securitySchemes"]["bearer"].is_object());
}

#[test]
fn the_served_routes_are_the_documented_ones() {
    // Each documented route answers something other than the 404 of an unknown path.
    let app = TestApp::spawn(Backend::Sqlite);
    for (method, path) in ROUTES {
        let url = path.replace("{id}", "00000000-0000-0000-0000-000000000000");
        let r = match *method {
            "get" => app.get(&url, None),
            "delete" => app.delete(&url, None),
            _ => app.post(&url, None, "application/json", "{}"),
        };
        let unknown = r.status == 404 && r.text.contains("no route for");
        assert!(!unknown, "{method} {path} is documented but not served");
    }
    let spec = app.get("/api-docs/openapi.json", None);
    assert_eq!(spec.status, 200);
    assert_eq!(spec.json(), <ApiDoc as utoipa::OpenApi>::openapi().json());
    let docs = app.get("/docs/", None);
    assert_eq!(docs.status, 200);
    assert!(docs.text.contains("swagger"), "Swagger UI page");
}

#[test]
fn openapi_snapshot() {
    let spec = <ApiDoc as utoipa::OpenApi>::openapi().json();
    insta::assert_json_snapshot!("openapi", spec);
}

#[test]
fn a_wrong_method_is_405_with_allow_and_an_unknown_path_404() {
    let app = TestApp::spawn(Backend::Sqlite);
    let r = app.delete("/api/v1/models", None);
    assert_eq!((r.status, r.error_code().as_str()), (405, "method_not_allowed"), "{}", r.text);
    assert_eq!(r.headers["allow"], "GET, HEAD, POST");
    let r = app.post("/health", None, "application/json", "{}");
    assert_eq!((r.status, r.headers["allow"].as_str()), (405, "GET, HEAD"));
    // A literal segment wins over a path parameter: `import` is not a model id.
    let r = app.put("/api/v1/models/import");
    assert_eq!((r.status, r.headers["allow"].as_str()), (405, "POST"));
    let r = app.post("/api/v1/models/some-id", None, "application/json", "{}");
    assert_eq!((r.status, r.headers["allow"].as_str()), (405, "DELETE, GET, HEAD, PATCH"));
    for path in ["/api/v1/nothing", "/api/v1/models/a/b", "/api/v1/models/"] {
        let r = app.delete(path, None);
        assert_eq!((r.status, r.error_code().as_str()), (404, "not_found"), "{path}");
        assert!(!r.headers.contains_key("allow"), "{path}");
    }
}

#[test]
fn head_is_answered_wherever_get_is_without_a_body() {
    let app = TestApp::spawn(Backend::Sqlite);
    let token = app.register("head@example.com");
    for (path, token) in [("/health", None), ("/api/v1/models", Some(token.as_str()))] {
        let (get, head) = (app.get(path, token), app.head(path, token));
        assert_eq!((get.status, head.status), (200, 200), "{path}");
        assert!(!get.text.is_empty() && head.text.is_empty(), "{path}: {:?}", head.text);
        assert_eq!(head.headers["content-length"], get.text.len().to_string(), "{path}");
        assert_eq!(head.headers["content-type"], get.headers["content-type"], "{path}");
    }
    // The same checks as GET: no token, no data.
    let r = app.head("/api/v1/models", None);
    assert_eq!((r.status, r.text.as_str()), (401, ""));
    // A route without GET has no HEAD either.
    let r = app.head("/api/v1/auth/login", None);
    assert_eq!((r.status, r.headers["allow"].as_str()), (405, "POST"));
}

#[test]
fn every_protected_route_documents_401_and_every_input_422() {
    let spec = <ApiDoc as utoipa::OpenApi>::openapi().json();
    for (method, path) in ROUTES {
        let op = &spec["paths"][path][method];
        if op.get("security").is_some() {
            assert!(op["responses"]["401"].is_object(), "{method} {path}: 401");
        }
        let query =
            op["parameters"].as_array().is_some_and(|ps| ps.iter().any(|p| p["in"] == "query"));
        if query || op.get("requestBody").is_some() {
            assert!(op["responses"]["422"].is_object(), "{method} {path}: 422");
        }
    }
}

#[test]
fn timestamps_are_rfc3339_in_utc() {
    let app = TestApp::spawn(Backend::Sqlite);
    let token = app.register("ann@example.com");
    let me = app.get("/api/v1/auth/me", Some(&token)).json();
    let created = me["created_at"].as_str().unwrap();
    let parsed = chrono::DateTime::parse_from_rfc3339(created).unwrap();
    assert_eq!(parsed.offset().local_minus_utc(), 0, "{created}");
    let age = chrono::Utc::now() - parsed.with_timezone(&chrono::Utc);
    assert!(age.num_seconds().abs() < 600, "{created} is now, in UTC");
}
