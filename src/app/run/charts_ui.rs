//! The live charts: stage time per node (log scale, every bar named),
//! quality per file against the threshold, and resources as two small
//! plots (CPU and concurrency; memory) so no series hides another. Each
//! legend is a row above its plot, never on top of the data.

use egui::{Color32, RichText, Ui};
use egui_plot::{BarChart, HLine, Line, LineStyle, Plot, PlotPoint, PlotPoints, Points};

use crate::app::run::charts::{LiveStats, fmt_secs};
use crate::app::run::log_chart::{
    abbreviate, legend_ui, log_ms, log_time_plot, time_bar, time_text, with_row_names,
};
use crate::app::theme;
use crate::orchestrator::{WaveConfig, WaveStage};

/// A chart's title line and its legend row, in points.
const TITLE_H: f32 = 24.0;
const LEGEND_H: f32 = 18.0;
/// Room for node names left of the stage-time chart.
const NAMES_WIDTH: f32 = 84.0;
/// The concurrency line's colour.
const CONCURRENCY: Color32 = Color32::from_rgb(200, 160, 255);

impl LiveStats {
    /// Draws the three charts side by side in `ui`, against the run's
    /// configuration (the document's, `config`, before any run).
    /// `nodes` are the document's nodes (id, kind), in document order.
    pub fn ui(&self, ui: &mut Ui, config: &WaveConfig, nodes: &[(String, WaveStage)]) {
        let config = self.config.as_ref().unwrap_or(config);
        let width = ((ui.available_width() - 16.0) / 3.0).max(120.0);
        let height = ui.available_height().max(120.0);
        ui.horizontal(|ui| {
            ui.vertical(|ui| {
                ui.set_width(width);
                self.timing_ui(ui, height, nodes);
            });
            ui.vertical(|ui| {
                ui.set_width(width);
                self.quality_ui(ui, height, config);
            });
            ui.vertical(|ui| {
                ui.set_width(width);
                self.resources_ui(ui, height, config);
            });
        });
    }

    /// One horizontal bar per node, first node on top, on a log time axis
    /// (a slow decode no longer flattens the rest), each named on its bar.
    fn timing_ui(&self, ui: &mut Ui, height: f32, nodes: &[(String, WaveStage)]) {
        ui.label(RichText::new("Stage time per node (log scale)").strong())
            .on_hover_text("bar: mean time of an attempt; dot: 95th percentile");
        let rows = nodes.len().max(1);
        let mut bars = Vec::new();
        let mut p95 = Vec::new();
        let mut times = Vec::new();
        let mut longest: f64 = 0.0;
        for (i, (id, kind)) in nodes.iter().enumerate() {
            let y = (rows - 1 - i) as f64;
            let live = self.monitor.nodes.get(id.as_str());
            let Some(mean) = live.and_then(|l| l.mean_s()) else {
                continue;
            };
            let fill = theme::stage_color(*kind).gamma_multiply(0.6);
            bars.push(time_bar(y, mean, fill, 0.8).name(id));
            let p = live.and_then(|l| l.p95_s()).unwrap_or(mean);
            p95.push([log_ms(p * 1000.0), y]);
            // The mean's figure right of the p95 dot, never under it.
            times.push((p.max(mean), y, fmt_secs(mean)));
            longest = longest.max(p.max(mean));
        }
        let plot_h = height - TITLE_H;
        let names = nodes.iter().map(|(id, _)| abbreviate(id)).collect();
        let text_size = (plot_h / rows as f32 * 0.6).clamp(9.0, 13.0);
        let plot = log_time_plot("stage_timing", plot_h, rows, longest)
            // Room right of the longest bar for its figure.
            .include_x(log_ms(longest * 1000.0) + 1.8);
        with_row_names(plot, names, NAMES_WIDTH).show(ui, |p| {
            p.bar_chart(BarChart::new("mean", bars).horizontal());
            p.points(
                Points::new("p95", PlotPoints::from(p95))
                    .color(Color32::WHITE)
                    .radius(3.0),
            );
            for (at, y, text) in times {
                time_text(p, at, y, text, text_size);
            }
        });
    }

    fn quality_ui(&self, ui: &mut Ui, height: f32, config: &WaveConfig) {
        ui.label(RichText::new("Quality per file").strong())
            .on_hover_text(
                "Each file's point is the quality the refinement gate read: the lowest \
             confidence of the estimates its refinements refine (a node beside them does \
             not count). At or above the threshold the refinements are skipped. A pipeline \
             without refinements plots the lowest confidence any node reported.",
            );
        legend_ui(
            ui,
            &[
                (theme::ACCENT, "file (quality the gate read)"),
                (theme::WARN, "quality_threshold"),
            ],
        );
        Plot::new("quality")
            .height(height - TITLE_H - LEGEND_H)
            .x_axis_label("file (finish order)")
            .include_y(0.0)
            .include_y(1.05)
            .allow_scroll(false)
            .show(ui, |p| {
                p.points(
                    Points::new("quality", PlotPoints::Borrowed(self.quality.points()))
                        .color(theme::ACCENT)
                        .radius(2.0),
                );
                p.hline(
                    HLine::new("quality_threshold", config.quality_threshold)
                        .color(theme::WARN)
                        .style(LineStyle::dashed_loose())
                        .width(1.5),
                );
            });
    }

    /// CPU and concurrency in one small plot, memory in MB in another:
    /// a CPU at 100 % no longer sits on the memory threshold's line.
    fn resources_ui(&self, ui: &mut Ui, height: f32, config: &WaveConfig) {
        ui.horizontal(|ui| {
            ui.label(RichText::new("Resources").strong());
            if let Some(c) = self.monitor.effective_concurrency {
                ui.label(RichText::new(format!("concurrency {c}")).small());
            }
        });
        let plot_h = ((height - TITLE_H - 2.0 * LEGEND_H) / 2.0 - 4.0).max(40.0);
        legend_ui(
            ui,
            &[
                (theme::ACCENT, "CPU %"),
                (CONCURRENCY, "concurrency (% of max)"),
                (theme::WARN, "cpu_threshold"),
            ],
        );
        let conc_max = (config.max_parallel_items_per_stage.max(1)) as f64;
        let conc: Vec<PlotPoint> = self
            .concurrency
            .points()
            .iter()
            .map(|p| PlotPoint::new(p.x, p.y * 100.0 / conc_max))
            .collect();
        // Before any sample the x axis would span −1000…1000 s.
        let last_t = self.cpu.points().last().map_or(0.0, |p| p.x);
        Plot::new("resources_cpu")
            .height(plot_h)
            .include_x(0.0)
            .include_x(last_t.max(10.0))
            .include_y(0.0)
            .include_y(105.0)
            .allow_scroll(false)
            .link_axis("resources", [true, false])
            .show(ui, |p| {
                p.line(
                    Line::new("CPU %", PlotPoints::Borrowed(self.cpu.points()))
                        .color(theme::ACCENT),
                );
                p.line(
                    Line::new("concurrency (% of max)", PlotPoints::Owned(conc))
                        .color(CONCURRENCY)
                        .style(LineStyle::dashed_dense()),
                );
                p.hline(
                    HLine::new("cpu_threshold_percent", config.cpu_threshold_percent)
                        .color(theme::WARN)
                        .style(LineStyle::dashed_loose())
                        .width(1.5),
                );
            });
        legend_ui(
            ui,
            &[(theme::OK, "RSS MB"), (theme::ERROR, "memory_threshold_mb")],
        );
        Plot::new("resources_memory")
            .height(plot_h)
            .x_axis_label("s")
            .include_x(0.0)
            .include_x(last_t.max(10.0))
            .include_y(0.0)
            .include_y(config.memory_threshold_mb * 1.1)
            .allow_scroll(false)
            .link_axis("resources", [true, false])
            .show(ui, |p| {
                p.line(
                    Line::new("RSS MB", PlotPoints::Borrowed(self.rss.points())).color(theme::OK),
                );
                p.hline(
                    HLine::new("memory_threshold_mb", config.memory_threshold_mb)
                        .color(theme::ERROR)
                        .style(LineStyle::dashed_loose())
                        .width(1.5),
                );
            });
    }
}
