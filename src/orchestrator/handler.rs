//! What a stage handler receives and returns, and the three ways to make
//! one: async, blocking (CPU work on the bounded pool) and batched.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use super::events::{EventBus, WaveEvent};
use super::ids::{NodeId, WaveId, WaveKey};
use super::outcome::StageValues;
use super::stage::WaveStage;

/// One input item, carried through a plan as one wave.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WaveInput {
    /// A short label for people (a file name, say).
    pub label: String,
    /// Whatever the handlers need; the orchestrator never looks inside.
    pub payload: Value,
    /// Higher runs first when waves queue for a stage slot.
    pub priority: i32,
    /// The caller's key, echoed in this wave's events and context.
    #[serde(default)]
    pub key: WaveKey,
}

impl WaveInput {
    /// An input with a label and a payload, at priority 0.
    pub fn new(label: impl Into<String>, payload: Value) -> Self {
        Self {
            label: label.into(),
            payload,
            priority: 0,
            key: WaveKey::default(),
        }
    }

    /// The same input with the caller's key (echoed in every event and in
    /// the `WaveContext` of its wave).
    pub fn with_key(mut self, key: impl Into<WaveKey>) -> Self {
        self.key = key.into();
        self
    }
}

/// A successful stage's result.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StageOutput {
    /// Named results.
    pub values: StageValues,
    /// Confidence in 0..=1, when the stage can tell; feeds the quality gate.
    pub quality: Option<f64>,
    /// Taken from a store (the results library), not computed: the engine
    /// counts it as cached and keeps its time out of the node's timing.
    #[serde(default, skip_serializing_if = "is_false")]
    pub cached: bool,
    /// Named binary series the stage made (a waveform overview, a beat
    /// grid): kept beside the values, never merged into them, and not part
    /// of the serialized output (a store keeps them apart).
    #[serde(skip)]
    pub series: Vec<(String, Arc<[u8]>)>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl StageOutput {
    /// An output with these values and no quality.
    pub fn new(values: StageValues) -> Self {
        Self {
            values,
            quality: None,
            cached: false,
            series: Vec::new(),
        }
    }

    /// The same output with a named series.
    pub fn with_series(mut self, name: impl Into<String>, bytes: Vec<u8>) -> Self {
        self.series.push((name.into(), bytes.into()));
        self
    }

    /// Marks the output as taken from a store rather than computed.
    pub fn from_cache(mut self) -> Self {
        self.cached = true;
        self
    }

    /// Sets the quality (clamped to 0..=1; NaN counts as none).
    pub fn with_quality(mut self, quality: f64) -> Self {
        self.quality = (!quality.is_nan()).then(|| quality.clamp(0.0, 1.0));
        self
    }
}

/// Why an attempt failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ErrorKind {
    /// May succeed on retry.
    Transient,
    /// Will fail again (unsupported format, say): never retried.
    Permanent,
    /// The attempt ran past `stage_timeout_seconds`.
    Timeout,
    /// The handler panicked.
    Panic,
    /// The wave or batch was cancelled.
    Cancelled,
}

/// A failed attempt.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
#[error("{message}")]
pub struct StageError {
    /// Whether a retry may help, and how the attempt is counted.
    pub kind: ErrorKind,
    /// What went wrong, for people.
    pub message: String,
}

impl StageError {
    /// A failure that a retry may fix.
    pub fn transient(message: impl Into<String>) -> Self {
        Self {
            kind: ErrorKind::Transient,
            message: message.into(),
        }
    }

    /// A failure that a retry cannot fix.
    pub fn permanent(message: impl Into<String>) -> Self {
        Self {
            kind: ErrorKind::Permanent,
            message: message.into(),
        }
    }

    pub(crate) fn timeout(after: Duration) -> Self {
        Self {
            kind: ErrorKind::Timeout,
            message: format!("timed out after {:.3} s", after.as_secs_f64()),
        }
    }

    pub(crate) fn panic(message: String) -> Self {
        Self {
            kind: ErrorKind::Panic,
            message: format!("handler panicked: {message}"),
        }
    }

    pub(crate) fn cancelled() -> Self {
        Self {
            kind: ErrorKind::Cancelled,
            message: "cancelled".into(),
        }
    }

    /// Whether another attempt may help.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::Transient | ErrorKind::Timeout | ErrorKind::Panic
        )
    }
}

/// What one attempt returns.
pub type StageResult = Result<StageOutput, StageError>;

/// The future an async handler returns.
pub type StageFuture = Pin<Box<dyn Future<Output = StageResult> + Send>>;

/// Results of earlier stages of this wave, visible to a handler: with
/// `progressive_mode` on, every completed stage; off, direct dependencies.
#[derive(Debug, Clone, Default)]
pub struct PriorResults {
    entries: Vec<(NodeId, WaveStage, Arc<StageOutput>)>,
}

impl PriorResults {
    pub(crate) fn push(&mut self, node: NodeId, kind: WaveStage, output: Arc<StageOutput>) {
        self.entries.push((node, kind, output));
    }

    /// The output of a node, by id.
    pub fn get(&self, node: &str) -> Option<&StageOutput> {
        self.entries
            .iter()
            .find(|(id, ..)| id.as_str() == node)
            .map(|(_, _, o)| o.as_ref())
    }

    /// A named value from the most recent stage that produced it.
    pub fn value(&self, key: &str) -> Option<&Value> {
        self.entries
            .iter()
            .rev()
            .find_map(|(_, _, o)| o.values.get(key))
    }

    /// Outputs of nodes of one kind.
    pub fn by_kind(&self, kind: WaveStage) -> impl Iterator<Item = (&NodeId, &StageOutput)> {
        self.entries
            .iter()
            .filter(move |(_, k, _)| *k == kind)
            .map(|(id, _, o)| (id, o.as_ref()))
    }

    /// All visible outputs, in completion order.
    pub fn iter(&self) -> impl Iterator<Item = (&NodeId, WaveStage, &StageOutput)> {
        self.entries.iter().map(|(id, k, o)| (id, *k, o.as_ref()))
    }

    /// Number of visible outputs.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no output is visible.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Lets a running handler report progress and, in progressive mode,
/// publish intermediate estimates (shown live).
#[derive(Clone)]
pub struct ProgressReporter {
    pub(crate) events: Arc<EventBus>,
    pub(crate) wave: WaveId,
    pub(crate) key: WaveKey,
    pub(crate) node: NodeId,
    pub(crate) progressive: bool,
}

impl std::fmt::Debug for ProgressReporter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProgressReporter")
            .field("wave", &self.wave)
            .field("node", &self.node)
            .finish()
    }
}

impl ProgressReporter {
    /// Reports the fraction done, in 0..=1.
    pub fn progress(&self, fraction: f64) {
        self.events.emit(|| WaveEvent::StageProgress {
            wave: self.wave,
            key: self.key,
            node: self.node.clone(),
            fraction: fraction.clamp(0.0, 1.0),
        });
    }

    /// Publishes an intermediate estimate. Ignored unless `progressive_mode`
    /// is on; returns whether it was published.
    pub fn publish(&self, values: StageValues) -> bool {
        if !self.progressive {
            return false;
        }
        self.events.emit(|| WaveEvent::IntermediateResult {
            wave: self.wave,
            key: self.key,
            node: self.node.clone(),
            values,
        });
        true
    }
}

/// Everything a handler gets for one attempt.
#[derive(Debug, Clone)]
pub struct StageInput {
    /// The wave this attempt belongs to.
    pub wave: WaveId,
    /// The node being run.
    pub node: NodeId,
    /// The node's stage kind.
    pub kind: WaveStage,
    /// 1 for the first attempt.
    pub attempt: u32,
    /// The wave's input; its `payload` is for the handler to read.
    pub input: Arc<WaveInput>,
    /// Outputs of earlier stages this handler may read.
    pub prior: PriorResults,
    /// Cancelled on timeout, on wave or batch cancellation: CPU work checks
    /// it between blocks.
    pub cancel: CancellationToken,
    /// Reports progress and, in progressive mode, interim estimates.
    pub progress: ProgressReporter,
}

type AsyncFn = dyn Fn(StageInput) -> StageFuture + Send + Sync;
pub(crate) type BlockingFn = dyn Fn(StageInput) -> StageResult + Send + Sync;
type BatchFn =
    dyn Fn(Vec<StageInput>) -> Pin<Box<dyn Future<Output = Vec<StageResult>> + Send>> + Send + Sync;

/// How a batched handler gathers items.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BatchSpec {
    /// At most this many waves' items per call.
    pub max_items: usize,
    /// A call starts at the latest this long after its first item arrived.
    pub max_wait: Duration,
}

/// A stage handler, registered by name with the orchestrator.
#[derive(Clone)]
pub enum StageHandler {
    /// Runs on the async workers; must not block.
    Async(Arc<AsyncFn>),
    /// CPU-bound work, run on the orchestrator's bounded blocking pool.
    Blocking(Arc<BlockingFn>),
    /// Receives up to `max_items` waves' items in one call and returns one
    /// result per item, in order.
    Batched(Arc<BatchFn>, BatchSpec),
}

impl std::fmt::Debug for StageHandler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StageHandler::Async(_) => f.write_str("StageHandler::Async"),
            StageHandler::Blocking(_) => f.write_str("StageHandler::Blocking"),
            StageHandler::Batched(_, spec) => write!(f, "StageHandler::Batched({spec:?})"),
        }
    }
}

impl StageHandler {
    /// An async handler from a closure returning a future.
    pub fn from_async<F, Fut>(f: F) -> Self
    where
        F: Fn(StageInput) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = StageResult> + Send + 'static,
    {
        StageHandler::Async(Arc::new(move |input| Box::pin(f(input))))
    }

    /// A CPU-bound handler; it should check `input.cancel` between blocks.
    /// One that does not keeps its thread after a timeout or cancel (its
    /// CPU slot goes to the next attempt while stray permits last), and is
    /// named by `WaveOrchestrator::shutdown` if still running then.
    pub fn blocking<F>(f: F) -> Self
    where
        F: Fn(StageInput) -> StageResult + Send + Sync + 'static,
    {
        StageHandler::Blocking(Arc::new(f))
    }

    /// A batched handler.
    pub fn batched<F, Fut>(spec: BatchSpec, f: F) -> Self
    where
        F: Fn(Vec<StageInput>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Vec<StageResult>> + Send + 'static,
    {
        let spec = BatchSpec {
            max_items: spec.max_items.max(1),
            max_wait: spec.max_wait,
        };
        StageHandler::Batched(Arc::new(move |items| Box::pin(f(items))), spec)
    }
}

/// The text of a panic payload.
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic payload".to_string()
    }
}

/// Calls `f`, turning a panic (while building the future) into an error.
pub(crate) fn call_catching<T>(f: impl FnOnce() -> T) -> Result<T, StageError> {
    std::panic::catch_unwind(AssertUnwindSafe(f))
        .map_err(|p| StageError::panic(panic_message(p.as_ref())))
}
