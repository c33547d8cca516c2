//! Reading results and runs back, and forgetting them.

use std::path::{Path, PathBuf};

use rusqlite::{OptionalExtension, Row, ToSql, params, params_from_iter};

use super::error::LibraryError;
use super::records::{
    ResultFilter, ResultRow, ResultSeries, ResultSummary, RunCounts, RunId, RunRow, StoredSeries,
};
use super::{Library, connect, stored_path};

const RESULT_COLUMNS: &str =
    "r.pipeline_name, r.pipeline_hash, f.path, r.run_id, r.finished_ms, r.status, r.ok,
     r.cached, r.error, r.quality, r.bpm, r.key, r.camelot, r.lufs, r.duration_s, r.analysis_s,
     r.bpm_note, r.key_note, r.partial_note, r.details";

/// The WHERE clause and its parameters for `filter`.
fn filter_sql(filter: &ResultFilter) -> (String, Vec<Box<dyn ToSql>>) {
    let mut clauses = Vec::new();
    let mut params: Vec<Box<dyn ToSql>> = Vec::new();
    if let Some(p) = &filter.pipeline {
        params.push(Box::new(p.clone()));
        clauses.push(format!("r.pipeline_name = ?{}", params.len()));
    }
    if let Some(h) = &filter.pipeline_hash {
        params.push(Box::new(h.clone()));
        clauses.push(format!("r.pipeline_hash = ?{}", params.len()));
    }
    if let Some(dir) = &filter.folder {
        // Under the folder: the folder's path and a separator as a prefix,
        // compared by range so that `%` and `_` in names mean nothing.
        let mut prefix = stored_path(dir);
        if !prefix.ends_with(std::path::MAIN_SEPARATOR) {
            prefix.push(std::path::MAIN_SEPARATOR);
        }
        let mut end = prefix.clone();
        end.push(char::MAX);
        params.push(Box::new(prefix));
        params.push(Box::new(end));
        clauses.push(format!(
            "f.path >= ?{} AND f.path < ?{}",
            params.len() - 1,
            params.len()
        ));
    }
    if let Some(run) = filter.run {
        params.push(Box::new(run));
        clauses.push(format!("r.run_id = ?{}", params.len()));
    }
    let sql = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    (sql, params)
}

fn result_row(r: &Row<'_>) -> rusqlite::Result<ResultRow> {
    Ok(ResultRow {
        pipeline_name: r.get(0)?,
        pipeline_hash: r.get(1)?,
        path: r.get(2)?,
        run: r.get(3)?,
        finished_ms: r.get(4)?,
        summary: ResultSummary {
            status: r.get(5)?,
            ok: r.get(6)?,
            cached: r.get(7)?,
            error: r.get(8)?,
            quality: r.get(9)?,
            bpm: r.get(10)?,
            key: r.get(11)?,
            camelot: r.get(12)?,
            lufs: r.get(13)?,
            duration_s: r.get(14)?,
            analysis_s: r.get(15)?,
            bpm_note: r.get(16)?,
            key_note: r.get(17)?,
            partial_note: r.get(18)?,
            ..Details::read(r.get::<_, Option<String>>(19)?.as_deref()).summary()
        },
    })
}

/// The `details` column (see the schema's 5 → 6): absent or unreadable
/// details leave the hover without them, nothing worse.
#[derive(Debug, Default, serde::Deserialize)]
struct Details {
    bpm_confidence: Option<f64>,
    key_confidence: Option<f64>,
    key_runner_up: Option<String>,
    #[serde(default)]
    skipped: Vec<String>,
    loudness_range_lu: Option<f64>,
    true_peak_dbtp: Option<f64>,
    loudness_compliant: Option<bool>,
    #[serde(default)]
    loudness_issues: Vec<String>,
}

impl Details {
    fn read(text: Option<&str>) -> Self {
        text.and_then(|t| serde_json::from_str(t).ok())
            .unwrap_or_default()
    }

    fn summary(self) -> ResultSummary {
        ResultSummary {
            bpm_confidence: self.bpm_confidence,
            key_confidence: self.key_confidence,
            key_runner_up: self.key_runner_up,
            skipped: self.skipped,
            loudness_range_lu: self.loudness_range_lu,
            true_peak_dbtp: self.true_peak_dbtp,
            loudness_compliant: self.loudness_compliant,
            loudness_issues: self.loudness_issues,
            ..ResultSummary::default()
        }
    }
}

pub(super) fn run_row(r: &Row<'_>) -> rusqlite::Result<RunRow> {
    let n = |i: usize| r.get::<_, i64>(i).map(|v| u64::try_from(v).unwrap_or(0));
    Ok(RunRow {
        id: r.get(0)?,
        pipeline_name: r.get(1)?,
        pipeline_hash: r.get(2)?,
        program_version: r.get(3)?,
        started_ms: r.get(4)?,
        finished_ms: r.get(5)?,
        files_total: n(6)?,
        counts: RunCounts {
            ok: n(7)?,
            failed: n(8)?,
            cancelled: n(9)?,
            cached: n(10)?,
        },
        shard: match (r.get::<_, Option<u32>>(11)?, r.get::<_, Option<u32>>(12)?) {
            (Some(index), Some(count)) => Some(super::Shard { index, count }),
            _ => None,
        },
        host: r.get(13)?,
    })
}

pub(super) const RUN_COLUMNS: &str =
    "id, pipeline_name, pipeline_hash, program_version, started_ms,
     finished_ms, files_total, files_ok, files_failed, files_cancelled, files_cached,
     shard_index, shard_count, host";

impl Library {
    /// The current result of every file (one per pipeline and file), by
    /// pipeline then path: the columns lists need, no record parsing.
    pub fn results(&self, filter: &ResultFilter) -> Result<Vec<ResultRow>, LibraryError> {
        let (clause, params) = filter_sql(filter);
        let sql = format!(
            "SELECT {RESULT_COLUMNS} FROM results r JOIN files f ON f.id = r.file_id
             {clause} ORDER BY r.pipeline_name, f.path"
        );
        self.read(|c| {
            c.prepare(&sql)?
                .query_map(params_from_iter(params.iter()), result_row)?
                .collect()
        })
    }

    /// The whole records (JSON) of the results `filter` selects, by
    /// pipeline then path, with the pipeline's name and hash.
    pub fn records(
        &self,
        filter: &ResultFilter,
    ) -> Result<Vec<(String, String, String)>, LibraryError> {
        let (clause, params) = filter_sql(filter);
        let sql = format!(
            "SELECT r.pipeline_name, r.pipeline_hash, r.record FROM results r
             JOIN files f ON f.id = r.file_id {clause} ORDER BY r.pipeline_name, f.path"
        );
        self.read(|c| {
            c.prepare(&sql)?
                .query_map(params_from_iter(params.iter()), |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })?
                .collect()
        })
    }

    /// One file's whole record under a pipeline, if stored.
    pub fn record(&self, pipeline: &str, path: &Path) -> Result<Option<String>, LibraryError> {
        self.read(|c| {
            c.query_row(
                "SELECT r.record FROM results r JOIN files f ON f.id = r.file_id
                 WHERE r.pipeline_name = ?1 AND f.path = ?2",
                [pipeline, &stored_path(path)],
                |r| r.get(0),
            )
            .optional()
        })
    }

    /// Every run, newest first.
    pub fn runs(&self) -> Result<Vec<RunRow>, LibraryError> {
        let sql = format!("SELECT {RUN_COLUMNS} FROM runs ORDER BY id DESC");
        self.read(|c| c.prepare(&sql)?.query_map([], run_row)?.collect())
    }

    /// The pipelines that have results, as (name, hash), by name then by
    /// their newest result, newest first.
    pub fn pipelines(&self) -> Result<Vec<(String, String)>, LibraryError> {
        self.read(|c| {
            c.prepare(
                "SELECT pipeline_name, pipeline_hash FROM results
                 GROUP BY pipeline_name, pipeline_hash
                 ORDER BY pipeline_name, max(finished_ms) DESC",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect()
        })
    }

    /// The inputs of a run, in order.
    pub fn run_inputs(&self, run: RunId) -> Result<Vec<PathBuf>, LibraryError> {
        let text: Option<String> = self.read(|c| {
            c.query_row("SELECT inputs FROM runs WHERE id = ?1", [run], |r| r.get(0))
                .optional()
        })?;
        let list: Vec<String> = text
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default();
        Ok(list.iter().map(|p| super::text_path(p)).collect())
    }

    /// Forgets the results, node outputs, artifacts and series of these files
    /// (by path); returns how many results went.
    pub fn forget_files(&self, paths: &[PathBuf]) -> Result<usize, LibraryError> {
        self.write(|tx| {
            let mut n = 0;
            for p in paths {
                let fp: Option<String> = tx
                    .query_row(
                        "SELECT fingerprint FROM files WHERE path = ?1",
                        [stored_path(p)],
                        |r| r.get(0),
                    )
                    .optional()?;
                let Some(fp) = fp else { continue };
                n += tx.execute(
                    "DELETE FROM results WHERE file_id IN (SELECT id FROM files WHERE path = ?1)",
                    [stored_path(p)],
                )?;
                tx.execute("DELETE FROM node_outputs WHERE fingerprint = ?1", [&fp])?;
                tx.execute("DELETE FROM artifacts WHERE fingerprint = ?1", [&fp])?;
                tx.execute("DELETE FROM series WHERE fingerprint = ?1", [&fp])?;
            }
            Ok(n)
        })
    }

    /// The series of `path`'s latest result (of pipeline `pipeline`, if
    /// named). `None` when the file has no result; no series when its
    /// result predates them.
    pub fn series_of(
        &self,
        path: &Path,
        pipeline: Option<&str>,
    ) -> Result<Option<ResultSeries>, LibraryError> {
        self.read(|c| {
            let row: Option<(String, String, Option<String>, Option<f64>)> = c
                .prepare_cached(
                    "SELECT r.pipeline_name, r.pipeline_hash, r.node_keys, r.duration_s
                     FROM results r JOIN files f ON f.id = r.file_id
                     WHERE f.path = ?1 AND (?2 IS NULL OR r.pipeline_name = ?2)
                     ORDER BY r.finished_ms DESC LIMIT 1",
                )?
                .query_row(params![stored_path(path), pipeline], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })
                .optional()?;
            let Some((pipeline_name, pipeline_hash, keys, duration_s)) = row else {
                return Ok(None);
            };
            let keys: Vec<(String, String)> = keys
                .and_then(|k| serde_json::from_str(&k).ok())
                .unwrap_or_default();
            let mut stmt = c.prepare_cached(
                "SELECT kind, data FROM series WHERE cache_key = ?1 ORDER BY kind",
            )?;
            let mut out = Vec::new();
            for (node, key) in keys {
                let rows = stmt.query_map([&key], |r| Ok((r.get(0)?, r.get(1)?)))?;
                for row in rows {
                    let (kind, data) = row?;
                    out.push(StoredSeries {
                        node: node.clone(),
                        kind,
                        data,
                    });
                }
            }
            Ok(Some(ResultSeries {
                pipeline_name,
                pipeline_hash,
                duration_s,
                series: out,
            }))
        })
    }

    /// Forgets a run and the results it produced; returns how many
    /// results went. Node outputs stay (other runs may share them).
    pub fn forget_run(&self, run: RunId) -> Result<usize, LibraryError> {
        self.write(|tx| {
            let n = tx.execute("DELETE FROM results WHERE run_id = ?1", [run])?;
            tx.execute("DELETE FROM runs WHERE id = ?1", [run])?;
            Ok(n)
        })
    }

    /// A short write of the user's (forget), outside any run's writer.
    fn write<T>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> rusqlite::Result<T>,
    ) -> Result<T, LibraryError> {
        let sql = |e: rusqlite::Error| LibraryError::sql(&self.path, &e);
        let mut conn = connect(&self.path)?;
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(sql)?;
        let out = f(&tx).map_err(sql)?;
        tx.commit().map_err(sql)?;
        Ok(out)
    }
}
