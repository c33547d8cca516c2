//! Chroma (pitch-class profiles) from spectral peaks, with harmonic
//! weighting and a tuning estimate: the compact artifact for key detection.

use super::decimate::Decimator;
use super::stft::Stft;

/// Fine bins per semitone before tuning is known.
const FINE: usize = 3;
/// Lowest and highest peak frequencies considered, Hz.
const F_MIN: f64 = 50.0;
const F_MAX: f64 = 5000.0;
/// Harmonics credited back to their fundamental, and the decay per harmonic.
const HARMONICS: usize = 4;
const HARMONIC_DECAY: f32 = 0.6;
/// Peak amplitudes are compressed (`amp^0.7`) so a loud bass note does not
/// outweigh the harmony: on generated songs with drums, 70/72 keys exact
/// against 67/72 uncompressed.
const AMP_EXPONENT: f32 = 0.7;

/// Streams samples at the analysis rate into chroma frames.
#[derive(Debug)]
pub struct ChromaExtractor {
    decimator: Decimator,
    reduced: Vec<f32>,
    stft: Stft,
    bin_hz: f64,
    fine: Vec<[f32; 12 * FINE]>,
    tuning_re: f64,
    tuning_im: f64,
    frame_rate: f64,
}

/// Chroma frames of a file, tuned to the estimated reference.
#[derive(Debug, Clone, PartialEq)]
pub struct Chroma {
    /// One 12-bin profile per frame, C first, each scaled to max 1 (or all 0).
    pub frames: Vec<[f32; 12]>,
    /// Frames per second.
    pub frame_rate: f64,
    /// Estimated tuning offset from A440, in semitones (−0.5..0.5).
    pub tuning_semitones: f64,
}

impl ChromaExtractor {
    /// An extractor for a stream at `rate` Hz; it halves the rate again
    /// (to ~11 kHz) for fine frequency resolution at low cost.
    pub fn new(rate: f64) -> Self {
        let factor = ((rate / 11_025.0).round() as usize).max(1);
        let reduced_rate = rate / factor as f64;
        let size = if reduced_rate > 12_000.0 { 8192 } else { 4096 };
        let stft = Stft::new(size, size / 2);
        Self {
            decimator: Decimator::new(factor),
            reduced: Vec::new(),
            bin_hz: reduced_rate / size as f64,
            frame_rate: reduced_rate / (size / 2) as f64,
            stft,
            fine: Vec::new(),
            tuning_re: 0.0,
            tuning_im: 0.0,
        }
    }

    /// Adds samples at the analysis rate.
    pub fn push(&mut self, samples: &[f32]) {
        self.reduced.clear();
        self.decimator.process(samples, &mut self.reduced);
        let (bin_hz, fine, re, im) = (
            self.bin_hz,
            &mut self.fine,
            &mut self.tuning_re,
            &mut self.tuning_im,
        );
        self.stft.push(&self.reduced, |_, mags| {
            let mut frame = [0.0f32; 12 * FINE];
            let lo = ((F_MIN / bin_hz).ceil() as usize).max(1);
            let hi = ((F_MAX / bin_hz) as usize).min(mags.len().saturating_sub(2));
            let floor = mags.iter().cloned().fold(0.0f32, f32::max) * 0.01;
            if floor <= 1e-6 {
                fine.push(frame);
                return;
            }
            for k in lo..=hi {
                let (a, b, c) = (mags[k - 1], mags[k], mags[k + 1]);
                if !(b > a && b >= c && b > floor) {
                    continue;
                }
                // Parabolic interpolation on log magnitude.
                let (la, lb, lc) = (a.max(1e-9).ln(), b.ln(), c.max(1e-9).ln());
                let den = la - 2.0 * lb + lc;
                let delta = if den.abs() > 1e-12 {
                    (0.5 * (la - lc) / den).clamp(-0.5, 0.5)
                } else {
                    0.0
                };
                let amp = (lb - 0.25 * (la - lc) * delta).exp();
                let freq = (k as f64 + f64::from(delta)) * bin_hz;
                let midi = 69.0 + 12.0 * (freq / 440.0).log2();
                let dev = midi - midi.round();
                let w = f64::from(amp);
                *re += w * (std::f64::consts::TAU * dev).cos();
                *im += w * (std::f64::consts::TAU * dev).sin();
                let mut weight = amp.powf(AMP_EXPONENT);
                for h in 1..=HARMONICS {
                    let pitch = midi - 12.0 * (h as f64).log2();
                    add_fine(&mut frame, pitch, weight);
                    weight *= HARMONIC_DECAY;
                }
            }
            fine.push(frame);
        });
    }

    /// Ends the stream: estimates tuning and folds fine frames to 12 bins.
    pub fn finish(self) -> Chroma {
        let tuning = if self.tuning_re.hypot(self.tuning_im) > 0.0 {
            self.tuning_im.atan2(self.tuning_re) / std::f64::consts::TAU
        } else {
            0.0
        };
        let frames = self.fine.iter().map(|f| fold(f, tuning)).collect();
        Chroma {
            frames,
            frame_rate: self.frame_rate,
            tuning_semitones: tuning,
        }
    }
}

/// Adds `w` at fractional MIDI pitch `midi`, split between two fine bins.
fn add_fine(frame: &mut [f32; 12 * FINE], midi: f64, w: f32) {
    let n = (12 * FINE) as f64;
    let pos = (midi * FINE as f64).rem_euclid(n);
    let i = pos.floor() as usize % (12 * FINE);
    let frac = (pos - pos.floor()) as f32;
    frame[i] += w * (1.0 - frac);
    frame[(i + 1) % (12 * FINE)] += w * frac;
}

/// Folds a fine frame to 12 pitch classes centred on the tuned semitones,
/// scaled to max 1.
fn fold(fine: &[f32; 12 * FINE], tuning: f64) -> [f32; 12] {
    let n = 12 * FINE;
    let mut out = [0.0f32; 12];
    for (pc, o) in out.iter_mut().enumerate() {
        let centre = (pc as f64 + tuning) * FINE as f64;
        // A triangular kernel over ±FINE fine bins around the centre.
        let mut acc = 0.0f32;
        for j in -(FINE as i64)..=(FINE as i64) {
            let pos = centre + j as f64;
            let base = pos.floor();
            let frac = (pos - base) as f32;
            let i = (base as i64).rem_euclid(n as i64) as usize;
            let v = fine[i] * (1.0 - frac) + fine[(i + 1) % n] * frac;
            acc += v * (1.0 - (j.unsigned_abs() as f32) / (FINE as f32 + 1.0));
        }
        *o = acc;
    }
    let max = out.iter().cloned().fold(0.0f32, f32::max);
    if max > 0.0 {
        for v in &mut out {
            *v /= max;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_detuned_triad_reads_its_notes_and_tuning() {
        let rate = 22_050.0f64;
        let detune = 0.2; // semitones sharp
        let notes = [57.0, 61.0, 64.0]; // A3 C#4 E4
        let sig: Vec<f32> = (0..(rate as usize * 3))
            .map(|i| {
                let t = i as f64 / rate;
                notes
                    .iter()
                    .map(|&m| {
                        let f = 440.0 * 2f64.powf((m + detune - 69.0) / 12.0);
                        (0.2 * (std::f64::consts::TAU * f * t).sin()) as f32
                    })
                    .sum()
            })
            .collect();
        let mut c = ChromaExtractor::new(rate);
        c.push(&sig);
        let chroma = c.finish();
        assert!(
            (chroma.tuning_semitones - detune).abs() < 0.05,
            "{}",
            chroma.tuning_semitones
        );
        let mut sum = [0.0f32; 12];
        for f in &chroma.frames {
            for (s, v) in sum.iter_mut().zip(f) {
                *s += v;
            }
        }
        let mut order: Vec<usize> = (0..12).collect();
        order.sort_by(|&a, &b| sum[b].total_cmp(&sum[a]));
        let mut top = order[..3].to_vec();
        top.sort();
        assert_eq!(top, vec![1, 4, 9], "{sum:?}");
    }
}
