//! `wave-studio analyze` end to end: the real binary on generated files.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap in a test is a failed test"
)]

mod synth;

const COLUMNS: [&str; 23] = [
    "file",
    "ok",
    "error",
    "partial",
    "duration_s",
    "sample_rate",
    "channels",
    "codec",
    "bpm",
    "bpm_confidence",
    "bpm_candidates",
    "bpm_reason",
    "key",
    "key_confidence",
    "camelot",
    "key_reason",
    "loudness_lufs",
    "loudness_range_lu",
    "true_peak_dbtp",
    "rms_dbfs",
    "peak_dbfs",
    "spectral_centroid_hz",
    "analysis_s",
];

#[test]
fn json_csv_and_table_for_a_folder() {
    let dir = synth::temp_dir("cli");
    let sub = dir.join("nested");
    std::fs::create_dir_all(&sub).unwrap();
    synth::write_wav(
        &dir.join("a.wav"),
        &synth::music(8.0, 44_100, 124.0, 9, true, 3),
        2,
        44_100,
    );
    synth::write_wav(
        &sub.join("b.wav"),
        &synth::music(8.0, 48_000, 96.0, 7, false, 4),
        2,
        48_000,
    );
    std::fs::write(dir.join("notes.txt"), "not audio, not an audio extension").unwrap();
    let d = dir.to_str().unwrap();

    let (code, stdout, stderr) = synth::run_cli(&["analyze", d, "--format", "json", "--jobs", "2"]);
    assert_eq!(code, 0, "{stderr}");
    let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout).unwrap();
    assert_eq!(rows.len(), 2, "{stdout}");
    for row in &rows {
        let obj = row.as_object().unwrap();
        for c in COLUMNS {
            assert!(obj.contains_key(c), "missing {c}");
        }
        assert_eq!(row["ok"], true);
        assert_eq!(row["partial"], false);
        assert!(row["error"].is_null());
        assert_eq!(row["channels"], 2);
        assert!(row["bpm_candidates"].is_array());
    }
    let (a, b) = (&rows[0], &rows[1]);
    assert!(a["file"].as_str().unwrap().ends_with("a.wav"));
    assert!((a["bpm"].as_f64().unwrap() - 124.0).abs() < 1.24, "{a}");
    assert_eq!(a["key"], "A minor");
    assert_eq!(a["camelot"], "8A");
    assert_eq!(a["sample_rate"], 44_100);
    assert!((a["duration_s"].as_f64().unwrap() - 8.0).abs() < 0.01);
    assert!(b["file"].as_str().unwrap().ends_with("b.wav"));
    assert!((b["bpm"].as_f64().unwrap() - 96.0).abs() < 0.96, "{b}");
    assert_eq!(b["key"], "G major");
    assert_eq!(b["camelot"], "9B");
    assert_eq!(b["sample_rate"], 48_000);

    let (code, csv, _) = synth::run_cli(&["analyze", d, "--format", "csv", "--jobs", "1"]);
    assert_eq!(code, 0);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], COLUMNS.join(","));
    assert_eq!(lines.len(), 3);
    assert!(lines[1].contains("A minor") && lines[1].contains(",8A,"));

    let (code, table, _) = synth::run_cli(&["analyze", d]);
    assert_eq!(code, 0);
    assert!(table.lines().next().unwrap().starts_with("file"));
    assert!(table.contains("a.wav") && table.contains("G major") && table.contains("ok"));

    // One missing file: still a row for every input, exit status 1.
    let missing = dir.join("missing.mp3");
    let (code, stdout, stderr) =
        synth::run_cli(&["analyze", d, missing.to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, 1);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout).unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[2]["ok"], false);
    assert!(stderr.contains("missing.mp3"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn every_format_decodes() {
    let dir = synth::temp_dir("formats");
    let src = dir.join("src.wav");
    synth::write_wav(
        &src,
        &synth::music(5.0, 44_100, 120.0, 0, false, 9),
        2,
        44_100,
    );
    let s = src.to_str().unwrap();
    let mut variants: Vec<(&str, &[&str])> = vec![
        ("u8.wav", &["-c:a", "pcm_u8"]),
        ("s24.wav", &["-c:a", "pcm_s24le"]),
        ("s32.wav", &["-c:a", "pcm_s32le"]),
        ("f32.wav", &["-c:a", "pcm_f32le"]),
        ("f64.wav", &["-c:a", "pcm_f64le"]),
        ("a.flac", &[]),
        ("a.mp3", &["-b:a", "192k"]),
        ("a.ogg", &["-c:a", "libvorbis"]),
        ("aac.m4a", &["-c:a", "aac"]),
        ("alac.m4a", &["-c:a", "alac"]),
        ("a.aiff", &[]),
        ("r8k.wav", &["-ar", "8000"]),
        ("r192k.flac", &["-ar", "192000"]),
        ("six.wav", &["-ac", "6"]),
        ("mono.flac", &["-ac", "1"]),
        ("six_s24.wav", &["-ac", "6", "-c:a", "pcm_s24le"]),
        ("alac.caf", &["-c:a", "alac"]),
        ("flac.mka", &["-c:a", "flac"]),
        ("a.mp2", &["-c:a", "mp2", "-b:a", "256k"]),
        ("be.aifc", &["-c:a", "pcm_s16be"]),
    ];
    if cfg!(feature = "opus") {
        variants.push(("a.opus", &["-c:a", "libopus", "-b:a", "128k"]));
    }
    let mut args = vec!["analyze".to_string(), "--format".into(), "json".into()];
    for (name, extra) in &variants {
        let out = dir.join(name);
        let mut a = vec!["-i", s];
        a.extend_from_slice(extra);
        a.push(out.to_str().unwrap());
        synth::ffmpeg(&a);
        args.push(out.to_str().unwrap().to_string());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, stdout, stderr) = synth::run_cli(&args);
    assert_eq!(code, 0, "{stderr}");
    let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout).unwrap();
    for ((name, _), row) in variants.iter().zip(&rows) {
        let dur = row["duration_s"].as_f64().unwrap();
        // Sample-exact, AAC included (its priming and padding are trimmed
        // by the MP4 edit list).
        // A raw MP2 stream has no gapless header: its encoder delay stays.
        let tolerance = if name.ends_with(".mp2") { 0.03 } else { 0.002 };
        assert!((dur - 5.0).abs() < tolerance, "{name}: {dur}");
        let lufs = row["loudness_lufs"].as_f64().unwrap();
        let bpm = row["bpm"].as_f64().unwrap_or(0.0);
        assert!((bpm - 120.0).abs() < 2.4, "{name}: {row}");
        assert_eq!(row["key"], "C major", "{name}: {row}");
        assert!(lufs > -40.0 && lufs < 0.0, "{name}: {row}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn unreadable_folders_and_link_loops_are_warnings() {
    use std::os::unix::fs::PermissionsExt;
    let dir = synth::temp_dir("unreadable-folder");
    let locked = dir.join("locked");
    std::fs::create_dir_all(&locked).unwrap();
    synth::write_wav(
        &dir.join("a.wav"),
        &synth::sine(440.0, 0.5, 3.0, 44_100, 1),
        1,
        44_100,
    );
    std::fs::write(locked.join("b.wav"), b"x").unwrap();
    std::os::unix::fs::symlink(&dir, dir.join("back")).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    // Root reads any folder: then the binary runs without the capabilities
    // that bypass permissions, so the folder is unreadable to it too.
    let privileged = std::fs::read_dir(&locked).is_ok();
    let mut cmd = if privileged {
        let mut c = std::process::Command::new("setpriv");
        c.args(["--bounding-set", "-dac_override,-dac_read_search"]);
        c.arg(env!("CARGO_BIN_EXE_wave-studio"));
        c
    } else {
        std::process::Command::new(env!("CARGO_BIN_EXE_wave-studio"))
    };
    let out = cmd
        .args(["analyze", "--format", "json", dir.to_str().unwrap()])
        .output()
        .expect("setpriv (util-linux) runs the binary unprivileged");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout).unwrap();
    assert_eq!(rows.len(), 1, "{stdout}");
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("warning:"))
        .collect();
    assert_eq!(warnings.len(), 2, "{stderr}");
    let back = format!("{}", dir.join("back").display());
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("loop") && w.ends_with(&back)),
        "{stderr}"
    );
    let locked = format!("{}", locked.display());
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("ermission denied") && w.ends_with(&locked)),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
