//! The beat grid's bars: the meter and the downbeats' phase from the
//! accent pattern. Three cues mark the first beat of a bar in the music
//! our users play: the harmony changes there (chords and bass move on the
//! bar line), the kick or bass note lands there, and the backbeat (snare,
//! clap) lands between, on two and four. Each meter (3 or 4 beats) and
//! phase is scored by how much its downbeats stand out on those cues; the
//! best wins, 4/4 when nothing stands out, with a confidence that says so.

use super::{Beat, BeatGrid};
use crate::audio::beats::strength_at;
use crate::audio::chroma::Chroma;
use crate::audio::onset::OnsetEnvelope;

/// Beats per bar when the meter is not known.
pub const DEFAULT_METER: u8 = 4;

/// Meters tried, beats per bar.
const METERS: [usize; 2] = [4, 3];

/// Weight of the harmonic change at a beat (chroma before vs after).
const W_HARMONY: f64 = 1.0;
/// Weight of the low band's onset (kick, bass note) at a beat.
const W_BASS: f64 = 0.5;
/// Weight of the backbeat: high-band onsets on two and four of 4/4 count
/// against a downbeat on them.
const W_BACKBEAT: f64 = 0.3;

/// 3/4 must beat 4/4's contrast by this factor: 4/4 when unsure.
const THREE_OVER_FOUR: f64 = 1.3;

/// A contrast (relative accent of the downbeats) that earns full
/// confidence in the phase.
const FULL_CONTRAST: f64 = 0.5;

/// Bars needed before the pattern is trusted at all.
const MIN_BARS: usize = 4;

/// Beats of harmony compared on each side of a beat.
const HARMONY_SPAN_BEATS: f64 = 2.0;

/// The beat grid of `beats` (seconds): meter, downbeats, bar numbers.
pub fn grid(beats: &[f64], env: &OnsetEnvelope, chroma: &Chroma) -> BeatGrid {
    let accents = Accents::measure(beats, env, chroma);
    let choice = choose(&accents);
    let meter = choice.meter;
    let beats = beats
        .iter()
        .enumerate()
        .map(|(i, &time_s)| {
            // Beats before the first downbeat belong to a pickup bar 0.
            let from = i + meter - choice.phase;
            Beat {
                time_s,
                bar: (from / meter) as u32,
                position: (from % meter) as u8 + 1,
            }
        })
        .collect();
    BeatGrid {
        beats,
        meter: meter as u8,
        meter_confidence: choice.confidence,
    }
}

/// Per-beat cues, each scaled to mean 1 over the file (0 where silent).
#[derive(Debug, Default)]
struct Accents {
    harmony: Vec<f64>,
    bass: Vec<f64>,
    high: Vec<f64>,
}

impl Accents {
    fn measure(beats: &[f64], env: &OnsetEnvelope, chroma: &Chroma) -> Accents {
        let frame = |t: f64| (t - env.offset_s) * env.frame_rate;
        let bass: Vec<f64> = beats
            .iter()
            .map(|&t| strength_at(&env.low, frame(t)))
            .collect();
        let high = beats
            .iter()
            .zip(&bass)
            .map(|(&t, &b)| (strength_at(&env.values, frame(t)) - b).max(0.0))
            .collect();
        let period = median_period(beats);
        let harmony = beats
            .iter()
            .map(|&t| harmonic_change(chroma, t, HARMONY_SPAN_BEATS * period))
            .collect();
        Accents {
            harmony: unit_mean(harmony),
            bass: unit_mean(bass),
            high: unit_mean(high),
        }
    }

    /// Mean of `cue` over the beats at `phase` of every `meter`, minus 1
    /// (the mean over all beats).
    fn lift(cue: &[f64], meter: usize, phase: usize) -> f64 {
        let at: Vec<f64> = cue.iter().skip(phase).step_by(meter).copied().collect();
        if at.is_empty() || cue.iter().all(|&v| v == 0.0) {
            return 0.0;
        }
        at.iter().sum::<f64>() / at.len() as f64 - 1.0
    }

    /// How much beat `phase` of every `meter` stands out as a downbeat.
    fn contrast(&self, meter: usize, phase: usize) -> f64 {
        let mut c = W_HARMONY * Self::lift(&self.harmony, meter, phase)
            + W_BASS * Self::lift(&self.bass, meter, phase);
        if meter == 4 {
            let back = |p: usize| Self::lift(&self.high, 4, (phase + p) % 4);
            c += W_BACKBEAT * 0.5 * (back(1) + back(3) - back(0) - back(2));
        }
        c
    }
}

/// The meter, the index of the first downbeat and the confidence.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Choice {
    meter: usize,
    phase: usize,
    confidence: f64,
}

fn choose(a: &Accents) -> Choice {
    let unsure = Choice {
        meter: usize::from(DEFAULT_METER),
        phase: 0,
        confidence: 0.0,
    };
    let n = a.harmony.len();
    // (meter, phase, contrast, runner-up contrast within the meter)
    let mut best: Vec<(usize, usize, f64, f64)> = Vec::new();
    for meter in METERS {
        if n < MIN_BARS * meter {
            continue;
        }
        let mut scores: Vec<(usize, f64)> = (0..meter).map(|p| (p, a.contrast(meter, p))).collect();
        scores.sort_by(|x, y| y.1.total_cmp(&x.1));
        best.push((meter, scores[0].0, scores[0].1, scores[1].1));
    }
    let four = best.iter().find(|b| b.0 == 4).copied();
    let three = best.iter().find(|b| b.0 == 3).copied();
    let pick = match (four, three) {
        (Some(f), Some(t)) if t.2 > 0.0 && t.2 > THREE_OVER_FOUR * f.2.max(0.0) => t,
        (Some(f), _) => f,
        (None, Some(t)) => t,
        (None, None) => return unsure,
    };
    let (meter, phase, top, runner) = pick;
    if top <= 0.0 {
        return unsure;
    }
    // Sure of the phase when the downbeat stands out and beats the next
    // phase; sure of the meter when the other meter's pattern is weaker.
    let other = best
        .iter()
        .filter(|b| b.0 != meter)
        .map(|b| b.2)
        .fold(0.0f64, f64::max);
    let phase_sure = ((top - runner.max(0.0)) / FULL_CONTRAST).clamp(0.0, 1.0);
    let meter_sure = (1.0 - other / top).clamp(0.0, 1.0);
    Choice {
        meter,
        phase,
        confidence: phase_sure.min(0.5 + 0.5 * meter_sure),
    }
}

/// `xs` scaled to mean 1 (all 0 when its mean is 0).
fn unit_mean(xs: Vec<f64>) -> Vec<f64> {
    let mean = xs.iter().sum::<f64>() / xs.len().max(1) as f64;
    if mean <= 0.0 {
        return vec![0.0; xs.len()];
    }
    xs.into_iter().map(|x| x / mean).collect()
}

/// The median step between `beats` (0.5 s with fewer than two).
pub fn median_period(beats: &[f64]) -> f64 {
    let mut d: Vec<f64> = beats.windows(2).map(|w| w[1] - w[0]).collect();
    if d.is_empty() {
        return 0.5;
    }
    d.sort_by(f64::total_cmp);
    d[d.len() / 2]
}

/// How much the pitch classes change at `t`: 1 minus the cosine between
/// the mean chroma over `span` seconds before and after (frames that
/// straddle `t` by more than a quarter window left out).
fn harmonic_change(chroma: &Chroma, t: f64, span: f64) -> f64 {
    let fr = chroma.frame_rate;
    if fr <= 0.0 || chroma.frames.is_empty() {
        return 0.0;
    }
    // Frame k's window is two hops long and centred on (k + 1) hops.
    let centre = |k: usize| (k + 1) as f64 / fr;
    let guard = 0.5 / fr;
    let mut before = [0.0f64; 12];
    let mut after = [0.0f64; 12];
    let first = ((t - span) * fr - 1.0).floor().max(0.0) as usize;
    for (k, frame) in chroma.frames.iter().enumerate().skip(first) {
        let c = centre(k);
        if c > t + span {
            break;
        }
        let side = if c >= t - span && c <= t - guard {
            &mut before
        } else if c >= t + guard {
            &mut after
        } else {
            continue;
        };
        for (s, &v) in side.iter_mut().zip(frame) {
            *s += f64::from(v);
        }
    }
    let dot: f64 = before.iter().zip(&after).map(|(a, b)| a * b).sum();
    let norm = |v: &[f64; 12]| v.iter().map(|x| x * x).sum::<f64>().sqrt();
    let (na, nb) = (norm(&before), norm(&after));
    if na <= 0.0 || nb <= 0.0 {
        return 0.0;
    }
    1.0 - dot / (na * nb)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FR: f64 = 86.0;
    const CHROMA_FR: f64 = 5.4;

    /// Beats every `period` s for `n` beats, an onset envelope with a low
    /// hit of `low(i)` and a high hit of `high(i)` at beat i, and chroma
    /// that holds `chord(i)` (a pitch-class set) from beat i to the next.
    fn scene(
        n: usize,
        period: f64,
        low: impl Fn(usize) -> f32,
        high: impl Fn(usize) -> f32,
        chord: impl Fn(usize) -> [usize; 3],
    ) -> (Vec<f64>, OnsetEnvelope, Chroma) {
        let beats: Vec<f64> = (0..n).map(|i| 1.0 + period * i as f64).collect();
        let frames = ((beats[n - 1] + 2.0) * FR) as usize;
        let (mut values, mut lows) = (vec![0.0f32; frames], vec![0.0f32; frames]);
        for (i, &t) in beats.iter().enumerate() {
            let f = (t * FR).round() as usize;
            lows[f] = low(i);
            values[f] = low(i) + high(i);
        }
        let env = OnsetEnvelope {
            values,
            low: lows,
            frame_rate: FR,
            offset_s: 0.0,
        };
        let chroma_frames = ((beats[n - 1] + 2.0) * CHROMA_FR) as usize;
        let frames = (0..chroma_frames)
            .map(|k| {
                let t = (k + 1) as f64 / CHROMA_FR;
                let i = (((t - 1.0) / period).floor().max(0.0) as usize).min(n - 1);
                let mut v = [0.05f32; 12];
                for p in chord(i) {
                    v[p] = 1.0;
                }
                v
            })
            .collect();
        let chroma = Chroma {
            frames,
            frame_rate: CHROMA_FR,
            tuning_semitones: 0.0,
        };
        (beats, env, chroma)
    }

    const CHORDS: [[usize; 3]; 4] = [[0, 4, 7], [9, 0, 4], [5, 9, 0], [7, 11, 2]];

    #[test]
    fn a_pickup_beat_puts_bar_one_on_the_chord_change() {
        // 4/4 at 120 BPM, one pickup beat: chords change on beats 1, 5, 9...
        let (beats, env, chroma) = scene(33, 0.5, |_| 1.0, |_| 0.2, |i| CHORDS[i.div_ceil(4) % 4]);
        let g = grid(&beats, &env, &chroma);
        assert_eq!(g.meter, 4);
        assert_eq!((g.beats[0].bar, g.beats[0].position), (0, 4));
        assert_eq!((g.beats[1].bar, g.beats[1].position), (1, 1));
        assert_eq!((g.beats[5].bar, g.beats[5].position), (2, 1));
        assert!(g.meter_confidence > 0.5, "{}", g.meter_confidence);
    }

    #[test]
    fn a_waltz_reads_three_beats_a_bar() {
        // Bass on one, chords on two and three, a new chord every bar.
        let (beats, env, chroma) = scene(
            36,
            0.6,
            |i| if i % 3 == 0 { 1.0 } else { 0.3 },
            |i| if i % 3 == 0 { 0.1 } else { 0.5 },
            |i| CHORDS[(i / 3) % 4],
        );
        let g = grid(&beats, &env, &chroma);
        assert_eq!(g.meter, 3);
        assert_eq!(g.downbeats().count(), 12);
        assert_eq!((g.beats[3].bar, g.beats[3].position), (2, 1));
        assert!(g.meter_confidence > 0.5, "{}", g.meter_confidence);
    }

    #[test]
    fn the_backbeat_tells_one_from_two_when_the_kick_is_on_every_beat() {
        // Four on the floor, claps on two and four, one chord throughout.
        let (beats, env, chroma) = scene(
            32,
            0.5,
            |_| 1.0,
            |i| if i % 2 == 1 { 1.0 } else { 0.1 },
            |_| CHORDS[0],
        );
        let g = grid(&beats, &env, &chroma);
        assert_eq!(g.meter, 4);
        assert_eq!(g.beats[0].position % 2, 1, "{:?}", g.beats[0]);
    }

    #[test]
    fn no_accents_read_four_four_from_the_first_beat_and_say_so() {
        let (beats, env, chroma) = scene(9, 0.5, |_| 1.0, |_| 1.0, |_| CHORDS[0]);
        let g = grid(&beats, &env, &chroma);
        assert_eq!(g.meter, 4);
        assert_eq!(g.meter_confidence, 0.0);
        assert_eq!(g.downbeats().count(), 3);
        assert_eq!((g.beats[4].bar, g.beats[4].position), (2, 1));
        assert!(grid(&[], &env, &chroma).beats.is_empty());
    }
}
