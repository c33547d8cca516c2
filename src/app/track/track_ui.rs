//! The track view's panel: a header (file, pipeline, lane switches), the
//! time ruler and the lanes; the wheel zooms about the pointer, a drag
//! pans, a double-click fits the whole file, and hovering shows the time
//! and each lane's value.

use egui::{Align2, FontId, RichText, Sense, Stroke, Ui, pos2};

use super::lanes::{self, Frame};
use super::listen::Listen;
use super::{LaneKind, Track, TrackState, ruler, spectro_lane};
use crate::app::command::Command;

/// Height of the time ruler, points.
const RULER_H: f32 = 18.0;
/// Gap between lanes, points.
const GAP: f32 = 3.0;
/// Wheel points per doubling of the zoom.
const WHEEL_PER_DOUBLING: f32 = 120.0;
/// Labels on the ruler at least this far apart, points.
const TICK_MIN_PX: f32 = 64.0;

/// The pipeline's limits the loudness lane draws against.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Target integrated loudness, LUFS.
    pub target_lufs: f64,
    /// True-peak ceiling, dBTP.
    pub max_peak_db: f64,
}

/// Draws the track view.
pub fn track_ui(state: &mut TrackState, ui: &mut Ui, limits: Limits, out: &mut Vec<Command>) {
    if let Some(path) = &state.loading {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(format!("Reading {} from the library…", path.display()));
        });
    }
    if let Some(e) = &state.error {
        ui.colored_label(crate::app::theme::ERROR, e);
    }
    state.listen.poll();
    let hidden = state.hidden.clone();
    let TrackState {
        track,
        listen,
        spectra,
        ..
    } = state;
    let Some(track) = track.as_mut() else {
        if state.loading.is_none() {
            ui.weak("Double-click a file in the results table or the queue (or press Enter on a selected row) to see its waveform, beat grid, tempo, key and loudness over time.");
        }
        return;
    };
    let mut toggles = Vec::new();
    header_ui(ui, track, &hidden, &mut toggles, out);
    play_ui(ui, track, listen);
    let shown: Vec<LaneKind> = LaneKind::ALL
        .into_iter()
        .filter(|l| !hidden.contains(l))
        .collect();
    if shown.contains(&LaneKind::Spectrogram) {
        spectro_lane::ensure(spectra, &track.data.path, ui.ctx());
    }
    let spectrum = spectra.get(&track.data.path);
    lanes_ui(ui, (track, listen, spectrum), &shown, limits);
    for lane in toggles {
        state.toggle(lane);
    }
}

/// Play/pause (Space), the beat click, the position; disabled with the
/// reason when there is no audio output.
fn play_ui(ui: &mut Ui, track: &mut Track, listen: &mut Listen) {
    let space = ui.input(|i| i.key_pressed(egui::Key::Space)) && !ui.ctx().text_edit_focused();
    let why = listen.disabled_because();
    let playing = listen.is_playing();
    let mut toggle = space && why.is_none();
    ui.horizontal(|ui| {
        let label = if playing { "⏸ Pause" } else { "▶ Play" };
        let button = ui.add_enabled(why.is_none(), egui::Button::new(label));
        let button = match &why {
            Some(why) => button.on_disabled_hover_text(why),
            None => button.on_hover_text(
                "Play or pause from the playhead (Space); click the lanes to move it",
            ),
        };
        toggle |= button.clicked();
        let mut click = listen.click;
        if ui
            .checkbox(&mut click, "Beat click")
            .on_hover_text("A click on every beat, accented on downbeats, to check the grid by ear")
            .changed()
        {
            listen.set_click(click);
        }
        let at = listen.position_s().unwrap_or(track.playhead_s);
        ui.monospace(ruler::label(at, 0.1));
        if let Some(e) = listen.error() {
            ui.colored_label(crate::app::theme::ERROR, e);
        }
    });
    if toggle {
        let ticks = super::listen::ticks(track.data.beats());
        let at = listen
            .position_s()
            .filter(|_| playing)
            .unwrap_or(track.playhead_s);
        listen.toggle(&track.data.path, at, &ticks);
    }
    // The player's position is the playhead (paused, seeking or at the end).
    if let Some(t) = listen.position_s() {
        track.playhead_s = t.min(track.view.duration_s);
    }
    if listen.is_playing() {
        track.view.follow(track.playhead_s);
        ui.ctx().request_repaint();
    }
}

fn header_ui(
    ui: &mut Ui,
    track: &mut Track,
    hidden: &[LaneKind],
    toggles: &mut Vec<LaneKind>,
    out: &mut Vec<Command>,
) {
    ui.horizontal_wrapped(|ui| {
        let d = &track.data;
        ui.label(RichText::new(d.file_name()).strong())
            .on_hover_text(d.path.display().to_string());
        ui.weak(format!(
            "{} · {}",
            d.pipeline,
            ruler::label(d.duration_s, 1.0)
        ));
        if d.unreadable > 0 {
            ui.colored_label(
                crate::app::theme::WARN,
                format!("{} stored series unreadable", d.unreadable),
            )
            .on_hover_text("Written by a newer Wave Studio or damaged: analyse the file again");
        }
        ui.separator();
        for lane in LaneKind::ALL {
            let mut on = !hidden.contains(&lane);
            if ui.checkbox(&mut on, lane.label()).changed() {
                toggles.push(lane);
            }
        }
        ui.separator();
        if ui
            .button("Fit")
            .on_hover_text("Show the whole file (or double-click the lanes)")
            .clicked()
        {
            track.view = super::time_view::TimeView::fit(track.data.duration_s);
        }
        if ui.button("Close").clicked() {
            out.push(Command::CloseTrack);
        }
    });
}

/// The heights of `shown` lanes fitted to `available` points (never
/// below half their natural height).
fn fitted_heights(shown: &[LaneKind], available: f32) -> Vec<f32> {
    let natural: f32 = shown.iter().map(|&l| lanes::height(l) + GAP).sum();
    let scale = ((available - RULER_H) / natural.max(1.0)).clamp(0.5, 1.6);
    shown.iter().map(|&l| lanes::height(l) * scale).collect()
}

fn lanes_ui(
    ui: &mut Ui,
    (track, listen, spectrum): (&mut Track, &mut Listen, Option<&spectro_lane::Spectra>),
    shown: &[LaneKind],
    limits: Limits,
) {
    let heights = fitted_heights(shown, ui.available_height());
    let total = RULER_H + heights.iter().map(|h| h + GAP).sum::<f32>();
    let size = egui::vec2(ui.available_width(), total);
    let (rect, response) = ui.allocate_exact_size(size, Sense::click_and_drag());
    navigate(ui, track, &response, rect);
    if response.clicked()
        && let Some(p) = response.interact_pointer_pos()
    {
        // A click moves the playhead (and a playing track with it).
        let t = track.view.time_at(p.x, rect.left(), rect.width());
        track.playhead_s = t.clamp(0.0, track.view.duration_s);
        listen.seek(track.playhead_s);
    }
    let painter = ui.painter_at(rect);
    let f = Frame {
        painter: &painter,
        view: &track.view,
        text: ui.visuals().text_color(),
        weak: ui.visuals().weak_text_color(),
        target_lufs: limits.target_lufs,
        max_peak_db: limits.max_peak_db,
    };
    let ruler_rect = egui::Rect::from_min_size(rect.min, egui::vec2(rect.width(), RULER_H));
    ruler_ui(&f, ruler_rect);
    let mut top = ruler_rect.bottom();
    let mut lane_rects = Vec::new();
    for (&lane, &h) in shown.iter().zip(&heights) {
        let r = egui::Rect::from_min_size(pos2(rect.left(), top), egui::vec2(rect.width(), h));
        if lane == LaneKind::Spectrogram {
            spectro_lane::draw(&f, spectrum, r);
        }
        lanes::draw(&f, lane, &track.data, r);
        lane_rects.push((lane, r));
        top += h + GAP;
    }
    let head = track.view.x_of(track.playhead_s, rect.left(), rect.width());
    painter.line_segment(
        [pos2(head, rect.top()), pos2(head, rect.bottom())],
        Stroke::new(2.0, crate::app::theme::WARN),
    );
    if let Some(t) = track.hover_s {
        let x = track.view.x_of(t, rect.left(), rect.width());
        painter.line_segment(
            [pos2(x, rect.top()), pos2(x, rect.bottom())],
            Stroke::new(1.0, ui.visuals().text_color()),
        );
        let mut lines = vec![ruler::label(t, 0.1)];
        for (lane, _) in &lane_rects {
            let v = lanes::value_at(*lane, &track.data, t);
            if !v.is_empty() {
                lines.push(v);
            }
        }
        response.on_hover_text_at_pointer(lines.join("\n"));
    }
}

/// Wheel zoom about the pointer, drag pan, double-click fit, hover time.
fn navigate(ui: &Ui, track: &mut Track, response: &egui::Response, rect: egui::Rect) {
    let (left, width) = (rect.left(), rect.width());
    track.hover_s = response.hover_pos().map(|p| {
        track
            .view
            .time_at(p.x, left, width)
            .clamp(0.0, track.view.duration_s)
    });
    if response.double_clicked() {
        track.view = super::time_view::TimeView::fit(track.data.duration_s);
        return;
    }
    if response.dragged() {
        let dx = response.drag_delta().x;
        track
            .view
            .pan(-f64::from(dx / width.max(1.0)) * track.view.span_s);
    }
    if let Some(p) = response.hover_pos() {
        let (scroll, zoom) = ui.input(|i| (i.smooth_scroll_delta, i.zoom_delta()));
        let wheel = scroll.y + scroll.x;
        let factor = f64::from(zoom) * 2f64.powf(f64::from(wheel / WHEEL_PER_DOUBLING));
        if (factor - 1.0).abs() > 1e-4 {
            let at = track.view.time_at(p.x, left, width);
            track.view.zoom_about(at, factor);
        }
    }
}

/// Tick marks and m:ss labels along the top.
fn ruler_ui(f: &Frame<'_>, rect: egui::Rect) {
    let view = f.view;
    let step = ruler::step(view.span_s, rect.width(), TICK_MIN_PX);
    for t in ruler::ticks(view.start_s, view.end_s(), step) {
        let x = view.x_of(t, rect.left(), rect.width());
        f.painter.line_segment(
            [pos2(x, rect.bottom() - 5.0), pos2(x, rect.bottom())],
            Stroke::new(1.0, f.weak),
        );
        f.painter.text(
            pos2(x + 2.0, rect.top() + 1.0),
            Align2::LEFT_TOP,
            ruler::label(t, step),
            FontId::monospace(10.0),
            f.text,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lanes_shrink_to_fit_but_not_below_half() {
        let all = LaneKind::ALL;
        let natural: f32 = all.iter().map(|&l| lanes::height(l)).sum();
        let roomy: f32 = fitted_heights(&all, 2000.0).iter().sum();
        assert!(roomy > natural);
        let tight: f32 = fitted_heights(&all, 100.0).iter().sum();
        assert!((tight - 0.5 * natural).abs() < 1e-3);
    }
}
