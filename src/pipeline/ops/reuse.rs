//! A Decode node answered from the library: its values come from the
//! store, and its artifacts are loaded (or, failing that, decoded again)
//! only if a later stage asks for them.

use std::sync::Arc;

use super::{ArtifactStore, input_path, stage_error};
use crate::audio::artifacts::decode_pass_until;
use crate::audio::{AnalysisOptions, Artifacts};
use crate::library::Library;
use crate::orchestrator::{StageInput, StageOutput};
use crate::pipeline::cache::NodeCache;

/// The stored output of a Decode node, with a loader for its artifacts
/// left in the store; `None` (run the decode) when nothing is stored.
pub(super) fn decode_hit(
    cache: &NodeCache,
    input: &StageInput,
    store: &ArtifactStore,
    opts: &AnalysisOptions,
) -> Option<StageOutput> {
    let out = cache.lookup(input)?;
    let key = cache.key(input)?;
    let path = input_path(input).ok()?;
    let library = cache.library().clone();
    let opts = opts.clone();
    let loader = Box::new(move |cancel: &dyn Fn() -> bool| {
        if let Some(a) = stored(&library, &key) {
            return Ok(a);
        }
        // Not stored (or unreadable): the same pass as the node would run.
        decode_pass_until(&path, &opts, cancel).map_err(|e| stage_error(&e))
    });
    store.put_loader(input.wave, input.node.clone(), loader);
    Some(out)
}

fn stored(library: &Arc<Library>, key: &str) -> Option<Artifacts> {
    let bytes = library.artifacts(key).ok()??;
    Artifacts::from_bytes(&bytes).ok()
}
