//! Keys as musicians spell them. The engine, the CLI and the exports name
//! a key by its tonic in sharps ("A# major"), one stable form for
//! scripts; the app shows the conventional spelling of each key ("B♭
//! major", "E♭ minor", "F♯ major"): the one with fewer accidentals, and
//! sharps for F♯ major and the minor keys on C♯, F♯ and G♯.

/// `key` ("A# major", "G# minor") as it is conventionally spelt; any
/// other text is returned unchanged.
pub fn spelled(key: &str) -> String {
    let Some((tonic, mode)) = key.split_once(' ') else {
        return key.to_string();
    };
    let name = match (tonic, mode) {
        ("C#", "major") => "D♭",
        ("C#", "minor") => "C♯",
        ("D#", _) => "E♭",
        ("F#", _) => "F♯",
        ("G#", "major") => "A♭",
        ("G#", "minor") => "G♯",
        ("A#", _) => "B♭",
        _ => return key.to_string(),
    };
    format!("{name} {mode}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_its_conventional_spelling() {
        let cases = [
            ("A# major", "B♭ major"),
            ("A# minor", "B♭ minor"),
            ("D# minor", "E♭ minor"),
            ("D# major", "E♭ major"),
            ("F# major", "F♯ major"),
            ("C# major", "D♭ major"),
            ("C# minor", "C♯ minor"),
            ("G# major", "A♭ major"),
            ("G# minor", "G♯ minor"),
            ("C major", "C major"),
            ("B minor", "B minor"),
            ("none", "none"),
        ];
        for (stable, shown) in cases {
            assert_eq!(spelled(stable), shown, "{stable}");
        }
    }
}
