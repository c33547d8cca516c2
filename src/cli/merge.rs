//! `wave-studio merge OUT.sqlite SHARD_DBS...`: the libraries of a sharded
//! run's shards combined into one, after checking that they ran the same
//! pipeline with the same program, then a report of what is incomplete
//! (missing shards, files without a result, files in two shards) and an
//! optional export in `run`'s formats.

mod check;

use std::path::{Path, PathBuf};

use super::clobber::{LIBRARY, Protected, SHARD, refuse_clobber, same_file};
use super::error::{CliError, Outcome};
use super::results::export;
use super::run::RunFormat;
use crate::library::{Library, MergeStats, ResultFilter, read_source};

/// Options of `merge`.
#[derive(Debug, Clone, clap::Args)]
pub struct MergeArgs {
    /// The library to merge into (created when missing; an existing
    /// library keeps its other rows).
    #[arg(value_name = "OUT.sqlite")]
    pub into: PathBuf,
    /// The shards' libraries (e.g. `out/shard-*.sqlite`).
    #[arg(required = true, value_name = "SHARD_DBS")]
    pub shards: Vec<PathBuf>,
    /// Also export the merged pipeline's results in this format (as
    /// `run` writes them; default json when only --out is given).
    #[arg(long, value_enum)]
    pub format: Option<RunFormat>,
    /// Write the export here instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Checks the shards, merges them into `OUT` and reports. `AllOk` when
/// every shard and every file is there exactly once; `SomeFailed` when
/// something is missing or doubled (the merge still happens); an error
/// (nothing merged) when the shards cannot be read or disagree.
pub fn run(args: &MergeArgs) -> Result<Outcome, CliError> {
    refuse_self_merge(&args.into, &args.shards)?;
    refuse_duplicates(&args.shards)?;
    let mut guard = vec![Protected {
        path: &args.into,
        what: LIBRARY,
    }];
    guard.extend(
        args.shards
            .iter()
            .map(|path| Protected { path, what: SHARD }),
    );
    refuse_clobber(args.out.as_deref(), &guard)?;
    let sources = args
        .shards
        .iter()
        .map(|p| read_source(p))
        .collect::<Result<Vec<_>, _>>()?;
    let agreed = check::agreement(&sources)?;
    let library = Library::open(&args.into)?;
    let mut total = MergeStats::default();
    for source in &sources {
        let stats = library.merge_from(&source.path)?;
        eprintln!(
            "merged {}: {} result(s), {} run(s)",
            source.path.display(),
            stats.results,
            stats.runs
        );
        total.results += stats.results;
        total.runs += stats.runs;
    }
    let gaps = check::gaps(&sources, agreed.count);
    gaps.print();
    eprintln!(
        "merged {} shard(s) of \"{}\" into {}: {} result(s), {} run(s)",
        sources.len(),
        agreed.pipeline,
        library.path().display(),
        total.results,
        total.runs
    );
    let exported = if args.format.is_some() || args.out.is_some() {
        let filter = ResultFilter {
            pipeline: Some(agreed.pipeline.clone()),
            ..ResultFilter::default()
        };
        let format = args.format.unwrap_or(RunFormat::Json);
        export(&library, &filter, format, args.out.as_deref())?
    } else {
        Outcome::AllOk
    };
    Ok(Outcome::from_all_ok(
        gaps.is_empty() && exported == Outcome::AllOk,
    ))
}

/// The same shard given twice (by two spellings, a link, or a glob and a
/// name) would be counted twice and hide a missing one: refused, naming
/// both arguments.
fn refuse_duplicates(shards: &[PathBuf]) -> Result<(), CliError> {
    for (i, a) in shards.iter().enumerate() {
        if let Some(b) = shards.iter().skip(i + 1).find(|b| same_file(a, b)) {
            let how = if a.as_os_str() == b.as_os_str() {
                format!("{} is given twice", a.display())
            } else {
                format!("{} and {} are the same file", a.display(), b.display())
            };
            return Err(CliError::Merge(format!(
                "{how}; give each shard's library once"
            )));
        }
    }
    Ok(())
}

/// Merging a library into itself would double nothing but is surely a
/// slip of the glob (`out/*.sqlite` catching the output).
fn refuse_self_merge(into: &Path, shards: &[PathBuf]) -> Result<(), CliError> {
    let Ok(target) = std::fs::canonicalize(into) else {
        return Ok(()); // Not created yet: it cannot be a shard.
    };
    match shards
        .iter()
        .find(|s| std::fs::canonicalize(s).is_ok_and(|s| s == target))
    {
        Some(s) => Err(CliError::Merge(format!(
            "the output library {} is also given as a shard ({})",
            into.display(),
            s.display()
        ))),
        None => Ok(()),
    }
}
