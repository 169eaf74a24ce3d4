//! `portfolio-sync serve` over real HTTP on 127.0.0.1: signatures, limits, bad input, unknown events,
//! redeliveries, shutdown with work in flight, and a card move reverted through the same code as `event`; slow and
//! idle clients, the connection limit, memory under half-sent bodies, and a SIGKILL with accepted work pending.

#[path = "serve/child.rs"]
mod child;
#[path = "serve/client.rs"]
mod client;
mod support;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const SECRET: &str = "test webhook secret";

/// The server's defaults, except that GitHub's example payloads (written years ago) still count as commands.
fn options() -> Options {
    let mut options = Options::new(Secret::new(SECRET));
    options.command_max_age = Duration::from_secs(u64::from(u32::MAX));
    options
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

// ---------------------------------------------------------------------------------------------------------------
// Under attack and under faults

/// Reads until the server closes the connection (end of file or a reset), at most `limit`; how long that took.
async fn closed_within(
    stream: &mut (impl AsyncReadExt + Unpin),
    limit: Duration,
) -> Option<Duration> {
    let started = Instant::now();
    let mut buf = [0u8; 1024];
    tokio::time::timeout(limit, async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return started.elapsed(),
                Ok(_) => {}
            }
        }
    })
    .await
    .ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_loris_connection_is_closed_after_the_header_timeout() {
    let mut opts = options();
    opts.connections.header_timeout = Duration::from_secs(1);
    opts.connections.body_timeout = Duration::from_secs(1);
    let recorder = Recorder::default();
    let server = start(opts, recorder.clone()).await;
    let addr = server.local_addr();
    let delivery = hook("issues", "loris", issue_event("edited", 1, "kari"));

    // The head, one byte every 100 ms: it would take seconds, the server gives it one.
    let (mut read, mut write) = TcpStream::connect(addr).await.unwrap().into_split();
    let head = delivery.head();
    let trickle = tokio::spawn(async move {
        for byte in head {
            if write.write_all(&[byte]).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    let after = closed_within(&mut read, Duration::from_secs(10))
        .await
        .expect("a trickled head is cut off");
    trickle.abort();
    assert!(
        after >= Duration::from_millis(900),
        "not before the timeout: {after:?}"
    );

    // A kept-alive connection that sends nothing after its answer is closed too.
    let mut idle = Conn::connect(addr).await.unwrap();
    assert_eq!(idle.get("/healthz").await.unwrap().status, 200);
    let reply = tokio::time::timeout(Duration::from_secs(10), idle.read_reply())
        .await
        .expect("an idle connection is closed within the header timeout");
    assert!(reply.is_err(), "{reply:?}");

    // A complete head and half the body: 408 after the body timeout, nothing queued.
    let mut half = Conn::connect(addr).await.unwrap();
    half.write(&delivery.head()).await.unwrap();
    half.write(&delivery.body[..delivery.body.len() / 2])
        .await
        .unwrap();
    let reply = tokio::time::timeout(Duration::from_secs(10), half.read_reply())
        .await
        .expect("answered within the body timeout")
        .unwrap();
    assert_eq!(reply.status, 408, "{}", reply.body);

    // An honest client is still served.
    let reply = send(addr, &delivery).await.unwrap();
    assert_eq!((reply.status, reply.outcome().as_str()), (202, "queued"));
    let stats = server.shutdown().await.unwrap();
    assert_eq!(recorder.ids(), ["loris"]);
    assert_eq!((stats.timed_out, stats.queued), (1, 1), "{stats:?}");
    assert!(stats.dropped_connections >= 2, "{stats:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_over_the_limit_are_refused_while_a_signed_delivery_still_gets_its_answer() {
    let mut opts = options();
    opts.connections.max_connections = 8;
    // Long enough that no idle connection times out during the test: only the limit is at work.
    opts.connections.header_timeout = Duration::from_secs(60);
    let recorder = Recorder::default();
    let server = start(opts, recorder.clone()).await;
    let addr = server.local_addr();

    // Eight connections that send nothing fill every slot.
    let mut idle = Vec::new();
    for _ in 0..8 {
        idle.push(TcpStream::connect(addr).await.unwrap());
    }
    // Further connections, while those are new: refused with a 503 at once.
    for _ in 0..4 {
        let mut extra = Conn::connect(addr).await.unwrap();
        let reply = tokio::time::timeout(Duration::from_secs(5), extra.read_reply())
            .await
            .expect("refused at once")
            .unwrap();
        assert_eq!(reply.status, 503);
        assert!(reply.header("retry-after").is_some());
    }
    // Once the idle ones have had their chance (a second without a request), a signed delivery takes the place of
    // the oldest and is answered.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let delivery = hook("issues", "limit-1", issue_event("edited", 1, "kari"));
    let reply = send(addr, &delivery).await.unwrap();
    assert_eq!(
        (reply.status, reply.outcome().as_str()),
        (202, "queued"),
        "{}",
        reply.body
    );
    let closed = closed_within(&mut idle[0], Duration::from_secs(5)).await;
    assert!(closed.is_some(), "the oldest idle connection made room");
    let stats = server.shutdown().await.unwrap();
    assert_eq!(recorder.ids(), ["limit-1"]);
    assert_eq!(
        stats.dropped_connections, 5,
        "4 refused, 1 evicted: {stats:?}"
    );
}

/// The real `issue_comment.created` example, now comment `comment_id` with `body` by `author` on
/// digdir/portfolio#number.
fn comment_event(number: u64, comment_id: u64, author: &str, body: &str) -> Vec<u8> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text =
        std::fs::read_to_string(root.join("tests/fixtures/webhooks/issue_comment.created.json"))
            .unwrap();
    let mut payload: Value = serde_json::from_str(&text).unwrap();
    payload["repository"]["full_name"] = json!("digdir/portfolio");
    payload["repository"]["owner"]["login"] = json!("digdir");
    payload["issue"]["number"] = json!(number);
    payload["issue"]["node_id"] = json!(format!("I_node_{number}"));
    payload["comment"]["id"] = json!(comment_id);
    payload["comment"]["body"] = json!(body);
    payload["comment"]["user"]["login"] = json!(author);
    payload["comment"]["user"]["type"] = json!("User");
    payload["sender"]["login"] = json!(author);
    payload.to_string().into_bytes()
}

/// The reactions on each comment of `board`, by comment id.
fn reactions(board: &Path) -> HashMap<u64, usize> {
    let board: Value = serde_json::from_str(&std::fs::read_to_string(board).unwrap()).unwrap();
    board["items"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|i| {
            i["issue"]["comments"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .filter_map(|c| {
            let n = c["reactions"].as_array().map_or(0, Vec::len);
            Some((c["id"].as_u64()?, n))
        })
        .collect()
}

#[test]
fn deliveries_acknowledged_before_a_sigkill_are_acted_on_exactly_once_after_the_restart() {
    let dir = tempfile::tempdir().unwrap();
    let board = board_copy(dir.path());
    // Eight `/hjelp` comments, four on each of two issues: each delivery acted on adds one reaction to its comment
    // (the snapshot keeps every reaction, so a second run of a delivery would show as a second one).
    let mut snapshot: Value =
        serde_json::from_str(&std::fs::read_to_string(&board).unwrap()).unwrap();
    let mut sent = Vec::new();
    for k in 0..8u64 {
        let (number, comment_id) = (101 + k % 2, 50_000 + k);
        let item = snapshot["items"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|i| i["issue"]["number"] == number)
            .unwrap();
        item["issue"]["comments"]
            .as_array_mut()
            .unwrap()
            .push(json!({"id": comment_id, "author": "kari", "body": "/hjelp"}));
        sent.push((format!("crash-{k}"), number, comment_id));
    }
    std::fs::write(&board, serde_json::to_string_pretty(&snapshot).unwrap()).unwrap();
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/portfolio.toml");
    let env = [
        ("PORTFOLIO_SYNC_CONCURRENCY", "1".to_string()),
        ("PORTFOLIO_SYNC_TEST_DELAY_MS", "500".to_string()),
        // The test's comments are written now, but keep the check out of the way of a slow machine.
        ("PORTFOLIO_SYNC_COMMAND_MAX_AGE", u32::MAX.to_string()),
    ];

    let first = child::Server::start(&config, &board, SECRET, &env);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let deliveries: Vec<Hook> = sent
        .iter()
        .map(|(id, number, comment_id)| {
            hook(
                "issue_comment",
                id,
                comment_event(*number, *comment_id, "kari", "/hjelp"),
            )
        })
        .collect();
    runtime.block_on(async {
        let mut conn = Conn::connect(first.addr).await.unwrap();
        for h in &deliveries {
            let reply = conn.send(h).await.unwrap();
            assert_eq!(
                (reply.status, reply.outcome().as_str()),
                (202, "queued"),
                "{}",
                reply.body
            );
        }
    });
    // The third delivery has started its 500 ms wait: two are done and marked, six are acknowledged and pending.
    first
        .wait_for(
            |l| l.contains("started") && l.contains("crash-2"),
            Duration::from_secs(30),
        )
        .unwrap_or_else(|| panic!("the third delivery never started:\n{}", first.log_text()));
    let done_before = first.count(|l| l.contains(": done"));
    first.kill();
    let acted = reactions(&board);
    let before: usize = sent.iter().map(|(_, _, c)| acted[c]).sum();
    assert_eq!(
        (before, done_before),
        (2, 2),
        "two acted on before the kill"
    );

    let second = child::Server::start(&config, &board, SECRET, &env[2..]);
    second
        .wait_for(
            |l| l.contains("queued again") && l.contains("resumed=6"),
            Duration::from_secs(10),
        )
        .unwrap_or_else(|| panic!("six deliveries resumed:\n{}", second.log_text()));
    let deadline = Instant::now() + Duration::from_secs(60);
    while second.count(|l| l.contains(": done")) < 6 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    runtime.block_on(async {
        // Redeliveries after the restart, of one done before the kill and one done after: recognised.
        for h in [&deliveries[0], &deliveries[7]] {
            let reply = send(second.addr, h).await.unwrap();
            assert_eq!(
                (reply.status, reply.outcome().as_str()),
                (200, "duplicate"),
                "{}",
                reply.body
            );
        }
    });
    let log = second.log_text();
    assert_eq!(second.terminate(Duration::from_secs(30)), Some(0), "{log}");

    let acted = reactions(&board);
    for (id, _, comment_id) in &sent {
        assert_eq!(acted[comment_id], 1, "{id} acted on once:\n{log}");
    }
    // Per issue, in the order sent (the lanes were rebuilt from the store's order).
    let done: Vec<&str> = log
        .lines()
        .filter(|l| l.contains(": done"))
        .filter_map(|l| l.split("id=").nth(1)?.split_whitespace().next())
        .collect();
    assert_eq!(done.len(), 6, "{log}");
    for number in [101, 102] {
        let order: Vec<&str> = done
            .iter()
            .copied()
            .filter(|id| sent.iter().any(|(s, n, _)| s == id && *n == number))
            .collect();
        let mut sorted = order.clone();
        sorted.sort();
        assert_eq!(order, sorted, "#{number} ran out of order:\n{log}");
    }
}

#[test]
fn memory_stays_bounded_under_300_half_sent_1_mb_bodies() {
    let dir = tempfile::tempdir().unwrap();
    let board = board_copy(dir.path());
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/portfolio.toml");
    // The defaults: 64 connections, 10 s for a head and for a body.
    let server = child::Server::start(&config, &board, SECRET, &[]);
    let Some(idle_rss) = server.rss_kib() else {
        eprintln!("NOTICE: no /proc/PID/status here: the memory test is skipped");
        return;
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let addr = server.addr;
    let mut peak = idle_rss;
    let (sent_halves, answered) = runtime.block_on(async {
        // A valid 1 MB delivery, of which each connection sends the head and half the body, then waits.
        let mut payload: Value = serde_json::from_slice(&issue_event("edited", 1, "kari")).unwrap();
        let base = payload.to_string().len();
        payload["issue"]["title"] = json!("x".repeat(1_000_000 - base));
        let delivery = hook("issues", "big", payload.to_string());
        let request: Arc<Vec<u8>> = Arc::new(
            [
                delivery.head(),
                delivery.body[..delivery.body.len() / 2].to_vec(),
            ]
            .concat(),
        );
        let mut holders = Vec::new();
        for _ in 0..300 {
            let request = Arc::clone(&request);
            holders.push(tokio::spawn(async move {
                let mut stream = TcpStream::connect(addr).await.ok()?;
                let sent = tokio::time::timeout(Duration::from_secs(5), stream.write_all(&request))
                    .await
                    .is_ok_and(|r| r.is_ok());
                Some((stream, sent))
            }));
        }
        let mut streams = Vec::new();
        let mut sent_halves = 0;
        for holder in holders {
            if let Ok(Some((stream, sent))) = holder.await {
                sent_halves += usize::from(sent);
                streams.push(stream);
            }
        }
        // Hold them all while the server has them, sampling its memory.
        for _ in 0..30 {
            if let Some(rss) = server.rss_kib() {
                peak = peak.max(rss);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        // The server still answers a signed delivery.
        let ping = hook("ping", "after-the-flood", "{\"zen\": \"Keep it simple.\"}");
        let answered = tokio::time::timeout(Duration::from_secs(10), send(addr, &ping))
            .await
            .ok()
            .and_then(Result::ok)
            .map(|r| r.status);
        drop(streams);
        (sent_halves, answered)
    });
    eprintln!(
        "RSS: {} KiB idle, {} KiB at most with 300 connections holding half of a 1 MB body ({} wrote their half)",
        idle_rss, peak, sent_halves
    );
    assert!(sent_halves > 0);
    assert!(peak < 100 * 1024, "RSS reached {peak} KiB");
    assert_eq!(answered, Some(200), "{}", server.log_text());
    // Most of the 300 connections were refused or closed, and the log says so in a line or two, not hundreds.
    let warnings = server.count(|l| l.contains("WARN"));
    assert!(
        (1..=3).contains(&warnings),
        "{warnings} WARN lines:\n{}",
        server.log_text()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bounded_drain_leaves_unfinished_work_in_the_store_for_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("queue.sqlite");
    let mut opts = options();
    opts.store = Some(store.clone());
    opts.limits.concurrency = 1;
    opts.drain = Duration::from_millis(300);
    let slow = Recorder::slow(Duration::from_millis(200));
    let server = start(opts.clone(), slow.clone()).await;
    let mut conn = Conn::connect(server.local_addr()).await.unwrap();
    let ids: Vec<String> = (0..6).map(|i| format!("drain-{i}")).collect();
    for id in &ids {
        let reply = conn
            .send(&hook("issues", id, issue_event("edited", 1, "kari")))
            .await
            .unwrap();
        assert_eq!(reply.status, 202);
    }
    let stopped = tokio::time::timeout(Duration::from_secs(10), server.shutdown())
        .await
        .expect("the drain is bounded")
        .unwrap();
    let first = slow.ids();
    assert!(
        first.len() < ids.len(),
        "the drain stopped before all the work: {first:?}"
    );
    assert_eq!(stopped.succeeded as usize, first.len());

    // The next start runs the rest, once each, in the order they were accepted; the first ones are remembered.
    let fast = Recorder::default();
    let server = start(opts.clone(), fast.clone()).await;
    until(|| server.stats().finished() as usize == ids.len() - first.len()).await;
    let reply = send(
        server.local_addr(),
        &hook("issues", &ids[0], issue_event("edited", 1, "kari")),
    )
    .await
    .unwrap();
    assert_eq!(reply.outcome(), "duplicate");
    let stats = server.shutdown().await.unwrap();
    assert_eq!(stats.resumed as usize, ids.len() - first.len());
    let all: Vec<String> = first.into_iter().chain(fast.ids()).collect();
    assert_eq!(all, ids);

    // A second signal during the drain stops at once, and still loses nothing.
    opts.drain = Duration::from_secs(60);
    let stuck = Recorder::slow(Duration::from_secs(30));
    let server = start(opts.clone(), stuck.clone()).await;
    let reply = send(
        server.local_addr(),
        &hook("issues", "stuck", issue_event("edited", 2, "kari")),
    )
    .await
    .unwrap();
    assert_eq!(reply.status, 202);
    until(|| server.stats().running == 1).await;
    let signals = Arc::new(tokio::sync::Semaphore::new(0));
    let ask = Arc::clone(&signals);
    let running = tokio::spawn(server.until(move || {
        let ask = Arc::clone(&ask);
        async move {
            let _ = ask.acquire().await.map(|p| p.forget());
        }
    }));
    signals.add_permits(1);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(!running.is_finished(), "the first signal drains");
    signals.add_permits(1);
    tokio::time::timeout(Duration::from_secs(5), running)
        .await
        .expect("the second signal stops at once")
        .unwrap()
        .unwrap();
    assert!(stuck.ids().is_empty());
    let after = Recorder::default();
    let server = start(opts, after.clone()).await;
    until(|| after.ids() == ["stuck"]).await;
    server.shutdown().await.unwrap();
}
