//! A plugin's manifest (`plugin.ron`): what it is, the command that runs
//! it, its typed parameters and the values it outputs. Only an installed
//! manifest names a command; a pipeline file names a plugin, never a
//! command line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::PluginError;
use crate::orchestrator::WaveStage;

/// The manifest format this build reads.
pub const MANIFEST_VERSION: u32 = 1;
/// The manifest's file name inside a plugin's folder.
pub const MANIFEST_FILE: &str = "plugin.ron";

/// How the plugin's process lives.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum PluginMode {
    /// One process per file: the request on stdin, the reply on stdout.
    #[default]
    PerFile,
    /// One long-lived process reading one JSON request per line and
    /// answering one JSON reply per line (for plugins with a slow start).
    Persistent,
}

/// A parameter's type, range and default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum ParamKind {
    /// A number in `min..=max`.
    Float {
        /// Smallest allowed.
        min: f64,
        /// Largest allowed.
        max: f64,
        /// Used when a pipeline leaves it out.
        default: f64,
    },
    /// A whole number in `min..=max`.
    Int {
        /// Smallest allowed.
        min: i64,
        /// Largest allowed.
        max: i64,
        /// Used when a pipeline leaves it out.
        default: i64,
    },
    /// On or off.
    Bool {
        /// Used when a pipeline leaves it out.
        default: bool,
    },
    /// Free text.
    Text {
        /// Used when a pipeline leaves it out.
        default: String,
    },
    /// One of a fixed list of words.
    Choice {
        /// The allowed words.
        options: Vec<String>,
        /// Used when a pipeline leaves it out; one of `options`.
        default: String,
    },
}

/// One parameter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParamSpec {
    /// Its name in a pipeline's `params`.
    pub name: String,
    /// What it does, for the inspector's tooltip.
    #[serde(default)]
    pub help: String,
    /// Type, range and default.
    pub kind: ParamKind,
}

/// One value the plugin outputs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputSpec {
    /// The value's name in results.
    pub name: String,
    /// What it means.
    #[serde(default)]
    pub help: String,
}

/// A plugin's manifest, as written in `plugin.ron`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PluginManifest {
    /// Always `MANIFEST_VERSION`.
    pub version: u32,
    /// Unique name: lower-case letters, digits, `-` and `_`.
    pub name: String,
    /// What it does, for people.
    #[serde(default)]
    pub description: String,
    /// The stage kind its nodes run as.
    pub kind: WaveStage,
    /// The program and its arguments. A program with a `/` is relative to
    /// the plugin's folder; otherwise it is looked up on `PATH`.
    pub command: Vec<String>,
    /// One process per file, or one that stays.
    #[serde(default)]
    pub mode: PluginMode,
    /// Typed parameters.
    #[serde(default)]
    pub params: Vec<ParamSpec>,
    /// The values it outputs.
    #[serde(default)]
    pub outputs: Vec<OutputSpec>,
    /// Whether its replies carry a quality (0..1) for the quality gate.
    #[serde(default)]
    pub reports_quality: bool,
    /// Seconds a request may take by default (a node's override wins).
    #[serde(default = "default_timeout")]
    pub timeout_s: f64,
}

fn default_timeout() -> f64 {
    30.0
}

/// An installed plugin: its manifest and its folder.
#[derive(Debug, Clone, PartialEq)]
pub struct Plugin {
    /// The manifest.
    pub manifest: PluginManifest,
    /// The folder holding `plugin.ron` (the process's working directory).
    pub dir: PathBuf,
    /// A hash of the manifest's text and of the size and modification
    /// time of every file its command names: part of its nodes' cache
    /// keys, so editing a plugin invalidates what it stored.
    pub fingerprint: String,
}

impl Plugin {
    /// Reads and checks `dir/plugin.ron`.
    pub fn load(dir: &Path) -> Result<Self, PluginError> {
        let path = dir.join(MANIFEST_FILE);
        let text = std::fs::read_to_string(&path).map_err(|e| PluginError::Manifest {
            path: path.clone(),
            message: e.to_string(),
        })?;
        let manifest = parse(&text, &path)?;
        let fingerprint = fingerprint(&text, dir, &manifest.command);
        Ok(Self {
            manifest,
            dir: dir.to_path_buf(),
            fingerprint,
        })
    }

    /// The program to start: inside the plugin's folder when it names a
    /// path, else a name for `PATH`.
    pub fn program(&self) -> Option<PathBuf> {
        let first = self.manifest.command.first()?;
        Some(if first.contains('/') {
            self.dir.join(first)
        } else {
            PathBuf::from(first)
        })
    }

    /// The command as people read it, for the Plugins window and `plugins list`.
    pub fn command_line(&self) -> String {
        self.manifest.command.join(" ")
    }

    /// `params` checked against the manifest, defaults filled in; else
    /// every problem as (parameter, what is wrong).
    pub fn resolve_params(
        &self,
        params: &BTreeMap<String, Value>,
    ) -> Result<serde_json::Map<String, Value>, Vec<(String, String)>> {
        let mut out = serde_json::Map::new();
        let mut problems = Vec::new();
        let known: Vec<&str> = self
            .manifest
            .params
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        for name in params.keys() {
            if !known.contains(&name.as_str()) {
                problems.push((
                    name.clone(),
                    format!(
                        "plugin `{}` has no parameter `{name}` (it has: {})",
                        self.manifest.name,
                        if known.is_empty() {
                            "none".to_string()
                        } else {
                            known.join(", ")
                        }
                    ),
                ));
            }
        }
        for spec in &self.manifest.params {
            match check_param(spec, params.get(&spec.name)) {
                Ok(v) => {
                    out.insert(spec.name.clone(), v);
                }
                Err(e) => {
                    problems.push((spec.name.clone(), format!("parameter `{}`: {e}", spec.name)))
                }
            }
        }
        if problems.is_empty() {
            Ok(out)
        } else {
            Err(problems)
        }
    }
}

/// The manifest's text plus size and mtime of each command word that is a
/// file (relative to the plugin's folder): the program, or the script an
/// interpreter runs.
fn fingerprint(text: &str, dir: &Path, command: &[String]) -> String {
    let mut stamps = Vec::new();
    for word in command {
        let Ok(meta) = std::fs::metadata(dir.join(word)) else {
            continue;
        };
        let mtime = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        stamps.push(format!("{word}:{}:{mtime}", meta.len()));
    }
    let mut parts: Vec<&[u8]> = vec![b"wave-studio plugin", text.as_bytes()];
    parts.extend(stamps.iter().map(String::as_bytes));
    crate::library::hash_parts(parts)
}

/// Why a parameter's value does not fit its spec.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
enum ParamValueError {
    /// A number outside the spec's range.
    #[error("{value} is outside {min}..={max}")]
    OutOfRange {
        /// The value given.
        value: String,
        /// Smallest allowed.
        min: String,
        /// Largest allowed.
        max: String,
    },
    /// A value of another type.
    #[error("expected {expected}, found {found}")]
    WrongType {
        /// The type the spec asks for.
        expected: &'static str,
        /// The value given.
        found: Value,
    },
    /// A word not among the choices.
    #[error("{found} is not one of: {}", options.join(", "))]
    NotAChoice {
        /// The value given.
        found: Value,
        /// The words allowed.
        options: Vec<String>,
    },
}

/// One parameter's value (or its default) checked against its spec.
fn check_param(spec: &ParamSpec, value: Option<&Value>) -> Result<Value, ParamValueError> {
    let wrong = |expected, v: &Value| ParamValueError::WrongType {
        expected,
        found: v.clone(),
    };
    let range =
        |x: &dyn ToString, min: &dyn ToString, max: &dyn ToString| ParamValueError::OutOfRange {
            value: x.to_string(),
            min: min.to_string(),
            max: max.to_string(),
        };
    match (&spec.kind, value) {
        (ParamKind::Float { default, .. }, None) => Ok(Value::from(*default)),
        (ParamKind::Float { min, max, .. }, Some(v)) => match v.as_f64() {
            Some(x) if (*min..=*max).contains(&x) => Ok(Value::from(x)),
            Some(x) => Err(range(&x, min, max)),
            None => Err(wrong("a number", v)),
        },
        (ParamKind::Int { default, .. }, None) => Ok(Value::from(*default)),
        (ParamKind::Int { min, max, .. }, Some(v)) => match v.as_i64() {
            Some(x) if (*min..=*max).contains(&x) => Ok(Value::from(x)),
            Some(x) => Err(range(&x, min, max)),
            None => Err(wrong("a whole number", v)),
        },
        (ParamKind::Bool { default }, None) => Ok(Value::from(*default)),
        (ParamKind::Bool { .. }, Some(v)) => v
            .as_bool()
            .map(Value::from)
            .ok_or_else(|| wrong("true or false", v)),
        (ParamKind::Text { default }, None) => Ok(Value::from(default.clone())),
        (ParamKind::Text { .. }, Some(v)) => {
            v.as_str().map(Value::from).ok_or_else(|| wrong("text", v))
        }
        (ParamKind::Choice { default, .. }, None) => Ok(Value::from(default.clone())),
        (ParamKind::Choice { options, .. }, Some(v)) => match v.as_str() {
            Some(s) if options.iter().any(|o| o == s) => Ok(Value::from(s)),
            _ => Err(ParamValueError::NotAChoice {
                found: v.clone(),
                options: options.clone(),
            }),
        },
    }
}

/// Parses a manifest's text; `path` is for messages (with line:column).
pub fn parse(text: &str, path: &Path) -> Result<PluginManifest, PluginError> {
    let manifest: PluginManifest = ron::from_str(text).map_err(|e| PluginError::Manifest {
        path: path.to_path_buf(),
        message: format!("{}:{}: {}", e.span.start.line, e.span.start.col, e.code),
    })?;
    let problems = problems(&manifest);
    if problems.is_empty() {
        Ok(manifest)
    } else {
        Err(PluginError::Manifest {
            path: path.to_path_buf(),
            message: problems.join("; "),
        })
    }
}

/// What is wrong with a manifest that parsed.
fn problems(m: &PluginManifest) -> Vec<String> {
    let mut out = Vec::new();
    if m.version != MANIFEST_VERSION {
        out.push(format!(
            "version {} is not supported (this build reads version {MANIFEST_VERSION})",
            m.version
        ));
    }
    let name_ok = !m.name.is_empty()
        && m.name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if !name_ok {
        out.push(format!(
            "name `{}` must be lower-case letters, digits, `-` or `_`",
            m.name
        ));
    }
    if m.command.first().is_none_or(|c| c.trim().is_empty()) {
        out.push("command is empty: give the program to start".to_string());
    }
    if !(m.timeout_s.is_finite() && m.timeout_s > 0.0) {
        out.push(format!(
            "timeout_s {} must be a positive number",
            m.timeout_s
        ));
    }
    for p in &m.params {
        if let Err(e) = check_param(p, None).and_then(|d| check_param(p, Some(&d))) {
            out.push(format!("parameter `{}`: default {e}", p.name));
        }
    }
    out
}
