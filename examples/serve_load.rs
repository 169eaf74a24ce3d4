//! Load test of `portfolio-sync serve` on loopback: signed deliveries over keep-alive connections, with throughput,
//! acknowledgement latency, and an account of every delivery (acted on exactly once, or refused with a reason).
//!
//! ```sh
//! cargo run --release --example serve_load                          # 2,000 deliveries, simulated 5 ms of work each
//! cargo run --release --example serve_load -- --worker snapshot     # the real event handler on a board snapshot
//! cargo run --release --example serve_load -- --help
//! ```
//!
//! Server and load generator share the process (and the machine's cores). Bounded: `--deliveries` in count,
//! `--time-limit-secs` in time; only 127.0.0.1 is ever contacted. Exits 1 if any delivery is unaccounted for.

#[path = "../tests/serve/client.rs"]
mod client;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::{Parser, ValueEnum};
use client::{Conn, Hook};
use portfolio_sync::github::Secret;
use portfolio_sync::serve::{self, Delivery, Done, Options, SnapshotWorker, Worker};
use serde_json::{json, Value};

const SECRET: &str = "load test secret";
/// The `digdir/portfolio` issues of `config/examples/board.json`.
const ISSUES: [u64; 20] = [
    101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 112, 113, 115, 116, 117, 118, 119, 120, 121,
    122,
];

#[derive(Parser, Debug)]
struct Args {
    /// Deliveries to send (a mix: see `Kind`)
    #[arg(long, default_value_t = 2000)]
    deliveries: usize,
    /// Concurrent keep-alive connections
    #[arg(long, default_value_t = 32)]
    connections: usize,
    /// What runs each accepted delivery
    #[arg(long, value_enum, default_value_t = Mode::Sim)]
    worker: Mode,
    /// Simulated work per delivery (`--worker sim`), like a GitHub round trip or two
    #[arg(long, default_value_t = 5)]
    work_ms: u64,
    /// Deliveries the server runs at once
    #[arg(long, default_value_t = 4)]
    server_concurrency: usize,
    /// Give up (and fail) after this long
    #[arg(long, default_value_t = 120)]
    time_limit_secs: u64,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Sleep `--work-ms` per delivery
    Sim,
    /// `run::event::on_event` on a temporary copy of config/examples/board.json (one delivery at a time: it is one file)
    Snapshot,
}

/// What a delivery is, and so what the server must answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Kind {
    Work,
    /// The same delivery id and body as an earlier `Work` delivery.
    Redelivery,
    /// A signed event the server does not act on (a draft card, a star).
    Ignored,
    BadSignature,
    MalformedJson,
    TooLarge,
}

impl Kind {
    fn of(i: usize) -> Kind {
        match i % 100 {
            0..=2 => Kind::BadSignature,
            3..=4 => Kind::MalformedJson,
            5 => Kind::TooLarge,
            6..=9 => Kind::Ignored,
            10..=14 if i >= 100 => Kind::Redelivery,
            _ => Kind::Work,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Kind::Work => "work (new delivery id)",
            Kind::Redelivery => "redelivery of an earlier id",
            Kind::Ignored => "event needing no action",
            Kind::BadSignature => "bad signature",
            Kind::MalformedJson => "malformed JSON (signed)",
            Kind::TooLarge => "body over 1 MiB",
        }
    }
}

/// Example payloads: the real ones from `../shared/github/webhooks` when present, else their shape.
struct Payloads {
    issue: Value,
    comment: Value,
    card: Value,
}

impl Payloads {
    fn load() -> Payloads {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/github/webhooks");
        let read = |file: &str, fallback: Value| {
            std::fs::read_to_string(dir.join(file))
                .ok()
                .and_then(|t| serde_json::from_str(&t).ok())
                .unwrap_or_else(|| {
                    eprintln!(
                        "notice: {} not found, using a minimal payload",
                        dir.join(file).display()
                    );
                    fallback
                })
        };
        let user = json!({"login": "kari", "type": "User"});
        Payloads {
            issue: read(
                "issues/edited.payload.json",
                json!({"action": "edited", "issue": {}, "repository": {"owner": {}}, "sender": user}),
            ),
            comment: read(
                "issue_comment/created.payload.json",
                json!({"action": "created", "issue": {}, "comment": {"id": 1, "user": user, "body": "ok"}, "repository": {"owner": {}}, "sender": user}),
            ),
            card: read(
                "projects_v2_item/edited.payload.json",
                json!({"action": "edited", "projects_v2_item": {}, "organization": {}, "sender": user}),
            ),
        }
    }

    /// Work about one of the board's issues; the event rotates over issue edits, labels, comments and card moves.
    fn work(&self, j: usize) -> (&'static str, Value) {
        let number = ISSUES[j % ISSUES.len()];
        let node = format!("I_node_{number}");
        let on_issue = |mut p: Value, action: &str| {
            p["action"] = json!(action);
            p["repository"]["full_name"] = json!("digdir/portfolio");
            p["repository"]["owner"]["login"] = json!("digdir");
            p["issue"]["number"] = json!(number);
            p["issue"]["node_id"] = json!(node);
            p
        };
        match (j / ISSUES.len()) % 4 {
            0 => ("issues", on_issue(self.issue.clone(), "edited")),
            1 => ("issues", on_issue(self.issue.clone(), "labeled")),
            2 => ("issue_comment", on_issue(self.comment.clone(), "created")),
            _ => {
                let mut p = self.card.clone();
                p["projects_v2_item"]["content_type"] = json!("Issue");
                p["projects_v2_item"]["content_node_id"] = json!(node);
                p["organization"]["login"] = json!("digdir");
                ("projects_v2_item", p)
            }
        }
    }
}

/// The deliveries to send, in order: what each is, and the request.
fn plan(n: usize, payloads: &Payloads) -> Vec<(Kind, Hook)> {
    let key = SECRET.as_bytes();
    let mut planned: Vec<(Kind, Hook)> = Vec::with_capacity(n);
    for i in 0..n {
        let id = format!("load-{i:05}");
        let kind = Kind::of(i);
        let hook = match kind {
            Kind::Work => {
                let (event, body) = payloads.work(i);
                Hook::signed(key, event, &id, body.to_string())
            }
            // i - 50 is always a Work delivery (its i % 100 is 60..=64).
            Kind::Redelivery => planned[i - 50].1.clone(),
            Kind::Ignored if i % 2 == 0 => {
                Hook::signed(key, "projects_v2_item", &id, payloads.card.to_string())
            }
            Kind::Ignored => Hook::signed(key, "star", &id, r#"{"action":"created"}"#),
            Kind::BadSignature => {
                let (event, body) = payloads.work(i);
                Hook::signed(b"a guessed secret", event, &id, body.to_string())
            }
            Kind::MalformedJson => {
                Hook::signed(key, "issues", &id, r#"{"action": "edited", "issue": {"#)
            }
            Kind::TooLarge => Hook::signed(
                key,
                "issues",
                &id,
                vec![b' '; serve::DEFAULT_MAX_BODY + 1024],
            ),
        };
        planned.push((kind, hook));
    }
    planned
}

/// Counts runs per delivery id, then hands the delivery to the real worker.
struct Counting<W> {
    inner: W,
    runs: Arc<Mutex<HashMap<String, u32>>>,
}

impl<W: Worker> Worker for Counting<W> {
    async fn run(&self, delivery: Delivery) -> anyhow::Result<Done> {
        *self
            .runs
            .lock()
            .unwrap()
            .entry(delivery.id.clone())
            .or_default() += 1;
        self.inner.run(delivery).await
    }
}

/// The answer to one delivery: status and the server's `status` field, or the transport error.
type Answer = Result<(u16, String), String>;

async fn fire(
    addr: std::net::SocketAddr,
    planned: Arc<Vec<(Kind, Hook)>>,
    args: &Args,
    deadline: Instant,
) -> Vec<Option<(Answer, Duration)>> {
    let next = Arc::new(AtomicUsize::new(0));
    let results = Arc::new(Mutex::new(vec![None; planned.len()]));
    let mut tasks = Vec::new();
    for _ in 0..args.connections.max(1) {
        let (next, planned, results) = (next.clone(), planned.clone(), results.clone());
        tasks.push(tokio::spawn(async move {
            let mut conn: Option<Conn> = None;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= planned.len() || Instant::now() > deadline {
                    break;
                }
                let started = Instant::now();
                let answer = async {
                    if conn.is_none() {
                        conn = Some(Conn::connect(addr).await.map_err(|e| e.to_string())?);
                    }
                    let c = conn.as_mut().ok_or("no connection")?;
                    let reply = c.send(&planned[i].1).await.map_err(|e| e.to_string())?;
                    if reply.header("connection") == Some("close") {
                        conn = None;
                    }
                    Ok::<_, String>((reply.status, reply.outcome()))
                }
                .await;
                if answer.is_err() {
                    conn = None;
                }
                results.lock().unwrap()[i] = Some((answer, started.elapsed()));
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let results = results.lock().unwrap().clone();
    results
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// `config/examples/board.json`, copied, with node ids on its issues (card events name issues by node id).
fn board_copy(dir: &Path) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("config/examples/board.json"))
        .expect("config/examples/board.json");
    let mut board: Value = serde_json::from_str(&text).expect("board.json is JSON");
    for item in board["items"].as_array_mut().into_iter().flatten() {
        if let Some(issue) = item.get_mut("issue").and_then(Value::as_object_mut) {
            let number = issue.get("number").and_then(Value::as_u64).unwrap_or(0);
            issue.insert("node_id".into(), json!(format!("I_node_{number}")));
        }
    }
    let path = dir.join("board.json");
    std::fs::write(&path, serde_json::to_string_pretty(&board).expect("JSON"))
        .expect("write the board copy");
    path
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let started = Instant::now();
    let deadline = started + Duration::from_secs(args.time_limit_secs);
    let payloads = Payloads::load();
    let planned = Arc::new(plan(args.deliveries, &payloads));

    let mut options = Options::new(Secret::new(SECRET));
    options.limits.concurrency = args.server_concurrency;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let runs = Arc::new(Mutex::new(HashMap::new()));
    let tmp = tempfile::tempdir().expect("temporary directory");
    let server = match args.worker {
        Mode::Sim => {
            let work = Duration::from_millis(args.work_ms);
            let inner = move |_d: Delivery| async move {
                tokio::time::sleep(work).await;
                Ok(Done::ok(""))
            };
            serve::start(
                listener,
                options,
                Counting {
                    inner,
                    runs: runs.clone(),
                },
            )
        }
        Mode::Snapshot => {
            let root = Path::new(env!("CARGO_MANIFEST_DIR"));
            let config = portfolio_sync::config::load(&root.join("config/portfolio.toml"))
                .expect("config/portfolio.toml");
            let inner = SnapshotWorker::new(Arc::new(config), board_copy(tmp.path()));
            serve::start(
                listener,
                options,
                Counting {
                    inner,
                    runs: runs.clone(),
                },
            )
        }
    }
    .expect("start the server");
    let addr = server.local_addr();

    let sending = Instant::now();
    let results = fire(addr, planned.clone(), &args, deadline).await;
    let sent_in = sending.elapsed();
    let queued_at_end_of_sending = server.stats();
    let draining = Instant::now();
    let remaining = deadline.saturating_duration_since(Instant::now());
    let stats = match tokio::time::timeout(remaining, server.shutdown()).await {
        Ok(Ok(stats)) => stats,
        Ok(Err(e)) => panic!("the server failed: {e}"),
        Err(_) => {
            eprintln!(
                "FAIL: the time limit of {} s was reached while draining",
                args.time_limit_secs
            );
            std::process::exit(1);
        }
    };
    let drained_in = draining.elapsed();
    let runs = runs.lock().unwrap().clone();

    // The books: per kind, what was answered; per delivery id, how often it was queued and run.
    let mut answers: BTreeMap<Kind, BTreeMap<String, usize>> = BTreeMap::new();
    let mut queued_per_id: HashMap<&str, u32> = HashMap::new();
    let mut latencies = Vec::new();
    let mut problems = Vec::new();
    for (i, ((kind, hook), result)) in planned.iter().zip(&results).enumerate() {
        let label = match result {
            None => "not sent (time limit)".to_string(),
            Some((Err(e), _)) => format!("transport error: {e}"),
            Some((Ok((status, outcome)), latency)) => {
                latencies.push(*latency);
                if outcome == "queued" {
                    *queued_per_id.entry(hook.delivery.as_str()).or_default() += 1;
                }
                format!("{status} {outcome}").trim().to_string()
            }
        };
        let expected = match kind {
            Kind::Work | Kind::Redelivery => {
                ["202 queued", "200 duplicate"].contains(&label.as_str())
            }
            Kind::Ignored => label == "202 ignored",
            Kind::BadSignature => label == "401 rejected",
            Kind::MalformedJson => label == "400 rejected",
            Kind::TooLarge => label == "413 rejected",
        };
        if !expected {
            problems.push(format!("delivery {i} ({}): answered {label}", kind.label()));
        }
        *answers.entry(*kind).or_default().entry(label).or_default() += 1;
    }
    let work_ids: Vec<&str> = planned
        .iter()
        .filter(|(k, _)| *k == Kind::Work)
        .map(|(_, h)| h.delivery.as_str())
        .collect();
    for id in &work_ids {
        let (queued, ran) = (
            queued_per_id.get(id).copied().unwrap_or(0),
            runs.get(*id).copied().unwrap_or(0),
        );
        if queued != 1 || ran != 1 {
            problems.push(format!(
                "{id}: queued {queued} times, ran {ran} times (want 1 and 1)"
            ));
        }
    }
    let strays: Vec<_> = runs
        .keys()
        .filter(|id| !work_ids.contains(&id.as_str()))
        .collect();
    if !strays.is_empty() {
        problems.push(format!(
            "ran deliveries that should not have run: {strays:?}"
        ));
    }
    let acted: u32 = runs.values().sum();

    latencies.sort();
    let answered = latencies.len();
    println!("## serve load test\n");
    println!(
        "{} deliveries over {} keep-alive connections to 127.0.0.1, worker `{:?}`{}, server concurrency {}.\n",
        args.deliveries,
        args.connections,
        args.worker,
        if args.worker == Mode::Sim { format!(" ({} ms per delivery)", args.work_ms) } else { String::new() },
        args.server_concurrency
    );
    println!("| kind | sent | answers | acted on |\n| --- | ---: | --- | ---: |");
    for (kind, labels) in &answers {
        let sent: usize = labels.values().sum();
        let text: Vec<String> = labels.iter().map(|(l, n)| format!("{l} ×{n}")).collect();
        let acted_here = match kind {
            Kind::Work => format!(
                "{} (each once)",
                work_ids
                    .iter()
                    .filter(|id| runs.get(**id) == Some(&1))
                    .count()
            ),
            _ => "0".to_string(),
        };
        println!(
            "| {} | {sent} | {} | {acted_here} |",
            kind.label(),
            text.join(", ")
        );
    }
    println!(
        "| **total** | {} | {answered} answered | {acted} |\n",
        planned.len()
    );
    println!(
        "- acknowledgement throughput: {:.0} deliveries/s ({answered} answers in {})",
        answered as f64 / sent_in.as_secs_f64(),
        ms(sent_in)
    );
    println!(
        "- acknowledgement latency: p50 {}, p90 {}, p99 {}, max {}",
        ms(percentile(&latencies, 50.0)),
        ms(percentile(&latencies, 90.0)),
        ms(percentile(&latencies, 99.0)),
        ms(percentile(&latencies, 100.0))
    );
    println!(
        "- work: {} of {} queued deliveries finished while sending; the rest drained in {} after the last answer",
        queued_at_end_of_sending.finished(),
        stats.queued,
        ms(drained_in)
    );
    println!(
        "- server counters: queued {}, duplicates {}, ignored {}, 401 {}, 400 {}, 413 {}, 503 {}, succeeded {}, failed {}",
        stats.queued,
        stats.duplicates,
        stats.ignored,
        stats.unauthorized,
        stats.bad_requests,
        stats.too_large,
        stats.unavailable,
        stats.succeeded,
        stats.failed
    );
    if stats.answered() != answered as u64 || stats.queued != u64::from(acted) {
        problems.push(format!(
            "server counters disagree: {} answered, {} queued, {acted} runs",
            stats.answered(),
            stats.queued
        ));
    }
    if problems.is_empty() {
        println!("- accounting: every delivery answered as expected; every new delivery id acted on exactly once");
    } else {
        println!("- accounting: {} PROBLEMS", problems.len());
        for p in problems.iter().take(20) {
            println!("  - {p}");
        }
        std::process::exit(1);
    }
    println!("- total time {}", ms(started.elapsed()));
}
