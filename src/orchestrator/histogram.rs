//! A log-bucketed duration histogram: constant memory, ~3 % resolution,
//! for p50/p95 over any number of samples.

use std::time::Duration;

const SUB_BITS: u32 = 5;
const SUB: u64 = 1 << SUB_BITS; // buckets per power of two
const LINEAR: u64 = 2 * SUB; // below this, one bucket per ns
const BUCKETS: usize = (LINEAR + (64 - (SUB_BITS + 1) as u64) * SUB) as usize;

/// Counts of durations in logarithmic buckets.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Histogram {
    counts: Vec<u32>,
    total: u64,
    max_ns: u64,
}

fn bucket(ns: u64) -> usize {
    if ns < LINEAR {
        return ns as usize;
    }
    let e = 63 - u64::from(ns.leading_zeros()); // ≥ SUB_BITS + 1
    let mantissa = (ns >> (e - u64::from(SUB_BITS))) - SUB;
    (LINEAR + (e - u64::from(SUB_BITS) - 1) * SUB + mantissa) as usize
}

/// The middle of a bucket, in ns.
fn bucket_mid(index: usize) -> u64 {
    let i = index as u64;
    if i < LINEAR {
        return i;
    }
    let e = (i - LINEAR) / SUB + u64::from(SUB_BITS) + 1;
    let mantissa = (i - LINEAR) % SUB;
    let width = 1u64 << (e - u64::from(SUB_BITS));
    let low = (SUB + mantissa) << (e - u64::from(SUB_BITS));
    low.saturating_add(width / 2)
}

impl Histogram {
    /// Adds one sample.
    pub fn record(&mut self, d: Duration) {
        let ns = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        if self.counts.is_empty() {
            self.counts = vec![0; BUCKETS];
        }
        let b = bucket(ns).min(BUCKETS - 1);
        self.counts[b] = self.counts[b].saturating_add(1);
        self.total += 1;
        self.max_ns = self.max_ns.max(ns);
    }

    /// Number of samples.
    pub fn len(&self) -> u64 {
        self.total
    }

    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The largest sample.
    pub fn max(&self) -> Duration {
        Duration::from_nanos(self.max_ns)
    }

    /// The q-quantile (0..=1), within a bucket's width.
    pub fn quantile(&self, q: f64) -> Duration {
        if self.total == 0 {
            return Duration::ZERO;
        }
        let rank = ((q.clamp(0.0, 1.0) * self.total as f64).ceil() as u64).max(1);
        let mut seen = 0u64;
        for (i, &c) in self.counts.iter().enumerate() {
            seen += u64::from(c);
            if seen >= rank {
                return Duration::from_nanos(bucket_mid(i).min(self.max_ns));
            }
        }
        self.max()
    }

    /// Adds another histogram's samples.
    pub fn merge(&mut self, other: &Histogram) {
        if other.total == 0 {
            return;
        }
        if self.counts.is_empty() {
            self.counts = vec![0; BUCKETS];
        }
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a = a.saturating_add(*b);
        }
        self.total += other.total;
        self.max_ns = self.max_ns.max(other.max_ns);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_monotonic_and_mids_inside() {
        let mut last = 0;
        for ns in (0..10_000u64).chain([1 << 20, (1 << 20) + 12345, 1 << 40, u64::MAX]) {
            let b = bucket(ns);
            assert!(b >= last || ns == 1 << 20, "ns {ns}");
            last = b;
            assert!(b < BUCKETS);
            let mid = bucket_mid(b) as f64;
            if ns > 0 {
                assert!((mid - ns as f64).abs() / (ns as f64) < 0.04, "ns {ns} mid {mid}");
            }
        }
    }

    #[test]
    fn quantiles_match_a_sorted_reference() {
        let mut rng = fastrand::Rng::with_seed(7);
        let mut h = Histogram::default();
        let mut samples: Vec<u64> = (0..5000).map(|_| rng.u64(1_000..50_000_000)).collect();
        for &s in &samples {
            h.record(Duration::from_nanos(s));
        }
        samples.sort_unstable();
        for q in [0.5, 0.95, 0.99] {
            let reference = samples[((q * samples.len() as f64).ceil() as usize) - 1] as f64;
            let got = h.quantile(q).as_nanos() as f64;
            assert!((got - reference).abs() / reference < 0.04, "q {q}: {got} vs {reference}");
        }
        assert_eq!(h.max().as_nanos() as u64, *samples.last().unwrap());
    }
}
