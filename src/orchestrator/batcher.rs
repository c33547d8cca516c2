//! Batched stage nodes (the seed's BatchProcessor): items from many waves
//! are gathered into one handler call; each result goes back to its wave.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures_util::FutureExt;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::gate::StageGate;
use super::handler::{BatchSpec, StageError, StageHandler, StageInput, StageResult, panic_message};

type Item = (StageInput, oneshot::Sender<StageResult>);

/// The collector of one batched node. Dropping it (with its plan) ends the
/// collector task.
pub(crate) struct Batcher {
    tx: mpsc::UnboundedSender<Item>,
}

impl Batcher {
    /// Starts the collector task for `handler`, which must be `Batched`.
    pub(crate) fn start(
        handler: &StageHandler,
        gate: Arc<StageGate>,
        tracker: &TaskTracker,
        handle: &tokio::runtime::Handle,
        shutdown: CancellationToken,
    ) -> Option<Arc<Self>> {
        let StageHandler::Batched(f, spec) = handler else { return None };
        let (tx, rx) = mpsc::unbounded_channel();
        let f = f.clone();
        let spec = *spec;
        let inner_tracker = tracker.clone();
        let inner_handle = handle.clone();
        tracker.spawn_on(
            collect(rx, spec, gate, shutdown, move |items: Vec<Item>, permit| {
                let f = f.clone();
                inner_tracker.spawn_on(
                    async move {
                        let _permit = permit;
                        let (inputs, senders): (Vec<_>, Vec<_>) = items.into_iter().unzip();
                        let n = inputs.len();
                        let results = match AssertUnwindSafe(async move { f(inputs).await }).catch_unwind().await {
                            Ok(results) if results.len() == n => results,
                            Ok(results) => {
                                let msg = format!("batch handler returned {} results for {n} items", results.len());
                                vec![Err(StageError::permanent(msg)); n]
                            }
                            Err(p) => vec![Err(StageError::panic(panic_message(p.as_ref()))); n],
                        };
                        for (tx, result) in senders.into_iter().zip(results) {
                            let _ = tx.send(result);
                        }
                    },
                    &inner_handle,
                );
            }),
            handle,
        );
        Some(Arc::new(Self { tx }))
    }

    /// Queues one item; the receiver gets its result.
    pub(crate) fn submit(&self, input: StageInput) -> oneshot::Receiver<StageResult> {
        let (tx, rx) = oneshot::channel();
        if let Err(mpsc::error::SendError((_, tx))) = self.tx.send((input, tx)) {
            let _ = tx.send(Err(StageError::cancelled()));
        }
        rx
    }
}

async fn collect(
    mut rx: mpsc::UnboundedReceiver<Item>,
    spec: BatchSpec,
    gate: Arc<StageGate>,
    shutdown: CancellationToken,
    mut run: impl FnMut(Vec<Item>, super::gate::SlotPermit),
) {
    loop {
        let first = tokio::select! {
            _ = shutdown.cancelled() => return,
            item = rx.recv() => match item { Some(item) => item, None => return },
        };
        let mut items = vec![first];
        let deadline = Instant::now() + spec.max_wait;
        while items.len() < spec.max_items {
            tokio::select! {
                item = rx.recv() => match item { Some(item) => items.push(item), None => break },
                _ = tokio::time::sleep_until(deadline) => break,
            }
        }
        // Items whose wave gave up (timeout, cancel) are not worth running.
        items.retain(|(input, tx)| !tx.is_closed() && !input.cancel.is_cancelled());
        if items.is_empty() {
            continue;
        }
        let permit = tokio::select! {
            _ = shutdown.cancelled() => return,
            p = gate.acquire(0) => p,
        };
        run(items, permit);
    }
}
