//! The track view: opened from a stored result by double-clicking its
//! row, after a relaunch; its lanes, ruler, zoom, pan and fit; a file
//! without a stored result says why.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap in a test is a failed test"
)]

mod gui_support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use egui::accesskit::Role;
use egui_kittest::kittest::{NodeT, Queryable};
use gui_support::{TempDir, harness_sized, runtime, shows, step_until};
use wave_studio::app::{BottomTab, Command, LaneKind, Launch, WaveStudioApp};
use wave_studio::library::Library;
use wave_studio::pipeline;
use wave_studio::run::PipelineRunner;

const WAIT: Duration = Duration::from_secs(120);

/// A real piece nobody here made (tests/data/real), copied so the test's
/// library holds only it.
fn real_piece(dir: &TempDir) -> PathBuf {
    let src =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/real/bach_bwv104.6_brass_144.mp3");
    let to = dir.path("bach brass.mp3");
    std::fs::copy(src, &to).unwrap();
    to
}

/// Stores `files`' results of the default pipeline with a real run.
fn store(rt: &tokio::runtime::Runtime, db: &Path, files: &[PathBuf]) {
    let lib = Library::open(db).unwrap();
    let doc = pipeline::default_document().unwrap();
    rt.block_on(async {
        let handle = tokio::runtime::Handle::current();
        let runner = PipelineRunner::with_library(&doc, None, handle, Some(lib)).unwrap();
        let mut run = runner.start(files.to_vec(), 2);
        while run.results.recv().await.is_some() {}
        run.done.await.unwrap();
        runner.orchestrator().shutdown().await;
    });
}

fn launch(db: &Path) -> Launch {
    Launch {
        db: Some(db.to_path_buf()),
        ..Launch::default()
    }
}

#[test]
fn a_stored_result_opens_as_a_track_with_its_lanes() {
    let rt = runtime();
    let dir = TempDir::new("apptrack-open");
    let piece = real_piece(&dir);
    let db = dir.path("lib.sqlite");
    store(&rt, &db, std::slice::from_ref(&piece));

    // A relaunch: the row comes from the library.
    let app = WaveStudioApp::with_launch(rt.handle().clone(), launch(&db));
    // Frames as short as a real one's, so two clicks make a double-click.
    let mut h = egui_kittest::Harness::builder()
        .with_size(egui::vec2(1600.0, 1000.0))
        .with_step_dt(1.0 / 60.0)
        .with_max_steps(64)
        .build_ui_state(|ui, app: &mut WaveStudioApp| app.frame(ui), app);
    assert!(step_until(&mut h, WAIT, |a| a.results().rows.len() == 1));
    let row = h.get_by_label("bach brass.mp3").rect().center();
    double_click(&mut h, row);
    step_until(&mut h, WAIT, |a| {
        let t = a.track();
        t.track.is_some() || t.error.is_some() || t.loading.is_none() && t.request > 0
    });
    let t = h.state().track();
    assert!(
        t.track.is_some(),
        "request {} error {:?}",
        t.request,
        t.error
    );
    let t = h.state().track();
    assert_eq!(t.tab, BottomTab::Track);
    let data = &t.track.as_ref().unwrap().data;
    assert!((data.duration_s - 24.7).abs() < 0.5, "{}", data.duration_s);
    assert!(data.waveform().is_some() && data.beats().is_some());
    assert!(data.loudness().is_some() && data.key().is_some());
    assert!(shows(&h, "Track: bach brass.mp3"));
    for lane in LaneKind::ALL {
        assert!(shows(&h, lane.label()), "the {lane:?} switch");
    }

    // Wheel over the lanes zooms in about the pointer; drag pans; a
    // double-click fits again.
    let view = |h: &egui_kittest::Harness<'static, WaveStudioApp>| {
        h.state().track().track.as_ref().unwrap().view
    };
    let whole = view(&h);
    let lanes = lanes_point(&h);
    h.event(egui::Event::PointerMoved(lanes));
    h.event(egui::Event::MouseWheel {
        unit: egui::MouseWheelUnit::Point,
        delta: egui::vec2(0.0, 240.0),
        phase: egui::TouchPhase::Move,
        modifiers: egui::Modifiers::NONE,
    });
    h.run_steps(8);
    let zoomed = view(&h);
    assert!(zoomed.span_s < 0.5 * whole.span_s, "{zoomed:?}");
    h.drag_at(lanes);
    h.run();
    h.event(egui::Event::PointerMoved(lanes + egui::vec2(-200.0, 0.0)));
    h.run();
    h.event(egui::Event::PointerButton {
        pos: lanes + egui::vec2(-200.0, 0.0),
        button: egui::PointerButton::Primary,
        pressed: false,
        modifiers: egui::Modifiers::NONE,
    });
    h.run_steps(2);
    let panned = view(&h);
    assert!(panned.start_s > zoomed.start_s, "{zoomed:?} -> {panned:?}");
    h.get_by_label("Fit").click();
    h.run();
    assert_eq!(view(&h), whole);

    // No audio output in tests: Play is disabled (the reason on hover);
    // a click on the lanes still moves the playhead.
    assert!(h.get_by_label("▶ Play").accesskit_node().is_disabled());
    h.get_by_label("▶ Play").hover();
    // Tooltips wait for the pointer to rest.
    for _ in 0..60 {
        h.step();
    }
    assert!(shows(&h, "Cannot play: no audio output"));
    let before = h.state().track().track.as_ref().unwrap().playhead_s;
    let at = lanes_point(&h) + egui::vec2(150.0, 0.0);
    h.event(egui::Event::PointerMoved(at));
    h.run();
    for pressed in [true, false] {
        h.event(egui::Event::PointerButton {
            pos: at,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: egui::Modifiers::NONE,
        });
    }
    h.run_steps(2);
    let after = h.state().track().track.as_ref().unwrap().playhead_s;
    assert!(after > before + 1.0, "playhead {before} -> {after}");

    // Hiding a lane; closing goes back to the charts.
    h.get_by_role_and_label(Role::CheckBox, LaneKind::Key.label())
        .click();
    h.run();
    assert!(!h.state().track().shows(LaneKind::Key));
    h.get_by_label("Close").click();
    h.run();
    assert!(h.state().track().track.is_none());
    assert_eq!(h.state().track().tab, BottomTab::Charts);

    // Enter on the selected row opens it again.
    h.get_by_label("bach brass.mp3").click();
    h.run();
    h.key_press(egui::Key::Enter);
    assert!(step_until(&mut h, WAIT, |a| a.track().track.is_some()));
}

/// Two clicks at `pos` in one frame (a double-click).
fn double_click(h: &mut egui_kittest::Harness<'static, WaveStudioApp>, pos: egui::Pos2) {
    h.event(egui::Event::PointerMoved(pos));
    h.run();
    for pressed in [true, false, true, false] {
        h.event(egui::Event::PointerButton {
            pos,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: egui::Modifiers::NONE,
        });
    }
    h.run_steps(4);
}

/// A point in the middle of the lanes: below the ruler, in the track
/// area (left part of the bottom panel).
fn lanes_point(h: &egui_kittest::Harness<'static, WaveStudioApp>) -> egui::Pos2 {
    let fit = h.get_by_label("Fit").rect();
    egui::pos2(fit.center().x.min(400.0), fit.bottom() + 60.0)
}

#[test]
fn a_file_without_a_stored_result_says_so() {
    let rt = runtime();
    let dir = TempDir::new("apptrack-none");
    let db = dir.path("lib.sqlite");
    Library::open(&db).unwrap();
    let app = WaveStudioApp::with_launch(rt.handle().clone(), launch(&db));
    let mut h = harness_sized(app, egui::vec2(1280.0, 720.0));
    assert!(step_until(&mut h, WAIT, |a| a.has_library()));
    h.state_mut().push(Command::OpenTrack {
        path: dir.path("never analysed.flac"),
        pipeline: None,
        bpm: None,
    });
    assert!(step_until(&mut h, WAIT, |a| a.track().error.is_some()));
    assert!(shows(&h, "never analysed.flac has no stored result yet"));
}
