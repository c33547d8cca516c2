//! `WaveEvent`: the only way the GUI and the CLI observe a run.

use std::sync::Arc;
use std::time::Duration;

use parking_lot::RwLock;
use tokio::sync::mpsc;

use super::context::{AttemptOutcome, SkipReason, WaveStatus};
use super::handler::StageValues;
use super::ids::{BatchId, NodeId, WaveId, WaveKey};
use super::stage::WaveStage;
use super::stats::Statistics;

/// Why a batch stopped admitting waves.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchAbort {
    /// The stage node whose success rate fell too low.
    pub node: NodeId,
    /// Its success rate (0..=1) when it tripped.
    pub success_rate: f64,
    /// Items it had finished then.
    pub finished: usize,
    /// The configured minimum.
    pub min_success_rate: f64,
}

impl std::fmt::Display for BatchAbort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "stage `{}` succeeded for {:.1}% of {} items, below min_success_rate_per_stage {:.1}%",
            self.node,
            self.success_rate * 100.0,
            self.finished,
            self.min_success_rate * 100.0
        )
    }
}

/// A summary sent when a batch ends.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchReport {
    pub batch: BatchId,
    /// Waves started (each ended with one `WaveFinished`).
    pub started: usize,
    /// Inputs never started (the batch was aborted or cancelled first).
    pub not_started: usize,
    /// Set when the success-rate gate tripped.
    pub aborted: Option<BatchAbort>,
    /// Whether the batch was cancelled.
    pub cancelled: bool,
    pub duration: Duration,
}

/// Something that happened in the orchestrator.
#[derive(Debug, Clone, PartialEq)]
pub enum WaveEvent {
    BatchStarted {
        batch: BatchId,
    },
    WaveStarted {
        wave: WaveId,
        /// The caller's key of this wave (`WaveInput::key`).
        key: WaveKey,
        batch: Option<BatchId>,
        label: Arc<str>,
    },
    StageStarted {
        wave: WaveId,
        /// The caller's key of this wave (`WaveInput::key`).
        key: WaveKey,
        node: NodeId,
        kind: WaveStage,
        attempt: u32,
    },
    StageProgress {
        wave: WaveId,
        /// The caller's key of this wave (`WaveInput::key`).
        key: WaveKey,
        node: NodeId,
        fraction: f64,
    },
    IntermediateResult {
        wave: WaveId,
        /// The caller's key of this wave (`WaveInput::key`).
        key: WaveKey,
        node: NodeId,
        values: StageValues,
    },
    StageFinished {
        wave: WaveId,
        /// The caller's key of this wave (`WaveInput::key`).
        key: WaveKey,
        node: NodeId,
        kind: WaveStage,
        attempt: u32,
        duration: Duration,
        quality: Option<f64>,
        outcome: AttemptOutcome,
        error: Option<String>,
    },
    StageRetrying {
        wave: WaveId,
        /// The caller's key of this wave (`WaveInput::key`).
        key: WaveKey,
        node: NodeId,
        next_attempt: u32,
        delay: Duration,
    },
    StageSkipped {
        wave: WaveId,
        /// The caller's key of this wave (`WaveInput::key`).
        key: WaveKey,
        node: NodeId,
        reason: SkipReason,
    },
    WaveFinished {
        wave: WaveId,
        /// The caller's key of this wave (`WaveInput::key`).
        key: WaveKey,
        status: WaveStatus,
        duration: Duration,
        quality: Option<f64>,
    },
    /// The CPU governor changed the effective per-stage concurrency.
    ConcurrencyChanged {
        from: usize,
        to: usize,
        cpu_percent: f64,
    },
    ResourceSample {
        cpu_percent: f64,
        rss_mb: f64,
        effective_concurrency: usize,
        memory_over: bool,
    },
    /// The success-rate gate tripped; running waves finish, no new ones start.
    BatchAborted {
        batch: BatchId,
        abort: BatchAbort,
    },
    BatchFinished {
        report: BatchReport,
    },
    /// The engine's statistics: every resource sample interval while waves
    /// run, and once when a batch ends (just before `BatchFinished`).
    Statistics(Box<Statistics>),
}

type Wake = Arc<dyn Fn() + Send + Sync>;

/// Fans events out to subscribers, then calls the wake-up closure.
#[derive(Default)]
pub(crate) struct EventBus {
    subscribers: RwLock<Vec<mpsc::UnboundedSender<WaveEvent>>>,
    wake: RwLock<Option<Wake>>,
}

impl EventBus {
    pub(crate) fn subscribe(&self) -> mpsc::UnboundedReceiver<WaveEvent> {
        let (tx, rx) = mpsc::unbounded_channel();
        self.subscribers.write().push(tx);
        rx
    }

    pub(crate) fn set_wake(&self, wake: Wake) {
        *self.wake.write() = Some(wake);
    }

    /// Sends an event; builds it only if someone listens.
    pub(crate) fn emit(&self, make: impl FnOnce() -> WaveEvent) {
        let mut closed = false;
        {
            let subs = self.subscribers.read();
            match subs.as_slice() {
                [] => return,
                [only] => closed = only.send(make()).is_err(),
                many => {
                    let event = make();
                    for tx in many {
                        closed |= tx.send(event.clone()).is_err();
                    }
                }
            }
        }
        if closed {
            self.subscribers.write().retain(|tx| !tx.is_closed());
        }
        if let Some(wake) = self.wake.read().as_ref() {
            wake();
        }
    }
}
