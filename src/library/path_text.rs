//! File paths as text without loss. A UTF-8 path is its own text; in a
//! path that is not UTF-8 (a Latin-1 name from an old archive), each byte
//! outside valid UTF-8 becomes NUL followed by its two hex digits. No Unix
//! path holds a NUL, so the text of two different names always differs
//! and gives its path back; people see those bytes as `\xNN`.

use std::ffi::OsString;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

/// Marks an escaped byte in a path's text.
const MARK: char = '\0';

/// `path` as text, losslessly (see the module).
pub fn path_text(path: &Path) -> String {
    let bytes = path.as_os_str().as_bytes();
    if let Ok(text) = std::str::from_utf8(bytes) {
        return text.to_string();
    }
    let mut out = String::with_capacity(bytes.len() + 8);
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            out.push(MARK);
            out.push_str(&format!("{b:02x}"));
        }
    }
    out
}

/// The path a [`path_text`] stands for.
pub fn text_path(text: &str) -> PathBuf {
    if !text.contains(MARK) {
        return PathBuf::from(text);
    }
    let mut bytes = Vec::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(MARK) {
        bytes.extend_from_slice(&rest.as_bytes()[..at]);
        let hex = rest.get(at + 1..at + 3);
        match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
            Some(b) => {
                bytes.push(b);
                rest = &rest[at + 3..];
            }
            None => {
                // Not one of ours: kept as it is.
                bytes.push(0);
                rest = &rest[at + 1..];
            }
        }
    }
    bytes.extend_from_slice(rest.as_bytes());
    PathBuf::from(OsString::from_vec(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_are_not_utf8_keep_their_bytes_and_stay_apart() {
        let latin1 = PathBuf::from(OsString::from_vec(b"/m/caf\xe9 \xe8.wav".to_vec()));
        let other = PathBuf::from(OsString::from_vec(b"/m/caf\xe8 \xe8.wav".to_vec()));
        let text = path_text(&latin1);
        assert_eq!(text, "/m/caf\u{0}e9 \u{0}e8.wav");
        assert_ne!(text, path_text(&other));
        assert_eq!(text_path(&text), latin1);
        assert_eq!(path_text(Path::new("/m/Fête.flac")), "/m/Fête.flac");
        assert_eq!(text_path("/m/Fête.flac"), PathBuf::from("/m/Fête.flac"));
    }
}
