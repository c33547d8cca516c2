//! The parameters of every built-in operation, described once: the
//! inspector draws them, `Operation::problems` checks them and the docs
//! name them from these tables, so adding an operation touches one place.

use serde_json::{Map, Value};

use super::operation::Operation;
use super::params::{ParamInfo, ParamType};
use crate::orchestrator::Bounds;

impl Operation {
    /// The parameter values of a built-in operation, by name (`None` for
    /// a plugin, whose parameters its manifest describes).
    pub fn param_values(&self) -> Option<Map<String, Value>> {
        if matches!(self, Operation::Plugin { .. }) {
            return None;
        }
        match serde_json::to_value(self).ok()? {
            // A struct variant: `{"Tempo": {"refine": …}}`.
            Value::Object(mut outer) => match outer.remove(self.info().name)? {
                Value::Object(values) => Some(values),
                _ => None,
            },
            // A unit variant has no parameters.
            _ => Some(Map::new()),
        }
    }

    /// This operation with its parameters replaced by `values` (`None`
    /// when they do not fit its type).
    pub fn with_param_values(&self, values: Map<String, Value>) -> Option<Operation> {
        if self.params().is_empty() {
            // A unit variant (or a plugin): nothing to replace.
            return values.is_empty().then(|| self.clone());
        }
        let mut outer = Map::new();
        outer.insert(self.info().name.to_string(), Value::Object(values));
        serde_json::from_value(Value::Object(outer)).ok()
    }

    /// Every parameter out of range, as (parameter, reason), read from
    /// the operation's parameter table. A plugin's parameters are checked
    /// against its manifest (`validate_with`).
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let Some(values) = self.param_values() else {
            return Vec::new();
        };
        self.params()
            .iter()
            .filter_map(|p| {
                let reason = p.problem(values.get(p.name)?, &values)?;
                Some((p.name, reason))
            })
            .collect()
    }

    /// Its parameters, described once: the inspector draws them and
    /// `problems` checks them from this table (a plugin's are in its
    /// manifest).
    pub fn params(&self) -> &'static [ParamInfo] {
        match self {
            Operation::Decode { .. } => DECODE_PARAMS,
            Operation::Tempo { .. } => TEMPO_PARAMS,
            Operation::Key { .. } => KEY_PARAMS,
            Operation::Notation { .. } => NOTATION_PARAMS,
            Operation::LoudnessGate { .. } => LOUDNESS_GATE_PARAMS,
            Operation::Probe
            | Operation::Spectral
            | Operation::Confidence
            | Operation::Aggregate
            | Operation::Write
            | Operation::Plugin { .. } => &[],
        }
    }
}

/// A number parameter within `bounds`.
const fn number(
    name: &'static str,
    unit: &'static str,
    bounds: Bounds,
    help: &'static str,
) -> ParamInfo {
    ParamInfo {
        name,
        help,
        unit,
        kind: ParamType::Number {
            bounds,
            zero: None,
            above: None,
        },
    }
}

/// A switch parameter, with the text shown beside it.
const fn switch(name: &'static str, text: &'static str, help: &'static str) -> ParamInfo {
    ParamInfo {
        name,
        help,
        unit: "",
        kind: ParamType::Switch(text),
    }
}

/// The accepted tempo range ends, BPM.
const BPM_BOUNDS: Bounds = Bounds::closed(20.0, 400.0);

const DECODE_PARAMS: &[ParamInfo] = &[
    number(
        "silence_dbfs",
        "dBFS",
        Bounds::closed(-200.0, 0.0),
        "Level below which samples count as silence.",
    ),
    ParamInfo {
        name: "excerpt_s",
        help: "Decode only this many seconds from the start, for quick estimates; 0 decodes \
               the whole file. An excerpt reports no loudness (it would not be the file's).",
        unit: "s",
        kind: ParamType::Number {
            bounds: Bounds::closed(5.0, 3600.0),
            zero: Some("the whole file"),
            above: None,
        },
    },
    switch(
        "true_peak",
        "",
        "Measure the oversampled true peak (slower); off, the sample peak stands in.",
    ),
];

const TEMPO_PARAMS: &[ParamInfo] = &[
    number(
        "min_bpm",
        "BPM",
        BPM_BOUNDS,
        "Lower end of the preferred tempo range; estimates are drawn towards the range.",
    ),
    ParamInfo {
        name: "max_bpm",
        help: "Upper end of the preferred tempo range.",
        unit: "BPM",
        kind: ParamType::Number {
            bounds: BPM_BOUNDS,
            zero: None,
            above: Some("min_bpm"),
        },
    },
    switch(
        "refine",
        "beat tracking",
        "Refine the first estimate by beat tracking (which also reports the beats).",
    ),
];

const KEY_PARAMS: &[ParamInfo] = &[
    ParamInfo {
        name: "profile",
        help: "Profile family of the quick estimate; unused when `refine` is on.",
        unit: "",
        kind: ParamType::Choice(&["Auto", "Krumhansl", "Temperley"]),
    },
    switch(
        "refine",
        "all profiles",
        "Let three profile families (Temperley–Kostka–Payne, Bellman–Budge, Aarden–Essen) \
         vote instead of asking `profile` alone.",
    ),
];

const NOTATION_PARAMS: &[ParamInfo] = &[
    ParamInfo {
        name: "key_notation",
        help: "How the key is written in `key_display`.",
        unit: "",
        kind: ParamType::Choice(&["Camelot", "Standard", "OpenKey"]),
    },
    ParamInfo {
        name: "bpm_decimals",
        help: "Decimals of `bpm_display`.",
        unit: "",
        kind: ParamType::Count(Bounds::closed(0.0, 3.0)),
    },
];

const LOUDNESS_GATE_PARAMS: &[ParamInfo] = &[
    number(
        "target_lufs",
        "LUFS",
        Bounds::closed(-70.0, 0.0),
        "Target integrated loudness.",
    ),
    number(
        "tolerance_lu",
        "LU",
        Bounds::above(0.0, 20.0),
        "How far from the target integrated loudness may be.",
    ),
    number(
        "max_true_peak_dbtp",
        "dBTP",
        Bounds::closed(-20.0, 6.0),
        "Ceiling for the true peak.",
    ),
    switch(
        "fail_on_violation",
        "",
        "Fail the stage (not only report quality 0) on a violation.",
    ),
];

#[cfg(test)]
mod tests {
    use crate::pipeline::Operation;

    #[test]
    fn every_parameter_of_every_operation_is_described_and_round_trips() {
        for op in Operation::catalog() {
            let values = op.param_values().unwrap();
            let described: Vec<&str> = op.params().iter().map(|p| p.name).collect();
            let mut names: Vec<&str> = values.keys().map(String::as_str).collect();
            names.sort_unstable();
            let mut sorted = described.clone();
            sorted.sort_unstable();
            assert_eq!(names, sorted, "{op:?}");
            assert_eq!(op.with_param_values(values), Some(op.clone()));
        }
    }

    #[test]
    fn the_table_decides_what_is_refused() {
        let op = Operation::Decode {
            silence_dbfs: -60.0,
            true_peak: true,
            excerpt_s: 2.0,
        };
        assert_eq!(
            op.problems(),
            [(
                "excerpt_s",
                "must be 0 (the whole file) or in 5..=3600, got 2".to_string()
            )]
        );
        let op = Operation::Tempo {
            refine: false,
            min_bpm: 150.0,
            max_bpm: 100.0,
        };
        assert_eq!(op.problems()[0].0, "max_bpm");
        assert!(op.problems()[0].1.contains("above min_bpm"));
        let op = Operation::Notation {
            key_notation: Default::default(),
            bpm_decimals: 4,
        };
        assert_eq!(op.problems()[0].0, "bpm_decimals");
    }
}
