//! What a run tells GitHub Actions: the job summary (markdown for `$GITHUB_STEP_SUMMARY`), the workflow-command
//! annotations (`::error::`, `::warning::`, `::notice::`) and the step outputs (`$GITHUB_OUTPUT`).
//!
//! PURE: everything here renders text from a [`Plan`], an [`Applied`] writes and notes; [`Actions`](super::Actions)
//! says where they go.

use std::fmt::Write as _;

use crate::apply::Applied;
use crate::board::IssueRef;
use crate::event::Trigger;
use crate::language::Language;
use crate::markdown::{cell, text};
use crate::marker::Marker;
use crate::plan::{counted, plural, writes, Change, Decision, Outcome, Plan};

/// Rows per table in the job summary; a summary has to stay far below GitHub's 1 MiB per step.
pub const MAX_ROWS: usize = 100;
/// GitHub shows at most 10 annotations of each kind per step; the tenth says how many more there are.
pub const MAX_ANNOTATIONS: usize = 10;

/// One run of `sync` or `event`, as the job summary tells it.
#[derive(Debug, Clone, Copy)]
pub struct Summary<'a> {
    /// What ran, e.g. "full sync of digdir project 1".
    pub title: &'a str,
    pub plan: &'a Plan,
    /// What applying the plan did; `None` when nothing was applied (a dry run, or a refused plan).
    pub applied: Option<&'a Applied>,
    pub dry_run: bool,
    /// Why a plan that was no dry run was not applied (more writes than `sync.max_changes`).
    pub refused: Option<&'a str>,
    /// Things worth telling that are not decisions ("nothing to do: …", "… was added to the board").
    pub notes: &'a [String],
    /// The configuration's language: the summary and the annotations are for the people who run the portfolio.
    pub language: Language,
}

/// The numbers a workflow can read as step outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// Moves accepted (in a dry run: that would be accepted).
    pub accepted: usize,
    /// Moves refused because requirements are unmet (in a dry run: that would be refused).
    pub rejected: usize,
    /// Writes that failed.
    pub failed: usize,
    /// Writes done.
    pub writes: usize,
}

impl Summary<'_> {
    /// A plan that was refused changed nothing, so it accepted and rejected nothing either.
    pub fn counts(&self) -> Counts {
        if self.refused.is_some() {
            return Counts::default();
        }
        Counts {
            accepted: self.plan.count(Outcome::Accepted),
            rejected: self.plan.count(Outcome::Rejected),
            failed: self.applied.map_or(0, |r| r.failures.len()),
            writes: self.applied.map_or(0, |r| r.writes),
        }
    }
}

/// The step outputs, in the `name=value` lines of `$GITHUB_OUTPUT`.
pub fn outputs(run: &Summary) -> String {
    let c = run.counts();
    format!(
        "accepted={}\nrejected={}\nfailed={}\nwrites={}\n",
        c.accepted, c.rejected, c.failed, c.writes
    )
}

/// A title for an event's run (a full sync is titled by `sync`).
pub fn trigger_title(trigger: &Trigger, lang: Language) -> String {
    match trigger {
        Trigger::FullSync { .. } => lang.pick("full synkronisering", "full sync").into(),
        Trigger::Comment(c) => lang.pick(
            format!("kommentar fra {} på {}", c.author, c.issue),
            format!("comment by {} on {}", c.author, c.issue),
        ),
        Trigger::AddToBoard(e) => lang.pick(
            format!("ny sak {}", e.issue),
            format!("new issue {}", e.issue),
        ),
        Trigger::ReconcileIssue(e) => lang.pick(
            format!("endring i {}", e.issue),
            format!("change to {}", e.issue),
        ),
        Trigger::ReconcileItem { .. } => lang
            .pick("endring av et kort på tavla", "change to a board item")
            .into(),
        Trigger::Ignore(_) => lang.pick("hendelse", "event").into(),
    }
}

/// The job summary of a run, in GitHub-flavoured markdown. `server_url` (`$GITHUB_SERVER_URL`) turns issue names
/// into links; without it they are plain text.
pub fn markdown(run: &Summary, server_url: Option<&str>) -> String {
    let mut md = String::new();
    let plan = run.plan;
    let c = run.counts();
    let lang = run.language;
    let t = |nb: &'static str, en: &'static str| lang.pick(nb, en);
    let dry = if run.dry_run {
        t(" (prøvekjøring)", " (dry run)")
    } else {
        ""
    };
    let _ = writeln!(md, "## portfolio-sync: {}{dry}\n", text(run.title));

    // The state of the run, first: what someone opening the summary needs to know.
    let planned = plan.writes();
    if run.dry_run {
        let line = lang.pick(
            format!(
                "**Prøvekjøring: ingenting er endret.** {} er planlagt.",
                writes(lang, planned)
            ),
            format!(
                "**Dry run: nothing was written.** {} planned.",
                writes(lang, planned)
            ),
        );
        let _ = writeln!(md, "{line}\n");
    } else if let Some(why) = run.refused {
        let head = t(
            "**Avvist: ingenting er endret.**",
            "**Refused: nothing was written.**",
        );
        let _ = writeln!(md, "{head} {}\n", text(why));
    } else if c.failed > 0 {
        let line = lang.pick(
            format!(
                "**{} feilet** ({} utført). Neste kjøring prøver på nytt.",
                writes(lang, c.failed),
                c.writes
            ),
            format!(
                "**{} failed** ({} done). The next run retries them.",
                writes(lang, c.failed),
                c.writes
            ),
        );
        let _ = writeln!(md, "{line}\n");
    } else if planned == 0 {
        let _ = writeln!(md, "{}\n", t("Ingenting å gjøre.", "Nothing to do."));
    } else {
        let done = t("er utført", "done");
        let _ = writeln!(md, "{} {done}.\n", writes(lang, c.writes));
    }

    if !plan.decisions.is_empty() {
        let counts = plan.outcome_counts(" · ", lang);
        let items = counted(lang, plan.decisions.len(), ("kort", "kort"), "item");
        let _ = writeln!(md, "{items}: {counts}\n");
    }

    let moved: Vec<&Decision> = plan
        .decisions
        .iter()
        .filter(|d| matches!(d.outcome, Outcome::Accepted | Outcome::Adopted))
        .collect();
    if !moved.is_empty() {
        let verb = if run.dry_run || run.refused.is_some() {
            t("Ville flyttet", "Would move")
        } else {
            t("Flyttet", "Moved")
        };
        let _ = writeln!(md, "### {verb} ({})\n", moved.len());
        let header = t("| Sak | Fra | Til | |", "| Issue | From | To | |");
        let _ = writeln!(md, "{header}\n| --- | --- | --- | --- |");
        for d in moved.iter().take(MAX_ROWS) {
            let mut what = match d.outcome {
                Outcome::Adopted => t(
                    "overtatt: faseetiketten er satt, uten kontroll",
                    "adopted: phase label set, no checks",
                )
                .to_string(),
                _ => d.reason.clone(),
            };
            if handoff(plan, &d.item) {
                what.push_str(t("; overlevering varslet", "; handoff announced"));
            }
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} |",
                issue_link(&d.item, server_url),
                phase(&d.from),
                phase(&d.to),
                cell(&what)
            );
        }
        more(&mut md, moved.len(), lang);
    }

    let refused: Vec<&Decision> = plan
        .decisions
        .iter()
        .filter(|d| d.outcome == Outcome::Rejected)
        .collect();
    if !refused.is_empty() {
        let verb = if run.dry_run || run.refused.is_some() {
            t("Ville avvist", "Would refuse")
        } else {
            t("Avvist", "Refused")
        };
        let _ = writeln!(md, "### {verb} ({})\n", refused.len());
        let header = t(
            "| Sak | Flytting | Dette mangler |",
            "| Issue | Move | What is missing |",
        );
        let _ = writeln!(md, "{header}\n| --- | --- | --- |");
        for d in refused.iter().take(MAX_ROWS) {
            let missing = if d.missing.is_empty() {
                cell(&d.reason)
            } else {
                d.missing
                    .iter()
                    .map(|m| format!("• {}", cell(m)))
                    .collect::<Vec<_>>()
                    .join("<br>")
            };
            let _ = writeln!(
                md,
                "| {} | {} → {} | {missing} |",
                issue_link(&d.item, server_url),
                phase(&d.from),
                phase(&d.to)
            );
        }
        more(&mut md, refused.len(), lang);
    }

    if let Some(report) = run.applied.filter(|r| !r.failures.is_empty()) {
        let failed = t("Feilet", "Failed");
        let _ = writeln!(md, "### {failed} ({})\n", report.failures.len());
        let header = t("| Kort | Endring | Feil |", "| Item | Write | Error |");
        let _ = writeln!(md, "{header}\n| --- | --- | --- |");
        for f in report.failures.iter().take(MAX_ROWS) {
            let _ = writeln!(
                md,
                "| {} | {} | {} |",
                issue_link(&f.item, server_url),
                cell(&f.action),
                cell(&f.error)
            );
        }
        more(&mut md, report.failures.len(), lang);
        if report.skipped > 0 {
            let line = lang.pick(
                format!(
                    "{} for de samme kortene ble ikke forsøkt; neste kjøring gjør dem ferdig.",
                    counted(
                        lang,
                        report.skipped,
                        ("senere endring", "senere endringer"),
                        ""
                    )
                ),
                format!(
                    "{} of those items were not tried; the next run finishes them.",
                    plural(report.skipped, "later write")
                ),
            );
            let _ = writeln!(md, "{line}\n");
        }
    }

    if !run.notes.is_empty() {
        let _ = writeln!(md, "### {}\n", t("Merknader", "Notes"));
        for note in run.notes {
            let _ = writeln!(md, "- {}", text(note));
        }
        md.push('\n');
    }
    md
}

/// The job summary of a run that stopped with an error (bad configuration, unreadable event, GitHub unreachable).
/// The error itself is as the program wrote it.
pub fn error_markdown(title: &str, error: &str, lang: Language) -> String {
    format!(
        "## portfolio-sync: {}\n\n**{}**\n\n```text\n{}\n```\n\n",
        text(title),
        lang.pick(
            "Feilet: ingenting mer ble gjort.",
            "Failed: nothing more was done."
        ),
        error.replace("```", "'''")
    )
}

/// Annotations for a run: an error per failed write and for a refused plan, a warning per refused move, a notice
/// per note. At most [`MAX_ANNOTATIONS`] of each kind; the last one then tells how many more the summary lists.
pub fn annotations(run: &Summary) -> Vec<String> {
    let lang = run.language;
    let mut errors = Vec::new();
    if let Some(why) = run.refused {
        errors.push(annotation(
            "error",
            lang.pick("Planen er avvist", "Plan refused"),
            why,
        ));
    }
    for f in run.applied.iter().flat_map(|r| &r.failures) {
        let title = lang.pick(
            format!("Endring feilet: {}", f.item),
            format!("Write failed: {}", f.item),
        );
        errors.push(annotation(
            "error",
            &title,
            &format!("{}: {}", f.action, f.error),
        ));
    }
    let would = run.dry_run || run.refused.is_some();
    let warnings: Vec<String> = run
        .plan
        .decisions
        .iter()
        .filter(|d| d.outcome == Outcome::Rejected)
        .map(|d| {
            let title = match (would, lang) {
                (true, Language::Nb) => format!("Flyttingen ville blitt avvist: {}", d.item),
                (true, Language::En) => format!("Move would be refused: {}", d.item),
                (false, Language::Nb) => format!("Flyttingen er avvist: {}", d.item),
                (false, Language::En) => format!("Move refused: {}", d.item),
            };
            let mut message = format!("{} → {}: {}", phase(&d.from), phase(&d.to), d.reason);
            if !d.missing.is_empty() {
                let missing = lang.pick("Mangler", "Missing");
                let _ = write!(message, ". {missing}: {}", d.missing.join("; "));
            }
            annotation("warning", &title, &message)
        })
        .collect();
    let notices: Vec<String> = run
        .notes
        .iter()
        .map(|n| annotation("notice", "portfolio-sync", n))
        .collect();
    let mut out = Vec::new();
    for (kind, list) in [
        ("error", errors),
        ("warning", warnings),
        ("notice", notices),
    ] {
        out.extend(capped(kind, list, lang));
    }
    out
}

/// The annotation of a run that stopped with an error.
pub fn error_annotation(error: &str, lang: Language) -> String {
    let title = lang.pick("portfolio-sync feilet", "portfolio-sync failed");
    annotation("error", title, error)
}

fn capped(kind: &str, mut list: Vec<String>, lang: Language) -> Vec<String> {
    if list.len() > MAX_ANNOTATIONS {
        let more = list.len() - (MAX_ANNOTATIONS - 1);
        list.truncate(MAX_ANNOTATIONS - 1);
        let message = lang.pick(
            format!("…og {more} til: se jobbsammendraget"),
            format!("…and {more} more: see the job summary"),
        );
        list.push(annotation(kind, "portfolio-sync", &message));
    }
    list
}

/// A workflow command: `::kind title=TITLE::MESSAGE`, both escaped.
pub fn annotation(kind: &str, title: &str, message: &str) -> String {
    format!(
        "::{kind} title={}::{}",
        escape_property(title),
        escape_data(message)
    )
}

/// Escapes the message of a workflow command, as GitHub's runner reads it: `%`, CR and LF.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value of a workflow command (`title=`): the message's escapes plus `:` and `,`.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn handoff(plan: &Plan, item: &str) -> bool {
    plan.actions.iter().any(|a| {
        a.item == item
            && matches!(
                &a.change,
                Change::PostComment {
                    marker: Marker::Handoff(_),
                    ..
                }
            )
    })
}

fn more(md: &mut String, total: usize, lang: Language) {
    if total > MAX_ROWS {
        let n = total - MAX_ROWS;
        let line = lang.pick(
            format!("…og {n} til: hele planen står i loggen for steget."),
            format!("…and {n} more: the step's log has the full plan."),
        );
        let _ = writeln!(md, "\n{line}");
    }
    md.push('\n');
}

fn phase(p: &Option<String>) -> String {
    p.as_deref().map_or_else(|| "–".to_string(), text)
}

/// `owner/repo#N` as a link to the issue (when the server is known); anything else as text.
fn issue_link(item: &str, server_url: Option<&str>) -> String {
    match (server_url, IssueRef::parse(item, None)) {
        (Some(server), Some(issue)) if item.contains('#') => format!(
            "[{}]({}/{}/issues/{})",
            text(item),
            server.trim_end_matches('/'),
            issue.repository,
            issue.number
        ),
        _ => text(item),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apply::Failure;

    fn decision(item: &str, from: &str, to: &str, outcome: Outcome, missing: &[&str]) -> Decision {
        let phase = |p: &str| (!p.is_empty()).then(|| p.to_string());
        Decision {
            item: item.into(),
            from: phase(from),
            to: phase(to),
            outcome,
            missing: missing.iter().map(|m| m.to_string()).collect(),
            reason: match outcome {
                Outcome::Rejected => plural(missing.len(), "requirement") + " unmet",
                _ => format!("requirements of {to} met"),
            },
        }
    }

    fn plan() -> Plan {
        Plan {
            decisions: vec![
                decision("o/p#1", "Problem", "Konsept", Outcome::Accepted, &[]),
                decision(
                    "o/p#2",
                    "Konsept",
                    "Planlegging",
                    Outcome::Rejected,
                    &["Planlegging: OKR | <mål>", "Risiko_beskrevet"],
                ),
                decision("o/p#3", "", "Problem", Outcome::Adopted, &[]),
                decision("draft:PVTI_9", "", "Problem", Outcome::Skipped, &[]),
            ],
            actions: vec![],
        }
    }

    fn applied() -> Applied {
        Applied {
            writes: 4,
            already_done: 0,
            failures: vec![Failure {
                item: "o/p#3".into(),
                action: "add label fase/problem".into(),
                error: "HTTP 502: bad gateway\n100% sure".into(),
            }],
            skipped: 1,
        }
    }

    #[test]
    fn annotation_data_and_properties_are_escaped_as_the_runner_reads_them() {
        assert_eq!(escape_data("50% done\r\nnext"), "50%25 done%0D%0Anext");
        assert_eq!(escape_property("a: b, c%"), "a%3A b%2C c%25");
        assert_eq!(
            annotation("error", "Write failed: o/p#1", "line 1\nline 2: 100%"),
            "::error title=Write failed%3A o/p#1::line 1%0Aline 2: 100%25"
        );
    }

    #[test]
    fn the_summary_tells_what_moved_what_was_refused_and_why_and_what_failed() {
        let plan = plan();
        let applied = applied();
        let notes = vec!["nothing to do: *bold*".to_string()];
        let run = Summary {
            title: "full sync of o project 1",
            plan: &plan,
            applied: Some(&applied),
            dry_run: false,
            refused: None,
            notes: &notes,
            language: Language::En,
        };
        let md = markdown(&run, Some("https://github.com/"));
        assert!(
            md.starts_with("## portfolio-sync: full sync of o project 1\n"),
            "{md}"
        );
        assert!(md.contains("**1 write failed** (4 done)"), "{md}");
        assert!(
            md.contains("4 items: 1 accepted · 1 rejected · 1 adopted · 0 unchanged · 1 skipped"),
            "{md}"
        );
        assert!(md.contains("### Moved (2)"), "{md}");
        assert!(
            md.contains("| [o/p#1](https://github.com/o/p/issues/1) | Problem | Konsept | requirements of Konsept met |"),
            "{md}"
        );
        assert!(
            md.contains("| – | Problem | adopted: phase label set, no checks |"),
            "{md}"
        );
        assert!(md.contains("### Refused (1)"), "{md}");
        assert!(
            md.contains("| Konsept → Planlegging | • Planlegging: OKR \\| &lt;mål&gt;<br>• Risiko\\_beskrevet |"),
            "{md}"
        );
        assert!(md.contains("### Failed (1)"), "{md}");
        assert!(
            md.contains("| add label fase/problem | HTTP 502: bad gateway<br>100% sure |"),
            "{md}"
        );
        assert!(
            md.contains("1 later write of those items were not tried"),
            "{md}"
        );
        assert!(md.contains("- nothing to do: \\*bold\\*"), "{md}");
        assert!(
            !md.contains("draft:PVTI_9"),
            "skipped items are only counted: {md}"
        );
        assert_eq!(
            outputs(&run),
            "accepted=1\nrejected=1\nfailed=1\nwrites=4\n"
        );
    }

    #[test]
    fn a_dry_run_and_a_refused_plan_say_that_nothing_was_written() {
        let plan = plan();
        let mut run = Summary {
            title: "t",
            plan: &plan,
            applied: None,
            dry_run: true,
            refused: None,
            notes: &[],
            language: Language::En,
        };
        let md = markdown(&run, None);
        assert!(md.contains("## portfolio-sync: t (dry run)"), "{md}");
        assert!(
            md.contains("**Dry run: nothing was written.** 0 writes planned."),
            "{md}"
        );
        assert!(
            md.contains("### Would move (2)") && md.contains("### Would refuse (1)"),
            "{md}"
        );
        assert!(md.contains("| o/p#1 |"), "no server, no links: {md}");
        assert_eq!(
            outputs(&run),
            "accepted=1\nrejected=1\nfailed=0\nwrites=0\n"
        );
        assert!(
            annotations(&run)[0].starts_with("::warning title=Move would be refused%3A o/p#2::")
        );

        run.dry_run = false;
        run.refused = Some("the plan has 30 writes, more than sync.max_changes = 25");
        let md = markdown(&run, None);
        assert!(
            md.contains("**Refused: nothing was written.** the plan has 30 writes"),
            "{md}"
        );
        assert_eq!(
            outputs(&run),
            "accepted=0\nrejected=0\nfailed=0\nwrites=0\n"
        );
        assert_eq!(
            annotations(&run)[0],
            "::error title=Plan refused::the plan has 30 writes, more than sync.max_changes = 25"
        );
    }

    #[test]
    fn annotations_name_the_item_and_are_capped_per_kind() {
        let plan = plan();
        let applied = applied();
        let run = Summary {
            title: "t",
            plan: &plan,
            applied: Some(&applied),
            dry_run: false,
            refused: None,
            notes: &[],
            language: Language::En,
        };
        assert_eq!(
            annotations(&run),
            vec![
                "::error title=Write failed%3A o/p#3::add label fase/problem: HTTP 502: bad gateway%0A100%25 sure".to_string(),
                "::warning title=Move refused%3A o/p#2::Konsept → Planlegging: 2 requirements unmet. Missing: Planlegging: OKR | <mål>; Risiko_beskrevet".to_string(),
            ]
        );

        let many = Plan {
            decisions: (1..=25)
                .map(|n| decision(&format!("o/p#{n}"), "A", "B", Outcome::Rejected, &["x"]))
                .collect(),
            actions: vec![],
        };
        let run = Summary {
            plan: &many,
            applied: None,
            ..run
        };
        let lines = annotations(&run);
        assert_eq!(lines.len(), MAX_ANNOTATIONS);
        assert_eq!(
            lines[9],
            "::warning title=portfolio-sync::…and 16 more: see the job summary"
        );
    }

    #[test]
    fn long_tables_are_cut_and_say_so() {
        let many = Plan {
            decisions: (1..=MAX_ROWS + 5)
                .map(|n| decision(&format!("o/p#{n}"), "A", "B", Outcome::Accepted, &[]))
                .collect(),
            actions: vec![],
        };
        let run = Summary {
            title: "t",
            plan: &many,
            applied: None,
            dry_run: true,
            refused: None,
            notes: &[],
            language: Language::En,
        };
        let md = markdown(&run, None);
        assert_eq!(md.matches("| A | B |").count(), MAX_ROWS);
        assert!(
            md.contains("…and 5 more: the step's log has the full plan."),
            "{md}"
        );
    }

    #[test]
    fn in_bokmål_the_summary_and_the_annotations_are_bokmål() {
        let plan = plan();
        let applied = applied();
        let run = Summary {
            title: "full synkronisering av o prosjekt 1",
            plan: &plan,
            applied: Some(&applied),
            dry_run: false,
            refused: None,
            notes: &[],
            language: Language::Nb,
        };
        let md = markdown(&run, None);
        for line in [
            "**1 endring feilet** (4 utført). Neste kjøring prøver på nytt.",
            "4 kort: 1 godkjent · 1 avvist · 1 overtatt · 0 uendret · 1 hoppet over",
            "### Flyttet (2)",
            "| Sak | Fra | Til | |",
            "| o/p#3 | – | Problem | overtatt: faseetiketten er satt, uten kontroll |",
            "### Avvist (1)",
            "| Sak | Flytting | Dette mangler |",
            "### Feilet (1)",
            "1 senere endring for de samme kortene ble ikke forsøkt; neste kjøring gjør dem ferdig.",
        ] {
            assert!(md.contains(line), "{line}\n\n{md}");
        }
        assert_eq!(
            annotations(&run),
            vec![
                "::error title=Endring feilet%3A o/p#3::add label fase/problem: HTTP 502: bad gateway%0A100%25 sure".to_string(),
                "::warning title=Flyttingen er avvist%3A o/p#2::Konsept → Planlegging: 2 requirements unmet. Mangler: Planlegging: OKR | <mål>; Risiko_beskrevet".to_string(),
            ]
        );
        let dry = Summary {
            dry_run: true,
            applied: None,
            ..run
        };
        assert!(markdown(&dry, None).contains(
            "## portfolio-sync: full synkronisering av o prosjekt 1 (prøvekjøring)\n\n**Prøvekjøring: ingenting er endret.** 0 endringer er planlagt."
        ));
    }

    #[test]
    fn an_error_summary_keeps_the_message_in_a_code_block() {
        let md = error_markdown(
            "event",
            "config.toml:3:1: unknown key ```x```",
            Language::En,
        );
        assert!(
            md.contains("```text\nconfig.toml:3:1: unknown key '''x'''\n```"),
            "{md}"
        );
        assert_eq!(
            error_annotation("a\nb", Language::En),
            "::error title=portfolio-sync failed::a%0Ab"
        );
    }
}
