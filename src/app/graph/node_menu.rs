//! A node's context menu. The app opens it itself (egui-snarl's own would
//! lose the right-click to a wire passing under the node, which then
//! disconnects that wire instead).

use egui::{Id, Pos2};

use crate::app::command::Command;

/// An open node menu: for which node, where (screen).
#[derive(Debug, Clone)]
pub struct NodeMenu {
    node: String,
    at: Pos2,
    /// Opened this frame: the click that opened it does not close it.
    fresh: bool,
}

impl NodeMenu {
    pub fn new(node: String, at: Pos2) -> Self {
        Self {
            node,
            at,
            fresh: true,
        }
    }
}

/// Draws the open menu; an item pushes its command and closes it, as does
/// a click elsewhere or Escape.
pub fn node_menu_ui(
    ctx: &egui::Context,
    menu: &mut Option<NodeMenu>,
    selection: &[String],
    out: &mut Vec<Command>,
) {
    let Some(open) = menu.as_mut() else {
        return;
    };
    let mut close = false;
    let area = egui::Area::new(Id::new("node_menu"))
        .order(egui::Order::Foreground)
        .fixed_pos(open.at)
        .show(ctx, |ui| {
            egui::Frame::menu(ui.style()).show(ui, |ui| {
                ui.set_min_width(ui.spacing().menu_width / 2.0);
                if ui.button("Duplicate").clicked() {
                    out.push(Command::DuplicateNode(open.node.clone()));
                    close = true;
                }
                // On a node of a larger selection, Delete removes the
                // selection (as the Delete key does), not only this node.
                if selection.len() > 1 && selection.contains(&open.node) {
                    let text = format!("Delete {} selected nodes", selection.len());
                    if ui.button(text).clicked() {
                        out.push(Command::RemoveNodes(selection.to_vec()));
                        close = true;
                    }
                } else if ui.button("Delete").clicked() {
                    out.push(Command::RemoveNode(open.node.clone()));
                    close = true;
                }
            });
        });
    let elsewhere = !open.fresh && area.response.clicked_elsewhere();
    open.fresh = false;
    if close || elsewhere || ctx.input(|i| i.key_pressed(egui::Key::Escape)) {
        *menu = None;
    }
}
