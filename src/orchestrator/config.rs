//! `WaveConfig`: how the orchestrator runs a plan. Field meanings are those
//! of DESIGN §2; defaults are the seed's.

use std::collections::BTreeSet;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::stage::WaveStage;

/// How waves are run. Every field is enforced by the orchestrator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WaveConfig {
    /// Nodes of other kinds are skipped; a skipped dependency counts as satisfied.
    pub enabled_stages: BTreeSet<WaveStage>,
    /// At most this many waves inside any one stage node at once.
    pub max_parallel_items_per_stage: usize,
    /// Bound on each attempt, in seconds; expiry is a failed attempt (`timeout`).
    pub stage_timeout_seconds: f64,
    /// A failed attempt is retried up to this many more times.
    pub max_retries_per_stage: u32,
    /// Pause between a stage finishing and its dependents starting, in ms.
    pub inter_stage_delay_ms: u64,
    /// Above this process RSS (MB) no new attempt is admitted, unless its
    /// stage has nothing running.
    pub memory_threshold_mb: f64,
    /// With `adaptive_scaling`, system CPU above this halves concurrency.
    pub cpu_threshold_percent: f64,
    /// Turns the CPU governor on.
    pub adaptive_scaling: bool,
    /// In a batch, a stage whose success rate falls below this (after
    /// `min_samples_for_success_rate` items) stops new waves being admitted.
    pub min_success_rate_per_stage: f64,
    /// On: a failed stage skips its dependents and the wave goes on.
    /// Off: the wave fails at once.
    pub allow_partial_results: bool,
    /// On: stages see all earlier results and may publish intermediate ones.
    pub progressive_mode: bool,
    /// On: a stage reporting quality ≥ `quality_threshold` skips the
    /// remaining refinement nodes.
    pub early_termination_on_quality: bool,
    /// See `early_termination_on_quality`.
    pub quality_threshold: f64,

    // Beyond the seed.
    /// At most this many waves of one batch run at once.
    pub max_concurrent_waves: usize,
    /// First retry delay; attempt k waits `base × 2^k`, capped.
    pub retry_backoff_base_ms: u64,
    /// Cap on the retry delay.
    pub retry_backoff_max_ms: u64,
    /// Jitter as a fraction of the delay, in 0..=1: the delay is shortened by
    /// up to this fraction, so waves retrying together spread out.
    pub retry_jitter: f64,
    /// Items a stage must finish in a batch before its success rate counts.
    pub min_samples_for_success_rate: usize,
    /// How often CPU and memory are sampled, in ms.
    pub resource_sample_interval_ms: u64,
    /// Threads for CPU-bound handlers; 0 means one per core.
    pub cpu_workers: usize,
}

impl Default for WaveConfig {
    fn default() -> Self {
        Self {
            enabled_stages: WaveStage::ALL.into_iter().collect(),
            max_parallel_items_per_stage: 10,
            stage_timeout_seconds: 300.0,
            max_retries_per_stage: 2,
            inter_stage_delay_ms: 100,
            memory_threshold_mb: 1000.0,
            cpu_threshold_percent: 80.0,
            adaptive_scaling: true,
            min_success_rate_per_stage: 0.8,
            allow_partial_results: true,
            progressive_mode: true,
            early_termination_on_quality: true,
            quality_threshold: 0.95,
            max_concurrent_waves: 10,
            retry_backoff_base_ms: 500,
            retry_backoff_max_ms: 30_000,
            retry_jitter: 0.1,
            min_samples_for_success_rate: 10,
            resource_sample_interval_ms: 500,
            cpu_workers: 0,
        }
    }
}

/// One invalid `WaveConfig` field.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("invalid `{field}`: {reason}")]
pub struct ConfigError {
    /// The field's name as written in pipeline files.
    pub field: &'static str,
    /// What is wrong with its value.
    pub reason: String,
}

impl WaveConfig {
    /// Checks every field; the first problem is the error.
    pub fn validate(&self) -> Result<(), ConfigError> {
        match self.problems().into_iter().next() {
            Some(problem) => Err(problem),
            None => Ok(()),
        }
    }

    /// Every invalid field, so an editor can mark them all.
    pub fn problems(&self) -> Vec<ConfigError> {
        let mut out = Vec::new();
        let mut bad = |field: &'static str, reason: String| out.push(ConfigError { field, reason });
        if self.max_parallel_items_per_stage == 0 {
            bad("max_parallel_items_per_stage", "must be at least 1".into());
        }
        if !(self.stage_timeout_seconds.is_finite() && self.stage_timeout_seconds > 0.0) {
            bad(
                "stage_timeout_seconds",
                format!("must be a positive number of seconds, got {}", self.stage_timeout_seconds),
            );
        } else if self.stage_timeout_seconds > 7.0 * 24.0 * 3600.0 {
            bad("stage_timeout_seconds", "must be at most one week".into());
        }
        if self.max_retries_per_stage > 100 {
            bad("max_retries_per_stage", format!("must be at most 100, got {}", self.max_retries_per_stage));
        }
        if self.inter_stage_delay_ms > 3_600_000 {
            bad("inter_stage_delay_ms", "must be at most one hour".into());
        }
        if !(self.memory_threshold_mb.is_finite() && self.memory_threshold_mb > 0.0) {
            bad(
                "memory_threshold_mb",
                format!("must be a positive number of MB, got {}", self.memory_threshold_mb),
            );
        }
        if !(self.cpu_threshold_percent > 0.0 && self.cpu_threshold_percent <= 100.0) {
            bad(
                "cpu_threshold_percent",
                format!("must be in (0, 100], got {}", self.cpu_threshold_percent),
            );
        }
        if !(0.0..=1.0).contains(&self.min_success_rate_per_stage) {
            bad(
                "min_success_rate_per_stage",
                format!("must be in 0..=1, got {}", self.min_success_rate_per_stage),
            );
        }
        if !(0.0..=1.0).contains(&self.quality_threshold) {
            bad("quality_threshold", format!("must be in 0..=1, got {}", self.quality_threshold));
        }
        if self.max_concurrent_waves == 0 {
            bad("max_concurrent_waves", "must be at least 1".into());
        }
        if self.retry_backoff_max_ms < self.retry_backoff_base_ms {
            bad(
                "retry_backoff_max_ms",
                format!(
                    "must be at least retry_backoff_base_ms ({}), got {}",
                    self.retry_backoff_base_ms, self.retry_backoff_max_ms
                ),
            );
        }
        if !(0.0..=1.0).contains(&self.retry_jitter) {
            bad("retry_jitter", format!("must be in 0..=1, got {}", self.retry_jitter));
        }
        if self.min_samples_for_success_rate == 0 {
            bad("min_samples_for_success_rate", "must be at least 1".into());
        }
        if self.resource_sample_interval_ms < 10 {
            bad("resource_sample_interval_ms", "must be at least 10 ms".into());
        }
        out
    }

    /// The attempt bound as a `Duration` (valid configs only).
    pub fn stage_timeout(&self) -> Duration {
        Duration::from_secs_f64(self.stage_timeout_seconds.clamp(0.001, 7.0 * 24.0 * 3600.0))
    }

    /// The backoff before retry number `retry` (0 for the first retry),
    /// before jitter: `base × 2^retry`, capped at the maximum.
    pub fn backoff(&self, retry: u32) -> Duration {
        let factor = 1u64.checked_shl(retry.min(63)).unwrap_or(u64::MAX);
        let ms = self.retry_backoff_base_ms.saturating_mul(factor).min(self.retry_backoff_max_ms);
        Duration::from_millis(ms)
    }

    /// Whether nodes of `kind` run.
    pub fn is_enabled(&self, kind: WaveStage) -> bool {
        self.enabled_stages.contains(&kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_seeds_and_valid() {
        let c = WaveConfig::default();
        assert_eq!(c.enabled_stages.len(), 7);
        assert_eq!(c.max_parallel_items_per_stage, 10);
        assert_eq!(c.stage_timeout_seconds, 300.0);
        assert_eq!(c.max_retries_per_stage, 2);
        assert_eq!(c.inter_stage_delay_ms, 100);
        assert_eq!(c.memory_threshold_mb, 1000.0);
        assert_eq!(c.cpu_threshold_percent, 80.0);
        assert!(c.adaptive_scaling);
        assert_eq!(c.min_success_rate_per_stage, 0.8);
        assert!(c.allow_partial_results);
        assert!(c.progressive_mode);
        assert!(c.early_termination_on_quality);
        assert_eq!(c.quality_threshold, 0.95);
        assert_eq!(c.validate(), Ok(()));
    }

    #[test]
    fn out_of_range_values_name_their_field() {
        let c = WaveConfig {
            stage_timeout_seconds: -1.0,
            quality_threshold: 1.5,
            max_parallel_items_per_stage: 0,
            ..WaveConfig::default()
        };
        let fields: Vec<_> = c.problems().iter().map(|p| p.field).collect();
        assert_eq!(fields, ["max_parallel_items_per_stage", "stage_timeout_seconds", "quality_threshold"]);
        let err = c.validate().unwrap_err().to_string();
        assert!(err.contains("max_parallel_items_per_stage"), "{err}");
    }

    #[test]
    fn nan_is_rejected() {
        let c = WaveConfig { cpu_threshold_percent: f64::NAN, ..WaveConfig::default() };
        assert_eq!(c.validate().unwrap_err().field, "cpu_threshold_percent");
    }

    #[test]
    fn backoff_doubles_and_caps() {
        let c = WaveConfig { retry_backoff_base_ms: 100, retry_backoff_max_ms: 1000, ..WaveConfig::default() };
        let ms: Vec<u128> = (0..6).map(|k| c.backoff(k).as_millis()).collect();
        assert_eq!(ms, [100, 200, 400, 800, 1000, 1000]);
        assert_eq!(c.backoff(200).as_millis(), 1000);
    }
}
