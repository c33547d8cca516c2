//! The beat's phase: a tracker that follows the full-band onsets can lock
//! onto off-beat hi-hats (noise bursts carry more spectral flux than a
//! kick), half a beat late. DJs put the beat on the kick, so the low band
//! decides between the grid and its half-period shift.

use super::beats::{consistency, strength_at};

/// Low-band onsets midway between the beats at least this many times
/// those at the beats mean the kicks fall between the beats: the grid is
/// on the off-beats. An off-beat bass line under a kick on every beat
/// (house) reads 0.3–0.9, a grid on off-beat hats 3–20 on our grooves.
const OFF_PHASE: f64 = 1.6;

/// The shifted grid must have its kick on nearly every point (the lower
/// quartile of its low-band onsets at least this share of the upper):
/// electro's kicks on one and two off-beats of a bar do not move the grid.
const EVERY_POINT: f64 = 0.5;

/// Fewer beats than this leave the phase as tracked.
const MIN_BEATS: usize = 8;

/// `beats` (frames), moved by half a period when the low band says the
/// kicks are between them (see [`OFF_PHASE`], [`EVERY_POINT`]); `frames` is the envelope's
/// length, so no beat lands past its end.
pub fn on_the_kicks(low: &[f32], beats: Vec<f64>, frames: usize) -> Vec<f64> {
    if beats.len() < MIN_BEATS {
        return beats;
    }
    let at: f64 = beats.iter().map(|&b| strength_at(low, b)).sum::<f64>() / beats.len() as f64;
    let mids: Vec<f64> = beats.windows(2).map(|w| 0.5 * (w[0] + w[1])).collect();
    let between = mids.iter().map(|&b| strength_at(low, b)).sum::<f64>() / mids.len() as f64;
    if between <= OFF_PHASE * at || consistency(low, &mids) < EVERY_POINT {
        return beats;
    }
    let half = |w: &[f64]| 0.5 * (w[1] - w[0]);
    let mut out = Vec::with_capacity(beats.len() + 1);
    let before = beats[0] - half(&beats[..2]);
    if before >= 0.0 {
        out.push(before);
    }
    out.extend(mids);
    let after = beats[beats.len() - 1] + half(&beats[beats.len() - 2..]);
    if after < frames as f64 {
        out.push(after);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A low-band envelope with a kick every `period` frames from `first`.
    fn kicks(first: usize, period: usize, frames: usize) -> Vec<f32> {
        (0..frames)
            .map(|i| {
                if i >= first && (i - first).is_multiple_of(period) {
                    1.0
                } else {
                    0.0
                }
            })
            .collect()
    }

    #[test]
    fn a_grid_between_the_kicks_moves_onto_them() {
        let low = kicks(10, 40, 800);
        let beats: Vec<f64> = (0..19).map(|k| 30.0 + 40.0 * f64::from(k)).collect();
        let moved = on_the_kicks(&low, beats, low.len());
        assert_eq!(moved.first(), Some(&10.0));
        assert!(moved.iter().all(|b| (b - 10.0) % 40.0 == 0.0), "{moved:?}");
        assert_eq!(moved.len(), 20);
    }

    #[test]
    fn a_grid_on_the_kicks_stays() {
        // Kicks on the beats, a weaker bass note between them.
        let mut low = kicks(10, 40, 800);
        for (i, v) in kicks(30, 40, 800).into_iter().enumerate() {
            low[i] += 0.6 * v;
        }
        let beats: Vec<f64> = (0..19).map(|k| 10.0 + 40.0 * f64::from(k)).collect();
        assert_eq!(on_the_kicks(&low, beats.clone(), low.len()), beats);
    }

    #[test]
    fn kicks_on_some_off_beats_leave_the_grid() {
        // Electro: a bar of four beats has its kicks on one and on the
        // off-beats after two and three.
        let mut low = vec![0f32; 800];
        for bar in 0..5 {
            for at in [0, 60, 100] {
                low[10 + 160 * bar + at] = 1.0;
            }
        }
        let beats: Vec<f64> = (0..19).map(|k| 10.0 + 40.0 * f64::from(k)).collect();
        assert_eq!(on_the_kicks(&low, beats.clone(), low.len()), beats);
    }
}
