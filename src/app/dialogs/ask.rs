//! File dialogs: native ones (rfd), run as tasks on the runtime so the UI
//! thread never blocks, answering through a channel that wakes the UI; or,
//! where no native dialog can open, the in-app browser.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc;

use tokio::runtime::Handle;

use crate::app::command::DialogKind;
use crate::app::command::{Command, ExportFormat};
use crate::app::dialogs::file_browser::{BrowserOutcome, FileBrowser};
use crate::orchestrator::Wake;
use crate::pipeline::PIPELINE_EXTENSION;

/// Open dialogs and their answers.
pub struct Dialogs {
    tx: mpsc::Sender<Command>,
    rx: mpsc::Receiver<Command>,
    wake: Option<Wake>,
    /// Whether a native dialog is open (only one at a time).
    open: Arc<std::sync::atomic::AtomicBool>,
    /// Whether native dialogs can open here.
    native: bool,
    /// The in-app browser, when open.
    browser: Option<FileBrowser>,
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
            native: native_available(),
            browser: None,
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

    /// Runs a native dialog; false when one is already open.
    fn spawn<F>(&self, handle: &Handle, dialog: F) -> bool
    where
        F: Future<Output = Option<Command>> + Send + 'static,
    {
        use std::sync::atomic::Ordering;
        if self.open.swap(true, Ordering::AcqRel) {
            return false;
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
            // A cancel is an answer too: what waited on the dialog stops.
            let _ = tx.send(answer.unwrap_or(Command::DialogCancelled));
            if let Some(wake) = wake {
                wake();
            }
        });
        true
    }

    /// Asks for `kind`: the native dialog where one can open, else the
    /// in-app browser starting in `dir`. Returns a note for the status bar
    /// when it falls back.
    /// `name` is the file name offered when saving, if not the default.
    pub fn ask(
        &mut self,
        handle: &Handle,
        kind: DialogKind,
        dir: PathBuf,
        name: Option<String>,
    ) -> Option<String> {
        if self.native {
            (!self.spawn(handle, native(kind)))
                .then(|| "A file dialog is already open; answer it first".to_string())
        } else {
            let browser = FileBrowser::new(kind, dir);
            self.browser = Some(match name {
                Some(name) => browser.with_file_name(name),
                None => browser,
            });
            Some(format!(
                "{}: no native file dialog here (no zenity or kdialog; set {NATIVE_ENV}=1 to force it), using the built-in browser",
                kind.title()
            ))
        }
    }

    /// Whether native dialogs are used (tests turn them off).
    pub fn set_native(&mut self, native: bool) {
        self.native = native;
    }

    /// Draws the in-app browser, if open; its answer (or cancel) is queued.
    pub fn browser_ui(&mut self, ctx: &egui::Context, out: &mut Vec<Command>) {
        let Some(browser) = &mut self.browser else {
            return;
        };
        match browser.ui(ctx) {
            Some(BrowserOutcome::Chosen(command)) => {
                self.browser = None;
                out.push(command);
            }
            Some(BrowserOutcome::Cancelled) => {
                self.browser = None;
                out.push(Command::DialogCancelled);
            }
            None => {}
        }
    }

    /// Whether the in-app browser is open.
    pub fn browser_open(&self) -> bool {
        self.browser.is_some()
    }
}

/// The env variable that forces native dialogs on (`1`) or off (`0`).
const NATIVE_ENV: &str = "WAVE_STUDIO_NATIVE_DIALOGS";

/// Whether a native dialog can open: rfd needs a desktop portal or zenity
/// and says nothing when neither answers, so without a dialog program on
/// PATH (or the env variable set) the in-app browser is used.
fn native_available() -> bool {
    match std::env::var(NATIVE_ENV).as_deref() {
        Ok("1") => return true,
        Ok("0") => return false,
        _ => {}
    }
    if !cfg!(target_os = "linux") {
        return true;
    }
    let Some(path) = std::env::var_os("PATH") else {
        return false;
    };
    std::env::split_paths(&path).any(|dir| {
        ["zenity", "kdialog"]
            .iter()
            .any(|program| dir.join(program).is_file())
    })
}

/// The native dialog for `kind`; `None` when it was cancelled.
async fn native(kind: DialogKind) -> Option<Command> {
    let mut dialog = rfd::AsyncFileDialog::new().set_title(kind.title());
    let paths: Vec<PathBuf> = match kind {
        DialogKind::AddFolder => dialog.pick_folders().await?.iter().map(path).collect(),
        DialogKind::AddFiles => dialog.pick_files().await?.iter().map(path).collect(),
        DialogKind::OpenPipeline | DialogKind::ComparePipeline => {
            dialog = dialog.add_filter("Pipeline (RON)", &[PIPELINE_EXTENSION]);
            vec![path(&dialog.pick_file().await?)]
        }
        DialogKind::SavePipeline | DialogKind::Export(_) => {
            let (filter, ext) = match kind {
                DialogKind::Export(ExportFormat::Csv) => ("CSV", "csv"),
                DialogKind::Export(ExportFormat::Json) => ("JSON", "json"),
                _ => ("Pipeline (RON)", PIPELINE_EXTENSION),
            };
            dialog = dialog
                .add_filter(filter, &[ext])
                .set_file_name(kind.default_name().unwrap_or_default());
            vec![path(&dialog.save_file().await?)]
        }
    };
    kind.answer(paths)
}

fn path(file: &rfd::FileHandle) -> PathBuf {
    file.path().to_path_buf()
}
