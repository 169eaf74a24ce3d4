//! Errors of talking to GitHub.
//!
//! Two families: [`SetupError`] (the client could not be built: missing token, bad URL, App not installed), which
//! the CLI maps to exit code 2, and [`GitHubError`] (one request failed), which fails one item and exits 1.
//! Neither ever carries a token: only methods, paths, statuses and GitHub's own messages.

use std::fmt;

/// The client could not be set up. Every message says what to change.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// No credentials at all in the environment.
    #[error(
        "no GitHub token: set PORTFOLIO_SYNC_TOKEN, GH_TOKEN or GITHUB_TOKEN, log in with `gh auth login`, or set \
         PORTFOLIO_SYNC_APP_ID and PORTFOLIO_SYNC_APP_PRIVATE_KEY for a GitHub App"
    )]
    NoToken,
    /// One of the two GitHub App variables is set without the other.
    #[error("{present} is set but {missing} is not: a GitHub App needs both")]
    IncompleteApp {
        present: &'static str,
        missing: &'static str,
    },
    #[error("PORTFOLIO_SYNC_APP_ID must be the App's numeric id, not \"{0}\"")]
    BadAppId(String),
    #[error(
        "PORTFOLIO_SYNC_APP_PRIVATE_KEY is not an RSA private key in PEM format ({0}); \
         paste the .pem file GitHub generated, or give the path to it"
    )]
    BadAppKey(String),
    #[error("{name} is not an http(s) URL: \"{value}\"")]
    BadUrl { name: &'static str, value: String },
    /// The App has no installation on the board's owner.
    #[error("the GitHub App is not installed on \"{owner}\": install it on the organisation or user that owns the board")]
    NotInstalled { owner: String },
    #[error("could not build the HTTP client: {0}")]
    Client(String),
    /// A request made while setting up (App installation lookup, token) failed.
    #[error(transparent)]
    Request(#[from] GitHubError),
}

impl SetupError {
    /// A problem with how the bot was invoked or configured (exit code 2), as opposed to GitHub failing.
    pub fn is_usage_error(&self) -> bool {
        !matches!(self, SetupError::Request(_))
    }
}

/// One GraphQL error object as GitHub sends it: a message, often a `type` (`NOT_FOUND`, `FORBIDDEN`, ...) and a
/// `path` (the response keys leading to the field that failed; for a batched mutation, its alias first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphQlMessage {
    pub message: String,
    pub kind: Option<String>,
    pub path: Vec<String>,
}

impl fmt::Display for GraphQlMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(kind) = &self.kind {
            write!(f, "{kind}: ")?;
        }
        f.write_str(&self.message)?;
        if !self.path.is_empty() {
            write!(f, " (at {})", self.path.join("."))?;
        }
        Ok(())
    }
}

/// A request to GitHub failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum GitHubError {
    /// GitHub answered with an error status. `message` is GitHub's own explanation.
    #[error("{method} {path}: GitHub answered {status}: {message}{}", attempts_note(*attempts))]
    Http {
        method: String,
        path: String,
        status: u16,
        message: String,
        attempts: u32,
    },
    /// The request never got an answer: connection refused or reset, TLS, timeout.
    #[error("{method} {path}: {reason}{}", attempts_note(*attempts))]
    Transport {
        method: String,
        path: String,
        reason: String,
        attempts: u32,
    },
    /// GitHub asked us to wait longer than we are willing to (see `RetryPolicy::max_wait`).
    #[error("{method} {path}: rate limited by GitHub for another {wait_secs}s; try again later")]
    RateLimited {
        method: String,
        path: String,
        wait_secs: u64,
    },
    /// A GraphQL answer with an `errors` array: HTTP 200, but a failure.
    #[error("GraphQL {operation} failed: {}", join(messages))]
    GraphQl {
        operation: String,
        messages: Vec<GraphQlMessage>,
    },
    /// GitHub answered, but not in the shape we expected (or the board is not what the config says).
    #[error("{what}: {detail}")]
    Unexpected { what: String, detail: String },
}

impl GitHubError {
    /// The HTTP status GitHub answered, if it answered with an error status.
    pub fn status(&self) -> Option<u16> {
        match self {
            GitHubError::Http { status, .. } => Some(*status),
            _ => None,
        }
    }

    pub(crate) fn unexpected(what: impl Into<String>, detail: impl fmt::Display) -> Self {
        GitHubError::Unexpected {
            what: what.into(),
            detail: detail.to_string(),
        }
    }
}

fn attempts_note(attempts: u32) -> String {
    if attempts > 1 {
        format!(" (after {attempts} attempts)")
    } else {
        String::new()
    }
}

fn join(messages: &[GraphQlMessage]) -> String {
    if messages.is_empty() {
        return "GitHub sent an empty error".to_string();
    }
    messages
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}
