//! Errors of loading, validating and saving pipeline files.

use std::path::PathBuf;

use super::document::FORMAT_VERSION;
use super::validate::Problem;

/// Why a pipeline could not be loaded or saved.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error("cannot read pipeline: {source}: {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}:{line}:{col}: {message}")]
    Syntax {
        path: PathBuf,
        line: usize,
        col: usize,
        message: String,
    },
    #[error(
        "{path}: written by a newer Wave Studio (format version {found}); this build reads version {FORMAT_VERSION}, please upgrade"
    )]
    NewerVersion { path: PathBuf, found: u32 },
    #[error(
        "{path}: unsupported format version {found}; this build reads version {FORMAT_VERSION}"
    )]
    BadVersion { path: PathBuf, found: u32 },
    #[error("{path}: {} problem(s):\n{}", problems.len(), problems.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
    Invalid {
        path: PathBuf,
        problems: Vec<Problem>,
    },
    #[error("cannot save pipeline: {source}: {path}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write pipeline as RON: {0}")]
    Serialize(String),
}

impl PipelineError {
    /// Every problem with its position, one per line, for `check` and the editor.
    pub fn problems(&self) -> Vec<Problem> {
        match self {
            PipelineError::Invalid { problems, .. } => problems.clone(),
            PipelineError::Syntax {
                line, col, message, ..
            } => {
                vec![Problem {
                    line: Some(*line),
                    col: Some(*col),
                    location: String::new(),
                    message: message.clone(),
                }]
            }
            other => vec![Problem {
                line: None,
                col: None,
                location: String::new(),
                message: other.to_string(),
            }],
        }
    }
}
