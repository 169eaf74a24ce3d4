//! Every run converges: a sync interrupted at any write, by a failed write or by the process dying right after
//! it, is finished by the next run, and the board ends as an uninterrupted run leaves it, with no duplicate
//! comment, issue or reaction. Every write position of the example boards, for both kinds of interruption: the
//! bot's memory (the phase label, a revert, the blocked label) is written last, so an interrupted item looks
//! unfinished, never done.

mod support;

use portfolio_sync::config::{self, Config};
use portfolio_sync::run::actions::Actions;
use portfolio_sync::run::sync::{sync, SyncOptions};
use portfolio_sync::run::Exit;
use support::*;

/// The example boards with the configuration each is written for: revert (Digdir) and flag (English).
const WORLDS: [(&str, &str); 2] = [
    (BOARD, DIGDIR),
    (
        "config/examples/board-en.json",
        "config/examples/english.toml",
    ),
];

fn config_of(path: &str) -> Config {
    config::load(&root(path)).expect("the configuration loads")
}

/// One real sync (large plans allowed); `None` when the run stopped with an error.
async fn run(gh: &FakeGitHub, config: &Config) -> Option<Exit> {
    let mut forge = forge(gh, &config.board).await;
    let options = SyncOptions {
        allow_large: true,
        ..SyncOptions::default()
    };
    sync(
        &mut forge,
        config,
        options,
        &Actions::off(),
        &mut Vec::new(),
    )
    .await
    .ok()
}

/// The board after an uninterrupted run, and how many writes that run made.
async fn uninterrupted(board: &str, config: &Config) -> (Vec<String>, usize) {
    let gh = example_fake(board);
    assert_eq!(run(&gh, config).await, Some(Exit::Ok));
    let writes = gh.log().writes();
    gh.clear_log();
    assert_eq!(run(&gh, config).await, Some(Exit::Ok));
    assert_eq!(gh.log().writes(), 0, "a second run has nothing to do");
    (gh.read(|s| s.digest()), writes)
}

/// The first difference between two digests, for the failure message.
fn difference(want: &[String], got: &[String]) -> String {
    for (i, (w, g)) in want.iter().zip(got).enumerate() {
        if w != g {
            return format!("entry {i}:\n  want {w}\n  got  {g}");
        }
    }
    format!("{} entries, want {}", got.len(), want.len())
}

async fn interrupted_at_every_write(mode: &str, fault: fn(usize) -> Fault) {
    for (board, config_path) in WORLDS {
        let config = config_of(config_path);
        let (want, writes) = uninterrupted(board, &config).await;
        assert!(
            writes > 10,
            "{board}: a plan worth interrupting ({writes} writes)"
        );
        for k in 1..=writes {
            let gh = example_fake(board);
            gh.fault(fault(k));
            let first = run(&gh, &config).await;
            // Dying after the last write is no interruption at all.
            if k < writes || mode != "a crash" {
                assert_ne!(
                    first,
                    Some(Exit::Ok),
                    "{board}: {mode} at write {k} went unnoticed"
                );
            }
            gh.clear_faults();
            let second = run(&gh, &config).await;
            assert_eq!(
                second,
                Some(Exit::Ok),
                "{board}: the run after {mode} at write {k}"
            );
            let got = gh.read(|s| s.digest());
            assert!(
                got == want,
                "{board}: {mode} at write {k} of {writes}, then one clean run: {}",
                difference(&want, &got)
            );
            assert!(gh.log().writes() > 0);
            gh.finish();
        }
    }
}

#[tokio::test]
async fn a_write_that_fails_at_any_position_is_finished_by_the_next_run() {
    interrupted_at_every_write("a failed write", Fault::write_fails).await;
}

#[tokio::test]
async fn a_run_that_dies_after_any_write_is_finished_by_the_next_run() {
    interrupted_at_every_write("a crash", Fault::crash_after_write).await;
}
