//! Pipeline documents: the nodes, edges and `WaveConfig` users edit, save
//! (RON) and run; their validation; and the built-in operations that turn
//! audio analyses into orchestrator stage handlers.

mod document;
mod error;
mod format;
mod operation;
mod validate;

pub use document::{Edge, FORMAT_VERSION, PipelineDocument, PipelineNode, handler_name};
pub use error::PipelineError;
pub use format::{load, parse, save, to_ron};
pub use operation::{KeyNotation, KeyProfileChoice, Operation, OperationInfo};
pub use validate::{Problem, validate};
