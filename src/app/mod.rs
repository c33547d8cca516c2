//! The desktop app (eframe): the pipeline as a node graph, the file queue,
//! the inspector, live charts and results. The only module that imports
//! egui, eframe, egui-snarl, egui_plot and rfd.
//!
//! Each frame, `logic` drains what arrived (run events, dialog answers,
//! dropped files, shortcuts) and `ui` draws; both only push `Command`s,
//! applied in one place (`commands.rs`).

mod charts;
mod charts_ui;
mod commands;
mod compare;
mod compare_ui;
mod dialogs;
mod file_browser;
mod files;
mod graph;
mod graph_ui;
mod graph_view;
mod inspector;
mod layout;
mod log_chart;
mod node_inspector;
mod node_menu;
mod number_field;
mod plugin_params;
mod plugins;
mod result_row;
mod results;
mod results_ui;
mod run;
mod shortcuts;
mod state;
mod store;
mod store_commands;
mod theme;
mod tune_ui;

use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tokio::runtime::Handle;

pub use charts::{LiveStats, SERIES_CAP, Series};
pub use commands::{Command, ExportFormat, Pending};
pub use compare::{CompareCommand, CompareState};
pub use files::{FileEntry, FileQueue, FileState, SavedEntry};
pub use graph::{GraphNode, to_graph};
pub use graph_ui::NODE_TEXT_SIZE;
pub use graph_view::CanvasEvent;
pub use results::{ResultsTable, Row, Source};
pub use state::DocState;
pub use store::{DB_ENV, library_path};
pub use tune_ui::TuneState;

use dialogs::Dialogs;
use graph_view::GraphView;
use run::RunState;
use store::StoreState;

use crate::orchestrator::Wake;
use crate::pipeline::{PipelineDocument, Problem};

/// Where eframe keeps our settings.
const SETTINGS_KEY: &str = "wave-studio-settings";
const RECENT_MAX: usize = 10;

/// What the app starts with (from the command line).
#[derive(Debug, Clone, Default)]
pub struct Launch {
    /// A pipeline file to open instead of the built-in default.
    pub pipeline: Option<PathBuf>,
    /// Files and folders to queue.
    pub files: Vec<PathBuf>,
    /// Press Run once the files are queued.
    pub auto_run: bool,
    /// The results library to use instead of the default (`--db`).
    pub db: Option<PathBuf>,
    /// Use no results library (`--no-db`).
    pub no_db: bool,
}

/// Settings that persist between launches.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
struct Settings {
    recent: Vec<PathBuf>,
    /// The file queue as it was when the app closed.
    queue: Vec<SavedEntry>,
}

/// The Wave Studio app.
pub struct WaveStudioApp {
    handle: Handle,
    doc: DocState,
    /// The canvas: the editor graph and its view state.
    graph: GraphView,
    selected: Option<String>,
    files: FileQueue,
    run: RunState,
    results: ResultsTable,
    commands: Vec<Command>,
    status: Option<(String, bool)>,
    dialogs: Dialogs,
    pending: Option<Pending>,
    /// What carries on once the save dialog's answer is saved.
    after_save: Option<Pending>,
    settings: Settings,
    wake: Option<Wake>,
    allow_close: bool,
    auto_run: bool,
    title: String,
    /// Validation problems and the (document, plugins) generations they
    /// were found for.
    problems: ((u64, u64), Vec<Problem>),
    /// The results library and its tasks.
    store: StoreState,
    /// Files whose results wait for the user to confirm forgetting them.
    confirm_forget: Option<Vec<PathBuf>>,
    /// The pipeline name the resume check was last asked for.
    resume_checked: String,
    /// How many files *Resume* would run, and what it was counted for
    /// (queue length, resume answer, document generation).
    resumable: ((usize, u64, u64), usize),
    /// Installed plugins, rescanned while the app runs.
    plugins: plugins::PluginsState,
    /// *Compare with…*: pipeline B and the comparison.
    compare: compare::CompareState,
    /// The quality gate's suggestion from history.
    tune: tune_ui::TuneState,
}

impl std::fmt::Debug for WaveStudioApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WaveStudioApp")
            .field("doc", &self.doc.doc.name)
            .field("files", &self.files.entries.len())
            .finish_non_exhaustive()
    }
}

impl WaveStudioApp {
    /// The app with the built-in default pipeline; runs go on `handle`.
    pub fn new(handle: Handle) -> Self {
        let doc =
            crate::pipeline::default_document().unwrap_or_else(|_| PipelineDocument::default());
        Self {
            handle,
            problems: ((u64::MAX, u64::MAX), Vec::new()),
            doc: DocState::new(doc, None),
            graph: GraphView::default(),
            selected: None,
            files: FileQueue::default(),
            run: RunState::default(),
            results: ResultsTable::default(),
            commands: Vec::new(),
            status: None,
            dialogs: Dialogs::default(),
            pending: None,
            after_save: None,
            settings: Settings::default(),
            wake: None,
            allow_close: false,
            auto_run: false,
            title: String::new(),
            store: StoreState::default(),
            confirm_forget: None,
            resume_checked: String::new(),
            resumable: ((0, 0, 0), 0),
            plugins: plugins::PluginsState::default(),
            compare: compare::CompareState::default(),
            tune: tune_ui::TuneState::default(),
        }
    }

    /// The app as launched: a pipeline to open, files to queue, auto-run,
    /// the results library to open (off the UI thread, from the first
    /// frame).
    pub fn with_launch(handle: Handle, launch: Launch) -> Self {
        Self::with_queue(handle, launch, Vec::new())
    }

    /// As [`WaveStudioApp::with_launch`], with the queue of the last launch
    /// put back first.
    pub fn with_queue(handle: Handle, launch: Launch, queue: Vec<SavedEntry>) -> Self {
        let mut app = Self::new(handle);
        app.files.restore(queue);
        if let Some(p) = &launch.pipeline {
            app.open(p);
        }
        if !launch.files.is_empty() {
            app.files.add_paths(launch.files);
        }
        app.auto_run = launch.auto_run;
        app.store.to_open = library_path(launch.db, launch.no_db);
        if app.store.to_open.is_some() {
            app.results.source = Source::Loading;
        }
        app
    }

    /// The queue as it is saved between launches.
    pub fn saved_queue(&self) -> Vec<SavedEntry> {
        self.files.saved()
    }

    /// Whether the results library is open.
    pub fn has_library(&self) -> bool {
        self.store.library.is_some()
    }

    /// The installed plugins the app uses now.
    pub fn plugins(&self) -> &Arc<crate::pipeline::plugin::Installed> {
        &self.plugins.installed
    }

    /// Scans these folders for plugins instead of the usual ones (tests),
    /// from the next scan on.
    pub fn set_plugin_dirs(&mut self, dirs: Vec<PathBuf>) {
        self.plugins.dirs = Some(dirs);
    }

    /// The document being edited.
    pub fn document(&self) -> &PipelineDocument {
        &self.doc.doc
    }

    /// The document's state (path, dirty mark, history).
    pub fn doc_state(&self) -> &DocState {
        &self.doc
    }

    /// The file queue.
    pub fn files(&self) -> &FileQueue {
        &self.files
    }

    /// The results table.
    pub fn results(&self) -> &ResultsTable {
        &self.results
    }

    /// Live run data.
    pub fn live(&self) -> &LiveStats {
        &self.run.live
    }

    /// Whether a batch is running.
    pub fn is_running(&self) -> bool {
        self.run.is_running()
    }

    /// The selected node.
    pub fn selected(&self) -> Option<&str> {
        self.selected.as_deref()
    }

    /// Uses native file dialogs (`true`) or the in-app browser; by default
    /// native only where a dialog program is installed.
    pub fn set_native_dialogs(&mut self, native: bool) {
        self.dialogs.set_native(native);
    }

    /// Whether the app has let its window close (asked, and answered).
    pub fn closing(&self) -> bool {
        self.allow_close
    }

    /// The nodes selected on the canvas (the last one is inspected).
    pub fn selection(&self) -> &[String] {
        self.graph.selection()
    }

    /// Canvas to screen as the graph was last drawn (tests: accesskit
    /// reports canvas widgets in canvas coordinates).
    #[doc(hidden)]
    pub fn canvas_transform(&self) -> egui::emath::TSTransform {
        self.graph.transform()
    }

    /// Where the nodes were last drawn, in canvas coordinates (tests: what
    /// a fit must show).
    #[doc(hidden)]
    pub fn canvas_content(&self) -> Option<egui::Rect> {
        self.graph.content()
    }

    /// Each node's rect as last drawn (canvas coordinates), by node id.
    #[doc(hidden)]
    pub fn canvas_node_rects(&self) -> &[(String, egui::Rect)] {
        self.graph.node_rects()
    }

    /// The per-node run figures (done, skipped, times), by node id.
    #[doc(hidden)]
    pub fn node_figures(&self) -> &crate::pipeline::RunMonitor {
        &self.run.live.monitor
    }

    /// Queues a command, as a button would.
    pub fn push(&mut self, command: Command) {
        self.commands.push(command);
    }

    /// Feeds run data without a run (benchmarks): an event at `t` seconds.
    #[doc(hidden)]
    pub fn ingest_event(&mut self, event: &crate::orchestrator::WaveEvent, t: f64) {
        self.run.live.ingest(event, t);
    }

    /// Feeds a finished file without a run (benchmarks).
    #[doc(hidden)]
    pub fn ingest_result(&mut self, result: crate::pipeline::FileResult) {
        let pipeline = self.doc.doc.name.clone();
        self.results.push(result, &pipeline, &[]);
    }

    /// One whole frame: `logic`, then the UI. What tests and benches call.
    pub fn frame(&mut self, ui: &mut egui::Ui) {
        self.logic_step(ui.ctx());
        self.ui_root(ui);
    }

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
    fn pipeline_problems(&mut self) -> &[Problem] {
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

    fn set_status(&mut self, text: String, error: bool) {
        self.status = Some((text, error));
    }

    fn remember_recent(&mut self, path: &std::path::Path) {
        let path = path.to_path_buf();
        self.settings.recent.retain(|p| *p != path);
        self.settings.recent.insert(0, path);
        self.settings.recent.truncate(RECENT_MAX);
    }

    /// Queues dropped or picked paths: pipeline files open, the rest queue.
    fn add_paths(&mut self, paths: Vec<PathBuf>, ctx: &egui::Context) {
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

    fn start_run(&mut self, only_failed: bool, _ctx: &egui::Context) {
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
    fn start_indices(&mut self, indices: Vec<usize>, what: &str, fresh: bool) {
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

    /// Drains what arrived since the last frame and applies commands.
    pub fn logic_step(&mut self, ctx: &egui::Context) {
        if self.wake.is_none() {
            // Once per window: fonts that have every symbol the UI shows.
            ctx.set_fonts(theme::fonts());
            let c = ctx.clone();
            let wake: Wake = Arc::new(move || c.request_repaint());
            self.dialogs.set_wake(wake.clone());
            self.wake = Some(wake);
        }
        let answered: Vec<Command> = self.dialogs.drain().collect();
        self.commands.extend(answered);
        if let Some(message) = self.plugins.poll(&self.handle, self.wake.clone()) {
            plugins::publish(ctx, self.plugins.installed.clone());
            self.set_status(message, false);
        }

        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .collect()
        });
        if !dropped.is_empty() {
            self.commands.push(Command::AddFiles(dropped));
        }
        self.shortcuts(ctx);

        if ctx.input(|i| i.viewport().close_requested()) && !self.allow_close {
            if self.doc.is_dirty() {
                ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
                self.pending = Some(Pending::Close);
            } else {
                self.run.cancel();
            }
        }

        if self.run.poll(&mut self.files, &mut self.results) && !self.run.is_running() {
            let msg = match &self.run.report {
                Some(r) if r.cancelled => "Run cancelled".to_string(),
                Some(r) => match &r.aborted {
                    Some(a) => format!("Run stopped: {a}"),
                    None => format!("Run finished in {:.1} s", r.duration.as_secs_f64()),
                },
                None => "Run ended".to_string(),
            };
            match &self.run.store_error {
                // A store failure stays visible after the run.
                Some(e) => self.set_status(format!("{msg}; results not stored: {e}"), true),
                None => self.set_status(msg, false),
            }
            self.check_resume();
            self.tune.invalidate();
            self.reload_library_rows();
        } else if let Some(e) = &self.run.store_error
            && !self.run.store_error_shown
        {
            self.run.store_error_shown = true;
            self.set_status(format!("Results not stored: {e} (the run goes on)"), true);
        }
        self.poll_compare_and_tune();
        self.drain_store();
        self.apply_commands(ctx);
        // An automatic run waits for the library, so that it is stored,
        // and for the plugins, so that its plugin nodes can run.
        let opening = self.store.opening || self.store.to_open.is_some() || !self.plugins.scanned;
        if self.auto_run && !self.files.entries.is_empty() && !opening {
            self.auto_run = false;
            self.commands.push(Command::Run);
            self.apply_commands(ctx);
        }
        let title = self.doc.title();
        if title != self.title {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.title = title;
        }
    }

    /// Takes the comparison's news; keeps the quality gate's suggestion
    /// current (off the UI thread; a finished comparison adds history).
    fn poll_compare_and_tune(&mut self) {
        if self.compare.poll() && !self.compare.is_running() {
            self.tune.invalidate();
            self.reload_library_rows();
            match &self.compare.outcome {
                Some(Ok(c)) => {
                    let differ = c.summary.files - c.summary.agreeing_files;
                    let text = format!(
                        "Comparison finished: {} file(s), {differ} differ",
                        c.summary.files
                    );
                    self.set_status(text, false);
                }
                Some(Err(e)) => self.set_status(e.clone(), true),
                None => {}
            }
        }
        let wake = self.waker();
        self.tune.poll(
            (&self.doc.doc, self.doc.generation),
            self.store.library.as_ref(),
            &self.plugins.installed,
            &self.handle,
            wake,
        );
    }

    /// The quality gate's suggestion state.
    pub fn tune_state(&self) -> &TuneState {
        &self.tune
    }

    fn shortcuts(&mut self, ctx: &egui::Context) {
        use egui::Key;
        // A question or the file browser has the keyboard: nothing behind
        // it is deleted, saved or opened meanwhile.
        if self.dialogs.browser_open() || self.pending.is_some() || self.confirm_forget.is_some() {
            return;
        }
        let typing = ctx.egui_wants_keyboard_input();
        for (shortcut, command) in shortcuts::SHORTCUTS {
            // Undo inside a text field belongs to the text field.
            if typing && matches!(command, Command::Undo | Command::Redo) {
                continue;
            }
            if ctx.input_mut(|i| i.consume_shortcut(&shortcut)) {
                self.commands.push(command);
            }
        }
        let selection = self.graph.selection();
        if !typing && !selection.is_empty() && ctx.input(|i| i.key_pressed(Key::Delete)) {
            self.commands.push(Command::RemoveNodes(selection.to_vec()));
        }
    }

    /// Draws the whole UI into `ui`.
    pub fn ui_root(&mut self, ui: &mut egui::Ui) {
        layout::draw(self, ui);
        // Clicks take effect in the frame they happen.
        let ctx = ui.ctx().clone();
        self.apply_commands(&ctx);
    }
}

impl eframe::App for WaveStudioApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.logic_step(ctx);
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.ui_root(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        self.settings.queue = self.files.saved();
        eframe::set_value(storage, SETTINGS_KEY, &self.settings);
    }
}

/// Opens the app window; returns when it closes.
pub fn run_native(handle: Handle, launch: Launch) -> eframe::Result {
    let viewport = egui::ViewportBuilder::default()
        .with_title("Wave Studio")
        .with_inner_size([1600.0, 1000.0])
        .with_min_inner_size([900.0, 600.0])
        .with_drag_and_drop(true)
        .with_app_id("wave-studio");
    let options = eframe::NativeOptions {
        viewport,
        persist_window: true,
        ..Default::default()
    };
    eframe::run_native(
        "wave-studio",
        options,
        Box::new(move |cc| {
            let settings = cc
                .storage
                .and_then(|s| eframe::get_value::<Settings>(s, SETTINGS_KEY))
                .unwrap_or_default();
            let queue = settings.queue.clone();
            let mut app = WaveStudioApp::with_queue(handle, launch, queue);
            app.settings = settings;
            Ok(Box::new(app))
        }),
    )
}
