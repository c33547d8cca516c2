//! `wave-studio run [PIPELINE] FILES_OR_DIRS...`: a pipeline over audio
//! files, headless, with progress on stderr and results on stdout or a file.

mod order;
mod plan;
mod progress;
pub(crate) mod shard;
mod signals;
mod store;

use std::path::PathBuf;
use std::time::Duration;

use tokio::runtime::Handle;

use super::error::{CliError, Outcome, parse_jobs};
use crate::orchestrator::{BatchReport, WaveStatus};
use crate::results::export::{write_csv_with, write_json, write_jsonl};
use crate::results::series::with_series;
use crate::run::FileResult;
use crate::run::persist::partial_note;
pub use order::RunOrder;
use plan::RunPlan;
use progress::{Progress, print_summary};
use signals::Stops;

/// Output formats of `run`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RunFormat {
    /// One JSON object: the pipeline, its hash and an array of results.
    Json,
    /// One JSON object per line, each carrying the pipeline and its hash.
    Jsonl,
    /// One row per file, fixed columns.
    Csv,
}

/// Options of `run`.
#[derive(Debug, Clone, clap::Args)]
pub struct RunArgs {
    /// A pipeline file (.ron) first, then audio files or folders (walked
    /// recursively). Without a pipeline file the built-in default runs.
    #[arg(
        required_unless_present = "resume",
        value_name = "[PIPELINE] FILES_OR_DIRS"
    )]
    pub inputs: Vec<PathBuf>,
    /// Files analysed at once, at least 1 (default: the pipeline's setting,
    /// CPU work on every core).
    #[arg(long, value_parser = parse_jobs)]
    pub jobs: Option<usize>,
    /// Write results here instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Results format.
    #[arg(long, value_enum, default_value = "json")]
    pub format: RunFormat,
    /// The results library (default: `$WAVE_STUDIO_DB`, else
    /// ~/.local/share/wave-studio/library.sqlite).
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Use no results library: nothing is stored or answered from it.
    #[arg(long, conflicts_with_all = ["db", "resume"])]
    pub no_db: bool,
    /// Without FILES: run again on the inputs of this pipeline's newest
    /// unfinished run (killed or interrupted), else of its newest run.
    /// Files finished before come back from the library.
    #[arg(long)]
    pub resume: bool,
    /// The order files start in: `path` (sorted by path), `shortest`
    /// (smallest file first, by size in bytes) or `newest` (latest
    /// modification time first). Files whose size or time cannot be read
    /// go last. Results are still written in input order.
    #[arg(long, value_enum, default_value = "path")]
    pub order: RunOrder,
    /// Analyse only shard I of N (numbered from 0: `0/4` ... `3/4`): the
    /// files whose path below the inputs' common folder hashes to I. `auto`
    /// reads JOB_COMPLETION_INDEX (a Kubernetes Indexed Job; give
    /// --shards) or SLURM_ARRAY_TASK_ID (a Slurm array). `{shard}` in --db
    /// and --out becomes I. A shard with no files exits 0.
    #[arg(long, value_name = "I/N|auto", value_parser = shard::parse_shard,
          conflicts_with = "resume")]
    pub shard: Option<shard::ShardArg>,
    /// How many shards with `--shard auto` (the Kubernetes Job's
    /// completions; a Slurm array's SLURM_ARRAY_TASK_COUNT otherwise).
    #[arg(long, value_name = "N", requires = "shard", value_parser = shard::parse_count)]
    pub shards: Option<u32>,
    /// Add these series to each JSON result (comma-separated): beats,
    /// downbeats, tempo, key, loudness, waveform. Left out by default,
    /// so the output stays small.
    #[arg(long, value_enum, value_delimiter = ',', value_name = "KINDS")]
    pub series: Vec<crate::results::series::ExportKind>,
}

/// Validates the arguments into a plan, then runs it: `AllOk` when every
/// file completed, `SomeFailed` when some failed, were partial or cancelled.
pub async fn run(args: RunArgs, handle: Handle) -> Result<Outcome, CliError> {
    // From the start: a SIGTERM while the inputs are read still ends the
    // run cleanly.
    let mut stops = Stops::install()?;
    let mut plan = RunPlan::new(&args, handle)?;
    let outcome = if plan.files.is_empty() {
        tokio::task::block_in_place(|| empty_shard(&mut plan))
    } else {
        let mut progress = Progress::new(plan.files.len(), plan.runner.orchestrator().subscribe());
        match collect(&mut plan, &mut progress, &mut stops).await {
            Ok((results, report)) => {
                progress.finish();
                report_results(&mut plan, &results, &report)
            }
            Err(e) => Err(e),
        }
    };
    plan.runner.orchestrator().shutdown().await;
    outcome
}

/// A shard with no file: says so, records a finished empty run (so a
/// merge knows the shard ran) and writes an empty results document.
/// Blocking (a short library write).
fn empty_shard(plan: &mut RunPlan) -> Result<Outcome, CliError> {
    let which = plan
        .shard
        .map_or_else(String::new, |s| format!("shard {s}: "));
    eprintln!("{which}no file of the inputs falls in this shard; nothing to analyse");
    let (name, hash) = (plan.runner.name(), plan.runner.hash());
    match plan.format {
        RunFormat::Json => write_json(&mut plan.out, &[], name, hash)?,
        RunFormat::Csv => write_csv_with(&mut plan.out, &[], plan.runner.extra_columns())?,
        RunFormat::Jsonl => {}
    }
    plan.out.commit()?;
    let stored = match plan.runner.record_empty_run() {
        Ok(Some(run)) => {
            eprintln!("library: empty run {run} recorded");
            true
        }
        Ok(None) => plan.store.report(&[]),
        Err(e) => {
            plan.store.not_stored(&e.to_string());
            false
        }
    };
    Ok(Outcome::from_all_ok(stored))
}

/// Runs the files to the end or to a stop request (Ctrl+C, SIGTERM,
/// SIGHUP), streaming JSON lines as they come; returns the results in
/// input order and the batch's report.
async fn collect(
    plan: &mut RunPlan,
    progress: &mut Progress,
    stops: &mut Stops,
) -> Result<(Vec<FileResult>, BatchReport), CliError> {
    let mut run = plan.runner.start(plan.files.clone(), plan.max_concurrent);
    plan.store.status = run.store.clone();
    let mut results = Vec::with_capacity(plan.files.len());
    let mut interrupted = false;
    loop {
        tokio::select! {
            r = run.results.recv() => match r {
                Some(result) => {
                    progress.file_done(&result);
                    if plan.format == RunFormat::Jsonl {
                        stream(plan, &result, progress);
                    }
                    results.push(result);
                }
                None => break,
            },
            why = stops.next(), if !interrupted => {
                interrupted = true;
                progress.note(&format!("{why}: cancelling; finished results will be written"));
                run.cancel.cancel();
            }
            _ = tokio::time::sleep(Duration::from_millis(200)) => progress.tick(),
        }
    }
    let report = run
        .done
        .await
        .map_err(|e| CliError::Internal(format!("the batch task failed: {e}")))?;
    // Each result's key is its file's position in the run; written in the
    // order the inputs named the files.
    results.sort_by_key(|r| {
        let run_index = usize::try_from(r.key.0).unwrap_or(usize::MAX);
        plan.input_index
            .get(run_index)
            .copied()
            .unwrap_or(usize::MAX)
    });
    Ok((results, report))
}

/// One JSON line to `--out`; after a failed write (a full disk) nothing
/// more is tried and the one error line says where the results are.
fn stream(plan: &mut RunPlan, result: &FileResult, progress: &Progress) {
    if plan.out_error.is_some() {
        return;
    }
    let (name, hash) = (plan.runner.name(), plan.runner.hash());
    let result = &with_series(result, &plan.series);
    if let Err(e) = write_jsonl(&mut plan.out, result, name, hash) {
        progress.note(&out_failed(plan, &e));
        plan.out_error = Some(e);
    }
}

/// The one line for a results file that cannot be written.
fn out_failed(plan: &RunPlan, e: &std::io::Error) -> String {
    let target = plan
        .out
        .path()
        .map_or_else(|| "stdout".to_string(), |p| p.display().to_string());
    let kept = if plan.out.staged() {
        " (it keeps what it held before)"
    } else {
        ""
    };
    format!(
        "error: cannot write the results to {target}{kept}: {e}; every file is still analysed{}",
        plan.store.where_results_are()
    )
}

/// Writes the results document (JSON and CSV at the end; JSON lines were
/// streamed) and puts the `--out` file in place; false after a failure,
/// which is reported once.
fn write_document(plan: &mut RunPlan, results: &[FileResult]) -> bool {
    if plan.out_error.is_some() {
        return false;
    }
    let (name, hash) = (plan.runner.name(), plan.runner.hash());
    let written = match plan.format {
        RunFormat::Json if !plan.series.is_empty() => {
            let results: Vec<FileResult> = results
                .iter()
                .map(|r| with_series(r, &plan.series))
                .collect();
            write_json(&mut plan.out, &results, name, hash)
        }
        RunFormat::Json => write_json(&mut plan.out, results, name, hash),
        RunFormat::Csv => {
            let extra = plan.runner.extra_columns().to_vec();
            write_csv_with(&mut plan.out, results, &extra)
        }
        RunFormat::Jsonl => Ok(()),
    };
    match written.and_then(|()| plan.out.commit()) {
        Ok(()) => true,
        Err(e) => {
            eprintln!("{}", out_failed(plan, &e));
            plan.out_error = Some(e);
            false
        }
    }
}

/// Writes the results (unless already streamed) and the summary; the
/// outcome says whether every file completed and every result was
/// written.
fn report_results(
    plan: &mut RunPlan,
    results: &[FileResult],
    report: &BatchReport,
) -> Result<Outcome, CliError> {
    let written = write_document(plan, results);
    print_summary(&plan.runner.orchestrator().statistics(), results);
    if let Some(abort) = &report.aborted {
        let abort = abort.to_string();
        eprintln!(
            "batch aborted: {}; {} file(s) not started",
            super::terminal::escape_text(&abort),
            report.not_started
        );
    }
    // A library that could not take the results fails the run (exit 1).
    let stored = plan.store.report(results);
    // A truncated file completes with values for what decoded: partial,
    // so not a success (as `analyze` counts it).
    let all_ok = results.len() == plan.files.len()
        && results
            .iter()
            .all(|r| r.status == WaveStatus::Completed && partial_note(r).is_none());
    Ok(Outcome::from_all_ok(all_ok && stored && written))
}
