//! `portfolio-sync serve --listen ADDR [--snapshot FILE]`: reads the environment, binds, runs until SIGINT or
//! SIGTERM, then finishes the accepted work and exits.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};
use tokio::net::TcpListener;

use super::{start, GitHubWorker, Options, Running, SnapshotWorker};
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

pub async fn run_command(
    config_path: &Path,
    listen: SocketAddr,
    snapshot: Option<PathBuf>,
) -> Result<Exit> {
    let config = Arc::new(config::load(config_path)?);
    let options = Options::new(secret()?);
    let listener = TcpListener::bind(listen)
        .await
        .map_err(|e| UsageError(format!("cannot listen on {listen}: {e}")))?;
    let running = match snapshot {
        Some(path) => {
            tracing::info!("acting on the snapshot {}, not on GitHub", path.display());
            start(listener, options, SnapshotWorker::new(config, path))?
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
        .until(shutdown_signal())
        .await
        .context("the server failed")?;
    tracing::info!(
        queued = stats.queued,
        succeeded = stats.succeeded,
        failed = stats.failed,
        duplicates = stats.duplicates,
        ignored = stats.ignored,
        refused = stats.unauthorized + stats.too_large + stats.bad_requests + stats.unavailable,
        "stopped"
    );
    // A clean stop is success even if some deliveries failed: each failure was logged, a redelivery retries it, and
    // systemd would otherwise mark every restart of the unit as failed.
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
