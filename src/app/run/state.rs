//! Starting and cancelling a pipeline run on the runtime, and turning its
//! events and results into UI state. Nothing here blocks the UI thread.

use std::path::PathBuf;
use std::sync::{Arc, mpsc};
use std::time::Instant;

use tokio::runtime::Handle;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio_util::sync::CancellationToken;

use crate::app::files::{FileQueue, FileState};
use crate::app::results::table::{PipelineId, ResultsTable};
use crate::app::run::charts::LiveStats;
use crate::library::Library;
use crate::orchestrator::{
    BatchPriorities, BatchReport, Statistics, Wake, WaveEvent, WaveKey, WaveStatus,
};
use crate::pipeline::PipelineDocument;
use crate::run::{FileResult, PipelineRunner, RunMonitor, StoreStatus};

enum RunMessage {
    Result(Box<FileResult>),
    Done(Option<BatchReport>),
}

/// A run in progress: the app sees it only through its events, its result
/// messages and its cancel token.
struct ActiveRun {
    /// Nodes in the pipeline, for per-file progress.
    nodes: usize,
    events: UnboundedReceiver<WaveEvent>,
    messages: mpsc::Receiver<RunMessage>,
    cancel: CancellationToken,
    /// The queue entry of each wave, indexed by its caller key (the
    /// runner keys files by position).
    entries: Vec<usize>,
    started: Instant,
    /// The pipeline as run (name and hash), which its results are stored
    /// under.
    pipeline: PipelineId,
    /// How writing to the library goes, with one.
    store: Option<StoreStatus>,
    /// Raises waves not started yet (*Analyse next*).
    priorities: BatchPriorities,
    /// The priority the next *Analyse next* gives: later asks go first.
    next_priority: i32,
    /// The values its plugin nodes declare, shown in the results table.
    extra: Vec<String>,
    /// The task forwarding the run's results to `messages`; it ends with
    /// the run (the handle is kept so no task is left untracked).
    _forward: tokio::task::JoinHandle<()>,
}

impl ActiveRun {
    /// The queue entry of the wave with `key`.
    fn entry(&self, key: WaveKey) -> Option<usize> {
        usize::try_from(key.0)
            .ok()
            .and_then(|k| self.entries.get(k).copied())
    }
}

/// The current or last run.
#[derive(Default)]
pub struct RunState {
    active: Option<ActiveRun>,
    /// Live counts and chart series.
    pub live: LiveStats,
    /// How the last batch ended.
    pub report: Option<BatchReport>,
    /// Whether Cancel was pressed for the active run.
    pub cancelling: bool,
    /// The library's first write error in this run, once seen.
    pub store_error: Option<String>,
    /// Whether the status bar has shown `store_error`.
    pub store_error_shown: bool,
}

impl std::fmt::Debug for RunState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunState")
            .field("running", &self.is_running())
            .finish_non_exhaustive()
    }
}

impl RunState {
    /// The engine's statistics, as its last statistics event gave them.
    pub fn statistics(&self) -> Option<&Statistics> {
        self.live.monitor.statistics.as_ref()
    }

    /// Whether a batch is running.
    pub fn is_running(&self) -> bool {
        self.active.is_some()
    }

    /// Seconds since the run started.
    pub fn elapsed(&self) -> Option<f64> {
        self.active
            .as_ref()
            .map(|a| a.started.elapsed().as_secs_f64())
    }

    /// Starts `doc` on the queue entries `indices`, storing results in
    /// `library` when there is one.
    pub fn start(
        &mut self,
        (doc, library, plugins): (
            &PipelineDocument,
            Option<Arc<Library>>,
            Arc<crate::pipeline::plugin::Installed>,
        ),
        files: &mut FileQueue,
        indices: Vec<usize>,
        handle: &Handle,
        wake: Wake,
    ) -> Result<(), String> {
        let runner =
            // The runner keeps this set: a rescan does not touch the batch.
            PipelineRunner::with_plugins(doc, None, handle.clone(), library, plugins).map_err(|e| {
                e.problems()
                    .iter()
                    .map(|p| p.message.clone())
                    .collect::<Vec<_>>()
                    .join("; ")
            })?;
        let orchestrator = runner.orchestrator();
        // Subscribe before starting, so no event is missed.
        let events = orchestrator.subscribe();
        let w = wake.clone();
        orchestrator.set_wake(move || w());

        let mut entries = Vec::new();
        let mut paths: Vec<PathBuf> = Vec::new();
        for i in indices {
            let Some(entry) = files.entries.get_mut(i) else {
                continue;
            };
            entry.state = FileState::Queued;
            entry.progress = 0.0;
            entries.push(i);
            paths.push(entry.path.clone());
        }
        let extra = runner.extra_columns().to_vec();
        let run = runner.start(paths, doc.config.max_concurrent_waves.max(1));
        let (tx, messages) = mpsc::channel();
        let cancel = run.cancel.clone();
        let (store, priorities) = (run.store.clone(), run.priorities.clone());
        let mut results = run.results;
        let done = run.done;
        let forward = handle.spawn(async move {
            // The runner lives as long as its run.
            let _runner = runner;
            while let Some(r) = results.recv().await {
                let _ = tx.send(RunMessage::Result(Box::new(r)));
                wake();
            }
            let report = done.await.ok();
            let _ = tx.send(RunMessage::Done(report));
            wake();
        });
        self.live = LiveStats::for_run(doc.config.clone());
        self.report = None;
        self.cancelling = false;
        self.store_error = None;
        self.store_error_shown = false;
        self.active = Some(ActiveRun {
            pipeline: PipelineId::of(doc),
            store,
            priorities,
            next_priority: 1,
            extra,
            nodes: doc.nodes.len().max(1),
            events,
            messages,
            cancel,
            entries,
            started: Instant::now(),
            _forward: forward,
        });
        Ok(())
    }

    /// Cancels the running batch; its waves end as cancelled.
    pub fn cancel(&mut self) {
        if let Some(active) = &self.active {
            // The batch's token is the parent of its waves' tokens.
            active.cancel.cancel();
            self.cancelling = true;
        }
    }

    /// Drains events and results into the queue, the table and the live
    /// stats. Returns whether anything changed.
    pub fn poll(&mut self, files: &mut FileQueue, results: &mut ResultsTable) -> bool {
        let Some(active) = self.active.as_mut() else {
            return false;
        };
        let mut changed = false;
        let t = active.started.elapsed().as_secs_f64();
        while let Ok(event) = active.events.try_recv() {
            changed = true;
            self.live.ingest(&event, t);
            if let Some(key) = progress_key(&event) {
                show_progress(files, active, &self.live.monitor, key);
            }
            // A quick estimate shows at once, marked provisional.
            if let WaveEvent::IntermediateResult { key, values, .. } = &event
                && let Some(e) = active.entry(*key).and_then(|i| files.entries.get(i))
            {
                let path = crate::library::stored_path(&e.path);
                results.provisional(&active.pipeline, path, values);
            }
        }
        let mut finished = None;
        while let Ok(message) = active.messages.try_recv() {
            changed = true;
            match message {
                RunMessage::Result(r) => {
                    if let Some(i) = active.entry(r.key) {
                        set_state(files, i, result_state(&r));
                    }
                    results.push(*r, &active.pipeline, &active.extra);
                }
                RunMessage::Done(report) => finished = Some(report),
            }
        }
        if self.store_error.is_none()
            && let Some(e) = active.store.as_ref().and_then(|s| s.get().error)
        {
            self.store_error = Some(e);
            changed = true;
        }
        if let Some(report) = finished {
            // Drain what arrived with the end (the final statistics among it).
            while let Ok(event) = active.events.try_recv() {
                self.live.ingest(&event, t);
            }
            for &i in &active.entries {
                if let Some(e) = files.entries.get_mut(i)
                    && matches!(e.state, FileState::Queued | FileState::Running(_))
                {
                    e.state = if self.cancelling {
                        FileState::Cancelled
                    } else {
                        FileState::Queued
                    };
                }
            }
            results.drop_provisional();
            self.report = report;
            self.active = None;
        }
        changed
    }
}

impl RunState {
    /// Follows the queue's reordering (`moved[old] = new` index) and lets
    /// the files now at `front` (new indices) start before the others.
    pub fn analyse_next(&mut self, moved: &[usize], front: &[usize]) {
        let Some(active) = self.active.as_mut() else {
            return;
        };
        for e in &mut active.entries {
            *e = moved.get(*e).copied().unwrap_or(*e);
        }
        let keys: Vec<WaveKey> = active
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| front.contains(e))
            .map(|(k, _)| WaveKey(k as u64))
            .collect();
        active.priorities.set_priority(&keys, active.next_priority);
        active.next_priority = active.next_priority.saturating_add(1);
    }
}

/// The key of an event that moves a file's progress.
fn progress_key(event: &WaveEvent) -> Option<WaveKey> {
    match event {
        WaveEvent::WaveStarted { key, .. }
        | WaveEvent::StageStarted { key, .. }
        | WaveEvent::StageFinished { key, .. }
        | WaveEvent::StageSkipped { key, .. } => Some(*key),
        _ => None,
    }
}

/// Shows the monitor's view of wave `key` on its queue entry: the node
/// running and the share of nodes done.
fn show_progress(files: &mut FileQueue, active: &ActiveRun, monitor: &RunMonitor, key: WaveKey) {
    let (Some(i), Some(wave)) = (active.entry(key), monitor.waves.get(&key)) else {
        return;
    };
    if let Some(e) = files.entries.get_mut(i) {
        let node = wave.node.as_ref().map(ToString::to_string);
        e.state = FileState::Running(node.unwrap_or_default());
        e.progress = (wave.steps as f32 / active.nodes as f32).min(1.0);
    }
}

/// A finished file's queue state: a truncated file that completed is
/// partial, with why.
fn result_state(r: &FileResult) -> FileState {
    if let Some(why) = crate::app::results::row::partial_reason(r) {
        return FileState::Partial(why);
    }
    let error = r.error.clone().unwrap_or_default();
    match r.status {
        WaveStatus::Completed => FileState::Done,
        WaveStatus::Cancelled => FileState::Cancelled,
        _ => FileState::Failed(error),
    }
}

fn set_state(files: &mut FileQueue, i: usize, state: FileState) {
    if let Some(e) = files.entries.get_mut(i) {
        e.state = state;
    }
}
