//! Canvas geometry: fitting the graph into the view without shrinking text
//! below readable, and pans that never lose the graph.

/// Space kept around the graph when fitting, in canvas points.
const FIT_MARGIN: f32 = 8.0;

/// Canvas to screen so that `content` (canvas) sits in `view` (screen):
/// as large as fits but no larger than 1:1 nor smaller than `min_scale`
/// (so the text stays readable); centred on an axis where it fits, else
/// starting at the view's top or left edge (the rest is a pan away).
pub fn fit_transform(
    view: egui::Rect,
    content: egui::Rect,
    min_scale: f32,
) -> Option<egui::emath::TSTransform> {
    if !content.is_finite() || !content.is_positive() || view.width() < 10.0 || view.height() < 10.0
    {
        return None;
    }
    let content = content.expand(FIT_MARGIN);
    let scale = (view.width() / content.width())
        .min(view.height() / content.height())
        .clamp(min_scale.min(1.0), 1.0);
    let place = |v: egui::Rangef, c: egui::Rangef| {
        if c.span() * scale <= v.span() {
            v.center() - c.center() * scale
        } else {
            v.min - c.min * scale
        }
    };
    let offset = egui::vec2(
        place(view.x_range(), content.x_range()),
        place(view.y_range(), content.y_range()),
    );
    Some(egui::emath::TSTransform::new(offset, scale))
}

/// How much of the graph, in screen points, a pan keeps in view (about a
/// node's width).
const KEEP_IN_VIEW: f32 = 120.0;

/// `t` panned as little as needed to keep at least `KEEP_IN_VIEW` points
/// of `content` (canvas) inside `view` (screen) on each axis, so a pan
/// (Shift+wheel, drag) never loses the graph.
pub fn keep_in_view(
    t: egui::emath::TSTransform,
    view: egui::Rect,
    content: egui::Rect,
) -> egui::emath::TSTransform {
    if !content.is_finite() || !view.is_positive() {
        return t;
    }
    let shown = t * content;
    let shift = |v: egui::Rangef, c: egui::Rangef| {
        let keep = KEEP_IN_VIEW.min(c.span()).min(v.span());
        if c.max < v.min + keep {
            v.min + keep - c.max
        } else if c.min > v.max - keep {
            v.max - keep - c.min
        } else {
            0.0
        }
    };
    let delta = egui::vec2(
        shift(view.x_range(), shown.x_range()),
        shift(view.y_range(), shown.y_range()),
    );
    egui::emath::TSTransform::new(t.translation + delta, t.scaling)
}

#[cfg(test)]
mod tests {
    use super::*;
    use egui::{Rect, pos2, vec2};

    #[test]
    fn a_fit_never_shrinks_text_below_readable_and_pans_to_the_start_instead() {
        let view = Rect::from_min_size(pos2(200.0, 30.0), vec2(760.0, 380.0));
        // Small: 1:1, centred.
        let small = Rect::from_min_size(pos2(0.0, 0.0), vec2(300.0, 100.0));
        let t = fit_transform(view, small, 0.9).unwrap();
        assert_eq!(t.scaling, 1.0);
        assert!(((t * small).center() - view.center()).length() < 0.01);
        // A bit too large: shrunk, but not below readable, and centred.
        let wide = Rect::from_min_size(pos2(0.0, 0.0), vec2(800.0, 300.0));
        let t = fit_transform(view, wide, 0.9).unwrap();
        assert!(t.scaling < 1.0 && t.scaling >= 0.9);
        assert!(view.contains_rect(t * wide));
        // Far too large: readable size, its top-left corner in view.
        let huge = Rect::from_min_size(pos2(-50.0, -20.0), vec2(3000.0, 1500.0));
        let t = fit_transform(view, huge, 0.9).unwrap();
        assert_eq!(t.scaling, 0.9);
        let shown = t * huge.expand(FIT_MARGIN);
        assert!((shown.min - view.min).length() < 0.01, "{shown:?}");
        // Nothing to fit: no change.
        assert!(fit_transform(view, Rect::NOTHING, 0.9).is_none());
    }
}
