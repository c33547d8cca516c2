//! Hand-made headers the tools never write: odd padding, ds64 tables,
//! hostile sizes. (Files from real tools are in tests/audio_wav_*.rs.)

use std::io::Cursor;

use symphonia::core::errors::Error;
use symphonia::core::formats::{FormatOptions, FormatReader};
use symphonia::core::io::MediaSourceStream;

use super::{MAX_PACKET_BYTES, WaveReader};

/// A 16-byte PCM `fmt ` body.
fn pcm_fmt(channels: u16, bits: u16) -> Vec<u8> {
    // Wider frames than nBlockAlign can say saturate it (the reader
    // works the frame size out from the channels and bits).
    let frame = u32::from(channels) * u32::from(bits.div_ceil(8));
    let mut b = Vec::new();
    for v in [1u16, channels] {
        b.extend_from_slice(&v.to_le_bytes());
    }
    b.extend_from_slice(&8000u32.to_le_bytes());
    b.extend_from_slice(&8000u32.saturating_mul(frame).to_le_bytes());
    b.extend_from_slice(&u16::try_from(frame).unwrap_or(u16::MAX).to_le_bytes());
    b.extend_from_slice(&bits.to_le_bytes());
    b
}

/// A RIFF-style chunk: id, 32-bit size (`size` or the body's), body, pad.
fn chunk(id: &[u8; 4], size: Option<u32>, body: &[u8]) -> Vec<u8> {
    let mut b = id.to_vec();
    let len = u32::try_from(body.len()).unwrap();
    b.extend_from_slice(&size.unwrap_or(len).to_le_bytes());
    b.extend_from_slice(body);
    if body.len() % 2 == 1 {
        b.push(0);
    }
    b
}

fn file(magic: &[u8; 4], chunks: &[Vec<u8>]) -> Vec<u8> {
    let mut b = magic.to_vec();
    b.extend_from_slice(&u32::MAX.to_le_bytes());
    b.extend_from_slice(b"WAVE");
    for c in chunks {
        b.extend_from_slice(c);
    }
    b
}

fn open(bytes: Vec<u8>) -> symphonia::core::errors::Result<WaveReader<'static>> {
    let mss = MediaSourceStream::new(Box::new(Cursor::new(bytes)), Default::default());
    WaveReader::try_new(mss, FormatOptions::default())
}

/// Every sample of every packet, as little-endian i16.
fn samples(reader: &mut WaveReader<'_>) -> Vec<i16> {
    let mut out = Vec::new();
    while let Some(p) = reader.next_packet().unwrap() {
        out.extend(
            p.data
                .chunks_exact(2)
                .map(|b| i16::from_le_bytes([b[0], b[1]])),
        );
    }
    out
}

fn message(result: symphonia::core::errors::Result<WaveReader<'static>>) -> String {
    match result {
        Err(Error::DecodeError(m) | Error::Unsupported(m)) => m.to_string(),
        Err(other) => other.to_string(),
        Ok(_) => "opened".to_string(),
    }
}

fn pcm(n: i16) -> Vec<u8> {
    (0..n).flat_map(i16::to_le_bytes).collect()
}

#[test]
fn odd_chunks_are_padded_and_ds64_tables_give_sizes() {
    let data = pcm(100);
    let bytes = file(
        b"RIFF",
        &[
            chunk(b"junk", None, &[1, 2, 3]),
            chunk(b"fmt ", None, &pcm_fmt(1, 16)),
            chunk(b"data", None, &data),
        ],
    );
    assert_eq!(
        samples(&mut open(bytes).unwrap()),
        (0..100).collect::<Vec<_>>()
    );
    // RF64: a `bext` chunk sized by the ds64 table, `data` by ds64 itself.
    let mut ds64 = Vec::new();
    for v in [0u64, 200, 100] {
        ds64.extend_from_slice(&v.to_le_bytes());
    }
    ds64.extend_from_slice(&1u32.to_le_bytes());
    ds64.extend_from_slice(b"bext");
    ds64.extend_from_slice(&6u64.to_le_bytes());
    let bytes = file(
        b"RF64",
        &[
            chunk(b"ds64", None, &ds64),
            chunk(b"bext", Some(u32::MAX), &[9; 6]),
            chunk(b"fmt ", None, &pcm_fmt(1, 16)),
            chunk(b"data", Some(u32::MAX), &data),
        ],
    );
    let mut reader = open(bytes).unwrap();
    assert_eq!(reader.tracks()[0].num_frames, Some(100));
    assert_eq!(samples(&mut reader), (0..100).collect::<Vec<_>>());
}

#[test]
fn sizes_past_the_end_are_clamped_for_data_and_refused_before_it() {
    let fmt = chunk(b"fmt ", None, &pcm_fmt(1, 16));
    // data declares far more than the file holds: what is there is read,
    // and the declared length says the file was cut short.
    let bytes = file(
        b"RIFF",
        &[fmt.clone(), chunk(b"data", Some(0x7FFF_FFF0), &pcm(10))],
    );
    let mut reader = open(bytes).unwrap();
    assert_eq!(reader.tracks()[0].num_frames, Some(0x3FFF_FFF8));
    assert_eq!(samples(&mut reader).len(), 10);
    let mut ds64 = vec![0u8; 28];
    ds64[8..16].copy_from_slice(&u64::MAX.to_le_bytes());
    let bytes = file(
        b"BW64",
        &[
            chunk(b"ds64", None, &ds64),
            fmt.clone(),
            chunk(b"data", Some(u32::MAX), &pcm(10)),
        ],
    );
    assert_eq!(samples(&mut open(bytes).unwrap()).len(), 10);
    let bytes = file(
        b"RIFF",
        &[chunk(b"LIST", Some(0xFFFF_0000), b"INFO"), fmt.clone()],
    );
    assert!(message(open(bytes)).contains("runs past the end"));
    let bytes = file(
        b"RF64",
        &[chunk(b"LIST", Some(u32::MAX), b"INFO"), fmt.clone()],
    );
    assert!(message(open(bytes)).contains("no ds64"));
}

#[test]
fn malformed_layouts_are_clear_errors() {
    let fmt = chunk(b"fmt ", None, &pcm_fmt(2, 16));
    let data = chunk(b"data", None, &pcm(8));
    assert!(message(open(file(b"RIFF", &[data.clone(), fmt.clone()]))).contains("before the fmt"));
    assert!(message(open(file(b"RIFF", std::slice::from_ref(&fmt)))).contains("no data chunk"));
    let many: Vec<Vec<u8>> = (0..5000).map(|_| chunk(b"junk", None, &[])).collect();
    assert!(message(open(file(b"RIFF", &many))).contains("too many chunks"));
    let short = chunk(b"fmt ", None, &pcm_fmt(2, 16)[..10]);
    assert!(message(open(file(b"RIFF", &[short, data.clone()]))).contains("shorter than 16"));
    assert!(message(open(file(b"RIFX", &[fmt, data]))).contains("not a RIFF"));
    // Wave64: a chunk size smaller than its own header.
    let mut w64 = super::chunks::W64_RIFF.to_vec();
    w64.extend_from_slice(&0u64.to_le_bytes());
    w64.extend_from_slice(b"wave");
    w64.extend_from_slice(&[
        0xF3, 0xAC, 0xD3, 0x11, 0x8C, 0xD1, 0x00, 0xC0, 0x4F, 0x8E, 0xDB, 0x8A,
    ]);
    w64.extend_from_slice(&[7; 16]);
    w64.extend_from_slice(&5u64.to_le_bytes());
    w64.extend_from_slice(&[0; 64]);
    assert!(message(open(w64)).contains("smaller than its own 24-byte header"));
}

#[test]
fn huge_frames_still_make_bounded_packets() {
    // 65535 channels of 32-bit samples: 256 KiB per frame.
    let frame = 65_535 * 4;
    let body = vec![0u8; frame * 10];
    let bytes = file(
        b"RIFF",
        &[
            chunk(b"fmt ", None, &pcm_fmt(65_535, 32)),
            chunk(b"data", None, &body),
        ],
    );
    let mut reader = open(bytes).unwrap();
    let mut frames = 0;
    while let Some(p) = reader.next_packet().unwrap() {
        assert!(p.data.len() as u64 <= MAX_PACKET_BYTES);
        assert_eq!(p.data.len() % frame, 0);
        frames += p.data.len() / frame;
    }
    assert_eq!(frames, 10);
}
