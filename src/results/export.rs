//! Exporting pipeline results: JSON (with the pipeline's name and hash),
//! JSON lines, CSV. The CLI and the app write the same files.

use std::io::Write;

use serde_json::{Value, json};

use crate::pipeline::fields;
use crate::run::FileResult;
use crate::text::escape_text;

/// CSV columns, in order.
pub const CSV_COLUMNS: [&str; 35] = [
    fields::FILE,
    fields::OK,
    fields::STATUS,
    fields::ERROR,
    fields::PARTIAL,
    fields::PARTIAL_REASON,
    fields::DURATION_S,
    fields::SAMPLE_RATE,
    fields::CHANNELS,
    fields::CODEC,
    fields::BPM,
    fields::BPM_CONFIDENCE,
    fields::BPM_CANDIDATES,
    fields::BPM_REASON,
    fields::KEY,
    fields::KEY_CONFIDENCE,
    fields::CAMELOT,
    fields::KEY_REASON,
    fields::LOUDNESS_LUFS,
    fields::LOUDNESS_RANGE_LU,
    fields::TRUE_PEAK_DBTP,
    fields::RMS_DBFS,
    fields::PEAK_DBFS,
    fields::SPECTRAL_CENTROID_HZ,
    fields::LOUDNESS_COMPLIANT,
    fields::QUALITY,
    fields::ANALYSIS_S,
    fields::CACHED,
    fields::SKIPPED,
    fields::TITLE,
    fields::ARTIST,
    fields::TAG_BPM,
    fields::TAG_KEY,
    fields::TAG_BPM_RELATION,
    fields::TAG_KEY_RELATION,
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
        map.insert(fields::PIPELINE.into(), pipeline.into());
        map.insert(fields::PIPELINE_HASH.into(), hash.into());
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
        (fields::PIPELINE): pipeline,
        (fields::PIPELINE_HASH): hash,
        (fields::RESULTS): results.iter().map(result_json).collect::<Vec<_>>(),
    });
    let text = serde_json::to_string_pretty(&doc).map_err(std::io::Error::other)?;
    writeln!(out, "{text}")
}

fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        // As on a terminal: control characters and bytes outside UTF-8
        // (`library::path_text`) as `\xNN`; JSON carries them exactly.
        Value::String(s) => escape_text(s).into_owned(),
        Value::Array(items) => items.iter().map(cell).collect::<Vec<_>>().join(" "),
        // A tempo candidate: `132.0@0.91`, as `analyze` writes it.
        Value::Object(o) if o.contains_key("bpm") && o.contains_key("score") => {
            format!("{}@{}", cell(&o["bpm"]), cell(&o["score"]))
        }
        other => other.to_string(),
    }
}

/// A CSV writer as every export uses it: fields quoted only when they need
/// it (a comma, quote or line break), `\n` line ends.
pub fn csv_writer<W: Write>(out: W) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(out)
}

/// All results as CSV with a header.
pub fn write_csv(out: &mut impl Write, results: &[FileResult]) -> std::io::Result<()> {
    write_csv_with(out, results, &[])
}

/// All results as CSV: the fixed columns, then `extra` (the values plugin
/// nodes declare, `PipelineRunner::extra_columns`) not among them.
pub fn write_csv_with(
    out: &mut impl Write,
    results: &[FileResult],
    extra: &[String],
) -> std::io::Result<()> {
    let mut columns: Vec<&str> = CSV_COLUMNS.to_vec();
    for c in extra {
        if !columns.contains(&c.as_str()) {
            columns.push(c);
        }
    }
    let mut w = csv_writer(out);
    w.write_record(&columns)?;
    for r in results {
        let v = result_json(r);
        w.write_record(
            columns
                .iter()
                .map(|c| cell(v.get(*c).unwrap_or(&Value::Null))),
        )?;
    }
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_it_and_ends_lines_with_lf() {
        let mut values = serde_json::Map::new();
        values.insert("key".into(), "A minor".into());
        values.insert(
            "bpm_candidates".into(),
            serde_json::json!([{"bpm": 120.0, "score": 1.0}, {"bpm": 60.0, "score": 0.5}]),
        );
        let result = FileResult {
            ok: false,
            status: crate::orchestrator::WaveStatus::Failed,
            error: Some("say \"hi\"\nthen stop".into()),
            analysis_s: 0.5,
            values,
            ..FileResult::new("dir/a,b.wav")
        };
        let mut out = Vec::new();
        write_csv(&mut out, &[result]).unwrap();
        let text = String::from_utf8(out).unwrap();
        let (header, row) = text.split_once('\n').unwrap();
        assert_eq!(header, CSV_COLUMNS.join(","));
        assert!(
            row.starts_with("\"dir/a,b.wav\",false,Failed,\"say \"\"hi\"\"\nthen stop\",,"),
            "{row}"
        );
        assert!(row.contains(",120.0@1.0 60.0@0.5,,A minor,"), "{row}");
        assert!(
            row.ends_with(",0.5,false,,,,,,,\n") && !text.contains('\r'),
            "{row}"
        );
    }
}
