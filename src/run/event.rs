//! `event`: what a GitHub Actions event (or a webhook delivery, through `serve`) asks for. A full sync runs
//! [`sync`](super::sync::sync); every other trigger concerns one issue and is handled in `handle.rs`.

use std::io::Write;

use anyhow::Result;

use super::actions::{summary, Actions};
use super::sync::{print_plan, print_unsaved, save, sync, SyncOptions};
use super::{board_name, handle, report, Exit, Format, UsageError};
use crate::config::Config;
use crate::event::{self, Trigger};
use crate::forge::IssueForge;
use crate::language::{Bilingual, Language};

/// An event as GitHub Actions hands it over: its name and its JSON payload.
#[derive(Debug, Clone)]
pub struct EventInput {
    pub name: String,
    pub payload: serde_json::Value,
}

impl EventInput {
    /// `$GITHUB_EVENT_NAME` and the JSON payload at `$GITHUB_EVENT_PATH`.
    pub fn from_env() -> Result<EventInput> {
        let name = std::env::var("GITHUB_EVENT_NAME").map_err(|_| {
            UsageError("GITHUB_EVENT_NAME is not set: `event` runs inside GitHub Actions".into())
        })?;
        let path = std::env::var("GITHUB_EVENT_PATH").map_err(|_| {
            UsageError("GITHUB_EVENT_PATH is not set: `event` runs inside GitHub Actions".into())
        })?;
        let text = std::fs::read_to_string(&path)
            .map_err(|e| UsageError(format!("cannot read the event payload {path}: {e}")))?;
        let payload = serde_json::from_str(&text).map_err(|e| {
            UsageError(format!(
                "{path}:{}:{}: the {name} event payload is not JSON: {e}",
                e.line(),
                e.column()
            ))
        })?;
        Ok(EventInput { name, payload })
    }

    /// What the event asks for; `dry_run` turns a full sync into a dry run and every other event into a notice.
    pub fn trigger(&self, dry_run: bool) -> Result<Trigger> {
        let trigger =
            event::trigger(&self.name, &self.payload).map_err(|e| UsageError(e.to_string()))?;
        Ok(match trigger {
            Trigger::FullSync { dry_run: asked } => Trigger::FullSync {
                dry_run: asked || dry_run,
            },
            Trigger::Ignore(why) => Trigger::Ignore(why),
            _ if dry_run => Trigger::Ignore(Bilingual::new(
                format!(
                    "en prøvekjøring handler ikke på hendelsen {}: bare en full synkronisering (schedule, workflow_dispatch) har en plan å vise",
                    self.name
                ),
                format!(
                    "a dry run does not act on the {} event: only a full sync (schedule, workflow_dispatch) has a plan to show",
                    self.name
                ),
            )),
            t => t,
        })
    }
}

/// `portfolio-sync event`: the event, then (on a full sync that asked for it) the report: into the job summary, and
/// into its issue when `report.issue` is set and the run is not a dry run. The report is read after the sync, so it
/// shows the board as the sync left it.
pub async fn event<F: IssueForge>(
    forge: &mut F,
    config: &Config,
    input: &EventInput,
    dry_run: bool,
    actions: &Actions,
    out: &mut impl Write,
) -> Result<Exit> {
    let trigger = input.trigger(dry_run)?;
    tracing::info!(
        "event {}: {}",
        input.name,
        summary::trigger_title(&trigger, Language::En)
    );
    let exit = on_event(forge, config, &trigger, actions, out).await?;
    let Trigger::FullSync { dry_run } = trigger else {
        return Ok(exit);
    };
    if !event::wants_report(&input.name, &input.payload, config.report.on_schedule) {
        return Ok(exit);
    }
    let (snapshot, open) = report::read(forge, config).await?;
    let built = crate::report::build(config, &snapshot, &open, crate::report::Day::today());
    // A step summary holds at most 1 MiB; the sync's own summary comes first.
    actions.append_summary(&crate::report::to_markdown_within(
        &built,
        config.sync.language,
        512 * 1024,
    ));
    if config.report.issue && !dry_run {
        report::publish_and_say(forge, config, &snapshot.bot, &built, out).await?;
    }
    Ok(exit)
}

/// Runs what a trigger asks for and says what it did on `out` and to `actions`.
pub async fn on_event<F: IssueForge>(
    forge: &mut F,
    config: &Config,
    trigger: &Trigger,
    actions: &Actions,
    out: &mut impl Write,
) -> Result<Exit> {
    if let Trigger::FullSync { dry_run } = trigger {
        let options = SyncOptions {
            dry_run: *dry_run,
            ..SyncOptions::default()
        };
        return sync(forge, config, options, actions, out).await;
    }
    let mut handled = handle::handle(forge, config, trigger).await?;
    // Before anything is told: until the save, writes to a snapshot are not applied.
    let lang = config.sync.language;
    let saved = save(forge, &mut handled.applied, lang).await;
    for note in &handled.notes {
        writeln!(out, "{note}")?;
    }
    if !handled.plan.decisions.is_empty() || !handled.plan.actions.is_empty() || saved.is_err() {
        match saved {
            Ok(()) => print_plan(
                out,
                &handled.plan,
                Some(&handled.applied),
                Format::Text,
                lang,
            )?,
            Err(_) => print_unsaved(out, &handled.plan, &handled.applied, Format::Text, lang)?,
        }
    }
    let board = lang.pick(
        format!("{} prosjekt {}", config.board.owner, config.board.project),
        board_name(config),
    );
    let title = format!("{} ({board})", summary::trigger_title(trigger, lang));
    let run = summary::Summary {
        title: &title,
        plan: &handled.plan,
        applied: (!handled.plan.actions.is_empty() || saved.is_err()).then_some(&handled.applied),
        dry_run: false,
        refused: None,
        notes: &handled.notes,
        language: lang,
    };
    actions.publish(out, &run, Format::Text);
    Ok(match saved {
        Err(exit) => exit,
        Ok(()) if handled.applied.failures.is_empty() => Exit::Ok,
        Ok(()) => Exit::Failed,
    })
}
