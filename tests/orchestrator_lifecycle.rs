//! Panics, cancellation, parallel nodes, the blocking pool, batched nodes,
//! plan errors and the streaming batch.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap in a test is a failed test"
)]

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use tokio::sync::mpsc;
use wave_studio::orchestrator::{
    AttemptOutcome, BatchSpec, NodeSpec, NodeState, PlanError, PlanSpec, StageError, StageHandler,
    StageOutput, StageValues, WaveEvent, WaveInput, WaveStage, WaveStatus,
};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn one_node(handler: &str) -> PlanSpec {
    PlanSpec {
        nodes: vec![NodeSpec::new("n", WaveStage::DeepAnalysis, handler)],
    }
}

fn inputs(n: usize) -> Vec<WaveInput> {
    (0..n)
        .map(|i| WaveInput::new(format!("w{i}"), (i as u64).into()))
        .collect()
}

#[tokio::test(start_paused = true)]
async fn a_panicking_handler_is_a_failed_attempt_with_its_message() {
    let mut orch = orchestrator(config());
    orch.register_stage_handler(
        "panics",
        StageHandler::from_async(|input| async move {
            if input.attempt < 3 {
                panic!("boom at attempt {}", input.attempt);
            }
            Ok(StageOutput::default())
        }),
    );
    // Panics while making the future, not only while polling it.
    orch.register_stage_handler(
        "panics_early",
        StageHandler::from_async(
            |_| -> std::future::Ready<wave_studio::orchestrator::StageResult> {
                panic!("before the future")
            },
        ),
    );
    let plan = orch.plan(&one_node("panics")).unwrap();
    let out = orch.execute_parallel_waves(&plan, inputs(3), 3).await;
    for w in &out.waves {
        assert_eq!(w.status, WaveStatus::Completed, "the batch went on");
        let a = &w.stage_metrics("n").unwrap().attempts;
        assert_eq!(a[0].outcome, AttemptOutcome::Panic);
        assert!(
            a[0].error.as_deref().unwrap().contains("boom at attempt 1"),
            "{:?}",
            a[0].error
        );
        assert_eq!(a[2].outcome, AttemptOutcome::Success);
    }
    let plan = orch.plan(&one_node("panics_early")).unwrap();
    let w = orch.execute_wave(&plan, WaveInput::default()).await;
    assert_eq!(w.status, WaveStatus::Failed);
    assert!(w.errors[0].message.contains("before the future"));
    assert_eq!(orch.statistics().stage("n").unwrap().panics, 6 + 3);
}

#[tokio::test(start_paused = true)]
async fn independent_nodes_of_one_wave_run_at_the_same_time() {
    let mut orch = orchestrator(config());
    let c = Concurrency::default();
    orch.register_stage_handler("work", sleeper(ms(100), c.clone()));
    let spec = PlanSpec {
        nodes: vec![
            NodeSpec::new("a", WaveStage::Preparation, "work"),
            NodeSpec::new("b", WaveStage::FeatureExtraction, "work").after(["a"]),
            NodeSpec::new("c", WaveStage::DeepAnalysis, "work").after(["a"]),
            NodeSpec::new("d", WaveStage::Aggregation, "work").after(["b", "c"]),
        ],
    };
    let plan = orch.plan(&spec).unwrap();
    let w = orch.execute_wave(&plan, WaveInput::default()).await;
    assert_eq!(w.status, WaveStatus::Completed);
    assert_eq!(w.duration, ms(300), "b and c overlapped");
    assert_eq!(c.max(), 2);
    assert_eq!(w.completed.last().unwrap().as_str(), "d");
}

/// Hangs forever; keeps each attempt's token so the test can look at it.
fn hang_until_cancelled(tokens: Tokens) -> StageHandler {
    StageHandler::from_async(move |input| {
        tokens.lock().unwrap().push(input.cancel.clone());
        async move {
            std::future::pending::<()>().await;
            Err(StageError::transient("unreachable"))
        }
    })
}

type Tokens = Arc<Mutex<Vec<tokio_util::sync::CancellationToken>>>;

fn all_cancelled(tokens: &Tokens) -> usize {
    tokens
        .lock()
        .unwrap()
        .iter()
        .filter(|t| t.is_cancelled())
        .count()
}

#[tokio::test(start_paused = true)]
async fn cancelling_a_wave_cancels_its_running_attempt() {
    let mut orch = orchestrator(config());
    let saw = Tokens::default();
    orch.register_stage_handler("hang", hang_until_cancelled(saw.clone()));
    let plan = orch.plan(&one_node("hang")).unwrap();
    let mut events = orch.subscribe();
    let runner = orch.clone();
    let task = tokio::spawn(async move { runner.execute_wave(&plan, WaveInput::default()).await });
    let wave = loop {
        if let Some(WaveEvent::StageStarted { wave, .. }) = events.recv().await {
            break wave;
        }
    };
    assert!(orch.cancel(wave));
    let ctx = task.await.unwrap();
    assert_eq!(ctx.status, WaveStatus::Cancelled);
    assert_eq!(ctx.stage_metrics("n").unwrap().state, NodeState::Cancelled);
    assert_eq!(
        ctx.stage_metrics("n").unwrap().attempts[0].outcome,
        AttemptOutcome::Cancelled
    );
    assert_eq!(all_cancelled(&saw), 1, "the attempt's token was cancelled");
    assert!(!orch.cancel(wave), "no longer running");
    orch.shutdown().await;
    assert_eq!(orch.live_tasks(), 0);
}

#[tokio::test(start_paused = true)]
async fn cancelling_a_batch_ends_running_waves_and_starts_no_more() {
    let mut orch = orchestrator(config());
    let saw = Tokens::default();
    orch.register_stage_handler("hang", hang_until_cancelled(saw.clone()));
    let plan = orch.plan(&one_node("hang")).unwrap();
    let (tx, rx) = mpsc::channel(100);
    for i in inputs(100) {
        tx.send(i).await.unwrap();
    }
    drop(tx);
    let mut stream = orch.stream_waves(&plan, rx, 5);
    tokio::time::sleep(ms(50)).await;
    assert_eq!(orch.active_waves(), 5);
    stream.cancel();
    let mut finished = Vec::new();
    while let Some(ctx) = stream.results.recv().await {
        finished.push(ctx);
    }
    let report = stream.report().await;
    assert!(report.cancelled);
    assert_eq!(report.started, 5);
    assert_eq!(report.not_started, 95);
    assert_eq!(finished.len(), 5);
    assert!(finished.iter().all(|w| w.status == WaveStatus::Cancelled));
    assert_eq!(all_cancelled(&saw), 5);
    orch.shutdown().await;
    assert_eq!(orch.live_tasks(), 0, "no task outlives the orchestrator");
}

#[tokio::test(start_paused = true)]
async fn cancel_all_stops_everything_but_later_runs_work() {
    let mut orch = orchestrator(config());
    orch.register_stage_handler("hang", hang_until_cancelled(Arc::default()));
    orch.register_stage_handler("ok", ok(None));
    let plan = orch.plan(&one_node("hang")).unwrap();
    let runner = orch.clone();
    let p = plan.clone();
    let task = tokio::spawn(async move { runner.execute_parallel_waves(&p, inputs(10), 10).await });
    tokio::time::sleep(ms(10)).await;
    orch.cancel_all();
    let out = task.await.unwrap();
    assert!(out.waves.iter().all(|w| w.status == WaveStatus::Cancelled));
    let plan = orch.plan(&one_node("ok")).unwrap();
    let w = orch.execute_wave(&plan, WaveInput::default()).await;
    assert_eq!(w.status, WaveStatus::Completed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocking_handlers_run_on_a_bounded_pool() {
    let mut orch = orchestrator(config().tap_cpu(2));
    let c = Concurrency::default();
    let counter = c.clone();
    orch.register_stage_handler(
        "cpu",
        StageHandler::blocking(move |_| {
            let _g = counter.enter();
            std::thread::sleep(ms(20));
            Ok(StageOutput::default())
        }),
    );
    let plan = orch.plan(&one_node("cpu")).unwrap();
    let out = orch.execute_parallel_waves(&plan, inputs(12), 12).await;
    assert!(out.waves.iter().all(|w| w.status == WaveStatus::Completed));
    assert_eq!(c.max(), 2, "cpu_workers bounds the pool");
    // Waiting for a pool thread is slot wait, not attempt time: 12 waves
    // two at a time wait about 2.5 times as long as they run.
    let metrics: Vec<_> = out
        .waves
        .iter()
        .map(|w| w.stage_metrics("n").unwrap().clone())
        .collect();
    let waited: Duration = metrics.iter().map(|m| m.slot_wait).sum();
    let ran: Duration = metrics.iter().map(|m| m.run_time()).sum();
    assert!(waited > ran, "waited {waited:?}, ran {ran:?}");
    assert_eq!(c.calls(), 12);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timed_out_blocking_handler_sees_its_token_and_stops() {
    let mut cfg = config();
    cfg.stage_timeout_seconds = 0.2;
    cfg.max_retries_per_stage = 0;
    let mut orch = orchestrator(cfg);
    let stopped = Arc::new(AtomicBool::new(false));
    let flag = stopped.clone();
    orch.register_stage_handler(
        "spin",
        StageHandler::blocking(move |input| {
            while !input.cancel.is_cancelled() {
                std::thread::sleep(ms(5));
            }
            flag.store(true, Ordering::SeqCst);
            Err(StageError::transient("stopped"))
        }),
    );
    orch.register_stage_handler(
        "panics",
        StageHandler::blocking(|_| -> wave_studio::orchestrator::StageResult {
            panic!("blocking boom")
        }),
    );
    let plan = orch.plan(&one_node("spin")).unwrap();
    let w = orch.execute_wave(&plan, WaveInput::default()).await;
    assert_eq!(
        w.stage_metrics("n").unwrap().attempts[0].outcome,
        AttemptOutcome::Timeout
    );
    orch.clone().shutdown().await;
    assert!(
        stopped.load(Ordering::SeqCst),
        "shutdown waited for the blocking task, which stopped"
    );

    let mut orch = orchestrator(config());
    orch.register_stage_handler(
        "panics",
        StageHandler::blocking(|_| -> wave_studio::orchestrator::StageResult {
            panic!("blocking boom")
        }),
    );
    let plan = orch.plan(&one_node("panics")).unwrap();
    let w = orch.execute_wave(&plan, WaveInput::default()).await;
    let a = &w.stage_metrics("n").unwrap().attempts[0];
    assert_eq!(a.outcome, AttemptOutcome::Panic);
    assert!(a.error.as_deref().unwrap().contains("blocking boom"));
}

#[tokio::test(start_paused = true)]
async fn a_batched_node_gathers_items_and_returns_each_its_own_result() {
    let mut orch = orchestrator(config().tap_retries(0));
    let sizes = Arc::new(Mutex::new(Vec::new()));
    let seen = sizes.clone();
    orch.register_stage_handler("ok", ok(None));
    orch.register_stage_handler(
        "batch",
        StageHandler::batched(
            BatchSpec {
                max_items: 4,
                max_wait: ms(50),
            },
            move |items| {
                let seen = seen.clone();
                async move {
                    seen.lock().unwrap().push(items.len());
                    items
                        .iter()
                        .map(|item| {
                            let n = item.input.payload.as_u64().unwrap();
                            if n == 7 {
                                return Err(StageError::permanent("item 7 is bad"));
                            }
                            let mut v = StageValues::new();
                            v.insert("double".into(), (n * 2).into());
                            Ok(StageOutput::new(v))
                        })
                        .collect()
                }
            },
        ),
    );
    let spec = PlanSpec {
        nodes: vec![
            NodeSpec::new("prep", WaveStage::Preparation, "ok"),
            NodeSpec::new("b", WaveStage::DeepAnalysis, "batch").after(["prep"]),
        ],
    };
    let plan = orch.plan(&spec).unwrap();
    let out = orch.execute_parallel_waves(&plan, inputs(10), 10).await;
    let sizes = sizes.lock().unwrap().clone();
    assert_eq!(sizes.iter().sum::<usize>(), 10);
    assert!(sizes.iter().all(|&s| s <= 4), "{sizes:?}");
    assert!(sizes.len() <= 4, "items were gathered: {sizes:?}");
    for (i, w) in out.waves.iter().enumerate() {
        if i == 7 {
            assert_eq!(w.status, WaveStatus::PartiallyCompleted);
            assert_eq!(w.errors[0].message, "item 7 is bad");
        } else {
            assert_eq!(w.status, WaveStatus::Completed);
            assert_eq!(w.value("double").unwrap().as_u64(), Some(i as u64 * 2));
        }
    }
}

#[tokio::test]
async fn plan_errors_are_found_when_the_plan_is_built() {
    let mut orch = orchestrator(config());
    orch.register_stage_handler("ok", ok(None));
    let spec = PlanSpec {
        nodes: vec![
            NodeSpec::new("a", WaveStage::Preparation, "ok").after(["c"]),
            NodeSpec::new("b", WaveStage::InitialAnalysis, "ok").after(["a"]),
            NodeSpec::new("c", WaveStage::DeepAnalysis, "ok").after(["b"]),
            NodeSpec::new("d", WaveStage::Aggregation, "missing").after(["ghost"]),
        ],
    };
    let errors = orch.plan(&spec).unwrap_err().0;
    assert!(errors.contains(&PlanError::UnknownDependency {
        node: "d".into(),
        dependency: "ghost".into()
    }));
    assert!(errors.contains(&PlanError::MissingHandler {
        node: "d".into(),
        handler: "missing".into()
    }));
    let cycle = errors.iter().find_map(|e| match e {
        PlanError::Cycle(nodes) => Some(nodes.clone()),
        _ => None,
    });
    let cycle = cycle.expect("the cycle is reported");
    assert_eq!(cycle.len(), 4, "{cycle:?}");
    assert_eq!(cycle.first(), cycle.last());
    assert!(
        orch.plan(&PlanSpec::default()).is_err(),
        "an empty plan is an error"
    );
    let twice = PlanSpec {
        nodes: vec![
            NodeSpec::new("a", WaveStage::Preparation, "ok"),
            NodeSpec::new("a", WaveStage::Finalization, "ok"),
        ],
    };
    assert_eq!(
        orch.plan(&twice).unwrap_err().0,
        [PlanError::DuplicateNode("a".into())]
    );
}

#[tokio::test(start_paused = true)]
async fn the_streaming_batch_yields_waves_as_they_finish() {
    let mut orch = orchestrator(config());
    orch.register_stage_handler(
        "wait",
        StageHandler::from_async(|input| async move {
            // Later inputs finish first.
            let n = input.input.payload.as_u64().unwrap();
            tokio::time::sleep(ms(100 - n * 10)).await;
            Ok(StageOutput::default())
        }),
    );
    let plan = orch.plan(&one_node("wait")).unwrap();
    let (tx, rx) = mpsc::channel(2);
    let mut stream = orch.stream_waves(&plan, rx, 10);
    let feeder = tokio::spawn(async move {
        for i in inputs(10) {
            tx.send(i).await.unwrap();
        }
    });
    let mut labels = Vec::new();
    while let Some(ctx) = stream.results.recv().await {
        labels.push(ctx.input.label.clone());
    }
    feeder.await.unwrap();
    assert_eq!(labels.len(), 10);
    assert_eq!(
        labels.first().map(String::as_str),
        Some("w9"),
        "completion order, not input order"
    );
    let report = stream.report().await;
    assert_eq!(
        (report.started, report.not_started, report.cancelled),
        (10, 0, false)
    );
}

trait ConfigExt {
    fn tap_cpu(self, workers: usize) -> Self;
    fn tap_retries(self, retries: u32) -> Self;
}

impl ConfigExt for wave_studio::orchestrator::WaveConfig {
    fn tap_cpu(mut self, workers: usize) -> Self {
        self.cpu_workers = workers;
        self
    }
    fn tap_retries(mut self, retries: u32) -> Self {
        self.max_retries_per_stage = retries;
        self
    }
}
