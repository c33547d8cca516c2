//! Wave Studio: audio-analysis pipelines drawn as node graphs and run by an
//! embedded wave orchestrator.
//!
//! Layers, with dependencies pointing down only:
//! `app` (GUI) and `cli` → `results` → `run` → `pipeline` → `orchestrator`
//! (async engine) and `audio` (pure DSP); `run`, `results`, `app` and `cli`
//! also use `library` (the results store), which knows none of them;
//! `text` (terminal-safe text) is below them all.

#[cfg(feature = "gui")]
pub mod app;
pub mod audio;
pub mod cli;
pub mod library;
pub mod orchestrator;
pub mod pipeline;
pub mod playback;
pub mod results;
pub mod run;
pub mod tags;
pub mod text;
