//! Listening to a track: our decoder streams the file from the play
//! position through a bounded queue of blocks to the audio device, so a
//! 60-minute file starts at once and memory stays small; a metronome click
//! can be mixed over it to check the beat grid by ear.
//!
//! The [`Transport`] is the state both sides share (playing, position,
//! click); [`feed`] is the decoding side, pure of any device, and the
//! device side lives in `device.rs` behind the `playback` feature.
//! Nothing here touches egui or tokio.

pub mod click;
#[cfg(feature = "playback")]
pub mod device;
pub mod resample;

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError};
use std::time::Duration;

use crate::audio::decode::AudioStream;
use resample::Resampler;

/// Blocks queued ahead of the device: with the decoder's ~4,096-frame
/// blocks about a second of audio, the bound on what playback holds.
pub const QUEUE_BLOCKS: usize = 12;

/// What the decoder and the device share.
#[derive(Debug, Default)]
pub struct Transport {
    playing: AtomicBool,
    click: AtomicBool,
    /// Bumped by every seek: blocks decoded for an older position are dropped.
    generation: AtomicU64,
    /// Where the current generation starts, seconds (f64 bits).
    origin_bits: AtomicU64,
    /// Frames the device has played since `origin`.
    frames: AtomicU64,
    /// The device's rate, Hz.
    rate: AtomicU64,
    /// The decoder reached the end of the file.
    ended: AtomicBool,
    /// Why playback stopped, if it failed.
    error: Mutex<Option<String>>,
    /// Both threads should finish.
    stop: AtomicBool,
}

impl Transport {
    /// A stopped transport at `at_s` for a device at `rate` Hz.
    pub fn new(at_s: f64, rate: u32) -> Self {
        let t = Self::default();
        t.origin_bits
            .store(at_s.max(0.0).to_bits(), Ordering::Relaxed);
        t.rate.store(u64::from(rate.max(1)), Ordering::Relaxed);
        t
    }

    /// The play position, seconds.
    pub fn position_s(&self) -> f64 {
        let origin = f64::from_bits(self.origin_bits.load(Ordering::Relaxed));
        let frames = self.frames.load(Ordering::Relaxed) as f64;
        origin + frames / self.rate.load(Ordering::Relaxed).max(1) as f64
    }

    /// Moves the position to `t_s`; queued blocks of the old one are dropped.
    pub fn seek(&self, t_s: f64) {
        self.origin_bits
            .store(t_s.max(0.0).to_bits(), Ordering::Relaxed);
        self.frames.store(0, Ordering::Relaxed);
        self.ended.store(false, Ordering::Relaxed);
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// Counts `frames` played by the device.
    pub fn advance(&self, frames: u64) {
        self.frames.fetch_add(frames, Ordering::Relaxed);
    }

    /// The current seek generation.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Plays or pauses.
    pub fn set_playing(&self, on: bool) {
        self.playing.store(on, Ordering::Relaxed);
    }

    /// Whether it plays.
    pub fn is_playing(&self) -> bool {
        self.playing.load(Ordering::Relaxed)
    }

    /// Turns the beat click on or off.
    pub fn set_click(&self, on: bool) {
        self.click.store(on, Ordering::Relaxed);
    }

    /// Whether the beat click sounds.
    pub fn click(&self) -> bool {
        self.click.load(Ordering::Relaxed)
    }

    /// Whether the decoder has delivered the whole file.
    pub fn ended(&self) -> bool {
        self.ended.load(Ordering::Relaxed)
    }

    /// Records why playback failed (and stops it).
    pub fn fail(&self, why: String) {
        if let Ok(mut e) = self.error.lock() {
            e.get_or_insert(why);
        }
        self.playing.store(false, Ordering::Relaxed);
    }

    /// Why playback failed, if it did.
    pub fn error(&self) -> Option<String> {
        self.error.lock().ok().and_then(|e| e.clone())
    }

    /// Asks both sides to finish.
    pub fn shut(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }

    fn stopping(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }
}

/// Decoded audio in the device's format, for one seek generation.
#[derive(Debug)]
pub struct Chunk {
    /// The generation it was decoded for.
    pub generation: u64,
    /// Interleaved samples.
    pub samples: Vec<f32>,
}

/// The device's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutFormat {
    /// Frames per second.
    pub rate: u32,
    /// Channels per frame.
    pub channels: usize,
}

/// Decodes `path` from the transport's position into `tx` until the
/// transport stops, starting over at every seek. Runs on its own thread.
pub fn feed(path: &Path, transport: &Transport, out: OutFormat, tx: &SyncSender<Chunk>) {
    while !transport.stopping() {
        let generation = transport.generation();
        let from = transport.position_s();
        match feed_from(path, transport, out, tx, (generation, from)) {
            Ok(true) => {
                transport.ended.store(true, Ordering::Relaxed);
                // Wait for a seek (or the end of playback).
                while !transport.stopping() && transport.generation() == generation {
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
            Ok(false) => {}
            Err(e) => {
                transport.fail(e);
                return;
            }
        }
    }
}

/// One pass from `from` seconds: `Ok(true)` at the end of the file,
/// `Ok(false)` when a seek or stop interrupted it.
fn feed_from(
    path: &Path,
    transport: &Transport,
    out: OutFormat,
    tx: &SyncSender<Chunk>,
    (generation, from): (u64, f64),
) -> Result<bool, String> {
    let mut stream = AudioStream::open(path).map_err(|e| e.to_string())?;
    let mut resampler: Option<Resampler> = None;
    // The container's index jumps near the start; the frames between
    // there and the start (or from the top, for a format that cannot
    // seek) are decoded and dropped.
    let jumped = from > 0.5 && stream.seek_near(from).is_some_and(|r| r <= from + 1e-3);
    if from > 0.5 && !jumped {
        // A failed seek may have moved the reader: start over.
        stream = AudioStream::open(path).map_err(|e| e.to_string())?;
    }
    let mut skip: Option<u64> = None;
    loop {
        if transport.stopping() || transport.generation() != generation {
            return Ok(false);
        }
        let Some(block) = stream.next_block().map_err(|e| e.to_string())? else {
            return Ok(true);
        };
        // After a jump the first block says where the audio resumed.
        let start = if jumped { block.start_s } else { 0.0 };
        let skip_frames =
            *skip.get_or_insert(((from - start).max(0.0) * f64::from(block.rate)) as u64);
        let frames = (block.interleaved.len() / block.channels.max(1)) as u64;
        if skip_frames >= frames {
            skip = Some(skip_frames - frames);
            continue;
        }
        skip = Some(0);
        let r = resampler.get_or_insert_with(|| {
            Resampler::new(block.rate, out.rate, block.channels, out.channels)
        });
        let mut samples = Vec::new();
        r.process(
            &block.interleaved[skip_frames as usize * block.channels..],
            &mut samples,
        );
        if !send(
            transport,
            tx,
            Chunk {
                generation,
                samples,
            },
        ) {
            return Ok(false);
        }
    }
}

/// Queues `chunk`, waiting while the queue is full; false when a seek,
/// a stop or a gone device made it moot.
fn send(transport: &Transport, tx: &SyncSender<Chunk>, mut chunk: Chunk) -> bool {
    loop {
        match tx.try_send(chunk) {
            Ok(()) => return true,
            Err(TrySendError::Disconnected(_)) => return false,
            Err(TrySendError::Full(back)) => {
                if transport.stopping() || transport.generation() != back.generation {
                    return false;
                }
                chunk = back;
                std::thread::sleep(Duration::from_millis(5));
            }
        }
    }
}

/// The device side's reading of the queue: fills `out` (interleaved,
/// `channels` per frame) from `rx` with the current generation's audio,
/// silence when paused or starved, the click over it; advances the
/// transport by the frames of audio played.
#[derive(Debug, Default)]
pub struct Drain {
    current: Option<Chunk>,
    offset: usize,
}

impl Drain {
    /// Fills one device buffer.
    pub fn fill(
        &mut self,
        out: &mut [f32],
        (channels, rate): (usize, u32),
        transport: &Transport,
        (rx, ticks): (&Receiver<Chunk>, &[click::Tick]),
    ) {
        out.fill(0.0);
        if !transport.is_playing() {
            return;
        }
        let generation = transport.generation();
        let start_s = transport.position_s();
        let mut written = 0;
        while written < out.len() {
            let stale = self
                .current
                .as_ref()
                .is_none_or(|c| c.generation != generation || self.offset >= c.samples.len());
            if stale {
                match rx.try_recv() {
                    Ok(c) => {
                        self.current = Some(c);
                        self.offset = 0;
                        continue;
                    }
                    Err(_) => break,
                }
            }
            let Some(c) = self.current.as_ref() else {
                break;
            };
            let n = (c.samples.len() - self.offset).min(out.len() - written);
            out[written..written + n].copy_from_slice(&c.samples[self.offset..self.offset + n]);
            self.offset += n;
            written += n;
        }
        let frames = written / channels.max(1);
        if transport.click() {
            click::mix(
                &mut out[..frames * channels],
                channels,
                rate,
                start_s,
                ticks,
            );
        }
        transport.advance(frames as u64);
        if frames == 0 && transport.ended() {
            transport.set_playing(false);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn the_position_follows_played_frames_and_a_seek_drops_old_blocks() {
        let t = Transport::new(10.0, 48_000);
        let (tx, rx) = std::sync::mpsc::sync_channel(QUEUE_BLOCKS);
        let gen0 = t.generation();
        tx.send(Chunk {
            generation: gen0,
            samples: vec![0.25; 960],
        })
        .unwrap();
        let mut drain = Drain::default();
        let mut buf = vec![0.0f32; 480];
        // Paused: silence, the position stays.
        drain.fill(&mut buf, (2, 48_000), &t, (&rx, &[]));
        assert!(buf.iter().all(|&v| v == 0.0));
        assert_eq!(t.position_s(), 10.0);
        t.set_playing(true);
        drain.fill(&mut buf, (2, 48_000), &t, (&rx, &[]));
        assert!(buf.iter().all(|&v| v == 0.25));
        assert!((t.position_s() - (10.0 + 240.0 / 48_000.0)).abs() < 1e-9);
        // A seek: the rest of the old block is not played.
        t.seek(30.0);
        tx.send(Chunk {
            generation: t.generation(),
            samples: vec![0.5; 480],
        })
        .unwrap();
        drain.fill(&mut buf, (2, 48_000), &t, (&rx, &[]));
        assert!(buf.iter().all(|&v| v == 0.5), "{:?}", &buf[..4]);
        assert!((t.position_s() - (30.0 + 240.0 / 48_000.0)).abs() < 1e-9);
        // Starved: silence, and the position does not run ahead.
        drain.fill(&mut buf, (2, 48_000), &t, (&rx, &[]));
        assert!(buf.iter().all(|&v| v == 0.0));
        assert!((t.position_s() - (30.0 + 240.0 / 48_000.0)).abs() < 1e-9);
    }

    #[test]
    fn the_feeder_streams_a_real_file_from_the_position_in_the_device_format() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/real/bach_bwv104.6_brass_144.mp3");
        let t = Arc::new(Transport::new(20.0, 48_000));
        let (tx, rx) = std::sync::mpsc::sync_channel(QUEUE_BLOCKS);
        let feeder = {
            let t = Arc::clone(&t);
            std::thread::spawn(move || {
                feed(
                    &path,
                    &t,
                    OutFormat {
                        rate: 48_000,
                        channels: 2,
                    },
                    &tx,
                );
            })
        };
        // The excerpt is 25 s long: 5 s remain after 20 s.
        let mut total = 0usize;
        let started = std::time::Instant::now();
        while started.elapsed() < Duration::from_secs(60) {
            match rx.recv_timeout(Duration::from_millis(100)) {
                Ok(c) => {
                    assert_eq!(c.generation, 0);
                    total += c.samples.len();
                }
                // Ended is set after the last block is queued.
                Err(_) if t.ended() => break,
                Err(_) => {}
            }
        }
        while let Ok(c) = rx.try_recv() {
            total += c.samples.len();
        }
        let seconds = total as f64 / 2.0 / 48_000.0;
        assert!((seconds - 5.0).abs() < 0.05, "{seconds} s after 20 s");
        assert!(t.ended() && t.error().is_none());
        t.shut();
        feeder.join().unwrap();
    }

    /// The mono samples of `stream` from now on, `seconds` of them, and
    /// the first block's time.
    fn mono(stream: &mut AudioStream, seconds: f64) -> (f64, Vec<f32>) {
        let (mut out, mut first) = (Vec::new(), None);
        while let Some(b) = stream.next_block().unwrap() {
            first.get_or_insert(b.start_s);
            out.extend_from_slice(b.mono);
            if out.len() as f64 >= seconds * f64::from(b.rate) {
                break;
            }
        }
        (first.unwrap_or(0.0), out)
    }

    #[test]
    fn a_seek_lands_where_its_first_block_says_in_real_files() {
        for name in ["bach_bwv104.6_brass_144.mp3", "bach_bwv111.6_organ_100.ogg"] {
            let path = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/data/real")
                .join(name);
            let mut whole = AudioStream::open(&path).unwrap();
            let (_, all) = mono(&mut whole, 1e9);
            let rate = f64::from(whole.info().sample_rate);
            let mut s = AudioStream::open(&path).unwrap();
            let reached = s.seek_near(15.0).unwrap();
            assert!((14.0..=15.0 + 1e-3).contains(&reached), "{name}: {reached}");
            let (start, got) = mono(&mut s, 1.0);
            // Past the decoder's first frames after the jump, the samples
            // are the whole decode's at the time the first block states.
            let at = (start * rate).round() as usize;
            let (a, b) = (&got[4096..16384], &all[at + 4096..at + 16384]);
            let dot: f64 = a
                .iter()
                .zip(b)
                .map(|(x, y)| f64::from(*x) * f64::from(*y))
                .sum();
            let na: f64 = a.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>().sqrt();
            let nb: f64 = b.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>().sqrt();
            let r = dot / (na * nb);
            assert!(r > 0.99, "{name}: correlation {r} at {start} s");
        }
    }
}
