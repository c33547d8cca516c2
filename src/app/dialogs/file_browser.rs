//! A small in-app file browser, used when no native file dialog can open
//! (no portal, no zenity): a folder field, the folder's entries filtered by
//! extension, a file name for saving, OK and Cancel. Never silent: an
//! unreadable folder says why inside the window.

use std::path::{Path, PathBuf};

use egui::{Key, RichText};

use crate::app::command::{Command, DialogKind, ExportFormat};
use crate::app::theme;
use crate::audio::files::AUDIO_EXTENSIONS;
use crate::pipeline::PIPELINE_EXTENSION;

/// The file list's height and the window's width.
const LIST_HEIGHT: f32 = 300.0;
const WINDOW_WIDTH: f32 = 560.0;

impl DialogKind {
    /// The window title.
    pub fn title(self) -> &'static str {
        match self {
            Self::OpenPipeline => "Open pipeline",
            Self::ComparePipeline => "Compare with pipeline",
            Self::SavePipeline => "Save pipeline as",
            Self::AddFiles => "Add audio files",
            Self::AddFolder => "Add a folder of audio",
            Self::Export(_) => "Export results",
        }
    }

    /// The extensions listed (empty: folders only).
    fn extensions(self) -> &'static [&'static str] {
        match self {
            Self::OpenPipeline | Self::ComparePipeline | Self::SavePipeline => {
                &[PIPELINE_EXTENSION]
            }
            Self::AddFiles => AUDIO_EXTENSIONS,
            Self::AddFolder => &[],
            Self::Export(ExportFormat::Csv) => &["csv"],
            Self::Export(ExportFormat::Json) => &["json"],
        }
    }

    /// The file name offered when saving (`None`: the dialog picks).
    pub fn default_name(self) -> Option<&'static str> {
        match self {
            // As the title names an unsaved pipeline.
            Self::SavePipeline => Some("untitled.ron"),
            Self::Export(ExportFormat::Csv) => Some("results.csv"),
            Self::Export(ExportFormat::Json) => Some("results.json"),
            _ => None,
        }
    }

    /// The command for the chosen paths.
    pub fn answer(self, mut paths: Vec<PathBuf>) -> Option<Command> {
        match self {
            Self::AddFiles | Self::AddFolder => {
                (!paths.is_empty()).then_some(Command::AddFiles(paths))
            }
            _ => {
                let path = paths.pop()?;
                Some(match self {
                    Self::OpenPipeline => Command::Open(path),
                    Self::ComparePipeline => {
                        Command::Compare(crate::app::command::CompareCommand::With(path))
                    }
                    Self::Export(format) => Command::Export(format, path),
                    _ => Command::SaveAs(path),
                })
            }
        }
    }
}

/// One entry of the listed folder.
#[derive(Debug, Clone)]
struct Entry {
    name: String,
    is_dir: bool,
}

/// What the browser's window ended with this frame.
#[derive(Debug)]
pub enum BrowserOutcome {
    /// The user chose; this command carries the answer.
    Chosen(Command),
    /// Cancelled (button, Escape or the window's close).
    Cancelled,
}

/// The in-app file browser's state.
#[derive(Debug)]
pub struct FileBrowser {
    kind: DialogKind,
    dir: PathBuf,
    /// The folder field as typed.
    dir_text: String,
    entries: Vec<Entry>,
    /// Why the folder could not be listed, or the choice refused.
    error: Option<String>,
    /// The file name (saving) or the picked file (opening).
    file_name: String,
    /// Files picked when adding audio (names in `dir`).
    picked: Vec<String>,
    /// Audio files in `dir` (what *Add a folder* would queue from it
    /// directly, before its subfolders).
    audio_here: usize,
    /// An existing file the user was asked about; OK again replaces it.
    replacing: Option<PathBuf>,
    /// The first frame was drawn (the next one has the final layout).
    shown: bool,
}

impl FileBrowser {
    /// A browser for `kind`, showing `dir`.
    pub fn new(kind: DialogKind, dir: PathBuf) -> Self {
        let mut browser = Self {
            kind,
            dir: PathBuf::new(),
            dir_text: String::new(),
            entries: Vec::new(),
            error: None,
            file_name: kind.default_name().unwrap_or_default().to_string(),
            picked: Vec::new(),
            audio_here: 0,
            replacing: None,
            shown: false,
        };
        browser.enter(dir);
        browser
    }

    /// The same browser offering `name` as the file name.
    pub fn with_file_name(mut self, name: String) -> Self {
        self.file_name = name;
        self
    }

    /// Lists `dir`; an unreadable folder keeps the old listing's place and
    /// says why.
    fn enter(&mut self, dir: PathBuf) {
        match list(&dir, self.kind.extensions()) {
            Ok(entries) => {
                if self.kind == DialogKind::AddFolder {
                    self.audio_here = list(&dir, AUDIO_EXTENSIONS)
                        .map(|e| e.iter().filter(|e| !e.is_dir).count())
                        .unwrap_or(0);
                }
                self.entries = entries;
                self.dir = dir;
                self.error = None;
                self.picked.clear();
                self.replacing = None;
            }
            Err(e) => self.error = Some(format!("Cannot read {}: {e}", dir.display())),
        }
        self.dir_text = self.dir.display().to_string();
    }

    /// The paths chosen so far, or why there are none.
    fn chosen(&self) -> Result<Vec<PathBuf>, String> {
        match self.kind {
            DialogKind::AddFolder => Ok(vec![self.dir.clone()]),
            DialogKind::AddFiles if self.picked.is_empty() => {
                Err("Pick one or more files (click to pick).".into())
            }
            DialogKind::AddFiles => Ok(self.picked.iter().map(|n| self.dir.join(n)).collect()),
            _ => {
                let name = self.file_name.trim();
                if name.is_empty() {
                    return Err("Type or pick a file name.".into());
                }
                let mut path = self.dir.join(name);
                let wanted = self.kind.extensions();
                let saving = self.kind.default_name().is_some();
                if saving && path.extension().is_none() {
                    path.set_extension(wanted.first().copied().unwrap_or_default());
                }
                if !saving && !path.is_file() {
                    return Err(format!("No such file: {}", path.display()));
                }
                if saving && path.is_dir() {
                    return Err(format!("{} is a folder", path.display()));
                }
                Ok(vec![path])
            }
        }
    }

    /// Draws the browser as a modal window (the app behind it waits);
    /// returns how it ended, if it did this frame.
    pub fn ui(&mut self, ctx: &egui::Context) -> Option<BrowserOutcome> {
        // A fixed size: the window never grows or moves under the pointer.
        let modal = egui::Modal::new(egui::Id::new("file_browser")).show(ctx, |ui| {
            ui.set_width(WINDOW_WIDTH);
            ui.set_max_width(WINDOW_WIDTH);
            ui.heading(self.kind.title());
            self.contents_ui(ui)
        });
        if !self.shown {
            // The first pass only measures; draw the settled layout.
            self.shown = true;
            ctx.request_discard("file browser opened");
        }
        if ctx.input(|i| i.key_pressed(Key::Escape)) {
            return Some(BrowserOutcome::Cancelled);
        }
        modal.inner
    }

    fn contents_ui(&mut self, ui: &mut egui::Ui) -> Option<BrowserOutcome> {
        let mut go_to = None;
        ui.horizontal(|ui| {
            if ui.button("Parent folder").clicked() {
                go_to = self.dir.parent().map(Path::to_path_buf);
            }
            let label = ui.label("Folder");
            let field = ui
                .add(egui::TextEdit::singleline(&mut self.dir_text).desired_width(f32::INFINITY))
                .labelled_by(label.id);
            if field.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter)) {
                go_to = Some(PathBuf::from(self.dir_text.trim()));
            }
        });
        let double_clicked = self.list_ui(ui, &mut go_to);
        if let Some(dir) = go_to {
            self.enter(dir);
            return None;
        }
        let mut confirm = double_clicked;
        if self.kind.default_name().is_some()
            || matches!(
                self.kind,
                DialogKind::OpenPipeline | DialogKind::ComparePipeline
            )
        {
            ui.horizontal(|ui| {
                let label = ui.label("File name");
                let field = ui
                    .add(
                        egui::TextEdit::singleline(&mut self.file_name)
                            .desired_width(f32::INFINITY),
                    )
                    .labelled_by(label.id);
                if field.changed() {
                    self.replacing = None;
                }
                confirm |= field.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
            });
        }
        let (ok, cancel) = self.message_and_buttons_ui(ui);
        if cancel {
            return Some(BrowserOutcome::Cancelled);
        }
        // Enter anywhere but a text field confirms.
        confirm |=
            ok || !ui.ctx().egui_wants_keyboard_input() && ui.input(|i| i.key_pressed(Key::Enter));
        if !confirm {
            return None;
        }
        self.confirmed()
    }

    /// The message line (always kept, so no message moves the buttons),
    /// then OK (Replace when asking) and Cancel: whether each was clicked.
    fn message_and_buttons_ui(&self, ui: &mut egui::Ui) -> (bool, bool) {
        let message = match (&self.error, &self.replacing) {
            (Some(e), _) => RichText::new(e).color(theme::ERROR),
            (None, Some(p)) => RichText::new(format!(
                "{} already exists: Replace overwrites it, or change the name.",
                p.file_name().unwrap_or_default().to_string_lossy()
            ))
            .color(theme::WARN),
            (None, None) => RichText::new(" "),
        };
        ui.add(egui::Label::new(message).truncate());
        let label = if self.replacing.is_some() {
            "Replace"
        } else {
            "OK"
        };
        ui.horizontal(|ui| (ui.button(label).clicked(), ui.button("Cancel").clicked()))
            .inner
    }

    /// OK was given: the answer, or why not (said in the window).
    fn confirmed(&mut self) -> Option<BrowserOutcome> {
        match self.chosen() {
            Ok(paths) => {
                let saving = self.kind.default_name().is_some();
                // Saving over a file asks first: a second OK replaces it.
                if let Some(existing) = paths.first().filter(|p| saving && p.exists())
                    && self.replacing.as_ref() != Some(existing)
                {
                    self.replacing = Some(existing.clone());
                    self.error = None;
                    return None;
                }
                self.kind.answer(paths).map(BrowserOutcome::Chosen)
            }
            Err(e) => {
                self.error = Some(e);
                None
            }
        }
    }

    /// The folder's entries; returns whether a file was double-clicked.
    fn list_ui(&mut self, ui: &mut egui::Ui, go_to: &mut Option<PathBuf>) -> bool {
        let mut double = false;
        egui::ScrollArea::vertical()
            .max_height(LIST_HEIGHT)
            .min_scrolled_height(LIST_HEIGHT)
            .auto_shrink([false, false])
            .show(ui, |ui| {
                if self.kind == DialogKind::AddFolder {
                    ui.label(
                        RichText::new(format!(
                            "OK adds this folder: {} audio file(s) here, and those in its subfolders",
                            self.audio_here
                        ))
                        .weak(),
                    );
                } else if self.entries.is_empty() {
                    ui.label(RichText::new("(no folders or matching files here)").weak());
                }
                for entry in &self.entries {
                    let picked = if entry.is_dir {
                        false
                    } else if self.kind == DialogKind::AddFiles {
                        self.picked.contains(&entry.name)
                    } else {
                        self.file_name == entry.name
                    };
                    // A trailing slash marks folders (the bundled fonts
                    // have no folder icon).
                    let text = if entry.is_dir {
                        format!("{}/", entry.name)
                    } else {
                        entry.name.clone()
                    };
                    let row = ui.selectable_label(picked, text);
                    if entry.is_dir && (row.clicked() || row.double_clicked()) {
                        *go_to = Some(self.dir.join(&entry.name));
                    } else if row.clicked() && self.kind == DialogKind::AddFiles {
                        toggle(&mut self.picked, &entry.name);
                    } else if row.clicked() {
                        self.file_name = entry.name.clone();
                        self.replacing = None;
                    }
                    double |= !entry.is_dir && row.double_clicked();
                }
            });
        double
    }
}

fn toggle(picked: &mut Vec<String>, name: &str) {
    if let Some(i) = picked.iter().position(|n| n == name) {
        picked.remove(i);
    } else {
        picked.push(name.to_string());
    }
}

/// The sub-folders, then the files with one of `extensions`, by name
/// (hidden entries left out).
fn list(dir: &Path, extensions: &[&str]) -> std::io::Result<Vec<Entry>> {
    let mut entries = Vec::new();
    for item in std::fs::read_dir(dir)? {
        let Ok(item) = item else { continue };
        let name = item.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        // Follows links, so a linked folder lists as a folder.
        let is_dir = item.path().is_dir();
        let wanted = Path::new(&name)
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| extensions.iter().any(|w| w.eq_ignore_ascii_case(e)));
        if is_dir || wanted {
            entries.push(Entry { name, is_dir });
        }
    }
    entries.sort_by(|a, b| {
        (!a.is_dir, a.name.to_lowercase()).cmp(&(!b.is_dir, b.name.to_lowercase()))
    });
    Ok(entries)
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        reason = "a failed unwrap in a test is a failed test"
    )]
    use super::*;

    fn temp_dir(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("ws-browser-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        for name in ["b.ron", "A.RON", "notes.txt", ".hidden.ron", "song.flac"] {
            std::fs::write(dir.join(name), "x").unwrap();
        }
        dir
    }

    #[test]
    fn lists_folders_first_then_matching_files() {
        let dir = temp_dir("list");
        let names: Vec<_> = list(&dir, &["ron"])
            .unwrap()
            .into_iter()
            .map(|e| e.name)
            .collect();
        assert_eq!(names, ["sub", "A.RON", "b.ron"]);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn an_unreadable_folder_says_why_and_keeps_the_listing() {
        let dir = temp_dir("bad");
        let mut b = FileBrowser::new(DialogKind::OpenPipeline, dir.clone());
        b.enter(dir.join("missing"));
        assert_eq!(b.dir, dir);
        assert!(b.error.as_deref().unwrap().contains("missing"));
        assert_eq!(b.entries.len(), 3);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn saving_adds_the_extension_and_opening_needs_a_file() {
        let dir = temp_dir("save");
        let b = FileBrowser::new(DialogKind::SavePipeline, dir.clone());
        assert_eq!(b.chosen().unwrap(), [dir.join("untitled.ron")]);
        let b =
            FileBrowser::new(DialogKind::SavePipeline, dir.clone()).with_file_name("mine".into());
        assert_eq!(b.chosen().unwrap(), [dir.join("mine.ron")]);
        let mut b = FileBrowser::new(DialogKind::OpenPipeline, dir.clone());
        b.file_name = "mine.ron".into();
        assert!(b.chosen().unwrap_err().contains("No such file"));
        b.file_name = "b.ron".into();
        assert!(matches!(
            DialogKind::OpenPipeline.answer(b.chosen().unwrap()),
            Some(Command::Open(p)) if p == dir.join("b.ron")
        ));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
