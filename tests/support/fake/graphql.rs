//! The fake's GraphQL endpoint: parse (apollo-compiler), validate against GitHub's schema when `GITHUB_SCHEMA`
//! names it, execute with the generic executor over resolvers for the GitHub types the bot uses.
//!
//! Answers follow GitHub: HTTP 200 with `data` and/or `errors`; a missing object is `null` plus a `NOT_FOUND`
//! error; connections demand `first` or `last` (at most 100).

use std::borrow::Cow;
use std::sync::OnceLock;

use apollo_compiler::ast;
use apollo_compiler::validation::Valid;
use apollo_compiler::Schema;
use serde_json::{json, Map, Value};

use super::executor::{self, FieldError, Out, Resolver};
use super::state::{AccountKind, Content, DataType, LabelEventData, NodeRef, State, Val};

/// Query or mutation, as the request log records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpKind {
    Query,
    Mutation,
    /// The document did not parse, or names no usable operation.
    Invalid,
}

/// A GraphQL request, parsed once for logging, fault matching and execution.
pub struct GraphQlRequest {
    pub query: String,
    pub document: Result<ast::Document, Vec<Value>>,
    pub operation_name: Option<String>,
    pub variables: Map<String, Value>,
}

/// What the log keeps of a GraphQL request.
#[derive(Debug, Clone)]
pub struct GraphQlCall {
    pub kind: OpKind,
    /// The operation's name (`BoardItems`, `SetStatuses`, ...).
    pub operation: Option<String>,
    /// Top-level fields selected: for a batch of aliased mutations, the number of mutations.
    pub fields: usize,
    pub variables: Map<String, Value>,
}

impl GraphQlRequest {
    /// Parses a request body `{"query", "variables", "operationName"}`; `None` if it is not such JSON.
    pub fn parse(body: &[u8]) -> Option<GraphQlRequest> {
        let value: Value = serde_json::from_slice(body).ok()?;
        let query = value.get("query")?.as_str()?.to_string();
        let variables = value
            .get("variables")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let operation_name = value
            .get("operationName")
            .and_then(Value::as_str)
            .map(str::to_string);
        let document = ast::Document::parse(query.clone(), "request.graphql")
            .map_err(|e| diagnostics(&e.errors));
        Some(GraphQlRequest {
            query,
            document,
            operation_name,
            variables,
        })
    }

    pub fn call(&self) -> GraphQlCall {
        let op = self
            .document
            .as_ref()
            .ok()
            .and_then(|d| executor::operation(d, self.operation_name.as_deref()).ok());
        GraphQlCall {
            kind: match op.map(|o| o.operation_type) {
                Some(ast::OperationType::Query) => OpKind::Query,
                Some(ast::OperationType::Mutation) => OpKind::Mutation,
                _ => OpKind::Invalid,
            },
            operation: op.and_then(|o| o.name.as_ref()).map(|n| n.to_string()),
            fields: op.map_or(0, |o| o.selection_set.len()),
            variables: self.variables.clone(),
        }
    }
}

/// GitHub's schema, loaded once per process from `GITHUB_SCHEMA` (leniently: the published file has two
/// duplicated fields that a strict validator rejects). `None`, with a notice, when the variable is unset.
pub fn schema() -> Option<&'static Valid<Schema>> {
    static SCHEMA: OnceLock<Option<Valid<Schema>>> = OnceLock::new();
    SCHEMA
        .get_or_init(|| {
            let Some(path) = std::env::var_os("GITHUB_SCHEMA").filter(|p| !p.is_empty()) else {
                eprintln!(
                    "schema validation skipped: set GITHUB_SCHEMA=../shared/github/schema.graphql"
                );
                return None;
            };
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
                panic!(
                    "GITHUB_SCHEMA={} cannot be read: {e}",
                    path.to_string_lossy()
                )
            });
            Some(match Schema::parse_and_validate(text, &path) {
                Ok(schema) => schema,
                Err(with_errors) => Valid::assume_valid(with_errors.partial),
            })
        })
        .as_ref()
}

/// Checks a document against the schema (or, without one, on its own) and returns GraphQL errors if invalid.
pub fn validate(document: &ast::Document) -> Result<(), Vec<Value>> {
    let result = match schema() {
        Some(schema) => document
            .to_executable_validate(schema)
            .map(drop)
            .map_err(|e| e.errors),
        None => document.validate_standalone_executable(),
    };
    result.map_err(|errors| diagnostics(&errors))
}

fn diagnostics(errors: &apollo_compiler::validation::DiagnosticList) -> Vec<Value> {
    errors
        .iter()
        .map(|d| {
            serde_json::to_value(d.to_json())
                .unwrap_or_else(|_| json!({ "message": d.error.to_string() }))
        })
        .collect()
}

/// Answers a GraphQL request as `viewer` (a login).
pub fn answer(state: &mut State, viewer: &str, request: &GraphQlRequest) -> Value {
    let document = match &request.document {
        Ok(d) => d,
        Err(errors) => return invalid(&request.query, errors.clone()),
    };
    if let Err(errors) = validate(document) {
        return invalid(&request.query, errors);
    }
    let operation = match executor::operation(document, request.operation_name.as_deref()) {
        Ok(op) => op,
        Err(message) => return json!({ "errors": [{ "message": message }] }),
    };
    let root = match operation.operation_type {
        ast::OperationType::Query => Obj::Query,
        ast::OperationType::Mutation => Obj::Mutation,
        ast::OperationType::Subscription => {
            return json!({ "errors": [{ "message": "Subscriptions are not supported" }] });
        }
    };
    let mut resolver = GitHub {
        state,
        viewer: viewer.to_string(),
    };
    executor::execute(&mut resolver, root, document, operation, &request.variables)
}

/// An invalid document: GitHub's answer shape, and a loud note in the test output saying why.
fn invalid(query: &str, errors: Vec<Value>) -> Value {
    eprintln!(
        "fake GitHub: invalid GraphQL document:\n{query}\nerrors: {}",
        Value::Array(errors.clone())
    );
    json!({ "errors": errors })
}

// --- The GitHub object model -------------------------------------------------------------------------------------

/// A handle on something in the state; resolved field by field against the state.
#[derive(Debug, Clone)]
enum Obj {
    Query,
    Mutation,
    Account(String),
    Project(String),
    Field {
        project: String,
        field: String,
    },
    SelectOption {
        project: String,
        field: String,
        option: String,
    },
    Item(String),
    /// The value of `field` (its id) on item `item`; built-in fields take theirs from the content.
    Value {
        item: String,
        field: String,
    },
    Issue {
        repo: String,
        number: u64,
    },
    Draft(String),
    Repo(String),
    /// A comment of an issue, by its database id.
    Comment {
        repo: String,
        number: u64,
        id: u64,
    },
    Label {
        repo: String,
        name: String,
    },
    Milestone(String),
    /// Who did something (an event's `actor`), by login: `login` only.
    Actor(String),
    /// Event `index` of the label events of an issue's timeline.
    LabelEvent {
        repo: String,
        number: u64,
        index: usize,
    },
    Connection(Box<Connection>),
    Edge {
        node: Box<Obj>,
        cursor: String,
    },
    PageInfo(PageInfo),
    Payload {
        typename: &'static str,
        field: &'static str,
        target: Box<Obj>,
    },
}

#[derive(Debug, Clone)]
struct Connection {
    typename: String,
    nodes: Vec<Obj>,
    /// Index (in the whole list) of the first node.
    offset: usize,
    total: usize,
    page: PageInfo,
}

#[derive(Debug, Clone)]
struct PageInfo {
    has_next: bool,
    has_previous: bool,
    start: Option<String>,
    end: Option<String>,
}

struct GitHub<'s> {
    state: &'s mut State,
    viewer: String,
}

/// Interfaces and unions, and the object types of this fake that belong to them.
fn members(abstract_type: &str) -> &'static [&'static str] {
    const FIELDS: &[&str] = &[
        "ProjectV2Field",
        "ProjectV2SingleSelectField",
        "ProjectV2IterationField",
    ];
    const COMMON_VALUES: &[&str] = &[
        "ProjectV2ItemFieldDateValue",
        "ProjectV2ItemFieldIterationValue",
        "ProjectV2ItemFieldNumberValue",
        "ProjectV2ItemFieldSingleSelectValue",
        "ProjectV2ItemFieldTextValue",
    ];
    const VALUES: &[&str] = &[
        "ProjectV2ItemFieldDateValue",
        "ProjectV2ItemFieldIterationValue",
        "ProjectV2ItemFieldLabelValue",
        "ProjectV2ItemFieldMilestoneValue",
        "ProjectV2ItemFieldNumberValue",
        "ProjectV2ItemFieldPullRequestValue",
        "ProjectV2ItemFieldRepositoryValue",
        "ProjectV2ItemFieldReviewerValue",
        "ProjectV2ItemFieldSingleSelectValue",
        "ProjectV2ItemFieldTextValue",
        "ProjectV2ItemFieldUserValue",
    ];
    match abstract_type {
        "Node" => &[
            "Organization",
            "User",
            "Bot",
            "ProjectV2",
            "ProjectV2Field",
            "ProjectV2SingleSelectField",
            "ProjectV2IterationField",
            "ProjectV2Item",
            "ProjectV2ItemFieldDateValue",
            "ProjectV2ItemFieldIterationValue",
            "ProjectV2ItemFieldNumberValue",
            "ProjectV2ItemFieldSingleSelectValue",
            "ProjectV2ItemFieldTextValue",
            "Issue",
            "PullRequest",
            "DraftIssue",
            "Repository",
            "Label",
            "Milestone",
            "LabeledEvent",
            "UnlabeledEvent",
        ],
        "IssueTimelineItems" => &["LabeledEvent", "UnlabeledEvent"],
        "ProjectV2Owner" => &["Organization", "User", "Issue", "PullRequest"],
        "RepositoryOwner" | "ProfileOwner" | "PackageOwner" | "Sponsorable" => {
            &["Organization", "User"]
        }
        "Actor" => &["User", "Bot", "Organization"],
        "ProjectV2FieldConfiguration" | "ProjectV2FieldCommon" => FIELDS,
        "ProjectV2ItemFieldValue" => VALUES,
        "ProjectV2ItemFieldValueCommon" => COMMON_VALUES,
        "ProjectV2ItemContent" => &["Issue", "PullRequest", "DraftIssue"],
        "Assignable"
        | "Closable"
        | "Comment"
        | "Labelable"
        | "Lockable"
        | "Reactable"
        | "Subscribable"
        | "UniformResourceLocatable"
        | "Updatable"
        | "UpdatableComment" => &["Issue", "PullRequest"],
        _ => &[],
    }
}

fn str_arg<'a>(args: &'a Map<String, Value>, name: &str) -> Result<&'a str, FieldError> {
    args.get(name).and_then(Value::as_str).ok_or_else(|| {
        FieldError::new(format!(
            "Argument '{name}' is required and must be a string"
        ))
    })
}

/// The object a global node id stands for.
fn node_object(node: NodeRef) -> Obj {
    match node {
        NodeRef::Account(login) => Obj::Account(login),
        NodeRef::Project(id) => Obj::Project(id),
        NodeRef::Item(id) => Obj::Item(id),
        NodeRef::Issue { repo, number } => Obj::Issue { repo, number },
        NodeRef::Repo(name) => Obj::Repo(name),
        NodeRef::Comment { repo, number, id } => Obj::Comment { repo, number, id },
    }
}

fn cursor(index: usize) -> String {
    format!("Y3Vyc29y:{index}")
}

fn parse_cursor(cursor: &str) -> Result<usize, FieldError> {
    cursor
        .strip_prefix("Y3Vyc29y:")
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| FieldError::new(format!("`{cursor}` does not appear to be a valid cursor.")))
}

/// A page of `all` as GitHub's connections give it, enforcing `first`/`last` the way GitHub does.
fn paginate(
    typename: &str,
    field: &str,
    all: Vec<Obj>,
    args: &Map<String, Value>,
) -> Result<Out<Obj>, FieldError> {
    let mut all = all.into_iter().map(Some).collect::<Vec<_>>();
    let total = all.len();
    paginate_with(typename, field, total, args, |i| {
        all[i].take().expect("each index once")
    })
}

/// As [`paginate`], building only the nodes of the page (`node(i)` for index `i` of the whole list): a page of a
/// 10,000-item board costs 100 nodes, not 10,000.
fn paginate_with(
    typename: &str,
    field: &str,
    total: usize,
    args: &Map<String, Value>,
    mut node: impl FnMut(usize) -> Obj,
) -> Result<Out<Obj>, FieldError> {
    let first = args.get("first").and_then(Value::as_i64);
    let last = args.get("last").and_then(Value::as_i64);
    if first.is_none() && last.is_none() {
        return Err(FieldError::new(format!(
            "You must provide a `first` or `last` value to properly paginate the `{field}` connection."
        )));
    }
    for (name, n) in [("first", first), ("last", last)] {
        match n {
            Some(n) if n > 100 => {
                return Err(FieldError::new(format!(
                    "Requesting {n} records on the `{field}` connection exceeds the `{name}` limit of 100 records."
                )))
            }
            Some(n) if n < 0 => return Err(FieldError::new(format!("`{name}` must be non-negative"))),
            _ => {}
        }
    }
    let mut start = match args.get("after").and_then(Value::as_str) {
        Some(c) => parse_cursor(c)? + 1,
        None => 0,
    };
    let mut end = match args.get("before").and_then(Value::as_str) {
        Some(c) => parse_cursor(c)?,
        None => total,
    };
    start = start.min(total);
    end = end.clamp(start, total);
    if let Some(first) = first {
        end = end.min(start + first as usize);
    }
    if let Some(last) = last {
        start = start.max(end.saturating_sub(last as usize));
    }
    let nodes: Vec<Obj> = (start..end).map(&mut node).collect();
    let page = PageInfo {
        has_next: end < total,
        has_previous: start > 0,
        start: (!nodes.is_empty()).then(|| cursor(start)),
        end: (!nodes.is_empty()).then(|| cursor(end - 1)),
    };
    Ok(Out::Object(Obj::Connection(Box::new(Connection {
        typename: typename.to_string(),
        nodes,
        offset: start,
        total,
        page,
    }))))
}

impl Resolver for GitHub<'_> {
    type Object = Obj;

    fn typename<'o>(&self, object: &'o Obj) -> Cow<'o, str> {
        let s = &*self.state;
        match object {
            Obj::Query => "Query".into(),
            Obj::Mutation => "Mutation".into(),
            Obj::Account(login) => match s.account(login).map(|a| a.kind) {
                Some(AccountKind::Organization) => "Organization".into(),
                Some(AccountKind::Bot) => "Bot".into(),
                _ => "User".into(),
            },
            Obj::Project(_) => "ProjectV2".into(),
            Obj::Field { project, field } => match s
                .project_by_id(project)
                .and_then(|p| p.field_by_id(field))
                .map(|f| f.data_type)
            {
                Some(DataType::SingleSelect) => "ProjectV2SingleSelectField".into(),
                Some(DataType::Iteration) => "ProjectV2IterationField".into(),
                _ => "ProjectV2Field".into(),
            },
            Obj::SelectOption { .. } => "ProjectV2SingleSelectFieldOption".into(),
            Obj::Item(_) => "ProjectV2Item".into(),
            Obj::Value { item, field } => self.value_typename(item, field).into(),
            Obj::Issue { repo, number } => match s.issue(repo, *number) {
                Some(i) if i.is_pull_request => "PullRequest".into(),
                _ => "Issue".into(),
            },
            Obj::Draft(_) => "DraftIssue".into(),
            Obj::Repo(_) => "Repository".into(),
            Obj::Comment { .. } => "IssueComment".into(),
            Obj::Label { .. } => "Label".into(),
            Obj::Milestone(_) => "Milestone".into(),
            Obj::Actor(login) if login.ends_with("[bot]") => "Bot".into(),
            Obj::Actor(_) => "User".into(),
            Obj::LabelEvent {
                repo,
                number,
                index,
            } => match s
                .issue(repo, *number)
                .and_then(|i| i.label_events.get(*index))
            {
                Some(e) if !e.labeled => "UnlabeledEvent".into(),
                _ => "LabeledEvent".into(),
            },
            Obj::Connection(c) => Cow::Borrowed(&c.typename),
            Obj::Edge { .. } => "Edge".into(),
            Obj::PageInfo(_) => "PageInfo".into(),
            Obj::Payload { typename, .. } => (*typename).into(),
        }
    }

    fn satisfies(&self, typename: &str, condition: &str) -> bool {
        typename == condition || members(condition).contains(&typename)
    }

    fn resolve(
        &mut self,
        object: &Obj,
        field: &str,
        args: &Map<String, Value>,
    ) -> Result<Out<Obj>, FieldError> {
        match object {
            Obj::Query => self.query(field, args),
            Obj::Mutation => self.mutation(field, args),
            Obj::Account(login) => self.account(login, field, args),
            Obj::Project(id) => self.project(id, field, args),
            Obj::Field { project, field: id } => self.field(project, id, field),
            Obj::SelectOption {
                project,
                field: f,
                option,
            } => {
                let name = self
                    .state
                    .project_by_id(project)
                    .and_then(|p| p.field_by_id(f))
                    .and_then(|f| f.option_by_id(option))
                    .map(|o| o.name.clone())
                    .unwrap_or_default();
                Ok(match field {
                    "id" => Out::value(option.clone()),
                    "name" | "nameHTML" => Out::value(name),
                    "color" => Out::value("GRAY"),
                    "description" | "descriptionHTML" => Out::value(""),
                    _ => Out::Null,
                })
            }
            Obj::Item(id) => self.item(id, field, args),
            Obj::Value { item, field: f } => self.value(item, f, field, args),
            Obj::Issue { repo, number } => self.issue(repo, *number, field, args),
            Obj::Draft(item) => {
                let Some(Content::Draft { id, title, body }) =
                    self.state.item(item).map(|i| i.content.clone())
                else {
                    return Ok(Out::Null);
                };
                Ok(match field {
                    "id" => Out::value(id),
                    "title" => Out::value(title),
                    "body" | "bodyText" => Out::value(body),
                    _ => Out::Null,
                })
            }
            Obj::Repo(name) => self.repo(name, field, args),
            Obj::Comment { repo, number, id } => {
                let comment = self
                    .state
                    .issue(repo, *number)
                    .and_then(|i| i.comments.iter().find(|c| c.id == *id))
                    .cloned();
                Ok(match (field, comment) {
                    ("databaseId", Some(c)) => Out::value(c.id),
                    ("id", Some(c)) => Out::value(c.node_id),
                    ("body", Some(c)) => Out::value(c.body),
                    ("author", Some(c)) => Out::Object(Obj::Account(c.author)),
                    ("createdAt", Some(c)) => Out::value(c.created_at),
                    ("updatedAt", Some(c)) => Out::value(c.updated_at),
                    ("lastEditedAt", Some(c)) if c.editor.is_some() => Out::value(c.updated_at),
                    ("editor", Some(c)) => Out::opt_object(c.editor.map(Obj::Actor)),
                    _ => Out::Null,
                })
            }
            Obj::Label { repo, name } => {
                let label = self.state.repo(repo).and_then(|r| r.label(name)).cloned();
                Ok(match (field, label) {
                    ("name", _) => Out::value(name.clone()),
                    ("id", Some(l)) => Out::value(l.node_id),
                    ("color", Some(l)) => Out::value(l.color),
                    ("description", Some(l)) => Out::value(l.description),
                    _ => Out::Null,
                })
            }
            Obj::Actor(login) => Ok(match field {
                // GraphQL shows an App's bot without the `[bot]` that REST adds (DESIGN.md, known traps).
                "login" => Out::value(login.trim_end_matches("[bot]")),
                _ => Out::Null,
            }),
            Obj::LabelEvent {
                repo,
                number,
                index,
            } => {
                let event = self
                    .state
                    .issue(repo, *number)
                    .and_then(|i| i.label_events.get(*index))
                    .cloned()
                    .ok_or_else(|| FieldError::new("no such event"))?;
                Ok(match field {
                    "id" => Out::value(format!("LE_{number}_{index}")),
                    "createdAt" => Out::value(event.created_at),
                    // Named as GraphQL names it, whether or not the fake has the account (a snapshot's people).
                    "actor" => event
                        .actor
                        .map_or(Out::Null, |a| Out::Object(Obj::Actor(a))),
                    "label" => Out::Object(Obj::Label {
                        repo: repo.clone(),
                        name: event.label,
                    }),
                    _ => Out::Null,
                })
            }
            Obj::Milestone(title) => Ok(match field {
                "title" => Out::value(title.clone()),
                "id" => Out::value(format!("MI_{}", title.len())),
                _ => Out::Null,
            }),
            Obj::Connection(c) => Ok(match field {
                "nodes" => Out::List(c.nodes.iter().cloned().map(Out::Object).collect()),
                "edges" => Out::List(
                    c.nodes
                        .iter()
                        .enumerate()
                        .map(|(i, n)| {
                            Out::Object(Obj::Edge {
                                node: Box::new(n.clone()),
                                cursor: cursor(c.offset + i),
                            })
                        })
                        .collect(),
                ),
                "pageInfo" => Out::Object(Obj::PageInfo(c.page.clone())),
                "totalCount" => Out::value(c.total),
                _ => Out::Null,
            }),
            Obj::Edge { node, cursor } => Ok(match field {
                "node" => Out::Object((**node).clone()),
                "cursor" => Out::value(cursor.clone()),
                _ => Out::Null,
            }),
            Obj::PageInfo(p) => Ok(match field {
                "hasNextPage" => Out::value(p.has_next),
                "hasPreviousPage" => Out::value(p.has_previous),
                "startCursor" => p.start.clone().map_or(Out::Null, Out::value),
                "endCursor" => p.end.clone().map_or(Out::Null, Out::value),
                _ => Out::Null,
            }),
            Obj::Payload {
                field: name,
                target,
                ..
            } => Ok(if field == *name {
                Out::Object((**target).clone())
            } else {
                Out::Null // clientMutationId
            }),
        }
    }
}

impl GitHub<'_> {
    fn query(&mut self, field: &str, args: &Map<String, Value>) -> Result<Out<Obj>, FieldError> {
        let s = &*self.state;
        match field {
            "viewer" => Ok(Out::Object(Obj::Account(self.viewer.clone()))),
            "repositoryOwner" => {
                let login = str_arg(args, "login")?;
                Ok(Out::opt_object(
                    s.account(login)
                        .filter(|a| a.kind != AccountKind::Bot)
                        .map(|a| Obj::Account(a.login.clone())),
                ))
            }
            "organization" | "user" => {
                let login = str_arg(args, "login")?;
                let wanted = if field == "organization" {
                    AccountKind::Organization
                } else {
                    AccountKind::User
                };
                match s.account(login).filter(|a| a.kind == wanted) {
                    Some(a) => Ok(Out::Object(Obj::Account(a.login.clone()))),
                    None => Err(FieldError::not_found(format!(
                        "Could not resolve to {} with the login of '{login}'.",
                        if field == "organization" {
                            "an Organization"
                        } else {
                            "a User"
                        }
                    ))),
                }
            }
            "node" => {
                let id = str_arg(args, "id")?;
                let node = s.resolve_node(id).ok_or_else(|| {
                    FieldError::not_found(format!(
                        "Could not resolve to a node with the global id of '{id}'"
                    ))
                })?;
                Ok(Out::Object(node_object(node)))
            }
            // GitHub answers an unknown id with `null` in its place and an error; here just the `null`.
            "nodes" => {
                let ids = args.get("ids").and_then(Value::as_array);
                let nodes = ids.into_iter().flatten().map(|id| {
                    let node = id.as_str().and_then(|id| s.resolve_node(id));
                    Out::opt_object(node.map(node_object))
                });
                Ok(Out::List(nodes.collect()))
            }
            "repository" => {
                let name = format!("{}/{}", str_arg(args, "owner")?, str_arg(args, "name")?);
                match s.repo(&name) {
                    Some(r) => Ok(Out::Object(Obj::Repo(r.full_name()))),
                    None => Err(FieldError::not_found(format!(
                        "Could not resolve to a Repository with the name '{name}'."
                    ))),
                }
            }
            _ => Err(FieldError::new(format!(
                "the fake GitHub does not serve Query.{field}"
            ))),
        }
    }

    fn mutation(&mut self, field: &str, args: &Map<String, Value>) -> Result<Out<Obj>, FieldError> {
        let input = args
            .get("input")
            .and_then(Value::as_object)
            .ok_or_else(|| {
                FieldError::new(format!(
                    "Argument 'input' on Field '{field}' has an invalid value"
                ))
            })?;
        if matches!(field, "addLabelsToLabelable" | "removeLabelsFromLabelable") {
            return self.change_labels(field, input);
        }
        let project_id = str_arg(input, "projectId")?;
        let project = self.state.project_by_id(project_id).ok_or_else(|| {
            FieldError::not_found(format!(
                "Could not resolve to a node with the global id of '{project_id}'"
            ))
        })?;
        let (owner, project_number) = (project.owner.clone(), project.number);
        match field {
            "updateProjectV2ItemFieldValue" | "clearProjectV2ItemFieldValue" => {
                let item_id = str_arg(input, "itemId")?;
                let field_id = str_arg(input, "fieldId")?;
                if project.item(item_id).is_none() {
                    return Err(FieldError::not_found(format!(
                        "Could not resolve to a node with the global id of '{item_id}'"
                    )));
                }
                let target = project
                    .field_by_id(field_id)
                    .ok_or_else(|| {
                        FieldError::not_found(format!(
                            "Could not resolve to a node with the global id of '{field_id}'"
                        ))
                    })?
                    .clone();
                let value = if field == "clearProjectV2ItemFieldValue" {
                    None
                } else {
                    Some(new_value(
                        &target,
                        input.get("value").and_then(Value::as_object),
                    )?)
                };
                let now = self.state.tick();
                let value_id = self.state.new_node_id("PVTFV");
                let item = self.state.item_mut(item_id).expect("checked above");
                match value {
                    None => {
                        item.values.remove(field_id);
                    }
                    Some(value) => {
                        let entry = item.values.entry(field_id.to_string()).or_insert_with(|| {
                            super::state::FieldValue {
                                id: value_id,
                                value: value.clone(),
                                created_at: now.clone(),
                                updated_at: now.clone(),
                            }
                        });
                        entry.value = value;
                        entry.updated_at = now;
                    }
                }
                Ok(Out::Object(Obj::Payload {
                    typename: if field == "clearProjectV2ItemFieldValue" {
                        "ClearProjectV2ItemFieldValuePayload"
                    } else {
                        "UpdateProjectV2ItemFieldValuePayload"
                    },
                    field: "projectV2Item",
                    target: Box::new(Obj::Item(item_id.to_string())),
                }))
            }
            "addProjectV2ItemById" => {
                let content_id = str_arg(input, "contentId")?;
                let Some(NodeRef::Issue { repo, number }) = self.state.resolve_node(content_id)
                else {
                    return Err(FieldError::not_found(format!(
                        "Could not resolve to a node with the global id of '{content_id}'"
                    )));
                };
                let content = Content::Issue { repo, number };
                // GitHub answers with the existing item when the content is already on the board.
                let existing = project
                    .items
                    .iter()
                    .find(|i| i.content == content)
                    .map(|i| i.id.clone());
                let id = match existing {
                    Some(id) => id,
                    None => {
                        self.state.tick();
                        self.state.add_item(&owner, project_number, None, content)
                    }
                };
                Ok(Out::Object(Obj::Payload {
                    typename: "AddProjectV2ItemByIdPayload",
                    field: "item",
                    target: Box::new(Obj::Item(id)),
                }))
            }
            _ => Err(FieldError::new(format!(
                "the fake GitHub does not serve Mutation.{field}"
            ))),
        }
    }

    /// `addLabelsToLabelable` and `removeLabelsFromLabelable` on an issue, as GitHub does them: every label id must
    /// be a label of the issue's repository; adding one the issue has, or removing one it lacks, changes nothing.
    fn change_labels(
        &mut self,
        field: &str,
        input: &Map<String, Value>,
    ) -> Result<Out<Obj>, FieldError> {
        let labelable = str_arg(input, "labelableId")?;
        let Some(NodeRef::Issue { repo, number }) = self.state.resolve_node(labelable) else {
            return Err(FieldError::not_found(format!(
                "Could not resolve to a node with the global id of '{labelable}'"
            )));
        };
        let ids = input
            .get("labelIds")
            .and_then(Value::as_array)
            .ok_or_else(|| {
                FieldError::new("Argument 'labelIds' on InputObject has an invalid value")
            })?;
        let mut names = Vec::with_capacity(ids.len());
        for id in ids {
            let id = id.as_str().unwrap_or_default();
            let name = self
                .state
                .repo(&repo)
                .and_then(|r| r.labels.iter().find(|l| l.node_id == id))
                .map(|l| l.name.clone())
                .ok_or_else(|| {
                    FieldError::not_found(format!(
                        "Could not resolve to a node with the global id of '{id}'"
                    ))
                })?;
            names.push(name);
        }
        if let Some(message) = self.state.label_refusal(&repo, number) {
            return Err(FieldError::new(message.to_string()));
        }
        let add = field == "addLabelsToLabelable";
        let at = self.state.tick();
        let actor = Some(self.viewer.clone());
        let issue = self
            .state
            .issue_mut(&repo, number)
            .ok_or_else(|| FieldError::not_found("issue gone"))?;
        for name in names {
            // GitHub's timeline records who changed a label, and nothing for a change that changes nothing.
            let changes = add != issue.has_label(&name);
            if add && changes {
                issue.labels.push(name.clone());
            } else if changes {
                issue.labels.retain(|l| !l.eq_ignore_ascii_case(&name));
            }
            if changes {
                issue.label_events.push(LabelEventData {
                    labeled: add,
                    label: name,
                    actor: actor.clone(),
                    created_at: at.clone(),
                });
            }
        }
        Ok(Out::Object(Obj::Payload {
            typename: if add {
                "AddLabelsToLabelablePayload"
            } else {
                "RemoveLabelsFromLabelablePayload"
            },
            field: "labelable",
            target: Box::new(Obj::Issue { repo, number }),
        }))
    }

    fn account(
        &mut self,
        login: &str,
        field: &str,
        args: &Map<String, Value>,
    ) -> Result<Out<Obj>, FieldError> {
        let Some(account) = self.state.account(login).cloned() else {
            return Ok(Out::Null);
        };
        match field {
            // GraphQL shows an App's bot without the `[bot]` that REST adds (DESIGN.md, known traps).
            "login" => Ok(Out::value(account.login.trim_end_matches("[bot]"))),
            "id" => Ok(Out::value(account.node_id)),
            "databaseId" => Ok(Out::value(account.database_id)),
            "name" => Ok(Out::value(account.login)),
            "url" => Ok(Out::value(format!("https://github.com/{}", account.login))),
            "projectV2" => {
                let number = args.get("number").and_then(Value::as_u64).unwrap_or(0);
                match self.state.project(&account.login, number) {
                    Some(p) => Ok(Out::Object(Obj::Project(p.id.clone()))),
                    None => Err(FieldError::not_found(format!(
                        "Could not resolve to a ProjectV2 with the number {number}."
                    ))),
                }
            }
            _ => Ok(Out::Null),
        }
    }

    fn project(
        &mut self,
        id: &str,
        field: &str,
        args: &Map<String, Value>,
    ) -> Result<Out<Obj>, FieldError> {
        let project = self
            .state
            .project_by_id(id)
            .ok_or_else(|| FieldError::not_found("project gone"))?;
        match field {
            "id" => Ok(Out::value(project.id.clone())),
            "number" => Ok(Out::value(project.number)),
            "title" => Ok(Out::value(project.title.clone())),
            "closed" | "public" | "template" => Ok(Out::value(false)),
            "url" => Ok(Out::value(format!(
                "https://github.com/orgs/{}/projects/{}",
                project.owner, project.number
            ))),
            "owner" => Ok(Out::Object(Obj::Account(project.owner.clone()))),
            "fields" => {
                let all = project
                    .fields
                    .iter()
                    .map(|f| Obj::Field {
                        project: id.to_string(),
                        field: f.id.clone(),
                    })
                    .collect();
                paginate("ProjectV2FieldConfigurationConnection", "fields", all, args)
            }
            "field" => {
                let name = str_arg(args, "name")?;
                Ok(Out::opt_object(
                    project
                        .fields
                        .iter()
                        .find(|f| f.name == name)
                        .map(|f| Obj::Field {
                            project: id.to_string(),
                            field: f.id.clone(),
                        }),
                ))
            }
            "items" => {
                let items = &project.items;
                paginate_with("ProjectV2ItemConnection", "items", items.len(), args, |i| {
                    Obj::Item(items[i].id.clone())
                })
            }
            _ => Ok(Out::Null),
        }
    }

    fn field(&mut self, project: &str, id: &str, field: &str) -> Result<Out<Obj>, FieldError> {
        let f = self
            .state
            .project_by_id(project)
            .and_then(|p| p.field_by_id(id))
            .cloned()
            .ok_or_else(|| FieldError::not_found("field gone"))?;
        Ok(match field {
            "id" => Out::value(f.id),
            "name" => Out::value(f.name),
            "dataType" => Out::value(f.data_type.as_graphql()),
            "project" => Out::Object(Obj::Project(project.to_string())),
            "options" if f.data_type == DataType::SingleSelect => Out::List(
                f.options
                    .iter()
                    .map(|o| {
                        Out::Object(Obj::SelectOption {
                            project: project.to_string(),
                            field: f.id.clone(),
                            option: o.id.clone(),
                        })
                    })
                    .collect(),
            ),
            _ => Out::Null,
        })
    }

    fn item(
        &mut self,
        id: &str,
        field: &str,
        args: &Map<String, Value>,
    ) -> Result<Out<Obj>, FieldError> {
        let (p, i) = self
            .state
            .find_item(id)
            .ok_or_else(|| FieldError::not_found("item gone"))?;
        let state = &*self.state;
        let project = &state.projects[p];
        let item = &project.items[i];
        let issue = match &item.content {
            Content::Issue { repo, number } => state.issue(repo, *number),
            _ => None,
        };
        match field {
            "id" => Ok(Out::value(item.id.clone())),
            "isArchived" => Ok(Out::value(item.archived)),
            "type" => Ok(Out::value(match (&item.content, issue) {
                (Content::Issue { .. }, Some(i)) if i.is_pull_request => "PULL_REQUEST",
                (Content::Issue { .. }, _) => "ISSUE",
                (Content::Draft { .. }, _) => "DRAFT_ISSUE",
                (Content::Redacted, _) => "REDACTED",
            })),
            "project" => Ok(Out::Object(Obj::Project(project.id.clone()))),
            "content" => Ok(match &item.content {
                Content::Issue { repo, number } => Out::Object(Obj::Issue {
                    repo: repo.clone(),
                    number: *number,
                }),
                Content::Draft { .. } => Out::Object(Obj::Draft(item.id.clone())),
                Content::Redacted => Out::Null,
            }),
            "fieldValues" => {
                // As GitHub: one value per field that has one, in field order; built-in fields included.
                let mut all = Vec::new();
                for f in &project.fields {
                    let has_value = match f.data_type {
                        DataType::Title => !matches!(item.content, Content::Redacted),
                        DataType::Assignees => issue.is_some_and(|i| !i.assignees.is_empty()),
                        DataType::Labels => issue.is_some_and(|i| !i.labels.is_empty()),
                        DataType::Milestone => issue.is_some_and(|i| i.milestone.is_some()),
                        DataType::Repository => issue.is_some(),
                        _ => item.values.contains_key(&f.id),
                    };
                    if has_value {
                        all.push(Obj::Value {
                            item: item.id.clone(),
                            field: f.id.clone(),
                        });
                    }
                }
                paginate(
                    "ProjectV2ItemFieldValueConnection",
                    "fieldValues",
                    all,
                    args,
                )
            }
            "fieldValueByName" => {
                let name = str_arg(args, "name")?;
                Ok(Out::opt_object(
                    project
                        .fields
                        .iter()
                        .find(|f| f.name == name && item.values.contains_key(&f.id))
                        .map(|f| Obj::Value {
                            item: item.id.clone(),
                            field: f.id.clone(),
                        }),
                ))
            }
            _ => Ok(Out::Null),
        }
    }

    fn value_typename(&self, item: &str, field: &str) -> &'static str {
        let Some((p, i)) = self.state.find_item(item) else {
            return "ProjectV2ItemFieldTextValue";
        };
        let project = &self.state.projects[p];
        let Some(f) = project.field_by_id(field) else {
            return "ProjectV2ItemFieldTextValue";
        };
        match f.data_type {
            DataType::Title => "ProjectV2ItemFieldTextValue",
            DataType::Assignees => "ProjectV2ItemFieldUserValue",
            DataType::Labels => "ProjectV2ItemFieldLabelValue",
            DataType::Milestone => "ProjectV2ItemFieldMilestoneValue",
            DataType::Repository => "ProjectV2ItemFieldRepositoryValue",
            _ => match project.items[i].values.get(field).map(|v| &v.value) {
                Some(Val::Option(_)) => "ProjectV2ItemFieldSingleSelectValue",
                Some(Val::Number(_)) => "ProjectV2ItemFieldNumberValue",
                Some(Val::Date(_)) => "ProjectV2ItemFieldDateValue",
                Some(Val::Iteration(_)) => "ProjectV2ItemFieldIterationValue",
                _ => "ProjectV2ItemFieldTextValue",
            },
        }
    }

    fn value(
        &mut self,
        item_id: &str,
        field_id: &str,
        field: &str,
        args: &Map<String, Value>,
    ) -> Result<Out<Obj>, FieldError> {
        let (p, i) = self
            .state
            .find_item(item_id)
            .ok_or_else(|| FieldError::not_found("item gone"))?;
        let project = &self.state.projects[p];
        let item = &project.items[i];
        let f = project
            .field_by_id(field_id)
            .cloned()
            .ok_or_else(|| FieldError::not_found("field gone"))?;
        let project_id = project.id.clone();
        let stored = item.values.get(field_id).cloned();
        let content = item.content.clone();
        let issue = match &content {
            Content::Issue { repo, number } => self
                .state
                .issue(repo, *number)
                .cloned()
                .map(|i| (repo.clone(), i)),
            _ => None,
        };
        let out = match field {
            "field" => Out::Object(Obj::Field {
                project: project_id,
                field: f.id.clone(),
            }),
            "item" => Out::Object(Obj::Item(item_id.to_string())),
            "id" => Out::value(
                stored
                    .as_ref()
                    .map_or_else(|| format!("PVTFV_{item_id}_{field_id}"), |v| v.id.clone()),
            ),
            "createdAt" => Out::value(
                stored
                    .as_ref()
                    .map_or_else(|| self.state.now(), |v| v.created_at.clone()),
            ),
            "updatedAt" => Out::value(
                stored
                    .as_ref()
                    .map_or_else(|| self.state.now(), |v| v.updated_at.clone()),
            ),
            "text" => match (f.data_type, stored.map(|v| v.value), &content) {
                (DataType::Title, _, Content::Draft { title, .. }) => Out::value(title.clone()),
                (DataType::Title, _, _) => issue.map_or(Out::Null, |(_, i)| Out::value(i.title)),
                (_, Some(Val::Text(t)), _) => Out::value(t),
                _ => Out::Null,
            },
            "name" | "optionId" => match stored.map(|v| v.value) {
                Some(Val::Option(id)) if field == "optionId" => Out::value(id),
                Some(Val::Option(id)) => f
                    .option_by_id(&id)
                    .map_or(Out::Null, |o| Out::value(o.name.clone())),
                _ => Out::Null,
            },
            "number" => match stored.map(|v| v.value) {
                Some(Val::Number(n)) => Out::value(n),
                _ => Out::Null,
            },
            "date" => match stored.map(|v| v.value) {
                Some(Val::Date(d)) => Out::value(d),
                _ => Out::Null,
            },
            "title" | "iterationId" => match stored.map(|v| v.value) {
                Some(Val::Iteration(id)) if field == "iterationId" => Out::value(id),
                Some(Val::Iteration(id)) => f
                    .option_by_id(&id)
                    .map_or(Out::Null, |o| Out::value(o.name.clone())),
                _ => Out::Null,
            },
            "labels" => {
                let (repo, issue) = issue.ok_or_else(|| FieldError::new("no labels here"))?;
                let all = issue
                    .labels
                    .iter()
                    .map(|name| Obj::Label {
                        repo: repo.clone(),
                        name: name.clone(),
                    })
                    .collect();
                return paginate("LabelConnection", "labels", all, args);
            }
            "users" => {
                let (_, issue) = issue.ok_or_else(|| FieldError::new("no users here"))?;
                let all = issue
                    .assignees
                    .iter()
                    .map(|l| Obj::Account(l.clone()))
                    .collect();
                return paginate("UserConnection", "users", all, args);
            }
            "milestone" => issue
                .and_then(|(_, i)| i.milestone)
                .map_or(Out::Null, |m| Out::Object(Obj::Milestone(m))),
            "repository" => issue.map_or(Out::Null, |(repo, _)| Out::Object(Obj::Repo(repo))),
            _ => Out::Null,
        };
        Ok(out)
    }

    fn issue(
        &mut self,
        repo: &str,
        number: u64,
        field: &str,
        args: &Map<String, Value>,
    ) -> Result<Out<Obj>, FieldError> {
        let state = &*self.state;
        let issue = state.issue(repo, number).ok_or_else(|| {
            FieldError::not_found(format!(
                "Could not resolve to an issue or pull request with the number of {number}."
            ))
        })?;
        let full_name = state
            .repo(repo)
            .map_or_else(|| repo.to_string(), |r| r.full_name());
        let kind = if issue.is_pull_request {
            "pull"
        } else {
            "issues"
        };
        Ok(match field {
            "id" => Out::value(issue.node_id.clone()),
            "databaseId" => Out::value(issue.database_id),
            "number" => Out::value(issue.number),
            "title" => Out::value(issue.title.clone()),
            "body" | "bodyText" => Out::value(issue.body.clone()),
            "state" => Out::value(if issue.open { "OPEN" } else { "CLOSED" }),
            "closed" => Out::value(!issue.open),
            "createdAt" => Out::value(issue.created_at.clone()),
            "timelineItems" => {
                // Only label events are kept: other item types, asked for, are none.
                let types: Vec<&str> = args
                    .get("itemTypes")
                    .and_then(Value::as_array)
                    .map(|t| t.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_else(|| vec!["LABELED_EVENT", "UNLABELED_EVENT"]);
                let all = issue
                    .label_events
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| {
                        types.contains(&if e.labeled {
                            "LABELED_EVENT"
                        } else {
                            "UNLABELED_EVENT"
                        })
                    })
                    .map(|(index, _)| Obj::LabelEvent {
                        repo: repo.to_string(),
                        number,
                        index,
                    })
                    .collect();
                return paginate("IssueTimelineItemsConnection", "timelineItems", all, args);
            }
            "url" => Out::value(format!("https://github.com/{full_name}/{kind}/{number}")),
            "repository" => Out::Object(Obj::Repo(full_name)),
            "author" => Out::Object(Obj::Account(issue.author.clone())),
            "milestone" => issue
                .milestone
                .clone()
                .map_or(Out::Null, |m| Out::Object(Obj::Milestone(m))),
            "labels" => {
                let all = issue
                    .labels
                    .iter()
                    .map(|name| Obj::Label {
                        repo: full_name.clone(),
                        name: name.clone(),
                    })
                    .collect();
                return paginate("LabelConnection", "labels", all, args);
            }
            "comments" => {
                let all = issue
                    .comments
                    .iter()
                    .map(|c| Obj::Comment {
                        repo: full_name.clone(),
                        number,
                        id: c.id,
                    })
                    .collect();
                return paginate("IssueCommentConnection", "comments", all, args);
            }
            "assignees" => {
                let all = issue
                    .assignees
                    .iter()
                    .map(|l| Obj::Account(l.clone()))
                    .collect();
                return paginate("UserConnection", "assignees", all, args);
            }
            "projectItems" => {
                // Its items on every board; archived ones too unless `includeArchived: false`.
                let archived_too = args
                    .get("includeArchived")
                    .and_then(Value::as_bool)
                    .unwrap_or(true);
                let all = state
                    .projects
                    .iter()
                    .flat_map(|p| &p.items)
                    .filter(|i| {
                        matches!(&i.content, Content::Issue { repo: r, number: n }
                            if r.eq_ignore_ascii_case(repo) && *n == number)
                    })
                    .filter(|i| archived_too || !i.archived)
                    .map(|i| Obj::Item(i.id.clone()))
                    .collect();
                return paginate("ProjectV2ItemConnection", "projectItems", all, args);
            }
            _ => Out::Null,
        })
    }

    fn repo(
        &mut self,
        name: &str,
        field: &str,
        args: &Map<String, Value>,
    ) -> Result<Out<Obj>, FieldError> {
        // Borrowed, never cloned: a repository holds all its issues.
        let repo = self
            .state
            .repo(name)
            .ok_or_else(|| FieldError::not_found("repository gone"))?;
        Ok(match field {
            "id" => Out::value(repo.node_id.clone()),
            "name" => Out::value(repo.name.clone()),
            "nameWithOwner" => Out::value(repo.full_name()),
            "url" => Out::value(format!("https://github.com/{}", repo.full_name())),
            "owner" => Out::Object(Obj::Account(repo.owner.clone())),
            "issue" => {
                let number = args.get("number").and_then(Value::as_u64).unwrap_or(0);
                let found = repo.issue(number).filter(|i| !i.is_pull_request);
                Out::opt_object(found.map(|_| Obj::Issue {
                    repo: repo.full_name(),
                    number,
                }))
            }
            "labels" => {
                let all = repo
                    .labels
                    .iter()
                    .map(|l| Obj::Label {
                        repo: repo.full_name(),
                        name: l.name.clone(),
                    })
                    .collect();
                return paginate("LabelConnection", "labels", all, args);
            }
            _ => Out::Null,
        })
    }
}

/// The value an `updateProjectV2ItemFieldValue` input sets, checked against the field as GitHub does.
fn new_value(
    field: &super::state::Field,
    value: Option<&Map<String, Value>>,
) -> Result<Val, FieldError> {
    let value = value.ok_or_else(|| FieldError::new("Argument 'value' is required"))?;
    let get = |key: &str| value.get(key).filter(|v| !v.is_null());
    match field.data_type {
        DataType::SingleSelect => {
            let id = get("singleSelectOptionId")
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    FieldError::new(
                        "A single select option Id must be given for a single select field",
                    )
                })?;
            if field.option_by_id(id).is_none() {
                return Err(FieldError::new(
                    "The single select option Id does not belong to the field",
                ));
            }
            Ok(Val::Option(id.to_string()))
        }
        DataType::Iteration => {
            let id = get("iterationId")
                .and_then(Value::as_str)
                .ok_or_else(|| FieldError::new("An iteration Id is required"))?;
            if field.option_by_id(id).is_none() {
                return Err(FieldError::new(
                    "The iteration Id does not belong to the field",
                ));
            }
            Ok(Val::Iteration(id.to_string()))
        }
        DataType::Text => Ok(Val::Text(
            get("text")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
        )),
        DataType::Number => get("number")
            .and_then(Value::as_f64)
            .map(Val::Number)
            .ok_or_else(|| FieldError::new("A number is required for a number field")),
        DataType::Date => get("date")
            .and_then(Value::as_str)
            .map(|d| Val::Date(d.to_string()))
            .ok_or_else(|| FieldError::new("A date is required for a date field")),
        other => Err(FieldError::new(format!(
            "The field of type {} is currently not supported",
            other.as_graphql()
        ))),
    }
}
