//! `export`: the live board as a snapshot file that `sync --snapshot` accepts.

use std::io::Write;
use std::path::Path;

use anyhow::Result;

use super::{check_file, write_file, Exit};
use crate::config::Config;
use crate::forge::Forge;
use crate::snapshot::SnapshotFile;

/// Reads the board and writes it into `file` ([`crate::file::write`]), or to `out`. The comments of cards whose move
/// passes a decision gate come too: without the decisions, the snapshot would refuse what the live board accepts.
pub async fn export<F: Forge>(
    forge: &mut F,
    config: &Config,
    file: Option<&Path>,
    out: &mut impl Write,
) -> Result<Exit> {
    if let Some(path) = file {
        check_file(path)?;
    }
    let snapshot = forge.read_board().await?;
    let wanted = crate::reconcile::needs_comments(config, &snapshot);
    let snapshot = super::decisions::read_all(forge, config, snapshot, wanted).await?;
    let json = SnapshotFile::from_snapshot(&snapshot).to_json()?;
    match file {
        Some(path) => {
            write_file(path, &json)?;
            tracing::info!("wrote {} items to {}", snapshot.items.len(), path.display());
        }
        None => write!(out, "{json}")?,
    }
    Ok(Exit::Ok)
}
