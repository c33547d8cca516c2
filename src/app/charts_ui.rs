//! The live charts: stage time per node (log scale, every bar named),
//! quality per file against the threshold, and resources as two small
//! plots (CPU and concurrency; memory) so no series hides another. Each
//! legend is a row above its plot, never on top of the data.

use egui::{Align2, Color32, RichText, Ui};
use egui_plot::{Bar, BarChart, HLine, Line, LineStyle, Plot, PlotPoint, PlotPoints, Points, Text};

use super::charts::{LiveStats, fmt_secs};
use super::theme;
use crate::orchestrator::{WaveConfig, WaveStage};

/// Stage times at or below this many milliseconds sit at the time chart's
/// left edge (its log axis needs a floor).
const TIME_FLOOR_MS: f64 = 0.1;
/// Node names longer than this are cut in the time chart.
const NAME_CHARS: usize = 14;
/// A chart's title line and its legend row, in points.
const TITLE_H: f32 = 24.0;
const LEGEND_H: f32 = 18.0;
/// The legend's colour swatch.
const SWATCH: egui::Vec2 = egui::vec2(12.0, 8.0);
/// The concurrency line's colour.
const CONCURRENCY: Color32 = Color32::from_rgb(200, 160, 255);

/// `ms` on the time chart's log axis.
fn log_ms(ms: f64) -> f64 {
    ms.max(TIME_FLOOR_MS).log10()
}

/// A node id cut to `NAME_CHARS` characters ("tempo_refine" stays,
/// "a_very_long_node_id" becomes "a_very_long_n…").
fn abbreviate(id: &str) -> String {
    if id.chars().count() <= NAME_CHARS {
        return id.to_string();
    }
    let mut s: String = id.chars().take(NAME_CHARS - 1).collect();
    s.push('…');
    s
}

/// A legend row: a colour swatch and a name per series.
fn legend_row(ui: &mut Ui, entries: &[(Color32, &str)]) {
    ui.horizontal(|ui| {
        for (color, name) in entries {
            let (rect, _) = ui.allocate_exact_size(SWATCH, egui::Sense::hover());
            ui.painter().rect_filled(rect, 2.0, *color);
            ui.label(RichText::new(*name).small());
        }
    });
}

impl LiveStats {
    /// Draws the three charts side by side in `ui`.
    /// `nodes` are the document's nodes (id, kind), in document order.
    pub fn ui(&self, ui: &mut Ui, config: &WaveConfig, nodes: &[(String, WaveStage)]) {
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
        let floor = log_ms(TIME_FLOOR_MS);
        let rows = nodes.len().max(1);
        let mut bars = Vec::new();
        let mut p95 = Vec::new();
        let mut labels = Vec::new();
        let mut right = floor + 1.0;
        for (i, (id, kind)) in nodes.iter().enumerate() {
            let y = (rows - 1 - i) as f64;
            let live = self.monitor.nodes.get(id.as_str());
            let mean = live.and_then(|l| l.mean_s());
            let text = match mean {
                Some(m) => format!("{} {}", abbreviate(id), fmt_secs(m)),
                None => abbreviate(id),
            };
            labels.push((y, text));
            if let Some(m) = mean {
                let v = log_ms(m * 1000.0);
                right = right.max(v);
                let fill = theme::stage_color(*kind).gamma_multiply(0.6);
                bars.push(
                    Bar::new(y, v - floor)
                        .base_offset(floor)
                        .name(id)
                        .fill(fill)
                        .width(0.8),
                );
            }
            if let Some(p) = live.and_then(|l| l.p95_s()) {
                let v = log_ms(p * 1000.0);
                right = right.max(v);
                p95.push([v, y]);
            }
        }
        let plot_h = height - TITLE_H;
        // Names shrink with the rows so each stays on its bar.
        let text_size = (plot_h / rows as f32 * 0.6).clamp(8.0, 13.0);
        Plot::new("stage_timing")
            .height(plot_h)
            .show_axes([true, false])
            .show_grid([true, false])
            .include_x(floor)
            .include_x(right.ceil())
            .include_y(-0.5)
            .include_y(rows as f64 - 0.5)
            .allow_drag(false)
            .allow_zoom(false)
            .allow_scroll(false)
            .allow_boxed_zoom(false)
            .x_axis_formatter(|mark, _| {
                // Decades only: 0.1 ms, 1 ms, 10 ms, 100 ms, 1 s…
                let v = mark.value;
                if (v - v.round()).abs() > 1e-6 {
                    return String::new();
                }
                fmt_secs(10f64.powf(v) / 1000.0)
            })
            .show(ui, |p| {
                p.bar_chart(BarChart::new("mean", bars).horizontal());
                p.points(
                    Points::new("p95", PlotPoints::from(p95))
                        .color(Color32::WHITE)
                        .radius(3.0),
                );
                for (y, text) in labels {
                    let text = RichText::new(text).size(text_size).color(Color32::WHITE);
                    p.text(
                        Text::new("node", PlotPoint::new(floor, y), text)
                            .anchor(Align2::LEFT_CENTER),
                    );
                }
            });
    }

    fn quality_ui(&self, ui: &mut Ui, height: f32, config: &WaveConfig) {
        ui.label(RichText::new("Quality per file").strong())
            .on_hover_text(
                "A file's quality is the lowest confidence its stages reported (tempo, key). \
             The gate skips the refinement stages when the quick estimates' lowest \
             confidence reaches the threshold.",
            );
        legend_row(
            ui,
            &[
                (theme::ACCENT, "file (lowest confidence)"),
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
        legend_row(
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
        Plot::new("resources_cpu")
            .height(plot_h)
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
        legend_row(
            ui,
            &[(theme::OK, "RSS MB"), (theme::ERROR, "memory_threshold_mb")],
        );
        Plot::new("resources_memory")
            .height(plot_h)
            .x_axis_label("s")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_names_are_cut_and_times_have_a_floor() {
        assert_eq!(abbreviate("tempo_refine"), "tempo_refine");
        let cut = abbreviate("a_very_long_node_id");
        assert_eq!(cut.chars().count(), NAME_CHARS);
        assert!(cut.ends_with('…'));
        assert_eq!(log_ms(0.0), log_ms(TIME_FLOOR_MS));
        assert!((log_ms(1000.0) - 3.0).abs() < 1e-12);
    }
}
