//! The inspector's run settings: every `WaveConfig` field with its unit, its
//! doc comment as tooltip (`WaveConfig::FIELDS`) and inline validation. (The selected node's editor is in
//! `node_inspector.rs`.)

use std::collections::BTreeSet;

use egui::{RichText, Ui};

use super::commands::Command;
use super::theme;
use crate::orchestrator::{ConfigError, ConfigField, ConfigValueMut, WaveConfig, WaveStage};

/// A field's row: name (with its doc as tooltip), editor, unit; the
/// problem below. Returns whether the value changed.
fn row(
    ui: &mut Ui,
    field: &ConfigField,
    value: ConfigValueMut<'_>,
    problem: Option<&ConfigError>,
) -> bool {
    let name = if problem.is_some() {
        RichText::new(field.name).color(theme::ERROR)
    } else {
        RichText::new(field.name)
    };
    let label = ui.label(name).on_hover_text(field.help());
    let changed = ui
        .horizontal(|ui| {
            let r = editor(ui, field, value)
                .labelled_by(label.id)
                .on_hover_text(field.help());
            let unit = match (field.unit, field.range) {
                ("", Some((lo, hi))) => format!("{lo}..{hi}"),
                (unit, _) => unit.to_string(),
            };
            if !unit.is_empty() {
                ui.label(RichText::new(unit).weak());
            }
            r.changed()
        })
        .inner;
    ui.end_row();
    if let Some(p) = problem {
        ui.label("");
        // Wrapped, so a long reason never widens the inspector.
        ui.add(
            egui::Label::new(
                RichText::new(format!("⚠ {}", p.reason))
                    .color(theme::ERROR)
                    .small(),
            )
            .wrap(),
        );
        ui.end_row();
    }
    changed
}

/// The editor widget for one value.
fn editor(ui: &mut Ui, field: &ConfigField, value: ConfigValueMut<'_>) -> egui::Response {
    // Typed values commit on Enter or focus loss: committing each keystroke
    // re-validates mid-edit (−5 → "3" clears the error row), the layout
    // shifts and the field loses its focus and the digits after.
    let drag = |ui: &mut Ui, v: egui::DragValue<'_>| {
        ui.add(v.speed(field.step).update_while_editing(false))
    };
    match value {
        ConfigValueMut::Count(v) => drag(ui, egui::DragValue::new(v)),
        ConfigValueMut::Small(v) => drag(ui, egui::DragValue::new(v)),
        ConfigValueMut::Millis(v) => drag(ui, egui::DragValue::new(v)),
        ConfigValueMut::Number(v) => drag(ui, egui::DragValue::new(v)),
        ConfigValueMut::Switch(v) => ui.checkbox(v, ""),
        ConfigValueMut::Stages(set) => stages_editor(ui, set),
    }
}

/// One checkbox per stage kind; the response says whether any changed.
fn stages_editor(ui: &mut Ui, set: &mut BTreeSet<WaveStage>) -> egui::Response {
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
/// `after` is called with each scalar field's name after its row (inside
/// the grid: it may add a row of its own, as the tuning suggestion does).
pub fn config_ui_with(
    ui: &mut Ui,
    config: &WaveConfig,
    out: &mut Vec<Command>,
    after: &mut dyn FnMut(&str, &mut Ui, &mut Vec<Command>),
) {
    let problems = config.problems();
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
                    && row(ui, field, value, problem)
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
            && editor(ui, field, value).changed()
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
