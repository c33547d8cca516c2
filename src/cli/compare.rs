//! `wave-studio compare A.ron B.ron FILES_OR_DIRS...`: both pipelines on the
//! same files, interleaved on one orchestrator; per file the values that
//! differ, then agreement, time per node, failures and qualities.

mod output;

use std::path::PathBuf;
use std::sync::Arc;

use tokio::runtime::Handle;

use super::db::db_path;
use super::error::{CliError, Outcome, display_list, parse_jobs};
use super::inputs::audio_files;
use super::output::open_output;
use crate::library::Library;
use crate::pipeline::plugin::Installed;
use crate::pipeline::{self, PipelineDocument};
use crate::results::compare::{Comparison, PipelineTag};
use crate::run::pair::{PipelinePair, SideResult};
use crate::text::{escape, escape_text};

/// Output formats of `compare`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CompareFormat {
    /// The differences per file, then the summary, for people.
    Table,
    /// One JSON object: both pipelines, every file (differences and both
    /// whole records) and the summary.
    Json,
    /// One row per file and compared field: file, field, A, B, agree, note.
    Csv,
}

/// Options of `compare`.
#[derive(Debug, Clone, clap::Args)]
pub struct CompareArgs {
    /// Pipeline A (.ron).
    #[arg(value_name = "A.ron")]
    pub a: PathBuf,
    /// Pipeline B (.ron).
    #[arg(value_name = "B.ron")]
    pub b: PathBuf,
    /// Audio files or folders (walked recursively).
    #[arg(required = true, value_name = "FILES_OR_DIRS")]
    pub inputs: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: CompareFormat,
    /// Write the comparison here instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Files analysed at once per pipeline, at least 1 (as `run --jobs`).
    #[arg(long, value_parser = parse_jobs)]
    pub jobs: Option<usize>,
    /// The results library (default: `$WAVE_STUDIO_DB`, else
    /// ~/.local/share/wave-studio/library.sqlite). Node outputs stored
    /// there are reused where their cache keys match.
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Use no results library: nothing is stored or answered from it.
    #[arg(long, conflicts_with = "db")]
    pub no_db: bool,
}

/// A pipeline file, loaded; a file that is not `.ron` is refused by name.
fn load(path: &std::path::Path) -> Result<PipelineDocument, CliError> {
    if !pipeline::is_pipeline_path(path) {
        return Err(CliError::NotAPipeline(path.to_path_buf()));
    }
    Ok(pipeline::load(path)?)
}

/// The library to use, or none (`--no-db`, or it failed to open: then one
/// line says so and the comparison goes on without it).
fn open_library(args: &CompareArgs) -> Result<Option<Arc<Library>>, CliError> {
    if args.no_db {
        return Ok(None);
    }
    let path = db_path(args.db.as_deref())?;
    match Library::open(&path) {
        Ok(l) => Ok(Some(l)),
        Err(e) => {
            let e = escape_text(&e.to_string()).into_owned();
            eprintln!("error: {e}; comparing without the results library");
            Ok(None)
        }
    }
}

/// Checks everything, runs both pipelines, writes the comparison. `AllOk`
/// when every file completed on both sides.
pub async fn run(args: CompareArgs, handle: Handle) -> Result<Outcome, CliError> {
    let (doc_a, doc_b) = (load(&args.a)?, load(&args.b)?);
    let mut files = audio_files(&args.inputs);
    if files.is_empty() {
        return Err(CliError::NoAudioFiles(display_list(&args.inputs)));
    }
    files.sort();
    guard_out(&args, &files)?;
    let mut out = open_output(args.out.as_deref())?;
    let library = open_library(&args)?;
    let plugins = Arc::new(Installed::discover());
    let pair = PipelinePair::new(&doc_a, &doc_b, args.jobs, handle, library, plugins)?;
    let results = collect(&pair, files.clone()).await;
    pair.orchestrator().shutdown().await;
    let results = results?;
    let [name_a, name_b] = pair.names();
    let [hash_a, hash_b] = pair.hashes();
    let tags = [
        PipelineTag {
            name: name_a.to_string(),
            hash: hash_a.to_string(),
        },
        PipelineTag {
            name: name_b.to_string(),
            hash: hash_b.to_string(),
        },
    ];
    let comparison = Comparison::new(tags, results, &pair.node_ids())?;
    let paths = [args.a.display().to_string(), args.b.display().to_string()];
    match args.format {
        CompareFormat::Table => output::write_table(&mut out, &comparison, &paths)?,
        CompareFormat::Json => output::write_json(&mut out, &comparison)?,
        CompareFormat::Csv => output::write_csv(&mut out, &comparison)?,
    }
    out.commit()?;
    let all_ok = comparison.summary.failures.is_empty() && comparison.files.len() == files.len();
    Ok(Outcome::from_all_ok(all_ok))
}

/// Refuses an `--out` that is a pipeline, the library or an audio file.
fn guard_out(args: &CompareArgs, files: &[PathBuf]) -> Result<(), CliError> {
    use super::clobber::{LIBRARY, PIPELINE, Protected, inputs, refuse_clobber};
    let out = args.out.as_deref();
    let db = if args.no_db {
        None
    } else {
        db_path(args.db.as_deref()).ok()
    };
    let mut protected = vec![
        Protected {
            path: &args.a,
            what: PIPELINE,
        },
        Protected {
            path: &args.b,
            what: PIPELINE,
        },
    ];
    if let Some(path) = &db {
        protected.push(Protected {
            path,
            what: LIBRARY,
        });
    }
    protected.extend(inputs(out, files));
    refuse_clobber(out, &protected)
}

/// Both sides' records, to the end or to Ctrl+C (then the comparison is
/// refused: a cut-short run is no fair comparison).
async fn collect(pair: &PipelinePair, files: Vec<PathBuf>) -> Result<Vec<SideResult>, CliError> {
    let total = files.len() * 2;
    let mut run = pair.start(files);
    let mut results = Vec::with_capacity(total);
    let mut interrupted = false;
    loop {
        tokio::select! {
            r = run.results.recv() => match r {
                Some(r) => {
                    eprintln!(
                        "[{}/{total}] {} {} {} ({:.2} s)",
                        results.len() + 1,
                        r.side.label(),
                        r.result.status.label(),
                        escape(&r.result.file),
                        r.result.analysis_s
                    );
                    results.push(r);
                }
                None => break,
            },
            _ = tokio::signal::ctrl_c(), if !interrupted => {
                interrupted = true;
                eprintln!("interrupted: cancelling both pipelines");
                run.cancel.cancel();
            }
        }
    }
    let (report_a, report_b) = run
        .done
        .await
        .map_err(|e| CliError::Internal(format!("the comparison task failed: {e}")))?;
    for (side, report) in [("A", report_a), ("B", report_b)] {
        if let Some(abort) = &report.aborted {
            eprintln!(
                "pipeline {side}: batch aborted: {}",
                escape_text(&abort.to_string())
            );
        }
    }
    for (side, status) in ["A", "B"].iter().zip(&run.store) {
        if let Some(error) = status.as_ref().and_then(|s| s.get().error) {
            let error = escape_text(&error.to_string()).into_owned();
            eprintln!("pipeline {side}: error: {error}; its results are not stored");
        }
    }
    if interrupted {
        return Err(CliError::Internal(
            "interrupted: no comparison written (both pipelines must finish every file)".into(),
        ));
    }
    Ok(results)
}
