//! The node editor: how the pipeline graph is drawn (colour per stage kind,
//! live counts in each node) and how canvas gestures become commands.

use egui::{Color32, Id, Pos2, RichText, Ui};
use egui_snarl::ui::{PinInfo, SnarlStyle, SnarlViewer, SnarlWidget};
use egui_snarl::{InPin, NodeId, OutPin, Snarl};

use crate::app::command::Command;
use crate::app::graph::add_menu::add_node_menu_ui;
use crate::app::graph::convert::{GraphNode, doc_id};
use crate::app::graph::fit::{contain, fit_transform, keep_in_view};
use crate::app::run::charts::LiveStats;
use crate::app::theme;
use crate::pipeline::{Operation, PipelineDocument};

/// The graph widget's id (selection is read back through it); a new one
/// per opened document, so the view fits the new graph.
pub fn graph_id(epoch: u64) -> Id {
    Id::new(("pipeline_graph", epoch))
}

/// Draws the graph and turns gestures into commands.
pub struct GraphViewer<'a> {
    pub doc: &'a PipelineDocument,
    pub live: &'a LiveStats,
    pub out: &'a mut Vec<Command>,
    /// When set, the view is fitted to the whole graph inside this rect.
    pub fit: Option<egui::Rect>,
    /// Nodes (canvas) that were wholly in view and must stay so (the
    /// canvas shrank, or it is fitted automatically).
    pub keep: Option<egui::Rect>,
    /// Zoom to 100 % about the canvas's centre.
    pub reset_zoom: bool,
    /// The selected document nodes, outlined.
    pub selection: &'a [String],
    /// The top-most node under a primary click this frame.
    pub clicked: Option<String>,
    /// Canvas to screen, as the nodes were drawn.
    pub transform: Option<egui::emath::TSTransform>,
    /// The nodes' rects as last drawn (canvas coordinates), to fit.
    pub content: Option<egui::Rect>,
    /// The smallest zoom a fit may choose (node text stays readable).
    pub min_fit_scale: f32,
    /// A plain wheel turn over the canvas: zoom by this factor about
    /// this point (screen coordinates).
    pub wheel_zoom: Option<(f32, Pos2)>,
    /// The nodes' rects drawn this frame (canvas coordinates).
    pub drawn: egui::Rect,
    /// Each node's rect drawn this frame (canvas coordinates).
    pub rects: Vec<(String, egui::Rect)>,
    /// The canvas on screen: a pan never takes every node out of it.
    pub view: egui::Rect,
    /// The top-most node under a right-click this frame, and where.
    pub menu: Option<(String, Pos2)>,
    /// Whether the pointer is on a node's inner part (not its pins).
    pub pointer_on_node: bool,
}

/// A node's edges where its pins are (canvas points): a right-click there
/// may still disconnect a wire.
const PIN_MARGIN: f32 = 20.0;
/// The selection outline: gap to the node and stroke width.
const SELECTION_GAP: f32 = 3.0;
const SELECTION_STROKE: f32 = 2.5;

/// Roughly a node's size on the canvas, for fitting the view before the
/// nodes were drawn once.
pub(crate) const NODE_SIZE: egui::Vec2 = egui::vec2(190.0, 120.0);
/// Size of the text in a node's body, in canvas points; the fitted zoom
/// keeps it at least the body text size on screen.
pub const NODE_TEXT_SIZE: f32 = 14.0;
/// Size of a node's title, in canvas points.
const NODE_TITLE_SIZE: f32 = 15.0;
/// Width of every node's body, in canvas points (the node adds its pins
/// and margins), and how much wider its title may be.
pub(crate) const NODE_BODY_WIDTH: f32 = 116.0;
const NODE_TITLE_EXTRA: f32 = 20.0;
/// How far the wheel may zoom out and in.
pub const MIN_ZOOM: f32 = 0.1;
pub const MAX_ZOOM: f32 = 2.0;

impl SnarlViewer<GraphNode> for GraphViewer<'_> {
    fn title(&mut self, node: &GraphNode) -> String {
        self.doc
            .node(&node.id)
            .map_or_else(|| node.id.clone(), |n| n.name.clone())
    }

    fn header_frame(
        &mut self,
        default: egui::Frame,
        node: NodeId,
        _inputs: &[InPin],
        _outputs: &[OutPin],
        snarl: &Snarl<GraphNode>,
    ) -> egui::Frame {
        let Some(n) = snarl.get_node(node) else {
            return default;
        };
        let color = theme::stage_color(self.kind(n));
        default
            .fill(color.gamma_multiply(0.45))
            .corner_radius(4)
            .inner_margin(egui::Margin::symmetric(6, 3))
    }

    fn node_frame(
        &mut self,
        default: egui::Frame,
        node: NodeId,
        _inputs: &[InPin],
        _outputs: &[OutPin],
        snarl: &Snarl<GraphNode>,
    ) -> egui::Frame {
        let Some(n) = snarl.get_node(node) else {
            return default;
        };
        let color = theme::stage_color(self.kind(n));
        default.stroke(egui::Stroke::new(1.5, color))
    }

    fn show_header(
        &mut self,
        node: NodeId,
        _inputs: &[InPin],
        _outputs: &[OutPin],
        ui: &mut Ui,
        snarl: &mut Snarl<GraphNode>,
    ) {
        let Some(n) = snarl.get_node(node) else {
            return;
        };
        let title = self.title(n);
        // Selectable text would take the clicks (select, menu) from the node.
        ui.style_mut().interaction.selectable_labels = false;
        // As wide as the body: a long name is cut, never widens the node.
        ui.set_width(NODE_BODY_WIDTH + NODE_TITLE_EXTRA);
        ui.add(
            egui::Label::new(
                RichText::new(title)
                    .strong()
                    .size(NODE_TITLE_SIZE)
                    .color(Color32::WHITE),
            )
            .truncate(),
        );
    }

    fn inputs(&mut self, _node: &GraphNode) -> usize {
        1
    }

    fn outputs(&mut self, _node: &GraphNode) -> usize {
        1
    }

    fn show_input(
        &mut self,
        pin: &InPin,
        ui: &mut Ui,
        snarl: &mut Snarl<GraphNode>,
    ) -> impl egui_snarl::ui::SnarlPin + 'static {
        let color = snarl
            .get_node(pin.id.node)
            .map_or(Color32::GRAY, |n| theme::stage_color(self.kind(n)));
        let _ = ui;
        PinInfo::circle().with_fill(color)
    }

    fn show_output(
        &mut self,
        pin: &OutPin,
        ui: &mut Ui,
        snarl: &mut Snarl<GraphNode>,
    ) -> impl egui_snarl::ui::SnarlPin + 'static {
        let color = snarl
            .get_node(pin.id.node)
            .map_or(Color32::GRAY, |n| theme::stage_color(self.kind(n)));
        let _ = ui;
        PinInfo::circle().with_fill(color)
    }

    fn has_body(&mut self, _node: &GraphNode) -> bool {
        true
    }

    fn show_body(
        &mut self,
        node: NodeId,
        _inputs: &[InPin],
        _outputs: &[OutPin],
        ui: &mut Ui,
        snarl: &mut Snarl<GraphNode>,
    ) {
        let Some(id) = doc_id(snarl, node) else {
            return;
        };
        let Some(n) = self.doc.node(id) else {
            return;
        };
        ui.style_mut().interaction.selectable_labels = false;
        ui.vertical(|ui| self.body_lines_ui(ui, id, n));
    }

    fn current_transform(
        &mut self,
        to_global: &mut egui::emath::TSTransform,
        snarl: &mut Snarl<GraphNode>,
    ) {
        if let Some((factor, pointer)) = self.wheel_zoom {
            // Zoom about the pointer: the canvas point under it stays.
            let scale = (to_global.scaling * factor).clamp(MIN_ZOOM, MAX_ZOOM);
            *to_global = zoom_about(*to_global, pointer, scale);
        }
        if self.reset_zoom {
            *to_global = zoom_about(*to_global, self.view.center(), 1.0);
        }
        if let Some(content) = self.content {
            *to_global = keep_in_view(*to_global, self.view, content);
        }
        if let Some(view) = self.fit {
            let content = self.content.unwrap_or_else(|| {
                let mut content = egui::Rect::NOTHING;
                for (pos, _) in snarl.nodes_pos() {
                    content.extend_with(pos);
                    content.extend_with(pos + NODE_SIZE);
                }
                content
            });
            if let Some(t) = fit_transform(view, content, self.min_fit_scale) {
                *to_global = t;
            }
        }
        if let Some(keep) = self.keep {
            *to_global = contain(*to_global, self.view, keep, MIN_ZOOM);
        }
    }

    /// Outlines a selected node, and notes a plain click anywhere on it
    /// (egui-snarl itself selects only on shift-click).
    fn final_node_rect(
        &mut self,
        node: NodeId,
        rect: egui::Rect,
        ui: &mut Ui,
        snarl: &mut Snarl<GraphNode>,
    ) {
        self.drawn = self.drawn.union(rect);
        let Some(id) = doc_id(snarl, node) else {
            return;
        };
        self.rects.push((id.to_string(), rect));
        if self.selection.iter().any(|s| s == id) {
            ui.painter().rect_stroke(
                rect.expand(SELECTION_GAP),
                6,
                egui::Stroke::new(SELECTION_STROKE, theme::ACCENT),
                egui::StrokeKind::Outside,
            );
        }
        self.transform = ui.ctx().layer_transform_to_global(ui.layer_id());
        // Later nodes are drawn on top, so the last hit is the top-most.
        if ui.input(|i| i.pointer.primary_clicked()) && pointer_on(ui, rect) {
            self.clicked = Some(id.to_string());
        }
        let at = ui.input(|i| i.pointer.interact_pos());
        if let Some(at) = at
            && ui.input(|i| i.pointer.secondary_clicked())
            && pointer_on(ui, rect)
        {
            self.menu = Some((id.to_string(), at));
        }
        self.pointer_on_node |= pointer_on(ui, rect.shrink2(egui::vec2(PIN_MARGIN, 0.0)));
    }

    fn has_on_hover_popup(&mut self, _node: &GraphNode) -> bool {
        true
    }

    fn show_on_hover_popup(
        &mut self,
        node: NodeId,
        _inputs: &[InPin],
        _outputs: &[OutPin],
        ui: &mut Ui,
        snarl: &mut Snarl<GraphNode>,
    ) {
        if let Some(n) = doc_id(snarl, node).and_then(|id| self.doc.node(id)) {
            match &n.operation {
                Operation::Plugin { name, .. } => {
                    let installed = crate::app::plugins::current(ui.ctx());
                    match installed.get(name) {
                        Some(p) => {
                            ui.label(format!("`{}` · plugin: {}", n.id, p.manifest.description))
                        }
                        None => ui.label(
                            RichText::new(format!("`{}` · ⚠ plugin `{name}` missing", n.id))
                                .color(theme::ERROR),
                        ),
                    };
                }
                // The name whole (a node's title may be cut).
                op => _ = ui.label(format!("{} (`{}`) · {}", n.name, n.id, op.info().summary)),
            }
            // Why it was skipped (early termination names the node whose
            // quality decided), so "skipped 6" is never unexplained.
            let live = self.live.monitor.nodes.get(n.id.as_str());
            if let Some((count, why)) = live.and_then(|l| Some((l.skipped, l.last_skip.as_ref()?)))
            {
                let text = format!("skipped {count}: {why}");
                ui.label(RichText::new(text).color(theme::WARN));
            }
        }
    }

    fn has_graph_menu(&mut self, _pos: Pos2, _snarl: &mut Snarl<GraphNode>) -> bool {
        true
    }

    fn show_graph_menu(&mut self, pos: Pos2, ui: &mut Ui, _snarl: &mut Snarl<GraphNode>) {
        ui.label(RichText::new("Add stage").strong());
        add_node_menu_ui(ui, Some((pos.x, pos.y)), self.out);
    }

    fn connect(&mut self, from: &OutPin, to: &InPin, snarl: &mut Snarl<GraphNode>) {
        if let (Some(f), Some(t)) = (doc_id(snarl, from.id.node), doc_id(snarl, to.id.node)) {
            self.out.push(Command::Connect {
                from: f.to_string(),
                to: t.to_string(),
            });
        }
    }

    fn disconnect(&mut self, from: &OutPin, to: &InPin, snarl: &mut Snarl<GraphNode>) {
        // A right-click on a node is for the node, not a wire under it.
        if self.pointer_on_node {
            return;
        }
        if let (Some(f), Some(t)) = (doc_id(snarl, from.id.node), doc_id(snarl, to.id.node)) {
            self.out.push(Command::Disconnect {
                from: f.to_string(),
                to: t.to_string(),
            });
        }
    }

    fn drop_outputs(&mut self, pin: &OutPin, snarl: &mut Snarl<GraphNode>) {
        for remote in &pin.remotes {
            if let (Some(f), Some(t)) = (doc_id(snarl, pin.id.node), doc_id(snarl, remote.node)) {
                self.out.push(Command::Disconnect {
                    from: f.to_string(),
                    to: t.to_string(),
                });
            }
        }
    }

    fn drop_inputs(&mut self, pin: &InPin, snarl: &mut Snarl<GraphNode>) {
        for remote in &pin.remotes {
            if let (Some(f), Some(t)) = (doc_id(snarl, remote.node), doc_id(snarl, pin.id.node)) {
                self.out.push(Command::Disconnect {
                    from: f.to_string(),
                    to: t.to_string(),
                });
            }
        }
    }
}

/// `t` at zoom `scale`, the canvas point shown at `at` (screen) staying.
fn zoom_about(t: egui::emath::TSTransform, at: Pos2, scale: f32) -> egui::emath::TSTransform {
    let canvas = t.inverse() * at;
    egui::emath::TSTransform::new(at.to_vec2() - canvas.to_vec2() * scale, scale)
}

/// Whether the pointer is on `rect` (canvas coordinates) of the canvas
/// layer, not on a window or menu above it.
fn pointer_on(ui: &Ui, rect: egui::Rect) -> bool {
    let ctx = ui.ctx();
    let Some(pos) = ctx.input(|i| i.pointer.interact_pos()) else {
        return false;
    };
    let layer = ui.layer_id();
    let local = ctx
        .layer_transform_to_global(layer)
        .map_or(pos, |t| t.inverse() * pos);
    // The canvas is a sublayer of the panels' background layer; windows
    // and menus sit in higher orders.
    let on_canvas = ctx
        .layer_id_at(pos)
        .is_some_and(|top| top == layer || top.order == egui::Order::Background);
    on_canvas && rect.contains(local)
}

/// What a frame of the canvas did to the selection.
#[derive(Debug, Default)]
pub struct Clicks {
    /// The node clicked (top-most), if any.
    pub node: Option<String>,
    /// The empty canvas was clicked.
    pub background: bool,
    /// egui-snarl's own selection (shift-click, shift-drag rectangle), by
    /// graph id (a rebuilt graph reuses ids, so only additions count).
    pub snarl: Vec<NodeId>,
    /// The document ids of `snarl`'s nodes.
    pub snarl_docs: Vec<(NodeId, String)>,
    /// Canvas to screen, if a node was drawn.
    pub transform: Option<egui::emath::TSTransform>,
    /// The nodes' rects drawn (canvas coordinates), if any was.
    pub content: Option<egui::Rect>,
    /// Each node's rect drawn (canvas coordinates).
    pub rects: Vec<(String, egui::Rect)>,
    /// A node right-clicked, and where (screen): open its menu.
    pub menu: Option<(String, Pos2)>,
    /// The empty canvas was double-clicked: fit the graph.
    pub double_clicked: bool,
}

/// Shows the graph; returns what was clicked and egui-snarl's selection.
pub fn graph_ui(
    ui: &mut Ui,
    epoch: u64,
    snarl: &mut Snarl<GraphNode>,
    viewer: &mut GraphViewer<'_>,
) -> Clicks {
    let mut style = SnarlStyle::new();
    style.collapsible = Some(false);
    // A double-click fits the app's way (every node, the zoom level shown),
    // not egui-snarl's (which may shrink the text unseen).
    style.centering = Some(false);
    style.min_scale = Some(MIN_ZOOM);
    style.max_scale = Some(MAX_ZOOM);
    style.header_drag_space = Some(egui::vec2(0.0, 0.0));
    // The app draws the selection it owns; egui-snarl's would go stale
    // when the graph is rebuilt after a delete.
    style.select_style = Some(egui_snarl::ui::SelectionStyle {
        margin: egui::Margin::ZERO,
        rounding: egui::CornerRadius::ZERO,
        fill: Color32::TRANSPARENT,
        stroke: egui::Stroke::NONE,
    });
    // The canvas on screen: egui-snarl's response rect is in canvas
    // coordinates (its layer is transformed), so it cannot tell a click
    // on the right of a zoomed or panned graph from one beside it.
    let view = ui.available_rect_before_wrap();
    let response = SnarlWidget::new()
        .id(graph_id(epoch))
        .style(style)
        .show(snarl, viewer, ui);
    let snarl_selection = egui_snarl::ui::get_selected_nodes(graph_id(epoch), ui.ctx());
    let snarl_docs = snarl_selection
        .iter()
        .filter_map(|&n| doc_id(snarl, n).map(|id| (n, id.to_string())))
        .collect();
    // A node under a side panel is not clicked through the panel.
    let in_view = ui
        .input(|i| i.pointer.interact_pos())
        .is_some_and(|p| view.contains(p));
    Clicks {
        node: viewer.clicked.take().filter(|_| in_view),
        background: response.clicked_by(egui::PointerButton::Primary),
        double_clicked: in_view && response.double_clicked(),
        snarl: snarl_selection,
        snarl_docs,
        transform: viewer.transform,
        content: viewer.drawn.is_positive().then_some(viewer.drawn),
        rects: std::mem::take(&mut viewer.rects),
        menu: viewer.menu.take().filter(|_| in_view),
    }
}
