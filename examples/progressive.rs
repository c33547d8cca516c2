//! Progressive analysis with a quality gate: a quick estimate publishes an
//! interim value and reports its confidence; when it reaches
//! `quality_threshold`, the expensive refinement is skipped (early
//! termination) while aggregation still runs.
//!
//! `cargo run --example progressive`

use std::time::Duration;

use serde_json::json;
use wave_studio::orchestrator::{
    StageHandler, StageOutput, StageValues, WaveConfig, WaveEvent, WaveInput, WaveOrchestrator,
    WaveStage,
};

fn values(pairs: &[(&str, serde_json::Value)]) -> StageValues {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = WaveConfig {
        progressive_mode: true,
        early_termination_on_quality: true,
        quality_threshold: 0.9,
        inter_stage_delay_ms: 0,
        ..WaveConfig::default()
    };
    let mut orchestrator = WaveOrchestrator::new(config, tokio::runtime::Handle::current())?;

    // Quick: a guess whose confidence is the input's "clarity".
    orchestrator.register_stage_handler(
        WaveStage::InitialAnalysis,
        StageHandler::blocking(|input| {
            let clarity = input.input.payload["clarity"].as_f64().unwrap_or(0.0);
            input
                .progress
                .publish(values(&[("estimate", json!("rough"))]));
            Ok(StageOutput::new(values(&[("estimate", json!("quick"))])).with_quality(clarity))
        }),
    );
    // Slow refinement (a refinement kind in the default plan).
    orchestrator.register_stage_handler(
        WaveStage::DeepAnalysis,
        StageHandler::from_async(|input| async move {
            for step in 1..=5 {
                tokio::select! {
                    () = input.cancel.cancelled() => break,
                    () = tokio::time::sleep(Duration::from_millis(40)) => {}
                }
                input.progress.progress(f64::from(step) / 5.0);
            }
            Ok(StageOutput::new(values(&[("estimate", json!("refined"))])).with_quality(0.99))
        }),
    );
    // Aggregation always runs: it produces the wave's output.
    orchestrator.register_stage_handler(
        WaveStage::Aggregation,
        StageHandler::blocking(|input| {
            let estimate = input.prior.value("estimate").cloned().unwrap_or_default();
            Ok(StageOutput::new(values(&[("final", estimate)])))
        }),
    );

    let plan = orchestrator.default_plan()?;
    let mut events = orchestrator.subscribe();
    let inputs = [("clear", 0.97), ("murky", 0.4), ("crisp", 0.95)]
        .into_iter()
        .enumerate()
        .map(|(i, (name, clarity))| WaveInput::new(name, json!({ "clarity": clarity })).with_key(i))
        .collect();
    let outcome = orchestrator.execute_parallel_waves(&plan, inputs, 3).await;

    for wave in &outcome.waves {
        let skipped: Vec<String> = wave
            .skipped
            .iter()
            .map(|(n, r)| format!("{n} ({r:?})"))
            .collect();
        println!(
            "{:6} quality {:?} final {} skipped [{}]",
            wave.input.label,
            wave.result("initial_analysis").and_then(|o| o.quality),
            wave.value("final").cloned().unwrap_or_default(),
            skipped.join(", ")
        );
    }
    let mut interim = 0;
    while let Ok(event) = events.try_recv() {
        if matches!(event, WaveEvent::IntermediateResult { .. }) {
            interim += 1;
        }
    }
    let refined = outcome
        .waves
        .iter()
        .filter(|w| w.result("deep_analysis").is_some())
        .count();
    println!(
        "interim estimates published: {interim}; waves refined: {refined} of {}",
        outcome.waves.len()
    );
    Ok(())
}
