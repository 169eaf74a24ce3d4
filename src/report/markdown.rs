//! The report as a markdown page (GitHub-flavoured, with Mermaid charts GitHub draws), in bokmål or English.

use std::fmt::Write as _;

use super::*;
use crate::language::Language;
use crate::markdown::{cell, mermaid_label};
use crate::marker::Marker;

/// GitHub refuses issue bodies longer than this (characters; we count bytes, which is stricter).
pub const ISSUE_BODY_LIMIT: usize = 65_536;

/// The body of the report issue: the marker, then the report cut down to fit GitHub's limit.
pub fn issue_body(report: &Report, language: Language) -> String {
    let head = format!("{}\n", Marker::Report);
    let page = to_markdown_within(report, language, ISSUE_BODY_LIMIT - head.len());
    head + &page
}

/// The report as a page for the weekly meeting (GitHub-flavoured markdown), every row included.
pub fn to_markdown(report: &Report, language: Language) -> String {
    Page::new(report, language, usize::MAX).render()
}

/// Like [`to_markdown`], with long tables cut until the page fits in `max_bytes` (an issue body holds 65,536
/// characters, a job summary 1 MiB). The JSON report always has every row.
pub fn to_markdown_within(report: &Report, language: Language, max_bytes: usize) -> String {
    let mut rows = usize::MAX;
    loop {
        let page = Page::new(report, language, rows).render();
        if page.len() <= max_bytes {
            return page;
        }
        if rows <= 1 {
            return cut(&page, max_bytes);
        }
        let longest = [
            report.ready.len(),
            report.blocked.len(),
            report.time_in_phase.len(),
            report.awaiting_archive.len(),
            report.recent_handoffs.len(),
            report.not_on_board.len(),
            report.skipped.len(),
        ]
        .into_iter()
        .max()
        .unwrap_or(0);
        rows = rows.min(longest) / 2;
    }
}

/// The first `max_bytes` of `text`, on a line boundary where possible.
fn cut(text: &str, max_bytes: usize) -> String {
    let mut end = max_bytes.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let head = &text[..end];
    head.rfind('\n').map_or(head, |nl| &head[..=nl]).to_string()
}

/// The title of the Mermaid pie and the table of phases.
fn phases_title(lang: Language) -> &'static str {
    lang.pick("Tiltak per fase", "Initiatives per phase")
}

/// A Mermaid `pie` chart of `(label, value)`; zero slices are left out (the table shows them), `None` when nothing
/// is left to draw.
pub fn mermaid_pie(title: &str, slices: &[(String, usize)]) -> Option<String> {
    let shown: Vec<&(String, usize)> = slices.iter().filter(|(_, n)| *n > 0).collect();
    if shown.is_empty() {
        return None;
    }
    let mut out = String::from("```mermaid\npie showData\n");
    let _ = writeln!(out, "    title {}", mermaid_label(title));
    for (label, n) in shown {
        let _ = writeln!(out, "    \"{}\" : {n}", mermaid_label(label));
    }
    out.push_str("```\n");
    Some(out)
}

/// A Mermaid `xychart-beta` with a bar per quarter entering and a line per quarter reaching the last phase;
/// `None` when every quarter is zero (the table says so).
fn mermaid_bars(title: &str, axis: &str, quarters: &[flow::Quarter]) -> Option<String> {
    let top = quarters.iter().map(|q| q.entered.max(q.reached)).max()?;
    if top == 0 {
        return None;
    }
    let list = |f: &dyn Fn(&flow::Quarter) -> usize| {
        quarters
            .iter()
            .map(|q| f(q).to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let names = quarters
        .iter()
        .map(|q| format!("\"{}\"", mermaid_label(&q.quarter)))
        .collect::<Vec<_>>()
        .join(", ");
    let mut out = String::from("```mermaid\nxychart-beta\n");
    let _ = writeln!(out, "    title \"{}\"", mermaid_label(title));
    let _ = writeln!(out, "    x-axis [{names}]");
    let _ = writeln!(out, "    y-axis \"{}\" 0 --> {top}", mermaid_label(axis));
    let _ = writeln!(out, "    bar [{}]", list(&|q| q.entered));
    let _ = writeln!(out, "    line [{}]", list(&|q| q.reached));
    out.push_str("```\n");
    Some(out)
}

/// `12,5` (bokmål) / `12.5`, and how many have no value.
pub(crate) fn effort_text(sum: Option<f64>, without: usize, lang: Language) -> String {
    let number = |n: f64| {
        let text = if n.fract() == 0.0 {
            format!("{n:.0}")
        } else {
            format!("{n:.1}")
        };
        match lang {
            Language::Nb => text.replace('.', ","),
            Language::En => text,
        }
    };
    match (sum, without, lang) {
        (Some(n), 0, _) => number(n),
        (Some(n), k, Language::Nb) => format!("{} ({k} uten)", number(n)),
        (Some(n), k, Language::En) => format!("{} ({k} without)", number(n)),
        (None, _, _) => "–".to_string(),
    }
}

const MONTHS_NB: [&str; 12] = [
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS_NB: [&str; 7] = [
    "mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag",
];
const WEEKDAYS_EN: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// `mandag 10. november 2025` / `Monday 10 November 2025`.
pub(super) fn long_date(day: Day, lang: Language) -> String {
    let (y, m, d) = day.ymd();
    let month = (m as usize).saturating_sub(1).min(11);
    let weekday = (day.weekday() as usize).min(6);
    match lang {
        Language::Nb => format!("{} {d}. {} {y}", WEEKDAYS_NB[weekday], MONTHS_NB[month]),
        Language::En => format!("{} {d} {} {y}", WEEKDAYS_EN[weekday], MONTHS_EN[month]),
    }
}

/// The markdown page being written.
struct Page<'a> {
    report: &'a Report,
    lang: Language,
    /// Rows per table; the rest is counted in a last line.
    max_rows: usize,
    out: String,
}

impl<'a> Page<'a> {
    fn new(report: &'a Report, lang: Language, max_rows: usize) -> Self {
        Page {
            report,
            lang,
            max_rows,
            out: String::new(),
        }
    }

    fn t(&self, nb: &'static str, en: &'static str) -> &'static str {
        self.lang.pick(nb, en)
    }

    fn render(mut self) -> String {
        self.intro();
        self.phases();
        self.ready();
        self.blocked();
        self.stale();
        self.awaiting_archive();
        self.handoffs();
        self.not_on_board();
        self.skipped();
        self.flow();
        self.time_in_phase();
        self.out
    }

    fn intro(&mut self) {
        let r = self.report;
        let (year, _, _) = r.date.ymd();
        let heading = match self.lang {
            Language::Nb => format!("## Porteføljestatus uke {}, {year}", r.date.iso_week()),
            Language::En => format!("## Portfolio status, week {} of {year}", r.date.iso_week()),
        };
        let stale = r.time_in_phase.iter().filter(|t| t.stale).count();
        let project = format!(
            "{}, {} {}",
            cell(&r.board.owner),
            self.t("prosjekt", "project"),
            r.board.number
        );
        let board = if r.board.title.trim().is_empty() {
            project
        } else {
            format!("**{}** ({project})", cell(&r.board.title))
        };
        let summary = match self.lang {
            Language::Nb => format!(
                "Tavla {board}, {}: **{}** tiltak, **{}** kan gå videre, **{}** er blokkert, **{stale}** er stillestående.",
                long_date(r.date, self.lang),
                r.initiatives,
                r.ready.len(),
                r.blocked.len(),
            ),
            Language::En => format!(
                "Board {board}, {}: **{}** {}, **{}** ready to advance, **{}** blocked, **{stale}** stale.",
                long_date(r.date, self.lang),
                r.initiatives,
                if r.initiatives == 1 { "initiative" } else { "initiatives" },
                r.ready.len(),
                r.blocked.len(),
            ),
        };
        let _ = write!(self.out, "{heading}\n\n{summary}\n");
    }

    fn section(&mut self, title: &str) {
        let _ = write!(self.out, "\n### {title}\n\n");
    }

    fn none(&mut self) {
        let none = self.t("_Ingen._", "_None._");
        let _ = writeln!(self.out, "{none}");
    }

    /// A table, cut after `max_rows` rows with a line saying how many more there are.
    fn table(&mut self, headers: &[&str], rows: Vec<Vec<String>>) {
        let _ = writeln!(self.out, "| {} |", headers.join(" | "));
        let _ = writeln!(self.out, "|{}", " --- |".repeat(headers.len()));
        let total = rows.len();
        for row in rows.into_iter().take(self.max_rows) {
            let _ = writeln!(self.out, "| {} |", row.join(" | "));
        }
        if total > self.max_rows {
            let more = total - self.max_rows;
            let line = match self.lang {
                Language::Nb => format!(
                    "\n… og {more} til (alle står i `portfolio-sync report --format json`)."
                ),
                Language::En => format!(
                    "\n… and {more} more (all are in `portfolio-sync report --format json`)."
                ),
            };
            let _ = writeln!(self.out, "{line}");
        }
    }

    /// `[#48](url) Title`; issues outside the first configured repository keep their full name.
    fn link(&self, i: &Initiative) -> String {
        let main = self.report.board.repositories.first();
        let name = match i.item.rsplit_once('#') {
            Some((repo, n)) if main.is_some_and(|m| m.eq_ignore_ascii_case(repo)) => {
                format!("#{n}")
            }
            _ => i.item.clone(),
        };
        let name = match &i.url {
            Some(url) => format!("[{name}]({url})"),
            None => name,
        };
        if i.title.trim().is_empty() {
            name
        } else {
            format!("{name} {}", cell(&i.title))
        }
    }

    fn phases(&mut self) {
        let title = phases_title(self.lang);
        self.section(title);
        let r = self.report;
        let mut rows: Vec<Vec<String>> = r
            .phases
            .iter()
            .map(|p| {
                let name = if p.handoff {
                    format!(
                        "{} {}",
                        cell(&p.phase),
                        self.t("(overlevering)", "(handoff)")
                    )
                } else {
                    cell(&p.phase)
                };
                vec![
                    name,
                    p.count.to_string(),
                    p.stale.to_string(),
                    p.stale_days
                        .map_or_else(|| "–".to_string(), |d| d.to_string()),
                ]
            })
            .collect();
        let stale: usize = r.phases.iter().map(|p| p.stale).sum();
        rows.push(vec![
            format!("**{}**", self.t("Sum", "Total")),
            format!("**{}**", r.initiatives),
            format!("**{stale}**"),
            String::new(),
        ]);
        let headers = [
            self.t("Fase", "Phase"),
            self.t("Tiltak", "Initiatives"),
            self.t("Stillestående", "Stale"),
            self.t("Stillestående etter (dager)", "Stale after (days)"),
        ];
        // Every phase is a row, whatever max_rows says: the table is as long as the process.
        let max = std::mem::replace(&mut self.max_rows, usize::MAX);
        self.table(&headers, rows);
        self.max_rows = max;
        let slices: Vec<(String, usize)> = r
            .phases
            .iter()
            .map(|p| (p.phase.clone(), p.count))
            .collect();
        if let Some(pie) = mermaid_pie(title, &slices) {
            let _ = write!(self.out, "\n{pie}");
        }
    }

    fn ready(&mut self) {
        self.section(self.t("Klare til å gå videre", "Ready to advance"));
        let r = self.report;
        if r.ready.is_empty() {
            return self.none();
        }
        let intro = self.t(
            "Oppfyller alle automatiske krav til neste fase. Porteføljekontoret avgjør, etter kriteriene under tabellen.",
            "Meet every automatic requirement of their next phase. The portfolio office decides, on the criteria below the table.",
        );
        // A column for the decisions only where a next phase asks for one.
        let gated = r
            .ready
            .iter()
            .any(|x| !x.decided.is_empty() || !x.awaiting.is_empty());
        let how = match gated {
            true => self.t(
                " Vedtakene registreres med `/godkjenn <fase> [forum] [referanse]` på saken.",
                " Decisions are recorded with `/approve <phase> [forum] [reference]` on the issue.",
            ),
            false => "",
        };
        let _ = writeln!(self.out, "{intro}{how}\n");
        let rows = r
            .ready
            .iter()
            .map(|x| {
                let mut row = vec![
                    self.link(&x.initiative),
                    format!("{} → {}", cell(&x.phase), cell(&x.next)),
                    self.met(x.requirements),
                ];
                if gated {
                    let waiting = self.t("venter", "waiting");
                    let decisions: Vec<String> =
                        (x.decided.iter().map(|d| format!("✅ {}", cell(d))))
                            .chain(
                                x.awaiting
                                    .iter()
                                    .map(|a| format!("⏳ {waiting}: {}", cell(a))),
                            )
                            .collect();
                    row.push(decisions.join("<br>"));
                }
                row
            })
            .collect();
        let mut headers = vec![
            self.t("Tiltak", "Initiative"),
            self.t("Fase → neste", "Phase → next"),
            self.t("Krav", "Requirements"),
        ];
        if gated {
            headers.push(self.t("Vedtak", "Decisions"));
        }
        self.table(&headers, rows);
        self.manual_criteria();
    }

    /// `4 av 4 oppfylt`.
    fn met(&self, n: usize) -> String {
        match self.lang {
            Language::Nb => format!("{n} av {n} oppfylt"),
            Language::En => format!("{n} of {n} met"),
        }
    }

    /// What the meeting judges before each next phase that someone is ready for: once per phase, not per row.
    fn manual_criteria(&mut self) {
        let mut done: Vec<&str> = Vec::new();
        for x in &self.report.ready {
            if done.contains(&x.next.as_str()) || x.manual.is_empty() {
                continue;
            }
            done.push(&x.next);
            let lead = match self.lang {
                Language::Nb => format!("\nVurderes før **{}**:\n", cell(&x.next)),
                Language::En => format!("\nTo judge before **{}**:\n", cell(&x.next)),
            };
            self.out.push_str(&lead);
            for m in &x.manual {
                let _ = writeln!(self.out, "- {}", cell(m));
            }
        }
    }

    fn blocked(&mut self) {
        self.section(self.t("Blokkert", "Blocked"));
        let r = self.report;
        if r.blocked.is_empty() {
            return self.none();
        }
        let rows = r
            .blocked
            .iter()
            .map(|b| {
                // The phase moved to is in the row already; lines of phases skipped on the way keep their name.
                let prefix = format!("{}: ", b.requested);
                let missing: Vec<String> = b
                    .missing
                    .iter()
                    .map(|m| cell(m.strip_prefix(&prefix).unwrap_or(m)))
                    .collect();
                let handling = match b.handling {
                    Handling::Reverted => self.t("flyttes tilbake", "moved back"),
                    Handling::Flagged => self.t("flagget", "flagged"),
                };
                vec![
                    self.link(&b.initiative),
                    format!("{} → {}", cell(&b.accepted), cell(&b.requested)),
                    handling.to_string(),
                    missing.join("<br>"),
                ]
            })
            .collect();
        let headers = [
            self.t("Tiltak", "Initiative"),
            self.t("Flyttet", "Moved"),
            self.t("Kortet", "Card"),
            self.t("Mangler", "Missing"),
        ];
        self.table(&headers, rows);
    }

    fn stale(&mut self) {
        self.section(self.t("Stillestående", "Stale"));
        let r = self.report;
        let stale: Vec<&TimeInPhase> = r.time_in_phase.iter().filter(|t| t.stale).collect();
        if stale.is_empty() {
            return self.none();
        }
        let intro = self.t(
            "Har stått i fasen lenger enn grensen tillater.",
            "In their phase for longer than the phase's limit.",
        );
        let _ = writeln!(self.out, "{intro}\n");
        let rows = stale
            .iter()
            .map(|t| {
                vec![
                    self.link(&t.initiative),
                    cell(&t.phase),
                    t.days.map_or_else(String::new, |d| d.to_string()),
                    t.stale_days.map_or_else(String::new, |d| d.to_string()),
                ]
            })
            .collect();
        let headers = [
            self.t("Tiltak", "Initiative"),
            self.t("Fase", "Phase"),
            self.t("Dager i fasen", "Days in phase"),
            self.t("Grense", "Limit"),
        ];
        self.table(&headers, rows);
    }

    /// Done, but the card is still on the board: the last criterion of done is archiving it.
    fn awaiting_archive(&mut self) {
        let r = self.report;
        if r.awaiting_archive.is_empty() {
            return;
        }
        self.section(self.t("Venter på arkivering", "Waiting to be archived"));
        let intro = self.t(
            "Tiltak i siste fase som fortsatt står på tavla. Arkiver kortet når resten av definisjonen av ferdig er oppfylt.",
            "Initiatives in the last phase that are still on the board. Archive the card once the rest of the definition of done is met.",
        );
        let _ = writeln!(
            self.out,
            "{intro}
"
        );
        let unknown = self.t("ukjent", "unknown");
        let rows = r
            .awaiting_archive
            .iter()
            .map(|t| {
                vec![
                    self.link(&t.initiative),
                    cell(&t.phase),
                    t.days
                        .map_or_else(|| unknown.to_string(), |d| d.to_string()),
                ]
            })
            .collect();
        let headers = [
            self.t("Tiltak", "Initiative"),
            self.t("Fase", "Phase"),
            self.t("Dager i fasen", "Days in phase"),
        ];
        self.table(&headers, rows);
    }

    fn handoffs(&mut self) {
        let r = self.report;
        let title = match self.lang {
            Language::Nb => format!("Nylige overleveringer (siste {} dager)", r.recent_days),
            Language::En => format!("Recent handoffs (last {} days)", r.recent_days),
        };
        self.section(&title);
        if r.recent_handoffs.is_empty() {
            return self.none();
        }
        let rows = r
            .recent_handoffs
            .iter()
            .map(|h| {
                vec![
                    self.link(&h.initiative),
                    cell(&h.phase),
                    h.since.to_string(),
                    self.teams(&h.teams),
                ]
            })
            .collect();
        let headers = [
            self.t("Tiltak", "Initiative"),
            self.t("Fase", "Phase"),
            self.t("Dato", "Date"),
            self.t("Team", "Teams"),
        ];
        self.table(&headers, rows);
    }

    /// Team names with their GitHub team as code: the handoff comment already notified them, a weekly page
    /// should not.
    fn teams(&self, teams: &[Team]) -> String {
        if teams.is_empty() {
            return self.t("ikke angitt", "not given").to_string();
        }
        let named: Vec<String> = teams
            .iter()
            .map(|t| match &t.github_team {
                Some(gt) => format!("{} (`@{}`)", cell(&t.name), gt.replace('`', "")),
                None => cell(&t.name),
            })
            .collect();
        named.join(", ")
    }

    fn not_on_board(&mut self) {
        self.section(self.t("Ikke på tavla", "Not on the board"));
        let r = self.report;
        let intro = match self.lang {
            Language::Nb => format!(
                "Åpne saker i {} som ikke ligger på tavla.",
                r.board.repositories.join(", ")
            ),
            Language::En => format!(
                "Open issues in {} that are not on the board.",
                r.board.repositories.join(", ")
            ),
        };
        let _ = writeln!(self.out, "{intro}\n");
        if r.not_on_board.is_empty() {
            return self.none();
        }
        let rows = r.not_on_board.iter().map(|i| vec![self.link(i)]).collect();
        self.table(&[self.t("Sak", "Issue")], rows);
    }

    fn skipped(&mut self) {
        self.section(self.t("Hoppet over", "Skipped"));
        let r = self.report;
        let intro = self.t(
            "Kort på tavla som boten ikke behandler, så ingenting forsvinner ubemerket.",
            "Cards on the board the bot does not handle, so that nothing is left out silently.",
        );
        let _ = writeln!(self.out, "{intro}\n");
        if r.skipped.is_empty() {
            return self.none();
        }
        let rows = r
            .skipped
            .iter()
            .map(|s| {
                let who = Initiative {
                    item: s.item.clone(),
                    title: s.title.clone(),
                    url: s.url.clone(),
                };
                vec![self.link(&who), self.skip_reason(&s.why)]
            })
            .collect();
        let headers = [self.t("Kort", "Card"), self.t("Hvorfor", "Why")];
        self.table(&headers, rows);
    }

    fn skip_reason(&self, why: &SkipReason) -> String {
        match why {
            SkipReason::Draft => self.t("utkast, ikke en sak", "draft, not an issue").into(),
            SkipReason::PullRequest => "pull request".into(),
            SkipReason::Archived => self.t("arkivert", "archived").into(),
            SkipReason::Closed => self.t("lukket", "closed").into(),
            SkipReason::OtherRepository { repository } => match self.lang {
                Language::Nb => format!(
                    "fra {}, som ikke er ett av tavlas repositorier",
                    cell(repository)
                ),
                Language::En => format!(
                    "from {}, not one of the board's repositories",
                    cell(repository)
                ),
            },
            SkipReason::UnknownStatus { status } => match self.lang {
                Language::Nb => format!("Status «{}» er ikke en konfigurert fase", cell(status)),
                Language::En => format!("Status “{}” is not a configured phase", cell(status)),
            },
            SkipReason::Other { detail } => cell(detail),
        }
    }

    /// How work flows: time in phase, lead time, throughput (with a Mermaid bar chart), load per team and group.
    fn flow(&mut self) {
        let f = &self.report.flow;
        self.section(self.t("Flyt", "Flow"));
        let days = |d: Option<u32>| d.map_or_else(|| "–".to_string(), |d| d.to_string());
        let lead = &f.lead_time;
        let line = match (self.lang, lead.median_days, lead.p85_days) {
            (Language::Nb, Some(median), Some(p85)) => format!(
                "Ledetid fra {} til {}: median **{median}** dager, 85 % innen **{p85}** dager ({} tiltak med kjent historikk).",
                cell(&lead.from),
                cell(&lead.to),
                lead.count
            ),
            (Language::En, Some(median), Some(p85)) => format!(
                "Lead time from {} to {}: median **{median}** days, 85% within **{p85}** days ({} with a known history).",
                cell(&lead.from),
                cell(&lead.to),
                lead.count
            ),
            (Language::Nb, _, _) => format!(
                "Ledetid fra {} til {}: ingen tiltak med kjent historikk ennå.",
                cell(&lead.from),
                cell(&lead.to)
            ),
            (Language::En, _, _) => format!(
                "Lead time from {} to {}: no initiative with a known history yet.",
                cell(&lead.from),
                cell(&lead.to)
            ),
        };
        let _ = writeln!(
            self.out,
            "{line}
"
        );
        let rows = f
            .time_in_phase
            .iter()
            .map(|p| {
                vec![
                    cell(&p.phase),
                    p.finished.to_string(),
                    days(p.median_days),
                    days(p.p85_days),
                    p.unknown_start.to_string(),
                    p.ongoing.to_string(),
                ]
            })
            .collect();
        let headers = [
            self.t("Fase", "Phase"),
            self.t("Avsluttede opphold", "Finished stays"),
            self.t("Median (dager)", "Median (days)"),
            self.t("85. persentil (dager)", "85th percentile (days)"),
            self.t("Ukjent start", "Unknown start"),
            self.t("I fasen nå", "In the phase now"),
        ];
        self.table(&headers, rows);

        let t = &f.throughput;
        let title = match self.lang {
            Language::Nb => format!(
                "Gjennomstrømning per kvartal: inn i {} og til {}",
                t.entered_phase, t.reached_phase
            ),
            Language::En => format!(
                "Throughput per quarter: into {} and to {}",
                t.entered_phase, t.reached_phase
            ),
        };
        let _ = write!(
            self.out,
            "
#### {}

",
            cell(&title)
        );
        if let Some(chart) = mermaid_bars(&title, self.t("Tiltak", "Initiatives"), &t.quarters) {
            let _ = writeln!(self.out, "{chart}");
        }
        let rows = t
            .quarters
            .iter()
            .map(|q| {
                vec![
                    q.quarter.clone(),
                    q.entered.to_string(),
                    q.reached.to_string(),
                ]
            })
            .collect();
        let entered = match self.lang {
            Language::Nb => format!("Inn i {}", cell(&t.entered_phase)),
            Language::En => format!("Into {}", cell(&t.entered_phase)),
        };
        let reached = match self.lang {
            Language::Nb => format!("Til {}", cell(&t.reached_phase)),
            Language::En => format!("To {}", cell(&t.reached_phase)),
        };
        self.table(&[self.t("Kvartal", "Quarter"), &entered, &reached], rows);

        let load = &f.load;
        let effort = load.effort_field.as_deref().map(cell);
        // Groups only when the configuration names the field that says which group an initiative belongs to.
        let tables = [
            (
                &load.teams,
                self.t("Belastning per team", "Load per team"),
                "Team",
                true,
            ),
            (
                &load.groups,
                self.t("Belastning per produktgruppe", "Load per product group"),
                self.t("Produktgruppe", "Product group"),
                load.group_field.is_some(),
            ),
        ];
        for (entries, title, what, shown) in tables {
            if !shown {
                continue;
            }
            let _ = write!(
                self.out,
                "
#### {title}

"
            );
            let note = if what == "Team" {
                self.t(
                    "Åpne tiltak som er i gang (etter første fase, før siste); et tiltak med flere team teller fullt for hvert.",
                    "Open initiatives under way (after the first phase, before the last); one shared by teams counts in full for each.",
                )
            } else {
                self.t(
                    "Åpne tiltak som er i gang (etter første fase, før siste).",
                    "Open initiatives under way (after the first phase, before the last).",
                )
            };
            let _ = writeln!(
                self.out,
                "{note}
"
            );
            if entries.is_empty() {
                self.none();
                continue;
            }
            let nobody = self.t("(ingen oppgitt)", "(none given)");
            let rows = entries
                .iter()
                .map(|e| {
                    let mut row = vec![
                        e.name.as_deref().map_or_else(|| nobody.to_string(), cell),
                        e.initiatives.to_string(),
                    ];
                    if effort.is_some() {
                        row.push(effort_text(e.effort, e.without_effort, self.lang));
                    }
                    row
                })
                .collect();
            let mut headers = vec![what, self.t("Tiltak", "Initiatives")];
            if let Some(effort) = &effort {
                headers.push(effort.as_str());
            }
            self.table(&headers, rows);
        }
        let stale = f.aging.iter().filter(|a| a.stale).count();
        let line = match self.lang {
            Language::Nb => format!(
                "
Aldring: **{stale}** av {} åpne tiltak har stått lenger i fasen enn grensen (se «Stillestående»).",
                f.aging.len()
            ),
            Language::En => format!(
                "
Aging: **{stale}** of {} open initiatives have been in their phase longer than its limit (see “Stale”).",
                f.aging.len()
            ),
        };
        let _ = writeln!(self.out, "{line}");
    }

    /// Every initiative, folded away: the sections above are what the meeting reads.
    fn time_in_phase(&mut self) {
        let r = self.report;
        let summary = match self.lang {
            Language::Nb => format!("Tid i fase for alle tiltak ({})", r.time_in_phase.len()),
            Language::En => format!(
                "Time in phase, every initiative ({})",
                r.time_in_phase.len()
            ),
        };
        let _ = write!(self.out, "\n<details>\n<summary>{summary}</summary>\n\n");
        if r.time_in_phase.is_empty() {
            self.none();
        } else {
            let unknown = self.t("ukjent", "unknown");
            let rows = r
                .time_in_phase
                .iter()
                .map(|t| {
                    let stale = if t.stale { " ⚠️" } else { "" };
                    vec![
                        self.link(&t.initiative),
                        cell(&t.phase),
                        t.since
                            .map_or_else(|| unknown.to_string(), |d| d.to_string()),
                        t.days
                            .map_or_else(|| unknown.to_string(), |d| format!("{d}{stale}")),
                    ]
                })
                .collect();
            let headers = [
                self.t("Tiltak", "Initiative"),
                self.t("Fase", "Phase"),
                self.t("Status endret", "Status changed"),
                self.t("Dager", "Days"),
            ];
            self.table(&headers, rows);
        }
        self.out.push_str("\n</details>\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i64, m: u32, d: u32) -> Day {
        Day::from_ymd(y, m, d).expect("a valid date")
    }

    #[test]
    fn long_dates_in_both_languages() {
        assert_eq!(
            long_date(day(2025, 11, 10), Language::Nb),
            "mandag 10. november 2025"
        );
        assert_eq!(
            long_date(day(2025, 11, 10), Language::En),
            "Monday 10 November 2025"
        );
    }

    #[test]
    fn pies_leave_out_empty_slices() {
        let pie = mermaid_pie("T", &[("a".into(), 0), ("b".into(), 2)]).unwrap_or_default();
        assert_eq!(
            pie,
            "```mermaid\npie showData\n    title T\n    \"b\" : 2\n```\n"
        );
        assert_eq!(mermaid_pie("T", &[("a".into(), 0)]), None);
    }

    #[test]
    fn cutting_keeps_whole_characters_and_lines() {
        assert_eq!(cut("abc\nøøø\n", 6), "abc\n");
        assert_eq!(cut("ø", 1), "");
        assert_eq!(cut("abc\n", 100), "abc\n");
    }
}
