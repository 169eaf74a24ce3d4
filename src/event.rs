//! A GitHub Actions event (or a webhook delivery) → what the bot should do. PURE: reads the payload only.
//!
//! Payloads are parsed leniently (GitHub adds keys all the time), but what the bot needs must be there: a payload
//! without it is an error that names the event and the missing key.

use serde_json::Value;

use crate::board::IssueRef;
use crate::language::Bilingual;

/// What an event asks the bot to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trigger {
    /// `schedule`, `workflow_dispatch`: reconcile the whole board.
    FullSync { dry_run: bool },
    /// A new comment on an issue, maybe with commands.
    Comment(CommentEvent),
    /// `issues.opened`: put the issue on the board.
    AddToBoard(IssueEvent),
    /// An issue changed: reconcile that one item.
    ReconcileIssue(IssueEvent),
    /// A board item changed (`projects_v2_item`): reconcile the issue behind it.
    ReconcileItem {
        content_node_id: String,
        sender: String,
    },
    /// Nothing to do, and why (shown as a notice, in the configuration's language).
    Ignore(Bilingual),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueEvent {
    pub issue: IssueRef,
    pub node_id: Option<String>,
    pub sender: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentEvent {
    pub issue: IssueRef,
    pub issue_node_id: Option<String>,
    pub comment_id: u64,
    pub author: String,
    pub body: String,
    /// When the comment was written (RFC 3339), as the payload says.
    pub created_at: Option<String>,
}

/// A payload that cannot be read: exit 2, nothing changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{event} event: {problem}")]
pub struct EventError {
    pub event: String,
    pub problem: String,
}

fn get<'a>(payload: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(payload, |v, key| v.get(key))
}

struct Reader<'a> {
    event: &'a str,
    payload: &'a Value,
}

impl Reader<'_> {
    fn err(&self, problem: impl Into<String>) -> EventError {
        EventError {
            event: self.event.to_string(),
            problem: problem.into(),
        }
    }

    fn str(&self, path: &str) -> Result<String, EventError> {
        get(self.payload, path)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| self.err(format!("the payload has no text at `{path}`")))
    }

    fn u64(&self, path: &str) -> Result<u64, EventError> {
        get(self.payload, path)
            .and_then(Value::as_u64)
            .ok_or_else(|| self.err(format!("the payload has no number at `{path}`")))
    }

    fn action(&self) -> String {
        get(self.payload, "action")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    }

    fn issue(&self) -> Result<IssueEvent, EventError> {
        Ok(IssueEvent {
            issue: IssueRef {
                repository: self.str("repository.full_name")?,
                number: self.u64("issue.number")?,
            },
            node_id: get(self.payload, "issue.node_id")
                .and_then(Value::as_str)
                .map(str::to_string),
            sender: get(self.payload, "sender.login")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
        })
    }

    fn is_pull_request(&self) -> bool {
        get(self.payload, "issue.pull_request").is_some_and(|v| !v.is_null())
    }
}

/// Whether a GitHub account is a bot: `type: Bot`, or the `[bot]` suffix of App logins.
fn is_bot(user: Option<&Value>) -> bool {
    let Some(user) = user else { return false };
    let typ = user.get("type").and_then(Value::as_str).unwrap_or("");
    let login = user.get("login").and_then(Value::as_str).unwrap_or("");
    typ.eq_ignore_ascii_case("bot") || login.ends_with("[bot]")
}

/// A `workflow_dispatch` input that may arrive as a boolean or as the string "true".
fn truthy(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => matches!(s.trim().to_lowercase().as_str(), "true" | "yes" | "1"),
        _ => false,
    }
}

/// Whether a full sync should also write the portfolio report: a `workflow_dispatch` with the input `report`
/// ticked, or a `schedule` when the configuration says `report.on_schedule`.
pub fn wants_report(name: &str, payload: &Value, on_schedule: bool) -> bool {
    match name {
        "schedule" => on_schedule,
        "workflow_dispatch" => truthy(get(payload, "inputs.report")),
        _ => false,
    }
}

/// What to do for event `name` with `payload` (the JSON at `$GITHUB_EVENT_PATH`).
pub fn trigger(name: &str, payload: &Value) -> Result<Trigger, EventError> {
    let r = Reader {
        event: name,
        payload,
    };
    if !payload.is_object() {
        return Err(r.err("the payload is not a JSON object"));
    }
    let action = r.action();
    let ignore = |nb: String, en: String| Ok(Trigger::Ignore(Bilingual::new(nb, en)));
    match name {
        "schedule" => Ok(Trigger::FullSync { dry_run: false }),
        "workflow_dispatch" => Ok(Trigger::FullSync {
            dry_run: truthy(
                get(payload, "inputs.dry-run").or_else(|| get(payload, "inputs.dry_run")),
            ),
        }),
        "issue_comment" => {
            if action != "created" {
                return ignore(
                    format!(
                        "issue_comment.{action}: bare nye kommentarer kan inneholde kommandoer"
                    ),
                    format!("issue_comment.{action}: only new comments can hold commands"),
                );
            }
            if r.is_pull_request() {
                return ignore(
                    "en kommentar på en pull request".into(),
                    "a comment on a pull request".into(),
                );
            }
            if is_bot(get(payload, "comment.user")) {
                return ignore(
                    "en kommentar fra en bot".into(),
                    "a comment by a bot".into(),
                );
            }
            let issue = r.issue()?;
            Ok(Trigger::Comment(CommentEvent {
                issue: issue.issue,
                issue_node_id: issue.node_id,
                comment_id: r.u64("comment.id")?,
                author: r.str("comment.user.login")?,
                body: get(payload, "comment.body")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                created_at: get(payload, "comment.created_at")
                    .and_then(Value::as_str)
                    .map(str::to_string),
            }))
        }
        "issues" => {
            if r.is_pull_request() {
                return ignore("en pull request".into(), "a pull request".into());
            }
            match action.as_str() {
                "opened" => Ok(Trigger::AddToBoard(r.issue()?)),
                "edited" | "labeled" | "unlabeled" | "assigned" | "unassigned" | "milestoned"
                | "demilestoned" | "reopened" => {
                    // The bot's own label changes come back as events; reconciling them again changes nothing.
                    if is_bot(get(payload, "sender"))
                        && matches!(action.as_str(), "labeled" | "unlabeled")
                    {
                        return ignore(
                            format!("issues.{action} fra en bot"),
                            format!("issues.{action} by a bot"),
                        );
                    }
                    Ok(Trigger::ReconcileIssue(r.issue()?))
                }
                other => ignore(
                    format!("issues.{other} krever ingen handling"),
                    format!("issues.{other} needs no action"),
                ),
            }
        }
        "projects_v2_item" => {
            let content_type = get(payload, "projects_v2_item.content_type")
                .and_then(Value::as_str)
                .unwrap_or("");
            if matches!(action.as_str(), "archived" | "deleted") {
                return ignore(
                    format!("projects_v2_item.{action}: kortet er tatt av tavla"),
                    format!("projects_v2_item.{action}: the item left the board"),
                );
            }
            if content_type != "Issue" {
                return ignore(
                    format!("projects_v2_item for en {content_type}, ikke en sak"),
                    format!("projects_v2_item for a {content_type}, not an issue"),
                );
            }
            Ok(Trigger::ReconcileItem {
                content_node_id: r.str("projects_v2_item.content_node_id")?,
                sender: get(payload, "sender.login")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
            })
        }
        other => ignore(
            format!("hendelsen {other} krever ingen handling"),
            format!("the {other} event needs no action"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dispatch_input_may_be_a_string_or_a_boolean() {
        for (inputs, dry) in [
            (json!({"dry-run": "true"}), true),
            (json!({"dry-run": true}), true),
            (json!({"dry-run": "false"}), false),
            (json!({}), false),
        ] {
            assert_eq!(
                trigger("workflow_dispatch", &json!({ "inputs": inputs })),
                Ok(Trigger::FullSync { dry_run: dry })
            );
        }
    }

    #[test]
    fn a_payload_missing_what_is_needed_names_it() {
        let e = trigger("issues", &json!({"action": "opened", "issue": {}})).unwrap_err();
        assert_eq!(
            e.to_string(),
            "issues event: the payload has no text at `repository.full_name`"
        );
        assert!(trigger("schedule", &json!([])).is_err());
    }

    #[test]
    fn schedule_payload_is_read_leniently() {
        assert_eq!(
            trigger("schedule", &json!({"schedule": "*/15 * * * 1-5"})),
            Ok(Trigger::FullSync { dry_run: false })
        );
    }
}
