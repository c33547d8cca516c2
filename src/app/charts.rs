//! Live run data (per-node counts and timings, quality per file, resource
//! samples) in bounded series, and the charts that draw them.

use std::time::Duration;

use egui::{Color32, RichText, Ui};
use egui_plot::{
    Bar, BarChart, HLine, Legend, Line, LineStyle, Plot, PlotPoint, PlotPoints, Points,
};

use super::theme;
use crate::orchestrator::{WaveConfig, WaveEvent, WaveStage};
use crate::pipeline::RunMonitor;

/// Points a series keeps at most; beyond it, every other point is dropped
/// and the series keeps one point in twice as many from then on.
pub const SERIES_CAP: usize = 1024;

/// A series of points with bounded memory: decimated by halving.
#[derive(Debug, Clone, Default)]
pub struct Series {
    points: Vec<PlotPoint>,
    stride: usize,
    seen: usize,
}

impl Series {
    /// Offers a point; keeps one in `stride`.
    pub fn push(&mut self, x: f64, y: f64) {
        let stride = self.stride.max(1);
        if self.seen.is_multiple_of(stride) {
            self.points.push(PlotPoint::new(x, y));
            if self.points.len() >= SERIES_CAP {
                let mut i = 0;
                self.points.retain(|_| {
                    i += 1;
                    i % 2 == 1
                });
                self.stride = stride * 2;
            }
        }
        self.seen += 1;
    }

    /// The kept points.
    pub fn points(&self) -> &[PlotPoint] {
        &self.points
    }

    /// The last value.
    pub fn last(&self) -> Option<f64> {
        self.points.last().map(|p| p.y)
    }
}

/// What the charts and the node bodies show about a run: the shared
/// [`RunMonitor`] figures plus the app's bounded chart series.
#[derive(Debug, Clone, Default)]
pub struct LiveStats {
    /// Per-node counts, per-file progress and the engine's statistics.
    pub monitor: RunMonitor,
    /// Quality per finished file, in finish order.
    pub quality: Series,
    /// CPU percent over time.
    pub cpu: Series,
    /// Resident memory (MB) over time.
    pub rss: Series,
    /// Effective per-stage concurrency over time.
    pub concurrency: Series,
}

impl LiveStats {
    /// Folds one event in; `t` is seconds since the run started.
    pub fn ingest(&mut self, event: &WaveEvent, t: f64) {
        self.monitor.ingest(event);
        match event {
            WaveEvent::WaveFinished {
                quality: Some(q), ..
            } => {
                self.quality.push(self.monitor.waves_finished as f64, *q);
            }
            WaveEvent::ResourceSample {
                cpu_percent,
                rss_mb,
                effective_concurrency,
                ..
            } => {
                self.cpu.push(t, *cpu_percent);
                self.rss.push(t, *rss_mb);
                self.concurrency.push(t, *effective_concurrency as f64);
            }
            _ => {}
        }
    }

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

    fn timing_ui(&self, ui: &mut Ui, height: f32, nodes: &[(String, WaveStage)]) {
        ui.label(RichText::new("Stage time per node (bar: mean, dot: p95)").strong());
        let names: Vec<String> = nodes.iter().map(|(id, _)| id.clone()).collect();
        let mut bars = Vec::new();
        let mut p95 = Vec::new();
        for (i, (id, kind)) in nodes.iter().enumerate() {
            let Some(live) = self.monitor.nodes.get(id.as_str()) else {
                continue;
            };
            let Some(mean) = live.mean_s() else { continue };
            let color = theme::stage_color(*kind);
            bars.push(
                Bar::new(i as f64, mean * 1000.0)
                    .name(id)
                    .fill(color.gamma_multiply(0.85))
                    .width(0.7),
            );
            if let Some(p) = live.p95_s() {
                p95.push([i as f64, p * 1000.0]);
            }
        }
        Plot::new("stage_timing")
            .height(height - 24.0)
            .legend(Legend::default().text_style(egui::TextStyle::Small))
            .x_axis_label("stage node")
            .y_axis_label("ms")
            .include_y(0.0)
            .include_y(1.0)
            .allow_scroll(false)
            .x_axis_formatter(move |mark, _| {
                let i = mark.value.round();
                if (mark.value - i).abs() > 1e-6 || i < 0.0 {
                    return String::new();
                }
                names.get(i as usize).cloned().unwrap_or_default()
            })
            .show(ui, |p| {
                p.bar_chart(BarChart::new("mean", bars).color(theme::ACCENT));
                p.points(
                    Points::new("p95", PlotPoints::from(p95))
                        .color(Color32::WHITE)
                        .radius(3.0),
                );
            });
    }

    fn quality_ui(&self, ui: &mut Ui, height: f32, config: &WaveConfig) {
        ui.label(RichText::new("Quality per file").strong());
        Plot::new("quality")
            .height(height - 24.0)
            .legend(Legend::default().text_style(egui::TextStyle::Small))
            .x_axis_label("file (finish order)")
            .y_axis_label("quality")
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

    fn resources_ui(&self, ui: &mut Ui, height: f32, config: &WaveConfig) {
        ui.horizontal(|ui| {
            ui.label(RichText::new("Resources").strong());
            if let Some(c) = self.monitor.effective_concurrency {
                ui.label(RichText::new(format!("concurrency {c}")).small());
            }
        });
        let rss_scale = 100.0 / config.memory_threshold_mb.max(1.0);
        let rss: Vec<PlotPoint> = self
            .rss
            .points()
            .iter()
            .map(|p| PlotPoint::new(p.x, p.y * rss_scale))
            .collect();
        let conc_max = (config.max_parallel_items_per_stage.max(1)) as f64;
        let conc: Vec<PlotPoint> = self
            .concurrency
            .points()
            .iter()
            .map(|p| PlotPoint::new(p.x, p.y * 100.0 / conc_max))
            .collect();
        Plot::new("resources")
            .height(height - 24.0)
            .legend(Legend::default().text_style(egui::TextStyle::Small))
            .x_axis_label("s")
            .y_axis_label("% (RSS: of threshold)")
            .include_y(0.0)
            .include_y(110.0)
            .allow_scroll(false)
            .show(ui, |p| {
                p.line(
                    Line::new("CPU %", PlotPoints::Borrowed(self.cpu.points()))
                        .color(theme::ACCENT),
                );
                p.line(
                    Line::new("RSS MB (% of threshold)", PlotPoints::Owned(rss)).color(theme::OK),
                );
                p.line(
                    Line::new("concurrency (% of max)", PlotPoints::Owned(conc))
                        .color(Color32::from_rgb(200, 160, 255)),
                );
                p.hline(
                    HLine::new("cpu_threshold_percent", config.cpu_threshold_percent)
                        .color(theme::WARN)
                        .style(LineStyle::dashed_loose())
                        .width(1.5),
                );
                p.hline(
                    HLine::new("memory_threshold_mb", 100.0)
                        .color(theme::ERROR)
                        .style(LineStyle::dashed_loose())
                        .width(1.5),
                );
            });
    }
}

/// Mean seconds as text.
pub fn fmt_secs(s: f64) -> String {
    let d = Duration::from_secs_f64(s.max(0.0));
    if d.as_secs_f64() >= 1.0 {
        format!("{:.2} s", d.as_secs_f64())
    } else {
        format!("{:.1} ms", d.as_secs_f64() * 1000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_stay_bounded() {
        let mut s = Series::default();
        for i in 0..100_000 {
            s.push(f64::from(i), 1.0);
        }
        assert!(s.points().len() < SERIES_CAP);
        assert!(s.points().len() > SERIES_CAP / 4);
        let last = s.points().last().unwrap().x;
        assert!(last > 90_000.0, "recent points kept: {last}");
    }
}
