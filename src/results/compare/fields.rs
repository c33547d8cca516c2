//! Whether two values of one field agree, and if not, how they differ:
//! tempo within ±4 % (or an octave apart), the same key (else how the keys
//! relate on the Camelot wheel), levels within 0.1 dB/LU.

use serde_json::Value;

use crate::pipeline::fields;

/// Two tempi within this share of each other agree.
pub const TEMPO_TOLERANCE: f64 = 0.04;
/// Two levels (LUFS, LU, dBFS, dBTP) within this many dB agree.
pub const LEVEL_TOLERANCE_DB: f64 = 0.1;
/// Two durations within this many seconds agree.
pub const DURATION_TOLERANCE_S: f64 = 0.05;
/// Two spectral figures within this share of each other agree.
pub const SPECTRAL_TOLERANCE: f64 = 0.01;

/// How a field's values are compared.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Rule {
    Tempo,
    Key,
    /// A level; the unit named in notes.
    Level(&'static str),
    /// Within an absolute tolerance, in the unit named.
    Absolute(f64, &'static str),
    /// Within a share of A's value.
    Relative(f64),
}

/// The fields compared, in the order tables list them.
const FIELDS: &[(&str, Rule)] = &[
    (fields::BPM, Rule::Tempo),
    (fields::KEY, Rule::Key),
    (fields::LOUDNESS_LUFS, Rule::Level("LU")),
    (fields::LOUDNESS_RANGE_LU, Rule::Level("LU")),
    (fields::TRUE_PEAK_DBTP, Rule::Level("dB")),
    (fields::PEAK_DBFS, Rule::Level("dB")),
    (fields::RMS_DBFS, Rule::Level("dB")),
    (
        fields::DURATION_S,
        Rule::Absolute(DURATION_TOLERANCE_S, "s"),
    ),
    (
        fields::SPECTRAL_CENTROID_HZ,
        Rule::Relative(SPECTRAL_TOLERANCE),
    ),
    (fields::LOUDNESS_COMPLIANT, Rule::Absolute(0.0, "")),
];

/// The names of the compared fields, in table order.
pub fn compared_fields() -> impl Iterator<Item = &'static str> {
    FIELDS.iter().map(|(f, _)| *f)
}

/// How one field of one file compares.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// The values agree.
    Agree,
    /// They differ; the note says how ("octave apart: B is double A").
    Differ(String),
}

/// Compares `field` of two records (`a`, `b` are the records' values).
/// `None` when one record lacks the field: the pipelines cannot be
/// compared on it for this file.
pub fn compare_field(
    field: &str,
    a: &serde_json::Map<String, Value>,
    b: &serde_json::Map<String, Value>,
) -> Option<Verdict> {
    let rule = FIELDS.iter().find(|(f, _)| *f == field)?.1;
    let (va, vb) = (a.get(field)?, b.get(field)?);
    Some(match rule {
        Rule::Tempo => tempo(va, vb, a, b),
        Rule::Key => key(va, vb, a, b),
        Rule::Level(unit) => numbers(va, vb, |x, y| within(x, y, LEVEL_TOLERANCE_DB, unit)),
        Rule::Absolute(tol, unit) => numbers(va, vb, |x, y| within(x, y, tol, unit)),
        Rule::Relative(share) => numbers(va, vb, |x, y| {
            if (y - x).abs() <= share * x.abs() {
                Verdict::Agree
            } else {
                Verdict::Differ(format!("{:+.1} %", percent(x, y)))
            }
        }),
    })
}

fn percent(a: f64, b: f64) -> f64 {
    if a == 0.0 { 0.0 } else { (b / a - 1.0) * 100.0 }
}

fn within(a: f64, b: f64, tol: f64, unit: &str) -> Verdict {
    // A hair of slack so that a difference of exactly the tolerance,
    // after rounding in the records, still agrees.
    if (b - a).abs() <= tol + 1e-9 {
        Verdict::Agree
    } else if unit.is_empty() {
        Verdict::Differ(String::new())
    } else {
        Verdict::Differ(format!("{:+.2} {unit}", b - a))
    }
}

/// Numbers by `cmp`; booleans and text by equality; null against a value
/// differs.
fn numbers(a: &Value, b: &Value, cmp: impl Fn(f64, f64) -> Verdict) -> Verdict {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => cmp(x, y),
        _ if a == b => Verdict::Agree,
        _ if a.is_null() => Verdict::Differ("none in A".into()),
        _ if b.is_null() => Verdict::Differ("none in B".into()),
        _ => Verdict::Differ(String::new()),
    }
}

/// Why a record has no value: its `<field>_reason`, if any.
fn reason(record: &serde_json::Map<String, Value>, reason_field: &str) -> String {
    record
        .get(reason_field)
        .and_then(Value::as_str)
        .map(|r| format!(" ({r})"))
        .unwrap_or_default()
}

fn tempo(
    a: &Value,
    b: &Value,
    ra: &serde_json::Map<String, Value>,
    rb: &serde_json::Map<String, Value>,
) -> Verdict {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => tempo_numbers(x, y),
        (None, None) => Verdict::Agree,
        (None, Some(_)) => {
            Verdict::Differ(format!("no tempo in A{}", reason(ra, fields::BPM_REASON)))
        }
        (Some(_), None) => {
            Verdict::Differ(format!("no tempo in B{}", reason(rb, fields::BPM_REASON)))
        }
    }
}

/// Tempi agree within ±4 %; an octave apart (B double or half A, within
/// the same share) is named as such.
pub fn tempo_numbers(a: f64, b: f64) -> Verdict {
    if a <= 0.0 || b <= 0.0 {
        return if a == b {
            Verdict::Agree
        } else {
            Verdict::Differ(String::new())
        };
    }
    let r = b / a;
    // Exactly ±4 % still agrees, whatever the division's rounding.
    let tol = TEMPO_TOLERANCE + 1e-9;
    if (r - 1.0).abs() <= tol {
        Verdict::Agree
    } else if (r / 2.0 - 1.0).abs() <= tol {
        Verdict::Differ("octave apart: B is double A".into())
    } else if (r * 2.0 - 1.0).abs() <= tol {
        Verdict::Differ("octave apart: B is half A".into())
    } else {
        Verdict::Differ(format!("{:+.1} %", percent(a, b)))
    }
}

/// Whether `note` (a tempo verdict's) names an octave error.
pub fn is_octave(note: &str) -> bool {
    note.starts_with("octave apart")
}

fn key(
    a: &Value,
    b: &Value,
    ra: &serde_json::Map<String, Value>,
    rb: &serde_json::Map<String, Value>,
) -> Verdict {
    match (a.as_str(), b.as_str()) {
        (Some(x), Some(y)) if x == y => Verdict::Agree,
        (Some(x), Some(y)) => {
            let cam = |r: &serde_json::Map<String, Value>| {
                r.get(fields::CAMELOT)
                    .and_then(Value::as_str)
                    .map(str::to_string)
            };
            Verdict::Differ(key_relation(x, y, cam(ra).as_deref(), cam(rb).as_deref()))
        }
        (None, None) => Verdict::Agree,
        (None, Some(_)) => {
            Verdict::Differ(format!("no key in A{}", reason(ra, fields::KEY_REASON)))
        }
        (Some(_), None) => {
            Verdict::Differ(format!("no key in B{}", reason(rb, fields::KEY_REASON)))
        }
    }
}

/// "8A", "8B" → (8, 'A').
fn camelot_parts(c: &str) -> Option<(u32, char)> {
    let letter = c.chars().last()?;
    let number = c.get(..c.len().checked_sub(1)?)?.parse().ok()?;
    Some((number, letter))
}

/// How two different keys relate, with their Camelot codes:
/// "8A → 8B: relative", "8A → 9A: a fifth apart", "parallel", else the
/// steps around the wheel.
pub fn key_relation(a: &str, b: &str, cam_a: Option<&str>, cam_b: Option<&str>) -> String {
    let tonic = |k: &str| k.split_whitespace().next().map(str::to_string);
    let codes = match (cam_a, cam_b) {
        (Some(x), Some(y)) => format!("{x} → {y}: "),
        _ => String::new(),
    };
    if tonic(a) == tonic(b) {
        return format!("{codes}parallel (same tonic)");
    }
    let Some(((na, la), (nb, lb))) = cam_a
        .and_then(camelot_parts)
        .zip(cam_b.and_then(camelot_parts))
    else {
        return format!("{codes}different key");
    };
    let steps = (na + 12 - nb % 12) % 12;
    let steps = steps.min(12 - steps);
    match (na == nb, la == lb, steps) {
        (true, false, _) => format!("{codes}relative"),
        (false, true, 1) => format!("{codes}a fifth apart"),
        (_, true, s) => format!("{codes}{s} steps apart"),
        (_, false, s) => format!("{codes}{s} steps apart, other mode"),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn map(v: Value) -> serde_json::Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn tempo_within_four_percent_agrees_an_octave_is_named() {
        assert_eq!(tempo_numbers(120.0, 124.8), Verdict::Agree);
        assert_eq!(
            tempo_numbers(120.0, 240.0),
            Verdict::Differ("octave apart: B is double A".into())
        );
        assert_eq!(
            tempo_numbers(120.0, 61.0),
            Verdict::Differ("octave apart: B is half A".into())
        );
        assert_eq!(
            tempo_numbers(120.0, 126.0),
            Verdict::Differ("+5.0 %".into())
        );
    }

    #[test]
    fn keys_differ_with_their_relation() {
        let a = map(json!({"key": "A minor", "camelot": "8A"}));
        let b = map(json!({"key": "C major", "camelot": "8B"}));
        assert_eq!(
            compare_field("key", &a, &b),
            Some(Verdict::Differ("8A → 8B: relative".into()))
        );
        let e = map(json!({"key": "E minor", "camelot": "9A"}));
        assert_eq!(
            compare_field("key", &a, &e),
            Some(Verdict::Differ("8A → 9A: a fifth apart".into()))
        );
        let am = map(json!({"key": "A major", "camelot": "11B"}));
        assert_eq!(
            compare_field("key", &a, &am),
            Some(Verdict::Differ("8A → 11B: parallel (same tonic)".into()))
        );
    }

    #[test]
    fn loudness_beyond_a_tenth_of_a_lu_differs_a_missing_field_is_not_compared() {
        let a = map(json!({"loudness_lufs": -14.0, "true_peak_dbtp": -1.0}));
        let b = map(json!({"loudness_lufs": -14.08}));
        assert_eq!(compare_field("loudness_lufs", &a, &b), Some(Verdict::Agree));
        let c = map(json!({"loudness_lufs": -14.2}));
        assert_eq!(
            compare_field("loudness_lufs", &a, &c),
            Some(Verdict::Differ("-0.20 LU".into()))
        );
        assert_eq!(compare_field("true_peak_dbtp", &a, &b), None);
    }

    #[test]
    fn a_missing_tempo_says_why() {
        let a = map(json!({"bpm": 120.0}));
        let b = map(json!({"bpm": null, "bpm_reason": "no onsets"}));
        assert_eq!(
            compare_field("bpm", &a, &b),
            Some(Verdict::Differ("no tempo in B (no onsets)".into()))
        );
    }
}
