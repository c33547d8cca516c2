//! The graph canvas as the hand pass met it at 1280×720: a plain click
//! selects any node (also on the right of a fitted graph), the node menu
//! deletes the whole selection, nodes keep their size through a run and
//! never overlap, a duplicate goes to free space, a pan never loses the
//! graph, and a run's per-node figures go with the pipeline they belong to.
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
use gui_support::{TempDir, click_at, groove, harness_sized, runtime, step_until, write_wav};
use wave_studio::app::{Command, WaveStudioApp};

type H = egui_kittest::Harness<'static, WaveStudioApp>;

/// The smaller window people use.
const SMALL: egui::Vec2 = egui::vec2(1280.0, 720.0);

/// The centre, on screen, of node `id`'s body (below its title).
fn body_centre(h: &H, id: &str) -> egui::Pos2 {
    let (_, rect) = h
        .state()
        .canvas_node_rects()
        .iter()
        .find(|(n, _)| n == id)
        .cloned()
        .unwrap_or_else(|| panic!("node {id} drawn"));
    let screen = h.state().canvas_transform() * rect;
    egui::pos2(screen.center().x, screen.center().y + screen.height() * 0.2)
}

/// Nodes whose drawn rects overlap.
fn overlaps(h: &H) -> Vec<(String, String)> {
    let rects = h.state().canvas_node_rects();
    let mut out = Vec::new();
    for (i, (a, ra)) in rects.iter().enumerate() {
        for (b, rb) in &rects[i + 1..] {
            if ra.intersects(*rb) {
                out.push((a.clone(), b.clone()));
            }
        }
    }
    out
}

#[test]
fn a_plain_click_selects_the_last_node_on_the_right_of_the_fitted_graph() {
    let rt = runtime();
    let mut h = harness_sized(WaveStudioApp::new(rt.handle().clone()), SMALL);
    h.run_steps(4);
    // The last node of pipelines/default.ron, at the graph's right edge.
    let last = h.state().document().nodes.last().unwrap().id.clone();
    assert_eq!(last, "write");
    for id in ["write", "aggregate", "notation"] {
        let pos = body_centre(&h, id);
        assert!(pos.x > 700.0, "{id} is on the right: {pos:?}");
        click_at(
            &mut h,
            pos,
            egui::PointerButton::Primary,
            egui::Modifiers::NONE,
        );
        assert_eq!(h.state().selected(), Some(id), "a click at {pos:?}");
        assert_eq!(h.state().selection(), [id]);
    }
}

#[test]
fn the_node_menus_delete_removes_the_whole_selection() {
    let rt = runtime();
    let mut h = harness_sized(WaveStudioApp::new(rt.handle().clone()), SMALL);
    h.run_steps(4);
    let none = egui::Modifiers::NONE;
    let primary = egui::PointerButton::Primary;
    let notation = body_centre(&h, "notation");
    click_at(&mut h, notation, primary, none);
    let at = body_centre(&h, "write");
    click_at(&mut h, at, primary, egui::Modifiers::SHIFT);
    assert_eq!(h.state().selection(), ["notation", "write"]);
    click_at(&mut h, at, egui::PointerButton::Secondary, none);
    h.get_by_role_and_label(Role::Button, "Delete 2 selected nodes")
        .click();
    h.run();
    let doc = h.state().document();
    assert!(doc.node("notation").is_none() && doc.node("write").is_none());
    assert!(doc.node("aggregate").is_some(), "nothing else");
}

#[test]
fn a_duplicate_goes_where_it_covers_no_other_node() {
    let rt = runtime();
    let mut h = harness_sized(WaveStudioApp::new(rt.handle().clone()), SMALL);
    h.run_steps(4);
    assert!(
        overlaps(&h).is_empty(),
        "{:?} {:?}",
        overlaps(&h),
        h.state().canvas_node_rects()
    );
    for id in ["tempo", "tempo", "aggregate"] {
        h.state_mut().push(Command::DuplicateNode(id.into()));
        h.run_steps(3);
        assert!(
            overlaps(&h).is_empty(),
            "after duplicating {id}: {:?}",
            overlaps(&h)
        );
    }
    assert_eq!(h.state().document().nodes.len(), 14);
}

#[test]
fn shift_wheel_never_pans_the_graph_out_of_view() {
    let rt = runtime();
    let mut h = harness_sized(WaveStudioApp::new(rt.handle().clone()), SMALL);
    h.run_steps(4);
    let pos = body_centre(&h, "tempo");
    h.event(egui::Event::PointerMoved(pos));
    h.run();
    for dx in [-4000.0, 4000.0, 4000.0] {
        for _ in 0..10 {
            h.event(egui::Event::MouseWheel {
                unit: egui::MouseWheelUnit::Point,
                delta: egui::vec2(0.0, dx),
                phase: egui::TouchPhase::Move,
                modifiers: egui::Modifiers::SHIFT,
            });
            h.run();
        }
        h.run_steps(8);
        let shown = h.state().canvas_transform() * h.state().canvas_content().unwrap();
        // Right of the files panel, left of the inspector.
        assert!(
            shown.max.x > 300.0 && shown.min.x < 900.0,
            "after a pan of {dx}: the graph is at {shown:?}"
        );
    }
}

#[test]
fn nodes_keep_their_size_through_a_run_and_the_figures_go_with_the_pipeline() {
    let rt = runtime();
    let dir = TempDir::new("graph-run");
    let song = dir.path("groove.wav");
    write_wav(&song, &groove(120.0, 6.0, 9), 1, gui_support::RATE);
    let mut h = harness_sized(WaveStudioApp::new(rt.handle().clone()), SMALL);
    h.run_steps(4);
    let before = h.state().canvas_node_rects().to_vec();
    gui_support::drop_files(&mut h, &[song]);
    h.run();
    h.get_by_label("Run").click();
    h.step();
    assert!(step_until(&mut h, Duration::from_secs(120), |a| !a.is_running()));
    h.run_steps(4);
    assert!(!h.state().node_figures().nodes.is_empty(), "figures shown");
    let after = h.state().canvas_node_rects().to_vec();
    for ((id, a), (_, b)) in before.iter().zip(&after) {
        assert!((a.size() - b.size()).length() < 0.5, "{id}: {a:?} → {b:?}");
    }
    assert!(overlaps(&h).is_empty(), "{:?}", overlaps(&h));

    // Another pipeline: none of the old figures stay on its nodes.
    let dj = Path::new(env!("CARGO_MANIFEST_DIR")).join("pipelines/dj-tempo-key.ron");
    h.state_mut().push(Command::Open(dj));
    h.run_steps(3);
    assert!(h.state().node_figures().nodes.is_empty());
    assert!(!gui_support::shows(&h, "done 1"), "no count of the old run");
}

#[test]
fn a_right_click_anywhere_on_a_title_opens_the_menu_and_cuts_no_wire_under_it() {
    let rt = runtime();
    let mut h = gui_support::harness(WaveStudioApp::new(rt.handle().clone()));
    h.run_steps(3);
    let edges = h.state().document().edges.clone();
    // Across Tempo (quick)'s title, under which wires to the refiners pass.
    let node = h
        .state()
        .canvas_node_rects()
        .iter()
        .find(|(n, _)| n == "tempo")
        .unwrap()
        .1;
    let mut x = node.min.x + 25.0;
    while x < node.max.x - 25.0 {
        let pos = h.state().canvas_transform() * egui::pos2(x, node.min.y + 16.0);
        click_at(
            &mut h,
            pos,
            egui::PointerButton::Secondary,
            egui::Modifiers::NONE,
        );
        assert!(gui_support::shows(&h, "Duplicate"), "a menu at {pos:?}");
        assert_eq!(h.state().document().edges, edges, "a click at {pos:?}");
        h.key_press(egui::Key::Escape);
        h.run_steps(2);
        assert!(!gui_support::shows(&h, "Duplicate"), "Escape closes it");
        x += 6.0;
    }
}
