//! The routes against mocked services (mockall): what only the HTTP layer decides, made
//! deterministic. The end-to-end suites in mmm-server run the same routes on real services and
//! databases, where the order of a job's events depends on thread timing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use actix_web::{App, HttpServer, web};
use mmm_api::AppState;
use mmm_api::ratelimit::RateLimiter;
use mmm_service::accounts::{MockAuthService, MockUserService};
use mmm_service::datasets::MockDatasetService;
use mmm_service::domain::{JobEvent, JobRecord, JobState};
use mmm_service::models::{MockJobService, MockModelService};
use mmm_service::repository::MockHealthCheck;
use mmm_service::{Claims, Role, ServiceError};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast;

/// Services that fail the test if called, but for `auth`'s token check (every token is Ann's)
/// and the given job service.
fn state(jobs: MockJobService) -> AppState {
    let mut auth = signed_in_as_ann();
    auth.expect_cached_account_check().returning(|_| Some(Ok(())));
    with_auth(auth, jobs)
}

/// An auth service whose every token verifies as Ann's.
fn signed_in_as_ann() -> MockAuthService {
    let mut auth = MockAuthService::new();
    auth.expect_verify().returning(|_| {
        Ok(Claims {
            sub: "ann".into(),
            email: "ann@example.com".into(),
            role: Role::User,
            iat: 0,
            exp: i64::MAX,
        })
    });
    auth
}

fn with_auth(auth: MockAuthService, jobs: MockJobService) -> AppState {
    AppState {
        auth: Arc::new(auth),
        users: Arc::new(MockUserService::new()),
        datasets: Arc::new(MockDatasetService::new()),
        models: Arc::new(MockModelService::new()),
        jobs: Arc::new(jobs),
        health: Arc::new(MockHealthCheck::new()),
        login_limiter: Arc::new(RateLimiter::new(10, Duration::from_secs(60))),
        max_upload_bytes: 1 << 20,
        curve_cache: Arc::default(),
    }
}

fn job(state: JobState, progress: f64) -> JobRecord {
    let now = chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap().and_hms_opt(9, 0, 0).unwrap();
    JobRecord {
        id: "job-1".into(),
        owner_id: "ann".into(),
        model_id: "model-1".into(),
        state,
        progress,
        message: format!("at {progress}"),
        error: None,
        created_at: now,
        started_at: Some(now),
        finished_at: None,
    }
}

fn event(state: JobState, progress: f64) -> JobEvent {
    JobEvent::from(&job(state, progress))
}

/// Serves `state` on a free local port, opens the job's WebSocket with `token`, and returns
/// the (state, progress) of every message until the server closes it.
async fn stream(state: AppState, token: &str) -> Result<Vec<(String, f64)>, String> {
    let data = web::Data::new(state);
    let server =
        HttpServer::new(move || App::new().app_data(data.clone()).configure(mmm_api::configure))
            .workers(1)
            .bind(("127.0.0.1", 0))
            .unwrap();
    let addr = server.addrs()[0];
    let running = server.run();
    let handle = running.handle();
    actix_web::rt::spawn(running);
    let url = format!("ws://{addr}/api/v1/jobs/job-1/ws?token={token}");
    let read = actix_web::rt::task::spawn_blocking(move || {
        let (mut socket, _) = tungstenite::connect(url).map_err(|e| e.to_string())?;
        let mut seen = Vec::new();
        loop {
            match socket.read().map_err(|e| e.to_string())? {
                tungstenite::Message::Text(text) => {
                    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
                    seen.push((
                        v["state"].as_str().unwrap().to_owned(),
                        v["progress"].as_f64().unwrap(),
                    ));
                }
                tungstenite::Message::Close(frame) => {
                    let code = frame.map(|f| u16::from(f.code));
                    assert_eq!(code, Some(1000), "a normal close");
                    return Ok(seen);
                }
                _ => {}
            }
        }
    })
    .await
    .unwrap();
    handle.stop(true).await;
    read
}

#[actix_web::test]
async fn the_progress_stream_starts_from_the_jobs_state_and_never_goes_back() {
    // The job was read at 50% after subscribing; the queue still holds two older events, then
    // the newer ones, one of them stale, and the end.
    let (sender, receiver) = broadcast::channel(16);
    for (state, progress) in [
        (JobState::Queued, 0.0),
        (JobState::Running, 0.3),
        (JobState::Running, 0.7),
        (JobState::Running, 0.6),
        (JobState::Succeeded, 1.0),
        // After the end, nothing more is sent.
        (JobState::Running, 0.9),
    ] {
        sender.send(event(state, progress)).unwrap();
    }
    let mut jobs = MockJobService::new();
    let mut once = Some(receiver);
    jobs.expect_subscribe()
        .withf(|actor, id| actor.user_id == "ann" && id == "job-1")
        .times(1)
        .returning(move |_, _| Ok((job(JobState::Running, 0.5), once.take().unwrap())));
    let seen = stream(state(jobs), "t").await.unwrap();
    assert_eq!(seen, [("running".into(), 0.5), ("running".into(), 0.7), ("succeeded".into(), 1.0)]);
    drop(sender);
}

#[actix_web::test]
async fn an_ended_job_sends_its_state_and_closes() {
    let (_sender, receiver) = broadcast::channel(4);
    let mut jobs = MockJobService::new();
    let mut once = Some(receiver);
    jobs.expect_subscribe()
        .returning(move |_, _| Ok((job(JobState::Failed, 0.4), once.take().unwrap())));
    let seen = stream(state(jobs), "t").await.unwrap();
    assert_eq!(seen, [("failed".into(), 0.4)]);
}

#[actix_web::test]
async fn a_job_that_is_not_yours_is_refused_before_the_upgrade() {
    let mut jobs = MockJobService::new();
    jobs.expect_subscribe().returning(|_, _| Err(ServiceError::NotFound("job")));
    let err = stream(state(jobs), "t").await.unwrap_err();
    assert!(err.contains("404"), "{err}");
}

#[actix_web::test]
async fn an_internal_failure_is_a_500_that_keeps_its_cause_to_the_logs() {
    let mut jobs = MockJobService::new();
    jobs.expect_get().returning(|_, _| {
        Err(ServiceError::Internal("postgres://mmm:hunter2@db/mmm refused the query".into()))
    });
    let (status, text) = get_job(state(jobs)).await;
    assert_eq!(status, 500);
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["error"]["code"], "internal", "{text}");
    assert!(!text.contains("hunter2") && !text.contains("postgres"), "{text}");
}

#[actix_web::test]
async fn a_token_its_account_no_longer_takes_is_refused_before_the_route_runs() {
    // The account was not read lately: it is read (off the request thread), and it refuses.
    let mut auth = signed_in_as_ann();
    auth.expect_cached_account_check().times(1).returning(|_| None);
    auth.expect_check_account().times(1).returning(|_| {
        Err(ServiceError::Unauthorized(
            "the token was issued before the password changed; sign in again".into(),
        ))
    });
    let mut jobs = MockJobService::new();
    jobs.expect_get().times(0);
    let (status, text) = get_job(with_auth(auth, jobs)).await;
    assert_eq!(status, 401);
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        json["error"]["message"],
        "the token was issued before the password changed; sign in again"
    );
}

/// `GET /api/v1/jobs/job-1` with a bearer token, served in process from `state`: the status and
/// the body.
async fn get_job(state: AppState) -> (u16, String) {
    let app = actix_web::test::init_service(
        App::new().app_data(web::Data::new(state)).configure(mmm_api::configure),
    )
    .await;
    let request = actix_web::test::TestRequest::get()
        .uri("/api/v1/jobs/job-1")
        .insert_header(("Authorization", "Bearer t"))
        .to_request();
    let response = actix_web::test::call_service(&app, request).await;
    let status = response.status().as_u16();
    let body = actix_web::test::read_body(response).await;
    (status, String::from_utf8(body.to_vec()).unwrap())
}
