//! Exporting a file's series: CSV as sonic-annotator writes it (one row
//! per event or frame, seconds first) and JAMS 0.3 (the `jams` package's
//! JSON), plus the JSON form `run --series` adds to each result.

mod csv;
mod jams;
mod json;

use crate::audio::series::{Series, SeriesKind};
use crate::run::FileResult;

pub use csv::write_csv;
pub use jams::{JamsSource, jams};
pub use json::series_json;

/// What can be exported: the stored kinds, and the downbeats of the beats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum ExportKind {
    /// Every beat with its position in the bar.
    Beats,
    /// The first beat of each bar, with its bar number.
    Downbeats,
    /// Local tempo per window.
    Tempo,
    /// Key segments.
    Key,
    /// Momentary and short-term loudness, true peak per second.
    Loudness,
    /// Waveform overview: min, max, RMS per column.
    Waveform,
}

impl ExportKind {
    /// The stored series it is read from.
    pub fn source(self) -> SeriesKind {
        match self {
            ExportKind::Beats | ExportKind::Downbeats => SeriesKind::Beats,
            ExportKind::Tempo => SeriesKind::Tempo,
            ExportKind::Key => SeriesKind::Key,
            ExportKind::Loudness => SeriesKind::Loudness,
            ExportKind::Waveform => SeriesKind::Waveform,
        }
    }

    /// Its name in file names and messages.
    pub fn name(self) -> &'static str {
        match self {
            ExportKind::Beats => "beats",
            ExportKind::Downbeats => "downbeats",
            ExportKind::Tempo => "tempo",
            ExportKind::Key => "key",
            ExportKind::Loudness => "loudness",
            ExportKind::Waveform => "waveform",
        }
    }
}

/// A decoded series and the node that made it.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeSeriesValue {
    /// The node.
    pub node: String,
    /// The series.
    pub series: Series,
}

/// The series of `kind` among `all`: the last one (later nodes refine
/// earlier ones, as values do).
pub fn pick(all: &[NodeSeriesValue], kind: SeriesKind) -> Option<&NodeSeriesValue> {
    all.iter().rev().find(|s| s.series.kind() == kind)
}

/// `r`'s series decoded, with their nodes (unreadable ones left out).
pub fn decoded(r: &FileResult) -> Vec<NodeSeriesValue> {
    r.series
        .iter()
        .filter_map(|s| {
            Some(NodeSeriesValue {
                node: s.node.clone(),
                series: Series::from_bytes(&s.bytes).ok()?,
            })
        })
        .collect()
}

/// `r` with a `series` value holding `kinds` in their JSON form (by the
/// stored kind's name: downbeats are in `beats`); `r` itself without kinds.
pub fn with_series(r: &FileResult, kinds: &[ExportKind]) -> FileResult {
    let mut out = r.clone();
    if kinds.is_empty() {
        return out;
    }
    let all = decoded(r);
    let map: serde_json::Map<String, serde_json::Value> = kinds
        .iter()
        .filter_map(|k| {
            let s = pick(&all, k.source())?;
            Some((k.source().name().to_string(), series_json(&s.series)))
        })
        .collect();
    out.values
        .insert("series".into(), serde_json::Value::Object(map));
    out
}

/// Time in seconds as exports write it: microseconds, no trailing noise.
fn secs(t: f64) -> String {
    format!("{t:.6}")
}
