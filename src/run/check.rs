//! `check ISSUE`: what one issue needs for its next phase; `check-config`: the configuration on its own.

use std::io::Write;
use std::path::Path;

use anyhow::{anyhow, Result};

use super::{Exit, UsageError};
use crate::board::{IssueRef, Snapshot};
use crate::config::{self, Config};
use crate::messages::TextKey;
use crate::reconcile;

/// What the issue still needs for its next phase.
pub fn check(
    config: &Config,
    snapshot: &Snapshot,
    issue: &str,
    out: &mut impl Write,
) -> Result<Exit> {
    let default_repo = config.board.repositories.first().map(String::as_str);
    let wanted = IssueRef::parse(issue, default_repo).ok_or_else(|| {
        UsageError(format!(
            "\"{issue}\" is not an issue: write 48, #48 or owner/repo#48"
        ))
    })?;
    let item = snapshot
        .items
        .iter()
        .find(|i| i.issue.as_ref().is_some_and(|is| is.reference() == wanted))
        .ok_or_else(|| {
            anyhow!(
                "{wanted} is not on the board {}/{}",
                snapshot.board.owner,
                snapshot.board.number
            )
        })?;
    let plan = reconcile::reconcile_item(config, &snapshot.bot, item, None);
    let Some(issue) = item.issue.as_ref() else {
        return Err(anyhow!("{wanted} has no issue content"));
    };
    let decision = plan.decisions.first();
    // What the issue needs, for the people who run the portfolio: in the configuration's language.
    let lang = config.sync.language;
    writeln!(out, "{wanted}: {}", issue.title)?;
    if let Some(d) = decision {
        let show = |p: &Option<String>| p.clone().unwrap_or_else(|| "–".into());
        let (accepted, board) = lang.pick(("godkjent fase", "tavla"), ("accepted phase", "board"));
        writeln!(
            out,
            "{accepted}: {}, {board}: {} ({}: {})",
            show(&d.from),
            show(&d.to),
            d.outcome.name(lang),
            d.reason
        )?;
        for m in &d.missing {
            writeln!(out, "  ✗ {m}")?;
        }
    }
    let current = reconcile::checklist_phase(config, item, issue);
    match reconcile::next_phase_checks(config, item, issue, current) {
        None => {
            let phase = &config.phases.get(current).name;
            let line = lang.pick(
                format!("{phase} er den siste fasen."),
                format!("{phase} is the last phase."),
            );
            writeln!(out, "{line}")?
        }
        Some(next) => {
            let line = lang.pick(
                format!(
                    "Dette må være på plass før tiltaket kan gå videre til {}:",
                    next.phase
                ),
                format!("To enter {}:", next.phase),
            );
            writeln!(out, "\n{line}")?;
            for c in &next.checks {
                writeln!(
                    out,
                    "  {} {}",
                    if c.met() { "✓" } else { "✗" },
                    c.sentence()
                )?;
            }
            // Under a heading of their own: a criterion that ends in a bracket must not get a second one.
            if !next.manual.is_empty() {
                let heading = reconcile::texts(config).fill(TextKey::ManualHeading, &[]);
                writeln!(out, "{heading}")?;
            }
            for m in next.manual {
                writeln!(out, "  ? {m}")?;
            }
        }
    }
    Ok(Exit::Ok)
}

/// Loads and validates the configuration offline, and sums it up.
pub fn check_config(path: &Path, out: &mut impl Write) -> Result<Exit> {
    let config = config::load(path)?;
    let phases = config.phases.names().join(" → ");
    let handoff: Vec<&str> = config
        .phases
        .iter()
        .filter(|(_, p)| p.handoff)
        .map(|(_, p)| p.name.as_str())
        .collect();
    let requirements: usize = config.phases.iter().map(|(_, p)| p.require.len()).sum();
    writeln!(
        out,
        "ok: {}: {} phases ({phases}), {requirements} requirements, handoff into {}, {} repositories, on_violation = {:?}",
        path.display(),
        config.phases.len(),
        if handoff.is_empty() { "none".to_string() } else { handoff.join(", ") },
        config.board.repositories.len(),
        config.sync.on_violation,
    )?;
    Ok(Exit::Ok)
}
