//! The real binary with the results library: a SIGKILL then a rerun, three
//! writers on one database, broken libraries that never stop a run, and
//! `results`/`forget` against what `run` wrote.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap in a test is a failed test"
)]

mod common;
mod safety;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::signal::TempDir;
use safety::songs;
use serde_json::Value;

/// The binary with no display and no library from the environment.
fn wave_studio() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_wave-studio"));
    c.env_remove("DISPLAY").env_remove("WAVE_STUDIO_DB");
    c
}

fn output(args: &[&str]) -> Output {
    wave_studio().args(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn strings(paths: &[PathBuf]) -> Vec<String> {
    paths.iter().map(|p| p.display().to_string()).collect()
}

/// A read-only look at the database, `None` while it cannot answer.
fn query(db: &Path, sql: &str) -> Option<i64> {
    let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY;
    let c = rusqlite::Connection::open_with_flags(db, flags).ok()?;
    c.busy_timeout(Duration::from_secs(5)).ok()?;
    c.query_row(sql, [], |r| r.get(0)).ok()
}

fn stored_results(db: &Path) -> i64 {
    query(db, "SELECT count(*) FROM results").unwrap_or(0)
}

fn json_lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn a_sigkilled_run_resumes_without_analysing_a_finished_file_again() {
    let dir = TempDir::new("lib-kill");
    let files = songs(&dir, "k", 30, 3.0);
    let db = dir.path("lib.sqlite");
    let out = dir.path("second.jsonl");
    let mut args = vec!["run".to_string(), "--db".into(), db.display().to_string()];
    args.extend(["--jobs", "2", "--format", "jsonl"].map(String::from));
    args.extend(strings(&files));

    let mut child = wave_studio()
        .args(&args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while stored_results(&db) < 5 {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no results stored"
        );
        assert!(child.try_wait().unwrap().is_none(), "the run ended early");
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let before = stored_results(&db);
    assert!((5..30).contains(&before), "{before} results at the kill");
    let unfinished = "SELECT count(*) FROM runs WHERE finished_ms IS NULL";
    assert_eq!(
        query(&db, unfinished),
        Some(1),
        "the killed run never finished"
    );

    // The same command again.
    let again = wave_studio()
        .args(&args)
        .args(["--out", &out.display().to_string()])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stderr));
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 30);
    let computed = lines.iter().filter(|l| l["cached"] == false).count();
    assert_eq!(
        computed as i64,
        30 - before,
        "only files without a stored result are analysed"
    );
    assert!(lines.iter().all(|l| l["ok"] == true));
    assert_eq!(stored_results(&db), 30);
    let distinct = "SELECT count(DISTINCT file_id) FROM results";
    assert_eq!(query(&db, distinct), Some(30), "one result per file");
    let c = rusqlite::Connection::open(&db).unwrap();
    let check: String = c
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_cli_runs_and_the_app_runner_write_one_library_at_once() {
    use wave_studio::library::{Library, ResultFilter};
    use wave_studio::pipeline;
    use wave_studio::run::PipelineRunner;
    let dir = TempDir::new("lib-writers");
    let db = dir.path("lib.sqlite");
    let sets = ["a", "b", "c"].map(|tag| songs(&dir, tag, 6, 2.0));
    let children: Vec<_> = sets[..2]
        .iter()
        .map(|set| {
            wave_studio()
                .args(["run", "--jobs", "2", "--format", "jsonl", "--db"])
                .arg(&db)
                .args(set)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    // What the app does: a runner in this process on the same file.
    let lib = Library::open(&db).unwrap();
    let doc = pipeline::default_document().unwrap();
    let handle = tokio::runtime::Handle::current();
    let runner = PipelineRunner::with_library(&doc, None, handle, Some(lib.clone())).unwrap();
    let mut run = runner.start(sets[2].clone(), 2);
    while run.results.recv().await.is_some() {}
    run.done.await.unwrap();
    let store = run.store.unwrap().get();
    assert!(store.closed && store.error.is_none(), "{store:?}");
    runner.orchestrator().shutdown().await;

    for child in children {
        let o = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
            .await
            .unwrap();
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(0), "{err}");
        assert!(!err.contains("locked") && !err.contains("error"), "{err}");
        assert!(err.contains("library: 6 results stored"), "{err}");
    }
    let stored: Vec<String> = lib
        .results(&ResultFilter::default())
        .unwrap()
        .into_iter()
        .map(|r| r.path)
        .collect();
    let mut expected: Vec<String> = sets.iter().flat_map(|s| strings(s)).collect();
    expected.sort();
    assert_eq!(stored, expected, "every file's row is there");
    assert_eq!(lib.integrity_check().unwrap(), "ok");
}

/// Runs `files` on `db` (through `prefix`, e.g. setpriv) and checks the
/// one error line naming `db`, the full `--out` file and exit code 1.
fn run_without_the_library(case: &str, prefix: &[&str], db: &Path, files: &[PathBuf]) {
    // Next to the database's folder: never on the full or read-only one.
    let out = db.parent().unwrap().with_extension("out.json");
    let mut cmd = match prefix.split_first() {
        Some((program, rest)) => {
            let mut c = Command::new(program);
            c.args(rest).arg(env!("CARGO_BIN_EXE_wave-studio"));
            c.env_remove("DISPLAY").env_remove("WAVE_STUDIO_DB");
            c
        }
        None => wave_studio(),
    };
    let o = cmd
        .args(["run", "--jobs", "2", "--db"])
        .arg(db)
        .arg("--out")
        .arg(&out)
        .args(files)
        .output()
        .unwrap();
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{case}: {err}");
    let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "{case}: one error line: {err}");
    assert!(
        errors[0].contains(&db.display().to_string())
            && errors[0].contains("results are not stored in the library"),
        "{case}: {}",
        errors[0]
    );
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let results = doc["results"].as_array().unwrap();
    assert_eq!(results.len(), files.len(), "{case}: --out has every result");
    assert!(results.iter().all(|r| r["ok"] == true), "{case}");
}

#[test]
fn corrupt_newer_read_only_and_full_libraries_never_stop_the_run() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new("lib-broken");
    let files = songs(&dir, "x", 6, 6.0);
    let folder = |name: &str| {
        let d = dir.path(name);
        std::fs::create_dir_all(&d).unwrap();
        d
    };

    let corrupt = folder("corrupt").join("lib.sqlite");
    std::fs::write(&corrupt, b"garbage, not a SQLite file at all ".repeat(200)).unwrap();
    run_without_the_library("corrupt", &[], &corrupt, &files);
    assert!(
        std::fs::read(&corrupt).unwrap().starts_with(b"garbage"),
        "untouched"
    );

    let newer = folder("newer").join("lib.sqlite");
    wave_studio_library(&newer);
    let c = rusqlite::Connection::open(&newer).unwrap();
    c.pragma_update(None, "user_version", 999).unwrap();
    drop(c);
    run_without_the_library("newer", &[], &newer, &files);
    assert_eq!(query(&newer, "PRAGMA user_version"), Some(999));

    // Root ignores file modes; the binary runs without the capability
    // that lets it (as cli_analyze's unreadable-folder test does).
    let ro_dir = folder("readonly");
    let ro = ro_dir.join("lib.sqlite");
    wave_studio_library(&ro);
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o444)).unwrap();
    std::fs::set_permissions(&ro_dir, std::fs::Permissions::from_mode(0o555)).unwrap();
    let setpriv = [
        "setpriv",
        "--bounding-set",
        "-dac_override,-dac_read_search",
    ];
    run_without_the_library("read-only", &setpriv, &ro, &files);
    std::fs::set_permissions(&ro_dir, std::fs::Permissions::from_mode(0o755)).unwrap();

    let full_dir = folder("full");
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=128k", "tmpfs"])
        .arg(&full_dir)
        .output();
    match mounted {
        Ok(o) if o.status.success() => {
            let _unmount = Unmount(full_dir.clone());
            run_without_the_library("full disk", &[], &full_dir.join("lib.sqlite"), &files);
        }
        Ok(o) => println!("full disk not tested: mount refused: {}", text(&o.stderr)),
        Err(e) => println!("full disk not tested: no mount: {e}"),
    }
}

/// Unmounts its folder when dropped, also when the test fails.
struct Unmount(PathBuf);

impl Drop for Unmount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// A fresh library with its schema, as the program makes it.
fn wave_studio_library(path: &Path) {
    drop(wave_studio::library::Library::open(path).unwrap());
}

/// Results by file, without the one field a rerun changes.
fn by_file(results: &[Value]) -> BTreeMap<String, Value> {
    results
        .iter()
        .map(|r| (r["file"].as_str().unwrap().to_string(), r.clone()))
        .collect()
}

#[test]
fn results_export_what_run_wrote_and_forget_removes_it() {
    let dir = TempDir::new("lib-export");
    let files = songs(&dir, "e", 3, 2.0);
    let db = dir.path("lib.sqlite").display().to_string();
    let run_out = dir.path("run.json").display().to_string();
    let mut args = vec!["run", "--db", &db, "--out", &run_out];
    let names = strings(&files);
    args.extend(names.iter().map(String::as_str));
    let o = output(&args);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let ran: Value = serde_json::from_str(&std::fs::read_to_string(&run_out).unwrap()).unwrap();

    let o = output(&["results", "--db", &db]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let exported: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(exported["pipeline"], ran["pipeline"]);
    assert_eq!(exported["pipeline_hash"], ran["pipeline_hash"]);
    let ran_results = by_file(ran["results"].as_array().unwrap());
    assert_eq!(
        by_file(exported["results"].as_array().unwrap()),
        ran_results
    );

    // WAVE_STUDIO_DB names the library when --db does not.
    let o = wave_studio()
        .args(["results", "--format", "jsonl"])
        .env("WAVE_STUDIO_DB", &db)
        .output()
        .unwrap();
    let lines: Vec<Value> = text(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert!(lines.iter().all(|l| l["pipeline"] == ran["pipeline"]));
    let o = output(&["results", "--db", &db, "--format", "csv"]);
    let csv = text(&o.stdout);
    assert_eq!(csv.lines().count(), 4, "{csv}");
    assert!(csv.starts_with("file,ok,status"), "{csv}");

    // --resume takes the last run's files; every one comes from the store.
    let o = output(&["run", "--resume", "--db", &db, "--format", "jsonl"]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(
        err.contains("resuming run 1") && err.contains("3 files"),
        "{err}"
    );
    assert!(err.contains("3 files answered from the store"), "{err}");
    let o = output(&["results", "--db", &db, "--runs"]);
    let table = text(&o.stdout);
    assert_eq!(table.lines().count(), 3, "a header and two runs: {table}");

    let o = output(&["forget", "--db", &db, &names[0]]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(
        text(&o.stdout).contains("forgot 1 result"),
        "{}",
        text(&o.stdout)
    );
    assert_eq!(stored_results(Path::new(&db)), 2);
    let o = output(&["forget", "--db", &db, &dir.0.display().to_string()]);
    assert!(
        text(&o.stdout).contains("forgot 2 result"),
        "{}",
        text(&o.stdout)
    );
    assert_eq!(stored_results(Path::new(&db)), 0);
    let o = output(&["forget", "--db", &db, "--run", "1"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(query(Path::new(&db), "SELECT count(*) FROM runs"), Some(1));
    let o = output(&["forget", "--db", &db, &names[0]]);
    assert_eq!(o.status.code(), Some(1), "nothing stored is a failed input");
    let o = output(&[
        "results",
        "--db",
        &dir.path("none.sqlite").display().to_string(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("none.sqlite"),
        "{}",
        text(&o.stderr)
    );
}
