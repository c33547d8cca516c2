//! `run --order`: the order files are started in. Results are still
//! written in the order the inputs named the files.

use std::cmp::Reverse;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// The order `run` starts files in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum RunOrder {
    /// Sorted by path.
    #[default]
    Path,
    /// Smallest file first, by size in bytes (a proxy for duration).
    Shortest,
    /// Latest modification time first.
    Newest,
}

/// What ordering needs to know of one file; `None` when its metadata
/// cannot be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Facts {
    size: u64,
    modified: SystemTime,
}

fn facts(path: &Path) -> Option<Facts> {
    let meta = std::fs::metadata(path).ok()?;
    Some(Facts {
        size: meta.len(),
        modified: meta.modified().ok()?,
    })
}

/// The positions of `files` in the order to start them. Files whose
/// metadata cannot be read go last, in path order; ties go by path.
pub(super) fn processing_order(files: &[PathBuf], order: RunOrder) -> Vec<usize> {
    let mut keyed: Vec<(usize, Option<Facts>)> = files
        .iter()
        .enumerate()
        .map(|(i, path)| match order {
            RunOrder::Path => (i, None),
            RunOrder::Shortest | RunOrder::Newest => (i, facts(path)),
        })
        .collect();
    // A stable sort: identical paths keep their input order.
    keyed.sort_by(|(a, fa), (b, fb)| {
        let by_facts = match (fa, fb) {
            (Some(x), Some(y)) => match order {
                RunOrder::Path => std::cmp::Ordering::Equal,
                RunOrder::Shortest => x.size.cmp(&y.size),
                RunOrder::Newest => Reverse(x.modified).cmp(&Reverse(y.modified)),
            },
            // Unreadable metadata goes last.
            (fa, fb) => fa.is_none().cmp(&fb.is_none()),
        };
        by_facts.then_with(|| files[*a].cmp(&files[*b]))
    });
    keyed.into_iter().map(|(i, _)| i).collect()
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        reason = "a failed unwrap in a test is a failed test"
    )]

    use std::time::Duration;

    use super::*;

    fn temp_dir(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("wave-order-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// A file of `size` bytes modified `age_s` seconds before a fixed time.
    fn file(dir: &Path, name: &str, size: usize, age_s: u64) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, vec![0u8; size]).unwrap();
        let when = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000 - age_s);
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(when)
            .unwrap();
        path
    }

    #[test]
    fn orders_by_path_size_or_age_with_unreadable_files_last() {
        let dir = temp_dir("kinds");
        let files = vec![
            file(&dir, "c.wav", 300, 30),
            dir.join("missing-b.wav"),
            file(&dir, "a.wav", 200, 10),
            dir.join("missing-a.wav"),
            file(&dir, "b.wav", 100, 20),
        ];
        assert_eq!(processing_order(&files, RunOrder::Path), [2, 4, 0, 3, 1]);
        assert_eq!(
            processing_order(&files, RunOrder::Shortest),
            [4, 2, 0, 3, 1]
        );
        assert_eq!(processing_order(&files, RunOrder::Newest), [2, 4, 0, 3, 1]);
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn ties_go_by_path() {
        let dir = temp_dir("ties");
        let files = vec![
            file(&dir, "z.wav", 50, 5),
            file(&dir, "y.wav", 50, 5),
            file(&dir, "x.wav", 10, 1),
        ];
        assert_eq!(processing_order(&files, RunOrder::Shortest), [2, 1, 0]);
        assert_eq!(processing_order(&files, RunOrder::Newest), [2, 1, 0]);
        std::fs::remove_dir_all(&dir).ok();
    }
}
