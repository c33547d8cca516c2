//! 100 waves, at most 10 at once, with simulated work, occasional
//! transient failures (retried with backoff) and the statistics at the end.
//!
//! `cargo run --example parallel`

use std::time::{Duration, Instant};

use serde_json::json;
use wave_studio::orchestrator::{
    StageError, StageHandler, StageOutput, StageValues, WaveConfig, WaveInput, WaveOrchestrator,
    WaveStage,
};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = WaveConfig {
        max_concurrent_waves: 10,
        max_parallel_items_per_stage: 10,
        inter_stage_delay_ms: 0,
        retry_backoff_base_ms: 5,
        ..WaveConfig::default()
    };
    let mut orchestrator = WaveOrchestrator::new(config, tokio::runtime::Handle::current())?;
    for kind in [
        WaveStage::Preparation,
        WaveStage::FeatureExtraction,
        WaveStage::Aggregation,
    ] {
        orchestrator.register_stage_handler(
            kind,
            StageHandler::from_async(move |input| async move {
                let n = input.input.payload["n"].as_u64().unwrap_or(0);
                // 2..12 ms of "work", different per item and stage.
                let ms = 2 + (n * 7 + kind.index() as u64 * 3) % 11;
                tokio::time::sleep(Duration::from_millis(ms)).await;
                // Every 13th item fails its first feature attempt.
                if kind == WaveStage::FeatureExtraction && n % 13 == 0 && input.attempt == 1 {
                    return Err(StageError::transient("simulated hiccup"));
                }
                let mut values = StageValues::new();
                values.insert(format!("{}_ms", kind.name()), json!(ms));
                Ok(StageOutput::new(values).with_quality(0.5 + (n % 5) as f64 / 10.0))
            }),
        );
    }
    let plan = orchestrator.default_plan()?;
    let inputs = (0..100u64)
        .map(|n| WaveInput::new(format!("item-{n}"), json!({ "n": n })).with_key(n))
        .collect();
    let begun = Instant::now();
    let outcome = orchestrator.execute_parallel_waves(&plan, inputs, 10).await;
    let elapsed = begun.elapsed();

    let stats = orchestrator.statistics();
    println!(
        "{} waves in {:.2} s: {} ok, {} partial, {} failed, success rate {:.1} %",
        stats.total_waves,
        elapsed.as_secs_f64(),
        stats.successful_waves,
        stats.partial_waves,
        stats.failed_waves,
        stats.success_rate
    );
    for stage in &stats.stages {
        println!(
            "  {:18} attempts {:3} retries {:2} p50 {:5.1} ms p95 {:5.1} ms mean quality {:.2}",
            stage.node.as_str(),
            stage.attempts,
            stage.retries,
            stage.duration_p50().as_secs_f64() * 1e3,
            stage.duration_p95().as_secs_f64() * 1e3,
            stage.mean_quality().unwrap_or(0.0)
        );
    }
    assert_eq!(outcome.waves.len(), 100);
    Ok(())
}
