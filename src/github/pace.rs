//! Pacing of content-creating requests under GitHub's secondary rate limits.
//!
//! GitHub allows about 80 content-creating requests a minute and 500 an hour per token, and answers more with a
//! 403 or 429 that can last minutes ("Rate limits for the REST API", secondary rate limits). A first run that must
//! create hundreds of comments would hit that halfway and leave a half-done board; instead the client spreads those
//! requests out, and the run says up front how long that will take.
//!
//! The rule ([`Pace`]): up to `burst` requests at once, then one per `interval`. In any window of length W at most
//! `burst + W / interval` requests go out, so GitHub's default (20 at once, then one every 8 s) stays under 28 a
//! minute and 470 an hour, leaving room for the event handler and people working with the same token.
//!
//! Content-creating means a new comment, issue, label or reaction (POST). Label adds to an issue, status changes and
//! edits create nothing and are not paced.

use std::sync::Mutex;
use std::time::Duration;

use http::Method;
use tokio::time::Instant;

/// How fast content-creating requests may go: a burst, then one per interval. `interval == 0` is no pacing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pace {
    /// Requests that may go at once before the interval applies.
    pub burst: u32,
    /// Time between requests once the burst is spent.
    pub interval: Duration,
}

impl Pace {
    /// Under GitHub's 80 a minute and 500 an hour, with room to spare (see the module documentation).
    pub const GITHUB: Pace = Pace {
        burst: 20,
        interval: Duration::from_secs(8),
    };

    /// No pacing (tests, the fake GitHub, benchmarks).
    pub const OFF: Pace = Pace {
        burst: 0,
        interval: Duration::ZERO,
    };

    pub fn is_off(&self) -> bool {
        self.interval.is_zero()
    }

    /// The least time `count` content-creating requests take under this pace, starting rested.
    pub fn duration(&self, count: usize) -> Duration {
        let paced = count.saturating_sub(self.burst.max(1) as usize);
        self.interval
            .saturating_mul(u32::try_from(paced).unwrap_or(u32::MAX))
    }
}

/// Whether a request creates content: POST of a comment, an issue, a repository label or a reaction. `path` is
/// relative to the REST root (`/repos/o/r/issues/1/comments`).
pub fn is_content_creating(method: &Method, path: &str) -> bool {
    if method != Method::POST {
        return false;
    }
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match segments.as_slice() {
        ["repos", _, _, rest @ ..] => matches!(
            rest,
            ["issues"]
                | ["labels"]
                | ["issues", _, "comments"]
                | ["issues", _, "reactions"]
                | ["issues", "comments", _, "reactions"]
        ),
        _ => false,
    }
}

/// The pace as a schedule (generic cell rate algorithm): `next` is when the next request would go if nothing
/// had been sent early; a request may go up to `burst - 1` intervals before that.
#[derive(Debug)]
struct Schedule {
    pace: Pace,
    next: Option<Instant>,
    /// GitHub asked us to stop creating until then (a secondary rate limit): no create goes before it.
    held_until: Option<Instant>,
}

impl Schedule {
    /// Books a slot for a request wanted at `now` and returns when it may go.
    fn book(&mut self, now: Instant) -> Instant {
        let now = self.held_until.map_or(now, |held| held.max(now));
        if self.pace.is_off() {
            return now;
        }
        let next = self.next.unwrap_or(now).max(now);
        let early = self
            .pace
            .interval
            .saturating_mul(self.pace.burst.saturating_sub(1));
        let go = next.checked_sub(early).map_or(now, |t| t.max(now));
        self.next = Some(next.max(go) + self.pace.interval);
        go
    }
}

/// The client's limiter: [`Limiter::wait`] returns when the next content-creating request may go. Slots are
/// booked in call order, so concurrent callers are spread out too.
#[derive(Debug)]
pub struct Limiter {
    schedule: Mutex<Schedule>,
}

impl Limiter {
    pub fn new(pace: Pace) -> Limiter {
        Limiter {
            schedule: Mutex::new(Schedule {
                pace,
                next: None,
                held_until: None,
            }),
        }
    }

    pub fn pace(&self) -> Pace {
        self.schedule.lock().unwrap_or_else(|e| e.into_inner()).pace
    }

    /// GitHub answered a create with a secondary rate limit: every later create waits `wait` from now, not only
    /// the one that was refused (they all count against the same limit).
    pub fn hold(&self, wait: Duration) {
        let until = Instant::now() + wait;
        let mut schedule = self.schedule.lock().unwrap_or_else(|e| e.into_inner());
        schedule.held_until = Some(schedule.held_until.map_or(until, |held| held.max(until)));
    }

    /// Waits for this request's slot (not at all when pacing is off and GitHub asked for no pause).
    pub async fn wait(&self) {
        let go = self
            .schedule
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .book(Instant::now());
        let wait = go.saturating_duration_since(Instant::now());
        if !wait.is_zero() {
            tracing::debug!(
                wait_ms = wait.as_millis() as u64,
                "pacing a content-creating request"
            );
            tokio::time::sleep_until(go).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duration_counts_only_what_is_past_the_burst() {
        let pace = Pace::GITHUB;
        assert_eq!(pace.duration(0), Duration::ZERO);
        assert_eq!(pace.duration(20), Duration::ZERO);
        assert_eq!(pace.duration(21), Duration::from_secs(8));
        assert_eq!(pace.duration(600), Duration::from_secs(580 * 8));
        assert_eq!(Pace::OFF.duration(10_000), Duration::ZERO);
    }

    #[test]
    fn the_github_pace_stays_under_both_limits() {
        let pace = Pace::GITHUB;
        let most_in =
            |window: Duration| pace.burst as u128 + window.as_millis() / pace.interval.as_millis();
        assert!(most_in(Duration::from_secs(60)) <= 80);
        assert!(most_in(Duration::from_secs(3600)) <= 500);
    }

    #[test]
    fn content_creating_requests_are_recognised() {
        let post = Method::POST;
        for path in [
            "/repos/o/r/issues",
            "/repos/o/r/labels",
            "/repos/o/r/issues/48/comments",
            "/repos/o/r/issues/48/reactions",
            "/repos/o/r/issues/comments/7/reactions",
        ] {
            assert!(is_content_creating(&post, path), "{path}");
        }
        for (method, path) in [
            (Method::POST, "/repos/o/r/issues/48/labels"),
            (Method::GET, "/repos/o/r/issues/48/comments"),
            (Method::PATCH, "/repos/o/r/issues/comments/7"),
            (Method::DELETE, "/repos/o/r/issues/48/labels/fase%2Fa"),
            (Method::POST, "/graphql"),
            (Method::POST, "/app/installations/1/access_tokens"),
        ] {
            assert!(!is_content_creating(&method, path), "{method} {path}");
        }
    }

    #[test]
    fn a_hold_delays_every_later_create_even_without_pacing() {
        let start = Instant::now();
        let mut schedule = Schedule {
            pace: Pace::OFF,
            next: None,
            held_until: Some(start + Duration::from_secs(60)),
        };
        assert_eq!(schedule.book(start) - start, Duration::from_secs(60));
        assert_eq!(schedule.book(start) - start, Duration::from_secs(60));
        let after = start + Duration::from_secs(61);
        assert_eq!(schedule.book(after), after, "the hold is over");
    }

    #[test]
    fn a_schedule_allows_the_burst_then_one_per_interval() {
        let start = Instant::now();
        let mut schedule = Schedule {
            pace: Pace {
                burst: 3,
                interval: Duration::from_secs(10),
            },
            next: None,
            held_until: None,
        };
        let slots: Vec<u64> = (0..6)
            .map(|_| (schedule.book(start) - start).as_secs())
            .collect();
        assert_eq!(slots, [0, 0, 0, 10, 20, 30]);
        // After a long quiet spell the burst is back, and no more than that.
        let later = start + Duration::from_secs(1000);
        let slots: Vec<u64> = (0..4)
            .map(|_| (schedule.book(later) - later).as_secs())
            .collect();
        assert_eq!(slots, [0, 0, 0, 10]);
    }

    #[tokio::test(start_paused = true)]
    async fn the_limiter_spreads_requests_without_really_sleeping() {
        let pace = Pace {
            burst: 2,
            interval: Duration::from_secs(8),
        };
        let limiter = Limiter::new(pace);
        let start = Instant::now();
        let mut sent = Vec::new();
        for _ in 0..5 {
            limiter.wait().await;
            sent.push((Instant::now() - start).as_secs());
        }
        assert_eq!(sent, [0, 0, 8, 16, 24]);
        assert_eq!(Instant::now() - start, pace.duration(5));
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_callers_share_the_pace() {
        let limiter = std::sync::Arc::new(Limiter::new(Pace {
            burst: 1,
            interval: Duration::from_secs(5),
        }));
        let start = Instant::now();
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..4 {
            let limiter = limiter.clone();
            tasks.spawn(async move {
                limiter.wait().await;
                (Instant::now() - start).as_secs()
            });
        }
        let mut sent = tasks.join_all().await;
        sent.sort();
        assert_eq!(sent, [0, 5, 10, 15]);
    }

    #[tokio::test(start_paused = true)]
    async fn off_never_waits() {
        let limiter = Limiter::new(Pace::OFF);
        let start = Instant::now();
        for _ in 0..100 {
            limiter.wait().await;
        }
        assert_eq!(Instant::now(), start);
    }
}
