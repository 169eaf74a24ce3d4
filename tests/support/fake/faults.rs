//! Fault injection: "the next N requests matching P get answer A".
//!
//! ```ignore
//! gh.fault(Fault::graphql("BoardItems").status(502));                          // one 502, then normal
//! gh.fault(Fault::get("/repos/o/r/labels").rate_limited(1));                   // 403 + retry-after: 1
//! gh.fault(Fault::post("/repos/o/r/issues/1/comments").status(500).after_landing()); // lands, then 500
//! gh.fault(Fault::graphql("BoardProject").graphql_errors("Something went wrong"));
//! gh.fault(Fault::any_query().times(2).delay(Duration::from_secs(2)));          // slow answers
//! gh.fault(Fault::when(|r| r.method == "DELETE").status(503));                 // any predicate
//! ```

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};

use super::graphql::OpKind;
use super::log::LoggedRequest;
use super::rest::Reply;

type Predicate = Arc<dyn Fn(&LoggedRequest) -> bool + Send + Sync>;

/// How a fault answers.
#[derive(Debug, Clone)]
pub enum Mode {
    /// Answer with the fault's status, headers and body; the request does not reach the state.
    Replace,
    /// Let the request land (change the state), then answer with the fault's status instead of the real answer.
    AfterLanding,
    /// HTTP 200 with `{"data": null, "errors": [...]}`; nothing lands.
    GraphQlErrors(Vec<String>),
    /// Answer normally, but only after this long (for timeouts).
    Delay(Duration),
}

/// A fault to arm with `FakeGitHub::fault`. By default it fires once and answers 500.
#[derive(Clone)]
pub struct Fault {
    when: Predicate,
    remaining: usize,
    pub(crate) mode: Mode,
    status: u16,
    headers: Vec<(String, String)>,
    body: Option<Value>,
}

impl std::fmt::Debug for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fault")
            .field("remaining", &self.remaining)
            .field("mode", &self.mode)
            .field("status", &self.status)
            .finish()
    }
}

impl Fault {
    /// Matches requests for which `predicate` holds.
    pub fn when(predicate: impl Fn(&LoggedRequest) -> bool + Send + Sync + 'static) -> Fault {
        Fault {
            when: Arc::new(predicate),
            remaining: 1,
            mode: Mode::Replace,
            status: 500,
            headers: Vec::new(),
            body: None,
        }
    }

    /// A REST request with this method and path (relative to the API root, percent-encoded as sent, no query).
    pub fn rest(method: &str, path: &str) -> Fault {
        let (method, path) = (method.to_string(), path.to_string());
        Fault::when(move |r| r.graphql.is_none() && r.method == method && r.path == path)
    }

    pub fn get(path: &str) -> Fault {
        Fault::rest("GET", path)
    }

    pub fn post(path: &str) -> Fault {
        Fault::rest("POST", path)
    }

    pub fn patch(path: &str) -> Fault {
        Fault::rest("PATCH", path)
    }

    pub fn delete(path: &str) -> Fault {
        Fault::rest("DELETE", path)
    }

    /// A GraphQL request for the operation named `operation`.
    pub fn graphql(operation: &str) -> Fault {
        let operation = operation.to_string();
        Fault::when(move |r| {
            r.graphql.as_ref().and_then(|g| g.operation.as_deref()) == Some(operation.as_str())
        })
    }

    /// A run interrupted at its `k`-th write (1-based), counted from when the fault is armed: that write fails
    /// without landing (422), and so does the same request sent again in that run (a create is retried once after
    /// checking). Fires until [`FakeGitHub::clear_faults`](super::FakeGitHub::clear_faults).
    pub fn write_fails(k: usize) -> Fault {
        let seen = Arc::new(Mutex::new((0usize, None::<String>)));
        Fault::when(move |r| {
            let mut seen = seen.lock().unwrap_or_else(|e| e.into_inner());
            if !r.is_write() {
                return false;
            }
            seen.0 += 1;
            if seen.0 == k {
                seen.1 = Some(r.name());
            }
            seen.1.as_deref() == Some(r.name().as_str())
        })
        .times(usize::MAX)
        .status(422)
        .body(json!({ "message": "Validation Failed" }))
    }

    /// A run that dies right after its `k`-th write landed: every later request gets 503, as from a process that
    /// is gone. Fires until [`FakeGitHub::clear_faults`](super::FakeGitHub::clear_faults).
    pub fn crash_after_write(k: usize) -> Fault {
        let seen = Arc::new(Mutex::new((0usize, false)));
        Fault::when(move |r| {
            let mut seen = seen.lock().unwrap_or_else(|e| e.into_inner());
            if seen.1 {
                return true;
            }
            if r.is_write() {
                seen.0 += 1;
                seen.1 = seen.0 == k;
            }
            false
        })
        .times(usize::MAX)
        .status(503)
    }

    /// Every `n`-th create (comment, issue, label, reaction) is refused with a secondary rate limit
    /// (`retry-after: 1`), as GitHub does to a client that creates quickly. Fires until cleared.
    pub fn every_nth_create_rate_limited(n: usize) -> Fault {
        let seen = Arc::new(Mutex::new(0usize));
        Fault::when(move |r| {
            if !r.is_create() {
                return false;
            }
            let mut seen = seen.lock().unwrap_or_else(|e| e.into_inner());
            *seen += 1;
            *seen % n == 0
        })
        .times(usize::MAX)
        .rate_limited(1)
    }

    pub fn any_query() -> Fault {
        Fault::when(|r| r.graphql.as_ref().is_some_and(|g| g.kind == OpKind::Query))
    }

    pub fn any_mutation() -> Fault {
        Fault::when(|r| {
            r.graphql
                .as_ref()
                .is_some_and(|g| g.kind == OpKind::Mutation)
        })
    }

    /// Fires for the next `n` matching requests (default 1).
    pub fn times(mut self, n: usize) -> Fault {
        self.remaining = n;
        self
    }

    /// Answers with this status (default 500).
    pub fn status(mut self, status: u16) -> Fault {
        self.status = status;
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Fault {
        self.headers
            .push((name.to_ascii_lowercase(), value.to_string()));
        self
    }

    /// Answers with this JSON body (default: `{"message": <reason phrase>}`).
    pub fn body(mut self, body: Value) -> Fault {
        self.body = Some(body);
        self
    }

    /// GitHub's secondary rate limit: 403 with `retry-after: seconds`.
    pub fn rate_limited(self, seconds: u64) -> Fault {
        self.status(403)
            .header("retry-after", &seconds.to_string())
            .body(json!({ "message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again." }))
    }

    /// Lets the request land first, then answers with the fault's status (a write that "failed" but happened).
    pub fn after_landing(mut self) -> Fault {
        self.mode = Mode::AfterLanding;
        self
    }

    /// Answers HTTP 200 with a GraphQL `errors` array carrying `message`.
    pub fn graphql_errors(mut self, message: &str) -> Fault {
        self.mode = Mode::GraphQlErrors(vec![message.to_string()]);
        self
    }

    /// Answers normally, after `delay`.
    pub fn delay(mut self, delay: Duration) -> Fault {
        self.mode = Mode::Delay(delay);
        self
    }

    pub(crate) fn reply(&self) -> Reply {
        let body = self.body.clone().unwrap_or_else(|| {
            let reason = axum::http::StatusCode::from_u16(self.status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("Fault");
            json!({ "message": reason })
        });
        Reply {
            status: self.status,
            headers: self.headers.clone(),
            body,
        }
    }
}

/// The first armed fault matching `request`, used up by one.
pub(crate) fn take(faults: &Mutex<Vec<Fault>>, request: &LoggedRequest) -> Option<Fault> {
    let mut faults = faults.lock().unwrap_or_else(|e| e.into_inner());
    let index = faults.iter().position(|f| (f.when)(request))?;
    faults[index].remaining -= 1;
    let fault = faults[index].clone();
    if faults[index].remaining == 0 {
        faults.remove(index);
    }
    Some(fault)
}
