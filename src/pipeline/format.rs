//! The RON file format: strict loading with line:column errors, refusal of
//! newer versions, stable output, atomic saving.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::document::{FORMAT_VERSION, PipelineDocument};
use super::error::PipelineError;
use super::plugin::Installed;
use super::validate::validate_with;

/// The extension of pipeline files.
pub const PIPELINE_EXTENSION: &str = "ron";

/// Whether `path` names a pipeline file (by its extension, any case).
pub fn is_pipeline_path(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case(PIPELINE_EXTENSION))
}

/// Reads only the version, ignoring everything else, so a newer file is
/// refused for its version and not for fields this build does not know.
#[derive(Deserialize)]
struct VersionOnly {
    #[serde(default)]
    version: u32,
}

/// Parses a document from RON text; `path` names it in errors. Validation
/// problems (not only syntax) are errors too; plugin nodes are checked
/// against the plugins installed now (`Installed::discover`).
pub fn parse(source: &str, path: &Path) -> Result<PipelineDocument, PipelineError> {
    parse_with(source, path, &Installed::discover())
}

/// As `parse`, checking plugin nodes against `plugins`. A plugin that is
/// not installed does not stop loading (see `missing_plugins`).
pub fn parse_with(
    source: &str,
    path: &Path,
    plugins: &Installed,
) -> Result<PipelineDocument, PipelineError> {
    let syntax = |e: ron::error::SpannedError| PipelineError::Syntax {
        path: path.to_path_buf(),
        line: e.span.start.line,
        col: e.span.start.col,
        message: e.code.to_string(),
    };
    if let Ok(VersionOnly { version }) = ron::from_str::<VersionOnly>(source)
        && version > FORMAT_VERSION
    {
        return Err(PipelineError::NewerVersion {
            path: path.to_path_buf(),
            found: version,
        });
    }
    let doc: PipelineDocument = ron::from_str(source).map_err(syntax)?;
    if doc.version != FORMAT_VERSION {
        return Err(PipelineError::BadVersion {
            path: path.to_path_buf(),
            found: doc.version,
        });
    }
    let problems = validate_with(&doc, Some(source), plugins);
    if problems.is_empty() {
        Ok(doc)
    } else {
        Err(PipelineError::Invalid {
            path: path.to_path_buf(),
            problems,
        })
    }
}

/// Loads and validates a pipeline file (plugins as `parse`).
pub fn load(path: &Path) -> Result<PipelineDocument, PipelineError> {
    load_with(path, &Installed::discover())
}

/// The largest pipeline file read: 1 MiB. The default pipeline is 4 KB
/// and a thousand nodes take about 150 KB; a larger file is surely not a
/// pipeline, and every run stores its pipeline's text in the library.
pub const MAX_PIPELINE_BYTES: u64 = 1 << 20;

/// Loads and validates a pipeline file against `plugins`; a file over
/// [`MAX_PIPELINE_BYTES`] is refused unread.
pub fn load_with(path: &Path, plugins: &Installed) -> Result<PipelineDocument, PipelineError> {
    let read_error = |source| PipelineError::Read {
        path: path.to_path_buf(),
        source,
    };
    let size = fs::metadata(path).map_err(read_error)?.len();
    if size > MAX_PIPELINE_BYTES {
        return Err(PipelineError::TooLarge {
            path: path.to_path_buf(),
            size,
            limit: MAX_PIPELINE_BYTES,
        });
    }
    let source = fs::read_to_string(path).map_err(read_error)?;
    parse_with(&source, path, plugins)
}

/// The text a document is saved as: sorted, pretty, with a header line.
pub fn to_ron(doc: &PipelineDocument) -> Result<String, PipelineError> {
    let mut doc = doc.clone();
    doc.version = FORMAT_VERSION;
    doc.normalize();
    let pretty = ron::ser::PrettyConfig::new()
        .struct_names(false)
        .indentor("    ".to_string())
        .separate_tuple_members(false)
        .new_line("\n".to_string());
    let body = ron::ser::to_string_pretty(&doc, pretty)
        .map_err(|e| PipelineError::Serialize(e.to_string()))?;
    Ok(format!(
        "// Wave Studio pipeline (format version {FORMAT_VERSION})\n{body}\n"
    ))
}

/// Saves atomically: a temporary file in the same folder, flushed to disk,
/// then renamed over the target. A failed save leaves the old file whole.
pub fn save(doc: &PipelineDocument, path: &Path) -> Result<(), PipelineError> {
    let text = to_ron(doc)?;
    let write_err = |source| PipelineError::Write {
        path: path.to_path_buf(),
        source,
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map_or_else(|| "pipeline".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = fs::File::create(&tmp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        drop(file);
        fs::rename(&tmp, path)?;
        // Make the rename itself durable.
        if let Ok(d) = fs::File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(write_err)
}

/// A 64-bit FNV-1a hash of the document's saved form, in hex: results carry
/// it so they can be traced to the exact pipeline. Where the nodes sit on
/// the canvas and the description change no result, so they are left out:
/// moving a node keeps the pipeline's results its own.
pub fn content_hash(doc: &PipelineDocument) -> String {
    let mut bare = doc.clone();
    bare.description.clear();
    for node in &mut bare.nodes {
        node.position = (0.0, 0.0);
    }
    let text = to_ron(&bare).unwrap_or_default();
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::orchestrator::{NodeOverrides, WaveStage};
    use crate::pipeline::{Edge, Operation, PipelineNode};

    fn sample() -> PipelineDocument {
        let mut doc = PipelineDocument {
            name: "Sample".into(),
            ..PipelineDocument::default()
        };
        doc.nodes.push(PipelineNode {
            id: "tempo".into(),
            name: "Tempo".into(),
            kind: WaveStage::DeepAnalysis,
            operation: Operation::Tempo {
                refine: false,
                min_bpm: crate::audio::tempo::DEFAULT_MIN_BPM,
                max_bpm: crate::audio::tempo::DEFAULT_MAX_BPM,
            },
            refinement: false,
            overrides: NodeOverrides {
                timeout_seconds: Some(30.0),
                ..NodeOverrides::default()
            },
            position: (10.0, 20.5),
        });
        doc.nodes.push(PipelineNode {
            id: "probe".into(),
            name: "Probe".into(),
            kind: WaveStage::Preparation,
            operation: Operation::Probe,
            refinement: false,
            overrides: NodeOverrides::default(),
            position: (0.0, 0.0),
        });
        doc.edges.push(Edge::new("probe", "tempo"));
        doc
    }

    #[test]
    fn moving_a_node_keeps_the_hash_and_a_parameter_changes_it() {
        let doc = sample();
        let mut moved = doc.clone();
        moved.nodes[0].position = (400.0, -80.0);
        moved.description = "notes".into();
        assert_eq!(content_hash(&moved), content_hash(&doc));
        let mut edited = doc.clone();
        edited.config.quality_threshold += 0.1;
        assert_ne!(content_hash(&edited), content_hash(&doc));
        let renamed = PipelineDocument {
            name: "Other".into(),
            ..doc.clone()
        };
        assert_ne!(content_hash(&renamed), content_hash(&doc));
    }

    #[test]
    fn pipeline_paths_are_told_by_extension() {
        assert!(is_pipeline_path(Path::new("dir/p.ron")));
        assert!(is_pipeline_path(Path::new("P.RON")));
        assert!(!is_pipeline_path(Path::new("p.ron.wav")));
        assert!(!is_pipeline_path(Path::new("ron")));
    }

    #[test]
    fn save_load_save_is_byte_identical() {
        let text = to_ron(&sample()).unwrap();
        println!("{text}");
        let back = parse(&text, Path::new("x.ron")).unwrap();
        assert_eq!(to_ron(&back).unwrap(), text);
        assert_eq!(back.nodes[0].id, "probe", "sorted by id");
    }
}
