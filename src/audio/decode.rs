//! Streaming decoding with symphonia: one file in, blocks of samples out.
//!
//! Memory is bounded by one decoded packet: the caller pulls blocks with
//! [`AudioStream::next_block`] and folds them into its analyses.

use std::fs::File;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use symphonia::core::codecs::audio::{AudioDecoder, AudioDecoderOptions};
use symphonia::core::errors::Error as SymError;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, FormatReader, SeekMode, SeekTo, TrackType};
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;
use symphonia::core::packet::Packet;

use super::codecs::{codec_name, codecs};
use super::declared_end::DeclaredEnd;
use super::error::AudioError;
pub use super::samples::downmix;
use super::samples::sanitize;

/// Sample rates we analyse, in Hz.
pub const RATE_RANGE: std::ops::RangeInclusive<u32> = 4_000..=384_000;
/// Stop after this many consecutive unreadable packets: the rest is noise.
const MAX_CONSECUTIVE_ERRORS: u32 = 200;

/// Facts about the decoded stream, known once the file is opened.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamInfo {
    /// Short codec name (e.g. "flac", "mp3", "pcm_s16le").
    pub codec: String,
    /// Short container name (e.g. "wave", "ogg").
    pub container: String,
    /// Sample rate in Hz.
    pub sample_rate: u32,
    /// Number of channels.
    pub channels: usize,
    /// Bits per sample where the codec has one (PCM, FLAC, ALAC).
    pub bit_depth: Option<u32>,
    /// Frames the container says the track holds, if it says.
    pub declared_frames: Option<u64>,
}

/// What happened while decoding: counted, never fatal on its own.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DecodeStats {
    /// Frames (samples per channel) delivered.
    pub frames: u64,
    /// Packets skipped because they could not be demuxed or decoded.
    pub bad_packets: u64,
    /// Why decoding ended early, if it did (truncated, corrupt tail...).
    pub partial: Option<String>,
    /// Seconds of audio lost in gaps between packets (corrupt data the
    /// demuxer skipped over).
    pub lost_s: f64,
    /// Number of such gaps.
    pub gaps: u64,
}

impl DecodeStats {
    /// Why the result does not cover the whole file, if it does not:
    /// cut short, packets lost, or gaps in the stream.
    pub fn damage(&self) -> Option<String> {
        let mut parts = Vec::new();
        if let Some(p) = &self.partial {
            parts.push(p.clone());
        }
        if self.bad_packets > 0 {
            parts.push(format!("{} unreadable packet(s) skipped", self.bad_packets));
        }
        if self.gaps > 0 {
            parts.push(format!(
                "corrupt data: {:.2} s lost in {} gap(s)",
                self.lost_s, self.gaps
            ));
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }
}

/// One decoded block: interleaved samples and their mono downmix.
#[derive(Debug)]
pub struct Block<'a> {
    /// Interleaved samples, `channels` per frame.
    pub interleaved: &'a [f32],
    /// The mean of the channels, one sample per frame.
    pub mono: &'a [f32],
    /// Channels per frame.
    pub channels: usize,
    /// Sample rate, Hz.
    pub rate: u32,
    /// The container's time of the block's packet, seconds: after
    /// [`AudioStream::seek_near`], where the audio really resumed (a
    /// decoder may swallow the first packet after a jump).
    pub start_s: f64,
}

/// An open audio file, decoded block by block.
pub struct AudioStream {
    path: PathBuf,
    format: Box<dyn FormatReader>,
    decoder: Box<dyn AudioDecoder>,
    track_id: u32,
    info: StreamInfo,
    stats: DecodeStats,
    interleaved: Vec<f32>,
    mono: Vec<f32>,
    /// Encoder priming frames still to drop (AAC in MP4).
    skip: u64,
    /// Frames to deliver at most (the rest is encoder padding).
    limit: Option<u64>,
    /// MPEG audio: frames past the header's frame count, held back until
    /// the stream shows whether they are padding.
    declared_end: Option<DeclaredEnd>,
    /// Where the next packet should start (track time base), and that
    /// base in seconds per tick.
    next_pts: Option<i64>,
    tick_s: f64,
    done: bool,
    /// The container's time of the last block's packet, seconds.
    block_start_s: f64,
}

impl std::fmt::Debug for AudioStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AudioStream")
            .field("path", &self.path)
            .field("info", &self.info)
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

impl AudioStream {
    /// Opens `path`, finds its audio track and builds the decoder.
    pub fn open(path: &Path) -> Result<Self, AudioError> {
        let format = probe(path, open_source(path)?)?;
        let TrackSetup {
            track_id,
            delay,
            padding,
            tick_s,
            decoder,
            mut info,
        } = track_setup(path, format.as_ref())?;
        let (skip, limit) = encoder_trim(path, &mut info, delay);
        // Only the MPEG audio reader trims against a header's frame count
        // (Ogg trims at its last page, MP4 by edit lists read above).
        let declared_end = matches!(info.container.as_str(), "mp1" | "mp2" | "mp3")
            .then(|| DeclaredEnd::new(padding.unwrap_or(0)));
        Ok(Self {
            path: path.to_path_buf(),
            format,
            decoder,
            track_id,
            info,
            stats: DecodeStats::default(),
            interleaved: Vec::new(),
            mono: Vec::new(),
            skip,
            limit,
            declared_end,
            next_pts: None,
            tick_s,
            done: false,
            block_start_s: 0.0,
        })
    }

    /// Facts about the stream. Rate and channels may be filled in by the
    /// first decoded block when the container did not declare them.
    pub fn info(&self) -> &StreamInfo {
        &self.info
    }

    /// Counters so far; final once `next_block` returned `None`.
    pub fn stats(&self) -> &DecodeStats {
        &self.stats
    }

    /// The file being decoded.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Jumps to a packet at or near `t_s` seconds and returns the time
    /// reached (the next block starts there). For playback, not analysis:
    /// the container's own index places it, and the end-of-stream checks
    /// against a declared length no longer apply. `None` when the format
    /// cannot seek; the stream is then as it was.
    pub fn seek_near(&mut self, t_s: f64) -> Option<f64> {
        let time = symphonia::core::units::Time::try_from_secs_f64(t_s.max(0.0))?;
        let to = SeekTo::Time {
            time,
            track_id: Some(self.track_id),
        };
        let seeked = self.format.seek(SeekMode::Accurate, to).ok()?;
        self.decoder.reset();
        let reached = seeked.actual_ts.get() as f64 * self.tick_s;
        let rate = f64::from(self.info.sample_rate.max(1));
        self.stats.frames = (reached.max(0.0) * rate) as u64;
        self.skip = 0;
        self.next_pts = None;
        self.declared_end = None;
        self.info.declared_frames = None;
        self.done = false;
        Some(reached)
    }

    /// Decodes the next block. `Ok(None)` at the end of the stream (or at
    /// the point where a damaged stream could no longer be read, recorded
    /// in [`DecodeStats::partial`]).
    pub fn next_block(&mut self) -> Result<Option<Block<'_>>, AudioError> {
        let mut consecutive = 0u32;
        // Each helper that ends the stream sets `done`; `continue` then
        // leaves the loop.
        while !self.done {
            let Some(mut packet) = self.read_packet(&mut consecutive) else {
                continue;
            };
            if packet.track_id != self.track_id {
                continue;
            }
            self.note_gap(&packet);
            // The end trim is ours to apply when the count may be wrong.
            let past_end = match self.declared_end {
                Some(_) => std::mem::take(&mut packet.trim_end).get(),
                None => 0,
            };
            let Some((channels, rate)) = self.decode_packet(&packet, &mut consecutive)? else {
                continue;
            };
            if let Some(guard) = self.declared_end.as_mut()
                && guard.hold(&mut self.interleaved, channels, past_end)
            {
                // The stream went on past the count: it does not hold.
                self.info.declared_frames = None;
            }
            self.block_start_s = packet.pts.get() as f64 * self.tick_s;
            let frames = self.trim(channels);
            if frames == 0 {
                continue;
            }
            self.interleaved.truncate(frames * channels);
            sanitize(&mut self.interleaved);
            downmix(&self.interleaved, channels, &mut self.mono);
            self.stats.frames += frames as u64;
            return Ok(Some(Block {
                interleaved: &self.interleaved,
                mono: &self.mono,
                channels,
                rate,
                start_s: self.block_start_s,
            }));
        }
        Ok(None)
    }

    /// The next packet, or `None` when there is none this time: an
    /// unreadable one (counted) or the end of the stream (`done` set).
    fn read_packet(&mut self, consecutive: &mut u32) -> Option<Packet> {
        match self.format.next_packet() {
            Ok(Some(packet)) => Some(packet),
            Ok(None) => {
                self.finish_at_end();
                None
            }
            Err(SymError::DecodeError(_)) if *consecutive < MAX_CONSECUTIVE_ERRORS => {
                *consecutive += 1;
                self.stats.bad_packets += 1;
                None
            }
            Err(e) => {
                self.stop(describe_stop(&e));
                None
            }
        }
    }

    /// Counts a gap before `packet` (corrupt data the demuxer skipped).
    fn note_gap(&mut self, packet: &Packet) {
        let (pts, dur) = (
            packet.pts.get(),
            i64::try_from(packet.dur.get()).unwrap_or(i64::MAX),
        );
        // Only packets that state their duration tell where the next
        // should start (Matroska often leaves it out).
        if let Some(expected) = self.next_pts
            && pts > expected.saturating_add(dur)
        {
            self.stats.gaps += 1;
            self.stats.lost_s += (pts - expected) as f64 * self.tick_s;
        }
        self.next_pts = (dur > 0).then(|| pts.saturating_add(dur));
    }

    /// Decodes `packet` into `interleaved`; its channels and rate, or
    /// `None` when it gave nothing (unreadable, counted; or the stream
    /// ended, `done` set). An unsupported rate is an error.
    fn decode_packet(
        &mut self,
        packet: &Packet,
        consecutive: &mut u32,
    ) -> Result<Option<(usize, u32)>, AudioError> {
        let buf = match self.decoder.decode(packet) {
            Ok(buf) => buf,
            Err(SymError::DecodeError(_) | SymError::IoError(_))
                if *consecutive < MAX_CONSECUTIVE_ERRORS =>
            {
                *consecutive += 1;
                self.stats.bad_packets += 1;
                return Ok(None);
            }
            Err(e) => {
                self.stop(describe_stop(&e));
                return Ok(None);
            }
        };
        *consecutive = 0;
        let spec = buf.spec();
        let (rate, channels) = (spec.rate(), spec.channels().count());
        // The first decoded block is the truth: containers may declare
        // the core rate (HE-AAC) or no rate/channels at all.
        if self.stats.frames == 0 {
            self.info.sample_rate = rate;
            self.info.channels = channels;
        }
        if channels == 0 || rate != self.info.sample_rate || channels != self.info.channels {
            self.stop("stream parameters changed mid-stream".to_string());
            return Ok(None);
        }
        if !RATE_RANGE.contains(&rate) {
            return Err(AudioError::UnsupportedStream {
                path: self.path.clone(),
                reason: format!("sample rate {rate} Hz"),
            });
        }
        buf.copy_to_vec_interleaved::<f32>(&mut self.interleaved);
        Ok(Some((channels, rate)))
    }

    /// Drops the encoder priming still due from `interleaved` and caps it
    /// at the declared length; the frames left.
    fn trim(&mut self, channels: usize) -> usize {
        let mut frames = self.interleaved.len() / channels;
        let skip = usize::try_from(self.skip).unwrap_or(usize::MAX).min(frames);
        if skip > 0 {
            self.interleaved.drain(..skip * channels);
            self.skip -= skip as u64;
            frames -= skip;
        }
        if let Some(limit) = self.limit {
            let left = limit.saturating_sub(self.stats.frames);
            frames = frames.min(usize::try_from(left).unwrap_or(usize::MAX));
        }
        frames
    }

    fn stop(&mut self, why: String) {
        self.done = true;
        self.stats.partial = Some(why);
    }

    fn finish_at_end(&mut self) {
        self.done = true;
        // A container that declared more frames than arrived was cut short.
        // Allow a little slack for encoder padding.
        if let Some(declared) = self.info.declared_frames {
            let rate = u64::from(self.info.sample_rate.max(1));
            if self.stats.frames + rate / 10 < declared {
                self.stats.partial = Some(format!(
                    "incomplete: decoded {:.2} s of {:.2} s declared",
                    self.stats.frames as f64 / rate as f64,
                    declared as f64 / rate as f64
                ));
            }
        }
    }
}

/// The file as a media source, after the checks that give clearer errors
/// than the probe would: missing, a folder, empty.
fn open_source(path: &Path) -> Result<MediaSourceStream<'static>, AudioError> {
    let p = || path.to_path_buf();
    let meta = std::fs::metadata(path).map_err(|source| AudioError::Io { path: p(), source })?;
    if meta.is_dir() {
        return Err(AudioError::IsDirectory { path: p() });
    }
    if meta.len() == 0 {
        return Err(AudioError::Empty { path: p() });
    }
    let file = File::open(path).map_err(|source| AudioError::Io { path: p(), source })?;
    Ok(MediaSourceStream::new(Box::new(file), Default::default()))
}

/// The container's reader, the extension as a hint.
fn probe(
    path: &Path,
    mss: MediaSourceStream<'static>,
) -> Result<Box<dyn FormatReader>, AudioError> {
    let p = || path.to_path_buf();
    let mut hint = Hint::new();
    if let Some(ext) = path.extension().and_then(|e| e.to_str()) {
        hint.with_extension(ext);
    }
    super::formats::probe()
        .probe(
            &hint,
            mss,
            FormatOptions::default(),
            MetadataOptions::default(),
        )
        .map_err(|e| match e {
            SymError::IoError(source) if source.kind() != ErrorKind::UnexpectedEof => {
                AudioError::Io { path: p(), source }
            }
            // The container was recognised but what it holds is not.
            SymError::Unsupported(what) if !what.contains("probe") => {
                AudioError::UnsupportedCodec {
                    path: p(),
                    reason: what.to_string(),
                }
            }
            other => AudioError::UnrecognisedFormat {
                path: p(),
                reason: other.to_string(),
            },
        })
}

/// The audio track's facts and its decoder.
struct TrackSetup {
    track_id: u32,
    /// Encoder delay the track declares, frames.
    delay: Option<u32>,
    /// Encoder padding the track declares, frames.
    padding: Option<u32>,
    /// Seconds per tick of the track's time base (0 when unknown).
    tick_s: f64,
    decoder: Box<dyn AudioDecoder>,
    info: StreamInfo,
}

/// Finds the default audio track and builds its decoder.
fn track_setup(path: &Path, format: &dyn FormatReader) -> Result<TrackSetup, AudioError> {
    let p = || path.to_path_buf();
    let container = format.format_info().short_name.to_string();
    let track = format
        .default_track(TrackType::Audio)
        .ok_or_else(|| AudioError::NoAudioTrack { path: p() })?;
    let params = track
        .codec_params
        .as_ref()
        .and_then(|c| c.audio())
        .ok_or_else(|| AudioError::NoAudioTrack { path: p() })?;
    let tick_s = track
        .time_base
        .map(|tb| f64::from(tb.numer.get()) / f64::from(tb.denom.get()))
        .unwrap_or(0.0);
    let decoder = codecs()
        .make_audio_decoder(params, &AudioDecoderOptions::default())
        .map_err(|e| AudioError::UnsupportedCodec {
            path: p(),
            reason: format!("codec {}: {e}", codec_name(params.codec)),
        })?;
    let info = StreamInfo {
        codec: decoder.codec_info().short_name.to_string(),
        container,
        sample_rate: params.sample_rate.unwrap_or(0),
        channels: params.channels.as_ref().map(|c| c.count()).unwrap_or(0),
        bit_depth: params.bits_per_sample,
        declared_frames: track.num_frames,
    };
    Ok(TrackSetup {
        track_id: track.id,
        delay: track.delay,
        padding: track.padding,
        tick_s,
        decoder,
        info,
    })
}

/// Frames to drop at the start and to deliver at most: AAC decoders here
/// keep the encoder's priming frames and padding, so drop what the
/// container's edit list (or the track delay) declares. Nothing for other
/// codecs.
fn encoder_trim(path: &Path, info: &mut StreamInfo, delay: Option<u32>) -> (u64, Option<u64>) {
    if !info.codec.starts_with("aac") {
        return (0, None);
    }
    match super::mp4_edits::read_edit(path, info.sample_rate) {
        Some(edit) => {
            info.declared_frames = Some(edit.frames);
            (edit.skip, Some(edit.frames))
        }
        None => (u64::from(delay.unwrap_or(0)), None),
    }
}

fn describe_stop(e: &SymError) -> String {
    match e {
        SymError::IoError(io) if io.kind() == ErrorKind::UnexpectedEof => {
            "truncated: stream ends mid-packet".to_string()
        }
        SymError::DecodeError(_) => format!("corrupt data, decoding stopped: {e}"),
        other => format!("decoding stopped: {other}"),
    }
}
