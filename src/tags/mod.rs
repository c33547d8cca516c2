//! The tags a file already carries (title, artist, album, its BPM, key and
//! ReplayGain/R128 values), read with lofty, and how our measurements
//! compare with them. Reading never changes a file; writing is issue 28's
//! next part.

use std::path::Path;

use lofty::prelude::{Accessor, ItemKey, TaggedFileExt};

/// What a file's tags say (each field absent when the tag lacks it).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FileTags {
    /// Track title.
    pub title: Option<String>,
    /// Track artist.
    pub artist: Option<String>,
    /// Album.
    pub album: Option<String>,
    /// The tempo the tag holds, BPM.
    pub bpm: Option<f64>,
    /// The key as the tag writes it (`Am`, `8A`, `F# minor`…).
    pub key: Option<String>,
    /// ReplayGain track gain, dB.
    pub replaygain_db: Option<f64>,
}

/// Reads `path`'s tags: `Ok(None)` for a file with none, `Err` with the
/// reason for one lofty cannot parse (the analysis goes on without them).
pub fn read(path: &Path) -> Result<Option<FileTags>, String> {
    let file = lofty::read_from_path(path).map_err(|e| e.to_string())?;
    let Some(tag) = file.primary_tag().or_else(|| file.first_tag()) else {
        return Ok(None);
    };
    let text = |key: ItemKey| tag.get_string(key).map(str::trim).filter(|s| !s.is_empty());
    let bpm = text(ItemKey::Bpm)
        .or_else(|| text(ItemKey::IntegerBpm))
        .and_then(|s| s.replace(',', ".").parse::<f64>().ok())
        .filter(|b| b.is_finite() && *b > 0.0);
    let replaygain_db = text(ItemKey::ReplayGainTrackGain).and_then(parse_gain);
    Ok(Some(FileTags {
        title: tag
            .title()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty()),
        artist: tag
            .artist()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty()),
        album: tag
            .album()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty()),
        bpm,
        key: text(ItemKey::InitialKey).map(str::to_string),
        replaygain_db,
    }))
}

/// "-6.52 dB" → −6.52.
fn parse_gain(s: &str) -> Option<f64> {
    let number = s
        .trim()
        .trim_end_matches(|c: char| c.is_alphabetic() || c == ' ');
    number.trim().parse::<f64>().ok().filter(|g| g.is_finite())
}

/// A key as a tag may write it, in our form ("A minor", "C# major"):
/// `Am`, `A min`, `A minor`, `Ebm`, `F#`, Camelot `8A` and Open Key `1m`.
pub fn parse_key(s: &str) -> Option<(usize, bool)> {
    let t = s.trim();
    if let Some(k) = parse_wheel(t) {
        return Some(k);
    }
    let mut chars = t.chars();
    let letter = chars.next()?.to_ascii_uppercase();
    let base = match letter {
        'C' => 0,
        'D' => 2,
        'E' => 4,
        'F' => 5,
        'G' => 7,
        'A' => 9,
        'B' => 11,
        _ => return None,
    };
    let rest: String = chars.collect();
    let (shift, rest) = match rest.chars().next() {
        Some('#' | '♯') => (1, &rest[rest.chars().next()?.len_utf8()..]),
        // After the letter a "b" is always a flat ("Bbm"; "Bm" has none).
        Some('b' | '♭') => (11, &rest[rest.chars().next()?.len_utf8()..]),
        _ => (0, rest.as_str()),
    };
    let mode = rest.trim().to_lowercase();
    let minor = match mode.as_str() {
        "" | "maj" | "major" | "dur" => false,
        "m" | "min" | "minor" | "moll" => true,
        _ => return None,
    };
    Some(((base + shift) % 12, minor))
}

/// Camelot (`8A` = A minor, `8B` = C major) and Open Key (`1m` = A minor,
/// `1d` = C major).
fn parse_wheel(t: &str) -> Option<(usize, bool)> {
    let split = t.find(|c: char| !c.is_ascii_digit())?;
    let (n, letter) = t.split_at(split);
    let n: usize = n.parse().ok().filter(|n| (1..=12).contains(n))?;
    // Steps of a fifth from the wheel's C major (Camelot 8B, Open Key 1d).
    let (fifths, minor) = match letter.to_ascii_uppercase().as_str() {
        "B" => (n as i64 - 8, false),
        "A" => (n as i64 - 8, true),
        "D" => (n as i64 - 1, false),
        "M" => (n as i64 - 1, true),
        _ => return None,
    };
    let major_tonic = (fifths.rem_euclid(12) * 7).rem_euclid(12) as usize;
    // A minor key sits on its relative major's number.
    Some(if minor {
        ((major_tonic + 9) % 12, true)
    } else {
        (major_tonic, false)
    })
}

/// How a tag's tempo relates to ours: "same" (within 2 %), "half",
/// "double", "other".
pub fn bpm_relation(ours: f64, tag: f64) -> &'static str {
    let near = |r: f64| (ours / tag / r - 1.0).abs() <= 0.02;
    if near(1.0) {
        "same"
    } else if near(0.5) {
        "half"
    } else if near(2.0) {
        "double"
    } else {
        "other"
    }
}

/// How a tag's key relates to ours: "same", "relative", "parallel",
/// "fifth", "other".
pub fn key_relation(ours: (usize, bool), tag: (usize, bool)) -> &'static str {
    let major_of = |(t, minor): (usize, bool)| if minor { (t + 3) % 12 } else { t };
    if ours == tag {
        "same"
    } else if ours.1 != tag.1 && major_of(ours) == major_of(tag) {
        "relative"
    } else if ours.0 == tag.0 {
        "parallel"
    } else if ours.1 == tag.1 && ((ours.0 + 7) % 12 == tag.0 || (tag.0 + 7) % 12 == ours.0) {
        "fifth"
    } else {
        "other"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_in_every_notation_djs_meet() {
        assert_eq!(parse_key("Am"), Some((9, true)));
        assert_eq!(parse_key("A minor"), Some((9, true)));
        assert_eq!(parse_key("Ebm"), Some((3, true)));
        assert_eq!(parse_key("F#"), Some((6, false)));
        assert_eq!(parse_key("Bb"), Some((10, false)));
        assert_eq!(parse_key("Bbm"), Some((10, true)));
        assert_eq!(parse_key("B"), Some((11, false)));
        assert_eq!(parse_key("Bm"), Some((11, true)));
        assert_eq!(parse_key("8A"), Some((9, true)));
        assert_eq!(parse_key("8B"), Some((0, false)));
        assert_eq!(parse_key("12A"), Some((1, true)), "C# minor");
        assert_eq!(parse_key("1m"), Some((9, true)));
        assert_eq!(parse_key("1d"), Some((0, false)));
        assert_eq!(parse_key("Xyz"), None);
        assert_eq!(parse_key("13A"), None);
        assert_eq!(parse_gain("-6.52 dB"), Some(-6.52));
    }

    #[test]
    fn relations_name_octaves_and_neighbour_keys() {
        assert_eq!(bpm_relation(128.0, 127.0), "same");
        assert_eq!(bpm_relation(64.0, 128.0), "half");
        assert_eq!(bpm_relation(174.0, 87.0), "double");
        assert_eq!(bpm_relation(120.0, 100.0), "other");
        let am = (9, true);
        assert_eq!(key_relation(am, (9, true)), "same");
        assert_eq!(key_relation(am, (0, false)), "relative");
        assert_eq!(key_relation(am, (9, false)), "parallel");
        assert_eq!(key_relation(am, (4, true)), "fifth");
        assert_eq!(key_relation(am, (2, true)), "fifth");
        assert_eq!(key_relation(am, (1, false)), "other");
    }
}
