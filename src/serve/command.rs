//! `portfolio-sync serve --listen ADDR [--snapshot FILE]`: reads the environment, binds, runs until SIGINT or
//! SIGTERM, then finishes the accepted work for a bounded time and exits; a second signal exits at once. What was
//! not finished stays in the delivery store for the next start.
//!
//! The limits are environment variables (docs/serve.md), read here so the command line stays as it is.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use tokio::net::TcpListener;

use super::intake::Delivery;
use super::worker::Done;
use super::{start, GitHubWorker, Options, Running, SnapshotWorker, Worker};
use crate::config;
use crate::github::{Secret, Settings};
use crate::run::{self, Exit, UsageError};

/// The environment variable holding the webhook secret (the App's "Webhook secret").
pub const ENV_SECRET: &str = "PORTFOLIO_SYNC_WEBHOOK_SECRET";

/// The secret, required: a server that accepted unsigned deliveries would let anyone move cards.
fn secret() -> Result<Secret, UsageError> {
    let value = std::env::var(ENV_SECRET).unwrap_or_default();
    if value.trim().is_empty() {
        return Err(UsageError(format!(
            "{ENV_SECRET} is not set: set it to the webhook secret of the GitHub App (docs/serve.md)"
        )));
    }
    Ok(Secret::new(value))
}

/// Where accepted deliveries are kept until done.
pub const ENV_QUEUE: &str = "PORTFOLIO_SYNC_QUEUE";

/// A whole number from the environment, or `default` when unset.
fn number(name: &str, default: u64) -> Result<u64, UsageError> {
    match std::env::var(name) {
        Err(_) => Ok(default),
        Ok(text) => text.trim().parse().map_err(|_| {
            UsageError(format!(
                "{name} is {text:?}: it must be a whole number (docs/serve.md)"
            ))
        }),
    }
}

fn seconds(name: &str, default: Duration) -> Result<Duration, UsageError> {
    number(name, default.as_secs()).map(Duration::from_secs)
}

/// The store's path: `PORTFOLIO_SYNC_QUEUE`; else beside the snapshot when acting on one (so two tries on two
/// snapshots never share a queue); else in systemd's `StateDirectory=`; else in the working directory.
fn queue_path(snapshot: Option<&Path>) -> PathBuf {
    if let Some(path) = std::env::var_os(ENV_QUEUE).filter(|p| !p.is_empty()) {
        return PathBuf::from(path);
    }
    if let Some(snapshot) = snapshot {
        let mut name = snapshot.as_os_str().to_owned();
        name.push(".queue.sqlite");
        return PathBuf::from(name);
    }
    let dir = std::env::var_os("STATE_DIRECTORY")
        .map(PathBuf::from)
        .unwrap_or_default();
    dir.join("portfolio-sync-queue.sqlite")
}

/// The options an operator sets through the environment, on top of [`Options::new`].
fn options(snapshot: Option<&Path>) -> Result<Options, UsageError> {
    let mut options = Options::new(secret()?);
    let c = &mut options.connections;
    c.max_connections =
        number("PORTFOLIO_SYNC_MAX_CONNECTIONS", c.max_connections as u64)?.max(1) as usize;
    c.header_timeout = seconds("PORTFOLIO_SYNC_HEADER_TIMEOUT", c.header_timeout)?;
    c.body_timeout = seconds("PORTFOLIO_SYNC_BODY_TIMEOUT", c.body_timeout)?;
    let l = &mut options.limits;
    l.concurrency = number("PORTFOLIO_SYNC_CONCURRENCY", l.concurrency as u64)?.max(1) as usize;
    options.drain = seconds("PORTFOLIO_SYNC_DRAIN", options.drain)?;
    options.command_max_age = seconds("PORTFOLIO_SYNC_COMMAND_MAX_AGE", options.command_max_age)?;
    options.store = Some(queue_path(snapshot));
    Ok(options)
}

/// For crash tests only: each delivery logs `started` and then waits this long before it runs, so a test can kill
/// the server while a known delivery is still pending.
const ENV_TEST_DELAY: &str = "PORTFOLIO_SYNC_TEST_DELAY_MS";

struct Delayed<W> {
    inner: W,
    delay: Duration,
}

impl<W: Worker> Worker for Delayed<W> {
    async fn run(&self, delivery: Delivery) -> Result<Done> {
        tracing::info!(delivery = %delivery.id, "started");
        tokio::time::sleep(self.delay).await;
        self.inner.run(delivery).await
    }
}

pub async fn run_command(
    config_path: &Path,
    listen: SocketAddr,
    snapshot: Option<PathBuf>,
) -> Result<Exit> {
    let config = Arc::new(config::load(config_path)?);
    let options = options(snapshot.as_deref())?;
    if let Some(store) = &options.store {
        tracing::info!("deliveries are kept in {} until done", store.display());
    }
    let listener = TcpListener::bind(listen)
        .await
        .map_err(|e| UsageError(format!("cannot listen on {listen}: {e}")))?;
    let running = match snapshot {
        Some(path) => {
            tracing::info!("acting on the snapshot {}, not on GitHub", path.display());
            let worker = SnapshotWorker::new(config, path);
            match number(ENV_TEST_DELAY, 0)? {
                0 => start(listener, options, worker)?,
                ms => start(
                    listener,
                    options,
                    Delayed {
                        inner: worker,
                        delay: Duration::from_millis(ms),
                    },
                )?,
            }
        }
        None => {
            let settings = Settings::from_env().map_err(|e| UsageError(e.to_string()))?;
            let worker = GitHubWorker::connect(Arc::clone(&config), settings)
                .await
                .map_err(|e| run::usage_or_not(e.is_usage_error(), e))?;
            start(listener, options, worker)?
        }
    };
    finish(running).await
}

async fn finish(running: Running) -> Result<Exit> {
    let stats = running
        .until(shutdown_signal)
        .await
        .context("the server failed")?;
    tracing::info!(
        queued = stats.queued,
        succeeded = stats.succeeded,
        failed = stats.failed,
        duplicates = stats.duplicates,
        ignored = stats.ignored,
        resumed = stats.resumed,
        refused = stats.unauthorized
            + stats.too_large
            + stats.timed_out
            + stats.bad_requests
            + stats.unavailable,
        "stopped"
    );
    // A clean stop is success even if some deliveries failed or were left for the next start: each failure was
    // logged, a redelivery retries it, and systemd would otherwise mark every restart of the unit as failed.
    Ok(Exit::Ok)
}

/// Ctrl-C, or SIGTERM (what `docker stop` and systemd send).
pub async fn shutdown_signal() {
    let interrupt = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!("cannot listen for Ctrl-C: {e}");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut term) => {
                term.recv().await;
            }
            Err(e) => {
                tracing::error!("cannot listen for SIGTERM: {e}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => tracing::info!("interrupted"),
        _ = terminate => tracing::info!("terminated"),
    }
}
