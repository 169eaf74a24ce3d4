//! When to try a request again, and how long to wait first.
//!
//! DESIGN.md, "Safety and failure": reads are retried with backoff on 5xx, timeouts and rate limits, honouring
//! `retry-after` and `x-ratelimit-reset`; writes are never retried blindly. The policy is data (so tests can make
//! backoff fast) and the decision is a pure function of the answer (so it is unit-tested without a server).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::{HeaderMap, StatusCode};

/// How hard to try.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in total, the first one included.
    pub max_attempts: u32,
    /// First backoff after a 5xx or a transport failure; doubled after every further failure.
    pub base_delay: Duration,
    /// The longest single wait. A rate limit that asks for more is reported instead of slept through: a scheduled
    /// run that waits an hour helps nobody, the next run converges.
    pub max_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(500),
            max_wait: Duration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    /// Backoff before attempt `failed + 1`, after `failed` failures: base × 2^(failed-1), plus up to a quarter of
    /// jitter so that parallel runs do not hammer in step; never more than `max_wait`.
    pub fn backoff(&self, failed: u32) -> Duration {
        let exp = failed.saturating_sub(1).min(16);
        let delay = self.base_delay.saturating_mul(1u32 << exp);
        let jitter_range = delay.as_nanos() / 4;
        let jitter = if jitter_range == 0 {
            0
        } else {
            u128::from(clock_nanos()) % jitter_range
        };
        let delay = delay + Duration::from_nanos(u64::try_from(jitter).unwrap_or(0));
        delay.min(self.max_wait)
    }
}

/// May this request be sent again after a failure?
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// A read: always safe to repeat.
    Read,
    /// A write whose repetition changes nothing (set a status, add or remove a label, edit a comment).
    Idempotent,
    /// A write that must not be repeated blindly (create a comment or an issue, react, add an item): the caller
    /// checks whether it landed before trying again.
    Never,
}

impl Retry {
    pub fn allows_retry(self) -> bool {
        !matches!(self, Retry::Never)
    }
}

/// What an answer means for retrying.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// A final answer (success, or an error that repeating will not fix).
    Final,
    /// Rate limited: wait exactly this long, then try again.
    WaitFor(Duration),
    /// A transient failure (5xx): back off, then try again.
    Backoff,
}

/// Decides from an HTTP answer whether to try again. `graphql_rate_limited` is true when a GraphQL body carries an
/// error of type `RATE_LIMITED` (GitHub's GraphQL API reports its primary rate limit that way).
pub fn classify(
    status: StatusCode,
    headers: &HeaderMap,
    body: &str,
    graphql_rate_limited: bool,
) -> Verdict {
    if status.is_success() {
        if graphql_rate_limited {
            return rate_limit_wait(headers).map_or(Verdict::Backoff, Verdict::WaitFor);
        }
        return Verdict::Final;
    }
    if status == StatusCode::FORBIDDEN || status == StatusCode::TOO_MANY_REQUESTS {
        if let Some(wait) = rate_limit_wait(headers) {
            return Verdict::WaitFor(wait);
        }
        // GitHub's secondary rate limits sometimes come without headers; its docs say to wait at least a minute.
        if body.to_ascii_lowercase().contains("secondary rate limit") {
            return Verdict::WaitFor(Duration::from_secs(60));
        }
        if status == StatusCode::TOO_MANY_REQUESTS {
            return Verdict::Backoff;
        }
        return Verdict::Final; // a plain 403: no permission, repeating will not help
    }
    if status.is_server_error() || status == StatusCode::REQUEST_TIMEOUT {
        return retry_after(headers).map_or(Verdict::Backoff, Verdict::WaitFor);
    }
    Verdict::Final
}

/// The wait a rate-limited answer asks for: `retry-after` (seconds) first, else `x-ratelimit-reset` (epoch
/// seconds) when `x-ratelimit-remaining` is 0.
fn rate_limit_wait(headers: &HeaderMap) -> Option<Duration> {
    if let Some(wait) = retry_after(headers) {
        return Some(wait);
    }
    if header(headers, "x-ratelimit-remaining")? != "0" {
        return None;
    }
    let reset: u64 = header(headers, "x-ratelimit-reset")?.parse().ok()?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH).ok()?.as_secs();
    // One second of slack: the reset is whole seconds and our clock may run a little ahead of GitHub's.
    Some(Duration::from_secs(reset.saturating_sub(now) + 1))
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    // GitHub sends delta-seconds; an HTTP date is allowed by RFC 9110 but GitHub does not use it.
    header(headers, "retry-after")?
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name)?.to_str().ok().map(str::trim)
}

fn clock_nanos() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::from(d.subsec_nanos()))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn success_is_final() {
        assert_eq!(
            classify(StatusCode::OK, &HeaderMap::new(), "{}", false),
            Verdict::Final
        );
    }

    #[test]
    fn retry_after_is_honoured_exactly() {
        let h = headers(&[("retry-after", "7")]);
        assert_eq!(
            classify(StatusCode::FORBIDDEN, &h, "", false),
            Verdict::WaitFor(Duration::from_secs(7))
        );
        assert_eq!(
            classify(StatusCode::TOO_MANY_REQUESTS, &h, "", false),
            Verdict::WaitFor(Duration::from_secs(7))
        );
        assert_eq!(
            classify(StatusCode::SERVICE_UNAVAILABLE, &h, "", false),
            Verdict::WaitFor(Duration::from_secs(7))
        );
    }

    #[test]
    fn exhausted_primary_limit_waits_until_reset() {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let reset = (now + 30).to_string();
        let h = headers(&[
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", &reset),
        ]);
        match classify(StatusCode::FORBIDDEN, &h, "", false) {
            Verdict::WaitFor(d) => assert!((29..=32).contains(&d.as_secs()), "{d:?}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn plain_forbidden_is_final() {
        let h = headers(&[("x-ratelimit-remaining", "4000")]);
        assert_eq!(
            classify(StatusCode::FORBIDDEN, &h, "Resource not accessible", false),
            Verdict::Final
        );
    }

    #[test]
    fn secondary_limit_without_headers_waits_a_minute() {
        let body = r#"{"message":"You have exceeded a secondary rate limit."}"#;
        assert_eq!(
            classify(StatusCode::FORBIDDEN, &HeaderMap::new(), body, false),
            Verdict::WaitFor(Duration::from_secs(60))
        );
    }

    #[test]
    fn server_errors_back_off_client_errors_do_not() {
        assert_eq!(
            classify(StatusCode::BAD_GATEWAY, &HeaderMap::new(), "", false),
            Verdict::Backoff
        );
        assert_eq!(
            classify(StatusCode::NOT_FOUND, &HeaderMap::new(), "", false),
            Verdict::Final
        );
        assert_eq!(
            classify(
                StatusCode::UNPROCESSABLE_ENTITY,
                &HeaderMap::new(),
                "",
                false
            ),
            Verdict::Final
        );
    }

    #[test]
    fn graphql_rate_limit_in_a_200() {
        assert_eq!(
            classify(StatusCode::OK, &HeaderMap::new(), "", true),
            Verdict::Backoff
        );
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let policy = RetryPolicy {
            max_attempts: 10,
            base_delay: Duration::from_millis(100),
            max_wait: Duration::from_millis(500),
        };
        let first = policy.backoff(1);
        assert!(
            first >= Duration::from_millis(100) && first <= Duration::from_millis(125),
            "{first:?}"
        );
        let second = policy.backoff(2);
        assert!(
            second >= Duration::from_millis(200) && second <= Duration::from_millis(250),
            "{second:?}"
        );
        assert_eq!(policy.backoff(8), Duration::from_millis(500));
    }
}
