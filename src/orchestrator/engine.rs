//! `WaveOrchestrator`: registers handlers, builds plans, runs waves and
//! batches, and owns every task it starts.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use parking_lot::Mutex;
use tokio::runtime::Handle;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::batch::{self, WaveStream};
use super::batcher::Batcher;
use super::blocking::{BlockingPool, ShutdownReport};
use super::config::{ConfigError, WaveConfig};
use super::context::WaveContext;
use super::events::{BatchReport, WaveEvent};
use super::gate::StageGate;
use super::governor::{GateRegistry, ResourceProbe, SysinfoProbe};
use super::handler::{StageHandler, WaveInput};
use super::ids::{WaveId, WaveKey};
use super::plan::{self, NodeSpec, Plan, PlanError, PlanErrors, PlanSpec};
use super::recorder::StatsRecorder;
use super::shared::Shared;
use super::stage::WaveStage;
use super::stats::Statistics;
use super::wave::Wave;

/// Cancels everything when the last orchestrator handle goes.
struct DropGuard {
    shared: Arc<Shared>,
}

impl Drop for DropGuard {
    fn drop(&mut self) {
        self.shared.shutdown.cancel();
        self.shared.root_token().cancel();
    }
}

/// A batch's finished waves (in input order) and its report.
#[derive(Debug)]
pub struct BatchOutcome {
    /// The context of every started wave; inputs never started have none.
    pub waves: Vec<WaveContext>,
    /// The batch's summary.
    pub report: BatchReport,
}

/// The wave engine. Cheap to clone; clones share everything.
#[derive(Clone)]
pub struct WaveOrchestrator {
    shared: Arc<Shared>,
    handlers: HashMap<String, StageHandler>,
    _guard: Arc<DropGuard>,
}

impl std::fmt::Debug for WaveOrchestrator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WaveOrchestrator")
            .field("config", &self.shared.config)
            .finish()
    }
}

impl WaveOrchestrator {
    /// An orchestrator running its tasks on `handle`, reading resources
    /// with sysinfo.
    pub fn new(config: WaveConfig, handle: Handle) -> Result<Self, ConfigError> {
        Self::with_probe(config, handle, SysinfoProbe::default())
    }

    /// An orchestrator with a given resource probe (tests inject one).
    pub fn with_probe(
        config: WaveConfig,
        handle: Handle,
        probe: impl ResourceProbe,
    ) -> Result<Self, ConfigError> {
        config.validate()?;
        let cpu_workers = if config.cpu_workers == 0 {
            std::thread::available_parallelism().map_or(2, |n| n.get())
        } else {
            config.cpu_workers
        };
        let shared = Arc::new(Shared {
            level: AtomicUsize::new(config.max_parallel_items_per_stage),
            config,
            handle,
            events: Arc::default(),
            stats: StatsRecorder::default(),
            controls: Arc::default(),
            blocking: Arc::new(BlockingPool::new(cpu_workers)),
            tracker: TaskTracker::new(),
            gates: GateRegistry::default(),
            governor_running: AtomicBool::new(false),
            probe: Mutex::new(Box::new(probe)),
            root: Mutex::new(CancellationToken::new()),
            shutdown: CancellationToken::new(),
            waves: Mutex::default(),
            next_wave: AtomicU64::new(1),
            next_batch: AtomicU64::new(1),
        });
        Ok(Self {
            _guard: Arc::new(DropGuard {
                shared: shared.clone(),
            }),
            shared,
            handlers: HashMap::new(),
        })
    }

    /// The configuration in force.
    pub fn config(&self) -> &WaveConfig {
        &self.shared.config
    }

    /// Registers (or replaces) the handler plans refer to by `name`.
    pub fn register_stage_handler(&mut self, name: impl Into<String>, handler: StageHandler) {
        self.handlers.insert(name.into(), handler);
    }

    /// Names of registered handlers.
    pub fn handler_names(&self) -> impl Iterator<Item = &str> {
        self.handlers.keys().map(String::as_str)
    }

    /// Builds a plan: every cycle, unknown node and missing handler is
    /// reported here, never at run time.
    pub fn plan(&self, spec: &PlanSpec) -> Result<Plan, PlanErrors> {
        self.compile(spec, &self.shared.config)
    }

    /// As [`WaveOrchestrator::plan`], its waves following `config` instead
    /// of the engine's: stages enabled, progressive mode, early termination
    /// and its threshold, partial results, delays, timeouts, retries, the
    /// success-rate gate and per-node concurrency. The machine-wide limits
    /// (memory, CPU governor, CPU workers) stay the engine's. So two
    /// pipelines can run interleaved on one engine, each as it would alone.
    pub fn plan_with_config(
        &self,
        spec: &PlanSpec,
        config: WaveConfig,
    ) -> Result<Plan, PlanErrors> {
        if let Err(e) = config.validate() {
            return Err(PlanErrors(vec![PlanError::InvalidConfig(e)]));
        }
        let mut plan = self.compile(spec, &config)?;
        plan.config = Some(Arc::new(config));
        Ok(plan)
    }

    fn compile(&self, spec: &PlanSpec, config: &WaveConfig) -> Result<Plan, PlanErrors> {
        let shared = &self.shared;
        plan::compile(spec, &self.handlers, |node, handler| {
            let max = node
                .overrides
                .max_parallel
                .unwrap_or(config.max_parallel_items_per_stage);
            let gate = StageGate::new(max, shared.controls.clone());
            shared.gates.add(&gate);
            let batcher = Batcher::start(
                handler,
                gate.clone(),
                &shared.tracker,
                &shared.handle,
                shared.shutdown.clone(),
            );
            (gate, batcher)
        })
    }

    /// Events from now on. Every subscriber gets every event.
    pub fn subscribe(&self) -> mpsc::UnboundedReceiver<WaveEvent> {
        self.shared.events.subscribe()
    }

    /// Called after events are sent (the GUI passes `request_repaint`).
    pub fn set_wake(&self, wake: impl Fn() + Send + Sync + 'static) {
        self.shared.events.set_wake(Arc::new(wake));
    }

    /// Runs one wave to its end.
    pub async fn execute_wave(&self, plan: &Plan, input: WaveInput) -> WaveContext {
        let wave = Wave {
            shared: self.shared.clone(),
            plan: plan.clone(),
            batch: None,
            id: self.shared.next_wave_id(),
            input: Arc::new(input),
            cancel: self.shared.root_token().child_token(),
        };
        wave.run().await
    }

    /// Runs many waves, at most `max_concurrent` at once; returns them in
    /// input order.
    pub async fn execute_parallel_waves(
        &self,
        plan: &Plan,
        inputs: Vec<WaveInput>,
        max_concurrent: usize,
    ) -> BatchOutcome {
        let (tx, rx) = mpsc::channel(inputs.len().max(1));
        for input in inputs {
            // Capacity equals the count, so this never fails.
            let _ = tx.try_send(input);
        }
        drop(tx);
        let mut stream = self.stream_waves(plan, rx, max_concurrent);
        let mut waves = Vec::new();
        while let Some(ctx) = stream.results.recv().await {
            waves.push(ctx);
        }
        waves.sort_by_key(|ctx| ctx.id);
        BatchOutcome {
            waves,
            report: stream.report().await,
        }
    }

    /// Starts a batch fed from `inputs`; finished waves come out as they
    /// complete. Running waves and unread results stay bounded by
    /// `max_concurrent`, whatever the number of inputs. Inputs received
    /// but not started wait in the batch's queue, highest `priority` first
    /// (ties in arrival order); `WaveStream::priorities` changes them.
    pub fn stream_waves(
        &self,
        plan: &Plan,
        inputs: mpsc::Receiver<WaveInput>,
        max_concurrent: usize,
    ) -> WaveStream {
        batch::start(
            self.shared.clone(),
            plan.clone(),
            inputs,
            max_concurrent,
            max_concurrent.max(1),
        )
    }

    /// Cancels one running wave. Returns whether it was running.
    pub fn cancel(&self, wave: WaveId) -> bool {
        let waves = self.shared.waves.lock();
        match waves.get(&wave) {
            Some((_, token)) => {
                token.cancel();
                true
            }
            None => false,
        }
    }

    /// Cancels every running wave whose input carries `key` (the caller's
    /// own id, `WaveInput::with_key`). Returns how many were running.
    pub fn cancel_key(&self, key: impl Into<WaveKey>) -> usize {
        let key = key.into();
        let waves = self.shared.waves.lock();
        let mut n = 0;
        for (k, token) in waves.values() {
            if *k == key {
                token.cancel();
                n += 1;
            }
        }
        n
    }

    /// The seed's default plan (one node per stage kind, in order) made of
    /// the kinds that have a handler registered under their name
    /// (`register_stage_handler(WaveStage::X, ...)`), each after the one
    /// before: registering one handler is enough to run waves.
    ///
    /// ```
    /// use serde_json::json;
    /// use wave_studio::orchestrator::*;
    /// # let rt = tokio::runtime::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let handle = tokio::runtime::Handle::current();
    /// let mut orchestrator = WaveOrchestrator::new(WaveConfig::default(), handle).unwrap();
    /// orchestrator.register_stage_handler(
    ///     WaveStage::FeatureExtraction,
    ///     StageHandler::blocking(|input| {
    ///         let mut values = StageValues::new();
    ///         values.insert("seen".into(), input.input.payload["n"].clone());
    ///         Ok(StageOutput::new(values).with_quality(0.9))
    ///     }),
    /// );
    /// let plan = orchestrator.default_plan().unwrap();
    /// let input = WaveInput::new("one", json!({ "n": 1 })).with_key(7u64);
    /// let wave = orchestrator.execute_wave(&plan, input).await;
    /// assert_eq!(wave.status, WaveStatus::Completed);
    /// assert_eq!(wave.value("seen"), Some(&json!(1)));
    /// # });
    /// ```
    pub fn default_plan(&self) -> Result<Plan, PlanErrors> {
        let mut spec = PlanSpec::default();
        let mut prev: Option<&str> = None;
        for kind in WaveStage::ALL {
            if !self.handlers.contains_key(kind.name()) {
                continue;
            }
            let refinement = matches!(
                kind,
                WaveStage::InitialAnalysis | WaveStage::FeatureExtraction | WaveStage::DeepAnalysis
            );
            spec.nodes.push(
                NodeSpec::new(kind.name(), kind, kind.name())
                    .after(prev)
                    .refinement(refinement),
            );
            prev = Some(kind.name());
        }
        self.plan(&spec)
    }

    /// Cancels every running wave and batch; later runs are unaffected.
    pub fn cancel_all(&self) {
        let old = {
            let mut root = self.shared.root.lock();
            std::mem::replace(&mut *root, CancellationToken::new())
        };
        old.cancel();
    }

    /// Statistics since the orchestrator was made.
    pub fn statistics(&self) -> Statistics {
        self.shared.statistics()
    }

    /// Waves running now.
    pub fn active_waves(&self) -> u64 {
        self.shared.stats.active.load(Ordering::Relaxed)
    }

    /// The CPU governor's effective per-stage concurrency now.
    pub fn effective_concurrency(&self) -> usize {
        self.shared.level.load(Ordering::Relaxed)
    }

    /// Cancels everything and waits, at most `DEFAULT_SHUTDOWN_BOUND`,
    /// until no task of this orchestrator is left (blocking handlers
    /// included). See `shutdown_within`.
    pub async fn shutdown(&self) -> ShutdownReport {
        self.shutdown_within(Self::DEFAULT_SHUTDOWN_BOUND).await
    }

    /// How long `shutdown` waits for handlers to notice cancellation.
    pub const DEFAULT_SHUTDOWN_BOUND: Duration = Duration::from_secs(10);

    /// Cancels everything and waits, at most `bound`, until no task of this
    /// orchestrator is left. Async work stops at once; a blocking handler
    /// stops when it checks its token. Those still running after `bound`
    /// are named in the report, and their threads left to finish alone.
    pub async fn shutdown_within(&self, bound: Duration) -> ShutdownReport {
        self.cancel_all();
        self.shared.shutdown.cancel();
        self.shared.tracker.close();
        match tokio::time::timeout(bound, self.shared.tracker.wait()).await {
            Ok(()) => ShutdownReport::default(),
            Err(_) => ShutdownReport {
                stubborn: self.shared.blocking.stubborn(),
            },
        }
    }

    /// Tasks of this orchestrator still alive (for tests).
    pub fn live_tasks(&self) -> usize {
        self.shared.tracker.len()
    }
}
