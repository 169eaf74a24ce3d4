//! What a run tells GitHub Actions: annotations on standard output, the job summary (`$GITHUB_STEP_SUMMARY`) and
//! the step outputs (`$GITHUB_OUTPUT`). [`summary`] renders them; [`Actions`] says where they go, read once from
//! the environment by the command line. The webhook server runs with [`Actions::off`]: it is no Actions job.

pub mod summary;

use std::io::Write;
use std::path::{Path, PathBuf};

use super::Format;
use crate::language::Language;

/// Where a run's Actions output goes; everything is optional.
#[derive(Debug, Clone, Default)]
pub struct Actions {
    /// `GITHUB_ACTIONS=true`: workflow-command annotations.
    pub annotations: bool,
    /// `$GITHUB_STEP_SUMMARY`.
    pub summary: Option<PathBuf>,
    /// `$GITHUB_OUTPUT`.
    pub outputs: Option<PathBuf>,
    /// `$GITHUB_SERVER_URL`, to link issues in the summary.
    pub server_url: Option<String>,
}

/// A non-empty environment variable.
fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

impl Actions {
    /// Outside Actions this is [`Actions::off`].
    pub fn from_env() -> Actions {
        Actions {
            annotations: env_var("GITHUB_ACTIONS").as_deref() == Some("true"),
            summary: env_var("GITHUB_STEP_SUMMARY").map(PathBuf::from),
            outputs: env_var("GITHUB_OUTPUT").map(PathBuf::from),
            server_url: env_var("GITHUB_SERVER_URL"),
        }
    }

    /// Tells nothing.
    pub fn off() -> Actions {
        Actions::default()
    }

    /// Annotations (on `out`, or on stderr beside JSON), the job summary and the step outputs of a run.
    pub fn publish(&self, out: &mut impl Write, run: &summary::Summary, format: Format) {
        if self.annotations {
            for line in summary::annotations(run) {
                let _ = match format {
                    Format::Text => writeln!(out, "{line}"),
                    Format::Json => writeln!(std::io::stderr(), "{line}"),
                };
            }
        }
        self.append_summary(&summary::markdown(run, self.server_url.as_deref()));
        append(
            self.outputs.as_ref(),
            "GITHUB_OUTPUT",
            &summary::outputs(run),
        );
    }

    /// Tells that the command stopped with `error`: on stderr, and as [`Actions::publish`] does, in the language
    /// of `config` when it loads (the error may be that it does not), else in English.
    pub fn publish_error(&self, out: &mut impl Write, config: &Path, error: &anyhow::Error) {
        let error = format!("{error:#}");
        eprintln!("error: {error}");
        let command = std::env::args().skip(1).collect::<Vec<_>>().join(" ");
        let lang = crate::config::load(config).map_or(Language::En, |c| c.sync.language);
        if self.annotations {
            let _ = writeln!(out, "{}", summary::error_annotation(&error, lang));
        }
        self.append_summary(&summary::error_markdown(&command, &error, lang));
    }

    /// Adds markdown to the job summary.
    pub fn append_summary(&self, markdown: &str) {
        append(self.summary.as_ref(), "GITHUB_STEP_SUMMARY", markdown);
    }
}

/// Appends to a file that Actions reads. A file that cannot be written costs a warning, never the run.
fn append(path: Option<&PathBuf>, variable: &str, text: &str) {
    let Some(path) = path else {
        return;
    };
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut f| f.write_all(text.as_bytes()));
    if let Err(e) = written {
        tracing::warn!("cannot write ${variable} ({}): {e}", path.display());
    }
}
