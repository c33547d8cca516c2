//! `BatchState`: one batch's counters per plan node behind the
//! success-rate gate (`min_success_rate_per_stage`), shared by its waves.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use super::config::WaveConfig;
use super::events::{BatchAbort, WaveEvent};
use super::ids::{BatchId, NodeId};
use super::plan::Plan;
use super::shared::Shared;

/// Per-batch counters behind the success-rate gate.
pub(crate) struct BatchState {
    pub id: BatchId,
    shared: Arc<Shared>,
    /// The plan's own config, if any (its success-rate gate).
    config: Option<Arc<WaveConfig>>,
    /// (finished, succeeded) per plan node.
    counts: Vec<(AtomicUsize, AtomicUsize)>,
    abort: OnceLock<BatchAbort>,
}

impl BatchState {
    pub(crate) fn new(id: BatchId, shared: Arc<Shared>, plan: &Plan) -> Self {
        let nodes = plan.len();
        let counts = (0..nodes)
            .map(|_| (AtomicUsize::new(0), AtomicUsize::new(0)))
            .collect();
        Self {
            id,
            shared,
            config: plan.config.clone(),
            counts,
            abort: OnceLock::new(),
        }
    }

    /// Counts a node finishing for one wave and trips the gate if needed.
    pub(crate) fn record(&self, index: usize, node: &NodeId, ok: bool) {
        let Some((finished, succeeded)) = self.counts.get(index) else {
            return;
        };
        let finished = finished.fetch_add(1, Ordering::Relaxed) + 1;
        let succeeded = if ok {
            succeeded.fetch_add(1, Ordering::Relaxed) + 1
        } else {
            succeeded.load(Ordering::Relaxed)
        };
        let config = self.config.as_deref().unwrap_or(&self.shared.config);
        if finished < config.min_samples_for_success_rate || self.abort.get().is_some() {
            return;
        }
        let rate = succeeded as f64 / finished as f64;
        if rate < config.min_success_rate_per_stage {
            let abort = BatchAbort {
                node: node.clone(),
                success_rate: rate,
                finished,
                min_success_rate: config.min_success_rate_per_stage,
            };
            if self.abort.set(abort.clone()).is_ok() {
                self.shared.events.emit(|| WaveEvent::BatchAborted {
                    batch: self.id,
                    abort,
                });
            }
        }
    }

    pub(crate) fn aborted(&self) -> Option<&BatchAbort> {
        self.abort.get()
    }
}
