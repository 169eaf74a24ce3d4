//! The fake's REST endpoints: the ones the bot uses, with GitHub's shapes, status codes and `Link` pagination.
//!
//! Routing is a match on the percent-decoded path segments, so `labels/fase%2Fkonsept` is the label
//! `fase/konsept` while an unencoded `labels/fase/konsept` is a different (unknown) path, as on GitHub.

use serde_json::{json, Value};

use super::state::{AccountKind, CommentData, IssueData, Label, LabelEventData, NewIssue, State};

/// Who is calling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// A token's owner (a user, or an App's `slug[bot]` with an installation token).
    Login(String),
    /// A GitHub App authenticating with its JWT.
    App(u64),
}

/// An HTTP answer.
/// The header the fake marks its own "no such route" answers with (never sent by GitHub).
pub const UNROUTED: &str = "x-fake-unrouted";

#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Value,
}

impl Reply {
    pub fn json(status: u16, body: Value) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body,
        }
    }

    /// An error answer with GitHub's `{"message", "documentation_url"}` body.
    pub fn error(status: u16, message: &str) -> Reply {
        Reply::json(
            status,
            json!({ "message": message, "documentation_url": "https://docs.github.com/rest" }),
        )
    }

    fn not_found() -> Reply {
        Reply::error(404, "Not Found")
    }

    /// A request the fake has no route for: GitHub would answer 404, and `FakeGitHub::finish` fails the test.
    pub fn unrouted() -> Reply {
        let mut reply = Reply::error(404, "Not Found");
        reply.headers.push((UNROUTED.into(), "1".into()));
        reply
    }

    fn validation(resource: &str, field: &str, code: &str) -> Reply {
        Reply::json(
            422,
            json!({
                "message": "Validation Failed",
                "errors": [{ "resource": resource, "field": field, "code": code }],
                "documentation_url": "https://docs.github.com/rest",
            }),
        )
    }
}

/// What a handler knows about the request besides its path.
pub struct Ctx<'a> {
    /// `http://127.0.0.1:port` plus the API prefix: where `Link` URLs point.
    pub api_base: &'a str,
    /// The raw (encoded) path relative to the API root, for `Link` URLs.
    pub raw_path: &'a str,
    /// Decoded query parameters.
    pub query: Vec<(String, String)>,
    pub caller: Caller,
}

impl Ctx<'_> {
    fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn login(&self) -> Option<&str> {
        match &self.caller {
            Caller::Login(login) => Some(login),
            Caller::App(_) => None,
        }
    }
}

/// Answers a REST request. `segments` are the decoded path segments after the API root.
pub fn route(
    state: &mut State,
    ctx: &Ctx<'_>,
    method: &str,
    segments: &[String],
    body: &Value,
) -> Reply {
    let seg: Vec<&str> = segments.iter().map(String::as_str).collect();
    // App endpoints take the App's JWT; everything else an installation or personal token.
    let app_route = matches!(
        seg.as_slice(),
        ["app", ..] | ["orgs", _, "installation"] | ["users", _, "installation"]
    );
    match (&ctx.caller, app_route) {
        (Caller::App(_), false) => {
            return Reply::error(401, "A JSON web token could not be decoded")
        }
        (Caller::Login(_), true) => {
            return Reply::error(401, "A JSON web token could not be decoded");
        }
        _ => {}
    }
    match (method, seg.as_slice()) {
        ("GET", ["app"]) => app(state, ctx),
        ("GET", [kind @ ("orgs" | "users"), owner, "installation"]) => {
            installation(state, ctx, kind, owner)
        }
        ("POST", ["app", "installations", id, "access_tokens"]) => access_token(state, ctx, id),
        ("GET", ["user"]) => Reply::json(200, user_json(state, ctx.login().unwrap_or("ghost"))),
        ("GET", ["repos", o, r]) => match state.repo(&format!("{o}/{r}")) {
            Some(repo) => Reply::json(
                200,
                json!({ "id": repo.database_id, "node_id": repo.node_id, "name": repo.name, "full_name": repo.full_name() }),
            ),
            None => Reply::not_found(),
        },
        ("GET", ["repos", o, r, "labels"]) => with_repo(state, o, r, |state, repo| {
            let labels = state
                .repo(repo)
                .map(|r| r.labels.iter().map(label_json).collect())
                .unwrap_or_default();
            paginate(ctx, labels)
        }),
        ("POST", ["repos", o, r, "labels"]) => {
            with_repo(state, o, r, |state, repo| create_label(state, repo, body))
        }
        ("GET", ["repos", o, r, "labels", name]) => {
            with_repo(state, o, r, |state, repo| {
                match state.repo(repo).and_then(|r| r.label(name)) {
                    Some(label) => Reply::json(200, label_json(label)),
                    None => Reply::not_found(),
                }
            })
        }
        ("GET", ["repos", o, r, "issues"]) => {
            with_repo(state, o, r, |state, repo| list_issues(state, ctx, repo))
        }
        ("POST", ["repos", o, r, "issues"]) => with_repo(state, o, r, |state, repo| {
            create_issue(state, ctx, repo, body)
        }),
        ("GET", ["repos", o, r, "issues", "comments", id]) => {
            with_comment(state, o, r, id, |state, repo, number, index| {
                let comment = &state.issue(repo, number).expect("found").comments[index];
                Reply::json(200, comment_json(state, repo, number, comment))
            })
        }
        ("PATCH", ["repos", o, r, "issues", "comments", id]) => {
            with_comment(state, o, r, id, |state, repo, number, index| {
                let Some(text) = body.get("body").and_then(Value::as_str) else {
                    return Reply::validation("IssueComment", "body", "missing_field");
                };
                let now = state.tick();
                let editor = ctx.login().map(str::to_string);
                let comment = &mut state.issue_mut(repo, number).expect("found").comments[index];
                comment.body = text.to_string();
                comment.updated_at = now;
                comment.editor = editor;
                let comment = comment.clone();
                Reply::json(200, comment_json(state, repo, number, &comment))
            })
        }
        ("DELETE", ["repos", o, r, "issues", "comments", id]) => {
            with_comment(state, o, r, id, |state, repo, number, index| {
                state
                    .issue_mut(repo, number)
                    .expect("found")
                    .comments
                    .remove(index);
                Reply::json(204, Value::Null)
            })
        }
        ("GET", ["repos", o, r, "issues", "comments", id, "reactions"]) => {
            with_comment(state, o, r, id, |state, repo, number, index| {
                let comment = &state.issue(repo, number).expect("found").comments[index];
                let reactions = comment
                    .reactions
                    .iter()
                    .map(|(user, content)| json!({ "content": content, "user": user_json(state, user) }))
                    .collect();
                paginate(ctx, reactions)
            })
        }
        ("POST", ["repos", o, r, "issues", "comments", id, "reactions"]) => {
            with_comment(state, o, r, id, |state, repo, number, index| {
                react(state, ctx, repo, number, index, body)
            })
        }
        ("GET", ["repos", o, r, "issues", n]) => {
            with_issue(state, o, r, n, |state, repo, number| {
                Reply::json(
                    200,
                    issue_json(state, repo, state.issue(repo, number).expect("found")),
                )
            })
        }
        ("PATCH", ["repos", o, r, "issues", n]) => {
            with_issue(state, o, r, n, |state, repo, number| {
                let issue = state.issue_mut(repo, number).expect("found");
                if let Some(title) = body.get("title").and_then(Value::as_str) {
                    issue.title = title.to_string();
                }
                if let Some(text) = body.get("body").and_then(Value::as_str) {
                    issue.body = text.to_string();
                }
                if let Some(s) = body.get("state").and_then(Value::as_str) {
                    issue.open = s != "closed";
                }
                state.tick();
                Reply::json(
                    200,
                    issue_json(state, repo, state.issue(repo, number).expect("found")),
                )
            })
        }
        ("GET", ["repos", o, r, "issues", n, "labels"]) => {
            with_issue(state, o, r, n, |state, repo, number| {
                paginate(ctx, issue_labels(state, repo, number))
            })
        }
        ("POST", ["repos", o, r, "issues", n, "labels"]) => {
            with_issue(state, o, r, n, |state, repo, number| {
                if let Some(message) = state.label_refusal(repo, number) {
                    return Reply::error(422, message);
                }
                // GitHub takes `{"labels": [...]}` or a bare list, and creates labels the repository lacks.
                let names: Vec<String> = body
                    .get("labels")
                    .unwrap_or(body)
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default();
                let at = state.tick();
                for name in &names {
                    state.add_label(repo, name, "ededed", "");
                    let issue = state.issue_mut(repo, number).expect("found");
                    if !issue.has_label(name) {
                        issue.labels.push(name.clone());
                        // GitHub's timeline records who added it.
                        issue.label_events.push(LabelEventData {
                            labeled: true,
                            label: name.clone(),
                            actor: ctx.login().map(str::to_string),
                            created_at: at.clone(),
                        });
                    }
                }
                Reply::json(200, Value::Array(issue_labels(state, repo, number)))
            })
        }
        ("DELETE", ["repos", o, r, "issues", n, "labels", name]) => {
            with_issue(state, o, r, n, |state, repo, number| {
                if let Some(message) = state.label_refusal(repo, number) {
                    return Reply::error(422, message);
                }
                let issue = state.issue_mut(repo, number).expect("found");
                let Some(index) = issue
                    .labels
                    .iter()
                    .position(|l| l.eq_ignore_ascii_case(name))
                else {
                    return Reply::error(404, "Label does not exist");
                };
                let removed = issue.labels.remove(index);
                let at = state.tick();
                let issue = state.issue_mut(repo, number).expect("found");
                issue.label_events.push(LabelEventData {
                    labeled: false,
                    label: removed,
                    actor: ctx.login().map(str::to_string),
                    created_at: at,
                });
                Reply::json(200, Value::Array(issue_labels(state, repo, number)))
            })
        }
        ("GET", ["repos", o, r, "issues", n, "comments"]) => {
            with_issue(state, o, r, n, |state, repo, number| {
                let issue = state.issue(repo, number).expect("found");
                paginate_with(ctx, &issue.comments, |c| {
                    comment_json(state, repo, number, c)
                })
            })
        }
        ("POST", ["repos", o, r, "issues", n, "comments"]) => {
            with_issue(state, o, r, n, |state, repo, number| {
                let Some(text) = body.get("body").and_then(Value::as_str) else {
                    return Reply::validation("IssueComment", "body", "missing_field");
                };
                let author = ctx.login().unwrap_or("ghost").to_string();
                let id = state.add_comment(repo, number, &author, text);
                let (_, index) = state.find_comment(repo, id).expect("just added");
                let comment = state.issue(repo, number).expect("found").comments[index].clone();
                Reply::json(201, comment_json(state, repo, number, &comment))
            })
        }
        ("GET", ["repos", o, r, "collaborators", user, "permission"]) => {
            with_repo(state, o, r, |state, repo| {
                let Some(account) = state.account(user).cloned() else {
                    return Reply::error(404, &format!("{user} is not a user"));
                };
                let role = state
                    .repo(repo)
                    .and_then(|r| r.collaborators.get(&account.login.to_lowercase()).cloned())
                    .unwrap_or_else(|| "none".into());
                // The legacy `permission` folds maintain into write and triage into read (DESIGN.md, known traps).
                let legacy = match role.as_str() {
                    "maintain" => "write",
                    "triage" => "read",
                    other => other,
                };
                Reply::json(
                    200,
                    json!({ "permission": legacy, "role_name": role, "user": user_json(state, &account.login) }),
                )
            })
        }
        ("GET", ["orgs", org, "teams", slug, "memberships", user]) => {
            match state
                .team(org, slug)
                .and_then(|t| t.members.get(&user.to_lowercase()))
            {
                Some(membership) => Reply::json(
                    200,
                    json!({ "role": "member", "state": membership, "url": format!("{}/{}", ctx.api_base, ctx.raw_path) }),
                ),
                None => Reply::not_found(),
            }
        }
        _ => Reply::unrouted(),
    }
}

// --- Handlers ----------------------------------------------------------------------------------------------------

fn app(state: &State, ctx: &Ctx<'_>) -> Reply {
    let Caller::App(id) = ctx.caller else {
        return Reply::error(401, "Bad credentials");
    };
    match state.apps.iter().find(|a| a.id == id) {
        Some(app) => Reply::json(
            200,
            json!({ "id": app.id, "slug": app.slug, "name": app.slug }),
        ),
        None => Reply::error(401, "Integration not found"),
    }
}

fn installation(state: &State, ctx: &Ctx<'_>, kind: &str, owner: &str) -> Reply {
    let Caller::App(id) = ctx.caller else {
        return Reply::error(401, "Bad credentials");
    };
    let wanted = if kind == "orgs" {
        AccountKind::Organization
    } else {
        AccountKind::User
    };
    if state.account(owner).map(|a| a.kind) != Some(wanted) {
        return Reply::not_found();
    }
    let installation = state
        .apps
        .iter()
        .find(|a| a.id == id)
        .and_then(|a| a.installations.get(&owner.to_lowercase()));
    match installation {
        Some(installation) => Reply::json(
            200,
            json!({ "id": installation, "app_id": id, "account": { "login": owner } }),
        ),
        None => Reply::not_found(),
    }
}

fn access_token(state: &mut State, ctx: &Ctx<'_>, installation: &str) -> Reply {
    let Caller::App(id) = ctx.caller else {
        return Reply::error(401, "Bad credentials");
    };
    let Some(app) = state.apps.iter().find(|a| a.id == id).cloned() else {
        return Reply::error(401, "Integration not found");
    };
    if !app
        .installations
        .values()
        .any(|i| i.to_string() == installation)
    {
        return Reply::not_found();
    }
    let token = format!("ghs_fake{:06}", state.next_number());
    state.add_token(&token, &format!("{}[bot]", app.slug));
    Reply::json(
        201,
        json!({ "token": token, "expires_at": "2099-01-01T00:00:00Z", "permissions": {} }),
    )
}

fn create_label(state: &mut State, repo: &str, body: &Value) -> Reply {
    let Some(name) = body
        .get("name")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
    else {
        return Reply::validation("Label", "name", "missing_field");
    };
    let color = body
        .get("color")
        .and_then(Value::as_str)
        .unwrap_or("ededed");
    if color.len() != 6 || !color.chars().all(|c| c.is_ascii_hexdigit()) {
        return Reply::validation("Label", "color", "invalid");
    }
    if state.repo(repo).and_then(|r| r.label(name)).is_some() {
        return Reply::validation("Label", "name", "already_exists");
    }
    let description = body
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or("");
    state.add_label(repo, name, color, description);
    state.tick();
    let label = state
        .repo(repo)
        .and_then(|r| r.label(name))
        .expect("just added");
    Reply::json(201, label_json(label))
}

fn list_issues(state: &State, ctx: &Ctx<'_>, repo: &str) -> Reply {
    let wanted = ctx.param("state").unwrap_or("open");
    let issues: Vec<&IssueData> = state
        .repo(repo)
        .map(|r| {
            r.issues
                .values()
                .rev() // newest first, GitHub's default sort
                .filter(|i| match wanted {
                    "all" => true,
                    "closed" => !i.open,
                    _ => i.open,
                })
                .collect()
        })
        .unwrap_or_default();
    paginate_with(ctx, &issues, |i| issue_json(state, repo, i))
}

fn create_issue(state: &mut State, ctx: &Ctx<'_>, repo: &str, body: &Value) -> Reply {
    let Some(title) = body
        .get("title")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
    else {
        return Reply::validation("Issue", "title", "missing_field");
    };
    let strings = |key: &str| -> Vec<String> {
        body.get(key)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    state.tick();
    let number = state.add_issue(
        repo,
        NewIssue {
            title: title.to_string(),
            body: body
                .get("body")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            labels: strings("labels"),
            assignees: strings("assignees"),
            author: ctx.login().unwrap_or("ghost").to_string(),
            ..NewIssue::default()
        },
    );
    Reply::json(
        201,
        issue_json(state, repo, state.issue(repo, number).expect("just added")),
    )
}

fn react(
    state: &mut State,
    ctx: &Ctx<'_>,
    repo: &str,
    number: u64,
    index: usize,
    body: &Value,
) -> Reply {
    const CONTENTS: [&str; 8] = [
        "+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes",
    ];
    let Some(content) = body
        .get("content")
        .and_then(Value::as_str)
        .filter(|c| CONTENTS.contains(c))
    else {
        return Reply::validation("Reaction", "content", "invalid");
    };
    let user = ctx.login().unwrap_or("ghost").to_string();
    let id = state.next_number();
    let comment = &mut state.issue_mut(repo, number).expect("found").comments[index];
    let exists = comment
        .reactions
        .iter()
        .any(|(u, c)| u.eq_ignore_ascii_case(&user) && c == content);
    if !exists {
        comment.reactions.push((user.clone(), content.to_string()));
    }
    let reply = json!({ "id": id, "content": content, "user": user_json(state, &user) });
    Reply::json(if exists { 200 } else { 201 }, reply)
}

// --- Lookups ---------------------------------------------------------------------------------------------------

fn with_repo(
    state: &mut State,
    owner: &str,
    name: &str,
    f: impl FnOnce(&mut State, &str) -> Reply,
) -> Reply {
    match state
        .repo(&format!("{owner}/{name}"))
        .map(|r| r.full_name())
    {
        Some(full_name) => f(state, &full_name),
        None => Reply::not_found(),
    }
}

fn with_issue(
    state: &mut State,
    owner: &str,
    name: &str,
    number: &str,
    f: impl FnOnce(&mut State, &str, u64) -> Reply,
) -> Reply {
    let Ok(number) = number.parse::<u64>() else {
        return Reply::not_found();
    };
    with_repo(state, owner, name, |state, repo| {
        if state.issue(repo, number).is_none() {
            return Reply::not_found();
        }
        f(state, repo, number)
    })
}

fn with_comment(
    state: &mut State,
    owner: &str,
    name: &str,
    id: &str,
    f: impl FnOnce(&mut State, &str, u64, usize) -> Reply,
) -> Reply {
    let Ok(id) = id.parse::<u64>() else {
        return Reply::not_found();
    };
    with_repo(state, owner, name, |state, repo| {
        match state.find_comment(repo, id) {
            Some((number, index)) => f(state, repo, number, index),
            None => Reply::not_found(),
        }
    })
}

// --- JSON shapes -------------------------------------------------------------------------------------------------

pub fn user_json(state: &State, login: &str) -> Value {
    let account = state.account(login);
    let kind = match account.map(|a| a.kind) {
        Some(AccountKind::Bot) => "Bot",
        Some(AccountKind::Organization) => "Organization",
        _ => "User",
    };
    json!({
        "login": account.map_or(login, |a| a.login.as_str()),
        "id": account.map_or(0, |a| a.database_id),
        "node_id": account.map_or("", |a| a.node_id.as_str()),
        "type": kind,
        "site_admin": false,
    })
}

fn label_json(label: &Label) -> Value {
    json!({
        "id": label.database_id,
        "node_id": label.node_id,
        "name": label.name,
        "color": label.color,
        "description": label.description,
        "default": false,
    })
}

fn issue_labels(state: &State, repo: &str, number: u64) -> Vec<Value> {
    let Some(r) = state.repo(repo) else {
        return Vec::new();
    };
    let issue = r.issue(number).expect("found");
    issue
        .labels
        .iter()
        .filter_map(|name| r.label(name))
        .map(label_json)
        .collect()
}

fn issue_json(state: &State, repo: &str, issue: &IssueData) -> Value {
    let r = state.repo(repo).expect("issue's repository");
    let full_name = r.full_name();
    let kind = if issue.is_pull_request {
        "pull"
    } else {
        "issues"
    };
    let assignees: Vec<Value> = issue
        .assignees
        .iter()
        .map(|a| user_json(state, a))
        .collect();
    let mut value = json!({
        "id": issue.database_id,
        "node_id": issue.node_id,
        "number": issue.number,
        "title": issue.title,
        "body": issue.body,
        "state": if issue.open { "open" } else { "closed" },
        "labels": issue.labels.iter().filter_map(|n| r.label(n)).map(label_json).collect::<Vec<_>>(),
        "assignee": assignees.first().cloned().unwrap_or(Value::Null),
        "assignees": assignees,
        "milestone": issue.milestone.as_ref().map_or(Value::Null, |m| json!({ "title": m, "number": 1 })),
        "user": user_json(state, &issue.author),
        "comments": issue.comments.len(),
        "html_url": format!("https://github.com/{full_name}/{kind}/{}", issue.number),
    });
    if issue.is_pull_request {
        value["pull_request"] =
            json!({ "html_url": format!("https://github.com/{full_name}/pull/{}", issue.number) });
    }
    value
}

fn comment_json(state: &State, repo: &str, number: u64, comment: &CommentData) -> Value {
    json!({
        "id": comment.id,
        "node_id": comment.node_id,
        "body": comment.body,
        "user": user_json(state, &comment.author),
        "created_at": comment.created_at,
        "updated_at": comment.updated_at,
        "html_url": format!("https://github.com/{repo}/issues/{number}#issuecomment-{}", comment.id),
    })
}

/// One page of `items` per `per_page` (default 30, at most 100) and `page`, with GitHub's `Link` header.
fn paginate(ctx: &Ctx<'_>, items: Vec<Value>) -> Reply {
    paginate_with(ctx, &items, Value::clone)
}

/// As [`paginate`], turning only the page's items into JSON (a 10,000-issue list stays fast).
fn paginate_with<T>(ctx: &Ctx<'_>, items: &[T], json: impl Fn(&T) -> Value) -> Reply {
    let per_page = ctx
        .param("per_page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(30usize)
        .clamp(1, 100);
    let page = ctx
        .param("page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(1usize)
        .max(1);
    let pages = items.len().div_ceil(per_page).max(1);
    let chunk: Vec<Value> = items
        .iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .map(json)
        .collect();
    let url = |p: usize| {
        let mut params: Vec<String> = ctx
            .query
            .iter()
            .filter(|(k, _)| k != "page" && k != "per_page")
            .map(|(k, v)| format!("{k}={}", percent(v)))
            .collect();
        params.push(format!("per_page={per_page}"));
        params.push(format!("page={p}"));
        format!("<{}{}?{}>", ctx.api_base, ctx.raw_path, params.join("&"))
    };
    let mut links = Vec::new();
    if page > 1 {
        links.push(format!("{}; rel=\"prev\"", url(page - 1)));
        links.push(format!("{}; rel=\"first\"", url(1)));
    }
    if page < pages {
        links.push(format!("{}; rel=\"next\"", url(page + 1)));
        links.push(format!("{}; rel=\"last\"", url(pages)));
    }
    let mut reply = Reply::json(200, Value::Array(chunk));
    if !links.is_empty() {
        reply.headers.push(("link".into(), links.join(", ")));
    }
    reply
}

fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
