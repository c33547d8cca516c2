//! `WaveConfig`: how the orchestrator runs a plan. Field meanings are those
//! of DESIGN §2; defaults are the seed's. Each field is declared once, with
//! the metadata an editor shows (`WaveConfig::FIELDS`).

use std::collections::BTreeSet;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::bounds::Bounds;
use super::stage::WaveStage;

/// What an editor needs to know about one `WaveConfig` field. Built by
/// `config_fields!` from the struct's own declaration, so the help text is
/// the field's doc comment and cannot drift from it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConfigField {
    /// The field's name, as written in pipeline files.
    pub name: &'static str,
    /// The field's doc comment, its lines joined.
    pub doc: &'static str,
    /// The unit of its value ("s", "ms", "MB"...), empty when it has none.
    pub unit: &'static str,
    /// The values it accepts (numbers only), checked by `validate()` and
    /// shown by editors.
    pub bounds: Option<Bounds>,
    /// A sensible increment when the value is dragged in an editor.
    pub step: f64,
}

impl ConfigField {
    /// The doc text as one trimmed paragraph, for a tooltip.
    pub fn help(&self) -> &'static str {
        self.doc.trim()
    }
}

/// One `WaveConfig` field's value, borrowed for editing.
#[derive(Debug)]
pub enum ConfigValueMut<'a> {
    /// A count (waves, items, threads).
    Count(&'a mut usize),
    /// A small count (retries).
    Small(&'a mut u32),
    /// Milliseconds.
    Millis(&'a mut u64),
    /// A real number.
    Number(&'a mut f64),
    /// A switch.
    Switch(&'a mut bool),
    /// A set of stage kinds.
    Stages(&'a mut BTreeSet<WaveStage>),
}

macro_rules! value_from {
    ($($ty:ty => $variant:ident),+ $(,)?) => {$(
        impl<'a> From<&'a mut $ty> for ConfigValueMut<'a> {
            fn from(value: &'a mut $ty) -> Self {
                ConfigValueMut::$variant(value)
            }
        }
    )+};
}

value_from!(
    usize => Count,
    u32 => Small,
    u64 => Millis,
    f64 => Number,
    bool => Switch,
    BTreeSet<WaveStage> => Stages,
);

/// A field's value as a number, for checking it against its bounds.
trait AsNumber {
    fn as_number(&self) -> Option<f64>;
}

macro_rules! as_number {
    ($($ty:ty),+) => {$(
        impl AsNumber for $ty {
            #[allow(clippy::cast_precision_loss, reason = "compared with bounds far below 2^52")]
            fn as_number(&self) -> Option<f64> {
                Some(*self as f64)
            }
        }
    )+};
}

as_number!(usize, u32, u64, f64);

impl AsNumber for bool {
    fn as_number(&self) -> Option<f64> {
        None
    }
}

impl AsNumber for BTreeSet<WaveStage> {
    fn as_number(&self) -> Option<f64> {
        None
    }
}

/// Declares `WaveConfig` and, from the same text, `WaveConfig::FIELDS` and
/// `WaveConfig::field_mut`: each field is written once, with its docs and
/// `[unit, bounds, step]`: the one place the limits live.
macro_rules! config_fields {
    (
        $(#[$meta:meta])*
        pub struct WaveConfig {
            $(
                $(#[doc = $doc:literal])+
                pub $field:ident: $ty:ty => [$unit:literal, $bounds:expr, $step:literal],
            )+
        }
    ) => {
        $(#[$meta])*
        pub struct WaveConfig {
            $(
                $(#[doc = $doc])+
                pub $field: $ty,
            )+
        }

        impl WaveConfig {
            /// Every field in declaration (and file) order, with its docs.
            pub const FIELDS: &'static [ConfigField] = &[$(
                ConfigField {
                    name: stringify!($field),
                    doc: concat!($($doc),+),
                    unit: $unit,
                    bounds: $bounds,
                    step: $step,
                },
            )+];

            /// The value of the numeric field called `name`.
            pub fn number(&self, name: &str) -> Option<f64> {
                match name {
                    $(stringify!($field) => AsNumber::as_number(&self.$field),)+
                    _ => None,
                }
            }

            /// The field called `name`, borrowed for editing.
            pub fn field_mut(&mut self, name: &str) -> Option<ConfigValueMut<'_>> {
                match name {
                    $(stringify!($field) => Some(ConfigValueMut::from(&mut self.$field)),)+
                    _ => None,
                }
            }
        }
    };
}

config_fields! {
    /// How waves are run. Every field is enforced by the orchestrator.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(default, deny_unknown_fields)]
    pub struct WaveConfig {
        /// Nodes of other kinds are skipped; a skipped dependency counts as
        /// satisfied.
        pub enabled_stages: BTreeSet<WaveStage> => ["", None, 1.0],
        /// At most this many waves inside any one stage node at once (a limit
        /// per node, shared by all waves).
        pub max_parallel_items_per_stage: usize => ["waves", Some(Bounds::closed(1.0, 10_000.0)), 1.0],
        /// Bound on each attempt, in seconds; on expiry the attempt is
        /// cancelled and counts as a failed attempt (`timeout`).
        pub stage_timeout_seconds: f64 => ["s", Some(TIMEOUT_BOUNDS), 1.0],
        /// A failed attempt is retried up to this many more times, with
        /// exponential backoff; permanent errors are not retried.
        pub max_retries_per_stage: u32 => ["retries", Some(RETRIES_BOUNDS), 1.0],
        /// Pause between a stage finishing and its dependents starting, within
        /// a wave, in ms; it holds no concurrency slot.
        pub inter_stage_delay_ms: u64 => ["ms", Some(Bounds::closed(0.0, 3_600_000.0).reads("in 0..=3600000 (at most one hour)")), 1.0],
        /// While process memory (RSS) is above this many MB, no new attempt is
        /// admitted unless its stage has nothing running.
        pub memory_threshold_mb: f64 => ["MB", Some(Bounds::above(0.0, 1_048_576.0).reads("a positive number of MB, at most 1048576 (1 TB)")), 10.0],
        /// With `adaptive_scaling`, system CPU above this halves the effective
        /// per-stage concurrency (not below 1); below it, concurrency grows
        /// by 1.
        pub cpu_threshold_percent: f64 => ["%", Some(Bounds::above(0.0, 100.0)), 0.5],
        /// Turns the CPU governor on; off means fixed concurrency.
        pub adaptive_scaling: bool => ["", None, 1.0],
        /// In a batch, once a stage has finished `min_samples_for_success_rate`
        /// items, a success rate below this stops new waves being admitted;
        /// running waves finish.
        pub min_success_rate_per_stage: f64 => ["", Some(Bounds::closed(0.0, 1.0)), 0.01],
        /// On: a failed stage skips its dependents and the wave goes on
        /// (partial). Off: the wave fails at once.
        pub allow_partial_results: bool => ["", None, 1.0],
        /// On: stages see all earlier results and may publish intermediate
        /// estimates.
        pub progressive_mode: bool => ["", None, 1.0],
        /// On: when a finished stage reports quality ≥ `quality_threshold`,
        /// the remaining refinement nodes are skipped.
        pub early_termination_on_quality: bool => ["", None, 1.0],
        /// Quality at which early termination skips the refinement nodes (see
        /// `early_termination_on_quality`).
        pub quality_threshold: f64 => ["", Some(Bounds::closed(0.0, 1.0)), 0.01],

        // Beyond the seed.
        /// At most this many waves (files) of one batch run at once.
        pub max_concurrent_waves: usize => ["files", Some(Bounds::closed(1.0, 10_000.0)), 1.0],
        /// First retry delay, in ms; attempt k waits `base × 2^k`, capped.
        pub retry_backoff_base_ms: u64 => ["ms", Some(Bounds::closed(0.0, 3_600_000.0)), 10.0],
        /// Cap on the retry delay, in ms.
        pub retry_backoff_max_ms: u64 => ["ms", Some(Bounds::closed(0.0, 86_400_000.0)), 100.0],
        /// Jitter as a fraction of the delay, in 0..=1: the delay is shortened
        /// by up to this fraction, so waves retrying together spread out.
        pub retry_jitter: f64 => ["", Some(Bounds::closed(0.0, 1.0)), 0.01],
        /// Items a stage must finish in a batch before its success rate
        /// counts.
        pub min_samples_for_success_rate: usize => ["items", Some(Bounds::closed(1.0, 1_000_000.0)), 1.0],
        /// How often CPU and memory are sampled, in ms.
        pub resource_sample_interval_ms: u64 => ["ms", Some(Bounds::closed(10.0, 60_000.0)), 10.0],
        /// Threads for CPU-bound handlers; 0 means one per core.
        pub cpu_workers: usize => ["threads", Some(Bounds::closed(0.0, 1024.0)), 1.0],
    }
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

/// Attempt timeouts, the config's and a node's override alike.
pub const TIMEOUT_BOUNDS: Bounds =
    Bounds::above(0.0, 604_800.0).reads("a positive number of seconds, at most one week (604800)");
/// Retries per attempt, the config's and a node's override alike.
pub const RETRIES_BOUNDS: Bounds = Bounds::closed(0.0, 100.0);

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

    /// Every invalid field, so an editor can mark them all: each number
    /// against the bounds declared beside it, then the rules that tie two
    /// fields together.
    pub fn problems(&self) -> Vec<ConfigError> {
        let mut out: Vec<ConfigError> = Self::FIELDS
            .iter()
            .filter_map(|f| {
                let bounds = f.bounds?;
                let reason = bounds.check(self.number(f.name)?).err()?;
                Some(ConfigError {
                    field: f.name,
                    reason,
                })
            })
            .collect();
        if self.retry_backoff_max_ms < self.retry_backoff_base_ms {
            out.push(ConfigError {
                field: "retry_backoff_max_ms",
                reason: format!(
                    "must be at least retry_backoff_base_ms ({}), got {}",
                    self.retry_backoff_base_ms, self.retry_backoff_max_ms
                ),
            });
        }
        out
    }

    /// The bounds of the numeric field called `name`.
    pub fn bounds(name: &str) -> Option<Bounds> {
        Self::FIELDS.iter().find(|f| f.name == name)?.bounds
    }

    /// The attempt bound as a `Duration` (valid configs only).
    pub fn stage_timeout(&self) -> Duration {
        Duration::from_secs_f64(self.stage_timeout_seconds.clamp(0.001, TIMEOUT_BOUNDS.max))
    }

    /// The backoff before retry number `retry` (0 for the first retry),
    /// before jitter: `base × 2^retry`, capped at the maximum.
    pub fn backoff(&self, retry: u32) -> Duration {
        let factor = 1u64.checked_shl(retry.min(63)).unwrap_or(u64::MAX);
        let ms = self
            .retry_backoff_base_ms
            .saturating_mul(factor)
            .min(self.retry_backoff_max_ms);
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
    fn every_number_has_bounds_and_a_semaphore_sized_value_is_refused() {
        for field in WaveConfig::FIELDS {
            let numeric = WaveConfig::default().number(field.name).is_some();
            assert_eq!(numeric, field.bounds.is_some(), "{}", field.name);
        }
        // Above tokio's semaphore limit: `run` panicked on it once.
        let c = WaveConfig {
            max_concurrent_waves: 2_305_843_009_213_693_952,
            ..WaveConfig::default()
        };
        let e = c.validate().unwrap_err();
        assert_eq!(e.field, "max_concurrent_waves");
        assert!(e.reason.contains("1..=10000"), "{e}");
        let c = WaveConfig {
            cpu_threshold_percent: 100.0,
            ..WaveConfig::default()
        };
        assert!(c.validate().is_ok(), "100 % is the documented maximum");
    }

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
        assert_eq!(
            fields,
            [
                "max_parallel_items_per_stage",
                "stage_timeout_seconds",
                "quality_threshold"
            ]
        );
        let err = c.validate().unwrap_err().to_string();
        assert!(err.contains("max_parallel_items_per_stage"), "{err}");
    }

    #[test]
    fn nan_is_rejected() {
        let c = WaveConfig {
            cpu_threshold_percent: f64::NAN,
            ..WaveConfig::default()
        };
        assert_eq!(c.validate().unwrap_err().field, "cpu_threshold_percent");
    }

    #[test]
    fn the_field_table_covers_every_serialized_field() {
        let json = serde_json::to_value(WaveConfig::default()).unwrap();
        let serialized: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut names: Vec<&str> = WaveConfig::FIELDS.iter().map(|f| f.name).collect();
        names.sort_unstable();
        let mut serialized_sorted = serialized.clone();
        serialized_sorted.sort_unstable();
        assert_eq!(names, serialized_sorted);
        let mut c = WaveConfig::default();
        for field in WaveConfig::FIELDS {
            assert!(c.field_mut(field.name).is_some(), "{}", field.name);
            assert!(!field.help().is_empty(), "{} has docs", field.name);
        }
        assert!(c.field_mut("no_such_field").is_none());
    }

    #[test]
    fn help_text_is_the_field_doc_and_edits_reach_the_field() {
        let jitter = WaveConfig::FIELDS
            .iter()
            .find(|f| f.name == "retry_jitter")
            .unwrap();
        assert!(
            jitter
                .help()
                .starts_with("Jitter as a fraction of the delay")
        );
        assert!(jitter.help().contains("shortened by up to this fraction"));
        assert_eq!(jitter.bounds, Some(Bounds::closed(0.0, 1.0)));
        let mut c = WaveConfig::default();
        if let Some(ConfigValueMut::Number(v)) = c.field_mut("retry_jitter") {
            *v = 0.25;
        }
        assert_eq!(c.retry_jitter, 0.25);
        if let Some(ConfigValueMut::Millis(v)) = c.field_mut("retry_backoff_max_ms") {
            *v = 9;
        }
        assert_eq!(c.retry_backoff_max_ms, 9);
    }

    #[test]
    fn backoff_doubles_and_caps() {
        let c = WaveConfig {
            retry_backoff_base_ms: 100,
            retry_backoff_max_ms: 1000,
            ..WaveConfig::default()
        };
        let ms: Vec<u128> = (0..6).map(|k| c.backoff(k).as_millis()).collect();
        assert_eq!(ms, [100, 200, 400, 800, 1000, 1000]);
        assert_eq!(c.backoff(200).as_millis(), 1000);
    }
}
