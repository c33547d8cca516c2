//! What the app says about files is what happened to them: `.opus` and
//! `.alac` files are queued when dropped (what is ignored is named), a
//! truncated file is partial with its reason, and the quick tempo and key
//! show at once, marked provisional, until the finished values replace them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap in a test is a failed test"
)]

mod gui_support;

use std::time::Duration;

use egui_kittest::kittest::Queryable;
use gui_support::{TempDir, groove, harness, runtime, shows, step_until, write_wav};
use wave_studio::app::{Column, Command, FileState, WaveStudioApp};

#[test]
fn opus_and_alac_files_are_queued_on_drop_and_what_is_ignored_is_named() {
    let rt = runtime();
    let dir = TempDir::new("trust-drop");
    for name in ["live.opus", "lossless.alac", "LOUD.OPUS", "liner-notes.txt"] {
        std::fs::write(dir.path(name), b"x").unwrap();
    }
    let mut h = harness(WaveStudioApp::new(rt.handle().clone()));
    h.run();
    gui_support::drop_files(&mut h, std::slice::from_ref(&dir.0));
    h.run();
    let mut queued: Vec<String> = h
        .state()
        .files()
        .entries
        .iter()
        .map(|e| e.path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    queued.sort();
    assert_eq!(queued, ["LOUD.OPUS", "live.opus", "lossless.alac"]);
    // The note counts what was ignored; hovering it names the file.
    let note = "1 non-audio file(s) ignored";
    assert!(shows(&h, note));
    assert!(!shows(&h, "liner-notes.txt"));
    h.get_by_label(note).hover();
    // Past the tooltip delay.
    h.run_steps(4);
    assert!(
        shows(&h, &dir.path("liner-notes.txt").display().to_string()),
        "the ignored file is named on hover"
    );
}

#[test]
fn a_truncated_file_is_partial_with_its_reason_in_the_row_and_the_counts() {
    let rt = runtime();
    let dir = TempDir::new("trust-partial");
    let whole = dir.path("whole.wav");
    write_wav(&whole, &groove(120.0, 8.0, 5), 1, gui_support::RATE);
    let bytes = std::fs::read(&whole).unwrap();
    let cut = dir.path("cut.wav");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();

    let mut h = harness(WaveStudioApp::new(rt.handle().clone()));
    h.run();
    gui_support::drop_files(&mut h, &[whole, cut.clone()]);
    h.run();
    h.get_by_label("Run").click();
    h.step();
    assert!(step_until(&mut h, Duration::from_secs(120), |a| !a.is_running()));

    let entries = &h.state().files().entries;
    let state = |name: &str| {
        entries
            .iter()
            .find(|e| e.path.ends_with(name))
            .map(|e| e.state.clone())
            .unwrap()
    };
    assert_eq!(state("whole.wav"), FileState::Done);
    let FileState::Partial(why) = state("cut.wav") else {
        panic!("the truncated file is partial: {:?}", state("cut.wav"));
    };
    assert!(!why.is_empty(), "with its reason");
    assert!(shows(
        &h,
        "0 queued · 0 running · 1 done · 1 partial · 0 failed"
    ));
    // The row says partial, with the reason.
    let row = h
        .state()
        .results()
        .rows
        .iter()
        .find(|r| r.file == "cut.wav")
        .unwrap();
    assert_eq!(row.cell(Column::Status), format!("partial: {why}"));
    assert!(shows(&h, "partial: "));
}

#[test]
fn quick_estimates_show_at_once_as_provisional_then_the_finished_values_replace_them() {
    let rt = runtime();
    let dir = TempDir::new("trust-quick");
    let song = dir.path("groove.wav");
    write_wav(&song, &groove(120.0, 10.0, 7), 1, gui_support::RATE);

    let mut app = WaveStudioApp::new(rt.handle().clone());
    // A pause between stages leaves time to see the quick estimate.
    let mut config = app.document().config.clone();
    config.inter_stage_delay_ms = 1500;
    app.push(Command::SetConfig {
        config,
        key: "test".into(),
    });
    let mut h = harness(app);
    h.run();
    gui_support::drop_files(&mut h, &[song]);
    h.run();
    h.get_by_label("Run").click();
    h.step();
    let provisional = |a: &WaveStudioApp| {
        a.results()
            .rows
            .iter()
            .any(|r| r.provisional && r.cell(Column::Bpm).starts_with('~'))
    };
    assert!(
        step_until(&mut h, Duration::from_secs(60), provisional),
        "the quick tempo shows before the file finishes"
    );
    assert!(h.state().is_running());
    let row = h.state().results().rows.first().unwrap().clone();
    let bpm: f64 = row
        .cell(Column::Bpm)
        .trim_start_matches('~')
        .parse()
        .unwrap();
    assert!((bpm - 120.0).abs() < 1.5, "{bpm}");
    assert!(
        shows(&h, &format!("~{bpm:.1}")),
        "marked provisional in the row"
    );

    assert!(step_until(&mut h, Duration::from_secs(120), |a| !a.is_running()));
    let rows = &h.state().results().rows;
    assert_eq!(
        rows.len(),
        1,
        "the finished row replaced the provisional one"
    );
    let row = &rows[0];
    assert!(!row.provisional);
    assert!(!row.cell(Column::Bpm).starts_with('~') && row.bpm.is_some());
    assert!(!row.cell(Column::Key).starts_with('~'));
}
