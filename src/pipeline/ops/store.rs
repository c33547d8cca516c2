//! Per-wave artifacts: the decode pass leaves them here, later stages read
//! them, and the runner drops them when the wave ends, so a file is
//! decoded once and memory is bounded by the waves in flight.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::{Mutex, MutexGuard};

use crate::audio::Artifacts;
use crate::orchestrator::WaveId;

/// Artifacts of the waves in flight.
#[derive(Debug, Default)]
pub struct ArtifactStore {
    waves: Mutex<HashMap<WaveId, Arc<Artifacts>>>,
}

impl ArtifactStore {
    /// Keeps a wave's artifacts (replacing those of an earlier attempt).
    pub fn put(&self, wave: WaveId, artifacts: Artifacts) -> Arc<Artifacts> {
        let artifacts = Arc::new(artifacts);
        self.lock().insert(wave, artifacts.clone());
        artifacts
    }

    /// A wave's artifacts, if its decode pass ran.
    pub fn get(&self, wave: WaveId) -> Option<Arc<Artifacts>> {
        self.lock().get(&wave).cloned()
    }

    /// Drops a wave's artifacts.
    pub fn remove(&self, wave: WaveId) {
        self.lock().remove(&wave);
    }

    /// Waves holding artifacts now.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no wave holds artifacts.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<WaveId, Arc<Artifacts>>> {
        self.waves.lock()
    }
}
