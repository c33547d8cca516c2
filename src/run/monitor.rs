//! `RunMonitor`: a run's events folded into live per-node figures, per-file
//! progress (by caller key) and the engine's latest statistics. The app and
//! the CLI both read it; it draws nothing.

use std::collections::{BTreeMap, HashMap};

use crate::orchestrator::{
    AttemptOutcome, Histogram, NodeId, Statistics, WaveEvent, WaveKey, WaveStage,
};

/// Live counts of one node.
#[derive(Debug, Clone)]
pub struct NodeLive {
    /// The node's stage kind (as last seen running).
    pub kind: WaveStage,
    /// Attempts running now.
    pub running: u64,
    /// Attempts that succeeded by running the node's work.
    pub done: u64,
    /// Attempts that succeeded with an output taken from a store (not in
    /// `done`, and not timed).
    pub cached: u64,
    /// Attempts that failed or timed out (cancelled ones are not counted).
    pub failed: u64,
    /// Waves that skipped the node.
    pub skipped: u64,
    /// Why the node was last skipped, e.g. "`confidence` reached quality
    /// 0.960" (early termination names the node whose quality decided).
    pub last_skip: Option<String>,
    /// Every finished attempt's duration, cached ones excepted.
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
            cached: 0,
            failed: 0,
            skipped: 0,
            last_skip: None,
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

/// Where one running wave is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WaveProgress {
    /// The node that started last.
    pub node: Option<NodeId>,
    /// Nodes finished with success or skipped.
    pub steps: usize,
}

/// A run's live figures, folded from its events.
#[derive(Debug, Clone, Default)]
pub struct RunMonitor {
    /// Per node, by id.
    pub nodes: BTreeMap<NodeId, NodeLive>,
    /// Waves running now, by caller key.
    pub waves: HashMap<WaveKey, WaveProgress>,
    /// Waves finished.
    pub waves_finished: u64,
    /// The governor's per-stage concurrency, as last sampled.
    pub effective_concurrency: Option<usize>,
    /// The engine's statistics, as last sent.
    pub statistics: Option<Statistics>,
}

impl RunMonitor {
    /// Folds one event in.
    pub fn ingest(&mut self, event: &WaveEvent) {
        match event {
            WaveEvent::WaveStarted { key, .. } => {
                self.waves.insert(*key, WaveProgress::default());
            }
            WaveEvent::StageStarted {
                key, node, kind, ..
            } => {
                self.node(node, *kind).running += 1;
                if let Some(w) = self.waves.get_mut(key) {
                    w.node = Some(node.clone());
                }
            }
            WaveEvent::StageFinished {
                key,
                node,
                kind,
                duration,
                quality,
                outcome,
                cached,
                ..
            } => {
                let live = self.node(node, *kind);
                live.running = live.running.saturating_sub(1);
                match outcome {
                    AttemptOutcome::Success if *cached => live.cached += 1,
                    AttemptOutcome::Success => live.done += 1,
                    AttemptOutcome::Cancelled => {}
                    _ => live.failed += 1,
                }
                // Stage times show the cost of real work.
                if !*cached {
                    live.durations.record(*duration);
                    live.time_sum += duration.as_secs_f64();
                }
                if let Some(q) = quality {
                    live.quality_sum += q;
                    live.quality_n += 1;
                }
                if *outcome == AttemptOutcome::Success {
                    self.step(*key);
                }
            }
            WaveEvent::StageSkipped {
                key, node, reason, ..
            } => {
                self.skipped(node, reason.to_string());
                self.step(*key);
            }
            WaveEvent::WaveFinished { key, .. } => {
                self.waves_finished += 1;
                self.waves.remove(key);
            }
            WaveEvent::ResourceSample {
                effective_concurrency,
                ..
            } => self.effective_concurrency = Some(*effective_concurrency),
            WaveEvent::Statistics(stats) => self.statistics = Some((**stats).clone()),
            _ => {}
        }
    }

    /// Attempts running now per node, busy nodes only, by id.
    pub fn running(&self) -> impl Iterator<Item = (&str, u64)> {
        self.nodes
            .iter()
            .filter(|(_, n)| n.running > 0)
            .map(|(id, n)| (id.as_str(), n.running))
    }

    // Keyed by `NodeId` so an event costs a reference count, not a String.
    fn node(&mut self, id: &NodeId, kind: WaveStage) -> &mut NodeLive {
        let live = self
            .nodes
            .entry(id.clone())
            .or_insert_with(|| NodeLive::new(kind));
        live.kind = kind;
        live
    }

    fn skipped(&mut self, node: &NodeId, why: String) {
        let live = self.nodes.entry(node.clone()).or_insert_with(|| {
            // Kind unknown until it runs; the graph looks it up by id.
            NodeLive::new(WaveStage::Preparation)
        });
        live.skipped += 1;
        live.last_skip = Some(why);
    }

    fn step(&mut self, key: WaveKey) {
        if let Some(w) = self.waves.get_mut(&key) {
            w.steps += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use super::*;
    use crate::orchestrator::{SkipReason, WaveId, WaveStatus};

    fn started(key: u64, node: &str) -> WaveEvent {
        WaveEvent::StageStarted {
            wave: WaveId(key),
            key: WaveKey(key),
            node: node.into(),
            kind: WaveStage::DeepAnalysis,
            attempt: 1,
        }
    }

    fn finished(key: u64, node: &str, ms: u64, outcome: AttemptOutcome) -> WaveEvent {
        WaveEvent::StageFinished {
            wave: WaveId(key),
            key: WaveKey(key),
            node: node.into(),
            kind: WaveStage::DeepAnalysis,
            attempt: 1,
            duration: Duration::from_millis(ms),
            cpu_time: None,
            quality: (outcome == AttemptOutcome::Success).then_some(0.8),
            outcome,
            error: None,
            cached: false,
        }
    }

    #[test]
    fn events_fold_into_node_counts_file_progress_and_statistics() {
        let mut m = RunMonitor::default();
        for key in [7, 9] {
            m.ingest(&WaveEvent::WaveStarted {
                wave: WaveId(key),
                key: WaveKey(key),
                batch: None,
                label: Arc::from("x.wav"),
            });
            m.ingest(&started(key, "tempo"));
        }
        assert_eq!(m.running().collect::<Vec<_>>(), vec![("tempo", 2)]);
        assert_eq!(
            m.waves[&WaveKey(7)].node.as_ref().map(NodeId::as_str),
            Some("tempo")
        );
        m.ingest(&finished(7, "tempo", 10, AttemptOutcome::Success));
        m.ingest(&finished(9, "tempo", 30, AttemptOutcome::Timeout));
        m.ingest(&WaveEvent::StageSkipped {
            wave: WaveId(7),
            key: WaveKey(7),
            node: "key_refine".into(),
            reason: SkipReason::Disabled,
        });
        let tempo = &m.nodes["tempo"];
        assert_eq!((tempo.running, tempo.done, tempo.failed), (0, 1, 1));
        assert!((tempo.mean_s().unwrap() - 0.02).abs() < 1e-9);
        assert!((tempo.mean_quality().unwrap() - 0.8).abs() < 1e-9);
        assert_eq!(m.nodes["key_refine"].skipped, 1);
        assert_eq!(
            m.nodes["key_refine"].last_skip.as_deref(),
            Some("stage kind disabled"),
            "the reason is kept for the node's hover"
        );
        assert_eq!(m.waves[&WaveKey(7)].steps, 2, "a success and a skip");
        assert_eq!(m.waves[&WaveKey(9)].steps, 0, "a timeout is no step");
        m.ingest(&started(9, "tempo"));
        let mut from_store = finished(9, "tempo", 500, AttemptOutcome::Success);
        if let WaveEvent::StageFinished { cached, .. } = &mut from_store {
            *cached = true;
        }
        m.ingest(&from_store);
        let tempo = &m.nodes["tempo"];
        assert_eq!((tempo.done, tempo.cached, tempo.running), (1, 1, 0));
        assert_eq!(tempo.durations.len(), 2, "the cached attempt is not timed");
        assert!((tempo.mean_s().unwrap() - 0.02).abs() < 1e-9);
        assert_eq!(m.waves[&WaveKey(9)].steps, 1, "a cached success is a step");
        m.ingest(&WaveEvent::WaveFinished {
            wave: WaveId(7),
            key: WaveKey(7),
            status: WaveStatus::Completed,
            duration: Duration::from_millis(50),
            quality: Some(0.7),
            gate_quality: Some(0.7),
        });
        assert!(!m.waves.contains_key(&WaveKey(7)), "finished waves leave");
        assert_eq!(m.waves_finished, 1);
        assert!(m.running().next().is_none());
        let stats = Statistics {
            total_waves: 2,
            ..Statistics::default()
        };
        m.ingest(&WaveEvent::Statistics(Box::new(stats.clone())));
        assert_eq!(m.statistics, Some(stats));
    }
}
