//! The time ruler's ticks: a step from a fixed ladder (1 s … 10 min) so
//! labels never crowd, written as mm:ss (h:mm:ss past an hour).

/// Steps the ruler may use, seconds.
const STEPS: [f64; 14] = [
    0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0,
];

/// The smallest step whose ticks are at least `min_px` apart when `span_s`
/// seconds fill `width_px`.
pub fn step(span_s: f64, width_px: f32, min_px: f32) -> f64 {
    let px_per_s = f64::from(width_px.max(1.0)) / span_s.max(1e-6);
    STEPS
        .iter()
        .copied()
        .find(|s| s * px_per_s >= f64::from(min_px))
        .unwrap_or(STEPS[STEPS.len() - 1])
}

/// The tick times from `start_s` to `end_s`, every `step_s`.
pub fn ticks(start_s: f64, end_s: f64, step_s: f64) -> Vec<f64> {
    let first = (start_s / step_s).ceil() as i64;
    let last = (end_s / step_s).floor() as i64;
    (first..=last).map(|k| k as f64 * step_s).collect()
}

/// `t` as m:ss, with tenths when the step is under a second.
pub fn label(t_s: f64, step_s: f64) -> String {
    let t = t_s.max(0.0);
    let whole = t.floor() as u64;
    let (h, m, s) = (whole / 3600, whole / 60 % 60, whole % 60);
    let frac = if step_s < 1.0 {
        format!(".{:02}", ((t - t.floor()) * 100.0).round().min(99.0) as u64)
    } else {
        String::new()
    };
    if h > 0 {
        format!("{h}:{m:02}:{s:02}{frac}")
    } else {
        format!("{m}:{s:02}{frac}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_grow_with_the_span_and_labels_read_as_minutes() {
        assert_eq!(step(300.0, 1000.0, 60.0), 30.0);
        assert_eq!(step(10.0, 1000.0, 60.0), 1.0);
        assert_eq!(step(3600.0, 1000.0, 60.0), 300.0);
        assert_eq!(ticks(9.5, 31.0, 10.0), vec![10.0, 20.0, 30.0]);
        assert_eq!(label(75.0, 5.0), "1:15");
        assert_eq!(label(3725.0, 60.0), "1:02:05");
        assert_eq!(label(1.25, 0.25), "0:01.25");
    }
}
