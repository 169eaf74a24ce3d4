//! Requirements of a phase and their verdicts.

#[derive(Debug, Clone)]
pub struct Requirement {
    pub kind: RequirementKind,
    /// The criterion in the organisation's words; replaces the generated sentence.
    pub message: Option<String>,
}

#[derive(Debug, Clone)]
pub enum RequirementKind {
    Section(SectionRef),
    Checklist {
        section: SectionRef,
        rule: ChecklistRule,
    },
    Field {
        name: String,
        one_of: Vec<String>,
    },
    Assignee,
    Milestone,
    Label {
        pattern: String,
        matcher: globset::GlobMatcher,
    },
    Any(Vec<Requirement>),
    /// A decision recorded (`/godkjenn`) by one of these forums (names in `[forums]`) for entering the phase.
    Decision {
        forums: Vec<String>,
    },
}

/// A section as a requirement names it, with the headings it had in every version of the issue template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionRef {
    /// The name the configuration uses, and the messages show.
    pub name: String,
    /// `name` first, then its aliases from `[sections]`.
    pub headings: Vec<String>,
}

impl SectionRef {
    /// A section known by one heading only.
    pub fn new(name: impl Into<String>) -> Self {
        let name = name.into();
        Self {
            headings: vec![name.clone()],
            name,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChecklistRule {
    AtLeast(usize),
    All,
}

use std::collections::BTreeMap;

use crate::approval::{Approvals, Forum};
use crate::board::{Issue, Item};
use crate::body::Body;
use crate::language::Language;
use crate::markdown;

/// What one requirement says about one initiative.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// The criterion, as the organisation words it (or a generated sentence).
    pub criterion: String,
    /// `None` when met; otherwise what is wrong, in the issue's own terms.
    pub problem: Option<String>,
}

impl Check {
    pub fn met(&self) -> bool {
        self.problem.is_none()
    }

    /// A line a person understands: the criterion and, when unmet, why ("Problembeskrivelse er etablert:
    /// seksjonen «Problemstilling» er tom"). A colon, not brackets: a criterion in the organisation's words often
    /// ends in a bracket of its own, and two in a row read badly.
    pub fn sentence(&self) -> String {
        match &self.problem {
            None => self.criterion.clone(),
            Some(p) if p.is_empty() => self.criterion.clone(),
            Some(p) => format!("{}: {p}", self.criterion),
        }
    }
}

/// The initiative a requirement is checked against.
pub struct Subject<'a> {
    pub item: &'a Item,
    pub issue: &'a Issue,
    pub body: &'a Body,
    /// The phase it is to enter: the name and the slug decisions are recorded by.
    pub phase: &'a str,
    pub phase_slug: &'a str,
    /// The recorded decisions; `None` when the issue's comments were not read.
    pub approvals: Option<&'a Approvals>,
}

/// How checks are phrased and what counts as empty.
pub struct Context<'a> {
    pub language: Language,
    pub placeholders: &'a [String],
    /// Who may record the decisions of each forum.
    pub forums: &'a BTreeMap<String, Forum>,
}

/// Checks every requirement of one phase.
pub fn check_all(requirements: &[Requirement], subject: &Subject, cx: &Context) -> Vec<Check> {
    requirements.iter().map(|r| check(r, subject, cx)).collect()
}

pub fn check(req: &Requirement, subject: &Subject, cx: &Context) -> Check {
    let lang = cx.language;
    let (generated, problem) = match &req.kind {
        RequirementKind::Section(section) => {
            let name = &section.name;
            let found = subject.body.sections(&section.headings);
            // Filled in under any of its headings counts: an author may have added today's heading to an old issue.
            let problem = match found.iter().find(|s| !s.is_empty(cx.placeholders)) {
                Some(_) => None,
                None => Some(match found.first() {
                    None => lang.pick(
                        format!("saken har ingen overskrift «{name}»"),
                        format!("the issue has no heading “{name}”"),
                    ),
                    // The heading of the issue's template version, which is what its author looks for; spelt as
                    // the configuration spells it (trusted text, unlike the body's).
                    Some(s) => {
                        let key = crate::body::heading_key(s.heading());
                        let heading = section
                            .headings
                            .iter()
                            .find(|h| crate::body::heading_key(h) == key)
                            .unwrap_or(name);
                        lang.pick(
                            format!("seksjonen «{heading}» er tom"),
                            format!("section “{heading}” is empty"),
                        )
                    }
                }),
            };
            (
                lang.pick(
                    format!("Seksjonen «{name}» er fylt ut"),
                    format!("Section “{name}” is filled in"),
                ),
                problem,
            )
        }
        RequirementKind::Checklist { section, rule } => {
            // The first of its headings that holds a checklist; the others hold none.
            let tasks = subject
                .body
                .sections(&section.headings)
                .iter()
                .map(|s| s.tasks(cx.placeholders))
                .find(|t| !t.is_empty())
                .unwrap_or_default();
            let section = &section.name;
            let checked = tasks.iter().filter(|t| t.checked).count();
            let (criterion, met) = match rule {
                ChecklistRule::AtLeast(n) => (
                    lang.pick(
                        format!("Minst {n} punkt er krysset av i sjekklista under «{section}»"),
                        format!("At least {n} item(s) ticked in the checklist under “{section}”"),
                    ),
                    checked >= *n,
                ),
                ChecklistRule::All => (
                    lang.pick(
                        format!("Alle punktene i sjekklista under «{section}» er krysset av"),
                        format!("Every item in the checklist under “{section}” is ticked"),
                    ),
                    !tasks.is_empty() && checked == tasks.len(),
                ),
            };
            let problem = (!met).then(|| {
                if tasks.is_empty() {
                    lang.pick(
                        format!("saken har ingen sjekkliste under «{section}»"),
                        format!("the issue has no checklist under “{section}”"),
                    )
                } else {
                    lang.pick(
                        format!("{checked} av {} er krysset av", tasks.len()),
                        format!("{checked} of {} ticked", tasks.len()),
                    )
                }
            });
            (criterion, problem)
        }
        RequirementKind::Field { name, one_of } => {
            let value = subject.item.field_text(name);
            let criterion = if one_of.is_empty() {
                lang.pick(
                    format!("Feltet «{name}» er satt på tavla"),
                    format!("Field “{name}” is set on the board"),
                )
            } else {
                lang.pick(
                    format!("Feltet «{name}» har en av verdiene: {}", one_of.join(", ")),
                    format!(
                        "Field “{name}” has one of the values: {}",
                        one_of.join(", ")
                    ),
                )
            };
            let problem = match value {
                None => Some(lang.pick(
                    format!("feltet «{name}» er ikke satt"),
                    format!("field “{name}” is not set"),
                )),
                Some(v)
                    if !one_of.is_empty()
                        && !one_of.iter().any(|o| o.trim().eq_ignore_ascii_case(&v)) =>
                {
                    {
                        // The value is whatever someone typed on the card.
                        let v = crate::markdown::text(&v);
                        Some(lang.pick(format!("verdien er «{v}»"), format!("the value is “{v}”")))
                    }
                }
                Some(_) => None,
            };
            (criterion, problem)
        }
        RequirementKind::Assignee => (
            lang.pick(
                "Saken er tildelt noen".into(),
                "The issue has an assignee".into(),
            ),
            subject
                .issue
                .assignees
                .is_empty()
                .then(|| lang.pick("ingen er tildelt".into(), "nobody is assigned".into())),
        ),
        RequirementKind::Milestone => (
            lang.pick(
                "Saken har en milepæl".into(),
                "The issue has a milestone".into(),
            ),
            subject
                .issue
                .milestone
                .as_deref()
                .is_none_or(|m| m.trim().is_empty())
                .then(|| lang.pick("ingen milepæl er satt".into(), "no milestone is set".into())),
        ),
        RequirementKind::Label { pattern, matcher } => (
            lang.pick(
                format!("Saken har en etikett som samsvarer med «{pattern}»"),
                format!("The issue has a label matching “{pattern}”"),
            ),
            (!subject.issue.labels.iter().any(|l| matcher.is_match(l))).then(|| {
                lang.pick(
                    format!("ingen etikett samsvarer med «{pattern}»"),
                    format!("no label matches “{pattern}”"),
                )
            }),
        ),
        RequirementKind::Decision { forums } => return decision(req, forums, subject, cx),
        RequirementKind::Any(alternatives) => {
            let checks: Vec<Check> = alternatives.iter().map(|a| check(a, subject, cx)).collect();
            let criteria: Vec<&str> = checks.iter().map(|c| c.criterion.as_str()).collect();
            let or = lang.pick(" eller ", " or ");
            let criterion = criteria.join(or);
            let problem = (!checks.iter().any(Check::met)).then(|| {
                let problems: Vec<String> =
                    checks.iter().filter_map(|c| c.problem.clone()).collect();
                clauses(&problems, lang)
            });
            (criterion, problem)
        }
    };
    Check {
        criterion: req.message.clone().unwrap_or(generated),
        problem,
    }
}

/// The forums whose decision `requirements` ask for, each once, in order (alternatives included).
pub fn required_forums(requirements: &[Requirement]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in requirements {
        match &r.kind {
            RequirementKind::Decision { forums } => {
                for f in forums {
                    if !out.contains(f) {
                        out.push(f.clone());
                    }
                }
            }
            RequirementKind::Any(list) => {
                for f in required_forums(list) {
                    if !out.contains(&f) {
                        out.push(f);
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// A decision gate: the criterion (with who decided and when, when met) and what is missing. The problem says who
/// may record the decision and how, so that a refusal is also the instruction.
fn decision(req: &Requirement, forums: &[String], subject: &Subject, cx: &Context) -> Check {
    let lang = cx.language;
    let phase = subject.phase;
    let names = lang.or_list(forums);
    let found = subject
        .approvals
        .and_then(|a| a.valid_for(subject.phase_slug, forums));
    if let Some(a) = found {
        let criterion = match &req.message {
            Some(m) => format!("{m} ({})", a.summary()),
            None => lang.pick(
                format!("Vedtak om å gå videre til {phase}: {}", a.summary()),
                format!("Decision to move on to {phase}: {}", a.summary()),
            ),
        };
        return Check {
            criterion,
            problem: None,
        };
    }
    let criterion = req.message.clone().unwrap_or_else(|| {
        lang.pick(
            format!("{names} har vedtatt at tiltaket kan gå videre til {phase}"),
            format!("{names} decided that the initiative may move on to {phase}"),
        )
    });
    Check {
        criterion,
        problem: Some(missing_decision(forums, subject, cx)),
    }
}

/// What is missing when no decision is recorded: who records it, and the command.
fn missing_decision(forums: &[String], subject: &Subject, cx: &Context) -> String {
    let lang = cx.language;
    let phase = subject.phase;
    if subject.approvals.is_none() {
        let unread = lang.pick(
            "vedtakene på saken er ikke lest",
            "the issue's decisions were not read",
        );
        return unread.to_string();
    }
    let mut teams: Vec<String> = Vec::new();
    for f in forums {
        for t in cx
            .forums
            .get(f)
            .map(|f| f.teams.as_slice())
            .unwrap_or_default()
        {
            let t = format!("`{t}`");
            if !teams.contains(&t) {
                teams.push(t);
            }
        }
    }
    let teams = lang.or_list(&teams);
    let forum = match forums {
        [one] => one.clone(),
        _ => "<forum>".to_string(),
    };
    let command = format!("`/{} {phase} {forum}`", lang.pick("godkjenn", "approve"));
    let altered_by = subject.approvals.and_then(|a| a.altered_by.as_deref());
    let mut problem = match altered_by {
        None => lang.pick(
            format!("ingen vedtak er registrert. Et medlem av {teams} kan registrere det med {command}, gjerne fulgt av en lenke til referatet"),
            format!("no decision is recorded. A member of {teams} can record it with {command}, best followed by a link to the minutes"),
        ),
        Some(who) => {
            let who = markdown::text(who);
            lang.pick(
                format!("vedtaksprotokollen er endret av {who} og teller derfor ikke, for bare boten skriver den. Et medlem av {teams} kan registrere vedtaket på nytt med {command}"),
                format!("the decision record was edited by {who}, so it does not count: only the bot writes it. A member of {teams} can record the decision again with {command}"),
            )
        }
    };
    if forums.len() > 1 {
        let quoted: Vec<String> = forums.iter().map(|f| lang.quoted(f)).collect();
        problem.push_str(&format!(" (forum: {})", lang.or_list(&quoted)));
    }
    problem
}

/// Whole clauses as one sentence: "a, og b" / "a, and b"; with more, "a, b, og c".
fn clauses(parts: &[String], lang: Language) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{}{}{last}", rest.join(", "), lang.pick(", og ", ", and ")),
    }
}
