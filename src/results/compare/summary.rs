//! The comparison's summary: agreement per field, time per node for A and
//! B and their ratio, failures, quality distributions.

use std::collections::BTreeSet;

use serde::Serialize;

use super::fields::{Verdict, compare_field, compared_fields, is_octave};
use crate::run::FileResult;
use crate::run::pair::SideResult;

/// How often A and B agree on one field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldAgreement {
    /// The field.
    pub field: String,
    /// Files where both records have it.
    pub compared: usize,
    /// Files where the values agree.
    pub agreed: usize,
    /// Of the disagreements, those an octave apart (tempo only).
    pub octave: usize,
}

impl FieldAgreement {
    /// Agreed over compared, 0..=1 (1 when nothing was compared).
    pub fn share(&self) -> f64 {
        if self.compared == 0 {
            1.0
        } else {
            self.agreed as f64 / self.compared as f64
        }
    }
}

/// One side's cost in one node.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SideCost {
    /// CPU seconds its attempts used, over every file (`NodeTime::cpu_seconds`).
    pub cpu_seconds: f64,
    /// Seconds its attempts ran start to end, over every file.
    pub wall_seconds: f64,
    /// Files it computed for.
    pub computed: usize,
    /// Files whose output came from the library.
    pub cached: usize,
}

/// One node's cost on both sides (`None`: the pipeline has no such node).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeCost {
    /// The node's id.
    pub node: String,
    /// A's cost.
    pub a: Option<SideCost>,
    /// B's cost.
    pub b: Option<SideCost>,
}

impl NodeCost {
    /// B's CPU seconds over A's, when both ran it and A took any time.
    pub fn ratio(&self) -> Option<f64> {
        let (a, b) = (self.a.as_ref()?, self.b.as_ref()?);
        (a.cpu_seconds > 0.0).then(|| b.cpu_seconds / a.cpu_seconds)
    }
}

/// Files by quality, in tenths: `bins[i]` counts qualities in
/// `[i/10, (i+1)/10)` (1.0 in the last bin).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct QualityHistogram {
    /// Counts per tenth.
    pub bins: [usize; 10],
    /// Files without a quality.
    pub none: usize,
}

impl QualityHistogram {
    fn add(&mut self, q: Option<f64>) {
        match q {
            Some(q) if q.is_finite() => {
                let i = ((q.clamp(0.0, 1.0) * 10.0) as usize).min(9);
                self.bins[i] += 1;
            }
            _ => self.none += 1,
        }
    }
}

/// A failed (or partial, or cancelled) file on one side.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Failure {
    /// "A" or "B".
    pub side: &'static str,
    /// The file.
    pub file: String,
    /// Its status and error.
    pub error: String,
}

/// The comparison's summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Files compared.
    pub files: usize,
    /// Files where both completed and every compared field agrees.
    pub agreeing_files: usize,
    /// Agreement per compared field both pipelines produce.
    pub fields: Vec<FieldAgreement>,
    /// Values only A's records have.
    pub only_a: Vec<String>,
    /// Values only B's records have.
    pub only_b: Vec<String>,
    /// Time per node, A's nodes first (plan order), then B's own.
    pub nodes: Vec<NodeCost>,
    /// Every node's CPU seconds added up, A then B.
    pub total_cpu_seconds: [f64; 2],
    /// Every node's wall seconds added up, A then B (nodes of one file
    /// may overlap, so this can exceed the run's wall time).
    pub total_wall_seconds: [f64; 2],
    /// Files that did not complete, A's then B's.
    pub failures: Vec<Failure>,
    /// A's qualities.
    pub quality_a: QualityHistogram,
    /// B's qualities.
    pub quality_b: QualityHistogram,
}

impl Summary {
    /// The summary of paired records (A, B); `nodes` are each side's
    /// node ids in plan order.
    pub fn new(pairs: &[(SideResult, SideResult)], nodes: &[Vec<String>; 2]) -> Self {
        let nodes_cost = node_costs(pairs, nodes);
        let total = |of: fn(&SideCost) -> f64| {
            [0, 1].map(|i| {
                nodes_cost
                    .iter()
                    .filter_map(|n| if i == 0 { n.a.as_ref() } else { n.b.as_ref() })
                    .map(of)
                    .sum::<f64>()
            })
        };
        let total_cpu_seconds = total(|c| c.cpu_seconds);
        let total_wall_seconds = total(|c| c.wall_seconds);
        let mut quality_a = QualityHistogram::default();
        let mut quality_b = QualityHistogram::default();
        let mut failures = Vec::new();
        for (a, b) in pairs {
            quality_a.add(a.result.quality);
            quality_b.add(b.result.quality);
        }
        for (side, pick) in [("A", 0), ("B", 1)] {
            for pair in pairs {
                let r = if pick == 0 {
                    &pair.0.result
                } else {
                    &pair.1.result
                };
                if !r.ok {
                    failures.push(failure(side, r));
                }
            }
        }
        let (only_a, only_b) = only_on_one_side(pairs);
        Self {
            files: pairs.len(),
            agreeing_files: pairs
                .iter()
                .filter(|(a, b)| super::compare_records(a.result.clone(), b.result.clone()).agree)
                .count(),
            fields: agreement(pairs),
            only_a,
            only_b,
            nodes: nodes_cost,
            total_cpu_seconds,
            total_wall_seconds,
            failures,
            quality_a,
            quality_b,
        }
    }

    /// Agreement on `field`, if compared.
    pub fn field(&self, field: &str) -> Option<&FieldAgreement> {
        self.fields.iter().find(|f| f.field == field)
    }
}

fn failure(side: &'static str, r: &FileResult) -> Failure {
    Failure {
        side,
        file: r.file.clone(),
        error: match &r.error {
            Some(e) => format!("{}: {e}", r.status.label()),
            None => r.status.label().to_string(),
        },
    }
}

/// Agreement per compared field, over the files where both sides have it;
/// fields neither side compares on any file are left out.
fn agreement(pairs: &[(SideResult, SideResult)]) -> Vec<FieldAgreement> {
    let mut out = Vec::new();
    for field in compared_fields() {
        let mut f = FieldAgreement {
            field: field.to_string(),
            compared: 0,
            agreed: 0,
            octave: 0,
        };
        for (a, b) in pairs {
            match compare_field(field, &a.result.values, &b.result.values) {
                Some(Verdict::Agree) => {
                    f.compared += 1;
                    f.agreed += 1;
                }
                Some(Verdict::Differ(note)) => {
                    f.compared += 1;
                    f.octave += usize::from(is_octave(&note));
                }
                None => {}
            }
        }
        if f.compared > 0 {
            out.push(f);
        }
    }
    out
}

/// Value names (non-null somewhere) that only one side's records hold.
fn only_on_one_side(pairs: &[(SideResult, SideResult)]) -> (Vec<String>, Vec<String>) {
    let names = |pick: usize| -> BTreeSet<String> {
        pairs
            .iter()
            .map(|p| if pick == 0 { &p.0 } else { &p.1 })
            .flat_map(|r| r.result.values.iter())
            .filter(|(_, v)| !v.is_null())
            .map(|(k, _)| k.clone())
            .collect()
    };
    let (a, b) = (names(0), names(1));
    (
        a.difference(&b).cloned().collect(),
        b.difference(&a).cloned().collect(),
    )
}

/// Cost per node: A's nodes in plan order, then B's nodes A lacks.
fn node_costs(pairs: &[(SideResult, SideResult)], nodes: &[Vec<String>; 2]) -> Vec<NodeCost> {
    let [na, nb] = nodes;
    let mut order: Vec<&String> = na.iter().collect();
    order.extend(nb.iter().filter(|n| !na.contains(n)));
    order
        .into_iter()
        .map(|node| NodeCost {
            node: node.clone(),
            a: na
                .contains(node)
                .then(|| side_cost(pairs.iter().map(|p| &p.0), node)),
            b: nb
                .contains(node)
                .then(|| side_cost(pairs.iter().map(|p| &p.1), node)),
        })
        .collect()
}

fn side_cost<'a>(results: impl Iterator<Item = &'a SideResult>, node: &str) -> SideCost {
    let mut cost = SideCost::default();
    for t in results.flat_map(|r| r.node_times.iter().filter(|t| t.node == node)) {
        if t.cached {
            cost.cached += 1;
        } else if t.ran {
            cost.computed += 1;
            cost.cpu_seconds += t.cpu_seconds;
            cost.wall_seconds += t.wall_seconds;
        }
    }
    cost
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        reason = "a failed unwrap in a test is a failed test"
    )]

    use serde_json::json;

    use super::*;
    use crate::orchestrator::WaveKey;
    use crate::results::compare::{CompareError, Comparison, PipelineTag};
    use crate::run::pair::{NodeTime, Side};

    fn record(key: u64, values: serde_json::Value, quality: f64) -> FileResult {
        FileResult {
            key: WaveKey(key),
            quality: Some(quality),
            analysis_s: 0.1,
            ..FileResult::new(format!("f{key}.wav")).with_values(values)
        }
    }

    fn side(side: Side, result: FileResult, times: &[(&str, f64, bool)]) -> SideResult {
        SideResult {
            side,
            result,
            node_times: times
                .iter()
                .map(|&(node, seconds, cached)| NodeTime {
                    node: node.into(),
                    cpu_seconds: seconds,
                    wall_seconds: 2.0 * seconds,
                    cached,
                    ran: true,
                })
                .collect(),
        }
    }

    fn tags() -> [PipelineTag; 2] {
        ["A", "B"].map(|n| PipelineTag {
            name: n.into(),
            hash: "0".into(),
        })
    }

    #[test]
    fn the_summary_counts_agreement_octaves_costs_and_qualities() {
        let results = vec![
            side(
                Side::A,
                record(
                    0,
                    json!({"bpm": 120.0, "key": "A minor", "spectral_centroid_hz": 900.0}),
                    0.95,
                ),
                &[("decode", 1.0, false), ("tempo", 0.5, false)],
            ),
            side(
                Side::B,
                record(0, json!({"bpm": 240.0, "key": "A minor"}), 0.55),
                &[("decode", 0.25, false), ("tempo", 0.25, false)],
            ),
            side(
                Side::A,
                record(
                    1,
                    json!({"bpm": 90.0, "key": "C major", "spectral_centroid_hz": 800.0}),
                    0.85,
                ),
                &[("decode", 1.0, false), ("tempo", 0.5, false)],
            ),
            side(
                Side::B,
                record(1, json!({"bpm": 91.0, "key": "C major"}), 0.75),
                &[("decode", 0.0, true), ("tempo", 0.25, false)],
            ),
        ];
        let nodes = [
            vec!["decode".to_string(), "tempo".to_string()],
            vec!["decode".to_string(), "tempo".to_string()],
        ];
        let c = Comparison::new(tags(), results, &nodes).unwrap();
        let s = &c.summary;
        assert_eq!((s.files, s.agreeing_files), (2, 1));
        let bpm = s.field("bpm").unwrap();
        assert_eq!((bpm.compared, bpm.agreed, bpm.octave), (2, 1, 1));
        assert_eq!(s.field("key").unwrap().agreed, 2);
        assert_eq!(s.only_a, ["spectral_centroid_hz"]);
        let decode = &s.nodes[0];
        assert_eq!(decode.a.as_ref().unwrap().cpu_seconds, 2.0);
        assert_eq!(decode.a.as_ref().unwrap().wall_seconds, 4.0);
        assert_eq!(decode.b.as_ref().unwrap().cached, 1);
        assert_eq!(decode.ratio(), Some(0.125));
        assert_eq!(s.total_cpu_seconds, [3.0, 0.75]);
        assert_eq!(s.total_wall_seconds, [6.0, 1.5]);
        assert_eq!(s.quality_a.bins[9], 1);
        assert_eq!(s.quality_b.bins[5], 1);
        assert_eq!(
            c.files[0].differences[0].note,
            "octave apart: B is double A"
        );
        assert_eq!(c.disagreements_first()[0].file, "f0.wav");
    }

    #[test]
    fn a_file_on_one_side_only_is_not_compared() {
        let results = vec![
            side(Side::A, record(0, json!({}), 1.0), &[]),
            side(Side::B, record(0, json!({}), 1.0), &[]),
            side(Side::A, record(1, json!({}), 1.0), &[]),
        ];
        let err = Comparison::new(tags(), results, &[vec![], vec![]]).unwrap_err();
        assert_eq!(
            err,
            CompareError::DifferentFiles {
                file: "f1.wav".into(),
                only: "A"
            }
        );
        assert_eq!(
            Comparison::new(tags(), vec![], &[vec![], vec![]]).unwrap_err(),
            CompareError::NoFiles
        );
    }
}
