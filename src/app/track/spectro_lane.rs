//! The spectrogram lane: computed on demand on a thread of its own (a
//! second decode of the file), kept while the app runs, drawn from
//! textures of at most [`TILE`] columns each so a long file never needs
//! one texture wider than a GPU allows.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

use egui::{Color32, ColorImage, Rect, TextureHandle, TextureOptions, pos2};

use super::lanes::Frame;
use crate::audio::spectrogram::{self, ROWS, Spectrogram};

/// Columns per texture.
pub const TILE: usize = 1024;

/// One file's spectrogram, as far as it got.
pub enum Spectra {
    /// Being computed; the flag stops it when the app closes.
    Computing(mpsc::Receiver<Result<Spectrogram, String>>, Arc<AtomicBool>),
    /// Tiles: texture, first and last second.
    Ready(Vec<(TextureHandle, f64, f64)>),
    /// Why it could not be computed.
    Failed(String),
}

impl std::fmt::Debug for Spectra {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Spectra::Computing(..) => f.write_str("Computing"),
            Spectra::Ready(t) => write!(f, "Ready({} tiles)", t.len()),
            Spectra::Failed(e) => write!(f, "Failed({e})"),
        }
    }
}

impl Drop for Spectra {
    fn drop(&mut self) {
        if let Spectra::Computing(_, stop) = self {
            stop.store(true, Ordering::Relaxed);
        }
    }
}

/// The spectrograms computed this session, by file.
pub type SpectraCache = HashMap<PathBuf, Spectra>;

/// Starts `path`'s spectrogram if it is not known, and takes in a
/// finished one (building its textures).
pub fn ensure(cache: &mut SpectraCache, path: &Path, ctx: &egui::Context) {
    let entry = cache.entry(path.to_path_buf()).or_insert_with(|| {
        let (tx, rx) = mpsc::channel();
        let stop = Arc::new(AtomicBool::new(false));
        let (p, flag, wake) = (path.to_path_buf(), Arc::clone(&stop), ctx.clone());
        std::thread::spawn(move || {
            let answer = spectrogram::compute(&p, &|| flag.load(Ordering::Relaxed))
                .map_err(|e| e.to_string());
            let _ = tx.send(answer);
            wake.request_repaint();
        });
        Spectra::Computing(rx, stop)
    });
    let Spectra::Computing(rx, _) = entry else {
        return;
    };
    match rx.try_recv() {
        Ok(Ok(s)) => *entry = Spectra::Ready(tiles(ctx, &s)),
        Ok(Err(e)) => *entry = Spectra::Failed(e),
        Err(mpsc::TryRecvError::Empty) => {}
        Err(mpsc::TryRecvError::Disconnected) => {
            *entry = Spectra::Failed("the computation stopped".into());
        }
    }
}

/// Textures of `s`, [`TILE`] columns each, high frequencies on top.
fn tiles(ctx: &egui::Context, s: &Spectrogram) -> Vec<(TextureHandle, f64, f64)> {
    (0..s.columns.div_ceil(TILE))
        .map(|k| {
            let (c0, c1) = (k * TILE, ((k + 1) * TILE).min(s.columns));
            let w = c1 - c0;
            let mut pixels = Vec::with_capacity(w * ROWS);
            for row in (0..ROWS).rev() {
                for col in c0..c1 {
                    pixels.push(colour(s.levels[col * ROWS + row]));
                }
            }
            let image = ColorImage::new([w, ROWS], pixels);
            let name = format!("spectrogram-{k}");
            let texture = ctx.load_texture(name, image, TextureOptions::LINEAR);
            (texture, c0 as f64 * s.column_s, c1 as f64 * s.column_s)
        })
        .collect()
}

/// Black through purple and orange to pale yellow, as level rises.
fn colour(level: u8) -> Color32 {
    const STOPS: [(f32, [f32; 3]); 4] = [
        (0.0, [0.0, 0.0, 0.02]),
        (0.4, [0.45, 0.07, 0.5]),
        (0.75, [0.95, 0.45, 0.15]),
        (1.0, [1.0, 0.97, 0.7]),
    ];
    let x = f32::from(level) / 255.0;
    let i = STOPS.iter().rposition(|s| s.0 <= x).unwrap_or(0).min(2);
    let ((a, ca), (b, cb)) = (STOPS[i], STOPS[i + 1]);
    let t = ((x - a) / (b - a)).clamp(0.0, 1.0);
    let c = |k: usize| ((ca[k] + (cb[k] - ca[k]) * t) * 255.0) as u8;
    Color32::from_rgb(c(0), c(1), c(2))
}

/// Draws the lane; false (with the reason drawn) when there is nothing yet.
pub fn draw(f: &Frame<'_>, spectra: Option<&Spectra>, rect: Rect) {
    let tiles = match spectra {
        Some(Spectra::Ready(t)) => t,
        Some(Spectra::Failed(e)) => return f.note(rect, &format!("No spectrogram: {e}")),
        _ => return f.note(rect, "Computing the spectrogram…"),
    };
    for (texture, t0, t1) in tiles {
        let (x0, x1) = (f.x(rect, *t0), f.x(rect, *t1));
        if x1 < rect.left() || x0 > rect.right() {
            continue;
        }
        let r = Rect::from_x_y_ranges(x0..=x1, rect.y_range());
        f.painter.image(
            texture.id(),
            r,
            Rect::from_min_max(pos2(0.0, 0.0), pos2(1.0, 1.0)),
            Color32::WHITE,
        );
    }
}
