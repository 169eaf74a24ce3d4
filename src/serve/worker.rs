//! What runs an accepted delivery. The server is generic over it so tests can count, slow down or fail work;
//! production runs the delivery's trigger through `run::event::on_event`, the code `portfolio-sync event` runs.

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Result;

use super::intake::Delivery;
use crate::config::Config;
use crate::event::Trigger;
use crate::forge::IssueForge;
use crate::run::actions::Actions;
use crate::run::{self, Exit};
use crate::snapshot::SnapshotForge;

/// What a worker did with a delivery, for the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Done {
    /// The exit code `portfolio-sync event` would have ended with: `Failed` when some write failed.
    pub exit: Exit,
    /// What `event` would have printed: notes and the plan.
    pub output: String,
}

impl Done {
    pub fn ok(output: impl Into<String>) -> Done {
        Done {
            exit: Exit::Ok,
            output: output.into(),
        }
    }
}

/// Runs one delivery. Called at most once at a time per delivery key, from several tasks at once for different
/// keys. An `Err`, a `Done` with a failed exit, a panic or a timeout all count as a failed delivery (which a
/// redelivery may then retry).
pub trait Worker: Send + Sync + 'static {
    fn run(&self, delivery: Delivery) -> impl Future<Output = Result<Done>> + Send;
}

/// Any `Fn(Delivery) -> impl Future<Output = Result<Done>>` is a worker (handy in tests).
impl<F, Fut> Worker for F
where
    F: Fn(Delivery) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Done>> + Send,
{
    fn run(&self, delivery: Delivery) -> impl Future<Output = Result<Done>> + Send {
        self(delivery)
    }
}

/// Runs `delivery` on `forge` exactly as `portfolio-sync event` would.
pub async fn act<F: IssueForge>(
    forge: &mut F,
    config: &Config,
    delivery: &Delivery,
) -> Result<Done> {
    if let Some(note) = foreign(config, delivery) {
        return Ok(Done::ok(note));
    }
    let mut out = Vec::new();
    // No job summary, no annotations: the server is no Actions job.
    let exit =
        run::event::on_event(forge, config, &delivery.trigger, &Actions::off(), &mut out).await?;
    Ok(Done {
        exit,
        output: String::from_utf8_lossy(&out).into_owned(),
    })
}

/// An App installed on several organisations hears about every project of each; a card event from another owner
/// cannot concern this board, and reading its issue would only cost a request (or fail for lack of access).
fn foreign(config: &Config, delivery: &Delivery) -> Option<String> {
    let card = matches!(delivery.trigger, Trigger::ReconcileItem { .. });
    let other =
        !delivery.owner.is_empty() && !delivery.owner.eq_ignore_ascii_case(&config.board.owner);
    (card && other).then(|| {
        format!(
            "nothing to do: a card on a project of {}, not of the board's owner {}",
            delivery.owner, config.board.owner
        )
    })
}

/// Acts on a snapshot file instead of GitHub (`serve --snapshot`, and tests). The file is one shared resource, so
/// deliveries run one at a time; each opens the file afresh and saves what it changed.
pub struct SnapshotWorker {
    config: Arc<Config>,
    path: PathBuf,
    file: tokio::sync::Mutex<()>,
}

impl SnapshotWorker {
    pub fn new(config: Arc<Config>, path: impl Into<PathBuf>) -> SnapshotWorker {
        SnapshotWorker {
            config,
            path: path.into(),
            file: tokio::sync::Mutex::new(()),
        }
    }
}

impl Worker for SnapshotWorker {
    async fn run(&self, delivery: Delivery) -> Result<Done> {
        let _one_at_a_time = self.file.lock().await;
        let mut forge = SnapshotForge::open(&self.path, &self.config.board.status_field)?;
        let done = act(&mut forge, &self.config, &delivery).await;
        forge.save()?; // what was applied before a failure is kept, as `event --snapshot` does
        done
    }
}
