//! The command line's files and folders as audio files, with a warning on
//! stderr for every entry that could not be read.

use std::path::PathBuf;

use super::terminal::escape_text;
use crate::audio::files::{NamedPaths, scan};

/// The audio files `inputs` name or hold (folders walked); warns about
/// unreadable entries (path and cause) and counts the ignored ones.
pub(crate) fn audio_files(inputs: &[PathBuf]) -> Vec<PathBuf> {
    let found = scan(inputs, NamedPaths::Keep);
    for line in found.unreadable_lines() {
        eprintln!("warning: {}", escape_text(&line));
    }
    if let Some(note) = found.ignored_note() {
        eprintln!("note: {}", escape_text(&note));
    }
    found.files
}
