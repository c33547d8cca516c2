//! Answers that do not mislead (issue 23, items 7, 8 and 12): a truncated
//! file is partial in the exit status too, control characters in names
//! never reach the terminal raw, `merge` names a shard given twice, and
//! `forget` takes a relative path as `run` does.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap in a test is a failed test"
)]

mod common;
mod safety;

use common::signal::{RATE, TempDir, groove, write_wav};
use safety::{bin, count, run, s, songs, text};
use serde_json::Value;

#[test]
fn a_truncated_file_is_partial_and_the_run_exits_1() {
    let dir = TempDir::new("honest-partial");
    let whole = dir.path("whole.wav");
    write_wav(&whole, &groove(120.0, 8.0, 5), 1, RATE);
    let bytes = std::fs::read(&whole).unwrap();
    let cut = dir.path("cut.wav");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let o = run(&["run", "--no-db", &s(&whole), &s(&cut)]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    let results = doc["results"].as_array().unwrap();
    let of = |name: &str| {
        results
            .iter()
            .find(|r| r["file"].as_str().unwrap().ends_with(name))
            .unwrap()
    };
    assert_eq!(of("cut.wav")["partial"], true);
    assert_eq!(of("whole.wav")["partial"], false);
    assert!(
        err.lines()
            .any(|l| l.contains("partial (") && l.contains("cut.wav")),
        "{err}"
    );
    assert!(
        err.contains("2 files: 2 completed (1 of them partial"),
        "{err}"
    );
    let o = run(&["run", "--no-db", &s(&whole)]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
}

#[test]
fn control_characters_in_names_are_escaped_on_every_terminal_line() {
    let dir = TempDir::new("honest-escape");
    let song = songs(&dir, "e", 1, 1.5).remove(0);
    let evil = dir.path("evil\u{1b}]0;pwned\u{7}.wav");
    std::fs::rename(&song, &evil).unwrap();
    let broken = dir.path("bad\u{1b}[2J.mp3");
    std::fs::write(&broken, [7u8; 3000]).unwrap();
    let pipeline = dir.path("evil.ron");
    let text_of = std::fs::read_to_string("pipelines/default.ron").unwrap();
    let named = text_of.replacen(
        "name: \"Full analysis\"",
        "name: \"Full\\u{1b}[31m analysis\\u{9b}2J\"",
        1,
    );
    assert_ne!(named, text_of);
    std::fs::write(&pipeline, named).unwrap();
    let db = dir.path("lib.sqlite");
    let o = bin()
        .args(["run", "--db"])
        .arg(&db)
        .arg(&pipeline)
        .arg(&evil)
        .arg(&broken)
        .output()
        .unwrap();
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    let runs = bin()
        .args(["results", "--runs", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    let missing = bin()
        .args(["run", "--no-db"])
        .arg(dir.path("gone\u{1b}[8m.wav"))
        .output()
        .unwrap();
    let check = bin().arg("check").arg(&pipeline).output().unwrap();
    for (what, bytes) in [
        ("run's progress and errors", &o.stderr),
        ("results --runs", &runs.stdout),
        ("an error line", &missing.stderr),
        ("check", &check.stdout),
    ] {
        let raw = String::from_utf8_lossy(bytes);
        assert!(
            !raw.contains('\u{1b}') && !raw.contains('\u{7}') && !raw.contains('\u{9b}'),
            "{what}: {raw:?}"
        );
    }
    assert!(err.contains("evil\\x1b]0;pwned\\x07.wav"), "{err}");
    assert!(err.contains("bad\\x1b[2J.mp3"), "{err}");
    assert!(
        text(&runs.stdout).contains("Full\\x1b[31m analysis\\u{9b}2J"),
        "{}",
        text(&runs.stdout)
    );
    assert!(
        text(&missing.stderr).contains("gone\\x1b[8m.wav"),
        "{}",
        text(&missing.stderr)
    );
}

/// `analyze`, `compare`, `tune` and `plugins list` print names too: the
/// same escapes, and CSV cells carry them escaped as well.
#[test]
fn analyze_compare_tune_and_plugins_escape_what_they_print() {
    let dir = TempDir::new("honest-escape-more");
    let song = songs(&dir, "m", 1, 1.5).remove(0);
    let evil = dir.path("evil\u{1b}]0;pwned\u{7}.wav");
    std::fs::rename(&song, &evil).unwrap();
    let broken = dir.path("bad\u{1b}[2J.mp3");
    std::fs::write(&broken, [7u8; 3000]).unwrap();
    let pipeline = dir.path("evil.ron");
    let default = std::fs::read_to_string("pipelines/default.ron").unwrap();
    let named = default.replacen(
        "name: \"Full analysis\"",
        "name: \"Full\\u{1b}[31m analysis\"",
        1,
    );
    std::fs::write(&pipeline, named).unwrap();
    let plugins = dir.path("plugins");
    let manifest = std::fs::read_to_string("plugins/speech_music/plugin.ron").unwrap();
    std::fs::create_dir_all(plugins.join("sm")).unwrap();
    std::fs::write(
        plugins.join("sm/plugin.ron"),
        manifest.replacen("is this speech", "is this\\u{1b}[2J speech", 1),
    )
    .unwrap();
    let db = dir.path("lib.sqlite");
    let run = |args: &[&str], paths: &[&std::path::Path]| {
        let mut c = bin();
        c.args(args).env("WAVE_STUDIO_PLUGINS", &plugins);
        for p in paths {
            c.arg(p);
        }
        c.output().unwrap()
    };
    let table = run(&["analyze", "--format", "table"], &[&evil, &broken]);
    let csv = run(&["analyze", "--format", "csv"], &[&evil]);
    let compare = run(&["compare", "--no-db"], &[&pipeline, &pipeline, &evil]);
    let stored = run(&["run", "--db"], &[&db, &pipeline, &evil]);
    assert_eq!(stored.status.code(), Some(0), "{}", text(&stored.stderr));
    let tune = run(&["tune", "--db"], &[&db, &pipeline]);
    let list = run(&["plugins", "list"], &[]);
    for (what, o) in [
        ("analyze table", &table),
        ("analyze csv", &csv),
        ("compare", &compare),
        ("tune", &tune),
        ("plugins list", &list),
    ] {
        for bytes in [&o.stdout, &o.stderr] {
            let raw = String::from_utf8_lossy(bytes);
            assert!(
                !raw.contains('\u{1b}') && !raw.contains('\u{7}'),
                "{what}: {raw:?}"
            );
        }
    }
    let shown = "evil\\x1b]0;pwned\\x07.wav";
    assert!(
        text(&table.stdout).contains(shown),
        "{}",
        text(&table.stdout)
    );
    assert!(
        text(&table.stderr).contains("bad\\x1b[2J.mp3"),
        "{}",
        text(&table.stderr)
    );
    assert!(text(&csv.stdout).contains(shown), "{}", text(&csv.stdout));
    assert!(
        text(&compare.stdout).contains("Full\\x1b[31m analysis"),
        "{}",
        text(&compare.stdout)
    );
    assert!(
        text(&compare.stderr).contains(shown),
        "{}",
        text(&compare.stderr)
    );
    assert!(
        text(&tune.stdout).contains("Full\\x1b[31m analysis"),
        "{}",
        text(&tune.stdout)
    );
    assert!(
        text(&list.stdout).contains("is this\\x1b[2J speech"),
        "{}",
        text(&list.stdout)
    );
}

#[test]
fn merge_names_a_shard_given_twice_and_forget_resolves_relative_paths() {
    let dir = TempDir::new("honest-merge");
    let files = songs(&dir, "m", 2, 1.5);
    let db = dir.path("shard-0.sqlite");
    let o = bin()
        .args(["run", "--db"])
        .arg(&db)
        .args(&files)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = s(&dir.path("all.sqlite"));
    let again = format!("{}/./shard-0.sqlite", dir.0.display());
    for twice in [s(&db), again] {
        let o = run(&["merge", &out, &s(&db), &twice]);
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(
            err.contains(&twice) && err.contains("give each shard's library once"),
            "{err}"
        );
        assert!(!dir.path("all.sqlite").exists(), "nothing merged");
    }
    // From the folder the run was started in, by a relative name.
    let o = bin()
        .current_dir(&dir.0)
        .args(["forget", "--db", "shard-0.sqlite", "m00.wav"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(
        text(&o.stdout).contains("forgot 1 result"),
        "{}",
        text(&o.stdout)
    );
    assert_eq!(count(&db, "SELECT count(*) FROM results"), 1);
}
