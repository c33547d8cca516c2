//! An A/B comparison of two pipelines' records of the same files: per file
//! the values that differ (and how), and a summary: agreement per field,
//! time per node for A and B and their ratio, failures, and quality
//! distributions. Plain data in, plain data out: no engine, no screen.

mod fields;
mod summary;

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

pub use fields::{
    DURATION_TOLERANCE_S, LEVEL_TOLERANCE_DB, SPECTRAL_TOLERANCE, TEMPO_TOLERANCE, Verdict,
    compare_field, compared_fields, is_octave, key_relation, tempo_numbers,
};
pub use summary::{FieldAgreement, NodeCost, QualityHistogram, SideCost, Summary};

use crate::run::pair::{Side, SideResult};

/// Why two sets of records cannot be compared.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CompareError {
    /// Neither side has a record.
    #[error("nothing to compare: no file was analysed")]
    NoFiles,
    /// A file has a record on one side only (a run cut short).
    #[error("cannot compare: {file} was analysed by {only} only (the comparison needs both)")]
    DifferentFiles {
        /// The first such file.
        file: String,
        /// The side that has it.
        only: &'static str,
    },
}

/// One field of one file where A and B differ.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldDiff {
    /// The field's name in the records.
    pub field: String,
    /// A's value.
    pub a: Value,
    /// B's value.
    pub b: Value,
    /// How they differ ("octave apart: B is double A", "-0.20 LU").
    pub note: String,
}

/// One file on both sides.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileComparison {
    /// The file's path.
    pub file: String,
    /// Both completed and every compared field agrees.
    pub agree: bool,
    /// The fields that differ, in table order.
    pub differences: Vec<FieldDiff>,
    /// A's whole record.
    pub a: crate::run::FileResult,
    /// B's whole record.
    pub b: crate::run::FileResult,
}

/// Both pipelines' names and hashes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PipelineTag {
    /// Its name.
    pub name: String,
    /// Its content hash.
    pub hash: String,
}

/// A whole comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// Pipeline A.
    pub a: PipelineTag,
    /// Pipeline B.
    pub b: PipelineTag,
    /// Every file, in input order (by key).
    pub files: Vec<FileComparison>,
    /// The summary.
    pub summary: Summary,
}

impl Comparison {
    /// Pairs the records by file key and compares them. `nodes` are A's
    /// and B's node ids in plan order (the cost table's order).
    pub fn new(
        tags: [PipelineTag; 2],
        results: Vec<SideResult>,
        nodes: &[Vec<String>; 2],
    ) -> Result<Self, CompareError> {
        let mut by_key: BTreeMap<u64, [Option<SideResult>; 2]> = BTreeMap::new();
        for r in results {
            let slot = by_key.entry(r.result.key.0).or_default();
            let i = usize::from(r.side == Side::B);
            slot[i] = Some(r);
        }
        if by_key.is_empty() {
            return Err(CompareError::NoFiles);
        }
        let mut pairs = Vec::with_capacity(by_key.len());
        for (_, [a, b]) in by_key {
            match (a, b) {
                (Some(a), Some(b)) => pairs.push((a, b)),
                (Some(a), None) => return Err(different(&a, "A")),
                (None, Some(b)) => return Err(different(&b, "B")),
                (None, None) => {}
            }
        }
        let summary = Summary::new(&pairs, nodes);
        let files = pairs
            .into_iter()
            .map(|(a, b)| compare_records(a.result, b.result))
            .collect();
        let [a, b] = tags;
        Ok(Self {
            a,
            b,
            files,
            summary,
        })
    }

    /// The files, disagreements (and failures) first, then in input order.
    pub fn disagreements_first(&self) -> Vec<&FileComparison> {
        let mut files: Vec<&FileComparison> = self.files.iter().collect();
        files.sort_by_key(|f| f.agree);
        files
    }
}

fn different(r: &SideResult, only: &'static str) -> CompareError {
    CompareError::DifferentFiles {
        file: r.result.file.clone(),
        only,
    }
}

/// Compares every compared field both records have.
pub fn compare_records(a: crate::run::FileResult, b: crate::run::FileResult) -> FileComparison {
    let mut differences = Vec::new();
    for field in compared_fields() {
        if let Some(Verdict::Differ(note)) = compare_field(field, &a.values, &b.values) {
            differences.push(FieldDiff {
                field: field.to_string(),
                a: a.value(field).clone(),
                b: b.value(field).clone(),
                note,
            });
        }
    }
    FileComparison {
        file: a.file.clone(),
        agree: differences.is_empty() && a.ok && b.ok,
        differences,
        a,
        b,
    }
}
