//! Pacing of content-creating requests and GraphQL mutations under GitHub's secondary rate limits.
//!
//! GitHub allows 80 content-creating requests a minute and 500 an hour ("Rate limits for the REST API",
//! secondary rate limits), and answers more with a 403 or 429 that can last minutes. A first run that must create
//! hundreds of comments would hit that halfway and leave a half-done board; instead the client spreads those
//! requests out, and the run says up front how long that will take.
//!
//! The rule ([`Pace`]): at most `per_minute` requests in any 60 s and `per_hour` in any 3,600 s (both less
//! `headroom`, left to people and the event handler working with the same token), and at least `spacing` between
//! two of them (none for GitHub: the client sends one request at a time, so its latency spaces them). With GitHub's
//! numbers and a headroom of 10: 70 in the first minute, 70 more a minute later, so 300 creates take 4 minutes;
//! the 491st in an hour waits for the first to leave the hour.
//!
//! GraphQL mutations have a budget of their own: 2,000 points a minute, and a mutation request costs 5 points, so
//! at most 2,000 / 5 = 400 mutation requests in any minute ([`Pace::GRAPHQL_MUTATIONS`]: 60 s / 400 = one per
//! 0.15 s on average; a burst under that is allowed, as GitHub counts points per minute).
//!
//! One limiter per process and identity ([`shared`]): every forge of `serve`, and every forge made after a token
//! refresh, books its creates in the same windows.
//!
//! Content-creating means a new comment, issue, label or reaction (POST). Label adds to an issue, status changes and
//! edits create nothing and are not paced as creates.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use http::Method;
use tokio::time::Instant;

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);

/// How fast requests of one kind may go: two windows, less a headroom, and a least spacing. A pace with
/// `per_minute == 0` is no pacing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Pace {
    /// Requests allowed in any 60 s (before the headroom).
    pub per_minute: u32,
    /// Requests allowed in any 3,600 s (before the headroom).
    pub per_hour: u32,
    /// Left to others using the same identity: taken off both windows.
    pub headroom: u32,
    /// Least time between two requests.
    pub spacing: Duration,
}

impl Pace {
    /// GitHub's documented budget for content-creating requests, with a headroom of 10 (see the module
    /// documentation).
    pub const GITHUB: Pace = Pace {
        per_minute: 80,
        per_hour: 500,
        headroom: 10,
        spacing: Duration::ZERO,
    };

    /// GitHub's GraphQL budget for mutations: 2,000 points a minute at 5 points a request (module documentation).
    pub const GRAPHQL_MUTATIONS: Pace = Pace {
        per_minute: 2000 / 5,
        per_hour: u32::MAX,
        headroom: 0,
        spacing: Duration::ZERO,
    };

    /// No pacing (tests, the fake GitHub, benchmarks).
    pub const OFF: Pace = Pace {
        per_minute: 0,
        per_hour: 0,
        headroom: 0,
        spacing: Duration::ZERO,
    };

    /// GitHub's budget with other numbers (`[sync]` in the configuration).
    pub fn creates(per_minute: u32, per_hour: u32, headroom: u32) -> Pace {
        Pace {
            per_minute,
            per_hour,
            headroom,
            ..Pace::GITHUB
        }
    }

    pub fn is_off(&self) -> bool {
        self.per_minute == 0
    }

    /// Requests allowed in any minute and in any hour, headroom taken off (at least one each, so a pace never
    /// stops everything).
    fn allowed(&self) -> (usize, usize) {
        let minute = self.per_minute.saturating_sub(self.headroom).max(1);
        let hour = self.per_hour.saturating_sub(self.headroom).max(1);
        (minute as usize, hour as usize)
    }

    /// The least time `count` requests take under this pace, starting rested: when the last one may go.
    pub fn duration(&self, count: usize) -> Duration {
        if self.is_off() || count == 0 {
            return Duration::ZERO;
        }
        // The schedule itself, run on a clock that does not move: exact for both windows and the spacing.
        let start = Instant::now();
        let mut schedule = Schedule::new(*self);
        let mut last = start;
        for _ in 0..count {
            last = schedule.book(start);
        }
        last - start
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

/// The pace as a schedule: the times booked in the last hour, oldest first. Bookings never go back in time, so a
/// new one only has to be a minute after the booking `per_minute` back, an hour after the one `per_hour` back,
/// and `spacing` after the last.
#[derive(Debug)]
struct Schedule {
    pace: Pace,
    booked: VecDeque<Instant>,
    /// GitHub asked us to stop creating until then (a secondary rate limit): no create goes before it.
    held_until: Option<Instant>,
}

impl Schedule {
    fn new(pace: Pace) -> Schedule {
        Schedule {
            pace,
            booked: VecDeque::new(),
            held_until: None,
        }
    }

    /// Books a slot for a request wanted at `now` and returns when it may go.
    fn book(&mut self, now: Instant) -> Instant {
        let mut go = self.held_until.map_or(now, |held| held.max(now));
        if self.pace.is_off() {
            return go;
        }
        let (per_minute, per_hour) = self.pace.allowed();
        if let Some(&last) = self.booked.back() {
            go = go.max(last + self.pace.spacing);
        }
        let len = self.booked.len();
        if len >= per_minute {
            go = go.max(self.booked[len - per_minute] + MINUTE);
        }
        if len >= per_hour {
            go = go.max(self.booked[len - per_hour] + HOUR);
        }
        self.booked.push_back(go);
        // What is an hour old, or more than `per_hour` back, can bind no later booking.
        while self.booked.len() > per_hour.max(per_minute)
            || self
                .booked
                .front()
                .is_some_and(|&t| t + HOUR <= go && self.booked.len() > 1)
        {
            self.booked.pop_front();
        }
        go
    }
}

/// A limiter: [`Limiter::wait`] returns when the next request of its kind may go. Slots are booked in call order,
/// so concurrent callers are spread out too.
#[derive(Debug)]
pub struct Limiter {
    schedule: Mutex<Schedule>,
}

impl Limiter {
    pub fn new(pace: Pace) -> Limiter {
        Limiter {
            schedule: Mutex::new(Schedule::new(pace)),
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
            tracing::debug!(wait_ms = wait.as_millis() as u64, "pacing a request");
            tokio::time::sleep_until(go).await;
        }
    }
}

/// The process's limiter for `key` (the API root and who we are) and `pace`: made once, shared by every client
/// with the same key, so that forges made side by side (`serve`) or one after another (token refreshes, retired
/// forges) book in the same windows. `key` must not hold a secret in clear (it is kept for the process's life).
pub fn shared(key: &str, pace: Pace) -> Arc<Limiter> {
    type Registry = Mutex<HashMap<(String, Pace), Arc<Limiter>>>;
    static LIMITERS: OnceLock<Registry> = OnceLock::new();
    let mut limiters = LIMITERS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    limiters
        .entry((key.to_string(), pace))
        .or_insert_with(|| Arc::new(Limiter::new(pace)))
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Seconds after `start` at which `count` requests wanted at `start` may go.
    fn slots(schedule: &mut Schedule, start: Instant, count: usize) -> Vec<u64> {
        (0..count)
            .map(|_| (schedule.book(start) - start).as_secs())
            .collect()
    }

    #[test]
    fn githubs_budget_creates_300_in_under_6_minutes() {
        let pace = Pace::GITHUB;
        // 70 a minute (80 less the headroom of 10).
        assert_eq!(pace.duration(1), Duration::ZERO);
        assert_eq!(pace.duration(70), Duration::ZERO);
        assert_eq!(pace.duration(71), MINUTE);
        assert_eq!(pace.duration(300), 4 * MINUTE);
        assert!(pace.duration(300) < 6 * MINUTE);
        // 490 an hour: the 491st waits until the first is an hour old.
        assert_eq!(pace.duration(490), 6 * MINUTE);
        assert_eq!(pace.duration(491), HOUR);
        assert_eq!(pace.duration(981), 2 * HOUR);
        assert_eq!(Pace::OFF.duration(10_000), Duration::ZERO);
    }

    #[test]
    fn no_window_ever_holds_more_than_the_budget() {
        let start = Instant::now();
        for pace in [
            Pace::GITHUB,
            Pace::creates(80, 500, 0),
            Pace::GRAPHQL_MUTATIONS,
            Pace {
                spacing: Duration::ZERO,
                ..Pace::GITHUB
            },
        ] {
            let mut schedule = Schedule::new(pace);
            let times: Vec<Instant> = (0..1500).map(|_| schedule.book(start)).collect();
            let (minute, hour) = pace.allowed();
            for (i, &t) in times.iter().enumerate() {
                let in_minute = times[i..].iter().take_while(|&&u| u < t + MINUTE).count();
                let in_hour = times[i..].iter().take_while(|&&u| u < t + HOUR).count();
                assert!(in_minute <= minute, "{pace:?}: {in_minute} in a minute");
                assert!(in_hour <= hour, "{pace:?}: {in_hour} in an hour");
            }
        }
    }

    #[test]
    fn without_spacing_the_minute_window_allows_a_burst_then_waits() {
        let start = Instant::now();
        let mut schedule = Schedule::new(Pace {
            per_minute: 5,
            per_hour: 8,
            headroom: 2,
            spacing: Duration::ZERO,
        });
        // 3 a minute and 6 an hour after the headroom.
        assert_eq!(
            slots(&mut schedule, start, 8),
            [0, 0, 0, 60, 60, 60, 3600, 3600]
        );
        // After a quiet hour the burst is back.
        let later = start + Duration::from_secs(3 * 3600);
        assert_eq!(slots(&mut schedule, later, 4), [0, 0, 0, 60]);
    }

    #[test]
    fn the_graphql_mutation_budget_is_400_a_minute() {
        // 2,000 points a minute, 5 points a mutation request.
        let pace = Pace::GRAPHQL_MUTATIONS;
        assert_eq!(pace.allowed().0, 400);
        assert_eq!(pace.duration(400), Duration::ZERO);
        assert_eq!(pace.duration(401), MINUTE);
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
        let mut schedule = Schedule::new(Pace::OFF);
        schedule.held_until = Some(start + Duration::from_secs(60));
        assert_eq!(schedule.book(start) - start, Duration::from_secs(60));
        assert_eq!(schedule.book(start) - start, Duration::from_secs(60));
        let after = start + Duration::from_secs(61);
        assert_eq!(schedule.book(after), after, "the hold is over");
    }

    #[tokio::test(start_paused = true)]
    async fn the_limiter_spreads_requests_without_really_sleeping() {
        let pace = Pace {
            per_minute: 3,
            per_hour: 100,
            headroom: 0,
            spacing: Duration::from_secs(8),
        };
        let limiter = Limiter::new(pace);
        let start = Instant::now();
        let mut sent = Vec::new();
        for _ in 0..5 {
            limiter.wait().await;
            sent.push((Instant::now() - start).as_secs());
        }
        // Spaced by 8 s; the 4th must also wait for the 1st to leave the minute.
        assert_eq!(sent, [0, 8, 16, 60, 68]);
        assert_eq!(Instant::now() - start, pace.duration(5));
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_callers_share_the_pace() {
        let limiter = Arc::new(Limiter::new(Pace {
            per_minute: 100,
            per_hour: 100,
            headroom: 0,
            spacing: Duration::from_secs(5),
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
    async fn clients_of_one_identity_share_one_limiter() {
        let pace = Pace::creates(3, 100, 0);
        let first = shared("http://api.test token 1", pace);
        let second = shared("http://api.test token 1", pace);
        let other = shared("http://api.test token 2", pace);
        assert!(Arc::ptr_eq(&first, &second));
        assert!(!Arc::ptr_eq(&first, &other));
        let start = Instant::now();
        for limiter in [&first, &second, &first] {
            limiter.wait().await;
        }
        assert_eq!(Instant::now(), start, "3 a minute go at once");
        other.wait().await;
        assert_eq!(
            Instant::now(),
            start,
            "another identity has a minute of its own"
        );
        // The first client's bookings count for the second: its next create waits for the minute.
        second.wait().await;
        assert_eq!(Instant::now() - start, MINUTE);
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
