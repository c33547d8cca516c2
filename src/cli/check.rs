//! `wave-studio check PIPELINE...`: validate pipeline files, print every
//! problem with its line and column.

use std::path::PathBuf;

use super::error::Outcome;
use super::terminal::{escape, escape_text};
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
                let name = path.display().to_string();
                let name = escape(&name);
                for problem in &missing {
                    eprintln!("{name}:{}", escape_text(&problem.to_string()));
                }
                ok &= missing.is_empty();
                println!(
                    "{name}: {} ({} nodes, {} edges)",
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
                let name = path.display().to_string();
                let name = escape(&name);
                for problem in e.problems() {
                    let text = problem.to_string();
                    let text = escape_text(&text);
                    match (problem.line, problem.col) {
                        (Some(_), Some(_)) => eprintln!("{name}:{text}"),
                        _ => eprintln!("{name}: {text}"),
                    }
                }
            }
        }
    }
    Outcome::from_all_ok(ok)
}
