//! Blocking handlers that ignore their token: a timeout frees their CPU
//! slot, and shutdown is bounded and names them. Real time: the handlers
//! run on real threads.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap in a test is a failed test"
)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::*;
use wave_studio::orchestrator::{
    AttemptOutcome, NodeSpec, PlanSpec, StageHandler, StageOutput, WaveConfig, WaveEvent,
    WaveInput, WaveKey, WaveOrchestrator, WaveStage, WaveStatus,
};

/// Sleeps in a loop, never looking at its token, until `release` is set.
fn stubborn(release: Arc<AtomicBool>, calls: Arc<AtomicUsize>) -> StageHandler {
    StageHandler::blocking(move |_| {
        calls.fetch_add(1, Ordering::SeqCst);
        while !release.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(5));
        }
        Ok(StageOutput::default())
    })
}

/// Lets the stubborn threads end when the test ends, pass or fail.
struct Release(Arc<AtomicBool>);

impl Drop for Release {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

fn one_node(handler: &str) -> PlanSpec {
    PlanSpec {
        nodes: vec![NodeSpec::new("n", WaveStage::DeepAnalysis, handler)],
    }
}

fn setup(config: WaveConfig) -> (WaveOrchestrator, Release, Arc<AtomicUsize>) {
    let mut orch = orchestrator(config);
    let release = Arc::new(AtomicBool::new(false));
    let calls = Arc::new(AtomicUsize::new(0));
    orch.register_stage_handler("stubborn", stubborn(release.clone(), calls.clone()));
    orch.register_stage_handler(
        "quick",
        StageHandler::blocking(|_| Ok(StageOutput::default())),
    );
    (orch, Release(release), calls)
}

/// Starts one stubborn wave and waits until its first attempt's closure is
/// running on a CPU thread (the start event comes before the thread has it).
async fn start_stubborn(
    orch: &WaveOrchestrator,
    calls: &AtomicUsize,
) -> tokio::task::JoinHandle<WaveStatus> {
    let plan = orch.plan(&one_node("stubborn")).unwrap();
    let mut events = orch.subscribe();
    let runner = orch.clone();
    let wave = tokio::spawn(async move {
        let input = WaveInput::new("stubborn", 0.into()).with_key(WaveKey(7));
        runner.execute_wave(&plan, input).await.status
    });
    while !matches!(events.recv().await, Some(WaveEvent::StageStarted { .. })) {}
    while calls.load(Ordering::SeqCst) == 0 {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    wave
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timed_out_stubborn_handler_frees_its_cpu_slot_for_others_and_its_retry() {
    let (orch, _release, calls) = setup(WaveConfig {
        cpu_workers: 1,
        stage_timeout_seconds: 0.2,
        max_retries_per_stage: 1,
        ..config()
    });
    let stubborn_wave = start_stubborn(&orch, &calls).await;
    // The only CPU thread is busy with the stubborn closure; these wait
    // for it and get it when the attempt times out.
    let quick = orch.plan(&one_node("quick")).unwrap();
    let inputs = (0..3)
        .map(|i| WaveInput::new(format!("q{i}"), 0.into()))
        .collect();
    let out = tokio::time::timeout(
        Duration::from_secs(10),
        orch.execute_parallel_waves(&quick, inputs, 3),
    )
    .await
    .expect("other waves got the CPU slot after the timeout");
    assert!(out.waves.iter().all(|w| w.status == WaveStatus::Completed));

    let status = tokio::time::timeout(Duration::from_secs(10), stubborn_wave)
        .await
        .expect("the retry got a CPU slot")
        .unwrap();
    assert_eq!(status, WaveStatus::Failed);
    assert_eq!(calls.load(Ordering::SeqCst), 2, "the retry ran");
    let stats = orch.statistics();
    let n = stats.stage("n").unwrap();
    assert_eq!(n.timeouts, 2, "{n:?}");
    assert_eq!(n.successes, 3, "{n:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_is_bounded_and_names_the_stubborn_node() {
    let (orch, release, calls) = setup(WaveConfig {
        cpu_workers: 2,
        stage_timeout_seconds: 600.0,
        ..config()
    });
    let stubborn_wave = start_stubborn(&orch, &calls).await;
    let asked = Instant::now();
    let report = tokio::time::timeout(
        Duration::from_secs(10),
        orch.shutdown_within(Duration::from_millis(300)),
    )
    .await
    .expect("shutdown kept its bound");
    let took = asked.elapsed();
    assert!(took >= Duration::from_millis(300), "{took:?}");
    assert!(took < Duration::from_secs(3), "{took:?}");
    assert_eq!(report.stubborn.len(), 1, "{report:?}");
    let s = &report.stubborn[0];
    assert_eq!((s.node.as_str(), s.key, s.attempt), ("n", WaveKey(7), 1));
    assert!(report.to_string().contains("`n`"), "{report}");

    // The wave itself ended at once, cancelled.
    let status = stubborn_wave.await.unwrap();
    assert_eq!(status, WaveStatus::Cancelled);

    // Once the handler ends, nothing is left and a shutdown is clean.
    drop(release);
    let report = orch.shutdown_within(Duration::from_secs(5)).await;
    assert!(report.is_clean(), "{report}");
    assert_eq!(orch.live_tasks(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_attempt_of_a_stubborn_handler_is_recorded_cancelled() {
    let (orch, _release, calls) = setup(WaveConfig {
        cpu_workers: 1,
        ..config()
    });
    let stubborn_wave = start_stubborn(&orch, &calls).await;
    orch.cancel_all();
    let status = tokio::time::timeout(Duration::from_secs(5), stubborn_wave)
        .await
        .expect("cancel does not wait for the closure")
        .unwrap();
    assert_eq!(status, WaveStatus::Cancelled);
    let n = orch.statistics();
    let n = n.stage("n").unwrap();
    assert_eq!(n.cancelled_attempts, 1);
    // The CPU slot went to a stray permit: quick work still runs.
    let quick = orch.plan(&one_node("quick")).unwrap();
    let w = tokio::time::timeout(
        Duration::from_secs(5),
        orch.execute_wave(&quick, WaveInput::default()),
    )
    .await
    .expect("the CPU slot was freed");
    assert_eq!(w.status, WaveStatus::Completed);
    assert_eq!(
        w.stage_metrics("n").unwrap().attempts[0].outcome,
        AttemptOutcome::Success
    );
}
