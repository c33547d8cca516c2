//! Starting runs from the queue: what blocks Run, queueing dropped or
//! picked paths, and running all, the failed, or chosen entries.

use std::path::PathBuf;

use crate::app::{Command, FileState, Source, WaveStudioApp};
use crate::pipeline::Problem;

impl WaveStudioApp {
    /// Why Run is disabled, if it is.
    pub fn run_blocker(&mut self) -> Option<String> {
        if self.run.is_running() {
            return Some("a run is in progress".into());
        }
        if self.store.opening || self.store.to_open.is_some() {
            return Some("opening the results library…".into());
        }
        if let Some(p) = self.doc.doc.config.problems().first() {
            return Some(p.to_string());
        }
        if let Some(p) = self.pipeline_problems().first() {
            return Some(format!("{}: {}", p.location, p.message));
        }
        if self.files.entries.is_empty() {
            return Some("no files queued: drop audio files or folders".into());
        }
        None
    }

    /// The document's validation problems, with its plugin nodes checked
    /// against the installed plugins (a missing one blocks running);
    /// cached per edit and per plugin rescan.
    pub(crate) fn pipeline_problems(&mut self) -> &[Problem] {
        let generation = (self.doc.generation, self.plugins.generation);
        if self.problems.0 != generation {
            let installed = &self.plugins.installed;
            let mut problems = crate::pipeline::validate_with(&self.doc.doc, None, installed);
            problems.extend(crate::pipeline::missing_plugins(
                &self.doc.doc,
                None,
                installed,
            ));
            self.problems = (generation, problems);
        }
        &self.problems.1
    }

    /// Queues dropped or picked paths: pipeline files open, the rest queue.
    pub(crate) fn add_paths(&mut self, paths: Vec<PathBuf>, ctx: &egui::Context) {
        let (pipelines, audio): (Vec<_>, Vec<_>) = paths
            .into_iter()
            .partition(|p| crate::pipeline::is_pipeline_path(p));
        if let Some(p) = pipelines.into_iter().next() {
            self.commands.push(Command::Open(p));
        }
        if !audio.is_empty() {
            let added = self.files.add_paths(audio);
            let unreadable = !self.files.unreadable.is_empty();
            let mut text = format!("Queued {added} file(s)");
            if self.files.already_queued > 0 {
                text.push_str(&format!(" ({} already queued)", self.files.already_queued));
            }
            if let Some(note) = &self.files.note {
                text.push_str(&format!("; {note}"));
            }
            self.set_status(text, unreadable);
        }
        ctx.request_repaint();
    }

    pub(crate) fn start_run(&mut self, only_failed: bool, _ctx: &egui::Context) {
        let indices = self
            .files
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| {
                !only_failed || matches!(e.state, FileState::Failed(_) | FileState::Partial(_))
            })
            .map(|(i, _)| i)
            .collect();
        if only_failed {
            self.start_indices(indices, "Re-running", false);
        } else {
            self.start_indices(indices, "Running", true);
        }
    }

    /// Runs the queue entries `indices`; `what` starts the status line;
    /// `fresh` empties a session-only table first (else only the rows of
    /// the files that run again go).
    pub(crate) fn start_indices(&mut self, indices: Vec<usize>, what: &str, fresh: bool) {
        if let Some(reason) = self.run_blocker() {
            self.set_status(format!("Cannot run: {reason}"), true);
            return;
        }
        if self.results.source != Source::Session {
            // Stored rows stay; each new result replaces its file's row.
        } else if !fresh {
            let names = indices
                .iter()
                .filter_map(|&i| self.files.entries.get(i))
                .map(|e| crate::library::stored_path(&e.path))
                .collect();
            self.results.remove_files(&names);
        } else {
            self.results.clear();
        }
        let wake = self.waker();
        let count = indices.len();
        let job = (
            &self.doc.doc,
            self.store.library.clone(),
            self.plugins.installed.clone(),
        );
        match self
            .run
            .start(job, &mut self.files, indices, &self.handle, wake)
        {
            Ok(()) => self.set_status(format!("{what} {count} file(s)…"), false),
            Err(e) => self.set_status(format!("Cannot run: {e}"), true),
        }
    }
}
