//! `wave-studio export --to m3u`: the library's current results as a
//! playlist for DJ software and players, in library or harmonic order.
//! It only reads the library and writes the one file named by `--out`
//! (staged, then moved into place), never an input or the library.

use std::path::PathBuf;

use super::clobber::{LIBRARY, Protected, refuse_clobber};
use super::db::open_to_read;
use super::error::{CliError, Outcome};
use super::output::open_output;
use super::results::record;
use crate::library::ResultFilter;
use crate::results::playlist::{self, Order};

/// Options of `export`.
#[derive(Debug, Clone, clap::Args)]
pub struct ExportArgs {
    /// What to write: an extended M3U playlist (UTF-8).
    #[arg(long = "to", value_enum)]
    pub to: ExportTarget,
    /// Only this pipeline's results (by name).
    #[arg(long)]
    pub pipeline: Option<String>,
    /// Only files under this folder.
    #[arg(long, value_name = "DIR")]
    pub folder: Option<PathBuf>,
    /// `harmonic`: by Camelot key, then BPM, for a set in mixable order.
    #[arg(long, value_enum, default_value = "library")]
    pub sort: SortOrder,
    /// The file to write.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// The results library (default: `$WAVE_STUDIO_DB`, else the
    /// platform's data folder).
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
}

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportTarget {
    /// Extended M3U, UTF-8 (`.m3u8`).
    M3u,
}

/// Playlist orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SortOrder {
    /// By path, as the library lists them.
    Library,
    /// By Camelot key, then BPM.
    Harmonic,
}

/// Writes the playlist; `SomeFailed` when a stored record could not be
/// read back (named on stderr and left out).
pub fn run(args: &ExportArgs) -> Result<Outcome, CliError> {
    let library = open_to_read(args.db.as_deref())?;
    let guard = [Protected {
        path: library.path(),
        what: LIBRARY,
    }];
    refuse_clobber(Some(&args.out), &guard)?;
    let filter = ResultFilter {
        pipeline: args.pipeline.clone(),
        folder: args.folder.clone(),
        ..ResultFilter::default()
    };
    let records = library.records(&filter)?;
    let mut results: Vec<_> = records
        .iter()
        .enumerate()
        .filter_map(|(i, (_, _, text))| record::file_result(i, text))
        .collect();
    let unreadable = records.len() - results.len();
    // One entry per file: the newest result when several pipelines hold one.
    let mut seen = std::collections::BTreeSet::new();
    results.retain(|r| seen.insert(r.file.clone()));
    let order = match args.sort {
        SortOrder::Library => Order::Library,
        SortOrder::Harmonic => Order::Harmonic,
    };
    playlist::sort(&mut results, order);
    let mut out = open_output(Some(&args.out))?;
    match args.to {
        ExportTarget::M3u => playlist::write_m3u(&mut out, &results)?,
    }
    out.commit()?;
    if unreadable > 0 {
        eprintln!("warning: {unreadable} stored record(s) could not be read back");
    }
    eprintln!(
        "{} file(s) written to {}",
        results.len(),
        args.out.display()
    );
    Ok(Outcome::from_all_ok(unreadable == 0))
}
