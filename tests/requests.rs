//! Request counts of a whole sync on generated boards against the fake GitHub (the benchmark's boards, in
//! debug builds): an unchanged board reads exactly 1 + ⌈items/100⌉; a moved card costs its comment and a share of
//! a fixed number of batches; a first run sends its labels 50 to a request. Counts, not times.

mod support;

#[path = "../benches/generate.rs"]
#[allow(dead_code)]
mod generate;

use portfolio_sync::config::{self, Config};
use portfolio_sync::run::actions::Actions;
use portfolio_sync::run::sync::{sync, SyncOptions};
use portfolio_sync::run::Exit;
use support::*;

const ITEMS: usize = 1000;

fn digdir() -> Config {
    config::load(&root(DIGDIR)).expect("the configuration loads")
}

/// A fake GitHub serving a generated board.
fn fake(shape: &generate::Shape) -> FakeGitHub {
    let board = generate::board(shape);
    let gh = FakeGitHub::start();
    gh.edit(|s| {
        s.load_snapshot(&board);
        s.add_repo("digdir/dialogporten");
    });
    gh
}

async fn run(gh: &FakeGitHub, config: &Config) -> Exit {
    let mut forge = forge(gh, &config.board).await;
    let options = SyncOptions {
        allow_large: true,
        ..SyncOptions::default()
    };
    gh.clear_log();
    sync(
        &mut forge,
        config,
        options,
        &Actions::off(),
        &mut Vec::new(),
    )
    .await
    .expect("the sync runs")
}

/// The project with its fields, and the item pages.
fn board_read() -> usize {
    1 + ITEMS.div_ceil(100)
}

#[tokio::test]
async fn an_unchanged_board_is_read_in_one_request_per_100_items_and_nothing_else() {
    let gh = fake(&generate::Shape {
        items: ITEMS,
        moved_per_mille: 0,
        unlabelled: false,
    });
    assert_eq!(run(&gh, &digdir()).await, Exit::Ok);
    let log = gh.log();
    assert_eq!(log.len(), board_read(), "{}", log.summary());
    gh.finish();
}

#[tokio::test]
async fn a_moved_card_costs_its_comment_and_a_share_of_the_batches() {
    let gh = fake(&generate::Shape {
        items: ITEMS,
        moved_per_mille: 10,
        unlabelled: false,
    });
    let config = digdir();
    assert_eq!(run(&gh, &config).await, Exit::Ok);
    let log = gh.log();
    // Each moved card gets its status comment (a handoff card gets a second one).
    let moved = log.count(|r| r.method == "POST" && r.path.ends_with("/comments"));
    assert!(moved >= 5, "a board with moved cards: {}", log.summary());
    let beyond = log.len() - board_read();
    // Issue 14 aims at 1.3 a card. Measured on this board: 21 requests for 11 comments (10 cards): the comments,
    // one comment read, one label list and one label created for the repository, one status batch, two label
    // batches, and the handoff card's tracking issue (search, create) and its last two label steps, which it takes
    // alone. Those fixed shares weigh less on a larger board (the benchmark's 10,000 items). Before issue 14: 4.2.
    assert!(
        beyond as f64 <= 2.0 * moved as f64,
        "{beyond} requests beyond the board read for {moved} comments:\n{}",
        log.summary()
    );
    // No read or label write per card: besides the comments, a fixed number of requests.
    assert!(
        beyond - moved <= 12,
        "{beyond} requests beyond the board read for {moved} comments:\n{}",
        log.summary()
    );
    // The comments of the moved cards were read in one request, not one each.
    assert_eq!(log.graphql("IssueComments"), 1, "{}", log.summary());
    gh.clear_log();
    assert_eq!(run(&gh, &config).await, Exit::Ok);
    assert_eq!(gh.log().writes(), 0, "the next run has nothing to do");
    gh.finish();
}

#[tokio::test]
async fn a_first_run_sends_its_labels_50_to_a_request() {
    let gh = fake(&generate::Shape {
        items: ITEMS,
        moved_per_mille: 0,
        unlabelled: true,
    });
    let config = digdir();
    assert_eq!(run(&gh, &config).await, Exit::Ok);
    let log = gh.log();
    let labels: usize = log
        .graphql_calls()
        .iter()
        .filter(|c| c.operation.as_deref() == Some("ChangeLabels"))
        .map(|c| c.fields)
        .sum();
    assert_eq!(labels, ITEMS, "one label each: {}", log.summary());
    assert_eq!(log.graphql("ChangeLabels"), ITEMS.div_ceil(50));
    // Besides the board read and the label batches: one label list, and the labels the repository lacks.
    let created = log.rest("POST", "/repos/digdir/portfolio/labels");
    assert_eq!(
        log.len(),
        board_read() + ITEMS.div_ceil(50) + 1 + created,
        "{}",
        log.summary()
    );
    gh.finish();
}
