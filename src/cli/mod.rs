//! The headless command line: `wave-studio [COMMAND]`.

mod analyze;
mod check;
mod demo;
mod inputs;
mod run;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Audio-analysis pipelines, run by the wave orchestrator.
#[derive(Debug, Parser)]
#[command(name = "wave-studio", version, about)]
struct Args {
    #[command(subcommand)]
    command: Option<Command>,
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
    Run(run::RunArgs),
    /// Validate pipeline files; print every problem with line:column.
    Check(check::CheckArgs),
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
    /// A `.ron` pipeline to open, then audio files and folders to queue.
    paths: Vec<std::path::PathBuf>,
}

/// Parses arguments, builds the runtime and runs the command.
pub fn main() -> ExitCode {
    let args = Args::parse();
    let command = match args.command {
        // Plain threads, no async runtime: analysis is CPU work only.
        Some(Command::Analyze(a)) => return finish(analyze::run(a)),
        Some(Command::Check(c)) => return check::run(&c),
        other => other,
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .thread_name("wave-worker")
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    #[cfg(feature = "gui")]
    let command = match command {
        None => return gui(GuiArgs::default(), runtime.handle().clone()),
        Some(Command::Gui(g)) => return gui(g, runtime.handle().clone()),
        other => other,
    };
    let result = match command {
        Some(Command::Demo(demo)) => runtime.block_on(demo::run(demo, runtime.handle().clone())),
        Some(Command::Run(r)) => runtime.block_on(run::run(r, runtime.handle().clone())),
        // Without the app, no command runs the demo.
        None | Some(Command::Analyze(_)) | Some(Command::Check(_)) => runtime.block_on(demo::run(
            demo::DemoArgs::default(),
            runtime.handle().clone(),
        )),
        #[cfg(feature = "gui")]
        Some(Command::Gui(_)) => Ok(ExitCode::SUCCESS),
    };
    finish(result)
}

/// Opens the app on the runtime's handle; returns when the window closes.
#[cfg(feature = "gui")]
fn gui(args: GuiArgs, handle: tokio::runtime::Handle) -> ExitCode {
    let (pipelines, files): (Vec<_>, Vec<_>) = args
        .paths
        .into_iter()
        .partition(|p| crate::pipeline::is_pipeline_path(p));
    let launch = crate::app::Launch {
        pipeline: pipelines.into_iter().next(),
        files,
        auto_run: args.run,
    };
    match crate::app::run_native(handle, launch) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cannot open the app window: {e}");
            ExitCode::from(2)
        }
    }
}

fn finish(result: anyhow::Result<ExitCode>) -> ExitCode {
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
