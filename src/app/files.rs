//! The file queue (left panel): files and folders dropped or picked, each
//! with its state in the current run.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use egui::{Color32, RichText, Ui};

use super::commands::Command;
use super::theme;

/// Extensions the decoder handles; anything else is ignored with a note.
const AUDIO_EXTENSIONS: &[&str] = &[
    "wav", "wave", "flac", "mp3", "mp2", "mp1", "ogg", "oga", "m4a", "mp4", "aac", "aif", "aiff",
    "aifc", "caf", "mkv", "mka", "webm",
];

/// Whether `path` looks like audio we can decode.
pub fn is_audio(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| AUDIO_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// Where a queued file is.
#[derive(Debug, Clone, PartialEq)]
pub enum FileState {
    Queued,
    /// Running; the stage node it is in.
    Running(String),
    Done,
    Partial(String),
    Failed(String),
    Cancelled,
}

impl FileState {
    fn label(&self) -> (&'static str, Color32) {
        match self {
            FileState::Queued => ("queued", Color32::GRAY),
            FileState::Running(_) => ("running", theme::ACCENT),
            FileState::Done => ("done", theme::OK),
            FileState::Partial(_) => ("partial", theme::WARN),
            FileState::Failed(_) => ("failed", theme::ERROR),
            FileState::Cancelled => ("cancelled", Color32::GRAY),
        }
    }
}

/// One queued file.
#[derive(Debug, Clone)]
pub struct FileEntry {
    pub path: PathBuf,
    pub state: FileState,
    /// Share of the pipeline's nodes finished or skipped, while running.
    pub progress: f32,
}

/// The files to analyse.
#[derive(Debug, Default)]
pub struct FileQueue {
    pub entries: Vec<FileEntry>,
    known: HashSet<PathBuf>,
    /// What the last add ignored, shown under the list.
    pub note: Option<String>,
}

impl FileQueue {
    /// Adds files, and the audio files under folders (recursively); notes
    /// what was ignored. Returns how many were added.
    pub fn add_paths(&mut self, paths: impl IntoIterator<Item = PathBuf>) -> usize {
        let mut found = Vec::new();
        let mut ignored = 0usize;
        let mut unreadable = 0usize;
        for path in paths {
            collect(&path, &mut found, &mut ignored, &mut unreadable);
        }
        found.sort();
        let mut added = 0;
        for path in found {
            if self.known.insert(path.clone()) {
                self.entries.push(FileEntry {
                    path,
                    state: FileState::Queued,
                    progress: 0.0,
                });
                added += 1;
            }
        }
        let mut note = Vec::new();
        if ignored > 0 {
            note.push(format!("{ignored} non-audio file(s) ignored"));
        }
        if unreadable > 0 {
            note.push(format!("{unreadable} unreadable path(s) skipped"));
        }
        self.note = (!note.is_empty()).then(|| note.join("; "));
        added
    }

    /// Removes one file.
    pub fn remove(&mut self, index: usize) {
        if index < self.entries.len() {
            let entry = self.entries.remove(index);
            self.known.remove(&entry.path);
        }
    }

    /// Removes every file.
    pub fn clear(&mut self) {
        self.entries.clear();
        self.known.clear();
        self.note = None;
    }

    /// Counts per state: (queued, running, done, partial, failed).
    pub fn counts(&self) -> [usize; 5] {
        let mut c = [0; 5];
        for e in &self.entries {
            let i = match e.state {
                FileState::Queued | FileState::Cancelled => 0,
                FileState::Running(_) => 1,
                FileState::Done => 2,
                FileState::Partial(_) => 3,
                FileState::Failed(_) => 4,
            };
            c[i] += 1;
        }
        c
    }

    /// Draws the panel.
    pub fn ui(&self, ui: &mut Ui, running: bool, out: &mut Vec<Command>) {
        ui.horizontal(|ui| {
            ui.heading("Files");
            ui.label(RichText::new(format!("{}", self.entries.len())).weak());
        });
        ui.horizontal_wrapped(|ui| {
            if ui.button("Add files…").clicked() {
                out.push(Command::PickFiles);
            }
            if ui.button("Add folder…").clicked() {
                out.push(Command::PickFolder);
            }
        });
        ui.horizontal_wrapped(|ui| {
            let failed = self
                .entries
                .iter()
                .any(|e| matches!(e.state, FileState::Failed(_) | FileState::Partial(_)));
            if ui
                .add_enabled(!running && failed, egui::Button::new("Re-run failed"))
                .clicked()
            {
                out.push(Command::RerunFailed);
            }
            if ui
                .add_enabled(
                    !running && !self.entries.is_empty(),
                    egui::Button::new("Clear"),
                )
                .clicked()
            {
                out.push(Command::ClearFiles);
            }
        });
        if let Some(note) = &self.note {
            ui.label(RichText::new(note).small().color(theme::WARN));
        }
        if self.entries.is_empty() {
            ui.add_space(20.0);
            ui.vertical_centered(|ui| {
                ui.label(RichText::new("Drop audio files or folders here").weak());
            });
            return;
        }
        let [queued, run, done, partial, failed] = self.counts();
        ui.label(
            RichText::new(format!(
                "{queued} queued · {run} running · {done} done · {partial} partial · {failed} failed"
            ))
            .small(),
        );
        ui.separator();
        let row_h = ui.text_style_height(&egui::TextStyle::Body) + 4.0;
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show_rows(ui, row_h, self.entries.len(), |ui, range| {
                for i in range {
                    let Some(entry) = self.entries.get(i) else {
                        continue;
                    };
                    ui.horizontal(|ui| {
                        let (label, color) = entry.state.label();
                        let name = entry.path.file_name().map_or_else(
                            || entry.path.display().to_string(),
                            |n| n.to_string_lossy().into_owned(),
                        );
                        if !running
                            && ui
                                .small_button("×")
                                .on_hover_text("Remove from the queue")
                                .clicked()
                        {
                            out.push(Command::RemoveFile(i));
                        }
                        let status = match &entry.state {
                            FileState::Running(_) => ui.add(
                                egui::ProgressBar::new(entry.progress)
                                    .desired_width(44.0)
                                    .desired_height(row_h - 6.0)
                                    .fill(theme::ACCENT.gamma_multiply(0.7)),
                            ),
                            _ => ui.label(RichText::new(label).color(color).small()),
                        };
                        match &entry.state {
                            FileState::Failed(e) | FileState::Partial(e) => {
                                status.on_hover_text(e);
                            }
                            FileState::Running(stage) => {
                                status.on_hover_text(format!("in stage `{stage}`"));
                            }
                            _ => {}
                        }
                        ui.label(name)
                            .on_hover_text(entry.path.display().to_string());
                    });
                }
            });
    }
}

fn collect(path: &Path, found: &mut Vec<PathBuf>, ignored: &mut usize, unreadable: &mut usize) {
    if path.is_dir() {
        let Ok(read) = std::fs::read_dir(path) else {
            *unreadable += 1;
            return;
        };
        let mut children: Vec<PathBuf> = read.filter_map(|e| e.ok().map(|e| e.path())).collect();
        children.sort();
        for child in children {
            collect(&child, found, ignored, unreadable);
        }
    } else if path.is_file() {
        if is_audio(path) {
            found.push(path.to_path_buf());
        } else {
            *ignored += 1;
        }
    } else {
        *unreadable += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_are_walked_and_non_audio_noted() {
        let dir = std::env::temp_dir().join(format!("ws-files-{}", std::process::id()));
        let sub = dir.join("sub");
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(dir.join("a.wav"), b"x").unwrap();
        std::fs::write(sub.join("b.FLAC"), b"x").unwrap();
        std::fs::write(sub.join("notes.txt"), b"x").unwrap();
        let mut q = FileQueue::default();
        assert_eq!(q.add_paths([dir.clone()]), 2);
        assert_eq!(q.add_paths([dir.join("a.wav")]), 0, "no duplicates");
        assert!(q.note.is_none());
        q.add_paths([dir.clone()]);
        assert!(q.note.as_deref().unwrap_or("").contains("1 non-audio"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
