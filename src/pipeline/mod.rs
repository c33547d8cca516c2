//! Pipeline documents: the nodes, edges and `WaveConfig` users edit, save
//! (RON) and run; their validation; and the built-in operations that turn
//! audio analyses into orchestrator stage handlers.

pub mod cache;
pub mod compare;
mod custom;
mod document;
mod edit;
mod error;
pub mod export;
pub mod fields;
mod format;
mod monitor;
mod mount;
mod operation;
pub mod ops;
pub mod pair;
pub mod persist;
pub mod plugin;
mod runner;
pub mod tune;
mod validate;

pub use custom::{CustomStages, StageFactory};
pub use document::{Edge, FORMAT_VERSION, PipelineDocument, PipelineNode, handler_name};
pub use edit::EditError;
pub use error::PipelineError;
pub use format::{
    MAX_PIPELINE_BYTES, PIPELINE_EXTENSION, is_pipeline_path, load, load_with, parse, parse_with,
    save, to_ron,
};
pub use monitor::{NodeLive, RunMonitor, WaveProgress};
pub use operation::{KeyNotation, KeyProfileChoice, Operation, OperationInfo};
pub use persist::{StoreState, StoreStatus};
pub use runner::{FileResult, PipelineRunner, Run, content_hash, wave_input};
pub use validate::{Problem, missing_plugins, validate, validate_with};

/// The default pipeline's source (`pipelines/default.ron`), built in.
pub const DEFAULT_PIPELINE: &str = include_str!("../../pipelines/default.ron");

/// The built-in default pipeline (it names no plugin: no folder is read).
pub fn default_document() -> Result<PipelineDocument, PipelineError> {
    parse_with(
        DEFAULT_PIPELINE,
        std::path::Path::new("<built-in default.ron>"),
        &plugin::Installed::default(),
    )
}
