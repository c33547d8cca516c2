//! `wave-studio run [PIPELINE] FILES_OR_DIRS...`: a pipeline over audio
//! files, headless, with progress on stderr and results on stdout or a file.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use tokio::runtime::Handle;

use crate::orchestrator::{Statistics, WaveEvent, WaveStatus};
use crate::pipeline::export::{write_csv, write_json, write_jsonl};
use crate::pipeline::{self, FileResult, PipelineDocument, PipelineRunner};

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
    #[arg(required = true, value_name = "[PIPELINE] FILES_OR_DIRS")]
    pub inputs: Vec<PathBuf>,
    /// Files analysed at once (default: the pipeline's setting, CPU work on
    /// every core).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Write results here instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Results format.
    #[arg(long, value_enum, default_value = "json")]
    pub format: RunFormat,
}

/// Exit status: 0 all files completed; 1 some failed, partial or
/// cancelled; 2 usage error or invalid pipeline (nothing run).
pub async fn run(args: RunArgs, handle: Handle) -> anyhow::Result<ExitCode> {
    let (doc, inputs) = match split_pipeline(&args.inputs) {
        Ok(split) => split,
        Err(e) => {
            eprintln!("error: {e:#}");
            return Ok(ExitCode::from(2));
        }
    };
    if inputs.is_empty() {
        eprintln!("error: no audio files or folders given");
        return Ok(ExitCode::from(2));
    }
    let files = super::inputs::audio_files(&inputs);
    if files.is_empty() {
        eprintln!("error: no audio files found in {}", display_list(&inputs));
        return Ok(ExitCode::from(2));
    }
    let mut config = doc.config.clone();
    if let Some(jobs) = args.jobs {
        if jobs == 0 {
            eprintln!("error: --jobs must be at least 1");
            return Ok(ExitCode::from(2));
        }
        config.cpu_workers = jobs;
        config.max_concurrent_waves = jobs * 2;
        config.max_parallel_items_per_stage = config.max_parallel_items_per_stage.max(jobs);
    }
    let max_concurrent = config.max_concurrent_waves;
    let runner = match PipelineRunner::new(&doc, Some(config), handle) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    let mut out: Box<dyn Write> = match &args.out {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout())),
    };

    let total = files.len();
    let order: HashMap<String, usize> = files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.display().to_string(), i))
        .collect();
    let mut progress = Progress::new(total, runner.orchestrator().subscribe());
    let mut run = runner.start(files, max_concurrent);
    let mut results = Vec::with_capacity(total);
    let mut interrupted = false;
    loop {
        tokio::select! {
            r = run.results.recv() => match r {
                Some(result) => {
                    progress.file_done(&result);
                    if args.format == RunFormat::Jsonl {
                        write_jsonl(&mut out, &result, runner.name(), runner.hash())?;
                    }
                    results.push(result);
                }
                None => break,
            },
            _ = tokio::signal::ctrl_c(), if !interrupted => {
                interrupted = true;
                progress.note("interrupted: cancelling; finished results will be written");
                run.cancel.cancel();
            }
            _ = tokio::time::sleep(Duration::from_millis(200)) => progress.tick(),
        }
    }
    let report = run.done.await.context("the batch task failed")?;
    progress.finish();
    results.sort_by_key(|r| order.get(&r.file).copied().unwrap_or(usize::MAX));
    match args.format {
        RunFormat::Json => write_json(&mut out, &results, runner.name(), runner.hash())?,
        RunFormat::Csv => write_csv(&mut out, &results)?,
        RunFormat::Jsonl => {}
    }
    out.flush()?;
    print_summary(&runner.orchestrator().statistics(), &results);
    if let Some(abort) = &report.aborted {
        eprintln!(
            "batch aborted: {abort}; {} file(s) not started",
            report.not_started
        );
    }
    runner.orchestrator().shutdown().await;
    let all_ok =
        results.len() == total && results.iter().all(|r| r.status == WaveStatus::Completed);
    Ok(if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The pipeline (the first input if it is a `.ron` file, else the built-in
/// default) and the audio inputs.
fn split_pipeline(inputs: &[PathBuf]) -> anyhow::Result<(PipelineDocument, Vec<PathBuf>)> {
    match inputs.split_first() {
        Some((first, rest)) if pipeline::is_pipeline_path(first) => {
            Ok((pipeline::load(first)?, rest.to_vec()))
        }
        _ => Ok((pipeline::default_document()?, inputs.to_vec())),
    }
}

fn display_list(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Live progress on stderr: a bar on a terminal, plain lines otherwise.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    events: tokio::sync::mpsc::UnboundedReceiver<WaveEvent>,
    running: HashMap<String, i64>,
    done: usize,
    failed: usize,
    total: usize,
}

impl Progress {
    fn new(total: usize, events: tokio::sync::mpsc::UnboundedReceiver<WaveEvent>) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new(total as u64);
            let style = indicatif::ProgressStyle::with_template(
                "{bar:30} {pos}/{len} files {elapsed} {msg}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
            bar.set_style(style);
            bar
        });
        Self {
            bar,
            events,
            running: HashMap::new(),
            done: 0,
            failed: 0,
            total,
        }
    }

    fn tick(&mut self) {
        while let Ok(e) = self.events.try_recv() {
            match e {
                WaveEvent::StageStarted { node, .. } => {
                    *self.running.entry(node.to_string()).or_default() += 1
                }
                WaveEvent::StageFinished { node, .. } => {
                    *self.running.entry(node.to_string()).or_default() -= 1
                }
                _ => {}
            }
        }
        if let Some(bar) = &self.bar {
            let mut stages: Vec<_> = self.running.iter().filter(|(_, n)| **n > 0).collect();
            stages.sort();
            let stages: Vec<String> = stages.iter().map(|(s, n)| format!("{s}:{n}")).collect();
            bar.set_message(format!(
                "{} failed  running {}",
                self.failed,
                stages.join(" ")
            ));
        }
    }

    fn note(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| eprintln!("{line}")),
            None => eprintln!("{line}"),
        }
    }

    fn file_done(&mut self, r: &FileResult) {
        self.done += 1;
        if !r.ok {
            self.failed += 1;
        }
        self.tick();
        let status = r.status.label();
        let line = match &r.error {
            Some(e) => format!(
                "[{}/{}] {status} {} ({:.2} s): {e}",
                self.done, self.total, r.file, r.analysis_s
            ),
            None => format!(
                "[{}/{}] {status} {} ({:.2} s)",
                self.done, self.total, r.file, r.analysis_s
            ),
        };
        match &self.bar {
            Some(bar) => {
                bar.inc(1);
                if r.error.is_some() {
                    bar.suspend(|| eprintln!("{line}"));
                }
            }
            None => eprintln!("{line}"),
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

/// The seed's statistics plus per-stage timing, on stderr.
fn print_summary(stats: &Statistics, results: &[FileResult]) {
    eprintln!(
        "{} files: {} completed, {} partial, {} failed, {} cancelled; success rate {:.1}%",
        results.len(),
        stats.successful_waves,
        stats.partial_waves,
        stats.failed_waves,
        stats.cancelled_waves,
        stats.success_rate
    );
    eprintln!(
        "{:<16} {:>8} {:>6} {:>7} {:>8} {:>8} {:>9} {:>9} {:>9} {:>8}",
        "stage",
        "attempts",
        "ok",
        "failed",
        "retries",
        "skipped",
        "p50 ms",
        "p95 ms",
        "max ms",
        "quality"
    );
    for s in &stats.stages {
        eprintln!(
            "{:<16} {:>8} {:>6} {:>7} {:>8} {:>8} {:>9} {:>9} {:>9} {:>8}",
            s.node.as_str(),
            s.attempts,
            s.items_completed,
            s.items_failed,
            s.retries,
            s.items_skipped,
            ms(s.duration_p50()),
            ms(s.duration_p95()),
            ms(s.duration_max()),
            s.mean_quality()
                .map_or_else(|| "-".to_string(), |q| format!("{q:.3}"))
        );
    }
}
