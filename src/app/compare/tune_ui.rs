//! The quality gate's tuning in the inspector: computed off the UI thread
//! from the library's history whenever the pipeline's nodes (their cache
//! keys), the library or the history change; shown beside
//! `quality_threshold` with the share of refinements skipped, the expected
//! disagreement and the number of files, applied in one (undoable) click.

use std::sync::{Arc, mpsc};

use egui::{RichText, Ui};
use tokio::runtime::Handle;

use crate::app::command::Command;
use crate::library::Library;
use crate::orchestrator::{Wake, WaveConfig};
use crate::pipeline::PipelineDocument;
use crate::pipeline::cache::node_keys_with;
use crate::pipeline::plugin::Installed;
use crate::results::tune::{DEFAULT_TARGET, HistoryError, MIN_FILES, Tuning, history, tune};

/// The suggestion and what it was computed for.
#[derive(Default)]
pub struct TuneState {
    /// (document generation, history epoch, library open) last checked.
    checked: (u64, u64, bool),
    /// The node keys and library the answer is for.
    keys: String,
    /// Bumped when the history may have grown (a run or comparison ended).
    epoch: u64,
    pending: Option<mpsc::Receiver<Result<Tuning, String>>>,
    /// The last answer: the tuning, or why there is none (`None`: nothing
    /// to say, e.g. no refinement node or no library).
    pub answer: Option<Result<Tuning, String>>,
}

impl std::fmt::Debug for TuneState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TuneState")
            .field("answer", &self.answer.is_some())
            .finish_non_exhaustive()
    }
}

impl TuneState {
    /// The history may have grown: compute again.
    pub fn invalidate(&mut self) {
        self.epoch += 1;
    }

    /// Starts a computation when the pipeline's nodes, the library or the
    /// history changed; takes a finished one. Never blocks.
    pub fn poll(
        &mut self,
        (doc, generation): (&PipelineDocument, u64),
        library: Option<&Arc<Library>>,
        plugins: &Arc<Installed>,
        handle: &Handle,
        wake: Wake,
    ) {
        if let Some(rx) = &self.pending
            && let Ok(answer) = rx.try_recv()
        {
            self.pending = None;
            self.answer = Some(answer);
        }
        let now = (generation, self.epoch, library.is_some());
        if self.checked == now {
            return;
        }
        self.checked = now;
        let Some(library) = library else {
            self.answer = None;
            return;
        };
        let node_keys = node_keys_with(doc, plugins);
        let keys = format!("{:?}{}{}", node_keys, library.path().display(), self.epoch);
        if keys == self.keys {
            return;
        }
        self.keys = keys;
        let (tx, rx) = mpsc::channel();
        self.pending = Some(rx);
        let (doc, library, plugins) = (doc.clone(), library.clone(), plugins.clone());
        handle.spawn_blocking(move || {
            let answer = match history(&doc, &library, &plugins) {
                Ok(samples) => Ok(tune(&samples, DEFAULT_TARGET)),
                Err(HistoryError::NoRefinement(_)) => return,
                Err(e) => Err(e.to_string()),
            };
            let _ = tx.send(answer);
            wake();
        });
    }
}

/// The suggestion's row under `quality_threshold`.
pub fn suggestion_ui(ui: &mut Ui, state: &TuneState, config: &WaveConfig, out: &mut Vec<Command>) {
    let Some(answer) = &state.answer else { return };
    ui.label(RichText::new("suggested").weak());
    ui.vertical(|ui| match answer {
        Err(e) => {
            ui.label(RichText::new(format!("no suggestion: {e}")).weak());
        }
        Ok(t) => match (&t.suggestion, t.no_suggestion_reason()) {
            (Some(s), _) => {
                ui.add(
                    egui::Label::new(
                        RichText::new(format!(
                            "{:.2}: skips {:.0}% of refinements, ~{:.1}% disagreement with the refined answer, from {} files",
                            s.threshold,
                            s.skipped * 100.0,
                            s.disagreement * 100.0,
                            t.files
                        )),
                    )
                    .wrap(),
                );
                let differs = (s.threshold - config.quality_threshold).abs() > 1e-9;
                if ui
                    .add_enabled(differs, egui::Button::new("Apply suggestion"))
                    .on_hover_text(format!(
                        "Set quality_threshold to {:.2} (undo with Ctrl+Z); target agreement {:.0}%",
                        s.threshold,
                        t.target * 100.0
                    ))
                    .clicked()
                {
                    let mut c = config.clone();
                    c.quality_threshold = s.threshold;
                    out.push(Command::SetConfig {
                        config: c,
                        key: "tune.quality_threshold".into(),
                    });
                }
            }
            // Short in the narrow column; the whole reason on hover.
            (None, Some(reason)) => {
                ui.label(RichText::new(format!("none yet: {} of {MIN_FILES} files", t.files)).weak())
                    .on_hover_text(reason);
            }
            (None, None) => {}
        },
    });
    ui.end_row();
}
