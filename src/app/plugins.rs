//! Installed plugins in the app: scanned off the UI thread at start, on
//! *Rescan plugins* and every few seconds (a poll-based watch of the
//! folders); the Plugins window lists them with their command and folder,
//! and the manifests that could not be loaded. A running batch keeps the
//! set it started with (its runner holds its own `Arc`).

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, TryRecvError, channel};
use std::time::{Duration, Instant};

use egui::{RichText, Ui};
use tokio::runtime::Handle;

use super::Wake;
use crate::app::command::Command;
use crate::app::theme;
use crate::pipeline::plugin::{Installed, search_dirs};

/// Where the current set is kept in egui's memory, for the widgets that
/// draw plugin operations (menus, inspector, nodes) without the app.
fn memory_id() -> egui::Id {
    egui::Id::new("wave_studio_installed_plugins")
}

/// The plugin set the widgets show (empty before the first scan).
pub fn current(ctx: &egui::Context) -> Arc<Installed> {
    ctx.data(|d| d.get_temp::<Arc<Installed>>(memory_id()))
        .unwrap_or_default()
}

/// Makes `installed` the set the widgets show.
pub fn publish(ctx: &egui::Context, installed: Arc<Installed>) {
    ctx.data_mut(|d| d.insert_temp(memory_id(), installed));
}

/// How often the plugin folders are scanned again while the app runs.
pub const WATCH_EVERY: Duration = Duration::from_secs(3);

/// The plugins the app knows, and the scan in flight.
pub struct PluginsState {
    /// The set the *Add node* menu, the inspector and new runs use.
    pub installed: Arc<Installed>,
    /// Bumped whenever `installed` changes (validation follows it).
    pub generation: u64,
    /// Whether the Plugins window is open.
    pub window_open: bool,
    /// Folders to scan instead of `search_dirs()` (tests).
    pub dirs: Option<Vec<PathBuf>>,
    /// Rescan every `WATCH_EVERY`.
    pub watch: bool,
    /// A scan has finished (an automatic run waits for the first).
    pub scanned: bool,
    scan: Option<Receiver<Installed>>,
    last_scan: Option<Instant>,
}

impl Default for PluginsState {
    fn default() -> Self {
        Self {
            installed: Arc::default(),
            generation: 0,
            window_open: false,
            dirs: None,
            watch: true,
            scanned: false,
            scan: None,
            last_scan: None,
        }
    }
}

impl PluginsState {
    /// Starts a scan on the blocking pool unless one is running; `wake`
    /// repaints when it is done.
    pub fn rescan(&mut self, handle: &Handle, wake: Option<Wake>) {
        if self.scan.is_some() {
            return;
        }
        let (tx, rx) = channel();
        let dirs = self.dirs.clone().unwrap_or_else(search_dirs);
        handle.spawn_blocking(move || {
            let _ = tx.send(Installed::scan(&dirs));
            if let Some(wake) = wake {
                wake();
            }
        });
        self.scan = Some(rx);
        self.last_scan = Some(Instant::now());
    }

    /// Takes a finished scan (starting the first, and the watch's, when
    /// due). Returns a message when the set changed.
    pub fn poll(&mut self, handle: &Handle, wake: Option<Wake>) -> Option<String> {
        let due = self
            .last_scan
            .is_none_or(|t| self.watch && t.elapsed() >= WATCH_EVERY);
        if due {
            self.rescan(handle, wake);
        }
        let rx = self.scan.as_ref()?;
        let found = match rx.try_recv() {
            Ok(found) => found,
            Err(TryRecvError::Empty) => return None,
            Err(TryRecvError::Disconnected) => {
                self.scan = None;
                return None;
            }
        };
        self.scan = None;
        self.scanned = true;
        if found == *self.installed {
            return None;
        }
        let before: Vec<&String> = self.installed.plugins.keys().collect();
        let added: Vec<&String> = found
            .plugins
            .keys()
            .filter(|k| !before.contains(k))
            .collect();
        let removed: Vec<&&String> = before
            .iter()
            .filter(|k| !found.plugins.contains_key(k.as_str()))
            .collect();
        let first = self.generation == 0 && found.plugins.is_empty() && found.problems.is_empty();
        let message = plugin_change(&added, &removed, found.plugins.len());
        self.installed = Arc::new(found);
        self.generation += 1;
        // Finding nothing at start is not news.
        (!first).then_some(message)
    }

    /// Whether a scan is in flight.
    pub fn scanning(&self) -> bool {
        self.scan.is_some()
    }

    /// The Plugins window: each plugin with its command and folder, then
    /// the broken manifests.
    pub fn window_ui(&mut self, ctx: &egui::Context, out: &mut Vec<Command>) {
        let mut open = self.window_open;
        egui::Window::new("Plugins")
            .open(&mut open)
            .default_width(520.0)
            .show(ctx, |ui| self.contents_ui(ui, out));
        self.window_open = open;
    }

    fn contents_ui(&mut self, ui: &mut Ui, out: &mut Vec<Command>) {
        ui.horizontal(|ui| {
            if ui
                .add_enabled(!self.scanning(), egui::Button::new("Rescan plugins"))
                .clicked()
            {
                out.push(Command::RescanPlugins);
            }
            ui.checkbox(&mut self.watch, "watch the folders")
                .on_hover_text("Scan the plugin folders again every few seconds.");
        });
        let dirs = self.installed.dirs.iter().map(|d| d.display().to_string());
        ui.label(RichText::new(format!("Folders: {}", dirs.collect::<Vec<_>>().join(", "))).weak());
        ui.separator();
        if self.installed.plugins.is_empty() {
            ui.label("No plugins installed. A plugin is a folder with plugin.ron and its program.");
        }
        for plugin in self.installed.plugins.values() {
            let m = &plugin.manifest;
            ui.label(
                RichText::new(format!("{}  ·  {}", m.name, m.kind.label()))
                    .strong()
                    .color(theme::stage_color(m.kind)),
            );
            ui.label(m.description.as_str());
            ui.label(RichText::new(format!("command: {}", plugin.command_line())).monospace());
            ui.label(RichText::new(format!("folder: {}", plugin.dir.display())).weak());
            ui.add_space(4.0);
        }
        for problem in &self.installed.problems {
            ui.label(
                RichText::new(format!("⚠ {problem}"))
                    .color(theme::ERROR)
                    .small(),
            );
        }
    }
}

/// "Plugins: 2 installed (added tags; removed old)".
fn plugin_change(added: &[&String], removed: &[&&String], total: usize) -> String {
    let mut parts = Vec::new();
    if !added.is_empty() {
        let names: Vec<&str> = added.iter().map(|s| s.as_str()).collect();
        parts.push(format!("added {}", names.join(", ")));
    }
    if !removed.is_empty() {
        let names: Vec<&str> = removed.iter().map(|s| s.as_str()).collect();
        parts.push(format!("removed {}", names.join(", ")));
    }
    if parts.is_empty() {
        format!("Plugins: {total} installed (manifests changed)")
    } else {
        format!("Plugins: {total} installed ({})", parts.join("; "))
    }
}
