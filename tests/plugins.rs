//! The example plugins in `plugins/` on real files, through the real
//! binary: `plugins list|check`, pipelines naming plugins (valid, with bad
//! parameters, not installed) and results in CSV and JSON.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap in a test is a failed test"
)]

mod synth;

use std::path::{Path, PathBuf};
use std::process::Command;

use synth::{ffmpeg, run_cli, temp_dir};

fn plugins_dir() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("plugins")
        .display()
        .to_string()
}

/// Speech from espeak-ng (installed by .ci/run): real synthesized speech,
/// not a signal made to look like it.
fn speech(dir: &Path) -> PathBuf {
    let wav = dir.join("speech-raw.wav");
    let status = Command::new("espeak-ng")
        .args(["-s", "150", "-w"])
        .arg(&wav)
        .arg(
            "Good evening. Tonight we report on the weather, the markets and the local news. \
             Rain is expected later this week in the north, and the roads will be busy.",
        )
        .status()
        .expect("espeak-ng is required for this test (apt-get install espeak-ng)");
    assert!(status.success());
    // As MP3 with tags, so the plugin decodes a non-WAV file through ffmpeg.
    let mp3 = dir.join("speech.mp3");
    ffmpeg(&[
        "-i",
        wav.to_str().unwrap(),
        "-metadata",
        "artist=The Newsreader",
        "-metadata",
        "title=Evening News",
        "-metadata",
        "genre=Speech",
        mp3.to_str().unwrap(),
    ]);
    std::fs::remove_file(&wav).unwrap();
    mp3
}

/// Drums and chords (the test synthesizer), as FLAC with all four tags.
fn music(dir: &Path) -> PathBuf {
    let wav = dir.join("music-raw.wav");
    synth::write_wav(
        &wav,
        &synth::music(12.0, 44_100, 120.0, 0, false, 7),
        2,
        44_100,
    );
    let flac = dir.join("music.flac");
    ffmpeg(&[
        "-i",
        wav.to_str().unwrap(),
        "-metadata",
        "artist=Test Band",
        "-metadata",
        "title=Groove in C",
        "-metadata",
        "album=Plugins Vol. 1",
        "-metadata",
        "genre=House",
        flac.to_str().unwrap(),
    ]);
    std::fs::remove_file(&wav).unwrap();
    flac
}

const PIPELINE: &str = r#"(
    version: 1,
    name: "Plugins",
    nodes: [
        (id: "probe", name: "Probe", kind: Preparation, operation: Probe),
        (id: "tags", name: "Tags", kind: Preparation,
            operation: Plugin(name: "tags", params: {"missing": "-"})),
        (id: "speech", name: "Speech or music", kind: FeatureExtraction,
            operation: Plugin(name: "speech_music", params: {"max_seconds": 20.0})),
        (id: "write", name: "Write", kind: Finalization, operation: Write),
    ],
    edges: [
        (from: "probe", to: "tags"),
        (from: "probe", to: "speech"),
        (from: "tags", to: "write"),
        (from: "speech", to: "write"),
    ],
)
"#;

#[test]
fn both_example_plugins_run_in_a_pipeline_and_fill_csv_and_json() {
    let dir = temp_dir("plugins-run");
    let (speech, music) = (speech(&dir), music(&dir));
    let pipeline = dir.join("plugins.ron");
    std::fs::write(&pipeline, PIPELINE).unwrap();
    let plugins = plugins_dir();
    let plugins = plugins.as_str();
    let files = [speech.to_str().unwrap(), music.to_str().unwrap()];
    let mut args = vec!["--plugins", plugins, "run", "--no-db", "--format", "csv"];
    args.push(pipeline.to_str().unwrap());
    args.extend(files);
    let (code, out, err) = run_cli(&args);
    assert_eq!(code, 0, "{err}\n{out}");
    let mut lines = out.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    for column in [
        "artist",
        "title",
        "album",
        "genre",
        "speech_music",
        "speech_score",
    ] {
        assert!(header.contains(&column), "{column} missing from {header:?}");
    }
    let col = |row: &str, name: &str| {
        let i = header.iter().position(|h| *h == name).unwrap();
        // No field of these rows is quoted (no commas in the values).
        row.split(',').nth(i).unwrap().to_string()
    };
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 2, "{out}");
    let speech_row = rows.iter().find(|r| r.contains("speech.mp3")).unwrap();
    let music_row = rows.iter().find(|r| r.contains("music.flac")).unwrap();
    assert_eq!(col(speech_row, "artist"), "The Newsreader");
    assert_eq!(col(speech_row, "album"), "-", "the `missing` parameter");
    assert_eq!(col(speech_row, "speech_music"), "speech");
    assert_eq!(col(music_row, "title"), "Groove in C");
    assert_eq!(col(music_row, "genre"), "House");
    assert_eq!(col(music_row, "speech_music"), "music");
    let score = |row: &str| col(row, "speech_score").parse::<f64>().unwrap();
    assert!(score(speech_row) > 0.7 && score(music_row) < 0.3, "{out}");

    // JSON carries the same values, and the plugin's quality counts.
    let mut args = vec!["--plugins", plugins, "run", "--no-db"];
    args.push(pipeline.to_str().unwrap());
    args.push(files[0]);
    let (code, out, err) = run_cli(&args);
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let result = &json["results"][0];
    assert_eq!(result["title"], "Evening News");
    assert_eq!(result["speech_music"], "speech");
    assert!(result["quality"].as_f64().is_some(), "{result}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn plugins_list_and_check_show_the_commands() {
    let plugins = plugins_dir();
    let plugins = plugins.as_str();
    let (code, out, err) = run_cli(&["--plugins", plugins, "plugins", "list"]);
    assert_eq!(code, 0, "{err}");
    for needle in [
        "tags",
        "speech_music",
        "command: python3 tags.py",
        "command: python3 speech_music.py",
        plugins,
    ] {
        assert!(out.contains(needle), "{needle}: {out}");
    }
    let (code, out, err) = run_cli(&["--plugins", plugins, "plugins", "check"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("tags: ok") && out.contains("speech_music: ok"),
        "{out}"
    );
    let (code, _, err) = run_cli(&["--plugins", plugins, "plugins", "check", "nope"]);
    assert_eq!(code, 1);
    assert!(err.contains("plugin `nope` is not installed"), "{err}");
}

#[test]
fn a_broken_plugin_is_listed_with_its_problem_and_fails_check() {
    let dir = temp_dir("plugins-broken");
    let broken = dir.join("broken");
    std::fs::create_dir_all(&broken).unwrap();
    std::fs::write(
        broken.join("plugin.ron"),
        r#"(version: 1, name: "broken", kind: Preparation, command: ["./run"], shell: "x")"#,
    )
    .unwrap();
    let gone = dir.join("gone");
    std::fs::create_dir_all(&gone).unwrap();
    std::fs::write(
        gone.join("plugin.ron"),
        r#"(version: 1, name: "gone", kind: Preparation, command: ["./no-such-program"])"#,
    )
    .unwrap();
    let d = dir.to_str().unwrap();
    let (code, out, err) = run_cli(&["--plugins", d, "plugins", "list"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("gone") && err.contains("shell"),
        "{out}\n{err}"
    );
    let (code, _, err) = run_cli(&["--plugins", d, "plugins", "check", "gone"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("no-such-program") && err.contains("does not exist"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_missing_plugin_loads_but_refuses_to_run_and_bad_parameters_have_a_position() {
    let dir = temp_dir("plugins-missing");
    let missing = dir.join("missing.ron");
    std::fs::write(
        &missing,
        PIPELINE.replace("\"tags\", params", "\"no_such\", params"),
    )
    .unwrap();
    let plugins = plugins_dir();
    let plugins = plugins.as_str();
    let (code, out, err) = run_cli(&["--plugins", plugins, "check", missing.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(out.contains("loads, cannot run"), "{out}");
    assert!(
        err.contains("node `tags`") && err.contains("plugin `no_such` is not installed"),
        "{err}"
    );
    let wav = dir.join("a.wav");
    synth::write_wav(&wav, &synth::sine(440.0, 0.5, 1.0, 22_050, 1), 1, 22_050);
    let (code, _, err) = run_cli(&[
        "--plugins",
        plugins,
        "run",
        "--no-db",
        missing.to_str().unwrap(),
        wav.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "refused before running: {err}");
    assert!(err.contains("plugin `no_such` is not installed"), "{err}");

    let bad = dir.join("bad.ron");
    std::fs::write(
        &bad,
        PIPELINE.replace("\"max_seconds\": 20.0", "\"max_seconds\": 0.5"),
    )
    .unwrap();
    let (code, _, err) = run_cli(&["--plugins", plugins, "check", bad.to_str().unwrap()]);
    assert_eq!(code, 1);
    // The parameter's own line in the file.
    let line = PIPELINE
        .lines()
        .position(|l| l.contains("max_seconds"))
        .unwrap()
        + 1;
    assert!(err.contains(&format!("bad.ron:{line}:")), "{err}");
    assert!(err.contains("0.5 is outside 2..=600"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn wave_studio_plugins_names_more_folders() {
    let out = Command::new(env!("CARGO_BIN_EXE_wave-studio"))
        .args(["plugins", "list"])
        .env("WAVE_STUDIO_PLUGINS", plugins_dir())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("command: python3 tags.py"), "{text}");
}

#[test]
fn files_given_as_relative_paths_reach_the_plugin_whole() {
    let dir = temp_dir("plugins-relative");
    let wav = dir.join("tone.wav");
    synth::write_wav(&wav, &synth::sine(440.0, 0.5, 3.0, 22_050, 1), 1, 22_050);
    std::fs::write(dir.join("p.ron"), PIPELINE).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_wave-studio"))
        .current_dir(&dir)
        .args([
            "--plugins",
            plugins_dir().as_str(),
            "run",
            "--no-db",
            "p.ron",
            "tone.wav",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["results"][0]["album"], "-", "{stdout}");
    assert_eq!(json["results"][0]["speech_music"], "music", "{stdout}");
    let _ = std::fs::remove_dir_all(&dir);
}
