//! Training jobs: state, cancel, live progress over a WebSocket.

use crate::auth::{AuthUser, from_header_or_query};
use crate::dto::{JobEventOut, JobOut, WsQuery};
use crate::error::{ApiError, ErrorBody, blocking};
use crate::extract::Query;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use mmm_service::domain::{JobEvent, JobState};
use tokio::sync::broadcast::error::RecvError;

/// A training job's state and progress.
#[utoipa::path(
    get, path = "/api/v1/jobs/{id}", tag = "jobs",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Job id")),
    responses((status = 200, description = "The job", body = JobOut),
              (status = 404, description = "No such job (or not yours)", body = ErrorBody))
)]
#[get("/jobs/{id}")]
pub async fn detail(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let service = state.jobs.clone();
    let actor = user.actor();
    let job = blocking(move || service.get(&actor, &id)).await?;
    Ok(HttpResponse::Ok().json(JobOut::from(&job)))
}

/// Cancel a queued or running job.
#[utoipa::path(
    post, path = "/api/v1/jobs/{id}/cancel", tag = "jobs",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Job id")),
    responses((status = 200, description = "Cancelled (queued) or cancelling (running)", body = JobOut),
              (status = 404, description = "No such job (or not yours)", body = ErrorBody),
              (status = 409, description = "The job has already ended", body = ErrorBody))
)]
#[post("/jobs/{id}/cancel")]
pub async fn cancel(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let service = state.jobs.clone();
    let actor = user.actor();
    let job = blocking(move || service.cancel(&actor, &id)).await?;
    Ok(HttpResponse::Ok().json(JobOut::from(&job)))
}

fn event_json(e: &JobEvent) -> String {
    serde_json::to_string(&JobEventOut {
        job_id: e.job_id.clone(),
        state: e.state.to_string(),
        progress: e.progress,
        message: e.message.clone(),
    })
    .unwrap_or_default()
}

/// Where a job stands, so that a stream only moves forward. Events published between the
/// subscription and the state read are queued but may be older than the state sent first.
struct Forward {
    /// Queued 0, running 1, ended 2; then the progress within the stage.
    sent: (u8, f64),
}

impl Forward {
    fn stage(state: JobState) -> u8 {
        match state {
            JobState::Queued => 0,
            JobState::Running => 1,
            _ => 2,
        }
    }

    fn from(first: &JobEvent) -> Self {
        Self { sent: (Self::stage(first.state), first.progress) }
    }

    /// Whether `event` is not behind what was sent; if so, it becomes what was sent.
    fn admits(&mut self, event: &JobEvent) -> bool {
        let at = (Self::stage(event.state), event.progress);
        let newer = at >= self.sent;
        if newer {
            self.sent = at;
        }
        newer
    }
}

/// Stream a job's progress: a WebSocket that sends JSON events `{job_id, state, progress,
/// message}`, first the current state, then every change until a terminal state
/// (`succeeded`, `failed`, `cancelled`), then closes normally. Browsers may pass the token as
/// `?token=` since they cannot set headers on a WebSocket.
#[utoipa::path(
    get, path = "/api/v1/jobs/{id}/ws", tag = "jobs",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Job id"), WsQuery),
    responses((status = 101, description = "Switching to WebSocket; messages are JobEventOut", body = JobEventOut),
              (status = 401, description = "Not signed in", body = ErrorBody),
              (status = 404, description = "No such job (or not yours)", body = ErrorBody))
)]
#[get("/jobs/{id}/ws")]
pub async fn stream(
    req: HttpRequest,
    body: web::Payload,
    state: web::Data<AppState>,
    id: web::Path<String>,
    query: Query<WsQuery>,
) -> Result<HttpResponse, ApiError> {
    let user = from_header_or_query(&req, query.into_inner().token).await?;
    let service = state.jobs.clone();
    let actor = user.actor();
    let (job, mut events) = blocking(move || service.subscribe(&actor, &id)).await?;
    let (response, mut session, mut incoming) = actix_ws::handle(&req, body)
        .map_err(|e| ApiError::bad_request(format!("not a WebSocket request: {e}")))?;
    actix_web::rt::spawn(async move {
        let first = JobEvent::from(&job);
        if session.text(event_json(&first)).await.is_err() {
            return;
        }
        if !first.state.is_terminal() {
            let mut forward = Forward::from(&first);
            loop {
                tokio::select! {
                    event = events.recv() => match event {
                        Ok(e) if !forward.admits(&e) => continue,
                        Ok(e) => {
                            let done = e.state.is_terminal();
                            if session.text(event_json(&e)).await.is_err() {
                                return;
                            }
                            if done {
                                break;
                            }
                        }
                        Err(RecvError::Lagged(_)) => continue,
                        Err(RecvError::Closed) => break,
                    },
                    msg = incoming.recv() => match msg {
                        Some(Ok(actix_ws::Message::Ping(p))) => {
                            if session.pong(&p).await.is_err() {
                                return;
                            }
                        }
                        Some(Ok(actix_ws::Message::Close(_))) | None | Some(Err(_)) => return,
                        Some(Ok(_)) => {}
                    },
                }
            }
        }
        let _ = session.close(Some(actix_ws::CloseCode::Normal.into())).await;
    });
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(state: JobState, progress: f64) -> JobEvent {
        JobEvent { job_id: "j".into(), state, progress, message: String::new() }
    }

    #[test]
    fn a_stream_never_goes_back() {
        // The state read after subscribing says running at 50%; the queue still holds older news.
        let mut forward = Forward::from(&event(JobState::Running, 0.5));
        let queued = [
            (JobState::Queued, 0.0, false),
            (JobState::Running, 0.3, false),
            (JobState::Running, 0.5, true),
            (JobState::Running, 0.7, true),
            (JobState::Running, 0.6, false),
            (JobState::Failed, 0.7, true),
        ];
        for (state, progress, admitted) in queued {
            assert_eq!(forward.admits(&event(state, progress)), admitted, "{state:?} {progress}");
        }
    }
}
