//! What a node shows inside its body: its operation and, during and after a
//! run, its live counts, mean time and quality.

use egui::{Color32, Ui};

use crate::app::graph::convert::GraphNode;
use crate::app::graph::graph_ui::{GraphViewer, NODE_BODY_WIDTH, NODE_TEXT_SIZE};
use crate::app::run::charts::fmt_secs;
use crate::app::theme;
use crate::orchestrator::WaveStage;

impl GraphViewer<'_> {
    pub(crate) fn kind(&self, node: &GraphNode) -> WaveStage {
        self.doc
            .node(&node.id)
            .map_or(WaveStage::Preparation, |n| n.kind)
    }

    /// A node's body: operation, counts and times, one line each.
    pub(crate) fn body_lines_ui(&self, ui: &mut Ui, id: &str, n: &crate::pipeline::PipelineNode) {
        // Every node is as wide as every other (so a run's counts never
        // widen one over its neighbour): a longer line is cut with "…"
        // and the hover popup gives it whole.
        ui.set_width(NODE_BODY_WIDTH);
        ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Truncate);
        ui.spacing_mut().item_spacing.y = 1.0;
        let weak = ui.visuals().weak_text_color();
        let line = |ui: &mut Ui, parts: &[(String, Color32)]| {
            let mut job = egui::text::LayoutJob::default();
            if parts.is_empty() {
                // An empty line keeps its height.
                job.append(" ", 0.0, node_text_format(weak));
            }
            for (i, (text, color)) in parts.iter().enumerate() {
                let sep = if i == 0 { "" } else { " · " };
                job.append(sep, 0.0, node_text_format(weak));
                job.append(text, 0.0, node_text_format(*color));
            }
            ui.add(egui::Label::new(job).truncate());
        };
        line(ui, &[(n.operation.label(), ui.visuals().text_color())]);
        // Four lines, the same before, during and after a run (so the
        // fitted view stays right); a count shows once it is non-zero.
        let live = self.live.monitor.nodes.get(id);
        let counts = |pairs: &[(u64, &str, Color32)]| -> Vec<(String, Color32)> {
            pairs
                .iter()
                .filter(|(n, ..)| *n > 0)
                .map(|(n, what, color)| (format!("{what} {n}"), *color))
                .collect()
        };
        let done = live.map_or(0, |l| l.done);
        let mut second = vec![(
            format!("done {done}"),
            if done > 0 { theme::OK } else { weak },
        )];
        second.extend(counts(&[(
            live.map_or(0, |l| l.cached),
            "cached",
            theme::OK,
        )]));
        line(ui, &second);
        // A refinement first: what early termination skips is counted
        // beside it.
        let mut third = Vec::new();
        if n.refinement {
            third.push(("refine".to_string(), theme::WARN));
        }
        third.extend(live.map_or_else(Vec::new, |l| {
            counts(&[
                (l.running, "run", theme::ACCENT),
                (l.failed, "failed", theme::ERROR),
                (l.skipped, "skipped", theme::WARN),
            ])
        }));
        line(ui, &third);
        let mean = live
            .and_then(|l| l.mean_s())
            .map_or_else(|| "–".to_string(), fmt_secs);
        let q = live
            .and_then(|l| l.mean_quality())
            .map_or_else(|| "–".to_string(), |q| format!("{q:.2}"));
        let color = ui.visuals().text_color();
        line(ui, &[(mean, color), (format!("q {q}"), color)]);
    }
}

/// The format of a node's body text, in `color`.
pub(crate) fn node_text_format(color: Color32) -> egui::TextFormat {
    egui::TextFormat::simple(egui::FontId::proportional(NODE_TEXT_SIZE), color)
}
