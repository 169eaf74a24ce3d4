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
use support::fake::LoggedRequest;
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
    assert_eq!(
        gh.log().writes(),
        0,
        "a second run has nothing to do:\n{}",
        gh.log().summary()
    );
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

#[tokio::test]
async fn a_rate_limited_refusal_is_told_after_the_wait_and_pauses_the_later_creates() {
    let gh = example_fake(BOARD);
    let path = "/repos/digdir/portfolio/issues/105/comments";
    gh.fault(Fault::post(path).rate_limited(1).times(2));
    assert_eq!(
        run(&gh, &digdir()).await,
        Some(Exit::Ok),
        "finished in one run"
    );
    let log = gh.log();
    let tries: Vec<&LoggedRequest> = log
        .iter()
        .filter(|r| r.method == "POST" && r.path == path)
        .collect();
    assert_eq!(tries.len(), 3, "{}", log.summary());
    let waited = tries[2].received.duration_since(tries[0].received);
    assert!(
        waited.as_millis() >= 1900,
        "retry-after was honoured twice: {waited:?}"
    );
    // The next create of another item waited for the pause too.
    let limited = tries[0].received;
    let later = log
        .iter()
        .filter(|r| r.is_create() && r.path != path && r.received > limited)
        .map(|r| r.received.duration_since(limited))
        .min()
        .expect("later creates");
    assert!(
        later.as_millis() >= 900,
        "a later create went on at once: {later:?}"
    );
    let rejected = gh.read(|s| {
        s.comments_of("digdir/portfolio", 105)
            .iter()
            .filter(|c| c.author == BOT && c.body.starts_with("<!-- portfolio-sync:rejected -->"))
            .count()
    });
    assert_eq!(rejected, 1);
    gh.finish();
}

#[tokio::test]
async fn every_third_create_refused_for_a_while_still_ends_as_a_clean_run() {
    let config = digdir();
    let (want, _) = uninterrupted(BOARD, &config).await;
    let gh = example_fake(BOARD);
    gh.fault(Fault::every_nth_create_rate_limited(3));
    let mut runs = 0;
    while runs < 3 {
        runs += 1;
        if run(&gh, &config).await == Some(Exit::Ok) {
            break;
        }
    }
    gh.clear_faults();
    let got = gh.read(|s| s.digest());
    assert!(
        got == want,
        "after {runs} run(s): {}",
        difference(&want, &got)
    );
    assert!(gh.log().writes() > 0);
    gh.finish();
}
