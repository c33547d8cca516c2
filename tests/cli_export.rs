//! `export --to m3u`: the library's results as an extended M3U playlist,
//! in harmonic order, through the real binary; paths with spaces,
//! non-ASCII letters and `&`; never over the library.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap in a test is a failed test"
)]

mod common;

use std::process::{Command, Output};

use common::signal::{TempDir, groove, stereo, write_wav};

fn wave_studio(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wave-studio"))
        .env_remove("WAVE_STUDIO_DB")
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn a_harmonic_m3u_playlist_of_the_library() {
    let dir = TempDir::new("cli-export");
    let folder = dir.path("Ünï & co");
    std::fs::create_dir_all(&folder).unwrap();
    // Grooves over a C major chord at 120 and 100 BPM: the same key, so
    // harmonic order puts the slower first.
    let fast = folder.join("fast one.wav");
    let slow = folder.join("slow one.wav");
    write_wav(&fast, &stereo(&groove(120.0, 20.0, 1)), 2, 44_100);
    write_wav(&slow, &stereo(&groove(100.0, 20.0, 2)), 2, 44_100);
    let db = dir.path("lib.sqlite");
    let db_s = db.to_str().unwrap();
    let out = wave_studio(&["run", "--db", db_s, folder.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let list = dir.path("set & Ü.m3u8");
    let out = wave_studio(&[
        "export",
        "--to",
        "m3u",
        "--sort",
        "harmonic",
        "--db",
        db_s,
        "--out",
        list.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&list).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "#EXTM3U", "{text}");
    assert_eq!(lines.len(), 5, "{text}");
    assert_eq!(lines[1], "#EXTINF:20,slow one.wav");
    assert!(lines[2].ends_with("Ünï & co/slow one.wav"), "{text}");
    assert!(
        std::path::Path::new(lines[2]).is_file(),
        "an absolute path that exists"
    );
    assert_eq!(lines[3], "#EXTINF:20,fast one.wav");
    assert!(!text.contains('\r'));

    // Never over the library.
    let out = wave_studio(&["export", "--to", "m3u", "--db", db_s, "--out", db_s]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(std::fs::metadata(&db).unwrap().len() > 0);
    let out = wave_studio(&[
        "run",
        "--db",
        db_s,
        "--format",
        "jsonl",
        folder.to_str().unwrap(),
    ]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("\"cached\":true"),
        "library intact"
    );
}
