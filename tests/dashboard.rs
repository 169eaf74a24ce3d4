//! The flow dashboard (`report --format html`) in a real browser: headless Chromium loads the page of the example
//! board and of a generated 1,000-initiative board from `file://`, with no network. Checked: no console error,
//! the six charts present with marks in them, every number the page shows equal to the JSON report's, a
//! screenshot that is not blank, and the page under 500 KB.
//!
//! Needs `/usr/bin/chromium` (`.ci/run` installs it from the distribution's packages). Without it the browser
//! tests say SKIPPED, and fail under `CI`.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use portfolio_sync::config::{self, Config};
use portfolio_sync::language::Language;
use portfolio_sync::report::{self, Day, Report};
use portfolio_sync::run::report as use_case;
use portfolio_sync::snapshot::SnapshotForge;
use serde_json::{json, Value};
use support::*;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const CHROMIUM: &str = "/usr/bin/chromium";
/// The charts, by the id of their section.
const CHARTS: [&str; 6] = [
    "funnel",
    "cumulative-flow",
    "time-in-phase",
    "throughput",
    "load",
    "aging",
];

fn chromium() -> Option<PathBuf> {
    let path = PathBuf::from(CHROMIUM);
    if path.exists() {
        return Some(path);
    }
    let why =
        format!("{CHROMIUM} not found: install it with `apt-get install chromium` (.ci/run does)");
    if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
        panic!("{why}");
    }
    skipped(&why);
    None
}

fn load_config(path: &str) -> Config {
    config::load(&Path::new(ROOT).join(path)).unwrap_or_else(|e| panic!("{e}"))
}

/// The Monday of the report snapshots: the example board's year of history ends there.
fn monday() -> Day {
    Day::from_ymd(2025, 11, 10).expect("a date")
}

async fn report_of(config: &Config, board: &Path, today: Day) -> Report {
    let mut forge = SnapshotForge::open(board, &config.board.status_field).expect("snapshot");
    let (snapshot, open) = use_case::read(&mut forge, config).await.expect("read");
    report::build(config, &snapshot, &open, today)
}

/// Chromium with no network, no first-run work, and a profile of its own.
fn browser(chromium: &Path, profile: &Path) -> Command {
    let mut cmd = Command::new(chromium);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    cmd
}

/// What the browser made of a page: its DOM after load, and its console errors.
struct Loaded {
    dom: String,
    console_errors: Vec<String>,
}

fn load(chromium: &Path, page: &Path) -> Loaded {
    let profile = tempfile::tempdir().expect("tempdir");
    let out = browser(chromium, profile.path())
        .args(["--enable-logging=stderr", "--v=0", "--dump-dom"])
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    assert!(out.status.success(), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    Loaded {
        dom: String::from_utf8_lossy(&out.stdout).into_owned(),
        console_errors: console_errors(&stderr),
    }
}

/// The lines of Chromium's log that report a script error or a console message of the page (it logs them as
/// `CONSOLE(line)` with `--enable-logging`); its own start-up noise (D-Bus and the like) is not the page's.
fn console_errors(log: &str) -> Vec<String> {
    log.lines()
        .filter(|l| l.contains("Uncaught") || l.contains(":CONSOLE("))
        .map(str::to_string)
        .collect()
}

/// A PNG of the page as the browser draws it.
fn screenshot(chromium: &Path, page: &Path, png: &Path) {
    let profile = tempfile::tempdir().expect("tempdir");
    let out = browser(chromium, profile.path())
        .arg(format!("--screenshot={}", png.display()))
        .arg("--window-size=1280,4000")
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    assert!(out.status.success(), "{}", text(&out));
}

/// The variance of the screenshot's grey levels: a blank page is 0.
fn grey_variance(png: &Path) -> f64 {
    let file = std::fs::File::open(png).expect("the screenshot");
    let mut decoder = png::Decoder::new(file);
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size()];
    let frame = reader.next_frame(&mut buf).expect("a frame");
    let channels = frame.color_type.samples();
    let pixels = &buf[..frame.buffer_size()];
    let greys: Vec<f64> = pixels
        .chunks(channels)
        .map(|p| match p {
            [r, g, b, ..] => (f64::from(*r) + f64::from(*g) + f64::from(*b)) / 3.0,
            [grey, ..] => f64::from(*grey),
            [] => 0.0,
        })
        .collect();
    let n = greys.len().max(1) as f64;
    let mean = greys.iter().sum::<f64>() / n;
    greys.iter().map(|g| (g - mean).powi(2)).sum::<f64>() / n
}

/// `<svg …>…</svg>` of each chart section, by section id.
fn charts(dom: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for id in CHARTS {
        let start = dom
            .find(&format!("<section id=\"{id}\""))
            .unwrap_or_else(|| panic!("no section {id}"));
        let end = dom[start..]
            .find("</section>")
            .map_or(dom.len(), |e| start + e);
        let section = &dom[start..end];
        let svgs: Vec<&str> = section
            .match_indices("<svg")
            .map(|(i, _)| &section[i..])
            .collect();
        assert_eq!(svgs.len(), 1, "one chart in section {id}");
        let svg = &svgs[0][..svgs[0].find("</svg>").expect("a closed svg")];
        out.insert(id.to_string(), svg.to_string());
    }
    out
}

/// Marks a chart draws (bars, areas, points, lines), beyond the background and the axes' own lines.
fn marks(svg: &str) -> usize {
    ["<rect", "<circle", "<polygon", "<path", "<polyline"]
        .iter()
        .map(|m| svg.matches(m).count())
        .sum()
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Every `data-metric` the page shows: name → the text of the element.
fn shown_metrics(dom: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut rest = dom;
    while let Some(i) = rest.find("data-metric=\"") {
        rest = &rest[i + "data-metric=\"".len()..];
        let Some(end) = rest.find('"') else { break };
        let name = unescape(&rest[..end]);
        let Some(open) = rest.find('>') else { break };
        let Some(close) = rest[open..].find('<') else {
            break;
        };
        let value = unescape(&rest[open + 1..open + close]);
        assert!(out.insert(name.clone(), value).is_none(), "{name} twice");
        rest = &rest[open..];
    }
    out
}

fn number_text(v: &Value) -> String {
    match v {
        Value::Null => "–".to_string(),
        other => other.to_string(),
    }
}

/// What the page must show, computed from the JSON report alone.
fn expected_metrics(json: &Value, none_given: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut put = |k: String, v: String| {
        out.insert(k, v);
    };
    put("initiatives".into(), json["initiatives"].to_string());
    let flow = &json["flow"];
    if !flow["lead_time"]["median_days"].is_null() {
        put(
            "lead.median".into(),
            flow["lead_time"]["median_days"].to_string(),
        );
    }
    for p in json["phases"].as_array().expect("phases") {
        let name = p["phase"].as_str().expect("a name");
        put(format!("phases.{name}.count"), p["count"].to_string());
        put(format!("phases.{name}.stale"), p["stale"].to_string());
    }
    let phases: Vec<&str> = flow["phases"]
        .as_array()
        .expect("phases")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for point in flow["cumulative_flow"].as_array().expect("points") {
        let date = point["date"].as_str().expect("a date");
        for (i, c) in point["counts"]
            .as_array()
            .expect("counts")
            .iter()
            .enumerate()
        {
            put(format!("cfd.{date}.{}", phases[i]), c.to_string());
        }
    }
    for t in flow["time_in_phase"].as_array().expect("times") {
        let name = t["phase"].as_str().expect("a name");
        put(format!("time.{name}.finished"), t["finished"].to_string());
        put(
            format!("time.{name}.median"),
            number_text(&t["median_days"]),
        );
        put(format!("time.{name}.p85"), number_text(&t["p85_days"]));
    }
    for q in flow["throughput"]["quarters"].as_array().expect("quarters") {
        let name = q["quarter"].as_str().expect("a quarter");
        put(
            format!("throughput.{name}.entered"),
            q["entered"].to_string(),
        );
        put(
            format!("throughput.{name}.reached"),
            q["reached"].to_string(),
        );
    }
    for (kind, list) in [("team", "teams"), ("group", "groups")] {
        for e in flow["load"][list].as_array().expect("load") {
            let name = e["name"].as_str().unwrap_or(none_given);
            put(
                format!("load.{kind}.{name}.initiatives"),
                e["initiatives"].to_string(),
            );
            if !flow["load"]["effort_field"].is_null() {
                // Shown as `24`, `12,5` or `23 (2 uten)`: the number is what must agree.
                put(
                    format!("load.{kind}.{name}.effort"),
                    number_text(&e["effort"]),
                );
            }
        }
    }
    let aging = flow["aging"].as_array().expect("aging");
    let last = phases.len() - 1;
    for phase in &phases[..last] {
        let of: Vec<&Value> = aging.iter().filter(|a| a["phase"] == *phase).collect();
        put(format!("aging.{phase}.count"), of.len().to_string());
        let stale = of.iter().filter(|a| a["stale"] == true).count();
        put(format!("aging.{phase}.stale"), stale.to_string());
        let oldest = of.iter().filter_map(|a| a["days"].as_u64()).max();
        put(
            format!("aging.{phase}.oldest"),
            oldest.map_or("–".to_string(), |d| d.to_string()),
        );
    }
    out
}

/// An effort as the page writes it (`12,5 (2 uten)`) → as JSON writes it (`12.5`).
fn effort_as_json(shown: &str) -> String {
    let number = shown
        .split(' ')
        .next()
        .unwrap_or_default()
        .replace(',', ".");
    match number.parse::<f64>() {
        Ok(n) => json!(n).to_string(),
        Err(_) => number,
    }
}

/// Loads `page` in the browser and checks it against `json`; returns the DOM.
fn check_in_browser(
    chromium: &Path,
    page: &Path,
    json: &Value,
    lang: &str,
    none_given: &str,
) -> String {
    let loaded = load(chromium, page);
    assert!(
        loaded.console_errors.is_empty(),
        "console errors: {:#?}",
        loaded.console_errors
    );
    let dom = &loaded.dom;
    assert!(
        dom.contains(&format!("<html lang=\"{lang}\"")),
        "lang {lang}"
    );
    assert!(
        !dom.contains("<script"),
        "readable without JavaScript: no script at all"
    );
    // Links to issues are for the reader; nothing is fetched (no sources, stylesheets or imports by URL).
    assert!(
        !dom.contains("src=\"")
            && !dom.contains("<link")
            && !dom.contains("url(")
            && !dom.contains("@import"),
        "nothing loaded from the network"
    );
    for (id, svg) in charts(dom) {
        assert!(marks(&svg) >= 3, "chart {id} draws nothing: {svg}");
        // Its text alternative: a table in the same section (or folded under <details>).
        let start = dom.find(&format!("<section id=\"{id}\"")).expect("section");
        let section = &dom[start..start + dom[start..].find("</section>").expect("closed")];
        assert!(section.contains("<table>"), "chart {id} has no table");
        assert!(
            section.contains(&format!("aria-describedby=\"{id}-d\"")),
            "chart {id} has no description"
        );
    }
    let shown = shown_metrics(dom);
    let expected = expected_metrics(json, none_given);
    let shown_keys: Vec<&String> = shown.keys().collect();
    let expected_keys: Vec<&String> = expected.keys().collect();
    assert_eq!(
        shown_keys, expected_keys,
        "the page shows exactly the JSON report's metrics"
    );
    for (key, want) in &expected {
        let got = &shown[key];
        let got = if key.ends_with(".effort") && want != "–" {
            effort_as_json(got)
        } else {
            got.clone()
        };
        assert_eq!(&got, want, "{key}");
    }
    loaded.dom
}

fn check_screenshot(chromium: &Path, page: &Path, dir: &Path) {
    let png = dir.join("page.png");
    screenshot(chromium, page, &png);
    let variance = grey_variance(&png);
    assert!(
        variance > 100.0,
        "the screenshot is blank (grey variance {variance:.1})"
    );
    // The README's screenshot is made from the example's page: PORTFOLIO_SYNC_KEEP_PAGE=/tmp/flow.html keeps it.
    if let Some(keep) = std::env::var_os("PORTFOLIO_SYNC_KEEP_PAGE") {
        std::fs::copy(page, keep).expect("keep the page");
    }
}

#[tokio::test]
async fn the_example_dashboard_in_a_browser_shows_six_charts_and_the_json_numbers() {
    let Some(chromium) = chromium() else { return };
    let config = load_config("config/portfolio.toml");
    let report = report_of(
        &config,
        &Path::new(ROOT).join("config/examples/board.json"),
        monday(),
    )
    .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let page = dir.path().join("flow.html");
    std::fs::write(&page, report::to_html(&report, Language::Nb)).expect("write");
    let json = serde_json::to_value(&report).expect("JSON");
    let dom = check_in_browser(&chromium, &page, &json, "nb", "(ingen oppgitt)");
    assert!(
        dom.contains("Tid i fase") && dom.contains("Gjennomstrømning per kvartal"),
        "bokmål"
    );
    check_screenshot(&chromium, &page, dir.path());
}

#[tokio::test]
async fn the_english_dashboard_speaks_english() {
    let Some(chromium) = chromium() else { return };
    let config = load_config("config/examples/english.toml");
    let report = report_of(
        &config,
        &Path::new(ROOT).join("config/examples/board-en.json"),
        monday(),
    )
    .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let page = dir.path().join("flow.html");
    std::fs::write(&page, report::to_html(&report, Language::En)).expect("write");
    let json = serde_json::to_value(&report).expect("JSON");
    let dom = check_in_browser(&chromium, &page, &json, "en", "(none given)");
    assert!(
        dom.contains("Time in phase") && !dom.contains("Tid i fase"),
        "English"
    );
}

/// The "done when" command, through the binary: the page and the JSON of one run of the clock agree.
#[test]
fn report_format_html_writes_the_page_of_the_example_board() {
    let dir = tempfile::tempdir().expect("tempdir");
    let page = dir.path().join("flow.html");
    let args = [
        "report",
        "--format",
        "html",
        "--snapshot",
        "config/examples/board.json",
        "--out",
    ];
    let out = bin(&[&args[..], &[page.to_str().expect("UTF-8")]].concat());
    assert!(out.status.success(), "{}", text(&out));
    let html = std::fs::read_to_string(&page).expect("the page");
    assert!(
        html.starts_with("<!DOCTYPE html>\n<html lang=\"nb\">"),
        "{}",
        &html[..80]
    );
    assert_eq!(html.matches("<svg").count(), 6);
    let Some(chromium) = chromium() else { return };
    let json_out = bin(&[
        "report",
        "--format",
        "json",
        "--snapshot",
        "config/examples/board.json",
    ]);
    assert!(json_out.status.success(), "{}", text(&json_out));
    let json: Value = serde_json::from_slice(&json_out.stdout).expect("JSON");
    check_in_browser(&chromium, &page, &json, "nb", "(ingen oppgitt)");
}

/// A board of `n` initiatives with a year of history each: every phase, some stuck, some finished, teams,
/// product groups and effort.
fn generated_board(n: usize, today: Day) -> Value {
    const PHASES: [&str; 6] = [
        "Ikke startet",
        "Problem",
        "Konsept",
        "Planlegging",
        "Implementering",
        "Utført",
    ];
    const SLUGS: [&str; 6] = [
        "ikke-startet",
        "problem",
        "konsept",
        "planlegging",
        "implementering",
        "utført",
    ];
    const TEAMS: [&str; 5] = [
        "Dialogporten",
        "Altinn Studio",
        "Felles datakatalog",
        "Produktgruppe Formidling",
        "Produktgruppe Tilgangsstyring",
    ];
    const GROUPS: [&str; 4] = ["Altinn", "Data", "Formidling", "Tilgangsstyring"];
    let at = |day: Day| format!("{day}T06:15:00Z");
    let items: Vec<Value> = (0..n)
        .map(|i| {
            let created = today.plus_days(-(20 + (i * 37 % 400) as i64));
            let target = i * 7 % 6; // the phase it has reached
            let mut events = vec![json!({"at": at(created), "event": "labeled", "label": "fase/ikke-startet", "actor": "portfolio-sync"})];
            let mut day = created;
            let mut phase = 0;
            while phase < target {
                let step = 10 + (i * 13 + phase * 29) % 90;
                let next = day.plus_days(step as i64);
                if next >= today {
                    break;
                }
                events.push(json!({"at": at(next), "event": "unlabeled", "label": format!("fase/{}", SLUGS[phase]), "actor": "portfolio-sync"}));
                phase += 1;
                day = next;
                events.push(json!({"at": at(next), "event": "labeled", "label": format!("fase/{}", SLUGS[phase]), "actor": "portfolio-sync"}));
            }
            let open = phase < 5;
            json!({
                "id": format!("PVTI_{i}"), "type": "issue", "archived": false,
                "fields": {"Status": PHASES[phase], "MoSCoW": "M", "Team": TEAMS[i % 5], "Produktgruppe": GROUPS[i % 4],
                           "Estimerte månedsverk": (i % 24) + 1},
                "status_updated_at": at(day),
                "issue": {"repository": "digdir/portfolio", "number": i + 1, "title": format!("Tiltak {i}"),
                          "state": if open { "open" } else { "closed" }, "body": "## Problemstilling\nNoe.\n",
                          "labels": [format!("fase/{}", SLUGS[phase])], "assignees": ["kari"],
                          "url": format!("https://github.com/digdir/portfolio/issues/{}", i + 1)},
                "history": {"labels": events, "complete": true, "created": at(created)}
            })
        })
        .collect();
    json!({
        "version": 2, "bot": "portfolio-sync[bot]",
        "board": {"owner": "digdir", "number": 1, "title": "Portefølje", "fields": [
            {"name": "Status", "type": "single_select", "options": PHASES},
            {"name": "MoSCoW", "type": "single_select", "options": ["M", "S", "C", "W"]},
            {"name": "Team", "type": "text"},
            {"name": "Produktgruppe", "type": "text"},
            {"name": "Estimerte månedsverk", "type": "number"}
        ]},
        "items": items
    })
}

#[tokio::test]
async fn a_1000_initiative_dashboard_is_under_500_kb_and_agrees_with_the_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    let today = Day::today();
    let board = dir.path().join("board.json");
    std::fs::write(&board, generated_board(1_000, today).to_string()).expect("write");
    let config = load_config("config/portfolio.toml");
    let report = report_of(&config, &board, today).await;
    assert_eq!(report.initiatives + report.skipped.len(), 1_000);
    let html = report::to_html(&report, Language::Nb);
    eprintln!("page of 1,000 initiatives: {} bytes", html.len());
    assert!(html.len() < 500_000, "{} bytes", html.len());
    let json = serde_json::to_value(&report).expect("JSON");
    assert!(
        json["flow"]["lead_time"]["count"].as_u64().unwrap_or(0) > 100,
        "a year of flow"
    );
    let Some(chromium) = chromium() else { return };
    let page = dir.path().join("flow.html");
    std::fs::write(&page, &html).expect("write");
    check_in_browser(&chromium, &page, &json, "nb", "(ingen oppgitt)");
    check_screenshot(&chromium, &page, dir.path());
}

/// The checks can fail: a script error is caught, a blank page is blank, a missing number is missed.
#[test]
fn the_browser_checks_catch_what_they_look_for() {
    let Some(chromium) = chromium() else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let broken = dir.path().join("broken.html");
    std::fs::write(&broken, "<!DOCTYPE html><html lang=\"nb\"><body><script>undefinedFunction();</script></body></html>").expect("write");
    let loaded = load(&chromium, &broken);
    assert!(
        !loaded.console_errors.is_empty(),
        "a script error is reported"
    );
    let blank = dir.path().join("blank.html");
    std::fs::write(&blank, "<!DOCTYPE html><html><body></body></html>").expect("write");
    let png = dir.path().join("blank.png");
    screenshot(&chromium, &blank, &png);
    assert!(grey_variance(&png) < 1.0, "a blank page is blank");
    let json = json!({"initiatives": 3, "phases": [], "flow": {"phases": ["A"], "lead_time": {"median_days": null},
        "cumulative_flow": [], "time_in_phase": [], "throughput": {"quarters": []},
        "load": {"teams": [], "groups": [], "effort_field": null}, "aging": []}});
    let shown = shown_metrics("<p><strong data-metric=\"initiatives\">4</strong></p>");
    assert_ne!(
        shown,
        expected_metrics(&json, "-"),
        "a wrong number differs"
    );
}
