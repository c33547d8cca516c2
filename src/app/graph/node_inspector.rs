//! The inspector's node editor: the selected node's name, kind, operation
//! and parameters, refinement flag, overrides and dependencies.

use egui::{RichText, Ui};

use crate::app::command::Command;
use crate::app::number_field::{self, number_field_ui};
use crate::app::theme;
use crate::orchestrator::WaveStage;
use serde_json::Value;

use crate::pipeline::{Operation, ParamInfo, ParamType, PipelineDocument, PipelineNode};

/// Draws the selected node's editor.
pub fn node_ui(ui: &mut Ui, doc: &PipelineDocument, id: &str, out: &mut Vec<Command>) {
    let Some(node) = doc.node(id) else {
        ui.label("No node selected");
        return;
    };
    let mut n = node.clone();
    ui.horizontal(|ui| {
        ui.label(RichText::new(format!("`{}`", n.id)).monospace());
        if ui.small_button("Duplicate").clicked() {
            out.push(Command::DuplicateNode(n.id.to_string()));
        }
        if ui.small_button("Delete").clicked() {
            out.push(Command::RemoveNode(n.id.to_string()));
        }
    });
    let key = egui::Grid::new("node_grid")
        .num_columns(2)
        .spacing([8.0, 4.0])
        .show(ui, |ui| fields_ui(ui, &mut n))
        .inner;
    // An entry not taken, else a parameter the operation refuses; in a
    // block of constant height, so nothing below moves.
    let labels = n.operation.params().iter().map(|p| p.label());
    let problem = labels
        .chain(OVERRIDE_FIELDS.map(String::from))
        .find_map(|name| {
            number_field::rejection(ui.ctx(), param_id(&name)).map(|r| format!("{name}: {r}"))
        })
        .or_else(|| {
            (n.operation.problems().into_iter())
                .next()
                .map(|(param, reason)| format!("{param}: {reason}"))
        });
    number_field::problem_block_ui(ui, problem.as_deref(), "");
    ui.add(egui::Label::new(RichText::new(n.operation.info().summary).weak()).wrap());
    ui.separator();
    dependencies_ui(ui, doc, &n.id, out);
    if let Some(k) = key {
        out.push(Command::SetNode {
            key: format!("node.{}.{k}", n.id),
            node: n,
        });
    }
}

/// Width of the node's name field, in points (never wider from its text).
const NAME_WIDTH: f32 = 140.0;

/// The number fields of the node editor besides the operation's own
/// parameters, by the name on their row.
const OVERRIDE_FIELDS: [&str; 3] = ["timeout override", "retries override", "parallel override"];

/// The number field on the row named `name`.
fn param_id(name: &str) -> egui::Id {
    egui::Id::new(("node_param", name))
}

/// The node's grid rows; returns what changed last (the undo-merge key).
fn fields_ui(ui: &mut Ui, n: &mut PipelineNode) -> Option<&'static str> {
    let mut key = None;
    let l = ui.label("name");
    let field = egui::TextEdit::singleline(&mut n.name).desired_width(NAME_WIDTH);
    if ui.add(field).labelled_by(l.id).changed() {
        key = Some("name");
    }
    ui.end_row();
    ui.label("kind");
    egui::ComboBox::from_id_salt("node_kind")
        .selected_text(RichText::new(n.kind.label()).color(theme::stage_color(n.kind)))
        .show_ui(ui, |ui| {
            for kind in WaveStage::ALL {
                if ui
                    .selectable_value(&mut n.kind, kind, kind.label())
                    .changed()
                {
                    key = Some("kind");
                }
            }
        });
    ui.end_row();
    ui.label("operation");
    egui::ComboBox::from_id_salt("node_op")
        .selected_text(match &n.operation {
            Operation::Plugin { name, .. } => format!("plugin: {name}"),
            op => op.info().name.to_string(),
        })
        .show_ui(ui, |ui| {
            for op in Operation::catalog() {
                let same = op.info().name == n.operation.info().name;
                if ui.selectable_label(same, op.label()).clicked() && !same {
                    n.operation = op;
                    key = Some("operation");
                }
            }
            // The installed plugins, after the built-in operations.
            let installed = crate::app::plugins::current(ui.ctx());
            for name in installed.plugins.keys() {
                let same = matches!(&n.operation, Operation::Plugin { name: m, .. } if m == name);
                if ui
                    .selectable_label(same, format!("plugin: {name}"))
                    .clicked()
                    && !same
                {
                    n.operation = Operation::Plugin {
                        name: name.clone(),
                        params: Default::default(),
                    };
                    key = Some("operation");
                }
            }
        });
    ui.end_row();
    if params_ui(ui, &mut n.operation) {
        key = Some("params");
    }
    let l = ui.label("refinement").on_hover_text(
        "Skipped by early termination once an earlier stage reaches quality_threshold.",
    );
    if ui
        .checkbox(&mut n.refinement, "")
        .labelled_by(l.id)
        .changed()
    {
        key = Some("refinement");
    }
    ui.end_row();
    if overrides_ui(ui, n) {
        key = Some("overrides");
    }
    key
}

/// The operation's parameters, one grid row each, drawn from the
/// operation's parameter table; returns whether any changed. (`|` rather
/// than `||`, so every row is drawn.)
fn params_ui(ui: &mut Ui, op: &mut Operation) -> bool {
    if let Operation::Plugin { name, params } = op {
        let installed = crate::app::plugins::current(ui.ctx());
        return crate::app::graph::plugin_params::plugin_params_ui(ui, &installed, name, params);
    }
    let Some(mut values) = op.param_values() else {
        return false;
    };
    let mut changed = false;
    for param in op.params() {
        if let Some(value) = values.get_mut(param.name) {
            changed |= param_ui(ui, param, value);
        }
    }
    if changed && let Some(edited) = op.with_param_values(values) {
        *op = edited;
    }
    changed
}

/// One parameter's row: its label (help on hover), editor and unit.
fn param_ui(ui: &mut Ui, param: &ParamInfo, value: &mut Value) -> bool {
    let name = param.label();
    let label = ui.label(&name).on_hover_text(param.help);
    let changed = ui
        .horizontal(|ui| {
            let (response, changed) = match param.kind {
                ParamType::Number { .. } => {
                    let mut v = value.as_f64().unwrap_or_default();
                    let o = number_field_ui(ui, param_id(&name), &mut v, false);
                    *value = Value::from(v);
                    (o.response, o.changed)
                }
                ParamType::Count(_) => {
                    let mut v = value.as_u64().unwrap_or_default();
                    let o = number_field_ui(ui, param_id(&name), &mut v, false);
                    *value = Value::from(v);
                    (o.response, o.changed)
                }
                ParamType::Switch(text) => {
                    let mut v = value.as_bool().unwrap_or_default();
                    let r = ui.checkbox(&mut v, text);
                    *value = Value::from(v);
                    let changed = r.changed();
                    (r, changed)
                }
                ParamType::Choice(options) => choice_ui(ui, param.name, options, value),
            };
            response.labelled_by(label.id).on_hover_text(param.help);
            if !param.unit.is_empty() {
                ui.label(RichText::new(param.unit).weak());
            }
            changed
        })
        .inner;
    ui.end_row();
    changed
}

/// A drop-down of `options` (words) for the parameter `name`.
fn choice_ui(
    ui: &mut Ui,
    name: &str,
    options: &[&str],
    value: &mut Value,
) -> (egui::Response, bool) {
    let current = value.as_str().unwrap_or_default().to_string();
    let mut changed = false;
    let r = egui::ComboBox::from_id_salt(("node_param_choice", name))
        .selected_text(&current)
        .show_ui(ui, |ui| {
            for &option in options {
                if ui.selectable_label(current == option, option).clicked() && current != option {
                    *value = Value::from(option);
                    changed = true;
                }
            }
        });
    (r.response, changed)
}

fn overrides_ui(ui: &mut Ui, n: &mut PipelineNode) -> bool {
    let mut changed = false;
    let o = &mut n.overrides;
    ui.label("timeout override")
        .on_hover_text("Replaces stage_timeout_seconds for this node.");
    changed |= optional_ui(ui, "timeout override", &mut o.timeout_seconds, 300.0, "s");
    ui.end_row();
    ui.label("retries override")
        .on_hover_text("Replaces max_retries_per_stage for this node.");
    changed |= optional_ui(ui, "retries override", &mut o.max_retries, 2, "retries");
    ui.end_row();
    ui.label("parallel override")
        .on_hover_text("Replaces max_parallel_items_per_stage for this node.");
    changed |= optional_ui(ui, "parallel override", &mut o.max_parallel, 4, "waves");
    ui.end_row();
    changed
}

fn optional_ui<T: egui::emath::Numeric>(
    ui: &mut Ui,
    name: &str,
    value: &mut Option<T>,
    default: T,
    unit: &str,
) -> bool {
    ui.horizontal(|ui| {
        let mut on = value.is_some();
        let mut changed = ui.checkbox(&mut on, "").changed();
        if changed {
            *value = on.then_some(default);
        }
        if let Some(v) = value.as_mut() {
            changed |= number_field_ui(ui, param_id(name), v, false).changed;
            ui.label(RichText::new(unit).weak());
        } else {
            ui.label(RichText::new("from config").weak());
        }
        changed
    })
    .inner
}

fn dependencies_ui(ui: &mut Ui, doc: &PipelineDocument, id: &str, out: &mut Vec<Command>) {
    ui.label(RichText::new("Runs after").strong());
    let deps: Vec<&str> = doc.dependencies(id).collect();
    if deps.is_empty() {
        ui.label(RichText::new("nothing (a root)").weak());
    }
    for dep in &deps {
        ui.horizontal(|ui| {
            if ui
                .small_button("×")
                .on_hover_text("Remove this dependency")
                .clicked()
            {
                out.push(Command::Disconnect {
                    from: dep.to_string(),
                    to: id.to_string(),
                });
            }
            ui.label(*dep);
        });
    }
    ui.menu_button("Add dependency…", |ui| {
        for other in doc.nodes.iter().filter(|n| n.id != id) {
            if deps.contains(&other.id.as_str()) {
                continue;
            }
            if ui
                .button(format!("{} ({})", other.name, other.id))
                .clicked()
            {
                out.push(Command::Connect {
                    from: other.id.to_string(),
                    to: id.to_string(),
                });
                ui.close();
            }
        }
    });
}
