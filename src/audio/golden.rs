//! The golden test that guards [`super::ANALYSIS_VERSION`], and the fixed
//! signal it analyses (other tests use the signal too).

use std::f64::consts::TAU;

use super::{AnalysisOptions, estimate, pcm_pass};

/// Sample rate of [`clicks_over_chord`].
pub(super) const RATE: u32 = 44_100;

/// Stereo (both channels equal): a C major chord (C4 E4 G4 C5) under short
/// clicks at 120 BPM. Deterministic: no random numbers.
pub(super) fn clicks_over_chord(seconds: f64) -> Vec<f32> {
    let rate = f64::from(RATE);
    let n = (seconds * rate) as usize;
    let beat = RATE as usize / 2;
    let click_len = RATE as usize / 50;
    let chord = [261.63, 329.63, 392.00, 523.25];
    let mut out = Vec::with_capacity(2 * n);
    for i in 0..n {
        let t = i as f64 / rate;
        let tone = 0.1 * chord.iter().map(|f| (TAU * f * t).sin()).sum::<f64>();
        let since = i % beat;
        let click = if since < click_len {
            let decay = 1.0 - since as f64 / click_len as f64;
            let ts = since as f64 / rate;
            0.5 * decay * ((TAU * 70.0 * ts).sin() + 0.5 * (TAU * 3100.0 * ts).sin())
        } else {
            0.0
        };
        let s = (tone + click) as f32;
        out.extend([s, s]);
    }
    out
}

/// Relative tolerance: FFT SIMD paths differ across CPUs, so not bit-exact.
const TOLERANCE: f64 = 1e-6;

/// Within [`TOLERANCE`] of `want`; false for NaN (a missing output).
fn close(got: f64, want: f64) -> bool {
    (got - want).abs() <= TOLERANCE * want.abs()
}

#[test]
fn analysis_output_matches_the_golden() {
    let opts = AnalysisOptions::default();
    let artifacts = pcm_pass(&clicks_over_chord(20.0), 2, RATE, &opts).unwrap();
    let onset_len = artifacts.onset.values.len() as f64;
    let onset_sum: f64 = artifacts.onset.values.iter().map(|&v| f64::from(v)).sum();
    let chroma_sum: f64 = artifacts
        .chroma
        .frames
        .iter()
        .flatten()
        .map(|&v| f64::from(v))
        .sum();
    let report = estimate(artifacts, &opts, 0.0);
    let key = report.key.as_ref().map(|k| k.key.clone());
    let got = [
        ("bpm", report.tempo.as_ref().map_or(f64::NAN, |t| t.bpm)),
        (
            "integrated_lufs",
            report.loudness.integrated_lufs.unwrap_or(f64::NAN),
        ),
        ("rms_dbfs", report.loudness.rms_dbfs.unwrap_or(f64::NAN)),
        ("centroid_hz", report.spectral.centroid_hz.mean),
        ("onset_len", onset_len),
        ("onset_sum", onset_sum),
        ("chroma_sum", chroma_sum),
        (
            "key_confidence",
            report.key.as_ref().map_or(f64::NAN, |k| k.confidence),
        ),
        (
            "beats_sum",
            report
                .tempo
                .as_ref()
                .map_or(f64::NAN, |t| t.beats.iter().sum()),
        ),
    ];
    let want = [
        ("bpm", 120.0),
        ("integrated_lufs", -14.33185050858844),
        ("rms_dbfs", -16.565148533465216),
        ("centroid_hz", 453.1010913759477),
        ("onset_len", 1719.0),
        ("onset_sum", 2636.9743096916936),
        ("chroma_sum", 350.44048887982285),
        ("key_confidence", 0.42490793657411235),
        ("beats_sum", 389.67399999999986),
    ];
    let mut changed: Vec<String> = got
        .iter()
        .zip(want)
        .filter(|((_, g), (_, w))| !close(*g, *w))
        .map(|((name, g), (_, w))| format!("{name}: got {g:?}, golden {w:?}"))
        .collect();
    if key.as_deref() != Some("C major") {
        changed.push(format!("key: got {key:?}, golden \"C major\""));
    }
    assert!(
        changed.is_empty(),
        "the analysis output changed: bump audio::ANALYSIS_VERSION and update this golden\n{}",
        changed.join("\n")
    );
}
