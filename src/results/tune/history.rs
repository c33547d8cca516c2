//! A pipeline's history, read back from the library's node outputs (no
//! schema of its own): per file, the gate's confidence (the highest quality
//! the nodes before the refinements reported, as early termination reads
//! it) and whether the refinements changed the tempo or the key.
//!
//! Only files whose refinements ran tell whether they would change the
//! answer: files skipped by the gate at the time add nothing. A run with
//! early termination off (or a high threshold) fills the upper bins.

use std::collections::BTreeSet;

use super::Sample;
use crate::library::{Library, LibraryError};
use crate::orchestrator::{StageOutput, StageValues};
use crate::pipeline::cache::{cache_key, node_keys_with};
use crate::pipeline::plugin::Installed;
use crate::pipeline::{PipelineDocument, fields};
use crate::results::compare::{Verdict, compare_field};

/// Why there is no history to tune from.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// The pipeline has no refinement node: there is nothing to skip.
    #[error("pipeline `{0}` has no refinement node: the quality gate skips nothing")]
    NoRefinement(String),
    /// The library could not be read.
    #[error(transparent)]
    Library(#[from] LibraryError),
}

/// The answers the gate's confidence vouches for (the confidence gate is
/// the lower of the tempo's and the key's).
const ANSWERS: [&str; 2] = [fields::BPM, fields::KEY];

/// Ids of the non-refinement nodes the refinements depend on, directly or
/// not, in document order.
fn gate_nodes(doc: &PipelineDocument) -> Vec<String> {
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    let mut stack: Vec<&str> = doc
        .nodes
        .iter()
        .filter(|n| n.refinement)
        .map(|n| n.id.as_str())
        .collect();
    while let Some(id) = stack.pop() {
        for dep in doc.dependencies(id) {
            if seen.insert(dep) {
                stack.push(dep);
            }
        }
    }
    doc.nodes
        .iter()
        .filter(|n| !n.refinement && seen.contains(n.id.as_str()))
        .map(|n| n.id.to_string())
        .collect()
}

/// The stored outputs of `nodes` for the file `fp`, in order.
fn outputs(
    library: &Library,
    keys: &std::collections::BTreeMap<String, String>,
    nodes: &[String],
    fp: &str,
) -> Result<Vec<StageOutput>, LibraryError> {
    let mut out = Vec::new();
    for node in nodes {
        let Some(key) = keys.get(node) else { continue };
        if let Some(text) = library.node_output(&cache_key(key, fp))?
            && let Ok(o) = serde_json::from_str::<StageOutput>(&text)
        {
            out.push(o);
        }
    }
    Ok(out)
}

fn merged(outputs: &[StageOutput]) -> StageValues {
    crate::pipeline::ops::merge_values(outputs.iter().map(|o| &o.values))
}

/// One file's sample from its gate and refinement outputs: `None` when
/// the gate reported no confidence or no refinement answer is stored.
pub(super) fn sample(gate: &[StageOutput], refined: &[StageOutput]) -> Option<Sample> {
    let confidence = gate.iter().filter_map(|o| o.quality).reduce(f64::max)?;
    let (quick, refined) = (merged(gate), merged(refined));
    let mut compared = false;
    let mut agreed = true;
    for field in ANSWERS {
        if !refined.contains_key(field) || !quick.contains_key(field) {
            continue;
        }
        compared = true;
        agreed &= compare_field(field, &quick, &refined) == Some(Verdict::Agree);
    }
    compared.then_some(Sample { confidence, agreed })
}

/// The history of `doc` in `library`: one sample per file whose gate and
/// refinement outputs are stored under `doc`'s current node keys (so
/// outputs of any earlier pipeline with the same nodes count too).
pub fn history(
    doc: &PipelineDocument,
    library: &Library,
    plugins: &Installed,
) -> Result<Vec<Sample>, HistoryError> {
    let refinements: Vec<String> = doc
        .nodes
        .iter()
        .filter(|n| n.refinement)
        .map(|n| n.id.to_string())
        .collect();
    if refinements.is_empty() {
        return Err(HistoryError::NoRefinement(doc.name.clone()));
    }
    let gate = gate_nodes(doc);
    let keys = node_keys_with(doc, plugins);
    let mut samples = Vec::new();
    for fp in library.output_fingerprints()? {
        let refined = outputs(library, &keys, &refinements, &fp)?;
        if refined.is_empty() {
            continue;
        }
        let gate_out = outputs(library, &keys, &gate, &fp)?;
        if let Some(s) = sample(&gate_out, &refined) {
            samples.push(s);
        }
    }
    Ok(samples)
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        reason = "a failed unwrap in a test is a failed test"
    )]

    use serde_json::json;

    use serde_json::Value;

    use super::*;
    use crate::pipeline::default_document;

    fn output(values: Value, quality: Option<f64>) -> StageOutput {
        let out = StageOutput::new(values.as_object().cloned().unwrap_or_default());
        match quality {
            Some(q) => out.with_quality(q),
            None => out,
        }
    }

    #[test]
    fn the_gate_is_every_plain_node_before_a_refinement() {
        let doc = default_document().unwrap();
        assert_eq!(
            gate_nodes(&doc),
            ["probe", "decode", "tempo", "key", "confidence"]
        );
    }

    #[test]
    fn a_refinement_that_moves_the_tempo_an_octave_disagrees() {
        let gate = [
            output(json!({"bpm": 120.0}), None),
            output(json!({"key": "A minor"}), None),
            output(json!({"quick_confidence": 0.7}), Some(0.7)),
        ];
        let same = [output(json!({"bpm": 121.0, "key": "A minor"}), None)];
        let octave = [output(json!({"bpm": 60.0, "key": "A minor"}), None)];
        assert_eq!(
            sample(&gate, &same),
            Some(Sample {
                confidence: 0.7,
                agreed: true
            })
        );
        assert_eq!(sample(&gate, &octave).map(|s| s.agreed), Some(false));
        // Without a refined answer the file tells nothing.
        assert_eq!(sample(&gate, &[output(json!({"x": 1}), None)]), None);
    }
}
