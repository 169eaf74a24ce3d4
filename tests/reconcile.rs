//! Reconcile on small boards built in the test: every rule of the DESIGN.md model, one at a time.

use portfolio_sync::board::{Item, Snapshot};
use portfolio_sync::config::{self, Config};
use portfolio_sync::plan::{Change, Outcome, Plan};
use portfolio_sync::reconcile::{reconcile, reconcile_item};
use serde_json::json;

const CONFIG: &str = r#"
[board]
owner = "acme"
project = 3
repositories = ["acme/portfolio"]

[sync]
language = "en"
placeholders = ["Key result", "_No response_"]
max_changes = 100

[handoff]
team_field = "Team"
include_sections = ["Resources"]

[teams."Platform"]
github_team = "acme/platform"
repository = "acme/platform-work"

[[phase]]
name = "Idea"

[[phase]]
name = "Problem"
require = [{ section = "Problem" }, { assignee = true }]

[[phase]]
name = "Plan"
status = "Planning"
require = [{ checklist = "Goals", min_checked = 1 }, { field = "Priority", one_of = ["High", "Low"] }]

[[phase]]
name = "Build"
handoff = true
require = [{ milestone = true }, { any = [{ field = "Team" }, { label = "team/*" }] }]

[[phase]]
name = "Done"
"#;

fn config_with(extra_sync: &str) -> Config {
    let text = CONFIG.replace("[sync]\n", &format!("[sync]\n{extra_sync}\n"));
    config::parse(&text, "test.toml").unwrap_or_else(|e| panic!("{e}"))
}

const FULL_BODY: &str = "## Problem\nUsers wait.\n\n## Goals\n- [x] Halve the wait\n- [ ] Key result\n\n## Resources\nTwo developers.\n";

fn issue_item(number: u64, status: Option<&str>, labels: &[&str]) -> Item {
    let mut fields = json!({ "Priority": "High", "Team": "Platform" });
    if let Some(s) = status {
        fields["Status"] = json!(s);
    }
    serde_json::from_value(json!({
        "id": format!("PVTI_{number}"),
        "type": "issue",
        "fields": fields,
        "issue": {
            "repository": "acme/portfolio", "number": number, "title": format!("Initiative {number}"),
            "state": "open", "body": FULL_BODY, "labels": labels, "assignees": ["kari"], "milestone": "Q1",
            "comments": []
        }
    }))
    .unwrap()
}

fn board(items: Vec<Item>) -> Snapshot {
    Snapshot {
        bot: "portfolio-sync[bot]".into(),
        board: serde_json::from_value(json!({"owner": "acme", "number": 3, "fields": []})).unwrap(),
        items,
    }
}

fn only(plan: &Plan) -> (&portfolio_sync::plan::Decision, Vec<&Change>) {
    assert_eq!(plan.decisions.len(), 1, "{plan:#?}");
    (
        &plan.decisions[0],
        plan.actions.iter().map(|a| &a.change).collect(),
    )
}

fn kinds(changes: &[&Change]) -> Vec<&'static str> {
    changes.iter().map(|c| c.kind()).collect()
}

fn has_label_change(changes: &[&Change], add: bool, wanted: &str) -> bool {
    changes.iter().any(|c| match c {
        Change::AddLabel { label, .. } if add => label == wanted,
        Change::RemoveLabel { label, .. } if !add => label == wanted,
        _ => false,
    })
}

#[test]
fn unlabelled_item_is_adopted_without_checks_or_comments() {
    let mut item = issue_item(1, Some("Build"), &[]);
    item.issue.as_mut().unwrap().body.clear(); // would fail every check
    let plan = reconcile(&config_with(""), &board(vec![item]));
    let (d, changes) = only(&plan);
    assert_eq!(d.outcome, Outcome::Adopted);
    assert_eq!(kinds(&changes), ["add_label"]);
    assert!(has_label_change(&changes, true, "fase/build"));
}

#[test]
fn without_adoption_an_unlabelled_item_starts_in_the_no_status_phase() {
    let config = config_with("adopt_unlabelled = false");
    let mut item = issue_item(1, Some("Problem"), &[]);
    item.issue.as_mut().unwrap().assignees.clear();
    let plan = reconcile(&config, &board(vec![item]));
    let (d, changes) = only(&plan);
    assert_eq!(d.outcome, Outcome::Rejected);
    assert_eq!(d.from.as_deref(), Some("Idea"));
    assert!(changes
        .iter()
        .any(|c| matches!(c, Change::SetStatus { status, .. } if status == "Idea")));
}

#[test]
fn equal_phase_plans_nothing() {
    let plan = reconcile(
        &config_with(""),
        &board(vec![issue_item(1, Some("Planning"), &["fase/plan"])]),
    );
    let (d, changes) = only(&plan);
    assert_eq!(d.outcome, Outcome::Unchanged);
    assert!(changes.is_empty(), "{changes:?}");
}

#[test]
fn status_is_matched_trimmed_and_case_insensitively() {
    let plan = reconcile(
        &config_with(""),
        &board(vec![issue_item(1, Some("  planning "), &["fase/plan"])]),
    );
    assert_eq!(only(&plan).0.outcome, Outcome::Unchanged);
}

#[test]
fn several_phase_labels_are_repaired_to_the_board_phase() {
    let plan = reconcile(
        &config_with(""),
        &board(vec![issue_item(
            1,
            Some("Problem"),
            &["fase/idea", "fase/problem", "fase/blokkert"],
        )]),
    );
    let (d, changes) = only(&plan);
    assert_eq!(d.outcome, Outcome::Unchanged);
    assert!(has_label_change(&changes, false, "fase/idea"));
    assert!(has_label_change(&changes, false, "fase/blokkert"));
    assert_eq!(changes.len(), 2);
}

#[test]
fn with_several_labels_not_matching_the_board_the_earliest_counts() {
    // Problem and Plan labels, card in Build: the move is checked from Problem, so Plan's checks apply too.
    let mut item = issue_item(1, Some("Build"), &["fase/plan", "fase/problem"]);
    item.fields.remove("Priority");
    let plan = reconcile(&config_with(""), &board(vec![item]));
    let (d, _) = only(&plan);
    assert_eq!(d.from.as_deref(), Some("Problem"));
    assert_eq!(d.outcome, Outcome::Rejected);
    assert!(
        d.missing
            .iter()
            .any(|m| m.starts_with("Plan: ") && m.contains("Priority")),
        "{:?}",
        d.missing
    );
}

#[test]
fn forward_move_that_meets_requirements_is_accepted() {
    let plan = reconcile(
        &config_with(""),
        &board(vec![issue_item(1, Some("Planning"), &["fase/problem"])]),
    );
    let (d, changes) = only(&plan);
    assert_eq!(d.outcome, Outcome::Accepted);
    assert!(has_label_change(&changes, true, "fase/plan"));
    assert!(has_label_change(&changes, false, "fase/problem"));
    assert!(changes
        .iter()
        .any(|c| matches!(c, Change::UpsertComment { body, .. } if body.contains("Before it can move on to **Build**"))));
}

#[test]
fn forward_move_that_fails_is_reverted_and_explained() {
    let mut item = issue_item(1, Some("Planning"), &["fase/problem"]);
    item.issue.as_mut().unwrap().body = "## Goals\n- [ ] Key result\n- [ ] Key result\n".into();
    let plan = reconcile(&config_with(""), &board(vec![item]));
    let (d, changes) = only(&plan);
    assert_eq!(d.outcome, Outcome::Rejected);
    assert_eq!(d.missing.len(), 1, "{:?}", d.missing);
    assert!(
        d.missing[0].contains("the issue has no checklist under “Goals”"),
        "{:?}",
        d.missing
    );
    assert!(changes.iter().any(|c| matches!(c, Change::SetStatus { item_id, status } if item_id == "PVTI_1" && status == "Problem")));
    assert!(changes
        .iter()
        .any(|c| matches!(c, Change::UpsertComment { body, .. } if body.contains("moved back to **Problem**"))));
    assert!(!changes.iter().any(|c| matches!(c, Change::AddLabel { .. })));
}

#[test]
fn a_skip_over_phases_needs_every_phase_on_the_way() {
    let mut item = issue_item(1, Some("Build"), &["fase/idea"]);
    item.issue.as_mut().unwrap().assignees.clear();
    item.issue.as_mut().unwrap().milestone = None;
    let plan = reconcile(&config_with(""), &board(vec![item]));
    let (d, _) = only(&plan);
    assert_eq!(d.outcome, Outcome::Rejected);
    let phases: Vec<&str> = d
        .missing
        .iter()
        .map(|m| m.split(':').next().unwrap())
        .collect();
    assert_eq!(phases, ["Problem", "Build"], "{:?}", d.missing);

    let plan = reconcile(
        &config_with(""),
        &board(vec![issue_item(2, Some("Build"), &["fase/idea"])]),
    );
    assert_eq!(only(&plan).0.outcome, Outcome::Accepted);
}

#[test]
fn flag_keeps_the_status_and_adds_the_blocked_label_once() {
    let config = config_with("on_violation = \"flag\"");
    let mut item = issue_item(1, Some("Planning"), &["fase/problem"]);
    item.fields.remove("Priority");
    let plan = reconcile(&config, &board(vec![item.clone()]));
    let (d, changes) = only(&plan);
    assert_eq!(d.outcome, Outcome::Rejected);
    assert_eq!(
        kinds(&changes),
        ["upsert_comment", "add_label"],
        "told, then flagged"
    );
    assert!(has_label_change(&changes, true, "fase/blokkert"));

    // Flagged already and the comments are not known (a live sync): nothing is planned, no per-item read needed.
    let issue = item.issue.as_mut().unwrap();
    issue.labels.push("fase/blokkert".into());
    issue.comments = None;
    let plan = reconcile(&config, &board(vec![item.clone()]));
    assert_eq!(only(&plan).0.outcome, Outcome::Rejected);
    assert!(plan.actions.is_empty(), "{:?}", plan.actions);

    // Once the requirement is met, the move is accepted and the flag removed.
    item.fields.insert("Priority".into(), json!("Low"));
    let plan = reconcile(&config, &board(vec![item]));
    let (d, changes) = only(&plan);
    assert_eq!(d.outcome, Outcome::Accepted);
    assert!(has_label_change(&changes, false, "fase/blokkert"));
    assert!(has_label_change(&changes, true, "fase/plan"));
}

#[test]
fn backward_moves_follow_allow_backward() {
    let item = issue_item(1, Some("Problem"), &["fase/build"]);
    let plan = reconcile(&config_with(""), &board(vec![item.clone()]));
    assert_eq!(only(&plan).0.outcome, Outcome::Accepted);

    let plan = reconcile(&config_with("allow_backward = false"), &board(vec![item]));
    let (d, changes) = only(&plan);
    assert_eq!(d.outcome, Outcome::Rejected);
    assert!(changes
        .iter()
        .any(|c| matches!(c, Change::SetStatus { status, .. } if status == "Build")));
}

#[test]
fn entering_a_handoff_phase_posts_the_handoff_and_opens_a_tracking_issue() {
    let plan = reconcile(
        &config_with(""),
        &board(vec![issue_item(1, Some("Build"), &["fase/plan"])]),
    );
    let (d, changes) = only(&plan);
    assert_eq!(d.outcome, Outcome::Accepted);
    let handoff = changes
        .iter()
        .find_map(|c| match c {
            Change::PostComment { body, .. } => Some(body),
            _ => None,
        })
        .expect("a handoff comment");
    assert!(handoff.contains("<!-- portfolio-sync:handoff:build -->"));
    assert!(handoff.contains("@acme/platform"));
    assert!(handoff.contains("@kari"));
    assert!(handoff.contains("> Two developers."));
    assert!(changes
        .iter()
        .any(|c| matches!(c, Change::CreateIssue { repository, body, .. } if repository == "acme/platform-work" && body.contains("acme/portfolio#1"))));
}

#[test]
fn an_existing_handoff_comment_is_not_posted_again() {
    let mut item = issue_item(1, Some("Build"), &["fase/plan"]);
    item.issue.as_mut().unwrap().comments = Some(vec![serde_json::from_value(json!({
        "id": 9, "author": "portfolio-sync", "body": "<!-- portfolio-sync:handoff:build -->\nold text"
    }))
    .unwrap()]);
    let plan = reconcile(&config_with(""), &board(vec![item.clone()]));
    assert!(!plan.actions.iter().any(|a| matches!(
        a.change,
        Change::PostComment { .. } | Change::CreateIssue { .. }
    )));

    // A marker in somebody else's comment is not trusted.
    item.issue.as_mut().unwrap().comments.as_mut().unwrap()[0].author = "mallory".into();
    let plan = reconcile(&config_with(""), &board(vec![item]));
    assert!(plan
        .actions
        .iter()
        .any(|a| matches!(a.change, Change::PostComment { .. })));
}

#[test]
fn skipped_items_are_reported_and_never_touched() {
    let mut closed = issue_item(1, Some("Build"), &[]);
    closed.issue.as_mut().unwrap().state = portfolio_sync::board::IssueState::Closed;
    let mut archived = issue_item(2, Some("Build"), &[]);
    archived.archived = true;
    let mut foreign = issue_item(3, Some("Build"), &[]);
    foreign.issue.as_mut().unwrap().repository = "other/repo".into();
    let unknown_status = issue_item(4, Some("Someday"), &[]);
    let draft: Item =
        serde_json::from_value(json!({"id": "D1", "type": "draft", "draft": {"title": "x"}}))
            .unwrap();
    let pr: Item = serde_json::from_value(
        json!({"id": "P1", "type": "pull_request", "pull_request": {"repository": "acme/portfolio", "number": 5}}),
    )
    .unwrap();
    let plan = reconcile(
        &config_with(""),
        &board(vec![closed, archived, foreign, unknown_status, draft, pr]),
    );
    assert!(plan.actions.is_empty(), "{:?}", plan.actions);
    let reasons: Vec<(&str, &str)> = plan
        .decisions
        .iter()
        .map(|d| {
            assert_eq!(d.outcome, Outcome::Skipped);
            (d.item.as_str(), d.reason.as_str())
        })
        .collect();
    assert_eq!(
        reasons,
        [
            ("acme/portfolio#1", "closed"),
            ("acme/portfolio#2", "archived"),
            (
                "other/repo#3",
                "from other/repo, not a configured repository"
            ),
            (
                "acme/portfolio#4",
                "Status \"Someday\" is not a configured phase"
            ),
            ("draft:D1", "draft issue"),
            ("acme/portfolio#5", "pull request"),
        ]
    );

    let mut closed = issue_item(6, Some("Build"), &[]);
    closed.issue.as_mut().unwrap().state = portfolio_sync::board::IssueState::Closed;
    let plan = reconcile(&config_with("closed = \"sync\""), &board(vec![closed]));
    assert_eq!(only(&plan).0.outcome, Outcome::Adopted);
}

#[test]
fn empty_status_is_the_no_status_phase() {
    let plan = reconcile(
        &config_with(""),
        &board(vec![issue_item(1, None, &["fase/idea"])]),
    );
    assert_eq!(only(&plan).0.outcome, Outcome::Unchanged);
    let plan = reconcile(
        &config_with("no_status = \"Problem\""),
        &board(vec![issue_item(1, None, &["fase/problem"])]),
    );
    assert_eq!(only(&plan).0.outcome, Outcome::Unchanged);
}

#[test]
fn a_requested_phase_is_checked_like_a_board_move_but_never_reverted() {
    let config = config_with("");
    let mut item = issue_item(1, Some("Problem"), &["fase/problem"]);
    item.fields.remove("Priority");
    let plan = reconcile_item(&config, "portfolio-sync[bot]", &item, Some(2));
    let (d, changes) = only(&plan);
    assert_eq!(d.outcome, Outcome::Rejected);
    assert!(!d.missing.is_empty(), "says what is missing");
    // Nothing moved, so nothing to revert, flag or comment on the board's behalf: the command's reply tells.
    assert_eq!(kinds(&changes), Vec::<&str>::new());
}

#[test]
fn an_unchanged_comment_is_not_rewritten() {
    let config = config_with("");
    let item = issue_item(1, Some("Planning"), &["fase/problem"]);
    let plan = reconcile(&config, &board(vec![item.clone()]));
    let status = plan
        .actions
        .iter()
        .find_map(|a| match &a.change {
            Change::UpsertComment { body, .. } => Some(body.clone()),
            _ => None,
        })
        .unwrap();
    let mut with_comment = item;
    with_comment.issue.as_mut().unwrap().comments = Some(vec![serde_json::from_value(
        json!({"id": 1, "author": "portfolio-sync[bot]", "body": status}),
    )
    .unwrap()]);
    let plan = reconcile(&config, &board(vec![with_comment]));
    assert!(
        !plan
            .actions
            .iter()
            .any(|a| a.change.kind() == "upsert_comment"),
        "{:?}",
        plan.actions
    );
}

// ---------------------------------------------------------------------------------------------------------------
// The handoff as "Fordeling av tiltaket" describes it: who is responsible (once), the teams, the funds, and a tracking
// issue the team can work from.

/// The configuration with `extra` lines in `[handoff]`, in bokmål or English.
fn handoff_config(extra: &str, language: &str) -> Config {
    let text = CONFIG
        .replace("[handoff]\n", &format!("[handoff]\n{extra}\n"))
        .replace("language = \"en\"", &format!("language = \"{language}\""));
    config::parse(&text, "test.toml").unwrap_or_else(|e| panic!("{e}"))
}

/// The handoff comment and the tracking issue's body planned for `item` entering Build.
fn handoff_bodies(config: &Config, item: Item) -> (String, String) {
    let plan = reconcile(config, &board(vec![item]));
    let comment = plan.actions.iter().find_map(|a| match &a.change {
        Change::PostComment { body, .. } => Some(body.clone()),
        _ => None,
    });
    let issue = plan.actions.iter().find_map(|a| match &a.change {
        Change::CreateIssue { body, .. } => Some(body.clone()),
        _ => None,
    });
    (
        comment.expect("a handoff comment"),
        issue.expect("a tracking issue"),
    )
}

fn entering_build(fields: serde_json::Value, body: &str) -> Item {
    let mut item = issue_item(1, Some("Build"), &["fase/plan"]);
    for (name, value) in fields.as_object().into_iter().flatten() {
        item.fields.insert(name.clone(), value.clone());
    }
    let issue = item.issue.as_mut().expect("an issue");
    issue.body = body.to_string();
    issue.url = Some("https://github.com/acme/portfolio/issues/1".into());
    item
}

/// The text after `**label:** ` on its line.
fn line_of<'a>(body: &'a str, label: &str) -> &'a str {
    let start = format!("**{label}:** ");
    body.lines()
        .find_map(|l| l.split_once(&start).map(|(_, rest)| rest))
        .unwrap_or_else(|| panic!("no {label} line in:\n{body}"))
}

#[test]
fn the_responsible_person_is_listed_once() {
    let config = handoff_config("responsible_field = \"Owner\"", "en");
    // kari is the assignee; the card names her again by login in every spelling, and two others by name.
    let owner = "@Kari, kari; KARI\nKari Nordmann, Ola Nordmann, kari nordmann, @";
    let item = entering_build(json!({ "Owner": owner }), FULL_BODY);
    let (comment, issue) = handoff_bodies(&config, item);
    // "Kari Nordmann" may well be kari, but nothing on the board says so: it follows the mention, never replaces it.
    let expected = "@kari, Kari Nordmann, Ola Nordmann";
    assert_eq!(line_of(&comment, "Responsible"), expected);
    assert_eq!(line_of(&issue, "Responsible"), expected);
}

#[test]
fn a_login_in_the_responsible_field_that_is_no_assignee_is_shown_but_not_mentioned() {
    let config = handoff_config("responsible_field = \"Owner\"", "nb");
    let item = entering_build(json!({ "Owner": "@ola, @acme/all" }), FULL_BODY);
    let (comment, _) = handoff_bodies(&config, item);
    let line = line_of(&comment, "Ansvarlig");
    assert_eq!(line, "@kari, @\u{200B}ola, @\u{200B}acme/all", "{comment}");
}

#[test]
fn funding_comes_from_the_field_and_the_section() {
    let config = handoff_config(
        "funding_field = \"Funding\"\nfunding_section = \"Funding\"",
        "en",
    );
    let body = format!(
        "{FULL_BODY}\n## Funding\n- Own budget: 1 MNOK\n- [x] Shared funds 2026\n\n\
         See [the decision](https://evil.example) by @acme/all <!-- portfolio-sync:rejected -->\n"
    );
    // A decimal comma: the field is one line as typed, not a list.
    let item = entering_build(json!({ "Funding": "Shared funds, 2,5 MNOK" }), &body);
    let (comment, issue) = handoff_bodies(&config, item);
    let lines = [
        "Shared funds, 2,5 MNOK",
        "Own budget: 1 MNOK",
        "Shared funds 2026",
        // The HTML comment is gone: the issue body is read without them.
        "See \\[the decision\\](https:\u{200B}//evil.example) by @\u{200B}acme/all",
    ];
    let nested: String = lines.iter().map(|l| format!("  - {l}\n")).collect();
    assert!(
        comment.contains(&format!("- **Funding:**\n{nested}")),
        "{comment}"
    );
    let listed: String = lines.iter().map(|l| format!("- {l}\n")).collect();
    assert!(
        issue.contains(&format!("#### Funding\n\n{listed}")),
        "{issue}"
    );
    for body in [&comment, &issue] {
        assert_eq!(markers(body), 1, "only the marker: {body}");
    }
}

/// HTML comments in a body besides the slots where the bot names the tracking issues.
fn markers(body: &str) -> usize {
    let slot = portfolio_sync::marker::tracking_slot("acme/platform-work");
    body.replace(&slot, "").matches("<!--").count()
}

#[test]
fn funding_from_the_field_alone_and_none_at_all() {
    let config = handoff_config("funding_field = \"Funding\"", "nb");
    let item = entering_build(json!({ "Funding": "Fellesmidler 2026" }), FULL_BODY);
    let (comment, issue) = handoff_bodies(&config, item);
    assert_eq!(line_of(&comment, "Finansiering"), "Fellesmidler 2026");
    assert!(
        issue.contains("#### Finansiering\n\n- Fellesmidler 2026\n"),
        "{issue}"
    );

    let item = entering_build(json!({}), FULL_BODY);
    let (comment, issue) = handoff_bodies(&config, item);
    assert_eq!(line_of(&comment, "Finansiering"), "ikke angitt");
    assert!(
        issue.contains("#### Finansiering\n\n_ikke angitt_\n"),
        "{issue}"
    );
}

#[test]
fn the_tracking_issue_has_what_the_team_works_from() {
    let extra = "responsible_field = \"Owner\"\ntracking_sections = [\"Problem\", \"Goals\", \"Resources\"]";
    for language in ["nb", "en"] {
        let config = handoff_config(extra, language);
        let item = entering_build(json!({ "Owner": "Ola Nordmann" }), FULL_BODY);
        let (_, issue) = handoff_bodies(&config, item);
        let nb = language == "nb";
        let pick = |n: &'static str, e: &'static str| if nb { n } else { e };
        assert!(
            issue.starts_with("<!-- portfolio-sync:tracking:acme/portfolio#1 -->\n"),
            "the marker is the first line: {issue}"
        );
        let expected = [
            pick(
                "### Oppfølgingssak: Initiative 1",
                "### Tracking issue: Initiative 1",
            ),
            "acme/portfolio#1",
            pick("**Milepæl:** Q1", "**Milestone:** Q1"),
            pick("#### Kontaktpersoner", "#### Contacts"),
            "@kari, Ola Nordmann",
            "@acme/platform",
            pick("#### Finansiering", "#### Funding"),
            "#### Problem\n\n> Users wait.\n",
            "#### Goals\n\n> - \\[x\\] Halve the wait\n> - \\[ \\] Key result\n",
            // The resource section (include_sections) under the resources' heading.
            pick("#### Ressurser", "#### Resources"),
            "**Resources**\n\n> Two developers.\n",
            pick("#### Tilbake til tiltaket", "#### Back to the initiative"),
            "acme/portfolio#1: https://github.com/acme/portfolio/issues/1\n",
        ];
        let mut at = 0;
        for part in expected {
            let found = issue[at..]
                .find(part)
                .unwrap_or_else(|| panic!("{part:?} missing or out of order:\n{issue}"));
            at += found + part.len();
        }
    }
}

#[test]
fn a_resource_section_is_known_however_tracking_sections_spells_it() {
    let config = handoff_config("tracking_sections = [\"RESOURCES:\", \"Problem\"]", "en");
    let (_, issue) = handoff_bodies(&config, entering_build(json!({}), FULL_BODY));
    let resources = issue.find("#### Resources\n\n**RESOURCES:**\n\n> Two developers.\n");
    let problem = issue.find("#### Problem\n\n> Users wait.\n");
    assert!(resources.is_some() && problem.is_some(), "{issue}");
    assert!(resources < problem, "in the configured order: {issue}");
}

#[test]
fn without_tracking_sections_the_tracking_issue_quotes_the_resources() {
    let config = handoff_config("", "en");
    let (_, issue) = handoff_bodies(&config, entering_build(json!({}), FULL_BODY));
    assert!(
        issue.contains("#### Resources\n\n**Resources**\n\n> Two developers.\n"),
        "{issue}"
    );
    assert!(!issue.contains("#### Problem"), "{issue}");
}

#[test]
fn text_people_wrote_is_inert_in_the_tracking_issue() {
    let extra = "tracking_sections = [\"Problem\"]";
    let hostile =
        "<!-- portfolio-sync:rejected --> @acme/all ](https://evil.example/login) www.evil.example";
    let body = format!("## Problem\n{hostile}\n\n## Resources\n{hostile}\n");
    let mut item = entering_build(json!({ "Team": "Platform, @acme/all" }), &body);
    item.issue.as_mut().expect("issue").title = format!("Initiative {hostile}");
    for language in ["nb", "en"] {
        let (comment, issue) = handoff_bodies(&handoff_config(extra, language), item.clone());
        for body in [&comment, &issue] {
            assert_eq!(markers(body), 1, "only the marker: {body}");
            assert!(!body.contains("@acme/all"), "a team is notified: {body}");
            assert!(!body.contains("](https://evil"), "a link escaped: {body}");
            assert!(!body.contains("www.evil"), "a link is formed: {body}");
        }
        assert!(issue.starts_with("<!-- portfolio-sync:tracking:acme/portfolio#1 -->\n"));
    }
}

#[test]
fn a_tracking_issue_quoting_a_huge_section_fits_githubs_limit() {
    let extra = "tracking_sections = [\"Problem\", \"Goals\", \"Resources\"]";
    let huge = "Brukerne venter på svar fra mange etater. ".repeat(30_000); // 1.26 million characters
    assert!(huge.chars().count() > 1_200_000);
    let body = format!("## Problem\n{huge}\n\n## Goals\n{huge}\n\n## Resources\n{huge}\n");
    for language in ["nb", "en"] {
        let (comment, issue) = handoff_bodies(
            &handoff_config(extra, language),
            entering_build(json!({}), &body),
        );
        for body in [&comment, &issue] {
            let chars = body.chars().count();
            assert!(chars <= portfolio_sync::markdown::BODY_LIMIT, "{chars}");
            assert!(body.contains("Brukerne venter"), "the start is shown");
        }
        assert!(issue.starts_with("<!-- portfolio-sync:tracking:acme/portfolio#1 -->\n"));
        assert!(
            issue.contains("acme/portfolio#1: https://github.com/acme/portfolio/issues/1\n"),
            "the link back: {issue}"
        );
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The phase label is the bot's memory only when the bot wrote it (the label history says who did)

/// `item` with a label history: (event, label, actor), one minute apart.
fn with_history(mut item: Item, events: &[(&str, &str, &str)]) -> Item {
    let labels: Vec<_> = events
        .iter()
        .enumerate()
        .map(|(i, (event, label, actor))| {
            json!({ "at": format!("2026-11-0{}T10:00:00Z", i + 1), "event": event, "label": label, "actor": actor })
        })
        .collect();
    let history = serde_json::from_value(json!({ "labels": labels })).unwrap();
    item.set_history(&history);
    item
}

const BOT: &str = "portfolio-sync";

#[test]
fn a_phase_label_a_person_added_grants_nothing() {
    // The bot accepted Problem; a person added `fase/plan` and moved the card to Planning, which fails Plan's
    // checks (no priority): the move is checked from Problem and refused, and the person's label goes.
    let mut item = issue_item(1, Some("Planning"), &["fase/problem", "fase/plan"]);
    item.fields.remove("Priority");
    let item = with_history(
        item,
        &[
            ("labeled", "fase/problem", BOT),
            ("labeled", "fase/plan", "mallory"),
        ],
    );
    let plan = reconcile(&config_with(""), &board(vec![item]));
    let (d, changes) = only(&plan);
    assert_eq!(d.from.as_deref(), Some("Problem"));
    assert_eq!(d.outcome, Outcome::Rejected, "{d:?}");
    assert!(has_label_change(&changes, false, "fase/plan"));
    assert!(!has_label_change(&changes, false, "fase/problem"));
}

#[test]
fn the_bots_label_a_person_removed_is_still_remembered() {
    // The bot accepted Problem; a person took the label off and moved the card to Build: a move from Problem,
    // checked (and refused: Plan's checks fail), not an unlabelled card adopted where it stands.
    let mut item = issue_item(1, Some("Build"), &[]);
    item.fields.remove("Priority");
    let item = with_history(
        item,
        &[
            ("labeled", "fase/problem", BOT),
            ("unlabeled", "fase/problem", "mallory"),
        ],
    );
    let plan = reconcile(&config_with(""), &board(vec![item]));
    let (d, changes) = only(&plan);
    assert_eq!(d.from.as_deref(), Some("Problem"));
    assert_eq!(d.outcome, Outcome::Rejected, "{d:?}");
    assert!(has_label_change(&changes, true, "fase/problem"));
}

#[test]
fn an_accepted_phase_whose_label_a_person_set_gets_the_bots_own() {
    // Everything Plan asks is there: the move is accepted, and the person's `fase/plan` is taken off and put back
    // by the bot (GitHub records no event for adding a label that is there), so the next run remembers it.
    let item = with_history(
        issue_item(1, Some("Planning"), &["fase/problem", "fase/plan"]),
        &[
            ("labeled", "fase/problem", BOT),
            ("labeled", "fase/plan", "kari"),
        ],
    );
    let plan = reconcile(&config_with(""), &board(vec![item]));
    let (d, changes) = only(&plan);
    assert_eq!(d.outcome, Outcome::Accepted, "{d:?}");
    let labels: Vec<String> = changes
        .iter()
        .filter_map(|c| match c {
            Change::AddLabel { label, .. } => Some(format!("+{label}")),
            Change::RemoveLabel { label, .. } => Some(format!("-{label}")),
            _ => None,
        })
        .collect();
    assert_eq!(labels, ["-fase/plan", "+fase/plan", "-fase/problem"]);

    // Once the history shows the bot's own label, the card stands still.
    let item = with_history(
        issue_item(1, Some("Planning"), &["fase/plan"]),
        &[
            ("labeled", "fase/plan", "kari"),
            ("unlabeled", "fase/plan", "portfolio-sync[bot]"),
            ("labeled", "fase/plan", "portfolio-sync[bot]"),
        ],
    );
    let plan = reconcile(&config_with(""), &board(vec![item]));
    let (d, changes) = only(&plan);
    assert_eq!(d.outcome, Outcome::Unchanged, "{d:?}");
    assert!(changes.is_empty(), "{changes:?}");
}

#[test]
fn without_a_history_the_labels_count_as_they_are() {
    let plan = reconcile(
        &config_with(""),
        &board(vec![issue_item(1, Some("Planning"), &["fase/plan"])]),
    );
    let (d, changes) = only(&plan);
    assert_eq!(d.outcome, Outcome::Unchanged);
    assert!(changes.is_empty(), "{changes:?}");
}

#[test]
fn an_issue_the_bot_never_labelled_is_adopted_and_its_label_made_the_bots() {
    // A person labelled the issue `fase/problem` before the bot ever saw it: adopted where its card stands (no
    // checks), and the label taken off and put back so that the next run remembers it.
    let item = with_history(
        issue_item(1, Some("Problem"), &["fase/problem"]),
        &[("labeled", "fase/problem", "kari")],
    );
    let plan = reconcile(&config_with(""), &board(vec![item]));
    let (d, changes) = only(&plan);
    assert_eq!(d.outcome, Outcome::Adopted, "{d:?}");
    assert!(has_label_change(&changes, false, "fase/problem"));
    assert!(has_label_change(&changes, true, "fase/problem"));
}
