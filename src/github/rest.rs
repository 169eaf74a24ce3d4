//! REST calls: labels, comments, reactions, issues, permissions. Each is one request (or one list, paginated)
//! whose retry class says whether repeating it is safe. The comments of many issues are read here too, through
//! one GraphQL request per 50 issues, so that both forms of a comment are parsed in one place.

use std::collections::HashMap;

use http::{Method, StatusCode};
use serde_json::{json, Value};

use super::client::Client;
use super::error::GitHubError;
use super::graphql;
use super::path::segment;
use super::retry::Retry;
use crate::board::{Comment, Issue, IssueRef, IssueState};
use crate::config::Permission;
use crate::forge::LabelSpec;
use crate::marker::Marker;

/// `/repos/{owner}/{name}` for `owner/name`.
fn repo_path(repository: &str) -> Result<String, GitHubError> {
    match repository.trim().split_once('/') {
        Some((owner, name)) if !owner.is_empty() && !name.is_empty() && !name.contains('/') => {
            Ok(format!("/repos/{}/{}", segment(owner), segment(name)))
        }
        _ => Err(GitHubError::unexpected(
            "repository",
            format!("\"{repository}\" is not an owner/name repository"),
        )),
    }
}

fn issue_path(issue: &IssueRef) -> Result<String, GitHubError> {
    Ok(format!(
        "{}/issues/{}",
        repo_path(&issue.repository)?,
        issue.number
    ))
}

/// The labels of a repository: name and GraphQL node id (the batched label writes name labels by id).
pub(crate) async fn repo_labels(
    client: &Client,
    repository: &str,
) -> Result<Vec<(String, Option<String>)>, GitHubError> {
    let labels = client
        .get_all(&format!("{}/labels?per_page=100", repo_path(repository)?))
        .await?;
    Ok(labels
        .iter()
        .filter_map(|l| {
            let name = l.get("name").and_then(Value::as_str)?;
            let id = l.get("node_id").and_then(Value::as_str).map(str::to_string);
            Some((name.to_string(), id))
        })
        .collect())
}

/// Creates a label; one that already exists counts as created (so a retry, or a race with another run, is fine).
/// Returns the new label's node id when GitHub's answer has it (not when the label existed).
pub(crate) async fn create_label(
    client: &Client,
    repository: &str,
    label: &LabelSpec,
) -> Result<Option<String>, GitHubError> {
    let body = json!({
        "name": label.name,
        "color": label.color.trim_start_matches('#'),
        "description": label.description,
    });
    let path = format!("{}/labels", repo_path(repository)?);
    let answer = client
        .rest(Method::POST, &path, Some(&body), Retry::Idempotent)
        .await?;
    if answer.is_success() {
        let id = serde_json::from_str::<Value>(&answer.body)
            .ok()
            .and_then(|v| v.get("node_id").and_then(Value::as_str).map(str::to_string));
        return Ok(id);
    }
    if answer.is_already_exists() {
        return Ok(None);
    }
    Err(answer.error())
}

/// Adds labels to an issue (adding one it already has changes nothing, so this may be retried).
pub(crate) async fn add_labels(
    client: &Client,
    issue: &IssueRef,
    labels: &[String],
) -> Result<(), GitHubError> {
    if labels.is_empty() {
        return Ok(());
    }
    let path = format!("{}/labels", issue_path(issue)?);
    let body = json!({ "labels": labels });
    client
        .rest(Method::POST, &path, Some(&body), Retry::Idempotent)
        .await?
        .ok_json()
        .map(drop)
}

/// Removes a label from an issue; a label that is not there (404) is already removed.
pub(crate) async fn remove_label(
    client: &Client,
    issue: &IssueRef,
    label: &str,
) -> Result<(), GitHubError> {
    let path = format!("{}/labels/{}", issue_path(issue)?, segment(label));
    let answer = client
        .rest(Method::DELETE, &path, None, Retry::Idempotent)
        .await?;
    if answer.is_success() || answer.status == StatusCode::NOT_FOUND {
        return Ok(());
    }
    Err(answer.error())
}

/// The comments of an issue, oldest first. REST does not say who edited a comment: for an edited decision record
/// (the one comment whose editor matters) one GraphQL request asks.
pub(crate) async fn comments(
    client: &Client,
    issue: &IssueRef,
) -> Result<Vec<Comment>, GitHubError> {
    let list = client
        .get_all(&format!("{}/comments?per_page=100", issue_path(issue)?))
        .await?;
    let mut comments = list
        .iter()
        .map(|c| {
            let id = c.get("id").and_then(Value::as_u64).ok_or_else(|| {
                GitHubError::unexpected(format!("comments of {issue}"), "a comment without an id")
            })?;
            Ok(comment(id, c.get("user"), c))
        })
        .collect::<Result<Vec<_>, GitHubError>>()?;
    let edited: Vec<&str> = list
        .iter()
        .filter(|c| c.get("updated_at") != c.get("created_at"))
        .filter(|c| {
            c.get("body")
                .and_then(Value::as_str)
                .is_some_and(|b| Marker::Approvals.leads(b))
        })
        .filter_map(|c| c.get("node_id").and_then(Value::as_str))
        .collect();
    if !edited.is_empty() {
        let answer = client
            .graphql(
                "CommentEditors",
                graphql::COMMENT_EDITORS,
                json!({ "ids": edited }),
                Retry::Read,
            )
            .await?
            .into_data()?;
        let nodes = answer.get("nodes").and_then(Value::as_array);
        for node in nodes.into_iter().flatten() {
            let id = node.get("databaseId").and_then(Value::as_u64);
            if let Some(c) = comments.iter_mut().find(|c| Some(c.id) == id) {
                c.editor = editor_login(node);
            }
        }
    }
    Ok(comments)
}

/// Who reacted how to a comment: `(login, content)` pairs.
pub(crate) async fn reactions(
    client: &Client,
    issue: &IssueRef,
    comment_id: u64,
) -> Result<Vec<(String, String)>, GitHubError> {
    let list = client
        .get_all(&format!(
            "{}/issues/comments/{comment_id}/reactions?per_page=100",
            repo_path(&issue.repository)?
        ))
        .await?;
    Ok(list
        .iter()
        .map(|r| {
            let content = r.get("content").and_then(Value::as_str).unwrap_or_default();
            (author_login(r.get("user")), content.to_string())
        })
        .collect())
}

/// Issues whose comments one GraphQL request reads: 50 issues of up to 100 comments is 5,000 nodes, far under
/// GitHub's 500,000 a query, and a few hundred kilobytes of answer.
const COMMENT_ISSUES_PER_REQUEST: usize = 50;

/// The comments of several issues, oldest first: one GraphQL request per 50 issues, and a REST read of any issue
/// with more than 100 comments (the marked comment may be anywhere). An issue GitHub did not answer for (gone, no
/// access) is left out; the caller reads it on its own and gets the error there.
pub(crate) async fn comments_of_many(
    client: &Client,
    issues: &[IssueRef],
) -> Result<HashMap<IssueRef, Vec<Comment>>, GitHubError> {
    let mut found = HashMap::with_capacity(issues.len());
    for chunk in issues.chunks(COMMENT_ISSUES_PER_REQUEST) {
        let mut named = Vec::with_capacity(chunk.len());
        for issue in chunk {
            let Some((owner, name)) = issue.repository.split_once('/') else {
                continue;
            };
            named.push((issue, (owner, name, issue.number)));
        }
        let keys: Vec<(&str, &str, u64)> = named.iter().map(|(_, k)| *k).collect();
        let (document, variables, aliases) = graphql::issue_comments_document(&keys);
        let answer = client
            .graphql(
                graphql::ISSUE_COMMENTS_OPERATION,
                &document,
                variables,
                Retry::Read,
            )
            .await?;
        for ((issue, _), alias) in named.iter().zip(&aliases) {
            let Some(connection) = answer
                .data
                .get(alias)
                .and_then(|r| r.pointer("/issue/comments"))
                .filter(|c| !c.is_null())
            else {
                continue;
            };
            let more = connection
                .pointer("/pageInfo/hasNextPage")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            let list = if more {
                comments(client, issue).await?
            } else {
                graphql_comments(issue, connection)?
            };
            found.insert((*issue).clone(), list);
        }
    }
    Ok(found)
}

/// The comments of one GraphQL comment page, with authors in REST's form (`name[bot]` for an app).
fn graphql_comments(issue: &IssueRef, connection: &Value) -> Result<Vec<Comment>, GitHubError> {
    let nodes = connection
        .get("nodes")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    nodes
        .iter()
        .filter(|c| !c.is_null())
        .map(|c| {
            let id = c.get("databaseId").and_then(Value::as_u64).ok_or_else(|| {
                GitHubError::unexpected(format!("comments of {issue}"), "a comment without an id")
            })?;
            let author = c.get("author").filter(|a| !a.is_null()).map(graphql_user);
            Ok(Comment {
                editor: editor_login(c),
                ..comment(id, author.as_ref(), c)
            })
        })
        .collect()
}

/// A comment read over REST or GraphQL; `author` in REST's form (`user`).
fn comment(id: u64, author: Option<&Value>, c: &Value) -> Comment {
    Comment {
        id,
        author: author_login(author),
        body: c
            .get("body")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        editor: None,
        extra: Default::default(),
    }
}

/// A GraphQL comment's `editor` in REST's form; `None` when it was never edited.
fn editor_login(node: &Value) -> Option<String> {
    let editor = node.get("editor").filter(|e| !e.is_null())?;
    Some(author_login(Some(&graphql_user(editor))))
}

/// GraphQL names an app `name` and types it `Bot`; REST says `name[bot]`, with `type: "Bot"`.
fn graphql_user(actor: &Value) -> Value {
    json!({
        "login": actor.get("login").cloned().unwrap_or(Value::Null),
        "type": if actor.get("__typename").and_then(Value::as_str) == Some("Bot") {
            "Bot"
        } else {
            "User"
        },
    })
}

/// A comment author's login in the form REST uses for apps (`name[bot]`), which is also the form of
/// `Snapshot.bot` for an App; a deleted account shows as `ghost`, as on github.com.
fn author_login(user: Option<&Value>) -> String {
    let Some(user) = user.filter(|u| !u.is_null()) else {
        return "ghost".to_string();
    };
    let login = user.get("login").and_then(Value::as_str).unwrap_or("ghost");
    let is_bot = user.get("type").and_then(Value::as_str) == Some("Bot");
    if is_bot && !login.ends_with("[bot]") {
        format!("{login}[bot]")
    } else {
        login.to_string()
    }
}

/// Creates a comment. Never retried here: a 5xx may hide a comment that landed; the caller looks before retrying.
pub(crate) async fn create_comment(
    client: &Client,
    issue: &IssueRef,
    body: &str,
) -> Result<u64, GitHubError> {
    let path = format!("{}/comments", issue_path(issue)?);
    let created = client
        .rest(
            Method::POST,
            &path,
            Some(&json!({ "body": body })),
            Retry::Never,
        )
        .await?
        .ok_json()?;
    created.get("id").and_then(Value::as_u64).ok_or_else(|| {
        GitHubError::unexpected(format!("POST {path}"), "no comment id in GitHub's answer")
    })
}

pub(crate) async fn edit_comment(
    client: &Client,
    issue: &IssueRef,
    comment_id: u64,
    body: &str,
) -> Result<(), GitHubError> {
    let path = format!(
        "{}/issues/comments/{comment_id}",
        repo_path(&issue.repository)?
    );
    client
        .rest(
            Method::PATCH,
            &path,
            Some(&json!({ "body": body })),
            Retry::Idempotent,
        )
        .await?
        .ok_json()
        .map(drop)
}

/// Reacts to a comment (`+1`, `confused`, ...). Not retried (see `create_comment`).
pub(crate) async fn add_reaction(
    client: &Client,
    issue: &IssueRef,
    comment_id: u64,
    content: &str,
) -> Result<(), GitHubError> {
    let path = format!(
        "{}/issues/comments/{comment_id}/reactions",
        repo_path(&issue.repository)?
    );
    client
        .rest(
            Method::POST,
            &path,
            Some(&json!({ "content": content })),
            Retry::Never,
        )
        .await?
        .ok_json()
        .map(drop)
}

/// The GraphQL node id of an issue (needed to put it on a board).
pub(crate) async fn issue_node_id(
    client: &Client,
    issue: &IssueRef,
) -> Result<String, GitHubError> {
    let path = issue_path(issue)?;
    let value = client
        .rest(Method::GET, &path, None, Retry::Read)
        .await?
        .ok_json()?;
    value
        .get("node_id")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| {
            GitHubError::unexpected(format!("GET {path}"), "no node_id in GitHub's answer")
        })
}

/// Opens an issue. Not retried (see `create_comment`); the caller finds it with `find_issues` before retrying.
pub(crate) async fn create_issue(
    client: &Client,
    repository: &str,
    title: &str,
    body: &str,
) -> Result<IssueRef, GitHubError> {
    let path = format!("{}/issues", repo_path(repository)?);
    let created = client
        .rest(
            Method::POST,
            &path,
            Some(&json!({ "title": title, "body": body })),
            Retry::Never,
        )
        .await?
        .ok_json()?;
    let number = created
        .get("number")
        .and_then(Value::as_u64)
        .ok_or_else(|| {
            GitHubError::unexpected(format!("POST {path}"), "no issue number in GitHub's answer")
        })?;
    Ok(IssueRef {
        repository: repository.trim().to_string(),
        number,
    })
}

/// Open issues whose body contains `needle`.
///
/// Lists the repository's open issues and filters them here rather than using the search API: search is
/// eventually consistent (an issue opened a minute ago may not be found, and then a second tracking issue is
/// opened), limited to 30 requests a minute, and tokenises bodies so an exact marker cannot be matched. The cost is
/// one request per 100 open issues, paid only on a handoff.
pub(crate) async fn find_issues(
    client: &Client,
    repository: &str,
    needle: &str,
) -> Result<Vec<Issue>, GitHubError> {
    Ok(open_issues(client, repository)
        .await?
        .into_iter()
        .filter(|i| i.body.contains(needle))
        .collect())
}

/// The open issues of a repository (pull requests left out), with labels, assignees and milestone; comments
/// are not read.
pub(crate) async fn open_issues(
    client: &Client,
    repository: &str,
) -> Result<Vec<Issue>, GitHubError> {
    let list = client
        .get_all(&format!(
            "{}/issues?state=open&per_page=100",
            repo_path(repository)?
        ))
        .await?;
    let names = |value: Option<&Value>, key: &str| -> Vec<String> {
        value
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .filter_map(|v| v.get(key).and_then(Value::as_str))
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    let text =
        |value: &Value, key: &str| value.get(key).and_then(Value::as_str).map(str::to_string);
    Ok(list
        .iter()
        .filter(|i| i.get("pull_request").is_none()) // the issues list includes pull requests
        .filter_map(|i| {
            Some(Issue {
                repository: repository.trim().to_string(),
                number: i.get("number").and_then(Value::as_u64)?,
                title: text(i, "title").unwrap_or_default(),
                state: IssueState::Open,
                body: text(i, "body").unwrap_or_default(), // null for an empty body
                labels: names(i.get("labels"), "name"),
                assignees: names(i.get("assignees"), "login"),
                milestone: i.get("milestone").and_then(|m| text(m, "title")),
                node_id: text(i, "node_id"),
                url: text(i, "html_url"),
                author: Some(author_login(i.get("user"))),
                comments: None,
                extra: Default::default(),
            })
        })
        .collect())
}

/// Replaces an issue's title and body (idempotent: the same edit twice is one edit).
pub(crate) async fn edit_issue(
    client: &Client,
    issue: &IssueRef,
    title: &str,
    body: &str,
) -> Result<(), GitHubError> {
    let path = issue_path(issue)?;
    let change = json!({ "title": title, "body": body });
    client
        .rest(Method::PATCH, &path, Some(&change), Retry::Idempotent)
        .await?
        .ok_json()
        .map(drop)
}

/// A user's permission on a repository. Read as raw JSON: `role_name` carries `maintain` and `triage`, which
/// the legacy `permission` field folds into `write` and `read`. A user GitHub does not know has none.
pub(crate) async fn permission(
    client: &Client,
    repository: &str,
    login: &str,
) -> Result<Permission, GitHubError> {
    let path = format!(
        "{}/collaborators/{}/permission",
        repo_path(repository)?,
        segment(login)
    );
    let answer = client.rest(Method::GET, &path, None, Retry::Read).await?;
    if answer.status == StatusCode::NOT_FOUND {
        return Ok(Permission::None);
    }
    let value = answer.ok_json()?;
    let parse = |key: &str| -> Option<Permission> {
        match value.get(key).and_then(Value::as_str)? {
            "admin" => Some(Permission::Admin),
            "maintain" => Some(Permission::Maintain),
            "write" => Some(Permission::Write),
            "triage" => Some(Permission::Triage),
            "read" => Some(Permission::Read),
            "none" => Some(Permission::None),
            _ => None, // a custom role: fall back to the base permission
        }
    };
    Ok(parse("role_name")
        .or_else(|| parse("permission"))
        .unwrap_or(Permission::None))
}

/// Whether `login` is an active member of team `org/team` (a pending invitation does not count).
pub(crate) async fn is_team_member(
    client: &Client,
    org: &str,
    team: &str,
    login: &str,
) -> Result<bool, GitHubError> {
    let path = format!(
        "/orgs/{}/teams/{}/memberships/{}",
        segment(org),
        segment(team),
        segment(login)
    );
    let answer = client.rest(Method::GET, &path, None, Retry::Read).await?;
    if answer.status == StatusCode::NOT_FOUND {
        return Ok(false);
    }
    let value = answer.ok_json()?;
    Ok(value.get("state").and_then(Value::as_str) == Some("active"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repo_paths_are_checked() {
        assert_eq!(
            repo_path("digdir/portfolio").unwrap(),
            "/repos/digdir/portfolio"
        );
        assert!(repo_path("portfolio").is_err());
        assert!(repo_path("a/b/c").is_err());
    }

    #[test]
    fn bot_authors_keep_their_suffix() {
        assert_eq!(
            author_login(Some(
                &json!({"login": "portfolio-sync[bot]", "type": "Bot"})
            )),
            "portfolio-sync[bot]"
        );
        assert_eq!(
            author_login(Some(&json!({"login": "portfolio-sync", "type": "Bot"}))),
            "portfolio-sync[bot]"
        );
        assert_eq!(
            author_login(Some(&json!({"login": "kari", "type": "User"}))),
            "kari"
        );
        assert_eq!(author_login(Some(&Value::Null)), "ghost");
    }
}
