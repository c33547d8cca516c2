//! The app's editor, driven headless through egui_kittest: adding and
//! connecting nodes, refusing cycles, config validation gating Run, broken
//! pipeline files, saving and reopening.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap in a test is a failed test"
)]

mod gui_support;

use egui::accesskit::Role;
use egui_kittest::kittest::{NodeT, Queryable};
use gui_support::{TempDir, click_at, harness, replace_text, runtime, shows, shows_exactly};
use wave_studio::app::{Command, WaveStudioApp};
use wave_studio::pipeline::Edge;

#[test]
fn add_a_node_from_the_menu_and_connect_it() {
    let rt = runtime();
    let mut h = harness(WaveStudioApp::new(rt.handle().clone()));
    h.run();
    let before = h.state().document().nodes.len();

    h.get_by_label("Add node").click();
    h.run();
    h.get_by_label("Post-processing ⏵").hover();
    h.run();
    h.get_by_role_and_label(Role::Button, "LoudnessGate")
        .click();
    h.run();

    let doc = h.state().document();
    assert_eq!(doc.nodes.len(), before + 1);
    let added = doc.nodes.last().unwrap().clone();
    assert_eq!(added.id, "loudnessgate");
    assert_eq!(h.state().selected(), Some("loudnessgate"));
    // The node is on the canvas, titled by its name.
    assert!(shows_exactly(&h, "LoudnessGate"));

    // Connect it after the decoder through the inspector.
    h.get_by_label("Add dependency…").click();
    h.run();
    h.get_by_label("Decode + loudness (decode)").click();
    h.run();
    assert!(
        h.state()
            .document()
            .edges
            .contains(&Edge::new("decode", "loudnessgate"))
    );
    assert!(h.state().doc_state().is_dirty());
    assert!(shows(&h, "Connected `decode`"));

    // Undo takes the wire away, redo puts it back.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.run();
    assert!(
        !h.state()
            .document()
            .edges
            .contains(&Edge::new("decode", "loudnessgate"))
    );
    h.key_press_modifiers(
        egui::Modifiers::COMMAND | egui::Modifiers::SHIFT,
        egui::Key::Z,
    );
    h.run();
    assert!(
        h.state()
            .document()
            .edges
            .contains(&Edge::new("decode", "loudnessgate"))
    );
}

#[test]
fn a_cycle_is_refused_with_the_reason() {
    let rt = runtime();
    let mut h = harness(WaveStudioApp::new(rt.handle().clone()));
    h.run();
    let edges = h.state().document().edges.clone();
    // What a wire dragged from `write` back to `probe` asks for.
    h.state_mut().push(Command::Connect {
        from: "write".into(),
        to: "probe".into(),
    });
    h.run();
    assert_eq!(h.state().document().edges, edges, "no edge added");
    assert!(shows(&h, "would make a cycle"), "the refusal is visible");
    assert!(
        shows(&h, "notation → write → probe"),
        "the refusal names the cycle"
    );
    assert!(!h.state().doc_state().can_undo(), "no undo step either");
}

#[test]
fn a_select_command_selects_and_the_canvas_does_not_undo_it() {
    let rt = runtime();
    let mut h = harness(WaveStudioApp::new(rt.handle().clone()));
    h.run();
    assert_eq!(h.state().selected(), None);
    h.state_mut().push(Command::Select(Some("tempo".into())));
    h.run();
    assert_eq!(h.state().selected(), Some("tempo"));
    assert!(shows_exactly(&h, "`tempo`"), "the inspector edits it");
    h.run_steps(3);
    assert_eq!(h.state().selected(), Some("tempo"), "still selected");
    h.state_mut().push(Command::Select(None));
    h.run();
    assert_eq!(h.state().selected(), None);
    assert!(!shows_exactly(&h, "`tempo`"));
}

#[test]
fn a_selection_rectangle_on_the_canvas_selects_a_node() {
    let rt = runtime();
    let mut h = harness(WaveStudioApp::new(rt.handle().clone()));
    h.run();
    // egui-snarl selects by Shift-dragging a rectangle over nodes: here
    // over the whole canvas (between the side panels, above the charts),
    // from its empty top-left corner.
    let start = egui::pos2(280.0, 50.0);
    let end = egui::pos2(1280.0, 640.0);
    let shift = egui::Modifiers::SHIFT;
    let button = |pos, pressed| egui::Event::PointerButton {
        pos,
        button: egui::PointerButton::Primary,
        pressed,
        modifiers: shift,
    };
    h.event(egui::Event::ModifiersChanged(shift));
    h.event(egui::Event::PointerMoved(start));
    h.event(button(start, true));
    h.event(egui::Event::PointerMoved(start + egui::vec2(8.0, 8.0)));
    h.event(egui::Event::PointerMoved(end));
    h.event(button(end, false));
    h.event(egui::Event::ModifiersChanged(egui::Modifiers::NONE));
    h.run();
    let selected = h.state().selected().map(str::to_string);
    let selected = selected.expect("the canvas selection reaches the app");
    assert!(h.state().document().node(&selected).is_some());
    assert!(
        shows_exactly(&h, &format!("`{selected}`")),
        "the inspector edits it"
    );
}

#[test]
fn an_invalid_config_value_disables_run_with_the_reason() {
    let rt = runtime();
    let dir = TempDir::new("cfg");
    let wav = dir.path("a.wav");
    gui_support::write_wav(&wav, &vec![0.0; 4410], 1, gui_support::RATE);
    let mut app = WaveStudioApp::new(rt.handle().clone());
    app.push(Command::AddFiles(vec![wav]));
    let mut h = harness(app);
    h.run();
    assert!(!h.get_by_label("Run").accesskit_node().is_disabled());

    h.get_by_role_and_label(Role::TextInput, "quality_threshold")
        .focus();
    h.run();
    h.get_by_role_and_label(Role::TextInput, "quality_threshold")
        .type_text("2");
    h.run();
    h.key_press(egui::Key::Enter);
    h.run();

    assert!((h.state().document().config.quality_threshold - 2.0).abs() < 1e-9);
    assert!(h.get_by_label("Run").accesskit_node().is_disabled());
    assert!(shows(&h, "Run disabled: invalid `quality_threshold`"));
    assert!(shows(&h, "must be in 0..=1, got 2"));
}

#[test]
fn a_broken_pipeline_shows_its_problems_and_keeps_the_document() {
    let rt = runtime();
    let dir = TempDir::new("broken");
    let broken = dir.path("broken.ron");
    std::fs::write(
        &broken,
        "(\n    version: 1,\n    name: \"broken\",\n    nodes: [\n        (id: \"a\", name: \"A\", kind: Nowhere, operation: Probe),\n    ],\n)\n",
    )
    .unwrap();
    let mut h = harness(WaveStudioApp::new(rt.handle().clone()));
    h.run();
    let before = h.state().document().clone();
    gui_support::drop_files(&mut h, std::slice::from_ref(&broken));
    h.run();
    assert_eq!(
        *h.state().document(),
        before,
        "the current document is kept"
    );
    assert!(shows_exactly(&h, "Could not open pipeline"));
    assert!(shows(&h, "5:"), "line:column shown");
    assert!(shows(&h, "Nowhere"));
    h.get_by_label("Dismiss").click();
    h.run();
    assert!(!shows_exactly(&h, "Could not open pipeline"));
}

#[test]
fn save_reopen_and_compare() {
    let rt = runtime();
    let dir = TempDir::new("save");
    let path = dir.path("mine.ron");
    let mut h = harness(WaveStudioApp::new(rt.handle().clone()));
    h.run();
    h.get_by_role_and_label(Role::TextInput, "Pipeline").focus();
    h.run();
    h.get_by_role_and_label(Role::TextInput, "Pipeline")
        .type_text(" v2");
    h.run();
    h.key_press(egui::Key::Enter);
    h.run();
    assert!(h.state().doc_state().is_dirty());
    assert!(h.state().doc_state().title().contains('•'));
    h.state_mut().push(Command::SaveAs(path.clone()));
    h.run();
    assert!(!h.state().doc_state().is_dirty());
    let saved = h.state().document().clone();

    // A fresh app opens it by drop and gets the same document.
    let mut h2 = harness(WaveStudioApp::new(rt.handle().clone()));
    h2.run();
    gui_support::drop_files(&mut h2, std::slice::from_ref(&path));
    h2.run();
    let mut reopened = h2.state().document().clone();
    let mut expected = saved;
    reopened.normalize();
    expected.normalize();
    assert_eq!(reopened, expected);
    assert!(h2.state().doc_state().title().starts_with("mine.ron"));

    // New with no unsaved changes replaces at once; with changes, it asks.
    h2.state_mut().push(Command::SetName("changed".into()));
    h2.run();
    h2.query_all_by_label("File").next().unwrap().click();
    h2.run();
    // The menu shows the shortcut from the app's shortcut table.
    let ctrl_n = egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::N);
    let label = format!("New {}", h2.ctx.format_shortcut(&ctrl_n));
    h2.get_by_label(&label).click();
    h2.run();
    assert!(shows_exactly(&h2, "Unsaved changes"));
    h2.query_all_by_label("Cancel").last().unwrap().click();
    h2.run();
    assert_eq!(h2.state().document().name, "changed", "nothing lost");
}

#[test]
fn an_idle_app_stops_repainting() {
    let rt = runtime();
    let mut h = harness(WaveStudioApp::new(rt.handle().clone()));
    // Settles within a few frames (the graph view fits itself), then asks
    // for no more: `run` panics if repaints never stop.
    let first = h.run();
    assert!(first < 16, "settled after {first} steps");
    // The first plugin scan runs on the blocking pool; under load it can
    // land after that first settling and cost a frame or two. Then the
    // app is idle: a single step, every time.
    let mut idle = 0;
    for _ in 0..100 {
        idle = if h.run() == 1 { idle + 1 } else { 0 };
        if idle == 3 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert_eq!(idle, 3, "nothing to do when idle");
}

#[test]
fn closing_with_unsaved_changes_asks_first() {
    let rt = runtime();
    let mut h = harness(WaveStudioApp::new(rt.handle().clone()));
    h.run();
    h.state_mut().push(Command::SetName("edited".into()));
    h.run();
    h.input_mut()
        .viewports
        .entry(egui::ViewportId::ROOT)
        .or_default()
        .events
        .push(egui::ViewportEvent::Close);
    // The frame that sees the close request holds the window open...
    h.step();
    let cancelled = h
        .output()
        .viewport_output
        .get(&egui::ViewportId::ROOT)
        .is_some_and(|v| v.commands.contains(&egui::ViewportCommand::CancelClose));
    assert!(
        cancelled,
        "the close is cancelled while the question is open"
    );
    // ...and asks.
    h.run();
    assert!(shows_exactly(&h, "Unsaved changes"), "asks before closing");
    h.get_by_label("Discard changes").click();
    h.run();
    assert!(!shows_exactly(&h, "Unsaved changes"));
}

#[test]
fn the_selected_node_can_be_renamed_duplicated_and_deleted() {
    let rt = runtime();
    let mut h = harness(WaveStudioApp::new(rt.handle().clone()));
    h.run();
    let before = h.state().document().nodes.len();
    h.get_by_label("Add node").click();
    h.run();
    h.get_by_label("Finalization ⏵").hover();
    h.run();
    h.get_by_role_and_label(Role::Button, "Write").click();
    h.run();
    assert_eq!(h.state().selected(), Some("write_2"));

    h.get_by_role_and_label(Role::TextInput, "name").focus();
    h.run();
    h.get_by_role_and_label(Role::TextInput, "name")
        .type_text(" archive");
    h.run();
    h.key_press(egui::Key::Enter);
    h.run();
    assert_eq!(
        h.state().document().node("write_2").unwrap().name,
        "Write archive"
    );
    assert!(
        shows_exactly(&h, "Write archive"),
        "the canvas shows the new name"
    );

    h.get_by_label("Duplicate").click();
    h.run();
    assert_eq!(h.state().document().nodes.len(), before + 2);
    assert_eq!(h.state().selected(), Some("write_3"));
    h.get_by_label("Delete").click();
    h.run();
    assert_eq!(h.state().document().nodes.len(), before + 1);
    assert!(h.state().document().node("write_3").is_none());
}

#[test]
fn quit_asks_about_unsaved_changes_then_closes() {
    let rt = runtime();
    let mut h = harness(WaveStudioApp::new(rt.handle().clone()));
    h.run();
    h.state_mut().push(Command::SetName("edited".into()));
    h.run();
    h.state_mut().push(Command::Quit);
    h.run();
    assert!(shows_exactly(&h, "Unsaved changes"), "asks before quitting");
    h.get_by_label("Discard changes").click();
    h.step();
    let closes = h
        .output()
        .viewport_output
        .get(&egui::ViewportId::ROOT)
        .is_some_and(|v| v.commands.contains(&egui::ViewportCommand::Close));
    assert!(closes, "the window closes once the changes are discarded");
}

/// Replaces the text of the field labelled `label` with `text` and presses
/// Enter (without running the frame that sees the Enter).
fn type_into(h: &mut egui_kittest::Harness<'static, WaveStudioApp>, label: &str, text: &str) {
    replace_text(h, label, text);
    h.key_press(egui::Key::Enter);
}

#[test]
fn without_a_native_dialog_save_as_opens_the_in_app_browser_and_saves() {
    let rt = runtime();
    let dir = TempDir::new("browser-save");
    let mut app = WaveStudioApp::new(rt.handle().clone());
    app.set_native_dialogs(false);
    let mut h = harness(app);
    h.run();
    h.state_mut().push(Command::SaveAsDialog);
    h.run();
    assert!(shows_exactly(&h, "Save pipeline as"), "the browser opens");
    assert!(
        shows(&h, "using the built-in browser"),
        "the status says why"
    );

    type_into(&mut h, "Folder", &dir.0.display().to_string());
    h.run();
    type_into(&mut h, "File name", "mine");
    h.run();

    let saved = dir.path("mine.ron");
    assert!(saved.is_file(), "the pipeline is saved with its extension");
    let reloaded = wave_studio::pipeline::load(&saved).unwrap();
    let doc = h.state().document();
    assert_eq!(reloaded.name, doc.name);
    assert_eq!(reloaded.nodes.len(), doc.nodes.len());
    assert_eq!(reloaded.edges.len(), doc.edges.len());
    assert_eq!(h.state().doc_state().path.as_deref(), Some(saved.as_path()));
    assert!(!shows_exactly(&h, "Save pipeline as"), "the browser closed");
}

#[test]
fn saving_over_an_existing_file_asks_before_replacing_it() {
    let rt = runtime();
    let dir = TempDir::new("browser-replace");
    let theirs = dir.path("theirs.ron");
    std::fs::write(&theirs, "// someone's pipeline\n").unwrap();
    let mut app = WaveStudioApp::new(rt.handle().clone());
    app.set_native_dialogs(false);
    let mut h = harness(app);
    h.run();
    h.state_mut().push(Command::SaveAsDialog);
    h.run();
    type_into(&mut h, "Folder", &dir.0.display().to_string());
    h.run();
    type_into(&mut h, "File name", "theirs");
    h.run();
    assert!(shows(&h, "theirs.ron already exists"), "asks first");
    assert!(shows_exactly(&h, "Replace"));
    assert_eq!(
        std::fs::read_to_string(&theirs).unwrap(),
        "// someone's pipeline\n",
        "nothing written yet"
    );
    h.get_by_role_and_label(Role::Button, "Replace").click();
    h.run();
    assert!(!shows_exactly(&h, "Save pipeline as"), "the browser closed");
    let saved = wave_studio::pipeline::load(&theirs).unwrap();
    assert_eq!(saved.name, h.state().document().name);
}

#[test]
fn the_quit_prompts_save_asks_where_saves_then_closes() {
    let rt = runtime();
    let dir = TempDir::new("browser-quit");
    let mut app = WaveStudioApp::new(rt.handle().clone());
    app.set_native_dialogs(false);
    let mut h = harness(app);
    h.run();
    h.state_mut().push(Command::SetName("edited".into()));
    h.state_mut().push(Command::Quit);
    h.run();
    h.get_by_role_and_label(Role::Button, "Save").click();
    h.run();
    assert!(shows_exactly(&h, "Save pipeline as"), "asks where to save");
    type_into(&mut h, "Folder", &dir.0.display().to_string());
    h.run();
    type_into(&mut h, "File name", "edited.ron");
    // The browser closing makes egui run a second pass in this step, and
    // the harness keeps only the last pass's output, so ask the app.
    h.step();
    assert!(h.state().closing(), "the window closes once saved");
    let saved = wave_studio::pipeline::load(&dir.path("edited.ron")).unwrap();
    assert_eq!(saved.name, "edited");
    assert!(!h.state().doc_state().is_dirty());
}

#[test]
fn cancelling_the_quit_prompts_save_dialog_keeps_the_window_open() {
    let rt = runtime();
    let mut app = WaveStudioApp::new(rt.handle().clone());
    app.set_native_dialogs(false);
    let mut h = harness(app);
    h.run();
    h.state_mut().push(Command::SetName("edited".into()));
    h.state_mut().push(Command::Quit);
    h.run();
    h.get_by_role_and_label(Role::Button, "Save").click();
    h.run();
    assert!(shows_exactly(&h, "Save pipeline as"));
    h.key_press(egui::Key::Escape);
    h.run();
    assert!(!shows_exactly(&h, "Save pipeline as"), "Escape cancels");
    assert!(shows(&h, "Not saved"));
    assert!(h.state().doc_state().is_dirty());
    assert!(!h.state().closing());
}

#[test]
fn escape_closes_each_question_and_window() {
    let rt = runtime();
    let dir = TempDir::new("escape");
    let broken = dir.path("broken.ron");
    std::fs::write(&broken, "(version: 1, nodes: [oops])").unwrap();
    let launch = wave_studio::app::Launch {
        db: Some(dir.path("library.db")),
        ..Default::default()
    };
    let mut app = WaveStudioApp::with_launch(rt.handle().clone(), launch);
    app.set_native_dialogs(false);
    let mut h = harness(app);
    let opened = gui_support::step_until(&mut h, std::time::Duration::from_secs(20), |a| {
        a.has_library()
    });
    assert!(opened, "the results library opens");
    let escape_closes =
        |h: &mut egui_kittest::Harness<'static, WaveStudioApp>, open: Command, title: &str| {
            h.state_mut().push(open);
            h.run();
            assert!(shows_exactly(h, title), "{title} opens");
            h.key_press(egui::Key::Escape);
            h.run();
            assert!(!shows_exactly(h, title), "Escape closes {title}");
        };
    escape_closes(&mut h, Command::ShowPlugins, "Plugins");
    escape_closes(
        &mut h,
        Command::AskForget(vec![broken.clone()]),
        "Forget results",
    );
    escape_closes(
        &mut h,
        Command::Open(broken.clone()),
        "Could not open pipeline",
    );
    escape_closes(&mut h, Command::OpenDialog, "Open pipeline");
    h.state_mut().push(Command::SetName("edited".into()));
    escape_closes(&mut h, Command::Quit, "Unsaved changes");
    assert!(
        !h.state().closing(),
        "Escape on the quit question is Cancel"
    );
    assert!(h.state().doc_state().is_dirty());
}

/// Clicks the canvas text `label` (a node's title): accesskit gives canvas
/// widgets in canvas coordinates, so the click goes through the canvas's
/// transform.
fn click_canvas(
    h: &mut egui_kittest::Harness<'static, WaveStudioApp>,
    label: &str,
    button: egui::PointerButton,
    modifiers: egui::Modifiers,
) {
    let local = h.get_by_label(label).rect().center();
    let pos = h.state().canvas_transform() * local;
    click_at(h, pos, button, modifiers);
}

#[test]
fn a_click_anywhere_on_a_node_selects_it_shift_adds_and_delete_removes_them() {
    let rt = runtime();
    let mut h = harness(WaveStudioApp::new(rt.handle().clone()));
    h.run();
    let before = h.state().document().nodes.len();
    // On the title text, not only on the header's blank part.
    click_canvas(
        &mut h,
        "Tempo (quick)",
        egui::PointerButton::Primary,
        egui::Modifiers::NONE,
    );
    h.run();
    assert_eq!(h.state().selected(), Some("tempo"));
    assert_eq!(h.state().selection(), ["tempo"]);
    assert!(shows_exactly(&h, "`tempo`"), "the inspector edits it");
    // A plain click elsewhere replaces it; Shift+click adds.
    click_canvas(
        &mut h,
        "Key (quick)",
        egui::PointerButton::Primary,
        egui::Modifiers::NONE,
    );
    h.run();
    assert_eq!(h.state().selection(), ["key"]);
    click_canvas(
        &mut h,
        "Confidence gate",
        egui::PointerButton::Primary,
        egui::Modifiers::SHIFT,
    );
    h.run();
    assert_eq!(h.state().selection(), ["key", "confidence"]);
    assert_eq!(h.state().selected(), Some("confidence"));

    h.key_press(egui::Key::Delete);
    h.run();
    let doc = h.state().document();
    assert_eq!(doc.nodes.len(), before - 2);
    assert!(doc.node("key").is_none() && doc.node("confidence").is_none());
    h.run_steps(3);
    assert_eq!(h.state().selected(), None, "no stale selection");
    assert!(h.state().selection().is_empty(), "no stale selection");
    assert!(shows(&h, "Deleted 2 nodes"));
}

#[test]
fn right_click_on_a_nodes_title_opens_its_menu() {
    let rt = runtime();
    let mut h = harness(WaveStudioApp::new(rt.handle().clone()));
    h.run();
    click_canvas(
        &mut h,
        "Tempo (quick)",
        egui::PointerButton::Secondary,
        egui::Modifiers::NONE,
    );
    h.run();
    h.get_by_role_and_label(Role::Button, "Delete").click();
    h.run();
    assert!(h.state().document().node("tempo").is_none());
    assert_eq!(h.state().selected(), None);
    assert!(h.state().selection().is_empty());
}

#[test]
fn a_click_on_the_empty_canvas_clears_the_selection() {
    let rt = runtime();
    let mut h = harness(WaveStudioApp::new(rt.handle().clone()));
    h.run();
    click_canvas(
        &mut h,
        "Decode + loudness",
        egui::PointerButton::Primary,
        egui::Modifiers::NONE,
    );
    h.run();
    assert_eq!(h.state().selected(), Some("decode"));
    // The canvas's empty top-left corner (as in the rectangle test).
    let empty = egui::pos2(280.0, 50.0);
    h.event(egui::Event::PointerMoved(empty));
    for pressed in [true, false] {
        h.event(egui::Event::PointerButton {
            pos: empty,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: egui::Modifiers::NONE,
        });
    }
    h.run();
    assert_eq!(h.state().selected(), None);
}

#[test]
fn typing_a_multi_digit_value_into_a_field_that_was_invalid_keeps_every_digit() {
    let rt = runtime();
    let mut app = WaveStudioApp::new(rt.handle().clone());
    let mut config = app.document().config.clone();
    config.stage_timeout_seconds = -5.0;
    app.push(Command::SetConfig {
        config,
        key: "test".into(),
    });
    let mut h = harness(app);
    h.run();
    assert!(shows(&h, "stage_timeout_seconds"));
    let field = || Role::TextInput;
    h.get_by_role_and_label(field(), "stage_timeout_seconds")
        .focus();
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.run();
    for digit in ["3", "0", "0"] {
        h.get_by_role_and_label(field(), "stage_timeout_seconds")
            .type_text(digit);
        h.run();
    }
    h.key_press(egui::Key::Enter);
    h.run();
    let timeout = h.state().document().config.stage_timeout_seconds;
    assert!((timeout - 300.0).abs() < 1e-9, "got {timeout}");
}

#[test]
fn add_files_through_the_in_app_browser_queues_the_picked_files() {
    let rt = runtime();
    let dir = TempDir::new("browser-add");
    for name in ["a.wav", "b.opus"] {
        gui_support::write_wav(&dir.path(name), &[0.0; 441], 1, gui_support::RATE);
    }
    std::fs::write(dir.path("notes.txt"), "not audio").unwrap();
    let mut app = WaveStudioApp::new(rt.handle().clone());
    app.set_native_dialogs(false);
    let mut h = harness(app);
    h.run();
    h.get_by_label("Add files…").click();
    h.run();
    assert!(shows_exactly(&h, "Add audio files"));
    type_into(&mut h, "Folder", &dir.0.display().to_string());
    h.run();
    assert!(!shows_exactly(&h, "notes.txt"), "only audio is listed");
    // OK with nothing picked says why and stays open.
    h.get_by_label("OK").click();
    h.run();
    assert!(shows(&h, "Pick one or more files"));
    h.get_by_label("a.wav").click();
    h.run();
    h.get_by_label("b.opus").click();
    h.run();
    h.get_by_label("OK").click();
    h.run();
    assert!(!shows_exactly(&h, "Add audio files"));
    let queued: Vec<_> = h
        .state()
        .files()
        .entries
        .iter()
        .map(|e| e.path.clone())
        .collect();
    assert_eq!(queued, [dir.path("a.wav"), dir.path("b.opus")]);
}

#[test]
fn delete_does_not_reach_the_graph_behind_the_file_browser() {
    let rt = runtime();
    let mut app = WaveStudioApp::new(rt.handle().clone());
    app.set_native_dialogs(false);
    let mut h = harness(app);
    h.run();
    h.state_mut().push(Command::Select(Some("tempo".into())));
    h.run();
    assert_eq!(h.state().selection(), ["tempo"]);
    h.state_mut().push(Command::OpenDialog);
    h.run();
    assert!(shows_exactly(&h, "Open pipeline"));
    h.key_press(egui::Key::Delete);
    h.run();
    assert!(h.state().document().node("tempo").is_some());
    h.key_press(egui::Key::Escape);
    h.run();
    h.key_press(egui::Key::Delete);
    h.run();
    assert!(
        h.state().document().node("tempo").is_none(),
        "with it closed, Delete works"
    );
}
