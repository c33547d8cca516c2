//! 10,000 waves over random plans with random errors, panics, timeouts,
//! hangs and cancellations: every count the orchestrator keeps must agree
//! with every other and with the events it sent.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap in a test is a failed test"
)]

mod common;

use std::collections::HashMap;
use std::time::Duration;

use common::*;
use tokio::sync::mpsc;
use wave_studio::orchestrator::{
    NodeSpec, NodeState, PlanSpec, StageError, StageHandler, StageOutput, WaveConfig, WaveContext,
    WaveEvent, WaveInput, WaveStage, WaveStatus,
};

const TOTAL_WAVES: u64 = 10_000;
const WAVES_PER_BATCH: u64 = 500;

/// Deterministic behaviour per (wave, node, attempt).
fn chaos() -> StageHandler {
    StageHandler::from_async(|input| async move {
        let seed = input.input.payload.as_u64().unwrap_or(0);
        let node_hash = input
            .node
            .bytes()
            .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
        let mut rng = fastrand::Rng::with_seed(
            seed ^ node_hash.rotate_left(17) ^ u64::from(input.attempt) << 40,
        );
        match rng.u32(0..100) {
            0..=54 => Ok(StageOutput::default().with_quality(rng.f64())),
            55..=64 => Err(StageError::transient("chaos: transient")),
            65..=69 => Err(StageError::permanent("chaos: permanent")),
            70..=74 => panic!("chaos: panic"),
            75..=89 => {
                tokio::time::sleep(Duration::from_millis(rng.u64(0..500))).await;
                Ok(StageOutput::default().with_quality(rng.f64()))
            }
            90..=94 => {
                std::future::pending::<()>().await;
                unreachable!()
            }
            // An answer from a store: counted as cached, not timed.
            95..=97 => Ok(StageOutput::default().from_cache()),
            _ => Ok(StageOutput::default()),
        }
    })
}

fn random_plan(rng: &mut fastrand::Rng) -> PlanSpec {
    let n = rng.usize(1..=9);
    let nodes = (0..n)
        .map(|i| {
            let kind = WaveStage::ALL[rng.usize(0..7)];
            let deps: Vec<String> = (0..i)
                .filter(|_| rng.f64() < 0.35)
                .map(|j| format!("n{j}"))
                .collect();
            let mut node = NodeSpec::new(format!("n{i}"), kind, "chaos")
                .after(deps)
                .refinement(rng.bool());
            if rng.f64() < 0.2 {
                node.overrides.max_parallel = Some(rng.usize(1..5));
            }
            node
        })
        .collect();
    PlanSpec { nodes }
}

fn random_config(rng: &mut fastrand::Rng) -> WaveConfig {
    let mut c = config();
    c.max_parallel_items_per_stage = rng.usize(1..30);
    c.stage_timeout_seconds = rng.f64() * 4.0 + 1.0;
    c.max_retries_per_stage = rng.u32(0..4);
    c.inter_stage_delay_ms = rng.u64(0..50);
    c.allow_partial_results = rng.f64() < 0.7;
    c.progressive_mode = rng.bool();
    c.early_termination_on_quality = rng.bool();
    c.quality_threshold = rng.f64();
    c.retry_jitter = rng.f64() * 0.5;
    // Some batches get a success-rate gate that the chaos will trip.
    c.min_success_rate_per_stage = if rng.f64() < 0.2 { 0.6 } else { 0.0 };
    if rng.f64() < 0.2 {
        c.enabled_stages.remove(&WaveStage::ALL[rng.usize(0..7)]);
    }
    c
}

#[derive(Default)]
struct Seen {
    wave_started: HashMap<u64, usize>,
    wave_finished: HashMap<u64, WaveStatus>,
    finished_twice: usize,
    stage_started: HashMap<String, u64>,
    stage_finished: HashMap<String, u64>,
    cached: HashMap<String, u64>,
    skipped: HashMap<String, u64>,
    retrying: HashMap<String, u64>,
    batch_finished: usize,
}

fn tally(events: Vec<WaveEvent>) -> Seen {
    let mut s = Seen::default();
    for e in events {
        match e {
            WaveEvent::WaveStarted { wave, .. } => *s.wave_started.entry(wave.0).or_default() += 1,
            WaveEvent::WaveFinished { wave, status, .. } => {
                s.finished_twice += usize::from(s.wave_finished.insert(wave.0, status).is_some());
            }
            WaveEvent::StageStarted { node, .. } => {
                *s.stage_started.entry(node.to_string()).or_default() += 1
            }
            WaveEvent::StageFinished { node, cached, .. } => {
                *s.stage_finished.entry(node.to_string()).or_default() += 1;
                *s.cached.entry(node.to_string()).or_default() += u64::from(cached);
            }
            WaveEvent::StageSkipped { node, .. } => {
                *s.skipped.entry(node.to_string()).or_default() += 1
            }
            WaveEvent::StageRetrying { node, .. } => {
                *s.retrying.entry(node.to_string()).or_default() += 1
            }
            WaveEvent::BatchFinished { .. } => s.batch_finished += 1,
            _ => {}
        }
    }
    s
}

fn check_wave(ctx: &WaveContext, nodes: usize, allow_partial: bool) {
    assert_eq!(ctx.metrics.len(), nodes, "one metrics entry per node");
    let cancelled = ctx
        .metrics
        .iter()
        .filter(|m| m.state == NodeState::Cancelled)
        .count();
    assert_eq!(
        ctx.completed.len() + ctx.failed.len() + ctx.skipped.len() + cancelled,
        nodes,
        "{ctx:?}"
    );
    assert_eq!(ctx.results.len(), ctx.completed.len());
    for m in &ctx.metrics {
        match &m.state {
            NodeState::Skipped(_) => assert!(m.attempts.is_empty()),
            NodeState::Completed => assert_eq!(
                m.attempts.last().unwrap().outcome,
                wave_studio::orchestrator::AttemptOutcome::Success
            ),
            NodeState::Failed => assert!(!m.attempts.is_empty()),
            NodeState::Cancelled => {}
        }
    }
    match ctx.status {
        WaveStatus::Completed => assert!(ctx.failed.is_empty() && cancelled == 0),
        WaveStatus::PartiallyCompleted => assert!(allow_partial && !ctx.failed.is_empty()),
        WaveStatus::Failed => {
            assert!(!ctx.failed.is_empty());
            assert!(
                !allow_partial || ctx.completed.is_empty(),
                "partial results keep what completed"
            );
        }
        WaveStatus::Cancelled => {}
        other => panic!("wave ended {other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn ten_thousand_random_waves_keep_every_count_consistent() {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let quiet = info
            .payload()
            .downcast_ref::<&str>()
            .is_some_and(|m| m.starts_with("chaos"));
        if !quiet {
            default_hook(info);
        }
    }));

    let mut rng = fastrand::Rng::with_seed(0x5eed);
    let mut totals = [0u64; 4];
    let mut all_waves = 0u64;
    let (mut aborted, mut batch) = (0, 0u64);
    let mut cached = 0u64;
    while all_waves < TOTAL_WAVES {
        batch += 1;
        let cfg = random_config(&mut rng);
        let allow_partial = cfg.allow_partial_results;
        let mut orch = orchestrator(cfg);
        orch.register_stage_handler("chaos", chaos());
        let spec = random_plan(&mut rng);
        let plan = orch.plan(&spec).unwrap();
        let mut events = orch.subscribe();

        let (tx, rx) = mpsc::channel(64);
        let mut stream = orch.stream_waves(&plan, rx, rng.usize(1..200));
        let base = batch * 1_000_000;
        let feeder = tokio::spawn(async move {
            for i in 0..WAVES_PER_BATCH {
                if tx
                    .send(WaveInput::new(format!("b{batch}w{i}"), (base + i).into()))
                    .await
                    .is_err()
                {
                    break;
                }
            }
        });
        // Cancel a few waves as they start, and two whole batches mid-way.
        let mut cancel_events = orch.subscribe();
        let canceller = orch.clone();
        let cancel_seed = rng.u64(..);
        let cancel_waves = tokio::spawn(async move {
            let mut rng = fastrand::Rng::with_seed(cancel_seed);
            while let Some(e) = cancel_events.recv().await {
                match e {
                    WaveEvent::WaveStarted { wave, .. } if rng.f64() < 0.03 => {
                        let orch = canceller.clone();
                        let delay = Duration::from_millis(rng.u64(0..300));
                        tokio::spawn(async move {
                            tokio::time::sleep(delay).await;
                            orch.cancel(wave);
                        });
                    }
                    WaveEvent::BatchFinished { .. } => break,
                    _ => {}
                }
            }
        });
        let batch_token = stream.cancel_token();
        let cancel_batch = (batch % 10 == 3).then(|| {
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_secs(3)).await;
                batch_token.cancel();
            })
        });

        let mut contexts = Vec::new();
        while let Some(ctx) = stream.results.recv().await {
            contexts.push(ctx);
        }
        let report = stream.report().await;
        feeder.await.unwrap();
        cancel_waves.await.unwrap();
        if let Some(c) = cancel_batch {
            c.abort();
        }
        orch.shutdown().await;
        assert_eq!(
            orch.live_tasks(),
            0,
            "batch {batch}: no task outlives the orchestrator"
        );

        // The report, the contexts and the events agree.
        assert_eq!(report.started, contexts.len(), "batch {batch}");
        assert!(report.started + report.not_started <= WAVES_PER_BATCH as usize);
        if report.aborted.is_none() && !report.cancelled {
            assert_eq!(report.started, WAVES_PER_BATCH as usize, "batch {batch}");
        }
        for ctx in &contexts {
            check_wave(ctx, spec.nodes.len(), allow_partial);
        }
        let seen = tally(drain(&mut events));
        assert_eq!(seen.finished_twice, 0, "one finish event per wave");
        assert_eq!(seen.batch_finished, 1);
        assert_eq!(seen.wave_started.len(), report.started);
        assert!(seen.wave_started.values().all(|&n| n == 1));
        assert_eq!(
            seen.wave_finished.len(),
            report.started,
            "every started wave finished"
        );
        for ctx in &contexts {
            assert_eq!(seen.wave_finished.get(&ctx.id.0), Some(&ctx.status));
        }

        // Statistics agree with the contexts and the events.
        let stats = orch.statistics();
        let count = |s: WaveStatus| contexts.iter().filter(|c| c.status == s).count() as u64;
        let by_status = [
            count(WaveStatus::Completed),
            count(WaveStatus::PartiallyCompleted),
            count(WaveStatus::Failed),
            count(WaveStatus::Cancelled),
        ];
        assert_eq!(stats.total_waves, report.started as u64);
        assert_eq!(
            [
                stats.successful_waves,
                stats.partial_waves,
                stats.failed_waves,
                stats.cancelled_waves
            ],
            by_status
        );
        assert_eq!(by_status.iter().sum::<u64>(), stats.total_waves);
        assert_eq!(stats.active_waves, 0);
        for s in &stats.stages {
            let node = s.node.to_string();
            assert_eq!(
                s.attempts,
                s.successes + s.failures + s.cancelled_attempts,
                "{node}"
            );
            assert_eq!(
                s.attempts,
                seen.stage_started.get(&node).copied().unwrap_or(0),
                "{node}"
            );
            assert_eq!(
                s.attempts,
                seen.stage_finished.get(&node).copied().unwrap_or(0),
                "{node}"
            );
            assert_eq!(
                s.items_skipped,
                seen.skipped.get(&node).copied().unwrap_or(0),
                "{node}"
            );
            assert!(
                s.retries <= seen.retrying.get(&node).copied().unwrap_or(0),
                "{node}"
            );
            assert_eq!(
                s.items_completed + s.items_failed + s.items_skipped + s.items_cancelled,
                stats.total_waves,
                "{node}: every wave accounts for every node"
            );
            assert_eq!(
                s.items_cached,
                seen.cached.get(&node).copied().unwrap_or(0),
                "{node}"
            );
            assert!(s.items_cached <= s.items_completed, "{node}");
            assert_eq!(
                s.duration.len() + s.items_cached,
                s.attempts,
                "{node}: cached attempts stay out of the histogram"
            );
            cached += s.items_cached;
        }
        for (i, n) in by_status.iter().enumerate() {
            totals[i] += n;
        }
        all_waves += stats.total_waves;
        aborted += usize::from(report.aborted.is_some());
    }
    // The chaos reached every outcome.
    assert!(totals.iter().all(|&n| n > 0), "{totals:?}");
    assert!(aborted > 0, "some batch tripped the success-rate gate");
    assert!(cached > 0, "some outputs came from a store");
    assert!(batch > 3, "a batch was cancelled mid-way");
}
