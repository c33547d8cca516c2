//! The headless command line: `wave-studio [COMMAND]`.

mod analyze;
mod check;
mod clobber;
mod compare;
mod db;
mod demo;
mod dj_export;
mod error;
mod forget;
mod inputs;
mod library_cmd;
mod merge;
mod output;
mod plugins;
mod results;
mod run;
mod terminal;
mod tune;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use error::{CliError, Outcome, exit_code};

/// Audio-analysis pipelines, run by the wave orchestrator.
#[derive(Debug, Parser)]
#[command(name = "wave-studio", version, about)]
struct Args {
    #[command(subcommand)]
    command: Option<Command>,
    /// A folder of plugins, searched before `WAVE_STUDIO_PLUGINS` and
    /// ~/.local/share/wave-studio/plugins (repeatable).
    #[arg(long, global = true, value_name = "DIR")]
    plugins: Vec<std::path::PathBuf>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the default seven-stage plan over synthetic waves and print the
    /// live event counts and statistics.
    Demo(demo::DemoArgs),
    /// Analyse audio files (tempo, key, loudness, spectrum) and print the
    /// results as JSON, CSV or a table.
    Analyze(analyze::AnalyzeArgs),
    /// Run a pipeline over audio files and folders: `run [PIPELINE.ron]
    /// FILES_OR_DIRS...` (without a pipeline file, the built-in default).
    /// Results are also stored in the results library; finished files
    /// come back from it on a rerun (`--resume`: the last unfinished run).
    Run(run::RunArgs),
    /// Validate pipeline files; print every problem with line:column.
    Check(check::CheckArgs),
    /// Run two pipelines on the same files, interleaved on one engine:
    /// `compare A.ron B.ron FILES_OR_DIRS...`; per file the values that
    /// differ, then agreement per field, time per node, failures, quality.
    Compare(compare::CompareArgs),
    /// Suggest a `quality_threshold` from the library's history of a
    /// pipeline with refinement nodes: `tune PIPELINE.ron [--target 0.99]`.
    Tune(tune::TuneArgs),
    /// Export the results library's current results (`--format
    /// json|jsonl|csv`, as `run` writes them), or list its runs (`--runs`).
    Results(results::ResultsArgs),
    /// Remove stored results of files or folders (`--run ID`: of a run)
    /// from the results library.
    Forget(forget::ForgetArgs),
    /// Write the library's results for DJ software and players: `export
    /// --to m3u --out SET.m3u8 [--sort harmonic]` (Camelot key, then BPM).
    Export(dj_export::ExportArgs),
    /// Check a results library for damage (`check`), or copy what a
    /// damaged one still holds into a new library (`repair NEW.sqlite`).
    Library(library_cmd::LibraryArgs),
    /// Merge the libraries of a sharded run's shards into one (`merge
    /// OUT.sqlite SHARD_DBS...`): refuses shards of different pipelines or
    /// versions, reports missing shards and files; `--format` exports.
    Merge(merge::MergeArgs),
    /// List installed plugins with the command each runs (`list`), or
    /// check that their manifests load and programs start (`check [NAME]`).
    Plugins(plugins::PluginsArgs),
    /// Open the desktop app (the default with no command): `gui [--run]
    /// [PIPELINE.ron] [FILES_OR_DIRS...]` opens the pipeline, queues the
    /// audio files (folders recursively) and, with `--run`, starts at once.
    #[cfg(feature = "gui")]
    Gui(GuiArgs),
}

/// Arguments of `gui`.
#[cfg(feature = "gui")]
#[derive(Debug, Default, clap::Args)]
struct GuiArgs {
    /// Start the run as soon as the files are queued.
    #[arg(long)]
    run: bool,
    /// The results library to use (default: `WAVE_STUDIO_DB`, else the
    /// platform's data directory).
    #[arg(long, value_name = "PATH", conflicts_with = "no_db")]
    db: Option<std::path::PathBuf>,
    /// Use no results library: results last only as long as the window.
    #[arg(long)]
    no_db: bool,
    /// A `.ron` pipeline to open, then audio files and folders to queue.
    paths: Vec<std::path::PathBuf>,
}

/// Parses arguments, builds the runtime and runs the command. Exit
/// status (one mapping for every command, `exit_code`): 0 every input
/// succeeded; 1 some inputs failed; 2 usage error, invalid pipeline or
/// nothing could run (clap's own usage errors exit 2 as well).
pub fn main() -> ExitCode {
    exit_code(dispatch(Args::parse()))
}

fn dispatch(args: Args) -> Result<Outcome, CliError> {
    for dir in args.plugins {
        crate::pipeline::plugin::add_search_dir(dir);
    }
    let command = match args.command {
        // Plain threads, no async runtime: analysis is CPU work only.
        Some(Command::Analyze(a)) => return analyze::run(a),
        Some(Command::Check(c)) => return Ok(check::run(&c)),
        Some(Command::Results(r)) => return results::run(&r),
        Some(Command::Forget(f)) => return forget::run(&f),
        Some(Command::Export(e)) => return dj_export::run(&e),
        Some(Command::Plugins(p)) => return Ok(plugins::run(&p)),
        Some(Command::Tune(t)) => return tune::run(&t),
        Some(Command::Merge(m)) => return merge::run(&m),
        Some(Command::Library(l)) => return library_cmd::run(&l),
        other => other,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .thread_name("wave-worker")
        .enable_all()
        .build()
        .map_err(|e| CliError::Internal(format!("cannot start the async runtime: {e}")))?;
    let handle = runtime.handle().clone();
    match command {
        Some(Command::Run(r)) => runtime.block_on(run::run(r, handle)),
        Some(Command::Compare(c)) => runtime.block_on(compare::run(c, handle)),
        Some(Command::Demo(demo)) => runtime.block_on(demo::run(demo, handle)),
        #[cfg(feature = "gui")]
        None => gui(GuiArgs::default(), handle),
        #[cfg(feature = "gui")]
        Some(Command::Gui(g)) => gui(g, handle),
        // Without the app, no command runs the demo.
        #[cfg(not(feature = "gui"))]
        None => runtime.block_on(demo::run(demo::DemoArgs::default(), handle)),
        // Run above, without a runtime.
        Some(
            Command::Analyze(_)
            | Command::Check(_)
            | Command::Results(_)
            | Command::Forget(_)
            | Command::Export(_)
            | Command::Plugins(_)
            | Command::Tune(_)
            | Command::Merge(_)
            | Command::Library(_),
        ) => Ok(Outcome::AllOk),
    }
}

/// Opens the app on the runtime's handle; returns when the window closes.
#[cfg(feature = "gui")]
fn gui(args: GuiArgs, handle: tokio::runtime::Handle) -> Result<Outcome, CliError> {
    let (pipelines, files): (Vec<_>, Vec<_>) = args
        .paths
        .into_iter()
        .partition(|p| crate::pipeline::is_pipeline_path(p));
    let launch = crate::app::Launch {
        pipeline: pipelines.into_iter().next(),
        files,
        auto_run: args.run,
        db: args.db,
        no_db: args.no_db,
        audio: true,
    };
    crate::app::run_native(handle, launch)
        .map(|()| Outcome::AllOk)
        .map_err(|e| CliError::Internal(format!("cannot open the app window: {e}")))
}
