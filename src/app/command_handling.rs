//! `WaveStudioApp::apply`: the one place the UI's commands change state
//! (documents, graph edits, files, runs); the library's and comparison's
//! commands are handled beside their state (`results/store_commands.rs`,
//! `compare/state.rs`).

use std::path::PathBuf;

use crate::orchestrator::WaveStage;
use crate::pipeline::{EditError, Operation, PipelineDocument};

use super::WaveStudioApp;
use super::command::{Command, DialogKind, Pending};

impl WaveStudioApp {
    /// Applies the queued commands, in order.
    pub(crate) fn apply_commands(&mut self, ctx: &egui::Context) {
        let commands = std::mem::take(&mut self.commands);
        for command in commands {
            self.apply(command, ctx);
        }
        // Views built from the document follow it here, not while drawing.
        self.graph.sync(&self.doc, self.selected.as_deref());
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
                if self.doc.path.is_none() {
                    // Ask where, then carry on once it is saved there.
                    self.after_save = Some(pending);
                    self.ask(DialogKind::SavePipeline);
                } else if self.save(None) {
                    self.proceed(pending, ctx);
                }
            }
            Command::DialogCancelled => {
                if self.after_save.take().is_some() {
                    self.set_status("Not saved; nothing else was done".into(), false);
                }
            }
            Command::CancelPending => self.pending = None,
            Command::Save => match self.doc.path.clone() {
                Some(path) => _ = self.save(Some(path)),
                None => self.ask(DialogKind::SavePipeline),
            },
            Command::SaveAs(path) => {
                if self.save(Some(path))
                    && let Some(pending) = self.after_save.take()
                {
                    self.proceed(pending, ctx);
                }
            }
            Command::SaveAsDialog => self.ask(DialogKind::SavePipeline),
            Command::DismissLoadProblems => self.doc.load_problems = None,
            Command::AddNode {
                kind,
                operation,
                at,
            } => self.add_node(kind, operation, at),
            Command::RemoveNode(id) => self.remove_nodes(&[id]),
            Command::RemoveNodes(ids) => self.remove_nodes(&ids),
            Command::DuplicateNode(id) => self.duplicate_node(&id),
            Command::Connect { from, to } => self.connect(&from, &to),
            Command::Disconnect { from, to } => _ = self.edit(None, |d| d.disconnect(&from, &to)),
            Command::MoveNodes(moves) => _ = self.edit(None, |doc| doc.move_nodes(&moves)),
            Command::SetNode { node, key } => {
                _ = self.edit(merge_key(&key), |d| d.replace_node(node));
            }
            Command::SetConfig { config, key } => {
                self.doc.edit(merge_key(&key), |doc| doc.config = config);
            }
            Command::Select(id) => self.selected = id,
            Command::Canvas(event) => self.graph.apply(event),
            Command::FitView => self.graph.request_fit(),
            Command::ResetZoom => self.graph.reset_zoom(),
            Command::SetName(name) => {
                self.doc.edit(Some("doc.name"), |doc| doc.name = name);
            }
            Command::Undo => self.undo_redo(false),
            Command::Redo => self.undo_redo(true),
            Command::RescanPlugins => self.plugins.rescan(&self.handle, self.wake.clone()),
            Command::ShowPlugins => self.plugins.window_open = true,
            Command::Compare(c) => self.apply_compare(c),
            command => self.apply_run(command, ctx),
        }
    }

    /// Applies the file-queue, run and results commands.
    fn apply_run(&mut self, command: Command, ctx: &egui::Context) {
        match command {
            Command::AddFiles(paths) => self.add_paths(paths, ctx),
            Command::PickFiles => self.ask(DialogKind::AddFiles),
            Command::PickFolder => self.ask(DialogKind::AddFolder),
            // The queue is fixed while a run is in progress.
            Command::RemoveFile(i) if !self.run.is_running() => self.files.remove(i),
            Command::ClearFiles if !self.run.is_running() => self.files.clear(),
            Command::RerunFailed => self.start_run(true, ctx),
            Command::Run => self.start_run(false, ctx),
            Command::Cancel => self.run.cancel(),
            Command::ExportDialog(format) => self.ask(DialogKind::Export(format)),
            Command::Export(format, path) => match self.results.export(format, &path) {
                Ok(()) => self.set_status(format!("Exported {}", path.display()), false),
                Err(e) => self.set_status(format!("Export failed: {e:#}"), true),
            },
            Command::SortResults(column) => self.results.sort_by(column),
            Command::SetColumns(layout) => self.results.columns = layout,
            command => self.apply_library(command),
        }
    }

    /// Steps back (or forward) one edit; the status says what happened, not
    /// the edit before it.
    fn undo_redo(&mut self, redo: bool) {
        let done = if redo {
            self.doc.redo()
        } else {
            self.doc.undo()
        };
        let text = match (redo, done) {
            (false, true) => "Undone",
            (false, false) => "Nothing to undo",
            (true, true) => "Redone",
            (true, false) => "Nothing to redo",
        };
        self.set_status(text.into(), false);
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
                self.forget_run_figures();
            }
            Pending::Open(path) => self.open(&path),
            Pending::OpenDialog => self.ask(DialogKind::OpenPipeline),
            Pending::Close => {
                self.allow_close = true;
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                // Closes now, not at the next input event.
                ctx.request_repaint();
            }
        }
    }

    /// Loads a pipeline; on failure keeps the current one and shows every
    /// problem.
    pub(crate) fn open(&mut self, path: &std::path::Path) {
        match crate::pipeline::load_with(path, &self.plugins.installed) {
            Ok(doc) => {
                self.doc.replace(doc, Some(path.to_path_buf()));
                self.selected = None;
                self.forget_run_figures();
                self.remember_recent(path);
                self.set_status(format!("Opened {}", path.display()), false);
            }
            Err(e) => {
                self.doc.load_problems = Some(crate::app::state::LoadFailure {
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
            self.ask(DialogKind::SavePipeline);
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

    /// Opens a file dialog for `kind` in the folder the user last worked
    /// in; says so when it falls back to the in-app browser.
    pub(super) fn ask(&mut self, kind: DialogKind) {
        let dir = self
            .doc
            .path
            .iter()
            .chain(self.settings.recent.iter())
            .find_map(|p| {
                p.parent()
                    .filter(|d| d.is_dir())
                    .map(std::path::Path::to_path_buf)
            })
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_else(|| PathBuf::from("/"));
        // Save As offers the pipeline's own file name when it has one.
        let name = (kind == DialogKind::SavePipeline)
            .then(|| self.doc.path.as_ref()?.file_name())
            .flatten()
            .map(|n| n.to_string_lossy().into_owned());
        if let Some(note) = self.dialogs.ask(&self.handle, kind, dir, name) {
            self.set_status(note, false);
        }
    }

    /// Applies a document edit as one undo step (merged with the last one
    /// when `key` repeats); a refused edit changes nothing and says why.
    fn edit<T>(
        &mut self,
        key: Option<&str>,
        f: impl FnOnce(&mut PipelineDocument) -> Result<T, EditError>,
    ) -> Option<T> {
        let mut result = None;
        self.doc.edit(key, |doc| result = Some(f(doc)));
        match result? {
            Ok(value) => Some(value),
            Err(e) => {
                self.set_status(format!("Refused: {e}"), true);
                None
            }
        }
    }

    fn add_node(&mut self, kind: WaveStage, operation: Operation, at: Option<(f32, f32)>) {
        let pos = self.graph.new_node_pos(at);
        let id = self.edit(None, |doc| Ok(doc.add_node(kind, operation, pos)));
        if let Some(id) = id {
            self.set_status(format!("Added node `{id}`"), false);
            self.selected = Some(id);
        }
    }

    fn remove_nodes(&mut self, ids: &[String]) {
        let removed = self.edit(None, |doc| {
            ids.iter().try_for_each(|id| doc.remove_node(id).map(drop))
        });
        if removed.is_some() {
            // Nothing stays selected that the user did not pick.
            self.selected = None;
            let what = match ids {
                [one] => format!("`{one}`"),
                _ => format!("{} nodes", ids.len()),
            };
            self.set_status(format!("Deleted {what} (Undo brings it back)"), false);
        }
    }

    /// Copies node `id` next to it, where the copy covers no other node,
    /// and selects the copy.
    fn duplicate_node(&mut self, id: &str) {
        let offset = self.graph.free_offset(id);
        let copy = self.edit(None, |doc| {
            let copy = doc.duplicate_node(id)?;
            if let (Some((dx, dy)), Some(n)) = (offset, doc.node(id)) {
                let at = (n.position.0 + dx, n.position.1 + dy);
                doc.move_node(&copy, at)?;
            }
            Ok(copy)
        });
        if let Some(copy) = copy {
            self.selected = Some(copy);
        }
    }

    /// Another document replaced the one run: its per-node figures (and
    /// charts) no longer belong to any node shown. A run in progress keeps
    /// reporting its own.
    fn forget_run_figures(&mut self) {
        if !self.run.is_running() {
            self.run.live = crate::app::run::charts::LiveStats::default();
        }
    }

    /// Adds a dependency unless it would make a cycle; says why not.
    fn connect(&mut self, from: &str, to: &str) {
        if self.edit(None, |doc| doc.connect(from, to)) == Some(true) {
            self.set_status(format!("Connected `{from}` → `{to}`"), false);
        }
    }
}

/// The undo-merge key of an edit: empty means a step of its own.
fn merge_key(key: &str) -> Option<&str> {
    (!key.is_empty()).then_some(key)
}
