//! The recorded decisions of the cards that need them, read before planning: a sync, an export, a report and a
//! check decide a gated move from them.

use std::collections::HashMap;

use anyhow::Result;

use crate::apply::Failure;
use crate::board::{Comment, IssueRef, Snapshot};
use crate::config::Config;
use crate::forge::Forge;
use crate::reconcile;

/// Reads, in batches, the comments of the cards whose move passes a decision gate (`only`: of that issue alone),
/// and puts them on the board. Returns them too, for the writes, which then read them no more; and a failure for
/// each card whose comments cannot be read. Such a card is left out of the board: deciding without its decisions
/// would refuse (and revert) a move that may well be decided, so it waits for the next run.
pub async fn read<F: Forge>(
    forge: &mut F,
    config: &Config,
    mut snapshot: Snapshot,
    only: Option<&IssueRef>,
) -> Result<(Snapshot, HashMap<IssueRef, Vec<Comment>>, Vec<Failure>)> {
    let mut wanted = reconcile::needs_comments(config, &snapshot);
    if let Some(one) = only {
        wanted.retain(|issue| issue == one);
    }
    if wanted.is_empty() {
        return Ok((snapshot, HashMap::new(), Vec::new()));
    }
    let mut found = match forge.comments_of_many(&wanted).await {
        Ok(found) => found,
        Err(e) => {
            tracing::warn!(
                "reading the comments of {} issues at once failed ({e:#}); reading them one at a time",
                wanted.len()
            );
            HashMap::new()
        }
    };
    let mut unread = Vec::new();
    for issue in &wanted {
        if found.contains_key(issue) {
            continue;
        }
        match forge.comments(issue).await {
            Ok(comments) => {
                found.insert(issue.clone(), comments);
            }
            Err(e) => {
                tracing::error!(
                    "{issue}: its comments cannot be read, so it waits for the next run: {e:#}"
                );
                unread.push((issue.clone(), e));
            }
        }
    }
    snapshot.items.retain(|item| {
        item.issue
            .as_ref()
            .is_none_or(|i| !unread.iter().any(|(u, _)| *u == i.reference()))
    });
    for issue in snapshot.items.iter_mut().filter_map(|i| i.issue.as_mut()) {
        if let Some(comments) = found.get(&issue.reference()) {
            issue.comments = Some(comments.clone());
        }
    }
    let lang = config.sync.language;
    let failures = unread
        .into_iter()
        .map(|(issue, e)| Failure {
            item: issue.to_string(),
            action: lang
                .pick("lese vedtakene", "read the recorded decisions")
                .into(),
            error: format!("{e:#}"),
        })
        .collect();
    Ok((snapshot, found, failures))
}

/// As [`read`], for a command that cannot go on without every card it needs: the first card that cannot be read
/// fails it.
pub async fn read_all<F: Forge>(
    forge: &mut F,
    config: &Config,
    snapshot: Snapshot,
    only: Option<&IssueRef>,
) -> Result<Snapshot> {
    let (snapshot, _, unread) = read(forge, config, snapshot, only).await?;
    match unread.first() {
        Some(f) => anyhow::bail!("{}: {}: {}", f.item, f.action, f.error),
        None => Ok(snapshot),
    }
}
