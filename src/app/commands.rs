//! Everything the UI can ask for, as `Command`s; `WaveStudioApp::apply`
//! is the one place they change state.

use std::path::PathBuf;

use crate::orchestrator::{WaveConfig, WaveStage};
use crate::pipeline::{Edge, Operation, PipelineDocument, PipelineNode};

use super::WaveStudioApp;
use super::graph::cycle_path;

/// A request from the UI.
#[derive(Debug, Clone)]
pub enum Command {
    // Pipeline files.
    New,
    /// Closes the window (asking first about unsaved changes).
    Quit,
    Open(PathBuf),
    OpenDialog,
    Save,
    SaveAs(PathBuf),
    SaveAsDialog,
    /// Carries out what waited for the unsaved-changes question.
    Discard(Pending),
    /// Saves, then carries on with the pending action.
    SaveThen(Pending),
    CancelPending,
    // Graph and config edits (undoable).
    AddNode {
        kind: WaveStage,
        operation: Operation,
        pos: (f32, f32),
    },
    RemoveNode(String),
    DuplicateNode(String),
    Connect {
        from: String,
        to: String,
    },
    Disconnect {
        from: String,
        to: String,
    },
    MoveNodes(Vec<(String, (f32, f32))>),
    /// Replaces the node with the same id; `key` merges drags into one step.
    SetNode {
        node: PipelineNode,
        key: String,
    },
    SetConfig {
        config: WaveConfig,
        key: String,
    },
    Select(Option<String>),
    SetName(String),
    /// Fits the graph view to the whole pipeline.
    FitView,
    Undo,
    Redo,
    // Files and runs.
    AddFiles(Vec<PathBuf>),
    PickFiles,
    PickFolder,
    RemoveFile(usize),
    ClearFiles,
    RerunFailed,
    Run,
    Cancel,
    ExportDialog(ExportFormat),
    Export(ExportFormat, PathBuf),
    SortResults(usize),
}

/// What waits for an answer about unsaved changes.
#[derive(Debug, Clone, PartialEq)]
pub enum Pending {
    New,
    Open(PathBuf),
    OpenDialog,
    Close,
}

/// Results export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Json,
}

impl WaveStudioApp {
    /// Applies the queued commands, in order.
    pub(crate) fn apply_commands(&mut self, ctx: &egui::Context) {
        let commands = std::mem::take(&mut self.commands);
        for command in commands {
            self.apply(command, ctx);
        }
    }

    fn apply(&mut self, command: Command, ctx: &egui::Context) {
        match command {
            Command::New => self.guard(Pending::New, ctx),
            Command::Quit => self.guard(Pending::Close, ctx),
            Command::Open(path) => self.guard(Pending::Open(path), ctx),
            Command::OpenDialog => self.guard(Pending::OpenDialog, ctx),
            Command::Discard(pending) => {
                self.pending = None;
                self.proceed(pending, ctx);
            }
            Command::SaveThen(pending) => {
                self.pending = None;
                if self.save(None) {
                    self.proceed(pending, ctx);
                }
            }
            Command::CancelPending => self.pending = None,
            Command::Save => match self.doc.path.clone() {
                Some(path) => {
                    self.save(Some(path));
                }
                None => self.dialogs.save_pipeline(&self.handle),
            },
            Command::SaveAs(path) => {
                self.save(Some(path));
            }
            Command::SaveAsDialog => self.dialogs.save_pipeline(&self.handle),
            Command::AddNode {
                kind,
                operation,
                pos,
            } => {
                let base = operation.info().name.to_ascii_lowercase();
                let mut new_id = String::new();
                self.doc.edit(None, |doc| {
                    let id = doc.fresh_id(&base);
                    let refinement = operation.info().refinement;
                    doc.nodes.push(PipelineNode {
                        id: id.clone(),
                        name: operation.label(),
                        kind,
                        operation,
                        refinement,
                        overrides: Default::default(),
                        position: pos,
                    });
                    new_id = id;
                });
                self.set_status(format!("Added node `{new_id}`"), false);
                self.selected = Some(new_id);
            }
            Command::RemoveNode(id) => {
                self.doc.edit(None, |doc| {
                    doc.nodes.retain(|n| n.id != id);
                    doc.edges.retain(|e| e.from != id && e.to != id);
                });
                if self.selected.as_deref() == Some(id.as_str()) {
                    self.selected = None;
                }
            }
            Command::DuplicateNode(id) => {
                let mut new_id = None;
                self.doc.edit(None, |doc| {
                    let Some(node) = doc.node(&id).cloned() else {
                        return;
                    };
                    let copy = PipelineNode {
                        // `write_2` duplicates to `write_3`, not `write_2_2`.
                        id: doc.fresh_id(
                            node.id
                                .trim_end_matches(|c: char| c.is_ascii_digit())
                                .trim_end_matches('_'),
                        ),
                        name: format!("{} (copy)", node.name),
                        position: (node.position.0 + 40.0, node.position.1 + 60.0),
                        ..node
                    };
                    new_id = Some(copy.id.clone());
                    doc.nodes.push(copy);
                });
                if new_id.is_some() {
                    self.selected = new_id;
                }
            }
            Command::Connect { from, to } => self.connect(&from, &to),
            Command::Disconnect { from, to } => {
                let edge = Edge::new(from, to);
                self.doc.edit(None, |doc| doc.edges.retain(|e| *e != edge));
            }
            Command::MoveNodes(moves) => {
                self.doc.edit(None, |doc| {
                    for (id, pos) in &moves {
                        if let Some(n) = doc.nodes.iter_mut().find(|n| &n.id == id) {
                            n.position = *pos;
                        }
                    }
                });
            }
            Command::SetNode { node, key } => {
                self.doc.edit(Some(&key), |doc| {
                    if let Some(n) = doc.nodes.iter_mut().find(|n| n.id == node.id) {
                        *n = node;
                    }
                });
            }
            Command::SetConfig { config, key } => {
                self.doc.edit(Some(&key), |doc| doc.config = config);
            }
            Command::Select(id) => self.selected = id,
            Command::FitView => self.fit_frames = 2,
            Command::SetName(name) => {
                self.doc.edit(Some("doc.name"), |doc| doc.name = name);
            }
            Command::Undo => {
                self.doc.undo();
            }
            Command::Redo => {
                self.doc.redo();
            }
            Command::AddFiles(paths) => self.add_paths(paths, ctx),
            Command::PickFiles => self.dialogs.pick_files(&self.handle, false),
            Command::PickFolder => self.dialogs.pick_files(&self.handle, true),
            Command::RemoveFile(i) => {
                if !self.run.is_running() {
                    self.files.remove(i);
                }
            }
            Command::ClearFiles => {
                if !self.run.is_running() {
                    self.files.clear();
                }
            }
            Command::RerunFailed => self.start_run(true, ctx),
            Command::Run => self.start_run(false, ctx),
            Command::Cancel => self.run.cancel(),
            Command::ExportDialog(format) => self.dialogs.export(&self.handle, format),
            Command::Export(format, path) => match self.results.export(format, &path) {
                Ok(()) => self.set_status(format!("Exported {}", path.display()), false),
                Err(e) => self.set_status(format!("Export failed: {e:#}"), true),
            },
            Command::SortResults(column) => self.results.sort_by(column),
        }
    }

    /// Runs `pending` now, or asks first when there are unsaved changes.
    fn guard(&mut self, pending: Pending, ctx: &egui::Context) {
        if self.doc.is_dirty() {
            self.pending = Some(pending);
        } else {
            self.proceed(pending, ctx);
        }
    }

    fn proceed(&mut self, pending: Pending, ctx: &egui::Context) {
        match pending {
            Pending::New => {
                let doc = crate::pipeline::default_document()
                    .unwrap_or_else(|_| PipelineDocument::default());
                self.doc.replace(doc, None);
                self.selected = None;
            }
            Pending::Open(path) => self.open(&path),
            Pending::OpenDialog => self.dialogs.open_pipeline(&self.handle),
            Pending::Close => {
                self.allow_close = true;
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
        }
    }

    /// Loads a pipeline; on failure keeps the current one and shows every
    /// problem.
    pub(crate) fn open(&mut self, path: &std::path::Path) {
        match crate::pipeline::load(path) {
            Ok(doc) => {
                self.doc.replace(doc, Some(path.to_path_buf()));
                self.selected = None;
                self.remember_recent(path);
                self.set_status(format!("Opened {}", path.display()), false);
            }
            Err(e) => {
                self.doc.load_problems = Some(super::state::LoadFailure {
                    path: path.to_path_buf(),
                    problems: e.problems(),
                });
                self.set_status(
                    format!(
                        "{} could not be opened; the current pipeline is kept",
                        path.display()
                    ),
                    true,
                );
            }
        }
    }

    /// Saves to `path` (or the current path); returns whether it worked.
    pub(crate) fn save(&mut self, path: Option<PathBuf>) -> bool {
        let Some(path) = path.or_else(|| self.doc.path.clone()) else {
            self.dialogs.save_pipeline(&self.handle);
            return false;
        };
        match crate::pipeline::save(&self.doc.doc, &path) {
            Ok(()) => {
                self.doc.mark_saved(path.clone());
                self.remember_recent(&path);
                self.set_status(format!("Saved {}", path.display()), false);
                true
            }
            Err(e) => {
                self.set_status(format!("Save failed: {e:#}"), true);
                false
            }
        }
    }

    /// Adds a dependency unless it would make a cycle; says why not.
    fn connect(&mut self, from: &str, to: &str) {
        if let Some(path) = cycle_path(&self.doc.doc, from, to) {
            let reason = if path.len() <= 1 {
                format!("Refused: `{from}` cannot depend on itself")
            } else {
                format!(
                    "Refused: `{from}` → `{to}` would make a cycle ({} already leads to `{from}`)",
                    path.iter()
                        .map(|s| format!("`{s}`"))
                        .collect::<Vec<_>>()
                        .join(" → ")
                )
            };
            self.set_status(reason, true);
            return;
        }
        let edge = Edge::new(from, to);
        if self.doc.edit(None, |doc| {
            if !doc.edges.contains(&edge) {
                doc.edges.push(edge.clone());
            }
        }) {
            self.set_status(format!("Connected `{from}` → `{to}`"), false);
        }
    }
}
