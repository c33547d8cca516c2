//! Two pipelines on one orchestrator, for an A/B comparison: the same
//! files go to both, interleaved file by file (A then B), so neither gets
//! a warmer cache or a quieter machine. Each plan keeps its own config
//! (gates, thresholds, retries); the engine's machine-wide limits are A's.
//! With a library, both read and store node outputs by cache key, so a
//! compare after a small edit computes only the nodes that changed.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::runtime::Handle;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::feed::feed;
use super::mount::Run;
use super::mount::{Mounted, checked_custom, engine_config_invalid, mount};
use super::persist::StoreStatus;
use super::record::FileResult;
use crate::library::Library;
use crate::orchestrator::{
    AttemptRecord, BatchReport, NodeState, WaveConfig, WaveContext, WaveOrchestrator,
};
use crate::pipeline::CustomStages;
use crate::pipeline::PipelineDocument;
use crate::pipeline::PipelineError;
use crate::pipeline::plugin::Installed;

/// Which pipeline of the pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Side {
    /// The first pipeline.
    A,
    /// The second pipeline.
    B,
}

impl Side {
    /// "A" or "B".
    pub fn label(self) -> &'static str {
        match self {
            Side::A => "A",
            Side::B => "B",
        }
    }
}

/// The time one node took for one file.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeTime {
    /// The node's id.
    pub node: String,
    /// CPU seconds its attempts used (the thread CPU clock of each
    /// attempt; an attempt the clock could not follow, one abandoned by a
    /// timeout, counts its wall time). Zero when its output came from the
    /// library.
    pub cpu_seconds: f64,
    /// Seconds its attempts ran, start to end (zero when cached).
    pub wall_seconds: f64,
    /// Its output came from the library: nothing was computed.
    pub cached: bool,
    /// It ran at all (not skipped).
    pub ran: bool,
}

/// One file's record from one side, with what each node cost.
#[derive(Debug, Clone, PartialEq)]
pub struct SideResult {
    /// Which pipeline produced it.
    pub side: Side,
    /// The file's record, as `run` writes it.
    pub result: FileResult,
    /// Per node, in plan order.
    pub node_times: Vec<NodeTime>,
}

/// What each node of a finished wave cost.
pub fn node_times(ctx: &WaveContext) -> Vec<NodeTime> {
    ctx.metrics
        .iter()
        .map(|m| {
            let cached = m.attempts.iter().any(|a| a.cached);
            let sum = |f: fn(&AttemptRecord) -> Duration| -> f64 {
                if cached {
                    return 0.0;
                }
                m.attempts.iter().map(|a| f(a).as_secs_f64()).sum()
            };
            NodeTime {
                node: m.node.as_str().to_string(),
                cpu_seconds: sum(|a| a.cpu_time.unwrap_or(a.duration)),
                wall_seconds: sum(|a| a.duration),
                cached,
                ran: !m.attempts.is_empty() && !matches!(m.state, NodeState::Skipped(_)),
            }
        })
        .collect()
}

/// A comparison in progress: both sides' records arrive as files finish.
#[derive(Debug)]
pub struct PairRun {
    /// Each side's record as it finishes.
    pub results: mpsc::Receiver<SideResult>,
    /// Cancels both sides.
    pub cancel: CancellationToken,
    /// Yields both batch reports (A, B) once every record was handed over.
    pub done: tokio::task::JoinHandle<(BatchReport, BatchReport)>,
    /// How writing to the library goes for A and for B.
    pub store: [Option<StoreStatus>; 2],
}

/// Two pipelines ready to run on one orchestrator.
pub struct PipelinePair {
    orchestrator: WaveOrchestrator,
    a: Mounted,
    b: Mounted,
    max_concurrent: [usize; 2],
    handle: Handle,
    library: Option<Arc<Library>>,
}

impl std::fmt::Debug for PipelinePair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PipelinePair")
            .field("a", &self.a.name)
            .field("b", &self.b.name)
            .finish()
    }
}

/// `doc`'s config with `jobs` applied as `run --jobs` applies it.
fn with_jobs(doc: &PipelineDocument, jobs: Option<usize>) -> WaveConfig {
    let mut config = doc.config.clone();
    if let Some(jobs) = jobs {
        config.cpu_workers = jobs;
        config.max_concurrent_waves = jobs * 2;
        config.max_parallel_items_per_stage = config.max_parallel_items_per_stage.max(jobs);
    }
    config
}

impl PipelinePair {
    /// Validates both documents and mounts them on one orchestrator on
    /// `handle`. `jobs` is `run --jobs` for both. The first invalid
    /// document is the error (it names the document).
    pub fn new(
        a: &PipelineDocument,
        b: &PipelineDocument,
        jobs: Option<usize>,
        handle: Handle,
        library: Option<Arc<Library>>,
        plugins: Arc<Installed>,
    ) -> Result<Self, PipelineError> {
        let none = CustomStages::default();
        let custom_a = checked_custom(a, &plugins, &none)?;
        let custom_b = checked_custom(b, &plugins, &none)?;
        let (config_a, config_b) = (with_jobs(a, jobs), with_jobs(b, jobs));
        let max_concurrent = [config_a.max_concurrent_waves, config_b.max_concurrent_waves];
        let engine = WaveConfig {
            cpu_workers: config_a.cpu_workers.max(config_b.cpu_workers),
            ..config_a.clone()
        };
        let mut orchestrator = WaveOrchestrator::new(engine, handle.clone())
            .map_err(|e| engine_config_invalid(a, e))?;
        let lib = library.clone();
        let a = mount(
            a,
            &mut orchestrator,
            "a:",
            Some(config_a),
            lib,
            &plugins,
            custom_a,
        )?;
        let lib = library.clone();
        let b = mount(
            b,
            &mut orchestrator,
            "b:",
            Some(config_b),
            lib,
            &plugins,
            custom_b,
        )?;
        Ok(Self {
            orchestrator,
            a,
            b,
            max_concurrent,
            handle,
            library,
        })
    }

    /// The engine both run on (events, shutdown).
    pub fn orchestrator(&self) -> &WaveOrchestrator {
        &self.orchestrator
    }

    /// The pipelines' names, A then B.
    pub fn names(&self) -> [&str; 2] {
        [&self.a.name, &self.b.name]
    }

    /// The pipelines' content hashes, A then B.
    pub fn hashes(&self) -> [&str; 2] {
        [&self.a.hash, &self.b.hash]
    }

    /// Node ids of A's plan then B's, in plan order.
    pub fn node_ids(&self) -> [Vec<String>; 2] {
        let ids = |m: &Mounted| m.plan.node_ids().map(|n| n.as_str().to_string()).collect();
        [ids(&self.a), ids(&self.b)]
    }

    /// Starts both pipelines over `files` (keys are positions in `files`).
    pub fn start(&self, files: Vec<PathBuf>) -> PairRun {
        let (tx_a, rx_a) = mpsc::channel(1);
        let (tx_b, rx_b) = mpsc::channel(1);
        // Each file goes to A, then to B, fingerprinted once; a side whose
        // batch ended early takes no more, the other goes on.
        let feeder = feed(
            &self.handle,
            self.library.clone(),
            files.clone(),
            vec![tx_a, tx_b],
        );
        let tag = |side| {
            move |ctx: &WaveContext, result| SideResult {
                side,
                result,
                node_times: node_times(ctx),
            }
        };
        let [max_a, max_b] = self.max_concurrent;
        let run_a = self.a.stream(
            &self.orchestrator,
            &self.handle,
            (rx_a, None),
            files.clone(),
            max_a,
            tag(Side::A),
        );
        let run_b = self.b.stream(
            &self.orchestrator,
            &self.handle,
            (rx_b, None),
            files,
            max_b,
            tag(Side::B),
        );
        self.join(run_a, run_b, feeder)
    }

    /// One channel of both sides' records; both reports at the end.
    fn join(
        &self,
        run_a: Run<SideResult>,
        run_b: Run<SideResult>,
        feeder: JoinHandle<()>,
    ) -> PairRun {
        let cancel = CancellationToken::new();
        let (tx, results) = mpsc::channel(2);
        let store = [run_a.store.clone(), run_b.store.clone()];
        let watch = cancel.clone();
        let done = self.handle.spawn(async move {
            let (mut rx_a, mut rx_b) = (run_a.results, run_b.results);
            let (mut open_a, mut open_b, mut cancelled) = (true, true, false);
            while open_a || open_b {
                let next = tokio::select! {
                    r = rx_a.recv(), if open_a => r.or_else(|| { open_a = false; None }),
                    r = rx_b.recv(), if open_b => r.or_else(|| { open_b = false; None }),
                    () = watch.cancelled(), if !cancelled => {
                        cancelled = true;
                        run_a.cancel.cancel();
                        run_b.cancel.cancel();
                        None
                    }
                };
                if let Some(r) = next {
                    // A closed receiver only means nobody reads: keep draining.
                    let _ = tx.send(r).await;
                }
            }
            let a = run_a.done.await.unwrap_or_else(|_| cancelled_report());
            let b = run_b.done.await.unwrap_or_else(|_| cancelled_report());
            // Both batches took their last file: the feeder has ended or ends now.
            feeder.abort();
            let _ = feeder.await;
            (a, b)
        });
        PairRun {
            results,
            cancel,
            done,
            store,
        }
    }
}

/// The report of a batch whose task failed.
fn cancelled_report() -> BatchReport {
    BatchReport {
        batch: crate::orchestrator::BatchId(0),
        started: 0,
        not_started: 0,
        aborted: None,
        cancelled: true,
        duration: std::time::Duration::ZERO,
    }
}
