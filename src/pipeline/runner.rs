//! Running a pipeline document on audio files: the orchestrator with the
//! document's config, one handler per node, the artifact store, and
//! results as one flat record per file.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;
use tokio::runtime::Handle;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::custom::CustomStages;
use super::document::PipelineDocument;
use super::error::PipelineError;
use super::fields;
use super::format::to_ron;
use super::mount::{Mounted, checked_custom, engine_config_invalid, mount};
use super::operation::Operation;
use super::persist::{StoreStatus, fingerprinted_input};
use super::plugin::Installed;
use super::validate::{missing_plugins_unless, validate_with};
use crate::library::{Library, LibraryError, Shard};
use crate::orchestrator::{
    BatchReport, Plan, StageHandler, StageValues, WaveConfig, WaveContext, WaveInput, WaveKey,
    WaveOrchestrator, WaveStatus,
};

/// One file's outcome: fixed fields, then every value the pipeline produced.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileResult {
    /// The wave's caller key: the file's position in the run's inputs.
    /// Not written out (results are in key order).
    #[serde(skip)]
    pub key: WaveKey,
    /// The file's path as given (the input's label when it has none).
    pub file: String,
    /// True when every stage that ran succeeded.
    pub ok: bool,
    /// How the file's wave ended.
    pub status: WaveStatus,
    /// Every stage error, joined.
    pub error: Option<String>,
    /// The wave's quality: the lowest confidence a stage reported.
    pub quality: Option<f64>,
    /// Seconds from the wave's start to its end.
    pub analysis_s: f64,
    /// Every node's output came from the results library: nothing was
    /// computed.
    pub cached: bool,
    /// Nodes skipped, with why.
    pub skipped: Vec<String>,
    /// The values of every completed stage, later stages winning.
    #[serde(flatten)]
    pub values: StageValues,
}

impl FileResult {
    /// The record of a finished wave.
    pub fn from_context(ctx: &WaveContext) -> Self {
        let mut values = super::ops::merge_values(ctx.results.iter().map(|(_, o)| &o.values));
        let file = ctx
            .input
            .payload
            .get("path")
            .and_then(Value::as_str)
            .unwrap_or(&ctx.input.label)
            .to_string();
        values.remove(fields::FILE);
        let error = (!ctx.errors.is_empty()).then(|| {
            ctx.errors
                .iter()
                .map(|e| format!("{}: {}", e.node, e.message))
                .collect::<Vec<_>>()
                .join("; ")
        });
        let error = error
            .or_else(|| (ctx.status == WaveStatus::Cancelled).then(|| "cancelled".to_string()));
        Self {
            key: ctx.key,
            file,
            ok: ctx.status == WaveStatus::Completed,
            status: ctx.status,
            error,
            quality: ctx.quality(),
            analysis_s: ctx.duration.as_secs_f64(),
            cached: super::persist::all_cached(ctx),
            skipped: ctx
                .skipped
                .iter()
                .map(|(n, r)| format!("{n}: {r}"))
                .collect(),
            values,
        }
    }

    /// A value by name, `Null` when absent.
    pub fn value(&self, key: &str) -> &Value {
        self.values.get(key).unwrap_or(&Value::Null)
    }
}

/// The wave input for one file.
pub fn wave_input(path: &Path) -> WaveInput {
    let label = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    WaveInput::new(
        label,
        serde_json::json!({ "path": path.display().to_string() }),
    )
}

/// A 64-bit FNV-1a hash of the document's saved form, in hex: results carry
/// it so they can be traced to the exact pipeline.
pub fn content_hash(doc: &PipelineDocument) -> String {
    let text = to_ron(doc).unwrap_or_default();
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{hash:016x}")
}

/// Every problem that stops `doc` from running with `plugins` and
/// `stages`; else the handlers of its nodes served by `stages`, by node id.
pub(crate) fn custom_handlers(
    doc: &PipelineDocument,
    plugins: &Installed,
    stages: &CustomStages,
) -> Result<HashMap<String, StageHandler>, Vec<super::Problem>> {
    let mut problems = validate_with(doc, None, plugins);
    problems.extend(missing_plugins_unless(doc, None, plugins, &|name| {
        stages.contains(name)
    }));
    let mut handlers = HashMap::new();
    for node in &doc.nodes {
        let Operation::Plugin { name, params } = &node.operation else {
            continue;
        };
        match stages.handler(name, params) {
            Some(Ok(handler)) => {
                handlers.insert(node.id.clone(), handler);
            }
            Some(Err(message)) => problems.push(super::Problem {
                line: None,
                col: None,
                location: format!("node `{}`", node.id),
                message: format!("operation `{name}`: {message}"),
            }),
            None => {}
        }
    }
    if problems.is_empty() {
        Ok(handlers)
    } else {
        Err(problems)
    }
}

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

/// A run in progress: results arrive as files finish.
#[derive(Debug)]
pub struct Run<T = FileResult> {
    /// Each file's record as it finishes, in completion order.
    pub results: mpsc::Receiver<T>,
    /// Cancels the run: no new file starts and running stages are cancelled.
    pub cancel: CancellationToken,
    /// Yields the batch report once every record was handed over (and,
    /// with a library, written).
    pub done: tokio::task::JoinHandle<BatchReport>,
    /// How writing to the library goes, when the run has one.
    pub store: Option<StoreStatus>,
    /// Moves files not started yet ahead (by key: their position in
    /// `files`), as the app's *Analyse next* does.
    pub priorities: crate::orchestrator::BatchPriorities,
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

    /// The waves for `files`, keyed by position so results map back without
    /// a search. With a library each file is fingerprinted first, off the
    /// async threads, while earlier files are already analysed.
    fn feed(&self, files: &[PathBuf]) -> mpsc::Receiver<WaveInput> {
        let (tx, rx) = mpsc::channel(files.len().max(1));
        let Some(link) = &self.part.library else {
            for (i, file) in files.iter().enumerate() {
                let _ = tx.try_send(wave_input(file).with_key(i));
            }
            return rx;
        };
        let library = link.library.clone();
        let files = files.to_vec();
        self.handle.spawn(async move {
            for (i, file) in files.into_iter().enumerate() {
                let lib = library.clone();
                let input =
                    tokio::task::spawn_blocking(move || fingerprinted_input(&lib, &file)).await;
                let Ok(input) = input else { break };
                // Refused only when the batch ended early: stop feeding.
                if tx.send(input.with_key(i)).await.is_err() {
                    break;
                }
            }
        });
        rx
    }

    /// Starts analysing `files`, at most `max_concurrent` at once. With a
    /// library, each file is fingerprinted as it goes in and its result
    /// written as it finishes.
    pub fn start(&self, files: Vec<PathBuf>, max_concurrent: usize) -> Run {
        let rx = self.feed(&files);
        self.part.stream(
            &self.orchestrator,
            &self.handle,
            rx,
            files,
            max_concurrent,
            |_, result| result,
        )
    }
}
