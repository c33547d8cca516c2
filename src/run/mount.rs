//! One pipeline document mounted on an orchestrator: its handlers
//! registered (under a prefix, so two documents can share one engine), its
//! compiled plan, artifact store and library link, and the task that turns
//! finished waves into records (stored in the library as they come).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::runtime::Handle;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::persist::{LibraryLink, Sink, StoreStatus};
use super::record::FileResult;
use crate::library::Library;
use crate::orchestrator::{
    BatchReport, Plan, PlanErrors, StageHandler, WaveConfig, WaveContext, WaveInput,
    WaveOrchestrator,
};
use crate::pipeline::CustomStages;
use crate::pipeline::PipelineError;
use crate::pipeline::cache::{NodeCache, node_keys_with};
use crate::pipeline::content_hash;
use crate::pipeline::ops::{ArtifactStore, handler_with};
use crate::pipeline::plugin::Installed;
use crate::pipeline::to_ron;
use crate::pipeline::{Operation, Problem, missing_plugins_unless, validate_with};
use crate::pipeline::{PipelineDocument, handler_name};
use tokio_util::sync::CancellationToken;

/// A document's part of an orchestrator.
pub(crate) struct Mounted {
    pub(crate) plan: Plan,
    pub(crate) store: Arc<ArtifactStore>,
    pub(crate) name: String,
    pub(crate) hash: String,
    pub(crate) library: Option<LibraryLink>,
}

/// The error for `doc` with these problems.
pub(crate) fn invalid(doc: &PipelineDocument, problems: Vec<Problem>) -> PipelineError {
    PipelineError::Invalid {
        path: PathBuf::from(&doc.name),
        problems,
    }
}

/// A new engine refused `doc`'s config: the error names the field.
pub(crate) fn engine_config_invalid(
    doc: &PipelineDocument,
    e: crate::orchestrator::ConfigError,
) -> PipelineError {
    invalid(
        doc,
        vec![Problem {
            line: None,
            col: None,
            location: format!("config.{}", e.field),
            message: e.reason,
        }],
    )
}

fn plan_problems(e: &PlanErrors) -> Vec<Problem> {
    e.0.iter()
        .map(|p| Problem {
            line: None,
            col: None,
            location: String::new(),
            message: p.to_string(),
        })
        .collect()
}

/// Registers `doc`'s handlers on `orchestrator` (names prefixed with
/// `prefix`; `custom` serves the nodes it names) and compiles its plan,
/// with `plan_config` as the plan's own config when given.
pub(crate) fn mount(
    doc: &PipelineDocument,
    orchestrator: &mut WaveOrchestrator,
    prefix: &str,
    plan_config: Option<WaveConfig>,
    library: Option<Arc<Library>>,
    plugins: &Installed,
    mut custom: HashMap<String, StageHandler>,
) -> Result<Mounted, PipelineError> {
    let store = Arc::new(ArtifactStore::default());
    let library = library.map(|library| LibraryLink {
        library,
        node_keys: node_keys_with(doc, plugins),
        text: to_ron(doc).unwrap_or_default(),
        shard: None,
    });
    for node in &doc.nodes {
        let cache = library.as_ref().and_then(|l| {
            let key = l.node_keys.get(node.id.as_str())?;
            Some(NodeCache::new(l.library.clone(), key.clone()))
        });
        let handler = match custom.remove(node.id.as_str()) {
            Some(h) => h,
            None => handler_with(&node.operation, store.clone(), cache, plugins),
        };
        orchestrator.register_stage_handler(format!("{prefix}{}", handler_name(&node.id)), handler);
    }
    let mut spec = doc.plan_spec();
    for node in &mut spec.nodes {
        node.handler = format!("{prefix}{}", node.handler);
    }
    let plan = match plan_config {
        Some(config) => orchestrator.plan_with_config(&spec, config),
        None => orchestrator.plan(&spec),
    }
    .map_err(|e| invalid(doc, plan_problems(&e)))?;
    Ok(Mounted {
        plan,
        store,
        name: doc.name.clone(),
        hash: content_hash(doc),
        library,
    })
}

/// `custom_handlers` for the runner: the stages' handlers, or every
/// problem that stops `doc` from running.
pub(crate) fn checked_custom(
    doc: &PipelineDocument,
    plugins: &Installed,
    stages: &CustomStages,
) -> Result<HashMap<String, StageHandler>, PipelineError> {
    custom_handlers(doc, plugins, stages).map_err(|p| invalid(doc, p))
}

impl Mounted {
    /// Starts a batch of this plan fed from `inputs` (`files` are the run's
    /// files, recorded with the run in the library). Each finished wave is
    /// stored, then mapped by `map` and sent on the run's channel.
    pub(crate) fn stream<T: Send + 'static>(
        &self,
        orchestrator: &WaveOrchestrator,
        handle: &Handle,
        (inputs, feeder): (mpsc::Receiver<WaveInput>, Option<JoinHandle<()>>),
        files: Vec<PathBuf>,
        max_concurrent: usize,
        map: impl Fn(&WaveContext, FileResult) -> T + Send + 'static,
    ) -> Run<T> {
        let status = self
            .library
            .as_ref()
            .map(|l| StoreStatus::new(l.library.path()));
        let mut stream = orchestrator.stream_waves(&self.plan, inputs, max_concurrent);
        let cancel = stream.cancel_token();
        let priorities = stream.priorities();
        let (out_tx, results) = mpsc::channel(max_concurrent.max(1));
        let store = self.store.clone();
        let sink = self.library.clone().map(|link| Sink {
            link,
            status: status.clone().unwrap_or_default(),
            name: self.name.clone(),
            hash: self.hash.clone(),
            files,
        });
        let done = handle.spawn(async move {
            let mut sink = match sink {
                Some(s) => s.open().await,
                None => None,
            };
            while let Some(ctx) = stream.results.recv().await {
                let artifacts = store.take(ctx.id);
                let result = FileResult::from_context(&ctx);
                if let Some(sink) = &mut sink {
                    sink.file(&ctx, &result, artifacts);
                }
                if out_tx.send(map(&ctx, result)).await.is_err() {
                    // Nobody listens: keep draining so the batch can end.
                    continue;
                }
            }
            let report = stream.report().await;
            // The batch took its last file: its feeder has ended or ends now.
            if let Some(feeder) = feeder {
                feeder.abort();
                let _ = feeder.await;
            }
            if let Some(sink) = sink {
                sink.close().await;
            }
            report
        });
        Run {
            results,
            cancel,
            done,
            store: status,
            priorities,
        }
    }
}

/// Every problem that stops `doc` from running with `plugins` and
/// `stages`; else the handlers of its nodes served by `stages`, by node id.
pub(crate) fn custom_handlers(
    doc: &PipelineDocument,
    plugins: &Installed,
    stages: &CustomStages,
) -> Result<HashMap<String, StageHandler>, Vec<Problem>> {
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
                handlers.insert(node.id.to_string(), handler);
            }
            Some(Err(message)) => problems.push(Problem {
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
