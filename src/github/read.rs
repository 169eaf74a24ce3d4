//! Reading the board: the project and its fields (one request), then the items (one request per 100); and one
//! issue with its item, for events.
//!
//! GraphQL answers are deserialised into small flat structs (every field optional where GitHub may send null)
//! and then mapped onto the board model. Ids of fields and options stay here in [`ProjectMeta`]: the model only
//! knows names, the writes need ids.

use serde::Deserialize;
use serde_json::{json, Value};

use super::client::Client;
use super::error::{GitHubError, GraphQlMessage};
use super::graphql;
use super::retry::Retry;
use crate::board::{
    Draft, FieldDef, FieldKind, History, Issue, IssueState, Item, ItemKind, LabelAction,
    LabelEvent, PullRequest,
};
use crate::config::BoardConfig;
use crate::forge::IssueKey;
use crate::progress::Progress;

/// The project as the writes need it: ids of the project, its fields and their options.
#[derive(Debug, Clone)]
pub(crate) struct ProjectMeta {
    pub id: String,
    pub title: String,
    /// The fields a user defined (and Status), in board order; built-in ones (Title, Labels, ...) are left out.
    pub fields: Vec<FieldMeta>,
}

#[derive(Debug, Clone)]
pub(crate) struct FieldMeta {
    pub id: String,
    pub name: String,
    pub kind: FieldKind,
    pub options: Vec<OptionMeta>,
}

#[derive(Debug, Clone)]
pub(crate) struct OptionMeta {
    pub id: String,
    pub name: String,
}

impl ProjectMeta {
    /// A field by name, compared case-insensitively and trimmed (as the config names it).
    pub fn field(&self, name: &str) -> Option<&FieldMeta> {
        let name = name.trim();
        self.fields
            .iter()
            .find(|f| f.name.trim().eq_ignore_ascii_case(name))
    }

    pub fn board_fields(&self) -> Vec<FieldDef> {
        self.fields
            .iter()
            .map(|f| FieldDef {
                name: f.name.clone(),
                kind: f.kind,
                options: f.options.iter().map(|o| o.name.clone()).collect(),
                extra: Default::default(),
            })
            .collect()
    }
}

impl FieldMeta {
    pub fn option(&self, name: &str) -> Option<&OptionMeta> {
        let name = name.trim();
        self.options
            .iter()
            .find(|o| o.name.trim().eq_ignore_ascii_case(name))
    }
}

/// What the first request yields.
pub(crate) struct ProjectRead {
    pub meta: ProjectMeta,
    /// `viewer.login`, or the errors GitHub gave for it (the rest of the answer may still be good).
    pub viewer: Result<String, Vec<GraphQlMessage>>,
}

/// The first request: project, fields, viewer.
pub(crate) async fn read_project(
    client: &Client,
    board: &BoardConfig,
) -> Result<ProjectRead, GitHubError> {
    let variables = json!({ "owner": board.owner, "number": board.project });
    let answer = client
        .graphql(
            "BoardProject",
            graphql::BOARD_PROJECT,
            variables,
            Retry::Read,
        )
        .await?;
    // Errors about `viewer` alone do not sink the read: the caller may know the login another way.
    let (viewer_errors, errors): (Vec<_>, Vec<_>) = answer
        .errors
        .iter()
        .cloned()
        .partition(|e| e.path.first().map(String::as_str) == Some("viewer"));
    if !errors.is_empty() {
        return Err(answer.failure(errors));
    }
    let what = format!("board {} project {}", board.owner, board.project);
    let owner = answer
        .data
        .get("repositoryOwner")
        .filter(|o| !o.is_null())
        .ok_or_else(|| {
            GitHubError::unexpected(
                &what,
                format!(
                    "no organisation or user named \"{}\" (board.owner in the config)",
                    board.owner
                ),
            )
        })?;
    let project = owner.get("projectV2").filter(|p| !p.is_null()).ok_or_else(|| {
        GitHubError::unexpected(
            &what,
            format!(
                "\"{}\" has no project number {} that this token can see (board.project in the config)",
                board.owner, board.project
            ),
        )
    })?;
    let project: ProjectNode = decode(&what, project.clone())?;
    let viewer = match answer.data.pointer("/viewer/login").and_then(Value::as_str) {
        Some(login) if viewer_errors.is_empty() => Ok(login.to_string()),
        _ => Err(viewer_errors),
    };
    let mut fields = Vec::new();
    collect_fields(&mut fields, project.fields.nodes);
    let mut page = project.fields.page_info;
    while let Some(after) = page.next_cursor() {
        let variables = json!({ "project": project.id, "after": after });
        let data = client
            .graphql("BoardFields", graphql::BOARD_FIELDS, variables, Retry::Read)
            .await?
            .into_data()?;
        let more: Conn<FieldNode> = decode(
            "BoardFields",
            data.pointer("/node/fields").cloned().unwrap_or_default(),
        )?;
        collect_fields(&mut fields, more.nodes);
        page = more.page_info;
    }
    Ok(ProjectRead {
        meta: ProjectMeta {
            id: project.id,
            title: project.title,
            fields,
        },
        viewer,
    })
}

/// Every item, 100 per request, plus follow-ups for the few items whose labels or field values overflow.
pub(crate) async fn read_items(
    client: &Client,
    meta: &ProjectMeta,
    status_field: &str,
) -> Result<Vec<Item>, GitHubError> {
    let mut items = Vec::new();
    let mut pending = Vec::new(); // (index in items, what is left to read)
    let mut after: Option<String> = None;
    // The number of pages is known from the first answer on (its `totalCount`).
    let mut progress: Option<Progress> = None;
    let mut pages = 0;
    loop {
        let variables = json!({ "project": meta.id, "after": after });
        // Decoded straight into its shape: the page is the largest answer of a run.
        let page: ItemsPage = client
            .graphql_as("BoardItems", graphql::BOARD_ITEMS, variables, Retry::Read)
            .await?;
        let page = page.node.map(|n| n.items).ok_or_else(|| {
            GitHubError::unexpected("GraphQL BoardItems", "the project is not in the answer")
        })?;
        pages += 1;
        let progress = progress.get_or_insert_with(|| {
            let total = page.total_count.unwrap_or(0).div_ceil(100);
            // One page needs no bar.
            Progress::start("item pages", if total > 1 { total } else { 0 }, None)
        });
        progress.set(pages);
        for node in page.nodes.into_iter().flatten() {
            let rest = Pending::of(&node);
            if !rest.is_empty() {
                pending.push((items.len(), rest));
            }
            items.push(item_from(node, meta, status_field));
        }
        match page.page_info.next_cursor() {
            Some(cursor) => after = Some(cursor),
            None => break,
        }
    }
    if let Some(progress) = progress {
        progress.finish();
    }
    for (index, rest) in pending {
        rest.complete(client, &mut items[index], meta, status_field)
            .await?;
    }
    Ok(items)
}

/// One issue, and its item if it is on the board: `None` when GitHub knows no such issue (or the node is not an
/// issue). Reads the issue's items on every board and keeps the one on ours; an issue on more than 50 boards may
/// miss it.
pub(crate) async fn read_issue(
    client: &Client,
    meta: &ProjectMeta,
    status_field: &str,
    key: &IssueKey,
) -> Result<Option<(Issue, Option<Item>)>, GitHubError> {
    let mut key = key.clone();
    // At most twice: a board item of another project is followed to its issue once.
    for _ in 0..2 {
        let (operation, document, variables, pointer) = match &key {
            IssueKey::Ref(issue) => {
                let (owner, name) = issue.owner_and_name();
                let variables = json!({ "owner": owner, "name": name, "number": issue.number });
                (
                    "ReadIssue",
                    graphql::READ_ISSUE,
                    variables,
                    "/repository/issue",
                )
            }
            IssueKey::NodeId(id) => {
                let variables = json!({ "id": id });
                (
                    "ReadIssueNode",
                    graphql::READ_ISSUE_NODE,
                    variables,
                    "/node",
                )
            }
        };
        let answer = client
            .graphql(operation, document, variables, Retry::Read)
            .await?;
        // A missing repository, issue or node is an answer ("no such issue"), not a failure.
        let not_found = |e: &GraphQlMessage| e.kind.as_deref() == Some("NOT_FOUND");
        if !answer.errors.is_empty() && answer.errors.iter().all(not_found) {
            return Ok(None);
        }
        let data = answer.into_data()?;
        let Some(node) = data.pointer(pointer).filter(|n| !n.is_null()).cloned() else {
            return Ok(None);
        };
        match node.get("__typename").and_then(Value::as_str) {
            Some("ProjectV2Item") => {
                let found: ProjectItemNode = decode(operation, node)?;
                if found.project.is_some_and(|p| p.id == meta.id) {
                    let rest = Pending::of(&found.item);
                    let mut item = item_from(found.item, meta, status_field);
                    rest.complete(client, &mut item, meta, status_field).await?;
                    return Ok(item.issue.clone().map(|issue| (issue, Some(item))));
                }
                match found
                    .item
                    .content
                    .filter(|c| c.typename == "Issue")
                    .and_then(|c| c.id)
                {
                    Some(issue_id) => key = IssueKey::NodeId(issue_id),
                    None => return Ok(None),
                }
            }
            Some("Issue") | None => {
                let found: IssueNode = decode(operation, node)?;
                let labels_left = found.content.labels_left();
                let history = found.content.history();
                let mut issue = issue_from(found.content);
                if let Some((issue_id, cursor)) = labels_left {
                    issue
                        .labels
                        .extend(more_labels(client, &issue_id, cursor).await?);
                }
                let ours = found
                    .project_items
                    .map(|c| c.nodes)
                    .unwrap_or_default()
                    .into_iter()
                    .flatten()
                    .find(|n| n.project.as_ref().is_some_and(|p| p.id == meta.id));
                let item = match ours {
                    Some(node) => {
                        let rest = Pending::of(&node.item);
                        let mut item = item_from(node.item, meta, status_field);
                        rest.complete(client, &mut item, meta, status_field).await?;
                        item.issue = Some(issue.clone());
                        if let Some(history) = &history {
                            item.set_history(history);
                        }
                        Some(item)
                    }
                    None => None,
                };
                return Ok(Some((issue, item)));
            }
            Some(_) => return Ok(None),
        }
    }
    Ok(None)
}

/// What an item page left unread: the rest of an item's field values, the rest of its issue's labels.
struct Pending {
    /// (item id, cursor)
    values: Option<(String, String)>,
    /// (issue node id, cursor)
    labels: Option<(String, String)>,
}

impl Pending {
    fn of(node: &ItemNode) -> Pending {
        Pending {
            values: node
                .field_values
                .page_info
                .next_cursor()
                .map(|cursor| (node.id.clone(), cursor)),
            labels: node.content.as_ref().and_then(ContentNode::labels_left),
        }
    }

    fn is_empty(&self) -> bool {
        self.values.is_none() && self.labels.is_none()
    }

    async fn complete(
        self,
        client: &Client,
        item: &mut Item,
        meta: &ProjectMeta,
        status_field: &str,
    ) -> Result<(), GitHubError> {
        if let Some((item_id, cursor)) = self.values {
            for value in more_field_values(client, &item_id, cursor).await? {
                apply_value(item, value, meta, status_field);
            }
        }
        if let Some((issue_id, cursor)) = self.labels {
            let labels = more_labels(client, &issue_id, cursor).await?;
            if let Some(issue) = item.issue.as_mut() {
                issue.labels.extend(labels);
            }
        }
        Ok(())
    }
}

async fn more_field_values(
    client: &Client,
    item_id: &str,
    mut cursor: String,
) -> Result<Vec<ValueNode>, GitHubError> {
    let mut values = Vec::new();
    loop {
        let variables = json!({ "item": item_id, "after": cursor });
        let data = client
            .graphql(
                "ItemFieldValues",
                graphql::ITEM_FIELD_VALUES,
                variables,
                Retry::Read,
            )
            .await?
            .into_data()?;
        let page: Conn<ValueNode> = decode(
            "ItemFieldValues",
            data.pointer("/node/fieldValues")
                .cloned()
                .unwrap_or_default(),
        )?;
        values.extend(page.nodes.into_iter().flatten());
        match page.page_info.next_cursor() {
            Some(next) => cursor = next,
            None => return Ok(values),
        }
    }
}

async fn more_labels(
    client: &Client,
    issue_id: &str,
    mut cursor: String,
) -> Result<Vec<String>, GitHubError> {
    let mut labels = Vec::new();
    loop {
        let variables = json!({ "issue": issue_id, "after": cursor });
        let data = client
            .graphql("IssueLabels", graphql::ISSUE_LABELS, variables, Retry::Read)
            .await?
            .into_data()?;
        let page: Conn<NameNode> = decode(
            "IssueLabels",
            data.pointer("/node/labels").cloned().unwrap_or_default(),
        )?;
        labels.extend(page.nodes.into_iter().flatten().map(|n| n.name));
        match page.page_info.next_cursor() {
            Some(next) => cursor = next,
            None => return Ok(labels),
        }
    }
}

fn collect_fields(fields: &mut Vec<FieldMeta>, nodes: Vec<Option<FieldNode>>) {
    for node in nodes.into_iter().flatten() {
        let (Some(id), Some(name), Some(data_type)) = (node.id, node.name, node.data_type) else {
            continue;
        };
        let Some(kind) = field_kind(&data_type) else {
            continue;
        };
        let options = node
            .options
            .into_iter()
            .map(|o| OptionMeta {
                id: o.id,
                name: o.name,
            })
            .collect();
        fields.push(FieldMeta {
            id,
            name,
            kind,
            options,
        });
    }
}

/// The kind of a field a user can define; `None` for GitHub's built-in fields, whose values the issue itself
/// carries (title, assignees, labels, milestone, ...).
fn field_kind(data_type: &str) -> Option<FieldKind> {
    match data_type {
        "SINGLE_SELECT" => Some(FieldKind::SingleSelect),
        "TEXT" => Some(FieldKind::Text),
        "NUMBER" => Some(FieldKind::Number),
        "DATE" => Some(FieldKind::Date),
        "ITERATION" => Some(FieldKind::Iteration),
        "TITLE"
        | "ASSIGNEES"
        | "LABELS"
        | "LINKED_PULL_REQUESTS"
        | "MILESTONE"
        | "REPOSITORY"
        | "REVIEWERS"
        | "PARENT_ISSUE"
        | "SUB_ISSUES_PROGRESS"
        | "TRACKED_BY"
        | "TRACKS" => None,
        _ => Some(FieldKind::Other),
    }
}

fn item_from(node: ItemNode, meta: &ProjectMeta, status_field: &str) -> Item {
    let mut item = Item {
        id: node.id,
        kind: match node.kind.as_str() {
            "ISSUE" => ItemKind::Issue,
            "PULL_REQUEST" => ItemKind::PullRequest,
            "DRAFT_ISSUE" => ItemKind::Draft,
            _ => ItemKind::Other, // REDACTED: content the token may not see
        },
        archived: node.is_archived,
        fields: Default::default(),
        issue: None,
        draft: None,
        pull_request: None,
        status_updated_at: None,
        extra: Default::default(),
    };
    for value in node.field_values.nodes.into_iter().flatten() {
        apply_value(&mut item, value, meta, status_field);
    }
    let Some(content) = node.content else {
        return item;
    };
    match content.typename.as_str() {
        "Issue" => {
            if let Some(history) = content.history() {
                item.set_history(&history);
            }
            item.issue = Some(issue_from(content));
        }
        "PullRequest" => {
            item.pull_request = Some(PullRequest {
                repository: content
                    .repository
                    .map(|r| r.name_with_owner)
                    .unwrap_or_default(),
                number: content.number.unwrap_or_default(),
                title: content.title.unwrap_or_default(),
                extra: Default::default(),
            });
        }
        "DraftIssue" => {
            item.draft = Some(Draft {
                title: content.title.unwrap_or_default(),
                body: content.body.unwrap_or_default(),
                extra: Default::default(),
            });
        }
        _ => {}
    }
    item
}

/// The issue an item page (or an issue read) shows; comments are not read here.
fn issue_from(content: ContentNode) -> Issue {
    Issue {
        author: None,
        repository: content
            .repository
            .map(|r| r.name_with_owner)
            .unwrap_or_default(),
        number: content.number.unwrap_or_default(),
        title: content.title.unwrap_or_default(),
        state: if content.state.as_deref() == Some("CLOSED") {
            IssueState::Closed
        } else {
            IssueState::Open
        },
        body: content.body.unwrap_or_default(),
        labels: content
            .labels
            .map(|l| l.nodes.into_iter().flatten().map(|n| n.name).collect())
            .unwrap_or_default(),
        assignees: content
            .assignees
            .map(|a| a.nodes.into_iter().flatten().map(|n| n.login).collect())
            .unwrap_or_default(),
        milestone: content.milestone.map(|m| m.title),
        node_id: content.id,
        url: content.url,
        comments: None,
        extra: Default::default(),
    }
}

/// Puts one field value into `item.fields` under its field's name (values of built-in fields are skipped).
fn apply_value(item: &mut Item, value: ValueNode, meta: &ProjectMeta, status_field: &str) {
    let Some(field_name) = value.field.and_then(|f| f.name) else {
        return;
    };
    let Some(field) = meta.field(&field_name) else {
        return;
    };
    let json = match value.typename.as_str() {
        "ProjectV2ItemFieldSingleSelectValue" => {
            if field.name.trim().eq_ignore_ascii_case(status_field.trim()) {
                item.status_updated_at = value.updated_at;
            }
            value.name.map(Value::String)
        }
        "ProjectV2ItemFieldTextValue" => value.text.map(Value::String),
        "ProjectV2ItemFieldNumberValue" => value.number.map(number_json),
        "ProjectV2ItemFieldDateValue" => value.date.map(Value::String),
        "ProjectV2ItemFieldIterationValue" => value.title.map(Value::String),
        _ => None,
    };
    if let Some(json) = json {
        item.fields.insert(field.name.clone(), json);
    }
}

/// GitHub's number fields are floats; whole numbers are shown as integers (`3`, not `3.0`).
fn number_json(n: f64) -> Value {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    if n.fract() == 0.0 && n.abs() < EXACT {
        json!(n as i64)
    } else {
        json!(n)
    }
}

fn decode<T: serde::de::DeserializeOwned>(what: &str, value: Value) -> Result<T, GitHubError> {
    serde_json::from_value(value).map_err(|e| {
        GitHubError::unexpected(format!("GraphQL {what}"), format!("unexpected answer: {e}"))
    })
}

// --- The shapes of the answers -------------------------------------------------------------------------------

#[derive(Deserialize)]
struct Conn<T> {
    #[serde(default = "Vec::new")]
    nodes: Vec<Option<T>>,
    /// Asked for only where progress needs it (the board's items).
    #[serde(rename = "totalCount", default)]
    total_count: Option<usize>,
    #[serde(rename = "pageInfo", default)]
    page_info: PageInfo,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct PageInfo {
    #[serde(default)]
    has_next_page: bool,
    /// Only asked for where a connection is read from its end (`last:`).
    #[serde(default)]
    has_previous_page: bool,
    end_cursor: Option<String>,
}

impl PageInfo {
    fn next_cursor(&self) -> Option<String> {
        self.end_cursor.clone().filter(|_| self.has_next_page)
    }
}

#[derive(Deserialize)]
struct ProjectNode {
    id: String,
    #[serde(default)]
    title: String,
    fields: Conn<FieldNode>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FieldNode {
    id: Option<String>,
    name: Option<String>,
    data_type: Option<String>,
    #[serde(default)]
    options: Vec<OptionNode>,
}

#[derive(Deserialize)]
struct OptionNode {
    id: String,
    name: String,
}

/// The answer to `BoardItems`.
#[derive(Deserialize)]
struct ItemsPage {
    node: Option<ItemsOfProject>,
}

#[derive(Deserialize)]
struct ItemsOfProject {
    items: Conn<ItemNode>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ItemNode {
    id: String,
    #[serde(default)]
    is_archived: bool,
    #[serde(rename = "type", default)]
    kind: String,
    field_values: Conn<ValueNode>,
    content: Option<ContentNode>,
}

/// Any field value; which members are set depends on `__typename`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ValueNode {
    #[serde(rename = "__typename", default)]
    typename: String,
    name: Option<String>,
    updated_at: Option<String>,
    text: Option<String>,
    number: Option<f64>,
    date: Option<String>,
    title: Option<String>,
    field: Option<FieldNameNode>,
}

#[derive(Deserialize)]
struct FieldNameNode {
    name: Option<String>,
}

/// An issue, pull request or draft; which members are set depends on `__typename`.
#[derive(Deserialize)]
struct ContentNode {
    #[serde(rename = "__typename", default)]
    typename: String,
    id: Option<String>,
    number: Option<u64>,
    title: Option<String>,
    state: Option<String>,
    body: Option<String>,
    url: Option<String>,
    repository: Option<RepositoryNode>,
    labels: Option<Conn<NameNode>>,
    assignees: Option<Conn<LoginNode>>,
    milestone: Option<TitleNode>,
    /// Only in a board page (`PhaseHistory`).
    #[serde(rename = "createdAt")]
    created_at: Option<String>,
    #[serde(rename = "timelineItems")]
    timeline_items: Option<Conn<TimelineNode>>,
}

/// A label event of an issue's timeline.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TimelineNode {
    #[serde(rename = "__typename", default)]
    typename: String,
    created_at: Option<String>,
    actor: Option<LoginNode>,
    label: Option<NameNode>,
}

impl ContentNode {
    /// The issue's label history, when the page asked for it. Events of a kind this build does not know, or
    /// without a time or label, are left out (the history says what it knows).
    fn history(&self) -> Option<History> {
        let timeline = self.timeline_items.as_ref()?;
        let labels = timeline
            .nodes
            .iter()
            .flatten()
            .filter_map(|n| {
                let event = match n.typename.as_str() {
                    "LabeledEvent" => LabelAction::Labeled,
                    "UnlabeledEvent" => LabelAction::Unlabeled,
                    _ => return None,
                };
                Some(LabelEvent {
                    at: n.created_at.clone()?,
                    event,
                    label: n.label.as_ref()?.name.clone(),
                    actor: n.actor.as_ref().map(|a| a.login.clone()),
                    extra: Default::default(),
                })
            })
            .collect();
        Some(History {
            labels,
            complete: !timeline.page_info.has_previous_page,
            created: self.created_at.clone(),
            extra: Default::default(),
        })
    }

    /// (issue node id, cursor) when an issue has more labels than its first page.
    fn labels_left(&self) -> Option<(String, String)> {
        let cursor = self.labels.as_ref()?.page_info.next_cursor()?;
        Some((self.id.clone()?, cursor))
    }
}

/// An issue read on its own, with its items on every board.
#[derive(Deserialize)]
struct IssueNode {
    #[serde(flatten)]
    content: ContentNode,
    #[serde(rename = "projectItems")]
    project_items: Option<Conn<ProjectItemNode>>,
}

/// A board item and the board it is on.
#[derive(Deserialize)]
struct ProjectItemNode {
    project: Option<IdNode>,
    #[serde(flatten)]
    item: ItemNode,
}

#[derive(Deserialize)]
struct IdNode {
    id: String,
}

#[derive(Deserialize)]
struct RepositoryNode {
    #[serde(rename = "nameWithOwner")]
    name_with_owner: String,
}

#[derive(Deserialize)]
struct NameNode {
    name: String,
}

#[derive(Deserialize)]
struct LoginNode {
    login: String,
}

#[derive(Deserialize)]
struct TitleNode {
    title: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta() -> ProjectMeta {
        ProjectMeta {
            id: "P".into(),
            title: "T".into(),
            fields: vec![
                FieldMeta {
                    id: "F1".into(),
                    name: "Status".into(),
                    kind: FieldKind::SingleSelect,
                    options: vec![OptionMeta {
                        id: "o1".into(),
                        name: "Konsept".into(),
                    }],
                },
                FieldMeta {
                    id: "F2".into(),
                    name: "Estimate".into(),
                    kind: FieldKind::Number,
                    options: vec![],
                },
            ],
        }
    }

    #[test]
    fn built_in_fields_are_not_board_fields() {
        assert_eq!(field_kind("TITLE"), None);
        assert_eq!(field_kind("SINGLE_SELECT"), Some(FieldKind::SingleSelect));
        assert_eq!(field_kind("SOMETHING_NEW"), Some(FieldKind::Other));
    }

    #[test]
    fn item_maps_values_and_content() {
        let node: ItemNode = serde_json::from_value(json!({
            "id": "PVTI_1", "isArchived": false, "type": "ISSUE",
            "fieldValues": {"pageInfo": {"hasNextPage": false, "endCursor": null}, "nodes": [
                {"__typename": "ProjectV2ItemFieldTextValue", "text": "Title!", "field": {"name": "Title"}},
                {"__typename": "ProjectV2ItemFieldSingleSelectValue", "name": "Konsept",
                 "updatedAt": "2026-01-02T03:04:05Z", "field": {"name": "status"}},
                {"__typename": "ProjectV2ItemFieldNumberValue", "number": 3.0, "field": {"name": "Estimate"}}
            ]},
            "content": {"__typename": "Issue", "id": "I_1", "number": 48, "title": "A", "state": "CLOSED",
                "body": "b", "url": "https://x", "repository": {"nameWithOwner": "o/r"},
                "labels": {"pageInfo": {"hasNextPage": false}, "nodes": [{"name": "fase/problem"}]},
                "assignees": {"nodes": [{"login": "kari"}]}, "milestone": null}
        }))
        .unwrap();
        let item = item_from(node, &meta(), "Status");
        assert_eq!(item.fields.len(), 2, "{:?}", item.fields);
        assert_eq!(item.fields["Status"], "Konsept");
        assert_eq!(item.fields["Estimate"], json!(3));
        assert_eq!(
            item.status_updated_at.as_deref(),
            Some("2026-01-02T03:04:05Z")
        );
        let issue = item.issue.unwrap();
        assert_eq!(issue.state, IssueState::Closed);
        assert_eq!(issue.labels, vec!["fase/problem"]);
        assert_eq!(issue.node_id.as_deref(), Some("I_1"));
        assert_eq!(issue.milestone, None);
    }

    #[test]
    fn numbers() {
        assert_eq!(number_json(2.0), json!(2));
        assert_eq!(number_json(2.5), json!(2.5));
        assert_eq!(number_json(-0.0), json!(0));
    }
}
