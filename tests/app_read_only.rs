//! The app on a read-only library (issue 23 item 5): its results are
//! listed and the status says nothing new will be stored. Root ignores
//! file modes, so the test runs itself again without the capabilities that
//! let it (as `cli_library_safety` runs the CLI), in a process of its own.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap in a test is a failed test"
)]

mod gui_support;

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use gui_support::{TempDir, groove, harness, runtime, shows, step_until, write_wav};
use wave_studio::app::{Launch, Source, WaveStudioApp};

/// Set in the child: the library to open.
const CHILD_DB: &str = "WAVE_TEST_READ_ONLY_DB";
const TEST: &str = "a_read_only_library_is_listed_and_said_to_store_nothing";

#[test]
fn a_read_only_library_is_listed_and_said_to_store_nothing() {
    if let Ok(db) = std::env::var(CHILD_DB) {
        return child(PathBuf::from(db));
    }
    let dir = TempDir::new("app-ro");
    let folder = dir.path("ro");
    std::fs::create_dir_all(&folder).unwrap();
    let files: Vec<PathBuf> = (0..2)
        .map(|i| {
            let p = dir.path(&format!("ro{i}.wav"));
            write_wav(&p, &groove(120.0, 3.0, i), 1, gui_support::RATE);
            p
        })
        .collect();
    let db = folder.join("lib.sqlite");
    let stored = Command::new(env!("CARGO_BIN_EXE_wave-studio"))
        .args(["run", "--db"])
        .arg(&db)
        .args(&files)
        .output()
        .unwrap();
    assert!(stored.status.success(), "{stored:?}");
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).unwrap();
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o555)).unwrap();
    let me = std::env::current_exe().unwrap();
    let o = Command::new("setpriv")
        .args(["--bounding-set", "-dac_override,-dac_read_search"])
        .arg(me)
        .args(["--exact", TEST, "--nocapture"])
        .env(CHILD_DB, &db)
        .output();
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o755)).unwrap();
    let o = o.expect("setpriv (util-linux) runs the test without root's file access");
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{out}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(out.contains("1 passed"), "the child ran the test: {out}");
}

/// The check itself, in the process without root's file access.
fn child(db: PathBuf) {
    assert!(
        std::fs::OpenOptions::new().append(true).open(&db).is_err(),
        "the library cannot be written here"
    );
    let rt = runtime();
    let launch = Launch {
        db: Some(db),
        ..Launch::default()
    };
    let mut h = harness(WaveStudioApp::with_launch(rt.handle().clone(), launch));
    let listed = step_until(&mut h, Duration::from_secs(60), |a| {
        a.results().source == Source::Library && a.results().rows.len() == 2
    });
    assert!(listed, "the stored results are listed");
    assert!(shows(&h, "ro0.wav") && shows(&h, "ro1.wav"));
    assert!(
        shows(
            &h,
            "is read-only: its results are shown, nothing new will be stored"
        ),
        "the status says so"
    );
}
