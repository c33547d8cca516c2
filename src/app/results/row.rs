//! One row of the results table, made once from a finished file or from a
//! stored library row (moving its strings, so 100,000 rows load quickly).

use std::path::Path;

use serde_json::{Map, Value};

use crate::library::{ResultRow, ResultSummary, stored_path};
use crate::orchestrator::WaveStatus;
use crate::pipeline::fields;
use crate::run::FileResult;
use crate::run::persist::{parse_status, summary};

use super::columns::Column;
use super::table::PipelineId;

/// How many cells a row has.
const COLUMN_COUNT: usize = Column::ALL.len();

/// One displayed row.
#[derive(Debug, Clone)]
pub struct Row {
    /// File name, without its folder.
    pub file: String,
    /// The file's whole path, as stored.
    pub path: String,
    /// The pipeline that produced the result.
    pub pipeline: String,
    /// That pipeline's content hash.
    pub pipeline_hash: String,
    /// Tempo, BPM, when measured.
    pub bpm: Option<f64>,
    /// Integrated loudness, LUFS, when measured.
    pub lufs: Option<f64>,
    /// Loudness range, LU, when measured.
    pub loudness_range: Option<f64>,
    /// True peak, dBTP, when measured.
    pub true_peak: Option<f64>,
    /// Whether the loudness gate passed, when the pipeline has one.
    pub compliant: Option<bool>,
    /// Why it did not.
    pub loudness_issues: Vec<String>,
    /// Duration in seconds, when known.
    pub duration: Option<f64>,
    /// How the file's wave ended.
    pub status: WaveStatus,
    /// Every stage error, joined, if any.
    pub error: Option<String>,
    /// The tempo's candidates with scores, or why there is no tempo.
    pub bpm_note: Option<String>,
    /// Why there is no key, when there is none for a reason.
    pub key_note: Option<String>,
    /// The tempo's confidence, for the BPM cell's hover.
    pub bpm_confidence: Option<f64>,
    /// The key in its stable form ("A# major"), as exports write it; the
    /// cell shows it spelt ("B♭ major").
    pub key_stable: Option<String>,
    /// The key's confidence and the runner-up, for the key cell's hover.
    pub key_confidence: Option<f64>,
    /// The second-best key, stable form.
    pub key_runner_up: Option<String>,
    /// Nodes skipped and why ("tempo_refine: `confidence` reached quality
    /// 0.960"), for the status cell's hover.
    pub skipped: Vec<String>,
    /// The list columns, for export when the whole record is not at hand.
    quality: Option<f64>,
    ok: bool,
    cached: bool,
    analysis_s: f64,
    /// The whole record, for rows that came from this session's run.
    record: Option<Box<FileResult>>,
    /// A quick estimate shown while the file still runs; its finished
    /// row replaces it.
    pub provisional: bool,
    /// The cells as text, made once.
    cells: [String; COLUMN_COUNT],
}

/// The columns a quick estimate fills.
pub const PROVISIONAL_COLUMNS: [Column; 3] = [Column::Bpm, Column::Key, Column::Camelot];
/// What a provisional cell starts with.
const PROVISIONAL_MARK: &str = "~";

/// Why a file that finished was only partly analysed: a stage failed
/// (the wave's errors), or the decoder stopped early (a truncated or
/// damaged file), as `partial_reason` says. `None` when it is whole.
pub fn partial_reason(r: &FileResult) -> Option<String> {
    if r.status == WaveStatus::PartiallyCompleted {
        return Some(r.error.clone().unwrap_or_else(|| "a stage failed".into()));
    }
    crate::run::persist::partial_note(r)
}

/// "artist=Test Band · speech_music=music".
fn plugin_cell(r: &FileResult, names: &[String]) -> String {
    let shown: Vec<String> = names
        .iter()
        .filter_map(|n| {
            let v = r.values.get(n)?;
            let text = match v {
                Value::String(s) => s.clone(),
                Value::Null => return None,
                other => other.to_string(),
            };
            Some(format!("{n}={text}"))
        })
        .collect();
    shown.join(" · ")
}

impl Row {
    /// The command that opens this row's track view.
    pub fn open_track(&self) -> crate::app::command::Command {
        crate::app::command::Command::OpenTrack {
            path: self.path.clone().into(),
            pipeline: Some(self.pipeline.clone()),
            bpm: self.bpm,
        }
    }

    /// The row of a file the running batch just finished (its path as the
    /// library writes it, so it replaces the stored row); its Plugins cell
    /// shows the values named in `plugin_values`.
    pub fn from_result(r: FileResult, pipeline: &PipelineId, plugin_values: &[String]) -> Self {
        let path = stored_path(Path::new(&r.file));
        let mut row = Self::from_summary(pipeline.clone(), path, summary(&r));
        row.cells[Column::Plugins.index()] = plugin_cell(&r, plugin_values);
        // A cancelled file keeps the quick estimates it reached: still
        // provisional, and marked so.
        if r.status == WaveStatus::Cancelled {
            row.mark_provisional();
        }
        row.record = Some(Box::new(r));
        row
    }

    /// The row of a file still running, from the quick estimates published
    /// so far (`values`): its tempo and key marked `~` as provisional.
    pub fn provisional(pipeline: &PipelineId, path: String, values: &Map<String, Value>) -> Self {
        let text = |k: &str| values.get(k).and_then(Value::as_str).map(str::to_string);
        let s = ResultSummary {
            status: crate::run::persist::status_name(WaveStatus::Running),
            bpm: values.get(fields::BPM).and_then(Value::as_f64),
            key: text(fields::KEY),
            camelot: text(fields::CAMELOT),
            ..Default::default()
        };
        let mut row = Self::from_summary(pipeline.clone(), path, s);
        row.mark_provisional();
        row.provisional = true;
        row
    }

    /// Marks the tempo and key cells `~`: quick estimates, not refined.
    fn mark_provisional(&mut self) {
        for c in PROVISIONAL_COLUMNS {
            if let Some(cell) = self.cells.get_mut(c.index())
                && !cell.is_empty()
            {
                cell.insert_str(0, PROVISIONAL_MARK);
            }
        }
    }

    /// The row of a stored result.
    pub fn from_stored(r: ResultRow) -> Self {
        let id = PipelineId {
            name: r.pipeline_name,
            hash: r.pipeline_hash,
        };
        Self::from_summary(id, r.path, r.summary)
    }

    fn from_summary(pipeline: PipelineId, path: String, mut s: ResultSummary) -> Self {
        // A truncated file's wave completes, but its values cover only what
        // was decoded: say so, with the reason, as `analyze` does.
        let (status, status_cell, error) = match (parse_status(&s.status), s.partial_note.take()) {
            (WaveStatus::Completed, Some(why)) => (
                WaveStatus::PartiallyCompleted,
                format!("partial: {why}"),
                Some(why),
            ),
            (status, _) => (status, status.label().to_string(), s.error.take()),
        };
        let file = Path::new(&path)
            .file_name()
            .map_or_else(|| path.clone(), |n| n.to_string_lossy().into_owned());
        let cells = cells(&file, status_cell, &s);
        Self {
            file,
            path,
            pipeline: pipeline.name,
            pipeline_hash: pipeline.hash,
            bpm: s.bpm,
            lufs: s.lufs,
            loudness_range: s.loudness_range_lu,
            true_peak: s.true_peak_dbtp,
            compliant: s.loudness_compliant,
            loudness_issues: s.loudness_issues,
            duration: s.duration_s,
            status,
            error,
            bpm_note: s.bpm_note,
            key_note: s.key_note,
            bpm_confidence: s.bpm_confidence,
            key_stable: s.key,
            key_confidence: s.key_confidence,
            key_runner_up: s.key_runner_up,
            skipped: s.skipped,
            quality: s.quality,
            ok: s.ok,
            cached: s.cached,
            analysis_s: s.analysis_s,
            record: None,
            provisional: false,
            cells,
        }
    }

    /// A cell as shown.
    pub fn cell(&self, column: Column) -> &str {
        self.cells.get(column.index()).map_or("", String::as_str)
    }

    /// The value a number column sorts by.
    pub fn number(&self, column: Column) -> Option<f64> {
        match column {
            Column::Bpm => self.bpm,
            Column::Loudness => self.lufs,
            Column::Range => self.loudness_range,
            Column::TruePeak => self.true_peak,
            Column::Duration => self.duration,
            Column::Quality => self.quality,
            _ => None,
        }
    }

    /// What the compliance cell says on hover: why the gate failed.
    pub fn compliance_tip(&self) -> Option<String> {
        match self.compliant? {
            true => Some("The loudness gate passed".into()),
            false if self.loudness_issues.is_empty() => Some("The loudness gate failed".into()),
            false => Some(format!(
                "Not compliant: {}",
                self.loudness_issues.join("; ")
            )),
        }
    }

    /// Key in its stable form, e.g. "A# minor" (the cell spells it
    /// "B♭ minor"); empty when none.
    pub fn key(&self) -> &str {
        self.key_stable.as_deref().unwrap_or_default()
    }

    /// What the status cell says on hover: the error, then what was
    /// skipped and why (a refinement skipped because a node was confident
    /// names that node and its quality).
    pub fn status_tip(&self) -> Option<String> {
        let mut lines: Vec<String> = self.error.iter().cloned().collect();
        if !self.skipped.is_empty() {
            lines.push(format!("skipped: {}", self.skipped.join("; ")));
        }
        (!lines.is_empty()).then(|| lines.join("\n"))
    }

    /// What the BPM cell says on hover: the candidates with their scores
    /// and the confidence, or why there is no tempo.
    pub fn tempo_tip(&self) -> Option<String> {
        let note = self.bpm_note.as_deref();
        if self.bpm.is_none() {
            return note.map(|n| format!("No tempo: {n}"));
        }
        let mut tip = note.map_or_else(String::new, |n| format!("Tempo candidates (score): {n}"));
        if let Some(c) = self.bpm_confidence {
            if !tip.is_empty() {
                tip.push('\n');
            }
            tip.push_str(&format!("confidence {c:.2}"));
        }
        (!tip.is_empty()).then_some(tip)
    }

    /// What the key cell says on hover: the confidence, the runner-up and
    /// the stable name exports use, or why there is no key.
    pub fn key_tip(&self) -> Option<String> {
        if let Some(note) = &self.key_note {
            return Some(format!("No key: {note}"));
        }
        let key = self.key_stable.as_deref()?;
        let mut tip = super::spelling::spelled(key);
        if let Some(c) = self.key_confidence {
            tip.push_str(&format!(" · confidence {c:.2}"));
        }
        if let Some(r) = &self.key_runner_up {
            tip.push_str(&format!("\nrunner-up: {}", super::spelling::spelled(r)));
        }
        tip.push_str(&format!("\nexports and the CLI write \"{key}\""));
        Some(tip)
    }

    /// Key in Camelot notation, e.g. "8A"; empty when none.
    pub fn camelot(&self) -> &str {
        self.cell(Column::Camelot)
    }

    /// Whether its Plugins cell has something to show.
    pub fn has_plugin_values(&self) -> bool {
        !self.cell(Column::Plugins).is_empty()
    }

    /// Whether this row came from this session's run (not the library).
    pub fn is_fresh(&self) -> bool {
        self.record.is_some() || self.provisional
    }

    /// The pipeline that produced it, with its hash.
    pub fn pipeline_id(&self) -> PipelineId {
        PipelineId {
            name: self.pipeline.clone(),
            hash: self.pipeline_hash.clone(),
        }
    }

    /// Whether this row is the result of `pipeline` for `path`.
    pub fn is(&self, pipeline: &str, path: &str) -> bool {
        self.path == path && self.pipeline == pipeline
    }

    /// The record to export: the whole one when this session produced it,
    /// else one rebuilt from the stored list columns.
    pub fn export_record(&self) -> FileResult {
        if let Some(r) = &self.record {
            return (**r).clone();
        }
        let mut values = Map::new();
        let mut put = |k: &str, v: Value| {
            if !v.is_null() {
                values.insert(k.to_string(), v);
            }
        };
        put(fields::BPM, self.bpm.into());
        put(fields::LOUDNESS_LUFS, self.lufs.into());
        put(fields::LOUDNESS_RANGE_LU, self.loudness_range.into());
        put(fields::TRUE_PEAK_DBTP, self.true_peak.into());
        put(fields::LOUDNESS_COMPLIANT, self.compliant.into());
        put(fields::DURATION_S, self.duration.into());
        for (k, v) in [(fields::KEY, self.key()), (fields::CAMELOT, self.camelot())] {
            if !v.is_empty() {
                put(k, v.into());
            }
        }
        FileResult {
            key: Default::default(),
            file: self.path.clone(),
            ok: self.ok,
            status: self.status,
            error: self.error.clone(),
            quality: self.quality,
            analysis_s: self.analysis_s,
            cached: self.cached,
            skipped: Vec::new(),
            values,
            series: Vec::new(),
        }
    }
}

/// A row's cells as shown, in the order of `Column::ALL`; each value with
/// its unit.
fn cells(file: &str, status: String, s: &ResultSummary) -> [String; COLUMN_COUNT] {
    let opt = |v: Option<f64>| v.map_or_else(String::new, |v| format!("{v:.1}"));
    let unit =
        |v: Option<f64>, unit: &str| v.map_or_else(String::new, |v| format!("{v:.1} {unit}"));
    // No tempo for a reason (noise, speech): say so; hover tells why.
    let bpm = match (s.bpm, &s.bpm_note) {
        (None, Some(_)) => "none".to_string(),
        (bpm, _) => opt(bpm),
    };
    let key = match (&s.key, &s.key_note) {
        (None, Some(_)) => "none".to_string(),
        (key, _) => key
            .as_deref()
            .map(super::spelling::spelled)
            .unwrap_or_default(),
    };
    [
        file.to_string(),
        bpm,
        key,
        s.camelot.clone().unwrap_or_default(),
        unit(s.lufs, "LUFS"),
        unit(s.loudness_range_lu, "LU"),
        unit(s.true_peak_dbtp, "dBTP"),
        s.loudness_compliant
            .map_or("", |ok| if ok { "pass" } else { "fail" })
            .to_string(),
        s.duration_s.map_or_else(String::new, |d| {
            format!("{}:{:04.1}", (d / 60.0) as u64, d % 60.0)
        }),
        status,
        s.quality.map_or_else(String::new, |q| format!("{q:.2}")),
        // Stored rows keep only the list columns.
        String::new(),
    ]
}
