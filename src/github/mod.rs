//! Forge backed by GitHub: client (auth, URLs, retries), GraphQL queries, REST calls.
//!
//! ```text
//! settings.rs  where GitHub is and who we are (env or explicit); secrets that never print
//! client.rs    requests: auth header, retries, raw JSON and raw GraphQL answers
//! retry.rs     the retry policy and the pure decision "retry this answer?"
//! graphql.rs   every GraphQL document we send
//! read.rs      project, fields and items → the board model; one issue with its item (events)
//! write.rs     status batches, add item
//! rest.rs      labels, comments, reactions, issues, permissions
//! pace.rs      spacing of content-creating requests under GitHub's secondary rate limits
//! ```
//!
//! Costs (DESIGN.md, performance contract): `read_board` is 1 request for project, fields and viewer, plus one per
//! 100 items, plus one per extra page for the rare item with more than 50 labels or field values.
//! `set_statuses` is one request per `status_batch_size` changes. `read_issue` (events) is one GraphQL request
//! plus the issue's comments (REST, one per 100), and the project once per forge.
//!
//! Retries (DESIGN.md, safety): reads and idempotent writes are retried on 5xx, timeouts, connection errors and
//! rate limits; creating a comment, an issue, a reaction or a board item is sent once, and a failure is returned
//! for the caller to check whether it landed.
//!
//! Pacing: creating comments, issues, labels and reactions is spread out under GitHub's secondary limits
//! ([`Settings::pace`], see [`pace`]), GraphQL mutations under GitHub's point budget, both by one limiter per
//! process and identity; the run says up front how long that takes ([`Forge::paced_duration`]).
//!
//! Batches: `change_labels` is one GraphQL request per `label_batch_size` label changes (aliased
//! `addLabelsToLabelable`/`removeLabelsFromLabelable`); `comments_of_many` one GraphQL request per 50 issues.

mod client;
mod error;
pub mod graphql;
pub mod pace;
mod path;
mod read;
mod rest;
mod retry;
mod settings;
mod write;

use std::collections::{BTreeSet, HashMap};

use anyhow::Result;

pub use client::Client;
pub use error::{GitHubError, GraphQlMessage, SetupError};
pub use pace::Pace;
pub use retry::{Retry, RetryPolicy};
pub use settings::{Credentials, Secret, Settings, DEFAULT_API_URL};

use crate::board::{Board, Comment, Issue, IssueRef, Snapshot};
use crate::config::{BoardConfig, Permission};
use crate::forge::{
    Forge, IssueForge, IssueKey, IssueOnBoard, LabelChange, LabelSpec, StatusChange,
};
use read::ProjectMeta;

/// The board on GitHub.
#[derive(Debug)]
pub struct GitHubForge {
    client: Client,
    board: BoardConfig,
    status_batch_size: usize,
    label_batch_size: usize,
    /// Node ids of the issues read (the batched label writes name issues by id), by reference.
    issue_ids: HashMap<IssueRef, String>,
    /// Node ids of each repository's labels: repository and label name in lower case (GitHub compares both
    /// ignoring case). Read once per repository, kept up to date with the labels this forge creates.
    label_ids: HashMap<String, HashMap<String, String>>,
    /// Ids of the project, its fields and options: read with the board, or on the first write that needs them.
    project: Option<ProjectMeta>,
    bot: Option<String>,
    /// Where the credential came from (`GH_TOKEN`, `gh auth token`, ...), for `doctor`; never the value.
    credential_source: String,
}

impl GitHubForge {
    /// Connects with explicit settings (tests point these at a fake server).
    pub async fn connect(
        settings: Settings,
        board: &BoardConfig,
    ) -> Result<GitHubForge, SetupError> {
        let client = Client::connect(&settings, &board.owner).await?;
        Ok(GitHubForge {
            bot: client.app_login(),
            client,
            board: board.clone(),
            status_batch_size: settings.status_batch_size.max(1),
            label_batch_size: settings.label_batch_size.max(1),
            issue_ids: HashMap::new(),
            label_ids: HashMap::new(),
            project: None,
            credential_source: settings.credentials.source(),
        })
    }

    /// Connects with settings from the environment (see [`Settings::from_lookup`]). A missing token is
    /// [`SetupError::NoToken`].
    pub async fn from_env(board: &BoardConfig) -> Result<GitHubForge, SetupError> {
        GitHubForge::connect(Settings::from_env()?, board).await
    }

    /// Where the credential came from (`PORTFOLIO_SYNC_TOKEN`, `GH_TOKEN`, `gh auth token`, an App), never its value.
    pub fn credential_source(&self) -> &str {
        &self.credential_source
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The login the bot writes as (`slug[bot]` for an App), asking GitHub only if the board was not read.
    pub async fn bot_login(&mut self) -> Result<String> {
        if let Some(bot) = &self.bot {
            return Ok(bot.clone());
        }
        let answer = self
            .client
            .graphql(
                "Viewer",
                graphql::VIEWER,
                serde_json::json!({}),
                Retry::Read,
            )
            .await;
        let login = match answer.and_then(|a| a.into_data()) {
            Ok(data) => data
                .pointer("/viewer/login")
                .and_then(serde_json::Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| {
                    GitHubError::unexpected("GraphQL Viewer", "no login in GitHub's answer")
                })?,
            Err(err) => self.client.actions_login().ok_or(err)?,
        };
        self.bot = Some(login.clone());
        Ok(login)
    }

    /// The project's ids, read once.
    async fn project(&mut self) -> Result<&ProjectMeta, GitHubError> {
        if self.project.is_none() {
            let read = read::read_project(&self.client, &self.board).await?;
            if self.bot.is_none() {
                self.bot = read.viewer.ok();
            }
            self.project = Some(read.meta);
        }
        self.project
            .as_ref()
            .ok_or_else(|| GitHubError::unexpected("board", "project not read"))
    }

    /// Remembers the node ids of these issues.
    fn remember_issues<'a>(&mut self, issues: impl IntoIterator<Item = &'a Issue>) {
        for issue in issues {
            if let Some(id) = &issue.node_id {
                self.issue_ids.insert(issue.reference(), id.clone());
            }
        }
    }

    /// Reads a repository's labels and remembers their ids; returns their names.
    async fn read_labels(&mut self, repository: &str) -> Result<Vec<String>, GitHubError> {
        let labels = rest::repo_labels(&self.client, repository).await?;
        let ids = labels
            .iter()
            .filter_map(|(name, id)| Some((name.to_lowercase(), id.clone()?)))
            .collect();
        self.label_ids.insert(repository.to_lowercase(), ids);
        Ok(labels.into_iter().map(|(name, _)| name).collect())
    }

    /// The node id of an issue: from a read, else asked of GitHub (one request; an issue the board read did not
    /// show).
    async fn issue_id(&mut self, issue: &IssueRef) -> Result<String, GitHubError> {
        if let Some(id) = self.issue_ids.get(issue) {
            return Ok(id.clone());
        }
        let id = rest::issue_node_id(&self.client, issue).await?;
        self.issue_ids.insert(issue.clone(), id.clone());
        Ok(id)
    }

    /// The board as the model shows it (items not included).
    fn board_model(&self, meta: &ProjectMeta) -> Board {
        Board {
            owner: self.board.owner.clone(),
            number: self.board.project,
            title: meta.title.clone(),
            fields: meta.board_fields(),
            extra: Default::default(),
        }
    }
}

impl Forge for GitHubForge {
    async fn read_board(&mut self) -> Result<Snapshot> {
        // Always re-read the project: a board read is a fresh observation (options may have been renamed).
        let read = read::read_project(&self.client, &self.board).await?;
        let bot = match (self.client.app_login(), read.viewer) {
            (Some(app), _) => app,
            (None, Ok(login)) => login,
            (None, Err(errors)) => match self.client.actions_login() {
                Some(login) => {
                    tracing::warn!("GitHub did not say who the token belongs to; assuming {login}");
                    login
                }
                None => {
                    return Err(GitHubError::GraphQl {
                        operation: "BoardProject".into(),
                        messages: errors,
                    }
                    .into())
                }
            },
        };
        let items = read::read_items(&self.client, &read.meta, &self.board.status_field).await?;
        let board = self.board_model(&read.meta);
        self.remember_issues(items.iter().filter_map(|i| i.issue.as_ref()));
        self.bot = Some(bot.clone());
        self.project = Some(read.meta);
        Ok(Snapshot { bot, board, items })
    }

    async fn comments(&mut self, issue: &IssueRef) -> Result<Vec<Comment>> {
        Ok(rest::comments(&self.client, issue).await?)
    }

    /// Costs: one GraphQL request per 50 issues, plus the REST pages of any issue with more than 100 comments.
    async fn comments_of_many(
        &mut self,
        issues: &[IssueRef],
    ) -> Result<HashMap<IssueRef, Vec<Comment>>> {
        Ok(rest::comments_of_many(&self.client, issues).await?)
    }

    fn paced_duration(&self, creates: usize) -> Option<std::time::Duration> {
        let pace = self.client.pace();
        (!pace.is_off()).then(|| pace.duration(creates))
    }

    async fn set_statuses(&mut self, changes: &[StatusChange]) -> Vec<Result<()>> {
        if changes.is_empty() {
            return Vec::new();
        }
        let batch = self.status_batch_size;
        let status_field = self.board.status_field.clone();
        if let Err(err) = self.project().await {
            return changes.iter().map(|_| Err(err.clone().into())).collect();
        }
        let (client, Some(meta)) = (&self.client, self.project.as_ref()) else {
            return changes
                .iter()
                .map(|_| Err(anyhow::anyhow!("project not read")))
                .collect();
        };
        write::set_statuses(client, meta, &status_field, changes, batch)
            .await
            .into_iter()
            .map(|r| r.map_err(anyhow::Error::from))
            .collect()
    }

    async fn repo_labels(&mut self, repository: &str) -> Result<Vec<String>> {
        Ok(self.read_labels(repository).await?)
    }

    async fn create_label(&mut self, repository: &str, label: &LabelSpec) -> Result<()> {
        let created = rest::create_label(&self.client, repository, label).await?;
        let repo = repository.to_lowercase();
        match created {
            Some(id) => {
                if let Some(ids) = self.label_ids.get_mut(&repo) {
                    ids.insert(label.name.to_lowercase(), id);
                }
            }
            // It existed (another run made it): its id is not known here, so the list is read again when needed.
            None => {
                self.label_ids.remove(&repo);
            }
        }
        Ok(())
    }

    /// Costs: one GraphQL request per `label_batch_size` changes, plus one label list per repository whose labels
    /// this forge has not read (a sync has read them to create the missing ones), plus one REST read per issue the
    /// board read did not show; a lone change is one REST request.
    async fn change_labels(&mut self, changes: &[LabelChange]) -> Vec<Result<()>> {
        // A lone change (an event about one issue) goes over REST: one request either way, and REST names the
        // issue and the label without their ids, which may cost a request each to find.
        if let [change] = changes {
            let result = if change.add {
                rest::add_labels(
                    &self.client,
                    &change.issue,
                    std::slice::from_ref(&change.label),
                )
                .await
            } else {
                rest::remove_label(&self.client, &change.issue, &change.label).await
            };
            return vec![result.map_err(anyhow::Error::from)];
        }
        let repos: BTreeSet<String> = changes
            .iter()
            .map(|c| c.issue.repository.to_lowercase())
            .collect();
        let mut unreadable: HashMap<String, GitHubError> = HashMap::new();
        for repo in repos {
            if !self.label_ids.contains_key(&repo) {
                if let Err(err) = self.read_labels(&repo).await {
                    unreadable.insert(repo, err);
                }
            }
        }
        let mut results: Vec<Option<Result<()>>> = Vec::with_capacity(changes.len());
        // (index in `changes`, issue id, label id)
        let mut pending: Vec<(usize, String, String)> = Vec::new();
        for (index, change) in changes.iter().enumerate() {
            let repo = change.issue.repository.to_lowercase();
            if let Some(err) = unreadable.get(&repo) {
                results.push(Some(Err(err.clone().into())));
                continue;
            }
            let label_id = self
                .label_ids
                .get(&repo)
                .and_then(|ids| ids.get(&change.label.to_lowercase()))
                .cloned();
            let Some(label_id) = label_id else {
                results.push(Some(if change.add {
                    Err(anyhow::anyhow!(
                        "the label \"{}\" does not exist in {}",
                        change.label,
                        change.issue.repository
                    ))
                } else {
                    // A label the repository lacks is on no issue: nothing to remove.
                    Ok(())
                }));
                continue;
            };
            match self.issue_id(&change.issue).await {
                Ok(issue_id) => {
                    results.push(None);
                    pending.push((index, issue_id, label_id));
                }
                Err(err) => results.push(Some(Err(err.into()))),
            }
        }
        let writes: Vec<graphql::LabelWrite<'_>> = pending
            .iter()
            .map(|(index, issue_id, label_id)| graphql::LabelWrite {
                issue_id,
                label_id,
                add: changes[*index].add,
            })
            .collect();
        let outcomes = write::change_labels(&self.client, &writes, self.label_batch_size).await;
        for ((index, _, _), outcome) in pending.iter().zip(outcomes) {
            let change = &changes[*index];
            results[*index] = Some(outcome.map_err(|err| {
                anyhow::Error::from(err).context(format!(
                    "{} label \"{}\" on {}",
                    if change.add { "add" } else { "remove" },
                    change.label,
                    change.issue
                ))
            }));
        }
        results
            .into_iter()
            .map(|r| {
                r.unwrap_or_else(|| Err(anyhow::anyhow!("GitHub gave no result for this change")))
            })
            .collect()
    }

    async fn add_labels(&mut self, issue: &IssueRef, labels: &[String]) -> Result<()> {
        Ok(rest::add_labels(&self.client, issue, labels).await?)
    }

    async fn remove_label(&mut self, issue: &IssueRef, label: &str) -> Result<()> {
        Ok(rest::remove_label(&self.client, issue, label).await?)
    }

    async fn create_comment(&mut self, issue: &IssueRef, body: &str) -> Result<u64> {
        Ok(rest::create_comment(&self.client, issue, body).await?)
    }

    async fn edit_comment(&mut self, issue: &IssueRef, comment_id: u64, body: &str) -> Result<()> {
        Ok(rest::edit_comment(&self.client, issue, comment_id, body).await?)
    }

    async fn add_reaction(
        &mut self,
        issue: &IssueRef,
        comment_id: u64,
        content: &str,
    ) -> Result<()> {
        Ok(rest::add_reaction(&self.client, issue, comment_id, content).await?)
    }

    async fn add_item(&mut self, issue: &IssueRef, node_id: Option<&str>) -> Result<String> {
        let content_id = match node_id {
            Some(id) => id.to_string(),
            None => rest::issue_node_id(&self.client, issue).await?,
        };
        self.project().await?;
        let meta = self
            .project
            .as_ref()
            .ok_or_else(|| GitHubError::unexpected("board", "project not read"))?;
        Ok(write::add_item(&self.client, meta, &content_id).await?)
    }

    async fn create_issue(
        &mut self,
        repository: &str,
        title: &str,
        body: &str,
    ) -> Result<IssueRef> {
        Ok(rest::create_issue(&self.client, repository, title, body).await?)
    }

    async fn find_issues(&mut self, repository: &str, needle: &str) -> Result<Vec<Issue>> {
        Ok(rest::find_issues(&self.client, repository, needle).await?)
    }
}

/// Events and reports: one issue at a time, people, issues off the board.
impl IssueForge for GitHubForge {
    async fn bot_login(&mut self) -> Result<String> {
        GitHubForge::bot_login(self).await
    }

    async fn reactions(
        &mut self,
        issue: &IssueRef,
        comment_id: u64,
    ) -> Result<Vec<(String, String)>> {
        Ok(rest::reactions(&self.client, issue, comment_id).await?)
    }

    /// Costs: the project once per forge (cached, like the ids the writes use), one GraphQL read of the issue and
    /// its items, and its comments over REST (one request per 100).
    async fn read_issue(&mut self, key: &IssueKey) -> Result<Option<IssueOnBoard>> {
        let status_field = self.board.status_field.clone();
        self.project().await?;
        let bot = self.bot_login().await?;
        let meta = self
            .project
            .as_ref()
            .ok_or_else(|| GitHubError::unexpected("board", "project not read"))?;
        let Some((mut issue, item)) =
            read::read_issue(&self.client, meta, &status_field, key).await?
        else {
            return Ok(None);
        };
        if let Some(id) = &issue.node_id {
            self.issue_ids.insert(issue.reference(), id.clone());
        }
        issue.comments = Some(rest::comments(&self.client, &issue.reference()).await?);
        let item = item.map(|mut item| {
            item.issue = Some(issue.clone());
            item
        });
        Ok(Some(IssueOnBoard {
            bot,
            board: self.board_model(meta),
            issue,
            item,
        }))
    }

    /// Read as raw JSON: `role_name` tells maintain and triage apart (DESIGN.md, known traps).
    async fn permission(&mut self, repository: &str, user: &str) -> Result<Permission> {
        Ok(rest::permission(&self.client, repository, user).await?)
    }

    async fn is_team_member(&mut self, org: &str, team: &str, user: &str) -> Result<bool> {
        Ok(rest::is_team_member(&self.client, org, team, user).await?)
    }

    async fn open_issues(&mut self, repository: &str) -> Result<Vec<Issue>> {
        Ok(rest::open_issues(&self.client, repository).await?)
    }

    async fn edit_issue(&mut self, issue: &IssueRef, title: &str, body: &str) -> Result<()> {
        Ok(rest::edit_issue(&self.client, issue, title, body).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn board() -> BoardConfig {
        BoardConfig {
            owner: "digdir".into(),
            project: 1,
            repositories: vec!["digdir/portfolio".into()],
            status_field: "Status".into(),
        }
    }

    #[tokio::test]
    async fn the_forge_says_how_long_its_pacing_takes() {
        // A token connects without a request, so no server is needed.
        let settings = Settings::new("http://127.0.0.1:9", Credentials::token("t")).unwrap();
        let forge = GitHubForge::connect(settings.clone(), &board())
            .await
            .unwrap();
        // GitHub's budget less the headroom: 70 a minute and 490 an hour. The 491st goes when the first is an
        // hour old, the 561st a minute later.
        assert_eq!(
            forge.paced_duration(600),
            Some(std::time::Duration::from_secs(3600 + 60))
        );
        assert_eq!(
            forge.paced_duration(300),
            Some(std::time::Duration::from_secs(4 * 60))
        );

        let unpaced = Settings {
            pace: Pace::OFF,
            ..settings
        };
        let forge = GitHubForge::connect(unpaced, &board()).await.unwrap();
        assert_eq!(forge.paced_duration(600), None);
    }
}
