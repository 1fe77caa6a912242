//! Accounts and tokens over HTTP.

use crate::helpers::{Backend, TestApp};
use serde_json::json;

crate::on_both!(
    register_login_me,
    bad_tokens_are_401_with_the_envelope,
    registration_errors,
    a_password_is_changed_with_the_current_one
);

fn register_login_me(app: TestApp) {
    let r = app.post_json(
        "/api/v1/auth/register",
        None,
        &json!({"email": "Ann@Example.com", "password": "correct horse", "full_name": "Ann"}),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let body = r.json();
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 1800);
    assert_eq!(body["user"]["email"], "ann@example.com");
    assert_eq!(body["user"]["role"], "user");
    assert!(body["user"].get("password_hash").is_none());
    let token = body["access_token"].as_str().unwrap();
    let me = app.get("/api/v1/auth/me", Some(token));
    assert_eq!(me.status, 200);
    assert_eq!(me.json()["full_name"], "Ann");

    let login = app.login("ann@example.com", "correct horse");
    assert_eq!(login.status, 200, "{}", login.text);
    let token = login.json()["access_token"].as_str().unwrap().to_owned();
    assert_eq!(app.get("/api/v1/auth/me", Some(&token)).json()["email"], "ann@example.com");

    let wrong = app.login("ann@example.com", "wrong horse");
    let unknown = app.login("nobody@example.com", "correct horse");
    assert_eq!((wrong.status, unknown.status), (401, 401));
    assert_eq!(wrong.json(), unknown.json());
    assert_eq!(wrong.error_code(), "unauthorized");
}

fn bad_tokens_are_401_with_the_envelope(app: TestApp) {
    for (header, value) in [
        ("Authorization", "Bearer not-a-jwt"),
        ("Authorization", "Basic dXNlcjpwYXNz"),
        // Signed with another secret.
        (
            "Authorization",
            "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ4IiwiZW1haWwiOiJ4QHguY28iLCJyb2xlIjoiYWRtaW4iLCJpYXQiOjE3MDAwMDAwMDAsImV4cCI6NDEwMjQ0NDgwMH0.5tQ7W0lVw2m2d3y7pQm0sP0aH5j0f1m7m2Qn8jM1c3k",
        ),
    ] {
        let r = app.get_with_header("/api/v1/datasets", header, value);
        assert_eq!(r.status, 401, "{value}: {}", r.text);
        assert_eq!(r.error_code(), "unauthorized");
        assert_eq!(r.headers.get("www-authenticate").map(String::as_str), Some("Bearer"));
    }
    let r = app.get("/api/v1/models", None);
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["error"]["message"], "missing bearer token");
    // Unknown routes answer the same envelope.
    let r = app.get("/api/v1/nope", None);
    assert_eq!((r.status, r.error_code().as_str()), (404, "not_found"));
    // Health and readiness need no token.
    assert_eq!(app.get("/health", None).json()["status"], "ok");
    let ready = app.get("/ready", None);
    assert_eq!((ready.status, ready.json()["status"].as_str()), (200, Some("ready")));
    // Security headers on every response.
    assert_eq!(r.headers["x-content-type-options"], "nosniff");
    assert_eq!(r.headers["x-frame-options"], "DENY");
    assert_eq!(r.headers["referrer-policy"], "no-referrer");
}

fn registration_errors(app: TestApp) {
    app.register("ann@example.com");
    let r = app.post_json(
        "/api/v1/auth/register",
        None,
        &json!({"email": "ANN@example.com", "password": "correct horse"}),
    );
    assert_eq!((r.status, r.error_code().as_str()), (409, "conflict"));
    let r = app.post_json(
        "/api/v1/auth/register",
        None,
        &json!({"email": "bob@example.com", "password": "short"}),
    );
    assert_eq!((r.status, r.error_code().as_str()), (422, "invalid_request"));
    assert_eq!(r.json()["error"]["message"], "password must be at least 8 characters");
    let r = app.post("/api/v1/auth/register", None, "application/json", "{not json");
    assert_eq!((r.status, r.error_code().as_str()), (422, "invalid_request"));
    let r = app.post_json("/api/v1/auth/register", None, &json!({"email": "bob@example.com"}));
    assert_eq!(r.status, 422, "{}", r.text);
    // Control characters, which PostgreSQL cannot store (NUL) or which no address holds, are
    // refused by name; a password may hold any (bcrypt tells them apart).
    for (body, said) in [
        (
            json!({"email": "b\u{0}ob@example.com", "password": "correct horse"}),
            "'b\\u0000ob@example.com' is not a valid email address",
        ),
        (
            json!({"email": "bob@example.com", "password": "correct horse", "full_name": "B\u{0}"}),
            "full name must not hold control characters",
        ),
    ] {
        let r = app.post_json("/api/v1/auth/register", None, &body);
        assert_eq!((r.status, r.error_code().as_str()), (422, "invalid_request"), "{}", r.text);
        assert!(r.text.contains(said), "{}", r.text);
    }
    let r = app.post_json(
        "/api/v1/auth/register",
        None,
        &json!({"email": "bob@example.com", "password": "correct\u{0}horse"}),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(app.login("bob@example.com", "correct%00horse").status, 200);
    assert_eq!(app.login("bob@example.com", "correct").status, 401);
    // An email with a NUL signs nobody in, and is answered as an unknown one.
    let r = app.login("ann%00@example.com", "correct horse");
    assert_eq!((r.status, r.error_code().as_str()), (401, "unauthorized"), "{}", r.text);
}

#[test]
fn login_attempts_are_rate_limited() {
    let app = TestApp::spawn_with(Backend::Sqlite, &[("LOGIN_ATTEMPTS_PER_MINUTE", "3")]);
    app.register("ann@example.com");
    for _ in 0..3 {
        assert_eq!(app.login("ann@example.com", "wrong").status, 401);
    }
    let r = app.login("ann@example.com", "correct horse");
    assert_eq!((r.status, r.error_code().as_str()), (429, "rate_limited"));
    let wait: u64 = r.headers["retry-after"].parse().unwrap();
    assert!((1..=60).contains(&wait));
}

#[test]
fn production_refuses_the_default_secret() {
    let vars =
        [("ENVIRONMENT", "production"), ("SECRET_KEY", mmm_server::config::DEFAULT_SECRET_KEY)]
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
    let err = mmm_server::config::Config::from_vars(&vars).unwrap_err();
    assert!(err.to_string().contains("SECRET_KEY"));
}

fn a_password_is_changed_with_the_current_one(app: TestApp) {
    let token = app.register("ann@example.com");
    let bob = app.register("bob@example.com");
    let change = |token: Option<&str>, current: &str, new: &str| {
        app.post_json(
            "/api/v1/auth/password",
            token,
            &json!({"current_password": current, "new_password": new}),
        )
    };
    // Refused: without a token, with a wrong current password, with a new one too short or
    // too long; the password stays as it was.
    assert_eq!(change(None, "correct horse", "battery staple").status, 401);
    for (current, new, said) in [
        ("wrong horse", "battery staple", "current_password is not the account's password"),
        ("correct horse", "short", "password must be at least 8 characters"),
        ("correct horse", &"x".repeat(73), "password must be at most 72 bytes"),
    ] {
        let r = change(Some(&token), current, new);
        assert_eq!((r.status, r.error_code().as_str()), (422, "invalid_request"), "{}", r.text);
        assert_eq!(r.json()["error"]["message"], said);
    }
    let r = app.post_json("/api/v1/auth/password", Some(&token), &json!({"new_password": "x"}));
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.text.contains("current_password"), "{}", r.text);
    assert_eq!(app.login("ann@example.com", "correct horse").status, 200);
    // A sign-in from a second earlier: its token is refused once the password changes.
    let earlier = app.login("ann@example.com", "correct horse").json()["access_token"].clone();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    // Changed: the answer is a new token; the next sign-in needs the new password, and Bob's
    // account is untouched.
    let r = change(Some(&token), "correct horse", "battery staple");
    assert_eq!(r.status, 200, "{}", r.text);
    let renewed = r.json()["access_token"].as_str().unwrap().to_owned();
    assert_eq!(app.get("/api/v1/auth/me", Some(&renewed)).json()["email"], "ann@example.com");
    for old in [token.as_str(), earlier.as_str().unwrap()] {
        let r = app.get("/api/v1/datasets", Some(old));
        assert_eq!((r.status, r.error_code().as_str()), (401, "unauthorized"), "{}", r.text);
        assert_eq!(
            r.json()["error"]["message"],
            "the token was issued before the password changed; sign in again"
        );
    }
    assert_eq!(app.login("ann@example.com", "correct horse").status, 401);
    let again = app.login("ann@example.com", "battery staple");
    assert_eq!(again.status, 200);
    let again = again.json()["access_token"].as_str().unwrap().to_owned();
    assert_eq!(app.get("/api/v1/datasets", Some(&again)).status, 200);
    assert_eq!(app.login("bob@example.com", "correct horse").status, 200);
    assert_eq!(app.get("/api/v1/auth/me", Some(&bob)).json()["email"], "bob@example.com");
}

#[test]
fn password_changes_count_against_the_sign_in_limit() {
    let app = TestApp::spawn_with(Backend::Sqlite, &[("LOGIN_ATTEMPTS_PER_MINUTE", "3")]);
    let token = app.register("ann@example.com");
    let body = json!({"current_password": "wrong horse", "new_password": "battery staple"});
    for _ in 0..3 {
        assert_eq!(app.post_json("/api/v1/auth/password", Some(&token), &body).status, 422);
    }
    let right = json!({"current_password": "correct horse", "new_password": "battery staple"});
    let r = app.post_json("/api/v1/auth/password", Some(&token), &right);
    assert_eq!((r.status, r.error_code().as_str()), (429, "rate_limited"), "{}", r.text);
    assert_eq!(app.login("ann@example.com", "correct horse").status, 200);
}
