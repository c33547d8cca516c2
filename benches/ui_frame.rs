//! Frame time of the app under load: a 50-node pipeline, a 10,000-row
//! results table and charts holding a 10,000-file run. CPU time per frame
//! (egui pass + tessellation, no GPU). Prints
//! `ui frame_ms_p50=X frame_ms_p99=Y`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    reason = "a benchmark harness: it prints its figures and fails loudly"
)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use wave_studio::app::WaveStudioApp;
use wave_studio::orchestrator::{
    AttemptOutcome, NodeOverrides, WaveEvent, WaveId, WaveKey, WaveStage, WaveStatus,
};
use wave_studio::pipeline::{Edge, Operation, PipelineDocument, PipelineNode};
use wave_studio::run::FileResult;

const NODES: usize = 50;
const FILES: usize = 10_000;
const FRAMES: usize = 300;

fn pipeline() -> PipelineDocument {
    let mut doc = PipelineDocument {
        name: "bench".into(),
        ..Default::default()
    };
    for i in 0..NODES {
        let kind = WaveStage::ALL[i * 7 / NODES];
        doc.nodes.push(PipelineNode {
            id: format!("n{i:02}").into(),
            name: format!("Stage {i}"),
            kind,
            operation: Operation::Spectral,
            refinement: false,
            overrides: NodeOverrides::default(),
            position: ((i % 10) as f32 * 220.0, (i / 10) as f32 * 160.0),
        });
        if i > 0 {
            doc.edges
                .push(Edge::new(format!("n{:02}", i - 1), format!("n{i:02}")));
        }
        if i > 10 {
            doc.edges
                .push(Edge::new(format!("n{:02}", i - 10), format!("n{i:02}")));
        }
    }
    doc
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let dir = std::env::temp_dir().join(format!("wave-bench-ui-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bench.ron");
    wave_studio::pipeline::save(&pipeline(), &path).unwrap();
    let mut app = WaveStudioApp::with_launch(
        rt.handle().clone(),
        wave_studio::app::Launch {
            pipeline: Some(path),
            // Never the user's library.
            no_db: true,
            ..Default::default()
        },
    );
    assert_eq!(app.document().nodes.len(), NODES);

    // A 10,000-file run, through the same ingestion as a live run.
    let mut rng = fastrand::Rng::with_seed(7);
    let mut t = 0.0;
    for i in 0..FILES {
        let wave = WaveId(i as u64);
        let key = WaveKey(i as u64);
        app.ingest_event(
            &WaveEvent::WaveStarted {
                wave,
                key,
                batch: None,
                label: Arc::from(format!("file{i}.wav")),
            },
            t,
        );
        for n in &app.document().nodes.clone() {
            let node = wave_studio::orchestrator::NodeId::from(n.id.as_str());
            app.ingest_event(
                &WaveEvent::StageStarted {
                    wave,
                    key,
                    node: node.clone(),
                    kind: n.kind,
                    attempt: 1,
                },
                t,
            );
            app.ingest_event(
                &WaveEvent::StageFinished {
                    wave,
                    key,
                    node,
                    kind: n.kind,
                    attempt: 1,
                    duration: Duration::from_micros(500 + rng.u64(0..20_000)),
                    cpu_time: None,
                    quality: Some(rng.f64()),
                    outcome: AttemptOutcome::Success,
                    error: None,
                    cached: false,
                },
                t,
            );
        }
        let quality = Some(rng.f64());
        app.ingest_event(
            &WaveEvent::WaveFinished {
                wave,
                key,
                status: WaveStatus::Completed,
                duration: Duration::from_millis(300),
                quality,
                gate_quality: quality,
            },
            t,
        );
        if i % 4 == 0 {
            app.ingest_event(
                &WaveEvent::ResourceSample {
                    cpu_percent: 40.0 + rng.f64() * 60.0,
                    rss_mb: 200.0 + rng.f64() * 900.0,
                    effective_concurrency: 1 + rng.usize(0..8),
                    memory_over: false,
                },
                t,
            );
        }
        t += 0.05;
        let mut values = serde_json::Map::new();
        values.insert("bpm".into(), (80.0 + rng.f64() * 90.0).into());
        values.insert("key".into(), "A minor".into());
        values.insert("camelot".into(), "8A".into());
        values.insert("loudness_lufs".into(), (-30.0 + rng.f64() * 20.0).into());
        values.insert("duration_s".into(), (60.0 + rng.f64() * 300.0).into());
        app.ingest_result(FileResult {
            quality,
            analysis_s: 0.3,
            values,
            ..FileResult::new(format!("/music/library/file{i:05}.wav"))
        });
    }
    assert_eq!(app.results().rows.len(), FILES);
    assert!(app.live().quality.points().len() < wave_studio::app::SERIES_CAP);

    let ctx = egui::Context::default();
    let mut times = Vec::with_capacity(FRAMES);
    for frame in 0..FRAMES + 10 {
        let mut input = egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(
                egui::Pos2::ZERO,
                egui::vec2(1600.0, 1000.0),
            )),
            ..Default::default()
        };
        input.time = Some(frame as f64 / 60.0);
        // Keep the pointer moving over the charts so hover work is included.
        let x = 200.0 + (frame % 600) as f32 * 2.0;
        input
            .events
            .push(egui::Event::PointerMoved(egui::pos2(x, 800.0)));
        let start = Instant::now();
        let output = ctx.run_ui(input, |ui| app.frame(ui));
        let prims = ctx.tessellate(output.shapes, output.pixels_per_point);
        let elapsed = start.elapsed();
        std::hint::black_box(prims);
        if frame >= 10 {
            times.push(elapsed.as_secs_f64() * 1000.0);
        }
    }
    times.sort_by(f64::total_cmp);
    let p = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    println!("ui frame_ms_p50={:.2} frame_ms_p99={:.2}", p(0.5), p(0.99));
    let _ = std::fs::remove_dir_all(&dir);
}
