//! The track view: one analysed file drawn on one time axis — its
//! waveform with the beat grid, the tempo curve, the key segments and the
//! loudness curves — from the series the results library stores. The
//! series are read on a blocking thread (`results::store`); this module
//! holds what is shown and how it is zoomed.

pub mod lanes;
pub mod listen;
pub mod ruler;
pub mod spectro_lane;
pub mod time_view;
pub mod track_ui;

use std::path::PathBuf;

use crate::audio::series::{
    BeatGrid, KeyCurve, LoudnessCurve, Series, SeriesKind, TempoCurve, Waveform,
};
use crate::library::ResultSeries;
use time_view::TimeView;

/// What the library holds for one file's result, decoded.
#[derive(Debug, Clone, Default)]
pub struct TrackData {
    /// The file, as the library writes its path.
    pub path: PathBuf,
    /// The pipeline whose result this is.
    pub pipeline: String,
    /// The file's length as analysed, seconds.
    pub duration_s: f64,
    /// The file-level tempo, BPM, when measured.
    pub bpm: Option<f64>,
    /// The series, one per kind (the last node's, as results pick them).
    pub series: Vec<Series>,
    /// Stored series that did not decode (a newer or damaged library).
    pub unreadable: usize,
}

impl TrackData {
    /// Decodes a stored result's series.
    pub fn from_stored(path: PathBuf, bpm: Option<f64>, stored: ResultSeries) -> Self {
        let mut series: Vec<Series> = Vec::new();
        let mut unreadable = 0;
        for s in &stored.series {
            match Series::from_bytes(&s.data) {
                Ok(decoded) => {
                    // A later node's series of a kind replaces an earlier one.
                    series.retain(|old| old.kind() != decoded.kind());
                    series.push(decoded);
                }
                Err(_) => unreadable += 1,
            }
        }
        let from_series = series.iter().find_map(|s| match s {
            Series::Waveform(w) => Some(w.column_s * w.columns() as f64),
            _ => None,
        });
        Self {
            path,
            pipeline: stored.pipeline_name,
            duration_s: stored.duration_s.or(from_series).unwrap_or(0.0),
            bpm,
            series,
            unreadable,
        }
    }

    /// The series of `kind`, if stored.
    pub fn get(&self, kind: SeriesKind) -> Option<&Series> {
        self.series.iter().find(|s| s.kind() == kind)
    }

    /// The waveform overview, if stored.
    pub fn waveform(&self) -> Option<&Waveform> {
        match self.get(SeriesKind::Waveform)? {
            Series::Waveform(w) => Some(w),
            _ => None,
        }
    }

    /// The beat grid, if stored.
    pub fn beats(&self) -> Option<&BeatGrid> {
        match self.get(SeriesKind::Beats)? {
            Series::Beats(g) => Some(g),
            _ => None,
        }
    }

    /// The tempo curve, if stored.
    pub fn tempo(&self) -> Option<&TempoCurve> {
        match self.get(SeriesKind::Tempo)? {
            Series::Tempo(c) => Some(c),
            _ => None,
        }
    }

    /// The key curve, if stored.
    pub fn key(&self) -> Option<&KeyCurve> {
        match self.get(SeriesKind::Key)? {
            Series::Key(c) => Some(c),
            _ => None,
        }
    }

    /// The loudness curves, if stored.
    pub fn loudness(&self) -> Option<&LoudnessCurve> {
        match self.get(SeriesKind::Loudness)? {
            Series::Loudness(c) => Some(c),
            _ => None,
        }
    }

    /// The file name without its folder.
    pub fn file_name(&self) -> String {
        self.path.file_name().map_or_else(
            || self.path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        )
    }
}

/// The lanes, in the order they are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LaneKind {
    /// Waveform with the beat grid.
    Waveform,
    /// Log-frequency spectrogram, computed on demand.
    Spectrogram,
    /// Local tempo.
    Tempo,
    /// Key segments.
    Key,
    /// Momentary and short-term loudness.
    Loudness,
}

impl LaneKind {
    /// Every lane, top to bottom.
    pub const ALL: [LaneKind; 5] = [
        LaneKind::Waveform,
        LaneKind::Spectrogram,
        LaneKind::Tempo,
        LaneKind::Key,
        LaneKind::Loudness,
    ];

    /// The lane's label.
    pub fn label(self) -> &'static str {
        match self {
            LaneKind::Waveform => "Waveform · beats",
            LaneKind::Spectrogram => "Spectrogram, 30 Hz–16 kHz",
            LaneKind::Tempo => "Tempo, BPM",
            LaneKind::Key => "Key",
            LaneKind::Loudness => "Loudness, LUFS",
        }
    }
}

/// An open track and how it is shown.
#[derive(Debug, Clone)]
pub struct Track {
    /// Its data.
    pub data: TrackData,
    /// The visible stretch.
    pub view: TimeView,
    /// The time under the pointer, seconds.
    pub hover_s: Option<f64>,
    /// Where play starts (the last click), seconds.
    pub playhead_s: f64,
}

/// Which part the bottom-left area shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BottomTab {
    /// The run's live charts.
    #[default]
    Charts,
    /// The open track.
    Track,
}

/// The track view's state.
#[derive(Debug, Default)]
pub struct TrackState {
    /// The open track, once loaded.
    pub track: Option<Track>,
    /// The file being read from the library.
    pub loading: Option<PathBuf>,
    /// Why the last open failed.
    pub error: Option<String>,
    /// Lanes the user hid.
    pub hidden: Vec<LaneKind>,
    /// The tab shown.
    pub tab: BottomTab,
    /// The newest open request: older answers are dropped.
    pub request: u64,
    /// Playback.
    pub listen: listen::Listen,
    /// Spectrograms computed this session.
    pub spectra: spectro_lane::SpectraCache,
}

impl TrackState {
    /// Starts opening `path`; returns the request number.
    pub fn begin(&mut self, path: PathBuf) -> u64 {
        self.request += 1;
        self.loading = Some(path);
        self.error = None;
        self.tab = BottomTab::Track;
        self.request
    }

    /// Takes in the answer to request `n`.
    pub fn finish(&mut self, n: u64, answer: Result<Option<TrackData>, String>) {
        if n != self.request {
            return;
        }
        let path = self.loading.take().unwrap_or_default();
        match answer {
            Ok(Some(data)) => {
                let view = TimeView::fit(data.duration_s);
                self.listen.stop();
                self.track = Some(Track {
                    data,
                    view,
                    hover_s: None,
                    playhead_s: 0.0,
                });
            }
            Ok(None) => {
                self.error = Some(format!(
                    "{} has no stored result yet: analyse it with a results library open",
                    path.display()
                ));
            }
            Err(e) => self.error = Some(format!("Could not read {}: {e}", path.display())),
        }
    }

    /// Whether `lane` is shown.
    pub fn shows(&self, lane: LaneKind) -> bool {
        !self.hidden.contains(&lane)
    }

    /// Shows or hides `lane`.
    pub fn toggle(&mut self, lane: LaneKind) {
        if let Some(i) = self.hidden.iter().position(|&l| l == lane) {
            self.hidden.remove(i);
        } else {
            self.hidden.push(lane);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stale_answer_is_dropped_and_a_missing_result_says_why() {
        let mut s = TrackState::default();
        let first = s.begin("/music/a.flac".into());
        let second = s.begin("/music/b.flac".into());
        s.finish(first, Ok(Some(TrackData::default())));
        assert!(s.track.is_none());
        s.finish(second, Ok(None));
        assert!(s.error.as_deref().unwrap().contains("b.flac"));
        assert_eq!(s.tab, BottomTab::Track);
        s.toggle(LaneKind::Key);
        assert!(!s.shows(LaneKind::Key));
        s.toggle(LaneKind::Key);
        assert!(s.shows(LaneKind::Key));
    }
}
