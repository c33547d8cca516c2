//! `run` and the results library: opening it (a failure never stops the
//! analysis), `--resume`'s inputs, and the closing line on what was stored.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::RunArgs;
use crate::cli::db::db_path;
use crate::cli::error::CliError;
use crate::library::{Library, RunRow};
use crate::pipeline::{FileResult, StoreStatus};

/// The library a run writes to, or why it writes to none.
#[derive(Debug, Default)]
pub(super) struct RunStore {
    /// The open library; `None` with `--no-db` or when it failed to open.
    pub(super) library: Option<Arc<Library>>,
    /// Where the results go besides the library, for the error line.
    out: Option<PathBuf>,
    /// The library failed to open: the run is not stored.
    failed: bool,
    /// The run's writes, once started.
    pub(super) status: Option<StoreStatus>,
}

impl RunStore {
    /// Opens the library `args` name (none with `--no-db`). A library that
    /// cannot be opened prints one error line and the run goes on without
    /// it, except for `--resume`, which needs it to find its inputs.
    pub(super) fn open(args: &RunArgs) -> Result<Self, CliError> {
        let mut store = Self {
            out: args.out.clone(),
            ..Self::default()
        };
        if args.no_db {
            return Ok(store);
        }
        let path = db_path(args.db.as_deref())?;
        match Library::open(&path) {
            Ok(library) => store.library = Some(library),
            Err(e) if args.resume => return Err(e.into()),
            Err(e) => {
                store.failed = true;
                store.not_stored(&e.to_string());
            }
        }
        Ok(store)
    }

    /// The one error line when the library cannot take the results.
    fn not_stored(&self, error: &str) {
        let copy = match &self.out {
            Some(_) => "the --out file has them",
            None => "they are on stdout",
        };
        eprintln!("error: {error}; results are not stored in the library ({copy})");
    }

    /// After the run: the library line of the summary, or the error line.
    /// False when the library failed (the exit code must say so).
    pub(super) fn report(&self, results: &[FileResult]) -> bool {
        if self.failed {
            return false;
        }
        let Some(status) = &self.status else {
            return true;
        };
        let state = status.get();
        if let Some(error) = &state.error {
            self.not_stored(error);
            return false;
        }
        let run = state
            .run
            .map_or_else(String::new, |id| format!(" (run {id})"));
        let cached = results.iter().filter(|r| r.cached).count();
        eprintln!(
            "library: {} results stored in {}{run}; {cached} files answered from the store",
            state.written,
            state.path.display()
        );
        true
    }

    /// `--resume`'s files: the inputs of the newest run of `pipeline` that
    /// did not finish (killed, or with cancelled files), else of its newest
    /// run. Says on stderr which run it resumes.
    pub(super) fn resume_files(&self, pipeline: &str) -> Result<Vec<PathBuf>, CliError> {
        let Some(library) = &self.library else {
            return Ok(Vec::new());
        };
        let runs: Vec<RunRow> = library
            .runs()?
            .into_iter()
            .filter(|r| r.pipeline_name == pipeline)
            .collect();
        let unfinished = |r: &&RunRow| r.finished_ms.is_none() || r.counts.cancelled > 0;
        let Some(run) = runs.iter().find(unfinished).or(runs.first()) else {
            return Err(nothing_to_resume(pipeline, library.path()));
        };
        let files = library.run_inputs(run.id)?;
        let state = if unfinished(&run) {
            "unfinished"
        } else {
            "finished"
        };
        eprintln!(
            "resuming run {} of \"{pipeline}\" ({state}): {} files",
            run.id,
            files.len()
        );
        Ok(files)
    }
}

fn nothing_to_resume(pipeline: &str, path: &Path) -> CliError {
    CliError::NothingToResume {
        pipeline: pipeline.to_string(),
        path: path.to_path_buf(),
    }
}
