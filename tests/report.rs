//! The portfolio report: markdown (bokmål, English) and JSON on the example boards as insta snapshots, the Mermaid
//! chart's syntax, the pinned issue upserted in place, the `report` command, and the read pass on a large board.

mod support;

use std::path::{Path, PathBuf};

use portfolio_sync::board::{Issue, Snapshot};
use portfolio_sync::config::{self, Config};
use portfolio_sync::language::Language;
use portfolio_sync::marker::Marker;
use portfolio_sync::report::{self, Day, Report};
use portfolio_sync::run::report::{self as use_case, Published};
use portfolio_sync::snapshot::SnapshotForge;
use serde_json::{json, Value};
use support::*;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The Monday the snapshots are written for (ISO week 46), so they do not change with the clock.
fn monday() -> Day {
    Day::from_ymd(2025, 11, 10).expect("a date")
}

fn root(path: &str) -> PathBuf {
    Path::new(ROOT).join(path)
}

fn load_config(path: &str) -> Config {
    config::load(&root(path)).unwrap_or_else(|e| panic!("{e}"))
}

/// A temporary copy of an example board, changed by `edit` (the shipped files stay as they are).
fn board_copy(dir: &Path, board: &str, edit: impl FnOnce(&mut Value)) -> PathBuf {
    let text = std::fs::read_to_string(root(board)).expect("the example board");
    let mut json: Value = serde_json::from_str(&text).expect("JSON");
    edit(&mut json);
    let to = dir.join("board.json");
    std::fs::write(&to, serde_json::to_string_pretty(&json).expect("JSON")).expect("write");
    to
}

/// Board and open issues through the snapshot forge, the way `report --snapshot` reads them.
async fn read(config: &Config, board: &Path) -> (Snapshot, Vec<Issue>) {
    let mut forge = SnapshotForge::open(board, &config.board.status_field).expect("snapshot");
    use_case::read(&mut forge, config).await.expect("read")
}

/// Issues not on the example board: one initiative nobody put on the board, one closed, one elsewhere.
fn off_board_issues() -> Value {
    json!([
        {"repository": "digdir/portfolio", "number": 130, "title": "Felles varslingsregister", "state": "open",
         "body": "## Problemstilling\nUklart.", "url": "https://github.com/digdir/portfolio/issues/130"},
        {"repository": "digdir/portfolio", "number": 131, "title": "Lukket før det kom på tavla", "state": "closed"},
        {"repository": "digdir/dialogporten", "number": 7, "title": "Sporingssak", "state": "open"}
    ])
}

async fn example_nb() -> Report {
    let dir = tempfile::tempdir().expect("tempdir");
    let board = board_copy(dir.path(), "config/examples/board.json", |b| {
        b["other_issues"] = off_board_issues();
    });
    let config = load_config("config/portfolio.toml");
    let (snapshot, open) = read(&config, &board).await;
    report::build(&config, &snapshot, &open, monday())
}

#[tokio::test]
async fn markdown_nb() {
    let report = example_nb().await;
    insta::assert_snapshot!(report::to_markdown(&report, Language::Nb));
}

#[tokio::test]
async fn json_nb() {
    let report = example_nb().await;
    insta::assert_snapshot!(serde_json::to_string_pretty(&report).expect("JSON"));
}

#[tokio::test]
async fn markdown_en() {
    let dir = tempfile::tempdir().expect("tempdir");
    // board-en.json carries no Status dates; these give every English section something to show.
    let dates = [
        ("PVTI_en_1", "2025-08-01T09:00:00Z"),
        ("PVTI_en_2", "2025-11-03T10:00:00Z"),
        ("PVTI_en_3", "2025-11-04T10:00:00+01:00"),
        ("PVTI_en_4", "2025-11-06T15:30:00Z"),
    ];
    let board = board_copy(dir.path(), "config/examples/board-en.json", |b| {
        for item in b["items"].as_array_mut().expect("items") {
            if let Some((_, at)) = dates.iter().find(|(id, _)| item["id"] == *id) {
                item["status_updated_at"] = json!(at);
            }
        }
    });
    let config = load_config("config/examples/english.toml");
    let (snapshot, open) = read(&config, &board).await;
    let report = report::build(&config, &snapshot, &open, monday());
    insta::assert_snapshot!(report::to_markdown(&report, Language::En));
}

#[tokio::test]
async fn the_example_report_has_each_case_in_its_place() {
    let r = example_nb().await;
    let items = |list: Vec<&str>| list.into_iter().map(str::to_string).collect::<Vec<_>>();
    assert_eq!(r.initiatives, 18);
    let counts: Vec<(&str, usize)> = r
        .phases
        .iter()
        .map(|p| (p.phase.as_str(), p.count))
        .collect();
    assert_eq!(
        counts,
        [
            ("Ikke startet", 3),
            ("Problem", 5),
            ("Konsept", 5),
            ("Planlegging", 3),
            ("Implementering", 2),
            ("Utført", 0)
        ],
        "a refused move counts in the phase accepted before it"
    );
    let ready: Vec<String> = r.ready.iter().map(|x| x.initiative.item.clone()).collect();
    assert_eq!(ready, items(vec!["digdir/portfolio#107"]));
    let blocked: Vec<String> = r
        .blocked
        .iter()
        .map(|x| x.initiative.item.clone())
        .collect();
    assert_eq!(blocked.len(), 8, "{blocked:?}");
    assert!(r.blocked.iter().all(|b| !b.missing.is_empty()));
    let stale: Vec<&str> = r
        .time_in_phase
        .iter()
        .filter(|t| t.stale)
        .map(|t| t.initiative.item.as_str())
        .collect();
    assert_eq!(
        stale,
        ["digdir/portfolio#101"],
        "69 days in Konsept, over its 60"
    );
    let handoffs: Vec<(&str, &str)> = r
        .recent_handoffs
        .iter()
        .flat_map(|h| {
            h.teams
                .iter()
                .map(move |t| (h.initiative.item.as_str(), t.name.as_str()))
        })
        .collect();
    assert_eq!(handoffs, [("digdir/portfolio#108", "Dialogporten")]);
    let missing: Vec<&str> = r.not_on_board.iter().map(|i| i.item.as_str()).collect();
    assert_eq!(
        missing,
        ["digdir/portfolio#130"],
        "closed and other repositories are not missing"
    );
    let skipped: Vec<&str> = r.skipped.iter().map(|s| s.item.as_str()).collect();
    assert_eq!(
        skipped,
        [
            "draft:PVTI_draft_1",
            "digdir/portfolio#111",
            "digdir/portfolio#112",
            "digdir/portfolio#113",
            "digdir/altinn-studio#14210"
        ]
    );
}

// ---------------------------------------------------------------------------------------------------------------
// Mermaid.

/// The ```mermaid blocks of a page.
fn mermaid_blocks(page: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<Vec<&str>> = None;
    for line in page.lines() {
        match (&mut current, line) {
            (None, "```mermaid") => current = Some(Vec::new()),
            (Some(lines), "```") => {
                blocks.push(lines.join("\n"));
                current = None;
            }
            (Some(lines), l) => lines.push(l),
            (None, _) => {}
        }
    }
    assert!(current.is_none(), "an unclosed ```mermaid block");
    blocks
}

/// Mermaid's entity codes, as it decodes them (`#quot;`, `#35;`); a `#` that starts none is an error.
fn decode_entities(text: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find('#') {
        out.push_str(&rest[..at]);
        let tail = &rest[at + 1..];
        let end = tail.find(';').ok_or(format!("a bare # in {text:?}"))?;
        let code = &tail[..end];
        let c = match code {
            "quot" => Some('"'),
            n => n.parse::<u32>().ok().and_then(char::from_u32),
        };
        out.push(c.ok_or(format!("unknown entity #{code}; in {text:?}"))?);
        rest = &tail[end + 1..];
    }
    Ok(out + rest)
}

type Pie = (String, Vec<(String, f64)>);

/// A `pie` chart as Mermaid parses it: `pie [showData]`, then `title …` and `"label" : number` lines. A label holds
/// no quote, no backslash and no `%%`, and every `#` starts an entity. Returns the decoded title and slices.
fn parse_pie(block: &str) -> Result<Pie, String> {
    let mut lines = block.lines();
    if !matches!(lines.next().map(str::trim), Some("pie" | "pie showData")) {
        return Err(format!("not a pie chart: {block:?}"));
    }
    let mut title = String::new();
    let mut slices = Vec::new();
    for line in lines.map(str::trim) {
        if let Some(t) = line.strip_prefix("title ") {
            if t.trim().is_empty() || t.contains("%%") {
                return Err(format!("bad title: {line:?}"));
            }
            title = decode_entities(t)?;
            continue;
        }
        let (label, value) = line
            .strip_prefix('"')
            .and_then(|rest| rest.split_once("\" : "))
            .ok_or(format!("not a title or a slice: {line:?}"))?;
        let bad_label =
            label.trim().is_empty() || label.contains(['"', '\\']) || label.contains("%%");
        if bad_label {
            return Err(format!("bad label: {line:?}"));
        }
        match value.parse::<f64>() {
            Ok(v) if v > 0.0 => slices.push((decode_entities(label)?, v)),
            _ => return Err(format!("not a positive number: {line:?}")),
        }
    }
    Ok((title, slices))
}

const AWKWARD_PHASES: &str = r##"
[board]
owner = "digdir"
project = 1
repositories = ["digdir/portfolio"]

[[phase]]
name = "Ikke startet"

[[phase]]
name = "Første vurdering"
slug = "forste"

[[phase]]
name = 'Fase "Å" #2'
slug = "fase-a"

[[phase]]
name = 'Drift\forvaltning 100%% : ærlig'
slug = "drift"

[[phase]]
name = "Tom fase"
"##;

#[test]
fn the_mermaid_pie_is_valid_with_spaces_æøå_and_quotes_in_phase_names() {
    let config = config::parse(AWKWARD_PHASES, "awkward.toml").unwrap_or_else(|e| panic!("{e}"));
    let names = config.phases.names();
    let mut board = BoardBuilder::new("digdir", 1).single_select("Status", &names);
    let in_phase = [0, 1, 1, 2, 3, 3, 3];
    for (n, phase) in in_phase.into_iter().enumerate() {
        let status = names[phase];
        board = board.issue("digdir/portfolio", n as u64 + 1, |i| {
            i.title("Tiltak").status(status)
        });
    }
    let report = report::build(&config, &board.build(), &[], monday());
    for lang in [Language::Nb, Language::En] {
        let page = report::to_markdown(&report, lang);
        let blocks = mermaid_blocks(&page);
        assert_eq!(blocks.len(), 1, "{page}");
        let (title, slices) = parse_pie(&blocks[0]).unwrap_or_else(|e| panic!("{e}\n{page}"));
        assert_eq!(title, lang.pick("Tiltak per fase", "Initiatives per phase"));
        let expected: Vec<(String, f64)> = [(0, 1.0), (1, 2.0), (2, 1.0), (3, 3.0)]
            .into_iter()
            .map(|(p, n)| (names[p].to_string(), n))
            .collect();
        assert_eq!(
            slices, expected,
            "labels decode to the phase names; the empty phase is left out"
        );
    }
}

#[test]
fn an_empty_board_draws_no_chart() {
    let config = config::parse(AWKWARD_PHASES, "awkward.toml").unwrap_or_else(|e| panic!("{e}"));
    let board = BoardBuilder::new("digdir", 1)
        .single_select("Status", &["Ikke startet"])
        .build();
    let page = report::to_markdown(&report::build(&config, &board, &[], monday()), Language::Nb);
    assert!(mermaid_blocks(&page).is_empty(), "{page}");
    assert!(page.contains("_Ingen._"), "{page}");
}

#[test]
fn the_pie_validator_catches_what_breaks_mermaid() {
    for bad in [
        "pie\n    \"a\"b\" : 1",
        "pie\n    \"a\\\" : 1",
        "pie\n    \"#x\" : 1",
        "pie\n    \"a\" : many",
        "pie\n    a : 1",
        "graph\n    \"a\" : 1",
        "pie\n    \"a\" : 0",
        "pie\n    \"a%%\" : 1",
    ] {
        assert!(parse_pie(bad).is_err(), "{bad:?} passed");
    }
    let good = parse_pie("pie showData\n    title T #35;1\n    \"a #quot;b#quot;\" : 2");
    assert_eq!(
        good,
        Ok(("T #1".to_string(), vec![("a \"b\"".to_string(), 2.0)]))
    );
}

// ---------------------------------------------------------------------------------------------------------------
// The pinned issue.

fn with_issue(path: &str) -> Config {
    let text = std::fs::read_to_string(root(path)).expect("config");
    assert!(
        text.contains("\n[report]\n"),
        "the config has a [report] table"
    );
    let text = text.replace("\n[report]\n", "\n[report]\nissue = true\n");
    config::parse(&text, path).unwrap_or_else(|e| panic!("{e}"))
}

/// Every issue in the snapshot file with the report marker: (number, title, body).
fn marked_issues(board: &Path) -> Vec<(u64, String, String)> {
    let file: Value =
        serde_json::from_str(&std::fs::read_to_string(board).expect("read")).expect("JSON");
    let on_board = file["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|i| &i["issue"]);
    let off_board = file["other_issues"].as_array().into_iter().flatten();
    on_board
        .chain(off_board)
        .filter(|i| i["body"].as_str().is_some_and(|b| Marker::Report.leads(b)))
        .map(|i| {
            let text = |k: &str| i[k].as_str().unwrap_or_default().to_string();
            (
                i["number"].as_u64().unwrap_or(0),
                text("title"),
                text("body"),
            )
        })
        .collect()
}

async fn publish_once(config: &Config, board: &Path, today: Day) -> Published {
    let mut forge = SnapshotForge::open(board, &config.board.status_field).expect("snapshot");
    let (snapshot, open) = use_case::read(&mut forge, config).await.expect("read");
    let built = report::build(config, &snapshot, &open, today);
    assert!(
        built.not_on_board.is_empty(),
        "the report issue is not an initiative missing from the board"
    );
    let published = use_case::publish(&mut forge, config, &snapshot.bot, &built)
        .await
        .expect("publish");
    forge.save().expect("save");
    published.expect("report.issue = true publishes")
}

#[tokio::test]
async fn the_pinned_issue_is_created_once_and_edited_in_place() {
    let dir = tempfile::tempdir().expect("tempdir");
    let board = board_copy(dir.path(), "config/examples/board.json", |_| {});
    let config = with_issue("config/portfolio.toml");

    let first = publish_once(&config, &board, monday()).await;
    assert!(first.created);
    assert_eq!(first.issue.to_string(), "digdir/portfolio#123");
    let issues = marked_issues(&board);
    assert_eq!(issues.len(), 1);
    assert_eq!(issues[0].1, "Porteføljestatus");
    assert!(
        issues[0].2.starts_with(&Marker::Report.to_string()),
        "the marker leads the body"
    );
    assert!(issues[0].2.contains("mandag 10. november 2025"));

    let next_week = Day::from_ymd(2025, 11, 17).expect("a date");
    let second = publish_once(&config, &board, next_week).await;
    assert!(!second.created);
    assert_eq!(second.issue, first.issue);
    let issues = marked_issues(&board);
    assert_eq!(issues.len(), 1, "never a second report issue");
    assert!(
        issues[0].2.contains("mandag 17. november 2025"),
        "edited to this week's report"
    );
    assert!(issues[0].2.contains("uke 47"));
}

#[tokio::test]
async fn nothing_is_published_unless_configured() {
    let dir = tempfile::tempdir().expect("tempdir");
    let board = board_copy(dir.path(), "config/examples/board.json", |_| {});
    let config = load_config("config/portfolio.toml");
    let mut forge = SnapshotForge::open(&board, &config.board.status_field).expect("snapshot");
    let (snapshot, open) = use_case::read(&mut forge, &config).await.expect("read");
    let built = report::build(&config, &snapshot, &open, monday());
    assert_eq!(
        use_case::publish(&mut forge, &config, &snapshot.bot, &built)
            .await
            .expect("publish"),
        None
    );
    assert!(marked_issues(&board).is_empty());
}

#[test]
fn a_report_too_long_for_an_issue_is_cut_to_fit() {
    let config = load_config("config/portfolio.toml");
    let mut board =
        BoardBuilder::new("digdir", 1).single_select("Status", &["Ikke startet", "Konsept"]);
    let title = "Et tiltak med en lang tittel ".repeat(4);
    for n in 1..=2_000 {
        board = board.issue("digdir/portfolio", n, |i| {
            i.title(&title)
                .status("Konsept")
                .labels(&["fase/konsept"])
                .status_updated_at("2025-01-01T00:00:00Z")
        });
    }
    let report = report::build(&config, &board.build(), &[], monday());
    let full = report::to_markdown(&report, Language::Nb);
    assert!(full.len() > report::ISSUE_BODY_LIMIT);
    let body = report::issue_body(&report, Language::Nb);
    assert!(body.len() <= report::ISSUE_BODY_LIMIT, "{}", body.len());
    assert!(body.starts_with(&Marker::Report.to_string()));
    assert!(body.contains("… og "), "says how many rows were left out");
    assert!(
        body.contains("</details>"),
        "cut between rows, not in the middle of the page"
    );
    assert_eq!(mermaid_blocks(&body).len(), 1);
}

#[test]
fn a_done_initiative_waits_to_be_archived_and_is_never_stale() {
    let config = load_config("config/portfolio.toml");
    let board = BoardBuilder::new("digdir", 1)
        .single_select("Status", &["Implementering", "Utført"])
        .issue("digdir/portfolio", 1, |i| {
            i.title("Ferdig for lenge siden")
                .status("Utført")
                .labels(&["fase/utført"])
                .status_updated_at("2025-01-01T00:00:00Z")
        })
        .issue("digdir/portfolio", 2, |i| {
            i.title("Står fast")
                .status("Implementering")
                .labels(&["fase/implementering"])
                .status_updated_at("2025-01-01T00:00:00Z")
        })
        .build();
    let report = report::build(&config, &board, &[], monday());
    let stale: Vec<(&str, bool)> = report
        .time_in_phase
        .iter()
        .map(|t| (t.initiative.item.as_str(), t.stale))
        .collect();
    // 313 days: over Implementering's 180, and Utført has no limit (report.stale_days = 90 is not for it).
    assert_eq!(
        stale,
        [("digdir/portfolio#2", true), ("digdir/portfolio#1", false)]
    );
    let waiting: Vec<&str> = report
        .awaiting_archive
        .iter()
        .map(|t| t.initiative.item.as_str())
        .collect();
    assert_eq!(waiting, ["digdir/portfolio#1"]);
    let utført = report.phases.last().expect("phases");
    assert_eq!((utført.stale, utført.stale_days), (0, None));
    let page = report::to_markdown(&report, Language::Nb);
    assert!(page.contains("### Venter på arkivering\n"), "{page}");
    assert!(page.contains("| Utført | 1 | 0 | – |"), "{page}");
}

// ---------------------------------------------------------------------------------------------------------------
// Configuration.

fn report_config(table: &str) -> Result<Config, config::ConfigErrors> {
    let text = format!(
        "[board]\nowner = \"digdir\"\nproject = 1\nrepositories = [\"digdir/portfolio\"]\n\n[[phase]]\nname = \"A\"\n\n[sync]\nlanguage = \"en\"\n\n[report]\n{table}"
    );
    config::parse(&text, "report.toml")
}

#[test]
fn the_report_table_has_defaults() {
    let c = report_config("").expect("valid").report;
    assert_eq!(
        (c.stale_days, c.recent_days, c.issue, c.on_schedule),
        (90, 14, false, false)
    );
    assert_eq!(
        c.issue_title, "Portfolio status",
        "the title follows sync.language"
    );
    assert_eq!(
        load_config("config/portfolio.toml").report.issue_title,
        "Porteføljestatus"
    );
    let c = report_config("issue = true\nissue_title = \" Status \"\non_schedule = true\nstale_days = 30\nrecent_days = 7\n")
        .expect("valid")
        .report;
    assert_eq!(
        (c.stale_days, c.recent_days, c.issue, c.on_schedule),
        (30, 7, true, true)
    );
    assert_eq!(c.issue_title, "Status");
}

#[test]
fn the_report_table_refuses_what_makes_no_sense() {
    let errors = |table: &str| report_config(table).expect_err("invalid").to_string();
    let e = errors("stale_days = 0\n");
    assert!(
        e.contains("report.toml:13:14") && e.contains("stale_days = 0"),
        "{e}"
    );
    assert!(errors("recent_days = 0\n").contains("recent_days = 0"));
    assert!(errors("issue_title = \"  \"\n").contains("issue_title is empty"));
    assert!(errors("pinned = true\n").contains("unknown field"));
}

// ---------------------------------------------------------------------------------------------------------------
// The command.

#[test]
fn report_json_on_the_example_parses() {
    let out = bin(&[
        "report",
        "--snapshot",
        "config/examples/board.json",
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let json: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out)));
    assert_eq!(json["initiatives"], 18);
    assert_eq!(json["board"]["owner"], "digdir");
    assert_eq!(json["phases"].as_array().map(Vec::len), Some(6));
    for key in [
        "ready",
        "blocked",
        "time_in_phase",
        "recent_handoffs",
        "not_on_board",
        "skipped",
    ] {
        assert!(json[key].is_array(), "{key}");
    }
    assert!(json["date"]
        .as_str()
        .is_some_and(|d| Day::parse(d).is_some()));
}

#[test]
fn report_out_writes_the_file_and_leaves_the_snapshot_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let board = board_copy(dir.path(), "config/examples/board.json", |_| {});
    let before = std::fs::read(&board).expect("read");
    let page = dir.path().join("report.md");
    let args = [
        "report",
        "--snapshot",
        path_str(&board),
        "--out",
        path_str(&page),
    ];
    let out = bin(&args);
    assert!(out.status.success(), "{}", text(&out));
    assert!(out.stdout.is_empty(), "{}", text(&out));
    let written = std::fs::read_to_string(&page).expect("the report file");
    assert!(written.starts_with("## Porteføljestatus uke "), "{written}");
    // The phase pie, and the flow's throughput per quarter.
    let charts = mermaid_blocks(&written);
    assert_eq!(charts.len(), 2, "{written}");
    assert!(charts[1].starts_with("xychart-beta\n"), "{}", charts[1]);
    assert_eq!(
        std::fs::read(&board).expect("read"),
        before,
        "a report writes nothing to the board"
    );
}

#[test]
fn report_with_english_config_speaks_english() {
    let out = bin(&[
        "--config",
        "config/examples/english.toml",
        "report",
        "--snapshot",
        "config/examples/board-en.json",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("## Portfolio status, week "));
}

#[test]
fn report_refuses_an_unknown_format() {
    let out = bin(&[
        "report",
        "--snapshot",
        "config/examples/board.json",
        "--format",
        "pdf",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 temp path")
}

// ---------------------------------------------------------------------------------------------------------------
// One read pass.

/// 10,000 initiatives in every phase, with real-looking bodies, Status dates, teams and some refused moves.
fn large_board(n: u64) -> Snapshot {
    let phases = [
        "Ikke startet",
        "Problem",
        "Konsept",
        "Planlegging",
        "Implementering",
        "Utført",
    ];
    let labels = [
        "fase/ikke-startet",
        "fase/problem",
        "fase/konsept",
        "fase/planlegging",
        "fase/implementering",
    ];
    let mut board = BoardBuilder::new("digdir", 1)
        .single_select("Status", &phases)
        .single_select("MoSCoW", &["M", "S", "C", "W"])
        .text("Team");
    for i in 1..=n {
        let phase = (i % 5) as usize;
        // Every seventh card was moved one phase on: accepted where the next phase is met, refused where not.
        let status = if i % 7 == 0 {
            phases[phase + 1]
        } else {
            phases[phase]
        };
        let date = format!("2025-{:02}-{:02}T08:00:00Z", 1 + i % 11, 1 + i % 28);
        board = board.issue("digdir/portfolio", i, |it| {
            it.title(&format!("Tiltak {i}"))
                .body("## Problemstilling\nNoe er vanskelig.\n\n## Mål og nøkkelresultat (OKR)\n- [ ] Nøkkelresultat\n")
                .labels(&[labels[phase]])
                .assignees(&["kari"])
                .status(status)
                .status_updated_at(&date)
                .field("MoSCoW", "M")
                .field("Team", "Dialogporten")
        });
    }
    board.build()
}

/// Reads an `n`-item board from the fake GitHub for the report, and checks it took one pass: the board in pages of
/// 100, the open issues in pages of 100, nothing per item, no writes.
async fn one_read_pass(n: u64) {
    let gh = FakeGitHub::start();
    let board = large_board(n);
    gh.edit(|s| {
        s.load_snapshot(&board);
        let off_board = |number, open, is_pull_request| NewIssue {
            number: Some(number),
            title: format!("Ikke på tavla {number}"),
            open,
            is_pull_request,
            ..NewIssue::default()
        };
        s.add_issue("digdir/portfolio", off_board(n + 1, true, false));
        s.add_issue("digdir/portfolio", off_board(n + 2, false, false));
        s.add_issue("digdir/portfolio", off_board(n + 3, true, true));
    });
    let config = load_config("config/portfolio.toml");
    let mut forge = forge(&gh, &config.board).await;

    let (board, open) = use_case::read(&mut forge, &config).await.expect("read");
    let built = report::build(&config, &board, &open, monday());

    let log = gh.log();
    let board_pages = n.div_ceil(100) as usize;
    // GitHub lists pull requests with the issues: n + 2 open entries.
    let issue_pages = (n + 2).div_ceil(100) as usize;
    let counts = (
        log.graphql("BoardProject"),
        log.graphql("BoardItems"),
        log.rest("GET", "/repos/digdir/portfolio/issues"),
    );
    assert_eq!(counts, (1, board_pages, issue_pages), "{}", log.summary());
    // The comments of cards whose move passes a decision gate, 50 issues a request.
    let decisions = log.graphql("IssueComments");
    assert!(decisions <= n.div_ceil(50) as usize, "{}", log.summary());
    assert_eq!(
        log.len(),
        1 + board_pages + issue_pages + decisions,
        "nothing per item: {}",
        log.summary()
    );
    assert_eq!(log.writes(), 0);
    assert_eq!(built.initiatives, n as usize);
    assert_eq!(
        built.phases.iter().map(|p| p.count).sum::<usize>(),
        n as usize
    );
    assert!(
        !built.blocked.is_empty() && !built.ready.is_empty() && !built.recent_handoffs.is_empty()
    );
    let missing: Vec<String> = built.not_on_board.iter().map(|i| i.item.clone()).collect();
    assert_eq!(
        missing,
        [format!("digdir/portfolio#{}", n + 1)],
        "not the closed issue, not the pull request"
    );
}

#[tokio::test]
async fn a_1000_item_board_is_read_in_one_pass() {
    one_read_pass(1_000).await;
}

#[tokio::test]
async fn a_10000_item_board_is_read_in_one_pass() {
    one_read_pass(10_000).await;
}

// ---------------------------------------------------------------------------------------------------------------
// The flow section's Mermaid chart.

/// Checks a Mermaid `xychart-beta` the way the flow section writes it: a quoted title, one x-axis label per value of
/// every series, a y-axis range that holds every value. Returns the number of categories.
fn check_xychart(block: &str) -> Result<usize, String> {
    let mut lines = block.lines().map(str::trim);
    if lines.next() != Some("xychart-beta") {
        return Err("not an xychart-beta".into());
    }
    let list = |text: &str| -> Result<Vec<String>, String> {
        let inner = text
            .trim()
            .strip_prefix('[')
            .and_then(|t| t.strip_suffix(']'))
            .ok_or_else(|| format!("not a list: {text}"))?;
        Ok(inner.split(", ").map(str::to_string).collect())
    };
    let (mut labels, mut top, mut series) = (None, None, Vec::new());
    for line in lines {
        if let Some(title) = line.strip_prefix("title ") {
            if !(title.starts_with('"') && title.ends_with('"') && title.matches('"').count() == 2)
            {
                return Err(format!("title not one quoted string: {title}"));
            }
        } else if let Some(axis) = line.strip_prefix("x-axis ") {
            labels = Some(list(axis)?);
        } else if let Some(axis) = line.strip_prefix("y-axis ") {
            let (_, range) = axis.rsplit_once('"').ok_or("y-axis without a title")?;
            let (low, high) = range
                .trim()
                .split_once(" --> ")
                .ok_or("y-axis without a range")?;
            if low != "0" {
                return Err(format!("y-axis from {low}"));
            }
            top = Some(high.parse::<usize>().map_err(|e| e.to_string())?);
        } else if let Some(values) = line
            .strip_prefix("bar ")
            .or_else(|| line.strip_prefix("line "))
        {
            let values: Result<Vec<usize>, _> =
                list(values)?.iter().map(|v| v.parse::<usize>()).collect();
            series.push(values.map_err(|e| e.to_string())?);
        } else {
            return Err(format!("unexpected line: {line}"));
        }
    }
    let labels = labels.ok_or("no x-axis")?;
    let top = top.ok_or("no y-axis")?;
    if series.is_empty() {
        return Err("no series".into());
    }
    for s in &series {
        if s.len() != labels.len() {
            return Err(format!("{} values for {} labels", s.len(), labels.len()));
        }
        if s.iter().any(|v| *v > top) {
            return Err(format!("a value over the y-axis top {top}"));
        }
    }
    Ok(labels.len())
}

#[tokio::test]
async fn the_throughput_chart_is_valid_mermaid_with_a_value_per_quarter() {
    let report = example_nb().await;
    let page = report::to_markdown(&report, Language::Nb);
    let blocks = mermaid_blocks(&page);
    let chart = blocks
        .iter()
        .find(|b| b.starts_with("xychart-beta"))
        .expect("the throughput chart");
    let quarters = check_xychart(chart).unwrap_or_else(|e| panic!("{e}\n{chart}"));
    assert_eq!(quarters, report.flow.throughput.quarters.len());
    assert_contains(
        &page,
        &[
            "### Flyt",
            "Ledetid fra Problem til Implementering: median **",
            "| Kvartal | Inn i Implementering | Til Utført |",
            "#### Belastning per produktgruppe",
        ],
    );
    // The checker sees what breaks a chart.
    for broken in [
        "xychart-beta\n    title \"T\"\n    x-axis [\"A\", \"B\"]\n    y-axis \"N\" 0 --> 3\n    bar [1]",
        "xychart-beta\n    title \"T\"\n    x-axis [\"A\"]\n    y-axis \"N\" 0 --> 3\n    bar [4]",
        "xychart-beta\n    title \"T \"x\"\"\n    x-axis [\"A\"]\n    y-axis \"N\" 0 --> 3\n    bar [1]",
    ] {
        assert!(check_xychart(broken).is_err(), "{broken}");
    }
}

/// The ready list says which decisions the meeting has taken and which it has still to take, read live from the
/// bot's record on the ready cards alone (one batch), though those cards did not move.
#[tokio::test]
async fn the_ready_list_names_the_decisions_taken_and_awaited() {
    let config = load_config("config/portfolio.toml");
    let waiting = example_nb().await;
    let r107 = &waiting.ready[0];
    assert_eq!(r107.initiative.item, "digdir/portfolio#107");
    assert!(r107.decided.is_empty());
    assert_eq!(
        r107.awaiting,
        ["Porteføljekontoret har vedtatt at tiltaket kan gå videre"]
    );
    let md = report::to_markdown(&waiting, Language::Nb);
    assert!(
        md.contains("⏳ venter: Porteføljekontoret har vedtatt at tiltaket kan gå videre"),
        "{md}"
    );

    // Live: #107's record says the office decided; nothing else about the card changed.
    let gh = example_fake("config/examples/board.json");
    let record = all_decided(&config, BOT);
    let body = record[0]["body"].as_str().expect("a body").to_string();
    gh.edit(|s| s.add_comment("digdir/portfolio", 107, BOT, &body));
    let mut forge = forge(&gh, &config.board).await;
    let (board, open) = use_case::read(&mut forge, &config).await.expect("read");
    let decided = report::build(&config, &board, &open, monday());
    let r107 = &decided.ready[0];
    assert!(r107.awaiting.is_empty(), "{r107:?}");
    assert_eq!(
        r107.decided,
        ["Porteføljekontoret har vedtatt at tiltaket kan gå videre (Porteføljekontoret, kari, 2026-11-30)"]
    );
    assert_eq!(
        gh.log().graphql("IssueComments"),
        1,
        "{}",
        gh.log().summary()
    );
}
