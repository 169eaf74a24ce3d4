//! The hidden markers that make the bot's comments and issues idempotent: every kind in one place.

use std::fmt;

use serde::Serialize;

use crate::board::{normal_login, Comment, IssueRef};

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
        }
    }

    /// Whether a comment body carries this marker.
    pub fn is_in(&self, body: &str) -> bool {
        body.contains(&self.to_string())
    }
}

/// Finds a bot comment with `marker` among an issue's comments: only the bot's own comments are trusted.
pub fn find_marked<'a>(comments: &'a [Comment], bot: &str, marker: &Marker) -> Option<&'a Comment> {
    let bot = normal_login(bot);
    comments
        .iter()
        .find(|c| normal_login(&c.author) == bot && marker.is_in(&c.body))
}
