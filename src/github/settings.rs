//! Where GitHub is and who we are: API roots and credentials, from the environment or given explicitly.
//!
//! Tests build [`Settings`] directly (pointing at a fake server) instead of mutating the process environment;
//! production uses [`Settings::from_env`].

use std::fmt;
use std::time::Duration;

use super::error::SetupError;
use super::pace::Pace;
use super::retry::RetryPolicy;

/// A secret (token or private key). Its `Debug` prints `***` and it has no `Display`, so it cannot leak into
/// logs or error messages by accident; [`Secret::expose`] is the one way to read it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// How the bot authenticates.
#[derive(Debug, Clone)]
pub enum Credentials {
    /// A personal access token, fine-grained token or `GITHUB_TOKEN`. `source` names where it came from (an
    /// environment variable, or "explicit"), for messages.
    Token { token: Secret, source: &'static str },
    /// A GitHub App: the bot finds the App's installation on the board owner and mints installation tokens.
    App { app_id: u64, private_key: Secret },
}

impl Credentials {
    pub fn token(token: impl Into<String>) -> Self {
        Credentials::Token {
            token: Secret::new(token),
            source: "explicit",
        }
    }

    /// Where the credential came from, for `doctor` and messages (never the value): `GH_TOKEN`,
    /// `gh auth token`, `the GitHub App 12 (PORTFOLIO_SYNC_APP_ID)`.
    pub fn source(&self) -> String {
        match self {
            Credentials::Token { source, .. } => source.to_string(),
            Credentials::App { app_id, .. } => {
                format!("the GitHub App {app_id} (PORTFOLIO_SYNC_APP_ID)")
            }
        }
    }
}

/// The `source` of a token that `gh auth token` printed.
pub const GH_CLI: &str = "gh auth token";

/// How long `gh auth token` may take: it reads a file or the system keyring, so seconds mean it hangs (a locked
/// keyring waiting for a password that no one will type).
const GH_TIMEOUT: Duration = Duration::from_secs(5);

/// Everything needed to build a client.
#[derive(Debug, Clone)]
pub struct Settings {
    /// REST root without a trailing slash: `https://api.github.com`, or `https://ghe.example/api/v3`.
    pub api_url: String,
    /// GraphQL endpoint: `https://api.github.com/graphql`, or `https://ghe.example/api/graphql`.
    pub graphql_url: String,
    pub credentials: Credentials,
    pub retry: RetryPolicy,
    /// Limit for one request, answer included. A request that takes longer counts as a (retryable) timeout.
    pub request_timeout: Duration,
    /// Status changes sent per GraphQL request (as aliased mutations).
    pub status_batch_size: usize,
    /// Label adds and removals sent per GraphQL request (as aliased mutations).
    pub label_batch_size: usize,
    /// How fast comments, issues, labels and reactions may be created ([`Pace::GITHUB`]; tests against a fake
    /// server use [`Pace::OFF`]).
    pub pace: Pace,
}

pub const DEFAULT_API_URL: &str = "https://api.github.com";

impl Settings {
    /// Settings for `api_url` (GraphQL at `api_url/graphql`) with default retries and timeouts.
    pub fn new(api_url: &str, credentials: Credentials) -> Result<Settings, SetupError> {
        let api_url = checked_url("GITHUB_API_URL", api_url)?;
        Ok(Settings {
            graphql_url: format!("{api_url}/graphql"),
            api_url,
            credentials,
            retry: RetryPolicy::default(),
            request_timeout: Duration::from_secs(60),
            status_batch_size: 50,
            label_batch_size: 50,
            pace: Pace::GITHUB,
        })
    }

    /// Overrides the GraphQL endpoint (GitHub Enterprise Server serves it at `/api/graphql`, beside `/api/v3`).
    pub fn with_graphql_url(mut self, graphql_url: &str) -> Result<Settings, SetupError> {
        self.graphql_url = checked_url("GITHUB_GRAPHQL_URL", graphql_url)?;
        Ok(self)
    }

    /// Reads the process environment (see [`Settings::from_lookup`]), and asks the `gh` CLI for its token when no
    /// variable names one.
    pub fn from_env() -> Result<Settings, SetupError> {
        Settings::from_lookup_or_gh(|name| std::env::var(name).ok(), gh_auth_token)
    }

    /// As [`Settings::from_lookup`], then `gh`'s token (`gh(host)`, where host is GitHub's host name) when no
    /// variable gives a credential.
    pub fn from_lookup_or_gh(
        get: impl Fn(&str) -> Option<String>,
        gh: impl FnOnce(&str) -> Option<String>,
    ) -> Result<Settings, SetupError> {
        Settings::from_variables(&get, Some(gh))
    }

    /// Reads settings through `get` (an environment variable lookup):
    /// - credentials: `PORTFOLIO_SYNC_TOKEN`; else a GitHub App from `PORTFOLIO_SYNC_APP_ID` and
    ///   `PORTFOLIO_SYNC_APP_PRIVATE_KEY` (the PEM text, or a path to the `.pem` file); else `GH_TOKEN` (what the
    ///   `gh` CLI and many Actions workflows set); else `GITHUB_TOKEN`. The App wins over the general tokens
    ///   because App variables are set for this bot on purpose while `GITHUB_TOKEN` is often just present in an
    ///   Actions job.
    /// - `GITHUB_API_URL` (default `https://api.github.com`), `GITHUB_GRAPHQL_URL` (default `$GITHUB_API_URL/graphql`).
    ///
    /// Empty variables count as unset.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Settings, SetupError> {
        Settings::from_variables(&get, None::<fn(&str) -> Option<String>>)
    }

    fn from_variables(
        get: &impl Fn(&str) -> Option<String>,
        gh: Option<impl FnOnce(&str) -> Option<String>>,
    ) -> Result<Settings, SetupError> {
        let var = |name: &str| {
            get(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let api_url = var("GITHUB_API_URL").unwrap_or_else(|| DEFAULT_API_URL.to_string());
        let credentials = match (credentials_from(&var), gh) {
            (Err(SetupError::NoToken), Some(gh)) => Credentials::Token {
                token: Secret::new(gh(&gh_host(&api_url)).ok_or(SetupError::NoToken)?),
                source: GH_CLI,
            },
            (credentials, _) => credentials?,
        };
        let settings = Settings::new(&api_url, credentials)?;
        match var("GITHUB_GRAPHQL_URL") {
            Some(url) => settings.with_graphql_url(&url),
            None => Ok(settings),
        }
    }
}

fn credentials_from(var: &impl Fn(&str) -> Option<String>) -> Result<Credentials, SetupError> {
    if let Some(token) = var("PORTFOLIO_SYNC_TOKEN") {
        return Ok(Credentials::Token {
            token: Secret::new(token),
            source: "PORTFOLIO_SYNC_TOKEN",
        });
    }
    match (
        var("PORTFOLIO_SYNC_APP_ID"),
        var("PORTFOLIO_SYNC_APP_PRIVATE_KEY"),
    ) {
        (Some(id), Some(key)) => {
            let app_id = id.parse().map_err(|_| SetupError::BadAppId(id.clone()))?;
            return Ok(Credentials::App {
                app_id,
                private_key: Secret::new(private_key_text(key)?),
            });
        }
        (Some(_), None) => {
            return Err(SetupError::IncompleteApp {
                present: "PORTFOLIO_SYNC_APP_ID",
                missing: "PORTFOLIO_SYNC_APP_PRIVATE_KEY",
            })
        }
        (None, Some(_)) => {
            return Err(SetupError::IncompleteApp {
                present: "PORTFOLIO_SYNC_APP_PRIVATE_KEY",
                missing: "PORTFOLIO_SYNC_APP_ID",
            })
        }
        (None, None) => {}
    }
    for name in ["GH_TOKEN", "GITHUB_TOKEN"] {
        if let Some(token) = var(name) {
            return Ok(Credentials::Token {
                token: Secret::new(token),
                source: name,
            });
        }
    }
    Err(SetupError::NoToken)
}

/// The host `gh` keeps the token under: `github.com` for the public API, else the API's host (Enterprise).
fn gh_host(api_url: &str) -> String {
    let host = api_url
        .parse::<http::Uri>()
        .ok()
        .and_then(|u| u.host().map(str::to_string));
    match host.as_deref() {
        None | Some("api.github.com") => "github.com".to_string(),
        Some(h) => h.to_string(),
    }
}

/// `gh auth token --hostname HOST`: the token of someone logged in with the GitHub CLI. `None` when `gh` is not
/// installed, not logged in, fails, or takes longer than [`GH_TIMEOUT`]; its output is never logged.
pub fn gh_auth_token(host: &str) -> Option<String> {
    use std::process::{Command, Stdio};
    let mut child = Command::new("gh")
        .args(["auth", "token", "--hostname", host])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let started = std::time::Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => break,
            Ok(Some(_)) | Err(_) => return None,
            Ok(None) if started.elapsed() > GH_TIMEOUT => {
                tracing::warn!(
                    "`gh auth token` gave no answer within {}s; not using it",
                    GH_TIMEOUT.as_secs()
                );
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
    let mut token = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take()?, &mut token).ok()?;
    let token = token.trim().to_string();
    (!token.is_empty()).then_some(token)
}

/// The PEM text of a private key given as the text itself (possibly with `\n` escapes, as CI secrets often
/// store it) or as a path to the file.
fn private_key_text(value: String) -> Result<String, SetupError> {
    if value.contains("-----BEGIN") {
        if !value.contains('\n') && value.contains("\\n") {
            return Ok(value.replace("\\n", "\n"));
        }
        return Ok(value);
    }
    std::fs::read_to_string(&value).map_err(|e| {
        SetupError::BadAppKey(format!(
            "neither PEM text nor a readable file: {}",
            e.kind()
        ))
    })
}

/// Trims a trailing slash and checks that the URL is absolute http(s) with a host.
fn checked_url(name: &'static str, value: &str) -> Result<String, SetupError> {
    let trimmed = value.trim().trim_end_matches('/').to_string();
    let bad = || SetupError::BadUrl {
        name,
        value: value.to_string(),
    };
    let uri: http::Uri = trimmed.parse().map_err(|_| bad())?;
    let scheme_ok = matches!(uri.scheme_str(), Some("http" | "https"));
    if !scheme_ok || uri.authority().is_none() || uri.query().is_some() {
        return Err(bad());
    }
    Ok(trimmed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn no_credentials_is_the_no_token_error() {
        let err = Settings::from_lookup(lookup(&[("GITHUB_TOKEN", "  ")])).unwrap_err();
        assert!(matches!(err, SetupError::NoToken));
        assert!(err.is_usage_error());
        assert!(err.to_string().starts_with(
            "no GitHub token: set PORTFOLIO_SYNC_TOKEN, GH_TOKEN or GITHUB_TOKEN, log in with `gh auth login`, or"
        ));
    }

    #[test]
    fn the_order_is_own_token_app_gh_token_github_token_then_the_gh_cli() {
        let gh_never =
            |_: &str| -> Option<String> { panic!("gh asked although a variable has a token") };
        let source = |pairs: &[(&str, &str)]| {
            Settings::from_lookup_or_gh(lookup(pairs), gh_never)
                .unwrap()
                .credentials
                .source()
        };
        assert_eq!(
            source(&[
                ("PORTFOLIO_SYNC_TOKEN", "a"),
                ("GH_TOKEN", "b"),
                ("GITHUB_TOKEN", "c")
            ]),
            "PORTFOLIO_SYNC_TOKEN"
        );
        assert_eq!(
            source(&[("GH_TOKEN", "b"), ("GITHUB_TOKEN", "c")]),
            "GH_TOKEN"
        );
        assert_eq!(
            source(&[("GH_TOKEN", " "), ("GITHUB_TOKEN", "c")]),
            "GITHUB_TOKEN"
        );

        // No variable: gh is asked, for the host of the API.
        let asked = std::cell::RefCell::new(Vec::new());
        let s = Settings::from_lookup_or_gh(lookup(&[]), |host: &str| {
            asked.borrow_mut().push(host.to_string());
            Some("gho_x".to_string())
        })
        .unwrap();
        assert!(
            matches!(&s.credentials, Credentials::Token { token, source: GH_CLI } if token.expose() == "gho_x")
        );
        assert_eq!(s.credentials.source(), "gh auth token");
        Settings::from_lookup_or_gh(
            lookup(&[("GITHUB_API_URL", "https://ghe.example/api/v3")]),
            |host: &str| {
                asked.borrow_mut().push(host.to_string());
                None
            },
        )
        .unwrap_err();
        assert_eq!(*asked.borrow(), ["github.com", "ghe.example"]);
    }

    #[test]
    fn own_token_wins_and_urls_default() {
        let s = Settings::from_lookup(lookup(&[
            ("PORTFOLIO_SYNC_TOKEN", "a"),
            ("GITHUB_TOKEN", "b"),
        ]))
        .unwrap();
        assert!(
            matches!(&s.credentials, Credentials::Token { token, source: "PORTFOLIO_SYNC_TOKEN" } if token.expose() == "a")
        );
        assert_eq!(s.api_url, "https://api.github.com");
        assert_eq!(s.graphql_url, "https://api.github.com/graphql");
    }

    #[test]
    fn enterprise_roots() {
        let s = Settings::from_lookup(lookup(&[
            ("GITHUB_TOKEN", "b"),
            ("GITHUB_API_URL", "https://ghe.example/api/v3/"),
            ("GITHUB_GRAPHQL_URL", "https://ghe.example/api/graphql"),
        ]))
        .unwrap();
        assert_eq!(s.api_url, "https://ghe.example/api/v3");
        assert_eq!(s.graphql_url, "https://ghe.example/api/graphql");
    }

    #[test]
    fn app_beats_github_token_and_needs_both_variables() {
        let pem = "-----BEGIN RSA PRIVATE KEY-----\\nabc\\n-----END RSA PRIVATE KEY-----";
        let s = Settings::from_lookup(lookup(&[
            ("PORTFOLIO_SYNC_APP_ID", "12"),
            ("PORTFOLIO_SYNC_APP_PRIVATE_KEY", pem),
            ("GITHUB_TOKEN", "b"),
        ]))
        .unwrap();
        match s.credentials {
            Credentials::App {
                app_id,
                private_key,
            } => {
                assert_eq!(app_id, 12);
                assert!(private_key.expose().contains("\nabc\n"));
            }
            other => panic!("{other:?}"),
        }
        let err = Settings::from_lookup(lookup(&[("PORTFOLIO_SYNC_APP_ID", "12")])).unwrap_err();
        assert!(matches!(err, SetupError::IncompleteApp { .. }));
        let err = Settings::from_lookup(lookup(&[
            ("PORTFOLIO_SYNC_APP_ID", "x"),
            ("PORTFOLIO_SYNC_APP_PRIVATE_KEY", pem),
        ]))
        .unwrap_err();
        assert!(matches!(err, SetupError::BadAppId(_)));
    }

    #[test]
    fn bad_url_is_named() {
        let err = Settings::from_lookup(lookup(&[
            ("GITHUB_TOKEN", "b"),
            ("GITHUB_API_URL", "api.github.com"),
        ]))
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "GITHUB_API_URL is not an http(s) URL: \"api.github.com\""
        );
    }

    #[test]
    fn secrets_never_print() {
        let s = Settings::new(
            "https://api.github.com",
            Credentials::token("ghp_supersecret"),
        )
        .unwrap();
        let shown = format!("{s:?}");
        assert!(!shown.contains("supersecret"), "{shown}");
        assert!(shown.contains("***"));
    }
}
