//! The shipped example: Digdir's configuration on `config/examples/board.json`, through the real binary.
//! Every case of config/examples/README.md gets its decision; applying and syncing again plans nothing.

mod support;

use std::path::{Path, PathBuf};

use serde_json::Value;
use support::{bin, text};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn example_copy(dir: &Path) -> PathBuf {
    let to = dir.join("board.json");
    std::fs::copy(Path::new(ROOT).join("config/examples/board.json"), &to).unwrap();
    to
}

fn plan_json(args: &[&str]) -> Value {
    let out = bin(args);
    assert!(out.status.success(), "{}", text(&out));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out)))
}

/// (item, from, to, outcome, actions in order), as config/examples/README.md tells them.
const EXPECTED: &[(&str, &str, &str, &str, &[&str])] = &[
    // A person took the bot's `fase/konsept` off: the bot still remembers Konsept and puts its label back.
    (
        "digdir/portfolio#101",
        "Konsept",
        "Konsept",
        "unchanged",
        &["add_label"],
    ),
    (
        "digdir/portfolio#102",
        "",
        "Implementering",
        "adopted",
        &["add_label"],
    ),
    (
        "digdir/portfolio#103",
        "Planlegging",
        "Planlegging",
        "unchanged",
        &[],
    ),
    (
        "digdir/portfolio#104",
        "Problem",
        "Konsept",
        "accepted",
        &["upsert_comment", "add_label", "remove_label"],
    ),
    (
        "digdir/portfolio#105",
        "Konsept",
        "Planlegging",
        "rejected",
        &["upsert_comment", "set_status"],
    ),
    (
        "digdir/portfolio#106",
        "Problem",
        "Planlegging",
        "accepted",
        &["upsert_comment", "add_label", "remove_label"],
    ),
    (
        "digdir/portfolio#107",
        "Planlegging",
        "Konsept",
        "accepted",
        &["upsert_comment", "add_label", "remove_label"],
    ),
    (
        "digdir/portfolio#108",
        "Planlegging",
        "Implementering",
        "accepted",
        &[
            "upsert_comment",
            "create_issue",
            "post_comment",
            "add_label",
            "remove_label",
        ],
    ),
    (
        "digdir/portfolio#109",
        "Ikke startet",
        "Ikke startet",
        "unchanged",
        &[],
    ),
    (
        "digdir/portfolio#110",
        "",
        "Ikke startet",
        "adopted",
        &["add_label"],
    ),
    ("draft:PVTI_draft_1", "", "Problem", "skipped", &[]),
    ("digdir/portfolio#111", "", "Konsept", "skipped", &[]),
    ("digdir/portfolio#112", "", "Utført", "skipped", &[]),
    ("digdir/portfolio#113", "", "Konsept", "skipped", &[]),
    (
        "digdir/altinn-studio#14210",
        "",
        "Planlegging",
        "skipped",
        &[],
    ),
    (
        "digdir/portfolio#115",
        "Ikke startet",
        "Problem",
        "rejected",
        &["upsert_comment", "set_status"],
    ),
    (
        "digdir/portfolio#116",
        "Problem",
        "Konsept",
        "rejected",
        &["upsert_comment", "set_status"],
    ),
    (
        "digdir/portfolio#117",
        "Problem",
        "Konsept",
        "rejected",
        &["upsert_comment", "set_status"],
    ),
    // A person added `fase/konsept` and moved the card: a label the bot did not set grants nothing, so this is a
    // move from Problem, refused for the missing decision; the person's label goes.
    (
        "digdir/portfolio#118",
        "Problem",
        "Konsept",
        "rejected",
        &["upsert_comment", "remove_label", "set_status"],
    ),
    // Everything Konsept asks for is there but the office's decision.
    (
        "digdir/portfolio#119",
        "Problem",
        "Konsept",
        "rejected",
        &["upsert_comment", "set_status"],
    ),
    (
        "digdir/portfolio#120",
        "Planlegging",
        "Implementering",
        "rejected",
        &["upsert_comment", "set_status"],
    ),
    (
        "digdir/portfolio#121",
        "Ikke startet",
        "Problem",
        "accepted",
        &["upsert_comment", "add_label", "remove_label"],
    ),
    (
        "digdir/portfolio#122",
        "Konsept",
        "Planlegging",
        "rejected",
        &["upsert_comment", "set_status"],
    ),
];

#[test]
fn every_case_of_the_example_board_gets_its_decision() {
    let plan = plan_json(&[
        "sync",
        "--snapshot",
        "config/examples/board.json",
        "--dry-run",
        "--format",
        "json",
    ]);
    let decisions = plan["decisions"].as_array().unwrap();
    let actions = plan["actions"].as_array().unwrap();
    assert_eq!(decisions.len(), EXPECTED.len(), "{plan:#}");
    for (d, (item, from, to, outcome, kinds)) in decisions.iter().zip(EXPECTED) {
        assert_eq!(d["item"], *item);
        assert_eq!(d["from"].as_str().unwrap_or(""), *from, "{item}");
        assert_eq!(d["to"].as_str().unwrap_or(""), *to, "{item}");
        assert_eq!(d["outcome"], *outcome, "{item}: {d:#}");
        assert_eq!(
            d["missing"].as_array().unwrap().is_empty(),
            *outcome != "rejected",
            "{item}: {d:#}"
        );
        let planned: Vec<&str> = actions
            .iter()
            .filter(|a| a["item"] == *item)
            .map(|a| a["kind"].as_str().unwrap())
            .collect();
        assert_eq!(planned, *kinds, "{item}");
    }
    assert_eq!(plan["summary"]["applied"], false);
    assert_eq!(plan["summary"]["outcomes"]["skipped"], 5);
}

#[test]
fn rejections_name_what_is_missing() {
    let plan = plan_json(&[
        "sync",
        "--snapshot",
        "config/examples/board.json",
        "--dry-run",
        "--format",
        "json",
    ]);
    let missing = |item: &str| -> Vec<String> {
        let d = plan["decisions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["item"] == item)
            .unwrap();
        d["missing"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m.as_str().unwrap().to_string())
            .collect()
    };
    // The template left unfilled, an issue form with _No response_, and a body with no headings.
    let has = |item: &str, text: &str| missing(item).iter().any(|m| m.contains(text));
    assert!(has(
        "digdir/portfolio#105",
        "«Mål og nøkkelresultat (OKR)» er tom"
    ));
    assert!(has(
        "digdir/portfolio#116",
        "seksjonen «Problemstilling» er tom"
    ));
    assert!(has(
        "digdir/portfolio#117",
        "ingen overskrift «Problemstilling»"
    ));
    // The office's decision and the funding are missing too, each saying who records it and how.
    let m120 = missing("digdir/portfolio#120");
    assert_eq!(m120.len(), 4, "{m120:?}");
    assert!(m120.iter().all(|m| m.starts_with("Implementering: ")));
    assert!(has(
        "digdir/portfolio#120",
        "`/godkjenn Implementering Porteføljekontoret`"
    ));
    assert!(has(
        "digdir/portfolio#120",
        "«Ledergruppen BOD» eller «Ledergruppen Digdir»"
    ));
    assert_eq!(
        missing("digdir/portfolio#119").len(),
        1,
        "only the decision"
    );
}

#[test]
fn applying_the_plan_then_syncing_again_plans_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let board = example_copy(dir.path());
    let board = board.to_str().unwrap();
    let before = std::fs::read_to_string(board).unwrap();

    // More writes than max_changes: refused, exit 1, the file untouched.
    let refused = bin(&["sync", "--snapshot", board]);
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("--allow-large"),
        "{}",
        text(&refused)
    );
    assert!(
        std::fs::read_to_string(board).unwrap() == before,
        "a refused run wrote the file"
    );

    let applied = plan_json(&[
        "sync",
        "--snapshot",
        board,
        "--allow-large",
        "--format",
        "json",
    ]);
    assert_eq!(applied["summary"]["applied"], true);
    assert_eq!(applied["failures"], serde_json::json!([]));

    let after: Value = serde_json::from_str(&std::fs::read_to_string(board).unwrap()).unwrap();
    let issue = |n: u64| {
        after["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["issue"]["number"] == n && i["issue"]["repository"] == "digdir/portfolio")
            .unwrap()
            .clone()
    };
    assert_eq!(issue(105)["fields"]["Status"], "Konsept", "reverted");
    assert_eq!(
        issue(104)["issue"]["labels"],
        serde_json::json!(["fase/konsept"])
    );
    let comments = issue(108)["issue"]["comments"].as_array().unwrap().clone();
    let handoff = comments
        .iter()
        .filter_map(|c| c["body"].as_str())
        .find(|b| b.starts_with("<!-- portfolio-sync:handoff:implementering -->"))
        .expect("the handoff comment");
    // The funding is the funding decision recorded on the issue, with its reference.
    assert!(
        handoff.contains(
            "Ledergruppen BOD, kari-nordmann, 2026-11-30 (BOD-møtet 30. november, sak 41/26)"
        ),
        "{handoff}"
    );
    assert!(after["other_issues"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["repository"] == "digdir/dialogporten"
            && i["body"].as_str().unwrap().contains("digdir/portfolio#108")));

    let again = plan_json(&["sync", "--snapshot", board, "--format", "json"]);
    assert_eq!(again["actions"], serde_json::json!([]), "{again:#}");
    assert_eq!(again["summary"]["outcomes"]["accepted"], Value::Null);
}

#[test]
fn the_text_plan_is_a_table_with_a_summary() {
    let out = bin(&[
        "sync",
        "--snapshot",
        "config/examples/board.json",
        "--dry-run",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let first = stdout.lines().next().unwrap();
    assert!(
        first.starts_with("KORT") && first.contains("UTFALL"),
        "{stdout}"
    );
    assert!(stdout.contains("✗ Planlegging: "), "{stdout}");
    assert!(
        stdout.contains(
            "23 kort: 5 godkjent, 8 avvist, 2 overtatt, 3 uendret, 5 hoppet over; 37 endringer er planlagt, ikke utført."
        ),
        "{stdout}"
    );
}

#[test]
fn check_tells_what_the_next_phase_needs() {
    let out = bin(&["check", "#105", "--snapshot", "config/examples/board.json"]);
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("Dette må være på plass før tiltaket kan gå videre til Planlegging:"),
        "{stdout}"
    );
    assert!(stdout.contains("✗ "), "{stdout}");

    let out = bin(&["check", "999", "--snapshot", "config/examples/board.json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let out = bin(&[
        "check",
        "not-an-issue",
        "--snapshot",
        "config/examples/board.json",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}

#[test]
fn check_reads_the_accepted_phase_as_the_sync_does() {
    // #118 stands in Konsept with the bot's `fase/problem` and a `fase/konsept` a person added: the sync takes
    // Problem as accepted (a person's label grants nothing) and refuses the move, so check names Konsept next.
    let out = bin(&["check", "#118", "--snapshot", "config/examples/board.json"]);
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("godkjent fase: Problem, tavla: Konsept (avvist"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Dette må være på plass før tiltaket kan gå videre til Konsept:"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("Dette må være på plass før tiltaket kan gå videre til Planlegging:"),
        "{stdout}"
    );
}

#[test]
fn check_finds_an_issue_whatever_the_case_of_its_repository() {
    let out = bin(&[
        "check",
        "Digdir/Portfolio#103",
        "--snapshot",
        "config/examples/board.json",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("godkjent fase: Planlegging"), "{stdout}");
}

#[test]
fn check_config_says_ok_or_names_the_place() {
    let out = bin(&["check-config"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("ok: config/portfolio.toml: 6 phases"));

    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[board]\nowner = \"x\"\nproject = 1\nrepositories = [\"x/y\"]\n[sync]\nmax_change = 3\n",
    )
    .unwrap();
    let out = bin(&["check-config", "--config", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("bad.toml:6:1: unknown field `max_change`"),
        "{stderr}"
    );
    assert!(stderr.contains("how to fix:"), "{stderr}");
}

#[test]
fn a_snapshot_that_is_not_one_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"version\": 1, \"board\": {}}").unwrap();
    let out = bin(&["sync", "--snapshot", bad.to_str().unwrap(), "--dry-run"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "a bad snapshot file is a usage error: {}",
        text(&out)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not a board snapshot"),
        "{}",
        text(&out)
    );
}
