//! *Compare with…* in the app: pipeline B picked in the in-app browser,
//! both run over the queue, the diff table lists the disagreement first,
//! a click shows both whole records; the inspector then says why there is
//! no threshold suggestion yet.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap in a test is a failed test"
)]

mod gui_support;

use std::path::Path;
use std::time::Duration;

use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use gui_support::{
    TempDir, groove, harness, replace_text, runtime, shows, shows_exactly, step_until, write_wav,
};
use wave_studio::app::{Launch, WaveStudioApp};

/// Types into the in-app browser's field `label` and presses Enter.
fn type_into(h: &mut egui_kittest::Harness<'static, WaveStudioApp>, label: &str, text: &str) {
    replace_text(h, label, text);
    h.key_press(egui::Key::Enter);
}

#[test]
fn compare_with_a_second_pipeline_lists_disagreements_first_and_shows_both_records() {
    let rt = runtime();
    let dir = TempDir::new("app-compare");
    // 178 BPM is above the DJ pipeline's 175 BPM ceiling: it reads half.
    let fast = dir.path("fast_178.wav");
    let mid = dir.path("mid_124.wav");
    write_wav(&fast, &groove(178.0, 12.0, 1), 1, gui_support::RATE);
    write_wav(&mid, &groove(124.0, 8.0, 2), 1, gui_support::RATE);
    let launch = Launch {
        db: Some(dir.path("library.sqlite")),
        files: vec![mid, fast],
        ..Launch::default()
    };
    let mut app = WaveStudioApp::with_launch(rt.handle().clone(), launch);
    app.set_native_dialogs(false);
    let mut h = harness(app);
    let opened = step_until(&mut h, Duration::from_secs(30), WaveStudioApp::has_library);
    assert!(opened, "the library opens");

    // The menu bar's File comes first (the results table has a File
    // column too).
    h.query_all_by_role_and_label(Role::Button, "File")
        .next()
        .unwrap()
        .click();
    h.run();
    h.get_by_label("Compare with…").click();
    h.run();
    assert!(
        shows_exactly(&h, "Compare with pipeline"),
        "the browser opens"
    );
    let pipelines = Path::new(env!("CARGO_MANIFEST_DIR")).join("pipelines");
    type_into(&mut h, "Folder", &pipelines.display().to_string());
    h.run();
    type_into(&mut h, "File name", "dj-tempo-key.ron");
    // The comparison starts at once and its spinner repaints every frame,
    // so step a few frames rather than `run` until idle.
    h.run_steps(8);
    assert!(shows_exactly(&h, "Compare pipelines"), "the window opens");

    let done = step_until(&mut h, Duration::from_secs(180), |app| {
        !app.comparison_state().is_running() && app.comparison_state().outcome.is_some()
    });
    assert!(done, "the comparison ends");
    let c = h
        .state()
        .comparison_state()
        .comparison()
        .expect("a comparison");
    assert_eq!(c.files.len(), 2);
    assert!(shows(&h, "A: Full analysis"));
    assert!(shows(&h, "B: DJ tempo and key"));
    // The fast file disagrees on tempo, and comes first though it was
    // queued second.
    let first = c.disagreements_first()[0];
    assert!(first.file.ends_with("fast_178.wav"), "{}", first.file);
    assert!(shows(&h, "octave apart: B is half A"));
    assert!(shows(&h, "CPU time per node"));
    assert!(shows(&h, "Quality distribution"));

    // The comparison's row (the queue lists the file too; the window is
    // drawn last).
    h.query_all_by_label("fast_178.wav").last().unwrap().click();
    h.run();
    assert!(shows(&h, "fast_178.wav: both records"));
    assert!(shows_exactly(&h, "A: done"));
    assert!(shows_exactly(&h, "B: done"));
    assert!(shows_exactly(&h, "camelot"), "the whole record is listed");

    // The history now holds two files: too few for a suggestion, and the
    // inspector says so beside quality_threshold.
    let said = step_until(&mut h, Duration::from_secs(30), |app| {
        app.tune_state().answer.is_some()
    });
    assert!(said, "the tuning is computed");
    assert!(shows(&h, "none yet: 2 of 50 files"));
}
