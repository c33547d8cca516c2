//! The wave engine: runs stage handlers over inputs along a plan (a DAG of
//! stage nodes) under `WaveConfig`, and reports through `WaveEvent`s.
//! Knows nothing of audio, files or the GUI.

mod admission;
mod attempt;
mod batch;
mod batch_state;
mod batcher;
mod blocking;
mod bounds;
mod config;
mod context;
mod engine;
mod events;
mod gate;
mod governor;
mod handler;
mod histogram;
mod ids;
mod outcome;
mod plan;
mod recorder;
mod schedule;
mod shared;
mod stage;
mod stats;
mod wave;

pub use admission::BatchPriorities;
pub use batch::WaveStream;
pub use blocking::{ShutdownReport, StubbornHandler};
pub use bounds::Bounds;
pub use config::{
    ConfigError, ConfigField, ConfigValueMut, RETRIES_BOUNDS, TIMEOUT_BOUNDS, WaveConfig,
};
pub use context::{AttemptRecord, NodeState, StageMetrics, WaveContext, WaveError};
pub use engine::{BatchOutcome, WaveOrchestrator};
pub use events::{BatchAbort, BatchReport, Wake, WaveEvent};
pub use governor::{ResourceProbe, ResourceSample, SysinfoProbe, peak_rss_mb};
pub use handler::{
    BatchSpec, ErrorKind, PriorResults, ProgressReporter, StageError, StageFuture, StageHandler,
    StageInput, StageOutput, StageResult, WaveInput,
};
pub use histogram::Histogram;
pub use ids::{BatchId, NodeId, WaveId, WaveKey};
pub use outcome::{AttemptOutcome, SkipReason, StageValues, WaveStatus};
pub use plan::{NodeOverrides, NodeSpec, Plan, PlanError, PlanErrors, PlanSpec};
pub use stage::WaveStage;
pub use stats::{StageStatistics, Statistics};
