//! PURE: recorded decisions ("vedtak"): who decided, in which forum and when, that an initiative may enter a phase.
//!
//! People decide the process; the bot records their decisions and enforces them. The record is one bot comment per
//! issue, marked [`Marker::Approvals`] in its first line: a table people read, and the same list as data on its
//! second line. Only the bot's own comment counts, so nobody can forge a decision with a label or a comment of their
//! own. The record is written before anything it allows (a phase label), so an interrupted run finds it next time.

use serde::{Deserialize, Serialize};

use crate::board::{normal_login, Comment};
use crate::language::Language;
use crate::markdown;
use crate::marker::{find_marked, Marker};

/// A forum that takes decisions ("Porteføljekontoret", "Ledergruppen BOD"), and who may record them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forum {
    pub name: String,
    /// `org/team-slug`: members may record and withdraw the forum's decisions, checked with GitHub each time.
    pub teams: Vec<String>,
    /// Other names `/godkjenn` understands ("BOD").
    pub aliases: Vec<String>,
    /// Its decisions grant funds: the handoff names them as the initiative's funding.
    pub funding: bool,
}

/// The forum `text` names (its name or an alias, in any case).
pub fn forum_named<'a>(
    forums: &'a std::collections::BTreeMap<String, Forum>,
    text: &str,
) -> Option<&'a Forum> {
    forums
        .values()
        .find(|f| same_forum(&f.name, text) || f.aliases.iter().any(|a| same_forum(a, text)))
}

/// One decision, for one phase transition: the initiative may enter `phase`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approval {
    /// The slug of the phase the decision lets the initiative enter.
    pub phase: String,
    /// The forum's name as configured.
    pub forum: String,
    /// Who recorded it (a member of one of the forum's teams when it was recorded).
    pub by: String,
    /// When (RFC 3339, the command comment's time).
    pub at: String,
    /// A link to the minutes or a case number, as typed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// The command comment that recorded it: a redelivered command records nothing twice.
    pub comment: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended: Option<Ended>,
}

/// Why a decision no longer counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "why", rename_all = "lowercase")]
pub enum Ended {
    /// `/trekk`: withdrawn by a member of the forum's teams.
    Withdrawn {
        by: String,
        at: String,
        /// The `/trekk` comment: a redelivered command withdraws nothing twice.
        #[serde(default)]
        comment: u64,
    },
    /// The initiative moved back past the phase (to the phase named): a decision is for one transition.
    Voided { back_to: String },
}

impl Approval {
    pub fn valid(&self) -> bool {
        self.ended.is_none()
    }

    /// "Porteføljekontoret, kari, 2026-11-30": who decided, as a status line shows it (safe markdown).
    pub fn summary(&self) -> String {
        format!(
            "{}, {}, {}",
            markdown::text(&self.forum),
            markdown::text(&self.by),
            day(&self.at)
        )
    }
}

/// Every decision recorded on one issue, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Approvals {
    pub list: Vec<Approval>,
    /// Who else edited the bot's record, which then counts for nothing (repository writers may edit any comment,
    /// and a decision is the forum's, not theirs). The bot's next write of the record replaces it.
    pub altered_by: Option<String>,
}

const DATA: &str = "<!-- portfolio-sync:data ";

impl Approvals {
    /// The decisions in the bot's record among `comments`; none when there is no record. A record the bot cannot
    /// read, or that someone else edited, counts as none: a gate then stays shut, never open on doubt.
    pub fn read(comments: &[Comment], bot: &str) -> Approvals {
        let Some(record) = find_marked(comments, bot, &Marker::Approvals) else {
            return Approvals::default();
        };
        if let Some(editor) = record
            .editor
            .as_deref()
            .filter(|e| normal_login(e) != normal_login(bot))
        {
            tracing::warn!("the decision record was edited by {editor}, so it counts as empty");
            return Approvals {
                list: Vec::new(),
                altered_by: Some(editor.to_string()),
            };
        }
        Self::parse(&record.body).unwrap_or_default()
    }

    fn parse(body: &str) -> Option<Approvals> {
        let line = body.lines().nth(1)?;
        let json = line.strip_prefix(DATA)?.strip_suffix(" -->")?;
        match serde_json::from_str(json) {
            Ok(list) => Some(Approvals {
                list,
                altered_by: None,
            }),
            Err(e) => {
                tracing::warn!("the decision record cannot be read, so it counts as empty: {e}");
                None
            }
        }
    }

    /// The valid decision of one of `forums` for entering phase `phase` (a slug).
    pub fn valid_for(&self, phase: &str, forums: &[String]) -> Option<&Approval> {
        self.list.iter().rev().find(|a| {
            a.valid() && a.phase == phase && forums.iter().any(|f| same_forum(f, &a.forum))
        })
    }

    /// Whether the command comment `comment` recorded or withdrew something already (a redelivery).
    pub fn has_comment(&self, comment: u64) -> bool {
        self.list.iter().any(|a| {
            a.comment == comment
                || matches!(a.ended, Some(Ended::Withdrawn { comment: w, .. }) if w == comment)
        })
    }

    /// Voids the valid decisions for entering any of `phases` (slugs): the initiative moved back to `back_to`,
    /// past them. Whether anything changed.
    pub fn void(&mut self, phases: &[&str], back_to: &str) -> bool {
        let mut changed = false;
        for a in &mut self.list {
            if a.valid() && phases.contains(&a.phase.as_str()) {
                a.ended = Some(Ended::Voided {
                    back_to: back_to.to_string(),
                });
                changed = true;
            }
        }
        changed
    }

    /// Withdraws the valid decision of `forum` for entering `phase` (by command comment `comment`); `None` when
    /// there is none.
    pub fn withdraw(
        &mut self,
        phase: &str,
        forum: &str,
        by: &str,
        at: &str,
        comment: u64,
    ) -> Option<&Approval> {
        let found = self
            .list
            .iter_mut()
            .rev()
            .find(|a| a.valid() && a.phase == phase && same_forum(&a.forum, forum))?;
        found.ended = Some(Ended::Withdrawn {
            by: by.to_string(),
            at: at.to_string(),
            comment,
        });
        Some(found)
    }

    /// The record as the bot's comment: marker, data, then a table people read. `phase_name` gives a slug's name.
    pub fn body(&self, language: Language, phase_name: impl Fn(&str) -> String) -> String {
        // `<`, `>` and `&` as JSON escapes: typed text (a reference) can then never close the HTML comment.
        // Strings and numbers only: serialising cannot fail.
        let json = serde_json::to_string(&self.list)
            .unwrap_or_else(|_| "[]".into())
            .replace('<', "\\u003c")
            .replace('>', "\\u003e")
            .replace('&', "\\u0026");
        let mut out = format!("{}\n{DATA}{json} -->\n", Marker::Approvals);
        out.push_str(language.pick("### Vedtak\n\n", "### Decisions\n\n"));
        out.push_str(language.pick(
            "Vedtakene som er registrert for tiltaket. Et vedtak gjelder én faseovergang; flyttes tiltaket tilbake forbi fasen, faller vedtaket bort.\n\n",
            "The decisions recorded for this initiative. A decision is for one phase transition; moving the initiative back past the phase voids it.\n\n",
        ));
        out.push_str(language.pick(
            "| Fase | Forum | Registrert av | Dato | Referanse | Gjelder |\n|---|---|---|---|---|---|\n",
            "| Phase | Forum | Recorded by | Date | Reference | Valid |\n|---|---|---|---|---|---|\n",
        ));
        for a in &self.list {
            let state = match &a.ended {
                None => language.pick("ja", "yes").to_string(),
                Some(Ended::Withdrawn { by, at, .. }) => language.pick(
                    format!("nei, trukket av {} {}", markdown::cell(by), day(at)),
                    format!("no, withdrawn by {} {}", markdown::cell(by), day(at)),
                ),
                Some(Ended::Voided { back_to }) => language.pick(
                    format!(
                        "nei, tiltaket ble flyttet tilbake til {}",
                        markdown::cell(back_to)
                    ),
                    format!(
                        "no, the initiative moved back to {}",
                        markdown::cell(back_to)
                    ),
                ),
            };
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {state} |\n",
                markdown::cell(&phase_name(&a.phase)),
                markdown::cell(&a.forum),
                markdown::cell(&a.by),
                day(&a.at),
                a.reference
                    .as_deref()
                    .map(markdown::cell)
                    .unwrap_or_default(),
            ));
        }
        out
    }
}

/// The day of an RFC 3339 time (`2026-11-30`), or the text as stored, as safe markdown: the time comes from a
/// payload.
fn day(at: &str) -> String {
    markdown::text(at.get(..10).unwrap_or(at))
}

/// Forum names compare as phase names do: case and inner white space do not matter.
pub fn same_forum(a: &str, b: &str) -> bool {
    let words = |s: &str| {
        s.split_whitespace()
            .map(str::to_lowercase)
            .collect::<Vec<_>>()
    };
    words(a) == words(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn approval(phase: &str, forum: &str, comment: u64) -> Approval {
        Approval {
            phase: phase.into(),
            forum: forum.into(),
            by: "kari".into(),
            at: "2026-11-30T10:00:00Z".into(),
            reference: Some("<!-- portfolio-sync:status --> --> ](https://evil.example)".into()),
            comment,
            ended: None,
        }
    }

    fn comment(author: &str, body: String) -> Comment {
        Comment {
            id: 1,
            author: author.into(),
            body,
            editor: None,
            extra: Default::default(),
        }
    }

    #[test]
    fn the_record_reads_back_what_it_wrote_and_typed_text_stays_inside() {
        let record = Approvals {
            list: vec![
                approval("planlegging", "Porteføljekontoret", 7),
                approval("implementering", "Ledergruppen BOD", 8),
            ],
            altered_by: None,
        };
        let body = record.body(Language::Nb, |s| s.to_uppercase());
        assert!(Marker::Approvals.leads(&body));
        assert_eq!(
            body.matches("-->").count(),
            2,
            "only the marker and the data line close a comment: {body}"
        );
        let read = Approvals::read(&[comment("bot[bot]", body)], "bot[bot]");
        assert_eq!(read, record);
    }

    #[test]
    fn only_the_bots_record_counts() {
        let record = Approvals {
            list: vec![approval("planlegging", "Porteføljekontoret", 7)],
            altered_by: None,
        };
        let body = record.body(Language::En, str::to_string);
        assert_eq!(
            Approvals::read(&[comment("mallory", body.clone())], "bot[bot]"),
            Approvals::default()
        );
        let quoted = format!("> {}", body.replace('\n', "\n> "));
        assert_eq!(
            Approvals::read(&[comment("bot[bot]", quoted)], "bot[bot]"),
            Approvals::default()
        );
    }

    #[test]
    fn a_record_someone_else_edited_counts_for_nothing_and_says_who() {
        let record = Approvals {
            list: vec![approval("planlegging", "Porteføljekontoret", 7)],
            altered_by: None,
        };
        let edited = |editor: Option<&str>| Comment {
            editor: editor.map(str::to_string),
            ..comment("bot[bot]", record.body(Language::Nb, str::to_string))
        };
        let read = Approvals::read(&[edited(Some("mallory"))], "bot[bot]");
        assert!(read.list.is_empty(), "{read:?}");
        assert_eq!(read.altered_by.as_deref(), Some("mallory"));
        // Edited by the bot itself (GraphQL names an app without `[bot]`), or never: the record counts.
        assert_eq!(Approvals::read(&[edited(Some("bot"))], "bot[bot]"), record);
        assert_eq!(Approvals::read(&[edited(None)], "bot[bot]"), record);
    }

    #[test]
    fn a_decision_counts_for_its_phase_and_forum_until_withdrawn_or_voided() {
        let mut record = Approvals {
            list: vec![approval("planlegging", "Porteføljekontoret", 7)],
            altered_by: None,
        };
        let office = ["porteføljekontoret".to_string()];
        assert!(record.valid_for("planlegging", &office).is_some());
        assert!(record.valid_for("konsept", &office).is_none());
        assert!(record
            .valid_for("planlegging", &["Ledergruppen BOD".into()])
            .is_none());
        assert!(record
            .withdraw(
                "planlegging",
                "Porteføljekontoret",
                "ola",
                "2026-12-01T08:00:00Z",
                9
            )
            .is_some());
        assert!(
            record.has_comment(9),
            "the withdrawal is known by its command"
        );
        assert!(record.valid_for("planlegging", &office).is_none());
        assert!(record
            .withdraw("planlegging", "Porteføljekontoret", "ola", "x", 10)
            .is_none());

        let mut record = Approvals {
            list: vec![approval("planlegging", "Porteføljekontoret", 7)],
            altered_by: None,
        };
        assert!(!record.void(&["implementering"], "Konsept"));
        assert!(record.void(&["planlegging"], "Konsept"));
        assert!(record.valid_for("planlegging", &office).is_none());
        assert!(record.has_comment(7));
    }
}
