//! Where the results library lives for a command: `--db PATH`, else the
//! `WAVE_STUDIO_DB` environment variable, else the platform's data folder.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::error::CliError;
use super::terminal::escape;
use crate::library::{self, Library};

/// The environment variable naming the library when `--db` is not given.
pub const DB_ENV: &str = "WAVE_STUDIO_DB";

/// The library's path: `explicit` (`--db`), else [`DB_ENV`] when set and
/// not empty, else [`library::default_path`].
pub fn db_path(explicit: Option<&Path>) -> Result<PathBuf, CliError> {
    if let Some(path) = explicit {
        return Ok(path.to_path_buf());
    }
    if let Some(path) = std::env::var_os(DB_ENV).filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(path));
    }
    library::default_path().ok_or(CliError::NoDataFolder)
}

/// Opens an existing library for `results` and `forget`: a missing file is
/// an error (reading must not create an empty library by accident).
pub fn open_existing(explicit: Option<&Path>) -> Result<Arc<Library>, CliError> {
    let path = db_path(explicit)?;
    if !path.is_file() {
        return Err(CliError::NoLibrary(path));
    }
    Ok(Library::open(&path)?)
}

/// Opens an existing library to read from (`results`, `tune`): one that
/// cannot be opened for writing (a read-only file or folder) is read as
/// it is, with a note that nothing will be stored in it.
pub fn open_to_read(explicit: Option<&Path>) -> Result<Arc<Library>, CliError> {
    let path = db_path(explicit)?;
    if !path.is_file() {
        return Err(CliError::NoLibrary(path));
    }
    let library = Library::open_or_read_only(&path)?;
    if library.is_read_only() {
        eprintln!(
            "note: the library {} cannot be written; it is read as it is and nothing will be \
             stored in it",
            escape(&path.display().to_string())
        );
    }
    Ok(library)
}
