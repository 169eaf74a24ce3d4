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

use portfolio_sync::config::BoardConfig;
use portfolio_sync::github::GitHubForge;

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
        .env_remove("PORTFOLIO_SYNC_TOKEN")
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
