//! `export`: the live board as a snapshot file that `sync --snapshot` accepts.

use std::io::Write;
use std::path::Path;

use anyhow::Result;

use super::Exit;
use crate::forge::Forge;
use crate::snapshot::SnapshotFile;

/// Reads the board and writes it to `file` (atomically), or to `out`.
pub async fn export<F: Forge>(
    forge: &mut F,
    file: Option<&Path>,
    out: &mut impl Write,
) -> Result<Exit> {
    let snapshot = forge.read_board().await?;
    let json = SnapshotFile::from_snapshot(&snapshot).to_json()?;
    match file {
        Some(path) => {
            crate::snapshot::write_atomic(path, &json)?;
            tracing::info!("wrote {} items to {}", snapshot.items.len(), path.display());
        }
        None => write!(out, "{json}")?,
    }
    Ok(Exit::Ok)
}
