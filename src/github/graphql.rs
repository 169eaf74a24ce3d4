//! Every GraphQL document the bot sends, in one place, so that a test can check each against GitHub's schema.
//!
//! Page sizes: 100 items per page (GitHub's maximum). Nested connections are read with one page inside the item
//! page (50 field values, 50 labels, 20 assignees: GitHub allows 10 assignees per issue and 50 fields per
//! project, built-in fields included); an item whose connection has more gets a follow-up query of its own.

use serde_json::{json, Map, Value};

use super::client::GraphQlAnswer;
use super::error::{GitHubError, GraphQlMessage};

/// Fields of a project field, whatever its kind (the options only for single selects).
macro_rules! board_field_fragment {
    () => {
        "fragment BoardField on ProjectV2FieldConfiguration {
  __typename
  ... on ProjectV2FieldCommon { id name dataType }
  ... on ProjectV2SingleSelectField { options { id name } }
}
"
    };
}

/// One value of an item's field, with the name of its field.
macro_rules! field_value_fragment {
    () => {
        "fragment FieldValue on ProjectV2ItemFieldValue {
  __typename
  ... on ProjectV2ItemFieldSingleSelectValue { name updatedAt field { ...FieldName } }
  ... on ProjectV2ItemFieldTextValue { text field { ...FieldName } }
  ... on ProjectV2ItemFieldNumberValue { number field { ...FieldName } }
  ... on ProjectV2ItemFieldDateValue { date field { ...FieldName } }
  ... on ProjectV2ItemFieldIterationValue { title field { ...FieldName } }
}
fragment FieldName on ProjectV2FieldConfiguration {
  ... on ProjectV2FieldCommon { name }
}
"
    };
}

/// The project (owned by an organisation or a user), its fields, and who we are: one request.
pub const BOARD_PROJECT: &str = concat!(
    "query BoardProject($owner: String!, $number: Int!) {
  viewer { login }
  repositoryOwner(login: $owner) {
    __typename
    ... on ProjectV2Owner {
      projectV2(number: $number) {
        id
        title
        fields(first: 100) {
          pageInfo { hasNextPage endCursor }
          nodes { ...BoardField }
        }
      }
    }
  }
}
",
    board_field_fragment!()
);

/// Further fields of a project with more than 100 (GitHub allows 50 today; kept for safety).
pub const BOARD_FIELDS: &str = concat!(
    "query BoardFields($project: ID!, $after: String) {
  node(id: $project) {
    ... on ProjectV2 {
      fields(first: 100, after: $after) {
        pageInfo { hasNextPage endCursor }
        nodes { ...BoardField }
      }
    }
  }
}
",
    board_field_fragment!()
);

/// An item with everything reconcile needs (its issue through `BoardIssue`, its values through `FieldValue`).
macro_rules! board_item_fragment {
    () => {
        "fragment BoardItem on ProjectV2Item {
  id
  isArchived
  type
  fieldValues(first: 50) {
    pageInfo { hasNextPage endCursor }
    nodes { ...FieldValue }
  }
  content {
    __typename
    ...BoardIssue
    ... on PullRequest {
      number
      title
      repository { nameWithOwner }
    }
    ... on DraftIssue {
      title
      body
    }
  }
}
"
    };
}

/// An issue with everything reconcile needs.
macro_rules! board_issue_fragment {
    () => {
        "fragment BoardIssue on Issue {
  id
  number
  title
  state
  body
  url
  repository { nameWithOwner }
  labels(first: 50) {
    pageInfo { hasNextPage endCursor }
    nodes { name }
  }
  assignees(first: 20) { nodes { login } }
  milestone { title }
}
"
    };
}

/// The phase history of an issue, read with the board (the report's flow): when the issue was opened, and the
/// last 20 label events of its timeline, oldest first (`hasPreviousPage`: there were older ones). Label events
/// cannot be filtered by name, so other labels' events share the page; 20 covers years of a portfolio issue.
/// The board read and a single issue's read ask for it: the history says which phase labels are the bot's.
macro_rules! phase_history_fragment {
    () => {
        "fragment PhaseHistory on Issue {
  createdAt
  timelineItems(itemTypes: [LABELED_EVENT, UNLABELED_EVENT], last: 20) {
    pageInfo { hasPreviousPage }
    nodes {
      __typename
      ... on LabeledEvent { createdAt actor { login } label { name } }
      ... on UnlabeledEvent { createdAt actor { login } label { name } }
    }
  }
}
"
    };
}

/// How many label events a board page reads per issue (the `last:` of [`phase_history_fragment`]).
pub const HISTORY_EVENTS: usize = 20;

/// One page of items, each with its issue's phase history.
///
/// Nodes per page (GitHub's limit is 500,000 per query): 100 items × (1 + 50 field values + 50 labels + 20
/// assignees + 20 label events) = 14,100. Rate-limit cost: 1 + 4 × 100 nested connections = 401 requests' worth,
/// 4 points per page.
pub const BOARD_ITEMS: &str = concat!(
    "query BoardItems($project: ID!, $after: String) {
  node(id: $project) {
    ... on ProjectV2 {
      items(first: 100, after: $after) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes {
          ...BoardItem
          content { ... on Issue { ...PhaseHistory } }
        }
      }
    }
  }
}
",
    board_item_fragment!(),
    board_issue_fragment!(),
    field_value_fragment!(),
    phase_history_fragment!()
);

/// One issue by repository and number, with its items on any board (the caller picks its own board's item).
/// `projectItems` includes archived items by default.
pub const READ_ISSUE: &str = concat!(
    "query ReadIssue($owner: String!, $name: String!, $number: Int!) {
  repository(owner: $owner, name: $name) {
    issue(number: $number) {
      ...BoardIssue
      ...PhaseHistory
      projectItems(first: 50) {
        nodes {
          project { id }
          ...BoardItem
        }
      }
    }
  }
}
",
    board_item_fragment!(),
    board_issue_fragment!(),
    field_value_fragment!(),
    phase_history_fragment!()
);

/// One issue by node id (or a board item by its id), as [`READ_ISSUE`].
pub const READ_ISSUE_NODE: &str = concat!(
    "query ReadIssueNode($id: ID!) {
  node(id: $id) {
    __typename
    ... on Issue {
      ...BoardIssue
      ...PhaseHistory
      projectItems(first: 50) {
        nodes {
          project { id }
          ...BoardItem
        }
      }
    }
    ... on ProjectV2Item {
      project { id }
      ...BoardItem
      content { ... on Issue { ...PhaseHistory } }
    }
  }
}
",
    board_item_fragment!(),
    board_issue_fragment!(),
    field_value_fragment!(),
    phase_history_fragment!()
);

/// The rest of the field values of one item whose first page was full.
pub const ITEM_FIELD_VALUES: &str = concat!(
    "query ItemFieldValues($item: ID!, $after: String) {
  node(id: $item) {
    ... on ProjectV2Item {
      fieldValues(first: 100, after: $after) {
        pageInfo { hasNextPage endCursor }
        nodes { ...FieldValue }
      }
    }
  }
}
",
    field_value_fragment!()
);

/// The rest of the labels of one issue whose first page was full.
pub const ISSUE_LABELS: &str = "query IssueLabels($issue: ID!, $after: String) {
  node(id: $issue) {
    ... on Issue {
      labels(first: 100, after: $after) {
        pageInfo { hasNextPage endCursor }
        nodes { name }
      }
    }
  }
}
";

/// Who we are, when the board was not read.
pub const VIEWER: &str = "query Viewer { viewer { login } }\n";

/// Puts an issue or pull request on the board. GitHub answers with the existing item if it is already there.
pub const ADD_ITEM: &str = "mutation AddItem($project: ID!, $content: ID!) {
  addProjectV2ItemById(input: { projectId: $project, contentId: $content }) {
    item { id }
  }
}
";

pub const SET_STATUSES_OPERATION: &str = "SetStatuses";

/// One status change for [`set_statuses_document`]: the item and the option it moves to.
pub struct StatusWrite<'a> {
    pub item_id: &'a str,
    pub option_id: &'a str,
}

/// A batch of status changes as aliased mutations `s0`, `s1`, ... sharing `$project` and `$field`; ids travel
/// as variables (never spliced into the document). Returns the document, its variables and the aliases.
pub fn set_statuses_document(
    project_id: &str,
    field_id: &str,
    writes: &[StatusWrite<'_>],
) -> (String, Value, Vec<String>) {
    let mut params = String::from("$project: ID!, $field: ID!");
    let mut body = String::new();
    let mut variables = Map::new();
    variables.insert("project".into(), json!(project_id));
    variables.insert("field".into(), json!(field_id));
    let mut aliases = Vec::with_capacity(writes.len());
    for (i, write) in writes.iter().enumerate() {
        let alias = format!("s{i}");
        params.push_str(&format!(", $item{i}: ID!, $option{i}: String!"));
        body.push_str(&format!(
            "  {alias}: updateProjectV2ItemFieldValue(input: {{ projectId: $project, fieldId: $field, itemId: $item{i}, \
             value: {{ singleSelectOptionId: $option{i} }} }}) {{ projectV2Item {{ id }} }}\n"
        ));
        variables.insert(format!("item{i}"), json!(write.item_id));
        variables.insert(format!("option{i}"), json!(write.option_id));
        aliases.push(alias);
    }
    let document = format!("mutation {SET_STATUSES_OPERATION}({params}) {{\n{body}}}\n");
    (document, Value::Object(variables), aliases)
}

pub const CHANGE_LABELS_OPERATION: &str = "ChangeLabels";

/// One label change for [`change_labels_document`]: the issue's node id and the label's.
pub struct LabelWrite<'a> {
    pub issue_id: &'a str,
    pub label_id: &'a str,
    pub add: bool,
}

/// A batch of label adds and removals as aliased mutations `l0`, `l1`, ... (`addLabelsToLabelable`,
/// `removeLabelsFromLabelable`); ids travel as variables. Returns the document, its variables and the aliases.
pub fn change_labels_document(writes: &[LabelWrite<'_>]) -> (String, Value, Vec<String>) {
    let mut params = Vec::with_capacity(writes.len() * 2);
    let mut body = String::new();
    let mut variables = Map::new();
    let mut aliases = Vec::with_capacity(writes.len());
    for (i, write) in writes.iter().enumerate() {
        let alias = format!("l{i}");
        params.push(format!("$issue{i}: ID!, $label{i}: ID!"));
        let mutation = if write.add {
            "addLabelsToLabelable"
        } else {
            "removeLabelsFromLabelable"
        };
        body.push_str(&format!(
            "  {alias}: {mutation}(input: {{ labelableId: $issue{i}, labelIds: [$label{i}] }}) \
             {{ labelable {{ __typename }} }}\n"
        ));
        variables.insert(format!("issue{i}"), json!(write.issue_id));
        variables.insert(format!("label{i}"), json!(write.label_id));
        aliases.push(alias);
    }
    let document = format!(
        "mutation {CHANGE_LABELS_OPERATION}({}) {{\n{body}}}\n",
        params.join(", ")
    );
    (document, Value::Object(variables), aliases)
}

pub const ISSUE_COMMENTS_OPERATION: &str = "IssueComments";

/// Who last edited some comments (by node id): REST does not say.
pub const COMMENT_EDITORS: &str = r#"
query CommentEditors($ids: [ID!]!) {
  nodes(ids: $ids) {
    ... on IssueComment { databaseId editor { __typename login } }
  }
}
"#;

/// The first 100 comments of several issues, aliased `i0`, `i1`, ... by repository and number (an issue with more
/// is read again over REST). `issues` are (owner, name, number).
pub fn issue_comments_document(issues: &[(&str, &str, u64)]) -> (String, Value, Vec<String>) {
    let mut params = Vec::with_capacity(issues.len());
    let mut body = String::new();
    let mut variables = Map::new();
    let mut aliases = Vec::with_capacity(issues.len());
    for (i, (owner, name, number)) in issues.iter().enumerate() {
        let alias = format!("i{i}");
        params.push(format!(
            "$owner{i}: String!, $name{i}: String!, $number{i}: Int!"
        ));
        body.push_str(&format!(
            "  {alias}: repository(owner: $owner{i}, name: $name{i}) {{ issue(number: $number{i}) {{ \
             comments(first: 100) {{ pageInfo {{ hasNextPage endCursor }} \
             nodes {{ databaseId body author {{ __typename login }} editor {{ __typename login }} }} }} }} }}\n"
        ));
        variables.insert(format!("owner{i}"), json!(owner));
        variables.insert(format!("name{i}"), json!(name));
        variables.insert(format!("number{i}"), json!(number));
        aliases.push(alias);
    }
    let document = format!(
        "query {ISSUE_COMMENTS_OPERATION}({}) {{\n{body}}}\n",
        params.join(", ")
    );
    (document, Value::Object(variables), aliases)
}

/// What happened to each alias of a batched mutation: `Ok(data)` when it landed (its data is non-null and no
/// error names it), else the errors that name it. Errors that name no alias (the document as a whole failed)
/// fail every alias that has no data.
pub(crate) fn alias_outcomes(
    answer: &GraphQlAnswer,
    aliases: &[String],
) -> Vec<Result<Value, GitHubError>> {
    let general: Vec<GraphQlMessage> = answer
        .errors
        .iter()
        .filter(|e| e.path.first().is_none_or(|p| !aliases.contains(p)))
        .cloned()
        .collect();
    aliases
        .iter()
        .map(|alias| {
            let own: Vec<GraphQlMessage> = answer
                .errors
                .iter()
                .filter(|e| e.path.first() == Some(alias))
                .cloned()
                .collect();
            let data = answer.data.get(alias).filter(|d| !d.is_null());
            match (data, own.is_empty()) {
                (Some(data), true) => Ok(data.clone()),
                (_, false) => Err(answer.failure(own)),
                (None, true) if !general.is_empty() => Err(answer.failure(general.clone())),
                (None, true) => Err(answer.failure(vec![GraphQlMessage {
                    message: "GitHub answered nothing for this change".into(),
                    kind: None,
                    path: vec![alias.clone()],
                }])),
            }
        })
        .collect()
}

/// Every document the bot can send, by operation name, with a sample status batch: for schema tests.
pub fn all_documents() -> Vec<(&'static str, String)> {
    let writes = [
        StatusWrite {
            item_id: "PVTI_a",
            option_id: "opt_a",
        },
        StatusWrite {
            item_id: "PVTI_b",
            option_id: "opt_b",
        },
    ];
    let (set_statuses, _, _) = set_statuses_document("PVT_1", "PVTSSF_1", &writes);
    let labels = [
        LabelWrite {
            issue_id: "I_a",
            label_id: "LA_a",
            add: true,
        },
        LabelWrite {
            issue_id: "I_b",
            label_id: "LA_b",
            add: false,
        },
    ];
    let (change_labels, _, _) = change_labels_document(&labels);
    let (issue_comments, _, _) = issue_comments_document(&[("o", "r", 1), ("o", "s", 2)]);
    vec![
        ("BoardProject", BOARD_PROJECT.to_string()),
        ("BoardFields", BOARD_FIELDS.to_string()),
        ("BoardItems", BOARD_ITEMS.to_string()),
        ("ReadIssue", READ_ISSUE.to_string()),
        ("ReadIssueNode", READ_ISSUE_NODE.to_string()),
        ("ItemFieldValues", ITEM_FIELD_VALUES.to_string()),
        ("IssueLabels", ISSUE_LABELS.to_string()),
        ("Viewer", VIEWER.to_string()),
        ("AddItem", ADD_ITEM.to_string()),
        (SET_STATUSES_OPERATION, set_statuses),
        (CHANGE_LABELS_OPERATION, change_labels),
        (ISSUE_COMMENTS_OPERATION, issue_comments),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::github::client::parse_graphql;

    #[test]
    fn batch_document_uses_variables_and_aliases() {
        let writes = [StatusWrite {
            item_id: "PVTI_\"x",
            option_id: "o1",
        }];
        let (doc, vars, aliases) = set_statuses_document("P", "F", &writes);
        assert_eq!(aliases, vec!["s0"]);
        assert!(doc.starts_with(
            "mutation SetStatuses($project: ID!, $field: ID!, $item0: ID!, $option0: String!)"
        ));
        assert!(!doc.contains("PVTI_"), "ids are variables: {doc}");
        assert_eq!(vars["item0"], "PVTI_\"x");
    }

    #[test]
    fn alias_outcomes_tell_landed_from_failed() {
        let body = r#"{"data":{"s0":{"projectV2Item":{"id":"a"}},"s1":null},
            "errors":[{"type":"NOT_FOUND","path":["s1"],"message":"Could not resolve to a node with the global id of 'x'"}]}"#;
        let answer = parse_graphql("SetStatuses", body).unwrap();
        let outcomes = alias_outcomes(&answer, &["s0".into(), "s1".into()]);
        assert!(outcomes[0].is_ok());
        let err = outcomes[1].as_ref().unwrap_err().to_string();
        assert!(err.contains("Could not resolve"), "{err}");
    }

    #[test]
    fn document_failure_fails_every_alias() {
        let body = r#"{"errors":[{"message":"Parse error on \"}\""}]}"#;
        let answer = parse_graphql("SetStatuses", body).unwrap();
        let outcomes = alias_outcomes(&answer, &["s0".into(), "s1".into()]);
        assert!(outcomes.iter().all(|o| o
            .as_ref()
            .is_err_and(|e| e.to_string().contains("Parse error"))));
    }
}
