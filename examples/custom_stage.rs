//! A Rust-written operation added to a pipeline document: the built-in
//! default pipeline plus a `loudest_second` node, run on audio files (the
//! paths given, else a generated WAV). The node is written like a plugin
//! node (`Plugin(name: "loudest_second", params: {...})`) and served
//! in-process by the registered factory.
//!
//! `cargo run --example custom_stage [FILES...]`

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{Value, json};
use wave_studio::audio::decode::AudioStream;
use wave_studio::orchestrator::{
    NodeOverrides, StageError, StageHandler, StageInput, StageOutput, StageResult, StageValues,
    WaveStage,
};
use wave_studio::pipeline::plugin::Installed;
use wave_studio::pipeline::{
    CustomStageError, CustomStages, Edge, Operation, PipelineNode, default_document,
};
use wave_studio::run::PipelineRunner;

/// The second (window of `window_s`) with the highest RMS level.
fn loudest_second(input: &StageInput, window_s: f64) -> StageResult {
    let path = input.input.payload["path"].as_str().unwrap_or_default();
    let mut stream =
        AudioStream::open(Path::new(path)).map_err(|e| StageError::permanent(e.to_string()))?;
    let (mut best, mut best_at) = (0.0f64, 0.0f64);
    let (mut sum, mut count, mut frames) = (0.0f64, 0usize, 0usize);
    while let Some(block) = stream
        .next_block()
        .map_err(|e| StageError::permanent(e.to_string()))?
    {
        if input.cancel.is_cancelled() {
            return Err(StageError::transient("cancelled"));
        }
        let window = (f64::from(block.rate) * window_s).max(1.0) as usize;
        for &s in block.mono {
            sum += f64::from(s) * f64::from(s);
            count += 1;
            frames += 1;
            if count == window {
                let rms = (sum / count as f64).sqrt();
                if rms > best {
                    best = rms;
                    best_at = (frames - count) as f64 / f64::from(block.rate);
                }
                (sum, count) = (0.0, 0);
            }
        }
    }
    let mut values = StageValues::new();
    values.insert("loudest_at_s".into(), json!(best_at));
    values.insert(
        "loudest_rms_dbfs".into(),
        json!(20.0 * best.max(1e-10).log10()),
    );
    Ok(StageOutput::new(values))
}

/// The operation's factory: reads and checks its parameter.
fn factory(params: &BTreeMap<String, Value>) -> Result<StageHandler, CustomStageError> {
    let window_s = match params.get("window_s") {
        None => 1.0,
        Some(v) => v
            .as_f64()
            .filter(|w| (0.05..=60.0).contains(w))
            .ok_or_else(|| CustomStageError::BadParam {
                name: "window_s".into(),
                reason: format!("must be a number in 0.05..=60, got {v}"),
            })?,
    };
    Ok(StageHandler::blocking(move |input| {
        loudest_second(&input, window_s)
    }))
}

/// A 6 s WAV whose level rises until 4 s and drops after, written here so
/// the example runs without files.
fn demo_wav() -> std::io::Result<PathBuf> {
    let path = std::env::temp_dir().join("wave-studio-custom-stage.wav");
    let rate = 22_050u32;
    let samples: Vec<i16> = (0..rate * 6)
        .map(|i| {
            let t = f64::from(i) / f64::from(rate);
            let level = if t < 4.0 { t / 4.0 } else { 0.1 };
            (level * 0.8 * (2.0 * std::f64::consts::PI * 330.0 * t).sin() * 32767.0) as i16
        })
        .collect();
    let data = (samples.len() * 2) as u32;
    let mut bytes = Vec::with_capacity(44 + data as usize);
    bytes.extend_from_slice(b"RIFF");
    bytes.extend_from_slice(&(36 + data).to_le_bytes());
    bytes.extend_from_slice(b"WAVEfmt ");
    for v in [16u32, 1 | (1 << 16), rate, rate * 2, 2 | (16 << 16)] {
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    bytes.extend_from_slice(b"data");
    bytes.extend_from_slice(&data.to_le_bytes());
    for s in samples {
        bytes.extend_from_slice(&s.to_le_bytes());
    }
    std::fs::write(&path, bytes)?;
    Ok(path)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut files: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    if files.is_empty() {
        files.push(demo_wav()?);
    }
    let mut doc = default_document()?;
    let after = doc.nodes.first().map(|n| n.id.clone());
    let id = doc.fresh_id("loudest_second");
    doc.nodes.push(PipelineNode {
        id: id.clone().into(),
        name: "Loudest second".into(),
        kind: WaveStage::FeatureExtraction,
        operation: Operation::Plugin {
            name: "loudest_second".into(),
            params: BTreeMap::from([("window_s".to_string(), json!(1.0))]),
        },
        refinement: false,
        overrides: NodeOverrides::default(),
        position: (0.0, 400.0),
    });
    // After the first node (a probe that rejects what is not audio).
    if let Some(first) = after {
        doc.edges.push(Edge::new(first, id));
    }
    let stages = CustomStages::new().add(
        "loudest_second",
        &["loudest_at_s", "loudest_rms_dbfs"],
        factory,
    );
    let handle = tokio::runtime::Handle::current();
    let plugins = Arc::new(Installed::default());
    let runner = PipelineRunner::with_stages(&doc, None, handle, None, plugins, &stages)?;
    let mut run = runner.start(files, 4);
    while let Some(result) = run.results.recv().await {
        println!(
            "{}: {:?}, loudest second at {} s ({} dBFS), integrated loudness {} LUFS",
            result.file,
            result.status,
            result.value("loudest_at_s"),
            result.value("loudest_rms_dbfs"),
            result.value("loudness_lufs"),
        );
    }
    run.done.await?;
    Ok(())
}
