//! Sharding's cost: N local shard processes (`run --shard i/N --jobs 1`,
//! each with its own library) against one process with `--jobs N` (one
//! library) on the same generated files, then `merge`'s cost for 100,000
//! results written with the library's writer into 4 shard libraries.
//!
//! `cargo bench --bench shard` prints
//! `shard mode=single|shards processes=P files=F audio_s=A wall_s=W cpu_s=C x_realtime=X`,
//! `shard shards_over_single wall=R cpu=R split=a/b/...` (the goal: within
//! 5 %; the split shows how evenly the hash spread the files) and
//! `shard merge results=100000 shards=4 wall_s=W results_per_s=R` (then
//! the same with a CSV export). `SHARD_BENCH_N` sets N (default 2).
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
use std::process::{Command, Stdio};
use std::time::Instant;

use signal::{RATE, TempDir, groove, stereo, write_wav};
use wave_studio::library::{
    FileStamp, Fingerprint, FinishedFile, Library, NewRun, NodeOutputRow, ResultSummary, RunCounts,
    Shard,
};
use wave_studio::orchestrator::WaveStatus;
use wave_studio::run::persist::status_name;

/// Many short files, as a sample library has: a hash split is uneven on
/// a few dozen files (96 files: 55/41), about 1/sqrt(files per shard)
/// off in general, so the comparison needs enough files to measure the
/// processes rather than the luck of the hash.
const FILES: usize = 1000;
const SECONDS: f64 = 5.0;
const MERGE_RESULTS: usize = 100_000;
const MERGE_SHARDS: u32 = 4;

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

/// Runs every command at once; (wall, cpu) seconds until all have ended.
fn timed(commands: Vec<Command>) -> (f64, f64) {
    let cpu_before = children_cpu_s();
    let begun = Instant::now();
    let children: Vec<_> = commands
        .into_iter()
        .map(|mut c| {
            c.stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    (begun.elapsed().as_secs_f64(), children_cpu_s() - cpu_before)
}

/// One process with `--jobs n`, or `n` shard processes with `--jobs 1`;
/// each repeat starts from empty libraries.
fn commands(audio: &Path, work: &Path, n: u32, sharded: bool) -> Vec<Command> {
    let _ = std::fs::remove_dir_all(work);
    std::fs::create_dir_all(work).unwrap();
    let base = |jobs: u32| {
        let mut c = Command::new(binary());
        c.args([
            "run",
            "--format",
            "jsonl",
            "--jobs",
            &jobs.to_string(),
            "--db",
        ])
        .arg(work.join("shard-{shard}.sqlite"));
        c
    };
    if !sharded {
        let mut c = Command::new(binary());
        c.args(["run", "--format", "jsonl", "--jobs", &n.to_string(), "--db"])
            .arg(work.join("single.sqlite"))
            .arg("--out")
            .arg(work.join("single.jsonl"))
            .arg(audio);
        return vec![c];
    }
    (0..n)
        .map(|i| {
            let mut c = base(1);
            c.args(["--shard", &format!("{i}/{n}"), "--out"])
                .arg(work.join("shard-{shard}.jsonl"))
                .arg(audio);
            c
        })
        .collect()
}

fn best(audio: &Path, work: &Path, n: u32, sharded: bool) -> (f64, f64) {
    (0..3)
        .map(|_| timed(commands(audio, work, n, sharded)))
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .unwrap()
}

fn report(mode: &str, processes: u32, (wall, cpu): (f64, f64)) {
    let audio = FILES as f64 * SECONDS;
    println!(
        "shard mode={mode} processes={processes} files={FILES} audio_s={audio:.0} wall_s={wall:.2} cpu_s={cpu:.2} x_realtime={:.0}",
        audio / wall
    );
}

/// Shard libraries holding `MERGE_RESULTS` results in all, each result
/// with a realistic record and two node outputs.
fn merge_sources(dir: &Path) -> Vec<PathBuf> {
    let per = MERGE_RESULTS / MERGE_SHARDS as usize;
    let status = status_name(WaveStatus::Completed);
    // About the size of a default-pipeline record (~1 KB).
    let pad = "x".repeat(800);
    (0..MERGE_SHARDS)
        .map(|index| {
            let path = dir.join(format!("merge-shard-{index}.sqlite"));
            let lib = Library::open(&path).unwrap();
            let writer = lib.writer().unwrap();
            let run = writer
                .begin_run(NewRun {
                    pipeline_name: "default".into(),
                    pipeline_hash: "bench".into(),
                    pipeline_text: String::new(),
                    program_version: env!("CARGO_PKG_VERSION").into(),
                    inputs: Vec::new(),
                    shard: Some(Shard {
                        index,
                        count: MERGE_SHARDS,
                    }),
                    host: Some(format!("node-{index}")),
                })
                .unwrap();
            for i in 0..per {
                let n = index as usize * per + i;
                let fp = format!("{n:032x}");
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
                        status: status.clone(),
                        ok: true,
                        bpm: Some(120.0),
                        analysis_s: 0.4,
                        ..ResultSummary::default()
                    },
                    record: format!(
                        "{{\"file\":\"/music/t{n:06}.flac\",\"ok\":true,\"status\":\"{status}\",\
                         \"error\":null,\"quality\":0.9,\"analysis_s\":0.4,\"cached\":false,\
                         \"skipped\":[],\"bpm\":120.0,\"pad\":\"{pad}\"}}"
                    ),
                    outputs: ["tempo", "key"]
                        .map(|node| NodeOutputRow {
                            cache_key: format!("{node}-{fp}"),
                            output: "{\"bpm\":120.0}".into(),
                            series: Vec::new(),
                        })
                        .to_vec(),
                    artifacts: Vec::new(),
                    node_keys: Vec::new(),
                });
            }
            writer.finish_run(run, RunCounts::default());
            writer.close().unwrap();
            path
        })
        .collect()
}

fn merge_cost(dir: &Path) {
    let sources = merge_sources(dir);
    for export in [false, true] {
        let out = dir.join(format!("merged-{export}.sqlite"));
        let mut c = Command::new(binary());
        c.arg("merge").arg(&out).args(&sources);
        if export {
            c.args(["--format", "csv", "--out"])
                .arg(dir.join("merged.csv"));
        }
        let (wall, _) = timed(vec![c]);
        let rows = Library::open(&out)
            .unwrap()
            .results(&Default::default())
            .unwrap()
            .len();
        assert_eq!(rows, MERGE_RESULTS);
        println!(
            "shard merge results={MERGE_RESULTS} shards={MERGE_SHARDS} export={} wall_s={wall:.2} results_per_s={:.0}",
            if export { "csv" } else { "none" },
            MERGE_RESULTS as f64 / wall
        );
    }
}

fn main() {
    let n: u32 = std::env::var("SHARD_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2);
    let dir = TempDir::new("bench-shard");
    let audio = dir.path("audio");
    std::fs::create_dir_all(&audio).unwrap();
    for i in 0..FILES {
        let samples = stereo(&groove(90.0 + (i % 40) as f64, SECONDS, i as u64));
        write_wav(&audio.join(format!("t{i:04}.wav")), &samples, 2, RATE);
    }
    let work = dir.path("work");
    let single = best(&audio, &work, n, false);
    report("single", 1, single);
    let shards = best(&audio, &work, n, true);
    report("shards", n, shards);
    let split: Vec<String> = (0..n)
        .map(|i| {
            let lines = std::fs::read_to_string(work.join(format!("shard-{i}.jsonl"))).unwrap();
            lines.lines().count().to_string()
        })
        .collect();
    println!(
        "shard shards_over_single wall={:.3} cpu={:.3} split={}",
        shards.0 / single.0,
        shards.1 / single.1,
        split.join("/")
    );
    merge_cost(&dir.0);
}
