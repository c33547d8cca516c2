//! Our reader for the WAV family (RIFF WAVE, RF64, BW64, Sony Wave64),
//! in place of symphonia's, which refuses RF64/BW64/Wave64, PCM of 12 or
//! 20 valid bits, G.711 without `cbSize` and some chunk layouts.
//!
//! It implements symphonia's [`FormatReader`], so symphonia's PCM and
//! ADPCM decoders decode what it reads; `audio::formats` registers it
//! ahead of symphonia's own. Packets are read straight from the `data`
//! chunk, at most [`MAX_PACKET_BYTES`] at a time: memory does not grow
//! with the file. Sizes are checked against the file's length, so a
//! truncated `data` chunk yields what is there (and the declared length
//! tells the decoder it was cut short).

mod chunks;
mod fmt;
#[cfg(test)]
mod tests;

use std::io::{ErrorKind, Seek, SeekFrom};

use symphonia::core::codecs::CodecParameters;
use symphonia::core::codecs::audio::AudioCodecParameters;
use symphonia::core::common::FourCc;
use symphonia::core::errors::{Error, Result, SeekErrorKind, decode_error, seek_error};
use symphonia::core::formats::probe::{
    ProbeDataMatchSpec, ProbeFormatData, ProbeableFormat, Score, Scoreable,
};
use symphonia::core::formats::well_known::FORMAT_ID_WAVE;
use symphonia::core::formats::{
    FormatId, FormatInfo, FormatOptions, FormatReader, MediaInfo, SeekMode, SeekTo, SeekedTo, Track,
};
use symphonia::core::io::{MediaSource, MediaSourceStream, ReadBytes, ScopedStream, SeekBuffered};
use symphonia::core::meta::{Metadata, MetadataLog};
use symphonia::core::packet::Packet;
use symphonia::core::units::{Duration, Timestamp};

use chunks::{ChunkKind, ChunkWalker, Container};
use fmt::WaveFormat;

/// Frames per packet for PCM (as symphonia's reader, so blocks match).
const PCM_FRAMES_PER_PACKET: u64 = 1152;
/// A packet never holds more bytes than this, whatever the frame size.
pub const MAX_PACKET_BYTES: u64 = 1 << 20;
/// Chunks before `data` we walk at most (each costs a header read).
const MAX_CHUNKS: u32 = 4096;

const RIFF_INFO: FormatInfo = FormatInfo {
    format: FORMAT_ID_WAVE,
    short_name: "wave",
    long_name: "Waveform Audio File Format (RIFF)",
};
const RF64_INFO: FormatInfo = FormatInfo {
    format: FormatId::new(FourCc::new(*b"RF64")),
    short_name: "rf64",
    long_name: "EBU RF64 (WAV with 64-bit sizes)",
};
const BW64_INFO: FormatInfo = FormatInfo {
    format: FormatId::new(FourCc::new(*b"BW64")),
    short_name: "bw64",
    long_name: "ITU-R BS.2088 Broadcast Wave 64",
};
const W64_INFO: FormatInfo = FormatInfo {
    format: FormatId::new(FourCc::new(*b"W64 ")),
    short_name: "w64",
    long_name: "Sony Wave64",
};

/// Where the samples are and how they are cut into packets.
#[derive(Clone, Copy, Debug)]
struct DataLayout {
    /// First byte of the `data` body.
    start: u64,
    /// One past its last byte we read (the file's end when it is shorter
    /// than declared); `None` when neither is known.
    end: Option<u64>,
    block_size: u64,
    frames_per_block: u64,
    blocks_per_packet: u64,
}

/// A demuxer for RIFF WAVE, RF64, BW64 and Sony Wave64 files.
pub struct WaveReader<'s> {
    reader: MediaSourceStream<'s>,
    info: &'static FormatInfo,
    media_info: MediaInfo,
    tracks: Vec<Track>,
    metadata: MetadataLog,
    layout: DataLayout,
}

impl<'s> WaveReader<'s> {
    /// Reads the file header and the chunks up to `data`.
    pub fn try_new(mut mss: MediaSourceStream<'s>, opts: FormatOptions) -> Result<Self> {
        let start = mss.pos();
        let mut head = [0u8; 40];
        let got = read_up_to(&mut mss, &mut head)?;
        let Some(container) = Container::detect(&head[..got]) else {
            return decode_error("wav: not a RIFF, RF64, BW64 or Wave64 file header");
        };
        let file_len = mss.byte_len();
        let mut walker = ChunkWalker::new(container, start, file_len);
        let first_chunk = start + container.header_len();
        if mss.seek_buffered(first_chunk) != first_chunk {
            return decode_error("wav: cannot go back to the first chunk");
        }
        let (format, data_start, data_len, fact) = read_chunks(&mut mss, &mut walker)?;
        let layout = data_layout(&format, data_start, data_len, file_len);
        let frames = data_len
            .map(|len| len / format.block_size * format.frames_per_block)
            .or_else(|| {
                walker
                    .ds64
                    .as_ref()
                    .map(|d| d.sample_count)
                    .filter(|&n| n > 0)
            })
            .or(fact.filter(|&n| n > 0));
        let mut track = Track::new(0);
        track.with_codec_params(CodecParameters::Audio(codec_params(&format, &layout)));
        if let Some(frames) = frames {
            track
                .with_num_frames(frames)
                .with_duration(Duration::from(frames));
        }
        let info = match container {
            Container::Riff => &RIFF_INFO,
            Container::Rf64 => &RF64_INFO,
            Container::Bw64 => &BW64_INFO,
            Container::Wave64 => &W64_INFO,
        };
        Ok(Self {
            reader: mss,
            info,
            media_info: MediaInfo::from_track(&track),
            tracks: vec![track],
            metadata: opts.external_data.metadata.unwrap_or_default(),
            layout,
        })
    }
}

/// Walks the chunks to `data`: the format, where the samples start, the
/// declared length of `data` (if known) and the `fact` frame count.
fn read_chunks(
    mss: &mut MediaSourceStream<'_>,
    walker: &mut ChunkWalker,
) -> Result<(WaveFormat, u64, Option<u64>, Option<u64>)> {
    let (mut format, mut fact) = (None, None);
    for _ in 0..MAX_CHUNKS {
        let Some(chunk) = walker.next(mss)? else {
            return decode_error("wav: no data chunk");
        };
        let len = chunk.body_len.unwrap_or(0);
        match chunk.kind {
            ChunkKind::Format => {
                let mut body = [0u8; fmt::FMT_READ_LEN];
                let want = usize::try_from(len).unwrap_or(usize::MAX).min(body.len());
                mss.read_buf_exact(&mut body[..want])?;
                format = Some(fmt::parse(&body[..want])?);
            }
            ChunkKind::Fact if len >= 4 => fact = Some(u64::from(mss.read_u32()?)),
            ChunkKind::Ds64 => walker.ds64 = Some(chunks::read_ds64(mss, len)?),
            ChunkKind::Data => {
                let Some(format) = format else {
                    return decode_error("wav: the data chunk comes before the fmt chunk");
                };
                return Ok((format, chunk.body_start, chunk.body_len, fact));
            }
            ChunkKind::Fact | ChunkKind::Other => {}
        }
    }
    decode_error("wav: too many chunks before the data chunk")
}

/// Packets of whole blocks, at most [`MAX_PACKET_BYTES`] each.
fn data_layout(
    format: &WaveFormat,
    start: u64,
    len: Option<u64>,
    file_len: Option<u64>,
) -> DataLayout {
    let declared_end = len.map(|l| start.saturating_add(l));
    let end = match (declared_end, file_len) {
        (Some(d), Some(f)) => Some(d.min(f)),
        (d, f) => d.or(f),
    };
    let block_size = format.block_size.max(1);
    let wanted = if format.frames_per_block == 1 {
        PCM_FRAMES_PER_PACKET
    } else {
        // ADPCM: as many blocks as make about the same number of frames.
        (PCM_FRAMES_PER_PACKET / format.frames_per_block).max(1)
    };
    DataLayout {
        start,
        end,
        block_size,
        frames_per_block: format.frames_per_block.max(1),
        blocks_per_packet: wanted.min(MAX_PACKET_BYTES / block_size).max(1),
    }
}

fn codec_params(format: &WaveFormat, layout: &DataLayout) -> AudioCodecParameters {
    let mut params = AudioCodecParameters::new();
    params
        .for_codec(format.codec)
        .with_sample_rate(format.sample_rate)
        .with_channels(format.channels.clone())
        .with_frames_per_block(layout.frames_per_block)
        .with_max_frames_per_packet(layout.blocks_per_packet * layout.frames_per_block);
    if let Some(bits) = format.bits {
        // Coded and decoded widths equal: the samples are left-justified
        // in their container and decode at its width, unshifted.
        params
            .with_bits_per_sample(bits)
            .with_bits_per_coded_sample(bits);
    }
    params
}

/// Reads until `buf` is full or the stream ends; the bytes read.
fn read_up_to(src: &mut impl ReadBytes, buf: &mut [u8]) -> Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match src.read_buf(&mut buf[got..]) {
            Ok(n) => got += n,
            Err(e) if e.kind() == ErrorKind::UnexpectedEof => break,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(Error::IoError(e)),
        }
    }
    Ok(got)
}

impl Scoreable for WaveReader<'_> {
    fn score(mut src: ScopedStream<&mut MediaSourceStream<'_>>) -> Result<Score> {
        let mut head = [0u8; 40];
        let got = read_up_to(&mut src, &mut head)?;
        Ok(match Container::detect(&head[..got]) {
            Some(_) => Score::Supported(255),
            None => Score::Unsupported,
        })
    }
}

impl ProbeableFormat<'_> for WaveReader<'_> {
    fn try_probe_new(
        mss: MediaSourceStream<'_>,
        opts: FormatOptions,
    ) -> Result<Box<dyn FormatReader + '_>> {
        Ok(Box::new(WaveReader::try_new(mss, opts)?))
    }

    fn probe_data() -> &'static [ProbeFormatData] {
        const WAV_MIME: &[&str] = &["audio/vnd.wave", "audio/x-wav", "audio/wav", "audio/wave"];
        const fn entry(
            info: FormatInfo,
            extensions: &'static [&'static str],
            marker: &'static [&'static [u8]],
        ) -> ProbeFormatData {
            let spec = ProbeDataMatchSpec {
                extensions,
                mime_types: WAV_MIME,
                markers: marker,
            };
            ProbeFormatData { spec, info }
        }
        const DATA: [ProbeFormatData; 4] = [
            entry(RIFF_INFO, &["wav", "wave"], &[b"RIFF"]),
            entry(RF64_INFO, &["wav", "rf64"], &[b"RF64"]),
            entry(BW64_INFO, &["wav", "bw64"], &[b"BW64"]),
            entry(W64_INFO, &["w64"], &[&chunks::W64_RIFF]),
        ];
        &DATA
    }
}

impl FormatReader for WaveReader<'_> {
    fn format_info(&self) -> &FormatInfo {
        self.info
    }

    fn media_info(&self) -> &MediaInfo {
        &self.media_info
    }

    fn metadata(&mut self) -> Metadata<'_> {
        self.metadata.metadata()
    }

    fn tracks(&self) -> &[Track] {
        &self.tracks
    }

    fn next_packet(&mut self) -> Result<Option<Packet>> {
        let l = self.layout;
        let pos = self.reader.pos();
        let max = l.blocks_per_packet * l.block_size;
        let want = match l.end {
            Some(end) => end.saturating_sub(pos).min(max) / l.block_size * l.block_size,
            None => max,
        };
        if want == 0 {
            return Ok(None);
        }
        // Bounded by MAX_PACKET_BYTES, so the cast cannot truncate.
        let mut buf = vec![0u8; want as usize];
        let got = read_up_to(&mut self.reader, &mut buf)? as u64;
        // A file cut mid-block: the whole blocks are the last packet.
        let blocks = got / l.block_size;
        if blocks == 0 {
            return Ok(None);
        }
        buf.truncate((blocks * l.block_size) as usize);
        let first_frame = (pos - l.start) / l.block_size * l.frames_per_block;
        let Ok(pts) = i64::try_from(first_frame) else {
            return Ok(None);
        };
        let dur = Duration::from(blocks * l.frames_per_block);
        Ok(Some(Packet::new(0, Timestamp::new(pts), dur, buf)))
    }

    fn seek(&mut self, _mode: SeekMode, to: SeekTo) -> Result<SeekedTo> {
        let Some(track) = self.tracks.first() else {
            return seek_error(SeekErrorKind::Unseekable);
        };
        let required_ts = match to {
            SeekTo::Timestamp { ts, .. } => ts,
            SeekTo::Time { time, .. } => {
                let tb = track
                    .time_base
                    .ok_or(Error::SeekError(SeekErrorKind::Unseekable))?;
                tb.calc_timestamp(time)
                    .ok_or(Error::SeekError(SeekErrorKind::OutOfRange))?
            }
        };
        let Ok(frame) = u64::try_from(required_ts.get()) else {
            return seek_error(SeekErrorKind::OutOfRange);
        };
        if track.num_frames.is_some_and(|n| frame > n) {
            return seek_error(SeekErrorKind::OutOfRange);
        }
        // Packets start on packet boundaries, so a seek lands on one too.
        let l = self.layout;
        let frames_per_packet = l.blocks_per_packet * l.frames_per_block;
        let packet_frame = frame / frames_per_packet * frames_per_packet;
        let offset = (packet_frame / l.frames_per_block).saturating_mul(l.block_size);
        let to_pos = l.start.saturating_add(offset);
        if self.reader.is_seekable() {
            self.reader.seek(SeekFrom::Start(to_pos))?;
        } else if to_pos >= self.reader.pos() {
            self.reader.ignore_bytes(to_pos - self.reader.pos())?;
        } else {
            return seek_error(SeekErrorKind::ForwardOnly);
        }
        let actual_ts = Timestamp::new(i64::try_from(packet_frame).unwrap_or(i64::MAX));
        Ok(SeekedTo {
            track_id: 0,
            actual_ts,
            required_ts,
        })
    }

    fn into_inner<'s>(self: Box<Self>) -> MediaSourceStream<'s>
    where
        Self: 's,
    {
        self.reader
    }
}
