//! The rows the library stores and returns.

use std::path::PathBuf;

use super::fingerprint::{FileStamp, Fingerprint};

/// A run's id in the library.
pub type RunId = i64;

/// One part of a sharded run: shard `index` of `count`, numbered from 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Shard {
    /// This part, `0..count`.
    pub index: u32,
    /// How many parts the inputs were split into, at least 1.
    pub count: u32,
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// A run about to start.
#[derive(Debug, Clone)]
pub struct NewRun {
    /// The pipeline's name.
    pub pipeline_name: String,
    /// The hash of the pipeline's saved form.
    pub pipeline_hash: String,
    /// The pipeline's saved form (RON).
    pub pipeline_text: String,
    /// The program's version.
    pub program_version: String,
    /// The files to analyse, in order.
    pub inputs: Vec<PathBuf>,
    /// The shard this run is, when the inputs were split (`run --shard`).
    pub shard: Option<Shard>,
    /// The machine it runs on (its host name), when known.
    pub host: Option<String>,
}

/// How a run's files ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunCounts {
    /// Files whose every stage succeeded.
    pub ok: u64,
    /// Files with a failed stage.
    pub failed: u64,
    /// Files cancelled or not started.
    pub cancelled: u64,
    /// Files answered entirely from stored node outputs.
    pub cached: u64,
}

/// The columns of a result that lists and filters need without parsing
/// the whole record.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResultSummary {
    /// How the file's wave ended ("completed", "failed", ...).
    pub status: String,
    /// True when every stage that ran succeeded.
    pub ok: bool,
    /// True when no node had to be computed.
    pub cached: bool,
    /// Every stage error, joined.
    pub error: Option<String>,
    /// The wave's quality.
    pub quality: Option<f64>,
    /// Tempo, BPM.
    pub bpm: Option<f64>,
    /// Key, e.g. "A minor".
    pub key: Option<String>,
    /// Camelot code, e.g. "8A".
    pub camelot: Option<String>,
    /// Integrated loudness, LUFS.
    pub lufs: Option<f64>,
    /// Duration, seconds.
    pub duration_s: Option<f64>,
    /// Seconds the analysis took.
    pub analysis_s: f64,
    /// The tempo's candidates with their scores, or why there is no tempo.
    pub bpm_note: Option<String>,
    /// Why there is no key, when there is none for a reason.
    pub key_note: Option<String>,
    /// The tempo's confidence (read from the stored record, not a column).
    pub bpm_confidence: Option<f64>,
    /// The key's confidence (from the record).
    pub key_confidence: Option<f64>,
    /// The second-best key (from the record).
    pub key_runner_up: Option<String>,
    /// Nodes skipped and why, one line each (from the record).
    pub skipped: Vec<String>,
    /// Loudness range, LU (from the record).
    pub loudness_range_lu: Option<f64>,
    /// True peak, dBTP (from the record).
    pub true_peak_dbtp: Option<f64>,
    /// Whether the loudness gate passed; `None` without one (from the
    /// record).
    pub loudness_compliant: Option<bool>,
    /// Why the loudness gate did not pass (from the record).
    pub loudness_issues: Vec<String>,
    /// Why the values of a completed file cover only part of it (the
    /// decoder stopped early: a truncated or damaged file), when they do.
    pub partial_note: Option<String>,
}

/// A computed node output to keep, under its cache key.
#[derive(Debug, Clone)]
pub struct NodeOutputRow {
    /// The node's cache key.
    pub cache_key: String,
    /// The output, as JSON.
    pub output: String,
    /// Its series, by kind, in their stored form.
    pub series: Vec<(String, std::sync::Arc<[u8]>)>,
}

/// Produces an artifact's bytes; called on the writer thread, so encoding
/// costs the engine nothing.
pub type ArtifactBytes = Box<dyn FnOnce() -> Vec<u8> + Send>;

/// Decoded artifacts to keep, under the decoding node's cache key.
pub struct ArtifactRow {
    /// The decoding node's cache key.
    pub cache_key: String,
    /// The bytes, made on the writer thread.
    pub bytes: ArtifactBytes,
}

impl std::fmt::Debug for ArtifactRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ArtifactRow")
            .field("cache_key", &self.cache_key)
            .finish_non_exhaustive()
    }
}

/// One finished file: written in one transaction with its node outputs.
#[derive(Debug)]
pub struct FinishedFile {
    /// The run it belongs to.
    pub run: RunId,
    /// The pipeline's name (one current result per pipeline and file).
    pub pipeline_name: String,
    /// The pipeline's hash.
    pub pipeline_hash: String,
    /// The file as analysed.
    pub path: PathBuf,
    /// Its stamp when its fingerprint was taken.
    pub stamp: FileStamp,
    /// Its content fingerprint.
    pub fingerprint: Fingerprint,
    /// The columns for lists.
    pub summary: ResultSummary,
    /// The whole result record, as JSON.
    pub record: String,
    /// Node outputs computed in this run (not those taken from the store).
    pub outputs: Vec<NodeOutputRow>,
    /// Decoded artifacts computed in this run.
    pub artifacts: Vec<ArtifactRow>,
    /// The cache key of each node that completed, by node id (computed or
    /// taken from the store): where the result's series are.
    pub node_keys: Vec<(String, String)>,
}

/// A result's series, as `Library::series_of` finds them.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultSeries {
    /// The result's pipeline name.
    pub pipeline_name: String,
    /// The result's pipeline hash.
    pub pipeline_hash: String,
    /// The file's duration as analysed, seconds.
    pub duration_s: Option<f64>,
    /// Each node's series, nodes in the order they completed.
    pub series: Vec<StoredSeries>,
}

/// One stored series of a result.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredSeries {
    /// The node that made it.
    pub node: String,
    /// Its kind's name (`audio::series::SeriesKind::name`).
    pub kind: String,
    /// Its bytes (`audio::series::Series::to_bytes`).
    pub data: Vec<u8>,
}

/// A stored result, as lists show it.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultRow {
    /// The pipeline's name.
    pub pipeline_name: String,
    /// The hash of the pipeline that produced it (`pipeline::content_hash`).
    pub pipeline_hash: String,
    /// The file's current path.
    pub path: String,
    /// The run that produced it.
    pub run: RunId,
    /// Unix time, milliseconds, when the file finished.
    pub finished_ms: i64,
    /// The list columns.
    pub summary: ResultSummary,
}

/// Which results to list or export.
#[derive(Debug, Clone, Default)]
pub struct ResultFilter {
    /// Only this pipeline's (by name).
    pub pipeline: Option<String>,
    /// Only results of the pipeline with this hash (a pipeline as saved:
    /// two that share a name stay apart).
    pub pipeline_hash: Option<String>,
    /// Only files under this folder.
    pub folder: Option<PathBuf>,
    /// Only this run's.
    pub run: Option<RunId>,
}

/// A stored run.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRow {
    /// Its id.
    pub id: RunId,
    /// The pipeline's name.
    pub pipeline_name: String,
    /// The pipeline's hash.
    pub pipeline_hash: String,
    /// The program version that ran it.
    pub program_version: String,
    /// Unix time, milliseconds.
    pub started_ms: i64,
    /// Unix time, milliseconds; `None` while running or after a crash.
    pub finished_ms: Option<i64>,
    /// Files it was given.
    pub files_total: u64,
    /// How they ended (as far as recorded).
    pub counts: RunCounts,
    /// The shard it was, when the inputs were split.
    pub shard: Option<Shard>,
    /// The machine that ran it, when recorded.
    pub host: Option<String>,
}

/// Milliseconds since the Unix epoch, now.
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
