//! EBU R128 / ITU-R BS.1770-4 loudness (integrated, range, true peak), plus
//! plain levels: RMS, sample peak, leading and trailing silence.

use super::series::LoudnessCurve;
use super::series::loudness_curve::CurveFollower;
use ebur128::{EbuR128, Mode};
use serde::Serialize;

/// Level below which samples count as silence unless told otherwise, dBFS.
pub const DEFAULT_SILENCE_DBFS: f32 = -60.0;
/// Whether the oversampled true peak is measured unless told otherwise.
pub const DEFAULT_TRUE_PEAK: bool = true;
/// EBU R128's target integrated loudness, LUFS.
pub const R128_TARGET_LUFS: f64 = -23.0;
/// How far from the target integrated loudness may be, LU.
pub const R128_TOLERANCE_LU: f64 = 1.0;
/// EBU R128's ceiling for the true peak, dBTP.
pub const R128_MAX_TRUE_PEAK_DBTP: f64 = -1.0;

/// Loudness and level figures for one file. `None` where a figure is not
/// defined (e.g. integrated loudness of pure silence).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LoudnessReport {
    /// Integrated loudness, LUFS.
    pub integrated_lufs: Option<f64>,
    /// Loudness range, LU.
    pub range_lu: Option<f64>,
    /// Maximum true peak over channels, dBTP.
    pub true_peak_dbtp: Option<f64>,
    /// RMS over all channels, dBFS (a full-scale sine reads −3 dBFS).
    pub rms_dbfs: Option<f64>,
    /// Maximum absolute sample, dBFS.
    pub peak_dbfs: Option<f64>,
    /// Seconds before the first sample above the silence threshold.
    pub leading_silence_s: f64,
    /// Seconds after the last sample above the silence threshold.
    pub trailing_silence_s: f64,
    /// Confidence in 0..=1: low for very short or almost silent input.
    pub confidence: f64,
}

/// Accumulates loudness and levels over interleaved blocks.
pub struct LoudnessMeter {
    ebu: Option<EbuR128>,
    channels: usize,
    rate: u32,
    threshold: f32,
    sum_sq: f64,
    samples: u64,
    peak: f32,
    frames: u64,
    first_loud: Option<u64>,
    last_loud: Option<u64>,
    curve: CurveFollower,
}

impl std::fmt::Debug for LoudnessMeter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoudnessMeter")
            .field("channels", &self.channels)
            .field("rate", &self.rate)
            .finish()
    }
}

impl LoudnessMeter {
    /// A meter for `channels` at `rate` Hz. Samples whose magnitude stays
    /// below `silence_dbfs` count as silence. `true_peak` turns on the
    /// (costlier) oversampled peak measurement.
    pub fn new(channels: usize, rate: u32, silence_dbfs: f32, true_peak: bool) -> Self {
        let mut mode = Mode::I | Mode::LRA | Mode::HISTOGRAM | Mode::SAMPLE_PEAK;
        if true_peak {
            mode |= Mode::TRUE_PEAK;
        }
        let ch = u32::try_from(channels).unwrap_or(0);
        // The R128 filters need a real stream; a degenerate one just has no loudness.
        let ebu = EbuR128::new(ch, rate, mode).ok();
        Self {
            ebu,
            channels: channels.max(1),
            rate,
            threshold: 10f32.powf(silence_dbfs / 20.0),
            sum_sq: 0.0,
            samples: 0,
            peak: 0.0,
            frames: 0,
            first_loud: None,
            last_loud: None,
            curve: CurveFollower::new(rate, true_peak),
        }
    }

    /// Adds interleaved frames.
    pub fn push(&mut self, interleaved: &[f32]) {
        self.feed_meter(interleaved);
        let mut sum = 0.0f32;
        let mut peak = self.peak;
        // Partial sums in f32 per block keep this fast; the total is f64.
        for (i, frame) in interleaved.chunks_exact(self.channels).enumerate() {
            let mut loud = false;
            for &s in frame {
                sum += s * s;
                let a = s.abs();
                peak = peak.max(a);
                loud |= a > self.threshold;
            }
            if loud {
                let idx = self.frames + i as u64;
                self.first_loud.get_or_insert(idx);
                self.last_loud = Some(idx);
            }
        }
        self.peak = peak;
        self.sum_sq += f64::from(sum);
        self.samples += interleaved.len() as u64;
        self.frames += (interleaved.len() / self.channels) as u64;
    }

    /// Feeds the R128 meter in pieces that end on its 100 ms blocks, so
    /// the curves read each block as it completes.
    fn feed_meter(&mut self, interleaved: &[f32]) {
        let Some(ebu) = self.ebu.as_mut() else { return };
        let channels = self.channels;
        let mut rest = interleaved;
        while rest.len() >= channels {
            let frames = (rest.len() / channels).min(self.curve.room());
            let (piece, tail) = rest.split_at(frames * channels);
            if ebu.add_frames_f32(piece).is_err() {
                self.ebu = None;
                return;
            }
            self.curve.advance(ebu, channels as u32, frames);
            rest = tail;
        }
    }

    /// Momentary and short-term loudness and the peak per second so far.
    pub fn curve(&self) -> LoudnessCurve {
        self.curve.curve()
    }

    /// The figures so far.
    pub fn report(&self) -> LoudnessReport {
        let rate = f64::from(self.rate.max(1));
        let duration = self.frames as f64 / rate;
        let finite = |v: f64| v.is_finite().then_some(v);
        let (integrated, range, true_peak) = match &self.ebu {
            Some(ebu) => {
                let tp = (0..self.channels as u32)
                    .filter_map(|c| ebu.true_peak(c).ok())
                    .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))));
                (
                    ebu.loudness_global().ok().and_then(finite),
                    ebu.loudness_range().ok().and_then(finite),
                    tp.filter(|&v| v > 0.0).map(|v| 20.0 * v.log10()),
                )
            }
            None => (None, None, None),
        };
        let db = |v: f64| (v > 0.0).then(|| 20.0 * v.log10());
        let rms = if self.samples > 0 {
            (self.sum_sq / self.samples as f64).sqrt()
        } else {
            0.0
        };
        let (lead, trail) = match (self.first_loud, self.last_loud) {
            (Some(a), Some(b)) => (a as f64 / rate, (self.frames - b - 1) as f64 / rate),
            _ => (duration, duration),
        };
        // Gating needs 400 ms blocks; below ~3 s the range is not meaningful.
        let confidence = if integrated.is_none() {
            0.0
        } else {
            (duration / 3.0).clamp(0.2, 1.0)
        };
        LoudnessReport {
            integrated_lufs: integrated,
            range_lu: range,
            true_peak_dbtp: true_peak.or_else(|| db(f64::from(self.peak))),
            rms_dbfs: db(rms),
            peak_dbfs: db(f64::from(self.peak)),
            leading_silence_s: lead,
            trailing_silence_s: trail,
            confidence,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silence_and_levels() {
        let rate = 1000;
        let mut m = LoudnessMeter::new(1, rate, -60.0, false);
        let mut sig = vec![0.0f32; 3000];
        for (i, s) in sig.iter_mut().enumerate().skip(500).take(2000) {
            *s = if i % 2 == 0 { 0.5 } else { -0.5 };
        }
        m.push(&sig);
        let r = m.report();
        assert!((r.leading_silence_s - 0.5).abs() < 1e-9);
        assert!((r.trailing_silence_s - 0.5).abs() < 1e-9);
        assert!((r.peak_dbfs.unwrap() - 20.0 * 0.5f64.log10()).abs() < 1e-6);
        let rms = (0.25f64 * 2000.0 / 3000.0).sqrt();
        assert!((r.rms_dbfs.unwrap() - 20.0 * rms.log10()).abs() < 1e-4);
    }
}
