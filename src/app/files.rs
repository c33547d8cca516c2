//! The file queue (left panel): files and folders dropped or picked, each
//! with its state in the current run.

use std::collections::HashSet;
use std::path::PathBuf;

use egui::{Color32, RichText, Ui};
use serde::{Deserialize, Serialize};

use crate::app::command::Command;
use crate::app::theme;
use crate::audio::files::{NamedPaths, scan};

/// Unreadable entries listed by name under the queue; the rest are counted.
const UNREADABLE_SHOWN: usize = 5;
/// Ignored entries named when the note is hovered; the rest are counted.
const IGNORED_SHOWN: usize = 20;

/// Where a queued file is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FileState {
    /// Waiting for a run.
    Queued,
    /// Running; the stage node it is in.
    Running(String),
    /// Every stage that ran succeeded.
    Done,
    /// Finished with some stages failed; the errors.
    Partial(String),
    /// The wave failed; the errors.
    Failed(String),
    /// The run was cancelled before the file finished.
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
    /// The file.
    pub path: PathBuf,
    /// Where it is in the current (or last) run.
    pub state: FileState,
    /// Share of the pipeline's nodes finished or skipped, while running.
    pub progress: f32,
}

/// The files to analyse.
#[derive(Debug, Default)]
pub struct FileQueue {
    /// The queued files, in the order added.
    pub entries: Vec<FileEntry>,
    known: HashSet<PathBuf>,
    /// What the last add ignored or could not read, shown under the list.
    pub note: Option<String>,
    /// The entries the last add could not read, with the cause.
    pub unreadable: Vec<(PathBuf, String)>,
    /// What the last add ignored (not audio, links not followed), named
    /// when the note is hovered.
    pub ignored: Vec<PathBuf>,
    /// Selected entries, by path (indices move when the queue does).
    pub selected: HashSet<PathBuf>,
    /// Audio files the last add found already queued.
    pub already_queued: usize,
}

/// A queue entry as saved between launches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedEntry {
    /// The file.
    pub path: PathBuf,
    /// Its state when the app closed.
    pub state: FileState,
}

impl FileQueue {
    /// Adds files, and the audio files under folders (recursively); notes
    /// what was ignored and keeps what could not be read, with the cause,
    /// to show under the list. Returns how many were added.
    pub fn add_paths(&mut self, paths: impl IntoIterator<Item = PathBuf>) -> usize {
        let paths: Vec<PathBuf> = paths.into_iter().collect();
        let found = scan(&paths, NamedPaths::AudioOnly);
        let mut note = Vec::new();
        note.extend(found.ignored_note());
        let mut added = 0;
        self.already_queued = 0;
        for path in found.files.into_iter().map(absolute) {
            self.already_queued += usize::from(self.known.contains(&path));
            if self.known.insert(path.clone()) {
                self.entries.push(FileEntry {
                    path,
                    state: FileState::Queued,
                    progress: 0.0,
                });
                added += 1;
            }
        }
        if !found.unreadable.is_empty() {
            note.push(format!(
                "{} unreadable path(s) skipped",
                found.unreadable.len()
            ));
        }
        self.note = (!note.is_empty()).then(|| note.join("; "));
        self.unreadable = found.unreadable;
        self.ignored = found.ignored;
        added
    }

    /// Removes one file.
    pub fn remove(&mut self, index: usize) {
        if index < self.entries.len() {
            let entry = self.entries.remove(index);
            self.known.remove(&entry.path);
            self.selected.remove(&entry.path);
        }
    }

    /// Removes every file.
    pub fn clear(&mut self) {
        self.entries.clear();
        self.known.clear();
        self.selected.clear();
        self.note = None;
        self.unreadable.clear();
        self.ignored.clear();
    }

    /// The queue as saved between launches; a file still running when the
    /// app closed is saved as queued (its run did not finish).
    pub fn saved(&self) -> Vec<SavedEntry> {
        self.entries
            .iter()
            .map(|e| SavedEntry {
                path: e.path.clone(),
                state: match &e.state {
                    FileState::Running(_) => FileState::Queued,
                    s => s.clone(),
                },
            })
            .collect()
    }

    /// Puts saved entries back (before anything else is queued), without
    /// reading the disk: a file that went missing fails when run.
    pub fn restore(&mut self, saved: Vec<SavedEntry>) {
        for s in saved {
            let path = absolute(s.path);
            if self.known.insert(path.clone()) {
                self.entries.push(FileEntry {
                    path,
                    state: s.state,
                    progress: 0.0,
                });
            }
        }
    }

    /// Selects entry `i` alone, or toggles it with `toggle`.
    pub fn select(&mut self, i: usize, toggle: bool) {
        let Some(path) = self.entries.get(i).map(|e| e.path.clone()) else {
            return;
        };
        if !toggle {
            self.selected.clear();
            self.selected.insert(path);
        } else if !self.selected.remove(&path) {
            self.selected.insert(path);
        }
    }

    /// The indices of the selected entries, in queue order.
    pub fn selected_indices(&self) -> Vec<usize> {
        (0..self.entries.len())
            .filter(|&i| {
                self.entries
                    .get(i)
                    .is_some_and(|e| self.selected.contains(&e.path))
            })
            .collect()
    }

    /// Moves entries `indices` to the front, keeping their order and the
    /// others'. Returns where each old index went (`moved[old] = new`).
    pub fn move_to_front(&mut self, indices: &[usize]) -> Vec<usize> {
        let front: HashSet<usize> = indices.iter().copied().collect();
        let (mut first, rest): (Vec<usize>, Vec<usize>) =
            (0..self.entries.len()).partition(|i| front.contains(i));
        first.extend(rest);
        let mut moved = vec![0; first.len()];
        for (new, &old) in first.iter().enumerate() {
            if let Some(m) = moved.get_mut(old) {
                *m = new;
            }
        }
        let mut old: Vec<Option<FileEntry>> = self.entries.drain(..).map(Some).collect();
        self.entries = first
            .iter()
            .filter_map(|&i| old.get_mut(i).and_then(Option::take))
            .collect();
        moved
    }

    /// Counts per state: (queued, running, done, partial, failed,
    /// cancelled).
    pub fn counts(&self) -> [usize; 6] {
        let mut c = [0; 6];
        for e in &self.entries {
            let i = match e.state {
                FileState::Queued => 0,
                FileState::Running(_) => 1,
                FileState::Done => 2,
                FileState::Partial(_) => 3,
                FileState::Failed(_) => 4,
                FileState::Cancelled => 5,
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
        self.actions_ui(ui, running, out);
        self.notes_ui(ui);
        if self.entries.is_empty() {
            ui.add_space(20.0);
            ui.vertical_centered(|ui| {
                ui.label(RichText::new("Drop audio files or folders here").weak());
            });
            return;
        }
        let [queued, run, done, partial, failed, cancelled] = self.counts();
        let mut summary = format!(
            "{queued} queued · {run} running · {done} done · {partial} partial · {failed} failed"
        );
        if cancelled > 0 {
            summary.push_str(&format!(" · {cancelled} cancelled"));
        }
        ui.label(summary);
        ui.separator();
        let row_h = ui.text_style_height(&egui::TextStyle::Body) + 4.0;
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show_rows(ui, row_h, self.entries.len(), |ui, range| {
                for i in range {
                    if let Some(entry) = self.entries.get(i) {
                        let selected = self.selected.contains(&entry.path);
                        ui.horizontal(|ui| {
                            entry_ui(ui, (entry, selected), i, row_h, running, out);
                        });
                    }
                }
            });
    }

    /// The add, re-run and clear buttons.
    fn actions_ui(&self, ui: &mut Ui, running: bool, out: &mut Vec<Command>) {
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
            let selection = self.selected_indices();
            if ui
                .add_enabled(!selection.is_empty(), egui::Button::new("Analyse next"))
                .on_hover_text("Move the selected files to the front of the queue")
                .on_disabled_hover_text("Select queued files first (click a name; Ctrl+click adds)")
                .clicked()
            {
                out.push(Command::AnalyseNext(selection));
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
    }

    /// What the last add ignored, and each entry it could not read.
    fn notes_ui(&self, ui: &mut Ui) {
        if let Some(note) = &self.note {
            let response = ui.label(RichText::new(note).small().color(theme::WARN));
            if !self.ignored.is_empty() {
                response.on_hover_ui(|ui| ignored_ui(ui, &self.ignored));
            }
        }
        for (path, cause) in self.unreadable.iter().take(UNREADABLE_SHOWN) {
            let name = path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            ui.label(
                RichText::new(format!("{name}: {cause}"))
                    .small()
                    .color(theme::WARN),
            )
            .on_hover_text(path.display().to_string());
        }
        let more = self.unreadable.len().saturating_sub(UNREADABLE_SHOWN);
        if more > 0 {
            ui.label(RichText::new(format!("… and {more} more")).small().weak());
        }
    }
}

/// The ignored paths by name (the first `IGNORED_SHOWN`), with why.
fn ignored_ui(ui: &mut Ui, ignored: &[PathBuf]) {
    ui.label(
        RichText::new("Ignored (not audio by its extension, or a link not followed):").strong(),
    );
    for path in ignored.iter().take(IGNORED_SHOWN) {
        ui.label(path.display().to_string());
    }
    let more = ignored.len().saturating_sub(IGNORED_SHOWN);
    if more > 0 {
        ui.label(RichText::new(format!("… and {more} more")).weak());
    }
}

/// One queued file: remove button, state (or progress) and name.
fn entry_ui(
    ui: &mut Ui,
    (entry, selected): (&FileEntry, bool),
    i: usize,
    row_h: f32,
    running: bool,
    out: &mut Vec<Command>,
) {
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
        _ => ui.label(RichText::new(label).color(color)),
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
    let response = ui
        .add(egui::Button::selectable(selected, name).truncate())
        .on_hover_text(entry.path.display().to_string());
    if response.clicked() {
        let toggle = response.ctx.input(|inp| inp.modifiers.command);
        out.push(Command::SelectFile { index: i, toggle });
    }
    let open = || Command::OpenTrack {
        path: entry.path.clone(),
        pipeline: None,
        bpm: None,
    };
    if response.double_clicked() {
        out.push(open());
    }
    response.context_menu(|ui| {
        if ui.button("Open track view").clicked() {
            out.push(open());
        }
        if ui.button("Analyse next").clicked() {
            out.push(Command::AnalyseNext(vec![i]));
        }
        if ui.button("Forget results…").clicked() {
            out.push(Command::AskForget(vec![entry.path.clone()]));
        }
    });
}

/// `path` from the root, so that one file named relatively (a command
/// line) and absolutely (a dialog, the last launch's queue) queues once.
fn absolute(path: PathBuf) -> PathBuf {
    std::path::absolute(&path).unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_named_relatively_and_absolutely_queues_once() {
        let mut q = FileQueue::default();
        q.restore(vec![SavedEntry {
            path: std::path::absolute("tests/data/real/bach_bwv104.6_brass_144.mp3").unwrap(),
            state: FileState::Queued,
        }]);
        assert_eq!(q.add_paths([PathBuf::from("tests/data/real")]), 7);
        assert_eq!(q.entries.len(), 8);
        assert!(q.entries.iter().all(|e| e.path.is_absolute()));
    }

    #[test]
    fn folders_are_walked_and_non_audio_noted() {
        let dir = std::env::temp_dir().join(format!("ws-files-{}", std::process::id()));
        let sub = dir.join("sub");
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(dir.join("a.wav"), b"x").unwrap();
        std::fs::write(sub.join("b.FLAC"), b"x").unwrap();
        std::fs::write(sub.join("notes.txt"), b"x").unwrap();
        std::fs::write(sub.join("c.opus"), b"x").unwrap();
        let mut q = FileQueue::default();
        assert_eq!(q.add_paths([dir.clone()]), 3);
        assert!(q.entries.iter().any(|e| e.path == sub.join("c.opus")));
        assert_eq!(q.add_paths([dir.join("a.wav")]), 0, "no duplicates");
        assert_eq!(q.already_queued, 1);
        assert!(q.note.is_none());
        q.add_paths([dir.clone()]);
        assert!(q.note.as_deref().unwrap_or("").contains("1 non-audio"));
        assert_eq!(q.add_paths([sub.join("notes.txt")]), 0, "named, not audio");
        assert!(q.unreadable.is_empty() && q.entries.len() == 3);
        assert!(q.note.as_deref().unwrap_or("").contains("1 non-audio"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn links_are_not_followed_and_unreadable_entries_kept_with_cause() {
        let dir = std::env::temp_dir().join(format!("ws-files-links-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("sub/a.wav"), b"x").unwrap();
        std::os::unix::fs::symlink(&dir, dir.join("sub/back")).unwrap();
        let mut q = FileQueue::default();
        assert_eq!(q.add_paths([dir.clone(), dir.join("missing.wav")]), 1);
        let causes: Vec<&str> = q.unreadable.iter().map(|(_, c)| c.as_str()).collect();
        assert_eq!(q.unreadable.len(), 2, "{causes:?}");
        assert_eq!(q.unreadable[0].0, dir.join("sub/back"));
        assert!(causes[0].contains("loop"), "{causes:?}");
        assert_eq!(q.unreadable[1].0, dir.join("missing.wav"));
        assert!(q.note.as_deref().unwrap_or("").contains("2 unreadable"));
        q.clear();
        assert!(q.unreadable.is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_panel_names_each_unreadable_entry_and_counts_the_rest() {
        use egui_kittest::Harness;
        use egui_kittest::kittest::Queryable;
        let mut q = FileQueue::default();
        for i in 0..7 {
            q.unreadable.push((
                PathBuf::from(format!("/music/locked{i}")),
                "Permission denied (os error 13)".to_string(),
            ));
        }
        let h = Harness::builder()
            .with_size(egui::vec2(400.0, 400.0))
            .build_ui_state(|ui, q: &mut FileQueue| q.ui(ui, false, &mut Vec::new()), q);
        h.get_by_label("locked0: Permission denied (os error 13)");
        h.get_by_label("locked4: Permission denied (os error 13)");
        assert!(
            h.query_by_label("locked5: Permission denied (os error 13)")
                .is_none()
        );
        h.get_by_label("… and 2 more");
    }

    #[test]
    fn move_to_front_keeps_orders_and_reports_where_each_went() {
        let mut q = FileQueue::default();
        let saved = ["a", "b", "c", "d"]
            .iter()
            .map(|n| SavedEntry {
                path: PathBuf::from(n),
                state: FileState::Queued,
            })
            .collect();
        q.restore(saved);
        let moved = q.move_to_front(&[3, 1]);
        let names: Vec<_> = q
            .entries
            .iter()
            .map(|e| e.path.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["b", "d", "a", "c"]);
        assert_eq!(moved, [2, 0, 3, 1]);
        q.select(1, false);
        q.select(2, true);
        assert_eq!(q.selected_indices(), [1, 2]);
    }
}
