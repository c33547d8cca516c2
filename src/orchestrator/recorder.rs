//! `StatsRecorder`: folds each finished wave into the orchestrator's
//! `Statistics`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use parking_lot::Mutex;

use super::context::{NodeState, WaveContext};
use super::ids::NodeId;
use super::outcome::{AttemptOutcome, WaveStatus};
use super::stats::{StageStatistics, Statistics};

#[derive(Default)]
struct Totals {
    total: u64,
    successful: u64,
    partial: u64,
    failed: u64,
    cancelled: u64,
    stages: Vec<StageStatistics>,
    index: HashMap<NodeId, usize>,
}

/// Collects statistics from finished waves.
#[derive(Default)]
pub(crate) struct StatsRecorder {
    totals: Mutex<Totals>,
    pub(crate) active: AtomicU64,
}

impl StatsRecorder {
    pub(crate) fn wave_started(&self) {
        self.active.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn wave_finished(&self, ctx: &WaveContext) {
        let mut t = self.totals.lock();
        t.total += 1;
        match ctx.status {
            WaveStatus::Completed => t.successful += 1,
            WaveStatus::PartiallyCompleted => t.partial += 1,
            WaveStatus::Failed => t.failed += 1,
            WaveStatus::Cancelled => t.cancelled += 1,
            WaveStatus::Pending | WaveStatus::Running => {}
        }
        for m in &ctx.metrics {
            let i = match t.index.get(&m.node) {
                Some(&i) => i,
                None => {
                    let i = t.stages.len();
                    t.stages.push(StageStatistics::new(m.node.clone(), m.kind));
                    t.index.insert(m.node.clone(), i);
                    i
                }
            };
            let s = &mut t.stages[i];
            for a in &m.attempts {
                s.attempts += 1;
                if a.cached {
                    s.items_cached += 1;
                    s.cached_time += a.duration;
                } else {
                    s.duration.record(a.duration);
                }
                match a.outcome {
                    AttemptOutcome::Success => s.successes += 1,
                    AttemptOutcome::Cancelled => s.cancelled_attempts += 1,
                    AttemptOutcome::Timeout => {
                        s.failures += 1;
                        s.timeouts += 1;
                    }
                    AttemptOutcome::Panic => {
                        s.failures += 1;
                        s.panics += 1;
                    }
                    AttemptOutcome::Error | AttemptOutcome::PermanentError => s.failures += 1,
                }
            }
            s.retries += m.attempts.len().saturating_sub(1) as u64;
            match &m.state {
                NodeState::Completed => s.items_completed += 1,
                NodeState::Failed => s.items_failed += 1,
                NodeState::Skipped(_) => s.items_skipped += 1,
                NodeState::Cancelled => s.items_cancelled += 1,
            }
            if let Some(q) = m.quality {
                s.quality_sum += q;
                s.quality_count += 1;
            }
            s.slot_wait += m.slot_wait;
            s.memory_wait += m.memory_wait;
        }
        drop(t);
        self.active.fetch_sub(1, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self, memory_held: Duration) -> Statistics {
        let t = self.totals.lock();
        let success_rate = if t.total == 0 {
            0.0
        } else {
            t.successful as f64 / t.total as f64 * 100.0
        };
        Statistics {
            total_waves: t.total,
            successful_waves: t.successful,
            partial_waves: t.partial,
            failed_waves: t.failed,
            cancelled_waves: t.cancelled,
            success_rate,
            active_waves: self.active.load(Ordering::Relaxed),
            memory_held,
            stages: t.stages.clone(),
        }
    }
}
