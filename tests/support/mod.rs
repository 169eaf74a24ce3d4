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
