//! Turning command-line inputs into audio files: folders are walked
//! recursively (sorted) for audio extensions; files named explicitly are
//! kept whatever their extension, so a bad one gets a clear error.

use std::path::{Path, PathBuf};

/// Extensions of the formats the decoder reads.
pub const AUDIO_EXTENSIONS: &[&str] = &[
    "wav", "wave", "flac", "mp3", "mp2", "mp1", "ogg", "oga", "m4a", "mp4", "aac", "alac", "aif",
    "aiff", "aifc", "caf", "mka", "mkv", "webm", "opus",
];

/// Whether the path has an audio extension.
pub fn has_audio_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| AUDIO_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// Expands directories (recursively, sorted) into audio files. A directory
/// named like an audio file is kept as an input, to be reported as such.
pub fn expand(inputs: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for input in inputs {
        if input.is_dir() && !has_audio_extension(input) {
            walk(input, &mut out);
        } else {
            out.push(input.clone());
        }
    }
    out
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        // An unreadable directory is reported as a failed input.
        out.push(dir.to_path_buf());
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if has_audio_extension(&path) {
            out.push(path);
        } else if path.is_dir() {
            walk(&path, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_folders_for_audio_and_keeps_named_files() {
        let dir = std::env::temp_dir().join(format!("wave-files-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        for name in ["b.wav", "a.FLAC", "notes.txt", "sub/c.mp3"] {
            std::fs::write(dir.join(name), b"x").unwrap();
        }
        let named = dir.join("notes.txt");
        let got = expand(&[dir.clone(), named.clone()]);
        assert_eq!(
            got,
            [
                dir.join("a.FLAC"),
                dir.join("b.wav"),
                dir.join("sub/c.mp3"),
                named
            ]
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
