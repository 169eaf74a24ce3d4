//! Where the token comes from: `PORTFOLIO_SYNC_TOKEN`, then `GH_TOKEN`, then `GITHUB_TOKEN`, then `gh auth token`
//! when the GitHub CLI is installed and logged in; `doctor` names the source, never the value. A fake `gh` script
//! on a `PATH` of its own stands in for the CLI.

mod support;

use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use support::{command, example_fake, text, FakeGitHub, BOT, TOKEN};

const BOARD: &str = "config/examples/board.json";
const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// A folder holding a `gh` that runs `script` (a POSIX shell body).
fn fake_gh(script: &str) -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let gh = dir.path().join("gh");
    std::fs::write(&gh, format!("#!/bin/sh\n{script}\n")).unwrap();
    std::fs::set_permissions(&gh, std::fs::Permissions::from_mode(0o755)).unwrap();
    dir
}

/// `doctor` against the fake GitHub with these variables, `gh` looked for on `path`.
fn doctor(gh: &FakeGitHub, vars: &[(&str, &str)], path: &Path) -> Output {
    let mut cmd = command();
    cmd.current_dir(ROOT)
        .env("GITHUB_API_URL", gh.api_url())
        .env("GITHUB_GRAPHQL_URL", gh.graphql_url())
        .env("PATH", path)
        .arg("doctor");
    for (k, v) in vars {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn first_line(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn doctor_names_the_variable_the_token_came_from_in_order() {
    let gh = example_fake(BOARD);
    // A gh that would fail the test if it were asked while a variable has a token.
    let cli = fake_gh("echo asked >&2; exit 3");
    let cases: &[(&[(&str, &str)], &str)] = &[
        (
            &[
                ("PORTFOLIO_SYNC_TOKEN", TOKEN),
                ("GH_TOKEN", "wrong"),
                ("GITHUB_TOKEN", "wrong"),
            ],
            "PORTFOLIO_SYNC_TOKEN",
        ),
        (
            &[("GH_TOKEN", TOKEN), ("GITHUB_TOKEN", "wrong")],
            "GH_TOKEN",
        ),
        (&[("GITHUB_TOKEN", TOKEN)], "GITHUB_TOKEN"),
    ];
    for (vars, source) in cases {
        let out = doctor(&gh, vars, cli.path());
        assert!(out.status.success(), "{source}: {}", text(&out));
        assert_eq!(
            first_line(&out),
            format!("✓ the token from {source} reaches GitHub as {BOT}"),
            "{}",
            text(&out)
        );
        assert!(
            !text(&out).contains(TOKEN),
            "the token leaked: {}",
            text(&out)
        );
        assert!(
            !text(&out).contains("asked"),
            "gh was asked: {}",
            text(&out)
        );
    }
    gh.log();
    gh.finish();
}

#[test]
fn without_a_variable_the_token_of_a_logged_in_gh_is_used() {
    let gh = example_fake(BOARD);
    // gh is asked for the host of the API it would talk to (here the fake's).
    let cli = fake_gh(&format!(
        "[ \"$*\" = \"auth token --hostname 127.0.0.1\" ] || {{ echo \"unexpected: $*\" >&2; exit 1; }}\necho {TOKEN}"
    ));
    let out = doctor(&gh, &[], cli.path());
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        first_line(&out),
        format!("✓ the token from gh auth token reaches GitHub as {BOT}"),
        "{}",
        text(&out)
    );
    assert!(
        !text(&out).contains(TOKEN),
        "the token leaked: {}",
        text(&out)
    );
    gh.log();
    gh.finish();
}

#[test]
fn a_gh_that_is_absent_logged_out_or_hanging_gives_no_token() {
    let gh = example_fake(BOARD);
    let empty = tempfile::tempdir().unwrap();
    let logged_out = fake_gh("echo 'You are not logged into any GitHub hosts.' >&2; exit 1");
    // Only gh is on this PATH: sleep is named by its full path.
    let hanging = fake_gh("exec /bin/sleep 30");
    for (path, what) in [
        (empty.path(), "absent"),
        (logged_out.path(), "logged out"),
        (hanging.path(), "hanging"),
    ] {
        let started = Instant::now();
        let out = doctor(&gh, &[], path);
        assert_eq!(out.status.code(), Some(2), "{what}: {}", text(&out));
        assert!(
            text(&out).contains("no GitHub token: set PORTFOLIO_SYNC_TOKEN, GH_TOKEN or GITHUB_TOKEN, log in with `gh auth login`"),
            "{what}: {}",
            text(&out)
        );
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{what}: gh was waited for {:?}",
            started.elapsed()
        );
    }
    assert!(gh.log().is_empty(), "nothing was asked of GitHub");
    gh.finish();
}
