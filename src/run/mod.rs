//! Running a pipeline document over audio files: the document mounted on an
//! orchestrator (one handler per node, under a prefix so two documents can
//! share one engine), files fed in as waves, each finished wave turned into
//! one flat record (`FileResult`) and stored in the results library as it
//! comes, live per-node figures for the charts, and two documents run side
//! by side for an A/B comparison.

mod feed;
mod monitor;
mod mount;
pub mod pair;
pub mod persist;
mod record;
mod runner;

pub use monitor::{NodeLive, RunMonitor, WaveProgress};
pub use mount::Run;
pub use persist::{StoreState, StoreStatus};
pub use record::{FileResult, wave_input};
pub use runner::PipelineRunner;
