//! A run stopped from outside or starved of disk keeps what it did (issue
//! 23, items 2 and 10): SIGTERM and SIGHUP end it as Ctrl+C does (every
//! finished result written, the library closed, exit 1) within the deploy
//! templates' grace period, and a `--out` that cannot be written (a full
//! disk) never stops the analysis.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap in a test is a failed test"
)]

mod common;
mod safety;

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::Instant;

use common::signal::TempDir;
use safety::{bin, count, names, s, songs, strings, text};
use serde_json::Value;

/// Starts a run of `n` files, sends `signal` once two have finished, and
/// returns (exit code, stderr lines after the signal, seconds to exit).
fn stopped_run(
    dir: &TempDir,
    signal: &str,
    format: &str,
    out: &std::path::Path,
) -> (Option<i32>, Vec<String>, f64) {
    let files = songs(dir, "s", 24, 4.0);
    let db = dir.path("lib.sqlite");
    let mut child = bin()
        .args(["run", "--jobs", "1", "--format", format, "--db"])
        .arg(&db)
        .arg("--out")
        .arg(out)
        .args(strings(&files))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let second = lines
        .by_ref()
        .map_while(Result::ok)
        .find(|l| l.starts_with("[2/24]"));
    assert!(second.is_some(), "two files finished before the signal");
    let sent = Instant::now();
    let killed = std::process::Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let status = child.wait().unwrap();
    let took = sent.elapsed().as_secs_f64();
    println!("{signal}: exited {:.3} s after the signal", took);
    (status.code(), rest, took)
}

/// The library after a stopped run: closed, the run finished with its
/// cancelled files counted, every streamed result stored, sound.
fn library_closed_cleanly(db: &std::path::Path, results: usize) {
    assert_eq!(
        count(db, "SELECT count(*) FROM runs WHERE finished_ms IS NULL"),
        0
    );
    assert!(count(db, "SELECT files_cancelled FROM runs") > 0);
    assert_eq!(count(db, "SELECT count(*) FROM results") as usize, results);
    let c = rusqlite::Connection::open(db).unwrap();
    let check: String = c
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
}

#[test]
fn sigterm_writes_every_finished_result_closes_the_library_and_exits_1() {
    let dir = TempDir::new("stop-term");
    let out = dir.path("results.json");
    let (code, rest, took) = stopped_run(&dir, "-TERM", "json", &out);
    assert_eq!(code, Some(1), "{rest:?}");
    assert!(
        rest.iter().any(|l| l.contains("terminated (SIGTERM)")),
        "{rest:?}"
    );
    assert!(
        took < 10.0,
        "ended {took:.1} s after SIGTERM (grace period 30 s)"
    );
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let results = doc["results"].as_array().unwrap();
    assert!(
        (2..24).contains(&results.len()),
        "{} results",
        results.len()
    );
    let finished = results.iter().filter(|r| r["ok"] == true).count();
    assert!(finished >= 2);
    library_closed_cleanly(&dir.path("lib.sqlite"), finished);
    assert!(!names(&dir.0).iter().any(|n| n.ends_with(".tmp")));
}

#[test]
fn sighup_leaves_whole_json_lines_and_a_closed_library() {
    let dir = TempDir::new("stop-hup");
    let out = dir.path("results.jsonl");
    let (code, rest, took) = stopped_run(&dir, "-HUP", "jsonl", &out);
    assert_eq!(code, Some(1), "{rest:?}");
    assert!(took < 10.0, "ended {took:.1} s after SIGHUP");
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(written.ends_with('\n'), "no torn last line");
    let lines: Vec<Value> = written
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(lines.len() >= 2, "{written}");
    let finished = lines.iter().filter(|r| r["ok"] == true).count();
    library_closed_cleanly(&dir.path("lib.sqlite"), finished);
}

#[test]
fn a_full_disk_under_out_never_stops_the_analysis() {
    let dir = TempDir::new("stop-full");
    let files = songs(&dir, "f", 16, 1.5);
    for format in ["jsonl", "json"] {
        let db = dir.path(&format!("{format}.sqlite"));
        let o = bin()
            .args([
                "run",
                "--jobs",
                "2",
                "--format",
                format,
                "--out",
                "/dev/full",
                "--db",
            ])
            .arg(&db)
            .args(strings(&files))
            .output()
            .unwrap();
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{format}: {err}");
        let errors: Vec<&str> = err.lines().filter(|l| l.contains("error:")).collect();
        assert_eq!(errors.len(), 1, "{format}: reported once: {err}");
        assert!(
            errors[0].contains("cannot write the results to /dev/full")
                && errors[0].contains(&format!("--db {} --run 1", s(&db))),
            "{format}: {}",
            errors[0]
        );
        assert!(err.contains("16 files: 16 completed"), "{format}: {err}");
        assert_eq!(
            count(&db, "SELECT count(*) FROM results"),
            16,
            "{format}: all stored"
        );
    }
}
