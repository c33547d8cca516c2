//! The tags files already carry, read through the real binary: title,
//! artist, album, the tag's BPM and key, and how ours relate to them, in
//! MP3 (ID3v2, written by ffmpeg) and FLAC (Vorbis comments, written by
//! metaflac) — tools nobody here wrote.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap in a test is a failed test"
)]

mod common;
mod tools;

use std::process::Command;

use common::signal::{TempDir, groove, stereo, write_wav};
use serde_json::Value;

#[test]
fn existing_tags_are_read_and_compared_with_ours() {
    let dir = TempDir::new("cli-tags");
    let wav = dir.path("groove.wav");
    write_wav(&wav, &stereo(&groove(120.0, 30.0, 3)), 2, 44_100);
    let mp3 = dir.path("tagged & named.mp3");
    let w = wav.to_str().unwrap();
    tools::run(
        "ffmpeg",
        &[
            "-loglevel",
            "error",
            "-y",
            "-i",
            w,
            "-metadata",
            "title=Groove Ünïcode",
            "-metadata",
            "artist=The Testers",
            "-metadata",
            "album=Fixtures",
            "-metadata",
            "TBPM=60",
            "-metadata",
            "TKEY=Am",
            "-id3v2_version",
            "3",
            mp3.to_str().unwrap(),
        ],
    );
    let flac = dir.path("tagged.flac");
    tools::run("flac", &["-s", "-f", "-o", flac.to_str().unwrap(), w]);
    tools::run(
        "metaflac",
        &[
            "--set-tag=TITLE=Groove",
            "--set-tag=BPM=120.00",
            "--set-tag=INITIALKEY=8B",
            "--set-tag=REPLAYGAIN_TRACK_GAIN=-6.52 dB",
            flac.to_str().unwrap(),
        ],
    );
    let out = Command::new(env!("CARGO_BIN_EXE_wave-studio"))
        .env_remove("WAVE_STUDIO_DB")
        .args(["run", "--no-db", "--format", "jsonl"])
        .args([&mp3, &flac, &wav])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let row = |name: &str| {
        rows.iter()
            .find(|r| r["file"].as_str().unwrap().ends_with(name))
            .unwrap()
    };
    let m = row("tagged & named.mp3");
    assert_eq!(m["title"], "Groove Ünïcode", "{m}");
    assert_eq!(m["artist"], "The Testers");
    assert_eq!(m["album"], "Fixtures");
    assert_eq!(m["tag_bpm"], 60.0);
    assert_eq!(m["tag_key"], "Am");
    assert_eq!(m["key"], "C major", "our key of a C major groove");
    assert_eq!(m["tag_bpm_relation"], "double", "ours is double the tag's");
    assert_eq!(m["tag_key_relation"], "relative");
    let f = row("tagged.flac");
    assert_eq!(f["title"], "Groove");
    assert_eq!(f["tag_bpm"], 120.0);
    assert_eq!(f["tag_key"], "8B");
    assert_eq!(f["tag_replaygain_db"], -6.52);
    assert_eq!(f["tag_bpm_relation"], "same");
    assert_eq!(f["tag_key_relation"], "same");
    let w = row("groove.wav");
    assert!(w.get("tag_bpm").is_none_or(Value::is_null), "{w}");
    assert!(w.get("tag_bpm_relation").is_none(), "{w}");
    // The CSV export carries them too.
    let csv = Command::new(env!("CARGO_BIN_EXE_wave-studio"))
        .env_remove("WAVE_STUDIO_DB")
        .args(["run", "--no-db", "--format", "csv"])
        .arg(&flac)
        .output()
        .unwrap();
    let text = String::from_utf8(csv.stdout).unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    for col in [
        "title",
        "artist",
        "tag_bpm",
        "tag_key",
        "tag_bpm_relation",
        "tag_key_relation",
    ] {
        assert!(header.contains(&col), "{col} in {header:?}");
    }
    assert!(text.lines().nth(1).unwrap().contains(",Groove,"), "{text}");
}
