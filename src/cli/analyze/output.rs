//! The rows `analyze` prints: JSON objects, CSV lines, a table.

use std::io::Write;

use serde::Serialize;

use crate::audio::AnalysisReport;
use crate::audio::tempo::BpmCandidate;
use crate::pipeline::fields;
use crate::results::export::{CSV_COLUMNS, csv_writer};
use crate::text::{escape, escape_text};

/// One output row; `None` prints as null / an empty cell.
#[derive(Debug, Clone, Default, Serialize)]
pub(super) struct Row {
    pub(super) file: String,
    pub(super) ok: bool,
    pub(super) error: Option<String>,
    pub(super) partial: bool,
    pub(super) duration_s: Option<f64>,
    pub(super) sample_rate: Option<u32>,
    pub(super) channels: Option<usize>,
    pub(super) codec: Option<String>,
    pub(super) bpm: Option<f64>,
    pub(super) bpm_confidence: Option<f64>,
    pub(super) bpm_candidates: Option<Vec<BpmCandidate>>,
    pub(super) bpm_reason: Option<String>,
    pub(super) key: Option<String>,
    pub(super) key_confidence: Option<f64>,
    pub(super) camelot: Option<String>,
    pub(super) key_reason: Option<String>,
    pub(super) loudness_lufs: Option<f64>,
    pub(super) loudness_range_lu: Option<f64>,
    pub(super) true_peak_dbtp: Option<f64>,
    pub(super) rms_dbfs: Option<f64>,
    pub(super) peak_dbfs: Option<f64>,
    pub(super) spectral_centroid_hz: Option<f64>,
    pub(super) analysis_s: Option<f64>,
}

/// The columns of `run --format csv` that `analyze` has: it runs no
/// pipeline, so it has no status, quality, cache or skipped stages, and
/// reads no tags (the pipeline's Probe does).
pub(super) fn columns() -> Vec<&'static str> {
    const RUN_ONLY: [&str; 12] = [
        fields::STATUS,
        fields::PARTIAL_REASON,
        fields::LOUDNESS_COMPLIANT,
        fields::QUALITY,
        fields::CACHED,
        fields::SKIPPED,
        fields::TITLE,
        fields::ARTIST,
        fields::TAG_BPM,
        fields::TAG_KEY,
        fields::TAG_BPM_RELATION,
        fields::TAG_KEY_RELATION,
    ];
    CSV_COLUMNS
        .into_iter()
        .filter(|c| !RUN_ONLY.contains(c))
        .collect()
}

fn r3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

impl Row {
    pub(super) fn from_report(file: String, r: &AnalysisReport) -> Self {
        let tempo = r.bpm();
        let key = r.answered_key();
        Row {
            file,
            ok: true,
            error: r.facts.partial.clone(),
            partial: r.facts.partial.is_some(),
            duration_s: Some(r3(r.facts.duration_s)),
            sample_rate: Some(r.facts.sample_rate),
            channels: Some(r.facts.channels),
            codec: Some(r.facts.codec.clone()),
            bpm: tempo.map(|t| t.bpm),
            bpm_confidence: tempo.map(|t| r3(t.confidence)),
            bpm_candidates: r.tempo.as_ref().map(|t| t.candidates.clone()),
            bpm_reason: r.tempo_reason.map(str::to_string),
            key: key.map(|k| k.key.clone()),
            key_confidence: key.map(|k| r3(k.confidence)),
            camelot: key.map(|k| k.camelot.clone()),
            key_reason: r.key_reason.map(str::to_string),
            loudness_lufs: r.loudness.integrated_lufs.map(r3),
            loudness_range_lu: r.loudness.range_lu.map(r3),
            true_peak_dbtp: r.loudness.true_peak_dbtp.map(r3),
            rms_dbfs: r.loudness.rms_dbfs.map(r3),
            peak_dbfs: r.loudness.peak_dbfs.map(r3),
            spectral_centroid_hz: (r.spectral.frames > 0).then(|| r3(r.spectral.centroid_hz.mean)),
            analysis_s: Some(r3(r.analysis_s)),
        }
    }

    fn cells(&self) -> Vec<String> {
        let f = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
        vec![
            escape_text(&self.file).into_owned(),
            self.ok.to_string(),
            escape_text(self.error.as_deref().unwrap_or_default()).into_owned(),
            self.partial.to_string(),
            f(self.duration_s),
            self.sample_rate.map(|v| v.to_string()).unwrap_or_default(),
            self.channels.map(|v| v.to_string()).unwrap_or_default(),
            self.codec.clone().unwrap_or_default(),
            f(self.bpm),
            f(self.bpm_confidence),
            self.bpm_candidates
                .as_ref()
                .map(|c| {
                    c.iter()
                        .map(|c| format!("{}@{}", c.bpm, c.score))
                        .collect::<Vec<_>>()
                        .join(";")
                })
                .unwrap_or_default(),
            self.bpm_reason.clone().unwrap_or_default(),
            self.key.clone().unwrap_or_default(),
            f(self.key_confidence),
            self.camelot.clone().unwrap_or_default(),
            self.key_reason.clone().unwrap_or_default(),
            f(self.loudness_lufs),
            f(self.loudness_range_lu),
            f(self.true_peak_dbtp),
            f(self.rms_dbfs),
            f(self.peak_dbfs),
            f(self.spectral_centroid_hz),
            f(self.analysis_s),
        ]
    }
}

pub(super) fn write_csv(out: &mut impl Write, rows: &[Row]) -> std::io::Result<()> {
    let mut w = csv_writer(out);
    w.write_record(columns())?;
    for row in rows {
        w.write_record(row.cells())?;
    }
    w.flush()
}

pub(super) fn write_table(out: &mut impl Write, rows: &[Row]) -> std::io::Result<()> {
    let header = [
        "file", "bpm", "key", "camelot", "LUFS", "dBTP", "seconds", "status",
    ];
    let body: Vec<[String; 8]> = rows
        .iter()
        .map(|r| {
            let f = |v: Option<f64>, p: usize| v.map_or("-".to_string(), |v| format!("{v:.p$}"));
            let status = match (&r.error, r.ok) {
                (None, true) => "ok".to_string(),
                (Some(e), true) => format!("partial: {}", escape(e)),
                (Some(e), false) => format!("failed: {}", escape(e)),
                (None, false) => "failed".to_string(),
            };
            [
                escape(&r.file).into_owned(),
                f(r.bpm, 1),
                r.key.clone().unwrap_or_else(|| "-".into()),
                r.camelot.clone().unwrap_or_else(|| "-".into()),
                f(r.loudness_lufs, 1),
                f(r.true_peak_dbtp, 1),
                f(r.duration_s, 1),
                status,
            ]
        })
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in &body {
        for (w, c) in widths.iter_mut().zip(row.iter()).take(7) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        cells
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (c, w))| {
                if i == 7 {
                    (*c).to_string()
                } else {
                    format!("{c:<w$}")
                }
            })
            .collect::<Vec<_>>()
            .join("  ")
    };
    writeln!(out, "{}", line(header.to_vec()))?;
    for row in &body {
        writeln!(out, "{}", line(row.iter().map(String::as_str).collect()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_have_every_column() {
        let row = Row {
            file: "x".into(),
            ..Row::default()
        };
        assert_eq!(row.cells().len(), columns().len());
        let json = serde_json::to_value(&row).unwrap();
        let keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        for c in columns() {
            assert!(keys.contains(&c), "{c}");
        }
    }
}
