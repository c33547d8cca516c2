//! Carrying one wave through a plan: the bookkeeping as its nodes finish
//! (what is ready, what is skipped and why, what each node may see, the
//! final `WaveContext`) and the run loop that starts ready nodes, so
//! independent nodes run at the same time.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::attempt::{NodeOutcome, NodeRun};
use super::context::{NodeState, StageMetrics, WaveContext, WaveError};
use super::events::WaveEvent;
use super::handler::{ErrorKind, PriorResults, StageOutput};
use super::ids::NodeId;
use super::outcome::{SkipReason, WaveStatus};
use super::wave::Wave;

/// Per-node state of one wave, indexed like `plan.nodes`.
pub(crate) struct Scheduler<'w> {
    wave: &'w Wave,
    start: Instant,
    started_unix_ms: u64,
    /// Cancelled by the wave's own failure (partial results off) as well.
    run_token: CancellationToken,
    /// Dependencies not yet finished or skipped.
    pending: Vec<usize>,
    /// A dependency ran (not skipped), so the inter-stage delay applies.
    after_run: Vec<bool>,
    failed_upstream: Vec<Option<NodeId>>,
    metrics: Vec<Option<StageMetrics>>,
    outputs: Vec<Option<Arc<StageOutput>>>,
    /// Completed nodes, in completion order.
    completion: Vec<usize>,
    skipped: Vec<(NodeId, SkipReason)>,
    failed: Vec<NodeId>,
    errors: Vec<WaveError>,
    wave_failed: bool,
    /// Nodes whose dependencies are all done, popped from the end.
    ready: Vec<usize>,
    /// The lowest quality the gate read for a refinement (see
    /// `gate_input`), whether or not it skipped it.
    gate_quality: Option<f64>,
}

impl<'w> Scheduler<'w> {
    pub(crate) fn new(wave: &'w Wave) -> Self {
        let nodes = &wave.plan.nodes;
        let n = nodes.len();
        let started_unix_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
            .unwrap_or(0);
        Self {
            wave,
            start: Instant::now(),
            started_unix_ms,
            run_token: wave.cancel.child_token(),
            pending: nodes.iter().map(|node| node.deps.len()).collect(),
            after_run: vec![false; n],
            failed_upstream: vec![None; n],
            metrics: vec![None; n],
            outputs: vec![None; n],
            completion: Vec::with_capacity(n),
            skipped: Vec::new(),
            failed: Vec::new(),
            errors: Vec::new(),
            wave_failed: false,
            ready: wave.plan.roots.iter().rev().copied().collect(),
            gate_quality: None,
        }
    }

    /// The next ready node to run: ready nodes that must be skipped are
    /// skipped on the way.
    pub(crate) fn next_to_run(&mut self) -> Option<NodeRun> {
        while let Some(i) = self.ready.pop() {
            if self.wave.plan.nodes[i].refinement
                && let Some((_, q)) = self.gate_input(i)
            {
                self.gate_quality = Some(self.gate_quality.map_or(q, |g| g.min(q)));
            }
            match self.skip_reason(i) {
                Some(reason) => self.skip(i, reason),
                None => return Some(self.node_run(i)),
            }
        }
        None
    }

    fn skip_reason(&self, i: usize) -> Option<SkipReason> {
        let node = &self.wave.plan.nodes[i];
        if self.wave_failed {
            Some(SkipReason::WaveFailed)
        } else if self.wave.cancel.is_cancelled() {
            Some(SkipReason::Cancelled)
        } else if let Some(src) = &self.failed_upstream[i] {
            Some(SkipReason::DependencyFailed { node: src.clone() })
        } else if !self
            .wave
            .plan
            .config_or(&self.wave.shared.config)
            .is_enabled(node.kind)
        {
            Some(SkipReason::Disabled)
        } else if let Some((by, quality)) = node.refinement.then(|| self.gate(i)).flatten() {
            Some(SkipReason::Quality { node: by, quality })
        } else {
            None
        }
    }

    /// The quality that gates refinement `i`, when it reaches the
    /// threshold (see `gate_input`), with the node that reported it;
    /// `None` when early termination is off, nothing upstream reported a
    /// quality, or the lowest is below the threshold.
    fn gate(&self, i: usize) -> Option<(NodeId, f64)> {
        let config = self.wave.plan.config_or(&self.wave.shared.config);
        if !config.early_termination_on_quality {
            return None;
        }
        let (d, q) = self.gate_input(i)?;
        (q >= config.quality_threshold).then(|| (self.wave.plan.nodes[d].id.clone(), q))
    }

    /// The quality of the estimates refinement `i` refines, and the node
    /// that reported it. Each dependency that reported a quality counts
    /// with it; one that reported none (or was skipped) stands for its own
    /// dependencies, and so on up. The lowest counts. A confident node
    /// beside the chain (not upstream of `i`) never counts.
    fn gate_input(&self, i: usize) -> Option<(usize, f64)> {
        let nodes = &self.wave.plan.nodes;
        let mut lowest: Option<(usize, f64)> = None;
        let mut seen = vec![false; nodes.len()];
        let mut stack: Vec<usize> = nodes[i].deps.clone();
        while let Some(d) = stack.pop() {
            if std::mem::replace(&mut seen[d], true) {
                continue;
            }
            match self.outputs[d].as_ref().and_then(|o| o.quality) {
                Some(q) if lowest.is_none_or(|(_, l)| q < l) => lowest = Some((d, q)),
                Some(_) => {}
                None => stack.extend(&nodes[d].deps),
            }
        }
        lowest
    }

    fn skip(&mut self, i: usize, reason: SkipReason) {
        let node = &self.wave.plan.nodes[i];
        self.wave.shared.events.emit(|| WaveEvent::StageSkipped {
            wave: self.wave.id,
            key: self.wave.input.key,
            node: node.id.clone(),
            reason: reason.clone(),
        });
        let upstream = match &reason {
            SkipReason::DependencyFailed { node } => Some(node.clone()),
            _ => None,
        };
        self.skipped.push((node.id.clone(), reason.clone()));
        self.metrics[i] = Some(StageMetrics::new(
            node.id.clone(),
            node.kind,
            NodeState::Skipped(reason),
        ));
        self.release_dependents(i, upstream.as_ref(), false);
    }

    /// One dependency of each dependent of `i` is done: they learn of a
    /// failure upstream and whether it ran, and become ready at zero.
    fn release_dependents(&mut self, i: usize, failed_upstream: Option<&NodeId>, ran: bool) {
        let nodes = &self.wave.plan.nodes;
        for &d in &nodes[i].dependents {
            if let Some(src) = failed_upstream {
                self.failed_upstream[d].get_or_insert_with(|| src.clone());
            }
            self.after_run[d] |= ran;
            self.pending[d] -= 1;
            if self.pending[d] == 0 {
                self.ready.push(d);
            }
        }
    }

    fn node_run(&self, i: usize) -> NodeRun {
        let wave = self.wave;
        let nodes = &wave.plan.nodes;
        let progressive = wave.plan.config_or(&wave.shared.config).progressive_mode;
        // In completion order either way, so a later estimate (a
        // refinement) always comes after the one it refines.
        let mut prior = PriorResults::default();
        for &j in &self.completion {
            if (progressive || nodes[i].deps.contains(&j))
                && let Some(out) = &self.outputs[j]
            {
                prior.push(nodes[j].id.clone(), nodes[j].kind, out.clone());
            }
        }
        NodeRun {
            shared: wave.shared.clone(),
            plan: wave.plan.clone(),
            index: i,
            wave: wave.id,
            input: wave.input.clone(),
            prior,
            cancel: self.run_token.clone(),
            after_run: self.after_run[i],
            wave_start: self.start,
        }
    }

    /// Records how node `i` ended and releases its dependents.
    pub(crate) fn finish(&mut self, i: usize, outcome: NodeOutcome) {
        let wave = self.wave;
        let config = wave.plan.config_or(&wave.shared.config);
        let node = &wave.plan.nodes[i];
        let ran = !outcome.metrics.attempts.is_empty();
        self.metrics[i] = Some(outcome.metrics);
        let mut failed_upstream = None;
        match outcome.result {
            Ok(out) => {
                if let Some(batch) = &wave.batch {
                    batch.record(i, &node.id, true);
                }
                self.outputs[i] = Some(out);
                self.completion.push(i);
            }
            Err(e) if e.kind == ErrorKind::Cancelled => {}
            Err(e) => {
                if let Some(batch) = &wave.batch {
                    batch.record(i, &node.id, false);
                }
                self.failed.push(node.id.clone());
                self.errors.push(WaveError {
                    node: node.id.clone(),
                    kind: e.kind,
                    message: e.message,
                });
                if config.allow_partial_results {
                    failed_upstream = Some(node.id.clone());
                } else if !self.wave_failed {
                    self.wave_failed = true;
                    self.run_token.cancel();
                }
            }
        }
        self.release_dependents(i, failed_upstream.as_ref(), ran);
    }

    fn status(&self, metrics: &[StageMetrics]) -> WaveStatus {
        let was_cancelled = metrics.iter().any(|m| {
            matches!(
                m.state,
                NodeState::Cancelled | NodeState::Skipped(SkipReason::Cancelled)
            )
        });
        if self.wave_failed || (!self.failed.is_empty() && self.completion.is_empty()) {
            // Nothing to show for it: a failure, whatever the policy.
            WaveStatus::Failed
        } else if was_cancelled {
            WaveStatus::Cancelled
        } else if !self.failed.is_empty() {
            WaveStatus::PartiallyCompleted
        } else {
            WaveStatus::Completed
        }
    }

    /// The wave's context, once no node is running or ready.
    pub(crate) fn into_context(mut self) -> WaveContext {
        let nodes = &self.wave.plan.nodes;
        let metrics: Vec<StageMetrics> = std::mem::take(&mut self.metrics)
            .into_iter()
            .zip(nodes.iter())
            .map(|(m, node)| {
                // Unreachable for a valid plan: every node is started or skipped.
                m.unwrap_or_else(|| {
                    StageMetrics::new(node.id.clone(), node.kind, NodeState::Cancelled)
                })
            })
            .collect();
        let status = self.status(&metrics);
        let results = self
            .completion
            .iter()
            .filter_map(|&i| self.outputs[i].clone().map(|o| (nodes[i].id.clone(), o)))
            .collect();
        WaveContext {
            id: self.wave.id,
            key: self.wave.input.key,
            input: self.wave.input.clone(),
            status,
            completed: self
                .completion
                .iter()
                .map(|&i| nodes[i].id.clone())
                .collect(),
            failed: self.failed,
            skipped: self.skipped,
            results,
            metrics,
            errors: self.errors,
            started_unix_ms: self.started_unix_ms,
            duration: self.start.elapsed(),
            gate_quality: self.gate_quality,
        }
    }
}

impl Wave {
    pub(crate) async fn run(self) -> WaveContext {
        let shared = self.shared.clone();
        shared.stats.wave_started();
        shared.register_wave(self.id, self.input.key, self.cancel.clone());
        shared.ensure_governor();
        shared.events.emit(|| WaveEvent::WaveStarted {
            wave: self.id,
            key: self.input.key,
            batch: self.batch.as_ref().map(|b| b.id),
            label: Arc::from(self.input.label.as_str()),
        });
        let ctx = self.drive().await;
        shared.unregister_wave(ctx.id);
        shared.events.emit(|| WaveEvent::WaveFinished {
            wave: ctx.id,
            key: ctx.key,
            status: ctx.status,
            duration: ctx.duration,
            quality: ctx.quality(),
            gate_quality: ctx.gate_quality,
        });
        shared.stats.wave_finished(&ctx);
        ctx
    }

    /// Starts ready nodes, waits for any to finish, and repeats until
    /// none runs.
    async fn drive(&self) -> WaveContext {
        let mut schedule = Scheduler::new(self);
        let mut running = FuturesUnordered::new();
        loop {
            while let Some(run) = schedule.next_to_run() {
                let i = run.index;
                running.push(async move { (i, run.run().await) });
            }
            let Some((i, outcome)) = running.next().await else {
                break;
            };
            schedule.finish(i, outcome);
        }
        schedule.into_context()
    }
}
