//! `check REF --comment` prints the exact comments the bot would write; `check` and `doctor` speak JSON for scripts.

mod support;

use std::path::Path;

use serde_json::Value;
use support::{bin, text};

const BOARD: &str = "config/examples/board.json";

fn json(args: &[&str]) -> Value {
    let out = bin(args);
    assert!(out.status.success(), "{}", text(&out));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out)))
}

/// The bodies the dry-run plan would write to `item`, by marker kind, from `sync --format json`.
fn planned_comments(item: &str) -> Vec<(String, String)> {
    let plan = json(&["sync", "--snapshot", BOARD, "--dry-run", "--format", "json"]);
    plan["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["item"] == item)
        .filter(|a| a["kind"] == "upsert_comment" || a["kind"] == "post_comment")
        .map(|a| {
            let body = a["detail"]["body"].as_str().unwrap().to_string();
            let kind = body
                .strip_prefix("<!-- portfolio-sync:")
                .and_then(|b| b.split_once(" -->"))
                .map(|(k, _)| k.to_string())
                .unwrap();
            (kind, body)
        })
        .collect()
}

#[test]
fn check_comment_prints_the_refusal_and_the_status_comment_exactly_as_the_sync_writes_them() {
    let out = bin(&["check", "#105", "--snapshot", BOARD, "--comment"]);
    assert!(out.status.success(), "{}", text(&out));
    let shown = String::from_utf8_lossy(&out.stdout);
    let planned = planned_comments("digdir/portfolio#105");
    assert_eq!(
        planned.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
        ["rejected"]
    );
    for (kind, body) in &planned {
        assert!(
            shown.contains(&format!("----- {kind} -----\n{}", body.trim_end())),
            "{kind} missing or different:\n{shown}"
        );
    }
    // No status comment in the plan (a refusal keeps it): check shows it as it reads now.
    assert!(
        shown.contains(
            "----- status -----\n<!-- portfolio-sync:status -->\n### Fasestatus: Konsept"
        ),
        "{shown}"
    );
    assert!(
        shown.contains("2 kommentarer fra boten på denne saken nå"),
        "{shown}"
    );

    // Without --comment, no comment.
    let out = bin(&["check", "#105", "--snapshot", BOARD]);
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("-----"),
        "{}",
        text(&out)
    );
}

#[test]
fn check_comment_on_a_handoff_shows_the_handoff_comment() {
    let value = json(&[
        "check",
        "#108",
        "--snapshot",
        BOARD,
        "--comment",
        "--format",
        "json",
    ]);
    let comments: Vec<(String, String)> = value["comments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["marker"].as_str().unwrap().to_string(),
                c["body"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(comments, planned_comments("digdir/portfolio#108"));
    assert!(
        comments.iter().any(|(k, _)| k == "handoff:implementering"),
        "{comments:?}"
    );
}

#[test]
fn check_json_has_the_decision_and_the_next_phase() {
    let value = json(&["check", "#105", "--snapshot", BOARD, "--format", "json"]);
    assert_eq!(value["item"], "digdir/portfolio#105");
    assert_eq!(value["accepted"], "Konsept");
    assert_eq!(value["board"], "Planlegging");
    assert_eq!(value["outcome"], "rejected");
    assert_eq!(value["next"]["phase"], "Planlegging");
    let checks = value["next"]["checks"].as_array().unwrap();
    assert!(checks.iter().any(|c| c["met"] == false), "{value:#}");
    assert_eq!(value["comments"], serde_json::json!([]));

    let skipped = json(&["check", "111", "--snapshot", BOARD, "--format", "json"]);
    assert_eq!(skipped["outcome"], "skipped");
    assert_eq!(skipped["reason"], "pull request");
    assert_eq!(skipped["next"], Value::Null);
}

#[test]
fn doctor_json_lists_every_finding() {
    let value = json(&["doctor", "--snapshot", BOARD, "--format", "json"]);
    assert_eq!(value["ok"], true);
    assert_eq!(value["problems"], 0);
    let findings = value["findings"].as_array().unwrap();
    assert!(findings.len() >= 3, "{value:#}");
    assert!(findings
        .iter()
        .all(|f| f["ok"] == true && f["text"].is_string()));

    // A configuration that does not fit the board: exit 2 (as the README's table says), and the JSON says what.
    let english = Path::new("config/examples/english.toml");
    let out = bin(&[
        "--config",
        english.to_str().unwrap(),
        "doctor",
        "--snapshot",
        BOARD,
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let value: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(value["ok"], false);
    assert!(value["problems"].as_u64().unwrap() > 0, "{value:#}");
}
