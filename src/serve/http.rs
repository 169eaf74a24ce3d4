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
//! | 413 | body over the limit |
//! | 503 | shutting down, or too much work waiting |

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::header::{CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};

use super::dedup::Fate;
use super::intake::{self, Headers, Intake, Refusal};
use super::queue::{Queue, Submitted};
use super::stats::Counters;
use super::worker::Worker;
use crate::github::Secret;

pub struct AppState<W> {
    pub secret: Secret,
    pub queue: Arc<Queue<W>>,
    pub counters: Arc<Counters>,
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

async fn webhook<W: Worker>(
    State(app): State<Arc<AppState<W>>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let counters = &app.counters;
    // For the log of a refusal only, so bounded: an unsigned request may send anything here.
    let delivery = text(&headers, "x-github-delivery")
        .filter(|d| d.len() <= 64)
        .unwrap_or("-");
    let body = match body {
        Ok(body) => body,
        Err(rejection) => {
            let status = rejection.status();
            if status == StatusCode::PAYLOAD_TOO_LARGE {
                Counters::bump(&counters.too_large);
            } else {
                Counters::bump(&counters.bad_requests);
            }
            tracing::warn!(
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
    };
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
            tracing::warn!(delivery, "refused: {why}");
            answer(
                StatusCode::UNAUTHORIZED,
                json!({"status": "rejected", "error": why.to_string()}),
            )
        }
        Err(Refusal::BadRequest(why)) => {
            Counters::bump(&counters.bad_requests);
            tracing::warn!(delivery, "refused: {why}");
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
        Ok(Intake::Work(work)) => {
            let (id, event, key) = (work.id.clone(), work.event.clone(), work.key.clone());
            match app.queue.submit(work) {
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
                refused @ (Submitted::Full | Submitted::Closed) => {
                    Counters::bump(&counters.unavailable);
                    let error = if refused == Submitted::Full {
                        "too much work is waiting; redeliver later"
                    } else {
                        "the server is shutting down; redeliver later"
                    };
                    tracing::warn!(delivery = %id, %event, %key, "refused: {error}");
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
