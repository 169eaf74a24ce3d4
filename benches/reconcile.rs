//! Reconcile time for generated Digdir-like boards: `cargo bench --bench reconcile`.
//! Pure CPU: no I/O, so the numbers are reconcile's own. Results go in BENCHMARKS.md.

use std::time::{Duration, Instant};

use portfolio_sync::config;
use portfolio_sync::reconcile::reconcile;

#[path = "generate.rs"]
mod generate;

fn main() {
    let config = config::load(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/config/portfolio.toml"
    )))
    .unwrap_or_else(|e| panic!("{e}"));
    let shapes = [
        ("unchanged", 0, false),
        ("1% moved", 10, false),
        ("10% moved", 100, false),
        ("first run (unlabelled)", 0, true),
    ];
    println!(
        "{:<24} {:>7} {:>10} {:>10} {:>10} {:>8}",
        "board", "items", "min", "median", "max", "writes"
    );
    for items in [1_000, 10_000] {
        for (name, moved, unlabelled) in shapes {
            let board = generate::board(&generate::Shape {
                items,
                moved_per_mille: moved,
                unlabelled,
            });
            let mut times: Vec<Duration> = Vec::new();
            let mut writes = 0;
            for _ in 0..15 {
                let start = Instant::now();
                let plan = std::hint::black_box(reconcile(&config, &board));
                times.push(start.elapsed());
                writes = plan.writes();
            }
            times.sort();
            let ms = |d: Duration| format!("{:.2} ms", d.as_secs_f64() * 1000.0);
            println!(
                "{name:<24} {items:>7} {:>10} {:>10} {:>10} {writes:>8}",
                ms(times[0]),
                ms(times[times.len() / 2]),
                ms(times[times.len() - 1])
            );
        }
    }
}
