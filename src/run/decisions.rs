//! The recorded decisions of the cards that need them, read before planning: a sync, an export, a report and a
//! check decide a gated move from them.

use std::collections::{HashMap, HashSet};

use anyhow::Result;

use crate::apply::Failure;
use crate::board::{Comment, IssueRef, Snapshot};
use crate::config::Config;
use crate::forge::Forge;
#[cfg(doc)]
use crate::reconcile;

/// Reads, in batches, the comments of the `wanted` issues whose comments were not read (each once) (the cards whose move passes
/// a decision gate: [`reconcile::needs_comments`]), and puts them on the board. Returns them too, for the writes, which then read them no more; and a failure for
/// each card whose comments cannot be read. Such a card is left out of the board: deciding without its decisions
/// would refuse (and revert) a move that may well be decided, so it waits for the next run.
pub async fn read<F: Forge>(
    forge: &mut F,
    config: &Config,
    mut snapshot: Snapshot,
    mut wanted: Vec<IssueRef>,
) -> Result<(Snapshot, HashMap<IssueRef, Vec<Comment>>, Vec<Failure>)> {
    let known: HashSet<IssueRef> = snapshot
        .items
        .iter()
        .filter_map(|i| i.issue.as_ref())
        .filter(|i| i.comments.is_some())
        .map(|i| i.reference())
        .collect();
    let mut seen = HashSet::new();
    wanted.retain(|issue| !known.contains(issue) && seen.insert(issue.clone()));
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
    wanted: Vec<IssueRef>,
) -> Result<Snapshot> {
    let (snapshot, _, unread) = read(forge, config, snapshot, wanted).await?;
    match unread.first() {
        Some(f) => anyhow::bail!("{}: {}: {}", f.item, f.action, f.error),
        None => Ok(snapshot),
    }
}
