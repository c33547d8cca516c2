//! The inspector's node editor: the selected node's name, kind, operation
//! and parameters, refinement flag, overrides and dependencies.

use egui::{RichText, Ui};

use super::commands::Command;
use super::number_field::{self, number_field};
use super::theme;
use crate::orchestrator::WaveStage;
use crate::pipeline::{KeyNotation, KeyProfileChoice, Operation, PipelineDocument, PipelineNode};

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
            out.push(Command::DuplicateNode(n.id.clone()));
        }
        if ui.small_button("Delete").clicked() {
            out.push(Command::RemoveNode(n.id.clone()));
        }
    });
    let key = egui::Grid::new("node_grid")
        .num_columns(2)
        .spacing([8.0, 4.0])
        .show(ui, |ui| fields_ui(ui, &mut n))
        .inner;
    // An entry not taken, else a parameter the operation refuses; in a
    // block of constant height, so nothing below moves.
    let problem = NUMBER_FIELDS
        .iter()
        .find_map(|name| {
            number_field::rejection(ui.ctx(), param_id(name)).map(|r| format!("{name}: {r}"))
        })
        .or_else(|| {
            (n.operation.problems().into_iter())
                .next()
                .map(|(param, reason)| format!("{param}: {reason}"))
        });
    number_field::problem_block(ui, problem.as_deref(), "");
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

/// The number fields of the node editor, by the name on their row.
const NUMBER_FIELDS: [&str; 11] = [
    "silence_dbfs",
    "excerpt_s (0 = whole file)",
    "min_bpm",
    "max_bpm",
    "bpm_decimals",
    "target_lufs",
    "tolerance_lu",
    "max_true_peak_dbtp",
    "timeout override",
    "retries override",
    "parallel override",
];

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
            let installed = super::plugins::current(ui.ctx());
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

/// The operation's parameters, one grid row each; returns whether any
/// changed. (`|` rather than `||`, so every row is drawn.)
fn params_ui(ui: &mut Ui, op: &mut Operation) -> bool {
    match op {
        Operation::Decode {
            silence_dbfs,
            true_peak,
            excerpt_s,
        } => {
            number(ui, "silence_dbfs", silence_dbfs, "dBFS")
                | number(ui, "excerpt_s (0 = whole file)", excerpt_s, "s")
                | switch(ui, "true_peak", true_peak, "")
        }
        Operation::Tempo {
            refine,
            min_bpm,
            max_bpm,
        } => {
            number(ui, "min_bpm", min_bpm, "BPM")
                | number(ui, "max_bpm", max_bpm, "BPM")
                | switch(ui, "refine", refine, "beat tracking")
        }
        Operation::Key { refine, profile } => {
            let profiles = [
                KeyProfileChoice::Auto,
                KeyProfileChoice::Krumhansl,
                KeyProfileChoice::Temperley,
            ];
            choice(ui, "profile", "key_profile", profile, &profiles)
                | switch(ui, "refine", refine, "all profiles")
        }
        Operation::Notation {
            key_notation,
            bpm_decimals,
        } => {
            let notations = [
                KeyNotation::Camelot,
                KeyNotation::Standard,
                KeyNotation::OpenKey,
            ];
            let changed = choice(ui, "key_notation", "key_notation", key_notation, &notations);
            ui.label("bpm_decimals");
            let decimals = number_field(ui, param_id("bpm_decimals"), bpm_decimals, false).changed;
            ui.end_row();
            changed | decimals
        }
        Operation::LoudnessGate {
            target_lufs,
            tolerance_lu,
            max_true_peak_dbtp,
            fail_on_violation,
        } => {
            number(ui, "target_lufs", target_lufs, "LUFS")
                | number(ui, "tolerance_lu", tolerance_lu, "LU")
                | number(ui, "max_true_peak_dbtp", max_true_peak_dbtp, "dBTP")
                | switch(ui, "fail_on_violation", fail_on_violation, "")
        }
        Operation::Plugin { name, params } => {
            let installed = super::plugins::current(ui.ctx());
            super::plugin_params::plugin_params_ui(ui, &installed, name, params)
        }
        Operation::Probe
        | Operation::Spectral
        | Operation::Confidence
        | Operation::Aggregate
        | Operation::Write => false,
    }
}

/// A number row: name, field, unit.
fn number(ui: &mut Ui, name: &str, value: &mut f64, unit: &str) -> bool {
    let label = ui.label(name);
    let changed = ui
        .horizontal(|ui| {
            let outcome = number_field(ui, param_id(name), value, false);
            outcome.response.labelled_by(label.id);
            ui.label(RichText::new(unit).weak());
            outcome.changed
        })
        .inner;
    ui.end_row();
    changed
}

/// A checkbox row: name, checkbox with `text`.
fn switch(ui: &mut Ui, name: &str, value: &mut bool, text: &str) -> bool {
    ui.label(name);
    let changed = ui.checkbox(value, text).changed();
    ui.end_row();
    changed
}

/// A drop-down row: name, one entry per option (shown by its `Debug` name).
fn choice<T: PartialEq + Copy + std::fmt::Debug>(
    ui: &mut Ui,
    name: &str,
    id: &str,
    value: &mut T,
    options: &[T],
) -> bool {
    ui.label(name);
    let mut changed = false;
    egui::ComboBox::from_id_salt(id)
        .selected_text(format!("{value:?}"))
        .show_ui(ui, |ui| {
            for &option in options {
                changed |= ui
                    .selectable_value(value, option, format!("{option:?}"))
                    .changed();
            }
        });
    ui.end_row();
    changed
}

fn overrides_ui(ui: &mut Ui, n: &mut PipelineNode) -> bool {
    let mut changed = false;
    let o = &mut n.overrides;
    ui.label("timeout override")
        .on_hover_text("Replaces stage_timeout_seconds for this node.");
    changed |= optional(ui, "timeout override", &mut o.timeout_seconds, 300.0, "s");
    ui.end_row();
    ui.label("retries override")
        .on_hover_text("Replaces max_retries_per_stage for this node.");
    changed |= optional(ui, "retries override", &mut o.max_retries, 2, "retries");
    ui.end_row();
    ui.label("parallel override")
        .on_hover_text("Replaces max_parallel_items_per_stage for this node.");
    changed |= optional(ui, "parallel override", &mut o.max_parallel, 4, "waves");
    ui.end_row();
    changed
}

fn optional<T: egui::emath::Numeric>(
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
            changed |= number_field(ui, param_id(name), v, false).changed;
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
                    from: other.id.clone(),
                    to: id.to_string(),
                });
                ui.close();
            }
        }
    });
}
