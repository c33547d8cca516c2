//! The seven stage kinds a plan node can have.

use serde::{Deserialize, Serialize};

/// The kind of a stage node. A plan may hold several nodes of one kind; the
/// default plan holds one of each, in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum WaveStage {
    /// Getting the input ready: opening and checking it (`Probe`).
    Preparation,
    /// The first pass over the data (`Decode`).
    InitialAnalysis,
    /// Derived features (`Spectral`).
    FeatureExtraction,
    /// The main estimates: tempo, key and their confidence.
    DeepAnalysis,
    /// Gathering earlier results into one (`Aggregate`).
    Aggregation,
    /// Presentation and checks on the gathered results (notation, loudness gate).
    PostProcessing,
    /// Writing the wave's result record (`Write`).
    Finalization,
}

impl WaveStage {
    /// All kinds, in pipeline order.
    pub const ALL: [WaveStage; 7] = [
        WaveStage::Preparation,
        WaveStage::InitialAnalysis,
        WaveStage::FeatureExtraction,
        WaveStage::DeepAnalysis,
        WaveStage::Aggregation,
        WaveStage::PostProcessing,
        WaveStage::Finalization,
    ];

    /// A stable lower-case name, used for node ids of the default plan.
    pub fn name(self) -> &'static str {
        match self {
            WaveStage::Preparation => "preparation",
            WaveStage::InitialAnalysis => "initial_analysis",
            WaveStage::FeatureExtraction => "feature_extraction",
            WaveStage::DeepAnalysis => "deep_analysis",
            WaveStage::Aggregation => "aggregation",
            WaveStage::PostProcessing => "post_processing",
            WaveStage::Finalization => "finalization",
        }
    }

    /// A human label.
    pub fn label(self) -> &'static str {
        match self {
            WaveStage::Preparation => "Preparation",
            WaveStage::InitialAnalysis => "Initial analysis",
            WaveStage::FeatureExtraction => "Feature extraction",
            WaveStage::DeepAnalysis => "Deep analysis",
            WaveStage::Aggregation => "Aggregation",
            WaveStage::PostProcessing => "Post-processing",
            WaveStage::Finalization => "Finalization",
        }
    }

    /// Position in pipeline order (0..7).
    pub fn index(self) -> usize {
        self as usize
    }
}

/// A kind as a handler name (`"preparation"`, ...), so handlers can be
/// registered by kind: `register_stage_handler(WaveStage::Preparation, h)`.
impl From<WaveStage> for String {
    fn from(kind: WaveStage) -> Self {
        kind.name().to_string()
    }
}

impl std::fmt::Display for WaveStage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_is_in_pipeline_order() {
        for (i, kind) in WaveStage::ALL.iter().enumerate() {
            assert_eq!(kind.index(), i);
        }
        let names: std::collections::BTreeSet<_> =
            WaveStage::ALL.iter().map(|k| k.name()).collect();
        assert_eq!(names.len(), 7);
    }
}
