//! A run's link to the results library: fingerprints on the way in,
//! finished files (result, computed node outputs, decoded artifacts) on the
//! way out, through the library's single writer.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parking_lot::Mutex;
use serde_json::Value;

use super::record::{FileResult, wave_input};
use crate::audio::Artifacts;
use crate::library::{
    ArtifactRow, FileStamp, Fingerprint, FinishedFile, Library, LibraryError, NewRun,
    NodeOutputRow, ResultSummary, RunCounts, RunId, Shard, Writer,
};
use crate::orchestrator::{NodeId, WaveContext, WaveInput, WaveStatus};
use crate::pipeline::cache::{FINGERPRINT, cache_key};
use crate::pipeline::fields;

const SIZE: &str = "size";
const MTIME_NS: &str = "mtime_ns";

/// What a runner needs to use the library.
#[derive(Clone)]
pub(crate) struct LibraryLink {
    pub library: Arc<Library>,
    /// Each node's key before the file is known, by node id.
    pub node_keys: BTreeMap<String, String>,
    /// The pipeline's saved form, for the run's row.
    pub text: String,
    /// The shard the run is (`run --shard`), for the run's row.
    pub shard: Option<Shard>,
}

/// How a run's writes to the library went; shared with whoever started it.
#[derive(Debug, Clone, Default)]
pub struct StoreStatus(Arc<Mutex<StoreState>>);

/// A snapshot of [`StoreStatus`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StoreState {
    /// The library file.
    pub path: PathBuf,
    /// The run's id in the library, once recorded.
    pub run: Option<RunId>,
    /// Files written so far (known when the writer closes).
    pub written: u64,
    /// Time the writer spent writing (known when it closes).
    pub writer_busy: std::time::Duration,
    /// The first error: the run goes on, its results are not stored.
    pub error: Option<String>,
    /// The writer has finished.
    pub closed: bool,
}

impl StoreStatus {
    pub(crate) fn new(path: &Path) -> Self {
        Self(Arc::new(Mutex::new(StoreState {
            path: path.to_path_buf(),
            ..StoreState::default()
        })))
    }

    /// The state now.
    pub fn get(&self) -> StoreState {
        self.0.lock().clone()
    }

    pub(crate) fn update(&self, f: impl FnOnce(&mut StoreState)) {
        f(&mut self.0.lock());
    }
}

/// The wave input for `path` with its stamp and fingerprint (reading the
/// file only when the library does not know it as it is). A file that
/// cannot be read goes in without one: it is analysed (and fails) uncached.
pub(crate) fn fingerprinted_input(library: &Library, path: &Path) -> WaveInput {
    let mut input = wave_input(path);
    if let Ok((stamp, fp)) = library.fingerprint(path)
        && let Some(payload) = input.payload.as_object_mut()
    {
        payload.insert(FINGERPRINT.into(), Value::String(fp.0));
        payload.insert(SIZE.into(), stamp.size.into());
        payload.insert(MTIME_NS.into(), stamp.mtime_ns.into());
    }
    input
}

/// Starts the writer and records the run (blocking: call off the async
/// threads).
pub(crate) fn begin(
    link: &LibraryLink,
    name: &str,
    hash: &str,
    inputs: &[PathBuf],
) -> Result<(Writer, RunId), LibraryError> {
    let writer = link.library.writer()?;
    let run = writer.begin_run(NewRun {
        pipeline_name: name.to_string(),
        pipeline_hash: hash.to_string(),
        pipeline_text: link.text.clone(),
        program_version: env!("CARGO_PKG_VERSION").to_string(),
        inputs: inputs.to_vec(),
        shard: link.shard,
        host: sysinfo::System::host_name().ok(),
    })?;
    Ok((writer, run))
}

/// Records a run that had no file to analyse (an empty shard), finished at
/// once, so a merge knows the shard ran. Blocking.
pub(crate) fn record_empty(
    link: &LibraryLink,
    name: &str,
    hash: &str,
) -> Result<RunId, LibraryError> {
    let (writer, run) = begin(link, name, hash, &[])?;
    writer.finish_run(run, RunCounts::default());
    writer.close()?;
    Ok(run)
}

/// Adds a finished file to the run's counts.
pub(crate) fn count(counts: &mut RunCounts, result: &FileResult) {
    match result.status {
        WaveStatus::Completed => counts.ok += 1,
        WaveStatus::Cancelled | WaveStatus::Pending | WaveStatus::Running => counts.cancelled += 1,
        WaveStatus::PartiallyCompleted | WaveStatus::Failed => counts.failed += 1,
    }
    if result.cached {
        counts.cached += 1;
    }
}

/// A finished wave as the library's rows; `None` for a cancelled wave (it
/// did not finish) or a file without a fingerprint.
pub(crate) fn finished_file(
    link: &LibraryLink,
    run: RunId,
    (name, hash): (&str, &str),
    ctx: &WaveContext,
    result: &FileResult,
    artifacts: Vec<(NodeId, Arc<Artifacts>)>,
) -> Option<FinishedFile> {
    if result.status == WaveStatus::Cancelled {
        return None;
    }
    let payload = &ctx.input.payload;
    let fp = payload.get(FINGERPRINT)?.as_str()?.to_string();
    let stamp = FileStamp {
        size: payload.get(SIZE)?.as_u64()?,
        mtime_ns: payload.get(MTIME_NS)?.as_i64()?,
    };
    let key_of = |node: &NodeId| link.node_keys.get(node.as_str()).map(|k| cache_key(k, &fp));
    let outputs = ctx
        .results
        .iter()
        .filter(|(_, o)| !o.cached)
        .filter_map(|(node, o)| {
            Some(NodeOutputRow {
                cache_key: key_of(node)?,
                output: serde_json::to_string(o.as_ref()).ok()?,
                series: o.series.clone(),
            })
        })
        .collect();
    let artifacts = artifacts
        .into_iter()
        .filter_map(|(node, a)| {
            let bytes: crate::library::ArtifactBytes = Box::new(move || a.to_bytes());
            Some(ArtifactRow {
                cache_key: key_of(&node)?,
                bytes,
            })
        })
        .collect();
    let node_keys = ctx
        .results
        .iter()
        .filter_map(|(node, _)| Some((node.to_string(), key_of(node)?)))
        .collect();
    Some(FinishedFile {
        run,
        pipeline_name: name.to_string(),
        pipeline_hash: hash.to_string(),
        path: PathBuf::from(&result.file),
        stamp,
        fingerprint: Fingerprint(fp),
        summary: summary(result),
        record: stored_record(result),
        outputs,
        artifacts,
        node_keys,
    })
}

/// The record as the library keeps it: the file under its absolute path,
/// so an export means the same file from any folder.
fn stored_record(result: &FileResult) -> String {
    let mut value = serde_json::to_value(result).unwrap_or_default();
    if let Some(map) = value.as_object_mut() {
        let path = crate::library::stored_path(std::path::Path::new(&result.file));
        map.insert(fields::FILE.into(), Value::String(path));
    }
    value.to_string()
}

/// The list columns of a result.
pub fn summary(r: &FileResult) -> ResultSummary {
    let text = |k: &str| r.value(k).as_str().map(str::to_string);
    let (compliant, issues) = compliance(r).map_or((None, Vec::new()), |(ok, why)| (Some(ok), why));
    ResultSummary {
        status: status_name(r.status),
        ok: r.ok,
        cached: r.cached,
        error: r.error.clone(),
        quality: r.quality,
        bpm: r.value(fields::BPM).as_f64(),
        key: text(fields::KEY),
        camelot: text(fields::CAMELOT),
        lufs: r.value(fields::LOUDNESS_LUFS).as_f64(),
        duration_s: r.value(fields::DURATION_S).as_f64(),
        analysis_s: r.analysis_s,
        bpm_note: bpm_note(r),
        key_note: text(fields::KEY_REASON),
        partial_note: partial_note(r),
        bpm_confidence: r.value(fields::BPM_CONFIDENCE).as_f64(),
        key_confidence: r.value(fields::KEY_CONFIDENCE).as_f64(),
        key_runner_up: text(fields::KEY_RUNNER_UP),
        skipped: r.skipped.clone(),
        loudness_range_lu: r.value(fields::LOUDNESS_RANGE_LU).as_f64(),
        true_peak_dbtp: r.value(fields::TRUE_PEAK_DBTP).as_f64(),
        loudness_compliant: compliant,
        loudness_issues: issues,
    }
}

/// The loudness gate's verdict and its issues: from its values, or from
/// its error when it failed the file (`fail_on_violation`); `None` when
/// the pipeline has no gate or it did not run.
fn compliance(r: &FileResult) -> Option<(bool, Vec<String>)> {
    if let Some(ok) = r.value(fields::LOUDNESS_COMPLIANT).as_bool() {
        let issues = r.value(fields::LOUDNESS_ISSUES).as_array().map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        });
        return Some((ok, issues.unwrap_or_default()));
    }
    let error = r.error.as_deref()?;
    let (_, issues) = error.split_once(fields::NOT_COMPLIANT_ERROR)?;
    Some((false, issues.split("; ").map(str::to_string).collect()))
}

/// Why a completed file's values cover only part of it: the decoder
/// stopped early (a truncated or damaged file). `None` when it is whole,
/// and for a wave that did not complete (its errors say why).
pub fn partial_note(r: &FileResult) -> Option<String> {
    if r.status != WaveStatus::Completed || r.value(fields::PARTIAL).as_bool() != Some(true) {
        return None;
    }
    let why = r.value(fields::PARTIAL_REASON).as_str();
    Some(why.unwrap_or("decoding stopped early").to_string())
}

/// The tempo's candidates as one line ("132 (1.00) · 66 (0.91)"), or the
/// reason there is no tempo; `None` when the record has neither.
pub fn bpm_note(r: &FileResult) -> Option<String> {
    if let Some(reason) = r.value(fields::BPM_REASON).as_str() {
        return Some(reason.to_string());
    }
    let list = r.value(fields::BPM_CANDIDATES).as_array()?;
    let parts: Vec<String> = list
        .iter()
        .filter_map(|c| Some((c.get("bpm")?.as_f64()?, c.get("score")?.as_f64()?)))
        .map(|(bpm, score)| format!("{bpm:.1} ({score:.2})"))
        .collect();
    (!parts.is_empty()).then(|| parts.join(" · "))
}

/// The status as the library stores it (its serde name).
pub fn status_name(status: WaveStatus) -> String {
    serde_json::to_value(status)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// A stored status name back; `Failed` for one this build does not know.
pub fn parse_status(name: &str) -> WaveStatus {
    serde_json::from_value(Value::String(name.to_string())).unwrap_or(WaveStatus::Failed)
}

/// Where a run's finished files go when it has a library.
pub(crate) struct Sink {
    pub link: LibraryLink,
    pub status: StoreStatus,
    pub name: String,
    pub hash: String,
    pub files: Vec<PathBuf>,
}

/// An open sink: the writer and the run's row.
pub(crate) struct OpenSink {
    link: LibraryLink,
    status: StoreStatus,
    name: String,
    hash: String,
    writer: Writer,
    run: RunId,
    counts: RunCounts,
}

impl Sink {
    /// Starts the writer and records the run; on failure the run goes on
    /// unstored and the status says why.
    pub async fn open(self) -> Option<OpenSink> {
        let Sink {
            link,
            status,
            name,
            hash,
            files,
        } = self;
        let begun = {
            let (link, name, hash) = (link.clone(), name.clone(), hash.clone());
            tokio::task::spawn_blocking(move || begin(&link, &name, &hash, &files)).await
        };
        match begun {
            Ok(Ok((writer, run))) => {
                status.update(|s| s.run = Some(run));
                Some(OpenSink {
                    link,
                    status,
                    name,
                    hash,
                    writer,
                    run,
                    counts: RunCounts::default(),
                })
            }
            Ok(Err(e)) => {
                status.update(|s| {
                    s.error = Some(e.to_string());
                    s.closed = true;
                });
                None
            }
            Err(e) => {
                status.update(|s| {
                    s.error = Some(format!("the library writer could not start: {e}"));
                    s.closed = true;
                });
                None
            }
        }
    }
}

impl OpenSink {
    /// Hands a finished file to the writer (never waits).
    pub fn file(&mut self, ctx: &WaveContext, result: &FileResult, artifacts: ArtifactList) {
        count(&mut self.counts, result);
        let names = (self.name.as_str(), self.hash.as_str());
        if let Some(f) = finished_file(&self.link, self.run, names, ctx, result, artifacts) {
            self.writer.file_finished(f);
        }
        if let Some(e) = self.writer.failure() {
            self.status.update(|s| {
                s.error.get_or_insert(e);
            });
        }
    }

    /// Records the run's end and waits (off the async threads) for every
    /// write.
    pub async fn close(self) {
        self.writer.finish_run(self.run, self.counts);
        let writer = self.writer;
        let closed = tokio::task::spawn_blocking(move || writer.close()).await;
        self.status.update(|s| {
            s.closed = true;
            match closed {
                Ok(Ok(report)) => {
                    s.written = report.files;
                    s.writer_busy = report.busy;
                }
                Ok(Err(e)) => {
                    s.error.get_or_insert(e.to_string());
                }
                Err(e) => {
                    s.error
                        .get_or_insert(format!("the library writer failed: {e}"));
                }
            }
        });
    }
}

/// Artifacts a wave computed, by decode node.
type ArtifactList = Vec<(crate::orchestrator::NodeId, Arc<crate::audio::Artifacts>)>;

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn record(values: Value) -> FileResult {
        FileResult {
            analysis_s: 0.1,
            ..FileResult::new("a.wav").with_values(values)
        }
    }

    #[test]
    fn the_tempo_note_lists_candidates_or_says_why_there_is_no_tempo() {
        let with = record(json!({
            "bpm": 132.0,
            "bpm_candidates": [{"bpm": 132.0, "score": 1.0}, {"bpm": 66.0, "score": 0.9}]
        }));
        assert_eq!(
            bpm_note(&with).as_deref(),
            Some("132.0 (1.00) · 66.0 (0.90)")
        );
        let why = record(json!({"bpm": null, "bpm_reason": "no steady pulse"}));
        assert_eq!(summary(&why).bpm_note.as_deref(), Some("no steady pulse"));
        let no_key = record(json!({"key": null, "key_reason": "one note"}));
        assert_eq!(summary(&no_key).key_note.as_deref(), Some("one note"));
        assert_eq!(bpm_note(&record(json!({}))), None);
    }
}
