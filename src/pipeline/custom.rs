//! Operations written in Rust and added by a program that embeds the
//! library: a pipeline names one as `Plugin(name: "...", params: {...})`,
//! and the runner serves that node in-process from its registered factory
//! instead of starting a plugin's program.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use crate::orchestrator::StageHandler;

/// Why a custom operation refuses a node's `params` (reported against the
/// node, like any pipeline problem).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CustomStageError {
    /// A parameter is missing, of the wrong type or out of range.
    #[error("`{name}` {reason}")]
    BadParam {
        /// The parameter's name.
        name: String,
        /// What is wrong with it, e.g. "must be a number in 0.05..=60, got 90".
        reason: String,
    },
    /// The operation refuses for another reason, in its own words.
    #[error("{0}")]
    Refused(String),
}

/// Builds a node's handler from its `params`, or says what is wrong with
/// them.
pub type StageFactory =
    Arc<dyn Fn(&BTreeMap<String, Value>) -> Result<StageHandler, CustomStageError> + Send + Sync>;

/// One registered operation.
#[derive(Clone)]
struct CustomStage {
    outputs: Vec<String>,
    factory: StageFactory,
}

/// Rust-written operations by name, for `PipelineRunner::with_stages`.
#[derive(Clone, Default)]
pub struct CustomStages {
    stages: BTreeMap<String, CustomStage>,
}

impl std::fmt::Debug for CustomStages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.stages.keys()).finish()
    }
}

impl CustomStages {
    /// No operations.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) operation `name`, whose values include `outputs`
    /// (extra CSV columns), built per node by `factory`.
    pub fn add(
        mut self,
        name: impl Into<String>,
        outputs: &[&str],
        factory: impl Fn(&BTreeMap<String, Value>) -> Result<StageHandler, CustomStageError>
        + Send
        + Sync
        + 'static,
    ) -> Self {
        self.stages.insert(
            name.into(),
            CustomStage {
                outputs: outputs.iter().map(|s| s.to_string()).collect(),
                factory: Arc::new(factory),
            },
        );
        self
    }

    /// Whether `name` is one of these operations.
    pub fn contains(&self, name: &str) -> bool {
        self.stages.contains_key(name)
    }

    /// The values operation `name` declares.
    pub fn outputs(&self, name: &str) -> &[String] {
        self.stages.get(name).map_or(&[], |s| s.outputs.as_slice())
    }

    /// The handler of a node running `name` with `params`; `None` when
    /// `name` is not one of these operations.
    pub fn handler(
        &self,
        name: &str,
        params: &BTreeMap<String, Value>,
    ) -> Option<Result<StageHandler, CustomStageError>> {
        self.stages.get(name).map(|s| (s.factory)(params))
    }
}
