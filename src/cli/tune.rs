//! `wave-studio tune PIPELINE.ron [--target 0.99]`: the quality gate's
//! calibration from the library's history of the pipeline's nodes, and
//! the `quality_threshold` that keeps agreement with the refined answer at
//! or above the target while skipping the most refinement work.

use std::io::Write;
use std::path::PathBuf;

use super::db::open_to_read;
use super::error::{CliError, Outcome};
use crate::pipeline;
use crate::pipeline::plugin::Installed;
use crate::results::tune::{DEFAULT_TARGET, Tuning, history, tune};
use crate::text::escape;

/// Output formats of `tune`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TuneFormat {
    /// The calibration table and the suggestion, for people.
    Table,
    /// The same as one JSON object.
    Json,
}

/// Options of `tune`.
#[derive(Debug, Clone, clap::Args)]
pub struct TuneArgs {
    /// The pipeline (.ron) whose quality gate to tune.
    #[arg(value_name = "PIPELINE.ron")]
    pub pipeline: PathBuf,
    /// Agreement with the refined answer to keep, 0..=1.
    #[arg(long, default_value_t = DEFAULT_TARGET, value_parser = parse_target)]
    pub target: f64,
    /// The results library (default: `$WAVE_STUDIO_DB`, else the
    /// platform's data folder).
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: TuneFormat,
}

/// A target in 0..=1.
fn parse_target(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(t) if (0.0..=1.0).contains(&t) => Ok(t),
        Ok(t) => Err(format!("must be in 0..=1 (0.99 is 99 %), got {t}")),
        Err(e) => Err(e.to_string()),
    }
}

/// Prints the calibration and the suggestion (or why there is none).
pub fn run(args: &TuneArgs) -> Result<Outcome, CliError> {
    if !pipeline::is_pipeline_path(&args.pipeline) {
        return Err(CliError::NotAPipeline(args.pipeline.clone()));
    }
    let doc = pipeline::load(&args.pipeline)?;
    let library = open_to_read(args.db.as_deref())?;
    let samples = history(&doc, &library, &Installed::discover())?;
    let tuning = tune(&samples, args.target);
    let mut out = std::io::BufWriter::new(std::io::stdout());
    match args.format {
        TuneFormat::Json => {
            let text = serde_json::to_string_pretty(&tuning).map_err(std::io::Error::other)?;
            writeln!(out, "{text}")?;
        }
        TuneFormat::Table => {
            write_table(&mut out, &doc.name, doc.config.quality_threshold, &tuning)?
        }
    }
    out.flush()?;
    Ok(Outcome::AllOk)
}

/// The calibration per bin, then the suggestion.
pub fn write_table(
    out: &mut dyn Write,
    name: &str,
    current: f64,
    t: &Tuning,
) -> std::io::Result<()> {
    writeln!(
        out,
        "\"{}\": {} file(s) whose refinements ran (quick confidence, and whether the refinement changed the tempo or key)",
        escape(name),
        t.files
    )?;
    writeln!(
        out,
        "{:<12} {:>6} {:>18}",
        "confidence", "files", "quick answer held"
    )?;
    for b in &t.calibration {
        let rate = b
            .hit_rate()
            .map_or_else(|| "-".to_string(), |r| format!("{:.1}%", r * 100.0));
        writeln!(
            out,
            "{:<12} {:>6} {:>18}",
            format!("{:.1}-{:.1}", b.from, b.to),
            b.files,
            rate
        )?;
    }
    match (&t.suggestion, t.no_suggestion_reason()) {
        (Some(s), _) => writeln!(
            out,
            "suggestion: quality_threshold {:.2} (now {current:.2}): skips the refinements of {:.1}% of files, expected disagreement with the refined answer {:.1}% (target agreement {:.1}%), from {} files",
            s.threshold,
            s.skipped * 100.0,
            s.disagreement * 100.0,
            t.target * 100.0,
            t.files
        ),
        (None, Some(reason)) => writeln!(out, "{reason}"),
        (None, None) => Ok(()),
    }
}
