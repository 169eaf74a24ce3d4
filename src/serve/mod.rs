//! `portfolio-sync serve`: a GitHub App webhook receiver, so a card moved to the wrong column is answered in
//! seconds rather than at the next scheduled sync (board moves trigger no Actions event).
//!
//! ```text
//! signature.rs  X-Hub-Signature-256: HMAC-SHA256, constant-time compare (pure)
//! intake.rs     headers + body → work, a reason to ignore, or a refusal; uses event::trigger (pure)
//! dedup.rs      delivery ids seen, bounded memory (pure)
//! queue.rs      one lane per issue, bounded concurrency, drain on shutdown
//! worker.rs     the Worker trait; act() = run::event::on_event; SnapshotWorker
//! github.rs     GitHubWorker: a pool of GitHub forges (App installation tokens refreshed by the client)
//! http.rs       axum router: POST /webhook, GET /healthz, status codes
//! command.rs    the `serve` subcommand: environment, listener, signals
//! ```
//!
//! GitHub waits ten seconds for an answer and does not retry on its own, so the server answers as soon as the
//! delivery is verified and queued (202), and the work runs after. Shutdown stops accepting (503), lets open
//! requests finish, then runs every accepted delivery before returning.

mod command;
mod dedup;
mod github;
mod http;
mod intake;
mod queue;
pub mod signature;
mod stats;
mod worker;

use std::future::IntoFuture;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;

pub use command::{run_command, shutdown_signal, ENV_SECRET};
pub use dedup::Fate;
pub use github::GitHubWorker;
pub use intake::{intake, key_of, Delivery, Headers, Intake, Refusal, EVENTS};
pub use queue::Limits;
pub use signature::{sign, verify, SignatureError};
pub use stats::Stats;
pub use worker::{act, Done, SnapshotWorker, Worker};

use crate::github::Secret;
use http::AppState;
use queue::Queue;
use stats::Counters;

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
    /// After a shutdown request, how long open connections may take to finish their request before they are cut.
    /// Accepted work is not bound by this: it always runs to its end (or its `job_timeout`).
    pub grace: Duration,
}

impl Options {
    /// Defaults: 1 MiB bodies, 4 deliveries at once, 5,000 waiting, 50,000 ids remembered, 5 minutes per delivery.
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
            grace: Duration::from_secs(10),
        }
    }
}

/// A server started by [`start`]. Dropping it shuts the server down too (without waiting).
pub struct Running {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
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

    /// Stops accepting, finishes every accepted delivery, and returns the final counters.
    pub async fn shutdown(mut self) -> io::Result<Stats> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        (&mut self.task).await.map_err(io::Error::other)?
    }

    /// Runs until `signal` completes (then shuts down as [`Running::shutdown`]) or the server fails.
    pub async fn until(
        mut self,
        signal: impl std::future::Future<Output = ()>,
    ) -> io::Result<Stats> {
        tokio::select! {
            _ = signal => self.shutdown().await,
            ended = &mut self.task => ended.map_err(io::Error::other)?,
        }
    }
}

/// Serves `POST /webhook` and `GET /healthz` on `listener`, running accepted deliveries through `worker`.
/// Call inside a Tokio runtime.
pub fn start<W: Worker>(listener: TcpListener, options: Options, worker: W) -> io::Result<Running> {
    let addr = listener.local_addr()?;
    let counters = Arc::new(Counters::default());
    let queue = Queue::new(worker, options.limits, Arc::clone(&counters));
    let state = Arc::new(AppState {
        secret: options.secret,
        queue: Arc::clone(&queue),
        counters: Arc::clone(&counters),
    });
    let app = http::router(state, options.max_body);

    let (stop, stopped) = oneshot::channel::<()>();
    let (closed, mut is_closed) = watch::channel(false);
    let closing = Arc::clone(&queue);
    // Runs when asked to stop (or when the `Running` is dropped): new deliveries get 503 from here on, and axum
    // stops accepting connections and lets open ones finish their request.
    let signal = async move {
        let _ = stopped.await;
        closing.close();
        tracing::info!(
            pending = closing.pending(),
            "shutting down: refusing new deliveries, finishing accepted ones"
        );
        let _ = closed.send(true);
    };
    let server = axum::serve(listener, app).with_graceful_shutdown(signal);
    let grace = options.grace;
    let final_counters = Arc::clone(&counters);
    let task = tokio::spawn(async move {
        let cut_off = async {
            let _ = is_closed.wait_for(|closed| *closed).await;
            tokio::time::sleep(grace).await;
        };
        tokio::select! {
            served = server.into_future() => served?,
            _ = cut_off => tracing::warn!("connections still open {} s after shutdown: closing them", grace.as_secs()),
        }
        queue.drained().await;
        let stats = final_counters.snapshot();
        tracing::info!(
            succeeded = stats.succeeded,
            failed = stats.failed,
            "all accepted work finished"
        );
        Ok(stats)
    });
    tracing::info!(%addr, "listening for GitHub webhooks on POST /webhook");
    Ok(Running {
        addr,
        stop: Some(stop),
        task,
        counters,
    })
}
