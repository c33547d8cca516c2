//! Round trips bit for bit, and no panic on any damaged blob.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use super::*;
use crate::audio::golden::{RATE, clicks_over_chord};
use crate::audio::{AnalysisOptions, decode_pass, pcm_pass};

fn generated(seconds: f64) -> Artifacts {
    pcm_pass(
        &clicks_over_chord(seconds),
        2,
        RATE,
        &AnalysisOptions::default(),
    )
    .unwrap()
}

/// Decodes `bytes`, checks the value and its re-encoding match exactly.
fn assert_round_trip(original: &Artifacts) -> Vec<u8> {
    let bytes = original.to_bytes();
    let back = Artifacts::from_bytes(&bytes).unwrap();
    // PartialEq on floats misses NaN; the re-encoding compares bits.
    assert_eq!(back.to_bytes(), bytes);
    // The curves are stored as series, not in the artifacts' bytes.
    let expected = Artifacts {
        waveform: Default::default(),
        loudness_curve: Default::default(),
        ..original.clone()
    };
    assert_eq!(back, expected);
    bytes
}

/// 16-bit PCM WAV, stereo; the header claims all samples, `keep` of the
/// data bytes are written (a truncated file when fewer).
fn write_wav(path: &Path, samples: &[f32], keep: usize) {
    let data_len = (samples.len() * 2) as u32;
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    for field in [16u32, 1 | (2 << 16), RATE, RATE * 4, 4 | (16 << 16)] {
        out.extend_from_slice(&field.to_le_bytes());
    }
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    let data = samples
        .iter()
        .flat_map(|&s| ((s.clamp(-1.0, 1.0) * 32767.0).round() as i16).to_le_bytes());
    out.extend(data.take(keep));
    std::fs::write(path, out).unwrap();
}

fn temp_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wave-artifact-bytes-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_generated_pass_round_trips_bit_for_bit() {
    let artifacts = generated(8.0);
    assert!(artifacts.onset.values.len() > 600 && artifacts.chroma.frames.len() > 30);
    let bytes = assert_round_trip(&artifacts);
    // Compact: the onset envelopes and chroma frames, plus ~330 bytes of
    // scalars.
    let onset = artifacts.onset.values.len() + artifacts.onset.low.len();
    let payload = 4 * (onset + 12 * artifacts.chroma.frames.len());
    assert!(bytes.len() < payload + 400, "{} bytes", bytes.len());
}

#[test]
fn decoded_files_round_trip_bit_for_bit() {
    let dir = temp_dir();
    let samples = clicks_over_chord(4.0);
    let cancel = AtomicBool::new(false);
    let opts = AnalysisOptions::default();
    let whole = dir.join("whole.wav");
    write_wav(&whole, &samples, usize::MAX);
    let artifacts = decode_pass(&whole, &opts, &cancel).unwrap();
    assert_eq!(
        (artifacts.facts.bit_depth, artifacts.facts.partial.as_ref()),
        (Some(16), None)
    );
    assert_round_trip(&artifacts);
    let cut = dir.join("cut.wav");
    write_wav(&cut, &samples, samples.len());
    let artifacts = decode_pass(&cut, &opts, &cancel).unwrap();
    assert!(artifacts.facts.partial.is_some(), "{:?}", artifacts.facts);
    assert_round_trip(&artifacts);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn special_floats_and_texts_keep_their_exact_bits() {
    let mut a = generated(1.0);
    a.facts.duration_s = -0.0;
    a.facts.codec = "pcm_ü_♫".to_string();
    a.facts.container = String::new();
    a.facts.bit_depth = None;
    a.facts.partial = Some("cut at 3.2 s".to_string());
    a.facts.excerpt = true;
    a.loudness.integrated_lufs = Some(f64::NEG_INFINITY);
    a.loudness.range_lu = None;
    a.loudness.confidence = f64::from_bits(0x7ff8_0000_dead_beef);
    a.onset.values = vec![f32::from_bits(0xffc0_0001), -0.0, f32::MIN_POSITIVE / 2.0];
    a.onset.low.clear();
    a.chroma.frames.truncate(1);
    let bytes = a.to_bytes();
    let back = Artifacts::from_bytes(&bytes).unwrap();
    assert_eq!(back.to_bytes(), bytes);
    assert_eq!(back.loudness.confidence.to_bits(), 0x7ff8_0000_dead_beef);
    assert_eq!(back.onset.values[0].to_bits(), 0xffc0_0001);
    assert_eq!(back.onset.values[1].to_bits(), (-0.0f32).to_bits());
    assert_eq!(back.facts.codec, "pcm_ü_♫");
    assert_eq!(back.facts.partial.as_deref(), Some("cut at 3.2 s"));
    assert!(back.facts.excerpt);
}

#[test]
fn every_truncation_is_an_error() {
    let bytes = generated(2.0).to_bytes();
    for len in 0..bytes.len() {
        assert!(
            Artifacts::from_bytes(&bytes[..len]).is_err(),
            "length {len}"
        );
    }
}

#[test]
fn a_bad_header_or_trailing_bytes_is_refused() {
    let bytes = generated(1.0).to_bytes();
    let mut other = bytes.clone();
    other[0] = b'X';
    assert!(matches!(
        Artifacts::from_bytes(&other),
        Err(ArtifactBytesError::BadMagic { found }) if &found == b"XSAR"
    ));
    let mut newer = bytes.clone();
    newer[4..6].copy_from_slice(&(ARTIFACT_FORMAT_VERSION + 1).to_le_bytes());
    assert_eq!(
        Artifacts::from_bytes(&newer).unwrap_err(),
        ArtifactBytesError::UnsupportedVersion {
            found: ARTIFACT_FORMAT_VERSION + 1,
            supported: ARTIFACT_FORMAT_VERSION
        }
    );
    let mut longer = bytes;
    longer.push(0);
    assert_eq!(
        Artifacts::from_bytes(&longer).unwrap_err(),
        ArtifactBytesError::TrailingBytes { count: 1 }
    );
}

#[test]
fn a_huge_length_prefix_is_refused_before_allocating() {
    let mut a = generated(1.0);
    a.onset.values.clear();
    a.onset.low.clear();
    a.chroma.frames.clear();
    let mut bytes = a.to_bytes();
    // Tail after onset.values' length: low's length, two f64, the chroma
    // frames' length, two f64.
    let at = bytes.len() - 48 - 8;
    // 12 values would fit in the 48 bytes left; 13 would not.
    for len in [u64::MAX, u64::MAX / 4 + 1, 1 << 40, 13] {
        bytes[at..at + 8].copy_from_slice(&len.to_le_bytes());
        assert!(
            matches!(
                Artifacts::from_bytes(&bytes),
                Err(ArtifactBytesError::LengthTooLarge {
                    field: "onset.values",
                    ..
                })
            ),
            "length {len}"
        );
    }
}

#[test]
fn random_damage_never_panics_and_anything_accepted_is_canonical() {
    let bytes = generated(1.0).to_bytes();
    let mut rng = fastrand::Rng::with_seed(9);
    let mut accepted = 0;
    for _ in 0..4000 {
        let mut damaged = bytes.clone();
        for _ in 0..rng.usize(1..=4) {
            let i = rng.usize(..damaged.len());
            damaged[i] ^= 1 << rng.u8(..8);
        }
        if let Ok(back) = Artifacts::from_bytes(&damaged) {
            // One encoding per value: an accepted blob re-encodes to itself.
            assert_eq!(back.to_bytes(), damaged);
            accepted += 1;
        }
    }
    // Most flips land in float bits, which any value accepts.
    assert!(accepted > 1000, "{accepted} accepted");
}

#[test]
fn a_bad_tag_or_bad_text_names_its_field() {
    let bytes = generated(1.0).to_bytes();
    // magic 4, version 2, duration 8, rate 4, channels 8, then the codec:
    // its length 8 and "pcm_f32", the container: length 8 and "memory",
    // then bit_depth's option tag.
    let codec = 4 + 2 + 8 + 4 + 8 + 8;
    assert_eq!(&bytes[codec..codec + 7], b"pcm_f32");
    let mut bad_text = bytes.clone();
    bad_text[codec] = 0xff;
    assert_eq!(
        Artifacts::from_bytes(&bad_text).unwrap_err(),
        ArtifactBytesError::BadUtf8 {
            field: "facts.codec"
        }
    );
    let tag = codec + 7 + 8 + 6;
    let mut bad_tag = bytes;
    bad_tag[tag] = 2;
    assert_eq!(
        Artifacts::from_bytes(&bad_tag).unwrap_err(),
        ArtifactBytesError::BadTag {
            field: "facts.bit_depth",
            tag: 2
        }
    );
}
