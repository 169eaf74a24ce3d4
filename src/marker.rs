//! The hidden markers that make the bot's comments and issues idempotent: every kind in one place.

use std::fmt;

use serde::Serialize;

use crate::board::{normal_login, Comment, Issue, IssueRef};

/// What a bot comment is about; `<!-- portfolio-sync:KIND[:ARG] -->` in its first line.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(into = "String")]
pub enum Marker {
    /// The living checklist of an issue.
    Status,
    /// The latest refused move.
    Rejected,
    /// The handoff into a phase (by slug); posted once.
    Handoff(String),
    /// Answer to a command comment (by comment id).
    Reply(u64),
    /// A tracking issue in a team's repository, opened on handoff of the initiative it names.
    Tracking(IssueRef),
    /// The issue that keeps the portfolio report.
    Report,
    /// The one explanation a person without permission gets on an issue (by lowercase login).
    Denied(String),
    /// The record of the decisions taken about an initiative (`approval::Approvals`).
    Approvals,
}

impl fmt::Display for Marker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<!-- portfolio-sync:{} -->", self.kind())
    }
}

impl From<Marker> for String {
    fn from(m: Marker) -> String {
        m.to_string()
    }
}

/// What every [`Marker::Tracking`] starts with: one search finds all tracking issues of a repository.
pub const TRACKING_PREFIX: &str = "<!-- portfolio-sync:tracking:";

impl Marker {
    /// `status`, `handoff:implementering`, `tracking:digdir/portfolio#48`: what plans show.
    pub fn kind(&self) -> String {
        match self {
            Marker::Status => "status".into(),
            Marker::Rejected => "rejected".into(),
            Marker::Handoff(slug) => format!("handoff:{slug}"),
            Marker::Reply(id) => format!("reply:{id}"),
            Marker::Tracking(issue) => format!("tracking:{issue}"),
            Marker::Report => "report".into(),
            Marker::Denied(login) => format!("denied:{}", login.to_lowercase()),
            Marker::Approvals => "decisions".into(),
        }
    }

    /// Whether a body is marked with this marker: it is the body's first line. A marker anywhere else is text
    /// someone quoted or wrote, never the bot's.
    pub fn leads(&self, body: &str) -> bool {
        body.lines()
            .next()
            .is_some_and(|first| first.trim() == self.to_string())
    }
}

/// Where a handoff comment names the tracking issue opened in `repository`: the bot fills in `owner/repo#n` when it
/// posts the comment, after the issue exists. An HTML comment, so no text people wrote can hold one (it passes
/// through `markdown::inert`, which escapes `<`).
pub fn tracking_slot(repository: &str) -> String {
    format!("<!-- portfolio-sync:tracking-ref:{repository} -->")
}

/// `body` with every [`tracking_slot`] replaced by what `found` says for its repository (the repository's name
/// when it says nothing).
pub fn fill_tracking(body: &str, found: impl Fn(&str) -> Option<String>) -> String {
    const OPEN: &str = "<!-- portfolio-sync:tracking-ref:";
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(at) = rest.find(OPEN) {
        out.push_str(&rest[..at]);
        let after = &rest[at + OPEN.len()..];
        let Some(end) = after.find(" -->") else {
            out.push_str(&rest[at..]);
            return out;
        };
        let repository = &after[..end];
        out.push_str(&found(repository).unwrap_or_else(|| repository.to_string()));
        rest = &after[end + " -->".len()..];
    }
    out.push_str(rest);
    out
}

/// Finds a bot comment with `marker` among an issue's comments: only the bot's own comments count, and only with
/// the marker as their first line.
pub fn find_marked<'a>(comments: &'a [Comment], bot: &str, marker: &Marker) -> Option<&'a Comment> {
    let bot = normal_login(bot);
    comments
        .iter()
        .find(|c| normal_login(&c.author) == bot && marker.leads(&c.body))
}

/// Whether the bot opened `issue` with `marker`.
pub fn is_bot_issue(issue: &Issue, bot: &str, marker: &Marker) -> bool {
    let bot = normal_login(bot);
    issue
        .author
        .as_deref()
        .is_some_and(|a| normal_login(a) == bot)
        && marker.leads(&issue.body)
}

/// The issues among `issues` that the bot opened with `marker`, oldest first.
pub fn bot_issues<'a>(issues: &'a [Issue], bot: &str, marker: &Marker) -> Vec<&'a Issue> {
    let mut found: Vec<&Issue> = issues
        .iter()
        .filter(|i| is_bot_issue(i, bot, marker))
        .collect();
    found.sort_by_key(|i| i.reference());
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracking_slots_are_filled_and_only_the_bots_count() {
        let body = format!("a {} b {}", tracking_slot("o/x"), tracking_slot("o/y"));
        let filled = fill_tracking(&body, |repo| (repo == "o/x").then(|| "o/x#3".to_string()));
        assert_eq!(filled, "a o/x#3 b o/y");
        // Text someone wrote reaches a body only through markdown::inert, which leaves no slot behind.
        let typed = crate::markdown::inert(&tracking_slot("o/x"));
        assert_eq!(fill_tracking(&typed, |_| Some("X".into())), typed);
    }

    #[test]
    fn every_tracking_marker_starts_with_the_prefix() {
        let issue = IssueRef::parse("digdir/portfolio#48", None).expect("an issue");
        assert!(Marker::Tracking(issue)
            .to_string()
            .starts_with(TRACKING_PREFIX));
    }

    #[test]
    fn a_marker_counts_only_as_the_first_line() {
        assert!(Marker::Status.leads("<!-- portfolio-sync:status -->\ntext"));
        assert!(!Marker::Status.leads("quoted: <!-- portfolio-sync:status -->"));
        assert!(!Marker::Status.leads("x\n<!-- portfolio-sync:status -->"));
    }
}
