//! The portfolio report for Porteføljekontoret's weekly meeting: initiatives per phase, which are ready to advance,
//! which are blocked and why, time in phase, recent handoffs, and what the bot leaves out.
//!
//! [`build`] decides with no I/O and no clock: the caller passes the board, the open issues of the configured
//! repositories and the date. [`Report`] serialises to the JSON report; [`to_markdown`] renders bokmål or English.
//! [`read`] and [`publish`] are the thin async shell: one read pass, and the pinned issue upserted by marker.

use std::collections::HashSet;
use std::fmt::{self, Write as _};

use anyhow::Result;
use serde::{Serialize, Serializer};

use crate::board::{Issue, IssueRef, IssueState, Item, ItemKind, Snapshot};
use crate::config::{ClosedPolicy, Config, OnViolation};
use crate::forge::IssueForge;
use crate::messages::Language;
use crate::phase::PhaseIdx;
use crate::plan::{Decision, Outcome};
use crate::reconcile;

/// The hidden marker of the pinned report issue: the bot finds its issue by it, so it never opens a second one.
pub const MARKER: &str = "<!-- portfolio-sync:report -->";

/// GitHub refuses issue bodies longer than this (characters; we count bytes, which is stricter).
pub const ISSUE_BODY_LIMIT: usize = 65_536;

// ---------------------------------------------------------------------------------------------------------------
// Days.

/// A calendar day in UTC, counted from 1970-01-01: all "days in phase" needs, without a date crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(i64);

impl Day {
    /// The day of a calendar date; `None` for a date that does not exist (2025-02-30).
    pub fn from_ymd(year: i64, month: u32, day: u32) -> Option<Day> {
        if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
            return None;
        }
        // Howard Hinnant's days_from_civil: years start in March, so the leap day is the last day of a year.
        let (m, d) = (i64::from(month), i64::from(day));
        let y = if m <= 2 { year - 1 } else { year };
        let era = y.div_euclid(400);
        let yoe = y.rem_euclid(400);
        let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        let found = Day(era * 146_097 + doe - 719_468);
        // 2025-02-30 lands on 2025-03-02: a date is valid when it comes back unchanged.
        (found.ymd() == (year, month, day)).then_some(found)
    }

    /// Year, month (1–12) and day (1–31).
    pub fn ymd(self) -> (i64, u32, u32) {
        let z = self.0 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        // Both are in range by construction (1..=31, 1..=12).
        (year, day_u32(month), day_u32(day))
    }

    /// `YYYY-MM-DD`, or an RFC 3339 timestamp (`2025-11-03T13:10:00Z`, `…+01:00`) taken as its UTC day.
    pub fn parse(text: &str) -> Option<Day> {
        let text = text.trim();
        let date = Day::parse_date(text.get(..10)?)?;
        let rest = text.get(10..)?;
        if rest.is_empty() {
            return Some(date);
        }
        let time = rest.strip_prefix(['T', 't', ' '])?;
        let seconds = seconds_of_day(time)?;
        Some(Day(date.0 + seconds.div_euclid(86_400)))
    }

    fn parse_date(text: &str) -> Option<Day> {
        let b = text.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let year = digits(text.get(0..4)?)?;
        let month = digits(text.get(5..7)?)?;
        let day = digits(text.get(8..10)?)?;
        Day::from_ymd(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
    }

    /// Today in UTC, from the system clock (only the command line asks: [`build`] takes the date).
    pub fn today() -> Day {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Day(i64::try_from(secs / 86_400).unwrap_or(0))
    }

    /// Whole days from `earlier` to `self`; negative when `earlier` is later.
    pub fn days_since(self, earlier: Day) -> i64 {
        self.0 - earlier.0
    }

    /// 0 = Monday … 6 = Sunday (1970-01-01 was a Thursday).
    pub fn weekday(self) -> u32 {
        day_u32((self.0 + 3).rem_euclid(7))
    }

    /// The ISO 8601 week number: the week belongs to the year its Thursday falls in.
    pub fn iso_week(self) -> u32 {
        let thursday = Day(self.0 - i64::from(self.weekday()) + 3);
        let (year, _, _) = thursday.ymd();
        let first = Day::from_ymd(year, 1, 1).map_or(thursday.0, |d| d.0);
        day_u32((thursday.0 - first) / 7 + 1)
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl Serialize for Day {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

fn day_u32(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(0)
}

/// A run of ASCII digits as a number (no sign, no spaces).
fn digits(text: &str) -> Option<i64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// `HH:MM:SS[.frac](Z|±HH:MM)` → seconds since midnight UTC of the same date (may be negative or over a day).
fn seconds_of_day(time: &str) -> Option<i64> {
    let b = time.as_bytes();
    if b.len() < 9 || b[2] != b':' || b[5] != b':' {
        return None;
    }
    let (h, m, s) = (
        digits(time.get(0..2)?)?,
        digits(time.get(3..5)?)?,
        digits(time.get(6..8)?)?,
    );
    if h > 23 || m > 59 || s > 60 {
        return None;
    }
    let s = s.min(59); // a leap second (:60) belongs to the day it ends
    let mut zone = time.get(8..)?;
    if let Some(frac) = zone.strip_prefix('.') {
        zone = frac.trim_start_matches(|c: char| c.is_ascii_digit());
        if zone.len() == frac.len() {
            return None; // a dot with no digits
        }
    }
    let offset = match zone {
        "Z" | "z" => 0,
        _ => {
            let sign = match zone.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let (oh, om) = zone.get(1..)?.split_once(':')?;
            let (oh, om) = (digits(oh)?, digits(om)?);
            if oh > 23 || om > 59 {
                return None;
            }
            sign * (oh * 3600 + om * 60)
        }
    };
    Some(h * 3600 + m * 60 + s - offset)
}

// ---------------------------------------------------------------------------------------------------------------
// The report.

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
    /// Handoffs are recent when the Status changed within this many days.
    pub recent_days: u32,
    pub recent_handoffs: Vec<RecentHandoff>,
    /// Open issues of the configured repositories that are not on the board.
    pub not_on_board: Vec<Initiative>,
    /// Board items the bot does not handle, and why.
    pub skipped: Vec<Skipped>,
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
    /// Days in this phase after which an initiative is stale.
    pub stale_days: u32,
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
    pub stale_days: u32,
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
        ready: ready(config, &seen),
        blocked: blocked(config, &seen),
        time_in_phase,
        recent_days: config.report.recent_days,
        recent_handoffs: recent_handoffs(config, &seen, today),
        not_on_board: not_on_board(config, snapshot, open_issues),
        skipped,
    }
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

fn stale_days(config: &Config, phase: PhaseIdx) -> u32 {
    config
        .phases
        .get(phase)
        .stale_days
        .unwrap_or(config.report.stale_days)
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
fn ready(config: &Config, seen: &[Seen]) -> Vec<Ready> {
    let mut out: Vec<(PhaseIdx, IssueRef, Ready)> = seen
        .iter()
        .filter(|s| s.decision.outcome != Outcome::Rejected)
        .filter_map(|s| {
            let next = reconcile::next_phase_checks(config, s.item, s.issue, s.phase)?;
            if next.checks.is_empty() || !next.checks.iter().all(|c| c.met()) {
                return None;
            }
            let ready = Ready {
                initiative: Initiative::of(s.issue),
                phase: config.phases.get(s.phase).name.clone(),
                next: next.phase.to_string(),
                requirements: next.checks.len(),
                manual: next.manual.to_vec(),
            };
            Some((s.phase, s.issue.reference(), ready))
        })
        .collect();
    out.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    out.into_iter().map(|(_, _, r)| r).collect()
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
                stale: days.is_some_and(|d| d > limit),
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
    let key = |r: &IssueRef| (r.repository.to_lowercase(), r.number);
    let on_board: HashSet<(String, u64)> = snapshot
        .items
        .iter()
        .filter_map(|i| i.issue.as_ref())
        .map(|i| key(&i.reference()))
        .collect();
    let mut seen = HashSet::new();
    let mut out: Vec<(IssueRef, Initiative)> = open_issues
        .iter()
        .filter(|i| i.state == IssueState::Open && config.is_board_repository(&i.repository))
        .filter(|i| !i.body.contains(MARKER))
        .filter(|i| !on_board.contains(&key(&i.reference())))
        .filter(|i| seen.insert(key(&i.reference())))
        .map(|i| (i.reference(), Initiative::of(i)))
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out.into_iter().map(|(_, i)| i).collect()
}

// ---------------------------------------------------------------------------------------------------------------
// Reading and publishing.

/// The open issues of every configured repository: one list pass per repository, no per-item reads.
pub async fn open_issues<F: IssueForge>(forge: &mut F, config: &Config) -> Result<Vec<Issue>> {
    let mut all = Vec::new();
    for repository in &config.board.repositories {
        all.extend(forge.open_issues(repository).await?);
    }
    Ok(all)
}

/// Everything [`build`] needs, in one read pass: the board, then the open issues of the configured repositories.
pub async fn read<F: IssueForge>(forge: &mut F, config: &Config) -> Result<(Snapshot, Vec<Issue>)> {
    let snapshot = forge.read_board().await?;
    let open = open_issues(forge, config).await?;
    Ok((snapshot, open))
}

/// What [`publish`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    pub issue: IssueRef,
    /// `true` when the issue was opened by this run, `false` when an existing one was edited.
    pub created: bool,
}

/// Upserts the report issue in the first configured repository when `report.issue` is set (else does nothing and
/// returns `None`). The issue is found by [`MARKER`]: edited in place every run, opened only when none is open.
/// Pin it once by hand; editing keeps it pinned.
pub async fn publish<F: IssueForge>(
    forge: &mut F,
    config: &Config,
    report: &Report,
) -> Result<Option<Published>> {
    let Some(repository) = config
        .board
        .repositories
        .first()
        .filter(|_| config.report.issue)
    else {
        return Ok(None);
    };
    let body = issue_body(report, config.sync.language);
    let title = &config.report.issue_title;
    let mut found = forge.find_issues(repository, MARKER).await?;
    found.sort();
    if found.len() > 1 {
        // Only a race of two first runs (or a copied marker) does this; the oldest stays the report.
        tracing::warn!(
            "{} open issues in {repository} carry the report marker; editing the oldest",
            found.len()
        );
    }
    match found.into_iter().next() {
        Some(existing) => {
            forge.edit_issue(&existing, title, &body).await?;
            Ok(Some(Published {
                issue: existing,
                created: false,
            }))
        }
        None => {
            let issue = forge.create_issue(repository, title, &body).await?;
            Ok(Some(Published {
                issue,
                created: true,
            }))
        }
    }
}

/// The body of the report issue: the marker, then the report cut down to fit GitHub's limit.
pub fn issue_body(report: &Report, language: Language) -> String {
    let head = format!("{MARKER}\n");
    let page = to_markdown_within(report, language, ISSUE_BODY_LIMIT - head.len());
    head + &page
}

// ---------------------------------------------------------------------------------------------------------------
// Markdown.

/// The report as a page for the weekly meeting (GitHub-flavoured markdown), every row included.
pub fn to_markdown(report: &Report, language: Language) -> String {
    Page::new(report, language, usize::MAX).render()
}

/// Like [`to_markdown`], with long tables cut until the page fits in `max_bytes` (an issue body holds 65,536
/// characters, a job summary 1 MiB). The JSON report always has every row.
pub fn to_markdown_within(report: &Report, language: Language, max_bytes: usize) -> String {
    let mut rows = usize::MAX;
    loop {
        let page = Page::new(report, language, rows).render();
        if page.len() <= max_bytes {
            return page;
        }
        if rows <= 1 {
            return cut(&page, max_bytes);
        }
        let longest = [
            report.ready.len(),
            report.blocked.len(),
            report.time_in_phase.len(),
            report.recent_handoffs.len(),
            report.not_on_board.len(),
            report.skipped.len(),
        ]
        .into_iter()
        .max()
        .unwrap_or(0);
        rows = rows.min(longest) / 2;
    }
}

/// The first `max_bytes` of `text`, on a line boundary where possible.
fn cut(text: &str, max_bytes: usize) -> String {
    let mut end = max_bytes.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let head = &text[..end];
    head.rfind('\n').map_or(head, |nl| &head[..=nl]).to_string()
}

/// The title of the Mermaid pie and the table of phases.
fn phases_title(lang: Language) -> &'static str {
    lang.pick("Tiltak per fase", "Initiatives per phase")
}

/// A Mermaid `pie` chart of `(label, value)`; zero slices are left out (the table shows them), `None` when nothing
/// is left to draw.
pub fn mermaid_pie(title: &str, slices: &[(String, usize)]) -> Option<String> {
    let shown: Vec<&(String, usize)> = slices.iter().filter(|(_, n)| *n > 0).collect();
    if shown.is_empty() {
        return None;
    }
    let mut out = String::from("```mermaid\npie showData\n");
    let _ = writeln!(out, "    title {}", mermaid_text(title));
    for (label, n) in shown {
        let _ = writeln!(out, "    \"{}\" : {n}", mermaid_text(label));
    }
    out.push_str("```\n");
    Some(out)
}

/// Text Mermaid shows as written. `"` would end the label, `\` escapes in newer parsers, `#…;` is Mermaid's own
/// entity syntax (so a literal `#` is written as one), `%%` starts a comment, and a line break ends the statement.
fn mermaid_text(text: &str) -> String {
    let mut out = String::new();
    for c in text.trim().chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '\\' => out.push_str("#92;"),
            '%' => out.push_str("#37;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Text safe in a table cell: no line breaks, no `|`, no HTML, no link brackets.
fn cell(text: &str) -> String {
    let mut out = String::new();
    for c in text.trim().chars() {
        match c {
            '|' => out.push_str("\\|"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '[' => out.push_str("\\["),
            ']' => out.push_str("\\]"),
            '\n' | '\r' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

const MONTHS_NB: [&str; 12] = [
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS_NB: [&str; 7] = [
    "mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag",
];
const WEEKDAYS_EN: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// `mandag 10. november 2025` / `Monday 10 November 2025`.
fn long_date(day: Day, lang: Language) -> String {
    let (y, m, d) = day.ymd();
    let month = (m as usize).saturating_sub(1).min(11);
    let weekday = (day.weekday() as usize).min(6);
    match lang {
        Language::Nb => format!("{} {d}. {} {y}", WEEKDAYS_NB[weekday], MONTHS_NB[month]),
        Language::En => format!("{} {d} {} {y}", WEEKDAYS_EN[weekday], MONTHS_EN[month]),
    }
}

/// The markdown page being written.
struct Page<'a> {
    report: &'a Report,
    lang: Language,
    /// Rows per table; the rest is counted in a last line.
    max_rows: usize,
    out: String,
}

impl<'a> Page<'a> {
    fn new(report: &'a Report, lang: Language, max_rows: usize) -> Self {
        Page {
            report,
            lang,
            max_rows,
            out: String::new(),
        }
    }

    fn t(&self, nb: &'static str, en: &'static str) -> &'static str {
        self.lang.pick(nb, en)
    }

    fn render(mut self) -> String {
        self.intro();
        self.phases();
        self.ready();
        self.blocked();
        self.stale();
        self.handoffs();
        self.not_on_board();
        self.skipped();
        self.time_in_phase();
        self.out
    }

    fn intro(&mut self) {
        let r = self.report;
        let (year, _, _) = r.date.ymd();
        let heading = match self.lang {
            Language::Nb => format!("## Porteføljestatus uke {}, {year}", r.date.iso_week()),
            Language::En => format!("## Portfolio status, week {} of {year}", r.date.iso_week()),
        };
        let stale = r.time_in_phase.iter().filter(|t| t.stale).count();
        let project = format!(
            "{}, {} {}",
            cell(&r.board.owner),
            self.t("prosjekt", "project"),
            r.board.number
        );
        let board = if r.board.title.trim().is_empty() {
            project
        } else {
            format!("**{}** ({project})", cell(&r.board.title))
        };
        let summary = match self.lang {
            Language::Nb => format!(
                "Tavla {board}, {}: **{}** tiltak, **{}** kan gå videre, **{}** er blokkert, **{stale}** er stillestående.",
                long_date(r.date, self.lang),
                r.initiatives,
                r.ready.len(),
                r.blocked.len(),
            ),
            Language::En => format!(
                "Board {board}, {}: **{}** {}, **{}** ready to advance, **{}** blocked, **{stale}** stale.",
                long_date(r.date, self.lang),
                r.initiatives,
                if r.initiatives == 1 { "initiative" } else { "initiatives" },
                r.ready.len(),
                r.blocked.len(),
            ),
        };
        let _ = write!(self.out, "{heading}\n\n{summary}\n");
    }

    fn section(&mut self, title: &str) {
        let _ = write!(self.out, "\n### {title}\n\n");
    }

    fn none(&mut self) {
        let none = self.t("_Ingen._", "_None._");
        let _ = writeln!(self.out, "{none}");
    }

    /// A table, cut after `max_rows` rows with a line saying how many more there are.
    fn table(&mut self, headers: &[&str], rows: Vec<Vec<String>>) {
        let _ = writeln!(self.out, "| {} |", headers.join(" | "));
        let _ = writeln!(self.out, "|{}", " --- |".repeat(headers.len()));
        let total = rows.len();
        for row in rows.into_iter().take(self.max_rows) {
            let _ = writeln!(self.out, "| {} |", row.join(" | "));
        }
        if total > self.max_rows {
            let more = total - self.max_rows;
            let line = match self.lang {
                Language::Nb => format!(
                    "\n… og {more} til (alle står i `portfolio-sync report --format json`)."
                ),
                Language::En => format!(
                    "\n… and {more} more (all are in `portfolio-sync report --format json`)."
                ),
            };
            let _ = writeln!(self.out, "{line}");
        }
    }

    /// `[#48](url) Title`; issues outside the first configured repository keep their full name.
    fn link(&self, i: &Initiative) -> String {
        let main = self.report.board.repositories.first();
        let name = match i.item.rsplit_once('#') {
            Some((repo, n)) if main.is_some_and(|m| m.eq_ignore_ascii_case(repo)) => {
                format!("#{n}")
            }
            _ => i.item.clone(),
        };
        let name = match &i.url {
            Some(url) => format!("[{name}]({url})"),
            None => name,
        };
        if i.title.trim().is_empty() {
            name
        } else {
            format!("{name} {}", cell(&i.title))
        }
    }

    fn phases(&mut self) {
        let title = phases_title(self.lang);
        self.section(title);
        let r = self.report;
        let mut rows: Vec<Vec<String>> = r
            .phases
            .iter()
            .map(|p| {
                let name = if p.handoff {
                    format!(
                        "{} {}",
                        cell(&p.phase),
                        self.t("(overlevering)", "(handoff)")
                    )
                } else {
                    cell(&p.phase)
                };
                vec![
                    name,
                    p.count.to_string(),
                    p.stale.to_string(),
                    p.stale_days.to_string(),
                ]
            })
            .collect();
        let stale: usize = r.phases.iter().map(|p| p.stale).sum();
        rows.push(vec![
            format!("**{}**", self.t("Sum", "Total")),
            format!("**{}**", r.initiatives),
            format!("**{stale}**"),
            String::new(),
        ]);
        let headers = [
            self.t("Fase", "Phase"),
            self.t("Tiltak", "Initiatives"),
            self.t("Stillestående", "Stale"),
            self.t("Stillestående etter (dager)", "Stale after (days)"),
        ];
        // Every phase is a row, whatever max_rows says: the table is as long as the process.
        let max = std::mem::replace(&mut self.max_rows, usize::MAX);
        self.table(&headers, rows);
        self.max_rows = max;
        let slices: Vec<(String, usize)> = r
            .phases
            .iter()
            .map(|p| (p.phase.clone(), p.count))
            .collect();
        if let Some(pie) = mermaid_pie(title, &slices) {
            let _ = write!(self.out, "\n{pie}");
        }
    }

    fn ready(&mut self) {
        self.section(self.t("Klare til å gå videre", "Ready to advance"));
        let r = self.report;
        if r.ready.is_empty() {
            return self.none();
        }
        let intro = self.t(
            "Oppfyller alle automatiske krav til neste fase. Møtet avgjør, etter kriteriene under tabellen.",
            "Meet every automatic requirement of their next phase. The meeting decides, on the criteria below the table.",
        );
        let _ = writeln!(self.out, "{intro}\n");
        let rows = r
            .ready
            .iter()
            .map(|x| {
                vec![
                    self.link(&x.initiative),
                    format!("{} → {}", cell(&x.phase), cell(&x.next)),
                    self.met(x.requirements),
                ]
            })
            .collect();
        let headers = [
            self.t("Tiltak", "Initiative"),
            self.t("Fase → neste", "Phase → next"),
            self.t("Krav", "Requirements"),
        ];
        self.table(&headers, rows);
        self.manual_criteria();
    }

    /// `4 av 4 oppfylt`.
    fn met(&self, n: usize) -> String {
        match self.lang {
            Language::Nb => format!("{n} av {n} oppfylt"),
            Language::En => format!("{n} of {n} met"),
        }
    }

    /// What the meeting judges before each next phase that someone is ready for: once per phase, not per row.
    fn manual_criteria(&mut self) {
        let mut done: Vec<&str> = Vec::new();
        for x in &self.report.ready {
            if done.contains(&x.next.as_str()) || x.manual.is_empty() {
                continue;
            }
            done.push(&x.next);
            let lead = match self.lang {
                Language::Nb => format!("\nVurderes før **{}**:\n", cell(&x.next)),
                Language::En => format!("\nTo judge before **{}**:\n", cell(&x.next)),
            };
            self.out.push_str(&lead);
            for m in &x.manual {
                let _ = writeln!(self.out, "- {}", cell(m));
            }
        }
    }

    fn blocked(&mut self) {
        self.section(self.t("Blokkert", "Blocked"));
        let r = self.report;
        if r.blocked.is_empty() {
            return self.none();
        }
        let rows = r
            .blocked
            .iter()
            .map(|b| {
                // The phase moved to is in the row already; lines of phases skipped on the way keep their name.
                let prefix = format!("{}: ", b.requested);
                let missing: Vec<String> = b
                    .missing
                    .iter()
                    .map(|m| cell(m.strip_prefix(&prefix).unwrap_or(m)))
                    .collect();
                let handling = match b.handling {
                    Handling::Reverted => self.t("flyttes tilbake", "moved back"),
                    Handling::Flagged => self.t("flagget", "flagged"),
                };
                vec![
                    self.link(&b.initiative),
                    format!("{} → {}", cell(&b.accepted), cell(&b.requested)),
                    handling.to_string(),
                    missing.join("<br>"),
                ]
            })
            .collect();
        let headers = [
            self.t("Tiltak", "Initiative"),
            self.t("Flyttet", "Moved"),
            self.t("Kortet", "Card"),
            self.t("Mangler", "Missing"),
        ];
        self.table(&headers, rows);
    }

    fn stale(&mut self) {
        self.section(self.t("Stillestående", "Stale"));
        let r = self.report;
        let stale: Vec<&TimeInPhase> = r.time_in_phase.iter().filter(|t| t.stale).collect();
        if stale.is_empty() {
            return self.none();
        }
        let intro = self.t(
            "Lenger i fasen enn grensen for fasen.",
            "In their phase for longer than the phase's limit.",
        );
        let _ = writeln!(self.out, "{intro}\n");
        let rows = stale
            .iter()
            .map(|t| {
                vec![
                    self.link(&t.initiative),
                    cell(&t.phase),
                    t.days.map_or_else(String::new, |d| d.to_string()),
                    t.stale_days.to_string(),
                ]
            })
            .collect();
        let headers = [
            self.t("Tiltak", "Initiative"),
            self.t("Fase", "Phase"),
            self.t("Dager i fasen", "Days in phase"),
            self.t("Grense", "Limit"),
        ];
        self.table(&headers, rows);
    }

    fn handoffs(&mut self) {
        let r = self.report;
        let title = match self.lang {
            Language::Nb => format!("Nylige overleveringer (siste {} dager)", r.recent_days),
            Language::En => format!("Recent handoffs (last {} days)", r.recent_days),
        };
        self.section(&title);
        if r.recent_handoffs.is_empty() {
            return self.none();
        }
        let rows = r
            .recent_handoffs
            .iter()
            .map(|h| {
                vec![
                    self.link(&h.initiative),
                    cell(&h.phase),
                    h.since.to_string(),
                    self.teams(&h.teams),
                ]
            })
            .collect();
        let headers = [
            self.t("Tiltak", "Initiative"),
            self.t("Fase", "Phase"),
            self.t("Dato", "Date"),
            self.t("Team", "Teams"),
        ];
        self.table(&headers, rows);
    }

    /// Team names with their GitHub team as code: the handoff comment already notified them, a weekly page
    /// should not.
    fn teams(&self, teams: &[Team]) -> String {
        if teams.is_empty() {
            return self.t("ikke angitt", "not given").to_string();
        }
        let named: Vec<String> = teams
            .iter()
            .map(|t| match &t.github_team {
                Some(gt) => format!("{} (`@{}`)", cell(&t.name), gt.replace('`', "")),
                None => cell(&t.name),
            })
            .collect();
        named.join(", ")
    }

    fn not_on_board(&mut self) {
        self.section(self.t("Ikke på tavla", "Not on the board"));
        let r = self.report;
        let intro = match self.lang {
            Language::Nb => format!(
                "Åpne issues i {} som ikke ligger på tavla.",
                r.board.repositories.join(", ")
            ),
            Language::En => format!(
                "Open issues in {} that are not on the board.",
                r.board.repositories.join(", ")
            ),
        };
        let _ = writeln!(self.out, "{intro}\n");
        if r.not_on_board.is_empty() {
            return self.none();
        }
        let rows = r.not_on_board.iter().map(|i| vec![self.link(i)]).collect();
        self.table(&[self.t("Issue", "Issue")], rows);
    }

    fn skipped(&mut self) {
        self.section(self.t("Hoppet over", "Skipped"));
        let r = self.report;
        let intro = self.t(
            "Kort på tavla som boten ikke behandler, så ingenting faller ut i stillhet.",
            "Cards on the board the bot does not handle, so that nothing is left out silently.",
        );
        let _ = writeln!(self.out, "{intro}\n");
        if r.skipped.is_empty() {
            return self.none();
        }
        let rows = r
            .skipped
            .iter()
            .map(|s| {
                let who = Initiative {
                    item: s.item.clone(),
                    title: s.title.clone(),
                    url: s.url.clone(),
                };
                vec![self.link(&who), self.skip_reason(&s.why)]
            })
            .collect();
        let headers = [self.t("Kort", "Card"), self.t("Hvorfor", "Why")];
        self.table(&headers, rows);
    }

    fn skip_reason(&self, why: &SkipReason) -> String {
        match why {
            SkipReason::Draft => self
                .t("utkast, ikke et issue", "draft, not an issue")
                .into(),
            SkipReason::PullRequest => "pull request".into(),
            SkipReason::Archived => self.t("arkivert", "archived").into(),
            SkipReason::Closed => self.t("lukket", "closed").into(),
            SkipReason::OtherRepository { repository } => match self.lang {
                Language::Nb => format!(
                    "fra {}, som ikke er et av tavlas repositorier",
                    cell(repository)
                ),
                Language::En => format!(
                    "from {}, not one of the board's repositories",
                    cell(repository)
                ),
            },
            SkipReason::UnknownStatus { status } => match self.lang {
                Language::Nb => format!("Status «{}» er ingen konfigurert fase", cell(status)),
                Language::En => format!("Status “{}” is not a configured phase", cell(status)),
            },
            SkipReason::Other { detail } => cell(detail),
        }
    }

    /// Every initiative, folded away: the sections above are what the meeting reads.
    fn time_in_phase(&mut self) {
        let r = self.report;
        let summary = match self.lang {
            Language::Nb => format!("Tid i fase for alle tiltak ({})", r.time_in_phase.len()),
            Language::En => format!(
                "Time in phase, every initiative ({})",
                r.time_in_phase.len()
            ),
        };
        let _ = write!(self.out, "\n<details>\n<summary>{summary}</summary>\n\n");
        if r.time_in_phase.is_empty() {
            self.none();
        } else {
            let unknown = self.t("ukjent", "unknown");
            let rows = r
                .time_in_phase
                .iter()
                .map(|t| {
                    let stale = if t.stale { " ⚠️" } else { "" };
                    vec![
                        self.link(&t.initiative),
                        cell(&t.phase),
                        t.since
                            .map_or_else(|| unknown.to_string(), |d| d.to_string()),
                        t.days
                            .map_or_else(|| unknown.to_string(), |d| format!("{d}{stale}")),
                    ]
                })
                .collect();
            let headers = [
                self.t("Tiltak", "Initiative"),
                self.t("Fase", "Phase"),
                self.t("Status endret", "Status changed"),
                self.t("Dager", "Days"),
            ];
            self.table(&headers, rows);
        }
        self.out.push_str("\n</details>\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i64, m: u32, d: u32) -> Day {
        Day::from_ymd(y, m, d).expect("a valid date")
    }

    #[test]
    fn days_count_from_1970() {
        assert_eq!(day(1970, 1, 1), Day(0));
        assert_eq!(day(1970, 1, 2), Day(1));
        assert_eq!(day(1969, 12, 31), Day(-1));
        assert_eq!(day(2000, 3, 1).days_since(day(2000, 2, 28)), 2); // 2000 is a leap year
        assert_eq!(day(1900, 3, 1).days_since(day(1900, 2, 28)), 1); // 1900 is not
        assert_eq!(day(2025, 11, 10).days_since(day(2025, 9, 2)), 69);
        assert_eq!(day(2025, 11, 10).to_string(), "2025-11-10");
    }

    #[test]
    fn every_day_of_four_centuries_round_trips() {
        let mut expected = day(1900, 1, 1).0;
        for y in 1900..2300 {
            for m in 1..=12 {
                for d in 1..=31 {
                    if let Some(found) = Day::from_ymd(y, m, d) {
                        assert_eq!(found.0, expected, "{y}-{m}-{d}");
                        expected += 1;
                    }
                }
            }
        }
        assert_eq!(expected, day(2300, 1, 1).0);
    }

    #[test]
    fn impossible_dates_are_refused() {
        assert_eq!(Day::from_ymd(2025, 2, 29), None);
        assert_eq!(Day::from_ymd(2025, 4, 31), None);
        assert_eq!(Day::from_ymd(2025, 13, 1), None);
        assert_eq!(Day::from_ymd(2025, 0, 1), None);
        assert!(Day::from_ymd(2024, 2, 29).is_some());
    }

    #[test]
    fn timestamps_are_read_as_their_utc_day() {
        let p = |s: &str| Day::parse(s).map(|d| d.to_string());
        assert_eq!(p("2025-11-03T13:10:00Z").as_deref(), Some("2025-11-03"));
        assert_eq!(p("2025-11-03").as_deref(), Some("2025-11-03"));
        assert_eq!(p("2025-11-03T13:10:00.123Z").as_deref(), Some("2025-11-03"));
        assert_eq!(
            p("2025-11-03T00:30:00+01:00").as_deref(),
            Some("2025-11-02")
        );
        assert_eq!(
            p("2025-11-03T23:30:00-01:00").as_deref(),
            Some("2025-11-04")
        );
        assert_eq!(p("2025-12-31T23:59:60Z").as_deref(), Some("2025-12-31"));
        for bad in [
            "",
            "yesterday",
            "2025-11-3",
            "2025-02-30T00:00:00Z",
            "2025-11-03T25:00:00Z",
            "2025-11-03T13:10:00",
            "2025-11-03T13:10:00.Z",
            "2025-11-03T13:10:00+0100",
            "2025-11-03X13:10:00Z",
            "+025-11-03",
            "2025-11-03T13:10:00Zjunk",
            "2025-11-0ø",
        ] {
            assert_eq!(Day::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn weekdays_and_iso_weeks() {
        assert_eq!(day(2025, 11, 10).weekday(), 0); // a Monday
        assert_eq!(day(2025, 11, 16).weekday(), 6);
        assert_eq!(day(2025, 11, 10).iso_week(), 46);
        assert_eq!(day(2021, 1, 3).iso_week(), 53); // belongs to 2020's last week
        assert_eq!(day(2024, 12, 30).iso_week(), 1); // belongs to 2025's first week
        assert_eq!(day(2026, 1, 1).iso_week(), 1);
        assert_eq!(
            long_date(day(2025, 11, 10), Language::Nb),
            "mandag 10. november 2025"
        );
        assert_eq!(
            long_date(day(2025, 11, 10), Language::En),
            "Monday 10 November 2025"
        );
    }

    #[test]
    fn mermaid_labels_cannot_break_out() {
        assert_eq!(
            mermaid_text("Fase \"A\" #1\\ 50%"),
            "Fase #quot;A#quot; #35;1#92; 50#37;"
        );
        assert_eq!(mermaid_text("two\nlines"), "two lines");
        assert_eq!(mermaid_text("Utført æøå"), "Utført æøå");
        let pie = mermaid_pie("T", &[("a".into(), 0), ("b".into(), 2)]).unwrap_or_default();
        assert_eq!(
            pie,
            "```mermaid\npie showData\n    title T\n    \"b\" : 2\n```\n"
        );
        assert_eq!(mermaid_pie("T", &[("a".into(), 0)]), None);
    }

    #[test]
    fn cells_keep_tables_whole() {
        assert_eq!(cell(" a | b\nc <x> [l] "), "a \\| b c &lt;x&gt; \\[l\\]");
    }

    #[test]
    fn cutting_keeps_whole_characters_and_lines() {
        assert_eq!(cut("abc\nøøø\n", 6), "abc\n");
        assert_eq!(cut("ø", 1), "");
        assert_eq!(cut("abc\n", 100), "abc\n");
    }
}
