//! Admission to a stage node: a per-node concurrency limit (scaled by the
//! CPU governor) and the memory threshold, with waiters served by priority
//! then arrival.

use std::cmp::Reverse;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering as AtomicOrdering};
use std::time::Duration;

use parking_lot::{Mutex, MutexGuard};
use tokio::sync::oneshot;
use tokio::time::Instant;

/// Resource state shared by every gate of an orchestrator.
#[derive(Debug, Default)]
pub(crate) struct Controls {
    /// Set while process RSS is above `memory_threshold_mb`.
    pub memory_over: AtomicBool,
    /// Total time admissions were held back by memory, in ns.
    pub memory_held_ns: AtomicU64,
}

struct Waiter {
    enqueued: Instant,
    /// Since when memory alone kept this waiter out.
    memory_since: Option<Instant>,
    tx: oneshot::Sender<SlotPermit>,
}

/// Queue order: highest priority first, then arrival.
type QueueKey = (Reverse<i32>, u64);

#[derive(Default)]
struct GateState {
    running: usize,
    seq: u64,
    waiters: BTreeMap<QueueKey, Waiter>,
}

/// The admission gate of one stage node.
pub(crate) struct StageGate {
    max: usize,
    effective: AtomicUsize,
    controls: Arc<Controls>,
    state: Mutex<GateState>,
}

/// A held slot; dropping it frees the slot.
pub(crate) struct SlotPermit {
    gate: Option<Arc<StageGate>>,
    /// Time from asking to admission.
    pub waited: Duration,
    /// Part of `waited` held back by the memory threshold.
    pub memory_wait: Duration,
}

impl Drop for SlotPermit {
    fn drop(&mut self) {
        if let Some(gate) = self.gate.take() {
            gate.release();
        }
    }
}

impl StageGate {
    pub(crate) fn new(max: usize, controls: Arc<Controls>) -> Arc<Self> {
        let max = max.max(1);
        Arc::new(Self {
            max,
            effective: AtomicUsize::new(max),
            controls,
            state: Mutex::default(),
        })
    }

    /// The configured maximum.
    pub(crate) fn max(&self) -> usize {
        self.max
    }

    /// The limit in force now.
    pub(crate) fn limit(&self) -> usize {
        self.effective
            .load(AtomicOrdering::Relaxed)
            .clamp(1, self.max)
    }

    /// Sets the effective limit (clamped to 1..=max) and admits waiters it allows.
    pub(crate) fn set_limit(self: &Arc<Self>, limit: usize) {
        self.effective
            .store(limit.clamp(1, self.max), AtomicOrdering::Relaxed);
        self.pump();
    }

    /// Attempts running now.
    pub(crate) fn running(&self) -> usize {
        self.lock().running
    }

    fn lock(&self) -> MutexGuard<'_, GateState> {
        self.state.lock()
    }

    fn admissible(&self, running: usize) -> Admit {
        if running >= self.limit() {
            Admit::Full
        } else if running > 0 && self.controls.memory_over.load(AtomicOrdering::Relaxed) {
            Admit::MemoryHeld
        } else {
            Admit::Yes
        }
    }

    /// Waits for a slot.
    pub(crate) async fn acquire(self: &Arc<Self>, priority: i32) -> SlotPermit {
        let rx = {
            let mut st = self.lock();
            let verdict = self.admissible(st.running);
            if st.waiters.is_empty() && verdict == Admit::Yes {
                st.running += 1;
                return SlotPermit {
                    gate: Some(self.clone()),
                    waited: Duration::ZERO,
                    memory_wait: Duration::ZERO,
                };
            }
            let now = Instant::now();
            let (tx, rx) = oneshot::channel();
            st.seq += 1;
            let seq = st.seq;
            st.waiters.insert(
                (Reverse(priority), seq),
                Waiter {
                    enqueued: now,
                    memory_since: None,
                    tx,
                },
            );
            if verdict == Admit::MemoryHeld {
                self.mark_memory_held(&mut st, now);
            }
            rx
        };
        match rx.await {
            Ok(permit) => permit,
            // The gate never drops a waiter unserved; if it ever did, run
            // rather than hang.
            Err(_) => SlotPermit {
                gate: None,
                waited: Duration::ZERO,
                memory_wait: Duration::ZERO,
            },
        }
    }

    fn release(self: &Arc<Self>) {
        let mut st = self.lock();
        st.running = st.running.saturating_sub(1);
        self.pump_locked(&mut st);
    }

    /// Admits whatever waiters the current limits allow.
    pub(crate) fn pump(self: &Arc<Self>) {
        let mut st = self.lock();
        self.pump_locked(&mut st);
    }

    fn pump_locked(self: &Arc<Self>, st: &mut GateState) {
        loop {
            if st.waiters.is_empty() {
                return;
            }
            match self.admissible(st.running) {
                Admit::Full => return,
                Admit::MemoryHeld => {
                    self.mark_memory_held(st, Instant::now());
                    return;
                }
                Admit::Yes => {}
            }
            let Some((_, waiter)) = st.waiters.pop_first() else {
                return;
            };
            let now = Instant::now();
            let memory_wait = waiter
                .memory_since
                .map_or(Duration::ZERO, |since| now - since);
            if !memory_wait.is_zero() {
                let ns = u64::try_from(memory_wait.as_nanos()).unwrap_or(u64::MAX);
                self.controls
                    .memory_held_ns
                    .fetch_add(ns, AtomicOrdering::Relaxed);
            }
            st.running += 1;
            let permit = SlotPermit {
                gate: Some(self.clone()),
                waited: now - waiter.enqueued,
                memory_wait,
            };
            if let Err(mut unsent) = waiter.tx.send(permit) {
                // The waiter gave up (its wave was cancelled): take the slot back.
                unsent.gate = None;
                st.running -= 1;
            }
        }
    }
}

impl StageGate {
    /// Marks the waiters that the concurrency limit alone would admit now:
    /// from here on, memory is what holds them back.
    fn mark_memory_held(&self, st: &mut GateState, now: Instant) {
        let window = self.limit().saturating_sub(st.running);
        for waiter in st.waiters.values_mut().take(window) {
            waiter.memory_since.get_or_insert(now);
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Admit {
    Yes,
    Full,
    MemoryHeld,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn limit_holds_and_release_admits_next_by_priority() {
        let gate = StageGate::new(2, Arc::default());
        let a = gate.acquire(0).await;
        let _b = gate.acquire(0).await;
        assert_eq!(gate.running(), 2);
        let g1 = gate.clone();
        let low = tokio::spawn(async move { g1.acquire(0).await });
        let g2 = gate.clone();
        let high = tokio::spawn(async move { g2.acquire(5).await });
        tokio::task::yield_now().await;
        tokio::time::sleep(Duration::from_millis(10)).await;
        assert!(!high.is_finished() && !low.is_finished());
        drop(a);
        let h = high.await.unwrap();
        assert_eq!(h.waited, Duration::from_millis(10));
        assert!(!low.is_finished());
        drop(h);
        low.await.unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn memory_pressure_holds_all_but_the_first() {
        let controls = Arc::new(Controls::default());
        controls.memory_over.store(true, AtomicOrdering::Relaxed);
        let gate = StageGate::new(4, controls.clone());
        let first = gate.acquire(0).await; // nothing running: admitted anyway
        let g = gate.clone();
        let second = tokio::spawn(async move { g.acquire(0).await });
        tokio::time::sleep(Duration::from_millis(250)).await;
        assert!(!second.is_finished());
        controls.memory_over.store(false, AtomicOrdering::Relaxed);
        gate.pump();
        let p = second.await.unwrap();
        assert_eq!(p.memory_wait, Duration::from_millis(250));
        assert_eq!(
            controls.memory_held_ns.load(AtomicOrdering::Relaxed),
            250_000_000
        );
        drop(first);
    }

    #[tokio::test]
    async fn a_cancelled_waiter_does_not_leak_its_slot() {
        let gate = StageGate::new(1, Arc::default());
        let held = gate.acquire(0).await;
        let g = gate.clone();
        let waiter = tokio::spawn(async move { g.acquire(0).await });
        tokio::task::yield_now().await;
        waiter.abort();
        let _ = waiter.await;
        drop(held);
        assert_eq!(gate.running(), 0);
        let _again = gate.acquire(0).await;
        assert_eq!(gate.running(), 1);
    }
}
