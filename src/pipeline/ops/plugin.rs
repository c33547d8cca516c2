//! A plugin node as a stage handler: the wave's file, the node's checked
//! parameters and the earlier stages' values go to the plugin's process;
//! its values and quality come back as the stage's output.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value};

use super::{cached, check_cancel, input_path, merged_prior};
use crate::orchestrator::{
    ErrorKind, StageError, StageHandler, StageInput, StageOutput, StageResult,
};
use crate::pipeline::cache::NodeCache;
use crate::pipeline::plugin::{
    Installed, PROTOCOL_VERSION, Persistent, PluginError, PluginMode, Reply, Request, run_once,
};

type Ask = dyn Fn(&Request, &dyn Fn() -> bool) -> Result<Reply, PluginError> + Send + Sync;

/// The handler of a node running plugin `name` with `params`. A plugin
/// that is missing or parameters that do not fit fail every attempt with
/// why (the runner refuses such pipelines before this point).
pub(super) fn handler(
    plugins: &Installed,
    name: &str,
    params: &BTreeMap<String, Value>,
    cache: Option<NodeCache>,
) -> StageHandler {
    let resolved = match plugins.get(name) {
        None => Err(plugins.why_missing(name)),
        Some(p) => p
            .resolve_params(params)
            .map(|v| (p.clone(), v))
            .map_err(|e| {
                let list: Vec<String> = e.into_iter().map(|(_, m)| m).collect();
                list.join("; ")
            }),
    };
    let (plugin, params) = match resolved {
        Ok(ok) => ok,
        Err(why) => {
            return StageHandler::blocking(move |_| Err(StageError::permanent(why.clone())));
        }
    };
    let timeout = Duration::from_secs_f64(plugin.manifest.timeout_s);
    let reports_quality = plugin.manifest.reports_quality;
    let ask: Arc<Ask> = match plugin.manifest.mode {
        PluginMode::PerFile => Arc::new(move |req: &Request, cancelled: &dyn Fn() -> bool| {
            run_once(&plugin, req, timeout, cancelled)
        }),
        PluginMode::Persistent => {
            let server = Persistent::new(plugin);
            Arc::new(move |req: &Request, cancelled: &dyn Fn() -> bool| {
                server.request(req, timeout, cancelled)
            })
        }
    };
    cached(cache, move |input| {
        run(&input, &params, ask.as_ref(), reports_quality)
    })
}

/// One attempt: the request, the reply as output.
fn run(
    input: &StageInput,
    params: &Map<String, Value>,
    ask: &Ask,
    reports_quality: bool,
) -> StageResult {
    check_cancel(input)?;
    let file = input_path(input)?;
    // The plugin runs in its own folder: a relative path would miss.
    let file = std::path::absolute(&file).unwrap_or(file);
    let request = Request {
        protocol: PROTOCOL_VERSION,
        file: file.display().to_string(),
        params: params.clone(),
        prior: merged_prior(input),
    };
    let cancel = input.cancel.clone();
    let reply = ask(&request, &move || cancel.is_cancelled()).map_err(stage_error)?;
    let out = StageOutput::new(reply.values);
    Ok(match reply.quality {
        Some(q) if reports_quality => out.with_quality(q),
        _ => out,
    })
}

/// How a plugin failure counts: its own refusal is permanent, a timeout a
/// timeout, anything else may pass on a retry (with backoff, as any stage).
fn stage_error(e: PluginError) -> StageError {
    let kind = match &e {
        PluginError::Cancelled => return StageError::cancelled(),
        PluginError::Refused { .. } | PluginError::Manifest { .. } => ErrorKind::Permanent,
        PluginError::Timeout { .. } => ErrorKind::Timeout,
        PluginError::Run { .. } => ErrorKind::Transient,
    };
    StageError {
        kind,
        message: e.to_string(),
    }
}
