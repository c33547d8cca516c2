//! Helpers for the app tests: a runtime, the harness around the real app,
//! dropped files, and generated audio (a 120 BPM groove as 16-bit WAV).
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "shared by several test crates, each using a part; a failed unwrap is a failed test"
)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use wave_studio::app::WaveStudioApp;

pub const RATE: u32 = 44_100;

/// A multi-thread runtime for the app's runs (the app only gets a Handle).
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// The real app in a headless harness.
pub fn harness(app: WaveStudioApp) -> Harness<'static, WaveStudioApp> {
    harness_sized(app, egui::vec2(1600.0, 1000.0))
}

/// The real app in a headless harness of this window size.
pub fn harness_sized(app: WaveStudioApp, size: egui::Vec2) -> Harness<'static, WaveStudioApp> {
    Harness::builder()
        .with_size(size)
        .with_max_steps(64)
        .build_ui_state(|ui, app: &mut WaveStudioApp| app.frame(ui), app)
}

/// Steps frames (in real time) until `done` or `timeout`.
pub fn step_until(
    h: &mut Harness<'static, WaveStudioApp>,
    timeout: Duration,
    done: impl Fn(&WaveStudioApp) -> bool,
) -> bool {
    let start = Instant::now();
    while start.elapsed() < timeout {
        h.step();
        if done(h.state()) {
            h.run_steps(2);
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

/// Turns the mouse wheel sideways at `at`: content 100 points to the
/// left, as a trackpad or Shift+wheel does.
pub fn wheel_right(h: &mut Harness<'static, WaveStudioApp>, at: egui::Pos2) {
    h.event(egui::Event::PointerMoved(at));
    h.event(egui::Event::MouseWheel {
        unit: egui::MouseWheelUnit::Point,
        delta: egui::vec2(-100.0, 0.0),
        phase: egui::TouchPhase::Move,
        modifiers: egui::Modifiers::NONE,
    });
    h.run();
}

/// A file "dropped" on the window, as the windowing backend would give it.
#[derive(Debug)]
pub struct Dropped(pub PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

/// Drops `paths` on the harness's window (next frame).
pub fn drop_files(h: &mut Harness<'static, WaveStudioApp>, paths: &[PathBuf]) {
    for p in paths {
        h.input_mut()
            .dropped_files
            .push(Arc::new(Dropped(p.clone())));
    }
}

#[path = "../common/signal.rs"]
mod signal;
// Each test file uses a different part.
#[allow(unused_imports, reason = "re-exported for the test crates that use it")]
pub use signal::{TempDir, groove, write_wav};

/// Whether some node's label contains `text`.
pub fn shows(h: &Harness<'static, WaveStudioApp>, text: &str) -> bool {
    use egui_kittest::kittest::Queryable;
    h.query_all_by_label_contains(text).next().is_some()
}

/// Whether some node's label is `text`.
pub fn shows_exactly(h: &Harness<'static, WaveStudioApp>, text: &str) -> bool {
    use egui_kittest::kittest::Queryable;
    h.query_all_by_label(text).next().is_some()
}

/// Focuses the text field labelled `label` (the last drawn, when a window
/// has one of the same name as a panel) and replaces its text with `text`.
pub fn replace_text(h: &mut Harness<'static, WaveStudioApp>, label: &str, text: &str) {
    h.query_all_by_role_and_label(Role::TextInput, label)
        .last()
        .unwrap()
        .focus();
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.run();
    h.query_all_by_role_and_label(Role::TextInput, label)
        .last()
        .unwrap()
        .type_text(text);
    h.run();
}

/// Clicks (press and release) `button` at `pos` on screen with `modifiers`.
pub fn click_at(
    h: &mut Harness<'static, WaveStudioApp>,
    pos: egui::Pos2,
    button: egui::PointerButton,
    modifiers: egui::Modifiers,
) {
    h.event(egui::Event::ModifiersChanged(modifiers));
    h.event(egui::Event::PointerMoved(pos));
    h.run();
    for pressed in [true, false] {
        h.event(egui::Event::PointerButton {
            pos,
            button,
            pressed,
            modifiers,
        });
    }
    h.run();
    h.event(egui::Event::ModifiersChanged(egui::Modifiers::NONE));
    h.run();
}
