//! `run`'s arguments made into a validated plan once: the pipeline loaded
//! and compiled, the inputs expanded to audio files, the output opened.
//! Everything after this point runs; nothing re-checks.

use std::path::PathBuf;

use tokio::runtime::Handle;

use super::order::processing_order;
use super::shard::{self, Shard};
use super::store::RunStore;
use super::{RunArgs, RunFormat};
use crate::cli::clobber::{LIBRARY, PIPELINE, Protected, inputs, refuse_clobber};
use crate::cli::db::{DB_ENV, db_path};
use crate::cli::error::{CliError, display_list};
use crate::cli::inputs::audio_files;
use crate::cli::output::{Output, open_output};
use crate::pipeline::{self, PipelineDocument};
use crate::run::PipelineRunner;

/// A run that can start: every usage and pipeline error is behind it.
pub(super) struct RunPlan {
    /// The compiled pipeline on its orchestrator.
    pub(super) runner: PipelineRunner,
    /// The audio files, in the order they start (`--order`).
    pub(super) files: Vec<PathBuf>,
    /// Each of `files`' position among the inputs, the results' order.
    pub(super) input_index: Vec<usize>,
    /// Files analysed at once.
    pub(super) max_concurrent: usize,
    /// The results format.
    pub(super) format: RunFormat,
    /// Series each JSON result carries (`--series`).
    pub(super) series: Vec<crate::results::series::ExportKind>,
    /// Where results go (stdout or `--out`, buffered).
    pub(super) out: Output,
    /// The results library, or why there is none.
    pub(super) store: RunStore,
    /// The shard of the inputs this run takes (`--shard`).
    pub(super) shard: Option<Shard>,
    /// The first failed write to `out` (a full disk): the run goes on.
    pub(super) out_error: Option<std::io::Error>,
}

impl RunPlan {
    /// Checks `args` and builds the run on `handle`; the first problem found
    /// is the error.
    pub(super) fn new(args: &RunArgs, handle: Handle) -> Result<Self, CliError> {
        let shard = match args.shard {
            Some(arg) => Some(shard::resolve(arg, args.shards, |k| std::env::var(k).ok())?),
            None => None,
        };
        let args = &shard_names(args, shard)?;
        if !args.series.is_empty() && args.format == RunFormat::Csv {
            return Err(CliError::Series(
                "goes with --format json or jsonl; for CSV use `results --series`".into(),
            ));
        }
        let (doc, inputs) = split_pipeline(&args.inputs)?;
        guard_out(args, &[])?;
        let store = RunStore::open(args)?;
        let found = if args.resume && inputs.is_empty() {
            store.resume_files(&doc.name)?
        } else {
            audio_files(&inputs)
        };
        if inputs.is_empty() && found.is_empty() {
            return Err(CliError::NoInputs);
        }
        if found.is_empty() {
            return Err(CliError::NoAudioFiles(display_list(&inputs)));
        }
        guard_out(args, &found)?;
        let found = match shard {
            Some(s) => {
                let mine = shard::select(&found, &inputs, s);
                eprintln!("shard {s}: {} of {} files", mine.len(), found.len());
                mine
            }
            None => found,
        };
        let input_index = processing_order(&found, args.order);
        let files = input_index
            .iter()
            .filter_map(|&i| found.get(i).cloned())
            .collect();
        let mut config = doc.config.clone();
        if let Some(jobs) = args.jobs {
            config.cpu_workers = jobs;
            config.max_concurrent_waves = jobs * 2;
            config.max_parallel_items_per_stage = config.max_parallel_items_per_stage.max(jobs);
        }
        let max_concurrent = config.max_concurrent_waves;
        let mut runner =
            PipelineRunner::with_library(&doc, Some(config), handle, store.library.clone())?;
        if let Some(s) = shard {
            runner.set_shard(s);
        }
        let out = open_output(args.out.as_deref())?;
        Ok(Self {
            runner,
            files,
            input_index,
            max_concurrent,
            format: args.format,
            series: args.series.clone(),
            out,
            store,
            shard,
            out_error: None,
        })
    }
}

/// `args` with `{shard}` in `--db` (or `WAVE_STUDIO_DB`) and `--out`
/// replaced by the shard's index; an error when either names it without
/// a shard.
fn shard_names(args: &RunArgs, shard: Option<Shard>) -> Result<RunArgs, CliError> {
    let mut args = args.clone();
    if !args.no_db {
        let db = args.db.take().or_else(|| {
            std::env::var_os(DB_ENV)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        });
        args.db = db.map(|p| shard::fill(&p, shard, "--db")).transpose()?;
    }
    args.out = args
        .out
        .map(|p| shard::fill(&p, shard, "--out"))
        .transpose()?;
    Ok(args)
}

/// Refuses an `--out` that is the library, the pipeline file or one of
/// the audio files `found` (every file the inputs hold, all shards).
fn guard_out(args: &RunArgs, found: &[PathBuf]) -> Result<(), CliError> {
    let out = args.out.as_deref();
    let db = if args.no_db {
        None
    } else {
        db_path(args.db.as_deref()).ok()
    };
    let mut protected = Vec::new();
    if let Some(path) = &db {
        protected.push(Protected {
            path,
            what: LIBRARY,
        });
    }
    if let Some(first) = args.inputs.first().filter(|p| is_ron(p)) {
        protected.push(Protected {
            path: first,
            what: PIPELINE,
        });
    }
    protected.extend(inputs(out, found));
    refuse_clobber(out, &protected)
}

fn is_ron(path: &std::path::Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("ron"))
}

/// The pipeline (the first input if it is a `.ron` file, else the built-in
/// default) and the audio inputs.
fn split_pipeline(inputs: &[PathBuf]) -> Result<(PipelineDocument, Vec<PathBuf>), CliError> {
    match inputs.split_first() {
        Some((first, rest)) if is_ron(first) => Ok((pipeline::load(first)?, rest.to_vec())),
        _ => Ok((pipeline::default_document()?, inputs.to_vec())),
    }
}
