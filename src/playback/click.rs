//! The metronome click mixed over playback to check a beat grid by ear:
//! a short decaying tone on every beat, higher and louder on downbeats.
//! Pure sample arithmetic, tested without an audio device.

use std::f64::consts::TAU;

/// Length of one click, seconds.
pub const CLICK_S: f64 = 0.03;
/// Pitch and level of a downbeat's click and of the other beats'.
const DOWN: (f64, f32) = (1760.0, 0.5);
const BEAT: (f64, f32) = (1320.0, 0.3);

/// One beat to click on: its time and whether it starts a bar.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tick {
    /// Seconds from the start of the file.
    pub time_s: f64,
    /// A downbeat (accented).
    pub downbeat: bool,
}

/// Adds the clicks of `ticks` (sorted by time) sounding in the buffer
/// `out` (interleaved, `channels` per frame, `rate` Hz) that starts at
/// `start_s`.
pub fn mix(out: &mut [f32], channels: usize, rate: u32, start_s: f64, ticks: &[Tick]) {
    let channels = channels.max(1);
    let frames = out.len() / channels;
    let rate_f = f64::from(rate.max(1));
    let end_s = start_s + frames as f64 / rate_f;
    // Clicks that began up to one click length before the buffer still ring.
    let first = ticks.partition_point(|t| t.time_s < start_s - CLICK_S);
    for tick in ticks[first..].iter().take_while(|t| t.time_s < end_s) {
        let (freq, level) = if tick.downbeat { DOWN } else { BEAT };
        let len = (CLICK_S * rate_f) as i64;
        let at = ((tick.time_s - start_s) * rate_f).round() as i64;
        for k in at.max(0)..(at + len).min(frames as i64) {
            let since = (k - at) as f64 / rate_f;
            let decay = (1.0 - since / CLICK_S) as f32;
            let s = level * decay * (TAU * freq * since).sin() as f32;
            let frame = k as usize * channels;
            for c in &mut out[frame..frame + channels] {
                *c += s;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn energy(x: &[f32]) -> f32 {
        x.iter().map(|v| v * v).sum()
    }

    #[test]
    fn clicks_land_on_their_beats_and_the_downbeat_is_louder() {
        let rate = 48_000;
        let ticks = [
            Tick {
                time_s: 1.0,
                downbeat: true,
            },
            Tick {
                time_s: 1.5,
                downbeat: false,
            },
        ];
        // A buffer from 0.9 s to 1.9 s, stereo.
        let mut out = vec![0.0f32; 2 * rate as usize];
        mix(&mut out, 2, rate, 0.9, &ticks);
        let frame = |t: f64| ((t - 0.9) * f64::from(rate)) as usize * 2;
        assert_eq!(
            energy(&out[..frame(0.999)]),
            0.0,
            "silent before the first beat"
        );
        let down = energy(&out[frame(1.0)..frame(1.0 + CLICK_S)]);
        let beat = energy(&out[frame(1.5)..frame(1.5 + CLICK_S)]);
        assert!(down > 1.5 * beat && beat > 0.0, "{down} {beat}");
        assert_eq!(
            energy(&out[frame(1.0 + CLICK_S + 0.001)..frame(1.499)]),
            0.0
        );
        // Both channels alike.
        assert_eq!(out[frame(1.001)], out[frame(1.001) + 1]);
    }

    #[test]
    fn a_click_begun_before_the_buffer_rings_into_it() {
        let rate = 44_100;
        let ticks = [Tick {
            time_s: 1.0,
            downbeat: false,
        }];
        let mut out = vec![0.0f32; 4410];
        mix(&mut out, 1, rate, 1.01, &ticks);
        assert!(energy(&out[..400]) > 0.0);
        assert_eq!(energy(&out[1000..]), 0.0);
    }
}
