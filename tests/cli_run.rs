//! The real binary: `run` and `check` end to end on generated audio.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap in a test is a failed test"
)]

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::signal::{RATE, TempDir, groove, stereo, write_wav};
use serde_json::Value;

/// The binary; `run` with `--no-db`, so no test writes the user's library.
fn wave_studio(args: &[&str]) -> Output {
    let no_db: &[&str] = if args.first() == Some(&"run") {
        &["--no-db"]
    } else {
        &[]
    };
    Command::new(env!("CARGO_BIN_EXE_wave-studio"))
        .args(args)
        .args(no_db)
        .env_remove("DISPLAY")
        .output()
        .unwrap()
}

fn pipeline(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("pipelines")
        .join(name)
        .display()
        .to_string()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn run_mixes_good_and_bad_files_writes_every_result_and_exits_1() {
    let dir = TempDir::new("cli-mixed");
    write_wav(
        &dir.path("a_120.wav"),
        &stereo(&groove(120.0, 10.0, 1)),
        2,
        RATE,
    );
    write_wav(
        &dir.path("b_96.wav"),
        &stereo(&groove(96.0, 10.0, 2)),
        2,
        RATE,
    );
    std::fs::write(
        dir.path("c_noise.mp3"),
        fastrand::Rng::with_seed(3)
            .u64(..)
            .to_le_bytes()
            .repeat(500),
    )
    .unwrap();
    std::fs::write(dir.path("notes.txt"), b"not audio, not picked up").unwrap();
    let folder = dir.0.display().to_string();
    let o = wave_studio(&["run", &pipeline("default.ron"), &folder]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["pipeline"], "Full analysis");
    assert_eq!(doc["pipeline_hash"].as_str().unwrap().len(), 16);
    let results = doc["results"].as_array().unwrap();
    assert_eq!(results.len(), 3, "the .txt file is not audio");
    let bpm = |i: usize| results[i]["bpm"].as_f64().unwrap();
    assert!((bpm(0) - 120.0).abs() < 1.2, "{}", results[0]);
    assert!((bpm(1) - 96.0).abs() < 1.0, "{}", results[1]);
    assert_eq!(results[0]["ok"], true);
    assert_eq!(results[2]["ok"], false);
    let error = results[2]["error"].as_str().unwrap();
    assert!(
        error.contains("c_noise.mp3") && error.contains("not a recognised audio format"),
        "{error}"
    );
    let err = stderr(&o);
    assert!(err.contains("3 files: 2 completed"), "{err}");
    assert!(err.contains("tempo_refine"), "per-stage summary: {err}");
}

#[test]
fn run_without_a_pipeline_uses_the_built_in_default_and_writes_csv_or_jsonl() {
    let dir = TempDir::new("cli-default");
    let wav = dir.path("g.wav");
    write_wav(&wav, &stereo(&groove(128.0, 8.0, 4)), 2, RATE);
    let wav = wav.display().to_string();
    let out = dir.path("out.csv").display().to_string();
    let o = wave_studio(&["run", &wav, "--format", "csv", "--out", &out, "--jobs", "1"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let csv = std::fs::read_to_string(&out).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let row: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| row[header.iter().position(|h| *h == name).unwrap()];
    assert_eq!(col("file"), wav);
    assert!((col("bpm").parse::<f64>().unwrap() - 128.0).abs() < 1.3);
    assert_eq!(col("ok"), "true");

    let o = wave_studio(&[
        "run",
        &pipeline("dj-tempo-key.ron"),
        &wav,
        "--format",
        "jsonl",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let line: Value =
        serde_json::from_slice(o.stdout.split(|b| *b == b'\n').next().unwrap()).unwrap();
    assert_eq!(line["pipeline"], "DJ tempo and key");
    assert!(line["camelot"].is_string());
}

#[test]
fn broken_pipelines_exit_2_for_run_and_1_for_check_with_positions() {
    let dir = TempDir::new("cli-broken");
    let cases = [
        (
            "syntax.ron",
            "(version: 1, name: \"x\",\n nodes: [(id: \"a\" name: \"A\")])",
            "syntax.ron:2:",
        ),
        (
            "cycle.ron",
            "(version: 1, name: \"x\", nodes: [\n (id: \"a\", name: \"A\", kind: Preparation, operation: Probe),\n (id: \"b\", name: \"B\", kind: Preparation, operation: Probe)],\n edges: [(from: \"a\", to: \"b\"), (from: \"b\", to: \"a\")])",
            "cycle",
        ),
        (
            "unknown-op.ron",
            "(version: 1, name: \"x\", nodes: [(id: \"a\", name: \"A\", kind: Preparation, operation: Reverb)])",
            "Reverb",
        ),
        (
            "timeout.ron",
            "(version: 1, name: \"x\",\n config: (stage_timeout_seconds: -1.0),\n nodes: [(id: \"a\", name: \"A\", kind: Preparation, operation: Probe)])",
            "timeout.ron:2:11: config.stage_timeout_seconds",
        ),
        (
            "future.ron",
            "(version: 2, name: \"x\", nodes: [], warp: true)",
            "newer Wave Studio",
        ),
    ];
    let wav = dir.path("a.wav");
    write_wav(&wav, &stereo(&groove(120.0, 2.0, 5)), 2, RATE);
    for (name, text, expected) in cases {
        let path = dir.path(name);
        std::fs::write(&path, text).unwrap();
        let path = path.display().to_string();
        let check = wave_studio(&["check", &path]);
        assert_eq!(check.status.code(), Some(1), "{name}");
        assert!(
            stderr(&check).contains(expected),
            "{name}: {}",
            stderr(&check)
        );
        let run = wave_studio(&["run", &path, &wav.display().to_string()]);
        assert_eq!(run.status.code(), Some(2), "{name}: {}", stderr(&run));
        assert!(run.stdout.is_empty(), "{name}: nothing ran");
    }
    let ok = wave_studio(&[
        "check",
        &pipeline("default.ron"),
        &pipeline("loudness-qa.ron"),
    ]);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
}

#[test]
fn usage_errors_exit_2() {
    let o = wave_studio(&["run", "/definitely/not/here"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "a missing file is that file's failure: {}",
        stderr(&o)
    );
    let o = wave_studio(&["run", "--format", "xml", "x.wav"]);
    assert_eq!(o.status.code(), Some(2));
    let dir = TempDir::new("cli-empty");
    let o = wave_studio(&["run", &dir.0.display().to_string()]);
    assert_eq!(o.status.code(), Some(2), "an empty folder: {}", stderr(&o));
    assert!(stderr(&o).contains("no audio files"));
}

#[test]
fn ctrl_c_cancels_cleanly_and_writes_what_finished() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let dir = TempDir::new("cli-sigint");
    for i in 0..40 {
        write_wav(
            &dir.path(&format!("t{i:02}.wav")),
            &stereo(&groove(120.0, 8.0, i)),
            2,
            RATE,
        );
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_wave-studio"))
        .args([
            "run",
            "--no-db",
            &dir.0.display().to_string(),
            "--jobs",
            "1",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    // Wait for the first finished file, then interrupt.
    let first = lines
        .by_ref()
        .map_while(Result::ok)
        .find(|l| l.starts_with("[1/40]"));
    assert!(first.is_some(), "a file finished before the interrupt");
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{rest:?}");
    assert!(rest.iter().any(|l| l.contains("interrupted")), "{rest:?}");
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = doc["results"].as_array().unwrap();
    assert!(
        !results.is_empty() && results.len() < 40,
        "{} results",
        results.len()
    );
    assert!(
        results
            .iter()
            .any(|r| r["ok"] == true && r["bpm"].is_number()),
        "finished results are written"
    );
}

#[test]
fn run_and_analyze_give_the_same_exit_codes_for_the_same_failures() {
    let dir = TempDir::new("cli-codes");
    let noise = dir.path("noise.mp3");
    std::fs::write(&noise, [7u8; 4000]).unwrap();
    let noise = noise.display().to_string();
    let empty = dir.path("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let empty = empty.display().to_string();
    let cases: [(&str, Vec<&str>, i32); 4] = [
        ("missing input", vec!["/definitely/not/here.wav"], 1),
        ("failed file", vec![noise.as_str()], 1),
        ("no audio files", vec![empty.as_str()], 2),
        ("--jobs 0", vec!["--jobs", "0", noise.as_str()], 2),
    ];
    for (what, args, code) in cases {
        for command in ["run", "analyze"] {
            let mut full = vec![command];
            full.extend(&args);
            let o = wave_studio(&full);
            assert_eq!(
                o.status.code(),
                Some(code),
                "{command}, {what}: {}",
                stderr(&o)
            );
        }
    }
    // A bad pipeline: `run` cannot start (2); `check` finds a failed input (1).
    let bad = dir.path("bad.ron");
    std::fs::write(&bad, "(version: 1, name: \"x\", nodes: [(id: \"a\"").unwrap();
    let bad = bad.display().to_string();
    assert_eq!(wave_studio(&["run", &bad, &noise]).status.code(), Some(2));
    assert_eq!(wave_studio(&["check", &bad]).status.code(), Some(1));
    // An output that cannot be created is found before anything runs.
    let o = wave_studio(&["run", &noise, "--out", "/definitely/not/here/out.json"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("cannot create the output file"), "{err}");
    assert!(!err.contains("[1/1]"), "nothing ran: {err}");
}

#[test]
fn run_order_picks_the_start_order_and_results_keep_input_order() {
    let dir = TempDir::new("cli-order");
    // (name, seconds, age in seconds): path a b c, shortest b c a, newest c a b.
    for (name, seconds, age) in [
        ("a.wav", 3.0, 200),
        ("b.wav", 1.0, 300),
        ("c.wav", 2.0, 100),
    ] {
        let path = dir.path(name);
        write_wav(&path, &stereo(&groove(120.0, seconds, 1)), 2, RATE);
        let when = std::time::SystemTime::now() - std::time::Duration::from_secs(age);
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(when)
            .unwrap();
    }
    // One wave at a time, so JSON lines come out in start order.
    let text = std::fs::read_to_string(pipeline("loudness-qa.ron")).unwrap();
    let one_at_a_time = dir.path("one-at-a-time.ron");
    std::fs::write(
        &one_at_a_time,
        text.replace("max_concurrent_waves: 8", "max_concurrent_waves: 1"),
    )
    .unwrap();
    let one_at_a_time = one_at_a_time.display().to_string();
    let folder = dir.0.display().to_string();
    let names = |stdout: &[u8], lines: bool| -> Vec<String> {
        let rows: Vec<Value> = if lines {
            stdout
                .split(|b| *b == b'\n')
                .filter(|l| !l.is_empty())
                .map(|l| serde_json::from_slice(l).unwrap())
                .collect()
        } else {
            let doc: Value = serde_json::from_slice(stdout).unwrap();
            doc["results"].as_array().unwrap().clone()
        };
        rows.iter()
            .map(|r| {
                let file = r["file"].as_str().unwrap();
                Path::new(file)
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect()
    };
    for (order, expected) in [
        (None, ["a.wav", "b.wav", "c.wav"]),
        (Some("path"), ["a.wav", "b.wav", "c.wav"]),
        (Some("shortest"), ["b.wav", "c.wav", "a.wav"]),
        (Some("newest"), ["c.wav", "a.wav", "b.wav"]),
    ] {
        let mut args: Vec<&str> = vec!["run", &one_at_a_time, &folder, "--format", "jsonl"];
        args.extend(order.iter().flat_map(|o| ["--order", *o]));
        let o = wave_studio(&args);
        assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
        assert_eq!(names(&o.stdout, true), expected, "{order:?}");
    }
    let o = wave_studio(&["run", &one_at_a_time, &folder, "--order", "newest"]);
    assert_eq!(
        names(&o.stdout, false),
        ["a.wav", "b.wav", "c.wav"],
        "the results document keeps input order"
    );
    let summary = stderr(&o);
    assert!(summary.contains("cached"), "a cached column: {summary}");
    let o = wave_studio(&["run", &folder, "--order", "random"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}
