//! `report`: the portfolio report, read in one pass, written to standard output or a file, and kept in its issue.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;

use super::{check_file, save_error, write_file, Exit, UsageError};
use crate::board::{Issue, IssueRef, Snapshot};
use crate::config::Config;
use crate::forge::IssueForge;
use crate::marker::{self, Marker};
use crate::report::{build, issue_body, to_html, to_markdown, Day, Report};

/// How the report is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReportFormat {
    #[default]
    Markdown,
    Json,
    /// The flow dashboard: one self-contained page.
    Html,
}

#[derive(Debug, Clone, Default)]
pub struct ReportOptions {
    pub format: ReportFormat,
    /// Where to write it ([`crate::file::write`]); standard output when `None`.
    pub out: Option<PathBuf>,
    /// Also keep the report in its issue (needs `report.issue = true`).
    pub publish: bool,
}

/// Reads the board and the open issues once, and writes the report for today.
pub async fn report<F: IssueForge>(
    forge: &mut F,
    config: &Config,
    options: &ReportOptions,
    out: &mut impl Write,
) -> Result<Exit> {
    if options.publish && !config.report.issue {
        return Err(UsageError(
            "report --publish keeps the report in an issue, which needs `issue = true` in the [report] table of the configuration".into(),
        )
        .into());
    }
    if let Some(path) = &options.out {
        check_file(path)?;
    }
    let (snapshot, open) = read(forge, config).await?;
    let report = build(config, &snapshot, &open, Day::today());
    if options.publish {
        // Progress goes to the log: standard output is the report itself.
        publish_and_say(
            forge,
            config,
            &snapshot.bot,
            &report,
            &mut std::io::stderr(),
        )
        .await?;
    }
    let text = match options.format {
        ReportFormat::Markdown => to_markdown(&report, config.sync.language),
        ReportFormat::Json => serde_json::to_string_pretty(&report)? + "\n",
        ReportFormat::Html => to_html(&report, config.sync.language),
    };
    match &options.out {
        Some(path) => {
            write_file(path, &text)?;
            tracing::info!("wrote the report to {}", path.display());
        }
        None => write!(out, "{text}")?,
    }
    Ok(Exit::Ok)
}

/// Keeps the report in its issue, and says where on `out`.
pub async fn publish_and_say<F: IssueForge>(
    forge: &mut F,
    config: &Config,
    bot: &str,
    report: &Report,
    out: &mut impl Write,
) -> Result<()> {
    let published = publish(forge, config, bot, report).await?;
    // A snapshot's issue is only there once saved: said after the save, or not at all.
    forge.save().await.map_err(save_error)?;
    if let Some(published) = published {
        let how = if published.created {
            "opened"
        } else {
            "updated"
        };
        writeln!(out, "report {how} in {}", published.issue)?;
    }
    Ok(())
}

/// The open issues of every configured repository: one list pass per repository, no per-item reads.
pub async fn open_issues<F: IssueForge>(forge: &mut F, config: &Config) -> Result<Vec<Issue>> {
    let mut all = Vec::new();
    for repository in &config.board.repositories {
        all.extend(forge.open_issues(repository).await?);
    }
    Ok(all)
}

/// Everything [`build`](crate::report::build) needs, in one read pass: the board, then the open issues of the configured repositories.
pub async fn read<F: IssueForge>(forge: &mut F, config: &Config) -> Result<(Snapshot, Vec<Issue>)> {
    let snapshot = forge.read_board().await?;
    // The recorded decisions decide where a moved card stands, as in a sync, and the ready list says which the
    // meeting has taken.
    let mut wanted = crate::reconcile::needs_comments(config, &snapshot);
    wanted.extend(crate::report::ready_issues(config, &snapshot));
    let snapshot = super::decisions::read_all(forge, config, snapshot, wanted).await?;
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
/// returns `None`). The issue is found by its marker: edited in place every run, opened only when none is open.
/// Pin it once by hand; editing keeps it pinned.
pub async fn publish<F: IssueForge>(
    forge: &mut F,
    config: &Config,
    bot: &str,
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
    let candidates = forge
        .find_issues(repository, &Marker::Report.to_string())
        .await?;
    // Only the bot's own: an issue anyone opened with the marker pasted in is not the report.
    let found: Vec<IssueRef> = marker::bot_issues(&candidates, bot, &Marker::Report)
        .into_iter()
        .map(Issue::reference)
        .collect();
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
