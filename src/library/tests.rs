//! The library on real SQLite files in a temporary folder.

use std::path::{Path, PathBuf};

use super::*;

struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("ws-lib-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn finished(run: RunId, path: &Path, bpm: f64) -> FinishedFile {
    let (stamp, fingerprint) = (
        FileStamp::of(path).unwrap(),
        Fingerprint::of_file(path).unwrap(),
    );
    FinishedFile {
        run,
        pipeline_name: "p".into(),
        pipeline_hash: "h".into(),
        path: path.to_path_buf(),
        stamp,
        fingerprint: fingerprint.clone(),
        summary: ResultSummary {
            status: "completed".into(),
            ok: true,
            bpm: Some(bpm),
            analysis_s: 0.5,
            bpm_note: Some(format!("{bpm} (1.00) · {} (0.80)", bpm / 2.0)),
            ..ResultSummary::default()
        },
        record: format!("{{\"bpm\":{bpm}}}"),
        outputs: vec![NodeOutputRow {
            cache_key: format!("k-{fingerprint}"),
            output: "{}".into(),
        }],
        artifacts: vec![ArtifactRow {
            cache_key: format!("a-{fingerprint}"),
            bytes: Box::new(|| vec![1, 2, 3]),
        }],
    }
}

fn new_run(inputs: Vec<PathBuf>) -> NewRun {
    NewRun {
        pipeline_name: "p".into(),
        pipeline_hash: "h".into(),
        pipeline_text: "()".into(),
        program_version: "0".into(),
        inputs,
    }
}

#[test]
fn writes_results_outputs_and_artifacts_and_reads_them_back() {
    let dir = Dir::new("write");
    let audio = dir.0.join("a.wav");
    std::fs::write(&audio, b"not really audio").unwrap();
    let lib = Library::open(&dir.0.join("lib.sqlite")).unwrap();
    let w = lib.writer().unwrap();
    let run = w.begin_run(new_run(vec![audio.clone()])).unwrap();
    let f = finished(run, &audio, 120.0);
    let fp = f.fingerprint.clone();
    w.file_finished(f);
    w.finish_run(
        run,
        RunCounts {
            ok: 1,
            ..RunCounts::default()
        },
    );
    assert_eq!(w.close().unwrap().files, 1);

    let rows = lib.results(&ResultFilter::default()).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].summary.bpm, Some(120.0));
    assert_eq!(
        rows[0].summary.bpm_note.as_deref(),
        Some("120 (1.00) · 60 (0.80)")
    );
    assert_eq!(
        lib.node_output(&format!("k-{fp}")).unwrap().as_deref(),
        Some("{}")
    );
    assert_eq!(
        lib.artifacts(&format!("a-{fp}")).unwrap(),
        Some(vec![1, 2, 3])
    );
    let runs = lib.runs().unwrap();
    assert_eq!(runs[0].counts.ok, 1);
    assert!(runs[0].finished_ms.is_some());
    assert_eq!(lib.run_inputs(run).unwrap(), vec![audio.clone()]);
    let stamp = FileStamp::of(&audio).unwrap();
    assert_eq!(lib.known_fingerprint(&audio, stamp).unwrap(), Some(fp));
    assert_eq!(lib.integrity_check().unwrap(), "ok");
}

#[test]
fn one_current_result_per_pipeline_and_file_and_moves_are_recognised() {
    let dir = Dir::new("move");
    let a = dir.0.join("a.wav");
    std::fs::write(&a, b"content one").unwrap();
    let lib = Library::open(&dir.0.join("lib.sqlite")).unwrap();
    let w = lib.writer().unwrap();
    let run = w.begin_run(new_run(vec![a.clone()])).unwrap();
    w.file_finished(finished(run, &a, 100.0));
    w.file_finished(finished(run, &a, 101.0));
    // Moved: the same content under a new name, the old name gone.
    let b = dir.0.join("sub-b.wav");
    std::fs::rename(&a, &b).unwrap();
    w.file_finished(finished(run, &b, 102.0));
    w.close().unwrap();
    let rows = lib.results(&ResultFilter::default()).unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].path, b.display().to_string());
    assert_eq!(rows[0].summary.bpm, Some(102.0));
}

#[test]
fn filters_by_folder_and_forgets() {
    let dir = Dir::new("filter");
    let sub = dir.0.join("sub");
    std::fs::create_dir_all(&sub).unwrap();
    let a = dir.0.join("a.wav");
    let b = sub.join("b.wav");
    std::fs::write(&a, b"a").unwrap();
    std::fs::write(&b, b"b").unwrap();
    let lib = Library::open(&dir.0.join("lib.sqlite")).unwrap();
    let w = lib.writer().unwrap();
    let run = w.begin_run(new_run(vec![a.clone(), b.clone()])).unwrap();
    w.file_finished(finished(run, &a, 1.0));
    w.file_finished(finished(run, &b, 2.0));
    w.close().unwrap();
    let only_sub = ResultFilter {
        folder: Some(sub.clone()),
        ..ResultFilter::default()
    };
    let rows = lib.results(&only_sub).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].path, b.display().to_string());
    assert_eq!(lib.forget_files(std::slice::from_ref(&b)).unwrap(), 1);
    assert_eq!(lib.results(&ResultFilter::default()).unwrap().len(), 1);
    assert_eq!(lib.forget_run(run).unwrap(), 1);
    assert!(lib.results(&ResultFilter::default()).unwrap().is_empty());
}

/// A library written by the first release (schema 1) opens, gains the
/// tempo note column, and keeps its rows.
#[test]
fn a_version_one_library_is_migrated_in_place() {
    let dir = Dir::new("migrate");
    let path = dir.0.join("v1.sqlite");
    let audio = dir.0.join("a.wav");
    std::fs::write(&audio, b"not really audio").unwrap();
    {
        let lib = Library::open(&path).unwrap();
        let w = lib.writer().unwrap();
        let run = w.begin_run(new_run(vec![audio.clone()])).unwrap();
        w.file_finished(finished(run, &audio, 99.0));
        w.close().unwrap();
    }
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch(
            "ALTER TABLE results DROP COLUMN bpm_note;
             ALTER TABLE results DROP COLUMN key_note;
             PRAGMA user_version = 1;",
        )
        .unwrap();
    }
    let lib = Library::open(&path).unwrap();
    let rows = lib.results(&ResultFilter::default()).unwrap();
    assert_eq!(rows[0].summary.bpm, Some(99.0));
    assert_eq!(rows[0].summary.bpm_note, None);
    assert_eq!(rows[0].summary.key_note, None);
    assert_eq!(lib.integrity_check().unwrap(), "ok");
}

#[test]
fn newer_foreign_and_corrupt_files_are_refused_untouched() {
    let dir = Dir::new("refuse");
    let newer = dir.0.join("newer.sqlite");
    drop(Library::open(&newer).unwrap());
    {
        let c = rusqlite::Connection::open(&newer).unwrap();
        c.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
    }
    let before = std::fs::read(&newer).unwrap();
    let e = Library::open(&newer).unwrap_err();
    assert!(matches!(e, LibraryError::NewerSchema { .. }), "{e}");
    assert!(e.to_string().contains("newer.sqlite"), "{e}");
    assert_eq!(std::fs::read(&newer).unwrap(), before);

    let foreign = dir.0.join("foreign.sqlite");
    rusqlite::Connection::open(&foreign)
        .unwrap()
        .execute_batch("CREATE TABLE t (x)")
        .unwrap();
    let e = Library::open(&foreign).unwrap_err();
    assert!(matches!(e, LibraryError::Foreign { .. }), "{e}");

    let corrupt = dir.0.join("corrupt.sqlite");
    std::fs::write(&corrupt, vec![0x5au8; 8192]).unwrap();
    let e = Library::open(&corrupt).unwrap_err();
    assert!(matches!(e, LibraryError::Corrupt { .. }), "{e}");
    assert!(e.to_string().contains("corrupt.sqlite"), "{e}");
}

#[test]
fn a_full_database_fails_once_with_a_clear_error_and_keeps_earlier_rows() {
    let dir = Dir::new("full");
    let a = dir.0.join("a.wav");
    std::fs::write(&a, b"a").unwrap();
    let path = dir.0.join("lib.sqlite");
    let lib = Library::open(&path).unwrap();
    let w = lib.writer().unwrap();
    let run = w.begin_run(new_run(vec![a.clone()])).unwrap();
    w.file_finished(finished(run, &a, 1.0));
    w.close().unwrap();
    // The page limit stands in for a full disk: SQLite reports SQLITE_FULL.
    let conn = connect(&path).unwrap();
    let pages: i64 = conn
        .query_row("PRAGMA page_count", [], |r| r.get(0))
        .unwrap();
    conn.pragma_update(None, "max_page_count", pages).unwrap();
    let w = Writer::start(conn, &path).unwrap();
    let mut big = finished(run, &a, 2.0);
    big.record = "x".repeat(1 << 20);
    w.file_finished(big);
    let e = w.close().unwrap_err();
    assert!(matches!(e, LibraryError::DiskFull { .. }), "{e}");
    assert!(e.to_string().contains("lib.sqlite"), "{e}");
    let rows = lib.results(&ResultFilter::default()).unwrap();
    assert_eq!(
        rows[0].summary.bpm,
        Some(1.0),
        "the failed group left no half record"
    );
}

#[test]
fn many_openers_of_a_new_library_at_once_all_succeed() {
    let dir = Dir::new("race");
    let path = dir.0.join("new.sqlite");
    let threads: Vec<_> = (0..6)
        .map(|_| {
            let path = path.clone();
            std::thread::spawn(move || Library::open(&path).map(|_| ()))
        })
        .collect();
    for t in threads {
        t.join().unwrap().unwrap();
    }
    let lib = Library::open(&path).unwrap();
    assert_eq!(lib.integrity_check().unwrap(), "ok");
    let mode: String = connect(&path)
        .unwrap()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn two_writers_at_once_lose_nothing() {
    let dir = Dir::new("writers");
    let path = dir.0.join("lib.sqlite");
    let lib = Library::open(&path).unwrap();
    let files: Vec<PathBuf> = (0..80)
        .map(|i| {
            let p = dir.0.join(format!("f{i}.wav"));
            std::fs::write(&p, format!("content {i}")).unwrap();
            p
        })
        .collect();
    let halves: Vec<Vec<PathBuf>> = files.chunks(40).map(<[PathBuf]>::to_vec).collect();
    let threads: Vec<_> = halves
        .into_iter()
        .map(|half| {
            let lib = Library::open(&path).unwrap();
            std::thread::spawn(move || {
                let w = lib.writer().unwrap();
                let run = w.begin_run(new_run(half.clone())).unwrap();
                for f in &half {
                    w.file_finished(finished(run, f, 1.0));
                    // Interleave the two writers' transactions.
                    std::thread::sleep(std::time::Duration::from_millis(1));
                }
                w.close().unwrap()
            })
        })
        .collect();
    for t in threads {
        assert_eq!(t.join().unwrap().files, 40);
    }
    assert_eq!(lib.results(&ResultFilter::default()).unwrap().len(), 80);
    assert_eq!(lib.runs().unwrap().len(), 2);
}
