//! Running a pipeline document on audio files: the orchestrator with the
//! document's config, one handler per node, the artifact store, and
//! results as one flat record per file.

use std::path::PathBuf;
use std::sync::Arc;

use tokio::runtime::Handle;
use tokio::sync::mpsc;

use super::feed::feed;
use super::mount::Run;
use super::mount::{Mounted, checked_custom, engine_config_invalid, mount};
use crate::library::{Library, LibraryError, Shard};
use crate::orchestrator::{Plan, WaveConfig, WaveOrchestrator};
use crate::pipeline::CustomStages;
use crate::pipeline::Operation;
use crate::pipeline::PipelineDocument;
use crate::pipeline::PipelineError;
use crate::pipeline::plugin::Installed;

/// The declared outputs of the document's plugin nodes, each once.
fn plugin_columns(
    doc: &PipelineDocument,
    plugins: &Installed,
    stages: &CustomStages,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for node in &doc.nodes {
        let Operation::Plugin { name, .. } = &node.operation else {
            continue;
        };
        let declared = plugins
            .get(name)
            .into_iter()
            .flat_map(|p| &p.manifest.outputs)
            .map(|o| &o.name);
        for o in declared.chain(stages.outputs(name)) {
            if !out.contains(o) {
                out.push(o.clone());
            }
        }
    }
    out
}

/// A pipeline ready to run.
pub struct PipelineRunner {
    orchestrator: WaveOrchestrator,
    part: Mounted,
    handle: Handle,
    plugins: Arc<Installed>,
    columns: Vec<String>,
}

impl std::fmt::Debug for PipelineRunner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PipelineRunner")
            .field("name", &self.part.name)
            .field("hash", &self.part.hash)
            .finish()
    }
}

impl PipelineRunner {
    /// Validates `doc` and builds its orchestrator on `handle`. `config`
    /// replaces the document's config when given (the CLI's `--jobs`).
    pub fn new(
        doc: &PipelineDocument,
        config: Option<WaveConfig>,
        handle: Handle,
    ) -> Result<Self, PipelineError> {
        Self::with_library(doc, config, handle, None)
    }

    /// As [`PipelineRunner::new`], storing results in `library` and
    /// answering nodes from the outputs it holds. Plugin nodes use the
    /// plugins installed now ([`Installed::discover`]).
    pub fn with_library(
        doc: &PipelineDocument,
        config: Option<WaveConfig>,
        handle: Handle,
        library: Option<Arc<Library>>,
    ) -> Result<Self, PipelineError> {
        Self::with_plugins(
            doc,
            config,
            handle,
            library,
            Arc::new(Installed::discover()),
        )
    }

    /// As [`PipelineRunner::with_library`], with plugin nodes taken from
    /// `plugins`: the runner keeps this set whatever is installed later. A
    /// node whose plugin is not in it is an error naming the node and why.
    pub fn with_plugins(
        doc: &PipelineDocument,
        config: Option<WaveConfig>,
        handle: Handle,
        library: Option<Arc<Library>>,
        plugins: Arc<Installed>,
    ) -> Result<Self, PipelineError> {
        let none = CustomStages::default();
        Self::with_stages(doc, config, handle, library, plugins, &none)
    }

    /// As [`PipelineRunner::with_plugins`], serving plugin nodes named in
    /// `stages` with those Rust-written operations (they win over an
    /// installed plugin of the same name, and are never cached).
    pub fn with_stages(
        doc: &PipelineDocument,
        config: Option<WaveConfig>,
        handle: Handle,
        library: Option<Arc<Library>>,
        plugins: Arc<Installed>,
        stages: &CustomStages,
    ) -> Result<Self, PipelineError> {
        let custom = checked_custom(doc, &plugins, stages)?;
        let config = config.unwrap_or_else(|| doc.config.clone());
        let mut orchestrator = WaveOrchestrator::new(config, handle.clone())
            .map_err(|e| engine_config_invalid(doc, e))?;
        let part = mount(doc, &mut orchestrator, "", None, library, &plugins, custom)?;
        Ok(Self {
            orchestrator,
            part,
            handle,
            columns: plugin_columns(doc, &plugins, stages),
            plugins,
        })
    }

    /// The plugins this runner's nodes use (the set it was built with).
    pub fn plugins(&self) -> &Arc<Installed> {
        &self.plugins
    }

    /// The values its plugin nodes declare (`outputs` of their manifests),
    /// in node order: extra CSV columns after the fixed ones.
    pub fn extra_columns(&self) -> &[String] {
        &self.columns
    }

    /// The engine, for events, statistics and cancellation.
    pub fn orchestrator(&self) -> &WaveOrchestrator {
        &self.orchestrator
    }

    /// The compiled plan.
    pub fn plan(&self) -> &Plan {
        &self.part.plan
    }

    /// The pipeline's name.
    pub fn name(&self) -> &str {
        &self.part.name
    }

    /// The hash of the pipeline's content.
    pub fn hash(&self) -> &str {
        &self.part.hash
    }

    /// Waves holding decoded artifacts now (bounded by waves in flight).
    pub fn artifacts_in_flight(&self) -> usize {
        self.part.store.len()
    }

    /// The library results go to, if any.
    pub fn library(&self) -> Option<&Arc<Library>> {
        self.part.library.as_ref().map(|l| &l.library)
    }

    /// Marks the runs this runner records as shard `shard` of a split run.
    pub fn set_shard(&mut self, shard: Shard) {
        if let Some(link) = &mut self.part.library {
            link.shard = Some(shard);
        }
    }

    /// Records a finished run of no files (a shard with nothing to do) in
    /// the library, if there is one; blocking. Returns its id.
    pub fn record_empty_run(&self) -> Result<Option<crate::library::RunId>, LibraryError> {
        let part = &self.part;
        part.library
            .as_ref()
            .map(|link| super::persist::record_empty(link, &part.name, &part.hash))
            .transpose()
    }

    /// Starts analysing `files`, at most `max_concurrent` at once. With a
    /// library, each file is fingerprinted as it goes in and its result
    /// written as it finishes.
    pub fn start(&self, files: Vec<PathBuf>, max_concurrent: usize) -> Run {
        let (tx, rx) = mpsc::channel(files.len().max(1));
        let library = self.part.library.as_ref().map(|l| l.library.clone());
        let feeder = feed(&self.handle, library, files.clone(), vec![tx]);
        self.part.stream(
            &self.orchestrator,
            &self.handle,
            (rx, Some(feeder)),
            files,
            max_concurrent,
            |_, result| result,
        )
    }
}
