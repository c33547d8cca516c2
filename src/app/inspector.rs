//! The inspector's run settings: every `WaveConfig` field with its unit, a
//! tooltip and inline validation. (The selected node's editor is in
//! `node_inspector.rs`.)

use egui::{RichText, Ui};

use super::commands::Command;
use super::theme;
use crate::orchestrator::{ConfigError, WaveConfig, WaveStage};

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
