//! The phase history, read live: each issue's label events come in the board's own item pages (nested timeline
//! items), so the read stays 1 + ceil(N/100) requests, and each page stays far inside GitHub's limits on nodes
//! (500,000 per query) and cost.

mod support;

use std::collections::HashMap;
use std::path::Path;

use apollo_compiler::ast;
use portfolio_sync::board::{History, LabelAction, Snapshot};
use portfolio_sync::config;
use portfolio_sync::forge::Forge;
use portfolio_sync::github::graphql;
use portfolio_sync::report::{self, Day};
use portfolio_sync::run::report as use_case;
use serde_json::json;
use support::*;

/// GitHub's limit on the nodes one query may ask for.
const NODE_LIMIT: u64 = 500_000;

/// What a query asks GitHub for: `nodes` (every connection's `first`/`last` times those of the connections it is
/// in) and `requests` (how many times each connection is fetched: GitHub's rate-limit cost is this over 100).
#[derive(Debug, Default, PartialEq)]
struct Demand {
    nodes: u64,
    requests: u64,
}

fn page_size(field: &ast::Field) -> Option<u64> {
    field
        .arguments
        .iter()
        .filter(|a| a.name == "first" || a.name == "last")
        .find_map(|a| match &*a.value {
            ast::Value::Int(n) => n.try_to_i32().ok().and_then(|n| u64::try_from(n).ok()),
            _ => None,
        })
}

fn demand_of(
    selections: &[ast::Selection],
    times: u64,
    fragments: &HashMap<String, &ast::FragmentDefinition>,
    out: &mut Demand,
) {
    for selection in selections {
        match selection {
            ast::Selection::Field(field) => {
                let inner = match page_size(field) {
                    Some(n) => {
                        out.nodes += times * n;
                        out.requests += times;
                        times * n
                    }
                    None => times,
                };
                demand_of(&field.selection_set, inner, fragments, out);
            }
            ast::Selection::FragmentSpread(spread) => {
                let fragment = fragments
                    .get(spread.fragment_name.as_str())
                    .unwrap_or_else(|| panic!("fragment {} is defined", spread.fragment_name));
                demand_of(&fragment.selection_set, times, fragments, out);
            }
            ast::Selection::InlineFragment(inline) => {
                demand_of(&inline.selection_set, times, fragments, out);
            }
        }
    }
}

fn demand(document: &str) -> Demand {
    let parsed = ast::Document::parse(document, "doc.graphql").expect("parses");
    let fragments: HashMap<String, &ast::FragmentDefinition> = parsed
        .definitions
        .iter()
        .filter_map(|d| d.as_fragment_definition())
        .map(|f| (f.name.to_string(), &**f))
        .collect();
    let operation = parsed
        .definitions
        .iter()
        .find_map(|d| d.as_operation_definition())
        .expect("an operation");
    let mut out = Demand::default();
    demand_of(&operation.selection_set, 1, &fragments, &mut out);
    out
}

#[test]
fn a_board_page_with_history_stays_inside_github_s_limits() {
    let page = demand(graphql::BOARD_ITEMS);
    // 100 items × (1 + 50 field values + 50 labels + 20 assignees + 20 label events).
    assert_eq!(page.nodes, 14_100);
    assert!(page.nodes <= NODE_LIMIT);
    // items once, then four connections per item: 401 requests' worth, 4 points of the 5,000 an hour.
    assert_eq!(page.requests, 401);
    assert_eq!((page.requests as f64 / 100.0).round() as u64, 4);
    // The counter counts: the history costs what it should.
    let without = graphql::BOARD_ITEMS.replace("content { ... on Issue { ...PhaseHistory } }", "");
    let without = without
        .split("fragment PhaseHistory")
        .next()
        .expect("the document")
        .to_string();
    assert_eq!(demand(&without).nodes, 12_100);
}

fn example_config() -> config::Config {
    config::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("config/portfolio.toml"))
        .unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn the_board_read_carries_each_issue_s_label_history() {
    let gh = example_fake("config/examples/board.json");
    let file = example_snapshot("config/examples/board.json");
    let config = example_config();
    let mut forge = forge(&gh, &config.board).await;
    let read = forge.read_board().await.expect("read");
    let history_of = |snapshot: &Snapshot, id: &str| -> Option<History> {
        snapshot
            .items
            .iter()
            .find(|i| i.id == id)
            .and_then(|i| i.history())
    };
    // As the example board has it: when, which label, added or removed, and by whom (the bot's changes by the
    // fake's bot account, as `example_fake` makes them).
    for id in ["PVTI_101", "PVTI_103", "PVTI_108", "PVTI_118"] {
        let mut want = history_of(&file, id).expect("the example has history");
        for e in &mut want.labels {
            if e.actor.as_deref() == Some("portfolio-sync") {
                e.actor = Some(support::fake::BOT.to_string());
            }
        }
        let got = history_of(&read, id).expect("the read has history");
        assert_eq!(got.labels, want.labels, "{id}");
        assert_eq!(got.created, want.created, "{id}");
        assert!(got.complete, "{id}: fewer than 20 events");
    }
    let first = &history_of(&read, "PVTI_101").expect("history").labels;
    assert_eq!(
        first.last().map(|e| (e.event, e.actor.as_deref())),
        Some((LabelAction::Unlabeled, Some("ola-portefolje")))
    );
    // Drafts and pull requests have no issue timeline.
    assert_eq!(history_of(&read, "PVTI_draft_1"), None);
    assert_eq!(history_of(&read, "PVTI_111"), None);
    assert_eq!(gh.log().graphql("BoardItems"), 1, "{}", gh.log().summary());
    gh.finish();
}

#[tokio::test]
async fn an_issue_with_more_label_events_than_one_page_has_a_partial_history() {
    let gh = example_fake("config/examples/board.json");
    let config = example_config();
    // 25 label writes through REST (the bot's own, as a sync makes them): the timeline records each.
    let mut forge = forge(&gh, &config.board).await;
    let issue =
        portfolio_sync::board::IssueRef::parse("digdir/portfolio#109", None).expect("a ref");
    for i in 0..25 {
        forge
            .add_labels(&issue, &[format!("tmp/{i}")])
            .await
            .expect("label");
    }
    gh.take_writes();
    let read = forge.read_board().await.expect("read");
    let history = read
        .items
        .iter()
        .find(|i| i.id == "PVTI_109")
        .and_then(|i| i.history())
        .expect("history");
    assert_eq!(history.labels.len(), graphql::HISTORY_EVENTS);
    assert!(
        !history.complete,
        "older events were not read: what came before is unknown"
    );
    let last = history.labels.last().expect("an event");
    assert_eq!(
        (last.label.as_str(), last.event),
        ("tmp/24", LabelAction::Labeled)
    );
    assert_eq!(
        last.actor.as_deref(),
        Some(BOT.trim_end_matches("[bot]")),
        "GraphQL names the bot without [bot]"
    );
    gh.finish();
}

/// `n` initiatives, each moved through the phases over the last year by the bot, some with more label events than
/// one page holds.
fn board_with_history(n: u64, today: Day) -> Snapshot {
    let slugs = [
        "ikke-startet",
        "problem",
        "konsept",
        "planlegging",
        "implementering",
        "utført",
    ];
    let phases = [
        "Ikke startet",
        "Problem",
        "Konsept",
        "Planlegging",
        "Implementering",
        "Utført",
    ];
    let mut board = BoardBuilder::new("digdir", 1)
        .single_select("Status", &phases)
        .text("Team");
    let mut histories = Vec::new();
    for i in 1..=n {
        let reached = (i % 6) as usize;
        let start = today.plus_days(-(300 + (i % 50) as i64));
        let mut events = Vec::new();
        let mut day = start;
        for (p, slug) in slugs.iter().enumerate().take(reached + 1) {
            if p > 0 {
                day = day.plus_days(20 + (i % 30) as i64);
                events.push(json!({"at": format!("{day}T06:15:00Z"), "event": "unlabeled", "label": format!("fase/{}", slugs[p - 1]), "actor": "portfolio-sync"}));
            }
            events.push(json!({"at": format!("{day}T06:15:00Z"), "event": "labeled", "label": format!("fase/{slug}"), "actor": "portfolio-sync"}));
        }
        // Every tenth has been relabelled often: its first events are beyond the page.
        if i % 10 == 0 {
            for k in 0..25 {
                events.push(json!({"at": format!("{day}T07:{k:02}:00Z"), "event": if k % 2 == 0 { "labeled" } else { "unlabeled" }, "label": "moscow/must", "actor": "kari"}));
            }
        }
        histories.push(
            json!({"labels": events, "complete": true, "created": format!("{start}T06:00:00Z")}),
        );
        board = board.issue("digdir/portfolio", i, |it| {
            it.labels(&[&format!("fase/{}", slugs[reached])])
                .status(phases[reached])
                .status_updated_at(&format!("{day}T06:15:00Z"))
                .field("Team", "Dialogporten")
        });
    }
    let mut snapshot = board.build();
    for (item, history) in snapshot.items.iter_mut().zip(histories) {
        item.set_history(&serde_json::from_value(history).expect("a history"));
    }
    snapshot
}

async fn flow_in_one_pass(n: u64) {
    let gh = FakeGitHub::start();
    let today = Day::today();
    gh.edit(|s| s.load_snapshot(&board_with_history(n, today)));
    let config = example_config();
    let mut forge = forge(&gh, &config.board).await;
    let (board, open) = use_case::read(&mut forge, &config).await.expect("read");
    let log = gh.log();
    let pages = n.div_ceil(100) as usize;
    assert_eq!(log.graphql("BoardProject"), 1, "{}", log.summary());
    assert_eq!(log.graphql("BoardItems"), pages, "{}", log.summary());
    assert_eq!(
        log.graphql_calls().len(),
        1 + pages,
        "no request per item: {}",
        log.summary()
    );
    let started = std::time::Instant::now();
    let built = report::build(&config, &board, &open, today);
    eprintln!(
        "{n} initiatives: read in {} GraphQL requests, built in {:?}",
        1 + pages,
        started.elapsed()
    );
    let flow = &built.flow;
    let partial = flow
        .initiatives
        .iter()
        .filter(|i| i.history == report::flow::HistoryKind::Partial)
        .count();
    assert_eq!(partial as u64, n / 10, "the relabelled ones");
    // A third reach Implementering; the relabelled ones among them lost their start beyond the page.
    assert!(
        flow.lead_time.count as u64 > n / 4,
        "{}",
        flow.lead_time.count
    );
    assert!(
        flow.throughput
            .quarters
            .iter()
            .map(|q| q.entered + q.reached)
            .sum::<usize>()
            > 0
    );
    // Every phase but the last (which nobody leaves) has finished stays to measure.
    let last = flow.time_in_phase.len() - 1;
    assert!(flow.time_in_phase[..last]
        .iter()
        .all(|t| t.median_days.is_some()));
    gh.finish();
}

#[tokio::test]
async fn the_flow_of_1000_initiatives_is_read_in_one_pass() {
    flow_in_one_pass(1_000).await;
}

#[tokio::test]
async fn the_flow_of_10000_initiatives_is_read_in_one_pass() {
    flow_in_one_pass(10_000).await;
}

/// `export` keeps the history (snapshot version 2), so the flow of the live board can be looked at offline, and
/// the report of the export equals the report of the live read.
#[tokio::test]
async fn an_export_carries_the_history_and_reports_the_same_flow() {
    let gh = example_fake("config/examples/board.json");
    let config = example_config();
    let mut forge = forge(&gh, &config.board).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("export.json");
    portfolio_sync::run::export::export(&mut forge, &config, Some(&file), &mut Vec::new())
        .await
        .expect("export");
    let text = std::fs::read_to_string(&file).expect("the export");
    let json: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(json["version"], 2);
    assert!(
        json["items"][2]["history"]["labels"].is_array(),
        "{}",
        json["items"][2]
    );
    let today = Day::from_ymd(2025, 11, 10).expect("a date");
    let (live, open) = use_case::read(&mut forge, &config).await.expect("read");
    let from_live = report::build(&config, &live, &open, today);
    let mut offline =
        portfolio_sync::snapshot::SnapshotForge::open(&file, &config.board.status_field)
            .expect("the export opens");
    let (board, open) = use_case::read(&mut offline, &config).await.expect("read");
    let from_file = report::build(&config, &board, &open, today);
    assert_eq!(
        serde_json::to_value(&from_file.flow).expect("JSON"),
        serde_json::to_value(&from_live.flow).expect("JSON")
    );
    assert!(from_file.flow.lead_time.count > 0);
    gh.finish();
}
