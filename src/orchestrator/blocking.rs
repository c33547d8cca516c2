//! Blocking handlers on the bounded CPU pool, and what happens when their
//! attempt is abandoned (timeout or cancel) while the closure still runs.
//!
//! A closure cannot be stopped from outside: it stops when it checks its
//! token. Until then its thread is busy. So that a retry or another wave
//! is not kept waiting for that thread, an abandoned closure gives its CPU
//! slot back and holds a "stray" permit instead. There are as many stray
//! permits as CPU slots; when they are all taken, a further abandoned
//! closure keeps its CPU slot, so the pool shrinks instead of the thread
//! count growing. Busy blocking threads are thus at most twice
//! `cpu_workers`. `shutdown` reports closures still running after its
//! bound, by node, instead of waiting for them.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use parking_lot::Mutex;
use tokio::runtime::Handle;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;
use tokio_util::task::TaskTracker;

use super::handler::{BlockingFn, StageError, StageInput, StageResult, panic_message};
use super::ids::{NodeId, WaveId, WaveKey};

/// A blocking handler that was still running when `shutdown` gave up.
#[derive(Debug, Clone, PartialEq)]
pub struct StubbornHandler {
    /// The wave it ran for.
    pub wave: WaveId,
    /// That wave's caller key.
    pub key: WaveKey,
    /// The stage node whose handler ignored cancellation.
    pub node: NodeId,
    /// 1 for the first attempt.
    pub attempt: u32,
    /// How long it had been running.
    pub running_for: Duration,
}

/// What `shutdown` found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ShutdownReport {
    /// Blocking handlers that ignored cancellation past the bound; their
    /// threads are left to finish on their own.
    pub stubborn: Vec<StubbornHandler>,
}

impl ShutdownReport {
    /// Whether every task ended within the bound.
    pub fn is_clean(&self) -> bool {
        self.stubborn.is_empty()
    }
}

impl std::fmt::Display for ShutdownReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.is_clean() {
            return f.write_str("every task ended");
        }
        f.write_str("still running after cancellation:")?;
        for s in &self.stubborn {
            write!(
                f,
                " `{}` ({}, attempt {}, {:.1} s);",
                s.node,
                s.wave,
                s.attempt,
                s.running_for.as_secs_f64()
            )?;
        }
        Ok(())
    }
}

struct Running {
    wave: WaveId,
    key: WaveKey,
    node: NodeId,
    attempt: u32,
    since: Instant,
}

/// Blocking closures running now, and the stray permits.
pub(crate) struct BlockingPool {
    /// Threads for CPU work; an attempt takes one before its clock starts.
    pub cpu: Arc<Semaphore>,
    /// Held by abandoned closures in place of their CPU slot.
    stray: Arc<Semaphore>,
    running: Mutex<HashMap<u64, Running>>,
    next: AtomicU64,
}

impl BlockingPool {
    pub(crate) fn new(workers: usize) -> Self {
        Self {
            cpu: Arc::new(Semaphore::new(workers)),
            stray: Arc::new(Semaphore::new(workers)),
            running: Mutex::default(),
            next: AtomicU64::new(0),
        }
    }

    /// Closures running now, oldest first.
    pub(crate) fn stubborn(&self) -> Vec<StubbornHandler> {
        let running = self.running.lock();
        let mut out: Vec<(Instant, StubbornHandler)> = running
            .values()
            .map(|r| {
                let handler = StubbornHandler {
                    wave: r.wave,
                    key: r.key,
                    node: r.node.clone(),
                    attempt: r.attempt,
                    running_for: r.since.elapsed(),
                };
                (r.since, handler)
            })
            .collect();
        out.sort_by_key(|(since, _)| *since);
        out.into_iter().map(|(_, h)| h).collect()
    }
}

/// When a closure ends, panics included: frees whichever permit it holds
/// now and removes it from the running list.
struct RunningGuard {
    pool: Arc<BlockingPool>,
    id: u64,
    held: HeldPermit,
}

impl Drop for RunningGuard {
    fn drop(&mut self) {
        self.held.lock().take();
        self.pool.running.lock().remove(&self.id);
    }
}

/// The permit a closure holds while it runs: its CPU slot, or a stray
/// permit once its attempt is abandoned. `None` once the closure ended.
type HeldPermit = Arc<Mutex<Option<OwnedSemaphorePermit>>>;

/// Lives in the attempt's future: if that future is dropped (timeout,
/// cancel) before the closure ends, swaps the closure's CPU slot for a
/// stray permit when one is free.
struct AbandonGuard {
    held: HeldPermit,
    stray: Arc<Semaphore>,
}

impl Drop for AbandonGuard {
    fn drop(&mut self) {
        let mut held = self.held.lock();
        if held.is_some()
            && let Ok(stray) = self.stray.clone().try_acquire_owned()
        {
            // Frees the CPU slot for the retry or another wave.
            *held = Some(stray);
        }
    }
}

/// Runs a blocking handler on the pool thread it was given (`cpu`), with
/// the CPU time that thread spent in it (`None` when it did not return).
pub(crate) async fn run_blocking(
    (pool, tracker, handle): (&Arc<BlockingPool>, &TaskTracker, &Handle),
    f: Arc<BlockingFn>,
    input: StageInput,
    cpu: Option<OwnedSemaphorePermit>,
) -> (StageResult, Option<Duration>) {
    let pool = pool.clone();
    let id = pool.next.fetch_add(1, Ordering::Relaxed);
    pool.running.lock().insert(
        id,
        Running {
            wave: input.wave,
            key: input.input.key,
            node: input.node.clone(),
            attempt: input.attempt,
            since: Instant::now(),
        },
    );
    let held: HeldPermit = Arc::new(Mutex::new(cpu));
    let guard = AbandonGuard {
        held: held.clone(),
        stray: pool.stray.clone(),
    };
    let running = RunningGuard { pool, id, held };
    let task = tracker.spawn_blocking_on(
        move || {
            let _running = running;
            let before = thread_cpu_time();
            let result = f(input);
            (result, thread_cpu_time().saturating_sub(before))
        },
        handle,
    );
    let result = match task.await {
        Ok((result, cpu)) => (result, Some(cpu)),
        Err(e) if e.is_panic() => (
            Err(StageError::panic(panic_message(e.into_panic().as_ref()))),
            None,
        ),
        Err(_) => (Err(StageError::cancelled()), None),
    };
    drop(guard);
    result
}

/// CPU time the calling thread has used so far. A blocking handler runs
/// on one thread from start to end, so the difference of two readings is
/// the CPU it cost, whatever else the machine was doing meanwhile.
pub(crate) fn thread_cpu_time() -> Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    Duration::new(
        u64::try_from(t.tv_sec).unwrap_or(0),
        u32::try_from(t.tv_nsec).unwrap_or(0),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thread_cpu_time_counts_work_not_sleep() {
        let start = thread_cpu_time();
        std::thread::sleep(Duration::from_millis(100));
        let slept = thread_cpu_time() - start;
        assert!(slept < Duration::from_millis(20), "sleep cost {slept:?}");

        // Spin until the thread's clock shows 30 ms of work (a loaded
        // machine gives the thread less than its wall time) or 5 s pass.
        let start = thread_cpu_time();
        let wall = std::time::Instant::now();
        let mut x = 0u64;
        while thread_cpu_time() - start < Duration::from_millis(30)
            && wall.elapsed() < Duration::from_secs(5)
        {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
        }
        let busy = thread_cpu_time() - start;
        assert!(busy >= Duration::from_millis(30), "work cost {busy:?}");
        assert!(busy <= wall.elapsed() + Duration::from_millis(5));
    }
}
