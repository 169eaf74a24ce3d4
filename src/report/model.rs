//! The report as data, and [`build`]: pure, no I/O and no clock.

use std::collections::HashSet;

use serde::Serialize;

use super::flow::{self, Flow, Subject};
use super::Day;
use crate::board::{Issue, IssueRef, IssueState, Item, ItemKind, Snapshot};
use crate::config::{ClosedPolicy, Config, OnViolation};
use crate::marker::{self, Marker};
use crate::messages::PhaseChecks;
use crate::phase::PhaseIdx;
use crate::plan::{Decision, Outcome};
use crate::reconcile;
use crate::rules::{Check, RequirementKind};

/// Everything the weekly meeting looks at. Serialised as the JSON report (`report --format json`).
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The day the report is for.
    pub date: Day,
    pub board: BoardInfo,
    /// Initiatives counted: board items the bot handles (not skipped).
    pub initiatives: usize,
    /// One entry per configured phase, in process order.
    pub phases: Vec<PhaseSummary>,
    /// Initiatives that meet every automatic requirement of their next phase.
    pub ready: Vec<Ready>,
    /// Initiatives moved on the board without meeting the requirements: reverted or flagged.
    pub blocked: Vec<Blocked>,
    /// Every initiative: how long since its Status last changed, and whether that is over the phase's limit.
    pub time_in_phase: Vec<TimeInPhase>,
    /// Initiatives in the last phase: done, and still on the board until someone archives the card. Never stale:
    /// the work is over, what is left is the archiving (Digdir's "Tiltaket er arkivert i GitHub").
    pub awaiting_archive: Vec<TimeInPhase>,
    /// Handoffs are recent when the Status changed within this many days.
    pub recent_days: u32,
    pub recent_handoffs: Vec<RecentHandoff>,
    /// Open issues of the configured repositories that are not on the board.
    pub not_on_board: Vec<Initiative>,
    /// Board items the bot does not handle, and why.
    pub skipped: Vec<Skipped>,
    /// How initiatives flow through the phases (module `flow`).
    pub flow: Flow,
}

#[derive(Debug, Clone, Serialize)]
pub struct BoardInfo {
    pub owner: String,
    pub number: u64,
    pub title: String,
    pub repositories: Vec<String>,
}

/// An issue as the report names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Initiative {
    /// `owner/repo#N`, as in plans.
    pub item: String,
    pub title: String,
    pub url: Option<String>,
}

impl Initiative {
    fn of(issue: &Issue) -> Initiative {
        Initiative {
            item: issue.reference().to_string(),
            title: issue.title.clone(),
            url: issue.url.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PhaseSummary {
    pub phase: String,
    pub count: usize,
    /// How many of them are stale.
    pub stale: usize,
    /// Days in this phase after which an initiative is stale; `None` for the last phase, which has no limit unless
    /// it sets its own.
    pub stale_days: Option<u32>,
    pub handoff: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Ready {
    #[serde(flatten)]
    pub initiative: Initiative,
    pub phase: String,
    pub next: String,
    /// Automatic requirements of the next phase (all met).
    pub requirements: usize,
    /// The decisions the next phase asks for: each recorded one with who and when, each missing one by its
    /// criterion. Safe markdown.
    pub decided: Vec<String>,
    pub awaiting: Vec<String>,
    /// The next phase's criteria that need judgment: what the meeting decides on.
    pub manual: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Handling {
    /// The card goes back to the accepted phase.
    Reverted,
    /// The card stays, with the blocked label.
    Flagged,
}

#[derive(Debug, Clone, Serialize)]
pub struct Blocked {
    #[serde(flatten)]
    pub initiative: Initiative,
    /// The phase the bot accepted last.
    pub accepted: String,
    /// The phase the card was moved to.
    pub requested: String,
    pub handling: Handling,
    /// `Phase: requirement (what is wrong)`, one per unmet requirement.
    pub missing: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TimeInPhase {
    #[serde(flatten)]
    pub initiative: Initiative,
    pub phase: String,
    /// When the Status last changed; `None` when the board does not say (an item that never had a Status).
    pub since: Option<Day>,
    pub days: Option<u32>,
    /// The phase's limit; `None` for the last phase (see [`Report::awaiting_archive`]).
    pub stale_days: Option<u32>,
    pub stale: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct RecentHandoff {
    #[serde(flatten)]
    pub initiative: Initiative,
    pub phase: String,
    pub since: Day,
    pub teams: Vec<Team>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Team {
    pub name: String,
    /// `org/team`, when the team map knows it.
    pub github_team: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    /// `owner/repo#N` or `draft:<item id>`.
    pub item: String,
    pub title: String,
    pub url: Option<String>,
    #[serde(flatten)]
    pub why: SkipReason,
}

/// Why the bot leaves a board item alone (the same rules as reconcile, named so they can be translated).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum SkipReason {
    Draft,
    PullRequest,
    Archived,
    Closed,
    OtherRepository { repository: String },
    UnknownStatus { status: String },
    Other { detail: String },
}

/// Builds the report. Pure: `open_issues` are the open issues of the configured repositories (those on the board
/// are left out here), `today` is the date the report is for.
pub fn build(config: &Config, snapshot: &Snapshot, open_issues: &[Issue], today: Day) -> Report {
    let mut seen = Vec::new();
    let mut skipped = Vec::new();
    for item in &snapshot.items {
        match look_at(config, &snapshot.bot, item) {
            Ok(s) => seen.push(s),
            Err(s) => skipped.push(s),
        }
    }
    let time_in_phase = time_in_phase(config, &seen, today);
    let flow = flow::build(
        config,
        &flow_subjects(config, &snapshot.items, &seen),
        &time_in_phase,
        today,
    );
    let last = config.phases.get(config.phases.len() - 1).name.as_str();
    let awaiting_archive = time_in_phase
        .iter()
        .filter(|t| t.phase == last)
        .cloned()
        .collect();
    Report {
        date: today,
        board: BoardInfo {
            owner: snapshot.board.owner.clone(),
            number: snapshot.board.number,
            title: snapshot.board.title.clone(),
            repositories: config.board.repositories.clone(),
        },
        initiatives: seen.len(),
        phases: phase_summaries(config, &seen, &time_in_phase),
        ready: ready(config, &snapshot.bot, &seen),
        blocked: blocked(config, &seen),
        time_in_phase,
        awaiting_archive,
        recent_days: config.report.recent_days,
        recent_handoffs: recent_handoffs(config, &seen, today),
        not_on_board: not_on_board(config, snapshot, open_issues),
        skipped,
        flow,
    }
}

/// The initiatives whose flow is measured: those the report counts, where they stand, and the closed or archived
/// issues of the configured repositories in the phase of their Status (finished initiatives are what throughput
/// counts, and they are usually closed).
fn flow_subjects<'a>(config: &Config, items: &'a [Item], seen: &[Seen<'a>]) -> Vec<Subject<'a>> {
    let mut subjects: Vec<Subject> = seen
        .iter()
        .map(|s| Subject {
            item: s.item,
            issue: s.issue,
            phase: s.phase,
            active: true,
        })
        .collect();
    let counted: HashSet<&str> = seen.iter().map(|s| s.item.id.as_str()).collect();
    for item in items {
        let Some(issue) = item.issue.as_ref() else {
            continue;
        };
        let finished = item.archived || issue.state == IssueState::Closed;
        if item.kind != ItemKind::Issue
            || !finished
            || counted.contains(item.id.as_str())
            || !config.is_board_repository(&issue.repository)
        {
            continue;
        }
        let status = item.field_text(&config.board.status_field);
        let phase = match status {
            Some(status) => config.phases.by_status(&status),
            None => Some(config.sync.no_status),
        };
        if let Some(phase) = phase {
            subjects.push(Subject {
                item,
                issue,
                phase,
                active: false,
            });
        }
    }
    subjects
}

/// One initiative as reconcile sees it now.
struct Seen<'a> {
    item: &'a Item,
    issue: &'a Issue,
    decision: Decision,
    /// The phase it stands in: the board's, except that a refused move counts in the phase accepted before it.
    phase: PhaseIdx,
    /// The board phase (differs from `phase` only for a refused move).
    board: PhaseIdx,
    since: Option<Day>,
}

/// Decides one item with reconcile's own rules, so the report and the sync never disagree.
fn look_at<'a>(config: &Config, bot: &str, item: &'a Item) -> Result<Seen<'a>, Skipped> {
    let plan = reconcile::reconcile_item(config, bot, item, None);
    let Some(decision) = plan.decisions.into_iter().next() else {
        return Err(skipped(config, item, "no decision"));
    };
    let issue = match item.issue.as_ref() {
        Some(issue) if decision.outcome != Outcome::Skipped => issue,
        _ => return Err(skipped(config, item, &decision.reason)),
    };
    let board = decision.to.as_deref().and_then(|n| phase_named(config, n));
    let accepted = decision
        .from
        .as_deref()
        .and_then(|n| phase_named(config, n));
    let phase = match decision.outcome {
        Outcome::Rejected => accepted,
        _ => board,
    };
    let (Some(phase), Some(board)) = (phase, board) else {
        return Err(skipped(config, item, &decision.reason));
    };
    Ok(Seen {
        item,
        issue,
        phase,
        board,
        since: item.status_updated_at.as_deref().and_then(Day::parse),
        decision,
    })
}

fn phase_named(config: &Config, name: &str) -> Option<PhaseIdx> {
    config
        .phases
        .iter()
        .find(|(_, p)| p.name == name)
        .map(|(i, _)| i)
}

fn skipped(config: &Config, item: &Item, reason: &str) -> Skipped {
    let (title, url) = match (&item.issue, &item.draft, &item.pull_request) {
        (Some(i), _, _) => (i.title.clone(), i.url.clone()),
        (None, Some(d), _) => (d.title.clone(), None),
        (None, None, Some(pr)) => (pr.title.clone(), None),
        _ => (String::new(), None),
    };
    Skipped {
        item: item.display_name(),
        title,
        url,
        why: skip_reason(config, item, reason),
    }
}

/// Names reconcile's reason for skipping (its text is English only), checked in the order reconcile checks.
fn skip_reason(config: &Config, item: &Item, reason: &str) -> SkipReason {
    if item.archived {
        return SkipReason::Archived;
    }
    match item.kind {
        ItemKind::Draft => return SkipReason::Draft,
        ItemKind::PullRequest => return SkipReason::PullRequest,
        ItemKind::Issue | ItemKind::Other => {}
    }
    if let Some(issue) = &item.issue {
        if !config.is_board_repository(&issue.repository) {
            return SkipReason::OtherRepository {
                repository: issue.repository.clone(),
            };
        }
        if issue.state == IssueState::Closed && config.sync.closed == ClosedPolicy::Ignore {
            return SkipReason::Closed;
        }
        if let Some(status) = item.field_text(&config.board.status_field) {
            if config.phases.by_status(&status).is_none() {
                return SkipReason::UnknownStatus { status };
            }
        }
    }
    SkipReason::Other {
        detail: reason.to_string(),
    }
}

/// The phase's own `stale_days`, else `report.stale_days`; the last phase has no limit of its own unless it sets
/// one: an initiative there is done and waits to be archived, which is no sign of a stuck initiative.
fn stale_days(config: &Config, phase: PhaseIdx) -> Option<u32> {
    let own = config.phases.get(phase).stale_days;
    if phase + 1 == config.phases.len() {
        own
    } else {
        Some(own.unwrap_or(config.report.stale_days))
    }
}

fn phase_summaries(config: &Config, seen: &[Seen], times: &[TimeInPhase]) -> Vec<PhaseSummary> {
    config
        .phases
        .iter()
        .map(|(i, p)| PhaseSummary {
            phase: p.name.clone(),
            count: seen.iter().filter(|s| s.phase == i).count(),
            stale: times
                .iter()
                .filter(|t| t.stale && t.phase == p.name)
                .count(),
            stale_days: stale_days(config, i),
            handoff: p.handoff,
        })
        .collect()
}

/// Meets every automatic requirement of the next phase, and its own phase is settled: the card stands where the
/// bot accepted it, or will be accepted there by this sync (adopted, or a move whose requirements are met).
/// A next phase with no automatic requirements has nothing to verify (Digdir's Utført): listing every initiative
/// before it as "ready" would tell the meeting nothing, so those are left to the time-in-phase table.
fn ready(config: &Config, bot: &str, seen: &[Seen]) -> Vec<Ready> {
    let mut out: Vec<(PhaseIdx, IssueRef, Ready)> = seen
        .iter()
        .filter_map(|s| {
            let (next, automatic, decisions) = next_checks(config, bot, s)?;
            let (decided, awaiting): (Vec<Check>, Vec<Check>) =
                decisions.into_iter().partition(Check::met);
            let ready = Ready {
                initiative: Initiative::of(s.issue),
                phase: config.phases.get(s.phase).name.clone(),
                next: next.phase.to_string(),
                requirements: automatic,
                decided: decided.into_iter().map(|c| c.criterion).collect(),
                awaiting: awaiting.into_iter().map(|c| c.criterion).collect(),
                manual: next.manual.to_vec(),
            };
            Some((s.phase, s.issue.reference(), ready))
        })
        .collect();
    out.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    out.into_iter().map(|(_, _, r)| r).collect()
}

/// The issues the report lists as ready to advance: their next phase's decisions are read before the report is
/// built (a card that stands still has no other reason for its comments to be read).
pub fn ready_issues(config: &Config, snapshot: &Snapshot) -> Vec<IssueRef> {
    snapshot
        .items
        .iter()
        .filter_map(|item| look_at(config, &snapshot.bot, item).ok())
        .filter(|s| next_checks(config, &snapshot.bot, s).is_some())
        .map(|s| s.issue.reference())
        .collect()
}

/// For an initiative whose phase is settled and whose next phase's automatic requirements are all met: that phase's
/// checks, how many automatic ones, and the checks of its decisions. A decision is what the meeting is for: ready
/// means ready for it, whether or not it is recorded. A next phase with no automatic requirements has nothing to
/// verify (Digdir's Utført): listing every initiative before it as "ready" would tell the meeting nothing.
fn next_checks<'c>(
    config: &'c Config,
    bot: &str,
    s: &Seen,
) -> Option<(PhaseChecks<'c>, usize, Vec<Check>)> {
    if s.decision.outcome == Outcome::Rejected {
        return None;
    }
    let next = reconcile::next_phase_checks(config, bot, s.item, s.issue, s.phase)?;
    let require = &config.phases.get(s.phase + 1).require;
    let (decisions, automatic): (Vec<_>, Vec<_>) = next
        .checks
        .iter()
        .zip(require)
        .partition(|(_, r)| matches!(r.kind, RequirementKind::Decision { .. }));
    if automatic.is_empty() || !automatic.iter().all(|(c, _)| c.met()) {
        return None;
    }
    let automatic = automatic.len();
    let decisions = decisions.into_iter().map(|(c, _)| c.clone()).collect();
    Some((next, automatic, decisions))
}

fn blocked(config: &Config, seen: &[Seen]) -> Vec<Blocked> {
    let mut out: Vec<(PhaseIdx, IssueRef, Blocked)> = seen
        .iter()
        .filter(|s| s.decision.outcome == Outcome::Rejected)
        .map(|s| {
            // The blocked label says the card was flagged before; otherwise this run's policy decides.
            let flagged = s.issue.has_label(&config.sync.blocked_label)
                || config.sync.on_violation == OnViolation::Flag;
            let blocked = Blocked {
                initiative: Initiative::of(s.issue),
                accepted: config.phases.get(s.phase).name.clone(),
                requested: config.phases.get(s.board).name.clone(),
                handling: if flagged {
                    Handling::Flagged
                } else {
                    Handling::Reverted
                },
                missing: s.decision.missing.clone(),
            };
            (s.phase, s.issue.reference(), blocked)
        })
        .collect();
    out.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    out.into_iter().map(|(_, _, b)| b).collect()
}

/// Longest first within each phase, phases in process order; unknown times last.
fn time_in_phase(config: &Config, seen: &[Seen], today: Day) -> Vec<TimeInPhase> {
    let mut out: Vec<(PhaseIdx, IssueRef, TimeInPhase)> = seen
        .iter()
        .map(|s| {
            // A date in the future (a clock ahead of ours) counts as today.
            let days = s
                .since
                .map(|d| u32::try_from(today.days_since(d).max(0)).unwrap_or(u32::MAX));
            let limit = stale_days(config, s.phase);
            let time = TimeInPhase {
                initiative: Initiative::of(s.issue),
                phase: config.phases.get(s.phase).name.clone(),
                since: s.since,
                days,
                stale_days: limit,
                stale: days.zip(limit).is_some_and(|(d, limit)| d > limit),
            };
            (s.phase, s.issue.reference(), time)
        })
        .collect();
    out.sort_by(|a, b| {
        let longest = |t: &TimeInPhase| std::cmp::Reverse(t.days.map_or(-1, i64::from));
        (a.0, longest(&a.2), &a.1).cmp(&(b.0, longest(&b.2), &b.1))
    });
    out.into_iter().map(|(_, _, t)| t).collect()
}

/// In a handoff phase (accepted or about to be), with a Status change within `recent_days`: newest first.
fn recent_handoffs(config: &Config, seen: &[Seen], today: Day) -> Vec<RecentHandoff> {
    let recent = i64::from(config.report.recent_days);
    let mut out: Vec<(Day, IssueRef, RecentHandoff)> = seen
        .iter()
        .filter(|s| config.phases.get(s.phase).handoff)
        .filter_map(|s| {
            let since = s.since?;
            let age = today.days_since(since);
            if !(0..=recent).contains(&age) {
                return None;
            }
            let teams = reconcile::item_teams(config, s.item, s.issue)
                .into_iter()
                .map(|name| Team {
                    github_team: config.teams.get(&name).and_then(|t| t.github_team.clone()),
                    name,
                })
                .collect();
            let handoff = RecentHandoff {
                initiative: Initiative::of(s.issue),
                phase: config.phases.get(s.phase).name.clone(),
                since,
                teams,
            };
            Some((since, s.issue.reference(), handoff))
        })
        .collect();
    out.sort_by(|a, b| (std::cmp::Reverse(a.0), &a.1).cmp(&(std::cmp::Reverse(b.0), &b.1)));
    out.into_iter().map(|(_, _, h)| h).collect()
}

/// Open issues of the configured repositories with no item on the board. The report's own pinned issue is not an
/// initiative, so it is left out.
fn not_on_board(config: &Config, snapshot: &Snapshot, open_issues: &[Issue]) -> Vec<Initiative> {
    let on_board: HashSet<IssueRef> = snapshot
        .items
        .iter()
        .filter_map(|i| i.issue.as_ref())
        .map(Issue::reference)
        .collect();
    let mut seen = HashSet::new();
    let mut out: Vec<(IssueRef, Initiative)> = open_issues
        .iter()
        .filter(|i| i.state == IssueState::Open && config.is_board_repository(&i.repository))
        .filter(|i| !marker::is_bot_issue(i, &snapshot.bot, &Marker::Report))
        .filter(|i| !on_board.contains(&i.reference()))
        .filter(|i| seen.insert(i.reference()))
        .map(|i| (i.reference(), Initiative::of(i)))
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out.into_iter().map(|(_, i)| i).collect()
}
