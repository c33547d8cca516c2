//! `Statistics`: the seed's `get_statistics`, kept per orchestrator and
//! updated once per finished wave.

use std::time::Duration;

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
    pub(crate) fn new(node: NodeId, kind: WaveStage) -> Self {
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
