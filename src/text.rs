//! Text from files and pipelines made safe for a terminal: control
//! characters (ESC, BEL, CR, backspace, the C1 range...) in a pipeline
//! name, a node name, a file name or an error are shown escaped (`\x1b`,
//! `\u{9b}`), so they can never move the cursor, retitle the window or
//! forge a line of output. The table and CSV outputs, the progress lines
//! and the errors all go through it; JSON escapes them by itself.

use std::borrow::Cow;

/// `s` with every control character escaped, newlines and tabs too: for
/// names and paths, which belong on one line.
pub fn escape(s: &str) -> Cow<'_, str> {
    escape_if(s, |c| c.is_control())
}

/// `s` with every control character but newline and tab escaped: for
/// messages that may span lines.
pub fn escape_text(s: &str) -> Cow<'_, str> {
    escape_if(s, |c| c.is_control() && c != '\n' && c != '\t')
}

fn escape_if(s: &str, unsafe_char: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !s.chars().any(&unsafe_char) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            // A path's byte outside UTF-8 (`library::path_text`): `\xNN`.
            '\0' if chars.peek().is_some_and(char::is_ascii_hexdigit) => out.push_str("\\x"),
            '\n' if unsafe_char(c) => out.push_str("\\n"),
            '\t' if unsafe_char(c) => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if unsafe_char(c) && u32::from(c) < 0x80 => {
                out.push_str(&format!("\\x{:02x}", u32::from(c)));
            }
            c if unsafe_char(c) => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_come_out_escaped_and_the_rest_unchanged() {
        assert_eq!(escape("Fête 🎵 a.flac"), "Fête 🎵 a.flac");
        assert!(matches!(escape("plain"), Cow::Borrowed(_)));
        assert_eq!(escape("a\u{1b}]0;x\u{7}b"), "a\\x1b]0;x\\x07b");
        assert_eq!(escape("x\u{9b}2Jy\u{7f}"), "x\\u{9b}2Jy\\x7f");
        assert_eq!(escape("one\ntwo\r"), "one\\ntwo\\r");
        assert_eq!(escape_text("one\n\ttwo\u{1b}[2J"), "one\n\ttwo\\x1b[2J");
        assert_eq!(escape("caf\u{0}e9.wav"), "caf\\xe9.wav");
    }
}
