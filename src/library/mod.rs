//! The results library: one SQLite database of files and their
//! fingerprints, runs, results and node outputs by cache key. Rows only:
//! it knows no pipeline document, no engine and no screen; `pipeline`
//! computes cache keys and asks it, `app` and `cli` open it.

mod check;
mod error;
mod fingerprint;
mod history;
mod merge;
mod path_text;
mod query;
mod records;
mod schema;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use parking_lot::Mutex;
use rusqlite::{Connection, OpenFlags, OptionalExtension};

pub use check::{CheckReport, TableReport, check, repair};
pub use error::LibraryError;
pub use fingerprint::{FileStamp, Fingerprint, hash_parts, stored_path};
pub use merge::{MergeSource, MergeStats, read_source};
pub use path_text::{path_text, text_path};
pub use records::{
    ArtifactBytes, ArtifactRow, FinishedFile, NewRun, NodeOutputRow, ResultFilter, ResultRow,
    ResultSeries, ResultSummary, RunCounts, RunId, RunRow, Shard, StoredSeries,
};
pub use schema::SCHEMA_VERSION;
pub use writer::{Writer, WriterReport};

/// The library's file name in the data directory.
pub const FILE_NAME: &str = "library.sqlite";

/// An open library. Reads go through a small pool of connections (any
/// thread may read at once, WAL keeps them off the writer's way); writes of
/// a run go through one [`Writer`].
pub struct Library {
    path: PathBuf,
    readers: Mutex<Vec<Connection>>,
    /// Opened read-only ([`Library::open_read_only`]): nothing is written.
    read_only: bool,
    /// The stored decodes' quick check, made by the first writer.
    decodes: writer::DecodeCheck,
}

impl std::fmt::Debug for Library {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Library").field("path", &self.path).finish()
    }
}

/// The platform's place for the library: on Linux
/// `~/.local/share/wave-studio/library.sqlite`.
pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "wave-studio").map(|d| d.data_dir().join(FILE_NAME))
}

impl Library {
    /// Opens (creating it and its folder if needed) the library at `path`
    /// and brings its schema up to date. A newer schema, a foreign, corrupt
    /// or damaged file (SQLite's `quick_check`, before anything is
    /// written) and an empty file are refused and left as they are.
    pub fn open(path: &Path) -> Result<Arc<Self>, LibraryError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| LibraryError::Open {
                path: path.to_path_buf(),
                cause: format!("cannot create the folder {}: {e}", dir.display()),
            })?;
        }
        if !path.exists() {
            create::new_library(path)?;
        }
        if std::fs::metadata(path).is_ok_and(|m| m.len() == 0) {
            return Err(LibraryError::Empty {
                path: path.to_path_buf(),
            });
        }
        let mut conn = connect(path)?;
        check::quick_check(&conn, path)?;
        schema::migrate(&mut conn, path)?;
        Ok(Arc::new(Self {
            path: path.to_path_buf(),
            readers: Mutex::new(vec![conn]),
            read_only: false,
            decodes: writer::DecodeCheck::default(),
        }))
    }

    /// Opens the library at `path` for reading only (a read-only file or
    /// folder, or another user's library): never written, not upgraded
    /// (an older schema is refused), still checked for damage.
    pub fn open_read_only(path: &Path) -> Result<Arc<Self>, LibraryError> {
        let conn = connect_read_only(path)?;
        check::quick_check(&conn, path)?;
        schema::check_read_only(&conn, path)?;
        Ok(Arc::new(Self {
            path: path.to_path_buf(),
            readers: Mutex::new(vec![conn]),
            read_only: true,
            decodes: writer::DecodeCheck::default(),
        }))
    }

    /// Opens the library for writing or, when its file or folder cannot be
    /// written, for reading only ([`Library::is_read_only`] says which).
    pub fn open_or_read_only(path: &Path) -> Result<Arc<Self>, LibraryError> {
        match Self::open(path) {
            Err(e @ (LibraryError::ReadOnly { .. } | LibraryError::Open { .. }))
                if path.is_file() =>
            {
                Self::open_read_only(path).map_err(|ro| match ro {
                    LibraryError::Damaged { .. } => ro,
                    _ => e,
                })
            }
            other => other,
        }
    }

    /// Whether it was opened read-only (nothing will be stored).
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Starts the writer for a run (its own connection and thread).
    pub fn writer(&self) -> Result<Writer, LibraryError> {
        if self.read_only {
            return Err(self.read_only_error());
        }
        Writer::start(connect(&self.path)?, &self.path, self.decodes.clone())
    }

    fn read_only_error(&self) -> LibraryError {
        LibraryError::ReadOnly {
            path: self.path.clone(),
            cause: "opened read-only; nothing is stored".into(),
        }
    }

    /// Runs `f` on a pooled read connection.
    fn read<T>(
        &self,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> Result<T, LibraryError> {
        let pooled = self.readers.lock().pop();
        let conn = match pooled {
            Some(c) => c,
            None if self.read_only => connect_read_only(&self.path)?,
            None => connect(&self.path)?,
        };
        let out = f(&conn).map_err(|e| LibraryError::sql(&self.path, &e));
        self.readers.lock().push(conn);
        out
    }

    /// The stored fingerprint of `path` when its stamp is unchanged.
    pub fn known_fingerprint(
        &self,
        path: &Path,
        stamp: FileStamp,
    ) -> Result<Option<Fingerprint>, LibraryError> {
        let size = i64::try_from(stamp.size).unwrap_or(i64::MAX);
        self.read(|c| {
            c.prepare_cached(
                "SELECT fingerprint FROM files WHERE path = ?1 AND size = ?2 AND mtime_ns = ?3",
            )?
            .query_row(
                rusqlite::params![stored_path(path), size, stamp.mtime_ns],
                |r| r.get(0).map(Fingerprint),
            )
            .optional()
        })
    }

    /// `path`'s fingerprint: the stored one when its size and modification
    /// time are unchanged, otherwise read from its content.
    pub fn fingerprint(&self, path: &Path) -> std::io::Result<(FileStamp, Fingerprint)> {
        let stamp = FileStamp::of(path)?;
        if let Ok(Some(fp)) = self.known_fingerprint(path, stamp) {
            return Ok((stamp, fp));
        }
        Ok((stamp, Fingerprint::of_file(path)?))
    }

    /// A stored node output (JSON) by cache key.
    pub fn node_output(&self, cache_key: &str) -> Result<Option<String>, LibraryError> {
        self.read(|c| {
            c.prepare_cached("SELECT output FROM node_outputs WHERE cache_key = ?1")?
                .query_row([cache_key], |r| r.get(0))
                .optional()
        })
    }

    /// The stored series of a node output, by kind, by its cache key.
    pub fn node_series(&self, cache_key: &str) -> Result<Vec<(String, Vec<u8>)>, LibraryError> {
        self.read(|c| {
            c.prepare_cached("SELECT kind, data FROM series WHERE cache_key = ?1 ORDER BY kind")?
                .query_map([cache_key], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect()
        })
    }

    /// Stored artifacts by the decoding node's cache key.
    pub fn artifacts(&self, cache_key: &str) -> Result<Option<Vec<u8>>, LibraryError> {
        self.read(|c| {
            c.prepare_cached("SELECT data FROM artifacts WHERE cache_key = ?1")?
                .query_row([cache_key], |r| r.get(0))
                .optional()
        })
    }

    /// `PRAGMA integrity_check`'s answer ("ok" when sound).
    pub fn integrity_check(&self) -> Result<String, LibraryError> {
        self.read(|c| c.query_row("PRAGMA integrity_check", [], |r| r.get(0)))
    }
}

/// A connection with the library's settings.
fn connect(path: &Path) -> Result<Connection, LibraryError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(|e| LibraryError::Open {
        path: path.to_path_buf(),
        cause: e.to_string(),
    })?;
    schema::configure(&conn, path)?;
    Ok(conn)
}

/// A read-only connection: `mode=ro`, or `immutable=1` when SQLite cannot
/// make the WAL's shared-memory file beside it (a read-only folder).
pub(crate) fn connect_read_only(path: &Path) -> Result<Connection, LibraryError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if !path.is_file() {
        return Err(LibraryError::Open {
            path: path.to_path_buf(),
            cause: "no such file".into(),
        });
    }
    let mut last = None;
    for mode in ["mode=ro", "immutable=1"] {
        let uri = merge::file_uri(path, mode);
        let opened = Connection::open_with_flags(&uri, flags).and_then(|c| {
            c.busy_timeout(std::time::Duration::from_secs(30))?;
            // The first read opens the WAL index: it fails here if it can.
            c.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
                r.get::<_, i64>(0)
            })?;
            Ok(c)
        });
        match opened {
            Ok(c) => return Ok(c),
            Err(e) => last = Some(e),
        }
    }
    let cause = last.map_or_else(String::new, |e| e.to_string());
    Err(LibraryError::Open {
        path: path.to_path_buf(),
        cause,
    })
}

mod create;

#[cfg(test)]
mod tests;
