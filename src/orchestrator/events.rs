//! `WaveEvent`: the only way the GUI and the CLI observe a run.

use std::sync::Arc;
use std::time::Duration;

use parking_lot::RwLock;
use tokio::sync::mpsc;

use super::ids::{BatchId, NodeId, WaveId, WaveKey};
use super::outcome::{AttemptOutcome, SkipReason, StageValues, WaveStatus};
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
    /// The batch this report is about.
    pub batch: BatchId,
    /// Waves started (each ended with one `WaveFinished`).
    pub started: usize,
    /// Inputs never started (the batch was aborted or cancelled first).
    pub not_started: usize,
    /// Set when the success-rate gate tripped.
    pub aborted: Option<BatchAbort>,
    /// Whether the batch was cancelled.
    pub cancelled: bool,
    /// Time from the batch's start until every started wave had finished.
    pub duration: Duration,
}

/// Something that happened in the orchestrator.
#[derive(Debug, Clone, PartialEq)]
pub enum WaveEvent {
    /// A batch began admitting waves.
    BatchStarted {
        /// The new batch's id.
        batch: BatchId,
    },
    /// A wave began; one `WaveFinished` with the same `wave` follows.
    WaveStarted {
        /// The engine's id of the wave.
        wave: WaveId,
        /// The caller's key of this wave (`WaveInput::key`).
        key: WaveKey,
        /// The batch it belongs to; `None` for a wave run on its own.
        batch: Option<BatchId>,
        /// The input's label (`WaveInput::label`), for people.
        label: Arc<str>,
    },
    /// An attempt of a stage node began.
    StageStarted {
        /// The wave the attempt belongs to.
        wave: WaveId,
        /// The caller's key of this wave (`WaveInput::key`).
        key: WaveKey,
        /// The stage node.
        node: NodeId,
        /// The node's stage kind.
        kind: WaveStage,
        /// Attempt number, 1 for the first.
        attempt: u32,
    },
    /// A running handler reported how far it is (`ProgressReporter::progress`).
    StageProgress {
        /// The wave the node runs in.
        wave: WaveId,
        /// The caller's key of this wave (`WaveInput::key`).
        key: WaveKey,
        /// The stage node.
        node: NodeId,
        /// Fraction done, clamped to 0..=1.
        fraction: f64,
    },
    /// A running handler published an interim estimate; sent only with `progressive_mode` on.
    IntermediateResult {
        /// The wave the node runs in.
        wave: WaveId,
        /// The caller's key of this wave (`WaveInput::key`).
        key: WaveKey,
        /// The stage node.
        node: NodeId,
        /// The interim values; the stage's final output may differ.
        values: StageValues,
    },
    /// An attempt of a stage node ended, whatever its outcome.
    StageFinished {
        /// The wave the attempt belongs to.
        wave: WaveId,
        /// The caller's key of this wave (`WaveInput::key`).
        key: WaveKey,
        /// The stage node.
        node: NodeId,
        /// The node's stage kind.
        kind: WaveStage,
        /// Attempt number, 1 for the first.
        attempt: u32,
        /// How long the attempt ran.
        duration: Duration,
        /// CPU time the attempt's thread spent, when measured
        /// (`AttemptRecord::cpu_time`).
        cpu_time: Option<Duration>,
        /// The output's quality (0..=1) on success, when the stage reported one.
        quality: Option<f64>,
        /// How the attempt ended.
        outcome: AttemptOutcome,
        /// The error message when the attempt failed; `None` on success.
        error: Option<String>,
        /// The output was taken from a store, not computed (`StageOutput::cached`).
        cached: bool,
    },
    /// A failed attempt will run again after a backoff.
    StageRetrying {
        /// The wave the node runs in.
        wave: WaveId,
        /// The caller's key of this wave (`WaveInput::key`).
        key: WaveKey,
        /// The stage node.
        node: NodeId,
        /// Number of the attempt about to run (2 for the first retry).
        next_attempt: u32,
        /// Backoff before it starts, jitter included.
        delay: Duration,
    },
    /// A node will not run in this wave.
    StageSkipped {
        /// The wave the node belongs to.
        wave: WaveId,
        /// The caller's key of this wave (`WaveInput::key`).
        key: WaveKey,
        /// The skipped node.
        node: NodeId,
        /// Why it was skipped.
        reason: SkipReason,
    },
    /// A wave ended; the `WaveContext` it returns holds the details.
    WaveFinished {
        /// The engine's id of the wave.
        wave: WaveId,
        /// The caller's key of this wave (`WaveInput::key`).
        key: WaveKey,
        /// How it ended (always a final status).
        status: WaveStatus,
        /// Time from the wave's start to its end.
        duration: Duration,
        /// The lowest quality any completed node reported, if any did.
        quality: Option<f64>,
        /// The quality the refinement gate read (`WaveContext::gate_quality`).
        gate_quality: Option<f64>,
    },
    /// The CPU governor changed the effective per-stage concurrency.
    ConcurrencyChanged {
        /// Concurrency level before the change.
        from: usize,
        /// Concurrency level after it.
        to: usize,
        /// System-wide CPU use (0..=100) that caused the change.
        cpu_percent: f64,
    },
    /// A resource reading, every `resource_sample_interval_ms` while waves run.
    ResourceSample {
        /// System-wide CPU use, 0..=100.
        cpu_percent: f64,
        /// This process's resident memory, in MB.
        rss_mb: f64,
        /// The governor's current per-stage concurrency level.
        effective_concurrency: usize,
        /// Whether RSS is above `memory_threshold_mb`, which holds back new attempts.
        memory_over: bool,
    },
    /// The success-rate gate tripped; running waves finish, no new ones start.
    BatchAborted {
        /// The batch that stopped admitting waves.
        batch: BatchId,
        /// Which node tripped the gate, with its figures.
        abort: BatchAbort,
    },
    /// A batch ended: every started wave finished, the rest were counted as not started.
    BatchFinished {
        /// The batch's summary.
        report: BatchReport,
    },
    /// The engine's statistics: every resource sample interval while waves
    /// run, and once when a batch ends (just before `BatchFinished`).
    Statistics(Box<Statistics>),
}

/// How the engine wakes whoever drains its events (the app passes
/// `ctx.request_repaint()`), so the UI never enters the engine.
pub type Wake = Arc<dyn Fn() + Send + Sync>;

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
