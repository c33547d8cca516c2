//! `wave-studio analyze FILES_OR_DIRS...`: tempo, key, loudness and
//! spectrum of every file, as JSON, CSV or a table, on all cores.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use anyhow::Context;
use clap::{Args, ValueEnum};
use serde::Serialize;

use crate::audio::{AnalysisOptions, AnalysisReport, analyze_file};

/// Extensions taken from directories (and taken as files even when a
/// directory is so named, which then fails as "is a directory").
const AUDIO_EXTENSIONS: &[&str] = &[
    "wav", "wave", "flac", "mp3", "mp2", "mp1", "ogg", "oga", "m4a", "mp4", "aac", "alac", "aif",
    "aiff", "aifc", "caf", "mka", "mkv", "webm", "opus",
];

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A JSON array, one object per file.
    Json,
    /// CSV with a header row, same columns as JSON.
    Csv,
    /// An aligned table for people.
    Table,
}

/// Arguments of `analyze`.
#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// Audio files, or directories to search recursively.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Files analysed at once (default: all cores).
    #[arg(long)]
    pub jobs: Option<usize>,
}

/// One output row; `None` prints as null / an empty cell.
#[derive(Debug, Clone, Default, Serialize)]
struct Row {
    file: String,
    ok: bool,
    error: Option<String>,
    partial: bool,
    duration_s: Option<f64>,
    sample_rate: Option<u32>,
    channels: Option<usize>,
    codec: Option<String>,
    bpm: Option<f64>,
    bpm_confidence: Option<f64>,
    bpm_candidates: Option<Vec<f64>>,
    key: Option<String>,
    key_confidence: Option<f64>,
    camelot: Option<String>,
    loudness_lufs: Option<f64>,
    loudness_range_lu: Option<f64>,
    true_peak_dbtp: Option<f64>,
    rms_dbfs: Option<f64>,
    peak_dbfs: Option<f64>,
    spectral_centroid_hz: Option<f64>,
    analysis_s: Option<f64>,
}

const COLUMNS: [&str; 21] = [
    "file",
    "ok",
    "error",
    "partial",
    "duration_s",
    "sample_rate",
    "channels",
    "codec",
    "bpm",
    "bpm_confidence",
    "bpm_candidates",
    "key",
    "key_confidence",
    "camelot",
    "loudness_lufs",
    "loudness_range_lu",
    "true_peak_dbtp",
    "rms_dbfs",
    "peak_dbfs",
    "spectral_centroid_hz",
    "analysis_s",
];

fn r3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

impl Row {
    fn from_report(file: String, r: &AnalysisReport) -> Self {
        let tempo = r.tempo.as_ref();
        let key = r.key.as_ref();
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
            bpm_candidates: tempo.map(|t| t.candidates.clone()),
            key: key.map(|k| k.key.clone()),
            key_confidence: key.map(|k| r3(k.confidence)),
            camelot: key.map(|k| k.camelot.clone()),
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
            self.file.clone(),
            self.ok.to_string(),
            self.error.clone().unwrap_or_default(),
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
                        .map(|v| v.to_string())
                        .collect::<Vec<_>>()
                        .join(";")
                })
                .unwrap_or_default(),
            self.key.clone().unwrap_or_default(),
            f(self.key_confidence),
            self.camelot.clone().unwrap_or_default(),
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

fn has_audio_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| AUDIO_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// Expands directories (recursively, sorted) into audio files.
fn expand(inputs: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for input in inputs {
        if input.is_dir() && !has_audio_extension(input) {
            walk(input, &mut out);
        } else {
            out.push(input.clone());
        }
    }
    out
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        // An unreadable directory is reported as a failed input.
        out.push(dir.to_path_buf());
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if has_audio_extension(&path) {
            out.push(path);
        } else if path.is_dir() {
            walk(&path, out);
        }
    }
}

/// Runs the command; exit status 0 when every file was fully analysed.
pub fn run(args: AnalyzeArgs) -> anyhow::Result<ExitCode> {
    let files = expand(&args.inputs);
    if files.is_empty() {
        eprintln!("error: no audio files found in the given directories");
        return Ok(ExitCode::from(1));
    }
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .clamp(1, files.len().max(1));
    // Decoder panics are caught per file; keep their report to one line.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("warning: caught a panic: {info}")
    }));
    let opts = AnalysisOptions::default();
    let cancel = AtomicBool::new(false);
    let next = AtomicUsize::new(0);
    let rows: Mutex<Vec<Option<Row>>> = Mutex::new(vec![None; files.len()]);
    std::thread::scope(|s| {
        for i in 0..jobs {
            let (files, opts, cancel, next, rows) = (&files, &opts, &cancel, &next, &rows);
            let worker = std::thread::Builder::new().name(format!("analyze-{i}"));
            let spawned = worker.spawn_scoped(s, move || {
                loop {
                    let idx = next.fetch_add(1, Ordering::Relaxed);
                    let Some(path) = files.get(idx) else { break };
                    let name = path.display().to_string();
                    let row = match analyze_file(path, opts, cancel) {
                        Ok(report) => {
                            if let Some(why) = &report.facts.partial {
                                eprintln!("warning: partial result ({why}): {name}");
                            }
                            Row::from_report(name, &report)
                        }
                        Err(e) => {
                            eprintln!("error: {e}");
                            Row {
                                file: name,
                                error: Some(e.to_string()),
                                ..Row::default()
                            }
                        }
                    };
                    if let Ok(mut rows) = rows.lock()
                        && let Some(slot) = rows.get_mut(idx)
                    {
                        *slot = Some(row);
                    }
                }
            });
            if let Err(e) = spawned {
                eprintln!("warning: cannot start worker thread: {e}");
            }
        }
    });
    let _ = std::panic::take_hook();
    let rows: Vec<Row> = rows
        .into_inner()
        .map_err(|_| anyhow::anyhow!("a worker thread failed"))?
        .into_iter()
        .zip(&files)
        .map(|(row, path)| {
            row.unwrap_or_else(|| Row {
                file: path.display().to_string(),
                error: Some("not analysed".to_string()),
                ..Row::default()
            })
        })
        .collect();
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &rows).context("writing JSON")?;
            writeln!(out)?;
        }
        Format::Csv => write_csv(&mut out, &rows)?,
        Format::Table => write_table(&mut out, &rows)?,
    }
    let all_ok = rows.iter().all(|r| r.ok && !r.partial);
    Ok(if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn write_csv(out: &mut impl Write, rows: &[Row]) -> std::io::Result<()> {
    writeln!(out, "{}", COLUMNS.join(","))?;
    for row in rows {
        let cells: Vec<String> = row.cells().iter().map(|c| csv_cell(c)).collect();
        writeln!(out, "{}", cells.join(","))?;
    }
    Ok(())
}

fn write_table(out: &mut impl Write, rows: &[Row]) -> std::io::Result<()> {
    let header = [
        "file", "bpm", "key", "camelot", "LUFS", "dBTP", "seconds", "status",
    ];
    let body: Vec<[String; 8]> = rows
        .iter()
        .map(|r| {
            let f = |v: Option<f64>, p: usize| v.map_or("-".to_string(), |v| format!("{v:.p$}"));
            let status = match (&r.error, r.ok) {
                (None, true) => "ok".to_string(),
                (Some(e), true) => format!("partial: {e}"),
                (Some(e), false) => format!("failed: {e}"),
                (None, false) => "failed".to_string(),
            };
            [
                r.file.clone(),
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
    fn csv_cells_are_quoted_only_when_needed() {
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
    }

    #[test]
    fn rows_have_every_column() {
        let row = Row {
            file: "x".into(),
            ..Row::default()
        };
        assert_eq!(row.cells().len(), COLUMNS.len());
        let json = serde_json::to_value(&row).unwrap();
        let keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        for c in COLUMNS {
            assert!(keys.contains(&c), "{c}");
        }
    }

    #[test]
    fn directories_expand_to_audio_files_and_audio_named_dirs() {
        let dir = std::env::temp_dir().join(format!("wave-expand-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("sub/odd.flac")).unwrap();
        std::fs::write(dir.join("b.MP3"), b"").unwrap();
        std::fs::write(dir.join("a.txt"), b"").unwrap();
        std::fs::write(dir.join("sub/c.wav"), b"").unwrap();
        let files = expand(std::slice::from_ref(&dir));
        let names: Vec<String> = files
            .iter()
            .map(|p| p.strip_prefix(&dir).unwrap().display().to_string())
            .collect();
        assert_eq!(names, vec!["b.MP3", "sub/c.wav", "sub/odd.flac"]);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
