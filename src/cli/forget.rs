//! `wave-studio forget`: removes files' results, node outputs and
//! artifacts (folders: every stored path under them), or a whole run.

use std::collections::BTreeSet;
use std::path::PathBuf;

use super::db::open_existing;
use super::error::{CliError, Outcome};
use super::terminal::escape;
use crate::library::{Library, ResultFilter, RunId, stored_path, text_path};

/// Options of `forget`.
#[derive(Debug, Clone, clap::Args)]
pub struct ForgetArgs {
    /// Audio files or folders whose stored results go (as the paths were
    /// given to `run`).
    #[arg(required_unless_present = "run", value_name = "FILES_OR_DIRS")]
    pub paths: Vec<PathBuf>,
    /// Forget this run and the results it produced instead.
    #[arg(long, value_name = "ID", conflicts_with = "paths")]
    pub run: Option<RunId>,
    /// The results library (default: `$WAVE_STUDIO_DB`, else the
    /// platform's data folder).
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
}

/// Forgets what `args` name and says what went. `SomeFailed` when a path
/// or run had nothing stored.
pub fn run(args: &ForgetArgs) -> Result<Outcome, CliError> {
    let library = open_existing(args.db.as_deref())?;
    let path = library.path().display().to_string();
    if let Some(run) = args.run {
        if !library.runs()?.iter().any(|r| r.id == run) {
            eprintln!("no run {run} in {path}");
            return Ok(Outcome::SomeFailed);
        }
        let n = library.forget_run(run)?;
        println!("forgot run {run} and its {n} result(s) in {path}");
        return Ok(Outcome::AllOk);
    }
    let (files, missing) = stored_files(&library, &args.paths)?;
    for p in &missing {
        let p = p.display().to_string();
        eprintln!("nothing stored for {} in {path}", escape(&p));
    }
    let n = if files.is_empty() {
        0
    } else {
        library.forget_files(&files)?
    };
    println!("forgot {n} result(s) of {} file(s) in {path}", files.len());
    Ok(Outcome::from_all_ok(missing.is_empty()))
}

/// The stored paths `inputs` name: a stored file itself, and every stored
/// file under a folder. Also the inputs that name nothing stored.
fn stored_files(
    library: &Library,
    inputs: &[PathBuf],
) -> Result<(Vec<PathBuf>, Vec<PathBuf>), CliError> {
    let all: BTreeSet<String> = library
        .results(&ResultFilter::default())?
        .into_iter()
        .map(|r| r.path)
        .collect();
    let mut files = BTreeSet::new();
    let mut missing = Vec::new();
    for input in inputs {
        let under = library.results(&ResultFilter {
            folder: Some(input.clone()),
            ..ResultFilter::default()
        })?;
        // Stored as `run` stores it: absolute, so `music/a.flac` from the
        // folder `run` was started in names the same row.
        let itself = all.contains(&stored_path(input));
        if under.is_empty() && !itself {
            missing.push(input.clone());
        }
        files.extend(under.iter().map(|r| text_path(&r.path)));
        if itself {
            files.insert(input.clone());
        }
    }
    Ok((files.into_iter().collect(), missing))
}
