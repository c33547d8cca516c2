//! A new library is made whole beside its final name and then linked into
//! place, so no process ever finds a half-made (empty) library at its path,
//! and an empty file there can be refused as not being one.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::error::LibraryError;
use super::{connect, schema};

/// Creates the library at `path` (which does not exist) with its schema.
/// When another process creates it at the same time, theirs is kept.
pub(super) fn new_library(path: &Path) -> Result<(), LibraryError> {
    let tmp = beside(path);
    remove_with_companions(&tmp);
    let made = connect(&tmp).and_then(|mut conn| schema::migrate(&mut conn, &tmp));
    // Closing the only connection checkpoints the WAL into the file.
    if let Err(e) = made {
        remove_with_companions(&tmp);
        return Err(e);
    }
    let placed = match std::fs::hard_link(&tmp, path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        // A file system without hard links: a rename, unless one appeared.
        Err(_) if !path.exists() => std::fs::rename(&tmp, path),
        Err(_) => Ok(()),
    };
    remove_with_companions(&tmp);
    placed.map_err(|e| LibraryError::Open {
        path: path.to_path_buf(),
        cause: format!("cannot put the new library in place: {e}"),
    })
}

/// `.NAME.PID-N.new` in `path`'s folder: its own for every opener, of
/// this process (N counts them) or another.
fn beside(path: &Path) -> PathBuf {
    static OPENERS: AtomicU64 = AtomicU64::new(0);
    let n = OPENERS.fetch_add(1, Ordering::Relaxed);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.{}-{n}.new", std::process::id()))
}

fn remove_with_companions(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut name = path.as_os_str().to_os_string();
        name.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(name));
    }
}
