//! The graph canvas as the hand pass met it at 1280×720: a plain click
//! selects any node (also on the right of a fitted graph), the node menu
//! deletes the whole selection, nodes keep their size through a run and
//! never overlap, a duplicate goes to free space, a pan never loses the
//! graph, a run's per-node figures go with the pipeline they belong to, a
//! new node lands in view where the user looks, *Fit graph* shows every
//! node, a zoom below readable always shows its level with a reset, and a
//! narrower canvas keeps the nodes that were in view.
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

/// Each node's rect on screen.
fn screen_rects(h: &H) -> Vec<(String, egui::Rect)> {
    let t = h.state().canvas_transform();
    let rects = h.state().canvas_node_rects().iter();
    rects.map(|(id, r)| (id.clone(), t * *r)).collect()
}

/// The nodes not wholly inside the canvas.
fn outside_view(h: &H) -> Vec<(String, egui::Rect)> {
    let view = h.state().canvas_view().expand(0.5);
    let rects = screen_rects(h).into_iter();
    rects.filter(|(_, r)| !view.contains_rect(*r)).collect()
}

/// The point of the canvas nearest its bottom-right corner (at least
/// `inset` points in) that is on no node.
fn empty_canvas_point(h: &H, inset: f32) -> egui::Pos2 {
    let view = h.state().canvas_view().shrink(inset);
    let rects = screen_rects(h);
    let free = |p: egui::Pos2| !rects.iter().any(|(_, r)| r.expand(4.0).contains(p));
    (0..40)
        .flat_map(|i| (0..40).map(move |j| (i, j)))
        .map(|(i, j)| view.max - egui::vec2(i as f32, j as f32) * 8.0)
        .find(|p| view.contains(*p) && free(*p))
        .unwrap_or_else(|| panic!("no empty point in {view:?}: {rects:?}"))
}

/// Drags the primary button from `from` to `to` in a few steps.
fn drag(h: &mut H, from: egui::Pos2, to: egui::Pos2) {
    let button = egui::PointerButton::Primary;
    let modifiers = egui::Modifiers::NONE;
    h.event(egui::Event::PointerMoved(from));
    h.step();
    h.event(egui::Event::PointerButton {
        pos: from,
        button,
        pressed: true,
        modifiers,
    });
    h.step();
    for i in 1..=8 {
        h.event(egui::Event::PointerMoved(
            from + (to - from) * (i as f32 / 8.0),
        ));
        h.step();
    }
    h.event(egui::Event::PointerButton {
        pos: to,
        button,
        pressed: false,
        modifiers,
    });
    h.run_steps(4);
}

#[test]
fn a_node_added_from_a_menu_lands_in_view_where_the_user_looks_on_no_other_node() {
    let rt = runtime();
    // A window with room beside the graph (at 1280 it fills the canvas).
    let mut h = gui_support::harness(WaveStudioApp::new(rt.handle().clone()));
    h.run_steps(4);
    // From the menu bar: the visible centre.
    h.get_by_label("Add node").click();
    h.run();
    h.get_by_label("Post-processing ⏵").hover();
    h.run();
    h.get_by_role_and_label(Role::Button, "LoudnessGate")
        .click();
    h.run_steps(4);
    assert_eq!(h.state().selected(), Some("loudnessgate"));
    assert!(
        outside_view(&h).is_empty(),
        "clipped: {:?}",
        outside_view(&h)
    );
    assert!(overlaps(&h).is_empty(), "{:?}", overlaps(&h));
    let view = h.state().canvas_view();
    let added = screen_rects(&h)
        .into_iter()
        .find(|(id, _)| id == "loudnessgate");
    let (_, added) = added.unwrap();
    // The nearest free spot to the centre: beside the graph.
    let near = view.width() * 0.5;
    assert!(
        (added.center() - view.center()).length() < near,
        "{added:?} is far from the centre of {view:?}"
    );

    // Zoomed out a little (the graph filled the canvas), then from the
    // canvas's own menu, opened at its bottom-right corner: at the
    // pointer, but whole.
    h.event(egui::Event::PointerMoved(view.center()));
    h.run();
    h.event(egui::Event::MouseWheel {
        unit: egui::MouseWheelUnit::Point,
        delta: egui::vec2(0.0, -120.0),
        phase: egui::TouchPhase::Move,
        modifiers: egui::Modifiers::NONE,
    });
    h.run_steps(4);
    let at = empty_canvas_point(&h, 6.0);
    click_at(
        &mut h,
        at,
        egui::PointerButton::Secondary,
        egui::Modifiers::NONE,
    );
    h.get_by_label("Post-processing ⏵").hover();
    h.run();
    h.get_by_role_and_label(Role::Button, "LoudnessGate")
        .click();
    h.run_steps(4);
    assert_eq!(h.state().selected(), Some("loudnessgate_2"));
    assert!(
        outside_view(&h).is_empty(),
        "clipped: {:?}",
        outside_view(&h)
    );
    assert!(overlaps(&h).is_empty(), "{:?}", overlaps(&h));
    let added = screen_rects(&h)
        .into_iter()
        .find(|(id, _)| id == "loudnessgate_2");
    let (_, added) = added.unwrap();
    assert!(
        added.distance_to_pos(at) < 40.0,
        "{added:?} is not at the pointer {at:?}"
    );
}

#[test]
fn fit_graph_shows_every_node_also_a_new_one_moved_far_away() {
    let rt = runtime();
    let mut h = harness_sized(WaveStudioApp::new(rt.handle().clone()), SMALL);
    h.run_steps(4);
    h.get_by_label("Add node").click();
    h.run();
    h.get_by_label("Finalization ⏵").hover();
    h.run();
    h.get_by_role_and_label(Role::Button, "Write").click();
    h.run_steps(4);
    let far = vec![
        ("write_2".to_string(), (2600.0, 1700.0)),
        ("decode".to_string(), (-900.0, -400.0)),
    ];
    h.state_mut().push(Command::MoveNodes(far));
    h.run_steps(4);
    assert!(
        !outside_view(&h).is_empty(),
        "the moved nodes are out of view"
    );
    h.get_by_label("View").click();
    h.run();
    h.get_by_label("Fit graph to window").click();
    h.run_steps(4);
    assert_eq!(h.state().canvas_node_rects().len(), 12);
    assert!(
        outside_view(&h).is_empty(),
        "clipped: {:?}",
        outside_view(&h)
    );
}

#[test]
fn a_double_click_never_shrinks_node_text_unseen_and_reset_zoom_gives_100_percent() {
    let rt = runtime();
    // Frames as short as a real one's, so two clicks make a double-click.
    let mut h = egui_kittest::Harness::builder()
        .with_size(SMALL)
        .with_step_dt(1.0 / 60.0)
        .with_max_steps(64)
        .build_ui_state(
            |ui, app: &mut WaveStudioApp| app.frame(ui),
            WaveStudioApp::new(rt.handle().clone()),
        );
    h.run_steps(4);
    let body = h.ctx.global_style().text_styles[&egui::TextStyle::Body].size;
    let zoom_shown = |h: &H| {
        let scale = h.state().canvas_transform().scaling;
        let text = format!("Zoom {:.0} %", scale * 100.0);
        gui_support::shows_exactly(h, &text) && gui_support::shows_exactly(h, "Reset zoom")
    };
    let at = empty_canvas_point(&h, 6.0);
    h.event(egui::Event::PointerMoved(at));
    h.run();
    for pressed in [true, false, true, false] {
        h.event(egui::Event::PointerButton {
            pos: at,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: egui::Modifiers::NONE,
        });
    }
    h.run_steps(4);
    let scale = h.state().canvas_transform().scaling;
    assert!(
        scale * wave_studio::app::NODE_TEXT_SIZE >= body - 0.01 || zoom_shown(&h),
        "node text {} px on screen, body text {body} px, and no zoom level shown",
        scale * wave_studio::app::NODE_TEXT_SIZE
    );
    // Zoomed far out with the wheel: the level shows, one click resets it.
    h.event(egui::Event::PointerMoved(at));
    h.run();
    for _ in 0..6 {
        h.event(egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Point,
            delta: egui::vec2(0.0, -200.0),
            phase: egui::TouchPhase::Move,
            modifiers: egui::Modifiers::NONE,
        });
        h.run();
    }
    h.run_steps(4);
    let scale = h.state().canvas_transform().scaling;
    assert!(scale < 0.5, "zoomed out: {scale}");
    assert!(zoom_shown(&h), "the zoom level and a reset show at {scale}");
    h.get_by_label("Reset zoom").click();
    h.run_steps(4);
    assert_eq!(h.state().canvas_transform().scaling, 1.0);
    assert!(!gui_support::shows(&h, "Reset zoom"), "nothing to reset");
}

#[test]
fn widening_a_side_panel_keeps_every_visible_node_in_view() {
    let rt = runtime();
    let mut h = harness_sized(WaveStudioApp::new(rt.handle().clone()), SMALL);
    h.run_steps(4);
    assert!(outside_view(&h).is_empty(), "{:?}", outside_view(&h));
    // The inspector's edge, dragged 260 points left.
    let before = h.state().canvas_view();
    let edge = egui::pos2(before.max.x + 16.0, before.center().y);
    drag(&mut h, edge, edge - egui::vec2(260.0, 0.0));
    let after = h.state().canvas_view();
    assert!(
        after.width() < before.width() - 200.0,
        "{before:?} → {after:?}"
    );
    assert!(
        outside_view(&h).is_empty(),
        "clipped: {:?}",
        outside_view(&h)
    );

    // Panned by the user (so no longer fitted), then the window made
    // narrower: the nodes in view stay in view.
    let pos = after.center();
    h.event(egui::Event::PointerMoved(pos));
    h.run();
    h.event(egui::Event::MouseWheel {
        unit: egui::MouseWheelUnit::Point,
        delta: egui::vec2(0.0, 40.0),
        phase: egui::TouchPhase::Move,
        modifiers: egui::Modifiers::SHIFT,
    });
    h.run_steps(4);
    let view = h.state().canvas_view().expand(0.5);
    let shown: Vec<String> = screen_rects(&h)
        .into_iter()
        .filter(|(_, r)| view.contains_rect(*r))
        .map(|(id, _)| id)
        .collect();
    assert!(!shown.is_empty());
    h.set_size(egui::vec2(SMALL.x - 120.0, SMALL.y));
    h.run_steps(4);
    assert!(h.state().canvas_view().max.x < view.max.x - 80.0);
    let clipped: Vec<_> = outside_view(&h)
        .into_iter()
        .filter(|(id, _)| shown.contains(id))
        .collect();
    assert!(clipped.is_empty(), "clipped: {clipped:?}");
}
