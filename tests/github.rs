//! `GitHubForge` against the fake GitHub: reads, writes, request counts, retries, errors, secrets.
//!
//! Run with `GITHUB_SCHEMA=../shared/github/schema.graphql cargo test --test github` so that every GraphQL
//! document the bot sends is also validated against GitHub's real schema.

mod support;

use std::time::Duration;

use portfolio_sync::board::{FieldKind, IssueRef, IssueState, ItemKind};
use portfolio_sync::config::Permission;
use portfolio_sync::forge::{Forge, IssueForge, IssueKey, LabelChange, LabelSpec, StatusChange};
use portfolio_sync::github::{graphql, Credentials, GitHubForge, Secret, Settings, SetupError};
use serde_json::json;
use support::*;

const REPO: &str = "digdir/portfolio";

fn issue(number: u64) -> IssueRef {
    IssueRef {
        repository: REPO.to_string(),
        number,
    }
}

/// A small board with one of everything.
fn small_board() -> BoardBuilder {
    BoardBuilder::new("digdir", 1)
        .single_select(
            "Status",
            &["Ikke startet", "Problem", "Konsept", "Planlegging"],
        )
        .single_select("MoSCoW", &["M", "S", "C", "W"])
        .text("Team")
        .number("Estimat")
        .date("Start")
        .iteration("Sprint", &["Sprint 1", "Sprint 2"])
        .issue(REPO, 48, |i| {
            i.title("Felles innlogging")
                .body("## Problemstilling\nNoe er vanskelig.")
                .labels(&["fase/problem", "team/Dialogporten"])
                .assignees(&["kari"])
                .milestone("2026 Q1")
                .status("Konsept")
                .status_updated_at("2026-01-10T08:00:00Z")
                .field("MoSCoW", "M")
                .field("Team", "Dialogporten")
                .field("Estimat", 3)
                .field("Start", "2026-03-01")
                .field("Sprint", "Sprint 2")
        })
        .issue(REPO, 49, |i| {
            i.title("Ferdig sak").closed().status("Planlegging")
        })
        .issue(REPO, 50, |i| i.title("Uten status"))
        .issue("digdir/other", 7, |i| {
            i.title("Annet repo").status("Problem").archived()
        })
        .pull_request(REPO, 51, "Oppdater mal")
        .draft("Idé", "Kanskje")
}

fn config() -> portfolio_sync::config::BoardConfig {
    board_config("digdir", 1, &[REPO])
}

fn with_board(builder: BoardBuilder) -> FakeGitHub {
    let gh = FakeGitHub::start();
    let snapshot = builder.build();
    gh.edit(|s| s.load_snapshot(&snapshot));
    gh
}

#[test]
fn every_document_is_valid_graphql() {
    // Validated against GitHub's schema when GITHUB_SCHEMA is set (the fake prints a notice when it is not).
    for (name, document) in graphql::all_documents() {
        let parsed = apollo_compiler::ast::Document::parse(document.clone(), "doc.graphql")
            .unwrap_or_else(|e| panic!("{name} does not parse: {}", e.errors));
        if let Err(errors) = support::fake::graphql::validate(&parsed) {
            panic!(
                "{name} is invalid: {}\n{document}",
                serde_json::Value::Array(errors)
            );
        }
    }
}

#[test]
fn the_fake_rejects_documents_github_would_reject() {
    let bad = apollo_compiler::ast::Document::parse(
        "query Bad($unused: ID) { viewer { login } }",
        "bad.graphql",
    )
    .unwrap();
    assert!(
        support::fake::graphql::validate(&bad).is_err(),
        "unused variable"
    );
    if support::fake::graphql::schema().is_none() {
        return; // the notice is printed; unknown fields need the schema
    }
    let bad =
        apollo_compiler::ast::Document::parse("query Bad { viewer { loginName } }", "bad.graphql")
            .unwrap();
    let errors = support::fake::graphql::validate(&bad).unwrap_err();
    assert!(serde_json::Value::Array(errors)
        .to_string()
        .contains("loginName"));
}

#[tokio::test]
async fn reads_a_small_board_as_built() {
    let gh = with_board(small_board());
    let mut forge = forge(&gh, &config()).await;
    let snapshot = forge.read_board().await.unwrap();

    assert_eq!(snapshot, gh.read(|s| s.to_snapshot("digdir", 1, BOT)));
    assert_eq!(snapshot.bot, BOT);
    assert_eq!(snapshot.board.title, "Portefølje");
    let names: Vec<&str> = snapshot
        .board
        .fields
        .iter()
        .map(|f| f.name.as_str())
        .collect();
    assert_eq!(
        names,
        ["Status", "MoSCoW", "Team", "Estimat", "Start", "Sprint"],
        "built-in fields left out"
    );
    let status = snapshot.board.field("status").unwrap();
    assert_eq!(status.kind, FieldKind::SingleSelect);
    assert_eq!(
        status.options,
        ["Ikke startet", "Problem", "Konsept", "Planlegging"]
    );
    assert_eq!(
        snapshot.board.field("Sprint").unwrap().kind,
        FieldKind::Iteration
    );

    let first = &snapshot.items[0];
    assert_eq!(first.kind, ItemKind::Issue);
    assert_eq!(first.fields["Status"], "Konsept");
    assert_eq!(first.fields["MoSCoW"], "M");
    assert_eq!(first.fields["Team"], "Dialogporten");
    assert_eq!(first.fields["Estimat"], json!(3));
    assert_eq!(first.fields["Start"], "2026-03-01");
    assert_eq!(first.fields["Sprint"], "Sprint 2");
    assert!(!first.fields.contains_key("Title"));
    assert_eq!(
        first.status_updated_at.as_deref(),
        Some("2026-01-10T08:00:00Z")
    );
    let i48 = first.issue.as_ref().unwrap();
    assert_eq!(
        (i48.repository.as_str(), i48.number, i48.state),
        (REPO, 48, IssueState::Open)
    );
    assert_eq!(i48.title, "Felles innlogging");
    assert_eq!(i48.body, "## Problemstilling\nNoe er vanskelig.");
    assert_eq!(i48.labels, ["fase/problem", "team/Dialogporten"]);
    assert_eq!(i48.assignees, ["kari"]);
    assert_eq!(i48.milestone.as_deref(), Some("2026 Q1"));
    assert!(i48
        .node_id
        .as_deref()
        .is_some_and(|id| id.starts_with("I_")));
    assert_eq!(
        i48.url.as_deref(),
        Some("https://github.com/digdir/portfolio/issues/48")
    );
    assert_eq!(i48.comments, None, "comments are read per item");

    assert_eq!(
        snapshot.items[1].issue.as_ref().unwrap().state,
        IssueState::Closed
    );
    assert!(snapshot.items[2].fields.is_empty());
    assert_eq!(snapshot.items[2].status_updated_at, None);
    assert!(snapshot.items[3].archived);
    assert_eq!(
        snapshot.items[3].issue.as_ref().unwrap().repository,
        "digdir/other"
    );
    assert_eq!(snapshot.items[4].kind, ItemKind::PullRequest);
    assert_eq!(snapshot.items[4].pull_request.as_ref().unwrap().number, 51);
    assert_eq!(snapshot.items[5].kind, ItemKind::Draft);
    assert_eq!(snapshot.items[5].draft.as_ref().unwrap().body, "Kanskje");

    let log = gh.log();
    assert_eq!(
        (
            log.len(),
            log.graphql("BoardProject"),
            log.graphql("BoardItems")
        ),
        (2, 1, 1),
        "{}",
        log.summary()
    );
    gh.finish();
}

#[tokio::test]
async fn reads_250_items_in_one_plus_three_requests() {
    let mut board = BoardBuilder::new("digdir", 1).single_select("Status", &["Problem", "Konsept"]);
    for n in 1..=250 {
        board = board.issue(REPO, n, |i| {
            i.status(if n % 2 == 0 { "Problem" } else { "Konsept" })
                .labels(&["fase/problem"])
        });
    }
    let gh = with_board(board);
    let mut forge = forge(&gh, &config()).await;
    let snapshot = forge.read_board().await.unwrap();

    assert_eq!(snapshot.items.len(), 250);
    let numbers: Vec<u64> = snapshot
        .items
        .iter()
        .map(|i| i.issue.as_ref().unwrap().number)
        .collect();
    assert_eq!(
        numbers,
        (1..=250).collect::<Vec<_>>(),
        "board order kept across pages"
    );
    let log = gh.log();
    assert_eq!(log.len(), 4, "{}", log.summary());
    assert_eq!(
        (log.graphql("BoardProject"), log.graphql("BoardItems")),
        (1, 3)
    );
    assert_eq!(log.writes(), 0);
    gh.finish();
}

#[tokio::test]
async fn follows_long_label_and_field_value_lists_only_where_needed() {
    let labels: Vec<String> = (0..70).map(|n| format!("label-{n:02}")).collect();
    let label_refs: Vec<&str> = labels.iter().map(String::as_str).collect();
    let mut board = BoardBuilder::new("digdir", 1).single_select("Status", &["Problem"]);
    for n in 0..60 {
        board = board.text(&format!("Felt {n:02}"));
    }
    board = board.issue(REPO, 1, |mut i| {
        i = i.labels(&label_refs).status("Problem");
        for n in 0..60 {
            i = i.field(&format!("Felt {n:02}"), format!("verdi {n}"));
        }
        i
    });
    board = board.issue(REPO, 2, |i| {
        i.labels(&["fase/problem"]).field("Felt 00", "kort")
    });
    let gh = with_board(board);
    let mut forge = forge(&gh, &config()).await;
    let snapshot = forge.read_board().await.unwrap();

    let long = &snapshot.items[0];
    assert_eq!(
        long.issue.as_ref().unwrap().labels,
        labels,
        "all 70 labels, in order"
    );
    assert_eq!(long.fields.len(), 61, "60 text fields and Status");
    assert_eq!(long.fields["Felt 59"], "verdi 59");
    assert_eq!(long.fields["Status"], "Problem");
    assert_eq!(snapshot.items[1].fields.len(), 1);
    assert_eq!(snapshot, gh.read(|s| s.to_snapshot("digdir", 1, BOT)));

    let log = gh.log();
    assert_eq!(log.graphql("ItemFieldValues"), 1, "{}", log.summary());
    assert_eq!(log.graphql("IssueLabels"), 1);
    assert_eq!(log.len(), 4);
    gh.finish();
}

#[tokio::test]
async fn a_user_owned_board_is_read_too() {
    let gh = FakeGitHub::start();
    gh.edit(|s| s.add_user("kari").login.clone());
    let snapshot = BoardBuilder::new("kari", 3)
        .single_select("Status", &["Problem"])
        .issue("kari/ideas", 1, |i| i.status("Problem"))
        .build();
    gh.edit(|s| s.load_snapshot(&snapshot));
    let mut forge = forge(&gh, &board_config("kari", 3, &["kari/ideas"])).await;
    let read = forge.read_board().await.unwrap();
    assert_eq!(read.items.len(), 1);
    assert_eq!(read.items[0].fields["Status"], "Problem");
    gh.finish();
}

#[tokio::test]
async fn a_missing_project_is_a_clear_error() {
    let gh = with_board(small_board());
    let mut forge = forge(&gh, &board_config("digdir", 9, &[REPO])).await;
    let err = forge.read_board().await.unwrap_err().to_string();
    assert!(
        err.contains("BoardProject")
            && err.contains("Could not resolve to a ProjectV2 with the number 9"),
        "{err}"
    );

    let mut forge = forge_for(&gh, "nobody").await;
    let err = forge.read_board().await.unwrap_err().to_string();
    assert!(
        err.contains("no organisation or user named \"nobody\""),
        "{err}"
    );
    gh.finish();
}

async fn forge_for(gh: &FakeGitHub, owner: &str) -> GitHubForge {
    support::forge(gh, &board_config(owner, 1, &[REPO])).await
}

#[tokio::test]
async fn statuses_are_batched_and_land() {
    let mut board = BoardBuilder::new("digdir", 1).single_select("Status", &["Problem", "Konsept"]);
    for n in 1..=120 {
        board = board.issue(REPO, n, |i| i.status("Problem"));
    }
    let gh = with_board(board);
    let mut forge = forge(&gh, &config()).await;
    forge.read_board().await.unwrap();
    gh.clear_log();

    // Option names are matched case-insensitively and trimmed.
    let changes: Vec<StatusChange> = (1..=120)
        .map(|n| StatusChange {
            item_id: format!("PVTI_{n}"),
            status: " konsept ".to_string(),
        })
        .collect();
    let results = forge.set_statuses(&changes).await;
    assert_eq!(results.len(), 120);
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    gh.read(|s| {
        for n in 1..=120 {
            assert_eq!(
                s.item_status(&format!("PVTI_{n}")).as_deref(),
                Some("Konsept")
            );
        }
    });
    let log = gh.log();
    let batches: Vec<usize> = log.graphql_calls().iter().map(|c| c.fields).collect();
    assert_eq!(batches, [50, 50, 20], "{}", log.summary());
    assert!(log.iter().all(|r| r
        .graphql
        .as_ref()
        .is_some_and(|g| g.kind == OpKind::Mutation)));

    // A second read shows the change and when it happened.
    let snapshot = forge.read_board().await.unwrap();
    assert_eq!(snapshot.items[0].fields["Status"], "Konsept");
    assert_ne!(snapshot.items[0].status_updated_at, None);
    gh.finish();
}

#[tokio::test]
async fn a_batch_reports_which_changes_failed_and_which_landed() {
    let gh = with_board(small_board());
    let mut forge = forge(&gh, &config()).await; // no read first: the project is looked up for the write
    let change = |item: &str, status: &str| StatusChange {
        item_id: item.to_string(),
        status: status.to_string(),
    };
    let results = forge
        .set_statuses(&[
            change("PVTI_1", "Planlegging"),
            change("PVTI_gone", "Problem"),
            change("PVTI_3", "No such column"),
            change("PVTI_2", "Problem"),
        ])
        .await;
    assert!(results[0].is_ok());
    let gone = results[1].as_ref().unwrap_err().to_string();
    assert!(
        gone.contains("SetStatuses")
            && gone.contains("PVTI_gone")
            && gone.contains("Could not resolve"),
        "{gone}"
    );
    let unknown = results[2].as_ref().unwrap_err().to_string();
    assert!(
        unknown.contains("no option \"No such column\""),
        "{unknown}"
    );
    assert!(results[3].is_ok());
    gh.read(|s| {
        assert_eq!(s.item_status("PVTI_1").as_deref(), Some("Planlegging"));
        assert_eq!(s.item_status("PVTI_2").as_deref(), Some("Problem"));
        assert_eq!(s.item_status("PVTI_3"), None);
    });
    let log = gh.log();
    assert_eq!(
        (log.graphql("BoardProject"), log.graphql("SetStatuses")),
        (1, 1),
        "{}",
        log.summary()
    );
    assert_eq!(
        log.graphql_calls()[1].fields,
        3,
        "the unknown option never left the client"
    );
    gh.finish();
}

#[tokio::test]
async fn labels_with_slashes_are_added_removed_and_created() {
    let gh = with_board(small_board());
    let mut forge = forge(&gh, &config()).await;

    forge
        .add_labels(&issue(48), &["fase/konsept".into(), "fase/problem".into()])
        .await
        .unwrap();
    assert_eq!(
        gh.read(|s| s.labels_of(REPO, 48)),
        ["fase/problem", "team/Dialogporten", "fase/konsept"]
    );

    forge
        .remove_label(&issue(48), "fase/problem")
        .await
        .unwrap();
    assert_eq!(
        gh.read(|s| s.labels_of(REPO, 48)),
        ["team/Dialogporten", "fase/konsept"]
    );
    assert_eq!(
        gh.log().rest(
            "DELETE",
            "/repos/digdir/portfolio/issues/48/labels/fase%2Fproblem"
        ),
        1
    );
    // Already gone: still fine.
    forge
        .remove_label(&issue(48), "fase/problem")
        .await
        .unwrap();

    let spec = LabelSpec {
        name: "fase/blokkert".into(),
        color: "#d73a4a".into(),
        description: "Blokkert av krav".into(),
    };
    forge.create_label(REPO, &spec).await.unwrap();
    forge.create_label(REPO, &spec).await.unwrap(); // "already exists" counts as created
    gh.read(|s| {
        let label = s.repo(REPO).unwrap().label("fase/blokkert").unwrap();
        assert_eq!(
            (label.color.as_str(), label.description.as_str()),
            ("d73a4a", "Blokkert av krav")
        );
    });

    gh.edit(|s| {
        for n in 0..130 {
            s.add_label(REPO, &format!("extra-{n}"), "ededed", "");
        }
    });
    gh.clear_log();
    let labels = forge.repo_labels(REPO).await.unwrap();
    assert!(
        labels.contains(&"fase/blokkert".to_string()) && labels.contains(&"extra-129".to_string())
    );
    assert_eq!(
        labels.len(),
        gh.read(|s| s.repo(REPO).unwrap().labels.len())
    );
    assert_eq!(
        gh.log().rest("GET", "/repos/digdir/portfolio/labels"),
        2,
        "two pages of 100"
    );
    gh.finish();
}

fn label_change(number: u64, label: &str, add: bool) -> LabelChange {
    LabelChange {
        issue: issue(number),
        label: label.to_string(),
        add,
    }
}

#[tokio::test]
async fn label_changes_go_50_to_a_request_and_a_failed_one_fails_alone() {
    let mut board = BoardBuilder::new("digdir", 1).single_select("Status", &["Problem", "Konsept"]);
    for n in 1..=120 {
        board = board.issue(REPO, n, |i| i.status("Problem").labels(&["fase/problem"]));
    }
    let gh = with_board(board);
    gh.edit(|s| {
        s.add_label(REPO, "fase/konsept", "ededed", "");
        s.add_label(REPO, "doomed", "ededed", "");
    });
    let mut forge = forge(&gh, &config()).await;
    forge.read_board().await.unwrap();
    // The ids of the labels are read once for the repository, as a sync does before it creates missing labels.
    forge.repo_labels(REPO).await.unwrap();
    // A label that goes away after it was read: GitHub refuses that alias, and only that one.
    gh.edit(|s| {
        s.repo_mut(REPO)
            .unwrap()
            .labels
            .retain(|l| l.name != "doomed")
    });
    gh.clear_log();

    let mut changes = Vec::new();
    for n in 1..=60 {
        changes.push(label_change(n, "fase/problem", false));
        changes.push(label_change(n, "FASE/Konsept", true)); // names ignore case, as on GitHub
    }
    changes[70] = label_change(36, "doomed", true);
    changes.push(label_change(61, "no-such-label", false)); // on no issue: nothing to remove
    changes.push(label_change(62, "no-such-label", true));
    let results = forge.change_labels(&changes).await;
    assert_eq!(results.len(), 122);
    for (i, result) in results.iter().enumerate() {
        match i {
            70 => assert!(
                result
                    .as_ref()
                    .is_err_and(|e| format!("{e:#}").contains("Could not resolve")
                        && format!("{e:#}").contains("doomed")),
                "{result:?}"
            ),
            121 => assert!(
                result
                    .as_ref()
                    .is_err_and(|e| e.to_string().contains("does not exist")),
                "{result:?}"
            ),
            _ => assert!(result.is_ok(), "change {i}: {result:?}"),
        }
    }
    gh.read(|s| {
        assert_eq!(s.labels_of(REPO, 1), ["fase/konsept"]);
        assert_eq!(
            s.labels_of(REPO, 36),
            ["fase/problem", "fase/konsept"],
            "only the doomed add failed"
        );
        assert_eq!(s.labels_of(REPO, 60), ["fase/konsept"]);
        assert_eq!(s.labels_of(REPO, 61), ["fase/problem"]);
    });
    let log = gh.log();
    let batches: Vec<usize> = log.graphql_calls().iter().map(|c| c.fields).collect();
    assert_eq!(batches, [50, 50, 20], "{}", log.summary());
    assert_eq!(log.len(), 3, "no other request: {}", log.summary());
    gh.finish();
}

#[tokio::test]
async fn label_changes_find_ids_they_were_not_given() {
    // No board read and no label list before: the forge reads the repository's labels once and asks for the
    // issue's id; a label it creates is known without another read.
    let gh = with_board(small_board());
    let mut forge = forge(&gh, &config()).await;
    let spec = LabelSpec {
        name: "fase/konsept".into(),
        color: "ededed".into(),
        description: String::new(),
    };
    forge.create_label(REPO, &spec).await.unwrap();
    let results = forge
        .change_labels(&[
            label_change(48, "fase/konsept", true),
            label_change(48, "fase/problem", false),
        ])
        .await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(
        gh.read(|s| s.labels_of(REPO, 48)),
        ["team/Dialogporten", "fase/konsept"]
    );
    let log = gh.log();
    assert_eq!(
        log.rest("GET", "/repos/digdir/portfolio/labels"),
        1,
        "{}",
        log.summary()
    );
    assert_eq!(
        log.rest("GET", "/repos/digdir/portfolio/issues/48"),
        1,
        "{}",
        log.summary()
    );
    assert_eq!(log.graphql("ChangeLabels"), 1, "{}", log.summary());
    gh.finish();
}

#[tokio::test]
async fn a_lone_label_change_is_one_rest_request_without_ids() {
    let gh = with_board(small_board());
    let mut forge = forge(&gh, &config()).await;
    let results = forge
        .change_labels(&[label_change(48, "fase/problem", false)])
        .await;
    assert!(results[0].is_ok(), "{results:?}");
    let results = forge
        .change_labels(&[label_change(48, "fase/konsept", true)])
        .await;
    assert!(results[0].is_ok(), "{results:?}");
    assert_eq!(
        gh.read(|s| s.labels_of(REPO, 48)),
        ["team/Dialogporten", "fase/konsept"]
    );
    let log = gh.log();
    assert_eq!(
        log.iter().map(|r| r.name()).collect::<Vec<_>>(),
        [
            "DELETE /repos/digdir/portfolio/issues/48/labels/fase%2Fproblem",
            "POST /repos/digdir/portfolio/issues/48/labels"
        ]
    );
    gh.finish();
}

#[tokio::test]
async fn the_comments_of_many_issues_are_read_in_one_request() {
    let mut board = BoardBuilder::new("digdir", 1).single_select("Status", &["Problem"]);
    for n in 1..=60 {
        board = board.issue(REPO, n, |i| i.status("Problem"));
    }
    let gh = with_board(board);
    gh.edit(|s| {
        for n in 1..=60 {
            s.add_comment(REPO, n, "kari", &format!("hei {n}"));
            s.add_comment(
                REPO,
                n,
                BOT,
                &format!("<!-- portfolio-sync:status -->\n{n}"),
            );
        }
        for k in 0..120 {
            s.add_comment(REPO, 7, "ola", &format!("lang tråd {k}"));
        }
    });
    let mut forge = forge(&gh, &config()).await;
    let issues: Vec<IssueRef> = (1..=60).map(issue).collect();
    gh.clear_log();
    let many = forge.comments_of_many(&issues).await.unwrap();
    let log = gh.log();
    assert_eq!(
        log.graphql("IssueComments"),
        2,
        "50 issues a request: {}",
        log.summary()
    );
    assert_eq!(
        log.rest("GET", "/repos/digdir/portfolio/issues/7/comments"),
        2,
        "an issue with more than 100 comments is read over REST: {}",
        log.summary()
    );
    assert_eq!(log.len(), 4, "{}", log.summary());
    assert_eq!(many.len(), 60);
    // The same comments, authors in the same form (`name[bot]`), as the REST read of each issue.
    for n in [1, 7, 50, 51, 60] {
        let one = forge.comments(&issue(n)).await.unwrap();
        assert_eq!(many[&issue(n)], one, "issue {n}");
    }
    assert_eq!(many[&issue(1)][1].author, BOT);
    assert_eq!(many[&issue(7)].len(), 122);
    gh.finish();
}

#[tokio::test]
async fn comments_are_created_edited_listed_and_reacted_to() {
    let gh = with_board(small_board());
    gh.edit(|s| {
        for n in 0..120 {
            s.add_comment(REPO, 48, "kari", &format!("kommentar {n}"));
        }
    });
    let mut forge = forge(&gh, &config()).await;

    let id = forge
        .create_comment(&issue(48), "<!-- portfolio-sync:status -->\nhei")
        .await
        .unwrap();
    forge
        .edit_comment(&issue(48), id, "<!-- portfolio-sync:status -->\nhallo")
        .await
        .unwrap();
    forge.add_reaction(&issue(48), id, "+1").await.unwrap();

    gh.clear_log();
    let comments = forge.comments(&issue(48)).await.unwrap();
    assert_eq!(comments.len(), 121);
    assert_eq!(comments[0].body, "kommentar 0", "oldest first");
    let own = comments.last().unwrap();
    assert_eq!((own.id, own.author.as_str()), (id, BOT));
    assert_eq!(own.body, "<!-- portfolio-sync:status -->\nhallo");
    assert_eq!(
        gh.log()
            .rest("GET", "/repos/digdir/portfolio/issues/48/comments"),
        2
    );
    gh.read(|s| {
        let stored = s.comments_of(REPO, 48).pop().unwrap();
        assert_eq!(stored.reactions, [(BOT.to_string(), "+1".to_string())]);
    });
    gh.finish();
}

#[tokio::test]
async fn a_502_on_an_item_page_is_retried() {
    let gh = with_board(small_board());
    gh.fault(Fault::graphql("BoardItems").status(502));
    let mut forge = forge(&gh, &config()).await;
    let snapshot = forge.read_board().await.unwrap();
    assert_eq!(snapshot.items.len(), 6);
    let log = gh.log();
    assert_eq!(log.graphql("BoardItems"), 2, "{}", log.summary());
    assert_eq!(log.count(|r| r.faulted && r.status == 502), 1);
    gh.finish();
}

#[tokio::test]
async fn a_rate_limit_is_waited_out() {
    let gh = with_board(small_board());
    gh.fault(Fault::graphql("BoardProject").rate_limited(1));
    gh.fault(
        Fault::get("/repos/digdir/portfolio/labels")
            .status(429)
            .header("retry-after", "1"),
    );
    let mut forge = forge(&gh, &config()).await;
    forge.read_board().await.unwrap();
    forge.repo_labels(REPO).await.unwrap();
    let log = gh.log();
    assert_eq!(log.graphql("BoardProject"), 2, "{}", log.summary());
    assert_eq!(log.rest("GET", "/repos/digdir/portfolio/labels"), 2);
    assert_eq!(gh.pending_faults(), 0);
    gh.finish();
}

#[tokio::test]
async fn a_rate_limit_longer_than_we_wait_is_reported_not_slept() {
    let gh = with_board(small_board());
    gh.fault(Fault::graphql("BoardProject").rate_limited(3600));
    let mut forge = forge(&gh, &config()).await;
    let err = forge.read_board().await.unwrap_err().to_string();
    assert!(
        err.contains("rate limited") && err.contains("3600"),
        "{err}"
    );
    assert_eq!(gh.log().len(), 1);
    gh.finish();
}

#[tokio::test]
async fn a_timeout_is_retried() {
    let gh = with_board(small_board());
    gh.fault(Fault::graphql("BoardItems").delay(Duration::from_secs(2)));
    let mut settings = gh.settings();
    settings.request_timeout = Duration::from_millis(300);
    let mut forge = GitHubForge::connect(settings, &config()).await.unwrap();
    assert_eq!(forge.read_board().await.unwrap().items.len(), 6);
    let log = gh.log();
    assert_eq!(log.graphql("BoardItems"), 2, "{}", log.summary());
    assert_eq!(log.count(|r| r.faulted), 1);
    gh.finish();
}

#[tokio::test]
async fn graphql_errors_are_failures_with_githubs_message() {
    let gh = with_board(small_board());
    gh.fault(
        Fault::graphql("BoardItems")
            .graphql_errors("Something went wrong while executing your query."),
    );
    let mut forge = forge(&gh, &config()).await;
    let err = forge.read_board().await.unwrap_err().to_string();
    assert!(err.contains("GraphQL BoardItems failed"), "{err}");
    assert!(
        err.contains("Something went wrong while executing your query."),
        "{err}"
    );
    assert_eq!(
        gh.log().graphql("BoardItems"),
        1,
        "a GraphQL error is GitHub's answer, not retried"
    );
    gh.finish();
}

#[tokio::test]
async fn a_failed_comment_create_is_not_retried_even_if_it_landed() {
    let gh = with_board(small_board());
    let path = "/repos/digdir/portfolio/issues/48/comments";
    gh.fault(Fault::post(path).status(500).after_landing());
    let mut forge = forge(&gh, &config()).await;
    let err = forge
        .create_comment(&issue(48), "hei")
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("500"), "{err}");
    assert_eq!(gh.log().rest("POST", path), 1, "exactly one POST");
    assert_eq!(
        gh.read(|s| s.comments_of(REPO, 48).len()),
        1,
        "it landed: the caller must look before retrying"
    );

    gh.fault(Fault::post("/repos/digdir/dialogporten/issues").status(502));
    gh.fault(Fault::post("/repos/digdir/portfolio/issues/comments/1/reactions").status(503));
    gh.edit(|s| s.add_repo("digdir/dialogporten").name.clone());
    assert!(forge
        .create_issue("digdir/dialogporten", "Sporing", "x")
        .await
        .is_err());
    assert!(forge.add_reaction(&issue(48), 1, "+1").await.is_err());
    let log = gh.log();
    assert_eq!(
        log.rest("POST", "/repos/digdir/dialogporten/issues"),
        1,
        "{}",
        log.summary()
    );
    assert_eq!(
        log.rest(
            "POST",
            "/repos/digdir/portfolio/issues/comments/1/reactions"
        ),
        1
    );
    gh.finish();
}

#[tokio::test]
async fn idempotent_writes_are_retried() {
    let gh = with_board(small_board());
    let mut forge = forge(&gh, &config()).await;
    let label_path = "/repos/digdir/portfolio/issues/48/labels/team%2FDialogporten";
    gh.fault(Fault::delete(label_path).status(502));
    gh.fault(Fault::graphql("SetStatuses").status(503));
    forge
        .remove_label(&issue(48), "team/Dialogporten")
        .await
        .unwrap();
    let results = forge
        .set_statuses(&[StatusChange {
            item_id: "PVTI_1".into(),
            status: "Problem".into(),
        }])
        .await;
    assert!(results[0].is_ok(), "{results:?}");
    let log = gh.log();
    assert_eq!(log.rest("DELETE", label_path), 2, "{}", log.summary());
    assert_eq!(log.graphql("SetStatuses"), 2);
    assert_eq!(
        gh.read(|s| s.item_status("PVTI_1")).as_deref(),
        Some("Problem")
    );
    gh.finish();
}

#[tokio::test]
async fn items_are_added_and_tracking_issues_found() {
    let gh = with_board(small_board());
    gh.edit(|s| {
        s.add_issue(
            REPO,
            NewIssue {
                number: Some(60),
                title: "Ny".into(),
                ..Default::default()
            },
        );
        s.add_repo("digdir/dialogporten");
    });
    let mut forge = forge(&gh, &config()).await;

    let item = forge.add_item(&issue(60), None).await.unwrap();
    assert_eq!(
        forge.add_item(&issue(60), None).await.unwrap(),
        item,
        "GitHub answers with the existing item"
    );
    gh.read(|s| {
        let stored = s.item(&item).unwrap();
        assert_eq!(
            stored.content,
            Content::Issue {
                repo: REPO.into(),
                number: 60
            }
        );
    });

    let marker = "<!-- portfolio-sync:tracking:digdir/portfolio#48 -->";
    let created = forge
        .create_issue(
            "digdir/dialogporten",
            "Overlevering: Felles innlogging",
            &format!("Se digdir/portfolio#48\n{marker}"),
        )
        .await
        .unwrap();
    gh.edit(|s| {
        let body = format!("lukket {marker}");
        s.add_issue(
            "digdir/dialogporten",
            NewIssue {
                body: body.clone(),
                open: false,
                ..Default::default()
            },
        );
        s.add_issue(
            "digdir/dialogporten",
            NewIssue {
                body,
                is_pull_request: true,
                ..Default::default()
            },
        );
        s.add_issue(
            "digdir/dialogporten",
            NewIssue {
                body: "noe annet".into(),
                ..Default::default()
            },
        );
    });
    let found = forge
        .find_issues("digdir/dialogporten", marker)
        .await
        .unwrap();
    let refs: Vec<_> = found.iter().map(|i| i.reference()).collect();
    assert_eq!(
        refs,
        std::slice::from_ref(&created),
        "open issues only, no pull requests"
    );
    assert_eq!(found[0].author.as_deref(), Some(BOT), "with who opened it");
    assert_eq!(
        gh.read(|s| s
            .issue("digdir/dialogporten", created.number)
            .unwrap()
            .author
            .clone()),
        BOT
    );
    let log = gh.log();
    assert_eq!(log.graphql("AddItem"), 2, "{}", log.summary());
    assert_eq!(log.rest("POST", "/repos/digdir/dialogporten/issues"), 1);
    gh.finish();
}

#[tokio::test]
async fn permissions_and_team_membership() {
    let gh = with_board(small_board());
    gh.edit(|s| {
        s.add_collaborator(REPO, "kari", "maintain");
        s.add_collaborator(REPO, "ola", "triage");
        s.add_user("per");
        s.add_team("digdir", "portefoljekontoret", &["kari"]);
        s.teams
            .get_mut("digdir/portefoljekontoret")
            .unwrap()
            .members
            .insert("ola".into(), "pending".into());
    });
    let mut forge = forge(&gh, &config()).await;
    assert_eq!(
        forge.permission(REPO, "kari").await.unwrap(),
        Permission::Maintain,
        "role_name, not the legacy field"
    );
    assert_eq!(
        forge.permission(REPO, "ola").await.unwrap(),
        Permission::Triage
    );
    assert_eq!(
        forge.permission(REPO, "per").await.unwrap(),
        Permission::None
    );
    assert_eq!(
        forge.permission(REPO, "ukjent").await.unwrap(),
        Permission::None
    );
    assert!(forge
        .is_team_member("digdir", "portefoljekontoret", "kari")
        .await
        .unwrap());
    assert!(
        !forge
            .is_team_member("digdir", "portefoljekontoret", "ola")
            .await
            .unwrap(),
        "pending"
    );
    assert!(!forge
        .is_team_member("digdir", "portefoljekontoret", "per")
        .await
        .unwrap());
    gh.finish();
}

#[tokio::test]
async fn enterprise_roots_are_honoured() {
    let gh = FakeGitHub::start_with(Layout::enterprise());
    let snapshot = small_board().build();
    gh.edit(|s| s.load_snapshot(&snapshot));
    let settings = gh.settings();
    assert!(
        settings.api_url.ends_with("/api/v3") && settings.graphql_url.ends_with("/api/graphql")
    );
    let mut forge = GitHubForge::connect(settings, &config()).await.unwrap();
    assert_eq!(forge.read_board().await.unwrap().items.len(), 6);
    gh.clear_log();
    assert!(forge
        .repo_labels(REPO)
        .await
        .unwrap()
        .contains(&"fase/problem".to_string()));
    assert_eq!(gh.log().rest("GET", "/repos/digdir/portfolio/labels"), 1);
    gh.finish();
}

const APP_KEY: &str = include_str!("support/fixtures/app-key.pem");

#[tokio::test]
async fn a_github_app_finds_its_installation_and_writes_as_its_bot() {
    let gh = with_board(small_board());
    gh.edit(|s| {
        s.add_app(42, "portfolio-sync");
        s.install_app(42, "digdir");
        s.add_user("kari");
        s.install_app(42, "kari");
    });
    let credentials = Credentials::App {
        app_id: 42,
        private_key: Secret::new(APP_KEY),
    };
    let mut forge = GitHubForge::connect(gh.settings_with(credentials.clone()), &config())
        .await
        .unwrap();
    let snapshot = forge.read_board().await.unwrap();
    assert_eq!(snapshot.bot, "portfolio-sync[bot]");
    let id = forge.create_comment(&issue(48), "hei").await.unwrap();
    let comments = forge.comments(&issue(48)).await.unwrap();
    let own = comments.iter().find(|c| c.id == id).unwrap();
    assert_eq!(
        own.author, snapshot.bot,
        "REST authors and Snapshot.bot use one form"
    );
    let log = gh.log();
    assert_eq!(
        log.rest("GET", "/orgs/digdir/installation"),
        1,
        "{}",
        log.summary()
    );
    assert_eq!(
        log.count(|r| r.path.ends_with("/access_tokens")),
        1,
        "the token is cached"
    );

    // The installation token is revoked: the next write gets a 401, mints a new token and lands once.
    gh.edit(|s| s.tokens.retain(|token, _| !token.starts_with("ghs_")));
    gh.clear_log();
    forge.create_comment(&issue(48), "igjen").await.unwrap();
    let log = gh.log();
    let statuses: Vec<u16> = log.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [401, 201, 201], "{}", log.summary());
    assert_eq!(log.count(|r| r.path.ends_with("/access_tokens")), 1);
    let mine = gh.read(|s| {
        s.comments_of(REPO, 48)
            .into_iter()
            .filter(|c| c.body == "igjen")
            .count()
    });
    assert_eq!(mine, 1);

    // A user-owned board: the organisation lookup fails, the user lookup finds it.
    GitHubForge::connect(
        gh.settings_with(credentials.clone()),
        &board_config("kari", 1, &[]),
    )
    .await
    .unwrap();
    assert_eq!(gh.log().rest("GET", "/users/kari/installation"), 1);

    let err = GitHubForge::connect(
        gh.settings_with(credentials),
        &board_config("nowhere", 1, &[]),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, SetupError::NotInstalled { .. }), "{err}");
    gh.finish();
}

#[tokio::test]
async fn the_token_never_shows() {
    let gh = with_board(small_board());
    let forge = forge(&gh, &config()).await;
    let shown = format!("{forge:?}");
    assert!(!shown.contains(TOKEN), "{shown}");
    assert!(shown.contains("***"), "{shown}");
    assert!(!format!("{:?}", gh.settings()).contains(TOKEN));

    let secret = "ghp_wrong_but_still_secret";
    let mut forge = GitHubForge::connect(gh.settings_with(Credentials::token(secret)), &config())
        .await
        .unwrap();
    let err = forge.read_board().await.unwrap_err();
    let text = format!("{err} {err:?} {forge:?}");
    assert!(text.contains("Bad credentials"), "{text}");
    assert!(!text.contains(secret), "{text}");

    let key = Credentials::App {
        app_id: 1,
        private_key: Secret::new(APP_KEY),
    };
    assert!(!format!("{key:?}").contains("PRIVATE KEY"));
    gh.finish();
}

#[test]
fn a_missing_token_is_its_own_error() {
    let err = Settings::from_lookup(|_| None).unwrap_err();
    assert!(matches!(err, SetupError::NoToken));
    assert!(err.is_usage_error());
    assert!(
        err.to_string()
            .starts_with("no GitHub token: set PORTFOLIO_SYNC_TOKEN, GH_TOKEN or GITHUB_TOKEN,"),
        "{err}"
    );
}

#[tokio::test]
async fn one_issue_is_read_with_its_item_and_comments() {
    let labels: Vec<String> = (0..55).map(|n| format!("l{n:02}")).collect();
    let label_refs: Vec<&str> = labels.iter().map(String::as_str).collect();
    let gh = with_board(small_board().issue(REPO, 70, |i| i.labels(&label_refs).status("Problem")));
    gh.edit(|s| {
        s.add_comment(REPO, 48, "kari", "/fase konsept");
        s.add_comment(REPO, 48, BOT, "<!-- portfolio-sync:status -->");
        s.add_issue(
            REPO,
            NewIssue {
                number: Some(80),
                title: "Ikke på tavla".into(),
                ..Default::default()
            },
        );
        // The same issue on another board must not be mistaken for ours.
        s.add_project("digdir", 2, "Annen tavle");
        s.add_item(
            "digdir",
            2,
            Some("PVTI_other"),
            Content::Issue {
                repo: REPO.into(),
                number: 80,
            },
        );
    });
    let mut forge = forge(&gh, &config()).await;

    let read = forge
        .read_issue(&IssueKey::Ref(issue(48)))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read.bot, BOT);
    assert_eq!(read.board.field("Status").unwrap().options.len(), 4);
    assert_eq!(read.issue.title, "Felles innlogging");
    let comments = read.issue.comments.as_ref().unwrap();
    assert_eq!(
        comments
            .iter()
            .map(|c| c.author.as_str())
            .collect::<Vec<_>>(),
        ["kari", BOT]
    );
    let item = read.item.as_ref().unwrap();
    assert_eq!(
        (item.id.as_str(), &item.fields["Status"]),
        ("PVTI_1", &json!("Konsept"))
    );
    assert_eq!(
        item.status_updated_at.as_deref(),
        Some("2026-01-10T08:00:00Z")
    );
    assert_eq!(
        item.issue.as_ref(),
        Some(&read.issue),
        "the item carries the same issue, comments included"
    );
    let log = gh.log();
    let counts = (
        log.graphql("BoardProject"),
        log.graphql("ReadIssue"),
        log.rest("GET", "/repos/digdir/portfolio/issues/48/comments"),
    );
    assert_eq!(counts, (1, 1, 1), "{}", log.summary());

    // By node id (what board item events carry), with more labels than one page.
    let node_id = gh.read(|s| s.issue(REPO, 70).unwrap().node_id.clone());
    let read = forge
        .read_issue(&IssueKey::NodeId(node_id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read.issue.labels, labels);
    assert_eq!(
        read.item.as_ref().unwrap().issue.as_ref().unwrap().labels,
        labels
    );
    // By item id.
    let read = forge
        .read_issue(&IssueKey::NodeId("PVTI_1".into()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read.issue.number, 48);
    assert_eq!(read.item.unwrap().id, "PVTI_1");

    // Not on our board (only on another): no item. No such issue: None.
    let read = forge
        .read_issue(&IssueKey::Ref(issue(80)))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read.item, None);
    let read = forge
        .read_issue(&IssueKey::NodeId("PVTI_other".into()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((read.issue.number, read.item), (80, None));
    assert!(forge
        .read_issue(&IssueKey::Ref(issue(999)))
        .await
        .unwrap()
        .is_none());
    assert!(forge
        .read_issue(&IssueKey::NodeId("I_nope".into()))
        .await
        .unwrap()
        .is_none());
    let elsewhere = IssueRef {
        repository: "digdir/nothing".into(),
        number: 1,
    };
    assert!(forge
        .read_issue(&IssueKey::Ref(elsewhere))
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        gh.log().graphql("BoardProject"),
        1,
        "the project is read once per forge"
    );
    gh.finish();
}

#[tokio::test]
async fn open_issues_are_listed_and_issues_edited() {
    let gh = with_board(small_board());
    gh.edit(|s| {
        for n in 0..110 {
            s.add_issue(
                REPO,
                NewIssue {
                    title: format!("Sak {n}"),
                    ..Default::default()
                },
            );
        }
    });
    let mut forge = forge(&gh, &config()).await;
    gh.clear_log();
    let open = forge.open_issues(REPO).await.unwrap();
    let expected = gh.read(|s| {
        s.repo(REPO)
            .unwrap()
            .issues
            .values()
            .filter(|i| i.open && !i.is_pull_request)
            .count()
    });
    assert_eq!(
        open.len(),
        expected,
        "closed issues and pull requests left out"
    );
    assert!(!open.iter().any(|i| i.number == 49 || i.number == 51));
    let i48 = open.iter().find(|i| i.number == 48).unwrap();
    assert_eq!(i48.labels, ["fase/problem", "team/Dialogporten"]);
    assert_eq!(i48.assignees, ["kari"]);
    assert_eq!(i48.milestone.as_deref(), Some("2026 Q1"));
    assert_eq!(i48.comments, None);
    assert_eq!(gh.log().rest("GET", "/repos/digdir/portfolio/issues"), 2);

    forge
        .edit_issue(&issue(50), "Porteføljerapport", "| tiltak | fase |")
        .await
        .unwrap();
    gh.read(|s| {
        let edited = s.issue(REPO, 50).unwrap();
        assert_eq!(
            (edited.title.as_str(), edited.body.as_str()),
            ("Porteføljerapport", "| tiltak | fase |")
        );
    });
    assert_eq!(
        gh.log().rest("PATCH", "/repos/digdir/portfolio/issues/50"),
        1
    );
    gh.finish();
}
