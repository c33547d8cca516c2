//! `wave-studio results`: the results library exported through `run`'s own
//! writers (the same JSON shape and CSV columns), or its runs as a table.

pub(super) mod record;
mod runs;
mod series;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::clobber::{LIBRARY, Protected, refuse_clobber};
use super::db::open_to_read;
use super::error::{CliError, Outcome};
use super::output::open_output;
use super::run::RunFormat;
use crate::library::{Library, ResultFilter, RunId};
use crate::results::export::{write_csv, write_json, write_jsonl};
use crate::results::series::ExportKind;

/// Options of `results`.
#[derive(Debug, Clone, clap::Args)]
pub struct ResultsArgs {
    /// Only this pipeline's results (by name).
    #[arg(long)]
    pub pipeline: Option<String>,
    /// Only files under this folder (as the paths were given to `run`).
    #[arg(long, value_name = "DIR")]
    pub folder: Option<PathBuf>,
    /// Only the results this run produced.
    #[arg(long, value_name = "ID")]
    pub run: Option<RunId>,
    /// Export format (as `run`'s; with --series: csv, jams or json).
    #[arg(long, value_enum, default_value = "json")]
    pub format: ResultsFormat,
    /// Write here instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// The results library (default: `$WAVE_STUDIO_DB`, else the
    /// platform's data folder).
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// List the runs (id, pipeline, started, finished, counts) instead.
    #[arg(long, conflicts_with_all = ["pipeline", "folder", "run"])]
    pub runs: bool,
    /// Export these series of FILES instead (comma-separated): beats,
    /// downbeats, tempo, key, loudness, waveform.
    #[arg(long, value_enum, value_delimiter = ',', value_name = "KINDS",
          conflicts_with_all = ["runs", "folder", "run"])]
    pub series: Vec<ExportKind>,
    /// With --series: audio files (or folders: every file under them
    /// with a stored result).
    #[arg(value_name = "FILES", requires = "series")]
    pub files: Vec<PathBuf>,
}

/// The formats of `results`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ResultsFormat {
    /// As `run --format json` (series: one JSON file per audio file).
    Json,
    /// As `run --format jsonl`.
    Jsonl,
    /// As `run --format csv` (series: one CSV per audio file and kind).
    Csv,
    /// JAMS 0.3, series only: one file per audio file.
    Jams,
}

/// Exports the current results `args` select. `SomeFailed` when a stored
/// record could not be read back (it is named on stderr and left out).
pub fn run(args: &ResultsArgs) -> Result<Outcome, CliError> {
    let library = open_to_read(args.db.as_deref())?;
    let guard = [Protected {
        path: library.path(),
        what: LIBRARY,
    }];
    refuse_clobber(args.out.as_deref(), &guard)?;
    if args.runs {
        let mut out = open_output(args.out.as_deref())?;
        runs::write_table(&mut out, &library.runs()?)?;
        out.commit()?;
        return Ok(Outcome::AllOk);
    }
    if !args.series.is_empty() {
        let job = series::SeriesExport {
            kinds: &args.series,
            files: &args.files,
            pipeline: args.pipeline.as_deref(),
            format: args.format,
            out: args.out.as_deref(),
        };
        return series::export(&library, &job);
    }
    let format = match args.format {
        ResultsFormat::Json => RunFormat::Json,
        ResultsFormat::Jsonl => RunFormat::Jsonl,
        ResultsFormat::Csv => RunFormat::Csv,
        ResultsFormat::Jams => {
            return Err(CliError::Series(
                "--format jams holds series: add --series KINDS FILES...".into(),
            ));
        }
    };
    let filter = ResultFilter {
        pipeline: args.pipeline.clone(),
        folder: args.folder.clone(),
        run: args.run,
        ..ResultFilter::default()
    };
    export(&library, &filter, format, args.out.as_deref())
}

/// Writes the results `filter` selects from `library` in `format` to `out`
/// (stdout when `None`); `SomeFailed` when a stored record could not be
/// read back (it is named on stderr and left out).
pub(super) fn export(
    library: &Library,
    filter: &ResultFilter,
    format: RunFormat,
    out: Option<&Path>,
) -> Result<Outcome, CliError> {
    let records = library.records(filter)?;
    let names: BTreeSet<&str> = records.iter().map(|(n, _, _)| n.as_str()).collect();
    if names.len() > 1 && format != RunFormat::Jsonl {
        let list: Vec<&str> = names.into_iter().collect();
        return Err(CliError::SeveralPipelines(list.join(", ")));
    }
    let mut out = open_output(out)?;
    let mut results = Vec::with_capacity(records.len());
    let mut unreadable = 0;
    for (i, (name, hash, text)) in records.iter().enumerate() {
        let Some(result) = record::file_result(i, text) else {
            unreadable += 1;
            continue;
        };
        match format {
            RunFormat::Jsonl => write_jsonl(&mut out, &result, name, hash)?,
            RunFormat::Json | RunFormat::Csv => results.push(result),
        }
    }
    let name = names
        .first()
        .copied()
        .or(filter.pipeline.as_deref())
        .unwrap_or_default();
    // One pipeline edited between runs has several hashes: all are named.
    let hashes: BTreeSet<&str> = records.iter().map(|(_, h, _)| h.as_str()).collect();
    let hash = hashes.into_iter().collect::<Vec<_>>().join(",");
    match format {
        RunFormat::Json => write_json(&mut out, &results, name, &hash)?,
        RunFormat::Csv => write_csv(&mut out, &results)?,
        RunFormat::Jsonl => {}
    }
    out.commit()?;
    let path = library.path().display();
    if unreadable > 0 {
        eprintln!("warning: {unreadable} stored record(s) in {path} could not be read back");
    }
    eprintln!("{} results from {path}", records.len() - unreadable);
    Ok(Outcome::from_all_ok(unreadable == 0))
}
