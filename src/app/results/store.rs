//! The results library as the app sees it: opened, read and changed on
//! blocking threads (it may wait on a lock), never on the UI thread. Each
//! answer comes back through a channel and wakes the UI.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc;

use tokio::runtime::Handle;

use crate::app::results::table::PipelineId;
use crate::library::{Library, ResultFilter, ResultRow};
use crate::orchestrator::Wake;

/// The environment variable that replaces the default library path (the
/// CLI reads the same one).
pub const DB_ENV: &str = "WAVE_STUDIO_DB";

/// What a pipeline's stored results say about resuming it.
#[derive(Debug, Clone, Default)]
pub struct ResumeInfo {
    /// The pipeline asked about.
    pub pipeline: String,
    /// Files with a finished result of that pipeline, as the library
    /// writes paths (absolute).
    pub finished: HashSet<String>,
    /// The inputs of its last run when that run did not finish.
    pub interrupted: Vec<PathBuf>,
}

/// An answer from a library task.
pub enum Reply {
    /// The library opened, or why not (the message names the file).
    Opened(Result<Arc<Library>, String>),
    /// Rows for the table (and the pipelines for the filter), for the
    /// request numbered `.0`.
    Rows(u64, Result<(Vec<ResultRow>, Vec<PipelineId>), String>),
    /// What resuming the pipeline would run, for request `.0`.
    Resume(u64, Result<ResumeInfo, String>),
    /// Results forgotten (their paths and count), or why not.
    Forgot(Result<(Vec<PathBuf>, usize), String>),
    /// A file's stored series for the track view, for request `.0`
    /// (`None`: the file has no stored result).
    Track(u64, Result<Option<crate::app::track::TrackData>, String>),
}

/// The open library (if any) and its tasks' channel.
pub struct StoreState {
    /// The library, once open.
    pub library: Option<Arc<Library>>,
    /// Where to open it; taken by the first frame (which has a waker).
    pub to_open: Option<PathBuf>,
    /// The library is being opened: runs wait, so that they are stored.
    pub opening: bool,
    /// What the last resume check found.
    pub resume: Option<ResumeInfo>,
    /// Bumped with each new `resume`, so the count of files to resume is
    /// recomputed only when it or the queue changes.
    pub resume_generation: u64,
    tx: mpsc::Sender<Reply>,
    rx: mpsc::Receiver<Reply>,
    /// The newest rows and resume requests: older answers are dropped.
    rows_request: u64,
    resume_request: u64,
}

impl Default for StoreState {
    fn default() -> Self {
        let (tx, rx) = mpsc::channel();
        Self {
            library: None,
            to_open: None,
            opening: false,
            resume: None,
            resume_generation: 0,
            tx,
            rx,
            rows_request: 0,
            resume_request: 0,
        }
    }
}

/// Where the app's library is: `--db`, else `WAVE_STUDIO_DB`, else the
/// platform's data directory; `None` with `--no-db`.
pub fn library_path(db: Option<PathBuf>, no_db: bool) -> Option<PathBuf> {
    if no_db {
        return None;
    }
    db.or_else(|| {
        std::env::var_os(DB_ENV)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    })
    .or_else(crate::library::default_path)
}

impl StoreState {
    /// Runs `job` on a blocking thread and sends its answer back.
    fn spawn(&self, handle: &Handle, wake: &Wake, job: impl FnOnce() -> Reply + Send + 'static) {
        let tx = self.tx.clone();
        let wake = wake.clone();
        handle.spawn_blocking(move || {
            let _ = tx.send(job());
            wake();
        });
    }

    /// Opens the library at `path`.
    pub fn open(&mut self, path: PathBuf, handle: &Handle, wake: &Wake) {
        self.opening = true;
        self.spawn(handle, wake, move || {
            // A read-only library is still shown (nothing new is stored).
            Reply::Opened(Library::open_or_read_only(&path).map_err(|e| e.to_string()))
        });
    }

    /// Reads the rows `filter` selects, and the pipelines with results.
    pub fn load_rows(&mut self, filter: ResultFilter, handle: &Handle, wake: &Wake) {
        let Some(lib) = self.library.clone() else {
            return;
        };
        self.rows_request += 1;
        let n = self.rows_request;
        self.spawn(handle, wake, move || {
            let read = || {
                let pipelines = lib.pipelines()?.into_iter();
                let ids = pipelines.map(|(name, hash)| PipelineId { name, hash });
                Ok((lib.results(&filter)?, ids.collect()))
            };
            Reply::Rows(
                n,
                read().map_err(|e: crate::library::LibraryError| e.to_string()),
            )
        });
    }

    /// Finds what resuming `pipeline` would run.
    pub fn check_resume(&mut self, pipeline: &str, handle: &Handle, wake: &Wake) {
        let Some(lib) = self.library.clone() else {
            return;
        };
        self.resume_request += 1;
        let n = self.resume_request;
        let pipeline = pipeline.to_string();
        self.spawn(handle, wake, move || {
            Reply::Resume(n, resume_info(&lib, pipeline).map_err(|e| e.to_string()))
        });
    }

    /// Reads `path`'s stored series (of `pipeline`, else its newest
    /// result) for the track view's request `n`.
    pub fn load_track(
        &self,
        n: u64,
        (path, pipeline, bpm): (PathBuf, Option<String>, Option<f64>),
        handle: &Handle,
        wake: &Wake,
    ) {
        let Some(lib) = self.library.clone() else {
            let why = "no results library is open (the app was started without one)";
            let _ = self.tx.send(Reply::Track(n, Err(why.into())));
            wake();
            return;
        };
        self.spawn(handle, wake, move || {
            let read = lib.series_of(&path, pipeline.as_deref());
            let data = read.map(|stored| {
                stored.map(|s| crate::app::track::TrackData::from_stored(path, bpm, s))
            });
            Reply::Track(n, data.map_err(|e| e.to_string()))
        });
    }

    /// Forgets the results of `paths`.
    pub fn forget(&self, paths: Vec<PathBuf>, handle: &Handle, wake: &Wake) {
        let Some(lib) = self.library.clone() else {
            return;
        };
        self.spawn(handle, wake, move || {
            Reply::Forgot(
                lib.forget_files(&paths)
                    .map(|n| (paths, n))
                    .map_err(|e| e.to_string()),
            )
        });
    }

    /// The answers that arrived, the stale ones left out.
    pub fn drain(&mut self) -> Vec<Reply> {
        let mut out = Vec::new();
        while let Ok(reply) = self.rx.try_recv() {
            match &reply {
                Reply::Opened(_) => {
                    self.opening = false;
                    out.push(reply);
                }
                Reply::Rows(n, _) if *n != self.rows_request => {}
                Reply::Resume(n, _) if *n != self.resume_request => {}
                _ => out.push(reply),
            }
        }
        out
    }
}

/// The finished files of `pipeline` and, if its last run did not finish,
/// that run's inputs.
fn resume_info(
    lib: &Library,
    pipeline: String,
) -> Result<ResumeInfo, crate::library::LibraryError> {
    let filter = ResultFilter {
        pipeline: Some(pipeline.clone()),
        ..ResultFilter::default()
    };
    let finished = lib
        .results(&filter)?
        .into_iter()
        .filter(|r| {
            r.summary.status
                != crate::run::persist::status_name(crate::orchestrator::WaveStatus::Cancelled)
        })
        .map(|r| r.path)
        .collect();
    let last = lib
        .runs()?
        .into_iter()
        .find(|r| r.pipeline_name == pipeline);
    let interrupted = match last {
        Some(run) if run.finished_ms.is_none() => lib.run_inputs(run.id)?,
        _ => Vec::new(),
    };
    Ok(ResumeInfo {
        pipeline,
        finished,
        interrupted,
    })
}
