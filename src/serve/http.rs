//! The HTTP surface: `POST /webhook` and `GET /healthz`. Thin: [`intake`] decides, the queue runs, this file maps
//! both to status codes and a small JSON answer (GitHub shows it under the App's "Recent deliveries").
//!
//! | answer | when |
//! | --- | --- |
//! | 202 `queued` | accepted; the work runs after the answer |
//! | 200 `duplicate` | the delivery id was seen before: not acted on again |
//! | 202 `ignored` | valid, nothing to do (another event, a draft card, ...) |
//! | 200 `pong` | GitHub's `ping` |
//! | 400 | signed, but headers or payload unusable |
//! | 401 | missing or wrong `X-Hub-Signature-256`: nothing else is looked at |
//! | 408 | the body did not arrive within the body timeout |
//! | 413 | body over the limit |
//! | 503 | shutting down, too much work waiting, or the store cannot record it |
//!
//! Refusals are logged through a [`Throttle`]: anyone can provoke them.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Request, State};
use axum::http::header::{CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};

use super::accept::Slot;
use super::dedup::Fate;
use super::intake::{self, Headers, Intake, Refusal};
use super::queue::{Queue, Submitted};
use super::stats::Counters;
use super::throttle::{warn_throttled, Throttle};
use super::worker::Worker;
use crate::github::Secret;

pub struct AppState<W> {
    pub secret: Secret,
    pub queue: Arc<Queue<W>>,
    pub counters: Arc<Counters>,
    pub body_timeout: Duration,
    pub refusals: Arc<Throttle>,
    /// Command comments older than this are not acted on.
    pub command_max_age: Duration,
}

/// Seconds since 1970 by the system clock.
fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

pub fn router<W: Worker>(state: Arc<AppState<W>>, max_body: usize) -> Router {
    Router::new()
        .route("/webhook", post(webhook::<W>))
        .route("/healthz", get(healthz::<W>))
        .layer(DefaultBodyLimit::max(max_body))
        .with_state(state)
}

fn answer(status: StatusCode, body: Value) -> Response {
    (
        status,
        [(CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

async fn webhook<W: Worker>(State(app): State<Arc<AppState<W>>>, request: Request) -> Response {
    let counters = &app.counters;
    let headers = request.headers().clone();
    let slot = request.extensions().get::<Arc<Slot>>().cloned();
    // For the log of a refusal only, so bounded: an unsigned request may send anything here.
    let delivery = text(&headers, "x-github-delivery")
        .filter(|d| d.len() <= 64)
        .unwrap_or("-");
    // The head is in (hyper's header timeout); a client trickling the body, or stopping halfway, would otherwise
    // hold its connection and its buffer for as long as it likes.
    let read = tokio::time::timeout(app.body_timeout, Bytes::from_request(request, &())).await;
    let body = match read {
        Ok(Ok(body)) => body,
        Ok(Err(rejection)) => {
            let status = rejection.status();
            if status == StatusCode::PAYLOAD_TOO_LARGE {
                Counters::bump(&counters.too_large);
            } else {
                Counters::bump(&counters.bad_requests);
            }
            warn_throttled!(
                app.refusals,
                delivery,
                status = status.as_u16(),
                "refused: {}",
                rejection.body_text()
            );
            return answer(
                status,
                json!({"status": "rejected", "error": rejection.body_text()}),
            );
        }
        Err(_) => {
            Counters::bump(&counters.timed_out);
            let error = format!(
                "the body did not arrive within {} s",
                app.body_timeout.as_secs_f32()
            );
            warn_throttled!(app.refusals, delivery, "refused: {error}");
            let mut response = answer(
                StatusCode::REQUEST_TIMEOUT,
                json!({"status": "rejected", "error": error}),
            );
            // The rest of the body may still come: do not read it as the next request.
            response.headers_mut().insert(
                axum::http::header::CONNECTION,
                axum::http::HeaderValue::from_static("close"),
            );
            return response;
        }
    };
    // A complete request: its connection is not closed to make room for others until it is answered.
    let _busy = slot.as_ref().map(Slot::busy);
    let judged = intake::intake(
        app.secret.expose().as_bytes(),
        Headers {
            signature: text(&headers, "x-hub-signature-256"),
            event: text(&headers, "x-github-event"),
            delivery: text(&headers, "x-github-delivery"),
        },
        &body,
    );
    match judged {
        Err(Refusal::Unauthorized(why)) => {
            Counters::bump(&counters.unauthorized);
            warn_throttled!(app.refusals, delivery, "refused: {why}");
            answer(
                StatusCode::UNAUTHORIZED,
                json!({"status": "rejected", "error": why.to_string()}),
            )
        }
        Err(Refusal::BadRequest(why)) => {
            Counters::bump(&counters.bad_requests);
            warn_throttled!(app.refusals, delivery, "refused: {why}");
            answer(
                StatusCode::BAD_REQUEST,
                json!({"status": "rejected", "error": why}),
            )
        }
        Ok(Intake::Ping { id }) => {
            Counters::bump(&counters.pings);
            tracing::info!(delivery = %id, "ping");
            answer(StatusCode::OK, json!({"delivery": id, "status": "pong"}))
        }
        Ok(Intake::Ignore { id, event, reason }) => {
            Counters::bump(&counters.ignored);
            tracing::info!(delivery = %id, %event, "ignored: {reason}");
            answer(
                StatusCode::ACCEPTED,
                json!({"delivery": id, "status": "ignored", "note": reason}),
            )
        }
        Ok(Intake::Work(work)) if intake::too_old(&work, now(), app.command_max_age).is_some() => {
            let reason = intake::too_old(&work, now(), app.command_max_age).unwrap_or_default();
            Counters::bump(&counters.ignored);
            tracing::info!(delivery = %work.id, event = %work.event, "ignored: {reason}");
            answer(
                StatusCode::ACCEPTED,
                json!({"delivery": work.id, "status": "ignored", "note": reason}),
            )
        }
        Ok(Intake::Work(work)) => {
            let (id, event, key) = (work.id.clone(), work.event.clone(), work.key.clone());
            match app.queue.submit(work, body).await {
                Submitted::Queued => {
                    Counters::bump(&counters.queued);
                    tracing::info!(delivery = %id, %event, %key, "queued");
                    answer(
                        StatusCode::ACCEPTED,
                        json!({"delivery": id, "status": "queued", "key": key}),
                    )
                }
                Submitted::Duplicate(fate) => {
                    Counters::bump(&counters.duplicates);
                    let note = match fate {
                        Fate::Pending => {
                            "a redelivery: the first delivery is still being worked on"
                        }
                        Fate::Done | Fate::Failed => {
                            "a redelivery: the first delivery was acted on already"
                        }
                    };
                    tracing::info!(delivery = %id, %event, %key, "duplicate");
                    answer(
                        StatusCode::OK,
                        json!({"delivery": id, "status": "duplicate", "note": note}),
                    )
                }
                refused @ (Submitted::Full | Submitted::Closed | Submitted::Unsaved) => {
                    Counters::bump(&counters.unavailable);
                    let error = match refused {
                        Submitted::Full => "too much work is waiting; redeliver later",
                        Submitted::Unsaved => "the delivery could not be stored; redeliver later",
                        _ => "the server is shutting down; redeliver later",
                    };
                    warn_throttled!(app.refusals, delivery = %id, %event, %key, "refused: {error}");
                    let mut response = answer(
                        StatusCode::SERVICE_UNAVAILABLE,
                        json!({"delivery": id, "status": "rejected", "error": error}),
                    );
                    response
                        .headers_mut()
                        .insert(RETRY_AFTER, axum::http::HeaderValue::from_static("30"));
                    response
                }
            }
        }
    }
}

/// 200 while accepting work, 503 once shutting down (so a load balancer stops sending), with the counters.
async fn healthz<W: Worker>(State(app): State<Arc<AppState<W>>>) -> Response {
    let closing = app.queue.is_closed();
    let body = json!({
        "status": if closing { "draining" } else { "ok" },
        "pending": app.queue.pending(),
        "counters": app.counters.snapshot(),
    });
    let status = if closing {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    };
    answer(status, body)
}
