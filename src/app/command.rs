//! Everything the UI can ask for, as `Command`s, with the small types they
//! carry. Feature files depend on this vocabulary only;
//! `command_handling.rs` is the one place commands change state.

use std::path::PathBuf;

use crate::orchestrator::{WaveConfig, WaveStage};
use crate::pipeline::{Operation, PipelineNode};

use egui::Rect;
use egui_snarl::NodeId;

/// A request from the UI.
#[derive(Debug, Clone)]
pub enum Command {
    // Pipeline files.
    /// Starts from the built-in default pipeline (asking first about
    /// unsaved changes).
    New,
    /// Closes the window (asking first about unsaved changes).
    Quit,
    /// Opens this pipeline file (asking first about unsaved changes).
    Open(PathBuf),
    /// Asks for a pipeline file to open.
    OpenDialog,
    /// Saves to the current path, or asks for one.
    Save,
    /// Saves to this path.
    SaveAs(PathBuf),
    /// Asks for a path to save to.
    SaveAsDialog,
    /// A file dialog closed without an answer.
    DialogCancelled,
    /// Carries out what waited for the unsaved-changes question.
    Discard(Pending),
    /// Saves, then carries on with the pending action.
    SaveThen(Pending),
    /// Drops what waited for the unsaved-changes question.
    CancelPending,
    // Graph and config edits (undoable).
    /// Adds a node running `operation` where the user is looking, and
    /// selects it.
    AddNode {
        /// Its stage kind.
        kind: WaveStage,
        /// What it runs.
        operation: Operation,
        /// Where the canvas menu was opened (canvas coordinates), or
        /// `None` for the visible centre; the node goes to the nearest spot
        /// there, wholly in view, that covers no other node.
        at: Option<(f32, f32)>,
    },
    /// Removes a node and its edges.
    RemoveNode(String),
    /// Removes these nodes and their edges, as one undo step.
    RemoveNodes(Vec<String>),
    /// Copies a node next to itself and selects the copy.
    DuplicateNode(String),
    /// Makes `to` run after `from`; a cycle is refused with its path.
    Connect {
        /// The dependency.
        from: String,
        /// The dependent.
        to: String,
    },
    /// Removes the dependency `from → to`.
    Disconnect {
        /// The dependency.
        from: String,
        /// The dependent.
        to: String,
    },
    /// Moves nodes on the canvas, as one undo step.
    MoveNodes(Vec<(String, (f32, f32))>),
    /// Replaces the node with the same id; `key` merges typing into one
    /// step.
    SetNode {
        /// The node as edited.
        node: PipelineNode,
        /// What was edited; repeats merge into one undo step (typing a
        /// name). Empty: a step of its own (a committed value, a toggle).
        key: String,
    },
    /// Replaces the run settings; `key` merges repeats into one step.
    SetConfig {
        /// The settings as edited.
        config: WaveConfig,
        /// What was edited; repeats merge into one undo step. Empty: a
        /// step of its own (a committed value, a toggle).
        key: String,
    },
    /// Selects a document node (or none) for the inspector.
    Select(Option<String>),
    /// What the graph canvas reports: fitted, touched, its selection.
    Canvas(CanvasEvent),
    /// Closes the list of a failed load's problems.
    DismissLoadProblems,
    /// Renames the pipeline.
    SetName(String),
    /// Fits the graph view to the whole pipeline.
    FitView,
    /// Zooms the graph view to 100 %.
    ResetZoom,
    /// Steps back one edit.
    Undo,
    /// Steps forward one undone edit.
    Redo,
    // Files and runs.
    /// Queues files and folders (a pipeline file among them opens).
    AddFiles(Vec<PathBuf>),
    /// Asks for files to queue.
    PickFiles,
    /// Asks for a folder to queue.
    PickFolder,
    /// Takes a file off the queue (not while running).
    RemoveFile(usize),
    /// Empties the queue (not while running).
    ClearFiles,
    /// Runs the files that failed or were partial again.
    RerunFailed,
    /// Runs every queued file.
    Run,
    /// Cancels the run.
    Cancel,
    /// Asks where to export the results.
    ExportDialog(ExportFormat),
    /// Exports the results to a file.
    Export(ExportFormat, PathBuf),
    /// Sorts the results by a column (again: reverses).
    SortResults(crate::app::results::table::Column),
    /// Shows these results columns, in this order (remembered).
    SetColumns(crate::app::results::table::ColumnLayout),
    // The results library.
    /// Shows the stored results of these pipelines, under the folder
    /// typed in the table.
    FilterResults(crate::app::results::table::Scope),
    /// Selects a results row (`toggle`: adds or removes it).
    SelectResult {
        /// The row's index in the table.
        row: usize,
        /// Ctrl/Cmd was held.
        toggle: bool,
    },
    /// Opens a file's track view from its stored result (of `pipeline`,
    /// or the newest of any pipeline).
    OpenTrack {
        /// The file.
        path: std::path::PathBuf,
        /// The pipeline whose result to show.
        pipeline: Option<String>,
        /// The file-level tempo the table shows, BPM.
        bpm: Option<f64>,
    },
    /// Closes the track view.
    CloseTrack,
    /// Asks to forget the selected rows' results.
    ForgetSelectedResults,
    /// Asks whether to forget these files' results.
    AskForget(Vec<PathBuf>),
    /// Forgets these files' results in the library.
    Forget(Vec<PathBuf>),
    /// Drops the forget question.
    CancelForget,
    /// Selects a queue entry (`toggle`: adds or removes it).
    SelectFile {
        /// The entry's index in the queue.
        index: usize,
        /// Ctrl/Cmd was held.
        toggle: bool,
    },
    /// Moves these queue entries to the front; during a run they start
    /// next.
    AnalyseNext(Vec<usize>),
    /// Runs the queued files without a finished result (and the files of
    /// an interrupted run).
    Resume,
    // Plugins.
    /// Scans the plugin folders again now.
    RescanPlugins,
    /// Opens the Plugins window.
    ShowPlugins,
    // A/B comparison and tuning.
    /// What the comparison window asks for.
    Compare(CompareCommand),
}

/// What waits for an answer about unsaved changes.
#[derive(Debug, Clone, PartialEq)]
pub enum Pending {
    /// Replace the document with the default pipeline.
    New,
    /// Open this pipeline file.
    Open(PathBuf),
    /// Ask for a pipeline file to open.
    OpenDialog,
    /// Close the window.
    Close,
}

/// Results export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// Comma-separated values: one row per file, the columns of `run --format csv`.
    Csv,
    /// JSON: every file's record with every value.
    Json,
}

/// What the comparison window asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum CompareCommand {
    /// Asks for pipeline B (the file browser or a native dialog).
    Dialog,
    /// Compares the current pipeline with this one over the queue.
    With(PathBuf),
    /// Compares again with the same pipeline B.
    Again,
    /// Shows both whole records of a file (by its index in the
    /// comparison's files).
    Select(usize),
    /// Cancels a running comparison.
    Cancel,
    /// Closes the window.
    Close,
}

/// What the canvas reports about itself, applied as `Command::Canvas`.
#[derive(Debug, Clone, PartialEq)]
pub enum CanvasEvent {
    /// The view was fitted to the graph inside this canvas rect.
    Fitted(Rect),
    /// The user panned or zoomed: stop fitting on resize.
    Touched,
    /// The canvas's selection changed to these document nodes (pushed
    /// with the `Command::Select` of the last one).
    Selected(Vec<String>),
    /// egui-snarl's own selection is now this (only its additions count).
    SnarlSelected(Vec<NodeId>),
}

/// What a file dialog asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialogKind {
    /// A pipeline file to open.
    OpenPipeline,
    /// A second pipeline to compare the current one with.
    ComparePipeline,
    /// Where to save the pipeline.
    SavePipeline,
    /// Audio files to queue.
    AddFiles,
    /// A folder to queue.
    AddFolder,
    /// Where to export the results.
    Export(ExportFormat),
}
