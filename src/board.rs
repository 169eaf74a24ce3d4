//! The board as the bot sees it, and the [`Forge`] it is read from and written to.
//!
//! The model is also the snapshot file format (DESIGN.md): every struct keeps the keys it does not know in `extra`,
//! so a snapshot written back keeps what its reader did not understand.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Board {
    pub owner: String,
    pub number: u64,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub fields: Vec<FieldDef>,
    #[serde(flatten, default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

impl Board {
    pub fn field(&self, name: &str) -> Option<&FieldDef> {
        self.fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name.trim()))
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FieldDef {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: FieldKind,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    #[serde(flatten, default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    SingleSelect,
    Text,
    Number,
    Date,
    Iteration,
    #[serde(other)]
    Other,
}

/// One card on the board.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Item {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: ItemKind,
    #[serde(default)]
    pub archived: bool,
    /// Field name → value. Numbers stay JSON numbers; dates are `YYYY-MM-DD` strings.
    #[serde(default)]
    pub fields: BTreeMap<String, Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue: Option<Issue>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draft: Option<Draft>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull_request: Option<PullRequest>,
    /// When the Status value last changed (RFC 3339), for time-in-phase.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_updated_at: Option<String>,
    #[serde(flatten, default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// The key under which an item carries its issue's [`History`] (snapshot version 2).
pub const HISTORY_KEY: &str = "history";

impl Item {
    /// The label history of the item's issue, when it was read (a live board read, a version 2 snapshot); `None`
    /// for a version 1 snapshot or an issue read on its own. A history that does not parse counts as not read: the
    /// report says "unknown" rather than fail on it.
    ///
    /// It rides in `extra` rather than in a field of its own so that every place that builds an [`Item`] keeps
    /// compiling unchanged, and a reader that knows nothing of history keeps it on write-back as it keeps any key.
    pub fn history(&self) -> Option<History> {
        self.extra
            .get(HISTORY_KEY)
            .and_then(|v| History::deserialize(v).ok())
    }

    pub fn set_history(&mut self, history: &History) {
        if let Ok(value) = serde_json::to_value(history) {
            self.extra.insert(HISTORY_KEY.to_string(), value);
        }
    }
}

/// What GitHub's timeline says about an issue's labels: each time one was added or removed, and by whom.
/// Phase labels are the bot's record of accepted phases, so their events are the phase history.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct History {
    /// Label events, oldest first.
    #[serde(default)]
    pub labels: Vec<LabelEvent>,
    /// `false` when the issue has older label events than were read (GitHub's timeline was read one page deep):
    /// what came before the first event is unknown.
    #[serde(default = "complete_by_default")]
    pub complete: bool,
    /// When the issue was opened (RFC 3339): the start of an initiative labelled in its first phase from the start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(flatten, default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

fn complete_by_default() -> bool {
    true
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LabelEvent {
    /// When (RFC 3339).
    pub at: String,
    pub event: LabelAction,
    pub label: String,
    /// Who added or removed it; `None` for a deleted account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    #[serde(flatten, default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum LabelAction {
    Labeled,
    Unlabeled,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    Issue,
    Draft,
    PullRequest,
    /// Anything a newer GitHub may add: shown and skipped.
    #[serde(other)]
    Other,
}

impl Item {
    /// A field's value as text; numbers are printed, empty strings count as unset.
    pub fn field_text(&self, name: &str) -> Option<String> {
        let name = name.trim();
        // The exact name first: it is what the configuration almost always says, and a hash lookup.
        let value = self.fields.get(name).or_else(|| {
            self.fields
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v)
        })?;
        let text = match value {
            Value::String(s) => s.trim().to_string(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            _ => return None,
        };
        (!text.is_empty()).then_some(text)
    }

    /// How the item is named in plans and reports: `owner/repo#N`, `draft:<id>`, or `item:<id>` for a card whose
    /// content the board data lacks (an issue the token cannot read, say): calling that a draft would mislead.
    pub fn display_name(&self) -> String {
        match (&self.issue, &self.pull_request, self.kind) {
            (Some(issue), _, _) => issue.reference().to_string(),
            (None, Some(pr), _) => format!("{}#{}", pr.repository, pr.number),
            (None, None, ItemKind::Draft) => format!("draft:{}", self.id),
            (None, None, _) => format!("item:{}", self.id),
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum IssueState {
    Open,
    Closed,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Issue {
    pub repository: String,
    pub number: u64,
    #[serde(default)]
    pub title: String,
    pub state: IssueState,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub labels: Vec<String>,
    #[serde(default)]
    pub assignees: Vec<String>,
    #[serde(default)]
    pub milestone: Option<String>,
    /// The issue's GraphQL node id (needed to add it to a board).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Who opened it, when read (a marked issue counts only when the bot opened it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// `None` when not read: a live sync reads comments only of items about to get one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comments: Option<Vec<Comment>>,
    #[serde(flatten, default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

impl Issue {
    pub fn reference(&self) -> IssueRef {
        IssueRef {
            repository: self.repository.clone(),
            number: self.number,
        }
    }

    pub fn has_label(&self, label: &str) -> bool {
        self.labels.iter().any(|l| l.eq_ignore_ascii_case(label))
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Comment {
    pub id: u64,
    pub author: String,
    pub body: String,
    /// Who edited it last, when that is known (GitHub's GraphQL tells; REST does not): repository writers may edit
    /// anyone's comment, so the bot trusts its own record only when no one else did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub editor: Option<String>,
    #[serde(flatten, default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Draft {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub body: String,
    #[serde(flatten, default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PullRequest {
    pub repository: String,
    pub number: u64,
    #[serde(default)]
    pub title: String,
    #[serde(flatten, default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// `owner/repo#number`. GitHub's owner and repository names ignore case, so equality, hashing and order do too
/// (`Digdir/Portfolio#1` is `digdir/portfolio#1`); the spelling it was built with is kept for display.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IssueRef {
    pub repository: String,
    pub number: u64,
}

impl IssueRef {
    /// The repository as compared: ASCII lowercase, without allocating.
    fn folded(&self) -> impl Iterator<Item = u8> + '_ {
        self.repository.bytes().map(|b| b.to_ascii_lowercase())
    }
}

impl PartialEq for IssueRef {
    fn eq(&self, other: &Self) -> bool {
        self.number == other.number && self.repository.eq_ignore_ascii_case(&other.repository)
    }
}

impl Eq for IssueRef {}

impl std::hash::Hash for IssueRef {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        for b in self.folded() {
            state.write_u8(b);
        }
        state.write_u8(0xff); // no repository name holds this byte: ends the name
        self.number.hash(state);
    }
}

impl Ord for IssueRef {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.folded()
            .cmp(other.folded())
            .then(self.number.cmp(&other.number))
    }
}

impl PartialOrd for IssueRef {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for IssueRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", self.repository, self.number)
    }
}

impl IssueRef {
    /// Parses `owner/repo#N`, or `N` / `#N` in `default_repo`.
    pub fn parse(text: &str, default_repo: Option<&str>) -> Option<IssueRef> {
        let text = text.trim();
        let (repo, number) = match text.rsplit_once('#') {
            Some((repo, n)) if !repo.is_empty() => (repo.to_string(), n),
            Some((_, n)) => (default_repo?.to_string(), n),
            None => (default_repo?.to_string(), text),
        };
        let number = number.parse().ok().filter(|n| *n > 0)?;
        let valid_repo = repo
            .split_once('/')
            .is_some_and(|(o, r)| !o.is_empty() && !r.is_empty());
        valid_repo.then_some(IssueRef {
            repository: repo,
            number,
        })
    }

    pub fn owner_and_name(&self) -> (&str, &str) {
        self.repository
            .split_once('/')
            .unwrap_or((&self.repository, ""))
    }
}

/// The bot's login in one normal form: GitHub says `name[bot]` over REST and `name` over GraphQL.
pub fn normal_login(login: &str) -> String {
    login.trim().trim_end_matches("[bot]").to_lowercase()
}

/// Everything one read of the board yields.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// The login the bot writes as (its own comments are recognised by it).
    pub bot: String,
    pub board: Board,
    pub items: Vec<Item>,
}

impl Snapshot {
    /// The card of an issue or a pull request (the bot skips pull requests, and says so rather than "not on the
    /// board").
    pub fn card(&self, wanted: &IssueRef) -> Option<&Item> {
        self.items.iter().find(|i| {
            i.issue.as_ref().is_some_and(|is| is.reference() == *wanted)
                || i.pull_request.as_ref().is_some_and(|pr| {
                    IssueRef {
                        repository: pr.repository.clone(),
                        number: pr.number,
                    } == *wanted
                })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn issue_refs_ignore_the_case_of_owner_and_repository() {
        let a = IssueRef::parse("Digdir/Portfolio#48", None).expect("a reference");
        let b = IssueRef::parse("digdir/portfolio#48", None).expect("a reference");
        assert_eq!(a, b);
        assert_eq!(a.cmp(&b), std::cmp::Ordering::Equal);
        assert!(HashSet::from([a.clone()]).contains(&b));
        assert_eq!(a.to_string(), "Digdir/Portfolio#48", "keeps its spelling");
        let other = IssueRef::parse("digdir/portfolio#49", None).expect("a reference");
        assert_ne!(a, other);
        assert!(a < other);
        let other_repo = IssueRef::parse("digdir/portfolio2#48", None).expect("a reference");
        assert_ne!(a, other_repo);
    }
}
