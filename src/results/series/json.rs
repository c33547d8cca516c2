//! The JSON form of a series, for `run --format json --series`.

use serde_json::{Value, json};

use crate::audio::series::{LoudnessCurve, Series, key_of_code};

/// A series as JSON: seconds, BPM, LUFS; silence as `null`.
pub fn series_json(series: &Series) -> Value {
    let finite = |v: f32| if v.is_finite() { json!(v) } else { Value::Null };
    match series {
        Series::Beats(g) => json!({
            "meter": g.meter,
            "meter_confidence": g.meter_confidence,
            "beats": g.beats.iter().map(|b| json!([b.time_s, b.bar, b.position])).collect::<Vec<_>>(),
        }),
        Series::Tempo(t) => json!({
            "window_s": t.window_s,
            "hop_s": t.hop_s,
            "start_s": t.start_s,
            "variable": t.variable,
            "bpm": t.bpm.iter().map(|v| finite(*v)).collect::<Vec<_>>(),
            "strength": t.strength,
        }),
        Series::Key(k) => json!({
            "window_s": k.window_s,
            "hop_s": k.hop_s,
            "segments": k.segments.iter().map(|s| {
                let key = key_of_code(s.key);
                json!({ "start_s": s.start_s, "end_s": s.end_s, "key": key.name(),
                        "camelot": key.camelot(), "strength": s.strength })
            }).collect::<Vec<_>>(),
            "windows": k.windows.iter().map(|w| {
                json!([w.time_s, key_of_code(w.key).name(), w.strength])
            }).collect::<Vec<_>>(),
        }),
        Series::Loudness(l) => json!({
            "rate_hz": crate::audio::series::loudness_curve::CURVE_HZ,
            "first_end_s": LoudnessCurve::time_of(0),
            "momentary_lufs": l.momentary.iter().map(|v| finite(*v)).collect::<Vec<_>>(),
            "short_term_lufs": l.short_term.iter().map(|v| finite(*v)).collect::<Vec<_>>(),
            "peak_per_second": l.peak.iter().map(|v| finite(*v)).collect::<Vec<_>>(),
            "true_peak": l.true_peak,
        }),
        Series::Waveform(w) => json!({
            "column_s": w.column_s,
            "scale": 32767,
            "lanes": w.lanes.iter().map(|l| json!({ "min": l.min, "max": l.max, "rms": l.rms })).collect::<Vec<_>>(),
        }),
    }
}
