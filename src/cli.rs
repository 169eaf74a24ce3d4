//! The command line: arguments, the commands, and exit codes. `main.rs` only calls [`main`].

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Result};
use clap::{Parser, Subcommand, ValueEnum};

use crate::apply::{self, Report};
use crate::board::{IssueRef, Snapshot};
use crate::config::{self, Config};
use crate::doctor;
use crate::event::{self, Trigger};
use crate::forge::{Forge, IssueForge};
use crate::github::GitHubForge;
use crate::handle;
use crate::plan::Plan;
use crate::preflight;
use crate::reconcile;
use crate::snapshot::{SnapshotFile, SnapshotForge};
use crate::summary;

/// Exit codes of DESIGN.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Ok = 0,
    /// Some items failed, or the run was refused.
    Failed = 1,
    /// Usage or configuration error.
    Usage = 2,
}

/// An error that is the user's to fix (bad config, bad arguments, missing token): exit 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

#[derive(Parser, Debug)]
#[command(
    name = "portfolio-sync",
    version,
    about = "Keeps a GitHub Projects portfolio board honest: phases, requirements, handoffs."
)]
pub struct Cli {
    /// Configuration file [default: $PORTFOLIO_SYNC_CONFIG, .github/portfolio-sync.toml, config/portfolio.toml]
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// More log output (-v debug, -vv trace)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Only errors in the log
    #[arg(short, long, global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Reconcile the whole board: accept, refuse or adopt every move, and apply the plan
    Sync(SyncArgs),
    /// What an issue still needs for its next phase (read-only)
    Check {
        /// `48`, `#48` or `owner/repo#48`
        issue: String,
        /// Read the board from a snapshot file instead of GitHub
        #[arg(long, value_name = "FILE")]
        snapshot: Option<PathBuf>,
    },
    /// Validate the configuration offline
    CheckConfig,
    /// Check the configuration against the live board and the token's access (read-only)
    Doctor {
        /// Check against a snapshot file instead of GitHub
        #[arg(long, value_name = "FILE")]
        snapshot: Option<PathBuf>,
    },
    /// Write the live board as a snapshot file that `sync --snapshot` accepts
    Export {
        /// Where to write it [default: standard output]
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// The portfolio report for the weekly meeting: phases, ready to advance, blocked, stale, handoffs (read-only)
    Report(ReportArgs),
    /// Receive GitHub App webhooks and act on them in seconds (docs/serve.md); needs PORTFOLIO_SYNC_WEBHOOK_SECRET
    Serve {
        /// Address to listen on
        #[arg(
            long,
            value_name = "ADDR",
            default_value = "127.0.0.1:8080",
            env = "PORTFOLIO_SYNC_LISTEN"
        )]
        listen: std::net::SocketAddr,
        /// Act on a snapshot file instead of GitHub (to try the server offline)
        #[arg(long, value_name = "FILE")]
        snapshot: Option<PathBuf>,
    },
    /// Act on the GitHub Actions event in $GITHUB_EVENT_NAME / $GITHUB_EVENT_PATH
    Event {
        /// Act on a snapshot file instead of GitHub (to try commands offline)
        #[arg(long, value_name = "FILE")]
        snapshot: Option<PathBuf>,
        /// Write nothing: a full sync only prints its plan, and other events are not acted on
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(clap::Args, Debug, Clone)]
pub struct SyncArgs {
    /// Print the plan; write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// The board comes from, and changes go to, this snapshot file instead of GitHub
    #[arg(long, value_name = "FILE")]
    pub snapshot: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Apply a plan with more writes than sync.max_changes
    #[arg(long)]
    pub allow_large: bool,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

#[derive(clap::Args, Debug, Clone)]
pub struct ReportArgs {
    #[arg(long, value_enum, default_value_t = ReportFormat::Markdown)]
    pub format: ReportFormat,
    /// Where to write it [default: standard output]
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Read the board from a snapshot file instead of GitHub
    #[arg(long, value_name = "FILE")]
    pub snapshot: Option<PathBuf>,
    /// Also keep the report in its issue (needs report.issue = true): edited in place, opened only once
    #[arg(long)]
    pub publish: bool,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Markdown,
    Json,
}

/// Runs the command line and returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                Exit::Usage as i32
            } else {
                Exit::Ok as i32
            };
        }
    };
    init_tracing(cli.verbose, cli.quiet);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return Exit::Failed as i32;
        }
    };
    let mut stdout = std::io::stdout().lock();
    match runtime.block_on(run(cli, &mut stdout)) {
        Ok(exit) => exit as i32,
        Err(e) => {
            eprintln!("error: {e:#}");
            publish_error(&mut stdout, &format!("{e:#}"));
            if e.downcast_ref::<UsageError>().is_some()
                || e.downcast_ref::<config::ConfigErrors>().is_some()
            {
                Exit::Usage as i32
            } else {
                Exit::Failed as i32
            }
        }
    }
}

fn init_tracing(verbose: u8, quiet: bool) {
    // -vv is for debugging a run with GitHub: every crate's trace, the HTTP stack's included.
    let directives = match (quiet, verbose) {
        (true, _) => "portfolio_sync=error,warn",
        (false, 0) => "portfolio_sync=info,warn",
        (false, 1) => "portfolio_sync=debug,warn",
        (false, _) => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("PORTFOLIO_SYNC_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(directives));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .without_time()
        .with_target(false)
        .try_init();
}

pub async fn run(cli: Cli, out: &mut impl Write) -> Result<Exit> {
    let config_path = cli.config.clone().unwrap_or_else(config::default_path);
    match cli.command {
        Command::CheckConfig => check_config(&config_path, out),
        Command::Serve { listen, snapshot } => {
            crate::serve::run_command(&config_path, listen, snapshot).await
        }
        Command::Sync(args) => {
            let config = config::load(&config_path)?;
            match &args.snapshot {
                Some(path) => {
                    let mut forge = SnapshotForge::open(path, &config.board.status_field)?;
                    let exit = sync(&mut forge, &config, &args, out).await;
                    forge.save()?; // what was applied before a failure is kept
                    exit
                }
                None => sync(&mut github(&config).await?, &config, &args, out).await,
            }
        }
        Command::Check { issue, snapshot } => {
            let config = config::load(&config_path)?;
            let board = match snapshot {
                Some(path) => {
                    SnapshotForge::open(&path, &config.board.status_field)?
                        .read_board()
                        .await?
                }
                None => github(&config).await?.read_board().await?,
            };
            check(&config, &board, &issue, out)
        }
        Command::Doctor { snapshot } => {
            let config = config::load(&config_path)?;
            let findings = match snapshot {
                Some(path) => {
                    doctor::examine(
                        &mut SnapshotForge::open(&path, &config.board.status_field)?,
                        &config,
                    )
                    .await
                }
                None => doctor::examine(&mut github(&config).await?, &config).await,
            };
            write!(out, "{}", doctor::render(&findings))?;
            Ok(if findings.iter().all(|f| f.ok) {
                Exit::Ok
            } else {
                Exit::Failed
            })
        }
        Command::Export { out: file } => {
            let config = config::load(&config_path)?;
            let snapshot = github(&config).await?.read_board().await?;
            let json = SnapshotFile::from_snapshot(&snapshot).to_json()?;
            match file {
                Some(path) => {
                    crate::snapshot::write_atomic(&path, &json)?;
                    tracing::info!("wrote {} items to {}", snapshot.items.len(), path.display());
                }
                None => write!(out, "{json}")?,
            }
            Ok(Exit::Ok)
        }
        Command::Report(args) => {
            let config = config::load(&config_path)?;
            match &args.snapshot {
                Some(path) => {
                    let mut forge = SnapshotForge::open(path, &config.board.status_field)?;
                    let exit = report(&mut forge, &config, &args, out).await;
                    if args.publish {
                        forge.save()?;
                    }
                    exit
                }
                None => report(&mut github(&config).await?, &config, &args, out).await,
            }
        }
        Command::Event { snapshot, dry_run } => {
            let config = config::load(&config_path)?;
            let (name, payload) = event_from_env()?;
            let trigger = event::trigger(&name, &payload).map_err(|e| UsageError(e.to_string()))?;
            let trigger = match trigger {
                Trigger::FullSync { dry_run: asked } => Trigger::FullSync { dry_run: asked || dry_run },
                Trigger::Ignore(why) => Trigger::Ignore(why),
                _ if dry_run => Trigger::Ignore(format!(
                    "a dry run does not act on the {name} event: only a full sync (schedule, workflow_dispatch) has a plan to show"
                )),
                t => t,
            };
            tracing::info!("event {name}: {trigger:?}");
            let with_report = event::wants_report(&name, &payload, config.report.on_schedule);
            match snapshot {
                Some(path) => {
                    let mut forge = SnapshotForge::open(&path, &config.board.status_field)?;
                    let exit =
                        on_event_with_report(&mut forge, &config, &trigger, with_report, out).await;
                    forge.save()?;
                    exit
                }
                None => {
                    let mut forge = github(&config).await?;
                    on_event_with_report(&mut forge, &config, &trigger, with_report, out).await
                }
            }
        }
    }
}

/// The GitHub forge from the environment; a missing or half-set credential is the user's to fix (exit 2).
async fn github(config: &Config) -> Result<GitHubForge> {
    GitHubForge::from_env(&config.board).await.map_err(|e| {
        if e.is_usage_error() {
            anyhow::Error::new(UsageError(e.to_string()))
        } else {
            anyhow::Error::new(e)
        }
    })
}

/// `$GITHUB_EVENT_NAME` and the JSON payload at `$GITHUB_EVENT_PATH`.
fn event_from_env() -> Result<(String, serde_json::Value)> {
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
    Ok((name, payload))
}

/// Runs what an event asks for.
pub async fn on_event<F: IssueForge>(
    forge: &mut F,
    config: &Config,
    trigger: &Trigger,
    out: &mut impl Write,
) -> Result<Exit> {
    if let Trigger::FullSync { dry_run } = trigger {
        let args = SyncArgs {
            dry_run: *dry_run,
            snapshot: None,
            format: Format::Text,
            allow_large: false,
        };
        return sync(forge, config, &args, out).await;
    }
    let handled = handle::handle(forge, config, trigger).await?;
    for note in &handled.notes {
        writeln!(out, "{note}")?;
    }
    if !handled.plan.decisions.is_empty() || !handled.plan.actions.is_empty() {
        print_plan(out, &handled.plan, Some(&handled.report), Format::Text)?;
    }
    let title = format!(
        "{} ({})",
        summary::trigger_title(trigger),
        board_name(config)
    );
    let run = summary::Run {
        title: &title,
        plan: &handled.plan,
        report: (!handled.plan.actions.is_empty()).then_some(&handled.report),
        dry_run: false,
        refused: None,
        notes: &handled.notes,
    };
    publish(out, &run, Format::Text);
    Ok(if handled.report.failures.is_empty() {
        Exit::Ok
    } else {
        Exit::Failed
    })
}

/// An event, then (on a full sync that asked for it) the report: into the job summary, and into its issue when
/// `report.issue` is set and the run is not a dry run. The report is read after the sync, so it shows the board
/// as the sync left it.
async fn on_event_with_report<F: IssueForge>(
    forge: &mut F,
    config: &Config,
    trigger: &Trigger,
    with_report: bool,
    out: &mut impl Write,
) -> Result<Exit> {
    let exit = on_event(forge, config, trigger, out).await?;
    let Trigger::FullSync { dry_run } = trigger else {
        return Ok(exit);
    };
    if !with_report {
        return Ok(exit);
    }
    let (snapshot, open) = crate::report::read(forge, config).await?;
    let report = crate::report::build(config, &snapshot, &open, crate::report::Day::today());
    // A step summary holds at most 1 MiB; the sync's own summary comes first.
    append_to(
        "GITHUB_STEP_SUMMARY",
        &crate::report::to_markdown_within(&report, config.sync.language, 512 * 1024),
    );
    if config.report.issue && !dry_run {
        publish_report(forge, config, &report, out).await?;
    }
    Ok(exit)
}

/// Keeps the report in its issue, and says where.
async fn publish_report<F: IssueForge>(
    forge: &mut F,
    config: &Config,
    report: &crate::report::Report,
    out: &mut impl Write,
) -> Result<()> {
    if let Some(published) = crate::report::publish(forge, config, report).await? {
        let how = if published.created {
            "opened"
        } else {
            "updated"
        };
        writeln!(out, "report {how} in {}", published.issue)?;
    }
    Ok(())
}

/// Reads the board and the open issues once, and writes the report for today (to `--out` atomically).
pub async fn report<F: IssueForge>(
    forge: &mut F,
    config: &Config,
    args: &ReportArgs,
    out: &mut impl Write,
) -> Result<Exit> {
    if args.publish && !config.report.issue {
        return Err(UsageError(
            "report --publish keeps the report in an issue, which needs `issue = true` in the [report] table of the configuration".into(),
        )
        .into());
    }
    let (snapshot, open) = crate::report::read(forge, config).await?;
    let report = crate::report::build(config, &snapshot, &open, crate::report::Day::today());
    if args.publish {
        // Progress goes to the log: standard output is the report itself.
        publish_report(forge, config, &report, &mut std::io::stderr()).await?;
    }
    let text = match args.format {
        ReportFormat::Markdown => crate::report::to_markdown(&report, config.sync.language),
        ReportFormat::Json => serde_json::to_string_pretty(&report)? + "\n",
    };
    match &args.out {
        Some(path) => {
            crate::snapshot::write_atomic(path, &text)?;
            tracing::info!("wrote the report to {}", path.display());
        }
        None => write!(out, "{text}")?,
    }
    Ok(Exit::Ok)
}

/// `digdir project 1`: the board a run works on, for titles and logs.
fn board_name(config: &Config) -> String {
    format!("{} project {}", config.board.owner, config.board.project)
}

/// A non-empty environment variable.
fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// Appends `text` to the file that a GitHub Actions variable names (`$GITHUB_STEP_SUMMARY`, `$GITHUB_OUTPUT`).
/// A file that cannot be written costs a warning, never the run.
fn append_to(variable: &str, text: &str) {
    let Some(path) = env_var(variable) else {
        return;
    };
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut f| f.write_all(text.as_bytes()));
    if let Err(e) = written {
        tracing::warn!("cannot write ${variable} ({path}): {e}");
    }
}

/// In GitHub Actions: annotations when `GITHUB_ACTIONS=true` (on `out`, or on stderr beside JSON), the job summary
/// when `$GITHUB_STEP_SUMMARY` is set, and the step outputs when `$GITHUB_OUTPUT` is set. Elsewhere: nothing.
fn publish(out: &mut impl Write, run: &summary::Run, format: Format) {
    if env_var("GITHUB_ACTIONS").as_deref() == Some("true") {
        for line in summary::annotations(run) {
            let _ = match format {
                Format::Text => writeln!(out, "{line}"),
                Format::Json => writeln!(std::io::stderr(), "{line}"),
            };
        }
    }
    append_to(
        "GITHUB_STEP_SUMMARY",
        &summary::markdown(run, env_var("GITHUB_SERVER_URL").as_deref()),
    );
    append_to("GITHUB_OUTPUT", &summary::outputs(run));
}

/// [`publish`] for a run that stopped with an error.
fn publish_error(out: &mut impl Write, error: &str) {
    if env_var("GITHUB_ACTIONS").as_deref() == Some("true") {
        let _ = writeln!(out, "{}", summary::error_annotation(error));
    }
    let command = std::env::args().skip(1).collect::<Vec<_>>().join(" ");
    append_to(
        "GITHUB_STEP_SUMMARY",
        &summary::error_markdown(&command, error),
    );
}

fn check_config(path: &Path, out: &mut impl Write) -> Result<Exit> {
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

/// Reads the board, plans, and (unless a dry run) applies the plan.
pub async fn sync<F: Forge>(
    forge: &mut F,
    config: &Config,
    args: &SyncArgs,
    out: &mut impl Write,
) -> Result<Exit> {
    let snapshot = forge.read_board().await?;
    tracing::info!(
        "read {} items of {}",
        snapshot.items.len(),
        board_name(config)
    );
    preflight::check(config, &snapshot.board).map_err(|e| UsageError(e.to_string()))?;
    let mut plan = reconcile::reconcile(config, &snapshot);
    if !plan.actions.is_empty() {
        apply::prepare_labels(forge, config, &mut plan).await?;
    }
    let title = format!("full sync of {}", board_name(config));
    let mut run = summary::Run {
        title: &title,
        plan: &plan,
        report: None,
        dry_run: args.dry_run,
        refused: None,
        notes: &[],
    };
    if args.dry_run {
        print_plan(out, &plan, None, args.format)?;
        let mut notes = Vec::new();
        if plan.writes() > config.sync.max_changes && !args.allow_large {
            let warning = format!(
                "this plan has {} writes, more than sync.max_changes = {}: a real run would refuse it without --allow-large",
                plan.writes(),
                config.sync.max_changes
            );
            tracing::warn!("{warning}");
            notes.push(warning);
        }
        publish(
            out,
            &summary::Run {
                notes: &notes,
                ..run
            },
            args.format,
        );
        return Ok(Exit::Ok);
    }
    if plan.writes() > config.sync.max_changes && !args.allow_large {
        print_plan(out, &plan, None, args.format)?;
        let refused = format!(
            "the plan has {} writes, more than sync.max_changes = {}. Check it (a dry run prints it), then run again with --allow-large",
            plan.writes(),
            config.sync.max_changes
        );
        tracing::error!("refused: {refused}");
        publish(
            out,
            &summary::Run {
                refused: Some(&refused),
                ..run
            },
            args.format,
        );
        return Ok(Exit::Failed);
    }
    tracing::info!("applying {} writes", plan.writes());
    let report = apply::apply(forge, &plan, &snapshot.bot).await;
    tracing::info!(
        "{} writes done, {} failed",
        report.writes,
        report.failures.len()
    );
    print_plan(out, &plan, Some(&report), args.format)?;
    run.report = Some(&report);
    publish(out, &run, args.format);
    Ok(if report.failures.is_empty() {
        Exit::Ok
    } else {
        Exit::Failed
    })
}

fn print_plan(
    out: &mut impl Write,
    plan: &Plan,
    report: Option<&Report>,
    format: Format,
) -> Result<()> {
    let applied = report.is_some();
    match format {
        Format::Json => {
            let mut json = plan.to_json(applied);
            if let Some(r) = report {
                json["failures"] = serde_json::json!(r
                    .failures
                    .iter()
                    .map(|f| serde_json::json!({"item": f.item, "action": f.action, "error": f.error}))
                    .collect::<Vec<_>>());
            }
            writeln!(out, "{}", serde_json::to_string_pretty(&json)?)?;
        }
        Format::Text => {
            write!(out, "{}", plan.to_text(applied))?;
            if let Some(r) = report.filter(|r| !r.failures.is_empty()) {
                writeln!(out, "\nFailed ({}):", r.failures.len())?;
                for f in &r.failures {
                    writeln!(out, "  {}  {}: {}", f.item, f.action, f.error)?;
                }
                if r.skipped > 0 {
                    writeln!(out, "  ({} later writes of those items were not tried; the next run finishes them)", r.skipped)?;
                }
            }
        }
    }
    Ok(())
}

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
    writeln!(out, "{wanted}: {}", issue.title)?;
    if let Some(d) = decision {
        let show = |p: &Option<String>| p.clone().unwrap_or_else(|| "–".into());
        writeln!(
            out,
            "accepted phase: {}, board: {} ({}: {})",
            show(&d.from),
            show(&d.to),
            d.outcome.as_str(),
            d.reason
        )?;
        for m in &d.missing {
            writeln!(out, "  ✗ {m}")?;
        }
    }
    let accepted = issue
        .labels
        .iter()
        .filter_map(|l| config.phase_of_label(l))
        .min();
    let current = accepted.unwrap_or(config.sync.no_status);
    match reconcile::next_phase_checks(config, item, issue, current) {
        None => writeln!(
            out,
            "{} is the last phase.",
            config.phases.get(current).name
        )?,
        Some(next) => {
            writeln!(out, "\nTo enter {}:", next.phase)?;
            for c in &next.checks {
                writeln!(
                    out,
                    "  {} {}",
                    if c.met() { "✓" } else { "✗" },
                    c.sentence()
                )?;
            }
            for m in next.manual {
                writeln!(out, "  ? {m} (judged by people)")?;
            }
        }
    }
    Ok(Exit::Ok)
}
