//! A batch admits its waiting inputs by priority (ties in arrival order),
//! and `BatchPriorities` moves waves that have not started to the front.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap in a test is a failed test"
)]

mod common;

use std::time::Duration;

use common::*;
use tokio::sync::mpsc;
use wave_studio::orchestrator::{
    NodeSpec, Plan, PlanSpec, WaveEvent, WaveInput, WaveKey, WaveOrchestrator, WaveStage,
};

fn input(key: u64, priority: i32) -> WaveInput {
    WaveInput {
        priority,
        ..WaveInput::new(format!("w{key}"), key.into()).with_key(WaveKey(key))
    }
}

/// One node that sleeps a second (virtual time) per wave.
fn slow_orchestrator() -> (WaveOrchestrator, Plan) {
    let mut orch = orchestrator(config());
    orch.register_stage_handler(
        "slow",
        sleeper(Duration::from_secs(1), Concurrency::default()),
    );
    let spec = PlanSpec {
        nodes: vec![NodeSpec::new("a", WaveStage::DeepAnalysis, "slow")],
    };
    let plan = orch.plan(&spec).unwrap();
    (orch, plan)
}

/// Keys in the order their waves started.
fn start_order(events: Vec<WaveEvent>) -> Vec<u64> {
    events
        .into_iter()
        .filter_map(|e| match e {
            WaveEvent::WaveStarted { key, .. } => Some(key.0),
            _ => None,
        })
        .collect()
}

/// Waits until the wave with `key` has started.
async fn until_started(events: &mut mpsc::UnboundedReceiver<WaveEvent>, key: u64) {
    while let Some(e) = events.recv().await {
        if matches!(e, WaveEvent::WaveStarted { key: k, .. } if k.0 == key) {
            return;
        }
    }
    panic!("wave {key} never started");
}

#[tokio::test(start_paused = true)]
async fn waves_start_by_priority_then_arrival() {
    let (orch, plan) = slow_orchestrator();
    let mut events = orch.subscribe();
    let inputs = [(0, 0), (1, 2), (2, 0), (3, 7), (4, 2), (5, -3), (6, 0)]
        .into_iter()
        .map(|(k, p)| input(k, p))
        .collect();
    let out = orch.execute_parallel_waves(&plan, inputs, 1).await;
    assert_eq!(out.report.started, 7);
    assert_eq!(start_order(drain(&mut events)), [3, 1, 4, 0, 2, 6, 5]);
}

#[tokio::test(start_paused = true)]
async fn equal_priorities_keep_arrival_order() {
    let (orch, plan) = slow_orchestrator();
    let mut events = orch.subscribe();
    let inputs = (0..6).map(|k| input(k, 4)).collect();
    orch.execute_parallel_waves(&plan, inputs, 1).await;
    assert_eq!(start_order(drain(&mut events)), [0, 1, 2, 3, 4, 5]);
}

#[tokio::test(start_paused = true)]
async fn set_priority_moves_waiting_waves_to_the_front() {
    let (orch, plan) = slow_orchestrator();
    let mut events = orch.subscribe();
    let (tx, rx) = mpsc::channel(16);
    for k in 0..3 {
        tx.send(input(k, 0)).await.unwrap();
    }
    let mut stream = orch.stream_waves(&plan, rx, 1);
    let priorities = stream.priorities();
    until_started(&mut events, 0).await;
    // 0 runs, 1 and 2 wait, 4 is not sent yet.
    let moved = priorities.set_priority(&[WaveKey(0), WaveKey(2), WaveKey(4)], 5);
    assert_eq!(moved, 1, "only the waiting wave 2 is counted");
    for k in 3..5 {
        tx.send(input(k, 0)).await.unwrap();
    }
    drop(tx);
    let mut contexts = Vec::new();
    while let Some(ctx) = stream.results.recv().await {
        contexts.push(ctx);
    }
    let report = stream.report().await;
    assert_eq!(report.started, 5);
    let mut order = vec![0];
    order.extend(start_order(drain(&mut events)));
    assert_eq!(order, [0, 2, 4, 1, 3]);
    let priority = |k: u64| {
        contexts
            .iter()
            .find(|c| c.key == WaveKey(k))
            .map(|c| c.input.priority)
    };
    assert_eq!(priority(0), Some(0), "a started wave keeps its priority");
    assert_eq!(priority(2), Some(5));
    assert_eq!(
        priority(4),
        Some(5),
        "an input still in the channel took it"
    );
    assert_eq!(priorities.set_priority(&[WaveKey(1)], 9), 0, "batch over");
}

#[tokio::test(start_paused = true)]
async fn a_cancelled_batch_counts_its_queue_as_not_started() {
    let (orch, plan) = slow_orchestrator();
    let (tx, rx) = mpsc::channel(16);
    for k in 0..6 {
        tx.send(input(k, 0)).await.unwrap();
    }
    drop(tx);
    let mut stream = orch.stream_waves(&plan, rx, 2);
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    stream.cancel();
    while stream.results.recv().await.is_some() {}
    let report = stream.report().await;
    assert!(report.cancelled);
    assert_eq!(report.started, 4);
    assert_eq!(report.not_started, 2);
}

/// `pipeline::Run::priorities` reaches the run's batch (the app's
/// *Analyse next*): the last file starts first. Missing files fail fast,
/// which is all the order needs.
#[tokio::test]
async fn a_pipeline_run_moves_a_file_to_the_front() {
    use wave_studio::pipeline::default_document;
    use wave_studio::run::PipelineRunner;
    let doc = default_document().unwrap();
    let runner = PipelineRunner::new(&doc, None, tokio::runtime::Handle::current()).unwrap();
    let mut events = runner.orchestrator().subscribe();
    let files = (0..4)
        .map(|i| std::path::PathBuf::from(format!("/definitely/not/here/{i}.wav")))
        .collect();
    let mut run = runner.start(files, 1);
    // On this single-threaded runtime the batch has not started yet: every
    // input is still in its channel and takes the priority on arrival.
    assert_eq!(run.priorities.set_priority(&[WaveKey(3)], 1), 0);
    while run.results.recv().await.is_some() {}
    run.done.await.unwrap();
    runner.orchestrator().shutdown().await;
    assert_eq!(start_order(drain(&mut events)), [3, 0, 1, 2]);
}
