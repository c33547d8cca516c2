//! The *Add node* menu: the built-in operations by stage kind, then the
//! installed plugins; a click pushes `AddNode` where the menu was opened.

use egui::{RichText, Ui};

use crate::app::command::Command;
use crate::app::theme;
use crate::orchestrator::WaveStage;
use crate::pipeline::Operation;

/// Draws the stage-kind → operation menu; a click pushes `AddNode` at `at`
/// (canvas coordinates; `None`: the visible centre).
pub fn add_node_menu_ui(ui: &mut Ui, at: Option<(f32, f32)>, out: &mut Vec<Command>) {
    for kind in WaveStage::ALL {
        let title = RichText::new(kind.label()).color(theme::stage_color(kind));
        ui.menu_button(title, |ui| {
            let catalog = Operation::catalog();
            let (usual, other): (Vec<_>, Vec<_>) =
                catalog.into_iter().partition(|op| op.info().kind == kind);
            let n_usual = usual.len();
            for (i, op) in usual.into_iter().chain(other).enumerate() {
                let info = op.info();
                let mut text = RichText::new(op.label());
                if i >= n_usual {
                    text = text.weak();
                }
                if i == n_usual && n_usual > 0 {
                    ui.separator();
                }
                if ui.button(text).on_hover_text(info.summary).clicked() {
                    out.push(Command::AddNode {
                        kind,
                        operation: op,
                        at,
                    });
                    ui.close();
                }
            }
        });
    }
    plugin_menu_ui(ui, at, out);
}

/// The installed plugins, each added as a node of its manifest's kind.
fn plugin_menu_ui(ui: &mut Ui, at: Option<(f32, f32)>, out: &mut Vec<Command>) {
    let installed = crate::app::plugins::current(ui.ctx());
    ui.separator();
    ui.menu_button("Plugins", |ui| {
        if installed.plugins.is_empty() {
            ui.label(RichText::new("No plugins installed (View → Plugins…)").weak());
        }
        for plugin in installed.plugins.values() {
            let m = &plugin.manifest;
            let text = RichText::new(&m.name).color(theme::stage_color(m.kind));
            let hover = format!("{}\ncommand: {}", m.description, plugin.command_line());
            if ui.button(text).on_hover_text(hover).clicked() {
                out.push(Command::AddNode {
                    kind: m.kind,
                    operation: Operation::Plugin {
                        name: m.name.clone(),
                        params: Default::default(),
                    },
                    at,
                });
                ui.close();
            }
        }
    });
}
