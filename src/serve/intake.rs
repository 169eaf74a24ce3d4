//! One webhook request → work to queue, a reason to ignore it, or a refusal. PURE: headers and body in, decision out.
//!
//! The order of the checks matters: the signature is checked first, on the raw bytes, so an unsigned request
//! learns nothing (not even whether its JSON was valid) and costs no parsing. What to do is decided by the same
//! `event::trigger` that `portfolio-sync event` uses, so the server and the Action cannot disagree.

use serde_json::Value;

use super::signature::{self, SignatureError};
use crate::event::{self, Trigger};

/// The events the server acts on; everything else is acknowledged and ignored. (`schedule` and
/// `workflow_dispatch` are the Action's: a full sync is never started by a webhook.)
pub const EVENTS: [&str; 3] = ["projects_v2_item", "issues", "issue_comment"];

/// GitHub's delivery ids are GUIDs; anything much longer is not GitHub and is not worth remembering.
const MAX_ID_LEN: usize = 128;

/// The headers a delivery is judged by (values as sent, if present).
#[derive(Debug, Clone, Copy, Default)]
pub struct Headers<'a> {
    /// `X-Hub-Signature-256`
    pub signature: Option<&'a str>,
    /// `X-GitHub-Event`
    pub event: Option<&'a str>,
    /// `X-GitHub-Delivery`
    pub delivery: Option<&'a str>,
}

/// Work for the queue: one accepted delivery, already turned into what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// `X-GitHub-Delivery`: the same on a redelivery.
    pub id: String,
    /// `X-GitHub-Event`, and the payload's `action`.
    pub event: String,
    pub action: String,
    /// Deliveries with the same key (the issue they are about) run one at a time, in the order they came.
    pub key: String,
    pub trigger: Trigger,
    /// Who caused the event (`sender.login`): for logs, and for messages that name who moved a card.
    pub sender: String,
    /// The account the event happened in: the project's organisation for a card, else the repository's owner.
    pub owner: String,
}

/// What to answer GitHub, short of refusing.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)] // one per request, never kept in bulk
pub enum Intake {
    Work(Delivery),
    /// A valid delivery that needs no action.
    Ignore {
        id: String,
        event: String,
        reason: String,
    },
    /// GitHub's `ping` when the App or hook is created.
    Ping {
        id: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// 401: nothing else is looked at.
    #[error(transparent)]
    Unauthorized(#[from] SignatureError),
    /// 400: signed, but not something GitHub would send.
    #[error("{0}")]
    BadRequest(String),
}

fn header<'a>(value: Option<&'a str>, name: &str) -> Result<&'a str, Refusal> {
    let value = value.map(str::trim).filter(|v| !v.is_empty());
    let value =
        value.ok_or_else(|| Refusal::BadRequest(format!("the {name} header is missing")))?;
    let sane = value.len() <= MAX_ID_LEN && value.bytes().all(|b| b.is_ascii_graphic());
    if !sane {
        return Err(Refusal::BadRequest(format!(
            "the {name} header is not a GitHub value"
        )));
    }
    Ok(value)
}

/// Judges one request.
pub fn intake(secret: &[u8], headers: Headers<'_>, body: &[u8]) -> Result<Intake, Refusal> {
    signature::verify(secret, headers.signature, body)?;
    let event = header(headers.event, "X-GitHub-Event")?;
    let id = header(headers.delivery, "X-GitHub-Delivery")?;
    judge(event, id, body)
}

/// A command comment older than `max_age` at `now` (seconds since 1970): a delivery that old is a replay or a
/// redelivery long after the fact, and acting on it would move a card on a stale word. The reason, if so.
pub fn too_old(delivery: &Delivery, now: i64, max_age: std::time::Duration) -> Option<String> {
    let Trigger::Comment(c) = &delivery.trigger else {
        return None;
    };
    let written = c
        .created_at
        .as_deref()
        .and_then(crate::report::Day::unix_seconds)?;
    let age = now.saturating_sub(written);
    (age > i64::try_from(max_age.as_secs()).unwrap_or(i64::MAX)).then(|| {
        format!(
            "a command comment written {} min ago, more than the {} min a command is acted on",
            age / 60,
            max_age.as_secs() / 60
        )
    })
}

/// What to do with a delivery whose signature was verified: on arrival, and again on a restart for the deliveries
/// the store kept (so a stored delivery is judged by the same code as a fresh one).
pub fn judge(event: &str, id: &str, body: &[u8]) -> Result<Intake, Refusal> {
    let (event, id) = (event.to_string(), id.to_string());
    if event == "ping" {
        return Ok(Intake::Ping { id });
    }
    let payload: Value = serde_json::from_slice(body).map_err(|e| {
        Refusal::BadRequest(format!(
            "the body is not JSON ({e}, line {} column {})",
            e.line(),
            e.column()
        ))
    })?;
    if !EVENTS.contains(&event.as_str()) {
        let reason = format!(
            "the {event} event needs no action (the server acts on {})",
            EVENTS.join(", ")
        );
        return Ok(Intake::Ignore { id, event, reason });
    }
    let trigger =
        event::trigger(&event, &payload).map_err(|e| Refusal::BadRequest(e.to_string()))?;
    let Some(key) = key_of(&trigger) else {
        let reason = match trigger {
            Trigger::Ignore(why) => why.to_string(),
            other => format!("{other:?} is not started by a webhook"),
        };
        return Ok(Intake::Ignore { id, event, reason });
    };
    let text = |path: &str| {
        payload
            .pointer(path)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    Ok(Intake::Work(Delivery {
        id,
        action: text("/action"),
        sender: text("/sender/login"),
        owner: match text("/organization/login") {
            org if !org.is_empty() && event == "projects_v2_item" => org,
            _ => text("/repository/owner/login"),
        },
        event,
        key,
        trigger,
    }))
}

/// The issue a trigger is about, as one string for every event kind: the issue's node id when the payload has it
/// (a card event names the issue only by `content_node_id`), else `owner/repo#N` in lower case.
pub fn key_of(trigger: &Trigger) -> Option<String> {
    let by_ref = |issue: &crate::board::IssueRef| issue.to_string().to_lowercase();
    match trigger {
        Trigger::Comment(c) => Some(c.issue_node_id.clone().unwrap_or_else(|| by_ref(&c.issue))),
        Trigger::AddToBoard(e) | Trigger::ReconcileIssue(e) => {
            Some(e.node_id.clone().unwrap_or_else(|| by_ref(&e.issue)))
        }
        Trigger::ReconcileItem {
            content_node_id, ..
        } => Some(content_node_id.clone()),
        Trigger::FullSync { .. } | Trigger::Ignore(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::serve::signature::sign;
    use serde_json::json;

    const SECRET: &[u8] = b"test secret";

    fn judge(event: &str, body: &[u8]) -> Result<Intake, Refusal> {
        let sig = sign(SECRET, body);
        let headers = Headers {
            signature: Some(&sig),
            event: Some(event),
            delivery: Some("d-1"),
        };
        intake(SECRET, headers, body)
    }

    #[test]
    fn a_command_comment_is_too_old_after_the_max_age() {
        let body = json!({
            "action": "created",
            "issue": {"number": 5, "node_id": "I_5"},
            "comment": {"id": 9, "body": "/fase Problem", "user": {"login": "kari", "type": "User"},
                        "created_at": "2026-12-03T10:00:00Z"},
            "repository": {"full_name": "digdir/portfolio", "owner": {"login": "digdir"}},
            "sender": {"login": "kari"}
        })
        .to_string();
        let Ok(Intake::Work(d)) = judge("issue_comment", body.as_bytes()) else {
            panic!("a command comment is work");
        };
        let written = crate::report::Day::unix_seconds("2026-12-03T10:00:00Z").expect("a time");
        let hour = std::time::Duration::from_secs(3600);
        assert_eq!(too_old(&d, written + 3599, hour), None);
        let old = too_old(&d, written + 7200, hour).expect("too old after two hours");
        assert!(old.contains("120 min"), "{old}");
        let Ok(Intake::Work(c)) = judge("projects_v2_item", &card("Issue")) else {
            panic!("a card is work");
        };
        assert_eq!(too_old(&c, i64::MAX, hour), None, "only commands age");
    }

    fn card(content_type: &str) -> Vec<u8> {
        json!({
            "action": "edited",
            "projects_v2_item": {"content_node_id": "I_1", "content_type": content_type},
            "sender": {"login": "kari"}
        })
        .to_string()
        .into_bytes()
    }

    #[test]
    fn a_card_move_is_work_keyed_by_the_issue() {
        let Ok(Intake::Work(d)) = judge("projects_v2_item", &card("Issue")) else {
            panic!("not work")
        };
        assert_eq!(
            (d.id.as_str(), d.key.as_str(), d.sender.as_str()),
            ("d-1", "I_1", "kari")
        );
        assert_eq!(d.action, "edited");
    }

    #[test]
    fn the_signature_is_checked_before_anything_else() {
        let headers = Headers {
            signature: Some("sha256=00"),
            ..Headers::default()
        };
        assert!(matches!(
            intake(SECRET, headers, b"not json"),
            Err(Refusal::Unauthorized(_))
        ));
        assert!(matches!(
            intake(SECRET, Headers::default(), b"{}"),
            Err(Refusal::Unauthorized(SignatureError::Missing))
        ));
    }

    #[test]
    fn signed_nonsense_is_a_bad_request() {
        assert!(
            matches!(judge("issues", b"{\"action\":"), Err(Refusal::BadRequest(m)) if m.contains("not JSON"))
        );
        let no_repo = json!({"action": "edited", "issue": {"number": 1}}).to_string();
        assert!(
            matches!(judge("issues", no_repo.as_bytes()), Err(Refusal::BadRequest(m)) if m.contains("repository.full_name"))
        );
        let sig = sign(SECRET, b"{}");
        let no_id = Headers {
            signature: Some(&sig),
            event: Some("issues"),
            delivery: None,
        };
        assert!(
            matches!(intake(SECRET, no_id, b"{}"), Err(Refusal::BadRequest(m)) if m.contains("X-GitHub-Delivery"))
        );
    }

    #[test]
    fn other_events_and_drafts_are_ignored_with_a_reason() {
        assert!(
            matches!(judge("star", b"{}"), Ok(Intake::Ignore { reason, .. }) if reason.contains("star event"))
        );
        assert!(matches!(
            judge("schedule", b"{}"),
            Ok(Intake::Ignore { .. })
        ));
        assert!(
            matches!(judge("projects_v2_item", &card("DraftIssue")), Ok(Intake::Ignore { reason, .. }) if reason.contains("DraftIssue"))
        );
        assert!(matches!(judge("ping", b"{}"), Ok(Intake::Ping { .. })));
    }
}
