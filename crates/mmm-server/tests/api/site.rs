//! The dashboard's static files at `/`, and the API without them.

use crate::helpers::{Backend, TestApp};

#[test]
fn without_a_built_dashboard_the_root_says_how_to_build_it() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-dist");
    let app = TestApp::spawn_with(Backend::Sqlite, &[("WEB_DIR", missing.to_str().unwrap())]);
    let r = app.get("/", None);
    assert_eq!(r.status, 200);
    assert!(
        r.text.contains("the dashboard was not built") && r.text.contains("make build"),
        "{}",
        r.text
    );
    assert_eq!(app.get("/assets/app.js", None).status, 404);
    // The API is untouched.
    assert_eq!(app.get("/health", None).status, 200);
    let r = app.get("/api/v1/nothing-here", None);
    assert_eq!((r.status, r.error_code().as_str()), (404, "not_found"));
}

#[test]
fn a_built_dashboard_is_served_with_its_assets() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("assets")).unwrap();
    std::fs::write(dir.path().join("index.html"), "<!doctype html><title>mmm</title>").unwrap();
    std::fs::write(dir.path().join("assets/app-AB12.js"), "console.log(1)").unwrap();
    std::fs::write(dir.path().join("assets/app-AB12.css"), "body{}").unwrap();
    std::fs::write(dir.path().join(".env"), "SECRET_KEY=do-not-serve").unwrap();
    let app = TestApp::spawn_with(Backend::Sqlite, &[("WEB_DIR", dir.path().to_str().unwrap())]);

    let r = app.get("/", None);
    assert_eq!((r.status, r.text.as_str()), (200, "<!doctype html><title>mmm</title>"));
    assert_eq!(r.headers["content-type"], "text/html; charset=utf-8");
    assert_eq!(r.headers["cache-control"], "no-cache");
    let csp = &r.headers["content-security-policy"];
    assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"), "{csp}");
    let r = app.get("/assets/app-AB12.js", None);
    assert_eq!((r.status, r.text.as_str()), (200, "console.log(1)"));
    assert_eq!(r.headers["content-type"], "text/javascript; charset=utf-8");
    assert!(r.headers["cache-control"].contains("immutable"));
    assert_eq!(
        app.get("/assets/app-AB12.css", None).headers["content-type"],
        "text/css; charset=utf-8"
    );
    // A pre-compressed copy goes to clients that accept gzip, the plain file to the others.
    std::fs::write(dir.path().join("assets/app-AB12.js.gz"), b"\x1f\x8b gzip bytes").unwrap();
    let r = app.get_with_header("/assets/app-AB12.js", "accept-encoding", "gzip, br");
    assert_eq!(r.headers.get("content-encoding").map(String::as_str), Some("gzip"));
    assert_eq!(r.headers["content-type"], "text/javascript; charset=utf-8");
    let r = app.get("/assets/app-AB12.js", None);
    assert_eq!((r.headers.get("content-encoding"), r.text.as_str()), (None, "console.log(1)"));

    for path in ["/.env", "/assets/../.env", "/assets/%2e%2e/.env", "/missing.js"] {
        assert_eq!(app.get(path, None).status, 404, "{path}");
    }
    // Unknown API paths keep the JSON envelope; writes to the site are not routes.
    assert_eq!(app.get("/api/v1/nothing-here", None).error_code(), "not_found");
    let r = app.post("/index.html", None, "text/plain", "x");
    assert_eq!((r.status, r.error_code().as_str()), (404, "not_found"));
}
