//! Issue 4's acceptance tests: `portfolio-sync event` run as a GitHub Actions step (the real binary, with
//! `$GITHUB_EVENT_NAME` / `$GITHUB_EVENT_PATH`) against the fake GitHub, starting from real webhook payloads
//! (`../shared/github/webhooks`, rewritten to point at an issue of an example board). Every test asserts on the
//! fake's state (Status, labels, comments, reactions, issues) and on its request log, not only on exit codes.

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::{json, Value};
use support::fake::state::CommentData;
use support::*;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
/// Has write access to both portfolio repositories: may run commands.
const WRITER: &str = "kari-nordmann";

/// What one run of the binary did.
struct Run(Output);

impl Run {
    fn code(&self) -> Option<i32> {
        self.0.status.code()
    }

    fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.0.stdout).into_owned()
    }

    fn text(&self) -> String {
        format!(
            "status {:?}\nstdout:\n{}\nstderr:\n{}",
            self.code(),
            self.stdout(),
            String::from_utf8_lossy(&self.0.stderr)
        )
    }
}

/// A fake GitHub holding an example board, the config that goes with it, and a job step's directory.
struct World {
    gh: FakeGitHub,
    hooks: PathBuf,
    config: PathBuf,
    repo: &'static str,
    dir: tempfile::TempDir,
}

impl World {
    /// Fails the test on an armed fault never hit, a request with no route, or a write it did not look at.
    fn finish(self) {
        self.gh.finish();
    }

    /// `board.json` with Digdir's config (bokmål, `on_violation = "revert"`).
    fn digdir() -> Option<World> {
        World::new(
            "config/examples/board.json",
            "config/portfolio.toml",
            "digdir/portfolio",
        )
    }

    /// `board-en.json` with `english.toml` (`on_violation = "flag"`).
    fn english() -> Option<World> {
        World::new(
            "config/examples/board-en.json",
            "config/examples/english.toml",
            "example-org/portfolio",
        )
    }

    fn new(board: &str, config: &str, repo: &'static str) -> Option<World> {
        let hooks = shared("github/webhooks")?;
        let gh = example_fake(board);
        gh.edit(|s| s.add_collaborator(repo, WRITER, "write"));
        Some(World {
            gh,
            hooks,
            config: Path::new(ROOT).join(config),
            repo,
            dir: tempfile::tempdir().unwrap(),
        })
    }

    /// A real payload, e.g. `issues/opened` (`workflow_dispatch/` for the one without an action).
    fn real(&self, name: &str) -> Value {
        let path = match name.strip_suffix('/') {
            Some(event) => self.hooks.join(event).join("payload.json"),
            None => self.hooks.join(format!("{name}.payload.json")),
        };
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
    }

    /// A real `issues.*` or `issue_comment.*` payload, now about issue `number` of the board's repository,
    /// sent by [`WRITER`].
    fn on_issue(&self, name: &str, number: u64) -> Value {
        let mut p = self.real(name);
        let (owner, repo) = self.repo.split_once('/').unwrap();
        p["repository"]["full_name"] = json!(self.repo);
        p["repository"]["name"] = json!(repo);
        p["repository"]["owner"]["login"] = json!(owner);
        p["issue"]["number"] = json!(number);
        p["issue"]["node_id"] = json!(self.node_id(number));
        // The real `issues.milestoned` example is about a pull request.
        p["issue"].as_object_mut().unwrap().remove("pull_request");
        p["sender"]["login"] = json!(WRITER);
        p["sender"]["type"] = json!("User");
        p
    }

    /// The real `issue_comment.created` payload for a new comment by `author` on issue `number` (the comment is
    /// added to the fake first, so that the bot can react to it).
    fn comment(&self, number: u64, author: &str, body: &str) -> Value {
        self.comment_event("issue_comment/created", number, author, body)
    }

    fn comment_event(&self, name: &str, number: u64, author: &str, body: &str) -> Value {
        let id = self
            .gh
            .edit(|s| s.add_comment(self.repo, number, author, body));
        let mut p = self.on_issue(name, number);
        p["comment"]["id"] = json!(id);
        p["comment"]["body"] = json!(body);
        p["comment"]["user"]["login"] = json!(author);
        p["comment"]["user"]["type"] = json!("User");
        p["sender"]["login"] = json!(author);
        p
    }

    /// The real `projects_v2_item.edited` payload (a draft's Status changed), now about the card of issue `number`.
    fn card_edited(&self, number: u64) -> Value {
        let mut p = self.real("projects_v2_item/edited");
        p["projects_v2_item"]["content_type"] = json!("Issue");
        p["projects_v2_item"]["content_node_id"] = json!(self.node_id(number));
        p["organization"]["login"] = json!(self.repo.split_once('/').unwrap().0);
        p
    }

    /// `portfolio-sync event` as a step of a GitHub Actions job runs it, against the fake.
    fn run(&self, event: &str, payload: &Value) -> Run {
        self.run_raw(event, &serde_json::to_string_pretty(payload).unwrap())
    }

    fn run_raw(&self, event: &str, payload: &str) -> Run {
        let path = self.dir.path().join("event.json");
        std::fs::write(&path, payload).unwrap();
        let mut cmd = command();
        cmd.current_dir(self.dir.path())
            .arg("--config")
            .arg(&self.config)
            .arg("event")
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_STEP_SUMMARY", self.dir.path().join("summary.md"))
            .env("GITHUB_API_URL", self.gh.api_url())
            .env("GITHUB_GRAPHQL_URL", self.gh.graphql_url())
            .env("PORTFOLIO_SYNC_TOKEN", TOKEN)
            .env("GITHUB_EVENT_NAME", event)
            .env("GITHUB_EVENT_PATH", &path);
        Run(cmd.output().expect("the binary runs"))
    }

    /// `portfolio-sync sync --issue` on issue `number` of the board's repository; expects exit 0.
    fn sync_issue(&self, number: u64) -> Run {
        let mut cmd = command();
        cmd.current_dir(self.dir.path())
            .arg("--config")
            .arg(&self.config)
            .arg("sync")
            .arg("--issue")
            .arg(format!("{}#{number}", self.repo))
            .env("GITHUB_API_URL", self.gh.api_url())
            .env("GITHUB_GRAPHQL_URL", self.gh.graphql_url())
            .env("PORTFOLIO_SYNC_TOKEN", TOKEN);
        let run = Run(cmd.output().expect("the binary runs"));
        assert_eq!(run.code(), Some(0), "{}\n{}", run.text(), self.log());
        run
    }

    /// Runs and expects exit 0.
    fn ok(&self, event: &str, payload: &Value) -> Run {
        let run = self.run(event, payload);
        assert_eq!(run.code(), Some(0), "{}\n{}", run.text(), self.log());
        run
    }

    fn node_id(&self, number: u64) -> String {
        self.gh.read(|s| {
            s.issue(self.repo, number)
                .unwrap_or_else(|| panic!("no issue #{number}"))
                .node_id
                .clone()
        })
    }

    fn status(&self, item: &str) -> Option<String> {
        self.gh.read(|s| s.item_status(item))
    }

    fn set_status(&self, item: &str, status: &str) {
        self.gh
            .edit(|s| s.set_value(item, "Status", &json!(status)));
    }

    fn labels(&self, number: u64) -> Vec<String> {
        let mut labels = self.gh.read(|s| s.labels_of(self.repo, number));
        labels.sort();
        labels
    }

    fn comments(&self, number: u64) -> Vec<CommentData> {
        self.gh.read(|s| s.comments_of(self.repo, number))
    }

    /// The bot's comments on issue `number` that carry `marker` (`portfolio-sync:rejected`, ...).
    fn marked(&self, number: u64, marker: &str) -> Vec<String> {
        self.comments(number)
            .into_iter()
            .filter(|c| c.author == BOT && c.body.contains(&format!("<!-- {marker}")))
            .map(|c| c.body)
            .collect()
    }

    /// The reactions on the last comment that `author` wrote on issue `number`.
    fn reactions(&self, number: u64, author: &str) -> Vec<(String, String)> {
        self.comments(number)
            .into_iter()
            .rev()
            .find(|c| c.author == author)
            .map(|c| c.reactions)
            .unwrap_or_default()
    }

    /// Issues in `repo` (including those of the example board).
    fn issue_count(&self, repo: &str) -> usize {
        self.gh.read(|s| s.repo(repo).map_or(0, |r| r.issues.len()))
    }

    fn log(&self) -> String {
        self.gh.log().summary()
    }

    fn assert_no_writes(&self, case: &str, run: &Run) {
        assert_eq!(
            self.gh.log().writes(),
            0,
            "{case}: nothing may be written\n{}\n{}",
            self.log(),
            run.text()
        );
    }

    /// An item on the board whose content is issue `number`.
    fn items_of(&self, number: u64) -> Vec<String> {
        self.gh.read(|s| {
            s.projects
                .iter()
                .flat_map(|p| p.items.iter())
                .filter(|i| {
                    matches!(&i.content, Content::Issue { repo, number: n }
                        if repo.eq_ignore_ascii_case(self.repo) && *n == number)
                })
                .map(|i| i.id.clone())
                .collect()
        })
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

// ---------------------------------------------------------------------------------------------------------------
// The trigger table

#[test]
fn schedule_runs_a_full_sync() {
    let Some(w) = World::english() else { return };
    w.ok("schedule", &json!({ "schedule": "*/15 * * * 1-5" }));
    assert_eq!(w.labels(1), strings(&["phase/concept"]), "adopted");
    assert_eq!(w.labels(2), strings(&["phase/concept"]), "accepted");
    assert_eq!(
        w.labels(3),
        strings(&["phase/blocked", "phase/concept"]),
        "flagged"
    );
    assert_eq!(w.status("PVTI_en_3").as_deref(), Some("3. Planning"));
    assert_eq!(
        w.marked(4, "portfolio-sync:handoff:implementation").len(),
        1
    );
    assert_eq!(w.issue_count("example-org/payments"), 1);
    assert_eq!(
        w.gh.take_writes(),
        [
            "POST /repos/example-org/portfolio/labels",
            "POST /repos/example-org/portfolio/labels",
            "POST /repos/example-org/portfolio/issues/1/labels",
            "POST /repos/example-org/portfolio/issues/2/comments",
            "POST /repos/example-org/portfolio/issues/3/comments",
            "POST /repos/example-org/portfolio/issues/4/comments",
            "GraphQL ChangeLabels",
            "POST /repos/example-org/payments/issues",
            "DELETE /repos/example-org/portfolio/issues/2/labels/phase%2Fproblem",
            "POST /repos/example-org/portfolio/issues/4/comments",
            "POST /repos/example-org/portfolio/issues/4/labels",
            "DELETE /repos/example-org/portfolio/issues/4/labels/phase%2Fplanning",
        ]
    );
    w.finish();
}

#[test]
fn workflow_dispatch_with_dry_run_writes_nothing_and_without_it_syncs() {
    let Some(w) = World::english() else { return };
    let mut payload = w.real("workflow_dispatch/");
    payload["repository"]["full_name"] = json!(w.repo);
    payload["inputs"] = json!({ "dry-run": "true" });
    let run = w.ok("workflow_dispatch", &payload);
    w.assert_no_writes("workflow_dispatch with dry-run", &run);
    assert_contains(&run.stdout(), &["example-org/portfolio#3", "phase/blocked"]);
    assert_eq!(w.labels(1), Vec::<String>::new());

    payload["inputs"] = json!({ "dry-run": "false" });
    w.ok("workflow_dispatch", &payload);
    assert_eq!(w.labels(1), strings(&["phase/concept"]));
    assert_eq!(w.labels(3), strings(&["phase/blocked", "phase/concept"]));
    assert_eq!(
        w.gh.take_writes(),
        [
            "POST /repos/example-org/portfolio/labels",
            "POST /repos/example-org/portfolio/labels",
            "POST /repos/example-org/portfolio/issues/1/labels",
            "POST /repos/example-org/portfolio/issues/2/comments",
            "POST /repos/example-org/portfolio/issues/3/comments",
            "POST /repos/example-org/portfolio/issues/4/comments",
            "GraphQL ChangeLabels",
            "POST /repos/example-org/payments/issues",
            "DELETE /repos/example-org/portfolio/issues/2/labels/phase%2Fproblem",
            "POST /repos/example-org/portfolio/issues/4/comments",
            "POST /repos/example-org/portfolio/issues/4/labels",
            "DELETE /repos/example-org/portfolio/issues/4/labels/phase%2Fplanning",
        ]
    );
    w.finish();
}

#[test]
fn an_opened_issue_is_added_to_the_board_in_the_first_phase() {
    let Some(w) = World::digdir() else { return };
    for (payload, number) in [
        ("issues/opened", 130),
        ("issues/opened.with-empty-body", 131),
    ] {
        w.gh.edit(|s| {
            s.add_issue(
                w.repo,
                NewIssue {
                    number: Some(number),
                    ..NewIssue::default()
                },
            )
        });
        let event = w.on_issue(payload, number);
        w.ok("issues", &event);
        let items = w.items_of(number);
        assert_eq!(items.len(), 1, "{payload}: one card\n{}", w.log());
        assert_eq!(w.status(&items[0]).as_deref(), Some("Ikke startet"));
        assert_eq!(w.labels(number), strings(&["fase/ikke-startet"]));
        // Delivered twice: still one card.
        w.ok("issues", &event);
        assert_eq!(w.items_of(number).len(), 1, "{payload} delivered twice");
    }
    assert_eq!(
        w.gh.take_writes(),
        [
            "GraphQL AddItem",
            "GraphQL SetStatuses",
            "POST /repos/digdir/portfolio/issues/130/labels",
            "GraphQL AddItem",
            "GraphQL SetStatuses",
            "POST /repos/digdir/portfolio/issues/131/labels",
        ]
    );
    w.finish();
}

/// #3 of `board-en.json` was flagged (Concept → Planning with placeholder OKRs) and then completed.
fn flagged_and_completed(w: &World) {
    w.gh.edit(|s| {
        let issue = s.issue_mut(w.repo, 3).unwrap();
        issue.labels.push("phase/blocked".into());
        issue.body = issue.body.replacen(
            "- [ ] Key result",
            "- [ ] 90 % of invoices sent from the new platform",
            1,
        );
    });
    w.gh.edit(|s| s.add_label(w.repo, "phase/blocked", "b60205", ""));
}

#[test]
fn every_issue_change_accepts_a_flagged_item_that_now_meets_its_requirements() {
    for action in [
        "edited",
        "labeled",
        "unlabeled",
        "assigned",
        "milestoned",
        "reopened",
    ] {
        let Some(w) = World::english() else { return };
        flagged_and_completed(&w);
        w.ok("issues", &w.on_issue(&format!("issues/{action}"), 3));
        assert_eq!(
            w.labels(3),
            strings(&["phase/planning"]),
            "issues.{action}: accepted, blocked label removed\n{}",
            w.log()
        );
        assert_eq!(w.status("PVTI_en_3").as_deref(), Some("3. Planning"));
    }
}

#[test]
fn an_issue_change_reverts_a_forward_move_without_requirements() {
    let Some(w) = World::digdir() else { return };
    w.ok("issues", &w.on_issue("issues/edited", 105));
    assert_eq!(w.status("PVTI_105").as_deref(), Some("Konsept"));
    assert_eq!(w.labels(105), strings(&["fase/konsept"]));
    assert_eq!(w.marked(105, "portfolio-sync:rejected").len(), 1);
    assert_eq!(
        w.gh.take_writes(),
        [
            "POST /repos/digdir/portfolio/issues/105/comments",
            "GraphQL SetStatuses",
        ]
    );
    w.finish();
}

#[test]
fn a_card_moved_forward_without_requirements_is_reverted() {
    let Some(w) = World::digdir() else { return };
    w.ok("projects_v2_item", &w.card_edited(105));
    assert_eq!(w.status("PVTI_105").as_deref(), Some("Konsept"));
    assert_eq!(w.labels(105), strings(&["fase/konsept"]));
    let rejected = w.marked(105, "portfolio-sync:rejected");
    assert_eq!(rejected.len(), 1, "{}", w.log());
    // The real payload's sender is who dragged the card: the refusal tells them.
    assert_contains(
        &rejected[0],
        &[
            "Mål og nøkkelresultater (OKR) er identifisert",
            "(sist endret av @wolfy1339)",
        ],
    );
    assert_eq!(
        w.gh.take_writes(),
        [
            "POST /repos/digdir/portfolio/issues/105/comments",
            "GraphQL SetStatuses",
        ]
    );
    w.finish();
}

#[test]
fn a_draft_card_an_unknown_event_and_an_archived_card_are_notices_that_write_nothing() {
    let Some(w) = World::digdir() else { return };
    let cases = [
        ("projects_v2_item", w.real("projects_v2_item/edited")),
        ("projects_v2_item", w.real("projects_v2_item/archived")),
        ("push", w.real("workflow_dispatch/")),
        ("deployment_status", json!({})),
    ];
    for (event, payload) in cases {
        let run = w.ok(event, &payload);
        w.assert_no_writes(event, &run);
        assert_contains(&run.stdout(), &["::notice", "ingenting å gjøre"]);
    }
    w.finish();
}

#[test]
fn a_payload_that_cannot_be_read_exits_2_and_writes_nothing() {
    let Some(w) = World::digdir() else { return };
    let mut no_number = w.on_issue("issues/edited", 105);
    no_number["issue"].as_object_mut().unwrap().remove("number");
    let mut comment_no_number = w.comment(103, WRITER, "/fase Konsept");
    comment_no_number["issue"]
        .as_object_mut()
        .unwrap()
        .remove("number");
    let cases = [
        ("issues", "{ not json".to_string()),
        ("issue_comment", String::new()),
        ("issues", no_number.to_string()),
        ("issue_comment", comment_no_number.to_string()),
    ];
    for (event, payload) in cases {
        let run = w.run_raw(event, &payload);
        assert_eq!(run.code(), Some(2), "{event} {payload:.40}: {}", run.text());
        w.assert_no_writes(event, &run);
    }
    assert_eq!(w.status("PVTI_105").as_deref(), Some("Planlegging"));
    assert_eq!(w.status("PVTI_103").as_deref(), Some("Planlegging"));
    w.finish();
}

// ---------------------------------------------------------------------------------------------------------------
// Comments that hold no command the bot may run

/// #103 stands in Planlegging; `/fase Konsept` from [`WRITER`] would move it back (a write).
const BACK: &str = "/fase Konsept";

fn assert_ignored(w: &World, case: &str, event: &Value) {
    let run = w.ok("issue_comment", event);
    w.assert_no_writes(case, &run);
    assert_eq!(w.status("PVTI_103").as_deref(), Some("Planlegging"));
}

#[test]
fn quoted_fenced_and_inline_code_commands_change_nothing() {
    let Some(w) = World::digdir() else { return };
    for body in [
        "> /fase Konsept",
        "Som du skrev:\n> /fase Konsept\n\nEnig.",
        "```\n/fase Konsept\n```",
        "`/fase Konsept`",
        "Skriv /fase Konsept for å flytte",
    ] {
        assert_ignored(&w, body, &w.comment(103, WRITER, body));
    }
    w.finish();
}

#[test]
fn commands_from_bots_change_nothing() {
    let Some(w) = World::digdir() else { return };
    w.gh.edit(|s| {
        for bot in ["dependabot[bot]", "portfolio-sync[bot]", "renovate", BOT] {
            s.add_collaborator(w.repo, bot, "admin");
        }
    });
    let as_bot = |login: &str, typ: &str| {
        let mut event = w.comment(103, login, BACK);
        event["comment"]["user"]["type"] = json!(typ);
        event["sender"]["type"] = json!(typ);
        event
    };
    for (login, typ) in [
        ("renovate", "Bot"),
        ("dependabot[bot]", "User"),
        ("portfolio-sync[bot]", "Bot"),
        // The bot itself, running with a personal access token: its account is a user.
        (BOT, "User"),
    ] {
        assert_ignored(&w, &format!("{login} ({typ})"), &as_bot(login, typ));
    }
    w.finish();
}

#[test]
fn edited_deleted_and_pull_request_comments_change_nothing() {
    let Some(w) = World::digdir() else { return };
    for action in ["edited", "deleted"] {
        let event = w.comment_event(&format!("issue_comment/{action}"), 103, WRITER, BACK);
        assert_ignored(&w, action, &event);
    }
    let mut on_pr = w.comment(103, WRITER, BACK);
    on_pr["issue"]["pull_request"] = json!({
        "url": format!("https://api.github.com/repos/{}/pulls/103", w.repo),
    });
    assert_ignored(&w, "a comment on a pull request", &on_pr);
    w.finish();
}

#[test]
fn someone_without_permission_gets_a_polite_reply_and_a_confused_reaction() {
    let Some(w) = World::digdir() else { return };
    w.gh.edit(|s| s.add_collaborator(w.repo, "leser", "read"));
    let before = w.labels(103);
    w.ok("issue_comment", &w.comment(103, "leser", BACK));
    assert_eq!(w.status("PVTI_103").as_deref(), Some("Planlegging"));
    assert_eq!(w.labels(103), before);
    let log = w.gh.log();
    assert_eq!(log.writes(), 2, "a reply and a reaction only:\n{}", w.log());
    let replies: Vec<String> = w
        .comments(103)
        .into_iter()
        .filter(|c| c.author == BOT)
        .map(|c| c.body)
        .collect();
    assert_eq!(replies.len(), 1, "{replies:?}");
    assert_contains(&replies[0], &["@leser", "`write`-tilgang"]);
    assert_eq!(
        w.reactions(103, "leser"),
        vec![(BOT.to_string(), "confused".to_string())]
    );
    // A second try by the same person: only the reaction, the explanation is not repeated.
    let again = w.comment(103, "leser", "/fase Problem");
    w.ok("issue_comment", &again);
    let bot_comments = w
        .comments(103)
        .into_iter()
        .filter(|c| c.author == BOT)
        .count();
    assert_eq!(
        bot_comments,
        1,
        "one explanation per person and issue:\n{}",
        w.log()
    );
    let id = again["comment"]["id"].as_u64().expect("a comment id");
    assert_eq!(
        w.gh.take_writes(),
        [format!(
            "POST /repos/digdir/portfolio/issues/comments/{id}/reactions"
        )]
    );
    w.finish();
}

#[test]
fn fase_on_a_closed_issue_says_why_nothing_happened() {
    let Some(w) = World::digdir() else { return };
    w.gh.edit(|s| {
        if let Some(issue) = s.issue_mut(w.repo, 104) {
            issue.open = false;
        }
    });
    w.ok("issue_comment", &w.comment(104, WRITER, "/fase Konsept"));
    assert_eq!(w.labels(104), strings(&["fase/problem"]), "nothing moved");
    assert_eq!(
        w.reactions(104, WRITER),
        vec![(BOT.to_string(), "confused".to_string())],
        "no 👍 for a command that did nothing"
    );
    let reply = w.marked(104, "portfolio-sync:reply:");
    assert_eq!(reply.len(), 1, "{}", w.log());
    assert_contains(&reply[0], &["ikke utført", "saken er lukket"]);
    assert_eq!(w.gh.take_writes().len(), 2, "the reply and the reaction");
    w.finish();
}

#[test]
fn a_command_is_acted_on_once_whatever_delivers_it_again() {
    let Some(w) = World::digdir() else { return };
    // /fase Problem on #104 (in Problem already), then the card moves on, then the same comment comes back (a
    // re-run of the workflow, a replayed delivery): it must not move the card back.
    let command = w.comment(104, WRITER, "/fase Problem");
    w.ok("issue_comment", &command);
    assert_eq!(w.reactions(104, WRITER).len(), 1);
    w.ok("issue_comment", &w.comment(104, WRITER, "/fase Konsept"));
    assert_eq!(w.status("PVTI_104").as_deref(), Some("Konsept"));
    w.gh.take_writes();
    let replay = w.ok("issue_comment", &command);
    assert_eq!(
        w.status("PVTI_104").as_deref(),
        Some("Konsept"),
        "not moved back"
    );
    assert_eq!(w.labels(104), strings(&["fase/konsept"]));
    assert!(
        w.gh.take_writes().is_empty(),
        "nothing written: {}",
        replay.text()
    );
    assert_contains(&replay.stdout(), &["er besvart allerede"]);
    w.finish();
}

#[test]
fn a_command_that_fails_inside_the_bot_gets_a_short_answer_and_exit_1() {
    let Some(w) = World::digdir() else { return };
    // The issue cannot be read: GitHub keeps failing.
    w.gh.fault(Fault::graphql("ReadIssue").status(502).times(10));
    let run = w.run("issue_comment", &w.comment(104, WRITER, "/fase Konsept"));
    assert_eq!(run.code(), Some(1), "{}", run.text());
    let reply = w.marked(104, "portfolio-sync:reply:");
    assert_eq!(reply.len(), 1, "{}", w.log());
    assert_contains(&reply[0], &["❌", "feil i portfolio-sync"]);
    assert!(
        !reply[0].contains("502"),
        "no details in the issue: {}",
        reply[0]
    );
    assert_eq!(w.labels(104), strings(&["fase/problem"]));
    w.gh.clear_faults();
    assert_eq!(
        w.gh.take_writes(),
        ["POST /repos/digdir/portfolio/issues/104/comments"]
    );
    w.finish();
}

#[test]
fn an_issue_opened_with_phase_labels_leaves_with_exactly_one() {
    let Some(w) = World::digdir() else { return };
    w.gh.edit(|s| {
        s.add_issue(
            w.repo,
            NewIssue {
                number: Some(132),
                labels: strings(&["fase/implementering", "fase/konsept", "kind/initiative"]),
                ..NewIssue::default()
            },
        )
    });
    w.ok("issues", &w.on_issue("issues/opened", 132));
    assert_eq!(
        w.labels(132),
        strings(&["fase/ikke-startet", "kind/initiative"])
    );
    assert!(w.gh.take_writes().len() >= 4);
    w.finish();
}

#[test]
fn a_member_of_a_command_team_may_move_without_write_access() {
    let Some(w) = World::digdir() else { return };
    w.gh.edit(|s| {
        s.add_collaborator(w.repo, "lise-pmo", "read");
        s.add_team("digdir", "portefoljekontoret", &["lise-pmo"]);
    });
    let command = w.comment(103, "lise-pmo", BACK);
    w.ok("issue_comment", &command);
    assert_eq!(w.status("PVTI_103").as_deref(), Some("Konsept"));
    assert_eq!(w.labels(103), strings(&["fase/konsept"]));
    assert_eq!(
        w.reactions(103, "lise-pmo"),
        vec![(BOT.to_string(), "+1".to_string())]
    );
    assert_eq!(
        w.gh.take_writes(),
        [
            "POST /repos/digdir/portfolio/issues/103/comments",
            "GraphQL SetStatuses",
            "POST /repos/digdir/portfolio/issues/103/labels",
            "DELETE /repos/digdir/portfolio/issues/103/labels/fase%2Fplanlegging",
            reaction_to(&command).as_str(),
        ]
    );
    w.finish();
}

// ---------------------------------------------------------------------------------------------------------------
// `/fase`

/// The write that reacts to a command comment (its id comes from the fake, so it is read off the event).
fn reaction_to(command: &Value) -> String {
    format!(
        "POST /repos/digdir/portfolio/issues/comments/{}/reactions",
        command["comment"]["id"]
    )
}

#[test]
fn fase_forward_with_requirements_met_moves_the_card_and_thanks() {
    let Some(w) = World::digdir() else { return };
    // #104 stands where it was accepted (Problem) and meets Konsept's requirements.
    w.set_status("PVTI_104", "Problem");
    let command = w.comment(104, WRITER, "/fase Konsept");
    w.ok("issue_comment", &command);
    assert_eq!(w.status("PVTI_104").as_deref(), Some("Konsept"));
    assert_eq!(w.labels(104), strings(&["fase/konsept"]));
    assert_eq!(
        w.reactions(104, WRITER),
        vec![(BOT.to_string(), "+1".to_string())]
    );
    assert!(w.marked(104, "portfolio-sync:rejected").is_empty());
    assert_eq!(
        w.gh.take_writes(),
        [
            "POST /repos/digdir/portfolio/issues/104/comments",
            "GraphQL SetStatuses",
            "POST /repos/digdir/portfolio/issues/104/labels",
            "DELETE /repos/digdir/portfolio/issues/104/labels/fase%2Fproblem",
            reaction_to(&command).as_str(),
        ]
    );
    w.finish();
}

#[test]
fn fase_forward_without_requirements_is_refused_and_names_what_is_missing() {
    let Some(w) = World::digdir() else { return };
    w.set_status("PVTI_105", "Konsept");
    let command = w.comment(105, WRITER, "/fase Planlegging");
    w.ok("issue_comment", &command);
    assert_eq!(w.status("PVTI_105").as_deref(), Some("Konsept"));
    assert_eq!(w.labels(105), strings(&["fase/konsept"]));
    assert_eq!(
        w.reactions(105, WRITER),
        vec![(BOT.to_string(), "confused".to_string())]
    );
    // The reply answers the command: refused and why, and never that a card moved (nobody moved it).
    assert!(
        w.marked(105, "portfolio-sync:rejected").is_empty(),
        "{}",
        w.log()
    );
    let reply = w.marked(
        105,
        &format!("portfolio-sync:reply:{}", command["comment"]["id"]),
    );
    assert_eq!(reply.len(), 1, "{}", w.log());
    assert_contains(
        &reply[0],
        &[
            "Kommandoen ble avvist",
            "Tiltaket står fortsatt i **Konsept**",
            "Mål og nøkkelresultater (OKR) er identifisert",
        ],
    );
    assert!(!reply[0].contains("flyttet"), "{}", reply[0]);
    // The risk is described: only what is missing is named.
    assert!(
        !reply[0].contains("Risikoen ved å ikke gjennomføre tiltaket er beskrevet"),
        "{}",
        reply[0]
    );
    assert_eq!(
        w.gh.take_writes(),
        [
            "POST /repos/digdir/portfolio/issues/105/comments",
            reaction_to(&command).as_str(),
        ]
    );
    w.finish();
}

#[test]
fn fase_backward_is_accepted() {
    let Some(w) = World::digdir() else { return };
    let command = w.comment(103, WRITER, BACK);
    w.ok("issue_comment", &command);
    assert_eq!(w.status("PVTI_103").as_deref(), Some("Konsept"));
    assert_eq!(w.labels(103), strings(&["fase/konsept"]));
    assert_eq!(
        w.reactions(103, WRITER),
        vec![(BOT.to_string(), "+1".to_string())]
    );
    assert_eq!(
        w.gh.take_writes(),
        [
            "POST /repos/digdir/portfolio/issues/103/comments",
            "GraphQL SetStatuses",
            "POST /repos/digdir/portfolio/issues/103/labels",
            "DELETE /repos/digdir/portfolio/issues/103/labels/fase%2Fplanlegging",
            reaction_to(&command).as_str(),
        ]
    );
    w.finish();
}

#[test]
fn fase_with_an_unknown_phase_replies_with_the_phases() {
    let Some(w) = World::digdir() else { return };
    let command = w.comment(103, WRITER, "/fase Testing");
    w.ok("issue_comment", &command);
    assert_eq!(w.status("PVTI_103").as_deref(), Some("Planlegging"));
    assert_eq!(w.labels(103), strings(&["fase/planlegging"]));
    let replies = w.marked(103, "portfolio-sync:reply:");
    assert_eq!(replies.len(), 1, "{}", w.log());
    assert_contains(
        &replies[0],
        &[
            "«Testing»",
            "`Ikke startet`, `Problem`, `Konsept`, `Planlegging`, `Implementering`, `Utført`",
        ],
    );
    assert_eq!(
        w.reactions(103, WRITER),
        vec![(BOT.to_string(), "confused".to_string())]
    );
    assert_eq!(
        w.gh.take_writes(),
        [
            "POST /repos/digdir/portfolio/issues/103/comments",
            reaction_to(&command).as_str(),
        ]
    );
    w.finish();
}

#[test]
fn fase_on_an_issue_that_is_not_on_the_board_adds_it_first() {
    let Some(w) = World::digdir() else { return };
    w.gh.edit(|s| {
        s.add_issue(
            w.repo,
            NewIssue {
                number: Some(140),
                body: "## Problemstilling\nSøknader behandles manuelt.\n".into(),
                assignees: vec![WRITER.into()],
                ..NewIssue::default()
            },
        )
    });
    office(&w, &[WRITER]);
    // The office decides and moves in one comment: the move sees the decision recorded just before it.
    let command = w.comment(140, WRITER, "/godkjenn Problem\n/fase Problem");
    w.ok("issue_comment", &command);
    let items = w.items_of(140);
    assert_eq!(items.len(), 1, "{}", w.log());
    assert_eq!(w.status(&items[0]).as_deref(), Some("Problem"));
    assert_eq!(w.labels(140), strings(&["fase/problem"]));
    assert_eq!(
        w.reactions(140, WRITER),
        vec![(BOT.to_string(), "+1".to_string())]
    );
    let writes: Vec<String> =
        w.gh.take_writes()
            .into_iter()
            .map(
                |w| match w.strip_prefix("PATCH /repos/digdir/portfolio/issues/comments/") {
                    Some(_) => "PATCH /repos/digdir/portfolio/issues/comments/*".to_string(),
                    None => w,
                },
            )
            .collect();
    assert_eq!(
        writes,
        [
            "GraphQL AddItem",
            // The decision record, the status comment showing it, the status comment of the move, the reply.
            "POST /repos/digdir/portfolio/issues/140/comments",
            "POST /repos/digdir/portfolio/issues/140/comments",
            "PATCH /repos/digdir/portfolio/issues/comments/*",
            "GraphQL SetStatuses",
            "POST /repos/digdir/portfolio/issues/140/labels",
            "POST /repos/digdir/portfolio/issues/140/comments",
            reaction_to(&command).as_str(),
        ]
    );
    assert!(record(&w, 140).is_some());
    w.finish();
}

/// #108 stands in Planlegging (as accepted) and meets every requirement of Implementering.
fn ready_for_handoff(w: &World, teams: &str) {
    w.set_status("PVTI_108", "Planlegging");
    w.gh.edit(|s| s.set_value("PVTI_108", "Team", &json!(teams)));
}

#[test]
fn the_phase_argument_matches_name_any_case_and_label() {
    for arg in ["implementering", "Implementering", "fase/implementering"] {
        let Some(w) = World::digdir() else { return };
        ready_for_handoff(&w, "Dialogporten");
        w.ok(
            "issue_comment",
            &w.comment(108, WRITER, &format!("/fase {arg}")),
        );
        assert_eq!(
            w.status("PVTI_108").as_deref(),
            Some("Implementering"),
            "/fase {arg}\n{}",
            w.log()
        );
        assert_eq!(
            w.labels(108),
            strings(&["fase/implementering"]),
            "/fase {arg}"
        );
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The handoff

/// Builds an event payload (and the state it describes).
type Delivery = fn(&World) -> Value;

#[test]
fn a_handoff_posts_one_comment_and_one_tracking_issue_per_team_even_when_delivered_twice() {
    let deliveries: [(&str, Delivery); 2] = [
        ("issue_comment", |w| {
            w.comment(108, WRITER, "/fase implementering")
        }),
        ("projects_v2_item", |w| {
            w.set_status("PVTI_108", "Implementering");
            w.card_edited(108)
        }),
    ];
    for (event, delivery) in deliveries {
        let Some(w) = World::digdir() else { return };
        ready_for_handoff(&w, "Dialogporten, Felles datakatalog, Altinn Studio");
        let studio = w.issue_count("digdir/altinn-studio");
        let payload = delivery(&w);
        w.ok(event, &payload);
        w.ok(event, &payload);
        let handoffs = w.marked(108, "portfolio-sync:handoff:implementering");
        assert_eq!(
            handoffs.len(),
            1,
            "{event}: one handoff comment\n{}",
            w.log()
        );
        assert_contains(
            &handoffs[0],
            &[
                "@digdir/team-dialogporten",
                "@digdir/team-fdk",
                "@digdir/team-altinn-studio",
                "2026 Q2",
            ],
        );
        assert_eq!(w.issue_count("digdir/dialogporten"), 1, "{event}");
        assert_eq!(w.issue_count("digdir/fdk-issue-tracker"), 1, "{event}");
        // The comment names the tracking issues it opened, as links GitHub draws (`owner/repo#n`).
        let opened = |repo: &str| {
            w.gh.read(|s| {
                let repo = s.repo(repo).expect("the team repository");
                let tracking = repo.issues.values().find(|i| i.author == BOT);
                tracking.map(|i| format!("{}#{}", repo.full_name(), i.number))
            })
        };
        for repo in ["digdir/dialogporten", "digdir/fdk-issue-tracker"] {
            let link = opened(repo).expect("a tracking issue by the bot");
            assert!(
                handoffs[0].contains(&link),
                "{event}: {link} in\n{}",
                handoffs[0]
            );
        }
        assert!(!handoffs[0].contains("tracking-ref"), "{}", handoffs[0]);
        assert_eq!(
            w.issue_count("digdir/altinn-studio"),
            studio,
            "{event}: Altinn Studio has no repository in the config"
        );
        assert_eq!(w.status("PVTI_108").as_deref(), Some("Implementering"));
        assert_eq!(w.labels(108), strings(&["fase/implementering"]));
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Decision gates: `/godkjenn` and `/trekk`

/// The portfolio office's team, with [`WRITER`] in it (or not).
fn office(w: &World, members: &[&str]) {
    w.gh.edit(|s| s.add_team("digdir", "portefoljekontoret", members));
}

/// The bot's decision record on issue `number`, if any.
fn record(w: &World, number: u64) -> Option<String> {
    w.marked(number, "portfolio-sync:decisions")
        .into_iter()
        .next()
}

#[test]
fn a_gated_move_without_a_decision_is_refused_with_how_to_record_one() {
    let Some(w) = World::digdir() else { return };
    office(&w, &[WRITER]);
    // #119 stands in Problem and meets every automatic requirement of Konsept; only the office's decision is missing.
    w.set_status("PVTI_119", "Problem");
    let command = w.comment(119, WRITER, "/fase Konsept");
    w.ok("issue_comment", &command);
    assert_eq!(w.status("PVTI_119").as_deref(), Some("Problem"));
    let reply = w.marked(
        119,
        &format!("portfolio-sync:reply:{}", command["comment"]["id"]),
    );
    assert_eq!(reply.len(), 1, "{}", w.log());
    assert_contains(
        &reply[0],
        &[
            "Kommandoen ble avvist",
            "ingen vedtak er registrert",
            "`digdir/portefoljekontoret`",
            "`/godkjenn Konsept Porteføljekontoret`",
        ],
    );
    assert_eq!(
        w.reactions(119, WRITER),
        vec![(BOT.to_string(), "confused".to_string())]
    );
    w.gh.take_writes();
    w.finish();
}

#[test]
fn a_decision_by_a_team_member_is_recorded_and_lets_the_move_through() {
    let Some(w) = World::digdir() else { return };
    office(&w, &[WRITER]);
    w.set_status("PVTI_119", "Problem");
    let approve = w.comment(
        119,
        WRITER,
        "/godkjenn Konsept Porteføljekontoret https://example.org/referat-3-desember",
    );
    w.ok("issue_comment", &approve);
    let body = record(&w, 119).expect("the decision is recorded");
    assert_contains(
        &body,
        &[
            "Konsept",
            "Porteføljekontoret",
            WRITER,
            "referat-3-desember",
        ],
    );
    let reply = w.marked(
        119,
        &format!("portfolio-sync:reply:{}", approve["comment"]["id"]),
    );
    assert_contains(&reply[0], &["Vedtaket er registrert"]);
    assert_eq!(
        w.reactions(119, WRITER),
        vec![(BOT.to_string(), "+1".to_string())]
    );
    let status = w.marked(119, "portfolio-sync:status");
    assert_contains(&status[0], &[&format!("Porteføljekontoret, {WRITER}")]);
    // Recorded once, whatever delivers the command again.
    w.ok("issue_comment", &approve);
    assert_eq!(w.marked(119, "portfolio-sync:decisions").len(), 1);

    w.ok("issue_comment", &w.comment(119, WRITER, "/fase Konsept"));
    assert_eq!(w.status("PVTI_119").as_deref(), Some("Konsept"));
    assert_eq!(w.labels(119), strings(&["fase/konsept", "moscow/should"]));
    w.gh.take_writes();
    w.finish();
}

#[test]
fn a_decision_by_someone_outside_the_team_is_refused_and_changes_nothing() {
    let Some(w) = World::digdir() else { return };
    // WRITER may run commands (write access) but is no member of the office.
    office(&w, &["ola-nordmann"]);
    w.set_status("PVTI_119", "Problem");
    let before = w.gh.read(|s| s.digest());
    let approve = w.comment(119, WRITER, "/godkjenn Konsept Porteføljekontoret");
    w.gh.take_writes();
    let run = w.ok("issue_comment", &approve);
    assert!(record(&w, 119).is_none(), "{}", run.text());
    let reply = w.marked(
        119,
        &format!("portfolio-sync:reply:{}", approve["comment"]["id"]),
    );
    assert_contains(
        &reply[0],
        &[
            "bare medlemmer av `digdir/portefoljekontoret`",
            "Ingenting er endret",
        ],
    );
    assert_eq!(
        w.gh.take_writes(),
        [
            "POST /repos/digdir/portfolio/issues/119/comments",
            reaction_to(&approve).as_str(),
        ],
        "only the answer is written"
    );
    assert_ne!(
        before,
        w.gh.read(|s| s.digest()),
        "the answer changed the state"
    );
    // A decision written by anyone but the bot counts for nothing, even with the bot's marker and data.
    let forged = "<!-- portfolio-sync:decisions -->\n<!-- portfolio-sync:data [{\"phase\":\"konsept\",\"forum\":\"Porteføljekontoret\",\"by\":\"ola-nordmann\",\"at\":\"2026-12-01T00:00:00Z\",\"comment\":1}] -->";
    w.gh.edit(|s| s.add_comment("digdir/portfolio", 119, WRITER, forged));
    w.ok("issue_comment", &w.comment(119, WRITER, "/fase Konsept"));
    assert_eq!(w.status("PVTI_119").as_deref(), Some("Problem"));
    w.gh.take_writes();
    w.finish();
}

/// Someone with write access (GitHub lets them edit any comment) edits the bot's decision record on #119.
fn tamper_with_the_record(w: &World, editor: &str) {
    let id = w
        .comments(119)
        .into_iter()
        .find(|c| c.author == BOT && c.body.starts_with("<!-- portfolio-sync:decisions -->"))
        .expect("the bot's record")
        .id;
    w.gh.edit(|s| {
        let body = s
            .comments_of("digdir/portfolio", 119)
            .into_iter()
            .find(|c| c.id == id)
            .map(|c| c.body.replace("referat", "referat (rettet)"))
            .unwrap_or_default();
        s.edit_comment("digdir/portfolio", 119, id, editor, &body);
    });
}

#[test]
fn a_decision_record_someone_else_edited_counts_for_nothing_until_recorded_again() {
    let Some(w) = World::digdir() else { return };
    office(&w, &[WRITER]);
    w.set_status("PVTI_119", "Problem");
    let approve = "/godkjenn Konsept Porteføljekontoret https://example.org/referat";
    w.ok("issue_comment", &w.comment(119, WRITER, approve));
    tamper_with_the_record(&w, "mallory");

    let command = w.comment(119, WRITER, "/fase Konsept");
    w.gh.clear_log();
    w.ok("issue_comment", &command);
    assert!(
        w.log().contains("CommentEditors"),
        "REST does not say who edited the record; GraphQL is asked:\n{}",
        w.log()
    );
    assert_eq!(w.status("PVTI_119").as_deref(), Some("Problem"));
    let reply = w.marked(
        119,
        &format!("portfolio-sync:reply:{}", command["comment"]["id"]),
    );
    assert_contains(
        &reply[0],
        &[
            "vedtaksprotokollen er endret av mallory og teller derfor ikke",
            "`/godkjenn Konsept Porteføljekontoret`",
        ],
    );

    // Recorded again, the bot writes its record anew (the same comment), and the move goes through.
    w.ok("issue_comment", &w.comment(119, WRITER, approve));
    assert_eq!(w.marked(119, "portfolio-sync:decisions").len(), 1);
    w.ok("issue_comment", &w.comment(119, WRITER, "/fase Konsept"));
    assert_eq!(w.status("PVTI_119").as_deref(), Some("Konsept"));
    w.gh.take_writes();
    w.finish();
}

#[test]
fn a_sync_reads_who_edited_the_record_and_reverts_a_move_it_no_longer_allows() {
    let Some(w) = World::digdir() else { return };
    office(&w, &[WRITER]);
    w.set_status("PVTI_119", "Problem");
    let approve = "/godkjenn Konsept Porteføljekontoret https://example.org/referat";
    w.ok("issue_comment", &w.comment(119, WRITER, approve));
    // Edited by the bot's own login, the record still counts: the edit is the bot's.
    tamper_with_the_record(&w, BOT);
    w.set_status("PVTI_119", "Konsept");
    w.sync_issue(119);
    assert_eq!(w.status("PVTI_119").as_deref(), Some("Konsept"));
    assert_eq!(w.labels(119), strings(&["fase/konsept", "moscow/should"]));

    // Moved back and forth by people; then a writer outside the office edits the record.
    w.set_status("PVTI_119", "Problem");
    w.sync_issue(119);
    w.ok("issue_comment", &w.comment(119, WRITER, approve));
    tamper_with_the_record(&w, "mallory");
    w.set_status("PVTI_119", "Konsept");
    w.gh.clear_log();
    w.sync_issue(119);
    let log = w.log();
    assert!(
        log.contains("IssueComments") && !log.contains("CommentEditors"),
        "the sync reads the editor with the comments, in one batch:\n{log}"
    );
    assert_eq!(w.status("PVTI_119").as_deref(), Some("Problem"));
    let refusal = w.marked(119, "portfolio-sync:rejected");
    assert_contains(
        &refusal[0],
        &["vedtaksprotokollen er endret av mallory og teller derfor ikke"],
    );
    w.gh.take_writes();
    w.finish();
}

#[test]
fn a_phase_label_a_person_added_does_not_let_a_card_move() {
    let Some(w) = World::digdir() else { return };
    office(&w, &[WRITER]);
    // #119 is in Problem by the bot's label; a writer adds `fase/konsept` and drags the card to Konsept.
    w.gh.edit(|s| {
        let at = s.tick();
        let issue = s.issue_mut("digdir/portfolio", 119).expect("#119");
        issue.labels.push("fase/konsept".into());
        issue
            .label_events
            .push(support::fake::state::LabelEventData {
                labeled: true,
                label: "fase/konsept".into(),
                actor: Some(WRITER.into()),
                created_at: at,
            });
    });
    w.set_status("PVTI_119", "Konsept");
    w.ok("projects_v2_item", &w.card_edited(119));
    assert_eq!(w.status("PVTI_119").as_deref(), Some("Problem"));
    assert_eq!(w.labels(119), strings(&["fase/problem", "moscow/should"]));
    let refusal = w.marked(119, "portfolio-sync:rejected");
    assert_contains(&refusal[0], &["ingen vedtak er registrert"]);
    w.gh.take_writes();
    w.finish();
}

#[test]
fn moving_back_past_a_decision_voids_it_and_trekk_withdraws_one() {
    let Some(w) = World::digdir() else { return };
    office(&w, &[WRITER]);
    // #104 carries the office's decision for Konsept (the example board); the move goes through.
    w.set_status("PVTI_104", "Problem");
    w.ok("issue_comment", &w.comment(104, WRITER, "/fase Konsept"));
    assert_eq!(w.labels(104), strings(&["fase/konsept"]));
    // Back to Problem: the decision was for that one transition.
    w.ok("issue_comment", &w.comment(104, WRITER, "/fase Problem"));
    assert_eq!(w.labels(104), strings(&["fase/problem"]));
    let body = record(&w, 104).expect("the record stays");
    assert_contains(&body, &["nei, tiltaket ble flyttet tilbake til Problem"]);
    w.ok("issue_comment", &w.comment(104, WRITER, "/fase Konsept"));
    assert_eq!(
        w.labels(104),
        strings(&["fase/problem"]),
        "a voided decision allows nothing"
    );

    // Decided again, then withdrawn: the gate shuts again.
    w.ok(
        "issue_comment",
        &w.comment(104, WRITER, "/godkjenn Konsept"),
    );
    w.ok("issue_comment", &w.comment(104, WRITER, "/trekk Konsept"));
    assert_contains(
        &record(&w, 104).unwrap(),
        &[&format!("nei, trukket av {WRITER}")],
    );
    w.ok("issue_comment", &w.comment(104, WRITER, "/fase Konsept"));
    assert_eq!(w.labels(104), strings(&["fase/problem"]));
    w.gh.take_writes();
    w.finish();
}

#[test]
fn a_flagged_card_waiting_for_its_decision_moves_on_when_it_is_recorded() {
    // Digdir's configuration with on_violation = "flag": a refused card stays in its column, labelled blocked.
    let text = std::fs::read_to_string(Path::new(ROOT).join("config/portfolio.toml")).unwrap();
    let flag = text.replace("on_violation = \"revert\"", "on_violation = \"flag\"");
    assert_ne!(text, flag);
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("portfolio.toml");
    std::fs::write(&config, flag).unwrap();
    let Some(w) = World::new(
        "config/examples/board.json",
        config.to_str().unwrap(),
        "digdir/portfolio",
    ) else {
        return;
    };
    office(&w, &[WRITER]);
    // #119 was dragged to Konsept; only the office's decision is missing.
    w.set_status("PVTI_119", "Konsept");
    w.ok("projects_v2_item", &w.card_edited(119));
    assert_eq!(w.status("PVTI_119").as_deref(), Some("Konsept"));
    assert_eq!(
        w.labels(119),
        strings(&["fase/blokkert", "fase/problem", "moscow/should"])
    );

    w.ok(
        "issue_comment",
        &w.comment(119, WRITER, "/godkjenn Konsept"),
    );
    assert_eq!(w.status("PVTI_119").as_deref(), Some("Konsept"));
    assert_eq!(w.labels(119), strings(&["fase/konsept", "moscow/should"]));
    w.gh.take_writes();
    w.finish();
}
