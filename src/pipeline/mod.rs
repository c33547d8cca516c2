//! Pipeline documents: the nodes, edges and `WaveConfig` users edit, save
//! (RON) and run; their validation; and the built-in operations (and
//! plugins) that turn audio analyses into orchestrator stage handlers.
//! Running a document over files is [`crate::run`]; what is done with the
//! results afterwards (exports, A/B comparison, tuning) is [`crate::results`].

pub mod cache;
mod custom;
mod document;
mod edit;
mod error;
pub mod fields;
mod format;
mod operation;
mod operation_params;
pub mod ops;
mod params;
pub mod plugin;
mod validate;

pub use custom::{CustomStageError, CustomStages, StageFactory};
pub use document::{DocNodeId, Edge, FORMAT_VERSION, PipelineDocument, PipelineNode, handler_name};
pub use edit::EditError;
pub use error::PipelineError;
pub use format::{
    MAX_PIPELINE_BYTES, PIPELINE_EXTENSION, content_hash, is_pipeline_path, load, load_with, parse,
    parse_with, save, to_ron,
};
pub use operation::{KeyNotation, KeyProfileChoice, Operation, OperationInfo};
pub use params::{ParamInfo, ParamType};
pub(crate) use validate::missing_plugins_unless;
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
