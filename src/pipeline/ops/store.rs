//! Per-wave artifacts: the decode pass leaves them here, later stages read
//! them, and the runner takes them when the wave ends, so a file is
//! decoded once and memory is bounded by the waves in flight. A decode
//! answered from the library leaves a loader instead, run only if a later
//! stage needs the artifacts.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;

use crate::audio::Artifacts;
use crate::orchestrator::{NodeId, StageError, WaveId};

/// Makes a cached decode's artifacts: from the library, or by decoding
/// again; called with the asking stage's cancellation check.
pub type ArtifactLoader =
    Box<dyn FnOnce(&dyn Fn() -> bool) -> Result<Artifacts, StageError> + Send>;

enum Slot {
    Ready(Arc<Artifacts>),
    Pending(ArtifactLoader),
    Failed(StageError),
}

/// One decode node's artifacts in one wave.
struct Entry {
    node: NodeId,
    /// Made in this run (not loaded from the library): worth keeping.
    computed: bool,
    slot: Arc<Mutex<Slot>>,
}

/// Artifacts of the waves in flight.
#[derive(Default)]
pub struct ArtifactStore {
    waves: Mutex<HashMap<WaveId, Vec<Entry>>>,
}

impl std::fmt::Debug for ArtifactStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ArtifactStore")
            .field("waves", &self.len())
            .finish()
    }
}

impl ArtifactStore {
    fn insert(&self, wave: WaveId, entry: Entry) {
        let mut waves = self.waves.lock();
        let entries = waves.entry(wave).or_default();
        // A retried decode replaces its earlier attempt's artifacts.
        entries.retain(|e| e.node != entry.node);
        entries.push(entry);
    }

    /// Keeps the artifacts a decode node computed in a wave.
    pub fn put(&self, wave: WaveId, node: NodeId, artifacts: Artifacts) {
        let slot = Arc::new(Mutex::new(Slot::Ready(Arc::new(artifacts))));
        self.insert(
            wave,
            Entry {
                node,
                computed: true,
                slot,
            },
        );
    }

    /// Keeps a loader for a decode node answered from the library.
    pub fn put_loader(&self, wave: WaveId, node: NodeId, loader: ArtifactLoader) {
        let slot = Arc::new(Mutex::new(Slot::Pending(loader)));
        self.insert(
            wave,
            Entry {
                node,
                computed: false,
                slot,
            },
        );
    }

    /// The latest decode's artifacts in a wave, loading them if they were
    /// cached; `None` if no decode ran.
    pub fn get(
        &self,
        wave: WaveId,
        cancel: &dyn Fn() -> bool,
    ) -> Option<Result<Arc<Artifacts>, StageError>> {
        let slot = self.waves.lock().get(&wave)?.last()?.slot.clone();
        // Locked per slot: stages of one wave that ask at once wait for a
        // single load; other waves go on.
        let mut slot = slot.lock();
        let state = std::mem::replace(&mut *slot, Slot::Failed(StageError::cancelled()));
        let (state, out) = match state {
            Slot::Ready(a) => (Slot::Ready(a.clone()), Ok(a)),
            Slot::Failed(e) => (Slot::Failed(e.clone()), Err(e)),
            Slot::Pending(load) => match load(cancel) {
                Ok(a) => {
                    let a = Arc::new(a);
                    (Slot::Ready(a.clone()), Ok(a))
                }
                Err(e) => (Slot::Failed(e.clone()), Err(e)),
            },
        };
        *slot = state;
        Some(out)
    }

    /// Drops a wave's artifacts, returning those computed in this run, by
    /// node, for the library.
    pub fn take(&self, wave: WaveId) -> Vec<(NodeId, Arc<Artifacts>)> {
        let entries = self.waves.lock().remove(&wave).unwrap_or_default();
        entries
            .into_iter()
            .filter(|e| e.computed)
            .filter_map(|e| match &*e.slot.lock() {
                Slot::Ready(a) => Some((e.node.clone(), a.clone())),
                _ => None,
            })
            .collect()
    }

    /// Waves holding artifacts now.
    pub fn len(&self) -> usize {
        self.waves.lock().len()
    }

    /// Whether no wave holds artifacts.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
