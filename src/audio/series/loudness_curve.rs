//! EBU R128 loudness over time: momentary (400 ms) and short-term (3 s)
//! loudness every 100 ms, and the peak of each second, taken from the
//! meter that measures the integrated loudness (no second filter pass).

use std::collections::VecDeque;

use ebur128::EbuR128;

/// Values per second of the momentary and short-term curves.
pub const CURVE_HZ: f64 = 10.0;

/// Blocks of 100 ms in the momentary window (400 ms).
const MOMENTARY_BLOCKS: usize = 4;
/// Blocks of 100 ms in the short-term window (3 s).
const SHORT_TERM_BLOCKS: usize = 30;
/// Blocks per peak value (one second).
const PEAK_BLOCKS: usize = 10;

/// Loudness over time. Value `i` of each curve is the loudness of the
/// window that ends at `(i + 1) / 10` s (a window that would start before
/// the file counts the missing part as silence, as meters do);
/// `f32::NEG_INFINITY` is digital silence.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LoudnessCurve {
    /// Momentary loudness, LUFS.
    pub momentary: Vec<f32>,
    /// Short-term loudness, LUFS.
    pub short_term: Vec<f32>,
    /// The highest peak of each second (the last may be shorter), dBTP
    /// when `true_peak`, else dBFS.
    pub peak: Vec<f32>,
    /// Whether `peak` is the oversampled true peak.
    pub true_peak: bool,
}

impl LoudnessCurve {
    /// Time at which value `i` of a curve ends, seconds.
    pub fn time_of(i: usize) -> f64 {
        (i + 1) as f64 / CURVE_HZ
    }

    /// The highest short-term loudness, LUFS (`None` for silence).
    pub fn max_short_term(&self) -> Option<f32> {
        self.short_term
            .iter()
            .copied()
            .filter(|v| v.is_finite())
            .reduce(f32::max)
    }
}

/// Follows a running [`EbuR128`] meter block by block.
#[derive(Debug)]
pub(crate) struct CurveFollower {
    /// Frames in a 100 ms block (as the meter counts them).
    block: usize,
    /// Frames still missing from the current block.
    left: usize,
    /// Energy of the latest blocks, newest last.
    energies: VecDeque<f64>,
    peak_now: f64,
    /// Frames went in since the last peak value.
    pending: bool,
    blocks: usize,
    curve: LoudnessCurve,
}

impl CurveFollower {
    pub(crate) fn new(rate: u32, true_peak: bool) -> Self {
        // The meter's own block length: (rate + 5) / 10 frames.
        let block = ((rate as usize + 5) / 10).max(1);
        Self {
            block,
            left: block,
            energies: VecDeque::with_capacity(SHORT_TERM_BLOCKS + 1),
            peak_now: 0.0,
            pending: false,
            blocks: 0,
            curve: LoudnessCurve {
                true_peak,
                ..LoudnessCurve::default()
            },
        }
    }

    /// Frames the meter may take before the next block ends.
    pub(crate) fn room(&self) -> usize {
        self.left
    }

    /// Notes that the meter took `frames` (at most [`Self::room`]).
    pub(crate) fn advance(&mut self, ebu: &EbuR128, channels: u32, frames: usize) {
        let peak = (0..channels)
            .filter_map(|c| {
                if self.curve.true_peak {
                    ebu.prev_true_peak(c).ok()
                } else {
                    ebu.prev_sample_peak(c).ok()
                }
            })
            .fold(0.0f64, f64::max);
        self.peak_now = self.peak_now.max(peak);
        self.pending |= frames > 0;
        self.left -= frames.min(self.left);
        if self.left == 0 {
            self.left = self.block;
            self.end_block(ebu);
        }
    }

    fn end_block(&mut self, ebu: &EbuR128) {
        let energy = ebu
            .loudness_window(100)
            .ok()
            .filter(|l| l.is_finite())
            .map_or(0.0, |l| 10f64.powf((l + 0.691) / 10.0));
        if self.energies.len() == SHORT_TERM_BLOCKS {
            self.energies.pop_front();
        }
        self.energies.push_back(energy);
        let mean = |n: usize| self.energies.iter().rev().take(n).sum::<f64>() / n as f64;
        self.curve.momentary.push(lufs(mean(MOMENTARY_BLOCKS)));
        self.curve.short_term.push(lufs(mean(SHORT_TERM_BLOCKS)));
        self.blocks += 1;
        if self.blocks.is_multiple_of(PEAK_BLOCKS) {
            self.flush_peak();
        }
    }

    fn flush_peak(&mut self) {
        self.curve.peak.push(db(self.peak_now));
        self.peak_now = 0.0;
        self.pending = false;
    }

    /// The curves so far; a last partial second gets its peak too.
    pub(crate) fn curve(&self) -> LoudnessCurve {
        let mut curve = self.curve.clone();
        if self.pending {
            curve.peak.push(db(self.peak_now));
        }
        curve
    }
}

/// Loudness of a mean square energy (BS.1770), LUFS.
fn lufs(energy: f64) -> f32 {
    if energy > 0.0 {
        (-0.691 + 10.0 * energy.log10()) as f32
    } else {
        f32::NEG_INFINITY
    }
}

fn db(amplitude: f64) -> f32 {
    if amplitude > 0.0 {
        (20.0 * amplitude.log10()) as f32
    } else {
        f32::NEG_INFINITY
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::loudness::LoudnessMeter;

    fn sine(rate: u32, seconds: f64, amp: f32) -> Vec<f32> {
        let n = (f64::from(rate) * seconds) as usize;
        (0..n)
            .map(|i| amp * (std::f32::consts::TAU * 997.0 * i as f32 / rate as f32).sin())
            .collect()
    }

    /// A step from −30 to −18 LUFS: the short-term curve reads each level
    /// within 0.5 LU once its 3 s window holds only that level.
    #[test]
    fn short_term_follows_a_loudness_step() {
        let rate = 48_000;
        // A 1 kHz sine of amplitude a reads 20·log10(a) − 3.01 LUFS.
        let level = |lufs: f64| 10f64.powf((lufs + 3.01) / 20.0) as f32;
        let mut sig = sine(rate, 10.0, level(-30.0));
        sig.extend(sine(rate, 10.0, level(-18.0)));
        // Fed in odd-sized blocks, as a decoder does.
        let mut meter = LoudnessMeter::new(1, rate, -60.0, true);
        for chunk in sig.chunks(1_152) {
            meter.push(chunk);
        }
        let curve = meter.curve();
        assert_eq!(curve.short_term.len(), 200);
        assert_eq!(curve.peak.len(), 20);
        let at = |s: f64| curve.short_term[(s * CURVE_HZ) as usize - 1];
        for t in [4.0, 6.0, 9.9] {
            assert!((at(t) + 30.0).abs() < 0.5, "at {t}s: {}", at(t));
        }
        for t in [13.1, 16.0, 20.0] {
            assert!((at(t) + 18.0).abs() < 0.5, "at {t}s: {}", at(t));
        }
        // Momentary reacts within 400 ms, short-term takes its 3 s.
        assert!((curve.momentary[104] + 18.0).abs() < 0.5);
        assert!(at(11.0) < -19.0);
        // True peak per second: about the sine's amplitude.
        let peak = 20.0 * f64::from(level(-18.0)).log10();
        assert!((f64::from(curve.peak[15]) - peak).abs() < 0.2);
        assert!(f64::from(curve.peak[5]) < peak - 10.0);
    }

    #[test]
    fn silence_reads_minus_infinity() {
        let mut meter = LoudnessMeter::new(2, 44_100, -60.0, false);
        meter.push(&vec![0.0; 44_100 * 2]);
        let curve = meter.curve();
        assert_eq!(curve.momentary.len(), 10);
        assert!(curve.momentary.iter().all(|v| *v == f32::NEG_INFINITY));
        assert!(!curve.true_peak);
        assert_eq!(curve.max_short_term(), None);
    }
}
