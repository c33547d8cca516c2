//! Canvas geometry: fitting the graph into the view, pans and resizes that
//! never lose the graph, and a free spot in view for a new node.

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

/// `t` changed as little as needed so that `keep` (canvas) is wholly
/// inside `view` (screen): panned if it fits at the current zoom, else
/// zoomed out (not below `min_scale`) about where it is shown. Used when
/// the canvas shrinks, so nodes that were in view stay in view.
pub fn contain(
    t: egui::emath::TSTransform,
    view: egui::Rect,
    keep: egui::Rect,
    min_scale: f32,
) -> egui::emath::TSTransform {
    if !keep.is_finite() || !keep.is_positive() || !view.is_positive() {
        return t;
    }
    if view.contains_rect(t * keep) {
        return t;
    }
    let room = view.size() / keep.size();
    let scale = t.scaling.min(room.min_elem()).max(min_scale);
    // The same canvas point stays at the shown centre, then the least pan.
    let centre = t * keep.center();
    let scaled =
        egui::emath::TSTransform::new(centre.to_vec2() - keep.center().to_vec2() * scale, scale);
    let shown = scaled * keep;
    let shift = |v: egui::Rangef, c: egui::Rangef| {
        if c.span() > v.span() || c.min < v.min {
            v.min - c.min
        } else if c.max > v.max {
            v.max - c.max
        } else {
            0.0
        }
    };
    let delta = egui::vec2(
        shift(view.x_range(), shown.x_range()),
        shift(view.y_range(), shown.y_range()),
    );
    egui::emath::TSTransform::new(scaled.translation + delta, scale)
}

/// Space kept between a new node and its neighbours and the canvas edge.
const SPOT_GAP: f32 = 12.0;
/// How many rings of half-node steps around the wanted spot are tried.
const SPOT_RINGS: i32 = 12;

/// Where a node the size of `want` goes: `want` moved wholly inside
/// `visible` (canvas), then the nearest spot there that overlaps none of
/// `others`; `want`'s place inside `visible` if every spot is taken.
pub fn free_spot(visible: egui::Rect, want: egui::Rect, others: &[egui::Rect]) -> egui::Pos2 {
    let room = visible.shrink(SPOT_GAP);
    let inside = |r: egui::Rect| {
        let axis = |v: egui::Rangef, c: egui::Rangef| {
            if c.span() > v.span() {
                v.min
            } else {
                c.min.clamp(v.min, v.max - c.span())
            }
        };
        egui::pos2(
            axis(room.x_range(), r.x_range()),
            axis(room.y_range(), r.y_range()),
        )
    };
    let start = egui::Rect::from_min_size(inside(want), want.size());
    let free = |r: &egui::Rect| {
        others
            .iter()
            .all(|o| !o.expand(SPOT_GAP / 2.0).intersects(*r))
    };
    let step = (want.size() + egui::Vec2::splat(SPOT_GAP)) / 2.0;
    (0..=SPOT_RINGS)
        .flat_map(|ring| {
            let mut spots: Vec<egui::Rect> = (-ring..=ring)
                .flat_map(|i| (-ring..=ring).map(move |j| (i, j)))
                .filter(|(i, j)| i.abs().max(j.abs()) == ring)
                .map(|(i, j)| start.translate(egui::vec2(i as f32 * step.x, j as f32 * step.y)))
                .map(|r| egui::Rect::from_min_size(inside(r), r.size()))
                .collect();
            spots.sort_by(|a, b| {
                let d = |r: &egui::Rect| (r.min - start.min).length_sq();
                d(a).total_cmp(&d(b))
            });
            spots
        })
        .find(free)
        .map_or(start.min, |r| r.min)
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

    #[test]
    fn a_shrunk_canvas_keeps_what_was_in_view_panning_first_then_zooming_out() {
        let t = egui::emath::TSTransform::new(vec2(100.0, 0.0), 1.0);
        let keep = Rect::from_min_size(pos2(0.0, 0.0), vec2(300.0, 100.0));
        // In view: unchanged.
        let wide = Rect::from_min_size(pos2(0.0, 0.0), vec2(800.0, 400.0));
        assert_eq!(contain(t, wide, keep, 0.25), t);
        // Fits at 1:1 once panned.
        let narrow = Rect::from_min_size(pos2(0.0, 0.0), vec2(350.0, 400.0));
        let c = contain(t, narrow, keep, 0.25);
        assert_eq!(c.scaling, 1.0);
        assert!(narrow.contains_rect(c * keep), "{:?}", c * keep);
        // Fits only smaller.
        let tiny = Rect::from_min_size(pos2(0.0, 0.0), vec2(150.0, 400.0));
        let c = contain(t, tiny, keep, 0.25);
        assert!((c.scaling - 0.5).abs() < 1e-4);
        assert!(tiny.expand(0.01).contains_rect(c * keep), "{:?}", c * keep);
    }

    #[test]
    fn a_new_node_goes_to_the_nearest_free_spot_wholly_in_view() {
        let visible = Rect::from_min_size(pos2(0.0, 0.0), vec2(600.0, 400.0));
        let size = vec2(100.0, 60.0);
        // Free: where wanted.
        let want = Rect::from_min_size(pos2(200.0, 100.0), size);
        assert_eq!(free_spot(visible, want, &[]), want.min);
        // Past the edge: moved in, whole.
        let past = Rect::from_min_size(pos2(580.0, 390.0), size);
        let at = free_spot(visible, past, &[]);
        assert!(
            visible.contains_rect(Rect::from_min_size(at, size)),
            "{at:?}"
        );
        // Taken: the nearest free spot, still in view.
        let taken = [want, want.translate(vec2(60.0, 0.0))];
        let at = free_spot(visible, want, &taken);
        let placed = Rect::from_min_size(at, size);
        assert!(visible.contains_rect(placed));
        assert!(taken.iter().all(|o| !o.intersects(placed)), "{placed:?}");
        assert!((at - want.min).length() < 200.0, "{at:?}");
    }
}
