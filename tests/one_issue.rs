//! `sync --issue REF`: reconcile and apply only the initiatives named, by the same rules as a full sync.

mod support;

use std::path::Path;

use serde_json::Value;
use support::{bin, text};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn copy(dir: &Path) -> String {
    let to = dir.join("board.json");
    std::fs::copy(Path::new(ROOT).join("config/examples/board.json"), &to).unwrap();
    to.to_str().unwrap().to_string()
}

fn plan(args: &[&str]) -> Value {
    let out = bin(args);
    assert!(out.status.success(), "{}", text(&out));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out)))
}

fn items(plan: &Value, key: &str) -> Vec<String> {
    let mut names: Vec<String> = plan[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["item"].as_str().unwrap().to_string())
        .collect();
    names.dedup();
    names
}

#[test]
fn only_the_named_initiatives_are_planned_as_a_full_sync_plans_them() {
    let full = plan(&[
        "sync",
        "--snapshot",
        "config/examples/board.json",
        "--dry-run",
        "--format",
        "json",
    ]);
    let some = plan(&[
        "sync",
        "--snapshot",
        "config/examples/board.json",
        "--dry-run",
        "--format",
        "json",
        "--issue",
        "105",
        "--issue",
        "digdir/portfolio#108",
    ]);
    assert_eq!(
        items(&some, "decisions"),
        ["digdir/portfolio#105", "digdir/portfolio#108"]
    );
    // The same decisions and writes as the full sync made for them: same rules.
    let of = |plan: &Value, key: &str, item: &str| -> Vec<Value> {
        plan[key]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["item"] == item)
            .cloned()
            .collect()
    };
    for item in ["digdir/portfolio#105", "digdir/portfolio#108"] {
        assert_eq!(of(&some, "decisions", item), of(&full, "decisions", item));
        assert_eq!(of(&some, "actions", item), of(&full, "actions", item));
    }
    assert!(
        items(&some, "actions")
            .iter()
            .all(|i| i == "digdir/portfolio#105" || i == "digdir/portfolio#108"),
        "{some:#}"
    );
}

#[test]
fn applying_one_initiative_leaves_the_others_alone() {
    let dir = tempfile::tempdir().unwrap();
    let board = copy(dir.path());
    let applied = plan(&[
        "sync",
        "--snapshot",
        &board,
        "--issue",
        "#105",
        "--format",
        "json",
    ]);
    assert_eq!(applied["summary"]["applied"], true);
    let after: Value = serde_json::from_str(&std::fs::read_to_string(&board).unwrap()).unwrap();
    let issue = |n: u64| {
        after["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["issue"]["number"] == n && i["issue"]["repository"] == "digdir/portfolio")
            .unwrap()
            .clone()
    };
    assert_eq!(
        issue(105)["fields"]["Status"],
        "Konsept",
        "#105 was reverted"
    );
    assert_eq!(
        issue(101)["issue"]["labels"],
        serde_json::json!([]),
        "#101 not adopted"
    );
    let again = plan(&[
        "sync",
        "--snapshot",
        &board,
        "--issue",
        "#105",
        "--format",
        "json",
    ]);
    assert_eq!(again["actions"], serde_json::json!([]), "{again:#}");
}

#[test]
fn an_issue_not_on_the_board_or_not_an_issue_stops_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let board = copy(dir.path());
    let before = std::fs::read(&board).unwrap();
    for (wanted, says) in [
        (
            "999",
            "--issue digdir/portfolio#999 is not on the board digdir/1",
        ),
        ("nope", "--issue \"nope\" is not an issue"),
    ] {
        let out = bin(&[
            "sync",
            "--snapshot",
            &board,
            "--issue",
            "105",
            "--issue",
            wanted,
        ]);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        assert!(text(&out).contains(says), "{}", text(&out));
    }
    assert_eq!(std::fs::read(&board).unwrap(), before, "nothing written");
}

#[test]
fn a_pull_request_named_is_skipped_like_in_a_full_sync() {
    let some = plan(&[
        "sync",
        "--snapshot",
        "config/examples/board.json",
        "--dry-run",
        "--format",
        "json",
        "--issue",
        "111",
    ]);
    assert_eq!(some["decisions"][0]["outcome"], "skipped");
    assert_eq!(some["decisions"][0]["reason"], "pull request");
    assert_eq!(some["actions"], serde_json::json!([]));
}
