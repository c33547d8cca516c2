//! Opening the app on a 100,000-result library: the time from launch until
//! every row is in the results table, then CPU time per frame with those
//! rows (egui pass + tessellation, no GPU). The library is built once with
//! the library's writer into the target folder. Prints
//! `library_open_ms=X rows=100000 frame_ms_p50=Y p99=Z`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    reason = "a benchmark harness: it prints its figures and fails loudly"
)]

use std::path::{Path, PathBuf};
use std::time::Instant;

use wave_studio::app::{Launch, WaveStudioApp};
use wave_studio::library::{
    FileStamp, Fingerprint, FinishedFile, Library, NewRun, ResultFilter, ResultSummary, RunCounts,
};
use wave_studio::orchestrator::WaveStatus;
use wave_studio::run::persist::status_name;

const ROWS: usize = 100_000;
const FRAMES: usize = 120;

/// Writes `ROWS` generated results into `db` unless it holds them already.
fn build(db: &Path) {
    let lib = Library::open(db).unwrap();
    if lib.results(&ResultFilter::default()).unwrap().len() == ROWS {
        return;
    }
    drop(lib);
    let _ = std::fs::remove_file(db);
    let lib = Library::open(db).unwrap();
    let writer = lib.writer().unwrap();
    let run = writer
        .begin_run(NewRun {
            pipeline_name: "default".into(),
            pipeline_hash: "bench".into(),
            pipeline_text: String::new(),
            program_version: env!("CARGO_PKG_VERSION").into(),
            inputs: Vec::new(),
            shard: None,
            host: None,
        })
        .unwrap();
    let mut rng = fastrand::Rng::with_seed(9);
    for i in 0..ROWS {
        let path = PathBuf::from(format!("/music/album{:03}/track{i:06}.flac", i / 100));
        let bpm = 80.0 + rng.f64() * 90.0;
        writer.file_finished(FinishedFile {
            run,
            pipeline_name: "default".into(),
            pipeline_hash: "bench".into(),
            path,
            stamp: FileStamp {
                size: 1_000_000 + i as u64,
                mtime_ns: i as i64,
            },
            fingerprint: Fingerprint(format!("{i:032x}")),
            summary: ResultSummary {
                status: status_name(WaveStatus::Completed),
                ok: true,
                cached: false,
                error: None,
                quality: Some(rng.f64()),
                bpm: Some(bpm),
                key: Some("A minor".into()),
                camelot: Some("8A".into()),
                lufs: Some(-30.0 + rng.f64() * 20.0),
                duration_s: Some(60.0 + rng.f64() * 300.0),
                analysis_s: 0.4,
                bpm_note: None,
                key_note: None,
                partial_note: None,
                ..Default::default()
            },
            record: format!("{{\"file\":\"track{i}\",\"bpm\":{bpm}}}"),
            outputs: Vec::new(),
            artifacts: Vec::new(),
            node_keys: Vec::new(),
        });
    }
    let counts = RunCounts {
        ok: ROWS as u64,
        ..RunCounts::default()
    };
    writer.finish_run(run, counts);
    writer.close().unwrap();
}

/// One frame of the app, timed.
fn frame(ctx: &egui::Context, app: &mut WaveStudioApp, n: usize) -> f64 {
    let mut input = egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(
            egui::Pos2::ZERO,
            egui::vec2(1600.0, 1000.0),
        )),
        ..Default::default()
    };
    input.time = Some(n as f64 / 60.0);
    // Scroll the results table so each frame lays out other rows.
    input
        .events
        .push(egui::Event::PointerMoved(egui::pos2(1300.0, 850.0)));
    input.events.push(egui::Event::MouseWheel {
        unit: egui::MouseWheelUnit::Line,
        delta: egui::vec2(0.0, -20.0),
        modifiers: egui::Modifiers::NONE,
        phase: egui::TouchPhase::Move,
    });
    let start = Instant::now();
    let output = ctx.run_ui(input, |ui| app.frame(ui));
    let prims = ctx.tessellate(output.shapes, output.pixels_per_point);
    std::hint::black_box(prims);
    start.elapsed().as_secs_f64() * 1000.0
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| PathBuf::from("target"), PathBuf::from);
    let db = target.join("bench-library-100k.sqlite");
    build(&db);

    let start = Instant::now();
    let launch = Launch {
        db: Some(db),
        ..Launch::default()
    };
    let mut app = WaveStudioApp::with_launch(rt.handle().clone(), launch);
    let ctx = egui::Context::default();
    let mut n = 0;
    while app.results().rows.len() < ROWS {
        frame(&ctx, &mut app, n);
        n += 1;
        if app.results().rows.is_empty() {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        assert!(start.elapsed().as_secs() < 60, "the library never loaded");
    }
    let open_ms = start.elapsed().as_secs_f64() * 1000.0;
    let mut times: Vec<f64> = (0..FRAMES).map(|i| frame(&ctx, &mut app, n + i)).collect();
    times.sort_by(f64::total_cmp);
    let p = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    println!(
        "library_open_ms={open_ms:.0} rows={} frame_ms_p50={:.2} p99={:.2}",
        app.results().rows.len(),
        p(0.5),
        p(0.99)
    );
}
