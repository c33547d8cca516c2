//! `Wave`: one input ready to be carried through a plan. Its run loop is
//! beside the scheduler that decides what starts (`schedule.rs`).

use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use super::batch_state::BatchState;
use super::handler::WaveInput;
use super::ids::WaveId;
use super::plan::Plan;
use super::shared::Shared;

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
