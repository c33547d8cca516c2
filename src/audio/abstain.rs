//! When the honest answer is "none": the reasons a file gets no tempo or
//! no key although the estimators would name one (noise, speech, a single
//! note). The estimates stay available; the report says why they are not
//! the answer.

use super::chroma::Chroma;
use super::key::{KeyProfile, rank_keys};
use super::onset::OnsetEnvelope;
use super::tempo::{self, TempoEstimate};

/// No estimate at all: no onsets to time.
pub const NO_ONSETS: &str = "no onsets: silence or a sustained sound has no beat";
/// No estimate at all: nothing pitched.
pub const NO_PITCH: &str = "no pitched content: silence or noise has no key";
/// Onsets that recur at no steady period and no tonality either.
pub const NO_PULSE: &str = "no steady pulse: the onsets are irregular (noise or speech)";
/// Onsets too faint to be note attacks.
pub const NO_ATTACKS: &str = "no note attacks: a steady sound has no beat";
/// Pitches that fit no key profile.
pub const NO_TONALITY: &str = "no tonal centre: the pitches fit no key (noise, speech or drums)";
/// One pitch class holds the profile.
pub const SINGLE_PITCH: &str = "a single pitch class: one note has no key";

/// Correlation with the best key profile below which no key is named.
/// Over the 160 pieces of the real-music bench the lowest is 0.69; white
/// and pink noise read 0.26–0.30, speech 0.39–0.50.
const MIN_TONAL_FIT: f64 = 0.55;
/// The strongest pitch class at this multiple of the second means one
/// note (real music reads at most 1.4 on the bench; single notes 2.2–4)...
const SINGLE_PITCH_RATIO: f64 = 2.0;
/// ...unless the profile still fits a key this well: a held major chord
/// over its root in the bass reads 2.0 too, but fits its key at 0.70, where
/// single notes reach 0.65 at most (their overtones are a thin chord).
const SINGLE_PITCH_FIT: f64 = 0.68;
/// Onset presence ([`tempo::presence`]) below which there are no attacks:
/// every bench piece reads at least 0.49, a plucked or sine tone ≤ 0.06.
const MIN_PRESENCE: f64 = 0.15;
/// Comb support at the chosen period below which the pulse is weak (the
/// normalised autocorrelation; 0.05–0.09 for noise and speech).
const WEAK_PULSE: f64 = 0.15;

/// The summed pitch-class profile and its number of frames with pitch.
fn profile(chroma: &Chroma) -> ([f64; 12], usize) {
    let mut p = [0.0f64; 12];
    let mut active = 0;
    for frame in chroma.frames.iter().filter(|f| f.iter().any(|&v| v > 0.0)) {
        active += 1;
        for (s, &v) in p.iter_mut().zip(frame) {
            *s += f64::from(v);
        }
    }
    (p, active)
}

/// How well the summed profile fits its best key (0 with no pitch).
fn fit(p: &[f64; 12]) -> f64 {
    rank_keys(p, KeyProfile::default())
        .first()
        .map_or(0.0, |&(_, r)| r)
}

/// Whether the pitch content is tonal: it fits a key profile.
fn tonal(chroma: &Chroma) -> bool {
    let (p, active) = profile(chroma);
    active > 0 && fit(&p) >= MIN_TONAL_FIT
}

/// Why the file has no key, or `None` when the key estimate stands.
pub fn key_reason(chroma: &Chroma) -> Option<&'static str> {
    let (p, active) = profile(chroma);
    if active == 0 {
        return Some(NO_PITCH);
    }
    let mut sorted = p;
    sorted.sort_by(|a, b| b.total_cmp(a));
    let fit = fit(&p);
    if sorted[0] > SINGLE_PITCH_RATIO * sorted[1] && fit < SINGLE_PITCH_FIT {
        return Some(SINGLE_PITCH);
    }
    (fit < MIN_TONAL_FIT).then_some(NO_TONALITY)
}

/// Why the file has no tempo, or `None` when `estimate` stands. Weak
/// periodicity alone is not enough (sustained strings read as weak as
/// speech): the pulse must also lack tonality to be called no pulse.
pub fn tempo_reason(
    env: &OnsetEnvelope,
    chroma: &Chroma,
    estimate: Option<&TempoEstimate>,
) -> Option<&'static str> {
    let Some(estimate) = estimate else {
        return Some(NO_ONSETS);
    };
    if tempo::presence(env) < MIN_PRESENCE {
        return Some(NO_ATTACKS);
    }
    // Tonal music keeps even a weak pulse: no need to measure it.
    if tonal(chroma) {
        return None;
    }
    let ac = tempo::scan_autocorrelation(env, &super::cancel::never).unwrap_or_default();
    let support = tempo::comb(&ac, 60.0 * env.frame_rate / estimate.bpm);
    (support < WEAK_PULSE).then_some(NO_PULSE)
}
