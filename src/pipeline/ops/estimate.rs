//! Estimators on the decode pass's artifacts: spectral summary, tempo and
//! key, each with a quick form and a refinement.

use std::sync::Arc;

use serde_json::Value;

use super::{ArtifactStore, cancelled, check_cancel, put, with_series};
use crate::audio::key::{self, KeyProfile};
use crate::audio::series::{self, Series, downbeats, key_curve, tempo_curve};
use crate::audio::tempo::{self, BpmCandidate, TempoEstimate, TempoOptions};
use crate::audio::{Artifacts, abstain, beats, cadence};
use crate::orchestrator::{StageError, StageInput, StageOutput, StageResult, StageValues};
use crate::pipeline::fields;
use crate::pipeline::operation::KeyProfileChoice;

fn artifacts(input: &StageInput, store: &ArtifactStore) -> Result<Arc<Artifacts>, StageError> {
    let cancel = || input.cancel.is_cancelled();
    store.get(input.wave, &cancel).unwrap_or_else(|| {
        Err(StageError::permanent(format!(
            "node `{}` needs the artifacts of a Decode stage, and none ran before it in this wave",
            input.node
        )))
    })
}

pub(super) fn spectral(input: &StageInput, store: &ArtifactStore) -> StageResult {
    // The spectral summary was made by the decode pass: nothing to stop
    // here but the start.
    check_cancel(input)?;
    let a = artifacts(input, store)?;
    let s = &a.spectral;
    let mut v = StageValues::new();
    put(&mut v, fields::SPECTRAL_CENTROID_HZ, s.centroid_hz.mean);
    put(&mut v, fields::SPECTRAL_CENTROID_STD_HZ, s.centroid_hz.std);
    put(&mut v, fields::SPECTRAL_ROLLOFF_HZ, s.rolloff_hz.mean);
    put(&mut v, fields::SPECTRAL_FLATNESS, s.flatness.mean);
    put(&mut v, fields::SPECTRAL_FLUX, s.flux.mean);
    put(&mut v, fields::ZERO_CROSSING_RATE, s.zcr.mean);
    put(&mut v, fields::SPECTRAL_CONFIDENCE, s.confidence);
    Ok(StageOutput::new(v))
}

/// A quick estimate is also published as an intermediate result (in
/// progressive mode), so a watcher can show it before the wave ends and
/// the refinement, if any, replaces it.
fn publish_quick(input: &StageInput, refine: bool, values: &StageValues) {
    if !refine {
        input.progress.publish(values.clone());
    }
}

/// The quick estimate an earlier Tempo stage published, if any.
fn prior_tempo(input: &StageInput) -> Option<TempoEstimate> {
    let bpm = input.prior.value(fields::BPM)?.as_f64()?;
    let confidence = input
        .prior
        .value(fields::BPM_CONFIDENCE)
        .and_then(Value::as_f64)
        .unwrap_or(0.0);
    let candidates = input
        .prior
        .value(fields::BPM_CANDIDATES)
        .and_then(|c| serde_json::from_value::<Vec<BpmCandidate>>(c.clone()).ok())
        .unwrap_or_default();
    Some(TempoEstimate {
        bpm,
        confidence,
        candidates,
        beats: Vec::new(),
    })
}

pub(super) fn tempo(
    input: &StageInput,
    store: &ArtifactStore,
    refine: bool,
    min_bpm: f64,
    max_bpm: f64,
) -> StageResult {
    let a = artifacts(input, store)?;
    let opts = TempoOptions { min_bpm, max_bpm };
    let cancel = || input.cancel.is_cancelled();
    let first = match prior_tempo(input).filter(|_| refine) {
        Some(first) => Some(first),
        None => tempo::first_estimate_until(&a.onset, &opts, &cancel).map_err(cancelled)?,
    };
    let estimate = match first {
        Some(first) if refine => {
            Some(beats::refine_until(&a.onset, &first, &opts, &cancel).map_err(cancelled)?)
        }
        first => first,
    };
    let reason = abstain::tempo_reason(&a.onset, &a.chroma, estimate.as_ref());
    let mut v = StageValues::new();
    let candidates = estimate.as_ref().map(|t| t.candidates.clone());
    put(
        &mut v,
        fields::BPM_CANDIDATES,
        candidates.unwrap_or_default(),
    );
    let mut series = Vec::new();
    match estimate.filter(|_| reason.is_none()) {
        Some(t) => {
            put(&mut v, fields::BPM, t.bpm);
            put(&mut v, fields::BPM_CONFIDENCE, t.confidence);
            if refine {
                put(&mut v, fields::BEATS, &t.beats);
                series = beat_series(&mut v, &a, &t);
            }
        }
        None => {
            // No rhythm to measure: say so (and why) rather than fail the wave.
            put(&mut v, fields::BPM, Value::Null);
            put(&mut v, fields::BPM_CONFIDENCE, 0.0);
            put(&mut v, fields::BPM_REASON, reason);
        }
    }
    put(&mut v, fields::TEMPO_REFINED, refine);
    publish_quick(input, refine, &v);
    Ok(with_series(StageOutput::new(v), series))
}

/// The beat grid and the tempo curve of a beat-tracked tempo, with their
/// summary values; none for an excerpt (its series are not the file's).
fn beat_series(v: &mut StageValues, a: &Artifacts, t: &TempoEstimate) -> Vec<Series> {
    if a.facts.excerpt {
        return Vec::new();
    }
    let grid = downbeats::grid(&t.beats, &a.onset, &a.chroma);
    let curve = tempo_curve::curve(&a.onset, t.bpm);
    put(v, fields::METER, grid.meter);
    put(
        v,
        fields::METER_CONFIDENCE,
        tempo::round2(grid.meter_confidence),
    );
    put(
        v,
        fields::FIRST_DOWNBEAT_S,
        grid.downbeats().next().map(|b| b.time_s),
    );
    put(v, fields::TEMPO_VARIABLE, curve.variable);
    vec![Series::Beats(grid), Series::Tempo(curve)]
}

fn family(choice: KeyProfileChoice) -> KeyProfile {
    match choice {
        KeyProfileChoice::Krumhansl => KeyProfile::Krumhansl,
        KeyProfileChoice::Temperley => KeyProfile::Temperley,
        KeyProfileChoice::Auto => KeyProfile::default(),
    }
}

pub(super) fn key(
    input: &StageInput,
    store: &ArtifactStore,
    refine: bool,
    profile: KeyProfileChoice,
) -> StageResult {
    let a = artifacts(input, store)?;
    let cancel = || input.cancel.is_cancelled();
    let ending = cadence::final_sonority(&a.chroma, &a.onset);
    let estimate = if refine {
        key::estimate_ensemble_until(&a.chroma, ending.as_ref(), &cancel).map_err(cancelled)?
    } else {
        key::estimate_until(&a.chroma, ending.as_ref(), family(profile), &cancel)
            .map_err(cancelled)?
    };
    let reason = abstain::key_reason(&a.chroma);
    let mut v = StageValues::new();
    match estimate.filter(|_| reason.is_none()) {
        Some(k) => {
            put(&mut v, fields::KEY, &k.key);
            put(&mut v, fields::KEY_CONFIDENCE, k.confidence);
            put(&mut v, fields::CAMELOT, &k.camelot);
            put(&mut v, fields::KEY_RUNNER_UP, &k.runner_up);
            put(&mut v, fields::TUNING_SEMITONES, k.tuning_semitones);
        }
        None => {
            put(&mut v, fields::KEY, Value::Null);
            put(&mut v, fields::KEY_CONFIDENCE, 0.0);
            put(&mut v, fields::CAMELOT, Value::Null);
            put(
                &mut v,
                fields::KEY_REASON,
                reason.unwrap_or(abstain::NO_PITCH),
            );
        }
    }
    put(&mut v, fields::KEY_REFINED, refine);
    publish_quick(input, refine, &v);
    if a.facts.excerpt || reason.is_some() {
        return Ok(StageOutput::new(v));
    }
    let profile = if refine { None } else { Some(family(profile)) };
    let curve = key_curve::curve(&a.chroma, profile);
    let names: Vec<String> = curve
        .segments
        .iter()
        .map(|s| series::key_of_code(s.key).name())
        .collect();
    put(&mut v, fields::KEY_SEGMENTS, names);
    Ok(with_series(StageOutput::new(v), [Series::Key(curve)]))
}
