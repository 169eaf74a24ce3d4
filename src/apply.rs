//! Carries a [`Plan`] out through a [`Forge`].
//!
//! Rules that make a run safe to repeat: comments are upserted by marker (only the bot's own are trusted), a
//! once-only comment or issue is looked for before it is created, and a create that failed is looked for again
//! before it is retried, because GitHub may have stored it before the error. One item's failure stops that item's
//! remaining actions (so a comment never claims a move that did not happen) and nothing else.
//!
//! Each item's actions run in the plan's order, which puts the item's memory (its phase label, a revert, the
//! reaction that answers a command) last: a run stopped anywhere leaves every item either done or looking
//! undone, and the next run plans what is left. Items go side by side, one step at a time, so the status changes
//! and the label changes that stand at the same step of several items go to the forge in one batch each. The
//! comments of every issue that is to get a comment are read before the first step, in one batched read.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use anyhow::Result;

use crate::board::{Comment, Issue, IssueRef};
use crate::config::Config;
use crate::forge::{Forge, LabelChange, LabelSpec, StatusChange};
use crate::language::Language;
use crate::marker::{self, find_marked, Marker};
use crate::plan::{Action, Change, Plan};
use crate::progress::Progress;

/// A write that failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub item: String,
    pub action: String,
    pub error: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    /// Writes done (a no-op upsert or a once-only write found already done counts as done, not as a write).
    pub writes: usize,
    /// Actions that turned out to be done already.
    pub already_done: usize,
    pub failures: Vec<Failure>,
    /// Actions not tried because an earlier action of the same item failed.
    pub skipped: usize,
}

/// Adds `create_label` actions for the labels the plan adds that do not exist in their repository yet.
/// Reads each repository's labels only when the plan adds a label there.
pub async fn prepare_labels<F: Forge>(
    forge: &mut F,
    config: &Config,
    plan: &mut Plan,
) -> Result<()> {
    let mut wanted: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for a in &plan.actions {
        if let Change::AddLabel { issue, label } = &a.change {
            wanted
                .entry(issue.repository.clone())
                .or_default()
                .insert(label.clone());
        }
    }
    let mut creates = Vec::new();
    for (repo, labels) in wanted {
        let existing: BTreeSet<String> = forge
            .repo_labels(&repo)
            .await?
            .iter()
            .map(|l| l.to_lowercase())
            .collect();
        for name in labels
            .into_iter()
            .filter(|l| !existing.contains(&l.to_lowercase()))
        {
            let spec = label_spec(config, &name);
            creates.push(Action {
                item: repo.clone(),
                change: Change::CreateLabel {
                    repository: repo.clone(),
                    name,
                    color: spec.color,
                    description: spec.description,
                },
                reason: "the label does not exist yet".into(),
            });
        }
    }
    plan.actions.splice(0..0, creates);
    Ok(())
}

/// Colour and description of a label the bot creates.
pub fn label_spec(config: &Config, name: &str) -> LabelSpec {
    // Greens that deepen with the phase, so a label list reads as progress.
    const PALETTE: [&str; 6] = ["ededed", "c2e0c6", "a2d9a5", "7bc47f", "3f9142", "1a5e20"];
    let lang = config.sync.language;
    if name.eq_ignore_ascii_case(&config.sync.blocked_label) {
        return LabelSpec {
            name: name.to_string(),
            color: "b60205".into(),
            description: lang
                .pick(
                    "Flytting avvist: kravene til fasen er ikke oppfylt",
                    "Move refused: phase requirements not met",
                )
                .into(),
        };
    }
    let (color, description) = match config.phase_of_label(name) {
        Some(p) => {
            let shade =
                PALETTE[p * (PALETTE.len() - 1) / config.phases.len().saturating_sub(1).max(1)];
            let phase = &config.phases.get(p).name;
            (
                shade,
                format!(
                    "{} {phase} ({})",
                    lang.pick("Fase:", "Phase:"),
                    "portfolio-sync"
                ),
            )
        }
        None => ("ededed", "portfolio-sync".to_string()),
    };
    LabelSpec {
        name: name.to_string(),
        color: color.into(),
        description,
    }
}

/// Executes every action of the plan; never stops at the first failure. A failure names its write in `language`:
/// the job summary shows it to the people who run the portfolio.
pub async fn apply<F: Forge>(forge: &mut F, plan: &Plan, bot: &str, language: Language) -> Applied {
    apply_knowing(forge, plan, bot, language, HashMap::new()).await
}

/// As [`apply`], with the comments of some issues read already (before planning): they are not read again.
pub async fn apply_knowing<F: Forge>(
    forge: &mut F,
    plan: &Plan,
    bot: &str,
    language: Language,
    comments: HashMap<IssueRef, Vec<Comment>>,
) -> Applied {
    let paced = announce_pacing(forge, plan);
    let mut run = Applier {
        forge,
        bot,
        language,
        applied: Applied::default(),
        failed_items: BTreeSet::new(),
        comments,
        tracking: HashMap::new(),
        team_issues: HashMap::new(),
        progress: Progress::start("writes", plan.actions.len(), paced),
    };
    // Labels a repository lacks are made first: the items' label writes need them.
    let (labels, items): (Vec<&Action>, Vec<&Action>) = plan
        .actions
        .iter()
        .partition(|a| matches!(a.change, Change::CreateLabel { .. }));
    for action in labels {
        run.one_action(action).await;
    }
    let mut queues: Vec<Vec<&Action>> = Vec::new();
    let mut queue_of: HashMap<&str, usize> = HashMap::new();
    for action in items {
        let at = *queue_of.entry(action.item.as_str()).or_insert_with(|| {
            queues.push(Vec::new());
            queues.len() - 1
        });
        queues[at].push(action);
    }
    run.prefetch_comments(plan).await;
    let steps = queues.iter().map(Vec::len).max().unwrap_or(0);
    for step in 0..steps {
        let mut statuses = Vec::new();
        let mut labels = Vec::new();
        let mut others = Vec::new();
        for action in queues.iter().filter_map(|q| q.get(step)) {
            if run.failed_items.contains(&action.item) {
                run.applied.skipped += 1;
            } else if matches!(action.change, Change::SetStatus { .. }) {
                statuses.push(*action);
            } else if matches!(
                action.change,
                Change::AddLabel { .. } | Change::RemoveLabel { .. }
            ) {
                labels.push(*action);
            } else {
                others.push(*action);
            }
        }
        // One item has one action per step, so the order between these three groups is no item's order. Batches
        // go to the forge in parts of `PROGRESS_PART`, so that progress moves during a step of thousands.
        for part in statuses.chunks(PROGRESS_PART) {
            run.statuses(part).await;
            run.tick();
        }
        for part in labels.chunks(PROGRESS_PART) {
            run.labels(part).await;
            run.tick();
        }
        for action in others {
            run.one_action(action).await;
            run.tick();
        }
        run.tick();
    }
    run.progress.finish();
    run.applied
}

/// Changes handed to the forge at once: a multiple of every batch size GitHub's forge uses (25, 50, 100), so
/// parting a step's batch adds no request.
const PROGRESS_PART: usize = 500;

/// Says up front when the forge will space out the run's creates (GitHub's secondary limits make a first run that
/// creates hundreds of comments take an hour or more), so that a long run is not mistaken for a hung one.
fn announce_pacing<F: Forge>(forge: &F, plan: &Plan) -> Option<std::time::Duration> {
    let creates = plan
        .actions
        .iter()
        .filter(|a| {
            matches!(
                a.change,
                Change::CreateLabel { .. }
                    | Change::PostComment { .. }
                    | Change::UpsertComment { .. }
                    | Change::CreateIssue { .. }
                    | Change::AddReaction { .. }
            )
        })
        .count();
    let paced = forge.paced_duration(creates).filter(|d| !d.is_zero());
    if let Some(at_least) = paced {
        let secs = at_least.as_secs();
        tracing::info!(
            "up to {creates} comments, issues, labels or reactions to create: they are spaced out to stay under \
             GitHub's rate limits, so this run takes at least {} min {} s",
            secs / 60,
            secs % 60
        );
    }
    paced
}

/// The one result of a one-change batch.
fn one_result(results: Vec<Result<()>>) -> Result<()> {
    results
        .into_iter()
        .next()
        .unwrap_or_else(|| Err(anyhow::anyhow!("the forge gave no result for this change")))
}

/// A label add or removal of the plan as the forge batches it.
fn label_change(change: &Change) -> Option<LabelChange> {
    let (issue, label, add) = match change {
        Change::AddLabel { issue, label } => (issue, label, true),
        Change::RemoveLabel { issue, label } => (issue, label, false),
        _ => return None,
    };
    Some(LabelChange {
        issue: issue.clone(),
        label: label.clone(),
        add,
    })
}

enum Written {
    Wrote,
    Already,
}

struct Applier<'f, F> {
    forge: &'f mut F,
    bot: &'f str,
    language: Language,
    applied: Applied,
    failed_items: BTreeSet<String>,
    /// Comments read this run, kept up to date with what this run wrote.
    comments: HashMap<IssueRef, Vec<Comment>>,
    /// Tracking issues found or opened this run: (the initiative, the team repository) → the issue.
    tracking: HashMap<(IssueRef, String), IssueRef>,
    /// The open tracking issues of a team repository (lowercase), read once a run: a run that hands off many
    /// initiatives to one team looks its issues through once, not once per initiative.
    team_issues: HashMap<String, Vec<Issue>>,
    progress: Progress,
}

impl<F: Forge> Applier<'_, F> {
    /// Tells the progress: every action tried, failed or skipped counts as done.
    fn tick(&self) {
        let a = &self.applied;
        self.progress
            .set(a.writes + a.already_done + a.failures.len() + a.skipped);
    }

    fn fail(&mut self, action: &Action, error: anyhow::Error) {
        tracing::warn!(item = %action.item, action = action.change.kind(), "write failed: {error:#}");
        self.failed_items.insert(action.item.clone());
        self.applied.failures.push(Failure {
            item: action.item.clone(),
            action: action.change.summary(self.language),
            error: format!("{error:#}"),
        });
    }

    /// One action, counted.
    async fn one_action(&mut self, action: &Action) {
        match self.one(&action.change).await {
            Ok(Written::Wrote) => self.applied.writes += 1,
            Ok(Written::Already) => self.applied.already_done += 1,
            Err(e) => self.fail(action, e),
        }
    }

    /// Status changes of several items at once: the forge batches them as its host allows (GitHub: aliased
    /// mutations).
    async fn statuses(&mut self, actions: &[&Action]) {
        let sets: Vec<(&Action, StatusChange)> = actions
            .iter()
            .copied()
            .filter_map(|a| match &a.change {
                Change::SetStatus { item_id, status } => Some((
                    a,
                    StatusChange {
                        item_id: item_id.clone(),
                        status: status.clone(),
                    },
                )),
                _ => None,
            })
            .collect();
        if sets.is_empty() {
            return;
        }
        let changes: Vec<StatusChange> = sets.iter().map(|(_, c)| c.clone()).collect();
        let results = self.forge.set_statuses(&changes).await;
        self.record(sets.iter().map(|(a, _)| *a), results);
    }

    /// The results of a batch, one per action in order: a change that failed fails only its item.
    fn record<'p>(&mut self, actions: impl Iterator<Item = &'p Action>, results: Vec<Result<()>>) {
        let mut results = results.into_iter();
        for action in actions {
            match results.next() {
                Some(Ok(())) => self.applied.writes += 1,
                Some(Err(e)) => self.fail(action, anyhow::anyhow!("{e:#}")),
                None => self.fail(
                    action,
                    anyhow::anyhow!("the forge gave no result for this change"),
                ),
            }
        }
    }

    /// Label adds and removals of several items at once: the forge batches them as its host allows (GitHub:
    /// aliased mutations). A change that failed fails only its item.
    async fn labels(&mut self, actions: &[&Action]) {
        let changes: Vec<(&Action, LabelChange)> = actions
            .iter()
            .filter_map(|a| label_change(&a.change).map(|c| (*a, c)))
            .collect();
        if changes.is_empty() {
            return;
        }
        let batch: Vec<LabelChange> = changes.iter().map(|(_, c)| c.clone()).collect();
        let results = self.forge.change_labels(&batch).await;
        self.record(changes.iter().map(|(a, _)| *a), results);
    }

    /// Reads, in one batch, the comments of every issue the plan comments on (an upsert must find the bot's
    /// marked comment first). Only those: a run with nothing to comment reads no comments. A batch that fails is
    /// not an item's failure: each issue is then read on its own when its comment comes.
    async fn prefetch_comments(&mut self, plan: &Plan) {
        let mut issues: Vec<IssueRef> = Vec::new();
        let mut seen: BTreeSet<&IssueRef> = BTreeSet::new();
        for action in &plan.actions {
            if let Change::UpsertComment { issue, .. } | Change::PostComment { issue, .. } =
                &action.change
            {
                if !self.comments.contains_key(issue) && seen.insert(issue) {
                    issues.push(issue.clone());
                }
            }
        }
        if issues.is_empty() {
            return;
        }
        match self.forge.comments_of_many(&issues).await {
            Ok(found) => self.comments.extend(found),
            Err(e) => tracing::warn!(
                "reading the comments of {} issues at once failed ({e:#}); reading them one at a time",
                issues.len()
            ),
        }
    }

    async fn comments_of(&mut self, issue: &IssueRef) -> Result<&mut Vec<Comment>> {
        if !self.comments.contains_key(issue) {
            let list = self.forge.comments(issue).await?;
            self.comments.insert(issue.clone(), list);
        }
        Ok(self.comments.entry(issue.clone()).or_default())
    }

    async fn one(&mut self, change: &Change) -> Result<Written> {
        match change {
            Change::SetStatus { .. } => Ok(Written::Already), // done in batches first
            Change::AddLabel { .. } | Change::RemoveLabel { .. } => {
                let batch: Vec<LabelChange> = label_change(change).into_iter().collect();
                one_result(self.forge.change_labels(&batch).await)?;
                Ok(Written::Wrote)
            }
            Change::CreateLabel {
                repository,
                name,
                color,
                description,
            } => {
                let spec = LabelSpec {
                    name: name.clone(),
                    color: color.clone(),
                    description: description.clone(),
                };
                self.forge.create_label(repository, &spec).await?;
                Ok(Written::Wrote)
            }
            Change::UpsertComment {
                issue,
                marker,
                body,
            } => self.upsert(issue, marker, body, true).await,
            Change::PostComment {
                issue,
                marker,
                body,
            } => self.upsert(issue, marker, body, false).await,
            Change::AddReaction {
                issue,
                comment_id,
                content,
            } => {
                self.forge.add_reaction(issue, *comment_id, content).await?;
                Ok(Written::Wrote)
            }
            Change::AddItem { issue, node_id } => {
                self.forge.add_item(issue, node_id.as_deref()).await?;
                Ok(Written::Wrote)
            }
            Change::CreateIssue {
                repository,
                title,
                body,
                marker,
            } => {
                if let Some(found) = self.opened(repository, marker).await? {
                    self.remember(repository, marker, found);
                    return Ok(Written::Already);
                }
                let created = match self.forge.create_issue(repository, title, body).await {
                    Ok(created) => created,
                    Err(first) => {
                        // It may have landed before the error: look (again, not in what was read) before trying
                        // once more.
                        self.team_issues.remove(&repository.to_lowercase());
                        if let Some(found) = self.opened(repository, marker).await? {
                            self.remember(repository, marker, found);
                            return Ok(Written::Wrote);
                        }
                        tracing::info!(
                            "creating an issue in {repository} failed ({first:#}); trying once more"
                        );
                        self.forge.create_issue(repository, title, body).await?
                    }
                };
                self.remember(repository, marker, created);
                Ok(Written::Wrote)
            }
        }
    }

    /// A tracking issue this run found or opened, for the handoff comment that names it.
    fn remember(&mut self, repository: &str, marker: &Marker, issue: IssueRef) {
        if let Marker::Tracking(of) = marker {
            self.tracking
                .insert((of.clone(), repository.to_lowercase()), issue);
        }
    }

    /// The issue the bot opened with `marker` in `repository`, if any (the oldest). The repository's open issues
    /// that carry any tracking marker are read once a run; an issue this run opens is remembered apart.
    async fn opened(&mut self, repository: &str, marker: &Marker) -> Result<Option<IssueRef>> {
        let key = repository.to_lowercase();
        if !self.team_issues.contains_key(&key) {
            let found = self
                .forge
                .find_issues(repository, crate::marker::TRACKING_PREFIX)
                .await?;
            self.team_issues.insert(key.clone(), found);
        }
        let found = self
            .team_issues
            .get(&key)
            .map(Vec::as_slice)
            .unwrap_or_default();
        Ok(marker::bot_issues(found, self.bot, marker)
            .first()
            .map(|i| i.reference()))
    }

    /// Edits the bot's comment with `marker` (when `edit`), or creates it once.
    async fn upsert(
        &mut self,
        issue: &IssueRef,
        marker: &Marker,
        body: &str,
        edit: bool,
    ) -> Result<Written> {
        // A handoff names the tracking issues opened just before it.
        let filled = marker::fill_tracking(body, |repository| {
            self.tracking
                .get(&(issue.clone(), repository.to_lowercase()))
                .map(IssueRef::to_string)
        });
        let body = filled.as_str();
        let bot = self.bot.to_string();
        let existing = find_marked(self.comments_of(issue).await?, &bot, marker)
            .map(|c| (c.id, c.body == body));
        match existing {
            Some((_, true)) => return Ok(Written::Already),
            Some(_) if !edit => return Ok(Written::Already),
            Some((id, false)) => {
                self.forge.edit_comment(issue, id, body).await?;
                if let Some(c) = self
                    .comments_of(issue)
                    .await?
                    .iter_mut()
                    .find(|c| c.id == id)
                {
                    c.body = body.to_string();
                    c.editor = Some(bot);
                }
                return Ok(Written::Wrote);
            }
            None => {}
        }
        let id = match self.forge.create_comment(issue, body).await {
            Ok(id) => id,
            Err(first) => {
                // GitHub may have stored the comment before failing: read again before trying once more.
                self.comments.remove(issue);
                if find_marked(self.comments_of(issue).await?, &bot, marker).is_some() {
                    tracing::info!("comment on {issue} landed despite an error ({first:#})");
                    return Ok(Written::Wrote);
                }
                self.forge.create_comment(issue, body).await?
            }
        };
        self.comments_of(issue).await?.push(Comment {
            id,
            author: bot,
            body: body.to_string(),
            editor: None,
            extra: Default::default(),
        });
        Ok(Written::Wrote)
    }
}
