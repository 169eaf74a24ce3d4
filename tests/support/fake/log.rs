//! The request log: every request the fake saw, with what tests ask about (reads vs writes, GraphQL operations).

use serde_json::Value;

use super::graphql::{GraphQlCall, OpKind};

#[derive(Debug, Clone)]
pub struct LoggedRequest {
    pub method: String,
    /// REST: the path relative to the API root, percent-encoded as sent (`/repos/o/r/issues/1/labels/fase%2Fa`).
    /// GraphQL: the endpoint's path.
    pub path: String,
    /// The raw query string (`per_page=100&page=2`), empty if none.
    pub query: String,
    /// Set for GraphQL requests.
    pub graphql: Option<GraphQlCall>,
    /// The request body as JSON (`null` if none or not JSON).
    pub body: Value,
    /// The status the fake answered.
    pub status: u16,
    /// Answered (or altered) by an injected fault.
    pub faulted: bool,
    /// The fake has no route for it (answered 404).
    pub unrouted: bool,
    /// When it arrived (after the artificial latency).
    pub received: std::time::Instant,
}

impl LoggedRequest {
    /// A REST GET or a GraphQL query.
    pub fn is_read(&self) -> bool {
        match &self.graphql {
            Some(call) => call.kind == OpKind::Query,
            None => self.method == "GET",
        }
    }

    /// Any other REST method, or a GraphQL mutation.
    pub fn is_write(&self) -> bool {
        match &self.graphql {
            Some(call) => call.kind == OpKind::Mutation,
            None => self.method != "GET",
        }
    }

    /// A new comment, issue, repository label or reaction: what GitHub's secondary limits count.
    pub fn is_create(&self) -> bool {
        let segments: Vec<&str> = self.path.trim_start_matches('/').split('/').collect();
        self.graphql.is_none()
            && self.method == "POST"
            && matches!(
                segments.as_slice(),
                ["repos", _, _, "issues"]
                    | ["repos", _, _, "labels"]
                    | ["repos", _, _, "issues", _, "comments"]
                    | ["repos", _, _, "issues", _, "reactions"]
                    | ["repos", _, _, "issues", "comments", _, "reactions"]
            )
    }

    /// `GraphQL SetStatuses`, or `POST /repos/o/r/issues/1/labels`.
    pub fn name(&self) -> String {
        match self.operation() {
            Some(op) => format!("GraphQL {op}"),
            None => format!("{} {}", self.method, self.path),
        }
    }

    /// The GraphQL operation name, if any.
    pub fn operation(&self) -> Option<&str> {
        self.graphql.as_ref().and_then(|g| g.operation.as_deref())
    }
}

/// A copy of the log at one moment.
#[derive(Debug, Clone)]
pub struct RequestLog(pub Vec<LoggedRequest>);

impl RequestLog {
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &LoggedRequest> {
        self.0.iter()
    }

    pub fn reads(&self) -> usize {
        self.count(LoggedRequest::is_read)
    }

    pub fn writes(&self) -> usize {
        self.count(LoggedRequest::is_write)
    }

    pub fn count(&self, predicate: impl Fn(&LoggedRequest) -> bool) -> usize {
        self.0.iter().filter(|r| predicate(r)).count()
    }

    /// Requests for the GraphQL operation named `operation`.
    pub fn graphql(&self, operation: &str) -> usize {
        self.count(|r| r.operation() == Some(operation))
    }

    /// REST requests with this method and path (as in [`LoggedRequest::path`]).
    pub fn rest(&self, method: &str, path: &str) -> usize {
        self.count(|r| r.graphql.is_none() && r.method == method && r.path == path)
    }

    /// The GraphQL calls, in order (for asserting on batches: `fields` counts the aliased mutations).
    pub fn graphql_calls(&self) -> Vec<&GraphQlCall> {
        self.0.iter().filter_map(|r| r.graphql.as_ref()).collect()
    }

    /// One line per request, for assertion messages.
    pub fn summary(&self) -> String {
        self.0
            .iter()
            .map(|r| match r.operation() {
                Some(op) => format!("{} {} {op} -> {}", r.method, r.path, r.status),
                None => format!("{} {} -> {}", r.method, r.path, r.status),
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}
