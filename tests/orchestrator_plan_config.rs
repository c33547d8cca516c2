//! Plans with their own config on one engine (how `compare` runs two
//! pipelines): each plan's waves follow its own quality gate, partial
//! results and concurrency, whatever the engine's config says.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap in a test is a failed test"
)]

mod common;

use common::*;
use wave_studio::orchestrator::{NodeSpec, PlanError, PlanSpec, SkipReason, WaveInput, WaveStage};

/// `gate` reports quality 0.7; `refine`, a refinement, runs after it.
fn spec() -> PlanSpec {
    PlanSpec {
        nodes: vec![
            NodeSpec::new("gate", WaveStage::DeepAnalysis, "gate"),
            NodeSpec::new("refine", WaveStage::DeepAnalysis, "refine")
                .after(["gate"])
                .refinement(true),
        ],
    }
}

#[tokio::test]
async fn each_plan_follows_its_own_quality_gate_on_a_shared_engine() {
    let mut engine = config();
    engine.early_termination_on_quality = true;
    engine.quality_threshold = 0.95;
    let mut orch = orchestrator(engine.clone());
    orch.register_stage_handler("gate", ok(Some(0.7)));
    orch.register_stage_handler("refine", ok(None));
    let strict = orch.plan(&spec()).unwrap();
    let mut lenient_config = engine.clone();
    lenient_config.quality_threshold = 0.5;
    let lenient = orch.plan_with_config(&spec(), lenient_config).unwrap();

    let (a, b) = tokio::join!(
        orch.execute_wave(&strict, WaveInput::default()),
        orch.execute_wave(&lenient, WaveInput::default())
    );
    // The engine's threshold (0.95): the refinement runs.
    assert!(a.skipped.is_empty(), "{:?}", a.skipped);
    assert_eq!(a.completed.len(), 2);
    // The plan's own threshold (0.5): 0.7 is enough, it is skipped.
    assert_eq!(b.skipped.len(), 1);
    assert!(matches!(b.skipped[0].1, SkipReason::Quality { .. }));
}

#[test]
fn an_invalid_plan_config_is_refused_naming_the_field() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let _guard = rt.enter();
    let mut orch = orchestrator(config());
    orch.register_stage_handler("gate", ok(None));
    orch.register_stage_handler("refine", ok(None));
    let mut bad = config();
    bad.quality_threshold = 1.5;
    let err = orch.plan_with_config(&spec(), bad).unwrap_err();
    assert!(
        matches!(&err.0[..], [PlanError::InvalidConfig(e)] if e.field == "quality_threshold"),
        "{err}"
    );
}
