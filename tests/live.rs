//! `sync`, `export` and `check` on the fake GitHub, through the production client: the same decisions as on the
//! snapshot the board came from, convergence, faults GitHub really answers with, the preflight, and credentials.

mod support;

use std::path::Path;
use std::process::{Command, Output};

use portfolio_sync::run::actions::Actions;
use portfolio_sync::run::sync::{sync, SyncOptions};
use portfolio_sync::run::Exit;
use portfolio_sync::snapshot::SnapshotForge;
use serde_json::Value;
use support::*;

/// The dry-run plan of a snapshot file.
async fn offline(path: &Path) -> Value {
    let mut forge = SnapshotForge::open(path, "Status").expect("the snapshot opens");
    sync_on(&mut forge, &digdir(), true).await.1
}

/// The binary against the fake, with only the variables given (the machine's GitHub variables cleared).
fn on_fake(gh: &FakeGitHub, token: Option<&str>, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_portfolio-sync"));
    for name in [
        "GITHUB_ACTIONS",
        "GITHUB_STEP_SUMMARY",
        "GITHUB_OUTPUT",
        "GITHUB_TOKEN",
        "GH_TOKEN",
        "PORTFOLIO_SYNC_APP_ID",
        "PORTFOLIO_SYNC_APP_PRIVATE_KEY",
        "PORTFOLIO_SYNC_TOKEN",
        "PORTFOLIO_SYNC_LOG",
    ] {
        cmd.env_remove(name);
    }
    cmd.env("GITHUB_API_URL", gh.api_url())
        .env("GITHUB_GRAPHQL_URL", gh.graphql_url())
        .env("PATH", support::NO_GH)
        .arg("--config")
        .arg(root(DIGDIR))
        .args(args);
    if let Some(token) = token {
        cmd.env("PORTFOLIO_SYNC_TOKEN", token);
    }
    cmd.output().expect("the binary runs")
}

#[tokio::test]
async fn a_live_sync_decides_as_the_snapshot_did_and_then_converges() {
    let gh = example_fake(BOARD);
    let expected = offline(&root(BOARD)).await;
    let (exit, dry) = live(&gh, true).await;
    assert_eq!(exit, Exit::Ok);
    assert_eq!(dry["decisions"], expected["decisions"]);
    assert_eq!(dry["actions"], expected["actions"]);
    assert_eq!(gh.log().writes(), 0, "a dry run writes nothing");

    let (exit, applied) = live(&gh, false).await;
    assert_eq!(exit, Exit::Ok, "{applied:#}");
    assert_eq!(applied["summary"]["applied"], true);
    gh.read(|s| {
        assert!(s
            .labels_of("digdir/portfolio", 101)
            .contains(&"fase/konsept".into()));
        assert_eq!(
            s.item_status("PVTI_105").as_deref(),
            Some("Konsept"),
            "reverted"
        );
    });

    gh.clear_log();
    let (exit, again) = live(&gh, false).await;
    assert_eq!(exit, Exit::Ok);
    assert_eq!(again["actions"], Value::Array(Vec::new()), "{again:#}");
    let log = gh.log();
    assert_eq!(log.writes(), 0, "{}", log.summary());
    gh.finish();
}

#[tokio::test]
async fn a_502_on_an_item_page_and_a_secondary_rate_limit_are_waited_out() {
    let gh = example_fake(BOARD);
    gh.fault(Fault::graphql("BoardItems").status(502));
    // The label changes go in aliased batches: GitHub's secondary limit refuses the first one for a second.
    gh.fault(Fault::graphql("ChangeLabels").rate_limited(1));
    let (exit, plan) = live(&gh, false).await;
    assert_eq!(exit, Exit::Ok, "{plan:#}");
    assert_eq!(gh.pending_faults(), 0, "both faults were met");
    assert_eq!(
        gh.log().graphql("BoardItems"),
        2,
        "the page was asked for again"
    );
    assert_eq!(
        gh.log()
            .count(|r| r.operation() == Some("ChangeLabels") && r.status != 200),
        1,
        "the refused batch was sent again after the wait"
    );
    gh.read(|s| {
        assert!(s
            .labels_of("digdir/portfolio", 101)
            .contains(&"fase/konsept".into()))
    });
    gh.finish();
}

#[tokio::test]
async fn a_graphql_errors_answer_fails_the_run_with_githubs_message() {
    let gh = example_fake(BOARD);
    gh.fault(
        Fault::graphql("BoardItems")
            .graphql_errors("Something went wrong while executing your query"),
    );
    let mut forge = forge(&gh, &digdir().board).await;
    let err = sync(
        &mut forge,
        &digdir(),
        SyncOptions::default(),
        &Actions::off(),
        &mut Vec::new(),
    )
    .await
    .expect_err("an errors array is a failure");
    let shown = format!("{err:#}");
    assert!(shown.contains("BoardItems"), "names the query: {shown}");
    assert!(
        shown.contains("Something went wrong while executing your query"),
        "{shown}"
    );
    assert_eq!(gh.log().writes(), 0);
    gh.finish();
}

/// Comments the bot wrote on one issue that carry `marker`.
fn marked(gh: &FakeGitHub, number: u64, marker: &str) -> usize {
    gh.read(|s| {
        s.comments_of("digdir/portfolio", number)
            .iter()
            .filter(|c| c.author == BOT && c.body.contains(marker))
            .count()
    })
}

#[tokio::test]
async fn a_comment_create_that_fails_is_checked_before_it_is_sent_again() {
    let gh = example_fake(BOARD);
    // #115 and #116 are refused: the bot explains why in a `rejected` comment on each. #115's comment lands before
    // GitHub answers 500; #116's does not land at all.
    let landed = "/repos/digdir/portfolio/issues/115/comments";
    let lost = "/repos/digdir/portfolio/issues/116/comments";
    gh.fault(Fault::post(landed).status(500).after_landing());
    gh.fault(Fault::post(lost).status(500));
    let (exit, plan) = live(&gh, false).await;
    assert_eq!(exit, Exit::Ok, "{plan:#}");
    let log = gh.log();
    assert_eq!(
        log.rest("POST", landed),
        1,
        "found, not sent again: {}",
        log.summary()
    );
    assert_eq!(log.rest("POST", lost), 2, "not found, so sent once more");
    assert_eq!(marked(&gh, 115, "portfolio-sync:rejected"), 1);
    assert_eq!(marked(&gh, 116, "portfolio-sync:rejected"), 1);

    // The card is dragged back into the column it may not enter; the next run edits nothing and posts nothing new.
    gh.edit(|s| s.set_value("PVTI_115", "Status", &Value::from("Problem")));
    gh.clear_log();
    let (exit, plan) = live(&gh, false).await;
    assert_eq!(exit, Exit::Ok, "{plan:#}");
    assert_eq!(gh.log().rest("POST", landed), 0, "{}", gh.log().summary());
    assert_eq!(
        marked(&gh, 115, "portfolio-sync:rejected"),
        1,
        "no duplicate"
    );
    gh.finish();
}

#[tokio::test]
async fn one_items_failed_write_leaves_the_others_applied() {
    let gh = example_fake(BOARD);
    let path = "/repos/digdir/portfolio/issues/101/labels";
    // GitHub refuses the label change of #101 alone: the other changes of its batch land.
    gh.edit(|s| s.refuse_label_changes("digdir/portfolio", 101, "Validation Failed"));
    let (exit, plan) = live(&gh, false).await;
    assert_eq!(exit, Exit::Failed);
    let failures = plan["failures"].to_string();
    assert!(failures.contains("digdir/portfolio#101"), "{failures}");
    assert!(failures.contains("Validation Failed"), "{failures}");
    gh.read(|s| {
        assert!(!s
            .labels_of("digdir/portfolio", 101)
            .contains(&"fase/konsept".into()));
        assert!(s
            .labels_of("digdir/portfolio", 102)
            .contains(&"fase/implementering".into()));
        assert_eq!(
            s.item_status("PVTI_105").as_deref(),
            Some("Konsept"),
            "reverted"
        );
    });

    // Their comments (one request each) and their labels (in batches, one of them shared with #101).
    let log = gh.log();
    assert!(
        log.count(|r| r.is_create()) > 10 && log.graphql("ChangeLabels") >= 3,
        "the other items were written: {}",
        log.summary()
    );

    // The next run finishes it, with the one write that failed and nothing else.
    gh.edit(|s| s.label_refusals.clear());
    gh.clear_log();
    let (exit, _) = live(&gh, false).await;
    assert_eq!(exit, Exit::Ok);
    let log = gh.log();
    assert_eq!(log.writes(), 1, "{}", log.summary());
    assert_eq!(log.rest("POST", path), 1, "{}", log.summary());
    gh.read(|s| {
        assert!(s
            .labels_of("digdir/portfolio", 101)
            .contains(&"fase/konsept".into()))
    });
    gh.finish();
}

#[tokio::test]
async fn a_renamed_status_option_stops_the_run_before_any_write() {
    let gh = example_fake(BOARD);
    gh.edit(|s| {
        let project = s
            .projects
            .iter_mut()
            .find(|p| p.number == 1)
            .expect("project 1");
        let status = project
            .fields
            .iter_mut()
            .find(|f| f.name == "Status")
            .expect("Status");
        let option = status
            .options
            .iter_mut()
            .find(|o| o.name == "Konsept")
            .expect("Konsept");
        option.name = "Konseptfase".into();
    });
    let out = on_fake(&gh, Some(TOKEN), &["sync", "--allow-large"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let shown = text(&out);
    assert!(shown.contains("Konsept"), "names what is missing: {shown}");
    assert!(
        shown.contains("Konseptfase"),
        "and what the board has: {shown}"
    );
    assert_eq!(gh.log().writes(), 0, "{}", gh.log().summary());
    gh.finish();
}

#[test]
fn without_a_token_the_run_stops_with_exit_2_and_says_what_to_set() {
    let gh = example_fake(BOARD);
    let out = on_fake(&gh, None, &["sync", "--dry-run"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("PORTFOLIO_SYNC_TOKEN"),
        "{}",
        text(&out)
    );
    assert!(gh.log().is_empty(), "nothing was asked of GitHub");
    gh.finish();
}

#[test]
fn the_token_shows_in_no_output_even_at_trace_level() {
    let gh = example_fake(BOARD);
    let out = on_fake(&gh, Some(TOKEN), &["-vv", "sync", "--allow-large"]);
    let shown = text(&out);
    assert!(gh.log().writes() > 0, "a real sync ran: {shown}");
    // The requests were logged with their headers, the Authorization header masked.
    assert!(
        shown.contains("\"authorization\": Sensitive"),
        "trace logs with headers were written: {shown}"
    );
    assert!(!shown.contains(TOKEN), "the token leaked: {shown}");
    // A wrong token too: error paths are where secrets leak.
    let wrong = "ghp_wrong_token_that_must_not_leak";
    let out = on_fake(&gh, Some(wrong), &["-vv", "sync", "--allow-large"]);
    let shown = text(&out);
    assert!(shown.contains("Bad credentials"), "{shown}");
    assert!(!shown.contains(wrong), "the token leaked: {shown}");
    gh.finish();
}

#[tokio::test]
async fn export_gives_a_snapshot_that_plans_what_the_live_board_does() {
    let gh = example_fake(BOARD);
    let dir = tempfile::tempdir().expect("temp dir");
    let exported = dir.path().join("board.json");
    let out = on_fake(
        &gh,
        Some(TOKEN),
        &["export", "--out", exported.to_str().expect("UTF-8 path")],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(gh.log().writes(), 0);

    let (_, live_plan) = live(&gh, true).await;
    let offline_plan = offline(&exported).await;
    assert_eq!(offline_plan["decisions"], live_plan["decisions"]);
    assert_eq!(offline_plan["actions"], live_plan["actions"]);
    gh.finish();
}

#[tokio::test]
async fn check_reads_the_live_board() {
    let gh = example_fake(BOARD);
    let out = on_fake(&gh, Some(TOKEN), &["check", "105"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.contains("Planlegging"), "the next phase: {shown}");
    assert!(shown.contains("OKR"), "what it lacks: {shown}");
    assert_eq!(gh.log().writes(), 0);
    gh.finish();
}

/// A card whose recorded decisions cannot be read waits: it is neither accepted nor reverted (its decision may well
/// be there), the others are done, the run exits 1 naming it, and the next run finishes it.
#[tokio::test]
async fn a_card_whose_decisions_cannot_be_read_waits_for_the_next_run() {
    let gh = example_fake(BOARD);
    // The batch read fails, and so does the one-at-a-time read of #104 (the office decided its move to Konsept).
    gh.fault(Fault::graphql("IssueComments").status(502).times(20));
    gh.fault(
        Fault::get("/repos/digdir/portfolio/issues/104/comments")
            .status(502)
            .times(20),
    );
    let (exit, plan) = live(&gh, false).await;
    assert_eq!(exit, Exit::Failed);
    let failures = plan["failures"].to_string();
    assert!(
        failures.contains("digdir/portfolio#104") && failures.contains("lese vedtakene"),
        "{failures}"
    );
    gh.read(|s| {
        assert_eq!(s.labels_of("digdir/portfolio", 104), ["fase/problem"]);
        assert_eq!(
            s.item_status("PVTI_104").as_deref(),
            Some("Konsept"),
            "not reverted"
        );
        // #108's decisions were read one at a time: its handoff went through.
        assert!(s
            .labels_of("digdir/portfolio", 108)
            .contains(&"fase/implementering".into()));
    });

    gh.clear_faults();
    let (exit, _) = live(&gh, false).await;
    assert_eq!(exit, Exit::Ok);
    gh.read(|s| assert_eq!(s.labels_of("digdir/portfolio", 104), ["fase/konsept"]));
}
