//! The durable side of the queue: every accepted delivery, as GitHub sent it, in one SQLite file.
//!
//! GitHub is answered 202 only after the delivery is committed here, and GitHub does not retry on its own: a
//! delivery lost after the answer is lost for good. So a delivery is written before the answer (event name and raw
//! body, enough to judge it again through the same `intake` code), marked when its work has finished, and whatever
//! is still `pending` on start is run then, in the order it was accepted. The marks also keep deduplication across
//! a restart.
//!
//! Durability: WAL with `synchronous = FULL` fsyncs the log on every commit, so a committed delivery survives a
//! crash of the process and of the machine. (`NORMAL` in WAL mode survives a process crash but may lose the last
//! commits on power loss, and a delivery answered 202 must not be lost; one fsync per delivery is cheap at
//! GitHub's delivery rate.)
//!
//! Blocking: every call does file I/O; the queue calls it from `spawn_blocking`.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

use rusqlite::{params, Connection, OptionalExtension};

use super::dedup::Fate;

/// An accepted delivery not yet finished, as it arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub id: String,
    pub event: String,
    pub body: Vec<u8>,
}

pub struct Store {
    db: Mutex<Connection>,
    /// Finished deliveries kept for deduplication; older ones are deleted.
    remember: usize,
    /// Finished since the last pruning.
    finished: AtomicUsize,
}

/// A long-running server prunes the finished deliveries beyond `remember` this often (and on every start).
const PRUNE_EVERY: usize = 1024;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS deliveries (
    seq   INTEGER PRIMARY KEY AUTOINCREMENT,
    id    TEXT NOT NULL UNIQUE,
    event TEXT NOT NULL,
    body  BLOB NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'done', 'failed'))
);
CREATE INDEX IF NOT EXISTS deliveries_state ON deliveries (state, seq);
";

fn state_of(fate: Fate) -> &'static str {
    match fate {
        Fate::Pending => "pending",
        Fate::Done => "done",
        Fate::Failed => "failed",
    }
}

impl Store {
    /// Opens (or creates) the store at `path`; `None` keeps it in memory (tests and library users that need no
    /// durability).
    pub fn open(path: Option<&Path>, remember: usize) -> rusqlite::Result<Store> {
        let db = match path {
            Some(path) => Connection::open(path)?,
            None => Connection::open_in_memory()?,
        };
        db.pragma_update(None, "journal_mode", "WAL")?;
        db.pragma_update(None, "synchronous", "FULL")?;
        // A second server started on the same file waits for the first's commits instead of failing at once.
        db.busy_timeout(std::time::Duration::from_secs(5))?;
        db.execute_batch(SCHEMA)?;
        Ok(Store {
            db: Mutex::new(db),
            remember: remember.max(1),
            finished: AtomicUsize::new(0),
        })
    }

    /// A poisoned lock only means a panic between statements; SQLite's transactions keep the data consistent.
    fn db(&self) -> MutexGuard<'_, Connection> {
        self.db
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Records an accepted delivery (committed and synced when this returns). A failed delivery accepted again goes
    /// to the back of the order with its new body.
    pub fn accept(&self, id: &str, event: &str, body: &[u8]) -> rusqlite::Result<()> {
        let db = self.db();
        let tx = db.unchecked_transaction()?;
        tx.execute("DELETE FROM deliveries WHERE id = ?1", params![id])?;
        tx.execute(
            "INSERT INTO deliveries (id, event, body, state) VALUES (?1, ?2, ?3, 'pending')",
            params![id, event, body],
        )?;
        tx.commit()
    }

    /// Marks a delivery finished. Its body is no longer needed: only the id and fate are kept, for deduplication.
    pub fn finish(&self, id: &str, fate: Fate) -> rusqlite::Result<()> {
        let db = self.db();
        db.execute(
            "UPDATE deliveries SET state = ?2, body = x'' WHERE id = ?1",
            params![id, state_of(fate)],
        )?;
        if self.finished.fetch_add(1, Ordering::Relaxed) % PRUNE_EVERY == PRUNE_EVERY - 1 {
            self.prune(&db)?;
        }
        Ok(())
    }

    /// Forgets the finished deliveries beyond the newest `remember`.
    fn prune(&self, db: &Connection) -> rusqlite::Result<()> {
        let cutoff: Option<i64> = db
            .query_row(
                "SELECT seq FROM deliveries WHERE state != 'pending' ORDER BY seq DESC LIMIT 1 OFFSET ?1",
                params![self.remember as i64],
                |row| row.get(0),
            )
            .optional()?;
        if let Some(cutoff) = cutoff {
            db.execute(
                "DELETE FROM deliveries WHERE state != 'pending' AND seq <= ?1",
                params![cutoff],
            )?;
        }
        Ok(())
    }

    /// Hands each pending delivery to `pending`, in the order they were accepted (one body in memory at a time), and
    /// returns the newest finished ones, oldest first, for deduplication; forgets finished ones beyond `remember`.
    pub fn load(&self, mut pending: impl FnMut(Stored)) -> rusqlite::Result<Vec<(String, Fate)>> {
        let db = self.db();
        self.prune(&db)?;
        let mut finished = Vec::new();
        let mut rows = db.prepare("SELECT id, event, body, state FROM deliveries ORDER BY seq")?;
        let mut rows = rows.query([])?;
        while let Some(row) = rows.next()? {
            let id: String = row.get(0)?;
            match row.get_ref(3)?.as_str()? {
                "pending" => pending(Stored {
                    id,
                    event: row.get(1)?,
                    body: row.get(2)?,
                }),
                "done" => finished.push((id, Fate::Done)),
                _ => finished.push((id, Fate::Failed)),
            }
        }
        Ok(finished)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pending_deliveries_and_fates_survive_a_reopen_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("queue.sqlite");
        {
            let store = Store::open(Some(&path), 2).unwrap();
            for id in ["a", "b", "c", "d", "e"] {
                store.accept(id, "issues", id.as_bytes()).unwrap();
            }
            store.finish("a", Fate::Done).unwrap();
            store.finish("b", Fate::Failed).unwrap();
            store.finish("c", Fate::Done).unwrap();
            // A failed delivery accepted again is pending once more, behind the others.
            store.accept("b", "issues", b"b again").unwrap();
        }
        let store = Store::open(Some(&path), 1).unwrap();
        let mut pending = Vec::new();
        let finished = store
            .load(|s| pending.push((s.id, String::from_utf8(s.body).unwrap())))
            .unwrap();
        assert_eq!(
            pending,
            [("d", "d"), ("e", "e"), ("b", "b again")].map(|(a, b)| (a.to_string(), b.to_string()))
        );
        // Only the newest finished one is remembered with remember = 1; the older one is deleted.
        assert_eq!(finished, [("c".to_string(), Fate::Done)]);
        assert_eq!(store.load(|_| {}).unwrap().len(), 1);
    }

    #[test]
    fn a_long_running_store_forgets_old_finished_deliveries_without_a_restart() {
        let store = Store::open(None, 10).unwrap();
        for n in 0..PRUNE_EVERY {
            let id = n.to_string();
            store.accept(&id, "issues", b"{}").unwrap();
            store.finish(&id, Fate::Done).unwrap();
        }
        let rows: i64 = store
            .db()
            .query_row("SELECT count(*) FROM deliveries", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 10);
    }
}
