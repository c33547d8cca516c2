//! The headless command line: `wave-studio [COMMAND]`.

mod analyze;
mod check;
mod demo;
mod files;
mod output;
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
    let result = match command {
        Some(Command::Demo(demo)) => runtime.block_on(demo::run(demo, runtime.handle().clone())),
        Some(Command::Run(r)) => runtime.block_on(run::run(r, runtime.handle().clone())),
        None | Some(Command::Analyze(_)) | Some(Command::Check(_)) => runtime.block_on(demo::run(
            demo::DemoArgs::default(),
            runtime.handle().clone(),
        )),
    };
    finish(result)
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
