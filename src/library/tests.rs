//! The library on real SQLite files in a temporary folder.

use std::collections::BTreeSet;
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
            series: vec![("beats".into(), vec![7, 8, 9].into())],
        }],
        artifacts: vec![ArtifactRow {
            cache_key: format!("a-{fingerprint}"),
            bytes: Box::new(|| vec![1, 2, 3]),
        }],
        node_keys: vec![("tempo".into(), format!("k-{fingerprint}"))],
    }
}

fn new_run(inputs: Vec<PathBuf>) -> NewRun {
    NewRun {
        pipeline_name: "p".into(),
        pipeline_hash: "h".into(),
        pipeline_text: "()".into(),
        program_version: "0".into(),
        inputs,
        shard: None,
        host: None,
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
    let mut f = f;
    f.summary.bpm_confidence = Some(0.5);
    f.summary.key_confidence = Some(0.75);
    f.summary.key_runner_up = Some("C major".into());
    f.summary.skipped = vec!["k: `q` reached quality 0.960".into()];
    f.summary.loudness_range_lu = Some(7.25);
    f.summary.true_peak_dbtp = Some(-1.5);
    f.summary.loudness_compliant = Some(true);
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
    // The hover's figures, from the `details` column.
    let s = &rows[0].summary;
    assert_eq!(
        (s.bpm_confidence, s.key_confidence),
        (Some(0.5), Some(0.75))
    );
    assert_eq!(s.key_runner_up.as_deref(), Some("C major"));
    assert_eq!(s.skipped, ["k: `q` reached quality 0.960"]);
    assert_eq!(
        (s.loudness_range_lu, s.true_peak_dbtp),
        (Some(7.25), Some(-1.5))
    );
    assert_eq!(s.loudness_compliant, Some(true));
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
             ALTER TABLE runs DROP COLUMN shard_index;
             ALTER TABLE runs DROP COLUMN shard_count;
             ALTER TABLE runs DROP COLUMN host;
             ALTER TABLE results DROP COLUMN partial_note;
             ALTER TABLE results DROP COLUMN details;
             ALTER TABLE results DROP COLUMN node_keys;
             DROP TABLE series;
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
    let w = Writer::start(conn, &path, Default::default()).unwrap();
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

/// A library of schema 2 opens, gains the shard and host columns (empty
/// for its old runs), keeps its rows, and records both for new runs.
#[test]
fn a_version_two_library_is_migrated_to_record_shards_and_hosts() {
    let dir = Dir::new("migrate3");
    let path = dir.0.join("v2.sqlite");
    let audio = dir.0.join("a.wav");
    std::fs::write(&audio, b"not really audio").unwrap();
    {
        let lib = Library::open(&path).unwrap();
        let w = lib.writer().unwrap();
        let run = w.begin_run(new_run(vec![audio.clone()])).unwrap();
        w.file_finished(finished(run, &audio, 98.0));
        w.close().unwrap();
    }
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch(
            "ALTER TABLE runs DROP COLUMN shard_index;
             ALTER TABLE runs DROP COLUMN shard_count;
             ALTER TABLE runs DROP COLUMN host;
             ALTER TABLE results DROP COLUMN partial_note;
             ALTER TABLE results DROP COLUMN details;
             ALTER TABLE results DROP COLUMN node_keys;
             DROP TABLE series;
             PRAGMA user_version = 2;",
        )
        .unwrap();
    }
    let lib = Library::open(&path).unwrap();
    let runs = lib.runs().unwrap();
    assert_eq!((runs[0].shard, runs[0].host.as_deref()), (None, None));
    assert_eq!(
        lib.results(&ResultFilter::default()).unwrap()[0]
            .summary
            .bpm,
        Some(98.0)
    );
    let w = lib.writer().unwrap();
    let shard = Shard { index: 2, count: 5 };
    w.begin_run(NewRun {
        shard: Some(shard),
        host: Some("node-3".into()),
        ..new_run(Vec::new())
    })
    .unwrap();
    w.close().unwrap();
    let newest = &lib.runs().unwrap()[0];
    assert_eq!(newest.shard, Some(shard));
    assert_eq!(newest.host.as_deref(), Some("node-3"));
    let version: i64 = connect(&path)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    assert_eq!(lib.integrity_check().unwrap(), "ok");
}

/// A library of schema 3 gains `partial_note`, filled in from the stored
/// records: a truncated file's reason, nothing for a whole one; new
/// results keep theirs.
#[test]
fn a_version_three_library_learns_which_results_are_partial() {
    let dir = Dir::new("migrate4");
    let path = dir.0.join("v3.sqlite");
    let (cut, whole) = (dir.0.join("cut.wav"), dir.0.join("whole.wav"));
    std::fs::write(&cut, b"cut").unwrap();
    std::fs::write(&whole, b"whole").unwrap();
    {
        let lib = Library::open(&path).unwrap();
        let w = lib.writer().unwrap();
        let run = w.begin_run(new_run(vec![dir.0.clone()])).unwrap();
        let mut partial = finished(run, &cut, 120.0);
        partial.record =
            r#"{"bpm":120.0,"partial":true,"partial_reason":"the file ends mid-frame"}"#.into();
        w.file_finished(partial);
        w.file_finished(finished(run, &whole, 90.0));
        w.close().unwrap();
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch(
            "ALTER TABLE results DROP COLUMN partial_note;
             ALTER TABLE results DROP COLUMN details;
             ALTER TABLE results DROP COLUMN node_keys;
             DROP TABLE series;
             PRAGMA user_version = 3;",
        )
        .unwrap();
    }
    let lib = Library::open(&path).unwrap();
    let notes: Vec<(String, Option<String>)> = lib
        .results(&ResultFilter::default())
        .unwrap()
        .into_iter()
        .map(|r| (r.path, r.summary.partial_note))
        .collect();
    let note = |name: &str| {
        notes
            .iter()
            .find(|(p, _)| p.ends_with(name))
            .map(|(_, n)| n.clone())
            .unwrap()
    };
    assert_eq!(note("cut.wav").as_deref(), Some("the file ends mid-frame"));
    assert_eq!(note("whole.wav"), None);

    let w = lib.writer().unwrap();
    let run = w.begin_run(new_run(vec![dir.0.clone()])).unwrap();
    let mut again = finished(run, &whole, 91.0);
    again.summary.partial_note = Some("decoding stopped early".into());
    w.file_finished(again);
    w.close().unwrap();
    let rows = lib.results(&ResultFilter::default()).unwrap();
    let row = rows.iter().find(|r| r.path.ends_with("whole.wav")).unwrap();
    assert_eq!(
        row.summary.partial_note.as_deref(),
        Some("decoding stopped early")
    );
}

/// One shard's library with `files` (each `bpm`), run as shard `index`.
fn shard_library(dir: &Dir, index: u32, files: &[PathBuf], bpm: f64) -> PathBuf {
    let path = dir.0.join(format!("shard-{index}.sqlite"));
    let lib = Library::open(&path).unwrap();
    let w = lib.writer().unwrap();
    let run = w
        .begin_run(NewRun {
            shard: Some(Shard { index, count: 2 }),
            host: Some(format!("node-{index}")),
            ..new_run(files.to_vec())
        })
        .unwrap();
    for f in files {
        w.file_finished(finished(run, f, bpm));
    }
    w.finish_run(run, RunCounts::default());
    w.close().unwrap();
    path
}

#[test]
fn merging_shards_copies_every_row_once_and_a_second_merge_changes_nothing() {
    let dir = Dir::new("merge");
    let files: Vec<PathBuf> = (0..6)
        .map(|i| {
            let p = dir.0.join(format!("f{i}.wav"));
            std::fs::write(&p, format!("content {i}")).unwrap();
            p
        })
        .collect();
    let a = shard_library(&dir, 0, &files[..4], 100.0);
    let b = shard_library(&dir, 1, &files[4..], 120.0);
    let source = read_source(&a).unwrap();
    assert_eq!(source.results.len(), 4);
    assert_eq!(source.inputs.len(), 4);
    assert_eq!(source.runs[0].shard, Some(Shard { index: 0, count: 2 }));
    let before = std::fs::read(&a).unwrap();

    let out = Library::open(&dir.0.join("merged.sqlite")).unwrap();
    let first = out.merge_from(&a).unwrap();
    assert_eq!((first.runs, first.results), (1, 4));
    assert_eq!((first.node_outputs, first.artifacts), (4, 4));
    assert_eq!(first.series, 4);
    out.merge_from(&b).unwrap();
    let again = out.merge_from(&b).unwrap();
    assert_eq!(again.runs, 0, "a run already merged is not copied again");
    assert_eq!((again.node_outputs, again.artifacts), (0, 0));
    assert_eq!(again.series, 0);
    // The merged results find their series.
    let found = out.series_of(&files[5], None).unwrap().unwrap();
    assert_eq!(found.series.len(), 1);

    let rows = out.results(&ResultFilter::default()).unwrap();
    assert_eq!(rows.len(), 6);
    let bpms: Vec<_> = rows.iter().map(|r| r.summary.bpm.unwrap()).collect();
    assert_eq!(bpms, [100.0, 100.0, 100.0, 100.0, 120.0, 120.0]);
    let runs = out.runs().unwrap();
    assert_eq!(runs.len(), 2);
    let hosts: BTreeSet<_> = runs.iter().filter_map(|r| r.host.clone()).collect();
    assert_eq!(hosts.len(), 2);
    // Every result points at a merged run of its own shard.
    for r in &rows {
        let run = runs.iter().find(|run| run.id == r.run).unwrap();
        let expected = if r.summary.bpm == Some(100.0) { 0 } else { 1 };
        assert_eq!(run.shard.unwrap().index, expected);
    }
    assert_eq!(
        std::fs::read(&a).unwrap(),
        before,
        "a source is never changed"
    );
    assert_eq!(out.integrity_check().unwrap(), "ok");
}

#[test]
fn a_later_result_wins_a_merge_and_an_old_library_is_refused_as_a_source() {
    let dir = Dir::new("merge-newer");
    let f = dir.0.join("f.wav");
    std::fs::write(&f, b"same file in both").unwrap();
    let old = shard_library(&dir, 0, std::slice::from_ref(&f), 90.0);
    std::thread::sleep(std::time::Duration::from_millis(5));
    let new = shard_library(&dir, 1, std::slice::from_ref(&f), 91.0);
    let out = Library::open(&dir.0.join("merged.sqlite")).unwrap();
    out.merge_from(&new).unwrap();
    out.merge_from(&old).unwrap();
    let rows = out.results(&ResultFilter::default()).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].summary.bpm, Some(91.0), "the later result stays");

    rusqlite::Connection::open(&old)
        .unwrap()
        .pragma_update(None, "user_version", 2)
        .unwrap();
    let e = read_source(&old).unwrap_err();
    assert!(
        matches!(e, LibraryError::OtherSchema { found: 2, .. }),
        "{e}"
    );
    assert!(e.to_string().contains("shard-0.sqlite"), "{e}");
    let e = read_source(&dir.0.join("absent.sqlite")).unwrap_err();
    assert!(e.to_string().contains("absent.sqlite"), "{e}");
}

#[test]
fn a_version_five_library_learns_the_hover_details_from_its_records() {
    let dir = Dir::new("migrate5");
    let path = dir.0.join("v5.sqlite");
    let song = dir.0.join("a.wav");
    std::fs::write(&song, b"a").unwrap();
    {
        let lib = Library::open(&path).unwrap();
        let w = lib.writer().unwrap();
        let run = w.begin_run(new_run(vec![dir.0.clone()])).unwrap();
        let mut f = finished(run, &song, 120.0);
        f.record = r#"{"bpm":120.0,"bpm_confidence":0.8,"key_confidence":0.6,
            "key_runner_up":"E minor","skipped":["key_refine: `confidence` reached quality 0.950"],
            "beats":[0.5,1.0],"loudness_range_lu":6.5,"true_peak_dbtp":-0.4,
            "loudness_compliant":false,"loudness_issues":["true peak -0.4 dBTP is not below -1.0 dBTP"]}"#
            .into();
        w.file_finished(f);
        w.close().unwrap();
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch(
            "ALTER TABLE results DROP COLUMN details;
             ALTER TABLE results DROP COLUMN node_keys;
             DROP TABLE series;
             PRAGMA user_version = 5;",
        )
        .unwrap();
    }
    let lib = Library::open(&path).unwrap();
    let rows = lib.results(&ResultFilter::default()).unwrap();
    let s = &rows[0].summary;
    assert_eq!((s.bpm_confidence, s.key_confidence), (Some(0.8), Some(0.6)));
    assert_eq!(s.key_runner_up.as_deref(), Some("E minor"));
    assert_eq!(
        s.skipped,
        ["key_refine: `confidence` reached quality 0.950"]
    );
    assert_eq!(
        (s.loudness_range_lu, s.true_peak_dbtp),
        (Some(6.5), Some(-0.4))
    );
    assert_eq!(s.loudness_compliant, Some(false));
    assert_eq!(
        s.loudness_issues,
        ["true peak -0.4 dBTP is not below -1.0 dBTP"]
    );
}

#[test]
fn series_are_found_by_result_and_forgotten_with_their_file() {
    let dir = Dir::new("series");
    let audio = dir.0.join("a.wav");
    let other = dir.0.join("b.wav");
    std::fs::write(&audio, b"one").unwrap();
    std::fs::write(&other, b"two").unwrap();
    let lib = Library::open(&dir.0.join("lib.sqlite")).unwrap();
    let w = lib.writer().unwrap();
    let run = w
        .begin_run(new_run(vec![audio.clone(), other.clone()]))
        .unwrap();
    w.file_finished(finished(run, &audio, 120.0));
    let mut cached = finished(run, &other, 90.0);
    // A result whose node came from the store names its key all the same.
    cached.outputs.clear();
    cached.node_keys = vec![("tempo".into(), "k-elsewhere".into())];
    w.file_finished(cached);
    w.finish_run(run, RunCounts::default());
    w.close().unwrap();

    let found = lib.series_of(&audio, None).unwrap().unwrap();
    assert_eq!(
        (found.pipeline_name.as_str(), found.pipeline_hash.as_str()),
        ("p", "h")
    );
    assert_eq!(
        found.series,
        [StoredSeries {
            node: "tempo".into(),
            kind: "beats".into(),
            data: vec![7, 8, 9],
        }]
    );
    assert!(lib.series_of(&audio, Some("other")).unwrap().is_none());
    // Nothing stored under the other result's key: no series, no error.
    assert!(
        lib.series_of(&other, None)
            .unwrap()
            .unwrap()
            .series
            .is_empty()
    );
    let fp = Fingerprint::of_file(&audio).unwrap();
    assert_eq!(lib.node_series(&format!("k-{fp}")).unwrap().len(), 1);

    lib.forget_files(std::slice::from_ref(&audio)).unwrap();
    assert!(lib.series_of(&audio, None).unwrap().is_none());
    assert!(lib.node_series(&format!("k-{fp}")).unwrap().is_empty());
}
