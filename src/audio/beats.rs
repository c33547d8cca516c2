//! Beat tracking by dynamic programming (Ellis 2007), and the tempo
//! refinement it allows: a least-squares fit of the beat period.

use super::beat_phase::on_the_kicks;
use super::cancel::{CancelCheck, Cancelled, every, never};
use super::onset::OnsetEnvelope;
use super::tempo::{
    TempoEstimate, TempoOptions, into_range, presence, rank_candidates, round2,
    scan_autocorrelation, smooth,
};

/// How strongly the tracker holds to the period (Ellis's α).
const TIGHTNESS: f64 = 100.0;

/// Tracks beats at about `period` frames apart. Returns fractional frame
/// positions of the beats.
pub fn track(env: &[f32], period: f64) -> Vec<f64> {
    track_until(env, period, &never).unwrap_or_default()
}

/// Frames between two cancellation checks in the tracker's loops (each
/// frame costs a few periods' worth of multiply-adds).
const CHECK_FRAMES: usize = 1024;

/// [`track`], stopping with `Cancelled` when `cancel` says so.
pub fn track_until(env: &[f32], period: f64, cancel: CancelCheck) -> Result<Vec<f64>, Cancelled> {
    if env.len() < 4 || !period.is_finite() || period < 2.0 {
        return Ok(Vec::new());
    }
    let Some(local) = local_score(env, period, cancel)? else {
        return Ok(Vec::new());
    };
    let (score, back) = chain(&local, period, cancel)?;
    // The last beat: best cumulative score within the last period.
    let n = local.len();
    let tail = n.saturating_sub(period.ceil() as usize);
    let Some(mut t) = (tail..n).max_by(|&a, &b| score[a].total_cmp(&score[b])) else {
        return Ok(Vec::new());
    };
    let mut beats = vec![t];
    while back[t] != usize::MAX {
        t = back[t];
        beats.push(t);
    }
    beats.reverse();
    Ok(trim_weak_ends(&beats, &local)
        .iter()
        .map(|&b| refine_peak(&local, b))
        .collect())
}

/// The normalised envelope with each onset spread a little (Gaussian,
/// σ = period / 32); `None` for a flat envelope.
fn local_score(
    env: &[f32],
    period: f64,
    cancel: CancelCheck,
) -> Result<Option<Vec<f64>>, Cancelled> {
    let n = env.len();
    let mean = env.iter().map(|&v| f64::from(v)).sum::<f64>() / n as f64;
    let std = (env
        .iter()
        .map(|&v| (f64::from(v) - mean).powi(2))
        .sum::<f64>()
        / n as f64)
        .sqrt();
    if std <= 0.0 {
        return Ok(None);
    }
    let half = period.round() as i64;
    let kernel: Vec<f64> = (-half..=half)
        .map(|i| (-0.5 * (i as f64 * 32.0 / period).powi(2)).exp())
        .collect();
    let mut local: Vec<f64> = Vec::with_capacity(n);
    for t in 0..n as i64 {
        every(t as usize, CHECK_FRAMES, cancel)?;
        local.push(
            kernel
                .iter()
                .enumerate()
                .filter_map(|(j, k)| {
                    let idx = t + j as i64 - half;
                    (idx >= 0 && (idx as usize) < n).then(|| f64::from(env[idx as usize]) / std * k)
                })
                .sum(),
        );
    }
    Ok(Some(local))
}

/// Ellis's dynamic programme: each frame's best cumulative score and the
/// beat before it (`usize::MAX` where a chain starts).
fn chain(
    local: &[f64],
    period: f64,
    cancel: CancelCheck,
) -> Result<(Vec<f64>, Vec<usize>), Cancelled> {
    let n = local.len();
    let lo = (period / 2.0).round().max(1.0) as usize;
    let hi = (2.0 * period).round() as usize;
    let penalty: Vec<f64> = (0..=hi)
        .map(|d| {
            if d == 0 {
                f64::NEG_INFINITY
            } else {
                -TIGHTNESS * (d as f64 / period).ln().powi(2)
            }
        })
        .collect();
    let mut score = vec![0.0f64; n];
    let mut back = vec![usize::MAX; n];
    for t in 0..n {
        every(t, CHECK_FRAMES, cancel)?;
        let mut best = 0.0;
        let mut arg = usize::MAX;
        if t >= lo {
            for d in lo..=hi.min(t) {
                let v = score[t - d] + penalty[d];
                if arg == usize::MAX || v > best {
                    best = v;
                    arg = t - d;
                }
            }
        }
        // A beat may also start a new chain when all predecessors score badly.
        if arg != usize::MAX && best > 0.0 {
            score[t] = local[t] + best;
            back[t] = arg;
        } else {
            score[t] = local[t];
        }
    }
    Ok((score, back))
}

/// Drops weak beats at either end (silence before the music starts).
fn trim_weak_ends<'a>(beats: &'a [usize], local: &[f64]) -> &'a [usize] {
    let strong = {
        let mut v: Vec<f64> = beats.iter().map(|&b| local[b]).collect();
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(0.0) * 0.2
    };
    let first = beats.iter().position(|&b| local[b] > strong).unwrap_or(0);
    let last = beats
        .iter()
        .rposition(|&b| local[b] > strong)
        .unwrap_or(beats.len().saturating_sub(1));
    &beats[first..=last.max(first).min(beats.len().saturating_sub(1))]
}

/// Parabolic interpolation of a peak around integer index `i`.
fn refine_peak(x: &[f64], i: usize) -> f64 {
    if i == 0 || i + 1 >= x.len() {
        return i as f64;
    }
    let (a, b, c) = (x[i - 1], x[i], x[i + 1]);
    let den = a - 2.0 * b + c;
    if den.abs() < 1e-12 || b < a || b < c {
        return i as f64;
    }
    i as f64 + (0.5 * (a - c) / den).clamp(-0.5, 0.5)
}

/// Least-squares beat period (frames) of beat positions about `guess`
/// frames apart (a skipped beat counts as two periods), with the fit's
/// residual relative to the period.
pub fn fit_period(beats: &[f64], guess: f64) -> Option<(f64, f64)> {
    let n = beats.len();
    let first = *beats.first()?;
    if n < 4 || guess <= 0.0 {
        return None;
    }
    let idx: Vec<f64> = beats
        .iter()
        .map(|&b| ((b - first) / guess).round())
        .collect();
    let nf = n as f64;
    let mi = idx.iter().sum::<f64>() / nf;
    let mb = beats.iter().sum::<f64>() / nf;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (&i, &b) in idx.iter().zip(beats) {
        sxy += (i - mi) * (b - mb);
        sxx += (i - mi).powi(2);
    }
    if sxx <= 0.0 {
        return None;
    }
    let slope = sxy / sxx;
    let resid = idx
        .iter()
        .zip(beats)
        .map(|(&i, &b)| (b - (mb + (i - mi) * slope)).powi(2))
        .sum::<f64>()
        / nf;
    Some((slope, resid.sqrt() / slope.max(1e-9)))
}

/// Accent balance of alternate beats: the weaker over the stronger of
/// the mean onset strength at even and at odd beats (1 = no accent).
pub fn alternation(env: &[f32], beats: &[f64]) -> f64 {
    match parity_means(env, beats) {
        Some((e, o)) if e.max(o) > 0.0 => e.min(o) / e.max(o),
        _ => 1.0,
    }
}

/// Mean onset strength at the even and at the odd beats, or `None` when
/// either has fewer than four.
fn parity_means(env: &[f32], beats: &[f64]) -> Option<(f64, f64)> {
    let (mut even, mut odd, mut ne, mut no) = (0.0, 0.0, 0usize, 0usize);
    for (i, &b) in beats.iter().enumerate() {
        if i % 2 == 0 {
            even += strength_at(env, b);
            ne += 1;
        } else {
            odd += strength_at(env, b);
            no += 1;
        }
    }
    (ne >= 4 && no >= 4).then(|| (even / ne as f64, odd / no as f64))
}

/// Evenness of the beats: the lower quartile of onset strength at the
/// beats over the upper quartile (1 = every beat as strong as the rest).
pub fn consistency(env: &[f32], beats: &[f64]) -> f64 {
    let mut v: Vec<f64> = beats.iter().map(|&b| strength_at(env, b)).collect();
    if v.len() < 8 {
        return 1.0;
    }
    v.sort_by(f64::total_cmp);
    let (q1, q3) = (v[v.len() / 4], v[3 * v.len() / 4]);
    if q3 > 0.0 { q1 / q3 } else { 1.0 }
}

/// Onset strength at a beat: the maximum within ±2 frames.
pub(super) fn strength_at(env: &[f32], b: f64) -> f64 {
    let c = b.round() as i64;
    (c - 2..=c + 2)
        .filter_map(|i| usize::try_from(i).ok().and_then(|i| env.get(i)))
        .fold(0.0f32, |m, &v| m.max(v)) as f64
}

/// How much the onsets at the beats stand out: mean strength at the beats
/// over the mean strength everywhere (1 = beats fall anywhere).
pub fn salience(env: &[f32], beats: &[f64]) -> f64 {
    let mean = env.iter().map(|&v| f64::from(v)).sum::<f64>() / env.len().max(1) as f64;
    if beats.is_empty() || mean <= 0.0 {
        return 0.0;
    }
    let at_beats = beats.iter().map(|&b| strength_at(env, b)).sum::<f64>() / beats.len() as f64;
    at_beats / mean
}

/// Alternate beats weaker than this share of the strong ones mean the
/// grid is a subdivision, not the beat (kick against snare reads ~0.7,
/// beat against off-beat hat 0–0.45 on our test patterns).
const SUBDIVISION: f64 = 0.5;
/// Low-band evenness below this means half the grid has no kick or bass
/// at all (0.01 on syncopated eighth grids, ≥ 0.7 at the beat, on our
/// test grooves).
const HOLLOW_LOW: f64 = 0.2;
/// Alternate beats at least this strong mean every beat of the grid is a
/// beat. Between the two thresholds the scan's choice stands.
const ALL_BEATS: f64 = 0.65;
/// Autocorrelation at the odd multiples of the period below this share of
/// that at the even multiples means every other grid point is a passing
/// subdivision (eighths in a hymn whose chords change on the quarters):
/// on the real-music bench the true beat reads 0.8–1.6, a grid at twice
/// the notated tempo 0.3–0.8.
const ODD_SUBDIVISION: f64 = 0.75;
/// Beats of the slower grid the envelope must span before the odd share
/// is read (on a few seconds a kick/snare pattern can show the same ratio).
const ODD_MIN_BEATS: f64 = 16.0;
/// Accents alone (strong/weak alternation, kicks on half the points) do
/// not halve a grid below this tempo: a half-time groove at 100 BPM (snare
/// on three) has them too, and 50 is nobody's reading of it.
const GROOVE_FLOOR: f64 = 70.0;
/// Low-band evenness from which every grid point has its kick or bass
/// note (a backbeat's kicks read ~0.9, a hymn's eighths 0.05–0.45).
const LOW_EVEN: f64 = 0.5;

/// High-band accents: the weaker alternate beats below this share of the
/// stronger mean a snare or clap on every other beat (at the true level of
/// our breakbeat, electro and drum & bass grooves 0.27–0.57, at half of it
/// 0.83–1.0).
const BACKBEAT_HIGH: f64 = 0.6;
/// A backbeat's accented beats carry no more than this many times the
/// low-band onset of the others: the kick falls between the snares (a
/// half-time or subdivided grid has kick and snare together, 4–170×).
const BACKBEAT_LOW: f64 = 2.0;
/// Onsets midway between the beats at least this share of those at the
/// beats mean the grid has its own subdivision (hats on the off-beats):
/// drum grooves read 0.2–0.7 at the beat, the eighth-note grid of a
/// chorale 0.0–0.17.
const SUBDIVIDED: f64 = 0.2;

/// Chooses the metrical level, returning it with its beats: the scan can
/// pick the half or double of the beat (its comb scores both alike). DJs
/// count the beat so the snare falls on every other one, so a grid with a
/// backbeat (see [`is_backbeat`]) is the beat: the double of the scan's
/// tempo when the backbeat is there, the scan's own when it is there.
/// Otherwise a double-time grid whose beats are all strong in either band,
/// inside the preferred range, is the beat (go double). The grid is a
/// subdivision (go half) when its beats alternate strong/weak in both the
/// full and the low band (a kick alone against kick and snare alternates in
/// the full band only, a beat against an off-beat hat in both), when every
/// other point lacks a low-band onset, or when its beats are uneven, half of
/// them lack bass, and the onsets recur more strongly at two periods than
/// at one.
fn choose_level(
    onsets: &Onsets<'_>,
    fr: f64,
    bpm: f64,
    opts: &TempoOptions,
    cancel: CancelCheck,
) -> Result<(f64, Vec<f64>), Cancelled> {
    let (env, low) = (onsets.full, onsets.low);
    let fast = 2.0 * bpm;
    if fast <= opts.max_bpm {
        let beats = track_until(env, 60.0 * fr / fast, cancel)?;
        if consistency(env, &beats) > ALL_BEATS
            || consistency(low, &beats) > ALL_BEATS
            || is_backbeat(onsets, &beats)
        {
            return Ok((fast, beats));
        }
    }
    let period = 60.0 * fr / bpm;
    let beats = track_until(env, period, cancel)?;
    let slow = bpm / 2.0;
    if slow >= opts.min_bpm
        && !is_backbeat(onsets, &beats)
        && is_subdivision(onsets, &beats, period, slow)
    {
        return Ok((slow, track_until(env, 2.0 * period, cancel)?));
    }
    Ok((bpm, beats))
}

/// Whether `beats` carry a backbeat: in the high band (snare, clap, hats)
/// every other beat is accented, the low band (kick, bass) is not accented
/// on those same beats, and there are onsets between the beats (a grid of
/// the subdivision itself, such as a chorale's eighths against its
/// quarters, has its accents on the bass notes and nothing in between).
fn is_backbeat(onsets: &Onsets<'_>, beats: &[f64]) -> bool {
    let (Some((h_even, h_odd)), Some((l_even, l_odd))) = (
        parity_means(onsets.high, beats),
        parity_means(onsets.low, beats),
    ) else {
        return false;
    };
    let (h_weak, h_strong, l_weak, l_strong) = if h_odd > h_even {
        (h_even, h_odd, l_even, l_odd)
    } else {
        (h_odd, h_even, l_odd, l_even)
    };
    h_weak < BACKBEAT_HIGH * h_strong
        && l_strong < BACKBEAT_LOW * l_weak.max(1e-9)
        && midpoint_share(onsets.full, beats) > SUBDIVIDED
}

/// Mean onset strength midway between consecutive beats over that at the
/// beats.
fn midpoint_share(env: &[f32], beats: &[f64]) -> f64 {
    let at_beats = beats.iter().map(|&b| strength_at(env, b)).sum::<f64>();
    let between: f64 = beats
        .windows(2)
        .map(|w| strength_at(env, 0.5 * (w[0] + w[1])))
        .sum();
    let n = beats.len() as f64;
    if at_beats > 0.0 && n > 1.0 {
        (between / (n - 1.0)) / (at_beats / n)
    } else {
        0.0
    }
}

/// Whether a grid of `beats`, `period` frames apart, is a subdivision of
/// the beat (see `choose_level`).
fn is_subdivision(onsets: &Onsets<'_>, beats: &[f64], period: f64, slow_bpm: f64) -> bool {
    let (env, low) = (onsets.full, onsets.low);
    let accented = alternation(env, beats) < SUBDIVISION && alternation(low, beats) < SUBDIVISION;
    // Every other grid point without any low-band onset (no kick, no
    // bass) while the full band is uneven too: the grid is the eighths
    // of a syncopated groove (kicks off the beat defeat `alternation`).
    let even = consistency(env, beats);
    let low_even = consistency(low, beats);
    let hollow = low_even < HOLLOW_LOW && even < ALL_BEATS * 0.9;
    if (accented || hollow) && slow_bpm >= GROOVE_FLOOR {
        return true;
    }
    // The rules below read accents that a backbeat has too (kick on every
    // beat, snare on two and four): a subdivision also lacks bass on half
    // of its points.
    if low_even >= LOW_EVEN {
        return false;
    }
    // A backbeat (kick on every beat, snare on two and four) recurs more
    // at two beats too, but every one of its beats is strong.
    let long_enough = env.len() as f64 >= ODD_MIN_BEATS * 2.0 * period;
    long_enough && even < ALL_BEATS && odd_share(onsets.ac, period) < ODD_SUBDIVISION
}

/// The smoothed onset envelopes the level choice reads, and the full
/// band's autocorrelation (the tempo scan's, computed once per refinement).
struct Onsets<'a> {
    full: &'a [f32],
    low: &'a [f32],
    /// The full band less the low band.
    high: &'a [f32],
    ac: &'a [f64],
}

/// Autocorrelation `ac` at one and three periods over that at two and
/// four (each read at the better of the two nearest lags).
fn odd_share(ac: &[f64], period: f64) -> f64 {
    let at = |k: f64| {
        let i = (k * period) as usize;
        let v = |j: usize| ac.get(j).copied().unwrap_or(0.0);
        v(i).max(v(i + 1))
    };
    let even = at(2.0) + at(4.0);
    if even > 0.0 {
        (at(1.0) + at(3.0)) / even
    } else {
        1.0
    }
}

/// The refinement: settles the metrical level, tracks beats at that
/// tempo, then fits the period to them. Keeps the scanned tempo if the
/// fit disagrees.
pub fn refine(env: &OnsetEnvelope, first: &TempoEstimate, opts: &TempoOptions) -> TempoEstimate {
    refine_until(env, first, opts, &never).unwrap_or_else(|_| first.clone())
}

/// [`refine`], stopping with `Cancelled` when `cancel` says so.
pub fn refine_until(
    env: &OnsetEnvelope,
    first: &TempoEstimate,
    opts: &TempoOptions,
    cancel: CancelCheck,
) -> Result<TempoEstimate, Cancelled> {
    let fr = env.frame_rate;
    let smoothed = smooth(&env.values);
    let ac = scan_autocorrelation(env, cancel)?;
    let low = smooth(&env.low);
    let high: Vec<f32> = smoothed.iter().zip(&low).map(|(f, l)| f - l).collect();
    let onsets = Onsets {
        full: &smoothed,
        low: &low,
        high: &high,
        ac: &ac,
    };
    let start = into_range(first.bpm, opts);
    let (bpm, beats) = choose_level(&onsets, fr, start, opts, cancel)?;
    let beats = on_the_kicks(&low, beats, low.len());
    let period = 60.0 * fr / bpm;
    let mut out = first.clone();
    out.bpm = round2(bpm);
    out.beats = beats
        .iter()
        .map(|&b| round2_ms(b / fr + env.offset_s))
        .collect();
    if let Some((p, jitter)) = fit_period(&beats, period) {
        // Beats that drift from a steady grid (tempo changes) keep the scan's value.
        if (p / period - 1.0).abs() < 0.04 {
            out.bpm = round2(60.0 * fr / p);
            // The tracker makes a steady grid even out of noise, so its
            // steadiness counts only as far as the beats land on onsets.
            let steadiness = (1.0 - jitter * 4.0).clamp(0.0, 1.0);
            let stand_out = ((salience(&smoothed, &beats) - 1.5) / 2.5).clamp(0.0, 1.0);
            out.confidence = (0.5 * first.confidence
                + 0.5 * steadiness * stand_out * presence(env))
            .clamp(0.0, 1.0);
        }
    }
    let others: Vec<f64> = first.candidates.iter().map(|c| c.bpm).collect();
    out.candidates = rank_candidates(&ac, fr, out.bpm, &others);
    Ok(out)
}

fn round2_ms(t: f64) -> f64 {
    (t * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hymn at 66 BPM: every quarter a chord with its bass, a passing
    /// eighth on every third off-beat, no bass there. The scan reads the
    /// eighths' 132; the refinement settles on the quarters.
    #[test]
    fn passing_eighths_are_a_subdivision_of_the_hymns_beat() {
        let fr = 86.13;
        let eighth = 60.0 * fr / 132.0;
        let n = (fr * 30.0) as usize;
        let (mut values, mut low) = (vec![0.02f32; n], vec![0.02f32; n]);
        for k in 0..(n as f64 / eighth) as usize {
            let i = (k as f64 * eighth).round() as usize;
            if i >= n {
                break;
            }
            if k % 2 == 0 {
                values[i] = 1.0;
                low[i] = 1.0;
            } else if k % 6 == 1 {
                values[i] = 0.3;
            }
        }
        let env = OnsetEnvelope {
            values,
            low,
            frame_rate: fr,
            offset_s: 0.0,
        };
        let first = TempoEstimate {
            bpm: 132.0,
            confidence: 0.5,
            candidates: Vec::new(),
            beats: Vec::new(),
        };
        let refined = refine(&env, &first, &TempoOptions::default());
        assert!((refined.bpm / 66.0 - 1.0).abs() < 0.02, "{refined:?}");
        assert_eq!(refined.candidates[0].bpm, refined.bpm);
        assert!(
            refined
                .candidates
                .iter()
                .any(|c| (c.bpm / 132.0 - 1.0).abs() < 0.02)
        );
    }

    /// A drum groove at `bpm`, one bar of four beats in eighths: `hits`
    /// gives each eighth's (full-band, low-band) onset. The full band holds
    /// the low band plus whatever sounds above it.
    fn groove(bpm: f64, hits: [(f32, f32); 8], seconds: f64) -> OnsetEnvelope {
        let fr = 86.13;
        let eighth = 30.0 * fr / bpm;
        let n = (fr * seconds) as usize;
        let (mut values, mut low) = (vec![0.02f32; n], vec![0.01f32; n]);
        for k in 0..(n as f64 / eighth) as usize {
            let i = (8.0 + k as f64 * eighth).round() as usize;
            if i >= n {
                break;
            }
            let (f, l) = hits[k % 8];
            values[i] = f;
            low[i] = l;
        }
        OnsetEnvelope {
            values,
            low,
            frame_rate: fr,
            offset_s: 0.0,
        }
    }

    fn first(bpm: f64) -> TempoEstimate {
        TempoEstimate {
            bpm,
            confidence: 0.5,
            candidates: Vec::new(),
            beats: Vec::new(),
        }
    }

    const KICK: (f32, f32) = (1.0, 0.8);
    const SNARE: (f32, f32) = (1.0, 0.3);
    const HAT: (f32, f32) = (0.35, 0.0);

    /// Drum & bass's two-step at 172: kick on one and on the and of three,
    /// snare on two and four, hats on the eighths. The scan's 86 is the
    /// snares alone; the beat is twice that.
    #[test]
    fn a_two_step_at_half_speed_is_doubled_to_its_backbeat() {
        let hits = [KICK, HAT, SNARE, HAT, HAT, KICK, SNARE, HAT];
        let env = groove(172.0, hits, 40.0);
        let refined = refine(&env, &first(86.0), &TempoOptions::default());
        assert!((refined.bpm / 172.0 - 1.0).abs() < 0.02, "{refined:?}");
        // Without its snares the same grid has no backbeat to go by.
        let no_snare = hits.map(|h| if h == SNARE { HAT } else { h });
        let refined = refine(
            &groove(172.0, no_snare, 40.0),
            &first(86.0),
            &TempoOptions::default(),
        );
        assert!((refined.bpm / 86.0 - 1.0).abs() < 0.02, "{refined:?}");
    }

    /// A breakbeat at 130 (kick, snare, a ghost note and the kick on the
    /// and of three, snare) is not halved although its beats are uneven,
    /// half of them without bass, and it recurs more at two beats than at
    /// one (what halves a chorale's eighths).
    #[test]
    fn a_breakbeat_keeps_its_tempo() {
        let (kick, snare, ghost) = ((0.5, 0.5), (1.0, 0.1), (0.1, 0.0));
        let hits = [kick, HAT, snare, HAT, ghost, kick, snare, HAT];
        let env = groove(130.0, hits, 40.0);
        let refined = refine(&env, &first(130.0), &TempoOptions::default());
        assert!((refined.bpm / 130.0 - 1.0).abs() < 0.02, "{refined:?}");
    }

    /// A range set by the user moves the refined answer into it too.
    #[test]
    fn the_refined_estimate_lands_inside_the_users_range() {
        let hits = [KICK, HAT, SNARE, HAT, KICK, HAT, SNARE, HAT];
        let env = groove(90.0, hits, 40.0);
        let opts = TempoOptions {
            min_bpm: 100.0,
            max_bpm: 190.0,
        };
        let refined = refine(&env, &first(90.0), &opts);
        assert!((refined.bpm / 180.0 - 1.0).abs() < 0.02, "{refined:?}");
        assert!(
            refined
                .candidates
                .iter()
                .any(|c| (c.bpm / 90.0 - 1.0).abs() < 0.02)
        );
    }

    #[test]
    fn tracks_a_pulse_train_and_fits_its_period() {
        let fr = 86.13;
        let period = 60.0 * fr / 123.0;
        let mut env = vec![0.0f32; (fr * 20.0) as usize];
        let mut t: f64 = 10.0;
        while (t as usize) < env.len() {
            env[t.round() as usize] = 1.0;
            t += period;
        }
        let beats = track(&smooth(&env), period * 1.02);
        assert!(beats.len() > 35, "{}", beats.len());
        let (p, _) = fit_period(&beats, period).unwrap();
        assert!((p / period - 1.0).abs() < 0.003, "{p} vs {period}");
    }
}
