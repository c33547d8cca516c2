//! `run` and the results library: opening it (a failure never stops the
//! analysis), `--resume`'s inputs, and the closing line on what was stored.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::RunArgs;
use crate::cli::db::db_path;
use crate::cli::error::CliError;
use crate::cli::terminal::escape_text;
use crate::library::{Library, RunRow};
use crate::run::{FileResult, StoreStatus};

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
    pub(super) fn not_stored(&self, error: &str) {
        let copy = match &self.out {
            Some(_) => "the --out file has them",
            None => "they are on stdout",
        };
        let error = escape_text(error);
        eprintln!("error: {error}; results are not stored in the library ({copy})");
    }

    /// Where a run's results are besides `--out`, for the line saying
    /// `--out` could not be written.
    pub(super) fn where_results_are(&self) -> String {
        let run = self.status.as_ref().and_then(|s| s.get().run);
        match (&self.library, run) {
            (Some(library), Some(run)) => format!(
                " and stored in the library: `wave-studio results --db {} --run {run}`",
                library.path().display()
            ),
            _ => "; the results are in no library".to_string(),
        }
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
        let runs = library.runs()?;
        let Some(run) = resume_target(&runs, pipeline) else {
            return Err(nothing_to_resume(pipeline, library.path()));
        };
        let files = library.run_inputs(run.id)?;
        let state = if unfinished(run) {
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

/// A run that did not finish: killed (no end recorded) or with files
/// cancelled (Ctrl+C).
fn unfinished(run: &RunRow) -> bool {
    run.finished_ms.is_none() || run.counts.cancelled > 0
}

/// The run `--resume` takes among `runs` (newest first): `pipeline`'s
/// newest unfinished run, else its newest run.
fn resume_target<'a>(runs: &'a [RunRow], pipeline: &str) -> Option<&'a RunRow> {
    let mut own = runs.iter().filter(|r| r.pipeline_name == pipeline);
    let newest = own.clone().next();
    own.find(|r| unfinished(r)).or(newest)
}

fn nothing_to_resume(pipeline: &str, path: &Path) -> CliError {
    CliError::NothingToResume {
        pipeline: pipeline.to_string(),
        path: path.to_path_buf(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::RunCounts;

    fn run(id: i64, pipeline: &str, finished: bool, cancelled: u64) -> RunRow {
        RunRow {
            id,
            pipeline_name: pipeline.into(),
            pipeline_hash: String::new(),
            program_version: String::new(),
            started_ms: id,
            finished_ms: finished.then_some(id + 1),
            files_total: 3,
            counts: RunCounts {
                cancelled,
                ..RunCounts::default()
            },
            shard: None,
            host: None,
        }
    }

    #[test]
    fn resume_takes_the_newest_unfinished_run_of_the_pipeline() {
        let id = |runs: &[RunRow], p: &str| resume_target(runs, p).map(|r| r.id);
        // Newest first, as the library lists them.
        let runs = [
            run(5, "Other", false, 0),
            run(4, "Full", true, 0),
            run(3, "Full", false, 0),
            run(2, "Full", true, 2),
            run(1, "Full", true, 0),
        ];
        assert_eq!(id(&runs, "Full"), Some(3), "killed");
        assert_eq!(id(&runs[3..], "Full"), Some(2), "interrupted");
        assert_eq!(id(&runs[4..], "Full"), Some(1), "all finished: the newest");
        assert_eq!(id(&runs, "Other"), Some(5));
        assert_eq!(id(&runs, "DJ"), None);
    }
}
