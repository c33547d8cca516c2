//! Helpers for the data-safety tests (issue 23): the real binary, short
//! generated songs, and a look at files before and after.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "shared by several test crates, each using a part; a failed unwrap is a failed test"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common::signal::{RATE, TempDir, groove, stereo, write_wav};

/// The binary with no display and no library from the environment.
pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_wave-studio"));
    c.env_remove("DISPLAY").env_remove("WAVE_STUDIO_DB");
    c
}

/// Runs the binary with `args`.
pub fn run(args: &[&str]) -> Output {
    bin().args(args).output().unwrap()
}

/// Bytes as text, lossily.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `n` short WAVs `{tag}NN.wav` in `dir`, each with its own content.
pub fn songs(dir: &TempDir, tag: &str, n: usize, seconds: f64) -> Vec<PathBuf> {
    let base = stereo(&groove(120.0, seconds, 7));
    (0..n)
        .map(|i| {
            let mut samples = base.clone();
            samples[0] = i as f32 / 1000.0;
            samples[1] = tag.len() as f32 / 1000.0;
            let path = dir.path(&format!("{tag}{i:02}.wav"));
            write_wav(&path, &samples, 2, RATE);
            path
        })
        .collect()
}

/// Paths as strings for an argument list.
pub fn strings(paths: &[PathBuf]) -> Vec<String> {
    paths.iter().map(|p| p.display().to_string()).collect()
}

/// A path as a string.
pub fn s(path: &Path) -> String {
    path.display().to_string()
}

/// The file's bytes (empty when it cannot be read).
pub fn bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_default()
}

/// The names in `dir`, sorted.
pub fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// A count from a read-only look at the database.
pub fn count(db: &Path, sql: &str) -> i64 {
    let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY;
    let c = rusqlite::Connection::open_with_flags(db, flags).unwrap();
    c.query_row(sql, [], |r| r.get(0)).unwrap()
}
