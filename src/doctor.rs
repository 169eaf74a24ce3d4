//! `doctor`: does the configuration fit the live board, and can the token do what the bot needs?
//! Reads only; every line says what was checked and, when it failed, what to do.

use serde::Serialize;

use crate::board::Snapshot;
use crate::config::Config;
use crate::forge::Forge;
use crate::github::GitHubError;
use crate::plan::plural;
use crate::preflight;

/// Where the board is read from, and with what: a snapshot needs no token, so `doctor` must not claim one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// A snapshot file (its path as given).
    Snapshot(String),
    /// GitHub, with a credential from this source (`GH_TOKEN`, `gh auth token`, ...; never the value).
    GitHub { credential: String },
}

/// One checked thing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub ok: bool,
    /// Not ok because the configuration names something the board does not have: the configuration is wrong,
    /// not the token or GitHub.
    pub misfit: bool,
    pub text: String,
}

impl Finding {
    fn ok(text: impl Into<String>) -> Finding {
        Finding {
            ok: true,
            misfit: false,
            text: text.into(),
        }
    }

    fn bad(text: impl Into<String>) -> Finding {
        Finding {
            ok: false,
            misfit: false,
            text: text.into(),
        }
    }

    fn misfit(text: impl Into<String>) -> Finding {
        Finding {
            misfit: true,
            ..Finding::bad(text)
        }
    }
}

/// What the findings come to, worst first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The configuration does not fit the board: what `sync` refuses to run on.
    Misfit,
    /// The token cannot read something, or GitHub failed.
    Problems,
    AllGood,
}

pub fn verdict(findings: &[Finding]) -> Verdict {
    if findings.iter().any(|f| f.misfit) {
        Verdict::Misfit
    } else if findings.iter().any(|f| !f.ok) {
        Verdict::Problems
    } else {
        Verdict::AllGood
    }
}

/// Everything `doctor` checks, in the order a person would fix them.
pub async fn examine<F: Forge>(forge: &mut F, config: &Config, access: &Access) -> Vec<Finding> {
    let b = &config.board;
    let snapshot = match forge.read_board().await {
        Ok(s) => s,
        Err(e) => {
            return vec![Finding::bad(format!(
                "cannot read project {} of {}: {e:#}\n    {}",
                b.project,
                b.owner,
                advice(
                    &e,
                    access,
                    "Projects: read and write on the organisation, and board.owner/board.project"
                )
            ))]
        }
    };
    let reach = match access {
        Access::Snapshot(path) => format!(
            "the board comes from the snapshot {path}: no token is used, so GitHub access is not checked (run doctor without --snapshot for that)"
        ),
        Access::GitHub { credential } => format!(
            "the token from {credential} reaches GitHub as {}",
            snapshot.bot
        ),
    };
    let mut findings = vec![
        Finding::ok(reach),
        Finding::ok(format!(
            "project {}/{} \"{}\": {}, fields: {}",
            snapshot.board.owner,
            snapshot.board.number,
            snapshot.board.title,
            plural(snapshot.items.len(), "item"),
            snapshot
                .board
                .fields
                .iter()
                .map(|f| f.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    ];
    match preflight::check(config, &snapshot.board) {
        Ok(()) => findings.push(Finding::ok(format!(
            "every phase's Status option and every required field exists ({} phases)",
            config.phases.len()
        ))),
        Err(m) => findings.extend(m.problems.into_iter().map(Finding::misfit)),
    }
    findings.extend(handoff_fields(config, &snapshot));
    for repo in &b.repositories {
        findings.push(labels(forge, config, repo, access).await);
    }
    for (name, team) in &config.teams {
        if let Some(repo) = &team.repository {
            findings.push(match forge.repo_labels(repo).await {
                Ok(_) => Finding::ok(format!(
                    "team {name}: repository {repo} is readable (tracking issues go there)"
                )),
                Err(e) => Finding::bad(format!(
                    "team {name}: cannot read {repo}: {e:#}\n    {}",
                    advice(&e, access, "Issues: read and write there")
                )),
            });
        }
    }
    findings
}

/// What to do about a failed read: only an answer from GitHub says anything about the token. No answer at all is
/// the network (or the API address), and a snapshot has no token to blame.
fn advice(error: &anyhow::Error, access: &Access, scopes: &str) -> String {
    if let Access::Snapshot(path) = access {
        return format!("check the snapshot file {path}");
    }
    match error
        .chain()
        .find_map(|e| e.downcast_ref::<GitHubError>())
    {
        Some(GitHubError::Transport { .. }) => "GitHub did not answer: check the network connection, a proxy, and GITHUB_API_URL / GITHUB_GRAPHQL_URL".to_string(),
        Some(GitHubError::RateLimited { .. }) => "GitHub's rate limit: wait, then run doctor again".to_string(),
        Some(GitHubError::Http { status: 401, .. }) => "GitHub did not accept the token: it may have expired or been revoked; make a new one".to_string(),
        _ => format!("check the token's access ({scopes})"),
    }
}

/// Fields the handoff reads only warn: a missing one leaves a line of the comment empty, nothing more.
fn handoff_fields(config: &Config, snapshot: &Snapshot) -> Vec<Finding> {
    let h = &config.handoff;
    [
        ("handoff.responsible_field", &h.responsible_field),
        ("handoff.team_field", &h.team_field),
        ("handoff.funding_field", &h.funding_field),
    ]
    .into_iter()
    .filter_map(|(key, field)| {
        let field = field.as_deref()?;
        Some(match snapshot.board.field(field) {
            Some(_) => Finding::ok(format!("{key} \"{field}\" exists")),
            None => Finding::misfit(format!(
                "{key} names \"{field}\", which the board does not have"
            )),
        })
    })
    .collect()
}

async fn labels<F: Forge>(forge: &mut F, config: &Config, repo: &str, access: &Access) -> Finding {
    match forge.repo_labels(repo).await {
        Ok(existing) => {
            let missing: Vec<String> = config
                .phases
                .iter()
                .map(|(i, _)| config.phase_label(i))
                .chain([config.sync.blocked_label.clone()])
                .filter(|l| !existing.iter().any(|e| e.eq_ignore_ascii_case(l)))
                .collect();
            if missing.is_empty() {
                Finding::ok(format!("{repo}: every phase label exists"))
            } else {
                Finding::ok(format!(
                    "{repo}: readable; the bot will create {}",
                    missing.join(", ")
                ))
            }
        }
        Err(e) => Finding::bad(format!(
            "cannot read {repo}: {e:#}\n    {}",
            advice(&e, access, "Issues: read and write on it")
        )),
    }
}

/// The findings as lines a person reads top to bottom.
pub fn render(findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        out.push_str(if f.ok { "✓ " } else { "✗ " });
        out.push_str(&f.text);
        out.push('\n');
    }
    let bad = findings.iter().filter(|f| !f.ok).count();
    out.push_str(&if bad == 0 {
        "\nAll good: try `portfolio-sync sync --dry-run` next.\n".to_string()
    } else {
        format!(
            "\n{}: fix {} before the first sync.\n",
            plural(bad, "problem"),
            if bad == 1 { "it" } else { "them" }
        )
    });
    out
}

/// The findings for scripts: `{"ok": bool, "problems": N, "findings": [{"ok": bool, "text": "..."}]}`.
pub fn to_json(findings: &[Finding]) -> serde_json::Value {
    let bad = findings.iter().filter(|f| !f.ok).count();
    serde_json::json!({ "ok": bad == 0, "problems": bad, "findings": findings })
}
