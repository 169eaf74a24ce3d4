//! `init`: a starter configuration from a board, which loads, passes `check-config`, fits the board (`doctor`) and
//! syncs, and never overwrites a file.

mod support;

use std::path::Path;

use support::{bin, text};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn example_copy(dir: &Path) -> String {
    let to = dir.join("board.json");
    std::fs::copy(Path::new(ROOT).join("config/examples/board.json"), &to).unwrap();
    to.to_str().unwrap().to_string()
}

#[test]
fn init_from_the_example_snapshot_writes_a_configuration_that_checks_and_syncs() {
    let dir = tempfile::tempdir().unwrap();
    let board = example_copy(dir.path());
    let my = dir.path().join("my.toml");
    let my = my.to_str().unwrap();

    let out = bin(&[
        "init",
        "--snapshot",
        "config/examples/board.json",
        "--out",
        my,
    ]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("6 phases"),
        "{}",
        text(&out)
    );

    // It loads through the one loader every command uses, and has the board's columns in board order.
    let config = portfolio_sync::config::load(Path::new(my)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        config.phases.names(),
        [
            "Ikke startet",
            "Problem",
            "Konsept",
            "Planlegging",
            "Implementering",
            "Utført"
        ]
    );
    assert_eq!(config.board.owner, "digdir");
    assert_eq!(config.board.project, 1);
    // The repository with most cards; the other one on the board is named in a comment, not synced.
    assert_eq!(config.board.repositories, ["digdir/portfolio"]);
    let written = std::fs::read_to_string(my).unwrap();
    assert!(
        written.contains("\"digdir/altinn-studio\" (1 card)"),
        "{written}"
    );
    // The board's fields and Digdir's requirements, as comments to start from.
    assert!(
        written.contains("MoSCoW (one of M, S, C, W); Team (text); Ansvarlig (text)"),
        "{written}"
    );
    assert!(
        written.contains("#   { section = \"Problemstilling\" },"),
        "{written}"
    );

    let check = bin(&["--config", my, "check-config"]);
    assert!(check.status.success(), "{}", text(&check));
    let doctor = bin(&["--config", my, "doctor", "--snapshot", &board]);
    assert!(doctor.status.success(), "{}", text(&doctor));
    let sync = bin(&["--config", my, "sync", "--snapshot", &board, "--dry-run"]);
    assert!(sync.status.success(), "{}", text(&sync));
    assert!(
        String::from_utf8_lossy(&sync.stdout).contains("23 kort: "),
        "{}",
        text(&sync)
    );
}

#[test]
fn init_never_overwrites_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let my = dir.path().join("my.toml");
    std::fs::write(&my, "# mine\n").unwrap();
    let out = bin(&[
        "init",
        "--snapshot",
        "config/examples/board.json",
        "--out",
        my.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("exists already"), "{}", text(&out));
    assert_eq!(std::fs::read_to_string(&my).unwrap(), "# mine\n");
}

#[test]
fn init_writes_to_standard_output_and_names_a_missing_status_field() {
    let out = bin(&[
        "init",
        "--snapshot",
        "config/examples/board-en.json",
        "--out",
        "-",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let toml = String::from_utf8_lossy(&out.stdout);
    portfolio_sync::config::parse(&toml, "stdout").unwrap_or_else(|e| panic!("{e}\n{toml}"));
    assert!(toml.contains("[[phase]]"), "{toml}");

    let out = bin(&[
        "init",
        "--snapshot",
        "config/examples/board.json",
        "--status-field",
        "Fase",
        "--out",
        "-",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("no single-select field \"Fase\"")
            && text(&out).contains("its fields are: Status, MoSCoW, Team, Ansvarlig"),
        "{}",
        text(&out)
    );
}

#[test]
fn a_status_option_of_only_emoji_gets_a_slug_of_its_own() {
    let mut snapshot = support::example_snapshot("config/examples/board.json");
    let status = snapshot
        .board
        .fields
        .iter_mut()
        .find(|f| f.name == "Status")
        .unwrap();
    status.options = vec!["🚀".into(), "🟢 Done".into()];
    let text = portfolio_sync::run::init::starter(&snapshot, "Status", "a test").unwrap();
    let config = portfolio_sync::config::parse(&text, "starter").unwrap();
    assert_eq!(config.phase_label(0), "fase/phase-1");
    assert_eq!(config.phase_label(1), "fase/done");
}
