//! File identity: a stamp (size and modification time) that is cheap to
//! read, and a content fingerprint that survives a move or a rename.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::time::UNIX_EPOCH;

use xxhash_rust::xxh3::Xxh3;

/// Size and modification time: when both match the stored ones, the
/// stored fingerprint is trusted without reading the file (as git and
/// rsync do).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileStamp {
    /// Bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the Unix epoch.
    pub mtime_ns: i64,
}

impl FileStamp {
    /// Reads `path`'s stamp.
    pub fn of(path: &Path) -> io::Result<Self> {
        let meta = std::fs::metadata(path)?;
        let mtime_ns = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX));
        Ok(Self {
            size: meta.len(),
            mtime_ns,
        })
    }
}

/// The 128-bit XXH3 hash of a file's whole content, in hex: equal for a
/// moved or renamed copy, different after any edit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Fingerprint(pub String);

impl Fingerprint {
    /// Hashes every byte of `path`.
    pub fn of_file(path: &Path) -> io::Result<Self> {
        let mut file = File::open(path)?;
        let mut hasher = Xxh3::new();
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = match file.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            hasher.update(&buf[..n]);
        }
        Ok(Self(format!("{:032x}", hasher.digest128())))
    }

    /// The hex text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// How the library writes a path: absolute (against the current folder),
/// so a file is the same row whatever folder a run started in.
pub fn stored_path(path: &Path) -> String {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    super::path_text(&absolute)
}

/// A 128-bit XXH3 hash of `parts`, each length-prefixed so that no two
/// lists hash alike by shifting a boundary; in hex.
pub fn hash_parts<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> String {
    let mut hasher = Xxh3::new();
    for part in parts {
        hasher.update(&(part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    format!("{:032x}", hasher.digest128())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_follows_content_not_name() {
        let dir = std::env::temp_dir().join(format!("ws-fp-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let a = dir.join("a.bin");
        let b = dir.join("b.bin");
        std::fs::write(&a, vec![7u8; 200_000]).unwrap();
        std::fs::write(&b, vec![7u8; 200_000]).unwrap();
        assert_eq!(
            Fingerprint::of_file(&a).unwrap(),
            Fingerprint::of_file(&b).unwrap()
        );
        let mut edited = vec![7u8; 200_000];
        edited[150_000] = 8;
        std::fs::write(&b, edited).unwrap();
        assert_ne!(
            Fingerprint::of_file(&a).unwrap(),
            Fingerprint::of_file(&b).unwrap()
        );
        assert_eq!(FileStamp::of(&a).unwrap().size, 200_000);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn stored_paths_are_absolute() {
        let p = stored_path(Path::new("music/a.wav"));
        assert!(
            Path::new(&p).is_absolute() && p.ends_with("music/a.wav"),
            "{p}"
        );
    }

    #[test]
    fn hash_parts_respects_boundaries() {
        assert_ne!(
            hash_parts([b"ab".as_slice(), b"c"]),
            hash_parts([b"a".as_slice(), b"bc"])
        );
        assert_eq!(hash_parts([b"x".as_slice()]).len(), 32);
    }
}
