//! The inspector as the hand pass met it: committing a wrong value moves
//! nothing (so the next click lands where it was aimed), Escape puts the
//! committed value back, an entry that is not a number is named instead of
//! silently reset, and a long entry or a node's editor never widens the
//! inspector.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap in a test is a failed test"
)]

mod gui_support;

use egui::accesskit::Role;
use egui_kittest::kittest::{NodeT, Queryable};
use gui_support::{harness_sized, replace_text, runtime, shows};
use wave_studio::app::{Command, WaveStudioApp};

type H = egui_kittest::Harness<'static, WaveStudioApp>;

const SMALL: egui::Vec2 = egui::vec2(1280.0, 720.0);
const WIDE: egui::Vec2 = egui::vec2(1600.0, 1000.0);

/// Where the field labelled `label` is on screen.
fn field_rect(h: &H, label: &str) -> egui::Rect {
    h.get_by_role_and_label(Role::TextInput, label).rect()
}

/// The inspector's left edge (its heading's).
fn inspector_left(h: &H) -> f32 {
    h.get_by_label("Inspector").rect().min.x
}

#[test]
fn committing_a_wrong_value_moves_no_field_and_says_why_in_one_place() {
    let rt = runtime();
    for size in [SMALL, WIDE] {
        let mut h = harness_sized(WaveStudioApp::new(rt.handle().clone()), size);
        h.run_steps(3);
        let fields = [
            "max_parallel_items_per_stage",
            "stage_timeout_seconds",
            "max_retries_per_stage",
            "inter_stage_delay_ms",
        ];
        let before: Vec<egui::Rect> = fields.iter().map(|f| field_rect(&h, f)).collect();
        let left = inspector_left(&h);
        replace_text(&mut h, "stage_timeout_seconds", "-5");
        h.key_press(egui::Key::Enter);
        h.run_steps(3);
        assert_eq!(h.state().document().config.stage_timeout_seconds, -5.0);
        assert!(shows(&h, "must be a positive number of seconds"));
        let after: Vec<egui::Rect> = fields.iter().map(|f| field_rect(&h, f)).collect();
        assert_eq!(before, after, "{size:?}: the fields stay where they were");
        assert_eq!(left, inspector_left(&h), "{size:?}: no wider");

        // The next click lands on the field it was aimed at.
        replace_text(&mut h, "max_parallel_items_per_stage", "6");
        h.key_press(egui::Key::Enter);
        h.run_steps(2);
        let config = &h.state().document().config;
        assert_eq!(config.max_parallel_items_per_stage, 6);
        assert_eq!(config.stage_timeout_seconds, -5.0);
    }
}

#[test]
fn escape_puts_the_committed_value_back() {
    let rt = runtime();
    let mut h = harness_sized(WaveStudioApp::new(rt.handle().clone()), SMALL);
    h.run_steps(3);
    let committed = h.state().document().config.stage_timeout_seconds;
    replace_text(&mut h, "stage_timeout_seconds", "12345");
    h.key_press(egui::Key::Escape);
    h.run_steps(2);
    assert_eq!(h.state().document().config.stage_timeout_seconds, committed);
    let shown = h
        .get_by_role_and_label(Role::TextInput, "stage_timeout_seconds")
        .accesskit_node()
        .value()
        .unwrap();
    assert_eq!(shown, format!("{committed}"), "the field shows it again");
    assert!(!h.state().doc_state().is_dirty());
}

#[test]
fn an_entry_that_is_not_a_number_is_named_not_reset() {
    let rt = runtime();
    let mut h = harness_sized(WaveStudioApp::new(rt.handle().clone()), SMALL);
    h.run_steps(3);
    let before = h.state().document().config.clone();
    replace_text(&mut h, "max_parallel_items_per_stage", "abc");
    h.key_press(egui::Key::Enter);
    h.run_steps(2);
    assert_eq!(h.state().document().config, before, "nothing reset to 0");
    assert!(shows(&h, "“abc” is not a number"), "the reason shows");
    // A number then is taken, and the reason goes.
    replace_text(&mut h, "max_parallel_items_per_stage", "7");
    h.key_press(egui::Key::Enter);
    h.run_steps(2);
    assert_eq!(h.state().document().config.max_parallel_items_per_stage, 7);
    assert!(!shows(&h, "is not a number"));
}

#[test]
fn a_long_entry_or_a_nodes_editor_never_widens_the_inspector() {
    let rt = runtime();
    let mut h = harness_sized(WaveStudioApp::new(rt.handle().clone()), SMALL);
    h.run_steps(3);
    let left = inspector_left(&h);
    // Every row fits: the longest name's unit is on screen.
    let unit = h.get_by_label("waves").rect();
    let panel_inner_right = SMALL.x - 8.0;
    assert!(unit.max.x <= panel_inner_right, "{unit:?}");
    let long = "9".repeat(90);
    replace_text(&mut h, "stage_timeout_seconds", &long);
    assert_eq!(left, inspector_left(&h), "while typing");
    h.key_press(egui::Key::Enter);
    h.run_steps(3);
    assert_eq!(left, inspector_left(&h), "after Enter");
    for id in ["tempo_refine", "key_refine", "notation", "decode"] {
        h.state_mut().push(Command::Select(Some(id.into())));
        h.run_steps(3);
        assert_eq!(left, inspector_left(&h), "with {id} selected");
    }
}

#[test]
fn a_count_beyond_its_bound_is_refused_with_the_bound_and_run_is_disabled() {
    let rt = runtime();
    let mut h = harness_sized(WaveStudioApp::new(rt.handle().clone()), SMALL);
    h.run_steps(3);
    replace_text(&mut h, "max_parallel_items_per_stage", "99999999999");
    h.key_press(egui::Key::Enter);
    h.run_steps(3);
    assert!(shows(&h, "must be in 1..=10000, got 99999999999"));
    let blocker = h.state_mut().run_blocker().unwrap_or_default();
    assert!(
        blocker.contains("max_parallel_items_per_stage"),
        "{blocker}"
    );
}
