//! `Statistics`: the seed's `get_statistics`, kept per orchestrator and
//! updated once per finished wave.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use parking_lot::Mutex;

use super::context::{AttemptOutcome, NodeState, WaveContext, WaveStatus};
use super::histogram::Histogram;
use super::ids::NodeId;
use super::stage::WaveStage;

/// Counters and timing of one stage node, over every wave that reached it.
#[derive(Debug, Clone, PartialEq)]
pub struct StageStatistics {
    /// The stage node.
    pub node: NodeId,
    /// Its stage kind.
    pub kind: WaveStage,
    /// Every attempt started. `attempts == successes + failures + cancelled_attempts`.
    pub attempts: u64,
    /// Attempts that succeeded.
    pub successes: u64,
    /// Failed attempts, including timeouts and panics.
    pub failures: u64,
    /// Attempts that timed out (also counted in `failures`).
    pub timeouts: u64,
    /// Attempts whose handler panicked (also counted in `failures`).
    pub panics: u64,
    /// Attempts ended by cancellation (not counted as failures).
    pub cancelled_attempts: u64,
    /// Attempts after the first of an item.
    pub retries: u64,
    /// Items (waves) by how the node ended for them: completed, taken
    /// from a store included (see `items_cached`).
    pub items_completed: u64,
    /// Completed items whose output was taken from a store, not computed
    /// (also counted in `items_completed`, their attempt in `successes`).
    pub items_cached: u64,
    /// Items for which it failed after its retries.
    pub items_failed: u64,
    /// Items for which it did not run (disabled, failed dependency, quality...).
    pub items_skipped: u64,
    /// Items for which it was running when the wave was cancelled or failed.
    pub items_cancelled: u64,
    /// Durations of the attempts that ran the handler's work; cached
    /// attempts are kept out so the figures show the cost of real work.
    pub duration: Histogram,
    /// Total time of the cached attempts (not in `duration`).
    pub cached_time: Duration,
    /// Sum of the qualities completed items reported; see `mean_quality`.
    pub quality_sum: f64,
    /// How many completed items reported a quality.
    pub quality_count: u64,
    /// Time waiting for a slot, and the part of it held back by memory.
    pub slot_wait: Duration,
    /// The part of `slot_wait` held back by the memory threshold.
    pub memory_wait: Duration,
}

impl StageStatistics {
    fn new(node: NodeId, kind: WaveStage) -> Self {
        Self {
            node,
            kind,
            attempts: 0,
            successes: 0,
            failures: 0,
            timeouts: 0,
            panics: 0,
            cancelled_attempts: 0,
            retries: 0,
            items_completed: 0,
            items_cached: 0,
            items_failed: 0,
            items_skipped: 0,
            items_cancelled: 0,
            duration: Histogram::default(),
            cached_time: Duration::ZERO,
            quality_sum: 0.0,
            quality_count: 0,
            slot_wait: Duration::ZERO,
            memory_wait: Duration::ZERO,
        }
    }

    /// Completed items whose output was computed, not taken from a store.
    pub fn items_computed(&self) -> u64 {
        self.items_completed.saturating_sub(self.items_cached)
    }

    /// Median attempt duration.
    pub fn duration_p50(&self) -> Duration {
        self.duration.quantile(0.5)
    }

    /// 95th percentile attempt duration.
    pub fn duration_p95(&self) -> Duration {
        self.duration.quantile(0.95)
    }

    /// Longest attempt.
    pub fn duration_max(&self) -> Duration {
        self.duration.max()
    }

    /// Mean quality of completed items that reported one.
    pub fn mean_quality(&self) -> Option<f64> {
        (self.quality_count > 0).then(|| self.quality_sum / self.quality_count as f64)
    }

    /// Completed items over items that finished (completed or failed).
    pub fn success_rate(&self) -> Option<f64> {
        let finished = self.items_completed + self.items_failed;
        (finished > 0).then(|| self.items_completed as f64 / finished as f64)
    }
}

/// The orchestrator's statistics since it was made.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Statistics {
    /// Waves finished, whatever their status.
    pub total_waves: u64,
    /// Waves that ended `Completed`.
    pub successful_waves: u64,
    /// Waves that ended `PartiallyCompleted`.
    pub partial_waves: u64,
    /// Waves that ended `Failed`.
    pub failed_waves: u64,
    /// Waves that ended `Cancelled`.
    pub cancelled_waves: u64,
    /// Successful over total, in percent (as the seed).
    pub success_rate: f64,
    /// Waves running now.
    pub active_waves: u64,
    /// Total time admissions were held back by the memory threshold.
    pub memory_held: Duration,
    /// Per stage node, in the order first seen.
    pub stages: Vec<StageStatistics>,
}

impl Statistics {
    /// The statistics of one node.
    pub fn stage(&self, node: &str) -> Option<&StageStatistics> {
        self.stages.iter().find(|s| s.node.as_str() == node)
    }

    /// Node completions taken from a store, over every node.
    pub fn items_cached(&self) -> u64 {
        self.stages.iter().map(|s| s.items_cached).sum()
    }
}

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
