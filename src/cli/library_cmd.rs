//! `wave-studio library check|repair`: what a damaged results library
//! still holds, and a copy of it into a new library. The damaged file is
//! only ever read.

use std::path::PathBuf;

use super::db::db_path;
use super::error::{CliError, Outcome};
use super::terminal::escape;
use crate::library::{self, CheckReport};

/// Options of `library`.
#[derive(Debug, Clone, clap::Args)]
pub struct LibraryArgs {
    #[command(subcommand)]
    command: LibraryCommand,
}

#[derive(Debug, Clone, clap::Subcommand)]
enum LibraryCommand {
    /// Checks every page (`PRAGMA integrity_check`) and counts the rows of
    /// each table that can still be read; exit 1 when it is damaged.
    Check {
        /// The results library (default: `$WAVE_STUDIO_DB`, else the
        /// platform's data folder).
        #[arg(long, value_name = "PATH")]
        db: Option<PathBuf>,
    },
    /// Copies every readable row of a damaged library into a new library
    /// `NEW.sqlite` (which must not exist); the damaged file is not
    /// changed. Exit 1 when rows were lost.
    Repair {
        /// The damaged library (default: `$WAVE_STUDIO_DB`, else the
        /// platform's data folder).
        #[arg(long, value_name = "PATH")]
        db: Option<PathBuf>,
        /// The new library to write.
        #[arg(value_name = "NEW.sqlite")]
        new: PathBuf,
    },
}

/// Runs `library check` or `library repair`.
pub fn run(args: &LibraryArgs) -> Result<Outcome, CliError> {
    match &args.command {
        LibraryCommand::Check { db } => {
            let path = existing(db.as_ref())?;
            let report = library::check(&path)?;
            print_report(&report, "readable");
            if report.is_sound() {
                println!("the library is sound");
            } else {
                println!(
                    "`wave-studio library repair --db {} NEW.sqlite` copies what is readable \
                     into a new library",
                    escape(&path.display().to_string())
                );
            }
            Ok(Outcome::from_all_ok(report.is_sound()))
        }
        LibraryCommand::Repair { db, new } => {
            let path = existing(db.as_ref())?;
            let report = library::repair(&path, new)?;
            print_report(&report, "copied");
            let lost: u64 = report
                .tables
                .iter()
                .map(|t| t.unreadable + t.orphaned)
                .sum();
            println!(
                "repaired into {} ({lost} row(s) lost); {} was not changed",
                escape(&new.display().to_string()),
                escape(&path.display().to_string())
            );
            Ok(Outcome::from_all_ok(lost == 0))
        }
    }
}

/// The library's path; it must exist (a check never creates one).
fn existing(db: Option<&PathBuf>) -> Result<PathBuf, CliError> {
    let path = db_path(db.map(PathBuf::as_path))?;
    if !path.is_file() {
        return Err(CliError::NoLibrary(path));
    }
    Ok(path)
}

/// The problems, then one line per table.
fn print_report(report: &CheckReport, verb: &str) {
    let name = report.path.display().to_string();
    let state = if report.problems.is_empty() {
        "no damaged page"
    } else {
        "damaged"
    };
    println!("library {}: {state}", escape(&name));
    for problem in &report.problems {
        println!("  problem: {}", escape(problem));
    }
    for t in &report.tables {
        let mut line = format!("  {:<13} {:>8} {verb}", t.table, t.readable);
        if t.unreadable > 0 {
            line.push_str(&format!(", {} unreadable (lost)", t.unreadable));
        }
        if t.orphaned > 0 {
            line.push_str(&format!(
                ", {} left out (their file or run was lost)",
                t.orphaned
            ));
        }
        println!("{line}");
    }
}
