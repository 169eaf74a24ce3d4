//! What a newcomer reads: every message says what is true, in plain words (issue 16's list of misleading output).

mod support;

use std::path::Path;

use portfolio_sync::doctor::{self, Finding};
use portfolio_sync::language::Language;
use portfolio_sync::plan::{plural, Decision, Outcome, Plan};
use serde_json::Value;
use support::{bin, command, example_fake, text, Fault, TOKEN};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const BOARD: &str = "config/examples/board.json";

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn doctor_on_a_snapshot_claims_no_token() {
    let out = bin(&["doctor", "--snapshot", BOARD]);
    assert!(out.status.success(), "{}", text(&out));
    let shown = stdout(&out);
    assert!(!shown.contains("token reaches"), "{shown}");
    assert!(
        shown.contains(
            "the board comes from the snapshot config/examples/board.json: no token is used"
        ),
        "{shown}"
    );
    assert!(shown.contains("23 items, fields:"), "{shown}");
}

#[test]
fn check_on_a_pull_request_card_says_it_is_skipped_not_missing() {
    let out = bin(&["check", "111", "--snapshot", BOARD]);
    assert!(out.status.success(), "{}", text(&out));
    let shown = stdout(&out);
    assert!(
        !text(&out).contains("is not on the board"),
        "{}",
        text(&out)
    );
    assert!(
        shown.contains("digdir/portfolio#111: Oppdater malen for porteføljetiltak\nhoppet over ("),
        "{shown}"
    );
}

#[test]
fn check_on_a_skipped_card_lists_no_next_phase() {
    // #113 is archived, in Konsept: the bot never touches it, so no phase's list applies.
    let out = bin(&["check", "113", "--snapshot", BOARD]);
    assert!(out.status.success(), "{}", text(&out));
    let shown = stdout(&out);
    assert!(shown.contains("hoppet over (arkivert)"), "{shown}");
    assert!(!shown.contains("kan gå videre til"), "{shown}");
}

#[test]
fn a_card_whose_issue_is_missing_is_not_called_a_draft() {
    let dir = tempfile::tempdir().unwrap();
    let mut board: Value =
        serde_json::from_str(&std::fs::read_to_string(Path::new(ROOT).join(BOARD)).unwrap())
            .unwrap();
    let items = board["items"].as_array_mut().unwrap();
    items.push(serde_json::json!({
        "id": "PVTI_unreadable", "type": "issue", "archived": false, "fields": {"Status": "Konsept"}
    }));
    let copy = dir.path().join("board.json");
    std::fs::write(&copy, board.to_string()).unwrap();
    let out = bin(&["sync", "--snapshot", copy.to_str().unwrap(), "--dry-run"]);
    assert!(out.status.success(), "{}", text(&out));
    let shown = stdout(&out);
    assert!(!shown.contains("draft:PVTI_unreadable"), "{shown}");
    assert!(
        shown.lines().any(|l| l.starts_with("item:PVTI_unreadable ")
            && l.contains("tavla mangler innholdet i saken")),
        "{shown}"
    );
}

#[test]
fn counts_are_singular_when_one() {
    assert_eq!(plural(1, "repository"), "1 repository");
    assert_eq!(plural(2, "repository"), "2 repositories");
    assert_eq!(plural(2, "day"), "2 days");
    assert_eq!(plural(0, "item"), "0 items");

    let out = bin(&["check-config"]);
    assert!(out.status.success(), "{}", text(&out));
    let shown = stdout(&out);
    assert!(shown.contains(", 1 repository, "), "{shown}");
    assert!(!shown.contains("1 repositories"), "{shown}");

    let plan = Plan {
        decisions: vec![decision("digdir/portfolio#1", "Problem")],
        actions: vec![],
    };
    let table = plan.to_text(false, Language::En);
    assert!(table.contains("\n1 item: "), "{table}");
    let table = plan.to_text(false, Language::Nb);
    assert!(table.contains("\n1 kort: "), "{table}");
    let writes = |n| portfolio_sync::plan::writes(Language::Nb, n);
    assert_eq!([writes(1), writes(2)], ["1 endring", "2 endringer"]);

    let one_bad = [Finding {
        ok: false,
        misfit: false,
        text: "x".into(),
    }];
    let rendered = doctor::render(&one_bad);
    assert!(
        rendered.contains("\n1 problem: fix it before"),
        "{rendered}"
    );
    assert!(!rendered.contains("problem(s)"), "{rendered}");
}

#[test]
fn check_config_spells_on_violation_as_the_toml_does() {
    let out = bin(&["check-config"]);
    assert!(
        stdout(&out).contains("on_violation = \"revert\""),
        "{}",
        text(&out)
    );
    let out = bin(&["--config", "config/examples/english.toml", "check-config"]);
    assert!(
        stdout(&out).contains("on_violation = \"flag\""),
        "{}",
        text(&out)
    );
}

fn decision(item: &str, to: &str) -> Decision {
    Decision {
        item: item.into(),
        from: None,
        to: Some(to.into()),
        outcome: Outcome::Adopted,
        missing: vec![],
        reason: "no phase label yet".into(),
    }
}

#[test]
fn an_emoji_in_a_status_option_does_not_shift_the_columns() {
    let plan = Plan {
        decisions: vec![
            decision("digdir/portfolio#1", "🚀 Implementering"),
            decision("digdir/portfolio#2", "Konsept"),
        ],
        actions: vec![],
    };
    // The OUTCOME column starts at the same terminal column on every row.
    let column_of = |line: &str, word: &str| {
        let at = line
            .find(word)
            .unwrap_or_else(|| panic!("{word} in {line}"));
        unicode_width::UnicodeWidthStr::width(&line[..at])
    };
    for (lang, head, outcome) in [
        (Language::En, "OUTCOME", "adopted"),
        (Language::Nb, "UTFALL", "overtatt"),
    ] {
        let table = plan.to_text(false, lang);
        let lines: Vec<&str> = table.lines().collect();
        let header = column_of(lines[0], head);
        assert_eq!(column_of(lines[1], outcome), header, "{table}");
        assert_eq!(column_of(lines[2], outcome), header, "{table}");
    }
}

#[test]
fn a_plan_without_decisions_prints_no_table_header() {
    // A comment command (/sjekk) decides no card; its plan is only writes.
    let plan = Plan::default();
    let shown = plan.to_text(false, Language::En);
    assert_eq!(shown, "nothing to do.\n");
    assert!(!shown.contains("ITEM"), "{shown}");
    assert_eq!(plan.to_text(false, Language::Nb), "ingenting å gjøre.\n");
}

#[test]
fn a_missing_configuration_names_the_file_without_a_place_in_it() {
    let out = bin(&["--config", "nope.toml", "check-config"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let shown = stderr(&out);
    assert!(!shown.contains("nope.toml:0:0"), "{shown}");
    assert!(
        shown.contains("error: nope.toml: cannot read the configuration"),
        "{shown}"
    );
    assert!(shown.contains("portfolio-sync init"), "{shown}");
}

#[test]
fn no_color_turns_colours_off_on_a_terminal() {
    // Colours are only ever written to a terminal, so the log must go to one: `script` runs the binary on a pty.
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        support::skipped("`script` (util-linux) is not installed: no terminal to test colours on");
        return;
    }
    let run = |no_color: Option<&str>| {
        let binary = env!("CARGO_BIN_EXE_portfolio-sync");
        let mut cmd = std::process::Command::new("script");
        for var in support::CLEARED {
            cmd.env_remove(var);
        }
        cmd.env_remove("NO_COLOR").current_dir(ROOT).args([
            "-qec",
            &format!("{binary} sync --snapshot {BOARD} --dry-run"),
            "/dev/null",
        ]);
        if let Some(v) = no_color {
            cmd.env("NO_COLOR", v);
        }
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{}", text(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    // The WARN line about max_changes is coloured on a terminal...
    assert!(run(None).contains("\u{1b}["), "no colour on a terminal");
    assert!(
        run(Some("")).contains("\u{1b}["),
        "an empty NO_COLOR counts as unset"
    );
    // ...and not with NO_COLOR.
    let plain = run(Some("1"));
    assert!(!plain.contains('\u{1b}'), "{plain}");
    assert!(plain.contains("WARN"), "{plain}");
}

#[test]
fn with_the_network_down_doctor_blames_the_network_not_the_token_and_logs_no_octocrab_error() {
    // Port 9 (discard) on localhost: nothing listens there, so every attempt is refused.
    let out = command()
        .current_dir(ROOT)
        .env("PORTFOLIO_SYNC_TOKEN", "ghp_offline")
        .env("GITHUB_API_URL", "http://127.0.0.1:9")
        .args(["doctor"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let shown = stdout(&out);
    assert!(
        shown.contains("GitHub did not answer: check the network"),
        "{shown}"
    );
    assert!(!shown.contains("token's access"), "{shown}");
    let log = stderr(&out);
    assert!(!log.contains("failed with error"), "{log}");
    assert!(log.contains("WARN"), "the retries are warnings: {log}");
    assert!(
        log.contains("POST /graphql"),
        "a retry names its request: {log}"
    );
}

#[test]
fn a_retry_that_succeeds_is_a_warning_naming_the_request_and_item_and_no_error() {
    let gh = example_fake(BOARD);
    // The label changes of a step go as one GraphQL batch (issue 14): the first batch fails once.
    gh.fault(Fault::graphql("ChangeLabels").status(502));
    let out = command()
        .current_dir(ROOT)
        .env("PORTFOLIO_SYNC_TOKEN", TOKEN)
        .env("GITHUB_API_URL", gh.api_url())
        .env("GITHUB_GRAPHQL_URL", gh.graphql_url())
        .args(["sync", "--allow-large"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let log = stderr(&out);
    assert!(
        log.lines().any(|l| l.contains("WARN")
            && l.contains("POST /graphql")
            && l.contains("GitHub answered 502; retrying")),
        "{log}"
    );
    assert!(!log.contains("ERROR"), "{log}");
    assert_eq!(gh.pending_faults(), 0);
    let log = gh.log();
    let batches: Vec<_> = log
        .iter()
        .filter(|r| r.operation() == Some("ChangeLabels"))
        .collect();
    assert!(
        batches.len() >= 2 && batches[0].status == 502,
        "sent again after the 502: {}",
        log.summary()
    );
    assert_eq!(batches[1].body, batches[0].body, "the same batch");
    gh.finish();
}

#[test]
fn an_event_logs_what_it_is_about_not_a_debug_dump_and_a_command_prints_no_table_header() {
    let dir = tempfile::tempdir().unwrap();
    let board = dir.path().join("board.json");
    std::fs::copy(Path::new(ROOT).join(BOARD), &board).unwrap();
    let fixture = Path::new(ROOT).join("tests/fixtures/webhooks/issue_comment.created.json");
    let mut payload: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture).unwrap()).unwrap();
    payload["repository"]["full_name"] = "digdir/portfolio".into();
    payload["issue"]["number"] = 104.into();
    payload["comment"]["body"] = "/sjekk".into();
    payload["comment"]["user"]["login"] = "kari".into();
    payload["comment"]["user"]["type"] = "User".into();
    payload["sender"]["login"] = "kari".into();
    let event = dir.path().join("event.json");
    std::fs::write(&event, payload.to_string()).unwrap();
    let out = command()
        .current_dir(ROOT)
        .env("GITHUB_EVENT_NAME", "issue_comment")
        .env("GITHUB_EVENT_PATH", &event)
        .args(["event", "--snapshot", board.to_str().unwrap()])
        .output()
        .unwrap();
    let log = stderr(&out);
    assert!(
        log.contains("event issue_comment: comment by kari on digdir/portfolio#104"),
        "{}",
        text(&out)
    );
    assert!(!log.contains("CommentEvent {"), "{log}");
    assert!(!log.contains("Comment("), "{log}");
    // Digdir's configuration is in bokmål: the table header and the count would say KORT and "0 kort".
    let shown = stdout(&out);
    assert!(!shown.contains("KORT"), "{shown}");
    assert!(!shown.contains("0 kort"), "{shown}");
}
