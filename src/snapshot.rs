//! A [`Forge`] backed by a JSON snapshot file: the board with no token and no network.
//!
//! An issue's `comments`, when present, are all its comments, so reconcile can see that a comment is already there.
//! Writes change the in-memory copy; `save` writes it into the file ([`crate::file::write`]: atomically, through
//! symlinks, keeping permissions).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::board::{
    Board, Comment, Issue, IssueRef, IssueState, Item, ItemKind, LabelAction, LabelEvent, Snapshot,
};
use crate::config::Permission;
use crate::forge::{Forge, IssueForge, IssueKey, IssueOnBoard, LabelSpec, StatusChange};
use crate::report::Day;

/// The time now in UTC, as GitHub writes it (`2026-12-03T10:15:00Z`).
fn now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (year, month, day) = Day::today().ymd();
    let time = secs % 86_400;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        time / 3600,
        time / 60 % 60,
        time % 60
    )
}

/// The version written. Version 2 adds each item's `history` (its issue's label events); version 1 files, which
/// have none, are read as they are, and written back with the version they had.
pub const VERSION: u64 = 2;
/// Every version this build reads.
pub const READS: [u64; 2] = [1, 2];

/// The file as written (DESIGN.md, "Files that users and scripts read").
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SnapshotFile {
    pub version: u64,
    pub bot: String,
    pub board: Board,
    #[serde(default)]
    pub items: Vec<Item>,
    /// Issues that are not on the board (tracking issues the bot opened, for instance).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_issues: Vec<Issue>,
    /// Labels created in each repository beyond those on its issues.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub labels: Map<String, Value>,
    #[serde(flatten, default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

impl SnapshotFile {
    pub fn parse(text: &str, origin: &str) -> Result<SnapshotFile> {
        let file: SnapshotFile = serde_json::from_str(text).map_err(|e| {
            anyhow!(
                "{origin}:{}:{}: not a board snapshot: {e}\n  how to fix: compare with config/examples/board.json, or write one with `portfolio-sync export`",
                e.line(),
                e.column()
            )
        })?;
        if !READS.contains(&file.version) {
            bail!(
                "{origin}: snapshot version {} is not supported (this portfolio-sync reads versions 1 and {VERSION})",
                file.version
            );
        }
        Ok(file)
    }

    pub fn from_snapshot(s: &Snapshot) -> SnapshotFile {
        SnapshotFile {
            version: VERSION,
            bot: s.bot.clone(),
            board: s.board.clone(),
            items: s.items.clone(),
            other_issues: Vec::new(),
            labels: Map::new(),
            extra: Map::new(),
        }
    }

    pub fn to_json(&self) -> Result<String> {
        Ok(serde_json::to_string_pretty(self)? + "\n")
    }
}

pub struct SnapshotForge {
    path: PathBuf,
    status_field: String,
    file: SnapshotFile,
    /// Something was written: only then is the file rewritten.
    dirty: bool,
}

impl SnapshotForge {
    /// The file this forge reads and writes.
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn open(path: &Path, status_field: &str) -> Result<SnapshotForge> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read snapshot {}", path.display()))?;
        let file = SnapshotFile::parse(&text, &path.display().to_string())?;
        Ok(SnapshotForge {
            path: path.to_path_buf(),
            status_field: status_field.to_string(),
            file,
            dirty: false,
        })
    }

    pub fn file(&self) -> &SnapshotFile {
        &self.file
    }

    /// Writes the snapshot back into its file ([`crate::file::write`]) if anything was written to it since the
    /// last save. A failed save is a [`crate::file::WriteError`].
    pub fn save(&mut self) -> Result<()> {
        if !self.dirty {
            return Ok(());
        }
        // Cleared before trying: a save that failed is reported once, not again by the next caller that saves, and
        // nothing is lost by it, since every save writes the whole snapshot.
        self.dirty = false;
        crate::file::write(&self.path, self.file.to_json()?.as_bytes())?;
        Ok(())
    }

    fn issues_mut(&mut self) -> impl Iterator<Item = &mut Issue> {
        self.file
            .items
            .iter_mut()
            .filter_map(|i| i.issue.as_mut())
            .chain(self.file.other_issues.iter_mut())
    }

    fn issue_mut(&mut self, r: &IssueRef) -> Result<&mut Issue> {
        self.issues_mut()
            .find(|i| i.repository.eq_ignore_ascii_case(&r.repository) && i.number == r.number)
            .ok_or_else(|| anyhow!("{r} is not in the snapshot"))
    }

    /// The bot's label change in the history of the issue's card, as GitHub's timeline records it (a card without
    /// a history gets none: what came before is unknown).
    fn record(&mut self, r: &IssueRef, label: String, event: LabelAction) {
        let event = LabelEvent {
            at: now(),
            event,
            label,
            actor: Some(self.file.bot.clone()),
            extra: Map::new(),
        };
        let ours = self.file.items.iter_mut().filter(|i| {
            i.issue.as_ref().is_some_and(|i| {
                i.repository.eq_ignore_ascii_case(&r.repository) && i.number == r.number
            })
        });
        for item in ours {
            if let Some(mut history) = item.history() {
                history.labels.push(event.clone());
                item.set_history(&history);
            }
        }
    }

    fn next_comment_id(&self) -> u64 {
        let issues = self.file.items.iter().filter_map(|i| i.issue.as_ref());
        issues
            .chain(&self.file.other_issues)
            .flat_map(|i| i.comments.iter().flatten())
            .map(|c| c.id)
            .max()
            .unwrap_or(0)
            + 1
    }
}

impl Forge for SnapshotForge {
    async fn read_board(&mut self) -> Result<Snapshot> {
        // An issue with a `comments` key has exactly those comments; one without it (an export of a live board,
        // which reads comments only when it writes one) has comments that are not known, as in a live sync.
        Ok(Snapshot {
            bot: self.file.bot.clone(),
            board: self.file.board.clone(),
            items: self.file.items.clone(),
        })
    }

    async fn comments(&mut self, issue: &IssueRef) -> Result<Vec<Comment>> {
        Ok(self.issue_mut(issue)?.comments.clone().unwrap_or_default())
    }

    async fn set_statuses(&mut self, changes: &[StatusChange]) -> Vec<Result<()>> {
        self.dirty = true;
        let field = self.status_field.clone();
        changes
            .iter()
            .map(|c| {
                let item = self
                    .file
                    .items
                    .iter_mut()
                    .find(|i| i.id == c.item_id)
                    .ok_or_else(|| anyhow!("item {} is not in the snapshot", c.item_id))?;
                item.fields
                    .insert(field.clone(), Value::String(c.status.clone()));
                Ok(())
            })
            .collect()
    }

    async fn repo_labels(&mut self, repository: &str) -> Result<Vec<String>> {
        let mut labels: BTreeSet<String> = self
            .issues_mut()
            .filter(|i| i.repository.eq_ignore_ascii_case(repository))
            .flat_map(|i| i.labels.clone())
            .collect();
        if let Some(Value::Array(created)) = self.file.labels.get(repository) {
            labels.extend(
                created
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_string)),
            );
        }
        Ok(labels.into_iter().collect())
    }

    async fn create_label(&mut self, repository: &str, label: &LabelSpec) -> Result<()> {
        self.dirty = true;
        let entry = self
            .file
            .labels
            .entry(repository.to_string())
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(list) = entry {
            if !list.iter().any(|v| v.as_str() == Some(label.name.as_str())) {
                list.push(Value::String(label.name.clone()));
            }
        }
        Ok(())
    }

    async fn add_labels(&mut self, r: &IssueRef, labels: &[String]) -> Result<()> {
        self.dirty = true;
        let issue = self.issue_mut(r)?;
        let added: Vec<String> = labels
            .iter()
            .filter(|l| !issue.has_label(l))
            .cloned()
            .collect();
        issue.labels.extend(added.iter().cloned());
        for l in added {
            self.record(r, l, LabelAction::Labeled);
        }
        Ok(())
    }

    async fn remove_label(&mut self, r: &IssueRef, label: &str) -> Result<()> {
        self.dirty = true;
        let issue = self.issue_mut(r)?;
        let Some(at) = issue
            .labels
            .iter()
            .position(|l| l.eq_ignore_ascii_case(label))
        else {
            return Ok(());
        };
        let removed = issue.labels.remove(at);
        self.record(r, removed, LabelAction::Unlabeled);
        Ok(())
    }

    async fn create_comment(&mut self, issue: &IssueRef, body: &str) -> Result<u64> {
        self.dirty = true;
        let id = self.next_comment_id();
        let author = self.file.bot.clone();
        let comments = self.issue_mut(issue)?.comments.get_or_insert_with(Vec::new);
        comments.push(Comment {
            id,
            author,
            body: body.to_string(),
            editor: None,
            extra: Map::new(),
        });
        Ok(id)
    }

    async fn edit_comment(&mut self, issue: &IssueRef, comment_id: u64, body: &str) -> Result<()> {
        self.dirty = true;
        let bot = self.file.bot.clone();
        let comments = self.issue_mut(issue)?.comments.get_or_insert_with(Vec::new);
        let comment = comments
            .iter_mut()
            .find(|c| c.id == comment_id)
            .ok_or_else(|| anyhow!("comment {comment_id} is not on {issue}"))?;
        comment.body = body.to_string();
        comment.editor = Some(bot);
        Ok(())
    }

    async fn add_reaction(
        &mut self,
        issue: &IssueRef,
        comment_id: u64,
        content: &str,
    ) -> Result<()> {
        self.dirty = true;
        let comments = self.issue_mut(issue)?.comments.get_or_insert_with(Vec::new);
        let comment = comments
            .iter_mut()
            .find(|c| c.id == comment_id)
            .ok_or_else(|| anyhow!("comment {comment_id} is not on {issue}"))?;
        let reactions = comment
            .extra
            .entry("reactions")
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(list) = reactions {
            list.push(Value::String(content.to_string()));
        }
        Ok(())
    }

    async fn add_item(&mut self, issue: &IssueRef, _node_id: Option<&str>) -> Result<String> {
        self.dirty = true;
        let pos = self
            .file
            .other_issues
            .iter()
            .position(|i| {
                i.repository.eq_ignore_ascii_case(&issue.repository) && i.number == issue.number
            })
            .ok_or_else(|| anyhow!("{issue} is not in the snapshot"))?;
        let content = self.file.other_issues.remove(pos);
        let id = format!("PVTI_snapshot_{}", self.file.items.len() + 1);
        self.file.items.push(Item {
            id: id.clone(),
            kind: ItemKind::Issue,
            archived: false,
            fields: Default::default(),
            issue: Some(content),
            draft: None,
            pull_request: None,
            status_updated_at: None,
            extra: Map::new(),
        });
        Ok(id)
    }

    async fn create_issue(
        &mut self,
        repository: &str,
        title: &str,
        body: &str,
    ) -> Result<IssueRef> {
        self.dirty = true;
        let number = self
            .issues_mut()
            .filter(|i| i.repository.eq_ignore_ascii_case(repository))
            .map(|i| i.number)
            .max()
            .unwrap_or(0)
            + 1;
        self.file.other_issues.push(Issue {
            repository: repository.to_string(),
            number,
            title: title.to_string(),
            state: IssueState::Open,
            body: body.to_string(),
            labels: Vec::new(),
            assignees: Vec::new(),
            milestone: None,
            node_id: None,
            url: None,
            author: Some(self.file.bot.clone()),
            comments: Some(Vec::new()),
            extra: Map::new(),
        });
        Ok(IssueRef {
            repository: repository.to_string(),
            number,
        })
    }

    async fn find_issues(&mut self, repository: &str, needle: &str) -> Result<Vec<Issue>> {
        Ok(self
            .issues_mut()
            .filter(|i| i.repository.eq_ignore_ascii_case(repository) && i.body.contains(needle))
            .map(|i| Issue {
                comments: None,
                ..i.clone()
            })
            .collect())
    }

    async fn save(&mut self) -> Result<()> {
        SnapshotForge::save(self)
    }
}

/// Snapshot files may say who may do what, for trying commands offline:
/// `"permissions": {"owner/repo": {"login": "write"}}` and `"teams": {"org/team": ["login"]}`.
impl IssueForge for SnapshotForge {
    async fn bot_login(&mut self) -> Result<String> {
        Ok(self.file.bot.clone())
    }

    /// A snapshot keeps the bot's own reactions only (`"reactions": ["+1"]` on a comment).
    async fn reactions(
        &mut self,
        issue: &IssueRef,
        comment_id: u64,
    ) -> Result<Vec<(String, String)>> {
        let bot = self.file.bot.clone();
        let comment = self
            .issue_mut(issue)?
            .comments
            .iter()
            .flatten()
            .find(|c| c.id == comment_id);
        Ok(comment
            .and_then(|c| c.extra.get("reactions"))
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .filter_map(Value::as_str)
                    .map(|content| (bot.clone(), content.to_string()))
                    .collect()
            })
            .unwrap_or_default())
    }

    async fn read_issue(&mut self, key: &IssueKey) -> Result<Option<IssueOnBoard>> {
        let matches = |i: &Issue| match key {
            IssueKey::Ref(r) => {
                i.repository.eq_ignore_ascii_case(&r.repository) && i.number == r.number
            }
            IssueKey::NodeId(id) => i.node_id.as_deref() == Some(id.as_str()),
        };
        let on_board = self
            .file
            .items
            .iter()
            .find(|item| item.issue.as_ref().is_some_and(matches))
            .cloned();
        let issue = match &on_board {
            Some(item) => item.issue.clone(),
            None => self.file.other_issues.iter().find(|i| matches(i)).cloned(),
        };
        Ok(issue.map(|mut issue| {
            issue.comments.get_or_insert_with(Vec::new);
            let item = on_board.map(|mut item| {
                item.issue = Some(issue.clone());
                item
            });
            IssueOnBoard {
                bot: self.file.bot.clone(),
                board: self.file.board.clone(),
                issue,
                item,
            }
        }))
    }

    async fn permission(&mut self, repository: &str, user: &str) -> Result<Permission> {
        let level = self
            .file
            .extra
            .get("permissions")
            .and_then(|p| p.get(repository))
            .and_then(|r| r.get(user))
            .cloned()
            .unwrap_or(Value::String("none".into()));
        serde_json::from_value(level)
            .context("snapshot `permissions`: a level is read|triage|write|maintain|admin")
    }

    async fn is_team_member(&mut self, org: &str, team: &str, user: &str) -> Result<bool> {
        let members = self
            .file
            .extra
            .get("teams")
            .and_then(|t| t.get(format!("{org}/{team}")));
        Ok(members.and_then(Value::as_array).is_some_and(|m| {
            m.iter()
                .any(|v| v.as_str().is_some_and(|l| l.eq_ignore_ascii_case(user)))
        }))
    }

    async fn open_issues(&mut self, repository: &str) -> Result<Vec<Issue>> {
        Ok(self
            .issues_mut()
            .filter(|i| {
                i.repository.eq_ignore_ascii_case(repository) && i.state == IssueState::Open
            })
            .map(|i| Issue {
                comments: None,
                ..i.clone()
            })
            .collect())
    }

    async fn edit_issue(&mut self, issue: &IssueRef, title: &str, body: &str) -> Result<()> {
        self.dirty = true;
        let issue = self.issue_mut(issue)?;
        issue.title = title.to_string();
        issue.body = body.to_string();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::board::LabelAction;

    const BOARD: &str = r#""bot": "b", "board": {"owner": "o", "number": 1}"#;

    #[test]
    fn version_1_is_read_without_history_and_keeps_its_version() {
        let text = format!(
            r#"{{"version": 1, {BOARD}, "items": [{{"id": "I", "type": "issue", "fields": {{}}}}]}}"#
        );
        let file = SnapshotFile::parse(&text, "v1.json").expect("version 1 reads");
        assert_eq!(file.version, 1, "written back as it was read");
        assert_eq!(file.items[0].history(), None);
    }

    #[test]
    fn version_2_carries_history_and_keeps_what_it_does_not_know() {
        let text = format!(
            r#"{{"version": 2, {BOARD}, "items": [{{"id": "I", "type": "issue", "fields": {{}},
              "history": {{"complete": false, "created": "2025-01-02T03:04:05Z", "cursor": "abc",
                "labels": [{{"at": "2025-01-03T00:00:00Z", "event": "labeled", "label": "fase/problem",
                             "actor": "kari", "by_app": true}}]}}}}]}}"#
        );
        let file = SnapshotFile::parse(&text, "v2.json").expect("version 2 reads");
        let history = file.items[0].history().expect("a history");
        assert!(!history.complete);
        assert_eq!(history.labels[0].event, LabelAction::Labeled);
        assert_eq!(history.labels[0].actor.as_deref(), Some("kari"));
        let again = file.to_json().expect("JSON");
        assert!(
            again.contains("\"cursor\": \"abc\"") && again.contains("\"by_app\": true"),
            "{again}"
        );
    }

    #[test]
    fn an_unknown_version_is_refused_by_name() {
        let text = format!(r#"{{"version": 3, {BOARD}}}"#);
        let err = SnapshotFile::parse(&text, "v3.json").expect_err("version 3 is refused");
        assert!(
            err.to_string().contains("version 3 is not supported"),
            "{err}"
        );
    }

    #[test]
    fn a_history_that_does_not_parse_is_no_history() {
        let text = format!(
            r#"{{"version": 2, {BOARD}, "items": [{{"id": "I", "type": "issue", "history": {{"labels": 7}}}}]}}"#
        );
        let file = SnapshotFile::parse(&text, "v2.json").expect("reads");
        assert_eq!(file.items[0].history(), None);
    }
}
