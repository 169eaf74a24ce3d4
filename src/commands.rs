//! Slash commands in issue comments, and who may run them.
//!
//! A command counts only at the start of a line of ordinary text: never inside a block quote (someone quoting a
//! command is not running it), a code block or inline code. The comment is read with the same markdown parser as
//! issue bodies, so what counts is what GitHub shows as text.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use crate::approval::{forum_named, same_forum, Approval, Approvals, Forum};
use crate::config::{CommandsConfig, Config, Permission};
use crate::messages::{self, Texts};
use crate::phase::{Phase, PhaseIdx};
use crate::rules::required_forums;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `/fase <phase>` (`/phase`, `/flytt`): move the initiative; the argument is as typed, possibly empty.
    Move(String),
    /// `/sjekk` (`/check`): refresh the status comment.
    Check,
    /// `/hjelp` (`/help`).
    Help,
    /// `/godkjenn <fase> [forum] [referanse]` (`/approve`): records a forum's decision; the argument as typed.
    Approve(String),
    /// `/trekk <fase> [forum]` (`/revoke`, `/withdraw`): withdraws a recorded decision.
    Withdraw(String),
}

fn command(word: &str, rest: &str) -> Option<Command> {
    match word.to_lowercase().as_str() {
        "fase" | "phase" | "flytt" => Some(Command::Move(rest.trim().to_string())),
        "sjekk" | "check" => Some(Command::Check),
        "hjelp" | "help" => Some(Command::Help),
        "godkjenn" | "approve" | "vedtak" => Some(Command::Approve(rest.trim().to_string())),
        "trekk" | "revoke" | "withdraw" => Some(Command::Withdraw(rest.trim().to_string())),
        _ => None,
    }
}

/// The commands in a comment, in order. Unknown `/words` are not commands (they may be paths).
pub fn parse(comment: &str) -> Vec<Command> {
    let mut commands = Vec::new();
    let mut quote_depth = 0usize;
    let mut in_code_block = false;
    let mut in_paragraph = false;
    // The line being read: its text so far, and whether it still qualifies (began with plain text).
    let mut line = String::new();
    let mut line_ok = true;
    // Ends the line being read; it yields a command only outside quotes and code.
    let finish_line =
        |line: &mut String, ok: &mut bool, commands: &mut Vec<Command>, counts: bool| {
            if counts && *ok {
                if let Some(rest) = line.trim_start().strip_prefix('/') {
                    let (word, arg) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
                    if let Some(c) = command(word, arg) {
                        commands.push(c);
                    }
                }
            }
            line.clear();
            *ok = true;
        };
    for event in Parser::new_ext(comment, Options::ENABLE_TASKLISTS | Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::BlockQuote(_)) => quote_depth += 1,
            Event::End(TagEnd::BlockQuote(_)) => quote_depth = quote_depth.saturating_sub(1),
            Event::Start(Tag::CodeBlock(_)) => in_code_block = true,
            Event::End(TagEnd::CodeBlock) => in_code_block = false,
            // Tight list items hold their text without a paragraph: an item starts a line too.
            Event::Start(Tag::Paragraph | Tag::Item) => {
                finish_line(
                    &mut line,
                    &mut line_ok,
                    &mut commands,
                    quote_depth == 0 && !in_code_block,
                );
                in_paragraph = true;
            }
            Event::End(TagEnd::Paragraph | TagEnd::Item) => {
                finish_line(
                    &mut line,
                    &mut line_ok,
                    &mut commands,
                    quote_depth == 0 && !in_code_block,
                );
                in_paragraph = false;
            }
            Event::SoftBreak | Event::HardBreak if in_paragraph => {
                finish_line(
                    &mut line,
                    &mut line_ok,
                    &mut commands,
                    quote_depth == 0 && !in_code_block,
                );
            }
            Event::Text(t) if in_paragraph => line.push_str(&t),
            // Inline code, HTML or anything else first on a line disqualifies it; later on it only ends the argument.
            Event::Code(_) | Event::InlineHtml(_) | Event::Html(_) if in_paragraph => {
                if line.trim().is_empty() {
                    line_ok = false;
                } else {
                    line.push(' ');
                }
            }
            _ => {}
        }
    }
    commands
}

/// What `/godkjenn` and `/trekk` name: the phase, and the forum and reference when given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionArgs<'c> {
    pub phase: PhaseIdx,
    pub forum: Option<&'c Forum>,
    pub reference: Option<String>,
}

/// Reads `<fase> [forum] [referanse]`. Phase and forum names may hold spaces ("Ikke startet", "Ledergruppen BOD"),
/// so each is the longest run of words that names one; quotes around them are allowed. The rest is the reference.
/// `None` when the words start with no phase.
pub fn decision_args<'c>(config: &'c Config, arg: &str) -> Option<DecisionArgs<'c>> {
    let words: Vec<&str> = arg.split_whitespace().collect();
    let unquote = |w: &[&str]| {
        w.join(" ")
            .trim_matches(|c| matches!(c, '"' | '«' | '»' | '“' | '”' | '\''))
            .to_string()
    };
    let (phase, used) = (1..=words.len()).rev().find_map(|n| {
        config
            .phases
            .lookup(&unquote(&words[..n]), &config.sync.label_prefix)
            .map(|p| (p, n))
    })?;
    let rest = &words[used..];
    let (forum, used) = (1..=rest.len())
        .rev()
        .find_map(|n| forum_named(&config.forums, &unquote(&rest[..n])).map(|f| (Some(f), n)))
        .unwrap_or((None, 0));
    let reference = rest[used..].join(" ");
    Some(DecisionArgs {
        phase,
        forum,
        reference: (!reference.is_empty()).then_some(reference),
    })
}

/// The forum a `/godkjenn` or `/trekk` is about: the one it names, when the phase asks for that forum's decision;
/// unnamed, the one forum the phase asks for (withdrawing: the one with a decision to withdraw). `Err` is the answer
/// that says why there is none.
pub fn forum_for<'c>(
    config: &'c Config,
    texts: &Texts,
    args: &DecisionArgs<'c>,
    record: &Approvals,
    withdraw: bool,
) -> Result<&'c Forum, String> {
    let phase = config.phases.get(args.phase);
    let required = required_forums(&phase.require);
    if required.is_empty() {
        return Err(messages::no_decision_needed_text(texts, &phase.name));
    }
    match args.forum {
        Some(f) if required.iter().any(|r| same_forum(r, &f.name)) => Ok(f),
        Some(f) => Err(messages::wrong_forum_text(
            texts,
            &phase.name,
            &f.name,
            &required,
        )),
        None => {
            let candidates: Vec<&String> = required
                .iter()
                .filter(|f| {
                    !withdraw
                        || record
                            .valid_for(&phase.slug, std::slice::from_ref(f))
                            .is_some()
                })
                .collect();
            match candidates.as_slice() {
                // Requirements name configured forums only (the configuration is validated).
                [one] => forum_named(&config.forums, one).ok_or_else(|| {
                    messages::which_forum_text(texts, &phase.name, &required, withdraw)
                }),
                _ => Err(messages::which_forum_text(
                    texts,
                    &phase.name,
                    &required,
                    withdraw,
                )),
            }
        }
    }
}

/// Who records or withdraws a decision: the command comment's author, its time and its id.
pub struct By<'a> {
    pub login: &'a str,
    pub at: &'a str,
    pub comment: u64,
}

/// What a decision command does to the record, with the answer for its reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The record changed (or this very command changed it before: a redelivery writes the same record again).
    Changed(String),
    /// Nothing to write: the decision is recorded already.
    Unchanged(String),
    Refused(String),
}

/// Records or withdraws `forum`'s decision for entering `phase` in `record`. `entered`: the initiative is in the
/// phase or beyond (a decision is for a transition still to come; withdrawing one then leaves the card where it is).
#[allow(clippy::too_many_arguments)]
pub fn change_record(
    texts: &Texts,
    record: &mut Approvals,
    phase: &Phase,
    forum: &Forum,
    args: &DecisionArgs,
    by: &By,
    entered: bool,
    withdraw: bool,
) -> Verdict {
    // A redelivered command finds what it did and does nothing twice.
    let again = record.has_comment(by.comment);
    if withdraw {
        if again
            || record
                .withdraw(&phase.slug, &forum.name, by.login, by.at, by.comment)
                .is_some()
        {
            return Verdict::Changed(messages::decision_withdrawn_text(
                texts,
                &phase.name,
                &forum.name,
                entered,
            ));
        }
        return Verdict::Refused(messages::no_decision_to_withdraw_text(
            texts,
            &phase.name,
            &forum.name,
        ));
    }
    if entered {
        return Verdict::Refused(messages::entered_already_text(texts, &phase.name));
    }
    if !again {
        let forums = std::slice::from_ref(&forum.name);
        if let Some(a) = record.valid_for(&phase.slug, forums) {
            return Verdict::Unchanged(messages::recorded_already_text(texts, &a.summary()));
        }
        record.list.push(Approval {
            phase: phase.slug.clone(),
            forum: forum.name.clone(),
            by: by.login.to_string(),
            at: by.at.to_string(),
            reference: args.reference.clone(),
            comment: by.comment,
            ended: None,
        });
    }
    Verdict::Changed(messages::decision_recorded_text(
        texts,
        &phase.name,
        &forum.name,
    ))
}

/// May someone with this repository permission, who is (or is not) in one of the command teams, run commands?
pub fn allowed(config: &CommandsConfig, permission: Permission, in_command_team: bool) -> bool {
    permission >= config.permission || in_command_team
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn commands_at_the_start_of_a_line() {
        assert_eq!(
            parse("/fase Planlegging"),
            [Command::Move("Planlegging".into())]
        );
        assert_eq!(
            parse("Takk!\n/flytt  implementering  \n"),
            [Command::Move("implementering".into())]
        );
        assert_eq!(
            parse("/PHASE fase/konsept"),
            [Command::Move("fase/konsept".into())]
        );
        assert_eq!(
            parse("/sjekk\r\n\r\n/help"),
            [Command::Check, Command::Help]
        );
        assert_eq!(parse("- /check"), [Command::Check]);
        assert_eq!(parse("- a\n  - /help\n- b"), [Command::Help]);
        assert_eq!(parse("1. tekst\n\n   /sjekk"), [Command::Check]);
        assert_eq!(parse("/fase"), [Command::Move(String::new())]);
    }

    #[test]
    fn quoted_fenced_inline_and_mid_line_commands_do_not_count() {
        for text in [
            "> /fase Planlegging",
            "> sitat\n> /fase Planlegging",
            "> /fase Planlegging\n\nhei",
            "- > /fase Planlegging\n- hei",
            "```\n/fase Planlegging\n```",
            "    /fase Planlegging",
            "`/fase Planlegging`",
            "Skriv /fase Planlegging for å flytte",
            "/usr/bin/env er en sti",
            "<!-- /fase Planlegging -->",
        ] {
            assert_eq!(parse(text), [], "{text:?}");
        }
    }

    #[test]
    fn emphasis_in_the_argument_is_read_as_its_text() {
        assert_eq!(
            parse("/fase **Konsept**"),
            [Command::Move("Konsept".into())]
        );
    }

    #[test]
    fn decision_arguments_name_phase_forum_and_reference() {
        let config = crate::config::load(std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/config/portfolio.toml"
        )))
        .expect("Digdir's configuration loads");
        assert_eq!(
            parse("/godkjenn Implementering Ledergruppen BOD https://x.example/referat"),
            [Command::Approve(
                "Implementering Ledergruppen BOD https://x.example/referat".into()
            )]
        );
        let a = decision_args(&config, "implementering \"ledergruppen bod\" sak 2026/17")
            .expect("a phase");
        assert_eq!(config.phases.get(a.phase).name, "Implementering");
        assert_eq!(a.forum.map(|f| f.name.as_str()), Some("Ledergruppen BOD"));
        assert_eq!(a.reference.as_deref(), Some("sak 2026/17"));
        let a = decision_args(&config, "Planlegging").expect("a phase");
        assert_eq!((a.forum, a.reference), (None, None));
        let a = decision_args(&config, "fase/konsept møtet 3. mars").expect("a phase");
        assert_eq!(config.phases.get(a.phase).name, "Konsept");
        assert_eq!(a.reference.as_deref(), Some("møtet 3. mars"));
        assert_eq!(decision_args(&config, "Porteføljekontoret Konsept"), None);
        assert_eq!(decision_args(&config, ""), None);
        assert_eq!(
            parse("/trekk Konsept"),
            [Command::Withdraw("Konsept".into())]
        );
    }

    #[test]
    fn permission_or_team_membership_allows() {
        let config = CommandsConfig {
            permission: Permission::Write,
            teams: vec!["portefoljekontoret".into()],
        };
        assert!(allowed(&config, Permission::Admin, false));
        assert!(allowed(&config, Permission::Write, false));
        assert!(!allowed(&config, Permission::Triage, false));
        assert!(allowed(&config, Permission::Read, true));
        assert!(!allowed(&config, Permission::None, false));
    }

    proptest! {
        #[test]
        fn parse_never_panics(text in "(\\PC|[/>`\n\r#*_-]){0,200}") {
            let _ = parse(&text);
        }

        /// Any text at all, control characters and lone markdown included.
        #[test]
        fn parse_never_panics_on_arbitrary_text(text in any::<String>()) {
            let _ = parse(&text);
        }
    }
}
