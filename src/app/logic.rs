//! `logic`: once per frame, before drawing, take what arrived (dialog
//! answers, plugin scans, dropped files, shortcuts, run and comparison
//! news, library replies) and apply the commands it became.

use std::path::PathBuf;
use std::sync::Arc;

use super::{Command, Pending, WaveStudioApp, plugins, shortcuts, theme};
use crate::orchestrator::Wake;

impl WaveStudioApp {
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
        self.sync_results_pipeline();
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
}
