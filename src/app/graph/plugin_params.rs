//! A plugin node's parameters in the inspector: one typed widget per
//! parameter of its manifest (number in range, whole number, switch, text,
//! choice), with the manifest's help as the tooltip. A value left at its
//! default is kept out of the pipeline file.

use std::collections::BTreeMap;

use egui::{RichText, Ui};
use serde_json::Value;

use crate::app::theme;
use crate::pipeline::plugin::{Installed, ParamKind, ParamSpec};

/// The rows of plugin `name`'s parameters; returns whether any changed.
/// A plugin that is not installed shows why instead.
pub fn plugin_params_ui(
    ui: &mut Ui,
    installed: &Installed,
    name: &str,
    params: &mut BTreeMap<String, Value>,
) -> bool {
    let Some(plugin) = installed.get(name) else {
        ui.label("plugin");
        ui.label(RichText::new(format!("⚠ {}", installed.why_missing(name))).color(theme::ERROR));
        ui.end_row();
        return false;
    };
    ui.label("command");
    ui.label(RichText::new(plugin.command_line()).monospace().weak())
        .on_hover_text(plugin.dir.display().to_string());
    ui.end_row();
    let mut changed = false;
    for spec in &plugin.manifest.params {
        changed |= param_row_ui(ui, spec, params);
    }
    changed
}

/// One parameter's row.
fn param_row_ui(ui: &mut Ui, spec: &ParamSpec, params: &mut BTreeMap<String, Value>) -> bool {
    ui.label(spec.name.as_str())
        .on_hover_text(spec.help.as_str());
    let current = params.get(&spec.name);
    let new = match &spec.kind {
        ParamKind::Float { min, max, default } => {
            let mut v = current.and_then(Value::as_f64).unwrap_or(*default);
            let speed = ((max - min) / 200.0).max(1e-6);
            let drag = egui::DragValue::new(&mut v).range(*min..=*max).speed(speed);
            ui.add(drag)
                .changed()
                .then(|| (Value::from(v), v == *default))
        }
        ParamKind::Int { min, max, default } => {
            let mut v = current.and_then(Value::as_i64).unwrap_or(*default);
            let drag = egui::DragValue::new(&mut v).range(*min..=*max);
            ui.add(drag)
                .changed()
                .then(|| (Value::from(v), v == *default))
        }
        ParamKind::Bool { default } => {
            let mut v = current.and_then(Value::as_bool).unwrap_or(*default);
            ui.checkbox(&mut v, "")
                .changed()
                .then(|| (Value::from(v), v == *default))
        }
        ParamKind::Text { default } => {
            let mut v = current
                .and_then(Value::as_str)
                .unwrap_or(default)
                .to_string();
            ui.text_edit_singleline(&mut v)
                .changed()
                .then(|| (Value::from(v.as_str()), v == *default))
        }
        ParamKind::Choice { options, default } => {
            let chosen = current
                .and_then(Value::as_str)
                .unwrap_or(default)
                .to_string();
            let mut picked = None;
            egui::ComboBox::from_id_salt(("plugin_param", &spec.name))
                .selected_text(chosen.as_str())
                .show_ui(ui, |ui| {
                    for o in options {
                        if ui.selectable_label(*o == chosen, o.as_str()).clicked() && *o != chosen {
                            picked = Some((Value::from(o.as_str()), o == default));
                        }
                    }
                });
            picked
        }
    };
    ui.end_row();
    match new {
        Some((_, true)) => params.remove(&spec.name).is_some(),
        Some((value, false)) => {
            params.insert(spec.name.clone(), value);
            true
        }
        None => false,
    }
}
