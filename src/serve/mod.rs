//! `portfolio-sync serve`: a GitHub App webhook receiver, so a card moved to the wrong column is answered in
//! seconds rather than at the next scheduled sync (board moves trigger no Actions event).
//!
//! ```text
//! signature.rs  X-Hub-Signature-256: HMAC-SHA256, constant-time compare (pure)
//! intake.rs     headers + body → work, a reason to ignore, or a refusal; uses event::trigger (pure)
//! dedup.rs      delivery ids seen, bounded memory (pure)
//! store.rs      SQLite: accepted deliveries, kept until done, resumed on start
//! queue.rs      one lane per issue, bounded concurrency, bounded drain on shutdown
//! worker.rs     the Worker trait; act() = run::event::on_event; SnapshotWorker
//! github.rs     GitHubWorker: a pool of GitHub forges (App installation tokens refreshed by the client)
//! http.rs       axum router: POST /webhook, GET /healthz, status codes, the body timeout
//! accept.rs     the accept loop: header timeout, connection limit, graceful stop
//! throttle.rs   refusals logged at a bounded rate
//! command.rs    the `serve` subcommand: environment, listener, signals
//! ```
//!
//! GitHub waits ten seconds for an answer and does not retry on its own, so the server answers as soon as the
//! delivery is verified and written to the store (202), and the work runs after. Shutdown stops accepting (503),
//! lets open requests finish, runs accepted work for at most `drain`, and leaves what is left in the store for the
//! next start; a second signal stops at once, losing nothing either.

mod accept;
mod command;
mod dedup;
mod github;
mod http;
mod intake;
mod queue;
pub mod signature;
mod stats;
mod store;
mod throttle;
mod worker;

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use accept::ConnLimits;
pub use command::{run_command, shutdown_signal, ENV_SECRET};
pub use dedup::Fate;
pub use github::GitHubWorker;
pub use intake::{intake, judge, key_of, Delivery, Headers, Intake, Refusal, EVENTS};
pub use queue::Limits;
pub use signature::{sign, verify, SignatureError};
pub use stats::Stats;
pub use worker::{act, Done, SnapshotWorker, Worker};

use crate::github::Secret;
use accept::Acceptor;
use http::AppState;
use queue::Queue;
use stats::Counters;
use store::Store;
use throttle::Throttle;

/// GitHub's payloads are a few to a few hundred KiB (an issue body is at most 65,536 characters).
pub const DEFAULT_MAX_BODY: usize = 1024 * 1024;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Options {
    /// The webhook secret (`PORTFOLIO_SYNC_WEBHOOK_SECRET`).
    pub secret: Secret,
    /// Larger bodies get 413.
    pub max_body: usize,
    pub limits: Limits,
    pub connections: ConnLimits,
    /// The SQLite file accepted deliveries are kept in until done. `None`: in memory, nothing survives the process
    /// (for tests and library users; `portfolio-sync serve` always has a file).
    pub store: Option<PathBuf>,
    /// After a shutdown request, how long open connections may take to finish their request before they are cut.
    pub grace: Duration,
    /// After a shutdown request, how long accepted work keeps running. What has not finished then is left in the
    /// store and runs on the next start.
    pub drain: Duration,
    /// At most one refusal WARN line per this period (each line says how many were left out).
    pub log_every: Duration,
    /// Command comments written longer ago than this are ignored: a replay, not a request.
    pub command_max_age: Duration,
}

impl Options {
    /// Defaults: 1 MiB bodies, 4 deliveries at once, 5,000 waiting, 50,000 ids remembered, 5 minutes per delivery;
    /// 10 s for a request head and for a body, 64 connections; 10 s grace, 20 s drain; a refusal line per 10 s.
    pub fn new(secret: Secret) -> Options {
        Options {
            secret,
            max_body: DEFAULT_MAX_BODY,
            limits: Limits {
                concurrency: 4,
                max_queued: 5_000,
                remember: 50_000,
                job_timeout: Duration::from_secs(300),
            },
            // GitHub sends a delivery in one go and gives up after 10 s, and sends a few a second at the busiest:
            // 64 connections leave ample room, and keep 64 half-sent 1 MiB bodies far below 100 MB.
            connections: ConnLimits {
                header_timeout: Duration::from_secs(10),
                body_timeout: Duration::from_secs(10),
                max_connections: 64,
            },
            store: None,
            grace: Duration::from_secs(10),
            drain: Duration::from_secs(20),
            log_every: Duration::from_secs(10),
            command_max_age: Duration::from_secs(3600),
        }
    }
}

/// A server started by [`start`]. Dropping it shuts the server down too (without waiting).
pub struct Running {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    now: watch::Sender<bool>,
    task: JoinHandle<io::Result<Stats>>,
    counters: Arc<Counters>,
}

impl Running {
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The counters now.
    pub fn stats(&self) -> Stats {
        self.counters.snapshot()
    }

    /// Stops accepting, runs accepted work for at most the drain time, and returns the final counters.
    pub async fn shutdown(mut self) -> io::Result<Stats> {
        self.stop.send_replace(true);
        (&mut self.task).await.map_err(io::Error::other)?
    }

    /// Stops at once: accepted work that has not finished stays in the store for the next start.
    pub async fn halt(mut self) -> io::Result<Stats> {
        self.stop.send_replace(true);
        self.now.send_replace(true);
        (&mut self.task).await.map_err(io::Error::other)?
    }

    /// Runs until `signal()` completes, then shuts down as [`Running::shutdown`]; if `signal()` completes again
    /// during the shutdown, stops at once as [`Running::halt`]. Ends early if the server fails.
    pub async fn until<S, F>(mut self, signal: S) -> io::Result<Stats>
    where
        S: Fn() -> F,
        F: Future<Output = ()>,
    {
        tokio::select! {
            _ = signal() => {}
            ended = &mut self.task => return ended.map_err(io::Error::other)?,
        }
        self.stop.send_replace(true);
        tokio::select! {
            _ = signal() => {
                tracing::warn!("asked again: stopping now; unfinished deliveries stay queued for the next start");
                self.now.send_replace(true);
                (&mut self.task).await.map_err(io::Error::other)?
            }
            ended = &mut self.task => ended.map_err(io::Error::other)?,
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stop.send_replace(true);
    }
}

/// Serves `POST /webhook` and `GET /healthz` on `listener`, running accepted deliveries through `worker`, after
/// queueing again what the store kept from the last run. Call inside a Tokio runtime.
pub fn start<W: Worker>(listener: TcpListener, options: Options, worker: W) -> io::Result<Running> {
    let addr = listener.local_addr()?;
    let counters = Arc::new(Counters::default());
    let store = Store::open(options.store.as_deref(), options.limits.remember).map_err(|e| {
        io::Error::other(format!(
            "cannot open the delivery store {}: {e}",
            options
                .store
                .as_deref()
                .map_or("(in memory)".into(), |p| p.display().to_string())
        ))
    })?;
    let queue = Queue::new(worker, options.limits, Arc::clone(&counters), store);
    let resumed = queue
        .resume()
        .map_err(|e| io::Error::other(format!("cannot read the delivery store: {e}")))?;
    if resumed > 0 {
        tracing::info!(
            resumed,
            "queued again the deliveries accepted before the last stop and not finished"
        );
    }
    let refusals = Arc::new(Throttle::new(options.log_every));
    let state = Arc::new(AppState {
        secret: options.secret,
        queue: Arc::clone(&queue),
        counters: Arc::clone(&counters),
        body_timeout: options.connections.body_timeout,
        command_max_age: options.command_max_age,
        refusals: Arc::clone(&refusals),
    });
    let acceptor = Acceptor {
        router: http::router(state, options.max_body),
        limits: options.connections,
        counters: Arc::clone(&counters),
        refusals,
    };

    let (stop, stopping) = watch::channel(false);
    let (now, mut halt) = watch::channel(false);
    let (grace, drain) = (options.grace, options.drain);
    let final_counters = Arc::clone(&counters);
    let mut stopped = stopping.clone();
    let task = tokio::spawn(async move {
        let serving = tokio::spawn(acceptor.run(listener, stopping, grace));
        let _ = stopped.wait_for(|s| *s).await;
        queue.close();
        tracing::info!(
            pending = queue.pending(),
            "shutting down: refusing new deliveries, finishing accepted ones for at most {} s",
            drain.as_secs()
        );
        let finished = tokio::select! {
            _ = queue.drained() => true,
            _ = tokio::time::sleep(drain) => false,
            _ = halt.wait_for(|h| *h) => false,
        };
        let left = queue.halt();
        if finished {
            tracing::info!("all accepted work finished");
        } else {
            tracing::warn!(
                left,
                "stopped with deliveries unfinished: they stay in the store and run on the next start"
            );
        }
        // The connections had their grace (and a halt does not wait for it).
        tokio::select! {
            served = serving => served.map_err(io::Error::other)??,
            _ = halt.wait_for(|h| *h) => {}
        }
        let stats = final_counters.snapshot();
        tracing::info!(
            succeeded = stats.succeeded,
            failed = stats.failed,
            "stopped"
        );
        Ok(stats)
    });
    tracing::info!(%addr, "listening for GitHub webhooks on POST /webhook");
    Ok(Running {
        addr,
        stop,
        now,
        task,
        counters,
    })
}
