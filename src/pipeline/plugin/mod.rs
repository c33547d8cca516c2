//! Plugins: stages anyone can add. A plugin is a folder with a manifest
//! (`plugin.ron`) and a program; the program gets one JSON request per
//! file on stdin and answers with JSON on stdout. Found in the platform's
//! data directory (`~/.local/share/wave-studio/plugins/`) and in folders
//! given on the command line.

mod manifest;
mod process;
mod registry;

use std::path::PathBuf;

pub use manifest::{
    MANIFEST_FILE, MANIFEST_VERSION, OutputSpec, ParamKind, ParamSpec, Plugin, PluginManifest,
    PluginMode, parse,
};
pub use process::{MAX_REPLY_BYTES, Reply, Request, run_once};
pub use registry::{Installed, default_dir};

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
    /// The request was cancelled (the process was killed).
    #[error("cancelled")]
    Cancelled,
}

#[cfg(test)]
mod tests;
