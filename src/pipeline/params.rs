//! How a built-in operation's parameter is described (name, type, bounds,
//! unit, help), as plugin manifests describe theirs, and how a value is
//! checked against its description. The tables are in
//! `operation_params.rs`.

use serde_json::{Map, Value};

use crate::orchestrator::Bounds;

/// One parameter of a built-in operation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParamInfo {
    /// Its name in pipeline files.
    pub name: &'static str,
    /// What it does, for tooltips.
    pub help: &'static str,
    /// The unit of its value ("dBFS", "BPM"...), empty when it has none.
    pub unit: &'static str,
    /// Its type and accepted values.
    pub kind: ParamType,
}

/// A parameter's type and accepted values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ParamType {
    /// A real number within `bounds`.
    Number {
        /// The accepted values.
        bounds: Bounds,
        /// What 0 means, when 0 is accepted besides `bounds`.
        zero: Option<&'static str>,
        /// A parameter this one must be above.
        above: Option<&'static str>,
    },
    /// A whole number within the bounds.
    Count(Bounds),
    /// On or off, with the text shown beside the switch.
    Switch(&'static str),
    /// One of these words.
    Choice(&'static [&'static str]),
}

impl ParamInfo {
    /// The label of its row in an editor: the name, and what 0 means.
    pub fn label(&self) -> String {
        match self.kind {
            ParamType::Number { zero: Some(z), .. } => format!("{} (0 = {z})", self.name),
            _ => self.name.to_string(),
        }
    }

    /// Why `value` is refused, with the operation's other `values` for
    /// the rules that tie two parameters together.
    pub fn problem(&self, value: &Value, values: &Map<String, Value>) -> Option<String> {
        match self.kind {
            ParamType::Number {
                bounds,
                zero,
                above,
            } => {
                let v = value.as_f64()?;
                if zero.is_some() && v == 0.0 {
                    return None;
                }
                if let Err(e) = bounds.check(v) {
                    return Some(match zero {
                        Some(z) => format!("must be 0 ({z}) or {}, got {v}", bounds.describe()),
                        None => e,
                    });
                }
                let other = above?;
                let min = values.get(other)?.as_f64()?;
                (v <= min).then(|| format!("must be above {other} ({min}), got {v}"))
            }
            ParamType::Count(bounds) => bounds.check(value.as_f64()?).err(),
            ParamType::Switch(_) | ParamType::Choice(_) => None,
        }
    }
}
