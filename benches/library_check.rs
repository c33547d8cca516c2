//! What SQLite's `quick_check` costs when a library is opened (issue 23):
//! writes 100,000 results (~1 KB records and two node outputs each, as the
//! shard bench's merge sources) with the library's writer, then a second
//! library with a 20 KB stored decode per file as well, and times
//! the whole `PRAGMA quick_check`, the stored decodes' alone
//! (`quick_check(artifacts)`, which the first writer runs),
//! `PRAGMA integrity_check` and `Library::open` (which checks every other
//! table) on each. Prints `library_check rows=N bytes=B quick_check_ms=Q
//! quick_check_mb_per_s=R decodes_check_ms=D integrity_check_ms=I open_ms=O`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    reason = "a benchmark harness: it prints its figures and fails loudly"
)]

use std::path::{Path, PathBuf};
use std::time::Instant;

use wave_studio::library::{
    ArtifactRow, FileStamp, Fingerprint, FinishedFile, Library, NewRun, NodeOutputRow,
    ResultSummary, RunCounts,
};

const ROWS: usize = 100_000;

/// Writes `ROWS` results into a new library at `db`, each with an
/// artifact of `artifact_bytes` when not zero.
fn build(db: &Path, artifact_bytes: usize) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
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
    let pad = "x".repeat(800);
    for n in 0..ROWS {
        let fp = format!("{n:032x}");
        let artifacts = if artifact_bytes > 0 {
            let bytes = vec![(n % 251) as u8; artifact_bytes];
            vec![ArtifactRow {
                cache_key: format!("decode-{fp}"),
                bytes: Box::new(move || bytes),
            }]
        } else {
            Vec::new()
        };
        writer.file_finished(FinishedFile {
            run,
            pipeline_name: "default".into(),
            pipeline_hash: "bench".into(),
            path: PathBuf::from(format!("/music/a{:03}/t{n:06}.flac", n / 100)),
            stamp: FileStamp {
                size: 1_000_000,
                mtime_ns: n as i64,
            },
            fingerprint: Fingerprint(fp.clone()),
            summary: ResultSummary {
                status: "completed".into(),
                ok: true,
                bpm: Some(120.0),
                analysis_s: 0.4,
                ..ResultSummary::default()
            },
            record: format!("{{\"file\":\"/music/t{n:06}.flac\",\"ok\":true,\"pad\":\"{pad}\"}}"),
            outputs: ["tempo", "key"]
                .map(|node| NodeOutputRow {
                    cache_key: format!("{node}-{fp}"),
                    output: "{\"bpm\":120.0}".into(),
                    series: Vec::new(),
                })
                .to_vec(),
            artifacts,
            node_keys: Vec::new(),
        });
    }
    writer.finish_run(run, RunCounts::default());
    writer.close().unwrap();
    drop(lib);
}

/// Milliseconds `f` takes, best of three.
fn best_ms(mut f: impl FnMut()) -> f64 {
    (0..3)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1000.0
        })
        .fold(f64::INFINITY, f64::min)
}

fn measure(db: &Path) {
    let pragma = |name: &str| {
        let c = rusqlite::Connection::open(db).unwrap();
        let answer: String = c
            .query_row(&format!("PRAGMA {name}"), [], |r| r.get(0))
            .unwrap();
        assert_eq!(answer, "ok");
    };
    let bytes = std::fs::metadata(db).unwrap().len();
    let quick = best_ms(|| pragma("quick_check"));
    let decodes = best_ms(|| pragma("quick_check(artifacts)"));
    let integrity = best_ms(|| pragma("integrity_check"));
    let open = best_ms(|| drop(Library::open(db).unwrap()));
    let mb_per_s = bytes as f64 / 1e6 / (quick / 1000.0);
    println!(
        "library_check rows={ROWS} bytes={bytes} quick_check_ms={quick:.0} \
         quick_check_mb_per_s={mb_per_s:.0} decodes_check_ms={decodes:.0} \
         integrity_check_ms={integrity:.0} open_ms={open:.0}"
    );
}

fn main() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("library-check-bench");
    std::fs::create_dir_all(&dir).unwrap();
    for artifact_bytes in [0, 20_000] {
        let db = dir.join(format!("lib-{artifact_bytes}.sqlite"));
        build(&db, artifact_bytes);
        measure(&db);
    }
}
