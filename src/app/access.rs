//! What tests, benchmarks and the binary read of the app, and the few
//! ways they drive it without the pointer (a command, an event, a result).

use std::path::PathBuf;
use std::sync::Arc;

use super::{
    Command, DocState, FileQueue, LiveStats, ResultsTable, SavedEntry, TuneState, WaveStudioApp,
};
use crate::pipeline::PipelineDocument;

impl WaveStudioApp {
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

    /// The graph canvas on screen, as last drawn (tests: what must stay
    /// in view).
    #[doc(hidden)]
    pub fn canvas_view(&self) -> egui::Rect {
        self.graph.view_rect()
    }

    /// Each node's rect as last drawn (canvas coordinates), by node id.
    #[doc(hidden)]
    pub fn canvas_node_rects(&self) -> &[(String, egui::Rect)] {
        self.graph.node_rects()
    }

    /// The per-node run figures (done, skipped, times), by node id.
    #[doc(hidden)]
    pub fn node_figures(&self) -> &crate::run::RunMonitor {
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
    pub fn ingest_result(&mut self, result: crate::run::FileResult) {
        let pipeline = crate::app::results::table::PipelineId::of(&self.doc.doc);
        self.results.push(result, &pipeline, &[]);
    }

    /// The quality gate's suggestion state.
    pub fn tune_state(&self) -> &TuneState {
        &self.tune
    }

    /// The track view's state.
    pub fn track(&self) -> &crate::app::track::TrackState {
        &self.track
    }
}
