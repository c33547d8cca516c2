//! Carrying one wave through a plan: nodes start when their dependencies
//! are done, independent nodes run at the same time, and failures, quality
//! and cancellation decide what is skipped.

use std::sync::Arc;

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use tokio_util::sync::CancellationToken;

use super::batch::BatchState;
use super::context::WaveContext;
use super::engine::Shared;
use super::events::WaveEvent;
use super::handler::WaveInput;
use super::ids::WaveId;
use super::plan::Plan;
use super::schedule::Scheduler;

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
