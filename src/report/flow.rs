//! Portfolio flow: how initiatives move through the phases over time. PURE: no I/O, no clock.
//!
//! The history of an initiative is the history of its phase labels (the bot's record of accepted phases), read from
//! the issue's timeline, plus the board's Status for where it stands now. What the history cannot say is reported as
//! unknown, never guessed:
//!
//! - a phase entered before the bot labelled the issue has an unknown start, except the current phase, whose start is
//!   the Status field's `updatedAt` (when the Status last changed), and the first phase of an initiative that was
//!   labelled from its start (its start is the issue's creation);
//! - a history GitHub had more of than was read (one page) starts unknown;
//! - a removed phase label does not move the initiative: only adding one does (a person may tidy labels away, the
//!   card stays where it is).
//!
//! The metrics: time in each phase (per initiative, and median and 85th percentile per phase over finished stays),
//! lead time from the phase after the first to the first handoff phase, throughput per quarter, work in progress
//! per phase week by week (cumulative flow), load per team and per product group, and aging (days in the current
//! phase against `stale_days`).

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Day, TimeInPhase};
use crate::board::{History, Issue, Item, LabelAction};
use crate::config::Config;
use crate::phase::PhaseIdx;
use crate::reconcile;

/// Weeks of cumulative flow shown: a year back from the report's date.
pub const FLOW_WEEKS: i64 = 52;
/// Quarters of throughput shown at least (the current one and the four before it), at most [`MAX_QUARTERS`].
const MIN_QUARTERS: usize = 5;
const MAX_QUARTERS: usize = 12;

/// One initiative as the flow sees it.
pub struct Subject<'a> {
    pub item: &'a Item,
    pub issue: &'a Issue,
    /// The phase it stands in now, as the report counts it.
    pub phase: PhaseIdx,
    /// Open and on the board: counts for load. Closed and archived initiatives count only for history.
    pub active: bool,
}

/// Every flow metric. Serialised as `flow` in the JSON report.
#[derive(Debug, Clone, Serialize)]
pub struct Flow {
    /// The first day of the cumulative flow (a year before the report's date).
    pub since: Day,
    /// The phases, in process order: the order of `counts` in `cumulative_flow`.
    pub phases: Vec<String>,
    pub time_in_phase: Vec<PhaseTime>,
    pub lead_time: LeadTime,
    pub throughput: Throughput,
    pub cumulative_flow: Vec<WipPoint>,
    pub load: Load,
    /// Open initiatives before the last phase, oldest in their phase first: days in phase against the limit.
    pub aging: Vec<TimeInPhase>,
    /// Every initiative's stays, in order.
    pub initiatives: Vec<FlowInitiative>,
}

/// How long finished stays in one phase took.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhaseTime {
    pub phase: String,
    /// Stays that began and ended on known days: what the median and the percentile are of.
    pub finished: usize,
    pub median_days: Option<u32>,
    pub p85_days: Option<u32>,
    /// Stays that ended, but began before the history starts.
    pub unknown_start: usize,
    /// Initiatives in the phase now.
    pub ongoing: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeadTime {
    /// From entering this phase (or a later one, when it was skipped) ...
    pub from: String,
    /// ... to entering this one (the first handoff phase; the last phase without one).
    pub to: String,
    pub count: usize,
    pub median_days: Option<u32>,
    pub p85_days: Option<u32>,
    pub initiatives: Vec<Lead>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lead {
    pub item: String,
    pub started: Day,
    pub arrived: Day,
    pub days: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Throughput {
    /// The phase whose entries are counted as `entered` (the first handoff phase).
    pub entered_phase: String,
    /// The phase whose entries are counted as `reached` (the last phase).
    pub reached_phase: String,
    pub quarters: Vec<Quarter>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Quarter {
    /// `2025-Q3`.
    pub quarter: String,
    pub entered: usize,
    pub reached: usize,
}

/// Work in progress on one day: initiatives per phase, in process order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WipPoint {
    pub date: Day,
    pub counts: Vec<usize>,
}

/// Who carries how much: open initiatives under way (after the first phase, before the last).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Load {
    /// The number field summed as effort (`report.effort_field`), when configured.
    pub effort_field: Option<String>,
    /// The field that names the product group (`report.group_field`), when configured.
    pub group_field: Option<String>,
    pub teams: Vec<LoadEntry>,
    pub groups: Vec<LoadEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoadEntry {
    /// The team or group; `None` for initiatives that name none.
    pub name: Option<String>,
    pub initiatives: usize,
    /// The sum of the effort field over those that have it; `None` when none has.
    pub effort: Option<f64>,
    /// How many have no effort value.
    pub without_effort: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlowInitiative {
    pub item: String,
    pub phase: String,
    /// `complete`, `partial` (older events were not read) or `none` (no history was read).
    pub history: HistoryKind,
    pub stays: Vec<Stay>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HistoryKind {
    Complete,
    Partial,
    None,
}

/// A time in one phase.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stay {
    pub phase: String,
    /// When it entered the phase; `None` when that is before what the history knows.
    pub entered: Option<Day>,
    /// The first day it is known to have been in the phase.
    pub seen_from: Day,
    /// When it left; `None` while it is still there.
    pub left: Option<Day>,
    /// Days in the phase, when its start is known (to today for the current phase).
    pub days: Option<u32>,
}

/// A stay while it is worked out, with the phase as an index.
#[derive(Debug, Clone, PartialEq)]
struct Span {
    phase: PhaseIdx,
    entered: Option<Day>,
    seen_from: Day,
    left: Option<Day>,
}

/// Builds every flow metric from the initiatives and the report's time-in-phase rows (aging reuses them, so the
/// page shows one answer to "how long has it been in its phase").
pub fn build(config: &Config, subjects: &[Subject], times: &[TimeInPhase], today: Day) -> Flow {
    // Each history is decoded once: it is the largest part of an item.
    let histories: Vec<Option<History>> = subjects.iter().map(|s| s.item.history()).collect();
    let spans: Vec<Vec<Span>> = subjects
        .iter()
        .zip(&histories)
        .map(|(s, h)| spans(config, h.as_ref(), s.item, s.phase, today))
        .collect();
    let last = config.phases.len().saturating_sub(1);
    let initiatives = subjects
        .iter()
        .zip(&spans)
        .zip(&histories)
        .map(|((s, spans), history)| FlowInitiative {
            item: s.issue.reference().to_string(),
            phase: config.phases.get(s.phase).name.clone(),
            history: match history {
                Some(h) if h.complete => HistoryKind::Complete,
                Some(_) => HistoryKind::Partial,
                None => HistoryKind::None,
            },
            stays: spans.iter().map(|sp| stay(config, sp, today)).collect(),
        })
        .collect();
    let aging = times
        .iter()
        .filter(|t| config.phases.get(last).name != t.phase)
        .cloned()
        .collect();
    Flow {
        since: today.plus_days(-7 * FLOW_WEEKS),
        phases: config.phases.iter().map(|(_, p)| p.name.clone()).collect(),
        time_in_phase: phase_times(config, &spans),
        lead_time: lead_time(config, subjects, &spans),
        throughput: throughput(config, &spans, today),
        cumulative_flow: cumulative_flow(config, &spans, today),
        load: load(config, subjects),
        aging,
        initiatives,
    }
}

/// The phase a new initiative starts in.
fn start_phase(config: &Config) -> PhaseIdx {
    config.sync.no_status
}

/// The stays of one initiative, oldest first; the last is the phase it stands in now.
fn spans(
    config: &Config,
    history: Option<&History>,
    item: &Item,
    now: PhaseIdx,
    today: Day,
) -> Vec<Span> {
    let status_day = item.status_updated_at.as_deref().and_then(Day::parse);
    let mut out: Vec<Span> = Vec::new();
    if let Some(history) = history {
        let created = history.created.as_deref().and_then(Day::parse);
        let mut events: Vec<(Day, PhaseIdx)> = history
            .labels
            .iter()
            .filter(|e| e.event == LabelAction::Labeled)
            .filter_map(|e| Some((Day::parse(&e.at)?, config.phase_of_label(&e.label)?)))
            .collect();
        // Stable: events of one moment keep GitHub's order.
        events.sort_by_key(|(day, _)| *day);
        for (day, phase) in events {
            match out.last_mut() {
                Some(open) if open.phase == phase => continue,
                Some(open) => open.left = Some(day),
                None => {}
            }
            let entered = if !out.is_empty() {
                Some(day)
            } else if history.complete && phase == start_phase(config) {
                // Labelled in the phase every initiative starts in, with nothing before: it began there.
                created.filter(|c| *c <= day).or(Some(day))
            } else {
                // The first label the bot set (adopting the card) says when it saw it, not when it entered.
                None
            };
            out.push(Span {
                phase,
                entered,
                seen_from: day,
                left: None,
            });
        }
    }
    match out.last_mut() {
        Some(open) if open.phase == now => {
            // Entered before the history starts: the Status's last change is when it came here, if that is
            // no later than the history first saw it.
            if open.entered.is_none() {
                open.entered = status_day.filter(|d| *d <= open.seen_from);
                open.seen_from = open.entered.unwrap_or(open.seen_from);
            }
        }
        Some(open) => {
            // The board moved on since the last phase label (a move about to be accepted, a closed issue the bot
            // leaves alone): the Status changed when it did, if that is after the label.
            let switch = status_day.filter(|d| *d >= open.seen_from);
            let seen_from = switch.unwrap_or(today);
            open.left = Some(seen_from);
            out.push(Span {
                phase: now,
                entered: switch,
                seen_from,
                left: None,
            });
        }
        None => out.push(Span {
            phase: now,
            entered: status_day,
            seen_from: status_day.unwrap_or(today),
            left: None,
        }),
    }
    out
}

fn days_between(from: Day, to: Day) -> u32 {
    u32::try_from(to.days_since(from).max(0)).unwrap_or(u32::MAX)
}

fn stay(config: &Config, span: &Span, today: Day) -> Stay {
    Stay {
        phase: config.phases.get(span.phase).name.clone(),
        entered: span.entered,
        seen_from: span.seen_from,
        left: span.left,
        days: span
            .entered
            .map(|from| days_between(from, span.left.unwrap_or(today))),
    }
}

/// The `p`th percentile by nearest rank (the smallest value with at least `p` % of all at or below it).
pub fn percentile(sorted: &[u32], p: u32) -> Option<u32> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (sorted.len() * p as usize).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

fn phase_times(config: &Config, spans: &[Vec<Span>]) -> Vec<PhaseTime> {
    config
        .phases
        .iter()
        .map(|(i, p)| {
            let of_phase = spans.iter().flatten().filter(|s| s.phase == i);
            let mut finished = Vec::new();
            let (mut unknown_start, mut ongoing) = (0, 0);
            for s in of_phase {
                match (s.entered, s.left) {
                    (Some(from), Some(to)) => finished.push(days_between(from, to)),
                    (None, Some(_)) => unknown_start += 1,
                    (_, None) => ongoing += 1,
                }
            }
            finished.sort_unstable();
            PhaseTime {
                phase: p.name.clone(),
                finished: finished.len(),
                median_days: percentile(&finished, 50),
                p85_days: percentile(&finished, 85),
                unknown_start,
                ongoing,
            }
        })
        .collect()
}

/// The first handoff phase, else the last phase: where "delivery" starts.
fn delivery_phase(config: &Config) -> PhaseIdx {
    config
        .phases
        .iter()
        .find(|(_, p)| p.handoff)
        .map_or(config.phases.len().saturating_sub(1), |(i, _)| i)
}

fn lead_time(config: &Config, subjects: &[Subject], spans: &[Vec<Span>]) -> LeadTime {
    // From the phase after the one initiatives start in: the backlog is waiting, not work.
    let from = (start_phase(config) + 1).min(config.phases.len().saturating_sub(1));
    let to = delivery_phase(config);
    let mut initiatives: Vec<Lead> = subjects
        .iter()
        .zip(spans)
        .filter_map(|(s, spans)| {
            // Known only when it was seen before the destination: a card first seen there has no start.
            let first = spans.iter().find(|sp| sp.phase >= from)?;
            let started = first.entered.filter(|_| first.phase < to)?;
            let arrived = spans
                .iter()
                .find(|sp| sp.phase >= to && sp.entered.is_some_and(|d| d >= started))?
                .entered?;
            Some(Lead {
                item: s.issue.reference().to_string(),
                started,
                arrived,
                days: days_between(started, arrived),
            })
        })
        .collect();
    initiatives.sort_by(|a, b| (a.arrived, &a.item).cmp(&(b.arrived, &b.item)));
    let mut days: Vec<u32> = initiatives.iter().map(|l| l.days).collect();
    days.sort_unstable();
    LeadTime {
        from: config.phases.get(from).name.clone(),
        to: config.phases.get(to).name.clone(),
        count: days.len(),
        median_days: percentile(&days, 50),
        p85_days: percentile(&days, 85),
        initiatives,
    }
}

fn quarter_name((year, q): (i64, u32)) -> String {
    format!("{year}-Q{q}")
}

fn previous_quarter((year, q): (i64, u32)) -> (i64, u32) {
    if q == 1 {
        (year - 1, 4)
    } else {
        (year, q - 1)
    }
}

/// Entries into the delivery phase and into the last phase, per calendar quarter. A move that skips over the
/// phase counts as entering it.
fn throughput(config: &Config, spans: &[Vec<Span>], today: Day) -> Throughput {
    let delivery = delivery_phase(config);
    let last = config.phases.len().saturating_sub(1);
    let mut counts: BTreeMap<(i64, u32), (usize, usize)> = BTreeMap::new();
    for spans in spans {
        for pair in spans.windows(2) {
            let (before, after) = (&pair[0], &pair[1]);
            let Some(day) = after.entered else { continue };
            let entry = counts.entry(day.quarter()).or_default();
            if before.phase < delivery && after.phase >= delivery {
                entry.0 += 1;
            }
            if before.phase < last && after.phase == last {
                entry.1 += 1;
            }
        }
    }
    let now = today.quarter();
    let earliest = counts.keys().next().copied().unwrap_or(now);
    let mut quarters = vec![now];
    let mut q = now;
    while quarters.len() < MAX_QUARTERS && (quarters.len() < MIN_QUARTERS || q > earliest) {
        q = previous_quarter(q);
        quarters.push(q);
    }
    quarters.reverse();
    Throughput {
        entered_phase: config.phases.get(delivery).name.clone(),
        reached_phase: config.phases.get(last).name.clone(),
        quarters: quarters
            .into_iter()
            .map(|q| {
                let (entered, reached) = counts.get(&q).copied().unwrap_or_default();
                Quarter {
                    quarter: quarter_name(q),
                    entered,
                    reached,
                }
            })
            .collect(),
    }
}

/// Initiatives per phase on the report's weekday, every week of the last year: each stay counts from the first
/// day it is known to be in its phase until it left.
fn cumulative_flow(config: &Config, spans: &[Vec<Span>], today: Day) -> Vec<WipPoint> {
    let weeks = FLOW_WEEKS as usize + 1;
    // Per phase, a difference array over the weeks: +1 where a stay starts counting, -1 after it ends.
    let mut diff = vec![vec![0i64; weeks + 1]; config.phases.len()];
    let first = today.plus_days(-7 * FLOW_WEEKS);
    // The week index of the first sample on or after `day`.
    let week_at = |day: Day| -> usize {
        let d = day.days_since(first);
        if d <= 0 {
            0
        } else {
            usize::try_from((d + 6) / 7)
                .unwrap_or(usize::MAX)
                .min(weeks)
        }
    };
    for span in spans.iter().flatten() {
        let start = week_at(span.seen_from);
        // A stay that ended on a sample day no longer counts on it: it had moved on.
        let end = span.left.map_or(weeks, week_at);
        if start < end {
            diff[span.phase][start] += 1;
            diff[span.phase][end] -= 1;
        }
    }
    let mut running = vec![0i64; config.phases.len()];
    (0..weeks)
        .map(|w| {
            for (phase, d) in diff.iter().enumerate() {
                running[phase] += d[w];
            }
            WipPoint {
                date: first.plus_days(7 * w as i64),
                counts: running
                    .iter()
                    .map(|n| usize::try_from(*n).unwrap_or(0))
                    .collect(),
            }
        })
        .collect()
}

/// A number field's value as effort (`12`, `"12"`, `"12,5"`).
fn effort(item: &Item, field: &str) -> Option<f64> {
    let text = item.field_text(field)?;
    text.replace(',', ".")
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite())
}

fn load(config: &Config, subjects: &[Subject]) -> Load {
    let last = config.phases.len().saturating_sub(1);
    let start = start_phase(config);
    let under_way: Vec<&Subject> = subjects
        .iter()
        .filter(|s| s.active && s.phase != start && s.phase != last)
        .collect();
    let effort_field = config.report.effort_field.clone();
    let group_field = config.report.group_field.clone();
    let tally = |names_of: &dyn Fn(&Subject) -> Vec<String>| -> Vec<LoadEntry> {
        let mut by_name: BTreeMap<Option<String>, LoadEntry> = BTreeMap::new();
        for s in &under_way {
            let names = names_of(s);
            let keys: Vec<Option<String>> = if names.is_empty() {
                vec![None]
            } else {
                names.into_iter().map(Some).collect()
            };
            let value = effort_field.as_deref().and_then(|f| effort(s.item, f));
            // An initiative shared by two teams counts in full for each: each carries it.
            for key in keys {
                let entry = by_name.entry(key.clone()).or_insert(LoadEntry {
                    name: key,
                    initiatives: 0,
                    effort: None,
                    without_effort: 0,
                });
                entry.initiatives += 1;
                match value {
                    Some(v) => entry.effort = Some(entry.effort.unwrap_or(0.0) + v),
                    None => entry.without_effort += 1,
                }
            }
        }
        let mut out: Vec<LoadEntry> = by_name.into_values().collect();
        // Heaviest first; those with no name last.
        out.sort_by(|a, b| {
            (a.name.is_none(), std::cmp::Reverse(a.initiatives), &a.name).cmp(&(
                b.name.is_none(),
                std::cmp::Reverse(b.initiatives),
                &b.name,
            ))
        });
        out
    };
    let teams = tally(&|s: &Subject| reconcile::item_teams(config, s.item, s.issue));
    let groups = match group_field.as_deref() {
        Some(field) => tally(&|s: &Subject| s.item.field_text(field).into_iter().collect()),
        None => Vec::new(),
    };
    Load {
        effort_field,
        group_field,
        teams,
        groups,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn config() -> Config {
        crate::config::parse(
            r#"
[board]
owner = "o"
project = 1
repositories = ["o/p"]
[sync]
label_prefix = "phase/"
[report]
effort_field = "Effort"
group_field = "Group"
[handoff]
team_field = "Team"
[[phase]]
name = "Backlog"
[[phase]]
name = "Problem"
[[phase]]
name = "Concept"
[[phase]]
name = "Build"
handoff = true
[[phase]]
name = "Done"
"#,
            "test.toml",
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    fn day(text: &str) -> Day {
        Day::parse(text).expect("a date")
    }

    /// An item with label events `(date, label)`, all added by the bot.
    fn item(events: &[(&str, &str)], complete: bool, status_at: Option<&str>) -> Item {
        let labels: Vec<_> = events
            .iter()
            .map(|(at, label)| json!({"at": format!("{at}T06:00:00Z"), "event": "labeled", "label": label}))
            .collect();
        serde_json::from_value(json!({
            "id": "I", "type": "issue", "fields": {"Effort": 3, "Team": "A, B", "Group": "G"},
            "status_updated_at": status_at,
            "issue": {"repository": "o/p", "number": 1, "state": "open"},
            "history": {"labels": labels, "complete": complete, "created": "2025-01-01T09:00:00Z"}
        }))
        .expect("an item")
    }

    fn spans_of(item: &Item, now: PhaseIdx) -> Vec<(PhaseIdx, Option<Day>, Option<Day>)> {
        spans(
            &config(),
            item.history().as_ref(),
            item,
            now,
            day("2025-12-01"),
        )
        .into_iter()
        .map(|s| (s.phase, s.entered, s.left))
        .collect()
    }

    #[test]
    fn labels_give_the_stays_and_the_first_phase_starts_at_creation() {
        let it = item(
            &[
                ("2025-01-05", "phase/backlog"),
                ("2025-02-01", "phase/problem"),
                ("2025-03-01", "phase/concept"),
            ],
            true,
            None,
        );
        assert_eq!(
            spans_of(&it, 2),
            vec![
                (0, Some(day("2025-01-01")), Some(day("2025-02-01"))),
                (1, Some(day("2025-02-01")), Some(day("2025-03-01"))),
                (2, Some(day("2025-03-01")), None),
            ]
        );
    }

    #[test]
    fn an_adopted_phase_has_an_unknown_start_unless_the_status_says() {
        // Adopted in Problem: when it got there is before the bot.
        let it = item(
            &[
                ("2025-02-01", "phase/problem"),
                ("2025-03-01", "phase/concept"),
            ],
            true,
            None,
        );
        assert_eq!(spans_of(&it, 2)[0], (1, None, Some(day("2025-03-01"))));
        // Still in the adopted phase: the Status's last change (before the label) is its start.
        let it = item(
            &[("2025-02-01", "phase/problem")],
            true,
            Some("2025-01-20T10:00:00Z"),
        );
        assert_eq!(spans_of(&it, 1), vec![(1, Some(day("2025-01-20")), None)]);
        // A Status change after the label says nothing about the entry (a reverted move changes it too).
        let it = item(
            &[("2025-02-01", "phase/problem")],
            true,
            Some("2025-04-01T10:00:00Z"),
        );
        assert_eq!(spans_of(&it, 1), vec![(1, None, None)]);
    }

    #[test]
    fn a_partial_history_does_not_start_at_creation() {
        let it = item(&[("2025-01-05", "phase/backlog")], false, None);
        assert_eq!(spans_of(&it, 0), vec![(0, None, None)]);
    }

    #[test]
    fn a_board_ahead_of_the_labels_adds_the_current_phase_from_the_status() {
        let it = item(
            &[("2025-01-05", "phase/backlog")],
            true,
            Some("2025-06-01T08:00:00Z"),
        );
        assert_eq!(
            spans_of(&it, 3),
            vec![
                (0, Some(day("2025-01-01")), Some(day("2025-06-01"))),
                (3, Some(day("2025-06-01")), None),
            ]
        );
    }

    #[test]
    fn no_history_is_the_status_date_or_nothing() {
        let mut it = item(&[], true, Some("2025-06-01T08:00:00Z"));
        it.extra.remove(crate::board::HISTORY_KEY);
        assert_eq!(spans_of(&it, 2), vec![(2, Some(day("2025-06-01")), None)]);
        it.status_updated_at = None;
        assert_eq!(spans_of(&it, 2), vec![(2, None, None)]);
    }

    #[test]
    fn metrics_of_two_initiatives() {
        let config = config();
        let a = item(
            &[
                ("2025-01-05", "phase/backlog"),
                ("2025-02-01", "phase/problem"),
                ("2025-04-01", "phase/build"),
                ("2025-08-01", "phase/done"),
            ],
            true,
            None,
        );
        let b = item(
            &[
                ("2025-03-01", "phase/backlog"),
                ("2025-03-11", "phase/problem"),
            ],
            true,
            None,
        );
        let issue = a.issue.clone().expect("issue");
        let subjects = [
            Subject {
                item: &a,
                issue: &issue,
                phase: 4,
                active: false,
            },
            Subject {
                item: &b,
                issue: &issue,
                phase: 1,
                active: true,
            },
        ];
        let flow = build(&config, &subjects, &[], day("2025-12-01"));
        let problem = &flow.time_in_phase[1];
        assert_eq!(
            (problem.finished, problem.median_days, problem.ongoing),
            (1, Some(59), 1)
        );
        assert_eq!(flow.lead_time.count, 1);
        assert_eq!(
            flow.lead_time.initiatives[0].days, 59,
            "Problem 02-01 to Build 04-01"
        );
        let q = |name: &str| {
            flow.throughput
                .quarters
                .iter()
                .find(|q| q.quarter == name)
                .cloned()
        };
        assert_eq!(q("2025-Q2").map(|q| (q.entered, q.reached)), Some((1, 0)));
        assert_eq!(q("2025-Q3").map(|q| (q.entered, q.reached)), Some((0, 1)));
        assert_eq!(
            flow.throughput.quarters.last().map(|q| q.quarter.as_str()),
            Some("2025-Q4")
        );
        // The last sample is the report's day: one done, one in Problem.
        let last = flow.cumulative_flow.last().expect("points");
        assert_eq!(
            (last.date, last.counts.clone()),
            (day("2025-12-01"), vec![0, 1, 0, 0, 1])
        );
        assert_eq!(flow.cumulative_flow.len(), 53);
        // Only the open one under way counts for load, for both of its teams, with its effort.
        let teams: Vec<_> = flow
            .load
            .teams
            .iter()
            .map(|t| (t.name.clone(), t.initiatives, t.effort))
            .collect();
        assert_eq!(
            teams,
            vec![
                (Some("A".into()), 1, Some(3.0)),
                (Some("B".into()), 1, Some(3.0))
            ]
        );
        assert_eq!(flow.load.groups[0].name.as_deref(), Some("G"));
    }

    #[test]
    fn percentiles_by_nearest_rank() {
        assert_eq!(percentile(&[], 50), None);
        assert_eq!(percentile(&[7], 85), Some(7));
        let v: Vec<u32> = (1..=20).collect();
        assert_eq!(percentile(&v, 50), Some(10));
        assert_eq!(percentile(&v, 85), Some(17));
        assert_eq!(percentile(&[1, 2, 3, 100], 50), Some(2));
        assert_eq!(percentile(&[1, 2, 3, 100], 85), Some(100));
    }
}
