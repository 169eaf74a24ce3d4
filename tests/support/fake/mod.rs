//! A stateful fake GitHub on 127.0.0.1 (REST + GraphQL), used through the production client.
//!
//! ```ignore
//! let gh = FakeGitHub::start();                       // own thread and runtime; stops on drop
//! gh.edit(|s| s.load_snapshot(&snapshot));            // build the world
//! gh.fault(Fault::graphql("BoardItems").status(502)); // make the next matching request fail
//! let mut forge = GitHubForge::connect(gh.settings(), &board).await?;
//! ...
//! assert_eq!(gh.log().graphql("BoardItems"), 2);      // inspect the traffic
//! gh.read(|s| s.item_status("PVTI_1"));               // and the state
//! ```
//!
//! Modules: `state` (the world), `rest` and `graphql` (the endpoints), `executor` (GraphQL execution), `faults`
//! and `log` (test instrumentation).

pub mod executor;
pub mod faults;
pub mod graphql;
pub mod log;
pub mod rest;
pub mod state;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State as AxumState};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use portfolio_sync::github::{Credentials, Pace, RetryPolicy, Settings};
use serde_json::{json, Value};

pub use faults::Fault;
use faults::Mode;
use graphql::GraphQlRequest;
pub use graphql::{GraphQlCall, OpKind}; // for tests that inspect the log
pub use log::{LoggedRequest, RequestLog};
use rest::{Caller, Ctx, Reply};
pub use state::State;

/// The token [`FakeGitHub::settings`] uses, and the login it belongs to.
pub const TOKEN: &str = "ghp_fake_token_for_tests";
pub const BOT: &str = "portfolio-bot";

/// Where the fake serves: the REST root and the GraphQL path (GitHub.com style by default).
#[derive(Debug, Clone)]
pub struct Layout {
    /// Path prefix of the REST API: `""` for github.com, `/api/v3` for GitHub Enterprise Server.
    pub api_prefix: String,
    pub graphql_path: String,
}

impl Layout {
    pub fn github_com() -> Layout {
        Layout {
            api_prefix: String::new(),
            graphql_path: "/graphql".into(),
        }
    }

    pub fn enterprise() -> Layout {
        Layout {
            api_prefix: "/api/v3".into(),
            graphql_path: "/api/graphql".into(),
        }
    }
}

/// Everything the server threads share.
struct Shared {
    state: Mutex<State>,
    log: Mutex<Vec<LoggedRequest>>,
    faults: Mutex<Vec<Fault>>,
    layout: Layout,
    base_url: String,
    /// Artificial round-trip time per request, in nanoseconds (0: none); see [`FakeGitHub::set_latency`].
    latency_nanos: AtomicU64,
    /// Time spent answering requests, the artificial latency and fault delays excluded, in nanoseconds.
    busy_nanos: AtomicU64,
    /// How much of the log the test has looked at (through [`FakeGitHub::log`]).
    examined: AtomicUsize,
}

/// A running fake. Dropping it stops the server.
pub struct FakeGitHub {
    shared: Arc<Shared>,
    addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl FakeGitHub {
    /// Starts a fake laid out like github.com, with one user `BOT` whose token is `TOKEN`.
    pub fn start() -> FakeGitHub {
        FakeGitHub::start_with(Layout::github_com())
    }

    /// Starts a fake with the given layout. The server runs on its own thread and runtime, so it serves whatever
    /// runtime (or none) the test uses.
    pub fn start_with(layout: Layout) -> FakeGitHub {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let addr = listener.local_addr().expect("local address");
        let mut state = State::default();
        state.add_token(TOKEN, BOT);
        let shared = Arc::new(Shared {
            state: Mutex::new(state),
            log: Mutex::new(Vec::new()),
            faults: Mutex::new(Vec::new()),
            layout,
            base_url: format!("http://{addr}"),
            latency_nanos: AtomicU64::new(0),
            busy_nanos: AtomicU64::new(0),
            examined: AtomicUsize::new(0),
        });
        let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
        let app = Router::new().fallback(handle).with_state(shared.clone());
        std::thread::Builder::new()
            .name(format!("fake-github-{}", addr.port()))
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("fake GitHub runtime");
                runtime.block_on(async move {
                    let listener =
                        tokio::net::TcpListener::from_std(listener).expect("tokio listener");
                    let server = axum::serve(listener, app).with_graceful_shutdown(async {
                        let _ = stopped.await;
                    });
                    if let Err(e) = server.await {
                        eprintln!("fake GitHub stopped: {e}");
                    }
                });
            })
            .expect("spawn fake GitHub thread");
        FakeGitHub {
            shared,
            addr,
            shutdown: Some(shutdown),
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The REST root, as `GITHUB_API_URL` would name it.
    pub fn api_url(&self) -> String {
        format!("{}{}", self.shared.base_url, self.shared.layout.api_prefix)
    }

    /// The GraphQL endpoint, as `GITHUB_GRAPHQL_URL` would name it.
    pub fn graphql_url(&self) -> String {
        format!(
            "{}{}",
            self.shared.base_url, self.shared.layout.graphql_path
        )
    }

    /// Client settings pointing here, authenticated as [`BOT`], with fast backoff (1 ms base) so that retry
    /// tests do not sleep, and no pacing of creates; waits a server asks for (`retry-after`) are still honoured.
    pub fn settings(&self) -> Settings {
        self.settings_with(Credentials::token(TOKEN))
    }

    pub fn settings_with(&self, credentials: Credentials) -> Settings {
        let mut settings = Settings::new(&self.api_url(), credentials)
            .and_then(|s| s.with_graphql_url(&self.graphql_url()))
            .expect("fake URLs are valid");
        settings.retry = RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(1),
            max_wait: Duration::from_secs(5),
        };
        settings.request_timeout = Duration::from_secs(10);
        // The fake has no secondary rate limits; tests that need pacing set their own.
        settings.pace = Pace::OFF;
        settings
    }

    /// Changes the state (build the world, or move a card "by hand" between runs).
    pub fn edit<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        f(&mut self.state())
    }

    /// Reads the state.
    pub fn read<R>(&self, f: impl FnOnce(&State) -> R) -> R {
        f(&self.state())
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.shared.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Arms a fault: the next requests it matches get its answer instead of (or after) the real one.
    pub fn fault(&self, fault: Fault) {
        self.shared
            .faults
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(fault);
    }

    /// Disarms every fault.
    pub fn clear_faults(&self) {
        self.shared
            .faults
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// Faults armed but not (fully) used yet.
    pub fn pending_faults(&self) -> usize {
        self.shared
            .faults
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .len()
    }

    /// Every request so far. What it returns counts as looked at by the test (see [`FakeGitHub::finish`]).
    pub fn log(&self) -> RequestLog {
        let log = self
            .shared
            .log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        self.shared.examined.store(log.len(), Ordering::Relaxed);
        RequestLog(log)
    }

    /// The writes since the test last looked at the log, as `POST /repos/…` or `GraphQL SetStatuses`; they count as
    /// looked at.
    pub fn take_writes(&self) -> Vec<String> {
        let log = self.shared.log.lock().unwrap_or_else(|e| e.into_inner());
        let examined = self
            .shared
            .examined
            .swap(log.len(), Ordering::Relaxed)
            .min(log.len());
        log[examined..]
            .iter()
            .filter(|r| r.is_write())
            .map(LoggedRequest::name)
            .collect()
    }

    /// Ends a test as rust-lang/bors' `BorsTester::finish` does: fails it when a fault it armed was never used (the
    /// test did not test what it meant to), when the bot sent a request the fake has no route for, or when the bot
    /// wrote after the test last looked at the log (a write nobody expected).
    pub fn finish(self) {
        let faults = self.pending_faults();
        assert_eq!(faults, 0, "{faults} armed fault(s) were never hit");
        let log = self.shared.log.lock().unwrap_or_else(|e| e.into_inner());
        let unrouted: Vec<String> = log
            .iter()
            .filter(|r| r.unrouted)
            .map(|r| format!("{} {}", r.method, r.path))
            .collect();
        assert!(
            unrouted.is_empty(),
            "requests the fake has no route for: {unrouted:?}"
        );
        let examined = self.shared.examined.load(Ordering::Relaxed).min(log.len());
        let unexpected: Vec<String> = log[examined..]
            .iter()
            .filter(|r| r.is_write())
            .map(LoggedRequest::name)
            .collect();
        assert!(
            unexpected.is_empty(),
            "writes after the test last looked at the log: {unexpected:?}"
        );
    }

    /// Every later request is answered `latency` after it arrived, as a round trip to GitHub would be, or when its
    /// answer is ready if that takes longer. The fake's own work is inside the round trip, as GitHub's is inside
    /// the latency a client sees, so a benchmark's wall time beyond requests × latency is the client's. The wait
    /// is asynchronous and holds no lock, so concurrent requests overlap as they do on GitHub.
    pub fn set_latency(&self, latency: Duration) {
        let nanos = u64::try_from(latency.as_nanos()).unwrap_or(u64::MAX);
        self.shared.latency_nanos.store(nanos, Ordering::Relaxed);
    }

    /// Total time the fake spent answering requests so far, without the latency of [`FakeGitHub::set_latency`]
    /// and fault delays (with a latency set, this time is inside it).
    pub fn busy(&self) -> Duration {
        Duration::from_nanos(self.shared.busy_nanos.load(Ordering::Relaxed))
    }

    pub fn clear_busy(&self) {
        self.shared.busy_nanos.store(0, Ordering::Relaxed);
    }

    pub fn clear_log(&self) {
        self.shared
            .log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}

impl Drop for FakeGitHub {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

/// Every request: answer it, counting the time the answer took, and send it the configured latency after the
/// request arrived.
async fn handle(AxumState(shared): AxumState<Arc<Shared>>, request: Request) -> Response {
    let arrived = tokio::time::Instant::now();
    let (parts, body) = request.into_parts();
    let body = to_bytes(body, 64 * 1024 * 1024).await.unwrap_or_default();
    let started = Instant::now();
    let mut waited = Duration::ZERO;
    let response = answer(&shared, parts, body, &mut waited).await;
    let busy = started.elapsed().saturating_sub(waited);
    shared.busy_nanos.fetch_add(
        u64::try_from(busy.as_nanos()).unwrap_or(u64::MAX),
        Ordering::Relaxed,
    );
    let latency = shared.latency_nanos.load(Ordering::Relaxed);
    if latency > 0 {
        tokio::time::sleep_until(arrived + Duration::from_nanos(latency)).await;
    }
    response
}

/// Log the request, apply a fault if one matches, authenticate, then REST or GraphQL. Time spent in a fault's
/// delay is added to `waited`.
async fn answer(
    shared: &Shared,
    parts: axum::http::request::Parts,
    body: axum::body::Bytes,
    waited: &mut Duration,
) -> Response {
    let method = parts.method.to_string();
    let raw_path = parts.uri.path().to_string();
    let query = parts.uri.query().unwrap_or("").to_string();

    let is_graphql = method == "POST" && raw_path == shared.layout.graphql_path;
    let graphql = if is_graphql {
        GraphQlRequest::parse(&body)
    } else {
        None
    };
    let rest_path = raw_path
        .strip_prefix(&shared.layout.api_prefix)
        .filter(|p| p.starts_with('/'))
        .map(str::to_string);

    let entry = LoggedRequest {
        method: method.clone(),
        path: if is_graphql {
            raw_path.clone()
        } else {
            rest_path.clone().unwrap_or_else(|| raw_path.clone())
        },
        query: query.clone(),
        graphql: graphql.as_ref().map(GraphQlRequest::call),
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
        status: 0,
        faulted: false,
        unrouted: false,
        received: std::time::Instant::now(),
    };

    let fault = faults::take(&shared.faults, &entry);
    // Logged on arrival (a slow answer still counts in order); `finish` fills in the status.
    let index = {
        let mut log = shared.log.lock().unwrap_or_else(|e| e.into_inner());
        log.push(LoggedRequest {
            faulted: fault.is_some(),
            ..entry
        });
        log.len() - 1
    };
    let mut after_landing = None;
    if let Some(fault) = fault {
        match fault.mode {
            Mode::Replace => {
                return finish(shared, index, fault.reply());
            }
            Mode::GraphQlErrors(messages) => {
                let errors: Vec<Value> = messages.iter().map(|m| json!({ "message": m })).collect();
                return finish(
                    shared,
                    index,
                    Reply::json(200, json!({ "data": null, "errors": errors })),
                );
            }
            Mode::Delay(delay) => {
                tokio::time::sleep(delay).await;
                *waited += delay;
            }
            Mode::AfterLanding => after_landing = Some(fault.reply()),
        }
    }

    let caller = match authenticate(shared, &parts.headers) {
        Some(caller) => caller,
        None => return finish(shared, index, Reply::error(401, "Bad credentials")),
    };

    let reply = {
        let mut state = shared.state.lock().unwrap_or_else(|e| e.into_inner());
        if is_graphql {
            match (&graphql, &caller) {
                (Some(request), Caller::Login(viewer)) => {
                    Reply::json(200, graphql::answer(&mut state, viewer, request))
                }
                (None, _) => Reply::error(400, "Problems parsing JSON"),
                (Some(_), Caller::App(_)) => {
                    Reply::error(401, "A JSON web token could not be decoded")
                }
            }
        } else {
            match &rest_path {
                Some(path) => {
                    let segments: Vec<String> = path.split('/').skip(1).map(decode).collect();
                    let api_base = format!("{}{}", shared.base_url, shared.layout.api_prefix);
                    let ctx = Ctx {
                        api_base: &api_base,
                        raw_path: path,
                        query: parse_query(&query),
                        caller,
                    };
                    let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
                    rest::route(&mut state, &ctx, &method, &segments, &body)
                }
                None => Reply::unrouted(),
            }
        }
    };
    match after_landing {
        Some(fault_reply) => finish(shared, index, fault_reply),
        None => finish(shared, index, reply),
    }
}

/// Records the answer in the log and turns it into an HTTP response.
fn finish(shared: &Shared, index: usize, reply: Reply) -> Response {
    if let Some(entry) = shared
        .log
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get_mut(index)
    {
        entry.status = reply.status;
        entry.unrouted = reply.headers.iter().any(|(n, _)| n == rest::UNROUTED);
    }
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut headers = HeaderMap::new();
    for (name, value) in &reply.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::try_from(name.as_str()),
            HeaderValue::from_str(value),
        ) {
            headers.append(name, value);
        }
    }
    let body = if reply.body.is_null() && reply.status == 204 {
        Body::empty()
    } else {
        headers.insert(
            "content-type",
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
        Body::from(reply.body.to_string())
    };
    (status, headers, body).into_response()
}

/// `Authorization: Bearer <token>` (or `token <token>`): a known token is its owner; a JWT is a GitHub App.
fn authenticate(shared: &Shared, headers: &HeaderMap) -> Option<Caller> {
    let value = headers.get("authorization")?.to_str().ok()?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("token "))?
        .trim();
    let state = shared.state.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(login) = state.tokens.get(token) {
        return Some(Caller::Login(login.clone()));
    }
    let app_id = jwt_issuer(token)?;
    state
        .apps
        .iter()
        .any(|a| a.id == app_id)
        .then_some(Caller::App(app_id))
}

/// The `iss` claim of a JWT (the App id). The signature is not checked: this is a fake.
fn jwt_issuer(token: &str) -> Option<u64> {
    let mut parts = token.split('.');
    let (_, payload, _) = (parts.next()?, parts.next()?, parts.next()?);
    let claims: Value = serde_json::from_slice(&base64url(payload)?).ok()?;
    match &claims["iss"] {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

fn base64url(text: &str) -> Option<Vec<u8>> {
    let mut bits = 0u32;
    let mut count = 0;
    let mut out = Vec::new();
    for c in text.trim_end_matches('=').bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return None,
        };
        bits = (bits << 6) | u32::from(v);
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    Some(out)
}

fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(&v.replace('+', " ")))
        })
        .collect()
}

/// Percent-decodes one path segment or query part.
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            if let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((hi * 16 + lo) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
