//! Carrying one wave through a plan: nodes start when their dependencies
//! are done, independent nodes run at the same time, and failures, quality
//! and cancellation decide what is skipped.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::attempt::NodeRun;
use super::batch::BatchState;
use super::context::{NodeState, SkipReason, StageMetrics, WaveContext, WaveError, WaveStatus};
use super::engine::Shared;
use super::events::WaveEvent;
use super::handler::{ErrorKind, PriorResults, StageOutput, WaveInput};
use super::ids::{NodeId, WaveId};
use super::plan::Plan;

/// One wave, ready to run.
pub(crate) struct Wave {
    pub shared: Arc<Shared>,
    pub plan: Plan,
    pub batch: Option<Arc<BatchState>>,
    pub id: WaveId,
    pub input: Arc<WaveInput>,
    /// Cancelled by `cancel(wave)`, the batch or the orchestrator.
    pub cancel: CancellationToken,
}

impl Wave {
    pub(crate) async fn run(self) -> WaveContext {
        let shared = self.shared.clone();
        shared.stats.wave_started();
        shared.register_wave(self.id, self.cancel.clone());
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
        });
        shared.stats.wave_finished(&ctx);
        ctx
    }

    async fn drive(self) -> WaveContext {
        let start = Instant::now();
        let started_unix_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
            .unwrap_or(0);
        let config = &self.shared.config;
        let nodes = &self.plan.nodes;
        let n = nodes.len();
        // Cancelled by the wave's own failure (partial results off) as well.
        let run_token = self.cancel.child_token();

        let mut pending: Vec<usize> = nodes.iter().map(|node| node.deps.len()).collect();
        let mut after_run = vec![false; n];
        let mut failed_upstream: Vec<Option<NodeId>> = vec![None; n];
        let mut metrics: Vec<Option<StageMetrics>> = vec![None; n];
        let mut outputs: Vec<Option<Arc<StageOutput>>> = vec![None; n];
        let mut completion: Vec<usize> = Vec::with_capacity(n);
        let mut skipped = Vec::new();
        let mut failed = Vec::new();
        let mut errors = Vec::new();
        let mut quality_hit: Option<(NodeId, f64)> = None;
        let mut wave_failed = false;
        let mut ready: Vec<usize> = self.plan.roots.iter().rev().copied().collect();
        let mut running = FuturesUnordered::new();

        loop {
            while let Some(i) = ready.pop() {
                let node = &nodes[i];
                let reason = if wave_failed {
                    Some(SkipReason::WaveFailed)
                } else if self.cancel.is_cancelled() {
                    Some(SkipReason::Cancelled)
                } else if let Some(src) = &failed_upstream[i] {
                    Some(SkipReason::DependencyFailed { node: src.clone() })
                } else if !config.is_enabled(node.kind) {
                    Some(SkipReason::Disabled)
                } else if let (true, Some((by, q))) = (node.refinement, &quality_hit) {
                    Some(SkipReason::Quality {
                        node: by.clone(),
                        quality: *q,
                    })
                } else {
                    None
                };
                if let Some(reason) = reason {
                    self.shared.events.emit(|| WaveEvent::StageSkipped {
                        wave: self.id,
                        key: self.input.key,
                        node: node.id.clone(),
                        reason: reason.clone(),
                    });
                    let upstream = match &reason {
                        SkipReason::DependencyFailed { node } => Some(node.clone()),
                        _ => None,
                    };
                    skipped.push((node.id.clone(), reason.clone()));
                    metrics[i] = Some(StageMetrics::new(
                        node.id.clone(),
                        node.kind,
                        NodeState::Skipped(reason),
                    ));
                    for &d in &node.dependents {
                        if let Some(src) = &upstream {
                            failed_upstream[d].get_or_insert_with(|| src.clone());
                        }
                        pending[d] -= 1;
                        if pending[d] == 0 {
                            ready.push(d);
                        }
                    }
                    continue;
                }
                // In completion order either way, so a later estimate (a
                // refinement) always comes after the one it refines.
                let mut prior = PriorResults::default();
                for &j in &completion {
                    if (config.progressive_mode || node.deps.contains(&j))
                        && let Some(out) = &outputs[j]
                    {
                        prior.push(nodes[j].id.clone(), nodes[j].kind, out.clone());
                    }
                }
                let run = NodeRun {
                    shared: self.shared.clone(),
                    plan: self.plan.clone(),
                    index: i,
                    wave: self.id,
                    input: self.input.clone(),
                    prior,
                    cancel: run_token.clone(),
                    after_run: after_run[i],
                    wave_start: start,
                };
                running.push(async move { (i, run.run().await) });
            }

            let Some((i, outcome)) = running.next().await else {
                break;
            };
            let node = &nodes[i];
            let ran = !outcome.metrics.attempts.is_empty();
            metrics[i] = Some(outcome.metrics);
            match outcome.result {
                Ok(out) => {
                    if let Some(batch) = &self.batch {
                        batch.record(i, &node.id, true);
                    }
                    if config.early_termination_on_quality
                        && quality_hit.is_none()
                        && let Some(q) = out.quality
                        && q >= config.quality_threshold
                    {
                        quality_hit = Some((node.id.clone(), q));
                    }
                    outputs[i] = Some(out);
                    completion.push(i);
                }
                Err(e) if e.kind == ErrorKind::Cancelled => {}
                Err(e) => {
                    if let Some(batch) = &self.batch {
                        batch.record(i, &node.id, false);
                    }
                    failed.push(node.id.clone());
                    errors.push(WaveError {
                        node: node.id.clone(),
                        kind: e.kind,
                        message: e.message,
                    });
                    if config.allow_partial_results {
                        for &d in &node.dependents {
                            failed_upstream[d].get_or_insert_with(|| node.id.clone());
                        }
                    } else if !wave_failed {
                        wave_failed = true;
                        run_token.cancel();
                    }
                }
            }
            for &d in &node.dependents {
                after_run[d] |= ran;
                pending[d] -= 1;
                if pending[d] == 0 {
                    ready.push(d);
                }
            }
        }

        let metrics: Vec<StageMetrics> = metrics
            .into_iter()
            .zip(nodes.iter())
            .map(|(m, node)| {
                // Unreachable for a valid plan: every node is started or skipped.
                m.unwrap_or_else(|| {
                    StageMetrics::new(node.id.clone(), node.kind, NodeState::Cancelled)
                })
            })
            .collect();
        let was_cancelled = metrics.iter().any(|m| {
            matches!(
                m.state,
                NodeState::Cancelled | NodeState::Skipped(SkipReason::Cancelled)
            )
        });
        let status = if wave_failed || (!failed.is_empty() && completion.is_empty()) {
            // Nothing to show for it: a failure, whatever the policy.
            WaveStatus::Failed
        } else if was_cancelled {
            WaveStatus::Cancelled
        } else if !failed.is_empty() {
            WaveStatus::PartiallyCompleted
        } else {
            WaveStatus::Completed
        };
        let results = completion
            .iter()
            .filter_map(|&i| outputs[i].clone().map(|o| (nodes[i].id.clone(), o)))
            .collect();
        WaveContext {
            id: self.id,
            key: self.input.key,
            input: self.input,
            status,
            completed: completion.iter().map(|&i| nodes[i].id.clone()).collect(),
            failed,
            skipped,
            results,
            metrics,
            errors,
            started_unix_ms,
            duration: start.elapsed(),
        }
    }
}
