//! The work queue: deduplication by delivery id, one lane per key, bounded concurrency, and a drain for shutdown.
//!
//! A lane is a task that runs the deliveries of one key (one issue) one after the other, in the order they were
//! accepted, and ends when its key has no more work. Two moves of the same card must not race (the second would
//! read the board before the first revert landed, and both could comment); different cards are independent, so
//! lanes run concurrently, up to `concurrency` deliveries at once (GitHub's secondary rate limits punish bursts
//! of writes, so this stays small).
//!
//! Each delivery runs in a task of its own: a panic or a hung request then fails that delivery only, and its lane,
//! its counters and the drain carry on.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::{watch, Semaphore};
use tracing::Instrument;

use super::dedup::{Fate, Seen};
use super::intake::Delivery;
use super::stats::Counters;
use super::worker::Worker;
use crate::run::Exit;

/// How much the queue takes on.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Deliveries running at once (over all keys).
    pub concurrency: usize,
    /// Accepted deliveries not yet finished; beyond this a delivery gets 503.
    pub max_queued: usize,
    /// Delivery ids remembered for deduplication.
    pub remember: usize,
    /// A delivery that takes longer fails (and frees its lane).
    pub job_timeout: Duration,
}

/// The answer to [`Queue::submit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Submitted {
    Queued,
    /// Seen before: waiting or running (`Pending`), or done.
    Duplicate(Fate),
    /// `max_queued` deliveries are waiting already.
    Full,
    /// Shutting down.
    Closed,
}

pub struct Queue<W> {
    worker: Arc<W>,
    limits: Limits,
    permits: Arc<Semaphore>,
    state: Mutex<State>,
    /// The number of accepted deliveries not yet finished, for the drain to wait on.
    pending: watch::Sender<usize>,
    counters: Arc<Counters>,
}

struct State {
    closed: bool,
    seen: Seen,
    /// Key → deliveries waiting behind the one running. A key is present exactly while its lane task runs.
    lanes: HashMap<String, VecDeque<Delivery>>,
    pending: usize,
}

impl<W: Worker> Queue<W> {
    pub fn new(worker: W, limits: Limits, counters: Arc<Counters>) -> Arc<Queue<W>> {
        Arc::new(Queue {
            worker: Arc::new(worker),
            permits: Arc::new(Semaphore::new(limits.concurrency.max(1))),
            state: Mutex::new(State {
                closed: false,
                seen: Seen::new(limits.remember),
                lanes: HashMap::new(),
                pending: 0,
            }),
            pending: watch::channel(0).0,
            counters,
            limits,
        })
    }

    /// The state lock is only ever held for a few map operations, never across an await: a panic while holding it
    /// cannot leave the maps half-changed, so a poisoned lock is still safe to use.
    fn state(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Accepts a delivery unless it is a duplicate, the queue is full, or the server is shutting down. Must be
    /// called inside a Tokio runtime (it may start a lane task).
    pub fn submit(self: &Arc<Self>, delivery: Delivery) -> Submitted {
        let mut state = self.state();
        if !state.seen.is_new(&delivery.id) {
            return Submitted::Duplicate(state.seen.fate(&delivery.id).unwrap_or(Fate::Pending));
        }
        if state.closed {
            return Submitted::Closed;
        }
        if state.pending >= self.limits.max_queued.max(1) {
            return Submitted::Full;
        }
        state.seen.record(&delivery.id, Fate::Pending);
        state.pending += 1;
        self.pending.send_replace(state.pending);
        match state.lanes.get_mut(&delivery.key) {
            Some(waiting) => waiting.push_back(delivery),
            None => {
                state.lanes.insert(delivery.key.clone(), VecDeque::new());
                tokio::spawn(Arc::clone(self).lane(delivery));
            }
        }
        Submitted::Queued
    }

    /// Refuses new deliveries from now on; accepted ones still run.
    pub fn close(&self) {
        self.state().closed = true;
    }

    pub fn is_closed(&self) -> bool {
        self.state().closed
    }

    /// Accepted deliveries not yet finished.
    pub fn pending(&self) -> usize {
        *self.pending.borrow()
    }

    /// Waits until every accepted delivery has finished. With the queue closed, that is the end of all work.
    pub async fn drained(&self) {
        let mut pending = self.pending.subscribe();
        // The sender lives in `self`, so this only ends when the count reaches zero.
        let _ = pending.wait_for(|n| *n == 0).await;
    }

    async fn lane(self: Arc<Self>, first: Delivery) {
        let key = first.key.clone();
        let mut next = Some(first);
        while let Some(delivery) = next {
            self.run_one(delivery).await;
            let mut state = self.state();
            next = state.lanes.get_mut(&key).and_then(VecDeque::pop_front);
            if next.is_none() {
                state.lanes.remove(&key);
            }
        }
    }

    async fn run_one(&self, delivery: Delivery) {
        // The semaphore is never closed, so acquiring only waits.
        let permit = Arc::clone(&self.permits).acquire_owned().await.ok();
        let span = tracing::info_span!(
            "delivery",
            id = %delivery.id,
            event = %delivery.event,
            action = %delivery.action,
            key = %delivery.key,
            sender = %delivery.sender,
        );
        let id = delivery.id.clone();
        let started = Instant::now();
        Counters::bump(&self.counters.running);
        let worker = Arc::clone(&self.worker);
        let mut task =
            tokio::spawn(async move { worker.run(delivery).await }.instrument(span.clone()));
        let outcome = match tokio::time::timeout(self.limits.job_timeout, &mut task).await {
            Ok(Ok(Ok(done))) if done.exit == Exit::Ok => Ok(done.output),
            Ok(Ok(Ok(done))) => Err(format!("some writes failed: {}", done.output.trim())),
            Ok(Ok(Err(error))) => Err(format!("{error:#}")),
            Ok(Err(join)) if join.is_panic() => Err("the worker panicked".to_string()),
            Ok(Err(_)) => Err("the work was cancelled".to_string()),
            Err(_) => {
                task.abort();
                Err(format!(
                    "no result within {} s",
                    self.limits.job_timeout.as_secs()
                ))
            }
        };
        Counters::drop_one(&self.counters.running);
        drop(permit);
        let ms = started.elapsed().as_millis() as u64;
        let fate = match outcome {
            Ok(output) => {
                Counters::bump(&self.counters.succeeded);
                span.in_scope(|| {
                    tracing::info!(ms, "done");
                    tracing::debug!("{}", output.trim_end());
                });
                Fate::Done
            }
            Err(error) => {
                Counters::bump(&self.counters.failed);
                span.in_scope(|| {
                    tracing::error!(ms, "failed (a redelivery will try again): {error}")
                });
                Fate::Failed
            }
        };
        let mut state = self.state();
        state.seen.record(&id, fate);
        state.pending = state.pending.saturating_sub(1);
        self.pending.send_replace(state.pending);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Trigger;
    use crate::serve::worker::Done;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn delivery(id: &str, key: &str) -> Delivery {
        Delivery {
            id: id.into(),
            event: "issues".into(),
            action: "edited".into(),
            key: key.into(),
            trigger: Trigger::Ignore("test".into()),
            sender: "kari".into(),
            owner: "digdir".into(),
        }
    }

    fn limits(concurrency: usize) -> Limits {
        Limits {
            concurrency,
            max_queued: 100,
            remember: 1000,
            job_timeout: Duration::from_secs(5),
        }
    }

    #[tokio::test]
    async fn same_key_in_order_one_at_a_time_and_duplicates_once() {
        let log = Arc::new(Mutex::new(Vec::new()));
        let busy = Arc::new(AtomicUsize::new(0));
        let (l, b) = (log.clone(), busy.clone());
        let worker = move |d: Delivery| {
            let (log, busy) = (l.clone(), b.clone());
            async move {
                assert_eq!(
                    busy.fetch_add(1, Ordering::SeqCst),
                    0,
                    "two runs of one key at once"
                );
                tokio::time::sleep(Duration::from_millis(5)).await;
                log.lock().unwrap().push(d.id);
                busy.fetch_sub(1, Ordering::SeqCst);
                Ok(Done::ok(""))
            }
        };
        let queue = Queue::new(worker, limits(4), Arc::default());
        for i in 0..5 {
            assert_eq!(
                queue.submit(delivery(&format!("d{i}"), "k")),
                Submitted::Queued
            );
        }
        assert_eq!(
            queue.submit(delivery("d1", "k")),
            Submitted::Duplicate(Fate::Pending)
        );
        queue.drained().await;
        assert_eq!(*log.lock().unwrap(), ["d0", "d1", "d2", "d3", "d4"]);
        assert_eq!(
            queue.submit(delivery("d4", "k")),
            Submitted::Duplicate(Fate::Done)
        );
    }

    #[tokio::test]
    async fn failures_panics_and_timeouts_free_the_lane_and_may_be_redelivered() {
        let worker = |d: Delivery| async move {
            match d.id.as_str() {
                "panic" => panic!("boom"),
                "slow" => tokio::time::sleep(Duration::from_secs(60)).await,
                "err" => anyhow::bail!("GitHub said no"),
                _ => {}
            }
            Ok(Done::ok(""))
        };
        let counters = Arc::new(Counters::default());
        let mut l = limits(2);
        l.job_timeout = Duration::from_millis(50);
        let queue = Queue::new(worker, l, counters.clone());
        for id in ["panic", "slow", "err", "fine"] {
            assert_eq!(queue.submit(delivery(id, "same")), Submitted::Queued);
        }
        queue.drained().await;
        let stats = counters.snapshot();
        assert_eq!((stats.succeeded, stats.failed, stats.running), (1, 3, 0));
        assert_eq!(
            queue.submit(delivery("err", "same")),
            Submitted::Queued,
            "a failed delivery may be retried"
        );
        queue.close();
        assert_eq!(queue.submit(delivery("new", "same")), Submitted::Closed);
        queue.drained().await;
    }

    #[tokio::test]
    async fn a_full_queue_refuses() {
        let worker = |_d: Delivery| async {
            tokio::time::sleep(Duration::from_millis(20)).await;
            Ok(Done::ok(""))
        };
        let mut l = limits(1);
        l.max_queued = 2;
        let queue = Queue::new(worker, l, Arc::default());
        assert_eq!(queue.submit(delivery("a", "1")), Submitted::Queued);
        assert_eq!(queue.submit(delivery("b", "2")), Submitted::Queued);
        assert_eq!(queue.submit(delivery("c", "3")), Submitted::Full);
        queue.drained().await;
        assert_eq!(queue.pending(), 0);
    }
}
