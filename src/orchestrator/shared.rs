//! `Shared`: the state the orchestrator and every task it starts share
//! (config, events, statistics, gates, the blocking pool, the task
//! tracker, cancellation roots, running waves), and the resource governor
//! that samples CPU and memory while waves run.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use parking_lot::Mutex;
use tokio::runtime::Handle;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::blocking::BlockingPool;
use super::config::WaveConfig;
use super::events::{EventBus, WaveEvent};
use super::gate::{Controls, StageGate};
use super::governor::{GateRegistry, ResourceProbe, next_limit};
use super::ids::{BatchId, WaveId, WaveKey};
use super::recorder::StatsRecorder;
use super::stats::Statistics;

/// State shared by the orchestrator and its tasks.
pub(crate) struct Shared {
    pub config: WaveConfig,
    pub handle: Handle,
    pub events: Arc<EventBus>,
    pub stats: StatsRecorder,
    pub controls: Arc<Controls>,
    pub blocking: Arc<BlockingPool>,
    pub tracker: TaskTracker,
    pub(crate) gates: GateRegistry,
    pub(crate) level: AtomicUsize,
    pub(crate) governor_running: AtomicBool,
    pub(crate) probe: Mutex<Box<dyn ResourceProbe>>,
    /// Parent of every batch and wave token; replaced by `cancel_all`.
    pub(crate) root: Mutex<CancellationToken>,
    /// Ends background tasks when the orchestrator goes away.
    pub(crate) shutdown: CancellationToken,
    /// Running waves: their caller key and cancellation token.
    pub(crate) waves: Mutex<HashMap<WaveId, (WaveKey, CancellationToken)>>,
    pub(crate) next_wave: AtomicU64,
    pub(crate) next_batch: AtomicU64,
}

impl Shared {
    pub(crate) fn root_token(&self) -> CancellationToken {
        self.root.lock().clone()
    }

    pub(crate) fn next_wave_id(&self) -> WaveId {
        WaveId(self.next_wave.fetch_add(1, Ordering::Relaxed))
    }

    pub(crate) fn next_batch_id(&self) -> BatchId {
        BatchId(self.next_batch.fetch_add(1, Ordering::Relaxed))
    }

    pub(crate) fn register_wave(&self, id: WaveId, key: WaveKey, token: CancellationToken) {
        self.waves.lock().insert(id, (key, token));
    }

    pub(crate) fn unregister_wave(&self, id: WaveId) {
        self.waves.lock().remove(&id);
    }

    /// Starts the resource governor if it is not running. The first sample
    /// is taken now, so limits hold from the first admission.
    pub(crate) fn ensure_governor(self: &Arc<Self>) {
        if self.governor_running.swap(true, Ordering::SeqCst) {
            return;
        }
        self.govern_once();
        let shared = self.clone();
        self.tracker.spawn_on(govern(shared), &self.handle);
    }

    fn govern_once(&self) {
        let sample = self.probe.lock().sample();
        let config = &self.config;
        let over = sample.rss_mb > config.memory_threshold_mb;
        let was_over = self.controls.memory_over.swap(over, Ordering::Relaxed);
        let gates = self.gates.live();
        if was_over && !over {
            gates.iter().for_each(StageGate::pump);
        }
        let level = self.level.load(Ordering::Relaxed);
        if config.adaptive_scaling {
            let (cpu, threshold) = (sample.cpu_percent, config.cpu_threshold_percent);
            for gate in &gates {
                gate.set_limit(next_limit(gate.limit(), gate.max(), cpu, threshold));
            }
            let next = next_limit(level, config.max_parallel_items_per_stage, cpu, threshold);
            if next != level {
                self.level.store(next, Ordering::Relaxed);
                self.events.emit(|| WaveEvent::ConcurrencyChanged {
                    from: level,
                    to: next,
                    cpu_percent: cpu,
                });
            }
        }
        self.events.emit(|| WaveEvent::ResourceSample {
            cpu_percent: sample.cpu_percent,
            rss_mb: sample.rss_mb,
            effective_concurrency: self.level.load(Ordering::Relaxed),
            memory_over: over,
        });
        self.emit_statistics();
    }

    /// Statistics since the orchestrator was made.
    pub(crate) fn statistics(&self) -> Statistics {
        let held = Duration::from_nanos(self.controls.memory_held_ns.load(Ordering::Relaxed));
        self.stats.snapshot(held)
    }

    /// Sends the statistics as an event; taken only if someone listens.
    pub(crate) fn emit_statistics(&self) {
        self.events
            .emit(|| WaveEvent::Statistics(Box::new(self.statistics())));
    }
}

/// Samples resources while waves run; stops when none do.
async fn govern(shared: Arc<Shared>) {
    let interval = Duration::from_millis(shared.config.resource_sample_interval_ms);
    loop {
        tokio::select! {
            biased;
            _ = shared.shutdown.cancelled() => return,
            _ = tokio::time::sleep(interval) => {}
        }
        if shared.stats.active.load(Ordering::SeqCst) == 0 {
            shared.governor_running.store(false, Ordering::SeqCst);
            // A wave that started just now saw the governor running; take it back.
            if shared.stats.active.load(Ordering::SeqCst) == 0
                || shared.governor_running.swap(true, Ordering::SeqCst)
            {
                return;
            }
        }
        shared.govern_once();
    }
}
