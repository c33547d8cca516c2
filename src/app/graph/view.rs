//! The graph canvas's state: the editor graph built from the document, the
//! selection the canvas last reported, when to fit the view and where a
//! new node goes. Drawing only reads it and reports `CanvasEvent`s;
//! `apply` and `sync` (called where commands are applied) change it.

use egui::{Rect, Ui};
use egui_snarl::{NodeId, Snarl};

use crate::app::command::{CanvasEvent, Command};
use crate::app::graph::convert::{GraphNode, to_graph};
use crate::app::graph::fit::free_spot;
use crate::app::graph::graph_ui::{
    Clicks, GraphViewer, MIN_ZOOM, NODE_SIZE, NODE_TEXT_SIZE, graph_ui,
};
use crate::app::graph::node_menu::{NodeMenu, node_menu_ui};
use crate::app::graph::zoom::zoom_ui;
use crate::app::run::charts::LiveStats;
use crate::app::state::DocState;

/// Frames a requested fit is repeated for (the first frame may lay out the
/// canvas at a provisional size).
const FIT_FRAMES: u8 = 2;
/// How much the canvas must change size, in points, to count as resized.
const RESIZE_TOLERANCE: f32 = 1.0;
/// How far a node must be dragged, in points, to count as moved.
const MOVE_TOLERANCE: f32 = 0.5;
/// Space between a duplicated node and its neighbours, and how many rows
/// (and columns) away a free spot is looked for.
const FREE_SPOT_GAP: f32 = 12.0;
const FREE_SPOT_TRIES: usize = 12;

/// The graph view's state.
#[derive(Default)]
pub struct GraphView {
    graph: Snarl<GraphNode>,
    /// The document generation `graph` was built from.
    generation: Option<u64>,
    /// The document epoch the fit state belongs to.
    epoch: Option<u64>,
    /// The selected document nodes; the last is the one inspected.
    selection: Vec<String>,
    /// What egui-snarl reported last, so only its additions select.
    last_snarl: Vec<NodeId>,
    /// Canvas to screen, as last drawn.
    transform: egui::emath::TSTransform,
    /// Frames left of a requested fit.
    fit_frames: u8,
    /// The canvas rect the view was last fitted to.
    fitted: Option<Rect>,
    /// Whether the user panned or zoomed since the document opened.
    touched: bool,
    /// The nodes' rects as last drawn (canvas coordinates).
    content: Option<Rect>,
    /// The size of `content` when the view was last fitted.
    content_fitted: Option<egui::Vec2>,
    /// Each node's rect as last drawn (canvas coordinates).
    rects: Vec<(String, Rect)>,
    /// The open node menu, if any.
    menu: Option<NodeMenu>,
    /// The canvas on screen, as last drawn.
    view: Option<Rect>,
    /// Zoom to 100 % on the next frame.
    reset_zoom: bool,
}

impl GraphView {
    /// Follows the document: rebuilds the graph after an edit, and starts
    /// fitting afresh when a new document opens.
    pub fn sync(&mut self, doc: &DocState, selected: Option<&str>) {
        // The inspected node leads; a removed node leaves the selection.
        self.selection.retain(|id| doc.doc.node(id).is_some());
        match selected {
            None => self.selection.clear(),
            Some(id) if !self.selection.iter().any(|s| s == id) => {
                self.selection = vec![id.to_string()];
            }
            Some(_) => {}
        }
        if self.generation != Some(doc.generation) {
            self.graph = to_graph(&doc.doc);
            self.generation = Some(doc.generation);
            self.content = None;
        }
        if self.epoch != Some(doc.epoch) {
            self.epoch = Some(doc.epoch);
            self.touched = false;
            self.fitted = None;
            self.rects.clear();
        }
    }

    /// Fits the view to the whole graph over the next frames.
    pub fn request_fit(&mut self) {
        self.fit_frames = FIT_FRAMES;
    }

    /// Records what the canvas reported.
    pub fn apply(&mut self, event: CanvasEvent) {
        match event {
            CanvasEvent::Fitted(rect) => {
                self.fit_frames = self.fit_frames.saturating_sub(1);
                self.fitted = Some(rect);
            }
            CanvasEvent::Touched => self.touched = true,
            CanvasEvent::Selected(ids) => self.selection = ids,
            CanvasEvent::SnarlSelected(ids) => self.last_snarl = ids,
        }
    }

    /// Canvas to screen, as last drawn.
    pub fn transform(&self) -> egui::emath::TSTransform {
        self.transform
    }

    /// The selected document nodes.
    pub fn selection(&self) -> &[String] {
        &self.selection
    }

    /// The selection after this frame's clicks, if they changed it: a
    /// click selects a node, shift-click adds or removes it, a click on
    /// the empty canvas clears, a shift-drag rectangle selects its nodes.
    fn clicked_selection(&self, clicks: &Clicks, shift: bool) -> Option<Vec<String>> {
        let next = if let Some(id) = &clicks.node {
            let mut next = self.selection.clone();
            match next.iter().position(|s| s == id) {
                Some(i) if shift => _ = next.remove(i),
                _ if shift => next.push(id.clone()),
                _ => next = vec![id.clone()],
            }
            next
        } else if clicks.background && !shift {
            Vec::new()
        } else {
            // A shift-drag rectangle adds its nodes.
            let added = clicks
                .snarl_docs
                .iter()
                .filter(|(n, id)| !self.last_snarl.contains(n) && !self.selection.contains(id));
            let mut next = self.selection.clone();
            next.extend(added.map(|(_, id)| id.clone()));
            next
        };
        (next != self.selection).then_some(next)
    }

    /// Draws the graph; gestures and view changes become commands in `out`.
    pub fn ui(&mut self, ui: &mut Ui, doc: &DocState, live: &LiveStats, out: &mut Vec<Command>) {
        let view = ui.available_rect_before_wrap();
        let wheel_zoom = take_wheel(ui, view);
        let (fit, keep) = self.fit_plan(ui, view, out);
        self.view = Some(view);
        // An explicit fit (View menu, double-click) shows every node, even
        // below readable size: the zoom level then shows, with a reset.
        let min_fit_scale = if self.fit_frames > 0 {
            MIN_ZOOM
        } else {
            readable_scale(ui)
        };
        let mut viewer = GraphViewer {
            doc: &doc.doc,
            live,
            out,
            fit,
            keep,
            reset_zoom: std::mem::take(&mut self.reset_zoom),
            selection: &self.selection,
            clicked: None,
            transform: None,
            content: self.content,
            min_fit_scale,
            wheel_zoom,
            drawn: Rect::NOTHING,
            rects: Vec::new(),
            view,
            menu: None,
            pointer_on_node: false,
        };
        let clicks = graph_ui(ui, doc.epoch, &mut self.graph, &mut viewer);
        if let Some(t) = clicks.transform {
            self.transform = t;
        }
        if clicks.content.is_some() {
            self.content = clicks.content;
            self.rects.clone_from(&clicks.rects);
        }
        if clicks.double_clicked {
            out.push(Command::FitView);
        }
        zoom_ui(ui.ctx(), view, self.transform.scaling, out);
        if let Some((node, at)) = clicks.menu.clone() {
            self.menu = Some(NodeMenu::new(node, at));
        }
        node_menu_ui(ui.ctx(), &mut self.menu, &self.selection, out);
        let shift = ui.input(|i| i.modifiers.shift);
        // Only a change on the canvas selects, so a selection made elsewhere
        // (a new node) is not undone by the canvas's older one.
        if let Some(next) = self.clicked_selection(&clicks, shift) {
            out.push(Command::Canvas(CanvasEvent::Selected(next.clone())));
            out.push(Command::Select(next.last().cloned()));
        }
        if clicks.snarl != self.last_snarl {
            out.push(Command::Canvas(CanvasEvent::SnarlSelected(clicks.snarl)));
        }
        // Read back moved nodes once the drag ends (one undo step per drag).
        if !ui.ctx().input(|i| i.pointer.any_down()) {
            let moves = self.moved_nodes(doc);
            if !moves.is_empty() {
                out.push(Command::MoveNodes(moves));
            }
        }
    }

    /// Whether to fit the view this frame (inside which rect), and which
    /// nodes (canvas) must stay wholly in view. The view is fitted when a
    /// document opens, and again when the canvas changes size or the nodes
    /// grow, until the user pans or zooms it; a resize or automatic fit
    /// never takes out of view a node that was wholly in it.
    fn fit_plan(
        &mut self,
        ui: &Ui,
        view: Rect,
        out: &mut Vec<Command>,
    ) -> (Option<Rect>, Option<Rect>) {
        let touched_now = ui.ctx().input(|i| {
            i.pointer.hover_pos().is_some_and(|p| view.contains(p))
                && (i.pointer.any_down()
                    || i.smooth_scroll_delta != egui::Vec2::ZERO
                    || i.zoom_delta() != 1.0)
        });
        if touched_now && !self.touched {
            out.push(Command::Canvas(CanvasEvent::Touched));
        }
        let resized = self
            .fitted
            .is_none_or(|r| (r.size() - view.size()).length() > RESIZE_TOLERANCE);
        // Nodes that grew (a long name, live counts) are fitted again too.
        let grown = match (self.content, self.content_fitted) {
            (Some(c), Some(f)) => (c.size() - f).length() > RESIZE_TOLERANCE,
            (Some(_), None) => true,
            (None, _) => false,
        };
        let auto_fit = (resized || grown) && !(self.touched || touched_now);
        let fit = (self.fit_frames > 0 || auto_fit).then_some(view);
        if fit.is_some() {
            self.content_fitted = self.content.map(|c| c.size());
            out.push(Command::Canvas(CanvasEvent::Fitted(view)));
        }
        let moved = self.view.is_some_and(|old| {
            (old.min - view.min).length() > RESIZE_TOLERANCE
                || (old.max - view.max).length() > RESIZE_TOLERANCE
        });
        let keep = (self.fit_frames == 0 && (moved || auto_fit))
            .then(|| self.shown_nodes())
            .flatten();
        (fit, keep)
    }

    /// The nodes wholly in view as last drawn (canvas coordinates).
    fn shown_nodes(&self) -> Option<Rect> {
        let old = self.view?.expand(0.5);
        self.content?;
        let keep = self
            .rects
            .iter()
            .map(|(_, r)| *r)
            .filter(|r| old.contains_rect(self.transform * *r))
            .fold(Rect::NOTHING, Rect::union);
        keep.is_positive().then_some(keep)
    }

    /// Zooms to 100 % about the canvas's centre on the next frame.
    pub fn reset_zoom(&mut self) {
        self.reset_zoom = true;
        self.touched = true;
    }

    /// Where a new node goes (canvas coordinates): at `at` (where the
    /// canvas menu was opened) or else centred in view, then moved wholly
    /// into view and to the nearest spot that covers no drawn node.
    pub fn new_node_pos(&self, at: Option<(f32, f32)>) -> (f32, f32) {
        let Some(view) = self.view else {
            return at.unwrap_or_default();
        };
        let size = self.rects.first().map_or(NODE_SIZE, |(_, r)| r.size());
        let visible = self.transform.inverse() * view;
        let min = at.map_or(visible.center() - size / 2.0, |(x, y)| egui::pos2(x, y));
        let others: Vec<Rect> = self.rects.iter().map(|(_, r)| *r).collect();
        let spot = free_spot(visible, Rect::from_min_size(min, size), &others);
        // A node's position is inside its drawn frame (by its margin).
        let inset = self.graph.nodes_pos().find_map(|(pos, n)| {
            let (_, r) = self.rects.iter().find(|(id, _)| *id == n.id)?;
            Some(pos - r.min)
        });
        let at = spot + inset.unwrap_or_default();
        (at.x, at.y)
    }

    /// The nodes' rects as last drawn (canvas coordinates).
    pub fn content(&self) -> Option<Rect> {
        self.content
    }

    /// The canvas on screen, as last drawn.
    pub fn view_rect(&self) -> Rect {
        self.view.unwrap_or(Rect::NOTHING)
    }

    /// Each node's rect as last drawn (canvas coordinates).
    pub fn node_rects(&self) -> &[(String, Rect)] {
        &self.rects
    }

    /// How far from node `of` its copy goes: to the first place below it
    /// (or to its right) where a node of its size overlaps no drawn node.
    pub fn free_offset(&self, of: &str) -> Option<(f32, f32)> {
        let (_, rect) = self.rects.iter().find(|(id, _)| id == of)?;
        let step = rect.size() + egui::Vec2::splat(FREE_SPOT_GAP);
        let free = |r: Rect| {
            self.rects
                .iter()
                .all(|(_, o)| !o.expand(FREE_SPOT_GAP / 2.0).intersects(r))
        };
        (0..FREE_SPOT_TRIES)
            .flat_map(|i| {
                let i = i as f32;
                [
                    egui::vec2(0.0, step.y * (i + 1.0)),
                    egui::vec2(step.x * (i + 1.0), 0.0),
                ]
            })
            .find(|offset| free(rect.translate(*offset)))
            .map(|offset| (offset.x, offset.y))
    }

    /// Nodes whose canvas position differs from the document's.
    fn moved_nodes(&self, doc: &DocState) -> Vec<(String, (f32, f32))> {
        self.graph
            .nodes_pos()
            .filter_map(|(pos, n)| {
                let node = doc.doc.node(&n.id)?;
                let moved = (node.position.0 - pos.x).abs() > MOVE_TOLERANCE
                    || (node.position.1 - pos.y).abs() > MOVE_TOLERANCE;
                moved.then(|| (n.id.clone(), (pos.x, pos.y)))
            })
            .collect()
    }
}

/// The smallest zoom at which node text is at least the body text size.
fn readable_scale(ui: &Ui) -> f32 {
    let body = egui::TextStyle::Body.resolve(ui.style()).size;
    body / NODE_TEXT_SIZE
}

/// A plain wheel turn over the canvas (no menu or window above it) zooms
/// the graph, as in other node editors, instead of panning it out of view:
/// takes the scroll and returns the zoom factor and the pointer. Shift or
/// a trackpad's sideways swipe still pans; Ctrl+wheel zooms as before.
fn take_wheel(ui: &Ui, view: Rect) -> Option<(f32, egui::Pos2)> {
    let ctx = ui.ctx();
    let pos = ctx.input(|i| i.pointer.hover_pos())?;
    let on_canvas = view.contains(pos)
        && ctx
            .layer_id_at(pos)
            .is_some_and(|l| l.order == egui::Order::Background);
    if !on_canvas {
        return None;
    }
    let speed = ctx.options(|o| o.input_options.scroll_zoom_speed);
    ctx.input_mut(|i| {
        let dy = i.smooth_scroll_delta.y;
        if dy == 0.0 || !i.modifiers.is_none() {
            return None;
        }
        i.smooth_scroll_delta.y = 0.0;
        Some(((speed * dy).exp(), pos))
    })
}
