//! MP3 files whose Xing/Info header miscounts the frames still decode
//! whole (issue 10: an MP3 of the accuracy corpus read while ffmpeg was
//! still writing it, or left by an interrupted encode, failed with "the
//! stream holds zero frames": ffmpeg writes a frame count of 0 first and
//! fills it in at the end). Honest files keep their gapless trimming.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap in a test is a failed test"
)]

mod synth;

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use wave_studio::audio::decode::AudioStream;
use wave_studio::audio::{AnalysisOptions, analyze_file};

const RATE: u32 = 44_100;
const SECONDS: f32 = 4.0;

/// Source frames, and the source encoded the way the accuracy corpus is
/// (LAME VBR through ffmpeg: a Xing header with a LAME tag).
fn encoded(dir: &Path) -> (u64, PathBuf) {
    let samples = synth::music(SECONDS, RATE, 120.0, 9, true, 3);
    let wav = dir.join("src.wav");
    synth::write_wav(&wav, &samples, 2, RATE);
    let mp3 = dir.join("src.mp3");
    let (w, m) = (wav.to_str().unwrap(), mp3.to_str().unwrap());
    synth::ffmpeg(&["-i", w, "-c:a", "libmp3lame", "-q:a", "4", m]);
    ((samples.len() / 2) as u64, mp3)
}

/// Byte offsets of the Xing/Info frame count and of the LAME tag's
/// delay/padding field.
fn xing_fields(bytes: &[u8]) -> (usize, usize) {
    let tag = bytes
        .windows(4)
        .take(4096)
        .position(|w| w == b"Xing" || w == b"Info")
        .expect("ffmpeg writes a Xing header for LAME VBR");
    let flags = u32::from_be_bytes(bytes[tag + 4..tag + 8].try_into().unwrap());
    assert!(flags & 1 != 0, "the frame count is present");
    let mut lame = tag + 8;
    for (bit, len) in [(1, 4), (2, 4), (4, 100), (8, 4)] {
        if flags & bit != 0 {
            lame += len;
        }
    }
    // Encoder (9), revision, lowpass, peak (4), two gains (2 each), flags,
    // ABR, then 24 bits of delay and padding.
    (tag + 8, lame + 21)
}

/// A copy of `mp3` with the frame count set to `frames`; `placeholder`
/// also zeroes delay and padding, as ffmpeg's header is before the end.
fn with_count(mp3: &Path, frames: u32, placeholder: bool, name: &str) -> PathBuf {
    let mut bytes = std::fs::read(mp3).unwrap();
    let (count, trim) = xing_fields(&bytes);
    bytes[count..count + 4].copy_from_slice(&frames.to_be_bytes());
    if placeholder {
        bytes[trim..trim + 3].fill(0);
    }
    let out = mp3.with_file_name(name);
    std::fs::write(&out, bytes).unwrap();
    out
}

/// Frames decoded, the frame count declared at the end, and the damage.
fn decode(path: &Path) -> (u64, Option<u64>, Option<String>) {
    let mut stream = AudioStream::open(path).unwrap();
    while stream.next_block().unwrap().is_some() {}
    let s = stream.stats();
    (s.frames, stream.info().declared_frames, s.damage())
}

#[test]
fn an_honest_header_still_trims_delay_and_padding_exactly() {
    let dir = synth::temp_dir("mp3-honest");
    let (source, mp3) = encoded(&dir);
    let (frames, declared, damage) = decode(&mp3);
    assert_eq!(frames, source, "gapless: as many frames as were encoded");
    assert_eq!(declared, Some(source));
    assert_eq!(damage, None);
}

#[test]
fn a_zero_frame_count_decodes_every_frame() {
    let dir = synth::temp_dir("mp3-count0");
    let (source, mp3) = encoded(&dir);
    // The header as ffmpeg leaves it until it finishes.
    let zero = with_count(&mp3, 0, true, "count0.mp3");
    let (frames, declared, damage) = decode(&zero);
    // No padding to trim without the LAME tag's figures: at most one
    // frame of the decoder and 2 of padding more than the source.
    assert!(
        (source..source + 3 * 1152).contains(&frames),
        "{frames} of {source}"
    );
    assert_eq!(
        declared, None,
        "a count the stream disproved is not reported"
    );
    assert_eq!(damage, None);
    let report = analyze_file(&zero, &AnalysisOptions::default(), &AtomicBool::new(false))
        .expect("the file holds audio");
    assert!((report.facts.duration_s - f64::from(SECONDS)).abs() < 0.1);
    assert!(!report.facts.excerpt && report.facts.partial.is_none());
}

#[test]
fn a_short_frame_count_does_not_cut_the_audio() {
    let dir = synth::temp_dir("mp3-short");
    let (source, mp3) = encoded(&dir);
    // A quarter of the real count, the LAME tag intact.
    let short = with_count(&mp3, (source / 1152 / 4) as u32, false, "short.mp3");
    let (frames, declared, _) = decode(&short);
    assert!(
        (source..source + 3 * 1152).contains(&frames),
        "{frames} of {source}"
    );
    assert_eq!(declared, None);
}
