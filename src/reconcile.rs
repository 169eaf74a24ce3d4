//! PURE: configuration + board → plan. No I/O, no clock.
//!
//! Level-triggered: the plan is computed from what the board and the issue show now, so a run that failed half way
//! is finished by the next, and a run over a board with nothing new plans nothing.

use std::collections::BTreeSet;

use crate::approval::Approvals;
use crate::board::{Issue, IssueState, Item, ItemKind, Snapshot};
use crate::body::Body;
use crate::config::{ClosedPolicy, Config, OnViolation};
use crate::markdown;
use crate::marker::{find_marked, Marker};
use crate::memory;
use crate::messages::{self, Handoff, PhaseChecks, Texts};
use crate::phase::PhaseIdx;
use crate::plan::{Action, Change, Decision, Outcome, Plan};
use crate::rules::{self, Check, Subject};

/// Reconciles every item of the board.
pub fn reconcile(config: &Config, snapshot: &Snapshot) -> Plan {
    let cx = Reconciler::new(config, &snapshot.bot);
    let mut plan = Plan::default();
    for item in &snapshot.items {
        cx.item(item, None, &mut plan);
    }
    plan
}

/// The issues whose comments reconcile needs before it can decide: those whose card moved across a phase that
/// requires a decision (forward, to check it; backward, to void it), when their comments were not read. Everything
/// else is decided from the board alone, so an unchanged board reads no comments.
pub fn needs_comments(config: &Config, snapshot: &Snapshot) -> Vec<crate::board::IssueRef> {
    if config
        .phases
        .iter()
        .all(|(_, p)| rules::required_forums(&p.require).is_empty())
    {
        return Vec::new();
    }
    let gated = |from: PhaseIdx, to: PhaseIdx| {
        (from.min(to) + 1..=from.max(to))
            .any(|p| !rules::required_forums(&config.phases.get(p).require).is_empty())
    };
    let cx = Reconciler::new(config, &snapshot.bot);
    snapshot
        .items
        .iter()
        .filter_map(|item| {
            let issue = cx.skip_reason(item).ok()?;
            if issue.comments.is_some() {
                return None;
            }
            let board = board_phase(config, item).ok()?;
            let accepted = accepted_phase(config, &snapshot.bot, item, issue, board)?;
            (accepted != board && gated(accepted, board)).then(|| issue.reference())
        })
        .collect()
}

/// Reconciles one item; with `requested`, as if its card stood in that phase (a `/fase` command).
pub fn reconcile_item(
    config: &Config,
    bot: &str,
    item: &Item,
    requested: Option<PhaseIdx>,
) -> Plan {
    let mut plan = Plan::default();
    Reconciler::new(config, bot).item(item, requested, &mut plan);
    plan
}

/// One board item right after `moved_by` changed its card (a `projects_v2_item` event): as [`reconcile_item`], and
/// a refusal names that person, so that whoever dragged the card learns why it went back.
pub fn reconcile_moved_item(config: &Config, bot: &str, item: &Item, moved_by: &str) -> Plan {
    let mut plan = Plan::default();
    let reconciler = Reconciler {
        moved_by: Some(moved_by),
        ..Reconciler::new(config, bot)
    };
    reconciler.item(item, None, &mut plan);
    plan
}

/// The checks of the phase after `current`, for the living status comment; `None` in the last phase.
pub fn next_phase_checks<'c>(
    config: &'c Config,
    bot: &str,
    item: &Item,
    issue: &Issue,
    current: PhaseIdx,
) -> Option<PhaseChecks<'c>> {
    let next = current + 1;
    (next < config.phases.len()).then(|| {
        let body = Body::parse(&issue.body);
        let approvals = approvals(issue, bot);
        phase_checks(config, item, issue, &body, approvals.as_ref(), next)
    })
}

/// The decisions recorded on an issue; `None` when its comments were not read.
pub fn approvals(issue: &Issue, bot: &str) -> Option<Approvals> {
    issue
        .comments
        .as_deref()
        .map(|comments| Approvals::read(comments, bot))
}

/// The phase of the card's Status column: the `no_status` phase when it has none, an error naming the Status when
/// it is no configured phase.
pub fn board_phase(config: &Config, item: &Item) -> Result<PhaseIdx, String> {
    match item.field_text(&config.board.status_field) {
        None => Ok(config.sync.no_status),
        Some(status) => config.phases.by_status(&status).ok_or_else(|| {
            config.sync.language.pick(
                format!("Status «{status}» er ikke en konfigurert fase"),
                format!("Status \"{status}\" is not a configured phase"),
            )
        }),
    }
}

/// Which phase the bot accepted, read off the phase labels it remembers ([`memory::remembered_phases`]: a label
/// a person added does not count), with the card standing in `board`: the one answer that the sync, `check` and
/// `/sjekk` share. With several, the board's phase wins if it is one of them; otherwise the earliest, so that a
/// later phase is never granted without its checks. `None` when the issue remembers no phase.
pub fn accepted_phase(
    config: &Config,
    bot: &str,
    item: &Item,
    issue: &Issue,
    board: PhaseIdx,
) -> Option<PhaseIdx> {
    accepted_of(&memory::remembered_phases(config, item, issue, bot), board)
}

fn accepted_of(remembered: &[PhaseIdx], board: PhaseIdx) -> Option<PhaseIdx> {
    if remembered.contains(&board) {
        return Some(board);
    }
    remembered.iter().copied().min()
}

/// The phase whose successor the status checklist shows: the accepted one, or for an issue with no phase label
/// the card's own, which the next sync adopts.
pub fn checklist_phase(config: &Config, bot: &str, item: &Item, issue: &Issue) -> PhaseIdx {
    let board = board_phase(config, item).unwrap_or(config.sync.no_status);
    accepted_phase(config, bot, item, issue, board).unwrap_or(board)
}

/// The status comment of an issue in phase `current`.
pub fn status_comment(
    config: &Config,
    bot: &str,
    item: &Item,
    issue: &Issue,
    current: PhaseIdx,
) -> String {
    let texts = texts(config);
    let next = next_phase_checks(config, bot, item, issue, current);
    messages::status_comment(&texts, &config.phases.get(current).name, next.as_ref())
}

pub fn texts(config: &Config) -> Texts {
    Texts::new(config.sync.language, config.texts.clone())
}

fn phase_checks<'c>(
    config: &'c Config,
    item: &Item,
    issue: &Issue,
    body: &Body,
    approvals: Option<&Approvals>,
    phase: PhaseIdx,
) -> PhaseChecks<'c> {
    let p = config.phases.get(phase);
    let subject = Subject {
        item,
        issue,
        body,
        phase: &p.name,
        phase_slug: &p.slug,
        approvals,
    };
    let rcx = rules::Context {
        language: config.sync.language,
        placeholders: &config.sync.placeholders,
        forums: &config.forums,
    };
    PhaseChecks {
        phase: &p.name,
        checks: rules::check_all(&p.require, &subject, &rcx),
        manual: &p.manual,
    }
}

/// Where an item stands, read off its card and its labels.
struct Standing {
    /// The phase of the card's Status column.
    on_board: PhaseIdx,
    /// The phase the card is to be in: its column, or the phase a command asks for.
    board: PhaseIdx,
    /// The phase the bot accepted last (its label), if any.
    accepted: Option<PhaseIdx>,
    /// Phase labels as written on the issue, with their phase.
    phase_labels: Vec<(String, PhaseIdx)>,
    /// The phases the bot remembers ([`memory::remembered_phases`]): a phase label not among them is a person's.
    remembered: Vec<PhaseIdx>,
    blocked: bool,
}

struct Reconciler<'a> {
    config: &'a Config,
    bot: &'a str,
    texts: Texts,
    /// Who last changed the card, when an event says so.
    moved_by: Option<&'a str>,
}

impl<'a> Reconciler<'a> {
    fn new(config: &'a Config, bot: &'a str) -> Self {
        Self {
            config,
            bot,
            texts: texts(config),
            moved_by: None,
        }
    }

    fn item(&self, item: &Item, requested: Option<PhaseIdx>, plan: &mut Plan) {
        let name = item.display_name();
        let issue = match self.skip_reason(item) {
            Err(reason) => {
                let to = item.field_text(&self.config.board.status_field);
                plan.decisions
                    .push(decision(&name, None, to, Outcome::Skipped, reason));
                return;
            }
            Ok(issue) => issue,
        };
        let standing = match self.standing(item, issue, requested) {
            Ok(s) => s,
            Err(reason) => {
                let to = item.field_text(&self.config.board.status_field);
                plan.decisions
                    .push(decision(&name, None, to, Outcome::Skipped, reason));
                return;
            }
        };
        let mut out = ItemOut {
            name: &name,
            issue,
            actions: Vec::new(),
        };
        let phase_name = |i: PhaseIdx| self.config.phases.get(i).name.clone();
        let from = standing.accepted.map(phase_name);
        let to = Some(phase_name(standing.board));
        let target = standing.board;

        let (outcome, reason, missing) = match standing.accepted {
            None => {
                let why = self
                    .texts
                    .pick("får fasen fra tavla", "adopts the board's phase");
                self.settle_labels(&mut out, &standing, target, why);
                let phase = phase_name(target);
                (
                    Outcome::Adopted,
                    self.texts.language.pick(
                        format!("ingen faseetikett ennå: får fasen {phase} fra tavla"),
                        format!("no phase label yet: adopts {phase}"),
                    ),
                    vec![],
                )
            }
            Some(accepted) if accepted == target => {
                if requested.is_some() {
                    let why = self
                        .texts
                        .pick("fasen ble bedt om på nytt", "the phase was asked for again");
                    self.upsert_status(&mut out, item, target, why);
                }
                self.move_card(&mut out, item, &standing, target);
                let why = self
                    .texts
                    .pick("retter faseetikettene", "repairs the phase labels");
                self.settle_labels(&mut out, &standing, target, why);
                let phase = phase_name(target);
                (
                    Outcome::Unchanged,
                    self.texts
                        .language
                        .pick(format!("står i {phase}"), format!("in {phase}")),
                    vec![],
                )
            }
            Some(accepted) if target < accepted && self.config.sync.allow_backward => {
                let why = self.texts.pick("flyttet tilbake", "moved back");
                self.void_approvals(&mut out, accepted, target);
                self.accept(&mut out, item, &standing, target, why, None);
                let phase = phase_name(accepted);
                (
                    Outcome::Accepted,
                    self.texts.language.pick(
                        format!("flyttet tilbake fra {phase}"),
                        format!("moved back from {phase}"),
                    ),
                    vec![],
                )
            }
            Some(accepted) if target < accepted => {
                let rule = self.texts.pick(
                    "Flytting bakover er ikke tillatt",
                    "Backward moves are not allowed",
                );
                let failing = [PhaseChecks {
                    phase: &self.config.phases.get(target).name,
                    checks: vec![Check {
                        criterion: rule.to_string(),
                        problem: Some(String::new()),
                    }],
                    manual: &[],
                }];
                self.reject(
                    &mut out,
                    item,
                    &standing,
                    accepted,
                    &failing,
                    requested.is_some(),
                );
                (
                    Outcome::Rejected,
                    self.texts
                        .pick(
                            "flytting bakover er ikke tillatt",
                            "backward moves are not allowed",
                        )
                        .to_string(),
                    missing_lines(&failing),
                )
            }
            Some(accepted) => {
                let body = Body::parse(&issue.body);
                let approvals = approvals(issue, self.bot);
                let failing: Vec<PhaseChecks> = (accepted + 1..=target)
                    .map(|p| phase_checks(self.config, item, issue, &body, approvals.as_ref(), p))
                    .filter(|pc| pc.checks.iter().any(|c| !c.met()))
                    .collect();
                if failing.is_empty() {
                    let why = self.texts.pick("kravene er oppfylt", "requirements met");
                    let handoffs = (&body, accepted + 1..=target);
                    self.accept(&mut out, item, &standing, target, why, Some(handoffs));
                    let phase = phase_name(target);
                    (
                        Outcome::Accepted,
                        self.texts.language.pick(
                            format!("kravene til {phase} er oppfylt"),
                            format!("requirements of {phase} met"),
                        ),
                        vec![],
                    )
                } else {
                    let missing = missing_lines(&failing);
                    self.reject(
                        &mut out,
                        item,
                        &standing,
                        accepted,
                        &failing,
                        requested.is_some(),
                    );
                    let reason = unmet(&failing, &self.texts);
                    (Outcome::Rejected, reason, missing)
                }
            }
        };
        let mut d = decision(&name, from, to, outcome, reason);
        d.missing = missing;
        plan.decisions.push(d);
        plan.actions.extend(out.actions);
    }

    /// Items the bot never touches, and why; otherwise the issue.
    fn skip_reason<'i>(&self, item: &'i Item) -> Result<&'i Issue, String> {
        let t = |nb: &str, en: &str| self.texts.pick(nb, en).to_string();
        if item.archived {
            return Err(t("arkivert", "archived"));
        }
        match item.kind {
            ItemKind::Draft => return Err(t("utkast", "draft issue")),
            ItemKind::PullRequest => return Err(t("pull request", "pull request")),
            ItemKind::Other => return Err(t("ikke en sak", "not an issue")),
            ItemKind::Issue => {}
        }
        let issue = item.issue.as_ref().ok_or_else(|| {
            t(
                "tavla mangler innholdet i saken",
                "issue content missing from the board data",
            )
        })?;
        if !self.config.is_board_repository(&issue.repository) {
            let repo = &issue.repository;
            return Err(self.texts.language.pick(
                format!("fra {repo}, som ikke er ett av tavlas repositorier"),
                format!("from {repo}, not a configured repository"),
            ));
        }
        if issue.state == IssueState::Closed && self.config.sync.closed == ClosedPolicy::Ignore {
            return Err(t("lukket", "closed"));
        }
        Ok(issue)
    }

    fn standing(
        &self,
        item: &Item,
        issue: &Issue,
        requested: Option<PhaseIdx>,
    ) -> Result<Standing, String> {
        let on_board = match board_phase(self.config, item) {
            Ok(p) => p,
            // A command names its phase itself; the card's odd column is then simply replaced.
            Err(_) if requested.is_some() => self.config.sync.no_status,
            Err(reason) => return Err(reason),
        };
        let board = requested.unwrap_or(on_board);
        let phase_labels: Vec<(String, PhaseIdx)> = issue
            .labels
            .iter()
            .filter_map(|l| self.config.phase_of_label(l).map(|p| (l.clone(), p)))
            .collect();
        let remembered = memory::remembered_phases(self.config, item, issue, self.bot);
        let accepted = match accepted_of(&remembered, board) {
            // A command on an unlabelled issue moves it from where its card stands, with the checks.
            None if requested.is_some() => Some(on_board),
            None if !self.config.sync.adopt_unlabelled => Some(self.config.sync.no_status),
            a => a,
        };
        Ok(Standing {
            on_board,
            board,
            accepted,
            phase_labels,
            remembered,
            blocked: issue.has_label(&self.config.sync.blocked_label),
        })
    }

    /// Leaves exactly the label of `phase` and no blocked label.
    fn settle_labels(&self, out: &mut ItemOut, standing: &Standing, phase: PhaseIdx, reason: &str) {
        let label = self.config.phase_label(phase);
        let present = standing.phase_labels.iter().find(|(_, p)| *p == phase);
        let persons = present.filter(|_| !standing.remembered.contains(&phase));
        if let Some((written, _)) = persons {
            // GitHub records no event for adding a label that is there: taken off and put back, the label is the
            // bot's in the history, which is what the next run reads.
            out.push(
                Change::RemoveLabel {
                    issue: out.issue.reference(),
                    label: written.clone(),
                },
                self.texts.pick(
                    "satt av en person; boten setter sin egen",
                    "set by a person; the bot sets its own",
                ),
            );
        }
        if present.is_none() || persons.is_some() {
            out.push(
                Change::AddLabel {
                    issue: out.issue.reference(),
                    label,
                },
                reason,
            );
        }
        let stale: BTreeSet<&String> = standing
            .phase_labels
            .iter()
            .filter(|(_, p)| *p != phase)
            .map(|(l, _)| l)
            .collect();
        for l in stale {
            out.push(
                Change::RemoveLabel {
                    issue: out.issue.reference(),
                    label: l.clone(),
                },
                self.texts
                    .pick("ikke den godkjente fasen", "not the accepted phase"),
            );
        }
        if standing.blocked {
            let why = self
                .texts
                .pick("ingen avvist flytting venter", "no refused move is pending");
            self.unblock(out, why);
        }
    }

    fn unblock(&self, out: &mut ItemOut, reason: &str) {
        let label = out
            .issue
            .labels
            .iter()
            .find(|l| l.eq_ignore_ascii_case(&self.config.sync.blocked_label))
            .cloned()
            .unwrap_or_else(|| self.config.sync.blocked_label.clone());
        out.push(
            Change::RemoveLabel {
                issue: out.issue.reference(),
                label,
            },
            reason,
        );
    }

    /// Accepts the move to `target`. The order is the commit point of DESIGN's memory rule: what people read
    /// (the status comment, the handoff and its tracking issues) first, then the card, and the phase label (the
    /// bot's memory of the accepted phase) last, so that a run stopped anywhere in between leaves the item looking
    /// unaccepted and the next run plans the rest.
    fn accept(
        &self,
        out: &mut ItemOut,
        item: &Item,
        standing: &Standing,
        target: PhaseIdx,
        reason: &str,
        handoffs: Option<(&Body, std::ops::RangeInclusive<PhaseIdx>)>,
    ) {
        self.upsert_status(out, item, target, reason);
        if let Some((body, entered)) = handoffs {
            self.handoffs(out, item, body, entered);
        }
        self.move_card(out, item, standing, target);
        self.settle_labels(out, standing, target, reason);
    }

    /// After an accepted command, the card goes where the command said.
    fn move_card(&self, out: &mut ItemOut, item: &Item, standing: &Standing, target: PhaseIdx) {
        if standing.on_board != target {
            let status = self.config.phases.get(target).status.clone();
            let change = Change::SetStatus {
                item_id: item.id.clone(),
                status,
            };
            let why = self.texts.pick(
                "flyttet slik kommandoen ba om",
                "moved as the command asked",
            );
            out.push(change, why);
        }
    }

    fn upsert_status(&self, out: &mut ItemOut, item: &Item, phase: PhaseIdx, reason: &str) {
        let body = status_comment(self.config, self.bot, item, out.issue, phase);
        self.upsert(out, Marker::Status, body, reason);
    }

    fn reject(
        &self,
        out: &mut ItemOut,
        item: &Item,
        standing: &Standing,
        accepted: PhaseIdx,
        failing: &[PhaseChecks],
        by_command: bool,
    ) {
        let from = &self.config.phases.get(accepted).name;
        let to = &self.config.phases.get(standing.board).name;
        let repair = |out: &mut ItemOut| {
            for (l, p) in &standing.phase_labels {
                if *p != accepted {
                    let change = Change::RemoveLabel {
                        issue: out.issue.reference(),
                        label: l.clone(),
                    };
                    let why = self
                        .texts
                        .pick("ikke den godkjente fasen", "not the accepted phase");
                    out.push(change, why);
                }
            }
            if !standing.phase_labels.iter().any(|(_, p)| *p == accepted) {
                let label = self.config.phase_label(accepted);
                out.push(
                    Change::AddLabel {
                        issue: out.issue.reference(),
                        label,
                    },
                    self.texts.pick("den godkjente fasen", "the accepted phase"),
                );
            }
        };
        // A command asks for a move that has not happened on the board: nothing to revert or flag, and the answer
        // to the command (what is missing) is its reply, written by the command's handler.
        if by_command {
            return;
        }
        match self.config.sync.on_violation {
            // The refusal is told before the card goes back: the revert is what makes the item look settled, so a
            // run stopped in between leaves the card where it was and the next run tells and reverts again.
            OnViolation::Revert => {
                let body =
                    messages::rejected_comment(&self.texts, from, to, failing, None, self.moved_by);
                let why = self
                    .texts
                    .pick("forteller hva som mangler", "tells what is missing");
                self.upsert(out, Marker::Rejected, body, why);
                repair(out);
                if standing.blocked {
                    let why = self
                        .texts
                        .pick("flyttingen ble satt tilbake", "the move was reverted");
                    self.unblock(out, why);
                }
                let status = self.config.phases.get(accepted).status.clone();
                out.push(
                    Change::SetStatus {
                        item_id: item.id.clone(),
                        status,
                    },
                    self.texts.pick(
                        "flyttingen er avvist: tilbake til den godkjente fasen",
                        "the move is refused: back to the accepted phase",
                    ),
                );
            }
            // The blocked label is the memory of a told refusal (a flagged card is not told again on every sync),
            // so it comes after the comment.
            OnViolation::Flag => {
                let label = &self.config.sync.blocked_label;
                let body = messages::rejected_comment(
                    &self.texts,
                    from,
                    to,
                    failing,
                    Some(label),
                    self.moved_by,
                );
                if !standing.blocked {
                    let why = self
                        .texts
                        .pick("forteller hva som mangler", "tells what is missing");
                    self.upsert(out, Marker::Rejected, body, why);
                    repair(out);
                    out.push(
                        Change::AddLabel {
                            issue: out.issue.reference(),
                            label: label.clone(),
                        },
                        self.texts.pick(
                            "flyttingen er avvist: merkes som blokkert",
                            "the move is refused: flagged",
                        ),
                    );
                } else {
                    // Already flagged: refresh the explanation only where the comments are at hand, so an
                    // unchanged board needs no per-item reads.
                    if out.issue.comments.is_some() {
                        let why = self
                            .texts
                            .pick("det som mangler, er endret", "what is missing changed");
                        self.upsert(out, Marker::Rejected, body, why);
                    }
                    repair(out);
                }
            }
        }
    }

    fn handoffs(
        &self,
        out: &mut ItemOut,
        item: &Item,
        body: &Body,
        entered: std::ops::RangeInclusive<PhaseIdx>,
    ) {
        for p in entered {
            let phase = self.config.phases.get(p);
            let marker = Marker::Handoff(phase.slug.clone());
            if !phase.handoff || out.has_comment(self.bot, &marker).is_some() {
                continue;
            }
            let handoff = self.handoff(item, out.issue, body, p);
            for team in handoff_repositories(self.config, item, out.issue) {
                let marker = Marker::Tracking(out.issue.reference());
                let body = messages::tracking_issue(&self.texts, &handoff, &marker);
                out.push(
                    Change::CreateIssue {
                        repository: team,
                        title: format!("{}: {}", phase.name, out.issue.title),
                        body,
                        marker,
                    },
                    self.texts
                        .pick("overlevering til teamet", "handoff to the team"),
                );
            }
            let change = Change::PostComment {
                issue: out.issue.reference(),
                marker,
                body: messages::handoff_comment(&self.texts, &handoff),
            };
            let why = self
                .texts
                .pick("gikk inn i en overleveringsfase", "entered a handoff phase");
            out.push(change, why);
        }
    }

    fn handoff(&self, item: &Item, issue: &Issue, body: &Body, phase: PhaseIdx) -> Handoff {
        let h = &self.config.handoff;
        let named = h
            .responsible_field
            .as_deref()
            .and_then(|f| item.field_text(f));
        let responsible = responsible(&issue.assignees, named.as_deref());
        let teams = item_teams(self.config, item, issue)
            .into_iter()
            .map(|name| {
                match self
                    .config
                    .teams
                    .get(&name)
                    .and_then(|t| t.github_team.as_ref())
                {
                    Some(gt) => format!("@{gt}"),
                    None => markdown::text(&name),
                }
            })
            .collect();
        let sections = h
            .include_sections
            .iter()
            .map(|s| (s.clone(), section_markdown(self.config, body, s)))
            .collect();
        let tracking_sections = h
            .tracking_sections
            .iter()
            .map(|s| messages::TrackedSection {
                heading: s.clone(),
                markdown: section_markdown(self.config, body, s),
                resource: h
                    .include_sections
                    .iter()
                    .any(|r| crate::body::heading_key(r) == crate::body::heading_key(s)),
            })
            .collect();
        let tracking = handoff_repositories(self.config, item, issue);
        let phase = self.config.phases.get(phase);
        Handoff {
            phase: phase.name.clone(),
            phase_slug: phase.slug.clone(),
            title: issue.title.clone(),
            url: issue.url.clone(),
            reference: issue.reference().to_string(),
            responsible,
            teams,
            milestone: issue.milestone.clone(),
            funding: funding(self.config, self.bot, item, issue, body, &phase.slug),
            sections,
            tracking_sections,
            tracking,
        }
    }

    /// Moving back from `accepted` to `target` voids the decisions for entering the phases passed on the way: a
    /// decision is for one transition. Written before the phase label, like every comment.
    fn void_approvals(&self, out: &mut ItemOut, accepted: PhaseIdx, target: PhaseIdx) {
        let Some(mut record) = approvals(out.issue, self.bot) else {
            return;
        };
        let passed: Vec<&str> = (target + 1..=accepted)
            .map(|p| self.config.phases.get(p).slug.as_str())
            .collect();
        let back_to = &self.config.phases.get(target).name;
        if record.void(&passed, back_to) {
            let body = approval_record(self.config, &record);
            let why = self.texts.pick(
                "vedtak faller bort ved flytting bakover",
                "moving back voids decisions",
            );
            self.upsert(out, Marker::Approvals, body, why);
        }
    }

    fn upsert(&self, out: &mut ItemOut, marker: Marker, body: String, reason: &str) {
        if out
            .has_comment(self.bot, &marker)
            .is_some_and(|c| c.body == body)
        {
            return;
        }
        let change = Change::UpsertComment {
            issue: out.issue.reference(),
            marker,
            body,
        };
        out.push(change, reason);
    }
}

/// The actions planned for one item.
struct ItemOut<'a> {
    name: &'a str,
    issue: &'a Issue,
    actions: Vec<Action>,
}

impl ItemOut<'_> {
    fn push(&mut self, change: Change, reason: &str) {
        self.actions.push(Action {
            item: self.name.to_string(),
            change,
            reason: reason.to_string(),
        });
    }

    /// The bot's comment with `marker`, when the comments are known.
    fn has_comment(&self, bot: &str, marker: &Marker) -> Option<&crate::board::Comment> {
        find_marked(self.issue.comments.as_deref()?, bot, marker)
    }
}

fn decision(
    item: &str,
    from: Option<String>,
    to: Option<String>,
    outcome: Outcome,
    reason: String,
) -> Decision {
    Decision {
        item: item.to_string(),
        from,
        to,
        outcome,
        missing: Vec::new(),
        reason,
    }
}

fn missing_lines(failing: &[PhaseChecks]) -> Vec<String> {
    failing
        .iter()
        .flat_map(|pc| {
            pc.checks
                .iter()
                .filter(|c| !c.met())
                .map(move |c: &Check| format!("{}: {}", pc.phase, c.sentence()))
        })
        .collect()
}

/// "2 krav er ikke oppfylt" / "2 requirements unmet".
fn unmet(failing: &[PhaseChecks], texts: &Texts) -> String {
    let n: usize = failing
        .iter()
        .map(|pc| pc.checks.iter().filter(|c| !c.met()).count())
        .sum();
    texts.language.pick(
        format!("{n} krav er ikke oppfylt"),
        format!("{} unmet", crate::plan::plural(n, "requirement")),
    )
}

/// `a, b; c` → `a`, `b`, `c`.
fn split_list(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split([',', ';', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// The decision record's comment body, with the phases' names.
pub fn approval_record(config: &Config, record: &Approvals) -> String {
    record.body(config.sync.language, |slug| {
        config
            .phases
            .by_slug(slug)
            .map_or_else(|| slug.to_string(), |p| config.phases.get(p).name.clone())
    })
}

/// Team names of an item, from the team field and `team/*` labels, spelled as in the team map where known.
pub fn item_teams(config: &Config, item: &Item, issue: &Issue) -> Vec<String> {
    let h = &config.handoff;
    let mut names: Vec<String> = h
        .team_field
        .as_deref()
        .and_then(|f| item.field_text(f))
        .map(|v| split_list(&v).collect())
        .unwrap_or_default();
    if let Some(prefix) = h.team_label_prefix.as_deref() {
        for l in &issue.labels {
            if let Some(rest) = l.strip_prefix(prefix) {
                names.push(rest.trim().to_string());
            }
        }
    }
    let mut teams: Vec<String> = Vec::new();
    for n in names {
        let canonical = config
            .teams
            .keys()
            .find(|k| crate::phase::normalize(k) == crate::phase::normalize(&n))
            .cloned()
            .unwrap_or(n);
        if !teams.contains(&canonical) {
            teams.push(canonical);
        }
    }
    teams
}

/// Repositories of the item's teams where a tracking issue is opened on handoff.
fn handoff_repositories(config: &Config, item: &Item, issue: &Issue) -> Vec<String> {
    item_teams(config, item, issue)
        .iter()
        .filter_map(|t| config.teams.get(t)?.repository.clone())
        .collect()
}

/// Who is responsible, each person once: the assignees as `@login` (a mention: they are on the issue), then the
/// entries of the responsible field that are no assignee, as inert text (someone typed them on the card, and a
/// mention there would notify whoever they typed). An entry is an assignee when it is the login, in any case, with
/// or without `@`. A full name such as "Kari Nordmann" beside the assignee `kari` is listed as well, after the
/// mention: nothing on the board says whose name it is (a GitHub profile name is optional and not unique), and
/// leaving out a name that belongs to someone else would hide a responsible person.
fn responsible(assignees: &[String], field: Option<&str>) -> Vec<String> {
    let key = |s: &str| s.trim().trim_start_matches('@').trim().to_lowercase();
    let mut seen: Vec<String> = Vec::new();
    let mut out = Vec::new();
    let entries = field.map(split_list).into_iter().flatten();
    let people = assignees
        .iter()
        .map(|a| (a.clone(), true))
        .chain(entries.map(|e| (e, false)));
    for (person, assignee) in people {
        let k = key(&person);
        if k.is_empty() || seen.contains(&k) {
            continue;
        }
        seen.push(k);
        out.push(if assignee {
            format!("@{}", person.trim().trim_start_matches('@'))
        } else {
            markdown::text(&person)
        });
    }
    out
}

/// A funding section is quoted as list items: this many characters and lines at most.
const FUNDING_CHARS: usize = 1_000;
const FUNDING_LINES: usize = 12;

/// How the initiative is funded, as safe markdown lines: the funding decisions for entering `phase` (forums with
/// `funding = true`), the funding field as typed, then the funding section.
fn funding(
    config: &Config,
    bot: &str,
    item: &Item,
    issue: &Issue,
    body: &Body,
    phase: &str,
) -> Vec<String> {
    let h = &config.handoff;
    let mut lines: Vec<String> = approvals(issue, bot)
        .unwrap_or_default()
        .list
        .iter()
        .filter(|a| a.valid() && a.phase == phase)
        .filter(|a| config.forums.get(&a.forum).is_some_and(|f| f.funding))
        .map(|a| match &a.reference {
            Some(r) => format!("{} ({})", a.summary(), markdown::text(r)),
            None => a.summary(),
        })
        .collect();
    // One line as typed, not a list: "2,5 MNOK" has a decimal comma.
    if let Some(value) = h.funding_field.as_deref().and_then(|f| item.field_text(f)) {
        lines.push(markdown::text(&value));
    }
    if let Some(section) = h.funding_section.as_deref() {
        let text = section_markdown(config, body, section);
        for line in markdown::inert_lines(&text, FUNDING_CHARS, FUNDING_LINES) {
            if !lines.contains(&line) {
                lines.push(line);
            }
        }
    }
    lines
}

/// The markdown of a section under any of the headings it had in the template's versions (the first that is filled
/// in), as written; empty when none is.
fn section_markdown(config: &Config, body: &Body, name: &str) -> String {
    body.sections(&config.section(name).headings)
        .iter()
        .map(|sec| sec.markdown(&config.sync.placeholders))
        .find(|md| !md.is_empty())
        .unwrap_or_default()
}
