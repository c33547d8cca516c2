//! `wave-studio check PIPELINE...`: validate pipeline files, print every
//! problem with its line and column.

use std::path::PathBuf;

use super::error::Outcome;
use crate::pipeline;

/// Options of `check`.
#[derive(Debug, Clone, clap::Args)]
pub struct CheckArgs {
    /// Pipeline files (.ron).
    #[arg(required = true)]
    pub pipelines: Vec<PathBuf>,
}

/// `AllOk` when every file is valid (exit status 0), `SomeFailed`
/// otherwise (1): the pipeline files are this command's inputs.
pub fn run(args: &CheckArgs) -> Outcome {
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
    Outcome::from_all_ok(ok)
}
