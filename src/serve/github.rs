//! The production worker: deliveries run on GitHub through a small pool of [`GitHubForge`]s.
//!
//! Why a pool: a forge takes `&mut self` and caches the project's ids, so concurrent deliveries each need one;
//! connecting one costs requests (for an App: `GET /app`, the installation lookup, a first token), so forges are
//! reused. Tokens: the App's installation is on the board's owner (one board per server, so one owner); the
//! client mints an installation token, reuses it for 50 of its 60 minutes, mints a new one after that, and on a 401
//! mints a new one and retries the request once. Forges are retired after [`MAX_AGE`] so a column renamed on the board (new option ids)
//! is picked up within minutes by a long-running server.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Result;

use super::intake::Delivery;
use super::worker::{act, Done, Worker};
use crate::config::Config;
use crate::github::{GitHubForge, Settings, SetupError};

/// How long a connected forge is reused.
pub const MAX_AGE: Duration = Duration::from_secs(10 * 60);

pub struct GitHubWorker {
    config: Arc<Config>,
    settings: Settings,
    idle: Mutex<Vec<(GitHubForge, Instant)>>,
}

impl GitHubWorker {
    /// Connects once right away, so wrong credentials or a missing App installation fail the start, not the
    /// first delivery.
    pub async fn connect(
        config: Arc<Config>,
        settings: Settings,
    ) -> Result<GitHubWorker, SetupError> {
        // The configuration's budget for creates; every forge of the pool then shares one limiter (`pace::shared`).
        let settings = crate::run::with_budget(settings, &config);
        let first = GitHubForge::connect(settings.clone(), &config.board).await?;
        Ok(GitHubWorker {
            config,
            settings,
            idle: Mutex::new(vec![(first, Instant::now())]),
        })
    }

    fn idle(&self) -> std::sync::MutexGuard<'_, Vec<(GitHubForge, Instant)>> {
        // Only pushes and pops happen under this lock: a poisoned one still holds a valid list.
        self.idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    async fn lease(&self) -> Result<(GitHubForge, Instant)> {
        loop {
            let Some((forge, born)) = self.idle().pop() else {
                break;
            };
            if born.elapsed() < MAX_AGE {
                return Ok((forge, born));
            }
        }
        let forge = GitHubForge::connect(self.settings.clone(), &self.config.board).await?;
        Ok((forge, Instant::now()))
    }

    /// A forge whose delivery failed may hold a half-read project; it is not reused.
    fn give_back(&self, forge: GitHubForge, born: Instant, healthy: bool) {
        if healthy && born.elapsed() < MAX_AGE {
            self.idle().push((forge, born));
        }
    }
}

impl Worker for GitHubWorker {
    async fn run(&self, delivery: Delivery) -> Result<Done> {
        let (mut forge, born) = self.lease().await?;
        let done = act(&mut forge, &self.config, &delivery).await;
        let healthy = matches!(&done, Ok(d) if d.exit == crate::run::Exit::Ok);
        self.give_back(forge, born, healthy);
        done
    }
}
