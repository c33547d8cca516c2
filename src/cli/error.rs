//! Why a command could not run, and the one mapping from outcomes to exit codes.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::library::LibraryError;
use crate::pipeline::PipelineError;

/// How a command that ran to the end went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Every input succeeded (exit status 0).
    AllOk,
    /// Some inputs failed, were partial or were cancelled (exit status 1).
    SomeFailed,
}

impl Outcome {
    /// `AllOk` when `all_ok`, else `SomeFailed`.
    pub fn from_all_ok(all_ok: bool) -> Self {
        if all_ok {
            Self::AllOk
        } else {
            Self::SomeFailed
        }
    }
}

/// Why a command could not run (exit status 2): nothing was analysed, or
/// the results could not be written.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The pipeline file does not load, validate or compile.
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    /// Only a pipeline file was given.
    #[error("no audio files or folders given")]
    NoInputs,
    /// The inputs hold no audio file.
    #[error("no audio files found in {0}")]
    NoAudioFiles(String),
    /// The results file cannot be created.
    #[error("cannot create the output file: {source}: {}", path.display())]
    Output {
        /// The `--out` path.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// `--out` names the user's own data (the library, a shard, an input
    /// or the pipeline): refused before anything is written.
    #[error(
        "refusing to write --out {}: it is {what} ({}); nothing was written",
        out.display(),
        path.display()
    )]
    Clobber {
        /// The `--out` path.
        out: PathBuf,
        /// What it would destroy.
        what: &'static str,
        /// That file as given.
        path: PathBuf,
    },
    /// Writing the results failed midway.
    #[error("cannot write the results: {0}")]
    Write(#[from] std::io::Error),
    /// The results library cannot be opened or read (it names its file).
    #[error(transparent)]
    Library(#[from] LibraryError),
    /// `results` or `forget` named a library that does not exist.
    #[error("no results library at {}", .0.display())]
    NoLibrary(PathBuf),
    /// No `--db`, no `WAVE_STUDIO_DB` and no data folder for the default.
    #[error("no data folder for the results library; give --db PATH or set WAVE_STUDIO_DB")]
    NoDataFolder,
    /// `run --resume` found no earlier run of the pipeline.
    #[error("nothing to resume: the library {} has no run of \"{pipeline}\"", path.display())]
    NothingToResume {
        /// The pipeline's name.
        pipeline: String,
        /// The library.
        path: PathBuf,
    },
    /// `results --format json|csv` over results of several pipelines.
    #[error(
        "the results belong to several pipelines ({0}); choose one with --pipeline or use --format jsonl"
    )]
    SeveralPipelines(String),
    /// `compare` or `tune` was given something else where a pipeline
    /// file belongs.
    #[error("not a pipeline file (.ron): {}", .0.display())]
    NotAPipeline(PathBuf),
    /// `compare`: the two sides' records cannot be compared.
    #[error(transparent)]
    Compare(#[from] crate::results::compare::CompareError),
    /// `tune`: the pipeline has no history to tune from.
    #[error(transparent)]
    Tune(#[from] crate::results::tune::HistoryError),
    /// `run --shard`/`--shards` (or the cluster's variables they read)
    /// do not name a shard, or `{shard}` is used without one.
    #[error("--shard: {0}")]
    Shard(String),
    /// `merge` refused its shards (different pipelines or versions, or a
    /// shard that cannot be read); the message names them.
    #[error("merge: {0}")]
    Merge(String),
    /// `results --series` was asked for something it cannot do.
    #[error("--series: {0}")]
    Series(String),
    /// The async runtime or a worker could not start, or a task failed.
    #[error("{0}")]
    Internal(String),
}

/// The exit status of a command's result, printing the error if any:
/// 0 all inputs ok, 1 some failed, 2 usage error or nothing could run.
pub fn exit_code(result: Result<Outcome, CliError>) -> ExitCode {
    match result {
        Ok(Outcome::AllOk) => ExitCode::SUCCESS,
        Ok(Outcome::SomeFailed) => ExitCode::from(1),
        Err(e) => {
            let message = e.to_string();
            eprintln!("error: {}", super::terminal::escape_text(&message));
            ExitCode::from(2)
        }
    }
}

/// Parses a `--jobs` value: a count of at least 1.
pub fn parse_jobs(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(0) => Err("must be at least 1".to_string()),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}

/// Paths joined with commas, for messages.
pub fn display_list(paths: &[impl AsRef<Path>]) -> String {
    paths
        .iter()
        .map(|p| p.as_ref().display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
