//! Wave Studio: audio-analysis pipelines drawn as node graphs and run by an
//! embedded wave orchestrator.
//!
//! Layers, with dependencies pointing down only:
//! `app` (GUI) and `cli` → `pipeline` → `orchestrator` (async engine) and
//! `audio` (pure DSP).

#[cfg(feature = "gui")]
pub mod app;
pub mod audio;
pub mod cli;
pub mod library;
pub mod orchestrator;
pub mod pipeline;
