//! A stored result record (the JSON `run` wrote) back into a
//! [`FileResult`], so exports go through `run`'s own writers.

use serde_json::Value;

use crate::orchestrator::{WaveKey, WaveStatus};
use crate::run::FileResult;

/// The record at position `index`; `None` when it is not a result object.
pub(crate) fn file_result(index: usize, record: &str) -> Option<FileResult> {
    let Ok(Value::Object(mut map)) = serde_json::from_str::<Value>(record) else {
        return None;
    };
    let mut take = |key: &str| map.remove(key).unwrap_or(Value::Null);
    let file = take("file").as_str()?.to_string();
    let ok = take("ok").as_bool().unwrap_or(false);
    let status: WaveStatus = serde_json::from_value(take("status")).ok()?;
    let error = take("error").as_str().map(str::to_string);
    let quality = take("quality").as_f64();
    let analysis_s = take("analysis_s").as_f64().unwrap_or(0.0);
    let cached = take("cached").as_bool().unwrap_or(false);
    let skipped = serde_json::from_value(take("skipped")).unwrap_or_default();
    Some(FileResult {
        key: WaveKey(index as u64),
        file,
        ok,
        status,
        error,
        quality,
        analysis_s,
        cached,
        skipped,
        // What is left are the stage values, flattened in the record.
        values: map,
        series: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        reason = "a failed unwrap in a test is a failed test"
    )]

    use super::*;
    use crate::results::export::result_json;

    #[test]
    fn a_record_reads_back_to_the_same_json() {
        let mut values = serde_json::Map::new();
        values.insert("bpm".into(), serde_json::json!(127.93));
        values.insert("key".into(), "A minor".into());
        let original = FileResult {
            key: WaveKey(3),
            ok: false,
            status: WaveStatus::PartiallyCompleted,
            error: Some("tempo: too short".into()),
            quality: Some(0.5),
            analysis_s: 1.25,
            cached: true,
            skipped: vec!["key: upstream failed".into()],
            values,
            ..FileResult::new("/music/a.wav")
        };
        let text = serde_json::to_string(&original).unwrap();
        let back = file_result(3, &text).unwrap();
        assert_eq!(back, original);
        assert_eq!(result_json(&back), result_json(&original));
        assert!(file_result(0, "[1, 2]").is_none());
        assert!(file_result(0, "{\"ok\": true}").is_none(), "no file");
    }
}
