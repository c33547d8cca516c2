//! The beat grid's bars. For now the meter is taken as 4/4 counted from the
//! first beat, with confidence 0 (issue 26: "4/4 when unsure, say so");
//! the accent-pattern meter and phase are the next step.

use super::{Beat, BeatGrid};
use crate::audio::chroma::Chroma;
use crate::audio::onset::OnsetEnvelope;

/// Beats per bar when the meter is not known.
pub const DEFAULT_METER: u8 = 4;

/// The beat grid of `beats` (seconds): meter, downbeats, bar numbers.
pub fn grid(beats: &[f64], env: &OnsetEnvelope, chroma: &Chroma) -> BeatGrid {
    let _ = (env, chroma);
    let meter = DEFAULT_METER;
    let beats = beats
        .iter()
        .enumerate()
        .map(|(i, &time_s)| Beat {
            time_s,
            bar: (i / usize::from(meter)) as u32 + 1,
            position: (i % usize::from(meter)) as u8 + 1,
        })
        .collect();
    BeatGrid {
        beats,
        meter,
        meter_confidence: 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_count_from_the_first_beat_and_say_they_are_unsure() {
        let env = OnsetEnvelope {
            values: Vec::new(),
            low: Vec::new(),
            frame_rate: 86.0,
            offset_s: 0.0,
        };
        let chroma = Chroma {
            frames: Vec::new(),
            frame_rate: 5.0,
            tuning_semitones: 0.0,
        };
        let beats: Vec<f64> = (0..9).map(|i| 0.5 * f64::from(i)).collect();
        let g = grid(&beats, &env, &chroma);
        assert_eq!(g.meter, 4);
        assert_eq!(g.meter_confidence, 0.0);
        assert_eq!(g.downbeats().count(), 3);
        assert_eq!((g.beats[4].bar, g.beats[4].position), (2, 1));
        assert!(grid(&[], &env, &chroma).beats.is_empty());
    }
}
