//! The result of reconcile: a decision per board item and the writes that carry them out.
//! Rendered as a table a portfolio manager can scan, or as the JSON of DESIGN.md.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;
use serde_json::json;

use crate::board::IssueRef;
use crate::marker::Marker;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Accepted,
    Rejected,
    Adopted,
    Unchanged,
    Skipped,
}

impl Outcome {
    /// The outcome as people read it; [`Outcome::as_str`] is the JSON plan's machine key.
    pub fn name(self, language: crate::language::Language) -> &'static str {
        let (nb, en) = match self {
            Outcome::Accepted => ("godkjent", "accepted"),
            Outcome::Rejected => ("avvist", "rejected"),
            Outcome::Adopted => ("overtatt", "adopted"),
            Outcome::Unchanged => ("uendret", "unchanged"),
            Outcome::Skipped => ("hoppet over", "skipped"),
        };
        language.pick(nb, en)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Accepted => "accepted",
            Outcome::Rejected => "rejected",
            Outcome::Adopted => "adopted",
            Outcome::Unchanged => "unchanged",
            Outcome::Skipped => "skipped",
        }
    }
}

/// What reconcile decided for one board item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub item: String,
    /// The accepted phase (from the phase label), if any.
    pub from: Option<String>,
    /// The board phase (from the Status column), if the item has one.
    pub to: Option<String>,
    pub outcome: Outcome,
    pub missing: Vec<String>,
    pub reason: String,
}

/// One write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
pub enum Change {
    SetStatus {
        item_id: String,
        status: String,
    },
    AddLabel {
        issue: IssueRef,
        label: String,
    },
    RemoveLabel {
        issue: IssueRef,
        label: String,
    },
    /// Edit the bot's comment with this marker, or create it; nothing when the text is the same.
    UpsertComment {
        issue: IssueRef,
        marker: Marker,
        body: String,
    },
    /// Create a comment once: nothing when a bot comment with this marker exists.
    PostComment {
        issue: IssueRef,
        marker: Marker,
        body: String,
    },
    AddReaction {
        issue: IssueRef,
        comment_id: u64,
        content: String,
    },
    AddItem {
        issue: IssueRef,
        node_id: Option<String>,
    },
    /// Open an issue once: nothing when the bot opened one with `marker` in the repository.
    CreateIssue {
        repository: String,
        title: String,
        body: String,
        marker: Marker,
    },
    CreateLabel {
        repository: String,
        name: String,
        color: String,
        description: String,
    },
}

impl Change {
    pub fn kind(&self) -> &'static str {
        match self {
            Change::SetStatus { .. } => "set_status",
            Change::AddLabel { .. } => "add_label",
            Change::RemoveLabel { .. } => "remove_label",
            Change::UpsertComment { .. } => "upsert_comment",
            Change::PostComment { .. } => "post_comment",
            Change::AddReaction { .. } => "add_reaction",
            Change::AddItem { .. } => "add_item",
            Change::CreateIssue { .. } => "create_issue",
            Change::CreateLabel { .. } => "create_label",
        }
    }

    /// A short, one-line description for the text plan.
    pub fn summary(&self) -> String {
        match self {
            Change::SetStatus { status, .. } => format!("set Status to \"{status}\""),
            Change::AddLabel { label, .. } => format!("add label {label}"),
            Change::RemoveLabel { label, .. } => format!("remove label {label}"),
            Change::UpsertComment { marker, .. } => {
                format!("write comment {}", marker.kind())
            }
            Change::PostComment { marker, .. } => format!("post comment {}", marker.kind()),
            Change::AddReaction { content, .. } => format!("react {content}"),
            Change::AddItem { issue, .. } => format!("add {issue} to the board"),
            Change::CreateIssue {
                repository, title, ..
            } => format!("open issue in {repository}: {title}"),
            Change::CreateLabel {
                repository, name, ..
            } => format!("create label {name} in {repository}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Action {
    pub item: String,
    #[serde(flatten)]
    pub change: Change,
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    pub decisions: Vec<Decision>,
    pub actions: Vec<Action>,
}

impl Plan {
    /// "3 accepted, 1 rejected, ..." for every outcome, in a fixed order, joined by `separator`.
    pub fn outcome_counts(&self, separator: &str) -> String {
        self.outcome_counts_in(separator, crate::language::Language::En)
    }

    /// [`Plan::outcome_counts`] in `language`: "3 godkjent, 1 avvist, ...".
    pub fn outcome_counts_in(
        &self,
        separator: &str,
        language: crate::language::Language,
    ) -> String {
        [
            Outcome::Accepted,
            Outcome::Rejected,
            Outcome::Adopted,
            Outcome::Unchanged,
            Outcome::Skipped,
        ]
        .iter()
        .map(|o| format!("{} {}", self.count(*o), o.name(language)))
        .collect::<Vec<_>>()
        .join(separator)
    }

    /// Every action is a write.
    pub fn writes(&self) -> usize {
        self.actions.len()
    }

    pub fn count(&self, outcome: Outcome) -> usize {
        self.decisions
            .iter()
            .filter(|d| d.outcome == outcome)
            .count()
    }

    fn summary_json(&self, applied: bool) -> serde_json::Value {
        let mut outcomes = BTreeMap::new();
        for d in &self.decisions {
            *outcomes.entry(d.outcome.as_str()).or_insert(0usize) += 1;
        }
        let mut kinds = BTreeMap::new();
        for a in &self.actions {
            *kinds.entry(a.change.kind()).or_insert(0usize) += 1;
        }
        json!({ "outcomes": outcomes, "actions": kinds, "applied": applied })
    }

    /// The plan in the JSON format of DESIGN.md.
    pub fn to_json(&self, applied: bool) -> serde_json::Value {
        json!({
            "decisions": self.decisions,
            "actions": self.actions,
            "summary": self.summary_json(applied),
        })
    }

    /// A table of decisions, the writes, and a summary line. Columns are padded by display width, so an emoji in
    /// a Status option does not shift the rows after it; a plan without decisions (a comment command) has no table.
    pub fn to_text(&self, applied: bool) -> String {
        let mut out = String::new();
        let width = self
            .decisions
            .iter()
            .map(|d| columns(&d.item))
            .max()
            .unwrap_or(4)
            .max(4);
        let phase = |p: &Option<String>| p.clone().unwrap_or_else(|| "–".into());
        let moves: Vec<String> = self
            .decisions
            .iter()
            .map(|d| format!("{} → {}", phase(&d.from), phase(&d.to)))
            .collect();
        let move_width = moves.iter().map(|m| columns(m)).max().unwrap_or(4).max(4);
        if !self.decisions.is_empty() {
            let _ = writeln!(
                out,
                "{}  {}  {:<9}  WHY",
                pad("ITEM", width),
                pad("MOVE", move_width),
                "OUTCOME"
            );
        }
        for (d, m) in self.decisions.iter().zip(&moves) {
            let _ = writeln!(
                out,
                "{}  {}  {:<9}  {}",
                pad(&d.item, width),
                pad(m, move_width),
                d.outcome.as_str(),
                d.reason
            );
            for missing in &d.missing {
                let _ = writeln!(
                    out,
                    "{:<width$}  {:<move_width$}  {:<9}    ✗ {missing}",
                    "", "", ""
                );
            }
        }
        if !self.actions.is_empty() {
            let _ = writeln!(
                out,
                "{}{} {}:",
                if out.is_empty() { "" } else { "\n" },
                if applied { "Applied" } else { "Planned" },
                plural(self.actions.len(), "write")
            );
            for a in &self.actions {
                let _ = writeln!(
                    out,
                    "  {}  {}  ({})",
                    pad(&a.item, width),
                    a.change.summary(),
                    a.reason
                );
            }
        }
        let counts = self.outcome_counts(", ");
        let state = match (self.actions.is_empty(), applied) {
            (true, _) => "nothing to do".to_string(),
            (false, true) => format!("{} applied", plural(self.actions.len(), "write")),
            (false, false) => format!(
                "{} planned, not applied",
                plural(self.actions.len(), "write")
            ),
        };
        // A comment command's plan decides no card: counting five kinds of nothing would only be noise.
        let items = if self.decisions.is_empty() {
            String::new()
        } else {
            format!("{}: {counts}; ", plural(self.decisions.len(), "item"))
        };
        let _ = writeln!(
            out,
            "{}{items}{state}.",
            if out.is_empty() { "" } else { "\n" }
        );
        out
    }
}

/// "1 write", "2 writes"; a word ending in a consonant and y takes "ies" ("2 repositories").
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        return format!("1 {word}");
    }
    match word.strip_suffix('y') {
        Some(stem) if !stem.ends_with(['a', 'e', 'o', 'u']) => format!("{n} {stem}ies"),
        _ => format!("{n} {word}s"),
    }
}

/// How many terminal columns `text` takes: an emoji or a CJK character takes two, a combining mark none.
fn columns(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(text)
}

/// `text` followed by spaces up to `width` columns (`format!`'s `{:<w$}` counts characters, not columns).
fn pad(text: &str, width: usize) -> String {
    let mut padded = text.to_string();
    padded.extend(std::iter::repeat_n(
        ' ',
        width.saturating_sub(columns(text)),
    ));
    padded
}
