//! Analysis over time: what a file does from second to second, beside the
//! one number per file. The decode pass makes the [`Waveform`] overview
//! and the [`LoudnessCurve`]; the refinement stage's beat tracker gives
//! the [`BeatGrid`] (beats, downbeats, bar numbers) and the
//! [`TempoCurve`]; the key stage gives the [`KeyCurve`].
//!
//! Each series has a compact byte form ([`Series::to_bytes`]) for the
//! results library: values quantised to 16 bits where that loses nothing
//! a reader can see (a hundredth of a LU, 1/32767 of full scale).

mod bytes;
pub mod downbeats;
pub mod key_curve;
pub mod loudness_curve;
pub mod tempo_curve;
pub mod waveform;

pub use bytes::SeriesBytesError;
pub use loudness_curve::LoudnessCurve;
pub use waveform::Waveform;

/// The kinds of series, by the names the library and the exports use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SeriesKind {
    /// Beats with their bar positions (downbeats are position 1).
    Beats,
    /// Local tempo per window.
    Tempo,
    /// Best key per window, merged into segments.
    Key,
    /// Momentary and short-term loudness, true peak per second.
    Loudness,
    /// Min, max and RMS per block.
    Waveform,
}

impl SeriesKind {
    /// Every kind, in the order exports list them.
    pub const ALL: [SeriesKind; 5] = [
        SeriesKind::Beats,
        SeriesKind::Tempo,
        SeriesKind::Key,
        SeriesKind::Loudness,
        SeriesKind::Waveform,
    ];

    /// The stored name.
    pub fn name(self) -> &'static str {
        match self {
            SeriesKind::Beats => "beats",
            SeriesKind::Tempo => "tempo",
            SeriesKind::Key => "key",
            SeriesKind::Loudness => "loudness",
            SeriesKind::Waveform => "waveform",
        }
    }

    /// The kind of a stored name.
    pub fn from_name(name: &str) -> Option<SeriesKind> {
        SeriesKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// One beat of the grid.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Beat {
    /// Seconds from the start of the file.
    pub time_s: f64,
    /// Bar number: 1 for the bar of the first downbeat; 0 for the beats
    /// before it (a pickup).
    pub bar: u32,
    /// Position in the bar, 1 = the downbeat.
    pub position: u8,
}

/// Beats and downbeats, with the meter they were counted in.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BeatGrid {
    /// The beats in time order.
    pub beats: Vec<Beat>,
    /// Beats per bar (4 when unsure).
    pub meter: u8,
    /// Confidence in the meter and the downbeats' phase, 0..=1.
    pub meter_confidence: f64,
}

impl BeatGrid {
    /// The downbeats' times, seconds.
    pub fn downbeats(&self) -> impl Iterator<Item = &Beat> {
        self.beats.iter().filter(|b| b.position == 1)
    }
}

/// Local tempo over time.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TempoCurve {
    /// Length of each analysis window, seconds.
    pub window_s: f64,
    /// Step between windows, seconds.
    pub hop_s: f64,
    /// Time of the first window's centre, seconds.
    pub start_s: f64,
    /// Local tempo per window, BPM (at the file tempo's metrical level);
    /// NaN where a window has no rhythm to measure.
    pub bpm: Vec<f32>,
    /// Strength of each window's periodicity, 0..=1.
    pub strength: Vec<f32>,
    /// The tempo moves (a live drummer, a ramp), not one steady value.
    pub variable: bool,
}

impl TempoCurve {
    /// The centre time of window `i`, seconds.
    pub fn time_of(&self, i: usize) -> f64 {
        self.start_s + i as f64 * self.hop_s
    }
}

/// One key window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KeyWindow {
    /// Centre of the window, seconds.
    pub time_s: f64,
    /// The best key: tonic pitch class (0 = C) times 2, plus 1 for minor.
    pub key: u8,
    /// How clearly the window is in that key, 0..=1.
    pub strength: f32,
}

/// A stretch of the file in one key.
#[derive(Debug, Clone, PartialEq)]
pub struct KeySegment {
    /// Start, seconds.
    pub start_s: f64,
    /// End, seconds.
    pub end_s: f64,
    /// The key as [`KeyWindow::key`] codes it.
    pub key: u8,
    /// Mean strength of its windows, 0..=1.
    pub strength: f32,
}

/// Key over time.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct KeyCurve {
    /// Length of each window, seconds.
    pub window_s: f64,
    /// Step between windows, seconds.
    pub hop_s: f64,
    /// The best key of each window.
    pub windows: Vec<KeyWindow>,
    /// Windows merged into segments, in time order, covering the file.
    pub segments: Vec<KeySegment>,
}

/// A key code of [`KeyWindow::key`] as the profile module's key.
pub fn key_of_code(code: u8) -> super::key_profile::Key {
    use super::key_profile::{Key, Mode};
    Key {
        tonic: usize::from(code / 2) % 12,
        mode: if code % 2 == 1 {
            Mode::Minor
        } else {
            Mode::Major
        },
    }
}

/// The code of a key, the inverse of [`key_of_code`].
pub fn code_of_key(key: super::key_profile::Key) -> u8 {
    let minor = u8::from(key.mode == super::key_profile::Mode::Minor);
    (key.tonic % 12) as u8 * 2 + minor
}

/// Any one series.
#[derive(Debug, Clone, PartialEq)]
pub enum Series {
    /// Beats and downbeats.
    Beats(BeatGrid),
    /// Local tempo.
    Tempo(TempoCurve),
    /// Key windows and segments.
    Key(KeyCurve),
    /// Loudness curves.
    Loudness(LoudnessCurve),
    /// Waveform overview.
    Waveform(Waveform),
}

impl Series {
    /// Its kind.
    pub fn kind(&self) -> SeriesKind {
        match self {
            Series::Beats(_) => SeriesKind::Beats,
            Series::Tempo(_) => SeriesKind::Tempo,
            Series::Key(_) => SeriesKind::Key,
            Series::Loudness(_) => SeriesKind::Loudness,
            Series::Waveform(_) => SeriesKind::Waveform,
        }
    }
}
