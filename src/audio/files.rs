//! Finding audio files: folders are walked recursively (sorted) for the
//! extensions the decoder reads; files named explicitly are kept whatever
//! their extension, so a bad one gets a clear error of its own.

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
    // Symbolic links to directories are not followed: a link to a parent
    // would recurse for ever.
    let mut paths: Vec<(PathBuf, bool)> = entries
        .filter_map(|e| e.ok())
        .map(|e| (e.path(), e.file_type().is_ok_and(|t| t.is_dir())))
        .collect();
    paths.sort();
    for (path, real_dir) in paths {
        if has_audio_extension(&path) {
            out.push(path);
        } else if real_dir {
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

    #[test]
    fn a_link_to_a_parent_folder_is_not_followed() {
        let dir = std::env::temp_dir().join(format!("wave-files-loop-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("sub/a.wav"), b"x").unwrap();
        std::os::unix::fs::symlink(&dir, dir.join("sub/back")).unwrap();
        assert_eq!(expand(std::slice::from_ref(&dir)), [dir.join("sub/a.wav")]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
