//! FLAC files with metadata blocks symphonia refuses on its own: a
//! CUESHEET as `metaflac --import-cuesheet-from` writes it for a CD rip
//! whose length is not a whole number of CD sectors, and APPLICATION
//! blocks (`flac --keep-foreign-metadata`). Made by flac and metaflac,
//! decoded by us and by ffmpeg, sample for sample.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap in a test is a failed test"
)]

mod tools;

use std::path::{Path, PathBuf};
use std::process::Command;

use tools::{TempDir, assert_decodes_as_ffmpeg, run};

/// A CD-style source: 16-bit stereo at 44.1 kHz, `seconds` long.
fn cd_wav(dir: &TempDir, seconds: f64) -> PathBuf {
    let src = tools::source(dir.path(), seconds);
    let wav = dir.join("cd.wav");
    let args = [
        "-v",
        "error",
        "-y",
        "-i",
        src.to_str().unwrap(),
        "-c:a",
        "pcm_s16le",
    ];
    let mut all = args.to_vec();
    all.push(wav.to_str().unwrap());
    run("ffmpeg", &all);
    wav
}

fn flac(args: &[&str], out: &Path) {
    let mut all = vec!["-s", "-f"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["-o", out.to_str().unwrap()]);
    run("flac", &all);
}

/// The metadata block types `metaflac --list` shows.
fn block_types(path: &Path) -> String {
    let out = Command::new("metaflac")
        .args(["--list", path.to_str().unwrap()])
        .output()
        .expect("metaflac is required for these tests (apt-get install flac)");
    String::from_utf8_lossy(&out.stdout).to_string()
}

const CUE: &str = "FILE \"cd.wav\" WAVE\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n  \
                   TRACK 02 AUDIO\n    INDEX 00 00:02:00\n    INDEX 01 00:03:00\n";

#[test]
fn flac_with_a_cuesheet_from_metaflac_decodes_as_ffmpeg_does() {
    let dir = TempDir::new("cuesheet");
    // 7.3 s is not a whole number of 588-sample CD sectors: metaflac warns
    // that the lead-out is not CD-DA compliant and writes it anyway, as
    // rippers' files often are.
    let wav = cd_wav(&dir, 7.3);
    let cue = dir.join("cd.cue");
    std::fs::write(&cue, CUE).unwrap();
    let imported = dir.join("imported.flac");
    flac(&[wav.to_str().unwrap()], &imported);
    let import = format!("--import-cuesheet-from={}", cue.display());
    run("metaflac", &[&import, imported.to_str().unwrap()]);
    // flac can embed the cue sheet while encoding, too.
    let encoded = dir.join("encoded.flac");
    let at_encode = format!("--cuesheet={}", cue.display());
    flac(&[&at_encode, wav.to_str().unwrap()], &encoded);
    for file in [imported, encoded] {
        let blocks = block_types(&file);
        assert!(blocks.contains("CUESHEET"), "{blocks}");
        assert!(blocks.contains("LEAD-OUT"), "{blocks}");
        let info = assert_decodes_as_ffmpeg(&file, 0.0);
        assert_eq!(
            (info.container.as_str(), info.bit_depth),
            ("flac", Some(16))
        );
        assert_eq!(info.declared_frames, Some(321_930));
    }
}

#[test]
fn flac_with_application_blocks_decodes_as_ffmpeg_does() {
    let dir = TempDir::new("application");
    let src = tools::source(dir.path(), 3.0);
    let wav = dir.join("tagged.wav");
    // A WAV with LIST and bext chunks, which flac keeps as APPLICATION
    // blocks (id "riff") with --keep-foreign-metadata.
    let args = [
        "-metadata",
        "title=Tone",
        "-write_bext",
        "1",
        "-c:a",
        "pcm_s24le",
    ];
    let mut all = vec!["-v", "error", "-y", "-i", src.to_str().unwrap()];
    all.extend_from_slice(&args);
    all.push(wav.to_str().unwrap());
    run("ffmpeg", &all);
    let kept = dir.join("kept.flac");
    flac(&["--keep-foreign-metadata", wav.to_str().unwrap()], &kept);
    let blocks = block_types(&kept);
    assert!(blocks.matches("APPLICATION").count() >= 3, "{blocks}");
    let info = assert_decodes_as_ffmpeg(&kept, 0.0);
    assert_eq!(info.bit_depth, Some(24));
    // flac -d puts the foreign chunks back: the same samples come out.
    let back = dir.join("back.wav");
    run(
        "flac",
        &[
            "-s",
            "-f",
            "-d",
            "--keep-foreign-metadata",
            kept.to_str().unwrap(),
            "-o",
            back.to_str().unwrap(),
        ],
    );
    assert_decodes_as_ffmpeg(&back, 0.0);
}

/// Shortens the first APPLICATION block of `path` to 2 bytes, less than
/// its own 4-byte id, with a PADDING block taking up the rest, as a
/// damaged or hostile file might.
fn with_short_application_block(path: &Path, out: &Path) {
    let mut b = std::fs::read(path).unwrap();
    let mut at = 4;
    loop {
        let (kind, last) = (b[at] & 0x7F, b[at] & 0x80);
        let len = u32::from_be_bytes([0, b[at + 1], b[at + 2], b[at + 3]]) as usize;
        if kind == 2 && len >= 10 {
            b[at] = 2;
            b[at + 1..at + 4].copy_from_slice(&2u32.to_be_bytes()[1..]);
            let pad = at + 4 + 2;
            b[pad] = last | 1;
            b[pad + 1..pad + 4]
                .copy_from_slice(&u32::try_from(len - 6).unwrap().to_be_bytes()[1..]);
            break;
        }
        assert_eq!(last, 0, "no APPLICATION block of 10 bytes or more");
        at += 4 + len;
    }
    std::fs::write(out, b).unwrap();
}

#[test]
fn flac_with_an_application_block_shorter_than_its_id_decodes() {
    let dir = TempDir::new("short-application");
    let wav = cd_wav(&dir, 2.0);
    let kept = dir.join("kept.flac");
    flac(&["--keep-foreign-metadata", wav.to_str().unwrap()], &kept);
    let short = dir.join("short.flac");
    with_short_application_block(&kept, &short);
    // flac and metaflac refuse such a file; ffmpeg decodes it, and so must we.
    let decoded = std::panic::catch_unwind(|| assert_decodes_as_ffmpeg(&short, 0.0));
    assert!(decoded.is_ok(), "a 2-byte APPLICATION block broke decoding");
}
