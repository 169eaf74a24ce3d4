//! The use cases: what each command does, between the command line (or the webhook server) above and the pure
//! core below. Nothing here parses arguments, and nothing here knows clap.
//!
//! ```text
//! forge.rs    the forge a command asked for: a snapshot file or GitHub, opened in one place
//! sync.rs     read, plan, apply (or print) the whole board
//! event.rs    a GitHub Actions event or a webhook delivery: a full sync, or one issue (handle.rs)
//! handle.rs   one issue's event: comment commands, a new issue, a changed issue or card
//! check.rs    what one issue needs next; the configuration on its own
//! doctor.rs   the configuration against the board, and what the credential reaches
//! report.rs   the portfolio report: read in one pass, written, kept in its issue
//! export.rs   the board as a snapshot file
//! init.rs     a starter configuration from the board's own columns
//! actions/    what a run tells GitHub Actions: job summary, annotations, step outputs
//! ```

pub mod actions;
pub mod check;
mod decisions;
pub mod doctor;
pub mod event;
pub mod export;
mod forge;
mod handle;
pub mod init;
pub mod report;
pub mod sync;

pub use forge::{github, open, open_board, usage_or_not, with_budget, AnyForge};

/// How a plan is printed: the text table, or the JSON of DESIGN.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Text,
    Json,
}

/// Exit codes of DESIGN.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Ok = 0,
    /// Some items failed, or the run was refused.
    Failed = 1,
    /// Usage or configuration error.
    Usage = 2,
}

/// An error that is the user's to fix (bad config, bad arguments, missing token): exit 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Writes a file the user named (`--out`) into place ([`crate::file::write`]). A path that cannot hold a file (not a
/// regular file, no such directory) is the user's to fix (exit 2); a write that fails is not (exit 1).
pub fn write_file(path: &std::path::Path, text: &str) -> anyhow::Result<()> {
    crate::file::write(path, text.as_bytes()).map_err(file_error)
}

/// [`write_file`]'s refusals before the work: a command checks its output first, so a wrong `--out` costs no
/// reading and writes nothing anywhere.
pub fn check_file(path: &std::path::Path) -> anyhow::Result<()> {
    crate::file::check(path).map_err(file_error)
}

fn file_error(e: crate::file::WriteError) -> anyhow::Error {
    usage_or_not(e.is_refusal(), e)
}

/// A forge's failed save as the use cases report it: a snapshot that is not a regular file is a usage error.
pub fn save_error(e: anyhow::Error) -> anyhow::Error {
    match e.downcast::<crate::file::WriteError>() {
        Ok(e) => file_error(e),
        Err(e) => e,
    }
}

/// The exit code an error ends a command with: 2 when it is the user's to fix, else 1.
pub fn exit_of(error: &anyhow::Error) -> Exit {
    // A configuration that does not fit the board is the user's whichever use case found it (a full sync makes it a
    // UsageError; one issue's event passes the Mismatch on as it is).
    let usage = error.downcast_ref::<UsageError>().is_some()
        || error
            .downcast_ref::<crate::config::ConfigErrors>()
            .is_some()
        || error.downcast_ref::<crate::preflight::Mismatch>().is_some();
    if usage {
        Exit::Usage
    } else {
        Exit::Failed
    }
}

/// `digdir project 1`: the board a run works on, for titles and logs.
pub fn board_name(config: &crate::config::Config) -> String {
    format!("{} project {}", config.board.owner, config.board.project)
}
