//! The modal questions (unsaved changes, forgetting results, a pipeline
//! that failed to load), Escape closing the one on top, and the overlay
//! shown while files are dragged over the window.

use egui::{RichText, Ui};

use super::command::Command;
use super::{WaveStudioApp, theme};

/// The load-problems window: width and list height.
const PROBLEMS_WIDTH: f32 = 520.0;
const PROBLEMS_LIST_HEIGHT: f32 = 300.0;
/// The drop overlay: darkening and text size.
const DROP_OVERLAY_ALPHA: u8 = 160;
const DROP_TEXT_SIZE: f32 = 22.0;

/// Escape closes the question or window on top (as Cancel would); the file
/// browser handles its own Escape.
pub(crate) fn escape_closes_the_top_window(
    app: &mut WaveStudioApp,
    ctx: &egui::Context,
    out: &mut Vec<Command>,
) {
    if app.dialogs.browser_open() || !ctx.input(|i| i.key_pressed(egui::Key::Escape)) {
        return;
    }
    if app.pending.is_some() {
        out.push(Command::CancelPending);
    } else if app.confirm_forget.is_some() {
        out.push(Command::CancelForget);
    } else if app.doc.load_problems.is_some() {
        out.push(Command::DismissLoadProblems);
    } else if app.plugins.window_open {
        app.plugins.window_open = false;
    }
}

pub(crate) fn modals_ui(app: &mut WaveStudioApp, ui: &mut Ui, out: &mut Vec<Command>) {
    if let Some(pending) = app.pending.clone() {
        egui::Modal::new(egui::Id::new("unsaved_modal")).show(ui.ctx(), |ui| {
            ui.heading("Unsaved changes");
            ui.label(format!(
                "“{}” has changes that are not saved.",
                app.doc.doc.name
            ));
            ui.horizontal(|ui| {
                if ui.button("Save").clicked() {
                    out.push(Command::SaveThen(pending.clone()));
                }
                if ui.button("Discard changes").clicked() {
                    out.push(Command::Discard(pending.clone()));
                }
                if ui.button("Cancel").clicked() {
                    out.push(Command::CancelPending);
                }
            });
        });
    }
    if let Some(paths) = &app.confirm_forget {
        forget_modal_ui(ui, paths, out);
    }
    if let Some(failure) = &app.doc.load_problems {
        egui::Window::new("Could not open pipeline")
            .collapsible(false)
            .resizable(true)
            .default_width(PROBLEMS_WIDTH)
            .anchor(egui::Align2::CENTER_CENTER, egui::vec2(0.0, 0.0))
            .show(ui.ctx(), |ui| {
                ui.label(format!(
                    "{} has {} problem(s); the current pipeline is kept.",
                    failure.path.display(),
                    failure.problems.len()
                ));
                ui.separator();
                egui::ScrollArea::vertical()
                    .max_height(PROBLEMS_LIST_HEIGHT)
                    .show(ui, |ui| {
                        for p in &failure.problems {
                            let at = match (p.line, p.col) {
                                (Some(l), Some(c)) => format!("{l}:{c}"),
                                (Some(l), None) => format!("{l}"),
                                _ => "–".to_string(),
                            };
                            ui.horizontal_wrapped(|ui| {
                                ui.label(RichText::new(at).monospace().color(theme::ERROR));
                                if !p.location.is_empty() {
                                    ui.label(RichText::new(&p.location).monospace());
                                }
                                ui.label(&p.message);
                            });
                        }
                    });
                if ui.button("Dismiss").clicked() {
                    out.push(Command::DismissLoadProblems);
                }
            });
    }
}

/// Asks before results are forgotten (there is no undo).
fn forget_modal_ui(ui: &mut Ui, paths: &[std::path::PathBuf], out: &mut Vec<Command>) {
    egui::Modal::new(egui::Id::new("forget_modal")).show(ui.ctx(), |ui| {
        ui.heading("Forget results");
        let what = match paths {
            [one] => one.display().to_string(),
            _ => format!("{} files", paths.len()),
        };
        ui.label(format!(
            "Remove every stored result of {what} from the library? They will be analysed again next time."
        ));
        ui.horizontal(|ui| {
            if ui.button("Forget").clicked() {
                out.push(Command::Forget(paths.to_vec()));
            }
            if ui.button("Cancel").clicked() {
                out.push(Command::CancelForget);
            }
        });
    });
}

pub(crate) fn hovered_files_ui(ui: &mut Ui) {
    let hovering = ui.ctx().input(|i| !i.raw.hovered_files.is_empty());
    if hovering {
        let painter = ui.ctx().layer_painter(egui::LayerId::new(
            egui::Order::Foreground,
            egui::Id::new("drop_overlay"),
        ));
        let rect = ui.ctx().content_rect();
        painter.rect_filled(
            rect,
            0.0,
            egui::Color32::from_black_alpha(DROP_OVERLAY_ALPHA),
        );
        painter.text(
            rect.center(),
            egui::Align2::CENTER_CENTER,
            "Drop audio files or folders to queue them, or a .ron pipeline to open it",
            egui::FontId::proportional(DROP_TEXT_SIZE),
            egui::Color32::WHITE,
        );
    }
}
