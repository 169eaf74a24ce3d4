//! Saving files: `report --out`, `export --out` and every `--snapshot` save write *into* the file they name. A
//! symlink is followed to the real file, which is replaced atomically where it is; its permissions are kept (a new
//! file gets 0666 minus the umask); anything that is not a regular file is refused, exit 2, nothing written. A run
//! says "applied" only after its snapshot is saved: a failed save is a failure of the run.
//!
//! The bot runs on Linux: these tests use unix file types and modes (`std::os::unix::fs`). They never aim the
//! binary at a real device: run as root, a regression would replace `/dev/null` for the whole machine, so the
//! "not a regular file" cases are FIFOs and directories in a temporary directory.

mod support;

use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::{json, Value};
use support::*;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const EXAMPLE: &str = "config/examples/board.json";

fn example_copy(dir: &Path, name: &str) -> PathBuf {
    let to = dir.join(name);
    std::fs::copy(Path::new(ROOT).join(EXAMPLE), &to).unwrap();
    to
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn mkfifo(path: &Path) {
    let made = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(made.success(), "mkfifo {}", path.display());
}

fn is_fifo(path: &Path) -> bool {
    std::fs::symlink_metadata(path)
        .map(|m| m.file_type().is_fifo())
        .unwrap_or(false)
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The binary under `sh`, for what only a shell sets portably before it starts: the umask, or a file-size limit
/// (`ulimit -f`, RLIMIT_FSIZE) with SIGXFSZ ignored, so that writing a file past it fails (EFBIG) instead of killing
/// the process: a save that fails, even for root.
fn shell(setup: &str, args: &[&str], env: &[(&str, &Path)]) -> Output {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!("{setup}; exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_portfolio-sync"))
        .args(args)
        .current_dir(ROOT);
    for var in CLEARED {
        cmd.env_remove(var);
    }
    for (name, value) in env {
        cmd.env(name, value);
    }
    cmd.output().expect("sh runs the binary")
}

/// A file-size limit far below any snapshot: a save fails, a read does not.
const SAVE_FAILS: &str = "trap '' XFSZ; ulimit -f 1";

fn report_of_the_example() -> String {
    let out = bin(&["report", "--snapshot", EXAMPLE]);
    assert!(out.status.success(), "{}", text(&out));
    stdout(&out)
}

#[test]
fn report_out_writes_through_a_symlink_into_the_real_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("real")).unwrap();
    let real = dir.path().join("real/report.md");
    std::fs::write(&real, "last week's report\n").unwrap();
    let link = dir.path().join("report.md");
    std::os::unix::fs::symlink("real/report.md", &link).unwrap();

    let out = bin(&[
        "report",
        "--snapshot",
        EXAMPLE,
        "--out",
        link.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink(),
        "the symlink was replaced by a file"
    );
    assert_eq!(
        std::fs::read_link(&link).unwrap(),
        Path::new("real/report.md")
    );
    assert_eq!(
        std::fs::read_to_string(&real).unwrap(),
        report_of_the_example()
    );
    let left: Vec<_> = std::fs::read_dir(dir.path().join("real"))
        .unwrap()
        .collect();
    assert_eq!(left.len(), 1, "a temporary file was left behind: {left:?}");
}

#[test]
fn report_out_keeps_the_permissions_of_the_file_it_replaces() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.md");
    std::fs::write(&file, "old\n").unwrap();
    set_mode(&file, 0o640);

    let out = bin(&[
        "report",
        "--snapshot",
        EXAMPLE,
        "--out",
        file.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        report_of_the_example()
    );
    assert_eq!(mode(&file), 0o640, "the file's permissions were not kept");
}

#[test]
fn a_new_file_gets_0666_minus_the_umask() {
    let dir = tempfile::tempdir().unwrap();
    for (umask, want) in [("022", 0o644), ("027", 0o640)] {
        let file = dir.path().join(format!("report-{umask}.md"));
        let out = shell(
            &format!("umask {umask}"),
            &[
                "report",
                "--snapshot",
                EXAMPLE,
                "--out",
                file.to_str().unwrap(),
            ],
            &[],
        );
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        assert_eq!(
            mode(&file),
            want,
            "umask {umask}: a new file is 0666 minus the umask, as any program writes it"
        );
    }
}

#[test]
fn report_out_refuses_what_is_not_a_regular_file_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe");
    mkfifo(&fifo);
    let out = bin(&[
        "report",
        "--snapshot",
        EXAMPLE,
        "--out",
        fifo.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(is_fifo(&fifo), "the FIFO was replaced");
    assert_contains(
        &stderr(&out),
        &[&fifo.display().to_string(), "not a regular file"],
    );
    assert!(stdout(&out).is_empty(), "{}", text(&out));

    let folder = dir.path().join("folder");
    std::fs::create_dir(&folder).unwrap();
    let out = bin(&[
        "report",
        "--snapshot",
        EXAMPLE,
        "--out",
        folder.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert_contains(
        &stderr(&out),
        &[
            &folder.display().to_string(),
            "a directory, not a regular file",
        ],
    );
    assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 0);
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        2,
        "a temporary file was left behind"
    );
}

#[test]
fn export_out_writes_through_a_symlink_and_refuses_a_fifo() {
    let gh = example_fake(EXAMPLE);
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("board.json");
    std::fs::write(&real, "{}\n").unwrap();
    set_mode(&real, 0o664);
    let link = dir.path().join("latest.json");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let fifo = dir.path().join("pipe");
    mkfifo(&fifo);

    let export = |to: &Path| {
        command()
            .args(["export", "--out", to.to_str().unwrap()])
            .current_dir(ROOT)
            .env("GITHUB_API_URL", gh.api_url())
            .env("GITHUB_GRAPHQL_URL", gh.graphql_url())
            .env("PORTFOLIO_SYNC_TOKEN", TOKEN)
            .output()
            .unwrap()
    };
    let out = export(&link);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&real).unwrap()).unwrap();
    assert_eq!(written["items"].as_array().map(Vec::len), Some(23));
    assert_eq!(mode(&real), 0o664);

    let out = export(&fifo);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(is_fifo(&fifo), "the FIFO was replaced");
    assert_contains(
        &stderr(&out),
        &[&fifo.display().to_string(), "not a regular file"],
    );
}

#[test]
fn a_sync_saves_its_snapshot_through_a_symlink_and_keeps_its_permissions() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("boards")).unwrap();
    let real = example_copy(&dir.path().join("boards"), "board.json");
    set_mode(&real, 0o660);
    let link = dir.path().join("board.json");
    std::os::unix::fs::symlink("boards/board.json", &link).unwrap();

    let link_arg = link.to_str().unwrap();
    let out = bin(&["sync", "--snapshot", link_arg, "--allow-large"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink(),
        "the symlink was replaced by a file"
    );
    assert_eq!(mode(&real), 0o660);
    // The real file holds the applied plan: a second run through the link plans nothing.
    let again = bin(&["sync", "--snapshot", link_arg, "--format", "json"]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
    let plan: Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(plan["actions"], json!([]), "{plan:#}");
}

#[test]
fn a_sync_whose_snapshot_cannot_be_saved_applied_nothing_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let board = example_copy(dir.path(), "board.json");
    let before = std::fs::read(&board).unwrap();
    let board_arg = board.to_str().unwrap();

    let out = shell(
        SAVE_FAILS,
        &["sync", "--snapshot", board_arg, "--allow-large"],
        &[],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "a failed save fails the run: {}",
        text(&out)
    );
    let printed = stdout(&out);
    assert!(!printed.contains("er utført"), "{printed}");
    assert!(!printed.contains("utførte endringer"), "{printed}");
    assert_contains(
        &printed,
        &[
            "37 endringer er planlagt, ikke utført.",
            "Feilet (1):",
            &format!("lagre snapshot-fila: cannot write {board_arg}"),
        ],
    );
    assert_eq!(
        std::fs::read(&board).unwrap(),
        before,
        "the snapshot changed"
    );

    let out = shell(
        SAVE_FAILS,
        &[
            "sync",
            "--snapshot",
            board_arg,
            "--allow-large",
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let plan: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out)));
    assert_eq!(plan["summary"]["applied"], false, "{plan:#}");
    let failures = plan["failures"].as_array().unwrap();
    assert_eq!(failures.len(), 1, "{plan:#}");
    assert_eq!(failures[0]["item"], "snapshot");
    assert_eq!(failures[0]["action"], "lagre snapshot-fila");
    assert!(
        failures[0]["error"].as_str().unwrap().contains(board_arg),
        "{plan:#}"
    );
    assert_eq!(
        std::fs::read(&board).unwrap(),
        before,
        "the snapshot changed"
    );
}

#[test]
fn a_sync_on_a_snapshot_that_is_not_a_regular_file_saves_nothing_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("board.json");
    mkfifo(&fifo);
    let content = std::fs::read(Path::new(ROOT).join(EXAMPLE)).unwrap();
    let writer_path = fifo.clone();
    // Feeds the snapshot through the FIFO; if the binary never opens it, the thread stays blocked, harmlessly.
    let _writer = std::thread::spawn(move || std::fs::write(writer_path, content));

    let out = command()
        .args([
            "sync",
            "--snapshot",
            fifo.to_str().unwrap(),
            "--allow-large",
        ])
        .current_dir(ROOT)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(is_fifo(&fifo), "the FIFO was replaced");
    assert_contains(
        &stdout(&out),
        &[
            "37 endringer er planlagt, ikke utført.",
            "Feilet (1):",
            "not a regular file",
        ],
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "a file was written"
    );
}

#[test]
fn an_event_says_what_it_applied_only_after_the_save() {
    let dir = tempfile::tempdir().unwrap();
    let board = example_copy(dir.path(), "board.json");
    let before = std::fs::read(&board).unwrap();
    let payload = dir.path().join("event.json");
    // #104 stands in Konsept with its requirements met: reconciling it accepts the move (three writes).
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
    let args = ["event", "--snapshot", board.to_str().unwrap()];
    let event = [
        ("GITHUB_EVENT_NAME", Path::new("issues")),
        ("GITHUB_EVENT_PATH", &payload),
    ];

    let out = shell(SAVE_FAILS, &args, &event);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let printed = stdout(&out);
    assert!(!printed.contains("er utført"), "{printed}");
    assert_contains(
        &printed,
        &[
            "planlagt, ikke utført.",
            "Feilet (1):",
            "lagre snapshot-fila",
        ],
    );
    assert_eq!(
        std::fs::read(&board).unwrap(),
        before,
        "the snapshot changed"
    );

    // The same event with room to save: applied, and said so.
    let out = shell("true", &args, &event);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_contains(&stdout(&out), &["3 endringer er utført."]);
    assert_ne!(std::fs::read(&board).unwrap(), before);
}
