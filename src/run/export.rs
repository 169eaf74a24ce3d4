//! `export`: the live board as a snapshot file that `sync --snapshot` accepts.

use std::io::Write;
use std::path::Path;

use anyhow::Result;

use super::{check_file, write_file, Exit};
use crate::forge::Forge;
use crate::snapshot::SnapshotFile;

/// Reads the board and writes it into `file` ([`crate::file::write`]), or to `out`.
pub async fn export<F: Forge>(
    forge: &mut F,
    file: Option<&Path>,
    out: &mut impl Write,
) -> Result<Exit> {
    if let Some(path) = file {
        check_file(path)?;
    }
    let snapshot = forge.read_board().await?;
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
