//! The document being edited: its path, the last saved copy (for the unsaved
//! mark), undo/redo stacks of snapshots, and load problems.

use std::path::PathBuf;

use crate::pipeline::{PipelineDocument, Problem};

/// How many snapshots undo keeps.
const UNDO_DEPTH: usize = 200;

/// The pipeline being edited.
#[derive(Debug, Clone)]
pub struct DocState {
    /// The document, the single source of truth for the editor.
    pub doc: PipelineDocument,
    /// Where it was loaded from or saved to; `None` for a new document.
    pub path: Option<PathBuf>,
    /// The document as last loaded or saved.
    saved: PipelineDocument,
    undo: Vec<PipelineDocument>,
    redo: Vec<PipelineDocument>,
    /// Edits with the same key in a row (dragging a value) are one undo step.
    last_edit_key: Option<String>,
    /// Bumped on every change, so views know when to rebuild.
    pub generation: u64,
    /// Problems of the last load that failed (the document was kept).
    pub load_problems: Option<LoadFailure>,
    /// Bumped when the whole document is replaced, so the canvas refits.
    pub epoch: u64,
}

/// A pipeline that could not be opened, and why.
#[derive(Debug, Clone)]
pub struct LoadFailure {
    pub path: PathBuf,
    pub problems: Vec<Problem>,
}

impl DocState {
    /// A state holding `doc`, unmodified.
    pub fn new(doc: PipelineDocument, path: Option<PathBuf>) -> Self {
        Self {
            saved: doc.clone(),
            doc,
            path,
            undo: Vec::new(),
            redo: Vec::new(),
            last_edit_key: None,
            generation: 0,
            load_problems: None,
            epoch: 0,
        }
    }

    /// Replaces the whole document (New, Open): history is cleared.
    pub fn replace(&mut self, doc: PipelineDocument, path: Option<PathBuf>) {
        let generation = self.generation + 1;
        let epoch = self.epoch + 1;
        *self = Self::new(doc, path);
        self.generation = generation;
        self.epoch = epoch;
    }

    /// Whether the document differs from the saved copy.
    pub fn is_dirty(&self) -> bool {
        self.doc != self.saved
    }

    /// Records that the document was saved to `path`.
    pub fn mark_saved(&mut self, path: PathBuf) {
        self.saved = self.doc.clone();
        self.path = Some(path);
    }

    /// The file name for the title bar.
    pub fn title(&self) -> String {
        let name = self.path.as_ref().and_then(|p| p.file_name()).map_or_else(
            || "untitled.ron".to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let mark = if self.is_dirty() { " •" } else { "" };
        format!("{name}{mark} — Wave Studio")
    }

    /// Applies an edit as one undo step. `key` merges consecutive edits of
    /// the same thing (a dragged value) into one step. Returns whether the
    /// document changed.
    pub fn edit(&mut self, key: Option<&str>, f: impl FnOnce(&mut PipelineDocument)) -> bool {
        let before = self.doc.clone();
        f(&mut self.doc);
        if self.doc == before {
            return false;
        }
        let merge = key.is_some() && key == self.last_edit_key.as_deref();
        if !merge {
            self.undo.push(before);
            if self.undo.len() > UNDO_DEPTH {
                self.undo.remove(0);
            }
        }
        self.last_edit_key = key.map(str::to_string);
        self.redo.clear();
        self.generation += 1;
        true
    }

    /// Steps back one edit.
    pub fn undo(&mut self) -> bool {
        let Some(prev) = self.undo.pop() else {
            return false;
        };
        self.redo.push(std::mem::replace(&mut self.doc, prev));
        self.last_edit_key = None;
        self.generation += 1;
        true
    }

    /// Steps forward one undone edit.
    pub fn redo(&mut self) -> bool {
        let Some(next) = self.redo.pop() else {
            return false;
        };
        self.undo.push(std::mem::replace(&mut self.doc, next));
        self.last_edit_key = None;
        self.generation += 1;
        true
    }

    /// Whether there is something to undo.
    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    /// Whether there is something to redo.
    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undo_redo_and_dirty() {
        let mut s = DocState::new(PipelineDocument::default(), None);
        assert!(!s.is_dirty());
        s.edit(Some("a"), |d| d.config.quality_threshold = 0.5);
        s.edit(Some("a"), |d| d.config.quality_threshold = 0.6);
        s.edit(None, |d| d.name = "x".into());
        assert!(s.is_dirty());
        assert!(s.undo());
        assert!(s.undo());
        assert!(!s.is_dirty(), "two merged edits are one step");
        assert!(s.redo());
        assert!((s.doc.config.quality_threshold - 0.6).abs() < 1e-9);
    }
}
