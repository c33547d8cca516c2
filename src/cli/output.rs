//! Where a command's results go: stdout, or a `--out` file that is never
//! truncated before the results are ready. A regular file is written as a
//! temporary file beside it and renamed over it by [`Output::commit`]; a
//! device or pipe (`/dev/stdout`, a FIFO) is written in place.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::error::CliError;

/// A command's results on their way out (buffered).
pub struct Output {
    writer: BufWriter<Box<dyn Write>>,
    target: Target,
}

enum Target {
    /// stdout (`None`), or a device written in place.
    Direct(Option<PathBuf>),
    /// A temporary file renamed over `dest` on commit, removed otherwise.
    Staged { tmp: PathBuf, dest: PathBuf },
}

impl std::fmt::Debug for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Output")
            .field("dest", &self.path())
            .finish()
    }
}

/// `path` prepared for writing (a temporary file beside it; an error names
/// it), or stdout when `None`. An existing file is not touched until
/// [`Output::commit`].
pub fn open_output(path: Option<&Path>) -> Result<Output, CliError> {
    let Some(path) = path else {
        return Ok(Output::direct(Box::new(std::io::stdout()), None));
    };
    let error = |source| CliError::Output {
        path: path.to_path_buf(),
        source,
    };
    let special = std::fs::metadata(path).is_ok_and(|m| !m.is_file());
    if special {
        // A device or a pipe: nothing to replace, nothing to rename.
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(error)?;
        return Ok(Output::direct(Box::new(file), Some(path.to_path_buf())));
    }
    let tmp = temporary_beside(path);
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .map_err(error)?;
    Ok(Output {
        writer: BufWriter::new(Box::new(file) as Box<dyn Write>),
        target: Target::Staged {
            tmp,
            dest: path.to_path_buf(),
        },
    })
}

/// `.NAME.PID.tmp` in `path`'s folder: the same file system, so the
/// rename at the end is atomic.
fn temporary_beside(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".to_string());
    path.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

impl Output {
    fn direct(sink: Box<dyn Write>, path: Option<PathBuf>) -> Self {
        Self {
            writer: BufWriter::new(sink),
            target: Target::Direct(path),
        }
    }

    /// Writes what is buffered and puts the file in place (synced, then
    /// renamed over the `--out` path). The previous file stays whole until
    /// this succeeds.
    pub fn commit(&mut self) -> std::io::Result<()> {
        self.writer.flush()?;
        let Target::Staged { tmp, dest } = &self.target else {
            return Ok(());
        };
        let (tmp, dest) = (tmp.clone(), dest.clone());
        self.target = Target::Direct(Some(dest.clone()));
        let placed = File::open(&tmp)
            .and_then(|f| f.sync_all())
            .and_then(|()| std::fs::rename(&tmp, &dest));
        if placed.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        placed
    }

    /// The `--out` file this writes to, when it is one (not stdout).
    pub fn path(&self) -> Option<&Path> {
        match &self.target {
            Target::Direct(path) => path.as_deref(),
            Target::Staged { dest, .. } => Some(dest),
        }
    }

    /// Whether an existing `--out` file is replaced only on commit (not
    /// stdout or a device).
    pub fn staged(&self) -> bool {
        matches!(self.target, Target::Staged { .. })
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.writer.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.writer.flush()
    }
}

impl Drop for Output {
    /// Not committed (an error, a refusal): the temporary file goes and
    /// the `--out` path keeps what it held.
    fn drop(&mut self) {
        if let Target::Staged { tmp, .. } = &self.target {
            let _ = std::fs::remove_file(tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        reason = "a failed unwrap in a test is a failed test"
    )]

    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("ws-output-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn the_old_file_stays_whole_until_commit_and_after_a_failure() {
        let dir = scratch("stage");
        let out = dir.join("r.json");
        std::fs::write(&out, "old").unwrap();
        let mut o = open_output(Some(&out)).unwrap();
        o.write_all(b"new").unwrap();
        o.flush().unwrap();
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "old");
        o.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "new");
        let mut dropped = open_output(Some(&out)).unwrap();
        dropped.write_all(b"torn").unwrap();
        drop(dropped);
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "new");
        let left: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        assert_eq!(left.len(), 1, "no temporary file left: {left:?}");
    }
}
