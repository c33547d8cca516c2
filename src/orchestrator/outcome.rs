//! How things end, as small plain types every other part names: a wave's
//! status, why a node was skipped, how an attempt ended, and the values a
//! stage produces.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::ids::NodeId;

/// Named values a stage produces.
pub type StageValues = serde_json::Map<String, Value>;

/// Where a wave is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum WaveStatus {
    /// Not started yet.
    Pending,
    /// Started and not yet ended.
    Running,
    /// Every node that ran succeeded.
    Completed,
    /// A node failed after its retries; the rest went on (`allow_partial_results`).
    PartiallyCompleted,
    /// A node failed with partial results off, or no node completed.
    Failed,
    /// The wave or its batch was cancelled before it ended.
    Cancelled,
}

impl WaveStatus {
    /// A short word for people: "done", "partial", "failed"...
    pub fn label(self) -> &'static str {
        match self {
            WaveStatus::Pending => "pending",
            WaveStatus::Running => "running",
            WaveStatus::Completed => "done",
            WaveStatus::PartiallyCompleted => "partial",
            WaveStatus::Failed => "failed",
            WaveStatus::Cancelled => "cancelled",
        }
    }

    /// Whether the wave has ended.
    pub fn is_final(self) -> bool {
        !matches!(self, WaveStatus::Pending | WaveStatus::Running)
    }
}

/// Why a node did not run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SkipReason {
    /// Its kind is not in `enabled_stages`.
    Disabled,
    /// A node it depends on (directly or not) failed.
    DependencyFailed {
        /// The failed node.
        node: NodeId,
    },
    /// A refinement node skipped because an earlier stage was confident enough.
    Quality {
        /// The earlier node whose quality was high enough.
        node: NodeId,
        /// Its quality (0..=1), at or above `quality_threshold`.
        quality: f64,
    },
    /// The wave failed (partial results off) before this node started.
    WaveFailed,
    /// The wave was cancelled before this node started.
    Cancelled,
}

impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SkipReason::Disabled => f.write_str("stage kind disabled"),
            SkipReason::DependencyFailed { node } => write!(f, "dependency `{node}` failed"),
            SkipReason::Quality { node, quality } => {
                write!(f, "`{node}` reached quality {quality:.3}")
            }
            SkipReason::WaveFailed => f.write_str("wave failed"),
            SkipReason::Cancelled => f.write_str("cancelled"),
        }
    }
}

/// How one attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AttemptOutcome {
    /// The handler returned an output.
    Success,
    /// A transient error; the node may try again.
    Error,
    /// A permanent error; never retried.
    PermanentError,
    /// The attempt ran past its timeout and was cancelled.
    Timeout,
    /// The handler panicked.
    Panic,
    /// The wave or batch was cancelled during the attempt.
    Cancelled,
}
