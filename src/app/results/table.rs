//! The results table: one row per pipeline and file, from the results
//! library (filtered by pipeline and folder) with the running batch's
//! results merged in as they finish; sortable, selectable, exportable to
//! CSV and JSON. Drawing is in `results_ui.rs`.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use crate::library::{ResultFilter, ResultRow};
use crate::run::FileResult;

use crate::app::command::ExportFormat;
pub use crate::app::results::columns::{Column, ColumnLayout};
pub use crate::app::results::row::Row;

/// A pipeline as saved: its name and content hash
/// (`pipeline::content_hash`). Two pipelines that share a name differ here.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct PipelineId {
    /// The pipeline's name.
    pub name: String,
    /// Its content hash.
    pub hash: String,
}

impl PipelineId {
    /// The id of `doc` as it is now.
    pub fn of(doc: &crate::pipeline::PipelineDocument) -> Self {
        Self {
            name: doc.name.clone(),
            hash: crate::pipeline::content_hash(doc),
        }
    }

    /// For people: the name and the hash's first six digits.
    pub fn label(&self) -> String {
        let short = self.hash.get(..6).unwrap_or(&self.hash);
        if short.is_empty() {
            self.name.clone()
        } else {
            format!("{} · {short}", self.name)
        }
    }
}

/// Which pipelines' results the library part of the table lists.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Scope {
    /// The open pipeline's, as it is now (name and hash): the default.
    #[default]
    ThisPipeline,
    /// Every pipeline's.
    All,
    /// One saved pipeline's.
    Saved(PipelineId),
}

/// Where the table's rows come from.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Source {
    /// No library (`--no-db`): this session's results only.
    #[default]
    Session,
    /// The library is being opened or read.
    Loading,
    /// The library's rows.
    Library,
    /// The library could not be opened or read; the message names the file.
    Unavailable(String),
}

/// The rows, the sort order, the selection and the library filter.
#[derive(Debug, Default)]
pub struct ResultsTable {
    /// One row per pipeline and file, in arrival order (sorting leaves them
    /// in place).
    pub rows: Vec<Row>,
    pub(crate) order: Vec<usize>,
    pub(crate) sort: Option<(Column, bool)>,
    sorted: bool,
    /// Selected rows, by index into `rows`.
    pub(crate) selected: BTreeSet<usize>,
    /// Where the rows come from.
    pub source: Source,
    /// Which pipelines' results (library only).
    pub scope: Scope,
    /// The open pipeline, which `Scope::ThisPipeline` means.
    pub current: PipelineId,
    /// The document (epoch, generation) `current` was taken from.
    pub(crate) synced: Option<(u64, u64)>,
    /// Only results under this folder; the text as typed.
    pub folder: String,
    /// The pipelines the library has results of, for the filter.
    pub pipelines: Vec<PipelineId>,
    /// The columns shown after File, in order (remembered).
    pub columns: ColumnLayout,
    /// Which columns some row has a value in (by `Column::index`), made
    /// with the sort order: an empty column is left out of the view.
    filled: [bool; Column::ALL.len()],
    /// The plugin values of this session's rows: extra CSV columns.
    plugin_columns: Vec<String>,
    /// The quick estimates of files still running, by (pipeline, path).
    quick: HashMap<(String, String), serde_json::Map<String, serde_json::Value>>,
}

impl ResultsTable {
    /// Adds a finished file of `pipeline`, replacing its earlier row; a
    /// file outside the library filter is left out. `plugin_values` are
    /// the names shown in the Plugins column.
    pub fn push(&mut self, r: FileResult, pipeline: &PipelineId, plugin_values: &[String]) {
        for name in plugin_values {
            if !self.plugin_columns.contains(name) {
                self.plugin_columns.push(name.clone());
            }
        }
        let row = Row::from_result(r, pipeline, plugin_values);
        self.quick
            .remove(&(pipeline.name.clone(), row.path.clone()));
        if !self.shows(pipeline, &row.path) {
            return;
        }
        match self
            .rows
            .iter()
            .rposition(|x| x.is(&pipeline.name, &row.path))
        {
            Some(i) => {
                if let Some(slot) = self.rows.get_mut(i) {
                    *slot = row;
                }
            }
            None => self.rows.push(row),
        }
        self.sorted = false;
    }

    /// Shows a running file's quick estimates (`values`, merged with the
    /// ones it published before) as a provisional row, until its finished
    /// row replaces it. `path` is the file as the library stores it.
    pub fn provisional(
        &mut self,
        pipeline: &PipelineId,
        path: String,
        values: &serde_json::Map<String, serde_json::Value>,
    ) {
        if !self.shows(pipeline, &path) {
            return;
        }
        let quick = self
            .quick
            .entry((pipeline.name.clone(), path.clone()))
            .or_default();
        quick.extend(values.iter().map(|(k, v)| (k.clone(), v.clone())));
        let row = Row::provisional(pipeline, path, quick);
        match self
            .rows
            .iter()
            .rposition(|x| x.is(&pipeline.name, &row.path))
        {
            Some(i) => {
                if let Some(slot) = self.rows.get_mut(i) {
                    *slot = row;
                }
            }
            None => self.rows.push(row),
        }
        self.sorted = false;
    }

    /// Removes the provisional rows of files that did not finish (the run
    /// was cancelled or stopped).
    pub fn drop_provisional(&mut self) {
        self.quick.clear();
        if self.rows.iter().any(|r| r.provisional) {
            self.rows.retain(|r| !r.provisional);
            self.selected.clear();
            self.sorted = false;
        }
    }

    /// Replaces every row with the library's; rows of this session's run
    /// stay (in place of their stored row), as the store may not have
    /// written them yet.
    pub fn set_stored(&mut self, rows: Vec<ResultRow>) {
        let mut fresh: HashMap<(String, String), Row> = std::mem::take(&mut self.rows)
            .into_iter()
            .filter(Row::is_fresh)
            .map(|r| ((r.pipeline.clone(), r.path.clone()), r))
            .collect();
        self.rows = rows
            .into_iter()
            .map(|r| {
                if fresh.is_empty() {
                    return Row::from_stored(r);
                }
                let key = (r.pipeline_name, r.path);
                match fresh.remove(&key) {
                    Some(row) => row,
                    None => Row::from_stored(ResultRow {
                        pipeline_name: key.0,
                        path: key.1,
                        ..r
                    }),
                }
            })
            .collect();
        let rest: Vec<Row> = fresh
            .into_values()
            .filter(|r| self.shows(&r.pipeline_id(), &r.path))
            .collect();
        self.rows.extend(rest);
        self.selected.clear();
        self.sorted = false;
    }

    /// Removes every row.
    pub fn clear(&mut self) {
        self.rows.clear();
        self.quick.clear();
        self.plugin_columns.clear();
        self.selected.clear();
        self.sorted = false;
    }

    /// Removes the rows of these files (before re-running them, or once
    /// forgotten).
    pub fn remove_files(&mut self, files: &std::collections::HashSet<String>) {
        self.rows.retain(|r| !files.contains(&r.path));
        self.selected.clear();
        self.sorted = false;
    }

    /// The one pipeline the table lists, `None` for all.
    pub fn scoped(&self) -> Option<&PipelineId> {
        match &self.scope {
            Scope::ThisPipeline => Some(&self.current),
            Scope::All => None,
            Scope::Saved(id) => Some(id),
        }
    }

    /// The library filter the table shows.
    pub fn filter(&self) -> ResultFilter {
        let folder = self.folder.trim();
        let one = self.scoped();
        ResultFilter {
            pipeline: one.map(|p| p.name.clone()),
            pipeline_hash: one.map(|p| p.hash.clone()),
            folder: (!folder.is_empty()).then(|| PathBuf::from(folder)),
            run: None,
        }
    }

    /// Whether a result of `pipeline` for `path` belongs in the table.
    fn shows(&self, pipeline: &PipelineId, path: &str) -> bool {
        if self.source == Source::Session {
            return true;
        }
        let folder = self.folder.trim();
        self.scoped().is_none_or(|p| p == pipeline)
            && (folder.is_empty() || Path::new(path).starts_with(folder))
    }

    /// Whether the rows may come from more than one pipeline, so each
    /// says which.
    pub fn mixes_pipelines(&self) -> bool {
        self.scoped().is_none() && self.source != Source::Session
    }

    /// Whether some row has a value in `column` (as of the last sort).
    pub fn is_filled(&self, column: Column) -> bool {
        self.filled.get(column.index()).copied().unwrap_or(false)
    }

    /// Selects row `i` alone, or toggles it with `toggle`.
    pub fn select(&mut self, i: usize, toggle: bool) {
        if !toggle {
            self.selected.clear();
            self.selected.insert(i);
        } else if !self.selected.remove(&i) {
            self.selected.insert(i);
        }
    }

    /// The paths of the selected rows.
    pub fn selected_paths(&self) -> Vec<PathBuf> {
        let paths: BTreeSet<&str> = self
            .selected
            .iter()
            .filter_map(|&i| self.rows.get(i))
            .map(|r| r.path.as_str())
            .collect();
        paths.into_iter().map(PathBuf::from).collect()
    }

    /// Sorts by `column`; again on the same column flips the direction.
    pub fn sort_by(&mut self, column: Column) {
        self.sort = match self.sort {
            Some((c, asc)) if c == column => Some((c, !asc)),
            _ => Some((column, true)),
        };
        self.sorted = false;
    }

    pub(crate) fn ensure_sorted(&mut self) {
        if self.sorted && self.order.len() == self.rows.len() {
            return;
        }
        self.order = (0..self.rows.len()).collect();
        self.filled = Column::ALL.map(|c| self.rows.iter().any(|r| !r.cell(c).is_empty()));
        if let Some((column, asc)) = self.sort {
            let rows = &self.rows;
            let num = |r: &Row| r.number(column).unwrap_or(f64::NEG_INFINITY);
            self.order.sort_by(|&a, &b| {
                let (ra, rb) = (&rows[a], &rows[b]);
                let ord = if column.is_number() {
                    num(ra).total_cmp(&num(rb))
                } else {
                    ra.cell(column).cmp(rb.cell(column))
                };
                if asc { ord } else { ord.reverse() }
            });
        }
        self.sorted = true;
    }

    /// Writes the rows as CSV (the columns of `run --format csv`, plugin
    /// values included) or JSON,
    /// in arrival order. Rows of this session's run carry every value;
    /// stored rows carry the list columns (`wave-studio results` exports
    /// whole stored records).
    pub fn export(&self, format: ExportFormat, path: &Path) -> Result<(), ExportError> {
        // A provisional row is not a result yet.
        let records: Vec<FileResult> = self
            .rows
            .iter()
            .filter(|r| !r.provisional)
            .map(Row::export_record)
            .collect();
        let mut out = Vec::new();
        match format {
            ExportFormat::Json => {
                out = serde_json::to_vec_pretty(&records).map_err(ExportError::Encode)?;
                out.push(b'\n');
            }
            ExportFormat::Csv => {
                let extra = &self.plugin_columns;
                crate::results::export::write_csv_with(&mut out, &records, extra)
                    .map_err(ExportError::Csv)?;
            }
        }
        std::fs::write(path, out).map_err(|source| ExportError::Write {
            path: path.to_path_buf(),
            source,
        })
    }
}

/// Why the results could not be exported.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The records could not be encoded as JSON.
    #[error("cannot encode the results: {0}")]
    Encode(serde_json::Error),
    /// The records could not be written as CSV.
    #[error("cannot write the results as CSV: {0}")]
    Csv(std::io::Error),
    /// The file could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The export's path.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(name: &str) -> PipelineId {
        PipelineId {
            name: name.into(),
            hash: String::new(),
        }
    }
    use crate::orchestrator::WaveStatus;

    fn result(file: &str, bpm: f64, status: WaveStatus) -> FileResult {
        let mut values = serde_json::Map::new();
        values.insert("bpm".into(), bpm.into());
        values.insert("key".into(), "A minor".into());
        values.insert("camelot".into(), "8A".into());
        FileResult {
            ok: status == WaveStatus::Completed,
            status,
            error: (status == WaveStatus::Failed).then(|| "decode: bad, header".to_string()),
            quality: Some(0.9),
            analysis_s: 0.1,
            values,
            ..FileResult::new(file)
        }
    }

    #[test]
    fn sorts_numbers_as_numbers_and_exports() {
        let mut t = ResultsTable::default();
        t.push(
            result("/a/slow.wav", 90.0, WaveStatus::Completed),
            &id("p"),
            &[],
        );
        t.push(
            result("/a/fast.wav", 128.0, WaveStatus::Completed),
            &id("p"),
            &[],
        );
        t.push(
            result("/a/mid.wav", 100.5, WaveStatus::Failed),
            &id("p"),
            &[],
        );
        t.sort_by(Column::Bpm);
        t.ensure_sorted();
        let bpms: Vec<_> = t.order.iter().map(|&i| t.rows[i].bpm).collect();
        assert_eq!(bpms, [Some(90.0), Some(100.5), Some(128.0)]);
        t.sort_by(Column::Bpm);
        t.ensure_sorted();
        assert_eq!(t.rows[t.order[0]].file, "fast.wav");

        let dir = std::env::temp_dir().join(format!("ws-export-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let csv = dir.join("r.csv");
        t.export(ExportFormat::Csv, &csv).unwrap();
        let text = std::fs::read_to_string(&csv).unwrap();
        let header = crate::results::export::CSV_COLUMNS.join(",");
        assert!(text.starts_with(&format!("{header}\n")), "{text}");
        assert!(text.contains("\"decode: bad, header\""), "quoted: {text}");
        assert!(text.contains("/a/mid.wav,false,Failed"), "{text}");
        let json = dir.join("r.json");
        t.export(ExportFormat::Json, &json).unwrap();
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
        assert_eq!(v.as_array().map(Vec::len), Some(3));
        assert_eq!(v[1]["bpm"], 128.0);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_new_result_replaces_the_row_of_the_same_pipeline_and_file() {
        let mut t = ResultsTable {
            source: Source::Library,
            scope: Scope::All,
            folder: "/a".into(),
            ..Default::default()
        };
        t.push(result("/a/x.wav", 90.0, WaveStatus::Failed), &id("p"), &[]);
        t.push(
            result("/a/x.wav", 91.0, WaveStatus::Completed),
            &id("q"),
            &[],
        );
        t.push(
            result("/a/x.wav", 92.0, WaveStatus::Completed),
            &id("p"),
            &[],
        );
        t.push(
            result("/b/y.wav", 92.0, WaveStatus::Completed),
            &id("p"),
            &[],
        );
        assert_eq!(
            t.rows.len(),
            2,
            "one row per pipeline and file, /b filtered out"
        );
        assert_eq!(t.rows[0].bpm, Some(92.0));
        assert_eq!(t.rows[0].status, WaveStatus::Completed);
        // A reload from the library keeps the run's rows.
        t.set_stored(Vec::new());
        assert_eq!(t.rows.len(), 2);
        t.select(0, false);
        t.select(1, true);
        assert_eq!(t.selected_paths(), [PathBuf::from("/a/x.wav")]);
    }

    #[test]
    fn quick_estimates_merge_into_one_provisional_row_that_the_result_replaces() {
        let mut t = ResultsTable::default();
        let mut tempo = serde_json::Map::new();
        tempo.insert("bpm".into(), 119.6.into());
        t.provisional(&id("p"), "/a/x.wav".into(), &tempo);
        let mut key = serde_json::Map::new();
        key.insert("key".into(), "A minor".into());
        key.insert("camelot".into(), "8A".into());
        t.provisional(&id("p"), "/a/x.wav".into(), &key);
        assert_eq!(t.rows.len(), 1);
        let row = &t.rows[0];
        assert!(row.provisional);
        assert_eq!(
            [
                row.cell(Column::Bpm),
                row.cell(Column::Key),
                row.cell(Column::Camelot)
            ],
            ["~119.6", "~A minor", "~8A"]
        );
        assert_eq!(row.cell(Column::Status), "running");
        // Not exported: it is not a result yet.
        let dir = std::env::temp_dir().join(format!("ws-prov-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        t.export(ExportFormat::Json, &dir.join("r.json")).unwrap();
        let text = std::fs::read_to_string(dir.join("r.json")).unwrap();
        assert!(!text.contains("x.wav"), "{text}");
        std::fs::remove_dir_all(&dir).unwrap();
        // The finished result replaces it.
        t.push(
            result("/a/x.wav", 120.0, WaveStatus::Completed),
            &id("p"),
            &[],
        );
        assert_eq!(t.rows.len(), 1);
        assert!(!t.rows[0].provisional);
        assert_eq!(t.rows[0].cell(Column::Bpm), "120.0");
        // One that never finishes goes when the run ends.
        t.provisional(&id("p"), "/a/y.wav".into(), &tempo);
        assert_eq!(t.rows.len(), 2);
        t.drop_provisional();
        assert_eq!(t.rows.len(), 1);
        // A file cancelled after its quick estimates keeps them, marked.
        t.push(
            result("/a/z.wav", 134.0, WaveStatus::Cancelled),
            &id("p"),
            &[],
        );
        let z = t.rows.iter().find(|r| r.path.ends_with("z.wav")).unwrap();
        assert_eq!(z.cell(Column::Bpm), "~134.0");
    }

    #[test]
    fn a_truncated_file_that_completed_shows_partial_with_its_reason() {
        let mut r = result("/a/cut.wav", 120.0, WaveStatus::Completed);
        r.values.insert("partial".into(), true.into());
        r.values
            .insert("partial_reason".into(), "the file ends mid-frame".into());
        let stored = ResultRow {
            pipeline_name: "p".into(),
            pipeline_hash: String::new(),
            path: "/a/cut.wav".into(),
            run: 1,
            finished_ms: 0,
            summary: crate::run::persist::summary(&r),
        };
        let mut t = ResultsTable::default();
        t.push(r, &id("p"), &[]);
        let row = &t.rows[0];
        assert_eq!(row.status, WaveStatus::PartiallyCompleted);
        assert_eq!(row.cell(Column::Status), "partial: the file ends mid-frame");
        assert_eq!(row.error.as_deref(), Some("the file ends mid-frame"));
        // Reloaded from the library, the row says the same.
        let mut t = ResultsTable::default();
        t.set_stored(vec![stored]);
        let row = &t.rows[0];
        assert_eq!(row.status, WaveStatus::PartiallyCompleted);
        assert_eq!(row.cell(Column::Status), "partial: the file ends mid-frame");
    }
}
