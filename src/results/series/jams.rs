//! JAMS 0.3 (the `jams` package's format): the file's metadata and one
//! annotation per series, in the standard namespaces where one fits —
//! `beat` (bar positions as values), `tempo`, `key_mode` — and `blob` for
//! the loudness curves and the waveform.

use serde_json::{Value, json};

use super::{ExportKind, NodeSeriesValue, pick};
use crate::audio::series::{BeatGrid, KeyCurve, LoudnessCurve, Series, TempoCurve, key_of_code};

/// The JAMS version the files declare.
const JAMS_VERSION: &str = "0.3.4";

/// Where the series come from, for the metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct JamsSource {
    /// The audio file's duration, seconds.
    pub duration_s: f64,
    /// Its title, where known.
    pub title: Option<String>,
    /// Its artist, where known.
    pub artist: Option<String>,
    /// The pipeline's name.
    pub pipeline: String,
    /// The pipeline's content hash.
    pub pipeline_hash: String,
}

/// The JAMS document of `kinds` among `all` (a kind with no series is
/// left out).
pub fn jams(source: &JamsSource, all: &[NodeSeriesValue], kinds: &[ExportKind]) -> Value {
    let annotations: Vec<Value> = kinds
        .iter()
        .filter_map(|&kind| {
            let found = pick(all, kind.source())?;
            Some(
                annotations(kind, &found.series, source.duration_s)
                    .into_iter()
                    .map(|(namespace, data, sandbox)| {
                        json!({
                            "namespace": namespace,
                            "data": data,
                            "annotation_metadata": metadata(source, &found.node, kind),
                            "sandbox": sandbox,
                            "time": 0.0,
                            "duration": source.duration_s,
                        })
                    })
                    .collect::<Vec<_>>(),
            )
        })
        .flatten()
        .collect();
    let mut file = json!({
        "duration": source.duration_s,
        "identifiers": {},
        "jams_version": JAMS_VERSION,
    });
    for (key, value) in [("title", &source.title), ("artist", &source.artist)] {
        if let Some(v) = value {
            file[key] = Value::String(v.clone());
        }
    }
    json!({ "file_metadata": file, "annotations": annotations, "sandbox": {} })
}

fn metadata(source: &JamsSource, node: &str, kind: ExportKind) -> Value {
    let version = env!("CARGO_PKG_VERSION");
    json!({
        "curator": { "name": "", "email": "" },
        "annotator": {
            "name": "Wave Studio",
            "version": version,
            "pipeline": source.pipeline,
            "pipeline_hash": source.pipeline_hash,
            "node": node,
        },
        "version": version,
        "corpus": "",
        "annotation_tools": format!("Wave Studio {version}"),
        "annotation_rules": format!("{} of node `{node}`", kind.name()),
        "validation": "",
        "data_source": format!(
            "pipeline \"{}\" (hash {})", source.pipeline, source.pipeline_hash
        ),
    })
}

/// One observation.
fn obs(time: f64, duration: f64, value: Value, confidence: Value) -> Value {
    json!({ "time": time.max(0.0), "duration": duration.max(0.0), "value": value, "confidence": confidence })
}

type Annotation = (&'static str, Vec<Value>, Value);

fn annotations(kind: ExportKind, series: &Series, duration_s: f64) -> Vec<Annotation> {
    match (kind, series) {
        (ExportKind::Beats, Series::Beats(g)) => vec![beats(g, false)],
        (ExportKind::Downbeats, Series::Beats(g)) => vec![beats(g, true)],
        (ExportKind::Tempo, Series::Tempo(t)) => vec![tempo(t)],
        (ExportKind::Key, Series::Key(k)) => vec![key(k)],
        (ExportKind::Loudness, Series::Loudness(l)) => loudness(l),
        (ExportKind::Waveform, Series::Waveform(w)) => {
            let full = |v: &[i16]| {
                v.iter()
                    .map(|&x| f64::from(x) / 32767.0)
                    .collect::<Vec<_>>()
            };
            let lanes: Vec<Value> = w
                .lanes
                .iter()
                .map(|l| json!({ "min": full(&l.min), "max": full(&l.max), "rms": full(&l.rms) }))
                .collect();
            let value = json!({ "column_s": w.column_s, "lanes": lanes });
            let sandbox =
                json!({ "series": "waveform", "lanes": "mono, then left and right for stereo" });
            vec![(
                "blob",
                vec![obs(0.0, duration_s, value, Value::Null)],
                sandbox,
            )]
        }
        _ => Vec::new(),
    }
}

fn beats(g: &BeatGrid, downbeats_only: bool) -> Annotation {
    let data = g
        .beats
        .iter()
        .filter(|b| !downbeats_only || b.position == 1)
        .map(|b| obs(b.time_s, 0.0, json!(b.position), Value::Null))
        .collect();
    let sandbox = json!({
        "meter": g.meter,
        "meter_confidence": g.meter_confidence,
        "downbeats_only": downbeats_only,
    });
    ("beat", data, sandbox)
}

fn tempo(t: &TempoCurve) -> Annotation {
    let data = t
        .bpm
        .iter()
        .zip(&t.strength)
        .enumerate()
        .filter(|(_, (bpm, _))| bpm.is_finite() && **bpm >= 0.0)
        .map(|(i, (bpm, s))| {
            let start = t.time_of(i) - t.window_s / 2.0;
            obs(start, t.window_s, json!(bpm), json!(s.clamp(0.0, 1.0)))
        })
        .collect();
    (
        "tempo",
        data,
        json!({ "variable": t.variable, "hop_s": t.hop_s }),
    )
}

fn key(k: &KeyCurve) -> Annotation {
    let data = k
        .segments
        .iter()
        .map(|s| {
            let key = key_of_code(s.key);
            let name = key.name().replacen(' ', ":", 1);
            let conf = json!(s.strength.clamp(0.0, 1.0));
            obs(s.start_s, s.end_s - s.start_s, json!(name), conf)
        })
        .collect();
    (
        "key_mode",
        data,
        json!({ "window_s": k.window_s, "hop_s": k.hop_s }),
    )
}

fn loudness(l: &LoudnessCurve) -> Vec<Annotation> {
    let lufs = |v: f32| if v.is_finite() { json!(v) } else { Value::Null };
    let curve = l
        .momentary
        .iter()
        .zip(&l.short_term)
        .enumerate()
        .map(|(i, (m, s))| {
            let end = LoudnessCurve::time_of(i);
            let value = json!({ "momentary_lufs": lufs(*m), "short_term_lufs": lufs(*s) });
            obs(end - 0.1, 0.1, value, Value::Null)
        })
        .collect();
    let unit = if l.true_peak {
        "true_peak_dbtp"
    } else {
        "sample_peak_dbfs"
    };
    let peaks = l
        .peak
        .iter()
        .enumerate()
        .map(|(i, p)| obs(i as f64, 1.0, json!({ unit: lufs(*p) }), Value::Null))
        .collect();
    vec![
        (
            "blob",
            curve,
            json!({ "series": "loudness", "standard": "EBU R128", "rate_hz": 10 }),
        ),
        (
            "blob",
            peaks,
            json!({ "series": "peak_per_second", "true_peak": l.true_peak }),
        ),
    ]
}
