//! File names that are not UTF-8 (issue 23, item 4): analysed like any
//! other, kept apart in the library though they look alike, answered from
//! it on a rerun, shown escaped, forgotten by their real name.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap in a test is a failed test"
)]

mod common;
mod safety;

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;

use common::signal::TempDir;
use safety::{bin, count, songs, text};
use serde_json::Value;

#[test]
fn latin1_names_are_analysed_stored_apart_and_shown_escaped() {
    let dir = TempDir::new("paths-latin1");
    let made = songs(&dir, "n", 2, 1.5);
    // "café.wav" and "cafè.wav" in Latin-1: both "caf\u{fffd}.wav" lossily.
    let names: Vec<_> = [b'\xe9', b'\xe8']
        .iter()
        .map(|&b| {
            let mut name = b"caf".to_vec();
            name.push(b);
            name.extend_from_slice(b".wav");
            dir.0.join(OsString::from_vec(name))
        })
        .collect();
    for (from, to) in made.iter().zip(&names) {
        std::fs::rename(from, to).unwrap();
    }
    let db = dir.path("lib.sqlite");
    let run = || {
        bin()
            .args(["run", "--format", "jsonl", "--db"])
            .arg(&db)
            .arg(&dir.0)
            .output()
            .unwrap()
    };
    let o = run();
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    let lines: Vec<Value> = text(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert!(lines.iter().all(|l| l["ok"] == true), "{lines:?}");
    assert!(
        err.contains("caf\\xe9.wav") && err.contains("caf\\xe8.wav"),
        "{err}"
    );
    assert_eq!(count(&db, "SELECT count(DISTINCT path) FROM files"), 2);
    assert_eq!(count(&db, "SELECT count(*) FROM results"), 2);

    let o = run();
    let err = text(&o.stderr);
    assert!(err.contains("2 files answered from the store"), "{err}");

    // CSV shows such a byte as the terminal does, never as a raw NUL.
    let o = bin()
        .args(["results", "--format", "csv", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(!o.stdout.contains(&0), "{}", text(&o.stdout));
    let csv = text(&o.stdout);
    assert!(
        csv.contains("caf\\xe9.wav") && csv.contains("caf\\xe8.wav"),
        "{csv}"
    );

    let o = bin()
        .args(["forget", "--db"])
        .arg(&db)
        .arg(&names[0])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(count(&db, "SELECT count(*) FROM results"), 1);
}
