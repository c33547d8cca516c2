//! A library that refuses damage (issue 23, items 3, 5 and 11): damaged
//! pages are found before anything is written and `library check|repair`
//! says and saves what is readable; an empty file is no library; a
//! read-only library is still read; each pipeline's text is stored once.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap in a test is a failed test"
)]

mod common;
mod safety;

use std::io::{Seek, SeekFrom, Write};
use std::path::Path;
use std::process::Command;

use common::signal::TempDir;
use safety::{bin, bytes, count, s, songs, strings, text};
use serde_json::Value;

/// Runs `files` into `db`; must succeed.
fn stored_run(db: &Path, files: &[std::path::PathBuf]) {
    let o = bin()
        .args(["run", "--db"])
        .arg(db)
        .args(files)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
}

/// Overwrites the first page of `table`'s b-tree with garbage, as a bad
/// sector or a torn copy would.
fn damage(db: &Path, table: &str) {
    let c = rusqlite::Connection::open(db).unwrap();
    c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
    let page_size: i64 = c.query_row("PRAGMA page_size", [], |r| r.get(0)).unwrap();
    let root: i64 = c
        .query_row(
            "SELECT rootpage FROM sqlite_master WHERE name = ?1",
            [table],
            |r| r.get(0),
        )
        .unwrap();
    drop(c);
    let mut f = std::fs::OpenOptions::new().write(true).open(db).unwrap();
    f.seek(SeekFrom::Start(((root - 1) * page_size) as u64))
        .unwrap();
    f.write_all(&vec![0xA5; page_size as usize]).unwrap();
}

#[test]
fn a_damaged_library_is_refused_unchanged_and_repair_saves_what_reads() {
    let dir = TempDir::new("libsafe-damage");
    let files = songs(&dir, "d", 4, 2.0);
    let db = dir.path("lib.sqlite");
    stored_run(&db, &files);
    damage(&db, "node_outputs");
    let before = bytes(&db);

    // The same run again: the damage sits where a rerun reads its cache.
    let out = dir.path("again.json");
    let o = bin()
        .args(["run", "--db"])
        .arg(&db)
        .arg("--out")
        .arg(&out)
        .args(&files)
        .output()
        .unwrap();
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("is damaged") && err.contains("library check"),
        "{err}"
    );
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(
        doc["results"].as_array().unwrap().len(),
        4,
        "analysed anyway"
    );
    assert_eq!(bytes(&db), before, "a damaged library is never written");

    let o = bin().args(["results", "--db"]).arg(&db).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("is damaged"),
        "{}",
        text(&o.stderr)
    );

    let o = bin()
        .args(["library", "check", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    let report = text(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{report}{}", text(&o.stderr));
    assert!(
        report.contains("damaged") && report.contains("problem:"),
        "{report}"
    );
    let line = |name: &str| {
        report
            .lines()
            .find(|l| l.trim_start().starts_with(name))
            .unwrap()
            .to_string()
    };
    assert!(line("results").contains("4 readable"), "{report}");
    assert!(line("node_outputs").contains("unreadable"), "{report}");

    let new = dir.path("repaired.sqlite");
    let o = bin()
        .args(["library", "repair", "--db"])
        .arg(&db)
        .arg(&new)
        .output()
        .unwrap();
    let report = text(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(1),
        "rows were lost: {report}{}",
        text(&o.stderr)
    );
    assert!(report.contains("repaired into"), "{report}");
    assert_eq!(bytes(&db), before, "repair only reads");
    let o = bin().args(["results", "--db"]).arg(&new).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["results"].as_array().unwrap().len(), 4);
    let o = bin()
        .args(["library", "check", "--db"])
        .arg(&new)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stdout));
    // The repaired library takes a rerun: the lost node outputs are
    // computed again.
    stored_run(&new, &files);
}

#[test]
fn damaged_stored_decodes_are_found_before_the_first_write() {
    let dir = TempDir::new("libsafe-decodes");
    let files = songs(&dir, "a", 3, 2.0);
    let db = dir.path("lib.sqlite");
    stored_run(&db, &files);
    damage(&db, "artifacts");
    let before = bytes(&db);
    // A rerun after a new file: its results would be written.
    let more = songs(&dir, "b", 1, 2.0);
    let o = bin()
        .args(["run", "--db"])
        .arg(&db)
        .args(&files)
        .args(&more)
        .output()
        .unwrap();
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("is damaged") && err.contains("not stored"),
        "{err}"
    );
    assert_eq!(bytes(&db), before, "nothing was written");
    let o = bin()
        .args(["library", "check", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stdout));
}

#[test]
fn an_empty_file_is_not_a_library() {
    let dir = TempDir::new("libsafe-empty");
    let files = songs(&dir, "z", 1, 1.5);
    let empty = dir.path("empty.sqlite");
    std::fs::write(&empty, b"").unwrap();
    let o = bin()
        .args(["results", "--db"])
        .arg(&empty)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("is an empty file"),
        "{}",
        text(&o.stderr)
    );
    let o = bin()
        .args(["run", "--db"])
        .arg(&empty)
        .args(&files)
        .output()
        .unwrap();
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("is an empty file") && err.contains("not stored"),
        "{err}"
    );
    assert_eq!(
        std::fs::metadata(&empty).unwrap().len(),
        0,
        "left as it was"
    );
}

#[test]
fn a_read_only_library_is_read_and_says_nothing_is_stored() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new("libsafe-ro");
    let files = songs(&dir, "r", 2, 1.5);
    let folder = dir.path("ro");
    std::fs::create_dir_all(&folder).unwrap();
    let db = folder.join("lib.sqlite");
    stored_run(&db, &files);
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).unwrap();
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o555)).unwrap();
    // Root ignores file modes: run without the capabilities that let it.
    let o = Command::new("setpriv")
        .args(["--bounding-set", "-dac_override,-dac_read_search"])
        .arg(env!("CARGO_BIN_EXE_wave-studio"))
        .args(["results", "--format", "jsonl", "--db"])
        .arg(&db)
        .env_remove("WAVE_STUDIO_DB")
        .output()
        .unwrap();
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o755)).unwrap();
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("nothing will be stored"), "{err}");
    assert_eq!(text(&o.stdout).lines().count(), 2, "{}", text(&o.stdout));
}

#[test]
fn each_pipeline_text_is_stored_once_and_huge_pipeline_files_are_refused() {
    let dir = TempDir::new("libsafe-text");
    let files = songs(&dir, "p", 1, 1.5);
    let default = std::fs::read_to_string("pipelines/default.ron").unwrap();
    let long = "x".repeat(600_000);
    let big = default.replacen("description: \"", &format!("description: \"{long}"), 1);
    let pipeline = dir.path("big.ron");
    std::fs::write(&pipeline, &big).unwrap();
    let db = dir.path("lib.sqlite");
    let mut args = vec![s(&pipeline)];
    args.extend(strings(&files));
    let size = || std::fs::metadata(&db).unwrap().len();
    let mut sizes = Vec::new();
    for _ in 0..3 {
        let o = bin()
            .args(["run", "--db"])
            .arg(&db)
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        sizes.push(size());
    }
    println!("library sizes after each run: {sizes:?}");
    assert!(
        sizes[2] - sizes[0] < 100_000,
        "two more runs grew it by {}",
        sizes[2] - sizes[0]
    );
    assert_eq!(count(&db, "SELECT count(*) FROM runs"), 3);
    assert_eq!(count(&db, "SELECT count(*) FROM pipelines"), 1);
    assert!(count(&db, "SELECT length(text) FROM pipelines") > 600_000);
    assert_eq!(
        count(&db, "SELECT count(*) FROM runs WHERE pipeline_text != ''"),
        0
    );

    let huge = dir.path("huge.ron");
    let long = "x".repeat(1_100_000);
    std::fs::write(
        &huge,
        default.replacen("description: \"", &format!("description: \"{long}"), 1),
    )
    .unwrap();
    let o = bin()
        .args(["run", "--no-db"])
        .arg(&huge)
        .args(&files)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("over the limit of 1048576 bytes"),
        "{}",
        text(&o.stderr)
    );
    let o = bin().arg("check").arg(&huge).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("over the limit"),
        "{}",
        text(&o.stderr)
    );
}
