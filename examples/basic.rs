//! One custom handler: register it by stage kind, build the seed's
//! default plan from what is registered, run one wave.
//!
//! `cargo run --example basic`

use serde_json::json;
use wave_studio::orchestrator::{
    StageHandler, StageOutput, StageValues, WaveConfig, WaveInput, WaveOrchestrator, WaveStage,
};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let handle = tokio::runtime::Handle::current();
    let mut orchestrator = WaveOrchestrator::new(WaveConfig::default(), handle)?;

    // CPU work goes on the blocking pool; it gets the wave's input, earlier
    // results, a cancellation token and a progress reporter.
    orchestrator.register_stage_handler(
        WaveStage::FeatureExtraction,
        StageHandler::blocking(|input| {
            let text = input.input.payload["text"].as_str().unwrap_or_default();
            let mut values = StageValues::new();
            values.insert("words".into(), json!(text.split_whitespace().count()));
            values.insert("chars".into(), json!(text.chars().count()));
            Ok(StageOutput::new(values).with_quality(1.0))
        }),
    );

    // One node per registered kind: here just FeatureExtraction.
    let plan = orchestrator.default_plan()?;
    let input = WaveInput::new("greeting", json!({ "text": "hello wave world" }));
    let wave = orchestrator.execute_wave(&plan, input).await;

    println!(
        "wave {} ({}): {:?}",
        wave.id.0, wave.input.label, wave.status
    );
    for (node, output) in &wave.results {
        println!(
            "  {node}: {}",
            serde_json::Value::Object(output.values.clone())
        );
    }
    Ok(())
}
