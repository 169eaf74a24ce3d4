//! Test support: a stateful fake GitHub (`fake`) and builders for boards (`builders`).
//!
//! Use it from a test file with `mod support;` and `use support::*;`. Every test binary compiles this module on
//! its own and uses a different part of it, hence the `dead_code` allowance.
#![allow(dead_code, unused_imports)]

pub mod builders;
pub mod fake;

pub use builders::{board_config, BoardBuilder, ItemBuilder};
pub use fake::state::{AccountKind, Content, DataType, NewIssue, State};
pub use fake::{FakeGitHub, Fault, Layout, OpKind, RequestLog, BOT, TOKEN};

use portfolio_sync::config::{self, BoardConfig, Config};
use portfolio_sync::github::GitHubForge;
use portfolio_sync::run::actions::Actions;
use portfolio_sync::run::sync::{sync, SyncOptions};
use portfolio_sync::run::{Exit, Format};
use serde_json::Value;

/// Digdir's configuration and the example board it goes with.
pub const DIGDIR: &str = "config/portfolio.toml";
pub const BOARD: &str = "config/examples/board.json";

/// A path from the project root.
pub fn root(path: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

pub fn digdir() -> Config {
    config::load(&root(DIGDIR)).expect("Digdir's configuration loads")
}

/// A sync (large plans allowed) and its JSON plan.
pub async fn sync_on<F: portfolio_sync::forge::Forge>(
    forge: &mut F,
    config: &Config,
    dry_run: bool,
) -> (Exit, Value) {
    let options = SyncOptions {
        dry_run,
        format: Format::Json,
        allow_large: true,
        ..SyncOptions::default()
    };
    let mut out = Vec::new();
    let exit = sync(forge, config, options, &Actions::off(), &mut out)
        .await
        .expect("the sync runs");
    let text = String::from_utf8(out).expect("UTF-8 output");
    let plan = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    (exit, plan)
}

/// A sync of the fake with Digdir's configuration, through the production client.
pub async fn live(gh: &FakeGitHub, dry_run: bool) -> (Exit, Value) {
    let config = digdir();
    let mut forge = forge(gh, &config.board).await;
    sync_on(&mut forge, &config, dry_run).await
}

/// A `GitHubForge` for `board`, talking to `gh` as [`BOT`].
pub async fn forge(gh: &FakeGitHub, board: &BoardConfig) -> GitHubForge {
    GitHubForge::connect(gh.settings(), board)
        .await
        .expect("connect to the fake GitHub")
}

/// One of the example boards (`config/examples/*.json`, a path from the project root) as a board model.
pub fn example_snapshot(path: &str) -> portfolio_sync::board::Snapshot {
    let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let text = std::fs::read_to_string(&full).expect("the example board is readable");
    let file = portfolio_sync::snapshot::SnapshotFile::parse(&text, path)
        .expect("the example board parses");
    portfolio_sync::board::Snapshot {
        bot: file.bot,
        board: file.board,
        items: file.items,
    }
}

/// A fake GitHub holding one of the example boards, and the team repositories where the example configurations
/// open tracking issues on handoff.
pub fn example_fake(path: &str) -> FakeGitHub {
    let gh = FakeGitHub::start();
    let snapshot = example_snapshot(path);
    gh.edit(|s| {
        s.load_snapshot(&snapshot);
        // The example's own comments (its decision records) and label changes are the bot's: here the bot is the
        // fake's account.
        let bot = portfolio_sync::board::normal_login(&snapshot.bot);
        for repo in s.repos.values_mut() {
            for issue in repo.issues.values_mut() {
                for c in &mut issue.comments {
                    if c.author == snapshot.bot
                        && c.body.starts_with("<!-- portfolio-sync:decisions")
                    {
                        c.author = fake::BOT.to_string();
                    }
                }
                for e in &mut issue.label_events {
                    if e.actor.as_deref().map(portfolio_sync::board::normal_login)
                        == Some(bot.clone())
                    {
                        e.actor = Some(fake::BOT.to_string());
                    }
                }
            }
        }
        for repo in [
            "example-org/payments",
            "digdir/dialogporten",
            "digdir/fdk-issue-tracker",
        ] {
            s.add_repo(repo);
        }
    });
    gh
}

/// The binary, run from the project root with no configuration or token from the environment: the offline
/// commands on the shipped examples.
pub fn bin(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_portfolio-sync"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("PORTFOLIO_SYNC_CONFIG")
        .env_remove("GITHUB_TOKEN")
        .env_remove("GH_TOKEN")
        .env_remove("PORTFOLIO_SYNC_TOKEN")
        .env("PATH", NO_GH)
        .output()
        .expect("the binary runs")
}

/// A run's exit status and output, for assertion messages.
pub fn text(out: &std::process::Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Variables of the machine running the tests that would change what the binary does: a test sets the ones it
/// means.
pub const CLEARED: &[&str] = &[
    "GITHUB_ACTIONS",
    "GITHUB_STEP_SUMMARY",
    "GITHUB_OUTPUT",
    "GITHUB_ENV",
    "GITHUB_PATH",
    "GITHUB_SERVER_URL",
    "GITHUB_EVENT_NAME",
    "GITHUB_EVENT_PATH",
    "GITHUB_TOKEN",
    "GH_TOKEN",
    "GITHUB_API_URL",
    "GITHUB_GRAPHQL_URL",
    "PORTFOLIO_SYNC_TOKEN",
    "PORTFOLIO_SYNC_APP_ID",
    "PORTFOLIO_SYNC_APP_PRIVATE_KEY",
    "PORTFOLIO_SYNC_CONFIG",
    "PORTFOLIO_SYNC_LOG",
];

/// A `PATH` with no `gh` on it: a machine where someone is logged in with the GitHub CLI must not lend its token
/// to a test (the binary asks `gh auth token` when no variable has one). The binary needs nothing else from `PATH`.
pub const NO_GH: &str = "/nonexistent/portfolio-sync-tests";

/// The binary with [`CLEARED`] removed from its environment, and no `gh` to ask ([`NO_GH`]).
pub fn command() -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_portfolio-sync"));
    for var in CLEARED {
        cmd.env_remove(var);
    }
    cmd.env("PATH", NO_GH);
    cmd
}

pub fn assert_contains(haystack: &str, needles: &[&str]) {
    for needle in needles {
        assert!(
            haystack.contains(needle),
            "missing {needle:?} in:\n{haystack}"
        );
    }
}

/// A folder of `../shared` (GitHub's real webhook payloads, its schema). CI always has it, so there a missing one
/// fails the test; on a fresh clone without it the test says SKIPPED on the terminal (not only in captured output)
/// and `None` lets it return. `.ci/run` counts the SKIPPED lines in its closing line.
pub fn shared(folder: &str) -> Option<std::path::PathBuf> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared")
        .join(folder);
    if dir.is_dir() {
        return Some(dir);
    }
    let why = format!(
        "{} not found: this test needs ../shared beside the project (CI has it)",
        dir.display()
    );
    if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
        panic!("{why}");
    }
    skipped(&why);
    None
}

/// Says on the terminal that a test checked nothing: libtest captures `eprintln!`, not a direct write.
pub fn skipped(why: &str) {
    use std::io::Write;
    let name = std::thread::current()
        .name()
        .unwrap_or("a test")
        .to_string();
    let _ = writeln!(std::io::stderr(), "SKIPPED {name}: {why}");
}

/// The comments of an initiative on which every forum of `config` decided every phase: the bot's decision record,
/// by `bot`. For tests about what the issue and the card must show, where the decisions are not the point.
pub fn all_decided(config: &Config, bot: &str) -> Value {
    use portfolio_sync::approval::{Approval, Approvals};
    let mut record = Approvals::default();
    for (_, phase) in config.phases.iter() {
        for forum in config.forums.keys() {
            record.list.push(Approval {
                phase: phase.slug.clone(),
                forum: forum.clone(),
                by: "kari".into(),
                at: "2026-11-30T10:00:00Z".into(),
                reference: None,
                comment: 1,
                ended: None,
            });
        }
    }
    let body = portfolio_sync::reconcile::approval_record(config, &record);
    serde_json::json!([{ "id": 1, "author": bot, "body": body }])
}
