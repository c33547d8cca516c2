//! Short-time Fourier transform over a stream: samples in, magnitude
//! frames out. Built once, then fed block by block; no allocation per frame.

use std::sync::Arc;

use realfft::num_complex::Complex;
use realfft::{RealFftPlanner, RealToComplex};

/// A streaming STFT with a Hann window. Magnitudes are scaled so that a
/// sine of amplitude `a` centred on a bin reads `a`.
pub struct Stft {
    fft: Arc<dyn RealToComplex<f32>>,
    window: Vec<f32>,
    frame: Vec<f32>,
    spectrum: Vec<Complex<f32>>,
    scratch: Vec<Complex<f32>>,
    mags: Vec<f32>,
    pending: Vec<f32>,
    hop: usize,
    scale: f32,
}

impl std::fmt::Debug for Stft {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stft")
            .field("size", &self.window.len())
            .field("hop", &self.hop)
            .finish()
    }
}

impl Stft {
    /// A transform of `size` samples advancing `hop` samples per frame
    /// (both at least 1; `hop` is clamped to `size`).
    pub fn new(size: usize, hop: usize) -> Self {
        let size = size.max(2);
        let hop = hop.clamp(1, size);
        let fft = RealFftPlanner::<f32>::new().plan_fft_forward(size);
        let window = hann(size);
        let sum: f32 = window.iter().sum();
        let spectrum = fft.make_output_vec();
        let scratch = fft.make_scratch_vec();
        Self {
            mags: vec![0.0; spectrum.len()],
            frame: vec![0.0; size],
            pending: Vec::with_capacity(size + 8192),
            fft,
            window,
            spectrum,
            scratch,
            hop,
            scale: if sum > 0.0 { 2.0 / sum } else { 0.0 },
        }
    }

    /// Frame length in samples.
    pub fn size(&self) -> usize {
        self.window.len()
    }

    /// Hop in samples.
    pub fn hop(&self) -> usize {
        self.hop
    }

    /// Number of magnitude bins (`size / 2 + 1`).
    pub fn bins(&self) -> usize {
        self.mags.len()
    }

    /// Appends `input`; for every complete frame calls `on_frame` with the
    /// raw (unwindowed) samples and the magnitude spectrum.
    pub fn push(&mut self, input: &[f32], mut on_frame: impl FnMut(&[f32], &[f32])) {
        self.pending.extend_from_slice(input);
        let size = self.window.len();
        let mut start = 0;
        while start + size <= self.pending.len() {
            let raw = &self.pending[start..start + size];
            for ((dst, &x), &w) in self.frame.iter_mut().zip(raw).zip(&self.window) {
                *dst = x * w;
            }
            // Lengths come from the planner itself, so this cannot fail.
            if self
                .fft
                .process_with_scratch(&mut self.frame, &mut self.spectrum, &mut self.scratch)
                .is_ok()
            {
                for (m, c) in self.mags.iter_mut().zip(&self.spectrum) {
                    *m = c.norm() * self.scale;
                }
                on_frame(raw, &self.mags);
            }
            start += self.hop;
        }
        self.pending.drain(..start.min(self.pending.len()));
    }
}

/// A periodic Hann window of `n` points.
pub fn hann(n: usize) -> Vec<f32> {
    (0..n)
        .map(|i| {
            let x = std::f64::consts::TAU * i as f64 / n as f64;
            (0.5 - 0.5 * x.cos()) as f32
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Naive DFT magnitudes of a Hann-windowed frame, same scaling.
    fn naive(frame: &[f32]) -> Vec<f32> {
        let n = frame.len();
        let w = hann(n);
        let sum: f64 = w.iter().map(|&v| f64::from(v)).sum();
        (0..=n / 2)
            .map(|k| {
                let (mut re, mut im) = (0.0f64, 0.0f64);
                for (i, (&x, &wi)) in frame.iter().zip(&w).enumerate() {
                    let ph = -std::f64::consts::TAU * (k * i) as f64 / n as f64;
                    re += f64::from(x * wi) * ph.cos();
                    im += f64::from(x * wi) * ph.sin();
                }
                ((re * re + im * im).sqrt() * 2.0 / sum) as f32
            })
            .collect()
    }

    #[test]
    fn matches_naive_dft_and_streams_in_any_block_size() {
        let mut rng = fastrand::Rng::with_seed(7);
        let signal: Vec<f32> = (0..1000).map(|_| rng.f32() * 2.0 - 1.0).collect();
        let mut stft = Stft::new(256, 100);
        let mut frames = Vec::new();
        for chunk in signal.chunks(37) {
            stft.push(chunk, |raw, mags| {
                frames.push((raw.to_vec(), mags.to_vec()))
            });
        }
        assert_eq!(frames.len(), (1000 - 256) / 100 + 1);
        for (i, (raw, mags)) in frames.iter().enumerate() {
            assert_eq!(raw.as_slice(), &signal[i * 100..i * 100 + 256]);
            for (a, b) in mags.iter().zip(naive(raw)) {
                assert!((a - b).abs() < 1e-4, "{a} vs {b}");
            }
        }
    }

    #[test]
    fn sine_amplitude_reads_back() {
        let sig: Vec<f32> = (0..512)
            .map(|i| 0.5 * (std::f32::consts::TAU * 32.0 * i as f32 / 512.0).sin())
            .collect();
        let mut stft = Stft::new(512, 512);
        let mut peak = 0.0;
        stft.push(&sig, |_, m| peak = m[32]);
        assert!((peak - 0.5).abs() < 1e-3);
    }
}
