//! A horizontal bar chart of times on a log axis, every bar named on its
//! row: the live stage-time chart and the comparison's A/B chart share it,
//! so a slow decode never flattens the other nodes in either.

use egui::{Align2, Color32, RichText, Ui};
use egui_plot::{AxisHints, Bar, BarChart, GridMark, Plot, PlotPoint, PlotUi, Text};

use crate::app::run::charts::fmt_secs;

/// Times at or below this many milliseconds sit at the left edge (the
/// log axis needs a floor).
pub(crate) const TIME_FLOOR_MS: f64 = 0.1;
/// Node names longer than this are cut.
pub(crate) const NAME_CHARS: usize = 14;
/// The legend's colour swatch.
const SWATCH: egui::Vec2 = egui::vec2(12.0, 8.0);

/// `ms` on the log axis.
pub(crate) fn log_ms(ms: f64) -> f64 {
    ms.max(TIME_FLOOR_MS).log10()
}

/// A node id cut to `NAME_CHARS` characters ("tempo_refine" stays,
/// "a_very_long_node_id" becomes "a_very_long_n…").
pub(crate) fn abbreviate(id: &str) -> String {
    if id.chars().count() <= NAME_CHARS {
        return id.to_string();
    }
    let mut s: String = id.chars().take(NAME_CHARS - 1).collect();
    s.push('…');
    s
}

/// A legend row: a colour swatch and a name per series, drawn above a
/// plot so it never covers the data.
pub(crate) fn legend_ui(ui: &mut Ui, entries: &[(Color32, &str)]) {
    ui.horizontal(|ui| {
        for (color, name) in entries {
            let (rect, _) = ui.allocate_exact_size(SWATCH, egui::Sense::hover());
            ui.painter().rect_filled(rect, 2.0, *color);
            ui.label(RichText::new(*name).small());
        }
    });
}

/// A bar from the floor to `seconds` at height `y` (rows count from the
/// bottom), `width` rows thick.
pub(crate) fn time_bar(y: f64, seconds: f64, fill: Color32, width: f64) -> Bar {
    let floor = log_ms(TIME_FLOOR_MS);
    Bar::new(y, log_ms(seconds * 1000.0) - floor)
        .base_offset(floor)
        .fill(fill)
        .width(width)
}

/// A fixed log-time plot for `rows` rows whose longest time is at most
/// `longest_s`: decades labelled (0.1 ms, 1 ms, 10 ms, 100 ms, 1 s…), no
/// drag or zoom (it redraws live), no y axis (the rows are named).
pub(crate) fn log_time_plot(id: &str, height: f32, rows: usize, longest_s: f64) -> Plot<'static> {
    let floor = log_ms(TIME_FLOOR_MS);
    let right = log_ms(longest_s * 1000.0).max(floor + 1.0).ceil();
    Plot::new(id)
        .height(height)
        .show_axes([true, false])
        .show_grid([true, false])
        .include_x(floor)
        .include_x(right)
        .include_y(-0.5)
        .include_y(rows.max(1) as f64 - 0.5)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .x_axis_formatter(|mark, _| {
            let v = mark.value;
            if (v - v.round()).abs() > 1e-6 {
                return String::new();
            }
            fmt_secs(10f64.powf(v) / 1000.0)
        })
}

/// `plot` with its rows named on the y axis (`names[0]` on the top row),
/// in a gutter `width` points wide: names never sit on the bars. Every
/// name shows, however close the rows.
pub(crate) fn with_row_names(plot: Plot<'static>, names: Vec<String>, width: f32) -> Plot<'static> {
    let rows = names.len();
    let axis = AxisHints::new_y()
        .min_thickness(width)
        .label_spacing(4.0..=6.0)
        .tick_label_color(Color32::WHITE)
        .formatter(move |mark, _| {
            let row = mark.value.round();
            if (mark.value - row).abs() > 1e-6 || row < 0.0 {
                return String::new();
            }
            let i = rows.saturating_sub(1 + row as usize);
            names.get(i).cloned().unwrap_or_default()
        });
    plot.show_axes([true, true])
        .custom_y_axes(vec![axis])
        .y_grid_spacer(move |_| {
            (0..rows)
                .map(|i| GridMark {
                    value: i as f64,
                    step_size: 1.0,
                })
                .collect()
        })
}

/// Writes `text` just right of `seconds` on row `y`.
pub(crate) fn time_text(p: &mut PlotUi, seconds: f64, y: f64, text: String, size: f32) {
    let at = PlotPoint::new(log_ms(seconds * 1000.0), y);
    let text = RichText::new(format!(" {text}"))
        .size(size)
        .color(Color32::WHITE);
    p.text(Text::new("time", at, text).anchor(Align2::LEFT_CENTER));
}

/// Horizontal bars named `name` (for the hover text).
pub(crate) fn bar_chart(name: &str, bars: Vec<Bar>, color: Color32) -> BarChart {
    BarChart::new(name, bars).horizontal().color(color)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_cut_and_times_floored() {
        assert_eq!(abbreviate("tempo_refine"), "tempo_refine");
        let cut = abbreviate("a_very_long_node_id");
        assert_eq!(cut.chars().count(), NAME_CHARS);
        assert!(cut.ends_with('…'));
        assert_eq!(log_ms(0.0), log_ms(TIME_FLOOR_MS));
        assert!((log_ms(1000.0) - 3.0).abs() < 1e-12);
    }
}
