//! The work queue: deduplication by delivery id, one lane per key, bounded concurrency, durability through the
//! [`Store`], and a bounded drain for shutdown.
//!
//! A lane is a task that runs the deliveries of one key (one issue) one after the other, in the order they were
//! accepted, and ends when its key has no more work. Two moves of the same card must not race (the second would
//! read the board before the first revert landed, and both could comment); different cards are independent, so
//! lanes run concurrently, up to `concurrency` deliveries at once (GitHub's secondary rate limits punish bursts
//! of writes, so this stays small).
//!
//! Each delivery runs in a task of its own: a panic or a hung request then fails that delivery only, and its lane,
//! its counters and the drain carry on.
//!
//! A delivery is in the store before [`Queue::submit`] says `Queued`, and leaves the `pending` state only when its
//! work has finished. [`Queue::halt`] (the end of a shutdown) stops everything at once and marks nothing: what had
//! not finished is still pending in the store, and [`Queue::resume`] runs it on the next start, in the same order.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use tokio::sync::{watch, Semaphore};
use tokio::task::AbortHandle;
use tracing::Instrument;

use super::dedup::{Fate, Seen};
use super::intake::{self, Delivery, Intake};
use super::stats::Counters;
use super::store::{Store, Stored};
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
    /// The store could not record it (disk full, ...): not accepted, GitHub is told to redeliver.
    Unsaved,
}

pub struct Queue<W> {
    worker: Arc<W>,
    limits: Limits,
    permits: Arc<Semaphore>,
    state: Mutex<State>,
    /// The number of accepted deliveries not yet finished, for the drain to wait on.
    pending: watch::Sender<usize>,
    counters: Arc<Counters>,
    store: Arc<Store>,
    /// Held from the duplicate check to the lane: deliveries reach the lanes in the order the store has them, and
    /// two copies of one delivery arriving at once cannot both pass the check.
    intake: tokio::sync::Mutex<()>,
}

struct State {
    closed: bool,
    /// Nothing more starts, and running work was aborted: see [`Queue::halt`].
    halted: bool,
    seen: Seen,
    /// Key → deliveries waiting behind the one running. A key is present exactly while its lane task runs.
    lanes: HashMap<String, VecDeque<Delivery>>,
    pending: usize,
    /// Delivery id → its running task, for [`Queue::halt`].
    running: HashMap<String, AbortHandle>,
}

/// Runs blocking store work off the async threads; a panic in it is reported as an error.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> rusqlite::Result<T> + Send + 'static,
) -> Result<T, String> {
    match tokio::task::spawn_blocking(work).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(e.to_string()),
        Err(e) => Err(e.to_string()),
    }
}

impl<W: Worker> Queue<W> {
    pub fn new(worker: W, limits: Limits, counters: Arc<Counters>, store: Store) -> Arc<Queue<W>> {
        Arc::new(Queue {
            worker: Arc::new(worker),
            permits: Arc::new(Semaphore::new(limits.concurrency.max(1))),
            state: Mutex::new(State {
                closed: false,
                halted: false,
                seen: Seen::new(limits.remember),
                lanes: HashMap::new(),
                pending: 0,
                running: HashMap::new(),
            }),
            pending: watch::channel(0).0,
            counters,
            limits,
            store: Arc::new(store),
            intake: tokio::sync::Mutex::new(()),
        })
    }

    /// The state lock is only ever held for a few map operations, never across an await: a panic while holding it
    /// cannot leave the maps half-changed, so a poisoned lock is still safe to use.
    fn state(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Loads what the store remembers and queues the deliveries that were accepted and not finished, in their
    /// order. Call once, before the first [`Queue::submit`]. Returns how many were queued again.
    pub fn resume(self: &Arc<Self>) -> rusqlite::Result<usize> {
        let mut resumed = 0;
        let mut unusable = Vec::new();
        let finished = self.store.load(|stored: Stored| {
            // Verified when it arrived; judged again by today's code, so a stored body is never trusted further.
            match intake::judge(&stored.event, &stored.id, &stored.body) {
                Ok(Intake::Work(delivery)) => {
                    self.enqueue(delivery);
                    resumed += 1;
                }
                Ok(_) => unusable.push((stored.id, Fate::Done, "needs no action now".to_string())),
                Err(why) => unusable.push((stored.id, Fate::Failed, why.to_string())),
            }
        })?;
        {
            let mut state = self.state();
            for (id, fate) in finished {
                if state.seen.fate(&id).is_none() {
                    state.seen.record(&id, fate);
                }
            }
        }
        for (id, fate, why) in unusable {
            tracing::warn!(delivery = %id, "a stored delivery is not run again: {why}");
            self.store.finish(&id, fate)?;
            self.state().seen.record(&id, fate);
        }
        Counters::add(&self.counters.resumed, resumed as u64);
        Ok(resumed)
    }

    /// Accepts a delivery unless it is a duplicate, the queue is full, the server is shutting down, or the store
    /// cannot record it. `Queued` means it is in the store. Must be called inside a Tokio runtime.
    pub async fn submit(self: &Arc<Self>, delivery: Delivery, body: Bytes) -> Submitted {
        let _in_order = self.intake.lock().await;
        {
            let state = self.state();
            if !state.seen.is_new(&delivery.id) {
                return Submitted::Duplicate(
                    state.seen.fate(&delivery.id).unwrap_or(Fate::Pending),
                );
            }
            if state.closed {
                return Submitted::Closed;
            }
            if state.pending >= self.limits.max_queued.max(1) {
                return Submitted::Full;
            }
        }
        let store = Arc::clone(&self.store);
        let (id, event) = (delivery.id.clone(), delivery.event.clone());
        if let Err(e) = blocking(move || store.accept(&id, &event, &body)).await {
            tracing::error!(delivery = %delivery.id, "cannot store the delivery, refusing it: {e}");
            return Submitted::Unsaved;
        }
        self.enqueue(delivery);
        Submitted::Queued
    }

    fn enqueue(self: &Arc<Self>, delivery: Delivery) {
        let mut state = self.state();
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
    }

    /// Refuses new deliveries from now on; accepted ones still run.
    pub fn close(&self) {
        self.state().closed = true;
    }

    /// Stops at once: nothing more starts, running work is aborted, and nothing is marked, so every unfinished
    /// delivery stays pending in the store for the next start. Returns how many were left.
    pub fn halt(&self) -> usize {
        let mut state = self.state();
        state.closed = true;
        state.halted = true;
        for task in state.running.values() {
            task.abort();
        }
        state.pending
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
            if next.is_none() || state.halted {
                state.lanes.remove(&key);
                return;
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
        let worker = Arc::clone(&self.worker);
        let mut task =
            tokio::spawn(async move { worker.run(delivery).await }.instrument(span.clone()));
        {
            let mut state = self.state();
            if state.halted {
                task.abort();
                return;
            }
            state.running.insert(id.clone(), task.abort_handle());
        }
        let started = Instant::now();
        Counters::bump(&self.counters.running);
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
        let halted = {
            let mut state = self.state();
            state.running.remove(&id);
            state.halted
        };
        if halted && outcome.is_err() {
            // Aborted by the halt: whatever it got done, it stays pending and runs again on the next start (every
            // write is idempotent), so it is neither counted nor marked.
            return;
        }
        let ms = started.elapsed().as_millis() as u64;
        let fate = match outcome {
            Ok(output) => {
                span.in_scope(|| {
                    tracing::info!(ms, "done");
                    tracing::debug!("{}", output.trim_end());
                });
                Fate::Done
            }
            Err(error) => {
                span.in_scope(|| {
                    tracing::error!(ms, "failed (a redelivery will try again): {error}")
                });
                Fate::Failed
            }
        };
        let store = Arc::clone(&self.store);
        let marked = id.clone();
        if let Err(e) = blocking(move || store.finish(&marked, fate)).await {
            // It then runs again on the next start, which idempotent writes make harmless.
            span.in_scope(|| {
                tracing::error!("cannot mark the delivery finished in the store: {e}")
            });
        }
        // Only now: with concurrency 1 the next delivery starts after this one is marked, so a crash never leaves
        // two deliveries acted on and unmarked.
        drop(permit);
        let mut state = self.state();
        state.seen.record(&id, fate);
        state.pending = state.pending.saturating_sub(1);
        self.pending.send_replace(state.pending);
        // Counted last, so whoever sees the count also sees the delivery as finished (a redelivery is then judged
        // by its fate, not as "still running").
        Counters::bump(if fate == Fate::Done {
            &self.counters.succeeded
        } else {
            &self.counters.failed
        });
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
            trigger: Trigger::Ignore(crate::language::Bilingual::new("test", "test")),
            sender: "kari".into(),
            owner: "digdir".into(),
        }
    }

    fn memory() -> Store {
        Store::open(None, 1000).unwrap()
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
        let queue = Queue::new(worker, limits(4), Arc::default(), memory());
        for i in 0..5 {
            assert_eq!(
                queue
                    .submit(delivery(&format!("d{i}"), "k"), Bytes::new())
                    .await,
                Submitted::Queued
            );
        }
        assert_eq!(
            queue.submit(delivery("d1", "k"), Bytes::new()).await,
            Submitted::Duplicate(Fate::Pending)
        );
        queue.drained().await;
        assert_eq!(*log.lock().unwrap(), ["d0", "d1", "d2", "d3", "d4"]);
        assert_eq!(
            queue.submit(delivery("d4", "k"), Bytes::new()).await,
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
        let queue = Queue::new(worker, l, counters.clone(), memory());
        for id in ["panic", "slow", "err", "fine"] {
            assert_eq!(
                queue.submit(delivery(id, "same"), Bytes::new()).await,
                Submitted::Queued
            );
        }
        queue.drained().await;
        let stats = counters.snapshot();
        assert_eq!((stats.succeeded, stats.failed, stats.running), (1, 3, 0));
        assert_eq!(
            queue.submit(delivery("err", "same"), Bytes::new()).await,
            Submitted::Queued,
            "a failed delivery may be retried"
        );
        queue.close();
        assert_eq!(
            queue.submit(delivery("new", "same"), Bytes::new()).await,
            Submitted::Closed
        );
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
        let queue = Queue::new(worker, l, Arc::default(), memory());
        assert_eq!(
            queue.submit(delivery("a", "1"), Bytes::new()).await,
            Submitted::Queued
        );
        assert_eq!(
            queue.submit(delivery("b", "2"), Bytes::new()).await,
            Submitted::Queued
        );
        assert_eq!(
            queue.submit(delivery("c", "3"), Bytes::new()).await,
            Submitted::Full
        );
        queue.drained().await;
        assert_eq!(queue.pending(), 0);
    }
}
