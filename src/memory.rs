//! Which phases the bot remembers accepting. PURE.
//!
//! The phase label is the bot's memory, but anyone with write access can add or remove a label. The issue's label
//! history (read with the board, and with a single issue for an event) says who did: a phase label a person added
//! is their claim, not a phase the bot accepted, and a phase label of the bot's that a person removed is still the
//! bot's memory. Without a history (an old snapshot) the labels count as they are.

use crate::board::{normal_login, History, Issue, Item, LabelAction, LabelEvent};
use crate::config::Config;
use crate::phase::PhaseIdx;

/// The phases the issue's labels remember, each once: the phase labels the bot put there (or whose origin the
/// history does not show); when there are none, the phase of the bot's label a person removed last.
pub fn remembered_phases(config: &Config, item: &Item, issue: &Issue, bot: &str) -> Vec<PhaseIdx> {
    let labelled = issue
        .labels
        .iter()
        .filter_map(|l| config.phase_of_label(l).map(|p| (l.as_str(), p)));
    let Some(history) = item.history() else {
        return dedup(labelled.map(|(_, p)| p));
    };
    let bot = normal_login(bot);
    let by_bot = |e: &LabelEvent| e.actor.as_deref().is_some_and(|a| normal_login(a) == bot);
    let kept = dedup(
        labelled
            .filter(|(label, _)| {
                last_event(&history, label, LabelAction::Labeled).is_none_or(by_bot)
            })
            .map(|(_, p)| p),
    );
    if !kept.is_empty() {
        return kept;
    }
    // The bot's own label, taken off by someone else: the latest such removal.
    history
        .labels
        .iter()
        .rev()
        .filter(|e| e.event == LabelAction::Unlabeled && !by_bot(e))
        .filter(|e| !issue.has_label(&e.label))
        .filter(|e| last_event(&history, &e.label, LabelAction::Labeled).is_some_and(by_bot))
        .find_map(|e| config.phase_of_label(&e.label))
        .into_iter()
        .collect()
}

/// The latest event of kind `action` for `label`.
fn last_event<'h>(
    history: &'h History,
    label: &str,
    action: LabelAction,
) -> Option<&'h LabelEvent> {
    history
        .labels
        .iter()
        .rev()
        .find(|e| e.event == action && e.label.eq_ignore_ascii_case(label))
}

fn dedup(phases: impl Iterator<Item = PhaseIdx>) -> Vec<PhaseIdx> {
    let mut out: Vec<PhaseIdx> = Vec::new();
    for p in phases {
        if !out.contains(&p) {
            out.push(p);
        }
    }
    out
}
