//! Plugins: stages anyone can add. A plugin is a folder with a manifest
//! (`plugin.ron`) and a program; the program gets one JSON request per
//! file on stdin and answers with JSON on stdout. Found in the platform's
//! data directory (`~/.local/share/wave-studio/plugins/`) and in folders
//! given on the command line.

mod manifest;
mod persistent;
mod process;
mod reaper;
mod registry;

use std::path::PathBuf;

pub use manifest::{
    MANIFEST_FILE, MANIFEST_VERSION, OutputSpec, ParamKind, ParamSpec, Plugin, PluginManifest,
    PluginMode, parse,
};
pub use persistent::Persistent;
pub use process::{MAX_REPLY_BYTES, PROTOCOL_VERSION, Reply, Request, run_once};
pub use reaper::{TOKEN_VAR, Tracked};
pub use registry::{Installed, PLUGINS_ENV, add_search_dir, default_dir, search_dirs};

/// What can go wrong with a plugin; each names the plugin or its file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PluginError {
    /// The manifest cannot be read or is not valid.
    #[error("plugin manifest {path}: {message}")]
    Manifest {
        /// The manifest file.
        path: PathBuf,
        /// What is wrong, with line:column where the parser gives one.
        message: String,
    },
    /// Running the plugin failed.
    #[error("plugin `{plugin}`: {message}")]
    Run {
        /// The plugin's name.
        plugin: String,
        /// What happened.
        message: String,
    },
    /// No reply in time: the process group was killed.
    #[error("plugin `{plugin}`: no reply within {seconds:.1} s (killed)")]
    Timeout {
        /// The plugin's name.
        plugin: String,
        /// The time it had.
        seconds: f64,
    },
    /// The plugin answered with its own `error`: retrying will not help.
    #[error("plugin `{plugin}`: {message}")]
    Refused {
        /// The plugin's name.
        plugin: String,
        /// The plugin's message.
        message: String,
    },
    /// The request was cancelled (the process was killed).
    #[error("cancelled")]
    Cancelled,
}

#[cfg(test)]
mod tests;
