//! Tuning the quality gate from history: for past files, the quick
//! estimate's confidence and whether the refinement changed the answer.
//! From those, the calibration (how often the quick answer held, per
//! confidence bin) and the lowest `quality_threshold` that keeps agreement
//! with the refined answer at or above a target — the lowest threshold
//! skips the most refinement work.

mod history;

use serde::Serialize;

pub use history::{HistoryError, history};

/// No threshold is suggested from fewer files than this.
pub const MIN_FILES: usize = 50;
/// The default agreement target.
pub const DEFAULT_TARGET: f64 = 0.99;
/// Thresholds are suggested on this grid (the inspector's step).
const STEPS: u32 = 100;

/// One past file.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Sample {
    /// The quick estimate's confidence (the gate's quality), 0..=1.
    pub confidence: f64,
    /// The refinement gave the same answer as the quick estimate.
    pub agreed: bool,
}

/// How often the quick answer held in one confidence bin.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bin {
    /// The bin's lower edge (inclusive).
    pub from: f64,
    /// Its upper edge (exclusive; the last bin includes 1.0).
    pub to: f64,
    /// Files in it.
    pub files: usize,
    /// Files whose refinement agreed with the quick answer.
    pub agreed: usize,
}

impl Bin {
    /// Agreed over files, when there are any.
    pub fn hit_rate(&self) -> Option<f64> {
        (self.files > 0).then(|| self.agreed as f64 / self.files as f64)
    }
}

/// A suggested `quality_threshold`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    /// The threshold: files whose confidence is at least this skip the
    /// refinement.
    pub threshold: f64,
    /// Share of files whose refinement it skips, 0..=1.
    pub skipped: f64,
    /// Expected share of files whose answer differs from the refined
    /// one (those skipped whose refinement would have changed it), 0..=1.
    pub disagreement: f64,
}

/// The calibration and, from enough files, the suggestion.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tuning {
    /// Files the history holds.
    pub files: usize,
    /// The agreement target, 0..=1.
    pub target: f64,
    /// Ten bins of confidence, 0.0–0.1 to 0.9–1.0.
    pub calibration: Vec<Bin>,
    /// The suggestion; `None` below [`MIN_FILES`] files.
    pub suggestion: Option<Suggestion>,
}

impl Tuning {
    /// Why there is no suggestion, for people.
    pub fn no_suggestion_reason(&self) -> Option<String> {
        (self.suggestion.is_none()).then(|| {
            format!(
                "no suggestion: {} file(s) with both a quick and a refined answer; at least {MIN_FILES} are needed",
                self.files
            )
        })
    }
}

/// The calibration of `samples` in ten bins.
pub fn calibration(samples: &[Sample]) -> Vec<Bin> {
    let mut bins: Vec<Bin> = (0..10)
        .map(|i| Bin {
            from: f64::from(i) / 10.0,
            to: f64::from(i + 1) / 10.0,
            files: 0,
            agreed: 0,
        })
        .collect();
    for s in samples {
        let i = ((s.confidence.clamp(0.0, 1.0) * 10.0) as usize).min(9);
        if let Some(bin) = bins.get_mut(i) {
            bin.files += 1;
            bin.agreed += usize::from(s.agreed);
        }
    }
    bins
}

/// What threshold `k / STEPS` gives: files skipped and files that would
/// then disagree with the refined answer.
fn at_step(samples: &[Sample], k: u32) -> (usize, usize) {
    let t = f64::from(k) / f64::from(STEPS);
    samples
        .iter()
        .filter(|s| s.confidence >= t)
        .fold((0, 0), |(skipped, wrong), s| {
            (skipped + 1, wrong + usize::from(!s.agreed))
        })
}

/// The lowest threshold on the 0.01 grid whose agreement (refined files
/// agree by definition; skipped ones when their quick answer held) is at
/// least `target`. A threshold above every confidence skips nothing and
/// always qualifies, so there is always an answer.
pub fn suggest(samples: &[Sample], target: f64) -> Option<Suggestion> {
    if samples.is_empty() {
        return None;
    }
    let n = samples.len() as f64;
    for k in 0..=STEPS {
        let (skipped, wrong) = at_step(samples, k);
        let agreement = 1.0 - wrong as f64 / n;
        // A tiny slack for the division's rounding: exactly the target is
        // enough.
        if agreement + 1e-12 >= target {
            return Some(Suggestion {
                threshold: f64::from(k) / f64::from(STEPS),
                skipped: skipped as f64 / n,
                disagreement: wrong as f64 / n,
            });
        }
    }
    Some(Suggestion {
        threshold: 1.0,
        skipped: 0.0,
        disagreement: 0.0,
    })
}

/// Calibration and suggestion (none from fewer than [`MIN_FILES`]).
pub fn tune(samples: &[Sample], target: f64) -> Tuning {
    Tuning {
        files: samples.len(),
        target,
        calibration: calibration(samples),
        suggestion: if samples.len() >= MIN_FILES {
            suggest(samples, target)
        } else {
            None
        },
    }
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        reason = "a failed unwrap in a test is a failed test"
    )]

    use super::*;

    /// `n` files at `confidence`, the first `wrong` of them changed by the
    /// refinement.
    fn files(n: usize, confidence: f64, wrong: usize) -> Vec<Sample> {
        (0..n)
            .map(|i| Sample {
                confidence,
                agreed: i >= wrong,
            })
            .collect()
    }

    /// 100 files: 20 at 0.35 (10 changed), 20 at 0.65 (2 changed), 30 at
    /// 0.82 (1 changed), 30 at 0.93 (none changed).
    fn history() -> Vec<Sample> {
        [
            files(20, 0.35, 10),
            files(20, 0.65, 2),
            files(30, 0.82, 1),
            files(30, 0.93, 0),
        ]
        .concat()
    }

    #[test]
    fn calibration_counts_files_and_hits_per_bin() {
        let bins = calibration(&history());
        assert_eq!((bins[3].files, bins[3].agreed), (20, 10));
        assert_eq!((bins[6].files, bins[6].agreed), (20, 18));
        assert_eq!((bins[8].files, bins[8].agreed), (30, 29));
        assert_eq!((bins[9].files, bins[9].agreed), (30, 30));
        assert_eq!(bins[0].hit_rate(), None);
        assert_eq!(bins[3].hit_rate(), Some(0.5));
    }

    #[test]
    fn the_lowest_threshold_that_meets_the_target_skips_the_most() {
        let h = history();
        // 99 %: at most 1 wrong in 100. Skipping from 0.66 up skips the
        // 0.82 and 0.93 files (60) with 1 wrong; from 0.36 up would add 2.
        let s = suggest(&h, 0.99).unwrap();
        assert_eq!(s.threshold, 0.66);
        assert_eq!(s.skipped, 0.6);
        assert_eq!(s.disagreement, 0.01);
        // 97 %: 3 wrong allowed: from 0.36 up (80 files, 3 wrong).
        let s = suggest(&h, 0.97).unwrap();
        assert_eq!((s.threshold, s.skipped, s.disagreement), (0.36, 0.8, 0.03));
        // 100 %: no wrong answer: only the 0.93 files may skip.
        let s = suggest(&h, 1.0).unwrap();
        assert_eq!((s.threshold, s.skipped, s.disagreement), (0.83, 0.3, 0.0));
    }

    #[test]
    fn no_suggestion_below_fifty_files() {
        let few = files(49, 0.9, 0);
        let t = tune(&few, 0.99);
        assert_eq!(t.suggestion, None);
        assert!(t.no_suggestion_reason().unwrap().contains("at least 50"));
        let enough = files(50, 0.9, 0);
        let s = tune(&enough, 0.99).suggestion.unwrap();
        assert_eq!((s.threshold, s.skipped), (0.0, 1.0));
    }
}
