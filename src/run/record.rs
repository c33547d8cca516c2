//! The record of one file's analysis (`FileResult`) and the wave input a
//! file becomes.

use std::path::Path;
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

use crate::orchestrator::{StageValues, WaveContext, WaveInput, WaveKey, WaveStatus};
use crate::pipeline::fields;

/// One file's outcome: fixed fields, then every value the pipeline produced.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileResult {
    /// The wave's caller key: the file's position in the run's inputs.
    /// Not written out (results are in key order).
    #[serde(skip)]
    pub key: WaveKey,
    /// The file's path as given (the input's label when it has none).
    pub file: String,
    /// True when every stage that ran succeeded.
    pub ok: bool,
    /// How the file's wave ended.
    pub status: WaveStatus,
    /// Every stage error, joined.
    pub error: Option<String>,
    /// The wave's quality: the lowest confidence a stage reported.
    pub quality: Option<f64>,
    /// Seconds from the wave's start to its end.
    pub analysis_s: f64,
    /// Every node's output came from the results library: nothing was
    /// computed.
    pub cached: bool,
    /// Nodes skipped, with why.
    pub skipped: Vec<String>,
    /// The values of every completed stage, later stages winning.
    #[serde(flatten)]
    pub values: StageValues,
    /// The series (beats, curves, waveform) of every completed stage in
    /// completion order: `(node, kind, bytes)`. Not in `values`, and
    /// written out only when asked for (`run --series`).
    #[serde(skip)]
    pub series: Vec<NodeSeries>,
}

/// One series of a record.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeSeries {
    /// The node that made it.
    pub node: String,
    /// Its kind's name.
    pub kind: String,
    /// Its stored form (`audio::series::Series::to_bytes`).
    pub bytes: Arc<[u8]>,
}

impl FileResult {
    /// A completed record of `file` with no values: the base that tests,
    /// benchmarks and tools fill in (`FileResult { status, ..FileResult::new(f) }`).
    pub fn new(file: impl Into<String>) -> Self {
        Self {
            key: WaveKey::default(),
            file: file.into(),
            ok: true,
            status: WaveStatus::Completed,
            error: None,
            quality: None,
            analysis_s: 0.0,
            cached: false,
            skipped: Vec::new(),
            values: StageValues::new(),
            series: Vec::new(),
        }
    }

    /// The same record with `values` (a JSON object; anything else adds
    /// nothing).
    pub fn with_values(mut self, values: Value) -> Self {
        if let Value::Object(map) = values {
            self.values.extend(map);
        }
        self
    }

    /// The record of a finished wave.
    pub fn from_context(ctx: &WaveContext) -> Self {
        let mut values =
            crate::pipeline::ops::merge_values(ctx.results.iter().map(|(_, o)| &o.values));
        let file = ctx
            .input
            .payload
            .get("path")
            .and_then(Value::as_str)
            .unwrap_or(&ctx.input.label)
            .to_string();
        values.remove(fields::FILE);
        let error = (!ctx.errors.is_empty()).then(|| {
            ctx.errors
                .iter()
                .map(|e| format!("{}: {}", e.node, e.message))
                .collect::<Vec<_>>()
                .join("; ")
        });
        let error = error
            .or_else(|| (ctx.status == WaveStatus::Cancelled).then(|| "cancelled".to_string()));
        Self {
            key: ctx.key,
            file,
            ok: ctx.status == WaveStatus::Completed,
            status: ctx.status,
            error,
            quality: ctx.quality(),
            analysis_s: ctx.duration.as_secs_f64(),
            cached: all_cached(ctx),
            skipped: ctx
                .skipped
                .iter()
                .map(|(n, r)| format!("{n}: {r}"))
                .collect(),
            values,
            series: ctx
                .results
                .iter()
                .flat_map(|(node, o)| {
                    o.series.iter().map(|(kind, bytes)| NodeSeries {
                        node: node.to_string(),
                        kind: kind.clone(),
                        bytes: bytes.clone(),
                    })
                })
                .collect(),
        }
    }

    /// A value by name, `Null` when absent.
    pub fn value(&self, key: &str) -> &Value {
        self.values.get(key).unwrap_or(&Value::Null)
    }
}

/// The wave input for one file.
pub fn wave_input(path: &Path) -> WaveInput {
    let label = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    WaveInput::new(
        label,
        // Losslessly: a name that is not UTF-8 is still found and stays
        // apart from its look-alikes.
        serde_json::json!({ "path": crate::library::path_text(path) }),
    )
}

/// Whether every node that completed came from the store.
pub(crate) fn all_cached(ctx: &WaveContext) -> bool {
    !ctx.results.is_empty() && ctx.results.iter().all(|(_, o)| o.cached)
}
