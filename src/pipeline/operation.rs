//! Built-in operations a pipeline node can run: their parameters (and the
//! one table per operation that describes them), and static metadata
//! (label, usual stage kind, what it does, what its cache key covers).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::audio::loudness::{
    DEFAULT_SILENCE_DBFS, DEFAULT_TRUE_PEAK, R128_MAX_TRUE_PEAK_DBTP, R128_TARGET_LUFS,
    R128_TOLERANCE_LU,
};
use crate::audio::tempo::{DEFAULT_MAX_BPM, DEFAULT_MIN_BPM};
use crate::orchestrator::WaveStage;

/// How keys are written in results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum KeyNotation {
    /// "A minor".
    Standard,
    /// "8A".
    #[default]
    Camelot,
    /// "1m" (Open Key).
    OpenKey,
}

/// Key profile family used to read the key from chroma.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum KeyProfileChoice {
    /// Krumhansl & Kessler (1982) probe-tone ratings.
    Krumhansl,
    /// Temperley (1999), a revision of Krumhansl's for tonal music.
    Temperley,
    /// The library's best general choice.
    #[default]
    Auto,
}

fn yes() -> bool {
    true
}
// serde's `default = "..."` takes functions; the values are the DSP's.
fn silence_default() -> f64 {
    f64::from(DEFAULT_SILENCE_DBFS)
}
fn true_peak_on() -> bool {
    DEFAULT_TRUE_PEAK
}
fn min_bpm_default() -> f64 {
    DEFAULT_MIN_BPM
}
fn max_bpm_default() -> f64 {
    DEFAULT_MAX_BPM
}
fn one() -> u8 {
    1
}
fn target_default() -> f64 {
    R128_TARGET_LUFS
}
fn tolerance_default() -> f64 {
    R128_TOLERANCE_LU
}
fn true_peak_default() -> f64 {
    R128_MAX_TRUE_PEAK_DBTP
}

/// What a node does. One `match` in `pipeline::ops` turns each into a
/// stage handler.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Operation {
    /// Opens the file and reads its format facts; rejects what is not audio.
    Probe,
    /// One streaming decode pass: loudness, levels, silence, and the compact
    /// artifacts (onset envelope, chroma, spectral statistics) later stages use.
    Decode {
        /// Level below which samples count as silence, dBFS.
        #[serde(default = "silence_default")]
        silence_dbfs: f64,
        /// Measure the oversampled true peak (slower); off, the sample peak stands in.
        #[serde(default = "true_peak_on")]
        true_peak: bool,
        /// Decode only this many seconds from the start, for quick
        /// estimates; 0 decodes the whole file. An excerpt reports no
        /// loudness (it would not be the file's).
        #[serde(default)]
        excerpt_s: f64,
    },
    /// Spectral centroid, rolloff, flatness, flux and zero-crossing rate.
    Spectral,
    /// Tempo from the onset envelope; `refine` runs the beat tracker.
    Tempo {
        /// Refine the first estimate by beat tracking (which also reports the beats).
        #[serde(default)]
        refine: bool,
        /// Lower end of the preferred tempo range, BPM; estimates are
        /// drawn towards the range.
        #[serde(default = "min_bpm_default")]
        min_bpm: f64,
        /// Upper end of the preferred tempo range, BPM (above `min_bpm`).
        #[serde(default = "max_bpm_default")]
        max_bpm: f64,
    },
    /// Key and mode from chroma; `refine` lets three profile families vote.
    Key {
        /// Let three profile families (Temperley–Kostka–Payne, Bellman–Budge, Aarden–Essen) vote instead of asking `profile` alone.
        #[serde(default)]
        refine: bool,
        /// Profile family of the quick estimate; unused when `refine` is on.
        #[serde(default)]
        profile: KeyProfileChoice,
    },
    /// Reports the lowest confidence of the estimates so far as quality:
    /// refinements after it are skipped when it reaches the threshold.
    Confidence,
    /// Gathers earlier results; its quality is the lowest final confidence.
    Aggregate,
    /// Key notation and rounding for people.
    Notation {
        /// How the key is written in `key_display`.
        #[serde(default)]
        key_notation: KeyNotation,
        /// Decimals of `bpm_display`.
        #[serde(default = "one")]
        bpm_decimals: u8,
    },
    /// EBU R128 compliance: integrated loudness within tolerance of the
    /// target and true peak below the ceiling, else quality 0.
    LoudnessGate {
        /// Target integrated loudness, LUFS.
        #[serde(default = "target_default")]
        target_lufs: f64,
        /// How far from the target integrated loudness may be, LU.
        #[serde(default = "tolerance_default")]
        tolerance_lu: f64,
        /// Ceiling for the true peak, dBTP.
        #[serde(default = "true_peak_default")]
        max_true_peak_dbtp: f64,
        /// Fail the stage (not only report quality 0) on a violation.
        #[serde(default = "yes")]
        fail_on_violation: bool,
    },
    /// Gathers the wave's results into one record.
    Write,
    /// An installed plugin's stage, by name. Its parameters are checked
    /// against the plugin's manifest when the pipeline loads; the command
    /// it runs comes from the manifest, never from the pipeline file.
    Plugin {
        /// The plugin's name (its manifest's `name`).
        name: String,
        /// Parameter values by name; left out, the manifest's defaults.
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        params: BTreeMap<String, Value>,
    },
}

/// Static facts about an operation kind.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OperationInfo {
    /// Name as written in files (the variant name).
    pub name: &'static str,
    /// The stage kind it usually runs as.
    pub kind: WaveStage,
    /// Whether it is usually a refinement.
    pub refinement: bool,
    /// One line for menus and tooltips.
    pub summary: &'static str,
    /// Whether it reads earlier results beyond its inputs' artifacts (in
    /// progressive mode its cache key then covers every node before it).
    pub reads_prior: bool,
}

impl Operation {
    /// Every operation, with default parameters, in menu order.
    pub fn catalog() -> Vec<Operation> {
        vec![
            Operation::Probe,
            Operation::Decode {
                silence_dbfs: silence_default(),
                true_peak: DEFAULT_TRUE_PEAK,
                excerpt_s: 0.0,
            },
            Operation::Spectral,
            Operation::Tempo {
                refine: false,
                min_bpm: min_bpm_default(),
                max_bpm: max_bpm_default(),
            },
            Operation::Tempo {
                refine: true,
                min_bpm: min_bpm_default(),
                max_bpm: max_bpm_default(),
            },
            Operation::Key {
                refine: false,
                profile: KeyProfileChoice::Auto,
            },
            Operation::Key {
                refine: true,
                profile: KeyProfileChoice::Auto,
            },
            Operation::Confidence,
            Operation::Aggregate,
            Operation::Notation {
                key_notation: KeyNotation::Camelot,
                bpm_decimals: 1,
            },
            Operation::LoudnessGate {
                target_lufs: target_default(),
                tolerance_lu: tolerance_default(),
                max_true_peak_dbtp: true_peak_default(),
                fail_on_violation: true,
            },
            Operation::Write,
        ]
    }

    /// Static facts about this operation.
    pub fn info(&self) -> OperationInfo {
        use WaveStage::*;
        let (name, kind, refinement) = match self {
            Operation::Probe => ("Probe", Preparation, false),
            Operation::Decode { .. } => ("Decode", InitialAnalysis, false),
            Operation::Spectral => ("Spectral", FeatureExtraction, false),
            Operation::Tempo { refine, .. } => ("Tempo", DeepAnalysis, *refine),
            Operation::Key { refine, .. } => ("Key", DeepAnalysis, *refine),
            Operation::Confidence => ("Confidence", DeepAnalysis, false),
            Operation::Aggregate => ("Aggregate", Aggregation, false),
            Operation::Notation { .. } => ("Notation", PostProcessing, false),
            Operation::LoudnessGate { .. } => ("LoudnessGate", PostProcessing, false),
            Operation::Write => ("Write", Finalization, false),
            // The manifest has the real kind; this is only the fallback.
            Operation::Plugin { .. } => ("Plugin", FeatureExtraction, false),
        };
        let reads_prior = !matches!(
            self,
            Operation::Probe
                | Operation::Decode { .. }
                | Operation::Spectral
                | Operation::Key { .. }
                | Operation::Tempo { refine: false, .. }
        );
        OperationInfo {
            name,
            kind,
            refinement,
            summary: self.summary(),
            reads_prior,
        }
    }

    /// One line for menus and tooltips.
    fn summary(&self) -> &'static str {
        match self {
            Operation::Probe => "open the file and read its format",
            Operation::Decode { .. } => "decode once: loudness, levels and compact artifacts",
            Operation::Spectral => "spectral shape statistics",
            Operation::Tempo { refine: false, .. } => {
                "quick tempo estimate from the onset envelope"
            }
            Operation::Tempo { refine: true, .. } => "tempo refined by beat tracking",
            Operation::Key { refine: false, .. } => "quick key estimate",
            Operation::Key { refine: true, .. } => {
                "key refined by a vote of three profile families"
            }
            Operation::Confidence => "gate refinements on the quick estimates' confidence",
            Operation::Aggregate => "gather results; quality is the weakest confidence",
            Operation::Notation { .. } => "key notation and rounding",
            Operation::LoudnessGate { .. } => "EBU R128 compliance check",
            Operation::Write => "gather the result record",
            Operation::Plugin { .. } => "an installed plugin's stage",
        }
    }

    /// A label for people, e.g. "Tempo (refine)".
    pub fn label(&self) -> String {
        match self {
            Operation::Tempo { refine: true, .. } | Operation::Key { refine: true, .. } => {
                format!("{} (refine)", self.info().name)
            }
            Operation::Plugin { name, .. } => name.clone(),
            _ => self.info().name.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_fill_missing_parameters() {
        let op: Operation = ron::from_str("Tempo(refine: true)").unwrap();
        assert_eq!(
            op,
            Operation::Tempo {
                refine: true,
                min_bpm: DEFAULT_MIN_BPM,
                max_bpm: DEFAULT_MAX_BPM
            }
        );
        let op: Operation = ron::from_str("Probe").unwrap();
        assert_eq!(op, Operation::Probe);
    }

    #[test]
    fn plugin_nodes_carry_a_name_and_parameters_only() {
        let op: Operation =
            ron::from_str(r#"Plugin(name: "tags", params: {"gain": 1.5, "mode": "fast"})"#)
                .unwrap();
        let Operation::Plugin { name, params } = &op else {
            panic!("{op:?}")
        };
        assert_eq!(name, "tags");
        assert_eq!(params["gain"], serde_json::json!(1.5));
        assert_eq!(op.label(), "tags");
        let back: Operation = ron::from_str(&ron::to_string(&op).unwrap()).unwrap();
        assert_eq!(back, op);
        // A command line has no place in a pipeline file.
        let err = ron::from_str::<Operation>(r#"Plugin(name: "x", command: ["sh"])"#).unwrap_err();
        assert!(err.to_string().contains("command"), "{err}");
    }

    #[test]
    fn unknown_parameters_are_refused() {
        let err = ron::from_str::<Operation>("Tempo(speed: 2.0)").unwrap_err();
        assert!(err.to_string().contains("speed"), "{err}");
    }

    #[test]
    fn catalog_entries_are_valid_and_labelled() {
        for op in Operation::catalog() {
            assert!(op.problems().is_empty(), "{op:?}");
            assert!(!op.label().is_empty());
        }
        let bad = Operation::Tempo {
            refine: false,
            min_bpm: 150.0,
            max_bpm: 100.0,
        };
        assert_eq!(bad.problems()[0].0, "max_bpm");
    }
}
