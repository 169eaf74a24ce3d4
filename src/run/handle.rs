//! Acting on one event: comment commands, a new issue, a changed issue or board item.
//!
//! Each handler reads only the one issue the event is about, plans with the same pure code as a sync
//! (`reconcile_item`), and applies the plan through the same `apply`. A full sync is not handled here.

use anyhow::{anyhow, Result};

use crate::apply::{self, Applied};
use crate::board::{normal_login, IssueState, Item, ItemKind};
use crate::commands::{self, Command};
use crate::config::Config;
use crate::event::{CommentEvent, IssueEvent, Trigger};
use crate::forge::{IssueForge, IssueKey, IssueOnBoard};
use crate::marker::Marker;
use crate::messages;
use crate::plan::{Action, Change, Outcome, Plan};
use crate::preflight;
use crate::reconcile;

/// What handling an event did.
#[derive(Debug, Default)]
pub struct Handled {
    /// One line per thing worth telling (also the job summary's notices).
    pub notes: Vec<String>,
    pub plan: Plan,
    pub applied: Applied,
}

impl Handled {
    fn note(note: impl Into<String>) -> Handled {
        Handled {
            notes: vec![note.into()],
            ..Handled::default()
        }
    }
}

/// Handles every trigger but a full sync.
pub async fn handle<F: IssueForge>(
    forge: &mut F,
    config: &Config,
    trigger: &Trigger,
) -> Result<Handled> {
    match trigger {
        Trigger::FullSync { .. } => Err(anyhow!(
            "a full sync is run by `sync`, not by an event handler"
        )),
        Trigger::Ignore(why) => {
            let lang = config.sync.language;
            Ok(Handled::note(lang.pick(
                format!("ingenting å gjøre: {}", why.get(lang)),
                format!("nothing to do: {}", why.get(lang)),
            )))
        }
        Trigger::Comment(c) => comment(forge, config, c).await,
        Trigger::AddToBoard(e) => add_to_board(forge, config, e).await,
        Trigger::ReconcileIssue(e) => {
            if !config.is_board_repository(&e.issue.repository) {
                return Ok(Handled::note(not_configured(config, &e.issue.repository)));
            }
            reconcile_one(forge, config, &IssueKey::Ref(e.issue.clone()), None).await
        }
        Trigger::ReconcileItem {
            content_node_id,
            sender,
        } => {
            // Bots are not mentioned: the bot's own revert comes back as an event too.
            let moved_by = Some(sender.as_str()).filter(|s| !s.is_empty() && !s.ends_with("[bot]"));
            let key = IssueKey::NodeId(content_node_id.clone());
            reconcile_one(forge, config, &key, moved_by).await
        }
    }
}

/// Reads one issue; refuses to go on when the configuration does not fit the board.
async fn read<F: IssueForge>(
    forge: &mut F,
    config: &Config,
    key: &IssueKey,
) -> Result<Option<IssueOnBoard>> {
    let found = forge.read_issue(key).await?;
    if let Some(f) = &found {
        preflight::check(config, &f.board)?;
    }
    Ok(found)
}

async fn run<F: IssueForge>(
    forge: &mut F,
    config: &Config,
    bot: &str,
    mut plan: Plan,
) -> Result<Handled> {
    if !plan.actions.is_empty() {
        apply::prepare_labels(forge, config, &mut plan).await?;
    }
    let applied = apply::apply(forge, &plan, bot, config.sync.language).await;
    Ok(Handled {
        notes: Vec::new(),
        plan,
        applied,
    })
}

async fn reconcile_one<F: IssueForge>(
    forge: &mut F,
    config: &Config,
    key: &IssueKey,
    moved_by: Option<&str>,
) -> Result<Handled> {
    let lang = config.sync.language;
    let Some(found) = read(forge, config, key).await? else {
        return Ok(Handled::note(
            lang.pick("fant ikke saken", "the issue was not found"),
        ));
    };
    let Some(item) = &found.item else {
        let issue = found.issue.reference();
        return Ok(Handled::note(lang.pick(
            format!("{issue} er ikke på tavla"),
            format!("{issue} is not on the board"),
        )));
    };
    let plan = match moved_by {
        Some(who) => reconcile::reconcile_moved_item(config, &found.bot, item, who),
        None => reconcile::reconcile_item(config, &found.bot, item, None),
    };
    run(forge, config, &found.bot, plan).await
}

/// An item with no field values for an issue (a card with no Status).
fn bare_item(found: &IssueOnBoard, id: String) -> Item {
    Item {
        id,
        kind: ItemKind::Issue,
        archived: false,
        fields: Default::default(),
        issue: Some(found.issue.clone()),
        draft: None,
        pull_request: None,
        status_updated_at: None,
        extra: Default::default(),
    }
}

/// The item of an issue, putting the issue on the board first if it is not there.
async fn item_on_board<F: IssueForge>(forge: &mut F, found: &IssueOnBoard) -> Result<Item> {
    if let Some(item) = &found.item {
        return Ok(item.clone());
    }
    let issue = &found.issue;
    let id = forge
        .add_item(&issue.reference(), issue.node_id.as_deref())
        .await?;
    Ok(bare_item(found, id))
}

async fn add_to_board<F: IssueForge>(
    forge: &mut F,
    config: &Config,
    e: &IssueEvent,
) -> Result<Handled> {
    let lang = config.sync.language;
    if !config.is_board_repository(&e.issue.repository) {
        return Ok(Handled::note(not_configured(config, &e.issue.repository)));
    }
    let Some(found) = read(forge, config, &IssueKey::Ref(e.issue.clone())).await? else {
        return Ok(Handled::note(lang.pick(
            format!("fant ikke {}", e.issue),
            format!("{} was not found", e.issue),
        )));
    };
    if found.item.is_some() {
        // Delivered twice, or added by hand: it is on the board already, so reconcile it like any change.
        return reconcile_one(forge, config, &IssueKey::Ref(e.issue.clone()), None).await;
    }
    let item = item_on_board(forge, &found).await?;
    let first = config.sync.no_status;
    let name = e.issue.to_string();
    let mut plan = Plan::default();
    plan.decisions.push(crate::plan::Decision {
        item: name.clone(),
        from: None,
        to: Some(config.phases.get(first).name.clone()),
        outcome: Outcome::Adopted,
        missing: vec![],
        reason: lang
            .pick("ny sak: lagt på tavla", "new issue: added to the board")
            .into(),
    });
    let status = config.phases.get(first).status.clone();
    push(
        &mut plan,
        &name,
        Change::SetStatus {
            item_id: item.id,
            status,
        },
        lang.pick("ny sak", "new issue"),
    );
    let label = config.phase_label(first);
    push(
        &mut plan,
        &name,
        Change::AddLabel {
            issue: e.issue.clone(),
            label,
        },
        lang.pick("ny sak", "new issue"),
    );
    // Opened with phase labels (a copied issue, a template that sets one): the bot's memory starts clean, with
    // exactly the label of the phase it put the card in.
    for stale in found.issue.labels.iter().filter(|l| {
        config.phase_of_label(l).is_some_and(|p| p != first)
            || l.eq_ignore_ascii_case(&config.sync.blocked_label)
    }) {
        push(
            &mut plan,
            &name,
            Change::RemoveLabel {
                issue: e.issue.clone(),
                label: stale.clone(),
            },
            lang.pick("ikke fasen til en ny sak", "not the phase of a new issue"),
        );
    }
    let mut handled = run(forge, config, &found.bot, plan).await?;
    handled.notes.push(lang.pick(
        format!("{name} er lagt på tavla"),
        format!("{name} was added to the board"),
    ));
    Ok(handled)
}

/// The note for an event from a repository the board does not take issues from.
fn not_configured(config: &Config, repository: &str) -> String {
    config.sync.language.pick(
        format!("{repository} er ikke et av repoene i konfigurasjonen"),
        format!("{repository} is not a configured repository"),
    )
}

fn push(plan: &mut Plan, item: &str, change: Change, reason: &str) {
    plan.actions.push(Action {
        item: item.to_string(),
        change,
        reason: reason.to_string(),
    });
}

/// May the author run commands? A failed check denies: the bot never grants on doubt.
async fn may_run<F: IssueForge>(
    forge: &mut F,
    config: &Config,
    repository: &str,
    user: &str,
) -> bool {
    let permission = match forge.permission(repository, user).await {
        Ok(p) => p,
        Err(e) => {
            tracing::warn!("cannot read {user}'s permission on {repository}, denying: {e:#}");
            return false;
        }
    };
    if commands::allowed(&config.commands, permission, false) {
        return true;
    }
    is_member(forge, &config.commands.teams, user).await
}

/// Comment commands. The answer comes last, in this order: the command's own writes, one reply comment (help,
/// a refusal and why, or why nothing was done), then the reaction (👍 only when every command did what it asked).
/// The reaction is the memory of a command: a comment the bot has reacted to is not acted on again, whatever
/// delivery brings it back.
async fn comment<F: IssueForge>(
    forge: &mut F,
    config: &Config,
    c: &CommentEvent,
) -> Result<Handled> {
    let lang = config.sync.language;
    let cmds = commands::parse(&c.body);
    if cmds.is_empty() {
        return Ok(Handled::note(lang.pick(
            "kommentaren inneholder ingen kommando",
            "the comment holds no command",
        )));
    }
    if !config.is_board_repository(&c.issue.repository) {
        return Ok(Handled::note(not_configured(config, &c.issue.repository)));
    }
    match commands_of(forge, config, c, &cmds).await {
        Ok(handled) => Ok(handled),
        Err(e) => {
            // Nobody should wonder whether a command was heard: a short answer, the details in the log.
            let texts = reconcile::texts(config);
            let body = messages::reply(
                &texts,
                c.comment_id,
                &[messages::internal_error_text(&texts)],
            );
            let mut plan = Plan::default();
            let name = c.issue.to_string();
            push(
                &mut plan,
                &name,
                reply_change(c, body),
                lang.pick("kommandoen feilet", "the command failed"),
            );
            if let Ok(bot) = forge.bot_login().await {
                let answered = apply::apply(forge, &plan, &bot, lang).await;
                if !answered.failures.is_empty() {
                    tracing::warn!("could not tell {} that its command failed", c.issue);
                }
            }
            Err(e)
        }
    }
}

fn reply_change(c: &CommentEvent, body: String) -> Change {
    Change::PostComment {
        issue: c.issue.clone(),
        marker: Marker::Reply(c.comment_id),
        body,
    }
}

async fn commands_of<F: IssueForge>(
    forge: &mut F,
    config: &Config,
    c: &CommentEvent,
    cmds: &[Command],
) -> Result<Handled> {
    let Some(mut found) = read(forge, config, &IssueKey::Ref(c.issue.clone())).await? else {
        return Err(anyhow!("{} was not found", c.issue));
    };
    // The bot's own comments (its help text shows commands); with a personal access token its account is a user,
    // so the event cannot tell.
    let lang = config.sync.language;
    if normal_login(&c.author) == normal_login(&found.bot) {
        return Ok(Handled::note(lang.pick(
            "en kommentar fra boten selv",
            "a comment by the bot itself",
        )));
    }
    let bot = normal_login(&found.bot);
    let reactions = forge.reactions(&c.issue, c.comment_id).await?;
    if reactions.iter().any(|(user, _)| normal_login(user) == bot) {
        let (id, issue) = (c.comment_id, &c.issue);
        return Ok(Handled::note(lang.pick(
            format!("kommandokommentaren {id} på {issue} er besvart allerede"),
            format!("the command comment {id} on {issue} was answered already"),
        )));
    }
    let texts = reconcile::texts(config);
    let name = c.issue.to_string();
    let phases = config.phases.names();
    let mut plan = Plan::default();
    let mut answer: Vec<String> = Vec::new();
    let mut refused = false;

    if !may_run(forge, config, &c.issue.repository, &c.author).await {
        // One explanation per person and issue; every later attempt gets only the reaction.
        let required = format!("{:?}", config.commands.permission).to_lowercase();
        let change = Change::PostComment {
            issue: c.issue.clone(),
            marker: Marker::Denied(c.author.clone()),
            body: messages::reply_with(
                &texts,
                &Marker::Denied(c.author.clone()),
                &[messages::denied_text(&texts, &c.author, &required)],
            ),
        };
        push(
            &mut plan,
            &name,
            change,
            lang.pick("ikke tillatt", "not allowed"),
        );
        refused = true;
    } else {
        for cmd in cmds {
            match cmd {
                Command::Help => answer.push(messages::help_text(&texts, &phases)),
                Command::Check => {
                    let item = found
                        .item
                        .clone()
                        .unwrap_or_else(|| bare_item(&found, String::new()));
                    let current =
                        reconcile::checklist_phase(config, &found.bot, &item, &found.issue);
                    let body =
                        reconcile::status_comment(config, &found.bot, &item, &found.issue, current);
                    let change = Change::UpsertComment {
                        issue: c.issue.clone(),
                        marker: Marker::Status,
                        body,
                    };
                    push(&mut plan, &name, change, lang.pick("/sjekk", "/check"));
                }
                Command::Approve(arg) | Command::Withdraw(arg) => {
                    let withdraw = matches!(cmd, Command::Withdraw(_));
                    let done = decide(forge, config, &mut found, c, arg, withdraw).await?;
                    answer.push(done.answer);
                    refused |= done.refused;
                    plan.decisions.extend(done.plan.decisions);
                    plan.actions.extend(done.plan.actions);
                }
                Command::Move(arg) => match config.phases.lookup(arg, &config.sync.label_prefix) {
                    None => {
                        answer.push(messages::unknown_phase_text(&texts, arg, &phases));
                        refused = true;
                    }
                    Some(target) => {
                        let item = item_on_board(forge, &found).await?;
                        let moved =
                            reconcile::reconcile_item(config, &found.bot, &item, Some(target));
                        for d in &moved.decisions {
                            match d.outcome {
                                Outcome::Rejected => {
                                    let show = |p: &Option<String>| p.clone().unwrap_or_default();
                                    answer.push(messages::command_refused_text(
                                        &texts,
                                        &show(&d.from),
                                        &show(&d.to),
                                        &d.missing,
                                    ));
                                    refused = true;
                                }
                                Outcome::Skipped => {
                                    answer.push(messages::not_done_text(&texts, not_done(&item)));
                                    refused = true;
                                }
                                _ => {}
                            }
                        }
                        plan.decisions.extend(moved.decisions);
                        plan.actions.extend(moved.actions);
                    }
                },
            }
        }
    }
    if !answer.is_empty() {
        let body = messages::reply(&texts, c.comment_id, &answer);
        push(
            &mut plan,
            &name,
            reply_change(c, body),
            lang.pick("svarer på kommandoen", "answers the command"),
        );
    }
    let reaction = if refused { "confused" } else { "+1" };
    let change = Change::AddReaction {
        issue: c.issue.clone(),
        comment_id: c.comment_id,
        content: reaction.into(),
    };
    push(
        &mut plan,
        &name,
        change,
        lang.pick("svarer på kommandoen", "answers the command"),
    );
    run(forge, config, &found.bot, plan).await
}

/// What `/godkjenn` or `/trekk` did: the writes, and the answer for the reply.
struct Decided {
    plan: Plan,
    answer: String,
    refused: bool,
}

impl Decided {
    fn refused(answer: String) -> Decided {
        Decided {
            plan: Plan::default(),
            answer,
            refused: true,
        }
    }
}

/// Records (or withdraws) a forum's decision. Only a member of one of the forum's teams, checked with GitHub now,
/// may; anyone else changes nothing. The record is written first, then what it allows (a flagged card waiting for
/// the decision moves on), and the status comment shows it. `found` gets the new record, so the commands after
/// this one in the same comment see it.
async fn decide<F: IssueForge>(
    forge: &mut F,
    config: &Config,
    found: &mut IssueOnBoard,
    c: &CommentEvent,
    arg: &str,
    withdraw: bool,
) -> Result<Decided> {
    let texts = reconcile::texts(config);
    let lang = config.sync.language;
    let Some(args) = commands::decision_args(config, arg) else {
        let phases = config.phases.names();
        return Ok(Decided::refused(messages::unknown_phase_text(
            &texts, arg, &phases,
        )));
    };
    let mut record = reconcile::approvals(&found.issue, &found.bot).unwrap_or_default();
    let forum = match commands::forum_for(config, &texts, &args, &record, withdraw) {
        Ok(forum) => forum,
        Err(why) => return Ok(Decided::refused(why)),
    };
    if !is_member(forge, &forum.teams, &c.author).await {
        return Ok(Decided::refused(messages::not_forum_member_text(
            &texts, &c.author, forum,
        )));
    }
    // Put on the board now: what the decision allows is planned from the card, and later commands find it.
    let item = item_on_board(forge, found).await?;
    let item = found.item.get_or_insert(item).clone();
    let entered = reconcile::checklist_phase(config, &found.bot, &item, &found.issue) >= args.phase;
    let by = commands::By {
        login: &c.author,
        at: c.created_at.as_deref().unwrap_or_default(),
        comment: c.comment_id,
    };
    let phase = config.phases.get(args.phase);
    let answer = match commands::change_record(
        &texts,
        &mut record,
        phase,
        forum,
        &args,
        &by,
        entered,
        withdraw,
    ) {
        commands::Verdict::Refused(why) => return Ok(Decided::refused(why)),
        commands::Verdict::Unchanged(answer) => {
            return Ok(Decided {
                plan: Plan::default(),
                answer,
                refused: false,
            })
        }
        commands::Verdict::Changed(answer) => answer,
    };
    let body = reconcile::approval_record(config, &record);
    set_record(found, &body);
    let Some(item) = found.item.clone() else {
        return Err(anyhow!("{} has no card", c.issue));
    };
    let name = c.issue.to_string();
    let mut plan = Plan::default();
    let record_change = Change::UpsertComment {
        issue: c.issue.clone(),
        marker: Marker::Approvals,
        body,
    };
    push(
        &mut plan,
        &name,
        record_change,
        lang.pick("registrerer vedtaket", "records the decision"),
    );
    // A card waiting in a later column for this decision (flagged, not reverted) moves on now, and its status
    // comment comes with the move. Any other card stays: the decision allows a move, it makes none.
    let board = reconcile::board_phase(config, &item).ok();
    let waiting = board.is_some_and(|b| {
        reconcile::accepted_phase(config, &found.bot, &item, &found.issue, b)
            .is_some_and(|a| a != b)
    });
    if waiting {
        let then = reconcile::reconcile_item(config, &found.bot, &item, None);
        plan.decisions.extend(then.decisions);
        plan.actions.extend(then.actions);
    }
    let shows = plan.actions.iter().any(|a| {
        matches!(
            &a.change,
            Change::UpsertComment {
                marker: Marker::Status,
                ..
            }
        )
    });
    if !shows {
        let current = reconcile::checklist_phase(config, &found.bot, &item, &found.issue);
        let status = Change::UpsertComment {
            issue: c.issue.clone(),
            marker: Marker::Status,
            body: reconcile::status_comment(config, &found.bot, &item, &found.issue, current),
        };
        push(
            &mut plan,
            &name,
            status,
            lang.pick("viser vedtaket", "shows the decision"),
        );
    }
    Ok(Decided {
        plan,
        answer,
        refused: false,
    })
}

/// Puts the decision record `body` among the issue's comments as the bot's (in place of an older one), on the issue
/// and on its card.
fn set_record(found: &mut IssueOnBoard, body: &str) {
    let bot = normal_login(&found.bot);
    let record = crate::board::Comment {
        id: 0,
        author: found.bot.clone(),
        body: body.to_string(),
        editor: None,
        extra: Default::default(),
    };
    let card = found.item.as_mut().and_then(|i| i.issue.as_mut());
    for issue in std::iter::once(&mut found.issue).chain(card) {
        let comments = issue.comments.get_or_insert_with(Vec::new);
        comments.retain(|k| !(normal_login(&k.author) == bot && Marker::Approvals.leads(&k.body)));
        comments.push(record.clone());
    }
}

/// Whether `user` is an active member of one of `teams` (`org/slug`). A failed check counts as no: the bot never
/// records a decision on doubt.
async fn is_member<F: IssueForge>(forge: &mut F, teams: &[String], user: &str) -> bool {
    for team in teams {
        let Some((org, slug)) = team.split_once('/') else {
            continue;
        };
        match forge.is_team_member(org, slug, user).await {
            Ok(true) => return true,
            Ok(false) => {}
            Err(e) => tracing::warn!("cannot read {team} membership of {user}: {e:#}"),
        }
    }
    false
}

/// Why reconcile left a commanded item alone, for the reply.
fn not_done(item: &Item) -> messages::NotDone {
    if item.archived {
        messages::NotDone::Archived
    } else if item
        .issue
        .as_ref()
        .is_some_and(|i| i.state == IssueState::Closed)
    {
        messages::NotDone::Closed
    } else {
        messages::NotDone::Skipped
    }
}
