//! What the results library costs and saves, in process on generated
//! three-minute tracks (FLAC when ffmpeg is there, as in a real library):
//! the store's cost per file next to the analysis, a rerun with nothing
//! changed, and a rerun after one edit of the quick tempo node, against
//! the first run's CPU time.
//!
//! `cargo bench --bench library` prints lines like
//! `library store_ms_per_file=.. fingerprint_ms=.. writer_ms=.. analysis_cpu_ms_per_file=.. share=..%`
//! and `library rerun=tempo_edit cpu_s=.. first_cpu_s=.. ratio=..%`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    unsafe_code,
    reason = "a benchmark harness: prints its figures, fails loudly, reads CPU time with getrusage"
)]

#[path = "../tests/common/signal.rs"]
mod signal;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use signal::{RATE, TempDir, groove, stereo, write_wav};
use wave_studio::library::{Fingerprint, Library};
use wave_studio::pipeline::{self, Operation, PipelineDocument};
use wave_studio::run::{PipelineRunner, StoreState};

const FILES: usize = 8;
const SECONDS: f64 = 180.0;

/// User + system CPU seconds of this process so far.
fn cpu_s() -> f64 {
    // SAFETY: getrusage only writes the struct we hand it.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    assert_eq!(rc, 0);
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    secs(usage.ru_utime) + secs(usage.ru_stime)
}

fn tracks(dir: &Path) -> Vec<PathBuf> {
    let flac = Command::new("ffmpeg")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success());
    (0..FILES)
        .map(|i| {
            let wav = dir.join(format!("track{i:02}.wav"));
            let music = stereo(&groove(90.0 + 5.0 * i as f64, SECONDS, i as u64));
            write_wav(&wav, &music, 2, RATE);
            let out = dir.join(format!("track{i:02}.flac"));
            let ok = flac
                && Command::new("ffmpeg")
                    .args(["-loglevel", "error", "-y", "-i"])
                    .arg(&wav)
                    .arg(&out)
                    .status()
                    .is_ok_and(|s| s.success());
            if ok {
                std::fs::remove_file(&wav).unwrap();
                out
            } else {
                wav
            }
        })
        .collect()
}

/// CPU seconds of one run, and the store's report.
fn run(
    rt: &tokio::runtime::Runtime,
    doc: &PipelineDocument,
    lib: Option<&Arc<Library>>,
    files: &[PathBuf],
) -> (f64, Option<StoreState>) {
    let runner =
        PipelineRunner::with_library(doc, None, rt.handle().clone(), lib.cloned()).unwrap();
    let before = cpu_s();
    let mut run = runner.start(files.to_vec(), 2);
    let store = rt.block_on(async {
        let mut n = 0;
        while let Some(r) = run.results.recv().await {
            assert!(r.ok, "{r:?}");
            n += 1;
        }
        assert_eq!(n, files.len());
        run.done.await.unwrap();
        run.store.map(|s| s.get())
    });
    let cpu = cpu_s() - before;
    rt.block_on(runner.orchestrator().shutdown());
    if let Some(s) = &store {
        assert!(s.error.is_none(), "{s:?}");
    }
    (cpu, store)
}

/// The database with its write-ahead log (not yet checkpointed).
fn db_bytes(path: &Path) -> u64 {
    let size = |p: PathBuf| std::fs::metadata(p).map_or(0, |m| m.len());
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    size(path.to_path_buf()) + size(PathBuf::from(wal))
}

fn with_max_bpm(doc: &PipelineDocument, max: f64) -> PipelineDocument {
    let mut doc = doc.clone();
    for n in &mut doc.nodes {
        if let Operation::Tempo {
            refine: false,
            max_bpm,
            ..
        } = &mut n.operation
        {
            *max_bpm = max;
        }
    }
    doc
}

fn main() {
    let dir = TempDir::new("bench-library");
    let files = tracks(&dir.0);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut doc = pipeline::default_document().unwrap();
    // Every refinement runs, so the first run is the full analysis.
    doc.config.quality_threshold = 1.0;
    run(&rt, &doc, None, &files); // warm the page cache

    let bare = (0..3)
        .map(|_| run(&rt, &doc, None, &files).0)
        .fold(f64::MAX, f64::min);
    let mut first = f64::MAX;
    let mut writer = Duration::MAX;
    let mut lib = None;
    for i in 0..3 {
        let l = Library::open(&dir.path(&format!("lib{i}.sqlite"))).unwrap();
        let (cpu, store) = run(&rt, &doc, Some(&l), &files);
        first = first.min(cpu);
        writer = writer.min(store.unwrap().writer_busy);
        lib = Some(l);
    }
    let lib = lib.unwrap();
    let begun = Instant::now();
    for f in &files {
        Fingerprint::of_file(f).unwrap();
    }
    let fingerprint = begun.elapsed();
    let per_file = |d: Duration| d.as_secs_f64() * 1e3 / FILES as f64;
    let analysis_ms = bare * 1e3 / FILES as f64;
    let store_ms = per_file(fingerprint) + per_file(writer);
    println!(
        "library store_ms_per_file={store_ms:.2} fingerprint_ms={:.2} writer_ms={:.2} analysis_cpu_ms_per_file={analysis_ms:.0} share={:.2}% bytes_per_file={}",
        per_file(fingerprint),
        per_file(writer),
        100.0 * store_ms / analysis_ms,
        db_bytes(lib.path()) / FILES as u64,
    );
    println!(
        "library run=first cpu_s={first:.2} bare_cpu_s={bare:.2} overhead={:.1}%",
        100.0 * (first - bare) / bare
    );
    let (same, _) = run(&rt, &doc, Some(&lib), &files);
    println!(
        "library rerun=unchanged cpu_s={same:.3} first_cpu_s={first:.2} ratio={:.2}%",
        100.0 * same / first
    );
    let edit = (0..3)
        .map(|i| {
            run(
                &rt,
                &with_max_bpm(&doc, 190.0 + f64::from(i)),
                Some(&lib),
                &files,
            )
            .0
        })
        .fold(f64::MAX, f64::min);
    println!(
        "library rerun=tempo_edit cpu_s={edit:.3} first_cpu_s={first:.2} ratio={:.2}%",
        100.0 * edit / first
    );
}
