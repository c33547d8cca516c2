//! A log-frequency spectrogram of a whole file for the track view, at a
//! bounded size: 2,048-point frames every 1,024 samples, their energy in
//! [`ROWS`] bands spaced evenly in pitch from 30 Hz to 16 kHz, merged in
//! pairs of columns whenever there are more than [`MAX_COLUMNS`], so any
//! length ends with 2,048–4,096 columns (about 1 MB at most). Computed on
//! demand, never in the decode pass: it costs a second decode.

use std::path::Path;

use super::AudioError;
use super::decode::AudioStream;
use super::stft::Stft;

/// Frequency bands (image rows).
pub const ROWS: usize = 160;
/// Columns before neighbours merge.
pub const MAX_COLUMNS: usize = 4096;
const FFT: usize = 2048;
const HOP: usize = 1024;
const LOW_HZ: f64 = 30.0;
const HIGH_HZ: f64 = 16_000.0;
/// The range shown below the loudest cell, dB.
const RANGE_DB: f32 = 80.0;

/// Band energies over time: `levels[column * ROWS + row]`, row 0 the
/// lowest band, 0 = 80 dB or more below the loudest cell, 255 the loudest.
#[derive(Debug, Clone, PartialEq)]
pub struct Spectrogram {
    /// Seconds per column.
    pub column_s: f64,
    /// Columns.
    pub columns: usize,
    /// Levels, column-major.
    pub levels: Vec<u8>,
    /// Centre frequency of each row, Hz.
    pub row_hz: Vec<f64>,
}

/// Computes the spectrogram of `path`; `cancel` is asked every block.
pub fn compute(path: &Path, cancel: &dyn Fn() -> bool) -> Result<Spectrogram, AudioError> {
    let mut stream = AudioStream::open(path)?;
    let mut stft = Stft::new(FFT, HOP);
    let mut bands: Option<Vec<(usize, usize)>> = None;
    let mut row_hz = Vec::new();
    let mut rate = 44_100.0;
    // Each column: summed band energies and the frames summed.
    let mut columns: Vec<[f32; ROWS]> = Vec::new();
    let mut per_column = 1usize;
    let mut open = ([0.0f32; ROWS], 0usize);
    while let Some(block) = stream.next_block()? {
        if cancel() {
            return Err(AudioError::Cancelled {
                path: path.to_path_buf(),
            });
        }
        if bands.is_none() {
            rate = f64::from(block.rate);
            let (b, hz) = band_bins(rate);
            bands = Some(b);
            row_hz = hz;
        }
        let b = bands.as_deref().unwrap_or_default();
        stft.push(block.mono, |_, mags| {
            for (acc, &(lo, hi)) in open.0.iter_mut().zip(b) {
                let e: f32 = mags[lo..hi].iter().map(|m| m * m).sum();
                *acc += e / (hi - lo) as f32;
            }
            open.1 += 1;
            if open.1 == per_column {
                columns.push(open.0.map(|v| v / per_column as f32));
                open = ([0.0; ROWS], 0);
                if columns.len() > MAX_COLUMNS {
                    columns = merge_pairs(&columns);
                    per_column *= 2;
                }
            }
        });
    }
    if open.1 > 0 {
        columns.push(open.0.map(|v| v / open.1 as f32));
    }
    Ok(Spectrogram {
        column_s: (per_column * HOP) as f64 / rate,
        columns: columns.len(),
        levels: to_levels(&columns),
        row_hz,
    })
}

/// The FFT bins `[lo, hi)` of each band, and its centre frequency.
fn band_bins(rate: f64) -> (Vec<(usize, usize)>, Vec<f64>) {
    let bin_hz = rate / FFT as f64;
    let top = HIGH_HZ.min(0.5 * rate * 0.95);
    let edge = |i: usize| LOW_HZ * (top / LOW_HZ).powf(i as f64 / ROWS as f64);
    let bins = FFT / 2 + 1;
    (0..ROWS)
        .map(|i| {
            let lo = ((edge(i) / bin_hz).floor() as usize).min(bins - 1);
            let hi = ((edge(i + 1) / bin_hz).ceil() as usize).clamp(lo + 1, bins);
            ((lo, hi), (edge(i) * edge(i + 1)).sqrt())
        })
        .unzip()
}

fn merge_pairs(columns: &[[f32; ROWS]]) -> Vec<[f32; ROWS]> {
    columns
        .chunks(2)
        .map(|pair| {
            let mut out = [0.0f32; ROWS];
            for c in pair {
                for (o, v) in out.iter_mut().zip(c) {
                    *o += v / pair.len() as f32;
                }
            }
            out
        })
        .collect()
}

fn to_levels(columns: &[[f32; ROWS]]) -> Vec<u8> {
    let db = |e: f32| 10.0 * e.max(1e-20).log10();
    let top = columns
        .iter()
        .flatten()
        .fold(f32::NEG_INFINITY, |m, &e| m.max(db(e)));
    columns
        .iter()
        .flatten()
        .map(|&e| (((db(e) - top + RANGE_DB) / RANGE_DB).clamp(0.0, 1.0) * 255.0) as u8)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tone_lights_its_band_and_the_size_stays_bounded() {
        let dir = std::env::temp_dir().join(format!("wave-spectro-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("tone.wav");
        // 10 s of 1 kHz at 22.05 kHz mono, 16-bit.
        let rate = 22_050u32;
        let samples: Vec<i16> = (0..rate * 10)
            .map(|i| {
                ((std::f64::consts::TAU * 1000.0 * f64::from(i) / f64::from(rate)).sin() * 12_000.0)
                    as i16
            })
            .collect();
        let mut bytes = Vec::new();
        let data_len = (samples.len() * 2) as u32;
        bytes.extend_from_slice(b"RIFF");
        bytes.extend_from_slice(&(36 + data_len).to_le_bytes());
        bytes.extend_from_slice(b"WAVEfmt ");
        for v in [16u32, 1 | (1 << 16), rate, rate * 2, 2 | (16 << 16)] {
            bytes.extend_from_slice(&v.to_le_bytes());
        }
        bytes.extend_from_slice(b"data");
        bytes.extend_from_slice(&data_len.to_le_bytes());
        for s in &samples {
            bytes.extend_from_slice(&s.to_le_bytes());
        }
        std::fs::write(&path, bytes).unwrap();
        let s = compute(&path, &|| false).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        assert!(s.columns <= MAX_COLUMNS && s.columns > 100, "{}", s.columns);
        assert!((s.column_s * s.columns as f64 - 10.0).abs() < 0.2);
        let mid = s.columns / 2;
        let col = &s.levels[mid * ROWS..(mid + 1) * ROWS];
        let loudest = (0..ROWS).max_by_key(|&r| col[r]).unwrap();
        let hz = s.row_hz[loudest];
        assert!((hz / 1000.0 - 1.0).abs() < 0.06, "loudest band at {hz} Hz");
        // Far from the tone, 60 dB down or more.
        let low = (0..ROWS).find(|&r| s.row_hz[r] > 100.0).unwrap();
        assert!(
            col[low] < col[loudest] / 4,
            "{} vs {}",
            col[low],
            col[loudest]
        );
    }
}
