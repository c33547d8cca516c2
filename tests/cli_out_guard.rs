//! `--out` never destroys the user's data (issue 23, item 1): it is refused
//! when it names the library, a shard, the pipeline or an audio file being
//! read (however spelled), and an existing `--out` keeps its content until
//! the new results are complete.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap in a test is a failed test"
)]

mod common;
mod safety;

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use common::signal::TempDir;
use safety::{bin, bytes, names, run, s, songs, strings, text};

/// Checks that `args` exit 2 naming `what`, and that `file` is unchanged.
fn refused(args: &[&str], what: &str, file: &std::path::Path) {
    let before = bytes(file);
    let o = run(args);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
    assert!(
        err.contains("refusing to write --out") && err.contains(what),
        "{args:?}: {err}"
    );
    assert_eq!(
        bytes(file),
        before,
        "{args:?}: {} unchanged",
        file.display()
    );
}

#[test]
fn out_is_refused_when_it_is_the_library_a_shard_the_pipeline_or_an_input() {
    let dir = TempDir::new("guard-refuse");
    let files = songs(&dir, "g", 2, 1.5);
    let db = dir.path("lib.sqlite");
    let mut first = vec!["run".to_string(), "--db".into(), s(&db)];
    first.extend(strings(&files));
    let o = bin().args(&first).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let (db, song) = (s(&db), s(&files[0]));

    refused(
        &["run", "--db", &db, "--out", &db, &song],
        "results library",
        dir.0.join("lib.sqlite").as_path(),
    );
    // Another spelling of the same file.
    let dotted = format!("{}/./sub/../lib.sqlite", dir.0.display());
    std::fs::create_dir_all(dir.path("sub")).unwrap();
    refused(
        &["results", "--db", &db, "--out", &dotted],
        "results library",
        &dir.path("lib.sqlite"),
    );
    refused(
        &["results", "--runs", "--db", &db, "--out", &db],
        "results library",
        &dir.path("lib.sqlite"),
    );
    refused(
        &["run", "--no-db", &song, "--out", &song],
        "an input file",
        &files[0],
    );
    // A symlink to an audio file inside an input folder being read.
    let link = dir.path("link.json");
    std::os::unix::fs::symlink(&files[1], &link).unwrap();
    refused(
        &["run", "--no-db", &s(&dir.0), "--out", &s(&link)],
        "an input file",
        &files[1],
    );
    let pipeline = dir.path("p.ron");
    std::fs::copy("pipelines/default.ron", &pipeline).unwrap();
    refused(
        &[
            "run",
            "--no-db",
            &s(&pipeline),
            &song,
            "--out",
            &s(&pipeline),
        ],
        "the pipeline file",
        &pipeline,
    );
    let merged = s(&dir.path("merged.sqlite"));
    refused(
        &["merge", &merged, &db, "--out", &db],
        "a shard being merged",
        &dir.path("lib.sqlite"),
    );
    assert!(!dir.path("merged.sqlite").exists(), "nothing merged");
    assert!(
        !names(&dir.0).iter().any(|n| n.ends_with(".tmp")),
        "no temporary file left: {:?}",
        names(&dir.0)
    );
}

#[test]
fn an_existing_out_keeps_its_content_until_the_results_are_complete() {
    let dir = TempDir::new("guard-stage");
    let files = songs(&dir, "t", 8, 3.0);
    let out = dir.path("results.jsonl");
    std::fs::write(&out, "the previous results\n").unwrap();
    let mut args = vec!["run", "--no-db", "--jobs", "1", "--format", "jsonl"];
    let out_s = s(&out);
    args.extend(["--out", &out_s]);
    let names_s = strings(&files);
    args.extend(names_s.iter().map(String::as_str));
    let mut child = bin()
        .args(&args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut seen = Vec::new();
    for line in lines.map_while(Result::ok) {
        if line.starts_with("[2/8]") {
            // Two files streamed, six to go: the old file is still whole.
            assert_eq!(
                std::fs::read_to_string(&out).unwrap(),
                "the previous results\n"
            );
        }
        seen.push(line);
    }
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{seen:?}");
    let written = std::fs::read_to_string(&out).unwrap();
    assert_eq!(written.lines().count(), 8, "{written}");
    for line in written.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["ok"], true);
    }
    assert!(!names(&dir.0).iter().any(|n| n.ends_with(".tmp")));
}
