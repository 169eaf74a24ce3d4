//! The forge a command asked for: a snapshot file (`--snapshot FILE`) or GitHub. Every command opens it here, so
//! the choice, and what a missing credential means, are written once.

use std::path::Path;

use anyhow::Result;

use super::{save_error, UsageError};
use crate::board::{Comment, Issue, IssueRef, Snapshot};
use crate::config::{BoardConfig, Config, Permission};
use crate::forge::{
    Forge, IssueForge, IssueKey, IssueOnBoard, LabelChange, LabelSpec, StatusChange,
};
use crate::github::{GitHubForge, Pace, Settings};
use crate::snapshot::SnapshotForge;

/// A snapshot file or GitHub.
#[allow(clippy::large_enum_variant)] // one per command run
pub enum AnyForge {
    Snapshot(SnapshotForge),
    GitHub(GitHubForge),
}

/// Opens the snapshot at `snapshot`, or GitHub when there is none.
pub async fn open(config: &Config, snapshot: Option<&Path>) -> Result<AnyForge> {
    match snapshot {
        Some(_) => open_board(&config.board, snapshot).await,
        None => Ok(AnyForge::GitHub(github(config).await?)),
    }
}

/// As [`open`], with only the board: `init` has no configuration yet.
pub async fn open_board(board: &BoardConfig, snapshot: Option<&Path>) -> Result<AnyForge> {
    Ok(match snapshot {
        // Missing, unreadable, not JSON, cut short, another version: the user's file to fix (exit 2).
        Some(path) => AnyForge::Snapshot(
            SnapshotForge::open(path, &board.status_field)
                .map_err(|e| UsageError(format!("{e:#}")))?,
        ),
        None => AnyForge::GitHub(github_board(board).await?),
    })
}

/// The GitHub forge from the environment; a missing or half-set credential is the user's to fix (exit 2).
pub async fn github(config: &Config) -> Result<GitHubForge> {
    let settings = Settings::from_env().map_err(|e| usage_or_not(e.is_usage_error(), e))?;
    GitHubForge::connect(with_budget(settings, config), &config.board)
        .await
        .map_err(|e| usage_or_not(e.is_usage_error(), e))
}

/// The GitHub forge for a board with no configuration yet (`init`): GitHub's default budget for creates.
async fn github_board(board: &BoardConfig) -> Result<GitHubForge> {
    GitHubForge::from_env(board)
        .await
        .map_err(|e| usage_or_not(e.is_usage_error(), e))
}

/// The settings with the configuration's budget for creates (`[sync]`); pacing that is off stays off.
pub fn with_budget(mut settings: Settings, config: &Config) -> Settings {
    if !settings.pace.is_off() {
        settings.pace = Pace::creates(
            config.sync.creates_per_minute,
            config.sync.creates_per_hour,
            config.sync.create_headroom,
        );
    }
    settings
}

/// A setup error as the user's to fix (exit 2) or not.
pub fn usage_or_not(
    usage: bool,
    e: impl std::error::Error + Send + Sync + 'static,
) -> anyhow::Error {
    if usage {
        anyhow::Error::new(UsageError(e.to_string()))
    } else {
        anyhow::Error::new(e)
    }
}

impl AnyForge {
    /// Writes a snapshot back (only when something changed since the last save); GitHub has nothing to save. A
    /// snapshot that is not a regular file is the user's to fix (exit 2).
    pub fn save(&mut self) -> Result<()> {
        match self {
            AnyForge::Snapshot(f) => f.save().map_err(save_error),
            AnyForge::GitHub(_) => Ok(()),
        }
    }
}

/// Calls the same method on whichever forge this is.
macro_rules! each {
    ($self:ident, $f:ident => $call:expr) => {
        match $self {
            AnyForge::Snapshot($f) => $call,
            AnyForge::GitHub($f) => $call,
        }
    };
}

impl Forge for AnyForge {
    async fn read_board(&mut self) -> Result<Snapshot> {
        each!(self, f => f.read_board().await)
    }
    async fn comments(&mut self, issue: &IssueRef) -> Result<Vec<Comment>> {
        each!(self, f => f.comments(issue).await)
    }
    async fn comments_of_many(
        &mut self,
        issues: &[IssueRef],
    ) -> Result<std::collections::HashMap<IssueRef, Vec<Comment>>> {
        each!(self, f => f.comments_of_many(issues).await)
    }
    fn paced_duration(&self, creates: usize) -> Option<std::time::Duration> {
        each!(self, f => f.paced_duration(creates))
    }
    async fn set_statuses(&mut self, changes: &[StatusChange]) -> Vec<Result<()>> {
        each!(self, f => f.set_statuses(changes).await)
    }
    async fn repo_labels(&mut self, repository: &str) -> Result<Vec<String>> {
        each!(self, f => f.repo_labels(repository).await)
    }
    async fn create_label(&mut self, repository: &str, label: &LabelSpec) -> Result<()> {
        each!(self, f => f.create_label(repository, label).await)
    }
    async fn add_labels(&mut self, issue: &IssueRef, labels: &[String]) -> Result<()> {
        each!(self, f => f.add_labels(issue, labels).await)
    }
    async fn remove_label(&mut self, issue: &IssueRef, label: &str) -> Result<()> {
        each!(self, f => f.remove_label(issue, label).await)
    }
    async fn change_labels(&mut self, changes: &[LabelChange]) -> Vec<Result<()>> {
        each!(self, f => f.change_labels(changes).await)
    }
    async fn create_comment(&mut self, issue: &IssueRef, body: &str) -> Result<u64> {
        each!(self, f => f.create_comment(issue, body).await)
    }
    async fn edit_comment(&mut self, issue: &IssueRef, comment_id: u64, body: &str) -> Result<()> {
        each!(self, f => f.edit_comment(issue, comment_id, body).await)
    }
    async fn add_reaction(
        &mut self,
        issue: &IssueRef,
        comment_id: u64,
        content: &str,
    ) -> Result<()> {
        each!(self, f => f.add_reaction(issue, comment_id, content).await)
    }
    async fn add_item(&mut self, issue: &IssueRef, node_id: Option<&str>) -> Result<String> {
        each!(self, f => f.add_item(issue, node_id).await)
    }
    async fn create_issue(
        &mut self,
        repository: &str,
        title: &str,
        body: &str,
    ) -> Result<IssueRef> {
        each!(self, f => f.create_issue(repository, title, body).await)
    }
    async fn find_issues(&mut self, repository: &str, needle: &str) -> Result<Vec<Issue>> {
        each!(self, f => f.find_issues(repository, needle).await)
    }
    async fn save(&mut self) -> Result<()> {
        AnyForge::save(self)
    }
}

impl IssueForge for AnyForge {
    async fn read_issue(&mut self, key: &IssueKey) -> Result<Option<IssueOnBoard>> {
        each!(self, f => f.read_issue(key).await)
    }
    async fn permission(&mut self, repository: &str, user: &str) -> Result<Permission> {
        each!(self, f => f.permission(repository, user).await)
    }
    async fn is_team_member(&mut self, org: &str, team: &str, user: &str) -> Result<bool> {
        each!(self, f => f.is_team_member(org, team, user).await)
    }
    async fn open_issues(&mut self, repository: &str) -> Result<Vec<Issue>> {
        each!(self, f => f.open_issues(repository).await)
    }
    async fn bot_login(&mut self) -> Result<String> {
        each!(self, f => f.bot_login().await)
    }
    async fn reactions(
        &mut self,
        issue: &IssueRef,
        comment_id: u64,
    ) -> Result<Vec<(String, String)>> {
        each!(self, f => f.reactions(issue, comment_id).await)
    }
    async fn edit_issue(&mut self, issue: &IssueRef, title: &str, body: &str) -> Result<()> {
        each!(self, f => f.edit_issue(issue, title, body).await)
    }
}
