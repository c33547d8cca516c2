//! Each `WaveConfig` field, enforced: every test here fails if its field
//! were ignored. Time is tokio's paused clock, so timings are exact.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap in a test is a failed test"
)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::*;
use wave_studio::orchestrator::{
    AttemptOutcome, NodeSpec, NodeState, PlanSpec, SkipReason, StageError, StageHandler,
    StageOutput, StageValues, WaveEvent, WaveInput, WaveStage, WaveStatus,
};

fn inputs(n: usize) -> Vec<WaveInput> {
    (0..n)
        .map(|i| WaveInput::new(format!("w{i}"), (i as u64).into()))
        .collect()
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[tokio::test(start_paused = true)]
async fn enabled_stages_skips_disabled_nodes_and_runs_their_dependents() {
    let mut cfg = config();
    cfg.enabled_stages.remove(&WaveStage::FeatureExtraction);
    cfg.enabled_stages.remove(&WaveStage::DeepAnalysis);
    let mut orch = orchestrator(cfg);
    let calls = Concurrency::default();
    for kind in WaveStage::ALL {
        orch.register_stage_handler(kind.name(), sleeper(ms(1), calls.clone()));
    }
    let plan = orch.plan(&PlanSpec::default_plan()).unwrap();
    let ctx = orch.execute_wave(&plan, WaveInput::default()).await;
    assert_eq!(ctx.status, WaveStatus::Completed);
    assert_eq!(calls.calls(), 5);
    let skipped: Vec<_> = ctx
        .skipped
        .iter()
        .map(|(n, r)| (n.as_str(), r.clone()))
        .collect();
    assert_eq!(
        skipped,
        [
            ("feature_extraction", SkipReason::Disabled),
            ("deep_analysis", SkipReason::Disabled)
        ]
    );
    let done: Vec<_> = ctx.completed.iter().map(|n| n.as_str()).collect();
    assert_eq!(
        done,
        [
            "preparation",
            "initial_analysis",
            "aggregation",
            "post_processing",
            "finalization"
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn max_parallel_items_per_stage_bounds_each_node() {
    let cfg = config().tap(|c| c.max_parallel_items_per_stage = 3);
    let mut orch = orchestrator(cfg);
    let a = Concurrency::default();
    let b = Concurrency::default();
    orch.register_stage_handler("a", sleeper(ms(10), a.clone()));
    orch.register_stage_handler("b", sleeper(ms(7), b.clone()));
    let spec = PlanSpec {
        nodes: vec![
            NodeSpec::new("a", WaveStage::Preparation, "a"),
            NodeSpec::new("b", WaveStage::InitialAnalysis, "b").after(["a"]),
        ],
    };
    let plan = orch.plan(&spec).unwrap();
    let out = orch.execute_parallel_waves(&plan, inputs(50), 50).await;
    assert_eq!(out.waves.len(), 50);
    assert!(out.waves.iter().all(|w| w.status == WaveStatus::Completed));
    assert_eq!(a.max(), 3, "node a must reach and never pass 3");
    assert_eq!(b.max(), 3, "node b must reach and never pass 3");
    // 50 waves through a 3-wide 10 ms stage take 17 rounds.
    let waited: Duration = out
        .waves
        .iter()
        .map(|w| w.stage_metrics("a").unwrap().slot_wait)
        .sum();
    assert!(waited > ms(1000), "waves queued for slots: {waited:?}");
}

#[tokio::test(start_paused = true)]
async fn per_node_override_changes_the_limit() {
    let mut orch = orchestrator(config());
    let a = Concurrency::default();
    orch.register_stage_handler("a", sleeper(ms(10), a.clone()));
    let mut node = NodeSpec::new("a", WaveStage::Preparation, "a");
    node.overrides.max_parallel = Some(2);
    let plan = orch.plan(&PlanSpec { nodes: vec![node] }).unwrap();
    orch.execute_parallel_waves(&plan, inputs(20), 20).await;
    assert_eq!(a.max(), 2);
}

#[tokio::test(start_paused = true)]
async fn stage_timeout_cancels_a_hung_attempt_and_retries() {
    let cfg = config().tap(|c| c.stage_timeout_seconds = 2.0);
    let mut orch = orchestrator(cfg);
    let first_token = Arc::new(std::sync::Mutex::new(None));
    let keep = first_token.clone();
    let dropped = Arc::new(AtomicUsize::new(0));
    let dropped_in = dropped.clone();
    orch.register_stage_handler(
        "hang_once",
        StageHandler::from_async(move |input| {
            let keep = keep.clone();
            let dropped = dropped_in.clone();
            async move {
                if input.attempt == 1 {
                    *keep.lock().unwrap() = Some(input.cancel.clone());
                    let _guard = scopeguard(move || {
                        dropped.fetch_add(1, Ordering::SeqCst);
                    });
                    // Hangs until the deadline drops it.
                    tokio::time::sleep(Duration::from_secs(3600)).await;
                }
                Ok(StageOutput::default())
            }
        }),
    );
    let plan = orch
        .plan(&PlanSpec {
            nodes: vec![NodeSpec::new("n", WaveStage::DeepAnalysis, "hang_once")],
        })
        .unwrap();
    let ctx = orch.execute_wave(&plan, WaveInput::default()).await;
    assert_eq!(ctx.status, WaveStatus::Completed);
    let m = ctx.stage_metrics("n").unwrap();
    assert_eq!(m.attempts.len(), 2);
    assert_eq!(m.attempts[0].outcome, AttemptOutcome::Timeout);
    assert_eq!(m.attempts[0].duration, Duration::from_secs(2));
    assert_eq!(m.attempts[1].outcome, AttemptOutcome::Success);
    assert_eq!(orch.statistics().stage("n").unwrap().timeouts, 1);
    assert_eq!(
        dropped.load(Ordering::SeqCst),
        1,
        "the hung attempt was dropped"
    );
    let token = first_token.lock().unwrap().clone().unwrap();
    assert!(
        token.is_cancelled(),
        "the hung attempt's token was cancelled"
    );
}

#[tokio::test(start_paused = true)]
async fn stage_timeout_starts_when_the_attempt_runs_not_while_it_queues() {
    let cfg = config().tap(|c| {
        c.stage_timeout_seconds = 2.0;
        c.max_parallel_items_per_stage = 1;
    });
    let mut orch = orchestrator(cfg);
    let c = Concurrency::default();
    orch.register_stage_handler("slow", sleeper(ms(1500), c.clone()));
    let plan = orch
        .plan(&PlanSpec {
            nodes: vec![NodeSpec::new("n", WaveStage::Preparation, "slow")],
        })
        .unwrap();
    let out = orch.execute_parallel_waves(&plan, inputs(3), 3).await;
    // The third wave queued 3 s, longer than the timeout, and still ran to the end.
    for w in &out.waves {
        let m = w.stage_metrics("n").unwrap();
        assert_eq!(m.attempts.len(), 1, "{:?}", m.attempts);
        assert_eq!(m.attempts[0].outcome, AttemptOutcome::Success);
    }
    assert_eq!(out.waves[2].stage_metrics("n").unwrap().slot_wait, ms(3000));
}

fn always_fail(kind: fn(&str) -> StageError) -> StageHandler {
    StageHandler::from_async(move |_| async move { Err(kind("nope")) })
}

#[tokio::test(start_paused = true)]
async fn max_retries_per_stage_retries_on_the_exact_backoff_schedule() {
    let cfg = config().tap(|c| {
        c.max_retries_per_stage = 4;
        c.retry_backoff_base_ms = 100;
        c.retry_backoff_max_ms = 500;
    });
    let mut orch = orchestrator(cfg);
    orch.register_stage_handler("fail", always_fail(|m| StageError::transient(m)));
    let plan = orch
        .plan(&PlanSpec {
            nodes: vec![NodeSpec::new("n", WaveStage::Preparation, "fail")],
        })
        .unwrap();
    let mut events = orch.subscribe();
    let ctx = orch.execute_wave(&plan, WaveInput::default()).await;
    assert_eq!(ctx.status, WaveStatus::Failed, "nothing completed");
    let m = ctx.stage_metrics("n").unwrap();
    assert_eq!(m.attempts.len(), 5, "attempts = retries + 1");
    let starts: Vec<u128> = m
        .attempts
        .iter()
        .map(|a| a.started_after.as_millis())
        .collect();
    // Delays 100, 200, 400, then capped at 500.
    assert_eq!(starts, [0, 100, 300, 700, 1200]);
    let delays: Vec<Duration> = drain(&mut events)
        .into_iter()
        .filter_map(|e| match e {
            WaveEvent::StageRetrying { delay, .. } => Some(delay),
            _ => None,
        })
        .collect();
    assert_eq!(delays, [ms(100), ms(200), ms(400), ms(500)]);
    let s = orch.statistics();
    assert_eq!(s.stage("n").unwrap().retries, 4);
    assert_eq!(s.stage("n").unwrap().failures, 5);
}

#[tokio::test(start_paused = true)]
async fn retry_jitter_shortens_delays_within_its_fraction() {
    let cfg = config().tap(|c| {
        c.max_retries_per_stage = 3;
        c.retry_jitter = 0.5;
    });
    let mut orch = orchestrator(cfg);
    orch.register_stage_handler("fail", always_fail(|m| StageError::transient(m)));
    let plan = orch
        .plan(&PlanSpec {
            nodes: vec![NodeSpec::new("n", WaveStage::Preparation, "fail")],
        })
        .unwrap();
    let ctx = orch.execute_wave(&plan, WaveInput::default()).await;
    let starts: Vec<Duration> = ctx
        .stage_metrics("n")
        .unwrap()
        .attempts
        .iter()
        .map(|a| a.started_after)
        .collect();
    let gaps: Vec<Duration> = starts.windows(2).map(|w| w[1] - w[0]).collect();
    for (gap, full) in gaps.iter().zip([100, 200, 400]) {
        assert!(
            *gap <= ms(full) && *gap >= ms(full / 2),
            "gap {gap:?} for {full} ms"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn permanent_errors_are_not_retried() {
    let cfg = config().tap(|c| c.max_retries_per_stage = 5);
    let mut orch = orchestrator(cfg);
    orch.register_stage_handler("fail", always_fail(|m| StageError::permanent(m)));
    let plan = orch
        .plan(&PlanSpec {
            nodes: vec![NodeSpec::new("n", WaveStage::Preparation, "fail")],
        })
        .unwrap();
    let ctx = orch.execute_wave(&plan, WaveInput::default()).await;
    let m = ctx.stage_metrics("n").unwrap();
    assert_eq!(m.attempts.len(), 1);
    assert_eq!(m.attempts[0].outcome, AttemptOutcome::PermanentError);
    assert_eq!(m.state, NodeState::Failed);
}

#[tokio::test(start_paused = true)]
async fn inter_stage_delay_separates_stages_without_holding_a_slot() {
    let cfg = config().tap(|c| {
        c.inter_stage_delay_ms = 250;
        c.max_parallel_items_per_stage = 1;
    });
    let mut orch = orchestrator(cfg);
    orch.register_stage_handler("work", sleeper(ms(100), Concurrency::default()));
    let spec = PlanSpec {
        nodes: vec![
            NodeSpec::new("a", WaveStage::Preparation, "work"),
            NodeSpec::new("b", WaveStage::InitialAnalysis, "work").after(["a"]),
        ],
    };
    let plan = orch.plan(&spec).unwrap();
    let out = orch.execute_parallel_waves(&plan, inputs(2), 2).await;
    let w1 = &out.waves[0];
    let a_end = {
        let a = &w1.stage_metrics("a").unwrap().attempts[0];
        a.started_after + a.duration
    };
    let b_start = w1.stage_metrics("b").unwrap().attempts[0].started_after;
    assert_eq!(b_start - a_end, ms(250), "the gap is the delay");
    // Wave 2 took node a's only slot while wave 1 waited out its delay.
    let w2_a = &out.waves[1].stage_metrics("a").unwrap().attempts[0];
    assert_eq!(w2_a.started_after, ms(100));
}

#[tokio::test(start_paused = true)]
async fn memory_threshold_holds_admissions_but_lets_an_idle_stage_run_one() {
    let cfg = config().tap(|c| {
        c.memory_threshold_mb = 1000.0;
        c.max_parallel_items_per_stage = 5;
    });
    let probe = FixedProbe::new(0.0, 2000.0);
    let mut orch = orchestrator_with(cfg, probe.clone());
    let c = Concurrency::default();
    orch.register_stage_handler("work", sleeper(ms(100), c.clone()));
    let plan = orch
        .plan(&PlanSpec {
            nodes: vec![NodeSpec::new("n", WaveStage::Preparation, "work")],
        })
        .unwrap();
    let out = orch.execute_parallel_waves(&plan, inputs(5), 5).await;
    assert_eq!(
        c.max(),
        1,
        "over the threshold only an idle stage admits, one at a time"
    );
    assert!(
        out.waves.iter().all(|w| w.status == WaveStatus::Completed),
        "progress is guaranteed"
    );
    let held: Duration = out
        .waves
        .iter()
        .map(|w| w.stage_metrics("n").unwrap().memory_wait)
        .sum();
    assert_eq!(held, ms(100 + 200 + 300 + 400));
    assert_eq!(orch.statistics().memory_held, held);

    // Under the threshold the same batch runs 5 wide.
    probe.set(0.0, 10.0);
    let c2 = Concurrency::default();
    let mut orch = orchestrator_with(config().tap(|c| c.max_parallel_items_per_stage = 5), probe);
    orch.register_stage_handler("work", sleeper(ms(100), c2.clone()));
    let plan = orch
        .plan(&PlanSpec {
            nodes: vec![NodeSpec::new("n", WaveStage::Preparation, "work")],
        })
        .unwrap();
    orch.execute_parallel_waves(&plan, inputs(5), 5).await;
    assert_eq!(c2.max(), 5);
}

#[tokio::test(start_paused = true)]
async fn memory_falling_below_the_threshold_releases_held_waves() {
    let cfg = config().tap(|c| c.max_parallel_items_per_stage = 4);
    let probe = FixedProbe::new(0.0, 5000.0);
    let mut orch = orchestrator_with(cfg, probe.clone());
    let c = Concurrency::default();
    orch.register_stage_handler("work", sleeper(ms(1000), c.clone()));
    let plan = orch
        .plan(&PlanSpec {
            nodes: vec![NodeSpec::new("n", WaveStage::Preparation, "work")],
        })
        .unwrap();
    let setter = tokio::spawn(async move {
        tokio::time::sleep(ms(150)).await;
        probe.set(0.0, 10.0);
    });
    let out = orch.execute_parallel_waves(&plan, inputs(4), 4).await;
    setter.await.unwrap();
    assert_eq!(c.max(), 4);
    // Sampled every 100 ms: the drop at 150 ms is seen at 200 ms.
    let starts: Vec<Duration> = out
        .waves
        .iter()
        .map(|w| w.stage_metrics("n").unwrap().attempts[0].started_after)
        .collect();
    assert_eq!(starts, [ms(0), ms(200), ms(200), ms(200)]);
}

#[tokio::test(start_paused = true)]
async fn adaptive_scaling_halves_under_cpu_load_and_grows_back() {
    let cfg = config().tap(|c| {
        c.adaptive_scaling = true;
        c.cpu_threshold_percent = 80.0;
        c.max_parallel_items_per_stage = 8;
    });
    let probe = FixedProbe::new(95.0, 10.0);
    let mut orch = orchestrator_with(cfg, probe.clone());
    let c = Concurrency::default();
    orch.register_stage_handler("work", sleeper(ms(1000), c.clone()));
    let plan = orch
        .plan(&PlanSpec {
            nodes: vec![NodeSpec::new("n", WaveStage::Preparation, "work")],
        })
        .unwrap();
    let mut events = orch.subscribe();
    let counter = c.clone();
    let setter = tokio::spawn(async move {
        tokio::time::sleep(ms(2550)).await;
        let max_while_loaded = counter.max();
        probe.set(10.0, 10.0);
        max_while_loaded
    });
    let out = orch.execute_parallel_waves(&plan, inputs(16), 16).await;
    let max_while_loaded = setter.await.unwrap();
    assert!(out.waves.iter().all(|w| w.status == WaveStatus::Completed));
    assert_eq!(
        max_while_loaded, 4,
        "the first sample (95% CPU) halved 8 to 4 before any admission"
    );
    assert_eq!(c.max(), 8, "back to the maximum once the CPU is idle");
    let changes: Vec<(usize, usize)> = drain(&mut events)
        .into_iter()
        .filter_map(|e| match e {
            WaveEvent::ConcurrencyChanged { from, to, .. } => Some((from, to)),
            _ => None,
        })
        .collect();
    // 95% at 0, 100, 200 ms: 8→4→2→1, then stays 1; 10% from 2600 ms: +1 a tick up to 8.
    assert_eq!(changes[..3], [(8, 4), (4, 2), (2, 1)]);
    assert_eq!(
        changes[3..10],
        [(1, 2), (2, 3), (3, 4), (4, 5), (5, 6), (6, 7), (7, 8)]
    );
}

#[tokio::test(start_paused = true)]
async fn without_adaptive_scaling_concurrency_stays_fixed() {
    let cfg = config().tap(|c| {
        c.adaptive_scaling = false;
        c.max_parallel_items_per_stage = 8;
    });
    let mut orch = orchestrator_with(cfg, FixedProbe::new(99.0, 10.0));
    let c = Concurrency::default();
    orch.register_stage_handler("work", sleeper(ms(1000), c.clone()));
    let plan = orch
        .plan(&PlanSpec {
            nodes: vec![NodeSpec::new("n", WaveStage::Preparation, "work")],
        })
        .unwrap();
    let mut events = orch.subscribe();
    orch.execute_parallel_waves(&plan, inputs(16), 16).await;
    assert_eq!(c.max(), 8);
    assert!(
        !drain(&mut events)
            .iter()
            .any(|e| matches!(e, WaveEvent::ConcurrencyChanged { .. }))
    );
}

fn fail_odd_inputs() -> StageHandler {
    StageHandler::from_async(|input| async move {
        if input.input.payload.as_u64().unwrap_or(0) % 2 == 1 {
            Err(StageError::permanent("odd input"))
        } else {
            Ok(StageOutput::default())
        }
    })
}

#[tokio::test(start_paused = true)]
async fn min_success_rate_stops_admitting_waves_and_names_the_stage() {
    let cfg = config().tap(|c| {
        c.min_success_rate_per_stage = 0.8;
        c.min_samples_for_success_rate = 10;
    });
    let mut orch = orchestrator(cfg);
    orch.register_stage_handler("ok", ok(None));
    orch.register_stage_handler("flaky", fail_odd_inputs());
    let spec = PlanSpec {
        nodes: vec![
            NodeSpec::new("prep", WaveStage::Preparation, "ok"),
            NodeSpec::new("decode", WaveStage::InitialAnalysis, "flaky").after(["prep"]),
        ],
    };
    let plan = orch.plan(&spec).unwrap();
    let mut events = orch.subscribe();
    let out = orch.execute_parallel_waves(&plan, inputs(100), 4).await;
    let abort = out.report.aborted.clone().expect("the gate trips");
    assert_eq!(abort.node.as_str(), "decode");
    assert!(
        abort.success_rate < 0.8 && abort.finished >= 10,
        "{abort:?}"
    );
    assert!(out.report.started < 30, "started {}", out.report.started);
    assert_eq!(out.report.started + out.report.not_started, 100);
    assert_eq!(
        out.waves.len(),
        out.report.started,
        "running waves finished"
    );
    assert!(abort.to_string().contains("decode"));
    assert!(
        drain(&mut events)
            .iter()
            .any(|e| matches!(e, WaveEvent::BatchAborted { .. }))
    );

    let mut orch = orchestrator(config().tap(|c| c.min_success_rate_per_stage = 0.0));
    orch.register_stage_handler("ok", ok(None));
    orch.register_stage_handler("flaky", fail_odd_inputs());
    let plan = orch.plan(&spec).unwrap();
    let out = orch.execute_parallel_waves(&plan, inputs(100), 4).await;
    assert_eq!(out.report.aborted, None, "0.0 never trips");
    assert_eq!(out.waves.len(), 100);
}

fn branching_plan() -> PlanSpec {
    // a → b (fails) → c, and a → d, an independent branch.
    PlanSpec {
        nodes: vec![
            NodeSpec::new("a", WaveStage::Preparation, "ok"),
            NodeSpec::new("b", WaveStage::InitialAnalysis, "fail").after(["a"]),
            NodeSpec::new("c", WaveStage::Aggregation, "ok").after(["b"]),
            NodeSpec::new("d", WaveStage::FeatureExtraction, "slow").after(["a"]),
        ],
    }
}

#[tokio::test(start_paused = true)]
async fn allow_partial_results_on_skips_dependents_and_finishes_the_rest() {
    let mut orch = orchestrator(config().tap(|c| c.allow_partial_results = true));
    orch.register_stage_handler("ok", ok(None));
    orch.register_stage_handler("fail", always_fail(|m| StageError::permanent(m)));
    orch.register_stage_handler("slow", sleeper(ms(1000), Concurrency::default()));
    let plan = orch.plan(&branching_plan()).unwrap();
    let ctx = orch.execute_wave(&plan, WaveInput::default()).await;
    assert_eq!(ctx.status, WaveStatus::PartiallyCompleted);
    assert_eq!(
        ctx.failed.iter().map(|n| n.as_str()).collect::<Vec<_>>(),
        ["b"]
    );
    assert_eq!(
        ctx.stage_metrics("c").unwrap().state,
        NodeState::Skipped(SkipReason::DependencyFailed { node: "b".into() })
    );
    assert_eq!(ctx.stage_metrics("d").unwrap().state, NodeState::Completed);
    assert!(ctx.result("d").is_some());
}

#[tokio::test(start_paused = true)]
async fn allow_partial_results_off_fails_the_wave_at_once() {
    let mut orch = orchestrator(config().tap(|c| c.allow_partial_results = false));
    orch.register_stage_handler("ok", ok(None));
    orch.register_stage_handler(
        "fail",
        StageHandler::from_async(|_| async {
            tokio::time::sleep(ms(10)).await;
            Err(StageError::permanent("broken"))
        }),
    );
    orch.register_stage_handler("slow", sleeper(ms(1000), Concurrency::default()));
    let plan = orch.plan(&branching_plan()).unwrap();
    let ctx = orch.execute_wave(&plan, WaveInput::default()).await;
    assert_eq!(ctx.status, WaveStatus::Failed);
    assert_eq!(
        ctx.duration,
        ms(10),
        "the slow branch was cancelled, not awaited"
    );
    assert_eq!(ctx.stage_metrics("d").unwrap().state, NodeState::Cancelled);
    assert_eq!(
        ctx.stage_metrics("c").unwrap().state,
        NodeState::Skipped(SkipReason::WaveFailed)
    );
    assert_eq!(ctx.errors[0].message, "broken");
}

/// Records which earlier results each call saw, and publishes an estimate.
/// (node, ids of the results it saw), per call.
type Seen = Arc<std::sync::Mutex<Vec<(String, Vec<String>)>>>;

fn observer(seen: Seen) -> StageHandler {
    StageHandler::from_async(move |input| {
        let seen = seen.clone();
        async move {
            let visible = input.prior.iter().map(|(id, ..)| id.to_string()).collect();
            seen.lock().unwrap().push((input.node.to_string(), visible));
            let mut estimate = StageValues::new();
            estimate.insert("estimate".into(), 1.into());
            input.progress.publish(estimate);
            Ok(StageOutput::default())
        }
    })
}

#[tokio::test(start_paused = true)]
async fn progressive_mode_shows_all_earlier_results_and_publishes_estimates() {
    for progressive in [true, false] {
        let mut orch = orchestrator(config().tap(|c| c.progressive_mode = progressive));
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        orch.register_stage_handler("obs", observer(seen.clone()));
        let spec = PlanSpec {
            nodes: vec![
                NodeSpec::new("a", WaveStage::Preparation, "obs"),
                NodeSpec::new("b", WaveStage::InitialAnalysis, "obs").after(["a"]),
                NodeSpec::new("c", WaveStage::DeepAnalysis, "obs").after(["b"]),
            ],
        };
        let plan = orch.plan(&spec).unwrap();
        let mut events = orch.subscribe();
        orch.execute_wave(&plan, WaveInput::default()).await;
        let seen = seen.lock().unwrap().clone();
        let c_saw = &seen.iter().find(|(n, _)| n == "c").unwrap().1;
        let published = drain(&mut events)
            .iter()
            .filter(|e| matches!(e, WaveEvent::IntermediateResult { .. }))
            .count();
        if progressive {
            assert_eq!(c_saw, &["a", "b"]);
            assert_eq!(published, 3);
        } else {
            assert_eq!(c_saw, &["b"], "only direct dependencies");
            assert_eq!(published, 0);
        }
    }
}

fn quality_plan() -> PlanSpec {
    PlanSpec {
        nodes: vec![
            NodeSpec::new("quick", WaveStage::InitialAnalysis, "quick"),
            NodeSpec::new("refine", WaveStage::DeepAnalysis, "ok")
                .after(["quick"])
                .refinement(true),
            NodeSpec::new("agg", WaveStage::Aggregation, "ok").after(["refine"]),
            NodeSpec::new("final", WaveStage::Finalization, "ok").after(["agg"]),
        ],
    }
}

async fn run_quality(
    early: bool,
    threshold: f64,
    quality: f64,
) -> wave_studio::orchestrator::WaveContext {
    let mut orch = orchestrator(config().tap(|c| {
        c.early_termination_on_quality = early;
        c.quality_threshold = threshold;
    }));
    orch.register_stage_handler("quick", ok(Some(quality)));
    orch.register_stage_handler("ok", ok(None));
    let plan = orch.plan(&quality_plan()).unwrap();
    orch.execute_wave(&plan, WaveInput::default()).await
}

#[tokio::test(start_paused = true)]
async fn early_termination_skips_refinements_once_quality_is_reached() {
    let ctx = run_quality(true, 0.95, 0.97).await;
    assert_eq!(ctx.status, WaveStatus::Completed);
    assert_eq!(
        ctx.stage_metrics("refine").unwrap().state,
        NodeState::Skipped(SkipReason::Quality {
            node: "quick".into(),
            quality: 0.97
        })
    );
    assert!(
        ctx.result("agg").is_some() && ctx.result("final").is_some(),
        "non-refinement nodes still run"
    );

    // At the threshold exactly counts as reached.
    let ctx = run_quality(true, 0.95, 0.95).await;
    assert!(matches!(
        ctx.stage_metrics("refine").unwrap().state,
        NodeState::Skipped(_)
    ));

    let ctx = run_quality(true, 0.95, 0.90).await;
    assert!(
        ctx.skipped.is_empty(),
        "below the threshold nothing is skipped"
    );

    let ctx = run_quality(false, 0.95, 0.99).await;
    assert!(ctx.skipped.is_empty(), "off: nothing is skipped");
}

/// A refinement gated by the quality of what it refines: a confident
/// node beside the chain (a plugin, say) does not skip it; a confident
/// estimate upstream does, through nodes that report no quality; and of
/// two estimates it refines, the weaker decides.
#[tokio::test(start_paused = true)]
async fn a_refinement_is_gated_by_the_quality_of_what_it_refines() {
    let run = |nodes: Vec<NodeSpec>, qualities: Vec<(&'static str, Option<f64>)>| async move {
        let mut orch = orchestrator(config().tap(|c| {
            c.early_termination_on_quality = true;
            c.quality_threshold = 0.9;
        }));
        for (name, q) in qualities {
            orch.register_stage_handler(name, ok(q));
        }
        let plan = orch.plan(&PlanSpec { nodes }).unwrap();
        orch.execute_wave(&plan, WaveInput::default()).await
    };
    let state = |ctx: &wave_studio::orchestrator::WaveContext| {
        ctx.stage_metrics("refine").unwrap().state.clone()
    };
    // Beside the chain: `side` is confident, the quick estimate is not.
    let beside = vec![
        NodeSpec::new("quick", WaveStage::InitialAnalysis, "low"),
        NodeSpec::new("side", WaveStage::InitialAnalysis, "high"),
        NodeSpec::new("refine", WaveStage::DeepAnalysis, "none")
            .after(["quick"])
            .refinement(true),
        NodeSpec::new("agg", WaveStage::Aggregation, "none").after(["refine", "side"]),
    ];
    let q = vec![("low", Some(0.3)), ("high", Some(0.96)), ("none", None)];
    let ctx = run(beside, q.clone()).await;
    assert_eq!(state(&ctx), NodeState::Completed, "{:?}", ctx.skipped);
    // What the gate read is the quick estimate's quality, which is what
    // the app's quality chart plots; the wave's lowest is that too here.
    assert_eq!(ctx.gate_quality, Some(0.3));

    // Upstream through a node that reports nothing: the seed's chain.
    let chain = vec![
        NodeSpec::new("quick", WaveStage::InitialAnalysis, "high"),
        NodeSpec::new("mid", WaveStage::FeatureExtraction, "none").after(["quick"]),
        NodeSpec::new("refine", WaveStage::DeepAnalysis, "none")
            .after(["mid"])
            .refinement(true),
    ];
    let ctx = run(chain, q.clone()).await;
    assert_eq!(
        state(&ctx),
        NodeState::Skipped(SkipReason::Quality {
            node: "quick".into(),
            quality: 0.96
        })
    );
    assert_eq!(ctx.gate_quality, Some(0.96));

    // Two estimates refined: the weaker one keeps the refinement running.
    let two = vec![
        NodeSpec::new("a", WaveStage::InitialAnalysis, "high"),
        NodeSpec::new("b", WaveStage::InitialAnalysis, "low"),
        NodeSpec::new("refine", WaveStage::DeepAnalysis, "none")
            .after(["a", "b"])
            .refinement(true),
    ];
    let ctx = run(two, q).await;
    assert_eq!(state(&ctx), NodeState::Completed);
    assert_eq!(ctx.gate_quality, Some(0.3));
}

trait Tap: Sized {
    fn tap(self, f: impl FnOnce(&mut Self)) -> Self;
}

impl<T> Tap for T {
    fn tap(mut self, f: impl FnOnce(&mut Self)) -> Self {
        f(&mut self);
        self
    }
}

/// Runs `f` when dropped.
fn scopeguard(f: impl FnOnce()) -> impl Drop {
    struct Guard<F: FnOnce()>(Option<F>);
    impl<F: FnOnce()> Drop for Guard<F> {
        fn drop(&mut self) {
            if let Some(f) = self.0.take() {
                f();
            }
        }
    }
    Guard(Some(f))
}
