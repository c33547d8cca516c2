//! The simple case of the Rust API: one handler registered by stage kind
//! runs on `default_plan()`; a wave's caller key cancels it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap in a test is a failed test"
)]

use std::time::Duration;

use serde_json::json;
use wave_studio::orchestrator::{
    StageHandler, StageOutput, StageValues, WaveConfig, WaveInput, WaveOrchestrator, WaveStage,
    WaveStatus,
};

fn orchestrator() -> WaveOrchestrator {
    let config = WaveConfig {
        inter_stage_delay_ms: 0,
        ..WaveConfig::default()
    };
    WaveOrchestrator::new(config, tokio::runtime::Handle::current()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_handler_registered_by_kind_is_enough() {
    let mut o = orchestrator();
    assert!(o.default_plan().is_err(), "no handler, no plan");
    o.register_stage_handler(
        WaveStage::DeepAnalysis,
        StageHandler::blocking(|input| {
            let mut v = StageValues::new();
            v.insert("n".into(), input.input.payload["n"].clone());
            Ok(StageOutput::new(v))
        }),
    );
    let plan = o.default_plan().unwrap();
    assert_eq!(plan.len(), 1);
    let wave = o
        .execute_wave(&plan, WaveInput::new("x", json!({ "n": 5 })))
        .await;
    assert_eq!(wave.status, WaveStatus::Completed);
    assert_eq!(wave.value("n"), Some(&json!(5)));

    // A second kind joins the chain, in the seed's order.
    o.register_stage_handler(
        WaveStage::Preparation,
        StageHandler::blocking(|_| Ok(StageOutput::default())),
    );
    let plan = o.default_plan().unwrap();
    let ids: Vec<&str> = plan.node_ids().map(|n| n.as_str()).collect();
    assert_eq!(ids, ["preparation", "deep_analysis"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wave_is_cancelled_by_its_callers_key() {
    let mut o = orchestrator();
    o.register_stage_handler(
        WaveStage::Preparation,
        StageHandler::from_async(|input| async move {
            tokio::select! {
                () = input.cancel.cancelled() => {}
                () = tokio::time::sleep(Duration::from_secs(30)) => {}
            }
            Ok(StageOutput::default())
        }),
    );
    let plan = o.default_plan().unwrap();
    let o = std::sync::Arc::new(o);
    let inputs = (0..3u64)
        .map(|k| WaveInput::new(format!("w{k}"), json!({})).with_key(k + 100))
        .collect();
    let runner = o.clone();
    let batch = tokio::spawn(async move { runner.execute_parallel_waves(&plan, inputs, 3).await });
    // Wait until all three are running, then cancel the one keyed 101.
    let begun = std::time::Instant::now();
    while o.active_waves() < 3 && begun.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(o.cancel_key(101u64), 1);
    assert_eq!(o.cancel_key(999u64), 0, "no wave has that key");
    let begun = std::time::Instant::now();
    while o.active_waves() > 2 && begun.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(o.active_waves(), 2, "the other two still run");
    o.cancel_all();
    let outcome = batch.await.unwrap();
    let by_key = |k: u64| outcome.waves.iter().find(|w| w.key.0 == k).unwrap();
    assert_eq!(by_key(101).status, WaveStatus::Cancelled);
}
