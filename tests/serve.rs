//! `portfolio-sync serve` over real HTTP on 127.0.0.1: signatures, limits, bad input, unknown events,
//! redeliveries, shutdown with work in flight, and a card move reverted through the same code as `event`.

#[path = "serve/client.rs"]
mod client;
mod support;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use client::{send, Conn, Hook};
use portfolio_sync::board::Snapshot;
use portfolio_sync::config;
use portfolio_sync::event::Trigger;
use portfolio_sync::github::{Credentials, Secret};
use portfolio_sync::serve::{
    self, Delivery, Done, GitHubWorker, Options, Running, SnapshotWorker, Worker,
};
use portfolio_sync::snapshot::SnapshotFile;
use serde_json::{json, Value};
use support::FakeGitHub;
use tokio::net::TcpListener;

const SECRET: &str = "test webhook secret";

fn options() -> Options {
    Options::new(Secret::new(SECRET))
}

async fn start(options: Options, worker: impl Worker) -> Running {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    serve::start(listener, options, worker).expect("start the server")
}

/// A worker that records every delivery it runs, takes `delay` for each, and tracks how many ran at once.
#[derive(Clone, Default)]
struct Recorder {
    runs: Arc<Mutex<Vec<Delivery>>>,
    busy: Arc<AtomicUsize>,
    most_at_once: Arc<AtomicUsize>,
    delay: Duration,
}

impl Recorder {
    fn slow(delay: Duration) -> Recorder {
        Recorder {
            delay,
            ..Recorder::default()
        }
    }

    fn ids(&self) -> Vec<String> {
        self.runs
            .lock()
            .unwrap()
            .iter()
            .map(|d| d.id.clone())
            .collect()
    }
}

impl Worker for Recorder {
    async fn run(&self, delivery: Delivery) -> anyhow::Result<Done> {
        let now = self.busy.fetch_add(1, Ordering::SeqCst) + 1;
        self.most_at_once.fetch_max(now, Ordering::SeqCst);
        tokio::time::sleep(self.delay).await;
        self.busy.fetch_sub(1, Ordering::SeqCst);
        let failing = delivery.sender == "fail-me";
        self.runs.lock().unwrap().push(delivery);
        if failing {
            anyhow::bail!("asked to fail");
        }
        Ok(Done::ok("recorded"))
    }
}

/// Waits (at most 10 s) for `condition`.
async fn until(condition: impl Fn() -> bool) {
    for _ in 0..1000 {
        if condition() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("waited 10 s in vain");
}

fn issue_event(action: &str, number: u64, sender: &str) -> Vec<u8> {
    json!({
        "action": action,
        "issue": {"number": number, "node_id": format!("I_{number}"), "title": "t", "user": {"login": sender}},
        "repository": {"full_name": "digdir/portfolio", "owner": {"login": "digdir"}},
        "sender": {"login": sender, "type": "User"}
    })
    .to_string()
    .into_bytes()
}

fn hook(event: &str, delivery: &str, body: impl Into<Vec<u8>>) -> Hook {
    Hook::signed(SECRET.as_bytes(), event, delivery, body)
}

/// `../shared/github/webhooks`, or `None` with a notice (a fresh clone has no `shared/` beside it).
fn shared_webhooks() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/github/webhooks");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "NOTICE: {} not found: the real-payload part of this test is skipped",
            dir.display()
        );
        None
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_payloads_are_queued_or_ignored_and_each_queued_one_runs_once() {
    let Some(dir) = shared_webhooks() else { return };
    // What `event::trigger` makes of each example: the milestoned example is a pull request, the archived card
    // left the board, created/edited cards are drafts, edited and deleted comments hold no new command.
    let queued = [
        "issue_comment/created.1",
        "issue_comment/created",
        "issues/assigned",
        "issues/edited",
        "issues/labeled",
        "issues/opened",
        "issues/opened.with-empty-body",
        "issues/reopened",
        "issues/unlabeled",
        "projects_v2_item/converted",
    ];
    let ignored = [
        "issue_comment/deleted",
        "issue_comment/edited",
        "issues/milestoned",
        "projects_v2_item/archived",
        "projects_v2_item/created",
        "projects_v2_item/edited",
        "workflow_dispatch/",
    ];
    let recorder = Recorder::default();
    let server = start(options(), recorder.clone()).await;
    let mut conn = Conn::connect(server.local_addr()).await.unwrap();
    let mut expected_runs = Vec::new();
    for (name, want) in queued
        .iter()
        .map(|n| (n, "queued"))
        .chain(ignored.iter().map(|n| (n, "ignored")))
    {
        let (event, action) = name.split_once('/').unwrap();
        let file = if action.is_empty() {
            "payload.json".to_string()
        } else {
            format!("{action}.payload.json")
        };
        let body = std::fs::read(dir.join(event).join(file)).unwrap();
        let id = format!("real-{name}");
        let reply = conn.send(&hook(event, &id, body)).await.unwrap();
        assert_eq!(reply.status, 202, "{name}: {}", reply.body);
        assert_eq!(reply.outcome(), want, "{name}: {}", reply.body);
        assert!(
            !reply.json()["note"].is_null() || want == "queued",
            "{name}: an ignored delivery says why"
        );
        if want == "queued" {
            expected_runs.push(id);
        }
    }
    let stats = server.shutdown().await.unwrap();
    let mut ran = recorder.ids();
    ran.sort();
    expected_runs.sort();
    assert_eq!(
        ran, expected_runs,
        "each queued delivery ran exactly once, nothing else ran"
    );
    assert_eq!((stats.queued, stats.ignored, stats.succeeded), (10, 7, 10));
    // Comments and issue events about the same issue share a lane: the key is the issue's node id.
    let runs = recorder.runs.lock().unwrap();
    let issue_keys: Vec<_> = runs
        .iter()
        .filter(|d| d.event != "projects_v2_item")
        .map(|d| d.key.as_str())
        .collect();
    assert!(
        issue_keys.iter().all(|k| *k == "MDU6SXNzdWU0NDQ1MDAwNDE="),
        "{issue_keys:?}"
    );
    let card = runs.iter().find(|d| d.event == "projects_v2_item").unwrap();
    assert_eq!(
        (card.key.as_str(), card.owner.as_str()),
        ("I_kwDOCG5vGM5La0aB", "Octocoders")
    );
    assert!(
        matches!(&card.trigger, Trigger::ReconcileItem { sender, .. } if sender == "Codertocat")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_or_missing_signatures_get_401_and_nothing_runs() {
    let recorder = Recorder::default();
    let server = start(options(), recorder.clone()).await;
    let addr = server.local_addr();
    let body = issue_event("edited", 1, "kari");
    let mut unsigned = hook("issues", "u-1", body.clone());
    unsigned.signature = None;
    let wrong_key = Hook::signed(b"not the secret", "issues", "u-2", body.clone());
    let mut tampered = hook("issues", "u-3", body.clone());
    tampered.body = issue_event("edited", 2, "kari");
    let mut garbage = hook("issues", "u-4", body.clone());
    garbage.signature = Some("sha1=0123".into());
    for h in [&unsigned, &wrong_key, &tampered, &garbage] {
        let reply = send(addr, h).await.unwrap();
        assert_eq!(reply.status, 401, "{}: {}", h.delivery, reply.body);
        assert!(reply.json()["error"]
            .as_str()
            .unwrap()
            .contains("X-Hub-Signature-256"));
    }
    // A refused delivery is not remembered: the genuine one with the same id is still accepted.
    let reply = send(addr, &hook("issues", "u-1", body)).await.unwrap();
    assert_eq!((reply.status, reply.outcome().as_str()), (202, "queued"));
    let stats = server.shutdown().await.unwrap();
    assert_eq!(recorder.ids(), ["u-1"]);
    assert_eq!((stats.unauthorized, stats.queued), (4, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_over_the_limit_get_413() {
    let recorder = Recorder::default();
    let server = start(options(), recorder.clone()).await;
    let addr = server.local_addr();
    // Just under 1 MiB: a valid issue event with a long title is accepted.
    let mut payload: Value = serde_json::from_slice(&issue_event("edited", 7, "kari")).unwrap();
    let base = payload.to_string().len();
    payload["issue"]["title"] = json!("x".repeat(serve::DEFAULT_MAX_BODY - base - 1));
    let fits = payload.to_string();
    assert!(fits.len() < serve::DEFAULT_MAX_BODY);
    let reply = send(addr, &hook("issues", "big-ok", fits)).await.unwrap();
    assert_eq!(
        (reply.status, reply.outcome().as_str()),
        (202, "queued"),
        "{}",
        reply.body
    );
    // One byte over: refused before the signature is even looked at.
    let over = vec![b' '; serve::DEFAULT_MAX_BODY + 1];
    let reply = send(addr, &hook("issues", "big-no", over)).await.unwrap();
    assert_eq!(reply.status, 413, "{}", reply.body);
    // Far over: the server stops reading early and still answers.
    let huge = vec![b' '; 8 * serve::DEFAULT_MAX_BODY];
    let reply = send(addr, &hook("issues", "huge", huge)).await;
    if let Ok(reply) = reply {
        assert_eq!(reply.status, 413, "{}", reply.body);
    }
    let stats = server.shutdown().await.unwrap();
    assert_eq!(recorder.ids(), ["big-ok"]);
    assert!(stats.too_large >= 1 && stats.queued == 1, "{stats:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_json_and_missing_headers_get_400() {
    let recorder = Recorder::default();
    let server = start(options(), recorder.clone()).await;
    let mut conn = Conn::connect(server.local_addr()).await.unwrap();
    let cases = [
        (
            hook("issues", "m-1", "{\"action\": \"edited\", "),
            "not JSON",
        ),
        (hook("issues", "m-2", "[1, 2]"), "not a JSON object"),
        (
            hook(
                "issues",
                "m-3",
                json!({"action": "edited", "issue": {}}).to_string(),
            ),
            "repository.full_name",
        ),
        (
            hook("", "m-4", issue_event("edited", 1, "kari")),
            "X-GitHub-Event",
        ),
        (
            hook("issues", "", issue_event("edited", 1, "kari")),
            "X-GitHub-Delivery",
        ),
    ];
    for (h, why) in &cases {
        let reply = conn.send(h).await.unwrap();
        assert_eq!(reply.status, 400, "{}: {}", h.delivery, reply.body);
        assert!(
            reply.json()["error"].as_str().unwrap().contains(why),
            "{}: {}",
            h.delivery,
            reply.body
        );
    }
    let stats = server.shutdown().await.unwrap();
    assert!(recorder.ids().is_empty());
    assert_eq!(stats.bad_requests, 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_events_are_acknowledged_and_nothing_runs() {
    let recorder = Recorder::default();
    let server = start(options(), recorder.clone()).await;
    let mut conn = Conn::connect(server.local_addr()).await.unwrap();
    for (event, status, outcome) in [
        ("star", 202, "ignored"),
        ("push", 202, "ignored"),
        ("schedule", 202, "ignored"),
        ("ping", 200, "pong"),
    ] {
        let reply = conn
            .send(&hook(
                event,
                &format!("x-{event}"),
                "{\"zen\": \"Keep it simple.\"}",
            ))
            .await
            .unwrap();
        assert_eq!(
            (reply.status, reply.outcome().as_str()),
            (status, outcome),
            "{event}: {}",
            reply.body
        );
    }
    let health = conn.get("/healthz").await.unwrap();
    assert_eq!(health.status, 200);
    assert_eq!(health.json()["counters"]["ignored"], 3);
    let stats = server.shutdown().await.unwrap();
    assert!(recorder.ids().is_empty());
    assert_eq!((stats.ignored, stats.pings, stats.queued), (3, 1, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redeliveries_are_not_acted_on_twice_unless_the_first_failed() {
    let recorder = Recorder::slow(Duration::from_millis(100));
    let server = start(options(), recorder.clone()).await;
    let addr = server.local_addr();
    let first = hook("issues", "r-1", issue_event("labeled", 1, "kari"));
    assert_eq!(send(addr, &first).await.unwrap().outcome(), "queued");
    // While the first still runs, and after it is done: a duplicate each time.
    let reply = send(addr, &first).await.unwrap();
    assert_eq!((reply.status, reply.outcome().as_str()), (200, "duplicate"));
    assert!(reply.json()["note"].as_str().unwrap().contains("still"));
    until(|| server.stats().succeeded == 1).await;
    let reply = send(addr, &first).await.unwrap();
    assert_eq!((reply.status, reply.outcome().as_str()), (200, "duplicate"));
    // A delivery whose work failed is run again when redelivered (a person pressed "Redeliver").
    let failing = hook("issues", "r-2", issue_event("labeled", 2, "fail-me"));
    assert_eq!(send(addr, &failing).await.unwrap().outcome(), "queued");
    until(|| server.stats().failed == 1).await;
    assert_eq!(send(addr, &failing).await.unwrap().outcome(), "queued");
    let stats = server.shutdown().await.unwrap();
    assert_eq!(recorder.ids(), ["r-1", "r-2", "r-2"]);
    assert_eq!((stats.duplicates, stats.succeeded, stats.failed), (2, 1, 2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_finishes_accepted_work_and_refuses_new() {
    let recorder = Recorder::slow(Duration::from_millis(50));
    let mut opts = options();
    opts.limits.concurrency = 3;
    let server = start(opts, recorder.clone()).await;
    let addr = server.local_addr();
    let mut conn = Conn::connect(addr).await.unwrap();
    // 24 deliveries about 4 issues: 6 × 50 ms per issue, at most 3 at once.
    let mut sent = Vec::new();
    for i in 0..24 {
        let id = format!("s-{i:02}");
        let reply = conn
            .send(&hook(
                "issues",
                &id,
                issue_event("edited", 1 + i % 4, "kari"),
            ))
            .await
            .unwrap();
        assert_eq!(reply.status, 202);
        sent.push(id);
    }
    // A request whose head is in when the shutdown starts, and whose body comes after: 503.
    let late = hook("issues", "late", issue_event("edited", 9, "kari"));
    let mut slow = Conn::connect(addr).await.unwrap();
    slow.write(&late.head()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let done_before = server.stats().succeeded;
    let shutdown = tokio::spawn(server.shutdown());
    tokio::time::sleep(Duration::from_millis(200)).await;
    slow.write(&late.body).await.unwrap();
    let reply = slow.read_reply().await.unwrap();
    assert_eq!(reply.status, 503, "{}", reply.body);
    assert!(reply.header("retry-after").is_some());
    assert!(
        Conn::connect(addr).await.is_err() || send(addr, &late).await.is_err(),
        "no new connections"
    );

    let stats = shutdown.await.unwrap().unwrap();
    assert!(
        done_before < 24,
        "work was still in flight when the shutdown began"
    );
    assert_eq!(
        recorder.ids().len(),
        24,
        "every accepted delivery ran before shutdown returned"
    );
    assert_eq!(
        (stats.queued, stats.succeeded, stats.unavailable),
        (24, 24, 1)
    );
    let most = recorder.most_at_once.load(Ordering::SeqCst);
    assert!(
        (2..=3).contains(&most),
        "different issues run concurrently, at most 3 at once: {most}"
    );
    // Per issue, in the order sent.
    let mut per_issue: HashMap<String, Vec<String>> = HashMap::new();
    for d in recorder.runs.lock().unwrap().iter() {
        per_issue
            .entry(d.key.clone())
            .or_default()
            .push(d.id.clone());
    }
    for (key, ids) in per_issue {
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(ids, sorted, "{key} ran out of order");
    }
}

/// `config/examples/board.json`, copied, with node ids on its issues (a card event names the issue by node id).
fn board_copy(dir: &Path) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut board: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("config/examples/board.json")).unwrap(),
    )
    .unwrap();
    for item in board["items"].as_array_mut().unwrap() {
        if let Some(issue) = item.get_mut("issue").and_then(Value::as_object_mut) {
            let number = issue["number"].as_u64().unwrap();
            issue.insert("node_id".into(), json!(format!("I_node_{number}")));
        }
    }
    let path = dir.join("board.json");
    std::fs::write(&path, serde_json::to_string_pretty(&board).unwrap()).unwrap();
    path
}

fn item<'a>(board: &'a Value, id: &str) -> &'a Value {
    board["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .unwrap()
}

/// The real `projects_v2_item.edited` example (or its shape, without `../shared`), for an issue card on our board.
fn card_moved(content_node_id: &str, org: &str, sender: &str) -> Vec<u8> {
    let mut payload = shared_webhooks()
        .and_then(|dir| std::fs::read_to_string(dir.join("projects_v2_item/edited.payload.json")).ok())
        .and_then(|text| serde_json::from_str::<Value>(&text).ok())
        .unwrap_or_else(|| json!({"action": "edited", "projects_v2_item": {}, "organization": {}, "sender": {}}));
    payload["projects_v2_item"]["content_type"] = json!("Issue");
    payload["projects_v2_item"]["content_node_id"] = json!(content_node_id);
    payload["organization"]["login"] = json!(org);
    payload["sender"]["login"] = json!(sender);
    payload.to_string().into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_card_moved_forward_without_its_requirements_is_reverted_through_the_event_code() {
    let dir = tempfile::tempdir().unwrap();
    let path = board_copy(dir.path());
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = Arc::new(config::load(&root.join("config/portfolio.toml")).unwrap());
    let server = start(options(), SnapshotWorker::new(config, &path)).await;
    let mut conn = Conn::connect(server.local_addr()).await.unwrap();
    // #105 was moved Konsept → Planlegging with its OKR still the template's placeholders.
    let moved = hook(
        "projects_v2_item",
        "card-105",
        card_moved("I_node_105", "digdir", "ola"),
    );
    assert_eq!(conn.send(&moved).await.unwrap().outcome(), "queued");
    assert_eq!(conn.send(&moved).await.unwrap().outcome(), "duplicate");
    // The same move on another organisation's project is not this board's business.
    let foreign = hook(
        "projects_v2_item",
        "card-other",
        card_moved("I_node_104", "Octocoders", "ola"),
    );
    assert_eq!(conn.send(&foreign).await.unwrap().outcome(), "queued");
    let stats = server.shutdown().await.unwrap();
    assert_eq!((stats.succeeded, stats.failed), (2, 0), "{stats:?}");

    let board: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let card = item(&board, "PVTI_105");
    assert_eq!(card["fields"]["Status"], "Konsept", "the move was reverted");
    assert_eq!(card["issue"]["labels"], json!(["fase/konsept"]));
    let comments = card["issue"]["comments"].as_array().unwrap();
    let rejected: Vec<_> = comments
        .iter()
        .filter(|c| {
            c["body"]
                .as_str()
                .unwrap()
                .contains("portfolio-sync:rejected")
        })
        .collect();
    assert_eq!(rejected.len(), 1, "one rejection comment: {comments:#?}");
    assert!(rejected[0]["body"]
        .as_str()
        .unwrap()
        .contains("Planlegging"));
    // #104 (Problem → Konsept, requirements met) was not touched by the foreign card event.
    assert_eq!(
        item(&board, "PVTI_104")["issue"]["labels"],
        json!(["fase/problem"])
    );
}

const APP_KEY: &str = include_str!("support/fixtures/app-key.pem");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_the_fake_github_a_refused_card_move_is_reverted_within_seconds_by_the_app() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let file = SnapshotFile::parse(
        &std::fs::read_to_string(root.join("config/examples/board.json")).unwrap(),
        "board.json",
    )
    .unwrap();
    let snapshot = Snapshot {
        bot: file.bot,
        board: file.board,
        items: file.items,
    };
    let gh = FakeGitHub::start();
    gh.edit(|s| {
        s.load_snapshot(&snapshot);
        s.add_repo("digdir/dialogporten");
        s.add_app(42, "portfolio-sync");
        s.install_app(42, "digdir");
    });
    let node = gh.read(|s| s.issue("digdir/portfolio", 105).unwrap().node_id.clone());
    let settings = gh.settings_with(Credentials::App {
        app_id: 42,
        private_key: Secret::new(APP_KEY),
    });
    let config = Arc::new(config::load(&root.join("config/portfolio.toml")).unwrap());
    let worker = GitHubWorker::connect(config, settings)
        .await
        .expect("the App finds its installation on digdir");
    let server = start(options(), worker).await;

    // Someone drags #105 from Konsept to Planlegging; its OKR is still the template's placeholder lines.
    assert_eq!(
        gh.read(|s| s.item_status("PVTI_105")).as_deref(),
        Some("Planlegging")
    );
    let moved_at = std::time::Instant::now();
    let reply = send(
        server.local_addr(),
        &hook(
            "projects_v2_item",
            "gh-105",
            card_moved(&node, "digdir", "ola"),
        ),
    )
    .await
    .unwrap();
    assert_eq!(
        (reply.status, reply.outcome().as_str()),
        (202, "queued"),
        "{}",
        reply.body
    );
    until(|| gh.read(|s| s.item_status("PVTI_105")).as_deref() == Some("Konsept")).await;
    let reverted_in = moved_at.elapsed();
    until(|| server.stats().finished() == 1).await;
    let stats = server.shutdown().await.unwrap();
    assert_eq!((stats.succeeded, stats.failed), (1, 0), "{stats:?}");
    assert!(
        reverted_in < Duration::from_secs(5),
        "reverted in {reverted_in:?}"
    );
    eprintln!("card move reverted {reverted_in:?} after the delivery was sent");

    let comments = gh.read(|s| s.comments_of("digdir/portfolio", 105));
    let rejected: Vec<_> = comments
        .iter()
        .filter(|c| c.body.contains("portfolio-sync:rejected"))
        .collect();
    assert_eq!(rejected.len(), 1, "{comments:#?}");
    assert_eq!(
        rejected[0].author, "portfolio-sync[bot]",
        "written by the App's bot"
    );
    assert_eq!(
        gh.read(|s| s.labels_of("digdir/portfolio", 105)),
        ["fase/konsept"]
    );
    let log = gh.log();
    assert_eq!(
        log.count(|r| r.path.ends_with("/access_tokens")),
        1,
        "one installation token, reused: {}",
        log.summary()
    );
}
