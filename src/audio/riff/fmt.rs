//! The `fmt ` chunk: which codec, how many channels, what rate, and how
//! the samples are laid out in the `data` chunk.
//!
//! Reference: Microsoft's WAVEFORMATEX and WAVEFORMATEXTENSIBLE
//! (mmreg.h, ksmedia.h). Read leniently where other tools are: the
//! `cbSize` field may be missing (μ-law and A-law writers leave it out),
//! a PCM `wBitsPerSample` that is not a multiple of 8 (12, 20) names the
//! valid bits of the next whole byte, and extensible files may declare
//! fewer valid bits than their container holds. Samples are stored
//! left-justified either way, so they decode at the container's width
//! (as ffmpeg and sox decode them) and the valid bits are reported.

use symphonia::core::audio::{Channels, Position};
use symphonia::core::codecs::audio::AudioCodecId;
use symphonia::core::codecs::audio::well_known::{
    CODEC_ID_ADPCM_IMA_WAV, CODEC_ID_ADPCM_MS, CODEC_ID_PCM_ALAW, CODEC_ID_PCM_F32LE,
    CODEC_ID_PCM_F64LE, CODEC_ID_PCM_MULAW, CODEC_ID_PCM_S16LE, CODEC_ID_PCM_S24LE,
    CODEC_ID_PCM_S32LE, CODEC_ID_PCM_U8,
};
use symphonia::core::errors::{Result, decode_error, unsupported_error};

/// Bytes of a `fmt ` body we look at (WAVEFORMATEXTENSIBLE is 40).
pub(super) const FMT_READ_LEN: usize = 40;

const WAVE_FORMAT_PCM: u16 = 0x0001;
const WAVE_FORMAT_ADPCM: u16 = 0x0002;
const WAVE_FORMAT_IEEE_FLOAT: u16 = 0x0003;
const WAVE_FORMAT_ALAW: u16 = 0x0006;
const WAVE_FORMAT_MULAW: u16 = 0x0007;
const WAVE_FORMAT_IMA_ADPCM: u16 = 0x0011;
const WAVE_FORMAT_EXTENSIBLE: u16 = 0xFFFE;
/// The last 14 bytes of every KSDATAFORMAT_SUBTYPE_* GUID built from a
/// format tag (the tag is the first two bytes).
const KSDATAFORMAT_TAIL: [u8; 14] = [
    0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71,
];
/// The tail of the Ambisonic B-format sub-type GUIDs (PCM and float).
const AMBISONIC_TAIL: [u8; 14] = [
    0x00, 0x00, 0x21, 0x07, 0xD3, 0x11, 0x86, 0x44, 0xC8, 0xC1, 0xCA, 0x00, 0x00, 0x00,
];

/// What the `fmt ` chunk says, ready for a decoder.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct WaveFormat {
    /// The codec of the samples.
    pub codec: AudioCodecId,
    /// Channel count and positions.
    pub channels: Channels,
    /// Frames per second.
    pub sample_rate: u32,
    /// Valid bits per sample (integer PCM), reported as the bit depth.
    pub bits: Option<u32>,
    /// Bytes per block: one frame for PCM, `nBlockAlign` for ADPCM.
    pub block_size: u64,
    /// Frames each block decodes to.
    pub frames_per_block: u64,
}

/// The fields of WAVEFORMATEX, with the extensible part when present.
struct Fields {
    tag: u16,
    channels: u16,
    rate: u32,
    block_align: u16,
    bits: u16,
    /// Valid bits, channel mask (extensible only).
    valid_bits: u16,
    mask: u32,
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    b.get(at..at + 2)
        .map_or(0, |s| u16::from_le_bytes([s[0], s[1]]))
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4)
        .map_or(0, |s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

/// Parses the first [`FMT_READ_LEN`] bytes (or fewer) of a `fmt ` body.
pub(super) fn parse(body: &[u8]) -> Result<WaveFormat> {
    let fields = read_fields(body)?;
    if fields.channels == 0 {
        return decode_error("wav: the fmt chunk declares 0 channels");
    }
    if fields.rate == 0 {
        return decode_error("wav: the fmt chunk declares a sample rate of 0");
    }
    let channels = channels_of(fields.channels, fields.mask);
    let n = u64::from(fields.channels);
    let (codec, bits, block_size, frames_per_block) = match fields.tag {
        WAVE_FORMAT_PCM => {
            let (codec, container, valid) = pcm_layout(&fields)?;
            (codec, Some(valid), n * u64::from(container / 8), 1)
        }
        WAVE_FORMAT_IEEE_FLOAT => match fields.bits {
            32 => (CODEC_ID_PCM_F32LE, Some(32), n * 4, 1),
            64 => (CODEC_ID_PCM_F64LE, Some(64), n * 8, 1),
            _ => return unsupported_error("wav: float samples that are not 32 or 64 bits"),
        },
        // G.711 is 8 bits per sample by definition, whatever the field says.
        WAVE_FORMAT_ALAW => (CODEC_ID_PCM_ALAW, None, n, 1),
        WAVE_FORMAT_MULAW => (CODEC_ID_PCM_MULAW, None, n, 1),
        WAVE_FORMAT_ADPCM | WAVE_FORMAT_IMA_ADPCM => adpcm_layout(&fields)?,
        _ => {
            return unsupported_error("wav: format tag is not PCM, float, A-law, mu-law or ADPCM");
        }
    };
    Ok(WaveFormat {
        codec,
        channels,
        sample_rate: fields.rate,
        bits,
        block_size,
        frames_per_block,
    })
}

/// WAVEFORMATEX, and for WAVE_FORMAT_EXTENSIBLE the sub-format's tag in
/// place of 0xFFFE.
fn read_fields(b: &[u8]) -> Result<Fields> {
    if b.len() < 16 {
        return decode_error("wav: fmt chunk shorter than 16 bytes");
    }
    let mut fields = Fields {
        tag: u16_at(b, 0),
        channels: u16_at(b, 2),
        rate: u32_at(b, 4),
        block_align: u16_at(b, 12),
        bits: u16_at(b, 14),
        valid_bits: 0,
        mask: 0,
    };
    if fields.tag != WAVE_FORMAT_EXTENSIBLE {
        return Ok(fields);
    }
    // cbSize (bytes 16..18) should say 22; the 40 bytes are what count.
    let Some(guid) = b.get(24..40) else {
        return decode_error("wav: WAVE_FORMAT_EXTENSIBLE fmt chunk shorter than 40 bytes");
    };
    fields.valid_bits = u16_at(b, 18);
    fields.mask = u32_at(b, 20);
    let tail = &guid[2..];
    let ambisonic = tail == AMBISONIC_TAIL && matches!(u16_at(guid, 0), 1 | 3);
    if tail != KSDATAFORMAT_TAIL && !ambisonic {
        return unsupported_error("wav: WAVE_FORMAT_EXTENSIBLE with an unknown sub-format GUID");
    }
    fields.tag = u16_at(guid, 0);
    if fields.tag == WAVE_FORMAT_EXTENSIBLE {
        return decode_error("wav: WAVE_FORMAT_EXTENSIBLE names itself as its sub-format");
    }
    Ok(fields)
}

/// Integer PCM: the codec of the container, its width, the valid bits.
fn pcm_layout(f: &Fields) -> Result<(AudioCodecId, u32, u32)> {
    let bits = u32::from(f.bits);
    if bits == 0 {
        return decode_error("wav: PCM with 0 bits per sample");
    }
    // The container is the whole bytes the samples occupy (20 bits: 3).
    let container = bits.div_ceil(8) * 8;
    let codec = match container {
        8 => CODEC_ID_PCM_U8,
        16 => CODEC_ID_PCM_S16LE,
        24 => CODEC_ID_PCM_S24LE,
        32 => CODEC_ID_PCM_S32LE,
        _ => return unsupported_error("wav: PCM samples wider than 32 bits"),
    };
    // Plain PCM's field is the valid bits; extensible's is the container.
    let declared = if f.valid_bits > 0 {
        u32::from(f.valid_bits)
    } else {
        bits
    };
    Ok((codec, container, declared.min(container)))
}

/// MS and IMA ADPCM: fixed-size blocks of `nBlockAlign` bytes.
fn adpcm_layout(f: &Fields) -> Result<(AudioCodecId, Option<u32>, u64, u64)> {
    if f.bits != 4 {
        return unsupported_error("wav: ADPCM that is not 4 bits per sample");
    }
    let (n, align) = (u64::from(f.channels), u64::from(f.block_align));
    // Each block opens with a header per channel (MS: 7 bytes, IMA: 4)
    // holding one (IMA) or two (MS) whole samples; the rest is nibbles.
    let (codec, header, in_header) = match f.tag {
        WAVE_FORMAT_ADPCM => (CODEC_ID_ADPCM_MS, 7, 2),
        _ => (CODEC_ID_ADPCM_IMA_WAV, 4, 1),
    };
    if align < header * n {
        return decode_error("wav: ADPCM block align smaller than its block headers");
    }
    let frames = (align - header * n) * 8 / (4 * n) + in_header;
    Ok((codec, None, align, frames))
}

/// Channel positions from the extensible mask when it fits the count,
/// else the first `count` standard positions (or plain discrete ones).
fn channels_of(count: u16, mask: u32) -> Channels {
    if mask.count_ones() == u32::from(count)
        && let Some(pos) = Position::from_wave_channel_mask(mask)
    {
        return Channels::Positioned(pos);
    }
    match Position::from_count(u32::from(count)) {
        Some(pos) => Channels::Positioned(pos),
        None => Channels::Discrete(count),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(tag: u16, channels: u16, block_align: u16, bits: u16) -> Vec<u8> {
        let mut b = Vec::new();
        b.extend_from_slice(&tag.to_le_bytes());
        b.extend_from_slice(&channels.to_le_bytes());
        b.extend_from_slice(&44_100u32.to_le_bytes());
        b.extend_from_slice(&(44_100u32 * u32::from(block_align)).to_le_bytes());
        b.extend_from_slice(&block_align.to_le_bytes());
        b.extend_from_slice(&bits.to_le_bytes());
        b
    }

    fn extensible(channels: u16, container: u16, valid: u16, sub: u16) -> Vec<u8> {
        let mut b = fmt(
            WAVE_FORMAT_EXTENSIBLE,
            channels,
            channels * container / 8,
            container,
        );
        b.extend_from_slice(&22u16.to_le_bytes());
        b.extend_from_slice(&valid.to_le_bytes());
        b.extend_from_slice(&0u32.to_le_bytes());
        b.extend_from_slice(&sub.to_le_bytes());
        b.extend_from_slice(&KSDATAFORMAT_TAIL);
        b
    }

    #[test]
    fn valid_bits_fewer_than_the_container_decode_at_the_container_width() {
        let f = parse(&fmt(WAVE_FORMAT_PCM, 2, 6, 20)).unwrap();
        assert_eq!(
            (f.codec, f.bits, f.block_size),
            (CODEC_ID_PCM_S24LE, Some(20), 6)
        );
        let f = parse(&fmt(WAVE_FORMAT_PCM, 2, 4, 12)).unwrap();
        assert_eq!(
            (f.codec, f.bits, f.block_size),
            (CODEC_ID_PCM_S16LE, Some(12), 4)
        );
        let f = parse(&extensible(4, 24, 20, WAVE_FORMAT_PCM)).unwrap();
        assert_eq!(
            (f.codec, f.bits, f.block_size),
            (CODEC_ID_PCM_S24LE, Some(20), 12)
        );
        let f = parse(&extensible(1, 32, 24, WAVE_FORMAT_PCM)).unwrap();
        assert_eq!(
            (f.codec, f.bits, f.block_size),
            (CODEC_ID_PCM_S32LE, Some(24), 4)
        );
    }

    #[test]
    fn g711_needs_no_cb_size() {
        let f = parse(&fmt(WAVE_FORMAT_MULAW, 1, 1, 8)).unwrap();
        assert_eq!((f.codec, f.block_size), (CODEC_ID_PCM_MULAW, 1));
        let f = parse(&fmt(WAVE_FORMAT_ALAW, 2, 2, 8)).unwrap();
        assert_eq!((f.codec, f.block_size), (CODEC_ID_PCM_ALAW, 2));
    }

    #[test]
    fn bad_fmt_chunks_are_errors_not_panics() {
        assert!(parse(&[]).is_err());
        assert!(parse(&fmt(WAVE_FORMAT_PCM, 0, 0, 16)).is_err());
        assert!(parse(&fmt(WAVE_FORMAT_PCM, 1, 2, 0)).is_err());
        assert!(parse(&fmt(WAVE_FORMAT_PCM, 1, 8, 64)).is_err());
        assert!(parse(&fmt(0x1234, 1, 2, 16)).is_err());
        assert!(parse(&fmt(WAVE_FORMAT_EXTENSIBLE, 1, 2, 16)).is_err());
        assert!(parse(&extensible(1, 16, 16, WAVE_FORMAT_EXTENSIBLE)).is_err());
        assert!(parse(&fmt(WAVE_FORMAT_ADPCM, 2, 4, 4)).is_err());
        let f = parse(&fmt(WAVE_FORMAT_IMA_ADPCM, 1, 256, 4)).unwrap();
        assert_eq!((f.block_size, f.frames_per_block), (256, 505));
        let f = parse(&fmt(WAVE_FORMAT_ADPCM, 1, 256, 4)).unwrap();
        assert_eq!((f.block_size, f.frames_per_block), (256, 500));
    }
}
