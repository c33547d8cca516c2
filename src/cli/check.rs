//! `wave-studio check PIPELINE...`: validate pipeline files, print every
//! problem with its line and column.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::pipeline;

/// Options of `check`.
#[derive(Debug, Clone, clap::Args)]
pub struct CheckArgs {
    /// Pipeline files (.ron).
    #[arg(required = true)]
    pub pipelines: Vec<PathBuf>,
}

/// Exit status 0 when every file is valid, 1 otherwise.
pub fn run(args: &CheckArgs) -> ExitCode {
    let mut ok = true;
    for path in &args.pipelines {
        match pipeline::load(path) {
            Ok(doc) => println!(
                "{}: ok ({} nodes, {} edges)",
                path.display(),
                doc.nodes.len(),
                doc.edges.len()
            ),
            Err(e) => {
                ok = false;
                for problem in e.problems() {
                    match (problem.line, problem.col) {
                        (Some(_), Some(_)) => eprintln!("{}:{problem}", path.display()),
                        _ => eprintln!("{}: {problem}", path.display()),
                    }
                }
            }
        }
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
