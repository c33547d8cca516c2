//! Beat tracking by dynamic programming (Ellis 2007), and the tempo
//! refinement it allows: a least-squares fit of the beat period.

use super::onset::OnsetEnvelope;
use super::tempo::{TempoEstimate, round2, smooth};

/// How strongly the tracker holds to the period (Ellis's α).
const TIGHTNESS: f64 = 100.0;

/// Tracks beats at about `period` frames apart. Returns fractional frame
/// positions of the beats.
pub fn track(env: &[f32], period: f64) -> Vec<f64> {
    let n = env.len();
    if n < 4 || !period.is_finite() || period < 2.0 {
        return Vec::new();
    }
    // Normalise, then spread each onset a little (Gaussian, σ = period / 32).
    let std = {
        let mean = env.iter().map(|&v| f64::from(v)).sum::<f64>() / n as f64;
        (env.iter()
            .map(|&v| (f64::from(v) - mean).powi(2))
            .sum::<f64>()
            / n as f64)
            .sqrt()
    };
    if std <= 0.0 {
        return Vec::new();
    }
    let half = period.round() as i64;
    let kernel: Vec<f64> = (-half..=half)
        .map(|i| (-0.5 * (i as f64 * 32.0 / period).powi(2)).exp())
        .collect();
    let local: Vec<f64> = (0..n as i64)
        .map(|t| {
            kernel
                .iter()
                .enumerate()
                .filter_map(|(j, k)| {
                    let idx = t + j as i64 - half;
                    (idx >= 0 && (idx as usize) < n).then(|| f64::from(env[idx as usize]) / std * k)
                })
                .sum()
        })
        .collect();
    let lo = (period / 2.0).round().max(1.0) as usize;
    let hi = (2.0 * period).round() as usize;
    let penalty: Vec<f64> = (0..=hi)
        .map(|d| {
            if d == 0 {
                f64::NEG_INFINITY
            } else {
                -TIGHTNESS * (d as f64 / period).ln().powi(2)
            }
        })
        .collect();
    let mut score = vec![0.0f64; n];
    let mut back = vec![usize::MAX; n];
    for t in 0..n {
        let mut best = 0.0;
        let mut arg = usize::MAX;
        if t >= lo {
            for d in lo..=hi.min(t) {
                let v = score[t - d] + penalty[d];
                if arg == usize::MAX || v > best {
                    best = v;
                    arg = t - d;
                }
            }
        }
        // A beat may also start a new chain when all predecessors score badly.
        if arg != usize::MAX && best > 0.0 {
            score[t] = local[t] + best;
            back[t] = arg;
        } else {
            score[t] = local[t];
        }
    }
    // The last beat: best cumulative score within the last period.
    let tail = n.saturating_sub(period.ceil() as usize);
    let Some(mut t) = (tail..n).max_by(|&a, &b| score[a].total_cmp(&score[b])) else {
        return Vec::new();
    };
    let mut beats = vec![t];
    while back[t] != usize::MAX {
        t = back[t];
        beats.push(t);
    }
    beats.reverse();
    // Drop weak beats at either end (silence before the music starts).
    let strong = {
        let mut v: Vec<f64> = beats.iter().map(|&b| local[b]).collect();
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(0.0) * 0.2
    };
    let first = beats.iter().position(|&b| local[b] > strong).unwrap_or(0);
    let last = beats
        .iter()
        .rposition(|&b| local[b] > strong)
        .unwrap_or(beats.len().saturating_sub(1));
    beats[first..=last.max(first).min(beats.len().saturating_sub(1))]
        .iter()
        .map(|&b| refine_peak(&local, b))
        .collect()
}

/// Parabolic interpolation of a peak around integer index `i`.
fn refine_peak(x: &[f64], i: usize) -> f64 {
    if i == 0 || i + 1 >= x.len() {
        return i as f64;
    }
    let (a, b, c) = (x[i - 1], x[i], x[i + 1]);
    let den = a - 2.0 * b + c;
    if den.abs() < 1e-12 || b < a || b < c {
        return i as f64;
    }
    i as f64 + (0.5 * (a - c) / den).clamp(-0.5, 0.5)
}

/// Least-squares beat period (frames) of beat positions, with the fit's
/// relative residual.
pub fn fit_period(beats: &[f64]) -> Option<(f64, f64)> {
    let n = beats.len();
    if n < 4 {
        return None;
    }
    let nf = n as f64;
    let mi = (nf - 1.0) / 2.0;
    let mb = beats.iter().sum::<f64>() / nf;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (i, &b) in beats.iter().enumerate() {
        sxy += (i as f64 - mi) * (b - mb);
        sxx += (i as f64 - mi).powi(2);
    }
    let slope = sxy / sxx;
    let resid = beats
        .iter()
        .enumerate()
        .map(|(i, &b)| (b - (mb + (i as f64 - mi) * slope)).powi(2))
        .sum::<f64>()
        / nf;
    Some((slope, resid.sqrt() / slope.max(1e-9)))
}

/// The refinement: tracks beats at the first estimate's tempo, then fits
/// the period to them. Keeps the first estimate if the fit disagrees.
pub fn refine(env: &OnsetEnvelope, first: &TempoEstimate) -> TempoEstimate {
    let fr = env.frame_rate;
    let period = 60.0 * fr / first.bpm;
    let smoothed = smooth(&env.values);
    let beats = track(&smoothed, period);
    let mut out = first.clone();
    out.beats = beats
        .iter()
        .map(|&b| round2_ms(b / fr + env.offset_s))
        .collect();
    if let Some((p, jitter)) = fit_period(&beats) {
        // Beats that drift from a steady grid (tempo changes) keep the scan's value.
        if (p / period - 1.0).abs() < 0.04 {
            out.bpm = round2(60.0 * fr / p);
            let steadiness = (1.0 - jitter * 4.0).clamp(0.0, 1.0);
            out.confidence = (0.5 * first.confidence + 0.5 * steadiness).clamp(0.0, 1.0);
        }
    }
    out
}

fn round2_ms(t: f64) -> f64 {
    (t * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracks_a_pulse_train_and_fits_its_period() {
        let fr = 86.13;
        let period = 60.0 * fr / 123.0;
        let mut env = vec![0.0f32; (fr * 20.0) as usize];
        let mut t: f64 = 10.0;
        while (t as usize) < env.len() {
            env[t.round() as usize] = 1.0;
            t += period;
        }
        let beats = track(&smooth(&env), period * 1.02);
        assert!(beats.len() > 35, "{}", beats.len());
        let (p, _) = fit_period(&beats).unwrap();
        assert!((p / period - 1.0).abs() < 0.003, "{p} vs {period}");
    }
}
