//! Caller keys come back in every event and context of their wave, and the
//! engine's statistics arrive as events.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap in a test is a failed test"
)]

mod common;

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use common::*;
use wave_studio::orchestrator::{
    NodeSpec, PlanSpec, StageError, StageHandler, StageOutput, StageValues, WaveEvent, WaveId,
    WaveInput, WaveKey, WaveStage,
};

/// The wave and key of an event about one wave, with the event's name.
fn wave_and_key(event: &WaveEvent) -> Option<(&'static str, WaveId, WaveKey)> {
    Some(match event {
        WaveEvent::WaveStarted { wave, key, .. } => ("WaveStarted", *wave, *key),
        WaveEvent::StageStarted { wave, key, .. } => ("StageStarted", *wave, *key),
        WaveEvent::StageProgress { wave, key, .. } => ("StageProgress", *wave, *key),
        WaveEvent::IntermediateResult { wave, key, .. } => ("IntermediateResult", *wave, *key),
        WaveEvent::StageFinished { wave, key, .. } => ("StageFinished", *wave, *key),
        WaveEvent::StageRetrying { wave, key, .. } => ("StageRetrying", *wave, *key),
        WaveEvent::StageSkipped { wave, key, .. } => ("StageSkipped", *wave, *key),
        WaveEvent::WaveFinished { wave, key, .. } => ("WaveFinished", *wave, *key),
        _ => return None,
    })
}

/// Fails its first attempt, then reports progress, publishes an estimate
/// and succeeds after a while (so resource samples fall inside the batch).
fn flaky_then_slow() -> StageHandler {
    StageHandler::from_async(|input| async move {
        if input.attempt == 1 {
            return Err(StageError::transient("first try"));
        }
        input.progress.progress(0.5);
        let mut values = StageValues::new();
        values.insert("estimate".into(), 1.into());
        input.progress.publish(values);
        tokio::time::sleep(Duration::from_millis(350)).await;
        Ok(StageOutput::default())
    })
}

#[tokio::test(start_paused = true)]
async fn every_event_and_context_carries_the_callers_key() {
    let mut orch = orchestrator(config());
    orch.register_stage_handler("flaky", flaky_then_slow());
    orch.register_stage_handler(
        "fails",
        StageHandler::from_async(|_| async { Err(StageError::permanent("no")) }),
    );
    orch.register_stage_handler("ok", ok(None));
    let spec = PlanSpec {
        nodes: vec![
            NodeSpec::new("a", WaveStage::Preparation, "flaky"),
            NodeSpec::new("b", WaveStage::DeepAnalysis, "fails").after(["a"]),
            NodeSpec::new("c", WaveStage::Aggregation, "ok").after(["b"]),
        ],
    };
    let plan = orch.plan(&spec).unwrap();
    let mut events = orch.subscribe();
    // Keys unrelated to wave ids and admission order.
    let keys = [70u64, 3, 1_000_000];
    let inputs = keys
        .iter()
        .map(|&k| WaveInput::new(format!("w{k}"), k.into()).with_key(WaveKey(k)))
        .collect();
    let out = orch.execute_parallel_waves(&plan, inputs, 3).await;

    for ctx in &out.waves {
        assert_eq!(ctx.key, ctx.input.key);
        assert_eq!(ctx.key, WaveKey(ctx.input.payload.as_u64().unwrap()));
    }
    let by_wave: HashMap<WaveId, WaveKey> = out.waves.iter().map(|c| (c.id, c.key)).collect();
    let events = drain(&mut events);
    let mut kinds = BTreeSet::new();
    for event in &events {
        if let Some((kind, wave, key)) = wave_and_key(event) {
            assert_eq!(by_wave[&wave], key, "{event:?}");
            kinds.insert(kind);
        }
    }
    assert_eq!(
        kinds.len(),
        8,
        "every kind of wave event was checked: {kinds:?}"
    );

    // Statistics while the batch ran, and the final ones before BatchFinished.
    let stats: Vec<usize> = (0..events.len())
        .filter(|&i| matches!(events[i], WaveEvent::Statistics(_)))
        .collect();
    assert!(stats.len() >= 2, "{} statistics events", stats.len());
    let last = events.len() - 1;
    assert!(matches!(events[last], WaveEvent::BatchFinished { .. }));
    let WaveEvent::Statistics(final_stats) = &events[last - 1] else {
        panic!("no statistics before BatchFinished: {:?}", events[last - 1]);
    };
    assert_eq!(**final_stats, orch.statistics());
    assert_eq!(final_stats.total_waves, 3);
    let early = stats
        .iter()
        .find_map(|&i| match &events[i] {
            WaveEvent::Statistics(s) if s.active_waves > 0 => Some(s),
            _ => None,
        })
        .expect("a statistics event while waves ran");
    assert_eq!(early.total_waves, 0);
}

#[tokio::test(start_paused = true)]
async fn inputs_default_to_key_zero() {
    let mut orch = orchestrator(config());
    orch.register_stage_handler("ok", ok(None));
    let plan = orch
        .plan(&PlanSpec {
            nodes: vec![NodeSpec::new("n", WaveStage::Preparation, "ok")],
        })
        .unwrap();
    let ctx = orch
        .execute_wave(&plan, WaveInput::new("x", 0.into()))
        .await;
    assert_eq!(ctx.key, WaveKey(0));
}
