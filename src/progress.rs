//! Progress of a long run: a bar on a terminal, log lines elsewhere (GitHub Actions).
//!
//! A first run on a large board applies thousands of writes, and GitHub's budget for creates spreads them over
//! minutes or hours; without a word between "applying" and "done" such a run looks hung. On a terminal (stderr)
//! a bar shows what is done and the time left; without one, an info line goes out at least every
//! [`LOG_EVERY`] while work goes on and at every tenth of it ([`Every`] decides, without a clock of its own).
//! Nothing shows when info logs are off (`-q`).

use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use tokio::time::Instant;

/// The longest silence of the log lines while work goes on.
pub const LOG_EVERY: Duration = Duration::from_secs(30);

/// When a log line is due: at every tenth of the total, and when `period` has passed since the last line. Pure:
/// the caller says what is done and what time it is.
#[derive(Debug, Clone)]
pub struct Every {
    total: usize,
    period: Duration,
    /// The tenths already told (0 = none).
    tenths_told: usize,
    last: Instant,
}

impl Every {
    pub fn new(total: usize, period: Duration, now: Instant) -> Every {
        Every {
            total,
            period,
            tenths_told: 0,
            last: now,
        }
    }

    /// Whether to report `done` (of the total) at `now`; a `true` counts as reported.
    pub fn due(&mut self, done: usize, now: Instant) -> bool {
        // Nothing to do counts as all done.
        let tenths = (done.min(self.total) * 10)
            .checked_div(self.total)
            .unwrap_or(10);
        let due =
            tenths > self.tenths_told || now.saturating_duration_since(self.last) >= self.period;
        if due {
            self.tenths_told = self.tenths_told.max(tenths);
            self.last = now;
        }
        due
    }
}

/// The time left at the pace so far: `elapsed` for `done` of `total`. `None` before anything is done.
pub fn eta(done: usize, total: usize, elapsed: Duration) -> Option<Duration> {
    if done == 0 {
        return None;
    }
    let left = total.saturating_sub(done) as f64;
    Some(elapsed.mul_f64(left / done as f64))
}

/// A duration as people read it: `1 h 05 min`, `4 min 10 s`, `12 s`.
pub fn human(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min {:02} s", s / 60, s % 60),
        _ => format!("{} h {:02} min", s / 3600, s % 3600 / 60),
    }
}

struct State {
    done: usize,
    every: Every,
}

/// The progress of one phase of a run (`what`: "writes", "item pages").
pub struct Progress {
    what: &'static str,
    total: usize,
    started: Instant,
    bar: Option<ProgressBar>,
    state: Arc<Mutex<State>>,
    /// Tells the time while nothing else is told (log lines only).
    ticker: Option<tokio::task::JoinHandle<()>>,
}

impl Progress {
    /// Starts showing progress of `total` things; `paced` is the least time the forge's pacing takes, shown on
    /// the bar. Shows nothing when info logs are off.
    pub fn start(what: &'static str, total: usize, paced: Option<Duration>) -> Progress {
        let now = Instant::now();
        let state = Arc::new(Mutex::new(State {
            done: 0,
            every: Every::new(total, LOG_EVERY, now),
        }));
        let shown = total > 0 && tracing::enabled!(tracing::Level::INFO);
        let bar = (shown && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::new(total as u64);
            let template = "{msg} [{bar:30}] {pos}/{len} ({elapsed}, about {eta} left)";
            if let Ok(style) = ProgressStyle::with_template(template) {
                bar.set_style(style.progress_chars("=> "));
            }
            let message = match paced.filter(|d| !d.is_zero()) {
                Some(d) => format!("{what} (paced: at least {})", human(d)),
                None => what.to_string(),
            };
            bar.set_message(message);
            bar
        });
        // Without a bar, a ticker keeps the log from going quiet during a long pause (a paced create).
        let ticker = (shown && bar.is_none() && tokio::runtime::Handle::try_current().is_ok())
            .then(|| {
                let state = state.clone();
                tokio::spawn(async move {
                    let mut tick = tokio::time::interval_at(now + LOG_EVERY, LOG_EVERY);
                    loop {
                        tick.tick().await;
                        let done = {
                            let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
                            let done = s.done;
                            if !s.every.due(done, Instant::now()) {
                                continue;
                            }
                            done
                        };
                        log_line(what, done, total, now.elapsed());
                    }
                })
            });
        Progress {
            what,
            total,
            started: now,
            bar,
            state,
            ticker,
        }
    }

    /// `done` things are done so far.
    pub fn set(&self, done: usize) {
        if let Some(bar) = &self.bar {
            bar.set_position(done as u64);
            return;
        }
        let due = {
            let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
            s.done = done;
            self.ticker.is_some() && s.every.due(done, Instant::now())
        };
        if due {
            log_line(self.what, done, self.total, self.started.elapsed());
        }
    }

    /// Stops the bar or the ticker.
    pub fn finish(self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        if let Some(ticker) = &self.ticker {
            ticker.abort();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(ticker) = &self.ticker {
            ticker.abort();
        }
    }
}

fn log_line(what: &str, done: usize, total: usize, elapsed: Duration) {
    let percent = (done * 100).checked_div(total).unwrap_or(100);
    match eta(done, total, elapsed) {
        Some(left) if done < total => tracing::info!(
            "{done} of {total} {what} ({percent} %) in {}, about {} left",
            human(elapsed),
            human(left)
        ),
        _ => tracing::info!(
            "{done} of {total} {what} ({percent} %) in {}",
            human(elapsed)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tenth_is_reported_once() {
        let start = Instant::now();
        let mut every = Every::new(1000, LOG_EVERY, start);
        let reported: Vec<usize> = (0..=1000).filter(|&d| every.due(d, start)).collect();
        assert_eq!(
            reported,
            [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]
        );
    }

    #[test]
    fn a_silence_of_the_period_is_reported_even_without_progress() {
        let start = Instant::now();
        let mut every = Every::new(1000, LOG_EVERY, start);
        assert!(!every.due(5, start + Duration::from_secs(29)));
        assert!(every.due(5, start + Duration::from_secs(30)));
        assert!(
            !every.due(6, start + Duration::from_secs(59)),
            "30 s from the last line"
        );
        assert!(every.due(6, start + Duration::from_secs(60)));
        // A jump over several tenths is one line.
        assert!(every.due(450, start + Duration::from_secs(61)));
        assert!(!every.due(499, start + Duration::from_secs(62)));
        assert!(every.due(500, start + Duration::from_secs(62)));
    }

    #[test]
    fn few_things_report_each_tenth_they_cross() {
        let start = Instant::now();
        let mut every = Every::new(3, LOG_EVERY, start);
        let reported: Vec<usize> = (0..=3).filter(|&d| every.due(d, start)).collect();
        assert_eq!(reported, [1, 2, 3]);
    }

    #[test]
    fn the_eta_follows_the_pace_so_far() {
        assert_eq!(eta(0, 100, Duration::from_secs(10)), None);
        assert_eq!(
            eta(25, 100, Duration::from_secs(10)),
            Some(Duration::from_secs(30))
        );
        assert_eq!(eta(100, 100, Duration::from_secs(10)), Some(Duration::ZERO));
    }

    #[test]
    fn durations_read_as_people_say_them() {
        assert_eq!(human(Duration::from_secs(12)), "12 s");
        assert_eq!(human(Duration::from_secs(250)), "4 min 10 s");
        assert_eq!(human(Duration::from_secs(3900)), "1 h 05 min");
    }
}
