//! Playlists for DJ software and players: extended M3U (UTF-8, `.m3u8`),
//! in library order or in harmonic order — by Camelot key, then BPM — so a
//! set can be played in mixable order.

use std::cmp::Ordering;
use std::io::Write;

use serde_json::Value;

use crate::pipeline::fields;
use crate::run::FileResult;

/// The order of a playlist's entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    /// As the library lists them (by path).
    #[default]
    Library,
    /// Camelot number, then A before B, then BPM; files without a key last.
    Harmonic,
}

/// A Camelot code as a sort key: (number, letter).
fn camelot_key(code: &str) -> Option<(u32, char)> {
    let letter = code.chars().last()?.to_ascii_uppercase();
    let n: u32 = code[..code.len().checked_sub(1)?].parse().ok()?;
    (matches!(letter, 'A' | 'B') && (1..=12).contains(&n)).then_some((n, letter))
}

fn text<'a>(r: &'a FileResult, key: &str) -> Option<&'a str> {
    r.values
        .get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

fn number(r: &FileResult, key: &str) -> Option<f64> {
    r.values.get(key).and_then(Value::as_f64)
}

/// Sorts `results` into `order`.
pub fn sort(results: &mut [FileResult], order: Order) {
    if order == Order::Harmonic {
        results.sort_by(|a, b| {
            let key = |r: &FileResult| text(r, fields::CAMELOT).and_then(camelot_key);
            let bpm = |r: &FileResult| number(r, fields::BPM).unwrap_or(f64::INFINITY);
            match (key(a), key(b)) {
                (Some(x), Some(y)) => x.cmp(&y).then(bpm(a).total_cmp(&bpm(b))),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => a.file.cmp(&b.file),
            }
        });
    }
}

/// The `#EXTINF` title: "Artist - Title" from the tags, else the file name.
fn display_name(r: &FileResult) -> String {
    let name = std::path::Path::new(&r.file)
        .file_name()
        .map_or_else(|| r.file.clone(), |n| n.to_string_lossy().into_owned());
    let title = match (text(r, fields::ARTIST), text(r, fields::TITLE)) {
        (Some(a), Some(t)) => format!("{a} - {t}"),
        (None, Some(t)) => t.to_string(),
        _ => name,
    };
    // One line per field: a line break in a tag would start a new entry.
    title.replace(['\r', '\n'], " ")
}

/// Writes `results` as an extended M3U playlist (LF line ends, UTF-8).
pub fn write_m3u(out: &mut impl Write, results: &[FileResult]) -> std::io::Result<()> {
    writeln!(out, "#EXTM3U")?;
    for r in results {
        let seconds = number(r, fields::DURATION_S).map_or(-1, |d| d.round() as i64);
        writeln!(out, "#EXTINF:{seconds},{}", display_name(r))?;
        writeln!(out, "{}", r.file.replace(['\r', '\n'], " "))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(file: &str, camelot: Option<&str>, bpm: f64) -> FileResult {
        let mut r = FileResult::new(file.to_string());
        if let Some(c) = camelot {
            r.values.insert(fields::CAMELOT.into(), c.into());
        }
        r.values.insert(fields::BPM.into(), bpm.into());
        r.values.insert(fields::DURATION_S.into(), 185.4.into());
        r
    }

    #[test]
    fn harmonic_order_walks_the_wheel_then_the_tempo() {
        let mut rs = vec![
            result("/m/c.flac", Some("9A"), 120.0),
            result("/m/x.flac", None, 100.0),
            result("/m/a.flac", Some("8B"), 128.0),
            result("/m/b.flac", Some("8A"), 126.0),
            result("/m/d.flac", Some("8A"), 122.0),
            result("/m/e.flac", Some("10B"), 90.0),
        ];
        sort(&mut rs, Order::Harmonic);
        let files: Vec<&str> = rs.iter().map(|r| r.file.as_str()).collect();
        assert_eq!(
            files,
            [
                "/m/d.flac",
                "/m/b.flac",
                "/m/a.flac",
                "/m/c.flac",
                "/m/e.flac",
                "/m/x.flac"
            ]
        );
    }

    #[test]
    fn entries_carry_length_and_tag_names_and_never_break_a_line() {
        let mut r = result("/music/Ünï & co/a b.mp3", Some("8A"), 120.0);
        r.values.insert(fields::ARTIST.into(), "The Band".into());
        r.values.insert(fields::TITLE.into(), "Two\nLines".into());
        let plain = result("/music/plain.flac", None, 0.0);
        let mut out = Vec::new();
        write_m3u(&mut out, &[r, plain]).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "#EXTM3U\n#EXTINF:185,The Band - Two Lines\n/music/Ünï & co/a b.mp3\n#EXTINF:185,plain.flac\n/music/plain.flac\n"
        );
    }
}
