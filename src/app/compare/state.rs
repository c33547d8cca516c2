//! *Compare with…*: the current pipeline (A) and a second one (B) run over
//! the queue, interleaved on one engine; their records become a
//! `Comparison` (drawn by `compare_ui.rs`). The app sees the run only
//! through a channel, so the UI never waits.

use std::path::{Path, PathBuf};
use std::sync::{Arc, mpsc};

use tokio::runtime::Handle;
use tokio_util::sync::CancellationToken;

use crate::app::command::CompareCommand;
use crate::library::Library;
use crate::orchestrator::Wake;
use crate::pipeline::PipelineDocument;
use crate::pipeline::plugin::Installed;
use crate::results::compare::{Comparison, PipelineTag};
use crate::run::pair::{PipelinePair, SideResult};

enum Message {
    Result(Box<SideResult>),
    Done,
}

/// A comparison in progress.
struct Active {
    messages: mpsc::Receiver<Message>,
    cancel: CancellationToken,
    tags: [PipelineTag; 2],
    nodes: [Vec<String>; 2],
    results: Vec<SideResult>,
    total: usize,
    /// The task forwarding both sides' records to `messages`; it ends with
    /// the comparison (the handle is kept so no task is left untracked).
    _forward: tokio::task::JoinHandle<()>,
}

/// The comparison window's state.
#[derive(Default)]
pub struct CompareState {
    /// The window is open.
    pub open: bool,
    /// Pipeline B's file.
    pub path_b: Option<PathBuf>,
    active: Option<Active>,
    /// The finished comparison, or why there is none.
    pub outcome: Option<Result<Comparison, String>>,
    /// The file whose records are shown in full.
    pub selected: Option<usize>,
}

impl std::fmt::Debug for CompareState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompareState")
            .field("open", &self.open)
            .field("running", &self.is_running())
            .finish_non_exhaustive()
    }
}

/// What a comparison runs with: pipeline A (the document being edited),
/// the library and the installed plugins.
pub struct CompareJob<'a> {
    /// Pipeline A.
    pub doc: &'a PipelineDocument,
    /// The results library, if open.
    pub library: Option<Arc<Library>>,
    /// Installed plugins.
    pub plugins: Arc<Installed>,
}

impl CompareState {
    /// Whether both pipelines are running.
    pub fn is_running(&self) -> bool {
        self.active.is_some()
    }

    /// (records in, records expected) while running.
    pub fn progress(&self) -> Option<(usize, usize)> {
        self.active.as_ref().map(|a| (a.results.len(), a.total))
    }

    /// Loads pipeline B from `path_b` and starts both over `files`. An
    /// invalid B, no files, or a run already going is the error (said in
    /// the window; nothing partial is shown).
    pub fn start(
        &mut self,
        job: CompareJob<'_>,
        path_b: &Path,
        files: Vec<PathBuf>,
        handle: &Handle,
        wake: Wake,
    ) -> Result<(), String> {
        self.open = true;
        self.path_b = Some(path_b.to_path_buf());
        self.selected = None;
        if self.is_running() {
            return Err("a comparison is already running".into());
        }
        let fail = |e: String| Err(format!("Cannot compare: {e}"));
        let doc_b = match crate::pipeline::load_with(path_b, &job.plugins) {
            Ok(d) => d,
            Err(e) => return fail(format!("{e}")),
        };
        if files.is_empty() {
            return fail("no files queued: add audio files to compare on".into());
        }
        let pair = PipelinePair::new(
            job.doc,
            &doc_b,
            None,
            handle.clone(),
            job.library,
            job.plugins,
        )
        .map_err(|e| format!("Cannot compare: {e}"))?;
        let tags = [0, 1].map(|i| PipelineTag {
            name: pair.names()[i].to_string(),
            hash: pair.hashes()[i].to_string(),
        });
        let nodes = pair.node_ids();
        let total = files.len() * 2;
        let run = pair.start(files);
        let (tx, messages) = mpsc::channel();
        let cancel = run.cancel.clone();
        let mut results = run.results;
        let forward = handle.spawn(async move {
            // The engine lives as long as its comparison.
            let _pair = pair;
            while let Some(r) = results.recv().await {
                let _ = tx.send(Message::Result(Box::new(r)));
                wake();
            }
            let _ = run.done.await;
            let _ = tx.send(Message::Done);
            wake();
        });
        self.outcome = None;
        self.active = Some(Active {
            messages,
            cancel,
            tags,
            nodes,
            results: Vec::new(),
            total,
            _forward: forward,
        });
        Ok(())
    }

    /// Cancels a running comparison (no table: a cut-short run is no fair
    /// comparison).
    pub fn cancel(&mut self) {
        if let Some(a) = &self.active {
            a.cancel.cancel();
        }
    }

    /// Drains what arrived; builds the comparison once both ended.
    /// Returns whether anything changed.
    pub fn poll(&mut self) -> bool {
        let Some(active) = self.active.as_mut() else {
            return false;
        };
        let mut changed = false;
        let mut done = false;
        while let Ok(m) = active.messages.try_recv() {
            changed = true;
            match m {
                Message::Result(r) => active.results.push(*r),
                Message::Done => done = true,
            }
        }
        if done && let Some(a) = self.active.take() {
            let cancelled = a.cancel.is_cancelled();
            self.outcome = Some(if cancelled {
                Err(
                    "Comparison cancelled: nothing to show (both pipelines must finish every file)"
                        .into(),
                )
            } else {
                Comparison::new(a.tags, a.results, &a.nodes).map_err(|e| e.to_string())
            });
        }
        changed
    }

    /// The finished comparison, if any.
    pub fn comparison(&self) -> Option<&Comparison> {
        self.outcome.as_ref().and_then(|o| o.as_ref().ok())
    }
}

impl crate::app::WaveStudioApp {
    /// Applies what the comparison window asked for.
    pub(crate) fn apply_compare(&mut self, command: CompareCommand) {
        match command {
            CompareCommand::Dialog => {
                self.compare.open = true;
                self.ask(crate::app::command::DialogKind::ComparePipeline);
            }
            CompareCommand::With(path) => self.start_compare(&path),
            CompareCommand::Again => {
                if let Some(path) = self.compare.path_b.clone() {
                    self.start_compare(&path);
                }
            }
            CompareCommand::Select(i) => self.compare.selected = Some(i),
            CompareCommand::Cancel => self.compare.cancel(),
            CompareCommand::Close => {
                self.compare.cancel();
                self.compare.open = false;
            }
        }
    }

    /// Compares the document with the pipeline at `path` over the queue.
    fn start_compare(&mut self, path: &Path) {
        let files = self.files.entries.iter().map(|e| e.path.clone()).collect();
        let wake = self.waker();
        let job = CompareJob {
            doc: &self.doc.doc,
            library: self.store.library.clone(),
            plugins: self.plugins.installed.clone(),
        };
        match self.compare.start(job, path, files, &self.handle, wake) {
            Ok(()) => self.set_status(format!("Comparing with {}…", path.display()), false),
            Err(e) => {
                self.set_status(e.clone(), true);
                self.compare.outcome = Some(Err(e));
            }
        }
    }

    /// The comparison window's state.
    pub fn comparison_state(&self) -> &CompareState {
        &self.compare
    }
}
