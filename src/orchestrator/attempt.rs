//! Running one node of one wave: the inter-stage delay, admission, each
//! attempt under its timeout, and retries with backoff.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use futures_util::FutureExt;
use tokio::sync::OwnedSemaphorePermit;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::blocking::run_blocking;
use super::context::{AttemptRecord, NodeState, StageMetrics};
use super::events::WaveEvent;
use super::gate::SlotPermit;
use super::handler::{
    ErrorKind, PriorResults, ProgressReporter, StageError, StageHandler, StageInput, StageOutput,
    StageResult, WaveInput, call_catching, panic_message,
};
use super::ids::WaveId;
use super::outcome::AttemptOutcome;
use super::plan::{CompiledNode, Plan};
use super::shared::Shared;

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

/// The slots one attempt holds: the node's gate slot (none for batched
/// nodes, which take theirs per handler call) and a CPU-pool thread for
/// blocking handlers.
struct Slots {
    gate: Option<SlotPermit>,
    cpu: Option<OwnedSemaphorePermit>,
}

impl NodeRun {
    fn node(&self) -> &CompiledNode {
        &self.plan.nodes[self.index]
    }

    /// Runs the node: the inter-stage delay, then attempts with backoff
    /// until one succeeds, fails for good, or the node is cancelled.
    pub(crate) async fn run(self) -> NodeOutcome {
        let node = self.node();
        let config = self.plan.config_or(&self.shared.config);
        let mut metrics = StageMetrics::new(node.id.clone(), node.kind, NodeState::Cancelled);
        if self.after_run && config.inter_stage_delay_ms > 0 {
            let delay = Duration::from_millis(config.inter_stage_delay_ms);
            if self
                .unless_cancelled(tokio::time::sleep(delay))
                .await
                .is_none()
            {
                return cancelled(metrics);
            }
        }
        let retries = node.max_retries.unwrap_or(config.max_retries_per_stage);
        let mut attempt = 1u32;
        loop {
            let Some(slots) = self.acquire(&mut metrics).await else {
                return cancelled(metrics);
            };
            match self.attempt_once(attempt, slots, &mut metrics).await {
                Ok(out) => {
                    metrics.state = NodeState::Completed;
                    metrics.quality = out.quality;
                    return NodeOutcome {
                        result: Ok(Arc::new(out)),
                        metrics,
                    };
                }
                Err(e) if e.kind == ErrorKind::Cancelled => return cancelled(metrics),
                Err(e) if !e.is_retryable() || attempt > retries => {
                    metrics.state = NodeState::Failed;
                    return NodeOutcome {
                        result: Err(e),
                        metrics,
                    };
                }
                Err(_) => {
                    if !self.back_off(attempt).await {
                        return cancelled(metrics);
                    }
                    attempt += 1;
                }
            }
        }
    }

    /// Runs `fut` unless the node is cancelled first. Cancellation wins a
    /// tie, as a biased `select!` would: `run_until_cancelled` alone favours
    /// a future that is ready when both are.
    async fn unless_cancelled<F: Future>(&self, fut: F) -> Option<F::Output> {
        let out = self.cancel.run_until_cancelled(fut).await;
        out.filter(|_| !self.cancel.is_cancelled())
    }

    /// Waits for the node's gate slot, then for a CPU-pool thread if the
    /// handler blocks; both before the attempt's clock starts. `None` when
    /// cancelled first.
    async fn acquire(&self, metrics: &mut StageMetrics) -> Option<Slots> {
        let node = self.node();
        // Batched nodes take their slot per handler call, in the batcher.
        let gate = match node.batcher {
            Some(_) => None,
            None => {
                let permit = self
                    .unless_cancelled(node.gate.acquire(self.input.priority))
                    .await?;
                metrics.slot_wait += permit.waited;
                metrics.memory_wait += permit.memory_wait;
                Some(permit)
            }
        };
        let cpu = match node.handler {
            StageHandler::Blocking(_) => {
                let asked = Instant::now();
                let pool = self.shared.blocking.cpu.clone();
                let cpu = self.unless_cancelled(pool.acquire_owned()).await?.ok()?;
                metrics.slot_wait += asked.elapsed();
                Some(cpu)
            }
            _ => None,
        };
        Some(Slots { gate, cpu })
    }

    /// One attempt under the node's timeout, with its events and record.
    async fn attempt_once(
        &self,
        attempt: u32,
        slots: Slots,
        metrics: &mut StageMetrics,
    ) -> StageResult {
        let node = self.node();
        let timeout = node
            .timeout
            .unwrap_or_else(|| self.plan.config_or(&self.shared.config).stage_timeout());
        let attempt_token = self.cancel.child_token();
        self.shared.events.emit(|| WaveEvent::StageStarted {
            wave: self.wave,
            key: self.input.key,
            node: node.id.clone(),
            kind: node.kind,
            attempt,
        });
        let started = Instant::now();
        let input = self.stage_input(attempt, attempt_token.clone());
        let call = tokio::time::timeout(timeout, invoke(&self.shared, node, input, slots.cpu));
        let (result, cpu_time) = match self.unless_cancelled(call).await {
            None => (Err(StageError::cancelled()), None),
            Some(Ok(ran)) => ran,
            Some(Err(_)) => (Err(StageError::timeout(timeout)), None),
        };
        // Stops blocking work that outlived its attempt.
        attempt_token.cancel();
        drop(slots.gate);
        self.record(attempt, started, cpu_time, &result, metrics);
        result
    }

    fn stage_input(&self, attempt: u32, cancel: CancellationToken) -> StageInput {
        let node = self.node();
        StageInput {
            wave: self.wave,
            node: node.id.clone(),
            kind: node.kind,
            attempt,
            input: self.input.clone(),
            prior: self.prior.clone(),
            cancel,
            progress: ProgressReporter {
                events: self.shared.events.clone(),
                wave: self.wave,
                key: self.input.key,
                node: node.id.clone(),
                progressive: self.plan.config_or(&self.shared.config).progressive_mode,
            },
        }
    }

    /// Sends `StageFinished` and keeps the attempt's record.
    fn record(
        &self,
        attempt: u32,
        started: Instant,
        cpu_time: Option<Duration>,
        result: &StageResult,
        metrics: &mut StageMetrics,
    ) {
        let node = self.node();
        let duration = started.elapsed();
        let (outcome, error, quality) = match result {
            Ok(out) => (AttemptOutcome::Success, None, out.quality),
            Err(e) => (
                AttemptOutcome::of_error(e.kind),
                Some(e.message.clone()),
                None,
            ),
        };
        let cached = result.as_ref().is_ok_and(|out| out.cached);
        self.shared.events.emit(|| WaveEvent::StageFinished {
            wave: self.wave,
            key: self.input.key,
            node: node.id.clone(),
            kind: node.kind,
            attempt,
            duration,
            cpu_time,
            quality,
            outcome,
            error: error.clone(),
            cached,
        });
        metrics.attempts.push(AttemptRecord {
            attempt,
            started_after: started - self.wave_start,
            duration,
            cpu_time,
            outcome,
            error,
            cached,
        });
    }

    /// Announces the retry and sleeps its backoff; false when cancelled.
    async fn back_off(&self, attempt: u32) -> bool {
        let config = self.plan.config_or(&self.shared.config);
        let delay = jittered(config.backoff(attempt - 1), config.retry_jitter);
        self.shared.events.emit(|| WaveEvent::StageRetrying {
            wave: self.wave,
            key: self.input.key,
            node: self.node().id.clone(),
            next_attempt: attempt + 1,
            delay,
        });
        self.unless_cancelled(tokio::time::sleep(delay))
            .await
            .is_some()
    }
}

/// A node that ended by cancellation, with what it did before.
fn cancelled(mut metrics: StageMetrics) -> NodeOutcome {
    metrics.state = NodeState::Cancelled;
    NodeOutcome {
        result: Err(StageError::cancelled()),
        metrics,
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
    cpu: Option<OwnedSemaphorePermit>,
) -> (StageResult, Option<Duration>) {
    match &node.handler {
        // An async handler's CPU is spread over whatever threads polled it,
        // and a batch's is shared by its inputs: neither is measured.
        StageHandler::Async(f) => {
            let fut = match call_catching(|| f(input)) {
                Ok(fut) => fut,
                Err(e) => return (Err(e), None),
            };
            let result = AssertUnwindSafe(fut)
                .catch_unwind()
                .await
                .unwrap_or_else(|p| Err(StageError::panic(panic_message(p.as_ref()))));
            (result, None)
        }
        StageHandler::Blocking(f) => {
            let pool = (&shared.blocking, &shared.tracker, &shared.handle);
            run_blocking(pool, f.clone(), input, cpu).await
        }
        StageHandler::Batched(..) => {
            let result = match &node.batcher {
                Some(batcher) => batcher
                    .submit(input)
                    .await
                    .unwrap_or_else(|_| Err(StageError::cancelled())),
                None => Err(StageError::permanent("batched handler without a batcher")),
            };
            (result, None)
        }
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
