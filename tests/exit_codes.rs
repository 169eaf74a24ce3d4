//! The README's exit-code table, one test per row, through the real binary.
//!
//! | code | when |
//! | --- | --- |
//! | 0 | the command did what it set out to do |
//! | 1 | some items failed; the run was refused (more writes than `max_changes`); a file could not be saved; GitHub failed |
//! | 2 | usage or configuration error: bad arguments, a configuration that does not load or does not fit the board, a bad snapshot file, a bad event payload, a missing token, an output that is not a regular file |

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::json;
use support::*;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const EXAMPLE: &str = "config/examples/board.json";
const ENGLISH: &str = "config/examples/english.toml";

fn example_copy(dir: &Path) -> PathBuf {
    let to = dir.join("board.json");
    std::fs::copy(Path::new(ROOT).join(EXAMPLE), &to).unwrap();
    to
}

/// The binary against the fake GitHub, with the bot's token.
fn live(gh: &FakeGitHub, args: &[&str]) -> Output {
    command()
        .args(args)
        .current_dir(ROOT)
        .env("GITHUB_API_URL", gh.api_url())
        .env("GITHUB_GRAPHQL_URL", gh.graphql_url())
        .env("PORTFOLIO_SYNC_TOKEN", TOKEN)
        .output()
        .expect("the binary runs")
}

fn assert_exit(out: &Output, code: i32, why: &str) {
    assert_eq!(out.status.code(), Some(code), "{why}: {}", text(out));
}

// 0 -------------------------------------------------------------------------------------------------------------

#[test]
fn exit_0_when_the_command_did_what_it_set_out_to_do() {
    assert_exit(
        &bin(&["sync", "--snapshot", EXAMPLE, "--dry-run"]),
        0,
        "a dry run",
    );
    assert_exit(&bin(&["check-config"]), 0, "a valid configuration");
    assert_exit(
        &bin(&["doctor", "--snapshot", EXAMPLE]),
        0,
        "a configuration that fits",
    );
    assert_exit(&bin(&["report", "--snapshot", EXAMPLE]), 0, "a report");
}

// 1 -------------------------------------------------------------------------------------------------------------

#[test]
fn exit_1_when_some_items_failed() {
    let gh = example_fake("config/examples/board-en.json");
    gh.edit(|s| s.refuse_label_changes("example-org/portfolio", 2, "Validation Failed"));
    let out = live(&gh, &["--config", ENGLISH, "sync", "--allow-large"]);
    assert_exit(&out, 1, "a failed write");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("Failed (1):"),
        "{}",
        text(&out)
    );
}

#[test]
fn exit_1_when_the_run_is_refused_for_more_writes_than_max_changes() {
    let dir = tempfile::tempdir().unwrap();
    let board = example_copy(dir.path());
    let out = bin(&["sync", "--snapshot", board.to_str().unwrap()]);
    assert_exit(&out, 1, "36 writes, max_changes = 25");
}

#[test]
fn exit_1_when_a_file_cannot_be_saved() {
    let dir = tempfile::tempdir().unwrap();
    let board = example_copy(dir.path());
    // A file-size limit makes the save fail (EFBIG, SIGXFSZ ignored) while the read succeeds, even for root.
    let out = Command::new("sh")
        .args(["-c", "trap '' XFSZ; ulimit -f 1; exec \"$0\" \"$@\""])
        .arg(env!("CARGO_BIN_EXE_portfolio-sync"))
        .args([
            "sync",
            "--snapshot",
            board.to_str().unwrap(),
            "--allow-large",
        ])
        .current_dir(ROOT)
        .env_remove("PORTFOLIO_SYNC_CONFIG")
        .output()
        .unwrap();
    assert_exit(&out, 1, "a failed save");
}

#[test]
fn exit_1_when_github_fails() {
    let gh = example_fake(EXAMPLE);
    gh.fault(Fault::graphql("BoardProject").graphql_errors("Something went wrong"));
    let out = live(&gh, &["sync", "--dry-run"]);
    assert_exit(&out, 1, "GitHub answered with an error");
}

// 2 -------------------------------------------------------------------------------------------------------------

#[test]
fn exit_2_on_bad_arguments() {
    assert_exit(&bin(&["sync", "--format", "yaml"]), 2, "an unknown format");
    assert_exit(&bin(&["no-such-command"]), 2, "an unknown command");
    assert_exit(
        &bin(&["check", "not-an-issue", "--snapshot", EXAMPLE]),
        2,
        "not an issue",
    );
}

#[test]
fn exit_2_on_a_configuration_that_does_not_load() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[board]\nowner = \"x\"\n").unwrap();
    let bad = bad.to_str().unwrap();
    assert_exit(&bin(&["--config", bad, "check-config"]), 2, "check-config");
    assert_exit(
        &bin(&["--config", bad, "sync", "--snapshot", EXAMPLE, "--dry-run"]),
        2,
        "sync",
    );
    let missing = dir.path().join("missing.toml");
    assert_exit(
        &bin(&[
            "--config",
            missing.to_str().unwrap(),
            "sync",
            "--snapshot",
            EXAMPLE,
        ]),
        2,
        "a configuration that is not there",
    );
}

#[test]
fn exit_2_when_the_configuration_does_not_fit_the_board() {
    // The board's Konsept column renamed: the configuration's phase Konsept names an option the board lacks.
    let dir = tempfile::tempdir().unwrap();
    let board = example_copy(dir.path());
    let text = std::fs::read_to_string(&board).unwrap();
    let renamed = text.replacen("\"Konsept\"", "\"Konseptfase\"", 1);
    assert_ne!(renamed, text);
    std::fs::write(&board, renamed).unwrap();
    let board = board.to_str().unwrap();

    let sync = bin(&["sync", "--snapshot", board, "--dry-run"]);
    assert_exit(&sync, 2, "sync on a board the configuration does not fit");
    let doctor = bin(&["doctor", "--snapshot", board]);
    assert_exit(&doctor, 2, "doctor says what sync says");
    assert!(
        String::from_utf8_lossy(&doctor.stdout)
            .contains("\"Konsept\", which the board does not have"),
        "{}",
        support::text(&doctor)
    );

    // An event about one issue checks the configuration as a sync does, and ends the same way.
    let payload = dir.path().join("event.json");
    std::fs::write(
        &payload,
        json!({
            "action": "edited",
            "repository": {"full_name": "digdir/portfolio"},
            "issue": {"number": 104, "node_id": "I_104"},
            "sender": {"login": "kari", "type": "User"}
        })
        .to_string(),
    )
    .unwrap();
    let before = std::fs::read(board).unwrap();
    let event = command()
        .args(["event", "--snapshot", board])
        .current_dir(ROOT)
        .env("GITHUB_EVENT_NAME", "issues")
        .env("GITHUB_EVENT_PATH", &payload)
        .output()
        .unwrap();
    assert_exit(&event, 2, "event on one issue");
    assert_eq!(std::fs::read(board).unwrap(), before, "nothing was written");
}

#[test]
fn exit_2_on_a_bad_snapshot_file() {
    let dir = tempfile::tempdir().unwrap();
    let full = std::fs::read_to_string(Path::new(ROOT).join(EXAMPLE)).unwrap();
    let not_json = dir.path().join("not.json");
    std::fs::write(&not_json, "this is no snapshot\n").unwrap();
    let truncated = dir.path().join("truncated.json");
    std::fs::write(&truncated, &full[..full.len() / 2]).unwrap();
    let not_a_board = dir.path().join("not-a-board.json");
    std::fs::write(&not_a_board, "{\"version\": 1, \"board\": {}}").unwrap();
    let future = dir.path().join("future.json");
    std::fs::write(
        &future,
        full.replacen("\"version\": 1", "\"version\": 99", 1)
            .replacen("\"version\": 2", "\"version\": 99", 1),
    )
    .unwrap();
    let missing = dir.path().join("missing.json");

    for (file, what) in [
        (&missing, "a missing snapshot"),
        (&not_json, "a snapshot that is not JSON"),
        (&truncated, "a truncated snapshot"),
        (&not_a_board, "JSON that is not a board"),
        (&future, "an unknown snapshot version"),
    ] {
        let file = file.to_str().unwrap();
        for args in [
            vec!["sync", "--snapshot", file, "--dry-run"],
            vec!["check", "#104", "--snapshot", file],
            vec!["doctor", "--snapshot", file],
            vec!["report", "--snapshot", file],
        ] {
            let out = bin(&args);
            assert_exit(&out, 2, &format!("{what}, {}", args[0]));
            assert!(
                String::from_utf8_lossy(&out.stderr).contains(file),
                "the error names the file: {}",
                text(&out)
            );
        }
    }
}

#[test]
fn exit_2_on_a_bad_event_payload() {
    let dir = tempfile::tempdir().unwrap();
    let not_json = dir.path().join("not.json");
    std::fs::write(&not_json, "{ truncated").unwrap();
    let no_issue = dir.path().join("no-issue.json");
    std::fs::write(&no_issue, json!({"action": "edited"}).to_string()).unwrap();
    let missing = dir.path().join("missing.json");
    for (payload, what) in [
        (&not_json, "a payload that is not JSON"),
        (&no_issue, "a payload without the issue"),
        (&missing, "no payload"),
    ] {
        let out = command()
            .args(["event", "--snapshot", EXAMPLE])
            .current_dir(ROOT)
            .env("GITHUB_EVENT_NAME", "issues")
            .env("GITHUB_EVENT_PATH", payload)
            .output()
            .unwrap();
        assert_exit(&out, 2, what);
    }
}

#[test]
fn exit_2_without_a_token() {
    assert_exit(&bin(&["sync", "--dry-run"]), 2, "sync with no token");
    assert_exit(&bin(&["export"]), 2, "export with no token");
}

#[test]
fn exit_2_when_an_output_is_not_a_regular_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = bin(&[
        "report",
        "--snapshot",
        EXAMPLE,
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert_exit(&out, 2, "report --out a directory");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "a file was written"
    );
}
