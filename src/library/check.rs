//! Damage: SQLite's `quick_check` before a library is used (a damaged file
//! is refused and never written), and reading what a damaged library still
//! holds, table by table and row by row, to report it (`library check`) or
//! to copy it into a new library (`library repair`).

use std::path::{Path, PathBuf};

use rusqlite::types::Value;
use rusqlite::{Connection, params_from_iter};

use super::error::LibraryError;
use super::{Library, connect_read_only};

/// The tables, in the order a copy must write them (rows before the rows
/// that refer to them).
const TABLES: [&str; 7] = [
    "files",
    "runs",
    "pipelines",
    "results",
    "node_outputs",
    "artifacts",
    "series",
];

/// A row read whole: its column names and values.
type Row = (Vec<String>, Vec<Value>);

/// Rows read per query while nothing is damaged.
const BATCH: i64 = 512;

/// Problems listed by a check at most.
const PROBLEMS: u32 = 20;

/// The tables checked on every open: all but the stored decodes, which
/// are most of a library's bytes (`benches/library_check.rs`: 0.2 s for
/// 100,000 results without them, 1.4 s with 20 KB decodes each; a real
/// library keeps ~110 KB per two minutes of audio). The decodes are
/// checked once per library by the first writer, before its first write.
const CHECKED_ON_OPEN: [&str; 6] = [
    "sqlite_schema",
    "files",
    "runs",
    "pipelines",
    "results",
    "node_outputs",
];

/// `PRAGMA quick_check` of every table but the stored decodes on `conn`:
/// every page and b-tree structure read (not the indexes' agreement with
/// their tables, which a full `integrity_check` adds). A damaged file is
/// [`LibraryError::Damaged`].
pub(crate) fn quick_check(conn: &Connection, path: &Path) -> Result<(), LibraryError> {
    let mut problems = Vec::new();
    for table in CHECKED_ON_OPEN {
        if table == "sqlite_schema" || has_table(conn, table) {
            problems.extend(check_lines(conn, &format!("quick_check({table})"), path)?);
        }
    }
    damaged(path, &problems)
}

/// `PRAGMA quick_check` of the stored decodes (`artifacts`).
pub(crate) fn quick_check_artifacts(conn: &Connection, path: &Path) -> Result<(), LibraryError> {
    if !has_table(conn, "artifacts") {
        return Ok(());
    }
    let problems = check_lines(conn, "quick_check(artifacts)", path)?;
    damaged(path, &problems)
}

fn damaged(path: &Path, problems: &[String]) -> Result<(), LibraryError> {
    if problems.is_empty() {
        return Ok(());
    }
    Err(LibraryError::Damaged {
        path: path.to_path_buf(),
        problems: problems.join("; "),
    })
}

/// The problems a check pragma (with its argument) reports (none when it
/// answers "ok"); an error reading its answer is itself the problem.
fn check_lines(conn: &Connection, pragma: &str, path: &Path) -> Result<Vec<String>, LibraryError> {
    let lines = conn.prepare(&format!("PRAGMA {pragma}")).and_then(|mut s| {
        s.query_map([], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()
    });
    match lines {
        Ok(lines) if lines == ["ok"] => Ok(Vec::new()),
        Ok(lines) => Ok(lines),
        Err(e) => match LibraryError::sql(path, &e) {
            LibraryError::Corrupt { cause, .. } => Ok(vec![cause]),
            other => Err(other),
        },
    }
}

/// What could be read from one table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableReport {
    /// The table.
    pub table: &'static str,
    /// Rows read whole (and, by a repair, copied).
    pub readable: u64,
    /// Row ids whose page could not be read: lost.
    pub unreadable: u64,
    /// Rows read but not copied: they refer to a lost row (a result
    /// whose file or run is gone). Only a repair counts them.
    pub orphaned: u64,
}

/// What `check` or `repair` found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckReport {
    /// The library.
    pub path: PathBuf,
    /// `integrity_check`'s problems (empty: sound).
    pub problems: Vec<String>,
    /// Every table's rows.
    pub tables: Vec<TableReport>,
}

impl CheckReport {
    /// Nothing damaged and nothing lost.
    pub fn is_sound(&self) -> bool {
        self.problems.is_empty() && self.tables.iter().all(|t| t.unreadable == 0)
    }
}

/// Reads the library at `path` (read-only, never changed): its
/// `integrity_check` and how many rows of each table can still be read.
pub fn check(path: &Path) -> Result<CheckReport, LibraryError> {
    let conn = connect_read_only(path)?;
    let problems = check_lines(&conn, &format!("integrity_check({PROBLEMS})"), path)?;
    let mut tables = Vec::new();
    for table in TABLES {
        let mut report = TableReport {
            table,
            ..TableReport::default()
        };
        if has_table(&conn, table) {
            salvage(&conn, table, &mut report, |_, _| true);
        }
        tables.push(report);
    }
    Ok(CheckReport {
        path: path.to_path_buf(),
        problems,
        tables,
    })
}

/// Copies every readable row of the library at `source` into a new
/// library at `dest` (which must not exist); `source` is only read.
pub fn repair(source: &Path, dest: &Path) -> Result<CheckReport, LibraryError> {
    if dest.exists() {
        return Err(LibraryError::Open {
            path: dest.to_path_buf(),
            cause: "it exists already; a repair writes a new library".into(),
        });
    }
    let from = connect_read_only(source)?;
    let problems = check_lines(&from, &format!("integrity_check({PROBLEMS})"), source)?;
    let target = Library::open(dest)?;
    let mut to = super::connect(target.path())?;
    let sql = |e: rusqlite::Error| LibraryError::sql(dest, &e);
    let tx = to.transaction().map_err(sql)?;
    let mut tables = Vec::new();
    for table in TABLES {
        let mut report = TableReport {
            table,
            ..TableReport::default()
        };
        if has_table(&from, table) {
            salvage(&from, table, &mut report, |columns, row| {
                insert(&tx, table, columns, row)
            });
        }
        tables.push(report);
    }
    tx.commit().map_err(sql)?;
    Ok(CheckReport {
        path: source.to_path_buf(),
        problems,
        tables,
    })
}

fn has_table(conn: &Connection, table: &str) -> bool {
    conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
        [table],
        |r| r.get::<_, i64>(0),
    )
    .is_ok_and(|n| n > 0)
}

/// One row into `table` of the new library; false (an orphan) when a row
/// it refers to was lost.
fn insert(tx: &rusqlite::Transaction<'_>, table: &str, columns: &[String], row: &[Value]) -> bool {
    let names = columns.join(", ");
    let marks = vec!["?"; columns.len()].join(", ");
    let sql = format!("INSERT OR REPLACE INTO {table} ({names}) VALUES ({marks})");
    tx.prepare_cached(&sql)
        .and_then(|mut s| s.execute(params_from_iter(row.iter())))
        .is_ok()
}

/// Reads `table` by row id, in batches while the pages read, row by row
/// past a damaged page; hands every whole row to `keep` (false: orphaned)
/// and counts the rest.
fn salvage(
    conn: &Connection,
    table: &str,
    report: &mut TableReport,
    mut keep: impl FnMut(&[String], &[Value]) -> bool,
) {
    let last = last_rowid(conn, table);
    let mut next = 1;
    while next <= last {
        match batch(conn, table, next, &mut keep, report) {
            Ok(Some(after)) => next = after,
            Ok(None) => break,
            Err(stopped_at) => next = probe(conn, table, (stopped_at, last), &mut keep, report),
        }
    }
}

/// The table's last row id: from the table when its right edge reads,
/// else from its indexes (each entry holds its row's id), else 0.
fn last_rowid(conn: &Connection, table: &str) -> i64 {
    let max = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, Option<i64>>(0));
    if let Ok(m) = max(&format!("SELECT max(rowid) FROM {table}")) {
        return m.unwrap_or(0);
    }
    let indexes: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?1")
        .and_then(|mut s| s.query_map([table], |r| r.get(0))?.collect())
        .unwrap_or_default();
    indexes
        .iter()
        .filter_map(|i| {
            max(&format!(
                "SELECT max(rowid) FROM {table} INDEXED BY \"{i}\""
            ))
            .ok()
        })
        .flatten()
        .max()
        .unwrap_or(0)
}

/// One batch from row id `from`: `Ok(Some(next))` to go on, `Ok(None)`
/// at the end, `Err(id)` when reading stopped at a damaged page after
/// the rows before `id`.
fn batch(
    conn: &Connection,
    table: &str,
    from: i64,
    keep: &mut impl FnMut(&[String], &[Value]) -> bool,
    report: &mut TableReport,
) -> Result<Option<i64>, i64> {
    let sql =
        format!("SELECT rowid, * FROM {table} WHERE rowid >= ?1 ORDER BY rowid LIMIT {BATCH}");
    let Ok(mut stmt) = conn.prepare(&sql) else {
        return Err(from);
    };
    let columns: Vec<String> = stmt.column_names().skip(1).map(str::to_string).collect();
    let Ok(mut rows) = stmt.query([from]) else {
        return Err(from);
    };
    let mut next = from;
    let mut read = 0;
    loop {
        match rows.next() {
            Ok(Some(row)) => {
                let Ok(id) = row.get::<_, i64>(0) else {
                    return Err(next);
                };
                let values: Option<Vec<Value>> =
                    (1..=columns.len()).map(|i| row.get(i).ok()).collect();
                let Some(values) = values else {
                    return Err(next);
                };
                count_row(report, keep(&columns, &values));
                next = id + 1;
                read += 1;
            }
            Ok(None) => return Ok((read == BATCH).then_some(next)),
            Err(_) => return Err(next),
        }
    }
}

fn count_row(report: &mut TableReport, kept: bool) {
    if kept {
        report.readable += 1;
    } else {
        report.orphaned += 1;
    }
}

/// Row ids from `from` one by one until one reads whole again (it is
/// kept); each that fails is counted lost. Returns where batches resume,
/// always past `from`.
fn probe(
    conn: &Connection,
    table: &str,
    (from, last): (i64, i64),
    keep: &mut impl FnMut(&[String], &[Value]) -> bool,
    report: &mut TableReport,
) -> i64 {
    let sql = format!("SELECT * FROM {table} WHERE rowid = ?1");
    let mut id = from;
    while id <= last {
        match one_row(conn, &sql, id) {
            Ok(Some((columns, values))) => {
                count_row(report, keep(&columns, &values));
                return id + 1;
            }
            Ok(None) => return id + 1,
            Err(()) => report.unreadable += 1,
        }
        id += 1;
    }
    id
}

/// The row `id` whole (its columns and values), `None` when there is no
/// such row, `Err` when its pages cannot be read.
fn one_row(conn: &Connection, sql: &str, id: i64) -> Result<Option<Row>, ()> {
    let mut stmt = conn.prepare_cached(sql).map_err(|_| ())?;
    let columns: Vec<String> = stmt.column_names().map(str::to_string).collect();
    let mut rows = stmt.query([id]).map_err(|_| ())?;
    let Some(row) = rows.next().map_err(|_| ())? else {
        return Ok(None);
    };
    let values = (0..columns.len())
        .map(|i| row.get(i).map_err(|_| ()))
        .collect::<Result<Vec<Value>, ()>>()?;
    Ok(Some((columns, values)))
}
