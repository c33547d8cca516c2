//! The real binary split into shards: three shard processes at once (by
//! `--shard I/N`, by a Kubernetes Indexed Job's variable, by a Slurm
//! array's) merged into one library equal to a single run; a SIGKILLed
//! shard rerun; merges refused or reported incomplete; an empty shard.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap in a test is a failed test"
)]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::signal::{RATE, TempDir, groove, stereo, write_wav};
use serde_json::Value;

/// The binary with no display and no library or cluster from the
/// environment.
fn wave_studio() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_wave-studio"));
    c.env_remove("DISPLAY").env_remove("WAVE_STUDIO_DB");
    for var in [
        "JOB_COMPLETION_INDEX",
        "SLURM_ARRAY_TASK_ID",
        "SLURM_ARRAY_TASK_MIN",
        "SLURM_ARRAY_TASK_COUNT",
        "SLURM_ARRAY_TASK_STEP",
    ] {
        c.env_remove(var);
    }
    c
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn pipeline(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("pipelines")
        .join(name)
}

/// `n` short WAVs in two subfolders of `music/`, each with its own content.
fn music(dir: &TempDir, n: usize, seconds: f64) -> PathBuf {
    let root = dir.path("music");
    let base = stereo(&groove(120.0, seconds, 11));
    for i in 0..n {
        let folder = root.join(if i % 2 == 0 { "side-a" } else { "side-b" });
        std::fs::create_dir_all(&folder).unwrap();
        let mut samples = base.clone();
        samples[0] = i as f32 / 1000.0;
        write_wav(&folder.join(format!("t{i:02}.wav")), &samples, 2, RATE);
    }
    root
}

/// Each result by absolute file path, without what differs between two
/// runs of the same analysis (its time, and whether it came from a store).
fn by_file(results: &[Value]) -> BTreeMap<String, Value> {
    let mut map = BTreeMap::new();
    for r in results {
        let mut r = r.clone();
        let obj = r.as_object_mut().unwrap();
        obj.remove("analysis_s");
        obj.remove("cached");
        let file = std::path::absolute(obj["file"].as_str().unwrap()).unwrap();
        obj.remove("file");
        let previous = map.insert(file.display().to_string(), r);
        assert!(previous.is_none(), "{} appears twice", file.display());
    }
    map
}

fn json_results(path: &Path) -> Vec<Value> {
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    doc["results"].as_array().unwrap().clone()
}

fn json_lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// A single process over `root`, without a library: the reference.
fn single_run(dir: &TempDir, root: &Path) -> BTreeMap<String, Value> {
    let out = dir.path("single.json");
    let o = wave_studio()
        .args(["run", "--no-db", "--jobs", "2", "--out"])
        .args([&out, root])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    by_file(&json_results(&out))
}

/// One shard process's extra arguments and environment.
type ShardCmd = (Vec<String>, Vec<(&'static str, String)>);

/// Starts shard processes at once (one per entry: extra arguments and
/// environment), waits for all, and returns their outputs.
fn shards_at_once(dir: &TempDir, root: &Path, each: &[ShardCmd]) -> Vec<Output> {
    let children: Vec<_> = each
        .iter()
        .map(|(args, env)| {
            wave_studio()
                .args(["run", "--jobs", "1", "--format", "jsonl", "--db"])
                .arg(dir.path("shard-{shard}.sqlite"))
                .arg("--out")
                .arg(dir.path("shard-{shard}.jsonl"))
                .args(args)
                .arg(root)
                .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect()
}

fn merge(dir: &TempDir, shards: &[usize], extra: &[&str]) -> Output {
    let mut c = wave_studio();
    c.arg("merge").arg(dir.path("merged.sqlite"));
    for i in shards {
        c.arg(dir.path(&format!("shard-{i}.sqlite")));
    }
    c.args(extra).output().unwrap()
}

fn query(db: &Path, sql: &str) -> Vec<String> {
    let c = rusqlite::Connection::open(db).unwrap();
    let mut s = c.prepare(sql).unwrap();
    s.query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// Three shards at once, then a merge with a JSON export: the export
/// equals the single run, and the merged runs name their shard and host.
fn check_three_shards(tag: &str, each: &[ShardCmd]) {
    let dir = TempDir::new(tag);
    let root = music(&dir, 30, 1.5);
    let single = single_run(&dir, &root);
    assert_eq!(single.len(), 30);
    let outputs = shards_at_once(&dir, &root, each);
    let mut total = 0;
    for (i, o) in outputs.iter().enumerate() {
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(0), "shard {i}: {err}");
        assert!(err.contains(&format!("shard {i}/3: ")), "{err}");
        let lines = json_lines(&dir.path(&format!("shard-{i}.jsonl")));
        assert!(!lines.is_empty() && lines.len() < 30, "{}", lines.len());
        total += lines.len();
    }
    assert_eq!(total, 30, "every file in exactly one shard");

    let export = dir.path("merged.json");
    let out_arg = export.display().to_string();
    let o = merge(&dir, &[0, 1, 2], &["--format", "json", "--out", &out_arg]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let merged = by_file(&json_results(&export));
    assert_eq!(merged, single, "the merged shards equal one run");

    let db = dir.path("merged.sqlite");
    let shards = query(
        &db,
        "SELECT shard_index || '/' || shard_count FROM runs ORDER BY shard_index",
    );
    assert_eq!(shards, ["0/3", "1/3", "2/3"]);
    let hosts = query(&db, "SELECT host FROM runs WHERE host <> ''");
    assert_eq!(hosts.len(), 3, "every run names its host");
}

fn fixed(i: usize) -> ShardCmd {
    (vec!["--shard".into(), format!("{i}/3")], Vec::new())
}

#[test]
fn three_shards_at_once_merge_into_the_results_of_one_run() {
    check_three_shards("shard-fixed", &[fixed(0), fixed(1), fixed(2)]);
}

#[test]
fn a_kubernetes_indexed_job_sets_the_shard() {
    let each: Vec<_> = (0..3)
        .map(|i| {
            let args = ["--shard", "auto", "--shards", "3"].map(String::from);
            (args.to_vec(), vec![("JOB_COMPLETION_INDEX", i.to_string())])
        })
        .collect();
    check_three_shards("shard-k8s", &each);
}

#[test]
fn a_slurm_array_starting_at_one_sets_the_shard() {
    let each: Vec<_> = (1..=3)
        .map(|id| {
            let env = vec![
                ("SLURM_ARRAY_TASK_ID", id.to_string()),
                ("SLURM_ARRAY_TASK_MIN", "1".to_string()),
                ("SLURM_ARRAY_TASK_COUNT", "3".to_string()),
            ];
            (["--shard", "auto"].map(String::from).to_vec(), env)
        })
        .collect();
    check_three_shards("shard-slurm", &each);
}

fn stored_results(db: &Path) -> i64 {
    let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY;
    let Ok(c) = rusqlite::Connection::open_with_flags(db, flags) else {
        return 0;
    };
    c.busy_timeout(Duration::from_secs(5)).unwrap();
    c.query_row("SELECT count(*) FROM results", [], |r| r.get(0))
        .unwrap_or(0)
}

#[test]
fn a_sigkilled_shard_rerun_completes_the_merge_without_analysing_a_file_twice() {
    let dir = TempDir::new("shard-kill");
    let root = music(&dir, 30, 3.0);
    let shard_args = |i: usize| -> Vec<String> {
        let mut a = ["run", "--jobs", "1", "--format", "jsonl", "--shard"]
            .map(String::from)
            .to_vec();
        a.push(format!("{i}/2"));
        a.push("--db".into());
        a.push(dir.path("shard-{shard}.sqlite").display().to_string());
        a.push("--out".into());
        a.push(dir.path("shard-{shard}.jsonl").display().to_string());
        a.push(root.display().to_string());
        a
    };
    let o = wave_studio().args(shard_args(1)).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));

    let db0 = dir.path("shard-0.sqlite");
    let mut child = wave_studio()
        .args(shard_args(0))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while stored_results(&db0) < 2 {
        assert!(start.elapsed() < Duration::from_secs(60), "nothing stored");
        assert!(child.try_wait().unwrap().is_none(), "shard 0 ended early");
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let before = stored_results(&db0);

    // Merging now: shard 0's unfinished files are reported missing.
    let o = merge(&dir, &[0, 1], &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("without a result"),
        "{}",
        text(&o.stderr)
    );

    // The retried task: the same command.
    let o = wave_studio().args(shard_args(0)).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let lines = json_lines(&dir.path("shard-0.jsonl"));
    let computed = lines.iter().filter(|l| l["cached"] == false).count() as i64;
    assert!(before < lines.len() as i64, "{before} of {}", lines.len());
    assert_eq!(
        computed,
        lines.len() as i64 - before,
        "nothing analysed twice"
    );

    let export = dir.path("merged.jsonl").display().to_string();
    let o = merge(&dir, &[0, 1], &["--format", "jsonl", "--out", &export]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let merged = by_file(&json_lines(Path::new(&export)));
    assert_eq!(merged.len(), 30, "every file once");
}

/// Nine files in three shards; then merges that are refused or incomplete.
#[test]
fn merges_refuse_mixed_pipelines_and_versions_and_name_a_missing_shard() {
    let dir = TempDir::new("shard-refuse");
    let root = music(&dir, 9, 1.0);
    let outputs = shards_at_once(&dir, &root, &[fixed(0), fixed(1), fixed(2)]);
    assert!(outputs.iter().all(|o| o.status.code() == Some(0)));

    let o = merge(&dir, &[0, 2], &[]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("missing shard(s) 1:"), "{err}");

    // Shard 1 again, with another pipeline, into its own library.
    let other = dir.path("other-{shard}.sqlite");
    let o = wave_studio()
        .args(["run", "--shard", "1/3", "--db"])
        .arg(&other)
        .arg(pipeline("dj-tempo-key.ron"))
        .arg(&root)
        .stdout(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let o = wave_studio()
        .arg("merge")
        .arg(dir.path("mixed.sqlite"))
        .arg(dir.path("shard-0.sqlite"))
        .arg(dir.path("other-1.sqlite"))
        .output()
        .unwrap();
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("different pipelines"), "{err}");
    assert!(
        err.contains("shard-0.sqlite") && err.contains("other-1.sqlite"),
        "{err}"
    );
    assert!(!dir.path("mixed.sqlite").exists(), "nothing merged");

    let c = rusqlite::Connection::open(dir.path("shard-2.sqlite")).unwrap();
    c.execute("UPDATE runs SET program_version = '0.0.9'", [])
        .unwrap();
    drop(c);
    let o = merge(&dir, &[0, 1, 2], &[]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("different Wave Studio versions"), "{err}");
    assert!(
        err.contains("version 0.0.9 in ") && err.contains("shard-2.sqlite"),
        "{err}"
    );
}

#[test]
fn an_empty_shard_exits_0_says_so_and_counts_in_the_merge() {
    let dir = TempDir::new("shard-empty");
    let root = music(&dir, 1, 1.0);
    let outputs = shards_at_once(&dir, &root, &[fixed(0), fixed(1), fixed(2)]);
    let mut empty = 0;
    for o in &outputs {
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        if text(&o.stderr).contains("nothing to analyse") {
            empty += 1;
        }
    }
    assert_eq!(empty, 2, "one file: two of three shards are empty");
    let o = merge(&dir, &[0, 1, 2], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
}

#[test]
fn bad_shard_arguments_name_the_flag_and_exit_2() {
    let dir = TempDir::new("shard-usage");
    let root = music(&dir, 1, 0.5);
    let cases: [(&[&str], &str); 5] = [
        (&["--shard", "3/3"], "--shard"),
        (&["--shard", "0/0"], "at least 1"),
        (&["--shard", "1of3"], "I/N"),
        (&["--shard", "auto"], "JOB_COMPLETION_INDEX"),
        (&["--db", "x-{shard}.sqlite"], "no --shard is given"),
    ];
    for (args, needle) in cases {
        let o = wave_studio()
            .arg("run")
            .args(args)
            .arg(&root)
            .current_dir(&dir.0)
            .output()
            .unwrap();
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}
