//! `results --series KINDS FILES...`: a file's series from the library as
//! CSV (one file per kind, sonic-annotator's layout), JAMS (one file per
//! audio file) or JSON.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::super::clobber::{INPUT, LIBRARY, Protected, refuse_clobber};
use super::super::error::{CliError, Outcome};
use super::super::output::open_output;
use super::ResultsFormat;
use crate::audio::series::Series;
use crate::library::{Library, ResultFilter, ResultSeries};
use crate::results::series::{
    ExportKind, JamsSource, NodeSeriesValue, jams, pick, series_json, write_csv,
};

/// What to export, and where.
pub(super) struct SeriesExport<'a> {
    pub kinds: &'a [ExportKind],
    pub files: &'a [PathBuf],
    pub pipeline: Option<&'a str>,
    pub format: ResultsFormat,
    pub out: Option<&'a Path>,
}

/// Writes the series; `SomeFailed` when a file has no result or lacks a
/// series asked for (each named on stderr).
pub(super) fn export(library: &Library, job: &SeriesExport<'_>) -> Result<Outcome, CliError> {
    if job.format == ResultsFormat::Jsonl {
        return Err(CliError::Series(
            "--format jsonl is not a series format; use csv, jams or json".into(),
        ));
    }
    let files = expand(library, job.files, job.pipeline)?;
    let outputs = files.len()
        * if job.format == ResultsFormat::Csv {
            job.kinds.len()
        } else {
            1
        };
    if outputs > 1 && job.out.is_none() {
        return Err(CliError::Series(format!(
            "{outputs} files to write ({} audio file(s), {} series): give --out DIR",
            files.len(),
            job.kinds.len()
        )));
    }
    if let Some(dir) = job.out {
        std::fs::create_dir_all(dir).map_err(|source| CliError::Output {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    let mut names = BTreeSet::new();
    let mut all_ok = true;
    for file in &files {
        all_ok &= export_file(library, job, file, &files, &mut names)?;
    }
    Ok(Outcome::from_all_ok(all_ok))
}

/// Files as given; a folder is every file under it the library has a
/// result for.
fn expand(
    library: &Library,
    given: &[PathBuf],
    pipeline: Option<&str>,
) -> Result<Vec<PathBuf>, CliError> {
    let mut files = Vec::new();
    for path in given {
        if path.is_dir() {
            let filter = ResultFilter {
                folder: Some(path.clone()),
                pipeline: pipeline.map(str::to_string),
                ..ResultFilter::default()
            };
            let rows = library.results(&filter)?;
            let under: BTreeSet<PathBuf> =
                rows.into_iter().map(|r| PathBuf::from(r.path)).collect();
            files.extend(under);
        } else {
            files.push(path.clone());
        }
    }
    if files.is_empty() {
        return Err(CliError::Series(
            "no files given, or no stored result under the folders given".into(),
        ));
    }
    Ok(files)
}

/// One audio file's exports; `false` when something asked for is missing.
fn export_file(
    library: &Library,
    job: &SeriesExport<'_>,
    file: &Path,
    inputs: &[PathBuf],
    names: &mut BTreeSet<PathBuf>,
) -> Result<bool, CliError> {
    let shown = file.display();
    let Some(found) = library.series_of(file, job.pipeline)? else {
        let of = job
            .pipeline
            .map(|p| format!(" of pipeline \"{p}\""))
            .unwrap_or_default();
        eprintln!(
            "error: {shown}: no stored result{of} in {}",
            library.path().display()
        );
        return Ok(false);
    };
    let (all, unreadable) = decode(&found);
    for kind in &unreadable {
        eprintln!(
            "warning: {shown}: the stored {kind} series cannot be read; analyse the file again"
        );
    }
    let mut ok = true;
    for kind in job.kinds {
        if pick(&all, kind.source()).is_none() {
            eprintln!(
                "error: {shown}: no {} series in its result of pipeline \"{}\" ({})",
                kind.name(),
                found.pipeline_name,
                why_missing(*kind, &found)
            );
            ok = false;
        }
    }
    write_exports(library, job, file, &found, &all, inputs, names)?;
    Ok(ok)
}

/// Writes `file`'s exports in `job`'s format.
fn write_exports(
    library: &Library,
    job: &SeriesExport<'_>,
    file: &Path,
    found: &ResultSeries,
    all: &[NodeSeriesValue],
    inputs: &[PathBuf],
    names: &mut BTreeSet<PathBuf>,
) -> Result<(), CliError> {
    let stem = file
        .file_stem()
        .map_or_else(|| "audio".to_string(), |s| s.to_string_lossy().into_owned());
    match job.format {
        ResultsFormat::Csv => {
            for &kind in job.kinds {
                let Some(s) = pick(all, kind.source()) else {
                    continue;
                };
                let suffix = format!(".{}.csv", kind.name());
                let name = (stem.as_str(), suffix.as_str());
                write_one(library, job.out, name, inputs, names, |w| {
                    write_csv(w, kind, &s.series)
                })?;
            }
        }
        ResultsFormat::Jams => {
            let source = JamsSource {
                duration_s: found.duration_s.unwrap_or(0.0).max(0.0),
                title: None,
                artist: None,
                pipeline: found.pipeline_name.clone(),
                pipeline_hash: found.pipeline_hash.clone(),
            };
            let doc = jams(&source, all, job.kinds);
            write_one(library, job.out, (&stem, ".jams"), inputs, names, |w| {
                serde_json::to_writer(&mut *w, &doc)?;
                writeln!(w)
            })?;
        }
        ResultsFormat::Json | ResultsFormat::Jsonl => {
            let mut map = serde_json::Map::new();
            for &kind in job.kinds {
                if let Some(s) = pick(all, kind.source()) {
                    map.insert(kind.source().name().to_string(), series_json(&s.series));
                }
            }
            let doc = serde_json::json!({
                "file": crate::library::stored_path(file),
                "pipeline": found.pipeline_name,
                "pipeline_hash": found.pipeline_hash,
                "series": map,
            });
            write_one(
                library,
                job.out,
                (&stem, ".series.json"),
                inputs,
                names,
                |w| {
                    serde_json::to_writer_pretty(&mut *w, &doc)?;
                    writeln!(w)
                },
            )?;
        }
    }
    Ok(())
}

/// The stored series decoded, and the kinds that would not decode.
fn decode(found: &ResultSeries) -> (Vec<NodeSeriesValue>, Vec<String>) {
    let mut all = Vec::new();
    let mut unreadable = Vec::new();
    for s in &found.series {
        match Series::from_bytes(&s.data) {
            Ok(series) => all.push(NodeSeriesValue {
                node: s.node.clone(),
                series,
            }),
            Err(_) => unreadable.push(s.kind.clone()),
        }
    }
    (all, unreadable)
}

fn why_missing(kind: ExportKind, found: &ResultSeries) -> &'static str {
    if found.series.is_empty() {
        return "stored before series were kept, or the file failed: run it again";
    }
    match kind {
        ExportKind::Beats | ExportKind::Downbeats | ExportKind::Tempo => {
            "the pipeline has no beat-tracking Tempo node over the whole file"
        }
        ExportKind::Key => {
            "the pipeline has no Key node over the whole file, or the file has no key"
        }
        ExportKind::Loudness | ExportKind::Waveform => "the pipeline decodes only an excerpt",
    }
}

/// Writes one output file (or stdout without `--out`), staged and renamed
/// into place, never over the library or an input.
fn write_one(
    library: &Library,
    dir: Option<&Path>,
    name: (&str, &str),
    inputs: &[PathBuf],
    names: &mut BTreeSet<PathBuf>,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), CliError> {
    let path = dir.map(|d| unique(d, name, names));
    let mut guard = vec![Protected {
        path: library.path(),
        what: LIBRARY,
    }];
    guard.extend(inputs.iter().map(|p| Protected {
        path: p,
        what: INPUT,
    }));
    refuse_clobber(path.as_deref(), &guard)?;
    let mut out = open_output(path.as_deref())?;
    write(&mut out)?;
    out.commit()?;
    if let Some(p) = &path {
        eprintln!("wrote {}", p.display());
    }
    Ok(())
}

/// `dir/STEM SUFFIX`, or with `-2`, `-3`… after the stem when another
/// input of the same name already took it.
fn unique(dir: &Path, (stem, suffix): (&str, &str), taken: &mut BTreeSet<PathBuf>) -> PathBuf {
    let mut candidate = dir.join(format!("{stem}{suffix}"));
    let mut n = 2;
    while taken.contains(&candidate) {
        candidate = dir.join(format!("{stem}-{n}{suffix}"));
        n += 1;
    }
    taken.insert(candidate.clone());
    candidate
}
