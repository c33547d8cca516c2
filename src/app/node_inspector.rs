//! The inspector's node editor: the selected node's name, kind, operation
//! and parameters, refinement flag, overrides and dependencies.

use egui::{RichText, Ui};

use super::commands::Command;
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
    let mut key: Option<String> = None;
    ui.horizontal(|ui| {
        ui.label(RichText::new(format!("`{}`", n.id)).monospace());
        if ui.small_button("Duplicate").clicked() {
            out.push(Command::DuplicateNode(n.id.clone()));
        }
        if ui.small_button("Delete").clicked() {
            out.push(Command::RemoveNode(n.id.clone()));
        }
    });
    egui::Grid::new("node_grid")
        .num_columns(2)
        .spacing([8.0, 4.0])
        .show(ui, |ui| {
            let l = ui.label("name");
            if ui
                .text_edit_singleline(&mut n.name)
                .labelled_by(l.id)
                .changed()
            {
                key = Some("name".into());
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
                            key = Some("kind".into());
                        }
                    }
                });
            ui.end_row();
            ui.label("operation");
            egui::ComboBox::from_id_salt("node_op")
                .selected_text(n.operation.info().name)
                .show_ui(ui, |ui| {
                    for op in Operation::catalog() {
                        let same = op.info().name == n.operation.info().name;
                        if ui.selectable_label(same, op.label()).clicked() && !same {
                            n.operation = op;
                            key = Some("operation".into());
                        }
                    }
                });
            ui.end_row();
            if params_ui(ui, &mut n.operation) {
                key = Some("params".into());
            }
            let l = ui.label("refinement").on_hover_text(
                "Skipped by early termination once an earlier stage reaches quality_threshold.",
            );
            if ui
                .checkbox(&mut n.refinement, "")
                .labelled_by(l.id)
                .changed()
            {
                key = Some("refinement".into());
            }
            ui.end_row();
            if overrides_ui(ui, &mut n) {
                key = Some("overrides".into());
            }
        });
    for (param, reason) in n.operation.problems() {
        ui.label(
            RichText::new(format!("⚠ {param}: {reason}"))
                .color(theme::ERROR)
                .small(),
        );
    }
    ui.label(RichText::new(n.operation.info().summary).weak().small());
    ui.separator();
    dependencies_ui(ui, doc, &n.id, out);
    if let Some(k) = key {
        out.push(Command::SetNode {
            key: format!("node.{}.{k}", n.id),
            node: n,
        });
    }
}

fn params_ui(ui: &mut Ui, op: &mut Operation) -> bool {
    let mut changed = false;
    let mut num = |ui: &mut Ui, name: &str, v: &mut f64, speed: f64, unit: &str| {
        ui.label(name);
        ui.horizontal(|ui| {
            changed |= ui.add(egui::DragValue::new(v).speed(speed)).changed();
            ui.label(RichText::new(unit).weak());
        });
        ui.end_row();
    };
    match op {
        Operation::Decode {
            silence_dbfs,
            true_peak,
            excerpt_s,
        } => {
            num(ui, "silence_dbfs", silence_dbfs, 0.5, "dBFS");
            num(ui, "excerpt_s (0 = whole file)", excerpt_s, 1.0, "s");
            ui.label("true_peak");
            changed |= ui.checkbox(true_peak, "").changed();
            ui.end_row();
        }
        Operation::Tempo {
            refine,
            min_bpm,
            max_bpm,
        } => {
            num(ui, "min_bpm", min_bpm, 0.5, "BPM");
            num(ui, "max_bpm", max_bpm, 0.5, "BPM");
            ui.label("refine");
            changed |= ui.checkbox(refine, "beat tracking").changed();
            ui.end_row();
        }
        Operation::Key { refine, profile } => {
            ui.label("profile");
            egui::ComboBox::from_id_salt("key_profile")
                .selected_text(format!("{profile:?}"))
                .show_ui(ui, |ui| {
                    for p in [
                        KeyProfileChoice::Auto,
                        KeyProfileChoice::Krumhansl,
                        KeyProfileChoice::Temperley,
                    ] {
                        changed |= ui.selectable_value(profile, p, format!("{p:?}")).changed();
                    }
                });
            ui.end_row();
            ui.label("refine");
            changed |= ui.checkbox(refine, "all profiles").changed();
            ui.end_row();
        }
        Operation::Notation {
            key_notation,
            bpm_decimals,
        } => {
            ui.label("key_notation");
            egui::ComboBox::from_id_salt("key_notation")
                .selected_text(format!("{key_notation:?}"))
                .show_ui(ui, |ui| {
                    for k in [
                        KeyNotation::Camelot,
                        KeyNotation::Standard,
                        KeyNotation::OpenKey,
                    ] {
                        changed |= ui
                            .selectable_value(key_notation, k, format!("{k:?}"))
                            .changed();
                    }
                });
            ui.end_row();
            ui.label("bpm_decimals");
            changed |= ui.add(egui::DragValue::new(bpm_decimals)).changed();
            ui.end_row();
        }
        Operation::LoudnessGate {
            target_lufs,
            tolerance_lu,
            max_true_peak_dbtp,
            fail_on_violation,
        } => {
            num(ui, "target_lufs", target_lufs, 0.1, "LUFS");
            num(ui, "tolerance_lu", tolerance_lu, 0.1, "LU");
            num(ui, "max_true_peak_dbtp", max_true_peak_dbtp, 0.1, "dBTP");
            ui.label("fail_on_violation");
            changed |= ui.checkbox(fail_on_violation, "").changed();
            ui.end_row();
        }
        Operation::Probe
        | Operation::Spectral
        | Operation::Confidence
        | Operation::Aggregate
        | Operation::Write => {}
    }
    changed
}

fn overrides_ui(ui: &mut Ui, n: &mut PipelineNode) -> bool {
    let mut changed = false;
    let o = &mut n.overrides;
    ui.label("timeout override")
        .on_hover_text("Replaces stage_timeout_seconds for this node.");
    changed |= optional(ui, &mut o.timeout_seconds, 300.0, "s");
    ui.end_row();
    ui.label("retries override")
        .on_hover_text("Replaces max_retries_per_stage for this node.");
    changed |= optional(ui, &mut o.max_retries, 2, "retries");
    ui.end_row();
    ui.label("parallel override")
        .on_hover_text("Replaces max_parallel_items_per_stage for this node.");
    changed |= optional(ui, &mut o.max_parallel, 4, "waves");
    ui.end_row();
    changed
}

fn optional<T: egui::emath::Numeric>(
    ui: &mut Ui,
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
            changed |= ui.add(egui::DragValue::new(v)).changed();
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
