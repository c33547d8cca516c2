//! Local tempo over time: the onset envelope's periodicity in overlapping
//! windows, searched only near the file tempo so the curve stays at the
//! file's metrical level (no jumps to the half or double).

use super::TempoCurve;
use crate::audio::onset::OnsetEnvelope;
use crate::audio::tempo::{autocorrelation, smooth};

/// Length of each analysis window, seconds: four bars at 120 BPM, enough
/// teeth for the comb, short enough to follow a ramp.
pub const WINDOW_S: f64 = 8.0;
/// Step between windows, seconds.
pub const HOP_S: f64 = 2.0;

/// Search band around the file tempo, as factors of it: wide enough for a
/// live drummer or a ramp, too narrow to reach the half or the double.
const BAND: (f64, f64) = (0.75, 1.33);
/// Grid step of the search, as a ratio (0.1 %); the peak is then
/// interpolated between grid points.
const STEP: f64 = 0.001;
/// Most multiples of the period the comb reads: the farther teeth pin the
/// period down finer than the envelope's frame (~2 % at 120 BPM).
const MAX_TEETH: usize = 4;
/// Comb score below which a window has no periodicity to report (noise
/// reads ~0.05, a click track ~0.8).
const MIN_STRENGTH: f64 = 0.1;
/// Spread of the curve (p90 − p10 over the median) above which the tempo
/// moves: a steady track reads well under 1 %.
const VARIABLE_SPREAD: f64 = 0.04;
/// Windows with a tempo needed before the curve can be called variable.
const MIN_VARIABLE_WINDOWS: usize = 3;

/// Local tempo per window at `file_bpm`'s metrical level.
pub fn curve(env: &OnsetEnvelope, file_bpm: f64) -> TempoCurve {
    let fr = env.frame_rate;
    let mut out = TempoCurve {
        window_s: WINDOW_S,
        hop_s: HOP_S,
        start_s: env.offset_s + WINDOW_S / 2.0,
        ..TempoCurve::default()
    };
    if !(fr.is_finite() && fr > 0.0) || env.values.is_empty() {
        return out;
    }
    let smoothed = smooth(&env.values);
    let n = smoothed.len();
    let full = (WINDOW_S * fr).round() as usize;
    // A file shorter than one window gets one window over what there is.
    let len = full.min(n);
    let count = (n - len) as f64 / (HOP_S * fr);
    let count = count.floor() as usize + 1;
    out.window_s = len as f64 / fr;
    out.start_s = env.offset_s + out.window_s / 2.0;
    for i in 0..count {
        let start = ((i as f64 * HOP_S * fr).round() as usize).min(n - len);
        let (bpm, strength) = window_tempo(&smoothed[start..start + len], fr, file_bpm);
        out.bpm.push(bpm as f32);
        out.strength.push(strength as f32);
    }
    out.variable = is_variable(&out.bpm);
    out
}

/// The tempo of one window (NaN without periodicity) and its strength:
/// the peak of a comb over the autocorrelation, on a fine grid of tempi
/// inside the band around `file_bpm`, interpolated between grid points.
fn window_tempo(x: &[f32], fr: f64, file_bpm: f64) -> (f64, f64) {
    const NONE: (f64, f64) = (f64::NAN, 0.0);
    if !(file_bpm.is_finite() && file_bpm > 0.0) {
        return NONE;
    }
    let (lo, hi) = (file_bpm * BAND.0, file_bpm * BAND.1);
    // Teeth up to half the window, so every lag is read over enough overlap.
    let max_lag = x.len() / 2;
    let teeth = ((max_lag as f64 / (60.0 * fr / lo)) as usize).min(MAX_TEETH);
    if teeth == 0 {
        return NONE;
    }
    // The shared autocorrelation sums each lag over its overlap; scaling
    // by the overlap makes it unbiased, so the decay with lag does not
    // pull the comb's peak towards shorter periods (0.1 % at 120 BPM).
    let n = x.len() as f64;
    let ac: Vec<f64> = autocorrelation(x, max_lag + 1)
        .iter()
        .enumerate()
        .map(|(lag, &v)| v * n / (n - lag as f64))
        .collect();
    let ratio = 1.0 + STEP;
    let steps = ((hi / lo).ln() / ratio.ln()).ceil() as i32;
    let bpm_at = |k: f64| lo * ratio.powf(k);
    let scores: Vec<f64> = (0..=steps)
        .map(|k| comb(&ac, 60.0 * fr / bpm_at(f64::from(k)), teeth))
        .collect();
    let Some((best, &peak)) = scores.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)) else {
        return NONE;
    };
    if peak < MIN_STRENGTH {
        return NONE;
    }
    let shift = match (
        best.checked_sub(1).and_then(|i| scores.get(i)),
        scores.get(best + 1),
    ) {
        (Some(&a), Some(&c)) => parabola_offset(a, peak, c),
        _ => 0.0,
    };
    (bpm_at(best as f64 + shift), peak.clamp(0.0, 1.0))
}

/// Mean autocorrelation at the first `teeth` multiples of `period` frames,
/// read between lags by cubic interpolation: a linear one has its
/// maxima on whole lags, which would snap every tooth (and so the tempo)
/// to the frame grid.
fn comb(ac: &[f64], period: f64, teeth: usize) -> f64 {
    (1..=teeth)
        .map(|k| cubic_at(ac, period * k as f64))
        .sum::<f64>()
        / teeth as f64
}

/// `x` read at fractional index `pos` by Catmull–Rom interpolation (0
/// outside it).
fn cubic_at(x: &[f64], pos: f64) -> f64 {
    let i = pos.floor() as usize;
    let t = pos - pos.floor();
    let v = |j: Option<usize>| j.and_then(|j| x.get(j)).copied();
    let (Some(p1), Some(p2)) = (v(Some(i)), v(Some(i + 1))) else {
        return 0.0;
    };
    let p0 = v(i.checked_sub(1)).unwrap_or(p1);
    let p3 = v(Some(i + 2)).unwrap_or(p2);
    let a = -0.5 * p0 + 1.5 * p1 - 1.5 * p2 + 0.5 * p3;
    let b = p0 - 2.5 * p1 + 2.0 * p2 - 0.5 * p3;
    let c = -0.5 * p0 + 0.5 * p2;
    ((a * t + b) * t + c) * t + p1
}

/// Offset (−0.5..0.5) of the vertex of the parabola through three
/// equally spaced values from the middle one.
fn parabola_offset(a: f64, b: f64, c: f64) -> f64 {
    let den = a - 2.0 * b + c;
    if den.abs() < 1e-12 {
        0.0
    } else {
        (0.5 * (a - c) / den).clamp(-0.5, 0.5)
    }
}

/// Whether the finite values of `bpm` spread more than
/// [`VARIABLE_SPREAD`] of their median (p10 to p90, so one stray window
/// does not make a steady track variable).
fn is_variable(bpm: &[f32]) -> bool {
    let mut v: Vec<f64> = bpm
        .iter()
        .filter(|b| b.is_finite())
        .map(|&b| f64::from(b))
        .collect();
    if v.len() < MIN_VARIABLE_WINDOWS {
        return false;
    }
    v.sort_by(f64::total_cmp);
    let q = |p: f64| v[((v.len() - 1) as f64 * p).round() as usize];
    let median = q(0.5);
    median > 0.0 && (q(0.9) - q(0.1)) / median > VARIABLE_SPREAD
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::audio::{AnalysisOptions, pcm_pass};

    /// Sample rate of the generated test signals.
    pub(in crate::audio::series) const RATE: u32 = 44_100;

    /// Adds a click at `t` seconds: a 30 ms decaying burst of a few high
    /// partials, scaled by `amp`, with a 60 Hz thump (a kick) when `kick`.
    pub(in crate::audio::series) fn add_click(sig: &mut [f32], t: f64, amp: f32, kick: bool) {
        let rate = f64::from(RATE);
        let start = (t * rate).round() as usize;
        let len = (0.03 * rate) as usize;
        for i in 0..len {
            let Some(s) = sig.get_mut(start + i) else {
                break;
            };
            let tt = i as f64 / rate;
            let decay = (-tt / 0.008).exp();
            let mut v = [1500.0, 3100.0, 5300.0]
                .iter()
                .map(|f| (std::f64::consts::TAU * f * tt).sin())
                .sum::<f64>()
                / 3.0;
            if kick {
                v += 2.0 * (std::f64::consts::TAU * 60.0 * tt).sin() * (-tt / 0.03).exp();
            }
            *s += (f64::from(amp) * decay * v) as f32;
        }
    }

    /// The onset envelope of clicks at `times` in `seconds` of audio.
    fn click_envelope(times: &[f64], seconds: f64) -> OnsetEnvelope {
        let mut sig = vec![0.0f32; (seconds * f64::from(RATE)) as usize];
        for &t in times {
            add_click(&mut sig, t, 0.5, false);
        }
        pcm_pass(&sig, 1, RATE, &AnalysisOptions::default())
            .unwrap()
            .onset
    }

    #[test]
    fn a_steady_click_track_reads_steady_within_a_percent() {
        let times: Vec<f64> = (0..80).map(|k| 0.25 + k as f64 * 0.5).collect();
        let env = click_envelope(&times, 40.0);
        let c = curve(&env, 120.0);
        assert!(c.bpm.len() >= 15, "{c:?}");
        let worst = c
            .bpm
            .iter()
            .map(|&b| (f64::from(b) / 120.0 - 1.0).abs())
            .fold(0.0, f64::max);
        eprintln!("steady: worst error {:.3} %", worst * 100.0);
        assert!(worst < 0.01, "{c:?}");
        assert!(!c.variable);
        assert!(c.strength.iter().all(|&s| s > 0.5), "{c:?}");
    }

    #[test]
    fn a_ramp_is_followed_and_called_variable() {
        // bpm(t) = 100 + 0.5 t, so beat k falls where
        // (100 t + 0.25 t²) / 60 = k.
        let times: Vec<f64> = (0..115)
            .map(|k| 2.0 * ((10_000.0 + 60.0 * k as f64).sqrt() - 100.0))
            .collect();
        let env = click_envelope(&times, 60.0);
        let c = curve(&env, 115.0);
        assert!(c.bpm.len() >= 20, "{c:?}");
        let mut worst = 0.0f64;
        for (i, &b) in c.bpm.iter().enumerate() {
            let truth = 100.0 + 0.5 * c.time_of(i);
            let err = (f64::from(b) / truth - 1.0).abs();
            assert!(err < 0.03, "window {i}: {b} vs {truth}");
            worst = worst.max(err);
        }
        eprintln!("ramp: worst error {:.3} %", worst * 100.0);
        assert!(c.variable);
    }

    #[test]
    fn silence_has_no_tempo_and_a_short_file_one_window() {
        let times: Vec<f64> = (0..8).map(|k| 0.25 + k as f64 * 0.5).collect();
        let mut sig = vec![0.0f32; 14 * RATE as usize];
        for &t in &times {
            add_click(&mut sig, t, 0.5, false);
        }
        let env = pcm_pass(&sig, 1, RATE, &AnalysisOptions::default())
            .unwrap()
            .onset;
        let c = curve(&env, 120.0);
        // Clicks for 4 s, then 10 s of silence: the last window is silent.
        assert!(c.bpm.first().unwrap().is_finite(), "{c:?}");
        assert!(c.bpm.last().unwrap().is_nan(), "{c:?}");
        assert_eq!(*c.strength.last().unwrap(), 0.0);
        let short = OnsetEnvelope {
            values: env.values[..(4.0 * env.frame_rate) as usize].to_vec(),
            low: env.low[..(4.0 * env.frame_rate) as usize].to_vec(),
            ..env
        };
        let c = curve(&short, 120.0);
        assert_eq!(c.bpm.len(), 1);
        assert!((f64::from(c.bpm[0]) / 120.0 - 1.0).abs() < 0.01, "{c:?}");
        assert!((c.start_s - 2.0).abs() < 0.1, "{c:?}");
    }
}
