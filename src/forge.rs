//! What the bot reads from and writes to: a GitHub board, or a snapshot file standing in for one.
//!
//! Implementations are thin: they translate these calls into requests and nothing more. Every decision is made
//! before, in `reconcile`, and every sequencing rule (upsert by marker, once-only comments) in `apply`.

use anyhow::Result;

use crate::board::{Board, Comment, Issue, IssueRef, Item, Snapshot};
use crate::config::Permission;

/// One Status change: the item moves to the board option named `status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    pub item_id: String,
    pub status: String,
}

/// One label added to or removed from one issue: what [`Forge::change_labels`] batches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelChange {
    pub issue: IssueRef,
    pub label: String,
    /// `true` adds the label, `false` removes it.
    pub add: bool,
}

/// A label the bot may need to create in a repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelSpec {
    pub name: String,
    /// Six hex digits, no `#`.
    pub color: String,
    pub description: String,
}

#[allow(async_fn_in_trait)]
pub trait Forge {
    /// Reads the board: its fields and every item, with what reconcile needs.
    async fn read_board(&mut self) -> Result<Snapshot>;

    /// Comments of one issue, oldest first.
    async fn comments(&mut self, issue: &IssueRef) -> Result<Vec<Comment>>;

    /// Comments of several issues, each oldest first. The default reads them one issue at a time; GitHub reads
    /// many issues in one request. An issue missing from the answer is read again by [`Forge::comments`].
    async fn comments_of_many(
        &mut self,
        issues: &[IssueRef],
    ) -> Result<std::collections::HashMap<IssueRef, Vec<Comment>>> {
        let mut all = std::collections::HashMap::new();
        for issue in issues {
            all.insert(issue.clone(), self.comments(issue).await?);
        }
        Ok(all)
    }

    /// The least time `creates` new comments, issues, labels and reactions take when this forge spaces them out
    /// to stay under its host's rate limits; `None` when it does not.
    fn paced_duration(&self, _creates: usize) -> Option<std::time::Duration> {
        None
    }

    /// Sets the Status of several items; one result per change, in order.
    /// Setting a status is idempotent, so implementations may retry it.
    async fn set_statuses(&mut self, changes: &[StatusChange]) -> Vec<Result<()>>;

    /// Labels that exist in a repository (used to create missing phase labels before adding them).
    async fn repo_labels(&mut self, repository: &str) -> Result<Vec<String>>;
    async fn create_label(&mut self, repository: &str, label: &LabelSpec) -> Result<()>;
    async fn add_labels(&mut self, issue: &IssueRef, labels: &[String]) -> Result<()>;
    async fn remove_label(&mut self, issue: &IssueRef, label: &str) -> Result<()>;
    /// Adds and removes labels on several issues; one result per change, in order. Adding a label an issue has,
    /// or removing one it lacks, changes nothing and succeeds, so implementations may retry. The default sends
    /// one change at a time; GitHub batches them (aliased mutations).
    async fn change_labels(&mut self, changes: &[LabelChange]) -> Vec<Result<()>> {
        let mut results = Vec::with_capacity(changes.len());
        for change in changes {
            results.push(if change.add {
                self.add_labels(&change.issue, std::slice::from_ref(&change.label))
                    .await
            } else {
                self.remove_label(&change.issue, &change.label).await
            });
        }
        results
    }

    /// Creates a comment and returns its id. Not idempotent: callers check for it before retrying.
    async fn create_comment(&mut self, issue: &IssueRef, body: &str) -> Result<u64>;
    async fn edit_comment(&mut self, issue: &IssueRef, comment_id: u64, body: &str) -> Result<()>;
    /// Reacts to a comment (`+1`, `confused`, ...).
    async fn add_reaction(
        &mut self,
        issue: &IssueRef,
        comment_id: u64,
        content: &str,
    ) -> Result<()>;

    /// Puts an issue on the board and returns the new item's id.
    async fn add_item(&mut self, issue: &IssueRef, node_id: Option<&str>) -> Result<String>;
    /// Opens an issue (a tracking issue in a team's repository) and returns it.
    async fn create_issue(&mut self, repository: &str, title: &str, body: &str)
        -> Result<IssueRef>;
    /// Open issues in a repository whose body contains `needle`, with their author (to find a tracking issue
    /// before creating it; the caller keeps those the bot opened with the marker as their first line).
    async fn find_issues(&mut self, repository: &str, needle: &str) -> Result<Vec<Issue>>;

    /// Makes the writes so far last. A snapshot file is written only here; on GitHub every write landed when it
    /// returned, so there is nothing to do. A run says "applied" only after this succeeded.
    async fn save(&mut self) -> Result<()> {
        Ok(())
    }
}

/// How an event names an issue: by repository and number, or by GraphQL node id (board item events).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IssueKey {
    Ref(IssueRef),
    NodeId(String),
}

/// One issue and, if it is on the board, its item: what an event about one issue needs.
#[derive(Debug, Clone, PartialEq)]
pub struct IssueOnBoard {
    pub bot: String,
    /// The board's fields (for the preflight check); `items` is not read.
    pub board: Board,
    pub issue: Issue,
    /// The issue's item on the configured board, with `issue` filled in.
    pub item: Option<Item>,
}

/// What events and reports need beyond a sync: one issue at a time, people, and issues off the board.
#[allow(async_fn_in_trait)]
pub trait IssueForge: Forge {
    /// The issue (with its comments) and its item on the board; `None` when there is no such issue.
    async fn read_issue(&mut self, key: &IssueKey) -> Result<Option<IssueOnBoard>>;
    /// A user's permission on a repository (`none` for strangers).
    async fn permission(&mut self, repository: &str, user: &str) -> Result<Permission>;
    /// Whether `user` is an active member of team `team` (a slug) in `org`.
    async fn is_team_member(&mut self, org: &str, team: &str, user: &str) -> Result<bool>;
    /// Open issues of a repository, without comments (the report lists those missing from the board).
    async fn open_issues(&mut self, repository: &str) -> Result<Vec<Issue>>;
    /// The login the bot writes as.
    async fn bot_login(&mut self) -> Result<String>;
    /// Who reacted how to a comment: `(login, content)` pairs.
    async fn reactions(
        &mut self,
        issue: &IssueRef,
        comment_id: u64,
    ) -> Result<Vec<(String, String)>>;
    /// Replaces an issue's title and body (the pinned report issue).
    async fn edit_issue(&mut self, issue: &IssueRef, title: &str, body: &str) -> Result<()>;
}
