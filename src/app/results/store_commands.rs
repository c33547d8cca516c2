//! The app's side of the results library: applying the library, queue
//! order and resume commands, and taking in the library tasks' answers.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;

use crate::app::WaveStudioApp;
use crate::app::command::Command;
use crate::app::results::store::Reply;
use crate::app::results::table::{PipelineId, Scope, Source};
use crate::library::stored_path;
use crate::orchestrator::Wake;

impl WaveStudioApp {
    /// The UI's waker (a no-op before the first frame).
    pub(crate) fn waker(&self) -> Wake {
        self.wake.clone().unwrap_or_else(|| Arc::new(|| {}))
    }

    /// Keeps `Scope::ThisPipeline` meaning the open document as it is
    /// now: when an edit changes its content hash (not a node moved: see
    /// `pipeline::content_hash`), the table lists that pipeline's results.
    pub(crate) fn sync_results_pipeline(&mut self) {
        let stamp = (self.doc.epoch, self.doc.generation);
        if self.results.synced == Some(stamp) {
            return;
        }
        self.results.synced = Some(stamp);
        let id = PipelineId::of(&self.doc.doc);
        if id == self.results.current {
            return;
        }
        self.results.current = id;
        if self.results.scope == Scope::ThisPipeline && self.results.source == Source::Library {
            let wake = self.waker();
            self.store
                .load_rows(self.results.filter(), &self.handle, &wake);
        }
    }

    /// Applies the library, selection, queue order and resume commands.
    pub(crate) fn apply_library(&mut self, command: Command) {
        let wake = self.waker();
        match command {
            Command::FilterResults(scope) => {
                self.results.scope = scope;
                self.store
                    .load_rows(self.results.filter(), &self.handle, &wake);
            }
            Command::SelectResult { row, toggle } => self.results.select(row, toggle),
            Command::OpenTrack {
                path,
                pipeline,
                bpm,
            } => {
                let n = self.track.begin(path.clone());
                self.store
                    .load_track(n, (path, pipeline, bpm), &self.handle, &wake);
            }
            Command::CloseTrack => {
                self.track.listen.stop();
                self.track.track = None;
                self.track.error = None;
                self.track.tab = crate::app::track::BottomTab::Charts;
            }
            Command::ForgetSelectedResults => {
                let paths = self.results.selected_paths();
                self.apply_library(Command::AskForget(paths));
            }
            Command::AskForget(paths) if paths.is_empty() => {}
            Command::AskForget(paths) if self.store.library.is_some() => {
                self.confirm_forget = Some(paths);
            }
            Command::AskForget(_) => {
                self.set_status("No results library open: nothing to forget".into(), true);
            }
            Command::CancelForget => self.confirm_forget = None,
            Command::Forget(paths) => {
                self.confirm_forget = None;
                self.store.forget(paths, &self.handle, &wake);
            }
            Command::SelectFile { index, toggle } => self.files.select(index, toggle),
            Command::AnalyseNext(indices) => self.analyse_next(&indices),
            Command::Resume => self.resume(),
            // Queue edits during a run are dropped.
            _ => {}
        }
    }

    /// Moves queue entries to the front; a running batch starts them next.
    fn analyse_next(&mut self, indices: &[usize]) {
        let moved = self.files.move_to_front(indices);
        let front: Vec<usize> = (0..indices.len()).collect();
        self.run.analyse_next(&moved, &front);
        self.set_status(
            format!("{} file(s) moved to the front", indices.len()),
            false,
        );
    }

    /// The queue entries without a finished result of the current pipeline,
    /// and the interrupted run's files not queued; `None` when the library
    /// has not answered for this pipeline.
    pub(crate) fn resume_plan(&self) -> Option<(Vec<usize>, Vec<PathBuf>)> {
        let info = self.store.resume.as_ref()?;
        if info.pipeline != self.doc.doc.name {
            return None;
        }
        let queued: Vec<String> = self
            .files
            .entries
            .iter()
            .map(|e| stored_path(&e.path))
            .collect();
        let known: HashSet<&String> = queued.iter().collect();
        let missing = info
            .interrupted
            .iter()
            .filter(|p| {
                let p = stored_path(p);
                !known.contains(&p) && !info.finished.contains(&p)
            })
            .cloned()
            .collect();
        let todo = queued
            .iter()
            .enumerate()
            .filter(|(_, p)| !info.finished.contains(*p))
            .map(|(i, _)| i)
            .collect();
        Some((todo, missing))
    }

    /// Runs only what has no finished result.
    fn resume(&mut self) {
        let Some((_, missing)) = self.resume_plan() else {
            return;
        };
        if !missing.is_empty() {
            self.files.add_paths(missing);
        }
        let Some((todo, _)) = self.resume_plan() else {
            return;
        };
        self.start_indices(todo, "Resuming", false);
    }

    /// Reads the table's rows and the pipeline filter's names again (a run
    /// or a comparison stored new ones); this session's rows stay.
    pub(crate) fn reload_library_rows(&mut self) {
        if self.store.library.is_some() {
            let wake = self.waker();
            self.store
                .load_rows(self.results.filter(), &self.handle, &wake);
        }
    }

    /// Takes in what the library tasks answered.
    pub(crate) fn drain_store(&mut self) {
        let wake = self.waker();
        if let Some(path) = self.store.to_open.take() {
            self.store.open(path, &self.handle, &wake);
        }
        for reply in self.store.drain() {
            match reply {
                Reply::Opened(Ok(library)) => {
                    if library.is_read_only() {
                        let path = library.path().display();
                        let note = format!(
                            "Library {path} is read-only: its results are shown, nothing new will be stored"
                        );
                        self.set_status(note, false);
                    }
                    self.store.library = Some(library);
                    self.store
                        .load_rows(self.results.filter(), &self.handle, &wake);
                    self.check_resume();
                }
                Reply::Opened(Err(e)) | Reply::Rows(_, Err(e)) => {
                    self.set_status(format!("Library unavailable: {e}"), true);
                    self.results.source = Source::Unavailable(e);
                }
                Reply::Rows(_, Ok((rows, pipelines))) => {
                    self.results.set_stored(rows);
                    self.results.pipelines = pipelines;
                    self.results.source = Source::Library;
                }
                Reply::Resume(_, Ok(info)) => {
                    self.resume_checked = self.doc.doc.name.clone();
                    self.store.resume = Some(info);
                    self.store.resume_generation += 1;
                }
                Reply::Resume(_, Err(e)) => self.set_status(format!("Library: {e}"), true),
                Reply::Forgot(Ok((paths, n))) => {
                    let gone: HashSet<String> = paths.iter().map(|p| stored_path(p)).collect();
                    self.results.remove_files(&gone);
                    self.set_status(format!("Forgot {n} result(s)"), false);
                    self.check_resume();
                }
                Reply::Forgot(Err(e)) => self.set_status(format!("Forget failed: {e}"), true),
                Reply::Track(n, answer) => self.track.finish(n, answer),
            }
        }
        if self.store.library.is_some()
            && !self.run.is_running()
            && self.resume_checked != self.doc.doc.name
        {
            // Asked once per pipeline name; the answer sets `resume_checked`.
            self.resume_checked = self.doc.doc.name.clone();
            self.check_resume();
        }
        self.count_resumable();
    }

    /// Counts the files *Resume* would run, when the queue or the
    /// library's answer changed (not every frame: the queue may be long).
    fn count_resumable(&mut self) {
        let key = (
            self.files.entries.len(),
            self.store.resume_generation,
            self.doc.generation,
        );
        if self.resumable.0 != key {
            let count = self
                .resume_plan()
                .map_or(0, |(todo, missing)| todo.len() + missing.len());
            self.resumable = (key, count);
        }
    }

    /// Asks the library what resuming the current pipeline would run.
    pub(crate) fn check_resume(&mut self) {
        let wake = self.waker();
        let name = self.doc.doc.name.clone();
        self.store.check_resume(&name, &self.handle, &wake);
    }
}
