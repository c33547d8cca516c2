//! CSV in sonic-annotator's layout: no header, one row per event or frame,
//! `time[,duration],value[,…]`, seconds. Silence reads `-inf`.

use std::io::Write;

use super::{ExportKind, secs};
use crate::audio::series::{LoudnessCurve, Series, key_of_code};

/// Writes `kind` of `series` (the series `kind.source()` names) to `out`.
pub fn write_csv(out: &mut dyn Write, kind: ExportKind, series: &Series) -> std::io::Result<()> {
    match (kind, series) {
        (ExportKind::Beats, Series::Beats(g)) => {
            for b in &g.beats {
                writeln!(out, "{},{}", secs(b.time_s), b.position)?;
            }
        }
        (ExportKind::Downbeats, Series::Beats(g)) => {
            for b in g.downbeats() {
                writeln!(out, "{},{}", secs(b.time_s), b.bar)?;
            }
        }
        (ExportKind::Tempo, Series::Tempo(t)) => {
            for (i, (bpm, strength)) in t.bpm.iter().zip(&t.strength).enumerate() {
                if bpm.is_finite() {
                    let start = (t.time_of(i) - t.window_s / 2.0).max(0.0);
                    let row = format!(
                        "{},{},{bpm:.3},{strength:.3}",
                        secs(start),
                        secs(t.window_s)
                    );
                    writeln!(out, "{row}")?;
                }
            }
        }
        (ExportKind::Key, Series::Key(k)) => {
            for s in &k.segments {
                let key = key_of_code(s.key);
                let duration = secs(s.end_s - s.start_s);
                let (name, camelot) = (key.name(), key.camelot());
                let strength = s.strength;
                writeln!(
                    out,
                    "{},{duration},\"{name}\",{camelot},{strength:.3}",
                    secs(s.start_s)
                )?;
            }
        }
        (ExportKind::Loudness, Series::Loudness(l)) => write_loudness(out, l)?,
        (ExportKind::Waveform, Series::Waveform(w)) => {
            let full = |v: Option<&i16>| f64::from(v.copied().unwrap_or(0)) / 32767.0;
            for i in 0..w.columns() {
                write!(out, "{},{}", secs(i as f64 * w.column_s), secs(w.column_s))?;
                for lane in &w.lanes {
                    let (lo, hi) = (full(lane.min.get(i)), full(lane.max.get(i)));
                    let rms = full(lane.rms.get(i));
                    write!(out, ",{lo:.5},{hi:.5},{rms:.5}")?;
                }
                writeln!(out)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Rows at 10 Hz: the end of each window, momentary, short-term, and the
/// peak of the second the row falls in.
fn write_loudness(out: &mut dyn Write, l: &LoudnessCurve) -> std::io::Result<()> {
    let value = |v: f32| {
        if v.is_finite() {
            format!("{v:.2}")
        } else {
            "-inf".to_string()
        }
    };
    for (i, (m, s)) in l.momentary.iter().zip(&l.short_term).enumerate() {
        let peak = l.peak.get(i / 10).copied().unwrap_or(f32::NEG_INFINITY);
        let t = secs(LoudnessCurve::time_of(i));
        writeln!(out, "{t},{},{},{}", value(*m), value(*s), value(peak))?;
    }
    Ok(())
}
