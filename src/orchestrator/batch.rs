//! Batches: many waves under one `max_concurrent`, fed from a stream, with
//! the success-rate gate (`min_success_rate_per_stage`).

use std::sync::Arc;

use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::admission::BatchPriorities;
use super::batch_state::BatchState;
use super::context::WaveContext;
use super::events::{BatchReport, WaveEvent};
use super::handler::WaveInput;
use super::ids::BatchId;
use super::plan::Plan;
use super::shared::Shared;
use super::wave::Wave;

/// A running batch fed from a channel; finished waves arrive on `results`
/// as they complete.
pub struct WaveStream {
    /// The batch's id, as in its events.
    pub batch: BatchId,
    /// Finished waves, in completion order.
    pub results: mpsc::Receiver<WaveContext>,
    cancel: CancellationToken,
    priorities: BatchPriorities,
    driver: JoinHandle<BatchReport>,
}

impl std::fmt::Debug for WaveStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WaveStream")
            .field("batch", &self.batch)
            .finish()
    }
}

impl WaveStream {
    /// Cancels the batch: running attempts are cancelled, no wave starts.
    pub fn cancel(&self) {
        self.cancel.cancel();
    }

    /// A token that cancels the batch.
    pub fn cancel_token(&self) -> CancellationToken {
        self.cancel.clone()
    }

    /// A handle that re-prioritises this batch's waves that have not
    /// started yet.
    pub fn priorities(&self) -> BatchPriorities {
        self.priorities.clone()
    }

    /// Waits for the batch to end (drain `results` first, or concurrently:
    /// a full results channel holds the batch back).
    pub async fn report(self) -> BatchReport {
        let batch = self.batch;
        drop(self.results);
        self.driver.await.unwrap_or(BatchReport {
            batch,
            started: 0,
            not_started: 0,
            aborted: None,
            cancelled: true,
            duration: std::time::Duration::ZERO,
        })
    }
}

/// Starts a batch over `inputs`, at most `max_concurrent` waves at once.
pub(crate) fn start(
    shared: Arc<Shared>,
    plan: Plan,
    inputs: mpsc::Receiver<WaveInput>,
    max_concurrent: usize,
    results_capacity: usize,
) -> WaveStream {
    let id = shared.next_batch_id();
    let cancel = shared.root_token().child_token();
    let (tx, results) = mpsc::channel(results_capacity.max(1));
    let state = Arc::new(BatchState::new(id, shared.clone(), &plan));
    let max_concurrent = max_concurrent.max(1);
    let priorities = BatchPriorities::default();
    let admission = Admission {
        inputs,
        queue: priorities.clone(),
        token: cancel.clone(),
    };
    let driver = shared.tracker.spawn_on(
        drive(shared.clone(), plan, state, admission, tx, max_concurrent),
        &shared.handle,
    );
    WaveStream {
        batch: id,
        results,
        cancel,
        priorities,
        driver,
    }
}

/// Where a batch's driver takes its next input from.
struct Admission {
    inputs: mpsc::Receiver<WaveInput>,
    /// Received inputs not started yet, by priority.
    queue: BatchPriorities,
    token: CancellationToken,
}

impl Admission {
    /// The waiting input with the highest priority, after taking in what
    /// the channel holds; waits on the channel only when none is waiting.
    /// `None` when the inputs end or the batch is cancelled.
    async fn next(&mut self) -> Option<WaveInput> {
        if let Some(input) = self.queue.next(&mut self.inputs) {
            return Some(input);
        }
        let input = tokio::select! {
            biased;
            _ = self.token.cancelled() => return None,
            input = self.inputs.recv() => input?,
        };
        self.queue.push(input);
        self.queue.next(&mut self.inputs)
    }

    /// Counts the inputs that will never start, closing the channel.
    async fn abandon(&mut self) -> usize {
        let mut left = self.queue.clear();
        self.inputs.close();
        while self.inputs.recv().await.is_some() {
            left += 1;
        }
        left
    }
}

/// The batch's driver: admits waves until the inputs end, the batch is
/// cancelled or its success-rate gate trips, then waits for the running
/// ones and reports.
async fn drive(
    shared: Arc<Shared>,
    plan: Plan,
    state: Arc<BatchState>,
    mut admission: Admission,
    tx: mpsc::Sender<WaveContext>,
    max_concurrent: usize,
) -> BatchReport {
    let token = admission.token.clone();
    let id = state.id;
    let begun = Instant::now();
    shared.events.emit(|| WaveEvent::BatchStarted { batch: id });
    let slots = Arc::new(Semaphore::new(max_concurrent));
    let mut started = 0usize;
    let mut not_started = 0usize;
    loop {
        let permit = tokio::select! {
            biased;
            _ = token.cancelled() => break,
            p = slots.clone().acquire_owned() => match p { Ok(p) => p, Err(_) => break },
        };
        let Some(input) = admission.next().await else {
            break;
        };
        if state.aborted().is_some() {
            not_started += 1;
            break;
        }
        started += 1;
        let wave = Wave {
            shared: shared.clone(),
            plan: plan.clone(),
            batch: Some(state.clone()),
            id: shared.next_wave_id(),
            input: Arc::new(input),
            cancel: token.child_token(),
        };
        let tx = tx.clone();
        shared.tracker.spawn_on(
            async move {
                let ctx = wave.run().await;
                // Hold the slot until the result is taken, so an unread
                // results channel bounds memory.
                let _ = tx.send(ctx).await;
                drop(permit);
            },
            &shared.handle,
        );
    }
    // Inputs left behind by an abort or a cancel.
    not_started += admission.abandon().await;
    drop(tx);
    let all = u32::try_from(max_concurrent).unwrap_or(u32::MAX);
    let _ = slots.acquire_many(all).await;
    let report = BatchReport {
        batch: id,
        started,
        not_started,
        aborted: state.aborted().cloned(),
        cancelled: token.is_cancelled(),
        duration: begun.elapsed(),
    };
    shared.emit_statistics();
    let sent = report.clone();
    shared
        .events
        .emit(|| WaveEvent::BatchFinished { report: sent });
    report
}
