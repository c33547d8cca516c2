//! Integer-factor decimation with a windowed-sinc low-pass: the reduced
//! rate (~22 kHz) at which onsets and chroma are analysed.

/// The analysis rate aimed for, Hz.
pub const TARGET_RATE: f64 = 22_050.0;

/// A streaming decimator by an integer factor.
#[derive(Debug)]
pub struct Decimator {
    factor: usize,
    taps: Vec<f32>,
    buf: Vec<f32>,
}

impl Decimator {
    /// Decimates by `factor` (1 passes samples through).
    pub fn new(factor: usize) -> Self {
        let factor = factor.max(1);
        let taps = if factor == 1 {
            vec![1.0]
        } else {
            lowpass(0.45 / factor as f64, 12 * factor + 1)
        };
        Self {
            factor,
            buf: vec![0.0; taps.len() - 1],
            taps,
        }
    }

    /// The factor that brings `rate` closest to [`TARGET_RATE`] (never up).
    pub fn factor_for(rate: u32) -> usize {
        ((f64::from(rate) / TARGET_RATE).round() as usize).max(1)
    }

    /// The decimation factor.
    pub fn factor(&self) -> usize {
        self.factor
    }

    /// Filters and decimates `input`, appending to `out`.
    pub fn process(&mut self, input: &[f32], out: &mut Vec<f32>) {
        if self.factor == 1 {
            out.extend_from_slice(input);
            return;
        }
        self.buf.extend_from_slice(input);
        let n = self.taps.len();
        let mut pos = 0;
        while pos + n <= self.buf.len() {
            let window = &self.buf[pos..pos + n];
            let y: f32 = window.iter().zip(&self.taps).map(|(a, b)| a * b).sum();
            out.push(y);
            pos += self.factor;
        }
        self.buf.drain(..pos);
    }
}

/// A Blackman-windowed sinc low-pass with `cutoff` in cycles per sample.
fn lowpass(cutoff: f64, len: usize) -> Vec<f32> {
    let mid = (len - 1) as f64 / 2.0;
    let mut taps: Vec<f64> = (0..len)
        .map(|i| {
            let x = i as f64 - mid;
            let sinc = if x == 0.0 {
                2.0 * cutoff
            } else {
                (std::f64::consts::TAU * cutoff * x).sin() / (std::f64::consts::PI * x)
            };
            let t = std::f64::consts::TAU * i as f64 / (len - 1) as f64;
            sinc * (0.42 - 0.5 * t.cos() + 0.08 * (2.0 * t).cos())
        })
        .collect();
    let sum: f64 = taps.iter().sum();
    for t in &mut taps {
        *t /= sum;
    }
    taps.into_iter().map(|t| t as f32).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(freq: f32, rate: f32, n: usize) -> Vec<f32> {
        (0..n)
            .map(|i| (std::f32::consts::TAU * freq * i as f32 / rate).sin())
            .collect()
    }

    fn rms(x: &[f32]) -> f32 {
        (x.iter().map(|v| v * v).sum::<f32>() / x.len() as f32).sqrt()
    }

    #[test]
    fn passes_low_and_blocks_aliases() {
        assert_eq!(Decimator::factor_for(44_100), 2);
        assert_eq!(Decimator::factor_for(48_000), 2);
        assert_eq!(Decimator::factor_for(192_000), 9);
        assert_eq!(Decimator::factor_for(8_000), 1);
        let mut d = Decimator::new(2);
        let mut out = Vec::new();
        for c in tone(1000.0, 44_100.0, 44_100).chunks(333) {
            d.process(c, &mut out);
        }
        assert!((out.len() as i64 - 22_050).abs() < 20);
        assert!((rms(&out[100..]) - std::f32::consts::FRAC_1_SQRT_2).abs() < 0.01);
        let mut d = Decimator::new(2);
        let mut out = Vec::new();
        d.process(&tone(16_000.0, 44_100.0, 44_100), &mut out);
        assert!(rms(&out[100..]) < 0.01);
    }
}
