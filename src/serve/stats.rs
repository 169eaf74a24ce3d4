//! Counters of what the server did with every request: each request ends in exactly one answer counter, and each
//! queued delivery in exactly one of `succeeded` or `failed`. `/healthz` shows them; tests and the load test check
//! the books balance.

use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;

macro_rules! counters {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {
        #[derive(Debug, Default)]
        pub struct Counters {
            $($(#[$doc])* pub $name: AtomicU64,)*
        }

        /// A copy of the counters at one moment.
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
        pub struct Stats {
            $($(#[$doc])* pub $name: u64,)*
        }

        impl Counters {
            pub fn snapshot(&self) -> Stats {
                Stats { $($name: self.$name.load(Ordering::Relaxed),)* }
            }
        }
    };
}

counters! {
    /// 202: queued for work.
    queued,
    /// 200: the delivery id was seen before (its work is waiting, running or done).
    duplicates,
    /// 202: valid, but nothing to do (another event, a draft card, an edited comment, ...).
    ignored,
    /// 200: GitHub's `ping`.
    pings,
    /// 401: missing or wrong signature.
    unauthorized,
    /// 413: body over the limit.
    too_large,
    /// 408: the body did not arrive in time.
    timed_out,
    /// 400: signed, but headers or payload unusable.
    bad_requests,
    /// 503: shutting down, or the queue is full.
    unavailable,
    /// Queued work that finished well.
    succeeded,
    /// Queued work that failed (error, failed writes, panic or timeout).
    failed,
    /// Queued work running right now.
    running,
    /// Deliveries accepted before a restart and not finished then, queued again on start.
    resumed,
    /// Connections closed unanswered: over the connection limit, or too slow to send their request.
    dropped_connections,
}

impl Counters {
    pub fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    pub fn drop_one(counter: &AtomicU64) {
        counter.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Stats {
    /// Requests answered on `/webhook`.
    pub fn answered(&self) -> u64 {
        self.queued
            + self.duplicates
            + self.ignored
            + self.pings
            + self.unauthorized
            + self.too_large
            + self.timed_out
            + self.bad_requests
            + self.unavailable
    }

    /// Queued work that has finished.
    pub fn finished(&self) -> u64 {
        self.succeeded + self.failed
    }
}
