//! The inspector's number field: a fixed width (a long entry never widens
//! the inspector), commits on Enter or focus loss (so the layout stays put
//! while typing), Escape puts the committed value back, and an entry that
//! is not a number is kept and named instead of silently reset. Also the
//! reserved block where an inspector section says what is wrong.

use egui::emath::Numeric;
use egui::text::{CCursor, CCursorRange};
use egui::{Id, RichText, Ui};

use crate::app::theme;

/// Width of a number field, in points.
pub const FIELD_WIDTH: f32 = 48.0;
/// Lines kept for a section's problem, always (so a problem appearing or
/// going never moves the fields below it).
const PROBLEM_LINES: usize = 2;

/// What a field keeps between frames.
#[derive(Clone, Debug, Default)]
struct FieldState {
    /// The text shown: being edited, or rejected.
    text: String,
    /// The value `text` was made from, to notice a change made elsewhere
    /// (undo, another pipeline).
    value: f64,
    /// Why the last committed text was not taken.
    rejected: Option<String>,
}

/// What a field did this frame.
pub struct Outcome {
    pub response: egui::Response,
    /// A new value was committed.
    pub changed: bool,
}

/// Shows the number field `id` for `value`.
pub fn number_field_ui<T: Numeric>(ui: &mut Ui, id: Id, value: &mut T, error: bool) -> Outcome {
    let current = value.to_f64();
    let fresh = || FieldState {
        text: format_number(current),
        value: current,
        rejected: None,
    };
    let focused = ui.memory(|m| m.has_focus(id));
    let mut state: FieldState = ui
        .data(|d| d.get_temp(id))
        .filter(|s: &FieldState| focused || s.value == current)
        .unwrap_or_else(fresh);
    let red = error || state.rejected.is_some();
    let mut edit = egui::TextEdit::singleline(&mut state.text)
        .id(id)
        .desired_width(FIELD_WIDTH)
        .clip_text(true);
    if red {
        edit = edit.text_color(theme::ERROR);
    }
    let response = ui.add(edit);
    // Typing replaces the value: all of it is selected when the field gets
    // the focus, and again when the click that gave it ends (the click
    // itself would place the cursor).
    let untouched = state.rejected.is_none() && state.text == format_number(current);
    if response.gained_focus() || (response.clicked() && untouched) {
        select_all(ui, id, &state.text);
    }
    let mut changed = false;
    if response.lost_focus() {
        if ui.input(|i| i.key_pressed(egui::Key::Escape)) {
            state = fresh();
        } else {
            match parse_number::<T>(&state.text) {
                Ok(v) => {
                    changed = v.to_f64() != current;
                    *value = v;
                    state = FieldState {
                        text: format_number(v.to_f64()),
                        value: v.to_f64(),
                        rejected: None,
                    };
                }
                Err(reason) => state.rejected = Some(reason),
            }
        }
        ui.ctx().request_repaint();
    }
    ui.data_mut(|d| d.insert_temp(id, state));
    Outcome { response, changed }
}

/// Why field `id`'s last entry was not taken, if it was not.
pub fn rejection(ctx: &egui::Context, id: Id) -> Option<String> {
    ctx.data(|d| d.get_temp::<FieldState>(id))
        .and_then(|s| s.rejected)
}

/// A section's problem in a block of constant height: the first problem
/// (wrapped, cut with "…" past its lines, whole on hover), or a quiet
/// "nothing wrong".
pub fn problem_block_ui(ui: &mut Ui, problem: Option<&str>, fine: &str) {
    let body = egui::TextStyle::Body.resolve(ui.style());
    let row = ui.fonts_mut(|f| f.row_height(&body));
    let height = row * PROBLEM_LINES as f32 + ui.spacing().item_spacing.y;
    let width = ui.available_width();
    ui.allocate_ui(egui::vec2(width, height), |ui| {
        ui.set_min_size(egui::vec2(width, height));
        ui.set_max_height(height);
        match problem {
            Some(text) => {
                let mut job = egui::text::LayoutJob::single_section(
                    format!("⚠ {text}"),
                    egui::TextFormat::simple(body.clone(), theme::ERROR),
                );
                job.wrap = egui::text::TextWrapping {
                    max_rows: PROBLEM_LINES,
                    max_width: width,
                    ..Default::default()
                };
                ui.add(egui::Label::new(job)).on_hover_text(text);
            }
            None => _ = ui.label(RichText::new(fine).weak()),
        }
    });
}

/// The committed value as the field shows it ("4", "0.5", "90").
fn format_number(v: f64) -> String {
    format!("{v}")
}

/// Parses what was typed; says why not in words a user reads.
fn parse_number<T: Numeric>(text: &str) -> Result<T, String> {
    let clean: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| if c == '−' { '-' } else { c })
        .collect();
    let shown: String = text.trim().chars().take(24).collect();
    let v: f64 = clean
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite())
        .ok_or_else(|| format!("“{shown}” is not a number"))?;
    if T::INTEGRAL && v.fract() != 0.0 {
        return Err(format!("{shown} is not a whole number"));
    }
    let (lo, hi) = (T::MIN.to_f64(), T::MAX.to_f64());
    if v < lo || v > hi {
        return Err(format!("{shown} is out of range ({lo}..{hi})"));
    }
    Ok(T::from_f64(v))
}

/// Selects all of the field's text, so typing replaces it.
fn select_all(ui: &Ui, id: Id, text: &str) {
    let mut state = egui::TextEdit::load_state(ui.ctx(), id).unwrap_or_default();
    let all = CCursorRange::two(CCursor::new(0), CCursor::new(text.chars().count()));
    state.cursor.set_char_range(Some(all));
    egui::TextEdit::store_state(ui.ctx(), id, state);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_numbers_parse_and_anything_else_says_why_not() {
        assert_eq!(parse_number::<f64>(" −5 "), Ok(-5.0));
        assert_eq!(parse_number::<usize>("300"), Ok(300));
        let e = parse_number::<f64>("abc").unwrap_err();
        assert!(e.contains("“abc” is not a number"), "{e}");
        assert!(parse_number::<usize>("2.5").unwrap_err().contains("whole"));
        assert!(parse_number::<usize>("-5").unwrap_err().contains("range"));
        assert!(parse_number::<f64>("inf").is_err());
        assert_eq!(format_number(90.0), "90");
        assert_eq!(format_number(0.5), "0.5");
    }
}
