//! Audio decoding and analysis: plain synchronous DSP, no async runtime.
//!
//! [`analyze_file`] runs everything on one file. The pieces are public for
//! the pipeline to wrap stage by stage: [`decode_pass`] streams a file once
//! into compact [`Artifacts`]; [`tempo::first_estimate`] and
//! [`beats::refine`] are the cheap and the costly tempo estimates;
//! [`key::estimate`] reads the key from chroma. [`Artifacts::to_bytes`]
//! stores the artifacts compactly for a cache; [`ANALYSIS_VERSION`] tells
//! whether a cached output came from today's algorithms.

pub mod abstain;
pub mod artifact_bytes;
mod artifact_error;
pub mod artifacts;
mod beat_phase;
pub mod beats;
mod byte_cursor;
pub mod cadence;
pub mod cancel;
pub mod chroma;
pub mod codecs;
pub mod decimate;
mod declared_end;
pub mod decode;
pub mod error;
pub mod files;
pub mod flac_blocks;
pub mod formats;
#[cfg(test)]
mod golden;
pub mod key;
pub mod key_profile;
pub mod loudness;
pub mod mp4_edits;
pub mod onset;
pub mod report;
pub mod riff;
pub mod samples;
pub mod series;
pub mod spectral;
pub mod spectrogram;
pub mod stft;
pub mod tempo;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

pub use artifact_bytes::ArtifactBytesError;
pub use artifacts::{Artifacts, Facts, decode_pass, pcm_pass};
pub use error::AudioError;
pub use key::{KeyEstimate, KeyProfile};
pub use report::AnalysisReport;
pub use tempo::{TempoEstimate, TempoOptions};

/// Version of the analysis algorithms. Bump it whenever any algorithm's
/// output changes (decoding, loudness, spectral statistics, onsets, chroma,
/// tempo, beats, key, and the series: downbeats, tempo and key curves),
/// even slightly. Cache keys include it, so node outputs
/// stored by an older version are never reused. The golden test in
/// `audio::golden` fails when the outputs move, as a reminder.
pub const ANALYSIS_VERSION: u32 = 7;

/// What to analyse and how.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalysisOptions {
    /// Tempo search preferences.
    pub tempo: TempoOptions,
    /// Key profile family; `None` lets the ensemble of families vote
    /// ([`key::estimate_ensemble_until`]).
    pub key_profile: Option<KeyProfile>,
    /// Level below which samples count as silence, dBFS.
    pub silence_dbfs: f32,
    /// Measure the oversampled true peak (costlier than the sample peak).
    pub true_peak: bool,
    /// Run the beat tracker to refine the tempo (and report beats).
    pub refine_tempo: bool,
    /// Decode at most this many seconds from the start (an excerpt for
    /// quick estimates); `None` decodes the whole file.
    pub max_seconds: Option<f64>,
}

impl Default for AnalysisOptions {
    fn default() -> Self {
        Self {
            tempo: TempoOptions::default(),
            key_profile: None,
            silence_dbfs: loudness::DEFAULT_SILENCE_DBFS,
            true_peak: loudness::DEFAULT_TRUE_PEAK,
            refine_tempo: true,
            max_seconds: None,
        }
    }
}

/// Runs the estimators on a decode pass's artifacts.
pub fn estimate(artifacts: Artifacts, opts: &AnalysisOptions, elapsed_s: f64) -> AnalysisReport {
    let first = tempo::first_estimate(&artifacts.onset, &opts.tempo);
    let tempo = match first {
        Some(first) if opts.refine_tempo => {
            Some(beats::refine(&artifacts.onset, &first, &opts.tempo))
        }
        other => other,
    };
    let ending = cadence::final_sonority(&artifacts.chroma, &artifacts.onset);
    let chroma = &artifacts.chroma;
    let key = match opts.key_profile {
        Some(family) => key::estimate_until(chroma, ending.as_ref(), family, &cancel::never),
        None => key::estimate_ensemble_until(chroma, ending.as_ref(), &cancel::never),
    }
    .ok()
    .flatten();
    let tempo_reason = abstain::tempo_reason(&artifacts.onset, &artifacts.chroma, tempo.as_ref());
    let key_reason = abstain::key_reason(&artifacts.chroma);
    AnalysisReport {
        tempo_reason,
        key_reason,
        facts: artifacts.facts,
        loudness: artifacts.loudness,
        spectral: artifacts.spectral,
        tempo,
        key,
        analysis_s: elapsed_s,
    }
}

/// Analyses samples already in memory (interleaved, `channels` per frame).
pub fn analyze_pcm(
    interleaved: &[f32],
    channels: usize,
    rate: u32,
    opts: &AnalysisOptions,
) -> Option<AnalysisReport> {
    let start = Instant::now();
    let artifacts = pcm_pass(interleaved, channels, rate, opts)?;
    Some(estimate(artifacts, opts, start.elapsed().as_secs_f64()))
}

/// Decodes and analyses one file. Checks `cancel` between blocks. A panic
/// inside a decoder or an analysis becomes this file's error.
pub fn analyze_file(
    path: &Path,
    opts: &AnalysisOptions,
    cancel: &AtomicBool,
) -> Result<AnalysisReport, AudioError> {
    let start = Instant::now();
    let run = || {
        let artifacts = decode_pass(path, opts, cancel)?;
        let mut report = estimate(artifacts, opts, 0.0);
        report.analysis_s = start.elapsed().as_secs_f64();
        Ok(report)
    };
    guarded(path, run)
}

/// Runs `f`, turning a panic inside it into `path`'s
/// [`AudioError::DecoderPanic`] with the panic message.
pub fn guarded<T>(path: &Path, f: impl FnOnce() -> Result<T, AudioError>) -> Result<T, AudioError> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            Err(AudioError::DecoderPanic {
                path: path.to_path_buf(),
                message,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::panic, reason = "the test needs a real panic to catch")]
    fn a_panic_becomes_the_files_error() {
        let path = Path::new("song.flac");
        let err = guarded::<()>(path, || panic!("index out of bounds in a decoder")).unwrap_err();
        assert!(matches!(err, AudioError::DecoderPanic { .. }));
        let text = err.to_string();
        assert!(
            text.contains("index out of bounds") && text.contains("song.flac"),
            "{text}"
        );
        assert_eq!(guarded(path, || Ok(3)).unwrap(), 3);
    }
}
