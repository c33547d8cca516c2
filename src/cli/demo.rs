//! `wave-studio demo`: the orchestrator on synthetic work, headless.

use std::time::{Duration, Instant};

use tokio::runtime::Handle;

use super::error::{CliError, Outcome};

use crate::orchestrator::{
    PlanSpec, StageError, StageHandler, StageOutput, StageValues, WaveConfig, WaveEvent, WaveInput,
    WaveOrchestrator, WaveStage, WaveStatus,
};

/// Options of `demo`.
#[derive(Debug, Clone, clap::Args)]
pub struct DemoArgs {
    /// Number of waves.
    #[arg(long, default_value_t = 200)]
    pub waves: usize,
    /// Waves run at once.
    #[arg(long, default_value_t = 10)]
    pub concurrency: usize,
}

impl Default for DemoArgs {
    fn default() -> Self {
        Self {
            waves: 200,
            concurrency: 10,
        }
    }
}

/// A CPU-bound stand-in stage: a deterministic amount of arithmetic, a
/// quality from the input, and a failure for every 50th wave's deep analysis.
fn work(kind: WaveStage) -> StageHandler {
    StageHandler::blocking(move |input| {
        let n = input.input.payload.as_u64().unwrap_or(0);
        let mut acc = n as f64;
        for i in 0..20_000 {
            if i % 4096 == 0 && input.cancel.is_cancelled() {
                return Err(StageError::transient("cancelled"));
            }
            acc = (acc * 1.000_001 + f64::from(i)).sqrt();
        }
        if kind == WaveStage::DeepAnalysis && n % 50 == 49 && input.attempt == 1 {
            return Err(StageError::transient("simulated flaky stage"));
        }
        let mut values = StageValues::new();
        values.insert(kind.name().into(), acc.into());
        let quality = 0.8 + (n % 20) as f64 / 100.0;
        Ok(StageOutput::new(values).with_quality(quality))
    })
}

/// Runs the demo and prints a summary.
pub async fn run(args: DemoArgs, handle: Handle) -> Result<Outcome, CliError> {
    let config = WaveConfig {
        inter_stage_delay_ms: 0,
        retry_backoff_base_ms: 10,
        max_concurrent_waves: args.concurrency,
        ..WaveConfig::default()
    };
    let mut orch = WaveOrchestrator::new(config, handle)
        .map_err(|e| CliError::Internal(format!("invalid configuration: {e}")))?;
    for kind in WaveStage::ALL {
        orch.register_stage_handler(kind.name(), work(kind));
    }
    let plan = orch
        .plan(&PlanSpec::default_plan())
        .map_err(|e| CliError::Internal(format!("invalid plan: {e}")))?;
    let mut events = orch.subscribe();
    let counter = tokio::spawn(async move {
        let (mut stages, mut retries, mut skipped) = (0u64, 0u64, 0u64);
        while let Some(event) = events.recv().await {
            match event {
                WaveEvent::StageFinished { .. } => stages += 1,
                WaveEvent::StageRetrying { .. } => retries += 1,
                WaveEvent::StageSkipped { .. } => skipped += 1,
                WaveEvent::BatchFinished { .. } => break,
                _ => {}
            }
        }
        (stages, retries, skipped)
    });
    let inputs = (0..args.waves as u64)
        .map(|i| WaveInput::new(format!("item-{i}"), i.into()))
        .collect();
    println!(
        "wave-studio demo: {} waves through the default 7-stage plan",
        args.waves
    );
    let began = Instant::now();
    let outcome = orch
        .execute_parallel_waves(&plan, inputs, args.concurrency)
        .await;
    let elapsed = began.elapsed();
    let (stages, retries, skipped) = counter.await.unwrap_or_default();
    let stats = orch.statistics();
    println!(
        "finished in {:.2} s: {} waves, {} completed, {} partial, {} failed, {} cancelled ({:.1}% success)",
        elapsed.as_secs_f64(),
        stats.total_waves,
        stats.successful_waves,
        stats.partial_waves,
        stats.failed_waves,
        stats.cancelled_waves,
        stats.success_rate
    );
    println!(
        "events: {stages} stage attempts finished, {retries} retries, {skipped} stages skipped"
    );
    println!(
        "{:<20} {:>8} {:>8} {:>8} {:>10} {:>10} {:>8}",
        "stage", "attempts", "ok", "skipped", "p50", "p95", "quality"
    );
    for s in &stats.stages {
        println!(
            "{:<20} {:>8} {:>8} {:>8} {:>10} {:>10} {:>8}",
            s.node.as_str(),
            s.attempts,
            s.successes,
            s.items_skipped,
            fmt_duration(s.duration_p50()),
            fmt_duration(s.duration_p95()),
            s.mean_quality().map_or("-".into(), |q| format!("{q:.3}"))
        );
    }
    let all_ok = outcome
        .waves
        .iter()
        .all(|w| w.status == WaveStatus::Completed);
    orch.shutdown().await;
    Ok(Outcome::from_all_ok(all_ok))
}

fn fmt_duration(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}
