//! Feeding files to running batches: each file becomes a wave keyed by its
//! position, fingerprinted once (off the async threads) when there is a
//! library, while earlier files are already analysed.

use std::path::PathBuf;
use std::sync::Arc;

use tokio::runtime::Handle;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::persist::fingerprinted_input;
use super::record::wave_input;
use crate::library::Library;
use crate::orchestrator::WaveInput;

/// Sends every file of `files`, in order, to each of `senders`. A sender
/// whose batch ended early takes no more files; feeding stops once none
/// does. The caller keeps the task's handle and awaits it when its batch
/// is done.
pub(crate) fn feed(
    handle: &Handle,
    library: Option<Arc<Library>>,
    files: Vec<PathBuf>,
    senders: Vec<mpsc::Sender<WaveInput>>,
) -> JoinHandle<()> {
    handle.spawn(async move {
        let mut senders: Vec<Option<_>> = senders.into_iter().map(Some).collect();
        for (i, file) in files.into_iter().enumerate() {
            let input = match &library {
                Some(lib) => {
                    let lib = lib.clone();
                    let made =
                        tokio::task::spawn_blocking(move || fingerprinted_input(&lib, &file)).await;
                    let Ok(input) = made else { break };
                    input
                }
                None => wave_input(&file),
            };
            for slot in &mut senders {
                let Some(tx) = slot else { continue };
                // Refused only when that batch ended early.
                if tx.send(input.clone().with_key(i)).await.is_err() {
                    *slot = None;
                }
            }
            if senders.iter().all(Option::is_none) {
                break;
            }
        }
    })
}
