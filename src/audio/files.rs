//! Finding audio files: the one extension list and folder walker of the
//! CLI and the app. Folders are walked (with `walkdir`, sorted by name) for
//! the extensions the decoder reads; what is passed over or cannot be read
//! is reported, never dropped silently.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

/// Extensions of the formats the decoder reads.
pub const AUDIO_EXTENSIONS: &[&str] = &[
    "wav", "wave", "w64", "rf64", "bw64", "flac", "mp3", "mp2", "mp1", "ogg", "oga", "m4a", "mp4",
    "aac", "alac", "aif", "aiff", "aifc", "caf", "mka", "mkv", "webm", "opus",
];

/// Whether the path has an audio extension.
pub fn has_audio_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| AUDIO_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// How paths named explicitly (rather than found in a folder) are taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamedPaths {
    /// Kept whatever they are, so a bad one gets a clear error of its own
    /// when it is decoded (the CLI). A folder named like an audio file,
    /// named or found, is kept too, to be reported as such.
    Keep,
    /// Held to the rules of files found in folders: non-audio files are
    /// ignored, missing ones unreadable (the app's queue).
    AudioOnly,
}

/// What a scan found, in input order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FileScan {
    /// The audio files; each folder's entries in file-name order.
    pub files: Vec<PathBuf>,
    /// Entries passed over on purpose: files without an audio extension,
    /// and symbolic links to folders (not followed).
    pub ignored: Vec<PathBuf>,
    /// Entries that could not be read (permission denied, a broken link, a
    /// link loop), each with the cause.
    pub unreadable: Vec<(PathBuf, String)>,
}

impl FileScan {
    /// One line per unreadable entry, cause first and path last.
    pub fn unreadable_lines(&self) -> Vec<String> {
        self.unreadable
            .iter()
            .map(|(path, cause)| format!("skipped ({cause}): {}", path.display()))
            .collect()
    }

    /// "N non-audio file(s) ignored; M linked folder(s) not followed",
    /// when there were any.
    pub fn ignored_note(&self) -> Option<String> {
        let folders = self.ignored.iter().filter(|p| p.is_dir()).count();
        let files = self.ignored.len() - folders;
        let mut parts = Vec::new();
        if files > 0 {
            parts.push(format!("{files} non-audio file(s) ignored"));
        }
        if folders > 0 {
            parts.push(format!("{folders} linked folder(s) not followed"));
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }
}

/// Expands `inputs` into audio files: folders are walked recursively,
/// sorted by name, without following symbolic links to folders; named
/// paths are taken as `named` says.
pub fn scan(inputs: &[PathBuf], named: NamedPaths) -> FileScan {
    let mut out = FileScan::default();
    for input in inputs {
        let walk = match named {
            NamedPaths::Keep => input.is_dir() && !has_audio_extension(input),
            NamedPaths::AudioOnly => input.is_dir(),
        };
        if walk {
            walk_folder(input, named, &mut out);
        } else if named == NamedPaths::Keep {
            out.files.push(input.clone());
        } else {
            match std::fs::metadata(input) {
                Err(e) => out.unreadable.push((input.clone(), e.to_string())),
                Ok(_) if has_audio_extension(input) => out.files.push(input.clone()),
                Ok(_) => out.ignored.push(input.clone()),
            }
        }
    }
    out
}

fn walk_folder(root: &Path, named: NamedPaths, out: &mut FileScan) {
    // Links are resolved so that walkdir can tell a loop (a link back to an
    // ancestor) and a broken link; linked folders are then not entered.
    let mut entries = WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter();
    while let Some(next) = entries.next() {
        let entry = match next {
            Ok(entry) => entry,
            Err(e) => {
                out.unreadable.push(unreadable(&e, root));
                continue;
            }
        };
        let path = entry.path();
        if entry.depth() == 0 {
            continue;
        }
        if entry.file_type().is_dir() {
            if entry.path_is_symlink() {
                entries.skip_current_dir();
                out.ignored.push(path.to_path_buf());
            } else if named == NamedPaths::Keep && has_audio_extension(path) {
                entries.skip_current_dir();
                out.files.push(path.to_path_buf());
            }
        } else if has_audio_extension(path) {
            out.files.push(path.to_path_buf());
        } else {
            out.ignored.push(path.to_path_buf());
        }
    }
}

/// The path and cause of a walk error.
fn unreadable(e: &walkdir::Error, root: &Path) -> (PathBuf, String) {
    let path = e.path().unwrap_or(root).to_path_buf();
    let is_link = std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink());
    let cause = match (e.loop_ancestor(), e.io_error()) {
        (Some(ancestor), _) => format!("symbolic link loop to {}", ancestor.display()),
        (None, Some(io)) if is_link => format!("broken symbolic link: {io}"),
        (None, Some(io)) => io.to_string(),
        (None, None) => e.to_string(),
    };
    (path, cause)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("wave-files-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn walks_folders_for_audio_and_keeps_named_files() {
        let dir = temp("walk");
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        for name in ["b.wav", "a.FLAC", "notes.txt", "sub/c.mp3"] {
            std::fs::write(dir.join(name), b"x").unwrap();
        }
        let named = dir.join("notes.txt");
        let got = scan(&[dir.clone(), named.clone()], NamedPaths::Keep);
        assert_eq!(
            got.files,
            [
                dir.join("a.FLAC"),
                dir.join("b.wav"),
                dir.join("sub/c.mp3"),
                named.clone()
            ]
        );
        assert_eq!(got.ignored, std::slice::from_ref(&named));
        assert!(got.unreadable.is_empty());
        assert_eq!(
            got.ignored_note().as_deref(),
            Some("1 non-audio file(s) ignored")
        );

        let app = scan(&[dir.clone(), named.clone()], NamedPaths::AudioOnly);
        assert_eq!(app.files.len(), 3);
        assert_eq!(app.ignored, [named.clone(), named]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn opus_and_alac_files_are_found() {
        let dir = temp("opus");
        for name in ["a.opus", "b.alac", "c.OPUS"] {
            std::fs::write(dir.join(name), b"x").unwrap();
        }
        let got = scan(std::slice::from_ref(&dir), NamedPaths::AudioOnly);
        assert_eq!(
            got.files,
            [dir.join("a.opus"), dir.join("b.alac"), dir.join("c.OPUS")]
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_link_loop_ends_and_is_reported() {
        let dir = temp("loop");
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("sub/a.wav"), b"x").unwrap();
        std::os::unix::fs::symlink(&dir, dir.join("sub/back")).unwrap();
        let got = scan(std::slice::from_ref(&dir), NamedPaths::Keep);
        assert_eq!(got.files, [dir.join("sub/a.wav")]);
        assert_eq!(got.unreadable.len(), 1, "{got:?}");
        let (path, cause) = &got.unreadable[0];
        assert_eq!(path, &dir.join("sub/back"));
        assert!(cause.contains("loop"), "{cause}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn linked_folders_are_not_followed_and_broken_links_reported() {
        let dir = temp("links");
        let elsewhere = temp("links-target");
        std::fs::write(elsewhere.join("far.wav"), b"x").unwrap();
        std::os::unix::fs::symlink(&elsewhere, dir.join("linked")).unwrap();
        std::os::unix::fs::symlink(dir.join("gone.wav"), dir.join("dead.wav")).unwrap();
        std::os::unix::fs::symlink(elsewhere.join("far.wav"), dir.join("near.wav")).unwrap();
        let got = scan(std::slice::from_ref(&dir), NamedPaths::Keep);
        assert_eq!(got.files, [dir.join("near.wav")]);
        assert_eq!(got.ignored, [dir.join("linked")]);
        assert_eq!(
            got.ignored_note().as_deref(),
            Some("1 linked folder(s) not followed")
        );
        assert_eq!(got.unreadable.len(), 1, "{got:?}");
        assert_eq!(got.unreadable[0].0, dir.join("dead.wav"));
        assert!(got.unreadable[0].1.contains("broken"), "{got:?}");
        let lines = got.unreadable_lines();
        assert!(lines[0].ends_with("dead.wav") && lines[0].contains("broken"));
        std::fs::remove_dir_all(&dir).unwrap();
        std::fs::remove_dir_all(&elsewhere).unwrap();
    }

    #[test]
    fn order_is_by_name_folder_by_folder_whatever_the_creation_order() {
        let dir = temp("order");
        for name in ["m", "b", "m/z", "m/a"] {
            std::fs::create_dir_all(dir.join(name)).unwrap();
        }
        for name in [
            "z.wav",
            "m/z/2.wav",
            "a.wav",
            "m/a/1.wav",
            "m/k.wav",
            "b/x.wav",
            "n.wav",
        ] {
            std::fs::write(dir.join(name), b"x").unwrap();
        }
        let want: Vec<PathBuf> = [
            "a.wav",
            "b/x.wav",
            "m/a/1.wav",
            "m/k.wav",
            "m/z/2.wav",
            "n.wav",
            "z.wav",
        ]
        .iter()
        .map(|n| dir.join(n))
        .collect();
        assert_eq!(
            scan(std::slice::from_ref(&dir), NamedPaths::Keep).files,
            want
        );
        assert_eq!(
            scan(std::slice::from_ref(&dir), NamedPaths::AudioOnly).files,
            want
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn missing_named_paths_are_kept_or_reported() {
        let missing = std::env::temp_dir().join("wave-files-no-such-file.wav");
        let keep = scan(std::slice::from_ref(&missing), NamedPaths::Keep);
        assert_eq!(keep.files, std::slice::from_ref(&missing));
        let app = scan(std::slice::from_ref(&missing), NamedPaths::AudioOnly);
        assert!(app.files.is_empty());
        assert_eq!(app.unreadable.len(), 1);
        assert_eq!(app.unreadable[0].0, missing);
    }
}
