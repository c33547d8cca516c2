//! The result of analysing one file.

use serde::Serialize;

use super::artifacts::Facts;
use super::key::KeyEstimate;
use super::loudness::LoudnessReport;
use super::spectral::SpectralReport;
use super::tempo::TempoEstimate;

/// Every analysis of one file, each with its confidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnalysisReport {
    /// Format facts and decoding counters (including `partial`).
    pub facts: Facts,
    /// Loudness and levels.
    pub loudness: LoudnessReport,
    /// Spectral statistics.
    pub spectral: SpectralReport,
    /// Tempo, if the file has enough rhythm to tell.
    pub tempo: Option<TempoEstimate>,
    /// Key, if the file has enough pitched content to tell.
    pub key: Option<KeyEstimate>,
    /// Why the file has no tempo (noise, speech, no onsets); `tempo` may
    /// still hold the estimate and its candidates, but it is not the answer.
    pub tempo_reason: Option<&'static str>,
    /// Why the file has no key (noise, speech, a single note, no pitch).
    pub key_reason: Option<&'static str>,
    /// Wall-clock seconds spent on the file.
    pub analysis_s: f64,
}

impl AnalysisReport {
    /// Confidence of the facts: 1 for a complete decode, lower when packets
    /// were lost or the file was cut short.
    pub fn facts_confidence(&self) -> f64 {
        if self.facts.partial.is_some() {
            0.5
        } else if self.facts.bad_packets > 0 {
            0.8
        } else {
            1.0
        }
    }

    /// The tempo, unless there is a reason to give none.
    pub fn bpm(&self) -> Option<&TempoEstimate> {
        self.tempo.as_ref().filter(|_| self.tempo_reason.is_none())
    }

    /// The key, unless there is a reason to give none.
    pub fn answered_key(&self) -> Option<&KeyEstimate> {
        self.key.as_ref().filter(|_| self.key_reason.is_none())
    }

    /// The overall quality in 0..=1: the weakest of the confidences.
    pub fn quality(&self) -> f64 {
        let t = self.bpm().map_or(0.0, |t| t.confidence);
        let k = self.answered_key().map_or(0.0, |k| k.confidence);
        [self.facts_confidence(), self.loudness.confidence, t, k]
            .into_iter()
            .fold(1.0, f64::min)
    }
}
