//! `doctor`: the configuration against the board, and what the credential reaches; as lines or as JSON.

use std::io::Write;

use anyhow::Result;

use super::{AnyForge, Exit, Format};
use crate::config::Config;
use crate::doctor::{self, Access};

#[derive(Debug, Clone, Copy, Default)]
pub struct DoctorOptions {
    pub format: Format,
}

/// Runs every check and prints the findings: exit 2 when the configuration does not fit the board (as `sync`,
/// which refuses to run on it), 1 when something else failed.
pub async fn doctor(
    forge: &mut AnyForge,
    config: &Config,
    options: DoctorOptions,
    out: &mut impl Write,
) -> Result<Exit> {
    let access = match forge {
        AnyForge::Snapshot(f) => Access::Snapshot(f.path().display().to_string()),
        AnyForge::GitHub(f) => Access::GitHub {
            credential: f.credential_source().to_string(),
        },
    };
    let findings = doctor::examine(forge, config, &access).await;
    match options.format {
        Format::Text => write!(out, "{}", doctor::render(&findings))?,
        Format::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&doctor::to_json(&findings))?
        )?,
    }
    Ok(match doctor::verdict(&findings) {
        doctor::Verdict::AllGood => Exit::Ok,
        doctor::Verdict::Problems => Exit::Failed,
        doctor::Verdict::Misfit => Exit::Usage,
    })
}
