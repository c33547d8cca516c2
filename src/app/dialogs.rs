//! Native file dialogs (rfd), run as tasks on the runtime so the UI thread
//! never blocks; answers come back through a channel and wake the UI.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc;

use tokio::runtime::Handle;

use super::commands::{Command, ExportFormat};
use crate::orchestrator::Wake;
use crate::pipeline::PIPELINE_EXTENSION;

/// Open dialogs and their answers.
pub struct Dialogs {
    tx: mpsc::Sender<Command>,
    rx: mpsc::Receiver<Command>,
    wake: Option<Wake>,
    /// Whether a dialog is open (only one at a time).
    open: Arc<std::sync::atomic::AtomicBool>,
}

impl std::fmt::Debug for Dialogs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dialogs").finish_non_exhaustive()
    }
}

impl Default for Dialogs {
    fn default() -> Self {
        let (tx, rx) = mpsc::channel();
        Self {
            tx,
            rx,
            wake: None,
            open: Arc::default(),
        }
    }
}

impl Dialogs {
    /// Sets how to wake the UI when an answer arrives.
    pub fn set_wake(&mut self, wake: Wake) {
        self.wake = Some(wake);
    }

    /// Commands from answered dialogs.
    pub fn drain(&self) -> impl Iterator<Item = Command> + '_ {
        self.rx.try_iter()
    }

    fn spawn<F>(&self, handle: &Handle, dialog: F)
    where
        F: Future<Output = Option<Command>> + Send + 'static,
    {
        use std::sync::atomic::Ordering;
        if self.open.swap(true, Ordering::AcqRel) {
            return;
        }
        let tx = self.tx.clone();
        let wake = self.wake.clone();
        let open = self.open.clone();
        // A dialog may block its thread (the zenity fallback waits for a
        // process), so it gets a blocking thread, never an async worker.
        let runtime = handle.clone();
        handle.spawn_blocking(move || {
            let answer = runtime.block_on(dialog);
            open.store(false, Ordering::Release);
            if let Some(command) = answer {
                let _ = tx.send(command);
            }
            if let Some(wake) = wake {
                wake();
            }
        });
    }

    /// Asks for a pipeline file to open.
    pub fn open_pipeline(&self, handle: &Handle) {
        self.spawn(handle, async {
            let file = rfd::AsyncFileDialog::new()
                .set_title("Open pipeline")
                .add_filter("Pipeline (RON)", &[PIPELINE_EXTENSION])
                .pick_file()
                .await?;
            Some(Command::Open(file.path().to_path_buf()))
        });
    }

    /// Asks where to save the pipeline.
    pub fn save_pipeline(&self, handle: &Handle) {
        self.spawn(handle, async {
            let file = rfd::AsyncFileDialog::new()
                .set_title("Save pipeline as")
                .add_filter("Pipeline (RON)", &[PIPELINE_EXTENSION])
                .set_file_name("pipeline.ron")
                .save_file()
                .await?;
            Some(Command::SaveAs(file.path().to_path_buf()))
        });
    }

    /// Asks for audio files, or a folder.
    pub fn pick_files(&self, handle: &Handle, folder: bool) {
        self.spawn(handle, async move {
            let dialog = rfd::AsyncFileDialog::new().set_title("Add audio");
            let paths: Vec<PathBuf> = if folder {
                dialog
                    .pick_folders()
                    .await?
                    .iter()
                    .map(|f| f.path().to_path_buf())
                    .collect()
            } else {
                dialog
                    .pick_files()
                    .await?
                    .iter()
                    .map(|f| f.path().to_path_buf())
                    .collect()
            };
            Some(Command::AddFiles(paths))
        });
    }

    /// Asks where to export results.
    pub fn export(&self, handle: &Handle, format: ExportFormat) {
        self.spawn(handle, async move {
            let (name, ext) = match format {
                ExportFormat::Csv => ("results.csv", "csv"),
                ExportFormat::Json => ("results.json", "json"),
            };
            let file = rfd::AsyncFileDialog::new()
                .set_title("Export results")
                .add_filter(ext, &[ext])
                .set_file_name(name)
                .save_file()
                .await?;
            Some(Command::Export(format, file.path().to_path_buf()))
        });
    }
}
