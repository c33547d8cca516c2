//! Drawing the track view's lanes with egui's painter: each lane gets its
//! rectangle and the shared [`TimeView`], draws only what is visible, and
//! answers what it shows at a time (for the hover line).

use egui::{Align2, Color32, FontId, Painter, Pos2, Rect, Stroke, pos2};

use super::time_view::TimeView;
use super::{LaneKind, TrackData};
use crate::app::theme;
use crate::audio::series::{self, LoudnessCurve};

/// Heights of the lanes, points.
pub fn height(lane: LaneKind) -> f32 {
    match lane {
        LaneKind::Waveform => 96.0,
        LaneKind::Spectrogram => 80.0,
        LaneKind::Tempo => 56.0,
        LaneKind::Key => 26.0,
        LaneKind::Loudness => 72.0,
    }
}

/// What a lane draws against: the time axis and the pipeline's limits.
pub struct Frame<'a> {
    /// The painter, clipped to the lanes.
    pub painter: &'a Painter,
    /// The visible stretch.
    pub view: &'a TimeView,
    /// Text colour for labels.
    pub text: Color32,
    /// Faint lines and "not computed" notes.
    pub weak: Color32,
    /// The loudness target, LUFS.
    pub target_lufs: f64,
    /// The true-peak ceiling, dBTP.
    pub max_peak_db: f64,
}

impl Frame<'_> {
    /// The x of time `t` in `rect`.
    pub fn x(&self, rect: Rect, t: f64) -> f32 {
        self.view.x_of(t, rect.left(), rect.width())
    }

    /// The lane's name at its top left, on a dark backing so it reads
    /// over whatever the lane draws.
    fn label(&self, rect: Rect, text: &str) {
        let galley =
            self.painter
                .layout_no_wrap(text.to_string(), FontId::proportional(11.0), self.text);
        let at = rect.left_top() + egui::vec2(4.0, 2.0);
        let back = Rect::from_min_size(at, galley.size()).expand(2.0);
        self.painter
            .rect_filled(back, 2.0, Color32::from_black_alpha(170));
        self.painter.galley(at, galley, self.text);
    }

    /// A one-line note in the middle of the lane.
    pub fn note(&self, rect: Rect, what: &str) {
        self.painter.text(
            rect.center(),
            Align2::CENTER_CENTER,
            what,
            FontId::proportional(12.0),
            self.weak,
        );
    }
}

/// Draws `lane` of `data` in `rect`.
pub fn draw(f: &Frame<'_>, lane: LaneKind, data: &TrackData, rect: Rect) {
    f.painter
        .rect_filled(rect, 0.0, Color32::from_black_alpha(40));
    let drawn = match lane {
        LaneKind::Waveform => waveform(f, data, rect),
        // Drawn by `spectro_lane` (it needs its textures).
        LaneKind::Spectrogram => true,
        LaneKind::Tempo => tempo(f, data, rect),
        LaneKind::Key => key(f, data, rect),
        LaneKind::Loudness => loudness(f, data, rect),
    };
    if !drawn {
        let what = match lane {
            LaneKind::Waveform => {
                "No waveform stored: the pipeline's Decode did not read the whole file"
            }
            LaneKind::Spectrogram => "",
            LaneKind::Tempo => "No tempo curve: the pipeline has no beat-tracking Tempo node",
            LaneKind::Key => "No key curve: the pipeline has no whole-file Key node",
            LaneKind::Loudness => {
                "No loudness curve: the pipeline's Decode did not read the whole file"
            }
        };
        f.note(rect, what);
    }
    f.label(rect, lane.label());
}

/// Min/max per pixel column (RMS inside), stereo as two halves, and the
/// beat grid over it.
fn waveform(f: &Frame<'_>, data: &TrackData, rect: Rect) -> bool {
    let Some(w) = data.waveform() else {
        return false;
    };
    let lanes: Vec<&series::waveform::Lane> = if w.lanes.len() >= 3 {
        vec![&w.lanes[1], &w.lanes[2]]
    } else {
        w.lanes.iter().take(1).collect()
    };
    let h = rect.height() / lanes.len().max(1) as f32;
    for (i, lane) in lanes.iter().enumerate() {
        let band = Rect::from_min_size(
            pos2(rect.left(), rect.top() + h * i as f32),
            egui::vec2(rect.width(), h),
        );
        wave_band(f, lane, w.column_s, band);
    }
    if let Some(grid) = data.beats() {
        beat_grid(f, grid, rect);
    }
    true
}

fn wave_band(f: &Frame<'_>, lane: &series::waveform::Lane, column_s: f64, band: Rect) {
    let mid = band.center().y;
    let half = 0.5 * band.height() - 2.0;
    let scale = half / 32767.0;
    let peak = Stroke::new(1.0, theme::ACCENT.gamma_multiply(0.55));
    let body = Stroke::new(1.0, theme::ACCENT);
    let columns = lane.len();
    let px = band.width().max(1.0) as usize;
    for p in 0..px {
        let x = band.left() + p as f32 + 0.5;
        let t0 = f.view.time_at(x - 0.5, band.left(), band.width());
        let t1 = f.view.time_at(x + 0.5, band.left(), band.width());
        let a = ((t0 / column_s).floor().max(0.0) as usize).min(columns);
        let b = ((t1 / column_s).ceil().max(0.0) as usize).clamp(a, columns);
        if a >= b {
            continue;
        }
        let lo = lane.min[a..b].iter().copied().min().unwrap_or(0);
        let hi = lane.max[a..b].iter().copied().max().unwrap_or(0);
        let rms = lane.rms[a..b].iter().copied().max().unwrap_or(0);
        let y = |v: i16| mid - f32::from(v) * scale;
        f.painter
            .line_segment([pos2(x, y(hi)), pos2(x, y(lo).max(y(hi) + 1.0))], peak);
        f.painter.line_segment(
            [pos2(x, y(rms)), pos2(x, y(rms.saturating_neg()) + 0.5)],
            body,
        );
    }
}

/// Beats as lines (when they are at least a few pixels apart), downbeats
/// brighter, bar numbers when a bar is wide enough to label.
fn beat_grid(f: &Frame<'_>, grid: &series::BeatGrid, rect: Rect) {
    let px_per_s = rect.width() as f64 / f.view.span_s;
    let times: Vec<f64> = grid.beats.iter().map(|b| b.time_s).collect();
    let period = series::downbeats::median_period(&times);
    let beat_px = period * px_per_s;
    let bar_px = beat_px * f64::from(grid.meter.max(1));
    let down = Stroke::new(1.5, Color32::from_rgba_unmultiplied(255, 210, 120, 200));
    let beat = Stroke::new(1.0, Color32::from_rgba_unmultiplied(255, 255, 255, 60));
    for b in &grid.beats {
        if b.time_s < f.view.start_s - 1.0 || b.time_s > f.view.end_s() + 1.0 {
            continue;
        }
        let x = f.x(rect, b.time_s);
        let is_down = b.position == 1;
        if is_down && bar_px >= 4.0 {
            f.painter
                .line_segment([pos2(x, rect.top()), pos2(x, rect.bottom())], down);
            if bar_px >= 28.0 {
                f.painter.text(
                    pos2(x + 2.0, rect.bottom() - 2.0),
                    Align2::LEFT_BOTTOM,
                    b.bar.to_string(),
                    FontId::monospace(10.0),
                    down.color,
                );
            }
        } else if !is_down && beat_px >= 5.0 {
            f.painter.line_segment(
                [
                    pos2(x, rect.top() + 0.25 * rect.height()),
                    pos2(x, rect.bottom() - 0.25 * rect.height()),
                ],
                beat,
            );
        }
    }
}

/// The local tempo on a log scale around the file's BPM, with the BPM as
/// a line and its half and double as faint ones.
fn tempo(f: &Frame<'_>, data: &TrackData, rect: Rect) -> bool {
    let Some(curve) = data.tempo() else {
        return false;
    };
    let values = curve.bpm.iter().filter(|v| v.is_finite());
    let centre = data
        .bpm
        .or_else(|| median(values.map(|&v| f64::from(v)).collect()))
        .unwrap_or(120.0);
    let y = |bpm: f64| {
        let r = (bpm / centre).log2().clamp(-1.3, 1.3);
        rect.center().y - (r / 1.3) as f32 * (0.5 * rect.height() - 4.0)
    };
    for (k, alpha) in [(0.5, 50), (2.0, 50), (1.0, 140)] {
        let yy = y(centre * k);
        let stroke = Stroke::new(1.0, Color32::from_white_alpha(alpha));
        f.painter
            .line_segment([pos2(rect.left(), yy), pos2(rect.right(), yy)], stroke);
        f.painter.text(
            pos2(rect.right() - 4.0, yy),
            Align2::RIGHT_BOTTOM,
            format!("{:.1}", centre * k),
            FontId::monospace(10.0),
            f.weak,
        );
    }
    let mut run: Vec<Pos2> = Vec::new();
    let stroke = Stroke::new(1.5, theme::WARN);
    for (i, &v) in curve.bpm.iter().enumerate() {
        if v.is_finite() {
            run.push(pos2(f.x(rect, curve.time_of(i)), y(f64::from(v))));
        } else if !run.is_empty() {
            f.painter
                .add(egui::Shape::line(std::mem::take(&mut run), stroke));
        }
    }
    f.painter.add(egui::Shape::line(run, stroke));
    true
}

fn median(mut xs: Vec<f64>) -> Option<f64> {
    xs.sort_by(f64::total_cmp);
    xs.get(xs.len() / 2).copied()
}

/// A colour per key: the Camelot number picks the hue (neighbours on the
/// wheel look alike), minor keys darker.
pub fn key_colour(code: u8) -> Color32 {
    let key = series::key_of_code(code);
    let camelot = key.camelot();
    let n: f32 = camelot.trim_end_matches(['A', 'B']).parse().unwrap_or(1.0);
    let minor = camelot.ends_with('A');
    let hsva = egui::ecolor::Hsva::new((n - 1.0) / 12.0, 0.55, if minor { 0.55 } else { 0.8 }, 1.0);
    Color32::from(hsva)
}

/// Key segments as coloured bands labelled "A minor · 8A".
fn key(f: &Frame<'_>, data: &TrackData, rect: Rect) -> bool {
    let Some(curve) = data.key().filter(|c| !c.segments.is_empty()) else {
        return false;
    };
    for s in &curve.segments {
        let (x0, x1) = (f.x(rect, s.start_s), f.x(rect, s.end_s));
        if x1 < rect.left() || x0 > rect.right() {
            continue;
        }
        let r = Rect::from_x_y_ranges(x0.max(rect.left())..=x1.min(rect.right()), rect.y_range());
        let fill = key_colour(s.key);
        f.painter
            .rect_filled(r.shrink2(egui::vec2(0.5, 3.0)), 2.0, fill);
        let key = series::key_of_code(s.key);
        let text = format!("{} · {}", key.name(), key.camelot());
        let galley = f
            .painter
            .layout_no_wrap(text, FontId::proportional(11.0), Color32::BLACK);
        // Centred in the segment's visible part, clear of the lane's name.
        let x = (r.center().x - 0.5 * galley.size().x).max(rect.left() + 40.0);
        if x + galley.size().x + 2.0 < r.right() {
            let y = r.center().y - 0.5 * galley.size().y;
            f.painter.galley(pos2(x, y), galley, Color32::BLACK);
        }
    }
    true
}

/// Loudness range drawn, LUFS: the quietest and loudest shown.
const LUFS_FLOOR: f64 = -60.0;
const LUFS_TOP: f64 = 0.0;

/// Momentary (faint) and short-term loudness, the target as a line, and
/// the seconds whose peak passes the ceiling marked red along the top.
fn loudness(f: &Frame<'_>, data: &TrackData, rect: Rect) -> bool {
    let Some(curve) = data.loudness() else {
        return false;
    };
    let y = |lufs: f64| {
        let share = ((lufs - LUFS_FLOOR) / (LUFS_TOP - LUFS_FLOOR)).clamp(0.0, 1.0);
        rect.bottom() - 2.0 - share as f32 * (rect.height() - 4.0)
    };
    let target = y(f.target_lufs);
    f.painter.line_segment(
        [pos2(rect.left(), target), pos2(rect.right(), target)],
        Stroke::new(1.0, theme::OK.gamma_multiply(0.8)),
    );
    f.painter.text(
        pos2(rect.right() - 4.0, target),
        Align2::RIGHT_BOTTOM,
        format!("target {:.0}", f.target_lufs),
        FontId::monospace(10.0),
        theme::OK,
    );
    curve_line(
        f,
        rect,
        &curve.momentary,
        &y,
        Stroke::new(1.0, Color32::from_white_alpha(70)),
    );
    curve_line(
        f,
        rect,
        &curve.short_term,
        &y,
        Stroke::new(1.5, theme::ACCENT),
    );
    for (s, &p) in curve.peak.iter().enumerate() {
        if f64::from(p) > f.max_peak_db {
            let (x0, x1) = (f.x(rect, s as f64), f.x(rect, s as f64 + 1.0));
            let r = Rect::from_x_y_ranges(x0..=x1.max(x0 + 2.0), rect.top()..=rect.top() + 4.0);
            f.painter.rect_filled(r, 0.0, theme::ERROR);
        }
    }
    true
}

/// One loudness curve as a polyline over the visible stretch (silence,
/// −∞, breaks the line).
fn curve_line(f: &Frame<'_>, rect: Rect, values: &[f32], y: &dyn Fn(f64) -> f32, stroke: Stroke) {
    let dt = 1.0 / series::loudness_curve::CURVE_HZ;
    let first = ((f.view.start_s / dt).floor() as usize).saturating_sub(1);
    let last = ((f.view.end_s() / dt).ceil() as usize + 1).min(values.len());
    // Never more points than pixels: every `step`-th value.
    let step = ((last.saturating_sub(first)) as f32 / rect.width().max(1.0))
        .ceil()
        .max(1.0) as usize;
    let mut run: Vec<Pos2> = Vec::new();
    for i in (first..last).step_by(step) {
        let v = values[i];
        if v.is_finite() {
            run.push(pos2(f.x(rect, LoudnessCurve::time_of(i)), y(f64::from(v))));
        } else if !run.is_empty() {
            f.painter
                .add(egui::Shape::line(std::mem::take(&mut run), stroke));
        }
    }
    f.painter.add(egui::Shape::line(run, stroke));
}

/// What `lane` shows at `t`, for the hover line ("" when nothing).
pub fn value_at(lane: LaneKind, data: &TrackData, t: f64) -> String {
    match lane {
        LaneKind::Spectrogram => String::new(),
        LaneKind::Waveform => data
            .beats()
            .and_then(|g| g.beats.iter().rev().find(|b| b.time_s <= t + 1e-9))
            .map(|b| format!("bar {} beat {}", b.bar, b.position))
            .unwrap_or_default(),
        LaneKind::Tempo => data
            .tempo()
            .and_then(|c| {
                (0..c.bpm.len())
                    .min_by(|&a, &b| {
                        (c.time_of(a) - t)
                            .abs()
                            .total_cmp(&(c.time_of(b) - t).abs())
                    })
                    .map(|i| c.bpm[i])
            })
            .filter(|v| v.is_finite())
            .map(|v| format!("{v:.1} BPM"))
            .unwrap_or_default(),
        LaneKind::Key => data
            .key()
            .and_then(|c| c.segments.iter().find(|s| s.start_s <= t && t < s.end_s))
            .map(|s| {
                let k = series::key_of_code(s.key);
                format!("{} ({})", k.name(), k.camelot())
            })
            .unwrap_or_default(),
        LaneKind::Loudness => data
            .loudness()
            .and_then(|c| {
                let i = (t * series::loudness_curve::CURVE_HZ) as usize;
                c.short_term.get(i).copied()
            })
            .map(|v| {
                if v.is_finite() {
                    format!("short-term {v:.1} LUFS")
                } else {
                    "silence".into()
                }
            })
            .unwrap_or_default(),
    }
}
