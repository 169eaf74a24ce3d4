//! `sync`: read the board, plan, and apply the plan (or only print it).

use std::io::Write;

use anyhow::Result;

use super::actions::{summary, Actions};
use super::{board_name, exit_of, save_error, Exit, Format, UsageError};
use crate::apply::{self, Applied, Failure};

use crate::board::{IssueRef, Snapshot};
use crate::config::Config;
use crate::forge::Forge;
use crate::language::Language;
use crate::plan::{counted, plural, Plan};
use crate::preflight;
use crate::reconcile;

#[derive(Debug, Clone, Default)]
pub struct SyncOptions {
    /// Print the plan; write nothing.
    pub dry_run: bool,
    pub format: Format,
    /// Apply a plan with more writes than `sync.max_changes`.
    pub allow_large: bool,
    /// Only these initiatives (`48`, `#48`, `owner/repo#48`); empty for the whole board. Each must be on the board.
    pub issues: Vec<String>,
}

/// Reads the board, plans, and (unless a dry run) applies the plan.
pub async fn sync<F: Forge>(
    forge: &mut F,
    config: &Config,
    options: SyncOptions,
    actions: &Actions,
    out: &mut impl Write,
) -> Result<Exit> {
    let snapshot = forge.read_board().await?;
    tracing::info!(
        "read {} of {}",
        plural(snapshot.items.len(), "item"),
        board_name(config)
    );
    preflight::check(config, &snapshot.board).map_err(|e| UsageError(e.to_string()))?;
    let lang = config.sync.language;
    let board = &config.board;
    let (snapshot, title) = match only(config, snapshot, &options.issues)? {
        (snapshot, None) => (
            snapshot,
            lang.pick(
                format!(
                    "full synkronisering av {} prosjekt {}",
                    board.owner, board.project
                ),
                format!("full sync of {}", board_name(config)),
            ),
        ),
        (snapshot, Some(names)) => (
            snapshot,
            lang.pick(
                format!(
                    "synkronisering av {names} ({} prosjekt {})",
                    board.owner, board.project
                ),
                format!("sync of {names} ({})", board_name(config)),
            ),
        ),
    };
    let wanted = reconcile::needs_comments(config, &snapshot);
    let (snapshot, known, unread) = super::decisions::read(forge, config, snapshot, wanted).await?;
    let mut plan = reconcile::reconcile(config, &snapshot);
    if !plan.actions.is_empty() {
        apply::prepare_labels(forge, config, &mut plan).await?;
    }
    let mut run = summary::Summary {
        title: &title,
        plan: &plan,
        applied: None,
        dry_run: options.dry_run,
        refused: None,
        notes: &[],
        language: lang,
    };
    let too_large = plan.writes() > config.sync.max_changes && !options.allow_large;
    if options.dry_run {
        print_plan(out, &plan, None, options.format, lang)?;
        let mut notes = Vec::new();
        if too_large {
            let (n, max) = (plan.writes(), config.sync.max_changes);
            let warning = lang.pick(
                format!("planen har {n} endringer, flere enn sync.max_changes = {max}: en ekte kjøring avviser den uten --allow-large"),
                format!("this plan has {n} writes, more than sync.max_changes = {max}: a real run would refuse it without --allow-large"),
            );
            tracing::warn!("{warning}");
            notes.push(warning);
        }
        let run = summary::Summary {
            notes: &notes,
            ..run
        };
        actions.publish(out, &run, options.format);
        return Ok(Exit::Ok);
    }
    if too_large {
        print_plan(out, &plan, None, options.format, lang)?;
        let (n, max) = (plan.writes(), config.sync.max_changes);
        let refused = lang.pick(
            format!("planen har {n} endringer, flere enn sync.max_changes = {max}. Se over den (en prøvekjøring skriver den ut), og kjør på nytt med --allow-large"),
            format!("the plan has {n} writes, more than sync.max_changes = {max}. Check it (a dry run prints it), then run again with --allow-large"),
        );
        tracing::error!("refused: {refused}");
        let run = summary::Summary {
            refused: Some(&refused),
            ..run
        };
        actions.publish(out, &run, options.format);
        return Ok(Exit::Failed);
    }
    tracing::info!("applying {}", plural(plan.writes(), "write"));
    let mut applied = apply::apply_knowing(forge, &plan, &snapshot.bot, lang, known).await;
    applied.failures.extend(unread);
    tracing::info!(
        "{} done, {} failed",
        plural(applied.writes, "write"),
        applied.failures.len()
    );
    // Printed only after the save: until then, writes to a snapshot are not applied.
    let saved = save(forge, &mut applied, lang).await;
    match saved {
        Ok(()) => print_plan(out, &plan, Some(&applied), options.format, lang)?,
        Err(_) => print_unsaved(out, &plan, &applied, options.format, lang)?,
    }
    run.applied = Some(&applied);
    actions.publish(out, &run, options.format);
    Ok(match saved {
        Err(exit) => exit,
        Ok(()) if applied.failures.is_empty() => Exit::Ok,
        Ok(()) => Exit::Failed,
    })
}

/// Saves what a run wrote ([`Forge::save`]: a snapshot file; GitHub has nothing to save). A save that fails applied
/// nothing: no write counts as done, the save joins the failures, and the exit it calls for comes back: 2 when the
/// snapshot is not a regular file, else 1.
pub async fn save<F: Forge>(
    forge: &mut F,
    applied: &mut Applied,
    lang: Language,
) -> Result<(), Exit> {
    let Err(e) = forge.save().await.map_err(save_error) else {
        return Ok(());
    };
    tracing::error!("{e:#}");
    applied.writes = 0;
    applied.failures.push(Failure {
        item: "snapshot".into(),
        action: lang.pick("lagre snapshot-fila", "save snapshot").into(),
        error: format!("{e:#}"),
    });
    Err(exit_of(&e))
}

/// The board cut down to the cards of `issues` (all of it when empty), and their names for the title. A name that
/// is no issue, or an issue with no card, is the user's to fix: syncing the rest would hide the typo.
fn only(
    config: &Config,
    mut snapshot: Snapshot,
    issues: &[String],
) -> Result<(Snapshot, Option<String>)> {
    if issues.is_empty() {
        return Ok((snapshot, None));
    }
    let default_repo = config.board.repositories.first().map(String::as_str);
    let mut ids = Vec::new();
    let mut names = Vec::new();
    for text in issues {
        let wanted = IssueRef::parse(text, default_repo).ok_or_else(|| {
            UsageError(format!(
                "--issue \"{text}\" is not an issue: write 48, #48 or owner/repo#48"
            ))
        })?;
        let card = snapshot.card(&wanted).ok_or_else(|| {
            UsageError(format!(
                "--issue {wanted} is not on the board {}/{}",
                snapshot.board.owner, snapshot.board.number
            ))
        })?;
        ids.push(card.id.clone());
        names.push(wanted.to_string());
    }
    snapshot.items.retain(|i| ids.contains(&i.id));
    Ok((snapshot, Some(names.join(", "))))
}

/// The plan as text (in `lang`) or JSON; after a run, with what failed.
pub fn print_plan(
    out: &mut impl Write,
    plan: &Plan,
    applied: Option<&Applied>,
    format: Format,
    lang: Language,
) -> Result<()> {
    print(out, plan, applied, applied.is_some(), format, lang)
}

/// The plan of a run whose writes went to a snapshot that could not be saved: planned, not applied (`applied:
/// false`), with the failed save among the failures.
pub fn print_unsaved(
    out: &mut impl Write,
    plan: &Plan,
    applied: &Applied,
    format: Format,
    lang: Language,
) -> Result<()> {
    print(out, plan, Some(applied), false, format, lang)
}

/// `landed`: the writes reached GitHub or a saved snapshot, so the plan is told as applied.
fn print(
    out: &mut impl Write,
    plan: &Plan,
    applied: Option<&Applied>,
    landed: bool,
    format: Format,
    lang: Language,
) -> Result<()> {
    match format {
        Format::Json => {
            let mut json = plan.to_json(landed);
            if let Some(r) = applied {
                json["failures"] = serde_json::json!(r
                    .failures
                    .iter()
                    .map(|f| serde_json::json!({"item": f.item, "action": f.action, "error": f.error}))
                    .collect::<Vec<_>>());
            }
            writeln!(out, "{}", serde_json::to_string_pretty(&json)?)?;
        }
        Format::Text => {
            write!(out, "{}", plan.to_text(landed, lang))?;
            if let Some(r) = applied.filter(|r| !r.failures.is_empty()) {
                let failed = lang.pick("Feilet", "Failed");
                writeln!(out, "\n{failed} ({}):", r.failures.len())?;
                for f in &r.failures {
                    writeln!(out, "  {}  {}: {}", f.item, f.action, f.error)?;
                }
                if r.skipped > 0 {
                    let n = r.skipped;
                    let line = lang.pick(
                        format!(
                            "{} for de samme kortene ble ikke forsøkt; neste kjøring gjør dem ferdig",
                            counted(lang, n, ("senere endring", "senere endringer"), "")
                        ),
                        format!(
                            "{} of those items not tried; the next run finishes them",
                            plural(n, "later write")
                        ),
                    );
                    writeln!(out, "  ({line})")?;
                }
            }
        }
    }
    Ok(())
}
