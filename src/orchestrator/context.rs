//! `WaveContext`: everything known about one wave, and its parts.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::handler::{ErrorKind, StageOutput, WaveInput};
use super::ids::{NodeId, WaveId, WaveKey};
use super::outcome::{AttemptOutcome, SkipReason, WaveStatus};
use super::stage::WaveStage;

/// One attempt of one node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttemptRecord {
    /// 1 for the first attempt.
    pub attempt: u32,
    /// When it started running, from the wave's start.
    pub started_after: Duration,
    /// How long it ran.
    pub duration: Duration,
    /// CPU time its handler's thread spent on it, for a blocking handler
    /// that returned (not for async or batched handlers, nor an attempt
    /// abandoned by timeout or cancel).
    #[serde(default)]
    pub cpu_time: Option<Duration>,
    /// How it ended.
    pub outcome: AttemptOutcome,
    /// The error message, when it failed.
    pub error: Option<String>,
    /// It succeeded with an output taken from a store (`StageOutput::cached`).
    #[serde(default)]
    pub cached: bool,
}

/// How a node ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum NodeState {
    /// An attempt succeeded.
    Completed,
    /// Its retries ran out, or it failed permanently.
    Failed,
    /// It did not run, for this reason.
    Skipped(SkipReason),
    /// It was running when the wave was cancelled or failed.
    Cancelled,
}

/// Per-node measurements within one wave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageMetrics {
    /// The node's id in the plan.
    pub node: NodeId,
    /// Its stage kind.
    pub kind: WaveStage,
    /// How it ended.
    pub state: NodeState,
    /// Every attempt, in order; empty when it never ran.
    pub attempts: Vec<AttemptRecord>,
    /// Time spent waiting for a concurrency slot, over all attempts.
    pub slot_wait: Duration,
    /// Part of `slot_wait` held back by the memory threshold.
    pub memory_wait: Duration,
    /// Quality of the successful attempt.
    pub quality: Option<f64>,
}

impl StageMetrics {
    pub(crate) fn new(node: NodeId, kind: WaveStage, state: NodeState) -> Self {
        Self {
            node,
            kind,
            state,
            attempts: Vec::new(),
            slot_wait: Duration::ZERO,
            memory_wait: Duration::ZERO,
            quality: None,
        }
    }

    /// Total running time over all attempts.
    pub fn run_time(&self) -> Duration {
        self.attempts.iter().map(|a| a.duration).sum()
    }
}

/// An error a stage ended with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaveError {
    /// The node that failed.
    pub node: NodeId,
    /// What kind of failure ended it.
    pub kind: ErrorKind,
    /// The last attempt's error message.
    pub message: String,
}

/// Everything known about one wave. Returned when it ends.
#[derive(Debug, Clone)]
pub struct WaveContext {
    /// The engine's id of the wave, increasing in start order.
    pub id: WaveId,
    /// The caller's key, from `WaveInput::key`.
    pub key: WaveKey,
    /// The input the wave ran on.
    pub input: Arc<WaveInput>,
    /// How the wave ended.
    pub status: WaveStatus,
    /// Nodes that completed, in completion order.
    pub completed: Vec<NodeId>,
    /// Nodes that failed after their retries.
    pub failed: Vec<NodeId>,
    /// Nodes that did not run, and why.
    pub skipped: Vec<(NodeId, SkipReason)>,
    /// Outputs of completed nodes, in completion order.
    pub results: Vec<(NodeId, Arc<StageOutput>)>,
    /// Per-node metrics, in plan order.
    pub metrics: Vec<StageMetrics>,
    /// The error of each failed node, in failure order.
    pub errors: Vec<WaveError>,
    /// Wall-clock start, as Unix milliseconds.
    pub started_unix_ms: u64,
    /// Time from start to end.
    pub duration: Duration,
    /// The quality the refinement gate read: the lowest over the wave's
    /// refinements of the quality of what each refines, whether or not it
    /// reached the threshold; `None` when no refinement was reached or
    /// nothing upstream of one reported a quality.
    pub gate_quality: Option<f64>,
}

impl WaveContext {
    /// The output of a node.
    pub fn result(&self, node: &str) -> Option<&StageOutput> {
        self.results
            .iter()
            .find(|(id, _)| id.as_str() == node)
            .map(|(_, o)| o.as_ref())
    }

    /// A named value from the most recent node that produced it.
    pub fn value(&self, key: &str) -> Option<&serde_json::Value> {
        self.results
            .iter()
            .rev()
            .find_map(|(_, o)| o.values.get(key))
    }

    /// Metrics of a node.
    pub fn stage_metrics(&self, node: &str) -> Option<&StageMetrics> {
        self.metrics.iter().find(|m| m.node.as_str() == node)
    }

    /// The lowest quality any completed node reported, if any did.
    pub fn quality(&self) -> Option<f64> {
        self.results
            .iter()
            .filter_map(|(_, o)| o.quality)
            .reduce(f64::min)
    }
}

impl AttemptOutcome {
    pub(crate) fn of_error(kind: ErrorKind) -> Self {
        match kind {
            ErrorKind::Transient => AttemptOutcome::Error,
            ErrorKind::Permanent => AttemptOutcome::PermanentError,
            ErrorKind::Timeout => AttemptOutcome::Timeout,
            ErrorKind::Panic => AttemptOutcome::Panic,
            ErrorKind::Cancelled => AttemptOutcome::Cancelled,
        }
    }
}
