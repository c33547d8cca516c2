//! Pipeline files: every example loads, validates and runs; broken files
//! give every problem with line and column; saving is stable and atomic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap in a test is a failed test"
)]

mod common;

use std::path::{Path, PathBuf};

use common::signal::{RATE, TempDir, groove, sine, stereo, write_wav};
use wave_studio::orchestrator::WaveStatus;
use wave_studio::pipeline::{self, PipelineError};
use wave_studio::run::{FileResult, PipelineRunner};

fn examples() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("pipelines"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "ron"))
            .collect();
    files.sort();
    files
}

async fn run_all(doc: &pipeline::PipelineDocument, files: Vec<PathBuf>) -> Vec<FileResult> {
    let runner = PipelineRunner::new(doc, None, tokio::runtime::Handle::current()).unwrap();
    let mut run = runner.start(files, 4);
    let mut out = Vec::new();
    while let Some(r) = run.results.recv().await {
        out.push(r);
    }
    run.done.await.unwrap();
    assert_eq!(
        runner.artifacts_in_flight(),
        0,
        "artifacts are dropped when waves end"
    );
    runner.orchestrator().shutdown().await;
    out.sort_by(|a, b| a.file.cmp(&b.file));
    out
}

#[test]
fn the_examples_exist_and_the_built_in_default_is_default_ron() {
    let names: Vec<String> = examples()
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into())
        .collect();
    for wanted in ["default.ron", "dj-tempo-key.ron", "loudness-qa.ron"] {
        assert!(
            names.iter().any(|n| n == wanted),
            "{wanted} missing from {names:?}"
        );
    }
    let builtin = pipeline::default_document().unwrap();
    let file = pipeline::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("pipelines/default.ron"))
        .unwrap();
    assert_eq!(builtin, file);
}

#[test]
fn every_example_saves_stably() {
    let dir = TempDir::new("stable");
    for path in examples() {
        let doc = pipeline::load(&path).unwrap();
        let once = dir.path("once.ron");
        pipeline::save(&doc, &once).unwrap();
        let reloaded = pipeline::load(&once).unwrap();
        let mut sorted = doc.clone();
        sorted.normalize();
        assert_eq!(reloaded, sorted, "{}", path.display());
        let twice = dir.path("twice.ron");
        pipeline::save(&reloaded, &twice).unwrap();
        assert_eq!(
            std::fs::read(&once).unwrap(),
            std::fs::read(&twice).unwrap(),
            "{}",
            path.display()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_example_runs_on_generated_audio() {
    let dir = TempDir::new("examples");
    let music = dir.path("groove.wav");
    write_wav(&music, &stereo(&groove(120.0, 12.0, 1)), 2, RATE);
    // EBU 3341 case 1: stereo 1 kHz at -23 dBFS reads -23 LUFS, compliant.
    let compliant = dir.path("r128.wav");
    let amp = 10f64.powf(-23.0 / 20.0);
    write_wav(&compliant, &stereo(&sine(1000.0, 12.0, amp)), 2, RATE);
    for path in examples() {
        let doc = pipeline::load(&path).unwrap();
        let file = if doc.name.contains("Loudness") {
            &compliant
        } else {
            &music
        };
        let results = run_all(&doc, vec![file.clone()]).await;
        assert_eq!(results.len(), 1);
        let r = &results[0];
        assert_eq!(
            r.status,
            WaveStatus::Completed,
            "{}: {:?}",
            path.display(),
            r.error
        );
        if doc.name.contains("Loudness") {
            assert_eq!(
                r.value("loudness_compliant"),
                &serde_json::Value::Bool(true)
            );
        } else {
            let bpm = r.value("bpm").as_f64().unwrap();
            assert!((bpm - 120.0).abs() < 1.2, "{}: bpm {bpm}", path.display());
            assert!(r.value("camelot").is_string());
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loudness_qa_fails_a_loud_file_with_the_measured_values() {
    let dir = TempDir::new("qa");
    let loud = dir.path("loud.wav");
    write_wav(&loud, &stereo(&sine(1000.0, 5.0, 0.9)), 2, RATE);
    let doc =
        pipeline::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("pipelines/loudness-qa.ron"))
            .unwrap();
    let r = &run_all(&doc, vec![loud]).await[0];
    assert_eq!(r.status, WaveStatus::PartiallyCompleted);
    let error = r.error.as_deref().unwrap();
    assert!(
        error.contains("not EBU R128 compliant") && error.contains("LUFS"),
        "{error}"
    );
    assert!(
        r.value("loudness_lufs").as_f64().unwrap() > -10.0,
        "the measurement is kept"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn early_termination_skips_the_refinements_and_saves_their_work() {
    let dir = TempDir::new("early");
    let files: Vec<PathBuf> = (0..3u32)
        .map(|i| {
            let p = dir.path(&format!("g{i}.wav"));
            write_wav(
                &p,
                &stereo(&groove(100.0 + 10.0 * f64::from(i), 10.0, u64::from(i))),
                2,
                RATE,
            );
            p
        })
        .collect();
    let mut doc = pipeline::default_document().unwrap();
    let mut skipped = Vec::new();
    for threshold in [0.0, 1.0] {
        doc.config.quality_threshold = threshold;
        let runner = PipelineRunner::new(&doc, None, tokio::runtime::Handle::current()).unwrap();
        let mut run = runner.start(files.clone(), 3);
        while run.results.recv().await.is_some() {}
        run.done.await.unwrap();
        let stats = runner.orchestrator().statistics();
        let refine = stats.stage("tempo_refine").unwrap();
        skipped.push((refine.items_skipped, refine.attempts));
        runner.orchestrator().shutdown().await;
    }
    assert_eq!(
        skipped[0],
        (3, 0),
        "threshold 0: every refinement skipped, none run"
    );
    assert_eq!(skipped[1], (0, 3), "threshold 1: every refinement runs");
}

fn parse_err(text: &str) -> PipelineError {
    pipeline::parse(text, Path::new("broken.ron")).unwrap_err()
}

const GOOD_NODE: &str = r#"(id: "a", name: "A", kind: Preparation, operation: Probe)"#;

#[test]
fn a_syntax_error_names_the_file_line_and_column() {
    let text = format!("(\n    version: 1,\n    name: \"x\",\n    nodes: [{GOOD_NODE}],,\n)");
    let err = parse_err(&text);
    let PipelineError::Syntax { line, col, .. } = &err else {
        panic!("{err:?}")
    };
    // The stray second comma, after the 71 characters before it.
    assert_eq!((*line, *col), (4, 72), "{err}");
    assert!(err.to_string().starts_with("broken.ron:4:72:"), "{err}");
}

#[test]
fn an_unknown_operation_is_named() {
    let text = r#"(version: 1, name: "x", nodes: [(id: "a", name: "A", kind: Preparation, operation: Reverb)])"#;
    let err = parse_err(text).to_string();
    assert!(
        err.contains("Reverb") && err.contains("broken.ron:1:"),
        "{err}"
    );
}

#[test]
fn a_cycle_names_its_nodes_at_their_line() {
    let text = r#"(
    version: 1,
    name: "x",
    nodes: [
        (id: "a", name: "A", kind: Preparation, operation: Probe),
        (id: "b", name: "B", kind: InitialAnalysis, operation: Decode()),
    ],
    edges: [(from: "a", to: "b"), (from: "b", to: "a")],
)"#;
    let err = parse_err(text);
    let problems = err.problems();
    let cycle = problems
        .iter()
        .find(|p| p.message.contains("cycle"))
        .expect("cycle reported");
    assert!(
        cycle.message.contains("a -> b -> a") || cycle.message.contains("b -> a -> b"),
        "{}",
        cycle.message
    );
    assert!(matches!(cycle.line, Some(5 | 6)), "{cycle:?}");
}

#[test]
fn every_problem_is_reported_at_once() {
    let text = r#"(
    version: 1,
    name: "x",
    config: (stage_timeout_seconds: -5.0, quality_threshold: 1.5),
    nodes: [
        (id: "t", name: "T", kind: DeepAnalysis, operation: Tempo(min_bpm: 200.0, max_bpm: 100.0)),
        (id: "t", name: "T2", kind: DeepAnalysis, operation: Spectral),
    ],
    edges: [(from: "t", to: "ghost")],
)"#;
    let problems = parse_err(text).problems();
    let text_of = |needle: &str| {
        problems
            .iter()
            .find(|p| p.to_string().contains(needle))
            .cloned()
    };
    let timeout = text_of("stage_timeout_seconds").expect("negative timeout");
    assert_eq!((timeout.line, timeout.col), (Some(4), Some(14)));
    assert!(text_of("quality_threshold").is_some());
    assert!(text_of("max_bpm").is_some());
    assert!(text_of("more than one node").is_some());
    assert!(text_of("unknown node `ghost`").is_some());
    assert_eq!(problems.len(), 5, "{problems:#?}");
}

#[test]
fn a_newer_version_is_refused_clearly() {
    let text = r#"(version: 7, name: "future", nodes: [], hologram: true)"#;
    let err = parse_err(text).to_string();
    assert!(
        err.contains("newer Wave Studio") && err.contains("version 7"),
        "{err}"
    );
}

#[test]
fn a_failed_save_keeps_the_old_file_whole() {
    let dir = TempDir::new("atomic");
    let path = dir.path("p.ron");
    let doc = pipeline::default_document().unwrap();
    pipeline::save(&doc, &path).unwrap();
    let before = std::fs::read(&path).unwrap();
    // A directory where the file should go makes the rename fail.
    let blocked = dir.path("blocked.ron");
    std::fs::create_dir(&blocked).unwrap();
    std::fs::write(blocked.join("keep"), b"x").unwrap();
    assert!(matches!(
        pipeline::save(&doc, &blocked),
        Err(PipelineError::Write { .. })
    ));
    assert_eq!(std::fs::read(&path).unwrap(), before);
    let leftovers: Vec<_> = std::fs::read_dir(&dir.0)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dj_pipeline_decodes_the_whole_track_only_when_unsure() {
    let dir = TempDir::new("dj-excerpt");
    let track = dir.path("long.wav");
    write_wav(&track, &stereo(&groove(124.0, 75.0, 9)), 2, RATE);
    let mut doc =
        pipeline::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("pipelines/dj-tempo-key.ron"))
            .unwrap();
    for (threshold, whole) in [(0.0, false), (1.0, true)] {
        doc.config.quality_threshold = threshold;
        let r = &run_all(&doc, vec![track.clone()]).await[0];
        assert_eq!(r.status, WaveStatus::Completed, "{:?}", r.error);
        assert!(
            (r.value("bpm").as_f64().unwrap() - 124.0).abs() < 1.3,
            "{r:?}"
        );
        let full_decode_skipped = r.skipped.iter().any(|s| s.starts_with("decode_full"));
        assert_eq!(
            full_decode_skipped, !whole,
            "threshold {threshold}: {:?}",
            r.skipped
        );
        // The duration is the file's either way: from the container, or measured.
        assert!(
            (r.value("duration_s").as_f64().unwrap() - 75.0).abs() < 0.1,
            "{r:?}"
        );
        assert_eq!(r.value("excerpt"), &serde_json::Value::Bool(!whole));
    }
}
