//! `wave-studio analyze FILES_OR_DIRS...`: tempo, key, loudness and
//! spectrum of every file, as JSON, CSV or a table, on all cores.

use parking_lot::Mutex;
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

mod output;

use clap::{Args, ValueEnum};

use super::error::{CliError, Outcome, display_list, parse_jobs};

use crate::audio::{AnalysisOptions, analyze_file};
use crate::library::path_text;
use crate::text::{escape, escape_text};
use output::{Row, write_csv, write_table};

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
    /// Files analysed at once, at least 1 (default: all cores).
    #[arg(long, value_parser = parse_jobs)]
    pub jobs: Option<usize>,
}

/// Runs the command: `AllOk` when every file was fully analysed.
pub fn run(args: AnalyzeArgs) -> Result<Outcome, CliError> {
    let files = super::inputs::audio_files(&args.inputs);
    if files.is_empty() {
        return Err(CliError::NoAudioFiles(display_list(&args.inputs)));
    }
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .clamp(1, files.len().max(1));
    // Decoder panics are caught per file and reported as that file's one
    // `error:` line (with the panic message); the default hook would add a
    // second, multi-line report. Restored below.
    std::panic::set_hook(Box::new(|_| {}));
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
                    let name = path_text(path);
                    let row = match analyze_file(path, opts, cancel) {
                        Ok(report) => {
                            if let Some(why) = &report.facts.partial {
                                eprintln!(
                                    "warning: partial result ({}): {}",
                                    escape(why),
                                    escape(&name)
                                );
                            }
                            Row::from_report(name, &report)
                        }
                        Err(e) => {
                            eprintln!("error: {}", escape_text(&e.to_string()));
                            Row {
                                file: name,
                                error: Some(e.to_string()),
                                ..Row::default()
                            }
                        }
                    };
                    if let Some(slot) = rows.lock().get_mut(idx) {
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
        .into_iter()
        .zip(&files)
        .map(|(row, path)| {
            row.unwrap_or_else(|| Row {
                file: path_text(path),
                error: Some("not analysed".to_string()),
                ..Row::default()
            })
        })
        .collect();
    write_rows(&mut std::io::stdout().lock(), args.format, &rows)?;
    Ok(Outcome::from_all_ok(
        rows.iter().all(|r| r.ok && !r.partial),
    ))
}

/// Prints the rows in `format`.
fn write_rows(out: &mut impl Write, format: Format, rows: &[Row]) -> Result<(), CliError> {
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, rows).map_err(std::io::Error::from)?;
            writeln!(out)?;
        }
        Format::Csv => write_csv(out, rows)?,
        Format::Table => write_table(out, rows)?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::audio::files::{NamedPaths, scan};

    #[test]
    fn directories_expand_to_audio_files_and_audio_named_dirs() {
        let dir = std::env::temp_dir().join(format!("wave-expand-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("sub/odd.flac")).unwrap();
        std::fs::write(dir.join("b.MP3"), b"").unwrap();
        std::fs::write(dir.join("a.txt"), b"").unwrap();
        std::fs::write(dir.join("sub/c.wav"), b"").unwrap();
        std::os::unix::fs::symlink(&dir, dir.join("sub/loop")).unwrap();
        let found = scan(std::slice::from_ref(&dir), NamedPaths::Keep);
        let files = found.files;
        let names: Vec<String> = files
            .iter()
            .map(|p| p.strip_prefix(&dir).unwrap().display().to_string())
            .collect();
        assert_eq!(names, vec!["b.MP3", "sub/c.wav", "sub/odd.flac"]);
        assert_eq!(found.unreadable.len(), 1, "the loop is reported");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
