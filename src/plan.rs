//! The result of reconcile: a decision per board item and the writes that carry them out.
//! Rendered as a table a portfolio manager can scan, or as the JSON of DESIGN.md.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;
use serde_json::json;

use crate::board::IssueRef;
use crate::language::Language;
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
    /// Every outcome, in the order counts and tables list them.
    pub const ALL: [Outcome; 5] = [
        Outcome::Accepted,
        Outcome::Rejected,
        Outcome::Adopted,
        Outcome::Unchanged,
        Outcome::Skipped,
    ];

    /// The outcome as people read it; [`Outcome::as_str`] is the JSON plan's machine key.
    pub fn name(self, language: Language) -> &'static str {
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

    /// A short, one-line description for the text plan and for a failed write.
    pub fn summary(&self, lang: Language) -> String {
        match self {
            Change::SetStatus { status, .. } => lang.pick(
                format!("sett Status til «{status}»"),
                format!("set Status to \"{status}\""),
            ),
            Change::AddLabel { label, .. } => lang.pick(
                format!("legg til etiketten {label}"),
                format!("add label {label}"),
            ),
            Change::RemoveLabel { label, .. } => lang.pick(
                format!("fjern etiketten {label}"),
                format!("remove label {label}"),
            ),
            Change::UpsertComment { marker, .. } => lang.pick(
                format!("skriv {}", comment_nb(marker)),
                format!("write comment {}", marker.kind()),
            ),
            Change::PostComment { marker, .. } => lang.pick(
                format!("legg inn {}", comment_nb(marker)),
                format!("post comment {}", marker.kind()),
            ),
            Change::AddReaction { content, .. } => lang.pick(
                format!("reager med {}", reaction_nb(content)),
                format!("react {content}"),
            ),
            Change::AddItem { issue, .. } => lang.pick(
                format!("legg {issue} på tavla"),
                format!("add {issue} to the board"),
            ),
            Change::CreateIssue {
                repository, title, ..
            } => lang.pick(
                format!("opprett sak i {repository}: {title}"),
                format!("open issue in {repository}: {title}"),
            ),
            Change::CreateLabel {
                repository, name, ..
            } => lang.pick(
                format!("opprett etiketten {name} i {repository}"),
                format!("create label {name} in {repository}"),
            ),
        }
    }
}

/// A bot comment named by what it is for: its marker's kind (`rejected`, `denied:kari`) is an English key.
fn comment_nb(marker: &Marker) -> String {
    match marker {
        Marker::Status => "statuskommentaren".into(),
        Marker::Rejected => "kommentaren om avvist flytting".into(),
        Marker::Handoff(slug) => format!("overleveringskommentaren ({slug})"),
        Marker::Reply(id) => format!("svaret på kommentar {id}"),
        Marker::Denied(login) => format!("forklaringen til {login} om manglende tilgang"),
        Marker::Tracking(issue) => format!("kommentaren om oppfølgingssaken for {issue}"),
        Marker::Report => "rapporten".into(),
        Marker::Approvals => "vedtakene".into(),
    }
}

/// A reaction as people see it on GitHub; its API name (`+1`, `confused`) is English.
fn reaction_nb(content: &str) -> &str {
    match content {
        "+1" => "👍",
        "-1" => "👎",
        "laugh" => "😄",
        "confused" => "😕",
        "heart" => "❤️",
        "hooray" => "🎉",
        "rocket" => "🚀",
        "eyes" => "👀",
        other => other,
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
    /// "3 godkjent, 1 avvist, ..." / "3 accepted, 1 rejected, ..." for every outcome, in a fixed order, joined by
    /// `separator`.
    pub fn outcome_counts(&self, separator: &str, language: Language) -> String {
        Outcome::ALL
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

    /// A table of decisions, the writes, and a summary line, in `lang`. Columns are padded by display width, so an
    /// emoji in a Status option does not shift the rows after it; a plan without decisions (a comment command) has
    /// no table.
    pub fn to_text(&self, applied: bool, lang: Language) -> String {
        let mut out = String::new();
        let (item_head, move_head, outcome_head, why_head) = lang.pick(
            ("KORT", "FLYTTING", "UTFALL", "ÅRSAK"),
            ("ITEM", "MOVE", "OUTCOME", "WHY"),
        );
        let width = self
            .decisions
            .iter()
            .map(|d| columns(&d.item))
            .chain([columns(item_head)])
            .max()
            .unwrap_or(0);
        let phase = |p: &Option<String>| p.clone().unwrap_or_else(|| "–".into());
        let moves: Vec<String> = self
            .decisions
            .iter()
            .map(|d| format!("{} → {}", phase(&d.from), phase(&d.to)))
            .collect();
        let move_width = moves
            .iter()
            .map(|m| columns(m))
            .chain([columns(move_head)])
            .max()
            .unwrap_or(0);
        // Wide enough for every outcome, so the column does not move between runs with different outcomes.
        let outcome_width = Outcome::ALL
            .iter()
            .map(|o| columns(o.name(lang)))
            .chain([columns(outcome_head)])
            .max()
            .unwrap_or(0);
        if !self.decisions.is_empty() {
            let _ = writeln!(
                out,
                "{}  {}  {}  {why_head}",
                pad(item_head, width),
                pad(move_head, move_width),
                pad(outcome_head, outcome_width)
            );
        }
        for (d, m) in self.decisions.iter().zip(&moves) {
            let _ = writeln!(
                out,
                "{}  {}  {}  {}",
                pad(&d.item, width),
                pad(m, move_width),
                pad(d.outcome.name(lang), outcome_width),
                d.reason
            );
            for missing in &d.missing {
                let _ = writeln!(
                    out,
                    "{:<width$}  {:<move_width$}  {:<outcome_width$}    ✗ {missing}",
                    "", "", ""
                );
            }
        }
        let n = self.actions.len();
        if n > 0 {
            let head = match (applied, lang) {
                (true, Language::Nb) => {
                    counted(lang, n, ("utført endring", "utførte endringer"), "")
                }
                (false, Language::Nb) => {
                    counted(lang, n, ("planlagt endring", "planlagte endringer"), "")
                }
                (true, Language::En) => format!("Applied {}", plural(n, "write")),
                (false, Language::En) => format!("Planned {}", plural(n, "write")),
            };
            let _ = writeln!(out, "{}{head}:", if out.is_empty() { "" } else { "\n" });
            for a in &self.actions {
                let _ = writeln!(
                    out,
                    "  {}  {}  ({})",
                    pad(&a.item, width),
                    a.change.summary(lang),
                    a.reason
                );
            }
        }
        let writes = writes(lang, n);
        let state = match (n == 0, applied) {
            (true, _) => lang.pick("ingenting å gjøre", "nothing to do").to_string(),
            (false, true) => lang.pick(format!("{writes} er utført"), format!("{writes} applied")),
            (false, false) => lang.pick(
                format!("{writes} er planlagt, ikke utført"),
                format!("{writes} planned, not applied"),
            ),
        };
        // A comment command's plan decides no card: counting five kinds of nothing would only be noise.
        let items = if self.decisions.is_empty() {
            String::new()
        } else {
            let items = counted(lang, self.decisions.len(), ("kort", "kort"), "item");
            format!("{items}: {}; ", self.outcome_counts(", ", lang))
        };
        let _ = writeln!(
            out,
            "{}{items}{state}.",
            if out.is_empty() { "" } else { "\n" }
        );
        out
    }
}

/// "1 endring", "3 endringer" in bokmål (`nb`: the singular and the plural), [`plural`] of `en` in English.
pub fn counted(lang: Language, n: usize, nb: (&str, &str), en: &str) -> String {
    match lang {
        Language::Nb if n == 1 => format!("1 {}", nb.0),
        Language::Nb => format!("{n} {}", nb.1),
        Language::En => plural(n, en),
    }
}

/// "1 endring", "3 endringer" / "1 write", "3 writes".
pub fn writes(lang: Language, n: usize) -> String {
    counted(lang, n, ("endring", "endringer"), "write")
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
