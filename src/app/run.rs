//! Starting and cancelling a pipeline run on the runtime, and turning its
//! events and results into UI state. Nothing here blocks the UI thread.

use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Instant;

use tokio::runtime::Handle;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio_util::sync::CancellationToken;

use super::charts::LiveStats;
use super::files::{FileQueue, FileState};
use super::results::ResultsTable;
use crate::orchestrator::{
    AttemptOutcome, BatchReport, Statistics, Wake, WaveEvent, WaveId, WaveOrchestrator, WaveStatus,
};
use crate::pipeline::{FileResult, PipelineDocument, PipelineRunner};

enum RunMessage {
    Result(Box<FileResult>),
    Done(Option<BatchReport>),
}

struct ActiveRun {
    orchestrator: WaveOrchestrator,
    /// Nodes in the pipeline, for per-file progress.
    nodes: usize,
    events: UnboundedReceiver<WaveEvent>,
    messages: mpsc::Receiver<RunMessage>,
    cancel: CancellationToken,
    /// Queue indices waiting to start, by wave label (the file name).
    by_label: HashMap<String, VecDeque<usize>>,
    by_path: HashMap<String, usize>,
    by_wave: HashMap<WaveId, usize>,
    started: Instant,
    last_stats: Instant,
}

/// The current or last run.
#[derive(Default)]
pub struct RunState {
    active: Option<ActiveRun>,
    /// Live counts and chart series.
    pub live: LiveStats,
    /// The engine's statistics, refreshed while running.
    pub statistics: Option<Statistics>,
    /// How the last batch ended.
    pub report: Option<BatchReport>,
    /// Whether Cancel was pressed for the active run.
    pub cancelling: bool,
}

impl std::fmt::Debug for RunState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunState")
            .field("running", &self.is_running())
            .finish_non_exhaustive()
    }
}

impl RunState {
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

    /// Starts `doc` on the queue entries `indices`.
    pub fn start(
        &mut self,
        doc: &PipelineDocument,
        files: &mut FileQueue,
        indices: Vec<usize>,
        handle: &Handle,
        wake: Wake,
    ) -> Result<(), String> {
        let runner = PipelineRunner::new(doc, None, handle.clone()).map_err(|e| {
            e.problems()
                .iter()
                .map(|p| p.message.clone())
                .collect::<Vec<_>>()
                .join("; ")
        })?;
        let orchestrator = runner.orchestrator().clone();
        // Subscribe before starting, so no event is missed.
        let events = orchestrator.subscribe();
        let w = wake.clone();
        orchestrator.set_wake(move || w());

        let mut by_label: HashMap<String, VecDeque<usize>> = HashMap::new();
        let mut by_path = HashMap::new();
        let mut paths: Vec<PathBuf> = Vec::new();
        for i in indices {
            let Some(entry) = files.entries.get_mut(i) else {
                continue;
            };
            entry.state = FileState::Queued;
            entry.progress = 0.0;
            let input = crate::pipeline::wave_input(&entry.path);
            by_label
                .entry(input.label.to_string())
                .or_default()
                .push_back(i);
            by_path.insert(entry.path.display().to_string(), i);
            paths.push(entry.path.clone());
        }
        let run = runner.start(paths, doc.config.max_concurrent_waves.max(1));
        let (tx, messages) = mpsc::channel();
        let cancel = run.cancel.clone();
        let mut results = run.results;
        let done = run.done;
        handle.spawn(async move {
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
        self.live = LiveStats::default();
        self.statistics = None;
        self.report = None;
        self.cancelling = false;
        self.active = Some(ActiveRun {
            orchestrator,
            nodes: doc.nodes.len().max(1),
            events,
            messages,
            cancel,
            by_label,
            by_path,
            by_wave: HashMap::new(),
            started: Instant::now(),
            last_stats: Instant::now(),
        });
        Ok(())
    }

    /// Cancels the running batch; its waves end as cancelled.
    pub fn cancel(&mut self) {
        if let Some(active) = &self.active {
            active.cancel.cancel();
            active.orchestrator.cancel_all();
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
            match &event {
                WaveEvent::WaveStarted { wave, label, .. } => {
                    if let Some(i) = active
                        .by_label
                        .get_mut(label.as_ref())
                        .and_then(VecDeque::pop_front)
                    {
                        active.by_wave.insert(*wave, i);
                        set_state(files, i, FileState::Running(String::new()));
                    }
                }
                WaveEvent::StageStarted { wave, node, .. } => {
                    if let Some(&i) = active.by_wave.get(wave) {
                        set_state(files, i, FileState::Running(node.to_string()));
                    }
                }
                WaveEvent::StageFinished {
                    wave,
                    outcome: AttemptOutcome::Success,
                    ..
                }
                | WaveEvent::StageSkipped { wave, .. } => {
                    if let Some(e) = active
                        .by_wave
                        .get(wave)
                        .and_then(|&i| files.entries.get_mut(i))
                    {
                        e.progress = (e.progress + 1.0 / active.nodes as f32).min(1.0);
                    }
                }
                _ => {}
            }
            self.live.ingest(&event, t);
        }
        let mut finished = None;
        while let Ok(message) = active.messages.try_recv() {
            changed = true;
            match message {
                RunMessage::Result(r) => {
                    if let Some(&i) = active.by_path.get(&r.file) {
                        let error = r.error.clone().unwrap_or_default();
                        let state = match r.status {
                            WaveStatus::Completed => FileState::Done,
                            WaveStatus::PartiallyCompleted => FileState::Partial(error),
                            WaveStatus::Cancelled => FileState::Cancelled,
                            _ => FileState::Failed(error),
                        };
                        set_state(files, i, state);
                    }
                    results.push(*r);
                }
                RunMessage::Done(report) => finished = Some(report),
            }
        }
        if changed && active.last_stats.elapsed().as_millis() >= 250 {
            self.statistics = Some(active.orchestrator.statistics());
            active.last_stats = Instant::now();
        }
        if let Some(report) = finished {
            // Drain what arrived with the end.
            while let Ok(event) = active.events.try_recv() {
                self.live.ingest(&event, t);
            }
            self.statistics = Some(active.orchestrator.statistics());
            for &i in active.by_path.values() {
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
            self.report = report;
            self.active = None;
        }
        changed
    }
}

fn set_state(files: &mut FileQueue, i: usize, state: FileState) {
    if let Some(e) = files.entries.get_mut(i) {
        e.state = state;
    }
}
