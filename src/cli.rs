//! The command line: arguments, logging, dispatch to the use cases in [`run`](crate::run), exit codes (for [`main`]).

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;
use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

use crate::config;
use crate::run::actions::Actions;
use crate::run::check::CheckOptions;
use crate::run::doctor::DoctorOptions;
use crate::run::event::EventInput;
use crate::run::init::InitOptions;
use crate::run::report::ReportOptions;
use crate::run::sync::SyncOptions;
use crate::run::{self, Exit};

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
        /// How the answer is printed
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Also print the comments the bot would write: the status comment, and the refusal or handoff comment
        #[arg(long)]
        comment: bool,
    },
    /// Validate the configuration offline
    CheckConfig,
    /// Write a starter configuration from a board: its Status options as phases, its repositories and fields
    Init(InitArgs),
    /// Print the JSON Schema of the configuration file (for editors: taplo, Even Better TOML)
    Schema,
    /// Print the shell completion script for SHELL
    Completions {
        /// bash, zsh, fish, elvish or powershell
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff)
    Man,
    /// Check the configuration against the live board and the token's access (read-only)
    Doctor {
        /// Check against a snapshot file instead of GitHub
        #[arg(long, value_name = "FILE")]
        snapshot: Option<PathBuf>,
        /// How the findings are printed
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
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
    /// How the plan is printed
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Apply a plan with more writes than sync.max_changes
    #[arg(long)]
    pub allow_large: bool,
    /// Only this initiative (48, #48, owner/repo#48), with the same rules; repeat for more
    #[arg(long, value_name = "REF")]
    pub issue: Vec<String>,
}

#[derive(clap::Args, Debug, Clone)]
pub struct InitArgs {
    /// Read the board from a snapshot file instead of GitHub
    #[arg(long, value_name = "FILE", conflicts_with_all = ["owner", "project"])]
    pub snapshot: Option<PathBuf>,
    /// The organisation or user that owns the live board
    #[arg(long, required_unless_present = "snapshot")]
    pub owner: Option<String>,
    /// The project number, from the board's URL (github.com/orgs/OWNER/projects/NUMBER)
    #[arg(long, required_unless_present = "snapshot")]
    pub project: Option<u64>,
    /// The board's single-select field whose options are the phases
    #[arg(long, value_name = "NAME", default_value = "Status")]
    pub status_field: String,
    /// Where to write the configuration ("-" for standard output); an existing file is never overwritten
    #[arg(
        long,
        value_name = "FILE",
        default_value = ".github/portfolio-sync.toml"
    )]
    pub out: PathBuf,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

#[derive(clap::Args, Debug, Clone)]
pub struct ReportArgs {
    /// How the report is written
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
    Html,
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
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| eprintln!("error: cannot start the async runtime: {e}"));
    let Ok(runtime) = runtime else {
        return Exit::Failed as i32;
    };
    let mut stdout = std::io::stdout().lock();
    let config_path = cli.config.clone().unwrap_or_else(config::default_path);
    match runtime.block_on(run(cli, &mut stdout)) {
        Ok(exit) => exit as i32,
        Err(e) => {
            Actions::from_env().publish_error(&mut stdout, &config_path, &e);
            run::exit_of(&e) as i32
        }
    }
}

fn init_tracing(verbose: u8, quiet: bool) {
    // -vv is for debugging a run with GitHub: every crate's trace. Below it octocrab is off: it logs each failed
    // attempt as an ERROR naming no request, even when a retry succeeds; the client warns of retries itself.
    let directives = match (quiet, verbose) {
        (true, _) => "portfolio_sync=error,octocrab=off,warn",
        (false, 0) => "portfolio_sync=info,octocrab=off,warn",
        (false, 1) => "portfolio_sync=debug,octocrab=off,warn",
        (false, _) => "trace",
    };
    let colour = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()); // no-color.org
    let filter = tracing_subscriber::EnvFilter::try_from_env("PORTFOLIO_SYNC_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(directives));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(colour && std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .without_time()
        .with_target(false)
        .try_init();
}

pub async fn run(cli: Cli, out: &mut impl Write) -> Result<Exit> {
    let config_path = cli.config.clone().unwrap_or_else(config::default_path);
    let load = || config::load(&config_path);
    let actions = Actions::from_env();
    match cli.command {
        Command::CheckConfig => run::check::check_config(&config_path, out),
        Command::Init(args) => run::init::run(&args.options(), out).await,
        Command::Schema => run::check::schema(out),
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "portfolio-sync", out);
            Ok(Exit::Ok)
        }
        Command::Man => Ok(clap_mangen::Man::new(Cli::command())
            .render(out)
            .map(|()| Exit::Ok)?),
        Command::Serve { listen, snapshot } => {
            crate::serve::run_command(&config_path, listen, snapshot).await
        }
        Command::Sync(args) => {
            let config = load()?;
            let mut forge = run::open(&config, args.snapshot.as_deref()).await?;
            let exit = run::sync::sync(&mut forge, &config, args.options(), &actions, out).await;
            forge.save()?; // what was applied before a failure is kept
            exit
        }
        Command::Check {
            issue,
            snapshot,
            format,
            comment,
        } => {
            let config = load()?;
            let mut forge = run::open(&config, snapshot.as_deref()).await?;
            let format = format.into();
            let options = CheckOptions { format, comment };
            run::check::check(&mut forge, &config, &issue, options, out).await
        }
        Command::Doctor { snapshot, format } => {
            let config = load()?;
            let mut forge = run::open(&config, snapshot.as_deref()).await?;
            let options = DoctorOptions {
                format: format.into(),
            };
            run::doctor::doctor(&mut forge, &config, options, out).await
        }
        Command::Export { out: file } => {
            let config = load()?;
            let mut forge = run::github(&config).await?;
            run::export::export(&mut forge, &config, file.as_deref(), out).await
        }
        Command::Report(args) => {
            let config = load()?;
            // Publishing saves a snapshot itself, before it says where the report went.
            let mut forge = run::open(&config, args.snapshot.as_deref()).await?;
            run::report::report(&mut forge, &config, &args.options(), out).await
        }
        Command::Event { snapshot, dry_run } => {
            let config = load()?;
            let input = EventInput::from_env()?;
            let mut forge = run::open(&config, snapshot.as_deref()).await?;
            let exit = run::event::event(&mut forge, &config, &input, dry_run, &actions, out).await;
            forge.save()?;
            exit
        }
    }
}

impl From<Format> for run::Format {
    fn from(format: Format) -> run::Format {
        match format {
            Format::Text => run::Format::Text,
            Format::Json => run::Format::Json,
        }
    }
}

impl SyncArgs {
    pub fn options(&self) -> SyncOptions {
        SyncOptions {
            dry_run: self.dry_run,
            format: self.format.into(),
            allow_large: self.allow_large,
            issues: self.issue.clone(),
        }
    }
}

impl InitArgs {
    pub fn options(&self) -> InitOptions {
        InitOptions {
            snapshot: self.snapshot.clone(),
            owner: self.owner.clone().unwrap_or_default(),
            project: self.project.unwrap_or_default(),
            out: (self.out.as_os_str() != "-").then(|| self.out.clone()),
            status_field: self.status_field.clone(),
        }
    }
}

impl ReportArgs {
    pub fn options(&self) -> ReportOptions {
        ReportOptions {
            format: match self.format {
                ReportFormat::Markdown => run::report::ReportFormat::Markdown,
                ReportFormat::Json => run::report::ReportFormat::Json,
                ReportFormat::Html => run::report::ReportFormat::Html,
            },
            out: self.out.clone(),
            publish: self.publish,
        }
    }
}
