//! What can go wrong with the library, always naming its file.

use std::path::PathBuf;

/// A library error. Every variant names the database file.
#[derive(Debug, thiserror::Error)]
pub enum LibraryError {
    /// The file or its folder could not be opened or created.
    #[error("cannot open the library {path}: {cause}")]
    Open {
        /// The database file.
        path: PathBuf,
        /// Why.
        cause: String,
    },
    /// The file is not a SQLite database, or its pages are damaged.
    #[error(
        "the library {path} is corrupt or not a database ({cause}); move it aside to start a new one"
    )]
    Corrupt {
        /// The database file.
        path: PathBuf,
        /// SQLite's message.
        cause: String,
    },
    /// SQLite's `quick_check` found damaged pages: the file is refused and
    /// left as it is.
    #[error(
        "the library {path} is damaged ({problems}); nothing was written to it. \
         `wave-studio library check --db {path}` says what can still be read, \
         `wave-studio library repair --db {path} NEW.sqlite` copies it into a new library"
    )]
    Damaged {
        /// The database file.
        path: PathBuf,
        /// What the check reported.
        problems: String,
    },
    /// An empty (zero-byte) file where a library was expected: refused
    /// rather than made a new library, since it is surely not one.
    #[error(
        "{path} is an empty file, not a results library; remove it to start a new library there"
    )]
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// A SQLite database of another program.
    #[error("{path} is a SQLite database of another program, not a Wave Studio library")]
    Foreign {
        /// The database file.
        path: PathBuf,
    },
    /// Written by a newer Wave Studio: refused, never altered.
    #[error(
        "the library {path} has schema version {found}, newer than this program's {supported}; \
         use a newer Wave Studio (the file was not changed)"
    )]
    NewerSchema {
        /// The database file.
        path: PathBuf,
        /// The file's schema version.
        found: i64,
        /// The newest version this program knows.
        supported: i64,
    },
    /// Read for a merge but of another schema version: merging reads
    /// libraries as they are and never upgrades them.
    #[error(
        "the library {path} has schema version {found}, not this program's {supported}; \
         merge needs shards written by this Wave Studio (an older library is upgraded by \
         opening it once, e.g. `wave-studio results --runs --db {path}`)"
    )]
    OtherSchema {
        /// The database file.
        path: PathBuf,
        /// The file's schema version.
        found: i64,
        /// The version this program writes.
        supported: i64,
    },
    /// The file or its folder cannot be written.
    #[error("the library {path} is read-only: {cause}")]
    ReadOnly {
        /// The database file.
        path: PathBuf,
        /// SQLite's message.
        cause: String,
    },
    /// The disk (or the database's size limit) is full.
    #[error("the disk holding the library {path} is full: {cause}")]
    DiskFull {
        /// The database file.
        path: PathBuf,
        /// SQLite's message.
        cause: String,
    },
    /// Another process held the database for longer than the busy timeout.
    #[error("the library {path} stayed locked by another process: {cause}")]
    Busy {
        /// The database file.
        path: PathBuf,
        /// SQLite's message.
        cause: String,
    },
    /// Any other SQLite failure.
    #[error("library {path}: {cause}")]
    Sql {
        /// The database file.
        path: PathBuf,
        /// SQLite's message.
        cause: String,
    },
    /// The writer thread is gone (it stopped after an earlier error).
    #[error("library {path}: the writer stopped")]
    WriterGone {
        /// The database file.
        path: PathBuf,
    },
}

impl LibraryError {
    /// Classifies a SQLite error on the database at `path`.
    pub fn sql(path: &std::path::Path, e: &rusqlite::Error) -> Self {
        use rusqlite::ErrorCode as C;
        let path = path.to_path_buf();
        let cause = e.to_string();
        match e.sqlite_error_code() {
            Some(C::DatabaseCorrupt | C::NotADatabase) => Self::Corrupt { path, cause },
            Some(C::ReadOnly) => Self::ReadOnly { path, cause },
            Some(C::DiskFull) => Self::DiskFull { path, cause },
            Some(C::DatabaseBusy | C::DatabaseLocked) => Self::Busy { path, cause },
            Some(C::CannotOpen | C::PermissionDenied) => Self::Open { path, cause },
            _ => Self::Sql { path, cause },
        }
    }

    /// The database file the error is about.
    pub fn path(&self) -> &std::path::Path {
        match self {
            Self::Open { path, .. }
            | Self::Corrupt { path, .. }
            | Self::Damaged { path, .. }
            | Self::Empty { path }
            | Self::Foreign { path }
            | Self::NewerSchema { path, .. }
            | Self::OtherSchema { path, .. }
            | Self::ReadOnly { path, .. }
            | Self::DiskFull { path, .. }
            | Self::Busy { path, .. }
            | Self::Sql { path, .. }
            | Self::WriterGone { path } => path,
        }
    }
}
