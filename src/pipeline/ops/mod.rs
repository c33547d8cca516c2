//! Built-in operations as stage handlers: one `match` from `Operation` to
//! the code that runs it. Audio work runs on the orchestrator's blocking
//! pool and checks the attempt's cancellation token between blocks.

mod decode;
mod estimate;
mod plugin;
mod reuse;
mod store;
mod summary;

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::Value;

pub use store::{ArtifactLoader, ArtifactStore};

use super::cache::NodeCache;
use super::operation::Operation;
use super::plugin::Installed;
use crate::audio::AudioError;
use crate::orchestrator::{
    StageError, StageHandler, StageInput, StageOutput, StageResult, StageValues,
};

/// The handler that runs `op`; with a cache, a stored output for the
/// wave's file answers instead of running it. A plugin operation uses the
/// plugins installed now (`Installed::discover`).
pub fn handler_for(
    op: &Operation,
    store: Arc<ArtifactStore>,
    cache: Option<NodeCache>,
) -> StageHandler {
    let plugins = match op {
        Operation::Plugin { .. } => Installed::discover(),
        _ => Installed::default(),
    };
    handler_with(op, store, cache, &plugins)
}

/// As `handler_for`, taking plugin operations from `plugins`.
pub fn handler_with(
    op: &Operation,
    store: Arc<ArtifactStore>,
    cache: Option<NodeCache>,
    plugins: &Installed,
) -> StageHandler {
    let op = op.clone();
    match op {
        Operation::Probe => cached(cache, decode::probe),
        Operation::Decode {
            silence_dbfs,
            true_peak,
            excerpt_s,
        } => {
            let run_store = store.clone();
            let run = move |input: StageInput| {
                decode::decode(&input, &run_store, silence_dbfs, true_peak, excerpt_s)
            };
            let Some(cache) = cache else {
                return StageHandler::blocking(run);
            };
            let opts = decode::options(silence_dbfs, true_peak, excerpt_s);
            StageHandler::blocking(move |input| {
                match reuse::decode_hit(&cache, &input, &store, &opts) {
                    Some(out) => Ok(out),
                    None => run(input),
                }
            })
        }
        Operation::Spectral => cached(cache, move |input| estimate::spectral(&input, &store)),
        Operation::Tempo {
            refine,
            min_bpm,
            max_bpm,
        } => cached(cache, move |input| {
            estimate::tempo(&input, &store, refine, min_bpm, max_bpm)
        }),
        Operation::Key { refine, profile } => cached(cache, move |input| {
            estimate::key(&input, &store, refine, profile)
        }),
        Operation::Confidence => cached(cache, |input| Ok(summary::confidence(&input))),
        Operation::Aggregate => cached(cache, |input| Ok(summary::aggregate(&input))),
        Operation::Notation {
            key_notation,
            bpm_decimals,
        } => cached(cache, move |input| {
            Ok(summary::notation(&input, key_notation, bpm_decimals))
        }),
        Operation::LoudnessGate {
            target_lufs,
            tolerance_lu,
            max_true_peak_dbtp,
            fail_on_violation,
        } => cached(cache, move |input| {
            summary::loudness_gate(
                &input,
                target_lufs,
                tolerance_lu,
                max_true_peak_dbtp,
                fail_on_violation,
            )
        }),
        Operation::Write => cached(cache, |input| Ok(summary::write(&input))),
        Operation::Plugin { name, params } => plugin::handler(plugins, &name, &params, cache),
    }
}

/// A blocking handler that first asks the cache, if there is one.
fn cached(
    cache: Option<NodeCache>,
    f: impl Fn(StageInput) -> StageResult + Send + Sync + 'static,
) -> StageHandler {
    match cache {
        None => StageHandler::blocking(f),
        Some(cache) => StageHandler::blocking(move |input| match cache.lookup(&input) {
            Some(out) => Ok(out),
            None => f(input),
        }),
    }
}

/// The audio file a wave carries (`{"path": ...}`).
pub(crate) fn input_path(input: &StageInput) -> Result<PathBuf, StageError> {
    match input.input.payload.get("path").and_then(Value::as_str) {
        Some(p) => Ok(crate::library::text_path(p)),
        None => Err(StageError::permanent(format!(
            "wave `{}` carries no file path",
            input.input.label
        ))),
    }
}

/// Stops a stage whose attempt was abandoned (timeout, cancel) before it
/// starts work, where the work itself has no loop to check in.
pub(crate) fn check_cancel(input: &StageInput) -> Result<(), StageError> {
    if input.cancel.is_cancelled() {
        Err(StageError::cancelled())
    } else {
        Ok(())
    }
}

/// The DSP's `Cancelled` as the stage error it means.
pub(crate) fn cancelled(_: crate::audio::cancel::Cancelled) -> StageError {
    StageError::cancelled()
}

/// An audio error as a stage error: problems of the file are permanent.
pub(crate) fn stage_error(e: &AudioError) -> StageError {
    if e.is_permanent() {
        StageError::permanent(e.to_string())
    } else {
        StageError::transient(e.to_string())
    }
}

/// Inserts a serializable value.
pub(crate) fn put(values: &mut StageValues, key: &str, value: impl serde::Serialize) {
    values.insert(
        key.to_string(),
        serde_json::to_value(value).unwrap_or(Value::Null),
    );
}

/// The output with each series in its stored form, under its kind's name.
pub(crate) fn with_series(
    output: StageOutput,
    series: impl IntoIterator<Item = crate::audio::series::Series>,
) -> StageOutput {
    series.into_iter().fold(output, |out, s| {
        let bytes = s.to_bytes();
        out.with_series(s.kind().name(), bytes)
    })
}

/// Every value of earlier stages merged, later stages winning (stages come
/// in completion order, so a refinement wins over what it refines).
pub(crate) fn merged_prior(input: &StageInput) -> StageValues {
    merge_values(input.prior.iter().map(|(_, _, output)| &output.values))
}

/// Merges value maps in order, later maps winning.
pub(crate) fn merge_values<'a>(maps: impl Iterator<Item = &'a StageValues>) -> StageValues {
    let mut out = StageValues::new();
    for map in maps {
        for (k, v) in map {
            out.insert(k.clone(), v.clone());
        }
    }
    out
}
