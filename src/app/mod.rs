//! The desktop app (eframe): the pipeline as a node graph, the file queue,
//! the inspector, live charts and results. The only module that imports
//! egui, eframe, egui-snarl, egui_plot and rfd.
//!
//! Each frame, `logic` drains what arrived (run events, dialog answers,
//! dropped files, shortcuts) and `ui` draws; both only push `Command`s,
//! applied in one place (`command_handling.rs`).

mod access;
mod command;
mod command_handling;
mod compare;
mod dialogs;
mod files;
mod graph;
mod inspector;
mod layout;
mod logic;
mod modals;
mod number_field;
mod plugins;
mod results;
mod run;
mod shortcuts;
mod state;
mod theme;
mod track;

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use tokio::runtime::Handle;

pub use command::CanvasEvent;
pub use command::CompareCommand;
pub use command::{Command, ExportFormat, Pending};
pub use compare::state::CompareState;
pub use compare::tune_ui::TuneState;
pub use files::{FileEntry, FileQueue, FileState, SavedEntry};
pub use graph::convert::{GraphNode, to_graph};
pub use graph::graph_ui::NODE_TEXT_SIZE;
pub use results::store::{DB_ENV, library_path};
pub use results::table::{Column, ColumnLayout, PipelineId, ResultsTable, Row, Scope, Source};
pub use run::charts::{LiveStats, SERIES_CAP, Series};
pub use state::DocState;
pub use track::time_view::TimeView;
pub use track::{BottomTab, LaneKind, Track, TrackData, TrackState};

use dialogs::ask::Dialogs;
use graph::view::GraphView;
use results::store::StoreState;
use run::state::RunState;

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
    /// Look for an audio output for the track view's playback (the app
    /// does; tests leave it off so that none opens a device).
    pub audio: bool,
}

/// Settings that persist between launches.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
struct Settings {
    recent: Vec<PathBuf>,
    /// The file queue as it was when the app closed.
    queue: Vec<SavedEntry>,
    /// The pipeline file open when the app closed (none: the built-in
    /// default or an unsaved pipeline).
    last_pipeline: Option<PathBuf>,
    /// The results columns shown, in order.
    columns: ColumnLayout,
}

impl Settings {
    /// `launch` with the pipeline of the last session when the command
    /// line names none and that file still exists.
    fn fill_in(&self, mut launch: Launch) -> Launch {
        if launch.pipeline.is_none() {
            launch.pipeline = self.last_pipeline.clone().filter(|p| p.is_file());
        }
        launch
    }
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
    compare: compare::state::CompareState,
    /// The track view: an analysed file over time.
    track: track::TrackState,
    /// The quality gate's suggestion from history.
    tune: compare::tune_ui::TuneState,
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
            compare: compare::state::CompareState::default(),
            track: track::TrackState::default(),
            tune: compare::tune_ui::TuneState::default(),
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
        if launch.audio {
            app.track.listen.probe();
        }
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

    /// One whole frame: `logic`, then the UI. What tests and benches call.
    pub fn frame(&mut self, ui: &mut egui::Ui) {
        self.logic_step(ui.ctx());
        self.ui_root(ui);
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

    /// Draws the whole UI into `ui`.
    pub fn ui_root(&mut self, ui: &mut egui::Ui) {
        layout::root_ui(self, ui);
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
        self.settings.last_pipeline = self.doc.path.clone();
        self.settings.columns = self.results.columns.clone();
        eframe::set_value(storage, SETTINGS_KEY, &self.settings);
    }
}

impl WaveStudioApp {
    /// The app as the last session left it (`storage`: what `save`
    /// wrote): its queue, the pipeline that was open unless `launch`
    /// names one, the results columns.
    pub fn restored(handle: Handle, launch: Launch, storage: Option<&dyn eframe::Storage>) -> Self {
        let settings = storage
            .and_then(|s| eframe::get_value::<Settings>(s, SETTINGS_KEY))
            .unwrap_or_default();
        let queue = settings.queue.clone();
        let launch = settings.fill_in(launch);
        let mut app = WaveStudioApp::with_queue(handle, launch, queue);
        app.results.columns = settings.columns.clone();
        app.settings = settings;
        app
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
            Ok(Box::new(WaveStudioApp::restored(
                handle, launch, cc.storage,
            )))
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_relaunch_opens_the_pipeline_that_was_open_unless_told_otherwise() {
        let dir = std::env::temp_dir().join(format!("wave-settings-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let last = dir.join("mine.ron");
        std::fs::write(&last, crate::pipeline::DEFAULT_PIPELINE).unwrap();
        let settings = Settings {
            last_pipeline: Some(last.clone()),
            ..Settings::default()
        };
        assert_eq!(
            settings.fill_in(Launch::default()).pipeline,
            Some(last.clone())
        );
        let named = Launch {
            pipeline: Some(dir.join("other.ron")),
            ..Launch::default()
        };
        assert_eq!(settings.fill_in(named.clone()).pipeline, named.pipeline);
        std::fs::remove_file(&last).unwrap();
        assert_eq!(
            settings.fill_in(Launch::default()).pipeline,
            None,
            "gone: the default"
        );
        let _ = std::fs::remove_dir(&dir);
    }
}
