//! The accept loop: hyper's HTTP/1 connections with a header-read timeout, at most `max_connections` open, and a
//! graceful stop. (axum::serve has neither the timeout nor the limit: idle, half-sent and trickled connections
//! stayed open forever, and enough of them exhausted the file descriptors, so signed deliveries went unanswered.)
//!
//! When every slot is taken, the connection that has waited longest without a complete request (idle, or still
//! sending its head or body) is closed to make room, if it is older than [`EVICTABLE_AFTER`]: a proxy forwarding
//! GitHub sends the whole request at once, so a legitimate delivery is never that slow, while a flood has to keep
//! opening new connections faster than that to keep others out. With nothing to evict, the new connection gets a
//! 503 and is closed at once.

use std::collections::HashMap;
use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify};
use tokio::task::JoinSet;
use tower::ServiceExt;

use super::stats::Counters;
use super::throttle::{warn_throttled, Throttle};

/// A connection without a complete request for this long may be closed to make room for a new one.
pub const EVICTABLE_AFTER: Duration = Duration::from_secs(1);

/// What the HTTP side allows a client.
#[derive(Debug, Clone, Copy)]
pub struct ConnLimits {
    /// The request head (request line and headers) must arrive within this time, counted from the connection (or
    /// from the previous answer, for a kept-alive connection): so it bounds idle keep-alive connections too.
    pub header_timeout: Duration,
    /// The body must arrive within this time after the head.
    pub body_timeout: Duration,
    /// Connections open at once.
    pub max_connections: usize,
}

/// One open connection, as the limit sees it. The webhook handler marks it busy while it handles a complete request.
pub struct Slot {
    opened: Instant,
    busy: AtomicUsize,
    close: Notify,
}

/// Marks a [`Slot`] busy (not to be evicted) while alive.
pub struct Busy(Arc<Slot>);

impl Slot {
    pub fn busy(self: &Arc<Self>) -> Busy {
        self.busy.fetch_add(1, Ordering::SeqCst);
        Busy(Arc::clone(self))
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.busy.fetch_sub(1, Ordering::SeqCst);
    }
}

#[derive(Default)]
struct Table {
    next: u64,
    slots: HashMap<u64, Arc<Slot>>,
}

/// Whether a new connection gets a slot, evicting the oldest idle one if needed. PURE but for the clock.
fn admit(table: &mut Table, max: usize, now: Instant) -> Option<(u64, Arc<Slot>)> {
    if table.slots.len() >= max.max(1) {
        let evict = table
            .slots
            .iter()
            .filter(|(_, s)| s.busy.load(Ordering::SeqCst) == 0)
            .filter(|(_, s)| now.saturating_duration_since(s.opened) >= EVICTABLE_AFTER)
            .min_by_key(|(_, s)| s.opened)
            .map(|(id, _)| *id)?;
        if let Some(old) = table.slots.remove(&evict) {
            old.close.notify_one();
        }
    }
    let id = table.next;
    table.next += 1;
    let slot = Arc::new(Slot {
        opened: now,
        busy: AtomicUsize::new(0),
        close: Notify::new(),
    });
    table.slots.insert(id, Arc::clone(&slot));
    Some((id, slot))
}

/// An answer that costs nothing to make: the connection is refused before hyper sees it.
const BUSY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nretry-after: 10\r\n\
    content-length: 0\r\nconnection: close\r\n\r\n";

pub struct Acceptor {
    pub router: Router,
    pub limits: ConnLimits,
    pub counters: Arc<Counters>,
    pub refusals: Arc<Throttle>,
}

impl Acceptor {
    /// Accepts until `stop` turns true, then lets open connections finish their request (hyper's graceful shutdown)
    /// for at most `grace`, and closes the rest.
    pub async fn run(
        self,
        listener: TcpListener,
        mut stop: watch::Receiver<bool>,
        grace: Duration,
    ) -> io::Result<()> {
        let table = Arc::new(Mutex::new(Table::default()));
        let mut connections = JoinSet::new();
        loop {
            let accepted = tokio::select! {
                _ = stop.wait_for(|s| *s) => None,
                Some(_) = connections.join_next(), if !connections.is_empty() => continue,
                accepted = listener.accept() => Some(accepted),
            };
            let stream = match accepted {
                None => break,
                Some(Ok((stream, _))) => stream,
                Some(Err(e)) => {
                    // Out of descriptors, or a connection reset before it was accepted: not fatal, but do not
                    // spin on it.
                    warn_throttled!(self.refusals, "cannot accept a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            let admitted = {
                let mut table = table.lock().unwrap_or_else(|p| p.into_inner());
                let before = table.slots.len();
                let admitted = admit(&mut table, self.limits.max_connections, Instant::now());
                if admitted.is_some() && table.slots.len() == before {
                    Counters::bump(&self.counters.dropped_connections);
                }
                admitted
            };
            let Some((id, slot)) = admitted else {
                Counters::bump(&self.counters.dropped_connections);
                warn_throttled!(
                    self.refusals,
                    "refused a connection: {} connections are open, all busy or new",
                    self.limits.max_connections
                );
                // Non-blocking: a client that does not read cannot hold the accept loop.
                let _ = stream.try_write(BUSY);
                continue;
            };
            connections.spawn(connection(
                stream,
                id,
                slot,
                Arc::clone(&table),
                self.router.clone(),
                self.limits.header_timeout,
                stop.clone(),
                Arc::clone(&self.counters),
                Arc::clone(&self.refusals),
            ));
        }
        drop(listener);
        let finished = async { while connections.join_next().await.is_some() {} };
        if tokio::time::timeout(grace, finished).await.is_err() {
            tracing::warn!(
                "connections still open {} s after shutdown: closing them",
                grace.as_secs()
            );
            connections.shutdown().await;
        }
        Ok(())
    }
}

#[allow(clippy::too_many_arguments)]
async fn connection(
    stream: TcpStream,
    id: u64,
    slot: Arc<Slot>,
    table: Arc<Mutex<Table>>,
    router: Router,
    header_timeout: Duration,
    mut stop: watch::Receiver<bool>,
    counters: Arc<Counters>,
    refusals: Arc<Throttle>,
) {
    let _ = stream.set_nodelay(true);
    let request_slot = Arc::clone(&slot);
    let service = service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(Arc::clone(&request_slot));
        router.clone().oneshot(request.map(Body::new))
    });
    let conn = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .keep_alive(true)
        .serve_connection(TokioIo::new(stream), service);
    tokio::pin!(conn);
    enum Next {
        Ended(hyper::Result<()>),
        Evicted,
        Stop,
    }
    let next = tokio::select! {
        ended = conn.as_mut() => Next::Ended(ended),
        _ = slot.close.notified() => Next::Evicted,
        _ = stop.wait_for(|s| *s) => Next::Stop,
    };
    let ended = match next {
        Next::Ended(ended) => Some(ended),
        Next::Evicted => {
            warn_throttled!(
                refusals,
                "closed a connection without a complete request to make room for a new one"
            );
            None
        }
        Next::Stop => {
            // Finishes the request in progress (its answer says 503 if it is a new delivery), then closes.
            conn.as_mut().graceful_shutdown();
            Some(conn.as_mut().await)
        }
    };
    if let Some(Err(e)) = ended {
        if e.is_timeout() {
            Counters::bump(&counters.dropped_connections);
            warn_throttled!(
                refusals,
                "closed a connection that sent no complete request head within {} s",
                header_timeout.as_secs_f32()
            );
        } else {
            tracing::debug!("connection ended: {e}");
        }
    }
    table
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .slots
        .remove(&id);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_table_evicts_the_oldest_idle_connection_or_refuses() {
        let t0 = Instant::now();
        let mut table = Table::default();
        let (_, first) = admit(&mut table, 2, t0).unwrap();
        let (_, second) = admit(&mut table, 2, t0 + Duration::from_millis(10)).unwrap();
        // Full, and both are younger than EVICTABLE_AFTER: refused.
        assert!(admit(&mut table, 2, t0 + Duration::from_millis(500)).is_none());
        // The oldest is busy with a request: the other idle one goes.
        let working = first.busy();
        let later = t0 + EVICTABLE_AFTER + Duration::from_millis(20);
        assert!(admit(&mut table, 2, later).is_some());
        assert_eq!(table.slots.len(), 2);
        assert!(table.slots.values().any(|s| Arc::ptr_eq(s, &first)));
        assert!(!table.slots.values().any(|s| Arc::ptr_eq(s, &second)));
        drop(working);
    }
}
