//! Key over time: the best key per 12 s window of chroma (hop 3 s), and
//! the windows merged into segments by a Viterbi path that pays for every
//! change of key, so a modulation reads as two segments and a passing
//! chord or a window that leans to the relative key does not split one.

use super::{KeyCurve, KeySegment, KeyWindow};
use crate::audio::KeyProfile;
use crate::audio::chroma::Chroma;
use crate::audio::key::{ENSEMBLE, rank_keys};

/// Window length, seconds: long enough to hear a key (a few chords).
pub const WINDOW_S: f64 = 12.0;
/// Step between windows, seconds.
pub const HOP_S: f64 = 3.0;

/// Correlation a change of key costs on the path: a new key must beat the
/// old one by this much summed over its windows (about two windows of a
/// real modulation, far more than a window leaning to a relative key).
const SWITCH_COST: f64 = 0.35;

/// A lead in correlation over the runner-up that counts as decisive
/// (as in [`crate::audio::key`]).
const FULL_MARGIN: f64 = 0.15;

/// Key per window and its segments; `None` lets the [`ENSEMBLE`] families
/// vote (their correlations averaged).
pub fn curve(chroma: &Chroma, family: Option<KeyProfile>) -> KeyCurve {
    let fr = chroma.frame_rate;
    let n = chroma.frames.len();
    if n == 0 || fr <= 0.0 {
        return KeyCurve::default();
    }
    let spans = windows(n, fr);
    let scores: Vec<Option<[f64; 24]>> = spans
        .iter()
        .map(|&(a, b)| window_scores(&chroma.frames[a..b], family))
        .collect();
    let path = viterbi(&scores);
    let centre = |(a, b): (usize, usize)| 0.5 * (a + b) as f64 / fr + 0.5 / fr;
    let windows = spans
        .iter()
        .zip(&scores)
        .zip(&path)
        .map(|((&span, s), &on_path)| {
            let (key, strength) = s.as_ref().map_or((on_path, 0.0), best_with_strength);
            KeyWindow {
                time_s: centre(span),
                key,
                strength: strength as f32,
            }
        })
        .collect();
    let centres: Vec<f64> = spans.iter().map(|&s| centre(s)).collect();
    KeyCurve {
        window_s: WINDOW_S.min(n as f64 / fr),
        hop_s: HOP_S,
        windows,
        segments: segments(&path, &scores, &centres, n as f64 / fr),
    }
}

/// Frame ranges of the windows: every hop, the last one ending at the
/// file's end; one window for a file shorter than a window.
fn windows(n: usize, fr: f64) -> Vec<(usize, usize)> {
    let w = ((WINDOW_S * fr).round() as usize).max(1);
    let h = ((HOP_S * fr).round() as usize).max(1);
    if n <= w {
        return vec![(0, n)];
    }
    let mut out: Vec<(usize, usize)> = (0..=(n - w) / h).map(|k| (k * h, k * h + w)).collect();
    if out.last().is_some_and(|&(_, end)| end < n) {
        out.push((n - w, n));
    }
    out
}

/// The 24 keys' correlations with the window's summed chroma (index:
/// the [`KeyWindow::key`] code); `None` for a window with no pitch.
fn window_scores(frames: &[[f32; 12]], family: Option<KeyProfile>) -> Option<[f64; 24]> {
    let mut profile = [0.0f64; 12];
    for f in frames {
        for (p, &v) in profile.iter_mut().zip(f) {
            *p += f64::from(v);
        }
    }
    if profile.iter().all(|&v| v <= 0.0) {
        return None;
    }
    let families: &[KeyProfile] = match &family {
        Some(f) => std::slice::from_ref(f),
        None => &ENSEMBLE,
    };
    let mut scores = [0.0f64; 24];
    for &f in families {
        for (key, r) in rank_keys(&profile, f) {
            scores[usize::from(super::code_of_key(key))] += r / families.len() as f64;
        }
    }
    Some(scores)
}

/// The best key of a window and how clearly it wins: its fit scaled by
/// its lead over the runner-up, 0..=1.
fn best_with_strength(scores: &[f64; 24]) -> (u8, f64) {
    let mut order: Vec<usize> = (0..24).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let (best, second) = (scores[order[0]], scores[order[1]]);
    let margin = ((best - second) / FULL_MARGIN).clamp(0.0, 1.0);
    (
        order[0] as u8,
        (best.clamp(0.0, 1.0) * (0.4 + 0.6 * margin)).clamp(0.0, 1.0),
    )
}

/// The key path that maximises the summed correlation less
/// [`SWITCH_COST`] per change; windows with no pitch score every key alike.
fn viterbi(scores: &[Option<[f64; 24]>]) -> Vec<u8> {
    let emit = |s: &Option<[f64; 24]>, k: usize| s.as_ref().map_or(0.0, |s| s[k]);
    let mut total: [f64; 24] = std::array::from_fn(|k| emit(&scores[0], k));
    let mut back: Vec<[u8; 24]> = Vec::with_capacity(scores.len());
    for s in &scores[1..] {
        let (lead, lead_total) = argmax(&total);
        let mut from = [0u8; 24];
        let mut next = [0.0f64; 24];
        for k in 0..24 {
            let switch = lead_total - SWITCH_COST;
            (next[k], from[k]) = if total[k] >= switch {
                (total[k], k as u8)
            } else {
                (switch, lead as u8)
            };
            next[k] += emit(s, k);
        }
        back.push(from);
        total = next;
    }
    let mut k = argmax(&total).0 as u8;
    let mut path = vec![k; scores.len()];
    for (i, from) in back.iter().enumerate().rev() {
        k = from[usize::from(k)];
        path[i] = k;
    }
    path
}

fn argmax(xs: &[f64; 24]) -> (usize, f64) {
    xs.iter().copied().enumerate().fold(
        (0, f64::NEG_INFINITY),
        |m, (i, x)| if x > m.1 { (i, x) } else { m },
    )
}

/// Runs of one key on the path, split halfway between the window centres
/// either side of a change; the first starts at 0, the last ends at `end_s`.
fn segments(
    path: &[u8],
    scores: &[Option<[f64; 24]>],
    centres: &[f64],
    end_s: f64,
) -> Vec<KeySegment> {
    let mut out: Vec<KeySegment> = Vec::new();
    let mut start = 0usize;
    for i in 1..=path.len() {
        if i < path.len() && path[i] == path[start] {
            continue;
        }
        let key = path[start];
        let pitched: Vec<f64> = scores[start..i]
            .iter()
            .flatten()
            .map(|s| s[usize::from(key)].clamp(0.0, 1.0))
            .collect();
        out.push(KeySegment {
            start_s: if start == 0 {
                0.0
            } else {
                0.5 * (centres[start - 1] + centres[start])
            },
            end_s: if i == path.len() {
                end_s
            } else {
                0.5 * (centres[i - 1] + centres[i])
            },
            key,
            strength: (pitched.iter().sum::<f64>() / pitched.len().max(1) as f64) as f32,
        });
        start = i;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::series::key_of_code;

    const FR: f64 = 5.4;

    /// Chroma of the tonic, subdominant and dominant triads of a major key,
    /// one chord a second.
    fn cadences(tonic: usize, seconds: f64) -> Vec<[f32; 12]> {
        let chords = [[0, 4, 7], [5, 9, 0], [7, 11, 2], [0, 4, 7]];
        (0..(seconds * FR) as usize)
            .map(|k| {
                let chord = chords[(k as f64 / FR) as usize % chords.len()];
                let mut v = [0.05f32; 12];
                for p in chord {
                    v[(p + tonic) % 12] = 1.0;
                }
                v
            })
            .collect()
    }

    fn chroma(frames: Vec<[f32; 12]>) -> Chroma {
        Chroma {
            frames,
            frame_rate: FR,
            tuning_semitones: 0.0,
        }
    }

    #[test]
    fn a_modulation_from_c_to_e_flat_major_is_two_segments() {
        let mut frames = cadences(0, 40.0);
        frames.extend(cadences(3, 40.0));
        for family in [None, Some(KeyProfile::Krumhansl)] {
            let c = curve(&chroma(frames.clone()), family);
            let names: Vec<String> = c
                .segments
                .iter()
                .map(|s| key_of_code(s.key).name())
                .collect();
            assert_eq!(names, ["C major", "D# major"], "{family:?}");
            let boundary = c.segments[0].end_s;
            assert!((boundary - 40.0).abs() <= 5.0, "boundary at {boundary} s");
            assert_eq!(c.segments[0].start_s, 0.0);
            assert!((c.segments[1].end_s - 80.0).abs() < 0.5);
            assert!(c.windows.len() > 20);
            assert!(c.windows.iter().all(|w| (0.0..=1.0).contains(&w.strength)));
        }
    }

    #[test]
    fn one_key_is_one_segment_and_a_short_file_one_window() {
        let c = curve(&chroma(cadences(9, 60.0)), None);
        assert_eq!(c.segments.len(), 1);
        assert_eq!(key_of_code(c.segments[0].key).name(), "A major");
        assert!(c.segments[0].strength > 0.5);
        let short = curve(&chroma(cadences(2, 5.0)), None);
        assert_eq!(short.windows.len(), 1);
        assert_eq!(short.segments.len(), 1);
        assert!((short.window_s - 5.0).abs() < 0.3);
    }

    #[test]
    fn silence_is_no_curve_and_a_silent_gap_keeps_its_neighbours_key() {
        assert!(curve(&chroma(Vec::new()), None).segments.is_empty());
        let mut frames = cadences(7, 30.0);
        frames.extend(vec![[0.0f32; 12]; (20.0 * FR) as usize]);
        frames.extend(cadences(7, 30.0));
        let c = curve(&chroma(frames), None);
        assert_eq!(c.segments.len(), 1);
        assert!(c.windows.iter().any(|w| w.strength == 0.0));
    }
}
