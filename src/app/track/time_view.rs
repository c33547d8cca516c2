//! The track view's time axis: which stretch of the file is shown, and
//! the zoom, pan and fit that move it. Pure arithmetic, so it is tested
//! without a window.

/// The shortest stretch the view zooms in to, seconds: a few beats.
pub const MIN_SPAN_S: f64 = 0.5;

/// The visible stretch `[start_s, start_s + span_s]` of a file of
/// `duration_s` seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimeView {
    /// Left edge, seconds.
    pub start_s: f64,
    /// Seconds shown.
    pub span_s: f64,
    /// The file's length, seconds.
    pub duration_s: f64,
}

impl TimeView {
    /// The whole file.
    pub fn fit(duration_s: f64) -> Self {
        let duration_s = if duration_s.is_finite() && duration_s > 0.0 {
            duration_s
        } else {
            MIN_SPAN_S
        };
        Self {
            start_s: 0.0,
            span_s: duration_s.max(MIN_SPAN_S),
            duration_s,
        }
    }

    /// Right edge, seconds.
    pub fn end_s(&self) -> f64 {
        self.start_s + self.span_s
    }

    /// Zooms by `factor` (above 1 zooms in) keeping `at_s` where it is on
    /// screen; never past the whole file or [`MIN_SPAN_S`].
    pub fn zoom_about(&mut self, at_s: f64, factor: f64) {
        if !(factor.is_finite() && factor > 0.0) {
            return;
        }
        let whole = self.duration_s.max(MIN_SPAN_S);
        let span = (self.span_s / factor).clamp(MIN_SPAN_S, whole);
        let share = ((at_s - self.start_s) / self.span_s).clamp(0.0, 1.0);
        self.start_s = at_s - share * span;
        self.span_s = span;
        self.clamp();
    }

    /// Moves the view by `dt_s` seconds (positive: later), within the file.
    pub fn pan(&mut self, dt_s: f64) {
        if dt_s.is_finite() {
            self.start_s += dt_s;
            self.clamp();
        }
    }

    /// Scrolls so that `t_s` is shown (a playhead leaving the view
    /// turns the page, as DJ software does).
    pub fn follow(&mut self, t_s: f64) {
        if t_s < self.start_s || t_s > self.end_s() {
            self.start_s = t_s - 0.05 * self.span_s;
            self.clamp();
        }
    }

    /// The time at `x` on a lane from `left` to `left + width` pixels.
    pub fn time_at(&self, x: f32, left: f32, width: f32) -> f64 {
        self.start_s + f64::from((x - left) / width.max(1.0)) * self.span_s
    }

    /// The pixel x of `t_s` on a lane from `left` to `left + width`.
    pub fn x_of(&self, t_s: f64, left: f32, width: f32) -> f32 {
        left + ((t_s - self.start_s) / self.span_s) as f32 * width
    }

    fn clamp(&mut self) {
        let latest = (self.duration_s - self.span_s).max(0.0);
        self.start_s = self.start_s.clamp(0.0, latest);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zoom_keeps_the_pointer_time_in_place_and_stops_at_the_limits() {
        let mut v = TimeView::fit(300.0);
        v.zoom_about(75.0, 4.0);
        assert!((v.span_s - 75.0).abs() < 1e-9);
        // 75 s was a quarter across; it still is.
        assert!((v.time_at(25.0, 0.0, 100.0) - 75.0).abs() < 1e-9);
        for _ in 0..40 {
            v.zoom_about(75.0, 2.0);
        }
        assert_eq!(v.span_s, MIN_SPAN_S);
        for _ in 0..40 {
            v.zoom_about(10.0, 0.5);
        }
        assert_eq!(v, TimeView::fit(300.0));
    }

    #[test]
    fn pan_stays_inside_the_file_and_x_maps_back_to_time() {
        let mut v = TimeView::fit(60.0);
        v.zoom_about(0.0, 6.0);
        v.pan(-5.0);
        assert_eq!(v.start_s, 0.0);
        v.pan(1000.0);
        assert!((v.end_s() - 60.0).abs() < 1e-9);
        let x = v.x_of(55.0, 10.0, 500.0);
        assert!((v.time_at(x, 10.0, 500.0) - 55.0).abs() < 1e-4);
        v.follow(1.0);
        assert!(v.start_s <= 1.0 && v.end_s() >= 1.0);
    }

    #[test]
    fn a_file_without_length_still_has_a_view() {
        let v = TimeView::fit(f64::NAN);
        assert!(v.span_s > 0.0 && v.start_s == 0.0);
    }
}
