//! Helpers for the app tests: a runtime, the harness around the real app,
//! dropped files, and generated audio (a 120 BPM groove as 16-bit WAV).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::f64::consts::TAU;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use wave_studio::app::WaveStudioApp;

pub const RATE: u32 = 44_100;

/// A multi-thread runtime for the app's runs (the app only gets a Handle).
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// The real app in a headless harness.
pub fn harness(app: WaveStudioApp) -> Harness<'static, WaveStudioApp> {
    Harness::builder()
        .with_size(egui::vec2(1600.0, 1000.0))
        .with_max_steps(64)
        .build_ui_state(|ui, app: &mut WaveStudioApp| app.frame(ui), app)
}

/// Steps frames (in real time) until `done` or `timeout`.
pub fn step_until(
    h: &mut Harness<'static, WaveStudioApp>,
    timeout: Duration,
    done: impl Fn(&WaveStudioApp) -> bool,
) -> bool {
    let start = Instant::now();
    while start.elapsed() < timeout {
        h.step();
        if done(h.state()) {
            h.run_steps(2);
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

/// A file "dropped" on the window, as the windowing backend would give it.
#[derive(Debug)]
pub struct Dropped(pub PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

/// Drops `paths` on the harness's window (next frame).
pub fn drop_files(h: &mut Harness<'static, WaveStudioApp>, paths: &[PathBuf]) {
    for p in paths {
        h.input_mut()
            .dropped_files
            .push(Arc::new(Dropped(p.clone())));
    }
}

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

/// Music-like: a kick/hat pattern at `bpm` over a sustained C major triad
/// with a bass note, so both tempo and key have a clear answer.
pub fn groove(bpm: f64, seconds: f64, seed: u64) -> Vec<f32> {
    let rate = f64::from(RATE);
    let n = (seconds * rate) as usize;
    let beat = 60.0 / bpm;
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut out = vec![0f32; n];
    for (freq, amp) in [(261.63, 0.08), (329.63, 0.07), (392.0, 0.07), (130.81, 0.1)] {
        for (i, o) in out.iter_mut().enumerate() {
            let t = i as f64 / rate;
            let mut s = 0.0;
            for h in 1..=3 {
                s += (TAU * freq * f64::from(h) * t).sin() / f64::from(h);
            }
            *o += (amp * s) as f32;
        }
    }
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
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "wave-gui-{tag}-{}-{}",
            std::process::id(),
            fastrand::u64(..)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Whether some node's label contains `text`.
pub fn shows(h: &Harness<'static, WaveStudioApp>, text: &str) -> bool {
    use egui_kittest::kittest::Queryable;
    h.query_all_by_label_contains(text).next().is_some()
}

/// Whether some node's label is `text`.
pub fn shows_exactly(h: &Harness<'static, WaveStudioApp>, text: &str) -> bool {
    use egui_kittest::kittest::Queryable;
    h.query_all_by_label(text).next().is_some()
}
