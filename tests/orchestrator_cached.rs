//! Outputs taken from a store (`StageOutput::from_cache`) are counted as
//! cached, by the engine and by the run monitor, and kept out of timing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap in a test is a failed test"
)]

mod common;

use std::time::Duration;

use common::*;
use wave_studio::orchestrator::{
    NodeSpec, PlanSpec, StageHandler, StageOutput, WaveEvent, WaveInput, WaveStage,
};
use wave_studio::run::RunMonitor;

/// Sleeps `d` (virtual time), then answers from "the store" or computes.
fn answer(d: Duration, from_store: bool) -> StageHandler {
    StageHandler::from_async(move |_| async move {
        tokio::time::sleep(d).await;
        let out = StageOutput::default().with_quality(0.9);
        Ok(if from_store { out.from_cache() } else { out })
    })
}

#[tokio::test(start_paused = true)]
async fn cached_outputs_are_counted_apart_and_not_timed() {
    let mut orch = orchestrator(config());
    orch.register_stage_handler("store", answer(Duration::from_secs(2), true));
    orch.register_stage_handler("work", answer(Duration::from_secs(1), false));
    let spec = PlanSpec {
        nodes: vec![
            NodeSpec::new("a", WaveStage::Preparation, "store"),
            NodeSpec::new("b", WaveStage::DeepAnalysis, "work").after(["a"]),
        ],
    };
    let plan = orch.plan(&spec).unwrap();
    let mut events = orch.subscribe();
    let inputs = (0..3u64)
        .map(|k| WaveInput::new(format!("w{k}"), k.into()).with_key(k))
        .collect();
    let out = orch.execute_parallel_waves(&plan, inputs, 3).await;
    assert_eq!(out.report.started, 3);
    for ctx in &out.waves {
        assert!(ctx.result("a").unwrap().cached);
        assert!(!ctx.result("b").unwrap().cached);
        assert!(ctx.stage_metrics("a").unwrap().attempts[0].cached);
    }

    let stats = orch.statistics();
    let a = stats.stage("a").unwrap();
    assert_eq!((a.attempts, a.successes), (3, 3));
    assert_eq!(
        (a.items_completed, a.items_cached, a.items_computed()),
        (3, 3, 0)
    );
    assert!(
        a.duration.is_empty(),
        "cached attempts stay out of the histogram"
    );
    assert_eq!(a.cached_time, Duration::from_secs(6));
    let b = stats.stage("b").unwrap();
    assert_eq!(
        (b.items_completed, b.items_cached, b.duration.len()),
        (3, 0, 3)
    );
    assert_eq!(b.duration_max(), Duration::from_secs(1));
    assert_eq!(stats.items_cached(), 3);

    let events = drain(&mut events);
    let cached_events = events
        .iter()
        .filter(|e| matches!(e, WaveEvent::StageFinished { cached: true, .. }))
        .count();
    assert_eq!(cached_events, 3);
    let mut monitor = RunMonitor::default();
    for e in &events {
        monitor.ingest(e);
    }
    let a = &monitor.nodes["a"];
    assert_eq!(
        (a.done, a.cached, a.failed),
        (0, 3, 0),
        "not counted as done too"
    );
    assert!(a.durations.is_empty() && a.mean_s().is_none());
    assert_eq!(a.mean_quality(), Some(0.9));
    let b = &monitor.nodes["b"];
    assert_eq!((b.done, b.cached), (3, 0));
    assert_eq!(monitor.statistics.unwrap().items_cached(), 3);
}

#[test]
fn cached_is_written_only_when_set() {
    let computed = serde_json::to_value(StageOutput::default()).unwrap();
    assert!(computed.get("cached").is_none());
    let stored = serde_json::to_value(StageOutput::default().from_cache()).unwrap();
    assert_eq!(stored["cached"], true);
    let back: StageOutput = serde_json::from_value(stored).unwrap();
    assert!(back.cached);
    let old: StageOutput = serde_json::from_str(r#"{"values":{},"quality":null}"#).unwrap();
    assert!(
        !old.cached,
        "outputs saved before the field read as computed"
    );
}
