//! Listening in the track view: the audio device found at launch (on a
//! thread: opening ALSA may take a moment), the player of the open track,
//! and the beat click. Without a device (a server, CI, Xvfb) or without
//! the `playback` feature the play button is disabled with the reason.

use std::path::PathBuf;
use std::sync::mpsc;

use crate::playback::OutFormat;
use crate::playback::click::Tick;

/// What is known of the audio output.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// Still looking.
    Probing,
    /// A device to play on: its name and format.
    Ready(String, OutFormat),
    /// None, and why.
    Unavailable(String),
}

/// The track view's playback state.
#[derive(Debug)]
pub struct Listen {
    /// The audio output.
    pub output: Output,
    probe: Option<mpsc::Receiver<Result<(String, OutFormat), String>>>,
    /// The open track's player, once played.
    #[cfg(feature = "playback")]
    pub player: Option<crate::playback::device::Player>,
    /// Click on every beat while playing.
    pub click: bool,
}

impl Default for Listen {
    fn default() -> Self {
        Self {
            output: Output::Unavailable(
                "no audio output in this session (the app was started without one)".into(),
            ),
            probe: None,
            #[cfg(feature = "playback")]
            player: None,
            click: false,
        }
    }
}

impl Listen {
    /// Starts looking for the default audio output (a real launch does;
    /// tests never open a device).
    pub fn probe(&mut self) {
        #[cfg(feature = "playback")]
        {
            let (tx, rx) = mpsc::channel();
            std::thread::spawn(move || {
                let _ = tx.send(crate::playback::device::probe());
            });
            self.probe = Some(rx);
            self.output = Output::Probing;
        }
        #[cfg(not(feature = "playback"))]
        {
            self.output =
                Output::Unavailable("this build has no playback (the `playback` feature)".into());
        }
    }

    /// Takes in the probe's answer when it came.
    pub fn poll(&mut self) {
        let Some(rx) = &self.probe else { return };
        if let Ok(answer) = rx.try_recv() {
            self.output = match answer {
                Ok((name, format)) => Output::Ready(name, format),
                Err(why) => Output::Unavailable(why),
            };
            self.probe = None;
        }
    }

    /// Why play is disabled, or `None` when it can play.
    pub fn disabled_because(&self) -> Option<String> {
        match &self.output {
            Output::Ready(..) => None,
            Output::Probing => Some("Looking for an audio output…".into()),
            Output::Unavailable(why) => Some(format!("Cannot play: {why}")),
        }
    }

    /// The play position, seconds, while a player exists.
    pub fn position_s(&self) -> Option<f64> {
        #[cfg(feature = "playback")]
        if let Some(p) = &self.player {
            return Some(p.transport.position_s());
        }
        None
    }

    /// Whether the open track is playing.
    pub fn is_playing(&self) -> bool {
        #[cfg(feature = "playback")]
        if let Some(p) = &self.player {
            return p.transport.is_playing();
        }
        false
    }

    /// Why the player stopped, if it failed.
    pub fn error(&self) -> Option<String> {
        #[cfg(feature = "playback")]
        if let Some(p) = &self.player {
            return p.transport.error();
        }
        None
    }

    /// Plays or pauses `path` from `at_s` (a new player when the file
    /// changed or none is open).
    pub fn toggle(&mut self, path: &PathBuf, at_s: f64, ticks: &[Tick]) {
        #[cfg(feature = "playback")]
        {
            let Output::Ready(_, format) = &self.output else {
                return;
            };
            let fresh = self
                .player
                .as_ref()
                .is_none_or(|p| &p.path != path || p.transport.error().is_some());
            if fresh {
                let player = crate::playback::device::Player::start(
                    path.clone(),
                    at_s,
                    ticks.to_vec(),
                    *format,
                );
                self.player = Some(player);
            }
            if let Some(p) = &self.player {
                let t = &p.transport;
                if t.ended() && !t.is_playing() {
                    // Played to the end: Play starts over.
                    t.seek(0.0);
                }
                t.set_click(self.click);
                t.set_playing(!t.is_playing() || fresh);
            }
        }
        #[cfg(not(feature = "playback"))]
        let _ = (path, at_s, ticks);
    }

    /// Moves the play position (a player keeps playing or stays paused).
    pub fn seek(&mut self, at_s: f64) {
        #[cfg(feature = "playback")]
        if let Some(p) = &self.player {
            p.transport.seek(at_s);
        }
        #[cfg(not(feature = "playback"))]
        let _ = at_s;
    }

    /// Applies the click switch to a playing track.
    pub fn set_click(&mut self, on: bool) {
        self.click = on;
        #[cfg(feature = "playback")]
        if let Some(p) = &self.player {
            p.transport.set_click(on);
        }
    }

    /// Stops and forgets the player (the track closed or changed).
    pub fn stop(&mut self) {
        #[cfg(feature = "playback")]
        {
            self.player = None;
        }
    }
}

/// The beats of a grid as clicks.
pub fn ticks(grid: Option<&crate::audio::series::BeatGrid>) -> Vec<Tick> {
    grid.map(|g| {
        g.beats
            .iter()
            .map(|b| Tick {
                time_s: b.time_s,
                downbeat: b.position == 1,
            })
            .collect()
    })
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_device_play_is_disabled_with_the_reason() {
        let mut l = Listen::default();
        assert!(l.disabled_because().unwrap().contains("no audio output"));
        l.output = Output::Unavailable("no audio output device on this machine".into());
        l.toggle(&PathBuf::from("/music/a.flac"), 0.0, &[]);
        assert!(!l.is_playing() && l.position_s().is_none());
        l.output = Output::Ready(
            "test".into(),
            OutFormat {
                rate: 48_000,
                channels: 2,
            },
        );
        assert!(l.disabled_because().is_none());
    }
}
