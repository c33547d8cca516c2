//! Built-in CPU stages stop soon after their attempt is abandoned: the DSP
//! checks a plain cancel flag between blocks. Real time, real threads.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap in a test is a failed test"
)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::signal::{TempDir, groove, write_wav};
use common::*;
use wave_studio::audio::cancel::Cancelled;
use wave_studio::audio::tempo::{self, TempoOptions};
use wave_studio::audio::{AnalysisOptions, Artifacts, beats, decode_pass};
use wave_studio::orchestrator::{
    AttemptOutcome, NodeId, NodeSpec, PlanSpec, WaveConfig, WaveId, WaveInput, WaveStage,
    WaveStatus,
};
use wave_studio::pipeline::Operation;
use wave_studio::pipeline::ops::{ArtifactStore, handler_for};

/// Artifacts of a real 20 s groove whose onset envelope is repeated to
/// `hours`: a long signal without decoding hours of audio.
fn long_artifacts(hours: f64) -> Artifacts {
    let dir = TempDir::new("cancel");
    let path = dir.path("groove.wav");
    write_wav(&path, &groove(120.0, 20.0, 3), 1, 44_100);
    let mut a = decode_pass(&path, &AnalysisOptions::default(), &AtomicBool::new(false)).unwrap();
    let frames = (hours * 3600.0 * a.onset.frame_rate) as usize;
    let tile = |v: &[f32]| v.iter().copied().cycle().take(frames).collect::<Vec<f32>>();
    a.onset.values = tile(&a.onset.values);
    a.onset.low = tile(&a.onset.low);
    a
}

#[test]
fn the_tempo_refinement_stops_within_milliseconds_of_its_flag() {
    let a = long_artifacts(2.0);
    let opts = TempoOptions::default();
    let first = tempo::first_estimate(&a.onset, &opts).unwrap();
    let flag = Arc::new(AtomicBool::new(false));
    let setter = flag.clone();
    let asked = Arc::new(std::sync::Mutex::new(None));
    let asked_at = asked.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        *asked_at.lock().unwrap() = Some(Instant::now());
        setter.store(true, Ordering::SeqCst);
    });
    let result = beats::refine_until(&a.onset, &first, &opts, &|| flag.load(Ordering::SeqCst));
    let stopped = Instant::now();
    assert_eq!(result, Err(Cancelled), "two hours of beats outlast 50 ms");
    let lag = stopped - asked.lock().unwrap().unwrap();
    assert!(
        lag < Duration::from_millis(50),
        "stopped {lag:?} after the flag"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timed_out_tempo_stage_releases_its_thread_before_shutdown_gives_up() {
    let store = Arc::new(ArtifactStore::default());
    let mut orch = orchestrator(WaveConfig {
        stage_timeout_seconds: 0.1,
        max_retries_per_stage: 0,
        cpu_workers: 1,
        ..config()
    });
    let op = Operation::Tempo {
        refine: true,
        min_bpm: 70.0,
        max_bpm: 180.0,
    };
    orch.register_stage_handler("tempo", handler_for(&op, store.clone(), None));
    let plan = orch
        .plan(&PlanSpec {
            nodes: vec![NodeSpec::new("t", WaveStage::DeepAnalysis, "tempo")],
        })
        .unwrap();
    // The orchestrator numbers waves from 1.
    store.put(WaveId(1), NodeId::from("decode"), long_artifacts(4.0));
    let ctx = orch.execute_wave(&plan, WaveInput::default()).await;
    assert_eq!(ctx.id, WaveId(1));
    assert_eq!(ctx.status, WaveStatus::Failed);
    let attempt = &ctx.stage_metrics("t").unwrap().attempts[0];
    assert_eq!(attempt.outcome, AttemptOutcome::Timeout);
    // The abandoned closure noticed its token and ended: nothing stubborn.
    let report = orch.shutdown_within(Duration::from_millis(500)).await;
    assert!(report.is_clean(), "{report}");
}
