//! Merging libraries into one: the stores of a sharded run's shards (or any
//! library into another) combined row by row. A source is only read, never
//! changed; merging the same source twice changes nothing the second time.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, Transaction, params};

use super::error::LibraryError;
use super::query::{RUN_COLUMNS, run_row};
use super::records::RunRow;
use super::schema::{APPLICATION_ID, SCHEMA_VERSION, configure};
use super::{Library, stored_path};

/// What a library to merge holds, read without changing it.
#[derive(Debug, Clone, Default)]
pub struct MergeSource {
    /// The library file.
    pub path: PathBuf,
    /// Its runs, newest first.
    pub runs: Vec<RunRow>,
    /// Every file its runs were given, as (pipeline name, stored path).
    pub inputs: BTreeSet<(String, String)>,
    /// Every result it holds, as (pipeline name, stored path).
    pub results: Vec<(String, String)>,
}

/// What one merge added to the target.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MergeStats {
    /// Runs copied (a run already there is not copied again).
    pub runs: u64,
    /// Results written (each replaces an older one of the same pipeline
    /// and file, if any).
    pub results: u64,
    /// Node outputs not already stored.
    pub node_outputs: u64,
    /// Stored decodes not already stored.
    pub artifacts: u64,
    /// Series (beats, curves, waveforms) not already stored.
    pub series: u64,
}

/// Reads the library at `path` for a merge, read-only: its runs, the files
/// they were given and the results it holds. It must be a library of this
/// program's schema (an older one is upgraded by opening it once with any
/// command, e.g. `results --runs --db PATH`).
pub fn read_source(path: &Path) -> Result<MergeSource, LibraryError> {
    let sql = |e: rusqlite::Error| LibraryError::sql(path, &e);
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(|e| LibraryError::Open {
        path: path.to_path_buf(),
        cause: e.to_string(),
    })?;
    conn.busy_timeout(std::time::Duration::from_secs(30))
        .map_err(sql)?;
    let app_id: i64 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .map_err(sql)?;
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(sql)?;
    if app_id != APPLICATION_ID {
        return Err(LibraryError::Foreign {
            path: path.to_path_buf(),
        });
    }
    if version != SCHEMA_VERSION {
        return Err(LibraryError::OtherSchema {
            path: path.to_path_buf(),
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    let runs = conn
        .prepare(&format!("SELECT {RUN_COLUMNS} FROM runs ORDER BY id DESC"))
        .and_then(|mut s| s.query_map([], run_row)?.collect::<Result<Vec<_>, _>>())
        .map_err(sql)?;
    let mut inputs = BTreeSet::new();
    let listed: Vec<(String, String)> = conn
        .prepare("SELECT pipeline_name, inputs FROM runs")
        .and_then(|mut s| {
            s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<Vec<_>, _>>()
        })
        .map_err(sql)?;
    for (pipeline, text) in listed {
        let paths: Vec<String> = serde_json::from_str(&text).unwrap_or_default();
        inputs.extend(paths.into_iter().map(|p| (pipeline.clone(), p)));
    }
    let results = conn
        .prepare("SELECT r.pipeline_name, f.path FROM results r JOIN files f ON f.id = r.file_id")
        .and_then(|mut s| {
            s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<Vec<_>, _>>()
        })
        .map_err(sql)?;
    Ok(MergeSource {
        path: path.to_path_buf(),
        runs,
        inputs,
        results,
    })
}

impl Library {
    /// Copies every row of the library at `source` into this one in one
    /// transaction: files (by path), runs (those not copied before), results
    /// (a result that finished later wins over the one stored for the same
    /// pipeline and file), node outputs and stored decodes (by cache key).
    pub fn merge_from(&self, source: &Path) -> Result<MergeStats, LibraryError> {
        let sql = |e: rusqlite::Error| LibraryError::sql(&self.path, &e);
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn =
            Connection::open_with_flags(&self.path, flags).map_err(|e| LibraryError::Open {
                path: self.path.clone(),
                cause: e.to_string(),
            })?;
        configure(&conn, &self.path)?;
        conn.execute("ATTACH DATABASE ?1 AS shard", [file_uri(source, "mode=ro")])
            .map_err(|e| LibraryError::sql(source, &e))?;
        let copied = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .and_then(|tx| {
                let stats = copy_rows(&tx)?;
                tx.commit()?;
                Ok(stats)
            })
            .map_err(sql);
        let _ = conn.execute("DETACH DATABASE shard", []);
        copied
    }
}

/// A `file:` URI for `path` with `query` (e.g. `mode=ro`: ATTACH takes no
/// flags).
pub(crate) fn file_uri(path: &Path, query: &str) -> String {
    let path = stored_path(path);
    let mut uri = String::from("file:");
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            uri.push(char::from(b));
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri.push('?');
    uri.push_str(query);
    uri
}

const RUN_COPY: &str = "pipeline_name, pipeline_hash, pipeline_text, program_version, inputs,
     started_ms, finished_ms, files_total, files_ok, files_failed, files_cancelled, files_cached,
     shard_index, shard_count, host";

const RESULT_COPY: &str = "pipeline_name, file_id, run_id, pipeline_hash, fingerprint, status,
     ok, cached, error, quality, bpm, key, camelot, lufs, duration_s, analysis_s, finished_ms,
     record, bpm_note, key_note, partial_note, details, node_keys";

/// The attached `shard`'s rows into `main`.
fn copy_rows(tx: &Transaction<'_>) -> rusqlite::Result<MergeStats> {
    tx.execute_batch(
        "INSERT INTO main.files (path, size, mtime_ns, fingerprint, seen_ms)
             SELECT path, size, mtime_ns, fingerprint, seen_ms FROM shard.files WHERE true
             ON CONFLICT(path) DO UPDATE SET size = excluded.size,
                 mtime_ns = excluded.mtime_ns, fingerprint = excluded.fingerprint,
                 seen_ms = excluded.seen_ms
             WHERE excluded.seen_ms > files.seen_ms;
         CREATE TEMP TABLE IF NOT EXISTS run_map (old_id INTEGER PRIMARY KEY, new_id INTEGER NOT NULL);
         DELETE FROM temp.run_map;
         INSERT OR IGNORE INTO temp.run_map (old_id, new_id)
             SELECT s.id, m.id FROM shard.runs s JOIN main.runs m
             ON m.started_ms = s.started_ms AND m.pipeline_hash = s.pipeline_hash
                AND m.inputs = s.inputs AND m.host IS s.host
                AND m.shard_index IS s.shard_index AND m.shard_count IS s.shard_count;",
    )?;
    let runs = copy_runs(tx)?;
    tx.execute(
        "INSERT OR IGNORE INTO main.pipelines (pipeline_hash, text)
             SELECT pipeline_hash, text FROM shard.pipelines",
        [],
    )?;
    tx.execute_batch(
        "CREATE TEMP TABLE incoming AS
             SELECT r.pipeline_name, mf.id AS file_id, rm.new_id AS run_id, r.pipeline_hash,
                 r.fingerprint, r.status, r.ok, r.cached, r.error, r.quality, r.bpm, r.key,
                 r.camelot, r.lufs, r.duration_s, r.analysis_s, r.finished_ms, r.record,
                 r.bpm_note, r.key_note, r.partial_note, r.details, r.node_keys
             FROM shard.results r JOIN shard.files sf ON sf.id = r.file_id
             JOIN main.files mf ON mf.path = sf.path
             JOIN temp.run_map rm ON rm.old_id = r.run_id;
         DELETE FROM main.results WHERE rowid IN (
             SELECT m.rowid FROM temp.incoming i JOIN main.results m
             ON m.pipeline_name = i.pipeline_name AND m.file_id = i.file_id
             WHERE i.finished_ms >= m.finished_ms);",
    )?;
    let results = tx.execute(
        &format!("INSERT OR IGNORE INTO main.results ({RESULT_COPY}) SELECT {RESULT_COPY} FROM temp.incoming"),
        [],
    )?;
    tx.execute_batch("DROP TABLE temp.incoming")?;
    let node_outputs = tx.execute(
        "INSERT OR IGNORE INTO main.node_outputs (cache_key, fingerprint, output, created_ms)
             SELECT cache_key, fingerprint, output, created_ms FROM shard.node_outputs",
        [],
    )?;
    let artifacts = tx.execute(
        "INSERT OR IGNORE INTO main.artifacts (cache_key, fingerprint, data, created_ms)
             SELECT cache_key, fingerprint, data, created_ms FROM shard.artifacts",
        [],
    )?;
    let series = tx.execute(
        "INSERT OR IGNORE INTO main.series (cache_key, kind, fingerprint, data, created_ms)
             SELECT cache_key, kind, fingerprint, data, created_ms FROM shard.series",
        [],
    )?;
    Ok(MergeStats {
        runs,
        results: results as u64,
        node_outputs: node_outputs as u64,
        artifacts: artifacts as u64,
        series: series as u64,
    })
}

/// Copies the shard's runs not yet in `main`, mapping their ids.
fn copy_runs(tx: &Transaction<'_>) -> rusqlite::Result<u64> {
    let new: Vec<i64> = tx
        .prepare("SELECT id FROM shard.runs WHERE id NOT IN (SELECT old_id FROM temp.run_map) ORDER BY id")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut insert = tx.prepare(&format!(
        "INSERT INTO main.runs ({RUN_COPY}) SELECT {RUN_COPY} FROM shard.runs WHERE id = ?1"
    ))?;
    let mut map = tx.prepare("INSERT INTO temp.run_map (old_id, new_id) VALUES (?1, ?2)")?;
    for old in &new {
        insert.execute([old])?;
        map.execute(params![old, tx.last_insert_rowid()])?;
    }
    Ok(new.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_only_uris_escape_what_sqlite_would_read_as_syntax() {
        let uri = file_uri(Path::new("/data/a b?c#d%e.sqlite"), "mode=ro");
        assert_eq!(uri, "file:/data/a%20b%3Fc%23d%25e.sqlite?mode=ro");
    }
}
