//! Helpers shared by the integration tests.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "shared by several test crates, each using a part; a failed unwrap is a failed test"
)]

pub mod signal;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;
use wave_studio::orchestrator::{
    ResourceProbe, ResourceSample, StageHandler, StageOutput, StageValues, WaveConfig, WaveEvent,
    WaveOrchestrator,
};

/// A probe whose readings the test sets.
#[derive(Clone)]
pub struct FixedProbe(pub Arc<Mutex<ResourceSample>>);

impl FixedProbe {
    pub fn new(cpu_percent: f64, rss_mb: f64) -> Self {
        Self(Arc::new(Mutex::new(ResourceSample {
            cpu_percent,
            rss_mb,
        })))
    }

    pub fn set(&self, cpu_percent: f64, rss_mb: f64) {
        *self.0.lock().unwrap() = ResourceSample {
            cpu_percent,
            rss_mb,
        };
    }
}

impl ResourceProbe for FixedProbe {
    fn sample(&mut self) -> ResourceSample {
        *self.0.lock().unwrap()
    }
}

/// A config for tests: no inter-stage delay, quick exact backoff, no
/// success-rate gate, governor off; each test turns on what it checks.
pub fn config() -> WaveConfig {
    WaveConfig {
        inter_stage_delay_ms: 0,
        retry_backoff_base_ms: 100,
        retry_backoff_max_ms: 1_000,
        retry_jitter: 0.0,
        min_success_rate_per_stage: 0.0,
        adaptive_scaling: false,
        early_termination_on_quality: false,
        resource_sample_interval_ms: 100,
        ..WaveConfig::default()
    }
}

/// An orchestrator on the current runtime with an idle, small probe.
pub fn orchestrator(config: WaveConfig) -> WaveOrchestrator {
    orchestrator_with(config, FixedProbe::new(0.0, 10.0))
}

pub fn orchestrator_with(config: WaveConfig, probe: FixedProbe) -> WaveOrchestrator {
    WaveOrchestrator::with_probe(config, tokio::runtime::Handle::current(), probe).unwrap()
}

/// A handler that succeeds with `{node: true}` and the given quality.
pub fn ok(quality: Option<f64>) -> StageHandler {
    StageHandler::from_async(move |input| async move {
        let mut values = StageValues::new();
        values.insert(input.node.to_string(), true.into());
        let out = StageOutput::new(values);
        Ok(match quality {
            Some(q) => out.with_quality(q),
            None => out,
        })
    })
}

/// Counts how many calls run at once, and the most seen.
#[derive(Clone, Default)]
pub struct Concurrency {
    pub now: Arc<AtomicUsize>,
    pub max: Arc<AtomicUsize>,
    pub calls: Arc<AtomicUsize>,
}

impl Concurrency {
    pub fn enter(&self) -> ConcurrencyGuard {
        let now = self.now.fetch_add(1, Ordering::SeqCst) + 1;
        self.max.fetch_max(now, Ordering::SeqCst);
        self.calls.fetch_add(1, Ordering::SeqCst);
        ConcurrencyGuard(self.now.clone())
    }

    pub fn max(&self) -> usize {
        self.max.load(Ordering::SeqCst)
    }

    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

pub struct ConcurrencyGuard(Arc<AtomicUsize>);

impl Drop for ConcurrencyGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A handler that sleeps `d` (virtual time) while counted.
pub fn sleeper(d: Duration, counter: Concurrency) -> StageHandler {
    StageHandler::from_async(move |_| {
        let counter = counter.clone();
        async move {
            let _g = counter.enter();
            tokio::time::sleep(d).await;
            Ok(StageOutput::default())
        }
    })
}

/// Everything received so far.
pub fn drain(rx: &mut mpsc::UnboundedReceiver<WaveEvent>) -> Vec<WaveEvent> {
    let mut out = Vec::new();
    while let Ok(e) = rx.try_recv() {
        out.push(e);
    }
    out
}
