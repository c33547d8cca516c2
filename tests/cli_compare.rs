//! The real binary: `compare` of two pipelines on generated audio, checked
//! against two separate `run`s of the same files; uncomparable inputs;
//! reuse of stored node outputs; `tune`'s answer from a small history.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap in a test is a failed test"
)]

mod common;

use std::f64::consts::{FRAC_PI_2, FRAC_PI_4};
use std::path::Path;
use std::process::{Command, Output};

use common::signal::{RATE, TempDir, groove, stereo, write_wav};
use serde_json::Value;

fn wave_studio(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wave-studio"))
        .args(args)
        .env_remove("DISPLAY")
        .env_remove("WAVE_STUDIO_DB")
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

/// Four files: grooves at 96 and 124 BPM, one at 178 BPM (above the DJ
/// pipeline's 175 BPM ceiling: it reads half), and a tone at a quarter of
/// the sample rate whose samples miss its peaks by 3 dB (the DJ pipeline
/// measures no true peak).
fn files(dir: &TempDir) -> String {
    for (name, bpm, seed) in [
        ("a_178.wav", 178.0, 1),
        ("b_96.wav", 96.0, 2),
        ("c_124.wav", 124.0, 3),
    ] {
        write_wav(&dir.path(name), &stereo(&groove(bpm, 12.0, seed)), 2, RATE);
    }
    let n = 6 * RATE as usize;
    let tone: Vec<f32> = (0..n)
        .map(|i| (0.5 * (FRAC_PI_2 * i as f64 + FRAC_PI_4).sin()) as f32)
        .collect();
    write_wav(&dir.path("d_peaks.wav"), &tone, 1, RATE);
    dir.0.display().to_string()
}

/// `run PIPELINE FOLDER --no-db --format json`'s records by file.
fn run(pipeline_file: &str, folder: &str) -> Vec<Value> {
    let o = wave_studio(&["run", pipeline_file, folder, "--no-db", "--jobs", "2"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    doc["results"].as_array().unwrap().clone()
}

/// A record without what differs from one run to the next (timing).
fn stable(record: &Value) -> Value {
    let mut r = record.clone();
    r.as_object_mut().unwrap().remove("analysis_s");
    r
}

#[test]
fn compare_default_with_dj_gives_the_figures_of_two_separate_runs() {
    let dir = TempDir::new("cmp-runs");
    let folder = files(&dir);
    let (default, dj) = (pipeline("default.ron"), pipeline("dj-tempo-key.ron"));
    let o = wave_studio(&[
        "compare", &default, &dj, &folder, "--no-db", "--format", "json", "--jobs", "2",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let cmp: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(cmp["a"]["name"], "Full analysis");
    assert_eq!(cmp["b"]["name"], "DJ tempo and key");
    let (runs_a, runs_b) = (run(&default, &folder), run(&dj, &folder));
    let files = cmp["files"].as_array().unwrap();
    assert_eq!(files.len(), 4);
    let mut bpm_agree = 0;
    for (i, f) in files.iter().enumerate() {
        // Each side's whole record is what its own `run` writes.
        assert_eq!(stable(&f["a"]), stable(&runs_a[i]), "A, {}", f["file"]);
        assert_eq!(stable(&f["b"]), stable(&runs_b[i]), "B, {}", f["file"]);
        // The tempo differs exactly when the two runs' tempi are more than
        // 4 % apart.
        let (a, b) = (&runs_a[i]["bpm"], &runs_b[i]["bpm"]);
        let agree = match (a.as_f64(), b.as_f64()) {
            (Some(x), Some(y)) => (y / x - 1.0).abs() <= 0.04,
            _ => a == b,
        };
        bpm_agree += usize::from(agree);
        let listed = f["differences"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["field"] == "bpm");
        assert_eq!(listed.is_none(), agree, "{f}");
        if let Some(d) = listed {
            assert_eq!((&d["a"], &d["b"]), (a, b));
        }
    }
    let summary = &cmp["summary"];
    let bpm = summary["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == "bpm")
        .unwrap();
    assert_eq!(bpm["compared"], 4);
    assert_eq!(bpm["agreed"], bpm_agree);
    // The 178 BPM groove is above the DJ pipeline's range: an octave apart.
    let groove_178 = &files[0]["differences"][0];
    assert_eq!(groove_178["field"], "bpm", "{}", files[0]);
    assert_eq!(groove_178["note"], "octave apart: B is half A");
    assert_eq!(bpm["octave"], 1);
    // Only A measures the true peak: B's sample peak is 3 dB lower.
    let peaks = &files[3]["differences"].as_array().unwrap();
    let true_peak = peaks
        .iter()
        .find(|d| d["field"] == "true_peak_dbtp")
        .unwrap();
    assert!(
        true_peak["note"].as_str().unwrap().starts_with("-3."),
        "{true_peak}"
    );
    // Spectral features are A's alone; the whole-track decode is B's.
    assert!(
        summary["only_a"]
            .as_array()
            .unwrap()
            .contains(&"spectral_centroid_hz".into())
    );
    let nodes = summary["nodes"].as_array().unwrap();
    let node = |id: &str| nodes.iter().find(|n| n["node"] == id).unwrap();
    assert!(node("spectral")["b"].is_null());
    assert!(node("decode_full")["a"].is_null());
    assert_eq!(node("decode")["a"]["computed"], 4);
    assert_eq!(node("decode")["b"]["computed"], 4);
    let quality_a: u64 = summary["quality_a"]["bins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(
        quality_a + summary["quality_a"]["none"].as_u64().unwrap(),
        4
    );
}

#[test]
fn the_table_lists_differences_agreement_time_per_node_and_quality() {
    let dir = TempDir::new("cmp-table");
    let folder = files(&dir);
    let o = wave_studio(&[
        "compare",
        &pipeline("default.ron"),
        &pipeline("dj-tempo-key.ron"),
        &folder,
        "--no-db",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let table = String::from_utf8(o.stdout).unwrap();
    for part in [
        "A: Full analysis",
        "B: DJ tempo and key",
        "4 file(s):",
        "octave apart: B is half A",
        "true_peak_dbtp",
        "agreement",
        "time per node",
        "B/A",
        "decode_full",
        "quality",
    ] {
        assert!(table.contains(part), "{part} in\n{table}");
    }
    let a_178 = table.lines().find(|l| l.contains("a_178.wav")).unwrap();
    assert!(a_178.contains(" bpm "), "{a_178}");
}

#[test]
fn uncomparable_inputs_get_a_clear_message_and_no_table() {
    let dir = TempDir::new("cmp-bad");
    let folder = files(&dir);
    let broken = dir.path("broken.ron");
    std::fs::write(&broken, "(version: 1, name: \"x\", nodes: [").unwrap();
    let broken = broken.display().to_string();
    let o = wave_studio(&[
        "compare",
        &pipeline("default.ron"),
        &broken,
        &folder,
        "--no-db",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty(), "no partial table");
    assert!(stderr(&o).contains("broken.ron"), "{}", stderr(&o));

    let empty = TempDir::new("cmp-empty");
    let empty_dir = empty.0.display().to_string();
    let o = wave_studio(&[
        "compare",
        &pipeline("default.ron"),
        &pipeline("dj-tempo-key.ron"),
        &empty_dir,
        "--no-db",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
    assert!(
        stderr(&o).contains("no audio files found"),
        "{}",
        stderr(&o)
    );

    let wav = dir.path("b_96.wav").display().to_string();
    let o = wave_studio(&[
        "compare",
        &pipeline("default.ron"),
        &wav,
        &folder,
        "--no-db",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not a pipeline file (.ron)") && stderr(&o).contains("b_96.wav"));
}

#[test]
fn a_second_compare_takes_every_node_from_the_library_and_tune_needs_fifty_files() {
    let dir = TempDir::new("cmp-db");
    let folder = files(&dir);
    let db = dir.path("library.sqlite").display().to_string();
    let (default, dj) = (pipeline("default.ron"), pipeline("dj-tempo-key.ron"));
    let compare = || {
        let o = wave_studio(&[
            "compare", &default, &dj, &folder, "--db", &db, "--format", "json",
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        serde_json::from_slice::<Value>(&o.stdout).unwrap()
    };
    let first = compare();
    // Computed nodes report the CPU their threads used: some, and never
    // more than the time they ran.
    for n in first["summary"]["nodes"].as_array().unwrap() {
        for side in ["a", "b"] {
            if n[side].is_null() || n[side]["computed"] == 0 {
                continue;
            }
            let cpu = n[side]["cpu_seconds"].as_f64().unwrap();
            let wall = n[side]["wall_seconds"].as_f64().unwrap();
            assert!(cpu > 0.0 && cpu < wall, "{n}");
        }
    }
    let second = compare();
    for n in second["summary"]["nodes"].as_array().unwrap() {
        for side in ["a", "b"] {
            if n[side].is_null() {
                continue;
            }
            assert_eq!(n[side]["computed"], 0, "{n}");
            assert_eq!(n[side]["cpu_seconds"], 0.0, "{n}");
            assert_eq!(n[side]["wall_seconds"], 0.0, "{n}");
        }
    }
    assert_eq!(first["summary"]["fields"], second["summary"]["fields"]);

    let o = wave_studio(&["tune", &default, "--db", &db]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(
        out.contains("no suggestion") && out.contains("at least 50"),
        "{out}"
    );
    assert!(out.contains("0.9-1.0"), "{out}");
}
