//! The schema and its migrations. `PRAGMA user_version` holds the version;
//! each migration moves the file one version up inside a transaction, and
//! a file from a newer program is refused untouched.

use std::path::Path;

use rusqlite::Connection;

use super::error::LibraryError;

/// Identifies a Wave Studio library among SQLite files (`PRAGMA
/// application_id`; "WAVS" in ASCII).
pub const APPLICATION_ID: i64 = 0x5741_5653;

/// Migration `i` takes a library from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 0 → 1: the first release.
    "CREATE TABLE files (
         id INTEGER PRIMARY KEY,
         path TEXT NOT NULL UNIQUE,
         size INTEGER NOT NULL,
         mtime_ns INTEGER NOT NULL,
         fingerprint TEXT NOT NULL,
         seen_ms INTEGER NOT NULL
     );
     CREATE INDEX files_by_fingerprint ON files(fingerprint);
     CREATE TABLE runs (
         id INTEGER PRIMARY KEY,
         pipeline_name TEXT NOT NULL,
         pipeline_hash TEXT NOT NULL,
         pipeline_text TEXT NOT NULL,
         program_version TEXT NOT NULL,
         inputs TEXT NOT NULL,
         started_ms INTEGER NOT NULL,
         finished_ms INTEGER,
         files_total INTEGER NOT NULL,
         files_ok INTEGER NOT NULL DEFAULT 0,
         files_failed INTEGER NOT NULL DEFAULT 0,
         files_cancelled INTEGER NOT NULL DEFAULT 0,
         files_cached INTEGER NOT NULL DEFAULT 0
     );
     CREATE TABLE results (
         pipeline_name TEXT NOT NULL,
         file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
         run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
         pipeline_hash TEXT NOT NULL,
         fingerprint TEXT NOT NULL,
         status TEXT NOT NULL,
         ok INTEGER NOT NULL,
         cached INTEGER NOT NULL,
         error TEXT,
         quality REAL,
         bpm REAL,
         key TEXT,
         camelot TEXT,
         lufs REAL,
         duration_s REAL,
         analysis_s REAL NOT NULL,
         finished_ms INTEGER NOT NULL,
         record TEXT NOT NULL,
         PRIMARY KEY (pipeline_name, file_id)
     );
     CREATE INDEX results_by_run ON results(run_id);
     CREATE INDEX results_by_file ON results(file_id);
     CREATE TABLE node_outputs (
         cache_key TEXT PRIMARY KEY,
         fingerprint TEXT NOT NULL,
         output TEXT NOT NULL,
         created_ms INTEGER NOT NULL
     );
     CREATE INDEX node_outputs_by_fingerprint ON node_outputs(fingerprint);
     CREATE TABLE artifacts (
         cache_key TEXT PRIMARY KEY,
         fingerprint TEXT NOT NULL,
         data BLOB NOT NULL,
         created_ms INTEGER NOT NULL
     );
     CREATE INDEX artifacts_by_fingerprint ON artifacts(fingerprint);",
    // 1 → 2: the tempo's candidates (or why there is none) and why there
    // is no key, for the table.
    "ALTER TABLE results ADD COLUMN bpm_note TEXT;
     ALTER TABLE results ADD COLUMN key_note TEXT;",
    // 2 → 3: which shard of a sharded run (index and count, 0-based) and
    // which machine ran it, so a merge can name missing shards and hosts.
    "ALTER TABLE runs ADD COLUMN shard_index INTEGER;
     ALTER TABLE runs ADD COLUMN shard_count INTEGER;
     ALTER TABLE runs ADD COLUMN host TEXT;",
    // 3 → 4: why a completed file is only partly analysed (a truncated
    // file), so reloaded rows say `partial` as the live ones do; filled in
    // from the stored records.
    "ALTER TABLE results ADD COLUMN partial_note TEXT;
     UPDATE results SET partial_note =
         coalesce(json_extract(record, '$.partial_reason'), 'decoding stopped early')
     WHERE status = 'completed' AND json_valid(record)
         AND json_extract(record, '$.partial') = 1;",
    // 4 → 5: each distinct pipeline text once, by its hash (the runs'
    // `pipeline_hash`), instead of a copy in every run's row; the copies
    // move there and `runs.pipeline_text` is left empty.
    "CREATE TABLE IF NOT EXISTS pipelines (
         pipeline_hash TEXT PRIMARY KEY,
         text TEXT NOT NULL
     );
     INSERT OR IGNORE INTO pipelines (pipeline_hash, text)
         SELECT pipeline_hash, pipeline_text FROM runs WHERE pipeline_text != '' ORDER BY id;
     UPDATE runs SET pipeline_text = '' WHERE pipeline_text != '';",
    // 5 → 6: what the table tells on hover (the tempo's and key's
    // confidence, the key's runner-up, the nodes skipped and why) and the
    // loudness columns the list has none of (range, true peak, the gate's
    // verdict: `->` keeps a JSON boolean a boolean) as a
    // small JSON object, so listing 100,000 rows parses no whole record;
    // filled in from the stored records.
    "ALTER TABLE results ADD COLUMN details TEXT;
     UPDATE results SET details = json_object(
         'bpm_confidence', json_extract(record, '$.bpm_confidence'),
         'key_confidence', json_extract(record, '$.key_confidence'),
         'key_runner_up', json_extract(record, '$.key_runner_up'),
         'skipped', json(coalesce(json_extract(record, '$.skipped'), '[]')),
         'loudness_range_lu', json_extract(record, '$.loudness_range_lu'),
         'true_peak_dbtp', json_extract(record, '$.true_peak_dbtp'),
         'loudness_compliant', json(record -> '$.loudness_compliant'),
         'loudness_issues',
             json(coalesce(json_extract(record, '$.loudness_issues'), '[]')))
     WHERE json_valid(record);",
    // 6 → 7: analysis over time (beats, tempo, key, loudness, waveform),
    // one compact blob per node output and kind, under the node's cache
    // key as its output is; each result names the cache keys of its nodes
    // so its series are found. Old results have none until analysed again.
    "CREATE TABLE series (
         cache_key TEXT NOT NULL,
         kind TEXT NOT NULL,
         fingerprint TEXT NOT NULL,
         data BLOB NOT NULL,
         created_ms INTEGER NOT NULL,
         PRIMARY KEY (cache_key, kind)
     );
     CREATE INDEX series_by_fingerprint ON series(fingerprint);
     ALTER TABLE results ADD COLUMN node_keys TEXT;",
];

/// The schema version this program writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Settings every connection gets: WAL so readers never wait for the
/// writer, a busy timeout so two writers (the app and a CLI run) queue
/// instead of failing, and foreign keys for cascading deletes.
pub fn configure(conn: &Connection, path: &Path) -> Result<(), LibraryError> {
    let sql = |e: rusqlite::Error| LibraryError::sql(path, &e);
    conn.busy_timeout(std::time::Duration::from_secs(30))
        .map_err(sql)?;
    conn.pragma_update(None, "foreign_keys", true)
        .map_err(sql)?;
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(sql)?;
    Ok(())
}

/// Checks that a library opened read-only is ours and of this program's
/// schema (it cannot be upgraded).
pub fn check_read_only(conn: &Connection, path: &Path) -> Result<(), LibraryError> {
    let sql = |e: rusqlite::Error| LibraryError::sql(path, &e);
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(sql)?;
    let app_id: i64 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .map_err(sql)?;
    if app_id != APPLICATION_ID {
        return Err(LibraryError::Foreign {
            path: path.to_path_buf(),
        });
    }
    if version > SCHEMA_VERSION {
        return Err(LibraryError::NewerSchema {
            path: path.to_path_buf(),
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    if version < SCHEMA_VERSION {
        return Err(LibraryError::ReadOnly {
            path: path.to_path_buf(),
            cause: format!(
                "its schema version {version} is older than this program's {SCHEMA_VERSION}, \
                 and a read-only library cannot be upgraded"
            ),
        });
    }
    Ok(())
}

/// Checks the file is ours (or empty) and brings it to `SCHEMA_VERSION`.
pub fn migrate(conn: &mut Connection, path: &Path) -> Result<(), LibraryError> {
    let sql = |e: rusqlite::Error| LibraryError::sql(path, &e);
    // One snapshot: another opener may create the schema between two
    // separate reads (its tables seen, its application id not yet).
    let (version, app_id, tables) = {
        let read = conn.transaction().map_err(sql)?;
        let version: i64 = read
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(sql)?;
        let app_id: i64 = read
            .pragma_query_value(None, "application_id", |r| r.get(0))
            .map_err(sql)?;
        let tables: i64 = read
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
            .map_err(sql)?;
        read.commit().map_err(sql)?;
        (version, app_id, tables)
    };
    if app_id != APPLICATION_ID && (app_id != 0 || tables > 0) {
        return Err(LibraryError::Foreign {
            path: path.to_path_buf(),
        });
    }
    if version > SCHEMA_VERSION {
        return Err(LibraryError::NewerSchema {
            path: path.to_path_buf(),
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    if version == SCHEMA_VERSION {
        return Ok(());
    }
    // WAL is a property of the file: set once, by whoever creates it.
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(sql)?;
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(sql)?;
    // Another process may have migrated while we waited for the lock.
    let now: i64 = tx
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(sql)?;
    for step in MIGRATIONS.iter().skip(usize::try_from(now).unwrap_or(0)) {
        tx.execute_batch(step).map_err(sql)?;
    }
    tx.pragma_update(None, "application_id", APPLICATION_ID)
        .map_err(sql)?;
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)
        .map_err(sql)?;
    tx.commit().map_err(sql)
}
