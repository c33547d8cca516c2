//! A batch's admission queue: the inputs it has received but not started,
//! highest priority first and ties in arrival order, and the handle that
//! re-prioritises them while the batch runs.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::sync::Arc;

use parking_lot::Mutex;
use tokio::sync::mpsc;

use super::handler::WaveInput;
use super::ids::WaveKey;

/// One received input waiting for a slot.
struct Queued {
    /// Arrival number: among equal priorities, the earlier one goes first.
    seq: u64,
    input: WaveInput,
}

impl Ord for Queued {
    fn cmp(&self, other: &Self) -> Ordering {
        // A max-heap: higher priority first, then the lower arrival number.
        self.input
            .priority
            .cmp(&other.input.priority)
            .then_with(|| other.seq.cmp(&self.seq))
    }
}

impl PartialOrd for Queued {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Queued {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Queued {}

#[derive(Default)]
struct Pending {
    queue: BinaryHeap<Queued>,
    next_seq: u64,
    /// Priorities set for keys not started yet; applied to inputs still in
    /// the channel when they arrive.
    overrides: HashMap<WaveKey, i32>,
    started: HashSet<WaveKey>,
}

impl Pending {
    fn push(&mut self, mut input: WaveInput) {
        if let Some(&priority) = self.overrides.get(&input.key) {
            input.priority = priority;
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        self.queue.push(Queued { seq, input });
    }

    fn pop(&mut self) -> Option<WaveInput> {
        let input = self.queue.pop()?.input;
        self.started.insert(input.key);
        Some(input)
    }

    fn set_priority(&mut self, keys: &[WaveKey], priority: i32) -> usize {
        let wanted: HashSet<WaveKey> = keys
            .iter()
            .filter(|k| !self.started.contains(k))
            .copied()
            .collect();
        if wanted.is_empty() {
            return 0;
        }
        let mut items = std::mem::take(&mut self.queue).into_vec();
        let mut changed = 0;
        for q in items.iter_mut().filter(|q| wanted.contains(&q.input.key)) {
            q.input.priority = priority;
            changed += 1;
        }
        // Rebuilding the heap is linear; re-prioritising is rare.
        self.queue = BinaryHeap::from(items);
        for key in wanted {
            self.overrides.insert(key, priority);
        }
        changed
    }
}

/// Re-prioritises the waves of one batch that have not started yet (the
/// app's *Analyse next*). Cheap to clone; get it from
/// `WaveStream::priorities`. Waves are matched by their caller key
/// (`WaveInput::key`), so keys should be unique within the batch.
#[derive(Clone, Default)]
pub struct BatchPriorities {
    pending: Arc<Mutex<Pending>>,
}

impl std::fmt::Debug for BatchPriorities {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BatchPriorities")
            .field("queued", &self.pending.lock().queue.len())
            .finish()
    }
}

impl BatchPriorities {
    /// Gives the waves with these keys that have not started `priority`
    /// (higher starts first). Returns how many received but waiting waves
    /// it re-prioritised; keys of started waves are ignored, and inputs
    /// not yet received take the priority when they arrive.
    pub fn set_priority(&self, keys: &[WaveKey], priority: i32) -> usize {
        self.pending.lock().set_priority(keys, priority)
    }

    /// Queues one input received from the batch's channel.
    pub(crate) fn push(&self, input: WaveInput) {
        self.pending.lock().push(input);
    }

    /// Moves whatever the channel holds into the queue without waiting,
    /// then takes the input to start next, if any.
    pub(crate) fn next(&self, inputs: &mut mpsc::Receiver<WaveInput>) -> Option<WaveInput> {
        let mut pending = self.pending.lock();
        while let Ok(input) = inputs.try_recv() {
            pending.push(input);
        }
        pending.pop()
    }

    /// Empties the queue (the batch ends early); returns how many inputs
    /// it held.
    pub(crate) fn clear(&self) -> usize {
        let mut pending = self.pending.lock();
        let n = pending.queue.len();
        pending.queue.clear();
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(key: u64, priority: i32) -> WaveInput {
        WaveInput {
            priority,
            ..WaveInput::new(format!("w{key}"), serde_json::Value::Null).with_key(key)
        }
    }

    fn drain(p: &BatchPriorities, rx: &mut mpsc::Receiver<WaveInput>) -> Vec<u64> {
        std::iter::from_fn(|| p.next(rx)).map(|i| i.key.0).collect()
    }

    #[test]
    fn highest_priority_first_ties_in_arrival_order() {
        let (tx, mut rx) = mpsc::channel(8);
        for (key, priority) in [(0, 0), (1, 5), (2, 0), (3, 5), (4, -1), (5, 0)] {
            tx.try_send(input(key, priority)).ok();
        }
        let p = BatchPriorities::default();
        assert_eq!(drain(&p, &mut rx), [1, 3, 0, 2, 5, 4]);
    }

    #[test]
    fn set_priority_moves_queued_waves_and_remembers_the_rest() {
        let (tx, mut rx) = mpsc::channel(8);
        for key in 0..3 {
            tx.try_send(input(key, 0)).ok();
        }
        let p = BatchPriorities::default();
        assert_eq!(p.next(&mut rx).map(|i| i.key.0), Some(0));
        // 0 has started, 1 and 2 wait, 7 is still to come.
        assert_eq!(p.set_priority(&[WaveKey(0), WaveKey(2), WaveKey(7)], 3), 1);
        tx.try_send(input(6, 1)).ok();
        tx.try_send(input(7, 0)).ok();
        let next = p.next(&mut rx);
        assert_eq!(next.as_ref().map(|i| (i.key.0, i.priority)), Some((2, 3)));
        assert_eq!(drain(&p, &mut rx), [7, 6, 1]);
        assert_eq!(p.set_priority(&[WaveKey(1)], 9), 0, "already started");
    }

    #[test]
    fn clear_counts_what_was_queued() {
        let (tx, mut rx) = mpsc::channel(8);
        for key in 0..4 {
            tx.try_send(input(key, 0)).ok();
        }
        let p = BatchPriorities::default();
        assert!(p.next(&mut rx).is_some());
        assert_eq!(p.clear(), 3);
        assert!(p.next(&mut rx).is_none());
    }
}
