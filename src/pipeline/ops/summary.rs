//! Operations on results, not audio: the confidence gate, aggregation,
//! notation, the loudness compliance gate and the final record.

use serde_json::Value;

use super::{merged_prior, put};
use crate::orchestrator::{StageError, StageInput, StageOutput, StageResult, StageValues};
use crate::pipeline::fields;
use crate::pipeline::operation::KeyNotation;

/// The confidences that make up a wave's quality, each with the field that
/// says why its estimate gave no answer.
const CONFIDENCES: [(&str, &str); 2] = [
    (fields::BPM_CONFIDENCE, fields::BPM_REASON),
    (fields::KEY_CONFIDENCE, fields::KEY_REASON),
];

/// The lowest of the latest confidences visible, if any. An estimate that
/// abstained with a reason (no pulse, no tonality) does not count: its
/// reason comes from the audio itself, so a refinement would abstain too,
/// and "no key in a drum loop" is not an unsure answer.
fn lowest_confidence(values: &StageValues) -> Option<f64> {
    CONFIDENCES
        .iter()
        .filter(|(_, reason)| values.get(*reason).is_none_or(Value::is_null))
        .filter_map(|(k, _)| values.get(*k).and_then(Value::as_f64))
        .reduce(f64::min)
}

pub(super) fn confidence(input: &StageInput) -> StageOutput {
    let values = merged_prior(input);
    let mut v = StageValues::new();
    let q = lowest_confidence(&values);
    put(&mut v, fields::QUICK_CONFIDENCE, q);
    let out = StageOutput::new(v);
    match q {
        Some(q) => out.with_quality(q),
        None => out,
    }
}

pub(super) fn aggregate(input: &StageInput) -> StageOutput {
    let mut values = merged_prior(input);
    let q = lowest_confidence(&values);
    put(&mut values, fields::QUALITY, q);
    compare_with_tags(&mut values);
    let out = StageOutput::new(values);
    match q {
        Some(q) => out.with_quality(q),
        None => out,
    }
}

/// How our tempo and key relate to what the file's tags say.
fn compare_with_tags(values: &mut StageValues) {
    let num = |k: &str| values.get(k).and_then(Value::as_f64);
    if let (Some(ours), Some(tag)) = (num(fields::BPM), num(fields::TAG_BPM)) {
        put(
            values,
            fields::TAG_BPM_RELATION,
            crate::tags::bpm_relation(ours, tag),
        );
    }
    let key = |k: &str| {
        values
            .get(k)
            .and_then(Value::as_str)
            .and_then(crate::tags::parse_key)
    };
    if let (Some(ours), Some(tag)) = (key(fields::KEY), key(fields::TAG_KEY)) {
        put(
            values,
            fields::TAG_KEY_RELATION,
            crate::tags::key_relation(ours, tag),
        );
    }
}

/// "A minor" → Open Key "1m"; "C major" → "1d".
fn open_key(camelot: &str) -> Option<String> {
    let (num, letter) = camelot.split_at(camelot.len().checked_sub(1)?);
    let n: u32 = num.parse().ok()?;
    let open = (n + 4) % 12 + 1;
    let mode = match letter {
        "A" => 'm',
        "B" => 'd',
        _ => return None,
    };
    Some(format!("{open}{mode}"))
}

fn round(v: f64, decimals: u8) -> f64 {
    let scale = 10f64.powi(i32::from(decimals));
    (v * scale).round() / scale
}

pub(super) fn notation(input: &StageInput, notation: KeyNotation, decimals: u8) -> StageOutput {
    let values = merged_prior(input);
    let mut v = StageValues::new();
    if let Some(bpm) = values.get(fields::BPM).and_then(Value::as_f64) {
        put(&mut v, fields::BPM_DISPLAY, round(bpm, decimals));
    }
    let key = values.get(fields::KEY).and_then(Value::as_str);
    let camelot = values.get(fields::CAMELOT).and_then(Value::as_str);
    if let Some(open) = camelot.and_then(open_key) {
        put(&mut v, fields::OPEN_KEY, open);
    }
    let display = match notation {
        KeyNotation::Standard => key.map(str::to_string),
        KeyNotation::Camelot => camelot.map(str::to_string),
        KeyNotation::OpenKey => camelot.and_then(open_key),
    };
    put(&mut v, fields::KEY_DISPLAY, display);
    StageOutput::new(v)
}

pub(super) fn loudness_gate(
    input: &StageInput,
    target_lufs: f64,
    tolerance_lu: f64,
    max_true_peak_dbtp: f64,
    fail_on_violation: bool,
) -> StageResult {
    let values = merged_prior(input);
    let lufs = values.get(fields::LOUDNESS_LUFS).and_then(Value::as_f64);
    let peak = values.get(fields::TRUE_PEAK_DBTP).and_then(Value::as_f64);
    let mut issues = Vec::new();
    match lufs {
        Some(l) if (l - target_lufs).abs() > tolerance_lu => issues.push(format!(
            "integrated loudness {l:.1} LUFS is outside {target_lufs:.1} ± {tolerance_lu:.1} LU"
        )),
        Some(_) => {}
        None => {
            issues.push("integrated loudness could not be measured (silent or too short)".into())
        }
    }
    match peak {
        Some(p) if p >= max_true_peak_dbtp => issues.push(format!(
            "true peak {p:.1} dBTP is not below {max_true_peak_dbtp:.1} dBTP"
        )),
        Some(_) => {}
        None => issues.push("true peak could not be measured".into()),
    }
    if fail_on_violation && !issues.is_empty() {
        return Err(StageError::permanent(format!(
            "{}{}",
            fields::NOT_COMPLIANT_ERROR,
            issues.join("; ")
        )));
    }
    let mut v = StageValues::new();
    put(&mut v, fields::LOUDNESS_COMPLIANT, issues.is_empty());
    put(&mut v, fields::LOUDNESS_ISSUES, &issues);
    Ok(StageOutput::new(v).with_quality(if issues.is_empty() { 1.0 } else { 0.0 }))
}

pub(super) fn write(input: &StageInput) -> StageOutput {
    StageOutput::new(merged_prior(input))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_key_follows_camelot() {
        assert_eq!(open_key("8A").as_deref(), Some("1m"));
        assert_eq!(open_key("8B").as_deref(), Some("1d"));
        assert_eq!(open_key("12B").as_deref(), Some("5d"));
        assert_eq!(open_key("1A").as_deref(), Some("6m"));
        assert_eq!(open_key("x"), None);
    }

    #[test]
    fn an_abstained_estimate_does_not_lower_the_quality() {
        let mut v = StageValues::new();
        put(&mut v, fields::BPM_CONFIDENCE, 0.9);
        put(&mut v, fields::KEY_CONFIDENCE, 0.0);
        assert_eq!(lowest_confidence(&v), Some(0.0));
        put(&mut v, fields::KEY_REASON, "no tonality");
        assert_eq!(lowest_confidence(&v), Some(0.9));
        put(&mut v, fields::BPM_REASON, "no pulse");
        assert_eq!(lowest_confidence(&v), None);
        put(&mut v, fields::BPM_REASON, Value::Null);
        assert_eq!(lowest_confidence(&v), Some(0.9));
    }

    #[test]
    fn rounding() {
        assert_eq!(round(127.96, 1), 128.0);
        assert_eq!(round(127.94, 0), 128.0);
    }
}
