//! The window's layout: menu bar, status bar, charts and results at the
//! bottom, files on the left, inspector on the right, the graph in the
//! centre; the modal questions are in `modals.rs`.

use egui::{RichText, Ui};

use super::graph::node_inspector;
use super::modals;
use super::{WaveStudioApp, inspector, theme};
use crate::app::command::Command;
use crate::app::graph::add_menu::add_node_menu_ui;
use crate::app::shortcuts::shortcut_for;
use crate::app::track::{BottomTab, track_ui};

/// The charts-and-results panel: its first height as a share of the
/// window's (egui remembers the height the user drags it to, also between
/// launches), and its smallest and largest share.
const BOTTOM_PANEL_SHARE: f32 = 0.38;
const BOTTOM_PANEL_MIN: f32 = 160.0;
const BOTTOM_PANEL_MAX_SHARE: f32 = 0.7;
/// The file queue panel: its default share of the window's width (wider
/// names in a wider window), within its smallest and largest default.
const FILES_PANEL_SHARE: f32 = 0.15;
const FILES_PANEL_MIN: f32 = 180.0;
const FILES_PANEL_MAX: f32 = 300.0;
/// The inspector panel: default and smallest width.
const INSPECTOR_PANEL_SIZE: f32 = 320.0;
const INSPECTOR_PANEL_MIN: f32 = 240.0;
/// The charts' share of the bottom panel's width, their smallest width,
/// and their largest: a wider window gives the results table the room.
const CHARTS_SHARE: f32 = 0.56;
const CHARTS_MIN_WIDTH: f32 = 300.0;
const CHARTS_MAX_WIDTH: f32 = 840.0;
/// The track view's share of the bottom panel's width, and its largest.
const TRACK_SHARE: f32 = 0.64;
const TRACK_MAX_WIDTH: f32 = 1400.0;
/// How much the Run button's green is dimmed when it is enabled.
const RUN_FILL_DIM: f32 = 0.5;

/// Draws everything.
pub fn root_ui(app: &mut WaveStudioApp, ui: &mut Ui) {
    let mut out = Vec::new();
    let menu = egui::Panel::top("menu_bar").show(ui, |ui| menu_bar_ui(app, ui, &mut out));
    // Windows open below the menu bar, never over it.
    let mut below_menu = ui.ctx().content_rect();
    below_menu.min.y = menu.response.rect.bottom();
    egui::Panel::bottom("status_bar").show(ui, |ui| status_bar_ui(app, ui));
    let window = ui.ctx().content_rect();
    let window_h = window.height();
    egui::Panel::bottom("charts_panel")
        .resizable(true)
        .default_size((window_h * BOTTOM_PANEL_SHARE).max(BOTTOM_PANEL_MIN))
        .min_size(BOTTOM_PANEL_MIN)
        .max_size((window_h * BOTTOM_PANEL_MAX_SHARE).max(BOTTOM_PANEL_MIN))
        .show(ui, |ui| bottom_ui(app, ui, &mut out));
    egui::Panel::left("files_panel")
        .resizable(true)
        .default_size((window.width() * FILES_PANEL_SHARE).clamp(FILES_PANEL_MIN, FILES_PANEL_MAX))
        .min_size(FILES_PANEL_MIN)
        .show(ui, |ui| {
            let running = app.run.is_running();
            app.files.ui(ui, running, &mut out);
        });
    egui::Panel::right("inspector_panel")
        .resizable(true)
        .default_size(INSPECTOR_PANEL_SIZE)
        .min_size(INSPECTOR_PANEL_MIN)
        .show(ui, |ui| {
            // Both ways: content wider than the panel scrolls instead of
            // widening the inspector (and squeezing the graph).
            egui::ScrollArea::both()
                .auto_shrink([false, false])
                .show(ui, |ui| inspector_panel_ui(app, ui, &mut out));
        });
    egui::CentralPanel::default().show(ui, |ui| centre_ui(app, ui, &mut out));
    modals::escape_closes_the_top_window(app, ui.ctx(), &mut out);
    modals::modals_ui(app, ui, &mut out);
    app.plugins.window_ui(ui.ctx(), &mut out);
    crate::app::compare::window_ui::window_ui(ui.ctx(), below_menu, &app.compare, &mut out);
    app.dialogs.browser_ui(ui.ctx(), &mut out);
    modals::hovered_files_ui(ui);
    app.commands.extend(out);
}

/// A menu item for `command`, showing its shortcut from the shortcut table.
fn menu_item_ui(ui: &mut Ui, text: &str, enabled: bool, command: Command, out: &mut Vec<Command>) {
    let mut button = egui::Button::new(text);
    if let Some(shortcut) = shortcut_for(&command) {
        button = button.shortcut_text(ui.ctx().format_shortcut(&shortcut));
    }
    if ui.add_enabled(enabled, button).clicked() {
        out.push(command);
    }
}

fn menu_bar_ui(app: &mut WaveStudioApp, ui: &mut Ui, out: &mut Vec<Command>) {
    egui::MenuBar::new().ui(ui, |ui| {
        ui.menu_button("File", |ui| file_menu_ui(app, ui, out));
        ui.menu_button("Edit", |ui| {
            menu_item_ui(ui, "Undo", app.doc.can_undo(), Command::Undo, out);
            menu_item_ui(ui, "Redo", app.doc.can_redo(), Command::Redo, out);
        });
        ui.menu_button("View", |ui| {
            menu_item_ui(ui, "Fit graph to window", true, Command::FitView, out);
            menu_item_ui(ui, "Plugins…", true, Command::ShowPlugins, out);
            menu_item_ui(ui, "Rescan plugins", true, Command::RescanPlugins, out);
        });
        // From the menu bar, a node goes to the canvas's visible centre.
        ui.menu_button("Add node", |ui| add_node_menu_ui(ui, None, out));
        ui.separator();
        run_controls_ui(app, ui, out);
    });
}

fn file_menu_ui(app: &WaveStudioApp, ui: &mut Ui, out: &mut Vec<Command>) {
    menu_item_ui(ui, "New", true, Command::New, out);
    menu_item_ui(ui, "Open…", true, Command::OpenDialog, out);
    ui.menu_button("Open recent", |ui| {
        if app.settings.recent.is_empty() {
            ui.label(RichText::new("nothing yet").weak());
        }
        for path in &app.settings.recent {
            if ui.button(path.display().to_string()).clicked() {
                out.push(Command::Open(path.clone()));
            }
        }
    });
    ui.separator();
    menu_item_ui(ui, "Save", true, Command::Save, out);
    menu_item_ui(ui, "Save As…", true, Command::SaveAsDialog, out);
    ui.separator();
    let compare = Command::Compare(crate::app::command::CompareCommand::Dialog);
    menu_item_ui(ui, "Compare with…", true, compare, out);
    ui.separator();
    menu_item_ui(ui, "Quit", true, Command::Quit, out);
}

/// Run and Cancel, why Run is disabled, and progress while running.
fn run_controls_ui(app: &mut WaveStudioApp, ui: &mut Ui, out: &mut Vec<Command>) {
    let blocker = app.run_blocker();
    let running = app.run.is_running();
    let run = ui.add_enabled(
        blocker.is_none(),
        egui::Button::new(RichText::new("Run").strong()).fill(if blocker.is_none() {
            theme::OK.gamma_multiply(RUN_FILL_DIM)
        } else {
            ui.visuals().widgets.inactive.bg_fill
        }),
    );
    if let Some(reason) = &blocker {
        run.clone().on_disabled_hover_text(reason.as_str());
    }
    if run.clicked() {
        out.push(Command::Run);
    }
    resume_button_ui(app, ui, out);
    if ui
        .add_enabled(running && !app.run.cancelling, egui::Button::new("Cancel"))
        .clicked()
    {
        out.push(Command::Cancel);
    }
    if let Some(reason) = blocker
        && !running
    {
        ui.label(RichText::new(format!("Run disabled: {reason}")).color(theme::WARN));
    }
    if running {
        ui.spinner();
        let [queued, run, done, partial, failed, cancelled] = app.files.counts();
        ui.label(format!(
            "{} / {} files · {run} running",
            done + partial + failed,
            queued + run + done + partial + failed + cancelled
        ));
    }
}

/// *Resume*: shown when the library knows files of the current pipeline
/// without a finished result (queued, or from an interrupted run).
fn resume_button_ui(app: &WaveStudioApp, ui: &mut Ui, out: &mut Vec<Command>) {
    let count = app.resumable.1;
    if app.run.is_running() || count == 0 {
        return;
    }
    if ui
        .button("Resume")
        .on_hover_text(format!(
            "Run only the {count} file(s) without a finished result"
        ))
        .clicked()
    {
        out.push(Command::Resume);
    }
}

fn status_bar_ui(app: &WaveStudioApp, ui: &mut Ui) {
    ui.horizontal(|ui| {
        let name = app.doc.path.as_ref().map_or_else(
            || "built-in default pipeline (not saved yet)".to_string(),
            |p| p.display().to_string(),
        );
        ui.label(RichText::new(name).weak());
        if app.doc.is_dirty() {
            ui.label(RichText::new("● modified").color(theme::WARN));
        }
        ui.separator();
        if let Some((text, error)) = &app.status {
            let color = if *error {
                theme::ERROR
            } else {
                ui.visuals().text_color()
            };
            ui.label(RichText::new(text).color(color));
        }
    });
}

fn bottom_ui(app: &mut WaveStudioApp, ui: &mut Ui, out: &mut Vec<Command>) {
    statistics_ui(app, ui);
    let width = ui.available_width();
    let height = ui.available_height();
    ui.horizontal_top(|ui| {
        // A track reads better wide: it takes more of the panel than charts.
        let (share, max) = match app.track.tab {
            BottomTab::Charts => (CHARTS_SHARE, CHARTS_MAX_WIDTH),
            BottomTab::Track => (TRACK_SHARE, TRACK_MAX_WIDTH),
        };
        let charts_w = (width * share).clamp(CHARTS_MIN_WIDTH, max);
        let down = egui::Layout::top_down(egui::Align::Min);
        ui.allocate_ui_with_layout(egui::vec2(charts_w, height), down, |ui| {
            bottom_tabs_ui(app, ui);
            match app.track.tab {
                BottomTab::Charts => {
                    let doc = &app.doc.doc;
                    let nodes: Vec<(String, crate::orchestrator::WaveStage)> = doc
                        .nodes
                        .iter()
                        .map(|n| (n.id.to_string(), n.kind))
                        .collect();
                    app.run.live.ui(ui, &doc.config, &nodes);
                }
                BottomTab::Track => {
                    let limits = track_limits(&app.doc.doc);
                    track_ui::track_ui(&mut app.track, ui, limits, out);
                }
            }
        });
        ui.separator();
        ui.allocate_ui_with_layout(egui::vec2(ui.available_width(), height), down, |ui| {
            app.results.ui(ui, out);
        });
    });
}

/// The Charts / Track tabs over the bottom-left area.
fn bottom_tabs_ui(app: &mut WaveStudioApp, ui: &mut Ui) {
    ui.horizontal(|ui| {
        let tab = &mut app.track.tab;
        ui.selectable_value(tab, BottomTab::Charts, "Charts");
        let name = app
            .track
            .track
            .as_ref()
            .map(|t| format!("Track: {}", t.data.file_name()));
        let label = name.unwrap_or_else(|| "Track".into());
        ui.selectable_value(tab, BottomTab::Track, label)
            .on_hover_text("A file's waveform, beat grid, tempo, key and loudness over time: double-click a result to open it");
    });
}

/// The loudness target and true-peak ceiling of the open pipeline's
/// loudness gate, else EBU R128's −23 LUFS and −1 dBTP.
fn track_limits(doc: &crate::pipeline::PipelineDocument) -> track_ui::Limits {
    let gate = doc.nodes.iter().find_map(|n| match n.operation {
        crate::pipeline::Operation::LoudnessGate {
            target_lufs,
            max_true_peak_dbtp,
            ..
        } => Some((target_lufs, max_true_peak_dbtp)),
        _ => None,
    });
    let (target_lufs, max_peak_db) = gate.unwrap_or((-23.0, -1.0));
    track_ui::Limits {
        target_lufs,
        max_peak_db,
    }
}

/// The engine's wave counts as words: how many waves ended and how (a
/// rate of "completed" read 0 % while files were done but partial).
fn statistics_line(s: &crate::orchestrator::Statistics) -> String {
    let mut line = format!(
        "waves {} ended: {} complete",
        s.total_waves, s.successful_waves
    );
    for (n, what) in [
        (s.partial_waves, "partial"),
        (s.failed_waves, "failed"),
        (s.cancelled_waves, "cancelled"),
    ] {
        if n > 0 {
            line.push_str(&format!(", {n} {what}"));
        }
    }
    line.push_str(&format!(" · active {}", s.active_waves));
    line
}

fn statistics_ui(app: &WaveStudioApp, ui: &mut Ui) {
    ui.horizontal_wrapped(|ui| {
        let title = ui.label(RichText::new("Statistics").strong());
        if let Some(s) = app.run.statistics() {
            title.on_hover_ui(|ui| stage_statistics_ui(ui, s));
        }
        match app.run.statistics() {
            Some(s) => {
                // Files by state are the queue's line (done, partial,
                // failed, cancelled): one count, in one place.
                ui.label(statistics_line(s));
                let cached = s.items_cached();
                if cached > 0 {
                    ui.label(format!("· cached {cached}"));
                }
                if s.memory_held.as_millis() > 0 {
                    ui.label(format!(
                        "· held by memory {:.1} s",
                        s.memory_held.as_secs_f64()
                    ));
                }
            }
            None => {
                ui.label(RichText::new("no run yet").weak());
            }
        }
        if let Some(t) = app.run.elapsed() {
            ui.label(format!("· {t:.1} s"));
        }
        if let Some(r) = &app.run.report {
            if let Some(a) = &r.aborted {
                ui.label(RichText::new(format!("· stopped: {a}")).color(theme::ERROR));
            }
            if r.not_started > 0 {
                ui.label(format!("· {} not started", r.not_started));
            }
        }
    });
}

/// Per-stage statistics, as the engine counts them.
fn stage_statistics_ui(ui: &mut Ui, s: &crate::orchestrator::Statistics) {
    egui::Grid::new("stage_stats").striped(true).show(ui, |ui| {
        for h in [
            "node", "attempts", "ok", "cached", "failed", "timeouts", "retries", "p50", "p95",
            "max", "quality",
        ] {
            ui.label(RichText::new(h).strong());
        }
        ui.end_row();
        for st in &s.stages {
            ui.label(RichText::new(st.node.as_str()).color(theme::stage_color(st.kind)));
            ui.label(st.attempts.to_string());
            // Computed successes; the store's answers are in their own column.
            ui.label(st.successes.saturating_sub(st.items_cached).to_string());
            ui.label(st.items_cached.to_string());
            ui.label(st.failures.to_string());
            ui.label(st.timeouts.to_string());
            ui.label(st.retries.to_string());
            for d in [st.duration_p50(), st.duration_p95(), st.duration_max()] {
                ui.label(crate::app::run::charts::fmt_secs(d.as_secs_f64()));
            }
            ui.label(
                st.mean_quality()
                    .map_or_else(|| "–".into(), |q| format!("{q:.2}")),
            );
            ui.end_row();
        }
    });
}

fn inspector_panel_ui(app: &mut WaveStudioApp, ui: &mut Ui, out: &mut Vec<Command>) {
    ui.heading("Inspector");
    let mut name = app.doc.doc.name.clone();
    ui.horizontal(|ui| {
        let label = ui.label("Pipeline");
        let field = egui::TextEdit::singleline(&mut name).desired_width(ui.available_width());
        if ui.add(field).labelled_by(label.id).changed() {
            out.push(Command::SetName(name));
        }
    });
    ui.separator();
    if let Some(id) = app.selected.clone() {
        egui::CollapsingHeader::new(RichText::new("Selected node").strong())
            .default_open(true)
            .show(ui, |ui| node_inspector::node_ui(ui, &app.doc.doc, &id, out));
    } else {
        ui.label(
            RichText::new(
                "Click a node to edit it (Shift+click adds to the selection). Right-click a node for its menu, the canvas to add one. Delete removes the selected nodes.",
            )
            .weak(),
        );
    }
    ui.separator();
    egui::CollapsingHeader::new(RichText::new("Run settings (WaveConfig)").strong())
        .default_open(true)
        .show(ui, |ui| {
            let (tune, config) = (&app.tune, &app.doc.doc.config);
            inspector::config_ui_with(ui, config, out, &mut |field, ui, out| {
                if field == "quality_threshold" {
                    crate::app::compare::tune_ui::suggestion_ui(ui, tune, config, out);
                }
            });
        });
    // Last, so a problem appearing never moves a field being edited (each
    // section says its own in a block of constant height).
    let problems: Vec<String> = app
        .pipeline_problems()
        .iter()
        .map(|p| format!("⚠ {}: {}", p.location, p.message))
        .collect();
    if !problems.is_empty() {
        ui.separator();
        ui.label(RichText::new("Problems").strong());
    }
    for p in problems {
        ui.add(egui::Label::new(RichText::new(p).color(theme::ERROR)).wrap());
    }
}

fn centre_ui(app: &mut WaveStudioApp, ui: &mut Ui, out: &mut Vec<Command>) {
    app.graph.ui(ui, &app.doc, &app.run.live, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Seven waves done, every one partial: no "completed 0.0 %".
    #[test]
    fn the_statistics_line_counts_waves_by_how_they_ended() {
        let s = crate::orchestrator::Statistics {
            total_waves: 7,
            partial_waves: 6,
            failed_waves: 1,
            active_waves: 4,
            ..Default::default()
        };
        assert_eq!(
            statistics_line(&s),
            "waves 7 ended: 0 complete, 6 partial, 1 failed · active 4"
        );
    }
}
