//! The inspector (right panel): every `WaveConfig` field with its unit, a
//! tooltip and inline validation; the selected node's operation,
//! parameters, refinement flag, overrides and dependencies.

use egui::{RichText, Ui};

use super::commands::Command;
use super::theme;
use crate::orchestrator::{ConfigError, WaveConfig, WaveStage};
use crate::pipeline::{KeyNotation, KeyProfileChoice, Operation, PipelineDocument, PipelineNode};

/// Meaning of each field (DESIGN §2 and `WaveConfig`'s docs), for tooltips.
fn tip(field: &str) -> &'static str {
    match field {
        "enabled_stages" => {
            "Nodes of other kinds are skipped; a skipped dependency counts as satisfied."
        }
        "max_parallel_items_per_stage" => {
            "At most this many waves inside any one stage node at once (a limit per node shared by all waves)."
        }
        "stage_timeout_seconds" => {
            "Bound on each attempt; on expiry the attempt is cancelled and counts as a failed attempt (timeout)."
        }
        "max_retries_per_stage" => {
            "A failed attempt is retried up to this many more times, with exponential backoff; permanent errors are not retried."
        }
        "inter_stage_delay_ms" => {
            "Pause between a stage finishing and its dependents starting, within a wave, holding no concurrency slot."
        }
        "memory_threshold_mb" => {
            "While process memory (RSS) is above it, no new stage attempt is admitted unless its stage has nothing running."
        }
        "cpu_threshold_percent" => {
            "With adaptive scaling, system CPU above it halves the effective per-stage concurrency (not below 1); below it, concurrency grows by 1."
        }
        "adaptive_scaling" => "Turns the CPU governor on; off means fixed concurrency.",
        "min_success_rate_per_stage" => {
            "Once a stage has finished enough items, a success rate below this stops admitting new waves; running waves finish."
        }
        "allow_partial_results" => {
            "On: a failed stage skips its dependents and the wave goes on (partial). Off: the wave fails at once."
        }
        "progressive_mode" => {
            "On: stages see all earlier results and may publish intermediate estimates."
        }
        "early_termination_on_quality" => {
            "When a finished stage reports quality ≥ quality_threshold, the remaining refinement nodes are skipped."
        }
        "quality_threshold" => "Quality at which early termination skips the refinement nodes.",
        "max_concurrent_waves" => "At most this many waves (files) of one batch run at once.",
        "retry_backoff_base_ms" => "First retry delay; attempt k waits base × 2^k, capped.",
        "retry_backoff_max_ms" => "Cap on the retry delay.",
        "retry_jitter" => {
            "Jitter as a fraction of the delay: the delay is shortened by up to this fraction."
        }
        "min_samples_for_success_rate" => {
            "Items a stage must finish in a batch before its success rate counts."
        }
        "resource_sample_interval_ms" => "How often CPU and memory are sampled.",
        "cpu_workers" => "Threads for CPU-bound handlers; 0 means one per core.",
        _ => "",
    }
}

/// A field's row: name (with tooltip), editor, unit; the problem below.
fn row(
    ui: &mut Ui,
    field: &'static str,
    unit: &str,
    problems: &[ConfigError],
    editor: impl FnOnce(&mut Ui) -> egui::Response,
) -> bool {
    let problem = problems.iter().find(|p| p.field == field);
    let name = if problem.is_some() {
        RichText::new(field).color(theme::ERROR)
    } else {
        RichText::new(field)
    };
    let label = ui.label(name).on_hover_text(tip(field));
    let changed = ui
        .horizontal(|ui| {
            let r = editor(ui).labelled_by(label.id).on_hover_text(tip(field));
            if !unit.is_empty() {
                ui.label(RichText::new(unit).weak());
            }
            r.changed()
        })
        .inner;
    ui.end_row();
    if let Some(p) = problem {
        ui.label("");
        ui.label(
            RichText::new(format!("⚠ {}", p.reason))
                .color(theme::ERROR)
                .small(),
        );
        ui.end_row();
    }
    changed
}

/// Draws the config editor; pushes `SetConfig` when a field changes.
pub fn config_ui(ui: &mut Ui, config: &WaveConfig, out: &mut Vec<Command>) {
    let problems = config.problems();
    let mut c = config.clone();
    let mut key = None;
    let mark = |changed: bool, field: &'static str, key: &mut Option<&'static str>| {
        if changed {
            *key = Some(field);
        }
    };
    egui::Grid::new("config_grid")
        .num_columns(2)
        .spacing([8.0, 4.0])
        .striped(true)
        .show(ui, |ui| {
            let f = "max_concurrent_waves";
            mark(
                row(ui, f, "files", &problems, |ui| {
                    ui.add(egui::DragValue::new(&mut c.max_concurrent_waves))
                }),
                f,
                &mut key,
            );
            let f = "max_parallel_items_per_stage";
            mark(
                row(ui, f, "waves", &problems, |ui| {
                    ui.add(egui::DragValue::new(&mut c.max_parallel_items_per_stage))
                }),
                f,
                &mut key,
            );
            let f = "stage_timeout_seconds";
            mark(
                row(ui, f, "s", &problems, |ui| {
                    ui.add(egui::DragValue::new(&mut c.stage_timeout_seconds).speed(1.0))
                }),
                f,
                &mut key,
            );
            let f = "max_retries_per_stage";
            mark(
                row(ui, f, "retries", &problems, |ui| {
                    ui.add(egui::DragValue::new(&mut c.max_retries_per_stage))
                }),
                f,
                &mut key,
            );
            let f = "inter_stage_delay_ms";
            mark(
                row(ui, f, "ms", &problems, |ui| {
                    ui.add(egui::DragValue::new(&mut c.inter_stage_delay_ms))
                }),
                f,
                &mut key,
            );
            let f = "memory_threshold_mb";
            mark(
                row(ui, f, "MB", &problems, |ui| {
                    ui.add(egui::DragValue::new(&mut c.memory_threshold_mb).speed(10.0))
                }),
                f,
                &mut key,
            );
            let f = "cpu_threshold_percent";
            mark(
                row(ui, f, "%", &problems, |ui| {
                    ui.add(egui::DragValue::new(&mut c.cpu_threshold_percent).speed(0.5))
                }),
                f,
                &mut key,
            );
            let f = "adaptive_scaling";
            mark(
                row(ui, f, "", &problems, |ui| {
                    ui.checkbox(&mut c.adaptive_scaling, "")
                }),
                f,
                &mut key,
            );
            let f = "min_success_rate_per_stage";
            mark(
                row(ui, f, "0..1", &problems, |ui| {
                    ui.add(egui::DragValue::new(&mut c.min_success_rate_per_stage).speed(0.01))
                }),
                f,
                &mut key,
            );
            let f = "min_samples_for_success_rate";
            mark(
                row(ui, f, "items", &problems, |ui| {
                    ui.add(egui::DragValue::new(&mut c.min_samples_for_success_rate))
                }),
                f,
                &mut key,
            );
            let f = "allow_partial_results";
            mark(
                row(ui, f, "", &problems, |ui| {
                    ui.checkbox(&mut c.allow_partial_results, "")
                }),
                f,
                &mut key,
            );
            let f = "progressive_mode";
            mark(
                row(ui, f, "", &problems, |ui| {
                    ui.checkbox(&mut c.progressive_mode, "")
                }),
                f,
                &mut key,
            );
            let f = "early_termination_on_quality";
            mark(
                row(ui, f, "", &problems, |ui| {
                    ui.checkbox(&mut c.early_termination_on_quality, "")
                }),
                f,
                &mut key,
            );
            let f = "quality_threshold";
            mark(
                row(ui, f, "0..1", &problems, |ui| {
                    ui.add(egui::DragValue::new(&mut c.quality_threshold).speed(0.01))
                }),
                f,
                &mut key,
            );
            let f = "retry_backoff_base_ms";
            mark(
                row(ui, f, "ms", &problems, |ui| {
                    ui.add(egui::DragValue::new(&mut c.retry_backoff_base_ms).speed(10.0))
                }),
                f,
                &mut key,
            );
            let f = "retry_backoff_max_ms";
            mark(
                row(ui, f, "ms", &problems, |ui| {
                    ui.add(egui::DragValue::new(&mut c.retry_backoff_max_ms).speed(100.0))
                }),
                f,
                &mut key,
            );
            let f = "retry_jitter";
            mark(
                row(ui, f, "0..1", &problems, |ui| {
                    ui.add(egui::DragValue::new(&mut c.retry_jitter).speed(0.01))
                }),
                f,
                &mut key,
            );
            let f = "resource_sample_interval_ms";
            mark(
                row(ui, f, "ms", &problems, |ui| {
                    ui.add(egui::DragValue::new(&mut c.resource_sample_interval_ms).speed(10.0))
                }),
                f,
                &mut key,
            );
            let f = "cpu_workers";
            mark(
                row(ui, f, "threads", &problems, |ui| {
                    ui.add(egui::DragValue::new(&mut c.cpu_workers))
                }),
                f,
                &mut key,
            );
        });
    ui.label(RichText::new("enabled_stages").strong())
        .on_hover_text(tip("enabled_stages"));
    ui.horizontal_wrapped(|ui| {
        for kind in WaveStage::ALL {
            let mut on = c.enabled_stages.contains(&kind);
            let text = RichText::new(kind.label()).color(theme::stage_color(kind));
            if ui.checkbox(&mut on, text).changed() {
                if on {
                    c.enabled_stages.insert(kind);
                } else {
                    c.enabled_stages.remove(&kind);
                }
                key = Some("enabled_stages");
            }
        }
    });
    if let Some(field) = key {
        out.push(Command::SetConfig {
            config: c,
            key: format!("config.{field}"),
        });
    }
}

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
        } => {
            num(ui, "silence_dbfs", silence_dbfs, 0.5, "dBFS");
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
                        KeyProfileChoice::Shaath,
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
