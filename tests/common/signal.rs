//! Test audio: generated signals with known answers, written as WAV.
#![allow(dead_code, reason = "shared by several test crates, each using a part")]

use std::f64::consts::TAU;
use std::path::Path;

pub const RATE: u32 = 44_100;

/// Writes 16-bit PCM WAV, interleaved `channels`.
pub fn write_wav(path: &Path, samples: &[f32], channels: u16, rate: u32) {
    let data_len = (samples.len() * 2) as u32;
    let mut out = Vec::with_capacity(44 + samples.len() * 2);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&channels.to_le_bytes());
    out.extend_from_slice(&rate.to_le_bytes());
    out.extend_from_slice(&(rate * u32::from(channels) * 2).to_le_bytes());
    out.extend_from_slice(&(channels * 2).to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    for &s in samples {
        let v = (s.clamp(-1.0, 1.0) * 32767.0).round() as i16;
        out.extend_from_slice(&v.to_le_bytes());
    }
    std::fs::write(path, out).unwrap();
}

/// Mono to interleaved stereo.
pub fn stereo(mono: &[f32]) -> Vec<f32> {
    mono.iter().flat_map(|&s| [s, s]).collect()
}

/// A sine at `amplitude` (peak, linear).
pub fn sine(freq: f64, seconds: f64, amplitude: f64) -> Vec<f32> {
    let n = (seconds * f64::from(RATE)) as usize;
    (0..n)
        .map(|i| (amplitude * (TAU * freq * i as f64 / f64::from(RATE)).sin()) as f32)
        .collect()
}

/// Music-like: a kick/hat pattern at `bpm` over a sustained C major triad
/// with a bass note, so both tempo and key have a clear answer.
pub fn groove(bpm: f64, seconds: f64, seed: u64) -> Vec<f32> {
    let rate = f64::from(RATE);
    let n = (seconds * rate) as usize;
    let beat = 60.0 / bpm;
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut out = vec![0f32; n];
    // Chord pad: C4 E4 G4 and C3, with a few harmonics.
    for (freq, amp) in [(261.63, 0.08), (329.63, 0.07), (392.0, 0.07), (130.81, 0.1)] {
        for (i, o) in out.iter_mut().enumerate() {
            let t = i as f64 / rate;
            let mut s = 0.0;
            for h in 1..=3 {
                s += (TAU * freq * h as f64 * t).sin() / h as f64;
            }
            *o += (amp * s) as f32;
        }
    }
    // Kick on every beat (decaying 60 Hz thump), hat on off-beats (noise).
    let mut t = 0.0;
    while t < seconds {
        let start = (t * rate) as usize;
        for k in 0..(0.15 * rate) as usize {
            let Some(o) = out.get_mut(start + k) else {
                break;
            };
            let tt = k as f64 / rate;
            *o += (0.6 * (-tt * 30.0).exp() * (TAU * 60.0 * tt).sin()) as f32;
        }
        let hat = ((t + beat / 2.0) * rate) as usize;
        for k in 0..(0.03 * rate) as usize {
            let Some(o) = out.get_mut(hat + k) else { break };
            *o += (0.15 * (-(k as f64 / rate) * 150.0).exp() * (rng.f64() * 2.0 - 1.0)) as f32;
        }
        t += beat;
    }
    out
}

/// A temporary folder removed on drop.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "wave-{tag}-{}-{}",
            std::process::id(),
            fastrand::u64(..)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    pub fn path(&self, name: &str) -> std::path::PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
