//! Tempo from the onset envelope: autocorrelation read through a comb of
//! the period's multiples, weighted by a log-Gaussian tempo prior. This is
//! the cheap first estimate; `beats` refines it.

use serde::Serialize;

use super::cancel::{CancelCheck, Cancelled, every, never};
use super::onset::OnsetEnvelope;

/// Lower end of the preferred tempo range unless told otherwise, BPM.
/// Slow enough for a 60 BPM hymn or click: at 70 their eighths won.
pub const DEFAULT_MIN_BPM: f64 = 50.0;
/// Upper end of the preferred tempo range unless told otherwise, BPM.
pub const DEFAULT_MAX_BPM: f64 = 180.0;

/// Tempo options.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TempoOptions {
    /// Preferred range, BPM: estimates are drawn towards it.
    pub min_bpm: f64,
    /// Upper end of the preferred range.
    pub max_bpm: f64,
}

impl Default for TempoOptions {
    fn default() -> Self {
        Self {
            min_bpm: DEFAULT_MIN_BPM,
            max_bpm: DEFAULT_MAX_BPM,
        }
    }
}

/// A tempo the onsets support, with how strongly.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
pub struct BpmCandidate {
    /// Beats per minute.
    pub bpm: f64,
    /// Support relative to the best-supported candidate, 0..=1: the
    /// autocorrelation of the onsets read through a comb at this period.
    pub score: f64,
}

/// A tempo estimate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TempoEstimate {
    /// Beats per minute.
    pub bpm: f64,
    /// 0..=1.
    pub confidence: f64,
    /// The chosen tempo first, then up to [`MAX_ALTERNATIVES`] others
    /// ranked by score: always its half and double (where they are in the
    /// scanned range), so the other metrical level is one click away.
    pub candidates: Vec<BpmCandidate>,
    /// Beat times in seconds (empty for the first estimate).
    pub beats: Vec<f64>,
}

/// Search range of the tempo scan, BPM.
pub const SCAN: (f64, f64) = (30.0, 300.0);
/// Alternatives listed beside the chosen tempo.
pub const MAX_ALTERNATIVES: usize = 3;
/// Teeth of the comb (multiples of the period read from the autocorrelation).
const TEETH: usize = 4;
/// Mean onset strength below which a file has no rhythm to measure.
const MIN_ONSET_MEAN: f64 = 0.01;
/// 99th-percentile onset strength above which onsets are unmistakable.
const CLEAR_ONSET: f64 = 5.0;
/// Centre of the log-Gaussian tempo prior, BPM.
const PRIOR_CENTRE: f64 = 120.0;
/// Grid step of the scan, BPM.
const STEP: f64 = 0.25;

/// Smooths the envelope with a small Gaussian (σ = 1 frame), which makes
/// autocorrelation peaks wide enough to read at fractional lags.
pub fn smooth(x: &[f32]) -> Vec<f32> {
    const K: [f32; 5] = [0.054, 0.242, 0.399, 0.242, 0.054];
    (0..x.len())
        .map(|i| {
            K.iter()
                .enumerate()
                .filter_map(|(j, k)| (i + j).checked_sub(2).and_then(|t| x.get(t)).map(|v| v * k))
                .sum()
        })
        .collect()
}

/// Normalised autocorrelation (unbiased: each lag averaged over its own
/// overlap, so long lags are not penalised on short excerpts; mean
/// removed) for lags `0..=max_lag`.
pub fn autocorrelation(x: &[f32], max_lag: usize) -> Vec<f64> {
    autocorrelation_until(x, max_lag, &never).unwrap_or_default()
}

/// The dot product of two equally long slices, in eight running sums so
/// the compiler can keep them in one SIMD register (a single running sum
/// must add in order, one lane at a time).
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        for i in 0..8 {
            acc[i] += x[i] * y[i];
        }
    }
    acc.iter().sum::<f32>() + tail
}

/// [`autocorrelation`], asking `cancel` every few lags (each lag is one
/// pass over the envelope).
pub fn autocorrelation_until(
    x: &[f32],
    max_lag: usize,
    cancel: CancelCheck,
) -> Result<Vec<f64>, Cancelled> {
    let n = x.len();
    let mean = x.iter().map(|&v| f64::from(v)).sum::<f64>() / n.max(1) as f64;
    let centred: Vec<f32> = x.iter().map(|&v| (f64::from(v) - mean) as f32).collect();
    let lags = max_lag.min(n.saturating_sub(1));
    let mut ac = Vec::with_capacity(lags + 1);
    for lag in 0..=lags {
        every(lag, 8, cancel)?;
        ac.push(f64::from(dot(&centred[..n - lag], &centred[lag..])));
    }
    if let Some(&zero) = ac.first()
        && zero > 0.0
    {
        for v in &mut ac {
            *v /= zero;
        }
    }
    Ok(ac)
}

fn at(ac: &[f64], lag: f64) -> f64 {
    let i = lag.floor() as usize;
    let f = lag - lag.floor();
    match (ac.get(i), ac.get(i + 1)) {
        (Some(a), Some(b)) => a * (1.0 - f) + b * f,
        _ => 0.0,
    }
}

/// Comb score of a period (in frames): the mean autocorrelation at its
/// first few (`TEETH`) multiples.
pub fn comb(ac: &[f64], period: f64) -> f64 {
    (1..=TEETH).map(|k| at(ac, period * k as f64)).sum::<f64>() / TEETH as f64
}

/// The tempo prior: log-Gaussian centred on the preferred range (one octave
/// standard deviation), halved outside it.
pub fn prior(bpm: f64, opts: &TempoOptions) -> f64 {
    let centre = PRIOR_CENTRE.clamp(opts.min_bpm, opts.max_bpm);
    let octaves = (bpm / centre).log2();
    let inside = if bpm >= opts.min_bpm && bpm <= opts.max_bpm {
        1.0
    } else {
        0.5
    };
    (-0.5 * octaves * octaves).exp() * inside
}

/// The octave of `bpm` inside the preferred range: `bpm` halved or
/// doubled until it lies in it, as DJ software applies its BPM range (the
/// octave nearest the range when the range is narrower than an octave).
pub fn into_range(bpm: f64, opts: &TempoOptions) -> f64 {
    let usable = bpm.is_finite() && bpm > 0.0 && opts.min_bpm > 0.0 && opts.max_bpm >= opts.min_bpm;
    if !usable {
        return bpm;
    }
    // Distance of an octave from the range, in octaves (0 inside it).
    let outside = |b: f64| {
        (opts.min_bpm / b)
            .log2()
            .max((b / opts.max_bpm).log2())
            .max(0.0)
    };
    (-6..=6)
        .map(|k| bpm * 2f64.powi(k))
        .min_by(|a, b| {
            outside(*a)
                .total_cmp(&outside(*b))
                .then((a / bpm).log2().abs().total_cmp(&(b / bpm).log2().abs()))
        })
        .unwrap_or(bpm)
}

/// The cheap estimate: scan, weigh by the prior, pick the peak. `None`
/// when the envelope is too short or flat to say anything.
pub fn first_estimate(env: &OnsetEnvelope, opts: &TempoOptions) -> Option<TempoEstimate> {
    first_estimate_until(env, opts, &never).ok().flatten()
}

/// [`first_estimate`], stopping with `Cancelled` when `cancel` says so.
pub fn first_estimate_until(
    env: &OnsetEnvelope,
    opts: &TempoOptions,
    cancel: CancelCheck,
) -> Result<Option<TempoEstimate>, Cancelled> {
    let Some(ac) = scan_input(env, opts, cancel)? else {
        return Ok(None);
    };
    Ok(pick(env, opts, &ac))
}

/// The autocorrelation the scan reads, or `None` when the envelope is too
/// short or flat to say anything.
fn scan_input(
    env: &OnsetEnvelope,
    opts: &TempoOptions,
    cancel: CancelCheck,
) -> Result<Option<Vec<f64>>, Cancelled> {
    let fr = env.frame_rate;
    let smoothed = smooth(&env.values);
    // Need a few beats at the slowest tempo we may report.
    if smoothed.len() < (4.0 * 60.0 * fr / opts.min_bpm.max(SCAN.0)) as usize {
        return Ok(None);
    }
    // A steady tone or silence has no onsets worth a tempo.
    let mean = smoothed.iter().map(|&v| f64::from(v)).sum::<f64>() / smoothed.len().max(1) as f64;
    if mean < MIN_ONSET_MEAN {
        return Ok(None);
    }
    let ac = scan_autocorrelation(env, cancel)?;
    if ac.first().is_none_or(|&a| a <= 0.0) {
        return Ok(None);
    }
    Ok(Some(ac))
}

/// Scans tempi on the autocorrelation, weighs them by the prior and picks
/// the peak.
fn pick(env: &OnsetEnvelope, opts: &TempoOptions, ac: &[f64]) -> Option<TempoEstimate> {
    let fr = env.frame_rate;
    let steps = ((SCAN.1 - SCAN.0) / STEP) as usize;
    let scores: Vec<(f64, f64, f64)> = (0..=steps)
        .map(|i| {
            let bpm = SCAN.0 + i as f64 * STEP;
            let raw = comb(ac, 60.0 * fr / bpm);
            (bpm, raw, raw.max(0.0) * prior(bpm, opts))
        })
        .collect();
    // Local maxima of the weighted score, best first.
    let mut peaks: Vec<(f64, f64, f64)> = scores
        .windows(3)
        .filter(|w| w[1].2 > w[0].2 && w[1].2 >= w[2].2 && w[1].2 > 0.0)
        .map(|w| w[1])
        .collect();
    peaks.sort_by(|a, b| b.2.total_cmp(&a.2));
    let &(peak, raw, weighted) = peaks.first()?;
    // The peak's octave inside the range; the peak itself stays a candidate.
    let bpm = into_range(peak, opts);
    let others: Vec<f64> = peaks.iter().map(|p| p.0).filter(|&b| b != bpm).collect();
    let candidates = rank_candidates(ac, fr, bpm, &others);
    let runner = peaks.get(1).map_or(0.0, |p| p.2);
    let margin = if weighted > 0.0 {
        1.0 - runner / weighted
    } else {
        0.0
    };
    let confidence =
        (raw.clamp(0.0, 1.0).sqrt() * (0.5 + 0.5 * margin) * presence(env)).clamp(0.0, 1.0);
    Some(TempoEstimate {
        bpm: round2(bpm),
        confidence,
        candidates,
        beats: Vec::new(),
    })
}

/// The chosen tempo and its alternatives with their scores (see
/// [`TempoEstimate::candidates`]): the half and the double of `chosen`,
/// then the strongest of `others` (other peaks of the scan, best first)
/// that are not within 4 % of one already listed.
pub fn rank_candidates(ac: &[f64], fr: f64, chosen: f64, others: &[f64]) -> Vec<BpmCandidate> {
    let support = |bpm: f64| comb(ac, 60.0 * fr / bpm).max(0.0);
    let mut list: Vec<f64> = vec![chosen];
    let octaves = [chosen / 2.0, chosen * 2.0]
        .into_iter()
        .filter(|b| (SCAN.0..=SCAN.1).contains(b));
    for b in octaves.chain(others.iter().copied()) {
        if list.len() > MAX_ALTERNATIVES {
            break;
        }
        if list.iter().all(|&c| (b / c - 1.0).abs() > 0.04) {
            list.push(b);
        }
    }
    let scores: Vec<f64> = list.iter().map(|&b| support(b)).collect();
    let best = scores.iter().cloned().fold(0.0, f64::max);
    let mut out: Vec<BpmCandidate> = list
        .iter()
        .zip(&scores)
        .map(|(&bpm, &s)| BpmCandidate {
            bpm: round2(bpm),
            score: if best > 0.0 { round2(s / best) } else { 0.0 },
        })
        .collect();
    out[1..].sort_by(|a, b| b.score.total_cmp(&a.score));
    out
}

/// The autocorrelation the tempo scan reads, for `env` (empty when the
/// envelope is too short).
pub fn scan_autocorrelation(
    env: &OnsetEnvelope,
    cancel: CancelCheck,
) -> Result<Vec<f64>, Cancelled> {
    let max_lag = (60.0 * env.frame_rate / SCAN.0 * TEETH as f64).ceil() as usize + 2;
    autocorrelation_until(&smooth(&env.values), max_lag, cancel)
}

/// How clearly there are onsets at all, 0..=1: the 99th percentile of the
/// envelope against a level every drum track and played note exceeds (a
/// steady tone with codec noise reads ~0.2 of it, noise ~3, drums ~100).
pub fn presence(env: &OnsetEnvelope) -> f64 {
    (onset_p99(env) / CLEAR_ONSET).clamp(0.0, 1.0)
}

/// The 99th percentile of the onset envelope (0 when it is empty).
pub fn onset_p99(env: &OnsetEnvelope) -> f64 {
    let mut v = env.values.clone();
    if v.is_empty() {
        return 0.0;
    }
    let k = (v.len() * 99 / 100).min(v.len() - 1);
    let (_, p99, _) = v.select_nth_unstable_by(k, f32::total_cmp);
    f64::from(*p99)
}

/// Rounds to two decimals, for stable output.
pub fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pulses(bpm: f64, fr: f64, seconds: f64) -> OnsetEnvelope {
        let n = (seconds * fr) as usize;
        let mut values = vec![0.0f32; n];
        let period = 60.0 * fr / bpm;
        let mut t = 0.0;
        while (t as usize) < n {
            values[t as usize] = 1.0;
            t += period;
        }
        OnsetEnvelope {
            low: values.clone(),
            values,
            frame_rate: fr,
            offset_s: 0.0,
        }
    }

    #[test]
    fn finds_pulse_train_tempo() {
        for bpm in [90.0, 120.0, 150.0] {
            let e = first_estimate(&pulses(bpm, 86.13, 20.0), &TempoOptions::default()).unwrap();
            assert!((e.bpm / bpm - 1.0).abs() < 0.02, "{bpm}: {e:?}");
        }
    }

    fn range(min_bpm: f64, max_bpm: f64) -> TempoOptions {
        TempoOptions { min_bpm, max_bpm }
    }

    #[test]
    fn a_range_moves_the_tempo_by_octaves_not_by_clipping() {
        assert_eq!(into_range(85.0, &range(88.0, 175.0)), 170.0);
        assert_eq!(into_range(200.0, &range(70.0, 140.0)), 100.0);
        assert_eq!(into_range(33.0, &range(70.0, 140.0)), 132.0);
        assert_eq!(into_range(120.0, &range(70.0, 140.0)), 120.0);
        // Narrower than an octave: the octave nearest the range.
        assert_eq!(into_range(66.0, &range(120.0, 125.0)), 132.0);
        assert_eq!(into_range(0.0, &range(70.0, 140.0)), 0.0);
    }

    /// A click at 85 BPM read with the "dance, drum & bass" preset comes out
    /// at 170 (the pulse itself stays a candidate), with the "hip-hop/house"
    /// one at 85.
    #[test]
    fn the_quick_estimate_lands_inside_the_users_range() {
        let env = pulses(85.0, 86.13, 30.0);
        let dnb = first_estimate(&env, &range(88.0, 175.0)).unwrap();
        assert!((dnb.bpm / 170.0 - 1.0).abs() < 0.02, "{dnb:?}");
        assert!(
            dnb.candidates
                .iter()
                .any(|c| (c.bpm / 85.0 - 1.0).abs() < 0.02),
            "{dnb:?}"
        );
        let hiphop = first_estimate(&env, &range(70.0, 140.0)).unwrap();
        assert!((hiphop.bpm / 85.0 - 1.0).abs() < 0.02, "{hiphop:?}");
    }
}
