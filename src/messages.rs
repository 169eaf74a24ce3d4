//! Comment texts (bokmål and English).

use std::collections::BTreeMap;

use crate::language::Language;
use crate::markdown;
use crate::marker::Marker;

macro_rules! text_keys {
    ($($key:ident = $name:literal { nb: $nb:expr, en: $en:expr $(,)? })*) => {
        /// A text the bot writes that the configuration may override (`[texts]`). `{name}` are filled in.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum TextKey { $($key),* }

        impl TextKey {
            pub fn parse(s: &str) -> Option<TextKey> {
                match s.trim() { $($name => Some(TextKey::$key),)* _ => None }
            }

            pub fn all_names() -> Vec<&'static str> {
                vec![$($name),*]
            }

            fn default_text(self, lang: Language) -> &'static str {
                match self { $(TextKey::$key => lang.pick($nb, $en),)* }
            }
        }
    };
}

text_keys! {
    StatusTitle = "status_title" {
        nb: "### Fasestatus: {phase}",
        en: "### Phase status: {phase}",
    }
    StatusNext = "status_next" {
        nb: "Tiltaket er i fasen **{phase}**. Dette må være på plass før tiltaket kan gå videre til **{next}**:",
        en: "The initiative is in phase **{phase}**. Before it can move on to **{next}**:",
    }
    StatusLast = "status_last" {
        nb: "Tiltaket er i fasen **{phase}**, den siste fasen.",
        en: "The initiative is in phase **{phase}**, the last phase.",
    }
    ManualHeading = "manual_heading" {
        nb: "Vurderes av porteføljekontoret (sjekkes ikke automatisk):",
        en: "For the portfolio office to judge (not checked automatically):",
    }
    RejectedTitle = "rejected_title" {
        nb: "### Flytting til {to} er ikke godkjent",
        en: "### Move to {to} not accepted",
    }
    RejectedIntro = "rejected_intro" {
        nb: "Kortet ble flyttet fra **{from}** til **{to}**, men dette mangler:",
        en: "The card was moved from **{from}** to **{to}**, but this is missing:",
    }
    RejectedIntroBy = "rejected_intro_by" {
        nb: "Kortet ble flyttet fra **{from}** til **{to}** (sist endret av @{who}), men dette mangler:",
        en: "The card was moved from **{from}** to **{to}** (last changed by @{who}), but this is missing:",
    }
    Reverted = "reverted" {
        nb: "Kortet er flyttet tilbake til **{from}**. Flytt det igjen når kravene er oppfylt.",
        en: "The card was moved back to **{from}**. Move it again once the requirements are met.",
    }
    Flagged = "flagged" {
        nb: "Kortet står i **{to}**, men er merket `{label}` til kravene er oppfylt.",
        en: "The card stays in **{to}** but is labelled `{label}` until the requirements are met.",
    }
    HandoffTitle = "handoff_title" {
        nb: "### Overlevering: {title}",
        en: "### Handoff: {title}",
    }
    HandoffIntro = "handoff_intro" {
        nb: "Tiltaket har gått inn i fasen **{phase}** og fordeles nå.",
        en: "The initiative has entered phase **{phase}** and is now handed off.",
    }
    TrackingTitle = "tracking_title" {
        nb: "### Oppfølgingssak: {title}",
        en: "### Tracking issue: {title}",
    }
    TrackingIntro = "tracking_intro" {
        nb: "Tiltaket {reference} har gått inn i fasen **{phase}** og er fordelt til teamet. Under står det teamet trenger for å følge opp tiltaket.",
        en: "The initiative {reference} has entered phase **{phase}** and is handed off to the team. Below is what the team needs to follow it up.",
    }
    Footer = "footer" {
        nb: "<sub>Skrevet av portfolio-sync. Skriv `/sjekk` i en kommentar for å oppdatere.</sub>",
        en: "<sub>Written by portfolio-sync. Comment `/check` to refresh.</sub>",
    }
}

/// The texts of one run: the configured language with the configured overrides.
#[derive(Debug, Clone)]
pub struct Texts {
    pub language: Language,
    overrides: BTreeMap<TextKey, String>,
}

impl Texts {
    pub fn new(language: Language, overrides: BTreeMap<TextKey, String>) -> Self {
        Self {
            language,
            overrides,
        }
    }

    /// The text for `key` with every `{name}` replaced by its value.
    pub fn fill(&self, key: TextKey, vars: &[(&str, &str)]) -> String {
        let template = self
            .overrides
            .get(&key)
            .map_or(key.default_text(self.language), String::as_str);
        let mut out = template.to_string();
        for (name, value) in vars {
            out = out.replace(&format!("{{{name}}}"), value);
        }
        out
    }

    pub fn pick<'a>(&self, nb: &'a str, en: &'a str) -> &'a str {
        self.language.pick(nb, en)
    }
}

/// The checks of one phase an initiative is about to enter.
#[derive(Debug, Clone)]
pub struct PhaseChecks<'a> {
    pub phase: &'a str,
    pub checks: Vec<crate::rules::Check>,
    pub manual: &'a [String],
}

fn check_lines(out: &mut String, checks: &[crate::rules::Check]) {
    for c in checks {
        let mark = if c.met() { "✅" } else { "❌" };
        out.push_str(&format!("- {mark} {}\n", c.sentence()));
    }
}

fn manual_lines(out: &mut String, t: &Texts, manual: &[String]) {
    if manual.is_empty() {
        return;
    }
    out.push('\n');
    out.push_str(&t.fill(TextKey::ManualHeading, &[]));
    out.push('\n');
    for m in manual {
        // Plain bullets, not task boxes: a ticked box would be undone by the next edit of this comment.
        out.push_str(&format!("- {m}\n"));
    }
}

/// Ends a comment with exactly one blank line before the footer, cut to fit GitHub's limit if it must be.
fn finish(out: &mut String, t: &Texts) {
    let footer = format!("{}\n", t.fill(TextKey::Footer, &[]));
    let note = t.pick(
        "_Teksten er forkortet fordi den ble lengre enn GitHub tillater. Hele teksten står i saken._",
        "_Shortened: the text grew longer than GitHub allows. The issue has all of it._",
    );
    finish_with(out, &footer, note);
}

/// [`finish`] with another tail, which is never cut, and another note for a cut.
fn finish_with(out: &mut String, footer: &str, note: &str) {
    paragraph_break(out);
    *out = markdown::fit(out, footer, note);
}

fn paragraph_break(out: &mut String) {
    while out.ends_with('\n') {
        out.pop();
    }
    out.push_str("\n\n");
}

/// The living checklist: where the initiative is and what its next phase needs.
pub fn status_comment(t: &Texts, phase: &str, next: Option<&PhaseChecks>) -> String {
    let mut out = format!(
        "{}\n{}\n\n",
        Marker::Status,
        t.fill(TextKey::StatusTitle, &[("phase", phase)])
    );
    match next {
        None => out.push_str(&t.fill(TextKey::StatusLast, &[("phase", phase)])),
        Some(n) => {
            out.push_str(&t.fill(TextKey::StatusNext, &[("phase", phase), ("next", n.phase)]));
            out.push_str("\n\n");
            if n.checks.is_empty() {
                out.push_str(t.pick(
                    "- Ingen automatiske krav.\n",
                    "- No automatic requirements.\n",
                ));
            }
            check_lines(&mut out, &n.checks);
            manual_lines(&mut out, t, n.manual);
        }
    }
    finish(&mut out, t);
    out
}

/// What a refused move needs, per phase it would have passed into.
pub fn rejected_comment(
    t: &Texts,
    from: &str,
    to: &str,
    failing: &[PhaseChecks],
    flag_label: Option<&str>,
    moved_by: Option<&str>,
) -> String {
    let vars = [
        ("from", from),
        ("to", to),
        ("label", flag_label.unwrap_or("")),
        ("who", moved_by.unwrap_or("")),
    ];
    let mut out = format!(
        "{}\n{}\n\n",
        Marker::Rejected,
        t.fill(TextKey::RejectedTitle, &vars)
    );
    let intro = match moved_by {
        Some(_) => TextKey::RejectedIntroBy,
        None => TextKey::RejectedIntro,
    };
    out.push_str(&t.fill(intro, &vars));
    out.push_str("\n\n");
    let several = failing.len() > 1;
    for p in failing {
        if several {
            out.push_str(&format!("**{}**\n", p.phase));
        }
        check_lines(
            &mut out,
            &p.checks
                .iter()
                .filter(|c| !c.met())
                .cloned()
                .collect::<Vec<_>>(),
        );
        if several {
            out.push('\n');
        }
    }
    paragraph_break(&mut out);
    match flag_label {
        Some(_) => out.push_str(&t.fill(TextKey::Flagged, &vars)),
        None => out.push_str(&t.fill(TextKey::Reverted, &vars)),
    }
    out.push('\n');
    finish(&mut out, t);
    out
}

/// Everything the handoff comment and the tracking issues tell: "Fordeling av tiltaket", who is responsible, which
/// teams take part, what resources and funds the initiative needs.
#[derive(Debug, Clone, Default)]
pub struct Handoff {
    pub phase: String,
    pub phase_slug: String,
    pub title: String,
    pub url: Option<String>,
    /// The initiative's issue, `owner/repo#n`: written bare in a tracking issue, so GitHub links the two both ways.
    pub reference: String,
    /// Each person once: the assignees as `@login`, then the names the board gives for no assignee (inert text).
    pub responsible: Vec<String>,
    /// `@org/team` mentions, or plain names of teams with no GitHub team.
    pub teams: Vec<String>,
    pub milestone: Option<String>,
    /// How the initiative is funded, one line each, already safe markdown (text people wrote made inert, or the
    /// bot's own); empty when nothing says.
    pub funding: Vec<String>,
    /// (heading, markdown) of the resource sections, as written; quoted shortened.
    pub sections: Vec<(String, String)>,
    /// The sections a tracking issue quotes, as written, in the configured order.
    pub tracking_sections: Vec<TrackedSection>,
    /// The teams' repositories where tracking issues are opened; the comment names each issue (`owner/repo#N`).
    pub tracking: Vec<String>,
}

/// A section of the initiative's issue as a tracking issue quotes it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrackedSection {
    /// The section's name in the configuration.
    pub heading: String,
    /// Its markdown as written; empty when the issue leaves it empty.
    pub markdown: String,
    /// One of the handoff's resource sections (`include_sections`): shown together under one heading.
    pub resource: bool,
}

/// A section quoted in a comment: at most this many lines, and this many characters.
const QUOTE_LINES: usize = 12;
const QUOTE_CHARS: usize = 2_000;

/// A tracking issue is what a team works from, so it quotes more than the comment does, yet four full sections
/// still leave room within GitHub's limit for the contacts and the link back.
const TRACKING_QUOTE_LINES: usize = 80;
const TRACKING_QUOTE_CHARS: usize = 10_000;

/// `text` as a block quote of at most `max_lines` lines and `max_chars` characters, inert; `none` in italics when
/// empty.
fn quote(out: &mut String, text: &str, max_lines: usize, max_chars: usize, none: &str) {
    if text.trim().is_empty() {
        out.push_str(&format!("> _{none}_\n"));
        return;
    }
    let lines: Vec<&str> = text.lines().collect();
    let mut quoted = lines[..lines.len().min(max_lines)].join("\n");
    if lines.len() > max_lines {
        quoted.push_str("\n…");
    }
    for line in markdown::inert(&markdown::shorten(&quoted, max_chars)).lines() {
        if line.trim().is_empty() {
            out.push_str(">\n");
        } else {
            out.push_str(&format!("> {line}\n"));
        }
    }
}

/// An address from GitHub as a link target, or nothing when it could end the link or the line it stands in.
fn link_target(url: Option<&str>) -> Option<&str> {
    url.filter(|u| {
        (u.starts_with("https://") || u.starts_with("http://"))
            && !u
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || "<>()[]\"'`".contains(c))
    })
}

/// `- **Finansiering:** …` for a list: one line inline, several as a nested list.
fn funding_item(t: &Texts, funding: &[String], none: &str) -> String {
    let label = t.pick("Finansiering", "Funding");
    match funding {
        [] => format!("- **{label}:** {none}\n"),
        [one] => format!("- **{label}:** {}\n", one_line(one)),
        several => {
            let mut out = format!("- **{label}:**\n");
            for line in several {
                out.push_str(&format!("  - {}\n", one_line(line)));
            }
            out
        }
    }
}

/// A funding line kept to one line, so a line break from its source cannot end the list it stands in.
fn one_line(line: &str) -> String {
    line.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `- **Ansvarlig:** …` and `- **Team:** …`: who to turn to, as both the comment and the tracking issues say it.
fn contact_items(t: &Texts, h: &Handoff, none: &str) -> String {
    let list = |v: &[String]| {
        if v.is_empty() {
            none.to_string()
        } else {
            v.join(", ")
        }
    };
    format!(
        "- **{}:** {}\n- **{}:** {}\n",
        t.pick("Ansvarlig", "Responsible"),
        list(&h.responsible),
        t.pick("Team", "Teams"),
        list(&h.teams)
    )
}

pub fn handoff_comment(t: &Texts, h: &Handoff) -> String {
    let marker = Marker::Handoff(h.phase_slug.clone());
    let title = match link_target(h.url.as_deref()) {
        Some(url) => format!("[{}]({url})", markdown::text(&h.title)),
        None => markdown::text(&h.title),
    };
    let mut out = format!(
        "{marker}\n{}\n\n",
        t.fill(TextKey::HandoffTitle, &[("title", &title)])
    );
    out.push_str(&t.fill(TextKey::HandoffIntro, &[("phase", &h.phase)]));
    out.push_str("\n\n");
    let none = t.pick("ikke angitt", "not given");
    out.push_str(&contact_items(t, h, none));
    out.push_str(&format!(
        "- **{}:** {}\n",
        t.pick("Milepæl", "Milestone"),
        h.milestone
            .as_deref()
            .map_or(none.to_string(), markdown::text)
    ));
    out.push_str(&funding_item(t, &h.funding, none));
    if !h.tracking.is_empty() {
        out.push_str(&format!(
            "- **{}:** {}\n",
            t.pick("Oppfølgingssaker", "Tracking issues"),
            h.tracking
                .iter()
                .map(|repository| crate::marker::tracking_slot(repository))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    for (heading, text) in &h.sections {
        out.push_str(&format!("\n**{heading}**\n\n"));
        quote(&mut out, text, QUOTE_LINES, QUOTE_CHARS, none);
    }
    finish(&mut out, t);
    out
}

/// The body of the issue opened in a team's repository on handoff: what the team works from. The marker is its
/// first line; the link back and the footer are never cut, however long the quoted sections are.
pub fn tracking_issue(t: &Texts, h: &Handoff, marker: &Marker) -> String {
    let none = t.pick("ikke angitt", "not given");
    let mut out = format!(
        "{marker}\n{}\n\n",
        t.fill(
            TextKey::TrackingTitle,
            &[("title", &markdown::text(&h.title))]
        )
    );
    out.push_str(&t.fill(
        TextKey::TrackingIntro,
        &[("reference", &h.reference), ("phase", &h.phase)],
    ));
    out.push_str(&format!(
        "\n\n**{}:** {}\n\n#### {}\n\n",
        t.pick("Milepæl", "Milestone"),
        h.milestone
            .as_deref()
            .map_or(none.to_string(), markdown::text),
        t.pick("Kontaktpersoner", "Contacts")
    ));
    out.push_str(&contact_items(t, h, none));
    out.push_str(&format!("\n#### {}\n\n", t.pick("Finansiering", "Funding")));
    if h.funding.is_empty() {
        out.push_str(&format!("_{none}_\n"));
    }
    for line in &h.funding {
        out.push_str(&format!("- {}\n", one_line(line)));
    }
    let mut resources_shown = false;
    for section in &h.tracking_sections {
        if !section.resource {
            out.push_str(&format!("\n#### {}\n\n", section.heading));
            quote(
                &mut out,
                &section.markdown,
                TRACKING_QUOTE_LINES,
                TRACKING_QUOTE_CHARS,
                none,
            );
            continue;
        }
        // The resource sections together, where the first of them stands, as the template's "Ressurser" has them.
        if resources_shown {
            continue;
        }
        resources_shown = true;
        out.push_str(&format!("\n#### {}\n", t.pick("Ressurser", "Resources")));
        for resource in h.tracking_sections.iter().filter(|s| s.resource) {
            out.push_str(&format!("\n**{}**\n\n", resource.heading));
            quote(
                &mut out,
                &resource.markdown,
                TRACKING_QUOTE_LINES,
                TRACKING_QUOTE_CHARS,
                none,
            );
        }
    }
    let back = match link_target(h.url.as_deref()) {
        Some(url) => format!("{}: {url}", h.reference),
        None => h.reference.clone(),
    };
    let tail = format!(
        "#### {}\n\n{back}\n\n{}\n",
        t.pick("Tilbake til tiltaket", "Back to the initiative"),
        t.pick(
            "<sub>Opprettet av portfolio-sync ved overleveringen. Boten endrer ikke denne saken senere: tiltaket i porteføljen viser siste status.</sub>",
            "<sub>Opened by portfolio-sync at the handoff. The bot does not change this issue later: the initiative in the portfolio shows the latest status.</sub>",
        )
    );
    let note = t.pick(
        "_Teksten er forkortet fordi den ble lengre enn GitHub tillater. Hele teksten står i tiltaket._",
        "_Shortened: the text grew longer than GitHub allows. The initiative has all of it._",
    );
    finish_with(&mut out, &tail, note);
    out
}

/// The answer to a command comment: every part (one per command, or one refusal) in one comment, marked with the
/// command comment's id so that a redelivered event finds it.
pub fn reply(t: &Texts, comment_id: u64, parts: &[String]) -> String {
    reply_with(t, &Marker::Reply(comment_id), parts)
}

/// A reply marked with `marker`.
pub fn reply_with(t: &Texts, marker: &Marker, parts: &[String]) -> String {
    let mut out = format!("{marker}\n");
    out.push_str(&parts.join("\n\n"));
    finish(&mut out, t);
    out
}

/// `/hjelp`: the commands and the phases they accept.
pub fn help_text(t: &Texts, phases: &[&str]) -> String {
    let mut out = t
        .pick(
            "### Kommandoer for portfolio-sync\n\n\
             - `/fase <fase>` (`/flytt`): flytter tiltaket til fasen hvis kravene er oppfylt; bakover går alltid\n\
             - `/sjekk`: oppdaterer sjekklista for neste fase\n\
             - `/godkjenn <fase> [forum] [referanse]`: registrerer et vedtak om å gå videre til fasen (for medlemmer av forumets team)\n\
             - `/trekk <fase> [forum]`: trekker vedtaket tilbake\n\
             - `/hjelp`: denne hjelpen\n\n\
             Kommandoen må stå først på en linje, utenfor sitater og kode. Faser: ",
            "### portfolio-sync commands\n\n\
             - `/phase <phase>` (`/fase`, `/flytt`): moves the initiative to the phase if its requirements are met; backward always works\n\
             - `/check` (`/sjekk`): refreshes the checklist for the next phase\n\
             - `/approve <phase> [forum] [reference]` (`/godkjenn`): records a decision to move on to the phase (for members of the forum's teams)\n\
             - `/revoke <phase> [forum]` (`/trekk`): withdraws that decision\n\
             - `/help` (`/hjelp`): this help\n\n\
             A command must start a line, outside quotes and code. Phases: ",
        )
        .to_string();
    out.push_str(&code_list(phases));
    out
}

/// `p1`, `p2`: phase names as code, so no name formats the text.
fn code_list(items: &[&str]) -> String {
    items
        .iter()
        .map(|p| format!("`{}`", p.replace('`', "'")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The one explanation someone without permission gets on an issue (later commands only get a reaction).
pub fn denied_text(t: &Texts, user: &str, required: &str) -> String {
    match t.language {
        Language::Nb => format!(
            "Hei @{user}! Bare personer med minst `{required}`-tilgang til repoet, eller medlemmer av porteføljekontoret, kan flytte tiltak med kommandoer. Ta kontakt med porteføljekontoret, så hjelper de deg."
        ),
        Language::En => format!(
            "Hi @{user}! Only people with at least `{required}` access to this repository, or members of the portfolio office, can move initiatives with commands. Please ask the portfolio office for help."
        ),
    }
}

/// `/fase` with a phase that does not exist.
pub fn unknown_phase_text(t: &Texts, asked: &str, phases: &[&str]) -> String {
    let list = code_list(phases);
    let example = phases.get(1).or(phases.first()).copied().unwrap_or("…");
    let text = match (asked.trim().is_empty(), t.language) {
        (true, Language::Nb) => {
            format!("Hvilken fase? Skriv for eksempel `/fase {example}`. Fasene er: ")
        }
        (true, Language::En) => {
            format!("Which phase? Write for example `/phase {example}`. The phases are: ")
        }
        (false, Language::Nb) => format!(
            "Jeg kjenner ikke fasen «{}». Fasene er: ",
            markdown::text(asked)
        ),
        (false, Language::En) => format!(
            "I do not know the phase “{}”. The phases are: ",
            markdown::text(asked)
        ),
    };
    format!("{text}{list}.")
}

/// A `/fase` that was refused: nothing moved, and this is what is missing. `missing` are the plan's lines
/// (`Phase: criterion (why)`).
pub fn command_refused_text(t: &Texts, from: &str, to: &str, missing: &[String]) -> String {
    let mut out = match t.language {
        Language::Nb => format!(
            "### Kommandoen ble avvist\n\nTiltaket står fortsatt i **{from}**. Dette må være på plass før det kan gå videre til **{to}**:\n\n"
        ),
        Language::En => format!(
            "### The command was refused\n\nThe initiative stays in **{from}**. This must be in place before it can move on to **{to}**:\n\n"
        ),
    };
    for m in missing {
        out.push_str(&format!("- ❌ {m}\n"));
    }
    out.push('\n');
    out.push_str(t.pick(
        "Skriv kommandoen igjen når kravene er oppfylt.",
        "Write the command again once the requirements are met.",
    ));
    out
}

/// Why a command about an initiative the bot leaves alone was not carried out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotDone {
    Closed,
    Archived,
    /// Anything else the bot does not handle (the plan's reason says what).
    Skipped,
}

pub fn not_done_text(t: &Texts, why: NotDone) -> String {
    let text = match why {
        NotDone::Closed => t.pick(
            "Kommandoen ble ikke utført fordi saken er lukket. Gjenåpne saken først hvis tiltaket skal videre.",
            "The command was not carried out because the issue is closed. Reopen it first if the initiative is to move on.",
        ),
        NotDone::Archived => t.pick(
            "Kommandoen ble ikke utført fordi kortet er arkivert på tavla. Hent kortet tilbake først hvis tiltaket skal videre.",
            "The command was not carried out because the card is archived on the board. Restore the card first if the initiative is to move on.",
        ),
        NotDone::Skipped => t.pick(
            "Kommandoen ble ikke utført fordi portfolio-sync ikke håndterer denne saken.",
            "The command was not carried out because portfolio-sync does not handle this issue.",
        ),
    };
    text.to_string()
}

/// A command that failed inside the bot: no details (they are in the log), only that it did not happen.
pub fn internal_error_text(t: &Texts) -> String {
    t.pick(
        "❌ Kommandoen kunne ikke utføres på grunn av en feil i portfolio-sync. Feilen er logget; prøv igjen om litt.",
        "❌ The command could not be carried out because of an error in portfolio-sync. The error is logged; try again in a while.",
    )
    .to_string()
}

/// Forum names as a list people read: «A» eller «B».
fn forum_list(t: &Texts, forums: &[String]) -> String {
    let quoted: Vec<String> = forums.iter().map(|f| t.language.quoted(f)).collect();
    t.language.or_list(&quoted)
}

/// `/godkjenn` for a phase that asks for no decision.
pub fn no_decision_needed_text(t: &Texts, phase: &str) -> String {
    t.language.pick(
        format!("Fasen **{phase}** krever ikke vedtak, så det er ingenting å registrere."),
        format!("Phase **{phase}** requires no decision, so there is nothing to record."),
    )
}

/// `/trekk` with no valid decision to withdraw.
pub fn no_decision_to_withdraw_text(t: &Texts, phase: &str, forum: &str) -> String {
    let forum = markdown::text(forum);
    t.language.pick(
        format!("Det er ikke registrert noe gjeldende vedtak fra {forum} om å gå videre til **{phase}**."),
        format!("No valid decision by {forum} to move on to **{phase}** is recorded."),
    )
}

/// `/godkjenn` for a phase the initiative has entered already.
pub fn entered_already_text(t: &Texts, phase: &str) -> String {
    t.language.pick(
        format!("Tiltaket har allerede gått inn i **{phase}**. Et vedtak gjelder en overgang som ennå ikke har skjedd."),
        format!("The initiative has entered **{phase}** already. A decision is for a transition that has not happened yet."),
    )
}

/// `/godkjenn` for a decision that is recorded already (`summary`: who and when, safe markdown).
pub fn recorded_already_text(t: &Texts, summary: &str) -> String {
    t.language.pick(
        format!("Vedtaket er allerede registrert ({summary})."),
        format!("The decision is recorded already ({summary})."),
    )
}

/// `/godkjenn` naming a forum whose decision the phase does not ask for.
pub fn wrong_forum_text(t: &Texts, phase: &str, named: &str, required: &[String]) -> String {
    let named = markdown::text(named);
    let list = forum_list(t, required);
    t.language.pick(
        format!("Fasen **{phase}** krever vedtak fra {list}, ikke fra «{named}». Ingenting er registrert."),
        format!("Phase **{phase}** requires a decision by {list}, not by “{named}”. Nothing was recorded."),
    )
}

/// `/godkjenn` or `/trekk` without a forum where more than one could be meant.
pub fn which_forum_text(t: &Texts, phase: &str, required: &[String], withdraw: bool) -> String {
    let list = forum_list(t, required);
    let (nb, en) = if withdraw {
        ("trekk", "revoke")
    } else {
        ("godkjenn", "approve")
    };
    let example = required.first().map(String::as_str).unwrap_or("…");
    t.language.pick(
        format!("Hvilket forum? Fasen **{phase}** krever vedtak fra {list}. Skriv for eksempel `/{nb} {phase} {example}`."),
        format!("Which forum? Phase **{phase}** requires a decision by {list}. Write for example `/{en} {phase} {example}`."),
    )
}

/// Someone outside the forum's teams tried to record or withdraw its decision: nothing changed.
pub fn not_forum_member_text(t: &Texts, user: &str, forum: &crate::approval::Forum) -> String {
    let teams: Vec<String> = forum.teams.iter().map(|team| format!("`{team}`")).collect();
    let teams = t.language.or_list(&teams);
    let name = markdown::text(&forum.name);
    t.language.pick(
        format!("@{user}, bare medlemmer av {teams} kan registrere eller trekke vedtak fra {name}. Ingenting er endret."),
        format!("@{user}, only members of {teams} can record or withdraw decisions by {name}. Nothing was changed."),
    )
}

/// A decision was recorded.
pub fn decision_recorded_text(t: &Texts, phase: &str, forum: &str) -> String {
    let forum = markdown::text(forum);
    t.language.pick(
        format!("✅ Vedtaket er registrert: {forum} har vedtatt at tiltaket kan gå videre til **{phase}**. Flytt kortet til **{phase}** på tavla, eller skriv `/fase {phase}`, når alle kravene er oppfylt."),
        format!("✅ Decision recorded: {forum} decided that the initiative may move on to **{phase}**. Move the card to **{phase}** on the board, or write `/phase {phase}`, once every requirement is met."),
    )
}

/// A decision was withdrawn; `entered`: the initiative is in the phase already (the bot does not move it back).
pub fn decision_withdrawn_text(t: &Texts, phase: &str, forum: &str, entered: bool) -> String {
    let forum = markdown::text(forum);
    let mut out = t.language.pick(
        format!("Vedtaket fra {forum} om å gå videre til **{phase}** er trukket tilbake."),
        format!("The decision by {forum} to move on to **{phase}** was withdrawn."),
    );
    if entered {
        out.push(' ');
        out.push_str(t.pick(
            "Tiltaket har allerede gått inn i fasen og blir stående der; flytt det tilbake hvis det ikke skal være der.",
            "The initiative has entered the phase already and stays there; move it back if it should not be there.",
        ));
    }
    out
}
