//! The comparison window: A's and B's time per node side by side, their
//! quality distributions, and the files, disagreements first, each with
//! both values; a click on a file shows both whole records.

use egui::{Color32, RichText, Ui};
use egui_plot::{Bar, BarChart, Plot};
use serde_json::Value;

use crate::app::command::Command;
use crate::app::command::CompareCommand;
use crate::app::compare::state::CompareState;
use crate::app::run::charts::fmt_secs;
use crate::app::run::log_chart::{
    abbreviate, bar_chart, legend_ui, log_ms, log_time_plot, time_bar, time_text, with_row_names,
};
use crate::app::theme;
use crate::results::compare::{Comparison, FileComparison, NodeCost, SideCost};
use crate::run::FileResult;

/// B's colour beside A's accent.
const B_COLOR: Color32 = Color32::from_rgb(235, 140, 200);
const WINDOW_SIZE: [f32; 2] = [1000.0, 760.0];
const CHART_HEIGHT: f32 = 190.0;
const TABLE_HEIGHT: f32 = 220.0;
const RECORD_HEIGHT: f32 = 220.0;
/// Characters of a value shown in a record before it is cut.
const RECORD_CHARS: usize = 48;
/// A bar's width, and how far A's and B's bars sit from the node's mark.
const BAR_WIDTH: f64 = 0.38;
const BAR_OFFSET: f64 = 0.2;
/// The legend row above the time chart, in points.
const LEGEND_H: f32 = 18.0;
/// A node's row in the time chart, and the size of its times.
const ROW_HEIGHT: f32 = 30.0;
const TIME_TEXT: f32 = 12.0;
/// Room for node names left of the time chart.
const NAMES_WIDTH: f32 = 110.0;

fn push(out: &mut Vec<Command>, c: CompareCommand) {
    out.push(Command::Compare(c));
}

/// Draws the window when it is open, within `area`.
pub fn window_ui(
    ctx: &egui::Context,
    area: egui::Rect,
    state: &CompareState,
    out: &mut Vec<Command>,
) {
    if !state.open {
        return;
    }
    let mut open = true;
    // Below the menu bar, scrolling when it is taller than the window.
    egui::Window::new("Compare pipelines")
        .open(&mut open)
        .default_pos(area.left_top() + egui::vec2(8.0, 8.0))
        .default_size(WINDOW_SIZE)
        .constrain_to(area)
        .vscroll(true)
        .resizable(true)
        .show(ctx, |ui| {
            header_ui(ui, state, out);
            ui.separator();
            match &state.outcome {
                _ if state.is_running() => {}
                Some(Ok(c)) => comparison_ui(ui, c, state.selected, out),
                Some(Err(e)) => {
                    ui.label(RichText::new(e).color(theme::ERROR));
                }
                None => {
                    ui.label("Pick pipeline B to compare the current one with.");
                }
            }
        });
    if !open {
        push(out, CompareCommand::Close);
    }
}

fn header_ui(ui: &mut Ui, state: &CompareState, out: &mut Vec<Command>) {
    ui.horizontal_wrapped(|ui| {
        let b = state
            .path_b
            .as_ref()
            .map_or_else(|| "none yet".to_string(), |p| p.display().to_string());
        ui.label(format!("A: the current pipeline · B: {b}"));
        if let Some((done, total)) = state.progress() {
            ui.spinner();
            ui.label(format!("{done} / {total} results"));
            if ui.button("Cancel comparison").clicked() {
                push(out, CompareCommand::Cancel);
            }
        } else {
            if ui.button("Pick pipeline B…").clicked() {
                push(out, CompareCommand::Dialog);
            }
            if state.path_b.is_some() && ui.button("Compare again").clicked() {
                push(out, CompareCommand::Again);
            }
        }
    });
}

fn comparison_ui(ui: &mut Ui, c: &Comparison, selected: Option<usize>, out: &mut Vec<Command>) {
    let s = &c.summary;
    ui.label(
        RichText::new(format!(
            "A: {}  ·  B: {}  ·  {} file(s), {} agree on every field, {} differ",
            c.a.name,
            c.b.name,
            s.files,
            s.agreeing_files,
            s.files - s.agreeing_files
        ))
        .strong(),
    );
    ui.horizontal_wrapped(|ui| {
        for f in &s.fields {
            ui.label(format!("{} {:.0}%", f.field, f.share() * 100.0))
                .on_hover_text(format!("{} of {} files agree", f.agreed, f.compared));
        }
    });
    ui.columns(2, |cols| {
        times_ui(&mut cols[0], c);
        quality_ui(&mut cols[1], c);
    });
    ui.separator();
    table_ui(ui, c, selected, out);
    if let Some(f) = selected.and_then(|i| c.files.get(i)) {
        ui.separator();
        ui.label(RichText::new(format!("{}: both records", f.file)).strong());
        ui.columns(2, |cols| {
            record_ui(&mut cols[0], "A", &f.a);
            record_ui(&mut cols[1], "B", &f.b);
        });
    }
}

/// CPU time per node over all files: A's bar above B's in each node's
/// row, on a log axis, each row named with both times.
fn times_ui(ui: &mut Ui, c: &Comparison) {
    let s = &c.summary;
    let [a_total, b_total] = s.total_cpu_seconds;
    let computed = |side: fn(&NodeCost) -> Option<&SideCost>| {
        s.nodes
            .iter()
            .filter_map(side)
            .map(|c| c.computed)
            .sum::<usize>()
    };
    let total = |seconds: f64, n: usize| match n {
        0 => "all from the library".to_string(),
        _ => fmt_secs(seconds),
    };
    ui.label(RichText::new(format!(
        "CPU time per node, all files (log scale): A {}, B {}",
        total(a_total, computed(|n| n.a.as_ref())),
        total(b_total, computed(|n| n.b.as_ref()))
    )))
    .on_hover_text(
        "The CPU time each node's thread used, summed over the files. \
         A plugin's own process is not counted.",
    );
    legend_ui(ui, &[(theme::ACCENT, "A"), (B_COLOR, "B")]);
    let rows = s.nodes.len().max(1);
    let (mut a_bars, mut b_bars, mut times) = (Vec::new(), Vec::new(), Vec::new());
    let mut longest: f64 = 0.0;
    for (i, n) in s.nodes.iter().enumerate() {
        let y = (rows - 1 - i) as f64;
        for (cost, bars, offset, color) in [
            (n.a.as_ref(), &mut a_bars, BAR_OFFSET, theme::ACCENT),
            (n.b.as_ref(), &mut b_bars, -BAR_OFFSET, B_COLOR),
        ] {
            let Some(cost) = cost.filter(|c| c.computed > 0) else {
                continue;
            };
            longest = longest.max(cost.cpu_seconds);
            bars.push(time_bar(y + offset, cost.cpu_seconds, color, BAR_WIDTH).name(&n.node));
            // B's time carries the ratio: what the row is about.
            let ratio = match (offset < 0.0, n.ratio()) {
                (true, Some(r)) => format!("  ×{r:.2}"),
                _ => String::new(),
            };
            times.push((
                cost.cpu_seconds,
                y + offset,
                format!("{}{ratio}", fmt_secs(cost.cpu_seconds)),
            ));
        }
    }
    let names: Vec<String> = s.nodes.iter().map(|n| abbreviate(&n.node)).collect();
    let height = times_height(rows);
    let plot = log_time_plot("compare_times", height, rows, longest)
        // Room right of the longest bar for its time.
        .include_x(log_ms(longest * 1000.0) + 1.0);
    with_row_names(plot, names, NAMES_WIDTH).show(ui, |p| {
        p.bar_chart(bar_chart("A", a_bars, theme::ACCENT));
        p.bar_chart(bar_chart("B", b_bars, B_COLOR));
        for (seconds, y, text) in times {
            time_text(p, seconds, y, text, TIME_TEXT);
        }
    });
}

/// The time chart's height: each node's row tall enough for its two
/// bars' times at `TIME_TEXT` size.
fn times_height(rows: usize) -> f32 {
    (rows as f32 * ROW_HEIGHT + 24.0).max(CHART_HEIGHT - LEGEND_H)
}

/// Files per tenth of quality, A beside B.
fn quality_ui(ui: &mut Ui, c: &Comparison) {
    let s = &c.summary;
    ui.label("Quality distribution (files per tenth)");
    legend_ui(ui, &[(theme::ACCENT, "A"), (B_COLOR, "B")]);
    let bars = |bins: &[usize; 10], offset: f64| -> Vec<Bar> {
        bins.iter()
            .enumerate()
            .map(|(i, &n)| {
                Bar::new(i as f64 / 10.0 + 0.05 + offset, n as f64).width(BAR_WIDTH / 10.0)
            })
            .collect()
    };
    let (a, b) = (
        bars(&s.quality_a.bins, -BAR_OFFSET / 10.0),
        bars(&s.quality_b.bins, BAR_OFFSET / 10.0),
    );
    Plot::new("compare_quality")
        .height(times_height(s.nodes.len().max(1)))
        .include_x(0.0)
        .include_x(1.0)
        .include_y(0.0)
        .allow_scroll(false)
        .show(ui, |p| {
            p.bar_chart(BarChart::new("A", a).color(theme::ACCENT));
            p.bar_chart(BarChart::new("B", b).color(B_COLOR));
        });
}

/// One line per file, disagreements first: file, status on each side,
/// and each differing field with both values and how they differ.
fn table_ui(ui: &mut Ui, c: &Comparison, selected: Option<usize>, out: &mut Vec<Command>) {
    let index = |f: &FileComparison| c.files.iter().position(|g| std::ptr::eq(g, f));
    egui::ScrollArea::vertical()
        .id_salt("compare_table")
        .max_height(TABLE_HEIGHT)
        .show(ui, |ui| {
            egui::Grid::new("compare_grid")
                .striped(true)
                .num_columns(3)
                .show(ui, |ui| {
                    for h in ["file", "A / B", "differences"] {
                        ui.label(RichText::new(h).strong());
                    }
                    ui.end_row();
                    for f in c.disagreements_first() {
                        let Some(i) = index(f) else { continue };
                        let name = f.file.rsplit('/').next().unwrap_or(&f.file);
                        let text = if f.agree {
                            RichText::new(name)
                        } else {
                            RichText::new(name).color(theme::WARN)
                        };
                        if ui
                            .selectable_label(selected == Some(i), text)
                            .on_hover_text(&f.file)
                            .clicked()
                        {
                            push(out, CompareCommand::Select(i));
                        }
                        ui.label(format!("{} / {}", status_text(&f.a), status_text(&f.b)));
                        ui.label(differences_text(f));
                        ui.end_row();
                    }
                });
        });
}

fn differences_text(f: &FileComparison) -> String {
    if f.differences.is_empty() {
        return if f.agree {
            "agree".into()
        } else {
            "—".into()
        };
    }
    f.differences
        .iter()
        .map(|d| format!("{}: {} vs {} ({})", d.field, cell(&d.a), cell(&d.b), d.note))
        .collect::<Vec<_>>()
        .join("; ")
}

fn cell(v: &Value) -> String {
    match v {
        Value::Null => "none".into(),
        Value::String(s) => s.clone(),
        Value::Number(n) => n.as_f64().map_or_else(
            || n.to_string(),
            |x| format!("{}", (x * 100.0).round() / 100.0),
        ),
        other => other.to_string(),
    }
}

/// At most `RECORD_CHARS` characters of `text`, with an ellipsis when cut
/// (long lists such as beat times would push B's record out of view).
fn shortened(text: &str) -> String {
    match text.char_indices().nth(RECORD_CHARS) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

/// A whole record, one value per line (long values cut; hover for all).
fn record_ui(ui: &mut Ui, side: &str, r: &FileResult) {
    ui.label(RichText::new(format!("{side}: {}", status_text(r))).strong());
    egui::ScrollArea::vertical()
        .id_salt(format!("compare_record_{side}"))
        .max_height(RECORD_HEIGHT)
        .show(ui, |ui| {
            egui::Grid::new(format!("compare_record_grid_{side}"))
                .striped(true)
                .show(ui, |ui| {
                    if let Some(e) = &r.error {
                        ui.label("error");
                        ui.label(RichText::new(e).color(theme::ERROR));
                        ui.end_row();
                    }
                    for (k, v) in &r.values {
                        ui.label(RichText::new(k).monospace());
                        let full = cell(v);
                        let short = shortened(&full);
                        if short.len() < full.len() {
                            ui.label(short).on_hover_text(full);
                        } else {
                            ui.label(full);
                        }
                        ui.end_row();
                    }
                });
        });
}

/// "done", "failed"…, or "partial" for a file whose decoding stopped
/// early (its wave completed on what was decoded), as the results table
/// says.
fn status_text(r: &FileResult) -> String {
    match crate::run::persist::partial_note(r) {
        Some(_) => "partial".into(),
        None => r.status.label().into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_truncated_file_reads_partial_on_its_side() {
        let mut r = FileResult {
            analysis_s: 0.1,
            ..FileResult::new("/a/cut.mp3")
        };
        assert_eq!(status_text(&r), "done");
        r.values.insert("partial".into(), true.into());
        assert_eq!(status_text(&r), "partial");
    }
}
