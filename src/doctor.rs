//! `doctor`: does the configuration fit the live board, and can the token do what the bot needs?
//! Reads only; every line says what was checked and, when it failed, what to do.

use crate::board::Snapshot;
use crate::config::Config;
use crate::forge::Forge;
use crate::preflight;

/// One checked thing.
#[derive(Debug, Clone, PartialEq, Eq)]
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
pub async fn examine<F: Forge>(forge: &mut F, config: &Config) -> Vec<Finding> {
    let b = &config.board;
    let snapshot = match forge.read_board().await {
        Ok(s) => s,
        Err(e) => {
            return vec![Finding::bad(format!(
                "cannot read project {} of {}: {e:#}\n    check the token's access to the project (Projects: read and write) and board.owner/board.project",
                b.project, b.owner
            ))]
        }
    };
    let mut findings = vec![
        Finding::ok(format!("the token reaches GitHub as {}", snapshot.bot)),
        Finding::ok(format!(
            "project {}/{} \"{}\": {} items, fields: {}",
            snapshot.board.owner,
            snapshot.board.number,
            snapshot.board.title,
            snapshot.items.len(),
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
        findings.push(labels(forge, config, repo).await);
    }
    for (name, team) in &config.teams {
        if let Some(repo) = &team.repository {
            findings.push(match forge.repo_labels(repo).await {
                Ok(_) => Finding::ok(format!("team {name}: repository {repo} is readable (tracking issues go there)")),
                Err(e) => Finding::bad(format!("team {name}: cannot read {repo}: {e:#}\n    give the token Issues: read and write there")),
            });
        }
    }
    findings
}

/// Fields the handoff reads only warn: a missing one leaves a line of the comment empty, nothing more.
fn handoff_fields(config: &Config, snapshot: &Snapshot) -> Vec<Finding> {
    let h = &config.handoff;
    [
        ("handoff.responsible_field", &h.responsible_field),
        ("handoff.team_field", &h.team_field),
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

async fn labels<F: Forge>(forge: &mut F, config: &Config, repo: &str) -> Finding {
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
            "cannot read {repo}: {e:#}\n    give the token Issues: read and write on it"
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
        format!("\n{bad} problem(s): fix them before the first sync.\n")
    });
    out
}
