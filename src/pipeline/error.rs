//! Errors of loading, validating and saving pipeline files.

use std::path::PathBuf;

use super::document::FORMAT_VERSION;
use super::validate::Problem;

/// Why a pipeline could not be loaded or saved.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// The file could not be read.
    #[error("cannot read pipeline: {source}: {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file is larger than any pipeline needs ([`super::MAX_PIPELINE_BYTES`]):
    /// refused before it is read, so a stray file cannot fill memory or
    /// the library.
    #[error(
        "the pipeline file is {size} bytes, over the limit of {limit} bytes; is it a pipeline? {}",
        path.display()
    )]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size in bytes.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The file is not valid RON, or not shaped like a pipeline.
    #[error("{path}:{line}:{col}: {message}")]
    Syntax {
        /// The file.
        path: PathBuf,
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        col: usize,
        /// The parser's message.
        message: String,
    },
    /// Written by a newer build: its `version` is above `FORMAT_VERSION`.
    #[error(
        "{path}: written by a newer Wave Studio (format version {found}); this build reads version {FORMAT_VERSION}, please upgrade"
    )]
    NewerVersion {
        /// The file.
        path: PathBuf,
        /// The version the file declares.
        found: u32,
    },
    /// A `version` this build does not read (below `FORMAT_VERSION`).
    #[error(
        "{path}: unsupported format version {found}; this build reads version {FORMAT_VERSION}"
    )]
    BadVersion {
        /// The file.
        path: PathBuf,
        /// The version the file declares.
        found: u32,
    },
    /// It parsed, but validation found problems.
    #[error("{path}: {} problem(s):\n{}", problems.len(), problems.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
    Invalid {
        /// The file, or the document's name when there is no file.
        path: PathBuf,
        /// Every problem found, each with its position where known.
        problems: Vec<Problem>,
    },
    /// The file could not be written.
    #[error("cannot save pipeline: {source}: {path}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The document could not be turned into RON text; the serializer's message.
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
