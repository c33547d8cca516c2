//! `run pipelines/default.ron` against `analyze` on the same folder of
//! generated music-like files, at `--jobs` 1 and 2, through the release
//! binary; then what early termination saves (quality_threshold 0 vs 1).
//!
//! `cargo bench --bench pipeline` prints lines like
//! `pipeline cmd=run jobs=1 files=16 audio_s=480 wall_s=.. cpu_s=.. files_per_s=.. x_realtime=..`
//! (`x_realtime` is audio seconds per wall second) and the CPU-time ratio
//! of `run` over `analyze`, which does not depend on what else the machine
//! is doing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    unsafe_code,
    reason = "a benchmark harness: prints its figures, fails loudly, reads child CPU time with getrusage"
)]

#[path = "../tests/common/signal.rs"]
mod signal;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use signal::{RATE, TempDir, groove, stereo, write_wav};

const FILES: usize = 8;
// Tracks of a typical length: three minutes.
const SECONDS: f64 = 180.0;

fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_wave-studio"))
}

/// User + system CPU seconds of every finished child process so far.
fn children_cpu_s() -> f64 {
    // SAFETY: getrusage only writes the struct we hand it.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    assert_eq!(rc, 0);
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    secs(usage.ru_utime) + secs(usage.ru_stime)
}

/// (wall, cpu) seconds of one run of the binary.
fn timed(args: &[&str]) -> (f64, f64) {
    let cpu_before = children_cpu_s();
    let begun = Instant::now();
    // Every repeat computes: no results library to answer from.
    let no_db: &[&str] = if args.first() == Some(&"run") {
        &["--no-db"]
    } else {
        &[]
    };
    let out = Command::new(binary())
        .args(args)
        .args(no_db)
        .output()
        .unwrap();
    let wall = begun.elapsed().as_secs_f64();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (wall, children_cpu_s() - cpu_before)
}

/// The best of three runs, by CPU time.
fn best(args: &[&str]) -> (f64, f64) {
    (0..3)
        .map(|_| timed(args))
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap()
}

fn report(cmd: &str, jobs: usize, (wall, cpu): (f64, f64)) -> f64 {
    let audio = FILES as f64 * SECONDS;
    println!(
        "pipeline cmd={cmd} jobs={jobs} files={FILES} audio_s={audio:.0} wall_s={wall:.2} cpu_s={cpu:.2} files_per_s={:.1} x_realtime={:.0}",
        FILES as f64 / wall,
        audio / wall
    );
    cpu
}

fn with_threshold(dir: &Path, source: &str, threshold: f64) -> PathBuf {
    let mut doc =
        wave_studio::pipeline::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join(source)).unwrap();
    doc.config.quality_threshold = threshold;
    let stem = source
        .trim_start_matches("pipelines/")
        .trim_end_matches(".ron");
    let path = dir.join(format!("{stem}-threshold-{threshold}.ron"));
    wave_studio::pipeline::save(&doc, &path).unwrap();
    path
}

/// Time from cancelling a batch in the middle of a long decode to the last
/// task of the orchestrator ending (the blocking decode included).
fn cancel_latency(dir: &Path) {
    let long = dir.join("long.wav");
    write_wav(&long, &stereo(&groove(120.0, 600.0, 99)), 2, RATE);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let doc = wave_studio::pipeline::default_document().unwrap();
        let runner =
            wave_studio::run::PipelineRunner::new(&doc, None, tokio::runtime::Handle::current())
                .unwrap();
        let mut events = runner.orchestrator().subscribe();
        let mut run = runner.start(vec![long.clone()], 1);
        while let Some(e) = events.recv().await {
            if let wave_studio::orchestrator::WaveEvent::StageStarted { node, .. } = e
                && node.as_str() == "decode"
            {
                break;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let begun = Instant::now();
        run.cancel.cancel();
        while run.results.recv().await.is_some() {}
        runner.orchestrator().shutdown().await;
        let latency = begun.elapsed();
        let decode = runner
            .orchestrator()
            .statistics()
            .stage("decode")
            .cloned()
            .unwrap();
        assert_eq!(
            decode.cancelled_attempts, 1,
            "the decode was running when cancelled"
        );
        println!(
            "pipeline cancel_latency_ms={:.1}",
            latency.as_secs_f64() * 1000.0
        );
    });
}

fn main() {
    let dir = TempDir::new("bench-pipeline");
    let audio = dir.path("audio");
    std::fs::create_dir_all(&audio).unwrap();
    let flac = Command::new("ffmpeg")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success());
    for i in 0..FILES {
        let wav = audio.join(format!("track{i:02}.wav"));
        write_wav(
            &wav,
            &stereo(&groove(90.0 + 5.0 * i as f64, SECONDS, i as u64)),
            2,
            RATE,
        );
        if flac {
            // Compressed input, as in a real library.
            let out = audio.join(format!("track{i:02}.flac"));
            let ok = Command::new("ffmpeg")
                .args(["-loglevel", "error", "-y", "-i"])
                .arg(&wav)
                .arg(&out)
                .status()
                .is_ok_and(|s| s.success());
            if ok {
                std::fs::remove_file(&wav).unwrap();
            }
        }
    }
    cancel_latency(&dir.0);
    let folder = audio.display().to_string();
    let default = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("pipelines/default.ron")
        .display()
        .to_string();
    // Every refinement runs, as in `analyze`.
    let full = with_threshold(&dir.0, "pipelines/default.ron", 1.0)
        .display()
        .to_string();
    timed(&["analyze", &folder, "--jobs", "1"]); // warm the page cache
    for jobs in [1usize, 2] {
        let j = jobs.to_string();
        let analyze = report("analyze", jobs, best(&["analyze", &folder, "--jobs", &j]));
        let run = report(
            "run-full",
            jobs,
            best(&["run", &full, &folder, "--jobs", &j]),
        );
        report(
            "run-default",
            jobs,
            best(&["run", &default, &folder, "--jobs", &j]),
        );
        println!(
            "pipeline jobs={jobs} run_cpu_over_analyze_cpu={:.3}",
            run / analyze
        );
    }
    // What early termination saves: the same batch with every refinement
    // skipped (threshold 0) and with every one run (threshold 1). In the
    // default pipeline the refinements work on the one decode's artifacts;
    // in the DJ pipeline the refinement decodes the rest of the track.
    for source in ["pipelines/default.ron", "pipelines/dj-tempo-key.ron"] {
        let skip_all = with_threshold(&dir.0, source, 0.0).display().to_string();
        let run_all = with_threshold(&dir.0, source, 1.0).display().to_string();
        let cheap = report(
            "threshold-0",
            1,
            best(&["run", &skip_all, &folder, "--jobs", "1"]),
        );
        let costly = report(
            "threshold-1",
            1,
            best(&["run", &run_all, &folder, "--jobs", "1"]),
        );
        println!(
            "pipeline source={source} early_termination_saves_cpu_s={:.3} ({:.1}% of the batch)",
            costly - cheap,
            (costly - cheap) / costly * 100.0
        );
    }
}
