//! Exporting pipeline results: JSON (with the pipeline's name and hash),
//! JSON lines, CSV. The CLI and the app write the same files.

use std::io::Write;

use serde_json::{Value, json};

use super::FileResult;

/// CSV columns, in order.
pub const CSV_COLUMNS: [&str; 25] = [
    "file",
    "ok",
    "status",
    "error",
    "partial",
    "duration_s",
    "sample_rate",
    "channels",
    "codec",
    "bpm",
    "bpm_confidence",
    "bpm_candidates",
    "key",
    "key_confidence",
    "camelot",
    "loudness_lufs",
    "loudness_range_lu",
    "true_peak_dbtp",
    "rms_dbfs",
    "peak_dbfs",
    "spectral_centroid_hz",
    "loudness_compliant",
    "quality",
    "analysis_s",
    "skipped",
];

/// A result as a JSON object.
pub fn result_json(r: &FileResult) -> Value {
    serde_json::to_value(r).unwrap_or(Value::Null)
}

/// One JSON line for a result.
pub fn write_jsonl(
    out: &mut impl Write,
    r: &FileResult,
    pipeline: &str,
    hash: &str,
) -> std::io::Result<()> {
    let mut v = result_json(r);
    if let Value::Object(map) = &mut v {
        map.insert("pipeline".into(), pipeline.into());
        map.insert("pipeline_hash".into(), hash.into());
    }
    writeln!(out, "{v}")
}

/// The whole run as one JSON document.
pub fn write_json(
    out: &mut impl Write,
    results: &[FileResult],
    pipeline: &str,
    hash: &str,
) -> std::io::Result<()> {
    let doc = json!({
        "pipeline": pipeline,
        "pipeline_hash": hash,
        "results": results.iter().map(result_json).collect::<Vec<_>>(),
    });
    let text = serde_json::to_string_pretty(&doc).map_err(std::io::Error::other)?;
    writeln!(out, "{text}")
}

fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(cell).collect::<Vec<_>>().join(" "),
        other => other.to_string(),
    }
}

/// Quotes a CSV field when it needs it.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// All results as CSV with a header.
pub fn write_csv(out: &mut impl Write, results: &[FileResult]) -> std::io::Result<()> {
    writeln!(out, "{}", CSV_COLUMNS.join(","))?;
    for r in results {
        let v = result_json(r);
        let row: Vec<String> = CSV_COLUMNS
            .iter()
            .map(|c| csv_field(&cell(v.get(*c).unwrap_or(&Value::Null))))
            .collect();
        writeln!(out, "{}", row.join(","))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_it() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
