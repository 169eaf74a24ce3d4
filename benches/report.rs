//! Report time for generated Digdir-like boards with a year of phase history per initiative:
//! `cargo bench --bench report`. Pure CPU (the board is in memory): `report::build` (reconcile's view of every
//! item, the flow metrics), and the dashboard and JSON rendered from it. Results go in BENCHMARKS.md.

use std::time::{Duration, Instant};

use portfolio_sync::board::History;
use portfolio_sync::config;
use portfolio_sync::language::Language;
use portfolio_sync::report::{self, Day};
use serde_json::json;

#[path = "generate.rs"]
mod generate;

/// Gives every item the label history of its way to its phase, one move every few weeks over the past year.
fn with_history(board: &mut portfolio_sync::board::Snapshot, today: Day) {
    for (i, item) in board.items.iter_mut().enumerate() {
        let reached = generate::SLUGS
            .iter()
            .position(|s| {
                item.issue
                    .as_ref()
                    .is_some_and(|is| is.labels.iter().any(|l| l == &format!("fase/{s}")))
            })
            .unwrap_or(0);
        let mut day = today.plus_days(-(300 + (i % 60) as i64));
        let created = day;
        let mut events = vec![json!({"at": format!("{day}T06:15:00Z"), "event": "labeled",
                                     "label": "fase/ikke-startet", "actor": "portfolio-sync"})];
        for p in 1..=reached {
            day = day.plus_days(20 + (i % 40) as i64);
            for (event, slug) in [
                ("unlabeled", generate::SLUGS[p - 1]),
                ("labeled", generate::SLUGS[p]),
            ] {
                events.push(json!({"at": format!("{day}T06:15:00Z"), "event": event,
                                   "label": format!("fase/{slug}"), "actor": "portfolio-sync"}));
            }
        }
        let history: History = serde_json::from_value(json!({
            "labels": events, "complete": true, "created": format!("{created}T06:00:00Z")
        }))
        .expect("a generated history is valid");
        item.set_history(&history);
        item.status_updated_at = Some(format!("{day}T06:15:00Z"));
    }
}

fn main() {
    let config = config::load(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/config/portfolio.toml"
    )))
    .unwrap_or_else(|e| panic!("{e}"));
    let today = Day::today();
    println!(
        "{:<10} {:>7} {:>10} {:>10} {:>10} {:>10}",
        "step", "items", "min", "median", "max", "bytes"
    );
    for items in [1_000, 10_000] {
        let mut board = generate::board(&generate::Shape {
            items,
            moved_per_mille: 10,
            unlabelled: false,
        });
        with_history(&mut board, today);
        let mut times: [Vec<Duration>; 3] = Default::default();
        let mut sizes = [0usize; 3];
        for _ in 0..15 {
            let start = Instant::now();
            let built = std::hint::black_box(report::build(&config, &board, &[], today));
            times[0].push(start.elapsed());
            let start = Instant::now();
            let page = std::hint::black_box(report::to_html(&built, Language::Nb));
            times[1].push(start.elapsed());
            let start = Instant::now();
            let json = std::hint::black_box(serde_json::to_string(&built).expect("JSON"));
            times[2].push(start.elapsed());
            sizes = [0, page.len(), json.len()];
        }
        for (k, name) in ["build", "html", "json"].iter().enumerate() {
            let t = &mut times[k];
            t.sort();
            let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1000.0);
            println!(
                "{name:<10} {items:>7} {:>10} {:>10} {:>10} {:>10}",
                ms(t[0]),
                ms(t[t.len() / 2]),
                ms(t[t.len() - 1]),
                sizes[k]
            );
        }
    }
}
