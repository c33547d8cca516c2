//! The guard that keeps `--out` off the user's own data: the results
//! library, a shard being merged, the pipeline file or any audio file being
//! read. Paths are compared resolved (symlinks, `./`, `..`) and by file
//! identity (device and inode), so another spelling or a hard link of the
//! same file does not slip through.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use super::error::CliError;

/// A file `--out` must not be, and what it is (for the message).
#[derive(Debug, Clone)]
pub struct Protected<'a> {
    /// The file.
    pub path: &'a Path,
    /// What it is: "the results library", "a shard", "an input file"...
    pub what: &'static str,
}

/// `path` resolved: canonical when it exists, else its folder's canonical
/// form joined with its name (a library or output not created yet).
fn resolved(path: &Path) -> Option<PathBuf> {
    if let Ok(p) = std::fs::canonicalize(path) {
        return Some(p);
    }
    let name = path.file_name()?;
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    Some(std::fs::canonicalize(parent).ok()?.join(name))
}

/// A file's identity, when it exists.
fn identity(path: &Path) -> Option<(u64, u64)> {
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

/// Whether `a` and `b` name the same file (resolved, or by identity).
pub fn same_file(a: &Path, b: &Path) -> bool {
    let by_id = identity(a).is_some_and(|id| identity(b) == Some(id));
    by_id || resolved(a).is_some_and(|p| resolved(b) == Some(p))
}

/// The error when `out` is one of `protected` (or, for a library, its
/// `-wal`/`-shm` companions); nothing has been written when it is given.
pub fn refuse_clobber(out: Option<&Path>, protected: &[Protected<'_>]) -> Result<(), CliError> {
    let Some(out) = out else {
        return Ok(());
    };
    let out_path = resolved(out);
    let out_id = identity(out);
    let same = |path: &Path| {
        let by_id = out_id.is_some() && identity(path) == out_id;
        by_id || (out_path.is_some() && resolved(path) == out_path)
    };
    for p in protected {
        let mut hit = same(p.path);
        if p.what == LIBRARY && !hit {
            hit = ["-wal", "-shm"].iter().any(|suffix| {
                let mut name = p.path.as_os_str().to_os_string();
                name.push(suffix);
                same(Path::new(&name))
            });
        }
        if hit {
            return Err(CliError::Clobber {
                out: out.to_path_buf(),
                what: p.what,
                path: p.path.to_path_buf(),
            });
        }
    }
    Ok(())
}

/// `what` for the results library (its `-wal` and `-shm` are guarded too).
pub const LIBRARY: &str = "the results library";
/// `what` for an audio file being read.
pub const INPUT: &str = "an input file";
/// `what` for a pipeline file.
pub const PIPELINE: &str = "the pipeline file";
/// `what` for a shard given to `merge`.
pub const SHARD: &str = "a shard being merged";

/// `files` as input files to protect. Only an existing regular `--out`
/// can be one of them, so the list is only built then.
pub fn inputs<'a>(out: Option<&Path>, files: &'a [PathBuf]) -> Vec<Protected<'a>> {
    let exists = out.is_some_and(|o| std::fs::metadata(o).is_ok_and(|m| m.is_file()));
    if !exists {
        return Vec::new();
    }
    files
        .iter()
        .map(|path| Protected { path, what: INPUT })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        reason = "a failed unwrap in a test is a failed test"
    )]

    use super::*;

    #[test]
    fn another_spelling_a_symlink_or_a_hard_link_is_the_same_file() {
        let dir = std::env::temp_dir().join(format!("ws-clobber-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        let lib = dir.join("lib.sqlite");
        std::fs::write(&lib, "x").unwrap();
        std::os::unix::fs::symlink(&lib, dir.join("link.sqlite")).unwrap();
        std::fs::hard_link(&lib, dir.join("hard.sqlite")).unwrap();
        let guard = [Protected {
            path: &lib,
            what: LIBRARY,
        }];
        for out in [
            "sub/../lib.sqlite",
            "link.sqlite",
            "hard.sqlite",
            "lib.sqlite-wal",
        ] {
            let e = refuse_clobber(Some(&dir.join(out)), &guard).unwrap_err();
            assert!(e.to_string().contains("the results library"), "{out}: {e}");
        }
        assert!(refuse_clobber(Some(&dir.join("results.json")), &guard).is_ok());
        let missing = dir.join("new.sqlite");
        let not_yet = [Protected {
            path: &missing,
            what: LIBRARY,
        }];
        assert!(refuse_clobber(Some(&dir.join("sub/../new.sqlite")), &not_yet).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
