//! Refusals logged at a bounded rate. Anyone on the internet can make the server refuse a request, so a WARN line per
//! refusal would let them fill the disk; the counters in `/healthz` still count every one.

use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct Throttle {
    every: Duration,
    state: Mutex<Window>,
}

#[derive(Default)]
struct Window {
    last: Option<Instant>,
    suppressed: u64,
}

impl Throttle {
    /// At most one line per `every`.
    pub fn new(every: Duration) -> Throttle {
        Throttle {
            every,
            state: Mutex::new(Window::default()),
        }
    }

    /// `Some(n)` when a line may be written now, `n` being how many were suppressed since the last one; `None` when
    /// this one is to be suppressed (and counted).
    pub fn admit(&self, now: Instant) -> Option<u64> {
        // Only plain fields change under the lock, so a poisoned lock is still consistent.
        let mut window = self.state.lock().unwrap_or_else(|p| p.into_inner());
        match window.last {
            Some(last) if now.saturating_duration_since(last) < self.every => {
                window.suppressed += 1;
                None
            }
            _ => {
                window.last = Some(now);
                Some(std::mem::take(&mut window.suppressed))
            }
        }
    }
}

/// `tracing::warn!` through a [`Throttle`], adding `suppressed = n` when lines were left out.
macro_rules! warn_throttled {
    ($throttle:expr, $($arg:tt)+) => {
        if let Some(suppressed) = $throttle.admit(std::time::Instant::now()) {
            tracing::warn!(suppressed, $($arg)+);
        }
    };
}
pub(crate) use warn_throttled;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_per_period_with_the_count_of_those_left_out() {
        let throttle = Throttle::new(Duration::from_secs(10));
        let t0 = Instant::now();
        assert_eq!(throttle.admit(t0), Some(0));
        for s in 1..=9 {
            assert_eq!(throttle.admit(t0 + Duration::from_secs(s)), None);
        }
        assert_eq!(throttle.admit(t0 + Duration::from_secs(10)), Some(9));
        assert_eq!(throttle.admit(t0 + Duration::from_secs(11)), None);
        assert_eq!(throttle.admit(t0 + Duration::from_secs(30)), Some(1));
    }
}
