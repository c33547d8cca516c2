//! The inspector's run settings: every `WaveConfig` field with its unit, its
//! doc comment as tooltip (`WaveConfig::FIELDS`) and inline validation. (The selected node's editor is in
//! `node_inspector.rs`.)

use std::collections::BTreeSet;

use egui::{RichText, Ui};

use crate::app::command::Command;
use crate::app::number_field::{self, number_field_ui};
use crate::app::theme;
use crate::orchestrator::{ConfigError, ConfigField, ConfigValueMut, WaveConfig, WaveStage};

/// A field's row: name (with its doc as tooltip; red while the value is
/// wrong), editor, unit. The reason is shown in the section's problem
/// block, so a problem never adds a row. Returns whether the value changed.
fn row_ui(
    ui: &mut Ui,
    field: &ConfigField,
    value: ConfigValueMut<'_>,
    problem: Option<&ConfigError>,
) -> bool {
    let id = field_id(field.name);
    let wrong = problem.is_some() || number_field::rejection(ui.ctx(), id).is_some();
    let name = if wrong {
        RichText::new(field.name).color(theme::ERROR)
    } else {
        RichText::new(field.name)
    };
    let label = ui.label(name).on_hover_text(field.help());
    let changed = ui
        .horizontal(|ui| {
            let r = editor_ui(ui, field, value, problem.is_some());
            let r = r.labelled_by(label.id).on_hover_text(field.help());
            let unit = match (field.unit, field.bounds) {
                ("", Some(b)) => format!("{}..{}", b.min, b.max),
                (unit, _) => unit.to_string(),
            };
            if !unit.is_empty() {
                ui.label(RichText::new(unit).weak());
            }
            r.changed()
        })
        .inner;
    ui.end_row();
    changed
}

/// The number field of config field `name`.
fn field_id(name: &str) -> egui::Id {
    egui::Id::new(("config_field", name))
}

/// The editor widget for one value; a committed change marks the response
/// changed.
fn editor_ui(
    ui: &mut Ui,
    field: &ConfigField,
    value: ConfigValueMut<'_>,
    error: bool,
) -> egui::Response {
    let id = field_id(field.name);
    let outcome = match value {
        ConfigValueMut::Count(v) => number_field_ui(ui, id, v, error),
        ConfigValueMut::Small(v) => number_field_ui(ui, id, v, error),
        ConfigValueMut::Millis(v) => number_field_ui(ui, id, v, error),
        ConfigValueMut::Number(v) => number_field_ui(ui, id, v, error),
        ConfigValueMut::Switch(v) => return ui.checkbox(v, ""),
        ConfigValueMut::Stages(set) => return stages_ui(ui, set),
    };
    let mut response = outcome.response;
    if outcome.changed {
        response.mark_changed();
    }
    response
}

/// The first thing wrong with the run settings: an entry not taken, else
/// a value the engine refuses.
fn first_problem(ctx: &egui::Context, problems: &[ConfigError]) -> Option<String> {
    WaveConfig::FIELDS
        .iter()
        .find_map(|f| number_field::rejection(ctx, field_id(f.name)).map(|r| (f.name, r)))
        .or_else(|| problems.first().map(|p| (p.field, p.reason.clone())))
        .map(|(field, reason)| format!("{field}: {reason}"))
}

/// One checkbox per stage kind; the response says whether any changed.
fn stages_ui(ui: &mut Ui, set: &mut BTreeSet<WaveStage>) -> egui::Response {
    let inner = ui.horizontal_wrapped(|ui| {
        let mut changed = false;
        for kind in WaveStage::ALL {
            let mut on = set.contains(&kind);
            let text = RichText::new(kind.label()).color(theme::stage_color(kind));
            if ui.checkbox(&mut on, text).changed() {
                if on {
                    set.insert(kind);
                } else {
                    set.remove(&kind);
                }
                changed = true;
            }
        }
        changed
    });
    let mut response = inner.response;
    if inner.inner {
        response.mark_changed();
    }
    response
}

/// Draws the config editor, one row per `WaveConfig::FIELDS` entry (the
/// stage set last, below the grid); pushes `SetConfig` when a field changes.
/// `after` is called with each scalar field's name after its row_ui (inside
/// the grid: it may add a row of its own, as the tuning suggestion does).
pub fn config_ui_with(
    ui: &mut Ui,
    config: &WaveConfig,
    out: &mut Vec<Command>,
    after: &mut dyn FnMut(&str, &mut Ui, &mut Vec<Command>),
) {
    let problems = config.problems();
    let problem = first_problem(ui.ctx(), &problems);
    number_field::problem_block_ui(ui, problem.as_deref(), "Every value is valid.");
    let mut c = config.clone();
    let mut key = None;
    let (sets, scalars): (Vec<&ConfigField>, Vec<&ConfigField>) = WaveConfig::FIELDS
        .iter()
        .partition(|f| matches!(c.field_mut(f.name), Some(ConfigValueMut::Stages(_))));
    egui::Grid::new("config_grid")
        .num_columns(2)
        .spacing([8.0, 4.0])
        .striped(true)
        .show(ui, |ui| {
            for field in scalars {
                let problem = problems.iter().find(|p| p.field == field.name);
                if let Some(value) = c.field_mut(field.name)
                    && row_ui(ui, field, value, problem)
                {
                    key = Some(field.name);
                }
                after(field.name, ui, out);
            }
        });
    for field in sets {
        ui.label(RichText::new(field.name).strong())
            .on_hover_text(field.help());
        if let Some(value) = c.field_mut(field.name)
            && editor_ui(ui, field, value, false).changed()
        {
            key = Some(field.name);
        }
    }
    if let Some(field) = key {
        out.push(Command::SetConfig {
            config: c,
            key: format!("config.{field}"),
        });
    }
}
