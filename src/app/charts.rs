//! Live run data (per-node counts and timings, quality per file, resource
//! samples) in bounded series, and the charts that draw them.

use std::collections::BTreeMap;
use std::time::Duration;

use egui::{Color32, RichText, Ui};
use egui_plot::{
    Bar, BarChart, HLine, Legend, Line, LineStyle, Plot, PlotPoint, PlotPoints, Points,
};

use super::theme;
use crate::orchestrator::{AttemptOutcome, Histogram, WaveConfig, WaveEvent, WaveStage};

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

/// Live counts of one node.
#[derive(Debug, Clone)]
pub struct NodeLive {
    pub kind: WaveStage,
    pub running: u64,
    pub done: u64,
    pub failed: u64,
    pub skipped: u64,
    pub durations: Histogram,
    time_sum: f64,
    quality_sum: f64,
    quality_n: u64,
}

impl NodeLive {
    fn new(kind: WaveStage) -> Self {
        Self {
            kind,
            running: 0,
            done: 0,
            failed: 0,
            skipped: 0,
            durations: Histogram::default(),
            time_sum: 0.0,
            quality_sum: 0.0,
            quality_n: 0,
        }
    }

    /// Mean attempt time in seconds.
    pub fn mean_s(&self) -> Option<f64> {
        let n = self.durations.len();
        (n > 0).then(|| self.time_sum / n as f64)
    }

    /// p95 attempt time in seconds.
    pub fn p95_s(&self) -> Option<f64> {
        (!self.durations.is_empty()).then(|| self.durations.quantile(0.95).as_secs_f64())
    }

    /// Mean reported quality.
    pub fn mean_quality(&self) -> Option<f64> {
        (self.quality_n > 0).then(|| self.quality_sum / self.quality_n as f64)
    }
}

/// Everything the charts and the node bodies show about a run.
#[derive(Debug, Clone, Default)]
pub struct LiveStats {
    pub nodes: BTreeMap<String, NodeLive>,
    pub quality: Series,
    pub cpu: Series,
    pub rss: Series,
    pub concurrency: Series,
    pub waves_finished: u64,
    pub effective_concurrency: Option<usize>,
}

impl LiveStats {
    /// Folds one event in; `t` is seconds since the run started.
    pub fn ingest(&mut self, event: &WaveEvent, t: f64) {
        match event {
            WaveEvent::StageStarted { node, kind, .. } => {
                self.node(node, *kind).running += 1;
            }
            WaveEvent::StageFinished {
                node,
                kind,
                duration,
                quality,
                outcome,
                ..
            } => {
                let live = self.node(node, *kind);
                live.running = live.running.saturating_sub(1);
                match outcome {
                    AttemptOutcome::Success => live.done += 1,
                    AttemptOutcome::Cancelled => {}
                    _ => live.failed += 1,
                }
                live.durations.record(*duration);
                live.time_sum += duration.as_secs_f64();
                if let Some(q) = quality {
                    live.quality_sum += q;
                    live.quality_n += 1;
                }
            }
            WaveEvent::StageSkipped { node, .. } => {
                if let Some(live) = self.nodes.get_mut(node.as_str()) {
                    live.skipped += 1;
                } else {
                    // Kind unknown until it runs; the graph looks it up by id.
                    let mut live = NodeLive::new(WaveStage::Preparation);
                    live.skipped = 1;
                    self.nodes.insert(node.to_string(), live);
                }
            }
            WaveEvent::WaveFinished { quality, .. } => {
                self.waves_finished += 1;
                if let Some(q) = quality {
                    self.quality.push(self.waves_finished as f64, *q);
                }
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
                self.effective_concurrency = Some(*effective_concurrency);
            }
            _ => {}
        }
    }

    fn node(&mut self, id: &str, kind: WaveStage) -> &mut NodeLive {
        let live = self
            .nodes
            .entry(id.to_string())
            .or_insert_with(|| NodeLive::new(kind));
        live.kind = kind;
        live
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
            let Some(live) = self.nodes.get(id) else {
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
            if let Some(c) = self.effective_concurrency {
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
