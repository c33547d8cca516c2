//! The results library under real runs: a rerun answers from the store, an
//! edit recomputes only the edited node and those after it, a moved file
//! is the same file and an edited one is new.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap in a test is a failed test"
)]

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use common::signal::{TempDir, groove, stereo, write_wav};
use wave_studio::library::{Library, ResultFilter};
use wave_studio::pipeline::{self, Operation, PipelineDocument};
use wave_studio::run::{FileResult, PipelineRunner};

async fn run(doc: &PipelineDocument, lib: &Arc<Library>, files: Vec<PathBuf>) -> Vec<FileResult> {
    let runner = PipelineRunner::with_library(
        doc,
        None,
        tokio::runtime::Handle::current(),
        Some(lib.clone()),
    )
    .unwrap();
    let mut run = runner.start(files, 2);
    let mut out = Vec::new();
    while let Some(r) = run.results.recv().await {
        out.push(r);
    }
    run.done.await.unwrap();
    let store = run.store.unwrap().get();
    assert!(store.closed && store.error.is_none(), "{store:?}");
    assert_eq!(runner.artifacts_in_flight(), 0);
    runner.orchestrator().shutdown().await;
    out.sort_by(|a, b| a.file.cmp(&b.file));
    out
}

fn rows(lib: &Path, table: &str) -> i64 {
    let c = rusqlite::Connection::open(lib).unwrap();
    c.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

fn songs(dir: &TempDir) -> Vec<PathBuf> {
    [100.0, 128.0]
        .iter()
        .enumerate()
        .map(|(i, bpm)| {
            let p = dir.path(&format!("song{i}.wav"));
            write_wav(&p, &stereo(&groove(*bpm, 12.0, i as u64)), 2, 44_100);
            p
        })
        .collect()
}

/// The values a user sees, without the timing that differs per run.
fn answers(r: &[FileResult]) -> Vec<serde_json::Value> {
    r.iter()
        .map(|r| {
            let mut v = serde_json::to_value(&r.values).unwrap();
            v.as_object_mut().unwrap().remove("file");
            v
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rerun_and_one_node_edit_reuse_the_store() {
    let dir = TempDir::new("libcache");
    let files = songs(&dir);
    let db = dir.path("lib.sqlite");
    let lib = Library::open(&db).unwrap();
    let doc = pipeline::default_document().unwrap();
    let nodes = doc.nodes.len() as i64;

    let first = run(&doc, &lib, files.clone()).await;
    assert!(first.iter().all(|r| r.ok && !r.cached), "{first:?}");
    assert_eq!(rows(&db, "node_outputs"), 2 * nodes);
    assert_eq!(rows(&db, "artifacts"), 2);
    assert_eq!(rows(&db, "results"), 2);

    // The same run again: every node from the store, the same answers.
    let again = run(&doc, &lib, files.clone()).await;
    assert!(again.iter().all(|r| r.cached), "{again:?}");
    assert_eq!(answers(&again), answers(&first));
    assert_eq!(rows(&db, "node_outputs"), 2 * nodes, "nothing recomputed");
    assert_eq!(rows(&db, "results"), 2, "one current result per file");

    // Edit the tempo range: tempo and what follows it are recomputed from
    // the stored artifacts (no decode), the rest comes from the store.
    let mut edited = doc.clone();
    let tempo = edited
        .nodes
        .iter_mut()
        .find(|n| matches!(n.operation, Operation::Tempo { refine: false, .. }))
        .unwrap();
    if let Operation::Tempo { max_bpm, .. } = &mut tempo.operation {
        *max_bpm = 190.0;
    }
    let changed = pipeline::cache::node_keys(&edited)
        .iter()
        .filter(|(id, k)| pipeline::cache::node_keys(&doc)[*id] != **k)
        .count() as i64;
    assert!(changed > 0 && changed < nodes);
    let third = run(&edited, &lib, files.clone()).await;
    assert!(third.iter().all(|r| r.ok && !r.cached), "{third:?}");
    assert_eq!(rows(&db, "node_outputs"), 2 * (nodes + changed));
    assert_eq!(rows(&db, "artifacts"), 2, "no decode ran");
    for (a, b) in third.iter().zip(&first) {
        assert_eq!(a.value("bpm"), b.value("bpm"));
        assert_eq!(a.value("key"), b.value("key"));
    }
    assert_eq!(lib.integrity_check().unwrap(), "ok");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_moved_file_is_the_same_and_an_edited_one_is_new() {
    let dir = TempDir::new("libmove");
    let files = songs(&dir);
    let db = dir.path("lib.sqlite");
    let lib = Library::open(&db).unwrap();
    let doc = pipeline::default_document().unwrap();
    run(&doc, &lib, files.clone()).await;
    let outputs = rows(&db, "node_outputs");

    let moved = dir.path("renamed.wav");
    std::fs::rename(&files[0], &moved).unwrap();
    let r = run(&doc, &lib, vec![moved.clone()]).await;
    assert!(r[0].cached, "{r:?}");
    assert_eq!(r[0].file, moved.display().to_string());
    assert_eq!(rows(&db, "node_outputs"), outputs);
    let all = lib.results(&ResultFilter::default()).unwrap();
    assert_eq!(all.len(), 2, "the moved file kept its one result: {all:?}");
    assert!(all.iter().any(|r| r.path == moved.display().to_string()));

    // Edited in place: new content, so analysed again.
    write_wav(&files[1], &stereo(&groove(90.0, 12.0, 9)), 2, 44_100);
    let r = run(&doc, &lib, vec![files[1].clone()]).await;
    assert!(!r[0].cached, "{r:?}");
    assert!(rows(&db, "node_outputs") > outputs);
}
