//! The HTTP client: authentication, retries, raw JSON in and out.
//!
//! octocrab only carries the bytes here (its hyper stack, rustls with webpki roots, timeouts). We build every
//! request ourselves and add the `Authorization` header ourselves, because octocrab only attaches installation
//! tokens to requests for `api.github.com` (not GitHub Enterprise, not a test server) and its typed helpers hide
//! what we need: partial GraphQL data, raw error bodies, rate-limit headers. Retries are ours too (see
//! [`super::retry`]): octocrab's would re-send POSTs.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use http::header::{ACCEPT, AUTHORIZATION};
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use octocrab::models::AppId;
use octocrab::{EncodingKey, Octocrab};
use serde_json::{json, Value};

use super::error::{GitHubError, GraphQlMessage, SetupError};
use super::pace::{self, Limiter, Pace};
use super::retry::{classify, Retry, RetryPolicy, Verdict};
use super::settings::{Credentials, Secret, Settings};

/// Installation tokens live an hour; we mint a new one well before that.
const INSTALLATION_TOKEN_LIFETIME: Duration = Duration::from_secs(50 * 60);
/// A guard against a server that keeps answering `rel="next"`.
const MAX_PAGES: usize = 1000;

/// A connected client for one board owner (an App installation belongs to one owner).
pub struct Client {
    http: Octocrab,
    api_url: String,
    /// `scheme://host[:port]` of the API: the only place our credentials are ever sent.
    api_origin: String,
    graphql_url: String,
    auth: Auth,
    retry: RetryPolicy,
    timeout: Duration,
    /// Paces content-creating requests (GitHub's secondary rate limits, see [`super::pace`]); one for the
    /// process and identity, shared with every other client of it.
    creates: Arc<Limiter>,
    /// Paces GraphQL mutation requests (GitHub's point budget, see [`super::pace`]); shared as `creates`.
    mutations: Arc<Limiter>,
}

enum Auth {
    Token { token: Secret, source: &'static str },
    App(AppInstallation),
}

struct AppInstallation {
    app_id: u64,
    key: EncodingKey,
    installation_id: u64,
    slug: String,
    /// The current installation token and when it was minted.
    token: Mutex<Option<(Secret, Instant)>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let auth = match &self.auth {
            Auth::Token { source, .. } => format!("token from {source} (***)"),
            Auth::App(app) => format!(
                "GitHub App {} installation {} (***)",
                app.app_id, app.installation_id
            ),
        };
        f.debug_struct("Client")
            .field("api_url", &self.api_url)
            .field("graphql_url", &self.graphql_url)
            .field("auth", &auth)
            .field("retry", &self.retry)
            .field("pace", &self.creates.pace())
            .finish()
    }
}

/// A final HTTP answer (after any retries), success or not.
#[derive(Debug)]
pub(crate) struct Answer {
    pub method: Method,
    /// The URL's path, for messages.
    pub path: String,
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
    pub attempts: u32,
}

impl Answer {
    pub fn is_success(&self) -> bool {
        self.status.is_success()
    }

    /// The body as JSON if GitHub answered 2xx, else the error GitHub gave.
    pub fn ok_json(self) -> Result<Value, GitHubError> {
        if !self.is_success() {
            return Err(self.error());
        }
        if self.body.trim().is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_str(&self.body).map_err(|e| {
            GitHubError::unexpected(
                format!("{} {}", self.method, self.path),
                format!("invalid JSON: {e}"),
            )
        })
    }

    /// The error this (non-2xx) answer stands for, with GitHub's `message` and, for 422, its field errors.
    pub fn error(&self) -> GitHubError {
        GitHubError::Http {
            method: self.method.to_string(),
            path: self.path.clone(),
            status: self.status.as_u16(),
            message: github_message(&self.body, self.status),
            attempts: self.attempts,
        }
    }

    /// True if a 422 says the thing already exists (`errors[].code == "already_exists"`).
    pub fn is_already_exists(&self) -> bool {
        self.status == StatusCode::UNPROCESSABLE_ENTITY
            && serde_json::from_str::<Value>(&self.body)
                .ok()
                .and_then(|v| v.get("errors").and_then(Value::as_array).cloned())
                .is_some_and(|errors| {
                    errors
                        .iter()
                        .any(|e| e.get("code").and_then(Value::as_str) == Some("already_exists"))
                })
    }
}

/// A GraphQL answer: `data` (possibly partial) and `errors` (possibly empty).
#[derive(Debug)]
pub(crate) struct GraphQlAnswer {
    pub operation: String,
    pub data: Value,
    pub errors: Vec<GraphQlMessage>,
}

impl GraphQlAnswer {
    /// The data, or the errors as a failure naming the operation.
    pub fn into_data(self) -> Result<Value, GitHubError> {
        if !self.errors.is_empty() {
            return Err(self.failure(self.errors.clone()));
        }
        if self.data.is_null() {
            return Err(GitHubError::unexpected(
                format!("GraphQL {}", self.operation),
                "no data in the answer",
            ));
        }
        Ok(self.data)
    }

    pub fn failure(&self, messages: Vec<GraphQlMessage>) -> GitHubError {
        GitHubError::GraphQl {
            operation: self.operation.clone(),
            messages,
        }
    }
}

/// Which credential a request carries.
#[derive(Clone, Copy, PartialEq, Eq)]
enum As {
    /// The token, or the App's installation token.
    Bot,
    /// The App itself (a JWT): only for `/app` endpoints.
    App,
}

impl Client {
    /// Builds the client; for a GitHub App also finds its installation on `owner` and mints a first token, so
    /// that a wrong key or a missing installation shows at start, not halfway through a run.
    pub async fn connect(settings: &Settings, owner: &str) -> Result<Client, SetupError> {
        let origin = origin_of(&settings.api_url);
        let http = Octocrab::builder()
            .base_uri(origin.as_str())
            .map_err(|e| SetupError::Client(describe(&e)))?
            .set_connect_timeout(Some(Duration::from_secs(10)))
            .set_read_timeout(Some(settings.request_timeout))
            .build()
            .map_err(|e| SetupError::Client(describe(&e)))?;
        let auth = match &settings.credentials {
            Credentials::Token { token, source } => Auth::Token {
                token: token.clone(),
                source,
            },
            Credentials::App {
                app_id,
                private_key,
            } => {
                let key = EncodingKey::from_rsa_pem(private_key.expose().as_bytes())
                    .map_err(|e| SetupError::BadAppKey(e.to_string()))?;
                Auth::App(AppInstallation {
                    app_id: *app_id,
                    key,
                    installation_id: 0,
                    slug: String::new(),
                    token: Mutex::new(None),
                })
            }
        };
        // Who GitHub counts the limits against, without the secret in clear: the API root, and the token's hash
        // or the App's id (an App's installations on one owner: a process serves one board).
        let identity = match &settings.credentials {
            Credentials::Token { token, .. } => {
                use std::hash::{Hash, Hasher};
                let mut hasher = std::collections::hash_map::DefaultHasher::new();
                token.expose().hash(&mut hasher);
                format!("{} token {:016x}", settings.api_url, hasher.finish())
            }
            Credentials::App { app_id, .. } => {
                format!("{} app {app_id} on {owner}", settings.api_url)
            }
        };
        // Without pacing of creates (tests, the fake GitHub) mutations are not paced either.
        let mutation_pace = if settings.pace.is_off() {
            Pace::OFF
        } else {
            Pace::GRAPHQL_MUTATIONS
        };
        let mut client = Client {
            http,
            api_url: settings.api_url.clone(),
            api_origin: origin,
            graphql_url: settings.graphql_url.clone(),
            auth,
            retry: settings.retry,
            timeout: settings.request_timeout,
            creates: pace::shared(&format!("{} creates", identity), settings.pace),
            mutations: pace::shared(&format!("{} mutations", identity), mutation_pace),
        };
        if matches!(client.auth, Auth::App(_)) {
            client.find_installation(owner).await?;
            client.installation_token().await?;
        }
        Ok(client)
    }

    /// The login the bot writes as, when the credentials say so without asking GitHub (an App: `slug[bot]`).
    pub fn app_login(&self) -> Option<String> {
        match &self.auth {
            Auth::App(app) => Some(format!("{}[bot]", app.slug)),
            Auth::Token { .. } => None,
        }
    }

    /// For a token from `GITHUB_TOKEN` (the Actions app), the login GitHub shows for its writes.
    pub fn actions_login(&self) -> Option<String> {
        match &self.auth {
            Auth::Token {
                source: "GITHUB_TOKEN",
                ..
            } => Some("github-actions[bot]".to_string()),
            _ => None,
        }
    }

    pub fn api_url(&self) -> &str {
        &self.api_url
    }

    /// How fast this client creates content.
    pub fn pace(&self) -> Pace {
        self.creates.pace()
    }

    /// `api_url` + `path` (`path` starts with `/` and is already percent-encoded).
    pub(crate) fn rest_url(&self, path: &str) -> String {
        format!("{}{}", self.api_url, path)
    }

    /// A REST request to `path` (relative to the API root) with JSON in and raw answer out.
    pub(crate) async fn rest(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        retry: Retry,
    ) -> Result<Answer, GitHubError> {
        let url = self.rest_url(path);
        self.request(method, &url, body, retry, As::Bot, false)
            .await
    }

    /// GETs every page of a list endpoint (`path` should ask for `per_page=100`), following `Link: rel="next"`.
    pub(crate) async fn get_all(&self, path: &str) -> Result<Vec<Value>, GitHubError> {
        let mut url = self.rest_url(path);
        let mut all = Vec::new();
        for _ in 0..MAX_PAGES {
            let answer = self
                .request(Method::GET, &url, None, Retry::Read, As::Bot, false)
                .await?;
            let next = next_link(&answer.headers);
            let what = format!("GET {}", answer.path);
            match answer.ok_json()? {
                Value::Array(items) => all.extend(items),
                other => {
                    return Err(GitHubError::unexpected(
                        what,
                        format!("expected a list, got {}", kind_of(&other)),
                    ))
                }
            }
            match next {
                // Never send our token anywhere but the API's own origin.
                Some(next) if next.starts_with(&format!("{}/", self.api_origin)) => url = next,
                Some(next) => {
                    return Err(GitHubError::unexpected(
                        what,
                        format!("pagination link leaves the API host: {next}"),
                    ));
                }
                None => return Ok(all),
            }
        }
        Err(GitHubError::unexpected(
            format!("GET {path}"),
            format!("more than {MAX_PAGES} pages"),
        ))
    }

    /// Sends a GraphQL document and returns data and errors as they came (partial data is kept: a batch of
    /// aliased mutations needs it to know which ones landed).
    pub(crate) async fn graphql(
        &self,
        operation: &str,
        document: &str,
        variables: Value,
        retry: Retry,
    ) -> Result<GraphQlAnswer, GitHubError> {
        let answer = self
            .post_graphql(operation, document, variables, retry)
            .await?;
        parse_graphql(operation, &answer.body)
    }

    /// As [`Client::graphql`] for a query whose answer has one shape: `data` is decoded straight into `T`, without
    /// a JSON tree in between (that tree cost as much as the rest of the client's work on a page of 100 items).
    /// Any `errors` fail the request, as with [`GraphQlAnswer::into_data`].
    pub(crate) async fn graphql_as<T: serde::de::DeserializeOwned>(
        &self,
        operation: &str,
        document: &str,
        variables: Value,
        retry: Retry,
    ) -> Result<T, GitHubError> {
        #[derive(serde::Deserialize)]
        struct Envelope<T> {
            data: Option<T>,
            #[serde(default)]
            errors: Vec<serde::de::IgnoredAny>,
        }
        let answer = self
            .post_graphql(operation, document, variables, retry)
            .await?;
        let problem = match serde_json::from_str::<Envelope<T>>(&answer.body) {
            Ok(Envelope {
                data: Some(data),
                errors,
            }) if errors.is_empty() => return Ok(data),
            Ok(_) => "no data in the answer".to_string(),
            Err(e) => format!("unexpected answer: {e}"),
        };
        // The slow path, for failures only: the generic reading names GitHub's errors when there are any.
        parse_graphql(operation, &answer.body)?.into_data()?;
        Err(GitHubError::unexpected(
            format!("GraphQL {operation}"),
            problem,
        ))
    }

    /// Sends a GraphQL document; an HTTP failure names the operation.
    async fn post_graphql(
        &self,
        operation: &str,
        document: &str,
        variables: Value,
        retry: Retry,
    ) -> Result<Answer, GitHubError> {
        let body = json!({ "query": document, "variables": variables });
        let url = self.graphql_url.clone();
        let answer = self
            .request(Method::POST, &url, Some(&body), retry, As::Bot, true)
            .await?;
        if !answer.is_success() {
            let mut err = answer.error();
            if let GitHubError::Http { path, .. } = &mut err {
                *path = format!("{path} ({operation})");
            }
            return Err(err);
        }
        Ok(answer)
    }

    /// One request with retries as `retry` allows. Returns the final answer whatever its status; fails only
    /// when no answer came (transport failure or timeout on the last attempt).
    async fn request(
        &self,
        method: Method,
        url: &str,
        body: Option<&Value>,
        retry: Retry,
        who: As,
        graphql: bool,
    ) -> Result<Answer, GitHubError> {
        let path = path_of(url);
        // A GraphQL mutation costs 5 points of GitHub's 2,000 a minute (see `pace`).
        let mutation = graphql
            && body
                .and_then(|b| b.get("query"))
                .and_then(Value::as_str)
                .is_some_and(|q| q.trim_start().starts_with("mutation"));
        let creates_content = url
            .strip_prefix(self.api_url.as_str())
            .is_some_and(|relative| pace::is_content_creating(&method, path_of(relative).as_str()));
        // Transport failures and 5xx are retried only where repeating is harmless; rate limits always (below).
        let max_attempts = if retry.allows_retry() {
            self.retry.max_attempts.max(1)
        } else {
            1
        };
        let mut attempt = 0;
        let mut fresh_token_tried = false;
        loop {
            attempt += 1;
            if mutation {
                // Every attempt costs its points, as every attempt of a create counts (below).
                self.mutations.wait().await;
            }
            if creates_content {
                // Every attempt counts against GitHub's limit, so every attempt waits for its slot (before the
                // token is taken, so that a long wait cannot leave it stale).
                self.creates.wait().await;
            }
            let authorization = self.authorization(who).await?;
            let sent = tokio::time::timeout(
                self.timeout,
                self.send_once(&method, url, body, authorization),
            )
            .await;
            let wait = match sent {
                Ok(Ok((status, headers, text))) => {
                    // An App's installation token may expire or be revoked early: mint a new one and try once
                    // more. Safe for any request: GitHub rejected this one before acting on it.
                    if status == StatusCode::UNAUTHORIZED
                        && who == As::Bot
                        && !fresh_token_tried
                        && self.forget_installation_token()
                    {
                        fresh_token_tried = true;
                        attempt -= 1;
                        continue;
                    }
                    let rate_limited = graphql && graphql_rate_limited(&text);
                    let verdict = classify(status, &headers, &text, rate_limited);
                    let answer = Answer {
                        method: method.clone(),
                        path: path.clone(),
                        status,
                        headers,
                        body: text,
                        attempts: attempt,
                    };
                    let wait = match verdict {
                        Verdict::Final => return Ok(answer),
                        Verdict::WaitFor(wait) => {
                            if creates_content {
                                self.creates.hold(wait);
                            }
                            wait
                        }
                        Verdict::Backoff if !retry.allows_retry() => return Ok(answer),
                        Verdict::Backoff => self.retry.backoff(attempt),
                    };
                    // A rate-limited request was refused before GitHub acted on it, so even a create may be sent
                    // again once the wait is over.
                    if attempt >= self.retry.max_attempts.max(1) {
                        return Ok(answer);
                    }
                    if wait > self.retry.max_wait {
                        return Err(GitHubError::RateLimited {
                            method: method.to_string(),
                            path,
                            wait_secs: wait.as_secs(),
                        });
                    }
                    tracing::warn!("{method} {path}{}: GitHub answered {}; retrying in {}ms (attempt {attempt} of {max_attempts})", retry_subject(body, graphql), status.as_u16(), wait.as_millis());
                    wait
                }
                failed => {
                    let reason = match failed {
                        Ok(Err(reason)) => reason,
                        _ => format!("no answer within {}s", self.timeout.as_secs_f32()),
                    };
                    if attempt >= max_attempts {
                        return Err(GitHubError::Transport {
                            method: method.to_string(),
                            path,
                            reason,
                            attempts: attempt,
                        });
                    }
                    let wait = self.retry.backoff(attempt);
                    tracing::warn!("{method} {path}{}: {reason}; retrying in {}ms (attempt {attempt} of {max_attempts})", retry_subject(body, graphql), wait.as_millis());
                    wait
                }
            };
            tokio::time::sleep(wait).await;
        }
    }

    async fn send_once(
        &self,
        method: &Method,
        url: &str,
        body: Option<&Value>,
        authorization: HeaderValue,
    ) -> Result<(StatusCode, HeaderMap, String), String> {
        let builder = http::Request::builder()
            .method(method.clone())
            .uri(url)
            .header(ACCEPT, "application/vnd.github+json")
            .header("x-github-api-version", "2022-11-28")
            .header(AUTHORIZATION, authorization);
        let request = self
            .http
            .build_request(builder, body)
            .map_err(|e| describe(&e))?;
        // The request as sent, headers included: the Authorization header is marked sensitive, so it shows as
        // "Sensitive" here and in the HTTP stack's own trace logs.
        tracing::trace!(?request, "sending");
        let response = self.http.execute(request).await.map_err(|e| describe(&e))?;
        let status = response.status();
        tracing::debug!(%method, url, status = status.as_u16(), "GitHub answered");
        let headers = response.headers().clone();
        let text = self
            .http
            .body_to_string(response)
            .await
            .map_err(|e| describe(&e))?;
        Ok((status, headers, text))
    }

    /// The `Authorization` header for a request, minting an installation token when the current one is old.
    async fn authorization(&self, who: As) -> Result<HeaderValue, GitHubError> {
        let secret = match (&self.auth, who) {
            (Auth::Token { token, .. }, _) => token.clone(),
            (Auth::App(app), As::App) => Secret::new(app_jwt(app)?),
            (Auth::App(_), As::Bot) => self.installation_token().await?,
        };
        let mut value =
            HeaderValue::from_str(&format!("Bearer {}", secret.expose())).map_err(|_| {
                GitHubError::unexpected(
                    "authorization",
                    "the token contains characters not allowed in a header",
                )
            })?;
        value.set_sensitive(true);
        Ok(value)
    }

    /// The cached installation token, or a fresh one (POST /app/installations/{id}/access_tokens).
    async fn installation_token(&self) -> Result<Secret, GitHubError> {
        let Auth::App(app) = &self.auth else {
            return Err(GitHubError::unexpected(
                "installation token",
                "not a GitHub App",
            ));
        };
        if let Ok(cached) = app.token.lock() {
            if let Some((token, minted)) = cached.as_ref() {
                if minted.elapsed() < INSTALLATION_TOKEN_LIFETIME {
                    return Ok(token.clone());
                }
            }
        }
        let url = self.rest_url(&format!(
            "/app/installations/{}/access_tokens",
            app.installation_id
        ));
        // Minting a token is harmless to repeat: retry it like a read. Boxed: `request` calls us for its header.
        let answer =
            Box::pin(self.request(Method::POST, &url, None, Retry::Read, As::App, false)).await?;
        let value = answer.ok_json()?;
        let token = value.get("token").and_then(Value::as_str).ok_or_else(|| {
            GitHubError::unexpected("installation token", "no token in GitHub's answer")
        })?;
        let token = Secret::new(token);
        if let Ok(mut cached) = app.token.lock() {
            *cached = Some((token.clone(), Instant::now()));
        }
        Ok(token)
    }

    /// Drops the cached installation token; false when there is none to drop (not an App).
    fn forget_installation_token(&self) -> bool {
        let Auth::App(app) = &self.auth else {
            return false;
        };
        if let Ok(mut cached) = app.token.lock() {
            *cached = None;
        }
        true
    }

    /// Looks up the App's slug (`GET /app`) and its installation on `owner`: an organisation first, then a user.
    async fn find_installation(&mut self, owner: &str) -> Result<(), SetupError> {
        let app_url = self.rest_url("/app");
        let app = self
            .request(Method::GET, &app_url, None, Retry::Read, As::App, false)
            .await?
            .ok_json()?;
        let slug = app
            .get("slug")
            .and_then(Value::as_str)
            .ok_or_else(|| GitHubError::unexpected("GET /app", "no slug in GitHub's answer"))?
            .to_string();
        let owner_segment = super::path::segment(owner);
        let mut installation = None;
        for kind in ["orgs", "users"] {
            let url = self.rest_url(&format!("/{kind}/{owner_segment}/installation"));
            let answer = self
                .request(Method::GET, &url, None, Retry::Read, As::App, false)
                .await?;
            if answer.status == StatusCode::NOT_FOUND {
                continue;
            }
            let value = answer.ok_json()?;
            installation = value.get("id").and_then(Value::as_u64);
            if installation.is_some() {
                break;
            }
        }
        let installation_id = installation.ok_or_else(|| SetupError::NotInstalled {
            owner: owner.to_string(),
        })?;
        if let Auth::App(app) = &mut self.auth {
            app.slug = slug;
            app.installation_id = installation_id;
        }
        Ok(())
    }
}

fn app_jwt(app: &AppInstallation) -> Result<String, GitHubError> {
    octocrab::auth::create_jwt(AppId(app.app_id), &app.key).map_err(|e| {
        GitHubError::unexpected("GitHub App token", format!("could not sign a JWT: {e}"))
    })
}

/// Parses a GraphQL answer body into data and errors.
pub(crate) fn parse_graphql(operation: &str, body: &str) -> Result<GraphQlAnswer, GitHubError> {
    let mut value: Value = serde_json::from_str(body).map_err(|e| {
        GitHubError::unexpected(format!("GraphQL {operation}"), format!("invalid JSON: {e}"))
    })?;
    let errors = value
        .get("errors")
        .and_then(Value::as_array)
        .map(|errors| errors.iter().map(graphql_message).collect())
        .unwrap_or_default();
    Ok(GraphQlAnswer {
        operation: operation.to_string(),
        // Taken, not cloned: a page of 100 items is a large tree, and copying it cost more than parsing it.
        data: value
            .get_mut("data")
            .map(Value::take)
            .unwrap_or(Value::Null),
        errors,
    })
}

fn graphql_message(error: &Value) -> GraphQlMessage {
    let path = error
        .get("path")
        .and_then(Value::as_array)
        .map(|parts| {
            parts
                .iter()
                .map(|p| p.as_str().map_or_else(|| p.to_string(), str::to_string))
                .collect()
        })
        .unwrap_or_default();
    GraphQlMessage {
        message: error
            .get("message")
            .and_then(Value::as_str)
            .map_or_else(|| error.to_string(), str::to_string),
        kind: error
            .get("type")
            .and_then(Value::as_str)
            .map(str::to_string),
        path,
    }
}

fn graphql_rate_limited(body: &str) -> bool {
    body.contains("RATE_LIMITED")
        && serde_json::from_str::<Value>(body)
            .ok()
            .and_then(|v| v.get("errors").and_then(Value::as_array).cloned())
            .is_some_and(|errors| {
                errors
                    .iter()
                    .any(|e| e.get("type").and_then(Value::as_str) == Some("RATE_LIMITED"))
            })
}

/// GitHub's explanation of an error answer: `message`, plus the field errors of a 422.
fn github_message(body: &str, status: StatusCode) -> String {
    let Ok(value) = serde_json::from_str::<Value>(body) else {
        let text = body.trim();
        return if text.is_empty() || text.len() > 200 {
            status.canonical_reason().unwrap_or("error").to_string()
        } else {
            text.to_string()
        };
    };
    let mut message = value
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or_else(|| status.canonical_reason().unwrap_or("error"))
        .to_string();
    if let Some(errors) = value.get("errors").and_then(Value::as_array) {
        let details: Vec<String> = errors
            .iter()
            .map(|e| {
                match (
                    e.get("message").and_then(Value::as_str),
                    e.get("code").and_then(Value::as_str),
                ) {
                    (Some(m), _) => m.to_string(),
                    (None, Some(code)) => {
                        let field = e.get("field").and_then(Value::as_str).unwrap_or("");
                        format!("{field} {code}").trim().to_string()
                    }
                    _ => e.to_string(),
                }
            })
            .collect();
        if !details.is_empty() {
            message = format!("{message} ({})", details.join("; "));
        }
    }
    message
}

/// The URL of `rel="next"` in a `Link` header.
pub(crate) fn next_link(headers: &HeaderMap) -> Option<String> {
    let link = headers.get("link")?.to_str().ok()?;
    link.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        let is_next = params.split(';').any(|p| {
            p.trim().eq_ignore_ascii_case("rel=\"next\"")
                || p.trim().eq_ignore_ascii_case("rel=next")
        });
        is_next.then(|| {
            url.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_string()
        })
    })
}

fn origin_of(url: &str) -> String {
    match url.parse::<http::Uri>() {
        Ok(uri) => format!(
            "{}://{}",
            uri.scheme_str().unwrap_or("https"),
            uri.authority().map_or("", |a| a.as_str())
        ),
        Err(_) => url.to_string(),
    }
}

fn path_of(url: &str) -> String {
    url.parse::<http::Uri>()
        .map_or_else(|_| url.to_string(), |u| u.path().to_string())
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// An error and its causes on one line (octocrab's `Display` may append a backtrace on further lines).
fn describe(error: &dyn std::error::Error) -> String {
    let mut parts = Vec::new();
    let mut current: Option<&dyn std::error::Error> = Some(error);
    while let Some(e) = current {
        let text = e.to_string();
        let first = text.lines().next().unwrap_or("").trim().to_string();
        if !first.is_empty() && !parts.iter().any(|p: &String| p.contains(&first)) {
            parts.push(first);
        }
        current = e.source();
    }
    parts.join(": ")
}

/// What a retried request is about, for its warning: a REST path names its issue already; a GraphQL request is
/// named by its variables (item and project ids, numbers), cut short. Variables never hold the token.
fn retry_subject(body: Option<&Value>, graphql: bool) -> String {
    let variables = body.and_then(|b| b.get("variables")).filter(|_| graphql);
    match variables {
        Some(v) if v.as_object().is_some_and(|o| !o.is_empty()) => {
            let text = v.to_string();
            let short: String = text.chars().take(160).collect();
            format!(
                " {short}{}",
                if short.len() < text.len() { "…" } else { "" }
            )
        }
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_link_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "link",
            HeaderValue::from_static(
                "<https://api.github.com/repositories/1/labels?per_page=100&page=2>; rel=\"next\", \
                 <https://api.github.com/repositories/1/labels?per_page=100&page=5>; rel=\"last\"",
            ),
        );
        assert_eq!(
            next_link(&headers).as_deref(),
            Some("https://api.github.com/repositories/1/labels?per_page=100&page=2")
        );
        headers.insert(
            "link",
            HeaderValue::from_static("<https://x/y?page=1>; rel=\"prev\""),
        );
        assert_eq!(next_link(&headers), None);
    }

    #[test]
    fn github_messages_include_field_errors() {
        let body = r#"{"message":"Validation Failed","errors":[{"resource":"Label","code":"already_exists","field":"name"}]}"#;
        assert_eq!(
            github_message(body, StatusCode::UNPROCESSABLE_ENTITY),
            "Validation Failed (name already_exists)"
        );
        assert_eq!(github_message("", StatusCode::BAD_GATEWAY), "Bad Gateway");
    }

    #[test]
    fn graphql_errors_keep_type_and_path() {
        let body = r#"{"data":{"a":null,"b":{"x":1}},"errors":[{"type":"NOT_FOUND","path":["a",0],"message":"gone"}]}"#;
        let answer = parse_graphql("Op", body).unwrap();
        assert_eq!(answer.data["b"]["x"], 1);
        assert_eq!(answer.errors.len(), 1);
        assert_eq!(answer.errors[0].to_string(), "NOT_FOUND: gone (at a.0)");
        assert_eq!(
            answer.into_data().unwrap_err().to_string(),
            "GraphQL Op failed: NOT_FOUND: gone (at a.0)"
        );
    }

    #[test]
    fn origin_and_path() {
        assert_eq!(
            origin_of("https://ghe.example/api/v3"),
            "https://ghe.example"
        );
        assert_eq!(origin_of("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
        assert_eq!(
            path_of("https://ghe.example/api/v3/repos/a/b?x=1"),
            "/api/v3/repos/a/b"
        );
    }
}
