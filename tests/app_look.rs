//! The app is readable at the sizes people use: every example pipeline
//! fits a 1280×720 window with its node text at least the body size, the
//! wheel zooms the graph (instead of panning it out of view), and every
//! text on screen has its glyphs in the app's fonts (no empty boxes).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap in a test is a failed test"
)]

mod gui_support;

use std::path::Path;
use std::time::Duration;

use egui_kittest::kittest::{NodeT, Queryable, by};
use gui_support::{TempDir, groove, harness_sized, runtime, step_until, write_wav};
use wave_studio::app::{Command, NODE_TEXT_SIZE, WaveStudioApp};

/// The smaller window people use.
const SMALL: egui::Vec2 = egui::vec2(1280.0, 720.0);
/// Right of this the inspector starts, at its first width.
const CANVAS_RIGHT: f32 = 1280.0 - 320.0;
/// Below this the charts panel starts, at its first height.
const CANVAS_BOTTOM: f32 = 720.0 * (1.0 - 0.38);

#[test]
fn every_example_pipeline_fits_a_1280_window_with_readable_node_text() {
    let rt = runtime();
    for name in ["default.ron", "dj-tempo-key.ron", "loudness-qa.ron"] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("pipelines")
            .join(name);
        let mut app = WaveStudioApp::new(rt.handle().clone());
        app.push(Command::Open(path));
        let mut h = harness_sized(app, SMALL);
        h.run_steps(4);
        let t = h.state().canvas_transform();
        let body = h.ctx.global_style().text_styles[&egui::TextStyle::Body].size;
        assert!(
            t.scaling * NODE_TEXT_SIZE >= body - 0.01,
            "{name}: node text {} px on screen, body text {body} px",
            t.scaling * NODE_TEXT_SIZE
        );
        // Every node, whole, is in view: right of the files, left of the
        // inspector, above the charts.
        let nodes = t * h.state().canvas_content().expect("nodes drawn");
        assert!(
            nodes.min.x >= 180.0
                && nodes.max.x <= CANVAS_RIGHT
                && nodes.min.y >= 0.0
                && nodes.max.y <= CANVAS_BOTTOM,
            "{name}: the nodes span {nodes:?}"
        );
    }
}

/// Turns the wheel by `dy` points at `pos`.
fn wheel(h: &mut egui_kittest::Harness<'static, WaveStudioApp>, pos: egui::Pos2, dy: f32) {
    h.event(egui::Event::PointerMoved(pos));
    h.run();
    h.event(egui::Event::MouseWheel {
        unit: egui::MouseWheelUnit::Point,
        delta: egui::vec2(0.0, dy),
        phase: egui::TouchPhase::Move,
        modifiers: egui::Modifiers::NONE,
    });
    h.run_steps(4);
}

#[test]
fn the_wheel_zooms_the_graph_about_the_pointer() {
    let rt = runtime();
    let mut h = harness_sized(WaveStudioApp::new(rt.handle().clone()), SMALL);
    h.run_steps(4);
    let before = h.state().canvas_transform();
    // The node's title (its operation, also "Probe", is drawn after it).
    let probe = |h: &egui_kittest::Harness<'static, WaveStudioApp>| {
        h.get_all_by_label("Probe").next().unwrap().rect()
    };
    let pos = (before * probe(&h)).center();
    wheel(&mut h, pos, 120.0);
    let zoomed = h.state().canvas_transform();
    assert!(
        zoomed.scaling > before.scaling * 1.2,
        "zoomed in: {} → {}",
        before.scaling,
        zoomed.scaling
    );
    // The node under the pointer stays under it.
    let after = (zoomed * probe(&h)).center();
    assert!((after - pos).length() < 3.0, "{pos:?} → {after:?}");
    wheel(&mut h, pos, -240.0);
    assert!(
        h.state().canvas_transform().scaling < zoomed.scaling,
        "and out"
    );
}

#[test]
fn every_text_on_screen_has_its_glyphs() {
    let rt = runtime();
    let dir = TempDir::new("look-glyphs");
    let song = dir.path("groove.wav");
    write_wav(&song, &groove(120.0, 6.0, 9), 1, gui_support::RATE);
    let mut h = harness_sized(WaveStudioApp::new(rt.handle().clone()), SMALL);
    h.run();
    gui_support::drop_files(&mut h, &[song]);
    h.run();
    h.get_by_label("Run").click();
    h.step();
    assert!(step_until(&mut h, Duration::from_secs(120), |a| !a.is_running()));
    // A sorted column (its arrow) and unsaved changes (their dot).
    h.get_by_label("BPM").click();
    h.run();
    h.state_mut().push(Command::SetName("Renamed".into()));
    h.run();

    let mut texts: Vec<String> = Vec::new();
    for node in h.query_all(by()) {
        let n = node.accesskit_node();
        texts.extend(n.label());
        texts.extend(n.value());
    }
    assert!(texts.iter().any(|t| t.contains('▲')), "a sort arrow shows");
    assert!(
        texts.iter().any(|t| t.contains('●')),
        "the modified dot shows"
    );
    let font = egui::FontId::proportional(14.0);
    let missing: Vec<&String> = texts
        .iter()
        // ⚠ is drawn from NotoEmoji, where egui's replacement glyph lives
        // too, so `has_glyphs` cannot see it: left out.
        .filter(|t| {
            !h.ctx
                .fonts_mut(|f| f.has_glyphs(&font, &t.replace('⚠', "")))
        })
        .collect();
    assert!(missing.is_empty(), "drawn as empty boxes: {missing:?}");
}
