//! Board writes through GraphQL: status changes in aliased batches, and adding an item.

use serde_json::{json, Value};

use super::client::Client;
use super::error::GitHubError;
use super::graphql::{self, LabelWrite, StatusWrite};
use super::read::ProjectMeta;
use super::retry::Retry;
use crate::board::FieldKind;
use crate::forge::StatusChange;

/// Sets statuses in batches of `batch_size` aliased mutations per request; one result per change, in order.
/// An option name that the Status field does not have fails that change without a request.
pub(crate) async fn set_statuses(
    client: &Client,
    meta: &ProjectMeta,
    status_field: &str,
    changes: &[StatusChange],
    batch_size: usize,
) -> Vec<Result<(), GitHubError>> {
    let field = match meta.field(status_field) {
        Some(f) if f.kind == FieldKind::SingleSelect => f,
        Some(f) => {
            let err = GitHubError::unexpected(
                "set status",
                format!("field \"{}\" is not a single select field", f.name),
            );
            return changes.iter().map(|_| Err(err.clone())).collect();
        }
        None => {
            let err = GitHubError::unexpected(
                "set status",
                format!("the board has no field named \"{status_field}\" (board.status_field in the config)"),
            );
            return changes.iter().map(|_| Err(err.clone())).collect();
        }
    };
    let mut results: Vec<Option<Result<(), GitHubError>>> = Vec::with_capacity(changes.len());
    let mut pending: Vec<(usize, StatusWrite<'_>)> = Vec::new();
    for (index, change) in changes.iter().enumerate() {
        match field.option(&change.status) {
            Some(option) => {
                results.push(None);
                pending.push((
                    index,
                    StatusWrite {
                        item_id: &change.item_id,
                        option_id: &option.id,
                    },
                ));
            }
            None => {
                let options: Vec<&str> = field.options.iter().map(|o| o.name.as_str()).collect();
                results.push(Some(Err(GitHubError::unexpected(
                    format!("set status of {}", change.item_id),
                    format!(
                        "field \"{}\" has no option \"{}\" (options: {})",
                        field.name,
                        change.status,
                        options.join(", ")
                    ),
                ))));
            }
        }
    }
    for chunk in pending.chunks(batch_size.max(1)) {
        let writes: Vec<StatusWrite<'_>> = chunk
            .iter()
            .map(|(_, w)| StatusWrite {
                item_id: w.item_id,
                option_id: w.option_id,
            })
            .collect();
        let (document, variables, aliases) =
            graphql::set_statuses_document(&meta.id, &field.id, &writes);
        // Setting a status is idempotent: the whole batch may be sent again after a transport failure.
        let outcomes = match client
            .graphql(
                graphql::SET_STATUSES_OPERATION,
                &document,
                variables,
                Retry::Idempotent,
            )
            .await
        {
            Ok(answer) => graphql::alias_outcomes(&answer, &aliases),
            Err(err) => aliases.iter().map(|_| Err(err.clone())).collect(),
        };
        let failed: Vec<&str> = aliases
            .iter()
            .zip(&outcomes)
            .filter(|(_, o)| o.is_err())
            .map(|(a, _)| a.as_str())
            .collect();
        if !failed.is_empty() {
            tracing::warn!(
                landed = aliases.len() - failed.len(),
                failed = %failed.join(", "),
                "some status changes of a batch failed"
            );
        }
        for ((index, write), outcome) in chunk.iter().zip(outcomes) {
            results[*index] = Some(outcome.map(drop).map_err(|err| match err {
                GitHubError::GraphQl {
                    operation,
                    messages,
                } => GitHubError::GraphQl {
                    operation: format!("{operation} (item {})", write.item_id),
                    messages,
                },
                other => other,
            }));
        }
    }
    results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(GitHubError::unexpected("set status", "no result"))))
        .collect()
}

/// Adds and removes labels in batches of `batch_size` aliased mutations per request; one result per write, in
/// order. A failed alias fails its write only.
pub(crate) async fn change_labels(
    client: &Client,
    writes: &[LabelWrite<'_>],
    batch_size: usize,
) -> Vec<Result<(), GitHubError>> {
    let mut results = Vec::with_capacity(writes.len());
    for chunk in writes.chunks(batch_size.max(1)) {
        let (document, variables, aliases) = graphql::change_labels_document(chunk);
        // Adding a label an issue has, or removing one it lacks, changes nothing: the batch may be sent again.
        let outcomes = match client
            .graphql(
                graphql::CHANGE_LABELS_OPERATION,
                &document,
                variables,
                Retry::Idempotent,
            )
            .await
        {
            Ok(answer) => graphql::alias_outcomes(&answer, &aliases),
            Err(err) => aliases.iter().map(|_| Err(err.clone())).collect(),
        };
        let failed = outcomes.iter().filter(|o| o.is_err()).count();
        if failed > 0 {
            tracing::warn!(
                landed = aliases.len() - failed,
                failed,
                "some label changes of a batch failed"
            );
        }
        results.extend(outcomes.into_iter().map(|o| o.map(drop)));
    }
    results
}

/// Adds content (an issue's node id) to the board and returns the item id. Not retried by the client.
pub(crate) async fn add_item(
    client: &Client,
    meta: &ProjectMeta,
    content_id: &str,
) -> Result<String, GitHubError> {
    let variables = json!({ "project": meta.id, "content": content_id });
    let data = client
        .graphql("AddItem", graphql::ADD_ITEM, variables, Retry::Never)
        .await?
        .into_data()?;
    data.pointer("/addProjectV2ItemById/item/id")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| GitHubError::unexpected("GraphQL AddItem", "no item id in GitHub's answer"))
}
