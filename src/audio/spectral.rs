//! Spectral shape over frames: centroid, 85 % rolloff, flatness, flux and
//! zero-crossing rate, each as a mean and standard deviation.

use serde::Serialize;

use super::stft::Stft;

/// Frame length of the spectral analysis, in samples at the native rate.
pub const FRAME: usize = 2048;
/// Frames below this RMS (about −80 dBFS) have no meaningful shape.
const SILENT_RMS: f32 = 1e-4;

/// Mean and standard deviation of one feature over frames.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Stat {
    /// Mean over frames.
    pub mean: f64,
    /// Population standard deviation over frames.
    pub std: f64,
}

/// Spectral summary of a file.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SpectralReport {
    /// Magnitude-weighted mean frequency, Hz.
    pub centroid_hz: Stat,
    /// Frequency below which 85 % of the magnitude lies, Hz.
    pub rolloff_hz: Stat,
    /// Geometric over arithmetic mean of the power spectrum, 0..=1.
    pub flatness: Stat,
    /// L2 norm of the change in magnitude spectrum between frames.
    pub flux: Stat,
    /// Fraction of adjacent samples that change sign, 0..=1.
    pub zcr: Stat,
    /// Frames that were not silent (the others are left out).
    pub frames: u64,
    /// Confidence in 0..=1 (grows with the number of frames).
    pub confidence: f64,
}

/// Features of one frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FrameFeatures {
    /// Centroid, Hz.
    pub centroid: f64,
    /// 85 % rolloff, Hz.
    pub rolloff: f64,
    /// Spectral flatness.
    pub flatness: f64,
    /// Zero-crossing rate.
    pub zcr: f64,
}

/// Computes the shape features of one magnitude spectrum (`bin_hz` apart)
/// and its time-domain frame.
pub fn frame_features(raw: &[f32], mags: &[f32], bin_hz: f64) -> FrameFeatures {
    let (mut sum, mut wsum) = (0.0f64, 0.0f64);
    let (mut log_pow, mut pow) = (0.0f64, 0.0f64);
    for (k, &m) in mags.iter().enumerate() {
        let m = f64::from(m);
        sum += m;
        wsum += m * k as f64 * bin_hz;
        let p = (m * m).max(1e-20);
        log_pow += p.ln();
        pow += p;
    }
    let n = mags.len().max(1) as f64;
    let centroid = if sum > 0.0 { wsum / sum } else { 0.0 };
    let target = 0.85 * sum;
    let mut acc = 0.0;
    let mut rolloff = 0.0;
    for (k, &m) in mags.iter().enumerate() {
        acc += f64::from(m);
        if acc >= target {
            rolloff = k as f64 * bin_hz;
            break;
        }
    }
    let flatness = if pow > 0.0 {
        ((log_pow / n).exp() / (pow / n)).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let crossings = raw
        .windows(2)
        .filter(|w| (w[0] >= 0.0) != (w[1] >= 0.0))
        .count();
    let zcr = crossings as f64 / (raw.len().max(2) - 1) as f64;
    FrameFeatures {
        centroid,
        rolloff,
        flatness,
        zcr,
    }
}

#[derive(Debug, Default, Clone, Copy)]
struct Acc {
    n: u64,
    sum: f64,
    sum_sq: f64,
}

impl Acc {
    fn add(&mut self, v: f64) {
        self.n += 1;
        self.sum += v;
        self.sum_sq += v * v;
    }
    fn stat(&self) -> Stat {
        if self.n == 0 {
            return Stat::default();
        }
        let mean = self.sum / self.n as f64;
        let var = (self.sum_sq / self.n as f64 - mean * mean).max(0.0);
        Stat {
            mean,
            std: var.sqrt(),
        }
    }
}

/// Streams mono samples at the native rate into spectral statistics.
#[derive(Debug)]
pub struct SpectralAnalyzer {
    stft: Stft,
    bin_hz: f64,
    prev: Vec<f32>,
    has_prev: bool,
    acc: [Acc; 5],
}

impl SpectralAnalyzer {
    /// An analyser for a stream at `rate` Hz (non-overlapping frames of
    /// [`FRAME`] samples).
    pub fn new(rate: u32) -> Self {
        let stft = Stft::new(FRAME, FRAME);
        let bins = stft.bins();
        Self {
            stft,
            bin_hz: f64::from(rate) / FRAME as f64,
            prev: vec![0.0; bins],
            has_prev: false,
            acc: [Acc::default(); 5],
        }
    }

    /// Adds mono samples.
    pub fn push(&mut self, mono: &[f32]) {
        let (bin_hz, prev, has_prev, acc) = (
            self.bin_hz,
            &mut self.prev,
            &mut self.has_prev,
            &mut self.acc,
        );
        self.stft.push(mono, |raw, mags| {
            let energy: f32 = raw.iter().map(|x| x * x).sum::<f32>() / raw.len().max(1) as f32;
            if energy.sqrt() < SILENT_RMS {
                *has_prev = false;
                return;
            }
            let f = frame_features(raw, mags, bin_hz);
            acc[0].add(f.centroid);
            acc[1].add(f.rolloff);
            acc[2].add(f.flatness);
            acc[4].add(f.zcr);
            if *has_prev {
                let d: f32 = mags
                    .iter()
                    .zip(prev.iter())
                    .map(|(a, b)| (a - b) * (a - b))
                    .sum();
                acc[3].add(f64::from(d.sqrt()));
            }
            prev.copy_from_slice(mags);
            *has_prev = true;
        });
    }

    /// The statistics so far.
    pub fn report(&self) -> SpectralReport {
        let frames = self.acc[0].n;
        SpectralReport {
            centroid_hz: self.acc[0].stat(),
            rolloff_hz: self.acc[1].stat(),
            flatness: self.acc[2].stat(),
            flux: self.acc[3].stat(),
            zcr: self.acc[4].stat(),
            frames,
            confidence: (frames as f64 / 20.0).min(1.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sine_centroid_rolloff_zcr() {
        let rate = 44_100u32;
        let f0 = 2000.0f32;
        let sig: Vec<f32> = (0..rate as usize)
            .map(|i| 0.5 * (std::f32::consts::TAU * f0 * i as f32 / rate as f32).sin())
            .collect();
        let mut a = SpectralAnalyzer::new(rate);
        a.push(&sig);
        let r = a.report();
        assert!(
            (r.centroid_hz.mean - 2000.0).abs() < 30.0,
            "{:?}",
            r.centroid_hz
        );
        assert!(
            (r.rolloff_hz.mean - 2000.0).abs() < 30.0,
            "{:?}",
            r.rolloff_hz
        );
        assert!(r.flatness.mean < 0.01);
        let expected_zcr = 2.0 * 2000.0 / 44_100.0;
        assert!((r.zcr.mean - expected_zcr).abs() < 0.002, "{:?}", r.zcr);
    }

    #[test]
    fn white_noise_is_flat() {
        let mut rng = fastrand::Rng::with_seed(3);
        let sig: Vec<f32> = (0..44_100).map(|_| rng.f32() - 0.5).collect();
        let mut a = SpectralAnalyzer::new(44_100);
        a.push(&sig);
        let r = a.report();
        assert!(r.flatness.mean > 0.4, "{:?}", r.flatness);
        assert!(
            (r.centroid_hz.mean - 11_025.0).abs() < 600.0,
            "{:?}",
            r.centroid_hz
        );
    }
}
