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
    let plugins = pipeline::plugin::Installed::discover();
    for path in &args.pipelines {
        match pipeline::load_with(path, &plugins) {
            Ok(doc) => {
                // It loads, but cannot run until its plugins are installed.
                let source = std::fs::read_to_string(path).ok();
                let missing = pipeline::missing_plugins(&doc, source.as_deref(), &plugins);
                for problem in &missing {
                    eprintln!("{}:{problem}", path.display());
                }
                ok &= missing.is_empty();
                println!(
                    "{}: {} ({} nodes, {} edges)",
                    path.display(),
                    if missing.is_empty() {
                        "ok"
                    } else {
                        "loads, cannot run"
                    },
                    doc.nodes.len(),
                    doc.edges.len()
                );
            }
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
