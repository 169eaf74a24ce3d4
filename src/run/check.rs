//! `check ISSUE`: what one issue needs for its next phase; `check-config`: the configuration on its own.

use std::io::Write;
use std::path::Path;

use anyhow::{anyhow, Result};
use serde_json::json;

use super::{Exit, Format, UsageError};
use crate::board::{IssueRef, Snapshot};
use crate::config::{self, Config};
use crate::forge::Forge;
use crate::marker::Marker;
use crate::messages::TextKey;
use crate::plan::{counted, plural, Change, Outcome};
use crate::reconcile;

#[derive(Debug, Clone, Copy, Default)]
pub struct CheckOptions {
    pub format: Format,
    /// Also print the comments the bot would write: the status comment, and the refusal or handoff comment when
    /// the card's move would produce one.
    pub comment: bool,
}

/// What the issue still needs for its next phase, read off the board `forge` holds.
pub async fn check<F: Forge>(
    forge: &mut F,
    config: &Config,
    issue: &str,
    options: CheckOptions,
    out: &mut impl Write,
) -> Result<Exit> {
    let snapshot = forge.read_board().await?;
    // Only the card asked about; a name that is no issue is answered below.
    let default_repo = config.board.repositories.first().map(String::as_str);
    let wanted = IssueRef::parse(issue, default_repo);
    let mut needed = reconcile::needs_comments(config, &snapshot);
    needed.retain(|i| Some(i) == wanted.as_ref());
    let snapshot = super::decisions::read_all(forge, config, snapshot, needed).await?;
    answer(config, &snapshot, issue, options, out)
}

/// [`check`] on a board already read.
pub fn answer(
    config: &Config,
    snapshot: &Snapshot,
    issue: &str,
    options: CheckOptions,
    out: &mut impl Write,
) -> Result<Exit> {
    let default_repo = config.board.repositories.first().map(String::as_str);
    let wanted = IssueRef::parse(issue, default_repo).ok_or_else(|| {
        UsageError(format!(
            "\"{issue}\" is not an issue: write 48, #48 or owner/repo#48"
        ))
    })?;
    let item = snapshot.card(&wanted).ok_or_else(|| {
        anyhow!(
            "{wanted} is not on the board {}/{}",
            snapshot.board.owner,
            snapshot.board.number
        )
    })?;
    let plan = reconcile::reconcile_item(config, &snapshot.bot, item, None);
    let decision = plan
        .decisions
        .first()
        .ok_or_else(|| anyhow!("reconcile decided nothing for {wanted}"))?;
    let title = item
        .issue
        .as_ref()
        .map(|i| i.title.clone())
        .or_else(|| item.pull_request.as_ref().map(|p| p.title.clone()))
        .unwrap_or_default();
    let show = |p: &Option<String>| p.clone().unwrap_or_else(|| "–".into());

    // A skipped card: the bot never touches it, so it needs nothing, and no phase's list applies to it.
    let issue = match (&item.issue, decision.outcome) {
        (Some(issue), o) if o != Outcome::Skipped => issue,
        _ => {
            let name = item.display_name();
            match options.format {
                Format::Json => writeln!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(&json!({
                        "item": name,
                        "title": title,
                        "outcome": decision.outcome,
                        "reason": decision.reason,
                        "next": null,
                        "comments": [],
                    }))?
                )?,
                Format::Text => {
                    let why = &decision.reason;
                    let line = config.sync.language.pick(
                        format!("hoppet over ({why}): portfolio-sync rører aldri dette kortet, så det trenger ingenting."),
                        format!("skipped ({why}): the bot never touches this card, so it needs nothing."),
                    );
                    writeln!(out, "{name}: {title}\n{line}")?
                }
            }
            return Ok(Exit::Ok);
        }
    };
    let current = reconcile::checklist_phase(config, &snapshot.bot, item, issue);
    let next = reconcile::next_phase_checks(config, &snapshot.bot, item, issue, current);
    // The comments the bot would write now: those of the plan, and the living status comment as it would read
    // (the plan has it only when the move changes it).
    let mut comments: Vec<(String, String)> = Vec::new();
    if options.comment {
        for a in &plan.actions {
            if let Change::UpsertComment { marker, body, .. }
            | Change::PostComment { marker, body, .. } = &a.change
            {
                comments.push((marker.kind(), body.clone()));
            }
        }
        if !comments
            .iter()
            .any(|(kind, _)| *kind == Marker::Status.kind())
        {
            let body = reconcile::status_comment(config, &snapshot.bot, item, issue, current);
            comments.insert(0, (Marker::Status.kind(), body));
        }
    }

    if options.format == Format::Json {
        let next = next.as_ref().map(|n| {
            json!({
                "phase": n.phase,
                "checks": n.checks.iter().map(|c| json!({"met": c.met(), "text": c.sentence()})).collect::<Vec<_>>(),
                "manual": n.manual,
            })
        });
        let comments: Vec<_> = comments
            .iter()
            .map(|(kind, body)| json!({"marker": kind, "body": body}))
            .collect();
        let value = json!({
            "item": wanted.to_string(),
            "title": title,
            "accepted": decision.from,
            "board": decision.to,
            "outcome": decision.outcome,
            "reason": decision.reason,
            "missing": decision.missing,
            "next": next,
            "comments": comments,
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&value)?)?;
        return Ok(Exit::Ok);
    }

    // What the issue needs, for the people who run the portfolio: in the configuration's language.
    let lang = config.sync.language;
    writeln!(out, "{wanted}: {title}")?;
    let (accepted, board) = lang.pick(("godkjent fase", "tavla"), ("accepted phase", "board"));
    writeln!(
        out,
        "{accepted}: {}, {board}: {} ({}: {})",
        show(&decision.from),
        show(&decision.to),
        decision.outcome.name(lang),
        decision.reason
    )?;
    for m in &decision.missing {
        writeln!(out, "  ✗ {m}")?;
    }
    match &next {
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
            for m in next.manual.iter() {
                writeln!(out, "  ? {m}")?;
            }
        }
    }
    if options.comment {
        // The status comment is written on an accepted move and on /sjekk; the others only when this move makes them.
        let n = comments.len();
        let line = lang.pick(
            format!(
                "{} fra boten på denne saken nå (statuskommentaren slik en godkjent flytting eller /sjekk skriver den):",
                counted(lang, n, ("kommentar", "kommentarer"), "")
            ),
            format!(
                "The bot's {} for this issue now (the status comment as an accepted move or /sjekk writes it):",
                plural(n, "comment")
            ),
        );
        writeln!(out, "\n{line}")?;
        for (kind, body) in &comments {
            writeln!(out, "\n----- {kind} -----\n{}", body.trim_end())?;
        }
    }
    Ok(Exit::Ok)
}

/// The JSON Schema of the configuration file (`config/portfolio-sync.schema.json` is this, shipped).
pub fn schema(out: &mut impl Write) -> Result<Exit> {
    writeln!(out, "{}", serde_json::to_string_pretty(&config::schema())?)?;
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
        "ok: {}: {} ({phases}), {}, handoff into {}, {}, on_violation = \"{}\"",
        path.display(),
        plural(config.phases.len(), "phase"),
        plural(requirements, "requirement"),
        if handoff.is_empty() {
            "none".to_string()
        } else {
            handoff.join(", ")
        },
        plural(config.board.repositories.len(), "repository"),
        config.sync.on_violation.as_str(),
    )?;
    Ok(Exit::Ok)
}
