//! The zoom level over the canvas, with a one-click reset, shown whenever
//! the graph is not at 100 % (so a zoom that shrinks the text is never
//! unseen).

use egui::{Align2, Context, Id, Order, Rect};

use crate::app::command::Command;

/// How far from 100 % the zoom must be to show, and the chip's distance
/// from the canvas's bottom-left corner.
const ZOOM_TOLERANCE: f32 = 0.005;
const ZOOM_INSET: egui::Vec2 = egui::vec2(8.0, -8.0);

/// Shows "Zoom N %" and *Reset zoom* at the bottom-left of `view` (the
/// canvas on screen) unless `scale` is 100 %; a click pushes `ResetZoom`.
pub fn zoom_ui(ctx: &Context, view: Rect, scale: f32, out: &mut Vec<Command>) {
    if (scale - 1.0).abs() < ZOOM_TOLERANCE || !view.is_positive() {
        return;
    }
    // Above the canvas layer, so the chip is clickable over nodes and wires.
    egui::Area::new(Id::new("graph_zoom"))
        .order(Order::Middle)
        .pivot(Align2::LEFT_BOTTOM)
        .fixed_pos(view.left_bottom() + ZOOM_INSET)
        .constrain_to(view)
        .show(ctx, |ui| {
            egui::Frame::popup(ui.style()).show(ui, |ui| {
                ui.horizontal(|ui| {
                    ui.label(format!("Zoom {:.0} %", scale * 100.0));
                    let reset = ui.button("Reset zoom").on_hover_text("Back to 100 %");
                    if reset.clicked() {
                        out.push(Command::ResetZoom);
                    }
                });
            });
        });
}
