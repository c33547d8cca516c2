//! Frame time of the app under load: a 50-node pipeline, a 10,000-row
//! results table and charts holding a 10,000-file run. CPU time per frame
//! (egui pass + tessellation, no GPU). Prints
//! `ui frame_ms_p50=X frame_ms_p99=Y`.
//!
//! Then the track view on a library holding a 5-minute and a 60-minute
//! file analysed by the release binary: the time from the open command to
//! the track drawn (the library read and decode on the app's blocking
//! thread included), and the frame time at 1600×1000 with every lane
//! shown while the pointer sweeps the lanes:
//! `ui track_open minutes=M ms_p50=X ms_p95=Y` and
//! `ui track frame_ms_p50=X frame_ms_p99=Y`; then the same frames while
//! the 60-minute file plays (on ALSA's null sink, which this harness sets
//! up so no sound card is needed): `ui track_playing frame_ms_p50=X
//! frame_ms_p99=Y position_s=P`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    unsafe_code,
    reason = "a benchmark harness: it prints its figures, fails loudly, and points ALSA at a null sink before any thread starts"
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
    let home = std::env::temp_dir().join(format!("wave-bench-ui-home-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    std::fs::write(
        home.join(".asoundrc"),
        "pcm.!default { type plug slave.pcm \"null\" }\n",
    )
    .unwrap();
    // SAFETY: no other thread exists yet; ALSA reads ~/.asoundrc.
    unsafe { std::env::set_var("HOME", &home) };
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
    track_view(&rt, &dir);
    let _ = std::fs::remove_dir_all(&dir);
}

/// One frame of `app` at 1600×1000 with the pointer at `pointer`; its CPU
/// time, ms.
fn frame(ctx: &egui::Context, app: &mut WaveStudioApp, n: usize, pointer: egui::Pos2) -> f64 {
    frame_with(ctx, app, n, pointer, Vec::new())
}

/// [`frame`] with `events` (keys) in its input.
fn frame_with(
    ctx: &egui::Context,
    app: &mut WaveStudioApp,
    n: usize,
    pointer: egui::Pos2,
    events: Vec<egui::Event>,
) -> f64 {
    let mut input = egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(
            egui::Pos2::ZERO,
            egui::vec2(1600.0, 1000.0),
        )),
        ..Default::default()
    };
    input.time = Some(n as f64 / 60.0);
    input.events.push(egui::Event::PointerMoved(pointer));
    input.events.extend(events);
    let start = Instant::now();
    let output = ctx.run_ui(input, |ui| app.frame(ui));
    let prims = ctx.tessellate(output.shapes, output.pixels_per_point);
    std::hint::black_box(prims);
    start.elapsed().as_secs_f64() * 1000.0
}

fn percentile(times: &mut [f64], q: f64) -> f64 {
    times.sort_by(f64::total_cmp);
    times[((times.len() - 1) as f64 * q).round() as usize]
}

/// Open time and frame time of the track view (see the file's docs).
fn track_view(rt: &tokio::runtime::Runtime, dir: &std::path::Path) {
    use wave_studio::app::Command;
    let mut files = Vec::new();
    for minutes in [5u32, 60] {
        // A kick every half second over a tone: beats, a key, loudness.
        let path = dir.join(format!("track{minutes}.flac"));
        let expr =
            "0.6*sin(2*PI*60*t)*exp(-30*mod(t\\,0.5))+0.2*sin(2*PI*220*t)+0.15*sin(2*PI*277.2*t)";
        let ok = std::process::Command::new("ffmpeg")
            .args(["-loglevel", "error", "-y", "-f", "lavfi", "-i"])
            .arg(format!("aevalsrc={expr}:s=44100:d={}", minutes * 60))
            .args(["-ac", "2"])
            .arg(&path)
            .status()
            .expect("ffmpeg makes the track view's test files");
        assert!(ok.success());
        files.push((minutes, path));
    }
    let db = dir.join("tracks.sqlite");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_wave-studio"))
        .args(["run", "--db"])
        .arg(&db)
        .args(files.iter().map(|f| &f.1))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut app = WaveStudioApp::with_launch(
        rt.handle().clone(),
        wave_studio::app::Launch {
            db: Some(db),
            audio: true,
            ..Default::default()
        },
    );
    let ctx = egui::Context::default();
    let mut n = 0usize;
    let lanes = egui::pos2(400.0, 760.0);
    while !app.has_library() {
        frame(&ctx, &mut app, n, lanes);
        n += 1;
        std::thread::sleep(Duration::from_millis(2));
    }
    for (minutes, path) in &files {
        let mut opens = Vec::new();
        for _ in 0..20 {
            app.push(Command::CloseTrack);
            frame(&ctx, &mut app, n, lanes);
            n += 1;
            let start = Instant::now();
            app.push(Command::OpenTrack {
                path: path.clone(),
                pipeline: None,
                bpm: None,
            });
            while app.track().track.is_none() {
                assert!(app.track().error.is_none(), "{:?}", app.track().error);
                frame(&ctx, &mut app, n, lanes);
                n += 1;
            }
            // The first frame that draws it.
            frame(&ctx, &mut app, n, lanes);
            n += 1;
            opens.push(start.elapsed().as_secs_f64() * 1000.0);
        }
        let data = &app.track().track.as_ref().unwrap().data;
        assert!((data.duration_s - f64::from(*minutes) * 60.0).abs() < 1.0);
        assert!(data.waveform().is_some() && data.loudness().is_some() && data.beats().is_some());
        println!(
            "ui track_open minutes={minutes} ms_p50={:.1} ms_p95={:.1}",
            percentile(&mut opens, 0.5),
            percentile(&mut opens, 0.95)
        );
    }
    // The 60-minute track is open, every lane shown: sweep the pointer.
    let mut times = Vec::new();
    for k in 0..FRAMES {
        let x = 20.0 + (k % 400) as f32 * 2.0;
        times.push(frame(&ctx, &mut app, n, egui::pos2(x, 760.0)));
        n += 1;
    }
    println!(
        "ui track frame_ms_p50={:.2} frame_ms_p99={:.2}",
        percentile(&mut times, 0.5),
        percentile(&mut times, 0.99)
    );
    // Space plays (the null sink takes audio as fast as it is decoded,
    // so the playhead runs far ahead of real time: more work, not less).
    let mut input_space = true;
    let mut playing = Vec::new();
    for k in 0..FRAMES * 4 {
        let x = 20.0 + (k % 400) as f32 * 2.0;
        let mut events = Vec::new();
        if input_space && app.track().listen.disabled_because().is_none() {
            input_space = false;
            for pressed in [true, false] {
                events.push(egui::Event::Key {
                    key: egui::Key::Space,
                    physical_key: None,
                    pressed,
                    repeat: false,
                    modifiers: egui::Modifiers::NONE,
                });
            }
        }
        let ms = frame_with(&ctx, &mut app, n, egui::pos2(x, 760.0), events);
        n += 1;
        if app.track().listen.is_playing() {
            playing.push(ms);
        }
        if playing.len() >= FRAMES {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let position = app.track().listen.position_s().unwrap_or(0.0);
    if playing.is_empty() {
        println!(
            "ui track_playing none: {}",
            app.track()
                .listen
                .error()
                .or(app.track().listen.disabled_because())
                .unwrap_or_default()
        );
        return;
    }
    println!(
        "ui track_playing frames={} frame_ms_p50={:.2} frame_ms_p99={:.2} position_s={position:.0}",
        playing.len(),
        percentile(&mut playing, 0.5),
        percentile(&mut playing, 0.99)
    );
}
