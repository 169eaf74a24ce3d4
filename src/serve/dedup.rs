//! Which deliveries were seen, by `X-GitHub-Delivery`, in bounded memory. PURE.
//!
//! GitHub keeps the delivery id when it (or a person, from the App's "Recent deliveries") redelivers, so the id is
//! what makes a redelivery recognisable. Memory is bounded: the oldest ids are forgotten first. Choose `capacity`
//! well above the queue's limit, so an id is never forgotten while its work still waits.

use std::collections::{HashMap, VecDeque};

/// What became of a delivery the server accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// Waiting or running.
    Pending,
    Done,
    /// The work failed: a redelivery is a person asking to try again, so it is accepted once more.
    Failed,
}

#[derive(Debug)]
pub struct Seen {
    fates: HashMap<String, Fate>,
    /// Ids in the order they were first seen, to forget the oldest.
    order: VecDeque<String>,
    capacity: usize,
}

impl Seen {
    pub fn new(capacity: usize) -> Seen {
        let capacity = capacity.max(1);
        Seen {
            fates: HashMap::with_capacity(capacity.min(4096)),
            order: VecDeque::with_capacity(capacity.min(4096)),
            capacity,
        }
    }

    /// The fate of `id` if it is remembered.
    pub fn fate(&self, id: &str) -> Option<Fate> {
        self.fates.get(id).copied()
    }

    /// Whether work for `id` should be (re)started: true for an id never seen (or forgotten) and for a failed one.
    pub fn is_new(&self, id: &str) -> bool {
        matches!(self.fate(id), None | Some(Fate::Failed))
    }

    /// Records `id` with `fate`, forgetting the oldest ids beyond the capacity.
    pub fn record(&mut self, id: &str, fate: Fate) {
        if let Some(f) = self.fates.get_mut(id) {
            *f = fate;
            return;
        }
        self.fates.insert(id.to_string(), fate);
        self.order.push_back(id.to_string());
        while self.order.len() > self.capacity {
            if let Some(old) = self.order.pop_front() {
                self.fates.remove(&old);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_fates_and_forgets_the_oldest() {
        let mut seen = Seen::new(2);
        assert!(seen.is_new("a"));
        seen.record("a", Fate::Pending);
        assert!(!seen.is_new("a"));
        seen.record("a", Fate::Failed);
        assert!(seen.is_new("a"), "a failed delivery may be tried again");
        seen.record("a", Fate::Pending);
        seen.record("b", Fate::Done);
        seen.record("c", Fate::Done);
        assert_eq!((seen.fates.len(), seen.order.len()), (2, 2));
        assert_eq!(seen.fate("a"), None, "the oldest is forgotten");
        assert_eq!(seen.fate("b"), Some(Fate::Done));
        assert!(!seen.is_new("c"));
    }
}
