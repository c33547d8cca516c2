//! Live run data (per-node counts and timings, quality per file, resource
//! samples) in bounded series; the charts that draw them are in
//! `charts_ui.rs`.

use std::time::Duration;

use egui_plot::PlotPoint;

use crate::orchestrator::{WaveConfig, WaveEvent};
use crate::run::RunMonitor;

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
    /// The configuration the run was started with: its thresholds and
    /// limits are what the charts are drawn against, whatever the document
    /// says after an edit. `None` before any run.
    pub config: Option<WaveConfig>,
}

impl LiveStats {
    /// Empty figures of a run started with `config`.
    pub fn for_run(config: WaveConfig) -> Self {
        Self {
            config: Some(config),
            ..Self::default()
        }
    }

    /// Folds one event in; `t` is seconds since the run started.
    pub fn ingest(&mut self, event: &WaveEvent, t: f64) {
        self.monitor.ingest(event);
        match event {
            // What the gate read where a refinement was reached; the
            // wave's lowest quality otherwise (a pipeline without one).
            WaveEvent::WaveFinished {
                quality,
                gate_quality,
                ..
            } => {
                if let Some(q) = gate_quality.or(*quality) {
                    self.quality.push(self.monitor.waves_finished as f64, q);
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
            }
            _ => {}
        }
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
