//! Running one node of one wave: the inter-stage delay, admission, each
//! attempt under its timeout, and retries with backoff.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use futures_util::FutureExt;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::context::{AttemptOutcome, AttemptRecord, NodeState, StageMetrics};
use super::engine::Shared;
use super::events::WaveEvent;
use super::handler::{
    PriorResults, ProgressReporter, StageError, StageHandler, StageInput, StageOutput, StageResult,
    WaveInput, call_catching, panic_message,
};
use super::ids::WaveId;
use super::plan::{CompiledNode, Plan};

/// How a node ended, with its metrics.
pub(crate) struct NodeOutcome {
    pub result: Result<Arc<StageOutput>, StageError>,
    pub metrics: StageMetrics,
}

/// What a node run needs from its wave.
pub(crate) struct NodeRun {
    pub shared: Arc<Shared>,
    pub plan: Plan,
    pub index: usize,
    pub wave: WaveId,
    pub input: Arc<WaveInput>,
    pub prior: PriorResults,
    pub cancel: CancellationToken,
    /// A dependency ran (not skipped), so the inter-stage delay applies.
    pub after_run: bool,
    pub wave_start: Instant,
}

impl NodeRun {
    fn node(&self) -> &CompiledNode {
        &self.plan.nodes[self.index]
    }

    pub(crate) async fn run(self) -> NodeOutcome {
        let node = self.node();
        let config = &self.shared.config;
        let mut metrics = StageMetrics::new(node.id.clone(), node.kind, NodeState::Cancelled);
        let cancelled = |mut metrics: StageMetrics| {
            metrics.state = NodeState::Cancelled;
            NodeOutcome {
                result: Err(StageError::cancelled()),
                metrics,
            }
        };

        if self.after_run && config.inter_stage_delay_ms > 0 {
            let delay = Duration::from_millis(config.inter_stage_delay_ms);
            tokio::select! {
                biased;
                _ = self.cancel.cancelled() => return cancelled(metrics),
                _ = tokio::time::sleep(delay) => {}
            }
        }

        let timeout = node.timeout.unwrap_or_else(|| config.stage_timeout());
        let retries = node.max_retries.unwrap_or(config.max_retries_per_stage);
        let mut attempt = 1u32;
        loop {
            // Batched nodes take their slot per handler call, in the batcher.
            let permit = if node.batcher.is_none() {
                let permit = tokio::select! {
                    biased;
                    _ = self.cancel.cancelled() => return cancelled(metrics),
                    p = node.gate.acquire(self.input.priority) => p,
                };
                metrics.slot_wait += permit.waited;
                metrics.memory_wait += permit.memory_wait;
                Some(permit)
            } else {
                None
            };
            // CPU work waits for a thread of the bounded pool here, before
            // the attempt's clock starts, like any other slot.
            let cpu = if matches!(node.handler, StageHandler::Blocking(_)) {
                let asked = Instant::now();
                let cpu = tokio::select! {
                    biased;
                    _ = self.cancel.cancelled() => return cancelled(metrics),
                    p = self.shared.cpu_pool.clone().acquire_owned() => match p {
                        Ok(p) => p,
                        Err(_) => return cancelled(metrics),
                    },
                };
                metrics.slot_wait += asked.elapsed();
                Some(cpu)
            } else {
                None
            };

            let attempt_token = self.cancel.child_token();
            self.shared.events.emit(|| WaveEvent::StageStarted {
                wave: self.wave,
                key: self.input.key,
                node: node.id.clone(),
                kind: node.kind,
                attempt,
            });
            let started = Instant::now();
            let input = StageInput {
                wave: self.wave,
                node: node.id.clone(),
                kind: node.kind,
                attempt,
                input: self.input.clone(),
                prior: self.prior.clone(),
                cancel: attempt_token.clone(),
                progress: ProgressReporter {
                    events: self.shared.events.clone(),
                    wave: self.wave,
                    key: self.input.key,
                    node: node.id.clone(),
                    progressive: config.progressive_mode,
                },
            };
            let result = tokio::select! {
                biased;
                _ = self.cancel.cancelled() => Err(StageError::cancelled()),
                r = tokio::time::timeout(timeout, invoke(&self.shared, node, input, cpu)) => {
                    r.unwrap_or_else(|_| Err(StageError::timeout(timeout)))
                }
            };
            // Stops blocking work that outlived its attempt.
            attempt_token.cancel();
            drop(permit);
            let duration = started.elapsed();

            let (outcome, error, quality) = match &result {
                Ok(out) => (AttemptOutcome::Success, None, out.quality),
                Err(e) => (
                    AttemptOutcome::of_error(e.kind),
                    Some(e.message.clone()),
                    None,
                ),
            };
            self.shared.events.emit(|| WaveEvent::StageFinished {
                wave: self.wave,
                key: self.input.key,
                node: node.id.clone(),
                kind: node.kind,
                attempt,
                duration,
                quality,
                outcome,
                error: error.clone(),
            });
            metrics.attempts.push(AttemptRecord {
                attempt,
                started_after: started - self.wave_start,
                duration,
                outcome,
                error,
            });

            match result {
                Ok(out) => {
                    metrics.state = NodeState::Completed;
                    metrics.quality = out.quality;
                    return NodeOutcome {
                        result: Ok(Arc::new(out)),
                        metrics,
                    };
                }
                Err(e) if e.kind == super::handler::ErrorKind::Cancelled => {
                    return cancelled(metrics);
                }
                Err(e) if !e.is_retryable() || attempt > retries => {
                    metrics.state = NodeState::Failed;
                    return NodeOutcome {
                        result: Err(e),
                        metrics,
                    };
                }
                Err(_) => {
                    let delay = jittered(config.backoff(attempt - 1), config.retry_jitter);
                    self.shared.events.emit(|| WaveEvent::StageRetrying {
                        wave: self.wave,
                        key: self.input.key,
                        node: node.id.clone(),
                        next_attempt: attempt + 1,
                        delay,
                    });
                    tokio::select! {
                        biased;
                        _ = self.cancel.cancelled() => return cancelled(metrics),
                        _ = tokio::time::sleep(delay) => {}
                    }
                    attempt += 1;
                }
            }
        }
    }
}

/// Shortens a delay by a random part of `jitter` (0..=1), never lengthens it.
fn jittered(delay: Duration, jitter: f64) -> Duration {
    if jitter <= 0.0 || delay.is_zero() {
        return delay;
    }
    delay.mul_f64(1.0 - jitter * fastrand::f64())
}

/// Calls the handler once; panics become errors. `cpu` is the pool thread
/// a blocking handler was given.
async fn invoke(
    shared: &Shared,
    node: &CompiledNode,
    input: StageInput,
    cpu: Option<tokio::sync::OwnedSemaphorePermit>,
) -> StageResult {
    match &node.handler {
        StageHandler::Async(f) => {
            let fut = call_catching(|| f(input))?;
            AssertUnwindSafe(fut)
                .catch_unwind()
                .await
                .unwrap_or_else(|p| Err(StageError::panic(panic_message(p.as_ref()))))
        }
        StageHandler::Blocking(f) => {
            let f = f.clone();
            let task = shared.tracker.spawn_blocking_on(
                move || {
                    let _cpu = cpu;
                    f(input)
                },
                &shared.handle,
            );
            match task.await {
                Ok(result) => result,
                Err(e) if e.is_panic() => {
                    Err(StageError::panic(panic_message(e.into_panic().as_ref())))
                }
                Err(_) => Err(StageError::cancelled()),
            }
        }
        StageHandler::Batched(..) => match &node.batcher {
            Some(batcher) => batcher
                .submit(input)
                .await
                .unwrap_or_else(|_| Err(StageError::cancelled())),
            None => Err(StageError::permanent("batched handler without a batcher")),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_only_shortens_within_its_fraction() {
        let d = Duration::from_millis(1000);
        assert_eq!(jittered(d, 0.0), d);
        for _ in 0..1000 {
            let j = jittered(d, 0.25);
            assert!(j <= d && j >= Duration::from_millis(750), "{j:?}");
        }
    }
}
